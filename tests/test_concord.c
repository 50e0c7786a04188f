/* test_concord.c -- NGS-vs-FISH concordance statistics, each checked against hand-computed
 * values and an independent second computation; the table readers, matching and writers. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_statistics_double.h>

#include "metcn/concord.h"
#include "metcn/metcn.h"

/* ---- Clopper-Pearson ---------------------------------------------------------------------- */

static const struct {
    int64_t x, n;
    double lo, hi;
    const char *why;
} cp_cases[] = {
    /* closed forms at the edges: (a/2)^(1/n) */
    {0, 10, 0.0, 0.30849710781876083, "x=0: upper = 1 - 0.025^(1/10)"},
    {10, 10, 0.69150289218123917, 1.0, "x=n: lower = 0.025^(1/10)"},
    {0, 1, 0.0, 0.975, "x=0,n=1: upper = 0.975"},
    {1, 1, 0.025, 1.0, "x=n=1: lower = 0.025"},
    /* n = 2, x = 1: 1 - (1-p)^2 = a/2 -> lower 1 - sqrt(0.975), upper sqrt(0.975) */
    {1, 2, 0.012579117, 0.987420883, "1/2"},
    {5, 10, 0.18708602844, 0.81291397156, "5/10 (textbook value 0.1871-0.8129)"},
};

START_TEST(test_clopper_pearson_values)
{
    double lo, hi;
    ck_assert_int_eq(metcn_clopper_pearson(cp_cases[_i].x, cp_cases[_i].n, 0.95, &lo, &hi), 0);
    double tol = 1e-8;
    ck_assert_msg(fabs(lo - cp_cases[_i].lo) < tol, "%s: lo %.10f", cp_cases[_i].why, lo);
    ck_assert_msg(fabs(hi - cp_cases[_i].hi) < tol, "%s: hi %.10f", cp_cases[_i].why, hi);
}
END_TEST

/* The defining property, by a second route (binomial tails): P(X >= x | lo) = a/2 and
 * P(X <= x | hi) = a/2. */
START_TEST(test_clopper_pearson_tails)
{
    for (unsigned n = 1; n <= 40; n += 3)
        for (unsigned x = 0; x <= n; x++) {
            double lo, hi;
            ck_assert_int_eq(metcn_clopper_pearson(x, n, 0.95, &lo, &hi), 0);
            ck_assert(lo <= (double)x / n && (double)x / n <= hi);
            if (x > 0)
                ck_assert_msg(fabs(gsl_cdf_binomial_Q(x - 1, lo, n) - 0.025) < 1e-7,
                              "x=%u n=%u lower tail", x, n);
            else
                ck_assert(lo == 0);
            if (x < n)
                ck_assert_msg(fabs(gsl_cdf_binomial_P(x, hi, n) - 0.025) < 1e-7,
                              "x=%u n=%u upper tail", x, n);
            else
                ck_assert(hi == 1);
        }
    double lo, hi;
    ck_assert_int_eq(metcn_clopper_pearson(0, 0, 0.95, &lo, &hi), METCN_E_ARG);
    ck_assert(isnan(lo) && isnan(hi));
    ck_assert_int_eq(metcn_clopper_pearson(5, 4, 0.95, &lo, &hi), METCN_E_ARG);
    metcn_stat_t s = metcn_stat_proportion(0, 0, 0.95, "nothing");
    ck_assert(isnan(s.estimate) && isnan(s.ci_low));
    ck_assert_str_eq(s.note, "nothing");
}
END_TEST

/* ---- kappa --------------------------------------------------------------------------------- */

/* kappa as a function of cell proportions (normalised inside), the route for the delta
 * method below. */
static double kappa_of(const double *p, int k, metcn_kappa_weights_t wt)
{
    double tot = 0, r[8] = {0}, c[8] = {0}, po = 0, pe = 0;
    for (int i = 0; i < k * k; i++)
        tot += p[i];
    for (int i = 0; i < k; i++)
        for (int j = 0; j < k; j++) {
            r[i] += p[i * k + j] / tot;
            c[j] += p[i * k + j] / tot;
        }
    for (int i = 0; i < k; i++)
        for (int j = 0; j < k; j++) {
            double d = fabs((double)(i - j)) / (k - 1);
            double w = wt == METCN_KAPPA_UNWEIGHTED ? (i == j)
                       : wt == METCN_KAPPA_LINEAR   ? 1 - d
                                                    : 1 - d * d;
            po += w * p[i * k + j] / tot;
            pe += w * r[i] * c[j];
        }
    return (po - pe) / (1 - pe);
}

/* Multinomial delta method with a numerical gradient: var = (sum p g^2 - (sum p g)^2) / n. */
static double kappa_se_delta(const int64_t *m, int k, metcn_kappa_weights_t wt)
{
    double p[64], n = 0, g[64];
    for (int i = 0; i < k * k; i++)
        n += (double)m[i];
    for (int i = 0; i < k * k; i++)
        p[i] = (double)m[i] / n;
    for (int i = 0; i < k * k; i++) {
        double h = 1e-6, save = p[i];
        p[i] = save + h;
        double up = kappa_of(p, k, wt);
        p[i] = save - h;
        double dn = kappa_of(p, k, wt);
        p[i] = save;
        g[i] = (up - dn) / (2 * h);
    }
    double a = 0, b = 0;
    for (int i = 0; i < k * k; i++) {
        a += p[i] * g[i] * g[i];
        b += p[i] * g[i];
    }
    return sqrt((a - b * b) / n);
}

START_TEST(test_kappa_2x2_hand)
{
    /* rows NGS (neg, pos), cols FISH (neg, pos): TN=20 FN=5 FP=10 TP=15, n=50.
     * po = 35/50 = 0.7; pe = (25*30 + 25*20)/2500 = 0.5; kappa = 0.2/0.5 = 0.4 */
    int64_t m[4] = {20, 5, 10, 15};
    metcn_stat_t k = metcn_kappa(m, 2, METCN_KAPPA_UNWEIGHTED, 0.95);
    ck_assert_double_eq_tol(k.estimate, 0.4, 1e-12);
    ck_assert_int_eq(k.n, 50);
    /* FCE SE by hand: p = (.4 .1 / .2 .3), rows .5 .5, cols .6 .4, (1-k) = .6
     * diag: .4(1-(.5+.6).6)^2 + .3(1-(.5+.4).6)^2 = .4*.1156 + .3*.2116 = .10972
     * off: .36*[.1(.6+.5)^2... ] computed as sum p_ij (p_.i + p_j.)^2 (1-k)^2:
     *   (0,1): .1*(c0 + r1)^2 = .1*(1.1)^2=.121 ; (1,0): .2*(c1 + r0)^2 = .2*(.9)^2=.162
     *   -> .36*.283 = .10188 ; (k - pe(1-k))^2 = (.4-.3)^2 = .01
     * var = (.10972 + .10188 - .01)/(50*.25) = .2016/12.5 = .016128 */
    ck_assert_double_eq_tol(k.se, sqrt(0.016128), 1e-12);
    ck_assert_double_eq_tol(k.se, kappa_se_delta(m, 2, METCN_KAPPA_UNWEIGHTED), 1e-6);
    double z = gsl_cdf_ugaussian_Pinv(0.975);
    ck_assert_double_eq_tol(k.ci_low, 0.4 - z * k.se, 1e-12);
    ck_assert_double_eq_tol(k.ci_high, 0.4 + z * k.se, 1e-12);
}
END_TEST

START_TEST(test_kappa_weighted)
{
    /* 4x4 tier table; the weighted kappa by Cohen's (1968) disagreement form
     * 1 - sum v o / sum v e, v = 1 - w, as a second route; SE by the delta method. */
    int64_t m[16] = {12, 3, 1, 0, 2, 6, 2, 0, 1, 2, 9, 3, 0, 0, 2, 7};
    for (int wt = 0; wt <= 2; wt++) {
        metcn_stat_t k = metcn_kappa(m, 4, (metcn_kappa_weights_t)wt, 0.95);
        double n = 0, r[4] = {0}, c[4] = {0};
        for (int i = 0; i < 16; i++)
            n += (double)m[i];
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++) {
                r[i] += (double)m[i * 4 + j];
                c[j] += (double)m[i * 4 + j];
            }
        double so = 0, se = 0;
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++) {
                double d = abs(i - j) / 3.0;
                double v = wt == 0 ? (i != j) : wt == 1 ? d : d * d;
                so += v * (double)m[i * 4 + j];
                se += v * r[i] * c[j] / n;
            }
        ck_assert_msg(fabs(k.estimate - (1 - so / se)) < 1e-12, "weights %d: %g vs %g", wt,
                      k.estimate, 1 - so / se);
        ck_assert_msg(fabs(k.se - kappa_se_delta(m, 4, (metcn_kappa_weights_t)wt)) < 1e-6,
                      "weights %d: se %g vs delta %g", wt, k.se,
                      kappa_se_delta(m, 4, (metcn_kappa_weights_t)wt));
    }
    /* agreement weighting orders the estimates for a table with near-misses */
    metcn_stat_t k0 = metcn_kappa(m, 4, METCN_KAPPA_UNWEIGHTED, 0.95);
    metcn_stat_t k1 = metcn_kappa(m, 4, METCN_KAPPA_LINEAR, 0.95);
    metcn_stat_t k2 = metcn_kappa(m, 4, METCN_KAPPA_QUADRATIC, 0.95);
    ck_assert(k0.estimate < k1.estimate && k1.estimate < k2.estimate);
}
END_TEST

START_TEST(test_kappa_degenerate)
{
    /* all in one category on both sides: pe = 1, undefined with a note */
    int64_t all_pos[4] = {0, 0, 0, 12};
    metcn_stat_t k = metcn_kappa(all_pos, 2, METCN_KAPPA_UNWEIGHTED, 0.95);
    ck_assert(isnan(k.estimate) && isnan(k.se) && isnan(k.ci_low));
    ck_assert_ptr_nonnull(k.note);
    ck_assert_ptr_nonnull(strstr(k.note, "undefined"));
    int64_t empty[4] = {0, 0, 0, 0};
    ck_assert(isnan(metcn_kappa(empty, 2, METCN_KAPPA_UNWEIGHTED, 0.95).estimate));
    /* perfect agreement with both classes: kappa 1, SE 0, degenerate interval noted */
    int64_t perfect[4] = {7, 0, 0, 5};
    k = metcn_kappa(perfect, 2, METCN_KAPPA_UNWEIGHTED, 0.95);
    ck_assert_double_eq_tol(k.estimate, 1, 1e-12);
    ck_assert_double_eq_tol(k.se, 0, 1e-9);
    ck_assert_ptr_nonnull(k.note);
    /* an empty cell: kappa defined; TN=0 (FISH all positive but NGS split): pe = po -> 0 */
    int64_t allfish[4] = {0, 4, 0, 6}; /* rows NGS neg/pos, cols FISH neg/pos */
    k = metcn_kappa(allfish, 2, METCN_KAPPA_UNWEIGHTED, 0.95);
    ck_assert_double_eq_tol(k.estimate, 0, 1e-12);
    /* complete disagreement: kappa = -1 for a balanced table */
    int64_t anti[4] = {0, 5, 5, 0};
    ck_assert_double_eq_tol(metcn_kappa(anti, 2, METCN_KAPPA_UNWEIGHTED, 0.95).estimate, -1, 1e-12);
}
END_TEST

/* ---- correlations ------------------------------------------------------------------------- */

START_TEST(test_correlations)
{
    double x[] = {1.1, 2.0, 2.9, 4.2, 5.1, 6.3, 7.0, 12.0, NAN, 3.3};
    double y[] = {1.0, 2.4, 2.5, 4.0, 6.0, 5.5, 8.1, 10.0, 4.0, NAN};
    double fx[8], fy[8], work[16];
    for (int i = 0; i < 8; i++) {
        fx[i] = x[i];
        fy[i] = y[i];
    }
    metcn_stat_t p = metcn_corr_pearson(x, y, 10, 0.95);
    ck_assert_int_eq(p.n, 8); /* pairs with a NaN dropped */
    ck_assert_double_eq_tol(p.estimate, gsl_stats_correlation(fx, 1, fy, 1, 8), 1e-12);
    double z = atanh(p.estimate), q = gsl_cdf_ugaussian_Pinv(0.975);
    ck_assert_double_eq_tol(p.ci_low, tanh(z - q / sqrt(5.0)), 1e-12);
    ck_assert_double_eq_tol(p.ci_high, tanh(z + q / sqrt(5.0)), 1e-12);
    metcn_stat_t s = metcn_corr_spearman(x, y, 10, 0.95);
    ck_assert_double_eq_tol(s.estimate, gsl_stats_spearman(fx, 1, fy, 1, 8, work), 1e-12);
    /* no ties: 1 - 6 sum d^2 / (n (n^2 - 1)); ranks x: 1..8 in order; y: 1 2 3 4 6 5 7 8 */
    ck_assert_double_eq_tol(s.estimate, 1 - 6.0 * 2 / (8 * 63), 1e-12);
    z = atanh(s.estimate);
    ck_assert_double_eq_tol(s.ci_low, tanh(z - q * sqrt(1.06 / 5)), 1e-12);
    /* ties: mid-ranks, checked against GSL */
    double tx[] = {1, 2, 2, 3, 4, 4, 4, 5}, ty[] = {2, 1, 3, 3, 5, 4, 6, 6};
    ck_assert_double_eq_tol(metcn_corr_spearman(tx, ty, 8, 0.95).estimate,
                            gsl_stats_spearman(tx, 1, ty, 1, 8, work), 1e-12);
    /* degenerate: constant side, too few pairs, n = 3 (no interval) */
    double c[] = {2, 2, 2, 2, 2};
    metcn_stat_t d = metcn_corr_pearson(c, y, 5, 0.95);
    ck_assert(isnan(d.estimate) && d.note);
    d = metcn_corr_spearman(x, y, 1, 0.95);
    ck_assert(isnan(d.estimate) && d.note);
    d = metcn_corr_pearson(x, y, 3, 0.95);
    ck_assert(isfinite(d.estimate) && isnan(d.ci_low) && d.note);
    double lin[] = {1, 2, 3, 4, 5};
    d = metcn_corr_pearson(lin, lin, 5, 0.95);
    ck_assert_double_eq_tol(d.estimate, 1, 1e-12);
    ck_assert(d.ci_low == 1 && d.ci_high == 1);
}
END_TEST

/* ---- Bland-Altman -------------------------------------------------------------------------- */

START_TEST(test_bland_altman)
{
    /* d = 0.1 0.3 -0.2 0.4 0.0: mean 0.12, squared deviations sum to 0.228 */
    double d[] = {0.1, 0.3, -0.2, 0.4, 0.0, NAN};
    metcn_bland_altman_t b;
    metcn_bland_altman(d, 6, 0.95, &b);
    double sd = sqrt(0.228 / 4), t = gsl_cdf_tdist_Pinv(0.975, 4),
           z = gsl_cdf_ugaussian_Pinv(0.975);
    ck_assert_int_eq(b.bias.n, 5);
    ck_assert_double_eq_tol(b.bias.estimate, 0.12, 1e-12);
    ck_assert_double_eq_tol(b.sd.estimate, sd, 1e-12);
    ck_assert_double_eq_tol(b.bias.ci_low, 0.12 - t * sd / sqrt(5), 1e-12);
    ck_assert_double_eq_tol(b.loa_low.estimate, 0.12 - z * sd, 1e-12);
    ck_assert_double_eq_tol(b.loa_high.estimate, 0.12 + z * sd, 1e-12);
    ck_assert_double_eq_tol(b.loa_high.ci_high, 0.12 + z * sd + t * sd * sqrt(3.0 / 5), 1e-12);
    ck_assert(b.sd.ci_low < sd && sd < b.sd.ci_high);
    double one[] = {0.3};
    metcn_bland_altman(one, 1, 0.95, &b);
    ck_assert(isnan(b.bias.estimate) && b.bias.note);
}
END_TEST

/* ---- ROC --------------------------------------------------------------------------------- */

static double psi(double a, double b)
{
    return a > b ? 1 : a == b ? 0.5 : 0;
}

START_TEST(test_roc_brute_force)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 7 + (unsigned long)_i);
    size_t n = 20 + 13 * (size_t)_i;
    double *s = malloc(n * sizeof *s);
    int *lab = malloc(n * sizeof *lab);
    for (size_t i = 0; i < n; i++) {
        lab[i] = gsl_rng_uniform(rng) < 0.4;
        /* rounded scores make ties between and within classes */
        s[i] = round((gsl_rng_uniform(rng) * 4 + lab[i] * 1.5) * 2) / 2;
    }
    if (_i == 1) {
        s[0] = NAN;  /* skipped */
        lab[1] = -1; /* unclassified: skipped */
    }
    metcn_roc_t r;
    ck_assert_int_eq(metcn_roc(s, lab, n, 0.95, &r), 0);
    /* brute force: AUC, DeLong placements, variance */
    double sum = 0, n1 = 0, n0 = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(s[i]) && lab[i] >= 0)
            lab[i] ? n1++ : n0++;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            if (isfinite(s[i]) && isfinite(s[j]) && lab[i] == 1 && lab[j] == 0)
                sum += psi(s[i], s[j]);
    double auc = sum / (n1 * n0);
    ck_assert_double_eq_tol(r.auc.estimate, auc, 1e-12);
    ck_assert_uint_eq(r.n_pos, (size_t)n1);
    double s10 = 0, s01 = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(s[i]) || lab[i] < 0)
            continue;
        double v = 0;
        for (size_t j = 0; j < n; j++)
            if (isfinite(s[j]) && lab[j] == !lab[i])
                v += lab[i] ? psi(s[i], s[j]) : psi(s[j], s[i]);
        v /= lab[i] ? n0 : n1;
        if (lab[i])
            s10 += (v - auc) * (v - auc);
        else
            s01 += (v - auc) * (v - auc);
    }
    double se = sqrt(s10 / (n1 - 1) / n1 + s01 / (n0 - 1) / n0);
    ck_assert_double_eq_tol(r.auc.se, se, 1e-12);
    /* Youden by scanning every observed cut-off */
    double bestj = -2, bestc = NAN;
    for (size_t c = 0; c < n; c++) {
        if (!isfinite(s[c]) || lab[c] < 0)
            continue;
        double tp = 0, fp = 0;
        for (size_t i = 0; i < n; i++)
            if (isfinite(s[i]) && lab[i] >= 0 && s[i] >= s[c])
                lab[i] ? tp++ : fp++;
        double j = tp / n1 - fp / n0;
        if (j > bestj + 1e-12 || (fabs(j - bestj) <= 1e-12 && s[c] < bestc)) {
            bestj = j;
            bestc = s[c];
        }
    }
    ck_assert_double_eq_tol(r.youden_j, bestj, 1e-12);
    ck_assert_double_eq_tol(r.youden.estimate, bestc, 1e-12);
    /* curve from (0,0) to (1,1), monotone; trapezoid area = AUC */
    ck_assert(r.points[0].fpr == 0 && r.points[0].tpr == 0);
    ck_assert(r.points[r.n_points - 1].fpr == 1 && r.points[r.n_points - 1].tpr == 1);
    double area = 0;
    for (size_t i = 1; i < r.n_points; i++) {
        ck_assert(r.points[i].fpr >= r.points[i - 1].fpr && r.points[i].tpr >= r.points[i - 1].tpr);
        area +=
            (r.points[i].fpr - r.points[i - 1].fpr) * (r.points[i].tpr + r.points[i - 1].tpr) / 2;
    }
    ck_assert_double_eq_tol(area, auc, 1e-12);
    metcn_roc_free(&r);
    free(s);
    free(lab);
    gsl_rng_free(rng);
}
END_TEST

START_TEST(test_roc_degenerate)
{
    double s[] = {1, 2, 3, 4};
    int all_pos[] = {1, 1, 1, 1}, sep[] = {0, 0, 1, 1}, one_pos[] = {0, 0, 0, 1};
    metcn_roc_t r;
    ck_assert_int_eq(metcn_roc(s, all_pos, 4, 0.95, &r), 0);
    ck_assert(isnan(r.auc.estimate) && r.auc.note && isnan(r.youden.estimate));
    metcn_roc_free(&r);
    ck_assert_int_eq(metcn_roc(s, sep, 4, 0.95, &r), 0);
    ck_assert_double_eq_tol(r.auc.estimate, 1, 1e-12);
    ck_assert_double_eq_tol(r.youden.estimate, 3, 1e-12);
    ck_assert_double_eq_tol(r.youden_j, 1, 1e-12);
    ck_assert(r.auc.note != NULL); /* degenerate DeLong interval is flagged */
    metcn_roc_free(&r);
    ck_assert_int_eq(metcn_roc(s, one_pos, 4, 0.95, &r), 0);
    ck_assert_double_eq_tol(r.auc.estimate, 1, 1e-12);
    ck_assert(isnan(r.auc.ci_low) && r.auc.note);
    metcn_roc_free(&r);
}
END_TEST

/* ---- rules and tiers ------------------------------------------------------------------- */

START_TEST(test_rules_tiers)
{
    /* the caller's tier model (one for both): camidge is the default for MET */
    metcn_concord_opt_t o;
    metcn_concord_opt_init(&o);
    const metcn_criteria_t *k = &o.criteria;
    ck_assert_str_eq(k->name, "camidge");
    double r[] = {1.79, 1.8, 2.2, 2.21, 4.99, 5.0};
    int t[] = {0, 1, 1, 2, 2, 3};
    for (int i = 0; i < 6; i++)
        ck_assert_int_eq(metcn_criteria_tier(k, r[i], 2), t[i]);
    metcn_amp_rule_t rule;
    char buf[128];
    ck_assert_int_eq(metcn_concord_parse_rule("ratio:2,mean:5", 0, k, &rule), 0);
    ck_assert_str_eq(metcn_concord_rule_str(&rule, 0, k, buf, sizeof buf),
                     "fish_ratio>=2 or fish_mean>=5");
    ck_assert_int_eq(metcn_concord_rule_apply(&rule, 1.5, 6, -1), 1);
    ck_assert_int_eq(metcn_concord_rule_apply(&rule, 1.5, NAN, -1), 0);
    ck_assert_int_eq(metcn_concord_rule_apply(&rule, NAN, NAN, 3), -1);
    ck_assert_int_eq(metcn_concord_parse_rule("tier:intermediate", 1, k, &rule), 0);
    ck_assert_int_eq(metcn_concord_rule_apply(&rule, NAN, NAN, 1), 0);
    ck_assert_int_eq(metcn_concord_rule_apply(&rule, NAN, NAN, 2), 1);
    ck_assert_int_eq(metcn_concord_parse_rule("cn:5", 0, k, &rule), METCN_E_FORMAT); /* FISH */
    ck_assert_int_eq(metcn_concord_parse_rule("cn:5", 1, k, &rule), 0);
    ck_assert_int_eq(metcn_concord_parse_rule("ratio:-1", 1, k, &rule), METCN_E_FORMAT);
    ck_assert_int_eq(metcn_concord_parse_rule("tier:negative", 1, k, &rule), METCN_E_FORMAT);
    ck_assert_int_eq(metcn_concord_parse_rule("ratio", 1, k, &rule), METCN_E_FORMAT);
    ck_assert_int_eq(metcn_concord_parse_rule("", 1, k, &rule), METCN_E_FORMAT);
    /* tier names are the criteria's: ASCO/CAP groups for ERBB2 */
    const metcn_criteria_t *asco = metcn_criteria_get("asco-cap-2018");
    ck_assert_int_eq(metcn_concord_parse_rule("tier:group1", 1, asco, &rule), 0);
    ck_assert_int_eq(rule.tier_min, 4);
    ck_assert_int_eq(metcn_concord_parse_rule("tier:high", 1, asco, &rule), METCN_E_FORMAT);
}
END_TEST

/* ---- pipeline ------------------------------------------------------------------------------ */

static char tmpdir[64];

static const char *write_file(const char *name, const char *text)
{
    static char path[8][256];
    static int k = 0;
    char *p = path[k++ % 8];
    snprintf(p, 256, "%s/%s", tmpdir, name);
    FILE *f = fopen(p, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return p;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    char *buf = calloc(1, 1 << 20);
    size_t n = fread(buf, 1, (1 << 20) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

#define CALLS_HEADER                                                                               \
    "sample\tgene\tmet_cn\tmet_cn_low\tmet_cn_high\tchr7_cn\tchr7_cn_low\tchr7_cn_high\t"          \
    "met_chr7_ratio\tmet_chr7_ratio_low\tmet_chr7_ratio_high\ttier\tequivocal\thigh_amp\t"         \
    "gcn_class\tpattern\tpurity\tpurity_assumed\tploidy\tmet_log2\tchr7_log2\tmapd\tlod_met_cn\t"  \
    "qc\tqc_reasons\n"
#define ROW(id, cn, ratio, tier, qc)                                                               \
    id "\tMET\t" cn "\tNA\tNA\t2\tNA\tNA\t" ratio "\tNA\tNA\t" tier                                \
       "\tno\tno\tnone\tnone\t0.6\tno\t2\t1\t0\t0.1\t3\t" qc "\t.\n"

static const metcn_concord_sample_t *find(const metcn_concord_t *c, const char *id)
{
    for (size_t i = 0; i < c->n_samples; i++)
        if (strcmp(c->samples[i].sample, id) == 0)
            return &c->samples[i];
    return NULL;
}

START_TEST(test_pipeline_summary)
{
    /* two calls tables (S3 twice across them -> duplicate), a CSV with a BOM, quotes and an
     * unmatched id on each side; one call fails QC. */
    const char *c1 = write_file("a.calls.tsv", CALLS_HEADER ROW("S1", "12", "6", "high", "pass")
                                                   ROW("S2", "5", "2.5", "intermediate", "pass")
                                                       ROW("S3", "2", "1", "negative", "pass"));
    const char *c2 = write_file(
        "b.calls.tsv",
        CALLS_HEADER ROW("S3", "2", "1", "negative", "pass") ROW("S4", "4", "2", "low", "pass")
            ROW("S5", "3", "1", "negative", "fail") ROW("S6", "2.1", "1.05", "negative", "warn")
                ROW("N1", "2", "1", "NA", "pass") ROW("X9", "2", "1", "NA", "pass"));
    const char *fish =
        write_file("fish.csv", "\xEF\xBB\xBFsample,met_cep7_ratio,met_per_nucleus\n"
                               "S1,5.5,11\n\"S2\",2.5,\"5\"\nS3,1,2\nS4,1.7,3.5\n"
                               "S5,1,2\nS6,2.1,4.2\nF1,3,6\nN1,NA,NA\nF2,1,2\nF2,1,2\n");
    const char *calls[] = {c1, c2};
    metcn_concord_opt_t opt;
    metcn_concord_opt_init(&opt);
    metcn_concord_t *c = metcn_concord_run(calls, 2, fish, &opt);
    ck_assert_msg(c != NULL, "%s", metcn_last_error());
    ck_assert_uint_eq(c->n_calls_rows, 9);
    ck_assert_int_eq(find(c, "S3")->status, METCN_CONCORD_DUPLICATE_NGS);
    ck_assert_int_eq(find(c, "S5")->status, METCN_CONCORD_QC_FAIL);
    ck_assert_int_eq(find(c, "F1")->status, METCN_CONCORD_FISH_ONLY);
    ck_assert_int_eq(find(c, "S2")->status, METCN_CONCORD_MATCHED);
    ck_assert_double_eq_tol(find(c, "S2")->fish_met, 5, 1e-12);
    ck_assert_int_eq(find(c, "N1")->ngs_amp, 0);
    ck_assert_int_eq(find(c, "N1")->fish_amp, -1); /* NA on the FISH side: unclassified */
    /* matched: S1 S2 S4 S6 N1; classified: S1 (TP) S2 (TP) S4 (NGS 2 >= 2, FISH 1.7: FP)
     * S6 (NGS 1.05, FISH 2.1: FN) */
    ck_assert_uint_eq(c->n_matched, 5);
    ck_assert_uint_eq(c->n_classified, 4);
    ck_assert_double_eq(c->stat[METCN_CSTAT_TP].estimate, 2);
    ck_assert_double_eq(c->stat[METCN_CSTAT_FP].estimate, 1);
    ck_assert_double_eq(c->stat[METCN_CSTAT_FN].estimate, 1);
    ck_assert_double_eq(c->stat[METCN_CSTAT_TN].estimate, 0);
    ck_assert_double_eq_tol(c->stat[METCN_CSTAT_SENSITIVITY].estimate, 2.0 / 3, 1e-12);
    /* TN = 0 and FP = 1: specificity 0/1 with CP upper 0.975 */
    ck_assert_double_eq_tol(c->stat[METCN_CSTAT_SPECIFICITY].estimate, 0, 1e-12);
    ck_assert_double_eq_tol(c->stat[METCN_CSTAT_SPECIFICITY].ci_high, 0.975, 1e-9);
    ck_assert_double_eq_tol(c->stat[METCN_CSTAT_NPV].estimate, 0, 1e-12); /* 0/1: defined */
    ck_assert_double_eq_tol(c->stat[METCN_CSTAT_PPV].estimate, 2.0 / 3, 1e-12);
    ck_assert_int_eq(find(c, "F2")->status, METCN_CONCORD_DUPLICATE_FISH);
    ck_assert_int_eq(find(c, "X9")->status, METCN_CONCORD_NGS_ONLY);
    metcn_concord_destroy(c);
}
END_TEST

/* The same calls as a gene-neutral table with other genes' rows between them. */
#define NEW_HEADER                                                                                 \
    "sample\tgene\tcontrol\tcn\tcn_low\tcn_high\tcontrol_cn\tcontrol_cn_low\tcontrol_cn_high\t"    \
    "ratio\tratio_low\tratio_high\ttier\tequivocal\thigh_amp\tgcn_class\tpattern\tpurity\t"        \
    "purity_low\tpurity_high\tpurity_source\tploidy\tqc\tqc_reasons\tcriteria\tgene_log2\t"        \
    "control_log2\tmapd\tlod_cn\n"
#define NROW(id, gene, ctl, cn, ratio, tier, qc)                                                   \
    id "\t" gene "\t" ctl "\t" cn "\tNA\tNA\t2\tNA\tNA\t" ratio "\tNA\tNA\t" tier                  \
       "\tno\tno\tnone\tnone\t0.6\t0.6\t0.6\tgiven\t2\t" qc "\t.\tx\t1\t0\t0.1\t3\n"

START_TEST(test_pipeline_both_formats)
{
    /* 0.1 table and gene-neutral table with the same MET calls: identical statistics; the
     * ERBB2 rows are read only with gene ERBB2, under its own criteria */
    const char *old = write_file("old.calls.tsv", CALLS_HEADER ROW("S1", "12", "6", "high", "pass")
                                                      ROW("S2", "5", "2.5", "intermediate", "pass")
                                                          ROW("S4", "4", "2", "low", "pass"));
    const char *neu =
        write_file("new.calls.tsv",
                   NEW_HEADER NROW("S1", "MET", "chr7", "12", "6", "high", "pass")
                       NROW("S1", "ERBB2", "chr17", "9", "4.5", "group1", "pass")
                           NROW("S2", "MET", "chr7", "5", "2.5", "intermediate", "pass")
                               NROW("S2", "ERBB2", "chr17", "2", "1", "group5", "pass")
                                   NROW("S4", "MET", "chr7", "4", "2", "low", "pass")
                                       NROW("S4", "ERBB2", "chr17", "5", "1.6", "group4", "pass"));
    const char *fish = write_file("f2.csv", "sample,met_cep7_ratio,met_per_nucleus\n"
                                            "S1,5.5,11\nS2,2.5,5\nS4,1.7,3.5\n");
    metcn_concord_opt_t opt;
    metcn_concord_opt_init(&opt);
    metcn_concord_t *a = metcn_concord_run(&old, 1, fish, &opt);
    metcn_concord_t *b = metcn_concord_run(&neu, 1, fish, &opt);
    ck_assert_msg(a && b, "%s", metcn_last_error());
    ck_assert_int_eq(a->calls_format, 1);
    ck_assert_int_eq(b->calls_format, 2);
    ck_assert_uint_eq(b->n_calls_rows, 3);
    ck_assert_uint_eq(a->n_matched, 3);
    ck_assert_uint_eq(b->n_matched, 3);
    for (int st = 0; st < METCN_CONCORD_N_STATS; st++) {
        double x = a->stat[st].estimate, y = b->stat[st].estimate;
        ck_assert_msg((isnan(x) && isnan(y)) || x == y, "%s: %g vs %g",
                      metcn_concord_stat_name((metcn_cstat_t)st), x, y);
    }
    ck_assert(memcmp(a->tier_matrix, b->tier_matrix, sizeof a->tier_matrix) == 0);
    metcn_concord_destroy(a);
    metcn_concord_destroy(b);
    /* ERBB2: FISH HER2/CEP17 ratio and mean HER2 per nucleus, ASCO/CAP groups on both sides */
    const char *her2 = write_file("f3.csv", "sample,her2_cep17_ratio,her2_per_nucleus\n"
                                            "S1,4,8\nS2,1.1,2.2\nS4,1.5,4.5\n");
    opt.gene = "ERBB2";
    opt.criteria = *metcn_criteria_default("ERBB2");
    opt.fish_ratio = "her2_cep17_ratio";
    opt.fish_met = "her2_per_nucleus";
    b = metcn_concord_run(&neu, 1, her2, &opt);
    ck_assert_msg(b != NULL, "%s", metcn_last_error());
    ck_assert_uint_eq(b->n_calls_rows, 3);
    ck_assert_int_eq(find(b, "S1")->ngs_tier, 4); /* group1 */
    ck_assert_int_eq(find(b, "S1")->fish_tier, 4);
    ck_assert_int_eq(find(b, "S4")->ngs_tier, 1);  /* group4 */
    ck_assert_int_eq(find(b, "S4")->fish_tier, 1); /* ratio 1.5, 4.5 copies */
    ck_assert_int_eq(find(b, "S2")->fish_tier, 0); /* group5 */
    ck_assert_double_eq_tol(b->stat[METCN_CSTAT_TIER_AGREEMENT].estimate, 1, 1e-12);
    metcn_concord_destroy(b);
}
END_TEST

START_TEST(test_pipeline_nuclei_and_writers)
{
    /* per-nucleus counts: P1 has 4 nuclei with MET 4,5,16,3 and CEP7 2,2,2,2 ->
     * mean MET 7, ratio 28/8 = 3.5, share >=4 0.75, >=5 0.5, >=15 0.25.
     * P2: MET 2,2 CEP7 2,2 -> ratio 1. P3 repeats nucleus 1 -> duplicate. */
    const char *calls =
        write_file("c.calls.tsv", CALLS_HEADER ROW("P1", "8", "4", "intermediate", "pass")
                                      ROW("P2", "2", "1", "negative", "pass")
                                          ROW("P3", "2", "1", "negative", "pass"));
    const char *fish =
        write_file("nuc.tsv", "sample\tnucleus\tmet\tcep7\nP1\t1\t4\t2\nP1\t2\t5\t2\n"
                              "P1\t3\t16\t2\nP1\t4\t3\t2\nP2\t1\t2\t2\nP2\t2\t2\t2\n"
                              "P3\t1\t2\t2\nP3\t1\t3\t2\n");
    metcn_concord_opt_t opt;
    metcn_concord_opt_init(&opt);
    metcn_concord_t *c = metcn_concord_run(&calls, 1, fish, &opt);
    ck_assert_msg(c != NULL, "%s", metcn_last_error());
    ck_assert(c->fish_per_nucleus);
    const metcn_concord_sample_t *p = find(c, "P1");
    ck_assert_int_eq(p->fish_nuclei, 4);
    ck_assert_double_eq_tol(p->fish_met, 7, 1e-12);
    ck_assert_double_eq_tol(p->fish_cep7, 2, 1e-12);
    ck_assert_double_eq_tol(p->fish_ratio, 3.5, 1e-12);
    ck_assert_double_eq_tol(p->fish_ge4, 0.75, 1e-12);
    ck_assert_double_eq_tol(p->fish_ge5, 0.5, 1e-12);
    ck_assert_double_eq_tol(p->fish_ge15, 0.25, 1e-12);
    ck_assert_int_eq(p->fish_tier, 2);
    ck_assert_int_eq(find(c, "P3")->status, METCN_CONCORD_DUPLICATE_FISH);
    /* 2 samples, 1 TP 1 TN: kappa 1, pearson undefined interval (n = 2) */
    ck_assert_double_eq_tol(c->stat[METCN_CSTAT_KAPPA].estimate, 1, 1e-12);
    /* writers: no nan/inf anywhere; undefined statistics are null with a note / NA */
    char path[300];
    snprintf(path, sizeof path, "%s/o.json", tmpdir);
    ck_assert_int_eq(metcn_concord_write_json(c, path, "metcn concordance test"), 0);
    char *j = slurp(path);
    ck_assert_ptr_null(strstr(j, "nan"));
    ck_assert_ptr_null(strstr(j, "inf"));
    ck_assert_ptr_nonnull(strstr(j, "\"duplicated_fish\": [\n    \"P3\""));
    ck_assert_ptr_nonnull(strstr(j, "\"fish_share_ge15\": 0.25"));
    ck_assert_ptr_nonnull(strstr(j, "\"pearson\": {\n    \"estimate\": 1,\n    \"ci_low\": null"));
    free(j);
    snprintf(path, sizeof path, "%s/o.tsv", tmpdir);
    ck_assert_int_eq(metcn_concord_write_tsv(c, path), 0);
    j = slurp(path);
    ck_assert_ptr_null(strstr(j, "nan"));
    ck_assert_ptr_nonnull(strstr(j, "\ntp\t1\tNA\tNA\tNA\t2\t.\n"));
    ck_assert_ptr_nonnull(strstr(j, "\nspecificity\t1\t0.025\t1\tNA\t1\t.\n"));
    free(j);
    snprintf(path, sizeof path, "%s/o.svg", tmpdir);
    ck_assert_int_eq(metcn_concord_write_scatter_svg(c, path), 0);
    ck_assert_int_eq(metcn_concord_write_roc_svg(c, path), 0);
    metcn_concord_destroy(c);
}
END_TEST

START_TEST(test_pipeline_all_positive)
{
    /* every sample amplified on both sides: specificity, NPV and kappa undefined */
    const char *calls =
        write_file("p.calls.tsv", CALLS_HEADER ROW("A", "10", "5", "high", "pass")
                                      ROW("B", "8", "4", "intermediate", "pass")
                                          ROW("C", "6", "3", "intermediate", "pass"));
    const char *fish = write_file("p.tsv", "sample\tmet_cep7_ratio\nA\t6\nB\t3\nC\t2.5\n");
    metcn_concord_opt_t opt;
    metcn_concord_opt_init(&opt);
    metcn_concord_t *c = metcn_concord_run(&calls, 1, fish, &opt);
    ck_assert_ptr_nonnull(c);
    ck_assert_double_eq(c->stat[METCN_CSTAT_TP].estimate, 3);
    ck_assert_double_eq_tol(c->stat[METCN_CSTAT_SENSITIVITY].estimate, 1, 1e-12);
    ck_assert_double_eq_tol(c->stat[METCN_CSTAT_SENSITIVITY].ci_low, pow(0.025, 1.0 / 3), 1e-9);
    ck_assert(isnan(c->stat[METCN_CSTAT_SPECIFICITY].estimate));
    ck_assert_str_eq(c->stat[METCN_CSTAT_SPECIFICITY].note,
                     "no FISH-negative samples (TN + FP = 0)");
    ck_assert(isnan(c->stat[METCN_CSTAT_NPV].estimate));
    ck_assert(isnan(c->stat[METCN_CSTAT_KAPPA].estimate) && c->stat[METCN_CSTAT_KAPPA].note);
    ck_assert(isnan(c->stat[METCN_CSTAT_AUC].estimate) && c->stat[METCN_CSTAT_AUC].note);
    char path[300];
    snprintf(path, sizeof path, "%s/p.json", tmpdir);
    ck_assert_int_eq(metcn_concord_write_json(c, path, NULL), 0);
    char *j = slurp(path);
    ck_assert_ptr_nonnull(strstr(j, "\"specificity\": {\n    \"estimate\": null,\n    \"ci_low\": "
                                    "null,\n    \"ci_high\": null,\n    \"n\": 0,"));
    ck_assert_ptr_nonnull(strstr(j, "\"note\": \"no FISH-negative samples (TN + FP = 0)\""));
    free(j);
    metcn_concord_destroy(c);
}
END_TEST

/* ---- degenerate 2x2 tables, through metcn_concord_compute() ------------------------------- */

static const struct {
    int tp, fp, fn, tn;
    const char *undefined; /* space-separated statistics expected undefined */
} degenerate[] = {
    {5, 0, 0, 0, "specificity npa npv kappa auc"}, /* all positive on both sides */
    {0, 0, 0, 5, "sensitivity ppa ppv kappa auc"}, /* all negative on both sides */
    {3, 0, 0, 4, ""},                              /* empty off-diagonal: perfect */
    {0, 3, 0, 4, "sensitivity ppa auc"},           /* no FISH positives, NGS has some */
    {0, 0, 3, 4, "ppv"},                           /* NGS never positive */
    {0, 0, 0, 0, "opa accuracy sensitivity specificity ppa npa ppv npv kappa tier_agreement auc"},
};

START_TEST(test_degenerate_tables)
{
    int n = degenerate[_i].tp + degenerate[_i].fp + degenerate[_i].fn + degenerate[_i].tn;
    metcn_concord_t *c = calloc(1, sizeof *c);
    metcn_concord_opt_init(&c->opt);
    c->samples = calloc((size_t)n + 1, sizeof *c->samples);
    int k = 0;
    int cells[4][3] = {{degenerate[_i].tp, 1, 1},
                       {degenerate[_i].fp, 1, 0},
                       {degenerate[_i].fn, 0, 1},
                       {degenerate[_i].tn, 0, 0}};
    for (int cell = 0; cell < 4; cell++)
        for (int j = 0; j < cells[cell][0]; j++, k++) {
            metcn_concord_sample_t *s = &c->samples[k];
            char id[16];
            snprintf(id, sizeof id, "s%d", k);
            s->sample = strdup(id);
            s->status = METCN_CONCORD_MATCHED;
            s->ngs_amp = cells[cell][1];
            s->fish_amp = cells[cell][2];
            s->ngs_ratio = s->ngs_amp ? 3 + 0.1 * k : 1 + 0.01 * k;
            s->fish_ratio = s->fish_amp ? 3.5 : 1.1;
            s->ngs_met_cn = 2 * s->ngs_ratio;
            s->fish_met = 2 * s->fish_ratio;
            s->ngs_tier = s->ngs_amp ? 2 : 0;
            s->fish_tier = s->fish_amp ? 2 : 0;
        }
    c->n_samples = (size_t)n;
    ck_assert_int_eq(metcn_concord_compute(c), 0);
    ck_assert_uint_eq(c->n_classified, (size_t)n);
    for (int st = 0; st < METCN_CONCORD_N_STATS; st++) {
        const char *name = metcn_concord_stat_name((metcn_cstat_t)st);
        char pat[48];
        snprintf(pat, sizeof pat, " %s ", name);
        char list[128];
        snprintf(list, sizeof list, " %s ", degenerate[_i].undefined);
        if (strstr(list, pat)) {
            ck_assert_msg(isnan(c->stat[st].estimate), "case %d: %s should be undefined", _i, name);
            ck_assert_msg(c->stat[st].note != NULL, "case %d: %s needs a note", _i, name);
        } else if (st <= METCN_CSTAT_TIER_AGREEMENT) {
            ck_assert_msg(isfinite(c->stat[st].estimate), "case %d: %s should be defined", _i,
                          name);
        }
    }
    /* the defined proportions are the hand-computed ones */
    if (degenerate[_i].tp + degenerate[_i].fn > 0)
        ck_assert_double_eq_tol(c->stat[METCN_CSTAT_SENSITIVITY].estimate,
                                (double)degenerate[_i].tp / (degenerate[_i].tp + degenerate[_i].fn),
                                1e-12);
    if (degenerate[_i].tn + degenerate[_i].fp > 0)
        ck_assert_double_eq_tol(c->stat[METCN_CSTAT_SPECIFICITY].estimate,
                                (double)degenerate[_i].tn / (degenerate[_i].tn + degenerate[_i].fp),
                                1e-12);
    /* and nothing non-finite reaches the files */
    char path[300];
    snprintf(path, sizeof path, "%s/deg%d.json", tmpdir, _i);
    ck_assert_int_eq(metcn_concord_write_json(c, path, NULL), 0);
    char *j = slurp(path);
    ck_assert_ptr_null(strstr(j, "nan"));
    ck_assert_ptr_null(strstr(j, "inf"));
    free(j);
    snprintf(path, sizeof path, "%s/deg%d.tsv", tmpdir, _i);
    ck_assert_int_eq(metcn_concord_write_tsv(c, path), 0);
    j = slurp(path);
    ck_assert_ptr_null(strstr(j, "nan"));
    ck_assert_ptr_null(strstr(j, "inf"));
    free(j);
    snprintf(path, sizeof path, "%s/deg%d.svg", tmpdir, _i);
    ck_assert_int_eq(metcn_concord_write_scatter_svg(c, path), 0);
    ck_assert_int_eq(metcn_concord_write_roc_svg(c, path), 0);
    metcn_concord_destroy(c);
}
END_TEST

static const struct {
    const char *calls, *fish, *err;
} bad_cases[] = {
    /* a 0.1 name makes it a 0.1 table: the missing column is named the 0.1 way */
    {"sample\tmet_cn\ttier\nA\t2\tlow\n", "sample,met_cep7_ratio\nA,2\n",
     "no column 'met_chr7_ratio' in the header"},
    {"sample\tgene\tcn\ttier\nA\tMET\t2\tlow\n", "sample,met_cep7_ratio\nA,2\n",
     "no column 'ratio' in the header"},
    {"sample\tgene\tratio\ttier\nA\tMET\t2\tlow\n", "sample,met_cep7_ratio\nA,2\n",
     "no column 'cn' in the header"},
    {"sample\tcn\tratio\ttier\nA\t2\t1\tlow\n", "sample,met_cep7_ratio\nA,2\n",
     "no column 'gene' in the header"},
    {CALLS_HEADER "A\tMET\t2\n", "sample,met_cep7_ratio\nA,2\n", ":2: 3 fields, the header has 25"},
    {CALLS_HEADER ROW("A", "two", "1", "low", "pass"), "sample,met_cep7_ratio\nA,2\n",
     ":2: column 'met_cn': 'two' is not a number >= 0"},
    {CALLS_HEADER ROW("A", "2", "1", "huge", "pass"), "sample,met_cep7_ratio\nA,2\n",
     ":2: tier 'huge'"},
    {CALLS_HEADER ROW("A", "2", "1", "low", "pass"), "id,met_cep7_ratio\nA,2\n",
     "no column 'sample' in the header"},
    {CALLS_HEADER ROW("A", "2", "1", "low", "pass"), "sample,foo\nA,2\n", "the header has none of"},
    {CALLS_HEADER ROW("A", "2", "1", "low", "pass"), "sample,met_cep7_ratio\nA,-2\n",
     ":2: column 'met_cep7_ratio': '-2' is not a number >= 0"},
    {CALLS_HEADER ROW("A", "2", "1", "low", "pass"), "sample,met_cep7_ratio\n\"A,2\n",
     ":2: unterminated quoted field"},
    {CALLS_HEADER ROW("A", "2", "1", "low", "pass"), "sample\tmet\tcep7\nA\t2.5\t2\n",
     ":2: per-nucleus counts '2.5'/'2' must be whole numbers"},
    {CALLS_HEADER ROW("A", "2", "1", "low", "pass"), "", "empty file"},
};

START_TEST(test_pipeline_bad_input)
{
    const char *calls = write_file("bad.calls.tsv", bad_cases[_i].calls);
    const char *fish = write_file("bad.fish", bad_cases[_i].fish);
    metcn_concord_opt_t opt;
    metcn_concord_opt_init(&opt);
    metcn_concord_t *c = metcn_concord_run(&calls, 1, fish, &opt);
    ck_assert_ptr_null(c);
    ck_assert_msg(strstr(metcn_last_error(), bad_cases[_i].err) != NULL, "case %d: '%s'", _i,
                  metcn_last_error());
    const char *missing = "/nonexistent/x.tsv";
    ck_assert_ptr_null(metcn_concord_run(&missing, 1, fish, &opt));
    ck_assert_int_eq(metcn_last_error_code(), METCN_E_IO);
}
END_TEST

int main(void)
{
    metcn_init();
    snprintf(tmpdir, sizeof tmpdir, "/tmp/metcn_test_concord.XXXXXX");
    if (!mkdtemp(tmpdir))
        return EXIT_FAILURE;
    Suite *s = suite_create("concord");
    TCase *tc = tcase_create("stats");
    tcase_add_loop_test(tc, test_clopper_pearson_values, 0,
                        (int)(sizeof cp_cases / sizeof cp_cases[0]));
    tcase_add_test(tc, test_clopper_pearson_tails);
    tcase_add_test(tc, test_kappa_2x2_hand);
    tcase_add_test(tc, test_kappa_weighted);
    tcase_add_test(tc, test_kappa_degenerate);
    tcase_add_test(tc, test_correlations);
    tcase_add_test(tc, test_bland_altman);
    tcase_add_loop_test(tc, test_roc_brute_force, 0, 4);
    tcase_add_test(tc, test_roc_degenerate);
    tcase_add_test(tc, test_rules_tiers);
    suite_add_tcase(s, tc);
    TCase *tp = tcase_create("pipeline");
    tcase_add_test(tp, test_pipeline_summary);
    tcase_add_test(tp, test_pipeline_both_formats);
    tcase_add_test(tp, test_pipeline_nuclei_and_writers);
    tcase_add_test(tp, test_pipeline_all_positive);
    tcase_add_loop_test(tp, test_degenerate_tables, 0,
                        (int)(sizeof degenerate / sizeof degenerate[0]));
    tcase_add_loop_test(tp, test_pipeline_bad_input, 0,
                        (int)(sizeof bad_cases / sizeof bad_cases[0]));
    suite_add_tcase(s, tp);
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        failed++;
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
