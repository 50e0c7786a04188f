/* frag.c -- the PoN's short-fragment records: each bin's short-fragment share across the
 * normals, for the fragment-length evidence of a plasma call (docs/plasma.md "Fragment-length
 * evidence").  Built from the normals' fragment-length classes, written as `fragshort` and
 * `fragbin` records, loaded safely on any bytes.  Format: docs/pon.md. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "metcn/stats.h"
#include "metcn/util.h"
#include "pon/pon_internal.h"

#define MIN_NORMALS 3 /* a bin's centre and spread need this many normals with fragments */

void pon_frag_destroy(metcn_pon_frag_t *f)
{
    if (!f)
        return;
    free(f->centre);
    free(f->spread);
    free(f->fragments);
    free(f);
}

static metcn_pon_frag_t *frag_new(size_t n)
{
    metcn_pon_frag_t *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->n = n;
    f->centre = malloc((n ? n : 1) * sizeof *f->centre);
    f->spread = malloc((n ? n : 1) * sizeof *f->spread);
    f->fragments = malloc((n ? n : 1) * sizeof *f->fragments);
    if (!f->centre || !f->spread || !f->fragments) {
        pon_frag_destroy(f);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        f->centre[i] = f->spread[i] = f->fragments[i] = NAN;
    f->genome_median = f->genome_spread = NAN;
    return f;
}

const metcn_pon_frag_t *metcn_pon_frag(const metcn_pon_t *pon)
{
    return pon ? pon->frag : NULL;
}

/* Whether every active normal has fragment classes with an edge at short_max: 1 yes, 0 when
 * some has no classes (nothing to store), METCN_E_INCOMPATIBLE when classes miss the edge. */
static int normals_usable(metcn_covtab_t *const *normals, const size_t *idx, size_t N, int sm,
                          int level)
{
    for (size_t j = 0; j < N; j++) {
        const metcn_covtab_t *t = normals[idx[j]];
        if (t->n_frag_class == 0 || !t->frag_class) {
            metcn_log(level,
                      "%s: no fragment-length classes: the PoN stores no short-fragment shares "
                      "(fragment-length evidence not assessable with it)",
                      t->source ? t->source : t->sample);
            return 0;
        }
        if (t->n > 0 && metcn_covtab_frags_between(t, 0, 0, sm) < 0)
            return metcn_set_error(METCN_E_INCOMPATIBLE,
                                   "%s: its fragment-length classes have no edge at %d bp "
                                   "(--short-max must be one of the class edges the coverage "
                                   "used)",
                                   t->source ? t->source : t->sample, sm);
    }
    return 1;
}

/* Each normal's per-bin short share (n x N, NaN where it has no fragment in classes) and
 * fragments in classes. */
static void shares(const metcn_pon_t *pon, metcn_covtab_t *const *normals, const size_t *idx,
                   size_t N, double *s, double *tot)
{
    size_t n = pon->panel->n_bins;
    for (size_t j = 0; j < N; j++)
        for (size_t i = 0; i < n; i++) {
            const metcn_covtab_t *t = normals[idx[j]];
            int64_t a = metcn_covtab_frags_between(t, i, 0, pon->opt.short_max);
            int64_t b = metcn_covtab_frags_between(t, i, 0, METCN_COV_MAX_FRAGMENT + 1);
            tot[i * N + j] = b > 0 ? (double)b : 0;
            s[i * N + j] = b > 0 && a >= 0 ? (double)a / (double)b : NAN;
        }
}

/* The statistics from the shares: g_j over used reference bins, then per used bin. */
static int stats(metcn_pon_t *pon, metcn_pon_frag_t *f, const double *s, const double *tot,
                 size_t N)
{
    size_t n = f->n;
    double *col = malloc((n > N ? n : N) * sizeof *col), *g = malloc(N * sizeof *g);
    double *row = malloc(N * sizeof *row);
    int rc = col && g && row ? 0 : metcn_set_error(METCN_E_NOMEM, "out of memory");
    for (size_t j = 0; j < N && rc == 0; j++) {
        for (size_t i = 0; i < n; i++)
            col[i] =
                pon->excluded[i] == METCN_PON_OK && pon->panel->bins[i].role == METCN_ROLE_REFERENCE
                    ? s[i * N + j]
                    : NAN;
        g[j] = metcn_median(col, NULL, n);
    }
    size_t n_known = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (pon->excluded[i] != METCN_PON_OK)
            continue;
        size_t m = 0;
        for (size_t j = 0; j < N; j++)
            m += isfinite(s[i * N + j]) && isfinite(g[j]);
        if (m < MIN_NORMALS)
            continue;
        for (size_t j = 0; j < N; j++)
            row[j] = isfinite(g[j]) ? s[i * N + j] - g[j] : NAN;
        f->centre[i] = metcn_median(s + i * N, NULL, N);
        f->spread[i] = metcn_mad_sd(row, NULL, N, NAN);
        f->fragments[i] = metcn_median(tot + i * N, NULL, N);
        n_known++;
    }
    if (rc == 0) {
        f->genome_median = metcn_median(g, NULL, N);
        f->genome_spread = metcn_mad_sd(g, NULL, N, NAN);
    }
    free(col);
    free(g);
    free(row);
    return rc < 0 ? rc : n_known > 0 && isfinite(f->genome_median);
}

int pon_frag_build(metcn_pon_t *pon, metcn_covtab_t *const *normals, const size_t *idx, size_t N)
{
    int sm = pon->opt.short_max;
    /* with a size selection the classes hold only the selected lengths: no share to learn */
    if (sm <= 0 || pon->size_max > 0 || N < MIN_NORMALS)
        return 0;
    /* only a plasma PoN is expected to carry them: a tissue one says so quietly */
    int level = pon->opt.sample_type == METCN_SAMPLE_PLASMA ? METCN_LOG_WARNING : METCN_LOG_INFO;
    int ok = normals_usable(normals, idx, N, sm, level);
    if (ok <= 0)
        return ok;
    size_t n = pon->panel->n_bins;
    double *s = malloc((n ? n : 1) * N * sizeof *s), *tot = malloc((n ? n : 1) * N * sizeof *tot);
    metcn_pon_frag_t *f = frag_new(n);
    int rc = s && tot && f ? 0 : metcn_set_error(METCN_E_NOMEM, "out of memory");
    if (rc == 0) {
        f->short_max = sm;
        f->n_normals = N;
        shares(pon, normals, idx, N, s, tot);
        rc = stats(pon, f, s, tot, N);
    }
    if (rc == 0)
        metcn_log(level, "no normal has fragments of proper pairs in length classes: "
                         "the PoN stores no short-fragment shares");
    if (rc > 0) {
        pon_frag_destroy(pon->frag);
        pon->frag = f;
        f = NULL;
        rc = 0;
    }
    pon_frag_destroy(f);
    free(s);
    free(tot);
    return rc;
}

/* ---- the file ------------------------------------------------------------------------------ */

size_t pon_frag_n_lines(const metcn_pon_t *pon)
{
    return pon->frag ? 3 + pon->frag->n : 0;
}

int pon_frag_line(const metcn_pon_t *pon, size_t k, kstring_t *out)
{
    const metcn_pon_frag_t *f = pon->frag;
    char a[32], b[32], c[32];
    out->l = 0;
    int r = 0;
    if (k == 0)
        r = kputs("#fragshort\tshort_max\tn_normals\tgenome_median\tgenome_spread", out);
    else if (k == 1)
        r = ksprintf(out, "fragshort\t%d\t%zu\t%s\t%s", f->short_max, f->n_normals,
                     metcn_fmt_double(a, f->genome_median, 9),
                     metcn_fmt_double(b, f->genome_spread, 9));
    else if (k == 2)
        r = kputs("#fragbin\tchrom\tstart\tend\tcentre\tspread\tfragments", out);
    else {
        const metcn_bin_t *bn = &pon->panel->bins[k - 3];
        r = ksprintf(out, "fragbin\t%s\t%" PRId64 "\t%" PRId64 "\t%s\t%s\t%s",
                     pon->panel->contigs[bn->contig].name, bn->start, bn->end,
                     metcn_fmt_double(a, f->centre[k - 3], 9),
                     metcn_fmt_double(b, f->spread[k - 3], 9),
                     metcn_fmt_double(c, f->fragments[k - 3], 9));
    }
    return r < 0 ? METCN_E_NOMEM : 0;
}

int pon_frag_is_record(const char *line)
{
    return (strncmp(line, "fragshort", 9) == 0 && (line[9] == '\t' || line[9] == '\0')) ||
           (strncmp(line, "fragbin", 7) == 0 && (line[7] == '\t' || line[7] == '\0'));
}

/* A number of a record: NA, or finite within [lo, hi]. */
static int value(const char *s, double lo, double hi, double *x)
{
    if (strcmp(s, "NA") == 0) {
        *x = NAN;
        return 0;
    }
    return metcn_parse_double(s, lo, hi, x);
}

static int bad(const char *path, size_t ln, const char *what)
{
    return metcn_set_error(METCN_E_FORMAT, "%s:%zu: %s", path, ln + 1, what);
}

/* The one fragshort line. */
static int parse_summary(metcn_pon_frag_t *f, const char *path, size_t ln, char *line)
{
    char *fl[6];
    int64_t nn;
    if (metcn_split(line, '\t', fl, 6) != 5 || metcn_parse_int(fl[1], 1, 1000, &f->short_max) ||
        metcn_parse_int64(fl[2], 1, INT32_MAX, &nn) || value(fl[3], 0, 1, &f->genome_median) ||
        value(fl[4], 0, 1, &f->genome_spread))
        return bad(path, ln,
                   "bad fragshort line (short_max n_normals genome_median "
                   "genome_spread)");
    f->n_normals = (size_t)nn;
    return 0;
}

/* fragbin line of bin i: its coordinates must be those of the bin. */
static int parse_bin(metcn_pon_frag_t *f, const metcn_panel_t *p, size_t i, const char *path,
                     size_t ln, char *line)
{
    char *fl[8];
    int64_t start, end;
    if (metcn_split(line, '\t', fl, 8) != 7)
        return bad(path, ln, "fragbin line: expected 7 fields");
    const metcn_bin_t *bn = &p->bins[i];
    if (strcmp(fl[1], p->contigs[bn->contig].name) != 0 ||
        metcn_parse_int64(fl[2], 0, INT64_MAX / 4, &start) ||
        metcn_parse_int64(fl[3], 0, INT64_MAX / 4, &end) || start != bn->start || end != bn->end)
        return bad(path, ln, "fragbin line out of panel order (not the next bin)");
    if (value(fl[4], 0, 1, &f->centre[i]) || value(fl[5], 0, 1, &f->spread[i]) ||
        value(fl[6], 0, 1e15, &f->fragments[i]))
        return bad(path, ln, "fragbin line: bad share, spread or fragment count");
    return 0;
}

int pon_frag_parse(metcn_pon_t *pon, const char *path, char **lines, size_t n)
{
    size_t n_sum = 0, n_bin = 0, nb = pon->panel->n_bins;
    for (size_t ln = 0; ln < n; ln++) {
        if (!pon_frag_is_record(lines[ln]))
            continue;
        if (lines[ln][4] == 's' ? ++n_sum > 1 : ++n_bin > nb)
            return bad(path, ln,
                       n_sum > 1 ? "fragshort given twice" : "more fragbin lines than bins");
    }
    if (n_sum == 0 && n_bin == 0)
        return 0;
    if (n_sum != 1 || n_bin != nb)
        return metcn_set_error(METCN_E_FORMAT,
                               "%s: %zu fragshort and %zu fragbin lines (1 and one per bin, %zu, "
                               "or none)",
                               path, n_sum, n_bin, nb);
    metcn_pon_frag_t *f = frag_new(nb);
    if (!f)
        return metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
    int rc = 0;
    size_t i = 0;
    for (size_t ln = 0; ln < n && rc == 0; ln++) {
        if (!pon_frag_is_record(lines[ln]))
            continue;
        rc = lines[ln][4] == 's' ? parse_summary(f, path, ln, lines[ln])
                                 : parse_bin(f, pon->panel, i++, path, ln, lines[ln]);
    }
    if (rc < 0) {
        pon_frag_destroy(f);
        return rc;
    }
    pon_frag_destroy(pon->frag);
    pon->frag = f;
    return 0;
}
