/* sample_internal.h -- what sample.c shares with the readers of normalised inputs
 * (cnvkit.c: CNVkit .cnr).  Coordinates are 0-based half-open. */
#ifndef METCN_SAMPLE_INTERNAL_H
#define METCN_SAMPLE_INTERNAL_H

#include "metcn/pon.h"
#include "metcn/sample.h"
#include "metcn/util.h"

/* A CNVkit .cnr as read: the panel made from its rows and the values in panel order. */
typedef struct {
    metcn_panel_t *panel;
    size_t n;
    double *log2, *weight, *depth; /* depth NaN when the file has no depth column */
} cnvkit_cnr_t;

/* 1 when the first line (after any '#' lines) of text is a CNVkit .cnr header: 'chromosome'
 * first, a 'weight' column and no 'probes' column (that is a .cns). */
int cnvkit_cnr_sniff(const char *text, size_t len);

/* Read a .cnr from in (positioned at its start) into out; build as for
 * metcn_panel_from_intervals().  0 or a negative code with a message naming the file and line
 * (missing column, bad or NaN value, unsorted or overlapping rows). */
int cnvkit_cnr_read(metcn_tsv_t *in, const char *build, cnvkit_cnr_t *out);
void cnvkit_cnr_free(cnvkit_cnr_t *c);

/* The .cnr as a metcn_cnr_t for gene (a view of in->panel; NULL: no gene): log2 as CNVkit
 * normalised it, per-bin SD s sqrt(1 - weight) with s from the sample's own scatter (one s
 * for targets, one for off-target bins).  *out is the caller's. */
int cnvkit_cnr_normalize(const cnvkit_cnr_t *in, const metcn_gene_t *gene, metcn_cnr_t **out);

#endif
