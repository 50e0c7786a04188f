/* cli.c -- helpers shared by the subcommands. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <htslib/kstring.h>
#include <htslib/sam.h>

#include "cli.h"
#include "metcn/metcn.h"
#include "metcn/util.h"

/* "metcn CMD: MESSAGE" on one line: a newline or other control character in the message (a
 * file name can hold one) is printed as '?', so that the first line says it all. */
static void vput_line(const char *cmd, const char *fmt, va_list ap)
{
    kstring_t k = KS_INITIALIZE;
    if (kvsprintf(&k, fmt, ap) < 0 || !k.s) {
        fprintf(stderr, "metcn %s: %s\n", cmd, fmt);
        return;
    }
    for (size_t i = 0; i < k.l; i++)
        if ((unsigned char)k.s[i] < 0x20 || k.s[i] == 0x7f)
            k.s[i] = '?';
    fprintf(stderr, "metcn %s: %s\n", cmd, k.s);
    free(k.s);
}

static void put_line(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put_line(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vput_line(cmd, fmt, ap);
    va_end(ap);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vput_line(cmd, fmt, ap);
    va_end(ap);
    fprintf(stderr, "Try 'metcn %s --help'.\n", cmd);
    return CLI_EXIT_USAGE;
}

int cli_runtime_error(const char *cmd)
{
    put_line(cmd, "%s", metcn_last_error());
    return CLI_EXIT_RUNTIME;
}

int cli_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vput_line(cmd, fmt, ap);
    va_end(ap);
    return CLI_EXIT_RUNTIME;
}

static int bad_number(const char *cmd, const char *opt, const char *arg, int r, const char *range)
{
    if (r == METCN_E_RANGE)
        return cli_usage_error(cmd, "%s: '%s' is out of range (%s)", opt, arg, range);
    return cli_usage_error(cmd, "%s: '%s' is not a valid number", opt, arg);
}

int cli_int(const char *cmd, const char *opt, const char *arg, int lo, int hi, int *out)
{
    int r = metcn_parse_int(arg, lo, hi, out);
    if (r) {
        char range[64];
        snprintf(range, sizeof range, "%d to %d", lo, hi);
        return bad_number(cmd, opt, arg, r, range);
    }
    return 0;
}

int cli_size_select(const char *cmd, const char *arg, int *min, int *max)
{
    if (metcn_parse_size_select(arg, min, max) == 0)
        return 0;
    return cli_usage_error(cmd, "--size-select: '%s' is not MIN-MAX with 0 <= MIN < MAX <= 1001",
                           arg);
}

const char *cli_frag_edges(const metcn_cov_opt_t *opt, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (int k = 0; k < opt->n_frag_edges && n < size; k++) {
        int w = snprintf(buf + n, size - n, "%s%d", k ? "," : "", opt->frag_edges[k]);
        n += w > 0 ? (size_t)w : 0;
    }
    return buf;
}

int cli_short_max_check(const char *cmd, int short_max, const metcn_cov_opt_t *opt)
{
    for (int k = 0; k < opt->n_frag_edges; k++)
        if (opt->frag_edges[k] == short_max)
            return 0;
    if (short_max == 0)
        return 0;
    char edges[128];
    return cli_usage_error(cmd,
                           "--short-max: %d is not an edge of the fragment-length classes (%s): "
                           "short fragments are counted by class",
                           short_max, cli_frag_edges(opt, edges, sizeof edges));
}

int cli_dedup(const char *cmd, const char *arg, metcn_dedup_t *dedup)
{
    if (strcmp(arg, "flag") == 0)
        *dedup = METCN_DEDUP_FLAG;
    else if (strcmp(arg, "coord") == 0)
        *dedup = METCN_DEDUP_COORD;
    else
        return cli_usage_error(cmd, "--dedup: '%s' is not flag or coord", arg);
    return 0;
}

int cli_int64(const char *cmd, const char *opt, const char *arg, int64_t lo, int64_t hi,
              int64_t *out)
{
    int r = metcn_parse_int64(arg, lo, hi, out);
    if (r) {
        char range[64];
        snprintf(range, sizeof range, "%lld to %lld", (long long)lo, (long long)hi);
        return bad_number(cmd, opt, arg, r, range);
    }
    return 0;
}

int cli_double(const char *cmd, const char *opt, const char *arg, double lo, double hi, double *out)
{
    int r = metcn_parse_double(arg, lo, hi, out);
    if (r) {
        char range[64];
        snprintf(range, sizeof range, "%g to %g", lo, hi);
        return bad_number(cmd, opt, arg, r, range);
    }
    return 0;
}

int cli_flags(const char *cmd, const char *opt, const char *arg, uint32_t *out)
{
    char *end = NULL;
    if (arg[0] >= '0' && arg[0] <= '9') {
        long v = strtol(arg, &end, 0);
        if (*end || v < 0 || v > 0xFFFF)
            return cli_usage_error(cmd, "%s: '%s' is not a valid flag value", opt, arg);
        *out = (uint32_t)v;
        return 0;
    }
    int v = bam_str2flag(arg);
    if (v < 0)
        return cli_usage_error(cmd, "%s: '%s' is not a valid flag list", opt, arg);
    *out = (uint32_t)v;
    return 0;
}

void cli_panel_args_init(cli_panel_args_t *a)
{
    memset(a, 0, sizeof *a);
    metcn_panel_opt_init(&a->opt);
    metcn_gene_opt_init(&a->gene_opt);
}

int cli_panel_option(const char *cmd, int c, const char *arg, cli_panel_args_t *a)
{
    switch (c) {
    case CLI_OPT_PANEL:
        a->panel = arg;
        return 1;
    case CLI_OPT_GENE:
        if (!*arg)
            return cli_usage_error(cmd, "--gene: empty gene name");
        a->gene = arg;
        a->gene_flag = a->gene_flag ? a->gene_flag : "--gene";
        return 1;
    case CLI_OPT_GENE_REGION: {
        char *contig = NULL;
        int64_t s, e;
        if (metcn_parse_region(arg, &contig, &s, &e))
            return cli_usage_error(cmd, "--gene-region: '%s' is not chr:start-end", arg);
        free(contig);
        a->gene_opt.region = arg;
        a->gene_flag = a->gene_flag ? a->gene_flag : "--gene-region";
        return 1;
    }
    case CLI_OPT_WINDOW:
        a->gene_flag = a->gene_flag ? a->gene_flag : "--window";
        return cli_int64(cmd, "--window", arg, 0, INT64_C(1) << 40, &a->gene_opt.window) ? 2 : 1;
    case CLI_OPT_BIN_SIZE:
        return cli_int64(cmd, "--bin-size", arg, 1000, INT64_C(1) << 32, &a->opt.bin_size) ? 2 : 1;
    case CLI_OPT_MERGE:
        a->opt.merge = 1;
        return 1;
    case CLI_OPT_BUILD:
        if (strcasecmp(arg, "grch38") && strcasecmp(arg, "grch37") && strcasecmp(arg, "hg38") &&
            strcasecmp(arg, "hg19"))
            return cli_usage_error(cmd, "--build: '%s' is not grch38 or grch37", arg);
        a->opt.build = arg;
        return 1;
    default:
        return 0;
    }
}

int cli_getopt(const char *cmd, int argc, char **argv, const char *shortopts,
               const struct option *longopts, cli_panel_args_t *pa)
{
    int c, r;
    while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1)
        if ((r = cli_panel_option(cmd, c, optarg, pa)) == 2)
            return CLI_GETOPT_USAGE;
        else if (r == 0)
            return c;
    return -1;
}

int cli_panel_no_gene(const char *cmd, const cli_panel_args_t *a, const char *why)
{
    if (!a->gene_flag)
        return 0;
    return cli_usage_error(cmd, "%s: %s", a->gene_flag, why);
}

void cli_panel_help(FILE *fp)
{
    metcn_panel_opt_t d;
    metcn_panel_opt_init(&d);
    fprintf(fp,
            "Panel options:\n"
            "  --panel NAME|BED       built-in panel (see 'metcn panel list') or a BED file\n"
            "  --bin-size INT         tile size of the built-in genome layouts [%lld]\n"
            "  --merge                merge overlapping or duplicated BED regions instead of\n"
            "                         rejecting them\n"
            "  --build grch38|grch37  build of a user BED (default: from chr7's length in the\n"
            "                         BAM/CRAM header, when one is read)\n",
            (long long)d.bin_size);
}

void cli_gene_help(FILE *fp, const char *gene_default)
{
    metcn_gene_opt_t d;
    metcn_gene_opt_init(&d);
    fprintf(fp,
            "Gene options:\n"
            "  --gene NAME[,NAME...]  gene(s): bins named after it (BED name column), else its\n"
            "                         extent in the built-in gene table of the build [%s]\n"
            "  --gene-region CHR:S-E  the gene's region (1-based, inclusive), overriding both\n"
            "  --window INT           bp either side of the gene whose bins are not chromosome\n"
            "                         controls [%lld]\n",
            gene_default ? gene_default : "none", (long long)d.window);
}

void cli_exit_help(FILE *fp, const char *what)
{
    fprintf(fp,
            "\nExit status:\n"
            "  %d  success\n"
            "  %d  the run itself failed (e.g. the PoN or panel cannot be read, the output\n"
            "     cannot be written): nothing is written\n"
            "  %d  usage error\n"
            "  %d  some samples failed, the others are complete:\n"
            "     %s\n",
            CLI_EXIT_OK, CLI_EXIT_RUNTIME, CLI_EXIT_USAGE, CLI_EXIT_PARTIAL, what);
}

char *cli_input_reason(const char *path)
{
    const char *msg = metcn_last_error();
    kstring_t k = KS_INITIALIZE;
    if (!strstr(msg, path))
        ksprintf(&k, "%s: ", path);
    kputs(msg, &k);
    return k.s;
}

char *cli_cmdline(int argc, char **argv)
{
    kstring_t k = KS_INITIALIZE;
    kputs("metcn", &k);
    for (int i = 0; i < argc; i++) {
        kputc(' ', &k);
        kputs(argv[i], &k);
    }
    return k.s;
}

int cli_prefix_check(const char *cmd, const char *prefix)
{
    if (!prefix || !*prefix)
        return cli_usage_error(cmd, "-o PREFIX is required");
    if (prefix[strlen(prefix) - 1] == '/')
        return cli_usage_error(cmd, "-o %s: a prefix of file names (e.g. %srun1), not a directory",
                               prefix, prefix);
    return 0;
}
