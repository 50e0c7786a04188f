/* main.c -- `metcn <command> [options]`: one table drives dispatch and `metcn --help`. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <htslib/hts.h>

#include "cli.h"
#include "commands.h"
#include "metcn/metcn.h"
#include "metcn/util.h"

static const struct {
    const char *name;
    int (*func)(int, char **);
    const char *help;
} commands[] = {
    {"panel", metcn_main_panel, "list built-in panels, show a panel's bins and roles, check a BED"},
    {"coverage", metcn_main_coverage, "count read depth of a BAM/CRAM over panel bins"},
    {"pon", metcn_main_pon, "build or inspect a panel of normals"},
    {"call", metcn_main_call, "call MET copy number, chr7 level, FISH-style tier and pattern"},
    {"concordance", metcn_main_concordance, "NGS-vs-FISH concordance statistics"},
    {"dilute", metcn_main_dilute, "mix tumour and normal reads to chosen tumour fractions"},
    {"track", metcn_main_track, "follow a patient's samples over time: events, plot, summary"},
};

static void usage(FILE *fp)
{
    fprintf(fp,
            "metcn %s -- MET copy-number amplification from sequencing reads\n\n"
            "Usage: metcn <command> [options]\n\nCommands:\n",
            METCN_VERSION);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(fp, "  %-12s %s\n", commands[i].name, commands[i].help);
    fprintf(fp, "\nOptions:\n  -h, --help     this help\n  --version      print versions\n"
                "\n'metcn <command> --help' describes a command's options.\n");
}

int main(int argc, char **argv)
{
    metcn_init();
#ifdef __GLIBC__
    /* htslib allocates and frees ~1 MB CRAM/BGZF buffers per container; glibc's default of
     * returning the top of the heap to the kernel each time made a CRAM run spend a quarter of
     * its time in page faults (docs/benchmarks.md).  Keep freed memory for reuse instead: peak
     * memory is unchanged, as the same buffers are reused. */
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    mallopt(M_TOP_PAD, 16 << 20);
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
#endif
    /* metcn reports every failure itself, in one line naming the file; htslib's own lines
     * ("[E::bgzf_read] ...") would come first and name no file, so they are shown only with
     * -v (metcn_log_set_level() raises htslib's level with metcn's). */
    hts_set_log_level(HTS_LOG_OFF);
    /* An interrupted run removes its temporaries (docs/reliability.md); a file-size limit makes
     * a write fail (reported, and the run's outputs discarded) instead of killing the process. */
    if (metcn_output_cleanup_on_signals() != 0) {
        fprintf(stderr, "metcn: %s\n", metcn_last_error());
        return 1;
    }
    signal(SIGXFSZ, SIG_IGN);
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return fclose(stdout) == 0 ? 0 : 1;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("metcn %s\nhtslib %s\nGSL %s\n", metcn_version(), metcn_htslib_version(),
               metcn_gsl_version());
        return fclose(stdout) == 0 ? 0 : 1;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(argv[1], commands[i].name) != 0)
            continue;
        /* One output set per run: the command's files are renamed into place together, only
         * when it succeeded, wholly or for some samples (exit 3: the failed samples are rows
         * of the outputs) (docs/reliability.md). */
        metcn_outset_t *set = metcn_outset_begin();
        if (!set) {
            fprintf(stderr, "metcn %s: %s\n", argv[1], metcn_last_error());
            return 1;
        }
        int r = commands[i].func(argc - 1, argv + 1);
        errno = 0;
        if (fflush(stdout) != 0 || ferror(stdout)) {
            if (r == 0) /* else the command has reported its failure already */
                fprintf(stderr, "metcn %s: error writing standard output%s%s\n", argv[1],
                        errno ? ": " : "", errno ? strerror(errno) : "");
            r = 1;
        }
        if (r != CLI_EXIT_OK && r != CLI_EXIT_PARTIAL) {
            metcn_outset_abort(set);
        } else if (metcn_outset_commit(set) != 0) {
            fprintf(stderr, "metcn %s: %s\n", argv[1], metcn_last_error());
            r = 1;
        }
        return r;
    }
    fprintf(stderr, "metcn: unknown command '%s'\nTry 'metcn --help'.\n", argv[1]);
    return 2;
}
