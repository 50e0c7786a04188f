/* cov.h -- coverage engine (BAM/CRAM -> per-bin counts) and per-bin coverage tables.
 *
 * A coverage table holds one row per panel bin, in panel order.  It is produced by
 * metcn_cov_compute() from reads, or read back from a file written by `metcn coverage`, a
 * CNVkit .cnn/.targetcoverage.cnn file or a mosdepth regions.bed.gz (metcn_covtab_read()).
 * Coordinates are 0-based half-open (those of the panel bins). */
#ifndef METCN_COV_H
#define METCN_COV_H

#include <stddef.h>
#include <stdint.h>

#include "metcn/panel.h"
#include "metcn/util.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Reasons a read is not counted, each counted per bin. */
typedef enum {
    METCN_DROP_UNMAPPED = 0,
    METCN_DROP_SECONDARY,
    METCN_DROP_QCFAIL,
    METCN_DROP_DUPLICATE,
    METCN_DROP_SUPPLEMENTARY,
    METCN_DROP_OTHER_FLAG, /* excluded by -F bits other than the five above, or missing -f bits */
    METCN_DROP_MAPQ,
    METCN_N_DROP
} metcn_drop_t;

/** Column name of a drop reason ("dropped_mapq", ...). */
const char *metcn_drop_name(metcn_drop_t d);

typedef struct {
    int min_mapq;           /* -Q: reads with MAPQ below this are dropped (default 0... see .c) */
    uint32_t exclude_flags; /* -F: default UNMAP|SECONDARY|QCFAIL|DUP|SUPPLEMENTARY (0xF04) */
    uint32_t include_flags; /* -f: all of these bits required (default 0) */
    int threads;            /* -@: additional threads: parallel readers with an index, else
                               decompression threads (default 0) */
    const char *reference;  /* FASTA for CRAM decoding (and GC content with gc), or NULL */
    int force_stream;       /* 1: ignore any index and stream the whole file */
    int gc;                 /* 1: fill the gc column from reference when one is given
                               (default 1); 0: reference only decodes CRAM.  The commands set
                               it from --gc: a tumour's GC comes from the PoN, never from here */
} metcn_cov_opt_t;

void metcn_cov_opt_init(metcn_cov_opt_t *opt);

typedef struct {
    const metcn_panel_t *panel;        /* borrowed: row i is panel->bins[i] */
    size_t n;                          /* == panel->n_bins */
    char *sample;                      /* read-group SM, else the file name without extension */
    char *source;                      /* path it was computed or read from */
    char *format;                      /* "metcn", "cnvkit", "mosdepth" */
    uint64_t *fragments;               /* fragments whose position falls in the bin; all 0 and
                                          has_fragments 0 when the source has no counts */
    double *depth;                     /* mean aligned-base depth over the bin */
    double *gc;                        /* GC fraction in [0,1]; NaN when unknown */
    uint64_t (*dropped)[METCN_N_DROP]; /* per bin; NULL when the source has none */
    int has_fragments;
    int has_gc;
    char *mode; /* "index" or "stream" when computed, else NULL */
} metcn_covtab_t;

/** Allocate an empty table for a panel (all zero, gc NaN).  Caller frees with
 *  metcn_covtab_destroy(). */
metcn_covtab_t *metcn_covtab_new(const metcn_panel_t *panel);
void metcn_covtab_destroy(metcn_covtab_t *t);

/** Count coverage of one BAM/CRAM (path or "-") over the panel's bins.  With an index, only
 *  the records overlapping the bins are read (multi-region iterator); without one, the file
 *  is streamed once.  GC per bin is filled when opt->reference and opt->gc are set.  Returns
 *  NULL on error with the message recorded (unsorted input, stale index, CRAM reference
 *  missing or mismatched, truncated file, an autosome of the panel absent ...). */
metcn_covtab_t *metcn_cov_compute(const char *path, const metcn_panel_t *panel,
                                  const metcn_cov_opt_t *opt);

/** metcn_cov_compute() on a file already open: fp is positioned just after its header h (for
 *  CRAM, with its reference already set).  fp is taken over and closed before returning (on
 *  success and on error); h stays the caller's.  path names the file in messages and locates
 *  its index ("-": none).  This is how the sample pipeline (metcn_sample_coverage()) reads
 *  each input once. */
metcn_covtab_t *metcn_cov_compute_hts(samFile *fp, sam_hdr_t *h, const char *path,
                                      const metcn_panel_t *panel, const metcn_cov_opt_t *opt);

/** Read only the header of a SAM/BAM/CRAM file (reference: FASTA for CRAM, or NULL).
 *  Returns NULL with the message recorded ("<path>: cannot open: ...", "<path>: cannot read a
 *  SAM/BAM/CRAM header").  Caller frees with sam_hdr_destroy(). */
sam_hdr_t *metcn_cov_read_header(const char *path, const char *reference);

/** GC fraction of each panel bin from an indexed FASTA (N bases are not counted; a bin with
 *  no A/C/G/T gets NaN).  gc has panel->n_bins entries.  Returns 0 or a negative code. */
int metcn_gc_compute(const metcn_panel_t *panel, const char *fasta, double *gc);

/** The kinds of coverage table metcn reads. */
typedef enum {
    METCN_TABLE_METCN = 0,    /* `metcn coverage` output: '##metcn-coverage' lines, then
                                 '#chrom start end name role length fragments mean_depth ...' */
    METCN_TABLE_CNVKIT = 1,   /* CNVkit .cnn: 'chromosome start end gene [depth] log2 ...' */
    METCN_TABLE_MOSDEPTH = 2, /* mosdepth regions.bed: no header, 'chrom start end [name] mean' */
    METCN_TABLE_GATK = 3,     /* GATK CollectReadCounts TSV: '@' header lines, then 'CONTIG START
                                 END COUNT' (1-based closed; depth = COUNT x 150 / length) */
    METCN_TABLE_PICARD = 4    /* Picard CollectHsMetrics PER_TARGET_COVERAGE: 'chrom start end
                                 length name %gc mean_coverage ...' (1-based closed) */
} metcn_table_t;

/** The kind of coverage table a text begins with (e.g. a file's first block), decided by its
 *  first line that is not a '##' line (nor a GATK '@' header line), as metcn_covtab_read() decides
 * it; -1 for none (or a text that ends before that line). */
int metcn_covtab_sniff(const char *text, size_t len);

/** Read a coverage table written by `metcn coverage` (TSV, plain or bgzipped), a CNVkit
 *  .cnn / .targetcoverage.cnn (with or without a depth column), a mosdepth regions.bed.gz, a
 *  GATK CollectReadCounts TSV or a Picard CollectHsMetrics PER_TARGET_COVERAGE file,
 *  detected from its content (the 1-based intervals of GATK and Picard are converted).  Rows are
 * matched to panel bins by contig (aliases allowed), start and end; a row that matches no bin, or a
 * bin without a row, is an error naming the file and the line.  Returns NULL on error. */
metcn_covtab_t *metcn_covtab_read(const char *path, const metcn_panel_t *panel);

/** metcn_covtab_read() from an open line reader (borrowed), positioned at the table's start. */
metcn_covtab_t *metcn_covtab_read_tsv(metcn_tsv_t *in, const metcn_panel_t *panel);

/** Write the table as `metcn coverage` does: '#' header lines (sample, version, command line,
 *  filters) then chrom start end name role length fragments mean_depth [gc] dropped_*.
 *  Atomic (see metcn_ofile_open()).  cmdline may be NULL. */
int metcn_covtab_write(const metcn_covtab_t *t, const char *path, const metcn_cov_opt_t *opt,
                       const char *cmdline);

#ifdef __cplusplus
}
#endif
#endif
