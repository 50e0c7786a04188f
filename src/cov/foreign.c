/* foreign.c -- coverage tables of other tools: GATK CollectReadCounts TSV (a SAM-style '@'
 * header, then CONTIG START END COUNT, 1-based closed; COUNT = reads starting in the
 * interval) and Picard CollectHsMetrics PER_TARGET_COVERAGE (chrom start end length name %gc
 * mean_coverage normalized_coverage ..., 1-based closed, %gc a fraction).  covtab.c dispatches
 * here by the header line; rows are matched to the panel there. */
#include <math.h>
#include <string.h>

#include "cov/foreign.h"
#include "metcn/cov.h"
#include "metcn/util.h"

static int col(char **f, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(f[i], name) == 0)
            return i;
    return -1;
}

int foreign_header_line(const char *line)
{
    return line[0] == '@' && strlen(line) >= 3 && line[1] >= 'A' && line[1] <= 'Z' &&
           line[2] >= 'A' && line[2] <= 'Z';
}

int foreign_classify(char **f, int n, foreign_layout_t *L)
{
    L->c_count = L->c_depth = L->c_gc = -1;
    if (n >= 4 && strcmp(f[0], "CONTIG") == 0 && strcmp(f[1], "START") == 0 &&
        strcmp(f[2], "END") == 0 && (L->c_count = col(f, n, "COUNT")) >= 0) {
        L->kind = METCN_TABLE_GATK;
        return 1;
    }
    if (n >= 7 && strcmp(f[0], "chrom") == 0 && strcmp(f[1], "start") == 0 &&
        strcmp(f[2], "end") == 0 && (L->c_depth = col(f, n, "mean_coverage")) >= 0) {
        L->kind = METCN_TABLE_PICARD;
        L->c_gc = col(f, n, "%gc");
        return 1;
    }
    return 0;
}

int foreign_row(const foreign_layout_t *L, char **f, int64_t *start, int64_t *end, double *depth,
                double *gc, uint64_t *count)
{
    int64_t s, e, c;
    if (metcn_parse_int64(f[1], 1, INT64_MAX / 4, &s) ||
        metcn_parse_int64(f[2], 1, INT64_MAX / 4, &e) || e < s)
        return -1;
    *start = s - 1; /* 1-based closed -> 0-based half-open */
    *end = e;
    *gc = NAN;
    *count = 0;
    if (L->kind == METCN_TABLE_GATK) {
        if (metcn_parse_int64(f[L->c_count], 0, INT64_MAX, &c))
            return -2;
        *count = (uint64_t)c;
        *depth = (double)c * FOREIGN_GATK_READ_LEN / (double)(e - s + 1);
        return 0;
    }
    if (metcn_parse_double(f[L->c_depth], 0, 1e12, depth) || !isfinite(*depth))
        return -2;
    if (L->c_gc >= 0 && (metcn_parse_double(f[L->c_gc], 0, 1, gc) || !isfinite(*gc)))
        return -2;
    return 0;
}
