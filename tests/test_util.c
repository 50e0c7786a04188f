/* test_util.c -- strict parsing, atomic output files, the hash, the TSV line reader, the work
 * queue, path stems, JSON and SVG writers, error list. */
#include <check.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/json.h"
#include "metcn/metcn.h"
#include "core/svg.h"
#include "metcn/util.h"

#include <htslib/bgzf.h>

static const struct {
    const char *s;
    int ok;
    double v;
} double_cases[] = {
    {"0.5", 1, 0.5},
    {"1e-3", 1, 1e-3},
    {"1", 1, 1},
    {" 1", 0, 0},
    {"1 ", 0, 0},
    {"", 0, 0},
    {"abc", 0, 0},
    {"0.5x", 0, 0},
    {"nan", 0, 0},
    {"inf", 0, 0},
    {"1.5", 0, 0} /* out of [0,1] */,
    {"-0.1", 0, 0},
};

START_TEST(test_parse_double)
{
    double v = -1;
    int r = metcn_parse_double(double_cases[_i].s, 0, 1, &v);
    ck_assert_msg((r == 0) == double_cases[_i].ok, "'%s': r=%d", double_cases[_i].s, r);
    if (double_cases[_i].ok)
        ck_assert_double_eq_tol(v, double_cases[_i].v, 1e-12);
}
END_TEST

START_TEST(test_parse_int_region)
{
    int64_t v;
    ck_assert_int_eq(metcn_parse_int64("42", 0, 100, &v), 0);
    ck_assert_int_eq(v, 42);
    ck_assert_int_eq(metcn_parse_int64("101", 0, 100, &v), METCN_E_RANGE);
    ck_assert_int_eq(metcn_parse_int64("4.2", 0, 100, &v), METCN_E_FORMAT);
    ck_assert_int_eq(metcn_parse_int64("99999999999999999999999", 0, INT64_MAX, &v), METCN_E_RANGE);
    char *c = NULL;
    int64_t s, e;
    ck_assert_int_eq(metcn_parse_region("chr7:116,672,196-116,798,377", &c, &s, &e), 0);
    ck_assert_str_eq(c, "chr7");
    ck_assert_int_eq(s, 116672195);
    ck_assert_int_eq(e, 116798377);
    free(c);
    ck_assert_int_eq(metcn_parse_region("chr7:10-5", &c, &s, &e), METCN_E_FORMAT);
    ck_assert_int_eq(metcn_parse_region("chr7", &c, &s, &e), METCN_E_FORMAT);
    ck_assert_int_eq(metcn_parse_region(":1-5", &c, &s, &e), METCN_E_FORMAT);
    ck_assert_int_eq(metcn_parse_region("chr7:0-5", &c, &s, &e), METCN_E_FORMAT);
}
END_TEST

static const struct {
    const char *s;
    int ok, lo, hi;
} size_cases[] = {
    {"90-150", 1, 90, 150}, {"0-0", 1, 0, 0},     {"0-1001", 1, 0, 1001}, {"150-90", 0, 0, 0},
    {"90-90", 0, 0, 0},     {"90", 0, 0, 0},      {"-150", 0, 0, 0},      {"90-1002", 0, 0, 0},
    {"a-b", 0, 0, 0},       {"90-150x", 0, 0, 0}, {"", 0, 0, 0},          {"5-0", 0, 0, 0},
};

START_TEST(test_parse_size_select)
{
    int lo = -7, hi = -7;
    int r = metcn_parse_size_select(size_cases[_i].s, &lo, &hi);
    ck_assert_msg((r == 0) == size_cases[_i].ok, "'%s': r=%d", size_cases[_i].s, r);
    ck_assert_int_eq(lo, size_cases[_i].ok ? size_cases[_i].lo : -7);
    ck_assert_int_eq(hi, size_cases[_i].ok ? size_cases[_i].hi : -7);
}
END_TEST

START_TEST(test_ofile_atomic)
{
    char dir[] = "/tmp/metcn_test_util.XXXXXX", path[256], cmd[300];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/out.tsv", dir);
    metcn_ofile_t *f = metcn_ofile_open(path);
    ck_assert_ptr_nonnull(f);
    metcn_ofile_printf(f, "a\t%d\n", 1);
    ck_assert_int_eq(access(path, F_OK), -1); /* not visible before commit */
    ck_assert_int_eq(metcn_ofile_close(f, 0), 0);
    ck_assert_int_eq(access(path, F_OK), -1); /* discarded */
    f = metcn_ofile_open(path);
    char big[5000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    metcn_ofile_printf(f, "%s\n", big);
    ck_assert_int_eq(metcn_ofile_close(f, 1), 0);
    FILE *fp = fopen(path, "r");
    ck_assert_ptr_nonnull(fp);
    fseek(fp, 0, SEEK_END);
    ck_assert_int_eq(ftell(fp), 5000);
    fclose(fp);
    /* No temporary files left behind. */
    snprintf(cmd, sizeof cmd, "test $(ls %s | wc -l) -eq 1", dir);
    ck_assert_int_eq(system(cmd), 0);
    ck_assert_ptr_null(metcn_ofile_open("/nonexistent-dir/x.tsv"));
    ck_assert_ptr_nonnull(strstr(metcn_last_error(), "/nonexistent-dir/x.tsv: cannot open"));
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* FNV-1a 64 against published test vectors (the empty string, "a", "foobar"), and continued
 * hashing equals hashing the concatenation. */
START_TEST(test_hash64)
{
    ck_assert_uint_eq(metcn_hash64(METCN_HASH64_INIT, "", 0), 0xcbf29ce484222325ULL);
    ck_assert_uint_eq(metcn_hash64(METCN_HASH64_INIT, "a", 1), 0xaf63dc4c8601ec8cULL);
    ck_assert_uint_eq(metcn_hash64(METCN_HASH64_INIT, "foobar", 6), 0x85944171f73967e8ULL);
    uint64_t h = metcn_hash64(METCN_HASH64_INIT, "foo", 3);
    ck_assert_uint_eq(metcn_hash64(h, "bar", 3), 0x85944171f73967e8ULL);
}
END_TEST

/* The line reader: the same lines and fields from memory, a plain file and a bgzip file
 * (CRLF endings, a last line without newline, empty fields); a corrupt compressed file is a
 * read error naming the file and the last good line. */
START_TEST(test_tsv)
{
    static const char *text = "a\tb\t\tc\r\n\n#x\ny\tz";
    static const int want_n[] = {4, 1, 1, 2};
    char dir[] = "/tmp/metcn_test_tsv.XXXXXX", plain[256], gz[256], cmd[300];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(plain, sizeof plain, "%s/t.tsv", dir);
    snprintf(gz, sizeof gz, "%s/t.tsv.gz", dir);
    FILE *fp = fopen(plain, "w");
    fputs(text, fp);
    fclose(fp);
    BGZF *bg = bgzf_open(gz, "w");
    ck_assert_int_eq((int)bgzf_write(bg, text, strlen(text)), (int)strlen(text));
    bgzf_close(bg);
    for (int src = 0; src < 3; src++) {
        metcn_tsv_t *t =
            src == 0 ? metcn_tsv_text(text, "mem") : metcn_tsv_open(src == 1 ? plain : gz);
        ck_assert_ptr_nonnull(t);
        char **f;
        for (int k = 0; k < 4; k++) {
            ck_assert_int_eq(metcn_tsv_next(t), 1);
            ck_assert_int_eq(metcn_tsv_lineno(t), k + 1);
            ck_assert_int_eq(metcn_tsv_split(t, &f), want_n[k]);
            if (k == 0) {
                ck_assert_str_eq(f[0], "a");
                ck_assert_str_eq(f[2], "");
                ck_assert_str_eq(f[3], "c"); /* '\r' dropped */
            }
            if (k == 3)
                ck_assert_str_eq(f[1], "z");
        }
        ck_assert_int_eq(metcn_tsv_next(t), 0);
        metcn_tsv_close(t);
    }
    /* a bgzip file cut in its middle */
    snprintf(cmd, sizeof cmd, "head -c 20 %s > %s/cut.gz", gz, dir);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(gz, sizeof gz, "%s/cut.gz", dir);
    metcn_tsv_t *t = metcn_tsv_open(gz);
    ck_assert_ptr_nonnull(t);
    int r;
    while ((r = metcn_tsv_next(t)) > 0)
        ;
    ck_assert_int_lt(r, 0);
    ck_assert_ptr_nonnull(strstr(metcn_last_error(), "cut.gz: read error"));
    metcn_tsv_close(t);
    ck_assert_ptr_null(metcn_tsv_open("/nonexistent/x.tsv"));
    ck_assert_ptr_nonnull(strstr(metcn_last_error(), "/nonexistent/x.tsv: cannot open"));
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

typedef struct {
    int *done;      /* per job: times run */
    size_t fail_at; /* jobs >= this fail */
    pthread_mutex_t lock;
    int max_active, active;
} jobs_t;

static int job(void *ctx, size_t i)
{
    jobs_t *J = ctx;
    pthread_mutex_lock(&J->lock);
    if (++J->active > J->max_active)
        J->max_active = J->active;
    pthread_mutex_unlock(&J->lock);
    usleep(2000);
    J->done[i]++;
    pthread_mutex_lock(&J->lock);
    J->active--;
    pthread_mutex_unlock(&J->lock);
    if (i >= J->fail_at)
        return metcn_set_error(METCN_E_FORMAT, "job %zu failed", i);
    return 0;
}

/* Every job runs once on up to the threads asked; after a failure no new job starts and the
 * lowest failed job's message reaches the caller's thread. */
START_TEST(test_workq)
{
    for (int threads = 1; threads <= 4; threads++) {
        int done[40] = {0};
        jobs_t J = {done, SIZE_MAX, PTHREAD_MUTEX_INITIALIZER, 0, 0};
        ck_assert_int_eq(metcn_workq_run(40, threads, job, &J), 0);
        for (int i = 0; i < 40; i++)
            ck_assert_int_eq(done[i], 1);
        ck_assert_int_le(J.max_active, threads);
        if (threads > 1)
            ck_assert_int_ge(J.max_active, 2);
        int done2[40] = {0};
        jobs_t F = {done2, 10, PTHREAD_MUTEX_INITIALIZER, 0, 0};
        metcn_clear_error();
        ck_assert_int_eq(metcn_workq_run(40, threads, job, &F), METCN_E_FORMAT);
        ck_assert_str_eq(metcn_last_error(), "job 10 failed");
        int ran = 0;
        for (int i = 0; i < 40; i++)
            ran += done2[i];
        ck_assert_int_le(ran, 10 + threads); /* jobs after the failure do not start */
    }
    ck_assert_int_eq(metcn_workq_run(0, 4, job, NULL), 0);
}
END_TEST

static const struct {
    const char *path, *stem;
} stem_cases[] = {
    {"/data/N01.bam", "N01"},
    {"x/T1.targetcoverage.cnn", "T1"},
    {"S.regions.bed.gz", "S"},
    {"a.b.tsv", "a.b"},
    {"-", "stdin"},
    {"noext", "noext"},
    {"/d/sample.coverage.tsv.gz", "sample"},
};

START_TEST(test_path_stem)
{
    char *s = metcn_path_stem(stem_cases[_i].path);
    ck_assert_str_eq(s, stem_cases[_i].stem);
    free(s);
}
END_TEST

START_TEST(test_json)
{
    metcn_json_t *j = metcn_json_new();
    metcn_json_begin_object(j, NULL);
    metcn_json_str(j, "name", "a \"q\"\n\\");
    metcn_json_num(j, "x", 0.25);
    metcn_json_num(j, "nan", NAN);
    metcn_json_num(j, "inf", INFINITY);
    metcn_json_int(j, "n", -7);
    metcn_json_bool(j, "ok", 1);
    metcn_json_begin_array(j, "list");
    metcn_json_num(j, NULL, 1);
    metcn_json_str(j, NULL, NULL);
    metcn_json_begin_object(j, NULL);
    metcn_json_end_object(j);
    metcn_json_end_array(j);
    metcn_json_end_object(j);
    ck_assert_int_eq(metcn_json_status(j), 0);
    ck_assert_str_eq(metcn_json_text(j), "{\n  \"name\": \"a \\\"q\\\"\\n\\\\\",\n  \"x\": 0.25,\n"
                                         "  \"nan\": null,\n  \"inf\": null,\n  \"n\": -7,\n"
                                         "  \"ok\": true,\n  \"list\": [\n    1,\n    null,\n"
                                         "    {}\n  ]\n}\n");
    metcn_json_destroy(j);
    j = metcn_json_new();
    metcn_json_begin_object(j, NULL);
    ck_assert_int_ne(metcn_json_status(j), 0); /* unclosed */
    metcn_json_end_array(j);                   /* mismatched */
    ck_assert_int_eq(metcn_json_status(j), METCN_E_ARG);
    ck_assert_int_ne(metcn_json_write(j, "/tmp/never.json"), 0);
    metcn_json_destroy(j);
}
END_TEST

START_TEST(test_svg)
{
    metcn_svg_frame_t f = {50, 10, 100, 100, 0, 10, 1, 100, 0, 1};
    ck_assert_double_eq_tol(metcn_svg_fx(&f, 5), 100, 1e-9);
    ck_assert_double_eq_tol(metcn_svg_fx(&f, 20), 150, 1e-9); /* clamped */
    ck_assert_double_eq_tol(metcn_svg_fy(&f, 10), 60, 1e-9);  /* log axis: middle */
    metcn_svg_t *s = metcn_svg_new(200, 150);
    metcn_svg_axes(s, &f, "x <label>", "y & label", 5);
    metcn_svg_text(s, 1, 2, "start", 10, "#000", 0, "a<b & \"c\"");
    char path[] = "/tmp/metcn_test_svg.XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_int_eq(metcn_svg_write(s, path), 0);
    FILE *fp = fopen(path, "r");
    char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    buf[n] = 0;
    fclose(fp);
    unlink(path);
    ck_assert_ptr_nonnull(strstr(buf, "a&lt;b &amp; &quot;c&quot;"));
    ck_assert_ptr_nonnull(strstr(buf, "x &lt;label&gt;"));
    ck_assert_ptr_nonnull(strstr(buf, "</svg>"));
    ck_assert_ptr_null(strstr(buf, "a<b"));
    metcn_svg_destroy(s);
}
END_TEST

START_TEST(test_errors)
{
    ck_assert_str_eq(metcn_strerror(METCN_E_OVERLAP), "overlapping or duplicated regions");
    ck_assert_str_eq(metcn_strerror(12345), "unknown error");
    ck_assert_int_eq(metcn_set_error(METCN_E_IO, "%s: boom", "f.bam"), METCN_E_IO);
    ck_assert_str_eq(metcn_last_error(), "f.bam: boom");
    metcn_set_error(METCN_E_RANGE, NULL);
    ck_assert_str_eq(metcn_last_error(), "value out of range");
    metcn_clear_error();
    ck_assert_int_eq(metcn_last_error_code(), 0);
}
END_TEST

int main(void)
{
    metcn_init();
    Suite *s = suite_create("util");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, test_parse_double, 0,
                        (int)(sizeof double_cases / sizeof double_cases[0]));
    tcase_add_loop_test(tc, test_parse_size_select, 0, sizeof size_cases / sizeof size_cases[0]);
    tcase_add_test(tc, test_parse_int_region);
    tcase_add_test(tc, test_ofile_atomic);
    tcase_add_test(tc, test_hash64);
    tcase_add_test(tc, test_tsv);
    tcase_add_test(tc, test_workq);
    tcase_add_loop_test(tc, test_path_stem, 0, (int)(sizeof stem_cases / sizeof stem_cases[0]));
    tcase_add_test(tc, test_json);
    tcase_add_test(tc, test_svg);
    tcase_add_test(tc, test_errors);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
