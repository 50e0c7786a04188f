/* purity.h -- purity, ploidy and tumour fraction from the copy-number profile and the allele
 * counts at germline SNP sites: a joint segmentation of log2 ratio and allele fraction over
 * every bin, then a fit of purity and ploidy over a grid in which every segment takes integer
 * allele-specific copy numbers (major, minor).  Plain arrays in, one result struct out.
 *
 * Model, likelihood, priors, interval and ambiguity rules: docs/purity.md.
 *
 * Coordinates are 0-based half-open throughout.  Contigs are plain indices (any numbering);
 * the caller says which index is chrX and chrY.  Nothing here prints or exits. */
#ifndef METCN_PURITY_H
#define METCN_PURITY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- input ----------------------------------------------------------------------------------- */

/** Germline genotype of a site from a matched normal. */
typedef enum {
    METCN_GT_UNKNOWN = 0, /* no matched normal: heterozygosity inferred in the tumour */
    METCN_GT_HET = 1,
    METCN_GT_HOM = 2
} metcn_gt_t;

/** One bin of the copy-number profile. */
typedef struct {
    int32_t tid;        /* contig index */
    int64_t start, end; /* 0-based half-open */
    double log2;        /* log2 copy ratio, centred as the caller centres it (NaN: missing) */
    double sd;          /* SD of log2 (> 0); a bin with non-finite log2 or sd <= 0 is skipped */
    int is_gene;        /* 1 for the target gene's own bins: they form one segment of their own */
} metcn_purity_bin_t;

/** One SNP site with the tumour's allele counts. */
typedef struct {
    int32_t tid;
    int64_t pos;      /* 0-based */
    int32_t ref, alt; /* reads carrying the reference / the alternative allele */
    int gt;           /* metcn_gt_t from a matched normal, or METCN_GT_UNKNOWN */
    double ref_bias;  /* REF read fraction expected at a balanced heterozygous site (from the
                         normals, e.g. 0.52 for a site that captures REF better); NaN: the
                         option default_ref_bias (by default the sample's own median) */
    double af;        /* population allele frequency of ALT (the sites VCF's INFO/AF), for the
                         chance that a site looking homozygous is a heterozygous one whose
                         minor allele the tumour lost (docs/purity.md section 4); outside
                         (0, 1), e.g. 0 or NaN: unknown, the sample's heterozygous share used */
} metcn_purity_site_t;

/** The sample.  Bins sorted by (tid, start), sites by (tid, pos); both borrowed. */
typedef struct {
    const metcn_purity_bin_t *bins;
    size_t n_bins;
    const metcn_purity_site_t *sites; /* may be NULL with n_sites 0: fit from depth alone */
    size_t n_sites;
    int sex;              /* metcn_sex_t value (pon.h): 0 unknown, 1 XX, 2 XY.  chrY is always
                             left out; chrX is used only for XX (a male's chrX has one copy and
                             no heterozygous site; an unknown sex may be either) */
    int32_t x_tid, y_tid; /* contig index of chrX / chrY, -1 when absent */
} metcn_purity_input_t;

/* ---- options --------------------------------------------------------------------------------- */

typedef struct {
    /* grid */
    double purity_min;    /* lowest purity of the grid (default 0.01) */
    double purity_max;    /* highest (default 1) */
    double purity_step;   /* grid step above fine_below (default 0.01) */
    double fine_below;    /* below this purity the step is fine_step (default 0.1) */
    double fine_step;     /* (default 0.005) */
    double ploidy_min;    /* lowest ploidy of the non-doubled solutions (default 1.5) */
    double ploidy_max;    /* highest ploidy of the doubled solutions (default 5) */
    double wgd_ploidy_lo; /* doubled solutions: ploidy from this (default 2.5) ... */
    double wgd_ploidy_hi; /* ... and non-doubled up to this (default 3.5) */
    double scale_step;    /* relative step of the depth scale pP + 2(1-p) between ploidy grid
                             points (default 0.01: 0.014 log2) */
    int max_cn;           /* cap on major + minor (default 40) */
    /* likelihood */
    double sys_sd;           /* systematic SD of a segment's log2 mean, added in quadrature to its
                                SE (log2, default 0.02) */
    double baf_sys_sd;       /* systematic SD of a segment's mirrored allele fraction (default
                                0.004); the segment's allele likelihood is tempered to it */
    double overdispersion;   /* beta-binomial rho of the allele counts; NaN: estimated from the
                                data (default NaN) */
    double error_rate;       /* per-read allele error (default 0.005) */
    double default_ref_bias; /* REF fraction at a balanced het site when a site gives none;
                                NaN: the median REF fraction of the sample's heterozygous
                                sites (from 50 sites; else 0.5) (default NaN) */
    /* priors (natural-log units) */
    double event_cost;       /* a segment whose (major, minor) departs from the baseline (1,1) or,
                                for a doubled genome, (2,2) (default 2) ... */
    double copy_cost;        /* ... plus this per copy of major and minor away from it (default 1)
                                ... */
    double max_event_copies; /* ... counted up to this many copies (default 4): a high-level
                                amplicon costs the same whatever its level */
    double subclonal_cost;   /* a segment fitted by no integer state (default 8: more than any
                                integer state) */
    double wgd_cost;         /* a doubled genome (default 2) */
    /* sites */
    int min_site_depth; /* sites with fewer reads are not used (default 20) */
    double het_pvalue;  /* without a matched normal a site is heterozygous when its minor
                           count is above sequencing error at this binomial p (default 1e-3) */
    /* segmentation */
    double seg_penalty; /* split when the two-track chi-square of the best split exceeds this
                           plus 2 ln(points) (default 5) */
    int min_seg_bins;   /* bins on each side of a split (default 3) */
    double merge_z;     /* after the scan, neighbours are merged while the chi-square of
                           their log2 and allele-fraction differences (SEs widened by the
                           systematic SDs) is less extreme than this many SDs of a normal,
                           two-sided (default 3: tail probability 0.0027) */
    /* report */
    double conf;               /* interval level (default 0.95) */
    double alt_rel;            /* another solution at least this likely relative to the best makes
                                  the fit ambiguous (default 0.1) */
    double alt_min_diff;       /* ... when its purity differs by more than this (default 0.1) */
    double wide_width;         /* purity interval wider than this: ambiguous (default 0.25) */
    double undetermined_width; /* wider than this: cannot tell (default 0.5) */
    double max_subclonal;      /* bin share of subclonal-looking segments above this: ambiguous
                                  (default 0.2) */
    int min_het_informative;   /* het sites for a segment's allele fraction to enter the fit
                                  (the gene's segment: always) and for an LOH segment to pin the
                                  purity (default 10) */
    double depth_only_widen;   /* without heterozygous sites the purity interval also takes
                                  solutions this much (log) below the profile's threshold
                                  (default ln 10: down to a tenth of its relative likelihood) */
    int max_solutions;         /* solutions reported (default 8) */
} metcn_purity_opt_t;

/** Defaults (as documented per field above). */
void metcn_purity_opt_init(metcn_purity_opt_t *opt);

/* ---- result ---------------------------------------------------------------------------------- */

/** Per-site status in metcn_purity_t.site_status. */
typedef enum {
    METCN_PSITE_HET_NORMAL = 0,   /* heterozygous in the matched normal: used */
    METCN_PSITE_HET_INFERRED = 1, /* inferred heterozygous in the tumour: used */
    METCN_PSITE_HOM_NORMAL = 2,   /* homozygous in the matched normal */
    METCN_PSITE_HOM_INFERRED = 3, /* minor count within sequencing error */
    METCN_PSITE_LOW_DEPTH = 4,
    METCN_PSITE_SEX = 5,        /* on chrY, or on chrX of a sample not XX */
    METCN_PSITE_NO_SEGMENT = 6, /* on a contig without usable bins */
    METCN_PSITE_PON_FLAGGED = 7 /* flagged by the PoN's normals (never_het, biased, constant,
                                   noisy: docs/pon.md): left out */
} metcn_psite_t;
/** "het_normal", "het_inferred", "hom_normal", "hom_inferred", "low_depth", "sex",
 *  "no_segment", "pon_flagged"; "unknown" otherwise.  Never NULL. */
const char *metcn_psite_name(int s);

/** One segment of the joint segmentation and its state under the chosen solution. */
typedef struct {
    int32_t tid;
    int64_t start, end;         /* 0-based half-open: first bin's (or site's) start to last end */
    size_t bin_first, bin_last; /* input bin indices (inclusive) of its first and last bin
                                   (both 0 for a segment of sites only, n_bins 0) */
    int n_bins;                 /* bins used */
    int n_sites;                /* heterozygous sites used */
    int is_gene;                /* the target gene's segment */
    double log2, log2_se;       /* Huber level of its bins and its SE (NaN without bins) */
    double baf, baf_lo, baf_hi; /* mirrored allele fraction (>= 0.5) with its profile
                                   interval at opt.conf; NaN without sites */
    int major, minor;           /* integer copies under the chosen solution (-1: subclonal) */
    int subclonal;              /* 1: no integer state fits (taken at subclonal_cost) */
    double cn;                  /* cellular copy number from log2 at the chosen purity and ploidy
                                   (metcn_cn_from_ratio, not rounded, floored at 0) */
    int allele_used;            /* its allele fraction entered the fit (docs/purity.md section 4:
                                   the gene's segment, a segment the scan did not cut out, or one
                                   with min_het_informative sites) */
} metcn_purity_seg_t;

/** One local optimum of the fit. */
typedef struct {
    double purity;
    double ploidy;      /* depth-scale ploidy: the tumour copy number at log2 = 0 */
    double ploidy_mean; /* bin-weighted mean tumour copy number of its segment states */
    int wgd;            /* 1: doubled baseline (2,2) */
    double score;       /* log posterior (log-likelihood + log prior), up to a constant */
    double rel;         /* exp(score - best score) */
    int n_subclonal;    /* segments fitted by no integer state */
    int twin;           /* 1: the best solution's doubling twin (docs/purity.md section 6):
                           doubled (or halved) states at p/(2-p) (or 2p/(1+p)) that the data
                           cannot tell from the best (likelihood before the priors within the
                           interval's threshold); part of the call's hull whatever its rel */
} metcn_purity_solution_t;

typedef enum {
    METCN_PURITY_ESTIMATED = 0,   /* purity and interval stand */
    METCN_PURITY_UPPER_BOUND = 1, /* the data cannot exclude a fraction near 0: purity_lo = 0,
                                     purity_hi is an upper bound, purity a best guess */
    METCN_PURITY_UNDETERMINED = 2 /* cannot tell: purity is NaN, [purity_lo, purity_hi] the
                                     range still possible; solutions[] lists the candidates */
} metcn_purity_status_t;
/** "estimated", "upper_bound", "undetermined"; "unknown" otherwise.  Never NULL. */
const char *metcn_purity_status_name(int s);

/* Reasons, bits of metcn_purity_t.flags.  The first five make the fit ambiguous. */
#define METCN_PURITY_F_ALTERNATIVE 0x01u /* another purity fits almost as well */
#define METCN_PURITY_F_DOUBLING 0x02u    /* the doubled (or halved) ploidy fits almost as well */
#define METCN_PURITY_F_WIDE 0x04u        /* the purity interval is wide */
#define METCN_PURITY_F_NO_EVENT 0x08u    /* no segment departs from the baseline */
#define METCN_PURITY_F_SUBCLONAL 0x10u   /* many segments fit no integer state */
#define METCN_PURITY_F_DEPTH_ONLY 0x20u  /* no heterozygous site: depth alone, lower confidence */
#define METCN_PURITY_F_PARSIMONY                                                                   \
    0x40u /* no segment's minor copy number departs from the                                       \
             baseline: purity rests on the prior for the                                           \
             smallest copy changes (a gain of one copy, not two                                    \
             at half the purity) */
#define METCN_PURITY_F_LOW_FRACTION                                                                \
    0x80u /* the interval reaches the grid's lowest purity (not                                    \
             set with NO_EVENT) */
#define METCN_PURITY_F_TWIN                                                                        \
    0x100u /* the doubling twin of the chosen solution (all states doubled or halved,              \
              docs/purity.md section 2.4) fits the data exactly as well: only the priors           \
              choose.  Listed among the solutions; not ambiguous by itself (it holds for           \
              every genome without an odd state), the call's intervals cover both */
#define METCN_PURITY_F_AMBIGUOUS_MASK 0x1fu
#define METCN_PURITY_N_FLAGS 9
/** Short name of one flag bit ("alternative", "doubling", "wide", "no_event", "subclonal",
 *  "depth_only", "parsimony", "low_fraction"); "unknown" otherwise.  Never NULL. */
const char *metcn_purity_flag_name(unsigned bit);
/** One sentence saying what the flag means, for reports.  Never NULL. */
const char *metcn_purity_flag_text(unsigned bit);

typedef struct {
    int status;                  /* metcn_purity_status_t */
    double purity;               /* tumour-cell (or tumour-DNA) fraction; NaN when undetermined */
    double purity_lo, purity_hi; /* interval at opt.conf (highest-posterior region's hull) */
    double ploidy; /* depth-scale ploidy of the chosen solution: pass it, with purity, to
                      metcn_cn_from_ratio() */
    double ploidy_lo, ploidy_hi; /* its interval (same construction) */
    double ploidy_mean;          /* bin-weighted mean tumour copy number of the segment states */
    int wgd;                     /* chosen solution has a doubled baseline */
    unsigned flags;              /* METCN_PURITY_F_* */
    int ambiguous;               /* flags & METCN_PURITY_F_AMBIGUOUS_MASK */
    double overdispersion;       /* beta-binomial rho used (estimated or given) */
    int n_bins_used;
    int n_sites_het; /* heterozygous sites used (from the normal or inferred) */
    int n_events;    /* segments whose state departs from the baseline */
    int n_allelic;   /* ... of which the minor copy number departs (with enough sites) */
    metcn_purity_solution_t *solutions; /* best first */
    size_t n_solutions;
    metcn_purity_seg_t *segs; /* in genome order */
    size_t n_segs;
    int32_t *bin_seg;       /* per input bin: its segment, -1 when not used */
    int32_t *site_seg;      /* per input site: its segment, -1 when not used */
    uint8_t *site_status;   /* per input site: metcn_psite_t */
    double *profile_purity; /* the purity grid ... */
    double *profile_score;  /* ... and the profile log posterior over ploidy (max of both
                               baselines), for plots */
    size_t n_profile;
} metcn_purity_t;

/** Fit purity and ploidy.  *out (caller frees with metcn_purity_destroy()) is set on success,
 *  including when the answer is "cannot tell" (status UNDETERMINED).  Returns 0,
 *  METCN_E_ARG (bad option or input: NULL arrays, sd <= 0 everywhere), METCN_E_UNSORTED,
 *  METCN_E_TOOFEW (fewer than 2 * min_seg_bins usable bins) or METCN_E_NOMEM. */
int metcn_purity_fit(const metcn_purity_input_t *in, const metcn_purity_opt_t *opt,
                     metcn_purity_t **out);

/** Free a result; accepts NULL. */
void metcn_purity_destroy(metcn_purity_t *r);

/** Genotype of a site from a normal's REF and ALT read counts: METCN_GT_UNKNOWN below
 *  min_depth reads; METCN_GT_HET when the minor count is more than sequencing error at
 *  error_rate explains (one-sided binomial p < het_pvalue) and at least min_minor_frac of the
 *  reads; METCN_GT_HOM otherwise.  The one rule for a matched normal and for the PoN's
 *  normals (docs/purity.md, docs/pon.md). */
int metcn_site_genotype(uint32_t ref, uint32_t alt, int min_depth, double error_rate,
                        double het_pvalue, double min_minor_frac);

/* ---- the model's formulas -------------------------------------------------------------------- */

/** Expected copy ratio of a segment with tumour copies (major, minor) at purity p and
 *  depth-scale ploidy P: [p(A+B) + 2(1-p)] / [pP + 2(1-p)]. */
double metcn_purity_expected_ratio(double purity, double ploidy, int major, int minor);

/** Expected allele fraction of the major haplotype at a heterozygous site:
 *  [pA + (1-p)] / [p(A+B) + 2(1-p)]  (0.5 when there is no DNA: p = 1, A = B = 0). */
double metcn_purity_expected_baf(double purity, int major, int minor);

/** The purity of the doubling twin (docs/purity.md section 2.4): (A, B) at purity p are
 *  (2A, 2B) at p/(2-p); to_doubled 0 maps back, 2p/(1+p).  NaN outside [0, 1]. */
double metcn_purity_twin_purity(double purity, int to_doubled);

/** Tumour fraction from the allele fraction of a clonal heterozygous somatic variant in a
 *  diploid region: 2 * vaf, capped at 1 (NaN for vaf outside [0, 1]). */
double metcn_purity_tf_from_vaf(double vaf);

/** The same from read counts, with the interval 2 * the Clopper-Pearson interval of alt/depth
 *  at level conf (capped at 1).  Returns 0 or METCN_E_ARG (depth <= 0, alt outside
 *  [0, depth], conf outside (0, 1)); then the outputs are NaN. */
int metcn_purity_tf_from_counts(int64_t alt, int64_t depth, double conf, double *tf, double *lo,
                                double *hi);

#ifdef __cplusplus
}
#endif
#endif
