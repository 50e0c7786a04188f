/* covtab.c -- per-bin coverage tables: allocation, metcn TSV writer, and a reader for the
 * metcn TSV, CNVkit .cnn/.targetcoverage.cnn and mosdepth regions.bed(.gz). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include <htslib/bgzf.h>
#include <htslib/kstring.h>

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

/* The '##' header lines of a written table (the allele table's name, when there is one). */
static void write_header(metcn_ofile_t *f, const metcn_covtab_t *t, const metcn_cov_opt_t *opt,
                         const char *cmdline, const char *alleles)
{
    const metcn_panel_t *p = t->panel;
    char sum[17];
    metcn_ofile_printf(f, "##metcn-coverage version=%s\n", METCN_VERSION);
    metcn_ofile_printf(f, "##sample=%s\n", t->sample ? t->sample : "");
    metcn_ofile_printf(f, "##source=%s\n", t->source ? t->source : "");
    if (cmdline)
        metcn_ofile_printf(f, "##command=%s\n", cmdline);
    metcn_ofile_printf(f, "##panel=%s checksum=%s gene=%s\n", p->source,
                       metcn_panel_checksum(p, sum), p->gene);
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

enum { FMT_METCN, FMT_CNVKIT, FMT_MOSDEPTH };

static int col_index(char **f, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(f[i], name) == 0)
            return i;
    return -1;
}

/* Sample name from a path: basename without the known extensions. */
static char *sample_from_path(const char *path)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    char *s = strdup(b);
    if (!s)
        return NULL;
    static const char *const ext[] = {
        ".gz", ".bgz", ".tsv", ".cnn", ".bed", ".regions", ".targetcoverage", ".coverage"};
    for (int again = 1; again;) {
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

metcn_covtab_t *metcn_covtab_read(const char *path, const metcn_panel_t *panel)
{
    BGZF *fp = bgzf_open(path, "r");
    if (!fp) {
        metcn_set_error(METCN_E_IO, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    metcn_covtab_t *t = metcn_covtab_new(panel);
    uint8_t *seen = calloc(panel->n_bins ? panel->n_bins : 1, 1);
    kstring_t line = KS_INITIALIZE;
    char *f[64];
    int fmt = -1, c_depth = -1, c_log2 = -1, c_frag = -1, c_gc = -1, ncols = 0, c_class = -1;
    char *alleles = NULL;
    int c_drop[METCN_N_DROP];
    long lineno = 0;
    int got, ok = 0;
    size_t rows = 0;
    if (!t || !seen) {
        metcn_set_error(METCN_E_NOMEM, "out of memory");
        goto out;
    }
    for (int d = 0; d < METCN_N_DROP; d++)
        c_drop[d] = -1;
    while ((got = bgzf_getline(fp, '\n', &line)) >= 0) {
        lineno++;
        if (line.l == 0)
            continue;
        if (strncmp(line.s, "##", 2) == 0) {
            if (strncmp(line.s, "##metcn-coverage", 16) == 0)
                fmt = FMT_METCN;
            else if (strncmp(line.s, "##sample=", 9) == 0 && !t->sample)
                t->sample = strdup(line.s + 9);
            else if (header_extras(line.s, t, &alleles) != 0) {
                metcn_set_error(METCN_E_FORMAT, "%s:%ld: bad header line", path, lineno);
                goto out;
            }
            continue;
        }
        int n = metcn_split(line.s, '\t', f, 64);
        if (ncols == 0) {
            /* The first non-'##' line: a column header, or (mosdepth) data. */
            char *h0 = f[0][0] == '#' ? f[0] + 1 : f[0];
            if (strcmp(h0, "chrom") == 0 && n >= 8 && strcmp(f[6], "fragments") == 0) {
                fmt = FMT_METCN;
                ncols = n;
                c_frag = 6;
                c_depth = 7;
                c_gc = col_index(f, n, "gc");
                for (int d = 0; d < METCN_N_DROP; d++)
                    c_drop[d] = col_index(f, n, drop_names[d]);
                if (frag_columns(f, n, t, &c_class) != 0) {
                    metcn_set_error(METCN_E_FORMAT,
                                    "%s:%ld: fragment class columns must be consecutive "
                                    "frag_<lo>_<hi> from 0 to 1001",
                                    path, lineno);
                    goto out;
                }
                continue;
            }
            if (strcmp(h0, "chromosome") == 0 && n >= 4) {
                fmt = FMT_CNVKIT;
                ncols = n;
                c_depth = col_index(f, n, "depth");
                c_log2 = col_index(f, n, "log2");
                c_gc = col_index(f, n, "gc");
                if (c_depth < 0 && c_log2 < 0) {
                    metcn_set_error(METCN_E_FORMAT,
                                    "%s:%ld: CNVkit coverage file without a depth or log2 "
                                    "column",
                                    path, lineno);
                    goto out;
                }
                continue;
            }
            if (f[0][0] == '#') {
                metcn_set_error(METCN_E_FORMAT, "%s:%ld: unrecognised header line", path, lineno);
                goto out;
            }
            if (n == 4 || n == 5) { /* mosdepth regions: chrom start end [name] mean */
                fmt = FMT_MOSDEPTH;
                ncols = n;
                c_depth = n - 1;
            } else {
                metcn_set_error(METCN_E_FORMAT,
                                "%s:%ld: not a metcn coverage table, a CNVkit .cnn or a "
                                "mosdepth regions file (%d columns, no header)",
                                path, lineno, n);
                goto out;
            }
        }
        if (n != ncols) {
            metcn_set_error(METCN_E_FORMAT, "%s:%ld: %d columns, expected %d", path, lineno, n,
                            ncols);
            goto out;
        }
        int64_t s, e;
        if (metcn_parse_int64(f[1], 0, INT64_MAX / 4, &s) ||
            metcn_parse_int64(f[2], 1, INT64_MAX / 4, &e)) {
            metcn_set_error(METCN_E_FORMAT, "%s:%ld: bad start or end", path, lineno);
            goto out;
        }
        long i = metcn_panel_find(panel, f[0], s, e);
        if (i < 0) {
            /* CNVkit writes antitarget bins in separate files; a metcn table never has extra
             * rows, and a mosdepth file must be made with the panel as -b. */
            metcn_set_error(METCN_E_INCOMPATIBLE,
                            "%s:%ld: %s:%lld-%lld matches no bin of panel %s (coverage made "
                            "with another panel?)",
                            path, lineno, f[0], (long long)s, (long long)e, panel->source);
            goto out;
        }
        if (seen[i]) {
            metcn_set_error(METCN_E_FORMAT, "%s:%ld: bin %s:%lld-%lld appears twice", path, lineno,
                            f[0], (long long)s, (long long)e);
            goto out;
        }
        seen[i] = 1;
        rows++;
        double depth = NAN;
        if (c_depth >= 0) {
            if (metcn_parse_double(f[c_depth], 0, 1e12, &depth)) {
                metcn_set_error(METCN_E_FORMAT, "%s:%ld: bad depth '%s'", path, lineno, f[c_depth]);
                goto out;
            }
        } else { /* old CNVkit layout: log2 of the mean depth */
            double l2;
            if (metcn_parse_double(f[c_log2], -1e6, 1e6, &l2)) {
                metcn_set_error(METCN_E_FORMAT, "%s:%ld: bad log2 '%s'", path, lineno, f[c_log2]);
                goto out;
            }
            depth = l2 <= -20 ? 0 : pow(2, l2);
        }
        t->depth[i] = depth;
        if (c_frag >= 0) {
            int64_t fr;
            if (metcn_parse_int64(f[c_frag], 0, INT64_MAX, &fr)) {
                metcn_set_error(METCN_E_FORMAT, "%s:%ld: bad fragment count '%s'", path, lineno,
                                f[c_frag]);
                goto out;
            }
            t->fragments[i] = (uint64_t)fr;
        }
        if (c_gc >= 0 && strcmp(f[c_gc], "NA") != 0) {
            double gc;
            if (metcn_parse_double(f[c_gc], 0, 1, &gc)) {
                metcn_set_error(METCN_E_FORMAT, "%s:%ld: bad gc '%s'", path, lineno, f[c_gc]);
                goto out;
            }
            t->gc[i] = gc;
        }
        if (c_drop[0] >= 0) {
            if (!t->dropped && !(t->dropped = calloc(panel->n_bins, sizeof *t->dropped))) {
                metcn_set_error(METCN_E_NOMEM, "out of memory");
                goto out;
            }
            for (int d = 0; d < METCN_N_DROP; d++) {
                int64_t v = 0;
                if (c_drop[d] >= 0 && metcn_parse_int64(f[c_drop[d]], 0, INT64_MAX, &v)) {
                    metcn_set_error(METCN_E_FORMAT, "%s:%ld: bad %s", path, lineno, drop_names[d]);
                    goto out;
                }
                t->dropped[i][d] = (uint64_t)v;
            }
        }
        if (c_class >= 0 && frag_row(f, c_class, t, (size_t)i) != 0) {
            metcn_set_error(METCN_E_FORMAT, "%s:%ld: bad fragment class count", path, lineno);
            goto out;
        }
    }
    if (got < -1) {
        metcn_set_error(METCN_E_TRUNCATED,
                        "%s: read error or corrupt compressed data after "
                        "line %ld",
                        path, lineno);
        goto out;
    }
    if (rows < panel->n_bins) {
        for (size_t i = 0; i < panel->n_bins; i++)
            if (!seen[i]) {
                const metcn_bin_t *b = &panel->bins[i];
                metcn_set_error(METCN_E_INCOMPATIBLE,
                                "%s: no row for bin %s:%lld-%lld of panel %s (%zu of %zu bins "
                                "missing: coverage made with another panel?)",
                                path, panel->contigs[b->contig].name, (long long)b->start,
                                (long long)b->end, panel->source, panel->n_bins - rows,
                                panel->n_bins);
                goto out;
            }
    }
    t->has_fragments = c_frag >= 0;
    t->has_gc = 0;
    for (size_t i = 0; i < t->n; i++)
        t->has_gc |= isfinite(t->gc[i]);
    t->format = strdup(fmt == FMT_METCN ? "metcn" : fmt == FMT_CNVKIT ? "cnvkit" : "mosdepth");
    t->source = strdup(path);
    if (!t->sample)
        t->sample = sample_from_path(path);
    if (!t->format || !t->source || !t->sample) {
        metcn_set_error(METCN_E_NOMEM, "out of memory");
        goto out;
    }
    if (alleles && read_alleles(path, alleles, t) != 0)
        goto out;
    ok = 1;
out:
    free(alleles);
    free(line.s);
    free(seen);
    bgzf_close(fp);
    if (!ok) {
        metcn_covtab_destroy(t);
        return NULL;
    }
    return t;
}
