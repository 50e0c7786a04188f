/* cmd_pon.c -- `metcn pon build` and `metcn pon info`. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <htslib/sam.h>

#include "cli.h"
#include "commands.h"
#include "metcn/cov.h"
#include "metcn/metcn.h"
#include "metcn/pon.h"
#include "metcn/panel.h"
#include "metcn/util.h"

static const char *CMD = "pon";

enum {
    OPT_LIST = CLI_OPT_FIRST_FREE,
    OPT_REFERENCE,
    OPT_MAXK,
    OPT_MINVAR,
    OPT_MINDEPTH,
    OPT_MAXSPREAD,
    OPT_SPAN,
    OPT_NOGC,
    OPT_OUTZ,
    OPT_DROP,
    OPT_MINSEX
};

static void help_build(FILE *fp)
{
    metcn_pon_opt_t o;
    metcn_pon_opt_init(&o);
    fprintf(fp,
            "Usage: metcn pon build [options] --panel PANEL -o PON NORMAL...\n"
            "       metcn pon build [options] --panel PANEL -o PON --list FILE\n\n"
            "Build a panel of normals from normal samples: BAM/CRAM files, or "
            "per-bin coverage\n"
            "tables (metcn coverage, CNVkit .cnn, mosdepth regions.bed.gz) on the "
            "same panel.\n"
            "PON ending in .gz is written bgzip-compressed.  Method and format: "
            "docs/pon.md.\n\n"
            "Options:\n"
            "  -o, --output FILE        the PoN to write (required)\n"
            "  --list FILE              read input paths from FILE, one per line\n"
            "  --reference FASTA        GC content per bin (stored in the PoN) and "
            "CRAM decoding\n"
            "  -@, --threads INT        worker threads [%d]\n"
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
            "[%d]\n",
            o.threads, o.n_components, o.max_components, o.min_var_frac, o.min_rel_depth,
            o.max_spread, o.loess_span, o.outlier_z, o.min_sex_normals);
    cli_panel_help(fp);
}

static void help(FILE *fp)
{
    fprintf(fp, "Usage: metcn pon build [options] --panel PANEL -o PON NORMAL...\n"
                "       metcn pon info PON\n\n"
                "build  build a panel of normals (metcn pon build --help)\n"
                "info   print a PoN's summary and its normals' QC table\n");
}

static int is_reads(const char *path)
{
    size_t n = strlen(path);
    return (n > 4 && (strcmp(path + n - 4, ".bam") == 0 || strcmp(path + n - 4, ".sam") == 0)) ||
           (n > 5 && strcmp(path + n - 5, ".cram") == 0);
}

/* Every panel contig must have the header's length: normals from another build
 * are refused. */
static int check_lengths(const metcn_panel_t *p, const sam_hdr_t *h, const char *path)
{
    for (int c = 0; c < p->n_contigs; c++) {
        int tid = metcn_contig_tid(h, p->contigs[c].name);
        if (tid < 0)
            continue; /* metcn_cov_compute() reports missing contigs */
        int64_t len = (int64_t)sam_hdr_tid2len(h, tid);
        if (p->contigs[c].length > 0 && len != p->contigs[c].length)
            return metcn_set_error(METCN_E_INCOMPATIBLE,
                                   "%s: %s length %lld differs from the panel's %lld (another "
                                   "reference build?)",
                                   path, p->contigs[c].name, (long long)len,
                                   (long long)p->contigs[c].length);
    }
    return 0;
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

static int cmd_build(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {"output", required_argument, NULL, 'o'},
        {"threads", required_argument, NULL, '@'},
        {"min-mapq", required_argument, NULL, 'Q'},
        {"components", required_argument, NULL, 'k'},
        {"list", required_argument, NULL, OPT_LIST},
        {"reference", required_argument, NULL, OPT_REFERENCE},
        {"max-components", required_argument, NULL, OPT_MAXK},
        {"min-var-frac", required_argument, NULL, OPT_MINVAR},
        {"min-depth", required_argument, NULL, OPT_MINDEPTH},
        {"max-spread", required_argument, NULL, OPT_MAXSPREAD},
        {"span", required_argument, NULL, OPT_SPAN},
        {"no-gc", no_argument, NULL, OPT_NOGC},
        {"outlier-z", required_argument, NULL, OPT_OUTZ},
        {"drop-outliers", no_argument, NULL, OPT_DROP},
        {"min-sex-normals", required_argument, NULL, OPT_MINSEX},
        CLI_PANEL_LONGOPTS,
        {NULL, 0, NULL, 0}};
    metcn_pon_opt_t o;
    metcn_pon_opt_init(&o);
    cli_panel_args_t pa;
    cli_panel_args_init(&pa);
    const char *out = NULL, *list = NULL, *ref = NULL;
    int mapq = 0, c, r, ret = CLI_EXIT_RUNTIME;
    optind = 1;
    while ((c = getopt_long(argc, argv, "ho:@:Q:k:", longopts, NULL)) != -1) {
        if ((r = cli_panel_option(CMD, c, optarg, &pa)) == 1)
            continue;
        if (r == 2)
            return CLI_EXIT_USAGE;
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
            if (cli_int(CMD, "--min-mapq", optarg, 0, 255, &mapq))
                return CLI_EXIT_USAGE;
            break;
        case 'k':
            if (cli_int(CMD, "--components", optarg, -1, 100, &o.n_components))
                return CLI_EXIT_USAGE;
            break;
        case OPT_LIST:
            list = optarg;
            break;
        case OPT_REFERENCE:
            ref = optarg;
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
        default:
            return cli_usage_error(CMD, "unknown option");
        }
    }
    if (!out)
        return cli_usage_error(CMD, "build: -o PON is required");
    if (!pa.panel)
        return cli_usage_error(CMD, "build: --panel is required");
    if (list && optind < argc)
        return cli_usage_error(CMD, "build: give normals either on the command line or --list");
    char **paths = NULL;
    size_t n = 0, n_loaded = 0;
    int owned_paths = 0;
    metcn_panel_t *panel = NULL;
    metcn_covtab_t **tabs = NULL;
    double *gc = NULL;
    sam_hdr_t *hdr = NULL;
    metcn_pon_t *pon = NULL;
    char *cmdline = NULL;
    if (list) {
        if (read_list(list, &paths, &n) < 0) {
            ret = cli_runtime_error(CMD);
            goto out;
        }
        owned_paths = 1;
    } else {
        paths = argv + optind;
        n = (size_t)(argc - optind);
    }
    if (n < 3) {
        ret = cli_error(CMD,
                        "%zu normal(s) given: a panel of normals needs at least 3 (10 or "
                        "more recommended)",
                        n);
        goto out;
    }
    for (size_t j = 0; j < n && !hdr; j++)
        if (is_reads(paths[j]) && !(hdr = metcn_cov_read_header(paths[j], NULL))) {
            ret = cli_runtime_error(CMD);
            goto out;
        }
    if (!(panel = metcn_panel_load(pa.panel, &pa.opt, hdr))) {
        ret = cli_runtime_error(CMD);
        goto out;
    }
    tabs = calloc(n, sizeof *tabs);
    if (!tabs) {
        ret = cli_error(CMD, "out of memory");
        goto out;
    }
    metcn_cov_opt_t copt;
    metcn_cov_opt_init(&copt);
    copt.min_mapq = mapq;
    copt.reference = ref;
    for (size_t j = 0; j < n; j++, n_loaded++) {
        if (is_reads(paths[j])) {
            sam_hdr_t *h = metcn_cov_read_header(paths[j], NULL);
            int bad = !h || check_lengths(panel, h, paths[j]) < 0;
            sam_hdr_destroy(h);
            if (bad || !(tabs[j] = metcn_cov_compute(paths[j], panel, &copt))) {
                ret = cli_runtime_error(CMD);
                goto out;
            }
        } else if (!(tabs[j] = metcn_covtab_read(paths[j], panel))) {
            ret = cli_runtime_error(CMD);
            goto out;
        }
        for (size_t q = 0; q < j; q++)
            if (strcmp(tabs[q]->sample, tabs[j]->sample) == 0)
                metcn_log(METCN_LOG_WARNING, "%s and %s have the same sample name '%s'", paths[q],
                          paths[j], tabs[j]->sample);
    }
    if (ref) {
        gc = malloc((panel->n_bins ? panel->n_bins : 1) * sizeof *gc);
        if (!gc || metcn_gc_compute(panel, ref, gc) < 0) {
            ret = gc ? cli_runtime_error(CMD) : cli_error(CMD, "out of memory");
            goto out;
        }
    }
    if (!(pon = metcn_pon_build(panel, tabs, n, gc, &o))) {
        ret = cli_runtime_error(CMD);
        goto out;
    }
    cmdline = cli_cmdline(argc, argv);
    if (metcn_pon_write(pon, out, cmdline) < 0) {
        ret = cli_runtime_error(CMD);
        goto out;
    }
    ret = CLI_EXIT_OK;
out:
    free(cmdline);
    metcn_pon_destroy(pon);
    free(gc);
    for (size_t j = 0; tabs && j < n_loaded; j++)
        metcn_covtab_destroy(tabs[j]);
    free(tabs);
    metcn_panel_destroy(panel);
    sam_hdr_destroy(hdr);
    if (owned_paths) {
        for (size_t j = 0; j < n; j++)
            free(paths[j]);
        free(paths);
    }
    return ret;
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
    char a[32], b[32], c[32], d[32], e[32], f[32], g[32], h[32];
    printf("pon\t%s\nformat_version\t%d\nmetcn_version\t%s\nchecksum\t%s\n", argv[1],
           metcn_pon_format_version(pon), metcn_pon_metcn_version(pon), metcn_pon_checksum(pon));
    printf("panel\t%s\npanel_checksum\t%s\nbuild\t%s\ngene\t%s\n", p->source,
           metcn_pon_panel_checksum(pon), p->build[0] ? p->build : "unknown", p->gene);
    if (p->target_contig >= 0 && p->gene_start >= 0)
        printf("gene_region\t%s:%lld-%lld\n", p->contigs[p->target_contig].name,
               (long long)p->gene_start + 1, (long long)p->gene_end);
    printf("contigs\t%d\nbins\t%zu\n", p->n_contigs, p->n_bins);
    for (int r = 0; r < METCN_PON_N_REASONS; r++)
        if (r < 6)
            printf("bins_%s\t%zu\n", metcn_pon_reason_name(r), rc[r]);
    printf("normals_used\t%zu\nnormals_recorded\t%zu\n", metcn_pon_n_normals(pon),
           metcn_pon_n_samples(pon));
    printf("gc_corrected\t%s\n", metcn_pon_gc_corrected(pon) ? "yes" : "no");
    printf("components\t%d", metcn_pon_n_components(pon));
    for (int k = 0; k < metcn_pon_n_components(pon); k++)
        printf("%s%s", k ? "," : "\t",
               metcn_fmt_double(a, metcn_pon_component_var_frac(pon, k), 3));
    printf("\nmedian_mapd\t%s\n", metcn_fmt_double(a, metcn_pon_median_mapd(pon), 4));
    printf("param_components\t%d\nparam_max_components\t%d\nparam_min_var_frac\t%g\n"
           "param_min_depth\t%g\nparam_max_spread\t%g\nparam_span\t%g\nparam_"
           "outlier_z\t%g\n"
           "param_drop_outliers\t%d\n",
           o->n_components, o->max_components, o->min_var_frac, o->min_rel_depth, o->max_spread,
           o->loess_span, o->outlier_z, o->drop_outliers);
    printf("\n#sample\tsex\tx_log2\tmedian_depth\tgc_strength\tmapd\ttarget_"
           "log2\tmax_abs_log2\t"
           "z_mapd\tz_max\tstatus\n");
    for (size_t j = 0; j < metcn_pon_n_samples(pon); j++) {
        const metcn_pon_sample_t *s = metcn_pon_sample(pon, j);
        metcn_fmt_double(a, s->x_log2, 3);
        metcn_fmt_double(b, s->median_depth, 4);
        metcn_fmt_double(c, s->gc_strength, 3);
        metcn_fmt_double(d, s->mapd, 3);
        metcn_fmt_double(e, s->target_log2, 3);
        metcn_fmt_double(f, s->max_abs_log2, 3);
        metcn_fmt_double(g, s->z_mapd, 3);
        metcn_fmt_double(h, s->z_max, 3);
        printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s->name, metcn_sex_name(s->sex), a,
               b, c, d, e, f, g, h,
               s->dropped   ? "dropped"
               : s->outlier ? "outlier"
                            : "ok");
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
