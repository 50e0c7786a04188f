/* stats.h -- robust statistics, LOESS and normalisation steps, the level estimator, the
 * copy-number model, segmentation, and agreement statistics (kappa, correlations, ROC).
 *
 * Conventions: every function taking an array ignores non-finite entries (NaN, +-Inf) unless
 * said otherwise, so "missing" is NaN throughout metcn.  An optional mask (may be NULL =
 * all) selects entries with mask[i] != 0.  Functions returning a statistic return NaN when no
 * finite entry is selected.  Nothing here prints or exits. */
#ifndef METCN_STATS_H
#define METCN_STATS_H

#include <stddef.h>
#include <stdint.h>

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

/** The same against a centre (the one GC correction; the PoN runs it): the curve is fitted to
 *  the deviation log2 - centre (centre per bin; NULL: 0), so that the bins' own capture
 *  efficiencies stay out of it, then subtracted from log2.  *strength as above. */
int metcn_norm_gc_correct_vs(double *log2, const double *centre, const double *gc,
                             const int *fit_mask, size_t n, double span, double *strength);

/* ---- levels, copy-number model, segmentation ------------------------------------------- */

/** A robust weighted level of log2 values. */
typedef struct {
    double est;         /* log2 level */
    double se;          /* standard error (log2) */
    double se_model;    /* SE expected from the per-bin noise model alone (1/sqrt(sum w)) */
    double lo, hi;      /* interval at the requested confidence (log2) */
    double q;           /* quantile used for the interval (t or normal) */
    double df;          /* degrees of freedom of q (INFINITY for normal) */
    int n;              /* values used */
    int n_downweighted; /* values given less than full weight by the Huber rule */
} metcn_level_t;

/** Huber M-estimate of the level of x[0..n) with per-value SD sd[i] (> 0; non-finite x or sd
 *  skipped).  Residuals beyond huber_k robust SDs are down-weighted as huber_k/|z|, never to
 *  zero.  SE = max(empirical weighted scatter, model 1/sqrt(sum 1/sd^2)); interval t-based
 *  (df = n-1) when the empirical SE dominates, normal otherwise.  Returns 0, or
 *  METCN_E_TOOFEW when no value is usable (out->n = 0, fields NaN). */
int metcn_level_estimate(const double *x, const double *sd, size_t n, double huber_k, double conf,
                         metcn_level_t *out);

/** Tumour-cell copy number from copy ratio R = 2^log2 at purity p and ploidy P, not floored:
 *  C = [R(pP + 2(1-p)) - 2(1-p)] / p. */
double metcn_cn_from_ratio(double ratio, double purity, double ploidy);

/** A copy number with its interval. */
typedef struct {
    double cn, lo, hi;
    int floored; /* 1 when the point estimate was below 0 and floored */
} metcn_cn_t;

/** Copy number and interval of a level at purity p (range [p_lo, p_hi]) and ploidy P: the
 *  interval is the hull over the log2 interval and the purity range (C is monotone in each).
 *  Floored at 0; when the point is floored by d the upper bound is raised by d (the interval
 *  is widened, not shifted). */
metcn_cn_t metcn_cn_interval(const metcn_level_t *lv, double p, double p_lo, double p_hi,
                             double ploidy);

/** Ratio num/den of two copy numbers with an interval combining both (MOVER on the log
 *  scale: each side's log half-width added in quadrature).  den->cn <= 0 gives NaN. */
void metcn_cn_ratio(const metcn_cn_t *num, const metcn_cn_t *den, double *ratio, double *lo,
                    double *hi);

/** Weighted binary segmentation of x[0..n) with weights w (1/variance): recursively split at
 *  the point maximising the weighted two-sample chi-square while it exceeds penalty + 2 ln(n).
 *  Single values departing from both neighbours by more than 4 SD are winsorised first.
 *  *starts (caller frees) receives the first index of each segment, *n_seg their number.
 *  Non-finite x or w <= 0 must be filtered out by the caller.  Returns 0 or METCN_E_NOMEM. */
int metcn_segment(const double *x, const double *w, size_t n, double penalty, size_t **starts,
                  size_t *n_seg);

/* ---- single statistics ------------------------------------------------------------------ */

/** One statistic: an estimate, an interval where one applies, a standard error where one is
 *  reported. NaN marks "undefined / not applicable"; note (static string) says why an
 *  estimate is undefined, or states a caveat; NULL when there is nothing to say. */
typedef struct {
    double estimate;
    double ci_low, ci_high;
    double se;
    int64_t n; /* observations the statistic rests on (the denominator for a proportion) */
    const char *note;
} metcn_stat_t;

/** A statistic with every field NaN, n = 0 and the given note. */
metcn_stat_t metcn_stat_undefined(const char *note);

/** Exact (Clopper-Pearson) interval for x successes in n trials at confidence level (e.g.
 *  0.95): lower = 0 when x = 0, upper = 1 when x = n, otherwise beta quantiles
 *  B(a/2; x, n-x+1) and B(1-a/2; x+1, n-x). Returns 0, or METCN_E_ARG when n <= 0,
 *  x outside [0, n] or level outside (0, 1) (lo/hi set to NaN). */
int metcn_clopper_pearson(int64_t x, int64_t n, double level, double *lo, double *hi);

/** x/n with its Clopper-Pearson interval; undefined (note = undefined_note) when n = 0. */
metcn_stat_t metcn_stat_proportion(int64_t x, int64_t n, double level, const char *undefined_note);

/** Kappa weights. */
typedef enum {
    METCN_KAPPA_UNWEIGHTED = 0, /* Cohen's kappa: w_ij = [i == j] */
    METCN_KAPPA_LINEAR = 1,     /* w_ij = 1 - |i-j|/(k-1) */
    METCN_KAPPA_QUADRATIC = 2   /* w_ij = 1 - (i-j)^2/(k-1)^2 */
} metcn_kappa_weights_t;

/** Cohen's (weighted) kappa of a k x k table m (row-major, rows = one rater, columns = the
 *  other), with the Fleiss-Cohen-Everitt (1969) large-sample standard error (non-null) in
 *  .se and the Wald interval kappa +- z*se clamped to [-1, 1]. Undefined when the table is
 *  empty or chance agreement is 1 (both raters used one and the same single category).
 *  At the edges (docs/concordance.md): one rater used a single category -> estimate 0, no
 *  SE and no interval, with a note; perfect agreement -> estimate 1, SE 0 and the interval
 *  [1 - d/(1 - p_e), 1] with d the exact upper limit of the disagreement rate (0 of n). */
metcn_stat_t metcn_kappa(const int64_t *m, int k, metcn_kappa_weights_t weights, double level);

/** Pearson correlation of (x[i], y[i]) over the pairs where both are finite; interval by
 *  Fisher's z with SE 1/sqrt(n-3) (needs n > 3). Undefined for n < 2 or a constant side. */
metcn_stat_t metcn_corr_pearson(const double *x, const double *y, size_t n, double level);
/** Spearman correlation (Pearson on mid-ranks); interval by Fisher's z with the
 *  Fieller-Hartley-Pearson SE sqrt(1.06/(n-3)) (needs n > 3). */
metcn_stat_t metcn_corr_spearman(const double *x, const double *y, size_t n, double level);

/** Bland-Altman on differences d[i] (non-finite entries skipped): bias (mean, t interval),
 *  SD of the differences, and the limits of agreement bias -+ z*SD with the approximate
 *  intervals of Bland & Altman (1999): limit -+ t(n-1) * SD * sqrt(3/n). Needs n >= 2. */
typedef struct {
    metcn_stat_t bias, sd, loa_low, loa_high;
} metcn_bland_altman_t;
void metcn_bland_altman(const double *d, size_t n, double level, metcn_bland_altman_t *out);

/* ---- ROC --------------------------------------------------------------------------------- */

typedef struct {
    double cutoff; /* positive when score >= cutoff; +inf for the (0,0) corner */
    double fpr, tpr;
} metcn_roc_point_t;

typedef struct {
    metcn_stat_t auc;    /* Mann-Whitney AUC (ties count 1/2), DeLong (1988) variance and a
                            Wald interval clamped to [0, 1]; se = DeLong SE */
    metcn_stat_t youden; /* estimate = the smallest observed cut-off that maximises
                            J = sensitivity + specificity - 1 (positive when score >= cut-off) */
    double youden_j, youden_sensitivity, youden_specificity;
    size_t n_pos, n_neg;
    metcn_roc_point_t *points; /* from (0,0) to (1,1); caller frees with metcn_roc_free() */
    size_t n_points;
} metcn_roc_t;

/** ROC of score predicting positive[i] != 0, over the i where score is finite and
 *  positive[i] >= 0. Returns 0 (undefined AUC when one class is empty, with a note) or
 *  METCN_E_NOMEM. */
int metcn_roc(const double *score, const int *positive, size_t n, double level, metcn_roc_t *out);
void metcn_roc_free(metcn_roc_t *r);

#ifdef __cplusplus
}
#endif
#endif
