/* norm.c -- robust statistics, median scaling, LOESS GC correction (see norm.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "metcn/metcn.h"
#include "metcn/stats.h"

/* Copy the finite selected entries into a fresh array; *m receives their number.  Returns
 * NULL with *m = 0 when there are none, NULL with *m = (size_t)-1 when out of memory. */
static double *gather(const double *x, const int *mask, size_t n, size_t *m)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if ((!mask || mask[i]) && isfinite(x[i]))
            k++;
    *m = k;
    if (k == 0)
        return NULL;
    double *v = malloc(k * sizeof *v);
    if (!v) {
        metcn_set_error(METCN_E_NOMEM, "out of memory");
        *m = (size_t)-1;
        return NULL;
    }
    k = 0;
    for (size_t i = 0; i < n; i++)
        if ((!mask || mask[i]) && isfinite(x[i]))
            v[k++] = x[i];
    return v;
}

double metcn_quantile(const double *x, const int *mask, size_t n, double q)
{
    size_t m;
    double *v = gather(x, mask, n, &m);
    if (!v || !(q >= 0 && q <= 1)) {
        free(v);
        return NAN;
    }
    gsl_sort(v, 1, m);
    double r = gsl_stats_quantile_from_sorted_data(v, 1, m, q);
    free(v);
    return r;
}

double metcn_median(const double *x, const int *mask, size_t n)
{
    return metcn_quantile(x, mask, n, 0.5);
}

double metcn_mad_sd(const double *x, const int *mask, size_t n, double centre)
{
    size_t m;
    double *v = gather(x, mask, n, &m);
    if (!v)
        return NAN;
    if (!isfinite(centre)) {
        gsl_sort(v, 1, m);
        centre = gsl_stats_median_from_sorted_data(v, 1, m);
    }
    for (size_t i = 0; i < m; i++)
        v[i] = fabs(v[i] - centre);
    gsl_sort(v, 1, m);
    double r = METCN_MAD_TO_SD * gsl_stats_median_from_sorted_data(v, 1, m);
    free(v);
    return r;
}

typedef struct {
    double x, w;
} xw_t;

static int cmp_xw(const void *a, const void *b)
{
    double u = ((const xw_t *)a)->x, v = ((const xw_t *)b)->x;
    return (u > v) - (u < v);
}

double metcn_weighted_median(const double *x, const double *w, const int *mask, size_t n)
{
    size_t m = 0;
    xw_t *v = malloc((n ? n : 1) * sizeof *v);
    if (!v) {
        metcn_set_error(METCN_E_NOMEM, "out of memory");
        return NAN;
    }
    double total = 0;
    for (size_t i = 0; i < n; i++) {
        if ((mask && !mask[i]) || !isfinite(x[i]) || !isfinite(w[i]) || w[i] <= 0)
            continue;
        v[m].x = x[i];
        v[m].w = w[i];
        total += w[i];
        m++;
    }
    double r = NAN;
    if (m > 0) {
        qsort(v, m, sizeof *v, cmp_xw);
        double acc = 0;
        for (size_t i = 0; i < m; i++) {
            acc += v[i].w;
            if (acc >= 0.5 * total) {
                r = v[i].x;
                break;
            }
        }
    }
    free(v);
    return r;
}

double metcn_biweight_location(const double *x, const int *mask, size_t n)
{
    size_t m;
    double *v = gather(x, mask, n, &m);
    if (!v)
        return NAN;
    gsl_sort(v, 1, m);
    double loc = gsl_stats_median_from_sorted_data(v, 1, m);
    double mad = metcn_mad_sd(v, NULL, m, loc) / METCN_MAD_TO_SD;
    if (mad > 0) {
        for (int it = 0; it < 50; it++) {
            double num = 0, den = 0;
            for (size_t i = 0; i < m; i++) {
                double u = (v[i] - loc) / (6 * mad);
                if (fabs(u) >= 1)
                    continue;
                double w = (1 - u * u) * (1 - u * u);
                num += w * (v[i] - loc);
                den += w;
            }
            if (den <= 0)
                break;
            double step = num / den;
            loc += step;
            if (fabs(step) < 1e-12 * (1 + fabs(loc)))
                break;
        }
    }
    free(v);
    return loc;
}

double metcn_biweight_scale(const double *x, const int *mask, size_t n)
{
    size_t m;
    double *v = gather(x, mask, n, &m);
    if (!v || m < 2) {
        free(v);
        return NAN;
    }
    double loc = metcn_biweight_location(v, NULL, m);
    double mad = metcn_mad_sd(v, NULL, m, loc) / METCN_MAD_TO_SD;
    double r = 0;
    if (mad > 0) {
        double num = 0, den = 0;
        for (size_t i = 0; i < m; i++) {
            double d = v[i] - loc, u = d / (9 * mad);
            if (fabs(u) >= 1)
                continue;
            double u2 = u * u;
            num += d * d * pow(1 - u2, 4);
            den += (1 - u2) * (1 - 5 * u2);
        }
        r = den != 0 ? sqrt((double)m * num) / fabs(den) : 0;
    }
    free(v);
    return r;
}

double metcn_mapd(const double *x, const int *mask, size_t n)
{
    size_t m;
    double *v = gather(x, mask, n, &m);
    if (!v || m < 2) {
        free(v);
        return NAN;
    }
    for (size_t i = 0; i + 1 < m; i++)
        v[i] = fabs(v[i + 1] - v[i]);
    gsl_sort(v, 1, m - 1);
    double r = gsl_stats_median_from_sorted_data(v, 1, m - 1);
    free(v);
    return r;
}

int metcn_robust_z(const double *x, size_t n, double *z)
{
    double med = metcn_median(x, NULL, n);
    if (!isfinite(med)) {
        for (size_t i = 0; i < n; i++)
            z[i] = NAN;
        return metcn_last_error_code() == METCN_E_NOMEM ? METCN_E_NOMEM : 0;
    }
    double s = metcn_mad_sd(x, NULL, n, med);
    if (!(s > 0)) {
        /* MAD is 0 when more than half the values tie: fall back to the mean absolute
         * deviation, scaled to an SD under normality (sqrt(pi/2)). */
        double sum = 0;
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (isfinite(x[i])) {
                sum += fabs(x[i] - med);
                m++;
            }
        s = m ? 1.2533141373155 * sum / (double)m : 0;
        if (!(s > 0))
            s = 1;
    }
    for (size_t i = 0; i < n; i++)
        z[i] = isfinite(x[i]) ? (x[i] - med) / s : NAN;
    return 0;
}

/* ---- LOESS ----------------------------------------------------------------------------------- */

typedef struct {
    double x, y, rw; /* rw: robustness weight */
} pt_t;

static int cmp_pt(const void *a, const void *b)
{
    double u = ((const pt_t *)a)->x, v = ((const pt_t *)b)->x;
    return (u > v) - (u < v);
}

/* Local linear fit at x0 over the q nearest points of the sorted array p[0..m). */
static double local_fit(const pt_t *p, size_t m, size_t q, double x0)
{
    /* First index with p.x >= x0, then grow a window of q points towards the nearer side. */
    size_t lo = 0, hi = m;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p[mid].x < x0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t a = lo, b = lo; /* window [a, b) */
    while (b - a < q) {
        if (a == 0)
            b++;
        else if (b == m)
            a--;
        else if (x0 - p[a - 1].x <= p[b].x - x0)
            a--;
        else
            b++;
    }
    double h = fmax(x0 - p[a].x, p[b - 1].x - x0);
    double sw = 0, sx = 0, sy = 0;
    for (size_t i = a; i < b; i++) {
        double u = h > 0 ? fabs(p[i].x - x0) / (h * 1.000001) : 0;
        double t = 1 - u * u * u;
        double wi = t * t * t * p[i].rw;
        sw += wi;
        sx += wi * p[i].x;
        sy += wi * p[i].y;
    }
    if (!(sw > 0)) {
        /* every neighbour down-weighted to 0: fall back to the plain mean */
        double s = 0;
        for (size_t i = a; i < b; i++)
            s += p[i].y;
        return s / (double)(b - a);
    }
    double mx = sx / sw, my = sy / sw, sxx = 0, sxy = 0;
    for (size_t i = a; i < b; i++) {
        double u = h > 0 ? fabs(p[i].x - x0) / (h * 1.000001) : 0;
        double t = 1 - u * u * u;
        double wi = t * t * t * p[i].rw;
        sxx += wi * (p[i].x - mx) * (p[i].x - mx);
        sxy += wi * (p[i].x - mx) * (p[i].y - my);
    }
    double range = p[b - 1].x - p[a].x;
    if (!(sxx > 1e-12 * sw * (range * range + 1e-300)))
        return my;
    return my + sxy / sxx * (x0 - mx);
}

/* Linear interpolation of the curve (gx[0..g), gy) at x, constant outside. */
static double interp(const double *gx, const double *gy, size_t g, double x)
{
    if (x <= gx[0])
        return gy[0];
    if (x >= gx[g - 1])
        return gy[g - 1];
    size_t lo = 0, hi = g - 1;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (gx[mid] <= x)
            lo = mid;
        else
            hi = mid;
    }
    double d = gx[hi] - gx[lo];
    return d > 0 ? gy[lo] + (gy[hi] - gy[lo]) * (x - gx[lo]) / d : gy[lo];
}

/* The curve is evaluated at up to LOESS_GRID points equally spaced in rank among the fitted
 * x and interpolated linearly in between (the role of lowess' delta): a GC curve is smooth,
 * and this keeps the fit O(grid * span * m) even for genome-wide bins. */
#define LOESS_GRID 256

int metcn_loess(const double *x, const double *y, const int *mask, size_t n, double span,
                int iterations, double *fitted)
{
    if (!(span > 0 && span <= 1) || iterations < 0)
        return metcn_set_error(METCN_E_ARG, "LOESS span %g must be in (0,1]", span);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if ((!mask || mask[i]) && isfinite(x[i]) && isfinite(y[i]))
            m++;
    if (m < 5)
        return metcn_set_error(METCN_E_TOOFEW, "LOESS needs at least 5 points, got %zu", m);
    int rc = 0;
    pt_t *p = malloc(m * sizeof *p);
    double *gx = malloc(LOESS_GRID * sizeof *gx), *gy = malloc(LOESS_GRID * sizeof *gy);
    double *res = calloc(m, sizeof *res);
    if (!p || !gx || !gy || !res) {
        rc = metcn_set_error(METCN_E_NOMEM, "out of memory");
        goto out;
    }
    m = 0;
    for (size_t i = 0; i < n; i++)
        if ((!mask || mask[i]) && isfinite(x[i]) && isfinite(y[i])) {
            p[m].x = x[i];
            p[m].y = y[i];
            p[m].rw = 1;
            m++;
        }
    qsort(p, m, sizeof *p, cmp_pt);
    size_t q = (size_t)ceil(span * (double)m);
    if (q < 3)
        q = 3;
    if (q > m)
        q = m;
    size_t g = m < LOESS_GRID ? m : LOESS_GRID;
    for (int it = 0;; it++) {
        for (size_t k = 0; k < g; k++) {
            size_t idx = g > 1 ? (size_t)llround((double)k * (double)(m - 1) / (double)(g - 1)) : 0;
            gx[k] = p[idx].x;
            gy[k] = local_fit(p, m, q, gx[k]);
        }
        if (it == iterations)
            break;
        for (size_t i = 0; i < m; i++)
            res[i] = fabs(p[i].y - interp(gx, gy, g, p[i].x));
        double s = metcn_median(res, NULL, m);
        if (!(s > 0))
            break;
        for (size_t i = 0; i < m; i++) {
            double u = res[i] / (6 * s);
            p[i].rw = u < 1 ? (1 - u * u) * (1 - u * u) : 0;
        }
    }
    for (size_t i = 0; i < n; i++)
        fitted[i] = isfinite(x[i]) ? interp(gx, gy, g, x[i]) : NAN;
out:
    free(p);
    free(gx);
    free(gy);
    free(res);
    return rc;
}

int metcn_norm_median_scale(const double *depth, const int *mask, size_t n, double *scale)
{
    double med = metcn_median(depth, mask, n);
    if (!(isfinite(med) && med > 0))
        return metcn_set_error(METCN_E_RANGE,
                               "median depth of the reference bins is %g: no coverage to scale to",
                               isfinite(med) ? med : 0.0);
    *scale = med;
    return 0;
}

void metcn_norm_log2(const double *depth, size_t n, double scale, double *log2v)
{
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(depth[i])) {
            log2v[i] = NAN;
            continue;
        }
        double r = depth[i] / scale;
        double l = r > 0 ? log2(r) : METCN_LOG2_FLOOR;
        log2v[i] = l < METCN_LOG2_FLOOR ? METCN_LOG2_FLOOR : l;
    }
}

int metcn_norm_gc_correct(double *log2v, const double *gc, const int *fit_mask, size_t n,
                          double span, double *strength)
{
    return metcn_norm_gc_correct_vs(log2v, NULL, gc, fit_mask, n, span, strength);
}

int metcn_norm_gc_correct_vs(double *log2v, const double *centre, const double *gc,
                             const int *fit_mask, size_t n, double span, double *strength)
{
    int rc = 0;
    int *m = malloc((n ? n : 1) * sizeof *m);
    double *fit = malloc((n ? n : 1) * sizeof *fit), *y = malloc((n ? n : 1) * sizeof *y);
    if (strength)
        *strength = 0;
    if (!m || !fit || !y) {
        rc = metcn_set_error(METCN_E_NOMEM, "out of memory");
        goto out;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        y[i] = centre ? log2v[i] - centre[i] : log2v[i];
        m[i] = (!fit_mask || fit_mask[i]) && isfinite(gc[i]) && isfinite(y[i]);
        k += (size_t)m[i];
    }
    if (k < 10) {
        rc = metcn_set_error(METCN_E_TOOFEW,
                             "only %zu reference bins with known GC: GC correction needs 10", k);
        goto out;
    }
    /* Fitting on the reference bins only: a real gain on the target gene must never shape
     * the curve that is then subtracted from it. */
    rc = metcn_loess(gc, y, m, n, span, 3, fit);
    if (rc < 0)
        goto out;
    if (strength)
        *strength = metcn_mad_sd(fit, m, n, NAN);
    for (size_t i = 0; i < n; i++)
        if (isfinite(gc[i]) && isfinite(log2v[i]) && isfinite(fit[i]))
            log2v[i] -= fit[i];
out:
    free(m);
    free(fit);
    free(y);
    return rc;
}
