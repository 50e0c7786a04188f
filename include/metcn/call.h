/* call.h -- the gene caller: a gene's level, its chromosome's control level (the NGS stand-in
 * for a centromeric probe: CEP7 for MET and EGFR, CEP17 for ERBB2), copy number per tumour
 * cell, FISH-equivalent ratio and its tier under a criteria preset, pattern (focal /
 * polysomy), QC records and limit of detection.
 *
 * The caller works on a sample's normalised copy ratios (metcn_cnr_t from
 * metcn_pon_normalize()) seen through one gene's view of the panel (metcn_gene_t from
 * metcn_panel_gene()), as a short sequence of named stages (src/call/stages.h).  The building
 * blocks (robust level estimator, copy-number conversion, segmentation) are in stats.h.
 * Statistics and formulas: docs/method.md.  Coordinates are 0-based half-open. */
#ifndef METCN_CALL_H
#define METCN_CALL_H

#include <stddef.h>
#include <stdint.h>

#include "metcn/cov.h"
#include "metcn/metcn.h"
#include "metcn/pon.h"
#include "metcn/stats.h"
#include "metcn/panel.h"
#include "metcn/purity.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- criteria: the one tier model (used by `call` and `concordance`) ---------------------- */

#define METCN_CRITERIA_MAX_TIERS 6

/** One tier of a criteria preset.  A tier holds when every bound that is set holds (or when
 *  cn_alone is set and the gene copy number reaches it, whatever the ratio). */
typedef struct {
    const char *name; /* label in the calls table ("high", "group1"); static */
    double ratio_min; /* ratio >= ratio_min (> when ratio_open); -INFINITY: no bound */
    int ratio_open;   /* 1: the lower ratio bound is strict */
    double ratio_max; /* ratio < ratio_max; INFINITY: no bound */
    double cn_min;    /* gene copies per cell >= cn_min; -INFINITY: no bound */
    double cn_max;    /* gene copies < cn_max; INFINITY: no bound */
    double cn_alone;  /* gene copies >= this qualify on their own; INFINITY: not used */
    int positive;     /* 1: the tier is a positive (amplified) result under the criteria */
} metcn_tier_def_t;

/** A criteria preset: tiers ordered from the negative one (index 0, the fallback) upwards.
 *  The tier of a (ratio, copy number) is the highest-index tier that holds. */
typedef struct {
    char name[32];      /* "camidge", "asco-cap-2018", "custom" */
    char gene[16];      /* the gene the preset is written for ("MET"); "" = any gene */
    const char *source; /* the published source (static), docs/method.md */
    int n_tiers;
    metcn_tier_def_t tier[METCN_CRITERIA_MAX_TIERS];
} metcn_criteria_t;

/** Preset by name (case-insensitive), NULL when unknown (borrowed, static). */
const metcn_criteria_t *metcn_criteria_get(const char *name);
/** NULL-terminated list of preset names (borrowed). */
const char *const *metcn_criteria_names(void);
/** The default preset of a gene (MET camidge, ERBB2 asco-cap-2018, EGFR colorado; any other
 *  gene the generic ratio2).  Never NULL. */
const metcn_criteria_t *metcn_criteria_default(const char *gene);
/** Ratio-only tiers of the Camidge shape with custom boundaries: negative < low (ratio >= low)
 *  <= intermediate (ratio > intermediate) < high (ratio >= high).  Name "custom". */
void metcn_criteria_ratio_tiers(metcn_criteria_t *out, double low, double intermediate,
                                double high);
/** Tier of a ratio and gene copy number under c (index into c->tier); a NaN ratio gives 0. */
int metcn_criteria_tier(const metcn_criteria_t *c, double ratio, double cn);
/** Whether the box [ratio_lo, ratio_hi] x [cn_lo, cn_hi] meets more than one tier. */
int metcn_criteria_spans(const metcn_criteria_t *c, double ratio_lo, double ratio_hi, double cn_lo,
                         double cn_hi);
/** Name of tier t of c, "NA" out of range. */
const char *metcn_criteria_tier_name(const metcn_criteria_t *c, int t);
/** Index of the tier named s (case-insensitive), -1 when unknown. */
int metcn_criteria_tier_parse(const metcn_criteria_t *c, const char *s);
/** Whether the criteria use the gene copy number (not the ratio alone). */
int metcn_criteria_uses_cn(const metcn_criteria_t *c);

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

/** Where the purity (tissue) or tumour fraction (plasma) came from; the calls table's
 *  purity_source and tumour_fraction_source columns. */
typedef enum {
    METCN_PURITY_ASSUMED = 0, /* none given: 1 assumed (the tumour fraction is unknown) */
    METCN_PURITY_GIVEN = 1,   /* --purity or --tumour-fraction */
    METCN_PURITY_VAF = 2,     /* --vaf: twice a clonal heterozygous variant's allele fraction */
    METCN_PURITY_SOURCE_ESTIMATED =
        3,                   /* fitted from the reads (metcn_purity_fit(), docs/purity.md) */
    METCN_PURITY_SOMATIC = 4 /* --somatic: the patient's known somatic variants counted in the
                                reads (metcn_somatic_measure(), docs/plasma.md) */
} metcn_purity_source_t;
const char *metcn_purity_source_name(int s); /* "assumed", "given", "vaf", "estimated",
                                                "somatic" */

/* metcn_sample_type_t (tissue or plasma) is declared in metcn/pon.h: a PoN records it. */

/** Whether an amplification was seen (docs/method.md section 10). */
typedef enum {
    METCN_DETECTION_NA = -1,           /* unknown (metcn track: NA in a calls table and nothing
                                          to derive it from) */
    METCN_DETECTION_NOT_DETECTED = 0,  /* could have been seen (5 copies at this sample's tumour
                                          fraction, depth and noise) and was not */
    METCN_DETECTION_DETECTED = 1,      /* gene significantly above its control, implying a
                                          tumour-cell ratio of at least detect_min_ratio */
    METCN_DETECTION_NOT_ASSESSABLE = 2 /* not detected where 5 copies could have been missed:
                                          tumour fraction unknown or below lod_tf_cn5, or QC
                                          fail */
} metcn_detection_t;
const char *metcn_detection_name(int d); /* "not_detected", "detected", "not_assessable" */

/* ---- QC records ---------------------------------------------------------------------------- */

typedef enum { METCN_QC_PASS = 0, METCN_QC_WARN = 1, METCN_QC_FAIL = 2 } metcn_qc_t;
const char *metcn_qc_name(int q); /* "pass", "warn", "fail" */

/** QC codes: X(ID, "name", op, "what it protects").  op is '>' when a value above the
 *  threshold trips the rule, '<' when one below it does, 0 for a remark without threshold.
 *  Every writer renders the records from this list (TSV `name=value>threshold`, JSON
 *  objects, VCF FILTER/INFO, summary); docs/call.md lists them. */
#define METCN_QC_CODES(X)                                                                          \
    X(GENE_BINS_USED, "gene_bins_used", '<',                                                       \
      "the gene level rests on fewer usable bins than min_target_bins")                            \
    X(GENE_BINS_EXCLUDED, "gene_bins_excluded", 0,                                                 \
      "remark: gene bins excluded by the PoN (the level uses the others)")                         \
    X(GENE_BINS_HETEROGENEOUS, "gene_bins_heterogeneous", '>',                                     \
      "the gene's bins scatter about their level more than the noise model allows (chi-square "    \
      "per df, threshold its critical value at hetero_alpha): a partial amplicon or a bad bin "    \
      "may bias the gene level")                                                                   \
    X(MAPD, "mapd", '>', "sample noise: intervals may be too narrow, small changes unreliable")    \
    X(DEPTH, "depth", '<', "median reference depth: too few reads for the noise model")            \
    X(GC_BIAS, "gc_bias", '>',                                                                     \
      "GC bias left after the correction (robust SD of the log2-vs-GC curve of the normalised "    \
      "bins): it would shift a gene whose bins' GC differs from the control's")                    \
    X(NOISE, "noise", '>', "noise factor over the PoN's model: the PoN may not fit this sample")   \
    X(CONTROL_FRAGMENTED, "control_fragmented", '<',                                               \
      "control bins left after focal exclusion: the chromosome is broken into focal events, "      \
      "none excluded")                                                                             \
    X(CONTROL_BINS_USED, "control_bins_used", '<',                                                 \
      "the control (chromosome) level rests on few bins")                                          \
    X(PON_NORMALS, "pon_normals", '<', "normals in the PoN: its noise model is uncertain")         \
    X(SAMPLE_TYPE_MISMATCH, "sample_type_mismatch", 0,                                             \
      "the sample's type (tissue / plasma) differs from the PoN's (value: the PoN's type, 0 "      \
      "tissue, 1 plasma): its normals may not model this sample's noise")                          \
    X(NORMALISED_BY_CNVKIT, "normalised_by_cnvkit", 0,                                             \
      "remark: the input was a CNVkit .cnr, normalised against its CNVkit reference, not a "       \
      "metcn PoN (value: the log2 SD of a bin of CNVkit weight 0, from the sample's scatter)")     \
    X(PURITY_UNDETERMINED, "purity_undetermined", 0,                                               \
      "the purity fit cannot tell the purity (value: width of the range still possible): copy "    \
      "numbers and tiers carry that whole range (the point purity is the range's middle)")         \
    X(PURITY_AMBIGUOUS, "purity_ambiguous", 0,                                                     \
      "the purity fit is ambiguous (value: its flags, docs/purity.md section 6): another "         \
      "solution (e.g. doubled ploidy) fits almost as well")                                        \
    X(DOUBLING_UNRESOLVED, "doubling_unresolved", 0,                                               \
      "remark: the fit's doubling twin (all states doubled or halved, docs/purity.md section "     \
      "2.4) fits exactly as well, so copy numbers per tumour cell carry both readings; the "       \
      "ratio and the tier are the same under both (value: the twin's purity)")                     \
    X(PURITY_DISAGREES, "purity_disagrees", '>',                                                   \
      "the given purity and the estimate from the reads disagree beyond both uncertainties "       \
      "(value: the gap between the two intervals)")                                                \
    X(FRAGMENTS_DISAGREE, "fragments_disagree", 0,                                                 \
      "plasma: the short-fragment evidence disagrees with the depth call (value: its z): warn "    \
      "when detected by depth but the fragments are against, remark when not detected but the "    \
      "fragments support an excess (docs/plasma.md, Fragment-length evidence)")                    \
    X(SOMATIC_NO_DEPTH, "somatic_no_depth", '<',                                                   \
      "--somatic: no variant has the reads to measure its allele fraction (value: the most "       \
      "reads at one; threshold somatic_min_depth): the tumour fraction stays unknown")             \
    X(SOMATIC_HETEROGENEOUS, "somatic_heterogeneous", '<',                                         \
      "--somatic: the variants' allele fractions differ beyond their counts (value: the "          \
      "heterogeneity p; a subclonal variant, or one in a gained or lost region): the tumour "      \
      "fraction is their median with the hull of their intervals")                                 \
    X(SOMATIC_NOT_DETECTED, "somatic_not_detected", 0,                                             \
      "remark: --somatic: the variants' ALT reads do not stand above the sites' error "            \
      "background (value: the one-sided p): the tumour fraction is an upper bound only")

#define METCN_QC_ENUM_(id, name, op, what) METCN_QC_##id,
typedef enum { METCN_QC_CODES(METCN_QC_ENUM_) METCN_QC_N_CODES } metcn_qc_code_t;
#undef METCN_QC_ENUM_

/** One QC finding: a rule, the level it set, the measured value and the threshold crossed
 *  (NaN for a remark without threshold). */
typedef struct {
    metcn_qc_code_t code;
    metcn_qc_t level;
    double value, threshold;
} metcn_qc_rec_t;

const char *metcn_qc_code_name(metcn_qc_code_t code);     /* "mapd" */
char metcn_qc_code_op(metcn_qc_code_t code);              /* '>', '<' or 0 */
const char *metcn_qc_code_protects(metcn_qc_code_t code); /* what the rule protects */
/** Render one record as `name=value>threshold` (or `name=value`) into buf; returns buf. */
const char *metcn_qc_rec_str(const metcn_qc_rec_t *r, char *buf, size_t size);

/* ---- fragment-length evidence (plasma; docs/plasma.md "Fragment-length evidence") --------- */

/** What the gene's short-fragment excess says about an amplification (fragment_support). */
typedef enum {
    METCN_FRAG_NOT_ASSESSABLE = 0, /* tissue, no fragment shares in the PoN or classes in the
                                      sample, size-selected, or too few fragments */
    METCN_FRAG_NEUTRAL = 1,        /* no significant excess, and none significant expected */
    METCN_FRAG_SUPPORTS = 2,       /* excess significant (z >= support_z) */
    METCN_FRAG_AGAINST = 3         /* no significant excess where the depth ratio predicts one
                                      seen with 95% power: predicted / SE >= support_z + 1.645 */
} metcn_frag_support_t;
/** "not_assessable", "neutral", "supports", "against". */
const char *metcn_frag_support_name(int s);

/** Options of the fragment-length evidence (defaults from metcn_frag_opt_init()). */
typedef struct {
    double support_z;         /* z of a significant excess (default 3.09: one-sided 0.001) */
    double tumour_enrichment; /* tumour-derived fragments are short this many times as often
                                 as normal ones (the PoN's genome share), for the predicted
                                 excess (default 1.8: below the ~2x that 90-150 bp size
                                 selection enriches tumour DNA by; capped at share 1) */
    int min_fragments;        /* fewer fragments in the gene's bins: not assessable (default 500) */
} metcn_frag_opt_t;
void metcn_frag_opt_init(metcn_frag_opt_t *opt);

/** The evidence of one call (metcn_call_t.frag).  Shares are of fragments in length classes;
 *  short: |TLEN| < the PoN's short_max. */
typedef struct {
    int computed;               /* 1 when the numbers below were computed */
    int support;                /* metcn_frag_support_t */
    const char *reason;         /* static: why not assessable ("tissue", "no_pon_shares",
                                   "no_fragment_classes", "size_selected", "too_few_fragments"),
                                   else "assessed"; NULL when never computed */
    int short_max;              /* the PoN's threshold (bp) */
    int64_t gene_fragments;     /* fragments in classes over the gene's bins */
    int64_t genome_fragments;   /* ... over the reference bins (other autosomes) */
    double short_frac;          /* the gene's short share, S_T */
    double short_frac_expected; /* expected at the gene: the PoN's E_T plus the sample's
                                   genome shift S_G - E_G */
    double genome_frac, genome_frac_expected; /* S_G and E_G */
    double excess, excess_se, excess_z;       /* (S_T - E_T) - (S_G - E_G), SE, z */
    double predicted; /* excess the depth ratio R predicts: (1 - t_G)(1 - 1/R)(s_tumour -
                         s_normal), s_normal the PoN's genome share, s_tumour = min(1,
                         tumour_enrichment x s_normal), t_G the tumour share of the genome's
                         DNA */
} metcn_frag_evidence_t;

/** The excess from counts: n_short[i] and n_total[i] fragments (short / in classes) of bin i,
 *  group[i] 1 for a gene bin, 2 for a genome reference bin, 0 unused, pf the PoN's shares (its
 *  n bins).  Fills out's counts, shares, excess, SE and z (computed = 1; support and
 *  predicted untouched).  Returns 0, or METCN_E_TOOFEW when a group has no fragment. */
int metcn_frag_excess(const int64_t *n_short, const int64_t *n_total, const unsigned char *group,
                      const metcn_pon_frag_t *pf, metcn_frag_evidence_t *out);

/** The excess the gene's depth ratio R (copy ratio to the genome) predicts, with t_G the
 *  tumour share of the genome's DNA (0 when the fraction is unknown): (1 - t_G)(1 - 1/R)
 *  (tumour_short - normal_short).  NaN on a bad R. */
double metcn_frag_predict(double ratio, double t_genome, double normal_short, double tumour_short);

/* ---- tumour fraction from known somatic variants (docs/plasma.md "Tumour fraction from
 *      somatic variants") ----------------------------------------------------------------- */

typedef struct {
    int min_depth;      /* a variant with fewer REF+ALT reads is not used (default 50) */
    double alpha;       /* the ALT reads stand above the error background at this one-sided
                           level, else the fraction is an upper bound (default 0.001) */
    double het_alpha;   /* the variants' fractions differ at this level: heterogeneous
                           (default 0.001) */
    double error_floor; /* the error rate to one given base is at least this (default 0.0005) */
    double max_error;   /* above this the variants' alleles do not match the reads: an error
                           (default 0.02: 4% of the reads showing neither allele) */
} metcn_somatic_opt_t;

void metcn_somatic_opt_init(metcn_somatic_opt_t *opt);

/** One variant as counted in a sample. */
typedef struct {
    int32_t contig; /* panel contig index */
    int64_t pos;    /* 0-based */
    char ref, alt;
    int counted; /* found among the sample's counted sites (same position and alleles) */
    int used;    /* counted with at least min_depth REF+ALT reads */
    uint32_t ref_count, alt_count, other_count;
    double vaf;              /* ALT / (REF + ALT); NaN uncounted or without reads */
    double tf, tf_lo, tf_hi; /* 2 (VAF - e) / (1 - 4e) (e the error rate) and its interval */
} metcn_somatic_var_t;

typedef enum {
    METCN_SOMATIC_NONE = 0,        /* no --somatic */
    METCN_SOMATIC_ESTIMATED = 1,   /* the ALT reads stand above the background */
    METCN_SOMATIC_UPPER_BOUND = 2, /* they do not: [METCN_TF_FLOOR, hi] */
    METCN_SOMATIC_NO_DEPTH = 3,    /* no variant with min_depth reads */
    METCN_SOMATIC_NOT_COUNTED = 4  /* none among the sample's counted sites */
} metcn_somatic_status_t;
const char *metcn_somatic_status_name(int s); /* "none", "estimated", "upper_bound", "no_depth",
                                                  "not_counted" */

typedef struct {
    int status; /* metcn_somatic_status_t */
    size_t n, n_counted, n_used;
    metcn_somatic_var_t *v;     /* n, in the list's order (owned) */
    uint64_t alt, depth, other; /* summed over the used variants */
    double error_rate;          /* error rate to one given base: other / (2 all reads) */
    double background;          /* ... floored at error_floor: the ALT reads' test */
    double p_background;        /* one-sided p of the ALT reads under the background */
    double het_p;               /* heterogeneity p (chi-square, n_used - 1 df); NaN below 2 */
    int heterogeneous;
    double tf, tf_lo, tf_hi; /* NaN when no_depth / not_counted */
    int max_depth;           /* the most REF+ALT reads at one counted variant */
} metcn_somatic_t;

/** The tumour fraction from the patient's known clonal heterozygous somatic SNVs (want: their
 *  list, counts unused) counted in a sample (counted: its allele counts, may be NULL): each
 *  variant's VAF and 2 VAF with its Clopper-Pearson interval at conf; over the used ones the
 *  pooled 2 A / N with its interval, or, heterogeneous, their median with the hull of their
 *  intervals; an upper bound when the ALT reads do not stand above the sites' error
 *  background (docs/plasma.md).  Fills *out (metcn_somatic_free()).  Returns 0 or
 *  METCN_E_NOMEM / METCN_E_ARG, or METCN_E_FORMAT when the error rate exceeds max_error (the
 *  list's alleles do not match the sample's reads). */
int metcn_somatic_measure(const metcn_sites_t *want, const metcn_sites_t *counted, double conf,
                          const metcn_somatic_opt_t *opt, metcn_somatic_t *out);
void metcn_somatic_free(metcn_somatic_t *s);

/** A copy of sites without the positions of drop (the germline sites for the purity fit);
 *  NULL + message when out of memory.  Caller frees with metcn_sites_destroy(). */
metcn_sites_t *metcn_sites_without(const metcn_sites_t *sites, const metcn_sites_t *drop);

/* ---- options ------------------------------------------------------------------------------- */

typedef struct {
    double purity;     /* tumour-cell fraction p in (0,1]; 1 when not given (default 1) */
    double purity_lo;  /* purity range for its uncertainty: [lo, hi] within (0,1]; both equal */
    double purity_hi;  /*   purity when no uncertainty is given */
    int purity_source; /* metcn_purity_source_t (default assumed) */
    double ploidy;     /* tumour ploidy P of the genome-reference level (default 2) */
    const metcn_criteria_t *criteria; /* tier preset; NULL: the gene's default preset */
    double conf;                      /* confidence level of every interval (default 0.95) */
    double huber_k;          /* Huber tuning constant for the target gene's level, in robust SDs
                                (default 2.0): larger residuals are down-weighted, never dropped */
    double min_sys_sd;       /* floor of the systematic SD shared by neighbouring bins (log2,
                                default 0.03: calibration error measured on the simulated grid,
                                docs/method.md section 2) */
    double control_huber_k;  /* same for the control level (default 1.345) */
    int noise_min_pairs;     /* consecutive reference-bin pairs needed to estimate the noise
                                factor; fewer: factor 1 (default 10) */
    double seg_penalty;      /* binary segmentation: split when the weighted chi-square of the
                                best split exceeds this plus 2 ln(n) (default 16) */
    double focal_max_span;   /* a segment on the gene's chromosome shorter than this (bp) that
                                departs from the chromosome's level is a focal event, left out
                                of the control level (default 20,000,000) */
    double focal_min_delta;  /* ... when it departs by at least this (log2, default 0.2) */
    double focal_min_z;      /* ... and by more than this many of its SEs (default 3); also the
                                bar for growing the amplicon extent over a neighbour */
    double polysomy_cn;      /* the chromosome (or the gene's arm) is gained when its copy
                                number is at least this and its interval lies above 2
                                (default 2.5) */
    double focal_min_excess; /* the gene is focally raised when its copy number exceeds its
                                arm's by at least this (copies, default 0.75) and the excess
                                is significant */
    double high_amp_cn;      /* NGS high-level amplification: copy number above this (10) */
    double gcn_amplified;    /* gene-copy-number class amplified: >= this (5) */
    double gcn_gain;         /* gain: >= this and below amplified (4) */
    int min_target_bins;     /* fewer usable target bins: QC warn (default 3); none: error */
    int min_control_bins;    /* fewer usable control bins: error; fewer left after focal
                                exclusion: none excluded, QC warn (default 3) */
    int control_bins_warn;   /* fewer control bins used: QC warn (default 10) */
    double hetero_alpha;     /* QC warn: the gene bins' chi-square about their level (per-bin
                                SDs of the noise model) is significant at this level (0.001) */
    int hetero_min_bins;     /* ... judged only with at least this many gene bins (3) */
    double noise_warn;       /* noise factor above this: QC warn (default 1.5) */
    double mapd_warn;        /* MAPD above this: QC warn (default 0.30) */
    double mapd_fail;        /* MAPD above this: QC fail (default 0.50) */
    double depth_warn;       /* median reference depth below this: QC warn (default 30) */
    double depth_fail;       /* below this: QC fail (default 10) */
    double gc_warn;          /* GC bias left after the correction above this: QC warn (log2,
                                default 0.05; metcn_cnr_t.gc_residual) */
    double gc_fail;          /* above this: QC fail (default 0.15) */
    int min_pon_normals;     /* fewer normals in the PoN: QC warn, added by the command that
                                loads the PoN (default 10) */
    int sample_type;         /* metcn_sample_type_t (default tissue) */
    double detect_min_ratio; /* detected: the gene/control ratio per tumour cell implied by
                                the gene's excess over its control is at least this (default
                                2.0), besides the excess being significant */
    double detect_alpha;     /* detected: the excess is significant at this one-sided level
                                (default 0.001: the false-positive rate per gene and sample
                                when the tumour fraction is low and the amount is no guard) */
    double lod_power;        /* lod_tf_cn5/cn10: the tumour fraction at which an amplicon of 5 /
                                10 copies is detected with this probability (default 0.95) */
    int estimate_purity;     /* metcn_call_run_fit(): 1 fit purity and ploidy from the reads
                                (docs/purity.md); 0 not (default 0; the CLI turns it on with
                                --snps or --estimate-purity) */
    double disagree_min;     /* purity_disagrees: the gap between the given purity range and
                                the estimate's interval above this (default 0.05) */
    metcn_purity_opt_t fit;  /* the purity fit's options (metcn_purity_opt_init()) */
    const metcn_pon_t *pon_sites; /* borrowed, or NULL: a PoN whose site records (pon build
                                     --snps) give the fit each known site's REF bias and drop
                                     its flagged sites (docs/purity.md) */
    metcn_frag_opt_t frag;        /* fragment-length evidence (metcn_frag_opt_init()) */
    metcn_somatic_opt_t somatic;  /* tumour fraction from somatic variants (--somatic) */
} metcn_call_opt_t;

void metcn_call_opt_init(metcn_call_opt_t *opt);

/** Check every option (ranges and consistency).  Returns 0 or METCN_E_ARG with a message
 *  naming the option.  Called by metcn_call_run() and by the CLI before any work. */
int metcn_call_opt_check(const metcn_call_opt_t *opt);

/** Parse a purity "P", "P+-D" (or "P±D") or "LO-HI" strictly: P in (0,1], the range clipped
 *  to (0,1].  Returns 0 or METCN_E_FORMAT / METCN_E_RANGE (no message recorded). */
int metcn_purity_parse(const char *s, double *purity, double *lo, double *hi);

/** Parse a tumour fraction with the grammar of metcn_purity_parse() ("F", "F+-D", "LO-HI"),
 *  the lower end of "F+-D" floored at METCN_TF_FLOOR (plasma fractions are often below 1%).
 *  Returns 0 or METCN_E_FORMAT / METCN_E_RANGE (no message recorded). */
int metcn_tf_parse(const char *s, double *tf, double *lo, double *hi);
#define METCN_TF_FLOOR 0.001

/** Parse "V" or "V:DEPTH" (--vaf): an allele fraction V in (0, 0.5] and the read depth at the
 *  variant (an integer >= 1; 0 when not given).  Returns 0 or METCN_E_FORMAT / METCN_E_RANGE. */
int metcn_vaf_parse(const char *s, double *vaf, int64_t *depth);

/** Tumour fraction from a clonal heterozygous somatic variant in a diploid region: TF = 2 VAF.
 *  With depth > 0 the interval is twice the Clopper-Pearson interval of x = round(VAF depth)
 *  alt reads of depth at level conf, clipped to [METCN_TF_FLOOR, 1]; with depth 0 the VAF is
 *  taken as exact (lo = hi = tf).  Returns 0 or METCN_E_ARG (vaf outside (0, 0.5], conf
 *  outside (0,1)). */
int metcn_tf_from_vaf(double vaf, int64_t depth, double conf, double *tf, double *lo, double *hi);

/** Noise terms of the detection limit (docs/method.md section 10): the SDs of the gene's
 *  and the control's log2 levels, and the two normal quantiles. */
typedef struct {
    double sd_gene;    /* sqrt(model SE^2 + systematic SD^2) of the gene level (log2) */
    double sd_control; /* SE of the control level (log2) */
    double z_detect;   /* quantile of the detection test (one-sided at detect_alpha 0.001:
                          3.09) */
    double z_power;    /* quantile of the power (lod_power 0.95: 1.645) */
    double min_ratio;  /* detect_min_ratio */
} metcn_lod_model_t;

/** The smallest tumour fraction at which a clonal amplicon of cn copies on a diploid
 *  background (control at 2 copies, normal cells diploid) is detected with probability
 *  >= power by each part of the rule, with R(f) = 1 + f (cn - 2) / 2 the expected
 *  gene/control ratio of the mixture and S^2 = sd_gene^2 + sd_control^2:
 *  significance, log2 R(f) >= (z_detect + z_power) S; amount, log2 R(f) - z_power S >=
 *  log2(1 + (min_ratio - 1) f).  Closed form: the larger of (2^((z_detect + z_power) S) - 1)
 *  / k and (a - 1) / (k - a (min_ratio - 1)), k = (cn - 2) / 2, a = 2^(z_power S).
 *  INFINITY when no fraction in (0, 1] suffices; NaN on bad input. */
double metcn_lod_tf(double cn, const metcn_lod_model_t *m);

/* ---- the call -------------------------------------------------------------------------------- */

/** Per-bin use flags in metcn_call_t.bin_flag. */
#define METCN_BIN_USED 1u      /* finite log2 and weight (not excluded by the PoN) */
#define METCN_BIN_TARGET 2u    /* used in the target gene's level */
#define METCN_BIN_CONTROL 4u   /* used in the control level */
#define METCN_BIN_FOCAL 8u     /* control bin left out: inside a focal event */
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

/** What a PoN's site records (opt->pon_sites) did to a purity fit's sites. */
typedef struct {
    int active;                                     /* 1: the PoN has site records */
    size_t known;                                   /* tumour sites the PoN has a record of */
    size_t ref_bias;                                /* ... unflagged, with the PoN's REF bias */
    size_t dropped;                                 /* ... flagged: left out (pon_flagged) */
    size_t dropped_by_flag[METCN_PON_SITE_N_FLAGS]; /* dropped sites with each flag (a site
                                                       may have several) */
} metcn_pon_site_use_t;

typedef struct {
    char *sample;
    const metcn_gene_t *gene;   /* borrowed: the gene view lives longer than the call */
    const metcn_panel_t *panel; /* borrowed: gene->panel */
    char control[32];           /* the control chromosome, "chr" + canonical name ("chr7") */
    /* inputs */
    double purity, purity_lo, purity_hi, ploidy;
    int purity_source;                /* metcn_purity_source_t */
    const metcn_criteria_t *criteria; /* borrowed (static preset or the caller's) */
    double conf;
    /* noise */
    double noise_k; /* robust SD of consecutive standardised differences / sqrt 2: the
                       factor applied to the PoN's per-bin SD (about 1 when the weights fit) */
    double mapd, median_depth, gc_strength;
    double gc_residual;     /* metcn_cnr_t.gc_residual: what the gc_bias rule judges */
    const char *normaliser; /* static, from the input: "metcn" (PoN) or "cnvkit" (a .cnr) */
    double noise_cnvkit;    /* cnvkit: metcn_cnr_t.noise_cnvkit; NaN otherwise */
    double gene_chi2_df;    /* the gene bins' chi-square about their level per df (QC rule
                               gene_bins_heterogeneous); NaN when not judged */
    double chrom_sd;        /* SD (log2) of whole-chromosome levels beyond their model, from the
                               reference chromosomes; added in quadrature to the control levels
                               (docs/method.md section 2) */
    double sys_sd; /* systematic SD (log2) shared by neighbouring bins, added in quadrature to
                      the gene level's SE (docs/method.md section 2) */
    /* levels (log2 copy ratio, centred on the reference bins) */
    double centre_shift;      /* weighted median of reference bins removed (about 0) */
    metcn_level_t gene_lv;    /* target gene */
    metcn_level_t control_lv; /* control: the gene's chromosome outside its window, both arms */
    metcn_level_t control_p, control_q; /* each arm */
    int arms_differ;        /* the arms differ significantly: control is the lower arm's level */
    metcn_level_t arm;      /* control level of the target gene's arm (control when unknown) */
    char gene_arm;          /* 'p', 'q' or 0 */
    int n_target_bins;      /* target bins in the panel */
    int n_control_bins;     /* control bins in the panel */
    int n_control_focal;    /* control bins left out as focal events */
    int control_fragmented; /* too few control bins left after focal exclusion: none excluded */
    /* copy numbers per tumour cell */
    metcn_cn_t gene_cn, control_cn, control_p_cn, control_q_cn, arm_cn;
    double ratio, ratio_lo, ratio_hi; /* C_gene / C_control */
    int tier;                         /* index into criteria->tier */
    int equivocal; /* the ratio / copy-number interval meets more than one tier */
    metcn_highamp_t high_amp;
    double high_amp_cn; /* the high-level threshold used (opt->high_amp_cn), for the writers */
    metcn_gcn_t gcn_class;
    metcn_pattern_t pattern;
    int amplicon;                  /* gene significantly above its arm by >= focal_min_excess */
    int control_gained;            /* the chromosome or the gene's arm gained */
    double excess_log2, excess_se; /* gene level minus arm level */
    /* amplicon extent (when amplicon and the segmentation separates it) */
    int has_extent;
    int64_t extent_start, extent_end;             /* first to last bin of the raised segment(s) */
    int64_t extent_outer_start, extent_outer_end; /* neighbouring unraised bins; -1 none */
    double extent_log2;
    /* limit of detection: smallest gene copy number whose interval would clear the control */
    double lod_cn;
    /* plasma reporting (every sample type; docs/method.md section 10) */
    int sample_type;             /* metcn_sample_type_t */
    metcn_cn_t plasma_cn;        /* 2 x the gene's copy ratio (copy number of the mixture) */
    metcn_cn_t plasma_control;   /* the same for the control level */
    metcn_detection_t detection; /* detected / not_detected / not_assessable */
    int detect_significant;      /* gene above control: excess - z SE > 0 at detect_alpha */
    int detect_amount;           /* detect_ratio >= detect_min_ratio */
    double detect_ratio;         /* tumour-cell gene/control ratio implied by the excess at the
                                    point fraction f and control copies K (docs/method.md 10) */
    double detect_control_cn;    /* K: 2, or the control's estimate when it is gained */
    double detect_excess, detect_excess_se; /* gene minus control level (log2) and its SE */
    double detect_min_ratio, detect_alpha;  /* the options, for the writers */
    double detect_quantile;         /* z (or t with the gene level's df) of the significance test */
    const char *detection_reason;   /* static: why (docs/call.md) */
    metcn_lod_model_t lod_model;    /* the noise terms of the lod_tf */
    double lod_tf_cn5, lod_tf_cn10; /* tumour fraction detecting 5 / 10 copies with power;
                                       INFINITY: not even at 1 */
    double lod_power;
    /* QC */
    metcn_qc_t qc;          /* worst level of the records */
    metcn_qc_rec_t *qc_rec; /* in the order found */
    size_t n_qc;
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
    /* purity fit (metcn_call_run_fit() with estimate_purity; NULL otherwise) */
    metcn_purity_t *pfit;       /* owned; its bin indices are panel bin indices, its sites
                                   those of sites[] below */
    const metcn_sites_t *sites; /* borrowed: the allele counts the fit used, or NULL */

    /* what the PoN's site records did to the fit's sites (opt->pon_sites) */
    metcn_pon_site_use_t pon_site_use;
    /* fragment-length evidence (metcn_call_fragments(); zero: not computed) */
    metcn_frag_evidence_t frag;
    /* the tumour fraction's somatic variants (metcn_call_somatic(); status none: not given) */
    metcn_somatic_t somatic;
} metcn_call_t;

/** Call one gene of one sample.  cnr must be on the gene's panel (cnr->n ==
 *  gene->panel->n_bins).  opt->criteria NULL selects metcn_criteria_default(gene->name).
 *  Errors (NULL + message): no usable target bin (METCN_E_NOTARGET), too few usable control
 *  or no reference bins (METCN_E_TOOFEW), bad options (METCN_E_ARG, metcn_call_opt_check()).
 *  Caller frees with metcn_call_destroy(); the gene view must outlive the call. */
metcn_call_t *metcn_call_run(const metcn_gene_t *gene, const metcn_cnr_t *cnr, const char *sample,
                             const metcn_call_opt_t *opt);

/** Add a QC record (e.g. the PoN's `pon_normals` that the command loading the PoN knows) and
 *  raise c->qc to its level.  Returns 0 or METCN_E_NOMEM. */
int metcn_call_add_qc(metcn_call_t *c, metcn_qc_code_t code, metcn_qc_t level, double value,
                      double threshold);

/** The hook for the PoN's sample type: when pon_type (METCN_SAMPLE_*; negative when the PoN
 *  records none) differs from the call's, add the QC record sample_type_mismatch (warn, value
 *  the PoN's type).  Returns 0 or METCN_E_NOMEM. */
int metcn_call_check_sample_type(metcn_call_t *c, int pon_type);

/** QC reasons as the calls table writes them: `name=value>threshold;...`, "." when none
 *  (caller frees; NULL on allocation failure). */
char *metcn_call_qc_string(const metcn_call_t *c);

void metcn_call_destroy(metcn_call_t *c);

/** Build the purity fit's input from a call: the used bins' centred log2 and SD (the gene's
 *  target bins marked is_gene), the sites' tumour counts (genotype unknown unless normal is
 *  given: a matched normal's counts at the same sites, a site heterozygous there by
 *  metcn_site_genotype() with opt's min_site_depth, error_rate and het_pvalue), sex a
 *  metcn_sex_t value.  With pon (may be NULL) holding site records (pon build --snps): a site
 *  it flags is left out (status METCN_PSITE_PON_FLAGGED in the result), a known unflagged one
 *  gets its ref_bias, an unknown one keeps ref_bias NaN (the sample's own); what it did goes
 *  to *use (may be NULL).  Then fit (metcn_purity_fit()); the result's per-site arrays are
 *  over all of sites.  sites and normal may be NULL.  *out is the caller's
 *  (metcn_purity_destroy()).  Returns 0 or a negative code. */
int metcn_call_purity_fit(const metcn_call_t *c, const metcn_sites_t *sites,
                          const metcn_sites_t *normal, const metcn_pon_t *pon, int sex,
                          const metcn_purity_opt_t *opt, metcn_pon_site_use_t *use,
                          metcn_purity_t **out);

/** metcn_call_run() with the purity from the reads (docs/purity.md, docs/call.md): with
 *  opt->estimate_purity, the call is made, purity and ploidy are fitted from it and the sites,
 *  and when no purity was given (source assumed) the call is made again at the estimate (source
 *  estimated, the interval as its purity range, the fit's depth-scale ploidy; a fit that cannot
 *  tell gives its whole range and the QC remark purity_undetermined; an ambiguous one widens
 *  the copy-number and ratio intervals to the hull over its solutions with rel >= alt_rel and
 *  adds purity_ambiguous); with a given purity the
 *  estimate is kept beside it and QC purity_disagrees warns when the two intervals are more
 *  than opt->disagree_min apart.  The fit is in c->pfit.  A failed fit (e.g. too few bins) is
 *  no error: the call stands as metcn_call_run() made it, with c->pfit NULL.  sites, normal:
 *  borrowed, must outlive the call; may be NULL.  NULL + message on error. */
metcn_call_t *metcn_call_run_fit(const metcn_gene_t *gene, const metcn_cnr_t *cnr,
                                 const metcn_sites_t *sites, const metcn_sites_t *normal, int sex,
                                 const char *sample, const metcn_call_opt_t *opt);

/** The gene's short-fragment excess (docs/plasma.md "Fragment-length evidence") into c->frag:
 *  the sample's fragment classes (cov, the table the call was normalised from) over the gene's
 *  target bins and the reference bins, against the PoN's shares; supports / against / neutral
 *  by opt, predicted from the call's gene level and tumour fraction.  Not assessable (no
 *  error) for tissue, a PoN without shares, a table without classes or with a size
 *  selection, or too few fragments.  Adds QC fragments_disagree when depth detects and the
 *  fragments are against (warn), or depth does not and they support (remark).  Returns 0 or
 *  METCN_E_NOMEM. */
int metcn_call_fragments(metcn_call_t *c, const metcn_pon_t *pon, const metcn_covtab_t *cov,
                         const metcn_frag_opt_t *opt);

/** The tumour fraction of an estimated or upper-bound measurement into o (purity, its range,
 *  source METCN_PURITY_SOMATIC); o is left alone otherwise.  Returns 1 when set. */
int metcn_somatic_as_opt(const metcn_somatic_t *s, metcn_call_opt_t *o);

/** The QC records of a measurement on its call (somatic_no_depth, somatic_heterogeneous,
 *  somatic_not_detected), and the measurement moved into c->somatic (s emptied).  Returns 0
 *  or METCN_E_NOMEM. */
int metcn_call_somatic(metcn_call_t *c, metcn_somatic_t *s, const metcn_somatic_opt_t *opt);

#ifdef __cplusplus
}
#endif
#endif
