/* cmd_coverage.c -- `metcn coverage`: per-bin read depth of one BAM/CRAM/SAM, or a CNVkit /
 * mosdepth / metcn coverage table checked and converted, into a metcn coverage table.  The
 * input's kind is decided from its content (metcn_sample_open()). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "metcn/cov.h"
#include "metcn/metcn.h"
#include "metcn/panel.h"
#include "metcn/sample.h"

static const char *CMD = "coverage";

static void help(FILE *fp)
{
    metcn_cov_opt_t d;
    metcn_cov_opt_init(&d);
    char edges[128];
    for (int k = 0, n = 0; k < d.n_frag_edges; k++)
        n += snprintf(edges + n, sizeof edges - (size_t)n, "%s%d", k ? "," : "", d.frag_edges[k]);
    fprintf(fp,
            "Usage: metcn coverage [options] --panel PANEL -o OUT.tsv[.gz] INPUT\n\n"
            "Per-bin fragment counts, mean depth and filter tallies of INPUT (docs/coverage.md).\n"
            "INPUT is a BAM, CRAM or SAM file ('-': standard input), or a coverage table (metcn,\n"
            "CNVkit .cnn, mosdepth regions.bed[.gz]) to check against the panel and convert; its\n"
            "kind is read from its content, not its name.\n\n"
            "Options:\n"
            "  -o, --output FILE      output table (.gz: bgzip-compressed) [required]\n"
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
            "  --snp-flank INT        sites within INT bp of a bin are counted [%lld]\n"
            "  --min-baseq INT        bases below this quality are not counted at a site [%d]\n",
            d.min_mapq, d.exclude_flags, d.include_flags, d.threads, edges, (long long)d.snp_flank,
            d.min_baseq);
    cli_panel_help(fp);
}

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
        OPT_FLANK,
        OPT_BASEQ,
        OPT_CLASSES,
        OPT_SIZE,
        OPT_DEDUP
    };
    static const struct option longopts[] = {{"help", no_argument, NULL, 'h'},
                                             {"output", required_argument, NULL, 'o'},
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
    const char *out = NULL;
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
        case OPT_SIZE: {
            char tail;
            if (sscanf(optarg, "%d-%d%c", &opt.size_min, &opt.size_max, &tail) != 2 ||
                opt.size_min < 0 || opt.size_max <= opt.size_min || opt.size_max > 1001)
                return cli_usage_error(CMD,
                                       "--size-select: '%s' is not MIN-MAX with "
                                       "0 <= MIN < MAX <= 1001",
                                       optarg);
            break;
        }
        case OPT_DEDUP:
            if (strcmp(optarg, "flag") == 0)
                opt.dedup = METCN_DEDUP_FLAG;
            else if (strcmp(optarg, "coord") == 0)
                opt.dedup = METCN_DEDUP_COORD;
            else
                return cli_usage_error(CMD, "--dedup: '%s' is not flag or coord", optarg);
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
    if (!out)
        return cli_usage_error(CMD, "-o/--output is required");
    if (opt.gc && !opt.reference)
        return cli_usage_error(CMD, "--gc needs the reference FASTA (-T/--reference)");
    if (optind != argc - 1)
        return cli_usage_error(CMD, optind >= argc ? "missing input file"
                                                   : "exactly one input file is expected");
    char *cmdline = cli_cmdline(argc, argv);
    int ret = run(argv[optind], out, &pa, &opt, cmdline);
    free(cmdline);
    return ret;
}
