/* cmd_coverage.c -- `metcn coverage`: per-bin read depth of a BAM/CRAM/SAM, or a CNVkit /
 * mosdepth / metcn coverage table checked and converted, into a metcn coverage table.  The
 * input's kind is decided from its content (metcn_sample_open()).  With --outdir, several
 * inputs: one table each, an input that fails is reported and the others go on (exit 3). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <htslib/kstring.h>

#include "cli.h"
#include "commands.h"
#include "metcn/cov.h"
#include "metcn/metcn.h"
#include "metcn/panel.h"
#include "metcn/report.h"
#include "metcn/sample.h"
#include "metcn/util.h"

static const char *CMD = "coverage";

#define OUTDIR_EXT ".coverage.tsv.gz"       /* DIR/NAME + this: an input's table */
#define OUTDIR_STATUS "coverage_status.tsv" /* DIR/this: every input's outcome */

static void help(FILE *fp)
{
    metcn_cov_opt_t d;
    metcn_cov_opt_init(&d);
    char edges[128];
    cli_frag_edges(&d, edges, sizeof edges);
    fprintf(fp,
            "Usage: metcn coverage [options] --panel PANEL -o OUT.tsv[.gz] INPUT\n"
            "       metcn coverage [options] --panel PANEL --outdir DIR INPUT...\n\n"
            "Per-bin fragment counts, mean depth and filter tallies of INPUT (docs/coverage.md).\n"
            "INPUT is a BAM, CRAM or SAM file ('-': standard input), or a coverage table (metcn,\n"
            "CNVkit .cnn, mosdepth regions.bed[.gz]) to check against the panel and convert; its\n"
            "kind is read from its content, not its name.\n\n"
            "Options:\n"
            "  -o, --output FILE      output table (.gz: bgzip-compressed) of the one INPUT\n"
            "  --outdir DIR           an existing directory: each INPUT's table is written to\n"
            "                         DIR/NAME%s (NAME: the input's file name without its\n"
            "                         extensions), and DIR/%s lists every input with its\n"
            "                         status (ok / fail) and the reason; an input that fails\n"
            "                         does not stop the others\n"
            "  -Q, --min-mapq INT     drop reads with MAPQ below INT [%d]\n"
            "  -F, --exclude-flags F  drop reads with any of these flags [0x%x]\n"
            "  -f, --include-flags F  keep only reads with all of these flags [0x%x]\n"
            "  -@, --threads INT      additional threads: with an index, INT+1 parallel readers;\n"
            "                         else decompression threads [%d]\n"
            "  -T, --reference FASTA  reference for CRAM decoding\n"
            "  --gc                   add a gc column (GC fraction per bin, from the -T FASTA)\n"
            "  --stream               ignore any index and read the whole file\n"
            "  --from-table           accepted for compatibility (tables are recognised anyway)\n"
            "  -v, --verbose          log the mode and progress (twice: also debug details)\n"
            "Fragments, duplicates, alleles (docs/coverage.md):\n"
            "  --frag-classes LIST    fragment-length class edges, bp (|TLEN| of proper pairs)\n"
            "                         [%s]\n"
            "  --size-select MIN-MAX  count only reads of proper pairs with MIN <= |TLEN| < MAX\n"
            "  --dedup flag|coord     duplicates by flag only, or also by coordinates [flag]\n"
            "  --snps FILE            count ref/alt alleles at the biallelic SNVs of this VCF/BCF\n"
            "                         (written to OUT's .alleles.tsv beside it)\n"
            "  --somatic FILE         count the patient's somatic SNVs (VCF/BCF) too, into the\n"
            "                         same allele table: `call --somatic` reads them there\n"
            "  --snp-flank INT        sites within INT bp of a bin are counted [%lld]\n"
            "  --min-baseq INT        bases below this quality are not counted at a site [%d]\n",
            OUTDIR_EXT, OUTDIR_STATUS, d.min_mapq, d.exclude_flags, d.include_flags, d.threads,
            edges, (long long)d.snp_flank, d.min_baseq);
    cli_panel_help(fp);
    cli_exit_help(fp, "they have no table; DIR/" OUTDIR_STATUS " says why");
}

/* ---- several inputs (--outdir) --------------------------------------------------------- */

typedef struct {
    const char *path;
    char *out;         /* DIR/NAME.coverage.tsv.gz */
    metcn_sample_t *s; /* opened, until its turn */
    char *name;        /* the sample's name (SM), else NAME */
    char *error;       /* why it failed (naming the file), or NULL */
} cov_input_t;

/* Output names from the inputs' file names; a usage error (2) when two would be the same. */
static int outdir_names(const char *dir, char **paths, size_t n, cov_input_t *in)
{
    for (size_t i = 0; i < n; i++) {
        char *stem = metcn_path_stem(paths[i]), *safe = stem ? metcn_report_safe_name(stem) : NULL;
        kstring_t k = KS_INITIALIZE;
        in[i].path = paths[i];
        if (safe)
            ksprintf(&k, "%s/%s%s", dir, safe, OUTDIR_EXT);
        in[i].out = k.s;
        free(stem);
        free(safe);
        if (!in[i].out)
            return cli_error(CMD, "out of memory");
        for (size_t q = 0; q < i; q++)
            if (strcmp(in[q].out, in[i].out) == 0)
                return cli_usage_error(CMD, "--outdir: %s and %s would both be written to %s",
                                       in[q].path, in[i].path, in[i].out);
    }
    return 0;
}

/* Input i failed for the reason this thread recorded: reported now, and the run goes on. */
static int input_failed(cov_input_t *in)
{
    if (!(in->error = cli_input_reason(in->path)))
        return -1;
    if (!in->name && !(in->name = metcn_path_stem(in->path)))
        return -1;
    cli_error(CMD, "%s", in->error);
    return 0;
}

/* Open input i (its name kept); 0 opened, 1 failed (recorded), -1 out of memory. */
static int open_input(cov_input_t *in, const metcn_cov_opt_t *opt)
{
    if (!(in->s = metcn_sample_open(in->path, opt)))
        return input_failed(in) < 0 ? -1 : 1;
    return (in->name = strdup(in->s->name)) ? 0 : -1;
}

/* The panel, from the header of the first input that opens as reads (as `pon build`). */
static metcn_panel_t *outdir_panel(cov_input_t *in, size_t n, const cli_panel_args_t *pa,
                                   const metcn_cov_opt_t *opt)
{
    const sam_hdr_t *hdr = NULL;
    for (size_t i = 0; i < n && !hdr; i++) {
        int r = open_input(&in[i], opt);
        if (r < 0) {
            metcn_set_error(METCN_E_NOMEM, "out of memory");
            return NULL;
        }
        hdr = r == 0 ? in[i].s->hdr : NULL;
    }
    return metcn_panel_load(pa->panel, &pa->opt, hdr);
}

/* One input's table, or its failure recorded.  Returns 0, or -1 when the run cannot go on
 * (out of memory, or the table cannot be written: the output location's fault, not the
 * input's), with the message recorded. */
static int outdir_one(cov_input_t *in, const metcn_panel_t *p, const metcn_cov_opt_t *opt,
                      const char *cmdline)
{
    int r = in->s || in->error ? 0 : open_input(in, opt);
    if (r != 0 || in->error)
        return r < 0 ? metcn_set_error(METCN_E_NOMEM, "out of memory") : 0;
    if (metcn_sample_coverage(in->s, p) < 0)
        r = input_failed(in) < 0 ? metcn_set_error(METCN_E_NOMEM, "out of memory") : 0;
    else if (metcn_covtab_write(in->s->cov, in->out, in->s->hdr ? opt : NULL, cmdline) != 0)
        r = -1;
    metcn_sample_close(in->s);
    in->s = NULL;
    return r;
}

/* DIR/coverage_status.tsv: input, sample, table, status, reason. */
static int outdir_status(const char *dir, const cov_input_t *in, size_t n)
{
    kstring_t path = KS_INITIALIZE;
    ksprintf(&path, "%s/%s", dir, OUTDIR_STATUS);
    metcn_ofile_t *f = path.s ? metcn_ofile_open(path.s) : NULL;
    free(path.s);
    if (!f)
        return -1;
    metcn_ofile_printf(f, "input\tsample\ttable\tstatus\treason\n");
    for (size_t i = 0; i < n; i++) {
        kstring_t row = KS_INITIALIZE;
        ksprintf(&row, "%s\t%s\t%s\t%s\t%s", in[i].path, in[i].name ? in[i].name : "NA",
                 in[i].error ? "NA" : in[i].out, in[i].error ? "fail" : "ok",
                 in[i].error ? in[i].error : ".");
        for (size_t c = 0, tabs = 0; row.s && c < row.l; c++) /* one line of 5 fields */
            if (row.s[c] == '\n' || row.s[c] == '\r' || (row.s[c] == '\t' && ++tabs > 4))
                row.s[c] = ' ';
        metcn_ofile_printf(f, "%s\n", row.s ? row.s : "");
        free(row.s);
    }
    return metcn_ofile_close(f, 1);
}

/* Every input into DIR; exit 0, 3 when some input failed, 1 when the run itself failed. */
static int run_outdir(const char *dir, char **paths, size_t n, const cli_panel_args_t *pa,
                      const metcn_cov_opt_t *opt, const char *cmdline)
{
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return cli_error(CMD, "--outdir: %s: not an existing directory", dir);
    cov_input_t *in = calloc(n, sizeof *in);
    metcn_panel_t *p = NULL;
    int ret = in ? outdir_names(dir, paths, n, in) : cli_error(CMD, "out of memory");
    if (ret == 0 && metcn_output_check(in[0].out) != 0)
        ret = cli_runtime_error(CMD);
    if (ret == 0 && !(p = outdir_panel(in, n, pa, opt)))
        ret = cli_runtime_error(CMD);
    size_t failed = 0;
    for (size_t i = 0; ret == 0 && i < n; i++)
        if (outdir_one(&in[i], p, opt, cmdline) < 0)
            ret = cli_runtime_error(CMD);
        else
            failed += in[i].error != NULL;
    if (ret == 0 && outdir_status(dir, in, n) < 0)
        ret = cli_runtime_error(CMD);
    if (ret == 0 && failed)
        cli_error(CMD, "%zu of %zu inputs failed: listed in %s/%s", failed, n, dir, OUTDIR_STATUS);
    if (ret == 0)
        ret = failed ? CLI_EXIT_PARTIAL : CLI_EXIT_OK;
    for (size_t i = 0; in && i < n; i++) {
        metcn_sample_close(in[i].s);
        free(in[i].out);
        free(in[i].name);
        free(in[i].error);
    }
    free(in);
    metcn_panel_destroy(p);
    return ret;
}

/* ---- one input (-o) ------------------------------------------------------------------------ */

/* The input's coverage on the panel into out. */
static int run(const char *in, const char *out, const cli_panel_args_t *pa,
               const metcn_cov_opt_t *opt, const char *cmdline)
{
    metcn_panel_t *p = NULL;
    int ret = CLI_EXIT_RUNTIME;
    metcn_sample_t *s = metcn_sample_open(in, opt);
    if (!s || !(p = metcn_panel_load(pa->panel, &pa->opt, s->hdr)) ||
        metcn_sample_coverage(s, p) < 0 ||
        metcn_covtab_write(s->cov, out, s->hdr ? opt : NULL, cmdline) != 0)
        cli_runtime_error(CMD);
    else
        ret = CLI_EXIT_OK;
    metcn_sample_close(s);
    metcn_panel_destroy(p);
    return ret;
}

int metcn_main_coverage(int argc, char **argv)
{
    enum {
        OPT_STREAM = CLI_OPT_FIRST_FREE,
        OPT_FROM_TABLE,
        OPT_GC,
        OPT_SNPS,
        OPT_SOMATIC,
        OPT_FLANK,
        OPT_BASEQ,
        OPT_CLASSES,
        OPT_SIZE,
        OPT_DEDUP,
        OPT_OUTDIR
    };
    static const struct option longopts[] = {{"help", no_argument, NULL, 'h'},
                                             {"output", required_argument, NULL, 'o'},
                                             {"outdir", required_argument, NULL, OPT_OUTDIR},
                                             {"min-mapq", required_argument, NULL, 'Q'},
                                             {"exclude-flags", required_argument, NULL, 'F'},
                                             {"include-flags", required_argument, NULL, 'f'},
                                             {"threads", required_argument, NULL, '@'},
                                             {"reference", required_argument, NULL, 'T'},
                                             {"gc", no_argument, NULL, OPT_GC},
                                             {"stream", no_argument, NULL, OPT_STREAM},
                                             {"from-table", no_argument, NULL, OPT_FROM_TABLE},
                                             {"verbose", no_argument, NULL, 'v'},
                                             {"snps", required_argument, NULL, OPT_SNPS},
                                             {"somatic", required_argument, NULL, OPT_SOMATIC},
                                             {"snp-flank", required_argument, NULL, OPT_FLANK},
                                             {"min-baseq", required_argument, NULL, OPT_BASEQ},
                                             {"frag-classes", required_argument, NULL, OPT_CLASSES},
                                             {"size-select", required_argument, NULL, OPT_SIZE},
                                             {"dedup", required_argument, NULL, OPT_DEDUP},
                                             CLI_PANEL_LONGOPTS,
                                             {NULL, 0, NULL, 0}};
    cli_panel_args_t pa;
    cli_panel_args_init(&pa);
    metcn_cov_opt_t opt;
    metcn_cov_opt_init(&opt);
    opt.gc = 0; /* GC only when asked: -T decodes CRAM */
    const char *out = NULL, *outdir = NULL;
    int c;
    optind = 1;
    while ((c = cli_getopt(CMD, argc, argv, "ho:Q:F:f:@:T:v", longopts, &pa)) >= 0) {
        switch (c) {
        case 'h':
            help(stdout);
            return CLI_EXIT_OK;
        case 'o':
            out = optarg;
            break;
        case OPT_OUTDIR:
            outdir = optarg;
            break;
        case 'Q':
            if (cli_int(CMD, "-Q/--min-mapq", optarg, 0, 255, &opt.min_mapq))
                return CLI_EXIT_USAGE;
            break;
        case 'F':
            if (cli_flags(CMD, "-F/--exclude-flags", optarg, &opt.exclude_flags))
                return CLI_EXIT_USAGE;
            break;
        case 'f':
            if (cli_flags(CMD, "-f/--include-flags", optarg, &opt.include_flags))
                return CLI_EXIT_USAGE;
            break;
        case '@':
            if (cli_int(CMD, "-@/--threads", optarg, 0, 256, &opt.threads))
                return CLI_EXIT_USAGE;
            break;
        case 'T':
            opt.reference = optarg;
            break;
        case OPT_GC:
            opt.gc = 1;
            break;
        case OPT_STREAM:
            opt.force_stream = 1;
            break;
        case OPT_FROM_TABLE:
            break;
        case OPT_SNPS:
            opt.snps = optarg;
            break;
        case OPT_SOMATIC:
            opt.somatic = optarg;
            break;
        case OPT_FLANK:
            if (cli_int64(CMD, "--snp-flank", optarg, 0, 100000000, &opt.snp_flank))
                return CLI_EXIT_USAGE;
            break;
        case OPT_BASEQ:
            if (cli_int(CMD, "--min-baseq", optarg, 0, 93, &opt.min_baseq))
                return CLI_EXIT_USAGE;
            break;
        case OPT_CLASSES:
            if (metcn_cov_parse_frag_edges(optarg, &opt))
                return cli_usage_error(CMD,
                                       "--frag-classes: '%s' is not a list of at most %d "
                                       "increasing lengths in 1-1000",
                                       optarg, METCN_MAX_FRAG_EDGES);
            break;
        case OPT_SIZE:
            if (cli_size_select(CMD, optarg, &opt.size_min, &opt.size_max))
                return CLI_EXIT_USAGE;
            break;
        case OPT_DEDUP:
            if (cli_dedup(CMD, optarg, &opt.dedup))
                return CLI_EXIT_USAGE;
            break;
        case 'v': /* -v: the mode and progress; -v -v: also the mate tables' sizes */
            metcn_log_set_level(metcn_log_get_level() < METCN_LOG_INFO ? METCN_LOG_INFO
                                                                       : METCN_LOG_DEBUG);
            break;
        default:
            return cli_usage_error(CMD, "unknown option");
        }
    }
    if (c == CLI_GETOPT_USAGE)
        return CLI_EXIT_USAGE;
    if (cli_panel_no_gene(CMD, &pa,
                          "a coverage table is gene-independent: give the gene to "
                          "'metcn call'"))
        return CLI_EXIT_USAGE;
    if (!pa.panel)
        return cli_usage_error(CMD, "--panel is required");
    if (out && outdir)
        return cli_usage_error(CMD, "give either -o/--output (one input) or --outdir");
    if (!out && !outdir)
        return cli_usage_error(CMD, "-o/--output is required");
    if (opt.gc && !opt.reference)
        return cli_usage_error(CMD, "--gc needs the reference FASTA (-T/--reference)");
    if (optind >= argc)
        return cli_usage_error(CMD, "missing input file");
    if (out && optind != argc - 1)
        return cli_usage_error(CMD, "-o takes exactly one input file; give several with "
                                    "--outdir DIR");
    for (int i = optind; outdir && i < argc; i++)
        if (strcmp(argv[i], "-") == 0)
            return cli_usage_error(CMD, "--outdir: standard input ('-') has no file name");
    char *cmdline = cli_cmdline(argc, argv);
    int ret = out ? run(argv[optind], out, &pa, &opt, cmdline)
                  : run_outdir(outdir, argv + optind, (size_t)(argc - optind), &pa, &opt, cmdline);
    free(cmdline);
    return ret;
}
