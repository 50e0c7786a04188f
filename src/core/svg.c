/* svg.c -- minimal SVG drawing. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <htslib/kstring.h>

#include "metcn/metcn.h"
#include "core/svg.h"
#include "metcn/util.h"

struct metcn_svg_s {
    kstring_t body;
    double width, height;
};

metcn_svg_t *metcn_svg_new(double width, double height)
{
    metcn_svg_t *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->width = width;
    s->height = height;
    return s;
}

void metcn_svg_destroy(metcn_svg_t *s)
{
    if (!s)
        return;
    free(s->body.s);
    free(s);
}

static void put_escaped(kstring_t *k, const char *t)
{
    for (; *t; t++) {
        switch (*t) {
        case '<':
            kputs("&lt;", k);
            break;
        case '>':
            kputs("&gt;", k);
            break;
        case '&':
            kputs("&amp;", k);
            break;
        case '"':
            kputs("&quot;", k);
            break;
        default:
            kputc(*t, k);
        }
    }
}

void metcn_svg_rect(metcn_svg_t *s, double x, double y, double w, double h, const char *fill,
                    const char *stroke, double opacity)
{
    ksprintf(&s->body,
             "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\" "
             "stroke=\"%s\" opacity=\"%.3g\"/>\n",
             x, y, w < 0 ? 0 : w, h < 0 ? 0 : h, fill ? fill : "none", stroke ? stroke : "none",
             opacity);
}

void metcn_svg_line(metcn_svg_t *s, double x1, double y1, double x2, double y2, const char *stroke,
                    double width, const char *dasharray)
{
    ksprintf(&s->body,
             "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"%s\" "
             "stroke-width=\"%.3g\"",
             x1, y1, x2, y2, stroke ? stroke : "black", width);
    if (dasharray)
        ksprintf(&s->body, " stroke-dasharray=\"%s\"", dasharray);
    kputs("/>\n", &s->body);
}

void metcn_svg_circle(metcn_svg_t *s, double cx, double cy, double r, const char *fill,
                      const char *stroke, double opacity)
{
    ksprintf(&s->body,
             "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"%.2f\" fill=\"%s\" stroke=\"%s\" "
             "opacity=\"%.3g\"/>\n",
             cx, cy, r, fill ? fill : "none", stroke ? stroke : "none", opacity);
}

void metcn_svg_polyline(metcn_svg_t *s, const double *x, const double *y, size_t n,
                        const char *stroke, double width)
{
    kputs("<polyline fill=\"none\" points=\"", &s->body);
    for (size_t i = 0; i < n; i++)
        ksprintf(&s->body, "%s%.2f,%.2f", i ? " " : "", x[i], y[i]);
    ksprintf(&s->body, "\" stroke=\"%s\" stroke-width=\"%.3g\"/>\n", stroke ? stroke : "black",
             width);
}

void metcn_svg_text(metcn_svg_t *s, double x, double y, const char *anchor, double size,
                    const char *fill, double rotate, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    ksprintf(&s->body,
             "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"%s\" font-size=\"%.3g\" fill=\"%s\" "
             "font-family=\"Helvetica, Arial, sans-serif\"",
             x, y, anchor ? anchor : "start", size, fill ? fill : "black");
    if (rotate != 0)
        ksprintf(&s->body, " transform=\"rotate(%.3g %.2f %.2f)\"", rotate, x, y);
    kputc('>', &s->body);
    put_escaped(&s->body, buf);
    kputs("</text>\n", &s->body);
}

void metcn_svg_comment(metcn_svg_t *s, const char *text)
{
    kputs("<!-- ", &s->body);
    for (; *text; text++)
        kputc(*text == '-' && text[1] == '-' ? '_' : *text, &s->body);
    kputs(" -->\n", &s->body);
}

static double tr(double v, int lg)
{
    return lg ? log10(v > 0 ? v : 1e-300) : v;
}

double metcn_svg_fx(const metcn_svg_frame_t *f, double x)
{
    double a = tr(f->xmin, f->xlog), b = tr(f->xmax, f->xlog), v = tr(x, f->xlog);
    double t = b > a ? (v - a) / (b - a) : 0.5;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return f->x0 + t * f->w;
}

double metcn_svg_fy(const metcn_svg_frame_t *f, double y)
{
    double a = tr(f->ymin, f->ylog), b = tr(f->ymax, f->ylog), v = tr(y, f->ylog);
    double t = b > a ? (v - a) / (b - a) : 0.5;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return f->y0 + f->h - t * f->h;
}

/* "Nice" tick step for a linear range (1, 2 or 5 times a power of ten). */
static double nice_step(double range, int nticks)
{
    double raw = range / (nticks > 0 ? nticks : 5);
    double p = pow(10, floor(log10(raw)));
    double m = raw / p;
    return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

static void ticks(metcn_svg_t *s, const metcn_svg_frame_t *f, int axis, int nticks)
{
    int lg = axis ? f->ylog : f->xlog;
    double lo = axis ? f->ymin : f->xmin, hi = axis ? f->ymax : f->xmax;
    if (!(hi > lo))
        return;
    if (lg) {
        for (int e = (int)floor(log10(lo)); e <= (int)ceil(log10(hi)); e++) {
            for (int m = 1; m <= 5; m += 4) { /* 1 and 5 times powers of ten */
                double v = m * pow(10, e);
                if (v < lo * (1 - 1e-9) || v > hi * (1 + 1e-9))
                    continue;
                char buf[32];
                snprintf(buf, sizeof buf, "%g", v);
                if (axis) {
                    double y = metcn_svg_fy(f, v);
                    metcn_svg_line(s, f->x0 - 4, y, f->x0, y, "#333", 1, NULL);
                    metcn_svg_text(s, f->x0 - 6, y + 4, "end", 11, "#333", 0, "%s", buf);
                } else {
                    double x = metcn_svg_fx(f, v);
                    metcn_svg_line(s, x, f->y0 + f->h, x, f->y0 + f->h + 4, "#333", 1, NULL);
                    metcn_svg_text(s, x, f->y0 + f->h + 16, "middle", 11, "#333", 0, "%s", buf);
                }
            }
        }
        return;
    }
    double step = nice_step(hi - lo, nticks);
    for (double v = ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
        double vv = fabs(v) < step * 1e-9 ? 0 : v;
        if (axis) {
            double y = metcn_svg_fy(f, vv);
            metcn_svg_line(s, f->x0 - 4, y, f->x0, y, "#333", 1, NULL);
            metcn_svg_text(s, f->x0 - 6, y + 4, "end", 11, "#333", 0, "%g", vv);
        } else {
            double x = metcn_svg_fx(f, vv);
            metcn_svg_line(s, x, f->y0 + f->h, x, f->y0 + f->h + 4, "#333", 1, NULL);
            metcn_svg_text(s, x, f->y0 + f->h + 16, "middle", 11, "#333", 0, "%g", vv);
        }
    }
}

void metcn_svg_axes(metcn_svg_t *s, const metcn_svg_frame_t *f, const char *xlabel,
                    const char *ylabel, int nticks)
{
    metcn_svg_rect(s, f->x0, f->y0, f->w, f->h, "none", "#333", 1);
    ticks(s, f, 0, nticks);
    ticks(s, f, 1, nticks);
    if (xlabel)
        metcn_svg_text(s, f->x0 + f->w / 2, f->y0 + f->h + 34, "middle", 13, "#000", 0, "%s",
                       xlabel);
    if (ylabel)
        metcn_svg_text(s, f->x0 - 44, f->y0 + f->h / 2, "middle", 13, "#000", -90, "%s", ylabel);
}

int metcn_svg_put(const metcn_svg_t *s, metcn_ofile_t *f)
{
    metcn_ofile_printf(f,
                       "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                       "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
                       "viewBox=\"0 0 %.0f %.0f\">\n"
                       "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
                       s->width, s->height, s->width, s->height);
    metcn_ofile_write(f, s->body.s ? s->body.s : "", s->body.l);
    return metcn_ofile_printf(f, "</svg>\n");
}

int metcn_svg_write(const metcn_svg_t *s, const char *path)
{
    metcn_ofile_t *f = metcn_ofile_open(path);
    if (!f)
        return metcn_last_error_code();
    metcn_svg_put(s, f);
    return metcn_ofile_close(f, 1);
}
