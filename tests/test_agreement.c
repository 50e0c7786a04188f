/* test_agreement.c -- kappa at the edges of its table: one side never positive, perfect
 * agreement (docs/concordance.md, "At the edges"). */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "metcn/stats.h"

/* rows NGS negative/positive, columns FISH negative/positive */
static const struct {
    const char *name;
    int64_t m[4];
} one_sided[] = {
    {"FISH never positive", {9, 0, 3, 0}},
    {"NGS never positive", {5, 4, 0, 0}},
    {"FISH always positive", {0, 4, 0, 6}},
    {"NGS always positive, large n", {0, 0, 300, 700}},
};

START_TEST(test_kappa_one_sided)
{
    metcn_stat_t k = metcn_kappa(one_sided[_i].m, 2, METCN_KAPPA_UNWEIGHTED, 0.95);
    const char *name = one_sided[_i].name;
    ck_assert_msg(k.estimate == 0, "%s: estimate %g", name, k.estimate);
    /* no interval of zero width: none at all */
    ck_assert_msg(isnan(k.ci_low) && isnan(k.ci_high) && isnan(k.se), "%s: [%g, %g] se %g", name,
                  k.ci_low, k.ci_high, k.se);
    ck_assert_msg(k.note && strstr(k.note, "by construction"), "%s: note %s", name,
                  k.note ? k.note : "(null)");
    int64_t n = 0;
    for (int i = 0; i < 4; i++)
        n += one_sided[_i].m[i];
    ck_assert_int_eq(k.n, n);
}
END_TEST

START_TEST(test_kappa_one_sided_weighted)
{
    /* 4 tiers; FISH put every sample in tier 0, NGS spread over three tiers */
    int64_t m[16] = {0};
    m[0 * 4 + 0] = 6;
    m[1 * 4 + 0] = 3;
    m[3 * 4 + 0] = 2;
    for (int w = 0; w < 3; w++) {
        metcn_stat_t k = metcn_kappa(m, 4, (metcn_kappa_weights_t)w, 0.95);
        ck_assert_msg(k.estimate == 0 && isnan(k.ci_low) && isnan(k.ci_high), "weights %d", w);
        ck_assert_ptr_nonnull(k.note);
    }
}
END_TEST

/* Exact (Clopper-Pearson) upper limit of a rate when 0 of n are seen: 1 - (alpha/2)^(1/n). */
static double zero_of_n_upper(double n, double level)
{
    return 1 - pow((1 - level) / 2, 1 / n);
}

START_TEST(test_kappa_perfect)
{
    int64_t m[4] = {7, 0, 0, 5};
    metcn_stat_t k = metcn_kappa(m, 2, METCN_KAPPA_UNWEIGHTED, 0.95);
    ck_assert_double_eq_tol(k.estimate, 1, 1e-12);
    ck_assert_double_eq_tol(k.se, 0, 1e-12);
    ck_assert_double_eq_tol(k.ci_high, 1, 1e-12);
    /* p_e from the margins 7/12 and 5/12 on both sides; worked example in the docs: 0.4556 */
    double pe = (7.0 * 7 + 5.0 * 5) / 144, d = zero_of_n_upper(12, 0.95);
    ck_assert_double_eq_tol(d, 0.264648, 1e-6);
    ck_assert_double_eq_tol(k.ci_low, 1 - d / (1 - pe), 1e-9);
    ck_assert_double_eq_tol(k.ci_low, 0.455580, 1e-6);
    ck_assert_ptr_nonnull(k.note);
    ck_assert_ptr_nonnull(strstr(k.note, "perfect agreement"));

    /* the bound is what it claims: a table with the margins kept and a share d of the samples
     * moved off the diagonal has kappa = ci_low (n large, so proportions are exact) */
    int64_t big[4] = {583333 - 132324, 132324, 132324, 416667 - 132324};
    double dd = 2 * 132324.0 / 1000000;
    metcn_stat_t kb = metcn_kappa(big, 2, METCN_KAPPA_UNWEIGHTED, 0.95);
    double pe_big = 0.583333 * 0.583333 + 0.416667 * 0.416667;
    ck_assert_double_eq_tol(kb.estimate, 1 - dd / (1 - pe_big), 1e-5);

    /* more samples, narrower interval; a lower level, narrower too */
    int64_t m2[4] = {70, 0, 0, 50};
    metcn_stat_t k2 = metcn_kappa(m2, 2, METCN_KAPPA_UNWEIGHTED, 0.95);
    ck_assert(k2.ci_low > k.ci_low && k2.ci_low < 1);
    metcn_stat_t k3 = metcn_kappa(m, 2, METCN_KAPPA_UNWEIGHTED, 0.80);
    ck_assert(k3.ci_low > k.ci_low);
    /* two samples: the bound reaches below 0 but stays within [-1, 1] */
    int64_t m4[4] = {1, 0, 0, 1};
    metcn_stat_t k4 = metcn_kappa(m4, 2, METCN_KAPPA_UNWEIGHTED, 0.95);
    ck_assert(k4.ci_low >= -1 && k4.ci_low < 0);

    /* weighted kappa of a perfect 4x4 table: the same bound with its own p_e */
    int64_t w[16] = {0};
    w[0] = 4;
    w[5] = 3;
    w[10] = 2;
    w[15] = 1;
    metcn_stat_t kw = metcn_kappa(w, 4, METCN_KAPPA_QUADRATIC, 0.95);
    double p[4] = {0.4, 0.3, 0.2, 0.1}, pew = 0;
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            pew += (1 - (i - j) * (i - j) / 9.0) * p[i] * p[j];
    ck_assert_double_eq_tol(kw.estimate, 1, 1e-12);
    ck_assert_double_eq_tol(kw.ci_low, fmax(-1, 1 - zero_of_n_upper(10, 0.95) / (1 - pew)), 1e-9);
}
END_TEST

START_TEST(test_kappa_inner_unchanged)
{
    /* away from the edges the Wald interval is kept: symmetric about kappa when not clamped */
    int64_t m[4] = {20, 5, 5, 20};
    metcn_stat_t k = metcn_kappa(m, 2, METCN_KAPPA_UNWEIGHTED, 0.95);
    ck_assert_double_eq_tol(k.estimate, 0.6, 1e-12);
    ck_assert(k.se > 0);
    ck_assert_double_eq_tol(k.estimate - k.ci_low, k.ci_high - k.estimate, 1e-12);
    ck_assert_double_eq_tol(k.ci_high - k.estimate, 1.959964 * k.se, 1e-5);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("agreement");
    TCase *tc = tcase_create("kappa edges");
    tcase_add_loop_test(tc, test_kappa_one_sided, 0, (int)(sizeof one_sided / sizeof one_sided[0]));
    tcase_add_test(tc, test_kappa_one_sided_weighted);
    tcase_add_test(tc, test_kappa_perfect);
    tcase_add_test(tc, test_kappa_inner_unchanged);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
