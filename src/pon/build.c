/* pon.c -- panel of normals: build (robust centre, spread, exclusions, SVD components,
 * leave-one-out QC) and the tumour-side normalisation.  Method: docs/pon.md. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_multifit.h>
#include <gsl/gsl_vector.h>

#include "metcn/stats.h"
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
    free(pon->command);
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

static metcn_cnr_t *cnr_new(size_t n)
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
    return c;
}

/* ---- per-sample steps shared by the build and the tumour -------------------------------- */

/* GC correction against a centre: the curve is fitted (on the reference bins) to the
 * sample's deviation from the centre, l - centre, not to l itself.  Fitting raw log2 would
 * let the large bin-to-bin capture-efficiency variation leak into the curve; the deviation
 * holds only the sample's own GC bias and noise.  The curve is then subtracted from every bin
 * with known GC. */
static int gc_correct_vs(double *l, const double *centre, const double *gc, const int *ref,
                         size_t n, double span, double *strength)
{
    int rc = 0;
    double *y = malloc((n ? n : 1) * sizeof *y), *fit = malloc((n ? n : 1) * sizeof *fit);
    if (!y || !fit) {
        rc = metcn_set_error(METCN_E_NOMEM, "out of memory");
        goto out;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        y[i] = centre ? l[i] - centre[i] : l[i];
        k += ref[i] && isfinite(y[i]) && isfinite(gc[i]);
    }
    if (k < 10) {
        rc = metcn_set_error(METCN_E_TOOFEW,
                             "only %zu reference bins with known GC: GC correction needs 10", k);
        goto out;
    }
    rc = metcn_loess(gc, y, ref, n, span, 3, fit);
    if (rc < 0)
        goto out;
    *strength = metcn_mad_sd(fit, ref, n, NAN);
    for (size_t i = 0; i < n; i++)
        if (isfinite(fit[i]) && isfinite(l[i]))
            l[i] -= fit[i];
out:
    free(y);
    free(fit);
    return rc;
}

/* Scale to the median of the used reference bins, log2, GC-correct against gc_centre
 * (curve fitted on those bins only; do_gc 0 skips it), and infer the sex from chrX. */
static int preprocess(const metcn_pon_t *pon, const int *excluded, const double *depth, int do_gc,
                      const double *gc_centre, double *l, double *scale, double *gc_strength,
                      double *x_log2, int *sex)
{
    const metcn_panel_t *p = pon->panel;
    size_t n = p->n_bins;
    int rc = 0;
    int *ref = malloc((n ? n : 1) * sizeof *ref);
    int *xm = malloc((n ? n : 1) * sizeof *xm);
    if (!ref || !xm) {
        rc = metcn_set_error(METCN_E_NOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        ref[i] = p->bins[i].role == METCN_ROLE_REFERENCE && excluded[i] == METCN_PON_OK &&
                 isfinite(depth[i]);
        xm[i] = pon_sex_kind(p, i) == 'X' &&
                (excluded[i] == METCN_PON_OK || excluded[i] == METCN_PON_NO_SEX_CENTRE);
    }
    rc = metcn_norm_median_scale(depth, ref, n, scale);
    if (rc < 0)
        goto out;
    metcn_norm_log2(depth, n, *scale, l);
    *gc_strength = 0;
    if (pon->gc_corrected && do_gc) {
        rc = gc_correct_vs(l, gc_centre, pon->gc, ref, n, pon->opt.loess_span, gc_strength);
        if (rc < 0)
            goto out;
    }
    *x_log2 = metcn_median(l, xm, n);
    *sex = !isfinite(*x_log2)          ? METCN_SEX_UNKNOWN
           : *x_log2 < SEX_X_THRESHOLD ? METCN_SEX_XY
                                       : METCN_SEX_XX;
out:
    free(ref);
    free(xm);
    return rc;
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
    /* Robust: a tumour's own copy-number changes off the target chromosome must not drive
     * the fit. */
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

static int normalize_depth(const metcn_pon_t *pon, const double *depth, metcn_cnr_t *c)
{
    const metcn_panel_t *p = pon->panel;
    size_t n = p->n_bins;
    int rc = 0;
    double scale;
    int *ref = malloc((n ? n : 1) * sizeof *ref), *fit = malloc((n ? n : 1) * sizeof *fit);
    if (!ref || !fit) {
        rc = metcn_set_error(METCN_E_NOMEM, "out of memory");
        goto out;
    }
    rc = preprocess(pon, pon->excluded, depth, 1, pon->centre, c->log2, &scale, &c->gc_strength,
                    &c->x_log2, &c->sex);
    if (rc < 0)
        goto out;
    c->median_depth = scale;
    for (size_t i = 0; i < n; i++) {
        int kind = pon_sex_kind(p, i), ex = pon->excluded[i];
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
        /* Components are fitted off the target gene's chromosome, so a real focal gain or a
         * polysomy there is never projected away. */
        fit[i] = ex == METCN_PON_OK && !kind && p->bins[i].contig != p->target_contig;
        ref[i] = ex == METCN_PON_OK && p->bins[i].role == METCN_ROLE_REFERENCE;
    }
    c->n_components_used = remove_components(pon, fit, c->log2);
    double med = metcn_median(c->log2, ref, n);
    if (!isfinite(med)) {
        rc = metcn_set_error(METCN_E_TOOFEW, "no usable reference bin to centre on");
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        c->log2[i] -= med;
    c->mapd = metcn_mapd(c->log2, ref, n);
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
out:
    free(ref);
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

int metcn_pon_normalize(const metcn_pon_t *pon, const metcn_covtab_t *sample, metcn_cnr_t **out)
{
    *out = NULL;
    if (!sample->panel || sample->n != pon->panel->n_bins)
        return metcn_set_error(
            METCN_E_INCOMPATIBLE, "%s: %zu bins, the PoN has %zu: not the PoN's panel",
            sample->source ? sample->source : "sample", sample->n, pon->panel->n_bins);
    if (sample->panel != pon->panel) {
        int rc = metcn_pon_check_panel(pon, sample->panel);
        if (rc < 0)
            return rc;
    }
    metcn_cnr_t *c = cnr_new(sample->n);
    if (!c)
        return metcn_set_error(METCN_E_NOMEM, "out of memory");
    int rc = normalize_depth(pon, sample->depth, c);
    if (rc < 0) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", metcn_last_error());
        metcn_cnr_destroy(c);
        return metcn_set_error(rc, "%s: %s", sample->source ? sample->source : "sample", msg);
    }
    *out = c;
    return 0;
}

/* ---- build ---------------------------------------------------------------------------------- */

/* Per-bin centre, spread and relative depth from the preprocessed matrix L (bin-major:
 * L[i * N + j]); with set_excl, exclusions for coverage and spread are (re)decided. */
static int bin_stats(metcn_pon_t *pon, const double *L, const double *rel, const int *sexes,
                     size_t N, int set_excl)
{
    const metcn_panel_t *p = pon->panel;
    size_t n = p->n_bins;
    const metcn_pon_opt_t *o = &pon->opt;
    double *v = malloc(N * sizeof *v), *r = malloc(N * sizeof *r);
    int *mx = malloc(N * sizeof *mx), *my = malloc(N * sizeof *my);
    if (!v || !r || !mx || !my) {
        free(v);
        free(r);
        free(mx);
        free(my);
        return metcn_set_error(METCN_E_NOMEM, "out of memory");
    }
    size_t nxx = 0, nxy = 0;
    for (size_t j = 0; j < N; j++) {
        my[j] = sexes[j] == METCN_SEX_XY;
        mx[j] = !my[j];
        nxy += (size_t)my[j];
        nxx += (size_t)mx[j];
    }
    int min_sex = o->min_sex_normals;
    for (size_t i = 0; i < n; i++) {
        int ex = pon->excluded[i];
        if (set_excl && (ex == METCN_PON_LOW_COVERAGE || ex == METCN_PON_HIGH_SPREAD ||
                         ex == METCN_PON_NO_SEX_CENTRE))
            ex = METCN_PON_OK;
        if (ex == METCN_PON_ROLE_OTHER || ex == METCN_PON_NO_GC) {
            pon->centre[i] = pon->centre_xy[i] = pon->spread[i] = pon->rel_depth[i] = NAN;
            continue;
        }
        const double *row = L + i * N;
        int kind = pon_sex_kind(p, i);
        double cxx, cxy, sp, rd;
        if (kind == 'Y') {
            rd = metcn_median(rel + i * N, my, N);
            if (nxy >= (size_t)min_sex) {
                cxy = metcn_median(row, my, N);
                sp = metcn_mad_sd(row, my, N, cxy);
            } else {
                cxy = sp = NAN;
                if (set_excl)
                    ex = METCN_PON_NO_SEX_CENTRE;
            }
            cxx = NAN;
        } else if (kind == 'X' && nxx >= (size_t)min_sex && nxy >= (size_t)min_sex) {
            rd = metcn_median(rel + i * N, NULL, N);
            cxx = metcn_median(row, mx, N);
            cxy = metcn_median(row, my, N);
            for (size_t j = 0; j < N; j++)
                r[j] = row[j] - (my[j] ? cxy : cxx);
            sp = metcn_mad_sd(r, NULL, N, 0.0);
        } else if (kind == 'X') {
            /* Too few of one sex: pool, assuming one chrX copy in XY against two in XX. */
            rd = metcn_median(rel + i * N, NULL, N);
            for (size_t j = 0; j < N; j++)
                v[j] = row[j] + (my[j] ? 1.0 : 0.0);
            cxx = metcn_median(v, NULL, N);
            cxy = cxx - 1.0;
            sp = metcn_mad_sd(v, NULL, N, cxx);
        } else {
            rd = metcn_median(rel + i * N, NULL, N);
            cxx = cxy = metcn_median(row, NULL, N);
            sp = metcn_mad_sd(row, NULL, N, cxx);
        }
        pon->centre[i] = cxx;
        pon->centre_xy[i] = cxy;
        pon->spread[i] = sp;
        pon->rel_depth[i] = rd;
        if (set_excl && ex == METCN_PON_OK) {
            if (!(rd >= o->min_rel_depth))
                ex = METCN_PON_LOW_COVERAGE;
            else if (!(sp <= o->max_spread))
                ex = METCN_PON_HIGH_SPREAD;
        }
        if (set_excl)
            pon->excluded[i] = ex;
    }
    free(v);
    free(r);
    free(mx);
    free(my);
    return 0;
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

/* Centre, spread, exclusions and components from the normals listed in idx (two passes:
 * the first decides exclusions, the second preprocesses with them). */
static int compute_stats(metcn_pon_t *pon, const double *const *depths, const size_t *idx, size_t N)
{
    const metcn_panel_t *p = pon->panel;
    size_t n = p->n_bins;
    int rc = 0;
    double *L = malloc((n ? n : 1) * N * sizeof *L), *rel = malloc((n ? n : 1) * N * sizeof *rel);
    double *l = malloc((n ? n : 1) * sizeof *l);
    int *sexes = malloc(N * sizeof *sexes);
    if (!L || !rel || !l || !sexes) {
        rc = metcn_set_error(METCN_E_NOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        pon->excluded[i] = METCN_PON_OK;
        if (p->bins[i].role == METCN_ROLE_OTHER)
            pon->excluded[i] = METCN_PON_ROLE_OTHER;
        else if (pon->gc_corrected && !isfinite(pon->gc[i]))
            pon->excluded[i] = METCN_PON_NO_GC;
    }
    /* Pass 0: no GC correction, a first centre.  Pass 1: GC-corrected against it; decides
     * the exclusions.  Pass 2: GC-corrected against pass 1's centre with the exclusions;
     * final centre and spread. */
    double *c0 = malloc((n ? n : 1) * sizeof *c0);
    if (!c0) {
        rc = metcn_set_error(METCN_E_NOMEM, "out of memory");
        goto out;
    }
    for (int pass = 0; pass < 3; pass++) {
        memcpy(c0, pon->centre, n * sizeof *c0);
        for (size_t j = 0; j < N; j++) {
            double scale, gs, xl;
            const double *d = depths[idx[j]];
            rc = preprocess(pon, pon->excluded, d, pass > 0, c0, l, &scale, &gs, &xl, &sexes[j]);
            if (rc < 0)
                break;
            for (size_t i = 0; i < n; i++) {
                L[i * N + j] = l[i];
                rel[i * N + j] = d[i] / scale;
            }
        }
        if (rc >= 0)
            rc = bin_stats(pon, L, rel, sexes, N, pass == 1);
        if (rc < 0)
            break;
    }
    free(c0);
    if (rc < 0)
        goto out;
    rc = fit_components(pon, L, N);
out:
    free(L);
    free(rel);
    free(l);
    free(sexes);
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

/* Leave-one-out job: normal idx[j] against the PoN of the other active normals. */
typedef struct {
    const metcn_pon_t *proto;
    const double *const *depths;
    const size_t *idx;
    size_t N;
    double *loo; /* n_bins * N, bin-major, LOO log2 */
    metcn_pon_sample_t *qc;
    size_t next;
    pthread_mutex_t lock;
    int rc;
    char err[512];
} loo_job_t;

static int loo_one(loo_job_t *job, size_t j)
{
    const metcn_pon_t *proto = job->proto;
    const metcn_panel_t *p = proto->panel;
    size_t n = p->n_bins, N = job->N;
    int rc = 0;
    metcn_cnr_t *c = NULL;
    metcn_pon_t *sub = pon_shell(p, proto->gc, proto->gc_corrected, &proto->opt);
    size_t *others = malloc(N * sizeof *others);
    if (!sub || !others) {
        rc = metcn_set_error(METCN_E_NOMEM, "out of memory");
        goto out;
    }
    size_t q = 0;
    for (size_t t = 0; t < N; t++)
        if (t != j)
            others[q++] = job->idx[t];
    rc = compute_stats(sub, job->depths, others, q);
    if (rc < 0)
        goto out;
    c = cnr_new(n);
    if (!c) {
        rc = metcn_set_error(METCN_E_NOMEM, "out of memory");
        goto out;
    }
    rc = normalize_depth(sub, job->depths[job->idx[j]], c);
    if (rc < 0)
        goto out;
    int *tm = malloc((n ? n : 1) * sizeof *tm);
    if (!tm) {
        rc = metcn_set_error(METCN_E_NOMEM, "out of memory");
        goto out;
    }
    double mx = 0;
    for (size_t i = 0; i < n; i++) {
        job->loo[i * N + j] = c->log2[i];
        tm[i] = p->bins[i].role == METCN_ROLE_TARGET && c->excluded[i] == METCN_PON_OK;
        if (c->excluded[i] == METCN_PON_OK && !pon_sex_kind(p, i) && fabs(c->log2[i]) > mx)
            mx = fabs(c->log2[i]);
    }
    metcn_pon_sample_t *s = &job->qc[job->idx[j]];
    s->mapd = c->mapd;
    s->target_log2 = metcn_median(c->log2, tm, n);
    s->max_abs_log2 = mx;
    s->sex = c->sex;
    s->x_log2 = c->x_log2;
    s->median_depth = c->median_depth;
    s->gc_strength = c->gc_strength;
    free(tm);
out:
    metcn_cnr_destroy(c);
    metcn_pon_destroy(sub);
    free(others);
    return rc;
}

static void *loo_worker(void *arg)
{
    loo_job_t *job = arg;
    for (;;) {
        pthread_mutex_lock(&job->lock);
        size_t j = job->next++;
        int stop = job->rc < 0;
        pthread_mutex_unlock(&job->lock);
        if (stop || j >= job->N)
            break;
        int rc = loo_one(job, j);
        if (rc < 0) {
            pthread_mutex_lock(&job->lock);
            if (job->rc == 0) {
                job->rc = rc;
                snprintf(job->err, sizeof job->err, "%s", metcn_last_error());
            }
            pthread_mutex_unlock(&job->lock);
        }
    }
    return NULL;
}

static int run_loo(loo_job_t *job, int threads)
{
    job->next = 0;
    job->rc = 0;
    pthread_mutex_init(&job->lock, NULL);
    if (threads < 1)
        threads = 1;
    if ((size_t)threads > job->N)
        threads = (int)job->N;
    pthread_t *tid = calloc((size_t)threads, sizeof *tid);
    int started = 0;
    for (int t = 1; tid && t < threads; t++) {
        if (pthread_create(&tid[t], NULL, loo_worker, job) != 0)
            break;
        started = t;
    }
    loo_worker(job);
    for (int t = 1; t <= started; t++)
        pthread_join(tid[t], NULL);
    free(tid);
    pthread_mutex_destroy(&job->lock);
    if (job->rc < 0)
        return metcn_set_error(job->rc, "leave-one-out: %s", job->err);
    return 0;
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

metcn_pon_t *metcn_pon_build(const metcn_panel_t *panel, metcn_covtab_t *const *normals,
                             size_t n_normals, const double *gc, const metcn_pon_opt_t *opt)
{
    metcn_pon_opt_t defaults;
    if (!opt) {
        metcn_pon_opt_init(&defaults);
        opt = &defaults;
    }
    if (n_normals < 3) {
        metcn_set_error(METCN_E_TOOFEW,
                        "%zu normal(s): a panel of normals needs at least 3 (10 or more "
                        "recommended)",
                        n_normals);
        return NULL;
    }
    size_t n = panel->n_bins;
    metcn_pon_t *pon = NULL;
    const double **depths = calloc(n_normals, sizeof *depths);
    size_t *idx = malloc(n_normals * sizeof *idx);
    double *loo = malloc((n ? n : 1) * n_normals * sizeof *loo);
    double *col = malloc(n_normals * sizeof *col), *z = malloc(n_normals * sizeof *z);
    double *gcv = malloc((n ? n : 1) * sizeof *gcv);
    if (!depths || !idx || !loo || !col || !z || !gcv) {
        metcn_set_error(METCN_E_NOMEM, "out of memory");
        goto fail;
    }
    for (size_t j = 0; j < n_normals; j++) {
        if (normals[j]->n != n) {
            metcn_set_error(METCN_E_INCOMPATIBLE, "%s: %zu bins, the panel has %zu",
                            normals[j]->source ? normals[j]->source : normals[j]->sample,
                            normals[j]->n, n);
            goto fail;
        }
        depths[j] = normals[j]->depth;
    }
    /* GC: given, else the first table that has it. */
    size_t n_gc = 0;
    for (size_t i = 0; i < n; i++)
        gcv[i] = NAN;
    if (gc)
        memcpy(gcv, gc, n * sizeof *gcv);
    else
        for (size_t j = 0; j < n_normals; j++)
            if (normals[j]->has_gc && normals[j]->gc) {
                memcpy(gcv, normals[j]->gc, n * sizeof *gcv);
                break;
            }
    for (size_t i = 0; i < n; i++)
        n_gc += panel->bins[i].role == METCN_ROLE_REFERENCE && isfinite(gcv[i]);
    int gc_corrected = opt->gc_correct && n_gc >= 10;
    if (opt->gc_correct && !gc_corrected)
        metcn_log(METCN_LOG_WARNING,
                  "GC content unknown (%zu reference bins with GC): GC correction skipped; "
                  "give --reference FASTA to correct GC bias",
                  n_gc);
    if (n_normals < 10)
        metcn_log(METCN_LOG_WARNING,
                  "only %zu normals: bin spreads and components are noisy and tumour "
                  "intervals will be wider; 10 or more normals are recommended",
                  n_normals);

    pon = pon_shell(panel, gcv, gc_corrected, opt);
    if (!pon)
        goto fail;
    pon->samples = calloc(n_normals, sizeof *pon->samples);
    pon->names = calloc(n_normals, sizeof *pon->names);
    if (!pon->samples || !pon->names) {
        metcn_set_error(METCN_E_NOMEM, "out of memory");
        goto fail;
    }
    pon->n_samples = n_normals;
    for (size_t j = 0; j < n_normals; j++) {
        const char *nm = normals[j]->sample ? normals[j]->sample : "normal";
        pon->names[j] = strdup(nm);
        if (!pon->names[j]) {
            metcn_set_error(METCN_E_NOMEM, "out of memory");
            goto fail;
        }
        pon->samples[j].name = pon->names[j];
    }
    size_t N = n_normals;
    for (size_t j = 0; j < N; j++)
        idx[j] = j;
    for (int round = 0; round < 2; round++) {
        loo_job_t job = {
            .proto = pon, .depths = depths, .idx = idx, .N = N, .loo = loo, .qc = pon->samples};
        if (run_loo(&job, opt->threads) < 0)
            goto fail;
        /* Outliers: one-sided robust z of MAPD and of max |log2| across the active normals.
         * The scale is floored at 10% of the median, so that normals of nearly identical
         * noise do not turn a trivial difference into a large z. */
        int any = 0;
        for (size_t j = 0; j < N; j++)
            col[j] = pon->samples[idx[j]].mapd;
        robust_z_floored(col, N, z);
        for (size_t j = 0; j < N; j++)
            pon->samples[idx[j]].z_mapd = z[j];
        for (size_t j = 0; j < N; j++)
            col[j] = pon->samples[idx[j]].max_abs_log2;
        robust_z_floored(col, N, z);
        for (size_t j = 0; j < N; j++) {
            metcn_pon_sample_t *s = &pon->samples[idx[j]];
            s->z_max = z[j];
            s->outlier = s->z_mapd > opt->outlier_z || s->z_max > opt->outlier_z;
            any |= s->outlier;
        }
        if (round == 1 || !opt->drop_outliers || !any)
            break;
        size_t keep = 0;
        for (size_t j = 0; j < N; j++) {
            metcn_pon_sample_t *s = &pon->samples[idx[j]];
            if (s->outlier) {
                s->dropped = 1;
                metcn_log(METCN_LOG_WARNING, "normal %s dropped as an outlier", s->name);
            } else
                idx[keep++] = idx[j];
        }
        N = keep;
        if (N < 3) {
            metcn_set_error(METCN_E_TOOFEW,
                            "only %zu normals left after dropping outliers: at least 3 needed", N);
            goto fail;
        }
    }
    pon->n_used = N;
    for (size_t j = 0; j < N; j++)
        col[j] = pon->samples[idx[j]].mapd;
    pon->median_mapd = metcn_median(col, NULL, N);
    if (compute_stats(pon, depths, idx, N) < 0)
        goto fail;
    for (size_t i = 0; i < n; i++) {
        if (pon->excluded[i] != METCN_PON_OK)
            continue;
        double sd = metcn_mad_sd(loo + i * N, NULL, N, 0.0);
        pon->sd[i] = isfinite(sd) ? sd : pon->spread[i];
    }
    for (size_t j = 0; j < n_normals; j++)
        if (pon->samples[j].outlier && !pon->samples[j].dropped)
            metcn_log(METCN_LOG_WARNING,
                      "normal %s is an outlier (MAPD z %.1f, max |log2| z %.1f); rebuild with "
                      "--drop-outliers to exclude it",
                      pon->samples[j].name, pon->samples[j].z_mapd, pon->samples[j].z_max);
    pon_count_reasons(pon);
    /* Own a copy of the panel: the PoN outlives the caller's. */
    {
        metcn_panel_t *cp = calloc(1, sizeof *cp);
        if (!cp) {
            metcn_set_error(METCN_E_NOMEM, "out of memory");
            goto fail;
        }
        *cp = *panel;
        cp->contigs = calloc((size_t)panel->n_contigs + 1, sizeof *cp->contigs);
        cp->bins = calloc(n + 1, sizeof *cp->bins);
        cp->source = panel->source ? strdup(panel->source) : NULL;
        cp->gene = panel->gene ? strdup(panel->gene) : NULL;
        int bad = !cp->contigs || !cp->bins || (panel->source && !cp->source) ||
                  (panel->gene && !cp->gene);
        for (int c = 0; !bad && c < panel->n_contigs; c++) {
            cp->contigs[c] = panel->contigs[c];
            cp->contigs[c].name = strdup(panel->contigs[c].name);
            bad = !cp->contigs[c].name;
        }
        for (size_t i = 0; !bad && i < n; i++) {
            cp->bins[i] = panel->bins[i];
            cp->bins[i].name = panel->bins[i].name ? strdup(panel->bins[i].name) : NULL;
            bad = panel->bins[i].name && !cp->bins[i].name;
        }
        if (bad) {
            metcn_panel_destroy(cp);
            metcn_set_error(METCN_E_NOMEM, "out of memory");
            goto fail;
        }
        pon->panel = cp;
        pon->panel_borrowed = 0;
    }
    free(depths);
    free(idx);
    free(loo);
    free(col);
    free(z);
    free(gcv);
    return pon;
fail:
    metcn_pon_destroy(pon);
    free(depths);
    free(idx);
    free(loo);
    free(col);
    free(z);
    free(gcv);
    return NULL;
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

int metcn_pon_check_header(const metcn_pon_t *pon, const sam_hdr_t *hdr, const char *what)
{
    const metcn_panel_t *p = pon->panel;
    size_t *used = calloc((size_t)p->n_contigs + 1, sizeof *used);
    if (!used)
        return metcn_set_error(METCN_E_NOMEM, "out of memory");
    int rc = 0;
    for (size_t i = 0; i < p->n_bins; i++)
        if (pon->excluded[i] == METCN_PON_OK)
            used[p->bins[i].contig]++;
    for (int c = 0; c < p->n_contigs && rc == 0; c++) {
        if (!used[c] && c != p->target_contig)
            continue;
        const char *name = p->contigs[c].name;
        int tid = metcn_contig_tid(hdr, name);
        if (tid < 0) {
            rc = metcn_set_error(METCN_E_INCOMPATIBLE,
                                 "%s: contig %s (%zu PoN bins) is not in the header: the PoN "
                                 "was built on another reference (%s)",
                                 what, name, used[c], p->build[0] ? p->build : "build unknown");
            break;
        }
        int64_t len = (int64_t)sam_hdr_tid2len(hdr, tid);
        if (p->contigs[c].length > 0 && len > 0 && len != p->contigs[c].length)
            rc = metcn_set_error(METCN_E_INCOMPATIBLE,
                                 "%s: %s length %lld differs from the PoN's %lld: the PoN was "
                                 "built on another reference build%s%s%s",
                                 what, name, (long long)len, (long long)p->contigs[c].length,
                                 p->build[0] ? " (PoN: " : "", p->build, p->build[0] ? ")" : "");
    }
    free(used);
    return rc;
}
