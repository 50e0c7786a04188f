/* test_somatic.c -- the tumour fraction from the patient's known somatic variants (call
 * --somatic; docs/plasma.md "Tumour fraction from somatic variants"): counts drawn from the
 * model at a known fraction (a clonal heterozygous SNV in a diploid region: ALT reads
 * Binomial(n, TF / 2), plus sequencing errors to each other base), the hand-computed interval
 * of one variant, the error background, heterogeneity, and what is not counted or too shallow. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "metcn/call.h"
#include "metcn/cov.h"
#include "metcn/metcn.h"

/* n sites on contig 0 at positions 1000, 2000, ... with REF A / ALT C and the given counts
 * (NULL: 0); counted (min_baseq 20) unless counted is 0. */
static metcn_sites_t *mk_sites(size_t n, const uint32_t *ref, const uint32_t *alt,
                               const uint32_t *other, int counted)
{
    metcn_sites_t *s = calloc(1, sizeof *s);
    ck_assert_ptr_nonnull(s);
    s->n = n;
    s->contig = calloc(n + 1, sizeof *s->contig);
    s->pos = calloc(n + 1, sizeof *s->pos);
    s->ref = calloc(n + 1, 1);
    s->alt = calloc(n + 1, 1);
    s->ref_count = calloc(n + 1, sizeof *s->ref_count);
    s->alt_count = calloc(n + 1, sizeof *s->alt_count);
    s->other_count = calloc(n + 1, sizeof *s->other_count);
    s->min_baseq = counted ? 20 : -1;
    for (size_t i = 0; i < n; i++) {
        s->pos[i] = 1000 * (int64_t)(i + 1);
        s->ref[i] = 'A';
        s->alt[i] = 'C';
        s->ref_count[i] = ref ? ref[i] : 0;
        s->alt_count[i] = alt ? alt[i] : 0;
        s->other_count[i] = other ? other[i] : 0;
    }
    return s;
}

/* Counts of one variant at depth n in a sample of tumour fraction tf (errors at rate e to each
 * of the three other bases). */
static void draw(gsl_rng *r, unsigned n, double tf, double e, uint32_t *ref, uint32_t *alt,
                 uint32_t *other)
{
    double p_alt = tf / 2 * (1 - 3 * e) + (1 - tf / 2) * e;
    double p_other = 2 * e;
    unsigned a = gsl_ran_binomial(r, p_alt, n);
    unsigned o = gsl_ran_binomial(r, p_other / (1 - p_alt), n - a);
    *alt = a;
    *other = o;
    *ref = n - a - o;
}

START_TEST(test_one_variant_by_hand)
{
    uint32_t ref = 950, alt = 50;
    metcn_sites_t *want = mk_sites(1, NULL, NULL, NULL, 0), *got = mk_sites(1, &ref, &alt, NULL, 1);
    metcn_somatic_t s;
    ck_assert_int_eq(metcn_somatic_measure(want, got, 0.95, NULL, &s), 0);
    ck_assert_int_eq(s.status, METCN_SOMATIC_ESTIMATED);
    ck_assert_uint_eq(s.n_used, 1);
    ck_assert_double_eq_tol(s.tf, 0.1, 1e-12);
    /* twice the Clopper-Pearson interval of 50 of 1000 */
    ck_assert_double_eq_tol(s.tf_lo, 2 * gsl_cdf_beta_Pinv(0.025, 50, 951), 1e-9);
    ck_assert_double_eq_tol(s.tf_hi, 2 * gsl_cdf_beta_Qinv(0.025, 51, 950), 1e-9);
    ck_assert_double_eq_tol(s.v[0].vaf, 0.05, 1e-12);
    ck_assert(isnan(s.het_p)); /* one variant: no heterogeneity test */
    metcn_call_opt_t o;
    metcn_call_opt_init(&o);
    ck_assert_int_eq(metcn_somatic_as_opt(&s, &o), 1);
    ck_assert_int_eq(o.purity_source, METCN_PURITY_SOMATIC);
    ck_assert_str_eq(metcn_purity_source_name(o.purity_source), "somatic");
    ck_assert_double_eq(o.purity, s.tf);
    ck_assert_double_eq(o.purity_lo, s.tf_lo);
    ck_assert_int_eq(metcn_call_opt_check(&o), 0);
    metcn_somatic_free(&s);
    metcn_sites_destroy(want);
    metcn_sites_destroy(got);
}
END_TEST

/* 3 variants at 2,000 reads, TF 0.04 (VAF 0.02), errors 0.1% per base: over 400 samples the
 * pooled estimate is unbiased to 3%, its 95% interval holds the truth in >= 93%, and every
 * sample stands above the error background. */
START_TEST(test_model_coverage)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 18);
    const double tf = 0.04;
    int covered = 0, estimated = 0, reps = 400;
    double sum = 0;
    metcn_sites_t *want = mk_sites(3, NULL, NULL, NULL, 0);
    for (int k = 0; k < reps; k++) {
        uint32_t ref[3], alt[3], oth[3];
        for (int i = 0; i < 3; i++)
            draw(r, 2000, tf, 0.001, &ref[i], &alt[i], &oth[i]);
        metcn_sites_t *got = mk_sites(3, ref, alt, oth, 1);
        metcn_somatic_t s;
        ck_assert_int_eq(metcn_somatic_measure(want, got, 0.95, NULL, &s), 0);
        estimated += s.status == METCN_SOMATIC_ESTIMATED;
        covered += s.tf_lo <= tf && tf <= s.tf_hi;
        sum += s.tf;
        metcn_somatic_free(&s);
        metcn_sites_destroy(got);
    }
    ck_assert_int_eq(estimated, reps);
    ck_assert_int_ge(covered, (int)(0.93 * reps));
    /* the error to the ALT base (e (1 - VAF) ~ 0.001 on the VAF, 5% of this fraction) is taken
     * out with the rate measured on the other two bases */
    ck_assert_double_eq_tol(sum / reps, tf, 0.02 * tf);
    metcn_sites_destroy(want);
    gsl_rng_free(r);
}
END_TEST

/* A healthy donor (TF 0), errors only: the ALT reads do not stand above the background, so
 * the fraction is an upper bound (below 1% at 3 x 2,000 reads) in all but a few samples. */
START_TEST(test_healthy_upper_bound)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 19);
    int upper = 0, reps = 400;
    metcn_sites_t *want = mk_sites(3, NULL, NULL, NULL, 0);
    for (int k = 0; k < reps; k++) {
        uint32_t ref[3], alt[3], oth[3];
        for (int i = 0; i < 3; i++)
            draw(r, 2000, 0, 0.001, &ref[i], &alt[i], &oth[i]);
        metcn_sites_t *got = mk_sites(3, ref, alt, oth, 1);
        metcn_somatic_t s;
        ck_assert_int_eq(metcn_somatic_measure(want, got, 0.95, NULL, &s), 0);
        if (s.status == METCN_SOMATIC_UPPER_BOUND) {
            upper++;
            ck_assert_double_eq(s.tf_lo, METCN_TF_FLOOR);
            ck_assert_double_lt(s.tf_hi, 0.01);
            ck_assert(s.tf >= s.tf_lo && s.tf <= s.tf_hi);
        }
        metcn_somatic_free(&s);
        metcn_sites_destroy(got);
    }
    ck_assert_int_ge(upper, reps - 4);
    metcn_sites_destroy(want);
    gsl_rng_free(r);
}
END_TEST

/* Two clonal variants at VAF 0.02 and a subclonal one at 0.005 (5,000 reads each): the
 * fractions differ, so the estimate is their median (the clonal 0.04) with the hull of the
 * three intervals. */
START_TEST(test_heterogeneous)
{
    uint32_t ref[3] = {4900, 4900, 4975}, alt[3] = {100, 100, 25}, oth[3] = {0, 0, 0};
    metcn_sites_t *want = mk_sites(3, NULL, NULL, NULL, 0), *got = mk_sites(3, ref, alt, oth, 1);
    metcn_somatic_t s;
    ck_assert_int_eq(metcn_somatic_measure(want, got, 0.95, NULL, &s), 0);
    ck_assert_int_eq(s.status, METCN_SOMATIC_ESTIMATED);
    ck_assert_int_eq(s.heterogeneous, 1);
    ck_assert_double_lt(s.het_p, 0.001);
    ck_assert_double_eq_tol(s.tf, 0.04, 1e-12);
    ck_assert_double_eq(s.tf_lo, s.v[2].tf_lo);
    ck_assert_double_eq(s.tf_hi, fmax(s.v[0].tf_hi, s.v[1].tf_hi));
    ck_assert_double_lt(s.tf_lo, 0.01);
    /* homogeneous when the third agrees */
    got->alt_count[2] = 100;
    got->ref_count[2] = 4900;
    metcn_somatic_free(&s);
    ck_assert_int_eq(metcn_somatic_measure(want, got, 0.95, NULL, &s), 0);
    ck_assert_int_eq(s.heterogeneous, 0);
    ck_assert_double_gt(s.het_p, 0.5);
    ck_assert_double_eq_tol(s.tf, 0.04, 1e-12);
    metcn_somatic_free(&s);
    metcn_sites_destroy(want);
    metcn_sites_destroy(got);
}
END_TEST

/* What cannot be measured: a position the sample did not count, one counted with other
 * alleles, a table without counts, too few reads; and the germline sites kept apart. */
START_TEST(test_not_counted_and_shallow)
{
    uint32_t ref[2] = {20, 500}, alt[2] = {5, 10};
    metcn_sites_t *want = mk_sites(1, NULL, NULL, NULL, 0), *got = mk_sites(2, ref, alt, NULL, 1);
    metcn_somatic_t s;
    want->pos[0] = 1500; /* between the counted sites */
    ck_assert_int_eq(metcn_somatic_measure(want, got, 0.95, NULL, &s), 0);
    ck_assert_int_eq(s.status, METCN_SOMATIC_NOT_COUNTED);
    ck_assert_str_eq(metcn_somatic_status_name(s.status), "not_counted");
    metcn_somatic_free(&s);
    want->pos[0] = 2000;
    want->alt[0] = 'G'; /* the sample counted A>C there */
    ck_assert_int_eq(metcn_somatic_measure(want, got, 0.95, NULL, &s), 0);
    ck_assert_int_eq(s.status, METCN_SOMATIC_NOT_COUNTED);
    metcn_somatic_free(&s);
    ck_assert_int_eq(metcn_somatic_measure(want, NULL, 0.95, NULL, &s), 0);
    ck_assert_int_eq(s.status, METCN_SOMATIC_NOT_COUNTED);
    metcn_somatic_free(&s);
    want->pos[0] = 1000;
    want->alt[0] = 'C'; /* 25 reads: below min_depth 50 */
    ck_assert_int_eq(metcn_somatic_measure(want, got, 0.95, NULL, &s), 0);
    ck_assert_int_eq(s.status, METCN_SOMATIC_NO_DEPTH);
    metcn_somatic_free(&s);
    /* the sample carries another ALT there: its reads count as neither allele -> an error */
    want->pos[0] = 2000;
    got->other_count[1] = 100; /* 100 of 610 reads */
    ck_assert_int_eq(metcn_somatic_measure(want, got, 0.95, NULL, &s), METCN_E_FORMAT);
    ck_assert_ptr_nonnull(strstr(metcn_last_error(), "do not match the reads"));
    metcn_somatic_free(&s);
    got->other_count[1] = 0;
    want->pos[0] = 1000;
    ck_assert_int_eq(metcn_somatic_measure(want, got, 0.95, NULL, &s), 0);
    ck_assert_int_eq(s.max_depth, 25);
    ck_assert(isnan(s.tf));
    metcn_call_opt_t o;
    metcn_call_opt_init(&o);
    ck_assert_int_eq(metcn_somatic_as_opt(&s, &o), 0);
    ck_assert_int_eq(o.purity_source, METCN_PURITY_ASSUMED);
    metcn_somatic_free(&s);
    /* the fit's sites: the somatic one left out, the others as counted */
    metcn_sites_t *germ = metcn_sites_without(got, want);
    ck_assert_ptr_nonnull(germ);
    ck_assert_uint_eq(germ->n, 1);
    ck_assert_int_eq(germ->pos[0], 2000);
    ck_assert_uint_eq(germ->ref_count[0], 500);
    ck_assert_uint_eq(germ->alt_count[0], 10);
    metcn_sites_destroy(germ);
    metcn_sites_destroy(want);
    metcn_sites_destroy(got);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("somatic");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_one_variant_by_hand);
    tcase_add_test(tc, test_model_coverage);
    tcase_add_test(tc, test_healthy_upper_bound);
    tcase_add_test(tc, test_heterogeneous);
    tcase_add_test(tc, test_not_counted_and_shallow);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    metcn_init(); /* GSL errors come back as codes (the beta quantile's fallback) */
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
