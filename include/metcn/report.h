/* report.h -- writers for `metcn call` results: the calls table (TSV, one row per sample and
 * gene), the JSON report, the per-bin table (CNVkit .cnr columns), IGV SEG, VCF 4.4, the SVG
 * plot of the gene's chromosome and a short readable summary.  Every file is written atomically
 * (metcn_ofile_open()).  Column tables: docs/call.md.  File coordinates follow each format
 * (BED-like 0-based for .cnr, 1-based for SEG and VCF); the calls hold 0-based half-open
 * coordinates. */
#ifndef METCN_REPORT_H
#define METCN_REPORT_H

#include <stddef.h>

#include "metcn/call.h"
#include "metcn/pon.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Inputs and parameters recorded in the JSON report (all borrowed; any may be NULL). */
typedef struct {
    const char *command_line;
    const char *pon_path;
    const metcn_pon_t *pon;
    const metcn_call_opt_t *opt;
    const char *const *inputs; /* input file of each call, same order as the calls */
    const char *reference;     /* FASTA given for CRAM / GC, or NULL */
} metcn_report_meta_t;

/** Header line of the calls table (no newline; borrowed). */
const char *metcn_report_calls_header(void);

/** Write the calls table: header then one row per call, i.e. per sample and gene (columns in
 *  docs/call.md). */
int metcn_report_calls_tsv(const char *path, metcn_call_t *const *calls, size_t n);

/** Write the JSON report of all calls with the inputs, parameters and versions. */
int metcn_report_json(const char *path, metcn_call_t *const *calls, size_t n,
                      const metcn_report_meta_t *meta);

/** Per-bin table with CNVkit .cnr columns (chromosome start end gene log2 depth weight) plus
 *  role and use; one row per bin the call used. */
int metcn_report_cnr(const char *path, const metcn_call_t *c);

/** IGV SEG (ID chrom loc.start loc.end num.mark seg.mean), one row per segment, plus the target
 *  gene's own estimate as its own row (so a focal amplicon is never diluted on display). */
int metcn_report_seg(const char *path, const metcn_call_t *c);

/** VCF 4.4 of one sample: one <CNV>/<DUP> record over each gene called (calls[0..n), all of
 *  the same sample and panel; written in genome order), FORMAT GT:CN:CICN, INFO SVCLAIM=D.
 *  FILTER: PASS, qc_fail and/or equivocal. */
int metcn_report_vcf(const char *path, metcn_call_t *const *calls, size_t n);

/** SVG plot of the gene's chromosome: bins as copy number per tumour cell, control level,
 *  gene estimate with its interval, ratio tier bands (ratio-only criteria), the high-level
 *  line at the call's high_amp_cn. */
int metcn_report_svg(const char *path, const metcn_call_t *c);

/** A few readable lines about the call (caller frees).  NULL on allocation failure. */
char *metcn_report_summary(const metcn_call_t *c);

/** File-name-safe copy of a sample name (caller frees): characters other than letters,
 *  digits, '.', '-', '_' become '_'. */
char *metcn_report_safe_name(const char *sample);

#ifdef __cplusplus
}
#endif
#endif
