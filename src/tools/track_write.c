/* track_write.c -- outputs of `metcn track`: the time-line table, the JSON document, one SVG
 * per patient (written together as one output set) and the plain-words summary. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <htslib/kstring.h>

#include "core/json.h"
#include "core/svg.h"
#include "metcn/metcn.h"
#include "metcn/track.h"
#include "metcn/util.h"

/* ---- the table --------------------------------------------------------------------------- */

static const char *const tsv_header =
    "patient\tsample\tdate\tgene\ttumour_fraction\tplasma_cn\tcn\tdetection\tevent"
    "\ttumour_fraction_low\ttumour_fraction_high\ttumour_fraction_source\tplasma_cn_low"
    "\tplasma_cn_high\tplasma_cn_source\tcn_low\tcn_high\tdetection_source\tlod_tf_cn5"
    "\tlod_tf_cn10\tcompared_to\tlog_ratio\tz\tp_value\n";

static int write_tsv(const metcn_track_t *t, metcn_ofile_t *f)
{
    char b[12][32];
    metcn_ofile_printf(f, "%s", tsv_header);
    for (size_t i = 0; i < t->n_points; i++) {
        const metcn_track_point_t *p = &t->points[t->order[i]];
        metcn_ofile_printf(f, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t", p->patient, p->sample,
                           p->date, p->gene, metcn_fmt_double(b[0], p->tf.est, 6),
                           metcn_fmt_double(b[1], p->plasma_cn.est, 6),
                           metcn_fmt_double(b[2], p->cn.est, 6), metcn_detection_name(p->detection),
                           metcn_track_event_name(p->event));
        metcn_ofile_printf(
            f, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t", metcn_fmt_double(b[0], p->tf.lo, 6),
            metcn_fmt_double(b[1], p->tf.hi, 6), p->tf_source,
            metcn_fmt_double(b[2], p->plasma_cn.lo, 6), metcn_fmt_double(b[3], p->plasma_cn.hi, 6),
            metcn_track_src_name(p->plasma_cn_src), metcn_fmt_double(b[4], p->cn.lo, 6),
            metcn_fmt_double(b[5], p->cn.hi, 6), metcn_track_src_name(p->detection_src),
            metcn_fmt_double(b[6], p->lod_tf_cn5, 6), metcn_fmt_double(b[7], p->lod_tf_cn10, 6));
        metcn_ofile_printf(f, "%s\t%s\t%s\t%s\n", p->ref >= 0 ? t->points[p->ref].sample : "NA",
                           metcn_fmt_double(b[8], p->log_ratio, 4), metcn_fmt_double(b[9], p->z, 4),
                           metcn_fmt_double(b[10], p->p_value, 3));
    }
    return metcn_ofile_printf(f, "%s", "");
}

/* ---- plain words ------------------------------------------------------------------------- */

/* A tissue row: its mixture copy number or its detection was derived from tissue columns. */
static int is_tissue(const metcn_track_point_t *p)
{
    return p->plasma_cn_src == METCN_SRC_DERIVED || p->detection_src == METCN_SRC_DERIVED;
}

static void put_value(kstring_t *k, const char *what, const metcn_track_value_t *v,
                      const char *unit)
{
    if (!isfinite(v->est))
        return;
    ksprintf(k, "%s %.3g", what, v->est);
    if (isfinite(v->lo) && isfinite(v->hi))
        ksprintf(k, " [%.3g-%.3g]", v->lo, v->hi);
    kputs(unit, k);
}

enum { V_CN = 1, V_TF = 2, V_P = 4, V_LOD = 8 };

/* "(plasma CN 3.1 [2.8-3.4], TF 12%)" with what `what` asks for and is known; nothing when
 * nothing is. */
static void put_values(kstring_t *k, const metcn_track_point_t *p, int what)
{
    kstring_t in = KS_INITIALIZE;
    if ((what & V_CN) && is_tissue(p))
        put_value(&in, "CN", &p->cn, " per tumour cell");
    else if (what & V_CN)
        put_value(&in, "plasma CN", &p->plasma_cn, "");
    if ((what & V_TF) && isfinite(p->tf.est))
        ksprintf(&in, "%s%s %.2g%%", in.l ? ", " : "", is_tissue(p) ? "purity" : "TF",
                 100 * p->tf.est);
    if ((what & V_LOD) && isfinite(p->lod_tf_cn10))
        ksprintf(&in, "%sdetection limit TF %.2g%% for 10 copies", in.l ? ", " : "",
                 100 * p->lod_tf_cn10);
    if ((what & V_P) && isfinite(p->p_value))
        ksprintf(&in, "%sp = %.2g", in.l ? ", " : "", p->p_value);
    if (in.l)
        ksprintf(k, " (%s)", in.s);
    free(in.s);
}

static void put_phrase(kstring_t *k, const metcn_track_point_t *p)
{
    const char *d = p->date;
    int det = p->detection == METCN_DETECTION_DETECTED;
    switch (p->event) {
    case METCN_EVENT_FIRST:
    case METCN_EVENT_STABLE:
        if (p->detection == METCN_DETECTION_NOT_ASSESSABLE) {
            ksprintf(k, "not assessable on %s", d);
            put_values(k, p, V_TF | V_LOD);
        } else if (det) {
            ksprintf(k, "%s on %s", p->event == METCN_EVENT_STABLE ? "stable" : "detected", d);
            put_values(k, p, V_CN | V_TF);
        } else {
            ksprintf(k, "%s on %s",
                     p->event == METCN_EVENT_STABLE ? "still not detected" : "not detected", d);
            put_values(k, p, V_TF);
        }
        break;
    case METCN_EVENT_RISE:
    case METCN_EVENT_FALL:
        ksprintf(k, "%s on %s", p->event == METCN_EVENT_RISE ? "rose" : "fell", d);
        put_values(k, p, V_CN | V_P);
        break;
    case METCN_EVENT_EMERGED:
    case METCN_EVENT_REEMERGED:
        ksprintf(k, "%s on %s", metcn_track_event_name(p->event), d);
        put_values(k, p, V_CN | V_TF);
        break;
    case METCN_EVENT_CLEARED:
        ksprintf(k, "cleared on %s", d);
        put_values(k, p, V_TF);
        break;
    case METCN_EVENT_BELOW_DETECTION:
        ksprintf(k, "not assessable on %s", d);
        put_values(k, p, V_TF | V_LOD);
        break;
    default:
        ksprintf(k, "no result on %s", d);
    }
}

char *metcn_track_summary(const metcn_track_t *t, size_t pi)
{
    const metcn_track_patient_t *pt = &t->patients[pi];
    const metcn_track_point_t *pts = t->points + pt->first;
    kstring_t k = KS_INITIALIZE;
    int32_t d0 = INT32_MAX, d1 = INT32_MIN;
    const char *s0 = "", *s1 = "";
    for (size_t i = 0; i < pt->n; i++) {
        if (pts[i].day < d0)
            d0 = pts[i].day, s0 = pts[i].date;
        if (pts[i].day > d1)
            d1 = pts[i].day, s1 = pts[i].date;
    }
    ksprintf(&k, "patient %s (%zu sample%s", pt->name, pt->n_samples,
             pt->n_samples == 1 ? "" : "s");
    if (d1 > d0)
        ksprintf(&k, ", %s to %s", s0, s1);
    else if (pt->n)
        ksprintf(&k, ", %s", s0);
    kputs(")\n", &k);
    for (size_t i = 0; i < pt->n;) {
        ksprintf(&k, "  %s: ", pts[i].gene);
        size_t j = i;
        for (; j < pt->n && strcmp(pts[j].gene, pts[i].gene) == 0; j++) {
            if (j > i)
                kputs("; ", &k);
            put_phrase(&k, &pts[j]);
        }
        kputs(".\n", &k);
        i = j;
    }
    return k.s;
}

/* ---- JSON -------------------------------------------------------------------------------- */

static void json_value(metcn_json_t *j, const char *key, const metcn_track_value_t *v,
                       const char *source)
{
    metcn_json_begin_object(j, key);
    metcn_json_num(j, "estimate", v->est);
    metcn_json_num(j, "low", v->lo);
    metcn_json_num(j, "high", v->hi);
    metcn_json_str(j, "source", source);
    metcn_json_end_object(j);
}

static void json_point(metcn_json_t *j, const metcn_track_t *t, const metcn_track_point_t *p)
{
    metcn_json_begin_object(j, NULL);
    metcn_json_str(j, "sample", p->sample);
    metcn_json_str(j, "date", p->date);
    metcn_json_str(j, "calls", p->calls_path);
    metcn_json_int(j, "calls_line", p->calls_line);
    json_value(j, "tumour_fraction", &p->tf, p->tf_source);
    json_value(j, "plasma_cn", &p->plasma_cn, metcn_track_src_name(p->plasma_cn_src));
    json_value(j, "cn", &p->cn, NULL);
    metcn_json_str(j, "detection", metcn_detection_name(p->detection));
    metcn_json_str(j, "detection_source", metcn_track_src_name(p->detection_src));
    metcn_json_num(j, "lod_tf_cn5", p->lod_tf_cn5);
    metcn_json_num(j, "lod_tf_cn10", p->lod_tf_cn10);
    metcn_json_str(j, "event", metcn_track_event_name(p->event));
    metcn_json_str(j, "compared_to", p->ref >= 0 ? t->points[p->ref].sample : NULL);
    metcn_json_num(j, "log_ratio", p->log_ratio);
    metcn_json_num(j, "z", p->z);
    metcn_json_num(j, "p_value", p->p_value);
    metcn_json_end_object(j);
}

static int json_patient(metcn_json_t *j, const metcn_track_t *t, size_t pi, const char *svg)
{
    const metcn_track_patient_t *pt = &t->patients[pi];
    char *summary = metcn_track_summary(t, pi);
    if (!summary)
        return metcn_set_error(METCN_E_NOMEM, "out of memory");
    metcn_json_begin_object(j, NULL);
    metcn_json_str(j, "patient", pt->name);
    metcn_json_str(j, "svg", svg);
    metcn_json_int(j, "n_samples", (int64_t)pt->n_samples);
    metcn_json_str(j, "summary", summary);
    free(summary);
    metcn_json_begin_array(j, "genes");
    const metcn_track_point_t *pts = t->points + pt->first;
    for (size_t i = 0; i < pt->n;) {
        metcn_json_begin_object(j, NULL);
        metcn_json_str(j, "gene", pts[i].gene);
        metcn_json_begin_array(j, "samples");
        size_t k = i;
        for (; k < pt->n && strcmp(pts[k].gene, pts[i].gene) == 0; k++)
            json_point(j, t, &pts[k]);
        metcn_json_end_array(j);
        metcn_json_end_object(j);
        i = k;
    }
    metcn_json_end_array(j);
    metcn_json_end_object(j);
    return 0;
}

static metcn_json_t *build_json(const metcn_track_t *t, char *const *svg_paths, const char *cmdline)
{
    metcn_json_t *j = metcn_json_new();
    if (!j)
        goto nomem;
    metcn_json_begin_object(j, NULL);
    metcn_json_str(j, "metcn_version", METCN_VERSION);
    metcn_json_str(j, "command", cmdline);
    metcn_json_str(j, "sheet", t->sheet);
    metcn_json_begin_object(j, "options");
    metcn_json_num(j, "alpha", t->opt.alpha);
    metcn_json_num(j, "interval_level", t->opt.interval_level);
    metcn_json_str(j, "negative_tiers", t->opt.negative_tiers);
    metcn_json_end_object(j);
    metcn_json_str(j, "test",
                   "rise/fall: two-sided z test of ln(plasma_cn / earlier plasma_cn), each SE = "
                   "(ln high - ln low) / (2 q), q the normal quantile of interval_level");
    metcn_json_begin_array(j, "patients");
    for (size_t p = 0; p < t->n_patients; p++)
        if (json_patient(j, t, p, svg_paths[p]) != 0) {
            metcn_json_destroy(j);
            return NULL;
        }
    metcn_json_end_array(j);
    metcn_json_end_object(j);
    if (metcn_json_status(j) == 0)
        return j;
    metcn_json_destroy(j);
nomem:
    metcn_set_error(METCN_E_NOMEM, "out of memory");
    return NULL;
}

/* ---- SVG --------------------------------------------------------------------------------- */

enum { SVG_W = 820, PANEL_H = 150, PANEL_GAP = 40, PLOT_X = 80, PLOT_W = 540, TOP = 46 };
static const char *const palette[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd",
                                      "#ff7f0e", "#8c564b", "#e377c2", "#17becf"};
#define N_PALETTE (sizeof palette / sizeof palette[0])

typedef struct {
    metcn_svg_t *s;
    const metcn_track_point_t *pts; /* the patient's points (series by gene) */
    size_t n;
    int32_t *days; /* distinct sample days, sorted */
    size_t n_days;
    double xmin, xmax;
    int any_tissue; /* a point's values were derived from tissue columns */
} plot_t;

static int cmp_day(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return x < y ? -1 : x > y;
}

/* The x range: every sample day, padded (a lone sample gets a month around it). */
static int plot_days(plot_t *pl)
{
    if (!(pl->days = malloc((pl->n ? pl->n : 1) * sizeof *pl->days)))
        return metcn_set_error(METCN_E_NOMEM, "out of memory");
    for (size_t i = 0; i < pl->n; i++)
        pl->days[i] = pl->pts[i].day;
    qsort(pl->days, pl->n, sizeof *pl->days, cmp_day);
    pl->n_days = 0;
    for (size_t i = 0; i < pl->n; i++)
        if (pl->n_days == 0 || pl->days[pl->n_days - 1] != pl->days[i])
            pl->days[pl->n_days++] = pl->days[i];
    double lo = pl->n_days ? pl->days[0] : 0, hi = pl->n_days ? pl->days[pl->n_days - 1] : 0;
    double pad = fmax(0.06 * (hi - lo), 15);
    pl->xmin = lo - pad;
    pl->xmax = hi + pad;
    return 0;
}

static metcn_svg_frame_t panel_frame(const plot_t *pl, int k, double ymin, double ymax, int ylog)
{
    metcn_svg_frame_t f = {
        PLOT_X, TOP + k * (PANEL_H + PANEL_GAP), PLOT_W, PANEL_H, pl->xmin, pl->xmax, ymin, ymax, 0,
        ylog};
    return f;
}

/* Frame, y ticks and label (x ticks are the sample dates, drawn by draw_dates). */
static void panel_axes(const plot_t *pl, const metcn_svg_frame_t *f, const char *ylabel)
{
    metcn_svg_frame_t ax = *f;
    ax.xmax = ax.xmin; /* no numeric x ticks */
    for (size_t i = 0; i < pl->n_days; i++) {
        double x = metcn_svg_fx(f, pl->days[i]);
        metcn_svg_line(pl->s, x, f->y0, x, f->y0 + f->h, "#e4e4e4", 1, NULL);
    }
    metcn_svg_axes(pl->s, &ax, NULL, ylabel, 5);
}

/* Half-way to the neighbouring sample days: the x extent of a sample's band. */
static void day_extent(const plot_t *pl, const metcn_svg_frame_t *f, int32_t day, double *x0,
                       double *x1)
{
    size_t i = 0;
    while (i + 1 < pl->n_days && pl->days[i] != day)
        i++;
    double a = i > 0 ? (pl->days[i - 1] + day) / 2.0 : pl->xmin;
    double b = i + 1 < pl->n_days ? (pl->days[i + 1] + day) / 2.0 : pl->xmax;
    *x0 = metcn_svg_fx(f, a);
    *x1 = metcn_svg_fx(f, b);
}

static const char *gene_colour(const plot_t *pl, const char *gene)
{
    size_t g = 0;
    for (size_t i = 0; i < pl->n; i++) {
        if (strcmp(pl->pts[i].gene, gene) == 0)
            return palette[g % N_PALETTE];
        if (i + 1 < pl->n && strcmp(pl->pts[i + 1].gene, pl->pts[i].gene) != 0)
            g++;
    }
    return palette[0];
}

static void marker(const plot_t *pl, double x, double y, const metcn_track_point_t *p,
                   const char *colour)
{
    if (p->detection == METCN_DETECTION_DETECTED)
        metcn_svg_circle(pl->s, x, y, 4.5, colour, colour, 1);
    else if (p->detection == METCN_DETECTION_NOT_DETECTED)
        metcn_svg_circle(pl->s, x, y, 4.5, "white", colour, 1);
    else
        metcn_svg_circle(pl->s, x, y, 4.5, "#cccccc", "#888888", 1);
}

/* Tumour fraction (%, log axis) with its interval and each gene's detection-limit band, from
 * the fraction needed to see 10 copies (bottom) to that for 5 copies (top). */
static void draw_tf_panel(plot_t *pl)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < pl->n; i++) {
        const metcn_track_point_t *p = &pl->pts[i];
        double v[5] = {p->tf.est, p->tf.lo, p->tf.hi, p->lod_tf_cn5, p->lod_tf_cn10};
        for (int k = 0; k < 5; k++)
            if (isfinite(v[k]) && v[k] > 0) {
                lo = fmin(lo, 100 * v[k]);
                hi = fmax(hi, 100 * v[k]);
            }
    }
    double ymin = isfinite(lo) ? fmax(lo / 1.6, 0.01) : 0.1;
    double ymax = isfinite(hi) ? fmin(hi * 1.6, 100) : 100;
    if (!(ymax > ymin * 2))
        ymax = fmin(ymin * 10, 100), ymin = ymax / 10;
    metcn_svg_frame_t f = panel_frame(pl, 0, ymin, ymax, 1);
    panel_axes(pl, &f, pl->any_tissue ? "tumour fraction / purity (%)" : "tumour fraction (%)");
    for (size_t i = 0; i < pl->n; i++) {
        const metcn_track_point_t *p = &pl->pts[i];
        double a = 100 * p->lod_tf_cn10, b = 100 * p->lod_tf_cn5, x0, x1;
        if (!isfinite(a) && !isfinite(b))
            continue;
        day_extent(pl, &f, p->day, &x0, &x1);
        a = isfinite(a) ? a : b;
        b = isfinite(b) ? b : a;
        double y0 = metcn_svg_fy(&f, fmax(a, b)), y1 = metcn_svg_fy(&f, fmin(a, b));
        metcn_svg_rect(pl->s, x0, y0, x1 - x0, fmax(y1 - y0, 1), gene_colour(pl, p->gene), "none",
                       0.15);
    }
    for (size_t i = 0; i < pl->n; i++) {
        const metcn_track_point_t *p = &pl->pts[i];
        if (!isfinite(p->tf.est) || !(p->tf.est > 0))
            continue;
        double x = metcn_svg_fx(&f, p->day);
        if (isfinite(p->tf.lo) && isfinite(p->tf.hi) && p->tf.hi > p->tf.lo)
            metcn_svg_line(pl->s, x, metcn_svg_fy(&f, 100 * fmax(p->tf.lo, ymin / 100)), x,
                           metcn_svg_fy(&f, 100 * p->tf.hi), "#333", 1.2, NULL);
        metcn_svg_circle(pl->s, x, metcn_svg_fy(&f, 100 * p->tf.est), 3.5, "#333", "#333", 1);
    }
}

static const metcn_track_value_t *value_of(const metcn_track_point_t *p, int plasma)
{
    return plasma ? &p->plasma_cn : &p->cn;
}

/* y range of a copy-number panel: every estimate, 2 copies, and the intervals up to three
 * times the largest estimate (wider bars are clipped at the frame). */
static void cn_range(const plot_t *pl, int plasma, double *ymin, double *ymax)
{
    double emax = 2, emin = 2, hmax = 2, lmin = 2;
    for (size_t i = 0; i < pl->n; i++) {
        const metcn_track_value_t *v = value_of(&pl->pts[i], plasma);
        if (isfinite(v->est))
            emax = fmax(emax, v->est), emin = fmin(emin, v->est);
        if (isfinite(v->hi))
            hmax = fmax(hmax, v->hi);
        if (isfinite(v->lo))
            lmin = fmin(lmin, v->lo);
    }
    *ymax = fmax(fmax(emax * 1.15, fmin(hmax * 1.05, emax * 3)), plasma ? 2.5 : 4);
    *ymin = plasma ? fmax(0, fmin(emin, lmin) - 0.1 * (*ymax - fmin(emin, lmin))) : 0;
}

static void draw_cn_line(plot_t *pl, const metcn_svg_frame_t *f, size_t i, size_t j, int plasma,
                         double *xs, double *ys)
{
    size_t m = 0;
    for (size_t k = i; k < j; k++) {
        const metcn_track_value_t *v = value_of(&pl->pts[k], plasma);
        if (isfinite(v->est)) {
            xs[m] = metcn_svg_fx(f, pl->pts[k].day);
            ys[m++] = metcn_svg_fy(f, v->est);
        }
    }
    if (m > 1)
        metcn_svg_polyline(pl->s, xs, ys, m, gene_colour(pl, pl->pts[i].gene), 1.2);
}

/* Plasma copy number (second panel) or copy number per tumour cell (third), one line per gene,
 * markers by detection, events named above the points. */
static void draw_cn_panel(plot_t *pl, int k, int plasma)
{
    double ymin, ymax;
    cn_range(pl, plasma, &ymin, &ymax);
    metcn_svg_frame_t f = panel_frame(pl, k, ymin, ymax, 0);
    panel_axes(pl, &f,
               plasma ? (pl->any_tissue ? "plasma / bulk copy number" : "plasma copy number")
                      : "copies per tumour cell");
    double y2 = metcn_svg_fy(&f, 2);
    metcn_svg_line(pl->s, f.x0, y2, f.x0 + f.w, y2, "#999", 1, "4,3");
    double *xs = malloc((pl->n ? pl->n : 1) * 2 * sizeof *xs);
    for (size_t i = 0; i < pl->n;) {
        const char *colour = gene_colour(pl, pl->pts[i].gene);
        size_t j = i;
        while (j < pl->n && strcmp(pl->pts[j].gene, pl->pts[i].gene) == 0)
            j++;
        if (xs)
            draw_cn_line(pl, &f, i, j, plasma, xs, xs + pl->n);
        for (size_t q = i; q < j; q++) {
            const metcn_track_point_t *p = &pl->pts[q];
            const metcn_track_value_t *v = value_of(p, plasma);
            if (!isfinite(v->est))
                continue;
            double x = metcn_svg_fx(&f, p->day), y = metcn_svg_fy(&f, v->est);
            if (isfinite(v->lo) && isfinite(v->hi))
                metcn_svg_line(pl->s, x, metcn_svg_fy(&f, v->lo), x, metcn_svg_fy(&f, v->hi),
                               colour, 1.2, NULL);
            marker(pl, x, y, p, colour);
            if (plasma && p->event != METCN_EVENT_FIRST && p->event != METCN_EVENT_STABLE)
                metcn_svg_text(pl->s, x, y - 9, "middle", 10, colour, 0, "%s",
                               metcn_track_event_name(p->event));
        }
        i = j;
    }
    free(xs);
}

static void draw_dates(const plot_t *pl)
{
    metcn_svg_frame_t f = panel_frame(pl, 2, 0, 1, 0);
    double y = f.y0 + f.h + 14, last = -INFINITY;
    for (size_t i = 0; i < pl->n_days; i++) {
        const char *date = "";
        for (size_t k = 0; k < pl->n; k++)
            if (pl->pts[k].day == pl->days[i])
                date = pl->pts[k].date;
        double x = metcn_svg_fx(&f, pl->days[i]);
        metcn_svg_line(pl->s, x, f.y0 + f.h, x, f.y0 + f.h + 4, "#333", 1, NULL);
        if (x - last < 14)
            continue; /* too close to the previous label to be read: the tick stays */
        metcn_svg_text(pl->s, x + 3, y, "end", 10, "#333", -40, "%s", date);
        last = x;
    }
}

static void draw_legend(const plot_t *pl)
{
    double x = PLOT_X + PLOT_W + 22, y = TOP + 8;
    for (size_t i = 0; i < pl->n; i++) {
        if (i > 0 && strcmp(pl->pts[i].gene, pl->pts[i - 1].gene) == 0)
            continue;
        const char *c = gene_colour(pl, pl->pts[i].gene);
        metcn_svg_line(pl->s, x, y, x + 18, y, c, 2, NULL);
        metcn_svg_text(pl->s, x + 24, y + 4, "start", 11, "#000", 0, "%s", pl->pts[i].gene);
        y += 18;
    }
    y += 8;
    static const char *const what[3] = {"detected", "not detected", "not assessable"};
    static const metcn_detection_t det[3] = {METCN_DETECTION_DETECTED, METCN_DETECTION_NOT_DETECTED,
                                             METCN_DETECTION_NOT_ASSESSABLE};
    for (int k = 0; k < 3; k++) {
        metcn_track_point_t p;
        memset(&p, 0, sizeof p);
        p.detection = det[k];
        marker(pl, x + 9, y, &p, "#333");
        metcn_svg_text(pl->s, x + 24, y + 4, "start", 11, "#000", 0, "%s", what[k]);
        y += 18;
    }
    y += 8;
    metcn_svg_rect(pl->s, x, y - 6, 18, 12, "#333", "none", 0.15);
    metcn_svg_text(pl->s, x + 24, y - 2, "start", 10, "#000", 0, "detection limit: TF to");
    metcn_svg_text(pl->s, x + 24, y + 11, "start", 10, "#000", 0, "see 10 (bottom) to 5 (top)");
    metcn_svg_text(pl->s, x + 24, y + 24, "start", 10, "#000", 0, "copies");
    y += 42;
    metcn_svg_line(pl->s, x, y, x + 18, y, "#999", 1, "4,3");
    metcn_svg_text(pl->s, x + 24, y + 4, "start", 10, "#000", 0, "2 copies");
}

static metcn_svg_t *patient_svg(const metcn_track_t *t, size_t pi)
{
    const metcn_track_patient_t *pt = &t->patients[pi];
    plot_t pl = {NULL, t->points + pt->first, pt->n, NULL, 0, 0, 0, 0};
    for (size_t i = 0; i < pl.n; i++)
        pl.any_tissue |= is_tissue(&pl.pts[i]);
    double height = TOP + 3 * PANEL_H + 2 * PANEL_GAP + 84;
    if (!(pl.s = metcn_svg_new(SVG_W, height)) || plot_days(&pl) != 0) {
        metcn_svg_destroy(pl.s);
        free(pl.days);
        metcn_set_error(METCN_E_NOMEM, "out of memory");
        return NULL;
    }
    metcn_svg_text(pl.s, PLOT_X, 26, "start", 15, "#000", 0, "metcn track: patient %s", pt->name);
    draw_tf_panel(&pl);
    draw_cn_panel(&pl, 1, 1);
    draw_cn_panel(&pl, 2, 0);
    draw_dates(&pl);
    draw_legend(&pl);
    free(pl.days);
    return pl.s;
}

/* ---- the output set ---------------------------------------------------------------------- */

static int write_content(const metcn_track_t *t, metcn_ofile_t **f, char **paths,
                         const char *cmdline)
{
    int r = write_tsv(t, f[0]);
    if (r)
        return metcn_set_error(r, "%s: write failed", paths[0]);
    metcn_json_t *j = build_json(t, paths + 2, cmdline);
    if (!j)
        return metcn_last_error_code();
    const char *text = metcn_json_text(j);
    r = metcn_ofile_write(f[1], text, strlen(text));
    metcn_json_destroy(j);
    if (r)
        return metcn_set_error(r, "%s: write failed", paths[1]);
    for (size_t p = 0; p < t->n_patients; p++) {
        metcn_svg_t *s = patient_svg(t, p);
        if (!s)
            return metcn_last_error_code();
        r = metcn_svg_put(s, f[2 + p]);
        metcn_svg_destroy(s);
        if (r)
            return metcn_set_error(r, "%s: write failed", paths[2 + p]);
    }
    return 0;
}

int metcn_track_write(const metcn_track_t *t, const char *prefix, const char *cmdline)
{
    size_t n = 2 + t->n_patients;
    metcn_ofile_t **f = calloc(n, sizeof *f);
    char **paths = calloc(n, sizeof *paths);
    /* one output set: every file or none (nested in the command's set when there is one) */
    metcn_outset_t *set = metcn_outset_begin();
    int r = 0;
    if (!f || !paths || !set) {
        r = metcn_set_error(METCN_E_NOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        kstring_t k = KS_INITIALIZE;
        if (i < 2)
            ksprintf(&k, "%s.%s", prefix, i == 0 ? "track.tsv" : "json");
        else
            ksprintf(&k, "%s.%s.svg", prefix, t->patients[i - 2].file_name);
        if (!(paths[i] = k.s)) {
            r = metcn_set_error(METCN_E_NOMEM, "out of memory");
            goto out;
        }
    }
    for (size_t i = 0; i < n; i++)
        if (!(f[i] = metcn_ofile_open(paths[i]))) {
            r = metcn_last_error_code();
            goto out;
        }
    if ((r = write_content(t, f, paths, cmdline)) != 0)
        goto out;
    for (size_t i = 0; i < n && !r; i++) {
        r = metcn_ofile_close(f[i], 1); /* the rename waits for the set's commit */
        f[i] = NULL;
    }
    if (!r) {
        r = metcn_outset_commit(set);
        set = NULL;
    }
out:
    for (size_t i = 0; f && i < n; i++)
        metcn_ofile_close(f[i], 0);
    metcn_outset_abort(set);
    for (size_t i = 0; paths && i < n; i++)
        free(paths[i]);
    free(paths);
    free(f);
    return r;
}
