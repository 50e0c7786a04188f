/* dilute.h -- in-silico dilution: mix a tumour BAM/CRAM with a normal BAM/CRAM to chosen
 * tumour fractions by deterministic read-pair subsampling (`metcn dilute`).
 *
 * A template (all records sharing a read name: both mates, secondary and supplementary
 * alignments) is kept or dropped whole: it is kept when u(seed, source, name) < p, with u a
 * hash of the seed, the input (tumour or normal) and the read name mapped to [0, 1). The
 * decision therefore depends on nothing else (not on read order, thread count or the other
 * fractions), and with one seed the series is nested: a template kept at a keep probability
 * is kept at every larger one. */
#ifndef METCN_DILUTE_H
#define METCN_DILUTE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    uint64_t seed;         /* hashing seed [1] */
    double depth_ratio;    /* tumour/normal template-count ratio; NaN = count both inputs */
    int64_t templates;     /* templates per output; 0 = the largest total every requested
                              fraction can reach (needs counted inputs) [0] */
    int threads;           /* extra htslib (de)compression threads [0] */
    const char *reference; /* FASTA for CRAM inputs, or NULL (htslib's REF_PATH / UR) */
    const char *sample;    /* SM written on every @RG of the outputs; NULL = the file name
                              without directory and ".bam" */
    const char *cmdline;   /* recorded in the @PG line, or NULL */
    int prefix_names;      /* prefix read names with "t." / "n." so that names shared by
                              the two inputs stay distinct (the keep decision uses the
                              original name) [0] */
} metcn_dilute_opt_t;

void metcn_dilute_opt_init(metcn_dilute_opt_t *opt);

/** Per requested fraction: the plan and what was written. */
typedef struct {
    double fraction;                         /* requested tumour fraction (share of templates) */
    double keep_tumour, keep_normal;         /* keep probabilities */
    double expected_tumour, expected_normal; /* expected templates written from each input */
    int64_t tumour_kept, normal_kept;        /* templates written */
    int64_t records;                         /* records written */
    char *path; /* output BAM (caller frees via metcn_dilute_results_free) */
} metcn_dilute_result_t;

/** Summary of a run. */
typedef struct {
    int64_t tumour_templates, normal_templates; /* counted, or -1 with depth_ratio */
    double total;                               /* planned templates per output (in units of
                                                   normal templates with depth_ratio) */
    metcn_dilute_result_t *results;             /* one per fraction, in the order given */
    size_t n_results;
} metcn_dilute_run_t;

/** The keep decision for one template: 1 keep, 0 drop. source: 0 tumour, 1 normal. */
int metcn_dilute_keep(uint64_t seed, int source, const char *qname, double p);
/** The hash value u in [0, 1) behind metcn_dilute_keep(). */
double metcn_dilute_u(uint64_t seed, int source, const char *qname);

/** Count templates in a BAM/CRAM: primary records that are unpaired or first in pair. */
int metcn_dilute_count(const char *path, const metcn_dilute_opt_t *opt, int64_t *templates);

/** Keep probabilities for tumour fraction f given template counts T and N and a total D per
 *  output: keep_tumour = f D / T, keep_normal = (1 - f) D / N. Returns METCN_E_RANGE when
 *  either exceeds 1 (D too large for f). */
int metcn_dilute_keep_probs(double f, double tumour, double normal, double total, double *kt,
                            double *kn);

/** Mix tumour and normal (both coordinate-sorted, same contigs in the same order) into one
 *  sorted, indexed BAM per fraction, named PREFIX.f<fraction>.bam (+ .bai, or .csi when a
 *  contig is longer than 2^29), written under temporary names and renamed when complete.
 *  Read groups stay distinct: a normal @RG whose ID collides with a tumour one is renamed
 *  "<ID>-normal" (its reads retagged); an input without @RG gets "tumour" / "normal" and its
 *  reads are tagged. run->results is allocated here; free with metcn_dilute_run_free().
 *  Returns 0 or a negative code (message names the file). */
int metcn_dilute(const char *tumour, const char *normal, const double *fractions, size_t n,
                 const char *prefix, const metcn_dilute_opt_t *opt, metcn_dilute_run_t *run);
void metcn_dilute_run_free(metcn_dilute_run_t *run);

#ifdef __cplusplus
}
#endif
#endif
