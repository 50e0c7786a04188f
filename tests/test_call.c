/* test_call.c -- the caller's statistics and decisions against known truth.
 *
 * Besides the building blocks, a self-contained grid: normalised copy ratios are drawn from
 * the model the caller assumes (log2 of the purity-mixed copy ratio plus Gaussian noise with
 * the per-bin SD the PoN reports) on the built-in GRCh38 genome layout, so every assertion
 * compares a call with the truth that generated it.  The read-level grid (BAM/CRAM from the
 * simulator) is tested in tests/cli/call_grid.sh. */
#include <check.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "metcn/call.h"
#include "metcn/metcn.h"
#include "metcn/pon.h"
#include "metcn/panel.h"
#include "call/stages.h"

/* ---- building blocks ----------------------------------------------------------------------- */

START_TEST(test_cn_formula)
{
    /* domain notes: p = 0.3, log2 R = 1 -> C = (2*(0.6+1.4) - 1.4)/0.3 = 8.667 */
    ck_assert_double_eq_tol(metcn_cn_from_ratio(2.0, 0.3, 2.0), 2.6 / 0.3, 1e-12);
    /* R = 1 is the ploidy whatever the purity */
    ck_assert_double_eq_tol(metcn_cn_from_ratio(1.0, 0.2, 2.0), 2.0, 1e-12);
    ck_assert_double_eq_tol(metcn_cn_from_ratio(1.0, 0.5, 3.0), 3.0, 1e-12);
    /* purity 1: C = R P */
    ck_assert_double_eq_tol(metcn_cn_from_ratio(3.0, 1.0, 2.0), 6.0, 1e-12);
    /* inverse of the mixing model for a grid of C, p */
    for (double p = 0.1; p <= 1.0; p += 0.1)
        for (double cn = 0; cn <= 40; cn += 1.5) {
            double r = (p * cn + 2 * (1 - p)) / 2.0;
            ck_assert_double_eq_tol(metcn_cn_from_ratio(r, p, 2.0), cn, 1e-9);
        }
}
END_TEST

START_TEST(test_cn_interval_floor_and_purity)
{
    metcn_level_t lv = {0};
    lv.est = log2(0.5);
    lv.lo = lv.est - 0.2;
    lv.hi = lv.est + 0.2;
    /* p = 0.3: C = (0.5*2 - 1.4)/0.3 < 0 -> floored at 0, upper bound raised by the floor */
    metcn_cn_t c = metcn_cn_interval(&lv, 0.3, 0.3, 0.3, 2.0);
    double raw = metcn_cn_from_ratio(0.5, 0.3, 2.0),
           rawhi = metcn_cn_from_ratio(exp2(lv.hi), 0.3, 2);
    ck_assert(raw < 0);
    ck_assert_int_eq(c.floored, 1);
    ck_assert_double_eq(c.cn, 0);
    ck_assert_double_eq(c.lo, 0);
    ck_assert_double_eq_tol(c.hi, rawhi - raw, 1e-9); /* widened by the floor */
    /* purity range widens the interval: hull of the corners */
    lv.est = 1.0;
    lv.lo = 0.9;
    lv.hi = 1.1;
    metcn_cn_t a = metcn_cn_interval(&lv, 0.4, 0.4, 0.4, 2.0);
    metcn_cn_t b = metcn_cn_interval(&lv, 0.4, 0.3, 0.5, 2.0);
    ck_assert_double_eq_tol(a.cn, b.cn, 1e-12);
    ck_assert(b.lo < a.lo && b.hi > a.hi);
    ck_assert_double_eq_tol(b.hi, metcn_cn_from_ratio(exp2(1.1), 0.3, 2.0), 1e-9);
    ck_assert_double_eq_tol(b.lo, metcn_cn_from_ratio(exp2(0.9), 0.5, 2.0), 1e-9);
}
END_TEST

START_TEST(test_ratio_mover)
{
    metcn_cn_t num = {10, 8, 12.5, 0}, den = {2, 2, 2, 0};
    double r, lo, hi;
    metcn_cn_ratio(&num, &den, &r, &lo, &hi);
    /* exact denominator: the interval is the numerator's over den */
    ck_assert_double_eq_tol(r, 5, 1e-12);
    ck_assert_double_eq_tol(lo, 4, 1e-12);
    ck_assert_double_eq_tol(hi, 6.25, 1e-12);
    /* an uncertain denominator widens it on the log scale in quadrature */
    metcn_cn_t den2 = {2, 2 / 1.1, 2 * 1.1, 0};
    metcn_cn_ratio(&num, &den2, &r, &lo, &hi);
    ck_assert_double_eq_tol(lo, 5 * exp(-sqrt(pow(log(1.25), 2) + pow(log(1.1), 2))), 1e-9);
    ck_assert_double_eq_tol(hi, 5 * exp(sqrt(pow(log(1.25), 2) + pow(log(1.1), 2))), 1e-9);
    /* denominator 0: undefined */
    metcn_cn_t z = {0, 0, 1, 1};
    metcn_cn_ratio(&num, &z, &r, &lo, &hi);
    ck_assert(isnan(r));
}
END_TEST

START_TEST(test_tiers)
{
    /* Every preset against its published boundaries (docs/method.md section 6); NaN ratio is
     * the first tier. */
    static const struct {
        const char *crit;
        double ratio, cn;
        const char *tier;
    } cases[] = {
        {"camidge", 1.0, 2, "negative"},
        {"camidge", 1.79, 9, "negative"},
        {"camidge", 1.8, 2, "low"},
        {"camidge", 2.2, 2, "low"},
        {"camidge", 2.21, 2, "intermediate"},
        {"camidge", 4.99, 2, "intermediate"},
        {"camidge", 5.0, 2, "high"},
        {"profile2021", 3.99, 2, "intermediate"},
        {"profile2021", 4.0, 2, "high"},
        {"PROFILE2021", 1.9, 2, "low"},
        {"camidge", NAN, 2, "negative"},
        /* ASCO/CAP 2018 dual-probe groups */
        {"asco-cap-2018", 2.0, 4.0, "group1"},
        {"asco-cap-2018", 3.0, 12, "group1"},
        {"asco-cap-2018", 2.0, 3.99, "group2"},
        {"asco-cap-2018", 1.99, 6.0, "group3"},
        {"asco-cap-2018", 1.5, 5.99, "group4"},
        {"asco-cap-2018", 1.5, 4.0, "group4"},
        {"asco-cap-2018", 1.99, 3.99, "group5"},
        {"asco-cap-2018", 1.0, 2, "group5"},
        /* Colorado EGFR: amplified by ratio or by >= 15 copies; high polysomy >= 4 copies */
        {"colorado", 2.0, 3, "amplified"},
        {"colorado", 1.5, 15, "amplified"},
        {"colorado", 1.5, 4, "high_polysomy"},
        {"colorado", 1.99, 3.99, "negative"},
        {"ratio2", 2.0, 2, "amplified"},
        {"ratio2", 1.99, 40, "not_amplified"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const metcn_criteria_t *c = metcn_criteria_get(cases[i].crit);
        ck_assert_ptr_nonnull(c);
        int t = metcn_criteria_tier(c, cases[i].ratio, cases[i].cn);
        ck_assert_msg(strcmp(metcn_criteria_tier_name(c, t), cases[i].tier) == 0,
                      "%s ratio %g cn %g: %s, expected %s", cases[i].crit, cases[i].ratio,
                      cases[i].cn, metcn_criteria_tier_name(c, t), cases[i].tier);
        ck_assert_int_eq(metcn_criteria_tier_parse(c, cases[i].tier), t);
    }
    ck_assert_ptr_null(metcn_criteria_get("fish"));
    ck_assert_str_eq(metcn_criteria_default("MET")->name, "camidge");
    ck_assert_str_eq(metcn_criteria_default("erbb2")->name, "asco-cap-2018");
    ck_assert_str_eq(metcn_criteria_default("EGFR")->name, "colorado");
    ck_assert_str_eq(metcn_criteria_default("KRAS")->name, "ratio2");
    ck_assert_int_eq(metcn_criteria_uses_cn(metcn_criteria_get("camidge")), 0);
    ck_assert_int_eq(metcn_criteria_uses_cn(metcn_criteria_get("asco-cap-2018")), 1);
    /* custom ratio tiers: the Camidge shape with other cut-offs */
    metcn_criteria_t cu;
    metcn_criteria_ratio_tiers(&cu, 1.5, 2.5, 6);
    ck_assert_str_eq(metcn_criteria_tier_name(&cu, metcn_criteria_tier(&cu, 2.5, 2)), "low");
    ck_assert_str_eq(metcn_criteria_tier_name(&cu, metcn_criteria_tier(&cu, 5.9, 2)),
                     "intermediate");
    ck_assert_str_eq(metcn_criteria_tier_name(&cu, metcn_criteria_tier(&cu, 6, 2)), "high");
    /* spans: an interval box meeting more than one tier (equivocal) */
    const metcn_criteria_t *cam = metcn_criteria_get("camidge"),
                           *asco = metcn_criteria_get("asco-cap-2018");
    ck_assert_int_eq(metcn_criteria_spans(cam, 1.9, 2.1, 0, 100), 0);
    ck_assert_int_eq(metcn_criteria_spans(cam, 1.7, 1.9, 3, 3), 1);
    ck_assert_int_eq(metcn_criteria_spans(cam, 2.3, 4.9, 3, 30), 0);
    ck_assert_int_eq(metcn_criteria_spans(asco, 2.5, 3.0, 4.5, 9), 0);   /* all group 1 */
    ck_assert_int_eq(metcn_criteria_spans(asco, 2.5, 3.0, 3.5, 9), 1);   /* groups 1 and 2 */
    ck_assert_int_eq(metcn_criteria_spans(asco, 1.2, 1.6, 3.0, 7.0), 1); /* groups 5, 4, 3 */
    ck_assert_int_eq(metcn_criteria_spans(asco, 1.2, 1.6, 4.2, 5.8), 0); /* all group 4 */
}
END_TEST

START_TEST(test_qc_records)
{
    /* names unique and rendered as name=value>threshold (or name=value) */
    for (int a = 0; a < METCN_QC_N_CODES; a++) {
        ck_assert(strlen(metcn_qc_code_protects((metcn_qc_code_t)a)) > 10);
        for (int b = 0; b < a; b++)
            ck_assert_str_ne(metcn_qc_code_name((metcn_qc_code_t)a),
                             metcn_qc_code_name((metcn_qc_code_t)b));
    }
    char buf[64];
    metcn_qc_rec_t r = {METCN_QC_MAPD, METCN_QC_FAIL, 0.6, 0.5};
    ck_assert_str_eq(metcn_qc_rec_str(&r, buf, sizeof buf), "mapd=0.6>0.5");
    r = (metcn_qc_rec_t){METCN_QC_DEPTH, METCN_QC_WARN, 20, 30};
    ck_assert_str_eq(metcn_qc_rec_str(&r, buf, sizeof buf), "depth=20<30");
    r = (metcn_qc_rec_t){METCN_QC_GENE_BINS_EXCLUDED, METCN_QC_PASS, 2, NAN};
    ck_assert_str_eq(metcn_qc_rec_str(&r, buf, sizeof buf), "gene_bins_excluded=2");
    /* a call's records raise its level and join with ';' */
    metcn_call_t c;
    memset(&c, 0, sizeof c);
    char *q = metcn_call_qc_string(&c);
    ck_assert_str_eq(q, ".");
    free(q);
    ck_assert_int_eq(metcn_call_add_qc(&c, METCN_QC_PON_NORMALS, METCN_QC_WARN, 5, 10), 0);
    ck_assert_int_eq(c.qc, METCN_QC_WARN);
    ck_assert_int_eq(metcn_call_add_qc(&c, METCN_QC_GENE_BINS_EXCLUDED, METCN_QC_PASS, 1, NAN), 0);
    ck_assert_int_eq(c.qc, METCN_QC_WARN);
    q = metcn_call_qc_string(&c);
    ck_assert_str_eq(q, "pon_normals=5<10;gene_bins_excluded=1");
    free(q);
    free(c.qc_rec);
}
END_TEST

START_TEST(test_opt_check)
{
    /* each bad option is refused with a message naming it */
    static const struct {
        const char *name;
        size_t off;
        double v;
        int is_int;
    } cases[] = {
        {"purity", offsetof(metcn_call_opt_t, purity), 1.5, 0},
        {"ploidy", offsetof(metcn_call_opt_t, ploidy), 0, 0},
        {"confidence", offsetof(metcn_call_opt_t, conf), 1.0, 0},
        {"huber_k", offsetof(metcn_call_opt_t, huber_k), 0, 0},
        {"gcn_gain", offsetof(metcn_call_opt_t, gcn_gain), 6, 0},
        {"mapd_warn", offsetof(metcn_call_opt_t, mapd_warn), 0.6, 0},
        {"depth_fail", offsetof(metcn_call_opt_t, depth_fail), 40, 0},
        {"gc_warn", offsetof(metcn_call_opt_t, gc_warn), 0.5, 0},
        {"noise_warn", offsetof(metcn_call_opt_t, noise_warn), 0, 0},
        {"min_control_bins", offsetof(metcn_call_opt_t, min_control_bins), 0, 1},
        {"focal_min_z", offsetof(metcn_call_opt_t, focal_min_z), -1, 0},
    };
    metcn_call_opt_t o;
    metcn_call_opt_init(&o);
    ck_assert_int_eq(metcn_call_opt_check(&o), 0);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        metcn_call_opt_init(&o);
        if (cases[i].is_int)
            *(int *)((char *)&o + cases[i].off) = (int)cases[i].v;
        else
            *(double *)((char *)&o + cases[i].off) = cases[i].v;
        ck_assert_msg(metcn_call_opt_check(&o) == METCN_E_ARG, "%s accepted", cases[i].name);
        ck_assert_msg(strstr(metcn_last_error(), cases[i].name) != NULL, "%s: message '%s'",
                      cases[i].name, metcn_last_error());
    }
}
END_TEST

START_TEST(test_purity_parse)
{
    static const struct {
        const char *s;
        int ret;
        double p, lo, hi;
    } cases[] = {
        {"0.4", 0, 0.4, 0.4, 0.4},        {"1", 0, 1, 1, 1},
        {"0.4+-0.1", 0, 0.4, 0.3, 0.5},   {"0.9+-0.2", 0, 0.9, 0.7, 1.0},
        {"0.3-0.5", 0, 0.4, 0.3, 0.5},    {"0", METCN_E_RANGE, 0, 0, 0},
        {"1.2", METCN_E_RANGE, 0, 0, 0},  {"-0.2", METCN_E_RANGE, 0, 0, 0},
        {"abc", METCN_E_FORMAT, 0, 0, 0}, {"0.5-0.3", METCN_E_RANGE, 0, 0, 0},
        {"", METCN_E_FORMAT, 0, 0, 0},    {"0.4+-", METCN_E_FORMAT, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double p = -1, lo = -1, hi = -1;
        int r = metcn_purity_parse(cases[i].s, &p, &lo, &hi);
        ck_assert_msg(r == cases[i].ret, "'%s': ret %d", cases[i].s, r);
        if (r == 0) {
            ck_assert_msg(fabs(p - cases[i].p) < 1e-12 && fabs(lo - cases[i].lo) < 1e-12 &&
                              fabs(hi - cases[i].hi) < 1e-12,
                          "'%s': %g %g %g", cases[i].s, p, lo, hi);
        }
    }
}
END_TEST

START_TEST(test_level_coverage)
{
    /* Intervals of the Huber level cover the true level at the nominal rate: 2000
     * replicates, 95% interval; binomial SD of the rate is 0.0049, tolerance 4 SD. */
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 7);
    for (int nb = 2; nb <= 40; nb *= 4) {
        int covered = 0, reps = 2000;
        double x[40], sd[40];
        for (int r = 0; r < reps; r++) {
            for (int i = 0; i < nb; i++) {
                sd[i] = 0.1 + 0.2 * gsl_rng_uniform(rng);
                x[i] = 1.5 + gsl_ran_gaussian(rng, sd[i]);
            }
            metcn_level_t lv;
            ck_assert_int_eq(metcn_level_estimate(x, sd, (size_t)nb, 2.0, 0.95, &lv), 0);
            covered += lv.lo <= 1.5 && 1.5 <= lv.hi;
        }
        double rate = (double)covered / reps;
        ck_assert_msg(rate > 0.95 - 4 * 0.0049, "n=%d coverage %.3f", nb, rate);
        ck_assert_msg(rate < 0.995, "n=%d coverage %.3f (too conservative)", nb, rate);
    }
    gsl_rng_free(rng);
}
END_TEST

START_TEST(test_level_robust_not_dropping)
{
    double x[20], sd[20];
    for (int i = 0; i < 20; i++) {
        x[i] = 2.0 + ((i % 2) ? 0.05 : -0.05);
        sd[i] = 0.1;
    }
    metcn_level_t lv;
    ck_assert_int_eq(metcn_level_estimate(x, sd, 20, 2.0, 0.95, &lv), 0);
    ck_assert_double_eq_tol(lv.est, 2.0, 1e-9);
    ck_assert_double_eq_tol(lv.se_model, 0.1 / sqrt(20), 1e-12);
    ck_assert(lv.se >= lv.se_model);
    /* one wild bin is down-weighted, not dropped: it still pulls the level a little */
    x[3] = 6.0;
    ck_assert_int_eq(metcn_level_estimate(x, sd, 20, 2.0, 0.95, &lv), 0);
    ck_assert_int_eq(lv.n, 20);
    ck_assert_int_eq(lv.n_downweighted, 1);
    ck_assert(lv.est > 2.0 && lv.est < 2.0 + 4.0 / 20);
    /* NaN and sd <= 0 skipped; nothing usable is TOOFEW */
    double xn[3] = {NAN, 1.0, 2.0}, sn[3] = {0.1, 0.0, NAN};
    ck_assert_int_eq(metcn_level_estimate(xn, sn, 3, 2.0, 0.95, &lv), METCN_E_TOOFEW);
    ck_assert_int_eq(lv.n, 0);
    /* a single value: the model SE with a normal quantile */
    double one = 0.7, s1 = 0.2;
    ck_assert_int_eq(metcn_level_estimate(&one, &s1, 1, 2.0, 0.95, &lv), 0);
    ck_assert_double_eq_tol(lv.hi - lv.est, 1.959964 * 0.2, 1e-5);
}
END_TEST

START_TEST(test_segment_steps)
{
    /* 0 for 60, 1.0 for 8 (a focal event), 0 for 60, one lone outlier that must not split */
    double x[128], w[128];
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 3);
    for (int i = 0; i < 128; i++) {
        w[i] = 1 / (0.1 * 0.1);
        x[i] = (i >= 60 && i < 68 ? 1.0 : 0.0) + gsl_ran_gaussian(rng, 0.1);
    }
    x[100] += 1.5;
    size_t *st = NULL, ns = 0;
    ck_assert_int_eq(metcn_segment(x, w, 128, 16, &st, &ns), 0);
    ck_assert_uint_eq(ns, 3);
    ck_assert_uint_eq(st[0], 0);
    ck_assert_uint_eq(st[1], 60);
    ck_assert_uint_eq(st[2], 68);
    free(st);
    /* pure noise: one segment */
    for (int i = 0; i < 128; i++)
        x[i] = gsl_ran_gaussian(rng, 0.1);
    ck_assert_int_eq(metcn_segment(x, w, 128, 16, &st, &ns), 0);
    ck_assert_uint_eq(ns, 1);
    free(st);
    gsl_rng_free(rng);
}
END_TEST

/* ---- plasma: tumour fraction, detection limit ---------------------------------------------- */

START_TEST(test_tf_and_vaf_parse)
{
    /* --tumour-fraction: the purity grammar with a lower floor of 0.001 for F+-D */
    static const struct {
        const char *s;
        int ret;
        double f, lo, hi;
    } tf[] = {
        {"0.05", 0, 0.05, 0.05, 0.05},
        {"0.005+-0.002", 0, 0.005, 0.003, 0.007},
        {"0.005+-0.01", 0, 0.005, METCN_TF_FLOOR, 0.015}, /* purity would floor at 0.01 > F */
        {"0.02-0.04", 0, 0.03, 0.02, 0.04},
        {"0", METCN_E_RANGE, 0, 0, 0},
        {"1.5", METCN_E_RANGE, 0, 0, 0},
        {"x", METCN_E_FORMAT, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof tf / sizeof tf[0]; i++) {
        double f = -1, lo = -1, hi = -1;
        int r = metcn_tf_parse(tf[i].s, &f, &lo, &hi);
        ck_assert_msg(r == tf[i].ret, "'%s': ret %d", tf[i].s, r);
        if (r == 0)
            ck_assert_msg(fabs(f - tf[i].f) < 1e-12 && fabs(lo - tf[i].lo) < 1e-12 &&
                              fabs(hi - tf[i].hi) < 1e-12,
                          "'%s': %g %g %g", tf[i].s, f, lo, hi);
    }
    /* the purity keeps its own floor: 0.005+-0.01 has no range there */
    double p, pl, ph;
    ck_assert_int_eq(metcn_purity_parse("0.005+-0.01", &p, &pl, &ph), 0);
    ck_assert_double_eq(pl, 0.005);
    /* --vaf V[:DEPTH] */
    static const struct {
        const char *s;
        int ret;
        double v;
        int64_t d;
    } vaf[] = {
        {"0.05", 0, 0.05, 0},
        {"0.05:1000", 0, 0.05, 1000},
        {"0.5", 0, 0.5, 0},
        {"0.6", METCN_E_RANGE, 0, 0},
        {"0", METCN_E_RANGE, 0, 0},
        {"0.1:0", METCN_E_RANGE, 0, 0},
        {"0.1:x", METCN_E_FORMAT, 0, 0},
        {"0.1:", METCN_E_FORMAT, 0, 0},
        {":100", METCN_E_FORMAT, 0, 0},
        {"abc", METCN_E_FORMAT, 0, 0},
    };
    for (size_t i = 0; i < sizeof vaf / sizeof vaf[0]; i++) {
        double v = -1;
        int64_t d = -1;
        int r = metcn_vaf_parse(vaf[i].s, &v, &d);
        ck_assert_msg(r == vaf[i].ret, "vaf '%s': ret %d", vaf[i].s, r);
        if (r == 0)
            ck_assert_msg(v == vaf[i].v && d == vaf[i].d, "vaf '%s': %g %lld", vaf[i].s, v,
                          (long long)d);
    }
}
END_TEST

START_TEST(test_tf_from_vaf)
{
    metcn_init(); /* GSL's abort handler off */
    double tf, lo, hi;
    /* without a depth the VAF is exact: TF = 2 VAF */
    ck_assert_int_eq(metcn_tf_from_vaf(0.04, 0, 0.95, &tf, &lo, &hi), 0);
    ck_assert_double_eq_tol(tf, 0.08, 1e-15);
    ck_assert(lo == tf && hi == tf);
    /* with a depth: twice the Clopper-Pearson bounds, which are defined by the binomial tails
     * P(X >= x | lo) = P(X <= x | hi) = 2.5% (checked here with GSL's binomial CDF) */
    ck_assert_int_eq(metcn_tf_from_vaf(0.05, 1000, 0.95, &tf, &lo, &hi), 0);
    ck_assert_double_eq_tol(tf, 0.1, 1e-15);
    ck_assert_double_eq_tol(gsl_cdf_binomial_Q(49, lo / 2, 1000), 0.025, 1e-6);
    ck_assert_double_eq_tol(gsl_cdf_binomial_P(50, hi / 2, 1000), 0.025, 1e-6);
    ck_assert(lo > 0.07 && lo < 0.1 && hi > 0.1 && hi < 0.14);
    /* coverage: the interval holds the true TF in >= 95% of binomial draws (exact intervals
     * are conservative), for a low and a high fraction */
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 23);
    const double truth[] = {0.02, 0.3};
    for (int k = 0; k < 2; k++) {
        int cov = 0, reps = 2000, depth = 800;
        for (int r = 0; r < reps; r++) {
            unsigned x = gsl_ran_binomial(rng, truth[k] / 2, (unsigned)depth);
            if (x == 0)
                x = 1; /* --vaf needs V > 0; the interval still comes from x */
            int rc = metcn_tf_from_vaf((double)x / depth, depth, 0.95, &tf, &lo, &hi);
            ck_assert_msg(rc == 0, "x %u: %s", x, metcn_last_error());
            cov += lo <= truth[k] && truth[k] <= hi;
        }
        ck_assert_msg(cov >= 0.95 * reps - 4 * sqrt(reps * 0.05 * 0.95), "TF %g coverage %d/%d",
                      truth[k], cov, reps);
    }
    gsl_rng_free(rng);
    /* the bounds stay in [floor, 1]: a VAF of 0.5 is TF 1 */
    ck_assert_int_eq(metcn_tf_from_vaf(0.5, 40, 0.95, &tf, &lo, &hi), 0);
    ck_assert_double_eq(tf, 1);
    ck_assert_double_eq(hi, 1);
    ck_assert(lo < 1 && lo > 0.5);
    ck_assert_int_eq(metcn_tf_from_vaf(0.0005, 100, 0.95, &tf, &lo, &hi), 0); /* x = 0 */
    ck_assert_double_eq(lo, METCN_TF_FLOOR);
    ck_assert_int_eq(metcn_tf_from_vaf(0.6, 100, 0.95, &tf, &lo, &hi), METCN_E_ARG);
    /* 16 of 800: GSL's beta quantile does not converge for the lower bound; the bisection
     * fallback meets the tail definition */
    ck_assert_int_eq(metcn_clopper_pearson(16, 800, 0.95, &lo, &hi), 0);
    ck_assert_double_eq_tol(gsl_cdf_binomial_Q(15, lo, 800), 0.025, 1e-6);
    ck_assert_double_eq_tol(gsl_cdf_binomial_P(16, hi, 800), 0.025, 1e-6);
}
END_TEST

/* The detection conditions of metcn_lod_tf() evaluated directly at fraction f (no squaring, no
 * closed form): min(significance margin, amount margin), >= 0 when both hold with power. */
static double lod_margin(double f, double cn, const metcn_lod_model_t *m)
{
    double s = sqrt(m->sd_gene * m->sd_gene + m->sd_control * m->sd_control);
    double e = log2(1 + f * (cn - 2) / 2);
    double sig = e - (m->z_detect + m->z_power) * s;
    double amount = e - m->z_power * s - log2(1 + (m->min_ratio - 1) * f);
    return sig < amount ? sig : amount;
}

START_TEST(test_lod_tf_closed_vs_root)
{
    /* The closed form against a bisection root of the conditions themselves, over a grid of
     * copy numbers, noise levels and minimum ratios; INFINITY exactly when no f <= 1 works. */
    int n_finite = 0, n_inf = 0;
    for (double cn = 3; cn <= 40; cn *= 1.3)
        for (double sg = 0.01; sg <= 0.3; sg *= 1.6)
            for (double mr = 1.2; mr <= 3; mr += 0.6) {
                metcn_lod_model_t m = {sg, sg / 3, 1.959964, 1.644854, mr};
                double closed = metcn_lod_tf(cn, &m);
                /* the margin rises with f: find where it crosses 0 */
                double lo = 1e-9, hi = 1;
                if (lod_margin(1, cn, &m) < 0) {
                    ck_assert_msg(isinf(closed), "cn %g sg %g mr %g: closed %g, none at f=1", cn,
                                  sg, mr, closed);
                    n_inf++;
                    continue;
                }
                for (int it = 0; it < 200; it++) {
                    double mid = 0.5 * (lo + hi);
                    if (lod_margin(mid, cn, &m) >= 0)
                        hi = mid;
                    else
                        lo = mid;
                }
                ck_assert_msg(fabs(closed - hi) < 1e-9,
                              "cn %g sg %g mr %g: closed %.12g root %.12g", cn, sg, mr, closed, hi);
                n_finite++;
            }
    ck_assert(n_finite > 50 && n_inf > 10);
    /* a known value: S = sqrt(0.03^2 + 0.01^2), 10 copies, ratio 2 */
    metcn_lod_model_t m = {0.03, 0.01, 1.959964, 1.644854, 2};
    double s = sqrt(0.001), f1 = (exp2(3.604818 * s) - 1) / 4, a = exp2(1.644854 * s);
    double f2 = (a - 1) / (4 - a);
    ck_assert_double_eq_tol(metcn_lod_tf(10, &m), f1 > f2 ? f1 : f2, 1e-6);
    /* no excess, or an excess too small for the ratio, is never detected */
    ck_assert(isinf(metcn_lod_tf(2, &m)));
    ck_assert(isinf(metcn_lod_tf(4, &m))); /* 4 copies: ratio 2 needs exactly 2x, no room */
    ck_assert(isnan(metcn_lod_tf(10, &(metcn_lod_model_t){-1, 0, 2, 2, 2})));
    /* more noise, a higher limit; more copies, a lower one */
    metcn_lod_model_t m2 = m;
    m2.sd_gene = 0.06;
    ck_assert(metcn_lod_tf(10, &m2) > metcn_lod_tf(10, &m));
    ck_assert(metcn_lod_tf(20, &m) < metcn_lod_tf(10, &m));
    ck_assert(metcn_lod_tf(10, &m) < metcn_lod_tf(5, &m));
}
END_TEST

/* ---- synthetic normalised samples on the genome layout -------------------------------------- */

static metcn_panel_t *panel;
static metcn_gene_t *gene, *egfr, *erbb2; /* views: MET (the panel's), EGFR and ERBB2 */

/* ERBB2 and EGFR extents (GRCh38, 1-based inclusive for the region string) */
#define ERBB2_REGION "chr17:39687915-39730426"
#define EGFR_REGION "chr7:55019017-55211628"

static void setup(void)
{
    metcn_init();
    metcn_panel_opt_t o;
    metcn_panel_opt_init(&o);
    o.bin_size = 1000000;
    panel = metcn_panel_load("grch38", &o, NULL);
    ck_assert_ptr_nonnull(panel);
    gene = metcn_panel_gene(panel, "MET", NULL);
    metcn_gene_opt_t go;
    metcn_gene_opt_init(&go);
    go.region = EGFR_REGION;
    egfr = metcn_panel_gene(panel, "EGFR", &go);
    go.region = ERBB2_REGION;
    erbb2 = metcn_panel_gene(panel, "ERBB2", &go);
    ck_assert_ptr_nonnull(gene);
    ck_assert_ptr_nonnull(egfr);
    ck_assert_ptr_nonnull(erbb2);
}

static void teardown(void)
{
    metcn_gene_destroy(gene);
    metcn_gene_destroy(egfr);
    metcn_gene_destroy(erbb2);
    metcn_panel_destroy(panel);
}

typedef struct {
    double met_cn, chr7_cn, purity, egfr_cn; /* egfr_cn < 0: none */
    double chr7q_cn;                         /* < 0: same as chr7 */
    double noise;                            /* per-bin SD scale (tiles); exons x2.5 */
    double erbb2_cn;                         /* > 0: ERBB2 amplicon (gene +- 1.5 Mb) */
} truth_t;

static metcn_cnr_t *make_cnr(const truth_t *t, gsl_rng *rng)
{
    metcn_cnr_t *c = calloc(1, sizeof *c);
    size_t n = panel->n_bins;
    c->n = n;
    c->log2 = malloc(n * sizeof(double));
    c->depth = malloc(n * sizeof(double));
    c->pon_sd = malloc(n * sizeof(double));
    c->weight = malloc(n * sizeof(double));
    c->excluded = calloc(n, sizeof(int));
    double p = t->purity;
    int64_t amp_s = gene->start - 1500000, amp_e = gene->end + 1500000;
    for (size_t i = 0; i < n; i++) {
        const metcn_bin_t *b = &panel->bins[i];
        double cn = 2.0;
        if (b->contig == gene->contig) {
            cn = (t->chr7q_cn >= 0 && gene->bin_arm[i] == 'q') ? t->chr7q_cn : t->chr7_cn;
            if (b->end > amp_s && b->start < amp_e)
                cn = t->met_cn;
            if (t->egfr_cn >= 0 && b->end > 54000000 && b->start < 56500000)
                cn = t->egfr_cn;
        }
        if (t->erbb2_cn > 0 && b->contig == erbb2->contig && b->end > erbb2->start - 1500000 &&
            b->start < erbb2->end + 1500000)
            cn = t->erbb2_cn;
        double sd = t->noise * (gene->role[i] == METCN_ROLE_TARGET ? 2.5 : 1.0) *
                    (0.8 + 0.4 * gsl_rng_uniform(rng));
        double r = (p * cn + 2 * (1 - p)) / 2.0;
        if (b->role == METCN_ROLE_SEX) {
            c->log2[i] = NAN;
            c->weight[i] = 0;
            c->excluded[i] = METCN_PON_NO_SEX_CENTRE;
        } else {
            c->log2[i] = log2(r) + gsl_ran_gaussian(rng, sd);
            c->weight[i] = 1 / (sd * sd);
        }
        c->pon_sd[i] = sd;
        c->depth[i] = 200 * r;
    }
    c->mapd = t->noise * 1.4826 * 0.6745 * M_SQRT2;
    c->gc_strength = 0.02;
    c->median_depth = 200;
    c->noise_scale = 1;
    return c;
}

static void free_cnr(metcn_cnr_t *c)
{
    free(c->log2);
    free(c->depth);
    free(c->pon_sd);
    free(c->weight);
    free(c->excluded);
    free(c);
}

static metcn_call_t *call_truth(const truth_t *t, gsl_rng *rng, int give_purity)
{
    metcn_call_opt_t o;
    metcn_call_opt_init(&o);
    if (give_purity) {
        o.purity = o.purity_lo = o.purity_hi = t->purity;
        o.purity_source = METCN_PURITY_GIVEN;
    }
    metcn_cnr_t *c = make_cnr(t, rng);
    metcn_call_t *call = metcn_call_run(gene, c, "s", &o);
    free_cnr(c);
    ck_assert_msg(call != NULL, "%s", metcn_last_error());
    return call;
}

static const char *truth_pattern(const truth_t *t)
{
    int amp = t->met_cn > t->chr7_cn, poly = t->chr7_cn >= 3;
    return amp && poly ? "focal_on_polysomy" : amp ? "focal" : poly ? "polysomy" : "none";
}

START_TEST(test_grid)
{
    static const double met[] = {2, 3, 4, 6, 8, 12, 20, 40};
    static const double pur[] = {0.1, 0.3, 0.6, 1.0};
    static const double c7[] = {2, 3, 4};
    const metcn_criteria_t *cam = metcn_criteria_get("camidge");
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 11);
    int n_cov = 0, n_cov_ok = 0, n_tier = 0, n_tier_ok = 0, n_amp = 0, n_amp_ok = 0;
    int n_pat = 0, n_pat_ok = 0, n_c7 = 0, n_c7_ok = 0, n_amp_det = 0, n_amp_det_ok = 0,
        n_small = 0, n_small_det = 0;
    for (int rep = 0; rep < 4; rep++)
        for (size_t a = 0; a < 8; a++)
            for (size_t b = 0; b < 4; b++)
                for (size_t d = 0; d < 3; d++) {
                    if (met[a] < c7[d])
                        continue; /* the grid has no MET losses */
                    truth_t t = {met[a], c7[d], pur[b], rep == 3 ? 25 : -1, -1, 0.12, 0};
                    metcn_call_t *c = call_truth(&t, rng, 1);
                    if (t.purity >= 0.3) {
                        n_cov++;
                        n_cov_ok += c->gene_cn.lo <= t.met_cn && t.met_cn <= c->gene_cn.hi;
                        n_c7++;
                        n_c7_ok += fabs(c->control_cn.cn - t.chr7_cn) < 0.25;
                    }
                    /* tier: a non-equivocal call must be right */
                    double ratio = t.met_cn / t.chr7_cn;
                    /* detection (the same rule as for plasma, TF = purity): a ratio of 2.5 or
                     * more above the 5-copy limit is detected; a ratio below 1.6 never is */
                    if (ratio >= 2.5 && t.purity >= 1.2 * c->lod_tf_cn5) {
                        n_amp_det++;
                        n_amp_det_ok += c->detection == METCN_DETECTION_DETECTED;
                    }
                    if (ratio < 1.6) {
                        n_small++;
                        n_small_det += c->detection == METCN_DETECTION_DETECTED;
                    }
                    if (!c->equivocal) {
                        n_tier++;
                        n_tier_ok += c->tier == metcn_criteria_tier(cam, ratio, t.met_cn);
                    }
                    if (c->high_amp != METCN_HIGHAMP_EQUIVOCAL) {
                        n_amp++;
                        n_amp_ok += (c->high_amp == METCN_HIGHAMP_YES) == (t.met_cn > 10);
                    }
                    /* pattern away from the detection limit: the focal excess is at least
                     * 4 times the LOD's excess over chr7, or there is no excess at all */
                    double excess = t.met_cn - t.chr7_cn, lod_ex = c->lod_cn - c->control_cn.cn;
                    if (t.purity >= 0.3 && (excess == 0 || excess > 4 * lod_ex)) {
                        n_pat++;
                        int okp = strcmp(metcn_pattern_name(c->pattern), truth_pattern(&t)) == 0;
                        n_pat_ok += okp;
                        if (!okp)
                            fprintf(stderr, "pattern: met %g chr7 %g p %g egfr %g -> %s\n",
                                    t.met_cn, t.chr7_cn, t.purity, t.egfr_cn,
                                    metcn_pattern_name(c->pattern));
                    }
                    metcn_call_destroy(c);
                }
    gsl_rng_free(rng);
    fprintf(stderr, "grid: coverage %d/%d chr7 %d/%d tier %d/%d high_amp %d/%d pattern %d/%d\n",
            n_cov_ok, n_cov, n_c7_ok, n_c7, n_tier_ok, n_tier, n_amp_ok, n_amp, n_pat_ok, n_pat);
    ck_assert_msg(n_cov_ok >= 0.95 * n_cov, "MET CN coverage %d/%d", n_cov_ok, n_cov);
    ck_assert_msg(n_c7_ok >= 0.98 * n_c7, "chr7 level %d/%d", n_c7_ok, n_c7);
    ck_assert_msg(n_tier_ok >= 0.97 * n_tier, "tier %d/%d", n_tier_ok, n_tier);
    ck_assert_msg(n_amp_ok >= 0.97 * n_amp, "high_amp %d/%d", n_amp_ok, n_amp);
    ck_assert_msg(n_pat_ok >= 0.95 * n_pat, "pattern %d/%d", n_pat_ok, n_pat);
    ck_assert(n_pat > 100 && n_tier > 100);
    fprintf(stderr, "grid detection: ratio >= 2.5 above lod %d/%d, ratio < 1.6 detected %d/%d\n",
            n_amp_det_ok, n_amp_det, n_small_det, n_small);
    ck_assert_msg(n_amp_det > 100 && n_amp_det_ok >= 0.98 * n_amp_det, "detected %d/%d",
                  n_amp_det_ok, n_amp_det);
    ck_assert_msg(n_small > 50 && n_small_det == 0, "ratio < 1.6 detected %d/%d", n_small_det,
                  n_small);
}
END_TEST

START_TEST(test_boundaries_equivocal)
{
    /* The truth exactly on a boundary: the call must say equivocal (its interval holds the
     * truth about 95% of the time, so it crosses the boundary that often). */
    static const truth_t cases[] = {
        {3.6, 2, 1.0, -1, -1, 0.12, 0}, /* ratio 1.8 */
        {4.4, 2, 0.6, -1, -1, 0.12, 0}, /* ratio 2.2 */
        {10, 2, 1.0, -1, -1, 0.12, 0},  /* ratio 5 and the >10 line */
        {15, 3, 0.6, -1, -1, 0.12, 0},  /* ratio 5 on polysomy */
    };
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 5);
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        int eq = 0, heq = 0, reps = 40;
        for (int r = 0; r < reps; r++) {
            metcn_call_t *c = call_truth(&cases[k], rng, 1);
            eq += c->equivocal;
            heq += c->high_amp == METCN_HIGHAMP_EQUIVOCAL;
            metcn_call_destroy(c);
        }
        ck_assert_msg(eq >= 0.8 * reps, "case %zu: equivocal %d/%d", k, eq, reps);
        if (cases[k].met_cn == 10)
            ck_assert_msg(heq >= 0.8 * reps, ">10 equivocal %d/%d", heq, reps);
    }
    gsl_rng_free(rng);
}
END_TEST

START_TEST(test_normals_never_amplified)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 9);
    for (int r = 0; r < 60; r++) {
        truth_t t = {2, 2, 1.0, -1, -1, 0.12 + 0.002 * r, 0};
        metcn_call_t *c = call_truth(&t, rng, r % 2);
        ck_assert_int_eq(c->tier, 0);
        ck_assert_int_eq(c->gcn_class, METCN_GCN_NONE);
        ck_assert_int_eq(c->high_amp, METCN_HIGHAMP_NO);
        ck_assert_int_ne(c->pattern, METCN_PATTERN_FOCAL);
        ck_assert_int_ne(c->pattern, METCN_PATTERN_FOCAL_ON_POLYSOMY);
        ck_assert_int_eq(c->purity_source == METCN_PURITY_ASSUMED, !(r % 2));
        /* never detected; without a purity a negative is not assessable */
        ck_assert_int_eq(c->detection,
                         r % 2 ? METCN_DETECTION_NOT_DETECTED : METCN_DETECTION_NOT_ASSESSABLE);
        metcn_call_destroy(c);
    }
    gsl_rng_free(rng);
}
END_TEST

START_TEST(test_egfr_and_extent)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 13);
    /* A 30-copy EGFR amplicon at purity 1 must not move the chr7 control level. */
    truth_t t = {12, 2, 1.0, 30, -1, 0.1, 0};
    metcn_call_t *c = call_truth(&t, rng, 1);
    ck_assert_msg(fabs(c->control_cn.cn - 2) < 0.15, "chr7 %g", c->control_cn.cn);
    ck_assert_int_gt(c->n_control_focal, 0);
    ck_assert_int_eq(c->pattern, METCN_PATTERN_FOCAL);
    /* the amplicon spans gene +- 1.5 Mb: its extent lies within one 1-Mb bin of that */
    ck_assert_int_eq(c->has_extent, 1);
    ck_assert_msg(llabs(c->extent_start - (gene->start - 1500000)) <= 1000000 &&
                      llabs(c->extent_end - (gene->end + 1500000)) <= 1000000,
                  "extent %lld-%lld", (long long)c->extent_start, (long long)c->extent_end);
    metcn_call_destroy(c);
    /* 7q gain (MET's arm), no amplicon: polysomy from the arm */
    truth_t q = {3, 2, 1.0, -1, 3, 0.1, 0};
    c = call_truth(&q, rng, 1);
    ck_assert_int_eq(c->pattern, METCN_PATTERN_POLYSOMY);
    ck_assert_msg(fabs(c->control_q_cn.cn - 3) < 0.2 && fabs(c->control_p_cn.cn - 2) < 0.2,
                  "arms %g %g", c->control_p_cn.cn, c->control_q_cn.cn);
    metcn_call_destroy(c);
    gsl_rng_free(rng);
}
END_TEST

START_TEST(test_purity_assumed_and_errors)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 17);
    truth_t t = {20, 2, 0.3, -1, -1, 0.1, 0};
    /* without purity the copy number is that of the mixture, and flagged */
    metcn_call_t *c = call_truth(&t, rng, 0);
    ck_assert_int_eq(c->purity_source, METCN_PURITY_ASSUMED);
    double mix = 0.3 * 20 + 0.7 * 2;
    ck_assert_msg(c->gene_cn.lo <= mix && mix <= c->gene_cn.hi, "%g-%g", c->gene_cn.lo,
                  c->gene_cn.hi);
    metcn_call_destroy(c);

    metcn_call_opt_t o;
    metcn_call_opt_init(&o);
    metcn_cnr_t *cnr = make_cnr(&t, rng);
    o.purity = 1.5;
    ck_assert_ptr_null(metcn_call_run(gene, cnr, "s", &o));
    ck_assert_int_eq(metcn_last_error_code(), METCN_E_ARG);
    metcn_call_opt_init(&o);
    /* every MET bin excluded by the PoN */
    for (size_t i = 0; i < cnr->n; i++)
        if (gene->role[i] == METCN_ROLE_TARGET)
            cnr->excluded[i] = METCN_PON_LOW_COVERAGE;
    ck_assert_ptr_null(metcn_call_run(gene, cnr, "s", &o));
    ck_assert_int_eq(metcn_last_error_code(), METCN_E_NOTARGET);
    ck_assert_ptr_nonnull(strstr(metcn_last_error(), "no usable MET bins"));
    /* wrong number of bins */
    cnr->n--;
    ck_assert_ptr_null(metcn_call_run(gene, cnr, "s", &o));
    ck_assert_int_eq(metcn_last_error_code(), METCN_E_INCOMPATIBLE);
    cnr->n++;
    free_cnr(cnr);
    /* QC: noisy sample fails with the reason named */
    t.purity = 1;
    cnr = make_cnr(&t, rng);
    cnr->mapd = 0.6;
    cnr->median_depth = 20;
    c = metcn_call_run(gene, cnr, "s", &o);
    ck_assert_int_eq(metcn_call_add_qc(c, METCN_QC_PON_NORMALS, METCN_QC_WARN, 6, 10), 0);
    ck_assert_int_eq(c->qc, METCN_QC_FAIL);
    char *q = metcn_call_qc_string(c);
    ck_assert_ptr_nonnull(strstr(q, "mapd=0.6>0.5"));
    ck_assert_ptr_nonnull(strstr(q, "depth=20<30"));
    ck_assert_ptr_nonnull(strstr(q, "pon_normals=6<10"));
    free(q);
    /* the records themselves: code, level, value, threshold */
    int seen = 0;
    for (size_t i = 0; i < c->n_qc; i++)
        if (c->qc_rec[i].code == METCN_QC_MAPD) {
            ck_assert_int_eq(c->qc_rec[i].level, METCN_QC_FAIL);
            ck_assert_double_eq(c->qc_rec[i].value, 0.6);
            ck_assert_double_eq(c->qc_rec[i].threshold, 0.5);
            seen++;
        } else if (c->qc_rec[i].code == METCN_QC_DEPTH) {
            ck_assert_int_eq(c->qc_rec[i].level, METCN_QC_WARN);
            ck_assert_double_eq(c->qc_rec[i].threshold, 30);
            seen++;
        }
    ck_assert_int_eq(seen, 2);
    metcn_call_destroy(c);
    /* thresholds are options: the same sample passes MAPD under a looser rule */
    o.mapd_warn = 0.7;
    o.mapd_fail = 0.8;
    o.depth_warn = 15;
    c = metcn_call_run(gene, cnr, "s", &o);
    ck_assert_int_eq(c->qc, METCN_QC_PASS);
    metcn_call_destroy(c);
    free_cnr(cnr);
    gsl_rng_free(rng);
}
END_TEST

START_TEST(test_lod)
{
    /* The LOD falls with purity and rises with noise; at purity 1 and low noise it is close
     * to the chr7 level. */
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 19);
    truth_t a = {2, 2, 1.0, -1, -1, 0.1, 0}, b = {2, 2, 0.3, -1, -1, 0.1, 0},
            d = {2, 2, 1.0, -1, -1, 0.3, 0};
    metcn_call_t *ca = call_truth(&a, rng, 1), *cb = call_truth(&b, rng, 1),
                 *cd = call_truth(&d, rng, 1);
    ck_assert(ca->lod_cn > 2 && ca->lod_cn < 3);
    ck_assert(cb->lod_cn > ca->lod_cn);
    ck_assert(cd->lod_cn > ca->lod_cn);
    /* a MET CN at twice the LOD excess is detected as focal */
    truth_t e = {2 + 2 * (cb->lod_cn - 2), 2, 0.3, -1, -1, 0.1, 0};
    int focal = 0;
    for (int r = 0; r < 20; r++) {
        metcn_call_t *c = call_truth(&e, rng, 1);
        focal += c->amplicon;
        metcn_call_destroy(c);
    }
    ck_assert_msg(focal >= 16, "focal %d/20 at 2x LOD", focal);
    metcn_call_destroy(ca);
    metcn_call_destroy(cb);
    metcn_call_destroy(cd);
    gsl_rng_free(rng);
}
END_TEST

/* ---- the stages, each on its own ------------------------------------------------------------ */

/* A call object after call_init on a synthetic sample (caller frees both). */
static metcn_call_t *init_only(const metcn_gene_t *g, const truth_t *t, gsl_rng *rng,
                               metcn_call_opt_t *o, metcn_cnr_t **cnr)
{
    metcn_call_opt_init(o);
    o->purity = o->purity_lo = o->purity_hi = t->purity;
    o->purity_source = METCN_PURITY_GIVEN;
    *cnr = make_cnr(t, rng);
    metcn_call_t *c = call_init(g, *cnr, "s", o);
    ck_assert_ptr_nonnull(c);
    return c;
}

START_TEST(test_stage_noise_levels)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 31);
    truth_t t = {8, 2, 1.0, -1, -1, 0.1, 0};
    metcn_call_opt_t o;
    metcn_cnr_t *cnr;
    /* noise: weights that claim 1.8x the noise there is give k near 1/1.8 (before the floor) */
    metcn_call_t *c = init_only(gene, &t, rng, &o, &cnr);
    for (size_t i = 0; i < c->n; i++)
        if (c->bin_flag[i] & METCN_BIN_USED)
            c->weight[i] /= 1.8 * 1.8;
    ck_assert_int_eq(call_noise(c, &o), 0);
    ck_assert_msg(fabs(c->noise_k - 1 / 1.8) < 0.06, "k %g", c->noise_k);
    metcn_call_destroy(c);
    free_cnr(cnr);
    c = init_only(gene, &t, rng, &o, &cnr);
    double w0 = 0;
    size_t i0 = 0;
    while (!(c->bin_flag[i0] & METCN_BIN_USED))
        i0++;
    w0 = c->weight[i0];
    for (size_t i = 0; i < c->n; i++)
        if (c->bin_flag[i] & METCN_BIN_USED)
            c->weight[i] *= 1.8 * 1.8; /* weights claim 1.8x less noise than there is */
    ck_assert_int_eq(call_noise(c, &o), 0);
    ck_assert_msg(fabs(c->noise_k - 1.8) < 0.15, "k %g", c->noise_k);
    ck_assert_double_eq_tol(c->sd[i0], c->noise_k / sqrt(w0 * 1.8 * 1.8), 1e-12);
    ck_assert_double_eq_tol(c->weight[i0], 1 / (c->sd[i0] * c->sd[i0]), 1e-9);
    /* levels: a shift of every bin by 0.3 is removed by the centring; the gene's level is
     * log2 of its copy ratio (8/2 at purity 1) */
    for (size_t i = 0; i < c->n; i++)
        if (c->bin_flag[i] & METCN_BIN_USED)
            c->log2[i] += 0.3;
    ck_assert_int_eq(call_levels(c, &o), 0);
    ck_assert_msg(fabs(c->centre_shift - 0.3) < 0.03, "shift %g", c->centre_shift);
    ck_assert_msg(fabs(c->gene_lv.est - 2.0) < 4 * c->gene_lv.se, "gene %g se %g", c->gene_lv.est,
                  c->gene_lv.se);
    ck_assert_int_eq(c->n_target_bins, (int)gene->n_role[METCN_ROLE_TARGET]);
    ck_assert_int_eq(c->gene_arm, 'q');
    metcn_call_destroy(c);
    free_cnr(cnr);
    gsl_rng_free(rng);
}
END_TEST

START_TEST(test_stage_segments_control_arms)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 37);
    /* EGFR amplicon 30 copies and a 7q gain to 3: the EGFR bins are a focal event left out of
     * the control; the arms differ, so the control is the lower (p) arm at 2 copies */
    truth_t t = {3, 2, 1.0, 30, 3, 0.08, 0};
    metcn_call_opt_t o;
    metcn_cnr_t *cnr;
    metcn_call_t *c = init_only(gene, &t, rng, &o, &cnr);
    ck_assert_int_eq(call_noise(c, &o) || call_levels(c, &o) || call_segments(c, &o), 0);
    /* the gene's bins form a segment of their own */
    int own = 0;
    for (size_t s = 0; s < c->n_segs; s++) {
        const metcn_segment_t *g = &c->segs[s];
        int nt = 0;
        for (size_t i = g->first_bin; i <= g->last_bin; i++)
            nt += (c->bin_flag[i] & METCN_BIN_TARGET) != 0;
        own += nt > 0 && nt == g->n;
    }
    ck_assert_int_eq(own, 1);
    ck_assert_int_eq(call_control(c, &o), 0);
    int focal_egfr = 0, focal_other = 0;
    for (size_t i = 0; i < c->n; i++)
        if (c->bin_flag[i] & METCN_BIN_FOCAL) {
            int in = panel->bins[i].end > 54000000 && panel->bins[i].start < 56500000;
            focal_egfr += in;
            focal_other += !in;
        }
    ck_assert_int_ge(focal_egfr, 1);
    ck_assert_int_eq(focal_other, 0);
    ck_assert_int_eq(c->control_fragmented, 0);
    ck_assert_msg(fabs(c->control_p.est) < 0.1 && fabs(c->control_q.est - log2(1.5)) < 0.1,
                  "arms %g %g", c->control_p.est, c->control_q.est);
    ck_assert_int_eq(call_systematic(c, &o), 0);
    ck_assert(c->sys_sd >= o.min_sys_sd);
    ck_assert_int_eq(call_arms(c, &o), 0);
    ck_assert_int_eq(c->arms_differ, 1);
    ck_assert_double_eq(c->control_lv.est, c->control_p.est);
    ck_assert_double_eq(c->arm.est, c->control_q.est); /* MET is on 7q */
    metcn_call_destroy(c);
    free_cnr(cnr);
    /* every control bin inside focal events: none is excluded, flagged as fragmented */
    truth_t u = {2, 2, 1.0, -1, -1, 0.08, 0};
    c = init_only(gene, &u, rng, &o, &cnr);
    o.focal_max_span = 1e12; /* every segment counts as "focal" ... */
    o.focal_min_delta = 0;
    o.focal_min_z = -1; /* ... and departs */
    ck_assert_int_eq(call_noise(c, &o) || call_levels(c, &o) || call_segments(c, &o), 0);
    ck_assert_int_eq(call_control(c, &o), 0);
    ck_assert_int_eq(c->n_control_focal, 0);
    ck_assert_int_gt(c->control_fragmented, 0);
    ck_assert_int_eq(call_qc(c, &o), 0);
    int frag = 0;
    for (size_t i = 0; i < c->n_qc; i++)
        frag += c->qc_rec[i].code == METCN_QC_CONTROL_FRAGMENTED;
    ck_assert_int_eq(frag, 1);
    metcn_call_destroy(c);
    free_cnr(cnr);
    gsl_rng_free(rng);
}
END_TEST

/* A call object with hand-set levels for the decision stages. */
static metcn_call_t *with_levels(double gene_log2, double control_log2, double se, double purity,
                                 metcn_call_opt_t *o)
{
    metcn_call_opt_init(o);
    o->purity = o->purity_lo = o->purity_hi = purity;
    metcn_call_t *c = calloc(1, sizeof *c);
    c->gene = gene;
    c->panel = panel;
    c->criteria = metcn_criteria_get("camidge");
    metcn_level_t g = {gene_log2, se, se, gene_log2 - 1.96 * se, gene_log2 + 1.96 * se, 1.96,
                       INFINITY,  10, 0};
    metcn_level_t k = {control_log2,
                       se / 3,
                       se / 3,
                       control_log2 - 1.96 * se / 3,
                       control_log2 + 1.96 * se / 3,
                       1.96,
                       INFINITY,
                       100,
                       0};
    c->gene_lv = g;
    c->control_lv = c->control_p = c->control_q = c->arm = k;
    return c;
}

START_TEST(test_stage_decisions)
{
    /* copy number, classes, pattern and LOD from set levels against the formulas */
    static const struct {
        double gene_cn, control_cn, purity, se;
        const char *tier, *high_amp, *gcn, *pattern;
        int equivocal;
    } cases[] = {
        {12, 2, 1.0, 0.02, "high", "yes", "amplified", "focal", 0},
        {4.4, 2, 1.0, 0.1, "low", "no", "gain", "focal", 1}, /* ratio 2.2: boundary */
        {6, 3, 0.6, 0.02, "low", "no", "amplified", "focal_on_polysomy", 0},
        {3, 3, 1.0, 0.02, "negative", "no", "none", "polysomy", 0},
        {2, 2, 0.5, 0.02, "negative", "no", "none", "none", 0},
        {10.5, 2, 1.0, 0.05, "high", "equivocal", "amplified", "focal", 1}, /* ratio 5.25 */
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        double p = cases[k].purity;
        double rg = (p * cases[k].gene_cn + 2 * (1 - p)) / 2,
               rc = (p * cases[k].control_cn + 2 * (1 - p)) / 2;
        metcn_call_opt_t o;
        metcn_call_t *c = with_levels(log2(rg), log2(rc), cases[k].se, p, &o);
        ck_assert_int_eq(call_copy_number(c, &o) || call_classify(c, &o), 0);
        ck_assert_double_eq_tol(c->gene_cn.cn, cases[k].gene_cn, 1e-9);
        ck_assert_double_eq_tol(c->control_cn.cn, cases[k].control_cn, 1e-9);
        ck_assert_double_eq_tol(c->ratio, cases[k].gene_cn / cases[k].control_cn, 1e-9);
        ck_assert_msg(strcmp(metcn_criteria_tier_name(c->criteria, c->tier), cases[k].tier) == 0,
                      "case %zu tier %s", k, metcn_criteria_tier_name(c->criteria, c->tier));
        ck_assert_msg(c->equivocal == cases[k].equivocal, "case %zu equivocal %d", k, c->equivocal);
        ck_assert_str_eq(metcn_highamp_name(c->high_amp), cases[k].high_amp);
        ck_assert_str_eq(metcn_gcn_name(c->gcn_class), cases[k].gcn);
        ck_assert_int_eq(call_pattern(c, &o), 0);
        ck_assert_msg(strcmp(metcn_pattern_name(c->pattern), cases[k].pattern) == 0,
                      "case %zu pattern %s", k, metcn_pattern_name(c->pattern));
        ck_assert_int_eq(call_lod(c, &o), 0);
        double se =
            sqrt(c->gene_lv.se_model * c->gene_lv.se_model + c->control_lv.se * c->control_lv.se);
        double lod = metcn_cn_from_ratio(exp2(c->control_lv.est + 1.959964 * se), p, 2);
        ck_assert_double_eq_tol(c->lod_cn, lod, 1e-4);
        ck_assert(c->lod_cn > cases[k].control_cn);
        /* the high-level line is the option's, not a literal */
        o.high_amp_cn = 20;
        ck_assert_int_eq(call_classify(c, &o), 0);
        ck_assert_double_eq(c->high_amp_cn, 20);
        ck_assert_int_eq(c->high_amp, METCN_HIGHAMP_NO);
        free(c);
    }
}
END_TEST

/* with_levels() for the plasma stages: the levels of a clonal gene_cn over a control at
 * control_cn at tumour fraction f (range [f_lo, f]), the fraction's source, and the model SE of
 * the gene se (the control's se / 3); no systematic term. */
static metcn_call_t *with_fraction(double gene_cn, double control_cn, double f, double f_lo,
                                   int source, double se, metcn_call_opt_t *o)
{
    double rg = (f * gene_cn + 2 * (1 - f)) / 2, rc = (f * control_cn + 2 * (1 - f)) / 2;
    metcn_call_t *c = with_levels(log2(rg), log2(rc), se, f, o);
    o->purity_lo = f_lo;
    o->purity_source = source;
    c->purity = f;
    c->purity_lo = f_lo;
    c->purity_hi = f;
    c->purity_source = source;
    c->conf = o->conf;
    ck_assert_int_eq(call_copy_number(c, o) || call_plasma_cn(c, o) || call_lod_tf(c, o) ||
                         call_detection(c, o),
                     0);
    return c;
}

START_TEST(test_stage_plasma_cn)
{
    /* 2 x the copy ratio, whatever the fraction; for ploidy 2 it is the mixture of tumour and
     * diploid normal cells f C + 2 (1 - f) (the formula `metcn track` derives for tissue) */
    static const double cases[][2] = {{10, 0.02}, {10, 0.3}, {2, 0.5}, {40, 0.05}, {0.5, 1}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        double cn = cases[k][0], f = cases[k][1];
        metcn_call_opt_t o;
        metcn_call_t *c = with_fraction(cn, 2, f, f, METCN_PURITY_GIVEN, 0.02, &o);
        ck_assert_double_eq_tol(c->plasma_cn.cn, f * cn + 2 * (1 - f), 1e-9);
        ck_assert_double_eq_tol(c->plasma_cn.cn, f * c->gene_cn.cn + 2 * (1 - f), 1e-9);
        ck_assert_double_eq_tol(c->plasma_cn.lo, 2 * exp2(c->gene_lv.lo), 1e-12);
        ck_assert_double_eq_tol(c->plasma_cn.hi, 2 * exp2(c->gene_lv.hi), 1e-12);
        ck_assert_double_eq_tol(c->plasma_control.cn, 2, 1e-9);
        /* the tumour fraction does not enter it: the same levels at another fraction */
        metcn_call_opt_t o2;
        metcn_call_t *d = with_levels(c->gene_lv.est, c->control_lv.est, 0.02, 0.7, &o2);
        ck_assert_int_eq(call_plasma_cn(d, &o2), 0);
        ck_assert_double_eq(d->plasma_cn.cn, c->plasma_cn.cn);
        free(c);
        free(d);
    }
}
END_TEST

START_TEST(test_stage_detection)
{
    static const struct {
        double gene_cn, control_cn, f, f_lo;
        int source;
        const char *want, *reason;
        int significant, amount;
    } cases[] = {
        {10, 2, 0.2, 0.2, METCN_PURITY_GIVEN, "detected", "significant_and_amount", 1, 1},
        {2, 2, 0.3, 0.3, METCN_PURITY_GIVEN, "not_detected", "above_lod_tf_cn5", 0, 0},
        {2, 2, 0.01, 0.01, METCN_PURITY_GIVEN, "not_assessable", "below_lod_tf_cn5", 0, 0},
        {2, 2, 0.3, 0.3, METCN_PURITY_ASSUMED, "not_assessable", "tumour_fraction_unknown", 0, 0},
        {2, 2, 0.3, 0.01, METCN_PURITY_GIVEN, "not_assessable", "below_lod_tf_cn5", 0, 0},
        /* significant but small: ratio 1.5 */
        {3, 2, 0.5, 0.5, METCN_PURITY_VAF, "not_detected", "above_lod_tf_cn5", 1, 0},
        /* 7 copies on a gained control of 4: ratio 1.75; against a diploid control the same
         * excess would imply 2.0 */
        {7, 4, 0.5, 0.5, METCN_PURITY_GIVEN, "not_detected", "above_lod_tf_cn5", 1, 0},
        /* 10 copies at 2%: the excess (R = 1.08) is significant at this noise, ratio 5 */
        {10, 2, 0.02, 0.02, METCN_PURITY_GIVEN, "detected", "significant_and_amount", 1, 1},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        metcn_call_opt_t o;
        metcn_call_t *c = with_fraction(cases[k].gene_cn, cases[k].control_cn, cases[k].f,
                                        cases[k].f_lo, cases[k].source, 0.01, &o);
        ck_assert_msg(strcmp(metcn_detection_name(c->detection), cases[k].want) == 0 &&
                          strcmp(c->detection_reason, cases[k].reason) == 0,
                      "case %zu: %s (%s)", k, metcn_detection_name(c->detection),
                      c->detection_reason);
        ck_assert_int_eq(c->detect_significant, cases[k].significant);
        ck_assert_int_eq(c->detect_amount, cases[k].amount);
        /* the implied ratio is the true tumour-cell ratio when the control is diploid or
         * significantly gained */
        ck_assert_msg(fabs(c->detect_ratio - cases[k].gene_cn / cases[k].control_cn) < 1e-9,
                      "case %zu: implied ratio %g", k, c->detect_ratio);
        ck_assert_double_eq_tol(c->detect_excess, c->gene_lv.est - c->control_lv.est, 1e-15);
        /* the limits come from the model SEs */
        metcn_lod_model_t m = {0.01, 0.01 / 3, 3.090232, 1.644854, 2};
        ck_assert_double_eq_tol(c->lod_tf_cn10, metcn_lod_tf(10, &m), 1e-6);
        ck_assert_double_eq_tol(c->lod_tf_cn5, metcn_lod_tf(5, &m), 1e-6);
        /* a QC failure added later (e.g. by the command) makes any call not assessable */
        ck_assert_int_eq(metcn_call_add_qc(c, METCN_QC_DEPTH, METCN_QC_FAIL, 5, 10), 0);
        ck_assert_int_eq(c->detection, METCN_DETECTION_NOT_ASSESSABLE);
        ck_assert_str_eq(c->detection_reason, "qc_fail");
        free(c->qc_rec);
        free(c);
    }
    /* a sample type that differs from the PoN's is a QC warning; an unknown one is not */
    metcn_call_opt_t o;
    metcn_call_t *c = with_fraction(2, 2, 0.3, 0.3, METCN_PURITY_GIVEN, 0.01, &o);
    c->sample_type = METCN_SAMPLE_PLASMA;
    ck_assert_int_eq(metcn_call_check_sample_type(c, -1), 0);
    ck_assert_int_eq(metcn_call_check_sample_type(c, METCN_SAMPLE_PLASMA), 0);
    ck_assert_uint_eq(c->n_qc, 0);
    ck_assert_int_eq(metcn_call_check_sample_type(c, METCN_SAMPLE_TISSUE), 0);
    ck_assert_uint_eq(c->n_qc, 1);
    ck_assert_int_eq(c->qc, METCN_QC_WARN);
    char *q = metcn_call_qc_string(c);
    ck_assert_str_eq(q, "sample_type_mismatch=0");
    free(q);
    ck_assert_int_eq(c->detection, METCN_DETECTION_NOT_DETECTED); /* a warning changes nothing */
    free(c->qc_rec);
    free(c);
}
END_TEST

START_TEST(test_detection_power_at_lod)
{
    /* Through the stages: levels drawn around their truth with the model SEs at the detection
     * limit of 5 and 10 copies.  Each part of the rule then holds with probability >= 0.95
     * (the binding one with ~0.95), so both with ~0.90-0.95; half the limit is mostly missed,
     * twice the limit almost never. */
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 29);
    const double cns[] = {5, 10, 20}, sgs[] = {0.02, 0.05};
    for (size_t a = 0; a < 3; a++)
        for (size_t b = 0; b < 2; b++) {
            double sg = sgs[b], sc = sg / 3;
            metcn_lod_model_t m = {sg, sc, 3.090232, 1.644854, 2};
            double lod = metcn_lod_tf(cns[a], &m);
            ck_assert(isfinite(lod));
            const double mult[] = {0.5, 1.0, 2.0};
            double rate[3];
            for (int k = 0; k < 3; k++) {
                double f = lod * mult[k] > 1 ? 1 : lod * mult[k];
                int det = 0, reps = 2000;
                for (int r = 0; r < reps; r++) {
                    metcn_call_opt_t o;
                    double rg = 1 + f * (cns[a] - 2) / 2;
                    metcn_call_t *c = with_levels(log2(rg) + gsl_ran_gaussian(rng, sg),
                                                  gsl_ran_gaussian(rng, sc), sg, f, &o);
                    c->purity = c->purity_lo = c->purity_hi = f;
                    c->purity_source = METCN_PURITY_GIVEN;
                    ck_assert_int_eq(
                        call_copy_number(c, &o) || call_lod_tf(c, &o) || call_detection(c, &o), 0);
                    det += c->detection == METCN_DETECTION_DETECTED;
                    free(c);
                }
                rate[k] = (double)det / reps;
            }
            fprintf(stderr,
                    "power: %g copies, sd %g: lod_tf %.4f, detected %.3f / %.3f / %.3f "
                    "at 0.5 / 1 / 2 x\n",
                    cns[a], sg, lod, rate[0], rate[1], rate[2]);
            ck_assert_msg(rate[1] >= 0.88 && rate[1] <= 0.985, "%g copies sd %g: %.3f at the LoD",
                          cns[a], sg, rate[1]);
            ck_assert_msg(rate[0] < 0.5, "%g copies sd %g: %.3f at half the LoD", cns[a], sg,
                          rate[0]);
            ck_assert_msg(rate[2] > 0.99 || lod * 2 > 1, "%g copies sd %g: %.3f at twice", cns[a],
                          sg, rate[2]);
        }
    gsl_rng_free(rng);
}
END_TEST

START_TEST(test_plasma_grid)
{
    /* Plasma-like samples of the caller's model (tumour fraction 1-30%, MET 2-20 copies on a
     * diploid chr7): a sample above its own limit for its copy number is detected, one
     * without an amplification never is, and a negative below the 5-copy limit is
     * not_assessable, never not_detected.  The mixture copy number's interval holds the
     * truth. */
    static const double tfs[] = {0.01, 0.02, 0.05, 0.1, 0.2, 0.3};
    static const double mets[] = {2, 5, 10, 20};
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 43);
    int above = 0, above_det = 0, neg = 0, neg_det = 0, below = 0, below_bad = 0, cov = 0,
        total = 0, far_below = 0, far_below_det = 0;
    for (int rep = 0; rep < 5; rep++)
        for (size_t a = 0; a < 4; a++)
            for (size_t b = 0; b < 6; b++) {
                truth_t t = {mets[a], 2, tfs[b], -1, -1, 0.08, 0};
                metcn_call_t *c = call_truth(&t, rng, 1);
                /* the limit for this sample's own copy number, from its own noise */
                double lod = metcn_lod_tf(mets[a], &c->lod_model);
                if (mets[a] == 5)
                    ck_assert_double_eq(lod, c->lod_tf_cn5);
                if (mets[a] == 10)
                    ck_assert_double_eq(lod, c->lod_tf_cn10);
                int det = c->detection == METCN_DETECTION_DETECTED;
                if (mets[a] >= 5 && t.purity >= 1.2 * lod) {
                    above++;
                    above_det += det;
                }
                if (mets[a] >= 5 && t.purity <= 0.5 * lod) {
                    far_below++;
                    far_below_det += det;
                }
                if (mets[a] == 2) {
                    neg++;
                    neg_det += det;
                }
                if (t.purity < c->lod_tf_cn5) {
                    below++;
                    below_bad += c->detection == METCN_DETECTION_NOT_DETECTED;
                }
                double mix = t.purity * t.met_cn + 2 * (1 - t.purity);
                cov += c->plasma_cn.lo <= mix && mix <= c->plasma_cn.hi;
                total++;
                metcn_call_destroy(c);
            }
    gsl_rng_free(rng);
    fprintf(stderr,
            "plasma grid: above the limit %d/%d detected, far below %d/%d, no amplification "
            "%d/%d, below lod_tf_cn5 not_detected %d/%d, plasma_cn coverage %d/%d\n",
            above_det, above, far_below_det, far_below, neg_det, neg, below_bad, below, cov, total);
    ck_assert_msg(above >= 20 && above_det >= 0.95 * above, "above %d/%d", above_det, above);
    ck_assert_msg(far_below >= 5 && far_below_det <= 0.2 * far_below, "far below %d/%d",
                  far_below_det, far_below);
    ck_assert_msg(neg_det == 0, "no amplification: %d/%d detected", neg_det, neg);
    ck_assert_msg(below > 10 && below_bad == 0, "below lod_tf_cn5: %d/%d not_detected", below_bad,
                  below);
    ck_assert_msg(cov >= 0.9 * total, "plasma_cn coverage %d/%d", cov, total);
}
END_TEST

START_TEST(test_stage_qc)
{
    static const struct {
        double mapd, depth, gc, noise;
        int gene_n, control_n;
        const char *want; /* qc string */
        metcn_qc_t level;
    } cases[] = {
        {0.1, 100, 0.02, 1.0, 10, 100, ".", METCN_QC_PASS},
        {0.35, 100, 0.02, 1.0, 10, 100, "mapd=0.35>0.3", METCN_QC_WARN},
        {0.1, 5, 0.02, 1.0, 10, 100, "depth=5<10", METCN_QC_FAIL},
        {0.1, 100, 0.08, 1.0, 10, 100, "gc_bias=0.08>0.05", METCN_QC_WARN},
        {0.1, 100, 0.2, 1.0, 10, 100, "gc_bias=0.2>0.15", METCN_QC_FAIL},
        {0.1, 100, 0.02, 1.6, 10, 100, "noise=1.6>1.5", METCN_QC_WARN},
        {0.1, 100, 0.02, 1.0, 2, 100, "gene_bins_used=2<3;gene_bins_excluded=8", METCN_QC_WARN},
        {0.1, 100, 0.02, 1.0, 10, 7, "control_bins_used=7<10", METCN_QC_WARN},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        metcn_call_opt_t o;
        metcn_call_t *c = with_levels(1, 0, 0.05, 1, &o);
        c->mapd = cases[k].mapd;
        c->median_depth = cases[k].depth;
        c->gc_residual = cases[k].gc; /* the rule judges what the correction left */
        c->gc_strength = 1.0;         /* however strong the correction was */
        c->noise_k = cases[k].noise;
        c->gene_lv.n = cases[k].gene_n;
        c->n_target_bins = 10;
        c->control_lv.n = cases[k].control_n;
        ck_assert_int_eq(call_qc(c, &o), 0);
        char *q = metcn_call_qc_string(c);
        ck_assert_msg(strcmp(q, cases[k].want) == 0, "case %zu: '%s'", k, q);
        ck_assert_int_eq(c->qc, cases[k].level);
        free(q);
        free(c->qc_rec);
        free(c);
    }
}
END_TEST

/* ---- several genes on one sample ------------------------------------------------------------ */

START_TEST(test_genes_apart)
{
    /* MET 12 copies, EGFR 30, ERBB2 20, chr7 and chr17 at 2: each gene against its own
     * chromosome; neither chr7 amplicon is the chr7 level or the other gene's call */
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 41);
    truth_t t = {12, 2, 1.0, 30, -1, 0.08, 20};
    metcn_cnr_t *cnr = make_cnr(&t, rng);
    metcn_call_opt_t o;
    metcn_call_opt_init(&o);
    metcn_call_t *m = metcn_call_run(gene, cnr, "s", &o), *e = metcn_call_run(egfr, cnr, "s", &o),
                 *h = metcn_call_run(erbb2, cnr, "s", &o);
    ck_assert_msg(m && e && h, "%s", metcn_last_error());
    ck_assert_str_eq(m->control, "chr7");
    ck_assert_str_eq(e->control, "chr7");
    ck_assert_str_eq(h->control, "chr17");
    ck_assert_str_eq(m->criteria->name, "camidge");
    ck_assert_str_eq(e->criteria->name, "colorado");
    ck_assert_str_eq(h->criteria->name, "asco-cap-2018");
    const metcn_call_t *calls[3] = {m, e, h};
    const double want[3] = {12, 30, 20};
    for (int k = 0; k < 3; k++) {
        const metcn_call_t *c = calls[k];
        ck_assert_msg(c->gene_cn.lo <= want[k] * 1.1 && want[k] * 0.9 <= c->gene_cn.hi,
                      "%s cn %g (%g-%g)", c->gene->name, c->gene_cn.cn, c->gene_cn.lo,
                      c->gene_cn.hi);
        ck_assert_msg(fabs(c->control_cn.cn - 2) < 0.15, "%s control %g", c->gene->name,
                      c->control_cn.cn);
        ck_assert_int_eq(c->pattern, METCN_PATTERN_FOCAL);
    }
    ck_assert_int_gt(m->n_control_focal, 0); /* EGFR's amplicon left out of MET's control */
    ck_assert_int_gt(e->n_control_focal, 0); /* MET's amplicon left out of EGFR's control */
    ck_assert_str_eq(metcn_criteria_tier_name(h->criteria, h->tier), "group1");
    ck_assert_str_eq(metcn_criteria_tier_name(e->criteria, e->tier), "amplified");
    metcn_call_destroy(m);
    metcn_call_destroy(e);
    metcn_call_destroy(h);
    free_cnr(cnr);
    /* only EGFR amplified: MET stays negative, and the reverse */
    truth_t only_egfr = {2, 2, 1.0, 30, -1, 0.08, 0}, only_met = {12, 2, 1.0, -1, -1, 0.08, 0};
    cnr = make_cnr(&only_egfr, rng);
    m = metcn_call_run(gene, cnr, "s", &o);
    ck_assert_int_eq(m->tier, 0);
    ck_assert_int_eq(m->pattern, METCN_PATTERN_NONE);
    ck_assert_msg(fabs(m->gene_cn.cn - 2) < 0.3, "MET %g", m->gene_cn.cn);
    metcn_call_destroy(m);
    free_cnr(cnr);
    cnr = make_cnr(&only_met, rng);
    e = metcn_call_run(egfr, cnr, "s", &o);
    ck_assert_int_eq(e->tier, 0);
    ck_assert_int_eq(e->pattern, METCN_PATTERN_NONE);
    ck_assert_msg(fabs(e->control_cn.cn - 2) < 0.15, "EGFR control %g", e->control_cn.cn);
    metcn_call_destroy(e);
    free_cnr(cnr);
    gsl_rng_free(rng);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("call");
    TCase *t = tcase_create("stats");
    tcase_add_test(t, test_cn_formula);
    tcase_add_test(t, test_cn_interval_floor_and_purity);
    tcase_add_test(t, test_ratio_mover);
    tcase_add_test(t, test_tiers);
    tcase_add_test(t, test_qc_records);
    tcase_add_test(t, test_opt_check);
    tcase_add_test(t, test_purity_parse);
    tcase_add_test(t, test_level_coverage);
    tcase_add_test(t, test_level_robust_not_dropping);
    tcase_add_test(t, test_segment_steps);
    tcase_add_test(t, test_tf_and_vaf_parse);
    tcase_add_test(t, test_tf_from_vaf);
    tcase_add_test(t, test_lod_tf_closed_vs_root);
    suite_add_tcase(s, t);
    TCase *g = tcase_create("synthetic");
    tcase_add_checked_fixture(g, setup, teardown);
    tcase_set_timeout(g, 300);
    tcase_add_test(g, test_grid);
    tcase_add_test(g, test_boundaries_equivocal);
    tcase_add_test(g, test_normals_never_amplified);
    tcase_add_test(g, test_egfr_and_extent);
    tcase_add_test(g, test_purity_assumed_and_errors);
    tcase_add_test(g, test_lod);
    tcase_add_test(g, test_stage_noise_levels);
    tcase_add_test(g, test_stage_segments_control_arms);
    tcase_add_test(g, test_stage_decisions);
    tcase_add_test(g, test_stage_qc);
    tcase_add_test(g, test_stage_plasma_cn);
    tcase_add_test(g, test_stage_detection);
    tcase_add_test(g, test_detection_power_at_lod);
    tcase_add_test(g, test_plasma_grid);
    tcase_add_test(g, test_genes_apart);
    suite_add_tcase(s, g);
    return s;
}

int main(void)
{
    SRunner *r = srunner_create(suite());
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
