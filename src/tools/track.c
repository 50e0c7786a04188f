/* track.c -- `metcn track`: read the sample sheet and the calls tables it names, put every
 * gene of every sample on its patient's time line and name each sample's event relative to
 * the patient's earlier samples of the same gene.  Writers: track_write.c.  Rules, test and
 * edges: docs/track.md. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gsl/gsl_cdf.h>
#include <htslib/khash.h>
#include <htslib/kstring.h>

#include "metcn/metcn.h"
#include "metcn/track.h"
#include "metcn/util.h"

KHASH_MAP_INIT_STR(tidx, size_t)

/* ---- names ------------------------------------------------------------------------------- */

int metcn_track_detect_parse(const char *s, metcn_detection_t *out)
{
    if (metcn_tsv_missing(s)) {
        *out = METCN_DETECTION_NA;
        return 0;
    }
    for (int d = 0; d <= METCN_DETECTION_NOT_ASSESSABLE; d++)
        if (strcmp(s, metcn_detection_name(d)) == 0) {
            *out = (metcn_detection_t)d;
            return 0;
        }
    return METCN_E_FORMAT;
}

#define EVENT_NAME_(id, name) name,
static const char *const event_names[] = {METCN_TRACK_EVENTS(EVENT_NAME_)};
#undef EVENT_NAME_

const char *metcn_track_event_name(int e)
{
    return e >= 0 && e < METCN_EVENT_N_ ? event_names[e] : "NA";
}

const char *metcn_track_src_name(int s)
{
    return s == METCN_SRC_REPORTED ? "reported" : s == METCN_SRC_DERIVED ? "derived" : "NA";
}

void metcn_track_opt_init(metcn_track_opt_t *opt)
{
    opt->alpha = 0.05;
    opt->interval_level = 0.95;
    opt->negative_tiers = "negative";
}

int metcn_track_opt_check(const metcn_track_opt_t *opt)
{
    if (!(opt->alpha > 0 && opt->alpha < 1))
        return metcn_set_error(METCN_E_ARG, "alpha %g is not in (0, 1)", opt->alpha);
    if (!(opt->interval_level > 0 && opt->interval_level < 1))
        return metcn_set_error(METCN_E_ARG, "interval level %g is not in (0, 1)",
                               opt->interval_level);
    if (!opt->negative_tiers || !*opt->negative_tiers)
        return metcn_set_error(METCN_E_ARG, "no tier names meaning 'not detected'");
    return 0;
}

/* Room for one more element in a growing array (*a of *m elements, n used): doubles the
 * capacity from `first`.  0, or METCN_E_NOMEM with a message. */
static int grow(void **a, size_t *m, size_t n, size_t size, size_t first)
{
    if (n < *m)
        return 0;
    size_t nm = *m ? *m * 2 : first;
    void *na = realloc(*a, nm * size);
    if (!na)
        return metcn_set_error(METCN_E_NOMEM, "out of memory");
    *a = na;
    *m = nm;
    return 0;
}

/* ---- dates ------------------------------------------------------------------------------- */

static int days_in_month(int y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return dm[m - 1] + (m == 2 && leap);
}

int metcn_track_date_parse(const char *s, int32_t *day)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return METCN_E_FORMAT;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            return METCN_E_FORMAT;
    int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8); /* digits checked above */
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return METCN_E_FORMAT;
    /* Day count of the proleptic Gregorian calendar (Hinnant's days-from-civil): years start
     * in March so the leap day is the last day of the counted year. */
    int yy = y - (m <= 2);
    int era = yy / 400; /* yy >= 0 here */
    int yoe = yy - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    *day = (int32_t)(era * 146097 + doe - 719468);
    return 0;
}

/* ---- the rise/fall test ------------------------------------------------------------------ */

double metcn_track_log_se(const metcn_track_value_t *v, double level)
{
    if (!(v->est > 0) || !isfinite(v->est) || !(level > 0 && level < 1))
        return NAN;
    double q = gsl_cdf_ugaussian_Pinv(1 - (1 - level) / 2);
    int lo_ok = isfinite(v->lo) && v->lo > 0, hi_ok = isfinite(v->hi) && v->hi > 0;
    if (lo_ok && hi_ok && v->hi > v->lo)
        return (log(v->hi) - log(v->lo)) / (2 * q);
    /* an interval floored at 0 says nothing below: use the upper half */
    if (hi_ok && v->hi > v->est)
        return (log(v->hi) - log(v->est)) / q;
    if (lo_ok && v->lo < v->est)
        return (log(v->est) - log(v->lo)) / q;
    return NAN;
}

int metcn_track_compare(const metcn_track_value_t *a, const metcn_track_value_t *b, double level,
                        double *log_ratio, double *z, double *p)
{
    *log_ratio = *z = *p = NAN;
    double sa = metcn_track_log_se(a, level), sb = metcn_track_log_se(b, level);
    if (!isfinite(sa) || !isfinite(sb))
        return 1;
    *log_ratio = log(b->est) - log(a->est);
    *z = *log_ratio / sqrt(sa * sa + sb * sb);
    *p = 2 * gsl_cdf_ugaussian_Q(fabs(*z));
    return 0;
}

/* ---- events ------------------------------------------------------------------------------ */

/* Event of a detected point whose latest earlier known point was detected too: the test
 * against ref, the latest point of this detected run whose plasma copy number can be tested
 * (-1 when none: NA). */
static void detected_again(metcn_track_point_t *s, long k, long ref, const metcn_track_opt_t *opt)
{
    metcn_track_point_t *p = &s[k];
    p->event = METCN_EVENT_NA;
    if (ref < 0)
        return;
    p->ref = ref;
    if (metcn_track_compare(&s[ref].plasma_cn, &p->plasma_cn, opt->interval_level, &p->log_ratio,
                            &p->z, &p->p_value) != 0)
        return;
    if (p->p_value < opt->alpha)
        p->event = p->log_ratio > 0 ? METCN_EVENT_RISE : METCN_EVENT_FALL;
    else
        p->event = METCN_EVENT_STABLE;
}

int metcn_track_events(metcn_track_point_t *s, size_t n, const metcn_track_opt_t *opt)
{
    for (size_t k = 1; k < n; k++)
        if (s[k].day <= s[k - 1].day)
            return metcn_set_error(METCN_E_ARG, "series of %s %s: %s (%s) is not after %s (%s)",
                                   s[k].patient ? s[k].patient : "?", s[k].gene ? s[k].gene : "?",
                                   s[k].sample ? s[k].sample : "?", s[k].date,
                                   s[k - 1].sample ? s[k - 1].sample : "?", s[k - 1].date);
    /* latest earlier point with a known detection, that was assessable, that was detected,
     * and the latest testable point of the current run of detected points */
    long last_known = -1, last_assessable = -1, last_detected = -1, run_testable = -1;
    for (size_t k = 0; k < n; k++) {
        metcn_track_point_t *p = &s[k];
        p->ref = -1;
        p->log_ratio = p->z = p->p_value = NAN;
        switch (p->detection) {
        case METCN_DETECTION_NOT_ASSESSABLE:
            p->event = last_known < 0 ? METCN_EVENT_FIRST : METCN_EVENT_BELOW_DETECTION;
            p->ref = last_known;
            break;
        case METCN_DETECTION_NOT_DETECTED:
            if (last_known < 0) {
                p->event = METCN_EVENT_FIRST;
            } else if (last_assessable >= 0 &&
                       s[last_assessable].detection == METCN_DETECTION_DETECTED) {
                p->event = METCN_EVENT_CLEARED;
                p->ref = last_assessable;
            } else {
                p->event = METCN_EVENT_STABLE;
                p->ref = last_known;
            }
            break;
        case METCN_DETECTION_DETECTED:
            if (last_known < 0) {
                p->event = METCN_EVENT_FIRST;
            } else if (s[last_known].detection == METCN_DETECTION_DETECTED) {
                detected_again(s, (long)k, run_testable, opt);
            } else {
                p->event = last_detected >= 0 ? METCN_EVENT_REEMERGED : METCN_EVENT_EMERGED;
                p->ref = last_known;
            }
            break;
        default:
            p->event = METCN_EVENT_NA;
            continue; /* says nothing: not a reference for later points */
        }
        last_known = (long)k;
        if (p->detection != METCN_DETECTION_NOT_ASSESSABLE)
            last_assessable = (long)k;
        if (p->detection != METCN_DETECTION_DETECTED)
            run_testable = -1;
        else if (isfinite(metcn_track_log_se(&p->plasma_cn, opt->interval_level)))
            run_testable = (long)k;
        if (p->detection == METCN_DETECTION_DETECTED)
            last_detected = (long)k;
    }
    return 0;
}

/* ---- reading tables (lines from the one reader, metcn_tsv_*) ------------------------------ */

typedef struct {
    const char *path;
    metcn_tsv_t *in;
    int64_t lineno;
    char **hdr; /* owned copies of the header fields */
    int nh;
    char **f; /* fields of the current line (the reader's, valid until the next line) */
    int nf;
} tsv_t;

static void tsv_close(tsv_t *t)
{
    metcn_tsv_close(t->in);
    for (int i = 0; i < t->nh; i++)
        free(t->hdr[i]);
    free(t->hdr);
    memset(t, 0, sizeof *t);
}

/* Split the current line at tabs into t->f. */
static int tsv_split(tsv_t *t)
{
    int n = metcn_tsv_split(t->in, &t->f);
    if (n < 0)
        return n;
    t->nf = n;
    return 0;
}

/* Next line that is not blank and not a "##" comment: 1, 0 at the end, or a negative code. */
static int tsv_getline(tsv_t *t)
{
    int r = metcn_tsv_next_data(t->in);
    t->lineno = metcn_tsv_lineno(t->in);
    return r;
}

static int tsv_open(tsv_t *t, const char *path)
{
    memset(t, 0, sizeof *t);
    t->path = path;
    if (!(t->in = metcn_tsv_open(path)))
        return metcn_last_error_code();
    int r = tsv_getline(t);
    if (r < 0)
        return r;
    if (r == 0)
        return metcn_set_error(METCN_E_FORMAT, "%s: empty file (no header line)", path);
    metcn_tsv_header(t->in);
    if ((r = tsv_split(t)) != 0)
        return r;
    if (!(t->hdr = calloc((size_t)t->nf, sizeof *t->hdr)))
        return metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
    for (t->nh = 0; t->nh < t->nf; t->nh++)
        if (!(t->hdr[t->nh] = strdup(t->f[t->nh])))
            return metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
    return 0;
}

/* Next data row: 1, 0 at the end, or a negative code. */
static int tsv_next(tsv_t *t)
{
    int r = tsv_getline(t);
    if (r <= 0)
        return r;
    if ((r = tsv_split(t)) != 0)
        return r;
    if (t->nf != t->nh)
        return metcn_set_error(METCN_E_FORMAT, "%s:%lld: %d fields where the header has %d",
                               t->path, (long long)t->lineno, t->nf, t->nh);
    return 1;
}

static int tsv_col(const tsv_t *t, const char *name)
{
    for (int i = 0; i < t->nh; i++)
        if (strcmp(t->hdr[i], name) == 0)
            return i;
    return -1;
}

/* Column index of a required column, or an error naming the file and the column. */
static int tsv_need(const tsv_t *t, const char *name, int *col)
{
    if ((*col = tsv_col(t, name)) >= 0)
        return 0;
    if (t->nh == 1 && strchr(t->hdr[0], ','))
        return metcn_set_error(
            METCN_E_FORMAT, "%s: no column '%s' (the header is not tab-separated)", t->path, name);
    return metcn_set_error(METCN_E_FORMAT, "%s: no column '%s'", t->path, name);
}

/* ---- building the result ----------------------------------------------------------------- */

typedef struct {
    const char *sample, *patient, *calls; /* interned */
    char date[11];
    int32_t day;
    int64_t line;
    size_t patient_idx;
    size_t n_points;
} sheet_row_t;

typedef struct {
    metcn_track_t *t;
    sheet_row_t *rows;
    size_t n_rows, m_rows;
    khash_t(tidx) * by_sample;  /* sample -> row */
    khash_t(tidx) * by_patient; /* patient -> patient index */
    size_t m_points, m_patients;
    char **neg; /* negative tier names (split copy of opt->negative_tiers) */
    int n_neg;
    char *neg_buf;
} builder_t;

/* Keep a copy of s in t; NULL on allocation failure (message recorded). */
static const char *intern(metcn_track_t *t, const char *s)
{
    void *a = t->strings;
    int r = grow(&a, &t->m_strings, t->n_strings, sizeof *t->strings, 64);
    t->strings = a;
    char *c = r ? NULL : strdup(s);
    if (!c) {
        metcn_set_error(METCN_E_NOMEM, "out of memory");
        return NULL;
    }
    t->strings[t->n_strings++] = c;
    return c;
}

/* The calls path of a sheet row: relative paths are relative to the sheet's directory. */
static const char *resolve_path(metcn_track_t *t, const char *calls)
{
    const char *slash = strrchr(t->sheet, '/');
    if (calls[0] == '/' || !slash)
        return intern(t, calls);
    kstring_t k = KS_INITIALIZE;
    kputsn(t->sheet, (size_t)(slash - t->sheet) + 1, &k);
    kputs(calls, &k);
    const char *r = k.s ? intern(t, k.s) : NULL;
    free(k.s);
    if (!r)
        metcn_set_error(METCN_E_NOMEM, "out of memory");
    return r;
}

static int add_patient(builder_t *b, const char *name, size_t *idx)
{
    metcn_track_t *t = b->t;
    khiter_t k = kh_get(tidx, b->by_patient, name);
    if (k != kh_end(b->by_patient)) {
        *idx = kh_val(b->by_patient, k);
        return 0;
    }
    void *a = t->patients;
    int r = grow(&a, &b->m_patients, t->n_patients, sizeof *t->patients, 16);
    t->patients = a;
    if (r)
        return r;
    metcn_track_patient_t *p = &t->patients[t->n_patients++]; /* counted: destroy frees it */
    memset(p, 0, sizeof *p);
    if (!(p->name = strdup(name)) || !(p->file_name = strdup(name)))
        return metcn_set_error(METCN_E_NOMEM, "out of memory");
    for (char *c = p->file_name; *c; c++)
        if (!isalnum((unsigned char)*c) && *c != '.' && *c != '_' && *c != '-')
            *c = '_';
    int ret;
    k = kh_put(tidx, b->by_patient, p->name, &ret);
    if (ret < 0)
        return metcn_set_error(METCN_E_NOMEM, "out of memory");
    kh_val(b->by_patient, k) = t->n_patients - 1;
    *idx = t->n_patients - 1;
    return 0;
}

/* One sheet row: fields checked, sample unique, patient registered. */
static int sheet_row(builder_t *b, const tsv_t *tab, const int col[4])
{
    const char *sample = tab->f[col[0]], *patient = tab->f[col[1]], *date = tab->f[col[2]],
               *calls = tab->f[col[3]];
    static const char *const names[4] = {"sample", "patient", "date", "calls"};
    for (int i = 0; i < 4; i++)
        if (metcn_tsv_missing(tab->f[col[i]]))
            return metcn_set_error(METCN_E_FORMAT, "%s:%lld: column '%s' is empty or NA", tab->path,
                                   (long long)tab->lineno, names[i]);
    void *a = b->rows;
    int e = grow(&a, &b->m_rows, b->n_rows, sizeof *b->rows, 32);
    b->rows = a;
    if (e)
        return e;
    sheet_row_t *r = &b->rows[b->n_rows];
    memset(r, 0, sizeof *r);
    r->line = tab->lineno;
    if (metcn_track_date_parse(date, &r->day) != 0)
        return metcn_set_error(METCN_E_FORMAT,
                               "%s:%lld: date '%s' is not a valid YYYY-MM-DD calendar date",
                               tab->path, (long long)tab->lineno, date);
    memcpy(r->date, date, 11);
    khiter_t k = kh_get(tidx, b->by_sample, sample);
    if (k != kh_end(b->by_sample))
        return metcn_set_error(
            METCN_E_FORMAT, "%s:%lld: sample '%s' is listed twice (also line %lld)", tab->path,
            (long long)tab->lineno, sample, (long long)b->rows[kh_val(b->by_sample, k)].line);
    if (!(r->sample = intern(b->t, sample)) || !(r->patient = intern(b->t, patient)) ||
        !(r->calls = resolve_path(b->t, calls)))
        return METCN_E_NOMEM;
    int ret;
    k = kh_put(tidx, b->by_sample, r->sample, &ret);
    if (ret < 0)
        return metcn_set_error(METCN_E_NOMEM, "out of memory");
    kh_val(b->by_sample, k) = b->n_rows;
    if ((e = add_patient(b, patient, &r->patient_idx)) != 0)
        return e;
    b->n_rows++;
    return 0;
}

static int cmp_patient_day(const void *a, const void *b)
{
    const sheet_row_t *x = *(const sheet_row_t *const *)a, *y = *(const sheet_row_t *const *)b;
    if (x->patient_idx != y->patient_idx)
        return x->patient_idx < y->patient_idx ? -1 : 1;
    if (x->day != y->day)
        return x->day < y->day ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

/* Two samples of one patient on one day have no order: refused. */
static int check_dates(builder_t *b)
{
    int ret = 0;
    const sheet_row_t **ix = malloc((b->n_rows ? b->n_rows : 1) * sizeof *ix);
    if (!ix)
        return metcn_set_error(METCN_E_NOMEM, "out of memory");
    for (size_t i = 0; i < b->n_rows; i++)
        ix[i] = &b->rows[i];
    qsort(ix, b->n_rows, sizeof *ix, cmp_patient_day);
    for (size_t i = 1; i < b->n_rows; i++) {
        const sheet_row_t *x = ix[i - 1], *y = ix[i];
        if (x->patient_idx == y->patient_idx && x->day == y->day) {
            ret = metcn_set_error(METCN_E_FORMAT,
                                  "%s:%lld: patient '%s' has two samples on %s ('%s' on line %lld "
                                  "and '%s'): events need an order",
                                  b->t->sheet, (long long)y->line, y->patient, y->date, x->sample,
                                  (long long)x->line, y->sample);
            break;
        }
    }
    free(ix);
    return ret;
}

static int read_sheet(builder_t *b)
{
    tsv_t tab;
    int col[4], r;
    static const char *const names[4] = {"sample", "patient", "date", "calls"};
    if ((r = tsv_open(&tab, b->t->sheet)) != 0)
        goto out;
    for (int i = 0; i < 4; i++)
        if ((r = tsv_need(&tab, names[i], &col[i])) != 0)
            goto out;
    while ((r = tsv_next(&tab)) == 1)
        if ((r = sheet_row(b, &tab, col)) != 0)
            goto out;
    if (r < 0)
        goto out;
    if (b->n_rows == 0) {
        r = metcn_set_error(METCN_E_FORMAT, "%s: no samples (header only)", b->t->sheet);
        goto out;
    }
    r = check_dates(b);
out:
    tsv_close(&tab);
    return r;
}

/* ---- the calls tables -------------------------------------------------------------------- */

/* Columns read from a calls table; each estimate is followed by its low and high bound. */
enum {
    C_SAMPLE,
    C_GENE,
    C_CN,
    C_CN_LO,
    C_CN_HI,
    C_TF, /* first plasma column */
    C_TF_LO,
    C_TF_HI,
    C_TF_SRC,
    C_PCN,
    C_PCN_LO,
    C_PCN_HI,
    C_DETECTION,
    C_LOD5,
    C_LOD10, /* last plasma column */
    C_PURITY,
    C_PURITY_LO,
    C_PURITY_HI,
    C_PURITY_SRC,
    C_TIER,
    C_QC,
    N_COLS
};
static const char *const col_names[N_COLS] = {"sample",
                                              "gene",
                                              "cn",
                                              "cn_low",
                                              "cn_high",
                                              "tumour_fraction",
                                              "tumour_fraction_low",
                                              "tumour_fraction_high",
                                              "tumour_fraction_source",
                                              "plasma_cn",
                                              "plasma_cn_low",
                                              "plasma_cn_high",
                                              "detection",
                                              "lod_tf_cn5",
                                              "lod_tf_cn10",
                                              "purity",
                                              "purity_low",
                                              "purity_high",
                                              "purity_source",
                                              "tier",
                                              "qc"};

/* Find the columns; a table with any plasma column needs all of them, one without needs the
 * tissue columns that detection and the mixture copy number are derived from. */
static int find_columns(const tsv_t *tab, int col[N_COLS])
{
    int r, plasma = 0;
    for (int c = 0; c < N_COLS; c++)
        col[c] = tsv_col(tab, col_names[c]);
    for (int c = C_TF; c <= C_LOD10; c++)
        plasma |= col[c] >= 0;
    for (int c = 0; c < N_COLS; c++) {
        int needed = c <= C_CN_HI || (plasma && c <= C_LOD10) ||
                     (!plasma && (c == C_PURITY || c == C_TIER || c == C_QC));
        if (needed && (r = tsv_need(tab, col_names[c], &col[c])) != 0)
            return r;
    }
    return 0;
}

/* A number >= 0 (at most hi) or NA (NaN); an absent column is NA. */
static int number(const tsv_t *tab, const int col[N_COLS], int c, double hi, double *out)
{
    *out = NAN;
    if (col[c] < 0 || metcn_tsv_missing(tab->f[col[c]]))
        return 0;
    if (metcn_parse_double(tab->f[col[c]], 0, hi, out) != 0)
        return metcn_set_error(METCN_E_FORMAT,
                               "%s:%lld: column '%s': '%s' is not a number in [0, %g]", tab->path,
                               (long long)tab->lineno, col_names[c], tab->f[col[c]], hi);
    return 0;
}

/* Columns c, c+1, c+2: estimate, low and high bound. */
static int value3(const tsv_t *tab, const int col[N_COLS], int c, double hi, metcn_track_value_t *v)
{
    int r;
    if ((r = number(tab, col, c, hi, &v->est)) || (r = number(tab, col, c + 1, hi, &v->lo)) ||
        (r = number(tab, col, c + 2, hi, &v->hi)))
        return r;
    if (v->lo > v->hi)
        return metcn_set_error(METCN_E_FORMAT, "%s:%lld: %s %s is above %s %s", tab->path,
                               (long long)tab->lineno, col_names[c + 1], tab->f[col[c + 1]],
                               col_names[c + 2], tab->f[col[c + 2]]);
    return 0;
}

/* Detection of a tissue row: qc fail -> not assessable; a negative tier -> not detected; any
 * other tier -> detected; no tier -> unknown. */
static metcn_detection_t derive_detection(const builder_t *b, const tsv_t *tab,
                                          const int col[N_COLS])
{
    if (col[C_TIER] < 0 || col[C_QC] < 0)
        return METCN_DETECTION_NA;
    const char *qc = tab->f[col[C_QC]], *tier = tab->f[col[C_TIER]];
    if (strcmp(qc, "fail") == 0)
        return METCN_DETECTION_NOT_ASSESSABLE;
    if (metcn_tsv_missing(tier))
        return METCN_DETECTION_NA;
    for (int i = 0; i < b->n_neg; i++)
        if (strcasecmp(tier, b->neg[i]) == 0)
            return METCN_DETECTION_NOT_DETECTED;
    return METCN_DETECTION_DETECTED;
}

/* Values of one calls row; the plasma columns when given, else derived from tissue ones. */
static int row_values(const builder_t *b, const tsv_t *tab, const int col[N_COLS],
                      metcn_track_point_t *p)
{
    int r;
    metcn_track_value_t purity;
    if ((r = value3(tab, col, C_CN, 1e6, &p->cn)) || (r = value3(tab, col, C_TF, 1, &p->tf)) ||
        (r = value3(tab, col, C_PCN, 1e6, &p->plasma_cn)) ||
        (r = value3(tab, col, C_PURITY, 1, &purity)) ||
        (r = number(tab, col, C_LOD5, 1e6, &p->lod_tf_cn5)) ||
        (r = number(tab, col, C_LOD10, 1e6, &p->lod_tf_cn10)))
        return r;
    const char *src = col[C_TF_SRC] >= 0 ? tab->f[col[C_TF_SRC]] : "";
    if (!isfinite(p->tf.est) && isfinite(purity.est)) {
        p->tf = purity; /* a tissue sample's tumour fraction is its purity */
        src = col[C_PURITY_SRC] >= 0 ? tab->f[col[C_PURITY_SRC]] : "purity";
        if (!isfinite(p->tf.lo) && !isfinite(p->tf.hi))
            p->tf.lo = p->tf.hi = p->tf.est; /* a purity without a range is taken as exact */
    }
    if (!(p->tf_source = intern(b->t, metcn_tsv_missing(src) ? "NA" : src)))
        return METCN_E_NOMEM;
    p->plasma_cn_src = METCN_SRC_REPORTED;
    if (!isfinite(p->plasma_cn.est)) {
        /* copy number of the mixture of tumour and (diploid) normal cells */
        double f = p->tf.est;
        p->plasma_cn_src = METCN_SRC_NA;
        if (isfinite(f) && isfinite(p->cn.est)) {
            p->plasma_cn.est = f * p->cn.est + 2 * (1 - f);
            p->plasma_cn.lo = f * p->cn.lo + 2 * (1 - f); /* NaN stays NaN */
            p->plasma_cn.hi = f * p->cn.hi + 2 * (1 - f);
            p->plasma_cn_src = METCN_SRC_DERIVED;
        }
    }
    p->detection = METCN_DETECTION_NA;
    if (col[C_DETECTION] >= 0 &&
        metcn_track_detect_parse(tab->f[col[C_DETECTION]], &p->detection) != 0)
        return metcn_set_error(METCN_E_FORMAT,
                               "%s:%lld: column 'detection': '%s' is not detected, not_detected, "
                               "not_assessable or NA",
                               tab->path, (long long)tab->lineno, tab->f[col[C_DETECTION]]);
    p->detection_src = METCN_SRC_REPORTED;
    if (p->detection == METCN_DETECTION_NA) {
        p->detection = derive_detection(b, tab, col);
        p->detection_src = p->detection == METCN_DETECTION_NA ? METCN_SRC_NA : METCN_SRC_DERIVED;
    }
    return 0;
}

static int add_point(builder_t *b, sheet_row_t *row, const tsv_t *tab, const int col[N_COLS])
{
    metcn_track_t *t = b->t;
    void *a = t->points;
    int r = grow(&a, &b->m_points, t->n_points, sizeof *t->points, 64);
    t->points = a;
    if (r)
        return r;
    metcn_track_point_t *p = &t->points[t->n_points];
    memset(p, 0, sizeof *p);
    const char *gene = tab->f[col[C_GENE]];
    if (metcn_tsv_missing(gene))
        return metcn_set_error(METCN_E_FORMAT, "%s:%lld: column 'gene' is empty or NA", tab->path,
                               (long long)tab->lineno);
    p->patient = t->patients[row->patient_idx].name;
    p->patient_index = row->patient_idx;
    p->sample = row->sample;
    memcpy(p->date, row->date, sizeof p->date);
    p->day = row->day;
    p->sheet_line = row->line;
    p->calls_path = row->calls;
    p->calls_line = tab->lineno;
    p->ref = -1;
    p->log_ratio = p->z = p->p_value = NAN;
    if (!(p->gene = intern(t, gene)))
        return METCN_E_NOMEM;
    if ((r = row_values(b, tab, col, p)) != 0)
        return r;
    t->n_points++;
    row->n_points++;
    return 0;
}

/* Read one calls table: the rows of the sheet samples that name this table. */
static int read_calls(builder_t *b, const char *path)
{
    tsv_t tab;
    int col[N_COLS], r;
    if ((r = tsv_open(&tab, path)) != 0 || (r = find_columns(&tab, col)) != 0)
        goto out;
    while ((r = tsv_next(&tab)) == 1) {
        khiter_t k = kh_get(tidx, b->by_sample, tab.f[col[C_SAMPLE]]);
        if (k == kh_end(b->by_sample))
            continue;
        sheet_row_t *row = &b->rows[kh_val(b->by_sample, k)];
        if (strcmp(row->calls, path) != 0)
            continue; /* the sheet takes this sample from another table */
        if ((r = add_point(b, row, &tab, col)) != 0)
            goto out;
    }
out:
    tsv_close(&tab);
    return r < 0 ? r : 0;
}

static int read_all_calls(builder_t *b)
{
    int r = 0;
    khash_t(tidx) *done = kh_init(tidx);
    if (!done)
        return metcn_set_error(METCN_E_NOMEM, "out of memory");
    for (size_t i = 0; i < b->n_rows && r == 0; i++) {
        int ret;
        kh_put(tidx, done, b->rows[i].calls, &ret);
        if (ret < 0)
            r = metcn_set_error(METCN_E_NOMEM, "out of memory");
        else if (ret > 0)
            r = read_calls(b, b->rows[i].calls);
    }
    kh_destroy(tidx, done);
    for (size_t i = 0; i < b->n_rows && r == 0; i++)
        if (b->rows[i].n_points == 0)
            r = metcn_set_error(METCN_E_FORMAT, "%s: sample '%s' not found (sheet %s line %lld)",
                                b->rows[i].calls, b->rows[i].sample, b->t->sheet,
                                (long long)b->rows[i].line);
    return r;
}

/* ---- order, series and events ------------------------------------------------------------ */

static int cmp_series(const metcn_track_point_t *x, const metcn_track_point_t *y)
{
    if (x->patient_index != y->patient_index)
        return x->patient_index < y->patient_index ? -1 : 1;
    int c = strcmp(x->gene, y->gene);
    if (c)
        return c;
    return x->day < y->day ? -1 : x->day > y->day;
}

static int cmp_points(const void *a, const void *b)
{
    const metcn_track_point_t *x = a, *y = b;
    int c = cmp_series(x, y);
    return c ? c : (x->calls_line < y->calls_line ? -1 : x->calls_line > y->calls_line);
}

static int cmp_output(const void *a, const void *b)
{
    const metcn_track_point_t *x = *(const metcn_track_point_t *const *)a,
                              *y = *(const metcn_track_point_t *const *)b;
    if (x->patient_index != y->patient_index)
        return x->patient_index < y->patient_index ? -1 : 1;
    if (x->day != y->day)
        return x->day < y->day ? -1 : 1;
    return strcmp(x->gene, y->gene);
}

/* Sort into series, refuse a gene twice for one sample, fill the patients' ranges. */
static int order_points(builder_t *b)
{
    metcn_track_t *t = b->t;
    qsort(t->points, t->n_points, sizeof *t->points, cmp_points);
    for (size_t i = 1; i < t->n_points; i++) {
        const metcn_track_point_t *x = &t->points[i - 1], *y = &t->points[i];
        if (cmp_series(x, y) == 0) /* same patient, gene and day: the same sample */
            return metcn_set_error(METCN_E_FORMAT,
                                   "%s:%lld: sample '%s' has a second row for gene '%s' (first on "
                                   "line %lld)",
                                   y->calls_path, (long long)y->calls_line, y->sample, y->gene,
                                   (long long)x->calls_line);
    }
    for (size_t i = 0; i < t->n_points; i++) {
        metcn_track_patient_t *p = &t->patients[t->points[i].patient_index];
        if (p->n++ == 0)
            p->first = i;
    }
    for (size_t i = 0; i < b->n_rows; i++)
        t->patients[b->rows[i].patient_idx].n_samples++;
    size_t n = t->n_points ? t->n_points : 1;
    const metcn_track_point_t **by = malloc(n * sizeof *by);
    if (!by || !(t->order = malloc(n * sizeof *t->order))) {
        free(by);
        return metcn_set_error(METCN_E_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < t->n_points; i++)
        by[i] = &t->points[i];
    qsort(by, t->n_points, sizeof *by, cmp_output);
    for (size_t i = 0; i < t->n_points; i++)
        t->order[i] = (size_t)(by[i] - t->points);
    free(by);
    return 0;
}

/* Two patients whose names differ only in characters made file-safe would share an SVG. */
static int check_file_names(const metcn_track_t *t)
{
    int r = 0, ret;
    khash_t(tidx) *seen = kh_init(tidx);
    if (!seen)
        return metcn_set_error(METCN_E_NOMEM, "out of memory");
    for (size_t i = 0; i < t->n_patients && r == 0; i++) {
        khiter_t k = kh_put(tidx, seen, t->patients[i].file_name, &ret);
        if (ret < 0)
            r = metcn_set_error(METCN_E_NOMEM, "out of memory");
        else if (ret == 0)
            r = metcn_set_error(METCN_E_FORMAT,
                                "%s: patients '%s' and '%s' have the same file-safe name '%s'",
                                t->sheet, t->patients[kh_val(seen, k)].name, t->patients[i].name,
                                t->patients[i].file_name);
        else
            kh_val(seen, k) = i;
    }
    kh_destroy(tidx, seen);
    return r;
}

static int all_events(metcn_track_t *t)
{
    for (size_t i = 0; i < t->n_points;) {
        size_t j = i + 1;
        while (j < t->n_points && t->points[j].patient_index == t->points[i].patient_index &&
               strcmp(t->points[j].gene, t->points[i].gene) == 0)
            j++;
        int r = metcn_track_events(t->points + i, j - i, &t->opt);
        if (r)
            return r;
        for (size_t k = i; k < j; k++)
            if (t->points[k].ref >= 0)
                t->points[k].ref += (long)i; /* absolute index */
        i = j;
    }
    return 0;
}

static int split_negative_tiers(builder_t *b)
{
    if (!(b->neg_buf = strdup(b->t->opt.negative_tiers)))
        return metcn_set_error(METCN_E_NOMEM, "out of memory");
    int n = 1;
    for (const char *c = b->neg_buf; *c; c++)
        n += *c == ',';
    if (!(b->neg = malloc((size_t)n * sizeof *b->neg)))
        return metcn_set_error(METCN_E_NOMEM, "out of memory");
    b->n_neg = metcn_split(b->neg_buf, ',', b->neg, n);
    return 0;
}

metcn_track_t *metcn_track_run(const char *sheet, const metcn_track_opt_t *opt)
{
    builder_t b;
    memset(&b, 0, sizeof b);
    int r = metcn_track_opt_check(opt);
    if (r)
        return NULL;
    metcn_track_t *t = calloc(1, sizeof *t);
    if (!t || !(t->sheet = strdup(sheet))) {
        r = metcn_set_error(METCN_E_NOMEM, "out of memory");
        goto out;
    }
    t->opt = *opt;
    b.t = t;
    if (!(t->opt.negative_tiers = intern(t, opt->negative_tiers)) ||
        (r = split_negative_tiers(&b)) != 0) {
        r = METCN_E_NOMEM;
        goto out;
    }
    if (!(b.by_sample = kh_init(tidx)) || !(b.by_patient = kh_init(tidx))) {
        r = metcn_set_error(METCN_E_NOMEM, "out of memory");
        goto out;
    }
    if ((r = read_sheet(&b)) != 0 || (r = check_file_names(t)) != 0 ||
        (r = read_all_calls(&b)) != 0 || (r = order_points(&b)) != 0 || (r = all_events(t)) != 0)
        goto out;
out:
    if (b.by_sample)
        kh_destroy(tidx, b.by_sample);
    if (b.by_patient)
        kh_destroy(tidx, b.by_patient);
    free(b.rows);
    free(b.neg);
    free(b.neg_buf);
    if (r) {
        metcn_track_destroy(t);
        return NULL;
    }
    return t;
}

void metcn_track_destroy(metcn_track_t *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n_patients; i++) {
        free(t->patients[i].name);
        free(t->patients[i].file_name);
    }
    for (size_t i = 0; i < t->n_strings; i++)
        free(t->strings[i]);
    free(t->strings);
    free(t->patients);
    free(t->points);
    free(t->order);
    free(t->sheet);
    free(t);
}
