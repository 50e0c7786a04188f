/* track.h -- serial monitoring (`metcn track`): a sample sheet (sample, patient, date, calls
 * table) is read, every gene of every sample is put on its patient's time line, and each
 * sample gets an event relative to the patient's earlier samples of the same gene (first,
 * stable, rise, fall, emerged, cleared, below_detection, re-emerged).  Rise and fall are a
 * two-sided z test on the difference of log plasma copy ratios, each standard error taken
 * from the calls table's interval.  Rules, edges and formulas: docs/track.md.
 *
 * Values that are NA in the calls table are NaN below; writers print them as NA / null. */
#ifndef METCN_TRACK_H
#define METCN_TRACK_H

#include <stddef.h>
#include <stdint.h>

#include "metcn/call.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- detection and events ------------------------------------------------------------------ */

/** Detection status of a gene in one sample (calls-table column `detection`): the caller's
 *  metcn_detection_t (include/metcn/call.h), named by metcn_detection_name(). */
/** Inverse of metcn_detection_name() (exact, lower case).  Missing-value words (empty, NA, N/A,
 *  na, ".", "-") give METCN_DETECTION_NA.  Returns 0 or METCN_E_FORMAT (no message recorded). */
int metcn_track_detect_parse(const char *s, metcn_detection_t *out);

/* X(id, name): the events of the `event` column; metcn_track_events() gives the rules. */
#define METCN_TRACK_EVENTS(X)                                                                      \
    X(NA, "NA")                                                                                    \
    X(FIRST, "first")                                                                              \
    X(STABLE, "stable")                                                                            \
    X(RISE, "rise")                                                                                \
    X(FALL, "fall")                                                                                \
    X(EMERGED, "emerged")                                                                          \
    X(CLEARED, "cleared")                                                                          \
    X(BELOW_DETECTION, "below_detection")                                                          \
    X(REEMERGED, "re-emerged")

#define METCN_TRACK_EVENT_ENUM_(id, name) METCN_EVENT_##id,
typedef enum { METCN_TRACK_EVENTS(METCN_TRACK_EVENT_ENUM_) METCN_EVENT_N_ } metcn_event_t;
#undef METCN_TRACK_EVENT_ENUM_

/** Output name of an event ("re-emerged"); "NA" when out of range. */
const char *metcn_track_event_name(int e);

/* ---- options ------------------------------------------------------------------------------- */

typedef struct {
    double alpha;               /* two-sided level of the rise/fall test (default 0.05) */
    double interval_level;      /* confidence level of the calls tables' intervals, used to turn an
                                   interval into a standard error (default 0.95, metcn call's) */
    const char *negative_tiers; /* tissue rows (detection derived): comma-separated tier names
                                   meaning "not detected"; any other tier is detected
                                   (default "negative") */
} metcn_track_opt_t;

void metcn_track_opt_init(metcn_track_opt_t *opt);
/** Check an option set: 0, or METCN_E_ARG with a message naming the option. */
int metcn_track_opt_check(const metcn_track_opt_t *opt);

/* ---- one sample and gene --------------------------------------------------------------------- */

/** An estimate with its interval (NaN when NA). */
typedef struct {
    double est, lo, hi;
} metcn_track_value_t;

/** Where a value came from. */
typedef enum {
    METCN_SRC_NA = 0,       /* not available */
    METCN_SRC_REPORTED = 1, /* the calls table's own column */
    METCN_SRC_DERIVED = 2   /* derived from tissue columns (cn, purity, tier, qc) */
} metcn_track_src_t;
/** "NA", "reported", "derived". */
const char *metcn_track_src_name(int s);

typedef struct {
    /* identity: strings owned by the metcn_track_t (or the caller, for metcn_track_events) */
    const char *patient, *sample, *gene;
    char date[11];        /* YYYY-MM-DD */
    int32_t day;          /* days since 1970-01-01 */
    size_t patient_index; /* into metcn_track_t.patients (set by the pipeline) */
    int64_t sheet_line;
    const char *calls_path; /* the calls table the row came from */
    int64_t calls_line;
    /* values */
    metcn_track_value_t tf;        /* tumour fraction (fraction, not %) */
    const char *tf_source;         /* tumour_fraction_source or purity_source; "NA" */
    metcn_track_value_t plasma_cn; /* copy number of the mixture */
    metcn_track_src_t plasma_cn_src;
    metcn_track_value_t cn;         /* copy number per tumour cell */
    double lod_tf_cn5, lod_tf_cn10; /* tumour fraction needed to detect 5 / 10 copies */
    metcn_detection_t detection;
    metcn_track_src_t detection_src;
    /* the event (metcn_track_events) */
    metcn_event_t event;
    long ref;         /* index, in the same series, of the sample compared with; -1 none */
    double log_ratio; /* rise/fall test: ln(plasma_cn / ref's plasma_cn), NaN when untested */
    double z, p_value;
} metcn_track_point_t;

/** Standard error of ln(v->est) from v's interval at confidence level `level`:
 *  (ln hi - ln lo) / (2 q), q the standard normal quantile at 1 - (1 - level)/2; when lo is
 *  NA or <= 0 the upper half (ln hi - ln est) / q, when hi is NA the lower half.  NaN when
 *  est is NA or <= 0 or no half is usable. */
double metcn_track_log_se(const metcn_track_value_t *v, double level);

/** Compare b (later) with a (earlier): *log_ratio = ln(b/a), *z = log_ratio / sqrt(se_a^2 +
 *  se_b^2), *p = two-sided normal p-value.  All NaN (and return 1) when either estimate or
 *  standard error is unavailable; return 0 when computed. */
int metcn_track_compare(const metcn_track_value_t *a, const metcn_track_value_t *b, double level,
                        double *log_ratio, double *z, double *p);

/** Events of one series: the samples of one patient and one gene, ordered by strictly
 *  increasing day.  Sets event, ref, log_ratio, z, p_value of every point.  Rules
 *  (docs/track.md), for point k, "earlier" meaning earlier points whose detection is known:
 *    detection NA                                  -> NA
 *    no earlier point                              -> first
 *    not_assessable                                -> below_detection
 *    not_detected, latest earlier assessable one detected -> cleared, else stable
 *    detected, latest earlier detected             -> rise / fall (p < alpha) or stable,
 *        compared with the latest point of that run of detected points whose plasma copy
 *        number and interval are known; NA when there is none or this point's are not
 *    detected, detected at some earlier point      -> re-emerged
 *    detected, never before                        -> emerged
 *  Returns 0, or METCN_E_ARG when the days are not strictly increasing (message recorded). */
int metcn_track_events(metcn_track_point_t *series, size_t n, const metcn_track_opt_t *opt);

/** Parse a date "YYYY-MM-DD" (exactly; year 0001-9999, a real calendar day) into days since
 *  1970-01-01.  Returns 0 or METCN_E_FORMAT (no message recorded). */
int metcn_track_date_parse(const char *s, int32_t *day);

/* ---- the pipeline -------------------------------------------------------------------------- */

typedef struct {
    char *name;      /* as in the sheet */
    char *file_name; /* file-safe: [A-Za-z0-9._-] kept, anything else '_' */
    size_t first, n; /* its points: t->points[first .. first+n) */
    size_t n_samples;
} metcn_track_patient_t;

typedef struct {
    metcn_track_opt_t opt;
    char *sheet;
    /* Points ordered by patient (order of first appearance in the sheet), gene (strcmp), then
     * date: each patient-gene series is contiguous (ref indices are absolute). */
    metcn_track_point_t *points;
    size_t n_points;
    /* Output order (patient, date, gene): indices into points. */
    size_t *order;
    metcn_track_patient_t *patients;
    size_t n_patients;
    /* string storage (owned) */
    char **strings;
    size_t n_strings, m_strings;
} metcn_track_t;

/** Read the sheet (TSV with a header; columns sample, patient, date, calls; other columns
 *  ignored; a `calls` path that is relative is taken relative to the sheet's directory),
 *  every calls table it names (each read once), and compute every series' events.  NULL on
 *  error, with a one-line message naming the file (and line) and the problem.  Caller frees
 *  with metcn_track_destroy(). */
metcn_track_t *metcn_track_run(const char *sheet, const metcn_track_opt_t *opt);
void metcn_track_destroy(metcn_track_t *t);

/** Plain-words summary of patient p (one line per gene, e.g. "  MET: detected on 2026-01-05
 *  (plasma CN 3.1 [2.8-3.4], TF 12%); fell on 2026-03-01 ..."), preceded by a line naming
 *  the patient.  Caller frees; NULL on allocation failure. */
char *metcn_track_summary(const metcn_track_t *t, size_t p);

/** Write the output set PREFIX.track.tsv, PREFIX.json and PREFIX.<patient file name>.svg: all
 *  written under temporary names first and renamed only when every one is complete; on any
 *  failure nothing of the set is left under a final name.  cmdline may be NULL.  Returns 0 or
 *  a negative code (message recorded). */
int metcn_track_write(const metcn_track_t *t, const char *prefix, const char *cmdline);

#ifdef __cplusplus
}
#endif
#endif
