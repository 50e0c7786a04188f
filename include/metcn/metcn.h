/* metcn.h -- core of libmetcn: version, error codes, last-error message, log hook.
 *
 * Every libmetcn function that can fail returns an int (0 success, negative METCN_E_* code)
 * or NULL, and records a one-line message naming the file and the problem, which
 * metcn_last_error() returns.  The library never prints and never exits: diagnostics go
 * through the log hook. */
#ifndef METCN_METCN_H
#define METCN_METCN_H

#include <stdarg.h>

#ifdef __cplusplus
extern "C" {
#endif

#define METCN_VERSION "0.1.0"

/* X-macro list: name, value, generic description. */
#define METCN_ERRORS(X)                                                                            \
    X(OK, 0, "success")                                                                            \
    X(NOMEM, -1, "out of memory")                                                                  \
    X(IO, -2, "input/output error")                                                                \
    X(FORMAT, -3, "malformed input")                                                               \
    X(RANGE, -4, "value out of range")                                                             \
    X(CONTIG, -5, "contig not found")                                                              \
    X(OVERLAP, -6, "overlapping or duplicated regions")                                            \
    X(NOTARGET, -7, "target gene not in panel")                                                    \
    X(INDEX, -8, "index missing or stale")                                                         \
    X(UNSORTED, -9, "input not coordinate-sorted")                                                 \
    X(REFERENCE, -10, "reference missing or mismatched")                                           \
    X(TRUNCATED, -11, "truncated or corrupt file")                                                 \
    X(INCOMPATIBLE, -12, "incompatible inputs")                                                    \
    X(NUMERIC, -13, "numerical failure")                                                           \
    X(ARG, -14, "invalid argument")                                                                \
    X(TOOFEW, -15, "too few samples or bins")

#define METCN_ERROR_ENUM_(name, value, text) METCN_E_##name = value,
typedef enum { METCN_ERRORS(METCN_ERROR_ENUM_) METCN_E_LAST_ = -16 } metcn_err_t;
#undef METCN_ERROR_ENUM_

/** Generic description of an error code ("malformed input"); never NULL. */
const char *metcn_strerror(int code);

/** Record the last error for this thread: code and a printf-style message that names the file
 *  (and line) and the problem, e.g. "panel.bed:12: start 500 >= end 400".
 *  Returns code, so callers can write `return metcn_set_error(METCN_E_FORMAT, ...)`. */
int metcn_set_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** Last error message recorded on this thread (borrowed; valid until the next error). Falls
 *  back to metcn_strerror() of the last code when no message was given. */
const char *metcn_last_error(void);

/** Last error code recorded on this thread (0 when none). */
int metcn_last_error_code(void);

/** Clear the last error. */
void metcn_clear_error(void);

typedef enum {
    METCN_LOG_ERROR = 0,
    METCN_LOG_WARNING = 1,
    METCN_LOG_INFO = 2,
    METCN_LOG_DEBUG = 3
} metcn_log_level_t;

typedef void (*metcn_log_hook_t)(metcn_log_level_t level, const char *msg, void *userdata);

/** Install a log hook (NULL restores the default, which writes "[metcn] warning: msg" lines
 *  to stderr).  Messages above the current level are dropped before formatting. */
void metcn_log_set_hook(metcn_log_hook_t hook, void *userdata);
/** Set the verbosity (default METCN_LOG_WARNING).  htslib's log level follows it: off below
 *  METCN_LOG_INFO (metcn reports failures itself, naming the file), htslib's warnings and
 *  errors at METCN_LOG_INFO, also its info lines at METCN_LOG_DEBUG. */
void metcn_log_set_level(metcn_log_level_t level);
metcn_log_level_t metcn_log_get_level(void);
/** Log a message through the hook. */
void metcn_log(metcn_log_level_t level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** Library start-up: switches GSL's aborting error handler off. Call once before any other
 *  function (the CLI does). Idempotent. */
void metcn_init(void);

/** Versions of the libraries metcn runs with (borrowed strings). */
const char *metcn_version(void);
const char *metcn_htslib_version(void);
const char *metcn_gsl_version(void);

#ifdef __cplusplus
}
#endif
#endif
