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
    METCN_DROP_FRAGLEN, /* outside the size selection (metcn_cov_opt_t.size_min/size_max) */
    METCN_N_DROP
} metcn_drop_t;

/** Column name of a drop reason ("dropped_mapq", ...). */
const char *metcn_drop_name(metcn_drop_t d);

/** Longest fragment (|TLEN|, bp) counted at its midpoint and classed by length; longer ones
 *  count at their read's midpoint and in no length class. */
#define METCN_COV_MAX_FRAGMENT 1000
/** Most fragment-length class edges (classes = edges + 1). */
#define METCN_MAX_FRAG_EDGES 15

/** Duplicate handling (metcn_cov_opt_t.dedup). */
typedef enum {
    METCN_DEDUP_FLAG = 0, /* drop reads flagged 0x400 (with the default -F) */
    METCN_DEDUP_COORD = 1 /* also keep one fragment per (contig, leftmost position, other mate's
                             position, |TLEN|, the two strands): for data without duplicate
                             flags (docs/coverage.md) */
} metcn_dedup_t;

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
    /* Allele counts in the same pass (docs/coverage.md, "Allele counts"). */
    const char *snps;    /* VCF/BCF of biallelic SNVs, or NULL: no allele counting */
    const char *somatic; /* VCF/BCF of the patient's somatic SNVs, counted with the sites (its
                            REF/ALT fraction gives the tumour fraction), or NULL */
    int64_t snp_flank;   /* sites within this many bp of a bin are counted (default 150) */
    int min_baseq;       /* bases below this quality are not counted at a site (default 20) */
    /* Fragment lengths (|TLEN| of proper pairs, bp). */
    int frag_edges[METCN_MAX_FRAG_EDGES]; /* class edges, increasing, in (0, 1000]: classes
                                             [0,e1) [e1,e2) ... [ek,1001) (default 90,150,220) */
    int n_frag_edges;
    int size_min, size_max; /* size selection: count only reads of proper pairs with
                               size_min <= |TLEN| < size_max; both 0 (default) = off */
    metcn_dedup_t dedup;    /* default METCN_DEDUP_FLAG */
} metcn_cov_opt_t;

void metcn_cov_opt_init(metcn_cov_opt_t *opt);

/** Parse a comma-separated list of class edges ("90,150,220") into opt (increasing integers
 *  in [1, 1000], at most METCN_MAX_FRAG_EDGES).  0 or METCN_E_ARG (no message recorded). */
int metcn_cov_parse_frag_edges(const char *s, metcn_cov_opt_t *opt);

/* ---- SNP sites and allele counts -------------------------------------------------------- */

/** Biallelic SNV sites on a panel's contigs, in panel order (contig index, then position),
 *  with their allele counts once counted.  A site is counted at most once per fragment. */
typedef struct {
    size_t n;
    int32_t *contig;       /* index into panel->contigs */
    int64_t *pos;          /* 0-based position */
    char *ref, *alt;       /* 'A', 'C', 'G' or 'T' */
    uint32_t *ref_count;   /* bases equal to ref (quality >= min_baseq), one per fragment */
    uint32_t *alt_count;   /* ... equal to alt */
    uint32_t *other_count; /* ... any other A/C/G/T (N is not counted) */
    char *source;          /* the site list (VCF path, or the allele table read back) */
    int64_t flank;         /* sites kept within this many bp of a bin */
    int min_baseq;         /* base quality threshold the counts used (-1: not counted) */
    size_t n_skipped;      /* VCF records left out: not a biallelic SNV, or a repeated position */
} metcn_sites_t;

/** Load the biallelic SNVs of a VCF/BCF (plain, bgzipped or BCF; detected from its content)
 *  that lie within flank bp of a bin of panel (contig names matched with aliases), counts 0.
 *  Records that are not biallelic SNVs with A/C/G/T alleles are skipped and counted in
 *  n_skipped, as are all records of a position given twice.  A file that is not a VCF/BCF, or
 *  a malformed record, is an error naming the file (and the record).  Caller frees with
 *  metcn_sites_destroy(). */
metcn_sites_t *metcn_sites_load(const char *path, const metcn_panel_t *panel, int64_t flank);

/** The sites of two lists together (path2 may be NULL; either may be NULL, not both): the
 *  germline sites and the patient's somatic variants (--somatic), counted in one pass.  A
 *  position in both is left out, as a position given twice in one list is.  source names
 *  both, comma-separated. */
metcn_sites_t *metcn_sites_load_with(const char *path, const char *path2,
                                     const metcn_panel_t *panel, int64_t flank);
void metcn_sites_destroy(metcn_sites_t *s);

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
    /* Fragment-length classes (0 classes when the source has none). */
    int n_frag_class;                        /* number of classes */
    int frag_edge[METCN_MAX_FRAG_EDGES + 2]; /* class k holds fragments with
                                                frag_edge[k] <= |TLEN| < frag_edge[k+1];
                                                frag_edge[0] = 0, the last = 1001 */
    uint64_t *frag_class;                    /* n * n_frag_class, row-major: fragments of
                                                proper pairs per bin and class */
    int size_min, size_max;                  /* size selection applied, 0 0 when none */
    int dedup;                               /* metcn_dedup_t used (METCN_DEDUP_FLAG for
                                                tables that do not say) */
    metcn_sites_t *sites;                    /* allele counts, or NULL; owned */
} metcn_covtab_t;

/** Allocate an empty table for a panel (all zero, gc NaN).  Caller frees with
 *  metcn_covtab_destroy(). */
metcn_covtab_t *metcn_covtab_new(const metcn_panel_t *panel);
void metcn_covtab_destroy(metcn_covtab_t *t);

/** Count coverage of one BAM/CRAM (path or "-") over the panel's bins.  With an index, only
 *  the records overlapping the bins (and the sites) are read (multi-region iterator); without
 *  one, the file is streamed once.  GC per bin is filled when opt->reference and opt->gc are
 *  set; fragment classes always (opt->frag_edges); with opt->snps, t->sites holds the allele
 *  counts, from the same pass.  Returns NULL on error with the message recorded (unsorted
 *  input, stale index, CRAM reference missing or mismatched, truncated file, an autosome of the
 *  panel absent, a bad site list ...).  Caller frees with metcn_covtab_destroy(). */
metcn_covtab_t *metcn_cov_compute(const char *path, const metcn_panel_t *panel,
                                  const metcn_cov_opt_t *opt);

/** metcn_cov_compute() on a file already open: fp is positioned just after its header h (for
 *  CRAM, with its reference already set).  fp is taken over and closed before returning (on
 *  success and on error); h stays the caller's.  path names the file in messages and locates
 *  its index ("-": none).  This is how the sample pipeline (metcn_sample_coverage()) reads
 *  each input once. */
metcn_covtab_t *metcn_cov_compute_hts(samFile *fp, sam_hdr_t *h, const char *path,
                                      const metcn_panel_t *panel, const metcn_cov_opt_t *opt);

/** Fragments of bin row whose length lies in [lo, hi), from the table's classes: lo and hi
 *  must be class edges (0 and 1001 allowed).  Returns the count, or -1 when the table has no
 *  classes or lo / hi is not an edge. */
int64_t metcn_covtab_frags_between(const metcn_covtab_t *t, size_t row, int lo, int hi);

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
 *  matched to panel bins by contig (aliases allowed), start and end; a row that matches no bin, or
 *  a bin without a row, is an error naming the file and the line.  A metcn table's
 *  fragment-length classes are read back, and so are its allele counts: a table whose header
 *  names an allele table (`##alleles=`) needs that file beside it.  Returns NULL on error. */
metcn_covtab_t *metcn_covtab_read(const char *path, const metcn_panel_t *panel);

/** metcn_covtab_read() from an open line reader (borrowed), positioned at the table's start. */
metcn_covtab_t *metcn_covtab_read_tsv(metcn_tsv_t *in, const metcn_panel_t *panel);

/** Write the table as `metcn coverage` does: '#' header lines (sample, version, command line,
 *  filters) then chrom start end name role length fragments mean_depth [gc] dropped_*
 *  [frag_<lo>_<hi> per class].  With allele counts, they go to the companion allele table
 *  (metcn_covtab_alleles_path()), named in the header.  Atomic (see metcn_ofile_open()): when
 *  either file cannot be written, neither is left.  cmdline may be NULL. */
int metcn_covtab_write(const metcn_covtab_t *t, const char *path, const metcn_cov_opt_t *opt,
                       const char *cmdline);

/** Path of the allele table beside a coverage table: OUT.tsv -> OUT.alleles.tsv,
 *  OUT.tsv.gz -> OUT.alleles.tsv.gz, anything else -> NAME.alleles.tsv.  Caller frees. */
char *metcn_covtab_alleles_path(const char *table_path);

/** Write an allele table (docs/coverage.md, "Allele table"); atomic.  sample may be NULL. */
int metcn_sites_write(const metcn_sites_t *s, const metcn_panel_t *panel, const char *sample,
                      const char *path);

/** Read an allele table written by metcn_sites_write() for panel.  Sites must lie on the
 *  panel's contigs, in panel order.  Returns NULL on error (message names file and line). */
metcn_sites_t *metcn_sites_read(const char *path, const metcn_panel_t *panel);

#ifdef __cplusplus
}
#endif
#endif
