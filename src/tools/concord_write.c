/* concord_write.c -- writers of `metcn concordance`: JSON, statistics TSV, per-sample TSV,
 * scatter and ROC SVGs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metcn/concord.h"
#include "core/json.h"
#include "metcn/metcn.h"
#include "core/svg.h"
#include "metcn/util.h"
#include "report/report_json.h"

/* What each statistic reports and how its interval is made. */
typedef struct {
    int count; /* an integer count: estimate only */
    int has_ci, has_se;
    const char *method;
} stat_meta_t;

static stat_meta_t meta(metcn_cstat_t s)
{
    switch (s) {
    case METCN_CSTAT_TP:
    case METCN_CSTAT_FP:
    case METCN_CSTAT_FN:
    case METCN_CSTAT_TN:
        return (stat_meta_t){1, 0, 0, "count"};
    case METCN_CSTAT_OPA:
    case METCN_CSTAT_PPA:
    case METCN_CSTAT_NPA:
    case METCN_CSTAT_SENSITIVITY:
    case METCN_CSTAT_SPECIFICITY:
    case METCN_CSTAT_PPV:
    case METCN_CSTAT_NPV:
    case METCN_CSTAT_ACCURACY:
    case METCN_CSTAT_TIER_AGREEMENT:
        return (stat_meta_t){0, 1, 0, "proportion, Clopper-Pearson exact interval"};
    case METCN_CSTAT_KAPPA:
        return (stat_meta_t){0, 1, 1,
                             "Cohen's kappa, Fleiss-Cohen-Everitt large-sample SE, Wald "
                             "interval"};
    case METCN_CSTAT_WKAPPA_LINEAR:
    case METCN_CSTAT_WKAPPA_QUADRATIC:
        return (stat_meta_t){0, 1, 1,
                             "weighted kappa over the 4 tiers, Fleiss-Cohen-Everitt "
                             "large-sample SE, Wald interval"};
    case METCN_CSTAT_PEARSON:
    case METCN_CSTAT_PEARSON_CN:
        return (stat_meta_t){0, 1, 0, "Pearson r, Fisher z interval (SE 1/sqrt(n-3))"};
    case METCN_CSTAT_SPEARMAN:
    case METCN_CSTAT_SPEARMAN_CN:
        return (stat_meta_t){0, 1, 0,
                             "Spearman rho (mid-ranks), Fisher z interval (SE "
                             "sqrt(1.06/(n-3)))"};
    case METCN_CSTAT_BA_BIAS:
        return (stat_meta_t){0, 1, 1, "mean of log2(NGS ratio) - log2(FISH ratio), t interval"};
    case METCN_CSTAT_BA_SD:
        return (stat_meta_t){0, 1, 0, "SD of the log2 differences, chi-square interval"};
    case METCN_CSTAT_BA_LOA_LOW:
    case METCN_CSTAT_BA_LOA_HIGH:
        return (stat_meta_t){0, 1, 1,
                             "bias -/+ z*SD, Bland-Altman (1999) interval "
                             "t*SD*sqrt(3/n)"};
    case METCN_CSTAT_AUC:
    case METCN_CSTAT_AUC_RATIO:
    case METCN_CSTAT_AUC_CN:
        return (stat_meta_t){0, 1, 1, "Mann-Whitney AUC (ties 1/2), DeLong SE, Wald interval"};
    case METCN_CSTAT_YOUDEN_RATIO:
    case METCN_CSTAT_YOUDEN_CN:
        return (stat_meta_t){0, 0, 0,
                             "smallest cut-off maximising Youden's J (positive when "
                             "score >= cut-off)"};
    default:
        return (stat_meta_t){0, 0, 0, ""};
    }
}

static void json_stat(metcn_json_t *j, const char *name, const metcn_stat_t *s, stat_meta_t m)
{
    metcn_json_begin_object(j, name);
    if (m.count)
        metcn_json_int(j, "estimate", (int64_t)s->estimate);
    else
        metcn_json_num(j, "estimate", s->estimate);
    if (m.has_ci) {
        metcn_json_num(j, "ci_low", s->ci_low);
        metcn_json_num(j, "ci_high", s->ci_high);
    }
    if (m.has_se)
        metcn_json_num(j, "se", s->se);
    metcn_json_int(j, "n", s->n);
    metcn_json_str(j, "method", m.method);
    if (s->note)
        metcn_json_str(j, "note", s->note);
    metcn_json_end_object(j);
}

static void json_roc(metcn_json_t *j, const char *key, const metcn_roc_t *r)
{
    metcn_json_begin_object(j, key);
    metcn_json_int(j, "n_fish_amplified", (int64_t)r->n_pos);
    metcn_json_int(j, "n_fish_negative", (int64_t)r->n_neg);
    metcn_json_num(j, "youden_cutoff", r->youden.estimate);
    metcn_json_num(j, "youden_j", r->youden_j);
    metcn_json_num(j, "youden_sensitivity", r->youden_sensitivity);
    metcn_json_num(j, "youden_specificity", r->youden_specificity);
    metcn_json_begin_array(j, "points");
    for (size_t i = 0; i < r->n_points; i++) {
        metcn_json_begin_object(j, NULL);
        metcn_json_num(j, "cutoff", r->points[i].cutoff); /* +inf (first point) -> null */
        metcn_json_num(j, "fpr", r->points[i].fpr);
        metcn_json_num(j, "tpr", r->points[i].tpr);
        metcn_json_end_object(j);
    }
    metcn_json_end_array(j);
    metcn_json_end_object(j);
}

static void json_id_list(metcn_json_t *j, const metcn_concord_t *c, const char *key,
                         metcn_concord_status_t st)
{
    metcn_json_begin_array(j, key);
    for (size_t i = 0; i < c->n_samples; i++)
        if (c->samples[i].status == st)
            metcn_json_str(j, NULL, c->samples[i].sample);
    metcn_json_end_array(j);
}

static const char *amp_name(int a)
{
    return a > 0 ? "yes" : a == 0 ? "no" : "NA";
}

int metcn_concord_write_json(const metcn_concord_t *c, const char *path, const char *cmdline)
{
    metcn_json_t *j = metcn_json_new();
    if (!j)
        return metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
    char buf[256];
    metcn_json_begin_object(j, NULL);
    metcn_json_str(j, "metcn_version", metcn_version());
    metcn_json_str(j, "command", cmdline);
    metcn_json_begin_object(j, "inputs");
    metcn_json_begin_array(j, "calls");
    for (size_t i = 0; i < c->n_calls_paths; i++)
        metcn_json_str(j, NULL, c->calls_paths[i]);
    metcn_json_end_array(j);
    metcn_json_str(j, "fish", c->fish_path);
    metcn_json_str(j, "fish_format", c->fish_per_nucleus ? "per-nucleus" : "summary");
    metcn_json_end_object(j);

    metcn_json_begin_object(j, "definitions");
    metcn_json_str(j, "reference", "FISH");
    metcn_json_str(j, "fish_amplified",
                   metcn_concord_rule_str(&c->opt.fish_amp, 0, &c->opt.criteria, buf, sizeof buf));
    metcn_json_str(j, "ngs_amplified",
                   metcn_concord_rule_str(&c->opt.ngs_amp, 1, &c->opt.criteria, buf, sizeof buf));
    metcn_json_str(j, "ngs_tier",
                   c->opt.ngs_tier_from_ratio ? "tier of the ratio and copy number"
                                              : "tier column of the calls");
    metcn_json_str(j, "gene", c->opt.gene);
    metcn_json_str(j, "calls_format", c->calls_format == 1 ? "0.1" : "gene-neutral");
    report_json_criteria(j, &c->opt.criteria);
    metcn_json_bool(j, "qc_fail_included", c->opt.include_qc_fail);
    metcn_json_num(j, "confidence_level", c->opt.level);
    metcn_json_end_object(j);

    size_t n_status[6] = {0};
    for (size_t i = 0; i < c->n_samples; i++)
        n_status[c->samples[i].status]++;
    metcn_json_begin_object(j, "counts");
    metcn_json_int(j, "calls_rows", (int64_t)c->n_calls_rows);
    metcn_json_int(j, "fish_rows", (int64_t)c->n_fish_rows);
    metcn_json_int(j, "sample_ids", (int64_t)c->n_samples);
    metcn_json_int(j, "matched", (int64_t)c->n_matched);
    metcn_json_int(j, "classified", (int64_t)c->n_classified);
    metcn_json_int(j, "tiered", (int64_t)c->n_tiered);
    for (int s = 1; s < 6; s++)
        metcn_json_int(j, metcn_concord_status_name((metcn_concord_status_t)s),
                       (int64_t)n_status[s]);
    metcn_json_end_object(j);

    for (int s = 0; s < METCN_CONCORD_N_STATS; s++)
        json_stat(j, metcn_concord_stat_name((metcn_cstat_t)s), &c->stat[s],
                  meta((metcn_cstat_t)s));

    metcn_json_begin_object(j, "tier_confusion");
    metcn_json_str(j, "rows", "ngs");
    metcn_json_str(j, "columns", "fish");
    metcn_json_begin_array(j, "tiers");
    const metcn_criteria_t *cr = &c->opt.criteria;
    for (int t = 0; t < cr->n_tiers; t++)
        metcn_json_str(j, NULL, metcn_criteria_tier_name(cr, t));
    metcn_json_end_array(j);
    metcn_json_begin_array(j, "matrix");
    for (int a = 0; a < cr->n_tiers; a++) {
        metcn_json_begin_array(j, NULL);
        for (int b = 0; b < cr->n_tiers; b++)
            metcn_json_int(j, NULL, c->tier_matrix[a][b]);
        metcn_json_end_array(j);
    }
    metcn_json_end_array(j);
    metcn_json_end_object(j);
    json_roc(j, "roc_ratio", &c->roc_ratio);
    json_roc(j, "roc_cn", &c->roc_cn);

    json_id_list(j, c, "unmatched_ngs", METCN_CONCORD_NGS_ONLY);
    json_id_list(j, c, "unmatched_fish", METCN_CONCORD_FISH_ONLY);
    json_id_list(j, c, "duplicated_ngs", METCN_CONCORD_DUPLICATE_NGS);
    json_id_list(j, c, "duplicated_fish", METCN_CONCORD_DUPLICATE_FISH);
    json_id_list(j, c, "excluded_qc_fail", METCN_CONCORD_QC_FAIL);
    metcn_json_begin_array(j, "unclassified");
    for (size_t i = 0; i < c->n_samples; i++) {
        const metcn_concord_sample_t *s = &c->samples[i];
        if (s->status == METCN_CONCORD_MATCHED && (s->ngs_amp < 0 || s->fish_amp < 0))
            metcn_json_str(j, NULL, s->sample);
    }
    metcn_json_end_array(j);

    metcn_json_begin_array(j, "samples");
    for (size_t i = 0; i < c->n_samples; i++) {
        const metcn_concord_sample_t *s = &c->samples[i];
        metcn_json_begin_object(j, NULL);
        metcn_json_str(j, "sample", s->sample);
        metcn_json_str(j, "status", metcn_concord_status_name(s->status));
        metcn_json_num(j, "ngs_met_cn", s->ngs_met_cn);
        metcn_json_num(j, "ngs_chr7_cn", s->ngs_chr7_cn);
        metcn_json_num(j, "ngs_ratio", s->ngs_ratio);
        metcn_json_str(j, "ngs_tier",
                       s->ngs_tier >= 0 ? metcn_criteria_tier_name(&c->opt.criteria, s->ngs_tier)
                                        : NULL);
        metcn_json_str(j, "ngs_qc", s->ngs_qc);
        metcn_json_num(j, "fish_ratio", s->fish_ratio);
        metcn_json_num(j, "fish_met_per_nucleus", s->fish_met);
        if (c->fish_per_nucleus) {
            metcn_json_num(j, "fish_cep7_per_nucleus", s->fish_cep7);
            metcn_json_int(j, "fish_nuclei", s->fish_nuclei);
            metcn_json_num(j, "fish_share_ge4", s->fish_ge4);
            metcn_json_num(j, "fish_share_ge5", s->fish_ge5);
            metcn_json_num(j, "fish_share_ge15", s->fish_ge15);
        }
        metcn_json_str(j, "fish_tier",
                       s->fish_tier >= 0 ? metcn_criteria_tier_name(&c->opt.criteria, s->fish_tier)
                                         : NULL);
        if (s->ngs_amp >= 0)
            metcn_json_bool(j, "ngs_amplified", s->ngs_amp);
        else
            metcn_json_null(j, "ngs_amplified");
        if (s->fish_amp >= 0)
            metcn_json_bool(j, "fish_amplified", s->fish_amp);
        else
            metcn_json_null(j, "fish_amplified");
        metcn_json_end_object(j);
    }
    metcn_json_end_array(j);
    metcn_json_end_object(j);
    int r = metcn_json_status(j);
    if (r != 0)
        r = metcn_set_error(r, "%s: JSON writer failed", path);
    else
        r = metcn_json_write(j, path);
    metcn_json_destroy(j);
    return r;
}

int metcn_concord_write_tsv(const metcn_concord_t *c, const char *path)
{
    metcn_ofile_t *f = metcn_ofile_open(path);
    if (!f)
        return metcn_last_error_code();
    char a[32], b[32], d[32], e[32];
    metcn_ofile_printf(f, "statistic\testimate\tci_low\tci_high\tse\tn\tnote\n");
    for (int s = 0; s < METCN_CONCORD_N_STATS; s++) {
        const metcn_stat_t *st = &c->stat[s];
        stat_meta_t m = meta((metcn_cstat_t)s);
        if (m.count)
            snprintf(a, sizeof a, "%lld", (long long)st->estimate);
        else
            snprintf(a, sizeof a, "%s", metcn_fmt_double(b, st->estimate, 6));
        metcn_ofile_printf(
            f, "%s\t%s\t%s\t%s\t%s\t%lld\t%s\n", metcn_concord_stat_name((metcn_cstat_t)s), a,
            metcn_fmt_double(b, st->ci_low, 6), metcn_fmt_double(d, st->ci_high, 6),
            metcn_fmt_double(e, st->se, 6), (long long)st->n, st->note ? st->note : ".");
    }
    return metcn_ofile_close(f, 1);
}

int metcn_concord_write_samples(const metcn_concord_t *c, const char *path)
{
    metcn_ofile_t *f = metcn_ofile_open(path);
    if (!f)
        return metcn_last_error_code();
    char b[10][32];
    metcn_ofile_printf(f, "sample\tstatus\tngs_met_cn\tngs_chr7_cn\tngs_ratio\tngs_tier\tngs_qc\t"
                          "fish_ratio\tfish_met_per_nucleus\tfish_cep7_per_nucleus\tfish_nuclei\t"
                          "fish_share_ge4\tfish_share_ge5\tfish_share_ge15\tfish_tier\t"
                          "ngs_amplified\tfish_amplified\n");
    for (size_t i = 0; i < c->n_samples; i++) {
        const metcn_concord_sample_t *s = &c->samples[i];
        char nuc[32];
        if (s->fish_nuclei > 0)
            snprintf(nuc, sizeof nuc, "%lld", (long long)s->fish_nuclei);
        else
            strcpy(nuc, "NA");
        metcn_ofile_printf(
            f, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s->sample,
            metcn_concord_status_name(s->status), metcn_fmt_double(b[0], s->ngs_met_cn, 6),
            metcn_fmt_double(b[1], s->ngs_chr7_cn, 6), metcn_fmt_double(b[2], s->ngs_ratio, 6),
            metcn_criteria_tier_name(&c->opt.criteria, s->ngs_tier), s->ngs_qc,
            metcn_fmt_double(b[3], s->fish_ratio, 6), metcn_fmt_double(b[4], s->fish_met, 6),
            metcn_fmt_double(b[5], s->fish_cep7, 6), nuc, metcn_fmt_double(b[6], s->fish_ge4, 6),
            metcn_fmt_double(b[7], s->fish_ge5, 6), metcn_fmt_double(b[8], s->fish_ge15, 6),
            metcn_criteria_tier_name(&c->opt.criteria, s->fish_tier), amp_name(s->ngs_amp),
            amp_name(s->fish_amp));
    }
    return metcn_ofile_close(f, 1);
}

static const char *tier_fill[METCN_CRITERIA_MAX_TIERS] = {"#ffffff", "#fff3c4", "#ffd59e",
                                                          "#f4a3a3", "#ee8a8a", "#e06c6c"};

int metcn_concord_write_scatter_svg(const metcn_concord_t *c, const char *path)
{
    metcn_svg_t *s = metcn_svg_new(660, 580);
    if (!s)
        return metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
    const metcn_criteria_t *cr = &c->opt.criteria;
    int nt = metcn_criteria_uses_cn(cr) ? 0 : cr->n_tiers; /* bands only for ratio tiers */
    double lo = 0.5, hi = nt ? cr->tier[nt - 1].ratio_min * 2 : 10;
    for (size_t i = 0; i < c->n_samples; i++) {
        const metcn_concord_sample_t *p = &c->samples[i];
        if (p->status != METCN_CONCORD_MATCHED)
            continue;
        double v[2] = {p->fish_ratio, p->ngs_ratio};
        for (int t = 0; t < 2; t++)
            if (isfinite(v[t]) && v[t] > 0) {
                lo = fmin(lo, v[t] / 1.2);
                hi = fmax(hi, v[t] * 1.2);
            }
    }
    metcn_svg_frame_t fr = {80, 40, 460, 440, lo, hi, lo, hi, 1, 1};
    double bounds[METCN_CRITERIA_MAX_TIERS + 1];
    bounds[0] = lo;
    for (int t = 1; t < nt; t++)
        bounds[t] = cr->tier[t].ratio_min;
    bounds[nt] = hi;
    /* FISH tier bands as vertical strips, NGS tier boundaries as dashed horizontal lines */
    for (int t = 0; t < nt; t++) {
        double x1 = metcn_svg_fx(&fr, bounds[t]), x2 = metcn_svg_fx(&fr, bounds[t + 1]);
        metcn_svg_rect(s, x1, fr.y0, x2 - x1, fr.h, tier_fill[t], "none", 0.6);
        metcn_svg_text(s, (x1 + x2) / 2, fr.y0 - 6, "middle", 10, "#555", 0, "%s",
                       metcn_criteria_tier_name(cr, t));
    }
    for (int t = 1; t < nt; t++) {
        double y = metcn_svg_fy(&fr, bounds[t]);
        metcn_svg_line(s, fr.x0, y, fr.x0 + fr.w, y, "#888", 1, "4,3");
    }
    metcn_svg_line(s, metcn_svg_fx(&fr, lo), metcn_svg_fy(&fr, lo), metcn_svg_fx(&fr, hi),
                   metcn_svg_fy(&fr, hi), "#444", 1, "2,2");
    for (int t = 0; t < nt; t++) { /* NGS tier names on the right */
        double y1 = metcn_svg_fy(&fr, bounds[t]), y2 = metcn_svg_fy(&fr, bounds[t + 1]);
        metcn_svg_text(s, fr.x0 + fr.w + 6, (y1 + y2) / 2 + 4, "start", 10, "#555", 0, "%s",
                       metcn_criteria_tier_name(cr, t));
    }
    /* the "amplified" ratio cut-offs of both sides, when ratio rules are in use */
    if (isfinite(c->opt.fish_amp.ratio_min)) {
        double x = metcn_svg_fx(&fr, c->opt.fish_amp.ratio_min);
        metcn_svg_line(s, x, fr.y0, x, fr.y0 + fr.h, "#2ca02c", 1.5, NULL);
    }
    if (isfinite(c->opt.ngs_amp.ratio_min)) {
        double y = metcn_svg_fy(&fr, c->opt.ngs_amp.ratio_min);
        metcn_svg_line(s, fr.x0, y, fr.x0 + fr.w, y, "#2ca02c", 1.5, NULL);
    }
    metcn_svg_axes(s, &fr, "FISH MET/CEP7 ratio", "NGS MET/chr7 ratio", 5);
    size_t n_con = 0, n_dis = 0, n_unc = 0;
    for (size_t i = 0; i < c->n_samples; i++) {
        const metcn_concord_sample_t *p = &c->samples[i];
        if (p->status != METCN_CONCORD_MATCHED || !(p->fish_ratio > 0) || !(p->ngs_ratio > 0))
            continue;
        const char *col = "#888888";
        if (p->ngs_amp >= 0 && p->fish_amp >= 0) {
            col = p->ngs_amp == p->fish_amp ? "#1f77b4" : "#d62728";
            if (p->ngs_amp == p->fish_amp)
                n_con++;
            else
                n_dis++;
        } else {
            n_unc++;
        }
        metcn_svg_comment(s, p->sample);
        metcn_svg_circle(s, metcn_svg_fx(&fr, p->fish_ratio), metcn_svg_fy(&fr, p->ngs_ratio), 4,
                         col, "#000", 0.85);
    }
    double ly = fr.y0 + fr.h + 50;
    metcn_svg_circle(s, fr.x0 + 5, ly - 4, 4, "#1f77b4", "#000", 0.85);
    metcn_svg_text(s, fr.x0 + 14, ly, "start", 11, "#000", 0, "concordant (%zu)", n_con);
    metcn_svg_circle(s, fr.x0 + 145, ly - 4, 4, "#d62728", "#000", 0.85);
    metcn_svg_text(s, fr.x0 + 154, ly, "start", 11, "#000", 0, "discordant (%zu)", n_dis);
    metcn_svg_circle(s, fr.x0 + 285, ly - 4, 4, "#888888", "#000", 0.85);
    metcn_svg_text(s, fr.x0 + 294, ly, "start", 11, "#000", 0, "unclassified (%zu)", n_unc);
    metcn_svg_line(s, fr.x0, ly + 14, fr.x0 + 12, ly + 14, "#2ca02c", 1.5, NULL);
    metcn_svg_text(s, fr.x0 + 16, ly + 18, "start", 11, "#000", 0,
                   "amplified cut-offs (FISH vertical, NGS horizontal); bands: FISH tiers; "
                   "dashed: NGS tier boundaries");
    int r = metcn_svg_write(s, path);
    metcn_svg_destroy(s);
    return r;
}

int metcn_concord_write_roc_svg(const metcn_concord_t *c, const char *path)
{
    metcn_svg_t *s = metcn_svg_new(560, 560);
    if (!s)
        return metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
    metcn_svg_frame_t fr = {80, 40, 440, 440, 0, 1, 0, 1, 0, 0};
    metcn_svg_line(s, metcn_svg_fx(&fr, 0), metcn_svg_fy(&fr, 0), metcn_svg_fx(&fr, 1),
                   metcn_svg_fy(&fr, 1), "#aaa", 1, "4,3");
    metcn_svg_axes(s, &fr, "1 - specificity (vs FISH)", "sensitivity (vs FISH)", 5);
    const metcn_roc_t *rocs[2] = {&c->roc_ratio, &c->roc_cn};
    const char *cols[2] = {"#1f77b4", "#ff7f0e"}, *names[2] = {"NGS MET/chr7 ratio", "NGS MET "
                                                                                     "copy number"};
    int ret = 0;
    for (int k = 0; k < 2; k++) {
        const metcn_roc_t *r = rocs[k];
        double ly = fr.y0 + fr.h - 40 + 18 * k;
        char a[32], lo[32], hi[32];
        if (r->n_points > 1) {
            double *x = malloc(r->n_points * sizeof *x), *y = malloc(r->n_points * sizeof *y);
            if (!x || !y) {
                free(x);
                free(y);
                ret = metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
                goto out;
            }
            for (size_t i = 0; i < r->n_points; i++) {
                x[i] = metcn_svg_fx(&fr, r->points[i].fpr);
                y[i] = metcn_svg_fy(&fr, r->points[i].tpr);
            }
            metcn_svg_polyline(s, x, y, r->n_points, cols[k], k == 0 ? 4 : 2); /* both visible */
            free(x);
            free(y);
            if (isfinite(r->youden.estimate))
                metcn_svg_circle(s, metcn_svg_fx(&fr, 1 - r->youden_specificity),
                                 metcn_svg_fy(&fr, r->youden_sensitivity), 5, "none", cols[k], 1);
        }
        metcn_svg_line(s, fr.x0 + fr.w - 230, ly - 4, fr.x0 + fr.w - 210, ly - 4, cols[k], 2, NULL);
        metcn_svg_text(s, fr.x0 + fr.w - 205, ly, "start", 11, "#000", 0, "%s: AUC %s (%s-%s)",
                       names[k], metcn_fmt_double(a, r->auc.estimate, 3),
                       metcn_fmt_double(lo, r->auc.ci_low, 3),
                       metcn_fmt_double(hi, r->auc.ci_high, 3));
    }
    ret = metcn_svg_write(s, path);
out:
    metcn_svg_destroy(s);
    return ret;
}
