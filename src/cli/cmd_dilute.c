/* cmd_dilute.c -- `metcn dilute`: tumour/normal mixtures at chosen tumour fractions. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "metcn/dilute.h"
#include "metcn/metcn.h"
#include "metcn/util.h"

static const char *CMD = "dilute";

static void help(FILE *fp, const metcn_dilute_opt_t *o)
{
    fprintf(fp,
            "Usage: metcn dilute --tumour T.bam --normal N.bam --fractions F1,F2,... -o PREFIX "
            "[options]\n\n"
            "Mix a tumour and a normal BAM/CRAM (coordinate-sorted, same contigs) to each tumour\n"
            "fraction F (the share of read templates drawn from the tumour) at one fixed total\n"
            "per output, by keeping or dropping whole templates (read pairs with their secondary\n"
            "and supplementary records) on a hash of (seed, input, read name).\n"
            "Writes PREFIX.f<F>.bam with its index for each fraction and PREFIX.dilute.tsv.\n"
            "See docs/dilute.md.\n\n"
            "Options:\n"
            "  --tumour FILE          tumour BAM/CRAM\n"
            "  --normal FILE          normal BAM/CRAM\n"
            "  --fractions LIST       comma-separated tumour fractions in [0,1]\n"
            "  -o, --output PREFIX    output prefix\n"
            "  --seed INT             hashing seed [%llu]\n"
            "  --templates INT        templates per output (default: the most every fraction\n"
            "                         can reach, from counting both inputs)\n"
            "  --depth-ratio X        tumour/normal template ratio: skips the counting pass\n"
            "                         (then --templates is not allowed)\n"
            "  --sample NAME          SM of every output read group [output file name]\n"
            "  --reference FASTA      reference for CRAM input\n"
            "  --prefix-names         prefix read names with 't.' / 'n.' (inputs whose reads\n"
            "                         share names, e.g. from one simulator)\n"
            "  --threads INT          extra compression threads [%d]\n"
            "  -v, --verbose          also show htslib's own diagnostics\n",
            (unsigned long long)o->seed, o->threads);
}

enum {
    OPT_TUMOUR = CLI_OPT_FIRST_FREE,
    OPT_NORMAL,
    OPT_FRACTIONS,
    OPT_SEED,
    OPT_TEMPLATES,
    OPT_DEPTH_RATIO,
    OPT_SAMPLE,
    OPT_REFERENCE,
    OPT_THREADS,
    OPT_PREFIX_NAMES
};

static int write_summary(const char *prefix, const metcn_dilute_run_t *run, uint64_t seed)
{
    size_t len = strlen(prefix) + 16;
    char *path = malloc(len);
    if (!path)
        return metcn_set_error(METCN_E_NOMEM, "out of memory");
    snprintf(path, len, "%s.dilute.tsv", prefix);
    metcn_ofile_t *f = metcn_ofile_open(path);
    free(path);
    if (!f)
        return metcn_last_error_code();
    char b[6][32];
    metcn_ofile_printf(f, "fraction\tbam\tkeep_tumour\tkeep_normal\texpected_tumour_templates\t"
                          "tumour_templates\texpected_normal_templates\tnormal_templates\t"
                          "observed_fraction\trecords\tseed\n");
    for (size_t i = 0; i < run->n_results; i++) {
        const metcn_dilute_result_t *r = &run->results[i];
        int64_t tot = r->tumour_kept + r->normal_kept;
        metcn_ofile_printf(
            f, "%g\t%s\t%s\t%s\t%s\t%lld\t%s\t%lld\t%s\t%lld\t%llu\n", r->fraction, r->path,
            metcn_fmt_double(b[0], r->keep_tumour, 6), metcn_fmt_double(b[1], r->keep_normal, 6),
            metcn_fmt_double(b[2], r->expected_tumour, 8), (long long)r->tumour_kept,
            metcn_fmt_double(b[3], r->expected_normal, 8), (long long)r->normal_kept,
            metcn_fmt_double(b[4], tot > 0 ? (double)r->tumour_kept / (double)tot : NAN, 6),
            (long long)r->records, (unsigned long long)seed);
    }
    return metcn_ofile_close(f, 1);
}

int metcn_main_dilute(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {"output", required_argument, NULL, 'o'},
        {"tumour", required_argument, NULL, OPT_TUMOUR},
        {"tumor", required_argument, NULL, OPT_TUMOUR},
        {"normal", required_argument, NULL, OPT_NORMAL},
        {"fractions", required_argument, NULL, OPT_FRACTIONS},
        {"seed", required_argument, NULL, OPT_SEED},
        {"templates", required_argument, NULL, OPT_TEMPLATES},
        {"depth-ratio", required_argument, NULL, OPT_DEPTH_RATIO},
        {"sample", required_argument, NULL, OPT_SAMPLE},
        {"reference", required_argument, NULL, OPT_REFERENCE},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"prefix-names", no_argument, NULL, OPT_PREFIX_NAMES},
        {"verbose", no_argument, NULL, 'v'},
        {NULL, 0, NULL, 0}};
    metcn_dilute_opt_t opt;
    metcn_dilute_opt_init(&opt);
    const char *tumour = NULL, *normal = NULL, *prefix = NULL, *fr_arg = NULL;
    double *fractions = NULL;
    size_t n_fr = 0;
    char *copy = NULL, *cmdline = NULL;
    metcn_dilute_run_t run = {0};
    int ret = CLI_EXIT_OK, c;
    int64_t v;
    optind = 1;
    while ((c = getopt_long(argc, argv, "ho:v", longopts, NULL)) != -1) {
        switch (c) {
        case 'h':
            help(stdout, &opt);
            goto out;
        case 'o':
            prefix = optarg;
            break;
        case OPT_TUMOUR:
            tumour = optarg;
            break;
        case OPT_NORMAL:
            normal = optarg;
            break;
        case OPT_FRACTIONS:
            fr_arg = optarg;
            break;
        case OPT_SEED:
            if ((ret = cli_int64(CMD, "--seed", optarg, 0, INT64_MAX, &v)) != 0)
                goto out;
            opt.seed = (uint64_t)v;
            break;
        case OPT_TEMPLATES:
            if ((ret = cli_int64(CMD, "--templates", optarg, 1, INT64_MAX, &opt.templates)) != 0)
                goto out;
            break;
        case OPT_DEPTH_RATIO:
            if ((ret = cli_double(CMD, "--depth-ratio", optarg, 1e-9, 1e9, &opt.depth_ratio)) != 0)
                goto out;
            break;
        case OPT_SAMPLE:
            /* it becomes the SM of every @RG line: a tab or newline would break the header */
            for (const char *q = optarg; *q; q++)
                if ((unsigned char)*q < 0x20 || *q == 0x7f) {
                    ret = cli_usage_error(CMD, "--sample: the name contains a tab, newline or "
                                               "other control character");
                    goto out;
                }
            if (!*optarg) {
                ret = cli_usage_error(CMD, "--sample: empty name");
                goto out;
            }
            opt.sample = optarg;
            break;
        case 'v':
            metcn_log_set_level(METCN_LOG_INFO);
            break;
        case OPT_REFERENCE:
            opt.reference = optarg;
            break;
        case OPT_PREFIX_NAMES:
            opt.prefix_names = 1;
            break;
        case OPT_THREADS:
            if ((ret = cli_int(CMD, "--threads", optarg, 0, 64, &opt.threads)) != 0)
                goto out;
            break;
        default:
            ret = cli_usage_error(CMD, "unknown option");
            goto out;
        }
    }
    if (optind < argc) {
        ret = cli_usage_error(CMD, "unexpected argument '%s'", argv[optind]);
        goto out;
    }
    if (!tumour || !normal) {
        ret = cli_usage_error(CMD, "--tumour and --normal are required");
        goto out;
    }
    if (!fr_arg) {
        ret = cli_usage_error(CMD, "--fractions is required");
        goto out;
    }
    if ((ret = cli_prefix_check(CMD, prefix)) != 0)
        goto out;
    if (isfinite(opt.depth_ratio) && opt.templates > 0) {
        ret = cli_usage_error(CMD, "--templates needs counted inputs; drop --depth-ratio");
        goto out;
    }
    if (!(copy = strdup(fr_arg)) ||
        !(fractions = malloc((strlen(fr_arg) / 2 + 2) * sizeof *fractions))) {
        ret = cli_error(CMD, "out of memory");
        goto out;
    }
    char *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if ((ret = cli_double(CMD, "--fractions", tok, 0, 1, &fractions[n_fr])) != 0)
            goto out;
        for (size_t j = 0; j < n_fr; j++)
            if (fractions[j] == fractions[n_fr]) {
                ret = cli_usage_error(CMD, "--fractions: %s given twice", tok);
                goto out;
            }
        n_fr++;
    }
    if (n_fr == 0) {
        ret = cli_usage_error(CMD, "--fractions: no fraction given");
        goto out;
    }
    /* the outputs' directory is checked before the inputs are read twice */
    size_t plen = strlen(prefix) + 16;
    char *summary = malloc(plen);
    if (!summary) {
        ret = cli_error(CMD, "out of memory");
        goto out;
    }
    snprintf(summary, plen, "%s.dilute.tsv", prefix);
    int checked = metcn_output_check(summary);
    free(summary);
    if (checked != 0) {
        ret = cli_runtime_error(CMD);
        goto out;
    }
    cmdline = cli_cmdline(argc, argv);
    opt.cmdline = cmdline;
    if (metcn_dilute(tumour, normal, fractions, n_fr, prefix, &opt, &run) != 0 ||
        write_summary(prefix, &run, opt.seed) != 0) {
        ret = cli_runtime_error(CMD);
        goto out;
    }
    for (size_t i = 0; i < run.n_results; i++) {
        const metcn_dilute_result_t *r = &run.results[i];
        int64_t tot = r->tumour_kept + r->normal_kept;
        fprintf(stderr, "metcn %s: %s: fraction %g: %lld tumour + %lld normal templates (%.4f)\n",
                CMD, r->path, r->fraction, (long long)r->tumour_kept, (long long)r->normal_kept,
                tot > 0 ? (double)r->tumour_kept / (double)tot : 0.0);
    }
out:
    metcn_dilute_run_free(&run);
    free(fractions);
    free(copy);
    free(cmdline);
    return ret;
}
