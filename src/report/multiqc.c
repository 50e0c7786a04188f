/* multiqc.c -- MultiQC custom content (`*_mqc.json`, MultiQC >= 1.x custom-content format:
 * id, section_name, plot_type, pconfig, headers, data) written by `metcn call` and `metcn pon
 * build`, so that a MultiQC run over a results directory shows metcn beside the lab's other
 * tools.  One file per section, all under one parent section "metcn"; files of several runs
 * with the same id merge in MultiQC (one run per sample in a workflow gives one table).
 * Every run writes the same headers whatever its genes' results or sample type, because
 * MultiQC keeps the configuration of the last file it reads for an id.  Values that are not
 * finite are left out (MultiQC shows an empty cell).  Formats: docs/call.md, docs/pon.md. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <htslib/kstring.h>

#include "core/json.h"
#include "metcn/call.h"
#include "metcn/metcn.h"
#include "metcn/pon.h"
#include "metcn/report.h"
#include "report_json.h"

#define MAX_RUN_GENES 64

static const char *const suffixes[] = {".metcn_general_mqc.json", ".metcn_calls_mqc.json",
                                       ".metcn_cn_mqc.json", ".metcn_scatter_mqc.json", NULL};

const char *const *metcn_report_multiqc_suffixes(void)
{
    return suffixes;
}

/* The parent section every metcn section sits in. */
static void parent(metcn_json_t *j)
{
    metcn_json_str(j, "parent_id", "metcn");
    metcn_json_str(j, "parent_name", "metcn");
    metcn_json_str(j, "parent_description",
                   "Gene copy number per tumour cell with its interval, the control chromosome's "
                   "level, the FISH-like gene/control ratio and its tier, and QC (metcn call "
                   "against a panel of normals from metcn pon build).");
}

/* A new document for one section of the metcn parent section: its id, name, description and
 * plot type, and the start of its pconfig (id and title; the caller adds to it and closes
 * it).  NULL when out of memory (message recorded). */
static metcn_json_t *section_begin(const char *path, const char *id, const char *name,
                                   const char *desc, const char *plot_type, const char *plot_id,
                                   const char *title)
{
    metcn_json_t *j = metcn_json_new();
    if (!j) {
        metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
        return NULL;
    }
    metcn_json_begin_object(j, NULL);
    metcn_json_str(j, "id", id);
    metcn_json_str(j, "section_name", name);
    metcn_json_str(j, "description", desc);
    metcn_json_str(j, "plot_type", plot_type);
    parent(j);
    metcn_json_begin_object(j, "pconfig");
    metcn_json_str(j, "id", plot_id);
    metcn_json_str(j, "title", title);
    return j;
}

static void num_if(metcn_json_t *j, const char *key, double x)
{
    if (isfinite(x))
        metcn_json_num(j, key, x);
}

/* One column header: title, description and, for numbers, a format and colour scale. */
static void header(metcn_json_t *j, const char *key, const char *title, const char *desc,
                   const char *scale, double min, double max, int hidden)
{
    metcn_json_begin_object(j, key);
    metcn_json_str(j, "title", title);
    metcn_json_str(j, "description", desc);
    if (scale) {
        metcn_json_str(j, "format", "{:,.2f}");
        metcn_json_str(j, "scale", scale);
        num_if(j, "min", min);
        num_if(j, "max", max);
    } else
        metcn_json_bool(j, "scale", 0);
    if (hidden)
        metcn_json_bool(j, "hidden", 1);
    metcn_json_end_object(j);
}

/* The distinct genes of the rows, in order of first appearance (at most MAX_RUN_GENES). */
static size_t run_genes(const metcn_report_row_t *rows, size_t n, const char **genes)
{
    size_t ng = 0;
    for (size_t i = 0; i < n; i++) {
        const char *g = rows[i].call ? rows[i].call->gene->name : rows[i].gene;
        size_t k = 0;
        while (k < ng && strcmp(genes[k], g) != 0)
            k++;
        if (k == ng && ng < MAX_RUN_GENES)
            genes[ng++] = g;
    }
    return ng;
}

static const char *row_sample(const metcn_report_row_t *r)
{
    return r->call ? r->call->sample : r->sample;
}

static const char *row_gene(const metcn_report_row_t *r)
{
    return r->call ? r->call->gene->name : r->gene;
}

/* The key of a row in the per-row sections: the sample, or "sample gene" with several genes. */
static const char *row_key(kstring_t *k, const metcn_report_row_t *r, size_t n_genes)
{
    k->l = 0;
    kputs(row_sample(r), k);
    if (n_genes > 1) {
        kputc(' ', k);
        kputs(row_gene(r), k);
    }
    return k->s;
}

/* ---- General Statistics: one row per sample, columns per gene ------------------------------ */

static void general_headers(metcn_json_t *j, const char *const *genes, size_t ng)
{
    char key[96], title[96], desc[160];
    metcn_json_begin_array(j, "pconfig");
    for (size_t g = 0; g < ng; g++) {
        static const struct {
            const char *key, *title, *desc, *scale;
            int hidden;
        } col[] = {
            {"cn", "%s CN", "%s copies per tumour cell (metcn)", "OrRd", 0},
            {"ratio", "%s ratio", "%s / control chromosome ratio, FISH-like (metcn)", "Purples", 0},
            {"tier", "%s tier", "%s tier under its criteria (metcn)", NULL, 0},
            {"detection", "%s detection",
             "%s amplification detected / not_detected / "
             "not_assessable (metcn; plasma samples)",
             NULL, 0},
        };
        for (size_t c = 0; c < sizeof col / sizeof col[0]; c++) {
            snprintf(key, sizeof key, "%s_%s", genes[g], col[c].key);
            snprintf(title, sizeof title, col[c].title, genes[g]);
            snprintf(desc, sizeof desc, col[c].desc, genes[g]);
            metcn_json_begin_object(j, NULL);
            header(j, key, title, desc, col[c].scale, col[c].scale ? 0 : NAN, NAN, col[c].hidden);
            metcn_json_end_object(j);
        }
    }
    metcn_json_begin_object(j, NULL);
    header(j, "qc", "metcn QC", "worst QC of the sample's calls (pass / warn / fail)", NULL, NAN,
           NAN, 0);
    metcn_json_end_object(j);
    metcn_json_begin_object(j, NULL);
    header(j, "purity", "Purity", "tumour-cell fraction used by metcn (tissue samples)", "Greens",
           0, 1, 0);
    metcn_json_end_object(j);
    metcn_json_begin_object(j, NULL);
    header(j, "tumour_fraction", "TF", "tumour DNA fraction used by metcn (plasma samples)",
           "Greens", 0, 1, 0);
    metcn_json_end_object(j);
    metcn_json_end_array(j);
}

/* Rows i..e-1 are one sample's (consecutive, genes in order). */
static void general_sample(metcn_json_t *j, const metcn_report_row_t *rows, size_t i, size_t e)
{
    char key[96];
    metcn_qc_t worst = METCN_QC_PASS;
    const metcn_call_t *any = NULL;
    metcn_json_begin_object(j, row_sample(&rows[i]));
    for (size_t r = i; r < e; r++) {
        const metcn_call_t *c = rows[r].call;
        if (!c) {
            worst = METCN_QC_FAIL;
            continue;
        }
        any = c;
        worst = c->qc > worst ? c->qc : worst;
        const char *g = c->gene->name;
        snprintf(key, sizeof key, "%s_cn", g);
        num_if(j, key, c->gene_cn.cn);
        snprintf(key, sizeof key, "%s_ratio", g);
        num_if(j, key, c->ratio);
        snprintf(key, sizeof key, "%s_tier", g);
        metcn_json_str(j, key, metcn_criteria_tier_name(c->criteria, c->tier));
        if (c->sample_type == METCN_SAMPLE_PLASMA) {
            snprintf(key, sizeof key, "%s_detection", g);
            metcn_json_str(j, key, metcn_detection_name(c->detection));
        }
    }
    metcn_json_str(j, "qc", metcn_qc_name(worst));
    if (any)
        num_if(j, any->sample_type == METCN_SAMPLE_PLASMA ? "tumour_fraction" : "purity",
               any->purity);
    metcn_json_end_object(j);
}

static int write_general(const char *path, const metcn_report_row_t *rows, size_t n,
                         const char *const *genes, size_t ng)
{
    metcn_json_t *j = metcn_json_new();
    if (!j)
        return metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
    metcn_json_begin_object(j, NULL);
    metcn_json_str(j, "id", "metcn_general");
    metcn_json_str(j, "plot_type", "generalstats");
    general_headers(j, genes, ng);
    metcn_json_begin_object(j, "data");
    for (size_t i = 0; i < n;) {
        size_t e = i + 1;
        while (e < n && strcmp(row_sample(&rows[e]), row_sample(&rows[i])) == 0)
            e++;
        general_sample(j, rows, i, e);
        i = e;
    }
    metcn_json_end_object(j);
    metcn_json_end_object(j);
    return report_json_finish(j, path);
}

/* ---- the calls table ------------------------------------------------------------------------ */

static void calls_headers(metcn_json_t *j)
{
    metcn_json_begin_object(j, "headers");
    header(j, "gene", "Gene", "gene called", NULL, NAN, NAN, 0);
    header(j, "cn", "CN", "gene copies per tumour cell", "OrRd", 0, NAN, 0);
    header(j, "cn_low", "CN low", "lower bound of the copy number's interval", "OrRd", 0, NAN, 0);
    header(j, "cn_high", "CN high", "upper bound of the copy number's interval", "OrRd", 0, NAN, 0);
    header(j, "control", "Control", "the control chromosome", NULL, NAN, NAN, 1);
    header(j, "control_cn", "Control CN", "control chromosome copies per tumour cell", "Blues", 0,
           NAN, 0);
    header(j, "ratio", "Ratio", "gene / control ratio (FISH-like)", "Purples", 0, NAN, 0);
    header(j, "ratio_low", "Ratio low", "lower bound of the ratio's interval", "Purples", 0, NAN,
           0);
    header(j, "ratio_high", "Ratio high", "upper bound of the ratio's interval", "Purples", 0, NAN,
           0);
    header(j, "tier", "Tier", "tier under the gene's criteria", NULL, NAN, NAN, 0);
    header(j, "criteria", "Criteria", "the tier preset", NULL, NAN, NAN, 1);
    header(j, "equivocal", "Equivocal", "the interval meets more than one tier", NULL, NAN, NAN, 0);
    header(j, "high_amp", "High-level", "copy number above the high-level threshold", NULL, NAN,
           NAN, 0);
    header(j, "pattern", "Pattern", "focal / polysomy / focal_on_polysomy / none", NULL, NAN, NAN,
           0);
    header(j, "sample_type", "Type", "tissue or plasma", NULL, NAN, NAN, 1);
    header(j, "purity", "Purity / TF",
           "tumour-cell fraction (tissue) or tumour DNA fraction "
           "(plasma) used",
           "Greens", 0, 1, 0);
    header(j, "purity_source", "Purity source", "given, vaf, somatic, estimated or assumed", NULL,
           NAN, NAN, 0);
    header(j, "plasma_cn", "Plasma CN", "copy number of the mixture (2 x copy ratio)", "OrRd", 0,
           NAN, 1);
    header(j, "detection", "Detection", "detected / not_detected / not_assessable", NULL, NAN, NAN,
           0);
    header(j, "lod_tf_cn5", "LoD TF (5 copies)",
           "tumour fraction at which 5 copies would be detected", "Greys", 0, 1, 1);
    header(j, "qc", "QC", "pass / warn / fail", NULL, NAN, NAN, 0);
    header(j, "qc_reasons", "QC reasons", "QC records; for a failed sample, why", NULL, NAN, NAN,
           0);
    metcn_json_end_object(j);
}

static void calls_row(metcn_json_t *j, const char *key, const metcn_report_row_t *r)
{
    const metcn_call_t *c = r->call;
    metcn_json_begin_object(j, key);
    metcn_json_str(j, "gene", row_gene(r));
    if (!c) {
        char *why = metcn_report_fail_reason(r);
        metcn_json_str(j, "qc", metcn_qc_name(METCN_QC_FAIL));
        metcn_json_str(j, "qc_reasons", why ? why : metcn_fail_name(r->fail));
        free(why);
        metcn_json_end_object(j);
        return;
    }
    num_if(j, "cn", c->gene_cn.cn);
    num_if(j, "cn_low", c->gene_cn.lo);
    num_if(j, "cn_high", c->gene_cn.hi);
    metcn_json_str(j, "control", c->control);
    num_if(j, "control_cn", c->control_cn.cn);
    num_if(j, "ratio", c->ratio);
    num_if(j, "ratio_low", c->ratio_lo);
    num_if(j, "ratio_high", c->ratio_hi);
    metcn_json_str(j, "tier", metcn_criteria_tier_name(c->criteria, c->tier));
    metcn_json_str(j, "criteria", c->criteria->name);
    metcn_json_str(j, "equivocal", c->equivocal ? "yes" : "no");
    metcn_json_str(j, "high_amp", metcn_highamp_name(c->high_amp));
    metcn_json_str(j, "pattern", metcn_pattern_name(c->pattern));
    metcn_json_str(j, "sample_type", metcn_sample_type_name(c->sample_type));
    num_if(j, "purity", c->purity);
    metcn_json_str(j, "purity_source", metcn_purity_source_name(c->purity_source));
    num_if(j, "plasma_cn", c->plasma_cn.cn);
    metcn_json_str(j, "detection", metcn_detection_name(c->detection));
    num_if(j, "lod_tf_cn5", c->lod_tf_cn5);
    metcn_json_str(j, "qc", metcn_qc_name(c->qc));
    char *qr = metcn_call_qc_string(c);
    metcn_json_str(j, "qc_reasons", qr ? qr : ".");
    free(qr);
    metcn_json_end_object(j);
}

static int write_calls(const char *path, const metcn_report_row_t *rows, size_t n, size_t ng)
{
    metcn_json_t *j = section_begin(path, "metcn_calls", "Calls",
                                    "One row per sample and gene, as in the calls table; a sample "
                                    "that could not be called has qc fail and the reason.",
                                    "table", "metcn_calls_table", "metcn: calls");
    kstring_t key = {0, 0, NULL};
    if (!j)
        return metcn_last_error_code();
    metcn_json_bool(j, "sortRows", 0);
    metcn_json_end_object(j);
    calls_headers(j);
    metcn_json_begin_object(j, "data");
    for (size_t i = 0; i < n; i++)
        calls_row(j, row_key(&key, &rows[i], ng), &rows[i]);
    metcn_json_end_object(j);
    metcn_json_end_object(j);
    free(key.s);
    return report_json_finish(j, path);
}

/* ---- plots ---------------------------------------------------------------------------------- */

/* Copy number with its interval as a stacked bar: up to the lower bound, lower bound to the
 * estimate, estimate to the upper bound (MultiQC has no error bars). */
static int write_cn(const char *path, const metcn_report_row_t *rows, size_t n, size_t ng)
{
    metcn_json_t *j = section_begin(
        path, "metcn_cn", "Copy number",
        "Gene copies per tumour cell with the interval: the bar ends at the upper bound, the "
        "dark segment at the estimate, the light one at the lower bound.",
        "bargraph", "metcn_cn_plot", "metcn: copy number per tumour cell");
    kstring_t key = {0, 0, NULL};
    if (!j)
        return metcn_last_error_code();
    metcn_json_str(j, "ylab", "copies per tumour cell");
    metcn_json_bool(j, "cpswitch", 0);
    metcn_json_bool(j, "tt_percentages", 0);
    metcn_json_end_object(j);
    metcn_json_begin_object(j, "categories");
    static const char *const cat[][3] = {{"lower", "up to the lower bound", "#9ecae1"},
                                         {"to_estimate", "lower bound to estimate", "#3182bd"},
                                         {"to_upper", "estimate to upper bound", "#fdae6b"}};
    for (int c = 0; c < 3; c++) {
        metcn_json_begin_object(j, cat[c][0]);
        metcn_json_str(j, "name", cat[c][1]);
        metcn_json_str(j, "color", cat[c][2]);
        metcn_json_end_object(j);
    }
    metcn_json_end_object(j);
    metcn_json_begin_object(j, "data");
    for (size_t i = 0; i < n; i++) {
        const metcn_call_t *c = rows[i].call;
        if (!c || !isfinite(c->gene_cn.cn) || !isfinite(c->gene_cn.lo) || !isfinite(c->gene_cn.hi))
            continue;
        metcn_json_begin_object(j, row_key(&key, &rows[i], ng));
        metcn_json_num(j, "lower", c->gene_cn.lo);
        metcn_json_num(j, "to_estimate", c->gene_cn.cn - c->gene_cn.lo);
        metcn_json_num(j, "to_upper", c->gene_cn.hi - c->gene_cn.cn);
        metcn_json_end_object(j);
    }
    metcn_json_end_object(j);
    metcn_json_end_object(j);
    free(key.s);
    return report_json_finish(j, path);
}

/* Gene against control copy number: focal amplification rises above the diagonal, polysomy
 * moves along it. */
static int write_scatter(const char *path, const metcn_report_row_t *rows, size_t n, size_t ng)
{
    metcn_json_t *j =
        section_begin(path, "metcn_scatter", "Gene vs control",
                      "Gene copy number against the control chromosome's: focal "
                      "amplification rises above the diagonal, polysomy moves "
                      "along it.",
                      "scatter", "metcn_scatter_plot", "metcn: gene vs control copy number");
    kstring_t key = {0, 0, NULL};
    if (!j)
        return metcn_last_error_code();
    metcn_json_str(j, "xlab", "control copies per tumour cell");
    metcn_json_str(j, "ylab", "gene copies per tumour cell");
    metcn_json_end_object(j);
    metcn_json_begin_object(j, "data");
    for (size_t i = 0; i < n; i++) {
        const metcn_call_t *c = rows[i].call;
        if (!c || !isfinite(c->gene_cn.cn) || !isfinite(c->control_cn.cn))
            continue;
        metcn_json_begin_object(j, row_key(&key, &rows[i], ng));
        metcn_json_num(j, "x", c->control_cn.cn);
        metcn_json_num(j, "y", c->gene_cn.cn);
        metcn_json_end_object(j);
    }
    metcn_json_end_object(j);
    metcn_json_end_object(j);
    free(key.s);
    return report_json_finish(j, path);
}

int metcn_report_multiqc(const char *prefix, const metcn_report_row_t *rows, size_t n)
{
    const char *genes[MAX_RUN_GENES];
    size_t ng = run_genes(rows, n, genes);
    kstring_t path = {0, 0, NULL};
    int r = 0;
    for (int f = 0; suffixes[f] && r == 0; f++) {
        path.l = 0;
        if (ksprintf(&path, "%s%s", prefix, suffixes[f]) < 0) {
            r = metcn_set_error(METCN_E_NOMEM, "%s: out of memory", prefix);
            break;
        }
        r = f == 0   ? write_general(path.s, rows, n, genes, ng)
            : f == 1 ? write_calls(path.s, rows, n, ng)
            : f == 2 ? write_cn(path.s, rows, n, ng)
                     : write_scatter(path.s, rows, n, ng);
    }
    free(path.s);
    return r;
}

/* ---- the panel of normals ------------------------------------------------------------------- */

/* ok / outlier / dropped (--drop-outliers) / failed (its input could not be used). */
static const char *normal_status(const metcn_pon_sample_t *s)
{
    return s->reason ? "failed" : s->dropped ? "dropped" : s->outlier ? "outlier" : "ok";
}

int metcn_report_pon_multiqc(const char *path, const metcn_pon_t *pon)
{
    char desc[256];
    snprintf(desc, sizeof desc,
             "The normals of the panel of normals (metcn pon build): leave-one-out noise, robust "
             "z across the normals (an outlier above %g), sex from chrX; %zu of %zu used.",
             metcn_pon_options(pon)->outlier_z, metcn_pon_n_normals(pon), metcn_pon_n_samples(pon));
    metcn_json_t *j = section_begin(path, "metcn_pon", "Panel of normals", desc, "table",
                                    "metcn_pon_table", "metcn: normals");
    if (!j)
        return metcn_last_error_code();
    metcn_json_bool(j, "sortRows", 0);
    metcn_json_end_object(j);
    metcn_json_begin_object(j, "headers");
    header(j, "sex", "Sex", "XX / XY / unknown, from chrX", NULL, NAN, NAN, 0);
    header(j, "x_log2", "chrX log2", "median chrX log2 relative to the autosomes", "RdBu", NAN, NAN,
           1);
    header(j, "median_depth", "Depth", "median raw depth of the reference bins", "Blues", 0, NAN,
           0);
    header(j, "gc_strength", "GC strength", "size of the GC correction (log2)", "Oranges", 0, NAN,
           1);
    header(j, "mapd", "MAPD", "leave-one-out MAPD (noise)", "OrRd", 0, NAN, 0);
    header(j, "max_abs_log2", "Max |log2|", "leave-one-out largest |log2| of an autosomal bin",
           "OrRd", 0, NAN, 0);
    header(j, "z_mapd", "MAPD z", "robust z of the MAPD across the normals", "RdYlGn-rev", NAN, NAN,
           0);
    header(j, "z_max", "Max z", "robust z of max |log2| across the normals", "RdYlGn-rev", NAN, NAN,
           0);
    header(j, "status", "Status", "ok / outlier / dropped / failed", NULL, NAN, NAN, 0);
    header(j, "reason", "Reason", "why a normal failed: its input could not be used", NULL, NAN,
           NAN, 0);
    metcn_json_end_object(j);
    metcn_json_begin_object(j, "data");
    for (size_t i = 0; i < metcn_pon_n_samples(pon); i++) {
        const metcn_pon_sample_t *s = metcn_pon_sample(pon, i);
        metcn_json_begin_object(j, s->name);
        metcn_json_str(j, "sex", metcn_sex_name(s->sex));
        num_if(j, "x_log2", s->x_log2);
        num_if(j, "median_depth", s->median_depth);
        num_if(j, "gc_strength", s->gc_strength);
        num_if(j, "mapd", s->mapd);
        num_if(j, "max_abs_log2", s->max_abs_log2);
        num_if(j, "z_mapd", s->z_mapd);
        num_if(j, "z_max", s->z_max);
        metcn_json_str(j, "status", normal_status(s));
        if (s->reason)
            metcn_json_str(j, "reason", s->reason);
        metcn_json_end_object(j);
    }
    metcn_json_end_object(j);
    metcn_json_end_object(j);
    return report_json_finish(j, path);
}
