/* cmd_call.c -- `metcn call [options] --pon PON -o PREFIX TUMOUR...`. */
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <htslib/sam.h>

#include "cli.h"
#include "commands.h"
#include "metcn/call.h"
#include "metcn/cov.h"
#include "metcn/metcn.h"
#include "metcn/pon.h"
#include "metcn/report.h"
#include "metcn/sample.h"
#include "metcn/util.h"

static const char *CMD = "call";

static void help(FILE *fp)
{
    metcn_call_opt_t d;
    metcn_call_opt_init(&d);
    fprintf(fp,
            "Usage: metcn call [options] --pon PON -o PREFIX TUMOUR...\n\n"
            "Call MET copy number per tumour cell, the chr7 control level, the MET/chr7 ratio\n"
            "and its FISH-style tier, the >10-copies flag and the pattern (focal / polysomy),\n"
            "with intervals and QC.  TUMOUR: BAM/CRAM files or per-bin coverage tables\n"
            "(`metcn coverage` output, CNVkit .cnn, mosdepth regions.bed.gz); many tumours share\n"
            "one loaded PoN.\n\n"
            "Outputs: PREFIX.calls.tsv (one row per sample), PREFIX.json (all samples), and per\n"
            "sample PREFIX.SAMPLE.cnr, .seg, .vcf, .svg; a summary on standard output.\n\n"
            "Options:\n"
            "  --pon FILE             panel of normals from 'metcn pon build' (required)\n"
            "  -o, --output PREFIX    output prefix (required)\n"
            "  --purity P|P+-D|LO-HI  tumour-cell fraction in (0,1], optionally with its\n"
            "                         uncertainty [1, assumed and reported as such]\n"
            "  --ploidy F             tumour ploidy [%g]\n"
            "  --criteria NAME        tier preset: camidge (high >= 5) or profile2021 (high >= 4)\n"
            "                         [%s]\n"
            "  --gene NAME            target gene (bins named after it, else the built-in gene\n"
            "                         table of the PoN's build) [MET]\n"
            "  --conf F               confidence level of the intervals [%g]\n"
            "  -T, --reference FASTA  reference for CRAM decoding\n"
            "  -Q, --min-mapq INT     minimum mapping quality for BAM/CRAM input [0]\n"
            "  -@, --threads INT      samples processed in parallel [1]\n"
            "  --no-sample-files      write only PREFIX.calls.tsv and PREFIX.json\n"
            "  -q, --quiet            no summary on standard output\n"
            "  -h, --help             this help\n",
            d.ploidy, d.criteria->name, d.conf);
}

enum {
    OPT_PON = CLI_OPT_FIRST_FREE,
    OPT_PURITY,
    OPT_PLOIDY,
    OPT_CRITERIA,
    OPT_GENE,
    OPT_CONF,
    OPT_NO_SAMPLE_FILES
};

typedef struct {
    const char *path;
    const metcn_pon_t *pon;
    const metcn_gene_t *gene;
    const metcn_call_opt_t *opt;
    const metcn_cov_opt_t *cov_opt;
    metcn_call_t *call;
    char *error;
} job_t;

typedef struct {
    job_t *jobs;
    size_t n, next;
    pthread_mutex_t lock;
} queue_t;

static int run_job(job_t *j)
{
    metcn_cnr_t *cnr = NULL;
    int ret = -1;
    metcn_sample_t *s = metcn_sample_open(j->path, j->cov_opt);
    if (!s || metcn_sample_normalize(s, j->pon, j->gene, &cnr) < 0)
        goto out;
    /* PoN compatibility remarks that do not stop the call (QC warnings). */
    char warn[128] = "";
    size_t nn = metcn_pon_n_normals(j->pon);
    if (nn < 10)
        snprintf(warn, sizeof warn, "pon_normals=%zu<10", nn);
    j->call = metcn_call_run(j->gene, cnr, s->name, j->opt, warn);
    if (j->call)
        ret = 0;
out:
    if (ret)
        j->error = strdup(metcn_last_error());
    metcn_cnr_destroy(cnr);
    metcn_sample_close(s);
    return ret;
}

static void *worker(void *arg)
{
    queue_t *q = arg;
    for (;;) {
        pthread_mutex_lock(&q->lock);
        size_t i = q->next < q->n ? q->next++ : SIZE_MAX;
        pthread_mutex_unlock(&q->lock);
        if (i == SIZE_MAX)
            return NULL;
        run_job(&q->jobs[i]);
    }
}

static char *path_join(const char *prefix, const char *mid, const char *ext)
{
    size_t l = strlen(prefix) + (mid ? strlen(mid) + 1 : 0) + strlen(ext) + 1;
    char *s = malloc(l);
    if (s)
        snprintf(s, l, "%s%s%s%s", prefix, mid ? "." : "", mid ? mid : "", ext);
    return s;
}

int metcn_main_call(int argc, char **argv)
{
    metcn_call_opt_t opt;
    metcn_call_opt_init(&opt);
    metcn_cov_opt_t cov_opt;
    const char *reference = NULL;
    int min_mapq = -1;
    const char *pon_path = NULL, *prefix = NULL, *gene = NULL;
    int threads = 1, quiet = 0, sample_files = 1, rc = CLI_EXIT_RUNTIME;
    static const struct option longopts[] = {
        {"pon", required_argument, NULL, OPT_PON},
        {"output", required_argument, NULL, 'o'},
        {"purity", required_argument, NULL, OPT_PURITY},
        {"ploidy", required_argument, NULL, OPT_PLOIDY},
        {"criteria", required_argument, NULL, OPT_CRITERIA},
        {"gene", required_argument, NULL, OPT_GENE},
        {"conf", required_argument, NULL, OPT_CONF},
        {"reference", required_argument, NULL, 'T'},
        {"min-mapq", required_argument, NULL, 'Q'},
        {"threads", required_argument, NULL, '@'},
        {"no-sample-files", no_argument, NULL, OPT_NO_SAMPLE_FILES},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":o:T:Q:@:qh", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_PON:
            pon_path = optarg;
            break;
        case 'o':
            prefix = optarg;
            break;
        case OPT_PURITY: {
            int r = metcn_purity_parse(optarg, &opt.purity, &opt.purity_lo, &opt.purity_hi);
            if (r == METCN_E_RANGE)
                return cli_usage_error(CMD, "--purity: '%s' is outside (0,1]", optarg);
            if (r)
                return cli_usage_error(CMD, "--purity: '%s' is not P, P+-D or LO-HI", optarg);
            opt.purity_given = 1;
            break;
        }
        case OPT_PLOIDY:
            if (cli_double(CMD, "--ploidy", optarg, 0.5, 20, &opt.ploidy))
                return CLI_EXIT_USAGE;
            break;
        case OPT_CRITERIA:
            opt.criteria = metcn_criteria_get(optarg);
            if (!opt.criteria)
                return cli_usage_error(
                    CMD, "--criteria: unknown preset '%s' (camidge, profile2021)", optarg);
            break;
        case OPT_GENE:
            if (!*optarg)
                return cli_usage_error(CMD, "--gene: empty gene name");
            gene = optarg;
            break;
        case OPT_CONF:
            if (cli_double(CMD, "--conf", optarg, 0.5, 0.999, &opt.conf))
                return CLI_EXIT_USAGE;
            break;
        case 'T':
            reference = optarg;
            break;
        case 'Q':
            if (cli_int(CMD, "--min-mapq", optarg, 0, 255, &min_mapq))
                return CLI_EXIT_USAGE;
            break;
        case '@':
            if (cli_int(CMD, "--threads", optarg, 1, 256, &threads))
                return CLI_EXIT_USAGE;
            break;
        case OPT_NO_SAMPLE_FILES:
            sample_files = 0;
            break;
        case 'q':
            quiet = 1;
            break;
        case 'h':
            help(stdout);
            return CLI_EXIT_OK;
        case ':':
            return cli_usage_error(CMD, "option '%s' needs a value", argv[optind - 1]);
        default:
            return cli_usage_error(CMD, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (!pon_path)
        return cli_usage_error(CMD, "--pon is required");
    if (!prefix || !*prefix)
        return cli_usage_error(CMD, "-o PREFIX is required");
    if (optind >= argc)
        return cli_usage_error(CMD, "no tumour input given");

    metcn_cov_opt_init(&cov_opt);
    cov_opt.reference = reference;
    cov_opt.gc = 0; /* -T decodes CRAM; GC comes from the PoN */
    if (min_mapq >= 0)
        cov_opt.min_mapq = min_mapq;
    size_t n = (size_t)(argc - optind);
    metcn_pon_t *pon = NULL;
    metcn_gene_t *locus = NULL;
    job_t *jobs = NULL;
    metcn_call_t **calls = NULL;
    const char **inputs = NULL;
    char *cmdline = NULL, *path = NULL;

    pon = metcn_pon_load(pon_path);
    if (!pon) {
        rc = cli_runtime_error(CMD);
        goto out;
    }
    const metcn_panel_t *panel = metcn_pon_panel(pon);
    if (!(locus = metcn_panel_gene(panel, gene ? gene : "MET", NULL))) {
        rc = cli_runtime_error(CMD);
        goto out;
    }
    jobs = calloc(n, sizeof *jobs);
    calls = calloc(n, sizeof *calls);
    inputs = calloc(n, sizeof *inputs);
    if (!jobs || !calls || !inputs) {
        rc = cli_error(CMD, "out of memory");
        goto out;
    }
    if (threads > 1)
        cov_opt.threads = 0; /* parallelism is across samples */
    for (size_t i = 0; i < n; i++) {
        jobs[i].path = argv[optind + (int)i];
        jobs[i].pon = pon;
        jobs[i].gene = locus;
        jobs[i].opt = &opt;
        jobs[i].cov_opt = &cov_opt;
        inputs[i] = jobs[i].path;
    }
    queue_t q = {jobs, n, 0, PTHREAD_MUTEX_INITIALIZER};
    int nt = threads < (int)n ? threads : (int)n;
    pthread_t tid[256];
    int started = 0;
    for (int t = 1; t < nt; t++)
        if (pthread_create(&tid[started], NULL, worker, &q) == 0)
            started++;
    worker(&q);
    for (int t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
    for (size_t i = 0; i < n; i++)
        if (!jobs[i].call) {
            rc = cli_error(CMD, "%s", jobs[i].error ? jobs[i].error : "call failed");
            goto out;
        }
    /* Sample names must be unique: they name the per-sample files. */
    for (size_t i = 0; i < n; i++) {
        calls[i] = jobs[i].call;
        for (size_t k = 0; k < i; k++)
            if (strcmp(calls[k]->sample, calls[i]->sample) == 0) {
                size_t l = strlen(calls[i]->sample) + 24;
                char *s = malloc(l);
                if (!s) {
                    rc = cli_error(CMD, "out of memory");
                    goto out;
                }
                snprintf(s, l, "%s_%zu", calls[i]->sample, i + 1);
                free(calls[i]->sample);
                calls[i]->sample = s;
                k = (size_t)-1; /* recheck against all earlier names */
            }
    }
    cmdline = cli_cmdline(argc, argv);
    metcn_report_meta_t meta = {cmdline, pon_path, pon, &opt, inputs, cov_opt.reference};
    if (!(path = path_join(prefix, NULL, ".calls.tsv")) || metcn_report_calls_tsv(path, calls, n)) {
        rc = cli_runtime_error(CMD);
        goto out;
    }
    free(path);
    if (!(path = path_join(prefix, NULL, ".json")) || metcn_report_json(path, calls, n, &meta)) {
        rc = cli_runtime_error(CMD);
        goto out;
    }
    free(path);
    path = NULL;
    for (size_t i = 0; i < n && sample_files; i++) {
        char *safe = metcn_report_safe_name(calls[i]->sample);
        static const char *const ext[] = {".cnr", ".seg", ".vcf", ".svg"};
        for (int e = 0; e < 4; e++) {
            path = safe ? path_join(prefix, safe, ext[e]) : NULL;
            int r = !path    ? METCN_E_NOMEM
                    : e == 0 ? metcn_report_cnr(path, calls[i])
                    : e == 1 ? metcn_report_seg(path, calls[i])
                    : e == 2 ? metcn_report_vcf(path, calls[i])
                             : metcn_report_svg(path, calls[i]);
            free(path);
            path = NULL;
            if (r) {
                free(safe);
                rc = cli_runtime_error(CMD);
                goto out;
            }
        }
        free(safe);
    }
    for (size_t i = 0; i < n && !quiet; i++) {
        char *s = metcn_report_summary(calls[i]);
        if (s)
            fputs(s, stdout);
        free(s);
    }
    rc = CLI_EXIT_OK;
out:
    for (size_t i = 0; jobs && i < n; i++) {
        metcn_call_destroy(jobs[i].call);
        free(jobs[i].error);
    }
    free(jobs);
    free(calls);
    free(inputs);
    free(cmdline);
    free(path);
    metcn_gene_destroy(locus);
    metcn_pon_destroy(pon);
    return rc;
}
