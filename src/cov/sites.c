/* sites.c -- SNP site lists: the biallelic SNVs of a VCF/BCF near a panel's bins (the sites at
 * which the coverage engine counts alleles), and the allele table that carries their counts
 * beside a coverage table (docs/coverage.md, "Allele counts" and "Allele table").
 *
 * Positions are 0-based inside; the VCF and the allele table are 1-based (converted here). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <htslib/bgzf.h>
#include <htslib/kstring.h>
#include <htslib/vcf.h>

#include "metcn/cov.h"
#include "metcn/metcn.h"
#include "metcn/util.h"

void metcn_sites_destroy(metcn_sites_t *s)
{
    if (!s)
        return;
    free(s->contig);
    free(s->pos);
    free(s->ref);
    free(s->alt);
    free(s->ref_count);
    free(s->alt_count);
    free(s->other_count);
    free(s->source);
    free(s);
}

/* Room for n sites (with counts when counts is set; their new room is not zeroed).  0 or
 * METCN_E_NOMEM. */
static int sites_reserve(metcn_sites_t *s, size_t n, int counts)
{
    size_t m = n ? n : 1;
    int32_t *c = realloc(s->contig, m * sizeof *c);
    if (c)
        s->contig = c;
    int64_t *p = realloc(s->pos, m * sizeof *p);
    if (p)
        s->pos = p;
    char *r = realloc(s->ref, m), *a = realloc(s->alt, m);
    if (r)
        s->ref = r;
    if (a)
        s->alt = a;
    if (!c || !p || !r || !a)
        return METCN_E_NOMEM;
    uint32_t **cnt[3] = {&s->ref_count, &s->alt_count, &s->other_count};
    for (int k = 0; counts && k < 3; k++) {
        uint32_t *g = realloc(*cnt[k], m * sizeof *g);
        if (!g)
            return METCN_E_NOMEM;
        *cnt[k] = g;
    }
    return 0;
}

static int sites_alloc_counts(metcn_sites_t *s)
{
    size_t m = s->n ? s->n : 1;
    s->ref_count = calloc(m, sizeof *s->ref_count);
    s->alt_count = calloc(m, sizeof *s->alt_count);
    s->other_count = calloc(m, sizeof *s->other_count);
    return s->ref_count && s->alt_count && s->other_count ? 0 : METCN_E_NOMEM;
}

/* Panel contig index of a contig name (aliases allowed), or -1. */
static int panel_contig(const metcn_panel_t *p, const char *name)
{
    char want[256], have[256];
    for (int c = 0; c < p->n_contigs; c++)
        if (strcmp(p->contigs[c].name, name) == 0)
            return c;
    metcn_contig_canonical(name, want, sizeof want);
    for (int c = 0; c < p->n_contigs; c++)
        if (strcmp(metcn_contig_canonical(p->contigs[c].name, have, sizeof have), want) == 0)
            return c;
    return -1;
}

/* 1 when pos lies within flank bp of a bin of contig c ([first[c], first[c + 1]) in the
 * panel's bins, sorted by start). */
static int near_bin(const metcn_panel_t *p, const size_t *first, int c, int64_t pos, int64_t flank)
{
    size_t lo = first[c], hi = first[c + 1];
    while (lo < hi) { /* the first bin whose end + flank is beyond pos */
        size_t mid = (lo + hi) / 2;
        if (p->bins[mid].end + flank <= pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < first[c + 1] && p->bins[lo].start - flank <= pos;
}

static int site_cmp(const void *x, const void *y)
{
    const int64_t *a = x, *b = y; /* (contig, pos, record order) */
    for (int k = 0; k < 3; k++)
        if (a[k] != b[k])
            return a[k] < b[k] ? -1 : 1;
    return 0;
}

/* One biallelic SNV's alleles into ref/alt (upper case), or 0 when the record is not one. */
static int snv_alleles(bcf1_t *rec, char *ref, char *alt)
{
    if (rec->n_allele != 2 || bcf_unpack(rec, BCF_UN_STR) != 0)
        return 0;
    const char *r = rec->d.allele[0], *a = rec->d.allele[1];
    if (strlen(r) != 1 || strlen(a) != 1)
        return 0;
    *ref = (char)toupper((unsigned char)r[0]);
    *alt = (char)toupper((unsigned char)a[0]);
    return strchr("ACGT", *ref) && strchr("ACGT", *alt) && *ref != *alt && *ref && *alt;
}

/* Read the records near the panel's bins into key (contig, pos, record number) triples and
 * their alleles.  0, or an error code with the message set. */
static int read_vcf(const char *path, const metcn_panel_t *panel, int64_t flank, metcn_sites_t *s,
                    int64_t **keys, size_t *capp)
{
    int rc = 0, ret;
    htsFile *fp = hts_open(path, "r");
    bcf_hdr_t *h = NULL;
    bcf1_t *rec = bcf_init();
    size_t *first = calloc((size_t)panel->n_contigs + 1, sizeof *first);
    int *cmap = NULL, ncmap = 0; /* VCF rid -> panel contig (-1 none, -2 not looked up) */
    size_t cap = *capp, nrec = 0, bad = 0;
    if (!rec || !first) {
        rc = metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
        goto out;
    }
    if (!fp) {
        rc = metcn_set_error(METCN_E_IO, "%s: cannot open: %s", path, strerror(errno));
        goto out;
    }
    if (fp->format.category != variant_data || !(h = bcf_hdr_read(fp))) {
        rc = metcn_set_error(METCN_E_FORMAT, "%s: not a VCF or BCF file (no VCF header)", path);
        goto out;
    }
    for (size_t i = 0; i < panel->n_bins; i++)
        first[panel->bins[i].contig + 1]++;
    for (int c = 0; c < panel->n_contigs; c++)
        first[c + 1] += first[c];
    while ((ret = bcf_read(fp, h, rec)) == 0) {
        nrec++;
        /* (htslib 1.16 takes a record cut short, or a POS that is not a number, without an
         * error code: they come back without alleles, or at position -1.) */
        if ((rec->errcode & ~(BCF_ERR_CTG_UNDEF | BCF_ERR_TAG_UNDEF)) || rec->pos < 0 ||
            rec->n_allele < 1) {
            bad = nrec;
            break;
        }
        if (rec->rid >= ncmap) { /* contigs may be added by htslib as records name them */
            int n = rec->rid + 64, *g = realloc(cmap, (size_t)n * sizeof *g);
            if (!g) {
                rc = metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
                goto out;
            }
            for (int i = ncmap; i < n; i++)
                g[i] = -2;
            cmap = g;
            ncmap = n;
        }
        if (cmap[rec->rid] == -2)
            cmap[rec->rid] = panel_contig(panel, bcf_seqname_safe(h, rec));
        int c = cmap[rec->rid];
        if (c < 0 || !near_bin(panel, first, c, rec->pos, flank))
            continue;
        char ra, aa;
        if (!snv_alleles(rec, &ra, &aa)) {
            s->n_skipped++;
            continue;
        }
        if (s->n == cap) {
            cap = cap ? 2 * cap : 1024;
            int64_t *g = realloc(*keys, cap * 3 * sizeof *g);
            if (g)
                *keys = g;
            if (!g || sites_reserve(s, cap, 0) != 0) {
                rc = metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
                goto out;
            }
        }
        (*keys)[3 * s->n] = c;
        (*keys)[3 * s->n + 1] = rec->pos;
        (*keys)[3 * s->n + 2] = (int64_t)s->n;
        s->ref[s->n] = ra;
        s->alt[s->n] = aa;
        s->n++;
    }
    if (ret < -1 || bad)
        rc = metcn_set_error(METCN_E_FORMAT, "%s: malformed VCF record (record %zu)", path,
                             bad ? bad : nrec + 1);
out:
    *capp = cap;
    free(cmap);
    free(first);
    bcf_destroy(rec);
    bcf_hdr_destroy(h);
    if (fp)
        hts_close(fp);
    return rc;
}

metcn_sites_t *metcn_sites_load(const char *path, const metcn_panel_t *panel, int64_t flank)
{
    return metcn_sites_load_with(path, NULL, panel, flank);
}

metcn_sites_t *metcn_sites_load_with(const char *path, const char *path2,
                                     const metcn_panel_t *panel, int64_t flank)
{
    metcn_sites_t *s = calloc(1, sizeof *s);
    int64_t *keys = NULL;
    char *ref = NULL, *alt = NULL;
    int ok = 0;
    size_t cap = 0, ls = (path ? strlen(path) : 0) + (path2 ? strlen(path2) + 1 : 0) + 1;
    if (!path && path2) {
        path = path2;
        path2 = NULL;
    }
    if (!path) {
        metcn_set_error(METCN_E_ARG, "sites: no site list");
        free(s);
        return NULL;
    }
    if (!s || !(s->source = malloc(ls))) {
        metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
        goto out;
    }
    snprintf(s->source, ls, "%s%s%s", path, path2 ? "," : "", path2 ? path2 : "");
    s->flank = flank;
    s->min_baseq = -1;
    if (read_vcf(path, panel, flank, s, &keys, &cap) != 0 ||
        (path2 && read_vcf(path2, panel, flank, s, &keys, &cap) != 0))
        goto out;
    path = s->source;
    /* Panel order; a position given twice (split multi-allelic records, say) is left out. */
    size_t n = s->n;
    if (n)
        qsort(keys, n, 3 * sizeof *keys, site_cmp);
    ref = malloc(n ? n : 1);
    alt = malloc(n ? n : 1);
    if (!ref || !alt) {
        metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
        goto out;
    }
    if (n) { /* (no site: s->ref and s->alt are still NULL) */
        memcpy(ref, s->ref, n);
        memcpy(alt, s->alt, n);
    }
    size_t m = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && keys[3 * j] == keys[3 * i] && keys[3 * j + 1] == keys[3 * i + 1])
            j++;
        if (j - i > 1) {
            s->n_skipped += j - i;
        } else {
            s->contig[m] = (int32_t)keys[3 * i];
            s->pos[m] = keys[3 * i + 1];
            s->ref[m] = ref[keys[3 * i + 2]];
            s->alt[m] = alt[keys[3 * i + 2]];
            m++;
        }
        i = j;
    }
    s->n = m;
    if (m > UINT32_MAX) { /* (rows are 32-bit in the engine's tables) */
        metcn_set_error(METCN_E_RANGE, "%s: more than %u sites near the bins", path, UINT32_MAX);
        goto out;
    }
    if (sites_alloc_counts(s) != 0) {
        metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
        goto out;
    }
    metcn_log(METCN_LOG_INFO,
              "%s: %zu sites within %lld bp of the bins (%zu records skipped: not "
              "a biallelic SNV, or a repeated position)",
              path, s->n, (long long)flank, s->n_skipped);
    ok = 1;
out:
    free(keys);
    free(ref);
    free(alt);
    if (!ok) {
        metcn_sites_destroy(s);
        return NULL;
    }
    return s;
}

/* ---- the allele table ----------------------------------------------------------------- */

int metcn_sites_write(const metcn_sites_t *s, const metcn_panel_t *panel, const char *sample,
                      const char *path)
{
    metcn_ofile_t *f = metcn_ofile_open(path);
    if (!f)
        return metcn_last_error_code();
    metcn_ofile_printf(f, "##metcn-alleles version=%s\n", METCN_VERSION);
    metcn_ofile_printf(f, "##sample=%s\n", sample ? sample : "");
    metcn_ofile_printf(f, "##sites=%s flank=%lld min_baseq=%d skipped=%zu\n",
                       s->source ? s->source : "", (long long)s->flank, s->min_baseq, s->n_skipped);
    metcn_ofile_printf(f, "#chrom\tpos\tref\talt\tref_count\talt_count\tother_count\n");
    for (size_t i = 0; i < s->n; i++)
        metcn_ofile_printf(f, "%s\t%lld\t%c\t%c\t%u\t%u\t%u\n", panel->contigs[s->contig[i]].name,
                           (long long)s->pos[i] + 1, s->ref[i], s->alt[i], s->ref_count[i],
                           s->alt_count[i], s->other_count[i]);
    return metcn_ofile_close(f, 1);
}

/* The "##sites=" line's fields into s. */
static int parse_sites_line(char *line, metcn_sites_t *s)
{
    char *f[8];
    int n = metcn_split(line, ' ', f, 8);
    if (n < 1 || !(s->source = strdup(f[0])))
        return -1;
    for (int i = 1; i < n; i++) {
        int64_t v;
        char *eq = strchr(f[i], '=');
        if (!eq)
            return -1;
        *eq++ = 0;
        if (metcn_parse_int64(eq, -1, INT64_MAX, &v))
            return -1;
        if (strcmp(f[i], "flank") == 0)
            s->flank = v;
        else if (strcmp(f[i], "min_baseq") == 0)
            s->min_baseq = (int)(v < 1000 ? v : 1000);
        else if (strcmp(f[i], "skipped") == 0)
            s->n_skipped = (size_t)(v < 0 ? 0 : v);
    }
    return 0;
}

/* One data row into site s->n.  0, or an error code with the message set. */
static int parse_row(char **f, const metcn_panel_t *panel, metcn_sites_t *s, const char *path,
                     long lineno, int *last_contig)
{
    int64_t pos, cnt[3];
    int c = *last_contig >= 0 && strcmp(panel->contigs[*last_contig].name, f[0]) == 0
                ? *last_contig
                : panel_contig(panel, f[0]);
    if (c < 0)
        return metcn_set_error(METCN_E_INCOMPATIBLE, "%s:%ld: contig %s is not in panel %s", path,
                               lineno, f[0], panel->source);
    if (metcn_parse_int64(f[1], 1, INT64_MAX / 4, &pos))
        return metcn_set_error(METCN_E_FORMAT, "%s:%ld: bad position '%s'", path, lineno, f[1]);
    if (strlen(f[2]) != 1 || strlen(f[3]) != 1 || !strchr("ACGT", f[2][0]) ||
        !strchr("ACGT", f[3][0]) || f[2][0] == f[3][0])
        return metcn_set_error(METCN_E_FORMAT, "%s:%ld: ref and alt must be two of A, C, G, T",
                               path, lineno);
    for (int k = 0; k < 3; k++)
        if (metcn_parse_int64(f[4 + k], 0, UINT32_MAX, &cnt[k]))
            return metcn_set_error(METCN_E_FORMAT, "%s:%ld: bad count '%s'", path, lineno,
                                   f[4 + k]);
    size_t i = s->n;
    if (i > 0 && (c < s->contig[i - 1] || (c == s->contig[i - 1] && pos - 1 <= s->pos[i - 1])))
        return metcn_set_error(METCN_E_FORMAT,
                               "%s:%ld: sites out of order (the panel's contig order, then "
                               "increasing position)",
                               path, lineno);
    s->contig[i] = c;
    s->pos[i] = pos - 1;
    s->ref[i] = f[2][0];
    s->alt[i] = f[3][0];
    s->ref_count[i] = (uint32_t)cnt[0];
    s->alt_count[i] = (uint32_t)cnt[1];
    s->other_count[i] = (uint32_t)cnt[2];
    s->n++;
    *last_contig = c;
    return 0;
}

metcn_sites_t *metcn_sites_read(const char *path, const metcn_panel_t *panel)
{
    BGZF *fp = bgzf_open(path, "r");
    metcn_sites_t *s = calloc(1, sizeof *s);
    kstring_t line = KS_INITIALIZE;
    size_t cap = 0;
    long lineno = 0;
    int got, ok = 0, magic = 0, columns = 0, last = -1;
    if (!fp) {
        metcn_set_error(METCN_E_IO, "%s: cannot open: %s", path, strerror(errno));
        goto out;
    }
    if (!s) {
        metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
        goto out;
    }
    s->min_baseq = -1;
    while ((got = bgzf_getline(fp, '\n', &line)) >= 0) {
        char *f[8];
        lineno++;
        if (line.l == 0)
            continue;
        if (strncmp(line.s, "##", 2) == 0) {
            if (strncmp(line.s, "##metcn-alleles", 15) == 0)
                magic = 1;
            else if (strncmp(line.s, "##sites=", 8) == 0 && parse_sites_line(line.s + 8, s)) {
                metcn_set_error(METCN_E_FORMAT, "%s:%ld: bad ##sites line", path, lineno);
                goto out;
            }
            continue;
        }
        int n = metcn_split(line.s, '\t', f, 8);
        if (!columns) {
            if (!magic || n != 7 || strcmp(f[0], "#chrom") != 0 || strcmp(f[1], "pos") != 0 ||
                strcmp(f[4], "ref_count") != 0) {
                metcn_set_error(METCN_E_FORMAT, "%s:%ld: not a metcn allele table", path, lineno);
                goto out;
            }
            columns = 1;
            continue;
        }
        if (n != 7) {
            metcn_set_error(METCN_E_FORMAT, "%s:%ld: %d columns, expected 7", path, lineno, n);
            goto out;
        }
        if (s->n == cap) {
            cap = cap ? 2 * cap : 1024;
            if (sites_reserve(s, cap, 1) != 0) {
                metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
                goto out;
            }
        }
        if (parse_row(f, panel, s, path, lineno, &last) != 0)
            goto out;
    }
    if (got < -1 || !columns) {
        metcn_set_error(got < -1 ? METCN_E_TRUNCATED : METCN_E_FORMAT,
                        got < -1 ? "%s: read error or corrupt compressed data"
                                 : "%s: not a metcn allele table (no column line)",
                        path);
        goto out;
    }
    if (!s->source && !(s->source = strdup(path))) {
        metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
        goto out;
    }
    ok = 1;
out:
    free(line.s);
    if (fp)
        bgzf_close(fp);
    if (!ok) {
        metcn_sites_destroy(s);
        return NULL;
    }
    return s;
}
