/* norm.h -- normalisation building blocks and robust statistics, shared by pon and call.
 *
 * Conventions: every function taking an array ignores non-finite entries (NaN, +-Inf) unless
 * said otherwise, so "missing" is NaN throughout metcn.  An optional mask (may be NULL =
 * all) selects entries with mask[i] != 0.  Functions returning a statistic return NaN when no
 * finite entry is selected.  Nothing here prints or exits. */
#ifndef METCN_NORM_H
#define METCN_NORM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Scale factor from the median absolute deviation to a standard deviation under a normal
 *  model: 1 / Phi^-1(3/4). */
#define METCN_MAD_TO_SD 1.482602218505602

/** Median of the finite x[i] selected by mask (NULL: all).  Does not modify x.
 *  NaN when none (or when memory runs out: then the last error is METCN_E_NOMEM). */
double metcn_median(const double *x, const int *mask, size_t n);

/** Quantile q in [0,1] (linear interpolation between order statistics, type 7 as R's
 *  default) of the finite selected x[i].  NaN when none. */
double metcn_quantile(const double *x, const int *mask, size_t n, double q);

/** Median absolute deviation from centre (pass NaN to use the median), scaled by
 *  METCN_MAD_TO_SD so that it estimates the standard deviation of normal data. */
double metcn_mad_sd(const double *x, const int *mask, size_t n, double centre);

/** Weighted median: the smallest x such that the weight of entries <= x is at least half the
 *  total.  Entries with non-finite x or w, or w <= 0, are ignored.  NaN when none. */
double metcn_weighted_median(const double *x, const double *w, const int *mask, size_t n);

/** Tukey biweight location (M-estimate, c = 6 MADs, iterated to convergence starting from the
 *  median).  Returns the median when the MAD is 0.  NaN when none. */
double metcn_biweight_location(const double *x, const int *mask, size_t n);

/** Tukey biweight midvariance's square root (c = 9 MADs) around the biweight location: a
 *  robust standard deviation (Mosteller & Tukey 1977).  0 when the MAD is 0; NaN when fewer
 *  than 2 entries. */
double metcn_biweight_scale(const double *x, const int *mask, size_t n);

/** MAPD: median absolute difference of consecutive selected finite entries (in array
 *  order).  For independent normal noise of SD s, MAPD = 0.9539 s.  NaN when < 2 entries. */
double metcn_mapd(const double *x, const int *mask, size_t n);

/** Robust z-scores: (x - median) / mad_sd for every entry (NaN stays NaN; when the MAD is 0
 *  the scale falls back to 1.253314 * mean absolute deviation, and to 1 when that is 0 too).
 *  z may alias x.  Returns 0 or METCN_E_NOMEM. */
int metcn_robust_z(const double *x, size_t n, double *z);

/** Robust LOESS (Cleveland 1979): locally weighted linear regression of y on x with the
 *  tricube kernel over the span * m nearest neighbours (m = number of selected finite
 *  points), followed by `iterations` robustness iterations with bisquare weights of 6 MADs.
 *  The curve is evaluated at every i with finite x[i] (selected or not): inside the range of
 *  the fitted x by local regression, outside it at the nearest end of that range (constant
 *  extrapolation, so a bin with extreme GC never gets an extrapolated correction).  fitted[i]
 *  is NaN where x[i] is not finite.  Needs at least 5 selected points.  span in (0,1].
 *  Returns 0, METCN_E_TOOFEW, METCN_E_ARG or METCN_E_NOMEM. */
int metcn_loess(const double *x, const double *y, const int *mask, size_t n, double span,
                int iterations, double *fitted);

/** Median of depth over the selected bins (the scaling denominator), requiring it to be
 *  finite and > 0; writes it to *scale and returns 0, else METCN_E_RANGE with a message. */
int metcn_norm_median_scale(const double *depth, const int *mask, size_t n, double *scale);

/** log2 of the ratio depth / scale, floored at METCN_LOG2_FLOOR (so an empty bin gives a
 *  large negative finite value, never -Inf).  NaN depth stays NaN. */
#define METCN_LOG2_FLOOR (-10.0)
void metcn_norm_log2(const double *depth, size_t n, double scale, double *log2);

/** GC correction in log2 space: fit log2 ~ LOESS(gc) on the bins selected by fit_mask (the
 *  reference bins; never the target gene's), then subtract the curve from every bin with finite gc
 * and log2.  Bins with unknown gc are left unchanged.  Afterwards the fit bins' median is ~0 (the
 * curve absorbs the level).  *strength (may be NULL) receives the robust SD (mad_sd) of the fitted
 * curve over fit_mask, log2 units: 0 for no GC bias.  Returns 0, or METCN_E_TOOFEW when fewer than
 * 10 fit bins have GC (then log2 is unchanged and *strength = 0). */
int metcn_norm_gc_correct(double *log2, const double *gc, const int *fit_mask, size_t n,
                          double span, double *strength);

#ifdef __cplusplus
}
#endif
#endif
