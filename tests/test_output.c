/* test_output.c -- crash-safe outputs (src/core/output.c): output sets committed together or not
 * at all, a failed commit taking back what it renamed, write-through of devices and FIFOs,
 * refused directories, temporaries removed on SIGINT/SIGTERM; htslib's log level following
 * metcn's (src/core/errors.c). */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <htslib/bgzf.h>
#include <htslib/hts_log.h>

#include "metcn/metcn.h"
#include "metcn/util.h"

static char dir[64];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/metcn_test_output.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* Names in dir, sorted and joined by ' ' ("" when empty). */
static const char *listing(void)
{
    static char buf[4096];
    struct dirent **ents = NULL;
    int n = scandir(dir, &ents, NULL, alphasort);
    buf[0] = '\0';
    for (int i = 0; i < n; i++) {
        if (strcmp(ents[i]->d_name, ".") && strcmp(ents[i]->d_name, "..")) {
            if (buf[0])
                strcat(buf, " ");
            strncat(buf, ents[i]->d_name, sizeof buf - strlen(buf) - 2);
        }
        free(ents[i]);
    }
    free(ents);
    return buf;
}

static char *in_dir(const char *name)
{
    static char bufs[4][4096];
    static int k;
    char *b = bufs[k++ % 4];
    snprintf(b, 4096, "%s/%s", dir, name);
    return b;
}

static void write_text(const char *name, const char *text)
{
    metcn_ofile_t *f = metcn_ofile_open(in_dir(name));
    ck_assert_msg(f != NULL, "%s: %s", name, metcn_last_error());
    ck_assert_int_eq(metcn_ofile_printf(f, "%s", text), 0);
    ck_assert_int_eq(metcn_ofile_close(f, 1), 0);
}

static char *slurp(const char *path)
{
    static char buf[8192];
    FILE *fp = fopen(path, "r");
    if (!fp)
        return NULL;
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    return buf;
}

START_TEST(test_set_commit)
{
    metcn_outset_t *s = metcn_outset_begin();
    ck_assert_ptr_nonnull(s);
    write_text("a.tsv", "a\n");
    write_text("b.json", "{}\n");
    /* closed with commit, but nothing carries a final name before the set commits */
    ck_assert_int_eq(access(in_dir("a.tsv"), F_OK), -1);
    ck_assert_int_eq(access(in_dir("b.json"), F_OK), -1);
    ck_assert_int_eq(metcn_outset_commit(s), 0);
    ck_assert_str_eq(listing(), "a.tsv b.json");
    ck_assert_str_eq(slurp(in_dir("a.tsv")), "a\n");
    /* after the set, a file is committed on its own close again */
    write_text("c.tsv", "c\n");
    ck_assert_str_eq(listing(), "a.tsv b.json c.tsv");
}
END_TEST

START_TEST(test_set_abort)
{
    write_text("old.tsv", "old\n"); /* a previous run's output */
    metcn_outset_t *s = metcn_outset_begin();
    write_text("old.tsv", "new\n");
    write_text("x.tsv", "x\n");
    metcn_ofile_t *f = metcn_ofile_open(in_dir("y.tsv"));
    metcn_ofile_printf(f, "y\n");
    ck_assert_int_eq(metcn_ofile_close(f, 0), 0); /* discarded */
    metcn_outset_abort(s);
    ck_assert_str_eq(listing(), "old.tsv");
    ck_assert_str_eq(slurp(in_dir("old.tsv")), "old\n");
}
END_TEST

START_TEST(test_set_nested)
{
    metcn_outset_t *outer = metcn_outset_begin();
    write_text("a.tsv", "a\n");
    metcn_outset_t *inner = metcn_outset_begin();
    ck_assert_ptr_eq(inner, outer);
    write_text("b.tsv", "b\n");
    ck_assert_int_eq(metcn_outset_commit(inner), 0);
    const char *l = listing();
    ck_assert_msg(strncmp(l, "a.tsv.tmp.", 10) == 0 && strstr(l, " b.tsv.tmp."), "%s", l);
    ck_assert_int_eq(access(in_dir("b.tsv"), F_OK), -1); /* the outer level commits */
    ck_assert_int_eq(metcn_outset_commit(outer), 0);
    ck_assert_str_eq(listing(), "a.tsv b.tsv");

    /* an inner abort: the outer commit fails and leaves nothing */
    outer = metcn_outset_begin();
    write_text("c.tsv", "c\n");
    inner = metcn_outset_begin();
    write_text("d.tsv", "d\n");
    metcn_outset_abort(inner);
    ck_assert_int_ne(metcn_outset_commit(outer), 0);
    ck_assert_ptr_nonnull(strstr(metcn_last_error(), "not committed"));
    ck_assert_str_eq(listing(), "a.tsv b.tsv");
}
END_TEST

START_TEST(test_commit_takes_back)
{
    /* the third rename fails (a non-empty directory took its name while the run wrote): the
     * two files already renamed are removed again, and every temporary */
    metcn_outset_t *s = metcn_outset_begin();
    write_text("1.tsv", "1\n");
    write_text("2.tsv", "2\n");
    write_text("3.tsv", "3\n");
    write_text("4.tsv", "4\n");
    ck_assert_int_eq(mkdir(in_dir("3.tsv"), 0777), 0);
    ck_assert_int_eq(mkdir(in_dir("3.tsv/keep"), 0777), 0);
    int r = metcn_outset_commit(s);
    ck_assert_int_eq(r, METCN_E_IO);
    ck_assert_msg(strstr(metcn_last_error(), "3.tsv: cannot rename"), "%s", metcn_last_error());
    ck_assert_str_eq(listing(), "3.tsv");
}
END_TEST

START_TEST(test_written_twice)
{
    metcn_outset_t *s = metcn_outset_begin();
    write_text("same.tsv", "1\n");
    ck_assert_ptr_null(metcn_ofile_open(in_dir("same.tsv")));
    ck_assert_msg(strstr(metcn_last_error(), "same.tsv: written twice in one run"), "%s",
                  metcn_last_error());
    ck_assert_ptr_null(metcn_outset_add(s, in_dir("same.tsv")));
    /* devices may be written any number of times */
    for (int i = 0; i < 2; i++) {
        metcn_ofile_t *f = metcn_ofile_open("/dev/null");
        ck_assert_ptr_nonnull(f);
        ck_assert_int_eq(metcn_ofile_close(f, 1), 0);
    }
    ck_assert_int_eq(metcn_outset_commit(s), 0);
    ck_assert_str_eq(listing(), "same.tsv");
}
END_TEST

START_TEST(test_add_and_remove)
{
    /* a file written by other means (as htslib writes a BAM), and a stale companion removed */
    write_text("x.bam.csi", "stale\n");
    metcn_outset_t *s = metcn_outset_begin();
    const char *tmp = metcn_outset_add(s, in_dir("x.bam"));
    ck_assert_ptr_nonnull(tmp);
    ck_assert_ptr_nonnull(strstr(tmp, "x.bam.tmp."));
    ck_assert_int_eq(access(tmp, F_OK), 0); /* reserved: an empty file exists */
    FILE *fp = fopen(tmp, "w");
    fputs("bam\n", fp);
    fclose(fp);
    ck_assert_int_eq(metcn_outset_remove(s, in_dir("x.bam.csi")), 0);
    ck_assert_int_eq(metcn_outset_remove(s, in_dir("never.there")), 0);
    ck_assert_int_eq(metcn_outset_commit(s), 0);
    ck_assert_str_eq(listing(), "x.bam");
    ck_assert_str_eq(slurp(in_dir("x.bam")), "bam\n");

    /* a reserved temporary the caller removed: the commit fails and leaves nothing */
    s = metcn_outset_begin();
    tmp = metcn_outset_add(s, in_dir("y.bam"));
    write_text("y.tsv", "y\n");
    unlink(tmp);
    ck_assert_int_ne(metcn_outset_commit(s), 0);
    ck_assert_ptr_nonnull(strstr(metcn_last_error(), "y.bam"));
    ck_assert_str_eq(listing(), "x.bam");
}
END_TEST

START_TEST(test_special_paths)
{
    /* a directory is refused, with its name */
    ck_assert_ptr_null(metcn_ofile_open(dir));
    ck_assert_ptr_nonnull(strstr(metcn_last_error(), "is a directory"));
    ck_assert_ptr_nonnull(strstr(metcn_last_error(), dir));
    ck_assert_ptr_null(metcn_ofile_open(in_dir("sub/")));
    ck_assert_ptr_null(metcn_ofile_open(""));
    ck_assert_ptr_null(metcn_ofile_open(in_dir("missing/x.tsv")));
    ck_assert_ptr_nonnull(strstr(metcn_last_error(), "missing/x.tsv: cannot open for writing"));

    /* /dev/full: written through (never a temporary in /dev), and the failure names the file
     * and the system's reason */
    metcn_ofile_t *f = metcn_ofile_open("/dev/full");
    ck_assert_ptr_nonnull(f);
    for (int i = 0; i < 2000; i++)
        metcn_ofile_printf(f, "line %d of a table that does not fit\n", i);
    ck_assert_int_eq(metcn_ofile_close(f, 1), METCN_E_IO);
    ck_assert_msg(strstr(metcn_last_error(), "/dev/full: write failed: No space left on device"),
                  "%s", metcn_last_error());

    /* a FIFO is written through: it stays a FIFO and the reader gets the text */
    char *fifo = in_dir("pipe");
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    pid_t pid = fork();
    if (pid == 0) {
        FILE *in = fopen(fifo, "r"), *out = fopen(in_dir("from_pipe"), "w");
        char b[256];
        size_t n;
        while (in && out && (n = fread(b, 1, sizeof b, in)) > 0)
            fwrite(b, 1, n, out);
        _exit(in && out && fclose(out) == 0 ? 0 : 1);
    }
    f = metcn_ofile_open(fifo);
    ck_assert_ptr_nonnull(f);
    metcn_ofile_printf(f, "through the pipe\n");
    ck_assert_int_eq(metcn_ofile_close(f, 1), 0);
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    struct stat st;
    ck_assert_int_eq(stat(fifo, &st), 0);
    ck_assert(S_ISFIFO(st.st_mode));
    ck_assert_str_eq(slurp(in_dir("from_pipe")), "through the pipe\n");
    ck_assert_str_eq(listing(), "from_pipe pipe");
}
END_TEST

START_TEST(test_output_check)
{
    /* what an output path will meet, checked before any work; nothing is created */
    ck_assert_int_eq(metcn_output_check(in_dir("new.tsv")), 0);
    ck_assert_int_eq(metcn_output_check("/dev/null"), 0);
    ck_assert_int_eq(metcn_output_check("-"), 0);
    ck_assert_int_eq(metcn_output_check(in_dir("no/x.tsv")), METCN_E_IO);
    ck_assert_msg(strstr(metcn_last_error(), "no/x.tsv: cannot write there: No such file"), "%s",
                  metcn_last_error());
    ck_assert_int_eq(metcn_output_check(dir), METCN_E_IO);
    ck_assert_ptr_nonnull(strstr(metcn_last_error(), "is a directory"));
    ck_assert_int_eq(metcn_output_check("/dev/metcn-no-such-device"), METCN_E_IO);
    ck_assert_ptr_nonnull(strstr(metcn_last_error(), "no such device"));
    ck_assert_str_eq(listing(), "");
    if (geteuid() != 0) { /* root writes anywhere */
        ck_assert_int_eq(chmod(dir, 0500), 0);
        ck_assert_int_eq(metcn_output_check(in_dir("x.tsv")), METCN_E_IO);
        ck_assert_ptr_nonnull(strstr(metcn_last_error(), "Permission denied"));
        ck_assert_int_eq(chmod(dir, 0700), 0);
    }
}
END_TEST

START_TEST(test_long_name_and_gz)
{
    /* a final name of 250 bytes: "<name>.tmp.<pid>" would pass NAME_MAX, a short hidden
     * temporary is used instead */
    char name[251];
    memset(name, 'n', 246);
    strcpy(name + 246, ".tsv");
    metcn_outset_t *s = metcn_outset_begin();
    metcn_ofile_t *f = metcn_ofile_open(in_dir(name));
    ck_assert_msg(f != NULL, "%s", metcn_last_error());
    metcn_ofile_printf(f, "long\n");
    ck_assert_int_eq(metcn_ofile_close(f, 1), 0);
    ck_assert_ptr_nonnull(strstr(listing(), ".metcn."));
    /* bgzip-compressed through its temporary */
    f = metcn_ofile_open(in_dir("t.tsv.gz"));
    metcn_ofile_printf(f, "compressed\n");
    ck_assert_int_eq(metcn_ofile_close(f, 1), 0);
    ck_assert_int_eq(metcn_outset_commit(s), 0);
    char want[300];
    snprintf(want, sizeof want, "%s t.tsv.gz", name);
    ck_assert_str_eq(listing(), want);
    BGZF *z = bgzf_open(in_dir("t.tsv.gz"), "r");
    ck_assert_ptr_nonnull(z);
    ck_assert_int_eq(bgzf_compression(z), 2); /* bgzf */
    char buf[64] = {0};
    ck_assert_int_eq(bgzf_read(z, buf, sizeof buf - 1), 11);
    ck_assert_str_eq(buf, "compressed\n");
    bgzf_close(z);
}
END_TEST

/* A child opens a set with a file being written, a file written by other means, and a file
 * of a finished earlier run; signals the parent; waits to be killed. */
static void signal_case(int sig)
{
    int ready[2];
    ck_assert_int_eq(pipe(ready), 0);
    write_text("earlier.tsv", "done before\n");
    pid_t pid = fork();
    if (pid == 0) {
        close(ready[0]);
        if (metcn_output_cleanup_on_signals() != 0)
            _exit(3);
        metcn_outset_t *s = metcn_outset_begin();
        metcn_ofile_t *f = metcn_ofile_open(in_dir("open.tsv"));
        metcn_ofile_t *g = metcn_ofile_open(in_dir("closed.tsv"));
        const char *t = metcn_outset_add(s, in_dir("other.bam"));
        if (!s || !f || !g || !t)
            _exit(4);
        metcn_ofile_printf(f, "half\n");
        metcn_ofile_printf(g, "whole\n");
        metcn_ofile_close(g, 1);
        if (write(ready[1], "r", 1) != 1)
            _exit(5);
        for (;;)
            pause();
    }
    close(ready[1]);
    char c;
    ck_assert_int_eq(read(ready[0], &c, 1), 1);
    close(ready[0]);
    ck_assert_int_eq(strcmp(listing(), "earlier.tsv") != 0, 1); /* temporaries exist now */
    ck_assert_int_eq(kill(pid, sig), 0);
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    /* ended by the signal itself: a shell reports 128 + signal */
    ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == sig, "status %#x", status);
    ck_assert_str_eq(listing(), "earlier.tsv");
}

START_TEST(test_signal_term)
{
    signal_case(SIGTERM);
}
END_TEST

START_TEST(test_signal_int)
{
    signal_case(SIGINT);
}
END_TEST

START_TEST(test_signal_ignored_stays_ignored)
{
    /* nohup: SIGHUP ignored before start-up stays ignored */
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGHUP, SIG_IGN);
        metcn_output_cleanup_on_signals();
        raise(SIGHUP);
        struct sigaction sa;
        sigaction(SIGTERM, NULL, &sa);
        _exit(sa.sa_handler != SIG_DFL && sa.sa_handler != SIG_IGN ? 0 : 7);
    }
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
END_TEST

START_TEST(test_htslib_log_follows)
{
    metcn_log_set_level(METCN_LOG_WARNING);
    ck_assert_int_eq(hts_get_log_level(), HTS_LOG_OFF);
    metcn_log_set_level(METCN_LOG_INFO);
    ck_assert_int_eq(hts_get_log_level(), HTS_LOG_WARNING);
    metcn_log_set_level(METCN_LOG_DEBUG);
    ck_assert_int_eq(hts_get_log_level(), HTS_LOG_INFO);
    metcn_log_set_level(METCN_LOG_WARNING);
    /* a message is not cut at a long path */
    char path[5000];
    memset(path, 'p', sizeof path - 1);
    path[sizeof path - 1] = '\0';
    metcn_set_error(METCN_E_IO, "%s: problem", path);
    ck_assert_uint_eq(strlen(metcn_last_error()), sizeof path - 1 + 9);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("output");
    TCase *tc = tcase_create("output sets");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_set_commit);
    tcase_add_test(tc, test_set_abort);
    tcase_add_test(tc, test_set_nested);
    tcase_add_test(tc, test_commit_takes_back);
    tcase_add_test(tc, test_written_twice);
    tcase_add_test(tc, test_add_and_remove);
    tcase_add_test(tc, test_special_paths);
    tcase_add_test(tc, test_output_check);
    tcase_add_test(tc, test_long_name_and_gz);
    tcase_add_test(tc, test_signal_term);
    tcase_add_test(tc, test_signal_int);
    tcase_add_test(tc, test_signal_ignored_stays_ignored);
    tcase_add_test(tc, test_htslib_log_follows);
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
