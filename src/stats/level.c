/* call_stats.c -- the caller's statistics on plain arrays: Huber level with its interval,
 * copy number from a copy ratio, ratio intervals, weighted binary segmentation.
 * Formulas and their justification: docs/method.md. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "metcn/stats.h"
#include "metcn/metcn.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void level_nan(metcn_level_t *out)
{
    out->est = out->se = out->se_model = out->lo = out->hi = out->q = out->df = NAN;
    out->n = out->n_downweighted = 0;
}

int metcn_level_estimate(const double *x, const double *sd, size_t n, double huber_k, double conf,
                         metcn_level_t *out)
{
    level_nan(out);
    if (!(conf > 0 && conf < 1) || !(huber_k > 0))
        return metcn_set_error(METCN_E_ARG, "level: bad confidence %g or Huber constant %g", conf,
                               huber_k);
    size_t m = 0;
    double *xs = malloc((n ? n : 1) * sizeof *xs), *ss = malloc((n ? n : 1) * sizeof *ss);
    double *z = malloc((n ? n : 1) * sizeof *z);
    int ret = 0;
    if (!xs || !ss || !z) {
        ret = metcn_set_error(METCN_E_NOMEM, "level: out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i]) && isfinite(sd[i]) && sd[i] > 0) {
            xs[m] = x[i];
            ss[m] = sd[i];
            m++;
        }
    if (m == 0) {
        ret = METCN_E_TOOFEW;
        goto out;
    }
    double sum_w = 0;
    for (size_t i = 0; i < m; i++)
        sum_w += 1.0 / (ss[i] * ss[i]);
    double se_model = 1.0 / sqrt(sum_w);

    /* Start at the weighted median; iterate reweighted means.  The residual scale s is the
     * larger of 1 (the noise model) and the robust SD of the standardised residuals, so
     * genuine extra scatter widens the Huber band instead of down-weighting most bins. */
    double *w1 = malloc(m * sizeof *w1);
    if (!w1) {
        ret = metcn_set_error(METCN_E_NOMEM, "level: out of memory");
        goto out;
    }
    for (size_t i = 0; i < m; i++)
        w1[i] = 1.0 / (ss[i] * ss[i]);
    double mu = metcn_weighted_median(xs, w1, NULL, m);
    free(w1);
    double s = 1.0;
    int ndown = 0;
    for (int it = 0; it < 100; it++) {
        for (size_t i = 0; i < m; i++)
            z[i] = fabs(xs[i] - mu) / ss[i];
        if (m >= 3) {
            double mad = metcn_median(z, NULL, m) * 1.4826;
            s = mad > 1.0 ? mad : 1.0;
        }
        double sv = 0, svx = 0;
        ndown = 0;
        for (size_t i = 0; i < m; i++) {
            double u = fabs(xs[i] - mu) / (ss[i] * s);
            double h = u > huber_k ? huber_k / u : 1.0;
            ndown += u > huber_k;
            double v = h / (ss[i] * ss[i]);
            sv += v;
            svx += v * xs[i];
        }
        double nmu = svx / sv;
        int done = fabs(nmu - mu) < 1e-10 * (1 + fabs(mu));
        mu = nmu;
        if (done)
            break;
    }
    /* Empirical SE from the final weights' residual scatter (a sandwich form). */
    double sv = 0, sv2r2 = 0;
    for (size_t i = 0; i < m; i++) {
        double u = fabs(xs[i] - mu) / (ss[i] * s);
        double h = u > huber_k ? huber_k / u : 1.0;
        double v = h / (ss[i] * ss[i]);
        sv += v;
        sv2r2 += v * v * (xs[i] - mu) * (xs[i] - mu);
    }
    double se_emp = m >= 2 ? sqrt(sv2r2 / (sv * sv) * (double)m / (double)(m - 1)) : 0.0;
    double a = 0.5 + 0.5 * conf;
    out->est = mu;
    out->se_model = se_model;
    out->n = (int)m;
    out->n_downweighted = ndown;
    if (se_emp > se_model && m >= 2) {
        out->se = se_emp;
        out->df = (double)(m - 1);
        out->q = gsl_cdf_tdist_Pinv(a, out->df);
    } else {
        out->se = se_model;
        out->df = INFINITY;
        out->q = gsl_cdf_ugaussian_Pinv(a);
    }
    out->lo = mu - out->q * out->se;
    out->hi = mu + out->q * out->se;
out:
    free(xs);
    free(ss);
    free(z);
    return ret;
}

double metcn_cn_from_ratio(double ratio, double purity, double ploidy)
{
    double p = purity;
    return (ratio * (p * ploidy + 2.0 * (1.0 - p)) - 2.0 * (1.0 - p)) / p;
}

metcn_cn_t metcn_cn_interval(const metcn_level_t *lv, double p, double p_lo, double p_hi,
                             double ploidy)
{
    metcn_cn_t c = {NAN, NAN, NAN, 0};
    if (!isfinite(lv->est))
        return c;
    double r = exp2(lv->est), rl = exp2(lv->lo), rh = exp2(lv->hi);
    c.cn = metcn_cn_from_ratio(r, p, ploidy);
    /* C increases with R; for fixed R it is monotone in p, so the extremes over the box
     * [rl,rh] x [p_lo,p_hi] are at its corners. */
    double ps[3] = {p_lo, p, p_hi}, rs[2] = {rl, rh};
    c.lo = INFINITY;
    c.hi = -INFINITY;
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 2; j++) {
            double v = metcn_cn_from_ratio(rs[j], ps[i], ploidy);
            if (v < c.lo)
                c.lo = v;
            if (v > c.hi)
                c.hi = v;
        }
    if (c.cn < 0) {
        double d = -c.cn;
        c.cn = 0;
        c.hi += d;
        c.floored = 1;
    }
    if (c.lo < 0)
        c.lo = 0;
    if (c.hi < c.cn)
        c.hi = c.cn;
    return c;
}

void metcn_cn_ratio(const metcn_cn_t *num, const metcn_cn_t *den, double *ratio, double *lo,
                    double *hi)
{
    *ratio = *lo = *hi = NAN;
    if (!(den->cn > 0) || !isfinite(num->cn))
        return;
    double r = num->cn / den->cn;
    *ratio = r;
    /* MOVER (Zou & Donner 2008) on log C: the lower bound combines how far the numerator's
     * lower bound and the denominator's upper bound sit from their points. */
    double dl_den = den->hi > den->cn ? log(den->hi / den->cn) : 0.0;
    double du_den = den->lo > 0 ? log(den->cn / den->lo) : INFINITY;
    if (num->cn > 0) {
        double dl_num = num->lo > 0 ? log(num->cn / num->lo) : INFINITY;
        double du_num = num->hi > num->cn ? log(num->hi / num->cn) : 0.0;
        *lo = isfinite(dl_num) ? r * exp(-sqrt(dl_num * dl_num + dl_den * dl_den)) : 0.0;
        *hi = isfinite(du_den) ? r * exp(sqrt(du_num * du_num + du_den * du_den)) : INFINITY;
    } else {
        /* numerator floored at 0: no log scale; bound the ratio by the extreme quotient */
        *lo = 0.0;
        *hi = den->lo > 0 ? num->hi / den->lo : INFINITY;
    }
}

/* ---- segmentation ---------------------------------------------------------------------- */

typedef struct {
    const double *x, *w;
    double *cs, *cw; /* prefix sums of w*x and w (size n+1) */
    double thr;
    size_t *starts;
    size_t n_starts, cap;
} segctx_t;

static int push_start(segctx_t *c, size_t s)
{
    if (c->n_starts == c->cap) {
        size_t nc = c->cap ? 2 * c->cap : 16;
        size_t *t = realloc(c->starts, nc * sizeof *t);
        if (!t)
            return METCN_E_NOMEM;
        c->starts = t;
        c->cap = nc;
    }
    c->starts[c->n_starts++] = s;
    return 0;
}

/* Split [a, b) recursively; an explicit stack would also do, but depth is bounded by the
 * number of segments, which the penalty keeps small. */
static int split(segctx_t *c, size_t a, size_t b)
{
    if (b - a < 2)
        return 0;
    double sx = c->cs[b] - c->cs[a], sw = c->cw[b] - c->cw[a];
    double best = -1;
    size_t bk = 0;
    for (size_t k = a + 1; k < b; k++) {
        double lx = c->cs[k] - c->cs[a], lw = c->cw[k] - c->cw[a];
        double rx = sx - lx, rw = sw - lw;
        if (lw <= 0 || rw <= 0)
            continue;
        double d = lx / lw - rx / rw;
        double t = d * d / (1.0 / lw + 1.0 / rw);
        if (t > best) {
            best = t;
            bk = k;
        }
    }
    if (best <= c->thr)
        return 0;
    int r = split(c, a, bk);
    if (r)
        return r;
    r = push_start(c, bk);
    if (r)
        return r;
    return split(c, bk, b);
}

int metcn_segment(const double *x, const double *w, size_t n, double penalty, size_t **starts,
                  size_t *n_seg)
{
    segctx_t c = {0};
    int ret = 0;
    double *xw = malloc((n ? n : 1) * sizeof *xw);
    c.cs = calloc(n + 1, sizeof *c.cs);
    c.cw = calloc(n + 1, sizeof *c.cw);
    *starts = NULL;
    *n_seg = 0;
    if (!xw || !c.cs || !c.cw) {
        ret = metcn_set_error(METCN_E_NOMEM, "segmentation: out of memory");
        goto out;
    }
    /* Winsorise lone outliers (CBS's smoothing step): a value more than 4 SD from the median
     * of itself and its two neighbours is pulled back to 4 SD from that median, so one noisy
     * bin cannot make a segment, while two adjacent raised bins (a small amplicon on a
     * coarse tiling) keep their level. */
    for (size_t i = 0; i < n; i++) {
        xw[i] = x[i];
        if (n < 3 || i == 0 || i + 1 == n)
            continue;
        double v[3] = {x[i - 1], x[i], x[i + 1]};
        qsort(v, 3, sizeof *v, cmp_double);
        double med = v[1], sdi = 1.0 / sqrt(w[i]);
        if (x[i] > med + 4 * sdi)
            xw[i] = med + 4 * sdi;
        else if (x[i] < med - 4 * sdi)
            xw[i] = med - 4 * sdi;
    }
    for (size_t i = 0; i < n; i++) {
        c.cs[i + 1] = c.cs[i] + w[i] * xw[i];
        c.cw[i + 1] = c.cw[i] + w[i];
    }
    c.thr = penalty + 2.0 * log((double)(n > 1 ? n : 1));
    if (n > 0 && (ret = push_start(&c, 0)) != 0)
        goto out;
    if ((ret = split(&c, 0, n)) != 0) {
        metcn_set_error(METCN_E_NOMEM, "segmentation: out of memory");
        goto out;
    }
    *starts = c.starts;
    *n_seg = c.n_starts;
    c.starts = NULL;
out:
    free(xw);
    free(c.cs);
    free(c.cw);
    free(c.starts);
    return ret;
}
