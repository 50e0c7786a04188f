/* test_fragments.c -- the short-fragment evidence of a plasma call (docs/plasma.md
 * "Fragment-length evidence"): the PoN's per-bin short shares learnt from generated normals,
 * their file records (round trip, older files without them, malformed records), and the
 * excess and its z on counts drawn from the model at known tumour fraction f and copy number C.
 *
 * Model: bin i's short share in normal-derived DNA is c_i, in tumour-derived DNA c_i + DS.
 * The tumour share of a region's DNA is tau = f C / (f C + 2 (1 - f)); a sample's short
 * fragments in bin i are Binomial(n_i, c_i + tau DS).  The excess at the gene over the genome
 * is (tau_gene - tau_genome) DS. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "metcn/call.h"
#include "metcn/metcn.h"
#include "metcn/pon.h"
#include "metcn/util.h"

#define N_NORMALS 10
#define DS 0.40 /* tumour minus normal short share (the simulator's 145 vs 167 bp: ~0.40) */

static char tmpdir[256];
static metcn_panel_t *panel;
static metcn_gene_t *met;
static double *truth_c; /* per-bin short share of normal DNA */

static void setup(void)
{
    metcn_init();
    metcn_log_set_level(METCN_LOG_ERROR);
    snprintf(tmpdir, sizeof tmpdir, "/tmp/metcn_test_frag.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    char path[512];
    snprintf(path, sizeof path, "%s/panel.bed", tmpdir);
    FILE *fp = fopen(path, "w");
    ck_assert_ptr_nonnull(fp);
    static const char *autos[] = {"chr1", "chr2", "chr3", "chr4", "chr5", "chr6"};
    for (int c = 0; c < 6; c++)
        for (int k = 0; k < 40; k++)
            fprintf(fp, "%s\t%d\t%d\tR%d_%d\n", autos[c], 1000000 + k * 1000000,
                    1000000 + k * 1000000 + 200, c, k);
    for (int k = 0; k < 20; k++)
        fprintf(fp, "chr7\t%d\t%d\tCTL_p%d\n", 2000000 + k * 2000000, 2000000 + k * 2000000 + 200,
                k);
    for (int k = 0; k < 20; k++) /* 20 MET bins of 60 bp inside its extent */
        fprintf(fp, "chr7\t%d\t%d\tMET_%d\n", 116700000 + k * 3000, 116700000 + k * 3000 + 60, k);
    for (int k = 0; k < 20; k++)
        fprintf(fp, "chr7\t%d\t%d\tCTL_q%d\n", 130000000 + k * 1000000,
                130000000 + k * 1000000 + 200, k);
    fclose(fp);
    metcn_panel_opt_t o;
    metcn_panel_opt_init(&o);
    o.build = "grch38";
    panel = metcn_panel_load(path, &o, NULL);
    ck_assert_msg(panel != NULL, "%s", metcn_last_error());
    met = metcn_panel_gene(panel, "MET", NULL);
    ck_assert_msg(met != NULL, "%s", metcn_last_error());
    ck_assert_int_eq((int)met->n_role[METCN_ROLE_TARGET], 20);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 11);
    truth_c = malloc(panel->n_bins * sizeof *truth_c);
    for (size_t i = 0; i < panel->n_bins; i++)
        truth_c[i] = 0.15 + 0.10 * gsl_rng_uniform(r);
    gsl_rng_free(r);
}

static void teardown(void)
{
    free(truth_c);
    metcn_gene_destroy(met);
    metcn_panel_destroy(panel);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

/* Tumour share of a region's DNA at fraction f and copy number cn. */
static double tau(double f, double cn)
{
    return f * cn / (f * cn + 2 * (1 - f));
}

/* A table with fragment classes [0,90) [90,150) [150,220) [220,1001): n_i ~ Poisson(mean), the
 * short ones (< 150) Binomial(n_i, c_i + tau DS) split evenly over the two short classes;
 * depth proportional to copy number. */
static metcn_covtab_t *make_sample(gsl_rng *r, double f, double gene_cn, double mean,
                                   const char *name)
{
    metcn_covtab_t *t = metcn_covtab_new(panel);
    ck_assert_ptr_nonnull(t);
    free(t->sample);
    t->sample = strdup(name);
    t->n_frag_class = 4;
    int edges[] = {0, 90, 150, 220, 1001};
    memcpy(t->frag_edge, edges, sizeof edges);
    t->frag_class = calloc(panel->n_bins * 4, sizeof *t->frag_class);
    ck_assert_ptr_nonnull(t->frag_class);
    t->has_fragments = 1;
    for (size_t i = 0; i < panel->n_bins; i++) {
        double cn = met->role[i] == METCN_ROLE_TARGET ? gene_cn : 2;
        double ta = tau(f, cn), lam = mean * (f * cn + 2 * (1 - f)) / 2;
        unsigned n = gsl_ran_poisson(r, lam);
        unsigned a = gsl_ran_binomial(r, truth_c[i] + ta * DS, n);
        unsigned a0 = a / 3;
        t->frag_class[i * 4 + 0] = a0;
        t->frag_class[i * 4 + 1] = a - a0;
        t->frag_class[i * 4 + 2] = n - a;
        t->fragments[i] = n;
        t->depth[i] = n * 167.0 / 200;
    }
    return t;
}

static metcn_pon_t *make_pon(gsl_rng *r, double mean)
{
    metcn_covtab_t *nv[N_NORMALS];
    for (int j = 0; j < N_NORMALS; j++) {
        char nm[16];
        snprintf(nm, sizeof nm, "N%02d", j);
        nv[j] = make_sample(r, 0, 2, mean, nm);
    }
    metcn_pon_t *pon = metcn_pon_build(panel, nv, N_NORMALS, NULL, NULL);
    ck_assert_msg(pon != NULL, "%s", metcn_last_error());
    for (int j = 0; j < N_NORMALS; j++)
        metcn_covtab_destroy(nv[j]);
    return pon;
}

/* The PoN learns each bin's short share: centre within 4 SEs of the truth (median of N
 * binomial shares), spread near the binomial SD, genome median near the truth's. */
START_TEST(test_pon_shares)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 21);
    metcn_pon_t *pon = make_pon(r, 1500);
    const metcn_pon_frag_t *pf = metcn_pon_frag(pon);
    ck_assert_ptr_nonnull(pf);
    ck_assert_int_eq(pf->short_max, 150);
    ck_assert_int_eq((int)pf->n_normals, N_NORMALS);
    size_t known = 0, far = 0;
    double ratio_sum = 0;
    for (size_t i = 0; i < pf->n; i++) {
        if (!isfinite(pf->centre[i]))
            continue;
        known++;
        double sd = sqrt(truth_c[i] * (1 - truth_c[i]) / pf->fragments[i]);
        far += fabs(pf->centre[i] - truth_c[i]) > 4 * sd * sqrt(M_PI / 2 / N_NORMALS);
        ratio_sum += pf->spread[i] / sd;
    }
    ck_assert_uint_ge(known, panel->n_bins - 5);
    ck_assert_uint_le(far, 2);
    double mean_ratio = ratio_sum / (double)known; /* spread estimates the binomial SD */
    ck_assert_msg(mean_ratio > 0.8 && mean_ratio < 1.2, "spread / binomial SD %g", mean_ratio);
    double sorted_truth = 0.20; /* median of U(0.15, 0.25) */
    ck_assert_msg(fabs(pf->genome_median - sorted_truth) < 0.01, "genome median %g",
                  pf->genome_median);
    metcn_pon_destroy(pon);
    gsl_rng_free(r);
}
END_TEST

/* Counts drawn at known f and C: the excess recovers (tau_gene - tau_genome) DS within 4 SEs,
 * the z of (excess - truth) / SE has mean about 0 and SD about 1 over replicates, each with
 * PoN normals of its own (the SE is honest, the PoN's centre error included), and the
 * prediction from the copy ratio R equals the truth exactly. */
START_TEST(test_excess_model)
{
    static const struct {
        const char *name;
        double f, cn;
    } cases[] = {{"f1_c10", 0.01, 10},  {"f2_c10", 0.02, 10}, {"f5_c5", 0.05, 5},
                 {"f10_c20", 0.10, 20}, {"f20_c2", 0.20, 2},  {"f0_c2", 0.0, 2}};
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 31);
    size_t n = panel->n_bins;
    int64_t *a = malloc(n * sizeof *a), *t = malloc(n * sizeof *t);
    unsigned char *grp = malloc(n);
    for (size_t i = 0; i < n; i++)
        grp[i] = met->role[i] == METCN_ROLE_TARGET      ? 1
                 : met->role[i] == METCN_ROLE_REFERENCE ? 2
                                                        : 0;
    metcn_pon_t *pon = NULL;
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        double f = cases[k].f, cn = cases[k].cn;
        double truth = (tau(f, cn) - tau(f, 2)) * DS;
        double R = (f * cn + 2 * (1 - f)) / 2;
        double pred = metcn_frag_predict(R, tau(f, 2), 0.2, 0.2 + DS);
        ck_assert_msg(fabs(pred - truth) < 1e-12, "%s: predicted %g, truth %g", cases[k].name, pred,
                      truth);
        double s1 = 0, s2 = 0;
        int reps = 60;
        for (int rep = 0; rep < reps; rep++) {
            metcn_pon_destroy(pon);
            pon = make_pon(r, 1500);
            const metcn_pon_frag_t *pf = metcn_pon_frag(pon);
            ck_assert_ptr_nonnull(pf);
            metcn_covtab_t *s = make_sample(r, f, cn, 2000, "T");
            for (size_t i = 0; i < n; i++) {
                a[i] = metcn_covtab_frags_between(s, i, 0, 150);
                t[i] = metcn_covtab_frags_between(s, i, 0, 1001);
            }
            metcn_frag_evidence_t ev;
            memset(&ev, 0, sizeof ev);
            ck_assert_int_eq(metcn_frag_excess(a, t, grp, pf, &ev), 0);
            ck_assert(ev.computed);
            double d = (ev.excess - truth) / ev.excess_se;
            ck_assert_msg(fabs(d) < 4.5, "%s: excess %g, truth %g, SE %g", cases[k].name, ev.excess,
                          truth, ev.excess_se);
            ck_assert_msg(fabs(ev.short_frac - ev.short_frac_expected - ev.excess) < 1e-12, "%s",
                          cases[k].name);
            s1 += d;
            s2 += d * d;
            metcn_covtab_destroy(s);
        }
        double mean = s1 / reps, sd = sqrt(s2 / reps - mean * mean);
        /* 60 replicates: the mean's SE is 0.13, the SD's about 0.09 */
        ck_assert_msg(fabs(mean) < 0.45, "%s: mean standardised error %g", cases[k].name, mean);
        ck_assert_msg(sd > 0.7 && sd < 1.3, "%s: SD of standardised error %g", cases[k].name, sd);
    }
    /* a group without fragments */
    memset(t, 0, n * sizeof *t);
    metcn_frag_evidence_t ev;
    memset(&ev, 0, sizeof ev);
    ck_assert_int_eq(metcn_frag_excess(a, t, grp, metcn_pon_frag(pon), &ev), METCN_E_TOOFEW);
    ck_assert(!ev.computed);
    ck_assert(isnan(metcn_frag_predict(-1, 0, 0.2, 0.6)));
    free(a);
    free(t);
    free(grp);
    metcn_pon_destroy(pon);
    gsl_rng_free(r);
}
END_TEST

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    ck_assert_ptr_nonnull(fp);
    fseek(fp, 0, SEEK_END);
    long len = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *s = malloc((size_t)len + 1);
    ck_assert_int_eq((long)fread(s, 1, (size_t)len, fp), len);
    s[len] = 0;
    fclose(fp);
    return s;
}

/* Rewrite a PoN file: every line but the checksum, through edit(), and a new checksum. */
static void rewrite(const char *in, const char *out, const char *(*edit)(const char *, int *))
{
    char *s = slurp(in);
    FILE *fp = fopen(out, "w");
    ck_assert_ptr_nonnull(fp);
    uint64_t h = METCN_HASH64_INIT;
    int state = 0;
    for (char *line = strtok(s, "\n"); line; line = strtok(NULL, "\n")) {
        if (strncmp(line, "checksum\t", 9) == 0)
            continue;
        const char *l = edit(line, &state);
        if (!l)
            continue;
        h = metcn_hash64(h, l, strlen(l));
        h = metcn_hash64(h, "\n", 1);
        fprintf(fp, "%s\n", l);
    }
    fprintf(fp, "checksum\tfnv1a64\t%016llx\n", (unsigned long long)h);
    fclose(fp);
    free(s);
}

static const char *drop_frag(const char *l, int *st)
{
    (void)st;
    return strncmp(l, "frag", 4) == 0 || strncmp(l, "#frag", 5) == 0 ? NULL : l;
}
static const char *drop_one_fragbin(const char *l, int *st)
{
    return strncmp(l, "fragbin", 7) == 0 && (*st)++ == 5 ? NULL : l;
}
static const char *bad_share(const char *l, int *st)
{
    static char buf[512];
    if (strncmp(l, "fragbin", 7) != 0 || (*st)++ != 3)
        return l;
    /* the centre field (5th) set to 1.5 */
    char *f[8];
    snprintf(buf, sizeof buf, "%s", l);
    ck_assert_int_eq(metcn_split(buf, '\t', f, 8), 7);
    static char out[512];
    snprintf(out, sizeof out, "%s\t%s\t%s\t%s\t1.5\t%s\t%s", f[0], f[1], f[2], f[3], f[5], f[6]);
    return out;
}
static const char *twice_summary(const char *l, int *st)
{
    static char buf[1024];
    (void)st;
    if (strncmp(l, "fragshort\t", 10) != 0)
        return l;
    snprintf(buf, sizeof buf, "%s\n%s", l, l);
    return buf;
}

/* The records round-trip; a file without them (every PoN written before) loads with none;
 * malformed records are refused naming the file and line. */
START_TEST(test_file_records)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 41);
    metcn_pon_t *pon = make_pon(r, 800);
    char path[600], other[600];
    snprintf(path, sizeof path, "%s/p.pon.gz", tmpdir);
    ck_assert_int_eq(metcn_pon_write(pon, path, "test"), 0);
    metcn_pon_t *back = metcn_pon_load(path);
    ck_assert_msg(back != NULL, "%s", metcn_last_error());
    const metcn_pon_frag_t *a = metcn_pon_frag(pon), *b = metcn_pon_frag(back);
    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(a->short_max, b->short_max);
    ck_assert_int_eq((int)a->n_normals, (int)b->n_normals);
    ck_assert(fabs(a->genome_median - b->genome_median) < 1e-8);
    for (size_t i = 0; i < a->n; i++) {
        ck_assert(isnan(a->centre[i]) == isnan(b->centre[i]));
        if (isfinite(a->centre[i]))
            ck_assert(fabs(a->centre[i] - b->centre[i]) < 1e-8 &&
                      fabs(a->spread[i] - b->spread[i]) < 1e-8 &&
                      fabs(a->fragments[i] - b->fragments[i]) < 1e-6);
    }
    metcn_pon_destroy(back);
    /* plain copy to edit */
    snprintf(path, sizeof path, "%s/p.pon", tmpdir);
    ck_assert_int_eq(metcn_pon_write(pon, path, "test"), 0);
    snprintf(other, sizeof other, "%s/old.pon", tmpdir);
    rewrite(path, other, drop_frag);
    back = metcn_pon_load(other);
    ck_assert_msg(back != NULL, "%s", metcn_last_error());
    ck_assert_ptr_null(metcn_pon_frag(back));
    metcn_pon_destroy(back);
    static const struct {
        const char *name;
        const char *(*edit)(const char *, int *);
        const char *needle;
    } bad[] = {{"missing_bin", drop_one_fragbin, "1 fragshort and 299 fragbin lines"},
               {"share_above_1", bad_share, "bad share, spread or fragment count"},
               {"summary_twice", twice_summary, "fragshort given twice"}};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        rewrite(path, other, bad[k].edit);
        metcn_clear_error();
        ck_assert_msg(metcn_pon_load(other) == NULL, "%s loaded", bad[k].name);
        ck_assert_msg(strstr(metcn_last_error(), bad[k].needle) != NULL, "%s: %s", bad[k].name,
                      metcn_last_error());
        ck_assert_msg(strstr(metcn_last_error(), other) != NULL, "%s: no file in %s", bad[k].name,
                      metcn_last_error());
    }
    metcn_pon_destroy(pon);
    gsl_rng_free(r);
}
END_TEST

/* Normals without classes, or with a size selection, store none; a --short-max that is no
 * class edge is refused naming the table. */
START_TEST(test_build_without_classes)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 51);
    metcn_covtab_t *nv[4];
    for (int j = 0; j < 4; j++)
        nv[j] = make_sample(r, 0, 2, 500, "N");
    metcn_pon_opt_t o;
    metcn_pon_opt_init(&o);
    o.short_max = 120;
    ck_assert_ptr_null(metcn_pon_build(panel, nv, 4, NULL, &o));
    ck_assert_msg(strstr(metcn_last_error(), "no edge at 120") != NULL, "%s", metcn_last_error());
    o.short_max = 0;
    metcn_pon_t *pon = metcn_pon_build(panel, nv, 4, NULL, &o);
    ck_assert_ptr_nonnull(pon);
    ck_assert_ptr_null(metcn_pon_frag(pon));
    metcn_pon_destroy(pon);
    for (int j = 0; j < 4; j++)
        nv[j]->size_min = 90, nv[j]->size_max = 150;
    pon = metcn_pon_build(panel, nv, 4, NULL, NULL);
    ck_assert_ptr_nonnull(pon);
    ck_assert_ptr_null(metcn_pon_frag(pon));
    metcn_pon_destroy(pon);
    for (int j = 0; j < 4; j++) {
        nv[j]->size_min = nv[j]->size_max = 0;
        nv[j]->n_frag_class = 0;
    }
    pon = metcn_pon_build(panel, nv, 4, NULL, NULL);
    ck_assert_ptr_nonnull(pon);
    ck_assert_ptr_null(metcn_pon_frag(pon));
    metcn_pon_destroy(pon);
    for (int j = 0; j < 4; j++)
        metcn_covtab_destroy(nv[j]);
    gsl_rng_free(r);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("fragments");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_pon_shares);
    tcase_add_test(tc, test_excess_model);
    tcase_add_test(tc, test_file_records);
    tcase_add_test(tc, test_build_without_classes);
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
