/* test_dilute.c -- deterministic tumour/normal mixing: templates stay whole, each fraction is
 * hit within binomial error, same seed gives the same records, bad inputs are refused. The
 * BAMs are generated here with htslib from a fixed seed. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_rng.h>
#include <htslib/kstring.h>
#include <htslib/sam.h>

#include "metcn/dilute.h"
#include "metcn/metcn.h"

static char dir[64];

typedef struct {
    int tid;
    long pos;
    char *line;
} rec_t;

static int cmp_rec(const void *pa, const void *pb)
{
    const rec_t *a = pa, *b = pb;
    long ka = a->tid < 0 ? 1L << 40 : a->tid, kb = b->tid < 0 ? 1L << 40 : b->tid;
    if (ka != kb)
        return ka < kb ? -1 : 1;
    return a->pos < b->pos ? -1 : a->pos > b->pos;
}

/* A coordinate-sorted BAM of n_templates read pairs named <prefix>NNNNNN on chrA (100 kb) and
 * chrB (chrb_len), every 50th template with a supplementary record, the last 1%% unmapped.
 * rg: read group ID (NULL: no @RG). unsorted: swap two records. */
static void make_bam(const char *path, const char *prefix, int n_templates, long chrb_len,
                     const char *rg, unsigned long seed, int unsorted)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, seed);
    kstring_t hdr = {0, 0, NULL};
    ksprintf(&hdr, "@HD\tVN:1.6\tSO:coordinate\n@SQ\tSN:chrA\tLN:100000\n@SQ\tSN:chrB\tLN:%ld\n",
             chrb_len);
    if (rg)
        ksprintf(&hdr, "@RG\tID:%s\tSM:%s_sample\tPL:ILLUMINA\n", rg, prefix);
    size_t m = (size_t)n_templates * 3, n = 0;
    rec_t *r = calloc(m, sizeof *r);
    const char *seq = "ACGTACGTACGTACGTACGTACGTACGTACGTACGTACGTACGTACGTAC";
    const char *qual = "IIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIII";
    for (int t = 0; t < n_templates; t++) {
        char name[64], rgtag[64] = "";
        snprintf(name, sizeof name, "%s%06d", prefix, t);
        if (rg)
            snprintf(rgtag, sizeof rgtag, "\tRG:Z:%s", rg);
        kstring_t a = {0, 0, NULL}, b = {0, 0, NULL};
        if (t >= n_templates - n_templates / 100) { /* unmapped pair */
            ksprintf(&a, "%s\t77\t*\t0\t0\t*\t*\t0\t0\t%s\t%s%s", name, seq, qual, rgtag);
            ksprintf(&b, "%s\t141\t*\t0\t0\t*\t*\t0\t0\t%s\t%s%s", name, seq, qual, rgtag);
            r[n++] = (rec_t){-1, 0, a.s};
            r[n++] = (rec_t){-1, 0, b.s};
            continue;
        }
        int tid = gsl_rng_uniform(rng) < 0.6 ? 0 : 1;
        long len = tid ? (chrb_len < 100000 ? chrb_len : 100000) : 100000;
        long p1 = 1 + (long)gsl_rng_uniform_int(rng, (unsigned long)(len - 600));
        long p2 = p1 + 100 + (long)gsl_rng_uniform_int(rng, 300);
        const char *chr = tid ? "chrB" : "chrA";
        ksprintf(&a, "%s\t99\t%s\t%ld\t60\t50M\t=\t%ld\t%ld\t%s\t%s%s", name, chr, p1, p2,
                 p2 + 50 - p1, seq, qual, rgtag);
        ksprintf(&b, "%s\t147\t%s\t%ld\t60\t50M\t=\t%ld\t%ld\t%s\t%s%s", name, chr, p2, p1,
                 -(p2 + 50 - p1), seq, qual, rgtag);
        r[n++] = (rec_t){tid, p1, a.s};
        r[n++] = (rec_t){tid, p2, b.s};
        if (t % 50 == 0) {
            kstring_t s = {0, 0, NULL};
            long p3 = 1 + (long)gsl_rng_uniform_int(rng, 90000);
            ksprintf(&s, "%s\t2113\tchrA\t%ld\t30\t50M\tchr%c\t%ld\t0\t%s\t%s%s", name, p3,
                     tid ? 'B' : 'A', p2, seq, qual, rgtag);
            r[n++] = (rec_t){0, p3, s.s};
        }
    }
    qsort(r, n, sizeof *r, cmp_rec);
    if (unsorted && n > 10) {
        rec_t tmp = r[2];
        r[2] = r[n / 2];
        r[n / 2] = tmp;
    }
    sam_hdr_t *h = sam_hdr_parse(hdr.l, hdr.s);
    ck_assert_ptr_nonnull(h);
    samFile *fp = sam_open(path, "wb");
    ck_assert_ptr_nonnull(fp);
    ck_assert_int_eq(sam_hdr_write(fp, h), 0);
    bam1_t *b = bam_init1();
    for (size_t i = 0; i < n; i++) {
        kstring_t k = {strlen(r[i].line), strlen(r[i].line) + 1, r[i].line};
        ck_assert_msg(sam_parse1(&k, h, b) >= 0, "parse %s", r[i].line);
        ck_assert_int_ge(sam_write1(fp, h, b), 0);
        free(r[i].line);
    }
    bam_destroy1(b);
    ck_assert_int_eq(sam_close(fp), 0);
    sam_hdr_destroy(h);
    free(r);
    free(hdr.s);
    gsl_rng_free(rng);
}

static char *path_in(const char *name)
{
    static char buf[8][256];
    static int k;
    char *p = buf[k++ % 8];
    snprintf(p, 256, "%s/%s", dir, name);
    return p;
}

/* ---- keep decision ------------------------------------------------------------------------ */

START_TEST(test_keep_hash)
{
    /* deterministic, in [0,1), uniform: the share below p within 4 binomial SDs */
    int n = 200000, below = 0, both = 0;
    char name[32];
    for (int i = 0; i < n; i++) {
        snprintf(name, sizeof name, "read%d", i);
        double u = metcn_dilute_u(42, 0, name);
        ck_assert(u >= 0 && u < 1);
        ck_assert(u == metcn_dilute_u(42, 0, name));
        below += u < 0.3;
        /* tumour and normal decisions on one name are independent */
        both += u < 0.3 && metcn_dilute_u(42, 1, name) < 0.3;
    }
    ck_assert_msg(fabs(below - 0.3 * n) < 4 * sqrt(n * 0.3 * 0.7), "below %d", below);
    ck_assert_msg(fabs(both - 0.09 * n) < 4 * sqrt(n * 0.09 * 0.91), "both %d", both);
    /* another seed gives another sample */
    int same = 0;
    for (int i = 0; i < 1000; i++) {
        snprintf(name, sizeof name, "read%d", i);
        same += metcn_dilute_keep(1, 0, name, 0.5) == metcn_dilute_keep(2, 0, name, 0.5);
    }
    ck_assert_msg(same > 400 && same < 600, "seeds agree on %d of 1000", same);
    ck_assert_int_eq(metcn_dilute_keep(1, 0, "x", 1.0), 1);
    ck_assert_int_eq(metcn_dilute_keep(1, 0, "x", 0.0), 0);
}
END_TEST

START_TEST(test_keep_probs)
{
    double kt, kn;
    /* T = 4000, N = 6000, D = 5000 at f = 0.2: 1000/4000 and 4000/6000 */
    ck_assert_int_eq(metcn_dilute_keep_probs(0.2, 4000, 6000, 5000, &kt, &kn), 0);
    ck_assert_double_eq_tol(kt, 0.25, 1e-12);
    ck_assert_double_eq_tol(kn, 4000.0 / 6000, 1e-12);
    ck_assert_int_eq(metcn_dilute_keep_probs(0.9, 4000, 6000, 5000, &kt, &kn), METCN_E_RANGE);
    ck_assert_int_eq(metcn_dilute_keep_probs(0, 4000, 6000, 6000, &kt, &kn), 0);
    ck_assert(kt == 0 && kn == 1);
}
END_TEST

/* ---- reading outputs back ---------------------------------------------------------------- */

typedef struct {
    int64_t records, tumour_templates, normal_templates, broken, unsorted;
    int64_t rg_tumour, rg_normal, chrA_region;
} summary_t;

/* Count templates per source (from the read name) and check every template in out has all
 * the records it had in its input (2 mates, + 1 supplementary every 50th), sortedness, the
 * read groups, and an indexed region query. */
static summary_t read_back(const char *path, const char *rg_t, const char *rg_n, int nt, int nn)
{
    summary_t s;
    memset(&s, 0, sizeof s);
    samFile *fp = sam_open(path, "r");
    ck_assert_ptr_nonnull(fp);
    sam_hdr_t *h = sam_hdr_read(fp);
    bam1_t *b = bam_init1();
    /* names are <t|n>NNNNNN: count records per template */
    static int cnt[2][100000];
    memset(cnt, 0, sizeof cnt);
    int64_t ptid = -1, ppos = -1;
    int64_t region = 0;
    while (sam_read1(fp, h, b) >= 0) {
        s.records++;
        const char *q = bam_get_qname(b);
        int src = q[0] == 'n';
        int idx = atoi(q + 1);
        cnt[src][idx]++;
        int64_t tid = b->core.tid < 0 ? INT64_MAX : b->core.tid;
        if (tid < ptid || (tid == ptid && b->core.pos < ppos))
            s.unsorted++;
        ptid = tid;
        ppos = b->core.pos;
        uint8_t *rg = bam_aux_get(b, "RG");
        const char *id = rg ? bam_aux2Z(rg) : "";
        if (strcmp(id, src ? rg_n : rg_t) != 0)
            s.broken++;
        s.rg_tumour += src == 0;
        s.rg_normal += src == 1;
        if (b->core.tid == 0 && b->core.pos < 50000 && bam_endpos(b) > 10000)
            region++;
    }
    for (int src = 0; src < 2; src++)
        for (int i = 0; i < 100000; i++) {
            if (cnt[src][i] == 0)
                continue;
            int n_in = src ? nn : nt;
            int unmapped = i >= n_in - n_in / 100; /* no supplementary record */
            if (cnt[src][i] != 2 + (!unmapped && i % 50 == 0))
                s.broken++;
            if (src)
                s.normal_templates++;
            else
                s.tumour_templates++;
        }
    /* the index answers a region query with the same count as the full scan */
    hts_idx_t *idx = sam_index_load(fp, path);
    ck_assert_ptr_nonnull(idx);
    hts_itr_t *it = sam_itr_querys(idx, h, "chrA:10001-50000");
    ck_assert_ptr_nonnull(it);
    int64_t q = 0;
    while (sam_itr_next(fp, it, b) >= 0)
        q++;
    s.chrA_region = q == region ? q : -1;
    hts_itr_destroy(it);
    hts_idx_destroy(idx);
    bam_destroy1(b);
    sam_hdr_destroy(h);
    sam_close(fp);
    return s;
}

START_TEST(test_dilute_series)
{
    const int T = 4000, N = 6000;
    char *tb = strdup(path_in("t.bam")), *nb = strdup(path_in("n.bam"));
    make_bam(tb, "t", T, 80000, "grp1", 11, 0);
    make_bam(nb, "n", N, 80000, "grp1", 12, 0); /* same RG ID: must be renamed */
    metcn_dilute_opt_t opt;
    metcn_dilute_opt_init(&opt);
    opt.seed = 7;
    opt.cmdline = "metcn dilute test";
    double fr[] = {0.5, 0.2, 0.1, 0.0};
    metcn_dilute_run_t run;
    ck_assert_msg(metcn_dilute(tb, nb, fr, 4, path_in("mix"), &opt, &run) == 0, "%s",
                  metcn_last_error());
    ck_assert_int_eq(run.tumour_templates, T);
    ck_assert_int_eq(run.normal_templates, N);
    /* the largest common total: min over f of T/f, N/(1-f) = N/(1-0) = 6000 (f = 0) */
    ck_assert_double_eq_tol(run.total, 6000, 1e-9);
    for (int i = 0; i < 4; i++) {
        metcn_dilute_result_t *r = &run.results[i];
        double kt = fr[i] * run.total / T, kn = (1 - fr[i]) * run.total / N;
        ck_assert_double_eq_tol(r->keep_tumour, kt, 1e-12);
        ck_assert_double_eq_tol(r->keep_normal, kn, 1e-12);
        summary_t s = read_back(r->path, "grp1", "grp1-normal", T, N);
        ck_assert_msg(s.broken == 0, "f=%g: %lld broken templates / wrong RG", fr[i],
                      (long long)s.broken);
        ck_assert_int_eq(s.unsorted, 0);
        ck_assert_int_ge(s.chrA_region, 0);
        ck_assert_int_eq(s.tumour_templates, r->tumour_kept);
        ck_assert_int_eq(s.normal_templates, r->normal_kept);
        ck_assert_int_eq(s.records, r->records);
        /* each source is binomial(count, keep): within 4 SDs */
        double sd_t = sqrt(T * kt * (1 - kt)), sd_n = sqrt(N * kn * (1 - kn));
        ck_assert_msg(fabs((double)s.tumour_templates - T * kt) <= 4 * sd_t + 1e-9,
                      "f=%g: tumour %lld vs %g", fr[i], (long long)s.tumour_templates, T * kt);
        ck_assert_msg(fabs((double)s.normal_templates - N * kn) <= 4 * sd_n + 1e-9,
                      "f=%g: normal %lld vs %g", fr[i], (long long)s.normal_templates, N * kn);
        /* the observed fraction: delta-method SD from the two binomials */
        double tot = (double)(s.tumour_templates + s.normal_templates);
        double obs = s.tumour_templates / tot;
        double sd_f =
            sqrt((1 - fr[i]) * (1 - fr[i]) * sd_t * sd_t + fr[i] * fr[i] * sd_n * sd_n) / run.total;
        ck_assert_msg(fabs(obs - fr[i]) <= 4 * sd_f + 1e-12, "f=%g: observed %g (sd %g)", fr[i],
                      obs, sd_f);
    }
    /* the series is nested: every tumour template at 0.1 is also at 0.2 */
    ck_assert(run.results[2].tumour_kept <= run.results[1].tumour_kept);
    ck_assert_int_eq(run.results[3].tumour_kept, 0);
    ck_assert_int_eq(run.results[3].normal_kept, N);
    /* header: both read groups with one SM, sorted, @PG and @CO */
    samFile *fp = sam_open(run.results[1].path, "r");
    sam_hdr_t *h = sam_hdr_read(fp);
    const char *txt = sam_hdr_str(h);
    ck_assert_ptr_nonnull(strstr(txt, "@RG\tID:grp1\tSM:mix.f0.2\tPL:ILLUMINA"));
    ck_assert_ptr_nonnull(strstr(txt, "@RG\tID:grp1-normal\tSM:mix.f0.2\tPL:ILLUMINA"));
    ck_assert_ptr_nonnull(strstr(txt, "SO:coordinate"));
    ck_assert_ptr_nonnull(strstr(txt, "@PG\tID:metcn"));
    ck_assert_ptr_nonnull(strstr(txt, "tumour_fraction=0.2"));
    sam_hdr_destroy(h);
    sam_close(fp);
    metcn_dilute_run_free(&run);
    free(tb);
    free(nb);
}
END_TEST

/* Decoded records of a BAM as SAM text (no header). */
static char *records(const char *path, size_t *len)
{
    samFile *fp = sam_open(path, "r");
    ck_assert_ptr_nonnull(fp);
    sam_hdr_t *h = sam_hdr_read(fp);
    bam1_t *b = bam_init1();
    kstring_t all = {0, 0, NULL}, one = {0, 0, NULL};
    while (sam_read1(fp, h, b) >= 0) {
        ck_assert_int_ge(sam_format1(h, b, &one), 0);
        kputsn(one.s, one.l, &all);
        kputc('\n', &all);
    }
    free(one.s);
    bam_destroy1(b);
    sam_hdr_destroy(h);
    sam_close(fp);
    *len = all.l;
    return all.s;
}

START_TEST(test_dilute_deterministic)
{
    char *tb = strdup(path_in("dt.bam")), *nb = strdup(path_in("dn.bam"));
    make_bam(tb, "t", 1500, 80000, NULL, 21, 0); /* no @RG: "tumour"/"normal" synthesised */
    make_bam(nb, "n", 1500, 80000, NULL, 22, 0);
    metcn_dilute_opt_t opt;
    metcn_dilute_opt_init(&opt);
    opt.seed = 99;
    double fr[] = {0.3};
    metcn_dilute_run_t a, b, c, d;
    ck_assert_int_eq(metcn_dilute(tb, nb, fr, 1, path_in("a"), &opt, &a), 0);
    opt.threads = 2; /* threads change nothing */
    ck_assert_int_eq(metcn_dilute(tb, nb, fr, 1, path_in("b"), &opt, &b), 0);
    opt.threads = 0;
    opt.seed = 100;
    ck_assert_int_eq(metcn_dilute(tb, nb, fr, 1, path_in("c"), &opt, &c), 0);
    /* an explicit depth ratio equal to the counted one gives the same keep probabilities */
    opt.seed = 99;
    opt.depth_ratio = 1.0;
    ck_assert_int_eq(metcn_dilute(tb, nb, fr, 1, path_in("d"), &opt, &d), 0);
    ck_assert_double_eq_tol(d.results[0].keep_tumour, a.results[0].keep_tumour, 1e-12);
    size_t la, lb, lc, ld;
    char *ra = records(a.results[0].path, &la), *rb = records(b.results[0].path, &lb);
    char *rc = records(c.results[0].path, &lc), *rd = records(d.results[0].path, &ld);
    ck_assert_uint_gt(la, 1000);
    ck_assert(la == lb && memcmp(ra, rb, la) == 0);
    ck_assert(la == ld && memcmp(ra, rd, la) == 0);
    ck_assert(la != lc || memcmp(ra, rc, la) != 0);
    ck_assert_ptr_nonnull(strstr(ra, "\tRG:Z:tumour"));
    ck_assert_ptr_nonnull(strstr(ra, "\tRG:Z:normal"));
    summary_t s = read_back(a.results[0].path, "tumour", "normal", 1500, 1500);
    ck_assert_int_eq(s.broken, 0);
    free(ra);
    free(rb);
    free(rc);
    free(rd);
    metcn_dilute_run_free(&a);
    metcn_dilute_run_free(&b);
    metcn_dilute_run_free(&c);
    metcn_dilute_run_free(&d);
    free(tb);
    free(nb);
}
END_TEST

START_TEST(test_dilute_bad_inputs)
{
    char *tb = strdup(path_in("bt.bam")), *nb = strdup(path_in("bn.bam"));
    char *ub = strdup(path_in("bu.bam"));
    make_bam(tb, "t", 300, 80000, NULL, 31, 0);
    make_bam(nb, "n", 300, 70000, NULL, 32, 0); /* chrB length differs */
    make_bam(ub, "n", 300, 80000, NULL, 33, 1); /* unsorted */
    metcn_dilute_opt_t opt;
    metcn_dilute_opt_init(&opt);
    double fr[] = {0.5};
    metcn_dilute_run_t run;
    ck_assert_int_eq(metcn_dilute(tb, nb, fr, 1, path_in("bad"), &opt, &run), METCN_E_INCOMPATIBLE);
    ck_assert_ptr_nonnull(strstr(metcn_last_error(), "headers differ at contig 2 (chrB:80000 vs "
                                                     "chrB:70000)"));
    ck_assert_int_ne(access(path_in("bad.f0.5.bam"), F_OK), 0);
    ck_assert_int_eq(metcn_dilute(tb, ub, fr, 1, path_in("bad"), &opt, &run), METCN_E_UNSORTED);
    ck_assert_ptr_nonnull(strstr(metcn_last_error(), "not coordinate-sorted"));
    ck_assert_int_ne(access(path_in("bad.f0.5.bam"), F_OK), 0);
    /* no temporary files left behind */
    char cmd[300];
    snprintf(cmd, sizeof cmd, "ls %s | grep -q tmp", dir);
    ck_assert_int_ne(system(cmd), 0);
    ck_assert_int_eq(metcn_dilute(tb, path_in("missing.bam"), fr, 1, path_in("bad"), &opt, &run),
                     METCN_E_IO);
    double two[] = {0.5, 0.5};
    ck_assert_int_eq(metcn_dilute(tb, tb, two, 2, path_in("bad"), &opt, &run), METCN_E_ARG);
    double out_of_range[] = {1.5};
    ck_assert_int_eq(metcn_dilute(tb, tb, out_of_range, 1, path_in("bad"), &opt, &run),
                     METCN_E_RANGE);
    opt.templates = 1000000;
    ck_assert_int_eq(metcn_dilute(tb, tb, fr, 1, path_in("bad"), &opt, &run), METCN_E_RANGE);
    free(tb);
    free(nb);
    free(ub);
}
END_TEST

int main(void)
{
    metcn_init();
    snprintf(dir, sizeof dir, "/tmp/metcn_test_dilute.XXXXXX");
    if (!mkdtemp(dir))
        return EXIT_FAILURE;
    Suite *s = suite_create("dilute");
    TCase *tc = tcase_create("dilute");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_keep_hash);
    tcase_add_test(tc, test_keep_probs);
    tcase_add_test(tc, test_dilute_series);
    tcase_add_test(tc, test_dilute_deterministic);
    tcase_add_test(tc, test_dilute_bad_inputs);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        failed++;
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
