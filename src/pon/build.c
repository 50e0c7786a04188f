/* build.c -- panel of normals: build (robust centre, spread, exclusions, SVD components,
 * leave-one-out QC) and the normalisation of a sample for a gene.  Method: docs/pon.md. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_multifit.h>
#include <gsl/gsl_vector.h>

#include "metcn/stats.h"
#include "metcn/util.h"
#include "pon/pon_internal.h"

/* chrX level below which a sample is called XY: halfway between 0 (XX) and -1 (XY). */
#define SEX_X_THRESHOLD (-0.5)
/* Variance floor of a bin, so a bin with a tiny PoN spread never dominates (log2^2). */
#define VAR_FLOOR 1e-4

static const char *const reason_names[METCN_PON_N_REASONS] = {
    "ok", "low_coverage", "high_spread", "no_gc", "role_other", "no_sex_centre", "sex_absent"};

const char *metcn_pon_reason_name(int reason)
{
    return reason >= 0 && reason < METCN_PON_N_REASONS ? reason_names[reason] : "unknown";
}

const char *metcn_sex_name(int sex)
{
    return sex == METCN_SEX_XX ? "XX" : sex == METCN_SEX_XY ? "XY" : "unknown";
}

void metcn_pon_opt_init(metcn_pon_opt_t *opt)
{
    opt->n_components = -1;
    opt->max_components = 5;
    opt->min_var_frac = 0.10;
    opt->min_rel_depth = 0.10;
    opt->max_spread = 0.60;
    opt->loess_span = 0.30;
    opt->gc_correct = 1;
    opt->outlier_z = 3.5;
    opt->drop_outliers = 0;
    opt->min_sex_normals = 3;
    opt->threads = 1;
    opt->sample_type = METCN_SAMPLE_TISSUE;
    opt->short_max = 150;
}

int pon_sex_kind(const metcn_panel_t *p, size_t i)
{
    char buf[64];
    const char *c = metcn_contig_canonical(p->contigs[p->bins[i].contig].name, buf, sizeof buf);
    if (strcmp(c, "X") == 0)
        return 'X';
    if (strcmp(c, "Y") == 0)
        return 'Y';
    return 0;
}

int pon_alloc_bins(metcn_pon_t *pon, size_t n)
{
    size_t m = n ? n : 1;
    pon->gc = malloc(m * sizeof(double));
    pon->rel_depth = malloc(m * sizeof(double));
    pon->centre = malloc(m * sizeof(double));
    pon->centre_xy = malloc(m * sizeof(double));
    pon->spread = malloc(m * sizeof(double));
    pon->sd = malloc(m * sizeof(double));
    pon->excluded = calloc(m, sizeof(int));
    if (!pon->gc || !pon->rel_depth || !pon->centre || !pon->centre_xy || !pon->spread ||
        !pon->sd || !pon->excluded)
        return metcn_set_error(METCN_E_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        pon->gc[i] = pon->rel_depth[i] = pon->centre[i] = pon->centre_xy[i] = pon->spread[i] =
            pon->sd[i] = NAN;
    return 0;
}

int pon_alloc_components(metcn_pon_t *pon, int k)
{
    size_t n = pon->panel->n_bins;
    free(pon->load);
    free(pon->sv);
    free(pon->var_frac);
    pon->k = k;
    pon->load = calloc((n ? n : 1) * (size_t)(k ? k : 1), sizeof(double));
    pon->sv = calloc((size_t)(k ? k : 1), sizeof(double));
    pon->var_frac = calloc((size_t)(k ? k : 1), sizeof(double));
    if (!pon->load || !pon->sv || !pon->var_frac)
        return metcn_set_error(METCN_E_NOMEM, "out of memory");
    return 0;
}

void pon_count_reasons(metcn_pon_t *pon)
{
    memset(pon->reason_counts, 0, sizeof pon->reason_counts);
    for (size_t i = 0; i < pon->panel->n_bins; i++)
        if (pon->excluded[i] >= 0 && pon->excluded[i] < METCN_PON_N_REASONS)
            pon->reason_counts[pon->excluded[i]]++;
}

void metcn_pon_destroy(metcn_pon_t *pon)
{
    if (!pon)
        return;
    if (!pon->panel_borrowed)
        metcn_panel_destroy(pon->panel);
    if (pon->names)
        for (size_t j = 0; j < pon->n_samples; j++)
            free(pon->names[j]);
    free(pon->names);
    if (pon->reasons)
        for (size_t j = 0; j < pon->n_samples; j++)
            free(pon->reasons[j]);
    free(pon->reasons);
    free(pon->samples);
    free(pon->gc);
    free(pon->rel_depth);
    free(pon->centre);
    free(pon->centre_xy);
    free(pon->spread);
    free(pon->sd);
    free(pon->excluded);
    free(pon->load);
    free(pon->sv);
    free(pon->var_frac);
    pon_frag_destroy(pon->frag);
    free(pon->command);
    free(pon->sites);
    free(pon->created);
    free(pon);
}

void metcn_cnr_destroy(metcn_cnr_t *c)
{
    if (!c)
        return;
    free(c->log2);
    free(c->depth);
    free(c->pon_sd);
    free(c->weight);
    free(c->excluded);
    free(c);
}

metcn_cnr_t *metcn_cnr_new(size_t n)
{
    metcn_cnr_t *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    size_t m = n ? n : 1;
    c->n = n;
    c->log2 = malloc(m * sizeof(double));
    c->depth = malloc(m * sizeof(double));
    c->pon_sd = malloc(m * sizeof(double));
    c->weight = malloc(m * sizeof(double));
    c->excluded = calloc(m, sizeof(int));
    if (!c->log2 || !c->depth || !c->pon_sd || !c->weight || !c->excluded) {
        metcn_cnr_destroy(c);
        return NULL;
    }
    c->normaliser = "metcn";
    c->noise_cnvkit = NAN;
    c->gc_residual = NAN;
    return c;
}

/* ---- per-sample steps shared by the build and the tumour -------------------------------- */

/* Scale and GC-correct one kind of bin (targets, or off-target bins when the panel has them):
 * the median and the curve come from that kind's scaling bins only, and are applied to that
 * kind's bins only (their capture, GC and mappability biases differ).  tmp: n scratch. */
static int scale_gc_kind(const metcn_pon_t *pon, const int *ref, int kind, const double *depth,
                         int do_gc, const double *gc_centre, double *l, double *tmp, int *mask,
                         double *scale, double *gc_strength)
{
    const metcn_panel_t *p = pon->panel;
    size_t n = p->n_bins;
    for (size_t i = 0; i < n; i++)
        mask[i] = ref[i] && p->bins[i].off_target == kind;
    int rc = metcn_norm_median_scale(depth, mask, n, scale);
    if (rc < 0)
        return rc;
    metcn_norm_log2(depth, n, *scale, tmp);
    *gc_strength = 0;
    /* against the centre: the curve holds the sample's own GC bias, not the bins' large
     * capture-efficiency spread */
    if (pon->gc_corrected && do_gc &&
        (rc = metcn_norm_gc_correct_vs(tmp, gc_centre, pon->gc, mask, n, pon->opt.loess_span,
                                       gc_strength)) < 0)
        return rc;
    for (size_t i = 0; i < n; i++)
        if (p->bins[i].off_target == kind)
            l[i] = tmp[i];
    return 0;
}

/* Scale to the median of the scaling bins (scale[i]: used autosomal bins, off the gene's
 * chromosome when a gene is called), log2, GC-correct against gc_centre (curve fitted on
 * those bins only; do_gc 0 skips it), and infer the sex from chrX.  Targets and off-target
 * bins each get their own scale and curve (scale[0], scale[1]: NaN without off-target bins);
 * gc_strength is the targets'. */
static int preprocess(const metcn_pon_t *pon, const int *excluded, const int *scale_bins,
                      const double *depth, int do_gc, const double *gc_centre, double *l,
                      double scale[2], double *gc_strength, double *x_log2, int *sex)
{
    const metcn_panel_t *p = pon->panel;
    size_t n = p->n_bins;
    int rc = 0, has_off = 0;
    int *ref = malloc((n ? n : 1) * sizeof *ref);
    int *xm = malloc((n ? n : 1) * sizeof *xm);
    int *mask = malloc((n ? n : 1) * sizeof *mask);
    double *tmp = malloc((n ? n : 1) * sizeof *tmp), off_strength;
    if (!ref || !xm || !mask || !tmp) {
        rc = metcn_set_error(METCN_E_NOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        ref[i] = scale_bins[i] && excluded[i] == METCN_PON_OK && isfinite(depth[i]);
        xm[i] = pon_sex_kind(p, i) == 'X' && !p->bins[i].off_target &&
                (excluded[i] == METCN_PON_OK || excluded[i] == METCN_PON_NO_SEX_CENTRE);
        has_off |= p->bins[i].off_target;
    }
    scale[1] = NAN;
    rc = scale_gc_kind(pon, ref, 0, depth, do_gc, gc_centre, l, tmp, mask, &scale[0], gc_strength);
    if (rc == 0 && has_off)
        rc = scale_gc_kind(pon, ref, 1, depth, do_gc, gc_centre, l, tmp, mask, &scale[1],
                           &off_strength);
    if (rc < 0)
        goto out;
    *x_log2 = metcn_median(l, xm, n);
    *sex = !isfinite(*x_log2)          ? METCN_SEX_UNKNOWN
           : *x_log2 < SEX_X_THRESHOLD ? METCN_SEX_XY
                                       : METCN_SEX_XX;
out:
    free(ref);
    free(xm);
    free(mask);
    free(tmp);
    return rc;
}

/* The bins a normalisation stands on: autosomal (stored role REFERENCE) and off contig skip,
 * the called gene's chromosome; skip -1: every autosomal bin (the normals, which are
 * diploid). */
static void free_bins_of(const metcn_panel_t *p, int skip, int *mask)
{
    for (size_t i = 0; i < p->n_bins; i++)
        mask[i] = p->bins[i].role == METCN_ROLE_REFERENCE && p->bins[i].contig != skip;
}

/* Coefficients of the k components on the fit bins (robust bisquare regression, falling back
 * to least squares), then e -= U beta on every bin with loadings.  Returns components used. */
static int remove_components(const metcn_pon_t *pon, const int *fit, double *e)
{
    size_t n = pon->panel->n_bins, m = 0;
    int k = pon->k, used = 0;
    if (k <= 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        m += fit[i] != 0;
    if (m < (size_t)k + 10)
        return 0;
    gsl_matrix *X = gsl_matrix_alloc(m, (size_t)k);
    gsl_vector *y = gsl_vector_alloc(m), *beta = gsl_vector_alloc((size_t)k);
    gsl_matrix *cov = gsl_matrix_alloc((size_t)k, (size_t)k);
    if (!X || !y || !beta || !cov)
        goto out;
    size_t r = 0;
    for (size_t i = 0; i < n; i++) {
        if (!fit[i])
            continue;
        for (int c = 0; c < k; c++)
            gsl_matrix_set(X, r, (size_t)c, pon->load[i * (size_t)k + (size_t)c]);
        gsl_vector_set(y, r, e[i]);
        r++;
    }
    /* Robust: a tumour's own copy-number changes off the gene's chromosome must not drive the
     * fit. */
    gsl_multifit_robust_workspace *rw =
        gsl_multifit_robust_alloc(gsl_multifit_robust_bisquare, m, (size_t)k);
    int st = rw ? gsl_multifit_robust(X, y, beta, cov, rw) : GSL_ENOMEM;
    gsl_multifit_robust_free(rw);
    if (st != GSL_SUCCESS && st != GSL_EMAXITER) {
        gsl_multifit_linear_workspace *lw = gsl_multifit_linear_alloc(m, (size_t)k);
        double chisq;
        st = lw ? gsl_multifit_linear(X, y, beta, cov, &chisq, lw) : GSL_ENOMEM;
        gsl_multifit_linear_free(lw);
    }
    if (st != GSL_SUCCESS && st != GSL_EMAXITER) {
        metcn_log(METCN_LOG_WARNING, "component fit failed (%s): components not removed",
                  gsl_strerror(st));
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(e[i]))
            continue;
        double s = 0;
        for (int c = 0; c < k; c++)
            s += pon->load[i * (size_t)k + (size_t)c] * gsl_vector_get(beta, (size_t)c);
        e[i] -= s;
    }
    used = k;
out:
    gsl_matrix_free(X);
    gsl_vector_free(y);
    gsl_vector_free(beta);
    gsl_matrix_free(cov);
    return used;
}

/* Normalisation step: the PoN centre off each bin (own-sex centre on X/Y), with the per-sample
 * exclusions; fit[i] marks the bins the components are fitted on. */
static void subtract_centre(const metcn_pon_t *pon, const double *depth, const int *free_bins,
                            metcn_cnr_t *c, int *fit)
{
    for (size_t i = 0; i < pon->panel->n_bins; i++) {
        int kind = pon_sex_kind(pon->panel, i), ex = pon->excluded[i];
        double centre = pon->centre[i];
        c->depth[i] = depth[i];
        if (kind && c->sex == METCN_SEX_XY)
            centre = pon->centre_xy[i];
        if (ex == METCN_PON_OK && kind == 'Y' && c->sex != METCN_SEX_XY)
            ex = METCN_PON_SEX_ABSENT;
        if (ex == METCN_PON_OK && !isfinite(centre))
            ex = METCN_PON_NO_SEX_CENTRE;
        if (ex == METCN_PON_OK && !isfinite(c->log2[i]))
            ex = METCN_PON_LOW_COVERAGE;
        c->excluded[i] = ex;
        c->log2[i] = ex == METCN_PON_OK ? c->log2[i] - centre : NAN;
        fit[i] = ex == METCN_PON_OK && free_bins[i];
    }
}

/* Normalisation step: noise (MAPD over the fit bins, relative to the PoN's) and the
 * inverse-variance weights. */
static void noise_and_weights(const metcn_pon_t *pon, const int *fit, metcn_cnr_t *c)
{
    size_t n = pon->panel->n_bins;
    c->mapd = metcn_mapd(c->log2, fit, n);
    c->noise_scale = isfinite(pon->median_mapd) && pon->median_mapd > 0 && isfinite(c->mapd)
                         ? c->mapd / pon->median_mapd
                         : 1.0;
    for (size_t i = 0; i < n; i++) {
        double sd = isfinite(pon->sd[i]) ? pon->sd[i] : pon->spread[i];
        c->pon_sd[i] = sd;
        if (c->excluded[i] != METCN_PON_OK || !isfinite(sd)) {
            c->weight[i] = 0;
            continue;
        }
        double v = sd * sd * c->noise_scale * c->noise_scale;
        c->weight[i] = 1.0 / (v > VAR_FLOOR ? v : VAR_FLOOR);
    }
}

/* What GC bias is left after the correction: a LOESS curve of the normalised log2 against GC
 * over the fit bins, and its robust SD (MAD * 1.4826, log2).  This, not the size of the
 * correction, is what can bias a call: a strong bias that the correction removed leaves none.
 * NaN when the PoN is not GC-corrected or the curve cannot be fitted. */
static double residual_gc(const metcn_pon_t *pon, const int *fit, const double *log2)
{
    size_t n = pon->panel->n_bins;
    double *curve = malloc((n ? n : 1) * sizeof *curve), res = NAN;
    int *m = malloc((n ? n : 1) * sizeof *m);
    if (!pon->gc_corrected || !curve || !m)
        goto out;
    for (size_t i = 0; i < n; i++)
        m[i] = fit[i] && isfinite(log2[i]) && isfinite(pon->gc[i]);
    if (metcn_loess(pon->gc, log2, m, n, pon->opt.loess_span, 2, curve) == 0)
        res = metcn_mad_sd(curve, m, n, NAN);
out:
    free(curve);
    free(m);
    return res;
}

/* Scale, GC, centre, components and re-centring all stand on the bins off the gene's
 * chromosome (all autosomes without a gene), so a real change there is never corrected
 * away. */
static int normalize_depth(const metcn_pon_t *pon, const double *depth, int skip, metcn_cnr_t *c)
{
    const metcn_panel_t *p = pon->panel;
    size_t n = p->n_bins;
    int rc = 0;
    int *free_bins = malloc((n ? n : 1) * sizeof *free_bins);
    int *fit = malloc((n ? n : 1) * sizeof *fit);
    if (!free_bins || !fit) {
        rc = metcn_set_error(METCN_E_NOMEM, "out of memory");
        goto out;
    }
    free_bins_of(p, skip, free_bins);
    double scale[2];
    rc = preprocess(pon, pon->excluded, free_bins, depth, 1, pon->centre, c->log2, scale,
                    &c->gc_strength, &c->x_log2, &c->sex);
    c->median_depth = scale[0];
    if (rc < 0)
        goto out;
    subtract_centre(pon, depth, free_bins, c, fit);
    c->n_components_used = remove_components(pon, fit, c->log2);
    /* each kind re-centred on its own fit bins; noise and residual GC from the targets */
    for (int kind = 0; kind <= 1; kind++) {
        for (size_t i = 0; i < n; i++)
            free_bins[i] = fit[i] && p->bins[i].off_target == kind;
        double med = metcn_median(c->log2, free_bins, n);
        if (!isfinite(med) && kind == 1)
            continue; /* no off-target bins */
        if (!isfinite(med)) {
            rc = metcn_set_error(METCN_E_TOOFEW, "no usable autosomal bin%s to centre on",
                                 skip >= 0 ? " off the gene's chromosome" : "");
            goto out;
        }
        for (size_t i = 0; i < n; i++)
            if (p->bins[i].off_target == kind)
                c->log2[i] -= med;
    }
    for (size_t i = 0; i < n; i++)
        free_bins[i] = fit[i] && !p->bins[i].off_target;
    noise_and_weights(pon, free_bins, c);
    c->gc_residual = residual_gc(pon, free_bins, c->log2);
out:
    free(free_bins);
    free(fit);
    return rc;
}

int metcn_pon_check_panel(const metcn_pon_t *pon, const metcn_panel_t *panel)
{
    char a[17];
    metcn_panel_checksum(panel, a);
    if (strcmp(a, pon->panel_checksum) != 0 || panel->n_bins != pon->panel->n_bins)
        return metcn_set_error(METCN_E_INCOMPATIBLE,
                               "panel %s (checksum %s, %zu bins) differs from the panel the PoN "
                               "was built on (%s, checksum %s, %zu bins)",
                               panel->source ? panel->source : "?", a, panel->n_bins,
                               pon->panel->source ? pon->panel->source : "?", pon->panel_checksum,
                               pon->panel->n_bins);
    return 0;
}

int metcn_pon_bin_used(const metcn_pon_t *pon, size_t i)
{
    return i < pon->panel->n_bins && pon->excluded[i] == METCN_PON_OK;
}

int metcn_pon_normalize(const metcn_pon_t *pon, const metcn_covtab_t *sample,
                        const metcn_gene_t *gene, metcn_cnr_t **out)
{
    *out = NULL;
    const char *what = sample->source ? sample->source : "sample";
    if (!sample->panel || sample->n != pon->panel->n_bins)
        return metcn_set_error(METCN_E_INCOMPATIBLE,
                               "%s: %zu bins, the PoN has %zu: not the PoN's panel", what,
                               sample->n, pon->panel->n_bins);
    if (sample->size_min != pon->size_min || sample->size_max != pon->size_max) {
        /* selected and unselected depths differ bin by bin (fragment length varies with GC
         * and capture): normalising one against the other would call the difference */
        char a[32] = "none", b[32] = "none";
        if (sample->size_max)
            snprintf(a, sizeof a, "%d-%d", sample->size_min, sample->size_max);
        if (pon->size_max)
            snprintf(b, sizeof b, "%d-%d", pon->size_min, pon->size_max);
        return metcn_set_error(METCN_E_INCOMPATIBLE,
                               "%s: counted with size selection %s, the PoN's normals with %s "
                               "(give the same --size-select to pon build and call)",
                               what, a, b);
    }
    int rc = 0;
    if (sample->panel != pon->panel)
        rc = metcn_pon_check_panel(pon, sample->panel);
    if (rc == 0 && gene && gene->panel != pon->panel && gene->panel != sample->panel)
        rc = metcn_pon_check_panel(pon, gene->panel);
    if (rc < 0)
        return rc;
    metcn_cnr_t *c = metcn_cnr_new(sample->n);
    if (!c)
        return metcn_set_error(METCN_E_NOMEM, "out of memory");
    rc = normalize_depth(pon, sample->depth, gene ? gene->contig : -1, c);
    if (rc < 0) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", metcn_last_error());
        metcn_cnr_destroy(c);
        return metcn_set_error(rc, "%s: %s", what, msg);
    }
    *out = c;
    return 0;
}

/* ---- build ---------------------------------------------------------------------------------- */

/* The normals by sex, and scratch rows, for bin_centre(). */
typedef struct {
    size_t N, nxx, nxy, min_sex;
    int *mx, *my;  /* per normal: XX (or unknown), XY */
    double *v, *r; /* scratch, N each */
} sexes_t;

/* One bin's centres (XX, XY), spread and relative depth from its row of the preprocessed
 * matrix; *no_centre when a chrY bin has too few XY normals for a centre. */
static void bin_centre(const sexes_t *S, const double *row, const double *relrow, int kind,
                       double *cxx, double *cxy, double *sp, double *rd, int *no_centre)
{
    size_t N = S->N;
    *no_centre = 0;
    *rd = metcn_median(relrow, kind == 'Y' ? S->my : NULL, N);
    if (kind == 'Y') {
        *cxx = NAN;
        *cxy = *sp = NAN;
        if (S->nxy >= S->min_sex) {
            *cxy = metcn_median(row, S->my, N);
            *sp = metcn_mad_sd(row, S->my, N, *cxy);
        } else
            *no_centre = 1;
    } else if (kind == 'X' && S->nxx >= S->min_sex && S->nxy >= S->min_sex) {
        *cxx = metcn_median(row, S->mx, N);
        *cxy = metcn_median(row, S->my, N);
        for (size_t j = 0; j < N; j++)
            S->r[j] = row[j] - (S->my[j] ? *cxy : *cxx);
        *sp = metcn_mad_sd(S->r, NULL, N, 0.0);
    } else if (kind == 'X') {
        /* Too few of one sex: pool, assuming one chrX copy in XY against two in XX. */
        for (size_t j = 0; j < N; j++)
            S->v[j] = row[j] + (S->my[j] ? 1.0 : 0.0);
        *cxx = metcn_median(S->v, NULL, N);
        *cxy = *cxx - 1.0;
        *sp = metcn_mad_sd(S->v, NULL, N, *cxx);
    } else {
        *cxx = *cxy = metcn_median(row, NULL, N);
        *sp = metcn_mad_sd(row, NULL, N, *cxx);
    }
}

/* Per-bin centre, spread and relative depth from the preprocessed matrix L (bin-major:
 * L[i * N + j]); with set_excl, exclusions for coverage and spread are (re)decided. */
static int bin_stats(metcn_pon_t *pon, const double *L, const double *rel, const int *sexes,
                     size_t N, int set_excl)
{
    const metcn_panel_t *p = pon->panel;
    const metcn_pon_opt_t *o = &pon->opt;
    sexes_t S = {N,
                 0,
                 0,
                 (size_t)o->min_sex_normals,
                 malloc(N * sizeof(int)),
                 malloc(N * sizeof(int)),
                 malloc(N * sizeof(double)),
                 malloc(N * sizeof(double))};
    int rc = S.mx && S.my && S.v && S.r ? 0 : metcn_set_error(METCN_E_NOMEM, "out of memory");
    for (size_t j = 0; rc == 0 && j < N; j++) {
        S.my[j] = sexes[j] == METCN_SEX_XY;
        S.mx[j] = !S.my[j];
        S.nxy += (size_t)S.my[j];
        S.nxx += (size_t)S.mx[j];
    }
    for (size_t i = 0; rc == 0 && i < p->n_bins; i++) {
        int ex = pon->excluded[i], no_centre;
        if (set_excl && (ex == METCN_PON_LOW_COVERAGE || ex == METCN_PON_HIGH_SPREAD ||
                         ex == METCN_PON_NO_SEX_CENTRE))
            ex = METCN_PON_OK;
        if (ex == METCN_PON_ROLE_OTHER || ex == METCN_PON_NO_GC) {
            pon->centre[i] = pon->centre_xy[i] = pon->spread[i] = pon->rel_depth[i] = NAN;
            continue;
        }
        bin_centre(&S, L + i * N, rel + i * N, pon_sex_kind(p, i), &pon->centre[i],
                   &pon->centre_xy[i], &pon->spread[i], &pon->rel_depth[i], &no_centre);
        if (!set_excl)
            continue;
        if (no_centre)
            ex = METCN_PON_NO_SEX_CENTRE;
        else if (ex == METCN_PON_OK && !(pon->rel_depth[i] >= o->min_rel_depth))
            ex = METCN_PON_LOW_COVERAGE;
        else if (ex == METCN_PON_OK && !(pon->spread[i] <= o->max_spread))
            ex = METCN_PON_HIGH_SPREAD;
        pon->excluded[i] = ex;
    }
    free(S.mx);
    free(S.my);
    free(S.v);
    free(S.r);
    return rc;
}

/* SVD of the residual matrix of used autosomal bins; keeps k components. */
static int fit_components(metcn_pon_t *pon, const double *L, size_t N)
{
    const metcn_panel_t *p = pon->panel;
    size_t n = p->n_bins, m = 0;
    int rc = 0;
    for (size_t i = 0; i < n; i++)
        m += pon->excluded[i] == METCN_PON_OK && !pon_sex_kind(p, i);
    if (pon->opt.n_components == 0 || N < 3 || m < N + 10)
        return pon_alloc_components(pon, 0);
    gsl_matrix *A = gsl_matrix_alloc(m, N), *V = gsl_matrix_alloc(N, N);
    gsl_vector *S = gsl_vector_alloc(N), *work = gsl_vector_alloc(N);
    size_t *rows = malloc(m * sizeof *rows);
    if (!A || !V || !S || !work || !rows) {
        rc = metcn_set_error(METCN_E_NOMEM, "out of memory");
        goto out;
    }
    size_t r = 0;
    for (size_t i = 0; i < n; i++) {
        if (!(pon->excluded[i] == METCN_PON_OK && !pon_sex_kind(p, i)))
            continue;
        rows[r] = i;
        for (size_t j = 0; j < N; j++)
            gsl_matrix_set(A, r, j, L[i * N + j] - pon->centre[i]);
        r++;
    }
    int st = gsl_linalg_SV_decomp(A, V, S, work);
    if (st != GSL_SUCCESS) {
        rc = metcn_set_error(METCN_E_NUMERIC, "SVD of the normals' residuals failed: %s",
                             gsl_strerror(st));
        goto out;
    }
    double total = 0;
    for (size_t j = 0; j < N; j++)
        total += gsl_vector_get(S, j) * gsl_vector_get(S, j);
    int k;
    if (pon->opt.n_components >= 0) {
        k = pon->opt.n_components;
        if ((size_t)k > N - 1)
            k = (int)(N - 1);
    } else {
        /* Keep components clearly above pure noise: for N normals of independent noise each
         * component explains about 1/N of the variance, so require twice that share (and at
         * least min_var_frac). */
        double thr = fmax(pon->opt.min_var_frac, 2.0 / (double)N);
        k = 0;
        while ((size_t)k < N - 1 && k < pon->opt.max_components && total > 0 &&
               gsl_vector_get(S, (size_t)k) * gsl_vector_get(S, (size_t)k) / total >= thr)
            k++;
    }
    rc = pon_alloc_components(pon, k);
    if (rc < 0)
        goto out;
    for (int c = 0; c < k; c++) {
        double s = gsl_vector_get(S, (size_t)c);
        pon->sv[c] = s;
        pon->var_frac[c] = total > 0 ? s * s / total : 0;
        for (size_t q = 0; q < m; q++)
            pon->load[rows[q] * (size_t)k + (size_t)c] = gsl_matrix_get(A, q, (size_t)c);
    }
out:
    gsl_matrix_free(A);
    gsl_matrix_free(V);
    gsl_vector_free(S);
    gsl_vector_free(work);
    free(rows);
    return rc;
}

/* The exclusions a bin has before any normal is seen: unused contigs, GC unknown. */
static void initial_exclusions(metcn_pon_t *pon)
{
    const metcn_panel_t *p = pon->panel;
    for (size_t i = 0; i < p->n_bins; i++) {
        pon->excluded[i] = METCN_PON_OK;
        if (p->bins[i].role == METCN_ROLE_OTHER)
            pon->excluded[i] = METCN_PON_ROLE_OTHER;
        else if (pon->gc_corrected && !isfinite(pon->gc[i]))
            pon->excluded[i] = METCN_PON_NO_GC;
    }
}

/* Centre, spread, exclusions and components from the normals listed in idx.  Pass 0: no GC
 * correction, a first centre.  Pass 1: GC-corrected against it; decides the exclusions.
 * Pass 2: GC-corrected against pass 1's centre with the exclusions; final centre and spread.
 * Every normal is scaled and GC-fitted on all its autosomal bins (normals are diploid). */
static int compute_stats(metcn_pon_t *pon, const double *const *depths, const size_t *idx, size_t N)
{
    const metcn_panel_t *p = pon->panel;
    size_t n = p->n_bins, m = n ? n : 1;
    int rc = 0;
    double *L = malloc(m * N * sizeof *L), *rel = malloc(m * N * sizeof *rel);
    double *l = malloc(m * sizeof *l), *c0 = malloc(m * sizeof *c0);
    int *sexes = malloc(N * sizeof *sexes), *autosomal = malloc(m * sizeof *autosomal);
    if (!L || !rel || !l || !c0 || !sexes || !autosomal) {
        rc = metcn_set_error(METCN_E_NOMEM, "out of memory");
        goto out;
    }
    initial_exclusions(pon);
    free_bins_of(p, -1, autosomal);
    for (int pass = 0; pass < 3 && rc == 0; pass++) {
        memcpy(c0, pon->centre, n * sizeof *c0);
        for (size_t j = 0; j < N && rc == 0; j++) {
            double scale[2], gs, xl;
            const double *d = depths[idx[j]];
            rc = preprocess(pon, pon->excluded, autosomal, d, pass > 0, c0, l, scale, &gs, &xl,
                            &sexes[j]);
            for (size_t i = 0; rc == 0 && i < n; i++) {
                L[i * N + j] = l[i];
                rel[i * N + j] = d[i] / scale[p->bins[i].off_target]; /* to its own kind */
            }
        }
        if (rc == 0)
            rc = bin_stats(pon, L, rel, sexes, N, pass == 1);
    }
    if (rc == 0)
        rc = fit_components(pon, L, N);
out:
    free(L);
    free(rel);
    free(l);
    free(c0);
    free(sexes);
    free(autosomal);
    return rc;
}

static metcn_pon_t *pon_shell(const metcn_panel_t *panel, const double *gc, int gc_corrected,
                              const metcn_pon_opt_t *opt)
{
    metcn_pon_t *pon = calloc(1, sizeof *pon);
    if (!pon) {
        metcn_set_error(METCN_E_NOMEM, "out of memory");
        return NULL;
    }
    pon->panel = (metcn_panel_t *)panel;
    pon->panel_borrowed = 1;
    pon->opt = *opt;
    metcn_pon_site_opt_init(&pon->site_opt);
    pon->gc_corrected = gc_corrected;
    pon->median_mapd = NAN;
    pon->format_version = METCN_PON_FORMAT_VERSION;
    snprintf(pon->metcn_version, sizeof pon->metcn_version, "%s", METCN_VERSION);
    metcn_panel_checksum(panel, pon->panel_checksum);
    if (pon_alloc_bins(pon, panel->n_bins) < 0 || pon_alloc_components(pon, 0) < 0) {
        metcn_pon_destroy(pon);
        return NULL;
    }
    for (size_t i = 0; i < panel->n_bins; i++)
        pon->gc[i] = gc ? gc[i] : NAN;
    return pon;
}

/* Leave-one-out: normal idx[j] against the PoN of the other active normals. */
typedef struct {
    const metcn_pon_t *proto;
    const double *const *depths;
    const size_t *idx;
    size_t N;
    double *loo; /* n_bins * N, bin-major, LOO log2 */
    metcn_pon_sample_t *qc;
} loo_job_t;

/* The held-out normal's autosomal bins as a tumour's are seen when their chromosome is the
 * called gene's: each autosome's bins from the normalisation that leaves that autosome out
 * of the scale, GC and component fits (c holds the gene-neutral normalisation, whose values
 * stay for the sex chromosomes, and for an autosome that cannot be left out).  The bins' SDs
 * (metcn_cnr_t.pon_sd, the weights) then fit a call on any gene. */
static int loo_by_contig(const metcn_pon_t *sub, const double *depth, metcn_cnr_t *c)
{
    const metcn_panel_t *p = sub->panel;
    metcn_cnr_t *k = metcn_cnr_new(p->n_bins);
    if (!k)
        return metcn_set_error(METCN_E_NOMEM, "out of memory");
    int rc = 0;
    for (size_t i = 0; i < p->n_bins && rc == 0; i++) {
        int contig = p->bins[i].contig;
        if (p->bins[i].role != METCN_ROLE_REFERENCE || (i > 0 && p->bins[i - 1].contig == contig))
            continue; /* once per autosome */
        rc = normalize_depth(sub, depth, contig, k);
        if (rc == METCN_E_TOOFEW) { /* too few bins off it: the tumour could not be called */
            rc = 0;
            continue;
        }
        for (size_t b = i; rc == 0 && b < p->n_bins && p->bins[b].contig == contig; b++)
            c->log2[b] = k->log2[b];
    }
    metcn_cnr_destroy(k);
    return rc;
}

static int loo_one(void *ctx, size_t j)
{
    loo_job_t *job = ctx;
    const metcn_pon_t *proto = job->proto;
    const metcn_panel_t *p = proto->panel;
    size_t n = p->n_bins, N = job->N;
    int rc = 0;
    metcn_cnr_t *c = NULL;
    metcn_pon_t *sub = pon_shell(p, proto->gc, proto->gc_corrected, &proto->opt);
    size_t *others = malloc(N * sizeof *others);
    if (!sub || !others || !(c = metcn_cnr_new(n))) {
        rc = metcn_set_error(METCN_E_NOMEM, "out of memory");
        goto out;
    }
    size_t q = 0;
    for (size_t t = 0; t < N; t++)
        if (t != j)
            others[q++] = job->idx[t];
    const double *depth = job->depths[job->idx[j]];
    if ((rc = compute_stats(sub, job->depths, others, q)) < 0 ||
        (rc = normalize_depth(sub, depth, -1, c)) < 0 || (rc = loo_by_contig(sub, depth, c)) < 0)
        goto out;
    double mx = 0;
    for (size_t i = 0; i < n; i++) {
        job->loo[i * N + j] = c->log2[i];
        if (c->excluded[i] == METCN_PON_OK && !pon_sex_kind(p, i) && fabs(c->log2[i]) > mx)
            mx = fabs(c->log2[i]);
    }
    metcn_pon_sample_t *s = &job->qc[job->idx[j]];
    s->mapd = c->mapd;
    s->max_abs_log2 = mx;
    s->sex = c->sex;
    s->x_log2 = c->x_log2;
    s->median_depth = c->median_depth;
    s->gc_strength = c->gc_strength;
out:
    metcn_cnr_destroy(c);
    metcn_pon_destroy(sub);
    free(others);
    return rc;
}

static void robust_z_floored(const double *x, size_t n, double *z)
{
    double med = metcn_median(x, NULL, n), s = metcn_mad_sd(x, NULL, n, med);
    double fl = 0.1 * fabs(med);
    if (!(s >= fl))
        s = fl;
    for (size_t i = 0; i < n; i++)
        z[i] = s > 0 && isfinite(x[i]) ? (x[i] - med) / s : 0;
}

/* Everything a build works on. */
typedef struct {
    metcn_pon_t *pon;
    const metcn_pon_opt_t *opt;
    size_t n_normals, N; /* recorded, active */
    const double **depths;
    size_t *idx; /* active normals */
    double *loo, *col, *z, *gc;
} build_t;

/* Build step 1: the normals are on the panel; scratch space. */
static int build_inputs(build_t *B, const metcn_panel_t *panel, metcn_covtab_t *const *normals)
{
    size_t n = panel->n_bins, m = n ? n : 1, N = B->n_normals;
    if (N < 3)
        return metcn_set_error(METCN_E_TOOFEW,
                               "%zu normal(s): a panel of normals needs at least 3 (10 or more "
                               "recommended)",
                               N);
    B->depths = calloc(N, sizeof *B->depths);
    B->idx = malloc(N * sizeof *B->idx);
    B->loo = malloc(m * N * sizeof *B->loo);
    B->col = malloc(N * sizeof *B->col);
    B->z = malloc(N * sizeof *B->z);
    B->gc = malloc(m * sizeof *B->gc);
    if (!B->depths || !B->idx || !B->loo || !B->col || !B->z || !B->gc)
        return metcn_set_error(METCN_E_NOMEM, "out of memory");
    for (size_t j = 0; j < N; j++) {
        if (normals[j]->n != n)
            return metcn_set_error(METCN_E_INCOMPATIBLE, "%s: %zu bins, the panel has %zu",
                                   normals[j]->source ? normals[j]->source : normals[j]->sample,
                                   normals[j]->n, n);
        /* normals counted with different size selections see different depth profiles
         * (short fragments are not spread like long ones): one PoN, one selection */
        if (normals[j]->size_min != normals[0]->size_min ||
            normals[j]->size_max != normals[0]->size_max)
            return metcn_set_error(
                METCN_E_INCOMPATIBLE, "%s: counted with size selection %d-%d, %s with %d-%d",
                normals[j]->source ? normals[j]->source : normals[j]->sample, normals[j]->size_min,
                normals[j]->size_max, normals[0]->source ? normals[0]->source : normals[0]->sample,
                normals[0]->size_min, normals[0]->size_max);
        B->depths[j] = normals[j]->depth;
        B->idx[j] = j;
    }
    B->N = N;
    if (N < 10)
        metcn_log(METCN_LOG_WARNING,
                  "only %zu normals: bin spreads and components are noisy and tumour "
                  "intervals will be wider; 10 or more normals are recommended",
                  N);
    return 0;
}

/* Build step 2: GC (given, else the first table that has it) and whether to correct it; the
 * PoN shell with the normals' names. */
static int build_shell(build_t *B, const metcn_panel_t *panel, metcn_covtab_t *const *normals,
                       const double *gc)
{
    size_t n = panel->n_bins, n_gc = 0;
    for (size_t i = 0; i < n; i++)
        B->gc[i] = NAN;
    if (gc)
        memcpy(B->gc, gc, n * sizeof *B->gc);
    else
        for (size_t j = 0; j < B->n_normals; j++)
            if (normals[j]->has_gc && normals[j]->gc) {
                memcpy(B->gc, normals[j]->gc, n * sizeof *B->gc);
                break;
            }
    for (size_t i = 0; i < n; i++)
        n_gc += panel->bins[i].role == METCN_ROLE_REFERENCE && isfinite(B->gc[i]);
    int gc_corrected = B->opt->gc_correct && n_gc >= 10;
    if (B->opt->gc_correct && !gc_corrected)
        metcn_log(METCN_LOG_WARNING,
                  "GC content unknown (%zu autosomal bins with GC): GC correction skipped; "
                  "give --reference FASTA to correct GC bias",
                  n_gc);
    if (!(B->pon = pon_shell(panel, B->gc, gc_corrected, B->opt)))
        return metcn_last_error_code();
    metcn_pon_t *pon = B->pon;
    pon->size_min = normals[0]->size_min;
    pon->size_max = normals[0]->size_max;
    pon->dedup = normals[0]->dedup;
    pon->samples = calloc(B->n_normals, sizeof *pon->samples);
    pon->names = calloc(B->n_normals, sizeof *pon->names);
    if (!pon->samples || !pon->names)
        return metcn_set_error(METCN_E_NOMEM, "out of memory");
    pon->n_samples = B->n_normals;
    for (size_t j = 0; j < B->n_normals; j++) {
        const char *nm = normals[j]->sample ? normals[j]->sample : "normal";
        if (!(pon->names[j] = strdup(nm)))
            return metcn_set_error(METCN_E_NOMEM, "out of memory");
        pon->samples[j].name = pon->names[j];
    }
    return 0;
}

/* Build step 3: leave-one-out QC of the active normals and their outlier flags; returns 1
 * when some normal is an outlier. */
static int build_loo(build_t *B)
{
    metcn_pon_t *pon = B->pon;
    loo_job_t job = {pon, B->depths, B->idx, B->N, B->loo, pon->samples};
    int rc = metcn_workq_run(B->N, B->opt->threads, loo_one, &job);
    if (rc < 0) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", metcn_last_error());
        return metcn_set_error(rc, "leave-one-out: %s", msg);
    }
    /* Outliers: one-sided robust z of MAPD and of max |log2| across the active normals.  The
     * scale is floored at 10% of the median, so that normals of nearly identical noise do not
     * turn a trivial difference into a large z. */
    int any = 0;
    for (size_t j = 0; j < B->N; j++)
        B->col[j] = pon->samples[B->idx[j]].mapd;
    robust_z_floored(B->col, B->N, B->z);
    for (size_t j = 0; j < B->N; j++)
        pon->samples[B->idx[j]].z_mapd = B->z[j];
    for (size_t j = 0; j < B->N; j++)
        B->col[j] = pon->samples[B->idx[j]].max_abs_log2;
    robust_z_floored(B->col, B->N, B->z);
    for (size_t j = 0; j < B->N; j++) {
        metcn_pon_sample_t *s = &pon->samples[B->idx[j]];
        s->z_max = B->z[j];
        s->outlier = s->z_mapd > B->opt->outlier_z || s->z_max > B->opt->outlier_z;
        any |= s->outlier;
    }
    return any;
}

/* Build step 4 (--drop-outliers): the outliers leave the active set. */
static int build_drop(build_t *B)
{
    size_t keep = 0;
    for (size_t j = 0; j < B->N; j++) {
        metcn_pon_sample_t *s = &B->pon->samples[B->idx[j]];
        if (s->outlier) {
            s->dropped = 1;
            metcn_log(METCN_LOG_WARNING, "normal %s dropped as an outlier", s->name);
        } else
            B->idx[keep++] = B->idx[j];
    }
    B->N = keep;
    if (keep < 3)
        return metcn_set_error(METCN_E_TOOFEW,
                               "only %zu normals left after dropping outliers: at least 3 needed",
                               keep);
    return 0;
}

/* Build step 5: the final statistics of the active normals, per-bin SDs from their
 * leave-one-out values, and a copy of the panel of its own. */
static int build_final(build_t *B, const metcn_panel_t *panel)
{
    metcn_pon_t *pon = B->pon;
    size_t n = panel->n_bins, N = B->N;
    pon->n_used = N;
    for (size_t j = 0; j < N; j++)
        B->col[j] = pon->samples[B->idx[j]].mapd;
    pon->median_mapd = metcn_median(B->col, NULL, N);
    int rc = compute_stats(pon, B->depths, B->idx, N);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        if (pon->excluded[i] != METCN_PON_OK)
            continue;
        double sd = metcn_mad_sd(B->loo + i * N, NULL, N, 0.0);
        pon->sd[i] = isfinite(sd) ? sd : pon->spread[i];
    }
    for (size_t j = 0; j < B->n_normals; j++)
        if (pon->samples[j].outlier && !pon->samples[j].dropped)
            metcn_log(METCN_LOG_WARNING,
                      "normal %s is an outlier (MAPD z %.1f, max |log2| z %.1f); rebuild with "
                      "--drop-outliers to exclude it",
                      pon->samples[j].name, pon->samples[j].z_mapd, pon->samples[j].z_max);
    pon_count_reasons(pon);
    metcn_panel_t *cp = metcn_panel_copy(panel); /* the PoN outlives the caller's panel */
    if (!cp)
        return metcn_last_error_code();
    pon->panel = cp;
    pon->panel_borrowed = 0;
    return 0;
}

metcn_pon_t *metcn_pon_build(const metcn_panel_t *panel, metcn_covtab_t *const *normals,
                             size_t n_normals, const double *gc, const metcn_pon_opt_t *opt)
{
    metcn_pon_opt_t defaults;
    if (!opt) {
        metcn_pon_opt_init(&defaults);
        opt = &defaults;
    }
    build_t B = {.opt = opt, .n_normals = n_normals};
    int rc = build_inputs(&B, panel, normals);
    if (rc == 0)
        rc = build_shell(&B, panel, normals, gc);
    for (int round = 0; rc == 0 && round < 2; round++) {
        int any = build_loo(&B);
        rc = any < 0 ? any : 0;
        if (rc < 0 || round == 1 || !opt->drop_outliers || !any)
            break;
        rc = build_drop(&B);
    }
    if (rc == 0)
        rc = build_final(&B, panel);
    if (rc == 0)
        rc = pon_frag_build(B.pon, normals, B.idx, B.N);
    if (rc < 0) {
        metcn_pon_destroy(B.pon);
        B.pon = NULL;
    }
    free(B.depths);
    free(B.idx);
    free(B.loo);
    free(B.col);
    free(B.z);
    free(B.gc);
    return B.pon;
}

int pon_set_reason(metcn_pon_t *pon, size_t j, const char *reason)
{
    if (!pon->reasons && !(pon->reasons = calloc(pon->n_samples, sizeof *pon->reasons)))
        return metcn_set_error(METCN_E_NOMEM, "out of memory");
    free(pon->reasons[j]);
    if (!(pon->reasons[j] = strdup(reason)))
        return metcn_set_error(METCN_E_NOMEM, "out of memory");
    pon->samples[j].reason = pon->reasons[j];
    return 0;
}

int metcn_pon_add_failed(metcn_pon_t *pon, const char *name, const char *reason)
{
    size_t n = pon->n_samples + 1;
    metcn_pon_sample_t *s = realloc(pon->samples, n * sizeof *s);
    if (s)
        pon->samples = s;
    char **nm = s ? realloc(pon->names, n * sizeof *nm) : NULL;
    if (nm)
        pon->names = nm;
    char **rs = nm && pon->reasons ? realloc(pon->reasons, n * sizeof *rs) : NULL;
    if (rs)
        pon->reasons = rs;
    if (!s || !nm || (pon->reasons && !rs))
        return metcn_set_error(METCN_E_NOMEM, "out of memory");
    if (!(nm[n - 1] = strdup(name && *name ? name : "normal")))
        return metcn_set_error(METCN_E_NOMEM, "out of memory");
    if (pon->reasons)
        pon->reasons[n - 1] = NULL;
    pon->n_samples = n;
    s[n - 1] = (metcn_pon_sample_t){.name = nm[n - 1],
                                    .sex = METCN_SEX_UNKNOWN,
                                    .x_log2 = NAN,
                                    .median_depth = NAN,
                                    .gc_strength = NAN,
                                    .mapd = NAN,
                                    .max_abs_log2 = NAN,
                                    .z_mapd = NAN,
                                    .z_max = NAN,
                                    .dropped = 1};
    return pon_set_reason(pon, n - 1, reason && *reason ? reason : "unknown error");
}

/* ---- accessors ------------------------------------------------------------------------------ */

const metcn_panel_t *metcn_pon_panel(const metcn_pon_t *pon)
{
    return pon->panel;
}
int metcn_pon_format_version(const metcn_pon_t *pon)
{
    return pon->format_version;
}
const char *metcn_pon_metcn_version(const metcn_pon_t *pon)
{
    return pon->metcn_version;
}
const char *metcn_pon_checksum(const metcn_pon_t *pon)
{
    return pon->checksum;
}
const char *metcn_pon_panel_checksum(const metcn_pon_t *pon)
{
    return pon->panel_checksum;
}
size_t metcn_pon_n_normals(const metcn_pon_t *pon)
{
    return pon->n_used;
}
size_t metcn_pon_n_samples(const metcn_pon_t *pon)
{
    return pon->n_samples;
}
const metcn_pon_sample_t *metcn_pon_sample(const metcn_pon_t *pon, size_t i)
{
    return i < pon->n_samples ? &pon->samples[i] : NULL;
}
int metcn_pon_n_components(const metcn_pon_t *pon)
{
    return pon->k;
}
double metcn_pon_component_var_frac(const metcn_pon_t *pon, int j)
{
    return j >= 0 && j < pon->k ? pon->var_frac[j] : NAN;
}

int metcn_pon_dedup(const metcn_pon_t *pon)
{
    return pon->dedup;
}

void metcn_pon_size_select(const metcn_pon_t *pon, int *min, int *max)
{
    *min = pon->size_min;
    *max = pon->size_max;
}
int metcn_pon_gc_corrected(const metcn_pon_t *pon)
{
    return pon->gc_corrected;
}
const metcn_pon_opt_t *metcn_pon_options(const metcn_pon_t *pon)
{
    return &pon->opt;
}
double metcn_pon_median_mapd(const metcn_pon_t *pon)
{
    return pon->median_mapd;
}
const double *metcn_pon_centre(const metcn_pon_t *pon)
{
    return pon->centre;
}
const double *metcn_pon_spread(const metcn_pon_t *pon)
{
    return pon->sd;
}
const double *metcn_pon_gc(const metcn_pon_t *pon)
{
    return pon->gc;
}
const int *metcn_pon_excluded(const metcn_pon_t *pon)
{
    return pon->excluded;
}
const size_t *metcn_pon_reason_counts(const metcn_pon_t *pon)
{
    return pon->reason_counts;
}
