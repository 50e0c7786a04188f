/* panel.c -- panels of bins: contig naming and order, the built-in build tables and panels,
 * loading (BED or built-in) in named steps, header matching, checksum, lookup.  A panel holds
 * no gene (gene views: gene.c).  All coordinates are 0-based half-open. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "metcn/metcn.h"
#include "panel/panel_internal.h"

/* Generated from panels/ by cmake/embed_panels.cmake: {relative path, content} pairs. */
extern const char *const metcn_builtin_files[][2];

static const char *const role_names[METCN_N_ROLES] = {"target",    "control", "flank",
                                                      "reference", "sex",     "other"};

const char *metcn_role_name(metcn_role_t role)
{
    return (unsigned)role < METCN_N_ROLES ? role_names[role] : "unknown";
}

int metcn_role_parse(const char *s)
{
    for (int i = 0; i < METCN_N_ROLES; i++)
        if (strcmp(s, role_names[i]) == 0)
            return i;
    return -1;
}

void metcn_panel_opt_init(metcn_panel_opt_t *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->bin_size = 100000;
}

/* ---- contig names ---------------------------------------------------------------------- */

const char *metcn_contig_canonical(const char *name, char *buf, size_t n)
{
    const char *s = name;
    if (strncasecmp(s, "chr", 3) == 0 && s[3])
        s += 3;
    if (strcmp(s, "M") == 0)
        s = "MT";
    snprintf(buf, n, "%s", s);
    return buf;
}

int metcn_contig_tid(const sam_hdr_t *hdr, const char *name)
{
    int tid = sam_hdr_name2tid((sam_hdr_t *)hdr, name);
    if (tid >= 0)
        return tid;
    char want[256], have[256];
    metcn_contig_canonical(name, want, sizeof want);
    int n = sam_hdr_nref(hdr);
    for (int i = 0; i < n; i++) {
        metcn_contig_canonical(sam_hdr_tid2name(hdr, i), have, sizeof have);
        if (strcmp(want, have) == 0)
            return i;
    }
    return -1;
}

int contig_rank(const char *name)
{
    char canon[256], *end;
    metcn_contig_canonical(name, canon, sizeof canon);
    long v = strtol(canon, &end, 10);
    if (*end == '\0' && end != canon && v >= 1 && v <= 22)
        return (int)v;
    if (strcmp(canon, "X") == 0)
        return 23;
    if (strcmp(canon, "Y") == 0)
        return 24;
    if (strcmp(canon, "MT") == 0)
        return 25;
    return 100;
}

int metcn_contig_required(const char *name)
{
    return contig_rank(name) <= 22;
}

metcn_role_t metcn_contig_role(const char *name)
{
    int rank = contig_rank(name);
    return rank <= 22 ? METCN_ROLE_REFERENCE : rank <= 24 ? METCN_ROLE_SEX : METCN_ROLE_OTHER;
}

int contig_cmp(const char *a, const char *b)
{
    char ca[256], cb[256];
    metcn_contig_canonical(a, ca, sizeof ca);
    metcn_contig_canonical(b, cb, sizeof cb);
    int ra = contig_rank(a), rb = contig_rank(b);
    if (ra != rb)
        return ra < rb ? -1 : 1;
    return strcmp(ca, cb);
}

int same_contig(const char *a, const char *b)
{
    char ca[256], cb[256];
    return strcmp(metcn_contig_canonical(a, ca, sizeof ca),
                  metcn_contig_canonical(b, cb, sizeof cb)) == 0;
}

/* ---- build tables (panels/<build>/build.tsv) -------------------------------------------- */

const char *builtin_file(const char *rel)
{
    for (int i = 0; metcn_builtin_files[i][0]; i++)
        if (strcmp(metcn_builtin_files[i][0], rel) == 0)
            return metcn_builtin_files[i][1];
    return NULL;
}

const char *build_key(const char *build)
{
    if (!build)
        return NULL;
    if (strcasecmp(build, "grch38") == 0 || strcasecmp(build, "hg38") == 0)
        return "grch38";
    if (strcasecmp(build, "grch37") == 0 || strcasecmp(build, "hg19") == 0)
        return "grch37";
    return NULL;
}

int build_lookup(const char *key, const char *tag, const char *sel, char *line, size_t linesz,
                 char **f, int max)
{
    char rel[64];
    snprintf(rel, sizeof rel, "%s/build.tsv", key);
    metcn_tsv_t *t = metcn_tsv_text(builtin_file(rel), rel);
    int found = -1;
    while (t && found < 0 && metcn_tsv_next(t) > 0) {
        const char *s = metcn_tsv_line(t);
        size_t len = metcn_tsv_len(t);
        if (*s == '#' || len >= linesz)
            continue;
        memcpy(line, s, len + 1);
        int n = metcn_split(line, '\t', f, max);
        if (n >= 2 && strcmp(f[0], tag) == 0 &&
            (!sel || strcmp(f[1], sel) == 0 || same_contig(f[1], sel)))
            found = n;
    }
    metcn_tsv_close(t);
    return found;
}

int64_t build_contig_length(const char *key, const char *contig)
{
    char line[256], *f[4];
    if (build_lookup(key, "contig", contig, line, sizeof line, f, 4) >= 3)
        return strtoll(f[2], NULL, 10);
    return -1;
}

/* Which built-in build a header belongs to, by chr7's length; NULL if none. */
static const char *build_from_header(const sam_hdr_t *hdr)
{
    int tid = metcn_contig_tid(hdr, "chr7");
    if (tid < 0)
        return NULL;
    hts_pos_t len = sam_hdr_tid2len(hdr, tid);
    static const char *const keys[] = {"grch38", "grch37"};
    for (int i = 0; i < 2; i++)
        if (build_contig_length(keys[i], "chr7") == len)
            return keys[i];
    return NULL;
}

/* ---- panels -------------------------------------------------------------------------------- */

void metcn_panel_destroy(metcn_panel_t *p)
{
    if (!p)
        return;
    for (int i = 0; p->contigs && i < p->n_contigs; i++)
        free(p->contigs[i].name);
    free(p->contigs);
    for (size_t i = 0; p->bins && i < p->n_bins; i++)
        free(p->bins[i].name);
    free(p->bins);
    free(p->source);
    free(p);
}

metcn_panel_t *metcn_panel_copy(const metcn_panel_t *p)
{
    metcn_panel_t *cp = calloc(1, sizeof *cp);
    if (!cp)
        goto nomem;
    *cp = *p;
    cp->contigs = calloc((size_t)p->n_contigs + 1, sizeof *cp->contigs);
    cp->bins = calloc(p->n_bins + 1, sizeof *cp->bins);
    cp->source = p->source ? strdup(p->source) : NULL;
    cp->n_contigs = 0;
    cp->n_bins = 0;
    if (!cp->contigs || !cp->bins || (p->source && !cp->source))
        goto nomem;
    for (int c = 0; c < p->n_contigs; c++, cp->n_contigs++) {
        cp->contigs[c] = p->contigs[c];
        if (!(cp->contigs[c].name = strdup(p->contigs[c].name)))
            goto nomem;
    }
    for (size_t i = 0; i < p->n_bins; i++, cp->n_bins++) {
        cp->bins[i] = p->bins[i];
        cp->bins[i].name = NULL;
        if (p->bins[i].name && !(cp->bins[i].name = strdup(p->bins[i].name)))
            goto nomem;
    }
    return cp;
nomem:
    metcn_panel_destroy(cp);
    metcn_set_error(METCN_E_NOMEM, "%s: out of memory", p->source ? p->source : "panel");
    return NULL;
}

int panel_contig_index(const metcn_panel_t *p, const char *name)
{
    for (int i = 0; i < p->n_contigs; i++)
        if (strcmp(p->contigs[i].name, name) == 0)
            return i;
    for (int i = 0; i < p->n_contigs; i++)
        if (same_contig(p->contigs[i].name, name))
            return i;
    return -1;
}

/* Assembly step 1: contigs in sorted order (lengths from the header, else the build table)
 * and the bins, which take over the raw names. */
static int add_bins(metcn_panel_t *p, rawvec_t *v, const sam_hdr_t *hdr, const char *key)
{
    for (size_t i = 0; i < v->n; i++) {
        rawbin_t *r = &v->a[i];
        int ci = p->n_contigs - 1;
        if (ci < 0 || !same_contig(p->contigs[ci].name, r->contig)) {
            metcn_contig_t *ct = &p->contigs[ci = p->n_contigs++];
            if (!(ct->name = strdup(r->contig)))
                return metcn_set_error(METCN_E_NOMEM, "%s: out of memory", p->source);
            ct->length = ct->cen_start = ct->cen_end = -1;
            int tid = hdr ? metcn_contig_tid(hdr, r->contig) : -1;
            if (tid >= 0)
                ct->length = sam_hdr_tid2len(hdr, tid);
            else if (!hdr && key)
                ct->length = build_contig_length(key, r->contig);
        }
        metcn_bin_t *b = &p->bins[p->n_bins++];
        b->contig = ci;
        b->start = r->start;
        b->end = r->end;
        b->name = r->name;
        b->off_target = r->off_target || (r->name && strcmp(r->name, "Antitarget") == 0);
        r->name = NULL;
        if (p->contigs[ci].length >= 0 && b->end > p->contigs[ci].length)
            return metcn_set_error(
                METCN_E_RANGE, "%s:%ld: end %lld is beyond the length %lld of %s", p->source,
                r->line, (long long)b->end, (long long)p->contigs[ci].length, r->contig);
    }
    return 0;
}

/* Assembly step 2: the build's name and every contig's centromere, when the build is known. */
static void set_build(metcn_panel_t *p, const char *key)
{
    char line[256], *f[5];
    if (!key)
        return;
    if (build_lookup(key, "build", NULL, line, sizeof line, f, 4) >= 2)
        snprintf(p->build, sizeof p->build, "%s", f[1]);
    for (int c = 0; c < p->n_contigs; c++)
        if (build_lookup(key, "centromere", p->contigs[c].name, line, sizeof line, f, 5) >= 4) {
            p->contigs[c].cen_start = strtoll(f[2], NULL, 10);
            p->contigs[c].cen_end = strtoll(f[3], NULL, 10);
        }
}

/* Assembly step 3: the gene-independent roles. */
static void set_roles(metcn_panel_t *p)
{
    memset(p->n_role, 0, sizeof p->n_role);
    for (size_t i = 0; i < p->n_bins; i++) {
        metcn_bin_t *b = &p->bins[i];
        b->role = metcn_contig_role(p->contigs[b->contig].name);
        p->n_role[b->role]++;
    }
}

/* The panel from sorted, non-overlapping raw bins (whose names it takes over). */
static metcn_panel_t *assemble(rawvec_t *v, const char *source, const sam_hdr_t *hdr,
                               const char *key)
{
    metcn_panel_t *p = calloc(1, sizeof *p);
    if (!p || !(p->source = strdup(source)) ||
        !(p->bins = calloc(v->n ? v->n : 1, sizeof *p->bins)) ||
        !(p->contigs = calloc(v->n ? v->n : 1, sizeof *p->contigs))) {
        metcn_set_error(METCN_E_NOMEM, "%s: out of memory", source);
        metcn_panel_destroy(p);
        return NULL;
    }
    if (add_bins(p, v, hdr, key) < 0) {
        metcn_panel_destroy(p);
        return NULL;
    }
    set_build(p, key);
    set_roles(p);
    return p;
}

/* ---- built-in panels ------------------------------------------------------------------------ */

static const char *const builtin_names[] = {"grch38", "grch37", "grch38-met", "grch37-met", NULL};

const char *const *metcn_panel_builtin_names(void)
{
    return builtin_names;
}

const char *metcn_panel_builtin_description(const char *name)
{
    if (strcmp(name, "grch38") == 0)
        return "GRCh38 genome layout: MET coding exons + tiles over chr7 arms and all other "
               "chromosomes (--bin-size)";
    if (strcmp(name, "grch37") == 0)
        return "GRCh37 genome layout: MET coding exons + tiles over chr7 arms and all other "
               "chromosomes (--bin-size)";
    if (strcmp(name, "grch38-met") == 0)
        return "GRCh38 MET coding exons only (NM_000245 exons 2-21)";
    if (strcmp(name, "grch37-met") == 0)
        return "GRCh37 MET coding exons only (NM_000245 exons 2-21)";
    return NULL;
}

/* The MET exons of panels/<key>/met_cds.bed into out, and MET's extent (the build table's,
 * else the exons'). */
static int met_exons(const char *key, rawvec_t *out, int64_t *gs, int64_t *ge)
{
    char rel[64], line[256], *f[6];
    snprintf(rel, sizeof rel, "%s/met_cds.bed", key);
    metcn_tsv_t *t = metcn_tsv_text(builtin_file(rel), rel);
    if (!t)
        return metcn_last_error_code();
    size_t first = out->n;
    int r = bed_read(t, out, NULL, NULL);
    metcn_tsv_close(t);
    if (r < 0)
        return r;
    *gs = out->a[first].start;
    *ge = out->a[out->n - 1].end;
    if (build_lookup(key, "gene", "MET", line, sizeof line, f, 6) >= 5) {
        *gs = strtoll(f[3], NULL, 10);
        *ge = strtoll(f[4], NULL, 10);
    }
    return 0;
}

/* Tiles of one contig into out; on chr7 the tiles over MET [gs, ge) or the centromere
 * [cs, ce) are left out (MET has its exon bins). */
static int tile_contig(const char *name, int64_t length, int64_t bin_size, int64_t gs, int64_t ge,
                       int64_t cs, int64_t ce, rawvec_t *out)
{
    int is7 = same_contig(name, "chr7");
    for (int64_t s = 0; s < length; s += bin_size) {
        int64_t e = s + bin_size < length ? s + bin_size : length;
        if (is7 && ((s < ge && e > gs) || (cs >= 0 && s < ce && e > cs)))
            continue;
        if (rawvec_push(out, name, s, e, NULL, 0))
            return metcn_set_error(METCN_E_NOMEM, "out of memory");
    }
    return 0;
}

/* The genome layout: MET exons plus tiles of the primary chromosomes (1-22, X, Y) of the
 * build table, with the header's names and lengths when a header is given (contigs it lacks
 * are not tiled). */
static int tile_genome(const char *key, const metcn_panel_opt_t *opt, const sam_hdr_t *hdr,
                       rawvec_t *out)
{
    int64_t gs, ge, cs = -1, ce = -1;
    int r = met_exons(key, out, &gs, &ge);
    if (r)
        return r;
    size_t n_exons = out->n;
    char line[256], *f[6], rel[64];
    if (build_lookup(key, "centromere", "chr7", line, sizeof line, f, 6) >= 4) {
        cs = strtoll(f[2], NULL, 10);
        ce = strtoll(f[3], NULL, 10);
    }
    snprintf(rel, sizeof rel, "%s/build.tsv", key);
    metcn_tsv_t *t = metcn_tsv_text(builtin_file(rel), rel);
    char **g;
    while (r == 0 && t && metcn_tsv_next(t) > 0) {
        if (metcn_tsv_split(t, &g) != 3 || strcmp(g[0], "contig") != 0)
            continue;
        const char *name = g[1];
        int64_t length = strtoll(g[2], NULL, 10);
        int tid = hdr ? metcn_contig_tid(hdr, g[1]) : -1;
        if (hdr && tid < 0)
            continue; /* not in this header: nothing to tile */
        if (hdr) {
            name = sam_hdr_tid2name(hdr, tid);
            length = sam_hdr_tid2len(hdr, tid);
        }
        r = tile_contig(name, length, opt->bin_size, gs, ge, cs, ce, out);
        for (size_t i = 0; r == 0 && i < n_exons; i++) /* exons take the header's naming */
            if (same_contig(out->a[i].contig, name) && strcmp(out->a[i].contig, name) != 0) {
                char *c = strdup(name);
                if (!c)
                    r = metcn_set_error(METCN_E_NOMEM, "out of memory");
                else {
                    free(out->a[i].contig);
                    out->a[i].contig = c;
                }
            }
    }
    if (!t)
        r = metcn_last_error_code();
    metcn_tsv_close(t);
    return r;
}

/* A built-in panel's raw bins; refuses a header of another build. */
static int builtin_bins(const char *name, const char *own, const metcn_panel_opt_t *opt,
                        const sam_hdr_t *hdr, rawvec_t *raw)
{
    if (hdr) {
        const char *hb = build_from_header(hdr);
        int tid = metcn_contig_tid(hdr, "chr7");
        if (tid < 0)
            return metcn_set_error(METCN_E_CONTIG, "panel %s: the header has no chromosome 7",
                                   name);
        if (!hb || strcmp(hb, own) != 0)
            return metcn_set_error(METCN_E_INCOMPATIBLE,
                                   "panel %s: the header's chromosome 7 is %lld bp long, not "
                                   "%lld as in %s",
                                   name, (long long)sam_hdr_tid2len(hdr, tid),
                                   (long long)build_contig_length(own, "chr7"), own);
    }
    if (!strstr(name, "-met"))
        return tile_genome(own, opt, hdr, raw);
    int64_t gs, ge;
    return met_exons(own, raw, &gs, &ge);
}

/* ---- loading -------------------------------------------------------------------------------- */

/* Load step 1: the options are valid, and the build key they force (or NULL). */
static int load_options(const metcn_panel_opt_t *opt, const char **key)
{
    if (opt->bin_size < 1000)
        return metcn_set_error(METCN_E_ARG, "bin size %lld is below 1000 bp",
                               (long long)opt->bin_size);
    *key = NULL;
    if (opt->build && !(*key = build_key(opt->build)))
        return metcn_set_error(METCN_E_ARG, "unknown build '%s' (grch38 or grch37)", opt->build);
    return 0;
}

/* Load step 2: the raw bins of a built-in panel or a BED file, and the build they are on. */
static int load_raw(const char *spec, const metcn_panel_opt_t *opt, const sam_hdr_t *hdr,
                    rawvec_t *raw, const char **key, const char **source)
{
    for (int i = 0; builtin_names[i]; i++) {
        if (strcasecmp(spec, builtin_names[i]) != 0)
            continue;
        const char *name = builtin_names[i];
        const char *own = strncmp(name, "grch38", 6) == 0 ? "grch38" : "grch37";
        if (*key && strcmp(*key, own) != 0)
            return metcn_set_error(METCN_E_INCOMPATIBLE, "panel %s is not of build %s", name,
                                   opt->build);
        *key = own;
        *source = name;
        return builtin_bins(name, own, opt, hdr, raw);
    }
    if (!*key && hdr)
        *key = build_from_header(hdr);
    *source = spec;
    metcn_tsv_t *t = metcn_tsv_open(spec);
    if (!t)
        return metcn_last_error_code();
    int r = bed_read(t, raw, NULL, NULL);
    metcn_tsv_close(t);
    return r;
}

metcn_panel_t *metcn_panel_load(const char *spec, const metcn_panel_opt_t *opt_in,
                                const sam_hdr_t *hdr)
{
    metcn_panel_opt_t defaults;
    const metcn_panel_opt_t *opt = opt_in;
    if (!opt) {
        metcn_panel_opt_init(&defaults);
        opt = &defaults;
    }
    rawvec_t raw = {0};
    metcn_panel_t *p = NULL;
    const char *key = NULL, *source = spec;
    int builtin = 0;
    for (int i = 0; builtin_names[i]; i++)
        builtin |= strcasecmp(spec, builtin_names[i]) == 0;
    if (load_options(opt, &key) == 0 && load_raw(spec, opt, hdr, &raw, &key, &source) == 0 &&
        bed_sort_check(&raw, builtin ? 0 : opt->merge, source, NULL, NULL) == 0)
        p = assemble(&raw, source, hdr, key);
    rawvec_free(&raw);
    return p;
}

/* ---- header matching, checksum, lookup ------------------------------------------------------ */

/* Bins of panel contig c. */
static size_t contig_bins(const metcn_panel_t *p, int c)
{
    size_t nb = 0;
    for (size_t b = 0; b < p->n_bins; b++)
        nb += p->bins[b].contig == c;
    return nb;
}

/* Header tid of panel contig c, or -1 (a warning) / an error when it is missing or of
 * another length. */
static int match_contig(const metcn_panel_t *p, int c, const sam_hdr_t *hdr, const char *what,
                        int *tid)
{
    const metcn_contig_t *ct = &p->contigs[c];
    *tid = metcn_contig_tid(hdr, ct->name);
    if (*tid < 0 && metcn_contig_required(ct->name))
        return metcn_set_error(METCN_E_CONTIG,
                               "%s: the header has no contig %s (nor an alias), which holds %zu "
                               "bins of panel %s",
                               what, ct->name, contig_bins(p, c), p->source);
    if (*tid < 0) {
        metcn_log(METCN_LOG_WARNING,
                  "%s: no contig %s in the header: its %zu bins of %s are "
                  "not counted",
                  what, ct->name, contig_bins(p, c), p->source);
        return 0;
    }
    int64_t len = (int64_t)sam_hdr_tid2len(hdr, *tid);
    if (ct->length > 0 && len > 0 && len != ct->length)
        return metcn_set_error(METCN_E_INCOMPATIBLE,
                               "%s: contig %s has length %lld in the header but %lld in "
                               "panel %s (another reference build?%s%s)",
                               what, ct->name, (long long)len, (long long)ct->length, p->source,
                               p->build[0] ? " panel: " : "", p->build);
    return 0;
}

int metcn_panel_match_header(const metcn_panel_t *p, const sam_hdr_t *hdr, const char *what,
                             int **tids_out)
{
    int *tids = malloc((p->n_contigs ? p->n_contigs : 1) * sizeof *tids);
    if (!tids)
        return metcn_set_error(METCN_E_NOMEM, "%s: out of memory", what);
    int r = 0;
    for (int c = 0; c < p->n_contigs && r == 0; c++)
        r = match_contig(p, c, hdr, what, &tids[c]);
    for (size_t b = 0; b < p->n_bins && r == 0; b++) {
        const metcn_bin_t *bn = &p->bins[b];
        int tid = tids[bn->contig];
        if (tid >= 0 && bn->end > sam_hdr_tid2len(hdr, tid))
            r = metcn_set_error(METCN_E_RANGE,
                                "%s: panel bin %s:%lld-%lld ends beyond the contig's length "
                                "%lld in the header",
                                what, p->contigs[bn->contig].name, (long long)bn->start,
                                (long long)bn->end, (long long)sam_hdr_tid2len(hdr, tid));
    }
    if (r) {
        free(tids);
        return r;
    }
    *tids_out = tids;
    return 0;
}

const char *metcn_panel_checksum(const metcn_panel_t *p, char buf[17])
{
    uint64_t h = METCN_HASH64_INIT;
    for (size_t i = 0; i < p->n_bins; i++) {
        const metcn_bin_t *b = &p->bins[i];
        char canon[256], line[320];
        metcn_contig_canonical(p->contigs[b->contig].name, canon, sizeof canon);
        int n = snprintf(line, sizeof line, "%s\t%lld\t%lld\n", canon, (long long)b->start,
                         (long long)b->end);
        h = metcn_hash64(h, line, n > 0 && (size_t)n < sizeof line ? (size_t)n : 0);
    }
    snprintf(buf, 17, "%016llx", (unsigned long long)h);
    return buf;
}

long metcn_panel_find(const metcn_panel_t *p, const char *contig, int64_t start, int64_t end)
{
    int ci = panel_contig_index(p, contig);
    if (ci < 0)
        return -1;
    size_t lo = 0, hi = p->n_bins;
    while (lo < hi) { /* first bin with (contig, start) >= (ci, start) */
        size_t mid = lo + (hi - lo) / 2;
        const metcn_bin_t *b = &p->bins[mid];
        if (b->contig < ci || (b->contig == ci && b->start < start))
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < p->n_bins && p->bins[lo].contig == ci && p->bins[lo].start == start &&
        p->bins[lo].end == end)
        return (long)lo;
    return -1;
}

/* ---- lenient checking ---------------------------------------------------------------------- */

/* With a header: every contig it lacks (once) and every bin beyond its contig. */
static int check_raw_header(const rawvec_t *raw, const char *path, const sam_hdr_t *hdr,
                            metcn_panel_problem_fn fn, void *ud)
{
    char msg[1024];
    int errors = 0;
    for (size_t i = 0; i < raw->n; i++) {
        const rawbin_t *r = &raw->a[i];
        int tid = metcn_contig_tid(hdr, r->contig);
        if (tid < 0) {
            if (i > 0 && same_contig(raw->a[i - 1].contig, r->contig))
                continue; /* one message per contig */
            int req = metcn_contig_required(r->contig);
            snprintf(msg, sizeof msg, "%s:%ld: contig %s is not in the header%s", path, r->line,
                     r->contig,
                     req ? " (an autosome: its bins would read nothing)"
                         : "; its bins would not be counted");
            fn(req ? METCN_LOG_ERROR : METCN_LOG_WARNING, msg, ud);
            errors += req;
        } else if (r->end > sam_hdr_tid2len(hdr, tid)) {
            snprintf(msg, sizeof msg, "%s:%ld: end %lld is beyond the length %lld of %s", path,
                     r->line, (long long)r->end, (long long)sam_hdr_tid2len(hdr, tid), r->contig);
            fn(METCN_LOG_ERROR, msg, ud);
            errors++;
        }
    }
    return errors;
}

int metcn_panel_check(const char *path, const metcn_panel_opt_t *opt_in, const sam_hdr_t *hdr,
                      metcn_panel_problem_fn fn, void *ud)
{
    metcn_panel_opt_t defaults;
    const metcn_panel_opt_t *opt = opt_in;
    if (!opt) {
        metcn_panel_opt_init(&defaults);
        opt = &defaults;
    }
    metcn_tsv_t *t = metcn_tsv_open(path);
    if (!t)
        return metcn_last_error_code();
    rawvec_t raw = {0};
    int errors = bed_read(t, &raw, fn, ud);
    metcn_tsv_close(t);
    int r = errors < 0 ? errors : bed_sort_check(&raw, opt->merge, path, fn, ud);
    if (r >= 0 && errors >= 0) {
        errors += r;
        if (hdr)
            errors += check_raw_header(&raw, path, hdr, fn, ud);
    }
    rawvec_free(&raw);
    return r < 0 ? r : errors;
}

/* ---- panels from intervals (a CNVkit .cnr's rows) ------------------------------------------- */

/* Whether a bin name's first token (up to _ . , ; - or space) names a gene of build `key` whose
 * extent there overlaps the bin. */
static int gene_fits(const char *key, const char *contig, int64_t start, int64_t end,
                     const char *name)
{
    char gene[64], line[256], *f[6];
    size_t l = strcspn(name, "_.,;- \t");
    if (l == 0 || l >= sizeof gene)
        return 0;
    memcpy(gene, name, l);
    gene[l] = '\0';
    if (build_lookup(key, "gene", gene, line, sizeof line, f, 6) < 5 || !same_contig(f[2], contig))
        return 0;
    return start < strtoll(f[4], NULL, 10) && end > strtoll(f[3], NULL, 10);
}

static const char *guess_build(const rawvec_t *v)
{
    static const char *const keys[] = {"grch38", "grch37"};
    size_t hits[2] = {0, 0};
    const char *last = NULL; /* consecutive bins of one gene: one lookup */
    int last_fit[2] = {0, 0};
    for (size_t i = 0; i < v->n; i++) {
        const rawbin_t *r = &v->a[i];
        if (!r->name || r->off_target)
            continue;
        for (int k = 0; k < 2; k++) {
            if (!last || strcmp(last, r->name) != 0)
                last_fit[k] = gene_fits(keys[k], r->contig, r->start, r->end, r->name);
            hits[k] += last_fit[k];
        }
        last = r->name;
    }
    return hits[0] > hits[1] ? keys[0] : hits[1] > hits[0] ? keys[1] : NULL;
}

metcn_panel_t *metcn_panel_from_intervals(const metcn_interval_t *iv, size_t n, const char *source,
                                          const char *build)
{
    rawvec_t raw = {0};
    metcn_panel_t *p = NULL;
    const char *key = NULL;
    if (build && !(key = build_key(build))) {
        metcn_set_error(METCN_E_ARG, "%s: unknown build '%s' (grch38 or grch37)", source, build);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (rawvec_push(&raw, iv[i].contig, iv[i].start, iv[i].end, iv[i].name, iv[i].line)) {
            metcn_set_error(METCN_E_NOMEM, "%s: out of memory", source);
            goto out;
        }
        raw.a[raw.n - 1].off_target = iv[i].off_target;
    }
    if (!key)
        key = guess_build(&raw);
    if (bed_sort_check(&raw, 0, source, NULL, NULL) == 0)
        p = assemble(&raw, source, NULL, key);
out:
    rawvec_free(&raw);
    return p;
}

metcn_panel_t *panel_assemble_like(rawvec_t *v, const metcn_panel_t *like)
{
    metcn_panel_t *p = assemble(v, like->source, NULL, build_key(like->build));
    for (int c = 0; p && c < p->n_contigs; c++) {
        int k = panel_contig_index(like, p->contigs[c].name);
        if (k >= 0) {
            p->contigs[c].length = like->contigs[k].length;
            p->contigs[c].cen_start = like->contigs[k].cen_start;
            p->contigs[c].cen_end = like->contigs[k].cen_end;
        }
    }
    return p;
}
