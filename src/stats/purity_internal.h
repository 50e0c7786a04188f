/* purity_internal.h -- the purity fit's working state, shared by its stages:
 * purity_sites.c (which bins and sites are used, the allele likelihood of each segment),
 * purity_seg.c (the joint segmentation of log2 ratio and allele fraction) and purity_fit.c
 * (the grid, the solutions, the interval and the public entry point). */
#ifndef METCN_PURITY_INTERNAL_H
#define METCN_PURITY_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "metcn/purity.h"

/* Mirrored allele fraction grid b = 0.5 + i * PUR_BSTEP, i = 0 .. PUR_NB-1 (0.5 .. 1). */
#define PUR_NB 201
#define PUR_BSTEP (0.5 / (PUR_NB - 1))

/* A segment while it is being built and fitted.  Bin and site ranges index the fit's
 * bidx[] / sidx[] arrays (half-open). */
typedef struct {
    int32_t tid;
    int64_t start, end;
    size_t b0, b1; /* used bins bidx[b0 .. b1) */
    size_t s0, s1; /* het sites sidx[s0 .. s1) */
    int is_gene;
    double y, se; /* log2 level and its SE (NaN without bins) */
    double v;     /* variance used by the depth likelihood: se^2 + sys_sd^2 */
    double *lb;   /* allele log-likelihood on the b grid, max 0, tempered (NULL: no sites) */
    double bhat, baf_lo, baf_hi; /* mirrored BAF estimate and profile interval */
    double baf_se;               /* its SE (half-width of the -1/2 log-likelihood drop) */
} pseg_t;

typedef struct {
    const metcn_purity_input_t *in;
    const metcn_purity_opt_t *opt;
    size_t *bidx; /* usable bins (input indices, genome order) */
    size_t nb;
    size_t *sidx; /* heterozygous sites used (input indices, genome order) */
    size_t ns;
    uint8_t *site_status; /* per input site (metcn_psite_t) */
    pseg_t *segs;
    size_t nseg, segcap;
    size_t *hidx; /* sites that look homozygous without a normal (input indices, genome
                     order): evidence of a lost haplotype when hets vanish (LOH at purity ~1) */
    size_t nh;
    double het_rate; /* heterozygous share of the sites with depth, for sites without an af */
    double rho;      /* beta-binomial over-dispersion used */
    double ref_bias; /* REF fraction at a balanced site without a bias of its own */
} pfit_t;

/* purity_sites.c */
int pur_select_bins(pfit_t *f);
int pur_select_sites(pfit_t *f);
int pur_ref_bias(pfit_t *f);
double pur_site_ref_bias(const pfit_t *f, const metcn_purity_site_t *s);
int pur_allele_model(pfit_t *f);
int pur_seg_allele(pfit_t *f, pseg_t *g);
double pur_lb_at(const double *lb, double b);

/* purity_seg.c */
int pur_segment(pfit_t *f);
int pur_segment_levels(pfit_t *f);
int pur_merge(pfit_t *f);

#endif
