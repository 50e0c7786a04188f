/* panel_internal.h -- what panel.c (panels), bed.c (BED reading) and gene.c (gene views)
 * share: raw intervals, contig ordering, the built-in build tables.
 * Coordinates are 0-based half-open. */
#ifndef METCN_PANEL_INTERNAL_H
#define METCN_PANEL_INTERNAL_H

#include "metcn/panel.h"
#include "metcn/util.h"

/* One BED interval before the panel is assembled. */
typedef struct {
    char *contig;
    int64_t start, end;
    char *name;
    long line;      /* line in its file (0: generated) */
    int off_target; /* 1: an off-target bin */
} rawbin_t;

typedef struct {
    rawbin_t *a;
    size_t n, m;
} rawvec_t;

int rawvec_push(rawvec_t *v, const char *contig, int64_t start, int64_t end, const char *name,
                long line);
void rawvec_free(rawvec_t *v);

/* Read every BED line of t into v.  Without fn, stops at the first bad line (returns its
 * code, message set); with fn, reports each bad line through it and goes on (returns the
 * number of bad lines).  A read error is always returned (< 0). */
int bed_read(metcn_tsv_t *t, rawvec_t *v, metcn_panel_problem_fn fn, void *ud);

/* Sort v (karyotypic contig order, start, end, line), then merge overlaps (merge), or reject
 * them: without fn the first is an error (METCN_E_OVERLAP), with fn each is reported and
 * counted (the count is returned). */
int bed_sort_check(rawvec_t *v, int merge, const char *what, metcn_panel_problem_fn fn, void *ud);

/* Karyotypic rank of a contig name: 1..22, X=23, Y=24, MT=25, others 100. */
int contig_rank(const char *name);
int same_contig(const char *a, const char *b);
/* Panel contig index of name: the exact name, else an alias; -1 if none. */
int panel_contig_index(const metcn_panel_t *p, const char *name);
int contig_cmp(const char *a, const char *b);

/* Built-in files (panels/<key>/...), NULL when absent. */
const char *builtin_file(const char *rel);
/* "grch38" / "grch37" for a build name ("GRCh38", "hg38", "grch37", "hg19"), else NULL. */
const char *build_key(const char *build);
/* A row of panels/<key>/build.tsv whose first field is tag and, when sel is given, whose
 * second field names the contig sel (aliases allowed) or equals sel.  Copies the line into
 * line (size linesz) and splits it into f (up to max fields); returns the field count, or -1
 * when there is no such row. */
int build_lookup(const char *key, const char *tag, const char *sel, char *line, size_t linesz,
                 char **f, int max);
int64_t build_contig_length(const char *key, const char *contig);
/* The panel of sorted, non-overlapping raw bins v (names taken over) with the source, build,
 * contig lengths and centromeres of panel `like` (contigs it lacks: from the build table). */
metcn_panel_t *panel_assemble_like(rawvec_t *v, const metcn_panel_t *like);

#endif
