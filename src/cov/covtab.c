/* covtab.c -- per-bin coverage tables: allocation, metcn TSV writer, and a reader (in named
 * steps over the one TSV line reader) for the metcn TSV, CNVkit .cnn/.targetcoverage.cnn and
 * mosdepth regions.bed(.gz), each recognised by its content. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include <htslib/bgzf.h>
#include <htslib/kstring.h>

#include "cov/foreign.h"
#include "metcn/cov.h"
#include "metcn/metcn.h"
#include "metcn/util.h"

static const char *const drop_names[METCN_N_DROP] = {
    "dropped_unmapped",      "dropped_secondary",  "dropped_qcfail", "dropped_duplicate",
    "dropped_supplementary", "dropped_other_flag", "dropped_mapq",   "dropped_fraglen"};

const char *metcn_drop_name(metcn_drop_t d)
{
    return (unsigned)d < METCN_N_DROP ? drop_names[d] : "dropped_unknown";
}

metcn_covtab_t *metcn_covtab_new(const metcn_panel_t *panel)
{
    metcn_covtab_t *t = calloc(1, sizeof *t);
    size_t n = panel->n_bins ? panel->n_bins : 1;
    if (!t)
        goto nomem;
    t->panel = panel;
    t->n = panel->n_bins;
    t->fragments = calloc(n, sizeof *t->fragments);
    t->depth = calloc(n, sizeof *t->depth);
    t->gc = malloc(n * sizeof *t->gc);
    if (!t->fragments || !t->depth || !t->gc)
        goto nomem;
    for (size_t i = 0; i < n; i++)
        t->gc[i] = NAN;
    return t;
nomem:
    metcn_covtab_destroy(t);
    metcn_set_error(METCN_E_NOMEM, "out of memory");
    return NULL;
}

void metcn_covtab_destroy(metcn_covtab_t *t)
{
    if (!t)
        return;
    free(t->fragments);
    free(t->depth);
    free(t->gc);
    free(t->dropped);
    free(t->sample);
    free(t->source);
    free(t->format);
    free(t->mode);
    free(t->frag_class);
    metcn_sites_destroy(t->sites);
    free(t);
}

int64_t metcn_covtab_frags_between(const metcn_covtab_t *t, size_t row, int lo, int hi)
{
    int a = -1, b = -1;
    for (int k = 0; k <= t->n_frag_class; k++) {
        if (t->frag_edge[k] == lo)
            a = k;
        if (t->frag_edge[k] == hi)
            b = k;
    }
    if (!t->frag_class || row >= t->n || a < 0 || b <= a)
        return -1;
    uint64_t sum = 0;
    for (int k = a; k < b; k++)
        sum += t->frag_class[row * (size_t)t->n_frag_class + (size_t)k];
    return (int64_t)sum;
}

char *metcn_covtab_alleles_path(const char *table_path)
{
    kstring_t ks = KS_INITIALIZE;
    size_t n = strlen(table_path);
    int gz = metcn_ends_with(table_path, ".gz") || metcn_ends_with(table_path, ".bgz");
    if (gz)
        n -= metcn_ends_with(table_path, ".gz") ? 3 : 4;
    if (n > 4 && strncmp(table_path + n - 4, ".tsv", 4) == 0)
        n -= 4;
    if (kputsn(table_path, n, &ks) < 0 || kputs(".alleles.tsv", &ks) < 0 ||
        (gz && kputs(".gz", &ks) < 0)) {
        free(ks.s);
        metcn_set_error(METCN_E_NOMEM, "out of memory");
        return NULL;
    }
    return ks.s;
}

/* The file name part of a path (borrowed). */
static const char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    return b ? b + 1 : path;
}

/* A '##' line's value: control characters (a tab or newline in a file or sample name would
 * break the line) written as '_'. */
static void put_clean(metcn_ofile_t *f, const char *v)
{
    char buf[256];
    size_t n = 0;
    for (const char *p = v ? v : ""; *p; p++) {
        buf[n++] = (unsigned char)*p < 0x20 || *p == 0x7f ? '_' : *p;
        if (n == sizeof buf - 1 || !p[1]) {
            buf[n] = 0;
            metcn_ofile_printf(f, "%s", buf);
            n = 0;
        }
    }
}

/* The '##' header lines of a written table (the allele table's name, when there is one). */
static void write_header(metcn_ofile_t *f, const metcn_covtab_t *t, const metcn_cov_opt_t *opt,
                         const char *cmdline, const char *alleles)
{
    const metcn_panel_t *p = t->panel;
    char sum[17];
    metcn_ofile_printf(f, "##metcn-coverage version=%s\n", METCN_VERSION);
    metcn_ofile_printf(f, "##sample=");
    put_clean(f, t->sample);
    metcn_ofile_printf(f, "\n##source=");
    put_clean(f, t->source);
    if (cmdline) {
        metcn_ofile_printf(f, "\n##command=");
        put_clean(f, cmdline);
    }
    metcn_ofile_printf(f, "\n##panel=");
    put_clean(f, p->source);
    metcn_ofile_printf(f, " checksum=%s\n", metcn_panel_checksum(p, sum));
    if (opt) {
        metcn_ofile_printf(f, "##filters=min_mapq:%d exclude_flags:0x%x include_flags:0x%x",
                           opt->min_mapq, opt->exclude_flags, opt->include_flags);
        if (t->dedup == METCN_DEDUP_COORD)
            metcn_ofile_printf(f, " dedup:coord");
        if (t->size_max > 0)
            metcn_ofile_printf(f, " size_select:%d-%d", t->size_min, t->size_max);
        metcn_ofile_printf(f, "\n");
    }
    if (t->mode)
        metcn_ofile_printf(f, "##mode=%s\n", t->mode);
    if (alleles)
        metcn_ofile_printf(f, "##alleles=%s sites=%zu min_baseq=%d\n", base_name(alleles),
                           t->sites->n, t->sites->min_baseq);
}

/* Columns and rows of a written table. */
static void write_rows(metcn_ofile_t *f, const metcn_covtab_t *t)
{
    const metcn_panel_t *p = t->panel;
    int ndrop = t->size_max > 0 ? METCN_N_DROP : METCN_DROP_FRAGLEN; /* (only when selected) */
    metcn_ofile_printf(f, "#chrom\tstart\tend\tname\trole\tlength\tfragments\tmean_depth%s",
                       t->has_gc ? "\tgc" : "");
    if (t->dropped)
        for (int d = 0; d < ndrop; d++)
            metcn_ofile_printf(f, "\t%s", drop_names[d]);
    for (int k = 0; t->frag_class && k < t->n_frag_class; k++)
        metcn_ofile_printf(f, "\tfrag_%d_%d", t->frag_edge[k], t->frag_edge[k + 1]);
    metcn_ofile_printf(f, "\n");
    for (size_t i = 0; i < t->n; i++) {
        const metcn_bin_t *b = &p->bins[i];
        metcn_ofile_printf(f, "%s\t%lld\t%lld\t%s\t%s\t%lld\t%llu\t%.4f",
                           p->contigs[b->contig].name, (long long)b->start, (long long)b->end,
                           b->name ? b->name : ".", metcn_role_name(b->role),
                           (long long)(b->end - b->start), (unsigned long long)t->fragments[i],
                           t->depth[i]);
        if (t->has_gc) {
            if (isfinite(t->gc[i]))
                metcn_ofile_printf(f, "\t%.4f", t->gc[i]);
            else
                metcn_ofile_printf(f, "\tNA");
        }
        if (t->dropped)
            for (int d = 0; d < ndrop; d++)
                metcn_ofile_printf(f, "\t%llu", (unsigned long long)t->dropped[i][d]);
        for (int k = 0; t->frag_class && k < t->n_frag_class; k++)
            metcn_ofile_printf(
                f, "\t%llu",
                (unsigned long long)t->frag_class[i * (size_t)t->n_frag_class + (size_t)k]);
        metcn_ofile_printf(f, "\n");
    }
}

int metcn_covtab_write(const metcn_covtab_t *t, const char *path, const metcn_cov_opt_t *opt,
                       const char *cmdline)
{
    char *alleles = NULL;
    if (t->sites) {
        if (strcmp(path, "-") == 0)
            return metcn_set_error(METCN_E_ARG, "-: allele counts need a table file beside "
                                                "them, not standard output");
        if (!(alleles = metcn_covtab_alleles_path(path)))
            return METCN_E_NOMEM;
    }
    metcn_ofile_t *f = metcn_ofile_open(path);
    if (!f) {
        free(alleles);
        return metcn_last_error_code();
    }
    write_header(f, t, opt, cmdline, alleles);
    write_rows(f, t);
    /* The allele table first, then the table that names it; a failure leaves neither. */
    int rc = alleles ? metcn_sites_write(t->sites, t->panel, t->sample, alleles) : 0;
    if (rc != 0) {
        metcn_ofile_close(f, 0);
    } else if ((rc = metcn_ofile_close(f, 1)) != 0 && alleles) {
        unlink(alleles);
    }
    free(alleles);
    return rc;
}

/* ---- reader -------------------------------------------------------------------------------- */

/* Where the values are in a table's columns. */
typedef struct {
    int kind;                                          /* metcn_table_t */
    int ncols, c_depth, c_log2, c_frag, c_gc, c_class; /* c_class: first frag_<lo>_<hi> */
    int c_drop[METCN_N_DROP];
    int first_is_data;   /* mosdepth: the line that decided the layout is a row */
    foreign_layout_t fo; /* GATK, Picard: foreign.c reads the rows */
} layout_t;

static int col_index(char **f, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(f[i], name) == 0)
            return i;
    return -1;
}

/* The layout a table's first line after its '##' lines gives it (f: that line's n fields):
 * the metcn header, a CNVkit header, or (no header) a mosdepth row "chrom start end [name]
 * mean".  0, or -1 when it is none of them. */
static int classify(char **f, int n, layout_t *L)
{
    int64_t x;
    memset(L, -1, sizeof *L);
    L->first_is_data = 0;
    L->ncols = n;
    char *h0 = f[0][0] == '#' ? f[0] + 1 : f[0];
    if (foreign_classify(f, n, &L->fo)) {
        L->kind = L->fo.kind;
        L->c_frag = L->fo.c_count; /* GATK: has fragments (read counts) */
        return 0;
    }
    if (strcmp(h0, "chrom") == 0 && n >= 8 && strcmp(f[6], "fragments") == 0) {
        L->kind = METCN_TABLE_METCN;
        L->c_frag = 6;
        L->c_depth = 7;
        L->c_gc = col_index(f, n, "gc");
        for (int d = 0; d < METCN_N_DROP; d++)
            L->c_drop[d] = col_index(f, n, drop_names[d]);
        return 0;
    }
    if (strcmp(h0, "chromosome") == 0 && n >= 4) {
        L->kind = METCN_TABLE_CNVKIT;
        L->c_depth = col_index(f, n, "depth");
        L->c_log2 = col_index(f, n, "log2");
        L->c_gc = col_index(f, n, "gc");
        return 0;
    }
    if (f[0][0] != '#' && (n == 4 || n == 5) && metcn_parse_int64(f[1], 0, INT64_MAX, &x) == 0 &&
        metcn_parse_int64(f[2], 0, INT64_MAX, &x) == 0) {
        L->kind = METCN_TABLE_MOSDEPTH;
        L->c_depth = n - 1;
        L->first_is_data = 1;
        return 0;
    }
    return -1;
}

int metcn_covtab_sniff(const char *text, size_t len)
{
    /* The first line that is not a '##' line decides; a text cut before it says nothing. */
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            return -1;
        size_t l = (size_t)(nl - p);
        if (l == 0 || (l >= 2 && p[0] == '#' && p[1] == '#') ||
            (p[0] == '@' && l >= 3 && p[1] >= 'A' && p[1] <= 'Z')) {
            p = nl + 1; /* '##' lines, a GATK table's SAM-style '@' header */
            continue;
        }
        char *line = strndup(p, l), *f[64];
        if (!line)
            return -1;
        layout_t L;
        int n = metcn_split(line, '\t', f, 64);
        int kind = classify(f, n, &L) == 0 ? L.kind : -1;
        free(line);
        return kind;
    }
    return -1;
}

/* What a metcn table's '##' lines add beyond the sample: the filters' duplicate handling and
 * size selection, and the name of the allele table (into *alleles, caller frees). */
static int header_extras(const char *line, metcn_covtab_t *t, char **alleles)
{
    if (strncmp(line, "##filters=", 10) == 0) {
        const char *d = strstr(line, " dedup:coord"), *z = strstr(line, " size_select:");
        t->dedup = d ? METCN_DEDUP_COORD : METCN_DEDUP_FLAG;
        if (z && sscanf(z + 13, "%d-%d", &t->size_min, &t->size_max) != 2)
            return -1;
    } else if (strncmp(line, "##alleles=", 10) == 0 && !*alleles) {
        size_t n = strcspn(line + 10, " \t");
        if (n == 0 || !(*alleles = strndup(line + 10, n)))
            return -1;
    }
    return 0;
}

/* The fragment-length class columns (frag_<lo>_<hi>, consecutive, from 0 to 1001) of a metcn
 * table's column line: their first column into *first and the classes into t.  0 when there
 * are none or they are well formed, else -1. */
static int frag_columns(char **f, int n, metcn_covtab_t *t, int *first)
{
    int k = 0;
    *first = -1;
    for (int i = 0; i < n; i++) {
        int lo, hi, used = 0;
        if (sscanf(f[i], "frag_%d_%d%n", &lo, &hi, &used) != 2 || f[i][used])
            continue;
        if (*first < 0)
            *first = i;
        if (i != *first + k || k > METCN_MAX_FRAG_EDGES || hi <= lo ||
            lo != (k ? t->frag_edge[k] : 0))
            return -1;
        t->frag_edge[k++] = lo;
        t->frag_edge[k] = hi;
    }
    if (k && t->frag_edge[k] != METCN_COV_MAX_FRAGMENT + 1)
        return -1;
    t->n_frag_class = k;
    if (k && !(t->frag_class = calloc(t->n ? t->n * (size_t)k : 1, sizeof *t->frag_class)))
        return -1;
    return 0;
}

/* One row's class counts (columns from first) into bin row i. */
static int frag_row(char **f, int first, metcn_covtab_t *t, size_t i)
{
    for (int k = 0; k < t->n_frag_class; k++) {
        int64_t v;
        if (metcn_parse_int64(f[first + k], 0, INT64_MAX, &v))
            return -1;
        t->frag_class[i * (size_t)t->n_frag_class + (size_t)k] = (uint64_t)v;
    }
    return 0;
}

/* The allele table named by a table at path (name: as the header gives it), read beside it. */
static int read_alleles(const char *path, const char *name, metcn_covtab_t *t)
{
    const char *slash = strrchr(path, '/');
    kstring_t ks = KS_INITIALIZE;
    if ((slash && kputsn(path, (size_t)(slash - path + 1), &ks) < 0) || kputs(name, &ks) < 0) {
        free(ks.s);
        return metcn_set_error(METCN_E_NOMEM, "out of memory");
    }
    if (access(ks.s, R_OK) != 0) {
        metcn_set_error(METCN_E_IO, "%s: its allele table %s cannot be read: %s", path, ks.s,
                        strerror(errno));
        free(ks.s);
        return METCN_E_IO;
    }
    t->sites = metcn_sites_read(ks.s, t->panel);
    free(ks.s);
    return t->sites ? 0 : metcn_last_error_code();
}

/* Read step 1: the '##' lines (the sample name) and the line that decides the layout.  Returns
 * 1 with the layout and that line's fields (*f, *nf: for mosdepth the first row), or < 0. */
static int read_header(metcn_tsv_t *in, metcn_covtab_t *t, layout_t *L, char ***f, int *nf,
                       char **alleles)
{
    const char *path = metcn_tsv_name(in);
    int r;
    while ((r = metcn_tsv_next(in)) > 0) {
        char *line = metcn_tsv_line(in);
        if (metcn_tsv_len(in) == 0)
            continue;
        if (foreign_header_line(line))
            continue;
        if (strncmp(line, "##", 2) == 0) {
            if (strncmp(line, "##sample=", 9) == 0 && !t->sample && !(t->sample = strdup(line + 9)))
                return metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
            if (header_extras(line, t, alleles) != 0)
                return metcn_set_error(METCN_E_FORMAT, "%s:%ld: bad header line", path,
                                       metcn_tsv_lineno(in));
            continue;
        }
        int n = *nf = metcn_tsv_split(in, f);
        if (n < 0)
            return n;
        if (classify(*f, n, L) == 0) {
            if (L->kind == METCN_TABLE_CNVKIT && L->c_depth < 0 && L->c_log2 < 0)
                return metcn_set_error(METCN_E_FORMAT,
                                       "%s:%ld: CNVkit coverage file without a depth or log2 "
                                       "column",
                                       path, metcn_tsv_lineno(in));
            if (L->kind == METCN_TABLE_METCN && frag_columns(*f, n, t, &L->c_class) != 0)
                return metcn_set_error(METCN_E_FORMAT,
                                       "%s:%ld: fragment class columns must be consecutive "
                                       "frag_<lo>_<hi> from 0 to 1001",
                                       path, metcn_tsv_lineno(in));
            return 1;
        }
        if ((*f)[0][0] == '#')
            return metcn_set_error(METCN_E_FORMAT, "%s:%ld: unrecognised header line", path,
                                   metcn_tsv_lineno(in));
        return metcn_set_error(METCN_E_FORMAT,
                               "%s:%ld: not a metcn coverage table, a CNVkit .cnn, a mosdepth "
                               "regions file, a GATK CollectReadCounts TSV or a Picard "
                               "HsMetrics per-target file (%d columns, no header)",
                               path, metcn_tsv_lineno(in), n);
    }
    return r < 0 ? r : metcn_set_error(METCN_E_FORMAT, "%s: no coverage rows (empty table)", path);
}

static int parse_depth(const layout_t *L, char **f, double *depth)
{
    if (L->c_depth >= 0)
        return metcn_parse_double(f[L->c_depth], 0, 1e12, depth) ? -1 : 0;
    double l2; /* old CNVkit layout: log2 of the mean depth */
    if (metcn_parse_double(f[L->c_log2], -1e6, 1e6, &l2))
        return -2;
    *depth = l2 <= -20 ? 0 : pow(2, l2);
    return 0;
}

/* Read step 2: one row (its n fields f) into bin `i`'s values. */
static int parse_values(metcn_tsv_t *in, const layout_t *L, char **f, metcn_covtab_t *t, long i)
{
    const char *path = metcn_tsv_name(in);
    long ln = metcn_tsv_lineno(in);
    int r = parse_depth(L, f, &t->depth[i]);
    if (r)
        return metcn_set_error(METCN_E_FORMAT, "%s:%ld: bad %s '%s'", path, ln,
                               r == -1 ? "depth" : "log2", f[r == -1 ? L->c_depth : L->c_log2]);
    int64_t v;
    if (L->c_frag >= 0) {
        if (metcn_parse_int64(f[L->c_frag], 0, INT64_MAX, &v))
            return metcn_set_error(METCN_E_FORMAT, "%s:%ld: bad fragment count '%s'", path, ln,
                                   f[L->c_frag]);
        t->fragments[i] = (uint64_t)v;
    }
    if (L->c_gc >= 0 && strcmp(f[L->c_gc], "NA") != 0 &&
        metcn_parse_double(f[L->c_gc], 0, 1, &t->gc[i]))
        return metcn_set_error(METCN_E_FORMAT, "%s:%ld: bad gc '%s'", path, ln, f[L->c_gc]);
    if (L->c_class >= 0 && frag_row(f, L->c_class, t, (size_t)i) != 0)
        return metcn_set_error(METCN_E_FORMAT, "%s:%ld: bad fragment class count", path, ln);
    if (L->c_drop[0] < 0)
        return 0;
    if (!t->dropped && !(t->dropped = calloc(t->n ? t->n : 1, sizeof *t->dropped)))
        return metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
    for (int d = 0; d < METCN_N_DROP; d++) {
        v = 0;
        if (L->c_drop[d] >= 0 && metcn_parse_int64(f[L->c_drop[d]], 0, INT64_MAX, &v))
            return metcn_set_error(METCN_E_FORMAT, "%s:%ld: bad %s", path, ln, drop_names[d]);
        t->dropped[i][d] = (uint64_t)v;
    }
    return 0;
}

/* Read step 2: the current line (its n fields f) as a row: its bin (exactly one panel bin,
 * seen once). */
static int parse_row(metcn_tsv_t *in, const layout_t *L, metcn_covtab_t *t, uint8_t *seen, char **f,
                     int n)
{
    const char *path = metcn_tsv_name(in);
    const metcn_panel_t *panel = t->panel;
    long ln = metcn_tsv_lineno(in);
    if (n != L->ncols)
        return metcn_set_error(METCN_E_FORMAT, "%s:%ld: %d columns, expected %d", path, ln, n,
                               L->ncols);
    int64_t s, e;
    double fdepth = 0, fgc = NAN;
    uint64_t fcount = 0;
    int foreign = L->kind == METCN_TABLE_GATK || L->kind == METCN_TABLE_PICARD;
    int fr = foreign ? foreign_row(&L->fo, f, &s, &e, &fdepth, &fgc, &fcount) : 0;
    if (fr == -2)
        return metcn_set_error(METCN_E_FORMAT, "%s:%ld: bad %s", path, ln,
                               L->kind == METCN_TABLE_GATK ? "COUNT" : "mean_coverage or %gc");
    if (fr == -1 || (!foreign && (metcn_parse_int64(f[1], 0, INT64_MAX / 4, &s) ||
                                  metcn_parse_int64(f[2], 1, INT64_MAX / 4, &e))))
        return metcn_set_error(METCN_E_FORMAT, "%s:%ld: bad start or end", path, ln);
    long i = metcn_panel_find(panel, f[0], s, e);
    /* CNVkit writes antitarget bins in separate files; a metcn table never has extra rows,
     * and a mosdepth file must be made with the panel as -b. */
    if (i < 0)
        return metcn_set_error(METCN_E_INCOMPATIBLE,
                               "%s:%ld: %s:%lld-%lld matches no bin of panel %s (coverage made "
                               "with another panel?)",
                               path, ln, f[0], (long long)s, (long long)e, panel->source);
    if (seen[i])
        return metcn_set_error(METCN_E_FORMAT, "%s:%ld: bin %s:%lld-%lld appears twice", path, ln,
                               f[0], (long long)s, (long long)e);
    seen[i] = 1;
    if (foreign) {
        t->depth[i] = fdepth;
        t->gc[i] = fgc;
        t->fragments[i] = fcount;
        return 0;
    }
    return parse_values(in, L, f, t, i);
}

/* Read step 3: every bin has its row; the table's description. */
static int read_finish(metcn_tsv_t *in, const layout_t *L, metcn_covtab_t *t, const uint8_t *seen)
{
    const char *path = metcn_tsv_name(in);
    const metcn_panel_t *panel = t->panel;
    size_t missing = 0, first = 0;
    for (size_t i = panel->n_bins; i-- > 0;)
        if (!seen[i]) {
            missing++;
            first = i;
        }
    if (missing) {
        const metcn_bin_t *b = &panel->bins[first];
        return metcn_set_error(METCN_E_INCOMPATIBLE,
                               "%s: no row for bin %s:%lld-%lld of panel %s (%zu of %zu bins "
                               "missing: coverage made with another panel?)",
                               path, panel->contigs[b->contig].name, (long long)b->start,
                               (long long)b->end, panel->source, missing, panel->n_bins);
    }
    static const char *const kind_names[] = {"metcn", "cnvkit", "mosdepth", "gatk", "picard"};
    t->has_fragments = L->c_frag >= 0;
    t->has_gc = 0;
    for (size_t i = 0; i < t->n; i++)
        t->has_gc |= isfinite(t->gc[i]);
    if (!(t->format = strdup(kind_names[L->kind])) || !(t->source = strdup(path)) ||
        (!t->sample && !(t->sample = metcn_path_stem(path))))
        return metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
    return 0;
}

metcn_covtab_t *metcn_covtab_read_tsv(metcn_tsv_t *in, const metcn_panel_t *panel)
{
    metcn_covtab_t *t = metcn_covtab_new(panel);
    uint8_t *seen = calloc(panel->n_bins ? panel->n_bins : 1, 1);
    layout_t L;
    char **f = NULL, *alleles = NULL;
    int nf = 0;
    int r = t && seen ? read_header(in, t, &L, &f, &nf, &alleles)
                      : metcn_set_error(METCN_E_NOMEM, "%s: out of memory", metcn_tsv_name(in));
    if (r == 1 && L.first_is_data)
        r = parse_row(in, &L, t, seen, f, nf) == 0 ? 1 : -1;
    while (r == 1 && (r = metcn_tsv_next(in)) > 0) {
        if (metcn_tsv_len(in) == 0)
            continue;
        if ((nf = metcn_tsv_split(in, &f)) < 0 || parse_row(in, &L, t, seen, f, nf) < 0)
            r = -1;
    }
    if (r == 0)
        r = read_finish(in, &L, t, seen);
    if (r == 0 && alleles && read_alleles(metcn_tsv_name(in), alleles, t) != 0)
        r = -1;
    free(alleles);
    free(seen);
    if (r < 0) {
        metcn_covtab_destroy(t);
        return NULL;
    }
    return t;
}

metcn_covtab_t *metcn_covtab_read(const char *path, const metcn_panel_t *panel)
{
    metcn_tsv_t *in = metcn_tsv_open(path);
    metcn_covtab_t *t = in ? metcn_covtab_read_tsv(in, panel) : NULL;
    metcn_tsv_close(in);
    return t;
}
