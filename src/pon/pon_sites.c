/* pon_sites.c -- SNP sites across the PoN's normals (pon build --snps): depth, heterozygous
 * normals, the reference bias (median REF fraction of the het normals) and the flags that keep
 * a site out of a tumour's purity fit.  Rules and formulas: docs/pon.md, "Sites". */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "metcn/purity.h"
#include "metcn/stats.h"
#include "pon/pon_internal.h"

void metcn_pon_site_opt_init(metcn_pon_site_opt_t *o)
{
    o->min_depth = 20;
    o->min_minor_frac = 0.1;
    o->error_rate = 0.005;
    o->het_pvalue = 1e-3;
    o->min_het = 3;
    o->min_never_het = 10;
    o->min_constant = 5;
    o->max_bias = 0.15;
    o->constant_share = 0.8;
    o->constant_pvalue = 0.01;
    o->noisy_sd = 0.08;
}

const char *metcn_pon_site_flag_name(unsigned bit)
{
    switch (bit) {
    case METCN_PON_SITE_NEVER_HET:
        return "never_het";
    case METCN_PON_SITE_BIASED:
        return "biased";
    case METCN_PON_SITE_CONSTANT:
        return "constant";
    case METCN_PON_SITE_NOISY:
        return "noisy";
    default:
        return "unknown";
    }
}

size_t metcn_pon_n_sites(const metcn_pon_t *pon)
{
    return pon ? pon->n_sites : 0;
}

const metcn_pon_site_t *metcn_pon_sites(const metcn_pon_t *pon)
{
    return pon ? pon->sites : NULL;
}

const metcn_pon_site_opt_t *metcn_pon_site_options(const metcn_pon_t *pon)
{
    return &pon->site_opt;
}

long metcn_pon_site_find(const metcn_pon_t *pon, int32_t contig, int64_t pos, char ref, char alt)
{
    size_t lo = 0, hi = pon ? pon->n_sites : 0;
    while (lo < hi) { /* sites are in panel order: (contig, pos) increasing */
        size_t mid = lo + (hi - lo) / 2;
        const metcn_pon_site_t *s = &pon->sites[mid];
        if (s->contig < contig || (s->contig == contig && s->pos < pos))
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < (pon ? pon->n_sites : 0)) {
        const metcn_pon_site_t *s = &pon->sites[lo];
        if (s->contig == contig && s->pos == pos && s->ref == ref && s->alt == alt)
            return (long)lo;
    }
    return -1;
}

int metcn_pon_sites_check(const metcn_sites_t *list, metcn_covtab_t *const *t, size_t n)
{
    for (size_t j = 0; j < n; j++) {
        const char *name = t[j]->source ? t[j]->source : t[j]->sample;
        const metcn_sites_t *b = t[j]->sites;
        if (!b || b->min_baseq < 0)
            return metcn_set_error(METCN_E_ARG,
                                   "%s: no allele counts (a coverage table made without --snps: "
                                   "count it with 'metcn coverage --snps', or give its BAM/CRAM)",
                                   name);
        int same = list->n == b->n;
        for (size_t i = 0; same && i < list->n; i++)
            same = list->contig[i] == b->contig[i] && list->pos[i] == b->pos[i] &&
                   list->ref[i] == b->ref[i] && list->alt[i] == b->alt[i];
        if (!same)
            return metcn_set_error(METCN_E_INCOMPATIBLE,
                                   "%s: allele counts at other sites than those of %s on this "
                                   "panel (%zu and %zu sites): count every normal with the same "
                                   "--snps list and --snp-flank",
                                   name, list->source ? list->source : "the site list", b->n,
                                   list->n);
    }
    return 0;
}

/* P(Binomial(n, 0.5) >= k): how often Hardy-Weinberg's largest het share (2q(1-q) = 1/2 at
 * q = 1/2) gives k or more het normals of n. */
static double het_tail(int k, int n)
{
    return k <= 0 ? 1.0 : gsl_cdf_binomial_Q((unsigned)(k - 1), 0.5, (unsigned)n);
}

/* The flags of one site from its counts and its het normals' REF fractions. */
static unsigned site_flags(const metcn_pon_site_t *s, const metcn_pon_site_opt_t *o)
{
    unsigned f = 0;
    if (s->n_het == 0 && s->n_depth >= o->min_never_het)
        f |= METCN_PON_SITE_NEVER_HET;
    if (s->n_het >= o->min_het && fabs(s->ref_bias - 0.5) > o->max_bias)
        f |= METCN_PON_SITE_BIASED;
    if (s->n_depth >= o->min_constant && s->n_het >= o->constant_share * s->n_depth &&
        het_tail(s->n_het, s->n_depth) < o->constant_pvalue)
        f |= METCN_PON_SITE_CONSTANT;
    if (s->n_het >= o->min_het && isfinite(s->depth) && s->depth > 0 &&
        s->ref_bias_sd > o->noisy_sd && s->ref_bias_sd > 3.0 * sqrt(0.25 / s->depth))
        f |= METCN_PON_SITE_NOISY;
    return f;
}

/* Which normals count at a site of contig c: chrY none, chrX the XX normals, else all. */
static int counts_here(const metcn_panel_t *p, int32_t c, int sex)
{
    char canon[24];
    const char *k = metcn_contig_canonical(p->contigs[c].name, canon, sizeof canon);
    if (strcmp(k, "Y") == 0)
        return 0;
    return strcmp(k, "X") != 0 || sex == METCN_SEX_XX;
}

int metcn_pon_sites_compute(metcn_pon_t *pon, const metcn_sites_t *list,
                            metcn_covtab_t *const *normals, size_t n_normals,
                            const metcn_pon_site_opt_t *opt)
{
    metcn_pon_site_t *out = NULL;
    double *depth = NULL, *frac = NULL;
    int rc = 0;
    if (!pon || !list || !normals || !n_normals || !opt || n_normals > pon->n_samples)
        return metcn_set_error(METCN_E_ARG, "PoN sites: missing input");
    if ((rc = metcn_pon_sites_check(list, normals, n_normals)) < 0)
        return rc;
    const metcn_sites_t *S = list;
    out = calloc(S->n ? S->n : 1, sizeof *out);
    depth = malloc(n_normals * sizeof *depth);
    frac = malloc(n_normals * sizeof *frac);
    if (!out || !depth || !frac) {
        rc = metcn_set_error(METCN_E_NOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < S->n; i++) {
        metcn_pon_site_t *s = &out[i];
        *s = (metcn_pon_site_t){S->contig[i], S->pos[i], S->ref[i], S->alt[i], 0, 0,
                                NAN,          NAN,       NAN,       0};
        for (size_t j = 0; j < n_normals; j++) {
            const metcn_pon_sample_t *q = &pon->samples[j];
            if (q->dropped || !counts_here(pon->panel, s->contig, q->sex))
                continue;
            uint32_t r = normals[j]->sites->ref_count[i], a = normals[j]->sites->alt_count[i];
            int gt = metcn_site_genotype(r, a, opt->min_depth, opt->error_rate, opt->het_pvalue,
                                         opt->min_minor_frac);
            if (gt == METCN_GT_UNKNOWN)
                continue;
            depth[s->n_depth++] = (double)r + a;
            if (gt == METCN_GT_HET)
                frac[s->n_het++] = (double)r / ((double)r + a);
        }
        if (s->n_depth)
            s->depth = metcn_median(depth, NULL, (size_t)s->n_depth);
        if (s->n_het >= opt->min_het) {
            s->ref_bias = metcn_median(frac, NULL, (size_t)s->n_het);
            s->ref_bias_sd = metcn_mad_sd(frac, NULL, (size_t)s->n_het, s->ref_bias);
        }
        s->flags = site_flags(s, opt);
    }
    free(pon->sites);
    pon->sites = out;
    pon->n_sites = S->n;
    pon->site_opt = *opt;
    out = NULL;
out:
    free(out);
    free(depth);
    free(frac);
    return rc;
}
