/* concord_stats.c -- the statistics of NGS-vs-FISH concordance: exact binomial intervals,
 * (weighted) kappa, correlations, Bland-Altman, ROC. Formulas are in docs/concordance.md. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "metcn/stats.h"
#include "metcn/metcn.h"

metcn_stat_t metcn_stat_undefined(const char *note)
{
    metcn_stat_t s;
    s.estimate = s.ci_low = s.ci_high = s.se = NAN;
    s.n = 0;
    s.note = note;
    return s;
}

/* Two-sided normal quantile for a confidence level (1.959964 for 0.95). */
static double z_of(double level)
{
    return gsl_cdf_ugaussian_Pinv(0.5 + level / 2);
}

/* The p with I_p(a, b) = target, I the regularised incomplete beta (monotone in p).  GSL's
 * gsl_cdf_beta_Pinv fails to converge for some skewed shapes (e.g. a = 16, b = 785 at 0.025,
 * the lower bound of 16 events in 800); bisection on the CDF, which is reliable there, is the
 * fallback. */
static double beta_quantile(double target, double a, double b)
{
    double q = gsl_cdf_beta_Pinv(target, a, b);
    if (isfinite(q))
        return q;
    double lo = 0, hi = 1;
    for (int it = 0; it < 200 && hi - lo > 1e-15; it++) {
        double mid = 0.5 * (lo + hi), v = gsl_cdf_beta_P(mid, a, b);
        if (!isfinite(v))
            return NAN;
        if (v < target)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

int metcn_clopper_pearson(int64_t x, int64_t n, double level, double *lo, double *hi)
{
    *lo = *hi = NAN;
    if (n <= 0 || x < 0 || x > n || !(level > 0 && level < 1))
        return metcn_set_error(METCN_E_ARG, "Clopper-Pearson: x=%lld n=%lld level=%g", (long long)x,
                               (long long)n, level);
    double a = 1 - level;
    /* At x = 0 the lower bound is exactly 0 and at x = n the upper bound exactly 1; the beta
     * quantile with a zero shape parameter is undefined, so these are set, not computed. */
    double l = x == 0 ? 0 : beta_quantile(a / 2, (double)x, (double)(n - x + 1));
    double h = x == n ? 1 : beta_quantile(1 - a / 2, (double)(x + 1), (double)(n - x));
    if (!isfinite(l) || !isfinite(h))
        return metcn_set_error(METCN_E_NUMERIC,
                               "Clopper-Pearson: beta quantile failed (x=%lld, "
                               "n=%lld)",
                               (long long)x, (long long)n);
    *lo = l;
    *hi = h;
    return 0;
}

metcn_stat_t metcn_stat_proportion(int64_t x, int64_t n, double level, const char *undefined_note)
{
    if (n <= 0)
        return metcn_stat_undefined(undefined_note);
    metcn_stat_t s = metcn_stat_undefined(NULL);
    s.n = n;
    s.estimate = (double)x / (double)n;
    if (metcn_clopper_pearson(x, n, level, &s.ci_low, &s.ci_high) != 0)
        s.note = "exact interval could not be computed";
    return s;
}

static double kappa_weight(int i, int j, int k, metcn_kappa_weights_t w)
{
    if (w == METCN_KAPPA_UNWEIGHTED || k < 2)
        return i == j;
    double d = fabs((double)(i - j)) / (double)(k - 1);
    return w == METCN_KAPPA_LINEAR ? 1 - d : 1 - d * d;
}

metcn_stat_t metcn_kappa(const int64_t *m, int k, metcn_kappa_weights_t weights, double level)
{
    if (k < 1 || k > 64)
        return metcn_stat_undefined("invalid number of categories");
    double n = 0;
    for (int i = 0; i < k * k; i++)
        n += (double)m[i];
    if (n <= 0)
        return metcn_stat_undefined("no samples in the table");
    double row[64] = {0}, col[64] = {0};
    for (int i = 0; i < k; i++)
        for (int j = 0; j < k; j++) {
            row[i] += (double)m[i * k + j] / n;
            col[j] += (double)m[i * k + j] / n;
        }
    double po = 0, pe = 0;
    for (int i = 0; i < k; i++)
        for (int j = 0; j < k; j++) {
            double w = kappa_weight(i, j, k, weights);
            po += w * (double)m[i * k + j] / n;
            pe += w * row[i] * col[j];
        }
    if (1 - pe < 1e-12)
        return metcn_stat_undefined("chance agreement is 1 (both sides put every sample in the "
                                    "same single category): kappa is undefined");
    metcn_stat_t s = metcn_stat_undefined(NULL);
    s.n = (int64_t)n;
    int row_used = 0, col_used = 0;
    for (int i = 0; i < k; i++) {
        row_used += row[i] > 0;
        col_used += col[i] > 0;
    }
    if (row_used == 1 || col_used == 1) {
        /* One side put every sample in one category (e.g. FISH never positive): then
         * p_o = p_e whatever the other side says, so kappa is 0 by construction and the
         * large-sample variance is 0 too.  An interval of zero width would claim a certainty
         * the data do not give: none is reported. */
        s.estimate = 0;
        s.note = "one side put every sample in one category (e.g. never positive): kappa is 0 "
                 "by construction and has no interval";
        return s;
    }
    double kap = (po - pe) / (1 - pe);
    s.estimate = kap;
    if (1 - po < 1e-12) {
        /* Perfect agreement: the large-sample SE is 0.  The lower bound comes instead from
         * the exact (Clopper-Pearson) upper limit d of the disagreement rate, 0 of n: with
         * weights <= 1, p_o >= 1 - d, so kappa >= 1 - d / (1 - p_e) at the observed p_e. */
        double d = 1 - pow((1 - level) / 2, 1 / n);
        s.se = 0;
        s.ci_low = fmax(-1, 1 - d / (1 - pe));
        s.ci_high = 1;
        s.note = "perfect agreement: the large-sample SE is 0; the lower bound is from the "
                 "exact upper limit of the disagreement rate (0 of n)";
        return s;
    }
    /* Fleiss, Cohen & Everitt (1969) large-sample variance, not assuming kappa = 0. */
    double wrow[64] = {0}, wcol[64] = {0};
    for (int i = 0; i < k; i++)
        for (int j = 0; j < k; j++) {
            double w = kappa_weight(i, j, k, weights);
            wrow[i] += col[j] * w;
            wcol[j] += row[i] * w;
        }
    double sum = 0;
    for (int i = 0; i < k; i++)
        for (int j = 0; j < k; j++) {
            double t = kappa_weight(i, j, k, weights) - (wrow[i] + wcol[j]) * (1 - kap);
            sum += (double)m[i * k + j] / n * t * t;
        }
    double u = kap - pe * (1 - kap);
    double var = (sum - u * u) / (n * (1 - pe) * (1 - pe));
    if (var < 0) /* rounding when the true value is 0 */
        var = 0;
    s.se = sqrt(var);
    if (!(s.se > 0)) {
        s.note = "large-sample SE is 0: no interval";
        return s;
    }
    double z = z_of(level);
    s.ci_low = fmax(-1, kap - z * s.se);
    s.ci_high = fmin(1, kap + z * s.se);
    if (n < 30)
        s.note = "fewer than 30 samples: the large-sample interval is approximate";
    return s;
}

/* Pairs where both values are finite, copied out. Returns the count. */
static size_t finite_pairs(const double *x, const double *y, size_t n, double *ox, double *oy)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i]) && isfinite(y[i])) {
            ox[m] = x[i];
            oy[m] = y[i];
            m++;
        }
    return m;
}

static metcn_stat_t pearson_core(const double *x, const double *y, size_t n, double level,
                                 double z_var_factor)
{
    if (n < 2)
        return metcn_stat_undefined("fewer than 2 pairs with both values");
    double mx = 0, my = 0;
    for (size_t i = 0; i < n; i++) {
        mx += x[i];
        my += y[i];
    }
    mx /= (double)n;
    my /= (double)n;
    double sxx = 0, syy = 0, sxy = 0;
    for (size_t i = 0; i < n; i++) {
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
        sxy += (x[i] - mx) * (y[i] - my);
    }
    if (!(sxx > 0) || !(syy > 0))
        return metcn_stat_undefined("one side is constant: correlation is undefined");
    metcn_stat_t s = metcn_stat_undefined(NULL);
    s.n = (int64_t)n;
    double r = sxy / sqrt(sxx * syy);
    r = fmax(-1, fmin(1, r));
    s.estimate = r;
    if (n <= 3) {
        s.note = "interval needs more than 3 pairs (Fisher z)";
        return s;
    }
    if (fabs(r) >= 1) {
        s.ci_low = s.ci_high = r;
        s.note = "perfect correlation: the Fisher z interval is degenerate";
        return s;
    }
    double z = atanh(r), se = sqrt(z_var_factor / (double)(n - 3)), q = z_of(level);
    s.ci_low = tanh(z - q * se);
    s.ci_high = tanh(z + q * se);
    return s;
}

metcn_stat_t metcn_corr_pearson(const double *x, const double *y, size_t n, double level)
{
    double *a = malloc((n + 1) * sizeof *a), *b = malloc((n + 1) * sizeof *b);
    metcn_stat_t s;
    if (!a || !b)
        s = metcn_stat_undefined("out of memory");
    else
        s = pearson_core(a, b, finite_pairs(x, y, n, a, b), level, 1.0);
    free(a);
    free(b);
    return s;
}

typedef struct {
    double v;
    size_t i;
} ranked_t;

static int cmp_ranked(const void *pa, const void *pb)
{
    const ranked_t *a = pa, *b = pb;
    if (a->v < b->v)
        return -1;
    if (a->v > b->v)
        return 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

/* Mid-ranks (1-based, ties get the mean of their ranks) of v[0..n). */
static int midranks(const double *v, size_t n, double *rank)
{
    ranked_t *r = malloc((n + 1) * sizeof *r);
    if (!r)
        return METCN_E_NOMEM;
    for (size_t i = 0; i < n; i++) {
        r[i].v = v[i];
        r[i].i = i;
    }
    qsort(r, n, sizeof *r, cmp_ranked);
    for (size_t a = 0; a < n;) {
        size_t b = a;
        while (b + 1 < n && r[b + 1].v == r[a].v)
            b++;
        double mid = ((double)a + (double)b) / 2 + 1;
        for (size_t t = a; t <= b; t++)
            rank[r[t].i] = mid;
        a = b + 1;
    }
    free(r);
    return 0;
}

metcn_stat_t metcn_corr_spearman(const double *x, const double *y, size_t n, double level)
{
    double *a = malloc((n + 1) * sizeof *a), *b = malloc((n + 1) * sizeof *b);
    double *ra = malloc((n + 1) * sizeof *ra), *rb = malloc((n + 1) * sizeof *rb);
    metcn_stat_t s;
    if (!a || !b || !ra || !rb) {
        s = metcn_stat_undefined("out of memory");
        goto out;
    }
    size_t m = finite_pairs(x, y, n, a, b);
    if (midranks(a, m, ra) != 0 || midranks(b, m, rb) != 0) {
        s = metcn_stat_undefined("out of memory");
        goto out;
    }
    /* Fieller, Hartley & Pearson (1957): var(atanh r_s) ~ 1.06 / (n - 3). */
    s = pearson_core(ra, rb, m, level, 1.06);
out:
    free(a);
    free(b);
    free(ra);
    free(rb);
    return s;
}

void metcn_bland_altman(const double *d, size_t n, double level, metcn_bland_altman_t *out)
{
    const char *few = "fewer than 2 samples with both ratios > 0";
    out->bias = out->sd = out->loa_low = out->loa_high = metcn_stat_undefined(few);
    size_t m = 0;
    double mean = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(d[i])) {
            m++;
            mean += d[i];
        }
    if (m < 2)
        return;
    mean /= (double)m;
    double ss = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(d[i]))
            ss += (d[i] - mean) * (d[i] - mean);
    double sd = sqrt(ss / (double)(m - 1)), a = 1 - level;
    double t = gsl_cdf_tdist_Pinv(1 - a / 2, (double)(m - 1)), z = z_of(level);
    metcn_stat_t s = metcn_stat_undefined(NULL);
    s.n = (int64_t)m;
    out->bias = s;
    out->bias.estimate = mean;
    out->bias.se = sd / sqrt((double)m);
    out->bias.ci_low = mean - t * out->bias.se;
    out->bias.ci_high = mean + t * out->bias.se;
    out->sd = s;
    out->sd.estimate = sd;
    /* chi-square interval for a normal SD */
    double c_hi = gsl_cdf_chisq_Pinv(1 - a / 2, (double)(m - 1));
    double c_lo = gsl_cdf_chisq_Pinv(a / 2, (double)(m - 1));
    out->sd.ci_low = sd * sqrt((double)(m - 1) / c_hi);
    out->sd.ci_high = c_lo > 0 ? sd * sqrt((double)(m - 1) / c_lo) : NAN;
    double se_loa = sd * sqrt(3.0 / (double)m);
    out->loa_low = out->loa_high = s;
    out->loa_low.estimate = mean - z * sd;
    out->loa_high.estimate = mean + z * sd;
    out->loa_low.se = out->loa_high.se = se_loa;
    out->loa_low.ci_low = out->loa_low.estimate - t * se_loa;
    out->loa_low.ci_high = out->loa_low.estimate + t * se_loa;
    out->loa_high.ci_low = out->loa_high.estimate - t * se_loa;
    out->loa_high.ci_high = out->loa_high.estimate + t * se_loa;
}

void metcn_roc_free(metcn_roc_t *r)
{
    if (!r)
        return;
    free(r->points);
    r->points = NULL;
    r->n_points = 0;
}

int metcn_roc(const double *score, const int *positive, size_t n, double level, metcn_roc_t *out)
{
    memset(out, 0, sizeof *out);
    out->auc = out->youden = metcn_stat_undefined(NULL);
    out->youden_j = out->youden_sensitivity = out->youden_specificity = NAN;
    ranked_t *r = malloc((n + 1) * sizeof *r);
    double *all = malloc((n + 1) * sizeof *all), *rk = malloc((n + 1) * sizeof *rk);
    double *pos = malloc((n + 1) * sizeof *pos), *neg = malloc((n + 1) * sizeof *neg);
    double *rpos = malloc((n + 1) * sizeof *rpos), *rneg = malloc((n + 1) * sizeof *rneg);
    int ret = 0;
    if (!r || !all || !rk || !pos || !neg || !rpos || !rneg) {
        ret = metcn_set_error(METCN_E_NOMEM, "ROC: out of memory");
        goto out;
    }
    size_t m = 0, n1 = 0, n0 = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(score[i]) || positive[i] < 0)
            continue;
        r[m].v = score[i];
        r[m].i = positive[i] != 0;
        all[m] = score[i];
        if (positive[i])
            pos[n1++] = score[i];
        else
            neg[n0++] = score[i];
        m++;
    }
    out->n_pos = n1;
    out->n_neg = n0;
    if (n1 == 0 || n0 == 0) {
        const char *why = n1 == 0 ? "no FISH-amplified samples with a score: ROC undefined"
                                  : "no FISH-negative samples with a score: ROC undefined";
        out->auc = out->youden = metcn_stat_undefined(why);
        goto out;
    }
    if (midranks(all, m, rk) || midranks(pos, n1, rpos) || midranks(neg, n0, rneg)) {
        ret = metcn_set_error(METCN_E_NOMEM, "ROC: out of memory");
        goto out;
    }
    /* AUC = P(score_pos > score_neg) + P(tie)/2 from the rank sum of the positives; DeLong's
     * placement values come from the same ranks: for a positive, (rank among all - rank among
     * positives) counts the negatives below it (ties 1/2). */
    double rsum = 0;
    size_t ip = 0, in = 0;
    double *v10 = pos, *v01 = neg; /* reuse: overwrite with placement values */
    for (size_t t = 0; t < m; t++) {
        if (r[t].i) {
            rsum += rk[t];
            v10[ip] = (rk[t] - rpos[ip]) / (double)n0;
            ip++;
        } else {
            v01[in] = 1 - (rk[t] - rneg[in]) / (double)n1;
            in++;
        }
    }
    double auc = (rsum - (double)n1 * ((double)n1 + 1) / 2) / ((double)n1 * (double)n0);
    out->auc.estimate = auc;
    out->auc.n = (int64_t)m;
    if (n1 < 2 || n0 < 2) {
        out->auc.note = "DeLong interval needs at least 2 samples in each FISH class";
    } else {
        double s10 = 0, s01 = 0;
        for (size_t i = 0; i < n1; i++)
            s10 += (v10[i] - auc) * (v10[i] - auc);
        for (size_t j = 0; j < n0; j++)
            s01 += (v01[j] - auc) * (v01[j] - auc);
        s10 /= (double)(n1 - 1);
        s01 /= (double)(n0 - 1);
        out->auc.se = sqrt(s10 / (double)n1 + s01 / (double)n0);
        double z = z_of(level);
        out->auc.ci_low = fmax(0, auc - z * out->auc.se);
        out->auc.ci_high = fmin(1, auc + z * out->auc.se);
        if (out->auc.se == 0)
            out->auc.note = "complete separation: DeLong SE is 0, the interval is degenerate";
    }

    /* ROC points: lower the cut-off through the distinct scores from the top. */
    qsort(r, m, sizeof *r, cmp_ranked);
    out->points = malloc((m + 2) * sizeof *out->points);
    if (!out->points) {
        ret = metcn_set_error(METCN_E_NOMEM, "ROC: out of memory");
        goto out;
    }
    out->points[0] = (metcn_roc_point_t){INFINITY, 0, 0};
    out->n_points = 1;
    size_t tp = 0, fp = 0;
    double best = -2;
    for (size_t b = m; b > 0;) {
        size_t a = b - 1;
        while (a > 0 && r[a - 1].v == r[b - 1].v)
            a--;
        for (size_t t = a; t < b; t++) {
            if (r[t].i)
                tp++;
            else
                fp++;
        }
        double sens = (double)tp / (double)n1, spec = 1 - (double)fp / (double)n0;
        out->points[out->n_points++] = (metcn_roc_point_t){r[a].v, 1 - spec, sens};
        /* >= so that, scanning downwards, ties in J settle on the smallest cut-off */
        if (sens + spec - 1 >= best - 1e-12) {
            best = sens + spec - 1;
            out->youden.estimate = r[a].v;
            out->youden_j = best;
            out->youden_sensitivity = sens;
            out->youden_specificity = spec;
        }
        b = a;
    }
    out->youden.n = (int64_t)m;
out:
    free(r);
    free(all);
    free(rk);
    free(pos);
    free(neg);
    free(rpos);
    free(rneg);
    return ret;
}
