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

static const char calls_header[] =
    "sample\tgene\tmet_cn\tmet_cn_low\tmet_cn_high\tchr7_cn\tchr7_cn_low\tchr7_cn_high\t"
    "met_chr7_ratio\tmet_chr7_ratio_low\tmet_chr7_ratio_high\ttier\tequivocal\thigh_amp\t"
    "gcn_class\tpattern\tpurity\tpurity_assumed\tploidy\tmet_log2\tchr7_log2\tmapd\t"
    "lod_met_cn\tqc\tqc_reasons";

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

int metcn_report_calls_tsv(const char *path, metcn_call_t *const *calls, size_t n)
{
    metcn_ofile_t *f = metcn_ofile_open(path);
    if (!f)
        return metcn_last_error_code() ? metcn_last_error_code() : METCN_E_IO;
    char b[16][32];
    metcn_ofile_printf(f, "%s\n", calls_header);
    for (size_t i = 0; i < n; i++) {
        const metcn_call_t *c = calls[i];
        metcn_ofile_printf(
            f,
            "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%"
            "s\t%s\t%s\t%s\n",
            c->sample, c->gene, metcn_fmt_double(b[0], c->met_cn.cn, 4),
            metcn_fmt_double(b[1], c->met_cn.lo, 4), metcn_fmt_double(b[2], c->met_cn.hi, 4),
            metcn_fmt_double(b[3], c->chr7_cn.cn, 4), metcn_fmt_double(b[4], c->chr7_cn.lo, 4),
            metcn_fmt_double(b[5], c->chr7_cn.hi, 4), metcn_fmt_double(b[6], c->ratio, 4),
            metcn_fmt_double(b[7], c->ratio_lo, 4), metcn_fmt_double(b[8], c->ratio_hi, 4),
            metcn_tier_name(c->tier), c->equivocal ? "yes" : "no", metcn_highamp_name(c->high_amp),
            metcn_gcn_name(c->gcn_class), metcn_pattern_name(c->pattern),
            metcn_fmt_double(b[9], c->purity, 4), c->purity_assumed ? "yes" : "no",
            metcn_fmt_double(b[10], c->ploidy, 4), metcn_fmt_double(b[11], c->met.est, 4),
            metcn_fmt_double(b[12], c->chr7.est, 4), metcn_fmt_double(b[13], c->mapd, 4),
            metcn_fmt_double(b[14], c->lod_cn, 4), metcn_qc_name(c->qc), c->qc_reasons);
    }
    return metcn_ofile_close(f, 1);
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
    metcn_json_str(j, "criteria", o->criteria ? o->criteria->name : NULL);
    if (o->criteria) {
        metcn_json_num(j, "tier_low", o->criteria->low);
        metcn_json_num(j, "tier_intermediate", o->criteria->intermediate);
        metcn_json_num(j, "tier_high", o->criteria->high);
    }
    metcn_json_num(j, "confidence", o->conf);
    metcn_json_num(j, "huber_k", o->huber_k);
    metcn_json_num(j, "control_huber_k", o->control_huber_k);
    metcn_json_num(j, "min_sys_sd", o->min_sys_sd);
    metcn_json_num(j, "seg_penalty", o->seg_penalty);
    metcn_json_num(j, "focal_max_span", o->focal_max_span);
    metcn_json_num(j, "focal_min_delta", o->focal_min_delta);
    metcn_json_num(j, "polysomy_cn", o->polysomy_cn);
    metcn_json_num(j, "focal_min_excess", o->focal_min_excess);
    metcn_json_num(j, "high_amp_cn", o->high_amp_cn);
    metcn_json_num(j, "gcn_amplified", o->gcn_amplified);
    metcn_json_num(j, "gcn_gain", o->gcn_gain);
    metcn_json_int(j, "min_target_bins", o->min_target_bins);
    metcn_json_int(j, "min_control_bins", o->min_control_bins);
    metcn_json_num(j, "mapd_warn", o->mapd_warn);
    metcn_json_num(j, "mapd_fail", o->mapd_fail);
    metcn_json_num(j, "depth_warn", o->depth_warn);
    metcn_json_num(j, "depth_fail", o->depth_fail);
    metcn_json_num(j, "gc_warn", o->gc_warn);
    metcn_json_num(j, "gc_fail", o->gc_fail);
    metcn_json_end_object(j);
}

static void json_call(metcn_json_t *j, const metcn_call_t *c, const char *input)
{
    const metcn_panel_t *p = c->panel;
    const char *ctg = c->locus->contig >= 0 ? p->contigs[c->locus->contig].name : NULL;
    metcn_json_begin_object(j, NULL);
    metcn_json_str(j, "sample", c->sample);
    metcn_json_str(j, "input", input);
    metcn_json_str(j, "gene", c->gene);
    metcn_json_str(j, "chromosome", ctg);
    metcn_json_begin_object(j, "purity");
    metcn_json_num(j, "value", c->purity);
    metcn_json_num(j, "low", c->purity_lo);
    metcn_json_num(j, "high", c->purity_hi);
    metcn_json_bool(j, "assumed", c->purity_assumed);
    if (c->purity_assumed)
        metcn_json_str(j, "note",
                       "no purity given: purity 1 assumed; copy numbers are per cell "
                       "of the whole sample and understate tumour-cell values");
    metcn_json_end_object(j);
    metcn_json_num(j, "ploidy", c->ploidy);

    metcn_json_begin_object(j, "call");
    metcn_json_num(j, "met_cn", c->met_cn.cn);
    metcn_json_num(j, "met_cn_low", c->met_cn.lo);
    metcn_json_num(j, "met_cn_high", c->met_cn.hi);
    metcn_json_num(j, "chr7_cn", c->chr7_cn.cn);
    metcn_json_num(j, "met_chr7_ratio", c->ratio);
    metcn_json_num(j, "met_chr7_ratio_low", c->ratio_lo);
    metcn_json_num(j, "met_chr7_ratio_high", c->ratio_hi);
    metcn_json_str(j, "criteria", c->criteria->name);
    metcn_json_str(j, "tier", metcn_tier_name(c->tier));
    metcn_json_str(j, "tier_low_end",
                   metcn_tier_name(metcn_criteria_tier(c->criteria, c->ratio_lo)));
    metcn_json_str(j, "tier_high_end",
                   metcn_tier_name(metcn_criteria_tier(c->criteria, c->ratio_hi)));
    metcn_json_bool(j, "equivocal", c->equivocal);
    metcn_json_str(j, "high_amp", metcn_highamp_name(c->high_amp));
    metcn_json_str(j, "gcn_class", metcn_gcn_name(c->gcn_class));
    metcn_json_str(j, "pattern", metcn_pattern_name(c->pattern));
    metcn_json_num(j, "lod_met_cn", c->lod_cn);
    metcn_json_end_object(j);

    metcn_json_begin_object(j, "levels");
    json_level(j, "gene", &c->met);
    json_level(j, "chr7", &c->chr7);
    json_level(j, "chr7p", &c->chr7p);
    json_level(j, "chr7q", &c->chr7q);
    json_level(j, "gene_arm", &c->arm);
    metcn_json_num(j, "centre_shift", c->centre_shift);
    metcn_json_end_object(j);

    metcn_json_begin_object(j, "copy_number");
    json_cn(j, "gene", &c->met_cn);
    json_cn(j, "chr7", &c->chr7_cn);
    json_cn(j, "chr7p", &c->chr7p_cn);
    json_cn(j, "chr7q", &c->chr7q_cn);
    json_cn(j, "gene_arm", &c->arm_cn);
    metcn_json_end_object(j);

    metcn_json_begin_object(j, "pattern");
    metcn_json_str(j, "call", metcn_pattern_name(c->pattern));
    metcn_json_bool(j, "amplicon_over_gene", c->amplicon);
    metcn_json_bool(j, "chr7_or_arm_gained", c->chr7_gained);
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

    metcn_json_begin_object(j, "qc");
    metcn_json_str(j, "status", metcn_qc_name(c->qc));
    metcn_json_begin_array(j, "reasons");
    if (strcmp(c->qc_reasons, ".") != 0) {
        char *r = strdup(c->qc_reasons);
        for (char *tok = r ? strtok(r, ";") : NULL; tok; tok = strtok(NULL, ";"))
            metcn_json_str(j, NULL, tok);
        free(r);
    }
    metcn_json_end_array(j);
    metcn_json_num(j, "mapd", c->mapd);
    metcn_json_num(j, "noise_factor", c->noise_k);
    metcn_json_num(j, "systematic_sd", c->sys_sd);
    metcn_json_num(j, "median_depth", c->median_depth);
    metcn_json_num(j, "gc_strength", c->gc_strength);
    metcn_json_int(j, "gene_bins_in_panel", c->n_target_bins);
    metcn_json_int(j, "gene_bins_used", c->met.n);
    metcn_json_int(j, "control_bins_in_panel", c->n_control_bins);
    metcn_json_int(j, "control_bins_used", c->chr7.n);
    metcn_json_int(j, "control_bins_focal_excluded", c->n_control_focal);
    metcn_json_end_object(j);

    /* The target gene's bins: which were used and with what weight. */
    metcn_json_begin_array(j, "gene_bins");
    for (size_t i = 0; i < c->n; i++) {
        if (c->locus->role[i] != METCN_ROLE_TARGET)
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

    /* Focal events left out of the control level. */
    metcn_json_begin_array(j, "chr7_segments");
    for (size_t s = 0; s < c->n_segs; s++) {
        const metcn_segment_t *g = &c->segs[s];
        if (g->contig != c->locus->contig)
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
    metcn_json_end_object(j);
}

int metcn_report_json(const char *path, metcn_call_t *const *calls, size_t n,
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
        json_call(j, calls[i], meta && meta->inputs ? meta->inputs[i] : NULL);
    metcn_json_end_array(j);
    metcn_json_end_object(j);
    int r = metcn_json_status(j);
    if (r == 0)
        r = metcn_json_write(j, path);
    else
        metcn_set_error(r, "%s: JSON writer failed", path);
    metcn_json_destroy(j);
    return r;
}

/* ---- summary --------------------------------------------------------------------------------- */

char *metcn_report_summary(const metcn_call_t *c)
{
    kstring_t k = {0, 0, NULL};
    int pct = (int)lround(100 * c->conf);
    ksprintf(&k, "%s: %s %.1f copies per tumour cell (%d%% CI %.1f-%.1f); chr7 %.2f (%.2f-%.2f)\n",
             c->sample, c->gene, c->met_cn.cn, pct, c->met_cn.lo, c->met_cn.hi, c->chr7_cn.cn,
             c->chr7_cn.lo, c->chr7_cn.hi);
    ksprintf(&k, "  %s/chr7 ratio %.2f (%.2f-%.2f): %s under %s%s; >%g copies: %s; class %s\n",
             c->gene, c->ratio, c->ratio_lo, c->ratio_hi, metcn_tier_name(c->tier),
             c->criteria->name, c->equivocal ? " (EQUIVOCAL: interval spans tiers)" : "", 10.0,
             metcn_highamp_name(c->high_amp), metcn_gcn_name(c->gcn_class));
    ksprintf(&k, "  pattern %s", metcn_pattern_name(c->pattern));
    if (c->has_extent) {
        const char *ctg = c->panel->contigs[c->locus->contig].name;
        ksprintf(&k, "; amplicon %s:%lld-%lld", ctg, (long long)c->extent_start + 1,
                 (long long)c->extent_end);
    }
    ksprintf(&k, "; detection limit %.1f copies; QC %s", c->lod_cn, metcn_qc_name(c->qc));
    if (strcmp(c->qc_reasons, ".") != 0)
        ksprintf(&k, " (%s)", c->qc_reasons);
    kputc('\n', &k);
    if (c->purity_assumed)
        kputs("  NOTE: no --purity given, purity 1 assumed: copy numbers are per cell of the "
              "whole sample and understate the tumour-cell values\n",
              &k);
    else if (c->purity_lo < c->purity_hi)
        ksprintf(&k, "  purity %.2f (range %.2f-%.2f), ploidy %g\n", c->purity, c->purity_lo,
                 c->purity_hi, c->ploidy);
    else
        ksprintf(&k, "  purity %.2f, ploidy %g\n", c->purity, c->ploidy);
    return k.s;
}
