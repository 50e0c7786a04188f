/* cmd_call.c -- `metcn call [options] --pon PON -o PREFIX TUMOUR...`: every gene of --gene for
 * every tumour; one row per sample and gene.  A tumour that cannot be read, does not fit the
 * PoN or cannot be called gets qc=fail rows with the reason, the others are called, and the
 * exit status is 3 (batch failure isolation); a failure of the run itself (options, PoN, gene,
 * output location) stops it at once with 1 or 2 and writes nothing.  CNVkit .cnr inputs are
 * normalised already and are called without --pon, each on the panel its rows make. */
#include <getopt.h>
#include <stddef.h>
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

#define MAX_GENES 16

/* The caller's thresholds, each a long option whose default is printed from
 * metcn_call_opt_init() (one table drives the option list, the help and the parsing). */
typedef struct {
    const char *name;
    int is_int;
    size_t off;
    double lo, hi;
    const char *help;
} tunable_t;
#define T_D(n, f, lo, hi, h)                                                                       \
    {                                                                                              \
        n, 0, offsetof(metcn_call_opt_t, f), lo, hi, h                                             \
    }
#define T_I(n, f, lo, hi, h)                                                                       \
    {                                                                                              \
        n, 1, offsetof(metcn_call_opt_t, f), lo, hi, h                                             \
    }
static const tunable_t tunables[] = {
    T_D("high-amp-cn", high_amp_cn, 0, 1e6, "high-level amplification: copies above this"),
    T_D("gcn-amplified", gcn_amplified, 0, 1e6, "gene-copy class amplified: copies >= this"),
    T_D("gcn-gain", gcn_gain, 0, 1e6, "gene-copy class gain: copies >= this"),
    T_D("polysomy-cn", polysomy_cn, 0, 1e6, "chromosome / arm gained: copies >= this"),
    T_D("focal-min-excess", focal_min_excess, 0, 1e6, "focal: gene copies above its arm's by"),
    T_D("focal-max-span", focal_max_span, 0, 1e12, "focal events are shorter than this (bp)"),
    T_D("focal-min-delta", focal_min_delta, 0, 100, "... and depart by at least (log2)"),
    T_D("focal-min-z", focal_min_z, 0, 1e6, "... and by more than this many SEs"),
    T_D("seg-penalty", seg_penalty, 0, 1e9, "segmentation penalty (plus 2 ln n)"),
    T_D("huber-k", huber_k, 0.01, 1e6, "Huber constant of the gene level"),
    T_D("control-huber-k", control_huber_k, 0.01, 1e6, "Huber constant of the control level"),
    T_D("min-sys-sd", min_sys_sd, 0, 10, "floor of the systematic SD (log2)"),
    T_I("noise-min-pairs", noise_min_pairs, 1, 1000000, "bin pairs needed for the noise factor"),
    T_I("min-target-bins", min_target_bins, 1, 1000000, "QC warn: fewer usable gene bins"),
    T_I("min-control-bins", min_control_bins, 1, 1000000, "error: fewer usable control bins"),
    T_I("control-bins-warn", control_bins_warn, 0, 1000000, "QC warn: fewer control bins used"),
    T_D("hetero-alpha", hetero_alpha, 1e-12, 0.499,
        "QC warn: gene bins' scatter significant at this level"),
    T_I("hetero-min-bins", hetero_min_bins, 2, 1000000, "... judged from this many gene bins"),
    T_D("noise-warn", noise_warn, 0.01, 1e6, "QC warn: noise factor above this"),
    T_D("mapd-warn", mapd_warn, 0, 100, "QC warn: MAPD above this"),
    T_D("mapd-fail", mapd_fail, 0, 100, "QC fail: MAPD above this"),
    T_D("depth-warn", depth_warn, 0, 1e9, "QC warn: median reference depth below this"),
    T_D("depth-fail", depth_fail, 0, 1e9, "QC fail: median reference depth below this"),
    T_D("gc-warn", gc_warn, 0, 100, "QC warn: GC bias left after correction above this"),
    T_D("gc-fail", gc_fail, 0, 100, "QC fail: GC bias left after correction above this"),
    T_I("min-pon-normals", min_pon_normals, 0, 1000000, "QC warn: fewer normals in the PoN"),
    T_D("detect-min-ratio", detect_min_ratio, 1, 1e6,
        "detected: implied tumour-cell gene/control ratio >= this"),
    T_D("detect-alpha", detect_alpha, 1e-9, 0.499,
        "detected: one-sided level of the gene-over-control test"),
    T_D("lod-power", lod_power, 0.5, 0.999,
        "lod_tf_cn5/cn10: detection probability of 5 / 10 copies"),
    T_D("frag-support-z", frag.support_z, 0, 1e6,
        "plasma fragment evidence: excess significant at this z"),
    T_D("frag-tumour-enrichment", frag.tumour_enrichment, 1, 100,
        "... tumour fragments short this many times as often"),
    T_I("frag-min-fragments", frag.min_fragments, 1, 1000000000,
        "... fewer gene fragments: not assessable"),
    T_I("somatic-min-depth", somatic.min_depth, 1, 1000000000,
        "--somatic: a variant with fewer REF+ALT reads is not used"),
    T_D("somatic-alpha", somatic.alpha, 1e-12, 0.5,
        "... ALT reads above the error background at this level, else an upper bound"),
    T_D("somatic-het-alpha", somatic.het_alpha, 1e-12, 0.5,
        "... variants' fractions heterogeneous at this level"),
};
#define N_TUNABLES (sizeof tunables / sizeof tunables[0])

static void help(FILE *fp)
{
    metcn_call_opt_t d;
    metcn_call_opt_init(&d);
    fprintf(fp,
            "Usage: metcn call [options] --pon PON -o PREFIX TUMOUR...\n"
            "       metcn call [options] -o PREFIX SAMPLE.cnr...\n\n"
            "Call each gene's copy number per tumour cell, its chromosome's control level (the\n"
            "NGS stand-in for the centromeric probe: CEP7 for MET and EGFR, CEP17 for ERBB2),\n"
            "the gene/control ratio and its tier under the gene's criteria, the high-level flag\n"
            "and the pattern (focal / polysomy), with intervals and QC.  TUMOUR: BAM/CRAM files\n"
            "or per-bin coverage tables (`metcn coverage` output, CNVkit .cnn, mosdepth\n"
            "regions.bed.gz, GATK CollectReadCounts TSV, Picard HsMetrics per-target); many\n"
            "tumours share one loaded PoN.  CNVkit .cnr results (cnvkit.py fix) are normalised\n"
            "already: they are called without --pon, from their log2 and weights (docs/pon.md).\n\n"
            "Outputs: PREFIX.calls.tsv (one row per sample and gene), PREFIX.json (all), per\n"
            "sample PREFIX.SAMPLE.vcf (a record per gene) and per sample and gene\n"
            "PREFIX.SAMPLE.GENE.cnr, .seg, .svg; MultiQC custom content PREFIX.metcn_*_mqc.json;\n"
            "a summary on standard output.  A tumour that cannot be read or does not fit the\n"
            "PoN gets rows with qc=fail and the reason (no per-sample files); the others are\n"
            "called.\n\n"
            "Options:\n"
            "  --pon FILE             panel of normals from 'metcn pon build' (required unless\n"
            "                         every input is a CNVkit .cnr)\n"
            "  -o, --output PREFIX    output prefix (required)\n"
            "  --gene LIST            genes to call, comma-separated [MET]\n"
            "  --criteria LIST        tier presets: NAME (for the preset's own gene) or\n"
            "                         GENE=NAME, comma-separated [MET=%s,ERBB2=%s,\n"
            "                         EGFR=%s, any other gene %s]; presets:",
            metcn_criteria_default("MET")->name, metcn_criteria_default("ERBB2")->name,
            metcn_criteria_default("EGFR")->name, metcn_criteria_default("")->name);
    for (const char *const *n = metcn_criteria_names(); *n; n++)
        fprintf(fp, " %s", *n);
    fprintf(fp,
            "\n"
            "  --sample-type T        tissue or plasma [the PoN's type, else %s]\n"
            "  --purity P|P+-D|LO-HI  tumour-cell fraction in (0,1], optionally with its\n"
            "                         uncertainty [1, assumed and reported as such]\n"
            "  --tumour-fraction F|F+-D|LO-HI\n"
            "                         the same for plasma: tumour DNA fraction (fills the\n"
            "                         purity columns too; F+-D floored at %g)\n"
            "  --vaf V[:DEPTH]        tumour fraction 2 x V from a clonal heterozygous somatic\n"
            "                         variant in a diploid region, V in (0,0.5]; with DEPTH\n"
            "                         (reads at the variant) its Clopper-Pearson interval\n"
            "  --somatic FILE         VCF/BCF of the patient's clonal somatic SNVs (e.g. the\n"
            "                         EGFR driver): counted in the same pass over each\n"
            "                         BAM/CRAM (a table: its allele table, `metcn coverage\n"
            "                         --somatic`), tumour fraction 2 x their pooled VAF per\n"
            "                         sample with its interval (docs/plasma.md)\n"
            "  --size-select MIN-MAX  count only fragments with MIN <= |TLEN| < MAX (reads:\n"
            "                         in the one pass; tables: counted so); the PoN must\n"
            "                         have the same (0-0: none) [the PoN's selection]\n"
            "  --dedup flag|coord     duplicates by flag only, or also by coordinates (data\n"
            "                         without duplicate flags; docs/coverage.md); BAM/CRAM\n"
            "                         only, a table is used as counted [the PoN's, else flag]\n"
            "  --ploidy F             tumour ploidy [%g; with the fit: its depth-scale ploidy]\n"
            "  --snps FILE            VCF/BCF of germline SNP sites: allele counts in the same\n"
            "                         pass over each BAM/CRAM (a coverage table brings its\n"
            "                         own allele table); turns on --estimate-purity\n"
            "  --normal FILE          matched normal (BAM/CRAM/table) of the one tumour:\n"
            "                         germline genotypes at the --snps sites\n"
            "  --estimate-purity      fit purity and ploidy from the reads (docs/purity.md);\n"
            "                         without --purity the call uses the estimate, with it the\n"
            "                         estimate is reported beside (QC purity_disagrees)\n"
            "  --purity-disagree F    purity_disagrees: intervals further apart than F [%g]\n"
            "  --conf F               confidence level of the intervals [%g]\n"
            "  -T, --reference FASTA  reference for CRAM decoding\n"
            "  -Q, --min-mapq INT     minimum mapping quality for BAM/CRAM input [0]\n"
            "  -@, --threads INT      samples processed in parallel [1]\n"
            "  --no-sample-files      write no per-sample files (.vcf, .cnr, .seg, .svg)\n"
            "  --no-multiqc           write no MultiQC files (PREFIX.metcn_*_mqc.json)\n"
            "  -q, --quiet            no summary on standard output\n"
            "  -h, --help             this help\n\n"
            "Thresholds (docs/method.md, docs/call.md):\n",
            metcn_sample_type_name(d.sample_type), METCN_TF_FLOOR, d.ploidy, d.disagree_min,
            d.conf);
    for (size_t k = 0; k < N_TUNABLES; k++) {
        const tunable_t *t = &tunables[k];
        const char *base = (const char *)&d + t->off;
        char opt[40];
        snprintf(opt, sizeof opt, "--%s %s", t->name, t->is_int ? "INT" : "F");
        if (t->is_int)
            fprintf(fp, "  %-28s %s [%d]\n", opt, t->help, *(const int *)base);
        else
            fprintf(fp, "  %-28s %s [%g]\n", opt, t->help, *(const double *)base);
    }
    cli_exit_help(fp, "their rows in PREFIX.calls.tsv say qc=fail and why");
}

enum {
    OPT_PON = CLI_OPT_FIRST_FREE,
    OPT_PURITY,
    OPT_TF,
    OPT_VAF,
    OPT_SAMPLE_TYPE,
    OPT_SIZE,
    OPT_PLOIDY,
    OPT_CRITERIA,
    OPT_GENE,
    OPT_CONF,
    OPT_NO_SAMPLE_FILES,
    OPT_NO_MULTIQC,
    OPT_SNPS,
    OPT_NORMAL,
    OPT_ESTIMATE,
    OPT_DISAGREE,
    OPT_DEDUP,
    OPT_SOMATIC,
    OPT_TUNABLE /* OPT_TUNABLE + k: tunables[k] */
};

/* The sample type the PoN records (METCN_SAMPLE_*; a PoN written before it was recorded is
 * tissue), -1 without a PoN: `call` defaults to it and warns (QC sample_type_mismatch) when
 * --sample-type says otherwise. */
static int pon_sample_type(const metcn_pon_t *pon)
{
    return pon ? metcn_pon_options(pon)->sample_type : -1;
}

/* One tumour: normalised once, then called for every gene. */
typedef struct {
    const char *path;
    const metcn_pon_t *pon; /* NULL: every input must be a CNVkit .cnr */
    metcn_gene_t *const *genes;
    const char *const *gene_names; /* --gene, for the genes of a .cnr's own panel */
    const metcn_call_opt_t *opts;  /* per gene */
    size_t n_genes;
    const metcn_cov_opt_t *cov_opt;
    char *name; /* the sample's name: its SM, else the file name */
    metcn_call_t *call[MAX_GENES];
    char *error[MAX_GENES];             /* why gene g was not called (naming the input), or NULL */
    int fail[MAX_GENES];                /* metcn_fail_t of error[g] */
    int oom;                            /* out of memory recording a failure: the run fails */
    metcn_sample_t *own;                /* a CNVkit .cnr: kept open, its panel under the calls */
    metcn_gene_t *own_genes[MAX_GENES]; /* the genes on that panel */
    const metcn_sites_t *normal;        /* --normal's allele counts (borrowed), or NULL */
    metcn_sample_t *kept;               /* kept open: the calls borrow its allele counts */
    const metcn_sites_t *somatic;       /* --somatic's variants (borrowed), or NULL */
    metcn_sites_t *germ;                /* with --somatic: the sample's sites without them, for
                                           the fit (owned; the calls borrow it) */
    metcn_somatic_t som;                /* the sample's measurement (each call gets a copy) */
} job_t;

/* Genes g0.. of the job failed (fail: metcn_fail_t) for the reason this thread recorded. */
static void job_fail(job_t *j, size_t g0, size_t g1, int fail)
{
    char *why = cli_input_reason(j->path);
    for (size_t g = g0; g < g1; g++) {
        metcn_call_destroy(j->call[g]);
        j->call[g] = NULL;
        j->fail[g] = fail;
        if (!(j->error[g] = why ? strdup(why) : NULL))
            j->oom = 1;
    }
    free(why);
}

/* A CNVkit .cnr brings its own panel: the genes are viewed on it (they and the sample live in
 * the job until the outputs are written). */
static int own_genes(job_t *j, metcn_sample_t *s)
{
    if (j->pon)
        return metcn_sample_check(s, NULL, j->pon); /* the one message: no --pon with a .cnr */
    for (size_t g = 0; g < j->n_genes; g++)
        if (!(j->own_genes[g] = metcn_panel_gene(metcn_sample_panel(s), j->gene_names[g], NULL)))
            return metcn_set_error(metcn_last_error_code(), "%s: %s", s->path, metcn_last_error());
    j->own = s;
    j->genes = j->own_genes;
    return 0;
}

/* A copy of a measurement (its variants' array duplicated); 0 or METCN_E_NOMEM. */
static int somatic_copy(const metcn_somatic_t *a, metcn_somatic_t *b)
{
    *b = *a;
    b->v = malloc((a->n ? a->n : 1) * sizeof *b->v);
    if (!b->v)
        return METCN_E_NOMEM;
    if (a->n)
        memcpy(b->v, a->v, a->n * sizeof *b->v);
    return 0;
}

/* One gene of an opened tumour: normalised (the PoN fits each gene off its own chromosome)
 * and called, with the PoN's own remarks, known here where the PoN is loaded. */
static void run_gene(job_t *j, metcn_sample_t *s, size_t g)
{
    metcn_call_opt_t so = j->opts[g];
    const metcn_call_opt_t *o = &so;
    size_t nn = j->pon ? metcn_pon_n_normals(j->pon) : 0;
    metcn_cnr_t *cnr = NULL;
    metcn_somatic_t som = {0};
    const metcn_sites_t *sites = j->somatic ? j->germ : s->cov ? s->cov->sites : NULL;
    if (j->somatic) {
        metcn_somatic_as_opt(&j->som, &so);
        if (somatic_copy(&j->som, &som) < 0) {
            j->oom = 1;
            return;
        }
    }
    if (metcn_sample_normalize(s, j->pon, j->genes[g], &cnr) < 0)
        job_fail(j, g, g + 1, METCN_FAIL_INPUT);
    else if (!(j->call[g] = metcn_call_run_fit(
                   j->genes[g], cnr, sites, j->normal,
                   s->sex.source == METCN_SOURCE_NONE ? 0 : (int)s->sex.value, s->name, o)) ||
             (j->somatic && metcn_call_somatic(j->call[g], &som, &o->somatic)) ||
             (j->pon && nn < (size_t)o->min_pon_normals &&
              metcn_call_add_qc(j->call[g], METCN_QC_PON_NORMALS, METCN_QC_WARN, (double)nn,
                                o->min_pon_normals)) ||
             metcn_call_check_sample_type(j->call[g], pon_sample_type(j->pon)) ||
             metcn_call_fragments(j->call[g], j->pon, s->cov, &o->frag))
        job_fail(j, g, g + 1, METCN_FAIL_CALL);
    metcn_somatic_free(&som);
    metcn_cnr_destroy(cnr);
}

/* --somatic: the sample's variants measured from its counts, and its germline sites kept apart
 * for the fit.  A sample in which none of them was counted (a table made without
 * `coverage --somatic`) fails: the fraction it was asked for cannot be had. */
static int measure_somatic(job_t *j, const metcn_sample_t *s)
{
    const metcn_sites_t *counted = s->cov ? s->cov->sites : NULL;
    if (metcn_somatic_measure(j->somatic, counted, j->opts[0].conf, &j->opts[0].somatic, &j->som))
        return metcn_last_error_code();
    if (j->som.status == METCN_SOMATIC_NOT_COUNTED)
        return metcn_set_error(
            METCN_E_ARG, "%s: none of the %zu --somatic variants was counted in it (%s)", s->path,
            j->somatic->n,
            s->kind == METCN_INPUT_TABLE ? "a coverage table needs `metcn coverage --somatic`"
                                         : "a position also in --snps is counted in neither");
    if (counted && !(j->germ = metcn_sites_without(counted, j->somatic)))
        return metcn_last_error_code();
    return 0;
}

/* One tumour: opened once, checked against the PoN, its coverage counted or read once, then
 * each gene.  A failure is recorded in the job, per gene, and never stops the run. */
static void run_job(job_t *j)
{
    metcn_sample_t *s = metcn_sample_open(j->path, j->cov_opt);
    j->name = s ? strdup(s->name) : metcn_path_stem(j->path);
    if (!j->name)
        j->oom = 1;
    else if (!s)
        job_fail(j, 0, j->n_genes, METCN_FAIL_INPUT);
    else if (metcn_sample_panel(s)) { /* a CNVkit .cnr: normalised already */
        if (own_genes(j, s) < 0)
            job_fail(j, 0, j->n_genes, METCN_FAIL_INPUT);
        else
            for (size_t g = 0; g < j->n_genes; g++)
                run_gene(j, s, g);
    } else if (!j->pon) {
        metcn_set_error(METCN_E_ARG,
                        "%s: %s input needs --pon (only CNVkit .cnr results, normalised already, "
                        "are called without one)",
                        j->path, metcn_input_name(s->kind, s->table));
        job_fail(j, 0, j->n_genes, METCN_FAIL_INPUT);
    } else if (metcn_sample_check(s, NULL, j->pon) < 0 ||
               metcn_sample_coverage(s, metcn_pon_panel(j->pon)) < 0 ||
               (j->somatic && measure_somatic(j, s) < 0))
        job_fail(j, 0, j->n_genes, METCN_FAIL_INPUT);
    else
        for (size_t g = 0; g < j->n_genes; g++)
            run_gene(j, s, g);
    if (s && s != j->own && j->opts[0].estimate_purity)
        j->kept = s; /* its allele counts live until the outputs are written */
    else if (s != j->own)
        metcn_sample_close(s);
}

/* The matched normal (--normal): opened, checked against the PoN and counted once, for its
 * allele counts at the --snps sites (the tumour's sites: same list, same panel). */
static metcn_sample_t *open_normal(const char *path, const metcn_pon_t *pon,
                                   const metcn_cov_opt_t *cov_opt)
{
    metcn_sample_t *s = metcn_sample_open(path, cov_opt);
    if (s && (metcn_sample_check(s, NULL, pon) < 0 ||
              metcn_sample_coverage(s, metcn_pon_panel(pon)) < 0)) {
        metcn_sample_close(s);
        return NULL;
    }
    if (s && !s->cov->sites) {
        metcn_set_error(METCN_E_ARG, "%s: no allele counts (a coverage table made without --snps)",
                        path);
        metcn_sample_close(s);
        return NULL;
    }
    return s;
}

/* A PoN with site records (pon build --snps) that knows none of the call's sites was built
 * with another site list: say so once (the fit then uses the sample's own REF bias). */
static void pon_sites_overlap(const metcn_pon_t *pon, const metcn_sites_t *sites, const char *vcf)
{
    size_t known = 0, n = metcn_pon_n_sites(pon);
    for (size_t i = 0; n && i < sites->n; i++)
        known += metcn_pon_site_find(pon, sites->contig[i], sites->pos[i], sites->ref[i],
                                     sites->alt[i]) >= 0;
    if (n && sites->n && !known)
        metcn_log(METCN_LOG_WARNING,
                  "%s: none of its %zu sites is among the PoN's %zu (built with another --snps "
                  "list?): every site keeps the sample's own REF bias",
                  vcf, sites->n, n);
}

/* Each job keeps its failures: the queue, which stops at a failing job, never sees one. */
static int job_fn(void *ctx, size_t i)
{
    run_job((job_t *)ctx + i);
    return 0;
}

/* Whether any gene of the job failed. */
static int job_failed(const job_t *j)
{
    for (size_t g = 0; g < j->n_genes; g++)
        if (!j->call[g])
            return 1;
    return 0;
}

static char *path_join(const char *prefix, const char *mid, const char *mid2, const char *ext)
{
    size_t l = strlen(prefix) + (mid ? strlen(mid) + 1 : 0) + (mid2 ? strlen(mid2) + 1 : 0) +
               strlen(ext) + 1;
    char *s = malloc(l);
    if (s)
        snprintf(s, l, "%s%s%s%s%s%s", prefix, mid ? "." : "", mid ? mid : "", mid2 ? "." : "",
                 mid2 ? mid2 : "", ext);
    return s;
}

/* --gene LIST into names[] (pointers into buf); usage error on an empty or repeated name. */
static int parse_genes(char *buf, const char **names, size_t *n)
{
    *n = 0;
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        if (*n == MAX_GENES)
            return cli_usage_error(CMD, "--gene: at most %d genes", MAX_GENES);
        for (size_t k = 0; k < *n; k++)
            if (strcasecmp(names[k], tok) == 0)
                return cli_usage_error(CMD, "--gene: %s given twice", tok);
        names[(*n)++] = tok;
    }
    return *n ? 0 : cli_usage_error(CMD, "--gene: empty gene list");
}

/* --criteria LIST: GENE=NAME, or NAME for the preset's own gene (a generic preset: every gene
 * not named otherwise).  crit[g] stays NULL (the gene's default) when nothing applies. */
static int parse_criteria(char *buf, const char **genes, size_t ng, const metcn_criteria_t **crit)
{
    const metcn_criteria_t *generic = NULL;
    int named[MAX_GENES] = {0};
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        const char *gene = eq ? tok : NULL, *name = eq ? eq + 1 : tok;
        if (eq)
            *eq = '\0';
        const metcn_criteria_t *c = metcn_criteria_get(name);
        if (!c)
            return cli_usage_error(CMD, "--criteria: unknown preset '%s' (see --help)", name);
        if (!gene && !c->gene[0]) {
            generic = c;
            continue;
        }
        const char *for_gene = gene ? gene : c->gene;
        size_t g = 0;
        while (g < ng && strcasecmp(genes[g], for_gene) != 0)
            g++;
        if (g == ng)
            return cli_usage_error(CMD, "--criteria: %s is for gene %s, which --gene does not list",
                                   name, for_gene);
        crit[g] = c;
        named[g] = 1;
    }
    for (size_t g = 0; g < ng; g++)
        if (!named[g] && generic)
            crit[g] = generic;
    return 0;
}

/* Unique sample names: they name the per-sample files and key the MultiQC sections.  A
 * repeat gets _<input number>; the calls take the job's name. */
static int unique_samples(job_t *jobs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < i; k++)
            if (strcmp(jobs[k].name, jobs[i].name) == 0) {
                size_t l = strlen(jobs[i].name) + 24;
                char *s = malloc(l);
                if (!s)
                    return METCN_E_NOMEM;
                snprintf(s, l, "%s_%zu", jobs[i].name, i + 1);
                free(jobs[i].name);
                jobs[i].name = s;
                k = (size_t)-1; /* recheck against all earlier names */
            }
    for (size_t i = 0; i < n; i++)
        for (size_t g = 0; g < jobs[i].n_genes; g++) {
            metcn_call_t *c = jobs[i].call[g];
            char *t = NULL;
            if (!c || strcmp(c->sample, jobs[i].name) == 0)
                continue;
            if (!(t = strdup(jobs[i].name)))
                return METCN_E_NOMEM;
            free(c->sample);
            c->sample = t;
        }
    return 0;
}

/* Per-sample files: PREFIX.SAMPLE.vcf and PREFIX.SAMPLE.GENE.{cnr,seg,svg}, of the genes
 * called (none for a sample that failed). */
static int write_sample_files(const char *prefix, job_t *j)
{
    metcn_call_t *called[MAX_GENES];
    size_t nc = 0;
    for (size_t g = 0; g < j->n_genes; g++)
        if (j->call[g])
            called[nc++] = j->call[g];
    if (nc == 0)
        return 0;
    char *safe = metcn_report_safe_name(j->name), *path = NULL;
    int r = safe ? 0 : METCN_E_NOMEM;
    if (!r)
        r = (path = path_join(prefix, safe, NULL, ".vcf")) ? metcn_report_vcf(path, called, nc)
                                                           : METCN_E_NOMEM;
    free(path);
    for (size_t g = 0; g < j->n_genes && !r; g++) {
        if (!j->call[g])
            continue;
        char *gs = metcn_report_safe_name(j->genes[g]->name);
        static const char *const ext[] = {".cnr", ".seg", ".svg"};
        for (int e = 0; e < 3 && !r; e++) {
            path = gs ? path_join(prefix, safe, gs, ext[e]) : NULL;
            r = !path    ? METCN_E_NOMEM
                : e == 0 ? metcn_report_cnr(path, j->call[g])
                : e == 1 ? metcn_report_seg(path, j->call[g])
                         : metcn_report_svg(path, j->call[g]);
            free(path);
        }
        free(gs);
    }
    free(safe);
    if (r == METCN_E_NOMEM)
        metcn_set_error(r, "%s: out of memory", prefix);
    return r;
}

/* Every job, on up to `threads` threads (samples in parallel). */
static void run_all(job_t *jobs, size_t n, int threads)
{
    metcn_workq_run(n, threads, job_fn, jobs);
}

/* What to write besides the calls table and the JSON. */
typedef struct {
    int sample_files, multiqc, quiet;
} outputs_t;

/* The summary of a row on standard output. */
static void print_summary(const metcn_report_row_t *row)
{
    if (!row->call) {
        printf("%s: %s not called (%s): %s\n", row->sample, row->gene, metcn_fail_name(row->fail),
               row->error ? row->error : "unknown error");
        return;
    }
    char *s = metcn_report_summary(row->call);
    if (s)
        fputs(s, stdout);
    free(s);
}

/* PREFIX.calls.tsv and PREFIX.json (rows: sample-major, genes in --gene order; a failed
 * sample's rows say why), the MultiQC files, the per-sample files and the summary.  0 or a
 * negative code with the message recorded. */
static int write_all(const char *prefix, job_t *jobs, size_t n, const metcn_report_meta_t *meta,
                     const outputs_t *out)
{
    size_t ng = n ? jobs[0].n_genes : 0;
    metcn_report_row_t *rows = calloc(n * ng + 1, sizeof *rows);
    char *path = NULL;
    int r = rows ? 0 : metcn_set_error(METCN_E_NOMEM, "%s: out of memory", prefix);
    for (size_t i = 0; i < n && !r; i++)
        for (size_t g = 0; g < ng; g++)
            rows[i * ng + g] = (metcn_report_row_t){
                jobs[i].call[g],
                jobs[i].name,
                jobs[i].genes[g] ? jobs[i].genes[g]->name : jobs[i].gene_names[g],
                jobs[i].path,
                jobs[i].fail[g],
                jobs[i].error[g]};
    if (!r)
        r = (path = path_join(prefix, NULL, NULL, ".calls.tsv"))
                ? metcn_report_rows_tsv(path, rows, n * ng)
                : metcn_set_error(METCN_E_NOMEM, "%s: out of memory", prefix);
    free(path);
    path = NULL;
    if (!r)
        r = (path = path_join(prefix, NULL, NULL, ".json"))
                ? metcn_report_rows_json(path, rows, n * ng, meta)
                : metcn_set_error(METCN_E_NOMEM, "%s: out of memory", prefix);
    free(path);
    if (!r && out->multiqc)
        r = metcn_report_multiqc(prefix, rows, n * ng);
    for (size_t i = 0; i < n && out->sample_files && !r; i++)
        r = write_sample_files(prefix, &jobs[i]);
    for (size_t i = 0; i < n * ng && !out->quiet && !r; i++)
        print_summary(&rows[i]);
    free(rows);
    return r;
}

/* One line per failed sample on standard error, in input order (a sample whose genes all
 * failed for one reason: that reason once); returns the number of failed samples. */
static size_t report_failures(const job_t *jobs, size_t n)
{
    size_t failed = 0;
    for (size_t i = 0; i < n; i++) {
        const job_t *j = &jobs[i];
        if (!job_failed(j))
            continue;
        failed++;
        for (size_t g = 0; g < j->n_genes; g++) {
            size_t k = 0;
            while (k < g && !(j->error[k] && j->error[g] && strcmp(j->error[k], j->error[g]) == 0))
                k++;
            if (j->error[g] && k == g)
                cli_error(CMD, "%s", j->error[g]);
        }
    }
    return failed;
}

/* The command line, parsed. */
typedef struct {
    metcn_call_opt_t opt;
    const char *reference, *pon_path, *prefix;
    char *gene_arg, *crit_arg;
    int min_mapq, threads, quiet, sample_files, multiqc;
    char gene_buf[512], crit_buf[512];
    const char *gene[MAX_GENES]; /* --gene, in order */
    const metcn_criteria_t *crit[MAX_GENES];
    size_t n_genes;
    int sample_type_given;
    int size_min, size_max, size_given; /* --size-select */
    metcn_dedup_t dedup;                /* --dedup */
    int dedup_given;
    const char *fraction_opt; /* --purity, --tumour-fraction, --vaf or --somatic, whichever was
                                 given */
    double vaf;               /* --vaf V[:DEPTH], converted once --conf is known */
    int64_t vaf_depth;
    const char *snps, *normal; /* --snps, --normal */
    const char *somatic;       /* --somatic */
} args_t;

/* --purity, --tumour-fraction, --vaf and --somatic each set the one tumour fraction: one of them
 * only. */
static int fraction_once(args_t *a, const char *name)
{
    if (a->fraction_opt && strcmp(a->fraction_opt, name) != 0)
        return cli_usage_error(CMD, "%s: %s was given already (one tumour fraction per run)", name,
                               a->fraction_opt);
    a->fraction_opt = name;
    return -1;
}

/* Parse one option; returns -1 when handled, else an exit code. */
static int parse_opt(int c, args_t *a, char **argv)
{
    metcn_call_opt_t *opt = &a->opt;
    if (c >= OPT_TUNABLE && c < OPT_TUNABLE + (int)N_TUNABLES) {
        const tunable_t *t = &tunables[c - OPT_TUNABLE];
        char name[40];
        snprintf(name, sizeof name, "--%s", t->name);
        void *p = (char *)opt + t->off;
        int r = t->is_int ? cli_int(CMD, name, optarg, (int)t->lo, (int)t->hi, p)
                          : cli_double(CMD, name, optarg, t->lo, t->hi, p);
        return r ? CLI_EXIT_USAGE : -1;
    }
    switch (c) {
    case OPT_PON:
        a->pon_path = optarg;
        return -1;
    case 'o':
        a->prefix = optarg;
        return -1;
    case OPT_PURITY: {
        int r = metcn_purity_parse(optarg, &opt->purity, &opt->purity_lo, &opt->purity_hi);
        if (r == METCN_E_RANGE)
            return cli_usage_error(CMD, "--purity: '%s' is outside (0,1]", optarg);
        if (r)
            return cli_usage_error(CMD, "--purity: '%s' is not P, P+-D or LO-HI", optarg);
        opt->purity_source = METCN_PURITY_GIVEN;
        return fraction_once(a, "--purity");
    }
    case OPT_TF: {
        int r = metcn_tf_parse(optarg, &opt->purity, &opt->purity_lo, &opt->purity_hi);
        if (r == METCN_E_RANGE)
            return cli_usage_error(CMD, "--tumour-fraction: '%s' is outside (0,1]", optarg);
        if (r)
            return cli_usage_error(CMD, "--tumour-fraction: '%s' is not F, F+-D or LO-HI", optarg);
        opt->purity_source = METCN_PURITY_GIVEN;
        return fraction_once(a, "--tumour-fraction");
    }
    case OPT_VAF: {
        int r = metcn_vaf_parse(optarg, &a->vaf, &a->vaf_depth);
        if (r == METCN_E_RANGE)
            return cli_usage_error(CMD,
                                   "--vaf: '%s': the allele fraction must lie in (0,0.5] (a clonal "
                                   "heterozygous variant) and DEPTH be an integer >= 1",
                                   optarg);
        if (r)
            return cli_usage_error(CMD, "--vaf: '%s' is not V or V:DEPTH", optarg);
        opt->purity_source = METCN_PURITY_VAF;
        return fraction_once(a, "--vaf");
    }
    case OPT_SAMPLE_TYPE:
        if ((opt->sample_type = metcn_sample_type_parse(optarg)) < 0)
            return cli_usage_error(CMD, "--sample-type: '%s' is not tissue or plasma", optarg);
        a->sample_type_given = 1;
        return -1;
    case OPT_SIZE:
        a->size_given = 1;
        return cli_size_select(CMD, optarg, &a->size_min, &a->size_max) ? CLI_EXIT_USAGE : -1;
    case OPT_DEDUP:
        a->dedup_given = 1;
        return cli_dedup(CMD, optarg, &a->dedup) ? CLI_EXIT_USAGE : -1;
    case OPT_PLOIDY:
        return cli_double(CMD, "--ploidy", optarg, 0.5, 20, &opt->ploidy) ? CLI_EXIT_USAGE : -1;
    case OPT_CRITERIA:
        a->crit_arg = optarg;
        return -1;
    case OPT_GENE:
        a->gene_arg = optarg;
        return -1;
    case OPT_CONF:
        return cli_double(CMD, "--conf", optarg, 0.5, 0.999, &opt->conf) ? CLI_EXIT_USAGE : -1;
    case 'T':
        a->reference = optarg;
        return -1;
    case 'Q':
        return cli_int(CMD, "--min-mapq", optarg, 0, 255, &a->min_mapq) ? CLI_EXIT_USAGE : -1;
    case '@':
        return cli_int(CMD, "--threads", optarg, 1, 256, &a->threads) ? CLI_EXIT_USAGE : -1;
    case OPT_NO_SAMPLE_FILES:
        a->sample_files = 0;
        return -1;
    case OPT_NO_MULTIQC:
        a->multiqc = 0;
        return -1;
    case OPT_SNPS:
        a->snps = optarg;
        opt->estimate_purity = 1;
        return -1;
    case OPT_NORMAL:
        a->normal = optarg;
        return -1;
    case OPT_SOMATIC:
        a->somatic = optarg;
        return fraction_once(a, "--somatic");
    case OPT_ESTIMATE:
        opt->estimate_purity = 1;
        return -1;
    case OPT_DISAGREE:
        return cli_double(CMD, "--purity-disagree", optarg, 0, 1, &opt->disagree_min)
                   ? CLI_EXIT_USAGE
                   : -1;
    case 'q':
        a->quiet = 1;
        return -1;
    case 'h':
        help(stdout);
        return CLI_EXIT_OK;
    case ':':
        return cli_usage_error(CMD, "option '%s' needs a value", argv[optind - 1]);
    default:
        return cli_usage_error(CMD, "unknown option '%s'", argv[optind - 1]);
    }
}

/* The whole command line into a; returns -1 to go on, else the exit code. */
static int parse_args(int argc, char **argv, args_t *a)
{
    static const struct option fixed[] = {
        {"pon", required_argument, NULL, OPT_PON},
        {"output", required_argument, NULL, 'o'},
        {"purity", required_argument, NULL, OPT_PURITY},
        {"tumour-fraction", required_argument, NULL, OPT_TF},
        {"vaf", required_argument, NULL, OPT_VAF},
        {"sample-type", required_argument, NULL, OPT_SAMPLE_TYPE},
        {"size-select", required_argument, NULL, OPT_SIZE},
        {"dedup", required_argument, NULL, OPT_DEDUP},
        {"ploidy", required_argument, NULL, OPT_PLOIDY},
        {"criteria", required_argument, NULL, OPT_CRITERIA},
        {"gene", required_argument, NULL, OPT_GENE},
        {"conf", required_argument, NULL, OPT_CONF},
        {"reference", required_argument, NULL, 'T'},
        {"min-mapq", required_argument, NULL, 'Q'},
        {"threads", required_argument, NULL, '@'},
        {"no-sample-files", no_argument, NULL, OPT_NO_SAMPLE_FILES},
        {"no-multiqc", no_argument, NULL, OPT_NO_MULTIQC},
        {"snps", required_argument, NULL, OPT_SNPS},
        {"normal", required_argument, NULL, OPT_NORMAL},
        {"somatic", required_argument, NULL, OPT_SOMATIC},
        {"estimate-purity", no_argument, NULL, OPT_ESTIMATE},
        {"purity-disagree", required_argument, NULL, OPT_DISAGREE},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
    };
    const size_t nfixed = sizeof fixed / sizeof fixed[0];
    struct option longopts[sizeof fixed / sizeof fixed[0] + N_TUNABLES + 1];
    memcpy(longopts, fixed, sizeof fixed);
    for (size_t k = 0; k < N_TUNABLES; k++)
        longopts[nfixed + k] =
            (struct option){tunables[k].name, required_argument, NULL, OPT_TUNABLE + (int)k};
    longopts[nfixed + N_TUNABLES] = (struct option){NULL, 0, NULL, 0};
    int c, r;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":o:T:Q:@:qh", longopts, NULL)) != -1)
        if ((r = parse_opt(c, a, argv)) >= 0)
            return r;
    if ((r = cli_prefix_check(CMD, a->prefix)) != 0)
        return r;
    if (optind >= argc)
        return cli_usage_error(CMD, "no tumour input given");
    if (a->normal && !a->snps)
        return cli_usage_error(CMD, "--normal needs --snps (the sites to genotype)");
    if (a->normal && argc - optind != 1)
        return cli_usage_error(CMD, "--normal: one tumour per run with a matched normal (%d given)",
                               argc - optind);
    if (a->opt.purity_source == METCN_PURITY_VAF &&
        metcn_tf_from_vaf(a->vaf, a->vaf_depth, a->opt.conf, &a->opt.purity, &a->opt.purity_lo,
                          &a->opt.purity_hi))
        return cli_usage_error(CMD, "--vaf: %s", metcn_last_error());
    if (metcn_call_opt_check(&a->opt))
        return cli_usage_error(CMD, "%s", metcn_last_error());
    if (snprintf(a->gene_buf, sizeof a->gene_buf, "%s", a->gene_arg ? a->gene_arg : "MET") >=
        (int)sizeof a->gene_buf)
        return cli_usage_error(CMD, "--gene: list too long");
    if ((r = parse_genes(a->gene_buf, a->gene, &a->n_genes)) != 0)
        return r;
    if (!a->crit_arg)
        return -1;
    if (snprintf(a->crit_buf, sizeof a->crit_buf, "%s", a->crit_arg) >= (int)sizeof a->crit_buf)
        return cli_usage_error(CMD, "--criteria: list too long");
    if ((r = parse_criteria(a->crit_buf, a->gene, a->n_genes, a->crit)) != 0)
        return r;
    return -1;
}

/* --somatic's variants on the PoN's panel, read once before any tumour: a bad file, or one
 * without a variant near the panel's bins, stops the run. */
static metcn_sites_t *somatic_list(const char *path, const metcn_pon_t *pon,
                                   const metcn_cov_opt_t *cov_opt)
{
    metcn_sites_t *s = metcn_sites_load(path, metcn_pon_panel(pon), cov_opt->snp_flank);
    if (s && s->n == 0) {
        metcn_set_error(METCN_E_ARG,
                        "%s: --somatic: no biallelic SNV within %lld bp of the panel's bins "
                        "(%zu records skipped)",
                        path, (long long)cov_opt->snp_flank, s->n_skipped);
        metcn_sites_destroy(s);
        return NULL;
    }
    return s;
}

int metcn_main_call(int argc, char **argv)
{
    args_t a;
    memset(&a, 0, sizeof a);
    metcn_call_opt_init(&a.opt);
    a.min_mapq = -1;
    a.threads = 1;
    a.sample_files = 1;
    a.multiqc = 1;
    int rc = parse_args(argc, argv, &a);
    if (rc >= 0)
        return rc;
    if (metcn_output_prefix_check(a.prefix) != 0)
        return cli_runtime_error(CMD);
    rc = CLI_EXIT_RUNTIME;
    metcn_cov_opt_t cov_opt;
    metcn_cov_opt_init(&cov_opt);
    cov_opt.reference = a.reference; /* CRAM decoding only: the GC of the bins is the PoN's */
    cov_opt.gc = 0;
    if (a.min_mapq >= 0)
        cov_opt.min_mapq = a.min_mapq;
    if (a.threads > 1)
        cov_opt.threads = 0; /* parallelism is across samples */
    cov_opt.snps = a.snps;
    cov_opt.somatic = a.somatic;
    size_t n = (size_t)(argc - optind), ng = a.n_genes;
    metcn_pon_t *pon = NULL;
    metcn_gene_t *genes[MAX_GENES] = {NULL};
    metcn_call_opt_t gopt[MAX_GENES];
    job_t *jobs = NULL;
    char *cmdline = NULL;
    metcn_sample_t *normal = NULL;
    metcn_sites_t *somatic = NULL, *normal_germ = NULL;

    if (a.pon_path && !(pon = metcn_pon_load(a.pon_path))) {
        rc = cli_runtime_error(CMD);
        goto out;
    }
    if (a.somatic && !pon) {
        rc = cli_usage_error(CMD, "--somatic needs --pon (its panel places the variants)");
        goto out;
    }
    if (a.somatic && !(somatic = somatic_list(a.somatic, pon, &cov_opt))) {
        rc = cli_runtime_error(CMD);
        goto out;
    }
    if (a.snps && pon) { /* the site list once, before any tumour: a bad one stops the run */
        metcn_sites_t *sites = metcn_sites_load(a.snps, metcn_pon_panel(pon), cov_opt.snp_flank);
        if (!sites) {
            rc = cli_runtime_error(CMD);
            goto out;
        }
        pon_sites_overlap(pon, sites, a.snps);
        metcn_sites_destroy(sites);
    }
    a.opt.pon_sites = pon; /* its site records, if any: per-site REF bias and flags */
    if (a.normal && (!pon || !(normal = open_normal(a.normal, pon, &cov_opt)))) {
        rc = pon ? cli_runtime_error(CMD) : cli_usage_error(CMD, "--normal needs --pon");
        goto out;
    }
    if (normal && somatic && !(normal_germ = metcn_sites_without(normal->cov->sites, somatic))) {
        rc = cli_runtime_error(CMD);
        goto out;
    }
    if (!a.sample_type_given && pon && pon_sample_type(pon) >= 0)
        a.opt.sample_type = pon_sample_type(pon);
    if (!a.size_given && pon)
        metcn_pon_size_select(pon, &a.size_min, &a.size_max);
    cov_opt.size_min = a.size_min;
    cov_opt.size_max = a.size_max;
    cov_opt.dedup = a.dedup_given || !pon ? a.dedup : (metcn_dedup_t)metcn_pon_dedup(pon);
    for (size_t g = 0; g < ng; g++) {
        gopt[g] = a.opt;
        gopt[g].criteria = a.crit[g] ? a.crit[g] : metcn_criteria_default(a.gene[g]);
        if (pon && !(genes[g] = metcn_panel_gene(metcn_pon_panel(pon), a.gene[g], NULL))) {
            rc = cli_error(CMD, "%s: %s", a.pon_path, metcn_last_error());
            goto out;
        }
    }
    if (!(jobs = calloc(n, sizeof *jobs))) {
        rc = cli_error(CMD, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        jobs[i] = (job_t){.path = argv[optind + (int)i],
                          .pon = pon,
                          .genes = genes,
                          .gene_names = a.gene,
                          .opts = gopt,
                          .n_genes = ng,
                          .cov_opt = &cov_opt,
                          .normal = normal_germ ? normal_germ
                                    : normal    ? normal->cov->sites
                                                : NULL,
                          .somatic = somatic};
    run_all(jobs, n, a.threads);
    int oom = 0;
    for (size_t i = 0; i < n; i++)
        oom |= jobs[i].oom;
    if (oom || unique_samples(jobs, n)) {
        rc = cli_error(CMD, "out of memory");
        goto out;
    }
    size_t failed = report_failures(jobs, n);
    cmdline = cli_cmdline(argc, argv);
    metcn_report_meta_t meta = {cmdline, a.pon_path, pon, &a.opt, NULL, cov_opt.reference};
    outputs_t outs = {a.sample_files, a.multiqc, a.quiet};
    if (write_all(a.prefix, jobs, n, &meta, &outs)) {
        rc = cli_runtime_error(CMD);
        goto out;
    }
    if (failed)
        cli_error(CMD, "%zu of %zu samples failed: their rows in %s.calls.tsv say qc=fail and why",
                  failed, n, a.prefix);
    rc = failed ? CLI_EXIT_PARTIAL : CLI_EXIT_OK;
out:
    for (size_t i = 0; jobs && i < n; i++) {
        for (size_t g = 0; g < ng; g++) {
            metcn_call_destroy(jobs[i].call[g]);
            free(jobs[i].error[g]);
            metcn_gene_destroy(jobs[i].own_genes[g]);
        }
        metcn_sample_close(jobs[i].own);
        metcn_sample_close(jobs[i].kept);
        metcn_sites_destroy(jobs[i].germ);
        metcn_somatic_free(&jobs[i].som);
        free(jobs[i].name);
    }
    for (size_t g = 0; g < ng; g++)
        metcn_gene_destroy(genes[g]);
    free(jobs);
    free(cmdline);
    metcn_sample_close(normal);
    metcn_sites_destroy(normal_germ);
    metcn_sites_destroy(somatic);
    metcn_pon_destroy(pon);
    return rc;
}
