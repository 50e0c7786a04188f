/* call.h -- the MET caller: MET level, chromosome-7 control level, copy number per tumour
 * cell, FISH-equivalent ratio and tier, pattern (focal / polysomy), QC and limit of detection.
 *
 * The caller works on a sample's normalised copy ratios (metcn_cnr_t from
 * metcn_pon_normalize()) over the PoN's panel.  The building blocks (robust level estimator,
 * copy-number conversion, segmentation, tiers) are public so they can be tested on their own.
 * Statistics and formulas: docs/method.md.  Coordinates are 0-based half-open. */
#ifndef METCN_CALL_H
#define METCN_CALL_H

#include <stddef.h>
#include <stdint.h>

#include "metcn/metcn.h"
#include "metcn/pon.h"
#include "metcn/stats.h"
#include "metcn/panel.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- criteria presets and classes --------------------------------------------------------- */

/** FISH MET/CEP7 ratio tiers. */
typedef enum {
    METCN_TIER_NEGATIVE = 0,
    METCN_TIER_LOW = 1,
    METCN_TIER_INTERMEDIATE = 2,
    METCN_TIER_HIGH = 3
} metcn_tier_t;

/** A criteria preset: tier boundaries on the MET/chr7 ratio. */
typedef struct {
    const char *name;    /* "camidge", "profile2021" */
    double low;          /* ratio >= low: at least tier low (1.8) */
    double intermediate; /* ratio > intermediate: at least intermediate (2.2) */
    double high;         /* ratio >= high: high (camidge 5, profile2021 4) */
} metcn_criteria_t;

/** Look up a preset by name (case-insensitive).  Returns NULL when unknown. */
const metcn_criteria_t *metcn_criteria_get(const char *name);
/** NULL-terminated list of preset names (borrowed). */
const char *const *metcn_criteria_names(void);
/** Tier of a ratio under c; NaN gives METCN_TIER_NEGATIVE. */
metcn_tier_t metcn_criteria_tier(const metcn_criteria_t *c, double ratio);
/** "negative", "low", "intermediate", "high". */
const char *metcn_tier_name(int tier);

typedef enum {
    METCN_HIGHAMP_NO = 0,
    METCN_HIGHAMP_YES = 1,
    METCN_HIGHAMP_EQUIVOCAL = 2
} metcn_highamp_t;
const char *metcn_highamp_name(int h); /* "no", "yes", "equivocal" */

typedef enum { METCN_GCN_NONE = 0, METCN_GCN_GAIN = 1, METCN_GCN_AMPLIFIED = 2 } metcn_gcn_t;
const char *metcn_gcn_name(int g); /* "none", "gain", "amplified" */

typedef enum {
    METCN_PATTERN_NONE = 0,
    METCN_PATTERN_FOCAL = 1,
    METCN_PATTERN_POLYSOMY = 2,
    METCN_PATTERN_FOCAL_ON_POLYSOMY = 3
} metcn_pattern_t;
const char *metcn_pattern_name(int p); /* "none", "focal", "polysomy", "focal_on_polysomy" */

typedef enum { METCN_QC_PASS = 0, METCN_QC_WARN = 1, METCN_QC_FAIL = 2 } metcn_qc_t;
const char *metcn_qc_name(int q); /* "pass", "warn", "fail" */

/* ---- options ------------------------------------------------------------------------------- */

typedef struct {
    double purity;    /* tumour-cell fraction p in (0,1]; 1 when not given (default 1) */
    double purity_lo; /* purity range for its uncertainty: [lo, hi] within (0,1]; both equal */
    double purity_hi; /*   purity when no uncertainty is given */
    int purity_given; /* 0: p = 1 assumed (reported as purity_assumed) */
    double ploidy;    /* tumour ploidy P of the genome-reference level (default 2) */
    const metcn_criteria_t *criteria; /* tier preset (default camidge) */
    double conf;                      /* confidence level of every interval (default 0.95) */
    double huber_k;          /* Huber tuning constant for the target gene's level, in robust SDs
                                (default 2.0): larger residuals are down-weighted, never dropped */
    double min_sys_sd;       /* floor of the systematic SD shared by neighbouring bins (log2,
                                default 0.03: calibration error measured on the simulated grid,
                                docs/method.md section 2) */
    double control_huber_k;  /* same for the chr7 control level (default 1.345) */
    double seg_penalty;      /* binary segmentation: split when the weighted chi-square of the
                                best split exceeds this plus 2 ln(n) (default 16) */
    double focal_max_span;   /* a chr7 segment shorter than this (bp) that departs from the
                                chromosome's level is a focal event, left out of the control
                                level (default 20,000,000) */
    double focal_min_delta;  /* ... when it departs by at least this (log2, default 0.2) */
    double polysomy_cn;      /* chr7 (or the gene's arm) is gained when its copy number is at
                                least this and its interval lies above 2 (default 2.5) */
    double focal_min_excess; /* the gene is focally raised when its copy number exceeds its
                                arm's by at least this (copies, default 0.75) and the excess
                                is significant */
    double high_amp_cn;      /* NGS high-level amplification: copy number above this (10) */
    double gcn_amplified;    /* gene-copy-number class amplified: >= this (5) */
    double gcn_gain;         /* gain: >= this and below amplified (4) */
    int min_target_bins;     /* fewer usable target bins: QC warn (default 3); none: error */
    int min_control_bins;    /* fewer usable chr7 control bins: QC fail (default 3) */
    double mapd_warn;        /* MAPD above this: QC warn (default 0.30) */
    double mapd_fail;        /* MAPD above this: QC fail (default 0.50) */
    double depth_warn;       /* median reference depth below this: QC warn (default 30) */
    double depth_fail;       /* below this: QC fail (default 10) */
    double gc_warn;          /* GC-correction strength above this: QC warn (log2, default 0.15) */
    double gc_fail;          /* above this: QC fail (default 0.40) */
} metcn_call_opt_t;

void metcn_call_opt_init(metcn_call_opt_t *opt);

/** Parse a purity "P", "P+-D" (or "P±D") or "LO-HI" strictly: P in (0,1], the range clipped
 *  to (0,1].  Returns 0 or METCN_E_FORMAT / METCN_E_RANGE (no message recorded). */
int metcn_purity_parse(const char *s, double *purity, double *lo, double *hi);

/* ---- the call -------------------------------------------------------------------------------- */

/** Per-bin use flags in metcn_call_t.bin_flag. */
#define METCN_BIN_USED 1u      /* finite log2 and weight (not excluded by the PoN) */
#define METCN_BIN_TARGET 2u    /* used in the target gene's level */
#define METCN_BIN_CONTROL 4u   /* used in the chr7 control level */
#define METCN_BIN_FOCAL 8u     /* control bin left out: inside a focal chr7 event */
#define METCN_BIN_AMPLICON 16u /* inside the target gene's amplicon segment */

/** A segment of consecutive used bins on one contig. */
typedef struct {
    int32_t contig;             /* panel contig index */
    int64_t start, end;         /* 0-based half-open: first bin's start to last bin's end */
    size_t first_bin, last_bin; /* panel bin indices (inclusive) */
    int n;                      /* used bins in it */
    double log2;                /* weighted mean log2 */
    double se;                  /* its SE */
} metcn_segment_t;

typedef struct {
    char *sample;
    char *gene;
    const metcn_panel_t *panel; /* borrowed */
    const metcn_gene_t *locus;  /* borrowed: the gene view the call was made on */
    /* inputs */
    double purity, purity_lo, purity_hi, ploidy;
    int purity_assumed;
    const metcn_criteria_t *criteria;
    double conf;
    /* noise */
    double noise_k; /* robust SD of consecutive standardised differences / sqrt 2: the
                       factor applied to the PoN's per-bin SD (about 1 when the weights fit) */
    double mapd, median_depth, gc_strength;
    double sys_sd; /* systematic SD (log2) shared by neighbouring bins, added in quadrature to
                      the gene level's SE (docs/method.md section 2) */
    /* levels (log2 copy ratio, centred on the reference bins) */
    double centre_shift; /* weighted median of reference bins removed (about 0) */
    metcn_level_t met;   /* target gene */
    metcn_level_t chr7;  /* chr7 control, both arms */
    metcn_level_t chr7p, chr7q;
    int arms_differ;     /* 7p and 7q differ significantly: chr7 is the lower arm's level */
    metcn_level_t arm;   /* control level of the target gene's arm (chr7 when unknown) */
    char gene_arm;       /* 'p', 'q' or 0 */
    int n_target_bins;   /* target bins in the panel */
    int n_control_bins;  /* control bins in the panel */
    int n_control_focal; /* control bins left out as focal events */
    /* copy numbers per tumour cell */
    metcn_cn_t met_cn, chr7_cn, chr7p_cn, chr7q_cn, arm_cn;
    double ratio, ratio_lo, ratio_hi; /* C_gene / C_chr7 */
    metcn_tier_t tier;
    int equivocal; /* ratio interval spans more than one tier */
    metcn_highamp_t high_amp;
    metcn_gcn_t gcn_class;
    metcn_pattern_t pattern;
    int amplicon;                  /* gene significantly above its arm by >= focal_min_excess */
    int chr7_gained;               /* chr7 or the gene's arm gained */
    double excess_log2, excess_se; /* gene level minus arm level */
    /* amplicon extent (when amplicon and the segmentation separates it) */
    int has_extent;
    int64_t extent_start, extent_end;             /* first to last bin of the raised segment(s) */
    int64_t extent_outer_start, extent_outer_end; /* neighbouring unraised bins; -1 none */
    double extent_log2;
    /* limit of detection: smallest gene copy number whose interval would clear the chr7 level */
    double lod_cn;
    /* QC */
    metcn_qc_t qc;
    char *qc_reasons; /* ';'-separated, "." when none */
    /* per bin (panel order) */
    size_t n;
    double *log2;   /* centred log2, NaN when not used */
    double *sd;     /* per-bin SD used (noise_k / sqrt(weight)), NaN when not used */
    double *depth;  /* copied from the input (NaN when unknown) */
    double *weight; /* 1 / sd^2, 0 when not used */
    unsigned *bin_flag;
    /* segments over every contig */
    metcn_segment_t *segs;
    size_t n_segs;
} metcn_call_t;

/** Call one sample for gene (a view of the PoN's panel; borrowed, must outlive the call).  cnr
 *  must be on its panel (cnr->n == panel->n_bins).  pon_warning (may be
 *  NULL) is a PoN-compatibility remark added to the QC reasons as a warning.  Errors
 *  (NULL + message): no usable target bin (METCN_E_NOTARGET), no usable chr7 control or
 *  reference bins (METCN_E_TOOFEW), bad options (METCN_E_ARG).  Caller frees with
 *  metcn_call_destroy(). */
metcn_call_t *metcn_call_run(const metcn_gene_t *gene, const metcn_cnr_t *cnr, const char *sample,
                             const metcn_call_opt_t *opt, const char *pon_warning);

void metcn_call_destroy(metcn_call_t *c);

#ifdef __cplusplus
}
#endif
#endif
