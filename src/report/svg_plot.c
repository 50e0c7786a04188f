/* svg_plot.c -- the plot of the gene's chromosome a pathologist reads at a glance: every bin
 * as copy number per tumour cell (log scale), the control level, the gene's estimate with its
 * interval, and the tier bands (ratio boundaries times the control level). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metcn/call.h"
#include "metcn/metcn.h"
#include "metcn/report.h"
#include "core/svg.h"
#include "report_fmt.h"

/* Tier bands of ratio-only criteria: tier t spans control * [its ratio bound, the next's). */
static void tier_bands(metcn_svg_t *s, const metcn_svg_frame_t *fr, const metcn_call_t *c,
                       double c7, double ymax)
{
    static const char *const fill[] = {"#f4f4f4", "#fff3bf", "#ffd8a8",
                                       "#ffc9c9", "#ffa8a8", "#ff8787"};
    const metcn_criteria_t *cr = c->criteria;
    if (metcn_criteria_uses_cn(cr))
        return; /* two-dimensional tiers have no band on this axis */
    for (int t = 0; t < cr->n_tiers; t++) {
        double lo = t == 0 ? 0.5 : c7 * cr->tier[t].ratio_min;
        double hi = t + 1 < cr->n_tiers ? c7 * cr->tier[t + 1].ratio_min : ymax;
        lo = lo < 0.5 ? 0.5 : lo;
        hi = hi > ymax ? ymax : hi;
        if (!(hi > lo))
            continue;
        double y0 = metcn_svg_fy(fr, hi), y1 = metcn_svg_fy(fr, lo);
        metcn_svg_rect(s, fr->x0, y0, fr->w, y1 - y0, fill[t], "none", 1.0);
        metcn_svg_text(s, fr->x0 + fr->w + 6, 0.5 * (y0 + y1) + 4, "start", 11, "#555", 0, "%s",
                       cr->tier[t].name);
    }
}

/* The allele-fraction track (with a purity fit and its sites): the B-allele fraction of every
 * heterozygous site the fit used on the gene's chromosome (alt / (ref + alt), both mirror
 * images shown as they are), and each fit segment's mirrored fraction and its mirror as lines,
 * labelled with (major, minor). */
static void baf_track(metcn_svg_t *s, const metcn_call_t *c, double len, double y0)
{
    const metcn_purity_t *f = c->pfit;
    const metcn_sites_t *st = c->sites;
    int32_t chr = c->gene->contig;
    metcn_svg_frame_t fr = {80, y0, 760, 120, 0, len / 1e6, 0, 1, 0, 0};
    metcn_svg_line(s, fr.x0, metcn_svg_fy(&fr, 0.5), fr.x0 + fr.w, metcn_svg_fy(&fr, 0.5),
                   "#adb5bd", 1, "3,3");
    for (size_t i = 0; st && i < st->n; i++) {
        int ss = f->site_status[i];
        uint32_t d = st->ref_count[i] + st->alt_count[i];
        if (st->contig[i] != chr || d == 0 ||
            (ss != METCN_PSITE_HET_NORMAL && ss != METCN_PSITE_HET_INFERRED))
            continue;
        double x = metcn_svg_fx(&fr, (st->pos[i] + 0.5) / 1e6);
        metcn_svg_circle(s, x, metcn_svg_fy(&fr, (double)st->alt_count[i] / d), 1.8, "#7048e8",
                         "none", 0.6);
    }
    for (size_t k = 0; k < f->n_segs; k++) {
        const metcn_purity_seg_t *g = &f->segs[k];
        if (g->tid != chr || !isfinite(g->baf))
            continue;
        double x0 = metcn_svg_fx(&fr, g->start / 1e6), x1 = metcn_svg_fx(&fr, g->end / 1e6);
        if (x1 - x0 < 2)
            x1 = x0 + 2;
        metcn_svg_line(s, x0, metcn_svg_fy(&fr, g->baf), x1, metcn_svg_fy(&fr, g->baf), "#343a40",
                       2, NULL);
        metcn_svg_line(s, x0, metcn_svg_fy(&fr, 1 - g->baf), x1, metcn_svg_fy(&fr, 1 - g->baf),
                       "#343a40", 2, NULL);
        if (!g->subclonal)
            metcn_svg_text(s, x1 + 3, metcn_svg_fy(&fr, g->baf) - 3, "start", 10, "#343a40", 0,
                           "(%d,%d)", g->major, g->minor);
    }
    metcn_svg_axes(s, &fr, NULL, "allele fraction", 2);
}

int metcn_report_svg(const char *path, const metcn_call_t *c)
{
    const metcn_panel_t *p = c->panel;
    const metcn_gene_t *g = c->gene;
    int track = c->pfit && c->sites;
    double height = track ? 730 : 560; /* the allele-fraction track adds 170 px */
    metcn_svg_t *s = metcn_svg_new(960, height);
    if (!s)
        return metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
    const metcn_contig_t *ctg = &p->contigs[g->contig];
    double len = ctg->length > 0 ? (double)ctg->length : 0;
    for (size_t i = 0; i < c->n; i++)
        if (p->bins[i].contig == g->contig && (double)p->bins[i].end > len)
            len = (double)p->bins[i].end;
    double c7 = c->control_cn.cn > 0.25 ? c->control_cn.cn : 2.0;
    const metcn_criteria_t *cr = c->criteria;
    double top_ratio = cr->tier[cr->n_tiers - 1].ratio_min;
    double ymax = 16;
    double top = c->gene_cn.hi;
    if (isfinite(top) && top * 1.3 > ymax)
        ymax = top * 1.3;
    if (isfinite(top_ratio) && c7 * top_ratio * 1.3 > ymax)
        ymax = c7 * top_ratio * 1.3;
    if (ymax > 400)
        ymax = 400;
    metcn_svg_frame_t fr = {80, 70, 760, 400, 0, len / 1e6, 0.5, ymax, 0, 1};
    tier_bands(s, &fr, c, c7, ymax);
    if (g->cen_start >= 0) {
        double x0 = metcn_svg_fx(&fr, g->cen_start / 1e6), x1 = metcn_svg_fx(&fr, g->cen_end / 1e6);
        metcn_svg_rect(s, x0, fr.y0, x1 - x0 > 1 ? x1 - x0 : 1, fr.h, "#dddddd", "none", 0.8);
        metcn_svg_text(s, 0.5 * (x0 + x1), fr.y0 + 12, "middle", 10, "#777", 0, "centromere");
    }
    /* high-level amplification line (NGS), at the call's threshold */
    if (c->high_amp_cn < ymax) {
        double y = metcn_svg_fy(&fr, c->high_amp_cn);
        metcn_svg_line(s, fr.x0, y, fr.x0 + fr.w, y, "#c92a2a", 1, "2,4");
        metcn_svg_text(s, fr.x0 + 4, y - 3, "start", 10, "#c92a2a", 0, ">%g copies: high-level",
                       c->high_amp_cn);
    }
    /* bins */
    for (size_t i = 0; i < c->n; i++) {
        const metcn_bin_t *bn = &p->bins[i];
        if (bn->contig != g->contig || !(c->bin_flag[i] & METCN_BIN_USED))
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
    metcn_svg_text(s, fr.x0 + fr.w - 4, yc - 4, "end", 11, "#1c7ed6", 0, "%s control %.2f",
                   c->control, c->control_cn.cn);
    if (g->cen_start >= 0) {
        if (isfinite(c->control_p_cn.cn) && c->control_p_cn.cn >= 0.5) {
            double y = metcn_svg_fy(&fr, c->control_p_cn.cn);
            metcn_svg_line(s, fr.x0, y, metcn_svg_fx(&fr, g->cen_start / 1e6), y, "#1864ab", 2,
                           NULL);
        }
        if (isfinite(c->control_q_cn.cn) && c->control_q_cn.cn >= 0.5) {
            double y = metcn_svg_fy(&fr, c->control_q_cn.cn);
            metcn_svg_line(s, metcn_svg_fx(&fr, g->cen_end / 1e6), y, fr.x0 + fr.w, y, "#1864ab", 2,
                           NULL);
        }
    }
    /* the gene: estimate and interval */
    if (g->start >= 0) {
        double xm = metcn_svg_fx(&fr, 0.5 * (g->start + g->end) / 1e6);
        double cn = c->gene_cn.cn < 0.5 ? 0.5 : c->gene_cn.cn;
        double lo = c->gene_cn.lo < 0.5 ? 0.5 : c->gene_cn.lo, hi = c->gene_cn.hi;
        metcn_svg_line(s, xm, metcn_svg_fy(&fr, lo), xm, metcn_svg_fy(&fr, hi), "#c92a2a", 2, NULL);
        metcn_svg_line(s, xm - 8, metcn_svg_fy(&fr, cn), xm + 8, metcn_svg_fy(&fr, cn), "#c92a2a",
                       3, NULL);
        metcn_svg_text(s, xm + 10, metcn_svg_fy(&fr, cn) - 6, "start", 12, "#c92a2a", 0,
                       "%s %.1f (%.1f-%.1f)", g->name, c->gene_cn.cn, c->gene_cn.lo, c->gene_cn.hi);
    }
    if (c->has_extent) {
        double x0 = metcn_svg_fx(&fr, c->extent_start / 1e6),
               x1 = metcn_svg_fx(&fr, c->extent_end / 1e6);
        metcn_svg_rect(s, x0, fr.y0 + fr.h - 6, x1 - x0 > 2 ? x1 - x0 : 2, 6, "#c92a2a", "none",
                       0.8);
    }
    metcn_svg_axes(s, &fr, "chromosome position (Mb)", "copy number per tumour cell", 8);
    if (track)
        baf_track(s, c, len, 520);
    metcn_svg_text(s, 80, 24, "start", 16, "#000", 0, "%s  %s/%s %.2f (%.2f-%.2f) %s%s", c->sample,
                   g->name, c->control, c->ratio, c->ratio_lo, c->ratio_hi,
                   metcn_criteria_tier_name(cr, c->tier), c->equivocal ? " (equivocal)" : "");
    metcn_svg_text(s, 80, 46, "start", 12, "#333", 0,
                   "pattern %s; >%g copies: %s; criteria %s; detection limit %.1f copies; QC %s",
                   metcn_pattern_name(c->pattern), c->high_amp_cn, metcn_highamp_name(c->high_amp),
                   cr->name, c->lod_cn, metcn_qc_name(c->qc));
    int assumed = c->purity_source == METCN_PURITY_ASSUMED;
    metcn_svg_text(s, 80, height - 30, "start", 11, assumed ? "#c92a2a" : "#333", 0,
                   c->sample_type == METCN_SAMPLE_PLASMA
                       ? "tumour fraction %.3g%s, ploidy %.3g; red: %s bins, grey: control bins, "
                         "blue rings: focal events left out of the control"
                       : "purity %.2f%s, ploidy %.3g; red: %s bins, grey: control bins, blue "
                         "rings: focal events left out of the control",
                   c->purity,
                   assumed ? " ASSUMED (not given)"
                   : c->purity_source == METCN_PURITY_SOURCE_ESTIMATED
                       ? " (estimated from the reads)"
                       : "",
                   c->ploidy, g->name);
    char l5[32], l10[32];
    metcn_svg_text(s, 80, height - 12, "start", 11,
                   c->detection == METCN_DETECTION_NOT_ASSESSABLE ? "#c92a2a" : "#333", 0,
                   "%s CN %.2f (%.2f-%.2f); %s; detection limit as tumour fraction %s for 10 "
                   "copies, %s for 5",
                   c->sample_type == METCN_SAMPLE_PLASMA ? "plasma" : "bulk", c->plasma_cn.cn,
                   c->plasma_cn.lo, c->plasma_cn.hi, metcn_detection_name(c->detection),
                   report_tf_pct(l10, c->lod_tf_cn10), report_tf_pct(l5, c->lod_tf_cn5));
    int r = metcn_svg_write(s, path);
    metcn_svg_destroy(s);
    return r;
}
