/* test_call.c -- the caller's statistics and decisions against known truth.
 *
 * Besides the building blocks, a self-contained grid: normalised copy ratios are drawn from
 * the model the caller assumes (log2 of the purity-mixed copy ratio plus Gaussian noise with
 * the per-bin SD the PoN reports) on the built-in GRCh38 genome layout, so every assertion
 * compares a call with the truth that generated it.  The read-level grid (BAM/CRAM from the
 * simulator) is tested in tests/cli/call_grid.sh. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "metcn/call.h"
#include "metcn/metcn.h"
#include "metcn/pon.h"
#include "metcn/panel.h"

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
    static const struct {
        const char *crit;
        double ratio;
        metcn_tier_t tier;
    } cases[] = {
        {"camidge", 1.0, METCN_TIER_NEGATIVE},      {"camidge", 1.79, METCN_TIER_NEGATIVE},
        {"camidge", 1.8, METCN_TIER_LOW},           {"camidge", 2.2, METCN_TIER_LOW},
        {"camidge", 2.21, METCN_TIER_INTERMEDIATE}, {"camidge", 4.99, METCN_TIER_INTERMEDIATE},
        {"camidge", 5.0, METCN_TIER_HIGH},          {"profile2021", 3.99, METCN_TIER_INTERMEDIATE},
        {"profile2021", 4.0, METCN_TIER_HIGH},      {"PROFILE2021", 1.9, METCN_TIER_LOW},
        {"camidge", NAN, METCN_TIER_NEGATIVE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const metcn_criteria_t *c = metcn_criteria_get(cases[i].crit);
        ck_assert_ptr_nonnull(c);
        ck_assert_msg(metcn_criteria_tier(c, cases[i].ratio) == cases[i].tier, "%s %g",
                      cases[i].crit, cases[i].ratio);
    }
    ck_assert_ptr_null(metcn_criteria_get("fish"));
    ck_assert_str_eq(metcn_tier_name(METCN_TIER_INTERMEDIATE), "intermediate");
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

/* ---- synthetic normalised samples on the genome layout -------------------------------------- */

static metcn_panel_t *panel;
static metcn_gene_t *met_view; /* MET's view of panel */

static void setup(void)
{
    metcn_init();
    metcn_panel_opt_t o;
    metcn_panel_opt_init(&o);
    o.bin_size = 1000000;
    panel = metcn_panel_load("grch38", &o, NULL);
    ck_assert_ptr_nonnull(panel);
    met_view = metcn_panel_gene(panel, "MET", NULL);
    ck_assert_ptr_nonnull(met_view);
}

static void teardown(void)
{
    metcn_gene_destroy(met_view);
    metcn_panel_destroy(panel);
}

typedef struct {
    double met_cn, chr7_cn, purity, egfr_cn; /* egfr_cn < 0: none */
    double chr7q_cn;                         /* < 0: same as chr7 */
    double noise;                            /* per-bin SD scale (tiles); exons x2.5 */
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
    int64_t amp_s = met_view->start - 1500000, amp_e = met_view->end + 1500000;
    for (size_t i = 0; i < n; i++) {
        const metcn_bin_t *b = &panel->bins[i];
        double cn = 2.0;
        if (b->contig == met_view->contig) {
            cn = (t->chr7q_cn >= 0 && met_view->bin_arm[i] == 'q') ? t->chr7q_cn : t->chr7_cn;
            if (b->end > amp_s && b->start < amp_e)
                cn = t->met_cn;
            if (t->egfr_cn >= 0 && b->end > 54000000 && b->start < 56500000)
                cn = t->egfr_cn;
        }
        double sd = t->noise * (met_view->role[i] == METCN_ROLE_TARGET ? 2.5 : 1.0) *
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
        o.purity_given = 1;
    }
    metcn_cnr_t *c = make_cnr(t, rng);
    metcn_call_t *call = metcn_call_run(met_view, c, "s", &o, NULL);
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
    int n_pat = 0, n_pat_ok = 0, n_c7 = 0, n_c7_ok = 0;
    for (int rep = 0; rep < 4; rep++)
        for (size_t a = 0; a < 8; a++)
            for (size_t b = 0; b < 4; b++)
                for (size_t d = 0; d < 3; d++) {
                    if (met[a] < c7[d])
                        continue; /* the grid has no MET losses */
                    truth_t t = {met[a], c7[d], pur[b], rep == 3 ? 25 : -1, -1, 0.12};
                    metcn_call_t *c = call_truth(&t, rng, 1);
                    if (t.purity >= 0.3) {
                        n_cov++;
                        n_cov_ok += c->met_cn.lo <= t.met_cn && t.met_cn <= c->met_cn.hi;
                        n_c7++;
                        n_c7_ok += fabs(c->chr7_cn.cn - t.chr7_cn) < 0.25;
                    }
                    /* tier: a non-equivocal call must be right */
                    double ratio = t.met_cn / t.chr7_cn;
                    if (!c->equivocal) {
                        n_tier++;
                        n_tier_ok += c->tier == metcn_criteria_tier(cam, ratio);
                    }
                    if (c->high_amp != METCN_HIGHAMP_EQUIVOCAL) {
                        n_amp++;
                        n_amp_ok += (c->high_amp == METCN_HIGHAMP_YES) == (t.met_cn > 10);
                    }
                    /* pattern away from the detection limit: the focal excess is at least
                     * 4 times the LOD's excess over chr7, or there is no excess at all */
                    double excess = t.met_cn - t.chr7_cn, lod_ex = c->lod_cn - c->chr7_cn.cn;
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
}
END_TEST

START_TEST(test_boundaries_equivocal)
{
    /* The truth exactly on a boundary: the call must say equivocal (its interval holds the
     * truth about 95% of the time, so it crosses the boundary that often). */
    static const truth_t cases[] = {
        {3.6, 2, 1.0, -1, -1, 0.12}, /* ratio 1.8 */
        {4.4, 2, 0.6, -1, -1, 0.12}, /* ratio 2.2 */
        {10, 2, 1.0, -1, -1, 0.12},  /* ratio 5 and the >10 line */
        {15, 3, 0.6, -1, -1, 0.12},  /* ratio 5 on polysomy */
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
        truth_t t = {2, 2, 1.0, -1, -1, 0.12 + 0.002 * r};
        metcn_call_t *c = call_truth(&t, rng, r % 2);
        ck_assert_int_eq(c->tier, METCN_TIER_NEGATIVE);
        ck_assert_int_eq(c->gcn_class, METCN_GCN_NONE);
        ck_assert_int_eq(c->high_amp, METCN_HIGHAMP_NO);
        ck_assert_int_ne(c->pattern, METCN_PATTERN_FOCAL);
        ck_assert_int_ne(c->pattern, METCN_PATTERN_FOCAL_ON_POLYSOMY);
        ck_assert_int_eq(c->purity_assumed, !(r % 2));
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
    truth_t t = {12, 2, 1.0, 30, -1, 0.1};
    metcn_call_t *c = call_truth(&t, rng, 1);
    ck_assert_msg(fabs(c->chr7_cn.cn - 2) < 0.15, "chr7 %g", c->chr7_cn.cn);
    ck_assert_int_gt(c->n_control_focal, 0);
    ck_assert_int_eq(c->pattern, METCN_PATTERN_FOCAL);
    /* the amplicon spans gene +- 1.5 Mb: its extent lies within one 1-Mb bin of that */
    ck_assert_int_eq(c->has_extent, 1);
    ck_assert_msg(llabs(c->extent_start - (met_view->start - 1500000)) <= 1000000 &&
                      llabs(c->extent_end - (met_view->end + 1500000)) <= 1000000,
                  "extent %lld-%lld", (long long)c->extent_start, (long long)c->extent_end);
    metcn_call_destroy(c);
    /* 7q gain (MET's arm), no amplicon: polysomy from the arm */
    truth_t q = {3, 2, 1.0, -1, 3, 0.1};
    c = call_truth(&q, rng, 1);
    ck_assert_int_eq(c->pattern, METCN_PATTERN_POLYSOMY);
    ck_assert_msg(fabs(c->chr7q_cn.cn - 3) < 0.2 && fabs(c->chr7p_cn.cn - 2) < 0.2, "arms %g %g",
                  c->chr7p_cn.cn, c->chr7q_cn.cn);
    metcn_call_destroy(c);
    gsl_rng_free(rng);
}
END_TEST

START_TEST(test_purity_assumed_and_errors)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 17);
    truth_t t = {20, 2, 0.3, -1, -1, 0.1};
    /* without purity the copy number is that of the mixture, and flagged */
    metcn_call_t *c = call_truth(&t, rng, 0);
    ck_assert_int_eq(c->purity_assumed, 1);
    double mix = 0.3 * 20 + 0.7 * 2;
    ck_assert_msg(c->met_cn.lo <= mix && mix <= c->met_cn.hi, "%g-%g", c->met_cn.lo, c->met_cn.hi);
    metcn_call_destroy(c);

    metcn_call_opt_t o;
    metcn_call_opt_init(&o);
    metcn_cnr_t *cnr = make_cnr(&t, rng);
    o.purity = 1.5;
    ck_assert_ptr_null(metcn_call_run(met_view, cnr, "s", &o, NULL));
    ck_assert_int_eq(metcn_last_error_code(), METCN_E_ARG);
    metcn_call_opt_init(&o);
    /* every MET bin excluded by the PoN */
    for (size_t i = 0; i < cnr->n; i++)
        if (met_view->role[i] == METCN_ROLE_TARGET)
            cnr->excluded[i] = METCN_PON_LOW_COVERAGE;
    ck_assert_ptr_null(metcn_call_run(met_view, cnr, "s", &o, NULL));
    ck_assert_int_eq(metcn_last_error_code(), METCN_E_NOTARGET);
    ck_assert_ptr_nonnull(strstr(metcn_last_error(), "no usable MET bins"));
    /* wrong number of bins */
    cnr->n--;
    ck_assert_ptr_null(metcn_call_run(met_view, cnr, "s", &o, NULL));
    ck_assert_int_eq(metcn_last_error_code(), METCN_E_INCOMPATIBLE);
    cnr->n++;
    free_cnr(cnr);
    /* QC: noisy sample fails with the reason named */
    t.purity = 1;
    cnr = make_cnr(&t, rng);
    cnr->mapd = 0.6;
    cnr->median_depth = 20;
    c = metcn_call_run(met_view, cnr, "s", &o, "PoN built on another sequencer");
    ck_assert_int_eq(c->qc, METCN_QC_FAIL);
    ck_assert_ptr_nonnull(strstr(c->qc_reasons, "mapd=0.6>0.5"));
    ck_assert_ptr_nonnull(strstr(c->qc_reasons, "depth=20<30"));
    ck_assert_ptr_nonnull(strstr(c->qc_reasons, "PoN built on another sequencer"));
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
    truth_t a = {2, 2, 1.0, -1, -1, 0.1}, b = {2, 2, 0.3, -1, -1, 0.1},
            d = {2, 2, 1.0, -1, -1, 0.3};
    metcn_call_t *ca = call_truth(&a, rng, 1), *cb = call_truth(&b, rng, 1),
                 *cd = call_truth(&d, rng, 1);
    ck_assert(ca->lod_cn > 2 && ca->lod_cn < 3);
    ck_assert(cb->lod_cn > ca->lod_cn);
    ck_assert(cd->lod_cn > ca->lod_cn);
    /* a MET CN at twice the LOD excess is detected as focal */
    truth_t e = {2 + 2 * (cb->lod_cn - 2), 2, 0.3, -1, -1, 0.1};
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

static Suite *suite(void)
{
    Suite *s = suite_create("call");
    TCase *t = tcase_create("stats");
    tcase_add_test(t, test_cn_formula);
    tcase_add_test(t, test_cn_interval_floor_and_purity);
    tcase_add_test(t, test_ratio_mover);
    tcase_add_test(t, test_tiers);
    tcase_add_test(t, test_purity_parse);
    tcase_add_test(t, test_level_coverage);
    tcase_add_test(t, test_level_robust_not_dropping);
    tcase_add_test(t, test_segment_steps);
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
