/* util.c -- strict number parsing, field splitting (output files: output.c). */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metcn/metcn.h"
#include "metcn/util.h"

int metcn_parse_int64(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
    if (!s || !*s || isspace((unsigned char)*s))
        return METCN_E_FORMAT;
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*end != '\0')
        return METCN_E_FORMAT;
    if (errno == ERANGE || v < lo || v > hi)
        return METCN_E_RANGE;
    *out = (int64_t)v;
    return 0;
}

int metcn_parse_int(const char *s, int lo, int hi, int *out)
{
    int64_t v;
    int r = metcn_parse_int64(s, lo, hi, &v);
    if (r == 0)
        *out = (int)v;
    return r;
}

int metcn_parse_double(const char *s, double lo, double hi, double *out)
{
    if (!s || !*s || isspace((unsigned char)*s))
        return METCN_E_FORMAT;
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (*end != '\0' || isnan(v))
        return METCN_E_FORMAT;
    if (errno == ERANGE || !isfinite(v) || v < lo || v > hi)
        return METCN_E_RANGE;
    *out = v;
    return 0;
}

int metcn_parse_size_select(const char *s, int *min, int *max)
{
    char buf[32];
    const char *dash = s ? strchr(s, '-') : NULL;
    int lo = 0, hi = 0;
    if (!dash || (size_t)(dash - s) >= sizeof buf)
        return METCN_E_FORMAT;
    memcpy(buf, s, (size_t)(dash - s));
    buf[dash - s] = '\0';
    if (metcn_parse_int(buf, 0, 1001, &lo) < 0 || metcn_parse_int(dash + 1, 0, 1001, &hi) < 0 ||
        !(hi > lo || (lo == 0 && hi == 0)))
        return METCN_E_FORMAT;
    *min = lo;
    *max = hi;
    return 0;
}

/* Parse an integer that may contain thousands separators. */
static int parse_pos(const char *s, size_t len, int64_t *out)
{
    char buf[32];
    size_t k = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == ',')
            continue;
        if (k + 1 >= sizeof buf)
            return METCN_E_FORMAT;
        buf[k++] = s[i];
    }
    buf[k] = '\0';
    return metcn_parse_int64(buf, 1, INT64_MAX / 2, out);
}

int metcn_parse_region(const char *s, char **contig, int64_t *start, int64_t *end)
{
    const char *colon = s ? strrchr(s, ':') : NULL;
    if (!colon || colon == s)
        return METCN_E_FORMAT;
    const char *dash = strchr(colon + 1, '-');
    if (!dash)
        return METCN_E_FORMAT;
    int64_t a, b;
    if (parse_pos(colon + 1, (size_t)(dash - colon - 1), &a) ||
        parse_pos(dash + 1, strlen(dash + 1), &b) || b < a)
        return METCN_E_FORMAT;
    char *c = strndup(s, (size_t)(colon - s));
    if (!c)
        return METCN_E_NOMEM;
    *contig = c;
    *start = a - 1;
    *end = b;
    return 0;
}

char *metcn_path_stem(const char *path)
{
    if (strcmp(path, "-") == 0)
        return strdup("stdin");
    const char *b = strrchr(path, '/');
    char *s = strdup(b ? b + 1 : path);
    static const char *const ext[] = {
        ".gz",       ".bgz", ".tsv",  ".cnn", ".bed", ".regions", ".targetcoverage",
        ".coverage", ".bam", ".cram", ".sam"};
    for (int again = 1; s && again;) {
        again = 0;
        for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
            size_t a = strlen(s), e = strlen(ext[i]);
            if (a > e && strcmp(s + a - e, ext[i]) == 0) {
                s[a - e] = '\0';
                again = 1;
            }
        }
    }
    /* a name goes into table fields and header lines: a tab or a line break from the file
     * name would split them */
    for (char *c = s; c && *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = '_';
    return s;
}

int metcn_ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

int metcn_split(char *line, char delim, char **fields, int max)
{
    size_t len = strlen(line);
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        line[--len] = '\0';
    int n = 0;
    char *p = line;
    while (n < max) {
        fields[n++] = p;
        char *q = strchr(p, delim);
        if (!q)
            break;
        *q = '\0';
        p = q + 1;
    }
    return n;
}

const char *metcn_fmt_double(char buf[32], double x, int prec)
{
    if (!isfinite(x))
        return "NA";
    snprintf(buf, 32, "%.*g", prec, x);
    return buf;
}
