/* cli.h -- helpers shared by the subcommands: error reporting with the conventional exit
 * codes, strict option parsing, the panel options every command that reads a panel takes and
 * the gene options of the commands that take a gene. */
#ifndef METCN_CLI_H
#define METCN_CLI_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

#include "metcn/cov.h"
#include "metcn/panel.h"

#define CLI_EXIT_OK 0
#define CLI_EXIT_RUNTIME 1
#define CLI_EXIT_USAGE 2
/* Some inputs (samples) failed; the run completed for the others, and its outputs say which
 * failed and why (batch failure isolation: call, pon build, coverage with several inputs). */
#define CLI_EXIT_PARTIAL 3

/** Print "metcn <cmd>: <message>" and "Try 'metcn <cmd> --help'." to stderr; returns 2. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* -o PREFIX of a command that writes PREFIX.<ext> files: given, and not a directory (a prefix
 * ending in '/' would write hidden files ".calls.tsv" inside it).  0, or the usage error's
 * exit status (2) with its message printed. */
int cli_prefix_check(const char *cmd, const char *prefix);
/** Print "metcn <cmd>: <metcn_last_error()>" to stderr; returns 1. */
int cli_runtime_error(const char *cmd);
/** Print "metcn <cmd>: <message>" to stderr; returns 1. */
int cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** Strict option parsing: on a bad value print a usage error naming the option and return 2;
 *  else store the value and return 0. */
int cli_int(const char *cmd, const char *opt, const char *arg, int lo, int hi, int *out);
/** --size-select MIN-MAX (metcn_parse_size_select(); "0-0": none) into *min, *max. */
int cli_size_select(const char *cmd, const char *arg, int *min, int *max);
/** The fragment-class edges of opt as "90,150,220" into buf (size bytes); returns buf. */
const char *cli_frag_edges(const metcn_cov_opt_t *opt, char *buf, size_t size);
/** --short-max BP must be 0 (none) or one of the fragment-class edges of opt (the classes a
 *  BAM/CRAM is counted with); else a usage error naming the edges, 2. */
int cli_short_max_check(const char *cmd, int short_max, const metcn_cov_opt_t *opt);
/** --dedup flag|coord (coverage, pon build, call) into *dedup (a metcn_dedup_t). */
int cli_dedup(const char *cmd, const char *arg, metcn_dedup_t *dedup);
int cli_int64(const char *cmd, const char *opt, const char *arg, int64_t lo, int64_t hi,
              int64_t *out);
int cli_double(const char *cmd, const char *opt, const char *arg, double lo, double hi,
               double *out);
/** Flags as a number (decimal, 0x hex, 0 octal) or comma-separated names as samtools takes
 *  them (UNMAP, SECONDARY, QCFAIL, DUP, SUPPLEMENTARY, PAIRED, PROPER_PAIR, ...). */
int cli_flags(const char *cmd, const char *opt, const char *arg, uint32_t *out);

/** Long-option values of the panel and gene options (above 1000 so they never clash with
 *  letters). */
enum {
    CLI_OPT_PANEL = 1001,
    CLI_OPT_GENE,
    CLI_OPT_GENE_REGION,
    CLI_OPT_WINDOW,
    CLI_OPT_BIN_SIZE,
    CLI_OPT_MERGE,
    CLI_OPT_BUILD,
    CLI_OPT_FIRST_FREE /* commands number their own long-only options from here */
};

/** getopt_long entries for the panel and gene options (--gene, --gene-region, --window);
 *  append to a command's option table.  A command whose output knows no gene refuses the
 *  gene options with cli_panel_no_gene(). */
#define CLI_PANEL_LONGOPTS                                                                         \
    {"panel", required_argument, NULL, CLI_OPT_PANEL},                                             \
        {"gene", required_argument, NULL, CLI_OPT_GENE},                                           \
        {"gene-region", required_argument, NULL, CLI_OPT_GENE_REGION},                             \
        {"window", required_argument, NULL, CLI_OPT_WINDOW},                                       \
        {"bin-size", required_argument, NULL, CLI_OPT_BIN_SIZE},                                   \
        {"merge", no_argument, NULL, CLI_OPT_MERGE},                                               \
    {                                                                                              \
        "build", required_argument, NULL, CLI_OPT_BUILD                                            \
    }

typedef struct {
    const char *panel; /* --panel NAME|BED */
    metcn_panel_opt_t opt;
    const char *gene;          /* --gene NAME[,NAME...], or NULL */
    metcn_gene_opt_t gene_opt; /* --gene-region, --window */
    const char *gene_flag;     /* the first gene option given (for messages), or NULL */
} cli_panel_args_t;

void cli_panel_args_init(cli_panel_args_t *a);
/** Handle option c if it is a panel option: returns 1 (handled), 0 (not a panel option) or 2
 *  (usage error, already printed). */
int cli_panel_option(const char *cmd, int c, const char *arg, cli_panel_args_t *a);
/** getopt_long for a command that takes the panel options: handles those, and returns the next
 *  option the command handles itself, -1 at the end, or CLI_GETOPT_USAGE once a usage error
 *  has been printed (the command then exits 2).  Set optind = 1 before the first call. */
#define CLI_GETOPT_USAGE (-2)
int cli_getopt(const char *cmd, int argc, char **argv, const char *shortopts,
               const struct option *longopts, cli_panel_args_t *pa);
/** For a command whose output is gene-independent: a usage error (returns 2) naming the gene
 *  option given and why it does not apply; 0 when none was given. */
int cli_panel_no_gene(const char *cmd, const cli_panel_args_t *a, const char *why);
/** Help lines for the panel options, with the defaults from metcn_panel_opt_init(). */
void cli_panel_help(FILE *fp);
/** Help lines for the gene options, with the defaults from metcn_gene_opt_init(). */
void cli_gene_help(FILE *fp, const char *gene_default);

/** Help lines on the exit status of a command that takes several samples; what (one line,
 *  up to 75 characters) says what becomes of a failed sample. */
void cli_exit_help(FILE *fp, const char *what);

/** The one-line reason of one input's failure: metcn_last_error() of this thread, prefixed
 *  with "<path>: " unless it names path already (caller frees; NULL when out of memory). */
char *cli_input_reason(const char *path);

/** The command line joined with spaces (caller frees). */
char *cli_cmdline(int argc, char **argv);

#endif
