/* tsv.c -- the one TSV line reader: BGZF (plain, gzip, bgzip, standard input) or memory. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <htslib/bgzf.h>
#include <htslib/kstring.h>

#include "metcn/metcn.h"
#include "metcn/util.h"

struct metcn_tsv_s {
    BGZF *fp;         /* file input, or NULL */
    const char *text; /* memory input: the rest of the text */
    char *name;
    kstring_t line;
    long lineno;
    char **f;
    int mf;
};

static metcn_tsv_t *tsv_new(const char *name)
{
    metcn_tsv_t *t = calloc(1, sizeof *t);
    if (!t || !(t->name = strdup(name))) {
        free(t);
        metcn_set_error(METCN_E_NOMEM, "%s: out of memory", name);
        return NULL;
    }
    return t;
}

metcn_tsv_t *metcn_tsv_bgzf(BGZF *fp, const char *name)
{
    metcn_tsv_t *t = tsv_new(name);
    if (!t) {
        bgzf_close(fp);
        return NULL;
    }
    t->fp = fp;
    return t;
}

metcn_tsv_t *metcn_tsv_open(const char *path)
{
    struct stat st; /* bgzf_open() opens a directory; reading it would fail with no reason */
    if (strcmp(path, "-") != 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        metcn_set_error(METCN_E_IO, "%s: is a directory", path);
        return NULL;
    }
    BGZF *fp = bgzf_open(path, "r");
    if (!fp) {
        metcn_set_error(METCN_E_IO, "%s: cannot open: %s", path,
                        errno ? strerror(errno) : "not readable");
        return NULL;
    }
    return metcn_tsv_bgzf(fp, path);
}

metcn_tsv_t *metcn_tsv_text(const char *text, const char *name)
{
    metcn_tsv_t *t = tsv_new(name);
    if (t)
        t->text = text ? text : "";
    return t;
}

int metcn_tsv_next(metcn_tsv_t *t)
{
    if (t->fp) {
        int r = bgzf_getline(t->fp, '\n', &t->line);
        if (r == -1)
            return 0;
        if (r < -1)
            return metcn_set_error(METCN_E_TRUNCATED,
                                   "%s: read error or corrupt compressed data after line %ld",
                                   t->name, t->lineno);
    } else {
        if (!*t->text)
            return 0;
        const char *nl = strchr(t->text, '\n');
        size_t len = nl ? (size_t)(nl - t->text) : strlen(t->text);
        t->line.l = 0;
        if (kputsn(t->text, len, &t->line) < 0)
            return metcn_set_error(METCN_E_NOMEM, "%s: out of memory", t->name);
        t->text += len + (nl ? 1 : 0);
    }
    if (!t->line.s && kputs("", &t->line) < 0)
        return metcn_set_error(METCN_E_NOMEM, "%s: out of memory", t->name);
    if (t->line.l > 0 && t->line.s[t->line.l - 1] == '\r')
        t->line.s[--t->line.l] = '\0';
    t->lineno++;
    return 1;
}

int metcn_tsv_next_data(metcn_tsv_t *t)
{
    for (;;) {
        int r = metcn_tsv_next(t);
        if (r <= 0)
            return r;
        const char *s = t->line.s;
        if (strlen(s) != t->line.l)
            return metcn_set_error(METCN_E_FORMAT, "%s:%ld: NUL byte in a text line", t->name,
                                   t->lineno);
        if (strncmp(s, "##", 2) == 0)
            continue;
        for (; *s; s++)
            if (!isspace((unsigned char)*s))
                return 1;
    }
}

char *metcn_tsv_header(metcn_tsv_t *t)
{
    char *s = t->line.s;
    size_t n = t->line.l;
    if (n >= 3 && (unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB &&
        (unsigned char)s[2] == 0xBF) { /* UTF-8 byte-order mark from spreadsheets */
        memmove(s, s + 3, n - 2);
        n -= 3;
    }
    if (n > 0 && s[0] == '#') {
        memmove(s, s + 1, n);
        n--;
    }
    t->line.l = n;
    return s;
}

char *metcn_tsv_line(const metcn_tsv_t *t)
{
    return t->line.s;
}

size_t metcn_tsv_len(const metcn_tsv_t *t)
{
    return t->line.l;
}

long metcn_tsv_lineno(const metcn_tsv_t *t)
{
    return t->lineno;
}

int metcn_tsv_missing(const char *s)
{
    return *s == '\0' || strcmp(s, "NA") == 0 || strcmp(s, "N/A") == 0 || strcmp(s, "na") == 0 ||
           strcmp(s, ".") == 0 || strcmp(s, "-") == 0;
}

const char *metcn_tsv_name(const metcn_tsv_t *t)
{
    return t->name;
}

int metcn_tsv_split(metcn_tsv_t *t, char ***fields)
{
    int n = 0;
    char *p = t->line.s;
    for (;;) {
        if (n == t->mf) {
            int m = t->mf ? 2 * t->mf : 16;
            char **f = realloc(t->f, (size_t)m * sizeof *f);
            if (!f)
                return metcn_set_error(METCN_E_NOMEM, "%s: out of memory", t->name);
            t->f = f;
            t->mf = m;
        }
        t->f[n++] = p;
        char *q = n < METCN_TSV_MAX_FIELDS ? strchr(p, '\t') : NULL;
        if (!q)
            break;
        *q = '\0';
        p = q + 1;
    }
    *fields = t->f;
    return n;
}

void metcn_tsv_close(metcn_tsv_t *t)
{
    if (!t)
        return;
    if (t->fp)
        bgzf_close(t->fp);
    free(t->line.s);
    free(t->f);
    free(t->name);
    free(t);
}
