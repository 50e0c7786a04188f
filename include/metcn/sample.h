/* sample.h -- one sample's pipeline, the same for every command: open an input (its kind
 * decided from its content, never its name), check it against a panel or a PoN, count or
 * read its per-bin coverage, normalise it for a gene, and keep its properties (sex, noise,
 * depth, purity, ploidy) each with where it came from.
 *
 *     metcn_sample_t *s = metcn_sample_open(path, &cov_opt);       (reads the header once)
 *     metcn_sample_check(s, NULL, pon);                            (contigs, lengths, build)
 *     metcn_sample_coverage(s, metcn_pon_panel(pon));              (s->cov)
 *     metcn_sample_normalize(s, pon, gene, &cnr);                  (cnr: caller's)
 *     metcn_sample_close(s);
 *
 * Each input is opened once: a BAM/CRAM/SAM's header is read at open and its handle is handed
 * to the coverage engine, which reads it to the end.  Coordinates are those of the panel
 * (0-based half-open). */
#ifndef METCN_SAMPLE_H
#define METCN_SAMPLE_H

#include <htslib/sam.h>

#include "metcn/cov.h"
#include "metcn/metcn.h"
#include "metcn/panel.h"
#include "metcn/pon.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Where a property's value came from. */
typedef enum {
    METCN_SOURCE_NONE = 0,      /* not known (value NaN) */
    METCN_SOURCE_ASSUMED = 1,   /* a default, not measured and not given (e.g. purity 1) */
    METCN_SOURCE_GIVEN = 2,     /* given by the user (e.g. --purity) */
    METCN_SOURCE_ESTIMATED = 3, /* measured on this sample's data */
    METCN_SOURCE_PON = 4        /* taken from the panel of normals */
} metcn_source_t;

/** "none", "assumed", "given", "estimated", "pon"; "unknown" for any other value. */
const char *metcn_source_name(int source);

/** A sample property: its value, an interval (lo, hi; NaN when none) and its source. */
typedef struct {
    double value, lo, hi;
    metcn_source_t source;
} metcn_prop_t;

/** What an input is, from its content. */
typedef enum {
    METCN_INPUT_BAM = 0,
    METCN_INPUT_CRAM = 1,
    METCN_INPUT_SAM = 2,
    METCN_INPUT_TABLE = 3,     /* a coverage table: which one in metcn_sample_t.table */
    METCN_INPUT_CNVKIT_CNR = 4 /* CNVkit .cnr: normalised already (no PoN); its rows are its
                                  panel (metcn_sample_panel()) */
} metcn_input_t;

/** "BAM", "CRAM", "SAM", "CNVkit .cnr", or for a table "metcn coverage table", "CNVkit .cnn",
 *  "mosdepth regions", "GATK CollectReadCounts", "Picard HsMetrics per-target" (table: a
 *  metcn_table_t). */
const char *metcn_input_name(int kind, int table);

typedef struct metcn_sample_priv_s metcn_sample_priv_t;

/** One sample.  Fields are read-only for callers, except purity and ploidy, which the caller
 *  sets when they are given (source METCN_SOURCE_GIVEN). */
typedef struct {
    char *path;               /* as given ("-": standard input) */
    char *name;               /* read-group SM (reads), '##sample=' (metcn table), else the file
                                 name without its known extensions ("stdin" for "-") */
    metcn_input_t kind;       /* from the content */
    int table;                /* metcn_table_t when kind is METCN_INPUT_TABLE, else -1 */
    sam_hdr_t *hdr;           /* reads: the header, read once at open (owned); tables: NULL */
    metcn_covtab_t *cov;      /* after metcn_sample_coverage() (owned; cov->sample == name) */
    metcn_prop_t sex;         /* value: a metcn_sex_t; ESTIMATED from chrX by the first
                                 normalisation (NONE without usable chrX bins) */
    metcn_prop_t depth;       /* median raw depth of the autosomal bins (ESTIMATED) */
    metcn_prop_t mapd;        /* noise: MAPD of the gene-neutral normalised log2 (ESTIMATED) */
    metcn_prop_t noise_scale; /* mapd relative to the PoN normals' median MAPD (ESTIMATED) */
    metcn_prop_t purity;      /* tumour-cell fraction: ASSUMED 1 until given */
    metcn_prop_t ploidy;      /* tumour ploidy: ASSUMED 2 until given */
    metcn_sample_priv_t *priv;
} metcn_sample_t;

/** Open one input and decide its kind from its content: BGZF/BAM magic, CRAM magic, a SAM
 *  header (or SAM records), or the first lines of a CNVkit .cnr (header 'chromosome ... weight'
 *  without 'probes'; read whole at open), a metcn coverage table, a CNVkit .cnn, a mosdepth
 *  regions file, a GATK CollectReadCounts TSV or a Picard CollectHsMetrics
 *  PER_TARGET_COVERAGE file (plain, gzip or bgzip).  Reads a BAM/CRAM/SAM's header.  opt (may
 *  be NULL: defaults) is copied; its reference (FASTA for CRAM decoding only, unless opt->gc)
 *  is borrowed and must outlive the sample.  NULL + message ("<path>: ...") on error.
 *  Caller frees with metcn_sample_close(). */
metcn_sample_t *metcn_sample_open(const char *path, const metcn_cov_opt_t *opt);

/** The one compatibility check of an input with a panel or a PoN, used by every command:
 *  for reads, the header against the panel (metcn_panel_match_header(): autosomes present
 *  under their name or an alias, lengths equal, hence the same build) and, with a PoN, every
 *  contig holding bins the PoN uses present; panel NULL means the PoN's panel, and a panel
 *  other than the PoN's must have its bins (metcn_pon_check_panel()).  A table's rows are
 *  checked when it is read (metcn_sample_coverage()).  Returns 0 or a negative code with a
 *  message naming the input. */
int metcn_sample_check(const metcn_sample_t *s, const metcn_panel_t *panel, const metcn_pon_t *pon);

/** The panel of an input that brings its own (a CNVkit .cnr: its rows, "Antitarget" rows
 *  flagged off_target, the build recognised as metcn_panel_from_intervals() does); NULL for
 *  any other input (borrowed: lives as long as the sample).  Gene views for such a sample
 *  are made on this panel. */
const metcn_panel_t *metcn_sample_panel(const metcn_sample_t *s);

/** The sample's per-bin coverage on panel (borrowed: must outlive the sample) into s->cov:
 *  counted from the reads (after metcn_sample_check(s, panel, NULL)) or read from the table.
 *  A second call with the same panel does nothing; with another panel it is an error for
 *  reads (their records have been read).  Returns 0 or a negative code. */
int metcn_sample_coverage(metcn_sample_t *s, const metcn_panel_t *panel);

/** The sample normalised against pon for gene (a view of the PoN's panel; NULL: no gene, all
 *  autosomes), with metcn_pon_normalize().  A CNVkit .cnr takes pon NULL (a PoN is an error)
 *  and gene a view of metcn_sample_panel(): its log2 as CNVkit normalised it, per-bin SD
 *  s sqrt(1 - weight) with s from the sample's scatter (docs/pon.md; cnr->normaliser
 *  "cnvkit").  Computes the coverage first if needed.  The first
 *  call also estimates the sample's sex, depth, mapd and noise_scale from a gene-neutral
 *  normalisation.  *out is the caller's (metcn_cnr_destroy()).  Returns 0 or a negative
 *  code. */
int metcn_sample_normalize(metcn_sample_t *s, const metcn_pon_t *pon, const metcn_gene_t *gene,
                           metcn_cnr_t **out);

/** Close; accepts NULL. */
void metcn_sample_close(metcn_sample_t *s);

#ifdef __cplusplus
}
#endif
#endif
