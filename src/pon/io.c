/* io.c -- the PoN text file (format 2): write, and load in named steps, safely on any bytes.
 * Format: docs/pon.md. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <htslib/kstring.h>

#include "metcn/util.h"
#include "pon/pon_internal.h"

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
    w->h = metcn_hash64(w->h, w->line.s, w->line.l);
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

static void write_meta(writer_t *w, const metcn_pon_t *pon, const char *cmdline)
{
    const metcn_panel_t *p = pon->panel;
    const metcn_pon_opt_t *o = &pon->opt;
    char a[32], t[1024], when[32] = ".";
    time_t now = time(NULL);
    struct tm tmv;
    if (gmtime_r(&now, &tmv))
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tmv);
    emit(w, "#metcn-pon\t%d\n", METCN_PON_FORMAT_VERSION);
    emit(w, "meta\tmetcn_version\t%s\n", METCN_VERSION);
    emit(w, "meta\tcreated\t%s\n", pon->created ? pon->created : when);
    emit(w, "meta\tcommand\t%s\n", clean(t, sizeof t, cmdline ? cmdline : pon->command));
    emit(w, "meta\tpanel_source\t%s\n", clean(t, sizeof t, p->source));
    emit(w, "meta\tpanel_checksum\t%s\n", pon->panel_checksum);
    emit(w, "meta\tbuild\t%s\n", p->build[0] ? p->build : ".");
    emit(w, "meta\tgc_corrected\t%d\n", pon->gc_corrected);
    emit(w, "meta\tn_contigs\t%d\n", p->n_contigs);
    emit(w, "meta\tn_samples\t%zu\n", pon->n_samples);
    emit(w, "meta\tn_normals\t%zu\n", pon->n_used);
    emit(w, "meta\tn_bins\t%zu\n", p->n_bins);
    emit(w, "meta\tn_components\t%d\n", pon->k);
    emit(w, "meta\tmedian_mapd\t%s\n", num(a, pon->median_mapd));
    if (pon->n_sites) /* pon build --snps; a PoN without sites is written as before */
        emit(w, "meta\tn_sites\t%zu\n", pon->n_sites);
    emit(w, "param\tn_components\t%d\n", o->n_components);
    emit(w, "param\tmax_components\t%d\n", o->max_components);
    emit(w, "param\tmin_var_frac\t%s\n", num(a, o->min_var_frac));
    emit(w, "param\tmin_rel_depth\t%s\n", num(a, o->min_rel_depth));
    emit(w, "param\tmax_spread\t%s\n", num(a, o->max_spread));
    emit(w, "param\tloess_span\t%s\n", num(a, o->loess_span));
    emit(w, "param\tgc_correct\t%d\n", o->gc_correct);
    emit(w, "param\toutlier_z\t%s\n", num(a, o->outlier_z));
    emit(w, "param\tdrop_outliers\t%d\n", o->drop_outliers);
    emit(w, "param\tmin_sex_normals\t%d\n", o->min_sex_normals);
    emit(w, "param\tsample_type\t%s\n", metcn_sample_type_name(o->sample_type));
    emit(w, "param\tsize_select\t%d-%d\n", pon->size_min, pon->size_max);
    if (pon->n_sites) {
        const metcn_pon_site_opt_t *so = &pon->site_opt;
        emit(w, "param\tsite_min_depth\t%d\n", so->min_depth);
        emit(w, "param\tsite_min_minor_frac\t%s\n", num(a, so->min_minor_frac));
        emit(w, "param\tsite_error_rate\t%s\n", num(a, so->error_rate));
        emit(w, "param\tsite_het_pvalue\t%s\n", num(a, so->het_pvalue));
        emit(w, "param\tsite_min_het\t%d\n", so->min_het);
        emit(w, "param\tsite_min_never_het\t%d\n", so->min_never_het);
        emit(w, "param\tsite_min_constant\t%d\n", so->min_constant);
        emit(w, "param\tsite_max_bias\t%s\n", num(a, so->max_bias));
        emit(w, "param\tsite_constant_share\t%s\n", num(a, so->constant_share));
        emit(w, "param\tsite_constant_pvalue\t%s\n", num(a, so->constant_pvalue));
        emit(w, "param\tsite_noisy_sd\t%s\n", num(a, so->noisy_sd));
    }
    emit(w, "param\tdedup\t%s\n", pon->dedup == METCN_DEDUP_COORD ? "coord" : "flag");
}

/* Site flags as a comma-separated list of names, "." when none. */
static const char *site_flags_str(char *buf, size_t n, unsigned flags)
{
    size_t l = 0;
    buf[0] = 0;
    for (int b = 0; b < METCN_PON_SITE_N_FLAGS; b++)
        if (flags & (1u << b))
            l += (size_t)snprintf(buf + l, l < n ? n - l : 0, "%s%s", l ? "," : "",
                                  metcn_pon_site_flag_name(1u << b));
    return l ? buf : ".";
}

/* site lines (pon build --snps): 1-based positions, as in the VCF. */
static void write_sites(writer_t *w, const metcn_pon_t *pon)
{
    if (!pon->n_sites)
        return;
    char a[32], b[32], c[32], fl[64];
    emit(w, "#site\tchrom\tpos\tref\talt\tn_depth\tn_het\tdepth\tref_bias\tref_bias_sd\t"
            "flags\n");
    for (size_t i = 0; i < pon->n_sites && w->rc == 0; i++) {
        const metcn_pon_site_t *s = &pon->sites[i];
        emit(w, "site\t%s\t%" PRId64 "\t%c\t%c\t%d\t%d\t%s\t%s\t%s\t%s\n",
             pon->panel->contigs[s->contig].name, s->pos + 1, s->ref, s->alt, s->n_depth, s->n_het,
             num(a, s->depth), num(b, s->ref_bias), num(c, s->ref_bias_sd),
             site_flags_str(fl, sizeof fl, s->flags));
    }
}

static void write_records(writer_t *w, const metcn_pon_t *pon)
{
    const metcn_panel_t *p = pon->panel;
    char a[32], b[32], c[32], d[32], e[32], f[32], g[32], t[1024];
    emit(w, "#contig\tname\tlength\tcentromere_start\tcentromere_end\n");
    for (int i = 0; i < p->n_contigs; i++)
        emit(w, "contig\t%s\t%" PRId64 "\t%" PRId64 "\t%" PRId64 "\n", p->contigs[i].name,
             p->contigs[i].length, p->contigs[i].cen_start, p->contigs[i].cen_end);
    emit(w, "#sample\tname\tsex\tx_log2\tmedian_depth\tgc_strength\tmapd\tmax_abs_log2\tz_mapd\t"
            "z_max\toutlier\tdropped\treason\n");
    for (size_t j = 0; j < pon->n_samples; j++) {
        const metcn_pon_sample_t *s = &pon->samples[j];
        char why[1024];
        emit(w, "sample\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\n",
             clean(t, sizeof t, s->name), metcn_sex_name(s->sex), num(a, s->x_log2),
             num(b, s->median_depth), num(c, s->gc_strength), num(d, s->mapd),
             num(e, s->max_abs_log2), num(f, s->z_mapd), num(g, s->z_max), s->outlier, s->dropped,
             clean(why, sizeof why, s->reason));
    }
    emit(w, "#component\tindex\tsingular_value\tvar_frac\n");
    for (int k = 0; k < pon->k; k++)
        emit(w, "component\t%d\t%s\t%s\n", k + 1, num(a, pon->sv[k]), num(b, pon->var_frac[k]));
    emit(w, "#bin\tchrom\tstart\tend\tname\trole\tgc\trel_depth\tcentre\tcentre_xy\tspread\tsd\t"
            "excluded");
    for (int k = 0; k < pon->k; k++)
        emit(w, "\tpc%d", k + 1);
    emit(w, "\n");
    kstring_t row = KS_INITIALIZE;
    for (size_t i = 0; i < p->n_bins && w->rc == 0; i++) {
        const metcn_bin_t *bn = &p->bins[i];
        row.l = 0;
        ksprintf(&row, "bin\t%s\t%" PRId64 "\t%" PRId64 "\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s",
                 p->contigs[bn->contig].name, bn->start, bn->end, clean(t, sizeof t, bn->name),
                 metcn_role_name(bn->role), num(a, pon->gc[i]), num(b, pon->rel_depth[i]),
                 num(c, pon->centre[i]), num(d, pon->centre_xy[i]), num(e, pon->spread[i]),
                 num(f, pon->sd[i]), metcn_pon_reason_name(pon->excluded[i]));
        for (int k = 0; k < pon->k; k++)
            ksprintf(&row, "\t%s", num(a, pon->load[i * (size_t)pon->k + (size_t)k]));
        emit(w, "%s\n", row.s);
    }
    for (size_t k = 0; k < pon_frag_n_lines(pon) && w->rc == 0; k++) /* frag.c's records */
        if ((w->rc = pon_frag_line(pon, k, &row)) == 0)
            emit(w, "%s\n", row.s);
    free(row.s);
}

int metcn_pon_write(const metcn_pon_t *pon, const char *path, const char *cmdline)
{
    writer_t w = {.f = metcn_ofile_open(path), .h = METCN_HASH64_INIT};
    if (!w.f)
        return metcn_last_error_code() ? metcn_last_error_code() : METCN_E_IO;
    write_meta(&w, pon, cmdline);
    write_records(&w, pon);
    write_sites(&w, pon);
    if (w.rc == 0 && metcn_ofile_printf(w.f, "checksum\tfnv1a64\t%016" PRIx64 "\n", w.h) < 0)
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

#define MAX_META 256         /* meta + param lines */
#define MAX_CONTIGS 1000000  /* bounds that no real PoN comes near, so that a crafted file */
#define MAX_COMPONENTS 10000 /* cannot make the loader allocate or loop without end */

/* Everything a load works on.  lines[i] is line i + 1 of the file (the checksum line and
 * anything after it are not kept). */
typedef struct {
    const char *path;
    char **lines;
    size_t n_lines, cap;
    size_t n_meta, n_contig, n_sample, n_component, n_bin; /* records present */
    size_t n_site;   /* site records present (pon build --snps) */
    int64_t d_sites; /* declared (meta n_sites; 0 when absent: files without sites) */
    int64_t d_contigs, d_samples, d_normals, d_bins, d_components; /* declared in meta */
    int version;
    char want[17]; /* stored checksum */
    metcn_pon_t *pon;
    metcn_panel_t *p;
    char **sorted; /* contig names, sorted (for uniqueness and lookup) */
} loader_t;

static int bad(const loader_t *L, size_t ln, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int bad(const loader_t *L, size_t ln, const char *fmt, ...)
{
    char m[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m, sizeof m, fmt, ap);
    va_end(ap);
    return metcn_set_error(METCN_E_FORMAT, "%s:%zu: %s", L->path, ln + 1, m);
}

static int field_double(const char *s, double *x)
{
    if (strcmp(s, "NA") == 0) {
        *x = NAN;
        return 0;
    }
    return metcn_parse_double(s, -HUGE_VAL, HUGE_VAL, x);
}

static int keep_line(loader_t *L, const char *s)
{
    if (L->n_lines == L->cap) {
        size_t cap = L->cap ? 2 * L->cap : 1024;
        char **nl = realloc(L->lines, cap * sizeof *nl);
        if (!nl)
            return metcn_set_error(METCN_E_NOMEM, "%s: out of memory", L->path);
        L->lines = nl;
        L->cap = cap;
    }
    if (!(L->lines[L->n_lines] = strdup(s)))
        return metcn_set_error(METCN_E_NOMEM, "%s: out of memory", L->path);
    L->n_lines++;
    return 0;
}

/* Load step 1: the first line names a PoN of a format this metcn reads. */
static int check_version(loader_t *L, const char *first)
{
    if (!first || strncmp(first, "#metcn-pon\t", 11) != 0)
        return metcn_set_error(METCN_E_FORMAT, "%s: not a metcn PoN file (no '#metcn-pon' header)",
                               L->path);
    if (metcn_parse_int(first + 11, 1, 1000000, &L->version) < 0)
        return metcn_set_error(METCN_E_FORMAT, "%s:1: bad PoN format version '%.20s'", L->path,
                               first + 11);
    if (L->version == 1)
        return metcn_set_error(METCN_E_INCOMPATIBLE,
                               "%s: PoN format 1 (metcn 0.1): rebuild it with 'metcn pon build'",
                               L->path);
    if (L->version != METCN_PON_FORMAT_VERSION)
        return metcn_set_error(METCN_E_INCOMPATIBLE,
                               "%s: PoN format version %d is newer than this metcn reads (%d): "
                               "upgrade metcn or rebuild the PoN",
                               L->path, L->version, METCN_PON_FORMAT_VERSION);
    return 0;
}

/* Load step 2: every line, hashed; the checksum line ends the file.  The checksum is verified
 * before anything is parsed, so truncation and edits are reported as such rather than as
 * whatever parse error they happen to cause. */
static int read_lines(loader_t *L)
{
    metcn_tsv_t *t = metcn_tsv_open(L->path);
    if (!t)
        return metcn_last_error_code();
    uint64_t h = METCN_HASH64_INIT;
    int r, got_checksum = 0, after = 0, rc = 0;
    while (rc == 0 && (r = metcn_tsv_next(t)) > 0) {
        const char *s = metcn_tsv_line(t);
        if (L->n_lines == 0 && (rc = check_version(L, s)) < 0)
            break;
        if (got_checksum) {
            after = 1;
        } else if (strncmp(s, "checksum\t", 9) == 0) {
            const char *q = strrchr(s, '\t');
            snprintf(L->want, sizeof L->want, "%s", q + 1);
            got_checksum = 1;
        } else {
            h = metcn_hash64(h, s, metcn_tsv_len(t));
            h = metcn_hash64(h, "\n", 1);
            rc = keep_line(L, s);
        }
    }
    metcn_tsv_close(t);
    if (rc < 0)
        return rc;
    if (r < 0)
        return metcn_set_error(METCN_E_TRUNCATED,
                               "%s: read error (truncated or corrupt compressed "
                               "file)",
                               L->path);
    if (L->n_lines == 0)
        return check_version(L, NULL);
#ifndef METCN_FUZZ_NO_CHECKSUM
    char hex[17];
    snprintf(hex, sizeof hex, "%016" PRIx64, h);
    if (!got_checksum)
        return metcn_set_error(METCN_E_TRUNCATED,
                               "%s: truncated: the final checksum line is missing (incomplete "
                               "copy?)",
                               L->path);
    if (after || strcmp(hex, L->want) != 0)
        return metcn_set_error(METCN_E_TRUNCATED,
                               "%s: checksum mismatch (%s stored, %s computed): the file was "
                               "edited or corrupted; rebuild it with 'metcn pon build'",
                               L->path, L->want, hex);
#else
    (void)after;
#endif
    return 0;
}

/* The record type of a line (its first field), NULL for a comment or an empty line. */
static int kind_is(const char *line, const char *kind)
{
    size_t n = strlen(kind);
    return strncmp(line, kind, n) == 0 && (line[n] == '\t' || line[n] == '\0');
}

/* Load step 3: the records present, by type. */
static int count_records(loader_t *L)
{
    for (size_t ln = 1; ln < L->n_lines; ln++) {
        const char *s = L->lines[ln];
        if (s[0] == '#' || s[0] == '\0')
            continue;
        if (kind_is(s, "meta") || kind_is(s, "param"))
            L->n_meta++;
        else if (kind_is(s, "contig"))
            L->n_contig++;
        else if (kind_is(s, "sample"))
            L->n_sample++;
        else if (kind_is(s, "component"))
            L->n_component++;
        else if (kind_is(s, "bin"))
            L->n_bin++;
        else if (kind_is(s, "site"))
            L->n_site++;
        else if (pon_frag_is_record(s))
            ; /* frag.c counts its own (pon_frag_parse) */
        else
            return bad(L, ln, "unknown record type '%.*s'", (int)strcspn(s, "\t"), s);
        if (L->n_meta > MAX_META)
            return bad(L, ln, "more than %d meta and param lines", MAX_META);
    }
    return 0;
}

/* One meta value into the PoN (key already known not to repeat). */
static int meta_value(loader_t *L, size_t ln, const char *key, const char *v)
{
    metcn_pon_t *pon = L->pon;
    int64_t *count = strcmp(key, "n_contigs") == 0      ? &L->d_contigs
                     : strcmp(key, "n_samples") == 0    ? &L->d_samples
                     : strcmp(key, "n_normals") == 0    ? &L->d_normals
                     : strcmp(key, "n_bins") == 0       ? &L->d_bins
                     : strcmp(key, "n_components") == 0 ? &L->d_components
                     : strcmp(key, "n_sites") == 0      ? &L->d_sites
                                                        : NULL;
    char **str = strcmp(key, "created") == 0        ? &pon->created
                 : strcmp(key, "command") == 0      ? &pon->command
                 : strcmp(key, "panel_source") == 0 ? &L->p->source
                                                    : NULL;
    if (count && metcn_parse_int64(v, 0, INT32_MAX, count) < 0)
        return bad(L, ln, "bad %s '%.40s'", key, v);
    if (str && !(*str = strdup(v)))
        return metcn_set_error(METCN_E_NOMEM, "%s: out of memory", L->path);
    if (strcmp(key, "metcn_version") == 0)
        snprintf(pon->metcn_version, sizeof pon->metcn_version, "%s", v);
    else if (strcmp(key, "panel_checksum") == 0) {
        if (strlen(v) != 16 || strspn(v, "0123456789abcdef") != 16)
            return bad(L, ln, "bad panel_checksum '%.40s'", v);
        snprintf(pon->panel_checksum, sizeof pon->panel_checksum, "%s", v);
    } else if (strcmp(key, "build") == 0)
        snprintf(L->p->build, sizeof L->p->build, "%s", strcmp(v, ".") ? v : "");
    else if (strcmp(key, "gc_corrected") == 0 && metcn_parse_int(v, 0, 1, &pon->gc_corrected) < 0)
        return bad(L, ln, "bad gc_corrected '%.40s'", v);
    else if (strcmp(key, "median_mapd") == 0 && field_double(v, &pon->median_mapd) < 0)
        return bad(L, ln, "bad median_mapd '%.40s'", v);
    return 0;
}

/* One site parameter (pon build --snps; key without its "site_" prefix). */
static int site_param_value(loader_t *L, size_t ln, const char *key, const char *v)
{
    metcn_pon_site_opt_t *o = &L->pon->site_opt;
    int *ip = strcmp(key, "min_depth") == 0       ? &o->min_depth
              : strcmp(key, "min_het") == 0       ? &o->min_het
              : strcmp(key, "min_never_het") == 0 ? &o->min_never_het
              : strcmp(key, "min_constant") == 0  ? &o->min_constant
                                                  : NULL;
    double *dp = strcmp(key, "min_minor_frac") == 0    ? &o->min_minor_frac
                 : strcmp(key, "error_rate") == 0      ? &o->error_rate
                 : strcmp(key, "het_pvalue") == 0      ? &o->het_pvalue
                 : strcmp(key, "max_bias") == 0        ? &o->max_bias
                 : strcmp(key, "constant_share") == 0  ? &o->constant_share
                 : strcmp(key, "constant_pvalue") == 0 ? &o->constant_pvalue
                 : strcmp(key, "noisy_sd") == 0        ? &o->noisy_sd
                                                       : NULL;
    if ((ip && metcn_parse_int(v, 0, 1000000, ip) < 0) ||
        (dp && metcn_parse_double(v, 0, 1, dp) < 0))
        return bad(L, ln, "bad parameter site_%s '%.40s'", key, v);
    return 0;
}

/* One build parameter into the PoN's options (unknown ones are ignored). */
static int param_value(loader_t *L, size_t ln, const char *key, const char *v)
{
    metcn_pon_opt_t *o = &L->pon->opt;
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
    if ((ip && metcn_parse_int(v, -1, 1000000, ip) < 0) || (dp && field_double(v, dp) < 0))
        return bad(L, ln, "bad parameter %s '%.40s'", key, v);
    /* both added after format 2 was first written: a file without them is tissue, unselected */
    if (strcmp(key, "sample_type") == 0 && (o->sample_type = metcn_sample_type_parse(v)) < 0)
        return bad(L, ln, "bad parameter %s '%.40s' (tissue or plasma)", key, v);
    if (strcmp(key, "size_select") == 0 &&
        metcn_parse_size_select(v, &L->pon->size_min, &L->pon->size_max) < 0)
        return bad(L, ln, "bad parameter %s '%.40s' (MIN-MAX)", key, v);
    if (strncmp(key, "site_", 5) == 0)
        return site_param_value(L, ln, key + 5, v);
    if (strcmp(key, "dedup") == 0) { /* added later still: absent means flag */
        if (strcmp(v, "flag") != 0 && strcmp(v, "coord") != 0)
            return bad(L, ln, "bad parameter %s '%.40s' (flag or coord)", key, v);
        L->pon->dedup = v[0] == 'c' ? METCN_DEDUP_COORD : METCN_DEDUP_FLAG;
    }
    return 0;
}

const char *metcn_sample_type_name(int t)
{
    static const char *const n[] = {"tissue", "plasma"};
    return t >= 0 && t < 2 ? n[t] : "unknown";
}

int metcn_sample_type_parse(const char *s)
{
    for (int t = 0; s && t < 2; t++)
        if (strcasecmp(s, metcn_sample_type_name(t)) == 0)
            return t;
    return -1;
}

/* Load step 4: meta and param lines, each key once; the declared counts must be those of the
 * records present (arrays are sized by what is present, never by a declaration). */
static int parse_meta(loader_t *L)
{
    const char *seen[MAX_META][2];
    size_t n_seen = 0;
    char *f[4];
    int rc = 0;
    L->d_contigs = L->d_samples = L->d_normals = L->d_bins = L->d_components = -1;
    L->d_sites = 0;
    for (size_t ln = 1; ln < L->n_lines && rc == 0; ln++) {
        if (!kind_is(L->lines[ln], "meta") && !kind_is(L->lines[ln], "param"))
            continue;
        if (metcn_split(L->lines[ln], '\t', f, 4) != 3)
            return bad(L, ln, "expected 3 fields");
        for (size_t q = 0; q < n_seen; q++)
            if (strcmp(seen[q][0], f[0]) == 0 && strcmp(seen[q][1], f[1]) == 0)
                return bad(L, ln, "%s %.40s given twice", f[0], f[1]);
        seen[n_seen][0] = f[0];
        seen[n_seen++][1] = f[1];
        rc = f[0][0] == 'm' ? meta_value(L, ln, f[1], f[2]) : param_value(L, ln, f[1], f[2]);
    }
    if (rc < 0)
        return rc;
    static const char *const required[] = {"panel_source", "panel_checksum", "gc_corrected",
                                           "n_contigs",    "n_samples",      "n_normals",
                                           "n_bins",       "n_components"};
    for (size_t r = 0; r < sizeof required / sizeof *required; r++) {
        size_t q = 0;
        while (q < n_seen &&
               !(strcmp(seen[q][0], "meta") == 0 && strcmp(seen[q][1], required[r]) == 0))
            q++;
        if (q == n_seen)
            return metcn_set_error(METCN_E_FORMAT, "%s: meta %s missing", L->path, required[r]);
    }
    const struct {
        const char *what;
        int64_t declared;
        size_t present;
    } counts[] = {{"contig", L->d_contigs, L->n_contig},
                  {"sample", L->d_samples, L->n_sample},
                  {"component", L->d_components, L->n_component},
                  {"bin", L->d_bins, L->n_bin},
                  {"site", L->d_sites, L->n_site}};
    for (int c = 0; c < 5; c++)
        if ((size_t)counts[c].declared != counts[c].present)
            return metcn_set_error(
                METCN_E_FORMAT, "%s: meta declares %lld %s lines, the file has %zu", L->path,
                (long long)counts[c].declared, counts[c].what, counts[c].present);
    if (L->n_bin == 0 || L->n_contig == 0 || L->n_contig > MAX_CONTIGS ||
        L->n_component > MAX_COMPONENTS || L->d_normals > L->d_samples)
        return metcn_set_error(METCN_E_FORMAT,
                               "%s: impossible counts (%zu bins, %zu contigs, %zu components, "
                               "%lld of %zu normals used)",
                               L->path, L->n_bin, L->n_contig, L->n_component,
                               (long long)L->d_normals, L->n_sample);
    return 0;
}

/* Load step 5: the arrays, sized by the records present. */
static int allocate(loader_t *L)
{
    metcn_pon_t *pon = L->pon;
    metcn_panel_t *p = L->p;
    p->contigs = calloc(L->n_contig, sizeof *p->contigs);
    p->bins = calloc(L->n_bin, sizeof *p->bins);
    pon->samples = calloc(L->n_sample ? L->n_sample : 1, sizeof *pon->samples);
    pon->names = calloc(L->n_sample ? L->n_sample : 1, sizeof *pon->names);
    L->sorted = calloc(L->n_contig, sizeof *L->sorted);
    if (!p->contigs || !p->bins || !pon->samples || !pon->names || !L->sorted)
        return metcn_set_error(METCN_E_NOMEM, "%s: out of memory", L->path);
    p->n_contigs = (int)L->n_contig;
    p->n_bins = L->n_bin;
    pon->n_samples = L->n_sample;
    pon->n_used = (size_t)L->d_normals;
    if (pon_alloc_bins(pon, L->n_bin) < 0 || pon_alloc_components(pon, (int)L->n_component) < 0)
        return metcn_set_error(METCN_E_NOMEM, "%s: out of memory", L->path);
    for (int c = 0; c < pon->k; c++)
        pon->var_frac[c] = NAN; /* not given yet */
    if (L->n_site && !(pon->sites = calloc(L->n_site, sizeof *pon->sites)))
        return metcn_set_error(METCN_E_NOMEM, "%s: out of memory", L->path);
    pon->n_sites = L->n_site;
    return 0;
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Panel contig index of name (exact), by binary search over the sorted names; -1 if none. */
static int contig_lookup(const loader_t *L, const char *name)
{
    char *key = (char *)name;
    char **hit = bsearch(&key, L->sorted, L->n_contig, sizeof *L->sorted, str_cmp);
    if (!hit)
        return -1;
    for (int c = 0; c < L->p->n_contigs; c++) /* names are unique: one of them */
        if (L->p->contigs[c].name == *hit)
            return c;
    return -1;
}

/* Load step 6: contig lines (name, length, centromere); names unique. */
static int parse_contigs(loader_t *L)
{
    size_t c = 0;
    char *f[6];
    for (size_t ln = 1; ln < L->n_lines; ln++) {
        if (!kind_is(L->lines[ln], "contig"))
            continue;
        metcn_contig_t *ct = &L->p->contigs[c];
        if (metcn_split(L->lines[ln], '\t', f, 6) != 5 || !*f[1])
            return bad(L, ln, "contig line: expected 5 fields and a name");
        if (metcn_parse_int64(f[2], -1, INT64_MAX / 4, &ct->length) < 0 ||
            metcn_parse_int64(f[3], -1, INT64_MAX / 4, &ct->cen_start) < 0 ||
            metcn_parse_int64(f[4], -1, INT64_MAX / 4, &ct->cen_end) < 0 ||
            (ct->cen_start >= 0) != (ct->cen_end >= 0) || ct->cen_end < ct->cen_start)
            return bad(L, ln, "bad contig length or centromere");
        if (!(ct->name = strdup(f[1])))
            return metcn_set_error(METCN_E_NOMEM, "%s: out of memory", L->path);
        L->sorted[c++] = ct->name;
    }
    qsort(L->sorted, c, sizeof *L->sorted, str_cmp);
    for (size_t i = 1; i < c; i++)
        if (strcmp(L->sorted[i - 1], L->sorted[i]) == 0)
            return metcn_set_error(METCN_E_FORMAT, "%s: contig %.40s declared twice", L->path,
                                   L->sorted[i]);
    return 0;
}

/* Load step 7: sample lines (the normals' QC); the 13th field, the reason a normal failed,
 * is absent from files written before it existed. */
static int parse_samples(loader_t *L)
{
    size_t j = 0, used = 0;
    char *f[14];
    for (size_t ln = 1; ln < L->n_lines; ln++) {
        if (!kind_is(L->lines[ln], "sample"))
            continue;
        metcn_pon_sample_t *s = &L->pon->samples[j];
        int nf = metcn_split(L->lines[ln], '\t', f, 14);
        if (nf != 12 && nf != 13)
            return bad(L, ln, "sample line: expected 12 or 13 fields");
        if (nf == 13 && strcmp(f[12], ".") != 0 && pon_set_reason(L->pon, j, f[12]) < 0)
            return metcn_last_error_code();
        if (!(L->pon->names[j] = strdup(f[1])))
            return metcn_set_error(METCN_E_NOMEM, "%s: out of memory", L->path);
        s->name = L->pon->names[j++];
        s->sex = strcmp(f[2], "XX") == 0   ? METCN_SEX_XX
                 : strcmp(f[2], "XY") == 0 ? METCN_SEX_XY
                                           : 0;
        double *dv[] = {&s->x_log2,       &s->median_depth, &s->gc_strength, &s->mapd,
                        &s->max_abs_log2, &s->z_mapd,       &s->z_max};
        for (int q = 0; q < 7; q++)
            if (field_double(f[3 + q], dv[q]) < 0)
                return bad(L, ln, "bad number '%.40s' in column %d", f[3 + q], 4 + q);
        if (metcn_parse_int(f[10], 0, 1, &s->outlier) < 0 ||
            metcn_parse_int(f[11], 0, 1, &s->dropped) < 0)
            return bad(L, ln, "bad outlier/dropped flag");
        if (s->reason && !s->dropped)
            return bad(L, ln, "a normal that failed (reason given) must be dropped");
        used += !s->dropped;
    }
    if (used != L->pon->n_used)
        return metcn_set_error(METCN_E_FORMAT,
                               "%s: meta declares %zu normals used, %zu are not "
                               "dropped",
                               L->path, L->pon->n_used, used);
    return 0;
}

/* Load step 8: component lines, each index 1..k once. */
static int parse_components(loader_t *L)
{
    int k = L->pon->k, ci;
    char *f[5];
    for (size_t ln = 1; ln < L->n_lines; ln++) {
        if (!kind_is(L->lines[ln], "component"))
            continue;
        if (metcn_split(L->lines[ln], '\t', f, 5) != 4 || metcn_parse_int(f[1], 1, k, &ci) < 0)
            return bad(L, ln, "bad component line");
        if (!isnan(L->pon->var_frac[ci - 1]))
            return bad(L, ln, "component %d given twice", ci);
        if (field_double(f[2], &L->pon->sv[ci - 1]) < 0 ||
            field_double(f[3], &L->pon->var_frac[ci - 1]) < 0 || isnan(L->pon->var_frac[ci - 1]))
            return bad(L, ln, "bad component line");
    }
    return 0;
}

/* One bin line's values (f: its fields). */
static int bin_values(loader_t *L, size_t ln, size_t i, char **f)
{
    metcn_pon_t *pon = L->pon;
    metcn_bin_t *bn = &L->p->bins[i];
    int role = metcn_role_parse(f[5]);
    if (role != (int)metcn_contig_role(L->p->contigs[bn->contig].name))
        return bad(L, ln, "role '%.20s' is not that of contig %.40s", f[5],
                   L->p->contigs[bn->contig].name);
    bn->role = (metcn_role_t)role;
    double *dv[] = {&pon->gc[i],        &pon->rel_depth[i], &pon->centre[i],
                    &pon->centre_xy[i], &pon->spread[i],    &pon->sd[i]};
    for (int q = 0; q < 6; q++)
        if (field_double(f[6 + q], dv[q]) < 0)
            return bad(L, ln, "bad number '%.40s' in column %d", f[6 + q], 7 + q);
    if (!(isnan(pon->gc[i]) || (pon->gc[i] >= 0 && pon->gc[i] <= 1)))
        return bad(L, ln, "gc %g outside [0,1]", pon->gc[i]);
    int r = -1;
    for (int q = 0; q < METCN_PON_N_REASONS && r < 0; q++)
        if (strcmp(f[12], metcn_pon_reason_name(q)) == 0)
            r = q;
    if (r < 0)
        return bad(L, ln, "unknown exclusion reason '%.40s'", f[12]);
    pon->excluded[i] = r;
    for (int c = 0; c < pon->k; c++)
        if (field_double(f[13 + c], &pon->load[i * (size_t)pon->k + (size_t)c]) < 0)
            return bad(L, ln, "bad loading '%.40s'", f[13 + c]);
    return 0;
}

/* Load step 9: bin lines, in panel order (by contig, then start, not overlapping). */
static int parse_bins(loader_t *L)
{
    size_t i = 0, want = 13 + (size_t)L->pon->k;
    char **f = malloc((want + 1) * sizeof *f);
    int rc = f ? 0 : metcn_set_error(METCN_E_NOMEM, "%s: out of memory", L->path);
    for (size_t ln = 1; ln < L->n_lines && rc == 0; ln++) {
        if (!kind_is(L->lines[ln], "bin"))
            continue;
        size_t nf = (size_t)metcn_split(L->lines[ln], '\t', f, (int)want + 1);
        metcn_bin_t *bn = &L->p->bins[i], *prev = i ? bn - 1 : NULL;
        if (nf != want)
            rc = bad(L, ln, "bin line: expected %zu fields, found %s%zu", want,
                     nf > want ? "more than " : "", nf > want ? want : nf);
        else if ((bn->contig = contig_lookup(L, f[1])) < 0)
            rc = bad(L, ln, "contig '%.40s' not declared", f[1]);
        else if (metcn_parse_int64(f[2], 0, INT64_MAX / 4, &bn->start) < 0 ||
                 metcn_parse_int64(f[3], 1, INT64_MAX / 4, &bn->end) < 0 || bn->end <= bn->start)
            rc = bad(L, ln, "bad interval %.20s-%.20s", f[2], f[3]);
        else if (prev && (bn->contig < prev->contig ||
                          (bn->contig == prev->contig && bn->start < prev->end)))
            rc = bad(L, ln, "bin out of panel order (or overlapping the one before)");
        else if (strcmp(f[4], ".") != 0 && !(bn->name = strdup(f[4])))
            rc = metcn_set_error(METCN_E_NOMEM, "%s: out of memory", L->path);
        else {
            /* off-target bins carry CNVkit's name: the file needs no column of its own */
            bn->off_target = bn->name && strcmp(bn->name, "Antitarget") == 0;
            rc = bin_values(L, ln, i++, f);
        }
    }
    free(f);
    return rc;
}

/* A site line's flags field ("." or comma-separated names) into bits; -1 when unknown. */
static int parse_site_flags(char *v, unsigned *flags)
{
    *flags = 0;
    if (strcmp(v, ".") == 0)
        return 0;
    for (char *save = NULL, *t = strtok_r(v, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        int b = 0;
        while (b < METCN_PON_SITE_N_FLAGS && strcmp(t, metcn_pon_site_flag_name(1u << b)) != 0)
            b++;
        if (b == METCN_PON_SITE_N_FLAGS)
            return -1;
        *flags |= 1u << b;
    }
    return 0;
}

/* One site line's fields (f) into s. */
static int site_values(loader_t *L, size_t ln, char **f, metcn_pon_site_t *s)
{
    const metcn_contig_t *ct = &L->p->contigs[s->contig];
    int64_t pos;
    if (metcn_parse_int64(f[2], 1, ct->length > 0 ? ct->length : INT64_MAX / 4, &pos) < 0)
        return bad(L, ln, "bad site position '%.20s'", f[2]);
    s->pos = pos - 1;
    if (strlen(f[3]) != 1 || strlen(f[4]) != 1 || !strchr("ACGT", f[3][0]) ||
        !strchr("ACGT", f[4][0]) || f[3][0] == f[4][0])
        return bad(L, ln, "site alleles must be two different bases of ACGT");
    s->ref = f[3][0];
    s->alt = f[4][0];
    int maxn = (int)(L->n_sample < INT32_MAX ? L->n_sample : INT32_MAX);
    if (metcn_parse_int(f[5], 0, maxn, &s->n_depth) < 0 ||
        metcn_parse_int(f[6], 0, s->n_depth, &s->n_het) < 0)
        return bad(L, ln, "bad site normal counts '%.20s' '%.20s'", f[5], f[6]);
    double *dv[] = {&s->depth, &s->ref_bias, &s->ref_bias_sd};
    for (int q = 0; q < 3; q++)
        if (field_double(f[7 + q], dv[q]) < 0 || *dv[q] < 0)
            return bad(L, ln, "bad number '%.40s' in column %d", f[7 + q], 8 + q);
    if (s->ref_bias > 1)
        return bad(L, ln, "site ref_bias %g outside [0,1]", s->ref_bias);
    if (parse_site_flags(f[10], &s->flags) < 0)
        return bad(L, ln, "unknown site flag in '%.40s'", f[10]);
    return 0;
}

/* Load step 9b: site lines (pon build --snps), in panel order, each position once. */
static int parse_sites(loader_t *L)
{
    size_t i = 0;
    char *f[12];
    for (size_t ln = 1; ln < L->n_lines; ln++) {
        if (!kind_is(L->lines[ln], "site"))
            continue;
        metcn_pon_site_t *s = &L->pon->sites[i], *prev = i ? s - 1 : NULL;
        int rc;
        if (metcn_split(L->lines[ln], '\t', f, 12) != 11)
            return bad(L, ln, "site line: expected 11 fields");
        if ((s->contig = contig_lookup(L, f[1])) < 0)
            return bad(L, ln, "contig '%.40s' not declared", f[1]);
        if ((rc = site_values(L, ln, f, s)) < 0)
            return rc;
        if (prev &&
            (s->contig < prev->contig || (s->contig == prev->contig && s->pos <= prev->pos)))
            return bad(L, ln, "site out of panel order (or given twice)");
        i++;
    }
    return 0;
}

/* Load step 10: what follows from the records, and the stored panel checksum. */
static int finish(loader_t *L)
{
    metcn_panel_t *p = L->p;
    for (size_t i = 0; i < p->n_bins; i++)
        p->n_role[p->bins[i].role]++;
    char ck[17];
    metcn_panel_checksum(p, ck);
    if (strcmp(ck, L->pon->panel_checksum) != 0)
        return metcn_set_error(METCN_E_FORMAT,
                               "%s: stored panel checksum %s does not match its bins (%s)", L->path,
                               L->pon->panel_checksum, ck);
    snprintf(L->pon->checksum, sizeof L->pon->checksum, "%s", L->want);
    L->pon->format_version = L->version;
    pon_count_reasons(L->pon);
    return 0;
}

metcn_pon_t *metcn_pon_load(const char *path)
{
    loader_t L = {.path = path};
    int rc = read_lines(&L);
    if (rc == 0)
        rc = count_records(&L);
    if (rc == 0 && (!(L.pon = calloc(1, sizeof *L.pon)) || !(L.p = calloc(1, sizeof *L.p))))
        rc = metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
    if (rc == 0) {
        L.pon->panel = L.p; /* owned by the PoN from here on */
        L.pon->median_mapd = NAN;
        metcn_pon_opt_init(&L.pon->opt);
        metcn_pon_site_opt_init(&L.pon->site_opt);
        rc = parse_meta(&L);
    }
    if (rc == 0)
        rc = allocate(&L);
    if (rc == 0)
        rc = parse_contigs(&L);
    if (rc == 0)
        rc = parse_samples(&L);
    if (rc == 0)
        rc = parse_components(&L);
    if (rc == 0)
        rc = parse_bins(&L);
    if (rc == 0)
        rc = parse_sites(&L);
    if (rc == 0)
        rc = pon_frag_parse(L.pon, path, L.lines, L.n_lines);
    if (rc == 0)
        rc = finish(&L);
    for (size_t i = 0; i < L.n_lines; i++)
        free(L.lines[i]);
    free(L.lines);
    free(L.sorted);
    if (rc < 0) {
        if (L.pon)
            metcn_pon_destroy(L.pon);
        else
            metcn_panel_destroy(L.p);
        return NULL;
    }
    return L.pon;
}
