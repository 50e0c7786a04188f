/* dilute.c -- deterministic tumour/normal mixing by template subsampling (`metcn dilute`). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <htslib/hts.h>
#include <htslib/khash.h>
#include <htslib/kstring.h>
#include <htslib/sam.h>

#include "metcn/dilute.h"
#include "metcn/metcn.h"
#include "metcn/util.h"

KHASH_MAP_INIT_STR(rgmap, char *)

void metcn_dilute_opt_init(metcn_dilute_opt_t *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->seed = 1;
    opt->depth_ratio = NAN;
    opt->templates = 0;
    opt->threads = 0;
}

static uint64_t mix64(uint64_t z)
{
    /* splitmix64 finaliser: full avalanche, so nearby names give unrelated values */
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

double metcn_dilute_u(uint64_t seed, int source, const char *qname)
{
    uint64_t h =
        0xcbf29ce484222325ULL ^ mix64(seed + 0x9e3779b97f4a7c15ULL * (uint64_t)(source + 1));
    for (const unsigned char *p = (const unsigned char *)qname; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ULL; /* FNV-1a over the name */
    }
    return (double)(mix64(h) >> 11) * 0x1.0p-53;
}

int metcn_dilute_keep(uint64_t seed, int source, const char *qname, double p)
{
    return metcn_dilute_u(seed, source, qname) < p;
}

int metcn_dilute_keep_probs(double f, double tumour, double normal, double total, double *kt,
                            double *kn)
{
    *kt = tumour > 0 ? f * total / tumour : (f > 0 ? INFINITY : 0);
    *kn = normal > 0 ? (1 - f) * total / normal : (f < 1 ? INFINITY : 0);
    if (*kt > 1 + 1e-12 || *kn > 1 + 1e-12)
        return METCN_E_RANGE;
    *kt = fmin(*kt, 1);
    *kn = fmin(*kn, 1);
    return 0;
}

static int is_template_head(const bam1_t *b)
{
    uint16_t f = b->core.flag;
    if (f & (BAM_FSECONDARY | BAM_FSUPPLEMENTARY))
        return 0;
    return !(f & BAM_FPAIRED) || (f & BAM_FREAD1);
}

static samFile *open_input(const char *path, const metcn_dilute_opt_t *opt, sam_hdr_t **hdr)
{
    FILE *probe = fopen(path, "r");
    if (!probe) {
        metcn_set_error(METCN_E_IO, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    fclose(probe);
    samFile *fp = sam_open(path, "r");
    if (!fp) {
        metcn_set_error(METCN_E_IO, "%s: cannot open as SAM/BAM/CRAM", path);
        return NULL;
    }
    if (opt->reference && hts_set_fai_filename(fp, opt->reference) != 0) {
        metcn_set_error(METCN_E_REFERENCE, "%s: cannot use reference %s", path, opt->reference);
        sam_close(fp);
        return NULL;
    }
    if (opt->threads > 0)
        hts_set_threads(fp, opt->threads);
    if (!(*hdr = sam_hdr_read(fp))) {
        metcn_set_error(METCN_E_FORMAT, "%s: cannot read the header", path);
        sam_close(fp);
        return NULL;
    }
    /* a file cut at a block or container boundary reads cleanly to its (early) end */
    if (hts_check_EOF(fp) == 0) {
        metcn_set_error(METCN_E_TRUNCATED, "%s: truncated file (no end-of-file marker)", path);
        sam_hdr_destroy(*hdr);
        *hdr = NULL;
        sam_close(fp);
        return NULL;
    }
    return fp;
}

int metcn_dilute_count(const char *path, const metcn_dilute_opt_t *opt, int64_t *templates)
{
    sam_hdr_t *h = NULL;
    samFile *fp = open_input(path, opt, &h);
    if (!fp)
        return metcn_last_error_code();
    bam1_t *b = bam_init1();
    int64_t n = 0;
    int r, ret = 0;
    if (!b) {
        ret = metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
        goto out;
    }
    while ((r = sam_read1(fp, h, b)) >= 0)
        n += is_template_head(b);
    if (r < -1)
        ret = metcn_set_error(METCN_E_TRUNCATED, "%s: truncated or corrupt after %lld templates",
                              path, (long long)n);
    *templates = n;
out:
    bam_destroy1(b);
    sam_hdr_destroy(h);
    sam_close(fp);
    return ret;
}

/* ---- the merge ------------------------------------------------------------------------- */

typedef struct {
    const char *path;
    int source; /* 0 tumour, 1 normal */
    samFile *fp;
    sam_hdr_t *h;
    bam1_t *b;
    int has;             /* b holds the next record */
    int64_t tid, pos;    /* sort key of b; unmapped-unplaced reads last */
    khash_t(rgmap) * rg; /* input RG ID -> output RG ID (only when renamed) */
    char *default_rg;    /* synthesised RG for an input without @RG, or NULL */
} input_t;

static int advance(input_t *in)
{
    int r = sam_read1(in->fp, in->h, in->b);
    if (r == -1) {
        in->has = 0;
        return 0;
    }
    if (r < -1)
        return metcn_set_error(METCN_E_TRUNCATED, "%s: truncated or corrupt record", in->path);
    int64_t tid = in->b->core.tid < 0 ? INT64_MAX : in->b->core.tid;
    int64_t pos = in->b->core.tid < 0 ? 0 : in->b->core.pos;
    if (in->has && (tid < in->tid || (tid == in->tid && pos < in->pos)))
        return metcn_set_error(METCN_E_UNSORTED,
                               "%s: not coordinate-sorted (read %s at %s:%lld after %lld)",
                               in->path, bam_get_qname(in->b), sam_hdr_tid2name(in->h, (int)tid),
                               (long long)pos + 1, (long long)in->pos + 1);
    in->tid = tid;
    in->pos = pos;
    in->has = 1;
    return 0;
}

static int same_contigs(const input_t *t, const input_t *n)
{
    int nt = sam_hdr_nref(t->h), nn = sam_hdr_nref(n->h);
    if (nt != nn)
        return metcn_set_error(METCN_E_INCOMPATIBLE, "%s and %s: headers differ (%d vs %d contigs)",
                               t->path, n->path, nt, nn);
    for (int i = 0; i < nt; i++) {
        const char *a = sam_hdr_tid2name(t->h, i), *b = sam_hdr_tid2name(n->h, i);
        hts_pos_t la = sam_hdr_tid2len(t->h, i), lb = sam_hdr_tid2len(n->h, i);
        if (strcmp(a, b) != 0 || la != lb)
            return metcn_set_error(METCN_E_INCOMPATIBLE,
                                   "%s and %s: headers differ at contig %d (%s:%lld vs %s:%lld)",
                                   t->path, n->path, i + 1, a, (long long)la, b, (long long)lb);
    }
    return 0;
}

/* Read-group IDs of an input. */
static int rg_ids(sam_hdr_t *h, char ***ids)
{
    int n = sam_hdr_count_lines(h, "RG");
    if (n < 0)
        n = 0;
    *ids = calloc((size_t)n + 1, sizeof **ids);
    if (!*ids)
        return -1;
    for (int i = 0; i < n; i++) {
        const char *id = sam_hdr_line_name(h, "RG", i);
        if (!id || !((*ids)[i] = strdup(id)))
            return -1;
    }
    return n;
}

static void free_ids(char **ids, int n)
{
    if (!ids)
        return;
    for (int i = 0; i < n; i++)
        free(ids[i]);
    free(ids);
}

static int in_list(char **ids, int n, const char *id)
{
    for (int i = 0; i < n; i++)
        if (ids[i] && strcmp(ids[i], id) == 0)
            return 1;
    return 0;
}

/* Rewrite one "@RG\t..." line with a new ID and SM. */
static void put_rg_line(kstring_t *out, const char *line, const char *id, const char *sample)
{
    kputs("@RG\tID:", out);
    kputs(id, out);
    kputs("\tSM:", out);
    kputs(sample, out);
    const char *p = line;
    while ((p = strchr(p, '\t')) != NULL) {
        p++;
        const char *e = strchr(p, '\t');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\r'))
            len--;
        if (len >= 3 && strncmp(p, "ID:", 3) != 0 && strncmp(p, "SM:", 3) != 0) {
            kputc('\t', out);
            kputsn(p, len, out);
        }
    }
    kputc('\n', out);
}

/* Decide output RG IDs: tumour IDs kept (or "tumour" if none); normal IDs kept unless they
 * collide, then suffixed "-normal". Fills in->rg / in->default_rg. */
static int plan_read_groups(input_t *t, input_t *n)
{
    char **tid = NULL, **nid = NULL;
    int nt = rg_ids(t->h, &tid), nn = rg_ids(n->h, &nid), ret = 0;
    kstring_t k = {0, 0, NULL};
    if (nt < 0 || nn < 0) {
        ret = metcn_set_error(METCN_E_NOMEM, "out of memory");
        goto out;
    }
    if (nt == 0 && !(t->default_rg = strdup(in_list(nid, nn, "tumour") ? "tumour-t" : "tumour"))) {
        ret = metcn_set_error(METCN_E_NOMEM, "out of memory");
        goto out;
    }
    if (nn == 0) {
        const char *want = "normal";
        if (in_list(tid, nt, want))
            want = "normal-n";
        if (!(n->default_rg = strdup(want))) {
            ret = metcn_set_error(METCN_E_NOMEM, "out of memory");
            goto out;
        }
    }
    for (int i = 0; i < nn; i++) {
        if (!in_list(tid, nt, nid[i]) && !(t->default_rg && strcmp(t->default_rg, nid[i]) == 0))
            continue;
        k.l = 0;
        ksprintf(&k, "%s-normal", nid[i]);
        while (in_list(tid, nt, k.s) || in_list(nid, nn, k.s))
            kputs("-normal", &k);
        int put = -1;
        char *key = strdup(nid[i]), *val = strdup(k.s);
        khiter_t it = key && val ? kh_put(rgmap, n->rg, key, &put) : 0;
        if (!key || !val || put < 0) {
            free(key);
            free(val);
            ret = metcn_set_error(METCN_E_NOMEM, "out of memory");
            goto out;
        }
        kh_val(n->rg, it) = val;
    }
out:
    free(k.s);
    free_ids(tid, nt > 0 ? nt : 0);
    free_ids(nid, nn > 0 ? nn : 0);
    return ret;
}

static const char *mapped_rg(const input_t *in, const char *id)
{
    khiter_t it = kh_get(rgmap, in->rg, id);
    return it == kh_end(in->rg) ? id : kh_val(in->rg, it);
}

/* A copy of s fit for a SAM header value: tabs, newlines and other control characters (which
 * would end the field or the line) become spaces.  Caller frees. */
static char *header_text(const char *s)
{
    char *c = strdup(s ? s : "");
    for (char *q = c; q && *q; q++)
        if ((unsigned char)*q < 0x20 || *q == 0x7f)
            *q = ' ';
    return c;
}

/* Output header: the tumour header without its @RG lines, @HD SO:coordinate, the read groups
 * of both inputs (renamed where needed, SM = sample), a @CO describing the mix, and @PG. */
static sam_hdr_t *output_header(const input_t *t, const input_t *n, const char *sample,
                                const metcn_dilute_result_t *res, const metcn_dilute_opt_t *opt)
{
    kstring_t text = {0, 0, NULL}, line = {0, 0, NULL};
    sam_hdr_t *h = NULL;
    char *tpath = NULL, *npath = NULL, *cmdline = NULL;
    const char *src = sam_hdr_str(t->h);
    int have_hd = 0;
    for (const char *p = src; p && *p;) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) + 1 : strlen(p);
        if (strncmp(p, "@HD", 3) == 0) {
            have_hd = 1;
            kputs("@HD", &text);
            /* keep VN and other fields, force SO:coordinate */
            const char *q = p + 3;
            while (q < p + len && *q == '\t') {
                const char *f = q + 1, *fe = f;
                while (fe < p + len && *fe != '\t' && *fe != '\n')
                    fe++;
                if (strncmp(f, "SO:", 3) != 0 && strncmp(f, "GO:", 3) != 0 &&
                    strncmp(f, "SS:", 3) != 0) {
                    kputc('\t', &text);
                    kputsn(f, (size_t)(fe - f), &text);
                }
                q = fe;
            }
            kputs("\tSO:coordinate\n", &text);
        } else if (strncmp(p, "@RG", 3) != 0) {
            kputsn(p, len, &text);
            if (text.l && text.s[text.l - 1] != '\n')
                kputc('\n', &text);
        }
        p += len;
    }
    if (!have_hd) {
        /* @HD must come first */
        kstring_t hd = {0, 0, NULL};
        kputs("@HD\tVN:1.6\tSO:coordinate\n", &hd);
        kputsn(text.s ? text.s : "", text.l, &hd);
        free(text.s);
        text = hd;
    }
    const input_t *ins[2] = {t, n};
    tpath = header_text(t->path);
    npath = header_text(n->path);
    cmdline = opt->cmdline ? header_text(opt->cmdline) : NULL;
    if (!tpath || !npath || (opt->cmdline && !cmdline))
        goto fail;
    for (int s = 0; s < 2; s++) {
        const input_t *in = ins[s];
        if (in->default_rg) {
            ksprintf(&text, "@RG\tID:%s\tSM:%s\tDS:metcn dilute %s input %s\n", in->default_rg,
                     sample, s ? "normal" : "tumour", s ? npath : tpath);
            continue;
        }
        int nl = sam_hdr_count_lines(in->h, "RG");
        for (int i = 0; i < nl; i++) {
            if (sam_hdr_find_line_pos(in->h, "RG", i, &line) != 0)
                goto fail;
            const char *id = sam_hdr_line_name(in->h, "RG", i);
            put_rg_line(&text, line.s, mapped_rg(in, id), sample);
        }
    }
    ksprintf(&text,
             "@CO\tmetcn dilute: tumour=%s normal=%s tumour_fraction=%g keep_tumour=%.6g "
             "keep_normal=%.6g seed=%llu\n",
             tpath, npath, res->fraction, res->keep_tumour, res->keep_normal,
             (unsigned long long)opt->seed);
    if (!(h = sam_hdr_parse(text.l, text.s)))
        goto fail;
    if (cmdline &&
        sam_hdr_add_pg(h, "metcn", "PN", "metcn", "VN", metcn_version(), "CL", cmdline, NULL) != 0)
        goto fail;
    free(tpath);
    free(npath);
    free(cmdline);
    free(text.s);
    free(line.s);
    return h;
fail:
    metcn_set_error(METCN_E_FORMAT, "%s: cannot build the output header", t->path);
    sam_hdr_destroy(h);
    free(tpath);
    free(npath);
    free(cmdline);
    free(text.s);
    free(line.s);
    return NULL;
}

/* Set the record's RG tag to the output ID. */
static int fix_rg(const input_t *in, bam1_t *b)
{
    uint8_t *tag = bam_aux_get(b, "RG");
    const char *want = NULL;
    if (!tag) {
        if (!in->default_rg)
            return 0;
        want = in->default_rg;
    } else {
        const char *id = bam_aux2Z(tag);
        if (!id)
            return 0;
        const char *m = mapped_rg(in, id);
        if (m == id)
            return 0;
        want = m;
        if (bam_aux_del(b, tag) != 0)
            return -1;
    }
    return bam_aux_append(b, "RG", 'Z', (int)strlen(want) + 1, (const uint8_t *)want);
}

typedef struct {
    samFile *fp;
    sam_hdr_t *h;
    const char *tmp, *tmp_idx; /* temporaries of the BAM and its index (borrowed from the set) */
} output_t;

static char *strdupf(const char *fmt, const char *a, const char *b)
{
    size_t n = strlen(fmt) + strlen(a) + (b ? strlen(b) : 0) + 32;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, fmt, a, b ? b : "");
    return s;
}

void metcn_dilute_run_free(metcn_dilute_run_t *run)
{
    if (!run)
        return;
    for (size_t i = 0; i < run->n_results; i++)
        free(run->results[i].path);
    free(run->results);
    run->results = NULL;
    run->n_results = 0;
}

static void close_input(input_t *in)
{
    if (in->rg) {
        for (khiter_t k = kh_begin(in->rg); k != kh_end(in->rg); k++)
            if (kh_exist(in->rg, k)) {
                free((char *)kh_key(in->rg, k));
                free(kh_val(in->rg, k));
            }
        kh_destroy(rgmap, in->rg);
    }
    bam_destroy1(in->b);
    sam_hdr_destroy(in->h);
    if (in->fp)
        sam_close(in->fp);
    free(in->default_rg);
}

int metcn_dilute(const char *tumour, const char *normal, const double *fractions, size_t n,
                 const char *prefix, const metcn_dilute_opt_t *opt, metcn_dilute_run_t *run)
{
    memset(run, 0, sizeof *run);
    run->tumour_templates = run->normal_templates = -1;
    input_t in[2];
    memset(in, 0, sizeof in);
    output_t *out = NULL;
    metcn_outset_t *set = NULL;
    kstring_t name = {0, 0, NULL};
    int ret = 0;
    if (n == 0)
        return metcn_set_error(METCN_E_ARG, "no tumour fractions given");
    for (size_t i = 0; i < n; i++) {
        if (!(fractions[i] >= 0 && fractions[i] <= 1))
            return metcn_set_error(METCN_E_RANGE, "tumour fraction %g is not in [0, 1]",
                                   fractions[i]);
        for (size_t j = 0; j < i; j++)
            if (fractions[j] == fractions[i])
                return metcn_set_error(METCN_E_ARG, "tumour fraction %g given twice", fractions[i]);
    }
    if (isfinite(opt->depth_ratio) && opt->templates > 0)
        return metcn_set_error(METCN_E_ARG, "a template total needs counted inputs, not a depth "
                                            "ratio");

    /* plan */
    double T, N;
    if (isfinite(opt->depth_ratio)) {
        if (!(opt->depth_ratio > 0))
            return metcn_set_error(METCN_E_RANGE, "depth ratio %g is not > 0", opt->depth_ratio);
        T = opt->depth_ratio;
        N = 1;
    } else {
        if ((ret = metcn_dilute_count(tumour, opt, &run->tumour_templates)) != 0 ||
            (ret = metcn_dilute_count(normal, opt, &run->normal_templates)) != 0)
            return ret;
        T = (double)run->tumour_templates;
        N = (double)run->normal_templates;
    }
    double total = INFINITY;
    for (size_t i = 0; i < n; i++) {
        double f = fractions[i];
        if (f > 0)
            total = fmin(total, T / f);
        if (f < 1)
            total = fmin(total, N / (1 - f));
    }
    if (opt->templates > 0) {
        if ((double)opt->templates > total + 1e-9)
            return metcn_set_error(METCN_E_RANGE,
                                   "%lld templates per output requested, but the inputs "
                                   "(%lld tumour, %lld normal) reach at most %.0f at every "
                                   "fraction",
                                   (long long)opt->templates, (long long)run->tumour_templates,
                                   (long long)run->normal_templates, floor(total));
        total = (double)opt->templates;
    }
    if (!(total > 0))
        return metcn_set_error(METCN_E_TOOFEW, "%s / %s: no templates to mix", tumour, normal);
    run->total = total;
    if (!(run->results = calloc(n, sizeof *run->results)) || !(out = calloc(n, sizeof *out))) {
        ret = metcn_set_error(METCN_E_NOMEM, "out of memory");
        goto fail;
    }
    run->n_results = n;
    for (size_t i = 0; i < n; i++) {
        metcn_dilute_result_t *r = &run->results[i];
        r->fraction = fractions[i];
        metcn_dilute_keep_probs(fractions[i], T, N, total, &r->keep_tumour, &r->keep_normal);
        r->expected_tumour = isfinite(opt->depth_ratio) ? NAN : r->keep_tumour * T;
        r->expected_normal = isfinite(opt->depth_ratio) ? NAN : r->keep_normal * N;
        char label[64];
        snprintf(label, sizeof label, "%g", fractions[i]);
        if (!(r->path = strdupf("%s.f%s.bam", prefix, label))) {
            ret = metcn_set_error(METCN_E_NOMEM, "out of memory");
            goto fail;
        }
    }

    /* open inputs */
    const char *paths[2] = {tumour, normal};
    for (int s = 0; s < 2; s++) {
        in[s].path = paths[s];
        in[s].source = s;
        if (!(in[s].fp = open_input(paths[s], opt, &in[s].h))) {
            ret = metcn_last_error_code();
            goto fail;
        }
        if (!(in[s].b = bam_init1()) || !(in[s].rg = kh_init(rgmap))) {
            ret = metcn_set_error(METCN_E_NOMEM, "out of memory");
            goto fail;
        }
    }
    if ((ret = same_contigs(&in[0], &in[1])) != 0 || (ret = plan_read_groups(&in[0], &in[1])) != 0)
        goto fail;
    int min_shift = 0;
    for (int i = 0; i < sam_hdr_nref(in[0].h); i++)
        if (sam_hdr_tid2len(in[0].h, i) > (1LL << 29) - 1)
            min_shift = 14;

    /* open outputs under temporary names, in the run's output set: all of them (and the
     * summary the CLI adds) are renamed together when complete, or none (docs/reliability.md) */
    if (!(set = metcn_outset_begin())) {
        ret = metcn_last_error_code();
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        metcn_dilute_result_t *r = &run->results[i];
        output_t *o = &out[i];
        const char *ext = min_shift ? "csi" : "bai", *stale = min_shift ? "bai" : "csi";
        char *fi = strdupf("%s.%s", r->path, ext), *other = strdupf("%s.%s", r->path, stale);
        /* the BAM before its index, so the index is never older than the BAM it describes;
         * an index of the other kind would pair with the new BAM: removed at commit */
        if (!fi || !other) {
            free(fi);
            free(other);
            ret = metcn_set_error(METCN_E_NOMEM, "out of memory");
            goto fail;
        }
        o->tmp = metcn_outset_add(set, r->path);
        o->tmp_idx = o->tmp ? metcn_outset_add(set, fi) : NULL;
        int rm = o->tmp_idx ? metcn_outset_remove(set, other) : -1;
        free(fi);
        free(other);
        if (rm != 0) {
            ret = metcn_last_error_code();
            goto fail;
        }
        char *sample = NULL;
        if (opt->sample) {
            sample = strdup(opt->sample);
        } else {
            const char *base = strrchr(r->path, '/');
            sample = strdup(base ? base + 1 : r->path);
            if (sample && strlen(sample) > 4)
                sample[strlen(sample) - 4] = '\0'; /* ".bam" */
        }
        if (!sample) {
            ret = metcn_set_error(METCN_E_NOMEM, "out of memory");
            goto fail;
        }
        for (char *q = sample; *q; q++) /* a tab or newline would break the @RG line */
            if ((unsigned char)*q < 0x20 || *q == 0x7f)
                *q = '_';
        o->h = output_header(&in[0], &in[1], sample, r, opt);
        free(sample);
        if (!o->h) {
            ret = metcn_last_error_code();
            goto fail;
        }
        if (!(o->fp = sam_open(o->tmp, "wb"))) {
            ret = metcn_set_error(METCN_E_IO, "%s: cannot open for writing: %s", r->path,
                                  strerror(errno));
            goto fail;
        }
        if (opt->threads > 0)
            hts_set_threads(o->fp, opt->threads);
        if (sam_hdr_write(o->fp, o->h) != 0) {
            ret = metcn_set_error(METCN_E_IO, "%s: cannot write the header", r->path);
            goto fail;
        }
    }

    /* merge: both inputs are sorted; ties go to the tumour so the output is deterministic */
    for (int s = 0; s < 2; s++)
        if ((ret = advance(&in[s])) != 0)
            goto fail;
    while (in[0].has || in[1].has) {
        int s = !in[0].has              ? 1
                : !in[1].has            ? 0
                : in[1].tid < in[0].tid ? 1
                : in[1].tid > in[0].tid ? 0
                : in[1].pos < in[0].pos ? 1
                                        : 0;
        input_t *src = &in[s];
        bam1_t *b = src->b;
        double u = metcn_dilute_u(opt->seed, s, bam_get_qname(b));
        int head = is_template_head(b), fixed = 0;
        for (size_t i = 0; i < n; i++) {
            metcn_dilute_result_t *r = &run->results[i];
            if (!(u < (s ? r->keep_normal : r->keep_tumour)))
                continue;
            if (!fixed) {
                if (fix_rg(src, b) != 0) {
                    ret = metcn_set_error(METCN_E_NOMEM, "%s: cannot set the RG tag", src->path);
                    goto fail;
                }
                if (opt->prefix_names) {
                    name.l = 0;
                    kputs(s ? "n." : "t.", &name);
                    kputs(bam_get_qname(b), &name);
                    if (name.l > 254 || bam_set_qname(b, name.s) != 0) {
                        ret = metcn_set_error(METCN_E_RANGE, "%s: cannot prefix read name %s",
                                              src->path, bam_get_qname(b));
                        goto fail;
                    }
                }
                fixed = 1;
            }
            errno = 0;
            if (sam_write1(out[i].fp, out[i].h, b) < 0) {
                ret = metcn_set_error(METCN_E_IO, "%s: write failed%s%s", r->path,
                                      errno ? ": " : "", errno ? strerror(errno) : "");
                goto fail;
            }
            r->records++;
            if (head) {
                if (s)
                    r->normal_kept++;
                else
                    r->tumour_kept++;
            }
        }
        if ((ret = advance(src)) != 0)
            goto fail;
    }

    /* close and index; the set renames them */
    for (size_t i = 0; i < n; i++) {
        output_t *o = &out[i];
        errno = 0;
        int c = sam_close(o->fp);
        o->fp = NULL;
        if (c != 0) {
            ret = metcn_set_error(METCN_E_IO, "%s: write failed%s%s", run->results[i].path,
                                  errno ? ": " : "", errno ? strerror(errno) : "");
            goto fail;
        }
        if (sam_index_build3(o->tmp, o->tmp_idx, min_shift, opt->threads) != 0) {
            ret =
                metcn_set_error(METCN_E_INDEX, "%s: cannot build the index", run->results[i].path);
            goto fail;
        }
    }
    ret = metcn_outset_commit(set);
    set = NULL;
    goto done;
fail:
    if (out)
        for (size_t i = 0; i < n; i++) {
            if (out[i].fp)
                sam_close(out[i].fp);
            out[i].fp = NULL;
        }
    metcn_outset_abort(set);
done:
    if (out)
        for (size_t i = 0; i < n; i++) {
            sam_hdr_destroy(out[i].h);
        }
    free(out);
    free(name.s);
    close_input(&in[0]);
    close_input(&in[1]);
    if (ret != 0)
        metcn_dilute_run_free(run);
    return ret;
}
