/* bed.c -- the one BED reading loop (user files, built-in panels and `metcn panel check`),
 * sorting and the overlap rule.  Coordinates are 0-based half-open, as in BED. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <htslib/kstring.h>

#include "metcn/metcn.h"
#include "panel/panel_internal.h"

int rawvec_push(rawvec_t *v, const char *contig, int64_t start, int64_t end, const char *name,
                long line)
{
    if (v->n == v->m) {
        size_t m = v->m ? v->m * 2 : 256;
        rawbin_t *a = realloc(v->a, m * sizeof *a);
        if (!a)
            return METCN_E_NOMEM;
        v->a = a;
        v->m = m;
    }
    rawbin_t *b = &v->a[v->n];
    b->contig = strdup(contig);
    b->name = name && *name ? strdup(name) : NULL;
    if (!b->contig || (name && *name && !b->name)) {
        free(b->contig);
        free(b->name);
        return METCN_E_NOMEM;
    }
    b->start = start;
    b->end = end;
    b->line = line;
    b->off_target = 0;
    v->n++;
    return 0;
}

void rawvec_free(rawvec_t *v)
{
    for (size_t i = 0; i < v->n; i++) {
        free(v->a[i].contig);
        free(v->a[i].name);
    }
    free(v->a);
    v->a = NULL;
    v->n = v->m = 0;
}

static int is_blank(const char *s)
{
    for (; *s; s++)
        if (!isspace((unsigned char)*s))
            return 0;
    return 1;
}

/* One BED line into v: 0 (taken or skipped), or a negative code with the message set. */
static int bed_line(metcn_tsv_t *t, rawvec_t *out)
{
    const char *what = metcn_tsv_name(t);
    long lineno = metcn_tsv_lineno(t);
    char *line = metcn_tsv_line(t), **f;
    if (is_blank(line) || line[0] == '#' || strncmp(line, "track", 5) == 0 ||
        strncmp(line, "browser", 7) == 0)
        return 0;
    int n = metcn_tsv_split(t, &f);
    if (n < 0)
        return n;
    if (n < 3)
        return metcn_set_error(METCN_E_FORMAT,
                               "%s:%ld: too few columns (%d; BED needs chrom, start, end, "
                               "tab-separated)",
                               what, lineno, n);
    int64_t start, end;
    if (!*f[0])
        return metcn_set_error(METCN_E_FORMAT, "%s:%ld: empty contig name", what, lineno);
    if (metcn_parse_int64(f[1], 0, INT64_MAX / 4, &start))
        return metcn_set_error(METCN_E_FORMAT, "%s:%ld: bad start '%s'", what, lineno, f[1]);
    if (metcn_parse_int64(f[2], 0, INT64_MAX / 4, &end))
        return metcn_set_error(METCN_E_FORMAT, "%s:%ld: bad end '%s'", what, lineno, f[2]);
    if (start >= end)
        return metcn_set_error(METCN_E_FORMAT, "%s:%ld: start %lld >= end %lld", what, lineno,
                               (long long)start, (long long)end);
    if (rawvec_push(out, f[0], start, end, n >= 4 ? f[3] : NULL, lineno))
        return metcn_set_error(METCN_E_NOMEM, "%s: out of memory", what);
    return 0;
}

int bed_read(metcn_tsv_t *t, rawvec_t *v, metcn_panel_problem_fn fn, void *ud)
{
    int r, bad = 0;
    while ((r = metcn_tsv_next(t)) > 0) {
        int e = bed_line(t, v);
        if (e == METCN_E_NOMEM || (e < 0 && !fn))
            return e;
        if (e < 0) {
            fn(METCN_LOG_ERROR, metcn_last_error(), ud);
            bad++;
        }
    }
    if (r < 0)
        return r;
    if (v->n == 0 && bad == 0) {
        if (!fn)
            return metcn_set_error(METCN_E_FORMAT, "%s: no regions", metcn_tsv_name(t));
        char msg[1024];
        snprintf(msg, sizeof msg, "%s: no regions", metcn_tsv_name(t));
        fn(METCN_LOG_ERROR, msg, ud);
        bad++;
    }
    return bad;
}

static int rawbin_cmp(const void *va, const void *vb)
{
    const rawbin_t *a = va, *b = vb;
    int c = contig_cmp(a->contig, b->contig);
    if (c)
        return c;
    if (a->start != b->start)
        return a->start < b->start ? -1 : 1;
    if (a->end != b->end)
        return a->end < b->end ? -1 : 1;
    return a->line < b->line ? -1 : a->line > b->line;
}

/* Whether a comma-separated list holds tok as one of its items. */
static int has_token(const char *list, const char *tok)
{
    size_t n = strlen(tok);
    for (const char *p = list; p && *p;) {
        const char *c = strchr(p, ',');
        size_t len = c ? (size_t)(c - p) : strlen(p);
        if (len == n && strncmp(p, tok, n) == 0)
            return 1;
        p = c ? c + 1 : NULL;
    }
    return 0;
}

/* cur into prev (overlapping): extend prev, join the names. */
static int merge_into(rawbin_t *prev, rawbin_t *cur)
{
    if (cur->end > prev->end)
        prev->end = cur->end;
    if (cur->name && !has_token(prev->name, cur->name)) {
        kstring_t k = KS_INITIALIZE;
        if ((prev->name ? ksprintf(&k, "%s,%s", prev->name, cur->name) : kputs(cur->name, &k)) <
            0) {
            free(k.s);
            return METCN_E_NOMEM;
        }
        free(prev->name);
        prev->name = k.s;
    }
    free(cur->contig);
    free(cur->name);
    return 0;
}

int bed_sort_check(rawvec_t *v, int merge, const char *what, metcn_panel_problem_fn fn, void *ud)
{
    if (v->n)
        qsort(v->a, v->n, sizeof *v->a, rawbin_cmp);
    size_t w = 0;
    int found = 0;
    for (size_t i = 0; i < v->n; i++) {
        rawbin_t *cur = &v->a[i], *prev = w ? &v->a[w - 1] : NULL;
        if (prev && same_contig(prev->contig, cur->contig) && cur->start < prev->end) {
            if (merge) {
                if (merge_into(prev, cur))
                    return metcn_set_error(METCN_E_NOMEM, "%s: out of memory", what);
                continue;
            }
            int dup = cur->start == prev->start && cur->end == prev->end;
            char msg[1024];
            snprintf(msg, sizeof msg, "%s:%ld: %s %s:%lld-%lld %s line %ld", what, cur->line,
                     dup ? "duplicated region" : "region", cur->contig, (long long)cur->start,
                     (long long)cur->end, dup ? "already on" : "overlaps the region on",
                     prev->line);
            if (!fn)
                return metcn_set_error(METCN_E_OVERLAP,
                                       "%s (use --merge to merge overlapping regions)", msg);
            fn(METCN_LOG_ERROR, msg, ud);
            found++;
        }
        v->a[w++] = *cur;
    }
    v->n = w;
    return found;
}
