/* svg.h -- minimal SVG drawing used by the report and concordance plots. Text is
 * XML-escaped. Colours are SVG colour strings ("#1f77b4", "none"). */
#ifndef METCN_CORE_SVG_H
#define METCN_CORE_SVG_H

#include <stddef.h>

#include "metcn/util.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct metcn_svg_s metcn_svg_t;

/** A plotting frame: data range [xmin,xmax] x [ymin,ymax] drawn into the pixel box at
 *  (x0,y0) (top-left) of size w x h; log axes take log10 of the data. */
typedef struct {
    double x0, y0, w, h;
    double xmin, xmax, ymin, ymax;
    int xlog, ylog;
} metcn_svg_frame_t;

metcn_svg_t *metcn_svg_new(double width, double height);
void metcn_svg_destroy(metcn_svg_t *s);

void metcn_svg_rect(metcn_svg_t *s, double x, double y, double w, double h, const char *fill,
                    const char *stroke, double opacity);
void metcn_svg_line(metcn_svg_t *s, double x1, double y1, double x2, double y2, const char *stroke,
                    double width, const char *dasharray /* or NULL */);
void metcn_svg_circle(metcn_svg_t *s, double cx, double cy, double r, const char *fill,
                      const char *stroke, double opacity);
void metcn_svg_polyline(metcn_svg_t *s, const double *x, const double *y, size_t n,
                        const char *stroke, double width);
/** anchor: "start", "middle" or "end"; rotate in degrees about (x,y). */
void metcn_svg_text(metcn_svg_t *s, double x, double y, const char *anchor, double size,
                    const char *fill, double rotate, const char *fmt, ...)
    __attribute__((format(printf, 8, 9)));
/** A <title> tooltip attached to the next shape is not supported; use comments instead. */
void metcn_svg_comment(metcn_svg_t *s, const char *text);

/** Data -> pixel mapping for a frame (clamped to the frame). */
double metcn_svg_fx(const metcn_svg_frame_t *f, double x);
double metcn_svg_fy(const metcn_svg_frame_t *f, double y);
/** Draw the frame border, about nticks ticks with labels on each axis, and axis labels. */
void metcn_svg_axes(metcn_svg_t *s, const metcn_svg_frame_t *f, const char *xlabel,
                    const char *ylabel, int nticks);

/** Write the document into an open output file (one file of an output set); the file is
 *  neither committed nor closed.  Returns 0 or METCN_E_IO (sticky in f). */
int metcn_svg_put(const metcn_svg_t *s, metcn_ofile_t *f);

/** Write atomically to path. Returns 0 or a negative code (message recorded). */
int metcn_svg_write(const metcn_svg_t *s, const char *path);

#ifdef __cplusplus
}
#endif
#endif
