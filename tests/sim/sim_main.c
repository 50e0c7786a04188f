/* sim_main.c -- metcn-sim: the test-data generator.  Dispatch and option helpers. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "metcn/metcn.h"
#include "metcn/util.h"
#include "sim.h"

int sim_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "metcn-sim %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 1;
}

int sim_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "metcn-sim %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    fprintf(stderr, "Try 'metcn-sim %s --help'.\n", cmd);
    va_end(ap);
    return 2;
}

int sim_opt_int64(const char *cmd, const char *opt, const char *arg, int64_t lo, int64_t hi,
                  int64_t *out)
{
    if (metcn_parse_int64(arg, lo, hi, out) != 0)
        return sim_usage(cmd, "%s: '%s' is not an integer in [%lld, %lld]", opt, arg, (long long)lo,
                         (long long)hi);
    return 0;
}

int sim_opt_double(const char *cmd, const char *opt, const char *arg, double lo, double hi,
                   double *out)
{
    if (metcn_parse_double(arg, lo, hi, out) != 0)
        return sim_usage(cmd, "%s: '%s' is not a number in [%g, %g]", opt, arg, lo, hi);
    return 0;
}

int sim_contig_wanted(const char *list, const char *name)
{
    if (!list)
        return 1;
    size_t n = strlen(name);
    for (const char *p = list; *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == n && strncmp(p, name, n) == 0)
            return 1;
        p += len + (e ? 1 : 0);
    }
    return 0;
}

static const struct {
    const char *name;
    int (*func)(int, char **);
    const char *help;
} commands[] = {
    {"ref", sim_main_ref, "write a synthetic reference FASTA (+ .fai) with GRCh38 contig names"},
    {"panel", sim_main_panel, "write a capture panel BED at GRCh38 coordinates"},
    {"reads", sim_main_reads, "write one sample: BAM and/or CRAM (+ index) and a truth TSV"},
    {"snps", sim_main_snps, "write a population list of SNP sites with allele frequencies (VCF)"},
};

static void usage(FILE *fp)
{
    fprintf(fp, "Usage: metcn-sim <command> [options]\n\n"
                "Test-data generator for metcn (model: docs/simulator.md).\n\nCommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(fp, "  %-7s %s\n", commands[i].name, commands[i].help);
    fprintf(fp, "\nRun 'metcn-sim <command> --help' for the options of a command.\n");
}

int main(int argc, char **argv)
{
    metcn_init();
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return fclose(stdout) == 0 ? 0 : 1;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("metcn-sim %s (htslib %s)\n", metcn_version(), metcn_htslib_version());
        return fclose(stdout) == 0 ? 0 : 1;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].func(argc - 1, argv + 1);
    fprintf(stderr, "metcn-sim: unknown command '%s'\nTry 'metcn-sim --help'.\n", argv[1]);
    return 2;
}
