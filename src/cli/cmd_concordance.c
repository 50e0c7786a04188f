/* cmd_concordance.c -- `metcn concordance`: NGS calls vs FISH. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "metcn/concord.h"
#include "metcn/metcn.h"
#include "metcn/util.h"

static const char *CMD = "concordance";

static void help(FILE *fp, const metcn_concord_opt_t *o)
{
    char fa[128], na[128];
    fprintf(fp,
            "Usage: metcn concordance [options] --calls CALLS.tsv [CALLS.tsv...] --fish FISH.tsv "
            "-o PREFIX\n\n"
            "Compare metcn calls with FISH (the reference): 2x2 agreement with exact intervals,\n"
            "kappa, weighted kappa over the four tiers, correlations, Bland-Altman, ROC/AUC.\n"
            "Writes PREFIX.json, PREFIX.tsv (statistics), PREFIX.samples.tsv, PREFIX.scatter.svg\n"
            "and PREFIX.roc.svg. See docs/concordance.md.\n\n"
            "Inputs:\n"
            "  --calls FILE           metcn calls table (repeatable; further non-option\n"
            "                         arguments are calls tables too)\n"
            "  --fish FILE            FISH table, TSV or CSV: one row per sample, or per-nucleus\n"
            "                         rows (sample, nucleus, met, cep7)\n"
            "  -o, --output PREFIX    output prefix (required)\n\n"
            "Classification:\n"
            "  --gene NAME            rows of this gene from a gene-neutral calls table (a 0.1\n"
            "                         table holds MET only) [%s]\n"
            "  --criteria NAME        tier model of both sides (the caller's presets) [the\n"
            "                         gene's default: %s for %s]\n"
            "  --fish-amplified RULE  FISH amplified when any of ratio:X, mean:X (mean gene\n"
            "                         signals per nucleus), tier:NAME holds [%s]\n"
            "  --ngs-amplified RULE   NGS amplified when any of ratio:X (ratio / met_chr7_ratio),\n"
            "                         cn:X (cn / met_cn), tier:NAME holds [%s]\n"
            "  --tiers A,B,C          ratio-only tiers instead of --criteria: low >= A,\n"
            "                         intermediate > B, high >= C\n"
            "  --ngs-tier SRC         NGS tier from the calls' 'column' or from the 'ratio' (and\n"
            "                         copy number) under the criteria [column]\n"
            "  --include-qc-fail      keep calls whose qc is 'fail' (default: excluded, listed)\n"
            "  --level X              confidence level of every interval [%g]\n\n"
            "FISH column names:\n"
            "  --fish-sample-col S [%s]  --fish-ratio-col S [%s]\n"
            "  --fish-met-col S [%s]  --fish-nucleus-col S [%s]\n"
            "  --fish-met-count-col S [%s]  --fish-cep7-count-col S [%s]\n",
            o->gene, o->criteria.name, o->gene,
            metcn_concord_rule_str(&o->fish_amp, 0, &o->criteria, fa, sizeof fa),
            metcn_concord_rule_str(&o->ngs_amp, 1, &o->criteria, na, sizeof na), o->level,
            o->fish_sample, o->fish_ratio, o->fish_met, o->fish_nucleus, o->fish_met_n,
            o->fish_cep7_n);
}

enum {
    OPT_CALLS = CLI_OPT_FIRST_FREE,
    OPT_FISH,
    OPT_FISH_AMP,
    OPT_NGS_AMP,
    OPT_TIERS,
    OPT_NGS_TIER,
    OPT_GENE,
    OPT_CRITERIA,
    OPT_QC_FAIL,
    OPT_LEVEL,
    OPT_COL_SAMPLE,
    OPT_COL_RATIO,
    OPT_COL_MET,
    OPT_COL_NUCLEUS,
    OPT_COL_MET_N,
    OPT_COL_CEP7_N
};

static int parse_tiers(const char *arg, metcn_criteria_t *crit)
{
    char buf[128];
    char *f[4];
    snprintf(buf, sizeof buf, "%s", arg);
    if (metcn_split(buf, ',', f, 4) != 3)
        return cli_usage_error(CMD, "--tiers: expected three numbers A,B,C, got '%s'", arg);
    double v[3];
    for (int i = 0; i < 3; i++)
        if (cli_double(CMD, "--tiers", f[i], 0, 1e6, &v[i]) != 0)
            return CLI_EXIT_USAGE;
    if (!(v[0] > 0 && v[0] <= v[1] && v[1] < v[2]))
        return cli_usage_error(CMD, "--tiers: need 0 < A <= B < C, got '%s'", arg);
    metcn_criteria_ratio_tiers(crit, v[0], v[1], v[2]);
    return 0;
}

static void list_status(const metcn_concord_t *c, metcn_concord_status_t st, const char *what)
{
    size_t n = 0;
    for (size_t i = 0; i < c->n_samples; i++)
        n += c->samples[i].status == st;
    if (n == 0)
        return;
    fprintf(stderr, "metcn %s: warning: %zu %s:", CMD, n, what);
    size_t shown = 0;
    for (size_t i = 0; i < c->n_samples && shown < 20; i++)
        if (c->samples[i].status == st) {
            fprintf(stderr, " %s", c->samples[i].sample);
            shown++;
        }
    fprintf(stderr, "%s\n", n > shown ? " ..." : "");
}

int metcn_main_concordance(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {"output", required_argument, NULL, 'o'},
        {"calls", required_argument, NULL, OPT_CALLS},
        {"fish", required_argument, NULL, OPT_FISH},
        {"fish-amplified", required_argument, NULL, OPT_FISH_AMP},
        {"ngs-amplified", required_argument, NULL, OPT_NGS_AMP},
        {"tiers", required_argument, NULL, OPT_TIERS},
        {"ngs-tier", required_argument, NULL, OPT_NGS_TIER},
        {"gene", required_argument, NULL, OPT_GENE},
        {"criteria", required_argument, NULL, OPT_CRITERIA},
        {"include-qc-fail", no_argument, NULL, OPT_QC_FAIL},
        {"level", required_argument, NULL, OPT_LEVEL},
        {"fish-sample-col", required_argument, NULL, OPT_COL_SAMPLE},
        {"fish-ratio-col", required_argument, NULL, OPT_COL_RATIO},
        {"fish-met-col", required_argument, NULL, OPT_COL_MET},
        {"fish-nucleus-col", required_argument, NULL, OPT_COL_NUCLEUS},
        {"fish-met-count-col", required_argument, NULL, OPT_COL_MET_N},
        {"fish-cep7-count-col", required_argument, NULL, OPT_COL_CEP7_N},
        {NULL, 0, NULL, 0}};
    metcn_concord_opt_t opt;
    metcn_concord_opt_init(&opt);
    const char *prefix = NULL, *fish = NULL, *fish_rule = NULL, *ngs_rule = NULL;
    const metcn_criteria_t *crit = NULL;
    int custom_tiers = 0;
    const char **calls = calloc((size_t)argc + 1, sizeof *calls);
    size_t n_calls = 0;
    metcn_concord_t *c = NULL;
    char *cmdline = NULL, *path = NULL;
    int ret = CLI_EXIT_OK, ch;
    if (!calls)
        return cli_error(CMD, "out of memory");
    optind = 1;
    while ((ch = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
        switch (ch) {
        case 'h':
            help(stdout, &opt);
            goto out;
        case 'o':
            prefix = optarg;
            break;
        case OPT_CALLS:
            calls[n_calls++] = optarg;
            break;
        case OPT_FISH:
            fish = optarg;
            break;
        case OPT_FISH_AMP: /* parsed once the criteria are known (tier names) */
            fish_rule = optarg;
            break;
        case OPT_NGS_AMP:
            ngs_rule = optarg;
            break;
        case OPT_TIERS:
            if ((ret = parse_tiers(optarg, &opt.criteria)) != 0)
                goto out;
            custom_tiers = 1;
            break;
        case OPT_GENE:
            if (!*optarg) {
                ret = cli_usage_error(CMD, "--gene: empty gene name");
                goto out;
            }
            opt.gene = optarg;
            break;
        case OPT_CRITERIA:
            if (!(crit = metcn_criteria_get(optarg))) {
                ret = cli_usage_error(CMD, "--criteria: unknown preset '%s'", optarg);
                goto out;
            }
            break;
        case OPT_NGS_TIER:
            if (strcmp(optarg, "column") == 0)
                opt.ngs_tier_from_ratio = 0;
            else if (strcmp(optarg, "ratio") == 0)
                opt.ngs_tier_from_ratio = 1;
            else {
                ret = cli_usage_error(CMD, "--ngs-tier: '%s' (expected column or ratio)", optarg);
                goto out;
            }
            break;
        case OPT_QC_FAIL:
            opt.include_qc_fail = 1;
            break;
        case OPT_LEVEL:
            if ((ret = cli_double(CMD, "--level", optarg, 0.5, 0.999, &opt.level)) != 0)
                goto out;
            break;
        case OPT_COL_SAMPLE:
            opt.fish_sample = optarg;
            break;
        case OPT_COL_RATIO:
            opt.fish_ratio = optarg;
            break;
        case OPT_COL_MET:
            opt.fish_met = optarg;
            break;
        case OPT_COL_NUCLEUS:
            opt.fish_nucleus = optarg;
            break;
        case OPT_COL_MET_N:
            opt.fish_met_n = optarg;
            break;
        case OPT_COL_CEP7_N:
            opt.fish_cep7_n = optarg;
            break;
        default:
            ret = cli_usage_error(CMD, "unknown option");
            goto out;
        }
    }
    while (optind < argc)
        calls[n_calls++] = argv[optind++];
    if (n_calls == 0) {
        ret = cli_usage_error(CMD, "--calls is required");
        goto out;
    }
    if (!fish) {
        ret = cli_usage_error(CMD, "--fish is required");
        goto out;
    }
    if ((ret = cli_prefix_check(CMD, prefix)) != 0)
        goto out;
    if (crit && custom_tiers) {
        ret = cli_usage_error(CMD, "--criteria and --tiers: give one tier model");
        goto out;
    }
    if (!custom_tiers)
        opt.criteria = crit ? *crit : *metcn_criteria_default(opt.gene);
    const char *rule_arg[2] = {fish_rule, ngs_rule};
    for (int k = 0; k < 2; k++)
        if (rule_arg[k] && metcn_concord_parse_rule(rule_arg[k], k, &opt.criteria,
                                                    k ? &opt.ngs_amp : &opt.fish_amp) != 0) {
            ret = cli_usage_error(CMD, "%s: %s", k ? "--ngs-amplified" : "--fish-amplified",
                                  metcn_last_error());
            goto out;
        }
    static const char *const suffix[] = {".json", ".tsv", ".samples.tsv", ".scatter.svg",
                                         ".roc.svg"};
    size_t plen = strlen(prefix) + 32;
    if (!(path = malloc(plen))) {
        ret = cli_error(CMD, "out of memory");
        goto out;
    }
    for (int k = 0; k < 5; k++) { /* before the statistics and their warnings */
        snprintf(path, plen, "%s%s", prefix, suffix[k]);
        if (metcn_output_check(path) != 0) {
            ret = cli_runtime_error(CMD);
            goto out;
        }
    }
    if (!(c = metcn_concord_run(calls, n_calls, fish, &opt))) {
        ret = cli_runtime_error(CMD);
        goto out;
    }
    list_status(c, METCN_CONCORD_NGS_ONLY, "called sample(s) have no FISH result");
    list_status(c, METCN_CONCORD_FISH_ONLY, "FISH sample(s) have no call");
    list_status(c, METCN_CONCORD_DUPLICATE_NGS,
                "sample id(s) appear on more than one calls row (excluded)");
    list_status(c, METCN_CONCORD_DUPLICATE_FISH,
                "sample id(s) are duplicated in the FISH table (excluded)");
    list_status(c, METCN_CONCORD_QC_FAIL, "matched call(s) failed QC (excluded)");
    if (c->n_matched == 0)
        fprintf(stderr, "metcn %s: warning: no sample id is in both the calls and the FISH table\n",
                CMD);
    cmdline = cli_cmdline(argc, argv);
    for (int k = 0; k < 5; k++) {
        snprintf(path, plen, "%s%s", prefix, suffix[k]);
        int r = k == 0   ? metcn_concord_write_json(c, path, cmdline)
                : k == 1 ? metcn_concord_write_tsv(c, path)
                : k == 2 ? metcn_concord_write_samples(c, path)
                : k == 3 ? metcn_concord_write_scatter_svg(c, path)
                         : metcn_concord_write_roc_svg(c, path);
        if (r != 0) {
            ret = cli_runtime_error(CMD);
            goto out;
        }
    }
    char a[32], b[32], d[32];
    const metcn_stat_t *k = &c->stat[METCN_CSTAT_KAPPA];
    fprintf(stderr,
            "metcn %s: %zu matched, %zu classified: TP %lld FP %lld FN %lld TN %lld; kappa %s "
            "[%s, %s]\n",
            CMD, c->n_matched, c->n_classified, (long long)c->stat[METCN_CSTAT_TP].estimate,
            (long long)c->stat[METCN_CSTAT_FP].estimate,
            (long long)c->stat[METCN_CSTAT_FN].estimate,
            (long long)c->stat[METCN_CSTAT_TN].estimate, metcn_fmt_double(a, k->estimate, 3),
            metcn_fmt_double(b, k->ci_low, 3), metcn_fmt_double(d, k->ci_high, 3));
out:
    metcn_concord_destroy(c);
    free(calls);
    free(cmdline);
    free(path);
    return ret;
}
