/* purity_stage.c -- the caller with the purity from the reads: a call's bins and the sample's
 * allele counts into metcn_purity_fit(), and the call made again at the estimate.  The model,
 * the flags and what "cannot tell" means: docs/purity.md; the columns and QC: docs/call.md. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "metcn/call.h"
#include "metcn/metcn.h"
#include "metcn/panel.h"
#include "metcn/pon.h"
#include "metcn/purity.h"
#include "metcn/stats.h"

/* A matched normal's genotype at one site: the one rule (metcn_site_genotype()) with the
 * fit's error rate and p, a minor allele of at least a tenth of the reads. */
static int normal_genotype(uint32_t ref, uint32_t alt, const metcn_purity_opt_t *o)
{
    return metcn_site_genotype(ref, alt, o->min_site_depth, o->error_rate, o->het_pvalue, 0.1);
}

/* The panel contig whose canonical name is want ("X", "Y"), -1 when none. */
static int32_t contig_named(const metcn_panel_t *p, const char *want)
{
    char canon[24];
    for (int k = 0; k < p->n_contigs; k++)
        if (strcmp(metcn_contig_canonical(p->contigs[k].name, canon, sizeof canon), want) == 0)
            return k;
    return -1;
}

/* The tumour's sites as the fit's input, with what the PoN knows of each (pon may be NULL):
 * a site the PoN flags is left out (kept[] lists the input sites that stay, in order), a known
 * unflagged one gets the PoN's REF bias (NaN below its min_het: the sample's own), an unknown
 * one the sample's own.  Returns the number kept. */
static size_t fit_sites(const metcn_sites_t *sites, const metcn_sites_t *normal,
                        const metcn_pon_t *pon, const metcn_purity_opt_t *opt,
                        metcn_purity_site_t *ps, size_t *kept, metcn_pon_site_use_t *use)
{
    const metcn_pon_site_t *known = metcn_pon_sites(pon);
    size_t m = 0;
    memset(use, 0, sizeof *use);
    use->active = metcn_pon_n_sites(pon) > 0;
    for (size_t i = 0; sites && i < sites->n; i++) {
        long k = use->active ? metcn_pon_site_find(pon, sites->contig[i], sites->pos[i],
                                                   sites->ref[i], sites->alt[i])
                             : -1;
        double bias = NAN;
        if (k >= 0) {
            use->known++;
            if (known[k].flags) {
                use->dropped++;
                for (int b = 0; b < METCN_PON_SITE_N_FLAGS; b++)
                    use->dropped_by_flag[b] += (known[k].flags >> b) & 1u;
                continue;
            }
            bias = known[k].ref_bias;
            use->ref_bias += isfinite(bias) != 0;
        }
        ps[m] = (metcn_purity_site_t){
            sites->contig[i],
            sites->pos[i],
            (int32_t)sites->ref_count[i],
            (int32_t)sites->alt_count[i],
            normal ? normal_genotype(normal->ref_count[i], normal->alt_count[i], opt)
                   : METCN_GT_UNKNOWN,
            bias,
            NAN /* af: not in metcn_sites_t yet (the sample's het share is used) */};
        kept[m++] = i;
    }
    return m;
}

/* The PoN's per-bin SD of a bin is a robust SD over its normals (a MAD of n values: about
 * 0.37 (n - 1) degrees of freedom, 1.85 for 6 normals), so some bins get an SD far below their
 * noise by chance, and a few such bins make a short segment out of noise that the fit then
 * takes for an event.  For the fit each bin's variance is moderated towards the median of its
 * kind (targets, off-target bins) as an empirical-Bayes prior of PURITY_SD_PRIOR_DF degrees of
 * freedom: s'^2 = (d0 s0^2 + d s^2) / (d0 + d) (docs/purity.md section 3).  The call's own
 * weights are not changed. */
#define PURITY_SD_PRIOR_DF 4.0
static void moderate_sd(metcn_purity_bin_t *bins, size_t n, const metcn_panel_t *panel,
                        const metcn_pon_t *pon)
{
    size_t nn = pon ? metcn_pon_n_normals(pon) : 0;
    double d = nn > 1 ? 0.37 * (double)(nn - 1) : PURITY_SD_PRIOR_DF, d0 = PURITY_SD_PRIOR_DF;
    int *mask = malloc((n ? n : 1) * sizeof *mask);
    double *sd = malloc((n ? n : 1) * sizeof *sd);
    if (!mask || !sd)
        goto out; /* unmoderated: the fit runs as before */
    for (int kind = 0; kind < 2; kind++) {
        for (size_t i = 0; i < n; i++) {
            sd[i] = bins[i].sd;
            mask[i] = panel->bins[i].off_target == kind && isfinite(bins[i].sd) && bins[i].sd > 0;
        }
        double s0 = metcn_median(sd, mask, n);
        if (!(s0 > 0))
            continue;
        for (size_t i = 0; i < n; i++)
            if (mask[i])
                bins[i].sd = sqrt((d0 * s0 * s0 + d * bins[i].sd * bins[i].sd) / (d0 + d));
    }
out:
    free(mask);
    free(sd);
}

/* The fit's per-site results back on every input site (n), the dropped ones pon_flagged. */
static int unfold_sites(metcn_purity_t *f, const size_t *kept, size_t m, size_t n)
{
    uint8_t *st = malloc(n ? n : 1);
    int32_t *sg = malloc((n ? n : 1) * sizeof *sg);
    if (!st || !sg) {
        free(st);
        free(sg);
        return metcn_set_error(METCN_E_NOMEM, "purity fit: out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        st[i] = METCN_PSITE_PON_FLAGGED;
        sg[i] = -1;
    }
    for (size_t q = 0; q < m; q++) {
        st[kept[q]] = f->site_status[q];
        sg[kept[q]] = f->site_seg[q];
    }
    free(f->site_status);
    free(f->site_seg);
    f->site_status = st;
    f->site_seg = sg;
    return 0;
}

int metcn_call_purity_fit(const metcn_call_t *c, const metcn_sites_t *sites,
                          const metcn_sites_t *normal, const metcn_pon_t *pon, int sex,
                          const metcn_purity_opt_t *opt, metcn_pon_site_use_t *use,
                          metcn_purity_t **out)
{
    metcn_purity_bin_t *bins = NULL;
    metcn_purity_site_t *ps = NULL;
    size_t *kept = NULL;
    metcn_pon_site_use_t use_local;
    int r = 0;
    *out = NULL;
    if (!use)
        use = &use_local;
    if (!c || !opt)
        return metcn_set_error(METCN_E_ARG, "purity fit: missing input");
    if (normal && (!sites || normal->n != sites->n))
        return metcn_set_error(METCN_E_INCOMPATIBLE,
                               "purity fit: the normal's allele counts are not at the tumour's "
                               "sites (%zu and %zu sites)",
                               normal->n, sites ? sites->n : 0);
    size_t ns = sites ? sites->n : 0;
    bins = malloc((c->n ? c->n : 1) * sizeof *bins);
    ps = malloc((ns ? ns : 1) * sizeof *ps);
    kept = malloc((ns ? ns : 1) * sizeof *kept);
    if (!bins || !ps || !kept) {
        r = metcn_set_error(METCN_E_NOMEM, "purity fit: out of memory");
        goto out;
    }
    /* Every panel bin, in panel order (sorted by contig and start); unused bins carry NaN and
     * are skipped by the fit, so its bin indices are the panel's. */
    for (size_t i = 0; i < c->n; i++) {
        const metcn_bin_t *b = &c->panel->bins[i];
        int used = (c->bin_flag[i] & METCN_BIN_USED) && isfinite(c->log2[i]) &&
                   isfinite(c->sd[i]) && c->sd[i] > 0;
        bins[i] = (metcn_purity_bin_t){b->contig,
                                       b->start,
                                       b->end,
                                       used ? c->log2[i] : NAN,
                                       used ? c->sd[i] : NAN,
                                       (c->bin_flag[i] & METCN_BIN_TARGET) != 0};
    }
    moderate_sd(bins, c->n, c->panel, pon);
    size_t m = fit_sites(sites, normal, pon, opt, ps, kept, use);
    metcn_purity_input_t in = {bins,
                               c->n,
                               m ? ps : NULL,
                               m,
                               sex,
                               contig_named(c->panel, "X"),
                               contig_named(c->panel, "Y")};
    r = metcn_purity_fit(&in, opt, out);
    if (r == 0 && m < ns && (r = unfold_sites(*out, kept, m, ns)) < 0) {
        metcn_purity_destroy(*out);
        *out = NULL;
    }
out:
    free(bins);
    free(ps);
    free(kept);
    return r;
}

/* The gap between the given purity range and the estimate's interval (0 when they meet). */
static double interval_gap(const metcn_call_t *c, const metcn_purity_t *f)
{
    if (f->purity_lo > c->purity_hi)
        return f->purity_lo - c->purity_hi;
    if (c->purity_lo > f->purity_hi)
        return c->purity_lo - f->purity_hi;
    return 0;
}

/* The estimate as the call's purity options.  A fit that cannot tell (or gives only an upper
 * bound) still has a range: the call carries all of it, its lower end floored at the grid's
 * lowest purity (a copy number per tumour cell at purity 0 is not defined). */
static void estimate_as_opt(const metcn_purity_t *f, const metcn_call_opt_t *opt,
                            metcn_call_opt_t *o)
{
    *o = *opt;
    double floor = opt->fit.purity_min > 0 ? opt->fit.purity_min : 0.01;
    double lo = fmax(f->purity_lo, floor), hi = fmin(fmax(f->purity_hi, lo), 1.0);
    double p = f->purity;
    if (f->status == METCN_PURITY_UNDETERMINED || !isfinite(p))
        p = 0.5 * (lo + hi);
    o->purity = fmin(fmax(p, lo), hi);
    o->purity_lo = lo;
    o->purity_hi = hi;
    o->purity_source = METCN_PURITY_SOURCE_ESTIMATED;
    if (isfinite(f->ploidy) && f->ploidy > 0 && f->ploidy <= 20)
        o->ploidy = f->ploidy;
}

/* The purity of the fit's doubling twin (NaN when none is listed). */
static double twin_purity(const metcn_purity_t *f)
{
    for (size_t k = 1; k < f->n_solutions; k++)
        if (f->solutions[k].twin)
            return f->solutions[k].purity;
    return NAN;
}

/* The fit's QC remarks and warnings on the call it produced or sits beside. */
static int add_fit_qc(metcn_call_t *c, const metcn_purity_t *f, const metcn_call_opt_t *opt,
                      int given)
{
    int r = 0;
    if (f->status != METCN_PURITY_ESTIMATED)
        r = metcn_call_add_qc(c, METCN_QC_PURITY_UNDETERMINED, METCN_QC_WARN,
                              f->purity_hi - f->purity_lo, NAN);
    else if (f->ambiguous)
        r = metcn_call_add_qc(c, METCN_QC_PURITY_AMBIGUOUS, METCN_QC_WARN, (double)f->flags, NAN);
    else if (f->flags & METCN_PURITY_F_TWIN) /* a remark: true of every genome without odd states */
        r = metcn_call_add_qc(c, METCN_QC_DOUBLING_UNRESOLVED, METCN_QC_PASS, twin_purity(f), NAN);
    if (!r && given && f->status == METCN_PURITY_ESTIMATED) {
        double gap = interval_gap(c, f);
        if (gap > opt->disagree_min)
            r = metcn_call_add_qc(c, METCN_QC_PURITY_DISAGREES, METCN_QC_WARN, gap,
                                  opt->disagree_min);
    }
    return r;
}

/* The other solutions of an ambiguous fit (relative likelihood >= alt_rel: another purity, a
 * doubled or halved ploidy) and the doubling twin whatever its relative likelihood (whose
 * purity also joins the call's purity range) are as possible as the chosen one: the gene's and the
 * control's copy-number intervals and the ratio interval become the hull over them, and the
 * decisions that read those intervals (equivocal, high_amp) are taken again on the hull.  The
 * points stay the chosen solution's. */
static int widen_by_solutions(metcn_call_t *c, const metcn_purity_t *f, const metcn_gene_t *gene,
                              const metcn_cnr_t *cnr, const char *sample, const metcn_call_opt_t *o)
{
    for (size_t k = 1; k < f->n_solutions; k++) {
        const metcn_purity_solution_t *sol = &f->solutions[k];
        if (!(sol->rel >= o->fit.alt_rel || sol->twin) || !(sol->ploidy > 0 && sol->ploidy <= 20) ||
            !(sol->purity > 0 && sol->purity <= 1))
            continue;
        metcn_call_opt_t oa = *o;
        oa.purity = oa.purity_lo = oa.purity_hi = sol->purity;
        oa.ploidy = sol->ploidy;
        if (sol->twin) { /* the best's interval, mapped: the twin is as uncertain */
            oa.purity_lo = fmax(metcn_purity_twin_purity(o->purity_lo, sol->wgd),
                                o->fit.purity_min > 0 ? o->fit.purity_min : 0.01);
            oa.purity_hi = fmin(metcn_purity_twin_purity(o->purity_hi, sol->wgd), 1.0);
            oa.purity_lo = fmin(oa.purity_lo, sol->purity);
            oa.purity_hi = fmax(oa.purity_hi, sol->purity);
        }
        metcn_call_t *alt = metcn_call_run(gene, cnr, sample, &oa);
        if (!alt)
            return metcn_last_error_code() ? metcn_last_error_code() : METCN_E_ARG;
        c->gene_cn.lo = fmin(c->gene_cn.lo, alt->gene_cn.lo);
        c->gene_cn.hi = fmax(c->gene_cn.hi, alt->gene_cn.hi);
        c->control_cn.lo = fmin(c->control_cn.lo, alt->control_cn.lo);
        c->control_cn.hi = fmax(c->control_cn.hi, alt->control_cn.hi);
        c->ratio_lo = fmin(c->ratio_lo, alt->ratio_lo);
        c->ratio_hi = fmax(c->ratio_hi, alt->ratio_hi);
        if (sol->twin) { /* the data cannot choose: its purity is as possible as the best's */
            c->purity_lo = fmin(c->purity_lo, oa.purity_lo);
            c->purity_hi = fmax(c->purity_hi, oa.purity_hi);
        }
        metcn_call_destroy(alt);
    }
    c->equivocal = isfinite(c->ratio) && metcn_criteria_spans(c->criteria, c->ratio_lo, c->ratio_hi,
                                                              c->gene_cn.lo, c->gene_cn.hi);
    c->high_amp = c->gene_cn.lo > o->high_amp_cn    ? METCN_HIGHAMP_YES
                  : c->gene_cn.hi <= o->high_amp_cn ? METCN_HIGHAMP_NO
                                                    : METCN_HIGHAMP_EQUIVOCAL;
    return 0;
}

metcn_call_t *metcn_call_run_fit(const metcn_gene_t *gene, const metcn_cnr_t *cnr,
                                 const metcn_sites_t *sites, const metcn_sites_t *normal, int sex,
                                 const char *sample, const metcn_call_opt_t *opt)
{
    metcn_call_t *c = metcn_call_run(gene, cnr, sample, opt), *c2 = NULL;
    metcn_purity_t *f = NULL;
    if (!c || !opt->estimate_purity)
        return c;
    metcn_pon_site_use_t use;
    int r = metcn_call_purity_fit(c, sites, normal, opt->pon_sites, sex, &opt->fit, &use, &f);
    if (r == METCN_E_TOOFEW)
        return c; /* too few bins for a fit: the call stands, without an estimate */
    if (r < 0)
        goto fail;
    if (opt->purity_source == METCN_PURITY_ASSUMED) {
        metcn_call_opt_t o;
        estimate_as_opt(f, opt, &o);
        if (!(c2 = metcn_call_run(gene, cnr, sample, &o)))
            goto fail;
        metcn_call_destroy(c);
        c = c2;
        if (f->status == METCN_PURITY_ESTIMATED &&
            (f->ambiguous || (f->flags & METCN_PURITY_F_TWIN)) &&
            widen_by_solutions(c, f, gene, cnr, sample, &o) < 0)
            goto fail;
    }
    if (add_fit_qc(c, f, opt, opt->purity_source != METCN_PURITY_ASSUMED) < 0)
        goto fail;
    c->pfit = f;
    c->sites = sites;
    c->pon_site_use = use;
    return c;
fail:
    metcn_purity_destroy(f);
    metcn_call_destroy(c);
    return NULL;
}
