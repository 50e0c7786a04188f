/* report.c -- calls table, JSON report, readable summary. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <htslib/kstring.h>

#include "metcn/call.h"
#include "core/json.h"
#include "metcn/metcn.h"
#include "metcn/pon.h"
#include "metcn/report.h"
#include "metcn/util.h"
#include "report_fmt.h"
#include "report_json.h"

static const char calls_header[] =
    "sample\tgene\tcontrol\tcn\tcn_low\tcn_high\tcontrol_cn\tcontrol_cn_low\tcontrol_cn_high\t"
    "ratio\tratio_low\tratio_high\ttier\tequivocal\thigh_amp\tgcn_class\tpattern\tpurity\t"
    "purity_low\tpurity_high\tpurity_source\tploidy\tqc\tqc_reasons\tcriteria\tgene_log2\t"
    "control_log2\tmapd\tlod_cn\ttumour_fraction\ttumour_fraction_low\ttumour_fraction_high\t"
    "tumour_fraction_source\tplasma_cn\tplasma_cn_low\tplasma_cn_high\tdetection\tlod_tf_cn5\t"
    "lod_tf_cn10\tpurity_estimate\tpurity_estimate_low\tpurity_estimate_high\t"
    "purity_estimate_status\tploidy_estimate\tploidy_mean\tshort_frac\tshort_frac_expected\t"
    "short_excess\tshort_excess_z\tshort_excess_predicted\tfragment_support";

const char *metcn_report_calls_header(void)
{
    return calls_header;
}

char *metcn_report_safe_name(const char *sample)
{
    char *s = strdup(sample && *sample ? sample : "sample");
    if (!s)
        return NULL;
    for (char *p = s; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-' && *p != '_')
            *p = '_';
    if (s[0] == '.')
        s[0] = '_'; /* never a hidden file or "..": */
    return s;
}

/* One field: a tab before every field but the first. */
static void field(kstring_t *k, const char *v)
{
    if (k->l)
        kputc('\t', k);
    kputs(v, k);
}

/* A number with 4 significant digits, NA when not finite. */
static void field_num(kstring_t *k, double x)
{
    char b[32];
    field(k, metcn_fmt_double(b, x, 4));
}

/* The tumour-cell fraction with its range and source: the purity columns and the
 * tumour_fraction columns (one fraction whatever the sample type). */
static void fraction_fields(kstring_t *k, const metcn_call_t *c)
{
    field_num(k, c->purity);
    field_num(k, c->purity_lo);
    field_num(k, c->purity_hi);
    field(k, metcn_purity_source_name(c->purity_source));
}

/* One calls-table row (no newline) in the column order of calls_header; NULL on allocation
 * failure (caller frees). */
static char *calls_row(const metcn_call_t *c)
{
    kstring_t k = {0, 0, NULL};
    char *qr = metcn_call_qc_string(c);
    if (!qr)
        return NULL;
    field(&k, c->sample);
    field(&k, c->gene->name);
    field(&k, c->control);
    const double cn[] = {c->gene_cn.cn,    c->gene_cn.lo,    c->gene_cn.hi,
                         c->control_cn.cn, c->control_cn.lo, c->control_cn.hi,
                         c->ratio,         c->ratio_lo,      c->ratio_hi};
    for (size_t i = 0; i < sizeof cn / sizeof cn[0]; i++)
        field_num(&k, cn[i]);
    field(&k, metcn_criteria_tier_name(c->criteria, c->tier));
    field(&k, c->equivocal ? "yes" : "no");
    field(&k, metcn_highamp_name(c->high_amp));
    field(&k, metcn_gcn_name(c->gcn_class));
    field(&k, metcn_pattern_name(c->pattern));
    fraction_fields(&k, c); /* purity, purity_low, purity_high, purity_source */
    field_num(&k, c->ploidy);
    field(&k, metcn_qc_name(c->qc));
    field(&k, qr);
    field(&k, c->criteria->name);
    field_num(&k, c->gene_lv.est);
    field_num(&k, c->control_lv.est);
    field_num(&k, c->mapd);
    field_num(&k, c->lod_cn);
    fraction_fields(&k, c); /* tumour_fraction ... _source: the same fraction */
    field_num(&k, c->plasma_cn.cn);
    field_num(&k, c->plasma_cn.lo);
    field_num(&k, c->plasma_cn.hi);
    field(&k, metcn_detection_name(c->detection));
    field_num(&k, c->lod_tf_cn5);
    field_num(&k, c->lod_tf_cn10);
    double est[5];
    const char *est_status;
    report_purity_estimate(c, est, &est_status);
    for (int e = 0; e < 3; e++)
        field_num(&k, est[e]);
    field(&k, est_status);
    field_num(&k, est[3]);
    field_num(&k, est[4]);
    const metcn_frag_evidence_t *fr = &c->frag; /* NaN unless computed */
    const double fv[] = {fr->short_frac, fr->short_frac_expected, fr->excess, fr->excess_z,
                         fr->predicted};
    for (size_t i = 0; i < sizeof fv / sizeof fv[0]; i++)
        field_num(&k, fr->computed ? fv[i] : NAN);
    field(&k, metcn_frag_support_name(fr->support));
    free(qr);
    return k.s;
}

/* ---- failed rows ------------------------------------------------------------------------- */

const char *metcn_fail_name(int fail)
{
    return fail == METCN_FAIL_INPUT  ? "input_failed"
           : fail == METCN_FAIL_CALL ? "call_failed"
                                     : "failed";
}

char *metcn_report_fail_reason(const metcn_report_row_t *row)
{
    kstring_t k = {0, 0, NULL};
    ksprintf(&k, "%s=%s", metcn_fail_name(row->fail),
             row->error && *row->error ? row->error : "unknown error");
    for (size_t i = 0; k.s && i < k.l; i++)
        if (k.s[i] == '\t' || k.s[i] == '\n' || k.s[i] == '\r')
            k.s[i] = ' ';
        else if (k.s[i] == ';')
            k.s[i] = ',';
    return k.s;
}

/* A failed row in the column order of calls_header: sample, gene, qc "fail", qc_reasons, NA
 * elsewhere (caller frees; NULL when out of memory). */
static char *failed_row(const metcn_report_row_t *r)
{
    kstring_t k = {0, 0, NULL};
    char *reason = metcn_report_fail_reason(r);
    if (!reason)
        return NULL;
    for (const char *c = calls_header; *c;) {
        size_t l = strcspn(c, "\t");
        const char *v = "NA";
        if (l == 6 && strncmp(c, "sample", 6) == 0)
            v = r->sample;
        else if (l == 4 && strncmp(c, "gene", 4) == 0)
            v = r->gene;
        else if (l == 2 && strncmp(c, "qc", 2) == 0)
            v = "fail";
        else if (l == 10 && strncmp(c, "qc_reasons", 10) == 0)
            v = reason;
        field(&k, v && *v ? v : "NA");
        c += l + (c[l] == '\t');
    }
    free(reason);
    return k.s;
}

int metcn_report_rows_tsv(const char *path, const metcn_report_row_t *rows, size_t n)
{
    metcn_ofile_t *f = metcn_ofile_open(path);
    if (!f)
        return metcn_last_error_code() ? metcn_last_error_code() : METCN_E_IO;
    metcn_ofile_printf(f, "%s\n", calls_header);
    for (size_t i = 0; i < n; i++) {
        char *row = rows[i].call ? calls_row(rows[i].call) : failed_row(&rows[i]);
        if (!row) {
            metcn_ofile_close(f, 0);
            return metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
        }
        metcn_ofile_printf(f, "%s\n", row);
        free(row);
    }
    return metcn_ofile_close(f, 1);
}

/* Rows of calls (inputs[i] the input of call i, or NULL); caller frees. */
static metcn_report_row_t *rows_of(metcn_call_t *const *calls, size_t n, const char *const *inputs)
{
    metcn_report_row_t *rows = calloc(n ? n : 1, sizeof *rows);
    for (size_t i = 0; rows && i < n; i++)
        rows[i] = (metcn_report_row_t){.call = calls[i], .input = inputs ? inputs[i] : NULL};
    return rows;
}

int metcn_report_calls_tsv(const char *path, metcn_call_t *const *calls, size_t n)
{
    metcn_report_row_t *rows = rows_of(calls, n, NULL);
    if (!rows)
        return metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
    int r = metcn_report_rows_tsv(path, rows, n);
    free(rows);
    return r;
}

/* ---- JSON ---------------------------------------------------------------------------------- */

static void json_level(metcn_json_t *j, const char *key, const metcn_level_t *lv)
{
    metcn_json_begin_object(j, key);
    metcn_json_num(j, "log2", lv->est);
    metcn_json_num(j, "se", lv->se);
    metcn_json_num(j, "se_model", lv->se_model);
    metcn_json_num(j, "log2_low", lv->lo);
    metcn_json_num(j, "log2_high", lv->hi);
    metcn_json_num(j, "quantile", lv->q);
    if (isfinite(lv->df))
        metcn_json_num(j, "df", lv->df);
    else
        metcn_json_str(j, "df", "normal");
    metcn_json_int(j, "bins", lv->n);
    metcn_json_int(j, "bins_downweighted", lv->n_downweighted);
    metcn_json_num(j, "copy_ratio", exp2(lv->est));
    metcn_json_end_object(j);
}

static void json_cn(metcn_json_t *j, const char *key, const metcn_cn_t *c)
{
    metcn_json_begin_object(j, key);
    metcn_json_num(j, "cn", c->cn);
    metcn_json_num(j, "low", c->lo);
    metcn_json_num(j, "high", c->hi);
    metcn_json_bool(j, "floored", c->floored);
    metcn_json_end_object(j);
}

static void json_opt(metcn_json_t *j, const metcn_call_opt_t *o)
{
    metcn_json_begin_object(j, "parameters");
    metcn_json_num(j, "confidence", o->conf);
    metcn_json_num(j, "huber_k", o->huber_k);
    metcn_json_num(j, "control_huber_k", o->control_huber_k);
    metcn_json_num(j, "min_sys_sd", o->min_sys_sd);
    metcn_json_int(j, "noise_min_pairs", o->noise_min_pairs);
    metcn_json_num(j, "seg_penalty", o->seg_penalty);
    metcn_json_num(j, "focal_max_span", o->focal_max_span);
    metcn_json_num(j, "focal_min_delta", o->focal_min_delta);
    metcn_json_num(j, "focal_min_z", o->focal_min_z);
    metcn_json_num(j, "polysomy_cn", o->polysomy_cn);
    metcn_json_num(j, "focal_min_excess", o->focal_min_excess);
    metcn_json_num(j, "high_amp_cn", o->high_amp_cn);
    metcn_json_num(j, "gcn_amplified", o->gcn_amplified);
    metcn_json_num(j, "gcn_gain", o->gcn_gain);
    metcn_json_int(j, "min_target_bins", o->min_target_bins);
    metcn_json_int(j, "min_control_bins", o->min_control_bins);
    metcn_json_int(j, "control_bins_warn", o->control_bins_warn);
    metcn_json_num(j, "hetero_alpha", o->hetero_alpha);
    metcn_json_int(j, "hetero_min_bins", o->hetero_min_bins);
    metcn_json_num(j, "noise_warn", o->noise_warn);
    metcn_json_num(j, "mapd_warn", o->mapd_warn);
    metcn_json_num(j, "mapd_fail", o->mapd_fail);
    metcn_json_num(j, "depth_warn", o->depth_warn);
    metcn_json_num(j, "depth_fail", o->depth_fail);
    metcn_json_num(j, "gc_warn", o->gc_warn);
    metcn_json_num(j, "gc_fail", o->gc_fail);
    metcn_json_int(j, "min_pon_normals", o->min_pon_normals);
    metcn_json_str(j, "sample_type", metcn_sample_type_name(o->sample_type));
    metcn_json_num(j, "detect_min_ratio", o->detect_min_ratio);
    metcn_json_num(j, "detect_alpha", o->detect_alpha);
    metcn_json_num(j, "lod_power", o->lod_power);
    metcn_json_bool(j, "estimate_purity", o->estimate_purity);
    metcn_json_num(j, "purity_disagree", o->disagree_min);
    metcn_json_end_object(j);
}

void report_json_criteria(metcn_json_t *j, const metcn_criteria_t *cr)
{
    metcn_json_begin_object(j, "criteria");
    metcn_json_str(j, "name", cr->name);
    metcn_json_str(j, "source", cr->source);
    metcn_json_begin_array(j, "tiers");
    for (int t = 0; t < cr->n_tiers; t++) {
        const metcn_tier_def_t *d = &cr->tier[t];
        metcn_json_begin_object(j, NULL);
        metcn_json_str(j, "name", d->name);
        if (isfinite(d->ratio_min))
            metcn_json_num(j, d->ratio_open ? "ratio_above" : "ratio_min", d->ratio_min);
        if (isfinite(d->ratio_max))
            metcn_json_num(j, "ratio_below", d->ratio_max);
        if (isfinite(d->cn_min))
            metcn_json_num(j, "cn_min", d->cn_min);
        if (isfinite(d->cn_max))
            metcn_json_num(j, "cn_below", d->cn_max);
        if (isfinite(d->cn_alone))
            metcn_json_num(j, "cn_alone", d->cn_alone);
        metcn_json_bool(j, "positive", d->positive);
        metcn_json_end_object(j);
    }
    metcn_json_end_array(j);
    metcn_json_end_object(j);
}

static void json_qc(metcn_json_t *j, const metcn_call_t *c)
{
    metcn_json_begin_object(j, "qc");
    metcn_json_str(j, "status", metcn_qc_name(c->qc));
    metcn_json_begin_array(j, "records");
    for (size_t i = 0; i < c->n_qc; i++) {
        const metcn_qc_rec_t *r = &c->qc_rec[i];
        char op[2] = {metcn_qc_code_op(r->code), 0};
        metcn_json_begin_object(j, NULL);
        metcn_json_str(j, "code", metcn_qc_code_name(r->code));
        metcn_json_str(j, "level", metcn_qc_name(r->level));
        metcn_json_num(j, "value", r->value);
        if (isfinite(r->threshold)) {
            metcn_json_str(j, "op", op);
            metcn_json_num(j, "threshold", r->threshold);
        }
        metcn_json_str(j, "protects", metcn_qc_code_protects(r->code));
        metcn_json_end_object(j);
    }
    metcn_json_end_array(j);
    metcn_json_num(j, "mapd", c->mapd);
    metcn_json_num(j, "noise_factor", c->noise_k);
    metcn_json_num(j, "systematic_sd", c->sys_sd);
    metcn_json_num(j, "chromosome_sd", c->chrom_sd);
    metcn_json_num(j, "median_depth", c->median_depth);
    metcn_json_num(j, "gc_strength", c->gc_strength);
    metcn_json_num(j, "gc_residual", c->gc_residual);
    metcn_json_num(j, "gene_chi2_df", c->gene_chi2_df);
    metcn_json_str(j, "normaliser", c->normaliser);
    metcn_json_int(j, "gene_bins_in_panel", c->n_target_bins);
    metcn_json_int(j, "gene_bins_used", c->gene_lv.n);
    metcn_json_int(j, "control_bins_in_panel", c->n_control_bins);
    metcn_json_int(j, "control_bins_used", c->control_lv.n);
    metcn_json_int(j, "control_bins_focal_excluded", c->n_control_focal);
    metcn_json_end_object(j);
}

static void json_pattern(metcn_json_t *j, const metcn_call_t *c)
{
    metcn_json_begin_object(j, "pattern");
    metcn_json_str(j, "call", metcn_pattern_name(c->pattern));
    metcn_json_bool(j, "amplicon_over_gene", c->amplicon);
    metcn_json_bool(j, "control_or_arm_gained", c->control_gained);
    metcn_json_bool(j, "arms_differ", c->arms_differ);
    metcn_json_str(j, "gene_arm", c->gene_arm == 'p' ? "p" : c->gene_arm == 'q' ? "q" : NULL);
    metcn_json_num(j, "excess_log2", c->excess_log2);
    metcn_json_num(j, "excess_se", c->excess_se);
    metcn_json_begin_object(j, "extent");
    metcn_json_bool(j, "resolved", c->has_extent);
    if (c->has_extent) {
        metcn_json_int(j, "start", c->extent_start);
        metcn_json_int(j, "end", c->extent_end);
        if (c->extent_outer_start >= 0)
            metcn_json_int(j, "outer_start", c->extent_outer_start);
        else
            metcn_json_null(j, "outer_start");
        if (c->extent_outer_end >= 0)
            metcn_json_int(j, "outer_end", c->extent_outer_end);
        else
            metcn_json_null(j, "outer_end");
        metcn_json_num(j, "log2", c->extent_log2);
        metcn_json_str(j, "coordinates", "0-based half-open");
    }
    metcn_json_end_object(j);
    metcn_json_end_object(j);
}

/* The gene's bins (used or not, with what weight) and the segments of its chromosome (focal
 * events left out of the control level). */
static void json_bins(metcn_json_t *j, const metcn_call_t *c)
{
    const metcn_panel_t *p = c->panel;
    metcn_json_begin_array(j, "gene_bins");
    for (size_t i = 0; i < c->n; i++) {
        if (c->gene->role[i] != METCN_ROLE_TARGET)
            continue;
        metcn_json_begin_object(j, NULL);
        metcn_json_str(j, "name", p->bins[i].name);
        metcn_json_int(j, "start", p->bins[i].start);
        metcn_json_int(j, "end", p->bins[i].end);
        metcn_json_bool(j, "used", (c->bin_flag[i] & METCN_BIN_TARGET) != 0);
        metcn_json_num(j, "log2", c->log2[i]);
        metcn_json_num(j, "sd", c->sd[i]);
        metcn_json_num(j, "depth", c->depth[i]);
        metcn_json_end_object(j);
    }
    metcn_json_end_array(j);
    metcn_json_begin_array(j, "control_segments");
    for (size_t s = 0; s < c->n_segs; s++) {
        const metcn_segment_t *g = &c->segs[s];
        if (g->contig != c->gene->contig)
            continue;
        int focal = 0;
        for (size_t i = g->first_bin; i <= g->last_bin; i++)
            focal |= (c->bin_flag[i] & METCN_BIN_FOCAL) != 0;
        metcn_json_begin_object(j, NULL);
        metcn_json_int(j, "start", g->start);
        metcn_json_int(j, "end", g->end);
        metcn_json_int(j, "bins", g->n);
        metcn_json_num(j, "log2", g->log2);
        metcn_json_num(j, "se", g->se);
        metcn_json_bool(j, "focal_excluded", focal);
        metcn_json_end_object(j);
    }
    metcn_json_end_array(j);
}

/* The fragment-length evidence (docs/plasma.md "Fragment-length evidence"). */
static void json_fragments(metcn_json_t *j, const metcn_call_t *c)
{
    const metcn_frag_evidence_t *f = &c->frag;
    double nan = NAN;
    metcn_json_begin_object(j, "fragments");
    metcn_json_str(j, "support", metcn_frag_support_name(f->support));
    metcn_json_str(j, "reason", f->reason ? f->reason : "not_computed");
    metcn_json_num(j, "short_max", f->computed ? f->short_max : nan);
    metcn_json_num(j, "gene_fragments", f->computed ? (double)f->gene_fragments : nan);
    metcn_json_num(j, "genome_fragments", f->computed ? (double)f->genome_fragments : nan);
    metcn_json_num(j, "short_frac", f->computed ? f->short_frac : nan);
    metcn_json_num(j, "short_frac_expected", f->computed ? f->short_frac_expected : nan);
    metcn_json_num(j, "genome_short_frac", f->computed ? f->genome_frac : nan);
    metcn_json_num(j, "genome_short_frac_expected", f->computed ? f->genome_frac_expected : nan);
    metcn_json_num(j, "excess", f->computed ? f->excess : nan);
    metcn_json_num(j, "excess_se", f->computed ? f->excess_se : nan);
    metcn_json_num(j, "excess_z", f->computed ? f->excess_z : nan);
    metcn_json_num(j, "predicted", f->computed ? f->predicted : nan);
    metcn_json_end_object(j);
}

/* The tumour fraction's somatic variants (--somatic; docs/plasma.md "Tumour fraction from
 * somatic variants"): written only when they were given. */
static void json_somatic(metcn_json_t *j, const metcn_call_t *c)
{
    const metcn_somatic_t *s = &c->somatic;
    if (s->status == METCN_SOMATIC_NONE)
        return;
    metcn_json_begin_object(j, "somatic");
    metcn_json_str(j, "status", metcn_somatic_status_name(s->status));
    metcn_json_num(j, "tumour_fraction", s->tf);
    metcn_json_num(j, "tumour_fraction_low", s->tf_lo);
    metcn_json_num(j, "tumour_fraction_high", s->tf_hi);
    metcn_json_int(j, "variants", (int64_t)s->n);
    metcn_json_int(j, "counted", (int64_t)s->n_counted);
    metcn_json_int(j, "used", (int64_t)s->n_used);
    metcn_json_int(j, "alt_reads", (int64_t)s->alt);
    metcn_json_int(j, "reads", (int64_t)s->depth);
    metcn_json_num(j, "error_rate", s->n_used ? s->error_rate : NAN);
    metcn_json_num(j, "error_background", s->n_used ? s->background : NAN);
    metcn_json_num(j, "p_background", s->p_background);
    metcn_json_num(j, "heterogeneity_p", s->het_p);
    metcn_json_bool(j, "heterogeneous", s->heterogeneous);
    metcn_json_str(j, "assumes", "clonal heterozygous SNVs in diploid regions: TF = 2 VAF");
    metcn_json_begin_array(j, "variant");
    for (size_t i = 0; i < s->n; i++) {
        const metcn_somatic_var_t *v = &s->v[i];
        char a[2] = {v->ref, 0}, b[2] = {v->alt, 0};
        metcn_json_begin_object(j, NULL);
        metcn_json_str(j, "chrom", c->panel->contigs[v->contig].name);
        metcn_json_int(j, "pos", v->pos + 1);
        metcn_json_str(j, "ref", a);
        metcn_json_str(j, "alt", b);
        metcn_json_bool(j, "counted", v->counted);
        metcn_json_bool(j, "used", v->used);
        metcn_json_int(j, "ref_count", v->ref_count);
        metcn_json_int(j, "alt_count", v->alt_count);
        metcn_json_int(j, "other_count", v->other_count);
        metcn_json_num(j, "vaf", v->vaf);
        metcn_json_num(j, "tumour_fraction", v->tf);
        metcn_json_num(j, "tumour_fraction_low", v->tf_lo);
        metcn_json_num(j, "tumour_fraction_high", v->tf_hi);
        metcn_json_end_object(j);
    }
    metcn_json_end_array(j);
    metcn_json_end_object(j);
}

/* The detection decision, its parts and the detection limit's model (docs/method.md
 * section 10). */
static void json_detection(metcn_json_t *j, const metcn_call_t *c)
{
    const metcn_lod_model_t *m = &c->lod_model;
    metcn_json_begin_object(j, "detection");
    metcn_json_str(j, "call", metcn_detection_name(c->detection));
    metcn_json_str(j, "reason", c->detection_reason);
    metcn_json_bool(j, "significant", c->detect_significant);
    metcn_json_bool(j, "amount", c->detect_amount);
    metcn_json_num(j, "excess_log2", c->detect_excess);
    metcn_json_num(j, "excess_se", c->detect_excess_se);
    metcn_json_num(j, "quantile", c->detect_quantile);
    metcn_json_num(j, "alpha", c->detect_alpha);
    metcn_json_num(j, "implied_ratio", c->detect_ratio);
    metcn_json_num(j, "implied_ratio_control_cn", c->detect_control_cn);
    metcn_json_num(j, "min_ratio", c->detect_min_ratio);
    metcn_json_num(j, "tumour_fraction_low", c->purity_lo);
    metcn_json_num(j, "lod_tf_cn5", c->lod_tf_cn5);
    metcn_json_num(j, "lod_tf_cn10", c->lod_tf_cn10);
    metcn_json_bool(j, "lod_tf_cn5_reachable", isfinite(c->lod_tf_cn5));
    metcn_json_bool(j, "lod_tf_cn10_reachable", isfinite(c->lod_tf_cn10));
    metcn_json_begin_object(j, "lod_model");
    metcn_json_num(j, "sd_gene", m->sd_gene);
    metcn_json_num(j, "sd_control", m->sd_control);
    metcn_json_num(j, "z_detect", m->z_detect);
    metcn_json_num(j, "z_power", m->z_power);
    metcn_json_num(j, "power", c->lod_power);
    metcn_json_str(j, "assumes", "diploid background and control, clonal amplicon");
    metcn_json_end_object(j);
    metcn_json_end_object(j);
}

/* A sample and gene that could not be called: what failed and why. */
static void json_failed(metcn_json_t *j, const metcn_report_row_t *r)
{
    metcn_json_begin_object(j, NULL);
    metcn_json_str(j, "sample", r->sample);
    metcn_json_str(j, "input", r->input);
    metcn_json_str(j, "gene", r->gene);
    metcn_json_str(j, "error", r->error);
    metcn_json_begin_object(j, "qc");
    metcn_json_str(j, "status", metcn_qc_name(METCN_QC_FAIL));
    metcn_json_begin_array(j, "records");
    metcn_json_begin_object(j, NULL);
    metcn_json_str(j, "code", metcn_fail_name(r->fail));
    metcn_json_str(j, "level", metcn_qc_name(METCN_QC_FAIL));
    metcn_json_str(j, "message", r->error);
    metcn_json_end_object(j);
    metcn_json_end_array(j);
    metcn_json_end_object(j);
    metcn_json_end_object(j);
}

static void json_call(metcn_json_t *j, const metcn_call_t *c, const char *input)
{
    const metcn_criteria_t *cr = c->criteria;
    metcn_json_begin_object(j, NULL);
    metcn_json_str(j, "sample", c->sample);
    metcn_json_str(j, "input", input);
    metcn_json_str(j, "gene", c->gene->name);
    metcn_json_str(j, "control", c->control);
    metcn_json_str(j, "chromosome", c->panel->contigs[c->gene->contig].name);
    metcn_json_int(j, "gene_start", c->gene->start);
    metcn_json_int(j, "gene_end", c->gene->end);
    metcn_json_begin_object(j, "purity");
    metcn_json_num(j, "value", c->purity);
    metcn_json_num(j, "low", c->purity_lo);
    metcn_json_num(j, "high", c->purity_hi);
    metcn_json_str(j, "source", metcn_purity_source_name(c->purity_source));
    if (c->purity_source == METCN_PURITY_ASSUMED)
        metcn_json_str(j, "note",
                       c->sample_type == METCN_SAMPLE_PLASMA
                           ? "no tumour fraction given: 1 assumed; copy numbers are those of "
                             "the whole sample and a negative is not assessable"
                           : "no purity given: purity 1 assumed; copy numbers are per cell "
                             "of the whole sample and understate tumour-cell values");
    metcn_json_end_object(j);
    metcn_json_str(j, "sample_type", metcn_sample_type_name(c->sample_type));
    metcn_json_begin_object(j, "tumour_fraction");
    metcn_json_num(j, "value", c->purity);
    metcn_json_num(j, "low", c->purity_lo);
    metcn_json_num(j, "high", c->purity_hi);
    metcn_json_str(j, "source", metcn_purity_source_name(c->purity_source));
    metcn_json_str(j, "note",
                   c->sample_type == METCN_SAMPLE_PLASMA
                       ? "the tumour DNA fraction of the plasma; the purity holds it too"
                       : "a tissue sample's tumour fraction is its purity");
    metcn_json_end_object(j);
    metcn_json_num(j, "ploidy", c->ploidy);
    report_json_criteria(j, cr);

    metcn_json_begin_object(j, "call");
    metcn_json_num(j, "cn", c->gene_cn.cn);
    metcn_json_num(j, "cn_low", c->gene_cn.lo);
    metcn_json_num(j, "cn_high", c->gene_cn.hi);
    metcn_json_num(j, "control_cn", c->control_cn.cn);
    metcn_json_num(j, "control_cn_low", c->control_cn.lo);
    metcn_json_num(j, "control_cn_high", c->control_cn.hi);
    metcn_json_num(j, "ratio", c->ratio);
    metcn_json_num(j, "ratio_low", c->ratio_lo);
    metcn_json_num(j, "ratio_high", c->ratio_hi);
    metcn_json_str(j, "tier", metcn_criteria_tier_name(cr, c->tier));
    metcn_json_bool(j, "tier_positive", cr->tier[c->tier].positive);
    metcn_json_str(
        j, "tier_low_end",
        metcn_criteria_tier_name(cr, metcn_criteria_tier(cr, c->ratio_lo, c->gene_cn.lo)));
    metcn_json_str(
        j, "tier_high_end",
        metcn_criteria_tier_name(cr, metcn_criteria_tier(cr, c->ratio_hi, c->gene_cn.hi)));
    metcn_json_bool(j, "equivocal", c->equivocal);
    metcn_json_str(j, "high_amp", metcn_highamp_name(c->high_amp));
    metcn_json_num(j, "high_amp_cn", c->high_amp_cn);
    metcn_json_str(j, "gcn_class", metcn_gcn_name(c->gcn_class));
    metcn_json_str(j, "pattern", metcn_pattern_name(c->pattern));
    metcn_json_num(j, "lod_cn", c->lod_cn);
    metcn_json_num(j, "plasma_cn", c->plasma_cn.cn);
    metcn_json_num(j, "plasma_cn_low", c->plasma_cn.lo);
    metcn_json_num(j, "plasma_cn_high", c->plasma_cn.hi);
    metcn_json_str(j, "detection", metcn_detection_name(c->detection));
    metcn_json_num(j, "lod_tf_cn5", c->lod_tf_cn5);
    metcn_json_num(j, "lod_tf_cn10", c->lod_tf_cn10);
    metcn_json_end_object(j);

    metcn_json_begin_object(j, "levels");
    json_level(j, "gene", &c->gene_lv);
    json_level(j, "control", &c->control_lv);
    json_level(j, "control_p", &c->control_p);
    json_level(j, "control_q", &c->control_q);
    json_level(j, "gene_arm", &c->arm);
    metcn_json_num(j, "centre_shift", c->centre_shift);
    metcn_json_end_object(j);

    metcn_json_begin_object(j, "copy_number");
    json_cn(j, "gene", &c->gene_cn);
    json_cn(j, "control", &c->control_cn);
    json_cn(j, "control_p", &c->control_p_cn);
    json_cn(j, "control_q", &c->control_q_cn);
    json_cn(j, "gene_arm", &c->arm_cn);
    metcn_json_end_object(j);

    metcn_json_begin_object(j, "plasma_cn"); /* copy numbers of the mixture: 2 x copy ratio */
    json_cn(j, "gene", &c->plasma_cn);
    json_cn(j, "control", &c->plasma_control);
    metcn_json_end_object(j);
    json_detection(j, c);
    json_fragments(j, c);
    json_somatic(j, c);

    report_json_purity_fit(j, c);
    json_pattern(j, c);
    json_qc(j, c);
    json_bins(j, c);
    metcn_json_end_object(j);
}

int metcn_report_json(const char *path, metcn_call_t *const *calls, size_t n,
                      const metcn_report_meta_t *meta)
{
    metcn_report_row_t *rows = rows_of(calls, n, meta ? meta->inputs : NULL);
    if (!rows)
        return metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
    int r = metcn_report_rows_json(path, rows, n, meta);
    free(rows);
    return r;
}

int metcn_report_rows_json(const char *path, const metcn_report_row_t *rows, size_t n,
                           const metcn_report_meta_t *meta)
{
    metcn_json_t *j = metcn_json_new();
    if (!j)
        return metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
    metcn_json_begin_object(j, NULL);
    metcn_json_str(j, "program", "metcn call");
    metcn_json_begin_object(j, "versions");
    metcn_json_str(j, "metcn", metcn_version());
    metcn_json_str(j, "htslib", metcn_htslib_version());
    metcn_json_str(j, "gsl", metcn_gsl_version());
    metcn_json_end_object(j);
    metcn_json_str(j, "command_line", meta ? meta->command_line : NULL);
    metcn_json_begin_object(j, "pon");
    metcn_json_str(j, "path", meta ? meta->pon_path : NULL);
    if (meta && meta->pon) {
        const metcn_pon_t *pon = meta->pon;
        char ck[17];
        const metcn_panel_t *pp = metcn_pon_panel(pon);
        metcn_json_str(j, "checksum", metcn_pon_checksum(pon));
        metcn_json_str(j, "panel_checksum", metcn_panel_checksum(pp, ck));
        metcn_json_str(j, "panel_source", pp->source);
        metcn_json_str(j, "build", pp->build);
        metcn_json_int(j, "bins", (int64_t)pp->n_bins);
        metcn_json_str(j, "written_by", metcn_pon_metcn_version(pon));
        metcn_json_int(j, "format_version", metcn_pon_format_version(pon));
        metcn_json_int(j, "normals", (int64_t)metcn_pon_n_normals(pon));
        metcn_json_int(j, "components", metcn_pon_n_components(pon));
        metcn_json_bool(j, "gc_corrected", metcn_pon_gc_corrected(pon));
        metcn_json_num(j, "median_mapd", metcn_pon_median_mapd(pon));
    }
    metcn_json_end_object(j);
    metcn_json_str(j, "reference", meta ? meta->reference : NULL);
    if (meta && meta->opt)
        json_opt(j, meta->opt);
    metcn_json_begin_array(j, "samples");
    for (size_t i = 0; i < n; i++)
        if (rows[i].call)
            json_call(j, rows[i].call, rows[i].input);
        else
            json_failed(j, &rows[i]);
    metcn_json_end_array(j);
    metcn_json_end_object(j);
    return report_json_finish(j, path);
}

int report_json_finish(metcn_json_t *j, const char *path)
{
    int r = metcn_json_status(j);
    if (r == 0)
        r = metcn_json_write(j, path);
    else
        metcn_set_error(r, "%s: JSON writer failed", path);
    metcn_json_destroy(j);
    return r;
}

/* ---- summary --------------------------------------------------------------------------------- */

const char *report_tf_pct(char buf[32], double tf)
{
    if (isinf(tf))
        return "not reachable";
    if (!isfinite(tf))
        return "NA";
    snprintf(buf, 32, "%.2g%%", 100 * tf);
    return buf;
}

char *metcn_report_summary(const metcn_call_t *c)
{
    kstring_t k = {0, 0, NULL};
    int pct = (int)lround(100 * c->conf);
    const char *g = c->gene->name;
    ksprintf(&k, "%s: %s %.1f copies per tumour cell (%d%% CI %.1f-%.1f); %s %.2f (%.2f-%.2f)\n",
             c->sample, g, c->gene_cn.cn, pct, c->gene_cn.lo, c->gene_cn.hi, c->control,
             c->control_cn.cn, c->control_cn.lo, c->control_cn.hi);
    ksprintf(&k, "  %s/%s ratio %.2f (%.2f-%.2f): %s under %s%s; >%g copies: %s; class %s\n", g,
             c->control, c->ratio, c->ratio_lo, c->ratio_hi,
             metcn_criteria_tier_name(c->criteria, c->tier), c->criteria->name,
             c->equivocal ? " (EQUIVOCAL: interval spans tiers)" : "", c->high_amp_cn,
             metcn_highamp_name(c->high_amp), metcn_gcn_name(c->gcn_class));
    ksprintf(&k, "  pattern %s", metcn_pattern_name(c->pattern));
    if (c->has_extent)
        ksprintf(&k, "; amplicon %s:%lld-%lld", c->panel->contigs[c->gene->contig].name,
                 (long long)c->extent_start + 1, (long long)c->extent_end);
    ksprintf(&k, "; detection limit %.1f copies; QC %s", c->lod_cn, metcn_qc_name(c->qc));
    if (c->n_qc) {
        char *qr = metcn_call_qc_string(c);
        ksprintf(&k, " (%s)", qr ? qr : "");
        free(qr);
    }
    kputc('\n', &k);
    char l10[32], l5[32];
    int plasma = c->sample_type == METCN_SAMPLE_PLASMA;
    ksprintf(&k,
             "  %s CN %.2f (%.2f-%.2f); %s %s; detection limit as tumour fraction %s for 10 "
             "copies, %s for 5\n",
             plasma ? "plasma" : "bulk", c->plasma_cn.cn, c->plasma_cn.lo, c->plasma_cn.hi, g,
             metcn_detection_name(c->detection), report_tf_pct(l10, c->lod_tf_cn10),
             report_tf_pct(l5, c->lod_tf_cn5));
    const char *what = plasma ? "tumour fraction" : "purity";
    if (c->purity_source == METCN_PURITY_ASSUMED && c->somatic.status != METCN_SOMATIC_NONE)
        kputs("  NOTE: the --somatic variants have too few reads for a tumour fraction, 1 "
              "assumed: copy numbers are those of the whole sample and a negative is not "
              "assessable\n",
              &k);
    else if (c->purity_source == METCN_PURITY_ASSUMED && plasma)
        kputs("  NOTE: no --tumour-fraction or --vaf given, 1 assumed: copy numbers are those of "
              "the whole sample and a negative is not assessable\n",
              &k);
    else if (c->purity_source == METCN_PURITY_ASSUMED)
        kputs("  NOTE: no --purity given, purity 1 assumed: copy numbers are per cell of the "
              "whole sample and understate the tumour-cell values\n",
              &k);
    else if (c->purity_lo < c->purity_hi)
        ksprintf(&k,
                 plasma ? "  %s %.3g (range %.3g-%.3g, %s), ploidy %.3g\n"
                        : "  %s %.2f (range %.2f-%.2f, %s), ploidy %.3g\n",
                 what, c->purity, c->purity_lo, c->purity_hi,
                 metcn_purity_source_name(c->purity_source), c->ploidy);
    else
        ksprintf(&k, plasma ? "  %s %.3g (%s), ploidy %.3g\n" : "  %s %.2f (%s), ploidy %g\n", what,
                 c->purity, metcn_purity_source_name(c->purity_source), c->ploidy);
    if (c->somatic.status != METCN_SOMATIC_NONE)
        ksprintf(&k, "  somatic variants: %zu of %zu used, %llu ALT of %llu reads (%s)\n",
                 c->somatic.n_used, c->somatic.n, (unsigned long long)c->somatic.alt,
                 (unsigned long long)c->somatic.depth,
                 metcn_somatic_status_name(c->somatic.status));
    return k.s;
}
