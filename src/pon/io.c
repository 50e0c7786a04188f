/* pon_io.c -- the PoN text file: write and load with version, panel and checksum checks.
 * Format: docs/pon.md. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <htslib/bgzf.h>
#include <htslib/kstring.h>

#include "metcn/util.h"
#include "pon/pon_internal.h"

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

static uint64_t fnv(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= FNV_PRIME;
    }
    return h;
}

/* ---- write ---------------------------------------------------------------------------------- */

typedef struct {
    metcn_ofile_t *f;
    kstring_t line;
    uint64_t h;
    int rc;
} writer_t;

static void emit(writer_t *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit(writer_t *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    w->line.l = 0;
    if (kvsprintf(&w->line, fmt, ap) < 0)
        w->rc = METCN_E_NOMEM;
    va_end(ap);
    if (w->rc < 0)
        return;
    w->h = fnv(w->h, w->line.s, w->line.l);
    if (metcn_ofile_write(w->f, w->line.s, w->line.l) < 0)
        w->rc = METCN_E_IO;
}

static const char *num(char buf[32], double x)
{
    return metcn_fmt_double(buf, x, 9);
}

/* Text values must not break the line structure. */
static const char *clean(char *buf, size_t n, const char *s)
{
    snprintf(buf, n, "%s", s && *s ? s : ".");
    for (char *p = buf; *p; p++)
        if (*p == '\t' || *p == '\n' || *p == '\r')
            *p = ' ';
    return buf;
}

int metcn_pon_write(const metcn_pon_t *pon, const char *path, const char *cmdline)
{
    const metcn_panel_t *p = pon->panel;
    writer_t w = {.f = metcn_ofile_open(path), .h = FNV_OFFSET};
    if (!w.f)
        return metcn_last_error_code() ? metcn_last_error_code() : METCN_E_IO;
    char a[32], b[32], c[32], d[32], e[32], f[32], g[32], t[1024];
    const metcn_pon_opt_t *o = &pon->opt;
    time_t now = time(NULL);
    struct tm tmv;
    char when[32] = ".";
    if (gmtime_r(&now, &tmv))
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tmv);
    emit(&w, "#metcn-pon\t%d\n", METCN_PON_FORMAT_VERSION);
    emit(&w, "meta\tmetcn_version\t%s\n", METCN_VERSION);
    emit(&w, "meta\tcreated\t%s\n", pon->created ? pon->created : when);
    emit(&w, "meta\tcommand\t%s\n", clean(t, sizeof t, cmdline ? cmdline : pon->command));
    emit(&w, "meta\tpanel_source\t%s\n", clean(t, sizeof t, p->source));
    emit(&w, "meta\tpanel_checksum\t%s\n", pon->panel_checksum);
    emit(&w, "meta\tbuild\t%s\n", p->build[0] ? p->build : ".");
    emit(&w, "meta\tgene\t%s\n", clean(t, sizeof t, p->gene));
    emit(&w, "meta\ttarget_contig\t%s\n",
         p->target_contig >= 0 ? p->contigs[p->target_contig].name : ".");
    emit(&w, "meta\tgene_start\t%" PRId64 "\n", p->gene_start);
    emit(&w, "meta\tgene_end\t%" PRId64 "\n", p->gene_end);
    emit(&w, "meta\twindow\t%" PRId64 "\n", p->window);
    emit(&w, "meta\tcentromere_start\t%" PRId64 "\n", p->cen_start);
    emit(&w, "meta\tcentromere_end\t%" PRId64 "\n", p->cen_end);
    emit(&w, "meta\tgc_corrected\t%d\n", pon->gc_corrected);
    emit(&w, "meta\tn_samples\t%zu\n", pon->n_samples);
    emit(&w, "meta\tn_normals\t%zu\n", pon->n_used);
    emit(&w, "meta\tn_bins\t%zu\n", p->n_bins);
    emit(&w, "meta\tn_components\t%d\n", pon->k);
    emit(&w, "meta\tmedian_mapd\t%s\n", num(a, pon->median_mapd));
    emit(&w, "param\tn_components\t%d\n", o->n_components);
    emit(&w, "param\tmax_components\t%d\n", o->max_components);
    emit(&w, "param\tmin_var_frac\t%s\n", num(a, o->min_var_frac));
    emit(&w, "param\tmin_rel_depth\t%s\n", num(a, o->min_rel_depth));
    emit(&w, "param\tmax_spread\t%s\n", num(a, o->max_spread));
    emit(&w, "param\tloess_span\t%s\n", num(a, o->loess_span));
    emit(&w, "param\tgc_correct\t%d\n", o->gc_correct);
    emit(&w, "param\toutlier_z\t%s\n", num(a, o->outlier_z));
    emit(&w, "param\tdrop_outliers\t%d\n", o->drop_outliers);
    emit(&w, "param\tmin_sex_normals\t%d\n", o->min_sex_normals);
    emit(&w, "#contig\tname\tlength\n");
    for (int i = 0; i < p->n_contigs; i++)
        emit(&w, "contig\t%s\t%" PRId64 "\n", p->contigs[i].name, p->contigs[i].length);
    emit(&w, "#sample\tname\tsex\tx_log2\tmedian_depth\tgc_strength\tmapd\ttarget_log2\t"
             "max_abs_log2\tz_mapd\tz_max\toutlier\tdropped\n");
    for (size_t j = 0; j < pon->n_samples; j++) {
        const metcn_pon_sample_t *s = &pon->samples[j];
        char h[32];
        emit(&w, "sample\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\n",
             clean(t, sizeof t, s->name), metcn_sex_name(s->sex), num(a, s->x_log2),
             num(b, s->median_depth), num(c, s->gc_strength), num(d, s->mapd),
             num(e, s->target_log2), num(f, s->max_abs_log2), num(g, s->z_mapd), num(h, s->z_max),
             s->outlier, s->dropped);
    }
    emit(&w, "#component\tindex\tsingular_value\tvar_frac\n");
    for (int k = 0; k < pon->k; k++)
        emit(&w, "component\t%d\t%s\t%s\n", k + 1, num(a, pon->sv[k]), num(b, pon->var_frac[k]));
    emit(&w, "#bin\tchrom\tstart\tend\tname\trole\tarm\tgc\trel_depth\tcentre\tcentre_xy\t"
             "spread\tsd\texcluded");
    for (int k = 0; k < pon->k; k++)
        emit(&w, "\tpc%d", k + 1);
    emit(&w, "\n");
    kstring_t row = {0, 0, NULL};
    for (size_t i = 0; i < p->n_bins && w.rc == 0; i++) {
        const metcn_bin_t *bn = &p->bins[i];
        char arm[2] = {bn->arm ? bn->arm : '.', 0};
        row.l = 0;
        ksprintf(&row, "bin\t%s\t%" PRId64 "\t%" PRId64 "\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s",
                 p->contigs[bn->contig].name, bn->start, bn->end, clean(t, sizeof t, bn->name),
                 metcn_role_name(bn->role), arm, num(a, pon->gc[i]), num(b, pon->rel_depth[i]),
                 num(c, pon->centre[i]), num(d, pon->centre_xy[i]), num(e, pon->spread[i]),
                 num(f, pon->sd[i]), metcn_pon_reason_name(pon->excluded[i]));
        for (int k = 0; k < pon->k; k++)
            ksprintf(&row, "\t%s", num(a, pon->load[i * (size_t)pon->k + (size_t)k]));
        emit(&w, "%s\n", row.s);
    }
    free(row.s);
    char hex[17];
    snprintf(hex, sizeof hex, "%016" PRIx64, w.h);
    if (w.rc == 0 && metcn_ofile_printf(w.f, "checksum\tfnv1a64\t%s\n", hex) < 0)
        w.rc = METCN_E_IO;
    free(w.line.s);
    if (w.rc < 0) {
        metcn_ofile_close(w.f, 0);
        return metcn_set_error(w.rc, "%s: cannot write the PoN", path);
    }
    if (metcn_ofile_close(w.f, 1) < 0)
        return metcn_set_error(METCN_E_IO, "%s: cannot write the PoN: %s", path, strerror(errno));
    return 0;
}

/* ---- load ----------------------------------------------------------------------------------- */

static int field_double(const char *s, double *x)
{
    if (strcmp(s, "NA") == 0) {
        *x = NAN;
        return 0;
    }
    return metcn_parse_double(s, -HUGE_VAL, HUGE_VAL, x);
}

static int contig_index(const metcn_panel_t *p, const char *name)
{
    for (int i = 0; i < p->n_contigs; i++)
        if (strcmp(p->contigs[i].name, name) == 0)
            return i;
    return -1;
}

static int parse_sex(const char *s)
{
    return strcmp(s, "XX") == 0 ? METCN_SEX_XX : strcmp(s, "XY") == 0 ? METCN_SEX_XY : 0;
}

static int parse_reason(const char *s)
{
    for (int r = 0; r < METCN_PON_N_REASONS; r++)
        if (strcmp(s, metcn_pon_reason_name(r)) == 0)
            return r;
    return -1;
}

#define MAXF 256

metcn_pon_t *metcn_pon_load(const char *path)
{
    metcn_pon_t *pon = NULL;
    metcn_panel_t *p = NULL;
    kstring_t ks = {0, 0, NULL};
    char **lines = NULL;
    size_t n_lines = 0, cap = 0;
    char *fld[MAXF];
    int rc = 0;
    BGZF *fp = bgzf_open(path, "r");
    if (!fp) {
        metcn_set_error(METCN_E_IO, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    /* Read everything and verify the checksum before parsing, so truncation and edits are
     * reported as such rather than as whatever parse error they happen to cause. */
    uint64_t h = FNV_OFFSET;
    int got_checksum = 0, after = 0, r;
    char want[17] = "";
    while ((r = bgzf_getline(fp, '\n', &ks)) >= 0) {
        if (got_checksum) {
            after = 1;
            continue;
        }
        if (strncmp(ks.s, "checksum\t", 9) == 0) {
            char *q = strrchr(ks.s, '\t');
            snprintf(want, sizeof want, "%s", q + 1);
            got_checksum = 1;
            continue;
        }
        h = fnv(h, ks.s, ks.l);
        h = fnv(h, "\n", 1);
        if (n_lines == cap) {
            cap = cap ? 2 * cap : 1024;
            char **nl = realloc(lines, cap * sizeof *nl);
            if (!nl) {
                rc = metcn_set_error(METCN_E_NOMEM, "out of memory");
                goto out;
            }
            lines = nl;
        }
        lines[n_lines] = strdup(ks.s);
        if (!lines[n_lines]) {
            rc = metcn_set_error(METCN_E_NOMEM, "out of memory");
            goto out;
        }
        n_lines++;
    }
    if (r < -1) {
        rc = metcn_set_error(METCN_E_TRUNCATED,
                             "%s: read error (truncated or corrupt compressed "
                             "file)",
                             path);
        goto out;
    }
    if (n_lines == 0 || strncmp(lines[0], "#metcn-pon\t", 11) != 0) {
        rc = metcn_set_error(METCN_E_FORMAT, "%s: not a metcn PoN file (no '#metcn-pon' header)",
                             path);
        goto out;
    }
    int version;
    if (metcn_parse_int(lines[0] + 11, 1, 1000000, &version) < 0) {
        rc = metcn_set_error(METCN_E_FORMAT, "%s:1: bad PoN format version '%s'", path,
                             lines[0] + 11);
        goto out;
    }
    if (version > METCN_PON_FORMAT_VERSION) {
        rc = metcn_set_error(METCN_E_INCOMPATIBLE,
                             "%s: PoN format version %d is newer than this metcn reads (%d): "
                             "upgrade metcn or rebuild the PoN",
                             path, version, METCN_PON_FORMAT_VERSION);
        goto out;
    }
    if (!got_checksum) {
        rc = metcn_set_error(METCN_E_TRUNCATED,
                             "%s: truncated: the final checksum line is missing (incomplete "
                             "copy?)",
                             path);
        goto out;
    }
    char hex[17];
    snprintf(hex, sizeof hex, "%016" PRIx64, h);
    if (after || strcmp(hex, want) != 0) {
        rc = metcn_set_error(METCN_E_TRUNCATED,
                             "%s: checksum mismatch (%s stored, %s computed): the file was "
                             "edited or corrupted; rebuild it with 'metcn pon build'",
                             path, want, hex);
        goto out;
    }

    pon = calloc(1, sizeof *pon);
    p = calloc(1, sizeof *p);
    if (!pon || !p) {
        rc = metcn_set_error(METCN_E_NOMEM, "out of memory");
        goto out;
    }
    pon->panel = p;
    pon->format_version = version;
    pon->median_mapd = NAN;
    metcn_pon_opt_init(&pon->opt);
    p->target_contig = -1;
    p->gene_start = p->gene_end = p->cen_start = p->cen_end = -1;
    size_t n_bins = 0, n_samples = 0, bi = 0, si = 0;
    int k = -1, ncont_cap = 0;
    char target[256] = "";
    for (size_t ln = 1; ln < n_lines; ln++) {
        char *line = lines[ln];
        if (line[0] == '#' || line[0] == 0)
            continue;
        int nf = metcn_split(line, '\t', fld, MAXF);
        const char *kind = fld[0];
#define BAD(...)                                                                                   \
    do {                                                                                           \
        char m_[256];                                                                              \
        snprintf(m_, sizeof m_, __VA_ARGS__);                                                      \
        rc = metcn_set_error(METCN_E_FORMAT, "%s:%zu: %s", path, ln + 1, m_);                      \
        goto out;                                                                                  \
    } while (0)
        if (strcmp(kind, "meta") == 0 || strcmp(kind, "param") == 0) {
            if (nf != 3)
                BAD("expected 3 fields, found %d", nf);
            const char *key = fld[1], *v = fld[2];
            double x;
            int iv;
            int64_t lv;
            if (strcmp(kind, "meta") == 0) {
                if (strcmp(key, "metcn_version") == 0)
                    snprintf(pon->metcn_version, sizeof pon->metcn_version, "%s", v);
                else if (strcmp(key, "created") == 0)
                    pon->created = strdup(v);
                else if (strcmp(key, "command") == 0)
                    pon->command = strdup(v);
                else if (strcmp(key, "panel_source") == 0)
                    p->source = strdup(v);
                else if (strcmp(key, "panel_checksum") == 0)
                    snprintf(pon->panel_checksum, sizeof pon->panel_checksum, "%s", v);
                else if (strcmp(key, "build") == 0)
                    snprintf(p->build, sizeof p->build, "%s", strcmp(v, ".") ? v : "");
                else if (strcmp(key, "gene") == 0)
                    p->gene = strdup(v);
                else if (strcmp(key, "target_contig") == 0)
                    snprintf(target, sizeof target, "%s", v);
                else if (strcmp(key, "gc_corrected") == 0) {
                    if (metcn_parse_int(v, 0, 1, &pon->gc_corrected) < 0)
                        BAD("bad gc_corrected '%s'", v);
                } else if (strcmp(key, "n_bins") == 0 || strcmp(key, "n_samples") == 0 ||
                           strcmp(key, "n_normals") == 0 || strcmp(key, "n_components") == 0) {
                    if (metcn_parse_int64(v, 0, INT32_MAX, &lv) < 0)
                        BAD("bad %s '%s'", key, v);
                    if (strcmp(key, "n_bins") == 0)
                        n_bins = (size_t)lv;
                    else if (strcmp(key, "n_samples") == 0)
                        n_samples = (size_t)lv;
                    else if (strcmp(key, "n_normals") == 0)
                        pon->n_used = (size_t)lv;
                    else
                        k = (int)lv;
                } else if (strcmp(key, "median_mapd") == 0) {
                    if (field_double(v, &pon->median_mapd) < 0)
                        BAD("bad median_mapd '%s'", v);
                } else {
                    int64_t *dst = strcmp(key, "gene_start") == 0         ? &p->gene_start
                                   : strcmp(key, "gene_end") == 0         ? &p->gene_end
                                   : strcmp(key, "window") == 0           ? &p->window
                                   : strcmp(key, "centromere_start") == 0 ? &p->cen_start
                                   : strcmp(key, "centromere_end") == 0   ? &p->cen_end
                                                                          : NULL;
                    if (dst && metcn_parse_int64(v, -1, INT64_MAX, dst) < 0)
                        BAD("bad %s '%s'", key, v);
                }
            } else {
                metcn_pon_opt_t *o = &pon->opt;
                int *ip = strcmp(key, "n_components") == 0      ? &o->n_components
                          : strcmp(key, "max_components") == 0  ? &o->max_components
                          : strcmp(key, "gc_correct") == 0      ? &o->gc_correct
                          : strcmp(key, "drop_outliers") == 0   ? &o->drop_outliers
                          : strcmp(key, "min_sex_normals") == 0 ? &o->min_sex_normals
                                                                : NULL;
                double *dp = strcmp(key, "min_var_frac") == 0    ? &o->min_var_frac
                             : strcmp(key, "min_rel_depth") == 0 ? &o->min_rel_depth
                             : strcmp(key, "max_spread") == 0    ? &o->max_spread
                             : strcmp(key, "loess_span") == 0    ? &o->loess_span
                             : strcmp(key, "outlier_z") == 0     ? &o->outlier_z
                                                                 : NULL;
                if (ip && metcn_parse_int(v, -1, 1000000, &iv) < 0)
                    BAD("bad parameter %s '%s'", key, v);
                if (ip)
                    *ip = iv;
                if (dp && field_double(v, &x) < 0)
                    BAD("bad parameter %s '%s'", key, v);
                if (dp)
                    *dp = x;
            }
        } else if (strcmp(kind, "contig") == 0) {
            if (nf != 3)
                BAD("expected 3 fields, found %d", nf);
            if (p->n_contigs == ncont_cap) {
                ncont_cap = ncont_cap ? 2 * ncont_cap : 32;
                metcn_contig_t *nc = realloc(p->contigs, (size_t)ncont_cap * sizeof *nc);
                if (!nc) {
                    rc = metcn_set_error(METCN_E_NOMEM, "out of memory");
                    goto out;
                }
                p->contigs = nc;
            }
            metcn_contig_t *ct = &p->contigs[p->n_contigs];
            ct->name = strdup(fld[1]);
            if (!ct->name) {
                rc = metcn_set_error(METCN_E_NOMEM, "out of memory");
                goto out;
            }
            p->n_contigs++;
            if (metcn_parse_int64(fld[2], -1, INT64_MAX, &ct->length) < 0)
                BAD("bad contig length '%s'", fld[2]);
        } else if (strcmp(kind, "sample") == 0) {
            if (nf != 13)
                BAD("sample line: expected 13 fields, found %d", nf);
            if (!pon->samples) {
                pon->samples = calloc(n_samples ? n_samples : 1, sizeof *pon->samples);
                pon->names = calloc(n_samples ? n_samples : 1, sizeof *pon->names);
                if (!pon->samples || !pon->names) {
                    rc = metcn_set_error(METCN_E_NOMEM, "out of memory");
                    goto out;
                }
            }
            if (si >= n_samples)
                BAD("more sample lines than n_samples=%zu", n_samples);
            metcn_pon_sample_t *s = &pon->samples[si];
            pon->names[si] = strdup(fld[1]);
            if (!pon->names[si]) {
                rc = metcn_set_error(METCN_E_NOMEM, "out of memory");
                goto out;
            }
            pon->n_samples = ++si;
            s->name = pon->names[si - 1];
            s->sex = parse_sex(fld[2]);
            double *dv[] = {&s->x_log2,      &s->median_depth, &s->gc_strength, &s->mapd,
                            &s->target_log2, &s->max_abs_log2, &s->z_mapd,      &s->z_max};
            for (int q = 0; q < 8; q++)
                if (field_double(fld[3 + q], dv[q]) < 0)
                    BAD("bad number '%s' in column %d", fld[3 + q], 4 + q);
            if (metcn_parse_int(fld[11], 0, 1, &s->outlier) < 0 ||
                metcn_parse_int(fld[12], 0, 1, &s->dropped) < 0)
                BAD("bad outlier/dropped flag");
        } else if (strcmp(kind, "component") == 0 || strcmp(kind, "bin") == 0) {
            if (k < 0 || n_bins == 0)
                BAD("%s line before n_bins and n_components", kind);
            if (!pon->centre) {
                p->bins = calloc(n_bins, sizeof *p->bins);
                if (!p->bins || pon_alloc_bins(pon, n_bins) < 0 ||
                    (pon->panel->n_bins = n_bins, pon_alloc_components(pon, k)) < 0) {
                    rc = metcn_set_error(METCN_E_NOMEM, "out of memory");
                    goto out;
                }
                p->n_bins = 0;
            }
            if (strcmp(kind, "component") == 0) {
                int ci;
                if (nf != 4 || metcn_parse_int(fld[1], 1, k, &ci) < 0 ||
                    field_double(fld[2], &pon->sv[ci - 1]) < 0 ||
                    field_double(fld[3], &pon->var_frac[ci - 1]) < 0)
                    BAD("bad component line");
                continue;
            }
            if (nf != 14 + k)
                BAD("bin line: expected %d fields, found %d", 14 + k, nf);
            if (bi >= n_bins)
                BAD("more bin lines than n_bins=%zu", n_bins);
            metcn_bin_t *bn = &p->bins[bi];
            bn->contig = contig_index(p, fld[1]);
            if (bn->contig < 0)
                BAD("contig '%s' not declared", fld[1]);
            if (metcn_parse_int64(fld[2], 0, INT64_MAX, &bn->start) < 0 ||
                metcn_parse_int64(fld[3], 1, INT64_MAX, &bn->end) < 0 || bn->end <= bn->start)
                BAD("bad interval %s-%s", fld[2], fld[3]);
            if (strcmp(fld[4], ".") != 0 && !(bn->name = strdup(fld[4]))) {
                rc = metcn_set_error(METCN_E_NOMEM, "out of memory");
                goto out;
            }
            p->n_bins = bi + 1;
            int role = metcn_role_parse(fld[5]);
            if (role < 0)
                BAD("unknown role '%s'", fld[5]);
            bn->role = (metcn_role_t)role;
            bn->arm = (fld[6][0] == 'p' || fld[6][0] == 'q') ? fld[6][0] : 0;
            double *dv[] = {&pon->gc[bi],        &pon->rel_depth[bi], &pon->centre[bi],
                            &pon->centre_xy[bi], &pon->spread[bi],    &pon->sd[bi]};
            for (int q = 0; q < 6; q++)
                if (field_double(fld[7 + q], dv[q]) < 0)
                    BAD("bad number '%s' in column %d", fld[7 + q], 8 + q);
            pon->excluded[bi] = parse_reason(fld[13]);
            if (pon->excluded[bi] < 0)
                BAD("unknown exclusion reason '%s'", fld[13]);
            for (int c = 0; c < k; c++)
                if (field_double(fld[14 + c], &pon->load[bi * (size_t)k + (size_t)c]) < 0)
                    BAD("bad loading '%s'", fld[14 + c]);
            bi++;
        } else
            BAD("unknown record type '%s'", kind);
#undef BAD
    }
    if (bi != n_bins || n_bins == 0 || si != n_samples) {
        rc = metcn_set_error(METCN_E_FORMAT,
                             "%s: %zu bin and %zu sample lines, header says %zu and %zu", path, bi,
                             si, n_bins, n_samples);
        goto out;
    }
    if (!p->gene || !p->source) {
        rc = metcn_set_error(METCN_E_FORMAT, "%s: gene or panel_source missing", path);
        goto out;
    }
    if (target[0] && strcmp(target, ".") != 0) {
        p->target_contig = contig_index(p, target);
        if (p->target_contig < 0) {
            rc = metcn_set_error(METCN_E_FORMAT, "%s: target contig %s not declared", path, target);
            goto out;
        }
    }
    for (size_t i = 0; i < n_bins; i++)
        p->n_role[p->bins[i].role]++;
    char ck[17];
    metcn_panel_checksum(p, ck);
    if (strcmp(ck, pon->panel_checksum) != 0) {
        rc = metcn_set_error(METCN_E_FORMAT,
                             "%s: stored panel checksum %s does not match its bins (%s)", path,
                             pon->panel_checksum, ck);
        goto out;
    }
    snprintf(pon->checksum, sizeof pon->checksum, "%s", want);
    pon_count_reasons(pon);
out:
    for (size_t i = 0; i < n_lines; i++)
        free(lines[i]);
    free(lines);
    free(ks.s);
    bgzf_close(fp);
    if (rc < 0) {
        if (pon)
            metcn_pon_destroy(pon);
        else
            metcn_panel_destroy(p);
        return NULL;
    }
    return pon;
}
