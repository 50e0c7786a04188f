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

/** Why a row has no call (its qc_reasons code): the input could not be read or does not fit
 *  the panel / PoN (open, check, coverage, normalisation), or the caller itself failed for
 *  this gene (e.g. too few usable control bins). */
typedef enum { METCN_FAIL_INPUT = 0, METCN_FAIL_CALL = 1 } metcn_fail_t;
/** "input_failed", "call_failed"; "failed" for any other value.  Never NULL. */
const char *metcn_fail_name(int fail);

/** One row of a call run's outputs: a call, or a sample and gene that could not be called
 *  (batch failure isolation: the other samples are called; docs/call.md).  All borrowed. */
typedef struct {
    const metcn_call_t *call; /* the call; NULL when this sample and gene failed */
    const char *sample;       /* failed rows: the sample name (the input's file name when it
                                 could not be read); a call has its own */
    const char *gene;         /* failed rows: the gene name */
    const char *input;        /* the input file, or NULL */
    int fail;                 /* failed rows: metcn_fail_t */
    const char *error;        /* failed rows: the one-line reason, naming the file */
} metcn_report_row_t;

/** The qc_reasons text of a failed row: `<fail name>=<error>` with tabs, line ends and ';'
 *  (the separator of QC records) made harmless (caller frees; NULL when out of memory). */
char *metcn_report_fail_reason(const metcn_report_row_t *row);

/** Header line of the calls table (no newline; borrowed). */
const char *metcn_report_calls_header(void);

/** Write the calls table: header then one row per call, i.e. per sample and gene (columns in
 *  docs/call.md). */
int metcn_report_calls_tsv(const char *path, metcn_call_t *const *calls, size_t n);

/** The calls table of rows: a failed row has sample, gene, qc `fail`, qc_reasons
 *  metcn_report_fail_reason() and NA in every other column. */
int metcn_report_rows_tsv(const char *path, const metcn_report_row_t *rows, size_t n);

/** Write the JSON report of all calls with the inputs, parameters and versions. */
int metcn_report_json(const char *path, metcn_call_t *const *calls, size_t n,
                      const metcn_report_meta_t *meta);

/** The JSON report of rows (meta->inputs is not used: each row names its input).  A failed
 *  row is an object {sample, input, gene, error, qc {status "fail", records [{code, level,
 *  message}]}}. */
int metcn_report_rows_json(const char *path, const metcn_report_row_t *rows, size_t n,
                           const metcn_report_meta_t *meta);

/* ---- MultiQC custom content (docs/call.md, docs/pon.md) ----------------------------------- */

/** Suffixes of the MultiQC custom-content files a call run writes after its prefix, in order
 *  (NULL-terminated; borrowed): ".metcn_general_mqc.json" (General Statistics),
 *  ".metcn_calls_mqc.json" (table), ".metcn_cn_mqc.json" (copy number with its interval),
 *  ".metcn_scatter_mqc.json" (gene against control copy number). */
const char *const *metcn_report_multiqc_suffixes(void);

/** Write the MultiQC files of a call run: PREFIX + each of metcn_report_multiqc_suffixes(),
 *  all under one "metcn" section.  Rows are keyed by sample (by "sample gene" when the run
 *  has several genes); failed rows appear in the General Statistics and the table.  Each
 *  file is written atomically; 0 or a negative code. */
int metcn_report_multiqc(const char *prefix, const metcn_report_row_t *rows, size_t n);

/** Write the MultiQC file of a PoN: a table of its normals (sex, chrX level, depth, GC
 *  strength, MAPD, max |log2|, their robust z, status ok / outlier / dropped / failed, and
 *  the reason a normal failed) to path (by convention the PoN's path without ".gz" +
 *  ".metcn_pon_mqc.json").  0 or a negative code. */
int metcn_report_pon_multiqc(const char *path, const metcn_pon_t *pon);

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
