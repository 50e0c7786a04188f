/* foreign.h -- coverage tables of other tools read by covtab.c: GATK CollectReadCounts (TSV)
 * and Picard CollectHsMetrics PER_TARGET_COVERAGE.  Both write 1-based closed intervals;
 * foreign_row() returns them 0-based half-open, as the panel's bins are. */
#ifndef METCN_COV_FOREIGN_H
#define METCN_COV_FOREIGN_H

#include <stdint.h>

/* Where a foreign table's values are. */
typedef struct {
    int kind;    /* METCN_TABLE_GATK or METCN_TABLE_PICARD */
    int c_count; /* GATK COUNT */
    int c_depth; /* Picard mean_coverage */
    int c_gc;    /* Picard %gc; -1 none */
} foreign_layout_t;

/* Reads of this length are assumed to turn a GATK count into a mean depth (docs/coverage.md):
 * only the depth QC rule sees the scale; normalisation divides it out. */
#define FOREIGN_GATK_READ_LEN 150.0

/* Whether a line starting with '@' is a header line of a GATK table (its SAM-style header). */
int foreign_header_line(const char *line);

/* The layout of a header line (its n fields f): 1 GATK or Picard, 0 neither. */
int foreign_classify(char **f, int n, foreign_layout_t *L);

/* One row: its interval (0-based half-open), depth, gc (NaN when none) and fragment count
 * (GATK; 0 otherwise).  0, or -1 for a bad start/end, -2 a bad value: the caller names it. */
int foreign_row(const foreign_layout_t *L, char **f, int64_t *start, int64_t *end, double *depth,
                double *gc, uint64_t *count);

#endif
