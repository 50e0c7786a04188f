/* cmd_track.c -- `metcn track`: serial monitoring of a patient's samples over time. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "metcn/metcn.h"
#include "metcn/track.h"

static const char *CMD = "track";

static void help(FILE *fp, const metcn_track_opt_t *o)
{
    fprintf(fp,
            "Usage: metcn track --sheet SHEET.tsv -o PREFIX [options]\n\n"
            "Follow each patient's genes over time: one row per patient, sample and gene in date\n"
            "order, each with its event relative to the patient's earlier samples of the gene\n"
            "(first, stable, rise, fall, emerged, cleared, below_detection, re-emerged).\n"
            "Writes PREFIX.track.tsv, PREFIX.json and PREFIX.<patient>.svg (all or none), and a\n"
            "plain-words summary per patient on standard output. See docs/track.md.\n\n"
            "Inputs:\n"
            "  --sheet FILE           TSV with columns sample, patient, date (YYYY-MM-DD) and\n"
            "                         calls (a metcn calls table holding the sample's rows; a\n"
            "                         relative path is relative to the sheet's directory)\n"
            "  -o, --output PREFIX    output prefix (required)\n\n"
            "Events:\n"
            "  --alpha X              two-sided level of the rise/fall test on the log plasma\n"
            "                         copy ratio [%g]\n"
            "  --interval-level X     confidence level of the calls tables' intervals, from\n"
            "                         which the standard errors are derived [%g]\n"
            "  --negative-tiers LIST  tissue tables (no plasma columns): tiers that mean 'not\n"
            "                         detected'; any other tier is detected, qc 'fail' is not\n"
            "                         assessable [%s]\n"
            "  -q, --quiet            no summary on standard output\n",
            o->alpha, o->interval_level, o->negative_tiers);
}

enum { OPT_SHEET = CLI_OPT_FIRST_FREE, OPT_ALPHA, OPT_LEVEL, OPT_NEG_TIERS };

int metcn_main_track(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {"output", required_argument, NULL, 'o'},
        {"quiet", no_argument, NULL, 'q'},
        {"sheet", required_argument, NULL, OPT_SHEET},
        {"alpha", required_argument, NULL, OPT_ALPHA},
        {"interval-level", required_argument, NULL, OPT_LEVEL},
        {"negative-tiers", required_argument, NULL, OPT_NEG_TIERS},
        {NULL, 0, NULL, 0}};
    metcn_track_opt_t opt;
    metcn_track_opt_init(&opt);
    const char *prefix = NULL, *sheet = NULL;
    int quiet = 0, ret = CLI_EXIT_OK, ch;
    metcn_track_t *t = NULL;
    char *cmdline = NULL;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "ho:q", longopts, NULL)) != -1) {
        switch (ch) {
        case 'h':
            help(stdout, &opt);
            goto out;
        case 'o':
            prefix = optarg;
            break;
        case 'q':
            quiet = 1;
            break;
        case OPT_SHEET:
            sheet = optarg;
            break;
        case OPT_ALPHA:
            if ((ret = cli_double(CMD, "--alpha", optarg, 1e-300, 0.5, &opt.alpha)) != 0)
                goto out;
            break;
        case OPT_LEVEL:
            if ((ret = cli_double(CMD, "--interval-level", optarg, 0.5, 0.999999,
                                  &opt.interval_level)) != 0)
                goto out;
            break;
        case OPT_NEG_TIERS:
            if (!*optarg) {
                ret = cli_usage_error(CMD, "--negative-tiers: empty list");
                goto out;
            }
            opt.negative_tiers = optarg;
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
    if (!sheet) {
        ret = cli_usage_error(CMD, "--sheet is required");
        goto out;
    }
    if ((ret = cli_prefix_check(CMD, prefix)) != 0)
        goto out;
    cmdline = cli_cmdline(argc, argv);
    if (!(t = metcn_track_run(sheet, &opt)) || metcn_track_write(t, prefix, cmdline) != 0) {
        ret = cli_runtime_error(CMD);
        goto out;
    }
    for (size_t p = 0; p < t->n_patients && !quiet; p++) {
        char *s = metcn_track_summary(t, p);
        if (!s) {
            ret = cli_error(CMD, "out of memory");
            goto out;
        }
        fputs(s, stdout);
        free(s);
    }
out:
    metcn_track_destroy(t);
    free(cmdline);
    return ret;
}
