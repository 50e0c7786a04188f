/* cnvkit.c -- CNVkit results as input: a .cnr (chromosome start end gene log2 depth weight,
 * from `cnvkit.py fix`) taken as an already normalised sample.  Its rows make the panel (the
 * "Antitarget" rows are off-target bins), its log2 ratios are the normalised bins, and its
 * weights (CNVkit: an estimate of 1 - variance, in (0, 1]) give each bin's relative variance
 * 1 - weight, scaled to the sample's own scatter (docs/pon.md, "CNVkit results as input").
 * File coordinates are 0-based half-open (BED-like), as in the panel. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "metcn/metcn.h"
#include "metcn/stats.h"
#include "metcn/util.h"
#include "sample/sample_internal.h"

/* CNVkit writes log2 = -20 for a bin without coverage; below this a bin is not used. */
#define CNR_MIN_LOG2 -15.0
/* Floor of the relative variance 1 - weight (CNVkit clips weights to 1). */
#define CNR_MIN_RELVAR 1e-3

static int col(char **f, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(f[i], name) == 0)
            return i;
    return -1;
}

int cnvkit_cnr_sniff(const char *text, size_t len)
{
    const char *p = text, *end = text + len;
    while (p < end && p[0] == '#') { /* CNVkit writes none; tolerate '#' comment lines */
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            return 0;
        p = nl + 1;
    }
    const char *nl = p < end ? memchr(p, '\n', (size_t)(end - p)) : NULL;
    if (!nl)
        return 0;
    char *line = strndup(p, (size_t)(nl - p)), *f[64];
    if (!line)
        return 0;
    size_t l = strlen(line);
    if (l && line[l - 1] == '\r')
        line[l - 1] = '\0';
    int n = metcn_split(line, '\t', f, 64);
    int yes = n >= 4 && strcmp(f[0], "chromosome") == 0 && col(f, n, "weight") >= 0 &&
              col(f, n, "probes") < 0;
    free(line);
    return yes;
}

void cnvkit_cnr_free(cnvkit_cnr_t *c)
{
    if (!c)
        return;
    metcn_panel_destroy(c->panel);
    free(c->log2);
    free(c->weight);
    free(c->depth);
    memset(c, 0, sizeof *c);
}

/* The rows as read, before they are put in panel order. */
typedef struct {
    metcn_interval_t *iv;
    double *log2, *weight, *depth;
    char **names, **contigs;
    size_t n, m;
} rows_t;

static void rows_free(rows_t *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->names[i]);
        free(r->contigs[i]);
    }
    free(r->iv);
    free(r->log2);
    free(r->weight);
    free(r->depth);
    free(r->names);
    free(r->contigs);
}

static int rows_grow(rows_t *r)
{
    if (r->n < r->m)
        return 0;
    size_t m = r->m ? 2 * r->m : 1024;
    void *a = realloc(r->iv, m * sizeof *r->iv), *b = NULL, *c = NULL, *d = NULL, *e = NULL,
         *g = NULL;
    if (a)
        r->iv = a;
    if (a && (b = realloc(r->log2, m * sizeof *r->log2)))
        r->log2 = b;
    if (b && (c = realloc(r->weight, m * sizeof *r->weight)))
        r->weight = c;
    if (c && (d = realloc(r->depth, m * sizeof *r->depth)))
        r->depth = d;
    if (d && (e = realloc(r->names, m * sizeof *r->names)))
        r->names = e;
    if (e && (g = realloc(r->contigs, m * sizeof *r->contigs)))
        r->contigs = g;
    if (!g)
        return METCN_E_NOMEM;
    r->m = m;
    return 0;
}

/* Column positions of the header; error when a required one is missing. */
typedef struct {
    int chrom, start, end, gene, log2, depth, weight, ncols;
} cnr_cols_t;

static int read_cols(metcn_tsv_t *in, cnr_cols_t *k)
{
    const char *path = metcn_tsv_name(in);
    char **f;
    int r;
    while ((r = metcn_tsv_next(in)) > 0) {
        const char *line = metcn_tsv_line(in);
        if (metcn_tsv_len(in) == 0 || line[0] == '#')
            continue;
        int n = metcn_tsv_split(in, &f);
        if (n < 0)
            return n;
        static const char *const need[] = {"chromosome", "start", "end", "gene", "log2", "weight"};
        int *slot[] = {&k->chrom, &k->start, &k->end, &k->gene, &k->log2, &k->weight};
        for (int j = 0; j < 6; j++)
            if ((*slot[j] = col(f, n, need[j])) < 0)
                return metcn_set_error(METCN_E_FORMAT,
                                       "%s:%ld: CNVkit .cnr header without a '%s' column", path,
                                       metcn_tsv_lineno(in), need[j]);
        k->depth = col(f, n, "depth");
        k->ncols = n;
        return 0;
    }
    return r < 0 ? r : metcn_set_error(METCN_E_FORMAT, "%s: empty CNVkit .cnr", path);
}

/* One row: values checked, sorted after the previous row of its contig, contig not seen
 * before in another block. */
static int read_row(metcn_tsv_t *in, const cnr_cols_t *k, rows_t *R)
{
    const char *path = metcn_tsv_name(in);
    long ln = metcn_tsv_lineno(in);
    char **f;
    int n = metcn_tsv_split(in, &f);
    if (n < 0)
        return n;
    if (n != k->ncols)
        return metcn_set_error(METCN_E_FORMAT, "%s:%ld: %d columns, the header has %d", path, ln, n,
                               k->ncols);
    int64_t s, e;
    double l2, w, d = NAN;
    if (!*f[k->chrom])
        return metcn_set_error(METCN_E_FORMAT, "%s:%ld: empty chromosome", path, ln);
    if (metcn_parse_int64(f[k->start], 0, INT64_MAX / 4, &s) ||
        metcn_parse_int64(f[k->end], 1, INT64_MAX / 4, &e) || e <= s)
        return metcn_set_error(METCN_E_FORMAT, "%s:%ld: bad start or end '%s' '%s'", path, ln,
                               f[k->start], f[k->end]);
    if (metcn_parse_double(f[k->log2], -1e3, 1e3, &l2) || !isfinite(l2))
        return metcn_set_error(METCN_E_FORMAT, "%s:%ld: bad log2 '%s'", path, ln, f[k->log2]);
    if (metcn_parse_double(f[k->weight], 0, 1, &w) || !isfinite(w))
        return metcn_set_error(METCN_E_FORMAT,
                               "%s:%ld: bad weight '%s' (CNVkit weights lie in "
                               "(0,1])",
                               path, ln, f[k->weight]);
    if (k->depth >= 0 && (metcn_parse_double(f[k->depth], 0, 1e12, &d) || !isfinite(d)))
        return metcn_set_error(METCN_E_FORMAT, "%s:%ld: bad depth '%s'", path, ln, f[k->depth]);
    if (R->n > 0) {
        const metcn_interval_t *p = &R->iv[R->n - 1];
        if (strcmp(p->contig, f[k->chrom]) == 0) {
            if (s < p->end)
                return metcn_set_error(METCN_E_FORMAT,
                                       "%s:%ld: %s:%lld-%lld %s the row before (%lld-%lld): "
                                       "rows must be sorted and not overlap",
                                       path, ln, f[k->chrom], (long long)s, (long long)e,
                                       s < p->start ? "comes before" : "overlaps",
                                       (long long)p->start, (long long)p->end);
        } else {
            for (size_t i = 0; i < R->n; i++)
                if (strcmp(R->contigs[i], f[k->chrom]) == 0)
                    return metcn_set_error(METCN_E_FORMAT,
                                           "%s:%ld: unsorted: %s appears again after %s", path, ln,
                                           f[k->chrom], p->contig);
        }
    }
    if (rows_grow(R))
        return metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
    size_t i = R->n;
    R->contigs[i] = strdup(f[k->chrom]);
    R->names[i] = strdup(f[k->gene]);
    if (!R->contigs[i] || !R->names[i]) {
        free(R->contigs[i]);
        free(R->names[i]);
        return metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
    }
    int anti = strcmp(f[k->gene], "Antitarget") == 0 || strcmp(f[k->gene], "Background") == 0;
    R->iv[i] = (metcn_interval_t){R->contigs[i], s, e, R->names[i], ln, anti};
    R->log2[i] = l2;
    R->weight[i] = w;
    R->depth[i] = d;
    R->n++;
    return 0;
}

int cnvkit_cnr_read(metcn_tsv_t *in, const char *build, cnvkit_cnr_t *out)
{
    const char *path = metcn_tsv_name(in);
    rows_t R = {0};
    cnr_cols_t k;
    memset(out, 0, sizeof *out);
    int r = read_cols(in, &k);
    while (r == 0 && (r = metcn_tsv_next(in)) > 0)
        if (metcn_tsv_len(in) > 0 && metcn_tsv_line(in)[0] != '#')
            r = read_row(in, &k, &R) < 0 ? -1 : 0;
    if (r < 0)
        goto out;
    if (R.n == 0) {
        r = metcn_set_error(METCN_E_FORMAT, "%s: CNVkit .cnr without rows", path);
        goto out;
    }
    if (!(out->panel = metcn_panel_from_intervals(R.iv, R.n, path, build))) {
        r = metcn_last_error_code();
        goto out;
    }
    size_t n = out->panel->n_bins;
    out->n = n;
    out->log2 = malloc(n * sizeof *out->log2);
    out->weight = malloc(n * sizeof *out->weight);
    out->depth = malloc(n * sizeof *out->depth);
    if (!out->log2 || !out->weight || !out->depth) {
        r = metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
        goto out;
    }
    for (size_t i = 0; i < R.n; i++) { /* rows into panel order */
        long b = metcn_panel_find(out->panel, R.iv[i].contig, R.iv[i].start, R.iv[i].end);
        if (b < 0) { /* cannot happen: the panel is made of these rows */
            r = metcn_set_error(METCN_E_FORMAT, "%s:%ld: row lost", path, R.iv[i].line);
            goto out;
        }
        out->log2[b] = R.log2[i];
        out->weight[b] = R.weight[i];
        out->depth[b] = R.depth[i];
    }
    r = 0;
out:
    rows_free(&R);
    if (r < 0)
        cnvkit_cnr_free(out);
    return r < 0 ? r : 0;
}

/* The scale s of the relative variances v: the robust SD of consecutive differences
 * (x_i - x_j) / sqrt(v_i + v_j) over the fit bins of one kind (targets or off-target bins),
 * consecutive within a contig.  NaN with fewer than 10 pairs. */
static double scatter_scale(const metcn_panel_t *p, const double *x, const double *v,
                            const int *fit, int off_target)
{
    size_t n = p->n_bins, m = 0;
    double *d = malloc((n ? n : 1) * sizeof *d), s = NAN;
    if (!d)
        return NAN;
    for (size_t i = 0, prev = SIZE_MAX; i < n; i++) {
        if (!fit[i] || p->bins[i].off_target != off_target)
            continue;
        if (prev != SIZE_MAX && p->bins[prev].contig == p->bins[i].contig)
            d[m++] = fabs(x[i] - x[prev]) / sqrt(v[i] + v[prev]);
        prev = i;
    }
    if (m >= 10)
        s = metcn_median(d, NULL, m) / 0.67449;
    free(d);
    return s;
}

int cnvkit_cnr_normalize(const cnvkit_cnr_t *in, const metcn_gene_t *gene, metcn_cnr_t **out)
{
    const metcn_panel_t *p = in->panel;
    size_t n = in->n;
    int r = 0;
    int *fit = calloc(n ? n : 1, sizeof *fit), *tfit = calloc(n ? n : 1, sizeof *tfit);
    double *v = malloc((n ? n : 1) * sizeof *v), *dep = malloc((n ? n : 1) * sizeof *dep);
    metcn_cnr_t *c = metcn_cnr_new(n);
    *out = NULL;
    if (!fit || !tfit || !v || !dep || !c) {
        r = metcn_set_error(METCN_E_NOMEM, "%s: out of memory", p->source);
        goto out;
    }
    c->normaliser = "cnvkit";
    size_t nd = 0;
    for (size_t i = 0; i < n; i++) {
        const metcn_bin_t *b = &p->bins[i];
        int ex = b->role == METCN_ROLE_OTHER     ? METCN_PON_ROLE_OTHER
                 : !(in->log2[i] > CNR_MIN_LOG2) ? METCN_PON_LOW_COVERAGE
                                                 : METCN_PON_OK;
        c->excluded[i] = ex;
        c->depth[i] = in->depth[i];
        c->log2[i] = ex ? NAN : in->log2[i];
        v[i] = 1.0 - in->weight[i];
        if (!(v[i] >= CNR_MIN_RELVAR))
            v[i] = CNR_MIN_RELVAR;
        /* the noise and the sample's level stand on autosomes off the gene's chromosome */
        fit[i] = !ex && b->role == METCN_ROLE_REFERENCE && (!gene || b->contig != gene->contig);
        tfit[i] = fit[i] && !b->off_target;
        if (tfit[i] && isfinite(in->depth[i]))
            dep[nd++] = in->depth[i];
    }
    /* one scale per kind of bin: CNVkit weights its targets and antitargets each against its
     * own variance, so the two kinds need not share the scale */
    for (int off = 0; off <= 1; off++) {
        double s = scatter_scale(p, c->log2, v, fit, off);
        if (!isfinite(s) || !(s > 0))
            s = off ? NAN : scatter_scale(p, c->log2, v, fit, 1 - off);
        if (!off)
            c->noise_cnvkit = s;
        for (size_t i = 0; i < n; i++) {
            if (p->bins[i].off_target != off)
                continue;
            double sd = isfinite(s) && s > 0 ? s * sqrt(v[i]) : NAN;
            c->pon_sd[i] = sd;
            c->weight[i] = c->excluded[i] || !isfinite(sd) ? 0 : 1.0 / (sd * sd);
        }
    }
    if (!isfinite(c->noise_cnvkit)) {
        r = metcn_set_error(METCN_E_TOOFEW,
                            "%s: too few usable autosomal target bins to estimate the noise",
                            p->source);
        goto out;
    }
    c->mapd = metcn_mapd(c->log2, tfit, n);
    c->median_depth = nd ? metcn_median(dep, NULL, nd) : NAN;
    c->gc_strength = NAN; /* CNVkit corrected GC; how much is not in the .cnr */
    c->n_components_used = 0;
    c->sex = METCN_SEX_UNKNOWN;
    c->x_log2 = NAN;
    c->noise_scale = 1.0;
    *out = c;
    c = NULL;
out:
    free(fit);
    free(tfit);
    free(v);
    free(dep);
    metcn_cnr_destroy(c);
    return r;
}
