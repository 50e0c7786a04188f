/* util.h -- small shared helpers, one of each: strict number parsing, crash-safe output files and
 * output sets, the TSV line reader, the 64-bit hash and the work queue. */
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
/** A fragment size selection "MIN-MAX" (|TLEN| in [MIN, MAX), 0 <= MIN < MAX <= 1001), or
 *  "0-0" for none.  Returns 0 (both set) or METCN_E_FORMAT (neither set). */
int metcn_parse_size_select(const char *s, int *min, int *max);

/** Parse "chr:start-end" (1-based inclusive, commas allowed in numbers) into a contig name
 *  (caller frees) and a 0-based half-open interval.  Returns 0 or METCN_E_FORMAT. */
int metcn_parse_region(const char *s, char **contig, int64_t *start, int64_t *end);

/* ---- crash-safe outputs (docs/reliability.md) ----------------------------------------------
 *
 * An output file is written under a temporary name beside its final name ("<path>.tmp.<pid>")
 * and renamed when complete, so no half-written file ever carries the final name.  While a file
 * is being written its temporary is listed in a registry that metcn_output_cleanup_on_signals()'s
 * handler walks: an interrupted process leaves no temporary behind.
 *
 * Kinds of output path:
 *   "-"                          standard output, written through;
 *   /dev/..., /proc/..., or an existing device, FIFO or socket
 *                                written through (opened and written in place, never renamed
 *                                over: /dev/null, /dev/stdout, a named pipe);
 *   an existing directory, or a name ending in '/'
 *                                refused ("<path>: is a directory, not an output file");
 *   anything else                temporary + rename (an existing file is replaced; a symbolic
 *                                link is replaced by the new file, not followed).
 * Paths ending ".gz" or ".bgz" are written bgzip-compressed. */
typedef struct metcn_ofile_s metcn_ofile_t;

/** Open path for writing; NULL on error (message recorded). When an output set is open
 *  (metcn_outset_begin()), the file joins it. */
metcn_ofile_t *metcn_ofile_open(const char *path);
/** Check, before a long computation, that path can be written as an output: not a
 *  directory, not a missing name under /dev or /proc, and its directory exists and is
 *  writable.  Returns 0 or a negative code with a message naming path and the reason
 *  ("<path>: cannot write there: No such file or directory").  Nothing is created. */
int metcn_output_check(const char *path);
/** The same for an output prefix (PREFIX.calls.tsv, PREFIX.json, ...): the directory its files
 *  go to exists and is writable ("<prefix>: cannot write there: <reason>").  Each file is
 *  checked again when opened. */
int metcn_output_prefix_check(const char *prefix);
/** printf into the file; returns 0 or METCN_E_IO (sticky: later calls keep failing). */
int metcn_ofile_printf(metcn_ofile_t *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/** Write len bytes. */
int metcn_ofile_write(metcn_ofile_t *f, const void *buf, size_t len);
/** Close and free f (accepts NULL).  commit == 0 discards the file.  commit != 0 keeps it:
 *  outside an output set the temporary is synced and renamed to the final name now; inside a
 *  set the rename waits for metcn_outset_commit().  Returns METCN_E_IO, with a message naming
 *  the file and the system's reason ("No space left on device"), if any write, the close or
 *  the rename failed; then nothing of it is left under either name. */
int metcn_ofile_close(metcn_ofile_t *f, int commit);
/** Final path of the file (borrowed). */
const char *metcn_ofile_path(const metcn_ofile_t *f);

/** A sample name from a path: the file name without its directory and known extensions
 *  (.gz .bgz .tsv .cnn .bed .regions .targetcoverage .coverage .bam .cram .sam), "stdin" for
 *  "-"; control characters (tab, line breaks) become '_', so that the name is safe in table
 *  fields and header lines.  Caller frees; NULL when out of memory. */
char *metcn_path_stem(const char *path);

/** An output set: every file a run writes, committed together or not at all.
 *
 *  metcn_outset_begin() opens the process's set (one at a time; a begin() while one is open
 *  nests: the inner commit() does nothing and the outermost one renames everything, an inner
 *  abort() makes the outermost commit fail).  Files opened with metcn_ofile_open() from any
 *  thread join it; files written by other means (htslib's sam_open, index builders) take
 *  their temporary name from metcn_outset_add().  metcn_outset_commit() syncs every file and
 *  renames them in the order they joined; if a rename fails it removes the files it already
 *  renamed, and the temporaries, and returns the error: a run leaves all of its outputs or
 *  none.  A final name may be written once per set ("<path>: written twice in one run").
 *  Every metcn_ofile_t of the set must be closed before commit or abort. */
typedef struct metcn_outset_s metcn_outset_t;

/** Open (or nest into) the output set; NULL on allocation failure. */
metcn_outset_t *metcn_outset_begin(void);
/** Reserve the temporary for path, a file the caller writes by other means: returns the name
 *  to write (borrowed from the set, valid until commit or abort; an empty file already exists
 *  there), or path itself when path is written through, or NULL on error (a directory, "-",
 *  a name already in the set).  At commit the temporary must exist. */
const char *metcn_outset_add(metcn_outset_t *s, const char *path);
/** Remove path (e.g. a stale index of another kind) when the set commits, after the renames. */
int metcn_outset_remove(metcn_outset_t *s, const char *path);
/** Commit (see above) and free the set; 0 or a negative code with the message recorded. */
int metcn_outset_commit(metcn_outset_t *s);
/** Discard every file of the set and free it (accepts NULL). */
void metcn_outset_abort(metcn_outset_t *s);

/** Install handlers for SIGHUP, SIGINT, SIGTERM and SIGPIPE that remove every temporary the
 *  process has registered (and, during a commit, what that commit already renamed), then end
 *  the process by the same signal with its default action (a shell reports 128 + signal: 130
 *  for SIGINT, 143 for SIGTERM).  Signals that are ignored (nohup, background jobs) stay
 *  ignored.  For programs (the CLI calls it once at start-up); returns 0 or METCN_E_ARG. */
int metcn_output_cleanup_on_signals(void);

/** 1 when s ends with suffix. */
int metcn_ends_with(const char *s, const char *suffix);

/** Split line (modified in place) at delimiter delim into at most max fields; returns the
 *  number of fields.  A trailing '\r' or '\n' is stripped first. */
int metcn_split(char *line, char delim, char **fields, int max);

/** Format a double for text output: "NA" when not finite, else "%.*g" with prec digits. */
const char *metcn_fmt_double(char buf[32], double x, int prec);

/* ---- the 64-bit hash ------------------------------------------------------------------------ */

/** Start value of metcn_hash64(). */
#define METCN_HASH64_INIT 0xcbf29ce484222325ULL

/** 64-bit FNV-1a of n bytes, continuing from h (METCN_HASH64_INIT for a new hash).  Used for
 *  the panel and PoN checksums: it detects accidental change (truncation, edits, copies on
 *  another panel), not a crafted file. */
uint64_t metcn_hash64(uint64_t h, const void *data, size_t n);

/* ---- the TSV line reader -------------------------------------------------------------------- */

/** A line reader over a plain, gzip or bgzip file, standard input ("-") or text in memory.
 *  Lines end at '\n' (a trailing '\r' is dropped); fields are tab-separated. */
typedef struct metcn_tsv_s metcn_tsv_t;
struct BGZF;

/** Open path ("-": standard input).  NULL on error ("<path>: cannot open: ..."). */
metcn_tsv_t *metcn_tsv_open(const char *path);
/** Read from an open BGZF handle (owned from now on: closed by metcn_tsv_close()).  name
 *  names the input in messages (copied). */
metcn_tsv_t *metcn_tsv_bgzf(struct BGZF *fp, const char *name);
/** Read NUL-terminated text in memory (borrowed: it must outlive the reader). */
metcn_tsv_t *metcn_tsv_text(const char *text, const char *name);
/** Next line: 1 read, 0 end of input, < 0 read error (message "<name>: read error or corrupt
 *  compressed data after line N"). */
int metcn_tsv_next(metcn_tsv_t *t);
/** Next line that holds data: blank (white space only) lines and "##" comment lines are
 *  skipped.  1, 0 at the end, or < 0: a read error, or a NUL byte in the line
 *  ("<name>:N: NUL byte in a text line"). */
int metcn_tsv_next_data(metcn_tsv_t *t);
/** The current line read as a header line: a UTF-8 byte-order mark and one leading '#' are
 *  removed in place.  Returns the line (as metcn_tsv_line()). */
char *metcn_tsv_header(metcn_tsv_t *t);
/** The current line without its line end (modifiable until the next metcn_tsv_next()), its
 *  length, and its 1-based number. */
char *metcn_tsv_line(const metcn_tsv_t *t);
size_t metcn_tsv_len(const metcn_tsv_t *t);
long metcn_tsv_lineno(const metcn_tsv_t *t);
/** Split the current line in place at tabs; *fields receives the fields (valid until the next
 *  metcn_tsv_next()).  Returns the number of fields (>= 1), or METCN_E_NOMEM.  More than
 *  METCN_TSV_MAX_FIELDS fields: the rest stays joined in the last one. */
#define METCN_TSV_MAX_FIELDS 65536
int metcn_tsv_split(metcn_tsv_t *t, char ***fields);
/** Whether a field of a table a lab edits means "no value": empty, NA, N/A, na, "." or "-". */
int metcn_tsv_missing(const char *field);
/** Name given at open (borrowed). */
const char *metcn_tsv_name(const metcn_tsv_t *t);
/** Close; accepts NULL. */
void metcn_tsv_close(metcn_tsv_t *t);

/* ---- the work queue ------------------------------------------------------------------------- */

/** One job of metcn_workq_run(): 0 on success, a negative code (with metcn_set_error()) on
 *  failure.  Jobs run concurrently: fn must only write what job i owns. */
typedef int (*metcn_job_fn)(void *ctx, size_t i);

/** Run fn(ctx, i) for every i in [0, n) on up to `threads` threads, the caller's among them
 *  (threads < 1 counts as 1; never more threads than jobs).  Jobs are handed out in order of
 *  i; once one fails no further job starts.  Returns 0, or the code of the lowest-numbered
 *  failed job, whose message is then the caller's metcn_last_error(). */
int metcn_workq_run(size_t n, int threads, metcn_job_fn fn, void *ctx);

#ifdef __cplusplus
}
#endif
#endif
