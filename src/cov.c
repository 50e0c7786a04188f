/* cov.c -- the coverage engine: BAM/CRAM records -> per-bin fragment counts, mean depth and
 * filter tallies; GC content of bins from an indexed FASTA.
 *
 * Definitions (docs/coverage.md):
 * - Only records whose aligned span overlaps a bin are considered, in both modes (index mode
 *   reads exactly those).  A read is counted when it passes the filters (-F, -f, -Q).
 * - Depth: aligned bases (CIGAR M, =, X) of counted reads inside the bin, divided by the bin
 *   length.  D and N operations add nothing.  Where the two mates of a pair overlap, the
 *   overlapping aligned bases are counted once (the second mate's bases that the first mate
 *   also covers are subtracted).
 * - Fragments: a pair whose mates map to one contig with 0 < |TLEN| <= METCN_COV_MAX_FRAGMENT
 *   is counted once, by its leftmost mate (READ1 when both start at one position), in the bin
 *   holding the fragment midpoint min(POS, MPOS) + |TLEN|/2.  Any other counted read (single
 *   end, mate unmapped, mate on another contig, TLEN 0 or longer than the limit) is counted
 *   at its own alignment midpoint, by READ1 only when its mate is mapped.
 * - Filter tallies: a dropped read is tallied in the bin holding its POS, by the first filter
 *   it fails in the order unmapped, secondary, qcfail, duplicate, supplementary, other flags,
 *   MAPQ.
 * Coordinates are 0-based half-open throughout. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <htslib/bgzf.h>
#include <htslib/faidx.h>
#include <htslib/hfile.h>
#include <htslib/hts.h>
#include <htslib/khash.h>
#include <htslib/sam.h>
#include <htslib/thread_pool.h>

#include "metcn/cov.h"
#include "metcn/metcn.h"

/* Longest fragment counted at its midpoint; longer ones count at their read's midpoint. */
#define METCN_COV_MAX_FRAGMENT 1000
/* Aligned blocks remembered per pending mate; a longer CIGAR keeps its first ones only. */
#define PENDING_BLOCKS 16

void metcn_cov_opt_init(metcn_cov_opt_t *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->min_mapq = 0;
    opt->exclude_flags = BAM_FUNMAP | BAM_FSECONDARY | BAM_FQCFAIL | BAM_FDUP | BAM_FSUPPLEMENTARY;
    opt->include_flags = 0;
    opt->threads = 0;
}

/* Bins of one header contig, sorted and non-overlapping (they come from a panel). */
typedef struct {
    int64_t *start, *end;
    size_t *idx; /* row in the table */
    size_t n, cursor;
} tidbins_t;

/* First mate of an overlapping pair, waiting for its mate. */
typedef struct {
    char qname[256];
    int32_t tid;
    int64_t mpos;
    int nblocks;
    int64_t bs[PENDING_BLOCKS], be[PENDING_BLOCKS];
} pending_t;

KHASH_MAP_INIT_INT64(pend, uint32_t)

typedef struct {
    tidbins_t *tb; /* per header tid */
    int ntid;
    metcn_covtab_t *t;
    double *bases; /* aligned bases per bin */
    const metcn_cov_opt_t *opt;
    khash_t(pend) * pend;
    pending_t *pool;
    uint32_t *freelist;
    uint32_t npool, nfree, mpool;
    size_t purge_at;  /* purge stale pending reads when this many are held */
    int64_t max_span; /* longest reference span of any read ever put on hold */
} engine_t;

static uint64_t qhash(const char *s)
{
    uint64_t h = 14695981039346656037ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

/* Move the contig's cursor to the first bin whose end is beyond pos. */
static size_t seek(tidbins_t *b, int64_t pos)
{
    if (b->cursor > 0 && b->cursor <= b->n && b->end[b->cursor - 1] > pos) {
        size_t lo = 0, hi = b->cursor; /* went backwards (index mode): binary search */
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (b->end[mid] <= pos)
                lo = mid + 1;
            else
                hi = mid;
        }
        b->cursor = lo;
    }
    while (b->cursor < b->n && b->end[b->cursor] <= pos)
        b->cursor++;
    return b->cursor;
}

/* Add sign * |[s,e) ∩ bin| to every bin from index i on. */
static void add_block(engine_t *E, tidbins_t *b, size_t i, int64_t s, int64_t e, double sign)
{
    for (; i < b->n && b->start[i] < e; i++) {
        int64_t a = s > b->start[i] ? s : b->start[i];
        int64_t z = e < b->end[i] ? e : b->end[i];
        if (z > a)
            E->bases[b->idx[i]] += sign * (double)(z - a);
    }
}

/* Bin (row) holding position pos on this contig, or -1. */
static long bin_at(tidbins_t *b, size_t from, int64_t pos)
{
    size_t i = from;
    if (i > 0 && i <= b->n && b->start[i - 1] > pos)
        i = 0;
    while (i < b->n && b->end[i] <= pos)
        i++;
    return i < b->n && b->start[i] <= pos ? (long)b->idx[i] : -1;
}

static int drop_reason(const bam1_t *r, const metcn_cov_opt_t *opt)
{
    uint16_t fl = r->core.flag;
    uint32_t ex = opt->exclude_flags;
    if ((fl & BAM_FUNMAP) && (ex & BAM_FUNMAP))
        return METCN_DROP_UNMAPPED;
    if ((fl & BAM_FSECONDARY) && (ex & BAM_FSECONDARY))
        return METCN_DROP_SECONDARY;
    if ((fl & BAM_FQCFAIL) && (ex & BAM_FQCFAIL))
        return METCN_DROP_QCFAIL;
    if ((fl & BAM_FDUP) && (ex & BAM_FDUP))
        return METCN_DROP_DUPLICATE;
    if ((fl & BAM_FSUPPLEMENTARY) && (ex & BAM_FSUPPLEMENTARY))
        return METCN_DROP_SUPPLEMENTARY;
    if ((fl & ex) || (fl & opt->include_flags) != opt->include_flags)
        return METCN_DROP_OTHER_FLAG;
    if (fl & BAM_FUNMAP) /* not excluded by -F, but without alignment there is nothing to count */
        return METCN_DROP_UNMAPPED;
    if (r->core.qual < opt->min_mapq)
        return METCN_DROP_MAPQ;
    return -1;
}

static pending_t *pending_take(engine_t *E, const bam1_t *r)
{
    khint_t k = kh_get(pend, E->pend, qhash(bam_get_qname(r)));
    if (k == kh_end(E->pend))
        return NULL;
    uint32_t slot = kh_val(E->pend, k);
    pending_t *p = &E->pool[slot];
    if (strcmp(p->qname, bam_get_qname(r)) != 0 || p->tid != r->core.tid || p->mpos != r->core.pos)
        return NULL;
    kh_del(pend, E->pend, k);
    E->freelist[E->nfree++] = slot;
    return p;
}

static int pending_put(engine_t *E, const bam1_t *r)
{
    uint32_t slot;
    if (E->nfree > 0) {
        slot = E->freelist[--E->nfree];
    } else {
        if (E->npool == E->mpool) {
            uint32_t m = E->mpool ? E->mpool * 2 : 1024;
            pending_t *pool = realloc(E->pool, m * sizeof *pool);
            uint32_t *fl = pool ? realloc(E->freelist, m * sizeof *fl) : NULL;
            if (pool)
                E->pool = pool;
            if (!fl)
                return METCN_E_NOMEM;
            E->freelist = fl;
            E->mpool = m;
        }
        slot = E->npool++;
    }
    pending_t *p = &E->pool[slot];
    memcpy(p->qname, bam_get_qname(r), r->core.l_qname); /* NUL-terminated, <= 255 bytes */
    p->tid = r->core.tid;
    p->mpos = r->core.mpos;
    p->nblocks = 0;
    const uint32_t *cig = bam_get_cigar(r);
    int64_t pos = r->core.pos;
    for (uint32_t c = 0; c < r->core.n_cigar; c++) {
        int op = bam_cigar_op(cig[c]);
        int64_t len = bam_cigar_oplen(cig[c]);
        if ((op == BAM_CMATCH || op == BAM_CEQUAL || op == BAM_CDIFF) &&
            p->nblocks < PENDING_BLOCKS) {
            p->bs[p->nblocks] = pos;
            p->be[p->nblocks++] = pos + len;
        }
        if (bam_cigar_type(op) & 2)
            pos += len;
    }
    if (pos - r->core.pos > E->max_span)
        E->max_span = pos - r->core.pos;
    int ret;
    khint_t k = kh_put(pend, E->pend, qhash(p->qname), &ret);
    if (ret < 0)
        return METCN_E_NOMEM;
    if (ret == 0) /* another pending read has the same hash: keep the newer */
        E->freelist[E->nfree++] = kh_val(E->pend, k);
    kh_val(E->pend, k) = slot;
    return 0;
}

/* Drop pending reads whose mate can no longer come (we are past its position). */
static void pending_purge(engine_t *E, int32_t tid, int64_t pos)
{
    for (khint_t k = kh_begin(E->pend); k != kh_end(E->pend); k++) {
        if (!kh_exist(E->pend, k))
            continue;
        pending_t *p = &E->pool[kh_val(E->pend, k)];
        if (p->tid != tid || p->mpos < pos) {
            E->freelist[E->nfree++] = kh_val(E->pend, k);
            kh_del(pend, E->pend, k);
        }
    }
}

static int process(engine_t *E, const bam1_t *r)
{
    int32_t tid = r->core.tid;
    if (tid < 0 || tid >= E->ntid)
        return 0;
    tidbins_t *b = &E->tb[tid];
    if (b->n == 0)
        return 0;
    int64_t pos = r->core.pos;
    size_t i = seek(b, pos);
    /* A record whose span overlaps no bin adds nothing to any bin: it is skipped in both
     * modes, so streaming and the index (which reads only overlapping records) agree. */
    int64_t end = bam_endpos(r);
    if (i >= b->n || b->start[i] >= end)
        return 0;
    int why = drop_reason(r, E->opt);
    uint16_t fl = r->core.flag;
    int paired_same = (fl & BAM_FPAIRED) && !(fl & BAM_FMUNMAP) && r->core.mtid == tid;
    if (why >= 0) {
        if (E->t->dropped) {
            long row = bin_at(b, i, pos);
            if (row >= 0)
                E->t->dropped[row][why]++;
        }
        if (paired_same && r->core.mpos <= pos && kh_size(E->pend) > 0 &&
            pos < r->core.mpos + E->max_span)
            pending_take(E, r); /* its counted mate need not wait any longer */
        return 0;
    }
    /* Mate overlap: the second mate subtracts what the first already counted. */
    /* At equal positions whichever mate comes first in the file waits for the other. */
    pending_t *first = NULL;
    /* The first mate can overlap this read only if it starts within the longest span held. */
    if (paired_same && kh_size(E->pend) > 0 && r->core.mpos <= pos &&
        pos < r->core.mpos + E->max_span)
        first = pending_take(E, r);
    const uint32_t *cig = bam_get_cigar(r);
    int64_t p = pos;
    for (uint32_t c = 0; c < r->core.n_cigar; c++) {
        int op = bam_cigar_op(cig[c]);
        int64_t len = bam_cigar_oplen(cig[c]);
        if (op == BAM_CMATCH || op == BAM_CEQUAL || op == BAM_CDIFF) {
            add_block(E, b, i, p, p + len, 1.0);
            if (first)
                for (int k = 0; k < first->nblocks; k++) {
                    int64_t a = p > first->bs[k] ? p : first->bs[k];
                    int64_t z = p + len < first->be[k] ? p + len : first->be[k];
                    if (z > a)
                        add_block(E, b, i, a, z, -1.0);
                }
        }
        if (bam_cigar_type(op) & 2)
            p += len;
    }
    /* First mate of an overlapping pair: remember its blocks for its mate. */
    if (paired_same && r->core.mpos < end && !first && r->core.mpos >= pos)
        if (pending_put(E, r))
            return metcn_set_error(METCN_E_NOMEM, "out of memory");

    int64_t tlen = r->core.isize < 0 ? -(int64_t)r->core.isize : r->core.isize;
    int64_t mid = -1;
    if (paired_same && tlen > 0 && tlen <= METCN_COV_MAX_FRAGMENT) {
        if (pos < r->core.mpos || (pos == r->core.mpos && (fl & BAM_FREAD1)))
            mid = (pos < r->core.mpos ? pos : r->core.mpos) + tlen / 2;
    } else if (!(fl & BAM_FPAIRED) || (fl & BAM_FMUNMAP) || (fl & BAM_FREAD1)) {
        mid = pos + (end - pos) / 2;
    }
    if (mid >= 0) {
        long row = bin_at(b, i, mid);
        if (row >= 0)
            E->t->fragments[row]++;
    }
    return 0;
}

static void engine_free(engine_t *E)
{
    if (E->tb)
        for (int t = 0; t < E->ntid; t++) {
            free(E->tb[t].start);
            free(E->tb[t].end);
            free(E->tb[t].idx);
        }
    free(E->tb);
    free(E->bases);
    if (E->pend)
        kh_destroy(pend, E->pend);
    free(E->pool);
    free(E->freelist);
}

/* Hand a CRAM its reference.  The FASTA is loaded once first: htslib 1.16 leaks when
 * hts_set_fai_filename() is given a file it cannot load, and its message would be vaguer. */
static int set_reference(samFile *fp, const char *path, const char *fasta)
{
    faidx_t *fai = fai_load(fasta);
    if (!fai)
        return metcn_set_error(METCN_E_REFERENCE,
                               "%s: cannot load the reference %s (missing, or not a FASTA "
                               "with a .fai index)",
                               path, fasta);
    fai_destroy(fai);
    if (hts_set_fai_filename(fp, fasta) != 0)
        return metcn_set_error(METCN_E_REFERENCE, "%s: cannot use the reference %s", path, fasta);
    return 0;
}

static char *sample_name(const sam_hdr_t *h, const char *path)
{
    kstring_t ks = KS_INITIALIZE;
    if (sam_hdr_find_tag_pos((sam_hdr_t *)h, "RG", 0, "SM", &ks) == 0 && ks.l > 0)
        return ks.s;
    free(ks.s);
    if (strcmp(path, "-") == 0)
        return strdup("stdin");
    const char *b = strrchr(path, '/');
    char *s = strdup(b ? b + 1 : path);
    if (s) {
        char *dot = strrchr(s, '.');
        if (dot &&
            (strcmp(dot, ".bam") == 0 || strcmp(dot, ".cram") == 0 || strcmp(dot, ".sam") == 0))
            *dot = '\0';
    }
    return s;
}

/* For CRAM with a reference: the FASTA must hold every panel contig at the header's length,
 * and the target chromosome's MD5 must equal the header's M5 when the header has one. */
static int check_cram_reference(const char *path, const sam_hdr_t *h, const metcn_panel_t *p,
                                const int *tids, const char *fasta)
{
    faidx_t *fai = fai_load(fasta);
    if (!fai)
        return metcn_set_error(METCN_E_REFERENCE,
                               "%s: cannot load the reference %s (needs a "
                               ".fai index)",
                               path, fasta);
    int r = 0;
    for (int c = 0; c < p->n_contigs && !r; c++) {
        if (tids[c] < 0)
            continue;
        const char *name = sam_hdr_tid2name(h, tids[c]);
        hts_pos_t hl = sam_hdr_tid2len(h, tids[c]);
        if (!faidx_has_seq(fai, name)) {
            r = metcn_set_error(METCN_E_REFERENCE, "%s: the reference %s has no contig %s", path,
                                fasta, name);
        } else if ((hts_pos_t)faidx_seq_len(fai, name) != hl) {
            r = metcn_set_error(METCN_E_REFERENCE,
                                "%s: contig %s is %lld bp in the reference %s but %lld in the "
                                "header: wrong reference",
                                path, name, (long long)(hts_pos_t)faidx_seq_len(fai, name), fasta,
                                (long long)hl);
        } else if (c == p->target_contig) {
            kstring_t m5 = KS_INITIALIZE;
            if (sam_hdr_find_tag_id((sam_hdr_t *)h, "SQ", "SN", name, "M5", &m5) == 0) {
                hts_pos_t len = 0;
                char *seq = faidx_fetch_seq64(fai, name, 0, hl - 1, &len);
                if (!seq) {
                    r = metcn_set_error(METCN_E_REFERENCE, "%s: cannot read %s from %s", path, name,
                                        fasta);
                } else {
                    hts_md5_context *md5 = hts_md5_init();
                    unsigned char dig[16];
                    char hex[33];
                    size_t k = 0;
                    for (hts_pos_t i = 0; i < len; i++) /* MD5 of upper-case, no gaps */
                        if (seq[i] > ' ')
                            seq[k++] = (char)toupper((unsigned char)seq[i]);
                    hts_md5_update(md5, seq, (unsigned long)k);
                    hts_md5_final(dig, md5);
                    hts_md5_hex(hex, dig);
                    hts_md5_destroy(md5);
                    if (strcasecmp(hex, m5.s) != 0)
                        r = metcn_set_error(METCN_E_REFERENCE,
                                            "%s: the reference %s does not match the file's "
                                            "%s (MD5 %s, header M5 %s)",
                                            path, fasta, name, hex, m5.s);
                    free(seq);
                }
            }
            free(m5.s);
        }
    }
    fai_destroy(fai);
    return r;
}

metcn_covtab_t *metcn_cov_compute(const char *path, const metcn_panel_t *panel,
                                  const metcn_cov_opt_t *opt_in)
{
    metcn_cov_opt_t defaults;
    const metcn_cov_opt_t *opt = opt_in;
    if (!opt) {
        metcn_cov_opt_init(&defaults);
        opt = &defaults;
    }
    engine_t E = {0};
    samFile *fp = NULL;
    sam_hdr_t *h = NULL;
    hts_idx_t *idx = NULL;
    hts_itr_t *itr = NULL;
    hts_reglist_t *rl = NULL;
    int nrl = 0, *tids = NULL, ok = 0;
    bam1_t *r = bam_init1();
    htsThreadPool pool = {NULL, 0};
    metcn_covtab_t *t = metcn_covtab_new(panel);
    if (!t || !r)
        goto nomem;
    E.opt = opt;
    E.t = t;
    E.purge_at = 4096;
    if (!(t->dropped = calloc(panel->n_bins ? panel->n_bins : 1, sizeof *t->dropped)) ||
        !(E.bases = calloc(panel->n_bins ? panel->n_bins : 1, sizeof *E.bases)) ||
        !(E.pend = kh_init(pend)))
        goto nomem;

    if (!(fp = sam_open(path, "r"))) {
        metcn_set_error(METCN_E_IO, "%s: cannot open: %s", path, strerror(errno));
        goto out;
    }
    int is_cram = fp->format.format == cram;
    if (fp->format.category != sequence_data) {
        metcn_set_error(METCN_E_FORMAT, "%s: not a SAM/BAM/CRAM file", path);
        goto out;
    }
    if (opt->threads > 0) {
        if (!(pool.pool = hts_tpool_init(opt->threads)) ||
            hts_set_opt(fp, HTS_OPT_THREAD_POOL, &pool) != 0) {
            metcn_set_error(METCN_E_IO, "%s: cannot start %d threads", path, opt->threads);
            goto out;
        }
    }
    if (is_cram) {
        if (opt->reference && set_reference(fp, path, opt->reference) != 0)
            goto out;
        hts_set_opt(fp, CRAM_OPT_REQUIRED_FIELDS,
                    SAM_QNAME | SAM_FLAG | SAM_RNAME | SAM_POS | SAM_MAPQ | SAM_CIGAR | SAM_RNEXT |
                        SAM_PNEXT | SAM_TLEN);
        hts_set_opt(fp, CRAM_OPT_DECODE_MD, 0);
    }
    if (!(h = sam_hdr_read(fp))) {
        metcn_set_error(METCN_E_FORMAT,
                        "%s: cannot read the header (not SAM/BAM/CRAM, or "
                        "corrupt)",
                        path);
        goto out;
    }
    if (metcn_panel_match_header(panel, h, path, &tids) != 0)
        goto out;
    if (is_cram && opt->reference && check_cram_reference(path, h, panel, tids, opt->reference))
        goto out;
    if (!(t->sample = sample_name(h, path)) || !(t->source = strdup(path)) ||
        !(t->format = strdup("metcn")))
        goto nomem;
    t->has_fragments = 1;

    /* Bins per header contig. */
    E.ntid = sam_hdr_nref(h);
    if (!(E.tb = calloc(E.ntid ? E.ntid : 1, sizeof *E.tb)))
        goto nomem;
    for (size_t i = 0; i < panel->n_bins; i++) {
        int tid = tids[panel->bins[i].contig];
        if (tid >= 0)
            E.tb[tid].n++;
    }
    for (int tid = 0; tid < E.ntid; tid++) {
        tidbins_t *b = &E.tb[tid];
        if (!b->n)
            continue;
        b->start = malloc(b->n * sizeof *b->start);
        b->end = malloc(b->n * sizeof *b->end);
        b->idx = malloc(b->n * sizeof *b->idx);
        if (!b->start || !b->end || !b->idx)
            goto nomem;
        b->n = 0;
    }
    for (size_t i = 0; i < panel->n_bins; i++) {
        int tid = tids[panel->bins[i].contig];
        if (tid < 0)
            continue;
        tidbins_t *b = &E.tb[tid];
        b->start[b->n] = panel->bins[i].start;
        b->end[b->n] = panel->bins[i].end;
        b->idx[b->n++] = i;
    }

    /* Index mode when an index exists (and is not older than the file). */
    int use_index = 0;
    if (!opt->force_stream && strcmp(path, "-") != 0) {
        idx = sam_index_load3(fp, path, NULL, HTS_IDX_SILENT_FAIL);
        if (idx) {
            const char *ext[] = {".bai", ".csi", ".crai"};
            struct stat sf, si;
            int stale = 0;
            if (stat(path, &sf) == 0)
                for (int e = 0; e < 3; e++) {
                    char ip[4096];
                    snprintf(ip, sizeof ip, "%s%s", path, ext[e]);
                    /* Writers that build the index while writing (samtools sort
                     * --write-index, metcn-sim) save it a few ms before closing the file:
                     * only an index older by more than 2 s is stale. */
                    if (stat(ip, &si) == 0 && si.st_mtime + 2 < sf.st_mtime)
                        stale = 1;
                }
            if (stale) {
                metcn_set_error(METCN_E_INDEX,
                                "%s: the index is older than the file by more than 2 s (stale "
                                "index: rebuild it with samtools index)",
                                path);
                goto out;
            }
            use_index = 1;
        }
    }
    t->mode = strdup(use_index ? "index" : "stream");
    metcn_log(METCN_LOG_INFO, "%s: %s mode", path,
              use_index ? "index (multi-region iterator)" : "streaming (no index)");

    int ret;
    if (use_index) {
        /* One region list: bins of each contig, padded left by the longest counted fragment
         * so the mate that carries a fragment midpoint is read too; touching regions merged. */
        if (!(rl = calloc(E.ntid ? E.ntid : 1, sizeof *rl)))
            goto nomem;
        for (int tid = 0; tid < E.ntid; tid++) {
            tidbins_t *b = &E.tb[tid];
            if (!b->n)
                continue;
            hts_reglist_t *g = &rl[nrl];
            if (!(g->intervals = malloc(b->n * sizeof *g->intervals)))
                goto nomem;
            g->reg = sam_hdr_tid2name(h, tid);
            g->tid = tid;
            g->min_beg = HTS_POS_MAX;
            g->max_end = 0;
            for (size_t i = 0; i < b->n; i++) {
                hts_pos_t s = b->start[i];
                if (g->count > 0 && s <= g->intervals[g->count - 1].end) {
                    g->intervals[g->count - 1].end = b->end[i];
                } else {
                    g->intervals[g->count].beg = s;
                    g->intervals[g->count++].end = b->end[i];
                }
            }
            g->min_beg = g->intervals[0].beg;
            g->max_end = g->intervals[g->count - 1].end;
            nrl++;
        }
        if (nrl > 0) {
            itr = sam_itr_regions(idx, h, rl, (unsigned)nrl);
            rl = NULL; /* owned by the iterator now */
            if (!itr) {
                metcn_set_error(METCN_E_INDEX, "%s: cannot query the index", path);
                goto out;
            }
            int last_tid = -1;
            while ((ret = sam_itr_multi_next(fp, itr, r)) >= 0) {
                if (r->core.tid != last_tid) {
                    if (kh_size(E.pend))
                        pending_purge(&E, r->core.tid, 0);
                    last_tid = r->core.tid;
                } else if (kh_size(E.pend) > E.purge_at) {
                    pending_purge(&E, r->core.tid, r->core.pos);
                    E.purge_at = 2 * kh_size(E.pend) > 4096 ? 2 * kh_size(E.pend) : 4096;
                }
                if (process(&E, r))
                    goto out;
            }
        } else {
            ret = -1;
        }
    } else {
        int last_tid = -1;
        int64_t last_pos = -1;
        while ((ret = sam_read1(fp, h, r)) >= 0) {
            int32_t tid = r->core.tid;
            if (tid < 0) {
                last_tid = INT32_MAX; /* unplaced reads come last */
                continue;
            }
            if (tid < last_tid || (tid == last_tid && r->core.pos < last_pos)) {
                metcn_set_error(METCN_E_UNSORTED,
                                "%s: not coordinate-sorted (%s:%lld after %s:%lld); sort it "
                                "with samtools sort",
                                path, sam_hdr_tid2name(h, tid), (long long)r->core.pos + 1,
                                last_tid < E.ntid ? sam_hdr_tid2name(h, last_tid) : "*",
                                (long long)last_pos + 1);
                goto out;
            }
            if (tid != last_tid && kh_size(E.pend))
                pending_purge(&E, tid, 0);
            else if (kh_size(E.pend) > E.purge_at) {
                /* Amortised: the next purge waits until the table has doubled. */
                pending_purge(&E, tid, r->core.pos);
                E.purge_at = 2 * kh_size(E.pend) > 4096 ? 2 * kh_size(E.pend) : 4096;
            }
            last_tid = tid;
            last_pos = r->core.pos;
            if (process(&E, r))
                goto out;
        }
    }
    if (ret < -1) {
        metcn_set_error(is_cram ? METCN_E_REFERENCE : METCN_E_TRUNCATED,
                        is_cram ? "%s: cannot decode records (corrupt file, or the reference is "
                                  "missing or does not match: give --reference)"
                                : "%s: truncated or corrupt file (read error)",
                        path);
        goto out;
    }
    if (fp->format.compression == bgzf && fp->format.format == bam &&
        bgzf_check_EOF(fp->fp.bgzf) == 0 && strcmp(path, "-") != 0) {
        metcn_set_error(METCN_E_TRUNCATED, "%s: truncated file (no BGZF end-of-file block)", path);
        goto out;
    }
    for (size_t i = 0; i < t->n; i++) {
        const metcn_bin_t *b = &panel->bins[i];
        t->depth[i] = E.bases[i] / (double)(b->end - b->start);
    }
    if (opt->reference) {
        if (metcn_gc_compute(panel, opt->reference, t->gc) != 0)
            goto out;
        t->has_gc = 1;
    }
    ok = 1;
    goto out;
nomem:
    metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
out:
    if (itr)
        hts_itr_destroy(itr);
    if (rl) {
        for (int i = 0; i < nrl; i++)
            free(rl[i].intervals);
        free(rl);
    }
    hts_idx_destroy(idx);
    sam_hdr_destroy(h);
    if (fp)
        sam_close(fp);
    if (pool.pool)
        hts_tpool_destroy(pool.pool);
    bam_destroy1(r);
    free(tids);
    engine_free(&E);
    if (!ok) {
        metcn_covtab_destroy(t);
        return NULL;
    }
    return t;
}

sam_hdr_t *metcn_cov_read_header(const char *path, const char *reference)
{
    samFile *fp = sam_open(path, "r");
    if (!fp) {
        metcn_set_error(METCN_E_IO, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    if (reference && fp->format.format == cram && set_reference(fp, path, reference) != 0) {
        sam_close(fp);
        return NULL;
    }
    sam_hdr_t *h = fp->format.category == sequence_data ? sam_hdr_read(fp) : NULL;
    sam_close(fp);
    if (!h)
        metcn_set_error(METCN_E_FORMAT, "%s: cannot read a SAM/BAM/CRAM header", path);
    return h;
}

int metcn_gc_compute(const metcn_panel_t *panel, const char *fasta, double *gc)
{
    faidx_t *fai = fai_load(fasta);
    if (!fai)
        return metcn_set_error(METCN_E_REFERENCE, "%s: cannot load the FASTA (and its .fai)",
                               fasta);
    int r = 0;
    char alias[256];
    for (size_t i = 0; i < panel->n_bins && !r; i++) {
        const metcn_bin_t *b = &panel->bins[i];
        const char *name = panel->contigs[b->contig].name;
        if (!faidx_has_seq(fai, name)) {
            /* "chr7" <-> "7" */
            if (strncmp(name, "chr", 3) == 0)
                snprintf(alias, sizeof alias, "%s", name + 3);
            else
                snprintf(alias, sizeof alias, "chr%s", name);
            if (!faidx_has_seq(fai, alias)) {
                gc[i] = NAN;
                continue;
            }
            name = alias;
        }
        hts_pos_t len = 0;
        char *seq = faidx_fetch_seq64(fai, name, b->start, b->end - 1, &len);
        if (!seq) {
            r = metcn_set_error(METCN_E_REFERENCE, "%s: cannot read %s:%lld-%lld", fasta, name,
                                (long long)b->start + 1, (long long)b->end);
            break;
        }
        int64_t n_gc = 0, n_at = 0;
        for (hts_pos_t k = 0; k < len; k++) {
            switch (seq[k]) {
            case 'G':
            case 'C':
            case 'g':
            case 'c':
                n_gc++;
                break;
            case 'A':
            case 'T':
            case 'a':
            case 't':
                n_at++;
                break;
            default:
                break;
            }
        }
        gc[i] = n_gc + n_at > 0 ? (double)n_gc / (double)(n_gc + n_at) : NAN;
        free(seq);
    }
    fai_destroy(fai);
    return r;
}
