/* stages.h -- the caller's stages over one call object (private; tests/test_call.c tests each
 * on its own).  metcn_call_run() is: call_init, then these in order:
 *
 *   call_noise        noise factor k, per-bin SD and weight
 *   call_levels       centring on the reference bins, the gene's level from its own bins
 *   call_segments     segmentation of every contig (the gene forced into its own segment)
 *   call_control      focal events left out, control level of the chromosome and each arm
 *   call_systematic   systematic SD shared by neighbouring bins, added to the levels
 *   call_arms         arm-level change: the control is the lower arm; the gene's arm level
 *   call_copy_number  copy numbers per tumour cell and the ratio
 *   call_plasma_cn    the mixture's copy number (2 x copy ratio) of the gene and the control
 *   call_classify     tier, equivocal, high-level flag, gene-copy class
 *   call_pattern      focal / polysomy and the amplicon's extent
 *   call_lod          limit of detection as a copy number
 *   call_lod_tf       limit of detection as a tumour fraction for 5 and 10 copies
 *   call_qc           QC records
 *   call_detection    detected / not_detected / not_assessable
 *
 * Each returns 0 or a negative code with the message recorded. */
#ifndef METCN_CALL_STAGES_H
#define METCN_CALL_STAGES_H

#include "metcn/call.h"

/** Allocate the call for gene and sample, copy the inputs (purity, criteria, per-bin values
 *  and depth) and flag the bins used; no decision yet.  NULL + message on error. */
metcn_call_t *call_init(const metcn_gene_t *gene, const metcn_cnr_t *cnr, const char *sample,
                        const metcn_call_opt_t *opt);

int call_noise(metcn_call_t *c, const metcn_call_opt_t *opt);
int call_levels(metcn_call_t *c, const metcn_call_opt_t *opt);
int call_segments(metcn_call_t *c, const metcn_call_opt_t *opt);
int call_control(metcn_call_t *c, const metcn_call_opt_t *opt);
int call_systematic(metcn_call_t *c, const metcn_call_opt_t *opt);
int call_arms(metcn_call_t *c, const metcn_call_opt_t *opt);
int call_copy_number(metcn_call_t *c, const metcn_call_opt_t *opt);
int call_classify(metcn_call_t *c, const metcn_call_opt_t *opt);
int call_pattern(metcn_call_t *c, const metcn_call_opt_t *opt);
int call_lod(metcn_call_t *c, const metcn_call_opt_t *opt);
int call_qc(metcn_call_t *c, const metcn_call_opt_t *opt);
int call_plasma_cn(metcn_call_t *c, const metcn_call_opt_t *opt);
int call_lod_tf(metcn_call_t *c, const metcn_call_opt_t *opt);
int call_detection(metcn_call_t *c, const metcn_call_opt_t *opt);

/** The detection decision from the fields call_detection() set and the call's QC level and
 *  tumour fraction (re-run when a QC record raises the level later). */
void call_detection_decide(metcn_call_t *c);

/** Level of the bins idx[0..m) (their log2 and sd); fields NaN when m == 0. */
int call_level_of(const metcn_call_t *c, const size_t *idx, size_t m, double k, double conf,
                  metcn_level_t *out);

/** Whether a copy number is a gain over the diploid state: at least polysomy_cn with its
 *  interval wholly above 2. */
int call_cn_gained(const metcn_cn_t *cn, const metcn_call_opt_t *opt);

/** Systematic SD of blocks of `block` consecutive used reference bins (0 when < 5 blocks). */
double call_systematic_sd(const metcn_call_t *c, size_t block);
/* noise.c: the SD s with median_b(d2_b / (v_b + s^2)) = 0.4549 (the median of chi-square with
 * 1 df): the spread of n group means d (squared: d2) beyond their model variances v, robust to
 * a minority of groups with real changes; 0 when none; in [0, 1].  scratch: n doubles. */
double call_excess_sd(const double *d2, const double *v, double *scratch, size_t n);
/* noise.c: the SD of whole-chromosome levels beyond their model (added to the control
 * levels). */
double call_chromosome_sd(const metcn_call_t *c);

#endif
