/* somatic.c -- the tumour fraction from the patient's known somatic variants, counted in the
 * same pass over the reads as the germline sites (docs/plasma.md "Tumour fraction from somatic
 * variants").  A clonal heterozygous SNV in a diploid region sits on one of the two copies of
 * every tumour cell and on none of the normal ones, so its allele fraction is half the tumour's
 * share of the DNA there: TF = 2 VAF.  At 2,000 reads this reaches fractions far below what the
 * copy-number profile of a panel can show. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "metcn/call.h"
#include "metcn/metcn.h"
#include "metcn/stats.h"

void metcn_somatic_opt_init(metcn_somatic_opt_t *opt)
{
    opt->min_depth = 50;
    opt->alpha = 0.001;
    opt->het_alpha = 0.001;
    opt->error_floor = 0.0005;
    opt->max_error = 0.02;
}

const char *metcn_somatic_status_name(int s)
{
    static const char *const n[] = {"none", "estimated", "upper_bound", "no_depth", "not_counted"};
    return s >= 0 && s < 5 ? n[s] : "none";
}

void metcn_somatic_free(metcn_somatic_t *s)
{
    if (!s)
        return;
    free(s->v);
    memset(s, 0, sizeof *s);
}

/* Index of (contig, pos) among the counted sites (panel order), -1 when absent. */
static long find_site(const metcn_sites_t *c, int32_t contig, int64_t pos)
{
    size_t lo = 0, hi = c ? c->n : 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->contig[mid] < contig || (c->contig[mid] == contig && c->pos[mid] < pos))
            lo = mid + 1;
        else
            hi = mid;
    }
    return c && lo < c->n && c->contig[lo] == contig && c->pos[lo] == pos ? (long)lo : -1;
}

/* The tumour fraction of an ALT read share p with error rate e to each other base: the share
 * is v (1 - 4e) + e for a true VAF v (an ALT base misread, or a REF base misread as ALT), so
 * TF = 2 (p - e) / (1 - 4e), clipped to [METCN_TF_FLOOR, 1]. */
static double tf_of(double p, double e)
{
    return fmin(fmax(2 * (p - e) / (1 - 4 * e), METCN_TF_FLOOR), 1.0);
}

/* The Clopper-Pearson interval of a of n, as tumour fractions. */
static int tf_interval(uint64_t a, uint64_t n, double e, double conf, double *lo, double *hi)
{
    double pl, ph;
    int r = metcn_clopper_pearson((int64_t)a, (int64_t)n, conf, &pl, &ph);
    if (r)
        return r;
    *lo = tf_of(pl, e);
    *hi = tf_of(ph, e);
    return 0;
}

/* P(X >= a) for X ~ Binomial(n, p). */
static double upper_tail(uint64_t a, uint64_t n, double p)
{
    if (a == 0)
        return 1.0;
    return gsl_cdf_binomial_Q((unsigned)(a - 1), p, (unsigned)n);
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

/* Heterogeneity of the used variants' fractions: Pearson's chi-square of the 2 x k table
 * (ALT and REF reads per variant) about the pooled fraction, k - 1 df. */
static double heterogeneity_p(const metcn_somatic_t *s)
{
    if (s->n_used < 2 || s->depth == 0)
        return NAN;
    double v = (double)s->alt / (double)s->depth, x2 = 0;
    if (!(v > 0 && v < 1))
        return 1.0; /* all ALT or none: the same everywhere */
    for (size_t i = 0; i < s->n; i++) {
        const metcn_somatic_var_t *e = &s->v[i];
        if (!e->used)
            continue;
        double n = (double)e->ref_count + e->alt_count, d = e->alt_count - n * v;
        x2 += d * d / (n * v * (1 - v));
    }
    return gsl_cdf_chisq_Q(x2, (double)(s->n_used - 1));
}

/* Heterogeneous: the median of the used variants' fractions, the hull of their intervals. */
static int median_hull(metcn_somatic_t *s)
{
    double *t = malloc(s->n_used * sizeof *t);
    if (!t)
        return metcn_set_error(METCN_E_NOMEM, "somatic variants: out of memory");
    size_t k = 0;
    s->tf_lo = INFINITY;
    s->tf_hi = -INFINITY;
    for (size_t i = 0; i < s->n; i++) {
        const metcn_somatic_var_t *e = &s->v[i];
        if (!e->used)
            continue;
        t[k++] = e->tf;
        s->tf_lo = fmin(s->tf_lo, e->tf_lo);
        s->tf_hi = fmax(s->tf_hi, e->tf_hi);
    }
    qsort(t, k, sizeof *t, cmp_double);
    s->tf = k % 2 ? t[k / 2] : 0.5 * (t[k / 2 - 1] + t[k / 2]);
    s->tf = fmin(fmax(s->tf, s->tf_lo), s->tf_hi);
    free(t);
    return 0;
}

int metcn_somatic_measure(const metcn_sites_t *want, const metcn_sites_t *counted, double conf,
                          const metcn_somatic_opt_t *opt, metcn_somatic_t *out)
{
    metcn_somatic_opt_t d;
    if (!opt) {
        metcn_somatic_opt_init(&d);
        opt = &d;
    }
    memset(out, 0, sizeof *out);
    out->tf = out->tf_lo = out->tf_hi = out->p_background = out->het_p = NAN;
    if (!want || !(conf > 0 && conf < 1) || opt->min_depth < 1)
        return metcn_set_error(METCN_E_ARG, "somatic variants: bad arguments");
    out->n = want->n;
    if (!(out->v = calloc(want->n ? want->n : 1, sizeof *out->v)))
        return metcn_set_error(METCN_E_NOMEM, "somatic variants: out of memory");
    uint64_t all = 0;
    for (size_t i = 0; i < want->n; i++) {
        metcn_somatic_var_t *e = &out->v[i];
        *e = (metcn_somatic_var_t){.contig = want->contig[i],
                                   .pos = want->pos[i],
                                   .ref = want->ref[i],
                                   .alt = want->alt[i],
                                   .vaf = NAN,
                                   .tf = NAN,
                                   .tf_lo = NAN,
                                   .tf_hi = NAN};
        long k = find_site(counted, e->contig, e->pos);
        if (k < 0 || counted->min_baseq < 0 || counted->ref[k] != e->ref ||
            counted->alt[k] != e->alt)
            continue;
        e->counted = 1;
        out->n_counted++;
        e->ref_count = counted->ref_count[k];
        e->alt_count = counted->alt_count[k];
        e->other_count = counted->other_count[k];
        uint64_t n = (uint64_t)e->ref_count + e->alt_count;
        if ((int)n > out->max_depth)
            out->max_depth = (int)n;
        if (n == 0)
            continue;
        e->vaf = (double)e->alt_count / (double)n;
        if (n < (uint64_t)opt->min_depth)
            continue;
        e->used = 1;
        out->n_used++;
        out->alt += e->alt_count;
        out->depth += n;
        out->other += e->other_count;
        all += n + e->other_count;
    }
    if (out->n_counted == 0) {
        out->status = METCN_SOMATIC_NOT_COUNTED;
        return 0;
    }
    if (out->n_used == 0) {
        out->status = METCN_SOMATIC_NO_DEPTH;
        return 0;
    }
    /* the error rate to one given base, from the reads showing neither allele (two other
     * bases): as measured for the correction, floored for the test */
    double err = all ? (double)out->other / (2.0 * (double)all) : 0;
    if (err > opt->max_error)
        return metcn_set_error(METCN_E_FORMAT,
                               "--somatic: %.1f%% of the reads at the variants show neither REF "
                               "nor ALT: the VCF's alleles do not match the reads",
                               200.0 * err);
    out->error_rate = err;
    out->background = fmax(err, opt->error_floor);
    out->p_background = upper_tail(out->alt, out->depth, out->background);
    for (size_t i = 0; i < out->n; i++) {
        metcn_somatic_var_t *e = &out->v[i];
        uint64_t n = (uint64_t)e->ref_count + e->alt_count;
        if (!e->counted || n == 0)
            continue;
        e->tf = tf_of(e->vaf, err);
        if (tf_interval(e->alt_count, n, err, conf, &e->tf_lo, &e->tf_hi))
            return metcn_last_error_code();
    }
    out->het_p = heterogeneity_p(out);
    if (out->p_background >= opt->alpha) {
        /* the ALT reads could be errors: only an upper bound, the point the range's middle */
        out->status = METCN_SOMATIC_UPPER_BOUND;
        double lo, hi;
        if (tf_interval(out->alt, out->depth, err, conf, &lo, &hi))
            return metcn_last_error_code();
        out->tf_lo = METCN_TF_FLOOR;
        out->tf_hi = hi;
        out->tf = 0.5 * (out->tf_lo + out->tf_hi);
        return 0;
    }
    out->status = METCN_SOMATIC_ESTIMATED;
    out->heterogeneous = isfinite(out->het_p) && out->het_p < opt->het_alpha;
    if (out->heterogeneous)
        return median_hull(out);
    out->tf = tf_of((double)out->alt / (double)out->depth, err);
    if (tf_interval(out->alt, out->depth, err, conf, &out->tf_lo, &out->tf_hi))
        return metcn_last_error_code();
    out->tf = fmin(fmax(out->tf, out->tf_lo), out->tf_hi);
    return 0;
}

int metcn_somatic_as_opt(const metcn_somatic_t *s, metcn_call_opt_t *o)
{
    if (s->status != METCN_SOMATIC_ESTIMATED && s->status != METCN_SOMATIC_UPPER_BOUND)
        return 0;
    o->purity = s->tf;
    o->purity_lo = s->tf_lo;
    o->purity_hi = s->tf_hi;
    o->purity_source = METCN_PURITY_SOMATIC;
    return 1;
}

metcn_sites_t *metcn_sites_without(const metcn_sites_t *sites, const metcn_sites_t *drop)
{
    metcn_sites_t *t = calloc(1, sizeof *t);
    size_t n = sites->n;
    if (t) {
        t->contig = malloc((n ? n : 1) * sizeof *t->contig);
        t->pos = malloc((n ? n : 1) * sizeof *t->pos);
        t->ref = malloc(n ? n : 1);
        t->alt = malloc(n ? n : 1);
        t->ref_count = malloc((n ? n : 1) * sizeof *t->ref_count);
        t->alt_count = malloc((n ? n : 1) * sizeof *t->alt_count);
        t->other_count = malloc((n ? n : 1) * sizeof *t->other_count);
        t->source = sites->source ? strdup(sites->source) : NULL;
    }
    if (!t || !t->contig || !t->pos || !t->ref || !t->alt || !t->ref_count || !t->alt_count ||
        !t->other_count || (sites->source && !t->source)) {
        metcn_sites_destroy(t);
        metcn_set_error(METCN_E_NOMEM, "sites: out of memory");
        return NULL;
    }
    t->flank = sites->flank;
    t->min_baseq = sites->min_baseq;
    t->n_skipped = sites->n_skipped;
    for (size_t i = 0; i < n; i++) {
        if (drop && find_site(drop, sites->contig[i], sites->pos[i]) >= 0)
            continue;
        size_t k = t->n++;
        t->contig[k] = sites->contig[i];
        t->pos[k] = sites->pos[i];
        t->ref[k] = sites->ref[i];
        t->alt[k] = sites->alt[i];
        t->ref_count[k] = sites->ref_count[i];
        t->alt_count[k] = sites->alt_count[i];
        t->other_count[k] = sites->other_count[i];
    }
    return t;
}

int metcn_call_somatic(metcn_call_t *c, metcn_somatic_t *s, const metcn_somatic_opt_t *opt)
{
    int r = 0;
    if (s->status == METCN_SOMATIC_NO_DEPTH)
        r = metcn_call_add_qc(c, METCN_QC_SOMATIC_NO_DEPTH, METCN_QC_WARN, s->max_depth,
                              opt->min_depth);
    else if (s->status == METCN_SOMATIC_UPPER_BOUND)
        r = metcn_call_add_qc(c, METCN_QC_SOMATIC_NOT_DETECTED, METCN_QC_PASS, s->p_background,
                              NAN);
    else if (s->heterogeneous)
        r = metcn_call_add_qc(c, METCN_QC_SOMATIC_HETEROGENEOUS, METCN_QC_WARN, s->het_p,
                              opt->het_alpha);
    metcn_somatic_free(&c->somatic);
    c->somatic = *s;
    memset(s, 0, sizeof *s);
    return r;
}
