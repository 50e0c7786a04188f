/* util.c -- strict number parsing, atomic output files, field splitting. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <htslib/bgzf.h>
#include <htslib/kstring.h>

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

struct metcn_ofile_s {
    char *path; /* final name */
    char *tmp;  /* temporary name, NULL for stdout */
    BGZF *bgzf; /* compressed output */
    FILE *fp;   /* plain output */
    int failed;
};

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
    return s;
}

int metcn_ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

metcn_ofile_t *metcn_ofile_open(const char *path)
{
    metcn_ofile_t *f = calloc(1, sizeof *f);
    if (!f || !(f->path = strdup(path))) {
        free(f);
        metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
        return NULL;
    }
    if (strcmp(path, "-") == 0) {
        f->fp = stdout;
        return f;
    }
    size_t n = strlen(path) + 32;
    f->tmp = malloc(n);
    if (!f->tmp)
        goto fail;
    snprintf(f->tmp, n, "%s.tmp.%ld", path, (long)getpid());
    int gz = metcn_ends_with(path, ".gz") || metcn_ends_with(path, ".bgz");
    if (gz)
        f->bgzf = bgzf_open(f->tmp, "w6");
    else
        f->fp = fopen(f->tmp, "w");
    if (!f->bgzf && !f->fp) {
        metcn_set_error(METCN_E_IO, "%s: cannot open for writing: %s", path, strerror(errno));
        goto fail_quiet;
    }
    return f;
fail:
    metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
fail_quiet:
    free(f->tmp);
    free(f->path);
    free(f);
    return NULL;
}

int metcn_ofile_write(metcn_ofile_t *f, const void *buf, size_t len)
{
    if (f->failed)
        return METCN_E_IO;
    if (len == 0)
        return 0;
    if (f->bgzf) {
        if (bgzf_write(f->bgzf, buf, len) != (ssize_t)len)
            f->failed = 1;
    } else if (fwrite(buf, 1, len, f->fp) != len) {
        f->failed = 1;
    }
    return f->failed ? METCN_E_IO : 0;
}

int metcn_ofile_printf(metcn_ofile_t *f, const char *fmt, ...)
{
    if (f->failed)
        return METCN_E_IO;
    char small[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        f->failed = 1;
        return METCN_E_IO;
    }
    if ((size_t)n < sizeof small)
        return metcn_ofile_write(f, small, (size_t)n);
    char *big = malloc((size_t)n + 1);
    if (!big) {
        f->failed = 1;
        return METCN_E_NOMEM;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    int r = metcn_ofile_write(f, big, (size_t)n);
    free(big);
    return r;
}

const char *metcn_ofile_path(const metcn_ofile_t *f)
{
    return f->path;
}

int metcn_ofile_close(metcn_ofile_t *f, int commit)
{
    if (!f)
        return 0;
    int failed = f->failed;
    if (f->bgzf) {
        if (bgzf_close(f->bgzf) < 0)
            failed = 1;
    } else if (f->fp == stdout) {
        if (fflush(stdout) != 0)
            failed = 1;
    } else if (f->fp) {
        if (fclose(f->fp) != 0)
            failed = 1;
    }
    int r = 0;
    if (f->tmp) {
        if (commit && !failed) {
            if (rename(f->tmp, f->path) != 0) {
                r = metcn_set_error(METCN_E_IO, "%s: cannot rename temporary file: %s", f->path,
                                    strerror(errno));
                unlink(f->tmp);
            }
        } else {
            unlink(f->tmp);
        }
    }
    if (failed && commit)
        r = metcn_set_error(METCN_E_IO, "%s: write failed", f->path);
    free(f->tmp);
    free(f->path);
    free(f);
    return r;
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
