/* cmd_panel.c -- `metcn panel list|show|check`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <htslib/sam.h>

#include "cli.h"
#include "commands.h"
#include "metcn/cov.h"
#include "metcn/metcn.h"
#include "metcn/panel.h"
#include "metcn/util.h"

static const char *CMD = "panel";

static void help(FILE *fp)
{
    fprintf(fp,
            "Usage: metcn panel list\n"
            "       metcn panel show  --panel NAME|BED [--header BAM|CRAM] [-o OUT.bed]\n"
            "       metcn panel check --panel BED [--header BAM|CRAM]\n\n"
            "list   the built-in panels\n"
            "show   every bin with its role (target, control, flank, reference, sex, other) and\n"
            "       chromosome arm, as BED: chrom start end name role arm\n"
            "check  a user BED: prints every problem (malformed lines, overlaps, contigs the\n"
            "       header lacks) and the bin count per role; exit 1 if any error was found\n\n"
            "Options:\n"
            "  --header FILE          BAM/CRAM whose header gives contig names and lengths\n"
            "  -o, --output FILE      output for 'show' [-]\n");
    cli_panel_help(fp);
}

static void print_counts(FILE *fp, const metcn_panel_t *p)
{
    char sum[17];
    fprintf(fp, "panel\t%s\nbuild\t%s\ngene\t%s\n", p->source, p->build[0] ? p->build : "unknown",
            p->gene);
    if (p->target_contig >= 0 && p->gene_start >= 0)
        fprintf(fp, "gene_region\t%s:%lld-%lld\n", p->contigs[p->target_contig].name,
                (long long)p->gene_start + 1, (long long)p->gene_end);
    else
        fprintf(fp, "gene_region\tnot in panel\n");
    fprintf(fp, "bins\t%zu\n", p->n_bins);
    for (int r = 0; r < METCN_N_ROLES; r++)
        fprintf(fp, "bins_%s\t%zu\n", metcn_role_name((metcn_role_t)r), p->n_role[r]);
    fprintf(fp, "checksum\t%s\n", metcn_panel_checksum(p, sum));
}

static void on_problem(metcn_log_level_t sev, const char *msg, void *ud)
{
    (void)ud;
    printf("%s\t%s\n", sev == METCN_LOG_ERROR ? "error" : "warning", msg);
}

int metcn_main_panel(int argc, char **argv)
{
    static const struct option longopts[] = {{"help", no_argument, NULL, 'h'},
                                             {"output", required_argument, NULL, 'o'},
                                             {"header", required_argument, NULL, 'H'},
                                             CLI_PANEL_LONGOPTS,
                                             {NULL, 0, NULL, 0}};
    cli_panel_args_t pa;
    cli_panel_args_init(&pa);
    const char *out = "-", *header = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
        int r = cli_panel_option(CMD, c, optarg, &pa);
        if (r == 2)
            return CLI_EXIT_USAGE;
        if (r == 1)
            continue;
        switch (c) {
        case 'h':
            help(stdout);
            return CLI_EXIT_OK;
        case 'o':
            out = optarg;
            break;
        case 'H':
            header = optarg;
            break;
        default:
            return cli_usage_error(CMD, "unknown option");
        }
    }
    if (optind >= argc)
        return cli_usage_error(CMD, "missing action: list, show or check");
    const char *action = argv[optind++];
    if (optind < argc)
        return cli_usage_error(CMD, "unexpected argument '%s'", argv[optind]);

    if (strcmp(action, "list") == 0) {
        for (const char *const *n = metcn_panel_builtin_names(); *n; n++)
            printf("%-12s %s\n", *n, metcn_panel_builtin_description(*n));
        return CLI_EXIT_OK;
    }
    if (strcmp(action, "show") != 0 && strcmp(action, "check") != 0)
        return cli_usage_error(CMD, "unknown action '%s' (list, show or check)", action);
    if (!pa.panel)
        return cli_usage_error(CMD, "--panel is required for '%s'", action);

    sam_hdr_t *hdr = NULL;
    if (header && !(hdr = metcn_cov_read_header(header, NULL)))
        return cli_runtime_error(CMD);
    int ret = CLI_EXIT_OK;
    metcn_panel_t *p = NULL;
    if (strcmp(action, "check") == 0) {
        int builtin = 0;
        for (const char *const *n = metcn_panel_builtin_names(); *n; n++)
            builtin |= strcasecmp(*n, pa.panel) == 0;
        int errors = 0;
        if (!builtin) {
            errors = metcn_panel_check(pa.panel, &pa.opt, hdr, on_problem, NULL);
            if (errors < 0) {
                ret = cli_runtime_error(CMD);
                goto out;
            }
        }
        if (errors == 0) {
            if (!(p = metcn_panel_load(pa.panel, &pa.opt, hdr))) {
                printf("error\t%s\n", metcn_last_error());
                errors = 1;
            } else {
                print_counts(stdout, p);
                if (p->n_role[METCN_ROLE_TARGET] == 0)
                    printf("warning\tno bins for gene %s: valid for 'metcn coverage', not for "
                           "'metcn call'\n",
                           p->gene);
            }
        }
        printf("result\t%s\t%d error(s)\n", errors ? "FAIL" : "OK", errors);
        if (errors) {
            fprintf(stderr, "metcn panel: %s: %d error(s) found\n", pa.panel, errors);
            ret = CLI_EXIT_RUNTIME;
        }
        goto out;
    }

    if (!(p = metcn_panel_load(pa.panel, &pa.opt, hdr))) {
        ret = cli_runtime_error(CMD);
        goto out;
    }
    metcn_ofile_t *f = metcn_ofile_open(out);
    if (!f) {
        ret = cli_runtime_error(CMD);
        goto out;
    }
    char sum[17];
    metcn_ofile_printf(f, "#panel=%s\tbuild=%s\tgene=%s\tchecksum=%s\n", p->source,
                       p->build[0] ? p->build : "unknown", p->gene, metcn_panel_checksum(p, sum));
    metcn_ofile_printf(f, "#chrom\tstart\tend\tname\trole\tarm\n");
    for (size_t i = 0; i < p->n_bins; i++) {
        const metcn_bin_t *b = &p->bins[i];
        char arm[2] = {b->arm ? b->arm : '.', 0};
        metcn_ofile_printf(f, "%s\t%lld\t%lld\t%s\t%s\t%s\n", p->contigs[b->contig].name,
                           (long long)b->start, (long long)b->end, b->name ? b->name : ".",
                           metcn_role_name(b->role), arm);
    }
    if (metcn_ofile_close(f, 1))
        ret = cli_runtime_error(CMD);
out:
    metcn_panel_destroy(p);
    sam_hdr_destroy(hdr);
    return ret;
}
