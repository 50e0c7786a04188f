/* test_track.c -- `metcn track`: dates, the standard error taken from an interval, the
 * rise/fall test, the event rules (table-driven: every event and edge), and the pipeline on
 * hand-written sheets and calls tables (values, derivations, every input error, the output
 * set and the plain-words summary). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "metcn/metcn.h"
#include "metcn/track.h"

static char tmpdir[64];

/* ---- dates -------------------------------------------------------------------------------- */

static const struct {
    const char *s;
    int ok;
    int32_t day; /* days since 1970-01-01, from Python's datetime.date arithmetic */
} date_cases[] = {
    {"1970-01-01", 1, 0},       {"1969-12-31", 1, -1},      {"2000-01-01", 1, 10957},
    {"2026-01-05", 1, 20458},   {"2024-02-29", 1, 19782},   {"2000-02-29", 1, 11016},
    {"0001-01-01", 1, -719162}, {"9999-12-31", 1, 2932896}, {"2023-02-29", 0, 0},
    {"1900-02-29", 0, 0},       {"2026-13-01", 0, 0},       {"2026-00-10", 0, 0},
    {"2026-04-31", 0, 0},       {"2026-01-00", 0, 0},       {"0000-01-01", 0, 0},
    {"2026-1-05", 0, 0},        {"26-01-05", 0, 0},         {"2026/01/05", 0, 0},
    {"2026-01-05 ", 0, 0},      {"2026-01-5x", 0, 0},       {"", 0, 0},
    {"+026-01-05", 0, 0},       {"2026-01-05T00:00", 0, 0},
};

START_TEST(test_dates)
{
    int32_t day = 12345;
    int r = metcn_track_date_parse(date_cases[_i].s, &day);
    if (date_cases[_i].ok) {
        ck_assert_msg(r == 0, "'%s' refused", date_cases[_i].s);
        ck_assert_msg(day == date_cases[_i].day, "'%s': day %d, expected %d", date_cases[_i].s, day,
                      date_cases[_i].day);
    } else {
        ck_assert_msg(r == METCN_E_FORMAT, "'%s' accepted", date_cases[_i].s);
    }
}
END_TEST

/* Consecutive days over four centuries differ by exactly 1 (leap years included). */
START_TEST(test_dates_consecutive)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int32_t prev = 0;
    int first = 1;
    for (int y = 1899; y <= 2301; y++)
        for (int m = 1; m <= 12; m++) {
            int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
            for (int d = 1; d <= dm[m - 1] + (m == 2 && leap); d++) {
                char s[48];
                int32_t day;
                snprintf(s, sizeof s, "%04d-%02d-%02d", y, m, d);
                ck_assert_msg(metcn_track_date_parse(s, &day) == 0, "%s", s);
                ck_assert_msg(first || day == prev + 1, "%s: %d after %d", s, day, prev);
                prev = day;
                first = 0;
            }
        }
}
END_TEST

/* ---- standard errors and the test ---------------------------------------------------------- */

static double q975(void)
{
    return gsl_cdf_ugaussian_Pinv(0.975);
}

/* An interval of a log-normal estimate with log SE se at 95%. */
static metcn_track_value_t iv(double est, double se)
{
    metcn_track_value_t v = {est, est * exp(-q975() * se), est * exp(q975() * se)};
    return v;
}

START_TEST(test_log_se)
{
    metcn_track_value_t v = iv(3.0, 0.1);
    ck_assert_msg(fabs(metcn_track_log_se(&v, 0.95) - 0.1) < 1e-12, "symmetric");
    /* at another level the same interval means a smaller SE: q(0.95) / q(0.99) */
    double q99 = gsl_cdf_ugaussian_Pinv(0.995);
    ck_assert(fabs(metcn_track_log_se(&v, 0.99) - 0.1 * q975() / q99) < 1e-12);
    metcn_track_value_t floored = {3.0, 0, 3.0 * exp(q975() * 0.1)};
    ck_assert_msg(fabs(metcn_track_log_se(&floored, 0.95) - 0.1) < 1e-12, "upper half");
    metcn_track_value_t no_hi = {3.0, 3.0 * exp(-q975() * 0.2), NAN};
    ck_assert_msg(fabs(metcn_track_log_se(&no_hi, 0.95) - 0.2) < 1e-12, "lower half");
    metcn_track_value_t asym = {2.0, 1.5, 3.0}; /* full width used: ln 2 / (2 q) */
    ck_assert(fabs(metcn_track_log_se(&asym, 0.95) - log(2.0) / (2 * q975())) < 1e-12);
    metcn_track_value_t none[] = {{3.0, NAN, NAN}, {NAN, 2, 4},   {0, 0, 1},
                                  {3.0, 3.0, 3.0}, {3.0, 0, 3.0}, {-1, 1, 2}};
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++)
        ck_assert_msg(isnan(metcn_track_log_se(&none[i], 0.95)), "case %zu not NaN", i);
}
END_TEST

START_TEST(test_compare)
{
    metcn_track_value_t a = iv(3.0, 0.05), b = iv(4.5, 0.08);
    double lr, z, p;
    ck_assert_int_eq(metcn_track_compare(&a, &b, 0.95, &lr, &z, &p), 0);
    double want_z = log(1.5) / sqrt(0.05 * 0.05 + 0.08 * 0.08);
    ck_assert(fabs(lr - log(1.5)) < 1e-12);
    ck_assert_msg(fabs(z - want_z) < 1e-9, "z %.12g want %.12g", z, want_z);
    ck_assert_msg(fabs(p - erfc(want_z / sqrt(2))) < 1e-12, "p %.12g", p);
    ck_assert_int_eq(metcn_track_compare(&b, &a, 0.95, &lr, &z, &p), 0);
    ck_assert(fabs(z + want_z) < 1e-9);
    metcn_track_value_t na = {4.0, NAN, NAN};
    ck_assert_int_eq(metcn_track_compare(&a, &na, 0.95, &lr, &z, &p), 1);
    ck_assert(isnan(lr) && isnan(z) && isnan(p));
}
END_TEST

/* ---- events --------------------------------------------------------------------------------- */

/* A series as tokens: D<cn>[/<se>] detected (plasma CN, log SE; default 0.05), Dx detected
 * without a plasma CN, N not detected, A not assessable, ? detection NA.  Expected events as
 * names, and the expected compared_to index per point (-1 none). */
static const struct {
    const char *series;
    double alpha;
    const char *events;
    const char *refs;
    const char *why;
} event_cases[] = {
    {"D3", 0.05, "first", "-1", "one detected sample"},
    {"N", 0.05, "first", "-1", "one negative sample"},
    {"A", 0.05, "first", "-1", "one not assessable sample"},
    {"?", 0.05, "NA", "-1", "detection unknown"},
    {"D3 D3.05", 0.05, "first stable", "-1 0", "z 0.23: stable"},
    {"D3 D4.5", 0.05, "first rise", "-1 0", "z 5.7: rise"},
    {"D4.5 D3", 0.05, "first fall", "-1 0", "z -5.7: fall"},
    {"D3/0.1 D4.095/0.1", 0.05, "first rise", "-1 0", "z 2.2 (p 0.028) at alpha 0.05"},
    {"D3/0.1 D4.095/0.1", 0.01, "first stable", "-1 0", "z 2.2 at alpha 0.01"},
    {"D3 D4.5 D4.6 D2.5", 0.05, "first rise stable fall", "-1 0 1 2", "each vs the previous"},
    {"N D3", 0.05, "first emerged", "-1 0", "detected after not detected"},
    {"A D3", 0.05, "first emerged", "-1 0", "first detection after not assessable"},
    {"N A N D3", 0.05, "first below_detection stable emerged", "-1 0 1 2", "never before"},
    {"D3 N", 0.05, "first cleared", "-1 0", "cleared"},
    {"D3 N N", 0.05, "first cleared stable", "-1 0 1", "cleared once, then stable"},
    {"D3 A", 0.05, "first below_detection", "-1 0", "below detection"},
    {"D3 A N", 0.05, "first below_detection cleared", "-1 0 0",
     "not detected after a gap: cleared relative to the last assessable"},
    {"D3 A A", 0.05, "first below_detection below_detection", "-1 0 1", "twice below"},
    {"D3 A D3.2", 0.05, "first below_detection re-emerged", "-1 0 1", "after below_detection"},
    {"D3 N D3", 0.05, "first cleared re-emerged", "-1 0 1", "after cleared"},
    {"D3 N N D3", 0.05, "first cleared stable re-emerged", "-1 0 1 2", "after a stable negative"},
    {"D3 N A D3", 0.05, "first cleared below_detection re-emerged", "-1 0 1 2", "mixed gap"},
    {"N N", 0.05, "first stable", "-1 0", "still negative"},
    {"? D3", 0.05, "NA first", "-1 -1", "unknown first sample skipped"},
    {"D3 ? D4.5", 0.05, "first NA rise", "-1 -1 0", "unknown sample in between skipped"},
    {"D3 ? N", 0.05, "first NA cleared", "-1 -1 0", "cleared across an unknown"},
    {"D3 Dx", 0.05, "first NA", "-1 0", "no plasma CN: untestable"},
    {"D3 Dx D4.5", 0.05, "first NA rise", "-1 0 0", "tested against the last testable"},
    {"Dx D4.5", 0.05, "first NA", "-1 -1", "nothing testable before"},
    {"D3 N Dx D4.5", 0.05, "first cleared re-emerged NA", "-1 0 1 -1",
     "run restarts after cleared"},
};

static void parse_series(const char *spec, metcn_track_point_t *pts, size_t *n)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", spec);
    *n = 0;
    for (char *save = NULL, *tok = strtok_r(buf, " ", &save); tok;
         tok = strtok_r(NULL, " ", &save)) {
        metcn_track_point_t *p = &pts[(*n)++];
        memset(p, 0, sizeof *p);
        p->day = 100 + 30 * (int32_t)*n;
        snprintf(p->date, sizeof p->date, "d%d", (int)(*n % 100));
        p->sample = "S";
        p->gene = "MET";
        p->plasma_cn = (metcn_track_value_t){NAN, NAN, NAN};
        if (tok[0] == 'D') {
            p->detection = METCN_DETECTION_DETECTED;
            if (tok[1] != 'x') {
                double se = 0.05;
                char *slash = strchr(tok, '/');
                if (slash)
                    se = atof(slash + 1);
                p->plasma_cn = iv(atof(tok + 1), se);
            }
        } else if (tok[0] == 'N') {
            p->detection = METCN_DETECTION_NOT_DETECTED;
            p->plasma_cn = iv(2.0, 0.03);
        } else if (tok[0] == 'A') {
            p->detection = METCN_DETECTION_NOT_ASSESSABLE;
            p->plasma_cn = iv(2.0, 0.2);
        } else {
            p->detection = METCN_DETECTION_NA;
        }
    }
}

START_TEST(test_events)
{
    metcn_track_point_t pts[16];
    size_t n;
    parse_series(event_cases[_i].series, pts, &n);
    metcn_track_opt_t opt;
    metcn_track_opt_init(&opt);
    opt.alpha = event_cases[_i].alpha;
    ck_assert_int_eq(metcn_track_events(pts, n, &opt), 0);
    char got[256] = "", refs[128] = "";
    for (size_t k = 0; k < n; k++) {
        snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", k ? " " : "",
                 metcn_track_event_name(pts[k].event));
        snprintf(refs + strlen(refs), sizeof refs - strlen(refs), "%s%ld", k ? " " : "",
                 pts[k].ref);
    }
    ck_assert_msg(strcmp(got, event_cases[_i].events) == 0, "%s [%s]: got '%s', expected '%s'",
                  event_cases[_i].why, event_cases[_i].series, got, event_cases[_i].events);
    ck_assert_msg(strcmp(refs, event_cases[_i].refs) == 0, "%s [%s]: refs '%s', expected '%s'",
                  event_cases[_i].why, event_cases[_i].series, refs, event_cases[_i].refs);
    /* every rise / fall / tested stable carries the z of its construction */
    for (size_t k = 0; k < n; k++) {
        metcn_event_t e = pts[k].event;
        int tested = e == METCN_EVENT_RISE || e == METCN_EVENT_FALL ||
                     (e == METCN_EVENT_STABLE && pts[k].detection == METCN_DETECTION_DETECTED);
        ck_assert_msg(tested == isfinite(pts[k].z), "%s: point %zu z %g", event_cases[_i].why, k,
                      pts[k].z);
        if (!tested)
            continue;
        const metcn_track_point_t *a = &pts[pts[k].ref], *b = &pts[k];
        double sa = log(a->plasma_cn.hi / a->plasma_cn.est) / q975();
        double sb = log(b->plasma_cn.hi / b->plasma_cn.est) / q975();
        double z = log(b->plasma_cn.est / a->plasma_cn.est) / sqrt(sa * sa + sb * sb);
        ck_assert_msg(fabs(pts[k].z - z) < 1e-9, "%s: z %g want %g", event_cases[_i].why, pts[k].z,
                      z);
        ck_assert((pts[k].p_value < opt.alpha) == (e != METCN_EVENT_STABLE));
    }
}
END_TEST

/* Calibration against generated truth: pairs of detected samples whose log plasma copy number
 * is measured with known SEs (different per sample) and reported as 95% intervals.  With no
 * change the share named rise or fall is alpha; with a true change of delta the share named
 * rise is the power Phi(delta/s - q) (+ Phi(-delta/s - q) named fall), s = sqrt(sa^2 + sb^2). */
START_TEST(test_calibration)
{
    static const struct {
        double delta, alpha;
    } cases[] = {{0, 0.05}, {0, 0.01}, {0.15, 0.05}, {-0.25, 0.05}};
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 20260105);
    const int n = 20000;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        metcn_track_opt_t opt;
        metcn_track_opt_init(&opt);
        opt.alpha = cases[c].alpha;
        int rise = 0, fall = 0;
        double power_rise = 0, power_fall = 0, q = gsl_cdf_ugaussian_Pinv(1 - opt.alpha / 2);
        for (int i = 0; i < n; i++) {
            double sa = 0.03 + 0.07 * gsl_rng_uniform(rng), sb = 0.03 + 0.07 * gsl_rng_uniform(rng);
            double truth = log(3.0);
            metcn_track_point_t pts[2];
            memset(pts, 0, sizeof pts);
            pts[0].day = 1;
            pts[1].day = 2;
            pts[0].detection = pts[1].detection = METCN_DETECTION_DETECTED;
            pts[0].plasma_cn = iv(exp(truth + gsl_ran_gaussian(rng, sa)), sa);
            pts[1].plasma_cn = iv(exp(truth + cases[c].delta + gsl_ran_gaussian(rng, sb)), sb);
            ck_assert_int_eq(metcn_track_events(pts, 2, &opt), 0);
            rise += pts[1].event == METCN_EVENT_RISE;
            fall += pts[1].event == METCN_EVENT_FALL;
            double s = sqrt(sa * sa + sb * sb);
            power_rise += gsl_cdf_ugaussian_P(cases[c].delta / s - q) / n;
            power_fall += gsl_cdf_ugaussian_P(-cases[c].delta / s - q) / n;
        }
        /* 4.5 binomial SDs */
        double tr = 4.5 * sqrt(power_rise * (1 - power_rise) / n) + 1e-3;
        double tf = 4.5 * sqrt(power_fall * (1 - power_fall) / n) + 1e-3;
        ck_assert_msg(fabs((double)rise / n - power_rise) < tr, "case %zu: rise %.4f expected %.4f",
                      c, (double)rise / n, power_rise);
        ck_assert_msg(fabs((double)fall / n - power_fall) < tf, "case %zu: fall %.4f expected %.4f",
                      c, (double)fall / n, power_fall);
    }
    gsl_rng_free(rng);
}
END_TEST

START_TEST(test_events_order)
{
    metcn_track_point_t pts[16];
    size_t n;
    metcn_track_opt_t opt;
    metcn_track_opt_init(&opt);
    parse_series("D3 D4 D5", pts, &n);
    pts[2].day = pts[1].day; /* same day */
    ck_assert_int_eq(metcn_track_events(pts, n, &opt), METCN_E_ARG);
    ck_assert_ptr_nonnull(strstr(metcn_last_error(), "is not after"));
    pts[2].day = pts[1].day - 1; /* earlier */
    ck_assert_int_eq(metcn_track_events(pts, n, &opt), METCN_E_ARG);
    ck_assert_int_eq(metcn_track_events(pts, 0, &opt), 0);
}
END_TEST

START_TEST(test_names)
{
    static const char *const want[] = {"NA",      "first",   "stable",          "rise",      "fall",
                                       "emerged", "cleared", "below_detection", "re-emerged"};
    ck_assert_int_eq(METCN_EVENT_N_, 9);
    for (int e = 0; e < METCN_EVENT_N_; e++)
        ck_assert_str_eq(metcn_track_event_name(e), want[e]);
    ck_assert_str_eq(metcn_track_event_name(-1), "NA");
    ck_assert_str_eq(metcn_track_event_name(METCN_EVENT_N_), "NA");
    metcn_detection_t d;
    ck_assert_int_eq(metcn_track_detect_parse("not_detected", &d), 0);
    ck_assert_int_eq(d, METCN_DETECTION_NOT_DETECTED);
    ck_assert_int_eq(metcn_track_detect_parse("NA", &d), 0);
    ck_assert_int_eq(d, METCN_DETECTION_NA);
    ck_assert_int_eq(metcn_track_detect_parse("Detected", &d), METCN_E_FORMAT);
    ck_assert_int_eq(metcn_track_detect_parse("positive", &d), METCN_E_FORMAT);
    for (int k = 0; k <= 2; k++) {
        ck_assert_int_eq(metcn_track_detect_parse(metcn_detection_name(k), &d), 0);
        ck_assert_int_eq((int)d, k);
    }
    metcn_track_opt_t opt;
    metcn_track_opt_init(&opt);
    ck_assert_int_eq(metcn_track_opt_check(&opt), 0);
    opt.alpha = 0;
    ck_assert_int_eq(metcn_track_opt_check(&opt), METCN_E_ARG);
    metcn_track_opt_init(&opt);
    opt.interval_level = 1;
    ck_assert_int_eq(metcn_track_opt_check(&opt), METCN_E_ARG);
}
END_TEST

/* ---- the pipeline on files ------------------------------------------------------------------ */

static const char *path_in(const char *name)
{
    static char p[4][256];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s", tmpdir, name);
    return p[k];
}

static void write_file(const char *name, const char *text)
{
    FILE *fp = fopen(path_in(name), "w");
    ck_assert_ptr_nonnull(fp);
    fputs(text, fp);
    ck_assert_int_eq(fclose(fp), 0);
}

static int exists(const char *name)
{
    struct stat st;
    return stat(path_in(name), &st) == 0;
}

#define PLASMA_HDR                                                                                 \
    "sample\tgene\tcn\tcn_low\tcn_high\ttier\tqc\ttumour_fraction\ttumour_fraction_low\t"          \
    "tumour_fraction_high\ttumour_fraction_source\tplasma_cn\tplasma_cn_low\tplasma_cn_high\t"     \
    "detection\tlod_tf_cn5\tlod_tf_cn10\n"
#define TISSUE_HDR "sample\tgene\tcn\tcn_low\tcn_high\ttier\tpurity\tpurity_source\tqc\n"

/* P1 plasma, P2 tissue, sheet rows out of date order, relative calls paths. */
static void write_good_inputs(void)
{
    write_file("plasma.tsv", PLASMA_HDR
               "S1\tMET\t10\t8\t12\thigh\tpass\t0.12\t0.1\t0.14\testimated\t3.1\t2.8\t3.4\t"
               "detected\t0.02\t0.008\n"
               "S2\tMET\t20\t17\t23\thigh\tpass\t0.15\t0.13\t0.17\testimated\t4.6\t4.2\t5.0\t"
               "detected\t0.02\t0.008\n"
               "S3\tMET\tNA\tNA\tNA\tnegative\tpass\t0.004\t0.001\t0.008\tvaf\t2.0\t1.9\t2.1\t"
               "not_assessable\t0.02\t0.008\n"
               "S1\tERBB2\t2\t1.6\t2.4\tnegative\tpass\t0.12\t0.1\t0.14\testimated\t2.0\t1.9\t"
               "2.1\tnot_detected\t0.03\t0.012\n"
               "OTHER\tMET\t2\t1.6\t2.4\tnegative\tpass\t0.12\t0.1\t0.14\testimated\t2.0\t1.9\t"
               "2.1\tnot_detected\t0.03\t0.012\n");
    write_file("tissue.tsv", TISSUE_HDR "T1\tMET\t2.1\t1.8\t2.4\tnegative\t0.4\tgiven\tpass\n"
                                        "T2\tMET\t9\t7.5\t10.5\tintermediate\t0.5\tgiven\tpass\n"
                                        "T3\tMET\t3\t1\t6\tnegative\t0.1\tassumed\tfail\n"
                                        "T4\tMET\t2.2\tNA\tNA\tNA\t0.6\tgiven\tpass\n");
    write_file("sheet.tsv", "sample\tpatient\tdate\tcalls\textra\n"
                            "S2\tP1\t2026-02-02\tplasma.tsv\tx\n"
                            "T1\tPat B/2\t2025-06-01\ttissue.tsv\ty\n"
                            "S1\tP1\t2026-01-05\tplasma.tsv\tx\n"
                            "T2\tPat B/2\t2025-11-20\ttissue.tsv\t\n"
                            "S3\tP1\t2026-03-01\tplasma.tsv\t\n"
                            "T3\tPat B/2\t2026-01-10\ttissue.tsv\t\n"
                            "T4\tPat B/2\t2026-02-10\ttissue.tsv\t\n");
}

static const metcn_track_point_t *find(const metcn_track_t *t, const char *sample, const char *gene)
{
    for (size_t i = 0; i < t->n_points; i++)
        if (strcmp(t->points[i].sample, sample) == 0 && strcmp(t->points[i].gene, gene) == 0)
            return &t->points[i];
    ck_abort_msg("no point %s %s", sample, gene);
    return NULL;
}

START_TEST(test_pipeline)
{
    write_good_inputs();
    metcn_track_opt_t opt;
    metcn_track_opt_init(&opt);
    metcn_track_t *t = metcn_track_run(path_in("sheet.tsv"), &opt);
    ck_assert_msg(t != NULL, "%s", metcn_last_error());
    ck_assert_int_eq(t->n_patients, 2);
    ck_assert_str_eq(t->patients[0].name, "P1");
    ck_assert_str_eq(t->patients[1].name, "Pat B/2");
    ck_assert_str_eq(t->patients[1].file_name, "Pat_B_2");
    ck_assert_int_eq(t->patients[0].n_samples, 3);
    ck_assert_int_eq(t->n_points, 8); /* OTHER is not in the sheet */
    /* output order: patient, date, gene */
    static const char *const order[] = {"S1 ERBB2", "S1 MET", "S2 MET", "S3 MET",
                                        "T1 MET",   "T2 MET", "T3 MET", "T4 MET"};
    for (size_t i = 0; i < t->n_points; i++) {
        char got[64];
        const metcn_track_point_t *p = &t->points[t->order[i]];
        snprintf(got, sizeof got, "%s %s", p->sample, p->gene);
        ck_assert_msg(strcmp(got, order[i]) == 0, "row %zu: %s, expected %s", i, got, order[i]);
    }
    const metcn_track_point_t *p = find(t, "S2", "MET");
    ck_assert_int_eq(p->event, METCN_EVENT_RISE);
    ck_assert_str_eq(t->points[p->ref].sample, "S1");
    ck_assert(p->plasma_cn_src == METCN_SRC_REPORTED && p->detection_src == METCN_SRC_REPORTED);
    double s1 = log(3.4 / 2.8) / (2 * q975()), s2 = log(5.0 / 4.2) / (2 * q975());
    ck_assert(fabs(p->z - log(4.6 / 3.1) / sqrt(s1 * s1 + s2 * s2)) < 1e-9);
    ck_assert_int_eq(find(t, "S3", "MET")->event, METCN_EVENT_BELOW_DETECTION);
    ck_assert_str_eq(find(t, "S3", "MET")->tf_source, "vaf");
    ck_assert(isnan(find(t, "S3", "MET")->cn.est));
    ck_assert_int_eq(find(t, "S1", "ERBB2")->event, METCN_EVENT_FIRST);
    ck_assert_int_eq(find(t, "S1", "ERBB2")->detection, METCN_DETECTION_NOT_DETECTED);
    /* tissue: detection from tier/qc, mixture copy number p*cn + 2(1-p) */
    const metcn_track_point_t *t1 = find(t, "T1", "MET"), *t2 = find(t, "T2", "MET"),
                              *t3 = find(t, "T3", "MET"), *t4 = find(t, "T4", "MET");
    ck_assert_int_eq(t1->detection, METCN_DETECTION_NOT_DETECTED);
    ck_assert_int_eq(t1->detection_src, METCN_SRC_DERIVED);
    ck_assert_int_eq(t1->event, METCN_EVENT_FIRST);
    ck_assert_int_eq(t2->detection, METCN_DETECTION_DETECTED);
    ck_assert_int_eq(t2->event, METCN_EVENT_EMERGED);
    ck_assert_int_eq(t2->plasma_cn_src, METCN_SRC_DERIVED);
    ck_assert(fabs(t2->plasma_cn.est - (0.5 * 9 + 1.0)) < 1e-12);
    ck_assert(fabs(t2->plasma_cn.lo - (0.5 * 7.5 + 1.0)) < 1e-12);
    ck_assert(fabs(t2->plasma_cn.hi - (0.5 * 10.5 + 1.0)) < 1e-12);
    ck_assert(fabs(t2->tf.est - 0.5) < 1e-12 && t2->tf.lo == 0.5 && t2->tf.hi == 0.5);
    ck_assert_str_eq(t2->tf_source, "given");
    ck_assert_int_eq(t3->detection, METCN_DETECTION_NOT_ASSESSABLE); /* qc fail */
    ck_assert_int_eq(t3->event, METCN_EVENT_BELOW_DETECTION);
    ck_assert_str_eq(t3->tf_source, "assumed");
    ck_assert_int_eq(t4->detection, METCN_DETECTION_NA); /* no tier */
    ck_assert_int_eq(t4->event, METCN_EVENT_NA);
    ck_assert(isnan(t4->plasma_cn.lo) && fabs(t4->plasma_cn.est - (0.6 * 2.2 + 0.8)) < 1e-12);

    char *s = metcn_track_summary(t, 0);
    ck_assert_str_eq(s, "patient P1 (3 samples, 2026-01-05 to 2026-03-01)\n"
                        "  ERBB2: not detected on 2026-01-05 (TF 12%).\n"
                        "  MET: detected on 2026-01-05 (plasma CN 3.1 [2.8-3.4], TF 12%); rose "
                        "on 2026-02-02 (plasma CN 4.6 [4.2-5], p = 3.1e-09); not assessable on "
                        "2026-03-01 (TF 0.4%, detection limit TF 0.8% for 10 copies).\n");
    free(s);
    s = metcn_track_summary(t, 1);
    ck_assert_str_eq(s, "patient Pat B/2 (4 samples, 2025-06-01 to 2026-02-10)\n"
                        "  MET: not detected on 2025-06-01 (purity 40%); emerged on 2025-11-20 "
                        "(CN 9 [7.5-10.5] per tumour cell, purity 50%); not assessable on "
                        "2026-01-10 (purity 10%); no result on 2026-02-10.\n");
    free(s);

    /* the output set */
    ck_assert_int_eq(metcn_track_write(t, path_in("out"), "metcn track test"), 0);
    ck_assert(exists("out.track.tsv") && exists("out.json") && exists("out.P1.svg") &&
              exists("out.Pat_B_2.svg"));
    FILE *fp = fopen(path_in("out.track.tsv"), "r");
    char line[1024];
    static const char *const hdr = "patient\tsample\tdate\tgene\ttumour_fraction\tplasma_cn\tcn\t"
                                   "detection\tevent\t";
    static const char *const row = "P1\tS2\t2026-02-02\tMET\t0.15\t4.6\t20\tdetected\trise\t";
    ck_assert_ptr_nonnull(fgets(line, sizeof line, fp));
    ck_assert(strncmp(line, hdr, strlen(hdr)) == 0);
    for (int k = 0; k < 3; k++)
        ck_assert_ptr_nonnull(fgets(line, sizeof line, fp));
    ck_assert_msg(strncmp(line, row, strlen(row)) == 0, "row: %s", line);
    fclose(fp);

    /* a failure at the last rename leaves none of the set: the svg's final name is a
     * directory, so the table and the JSON renamed before it are removed again */
    ck_assert_int_eq(mkdir(path_in("fail.Pat_B_2.svg"), 0755), 0);
    ck_assert_int_ne(metcn_track_write(t, path_in("fail"), NULL), 0);
    ck_assert_ptr_nonnull(strstr(metcn_last_error(), "fail.Pat_B_2.svg"));
    ck_assert(!exists("fail.track.tsv") && !exists("fail.json") && !exists("fail.P1.svg"));
    /* an output directory that does not exist: nothing written */
    ck_assert_int_ne(metcn_track_write(t, path_in("nodir/out"), NULL), 0);
    ck_assert_ptr_nonnull(strstr(metcn_last_error(), "cannot open for writing"));
    metcn_track_destroy(t);
    /* no temporary left in the directory */
    char cmd[160];
    snprintf(cmd, sizeof cmd, "ls %s | grep -q '\\.tmp\\.'", tmpdir);
    ck_assert_msg(system(cmd) != 0, "temporary file left behind");
}
END_TEST

/* Every input error: one message naming the file (and line) and the problem. */
static const struct {
    const char *sheet, *calls; /* calls written to c.tsv; NULL: none */
    const char *msg;           /* substring of the message */
} bad_cases[] = {
    {"sample\tpatient\tcalls\nS1\tP\tc.tsv\n", NULL, "sheet.tsv: no column 'date'"},
    {"sample,patient,date,calls\nS1,P,2026-01-01,c.tsv\n", NULL,
     "no column 'sample' (the header is not tab-separated)"},
    {"sample\tpatient\tdate\tcalls\nS1\tP\t2026-02-30\tc.tsv\n", NULL,
     "sheet.tsv:2: date '2026-02-30' is not a valid YYYY-MM-DD calendar date"},
    {"sample\tpatient\tdate\tcalls\nS1\tP\t05/01/2026\tc.tsv\n", NULL, "sheet.tsv:2: date '05/01"},
    {"sample\tpatient\tdate\tcalls\nS1\tP\t2026-01-01\tmissing.tsv\n", NULL,
     "missing.tsv: cannot open: No such file or directory"},
    {"sample\tpatient\tdate\tcalls\nS1\tP\t2026-01-01\t.\n", NULL, "column 'calls' is empty or NA"},
    {"sample\tpatient\tdate\tcalls\nS1\t\t2026-01-01\tc.tsv\n", NULL,
     "sheet.tsv:2: column 'patient' is empty"},
    {"sample\tpatient\tdate\tcalls\nS1\tP\t2026-01-01\n", NULL,
     "sheet.tsv:2: 3 fields where the header has 4"},
    {"sample\tpatient\tdate\tcalls\n", NULL, "sheet.tsv: no samples"},
    {"", NULL, "sheet.tsv: empty file"},
    {"sample\tpatient\tdate\tcalls\nS1\tP\t2026-01-01\tc.tsv\nS1\tQ\t2026-02-01\tc.tsv\n", NULL,
     "sheet.tsv:3: sample 'S1' is listed twice (also line 2)"},
    {"sample\tpatient\tdate\tcalls\nS1\tP\t2026-01-01\tc.tsv\nS2\tP\t2026-01-01\tc.tsv\n", NULL,
     "sheet.tsv:3: patient 'P' has two samples on 2026-01-01"},
    {"sample\tpatient\tdate\tcalls\nS1\tA B\t2026-01-01\tc.tsv\nS2\tA_B\t2026-02-01\tc.tsv\n", NULL,
     "patients 'A B' and 'A_B' have the same file-safe name 'A_B'"},
    {"sample\tpatient\tdate\tcalls\nS9\tP\t2026-01-01\tc.tsv\n", TISSUE_HDR,
     "c.tsv: sample 'S9' not found (sheet"},
    {"sample\tpatient\tdate\tcalls\nS1\tP\t2026-01-01\tc.tsv\n",
     "sample\tgene\tcn\tcn_low\tcn_high\ttier\tqc\n", "c.tsv: no column 'purity'"},
    {"sample\tpatient\tdate\tcalls\nS1\tP\t2026-01-01\tc.tsv\n",
     "sample\tgene\tcn\tcn_high\ttier\tpurity\tqc\n", "c.tsv: no column 'cn_low'"},
    {"sample\tpatient\tdate\tcalls\nS1\tP\t2026-01-01\tc.tsv\n",
     "sample\tgene\tcn\tcn_low\tcn_high\tplasma_cn\tdetection\n",
     "c.tsv: no column 'tumour_fraction'"},
    {"sample\tpatient\tdate\tcalls\nS1\tP\t2026-01-01\tc.tsv\n",
     TISSUE_HDR "S1\tMET\tabc\t1\t2\tnegative\t0.5\tgiven\tpass\n",
     "c.tsv:2: column 'cn': 'abc' is not a number"},
    {"sample\tpatient\tdate\tcalls\nS1\tP\t2026-01-01\tc.tsv\n",
     TISSUE_HDR "S1\tMET\t2\t1\t2\tnegative\t1.5\tgiven\tpass\n",
     "c.tsv:2: column 'purity': '1.5' is not a number in [0, 1]"},
    {"sample\tpatient\tdate\tcalls\nS1\tP\t2026-01-01\tc.tsv\n",
     TISSUE_HDR "S1\tMET\t2\t3\t2.5\tnegative\t0.5\tgiven\tpass\n",
     "c.tsv:2: cn_low 3 is above cn_high 2.5"},
    {"sample\tpatient\tdate\tcalls\nS1\tP\t2026-01-01\tc.tsv\n",
     TISSUE_HDR "S1\tMET\t2\t1\t3\tnegative\t0.5\tgiven\tpass\nS1\tMET\t2\t1\t3\tnegative\t0.5\t"
                "given\tpass\n",
     "c.tsv:3: sample 'S1' has a second row for gene 'MET' (first on line 2)"},
    {"sample\tpatient\tdate\tcalls\nS1\tP\t2026-01-01\tc.tsv\n",
     TISSUE_HDR "S1\t\t2\t1\t3\tnegative\t0.5\tgiven\tpass\n", "c.tsv:2: column 'gene' is empty"},
    {"sample\tpatient\tdate\tcalls\nS1\tP\t2026-01-01\tc.tsv\n",
     PLASMA_HDR "S1\tMET\t2\t1\t3\tnegative\tpass\t0.1\t0.1\t0.1\tgiven\t2\t2\t2\tpositive\t0.1\t"
                "0.1\n",
     "c.tsv:2: column 'detection': 'positive' is not detected, not_detected, not_assessable or NA"},
    {"sample\tpatient\tdate\tcalls\nS1\tP\t2026-01-01\tc.tsv\n", TISSUE_HDR "S1\tMET\t2\n",
     "c.tsv:2: 3 fields where the header has 9"},
    {"sample\tpatient\tdate\tcalls\nS1\tP\t2026-01-01\tc.tsv\n", "", "c.tsv: empty file"},
};

START_TEST(test_bad_input)
{
    unlink(path_in("c.tsv"));
    write_file("sheet.tsv", bad_cases[_i].sheet);
    if (bad_cases[_i].calls)
        write_file("c.tsv", bad_cases[_i].calls);
    metcn_track_opt_t opt;
    metcn_track_opt_init(&opt);
    metcn_clear_error();
    metcn_track_t *t = metcn_track_run(path_in("sheet.tsv"), &opt);
    ck_assert_msg(t == NULL, "case %d accepted", _i);
    ck_assert_msg(strstr(metcn_last_error(), bad_cases[_i].msg) != NULL,
                  "case %d: message '%s', expected '%s'", _i, metcn_last_error(),
                  bad_cases[_i].msg);
    ck_assert_msg(strchr(metcn_last_error(), '\n') == NULL, "case %d: more than one line", _i);
}
END_TEST

/* The tissue negative-tier list is an option; qc fail wins over any tier. */
START_TEST(test_negative_tiers)
{
    write_file("c.tsv", TISSUE_HDR "S1\tMET\t3\t2\t4\tlow\t0.5\tgiven\tpass\n"
                                   "S2\tMET\t3\t2\t4\tLOW\t0.5\tgiven\tpass\n"
                                   "S3\tMET\t9\t7\t11\thigh\t0.5\tgiven\tfail\n");
    write_file("sheet.tsv", "sample\tpatient\tdate\tcalls\n"
                            "S1\tP\t2026-01-01\tc.tsv\nS2\tP\t2026-02-01\tc.tsv\n"
                            "S3\tP\t2026-03-01\tc.tsv\n");
    metcn_track_opt_t opt;
    metcn_track_opt_init(&opt);
    metcn_track_t *t = metcn_track_run(path_in("sheet.tsv"), &opt);
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(t->points[0].detection,
                     METCN_DETECTION_DETECTED); /* low is an amplification */
    metcn_track_destroy(t);
    opt.negative_tiers = "negative,low";
    t = metcn_track_run(path_in("sheet.tsv"), &opt);
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(t->points[0].detection, METCN_DETECTION_NOT_DETECTED);
    ck_assert_int_eq(t->points[1].detection, METCN_DETECTION_NOT_DETECTED); /* case-insensitive */
    ck_assert_int_eq(t->points[2].detection, METCN_DETECTION_NOT_ASSESSABLE);
    metcn_track_destroy(t);
}
END_TEST

/* A tissue table's purity interval becomes the tumour-fraction interval; without a
 * purity_source column the source is "purity". */
START_TEST(test_tissue_purity_interval)
{
    write_file("c.tsv", "sample\tgene\tcn\tcn_low\tcn_high\ttier\tpurity\tpurity_low\t"
                        "purity_high\tqc\nS1\tMET\t6\t5\t7\thigh\t0.3\t0.2\t0.45\tpass\n");
    write_file("sheet.tsv", "sample\tpatient\tdate\tcalls\nS1\tP\t2026-01-01\tc.tsv\n");
    metcn_track_opt_t opt;
    metcn_track_opt_init(&opt);
    metcn_track_t *t = metcn_track_run(path_in("sheet.tsv"), &opt);
    ck_assert_ptr_nonnull(t);
    const metcn_track_point_t *p = &t->points[0];
    ck_assert(p->tf.est == 0.3 && p->tf.lo == 0.2 && p->tf.hi == 0.45);
    ck_assert_str_eq(p->tf_source, "purity");
    ck_assert(fabs(p->plasma_cn.est - (0.3 * 6 + 1.4)) < 1e-12);
    ck_assert(fabs(p->plasma_cn.lo - (0.3 * 5 + 1.4)) < 1e-12);
    ck_assert_int_eq(p->event, METCN_EVENT_FIRST);
    metcn_track_destroy(t);
}
END_TEST

int main(void)
{
    metcn_init();
    snprintf(tmpdir, sizeof tmpdir, "/tmp/metcn_test_track.XXXXXX");
    if (!mkdtemp(tmpdir))
        return EXIT_FAILURE;
    Suite *s = suite_create("track");
    TCase *tc = tcase_create("events");
    tcase_add_loop_test(tc, test_dates, 0, (int)(sizeof date_cases / sizeof date_cases[0]));
    tcase_add_test(tc, test_dates_consecutive);
    tcase_add_test(tc, test_log_se);
    tcase_add_test(tc, test_compare);
    tcase_add_loop_test(tc, test_events, 0, (int)(sizeof event_cases / sizeof event_cases[0]));
    tcase_add_test(tc, test_events_order);
    tcase_add_test(tc, test_calibration);
    tcase_add_test(tc, test_names);
    suite_add_tcase(s, tc);
    TCase *tp = tcase_create("pipeline");
    tcase_add_test(tp, test_pipeline);
    tcase_add_loop_test(tp, test_bad_input, 0, (int)(sizeof bad_cases / sizeof bad_cases[0]));
    tcase_add_test(tp, test_negative_tiers);
    tcase_add_test(tp, test_tissue_purity_interval);
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
