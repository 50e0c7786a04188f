/* refseq.c -- streaming reads of reference FASTA ranges (see refseq.h).
 *
 * htslib's faidx_fetch_seq64() reads a plain FASTA one character at a time and returns the
 * whole range in one allocation; for the GC of 60 Mb of 10 kb tiles that took about 0.35 s, and
 * for the MD5 of chromosome 7 it held 159 MB.  Here a plain FASTA is read with pread() at the
 * .fai offsets in 1 MB pieces.  A bgzipped FASTA is fetched through faidx, 1 Mb at a time. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <htslib/faidx.h>
#include <htslib/hts.h>
#include <htslib/khash.h>
#include <htslib/kstring.h>

#include "metcn/metcn.h"
#include "metcn/util.h"
#include "cov/refseq.h"

#define CHUNK (1 << 20)

typedef struct {
    int64_t len, off, lb, lw; /* .fai: bases, byte offset, bases per line, bytes per line */
} fai_ent_t;

KHASH_MAP_INIT_STR(ent, fai_ent_t)

struct metcn_refseq_s {
    char *path;
    faidx_t *fai;     /* always loaded: lengths, and fetches of a bgzipped FASTA */
    int fd;           /* plain FASTA: read directly */
    khash_t(ent) * h; /* plain FASTA: .fai entries */
    char *buf;
};

static void free_fai_entries(khash_t(ent) * h)
{
    for (khint_t k = kh_begin(h); k != kh_end(h); k++)
        if (kh_exist(h, k))
            free((char *)kh_key(h, k));
    kh_destroy(ent, h);
}

static int load_fai_entries(metcn_refseq_t *r)
{
    kstring_t p = KS_INITIALIZE;
    ksprintf(&p, "%s.fai", r->path);
    FILE *f = p.s ? fopen(p.s, "r") : NULL;
    free(p.s);
    if (!f)
        return -1;
    char line[4096];
    int bad = 0;
    while (!bad && fgets(line, sizeof line, f)) {
        char name[1024];
        long long len, off, lb, lw;
        if (sscanf(line, "%1023s %lld %lld %lld %lld", name, &len, &off, &lb, &lw) != 5 ||
            lb <= 0 || lw < lb) {
            bad = 1;
            break;
        }
        int ret;
        char *key = strdup(name);
        khint_t k = key ? kh_put(ent, r->h, key, &ret) : 0;
        if (!key || ret < 0) {
            free(key);
            bad = 1;
            break;
        }
        if (ret == 0)
            free(key);
        kh_val(r->h, k) = (fai_ent_t){len, off, lb, lw};
    }
    fclose(f);
    return bad ? -1 : 0;
}

metcn_refseq_t *metcn_refseq_open(const char *fasta)
{
    metcn_refseq_t *r = calloc(1, sizeof *r);
    if (!r || !(r->path = strdup(fasta))) {
        free(r);
        metcn_set_error(METCN_E_NOMEM, "%s: out of memory", fasta);
        return NULL;
    }
    r->fd = -1;
    if (!(r->fai = fai_load(fasta))) {
        metcn_set_error(METCN_E_REFERENCE,
                        "%s: cannot load the reference (missing, or not a FASTA with a .fai "
                        "index)",
                        fasta);
        metcn_refseq_close(r);
        return NULL;
    }
    /* A plain (not gzip/bgzip) FASTA is read directly. */
    unsigned char magic[2] = {0, 0};
    int fd = open(fasta, O_RDONLY);
    if (fd >= 0 && pread(fd, magic, 2, 0) == 2 && !(magic[0] == 0x1f && magic[1] == 0x8b)) {
        r->h = kh_init(ent);
        if (r->h && load_fai_entries(r) == 0 && (r->buf = malloc(CHUNK))) {
            r->fd = fd;
            fd = -1;
        } else if (r->h) {
            free_fai_entries(r->h);
            r->h = NULL;
        }
    }
    if (fd >= 0)
        close(fd);
    return r;
}

void metcn_refseq_close(metcn_refseq_t *r)
{
    if (!r)
        return;
    if (r->fai)
        fai_destroy(r->fai);
    if (r->fd >= 0)
        close(r->fd);
    if (r->h)
        free_fai_entries(r->h);
    free(r->buf);
    free(r->path);
    free(r);
}

int64_t metcn_refseq_len(const metcn_refseq_t *r, const char *name)
{
    return faidx_has_seq(r->fai, name) ? (int64_t)faidx_seq_len(r->fai, name) : -1;
}

int metcn_refseq_scan(metcn_refseq_t *r, const char *name, int64_t beg, int64_t end,
                      metcn_refseq_fn fn, void *ctx)
{
    int64_t len = metcn_refseq_len(r, name);
    if (len < 0)
        return metcn_set_error(METCN_E_REFERENCE, "%s: no contig %s", r->path, name);
    if (beg < 0)
        beg = 0;
    if (end > len)
        end = len;
    if (beg >= end)
        return 0;
    khint_t k = r->h ? kh_get(ent, r->h, name) : 0;
    if (!r->h || k == kh_end(r->h)) { /* bgzipped: through faidx, 1 Mb at a time */
        for (int64_t s = beg; s < end; s += CHUNK) {
            int64_t e = s + CHUNK < end ? s + CHUNK : end;
            hts_pos_t got = 0;
            char *seq = faidx_fetch_seq64(r->fai, name, s, e - 1, &got);
            if (!seq || got != e - s) {
                free(seq);
                return metcn_set_error(METCN_E_REFERENCE, "%s: cannot read %s:%lld-%lld", r->path,
                                       name, (long long)s + 1, (long long)e);
            }
            int ret = fn(seq, (size_t)got, ctx);
            free(seq);
            if (ret)
                return ret;
        }
        return 0;
    }
    const fai_ent_t *f = &kh_val(r->h, k);
    /* Byte offsets of the first base and one past the last base of the range. */
    int64_t b0 = f->off + beg / f->lb * f->lw + beg % f->lb;
    int64_t b1 = f->off + (end - 1) / f->lb * f->lw + (end - 1) % f->lb + 1;
    for (int64_t o = b0; o < b1;) {
        size_t want = b1 - o < CHUNK ? (size_t)(b1 - o) : CHUNK;
        ssize_t got = pread(r->fd, r->buf, want, o);
        if (got <= 0)
            return metcn_set_error(METCN_E_REFERENCE, "%s: cannot read %s:%lld-%lld (%s)", r->path,
                                   name, (long long)beg + 1, (long long)end,
                                   got < 0 ? strerror(errno) : "file ends early");
        int ret = fn(r->buf, (size_t)got, ctx);
        if (ret)
            return ret;
        o += got;
    }
    return 0;
}

static int md5_piece(const char *buf, size_t n, void *ctx)
{
    char up[4096];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)buf[i];
        if (c > ' ' && c <= '~') {
            up[k++] = (char)toupper(c);
            if (k == sizeof up) {
                hts_md5_update(ctx, up, (unsigned long)k);
                k = 0;
            }
        }
    }
    if (k)
        hts_md5_update(ctx, up, (unsigned long)k);
    return 0;
}

int metcn_refseq_md5(metcn_refseq_t *r, const char *name, char hex[33])
{
    hts_md5_context *md5 = hts_md5_init();
    if (!md5)
        return metcn_set_error(METCN_E_NOMEM, "out of memory");
    int ret = metcn_refseq_scan(r, name, 0, metcn_refseq_len(r, name), md5_piece, md5);
    if (ret == 0) {
        unsigned char dig[16];
        hts_md5_final(dig, md5);
        hts_md5_hex(hex, dig);
    }
    hts_md5_destroy(md5);
    return ret;
}

int metcn_refseq_dict_m5(const char *fasta, const char *name, char hex[33])
{
    /* ref.fa -> ref.dict (Picard), then ref.fa.dict; also through a .gz suffix. */
    kstring_t base = KS_INITIALIZE, p = KS_INITIALIZE;
    kputs(fasta, &base);
    if (metcn_ends_with(base.s, ".gz"))
        base.s[base.l -= 3] = '\0';
    const char *exts[] = {".fa", ".fasta", ".fna", ".fas"};
    size_t stem = base.l;
    for (size_t e = 0; e < sizeof exts / sizeof *exts; e++)
        if (metcn_ends_with(base.s, exts[e]))
            stem = base.l - strlen(exts[e]);
    int found = 0;
    for (int attempt = 0; attempt < 2 && !found; attempt++) {
        p.l = 0;
        if (attempt == 0)
            kputsn(base.s, stem, &p);
        else
            kputs(fasta, &p);
        kputs(".dict", &p);
        FILE *f = p.s ? fopen(p.s, "r") : NULL;
        if (!f)
            continue;
        char line[8192];
        while (!found && fgets(line, sizeof line, f)) {
            if (strncmp(line, "@SQ\t", 4) != 0)
                continue;
            char *sn = NULL, *m5 = NULL, *fld[64];
            int nf = metcn_split(line + 4, '\t', fld, 64);
            for (int k = 0; k < nf; k++) {
                if (strncmp(fld[k], "SN:", 3) == 0)
                    sn = fld[k] + 3;
                else if (strncmp(fld[k], "M5:", 3) == 0)
                    m5 = fld[k] + 3;
            }
            if (sn && m5 && strcmp(sn, name) == 0 && strlen(m5) == 32) {
                for (int i = 0; i < 32; i++)
                    hex[i] = (char)tolower((unsigned char)m5[i]);
                hex[32] = '\0';
                found = 1;
            }
        }
        fclose(f);
    }
    free(base.s);
    free(p.s);
    return found;
}
