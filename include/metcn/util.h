/* util.h -- small shared helpers: strict number parsing, atomic output files, TSV fields. */
#ifndef METCN_UTIL_H
#define METCN_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Strict parsing: the whole string must be a number (leading/trailing blanks refused), in
 *  [lo, hi].  Return 0, or METCN_E_FORMAT / METCN_E_RANGE (no error message is recorded: the
 *  caller knows which option or file field it was). */
int metcn_parse_int64(const char *s, int64_t lo, int64_t hi, int64_t *out);
int metcn_parse_int(const char *s, int lo, int hi, int *out);
int metcn_parse_double(const char *s, double lo, double hi, double *out);

/** Parse "chr:start-end" (1-based inclusive, commas allowed in numbers) into a contig name
 *  (caller frees) and a 0-based half-open interval.  Returns 0 or METCN_E_FORMAT. */
int metcn_parse_region(const char *s, char **contig, int64_t *start, int64_t *end);

/** An output file written under a temporary name in the same directory and renamed to its
 *  final name by metcn_ofile_close(f, 1).  Closing with commit 0 (or any write error) removes
 *  the temporary file, so a failed run never leaves a half-written file behind.
 *  Paths ending ".gz" or ".bgz" are written bgzip-compressed; "-" writes to stdout. */
typedef struct metcn_ofile_s metcn_ofile_t;

/** Open path for writing; NULL on error (message recorded). */
metcn_ofile_t *metcn_ofile_open(const char *path);
/** printf into the file; returns 0 or METCN_E_IO (sticky: later calls keep failing). */
int metcn_ofile_printf(metcn_ofile_t *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/** Write len bytes. */
int metcn_ofile_write(metcn_ofile_t *f, const void *buf, size_t len);
/** Close; with commit != 0 rename to the final name (0 on success), else discard.  Accepts
 *  NULL.  Returns METCN_E_IO if any write, the close or the rename failed (then nothing is
 *  left under the final name). */
int metcn_ofile_close(metcn_ofile_t *f, int commit);
/** Final path of the file (borrowed). */
const char *metcn_ofile_path(const metcn_ofile_t *f);

/** 1 when s ends with suffix. */
int metcn_ends_with(const char *s, const char *suffix);

/** Split line (modified in place) at delimiter delim into at most max fields; returns the
 *  number of fields.  A trailing '\r' or '\n' is stripped first. */
int metcn_split(char *line, char delim, char **fields, int max);

/** Format a double for text output: "NA" when not finite, else "%.*g" with prec digits. */
const char *metcn_fmt_double(char buf[32], double x, int prec);

#ifdef __cplusplus
}
#endif
#endif
