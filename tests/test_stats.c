/* test_stats.c -- robust statistics, LOESS and GC correction against known values/curves. */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "metcn/metcn.h"
#include "metcn/stats.h"

START_TEST(test_median_quantile)
{
    double x[] = {5, 1, NAN, 3, 2, 4, INFINITY};
    ck_assert_double_eq_tol(metcn_median(x, NULL, 7), 3.0, 1e-12);
    ck_assert_double_eq_tol(metcn_quantile(x, NULL, 7, 0.25), 2.0, 1e-12);
    ck_assert_double_eq_tol(metcn_quantile(x, NULL, 7, 1.0), 5.0, 1e-12);
    double e[] = {1, 2, 3, 4};
    ck_assert_double_eq_tol(metcn_median(e, NULL, 4), 2.5, 1e-12);
    int mask[] = {1, 1, 0, 0};
    ck_assert_double_eq_tol(metcn_median(e, mask, 4), 1.5, 1e-12);
    double none[] = {NAN, NAN};
    ck_assert(isnan(metcn_median(none, NULL, 2)));
    ck_assert(isnan(metcn_median(e, NULL, 0)));
    ck_assert(isnan(metcn_quantile(e, NULL, 4, 1.5)));
}
END_TEST

START_TEST(test_mad_weighted_median)
{
    /* |x - 3| = 2 1 0 1 2 -> median 1 -> 1.4826 */
    double x[] = {1, 2, 3, 4, 5};
    ck_assert_double_eq_tol(metcn_mad_sd(x, NULL, 5, NAN), METCN_MAD_TO_SD, 1e-12);
    ck_assert_double_eq_tol(metcn_mad_sd(x, NULL, 5, 0.0), 3 * METCN_MAD_TO_SD, 1e-12);
    double w[] = {1, 1, 1, 1, 10};
    ck_assert_double_eq_tol(metcn_weighted_median(x, w, NULL, 5), 5.0, 1e-12);
    double w2[] = {1, 1, 1, 1, 1};
    ck_assert_double_eq_tol(metcn_weighted_median(x, w2, NULL, 5), 3.0, 1e-12);
    double w3[] = {0, 0, -1, NAN, 2};
    ck_assert_double_eq_tol(metcn_weighted_median(x, w3, NULL, 5), 5.0, 1e-12);
    /* MAPD of a line with step 1 is 1; of alternating +-1 is 2. */
    double alt[] = {1, -1, 1, -1, 1};
    ck_assert_double_eq_tol(metcn_mapd(x, NULL, 5), 1.0, 1e-12);
    ck_assert_double_eq_tol(metcn_mapd(alt, NULL, 5), 2.0, 1e-12);
    ck_assert(isnan(metcn_mapd(x, NULL, 1)));
}
END_TEST

/* Normal samples: MAD-SD, biweight scale and MAPD/0.9539 estimate sigma; biweight location
 * resists 20% gross outliers. */
START_TEST(test_robust_on_normal_sample)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 42);
    size_t n = 20000;
    double *x = malloc(n * sizeof *x);
    for (size_t i = 0; i < n; i++)
        x[i] = 1.0 + gsl_ran_gaussian(r, 0.5);
    /* SE of the MAD-SD ~ 1.67 sigma / sqrt(2n) ~ 0.006; tolerances ~ 4 SE. */
    ck_assert_double_eq_tol(metcn_mad_sd(x, NULL, n, NAN), 0.5, 0.025);
    ck_assert_double_eq_tol(metcn_biweight_scale(x, NULL, n), 0.5, 0.02);
    ck_assert_double_eq_tol(metcn_mapd(x, NULL, n) / (0.67449 * sqrt(2.0)), 0.5, 0.03);
    ck_assert_double_eq_tol(metcn_biweight_location(x, NULL, n), 1.0, 0.02);
    for (size_t i = 0; i < n / 5; i++)
        x[i] = 50 + gsl_ran_gaussian(r, 1);
    ck_assert_double_eq_tol(metcn_biweight_location(x, NULL, n), 1.0, 0.05);
    double z[5], v[5] = {1, 2, 3, 4, 100};
    ck_assert_int_eq(metcn_robust_z(v, 5, z), 0);
    ck_assert_double_eq_tol(z[2], 0.0, 1e-12);
    ck_assert_double_eq_tol(z[4], 97 / METCN_MAD_TO_SD, 1e-9);
    free(x);
    gsl_rng_free(r);
}
END_TEST

/* LOESS recovers a smooth curve under noise and ignores 10% gross outliers. */
START_TEST(test_loess_known_curve)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 7);
    size_t n = 2000;
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y), *f = malloc(n * sizeof *f);
    for (size_t i = 0; i < n; i++) {
        x[i] = 0.3 + 0.4 * gsl_rng_uniform(r);
        double t = x[i] - 0.5;
        y[i] = 3.0 * t - 8.0 * t * t + gsl_ran_gaussian(r, 0.1);
        if (i % 10 == 0)
            y[i] += 3.0; /* outliers */
    }
    ck_assert_int_eq(metcn_loess(x, y, NULL, n, 0.3, 3, f), 0);
    double maxerr = 0;
    for (size_t i = 0; i < n; i++) {
        double t = x[i] - 0.5, truth = 3.0 * t - 8.0 * t * t;
        if (x[i] > 0.32 && x[i] < 0.68 && fabs(f[i] - truth) > maxerr)
            maxerr = fabs(f[i] - truth);
    }
    /* local fits over ~600 points of SD 0.1: SE ~ 0.006; the curvature bias of a local line
     * over a window of width ~0.12 is ~ 8 * 0.06^2 / 3 ~ 0.01. */
    ck_assert_msg(maxerr < 0.04, "LOESS max error %g", maxerr);
    /* constant extrapolation outside the fitted range */
    double xo[] = {0.0, 1.0}, fo[2];
    double *x2 = malloc((n + 2) * sizeof *x2), *y2 = malloc((n + 2) * sizeof *y2);
    double *f2 = malloc((n + 2) * sizeof *f2);
    int *m2 = malloc((n + 2) * sizeof *m2);
    for (size_t i = 0; i < n; i++) {
        x2[i] = x[i];
        y2[i] = y[i];
        m2[i] = 1;
    }
    x2[n] = xo[0];
    x2[n + 1] = xo[1];
    y2[n] = y2[n + 1] = 100;
    m2[n] = m2[n + 1] = 0;
    ck_assert_int_eq(metcn_loess(x2, y2, m2, n + 2, 0.3, 3, f2), 0);
    fo[0] = f2[n];
    fo[1] = f2[n + 1];
    double lo = 1, hi = 0, flo = 0, fhi = 0;
    for (size_t i = 0; i < n; i++) {
        if (x[i] < lo) {
            lo = x[i];
            flo = f2[i];
        }
        if (x[i] > hi) {
            hi = x[i];
            fhi = f2[i];
        }
    }
    ck_assert_double_eq_tol(fo[0], flo, 1e-12);
    ck_assert_double_eq_tol(fo[1], fhi, 1e-12);
    /* errors */
    ck_assert_int_eq(metcn_loess(x, y, NULL, 4, 0.3, 3, f), METCN_E_TOOFEW);
    ck_assert_int_eq(metcn_loess(x, y, NULL, n, 0.0, 3, f), METCN_E_ARG);
    free(x);
    free(y);
    free(f);
    free(x2);
    free(y2);
    free(f2);
    free(m2);
    gsl_rng_free(r);
}
END_TEST

/* GC correction fitted on reference bins removes a known curve there, and applies the same
 * curve (not a refit) to a target bin with a real gain. */
START_TEST(test_gc_correct)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 11);
    size_t n = 1000;
    double *gc = malloc(n * sizeof *gc), *l = malloc(n * sizeof *l);
    int *ref = malloc(n * sizeof *ref);
    for (size_t i = 0; i < n; i++) {
        gc[i] = 0.3 + 0.4 * gsl_rng_uniform(r);
        double t = gc[i] - 0.5;
        l[i] = 2.0 * t - 6.0 * t * t + gsl_ran_gaussian(r, 0.05);
        ref[i] = i >= 50;
        if (i < 50)
            l[i] += 2.0; /* a 4x gain on the "target" bins, not in the fit */
    }
    double strength;
    ck_assert_int_eq(metcn_norm_gc_correct(l, gc, ref, n, 0.3, &strength), 0);
    /* strength = mad_sd of the curve 2t - 6t^2 over t ~ U(-0.2,0.2): about 0.24 */
    ck_assert_msg(strength > 0.15 && strength < 0.35, "strength %g", strength);
    double sd = metcn_mad_sd(l, ref, n, NAN);
    ck_assert_msg(sd < 0.065, "residual SD %g after correction (noise 0.05)", sd);
    ck_assert_double_eq_tol(metcn_median(l, ref, n), 0.0, 0.01);
    int *tg = malloc(n * sizeof *tg);
    for (size_t i = 0; i < n; i++)
        tg[i] = i < 50;
    /* the curve's offset (median of curve over fit bins) is ~ -0.08; target keeps its +2 */
    ck_assert_double_eq_tol(metcn_median(l, tg, n), 2.0, 0.05);
    /* too few GC values */
    for (size_t i = 0; i < n; i++)
        gc[i] = i < 5 ? 0.5 : NAN;
    ck_assert_int_eq(metcn_norm_gc_correct(l, gc, ref, n, 0.3, &strength), METCN_E_TOOFEW);
    ck_assert_double_eq(strength, 0.0);
    free(gc);
    free(l);
    free(ref);
    free(tg);
    gsl_rng_free(r);
}
END_TEST

START_TEST(test_scale_log2)
{
    double d[] = {10, 20, 0, NAN, 40};
    double s, l[5];
    ck_assert_int_eq(metcn_norm_median_scale(d, NULL, 5, &s), 0);
    ck_assert_double_eq_tol(s, 15.0, 1e-12);
    metcn_norm_log2(d, 5, 20.0, l);
    ck_assert_double_eq_tol(l[0], -1.0, 1e-12);
    ck_assert_double_eq_tol(l[4], 1.0, 1e-12);
    ck_assert_double_eq(l[2], METCN_LOG2_FLOOR);
    ck_assert(isnan(l[3]));
    double z[] = {0, 0, 0};
    ck_assert_int_eq(metcn_norm_median_scale(z, NULL, 3, &s), METCN_E_RANGE);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("norm");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_median_quantile);
    tcase_add_test(tc, test_mad_weighted_median);
    tcase_add_test(tc, test_robust_on_normal_sample);
    tcase_add_test(tc, test_loess_known_curve);
    tcase_add_test(tc, test_gc_correct);
    tcase_add_test(tc, test_scale_log2);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    metcn_init();
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
