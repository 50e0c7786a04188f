/* pon.h -- panel of normals (PoN): build from normal samples, the PoN file format, and the
 * tumour-side normalisation that uses it.
 *
 * A PoN holds, for every bin of the panel it was built on (in panel order): the bin's GC
 * fraction (computed once, at build), the robust centre (median) and spread of the normals'
 * normalised log2 depth, an exclusion reason, and the loadings of the k principal components
 * of the normals' residual matrix.  It also stores the panel itself (contigs with lengths and
 * centromeres, bins, names, build), so a tumour can be normalised without a FASTA or a
 * --panel option.  A PoN knows no gene: it serves every gene of its panel, the gene being
 * given at normalisation.  File format, method and formulas: docs/pon.md.
 *
 * Coordinates: every start/end is 0-based half-open (those of metcn_panel_t). */
#ifndef METCN_PON_H
#define METCN_PON_H

#include <stddef.h>
#include <stdint.h>

#include <htslib/sam.h>

#include "metcn/cov.h"
#include "metcn/metcn.h"
#include "metcn/panel.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Version of the PoN file format written by this metcn ("#metcn-pon <version>"). */
#define METCN_PON_FORMAT_VERSION 2

/** Why a bin is excluded by the PoN (never because of a tumour's ratio). */
typedef enum {
    METCN_PON_OK = 0,            /* used */
    METCN_PON_LOW_COVERAGE = 1,  /* normals' median relative depth below opt.min_rel_depth */
    METCN_PON_HIGH_SPREAD = 2,   /* normals' robust SD of log2 above opt.max_spread */
    METCN_PON_NO_GC = 3,         /* GC unknown for this bin while the PoN is GC-corrected */
    METCN_PON_ROLE_OTHER = 4,    /* bin on an unused contig (role "other") */
    METCN_PON_NO_SEX_CENTRE = 5, /* sex-chromosome bin without enough normals of the sex
                                    the sample needs (e.g. chrY when no XY normal) */
    METCN_PON_SEX_ABSENT = 6     /* per sample: chrY bin of a sample inferred XX */
} metcn_pon_reason_t;
#define METCN_PON_N_REASONS 7

/** "ok", "low_coverage", "high_spread", "no_gc", "role_other", "no_sex_centre",
 *  "sex_absent"; "unknown" for any other value.  Never NULL. */
const char *metcn_pon_reason_name(int reason);

/** Inferred sex of a sample from its chrX (and chrY) level. */
typedef enum {
    METCN_SEX_UNKNOWN = 0, /* no usable chrX bins */
    METCN_SEX_XX = 1,
    METCN_SEX_XY = 2
} metcn_sex_t;

/** "unknown", "XX", "XY". */
const char *metcn_sex_name(int sex);

/** What a sample is: tissue (the tumour-cell fraction is its purity) or plasma cell-free
 *  DNA (the tumour DNA fraction).  Both are called the same way (docs/method.md section 10);
 *  a PoN records the type of its normals (docs/plasma.md). */
typedef enum { METCN_SAMPLE_TISSUE = 0, METCN_SAMPLE_PLASMA = 1 } metcn_sample_type_t;
const char *metcn_sample_type_name(int t); /* "tissue", "plasma"; "unknown" otherwise */
/** METCN_SAMPLE_* of "tissue" / "plasma" (case-insensitive), -1 otherwise. */
int metcn_sample_type_parse(const char *s);

/** Build options (defaults from metcn_pon_opt_init(), printed by `metcn pon build --help`). */
typedef struct {
    int n_components;     /* components kept: -1 = choose from explained variance (default) */
    int max_components;   /* cap on the automatic choice (default 5) */
    double min_var_frac;  /* automatic choice keeps components explaining at least this
                             fraction of the residual variance each (default 0.10) */
    double min_rel_depth; /* bins whose median depth across normals, relative to the median
                             of reference bins, is below this are excluded (default 0.10) */
    double max_spread;    /* bins whose robust SD of log2 across normals exceeds this are
                             excluded (log2 units, default 0.60) */
    double loess_span;    /* fraction of reference bins in each LOESS window (default 0.30) */
    int gc_correct;       /* 1: GC-correct when GC is known (default 1) */
    double outlier_z;     /* a normal is an outlier when the robust z of its leave-one-out
                             MAPD or max |log2| exceeds this (default 3.5) */
    int drop_outliers;    /* 1: rebuild without the outlier normals (default 0) */
    int min_sex_normals;  /* normals of a sex needed for its own sex-chromosome centre
                             (default 3); fewer: derived from the other sex (see docs) */
    int threads;          /* worker threads for per-sample work (default 1) */
    int sample_type;      /* metcn_sample_type_t of the normals (default tissue); recorded */
    int short_max;        /* fragment-length evidence: a fragment is short when |TLEN| <
                             short_max (bp; default 150); must be an edge of the normals'
                             fragment classes; 0: no short-fragment records stored */
} metcn_pon_opt_t;

void metcn_pon_opt_init(metcn_pon_opt_t *opt);

typedef struct metcn_pon_s metcn_pon_t;

/** QC of one normal, from the leave-one-out run (each normal normalised, with no gene,
 *  against the PoN built without it). */
typedef struct {
    const char *name;    /* sample name (borrowed from the PoN) */
    int sex;             /* metcn_sex_t */
    double x_log2;       /* median log2 of chrX bins relative to autosomes (before centring) */
    double median_depth; /* median raw depth of reference bins */
    double gc_strength;  /* see metcn_cnr_t.gc_strength */
    double mapd;         /* leave-one-out MAPD */
    double max_abs_log2; /* leave-one-out largest |log2| of any used autosomal bin */
    double z_mapd;       /* robust z of mapd across normals */
    double z_max;        /* robust z of max_abs_log2 across normals */
    int outlier;         /* 1 if flagged */
    int dropped;         /* 1 if dropped (--drop-outliers, or failed): not part of the PoN
                            statistics */
    const char *reason;  /* failed normals (metcn_pon_add_failed()): why its input could not
                            be used, naming the file (borrowed from the PoN); else NULL.  Such
                            a normal is dropped and its numbers are NaN */
} metcn_pon_sample_t;

/** Build a PoN from per-bin coverage tables of normal samples.  Every table must be on panel
 *  (same bins in the same order; tables read with metcn_covtab_read() against panel are).
 *  Statistics are taken over all autosomal bins (normals are diploid): no gene enters.
 *  gc: per-bin GC fractions (panel->n_bins, NaN unknown) or NULL to take the tables' gc
 *  column; when GC is unknown everywhere, GC correction is skipped with a warning.
 *  Fewer than 3 normals: METCN_E_TOOFEW.  Fewer than 10: warning logged.  Returns NULL on
 *  error (message recorded).  The panel is copied.  Caller frees with metcn_pon_destroy(). */
metcn_pon_t *metcn_pon_build(const metcn_panel_t *panel, metcn_covtab_t *const *normals,
                             size_t n_normals, const double *gc, const metcn_pon_opt_t *opt);

/** Record a normal that was given but could not be used (its input unreadable, or not on
 *  the panel): a sample entry named name, dropped, with NaN statistics and the reason (a
 *  one-line message naming the file).  It is written to the file and listed by `metcn pon
 *  info`, so a PoN says which normals were meant to be in it.  Returns 0 or METCN_E_NOMEM. */
int metcn_pon_add_failed(metcn_pon_t *pon, const char *name, const char *reason);

/** Write the PoN (text; bgzipped when path ends ".gz"), atomically.  cmdline (may be NULL)
 *  is recorded.  Returns 0 or a negative code. */
int metcn_pon_write(const metcn_pon_t *pon, const char *path, const char *cmdline);

/** Load a PoN file (plain or bgzipped), safely on any bytes.  Refuses, with one message
 *  naming the file (and line): no '#metcn-pon' header; a format-1 file ("PoN format 1 (metcn
 *  0.1): rebuild it with 'metcn pon build'"); a newer format; a truncated file (no checksum
 *  line); an edited file (checksum mismatch; not checked when compiled with
 *  -DMETCN_FUZZ_NO_CHECKSUM, so that a fuzzer reaches the parser); a repeated or missing meta
 *  key; declared counts that differ from the records present; any malformed record; a stored
 *  panel checksum that does not match the bins.  NULL + message on error. */
metcn_pon_t *metcn_pon_load(const char *path);

void metcn_pon_destroy(metcn_pon_t *pon);

/** The panel stored in the PoN (borrowed; lives as long as the PoN). */
const metcn_panel_t *metcn_pon_panel(const metcn_pon_t *pon);

/** Check that panel has the same bins as the PoN's panel (metcn_panel_checksum()).
 *  Returns 0 or METCN_E_INCOMPATIBLE naming both panels. */
int metcn_pon_check_panel(const metcn_pon_t *pon, const metcn_panel_t *panel);

/** Whether bin i of the PoN's panel is used by the PoN (not excluded). */
int metcn_pon_bin_used(const metcn_pon_t *pon, size_t i);

/** Normalised copy ratios of one sample. */
typedef struct {
    size_t n;            /* == panel bins, panel order */
    double *log2;        /* normalised log2 copy ratio; NaN for bins excluded by the PoN */
    double *depth;       /* the sample's raw mean depth (for reports) */
    double *pon_sd;      /* PoN spread of the bin (robust SD of normals' normalised log2) */
    double *weight;      /* inverse-variance weight: 1 / max(pon_sd^2 * noise_scale^2, 1e-4);
                            0 if excluded (docs/pon.md) */
    int *excluded;       /* 0 used, else a metcn_pon_reason_t (metcn_pon_reason_name()) */
    double mapd;         /* sample noise: median |difference| of consecutive used autosomal
                            bins' log2 off the gene's chromosome */
    double gc_strength;  /* size of the GC correction: robust SD (MAD * 1.4826) over the used
                            reference bins of the fitted GC curve, log2 units; 0 if none */
    double gc_residual;  /* GC bias left after the correction: robust SD of a LOESS curve of
                            the normalised log2 against GC over the fit bins (log2); NaN when
                            not GC-corrected (QC rule gc_bias) */
    double median_depth; /* median raw depth of the scaling bins */
    int n_components_used;
    int sex;                /* metcn_sex_t inferred for the sample */
    double x_log2;          /* median log2 of chrX bins (autosome-scaled, before centring) */
    double noise_scale;     /* sample's noise relative to the PoN's: MAPD / PoN median MAPD */
    const char *normaliser; /* static: "metcn" (a metcn PoN) or "cnvkit" (a CNVkit .cnr taken
                               as normalised: its log2 and weights, docs/pon.md) */
    double noise_cnvkit;    /* cnvkit: the log2 SD of a bin of CNVkit weight 0 (relative
                               variance 1 - weight), estimated from the sample's own scatter;
                               NaN otherwise */
} metcn_cnr_t;

/** A metcn_cnr_t of n bins, arrays allocated (values unset, excluded 0), normaliser "metcn".
 *  NULL when out of memory (no message).  Caller frees with metcn_cnr_destroy(). */
metcn_cnr_t *metcn_cnr_new(size_t n);

/** Normalise one sample for one gene: scale to the median of the used autosomal bins off the
 *  gene's chromosome, GC-correct (curve fitted on those bins only, against the PoN centre),
 *  log2, subtract the PoN centre (the sample's sex's centre on sex chromosomes), remove the
 *  PoN's components with coefficients fitted (robustly) on those bins only, and re-centre on
 *  them.  A copy-number change of the gene's chromosome, focal or whole, therefore shapes
 *  neither the scale, the GC curve, the component coefficients nor the centring (docs/pon.md).
 *  gene (may be NULL: all autosomes, as for the normals' leave-one-out) must be a view of the
 *  PoN's panel or of a panel with the same bins.  sample->panel must match the PoN's panel
 *  (metcn_pon_check_panel()).  *out is allocated; caller frees with metcn_cnr_destroy().
 *  Returns 0 or a negative code. */
int metcn_pon_normalize(const metcn_pon_t *pon, const metcn_covtab_t *sample,
                        const metcn_gene_t *gene, metcn_cnr_t **out);

void metcn_cnr_destroy(metcn_cnr_t *c);

/* ---- accessors (borrowed results) ---------------------------------------------------------- */

/** Format version of the loaded file (METCN_PON_FORMAT_VERSION when built in memory). */
int metcn_pon_format_version(const metcn_pon_t *pon);
/** metcn version that wrote the PoN. */
const char *metcn_pon_metcn_version(const metcn_pon_t *pon);
/** Checksum of the PoN content (16 hex digits): identifies the PoN in reports. */
const char *metcn_pon_checksum(const metcn_pon_t *pon);
/** metcn_panel_checksum() of the stored panel. */
const char *metcn_pon_panel_checksum(const metcn_pon_t *pon);
/** Number of normals used (dropped outliers not counted) and recorded (all). */
size_t metcn_pon_n_normals(const metcn_pon_t *pon);
size_t metcn_pon_n_samples(const metcn_pon_t *pon);
/** QC of recorded normal i (0 <= i < metcn_pon_n_samples()); NULL out of range. */
const metcn_pon_sample_t *metcn_pon_sample(const metcn_pon_t *pon, size_t i);
/** Components kept (k >= 0). */
int metcn_pon_n_components(const metcn_pon_t *pon);
/** Fraction of residual variance explained by component j (0 <= j < k). */
double metcn_pon_component_var_frac(const metcn_pon_t *pon, int j);
/** The size selection (|TLEN| in [*min, *max)) the normals' coverage was counted with;
 *  0 0 when none (and for PoN files written before it was recorded). */
void metcn_pon_size_select(const metcn_pon_t *pon, int *min, int *max);
/** The duplicate handling (metcn_dedup_t) the normals' coverage was counted with (the first
 *  normal's; METCN_DEDUP_FLAG for files written before it was recorded): `call`'s default. */
int metcn_pon_dedup(const metcn_pon_t *pon);
/** Whether the PoN's normals were GC-corrected. */
int metcn_pon_gc_corrected(const metcn_pon_t *pon);
/** Options the PoN was built with. */
const metcn_pon_opt_t *metcn_pon_options(const metcn_pon_t *pon);
/** Median leave-one-out MAPD of the used normals (the PoN's noise level). */
double metcn_pon_median_mapd(const metcn_pon_t *pon);
/** Per-bin values, panel order (arrays of metcn_pon_panel()->n_bins; borrowed). */
const double *metcn_pon_centre(const metcn_pon_t *pon); /* log2 centre (XX centre on sex bins) */
const double *metcn_pon_spread(const metcn_pon_t *pon); /* robust SD of normals' log2 */
const double *metcn_pon_gc(const metcn_pon_t *pon);     /* GC fraction; NaN unknown */
const int *metcn_pon_excluded(const metcn_pon_t *pon);  /* metcn_pon_reason_t */
/** The normals' short-fragment share per bin (`fragshort` / `fragbin` records, docs/pon.md;
 *  used by metcn_call_fragments(), docs/plasma.md "Fragment-length evidence").  The share of
 *  normal j in bin i is s_ij = fragments with |TLEN| < short_max / fragments in length
 *  classes; g_j = median of s_ij over j's used reference (autosomal) bins. */
typedef struct {
    int short_max;        /* short: |TLEN| < short_max (bp), an edge of the normals' classes */
    size_t n_normals;     /* normals the statistics are taken over */
    double genome_median; /* median over normals of g_j */
    double genome_spread; /* robust SD (1.4826 MAD) over normals of g_j */
    size_t n;             /* bins (== the PoN's panel bins, panel order) */
    double *centre;       /* per bin: median over normals of s_ij; NaN when unknown (bin
                             excluded by the PoN, or fewer than 3 normals with fragments) */
    double *spread;       /* per bin: robust SD over normals of s_ij - g_j (the bin's scatter
                             once each normal's own genome-wide share is removed) */
    double *fragments;    /* per bin: median over normals of the fragments in classes */
} metcn_pon_frag_t;

/** The PoN's short-fragment records (borrowed), or NULL when it has none: built without
 *  fragment classes (tables without frag columns, CNVkit/mosdepth input), with a size
 *  selection, with short_max 0, or written before the records existed. */
const metcn_pon_frag_t *metcn_pon_frag(const metcn_pon_t *pon);

/** Number of bins excluded for each reason (METCN_PON_N_REASONS entries; [0] = used). */
const size_t *metcn_pon_reason_counts(const metcn_pon_t *pon);

/* ---- SNP sites across the normals (pon build --snps; docs/pon.md, "Sites") ------------------- */

/* Flags of a site (bits of metcn_pon_site_t.flags); a flagged site is left out of a tumour's
 * purity fit (metcn_psite_t "pon_flagged"). */
#define METCN_PON_SITE_NEVER_HET 0x1u /* no normal heterozygous though min_never_het have depth */
#define METCN_PON_SITE_BIASED 0x2u    /* |median REF fraction - 0.5| > max_bias (>= min_het) */
#define METCN_PON_SITE_CONSTANT                                                                    \
    0x4u                          /* heterozygous in more normals than Hardy-Weinberg allows       \
                                     (a paralogue or mapping artefact) */
#define METCN_PON_SITE_NOISY 0x8u /* REF fraction over-dispersed across the het normals */
#define METCN_PON_SITE_N_FLAGS 4
/** "never_het", "biased", "constant", "noisy" for bits 0..3; "unknown" otherwise. */
const char *metcn_pon_site_flag_name(unsigned bit);

/** How the normals' allele counts become per-site statistics (defaults from
 *  metcn_pon_site_opt_init(), printed by `metcn pon build --help`). */
typedef struct {
    int min_depth;          /* REF + ALT reads for a normal to count at a site (default 20) */
    double min_minor_frac;  /* heterozygous: minor allele at least this fraction ... (0.1) */
    double error_rate;      /* ... and more than sequencing error at this rate ... (0.005) */
    double het_pvalue;      /* ... explains at this one-sided binomial p (default 1e-3) */
    int min_het;            /* het normals for a bias (and biased / noisy) (default 3) */
    int min_never_het;      /* normals with depth for never_het (default 10) */
    int min_constant;       /* normals with depth for constant (default 5) */
    double max_bias;        /* biased: |median REF fraction - 0.5| above this (default 0.15) */
    double constant_share;  /* constant: het share of the normals with depth at least this ...
                               (default 0.8) */
    double constant_pvalue; /* ... and P(Binomial(n, 0.5) >= n_het) below this: Hardy-Weinberg
                               gives at most half of the normals het (default 0.01) */
    double noisy_sd;        /* noisy: robust SD of the het normals' REF fraction above this
                               and above 3 binomial SDs at the median depth (default 0.08) */
} metcn_pon_site_opt_t;

void metcn_pon_site_opt_init(metcn_pon_site_opt_t *opt);

/** One SNP site as the PoN's normals see it (0-based position on the PoN's panel). */
typedef struct {
    int32_t contig;     /* index into metcn_pon_panel()->contigs */
    int64_t pos;        /* 0-based */
    char ref, alt;      /* 'A', 'C', 'G', 'T' */
    int n_depth;        /* normals with >= min_depth REF + ALT reads (chrX: XX normals only;
                           chrY: none) */
    int n_het;          /* of which heterozygous */
    double depth;       /* median REF + ALT reads over the normals with depth; NaN: none */
    double ref_bias;    /* median REF fraction of the het normals; NaN below min_het */
    double ref_bias_sd; /* its robust SD (MAD x 1.4826) across them; NaN below min_het */
    unsigned flags;     /* METCN_PON_SITE_* */
} metcn_pon_site_t;

/** Per-site statistics at the sites of list (metcn_sites_load() of the --snps VCF on the
 *  PoN's panel) from the normals' allele counts (normals[j]->sites, which must be at exactly
 *  those sites), for the normals the PoN uses (not dropped), given in the order
 *  metcn_pon_build() was given them (normals[j] is sample j).  Replaces the PoN's sites.
 *  Errors, naming the table: a normal without allele counts (METCN_E_ARG), a normal counted
 *  at other sites (METCN_E_INCOMPATIBLE).  0 or a negative code. */
int metcn_pon_sites_compute(metcn_pon_t *pon, const metcn_sites_t *list,
                            metcn_covtab_t *const *normals, size_t n_normals,
                            const metcn_pon_site_opt_t *opt);

/** The check metcn_pon_sites_compute() starts with, for a caller that wants it before the
 *  build: every normal has allele counts, at exactly the sites of list.  0 or a negative code
 *  with the message naming the table. */
int metcn_pon_sites_check(const metcn_sites_t *list, metcn_covtab_t *const *normals, size_t n);

/** Sites of the PoN (0 for a PoN built without --snps), panel order; borrowed. */
size_t metcn_pon_n_sites(const metcn_pon_t *pon);
const metcn_pon_site_t *metcn_pon_sites(const metcn_pon_t *pon);
/** The site options the PoN was built with. */
const metcn_pon_site_opt_t *metcn_pon_site_options(const metcn_pon_t *pon);
/** Index of the site at (contig, pos) with these alleles, -1 when the PoN has none. */
long metcn_pon_site_find(const metcn_pon_t *pon, int32_t contig, int64_t pos, char ref, char alt);

#ifdef __cplusplus
}
#endif
#endif
