/* panel.h -- the panel model: panels of bins (no gene), gene views with per-gene roles, BED
 * reader, built-in panels and build tables, contig aliasing.
 *
 * Coordinates: every start/end in this header is 0-based half-open (BED convention). */
#ifndef METCN_PANEL_H
#define METCN_PANEL_H

#include <stddef.h>
#include <stdint.h>

#include <htslib/sam.h>

#include "metcn/metcn.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Role of a bin.  A panel stores only the gene-independent roles (REFERENCE, SEX, OTHER);
 *  TARGET, CONTROL and FLANK exist only in a gene view (metcn_gene_t). */
typedef enum {
    METCN_ROLE_TARGET = 0,    /* gene view: bins of the gene */
    METCN_ROLE_CONTROL = 1,   /* gene view: the gene's chromosome outside the window around the
                                 gene: the chromosome-level control (NGS stand-in for CEP7) */
    METCN_ROLE_FLANK = 2,     /* gene view: the gene's chromosome inside the window but not the
                                 gene: used for amplicon extent only, never for the control */
    METCN_ROLE_REFERENCE = 3, /* autosomes (in a gene view: those other than the gene's) */
    METCN_ROLE_SEX = 4,       /* chrX / chrY: never part of the reference level */
    METCN_ROLE_OTHER = 5      /* mitochondria, unplaced, alt and decoy contigs: not used */
} metcn_role_t;
#define METCN_N_ROLES 6

/** "target", "control", "flank", "reference", "sex", "other". */
const char *metcn_role_name(metcn_role_t role);
/** Inverse of metcn_role_name(); -1 if unknown. */
int metcn_role_parse(const char *s);

typedef struct {
    int32_t contig;    /* index into metcn_panel_t.contigs */
    int64_t start;     /* 0-based */
    int64_t end;       /* exclusive */
    char *name;        /* BED name column, or NULL */
    metcn_role_t role; /* gene-independent: REFERENCE, SEX or OTHER */
    int off_target;    /* 1: an off-target bin (between targets: metcn_panel_off_target(), or a
                          CNVkit "Antitarget" row), normalised apart from the targets */
} metcn_bin_t;

typedef struct {
    char *name;        /* as written in the panel ("chr7" or "7") */
    int64_t length;    /* from the header or the built-in build table; -1 unknown */
    int64_t cen_start; /* centromere (0-based half-open) from the build table when the build
                          is known; -1 unknown */
    int64_t cen_end;
} metcn_contig_t;

/** A panel: bins sorted by contig (karyotypic order: 1..22, X, Y, M, then others by name) and
 *  start, non-overlapping.  It holds no gene: any number of gene views (metcn_panel_gene())
 *  may share it. */
typedef struct {
    metcn_contig_t *contigs;
    int n_contigs;
    metcn_bin_t *bins;
    size_t n_bins;
    char *source;                 /* built-in name ("grch38") or the BED path */
    char build[16];               /* "GRCh38", "GRCh37" or "" when unknown */
    size_t n_role[METCN_N_ROLES]; /* bins per stored role */
} metcn_panel_t;

typedef struct {
    int64_t bin_size;  /* tile size in bp for the built-in genome layouts (default 100,000) */
    int merge;         /* 1: merge overlapping / duplicated BED intervals; 0: reject (default) */
    const char *build; /* "grch38" / "grch37" to force the build of a user BED, or NULL to
                          infer it from chr7's length in the header */
} metcn_panel_opt_t;

void metcn_panel_opt_init(metcn_panel_opt_t *opt);

/* ---- genes: per-gene roles over a gene-independent panel ------------------------------- */
/*
 * A panel is a list of bins; it holds no gene.  A call asks for a gene by name and gets a
 * view whose per-bin roles are derived from the gene's position: its bins are TARGET, the rest
 * of its chromosome CONTROL (outside the window) or FLANK (inside it), other autosomes
 * REFERENCE, chrX/chrY SEX, everything else OTHER.  Any number of views may share one panel. */

/** Options of a gene view (defaults from metcn_gene_opt_init()). */
typedef struct {
    const char *region; /* "chr:start-end" (1-based inclusive) overriding the gene's extent,
                           or NULL (then: bins named after the gene, else the build table) */
    int64_t window;     /* bp either side of the gene whose bins are FLANK, not CONTROL
                           (default 10,000,000) */
} metcn_gene_opt_t;

void metcn_gene_opt_init(metcn_gene_opt_t *opt);

/** One gene on one panel (all coordinates 0-based half-open). */
typedef struct {
    const metcn_panel_t *panel; /* borrowed: the view lives no longer than the panel */
    char *name;                 /* gene symbol ("MET", "ERBB2") */
    int32_t contig;             /* panel contig index of the gene's chromosome */
    int64_t start, end;         /* gene extent */
    int64_t window;             /* window used */
    int64_t cen_start, cen_end; /* centromere of the gene's chromosome; -1 when unknown */
    char arm;                   /* 'p', 'q' or 0: the arm the gene lies on */
    metcn_role_t *role;         /* per panel bin (panel order) */
    char *bin_arm;              /* per panel bin: 'p' / 'q' on the gene's chromosome when the
                                   centromere is known, else 0 */
    size_t n_role[METCN_N_ROLES];
    const char *extent_source; /* where start/end came from (static string): "bins" (bins named
                                  after the gene), "region" (opt->region) or "build" (the
                                  built-in build table; target bins = bins overlapping it) */
} metcn_gene_t;

/** View of gene `name` on panel p.  The gene's extent comes from opt->region, else from the
 *  bins named after it (a name token equal to the gene or starting with the gene followed by
 *  _ . : or -), else from the built-in build table when p->build is known.  opt may be NULL
 *  (defaults).  Errors (NULL + message naming the panel): the gene named on bins of two
 *  contigs, an unknown gene with no region, a region off the panel's contigs.
 *  A gene with no TARGET bin is not an error here (n_role[METCN_ROLE_TARGET] == 0); the
 *  caller decides.  Caller frees with metcn_gene_destroy(). */
metcn_gene_t *metcn_panel_gene(const metcn_panel_t *p, const char *name,
                               const metcn_gene_opt_t *opt);

void metcn_gene_destroy(metcn_gene_t *g);

/* ---- off-target bins ------------------------------------------------------------------------- */

/** Options of metcn_panel_off_target() (defaults from metcn_offtarget_opt_init(), CNVkit's). */
typedef struct {
    int64_t avg_size; /* average off-target bin size, bp (default 150,000) */
    int64_t min_size; /* a region between targets shorter than this gets no bin; 0: avg_size /
                         16 (default 0) */
    int64_t pad;      /* bp kept clear of each target and of each gap (default 500: twice a
                         250 bp insert, so no fragment on a target reaches a bin) */
    int64_t telomere; /* without a FASTA: bp left out at each contig end (default 150,000) */
    int64_t min_gap;  /* with a FASTA: runs of N at least this long are gaps (default 5,000) */
} metcn_offtarget_opt_t;

void metcn_offtarget_opt_init(metcn_offtarget_opt_t *opt);

/** A copy of panel p with off-target bins added between its targets (name "Antitarget",
 *  off_target 1, the role of their contig), as CNVkit's `antitarget` makes them: on each of
 *  p's contigs (not mitochondria, alt or decoy contigs) the accessible sequence (fasta: an
 *  indexed FASTA whose N runs of at least min_gap are gaps; NULL: the contig's length, or its
 *  last target's end, less telomere at each end), shrunk by pad, minus every target widened
 *  by pad; each remaining region of at least min_size is cut into max(1, round(length /
 *  avg_size)) equal bins.  Off-target bins already in p are derived again.  opt may be NULL
 *  (defaults).  NULL + message on error.  Caller frees with metcn_panel_destroy(). */
metcn_panel_t *metcn_panel_off_target(const metcn_panel_t *p, const metcn_offtarget_opt_t *opt,
                                      const char *fasta);

/** Load a panel by built-in name ("grch38", "grch37", "grch38-met", "grch37-met") or by BED
 *  path (plain, gzip or bgzip).  hdr (may be NULL) supplies contig lengths for the tiled
 *  layouts and for checking bins; it is not used for aliasing here (see
 *  metcn_panel_match_header()).  Returns NULL on error with the message recorded, naming the
 *  file, the line and the problem.  Caller frees with metcn_panel_destroy(). */
metcn_panel_t *metcn_panel_load(const char *spec, const metcn_panel_opt_t *opt,
                                const sam_hdr_t *hdr);

void metcn_panel_destroy(metcn_panel_t *p);

/** One interval for metcn_panel_from_intervals() (0-based half-open; strings borrowed). */
typedef struct {
    const char *contig;
    int64_t start, end;
    const char *name; /* or NULL */
    long line;        /* line of its file, for messages (0: none) */
    int off_target;   /* 1: an off-target bin */
} metcn_interval_t;

/** A panel from intervals (e.g. the rows of a CNVkit .cnr), sorted into panel order.
 *  build: "grch38" / "grch37" (contig lengths and centromeres from the build table), or NULL
 *  to recognise it from the bins named after a gene of a build table that lie inside that
 *  gene's extent there (unknown when neither build fits better).  Overlapping or duplicated
 *  intervals are an error (METCN_E_OVERLAP naming source and line).  source is recorded as
 *  the panel's source.  Caller frees with metcn_panel_destroy(). */
metcn_panel_t *metcn_panel_from_intervals(const metcn_interval_t *iv, size_t n, const char *source,
                                          const char *build);

/** Deep copy of a panel; NULL on error.  Caller frees with metcn_panel_destroy(). */
metcn_panel_t *metcn_panel_copy(const metcn_panel_t *p);

/** Names of the built-in panels, NULL-terminated (borrowed), and a one-line description. */
const char *const *metcn_panel_builtin_names(void);
const char *metcn_panel_builtin_description(const char *name);

/** Canonical contig name for aliasing: strips a leading "chr", maps "M" to "MT".  Writes into
 *  buf (size n) and returns buf. */
const char *metcn_contig_canonical(const char *name, char *buf, size_t n);

/** Header tid for a panel contig name, trying the exact name then aliases ("chr7" <-> "7",
 *  "chrM" <-> "MT"); -1 if absent. */
int metcn_contig_tid(const sam_hdr_t *hdr, const char *name);

/** Resolve every panel contig against a BAM/CRAM header.  tids (caller frees) receives one
 *  header tid per panel contig (-1 if absent).  Errors, with the message naming `what` (the
 *  header's file): an autosome of the panel missing from the header (METCN_E_CONTIG: its bins
 *  would silently read nothing), a contig whose header length differs from the panel's known
 *  length (METCN_E_INCOMPATIBLE: another reference build), a bin ending beyond its contig
 *  (METCN_E_RANGE).  Any other missing contig (X, Y, unplaced) is a warning logged with the
 *  number of bins that will not be counted.  The one rule for a header against a panel
 *  (metcn_sample_check() adds the PoN's). */
int metcn_panel_match_header(const metcn_panel_t *p, const sam_hdr_t *hdr, const char *what,
                             int **tids);

/** Whether a panel contig is required in a header (an autosome, by its canonical name). */
int metcn_contig_required(const char *name);

/** The stored (gene-independent) role of a bin on contig `name`: REFERENCE for 1-22, SEX for
 *  X and Y, OTHER for anything else (by canonical name, "chr" prefix or not). */
metcn_role_t metcn_contig_role(const char *name);

/** 64-bit checksum (metcn_hash64()) over (canonical contig, start, end) of every bin, as 16
 *  hex digits in buf.  Roles and names do not enter it; identical for "chr7"- and "7"-style
 *  copies of the same panel. */
const char *metcn_panel_checksum(const metcn_panel_t *p, char buf[17]);

/** Index of the bin with exactly this contig name (aliases allowed), start and end; -1 if
 *  none.  Binary search. */
long metcn_panel_find(const metcn_panel_t *p, const char *contig, int64_t start, int64_t end);

/** Callback for metcn_panel_check(): one problem (severity METCN_LOG_ERROR or
 *  METCN_LOG_WARNING) with its message, which names the file and line. */
typedef void (*metcn_panel_problem_fn)(metcn_log_level_t severity, const char *msg, void *ud);

/** Check a BED file without stopping at the first problem: every malformed line, every
 *  overlap or duplicate (unless opt->merge), and, with a header, every contig the header
 *  lacks (an error for an autosome, a warning otherwise: metcn_contig_required()) and every
 *  bin beyond its contig.  Returns the number of errors found (warnings not counted), or a
 *  negative code if the file cannot be read. */
int metcn_panel_check(const char *path, const metcn_panel_opt_t *opt, const sam_hdr_t *hdr,
                      metcn_panel_problem_fn fn, void *ud);

#ifdef __cplusplus
}
#endif
#endif
