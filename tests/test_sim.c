/* test_sim.c -- the test-data generator (metcn-sim) against its own model: copy-number factor
 * and truth tables, per-target fragment counts within Poisson error of the model, the GC
 * curve recovered from the output, pairs intact, duplicate / low-MAPQ / supplementary rates,
 * samtools quickcheck / flagstat consistency, BAM == CRAM, the fixture manifest.
 *
 * The model functions are compiled in from the generator's own source (sim_model.c); the
 * data tests run METCN_SIM on the fixture reference and panel (METCN_TESTDATA). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_multifit.h>
#include <htslib/faidx.h>
#include <htslib/sam.h>

#include "metcn/cov.h"
#include "metcn/metcn.h"
#include "metcn/panel.h"
#include "metcn/util.h"
#include "sim/sim_model.c"

/* ---- helpers ------------------------------------------------------------------------------ */

static char tmpdir[256];
static const char *testdata, *simbin;

static void need_env(void)
{
    testdata = getenv("METCN_TESTDATA");
    simbin = getenv("METCN_SIM");
    ck_assert_msg(testdata && *testdata, "METCN_TESTDATA is not set");
    ck_assert_msg(simbin && *simbin, "METCN_SIM is not set");
}

static int run_sim(const char *args)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "'%s' %s", simbin, args);
    return system(cmd);
}

/* Truth TSV of prefix: the value of column col (static buffer), or NULL. */
static const char *truth_get(const char *prefix, const char *col)
{
    static char val[256];
    char path[512], hdr[4096], row[4096];
    snprintf(path, sizeof path, "%s.truth.tsv", prefix);
    FILE *fp = fopen(path, "r");
    if (!fp)
        return NULL;
    int ok = fgets(hdr, sizeof hdr, fp) && fgets(row, sizeof row, fp);
    fclose(fp);
    if (!ok)
        return NULL;
    char *hf[64], *rf[64];
    int nh = metcn_split(hdr, '\t', hf, 64), nr = metcn_split(row, '\t', rf, 64);
    for (int i = 0; i < nh && i < nr; i++)
        if (strcmp(hf[i], col) == 0) {
            snprintf(val, sizeof val, "%s", rf[i]);
            return val;
        }
    return NULL;
}

static double truth_num(const char *prefix, const char *col)
{
    const char *v = truth_get(prefix, col);
    ck_assert_msg(v != NULL, "%s.truth.tsv lacks %s", prefix, col);
    double x;
    ck_assert_msg(metcn_parse_double(v, -1e18, 1e18, &x) == 0, "%s: %s='%s'", prefix, col, v);
    return x;
}

/* ---- model unit tests ------------------------------------------------------------------------ */

START_TEST(test_cn_factor)
{
    sim_cn_t cn;
    sim_cn_init(&cn);
    cn.purity = 0.3;
    cn.met_cn = 10;
    cn.chr7_cn = 3;
    cn.sex = SIM_XY;
    sim_cn_finish(&cn);
    /* [p C + N (1-p)] / [p P + 2 (1-p)] with P = 2 */
    ck_assert_double_eq_tol(sim_cn_factor(&cn, "chr1", 1000), 1.0, 1e-12);
    ck_assert_double_eq_tol(sim_cn_factor(&cn, "chr7", 116700000), (0.3 * 10 + 1.4) / 2, 1e-12);
    ck_assert_double_eq_tol(sim_cn_factor(&cn, "chr7", 20000000), (0.9 + 1.4) / 2, 1e-12);
    ck_assert_double_eq_tol(sim_cn_factor(&cn, "chrX", 1000), (0.3 * 1 + 0.7) / 2, 1e-12);
    ck_assert_double_eq_tol(sim_cn_factor(&cn, "chrY", 1000), 0.5, 1e-12);
    cn.sex = SIM_XX;
    ck_assert_double_eq_tol(sim_cn_factor(&cn, "chrY", 1000), 0.0, 1e-12);
    ck_assert_double_eq_tol(sim_cn_factor(&cn, "chrX", 1000), 1.0, 1e-12);
    /* the maximum over an interval reaching into the amplicon */
    ck_assert_double_eq_tol(sim_cn_factor_max(&cn, "chr7", 110000000, 116000000), 2.2, 1e-12);
    ck_assert_double_eq_tol(sim_cn_factor_max(&cn, "chr7", 110000000, 115000000), 1.15, 1e-12);
    /* triploid: autosomes at the ploidy give factor 1 */
    sim_cn_init(&cn);
    cn.purity = 0.5;
    cn.base_cn = 3;
    sim_cn_finish(&cn);
    ck_assert_double_eq(cn.ploidy, 3);
    ck_assert_double_eq_tol(sim_cn_factor(&cn, "chr2", 5), 1.0, 1e-12);
    ck_assert_double_eq_tol(sim_cn_factor(&cn, "chr7", 5), 1.0, 1e-12);
}
END_TEST

static const struct {
    const char *name;
    double purity, chr7, p, q, met;
    int64_t amp_start, amp_end;
    double egfr;
    double want_met, want_ratio;
    const char *tier, *high, *pattern;
} truth_cases[] = {
    {"normal", 0, -1, -1, -1, -1, 0, 0, -1, 2, 1, "negative", "no", "none"},
    {"focal 8 on 2", 0.3, 2, -1, -1, 8, 115900000, 117600000, -1, 8, 4, "intermediate", "no",
     "focal"},
    {"focal 12 on 3", 0.6, 3, -1, -1, 12, 115900000, 117600000, -1, 12, 4, "intermediate", "yes",
     "focal_on_polysomy"},
    {"polysomy 4", 1, 4, -1, -1, -1, 0, 0, -1, 4, 1, "negative", "no", "polysomy"},
    {"met 4 on 4: no amplicon", 1, 4, -1, -1, 4, 115900000, 117600000, -1, 4, 1, "negative", "no",
     "polysomy"},
    {"high 40", 1, 2, -1, -1, 40, 115900000, 117600000, -1, 40, 20, "high", "yes", "focal"},
    {"ratio 2.0 is low", 1, 2, -1, -1, 4, 115900000, 117600000, -1, 4, 2, "low", "no", "focal"},
    {"ratio 2.2 is low", 1, 3, -1, -1, 6.6, 115900000, 117600000, -1, 6.6, 2.2, "low", "no",
     "focal_on_polysomy"},
    {"ratio 5.0 is high", 1, 2, -1, -1, 10, 115900000, 117600000, -1, 10, 5, "high", "no", "focal"},
    {"ratio 1.8 is low", 1, 5, -1, -1, 9, 115900000, 117600000, -1, 9, 1.8, "low", "no",
     "focal_on_polysomy"},
    {"7q arm gain", 0.6, 2, -1, 4, -1, 0, 0, -1, 4, 2, "low", "no", "polysomy"},
    {"7p arm gain only", 0.6, 2, 4, -1, -1, 0, 0, -1, 2, 1, "negative", "no", "none"},
    {"EGFR gain, MET normal", 0.6, 2, -1, -1, -1, 0, 0, 12, 2, 1, "negative", "no", "none"},
    /* amplicon from 116,760,000: exons 2-10 (bases 116699084..116759490) stay at 2 */
    {"partial MET amplicon", 0.6, 2, -1, -1, 10, 116760000, 117600000, -1, -1, -1, "intermediate",
     "no", "focal"},
};

START_TEST(test_truth_table)
{
    sim_cn_t cn;
    sim_cn_init(&cn);
    cn.purity = truth_cases[_i].purity;
    cn.chr7_cn = truth_cases[_i].chr7;
    cn.chr7p_cn = truth_cases[_i].p;
    cn.chr7q_cn = truth_cases[_i].q;
    cn.met_cn = truth_cases[_i].met;
    if (cn.met_cn >= 0) {
        cn.amp_start = truth_cases[_i].amp_start;
        cn.amp_end = truth_cases[_i].amp_end;
    }
    cn.egfr_cn = truth_cases[_i].egfr;
    sim_cn_finish(&cn);
    sim_truth_t t;
    sim_truth(&cn, &t);
    const char *name = truth_cases[_i].name;
    double want_met = truth_cases[_i].want_met;
    if (want_met < 0) {
        /* length-weighted by hand: exons 2-10 at 2 copies, 11-21 at 10 */
        double lo = 0, hi = 0;
        for (int i = 0; i < SIM_N_MET_EXONS; i++) {
            double len = (double)(sim_met_exons[i][1] - sim_met_exons[i][0]);
            if (sim_met_exons[i][0] >= 116760000)
                hi += len;
            else
                lo += len;
        }
        want_met = (2 * lo + 10 * hi) / (lo + hi);
        ck_assert_msg(want_met > 7 && want_met < 9.5, "%s: partial met %g", name, want_met);
    }
    ck_assert_msg(fabs(t.met_cn - want_met) < 1e-9, "%s: met_cn %g, want %g", name, t.met_cn,
                  want_met);
    if (truth_cases[_i].want_ratio > 0)
        ck_assert_msg(fabs(t.fish_ratio - truth_cases[_i].want_ratio) < 1e-9, "%s: ratio %g", name,
                      t.fish_ratio);
    ck_assert_msg(strcmp(t.fish_tier, truth_cases[_i].tier) == 0, "%s: tier %s", name, t.fish_tier);
    ck_assert_msg(strcmp(t.high_amp, truth_cases[_i].high) == 0, "%s: high_amp %s", name,
                  t.high_amp);
    ck_assert_msg(strcmp(t.pattern, truth_cases[_i].pattern) == 0, "%s: pattern %s", name,
                  t.pattern);
}
END_TEST

START_TEST(test_capture_eff)
{
    /* deterministic, mean 1, log-sd as asked */
    ck_assert_double_eq(sim_capture_eff(7, 0.3, "chr1", 100, 250),
                        sim_capture_eff(7, 0.3, "chr1", 100, 250));
    ck_assert(sim_capture_eff(7, 0.3, "chr1", 100, 250) !=
              sim_capture_eff(8, 0.3, "chr1", 100, 250));
    double s = 0, s2 = 0, sl = 0, sl2 = 0;
    int n = 20000;
    for (int i = 0; i < n; i++) {
        double e = sim_capture_eff(7, 0.3, "chr2", 1000 * i, 1000 * i + 150);
        s += e;
        s2 += e * e;
        sl += log(e);
        sl2 += log(e) * log(e);
    }
    double mean = s / n, sdlog = sqrt(sl2 / n - (sl / n) * (sl / n));
    (void)s2;
    ck_assert_msg(fabs(mean - 1) < 0.01, "mean efficiency %g", mean);
    ck_assert_msg(fabs(sdlog - 0.3) < 0.01, "log-sd %g", sdlog);
    sim_gc_t g = {2, -10};
    ck_assert_double_eq_tol(sim_gc_factor(&g, 0.45), 1, 1e-12);
    ck_assert_double_eq_tol(sim_gc_factor(&g, 0.55), exp(0.2 - 0.1), 1e-12);
    /* the thinning bound is never below the curve, and tight: a fine scan */
    sim_gc_t curves[] = {{2, -10}, {7, -40}, {-3, 0}, {0, 0}, {1, 20}, {40, -30}, {-40, -30}};
    for (size_t k = 0; k < sizeof curves / sizeof curves[0]; k++) {
        double mx = 0;
        for (int i = 0; i <= 1000000; i++)
            mx = fmax(mx, sim_gc_factor(&curves[k], i / 1e6));
        double bound = sim_gc_max(&curves[k]);
        ck_assert_msg(bound >= mx && bound < mx * (1 + 1e-6), "curve %zu: bound %.12g, max %.12g",
                      k, bound, mx);
    }
}
END_TEST

/* ---- data: one tumour with flat GC, one normal with a strong GC curve --------------------- */

#define DEPTH 300.0
#define PUR 0.6
#define C7 3.0
#define MET 8.0
static char pfx_flat[512], pfx_gc[512], pfx_seed[2][512];

static void gen_setup(void)
{
    need_env();
    metcn_init();
    metcn_log_set_level(METCN_LOG_ERROR);
    snprintf(tmpdir, sizeof tmpdir, "/tmp/metcn_test_sim.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    snprintf(pfx_flat, sizeof pfx_flat, "%s/flat", tmpdir);
    snprintf(pfx_gc, sizeof pfx_gc, "%s/gc", tmpdir);
    char args[3072];
    snprintf(args, sizeof args,
             "reads -r '%s/ref.fa' -b '%s/panel.bed' -o '%s' -s 11 -d %g --sex XY --purity %g "
             "--chr7-cn %g --met-cn %g --capture-seed 5 --dup 0.08 --lowmapq 0.03 --supp 0.01 "
             "--offtarget 0.0002 --cram -l 1",
             testdata, testdata, pfx_flat, DEPTH, PUR, C7, MET);
    ck_assert_int_eq(run_sim(args), 0);
    snprintf(args, sizeof args,
             "reads -r '%s/ref.fa' -b '%s/panel.bed' -o '%s' -s 12 -d %g --sex XX "
             "--gc-slope 4 --gc-curv -30 --capture-seed 5 -l 1",
             testdata, testdata, pfx_gc, DEPTH);
    ck_assert_int_eq(run_sim(args), 0);
}

static void gen_teardown(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

typedef struct {
    int tid;
    int64_t start, end;
    const char *contig;
    long n_frag;  /* non-duplicate fragments overlapping the target */
    double bases; /* aligned bases of non-duplicate primary reads inside the target */
    int isolated; /* no other target within 1 kb */
} tcount_t;

/* Count fragments and bases per target in a BAM, targets from the fixture panel. */
static tcount_t *count_targets(const char *bam, size_t *n_out, metcn_panel_t **panel_out)
{
    char bed[512];
    snprintf(bed, sizeof bed, "%s/panel.bed", testdata);
    metcn_panel_opt_t popt;
    metcn_panel_opt_init(&popt);
    samFile *fp = sam_open(bam, "r");
    ck_assert_ptr_nonnull(fp);
    sam_hdr_t *h = sam_hdr_read(fp);
    ck_assert_ptr_nonnull(h);
    metcn_panel_t *p = metcn_panel_load(bed, &popt, h);
    ck_assert_msg(p != NULL, "%s", metcn_last_error());
    tcount_t *tc = calloc(p->n_bins, sizeof *tc);
    ck_assert_ptr_nonnull(tc);
    for (size_t i = 0; i < p->n_bins; i++) {
        tc[i].contig = p->contigs[p->bins[i].contig].name;
        tc[i].tid = sam_hdr_name2tid(h, tc[i].contig);
        tc[i].start = p->bins[i].start;
        tc[i].end = p->bins[i].end;
    }
    for (size_t i = 0; i < p->n_bins; i++) {
        int iso = 1;
        if (i > 0 && tc[i - 1].tid == tc[i].tid && tc[i].start - tc[i - 1].end < 1000)
            iso = 0;
        if (i + 1 < p->n_bins && tc[i + 1].tid == tc[i].tid && tc[i + 1].start - tc[i].end < 1000)
            iso = 0;
        tc[i].isolated = iso;
    }
    bam1_t *b = bam_init1();
    size_t lo = 0; /* first target that may still overlap */
    int r;
    while ((r = sam_read1(fp, h, b)) >= 0) {
        const bam1_core_t *c = &b->core;
        if (c->flag & (BAM_FDUP | BAM_FSECONDARY | BAM_FSUPPLEMENTARY | BAM_FUNMAP))
            continue;
        while (lo < p->n_bins &&
               (tc[lo].tid < c->tid || (tc[lo].tid == c->tid && tc[lo].end + 2000 <= c->pos)))
            lo++;
        int64_t rend = bam_endpos(b);
        int left = !(c->flag & BAM_FREVERSE) && c->isize > 0;
        int64_t fend = c->pos + c->isize;
        int64_t reach = fend > rend ? fend : rend;
        for (size_t k = lo; k < p->n_bins && tc[k].tid == c->tid && tc[k].start < reach; k++) {
            if (left && tc[k].start < fend && tc[k].end > c->pos)
                tc[k].n_frag++;
            int64_t a = c->pos > tc[k].start ? c->pos : tc[k].start;
            int64_t e = rend < tc[k].end ? rend : tc[k].end;
            if (e > a)
                tc[k].bases += (double)(e - a);
        }
    }
    ck_assert_int_eq(r, -1);
    bam_destroy1(b);
    sam_hdr_destroy(h);
    sam_close(fp);
    *n_out = p->n_bins;
    *panel_out = p;
    return tc;
}

/* Expected fragment count of an isolated target: rate per start position times the number of
 * start positions whose fragment overlaps it, len + E[L] - 1. */
static double expected_frags(const sim_cn_t *cn, const char *prefix, const tcount_t *t,
                             double cap_seed, const sim_gc_t *gc, double gc_frac)
{
    double depth = truth_num(prefix, "depth"), rl = truth_num(prefix, "read_len");
    double fm = truth_num(prefix, "frag_mean"), off = truth_num(prefix, "offtarget");
    double eff = sim_capture_eff((uint64_t)cap_seed, truth_num(prefix, "capture_sd"), t->contig,
                                 t->start, t->end);
    double cnf = sim_cn_factor(cn, t->contig, (t->start + t->end) / 2);
    double g = gc ? sim_gc_factor(gc, gc_frac) : 1;
    return depth / (2 * rl) * (eff + off) * cnf * g * ((double)(t->end - t->start) + fm - 1);
}

static int cn_flat_around(const sim_cn_t *cn, const tcount_t *t)
{
    double f0 = sim_cn_factor(cn, t->contig, t->start - 600);
    double f1 = sim_cn_factor(cn, t->contig, t->end + 600);
    double fm = sim_cn_factor(cn, t->contig, (t->start + t->end) / 2);
    return f0 == fm && f1 == fm;
}

START_TEST(test_depth_model)
{
    sim_cn_t cn;
    sim_cn_init(&cn);
    cn.purity = PUR;
    cn.chr7_cn = C7;
    cn.met_cn = MET;
    cn.sex = SIM_XY;
    sim_cn_finish(&cn);
    char bam[600];
    snprintf(bam, sizeof bam, "%s.bam", pfx_flat);
    size_t n;
    metcn_panel_t *p;
    tcount_t *tc = count_targets(bam, &n, &p);
    double chi2 = 0, zsum = 0, ratio_sum = 0;
    int df = 0, n_amp = 0, n_y = 0;
    double worst = 0;
    for (size_t i = 0; i < n; i++) {
        if (!tc[i].isolated || !cn_flat_around(&cn, &tc[i]))
            continue;
        double e = expected_frags(&cn, pfx_flat, &tc[i], 5, NULL, 0);
        double z = ((double)tc[i].n_frag - e) / sqrt(e);
        chi2 += z * z;
        zsum += z;
        df++;
        if (fabs(z) > fabs(worst))
            worst = z;
        /* mean depth over the target: efficiency x depth x CN factor (plus the off-target
         * floor); reads lost to a chimeric clip are 1%/2 of a read, far below the noise */
        double eff = sim_capture_eff(5, 0.3, tc[i].contig, tc[i].start, tc[i].end);
        double want = DEPTH * (eff + 0.0002) *
                      sim_cn_factor(&cn, tc[i].contig, (tc[i].start + tc[i].end) / 2);
        ratio_sum += tc[i].bases / (double)(tc[i].end - tc[i].start) / want;
        n_amp += sim_tumour_cn(&cn, tc[i].contig, tc[i].start) == MET;
        n_y += strcmp(tc[i].contig, "chrY") == 0;
    }
    fprintf(stderr,
            "test_depth_model: %d targets, chi2/df %.3f, mean z %.3f, worst z %.2f, "
            "mean depth/model %.4f\n",
            df, chi2 / df, zsum / df, worst, ratio_sum / df);
    ck_assert_msg(df > 150, "only %d isolated targets", df);
    ck_assert_msg(n_amp >= 2 && n_y >= 3, "amplified %d, chrY %d targets tested", n_amp, n_y);
    /* chi2/df has s.d. sqrt(2/df) ~ 0.1: a 4-s.d. band */
    ck_assert_msg(fabs(chi2 / df - 1) < 4 * sqrt(2.0 / df), "chi2/df %g over %d targets", chi2 / df,
                  df);
    ck_assert_msg(fabs(zsum / df) < 4 / sqrt((double)df), "mean z %g", zsum / df);
    ck_assert_msg(fabs(worst) < 5, "worst target z %g", worst);
    /* per-target depth ratio noise is ~7%; its mean over >150 targets within 2% */
    ck_assert_msg(fabs(ratio_sum / df - 1) < 0.02, "mean depth / model %g", ratio_sum / df);
    free(tc);
    metcn_panel_destroy(p);
}
END_TEST

START_TEST(test_gc_curve_recovered)
{
    sim_cn_t cn;
    sim_cn_init(&cn);
    cn.sex = SIM_XX;
    sim_cn_finish(&cn);
    sim_gc_t truth = {4, -30};
    char bam[600], ref[600];
    snprintf(bam, sizeof bam, "%s.bam", pfx_gc);
    snprintf(ref, sizeof ref, "%s/ref.fa", testdata);
    size_t n;
    metcn_panel_t *p;
    tcount_t *tc = count_targets(bam, &n, &p);
    faidx_t *fai = fai_load(ref);
    ck_assert_ptr_nonnull(fai);
    gsl_matrix *X = gsl_matrix_alloc(n, 3);
    gsl_vector *y = gsl_vector_alloc(n), *w = gsl_vector_alloc(n);
    size_t m = 0;
    double gmin = 1, gmax = 0;
    for (size_t i = 0; i < n; i++) {
        if (!tc[i].isolated || tc[i].n_frag < 50 || strcmp(tc[i].contig, "chrY") == 0)
            continue;
        /* fragment GC ~ GC of the window the fragments overlapping the target span */
        hts_pos_t len = 0;
        char *s = faidx_fetch_seq64(fai, tc[i].contig, tc[i].start - 300, tc[i].end + 299, &len);
        ck_assert_ptr_nonnull(s);
        long gcn = 0;
        for (hts_pos_t k = 0; k < len; k++)
            gcn += s[k] == 'G' || s[k] == 'C';
        free(s);
        double gc = (double)gcn / (double)len;
        double e = expected_frags(&cn, pfx_gc, &tc[i], 5, NULL, 0);
        gsl_matrix_set(X, m, 0, 1);
        gsl_matrix_set(X, m, 1, gc - 0.45);
        gsl_matrix_set(X, m, 2, (gc - 0.45) * (gc - 0.45));
        gsl_vector_set(y, m, log((double)tc[i].n_frag / e));
        gsl_vector_set(w, m, (double)tc[i].n_frag); /* var(log count) ~ 1/count */
        gmin = fmin(gmin, gc);
        gmax = fmax(gmax, gc);
        m++;
    }
    ck_assert_msg(m > 150 && gmin < 0.40 && gmax > 0.55, "%zu targets, GC %g-%g", m, gmin, gmax);
    gsl_matrix_view Xv = gsl_matrix_submatrix(X, 0, 0, m, 3);
    gsl_vector_view yv = gsl_vector_subvector(y, 0, m), wv = gsl_vector_subvector(w, 0, m);
    gsl_vector *c = gsl_vector_alloc(3);
    gsl_matrix *cov = gsl_matrix_alloc(3, 3);
    gsl_multifit_linear_workspace *ws = gsl_multifit_linear_alloc(m, 3);
    double chisq;
    ck_assert_int_eq(gsl_multifit_wlinear(&Xv.matrix, &wv.vector, &yv.vector, c, cov, &chisq, ws),
                     0);
    /* compare the recovered curve with the truth over the GC range of the targets; the
     * window GC stands in for each fragment's GC, which smooths the curve slightly */
    fprintf(stderr, "test_gc_curve_recovered: %zu targets, fit b1 %.2f b2 %.1f (truth %g %g)\n", m,
            gsl_vector_get(c, 1), gsl_vector_get(c, 2), truth.slope, truth.curv);
    for (double x = 0.38; x <= 0.58; x += 0.05) {
        double d = x - 0.45;
        double fit = gsl_vector_get(c, 0) + gsl_vector_get(c, 1) * d + gsl_vector_get(c, 2) * d * d;
        double want = log(sim_gc_factor(&truth, x));
        ck_assert_msg(fabs(fit - want) < 0.08, "GC %.2f: log factor %g, truth %g", x, fit, want);
    }
    ck_assert_msg(fabs(gsl_vector_get(c, 1) - truth.slope) < 1.0, "slope %g", gsl_vector_get(c, 1));
    gsl_multifit_linear_free(ws);
    gsl_matrix_free(cov);
    gsl_vector_free(c);
    gsl_matrix_free(X);
    gsl_vector_free(y);
    gsl_vector_free(w);
    fai_destroy(fai);
    free(tc);
    metcn_panel_destroy(p);
}
END_TEST

typedef struct {
    char *name;
    uint16_t flag;
    int32_t tid, mtid;
    int64_t pos, mpos, isize;
    uint8_t mapq;
} rinfo_t;

static int cmp_rinfo(const void *pa, const void *pb)
{
    const rinfo_t *a = pa, *b = pb;
    int c = strcmp(a->name, b->name);
    if (c)
        return c;
    return (a->flag & BAM_FREAD1) ? -1 : (b->flag & BAM_FREAD1) ? 1 : 0;
}

START_TEST(test_pairs_and_rates)
{
    char bam[600];
    snprintf(bam, sizeof bam, "%s.bam", pfx_flat);
    samFile *fp = sam_open(bam, "r");
    ck_assert_ptr_nonnull(fp);
    sam_hdr_t *h = sam_hdr_read(fp);
    /* read group with SM = sample */
    kstring_t ks = {0, 0, NULL};
    ck_assert_int_eq(sam_hdr_find_tag_id(h, "RG", "ID", "flat", "SM", &ks), 0);
    ck_assert_str_eq(ks.s, "flat");
    free(ks.s);
    bam1_t *b = bam_init1();
    size_t n = 0, m = 1 << 16, n_supp = 0, n_dup_reads = 0, n_records = 0;
    size_t n_left = 0, n_left_low = 0;
    rinfo_t *a = malloc(m * sizeof *a);
    int32_t last_tid = -1;
    int64_t last_pos = -1;
    int r;
    while ((r = sam_read1(fp, h, b)) >= 0) {
        const bam1_core_t *c = &b->core;
        n_records++;
        /* coordinate order */
        ck_assert(c->tid > last_tid || (c->tid == last_tid && c->pos >= last_pos));
        last_tid = c->tid;
        last_pos = c->pos;
        ck_assert_msg(bam_aux_get(b, "RG") != NULL, "%s lacks RG", bam_get_qname(b));
        if (c->flag & BAM_FSUPPLEMENTARY) {
            n_supp++;
            ck_assert_ptr_nonnull(bam_aux_get(b, "SA"));
            continue;
        }
        if (c->flag & BAM_FDUP)
            n_dup_reads++;
        else if (!(c->flag & BAM_FREVERSE)) {
            n_left++;
            n_left_low += c->qual < 20;
        }
        if (n == m) {
            m *= 2;
            a = realloc(a, m * sizeof *a);
            ck_assert_ptr_nonnull(a);
        }
        a[n++] = (rinfo_t){
            strdup(bam_get_qname(b)), c->flag, c->tid, c->mtid, c->pos, c->mpos, c->isize, c->qual};
    }
    ck_assert_int_eq(r, -1);
    qsort(a, n, sizeof *a, cmp_rinfo);
    ck_assert_msg(n % 2 == 0, "%zu primary records", n);
    for (size_t i = 0; i + 1 < n; i += 2) {
        const rinfo_t *x = &a[i], *y = &a[i + 1];
        ck_assert_msg(strcmp(x->name, y->name) == 0, "%s has no mate", x->name);
        ck_assert(x->flag & BAM_FREAD1);
        ck_assert(y->flag & BAM_FREAD2);
        uint16_t both = BAM_FPAIRED | BAM_FPROPER_PAIR;
        ck_assert((x->flag & both) == both && (y->flag & both) == both);
        ck_assert_int_eq(x->mtid, y->tid);
        ck_assert_int_eq(y->mtid, x->tid);
        ck_assert_int_eq(x->mpos, y->pos);
        ck_assert_int_eq(y->mpos, x->pos);
        ck_assert_int_eq(x->isize, -y->isize);
        ck_assert_int_eq(!!(x->flag & BAM_FREVERSE), !!(y->flag & BAM_FMREVERSE));
        ck_assert_int_eq(!!(y->flag & BAM_FREVERSE), !!(x->flag & BAM_FMREVERSE));
        ck_assert_int_ne(!!(x->flag & BAM_FREVERSE), !!(y->flag & BAM_FREVERSE));
        ck_assert_int_eq(x->flag & BAM_FDUP, y->flag & BAM_FDUP);
        free(x->name);
        free(y->name);
    }
    free(a);
    /* counts agree with the truth file, rates with what was asked (binomial, 5 s.d.) */
    double n_frag = truth_num(pfx_flat, "n_fragments");
    ck_assert_double_eq(truth_num(pfx_flat, "n_records"), (double)n_records);
    ck_assert_double_eq(truth_num(pfx_flat, "n_supplementary"), (double)n_supp);
    ck_assert_double_eq(truth_num(pfx_flat, "n_duplicates") * 2, (double)n_dup_reads);
    ck_assert_double_eq(n_frag, (double)n_left);
    struct {
        const char *what;
        double got, want;
    } rates[] = {{"duplicate", (double)n_dup_reads / 2 / n_frag, 0.08},
                 {"low-MAPQ", (double)n_left_low / n_frag, 0.03},
                 {"supplementary", (double)n_supp / n_frag, 0.01}};
    for (int i = 0; i < 3; i++) {
        double sd = sqrt(rates[i].want * (1 - rates[i].want) / n_frag);
        ck_assert_msg(fabs(rates[i].got - rates[i].want) < 5 * sd, "%s rate %g, asked %g",
                      rates[i].what, rates[i].got, rates[i].want);
    }
    bam_destroy1(b);
    sam_hdr_destroy(h);
    sam_close(fp);
}
END_TEST

START_TEST(test_bam_equals_cram)
{
    char bam[600], cram[600], ref[600];
    snprintf(bam, sizeof bam, "%s.bam", pfx_flat);
    snprintf(cram, sizeof cram, "%s.cram", pfx_flat);
    snprintf(ref, sizeof ref, "%s/ref.fa", testdata);
    samFile *f1 = sam_open(bam, "r"), *f2 = sam_open(cram, "r");
    ck_assert(f1 && f2);
    ck_assert_int_eq(hts_set_fai_filename(f2, ref), 0);
    sam_hdr_t *h1 = sam_hdr_read(f1), *h2 = sam_hdr_read(f2);
    bam1_t *a = bam_init1(), *b = bam_init1();
    long n = 0;
    int r1, r2;
    while ((r1 = sam_read1(f1, h1, a)) >= 0) {
        r2 = sam_read1(f2, h2, b);
        ck_assert_int_ge(r2, 0);
        ck_assert_str_eq(bam_get_qname(a), bam_get_qname(b));
        ck_assert_int_eq(a->core.flag, b->core.flag);
        ck_assert_int_eq(a->core.pos, b->core.pos);
        ck_assert_int_eq(a->core.mpos, b->core.mpos);
        ck_assert_int_eq(a->core.isize, b->core.isize);
        ck_assert_int_eq(a->core.qual, b->core.qual);
        ck_assert_int_eq(a->core.l_qseq, b->core.l_qseq);
        ck_assert_int_eq(a->core.n_cigar, b->core.n_cigar);
        ck_assert(memcmp(bam_get_seq(a), bam_get_seq(b), (size_t)(a->core.l_qseq + 1) / 2) == 0);
        n++;
    }
    ck_assert_int_eq(r1, -1);
    ck_assert_int_eq(sam_read1(f2, h2, b), -1);
    ck_assert_int_gt(n, 100000);
    /* both indexes load and answer a MET query alike */
    hts_idx_t *i1 = sam_index_load(f1, bam), *i2 = sam_index_load(f2, cram);
    ck_assert(i1 && i2);
    long c1 = 0, c2 = 0;
    hts_itr_t *it = sam_itr_querys(i1, h1, "chr7:116699000-116800000");
    while (sam_itr_next(f1, it, a) >= 0)
        c1++;
    hts_itr_destroy(it);
    it = sam_itr_querys(i2, h2, "chr7:116699000-116800000");
    while (sam_itr_next(f2, it, b) >= 0)
        c2++;
    hts_itr_destroy(it);
    ck_assert_int_gt(c1, 1000);
    ck_assert_int_eq(c1, c2);
    hts_idx_destroy(i1);
    hts_idx_destroy(i2);
    bam_destroy1(a);
    bam_destroy1(b);
    sam_hdr_destroy(h1);
    sam_hdr_destroy(h2);
    sam_close(f1);
    sam_close(f2);
}
END_TEST

/* samtools quickcheck and flagstat, when samtools is installed */
START_TEST(test_samtools)
{
    if (system("samtools --version >/dev/null 2>&1") != 0) {
        fprintf(stderr, "test_samtools: samtools not on PATH, skipped\n");
        return;
    }
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "samtools quickcheck '%s.bam' '%s.cram' '%s.bam'", pfx_flat, pfx_flat,
             pfx_gc);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "samtools flagstat -O tsv '%s.bam' > '%s/fs.tsv'", pfx_flat, tmpdir);
    ck_assert_int_eq(system(cmd), 0);
    char path[600], line[512];
    snprintf(path, sizeof path, "%s/fs.tsv", tmpdir);
    FILE *fp = fopen(path, "r");
    ck_assert_ptr_nonnull(fp);
    double total = -1, primary = -1, supp = -1, dup = -1, proper = -1, single = -1, diffchr = -1,
           r1 = -1, r2 = -1;
    while (fgets(line, sizeof line, fp)) {
        char *f[3];
        if (metcn_split(line, '\t', f, 3) != 3)
            continue;
        double v = atof(f[0]);
        if (strncmp(f[2], "total", 5) == 0)
            total = v;
        else if (strcmp(f[2], "primary") == 0)
            primary = v;
        else if (strcmp(f[2], "supplementary") == 0)
            supp = v;
        else if (strcmp(f[2], "duplicates") == 0)
            dup = v;
        else if (strcmp(f[2], "properly paired") == 0)
            proper = v;
        else if (strcmp(f[2], "singletons") == 0)
            single = v;
        else if (strcmp(f[2], "with mate mapped to a different chr") == 0)
            diffchr = v;
        else if (strcmp(f[2], "read1") == 0)
            r1 = v;
        else if (strcmp(f[2], "read2") == 0)
            r2 = v;
    }
    fclose(fp);
    ck_assert_double_eq(total, truth_num(pfx_flat, "n_records"));
    ck_assert_double_eq(supp, truth_num(pfx_flat, "n_supplementary"));
    ck_assert_double_eq(primary, total - supp);
    ck_assert_double_eq(dup, 2 * truth_num(pfx_flat, "n_duplicates"));
    ck_assert_double_eq(proper, primary);
    ck_assert_double_eq(r1, primary / 2);
    ck_assert_double_eq(r2, primary / 2);
    ck_assert_double_eq(single, 0);
    ck_assert_double_eq(diffchr, 0);
}
END_TEST

/* the same seed gives the same sample, another seed another one */
START_TEST(test_deterministic)
{
    char args[3072];
    for (int k = 0; k < 2; k++) {
        snprintf(pfx_seed[k], sizeof pfx_seed[k], "%s/det%d", tmpdir, k);
        snprintf(args, sizeof args,
                 "reads -r '%s/ref.fa' -b '%s/panel.bed' -o '%s' -n det -s 3 -d 20 --contigs chr7",
                 testdata, testdata, pfx_seed[k]);
        ck_assert_int_eq(run_sim(args), 0);
    }
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "samtools view '%s.bam' > '%s.sam' && samtools view '%s.bam' > '%s.sam' && "
             "cmp -s '%s.sam' '%s.sam'",
             pfx_seed[0], pfx_seed[0], pfx_seed[1], pfx_seed[1], pfx_seed[0], pfx_seed[1]);
    if (system("samtools --version >/dev/null 2>&1") == 0)
        ck_assert_int_eq(system(cmd), 0);
    ck_assert_double_eq(truth_num(pfx_seed[0], "n_records"), truth_num(pfx_seed[1], "n_records"));
    ck_assert_double_gt(truth_num(pfx_seed[0], "n_records"), 1000);
    snprintf(args, sizeof args,
             "reads -r '%s/ref.fa' -b '%s/panel.bed' -o '%s/det2' -s 4 -d 20 --contigs chr7",
             testdata, testdata, tmpdir);
    ck_assert_int_eq(run_sim(args), 0);
    char p2[600];
    snprintf(p2, sizeof p2, "%s/det2", tmpdir);
    ck_assert_double_ne(truth_num(p2, "n_records"), truth_num(pfx_seed[0], "n_records"));
}
END_TEST

/* ---- fixture manifest --------------------------------------------------------------------- */

START_TEST(test_manifest)
{
    need_env();
    char path[600], line[4096];
    snprintf(path, sizeof path, "%s/manifest.tsv", testdata);
    FILE *fp = fopen(path, "r");
    ck_assert_ptr_nonnull(fp);
    ck_assert_ptr_nonnull(fgets(line, sizeof line, fp));
    ck_assert_str_eq(line, "sample\tkind\tsex\tbam\tcram\ttruth\tdepth\tmet_cn\tchr7_cn\tchr7p_cn\t"
                           "chr7q_cn\tpurity\tploidy\tfish_ratio\tfish_tier\thigh_amp\tpattern\n");
    int n_normal = 0, n_xx = 0, n_outlier = 0, n_tumour = 0, n_cram_n = 0, n_cram_t = 0;
    while (fgets(line, sizeof line, fp)) {
        char *f[20];
        ck_assert_int_eq(metcn_split(line, '\t', f, 20), 17);
        char file[800];
        snprintf(file, sizeof file, "%s/%s", testdata, f[3]);
        ck_assert_msg(access(file, R_OK) == 0, "%s missing", file);
        snprintf(file, sizeof file, "%s/%s.bai", testdata, f[3]);
        ck_assert_msg(access(file, R_OK) == 0, "%s missing", file);
        if (strcmp(f[4], ".") != 0) {
            snprintf(file, sizeof file, "%s/%s.crai", testdata, f[4]);
            ck_assert_msg(access(file, R_OK) == 0, "%s missing", file);
        }
        double met = atof(f[7]), c7 = atof(f[8]), ratio = atof(f[13]);
        ck_assert_msg(fabs(ratio - met / c7) < 1e-4, "%s: ratio %g", f[0], ratio);
        ck_assert_str_eq(f[14], sim_fish_tier(met / c7));
        ck_assert_str_eq(f[15], met > 10 ? "yes" : "no");
        if (strcmp(f[1], "normal") == 0) {
            n_normal++;
            n_xx += strcmp(f[2], "XX") == 0;
            n_cram_n += strcmp(f[4], ".") != 0;
            ck_assert_str_eq(f[16], "none");
            ck_assert(atof(f[6]) >= 200 && atof(f[6]) <= 500);
        } else if (strcmp(f[1], "outlier_normal") == 0) {
            n_outlier++;
        } else {
            ck_assert_str_eq(f[1], "tumour");
            n_tumour++;
            n_cram_t += strcmp(f[4], ".") != 0;
            /* grid names carry their truth: T_m<met>_p<purity>_c<chr7> */
            double gm, gp, gc;
            if (sscanf(f[0], "T_m%lf_p%lf_c%lf", &gm, &gp, &gc) == 3) {
                ck_assert_double_eq_tol(met, gm, 1e-9);
                ck_assert_double_eq_tol(atof(f[11]), gp, 1e-9);
                ck_assert_double_eq_tol(c7, gc, 1e-9);
                const char *want = gm > gc ? (gc >= 3 ? "focal_on_polysomy" : "focal")
                                           : (gc >= 3 ? "polysomy" : "none");
                ck_assert_msg(strcmp(f[16], want) == 0, "%s: pattern %s", f[0], f[16]);
            }
        }
    }
    fclose(fp);
    ck_assert_int_eq(n_normal, 12);
    ck_assert_int_eq(n_xx, 6);
    ck_assert_int_eq(n_outlier, 1);
    ck_assert_int_ge(n_tumour, 96 + 6);
    ck_assert_int_ge(n_cram_n, 2);
    ck_assert_int_ge(n_cram_t, 4);
}
END_TEST

/* ---- allele-specific copy number and genotypes (model) ----------------------------------- */

static void add_seg(sim_cn_t *cn, const char *contig, int64_t s, int64_t e, double c, double major,
                    double minor)
{
    sim_seg_t *g = &cn->segs[cn->n_segs++];
    snprintf(g->contig, sizeof g->contig, "%s", contig);
    g->start = s;
    g->end = e;
    g->cn = c;
    g->major = major;
    g->minor = minor;
}

/* Allele-specific copy number: LOH (1,0), copy-neutral LOH (2,0), gains (2,1) and (3,1), the
 * amplified haplotype of a focal amplicon (C-1,1), a focal loss, arm and whole-chromosome
 * levels, XY sex chromosomes, whole-genome doubling; major + minor is always the total, and
 * the haplotype-0 fraction follows BAF = [p A + (1-p)] / [p (A+B) + 2 (1-p)]. */
START_TEST(test_acn)
{
    static const struct {
        const char *name, *contig;
        int64_t pos;
        double base, chr7, met, seg, seg_major, seg_minor;
        int wgd, xy;
        double want_major, want_minor;
    } c[] = {
        {"diploid", "chr1", 500000, 2, -1, -1, -1, -1, -1, 0, 0, 1, 1},
        {"LOH", "chr3", 500000, 2, -1, -1, 1, -1, -1, 0, 0, 1, 0},
        {"copy-neutral LOH", "chr3", 500000, 2, -1, -1, 2, 2, 0, 0, 0, 2, 0},
        {"gain (2,1)", "chr9", 500000, 2, -1, -1, 3, -1, -1, 0, 0, 2, 1},
        {"gain (3,1)", "chr9", 500000, 2, -1, -1, 4, -1, -1, 0, 0, 3, 1},
        {"balanced 4 as 2+2", "chr9", 500000, 2, -1, -1, 4, 2, 2, 0, 0, 2, 2},
        {"MET amplicon (C-1,1)", "chr7", 116700000, 2, -1, 10, -1, -1, -1, 0, 0, 9, 1},
        {"MET amplicon on chr7 x3", "chr7", 116700000, 2, 3, 12, -1, -1, -1, 0, 0, 11, 1},
        {"MET focal loss", "chr7", 116700000, 2, -1, 1, -1, -1, -1, 0, 0, 1, 0},
        {"chr7 x3", "chr7", 20000000, 2, 3, -1, -1, -1, -1, 0, 0, 2, 1},
        {"chr7 x4", "chr7", 20000000, 2, 4, -1, -1, -1, -1, 0, 0, 2, 2},
        {"triploid base", "chr2", 500000, 3, -1, -1, -1, -1, -1, 0, 0, 2, 1},
        {"WGD diploid", "chr1", 500000, 2, -1, -1, -1, -1, -1, 1, 0, 2, 2},
        {"WGD after LOH", "chr3", 500000, 2, -1, -1, 1, -1, -1, 1, 0, 2, 0},
        {"WGD after cnLOH", "chr3", 500000, 2, -1, -1, 2, 2, 0, 1, 0, 4, 0},
        {"WGD MET amplicon", "chr7", 116700000, 2, -1, 10, -1, -1, -1, 1, 0, 18, 2},
        {"XY chrX", "chrX", 500000, 2, -1, -1, -1, -1, -1, 0, 1, 1, 0},
        {"XY chrY", "chrY", 500000, 2, -1, -1, -1, -1, -1, 0, 1, 1, 0},
        {"XX chrX", "chrX", 500000, 2, -1, -1, -1, -1, -1, 0, 0, 1, 1},
    };
    for (size_t k = 0; k < sizeof c / sizeof c[0]; k++) {
        sim_cn_t cn;
        sim_cn_init(&cn);
        cn.base_cn = c[k].base;
        cn.chr7_cn = c[k].chr7;
        cn.met_cn = c[k].met;
        cn.wgd = c[k].wgd;
        cn.sex = c[k].xy ? SIM_XY : SIM_XX;
        if (c[k].seg >= 0)
            add_seg(&cn, c[k].contig, 0, 2000000, c[k].seg, c[k].seg_major, c[k].seg_minor);
        cn.purity = 0.6;
        sim_cn_finish(&cn);
        double M, m;
        sim_tumour_acn(&cn, c[k].contig, c[k].pos, &M, &m);
        ck_assert_msg(M == c[k].want_major && m == c[k].want_minor, "%s: (%g,%g), want (%g,%g)",
                      c[k].name, M, m, c[k].want_major, c[k].want_minor);
        ck_assert_msg(M + m == sim_tumour_cn(&cn, c[k].contig, c[k].pos), "%s: total", c[k].name);
        double n = sim_normal_cn(&cn, c[k].contig), p = cn.purity;
        double baf = (p * M + (1 - p) * (n < 1.5 ? n : 1)) / (p * (M + m) + (1 - p) * n);
        ck_assert_double_eq_tol(sim_hap0_fraction(&cn, c[k].contig, c[k].pos), baf, 1e-12);
        ck_assert_double_eq_tol(sim_tumour_fraction(&cn, c[k].contig, c[k].pos),
                                p * (M + m) / (p * (M + m) + (1 - p) * n), 1e-12);
    }
    /* WGD doubles the default ploidy and the truth's chr7 levels */
    sim_cn_t cn;
    sim_cn_init(&cn);
    cn.wgd = 1;
    cn.met_cn = 6;
    sim_cn_finish(&cn);
    ck_assert_double_eq(cn.ploidy, 4);
    sim_truth_t t;
    sim_truth(&cn, &t);
    ck_assert_double_eq(t.met_cn, 12);
    ck_assert_double_eq(t.chr7_cn, 4);
    ck_assert_str_eq(t.fish_tier, "intermediate");
}
END_TEST

/* Genotypes: Hardy-Weinberg proportions at several allele frequencies (5 binomial s.d.), het
 * phases even, haploid sites alt at the frequency; a function of the individual only. */
START_TEST(test_genotypes)
{
    const double afs[] = {0.05, 0.3, 0.5, 0.8};
    const int n = 40000;
    for (int a = 0; a < 4; a++) {
        double af = afs[a], q = 1 - af;
        int cnt[4] = {0, 0, 0, 0}, hap_alt = 0;
        for (int i = 0; i < n; i++) {
            unsigned h = sim_site_haps(77, "chr2", 1000 + 7 * i, af, 0);
            cnt[h]++;
            hap_alt += sim_site_haps(77, "chrX", 1000 + 7 * i, af, 1) == 1;
            ck_assert_uint_eq(h, sim_site_haps(77, "chr2", 1000 + 7 * i, af, 0));
        }
        double want[3] = {q * q, 2 * af * q, af * af};
        double got[3] = {cnt[0], cnt[1] + cnt[2], cnt[3]};
        for (int g = 0; g < 3; g++) {
            double sd = sqrt(n * want[g] * (1 - want[g]));
            ck_assert_msg(fabs(got[g] - n * want[g]) < 5 * sd + 1, "af %g genotype %d: %g of %d",
                          af, g, got[g], n);
        }
        if (cnt[1] + cnt[2] > 100)
            ck_assert_msg(abs(cnt[1] - cnt[2]) < 5 * sqrt(cnt[1] + cnt[2]), "phase %d vs %d",
                          cnt[1], cnt[2]);
        ck_assert_msg(fabs(hap_alt - n * af) < 5 * sqrt(n * af * q) + 1, "haploid af %g: %d", af,
                      hap_alt);
    }
    int same = 0;
    for (int i = 0; i < n; i++)
        same += sim_site_haps(77, "chr2", 1000 + 7 * i, 0.5, 0) ==
                sim_site_haps(78, "chr2", 1000 + 7 * i, 0.5, 0);
    /* two individuals agree by chance: 0.25^2 + 0.25^2 + 0.25^2 + 0.25^2 = 0.25 */
    ck_assert_msg(fabs(same - 0.25 * n) < 5 * sqrt(n * 0.25 * 0.75), "%d of %d alike", same, n);
    ck_assert_int_eq(sim_genotype_hwe(0.3, 0.48), 0);
    ck_assert_int_eq(sim_genotype_hwe(0.3, 0.50), 1);
    ck_assert_int_eq(sim_genotype_hwe(0.3, 0.92), 2);
}
END_TEST

/* ---- data: germline SNPs, allele-specific tumours, plasma, unflagged duplicates ---------- */

static char gdir[256];
static char gp_sites[600], gp_normal[600], gp_tumour[600], gp_wgd[600], gp_other[600],
    gp_plasma[600], gp_pnorm[600], gp_dupu[600], gp_dupf[600];

static void germ_setup(void)
{
    need_env();
    metcn_init();
    metcn_log_set_level(METCN_LOG_ERROR);
    snprintf(gdir, sizeof gdir, "/tmp/metcn_test_sim_g.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(gdir));
    snprintf(gp_sites, sizeof gp_sites, "%s/sites.vcf.gz", gdir);
    snprintf(gp_normal, sizeof gp_normal, "%s/gn", gdir);
    snprintf(gp_tumour, sizeof gp_tumour, "%s/gt", gdir);
    snprintf(gp_wgd, sizeof gp_wgd, "%s/gw", gdir);
    snprintf(gp_other, sizeof gp_other, "%s/go", gdir);
    snprintf(gp_plasma, sizeof gp_plasma, "%s/pl", gdir);
    snprintf(gp_pnorm, sizeof gp_pnorm, "%s/pn", gdir);
    snprintf(gp_dupu, sizeof gp_dupu, "%s/du", gdir);
    snprintf(gp_dupf, sizeof gp_dupf, "%s/df", gdir);
    char args[3072];
    const char *common = "--capture-seed 5 -l 1 --offtarget 0.0001";
    snprintf(args, sizeof args, "snps -r '%s/ref.fa' -b '%s/panel.bed' -o '%s' --density 10 -s 5",
             testdata, testdata, gp_sites);
    ck_assert_int_eq(run_sim(args), 0);
    struct {
        const char *prefix, *opts;
    } runs[] = {
        {gp_normal, "-s 41 --germline-seed 77 --sex XY -d 300"},
        {gp_tumour, "-s 42 --germline-seed 77 --sex XY -d 400 --purity 0.7 --met-cn 10 "
                    "--seg chr3:0-2000000:2+0 --seg chr5:0-2000000:1 --seg chr9:0-2000000:3"},
        {gp_wgd, "-s 43 --germline-seed 77 --sex XY -d 400 --purity 0.8 --wgd "
                 "--seg chr3:0-2000000:1 --met-cn 6"},
        {gp_other, "-s 44 --germline-seed 78 --sex XY -d 5"},
    };
    for (size_t k = 0; k < sizeof runs / sizeof runs[0]; k++) {
        snprintf(args, sizeof args,
                 "reads -r '%s/ref.fa' -b '%s/panel.bed' -o '%s' %s --snps '%s' %s", testdata,
                 testdata, runs[k].prefix, common, gp_sites, runs[k].opts);
        ck_assert_int_eq(run_sim(args), 0);
    }
    snprintf(args, sizeof args,
             "reads -r '%s/ref.fa' -b '%s/panel.bed' -o '%s' %s -s 51 --sex XY -d 800 --plasma "
             "--purity 0.3 --met-cn 10",
             testdata, testdata, gp_plasma, common);
    ck_assert_int_eq(run_sim(args), 0);
    snprintf(args, sizeof args,
             "reads -r '%s/ref.fa' -b '%s/panel.bed' -o '%s' %s -s 52 --sex XX -d 800 --plasma",
             testdata, testdata, gp_pnorm, common);
    ck_assert_int_eq(run_sim(args), 0);
    for (int u = 0; u < 2; u++) {
        snprintf(args, sizeof args,
                 "reads -r '%s/ref.fa' -b '%s/panel.bed' -o '%s' %s -s 53 -d 200 --dup 0.2 %s",
                 testdata, testdata, u ? gp_dupu : gp_dupf, common, u ? "--dup-unflagged" : "");
        ck_assert_int_eq(run_sim(args), 0);
    }
}

static void germ_teardown(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", gdir);
    ck_assert_int_eq(system(cmd), 0);
}

/* The fixture panel, loaded against a BAM's header. */
static metcn_panel_t *panel_for(const char *bam)
{
    char bed[512];
    snprintf(bed, sizeof bed, "%s/panel.bed", testdata);
    sam_hdr_t *h = metcn_cov_read_header(bam, NULL);
    ck_assert_ptr_nonnull(h);
    metcn_panel_opt_t popt;
    metcn_panel_opt_init(&popt);
    metcn_panel_t *p = metcn_panel_load(bed, &popt, h);
    sam_hdr_destroy(h);
    ck_assert_msg(p != NULL, "%s", metcn_last_error());
    return p;
}

typedef struct {
    char contig[16];
    int64_t pos; /* 0-based */
    char ref, alt, h0, h1;
    double expect; /* expected alt fraction */
} gsite_t;

/* PREFIX.genotypes.tsv */
static gsite_t *read_genotypes(const char *prefix, size_t *n)
{
    char path[700], line[512];
    snprintf(path, sizeof path, "%s.genotypes.tsv", prefix);
    FILE *fp = fopen(path, "r");
    ck_assert_msg(fp != NULL, "%s", path);
    size_t m = 1024;
    gsite_t *g = malloc(m * sizeof *g);
    *n = 0;
    ck_assert_ptr_nonnull(fgets(line, sizeof line, fp));
    ck_assert_str_eq(line, "chrom\tpos\tref\talt\taf\thap0\thap1\texpected_alt_fraction\n");
    while (fgets(line, sizeof line, fp)) {
        if (*n == m)
            g = realloc(g, (m *= 2) * sizeof *g);
        gsite_t *s = &g[*n];
        long long pos;
        double af;
        ck_assert_int_eq(sscanf(line, "%15s %lld %c %c %lf %c %c %lf", s->contig, &pos, &s->ref,
                                &s->alt, &af, &s->h0, &s->h1, &s->expect),
                         8);
        s->pos = pos - 1;
        (*n)++;
    }
    fclose(fp);
    return g;
}

/* Allele counts of a sample at the fixture-panel sites (metcn's engine, --snps). */
static metcn_covtab_t *count_alleles(const char *prefix, const metcn_panel_t *p)
{
    char bam[700];
    snprintf(bam, sizeof bam, "%s.bam", prefix);
    metcn_cov_opt_t opt;
    metcn_cov_opt_init(&opt);
    opt.snps = gp_sites;
    metcn_covtab_t *t = metcn_cov_compute(bam, p, &opt);
    ck_assert_msg(t != NULL, "%s", metcn_last_error());
    return t;
}

/* The tumour and its matched normal carry one individual's genotypes (and another individual
 * others); at every site the counted alt fraction agrees with the model's expectation (z-scores
 * of binomial counts with mean ~0 and s.d. ~1); at heterozygous sites, the mirrored allele
 * fraction of each segment equals [p A + (1-p)] / [p (A+B) + 2 (1-p)] (LOH, cnLOH, a (2,1) gain,
 * the MET amplicon (9,1), and after WGD); haploid chrX of XY has no heterozygous site; the truth
 * file's counts match the genotype file. */
START_TEST(test_germline_alleles)
{
    size_t nn, nt, nw, no;
    gsite_t *gn = read_genotypes(gp_normal, &nn), *gt = read_genotypes(gp_tumour, &nt);
    gsite_t *gw = read_genotypes(gp_wgd, &nw), *go = read_genotypes(gp_other, &no);
    ck_assert_msg(nn > 1500 && nn == nt && nn == nw && nn == no, "%zu sites", nn);
    size_t het = 0, differ = 0;
    for (size_t i = 0; i < nn; i++) {
        ck_assert(gn[i].pos == gt[i].pos && gn[i].h0 == gt[i].h0 && gn[i].h1 == gt[i].h1);
        ck_assert(gn[i].h0 == gw[i].h0 && gn[i].h1 == gw[i].h1);
        het += gn[i].h0 != gn[i].h1;
        differ += gn[i].h0 != go[i].h0 || gn[i].h1 != go[i].h1;
        if (strcmp(gn[i].contig, "chrX") == 0 || strcmp(gn[i].contig, "chrY") == 0)
            ck_assert_msg(gn[i].h0 == gn[i].h1 || gn[i].h1 == gn[i].ref,
                          "haploid %s:%lld has two alleles", gn[i].contig, (long long)gn[i].pos);
    }
    ck_assert_double_eq(truth_num(gp_normal, "n_sites"), (double)nn);
    ck_assert_double_eq(truth_num(gp_normal, "n_het"), (double)het);
    ck_assert_msg(het > 600 && differ > nn / 10, "%zu het, %zu differ from another individual", het,
                  differ);
    ck_assert_double_eq(truth_num(gp_tumour, "met_major"), 9);
    ck_assert_double_eq(truth_num(gp_tumour, "met_minor"), 1);
    ck_assert_double_eq(truth_num(gp_wgd, "met_major"), 10);
    ck_assert_double_eq(truth_num(gp_wgd, "met_minor"), 2);
    ck_assert_str_eq(truth_get(gp_wgd, "wgd"), "yes");
    ck_assert_msg(truth_num(gp_wgd, "mean_ploidy") > 4, "WGD mean ploidy %g",
                  truth_num(gp_wgd, "mean_ploidy"));

    char bam[700];
    snprintf(bam, sizeof bam, "%s.bam", gp_normal);
    metcn_panel_t *p = panel_for(bam);
    const struct {
        const char *prefix;
        gsite_t *g;
        struct {
            const char *contig;
            int64_t lo, hi;
            double baf; /* mirrored, at heterozygous sites */
        } seg[4];
    } samples[] = {
        {gp_normal, gn, {{"chr1", 0, 2000000, -1}, {"chr3", 0, 2000000, -1}}},
        {gp_tumour,
         gt,
         {{"chr3", 0, 2000000, (0.7 * 2 + 0.3) / (0.7 * 2 + 0.6)},
          {"chr5", 0, 2000000, (0.7 * 1 + 0.3) / (0.7 * 1 + 0.6)},
          {"chr9", 0, 2000000, (0.7 * 2 + 0.3) / (0.7 * 3 + 0.6)},
          {"chr7", 115900000, 117600000, (0.7 * 9 + 0.3) / (0.7 * 10 + 0.6)}}},
        {gp_wgd, gw, {{"chr3", 0, 2000000, (0.8 * 2 + 0.2) / (0.8 * 2 + 0.4)}}},
    };
    for (size_t k = 0; k < sizeof samples / sizeof samples[0]; k++) {
        metcn_covtab_t *t = count_alleles(samples[k].prefix, p);
        const metcn_sites_t *S = t->sites;
        double sz = 0, szz = 0;
        size_t nz = 0, j = 0, hom_n = 0;
        double hom_dev = 0, seg_sum[4] = {0}, seg_n[4] = {0};
        for (size_t i = 0; i < S->n; i++) {
            const char *contig = p->contigs[S->contig[i]].name;
            while (j < nn && (strcmp(samples[k].g[j].contig, contig) != 0 ||
                              samples[k].g[j].pos != S->pos[i]))
                j++;
            ck_assert_msg(j < nn, "site %s:%lld not in the genotypes", contig,
                          (long long)S->pos[i]);
            const gsite_t *g = &samples[k].g[j];
            double n = S->ref_count[i] + S->alt_count[i], e = g->expect;
            if (n < 40)
                continue;
            double f = S->alt_count[i] / n;
            if (e < 0.001 || e > 0.999) {
                hom_dev += e < 0.5 ? f : 1 - f;
                hom_n++;
                continue;
            }
            double z = (S->alt_count[i] - n * e) / sqrt(n * e * (1 - e));
            sz += z;
            szz += z * z;
            nz++;
            if (g->h0 == g->h1)
                continue;
            for (int s = 0; s < 4 && samples[k].seg[s].contig; s++)
                if (strcmp(contig, samples[k].seg[s].contig) == 0 &&
                    S->pos[i] >= samples[k].seg[s].lo && S->pos[i] < samples[k].seg[s].hi) {
                    seg_sum[s] += f > 0.5 ? f : 1 - f;
                    seg_n[s]++;
                }
        }
        double mz = sz / (double)nz, sdz = sqrt(szz / (double)nz - mz * mz);
        ck_assert_msg(nz > 300 && fabs(mz) < 0.15 && sdz > 0.8 && sdz < 1.25,
                      "%s: %zu heterozygous sites, z mean %.3f s.d. %.3f", samples[k].prefix, nz,
                      mz, sdz);
        ck_assert_msg(hom_n > 1000 && hom_dev / (double)hom_n < 0.003,
                      "%s: homozygous sites show %.4f of the other allele", samples[k].prefix,
                      hom_dev / (double)hom_n);
        for (int s = 0; s < 4 && samples[k].seg[s].contig; s++) {
            if (samples[k].seg[s].baf < 0)
                continue;
            double got = seg_sum[s] / seg_n[s];
            ck_assert_msg(seg_n[s] >= 15 && fabs(got - samples[k].seg[s].baf) < 0.03,
                          "%s %s: mirrored BAF %.4f over %g sites, expected %.4f",
                          samples[k].prefix, samples[k].seg[s].contig, got, seg_n[s],
                          samples[k].seg[s].baf);
        }
        metcn_covtab_destroy(t);
    }
    metcn_panel_destroy(p);
    free(gn);
    free(gt);
    free(gw);
    free(go);
}
END_TEST

typedef struct {
    uint64_t name;
    int64_t site;
    char base;
} ob_t;

static int cmp_ob(const void *x, const void *y)
{
    const ob_t *a = x, *b = y;
    if (a->name != b->name)
        return a->name < b->name ? -1 : 1;
    return a->site < b->site ? -1 : a->site > b->site;
}

/* Both mates of a fragment carry the same allele at a site they both cover (one haplotype per
 * molecule), up to sequencing errors; and every base read at a site is an allele of the
 * individual, up to errors. */
START_TEST(test_mates_agree)
{
    size_t ng;
    gsite_t *g = read_genotypes(gp_tumour, &ng);
    char bam[700];
    snprintf(bam, sizeof bam, "%s.bam", gp_tumour);
    samFile *fp = sam_open(bam, "r");
    sam_hdr_t *h = sam_hdr_read(fp);
    bam1_t *b = bam_init1();
    size_t n = 0, m = 1 << 16, foreign = 0, seen = 0;
    ob_t *ob = malloc(m * sizeof *ob);
    while (sam_read1(fp, h, b) >= 0) {
        const bam1_core_t *c = &b->core;
        if (c->flag & (BAM_FSUPPLEMENTARY | BAM_FSECONDARY | BAM_FUNMAP) || c->n_cigar != 1)
            continue;
        const char *contig = sam_hdr_tid2name(h, c->tid);
        int64_t end = bam_endpos(b);
        size_t lo = 0, hi = ng;
        while (lo < hi) { /* first site of the contig at or after pos */
            size_t mid = (lo + hi) / 2;
            int cmp = strcmp(g[mid].contig, contig);
            if (cmp < 0 || (cmp == 0 && g[mid].pos < c->pos))
                lo = mid + 1;
            else
                hi = mid;
        }
        for (size_t i = lo; i < ng && strcmp(g[i].contig, contig) == 0 && g[i].pos < end; i++) {
            char base = seq_nt16_str[bam_seqi(bam_get_seq(b), g[i].pos - c->pos)];
            foreign += base != g[i].h0 && base != g[i].h1;
            seen++;
            if (n == m)
                ob = realloc(ob, (m *= 2) * sizeof *ob);
            ob[n++] = (ob_t){sim_hash_str(bam_get_qname(b), 0), g[i].pos, base};
        }
    }
    ck_assert_msg(seen > 100000 && foreign < seen / 200, "%zu of %zu bases are no allele", foreign,
                  seen);
    /* pairs of observations of one fragment at one site */
    size_t pairs = 0, disagree = 0;
    qsort(ob, n, sizeof *ob, cmp_ob);
    for (size_t i = 1; i < n; i++)
        if (ob[i].name == ob[i - 1].name && ob[i].site == ob[i - 1].site) {
            pairs++;
            disagree += ob[i].base != ob[i - 1].base;
        }
    ck_assert_msg(pairs > 20000 && disagree < pairs / 100, "%zu of %zu mate pairs disagree",
                  disagree, pairs);
    free(ob);
    free(g);
    bam_destroy1(b);
    sam_hdr_destroy(h);
    sam_close(fp);
}
END_TEST

/* Mean |TLEN| of the non-duplicate left reads of proper pairs whose fragment midpoint lies in
 * [lo, hi) of contig (all contigs but chr7 and the sex chromosomes when contig is NULL); also
 * checks that every read of a fragment shorter than the reads is cut to it. */
static double mean_length(const char *prefix, const char *contig, int64_t lo, int64_t hi,
                          size_t *n_out)
{
    char bam[700];
    snprintf(bam, sizeof bam, "%s.bam", prefix);
    samFile *fp = sam_open(bam, "r");
    sam_hdr_t *h = sam_hdr_read(fp);
    bam1_t *b = bam_init1();
    double sum = 0;
    size_t n = 0;
    while (sam_read1(fp, h, b) >= 0) {
        const bam1_core_t *c = &b->core;
        if ((c->flag & (BAM_FSUPPLEMENTARY | BAM_FSECONDARY | BAM_FDUP)) ||
            !(c->flag & BAM_FPROPER_PAIR))
            continue;
        int64_t L = c->isize < 0 ? -c->isize : c->isize;
        ck_assert_msg(c->l_qseq == (L < 150 ? L : 150), "%s: a read of %d bp, fragment %lld",
                      bam_get_qname(b), c->l_qseq, (long long)L);
        if (c->isize <= 0)
            continue;
        const char *name = sam_hdr_tid2name(h, c->tid);
        int64_t mid = c->pos + L / 2;
        int in = contig ? strcmp(name, contig) == 0 && mid >= lo && mid < hi
                        : strcmp(name, "chr7") != 0 && strcmp(name, "chrX") != 0 &&
                              strcmp(name, "chrY") != 0;
        if (in) {
            sum += (double)L;
            n++;
        }
    }
    bam_destroy1(b);
    sam_hdr_destroy(h);
    sam_close(fp);
    *n_out = n;
    return sum / (double)n;
}

/* Plasma: normal-derived fragments ~167 bp, tumour-derived ~145 bp, the origin drawn from the
 * local tumour DNA fraction: a healthy plasma sample's fragments average ~167 bp; a tumour's
 * plasma at 30% tumour fraction averages 0.3 x 145 + 0.7 x 167 on diploid chromosomes and less
 * in the MET amplicon (68% tumour DNA there); reads are cut to fragments shorter than 150 bp;
 * metcn's short-fragment class is richer in the amplicon than on the reference chromosomes. */
START_TEST(test_plasma)
{
    size_t n;
    double healthy = mean_length(gp_pnorm, NULL, 0, 0, &n);
    ck_assert_msg(n > 100000 && fabs(healthy - 167) < 3, "healthy plasma: %.2f bp over %zu",
                  healthy, n);
    double dip = mean_length(gp_plasma, NULL, 0, 0, &n);
    double want = 0.3 * 145 + 0.7 * 167;
    ck_assert_msg(fabs(dip - want) < 3 && healthy - dip > 4,
                  "tumour plasma, diploid: %.2f bp, want %.2f", dip, want);
    size_t na;
    double amp = mean_length(gp_plasma, "chr7", 115900000, 117600000, &na);
    double f = 0.3 * 10 / (0.3 * 10 + 0.7 * 2);
    ck_assert_msg(na > 5000 && fabs((dip - amp) - (f - 0.3) * 22) < 3,
                  "amplicon %.2f bp (%zu), diploid %.2f: the difference should be %.2f", amp, na,
                  dip, (f - 0.3) * 22);
    ck_assert_double_eq(truth_num(gp_pnorm, "n_tumour_fragments"), 0);
    double nt = truth_num(gp_plasma, "n_tumour_fragments"),
           nf = truth_num(gp_plasma, "n_fragments");
    ck_assert_msg(nt > 0.25 * nf && nt < 0.5 * nf, "%g of %g fragments from the tumour", nt, nf);
    /* the engine's classes: fragments < 150 bp make a larger share in MET's bins */
    char bam[700];
    snprintf(bam, sizeof bam, "%s.bam", gp_plasma);
    metcn_panel_t *p = panel_for(bam);
    metcn_gene_t *met = metcn_panel_gene(p, "MET", NULL);
    ck_assert_msg(met != NULL, "%s", metcn_last_error());
    metcn_covtab_t *t = metcn_cov_compute(bam, p, NULL);
    ck_assert_msg(t != NULL, "%s", metcn_last_error());
    double s_t = 0, a_t = 0, s_r = 0, a_r = 0;
    for (size_t i = 0; i < t->n; i++) {
        double sh = (double)metcn_covtab_frags_between(t, i, 0, 150);
        double all = (double)metcn_covtab_frags_between(t, i, 0, 1001);
        if (met->role[i] == METCN_ROLE_TARGET)
            s_t += sh, a_t += all;
        else if (p->bins[i].role == METCN_ROLE_REFERENCE)
            s_r += sh, a_r += all;
    }
    ck_assert_msg(a_t > 1000 && s_t / a_t > s_r / a_r + 0.05,
                  "short-fragment share: MET %.3f, reference %.3f", s_t / a_t, s_r / a_r);
    metcn_covtab_destroy(t);
    metcn_gene_destroy(met);
    metcn_panel_destroy(p);
}
END_TEST

/* --dup-unflagged writes the same records as the flagged run, without 0x400; metcn's
 * coordinate collapse then finds nearly the same fragments as the flags (distinct molecules
 * that share their coordinates are collapsed too: under 2% at 200x). */
START_TEST(test_dup_unflagged)
{
    char a[700], b2[700];
    snprintf(a, sizeof a, "%s.bam", gp_dupu);
    snprintf(b2, sizeof b2, "%s.bam", gp_dupf);
    samFile *fu = sam_open(a, "r"), *ff = sam_open(b2, "r");
    sam_hdr_t *hu = sam_hdr_read(fu), *hf = sam_hdr_read(ff);
    bam1_t *ru = bam_init1(), *rf = bam_init1();
    size_t n = 0, dups = 0;
    int r1, r2;
    while ((r1 = sam_read1(fu, hu, ru)) >= 0 && (r2 = sam_read1(ff, hf, rf)) >= 0) {
        ck_assert_str_eq(bam_get_qname(ru), bam_get_qname(rf));
        ck_assert(ru->core.pos == rf->core.pos && ru->core.isize == rf->core.isize);
        ck_assert_int_eq(ru->core.flag & BAM_FDUP, 0);
        int dup = bam_get_qname(rf)[0] == 'd';
        ck_assert_int_eq(rf->core.flag, ru->core.flag | (dup ? BAM_FDUP : 0));
        dups += dup;
        n++;
    }
    ck_assert_int_eq(r1, -1);
    ck_assert_double_eq(truth_num(gp_dupu, "n_duplicates") * 2, (double)dups);
    ck_assert_str_eq(truth_get(gp_dupu, "dup_unflagged"), "yes");
    metcn_panel_t *p = panel_for(a);
    metcn_cov_opt_t opt;
    metcn_cov_opt_init(&opt);
    opt.dedup = METCN_DEDUP_COORD;
    metcn_covtab_t *tu = metcn_cov_compute(a, p, &opt), *tf = metcn_cov_compute(b2, p, NULL);
    ck_assert(tu && tf);
    double fu_ = 0, ff_ = 0;
    for (size_t i = 0; i < tu->n; i++) {
        fu_ += (double)tu->fragments[i];
        ff_ += (double)tf->fragments[i];
    }
    ck_assert_msg(fu_ <= ff_ && fu_ > 0.98 * ff_, "coordinate collapse %g fragments, flags %g", fu_,
                  ff_);
    metcn_covtab_destroy(tu);
    metcn_covtab_destroy(tf);
    metcn_panel_destroy(p);
    bam_destroy1(ru);
    bam_destroy1(rf);
    sam_hdr_destroy(hu);
    sam_hdr_destroy(hf);
    sam_close(fu);
    sam_close(ff);
}
END_TEST

static Suite *sim_suite(void)
{
    Suite *s = suite_create("sim");
    TCase *tc = tcase_create("model");
    tcase_add_test(tc, test_cn_factor);
    tcase_add_loop_test(tc, test_truth_table, 0, sizeof truth_cases / sizeof truth_cases[0]);
    tcase_add_test(tc, test_capture_eff);
    tcase_add_test(tc, test_manifest);
    tcase_add_test(tc, test_acn);
    tcase_add_test(tc, test_genotypes);
    suite_add_tcase(s, tc);
    tc = tcase_create("germline_plasma");
    tcase_add_unchecked_fixture(tc, germ_setup, germ_teardown);
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_germline_alleles);
    tcase_add_test(tc, test_mates_agree);
    tcase_add_test(tc, test_plasma);
    tcase_add_test(tc, test_dup_unflagged);
    suite_add_tcase(s, tc);
    tc = tcase_create("data");
    tcase_add_unchecked_fixture(tc, gen_setup, gen_teardown);
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_depth_model);
    tcase_add_test(tc, test_gc_curve_recovered);
    tcase_add_test(tc, test_pairs_and_rates);
    tcase_add_test(tc, test_bam_equals_cram);
    tcase_add_test(tc, test_samtools);
    tcase_add_test(tc, test_deterministic);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(sim_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
