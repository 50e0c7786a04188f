/* region.c -- panels of bins: BED reader, built-in panels, roles, contig aliasing.
 * All coordinates are 0-based half-open. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <htslib/bgzf.h>
#include <htslib/kstring.h>

#include "metcn/metcn.h"
#include "metcn/panel.h"
#include "metcn/util.h"

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
    opt->gene = "MET";
    opt->window = 10000000;
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

/* Karyotypic rank of a canonical name: 1..22, X=23, Y=24, MT=25, others 100. */
static int karyo_rank(const char *canon)
{
    char *end;
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

static int contig_cmp(const char *a, const char *b)
{
    char ca[256], cb[256];
    metcn_contig_canonical(a, ca, sizeof ca);
    metcn_contig_canonical(b, cb, sizeof cb);
    int ra = karyo_rank(ca), rb = karyo_rank(cb);
    if (ra != rb)
        return ra < rb ? -1 : 1;
    return strcmp(ca, cb);
}

/* ---- build tables (panels/<build>/build.tsv) -------------------------------------------- */

static const char *builtin_file(const char *rel)
{
    for (int i = 0; metcn_builtin_files[i][0]; i++)
        if (strcmp(metcn_builtin_files[i][0], rel) == 0)
            return metcn_builtin_files[i][1];
    return NULL;
}

/* Look up a line of panels/<key>/build.tsv whose first field is tag and (if sel != NULL)
 * whose second field matches sel canonically.  Copies the fields into f (up to max). */
static int build_lookup(const char *key, const char *tag, const char *sel, char *line,
                        size_t linesz, char **f, int max)
{
    char rel[64];
    snprintf(rel, sizeof rel, "%s/build.tsv", key);
    const char *text = builtin_file(rel);
    if (!text)
        return -1;
    char want[256], have[256];
    if (sel)
        metcn_contig_canonical(sel, want, sizeof want);
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (len < linesz && *p != '#') {
            memcpy(line, p, len);
            line[len] = '\0';
            int n = metcn_split(line, '\t', f, max);
            if (n >= 2 && strcmp(f[0], tag) == 0) {
                if (!sel)
                    return n;
                metcn_contig_canonical(f[1], have, sizeof have);
                if (strcmp(have, want) == 0 || strcmp(f[1], sel) == 0)
                    return n;
            }
        }
        p += len + (nl ? 1 : 0);
    }
    return -1;
}

static int64_t build_contig_length(const char *key, const char *contig)
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

/* ---- raw intervals ----------------------------------------------------------------------- */

typedef struct {
    char *contig;
    int64_t start, end;
    char *name;
    long line;
} rawbin_t;

typedef struct {
    rawbin_t *a;
    size_t n, m;
} rawvec_t;

static int rawvec_push(rawvec_t *v, const char *contig, int64_t start, int64_t end,
                       const char *name, long line)
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
    v->n++;
    return 0;
}

static void rawvec_free(rawvec_t *v)
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

/* Parse BED text lines from either a file (fp) or a memory buffer (text). */
static int parse_bed_line(char *line, const char *what, long lineno, rawvec_t *out)
{
    if (is_blank(line) || line[0] == '#' || strncmp(line, "track", 5) == 0 ||
        strncmp(line, "browser", 7) == 0)
        return 0;
    char *f[5];
    int n = metcn_split(line, '\t', f, 5);
    if (n < 3)
        return metcn_set_error(METCN_E_FORMAT,
                               "%s:%ld: too few columns (%d; BED needs chrom, start, end, "
                               "tab-separated)",
                               what, lineno, n);
    if (n == 5) { /* drop anything after the name column */
        char *t = strchr(f[3], '\t');
        if (t)
            *t = '\0';
    }
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

static int read_bed_file(const char *path, rawvec_t *out)
{
    BGZF *fp = bgzf_open(path, "r");
    if (!fp)
        return metcn_set_error(METCN_E_IO, "%s: cannot open: %s", path, strerror(errno));
    kstring_t line = KS_INITIALIZE;
    long lineno = 0;
    int r = 0, got;
    while ((got = bgzf_getline(fp, '\n', &line)) >= 0) {
        lineno++;
        if ((r = parse_bed_line(line.s, path, lineno, out)) != 0)
            break;
    }
    if (r == 0 && got < -1)
        r = metcn_set_error(METCN_E_IO, "%s: read error or corrupt compressed data after line %ld",
                            path, lineno);
    free(line.s);
    bgzf_close(fp);
    if (r == 0 && out->n == 0)
        r = metcn_set_error(METCN_E_FORMAT, "%s: no regions", path);
    return r;
}

static int read_bed_text(const char *text, const char *what, rawvec_t *out)
{
    long lineno = 0;
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char *line = strndup(p, len);
        if (!line)
            return metcn_set_error(METCN_E_NOMEM, "%s: out of memory", what);
        int r = parse_bed_line(line, what, ++lineno, out);
        free(line);
        if (r)
            return r;
        p += len + (nl ? 1 : 0);
    }
    return 0;
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

static int same_contig(const char *a, const char *b)
{
    char ca[256], cb[256];
    return strcmp(metcn_contig_canonical(a, ca, sizeof ca),
                  metcn_contig_canonical(b, cb, sizeof cb)) == 0;
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

/* Sort, then reject or merge overlaps and duplicates. */
static int sort_and_check(rawvec_t *v, int merge, const char *what)
{
    qsort(v->a, v->n, sizeof *v->a, rawbin_cmp);
    size_t w = 0;
    for (size_t i = 0; i < v->n; i++) {
        rawbin_t *cur = &v->a[i];
        if (w > 0) {
            rawbin_t *prev = &v->a[w - 1];
            if (same_contig(prev->contig, cur->contig) && cur->start < prev->end) {
                if (!merge) {
                    int dup = cur->start == prev->start && cur->end == prev->end;
                    return metcn_set_error(
                        METCN_E_OVERLAP,
                        "%s:%ld: %s %s:%lld-%lld %s line %ld (use --merge to merge overlapping "
                        "regions)",
                        what, cur->line, dup ? "duplicated region" : "region", cur->contig,
                        (long long)cur->start, (long long)cur->end,
                        dup ? "already on" : "overlaps the region on", prev->line);
                }
                if (cur->end > prev->end)
                    prev->end = cur->end;
                if (cur->name && !has_token(prev->name, cur->name)) {
                    kstring_t k = KS_INITIALIZE;
                    if (prev->name)
                        ksprintf(&k, "%s,%s", prev->name, cur->name);
                    else
                        kputs(cur->name, &k);
                    free(prev->name);
                    prev->name = k.s;
                }
                free(cur->contig);
                free(cur->name);
                continue;
            }
        }
        v->a[w++] = *cur;
    }
    v->n = w;
    return 0;
}

/* ---- gene matching and roles --------------------------------------------------------------- */

/* A BED name matches the gene when one of its tokens (separated by , ; | or space) is the gene
 * or starts with the gene followed by _ . : - (MET, MET_ex2, MET.3, MET:exon2). */
static int name_matches_gene(const char *name, const char *gene)
{
    if (!name || !gene || !*gene)
        return 0;
    size_t g = strlen(gene);
    const char *p = name;
    while (*p) {
        while (*p && strchr(",;| ", *p))
            p++;
        const char *tok = p;
        while (*p && !strchr(",;| ", *p))
            p++;
        if ((size_t)(p - tok) >= g && strncmp(tok, gene, g) == 0 &&
            (tok + g == p || strchr("_.:-", tok[g])))
            return 1;
    }
    return 0;
}

void metcn_panel_destroy(metcn_panel_t *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->n_contigs; i++)
        free(p->contigs[i].name);
    free(p->contigs);
    for (size_t i = 0; i < p->n_bins; i++)
        free(p->bins[i].name);
    free(p->bins);
    free(p->source);
    free(p->gene);
    free(p);
}

static int panel_contig_index(const metcn_panel_t *p, const char *name)
{
    for (int i = 0; i < p->n_contigs; i++)
        if (strcmp(p->contigs[i].name, name) == 0)
            return i;
    for (int i = 0; i < p->n_contigs; i++)
        if (same_contig(p->contigs[i].name, name))
            return i;
    return -1;
}

/* Build the panel from sorted, non-overlapping raw bins: contigs, lengths, gene, roles. */
static metcn_panel_t *assemble(rawvec_t *v, const char *source, const metcn_panel_opt_t *opt,
                               const sam_hdr_t *hdr, const char *build_key)
{
    metcn_panel_t *p = calloc(1, sizeof *p);
    if (!p)
        goto nomem;
    p->source = strdup(source);
    p->gene = strdup(opt->gene ? opt->gene : "MET");
    p->bins = calloc(v->n ? v->n : 1, sizeof *p->bins);
    p->contigs = calloc(v->n ? v->n : 1, sizeof *p->contigs);
    if (!p->source || !p->gene || !p->bins || !p->contigs)
        goto nomem;
    p->target_contig = -1;
    p->gene_start = p->gene_end = -1;
    p->cen_start = p->cen_end = -1;
    p->window = opt->window;
    if (build_key) {
        char line[256], *f[4];
        if (build_lookup(build_key, "build", NULL, line, sizeof line, f, 4) >= 2)
            snprintf(p->build, sizeof p->build, "%s", f[1]);
    }

    /* Contigs in sorted order, with lengths from the header or the build table. */
    for (size_t i = 0; i < v->n; i++) {
        rawbin_t *r = &v->a[i];
        int ci = p->n_contigs - 1;
        if (ci < 0 || !same_contig(p->contigs[ci].name, r->contig)) {
            ci = p->n_contigs++;
            if (!(p->contigs[ci].name = strdup(r->contig)))
                goto nomem;
            p->contigs[ci].length = -1;
            if (hdr) {
                int tid = metcn_contig_tid(hdr, r->contig);
                if (tid >= 0)
                    p->contigs[ci].length = sam_hdr_tid2len(hdr, tid);
            } else if (build_key) {
                p->contigs[ci].length = build_contig_length(build_key, r->contig);
            }
        }
        metcn_bin_t *b = &p->bins[p->n_bins++];
        b->contig = ci;
        b->start = r->start;
        b->end = r->end;
        b->name = r->name;
        b->role = METCN_ROLE_OTHER; /* assigned below */
        r->name = NULL;
        if (p->contigs[ci].length >= 0 && b->end > p->contigs[ci].length) {
            metcn_set_error(METCN_E_RANGE, "%s:%ld: end %lld is beyond the length %lld of %s",
                            source, r->line, (long long)b->end, (long long)p->contigs[ci].length,
                            r->contig);
            goto fail;
        }
    }

    /* Target gene: an explicit region, else the bins named after the gene. */
    if (opt->gene_region) {
        char *contig = NULL;
        int64_t s, e;
        if (metcn_parse_region(opt->gene_region, &contig, &s, &e)) {
            metcn_set_error(METCN_E_ARG, "--gene-region '%s': expected chr:start-end",
                            opt->gene_region);
            goto fail;
        }
        p->target_contig = panel_contig_index(p, contig);
        free(contig);
        p->gene_start = s;
        p->gene_end = e;
        for (size_t i = 0; i < p->n_bins; i++) {
            metcn_bin_t *b = &p->bins[i];
            if (b->contig == p->target_contig && b->start < e && b->end > s)
                b->role = METCN_ROLE_TARGET, p->n_role[METCN_ROLE_TARGET]++;
        }
    } else {
        for (size_t i = 0; i < p->n_bins; i++) {
            metcn_bin_t *b = &p->bins[i];
            if (!name_matches_gene(b->name, p->gene))
                continue;
            if (p->target_contig >= 0 && b->contig != p->target_contig) {
                metcn_set_error(
                    METCN_E_FORMAT, "%s: gene %s is named on bins of two contigs (%s and %s)",
                    source, p->gene, p->contigs[p->target_contig].name, p->contigs[b->contig].name);
                goto fail;
            }
            p->target_contig = b->contig;
            if (p->gene_start < 0 || b->start < p->gene_start)
                p->gene_start = b->start;
            if (b->end > p->gene_end)
                p->gene_end = b->end;
            b->role = METCN_ROLE_TARGET;
            p->n_role[METCN_ROLE_TARGET]++;
        }
    }

    /* Centromere of the target chromosome, when the build is known. */
    if (build_key && p->target_contig >= 0) {
        char line[256], *f[5];
        if (build_lookup(build_key, "centromere", p->contigs[p->target_contig].name, line,
                         sizeof line, f, 5) >= 4) {
            p->cen_start = strtoll(f[2], NULL, 10);
            p->cen_end = strtoll(f[3], NULL, 10);
        }
    }

    for (size_t i = 0; i < p->n_bins; i++) {
        metcn_bin_t *b = &p->bins[i];
        char canon[256];
        metcn_contig_canonical(p->contigs[b->contig].name, canon, sizeof canon);
        int rank = karyo_rank(canon);
        if (b->contig == p->target_contig) {
            if (p->cen_start >= 0)
                b->arm = b->end <= p->cen_start ? 'p' : b->start >= p->cen_end ? 'q' : 0;
            if (b->role == METCN_ROLE_TARGET)
                continue;
            int near = b->end > p->gene_start - p->window && b->start < p->gene_end + p->window;
            b->role = near ? METCN_ROLE_FLANK : METCN_ROLE_CONTROL;
        } else if (rank <= 22) {
            b->role = METCN_ROLE_REFERENCE;
        } else if (rank == 23 || rank == 24) {
            b->role = METCN_ROLE_SEX;
        } else {
            b->role = METCN_ROLE_OTHER;
        }
        p->n_role[b->role]++;
    }
    if (p->n_role[METCN_ROLE_TARGET] == 0) {
        /* A panel without the gene is valid input for coverage; the caller checks. */
        if (!opt->gene_region) {
            p->gene_start = p->gene_end = -1;
        }
    }
    return p;
nomem:
    metcn_set_error(METCN_E_NOMEM, "%s: out of memory", source);
fail:
    metcn_panel_destroy(p);
    return NULL;
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

/* Contigs to tile: primary chromosomes (1-22, X, Y) of the header, else of the build table. */
static int tile_genome(const char *key, const metcn_panel_opt_t *opt, const sam_hdr_t *hdr,
                       rawvec_t *out)
{
    char rel[64];
    snprintf(rel, sizeof rel, "%s/met_cds.bed", key);
    rawvec_t gene = {0};
    int r = read_bed_text(builtin_file(rel), rel, &gene);
    if (r)
        return r;
    /* Gene extent from the build table, else from the exons. */
    int64_t gs = gene.a[0].start, ge = gene.a[gene.n - 1].end;
    char line[256], *f[6];
    if (build_lookup(key, "gene", NULL, line, sizeof line, f, 6) >= 5 && strcmp(f[1], "MET") == 0) {
        gs = strtoll(f[3], NULL, 10);
        ge = strtoll(f[4], NULL, 10);
    }
    int64_t cs = -1, ce = -1;
    if (build_lookup(key, "centromere", "chr7", line, sizeof line, f, 6) >= 4) {
        cs = strtoll(f[2], NULL, 10);
        ce = strtoll(f[3], NULL, 10);
    }
    for (size_t i = 0; i < gene.n && !r; i++)
        r = rawvec_push(out, gene.a[i].contig, gene.a[i].start, gene.a[i].end, gene.a[i].name,
                        gene.a[i].line);
    rawvec_free(&gene);
    if (r)
        return metcn_set_error(METCN_E_NOMEM, "out of memory");

    int n = hdr ? sam_hdr_nref(hdr) : 0;
    /* Iterate the build table's contigs (ordering them later), using the header's names and
     * lengths when a header is given. */
    const char *text = builtin_file((snprintf(rel, sizeof rel, "%s/build.tsv", key), rel));
    for (const char *p = text; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char buf[256];
        if (len < sizeof buf) {
            memcpy(buf, p, len);
            buf[len] = '\0';
            char *g[4];
            if (metcn_split(buf, '\t', g, 4) == 3 && strcmp(g[0], "contig") == 0) {
                const char *name = g[1];
                int64_t length = strtoll(g[2], NULL, 10);
                if (hdr) {
                    int tid = metcn_contig_tid(hdr, g[1]);
                    if (tid < 0 || tid >= n) {
                        p += len + (nl ? 1 : 0);
                        continue; /* contig not in this header: nothing to tile */
                    }
                    name = sam_hdr_tid2name(hdr, tid);
                    length = sam_hdr_tid2len(hdr, tid);
                }
                int is7 = same_contig(name, "chr7");
                for (int64_t s = 0; s < length; s += opt->bin_size) {
                    int64_t e = s + opt->bin_size < length ? s + opt->bin_size : length;
                    if (is7 && ((s < ge && e > gs) || (cs >= 0 && s < ce && e > cs)))
                        continue; /* the gene has its exon bins; the centromere is skipped */
                    if (rawvec_push(out, name, s, e, NULL, 0))
                        return metcn_set_error(METCN_E_NOMEM, "out of memory");
                }
                if (is7 && hdr) /* exon bins take the header's naming of chr7 */
                    for (size_t i = 0; i < out->n; i++)
                        if (out->a[i].name && same_contig(out->a[i].contig, name) &&
                            strcmp(out->a[i].contig, name) != 0) {
                            char *c = strdup(name);
                            if (!c)
                                return metcn_set_error(METCN_E_NOMEM, "out of memory");
                            free(out->a[i].contig);
                            out->a[i].contig = c;
                        }
            }
        }
        p += len + (nl ? 1 : 0);
    }
    return 0;
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
    if (opt->bin_size < 1000) {
        metcn_set_error(METCN_E_ARG, "bin size %lld is below 1000 bp", (long long)opt->bin_size);
        return NULL;
    }
    if (opt->window < 0) {
        metcn_set_error(METCN_E_ARG, "window %lld is negative", (long long)opt->window);
        return NULL;
    }
    rawvec_t raw = {0};
    metcn_panel_t *p = NULL;
    const char *build_key = NULL;
    int builtin = -1;
    for (int i = 0; builtin_names[i]; i++)
        if (strcasecmp(spec, builtin_names[i]) == 0)
            builtin = i;

    if (opt->build) {
        if (strcasecmp(opt->build, "grch38") == 0 || strcasecmp(opt->build, "hg38") == 0)
            build_key = "grch38";
        else if (strcasecmp(opt->build, "grch37") == 0 || strcasecmp(opt->build, "hg19") == 0)
            build_key = "grch37";
        else {
            metcn_set_error(METCN_E_ARG, "unknown build '%s' (grch38 or grch37)", opt->build);
            return NULL;
        }
    }
    if (builtin >= 0) {
        const char *key = builtin_names[builtin];
        const char *own = strncmp(key, "grch38", 6) == 0 ? "grch38" : "grch37";
        if (build_key && strcmp(build_key, own) != 0) {
            metcn_set_error(METCN_E_INCOMPATIBLE, "panel %s is not of build %s", key, opt->build);
            return NULL;
        }
        build_key = own;
        if (hdr) {
            const char *hb = build_from_header(hdr);
            int tid = metcn_contig_tid(hdr, "chr7");
            if (tid < 0) {
                metcn_set_error(METCN_E_CONTIG, "panel %s: the header has no chromosome 7", key);
                return NULL;
            }
            if (!hb || strcmp(hb, own) != 0) {
                metcn_set_error(METCN_E_INCOMPATIBLE,
                                "panel %s: the header's chromosome 7 is %lld bp long, not %lld "
                                "as in %s",
                                key, (long long)sam_hdr_tid2len(hdr, tid),
                                (long long)build_contig_length(own, "chr7"), own);
                return NULL;
            }
        }
        int r;
        if (strstr(key, "-met")) {
            char rel[64];
            snprintf(rel, sizeof rel, "%s/met_cds.bed", own);
            r = read_bed_text(builtin_file(rel), rel, &raw);
        } else {
            r = tile_genome(own, opt, hdr, &raw);
        }
        if (r == 0)
            r = sort_and_check(&raw, 0, key);
        if (r == 0)
            p = assemble(&raw, key, opt, hdr, build_key);
    } else {
        if (!build_key && hdr)
            build_key = build_from_header(hdr);
        if (read_bed_file(spec, &raw) == 0 && sort_and_check(&raw, opt->merge, spec) == 0)
            p = assemble(&raw, spec, opt, hdr, build_key);
    }
    rawvec_free(&raw);
    return p;
}

/* ---- header matching, checksum, lookup ------------------------------------------------------ */

int metcn_panel_match_header(const metcn_panel_t *p, const sam_hdr_t *hdr, const char *what,
                             int **tids_out)
{
    int *tids = malloc((p->n_contigs ? p->n_contigs : 1) * sizeof *tids);
    if (!tids)
        return metcn_set_error(METCN_E_NOMEM, "out of memory");
    for (int i = 0; i < p->n_contigs; i++) {
        tids[i] = metcn_contig_tid(hdr, p->contigs[i].name);
        if (tids[i] < 0) {
            if (i == p->target_contig) {
                free(tids);
                return metcn_set_error(METCN_E_CONTIG,
                                       "%s: the header has no contig %s (nor an alias), the "
                                       "chromosome of %s in panel %s",
                                       what, p->contigs[i].name, p->gene, p->source);
            }
            size_t nb = 0;
            for (size_t b = 0; b < p->n_bins; b++)
                nb += p->bins[b].contig == i;
            metcn_log(METCN_LOG_WARNING,
                      "%s: no contig %s in the header: its %zu bins of %s are "
                      "not counted",
                      what, p->contigs[i].name, nb, p->source);
        }
    }
    for (size_t b = 0; b < p->n_bins; b++) {
        int tid = tids[p->bins[b].contig];
        if (tid >= 0 && p->bins[b].end > sam_hdr_tid2len(hdr, tid)) {
            int r = metcn_set_error(METCN_E_RANGE,
                                    "%s: panel bin %s:%lld-%lld ends beyond the contig's length "
                                    "%lld in the header",
                                    what, p->contigs[p->bins[b].contig].name,
                                    (long long)p->bins[b].start, (long long)p->bins[b].end,
                                    (long long)sam_hdr_tid2len(hdr, tid));
            free(tids);
            return r;
        }
    }
    *tids_out = tids;
    return 0;
}

static uint64_t fnv(uint64_t h, const void *data, size_t n)
{
    const unsigned char *c = data;
    for (size_t i = 0; i < n; i++) {
        h ^= c[i];
        h *= 1099511628211ULL;
    }
    return h;
}

const char *metcn_panel_checksum(const metcn_panel_t *p, char buf[17])
{
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < p->n_bins; i++) {
        const metcn_bin_t *b = &p->bins[i];
        char canon[256], line[320];
        metcn_contig_canonical(p->contigs[b->contig].name, canon, sizeof canon);
        int n = snprintf(line, sizeof line, "%s\t%lld\t%lld\t%d\n", canon, (long long)b->start,
                         (long long)b->end, (int)b->role);
        h = fnv(h, line, (size_t)n);
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

int metcn_panel_check(const char *path, const metcn_panel_opt_t *opt_in, const sam_hdr_t *hdr,
                      metcn_panel_problem_fn fn, void *ud)
{
    metcn_panel_opt_t defaults;
    const metcn_panel_opt_t *opt = opt_in;
    if (!opt) {
        metcn_panel_opt_init(&defaults);
        opt = &defaults;
    }
    BGZF *fp = bgzf_open(path, "r");
    if (!fp)
        return metcn_set_error(METCN_E_IO, "%s: cannot open: %s", path, strerror(errno));
    rawvec_t raw = {0};
    kstring_t line = KS_INITIALIZE;
    long lineno = 0;
    int errors = 0, got;
    while ((got = bgzf_getline(fp, '\n', &line)) >= 0) {
        lineno++;
        if (parse_bed_line(line.s, path, lineno, &raw) != 0) {
            fn(METCN_LOG_ERROR, metcn_last_error(), ud);
            errors++;
        }
    }
    free(line.s);
    bgzf_close(fp);
    if (got < -1) {
        rawvec_free(&raw);
        return metcn_set_error(METCN_E_IO,
                               "%s: read error or corrupt compressed data after "
                               "line %ld",
                               path, lineno);
    }
    if (raw.n == 0 && errors == 0) {
        fn(METCN_LOG_ERROR, "no regions", ud);
        errors++;
    }
    qsort(raw.a, raw.n, sizeof *raw.a, rawbin_cmp);
    char msg[1024];
    for (size_t i = 1; i < raw.n && !opt->merge; i++) {
        rawbin_t *prev = &raw.a[i - 1], *cur = &raw.a[i];
        if (same_contig(prev->contig, cur->contig) && cur->start < prev->end) {
            int dup = cur->start == prev->start && cur->end == prev->end;
            snprintf(msg, sizeof msg, "%s:%ld: %s %s:%lld-%lld %s line %ld", path, cur->line,
                     dup ? "duplicated region" : "region", cur->contig, (long long)cur->start,
                     (long long)cur->end, dup ? "already on" : "overlaps the region on",
                     prev->line);
            fn(METCN_LOG_ERROR, msg, ud);
            errors++;
        }
    }
    if (hdr) {
        /* The target chromosome, by the gene's names, for the severity of a missing contig. */
        const char *target = NULL;
        for (size_t i = 0; i < raw.n && !target; i++)
            if (name_matches_gene(raw.a[i].name, opt->gene ? opt->gene : "MET"))
                target = raw.a[i].contig;
        for (size_t i = 0; i < raw.n; i++) {
            rawbin_t *r = &raw.a[i];
            int tid = metcn_contig_tid(hdr, r->contig);
            if (tid < 0) {
                if (i > 0 && same_contig(raw.a[i - 1].contig, r->contig))
                    continue; /* one message per contig */
                int is_target = target && same_contig(target, r->contig);
                snprintf(msg, sizeof msg, "%s:%ld: contig %s is not in the header%s", path, r->line,
                         r->contig,
                         is_target ? " (it is the target gene's chromosome)"
                                   : "; its bins would not be counted");
                fn(is_target ? METCN_LOG_ERROR : METCN_LOG_WARNING, msg, ud);
                errors += is_target;
            } else if (r->end > sam_hdr_tid2len(hdr, tid)) {
                snprintf(msg, sizeof msg, "%s:%ld: end %lld is beyond the length %lld of %s", path,
                         r->line, (long long)r->end, (long long)sam_hdr_tid2len(hdr, tid),
                         r->contig);
                fn(METCN_LOG_ERROR, msg, ud);
                errors++;
            }
        }
    }
    rawvec_free(&raw);
    return errors;
}
