/* cmd_pon.c -- `metcn pon build` and `metcn pon info`.  A normal that cannot be read or does
 * not fit the panel is left out of the PoN with a warning and recorded in its sample list as
 * failed, with the reason; the exit status is then 3.  Fewer than 3 usable normals, or a
 * failure of the run itself, is an error (exit 1, nothing written). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <htslib/kstring.h>
#include <htslib/sam.h>

#include "cli.h"
#include "commands.h"
#include "metcn/cov.h"
#include "metcn/metcn.h"
#include "metcn/panel.h"
#include "metcn/pon.h"
#include "metcn/report.h"
#include "metcn/sample.h"
#include "metcn/util.h"

static const char *CMD = "pon";

enum {
    OPT_LIST = CLI_OPT_FIRST_FREE,
    OPT_MAXK,
    OPT_MINVAR,
    OPT_MINDEPTH,
    OPT_MAXSPREAD,
    OPT_SPAN,
    OPT_NOGC,
    OPT_OUTZ,
    OPT_DROP,
    OPT_MINSEX,
    OPT_NO_MULTIQC,
    OPT_OFF_TARGET,
    OPT_OFF_TARGET_SIZE,
    OPT_SAMPLE_TYPE,
    OPT_SIZE,
    OPT_SNPS,
    OPT_FLANK,
    OPT_BASEQ,
    OPT_SITE_DEPTH,
    OPT_SITE_HET,
    OPT_SITE_BIAS,
    OPT_SHORT_MAX,
    OPT_DEDUP
};

/* Normals a PoN cannot be built from fewer of (metcn_pon_build()'s own minimum). */
#define MIN_NORMALS 3

static void help_build(FILE *fp)
{
    metcn_pon_opt_t o;
    metcn_pon_opt_init(&o);
    metcn_cov_opt_t co;
    metcn_cov_opt_init(&co);
    metcn_pon_site_opt_t so;
    metcn_pon_site_opt_init(&so);
    metcn_offtarget_opt_t ot;
    metcn_offtarget_opt_init(&ot);
    char edges[128];
    cli_frag_edges(&co, edges, sizeof edges);
    fprintf(fp,
            "Usage: metcn pon build [options] --panel PANEL -o PON NORMAL...\n"
            "       metcn pon build [options] --panel PANEL -o PON --list FILE\n\n"
            "Build a panel of normals from normal samples: BAM/CRAM/SAM files, or per-bin\n"
            "coverage tables (metcn coverage, CNVkit .cnn, mosdepth regions.bed.gz) on the same\n"
            "panel; each input's kind is read from its content.  The PoN is gene-independent:\n"
            "one PoN serves every gene of its panel (the gene is given to 'metcn call').\n"
            "PON ending in .gz is written bgzip-compressed.  Method and format: docs/pon.md.\n\n"
            "Options:\n"
            "  -o, --output FILE        the PoN to write (required)\n"
            "  --list FILE              read input paths from FILE, one per line\n"
            "  -T, --reference FASTA    CRAM decoding, and the GC content per bin, computed\n"
            "                           once and stored in the PoN (tumours need no FASTA)\n"
            "  -@, --threads INT        worker threads: normals counted, and leave-one-out\n"
            "                           builds run, in parallel [%d]\n"
            "  -Q, --min-mapq INT       minimum mapping quality for BAM/CRAM inputs "
            "[0]\n"
            "  -k, --components INT     components to keep; -1 chooses from "
            "explained variance "
            "[%d]\n"
            "  --max-components INT     cap on the automatic choice [%d]\n"
            "  --min-var-frac FLOAT     automatic choice: minimum variance fraction "
            "per component "
            "[%g]\n"
            "  --min-depth FLOAT        exclude bins whose median relative depth is "
            "below [%g]\n"
            "  --max-spread FLOAT       exclude bins whose robust SD of log2 exceeds "
            "[%g]\n"
            "  --span FLOAT             LOESS span for GC correction [%g]\n"
            "  --no-gc                  no GC correction\n"
            "  --outlier-z FLOAT        robust z above which a normal is an outlier "
            "[%g]\n"
            "  --drop-outliers          rebuild without outlier normals\n"
            "  --min-sex-normals INT    normals of a sex needed for its own "
            "chrX/chrY centre "
            "[%d]\n"
            "  --no-multiqc             write no MultiQC file (PON without .gz, plus\n"
            "                           .metcn_pon_mqc.json: the normals' QC)\n"
            "  --off-target             add off-target bins between the targets (CNVkit's\n"
            "                           antitarget rule; N gaps from -T when given), counted\n"
            "                           in the same pass and normalised apart from the\n"
            "                           targets (docs/pon.md); 'metcn panel show --off-target'\n"
            "                           shows them\n"
            "  --off-target-size BP     their average size [%lld]\n"
            "  --sample-type TYPE       what the normals are, tissue or plasma (healthy\n"
            "                           donors' cell-free DNA), recorded in the PoN: call\n"
            "                           takes it as the tumours' type and warns on a\n"
            "                           mismatch [%s]\n"
            "  --size-select MIN-MAX    count only fragments of proper pairs with MIN <=\n"
            "                           |TLEN| < MAX (tables must have been counted so);\n"
            "                           recorded: call needs the same selection [none]\n"
            "  --snps FILE              VCF/BCF of germline SNP sites: the normals' allele\n"
            "                           counts (BAM/CRAM: in the same pass; tables: their\n"
            "                           allele table, which must be at these sites) give each\n"
            "                           site's reference bias and flags, stored in the PoN for\n"
            "                           'metcn call --snps' (docs/pon.md, \"Sites\")\n"
            "  --snp-flank INT          sites within INT bp of a bin are counted [%lld]\n"
            "  --min-baseq INT          bases below this quality are not counted at a site [%d]\n"
            "  --site-min-depth INT     REF+ALT reads for a normal to count at a site [%d]\n"
            "  --site-min-het INT       het normals for a site's bias (and biased/noisy) [%d]\n"
            "  --site-max-bias FLOAT    biased: |median REF fraction - 0.5| above this [%g]\n"
            "                           (other site rules: docs/pon.md; recorded in the PoN)\n"
            "  --short-max BP           fragment-length evidence: the normals' share of\n"
            "                           fragments shorter than BP per bin, stored in the PoN\n"
            "                           (BP: a class edge, %s for BAM/CRAM; 0: none)\n"
            "                           [%d]\n"
            "  --dedup flag|coord       duplicates by flag only, or also by coordinates\n"
            "                           (data without duplicate flags), as 'metcn coverage';\n"
            "                           recorded, call's default [flag]\n\n"
            "A normal that cannot be read or does not fit the panel is left out with a warning\n"
            "naming it and recorded in the PoN's sample list as failed, with the reason, as\n"
            "long as %d usable normals remain.\n",
            o.threads, o.n_components, o.max_components, o.min_var_frac, o.min_rel_depth,
            o.max_spread, o.loess_span, o.outlier_z, o.min_sex_normals, (long long)ot.avg_size,
            metcn_sample_type_name(o.sample_type), (long long)co.snp_flank, co.min_baseq,
            so.min_depth, so.min_het, so.max_bias, edges, o.short_max, MIN_NORMALS);
    cli_panel_help(fp);
    cli_exit_help(fp, "they are left out, and listed as failed in the PoN (metcn pon info)");
}

static void help(FILE *fp)
{
    fprintf(fp, "Usage: metcn pon build [options] --panel PANEL -o PON NORMAL...\n"
                "       metcn pon info PON\n\n"
                "build  build a panel of normals (metcn pon build --help)\n"
                "info   print a PoN's summary and its normals' QC table\n");
}

static int read_list(const char *path, char ***out, size_t *n)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        return metcn_set_error(METCN_E_IO, "%s: cannot open", path);
    char *line = NULL;
    size_t cap = 0, m = 0, acap = 0;
    char **v = NULL;
    int rc = 0;
    while (getline(&line, &cap, fp) > 0) {
        char *s = line;
        while (*s == ' ' || *s == '\t')
            s++;
        size_t l = strlen(s);
        while (l && (s[l - 1] == '\n' || s[l - 1] == '\r' || s[l - 1] == ' ' || s[l - 1] == '\t'))
            s[--l] = 0;
        if (!l || s[0] == '#')
            continue;
        if (m == acap) {
            acap = acap ? 2 * acap : 16;
            char **nv = realloc(v, acap * sizeof *nv);
            if (!nv) {
                rc = metcn_set_error(METCN_E_NOMEM, "out of memory");
                break;
            }
            v = nv;
        }
        if (!(v[m] = strdup(s))) {
            rc = metcn_set_error(METCN_E_NOMEM, "out of memory");
            break;
        }
        m++;
    }
    free(line);
    fclose(fp);
    *out = v;
    *n = m;
    return rc;
}

/* The normals: each input opened once, its coverage counted or read on the panel, which comes
 * from the header of the first BAM/CRAM/SAM among them (or none when all are tables). */
typedef struct {
    char **paths;
    size_t n;
    const cli_panel_args_t *pa;
    const metcn_cov_opt_t *copt;
    metcn_sample_t **samples; /* opened (kept open until their job) */
    metcn_covtab_t **tabs;    /* normal j's coverage, NULL when it failed */
    char **names;             /* normal j's name: its SM, else its file name */
    char **errors;            /* why normal j failed (naming its file), or NULL */
    int oom;                  /* out of memory recording a failure */
    metcn_panel_t *panel;
    const metcn_offtarget_opt_t *off; /* --off-target: its options, else NULL */
    const char *ref;                  /* -T: N gaps for the off-target bins */
    metcn_sites_t *sites;             /* --snps: the site list on the panel, or NULL */
} normals_t;

/* Normal j failed for the reason this thread recorded: kept, and the run goes on. */
static void normal_failed(normals_t *N, size_t j)
{
    if (!(N->errors[j] = cli_input_reason(N->paths[j])))
        N->oom = 1;
    if (!N->names[j] && !(N->names[j] = metcn_path_stem(N->paths[j])))
        N->oom = 1;
}

/* Normal j opened, its name kept; 0, or -1 when it failed (recorded). */
static int open_normal(normals_t *N, size_t j)
{
    if (!(N->samples[j] = metcn_sample_open(N->paths[j], N->copt))) {
        normal_failed(N, j);
        return -1;
    }
    if (!(N->names[j] = strdup(N->samples[j]->name)))
        N->oom = 1;
    return 0;
}

/* The panel, from the header of the first BAM/CRAM/SAM that opens (none when all are
 * tables); normals that do not open on the way are failures of their own. */
static int open_until_reads(normals_t *N)
{
    const sam_hdr_t *hdr = NULL;
    for (size_t j = 0; j < N->n && !hdr; j++)
        if (open_normal(N, j) == 0)
            hdr = N->samples[j]->hdr;
    N->panel = metcn_panel_load(N->pa->panel, &N->pa->opt, hdr);
    if (N->panel && N->off) {
        metcn_panel_t *with = metcn_panel_off_target(N->panel, N->off, N->ref);
        metcn_panel_destroy(N->panel);
        N->panel = with;
    }
    return N->panel ? 0 : metcn_last_error_code();
}

/* Each job keeps its failure: the queue, which stops at a failing job, never sees one. */
static int normal_job(void *ctx, size_t j)
{
    normals_t *N = ctx;
    if (N->errors[j] || (!N->samples[j] && open_normal(N, j) < 0))
        return 0;
    metcn_sample_t *s = N->samples[j];
    N->samples[j] = NULL;
    if (metcn_sample_coverage(s, N->panel) == 0) {
        N->tabs[j] = s->cov; /* the table outlives its sample */
        s->cov = NULL;
    } else
        normal_failed(N, j);
    metcn_sample_close(s);
    return 0;
}

/* The normals' coverage into tabs (the usable ones, in input order), with a warning for each
 * one that failed; 0, or a negative code when fewer than MIN_NORMALS are usable. */
static int count_normals(normals_t *N, int threads, metcn_covtab_t **tabs, size_t *n_ok)
{
    int rc = open_until_reads(N);
    /* the site list once, before any normal is counted: a bad one stops the run */
    if (rc == 0 && N->copt->snps &&
        !(N->sites = metcn_sites_load(N->copt->snps, N->panel, N->copt->snp_flank)))
        rc = metcn_last_error_code();
    if (rc == 0)
        rc = metcn_workq_run(N->n, threads, normal_job, N);
    if (rc == 0 && N->oom)
        rc = metcn_set_error(METCN_E_NOMEM, "out of memory");
    if (rc < 0)
        return rc;
    *n_ok = 0;
    for (size_t j = 0; j < N->n; j++)
        if (N->tabs[j])
            tabs[(*n_ok)++] = N->tabs[j];
        else
            cli_error(CMD, "%s; left out of the panel of normals", N->errors[j]);
    for (size_t j = 0; j < *n_ok; j++)
        for (size_t q = 0; q < j; q++)
            if (strcmp(tabs[q]->sample, tabs[j]->sample) == 0)
                metcn_log(METCN_LOG_WARNING, "two normals have the same sample name '%s'",
                          tabs[j]->sample);
    if (*n_ok < MIN_NORMALS)
        return metcn_set_error(METCN_E_TOOFEW,
                               "only %zu of %zu normals could be used: a panel of normals needs "
                               "at least %d",
                               *n_ok, N->n, MIN_NORMALS);
    return 0;
}

/* The MultiQC file of a PoN: its path without .gz/.bgz, plus the suffix (caller frees). */
static char *pon_mqc_path(const char *out)
{
    size_t l = strlen(out);
    if (metcn_ends_with(out, ".gz"))
        l -= 3;
    else if (metcn_ends_with(out, ".bgz"))
        l -= 4;
    kstring_t k = KS_INITIALIZE;
    kputsn(out, l, &k);
    kputs(".metcn_pon_mqc.json", &k);
    return k.s;
}

/* Build from the usable normals, record the failed ones, write the PoN and its MultiQC
 * file.  Exit status: 0, 3 when some normal failed, 1 on an error of the run. */
static int build_pon(normals_t *N, const char *ref, const metcn_pon_opt_t *o,
                     const metcn_pon_site_opt_t *so, const char *out, const char *cmdline,
                     int multiqc)
{
    double *gc = NULL;
    metcn_pon_t *pon = NULL;
    char *mqc = NULL;
    size_t n_ok = 0;
    metcn_covtab_t **tabs = calloc(N->n, sizeof *tabs);
    int rc = tabs ? count_normals(N, o->threads, tabs, &n_ok)
                  : metcn_set_error(METCN_E_NOMEM, "out of memory");
    if (rc == 0 && N->sites) /* before the build: a normal without its counts stops it */
        rc = metcn_pon_sites_check(N->sites, tabs, n_ok);
    if (rc == 0 && ref) { /* once per panel: the PoN stores it for every tumour */
        gc = malloc((N->panel->n_bins ? N->panel->n_bins : 1) * sizeof *gc);
        rc = !gc ? metcn_set_error(METCN_E_NOMEM, "out of memory")
                 : metcn_gc_compute(N->panel, ref, gc);
    }
    if (rc == 0 && !(pon = metcn_pon_build(N->panel, tabs, n_ok, gc, o)))
        rc = metcn_last_error_code();
    if (rc == 0 && N->sites)
        rc = metcn_pon_sites_compute(pon, N->sites, tabs, n_ok, so);
    for (size_t j = 0; rc == 0 && j < N->n; j++)
        if (N->errors[j])
            rc = metcn_pon_add_failed(pon, N->names[j], N->errors[j]);
    if (rc == 0)
        rc = metcn_pon_write(pon, out, cmdline);
    if (rc == 0 && multiqc && strcmp(out, "-") != 0)
        rc = (mqc = pon_mqc_path(out)) ? metcn_report_pon_multiqc(mqc, pon)
                                       : metcn_set_error(METCN_E_NOMEM, "out of memory");
    metcn_pon_destroy(pon);
    free(gc);
    free(tabs);
    free(mqc);
    if (rc < 0)
        return cli_runtime_error(CMD);
    if (n_ok < N->n)
        cli_error(CMD, "%zu of %zu normals failed: left out, and listed in %s", N->n - n_ok, N->n,
                  out);
    return n_ok < N->n ? CLI_EXIT_PARTIAL : CLI_EXIT_OK;
}

static int cmd_build(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {"output", required_argument, NULL, 'o'},
        {"threads", required_argument, NULL, '@'},
        {"min-mapq", required_argument, NULL, 'Q'},
        {"components", required_argument, NULL, 'k'},
        {"list", required_argument, NULL, OPT_LIST},
        {"reference", required_argument, NULL, 'T'},
        {"max-components", required_argument, NULL, OPT_MAXK},
        {"min-var-frac", required_argument, NULL, OPT_MINVAR},
        {"min-depth", required_argument, NULL, OPT_MINDEPTH},
        {"max-spread", required_argument, NULL, OPT_MAXSPREAD},
        {"span", required_argument, NULL, OPT_SPAN},
        {"no-gc", no_argument, NULL, OPT_NOGC},
        {"outlier-z", required_argument, NULL, OPT_OUTZ},
        {"drop-outliers", no_argument, NULL, OPT_DROP},
        {"min-sex-normals", required_argument, NULL, OPT_MINSEX},
        {"no-multiqc", no_argument, NULL, OPT_NO_MULTIQC},
        {"off-target", no_argument, NULL, OPT_OFF_TARGET},
        {"off-target-size", required_argument, NULL, OPT_OFF_TARGET_SIZE},
        {"sample-type", required_argument, NULL, OPT_SAMPLE_TYPE},
        {"size-select", required_argument, NULL, OPT_SIZE},
        {"snps", required_argument, NULL, OPT_SNPS},
        {"snp-flank", required_argument, NULL, OPT_FLANK},
        {"min-baseq", required_argument, NULL, OPT_BASEQ},
        {"site-min-depth", required_argument, NULL, OPT_SITE_DEPTH},
        {"site-min-het", required_argument, NULL, OPT_SITE_HET},
        {"site-max-bias", required_argument, NULL, OPT_SITE_BIAS},
        {"short-max", required_argument, NULL, OPT_SHORT_MAX},
        {"dedup", required_argument, NULL, OPT_DEDUP},
        CLI_PANEL_LONGOPTS,
        {NULL, 0, NULL, 0}};
    metcn_pon_opt_t o;
    metcn_pon_opt_init(&o);
    cli_panel_args_t pa;
    cli_panel_args_init(&pa);
    metcn_cov_opt_t copt;
    metcn_cov_opt_init(&copt);
    copt.gc = 0; /* GC is computed once, for the panel, below */
    const char *out = NULL, *list = NULL;
    metcn_offtarget_opt_t off;
    metcn_offtarget_opt_init(&off);
    metcn_pon_site_opt_t so;
    metcn_pon_site_opt_init(&so);
    int c, multiqc = 1, off_on = 0;
    optind = 1;
    while ((c = cli_getopt(CMD, argc, argv, "ho:@:Q:k:T:", longopts, &pa)) >= 0) {
        switch (c) {
        case 'h':
            help_build(stdout);
            return CLI_EXIT_OK;
        case 'o':
            out = optarg;
            break;
        case '@':
            if (cli_int(CMD, "--threads", optarg, 1, 256, &o.threads))
                return CLI_EXIT_USAGE;
            break;
        case 'Q':
            if (cli_int(CMD, "--min-mapq", optarg, 0, 255, &copt.min_mapq))
                return CLI_EXIT_USAGE;
            break;
        case 'k':
            if (cli_int(CMD, "--components", optarg, -1, 100, &o.n_components))
                return CLI_EXIT_USAGE;
            break;
        case OPT_LIST:
            list = optarg;
            break;
        case 'T':
            copt.reference = optarg;
            break;
        case OPT_MAXK:
            if (cli_int(CMD, "--max-components", optarg, 0, 100, &o.max_components))
                return CLI_EXIT_USAGE;
            break;
        case OPT_MINVAR:
            if (cli_double(CMD, "--min-var-frac", optarg, 0, 1, &o.min_var_frac))
                return CLI_EXIT_USAGE;
            break;
        case OPT_MINDEPTH:
            if (cli_double(CMD, "--min-depth", optarg, 0, 1e6, &o.min_rel_depth))
                return CLI_EXIT_USAGE;
            break;
        case OPT_MAXSPREAD:
            if (cli_double(CMD, "--max-spread", optarg, 0, 1e6, &o.max_spread))
                return CLI_EXIT_USAGE;
            break;
        case OPT_SPAN:
            if (cli_double(CMD, "--span", optarg, 0.01, 1, &o.loess_span))
                return CLI_EXIT_USAGE;
            break;
        case OPT_NOGC:
            o.gc_correct = 0;
            break;
        case OPT_OUTZ:
            if (cli_double(CMD, "--outlier-z", optarg, 0, 1e6, &o.outlier_z))
                return CLI_EXIT_USAGE;
            break;
        case OPT_DROP:
            o.drop_outliers = 1;
            break;
        case OPT_MINSEX:
            if (cli_int(CMD, "--min-sex-normals", optarg, 1, 100000, &o.min_sex_normals))
                return CLI_EXIT_USAGE;
            break;
        case OPT_NO_MULTIQC:
            multiqc = 0;
            break;
        case OPT_OFF_TARGET:
            off_on = 1;
            break;
        case OPT_OFF_TARGET_SIZE:
            if (cli_int64(CMD, "--off-target-size", optarg, 1000, 100000000, &off.avg_size))
                return CLI_EXIT_USAGE;
            break;
        case OPT_SAMPLE_TYPE:
            if ((o.sample_type = metcn_sample_type_parse(optarg)) < 0)
                return cli_usage_error(CMD, "--sample-type: '%s' is not tissue or plasma", optarg);
            break;
        case OPT_SIZE:
            if (cli_size_select(CMD, optarg, &copt.size_min, &copt.size_max))
                return CLI_EXIT_USAGE;
            break;
        case OPT_SNPS:
            copt.snps = optarg;
            break;
        case OPT_FLANK:
            if (cli_int64(CMD, "--snp-flank", optarg, 0, 100000000, &copt.snp_flank))
                return CLI_EXIT_USAGE;
            break;
        case OPT_BASEQ:
            if (cli_int(CMD, "--min-baseq", optarg, 0, 93, &copt.min_baseq))
                return CLI_EXIT_USAGE;
            break;
        case OPT_SITE_DEPTH:
            if (cli_int(CMD, "--site-min-depth", optarg, 1, 1000000, &so.min_depth))
                return CLI_EXIT_USAGE;
            break;
        case OPT_SITE_HET:
            if (cli_int(CMD, "--site-min-het", optarg, 1, 1000000, &so.min_het))
                return CLI_EXIT_USAGE;
            break;
        case OPT_SITE_BIAS:
            if (cli_double(CMD, "--site-max-bias", optarg, 0, 0.5, &so.max_bias))
                return CLI_EXIT_USAGE;
            break;
        case OPT_SHORT_MAX:
            if (cli_int(CMD, "--short-max", optarg, 0, 1000, &o.short_max))
                return CLI_EXIT_USAGE;
            break;
        case OPT_DEDUP:
            if (cli_dedup(CMD, optarg, &copt.dedup))
                return CLI_EXIT_USAGE;
            break;
        default:
            return cli_usage_error(CMD, "unknown option");
        }
    }
    if (c == CLI_GETOPT_USAGE)
        return CLI_EXIT_USAGE;
    if (cli_panel_no_gene(CMD, &pa,
                          "the panel of normals is gene-independent now (one PoN serves every "
                          "gene of its panel): give the gene to 'metcn call'"))
        return CLI_EXIT_USAGE;
    if (!out)
        return cli_usage_error(CMD, "build: -o PON is required");
    if (cli_short_max_check(CMD, o.short_max, &copt))
        return CLI_EXIT_USAGE;
    if (!pa.panel)
        return cli_usage_error(CMD, "build: --panel is required");
    if (list && optind < argc)
        return cli_usage_error(CMD, "build: give normals either on the command line or --list");
    if (metcn_output_check(out) != 0) /* before the build and its warnings */
        return cli_runtime_error(CMD);
    normals_t N = {.pa = &pa, .copt = &copt, .off = off_on ? &off : NULL, .ref = copt.reference};
    int ret = CLI_EXIT_RUNTIME, owned_paths = 0;
    char *cmdline = NULL;
    if (list) {
        if (read_list(list, &N.paths, &N.n) < 0) {
            ret = cli_runtime_error(CMD);
            goto out;
        }
        owned_paths = 1;
    } else {
        N.paths = argv + optind;
        N.n = (size_t)(argc - optind);
    }
    if (N.n < MIN_NORMALS) {
        ret = cli_error(CMD,
                        "%zu normal(s) given: a panel of normals needs at least %d (10 or "
                        "more recommended)",
                        N.n, MIN_NORMALS);
        goto out;
    }
    N.samples = calloc(N.n, sizeof *N.samples);
    N.tabs = calloc(N.n, sizeof *N.tabs);
    N.names = calloc(N.n, sizeof *N.names);
    N.errors = calloc(N.n, sizeof *N.errors);
    /* argv[-1] is "pon": the command line as typed */
    if (!N.samples || !N.tabs || !N.names || !N.errors ||
        !(cmdline = cli_cmdline(argc + 1, argv - 1))) {
        ret = cli_error(CMD, "out of memory");
        goto out;
    }
    ret = build_pon(&N, copt.reference, &o, &so, out, cmdline, multiqc);
out:
    free(cmdline);
    for (size_t j = 0; N.samples && j < N.n; j++)
        metcn_sample_close(N.samples[j]);
    for (size_t j = 0; N.tabs && j < N.n; j++)
        metcn_covtab_destroy(N.tabs[j]);
    for (size_t j = 0; N.names && N.errors && j < N.n; j++) {
        free(N.names[j]);
        free(N.errors[j]);
    }
    free(N.samples);
    free(N.tabs);
    free(N.names);
    free(N.errors);
    metcn_panel_destroy(N.panel);
    metcn_sites_destroy(N.sites);
    if (owned_paths) {
        for (size_t j = 0; j < N.n; j++)
            free(N.paths[j]);
        free(N.paths);
    }
    return ret;
}

/* The PoN's sites (pon build --snps) by flag: sites, flagged (any flag), one line per flag. */
static void print_site_counts(const metcn_pon_t *pon)
{
    size_t n = metcn_pon_n_sites(pon), any = 0, by[METCN_PON_SITE_N_FLAGS] = {0};
    const metcn_pon_site_t *s = metcn_pon_sites(pon);
    for (size_t i = 0; i < n; i++) {
        any += s[i].flags != 0;
        for (int b = 0; b < METCN_PON_SITE_N_FLAGS; b++)
            by[b] += (s[i].flags >> b) & 1u;
    }
    printf("sites\t%zu\nsites_flagged\t%zu\n", n, any);
    for (int b = 0; b < METCN_PON_SITE_N_FLAGS; b++)
        printf("sites_%s\t%zu\n", metcn_pon_site_flag_name(1u << b), by[b]);
}

static int cmd_info(int argc, char **argv)
{
    if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        help(stdout);
        return CLI_EXIT_OK;
    }
    if (argc != 2)
        return cli_usage_error(CMD, "info: expected one PoN file");
    metcn_pon_t *pon = metcn_pon_load(argv[1]);
    if (!pon)
        return cli_runtime_error(CMD);
    const metcn_panel_t *p = metcn_pon_panel(pon);
    const metcn_pon_opt_t *o = metcn_pon_options(pon);
    const size_t *rc = metcn_pon_reason_counts(pon);
    char a[32], b[32], c[32], d[32], f[32], g[32], h[32];
    printf("pon\t%s\nformat_version\t%d\nmetcn_version\t%s\nchecksum\t%s\n", argv[1],
           metcn_pon_format_version(pon), metcn_pon_metcn_version(pon), metcn_pon_checksum(pon));
    printf("panel\t%s\npanel_checksum\t%s\nbuild\t%s\n", p->source, metcn_pon_panel_checksum(pon),
           p->build[0] ? p->build : "unknown");
    printf("contigs\t%d\nbins\t%zu\n", p->n_contigs, p->n_bins);
    for (int r = 0; r < METCN_PON_N_REASONS; r++)
        if (r < 6)
            printf("bins_%s\t%zu\n", metcn_pon_reason_name(r), rc[r]);
    printf("normals_used\t%zu\nnormals_recorded\t%zu\n", metcn_pon_n_normals(pon),
           metcn_pon_n_samples(pon));
    int smin, smax;
    metcn_pon_size_select(pon, &smin, &smax);
    printf("sample_type\t%s\n", metcn_sample_type_name(o->sample_type));
    if (smax)
        printf("size_select\t%d-%d\n", smin, smax);
    else
        printf("size_select\tnone\n");
    printf("dedup\t%s\n", metcn_pon_dedup(pon) == METCN_DEDUP_COORD ? "coord" : "flag");
    const metcn_pon_frag_t *fr = metcn_pon_frag(pon);
    if (fr)
        printf("short_fragments\t<%d bp: genome share %s (robust SD %s across %zu normals)\n",
               fr->short_max, metcn_fmt_double(a, fr->genome_median, 4),
               metcn_fmt_double(b, fr->genome_spread, 3), fr->n_normals);
    else
        printf("short_fragments\tnone\n");
    printf("gc_corrected\t%s\n", metcn_pon_gc_corrected(pon) ? "yes" : "no");
    printf("components\t%d", metcn_pon_n_components(pon));
    for (int k = 0; k < metcn_pon_n_components(pon); k++)
        printf("%s%s", k ? "," : "\t",
               metcn_fmt_double(a, metcn_pon_component_var_frac(pon, k), 3));
    printf("\nmedian_mapd\t%s\n", metcn_fmt_double(a, metcn_pon_median_mapd(pon), 4));
    print_site_counts(pon);
    printf("param_components\t%d\nparam_max_components\t%d\nparam_min_var_frac\t%g\n"
           "param_min_depth\t%g\nparam_max_spread\t%g\nparam_span\t%g\nparam_"
           "outlier_z\t%g\n"
           "param_drop_outliers\t%d\n",
           o->n_components, o->max_components, o->min_var_frac, o->min_rel_depth, o->max_spread,
           o->loess_span, o->outlier_z, o->drop_outliers);
    printf("\n#sample\tsex\tx_log2\tmedian_depth\tgc_strength\tmapd\tmax_abs_log2\t"
           "z_mapd\tz_max\tstatus\treason\n");
    for (size_t j = 0; j < metcn_pon_n_samples(pon); j++) {
        const metcn_pon_sample_t *s = metcn_pon_sample(pon, j);
        /* metcn_fmt_double() returns "NA" for a value that is not finite, without touching
         * the buffer: print what it returns (a failed normal has no numbers) */
        printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s->name, metcn_sex_name(s->sex),
               metcn_fmt_double(a, s->x_log2, 3), metcn_fmt_double(b, s->median_depth, 4),
               metcn_fmt_double(c, s->gc_strength, 3), metcn_fmt_double(d, s->mapd, 3),
               metcn_fmt_double(f, s->max_abs_log2, 3), metcn_fmt_double(g, s->z_mapd, 3),
               metcn_fmt_double(h, s->z_max, 3),
               s->reason    ? "failed"
               : s->dropped ? "dropped"
               : s->outlier ? "outlier"
                            : "ok",
               s->reason ? s->reason : ".");
    }
    metcn_pon_destroy(pon);
    return CLI_EXIT_OK;
}

int metcn_main_pon(int argc, char **argv)
{
    if (argc < 2) {
        help(stderr);
        return CLI_EXIT_USAGE;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        help(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(argv[1], "build") == 0)
        return cmd_build(argc - 1, argv + 1);
    if (strcmp(argv[1], "info") == 0)
        return cmd_info(argc - 1, argv + 1);
    return cli_usage_error(CMD, "unknown subcommand '%s' (build or info)", argv[1]);
}
