/* report_svg.c -- the chromosome-7 plot a pathologist reads at a glance: every bin as copy
 * number per tumour cell (log scale), the chr7 control level, the gene's estimate with its
 * interval, and the tier bands (ratio boundaries times the chr7 level). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metcn/call.h"
#include "metcn/metcn.h"
#include "metcn/report.h"
#include "core/svg.h"

int metcn_report_svg(const char *path, const metcn_call_t *c)
{
    const metcn_panel_t *p = c->panel;
    if (c->locus->contig < 0)
        return metcn_set_error(METCN_E_NOTARGET, "%s: no target chromosome to plot", path);
    metcn_svg_t *s = metcn_svg_new(960, 560);
    if (!s)
        return metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
    const metcn_contig_t *ctg = &p->contigs[c->locus->contig];
    double len = ctg->length > 0 ? (double)ctg->length : 0;
    for (size_t i = 0; i < c->n; i++)
        if (p->bins[i].contig == c->locus->contig && (double)p->bins[i].end > len)
            len = (double)p->bins[i].end;
    double c7 = c->chr7_cn.cn > 0.25 ? c->chr7_cn.cn : 2.0;
    double ymax = 16;
    double top = c->met_cn.hi;
    if (isfinite(top) && top * 1.3 > ymax)
        ymax = top * 1.3;
    if (c7 * c->criteria->high * 1.3 > ymax)
        ymax = c7 * c->criteria->high * 1.3;
    if (ymax > 400)
        ymax = 400;
    metcn_svg_frame_t fr = {80, 70, 760, 400, 0, len / 1e6, 0.5, ymax, 0, 1};

    /* Tier bands: the ratio boundaries are copy-number levels c7 * boundary. */
    const struct {
        double lo, hi;
        const char *fill, *label;
    } band[4] = {
        {0.5, c7 * c->criteria->low, "#f4f4f4", "negative"},
        {c7 * c->criteria->low, c7 * c->criteria->intermediate, "#fff3bf", "low"},
        {c7 * c->criteria->intermediate, c7 * c->criteria->high, "#ffd8a8", "intermediate"},
        {c7 * c->criteria->high, ymax, "#ffc9c9", "high"},
    };
    for (int b = 0; b < 4; b++) {
        double lo = band[b].lo < 0.5 ? 0.5 : band[b].lo, hi = band[b].hi > ymax ? ymax : band[b].hi;
        if (!(hi > lo))
            continue;
        double y0 = metcn_svg_fy(&fr, hi), y1 = metcn_svg_fy(&fr, lo);
        metcn_svg_rect(s, fr.x0, y0, fr.w, y1 - y0, band[b].fill, "none", 1.0);
        metcn_svg_text(s, fr.x0 + fr.w + 6, 0.5 * (y0 + y1) + 4, "start", 11, "#555", 0, "%s",
                       band[b].label);
    }
    if (c->locus->cen_start >= 0) {
        double x0 = metcn_svg_fx(&fr, c->locus->cen_start / 1e6),
               x1 = metcn_svg_fx(&fr, c->locus->cen_end / 1e6);
        metcn_svg_rect(s, x0, fr.y0, x1 - x0 > 1 ? x1 - x0 : 1, fr.h, "#dddddd", "none", 0.8);
        metcn_svg_text(s, 0.5 * (x0 + x1), fr.y0 + 12, "middle", 10, "#777", 0, "centromere");
    }
    /* >10 copies line (NGS high-level amplification) */
    if (c->criteria && 10.0 < ymax) {
        double y = metcn_svg_fy(&fr, 10.0);
        metcn_svg_line(s, fr.x0, y, fr.x0 + fr.w, y, "#c92a2a", 1, "2,4");
        metcn_svg_text(s, fr.x0 + 4, y - 3, "start", 10, "#c92a2a", 0, ">10 copies: high-level");
    }
    /* bins */
    for (size_t i = 0; i < c->n; i++) {
        const metcn_bin_t *bn = &p->bins[i];
        if (bn->contig != c->locus->contig || !(c->bin_flag[i] & METCN_BIN_USED))
            continue;
        double cn = metcn_cn_from_ratio(exp2(c->log2[i]), c->purity, c->ploidy);
        if (cn < 0.5)
            cn = 0.5;
        double x = metcn_svg_fx(&fr, 0.5 * (bn->start + bn->end) / 1e6), y = metcn_svg_fy(&fr, cn);
        unsigned fl = c->bin_flag[i];
        if (fl & METCN_BIN_TARGET)
            metcn_svg_circle(s, x, y, 3.5, "#e03131", "none", 0.9);
        else if (fl & METCN_BIN_FOCAL)
            metcn_svg_circle(s, x, y, 2.5, "none", "#1c7ed6", 0.9);
        else if (fl & METCN_BIN_CONTROL)
            metcn_svg_circle(s, x, y, 2.2, "#495057", "none", 0.6);
        else
            metcn_svg_circle(s, x, y, 2.2, "#adb5bd", "none", 0.6);
    }
    /* control levels: whole chromosome dashed, each arm solid over its extent */
    double yc = metcn_svg_fy(&fr, c7);
    metcn_svg_line(s, fr.x0, yc, fr.x0 + fr.w, yc, "#1c7ed6", 1.5, "6,3");
    metcn_svg_text(s, fr.x0 + fr.w - 4, yc - 4, "end", 11, "#1c7ed6", 0, "chr7 control %.2f",
                   c->chr7_cn.cn);
    if (c->locus->cen_start >= 0) {
        if (isfinite(c->chr7p_cn.cn) && c->chr7p_cn.cn >= 0.5) {
            double y = metcn_svg_fy(&fr, c->chr7p_cn.cn);
            metcn_svg_line(s, fr.x0, y, metcn_svg_fx(&fr, c->locus->cen_start / 1e6), y, "#1864ab",
                           2, NULL);
        }
        if (isfinite(c->chr7q_cn.cn) && c->chr7q_cn.cn >= 0.5) {
            double y = metcn_svg_fy(&fr, c->chr7q_cn.cn);
            metcn_svg_line(s, metcn_svg_fx(&fr, c->locus->cen_end / 1e6), y, fr.x0 + fr.w, y,
                           "#1864ab", 2, NULL);
        }
    }
    /* the gene: estimate and interval */
    if (c->locus->start >= 0) {
        double xm = metcn_svg_fx(&fr, 0.5 * (c->locus->start + c->locus->end) / 1e6);
        double cn = c->met_cn.cn < 0.5 ? 0.5 : c->met_cn.cn;
        double lo = c->met_cn.lo < 0.5 ? 0.5 : c->met_cn.lo, hi = c->met_cn.hi;
        metcn_svg_line(s, xm, metcn_svg_fy(&fr, lo), xm, metcn_svg_fy(&fr, hi), "#c92a2a", 2, NULL);
        metcn_svg_line(s, xm - 8, metcn_svg_fy(&fr, cn), xm + 8, metcn_svg_fy(&fr, cn), "#c92a2a",
                       3, NULL);
        metcn_svg_text(s, xm + 10, metcn_svg_fy(&fr, cn) - 6, "start", 12, "#c92a2a", 0,
                       "%s %.1f (%.1f-%.1f)", c->gene, c->met_cn.cn, c->met_cn.lo, c->met_cn.hi);
    }
    if (c->has_extent) {
        double x0 = metcn_svg_fx(&fr, c->extent_start / 1e6),
               x1 = metcn_svg_fx(&fr, c->extent_end / 1e6);
        metcn_svg_rect(s, x0, fr.y0 + fr.h - 6, x1 - x0 > 2 ? x1 - x0 : 2, 6, "#c92a2a", "none",
                       0.8);
    }
    metcn_svg_axes(s, &fr, "chromosome position (Mb)", "copy number per tumour cell", 8);
    metcn_svg_text(s, 80, 24, "start", 16, "#000", 0, "%s  %s/chr7 %.2f (%.2f-%.2f) %s%s",
                   c->sample, c->gene, c->ratio, c->ratio_lo, c->ratio_hi, metcn_tier_name(c->tier),
                   c->equivocal ? " (equivocal)" : "");
    metcn_svg_text(s, 80, 46, "start", 12, "#333", 0,
                   "pattern %s; >10 copies: %s; criteria %s; detection limit %.1f copies; QC %s",
                   metcn_pattern_name(c->pattern), metcn_highamp_name(c->high_amp),
                   c->criteria->name, c->lod_cn, metcn_qc_name(c->qc));
    metcn_svg_text(s, 80, 530, "start", 11, c->purity_assumed ? "#c92a2a" : "#333", 0,
                   "purity %.2f%s, ploidy %g; red: %s bins, grey: control bins, blue rings: "
                   "focal events left out of the control",
                   c->purity, c->purity_assumed ? " ASSUMED (not given)" : "", c->ploidy, c->gene);
    int r = metcn_svg_write(s, path);
    metcn_svg_destroy(s);
    return r;
}
