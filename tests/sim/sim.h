/* sim.h -- metcn-sim, the test-data generator: model shared by its subcommands and by the
 * unit tests (tests/test_sim.c includes sim_model.c).
 *
 * Coordinates: 0-based half-open everywhere.  The model is documented in docs/simulator.md. */
#ifndef METCN_SIM_H
#define METCN_SIM_H

#include <stddef.h>
#include <stdint.h>

#define SIM_MAX_SEGS 32

/* GRCh38 facts the generator needs (from panels/grch38/build.tsv and
 * shared/reference/met-coordinates.md). */
#define SIM_CHR7_LEN 159345973LL
#define SIM_CEN7_START 58100000LL
#define SIM_CEN7_END 62100000LL
#define SIM_MET_START 116672389LL /* Ensembl gene extent */
#define SIM_MET_END 116798386LL
#define SIM_EGFR_START 55019016LL
#define SIM_EGFR_END 55211628LL
#define SIM_N_MET_EXONS 20
extern const int64_t sim_met_exons[SIM_N_MET_EXONS][2];

/* ---- deterministic hashing (position-addressable randomness) -------------------------- */
uint64_t sim_mix64(uint64_t x);
uint64_t sim_hash_str(const char *s, uint64_t seed);
/** Uniform in (0,1) from a 64-bit hash. */
double sim_u01(uint64_t h);

/* ---- capture efficiency ---------------------------------------------------------------- */
/** Capture efficiency of the target contig:start-end under capture seed and log-sd sigma:
 *  exp(sigma z - sigma^2/2), z standard normal from a hash of (seed, contig, start, end), so
 *  every sample of a panel shares it and its mean is 1. */
double sim_capture_eff(uint64_t seed, double sigma, const char *contig, int64_t start, int64_t end);

/* ---- GC bias --------------------------------------------------------------------------- */
typedef struct {
    double slope; /* b1: per unit GC fraction */
    double curv;  /* b2: per unit GC fraction squared (negative = a hump) */
} sim_gc_t;
/** Relative capture/sequencing yield of a fragment of GC fraction gc:
 *  exp(b1 (gc - 0.45) + b2 (gc - 0.45)^2), 1 at gc = 0.45. */
double sim_gc_factor(const sim_gc_t *g, double gc);
/** Maximum of sim_gc_factor over gc in [0,1]. */
double sim_gc_max(const sim_gc_t *g);

/* ---- copy-number model ----------------------------------------------------------------- */
typedef struct {
    char contig[32];
    int64_t start, end;
    double cn;           /* tumour copy number inside */
    double major, minor; /* its allele-specific copies (MAJOR+MINOR given), else -1 */
} sim_seg_t;

typedef enum { SIM_XX = 0, SIM_XY = 1 } sim_sex_t;

typedef struct {
    double purity;             /* fraction of tumour cells, 0 = normal sample */
    double ploidy;             /* tumour ploidy P in the depth normalisation; <0: = base_cn */
    double base_cn;            /* tumour copy number of autosomes (default 2) */
    double chr7_cn;            /* whole chromosome 7 copies (centromeres, FISH CEP7); <0: base_cn */
    double chr7p_cn, chr7q_cn; /* arm levels; <0: chr7_cn */
    double met_cn;             /* copy number of the MET amplicon; <0: none */
    int64_t amp_start, amp_end; /* MET amplicon extent */
    double egfr_cn;             /* copy number of an EGFR focal gain; <0: none */
    int64_t egfr_start, egfr_end;
    sim_seg_t segs[SIM_MAX_SEGS]; /* extra segments (--seg), applied last */
    int n_segs;
    sim_sex_t sex;
    int wgd; /* whole-genome doubling: every tumour copy number above is doubled */
} sim_cn_t;

void sim_cn_init(sim_cn_t *cn);
/** Fill the derived defaults (ploidy, chr7 levels). */
void sim_cn_finish(sim_cn_t *cn);
/** Normal (germline) copy number of a contig for the sample's sex: 2, chrX 2/1, chrY 0/1. */
double sim_normal_cn(const sim_cn_t *cn, const char *contig);
/** Tumour-cell copy number at pos of contig. */
double sim_tumour_cn(const sim_cn_t *cn, const char *contig, int64_t pos);
/** Allele-specific tumour copy number at pos: copies of the major haplotype (haplotype 0) and
 *  of the minor one (haplotype 1), major + minor = sim_tumour_cn().  A segment given as
 *  MAJOR+MINOR keeps its split; otherwise the whole-genome and chr7 arm levels split evenly
 *  (minor = floor(C/2)), a focal gain goes to the major haplotype ((C - m, m) over a background
 *  (M, m): the amplified haplotype of an amplicon, (C-1, 1) on a diploid background), a loss
 *  takes the minor first (minor = min(m, floor(C/2))).  One copy of chrX in XY, chrY: (C, 0).
 *  With WGD both are doubled. */
void sim_tumour_acn(const sim_cn_t *cn, const char *contig, int64_t pos, double *major,
                    double *minor);
/** Fraction of the DNA at pos that comes from tumour cells: p C / (p C + (1-p) N). */
double sim_tumour_fraction(const sim_cn_t *cn, const char *contig, int64_t pos);
/** Fraction of the DNA at pos that comes from haplotype 0 (the tumour's major haplotype):
 *  [p A + (1-p) N0] / [p C + (1-p) N], N0 = 1 for a diploid normal, N for a haploid one.  The
 *  expected allele fraction at a heterozygous site whose alt allele is on haplotype 0. */
double sim_hap0_fraction(const sim_cn_t *cn, const char *contig, int64_t pos);

/* ---- germline genotypes ------------------------------------------------------------------ */
/** Hardy-Weinberg genotype (number of alt alleles, 0-2) at alt-allele frequency af for a
 *  uniform u in (0,1): 0 below (1-af)^2, 1 below (1-af)^2 + 2 af (1-af), else 2. */
int sim_genotype_hwe(double af, double u);
/** The haplotypes of individual germline_seed carrying the alt allele at contig:pos (bit 0:
 *  haplotype 0, bit 1: haplotype 1): the genotype drawn Hardy-Weinberg from af, a heterozygote's
 *  phase drawn at random; haploid (one copy: chrX of XY, chrY): bit 0 with probability af.  A
 *  function of (germline_seed, contig, pos, af) only, so a tumour and its normal agree. */
unsigned sim_site_haps(uint64_t germline_seed, const char *contig, int64_t pos, double af,
                       int haploid);
/** Depth factor relative to a diploid normal region:
 *  [p C + N (1-p)] / [p P + 2 (1-p)], N the normal copy number. */
double sim_cn_factor(const sim_cn_t *cn, const char *contig, int64_t pos);
/** Maximum of sim_cn_factor over [start, end). */
double sim_cn_factor_max(const sim_cn_t *cn, const char *contig, int64_t start, int64_t end);

typedef struct {
    double met_cn;   /* length-weighted over the MET coding exons */
    double chr7_cn;  /* whole-chromosome copies */
    double chr7p_cn; /* arm levels outside any amplicon */
    double chr7q_cn;
    double fish_ratio;
    const char *fish_tier; /* negative / low / intermediate / high */
    const char *high_amp;  /* yes / no */
    const char *pattern;   /* focal / polysomy / focal_on_polysomy / none */
} sim_truth_t;

/** Truth per the shared contract (docs/simulator.md). */
void sim_truth(const sim_cn_t *cn, sim_truth_t *t);
const char *sim_fish_tier(double ratio);

/* ---- subcommands ----------------------------------------------------------------------- */
int sim_main_ref(int argc, char **argv);
int sim_main_panel(int argc, char **argv);
int sim_main_reads(int argc, char **argv);
int sim_main_snps(int argc, char **argv);

/** "metcn-sim <cmd>: message" to stderr; returns 1 (runtime) -- usage errors use sim_usage. */
int sim_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** "metcn-sim <cmd>: message" + a hint line; returns 2. */
int sim_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int sim_opt_int64(const char *cmd, const char *opt, const char *arg, int64_t lo, int64_t hi,
                  int64_t *out);
int sim_opt_double(const char *cmd, const char *opt, const char *arg, double lo, double hi,
                   double *out);
/** 1 when name is in the comma-separated list, or list is NULL (every contig). */
int sim_contig_wanted(const char *list, const char *name);

#endif
