/* cmd_panel.c -- `metcn panel list|show|check`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "commands.h"
#include "metcn/metcn.h"
#include "metcn/panel.h"
#include "metcn/sample.h"
#include "metcn/util.h"

static const char *CMD = "panel";

static void help(FILE *fp)
{
    metcn_offtarget_opt_t ot;
    metcn_offtarget_opt_init(&ot);
    fprintf(fp,
            "Usage: metcn panel list\n"
            "       metcn panel show  --panel NAME|BED [--gene NAME] [--header FILE] [-o OUT.bed]\n"
            "                         [--off-target [--off-target-size BP] [-T FASTA]]\n"
            "       metcn panel check --panel BED [--gene NAME,...] [--header FILE]\n\n"
            "list   the built-in panels\n"
            "show   every bin as BED: chrom start end name role arm; the roles are the panel's\n"
            "       (reference, sex, other), or with --gene the gene's (target, control, flank,\n"
            "       reference, sex, other); arm is p / q from the chromosome's centromere\n"
            "check  a user BED: prints every problem (malformed lines, overlaps, contigs the\n"
            "       header lacks), the bin count per role and, per gene, its bins; exit 1 if\n"
            "       any error was found\n\n"
            "Options:\n"
            "  --header FILE          BAM/CRAM/SAM whose header gives contig names and lengths\n"
            "  -o, --output FILE      output for 'show' [-]\n"
            "  --off-target           show: add the off-target bins that 'pon build --off-target'\n"
            "                         derives between the targets (name Antitarget), as CNVkit's\n"
            "                         antitarget does (docs/panel.md)\n"
            "  --off-target-size BP   their average size [%lld]\n"
            "  -T, --reference FASTA  indexed FASTA: its N gaps get no off-target bin [none: a\n"
            "                         %lld bp margin at each contig end]\n",
            (long long)ot.avg_size, (long long)ot.telomere);
    cli_panel_help(fp);
    cli_gene_help(fp, "show: none; check: MET");
}

/* The arm of bin i from its chromosome's centromere: 'p', 'q', or '.' (unknown or spanning). */
static char bin_arm(const metcn_panel_t *p, size_t i)
{
    const metcn_bin_t *b = &p->bins[i];
    const metcn_contig_t *c = &p->contigs[b->contig];
    if (c->cen_start < 0)
        return '.';
    return b->end <= c->cen_start ? 'p' : b->start >= c->cen_end ? 'q' : '.';
}

static void print_counts(const metcn_panel_t *p)
{
    char sum[17];
    printf("panel\t%s\nbuild\t%s\nbins\t%zu\n", p->source, p->build[0] ? p->build : "unknown",
           p->n_bins);
    for (int r = METCN_ROLE_REFERENCE; r < METCN_N_ROLES; r++)
        printf("bins_%s\t%zu\n", metcn_role_name((metcn_role_t)r), p->n_role[r]);
    printf("checksum\t%s\n", metcn_panel_checksum(p, sum));
}

/* check: one gene's place on the panel.  A gene the panel does not hold is a warning (the
 * panel still serves `metcn coverage`); a malformed one (named on two contigs) an error. */
static int print_gene(const metcn_panel_t *p, const char *name, const metcn_gene_opt_t *opt)
{
    metcn_gene_t *g = metcn_panel_gene(p, name, opt);
    if (!g) {
        int code = metcn_last_error_code();
        int warn = code == METCN_E_NOTARGET || code == METCN_E_CONTIG;
        printf("%s\t%s\n", warn ? "warning" : "error", metcn_last_error());
        return !warn;
    }
    printf("gene\t%s\ngene_region\t%s:%lld-%lld\ngene_source\t%s\n", g->name,
           p->contigs[g->contig].name, (long long)g->start + 1, (long long)g->end,
           g->extent_source);
    for (int r = METCN_ROLE_TARGET; r <= METCN_ROLE_FLANK; r++)
        printf("bins_%s\t%zu\n", metcn_role_name((metcn_role_t)r), g->n_role[r]);
    if (g->n_role[METCN_ROLE_TARGET] == 0)
        printf("warning\tno bins for gene %s: valid for 'metcn coverage', not for 'metcn call "
               "--gene %s'\n",
               g->name, g->name);
    metcn_gene_destroy(g);
    return 0;
}

static void on_problem(metcn_log_level_t sev, const char *msg, void *ud)
{
    (void)ud;
    printf("%s\t%s\n", sev == METCN_LOG_ERROR ? "error" : "warning", msg);
}

static int check(const cli_panel_args_t *pa, const sam_hdr_t *hdr)
{
    int builtin = 0, errors = 0;
    for (const char *const *n = metcn_panel_builtin_names(); *n; n++)
        builtin |= strcasecmp(*n, pa->panel) == 0;
    if (!builtin) {
        errors = metcn_panel_check(pa->panel, &pa->opt, hdr, on_problem, NULL);
        if (errors < 0)
            return cli_runtime_error(CMD);
    }
    metcn_panel_t *p = NULL;
    if (errors == 0 && !(p = metcn_panel_load(pa->panel, &pa->opt, hdr))) {
        printf("error\t%s\n", metcn_last_error());
        errors = 1;
    } else if (p) {
        print_counts(p);
        char *genes = strdup(pa->gene ? pa->gene : "MET"), *save = NULL;
        for (char *g = genes ? strtok_r(genes, ",", &save) : NULL; g;
             g = strtok_r(NULL, ",", &save))
            errors += print_gene(p, g, &pa->gene_opt);
        free(genes);
    }
    metcn_panel_destroy(p);
    printf("result\t%s\t%d error(s)\n", errors ? "FAIL" : "OK", errors);
    if (!errors)
        return CLI_EXIT_OK;
    fprintf(stderr, "metcn panel: %s: %d error(s) found\n", pa->panel, errors);
    return CLI_EXIT_RUNTIME;
}

/* --off-target, --off-target-size, -T of `show`. */
typedef struct {
    int on;
    metcn_offtarget_opt_t opt;
    const char *fasta;
} offtarget_args_t;

static int show(const cli_panel_args_t *pa, const sam_hdr_t *hdr, const char *out,
                const offtarget_args_t *ot)
{
    metcn_panel_t *p = metcn_panel_load(pa->panel, &pa->opt, hdr);
    if (p && ot->on) {
        metcn_panel_t *q = metcn_panel_off_target(p, &ot->opt, ot->fasta);
        metcn_panel_destroy(p);
        p = q;
    }
    metcn_gene_t *g = NULL;
    metcn_ofile_t *f = NULL;
    int ret = CLI_EXIT_RUNTIME;
    if (!p || (pa->gene && !(g = metcn_panel_gene(p, pa->gene, &pa->gene_opt))) ||
        !(f = metcn_ofile_open(out))) {
        ret = cli_runtime_error(CMD);
        goto out;
    }
    char sum[17];
    metcn_ofile_printf(f, "#panel=%s\tbuild=%s\tchecksum=%s", p->source,
                       p->build[0] ? p->build : "unknown", metcn_panel_checksum(p, sum));
    if (g)
        metcn_ofile_printf(f, "\tgene=%s\tgene_region=%s:%lld-%lld", g->name,
                           p->contigs[g->contig].name, (long long)g->start + 1, (long long)g->end);
    metcn_ofile_printf(f, "\n#chrom\tstart\tend\tname\trole\tarm\n");
    for (size_t i = 0; i < p->n_bins; i++) {
        const metcn_bin_t *b = &p->bins[i];
        metcn_ofile_printf(f, "%s\t%lld\t%lld\t%s\t%s\t%c\n", p->contigs[b->contig].name,
                           (long long)b->start, (long long)b->end, b->name ? b->name : ".",
                           metcn_role_name(g ? g->role[i] : b->role), bin_arm(p, i));
    }
    ret = metcn_ofile_close(f, 1) ? cli_runtime_error(CMD) : CLI_EXIT_OK;
    f = NULL;
out:
    metcn_ofile_close(f, 0);
    metcn_gene_destroy(g);
    metcn_panel_destroy(p);
    return ret;
}

int metcn_main_panel(int argc, char **argv)
{
    enum { OPT_OFF_TARGET = CLI_OPT_FIRST_FREE, OPT_OFF_TARGET_SIZE };
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {"output", required_argument, NULL, 'o'},
        {"header", required_argument, NULL, 'H'},
        {"off-target", no_argument, NULL, OPT_OFF_TARGET},
        {"off-target-size", required_argument, NULL, OPT_OFF_TARGET_SIZE},
        {"reference", required_argument, NULL, 'T'},
        CLI_PANEL_LONGOPTS,
        {NULL, 0, NULL, 0}};
    cli_panel_args_t pa;
    cli_panel_args_init(&pa);
    const char *out = "-", *header = NULL;
    offtarget_args_t ot = {0, {0}, NULL};
    metcn_offtarget_opt_init(&ot.opt);
    int c;
    optind = 1;
    while ((c = cli_getopt(CMD, argc, argv, "ho:T:", longopts, &pa)) >= 0) {
        switch (c) {
        case OPT_OFF_TARGET:
            ot.on = 1;
            break;
        case OPT_OFF_TARGET_SIZE:
            if (cli_int64(CMD, "--off-target-size", optarg, 1000, 100000000, &ot.opt.avg_size))
                return CLI_EXIT_USAGE;
            break;
        case 'T':
            ot.fasta = optarg;
            break;
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
    if (c == CLI_GETOPT_USAGE)
        return CLI_EXIT_USAGE;
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
    if (strcmp(action, "show") == 0 && pa.gene && strchr(pa.gene, ','))
        return cli_usage_error(CMD, "--gene: 'show' takes one gene");
    if (!pa.gene && pa.gene_flag && strcmp(action, "show") == 0)
        return cli_usage_error(CMD, "%s needs --gene", pa.gene_flag);
    metcn_sample_t *h = NULL;
    if (header && !(h = metcn_sample_open(header, NULL)))
        return cli_runtime_error(CMD);
    if (h && !h->hdr) {
        metcn_sample_close(h);
        return cli_error(CMD, "%s: --header needs a BAM, CRAM or SAM file", header);
    }
    if ((ot.on || ot.fasta) && strcmp(action, "show") != 0) {
        metcn_sample_close(h);
        return cli_usage_error(CMD, "--off-target and --reference go with 'show'");
    }
    int ret = strcmp(action, "check") == 0 ? check(&pa, h ? h->hdr : NULL)
                                           : show(&pa, h ? h->hdr : NULL, out, &ot);
    metcn_sample_close(h);
    return ret;
}
