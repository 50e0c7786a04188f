/* engine.c -- the coverage engine: BAM/CRAM records -> per-bin fragment counts, mean depth,
 * fragment-length classes and filter tallies (and allele counts at SNP sites, allele_count.c);
 * GC content of bins from an indexed FASTA.
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
#include <pthread.h>
#include <sys/stat.h>

#include <htslib/bgzf.h>
#include <htslib/faidx.h>
#include <htslib/hfile.h>
#include <htslib/hts.h>
#include <htslib/sam.h>
#include <htslib/thread_pool.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "metcn/cov.h"
#include "metcn/metcn.h"
#include "metcn/util.h"
#include "cov/engine_internal.h"
#include "cov/refseq.h"

void metcn_cov_opt_init(metcn_cov_opt_t *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->min_mapq = 0;
    opt->exclude_flags = BAM_FUNMAP | BAM_FSECONDARY | BAM_FQCFAIL | BAM_FDUP | BAM_FSUPPLEMENTARY;
    opt->include_flags = 0;
    opt->threads = 0;
    opt->gc = 1;
    opt->snps = NULL;
    opt->somatic = NULL;
    opt->snp_flank = 150;
    opt->min_baseq = 20;
    static const int edges[] = {90, 150, 220};
    opt->n_frag_edges = (int)(sizeof edges / sizeof edges[0]);
    memcpy(opt->frag_edges, edges, sizeof edges);
    opt->size_min = opt->size_max = 0;
    opt->dedup = METCN_DEDUP_FLAG;
}

int metcn_cov_parse_frag_edges(const char *s, metcn_cov_opt_t *opt)
{
    int n = 0, prev = 0;
    const char *p = s;
    if (!s || !*s)
        return METCN_E_ARG;
    for (;;) {
        char buf[16];
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        int v;
        if (len == 0 || len >= sizeof buf || n == METCN_MAX_FRAG_EDGES)
            return METCN_E_ARG;
        memcpy(buf, p, len);
        buf[len] = 0;
        if (metcn_parse_int(buf, 1, METCN_COV_MAX_FRAGMENT, &v) || v <= prev)
            return METCN_E_ARG;
        opt->frag_edges[n++] = prev = v;
        if (!e)
            break;
        p = e + 1;
    }
    opt->n_frag_edges = n;
    return 0;
}

/* Slots of the primary table: 1,024 to start with (32 kB), doubled while more than one put in
 * eight finds its slot held, up to 16,384 (512 kB). */
#define PM_MIN 1024
#define PM_MAX 16384

/* A read whose mate starts neither inside it (it would wait) nor within the longest span ever
 * put in a table behind it (it may be awaited) has no business with the tables: its mate's
 * overlap with it, if any, adds nothing to the bins.  The fast path lets it skip them, with a
 * branch that a library's pairs take either way, so that the processor mispredicts it often.
 * That pays only once the primary table has outgrown its first 32 kB (deep coverage), where
 * the tables' loads miss the L1 cache; until then reach is UINT64_MAX and nothing skips
 * (docs/benchmarks.md). */
static void reach_set(engine_t *E)
{
    int64_t span = E->pm_span > E->max_span ? E->pm_span : E->max_span;
    E->reach = E->pmcap > PM_MIN ? (uint64_t)span : UINT64_MAX;
}

/* Hash of a waiting first mate for the primary table: its contig, POS and MPOS; its mate finds
 * it at pairhash(tid, MPOS, POS) of its own.  Multiplicative: a table of 2^k slots uses the top
 * k bits, so when it doubles, slot j's entries go to 2j or 2j + 1. */
static inline uint64_t pairhash(int32_t tid, int64_t pos, int64_t mpos)
{
    return ((uint64_t)pos ^ (uint64_t)mpos << 21 ^ (uint64_t)(uint32_t)tid << 47) *
           0x9e3779b97f4a7c15ULL;
}

static inline prim_t *pm_slot(const engine_t *E, int32_t tid, int64_t pos, int64_t mpos)
{
    return &E->pm[pairhash(tid, pos, mpos) >> E->pmshift];
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

/* Add sign * |[s,e) ∩ bin| to every bin from index i on (exact integer counts). */
static inline void add_block(tidbins_t *b, size_t i, int64_t s, int64_t e, int64_t sign)
{
    for (; i < b->n && b->start[i] < e; i++) {
        int64_t a = s > b->start[i] ? s : b->start[i];
        int64_t z = e < b->end[i] ? e : b->end[i];
        if (z > a)
            b->bases[i] += sign * (z - a);
    }
}

/* Bin holding pos on this contig, own or another reader's (index below gn), or -1.  The bins
 * before from end at or before pos. */
static long bin_at(const tidbins_t *b, size_t from, int64_t pos)
{
    size_t i = from;
    while (i < b->gn && b->end[i] <= pos)
        i++;
    return i < b->gn && b->start[i] <= pos ? (long)i : -1;
}

/* Size selection: r is a read of a proper pair on one contig whose |TLEN| is in the range. */
static inline int size_ok(const engine_t *E, const bam1_t *r)
{
    const bam1_core_t *c = &r->core;
    uint64_t alen = c->isize < 0 ? -(uint64_t)c->isize : (uint64_t)c->isize;
    return (c->flag & (BAM_FPAIRED | BAM_FPROPER_PAIR | BAM_FMUNMAP)) ==
               (BAM_FPAIRED | BAM_FPROPER_PAIR) &&
           c->mtid == c->tid && alen - E->ss_lo < E->ss_w;
}

int engine_drop_reason(const engine_t *E, const bam1_t *r)
{
    const metcn_cov_opt_t *opt = E->opt;
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
    if (E->ss_on && !size_ok(E, r))
        return METCN_DROP_FRAGLEN;
    return -1;
}

/* Block arrays for waiting reads with more than one aligned block (indels, splices): reused,
 * so the counting loop does not allocate per read.  blk[-1] holds the room, in blocks. */
static int64_t *blk_get(engine_t *E, int32_t n)
{
    int64_t *a = E->nspare ? E->spare[--E->nspare] - 1 : NULL;
    if (!a || a[0] < n) {
        int64_t room = n < 8 ? 8 : n;
        int64_t *g = realloc(a, (1 + 2 * (size_t)room) * sizeof *g);
        if (!g) {
            free(a);
            return NULL;
        }
        a = g;
        a[0] = room;
    }
    return a + 1;
}

static void blk_release(engine_t *E, int64_t *blk)
{
    if (!blk)
        return;
    if (E->nspare == E->mspare) {
        size_t m = E->mspare ? 2 * E->mspare : 64;
        int64_t **g = realloc(E->spare, m * sizeof *g);
        if (!g) {
            free(blk - 1);
            return;
        }
        E->spare = g;
        E->mspare = m;
    }
    E->spare[E->nspare++] = blk;
}

/* Remove slot i, shifting later entries of its probe run back (no tombstones). */
static void pend_del(engine_t *E, size_t i)
{
    size_t mask = E->pcap - 1, j = i;
    blk_release(E, E->pt[i].blk);
    for (;;) {
        E->pt[i].key = 0;
        for (;;) {
            j = (j + 1) & mask;
            if (!E->pt[j].key)
                goto done;
            size_t home = E->pt[j].key & mask;
            /* j's entry may move to i unless its home lies cyclically in (i, j] */
            if (i <= j ? (home <= i || home > j) : (home <= i && home > j))
                break;
        }
        E->pt[i] = E->pt[j];
        i = j;
    }
done:
    E->pn--;
}

/* The waiting first mate of r (name hash key) in the secondary table, taken out of it (the
 * caller releases its blk), or 0. */
static int pend_take(engine_t *E, const bam1_t *r, uint64_t key, pend_t *out)
{
    size_t mask = E->pcap - 1;
    for (size_t i = key & mask; E->pt[i].key; i = (i + 1) & mask) {
        pend_t *p = &E->pt[i];
        if (p->key == key && p->pos == r->core.mpos && p->mpos == r->core.pos &&
            p->tid == r->core.tid) {
            *out = *p;
            p->blk = NULL; /* handed to the caller */
            pend_del(E, i);
            return 1;
        }
    }
    return 0;
}

static void pend_insert(pend_t *tab, size_t cap, const pend_t *e)
{
    size_t i = e->key & (cap - 1);
    while (tab[i].key)
        i = (i + 1) & (cap - 1);
    tab[i] = *e;
}

/* Rebuild the table, dropping reads whose mate can no longer come (the sweep is on another
 * contig, or past the mate's position), and grow it if it is still over a third full. */
static int pend_rehash(engine_t *E, int32_t tid, int64_t pos)
{
    size_t live = 0;
    for (size_t i = 0; i < E->pcap; i++) {
        pend_t *p = &E->pt[i];
        if (!p->key)
            continue;
        if (p->tid != tid || p->mpos < pos) {
            blk_release(E, p->blk);
            p->key = 0;
        } else {
            live++;
        }
    }
    size_t cap = E->pcap;
    while (live * 3 > cap)
        cap *= 2;
    pend_t *nt = calloc(cap, sizeof *nt);
    if (!nt)
        return METCN_E_NOMEM;
    for (size_t i = 0; i < E->pcap; i++)
        if (E->pt[i].key)
            pend_insert(nt, cap, &E->pt[i]);
    free(E->pt);
    E->pt = nt;
    E->pcap = cap;
    E->pn = live;
    return 0;
}

/* Hold a first mate in the secondary table: e with its key set to its name hash, blk its
 * e->nblocks aligned blocks (starts and ends), span its reference span; the sweep is at
 * e->tid, e->pos. */
static int pend_put(engine_t *E, pend_t e, const int64_t *blk, int64_t span)
{
    if ((E->pn + 1) * 2 > E->pcap && pend_rehash(E, e.tid, e.pos) != 0)
        return METCN_E_NOMEM;
    uint64_t key = e.key;
    e.blk = NULL;
    if (e.nblocks > 1) {
        if (!(e.blk = blk_get(E, e.nblocks)))
            return METCN_E_NOMEM;
        memcpy(e.blk, blk, 2 * (size_t)e.nblocks * sizeof *blk);
    }
    if (span > E->max_span) {
        E->max_span = span;
        reach_set(E);
    }
    size_t mask = E->pcap - 1, i = key & mask;
    for (; E->pt[i].key; i = (i + 1) & mask) {
        pend_t *q = &E->pt[i];
        if (q->key == key && q->pos == e.pos && q->mpos == e.mpos && q->tid == e.tid) {
            blk_release(E, q->blk); /* the same template twice (malformed): keep the newer */
            break;
        }
    }
    if (!E->pt[i].key)
        E->pn++;
    E->pt[i] = e;
    return 0;
}

/* Subtract from the bins the part of [s,e) that the waiting first mate m also covered. */
static void subtract_overlap(tidbins_t *b, size_t i, const pend_t *m, int64_t s, int64_t e)
{
    for (int k = 0; k < m->nblocks; k++) {
        int64_t bs = m->nblocks == 1 ? m->bs : m->blk[2 * k];
        int64_t be = m->nblocks == 1 ? m->be : m->blk[2 * k + 1];
        int64_t a = s > bs ? s : bs;
        int64_t z = e < be ? e : be;
        if (z > a)
            add_block(b, i, a, z, -1);
    }
}

static prim_t *pm_alloc(size_t cap)
{
    prim_t *t = aligned_alloc(64, cap * sizeof *t);
    if (t)
        memset(t, 0, cap * sizeof *t);
    return t;
}

static int pm_set_cap(engine_t *E, prim_t *t, size_t cap)
{
    if (!t)
        return METCN_E_NOMEM;
    E->pm = t;
    E->pmcap = cap;
    E->pmshift = 64;
    for (size_t c = cap; c > 1; c >>= 1)
        E->pmshift--;
    return 0;
}

/* A slot held by a read whose mate may still come (the sweep is at tid, pos). */
static inline int pm_live(const prim_t *s, int32_t tid, int64_t pos)
{
    return (s->nh != 0) & (s->tid == tid) & (s->mpos >= pos);
}

/* Double the primary table.  Its entries move to their new slots (slot j goes to 2j or
 * 2j + 1, so no two meet), and those whose mate can no longer come (the sweep is at tid, pos)
 * are dropped. */
static int pm_grow(engine_t *E, int32_t tid, int64_t pos)
{
    size_t ocap = E->pmcap;
    prim_t *old = E->pm;
    if (pm_set_cap(E, pm_alloc(2 * ocap), 2 * ocap) != 0)
        return METCN_E_NOMEM;
    E->pmput = E->pmconf = 0;
    reach_set(E);
    for (size_t i = 0; i < ocap; i++)
        if (pm_live(&old[i], tid, pos))
            *pm_slot(E, old[i].tid, old[i].pos, old[i].mpos) = old[i];
    free(old);
    return 0;
}

/* Hold r, a first mate whose mate starts inside it (nh: its name hash, end: its reference
 * end, blk: its nblocks aligned blocks): one block goes to its primary slot when that is free
 * or held by a read whose mate can no longer come (the sweep is past that mate's position, or
 * on another contig); anything else to the secondary. */
static int mate_put(engine_t *E, const bam1_t *r, uint64_t nh, int64_t end, const int64_t *blk,
                    int32_t nblocks)
{
    const bam1_core_t *c = &r->core;
    if (nblocks == 1 && blk[0] == c->pos && blk[1] - blk[0] <= INT32_MAX) {
        prim_t e = {nh, c->pos, c->tid, (int32_t)(blk[1] - blk[0]), c->mpos};
        if (e.len > E->pm_span) {
            E->pm_span = e.len;
            reach_set(E);
        }
        prim_t *s = pm_slot(E, c->tid, c->pos, c->mpos);
        /* Rates over recent puts (the fast path counts its puts too, without this check). */
        for (++E->pmput; E->pmput > 64 * E->pmcap;) {
            E->pmput /= 2;
            E->pmconf /= 2;
        }
        if (!pm_live(s, c->tid, c->pos)) {
            *s = e;
            return 0;
        }
        if (++E->pmconf * 8 > E->pmput && E->pmput >= E->pmcap / 4 && E->pmcap < PM_MAX) {
            if (pm_grow(E, c->tid, c->pos) != 0)
                return METCN_E_NOMEM;
            s = pm_slot(E, c->tid, c->pos, c->mpos);
            if (!s->nh) {
                *s = e;
                return 0;
            }
        }
    }
    pend_t e = {nh, c->pos, c->mpos, blk[0], blk[1], NULL, c->tid, nblocks};
    return pend_put(E, e, blk, end - c->pos);
}

/* The waiting first mate of r (nh: r's name hash), taken out of its table (the caller
 * releases its blk), or 0. */
static int mate_take(engine_t *E, const bam1_t *r, uint64_t nh, pend_t *out)
{
    const bam1_core_t *c = &r->core;
    prim_t *x = pm_slot(E, c->tid, c->mpos, c->pos);
    if (x->nh == nh && x->pos == c->mpos && x->mpos == c->pos && x->tid == c->tid) {
        *out = (pend_t){nh, x->pos, x->mpos, x->pos, x->pos + x->len, NULL, x->tid, 1};
        x->nh = 0;
        return 1;
    }
    return E->pn > 0 && c->pos < c->mpos + E->max_span && pend_take(E, r, nh, out);
}

/* The fast path's rare turns, out of its way, for a read whose mate the primary table did
 * not hold: its mate may be in the secondary, or it must wait while its primary slot is held.
 * 0, or -1 when out of memory. */
static int fast_rare(engine_t *E, const bam1_t *r, uint64_t nh, int64_t end)
{
    const bam1_core_t *c = &r->core;
    tidbins_t *b = &E->tb[c->tid];
    pend_t first;
    if (E->pn > 0 && c->mpos <= c->pos && c->pos < c->mpos + E->max_span &&
        pend_take(E, r, nh, &first)) {
        subtract_overlap(b, b->cursor, &first, c->pos, end);
        blk_release(E, first.blk);
        return 0;
    }
    if (c->mpos >= c->pos && c->mpos < end && c->mpos < E->fb.hi) {
        int64_t blk[2] = {c->pos, end};
        return mate_put(E, r, nh, end, blk, 1) ? -1 : 0;
    }
    return 0;
}

/* The common record, counted by fewer instructions and with fewer unpredictable branches than
 * count_read() needs in general: one aligned block (CIGAR nM) that meets the bin of the last
 * read that count_read() counted (E->fb) and no other bin, starting after the bin before it,
 * passing the filters, paired with a mate on the same contig at a plausible distance, with its
 * fragment midpoint (when it counts) before the next bin.  That bin is then the read's only one
 * (it may stick out of it into the gaps on either side), the part of the mates' overlap that
 * counts is inside it, and the counts are exactly those of the general code.  Unless it has no
 * business with the tables (reach_set()), such a read looks up its waiting first mate in the
 * primary table and writes an entry, to its own slot when it waits and to a sink when it does
 * not, without branching on which it is.  (One slot for both, the pair's, measured slower end
 * to end: docs/benchmarks.md.)  Returns 1 when r was counted, 0 when count_read() must count it
 * (nothing was changed), -1 when out of memory. */
static inline __attribute__((always_inline)) int fast(engine_t *E, const bam1_t *r)
{
    const bam1_core_t *c = &r->core;
    const fastbin_t *f = &E->fb;
    if (c->n_cigar != 1) /* (and the CIGAR is read only when there is one) */
        return 0;
    int64_t pos = c->pos, mpos = c->mpos, isize = c->isize;
    uint32_t c0 = bam_get_cigar(r)[0], fl = c->flag;
    int64_t len = c0 >> BAM_CIGAR_SHIFT, end = pos + len;
    int32_t tid = c->tid;
    int count = (pos < mpos) | ((pos == mpos) & ((fl & BAM_FREAD1) != 0));
    uint64_t alen = isize < 0 ? -(uint64_t)isize : (uint64_t)isize; /* (unsigned: no
                                                                           overflow) */
    uint64_t half = alen / 2;
    /* All the conditions at once, with & rather than &&: one branch, taken alike by every
     * common record.  A counting read has POS <= MPOS, so its fragment midpoint is POS + half:
     * in the bin it counts there, in the gaps on either side nowhere, and in a later bin it is
     * left to count_read(). */
    int64_t lo = f->lo, hi = f->hi;
    uint64_t mid = (uint64_t)pos + half;
    int ok = (tid == f->tid) & ((c0 & BAM_CIGAR_MASK) == BAM_CMATCH) & (len > 0) &
             ((uint64_t)(pos - f->plo) < f->pw) & ((uint64_t)(end - lo - 1) < f->ew) &
             ((fl & E->fmask) == E->fwant) & (c->qual >= E->min_mapq) & (c->mtid == tid) &
             (alen - E->ss_lo < E->ss_w) & !(count & (mid >= (uint64_t)f->nlo));
    if (!ok)
        return 0;
    /* The fragment, in its bin and its length class (alen is in 1..1000 here). */
    uint64_t fr = (uint64_t)(count & (mid - (uint64_t)lo < f->bw));
    *f->frags += fr;
    f->fcls[E->flut[(fl & BAM_FPROPER_PAIR) << 9 | alen]] += fr;
    int64_t a = pos > lo ? pos : lo, zb = end < hi ? end : hi; /* the read's part of the bin */
    /* It would wait if its mate starts inside it and the bin (beyond the bin, the mates'
     * overlap adds nothing). */
    int put = (uint64_t)(mpos - pos) < (uint64_t)(zb - pos);
    if (!put & ((uint64_t)(pos - mpos) >= E->reach)) {
        *f->bases += zb - a; /* no business with the tables (reach_set()) */
        return 1;
    }
    uint64_t nh = qhash(r);
    prim_t *x = pm_slot(E, tid, mpos, pos), *sp = pm_slot(E, tid, pos, mpos);
    /* The first mate, when this is its mate: it starts at MPOS <= POS, so the overlap is
     * [POS, min(its end, end)), and its part in the bin [a, min(its end, zb)) is subtracted
     * through masks, not a branch. */
    int m = (x->nh == nh) & (x->pos == mpos) & (x->mpos == pos) & (x->tid == tid);
    int64_t z = x->pos + x->len < zb ? x->pos + x->len : zb;
    *f->bases += zb - a - ((z - a) & -(int64_t)(m & (z > a)));
    put &= !m;
    /* A second mate not found while the secondary holds reads (mostly it is empty), or a read
     * that must wait while its slot is held or that is longer than any waiting before. */
    if (((E->pn > 0) & !m & (mpos <= pos)) | (put & (pm_live(sp, tid, pos) | (len > E->pm_span))))
        return fast_rare(E, r, nh, end) < 0 ? -1 : 1;
    E->pmput += (size_t)put;
    x->nh &= (uint64_t)m - 1;
    prim_t *d = put ? sp : &E->pm_sink;
    *d = (prim_t){nh, pos, tid, (int32_t)len, mpos};
    return 1;
}

/* Point the fast path at the cursor bin of contig tid (after count_read() may have moved it). */
static void fast_bin(engine_t *E, int32_t tid)
{
    E->fb = (fastbin_t){.tid = -1}; /* none: nothing passes */
    if (tid < 0 || tid >= E->ntid)
        return;
    tidbins_t *b = &E->tb[tid];
    size_t i = b->cursor;
    if (i >= b->n)
        return;
    fastbin_t *f = &E->fb;
    f->lo = b->start[i];
    f->hi = b->end[i];
    f->plo = i > 0 ? b->end[i - 1] : b->prev_end;
    f->nlo = i + 1 < b->gn ? b->start[i + 1] : INT64_MAX;
    f->pw = (uint64_t)(f->hi - f->plo);
    f->ew = (uint64_t)(f->nlo - f->lo);
    f->bw = (uint64_t)(f->hi - f->lo);
    f->bases = &b->bases[i];
    f->frags = &E->t->fragments[b->idx[i]];
    f->fcls = &E->fc[b->idx[i] * (size_t)E->fstride];
    f->tid = tid;
}

/* Count r in general (engine_process() below tries the fast path first): ST_COUNTED,
 * ST_DROPPED (a filter dropped it), ST_UNSEEN (it overlaps no bin: nothing was looked at) or
 * METCN_E_NOMEM. */
static int count_read(engine_t *E, const bam1_t *r)
{
    const bam1_core_t *core = &r->core;
    int32_t tid = core->tid;
    if (tid < 0 || tid >= E->ntid)
        return ST_UNSEEN;
    tidbins_t *b = &E->tb[tid];
    int64_t pos = core->pos;
    size_t i = b->cursor; /* the bin of the previous read: usually still the right one */
    if (i >= b->n || b->end[i] <= pos || (i > 0 && b->end[i - 1] > pos))
        i = seek(b, pos);
    if (i >= b->n)
        return ST_UNSEEN;
    /* One CIGAR walk: the aligned blocks (M, =, X) into the scratch, and the reference end as
     * bam_endpos() gives it (a read without reference span covers one base). */
    uint32_t nc = core->n_cigar;
    if (nc > E->msb) { /* a longer CIGAR than any before: grow the scratch */
        int64_t *g = realloc(E->sb, 2 * (size_t)nc * sizeof *g);
        if (!g)
            return METCN_E_NOMEM;
        E->sb = g;
        E->msb = nc;
    }
    const uint32_t *cig = bam_get_cigar(r);
    int64_t p = pos, *blk = E->sb;
    int32_t nblocks = 0;
    if (nc == 1 && bam_cigar_op(cig[0]) == BAM_CMATCH) { /* the common case: one block */
        blk[0] = pos;
        blk[1] = p = pos + bam_cigar_oplen(cig[0]);
        nblocks = 1;
    } else {
        for (uint32_t c = 0; c < nc; c++) {
            uint32_t op = bam_cigar_op(cig[c]);
            int64_t len = bam_cigar_oplen(cig[c]);
            if (op == BAM_CMATCH || op == BAM_CEQUAL || op == BAM_CDIFF) {
                blk[2 * nblocks] = p;
                blk[2 * nblocks++ + 1] = p + len;
            }
            if (bam_cigar_type(op) & 2)
                p += len;
        }
    }
    uint16_t fl = core->flag;
    int64_t end = (fl & BAM_FUNMAP) || p <= pos ? pos + 1 : p;
    /* A record whose span overlaps no bin adds nothing to any bin: it is skipped in both
     * modes, so streaming and the index (which reads only overlapping records) agree. */
    if (b->start[i] >= end)
        return ST_UNSEEN;
    int paired_same = (fl & BAM_FPAIRED) && !(fl & BAM_FMUNMAP) && core->mtid == tid;
    /* Mate overlap: a first mate whose mate starts inside it waits in the table (at equal
     * positions whichever mate comes first in the file waits); the second mate subtracts what
     * the first counted.  A first mate whose overlap with its mate lies outside every bin does
     * not wait: its mate may start outside the bins and never come to take it.  The first mate
     * can only be waiting if it starts within the longest span ever put in a table (this spares
     * the name hash and the lookups of most second mates whose mate does not overlap them);
     * mate_take() looks in the primary slot, and in the secondary only when it holds reads and
     * the first mate can be there. */
    int may_wait = paired_same && core->mpos <= pos &&
                   (pos < core->mpos + E->pm_span || (E->pn > 0 && pos < core->mpos + E->max_span));
    int may_put = paired_same && core->mpos >= pos && core->mpos < end;
    if (may_put) { /* only if a bin meets [MPOS, end): elsewhere the mates' overlap adds nothing */
        size_t j = i;
        while (j < b->n && b->end[j] <= core->mpos)
            j++;
        may_put = j < b->n && b->start[j] < end;
    }
    uint64_t nh = may_wait || may_put || E->dd ? qhash(r) : 0;
    pend_t first;
    int why = -1;
    if ((fl & E->fast_ex) || (fl & E->include_flags) != E->include_flags ||
        core->qual < E->min_mapq || E->ss_on)
        why = engine_drop_reason(E, r);
    if (why < 0 && E->dd) {
        int d = dedup_check(E->dd, r, nh);
        if (d < 0)
            return d;
        why = d ? METCN_DROP_DUPLICATE : -1;
    }
    if (why >= 0) {
        if (b->start[i] <= pos) /* bin i holds POS (it is the first bin ending after it) */
            E->t->dropped[b->idx[i]][why]++;
        if (may_wait && mate_take(E, r, nh, &first)) /* its mate need not wait */
            blk_release(E, first.blk);
        return ST_DROPPED;
    }
    for (int32_t k = 0; k < nblocks; k++) {
        int64_t bs = blk[2 * k], be = blk[2 * k + 1];
        if (bs >= b->start[i] && be <= b->end[i]) /* inside the read's first bin */
            b->bases[i] += be - bs;
        else
            add_block(b, i, bs, be, 1);
    }
    if (may_wait && mate_take(E, r, nh, &first)) {
        for (int32_t k = 0; k < nblocks; k++)
            subtract_overlap(b, i, &first, blk[2 * k], blk[2 * k + 1]);
        blk_release(E, first.blk);
    } else if (may_put && nblocks > 0 && mate_put(E, r, nh, end, blk, nblocks)) {
        return METCN_E_NOMEM;
    }

    /* Fragment midpoint (docs/coverage.md).  Which mate of a pair counts is a coin toss in
     * file order, so it is computed without a branch: both mates look up the bin (the one
     * that does not count looks up its own POS, in bin i or before it) and add 0 or 1. */
    int64_t mid;
    int count;
    size_t cls = (size_t)E->fstride - 1; /* no class, unless a proper pair (below) */
    if (paired_same && core->isize != 0 && core->isize >= -METCN_COV_MAX_FRAGMENT &&
        core->isize <= METCN_COV_MAX_FRAGMENT) {
        int64_t mpos = core->mpos;
        int64_t alen = core->isize < 0 ? -core->isize : core->isize;
        count = (pos < mpos) | ((pos == mpos) & ((fl & BAM_FREAD1) != 0));
        mid = (pos < mpos ? pos : mpos) + alen / 2;
        cls = E->flut[(fl & BAM_FPROPER_PAIR) << 9 | (uint32_t)alen];
    } else {
        count = !(fl & BAM_FPAIRED) || (fl & BAM_FMUNMAP) || (fl & BAM_FREAD1);
        mid = pos + (end - pos) / 2;
    }
    /* Parallel readers: a read seen by two readers (it overlaps bins of both) is counted by the
     * one holding the first bin it overlaps.  The midpoint may lie in a later reader's bin: that
     * count waits in the spill list until the readers are done. */
    count &= (i > 0) | (pos >= b->prev_end);
    mid = count ? mid : pos;
    long j = bin_at(b, i, mid);
    if (j >= 0 && (size_t)j < b->n) {
        E->t->fragments[b->idx[j]] += (uint64_t)count;
        E->fc[b->idx[j] * (size_t)E->fstride + cls] += (uint64_t)count;
    } else if (j >= 0 && count) {
        if (E->nspill == E->mspill) {
            size_t m = E->mspill ? 2 * E->mspill : 256;
            size_t *g = realloc(E->spill, m * sizeof *g);
            if (!g)
                return METCN_E_NOMEM;
            E->spill = g;
            E->mspill = m;
        }
        E->spill[E->nspill++] = b->idx[j] * (size_t)E->fstride + cls;
    }
    return ST_COUNTED;
}

/* Count one record: 0, or METCN_E_NOMEM.  Inline in the read loops below (a call per record
 * measured 20-40 instructions more on the tiles); engine_process() is its name outside. */
static inline __attribute__((always_inline)) int process(engine_t *E, const bam1_t *r)
{
    int st = fast(E, r);
    if (st) {
        if (st < 0)
            return METCN_E_NOMEM;
    } else {
        st = count_read(E, r);
        fast_bin(E, r->core.tid);
        if (st < 0)
            return st;
    }
    return E->ts ? sites_maybe(E, r, st) : 0;
}

int engine_process(engine_t *E, const bam1_t *r)
{
    return process(E, r);
}

/* 1 when the bins cover, end to end, every contig to which the index assigns records: the
 * iterator would then read every placed record anyway, at ~10 ns more per record than
 * sam_read1 (its overlap test walks each CIGAR again), so streaming is the faster way to read
 * the same records.  Cheap for an ordinary panel: a contig with bins that do not cover it is
 * taken to hold reads, and the answer is no at once, without asking the index.  Only when the
 * bins cover every contig they are on are the other contigs asked: BAI and CSI from their
 * per-contig counts, else (CRAI, or an index without counts) by a query over the whole contig,
 * which comes back finished when the contig holds no records.  A CRAM query seeks the file and
 * sets its decoding range, so a CRAM is asked through a second handle. */
static int bins_cover_reads(const engine_t *E, const sam_hdr_t *h, hts_idx_t *idx, const char *path,
                            int is_cram)
{
    for (int tid = 0; tid < E->ntid; tid++) {
        const tidbins_t *b = &E->tb[tid];
        int64_t reach = 0;
        for (size_t i = 0; i < b->n && b->start[i] <= reach; i++)
            if (b->end[i] > reach)
                reach = b->end[i];
        if (b->n && reach < sam_hdr_tid2len(h, tid))
            return 0;
    }
    samFile *cf = NULL;
    sam_hdr_t *ch = NULL;
    hts_idx_t *ci = NULL;
    int covers = 1;
    for (int tid = 0; tid < E->ntid && covers; tid++) {
        if (E->tb[tid].n)
            continue;
        uint64_t mapped = 0, unmapped = 0;
        if (!is_cram && tid < hts_idx_nseq(idx) &&
            hts_idx_get_stat(idx, tid, &mapped, &unmapped) == 0) {
            covers = mapped + unmapped == 0;
            continue;
        }
        if (is_cram && !ci &&
            (!(cf = sam_open(path, "r")) || !(ch = sam_hdr_read(cf)) ||
             !(ci = sam_index_load3(cf, path, NULL, HTS_IDX_SILENT_FAIL)))) {
            covers = 0; /* cannot tell: keep the index */
            break;
        }
        hts_itr_t *q = sam_itr_queryi(is_cram ? ci : idx, tid, 0, HTS_POS_MAX);
        covers = q && q->finished;
        hts_itr_destroy(q);
    }
    hts_idx_destroy(ci);
    sam_hdr_destroy(ch);
    if (cf)
        sam_close(cf);
    return covers;
}

size_t engine_waiting(const engine_t *E)
{
    size_t n = E->pn;
    for (size_t i = 0; i < E->pmcap; i++)
        n += E->pm[i].nh != 0;
    return n;
}

/* Debug log of an engine's mate tables after counting (in the calling thread). */
static void engine_log(const engine_t *E, const char *path, int reader)
{
    metcn_log(METCN_LOG_DEBUG,
              "%s: reader %d mate tables: primary %zu slots, secondary %zu slots, %zu reads "
              "left waiting",
              path, reader, E->pmcap, E->pcap, engine_waiting(E));
}

void engine_free(engine_t *E)
{
    if (E->tb && !E->views)
        for (int t = 0; t < E->ntid; t++) {
            free(E->tb[t].start);
            free(E->tb[t].end);
            free(E->tb[t].idx);
            free(E->tb[t].bases);
        }
    free(E->tb);
    if (E->ts && !E->views)
        for (int t = 0; t < E->ntid; t++) {
            free(E->ts[t].pos);
            free(E->ts[t].ref);
            free(E->ts[t].alt);
            free(E->ts[t].idx);
        }
    free(E->ts);
    free(E->ob);
    dedup_free(E->dd);
    if (E->pt)
        for (size_t i = 0; i < E->pcap; i++)
            if (E->pt[i].key && E->pt[i].blk)
                free(E->pt[i].blk - 1);
    free(E->pt);
    free(E->pm);
    for (size_t i = 0; i < E->nspare; i++)
        free(E->spare[i] - 1);
    free(E->spare);
    free(E->sb);
    free(E->spill);
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

/* The panel contig holding the most bins (the first of equals): the one whose MD5 is checked. */
static int most_bins_contig(const metcn_panel_t *p)
{
    int best = -1;
    size_t best_n = 0, n = 0;
    for (size_t i = 0; i < p->n_bins; i++) {
        n = i > 0 && p->bins[i].contig == p->bins[i - 1].contig ? n + 1 : 1;
        if (n > best_n) {
            best_n = n;
            best = p->bins[i].contig;
        }
    }
    return best;
}

/* For CRAM with a reference: the FASTA must hold every panel contig at the header's length,
 * and the MD5 of the contig with the most bins must equal the header's M5 when the header has
 * one.  The
 * FASTA's MD5 is taken from the sequence dictionary beside it (ref.dict) when there is one,
 * else computed (about 0.4 s for chromosome 7). */
static int check_cram_reference(const char *path, const sam_hdr_t *h, const metcn_panel_t *p,
                                const int *tids, const char *fasta)
{
    metcn_refseq_t *ref = metcn_refseq_open(fasta);
    if (!ref)
        return metcn_set_error(METCN_E_REFERENCE,
                               "%s: cannot load the reference %s (needs a .fai index)", path,
                               fasta);
    int r = 0, md5_contig = most_bins_contig(p);
    for (int c = 0; c < p->n_contigs && !r; c++) {
        if (tids[c] < 0)
            continue;
        const char *name = sam_hdr_tid2name(h, tids[c]);
        hts_pos_t hl = sam_hdr_tid2len(h, tids[c]);
        int64_t fl = metcn_refseq_len(ref, name);
        if (fl < 0) {
            r = metcn_set_error(METCN_E_REFERENCE, "%s: the reference %s has no contig %s", path,
                                fasta, name);
        } else if (fl != hl) {
            r = metcn_set_error(METCN_E_REFERENCE,
                                "%s: contig %s is %lld bp in the reference %s but %lld in the "
                                "header: wrong reference",
                                path, name, (long long)fl, fasta, (long long)hl);
        } else if (c == md5_contig) {
            kstring_t m5 = KS_INITIALIZE;
            char hex[33];
            if (sam_hdr_find_tag_id((sam_hdr_t *)h, "SQ", "SN", name, "M5", &m5) == 0 &&
                (metcn_refseq_dict_m5(fasta, name, hex) ||
                 (r = metcn_refseq_md5(ref, name, hex)) == 0) &&
                strcasecmp(hex, m5.s) != 0)
                r = metcn_set_error(METCN_E_REFERENCE,
                                    "%s: the reference %s does not match the file's %s (MD5 %s, "
                                    "header M5 %s)",
                                    path, fasta, name, hex, m5.s);
            free(m5.s);
        }
    }
    metcn_refseq_close(ref);
    return r;
}

/* Common settings of a counting engine (its bins, sites and class counts fc are set by the
 * caller). */
int engine_init(engine_t *E, const metcn_cov_opt_t *opt, metcn_covtab_t *t)
{
    E->opt = opt;
    E->t = t;
    E->fast_ex = opt->exclude_flags | BAM_FUNMAP;
    E->include_flags = opt->include_flags;
    E->min_mapq = opt->min_mapq;
    /* The fast path's flag test in one: every bit of fwant set, no other bit of fmask.  When
     * no paired read with a mapped mate can pass the filters, nothing matches. */
    uint32_t ex = E->fast_ex, inc = E->include_flags;
    E->fmask = ex | inc | BAM_FPAIRED | BAM_FMUNMAP;
    E->fwant = inc | BAM_FPAIRED;
    /* Size selection: kept are reads of proper pairs with size_min <= |TLEN| < size_max. */
    E->ss_on = opt->size_max > 0;
    /* One unsigned comparison, alen - ss_lo < ss_w, tests 0 < |TLEN| <= 1000 (a fragment counted
     * at its midpoint) and the selection at once: [max(1, min), min(max, 1001)). */
    int sel_lo = E->ss_on && opt->size_min > 1 ? opt->size_min : 1;
    int sel_hi = E->ss_on && opt->size_max < METCN_COV_MAX_FRAGMENT + 1
                     ? opt->size_max
                     : METCN_COV_MAX_FRAGMENT + 1;
    E->ss_lo = (uint64_t)sel_lo;
    E->ss_w = sel_hi > sel_lo ? (uint64_t)(sel_hi - sel_lo) : 0;
    if (E->ss_on) {
        E->fmask |= BAM_FPROPER_PAIR;
        E->fwant |= BAM_FPROPER_PAIR;
    }
    /* Coordinate duplicates are decided by count_read() alone: the fast path is off. */
    if ((inc & (ex | BAM_FMUNMAP)) || (ex & BAM_FPAIRED) || opt->dedup == METCN_DEDUP_COORD) {
        E->fmask = 0;
        E->fwant = 1;
    }
    if (opt->dedup == METCN_DEDUP_COORD && !(E->dd = dedup_new()))
        return METCN_E_NOMEM;
    /* Length classes: class k holds edges[k-1] <= |TLEN| < edges[k]; the slot after the last
     * class takes the fragments of pairs that are not proper. */
    int ne = opt->n_frag_edges;
    E->fstride = ne + 2;
    for (int a = 0; a < 1024; a++)
        E->flut[a] = (uint8_t)(ne + 1);
    for (int len = 0, k = 0; len < 1024; len++) {
        while (k < ne && opt->frag_edges[k] <= len)
            k++;
        E->flut[1024 + len] = (uint8_t)k;
    }
    E->min_baseq = opt->min_baseq;
    E->fb = (fastbin_t){.tid = -1};
    E->reach = UINT64_MAX;
    E->ob_tid = E->st_tid = -1; /* no contig yet: sites_maybe() asks sites_step() */
    E->st_next = -1;
    E->pcap = 4096;
    return (E->pt = calloc(E->pcap, sizeof *E->pt)) && pm_set_cap(E, pm_alloc(PM_MIN), PM_MIN) == 0
               ? 0
               : METCN_E_NOMEM;
}

/* CRAM: decode only the fields the counts need (bases and qualities only when there are sites
 * to count alleles at), and no MD/NM (which would read the reference). */
static void cram_fields(samFile *fp, int bases)
{
    hts_set_opt(fp, CRAM_OPT_REQUIRED_FIELDS,
                SAM_QNAME | SAM_FLAG | SAM_RNAME | SAM_POS | SAM_MAPQ | SAM_CIGAR | SAM_RNEXT |
                    SAM_PNEXT | SAM_TLEN | (bases ? SAM_SEQ | SAM_QUAL : 0));
    hts_set_opt(fp, CRAM_OPT_DECODE_MD, 0);
}

/* Index mode reads the bins with one or more readers.  With -@ N and an index, N + 1 readers
 * each read a contiguous run of the bins through their own handle and iterator, in parallel:
 * BGZF inflation and CRAM decoding then run in N + 1 threads with nothing shared (htslib's
 * thread pool, by contrast, hands blocks between threads and restarts at every seek of the
 * iterator).  Reader 0 uses the caller's handle; the others open their own.  A CRAM index
 * belongs to its handle, so each CRAM reader loads its own; a BAM index is read only while
 * an iterator is made, so BAM readers share it. */
typedef struct {
    engine_t E;     /* views of this reader's bins */
    samFile *fp;    /* own when own_fp */
    sam_hdr_t *h;   /* own when own_fp */
    hts_idx_t *idx; /* own when own_idx */
    int own_fp, own_idx;
    hts_itr_t *itr;             /* NULL: none of its bins is on a contig with records */
    int ret;                    /* the last sam_itr_multi_next() result */
    int nomem;                  /* counting ran out of memory */
    const metcn_panel_t *panel; /* with a reference: the reader computes its own bins' GC, */
    char *gc_done;              /* marking the rows it did (any it could not, the caller does) */
} reader_t;

/* 1 when an engine has sites to count alleles at (its CRAM bases must then be decoded). */
static int reader_has_sites(const engine_t *E)
{
    for (int tid = 0; E->ts && tid < E->ntid; tid++)
        if (E->ts[tid].n)
            return 1;
    return 0;
}

static int reader_open(reader_t *R, const char *path, const metcn_cov_opt_t *opt, int is_cram,
                       hts_idx_t *idx, htsThreadPool *pool)
{
    R->own_fp = 1;
    if (!(R->fp = sam_open(path, "r")))
        return metcn_set_error(METCN_E_IO, "%s: cannot open: %s", path, strerror(errno));
    if (pool && pool->pool && hts_set_opt(R->fp, HTS_OPT_THREAD_POOL, pool) != 0)
        return metcn_set_error(METCN_E_IO, "%s: cannot start %d threads", path, opt->threads);
    if (is_cram) {
        if (opt->reference && hts_set_fai_filename(R->fp, opt->reference) != 0)
            return metcn_set_error(METCN_E_REFERENCE, "%s: cannot use the reference %s", path,
                                   opt->reference);
        cram_fields(R->fp, reader_has_sites(&R->E));
    }
    if (!(R->h = sam_hdr_read(R->fp)))
        return metcn_set_error(METCN_E_FORMAT, "%s: cannot read the header", path);
    if (!is_cram) {
        R->idx = idx;
        return 0;
    }
    R->own_idx = 1;
    if (!(R->idx = sam_index_load3(R->fp, path, NULL, HTS_IDX_SILENT_FAIL)))
        return metcn_set_error(METCN_E_INDEX, "%s: cannot load the index", path);
    return 0;
}

static void reader_close(reader_t *R)
{
    if (R->itr)
        hts_itr_destroy(R->itr);
    if (R->own_idx)
        hts_idx_destroy(R->idx);
    if (R->own_fp) {
        sam_hdr_destroy(R->h);
        if (R->fp)
            sam_close(R->fp);
    }
    engine_free(&R->E);
}

/* The multi-region iterator over E's bins (touching bins merged), and with sites set over its
 * SNP sites too, or *out NULL when no bin is on a contig that holds records.  (A site's owner
 * has a bin on its contig: split_sites().) */
static int make_iterator(const engine_t *E, sam_hdr_t *h, hts_idx_t *idx, int is_cram,
                         const char *path, int sites, hts_itr_t **out)
{
    *out = NULL;
    int nrl = 0;
    hts_reglist_t *rl = calloc(E->ntid > 0 ? (size_t)E->ntid : 1, sizeof *rl);
    if (!rl)
        return metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
    for (int tid = 0; tid < E->ntid; tid++) {
        const tidbins_t *b = &E->tb[tid];
        if (!b->n)
            continue;
        /* CRAM: leave out contigs without records.  htslib's hts_itr_multi_cram() leaks its
         * offset list when no region finds a container; a query over a contig with no
         * container comes back finished.  (Querying moves the file, which is harmless here:
         * the multi-region iterator seeks before it reads its first container.) */
        if (is_cram) {
            hts_itr_t *q = sam_itr_queryi(idx, tid, 0, HTS_POS_MAX);
            int empty = q && q->finished;
            hts_itr_destroy(q);
            if (empty)
                continue;
        }
        hts_reglist_t *g = &rl[nrl];
        const tidsites_t *st = sites && E->ts ? &E->ts[tid] : NULL;
        size_t ns = st ? st->n : 0;
        if (!(g->intervals = malloc((b->n + ns) * sizeof *g->intervals))) {
            for (int i = 0; i < nrl; i++)
                free(rl[i].intervals);
            free(rl);
            return metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
        }
        g->reg = sam_hdr_tid2name(h, tid);
        g->tid = tid;
        for (size_t i = 0, k = 0; i < b->n || k < ns;) { /* bins and sites by start */
            hts_pos_t s, e;
            if (k < ns && (i == b->n || st->pos[k] < b->start[i])) {
                s = st->pos[k++];
                e = s + 1;
            } else {
                s = b->start[i];
                e = b->end[i++];
            }
            if (g->count > 0 && s <= g->intervals[g->count - 1].end) {
                if (e > g->intervals[g->count - 1].end)
                    g->intervals[g->count - 1].end = e;
            } else {
                g->intervals[g->count].beg = s;
                g->intervals[g->count++].end = e;
            }
        }
        g->min_beg = g->intervals[0].beg;
        g->max_end = g->intervals[g->count - 1].end;
        nrl++;
    }
    if (nrl == 0) {
        free(rl);
        return 0;
    }
    /* (A fragment is counted by a mate that overlaps a bin, so no padding is needed.) */
    if (!(*out = sam_itr_regions(idx, h, rl, (unsigned)nrl))) /* owns rl from here */
        return metcn_set_error(METCN_E_INDEX, "%s: cannot query the index", path);
    return 0;
}

/* The work of reading each bin, to split the bins between readers (w: one weight per bin, in
 * header order).  An iterator over all the bins lists the file pieces the index points to for
 * each merged region (BAM chunks, CRAM containers), tagged with the region: a region weighs the
 * compressed bytes of its pieces, spread over its bins by length.  So a panel whose targets are
 * read 2,000 times deeper than its genome-wide bins is split by reads, not by bases.  Returns
 * 0 when the index gives nothing to weigh by (then the caller weighs by length). */
static int bin_weights(const engine_t *E, const hts_itr_t *itr, int is_cram, double *w)
{
    size_t nb = 0, *first = calloc(E->ntid ? (size_t)E->ntid : 1, sizeof *first);
    for (int tid = 0; first && tid < E->ntid; tid++) {
        first[tid] = nb;
        nb += E->tb[tid].n;
    }
    double *rw =
        first ? calloc(nb ? nb : 1, sizeof *rw) : NULL; /* region (tid, j): at first[tid] + j */
    double total = 0;
    for (int i = 0; rw && itr && i < itr->n_off; i++) {
        int tid = (int)(itr->off[i].max >> 32);
        size_t j = itr->off[i].max & 0xffffffffu;
        uint64_t u = itr->off[i].u, v = itr->off[i].v;
        double bytes = is_cram ? (double)(v - u) : (double)((v >> 16) - (u >> 16)) + 1.0;
        if (tid >= 0 && tid < E->ntid && j < E->tb[tid].n && v > u) {
            rw[first[tid] + j] += bytes;
            total += bytes;
        }
    }
    for (int tid = 0; tid < E->ntid && total > 0; tid++) {
        const tidbins_t *b = &E->tb[tid];
        for (size_t i = 0, j = 0; i < b->n; j++) { /* region j: bins [i, z), merged as iterated */
            size_t z = i + 1;
            while (z < b->n && b->start[z] <= b->end[z - 1])
                z++;
            double len = (double)(b->end[z - 1] - b->start[i]);
            for (; i < z; i++)
                w[first[tid] + i] = rw[first[tid] + j] * (double)(b->end[i] - b->start[i]) / len;
        }
    }
    free(rw);
    free(first);
    return total > 0;
}

/* Split the bins, in header order, into k runs of about equal total weight w (bin length when
 * w is NULL; a bin is never split), one per reader: each reader's engine gets views of E's
 * arrays. */
static int split_bins(const engine_t *E, reader_t *R, int k, const double *w)
{
    double total = 0, acc = 0;
    size_t f = 0;
    for (int tid = 0; tid < E->ntid; tid++)
        for (size_t i = 0; i < E->tb[tid].n; i++, f++)
            total += w ? w[f] : (double)(E->tb[tid].end[i] - E->tb[tid].start[i]);
    for (int j = 0; j < k; j++) {
        R[j].E.views = 1;
        R[j].E.ntid = E->ntid;
        if (!(R[j].E.tb = calloc(E->ntid > 0 ? (size_t)E->ntid : 1, sizeof *R[j].E.tb)))
            return METCN_E_NOMEM;
    }
    f = 0;
    for (int tid = 0; tid < E->ntid; tid++) {
        const tidbins_t *g = &E->tb[tid];
        for (size_t i = 0; i < g->n; i++, f++) {
            double x = w ? w[f] : (double)(g->end[i] - g->start[i]);
            /* the reader whose share of the total holds the bin's middle */
            int j = total > 0 ? (int)((acc + x / 2) * k / total) : 0;
            acc += x;
            tidbins_t *v = &R[j < k ? j : k - 1].E.tb[tid];
            if (v->n++ == 0) {
                v->start = g->start + i;
                v->end = g->end + i;
                v->idx = g->idx + i;
                v->bases = g->bases + i;
                v->gn = g->n - i;
                v->prev_end = i > 0 ? g->end[i - 1] : -1;
            }
        }
    }
    return 0;
}

/* The bin of contig b nearest to pos (holding it, else the closer neighbour; b->n > 0). */
static size_t nearest_bin(const tidbins_t *b, int64_t pos)
{
    size_t lo = 0, hi = b->n;
    while (lo < hi) { /* the first bin ending after pos */
        size_t mid = (lo + hi) / 2;
        if (b->end[mid] <= pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == b->n)
        return b->n - 1;
    if (b->start[lo] <= pos || lo == 0)
        return lo;
    return pos - b->end[lo - 1] < b->start[lo] - pos ? lo - 1 : lo;
}

/* Give each reader the sites nearest to its bins (after split_bins()): all the records over a
 * site are then read by the site's one owner, which counts it; both mates of a fragment over
 * it among them. */
static int split_sites(const engine_t *E, reader_t *R, int k)
{
    for (int j = 0; j < k; j++)
        if (!(R[j].E.ts = calloc(E->ntid > 0 ? (size_t)E->ntid : 1, sizeof *R[j].E.ts)))
            return METCN_E_NOMEM;
    for (int tid = 0; tid < E->ntid; tid++) {
        const tidsites_t *g = &E->ts[tid];
        const tidbins_t *b = &E->tb[tid];
        for (size_t i = 0; i < g->n && b->n; i++) {
            size_t bin = nearest_bin(b, g->pos[i]);
            int j = 0;
            for (; j < k - 1; j++) { /* the reader whose run of bins holds it */
                const tidbins_t *v = &R[j].E.tb[tid];
                if (v->n && bin >= (size_t)(v->start - b->start) &&
                    bin < (size_t)(v->start - b->start) + v->n)
                    break;
            }
            tidsites_t *v = &R[j].E.ts[tid];
            if (v->n++ == 0) {
                v->pos = g->pos + i;
                v->ref = g->ref + i;
                v->alt = g->alt + i;
                v->idx = g->idx + i;
            }
        }
    }
    return 0;
}

static int bin_gc(metcn_refseq_t *ref, const metcn_panel_t *panel, size_t i, double *out);
static int gc_compute(const metcn_panel_t *panel, const char *fasta, double *gc, char *done);

static void *reader_run(void *arg)
{
    reader_t *R = arg;
    bam1_t *r = bam_init1();
    int ret = -1;
    R->nomem = !r;
    if (r && R->itr)
        while ((ret = sam_itr_multi_next(R->fp, R->itr, r)) >= 0)
            if (process(&R->E, r)) {
                R->nomem = 1;
                break;
            }
    R->ret = ret;
    bam_destroy1(r);
    /* GC of its own bins, in its own thread.  An error here only leaves rows undone: the
     * caller computes those and reports any error from its own thread. */
    metcn_refseq_t *ref = ret == -1 && !R->nomem && R->gc_done && R->E.opt->reference
                              ? metcn_refseq_open(R->E.opt->reference)
                              : NULL;
    int err = 0;
    for (int tid = 0; ref && tid < R->E.ntid && !err; tid++)
        for (size_t i = 0; i < R->E.tb[tid].n && !err; i++) {
            size_t row = R->E.tb[tid].idx[i];
            if (!(err = bin_gc(ref, R->panel, row, &R->E.t->gc[row])))
                R->gc_done[row] = 1;
        }
    metcn_refseq_close(ref);
    return NULL;
}

/* Index mode: k readers in parallel, then the fragments they counted in each other's bins are
 * added.  Reader 0 reads through the caller's fp, h and idx, unless pool is given: then a
 * single reader gets a handle of its own with the thread pool.  *read_ret: the readers' worst
 * sam_itr_multi_next() result (-1: all read to the end).  Returns 0, or an error code with the
 * message set. */
static int read_indexed(engine_t *E, int k, samFile *fp, sam_hdr_t *h, hts_idx_t *idx,
                        htsThreadPool *pool, int is_cram, const char *path, int *read_ret,
                        const metcn_panel_t *panel, char *gc_done)
{
    reader_t *R = calloc((size_t)k, sizeof *R);
    pthread_t *th = calloc((size_t)k, sizeof *th);
    char *started = calloc((size_t)k, 1);
    double *w = NULL;
    int rc = 0;
    if (!R || !th || !started) {
        rc = metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
        goto done;
    }
    for (int j = 0; j < k && !rc; j++) {
        if (engine_init(&R[j].E, E->opt, E->t))
            rc = metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
        R[j].E.fc = E->fc;
        R[j].E.sites = E->sites;
        R[j].panel = panel;
        R[j].gc_done = gc_done;
    }
    if (!rc && k > 1) { /* weigh the bins by what the index says reading them costs */
        size_t nb = 0;
        for (int tid = 0; tid < E->ntid; tid++)
            nb += E->tb[tid].n;
        hts_itr_t *all = NULL;
        if (!(w = malloc((nb ? nb : 1) * sizeof *w)))
            rc = metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
        else if ((rc = make_iterator(E, h, idx, is_cram, path, 0, &all)) == 0 &&
                 !bin_weights(E, all, is_cram, w)) {
            free(w);
            w = NULL;
        }
        hts_itr_destroy(all);
    }
    if (!rc && (split_bins(E, R, k, w) || (E->ts && split_sites(E, R, k))))
        rc = metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
    for (int j = 0; j < k && !rc && k > 1; j++) {
        size_t n = 0;
        for (int tid = 0; tid < E->ntid; tid++)
            n += R[j].E.tb[tid].n;
        metcn_log(METCN_LOG_INFO, "%s: reader %d reads %zu bin%s (split by %s)", path, j, n,
                  n == 1 ? "" : "s", w ? "the bytes the index points to" : "length");
    }
    for (int j = 0; j < k && !rc; j++) {
        if (j == 0 && !(pool && pool->pool)) {
            R[0].fp = fp;
            R[0].h = h;
            R[0].idx = idx;
        } else if ((rc = reader_open(&R[j], path, E->opt, is_cram, idx, pool)) != 0) {
            break;
        }
        rc = make_iterator(&R[j].E, R[j].h, R[j].idx, is_cram, path, 1, &R[j].itr);
    }
    if (rc)
        goto done;
    for (int j = 1; j < k; j++)
        started[j] = pthread_create(&th[j], NULL, reader_run, &R[j]) == 0;
    reader_run(&R[0]);
    for (int j = 1; j < k; j++) {
        if (started[j])
            pthread_join(th[j], NULL);
        else
            reader_run(&R[j]); /* no thread to be had: read it here */
    }
    *read_ret = -1;
    for (int j = 0; j < k; j++) {
        if (R[j].nomem) {
            rc = metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
            goto done;
        }
        if (R[j].ret < *read_ret)
            *read_ret = R[j].ret;
        for (size_t s = 0; s < R[j].E.nspill; s++) { /* (slot in fc: row * fstride + class) */
            E->fc[R[j].E.spill[s]]++;
            E->t->fragments[R[j].E.spill[s] / (size_t)E->fstride]++;
        }
        engine_log(&R[j].E, path, j);
    }
done:
    for (int j = 0; R && j < k; j++)
        reader_close(&R[j]);
    free(R);
    free(th);
    free(started);
    free(w);
    return rc;
}

/* Options the engine cannot run with (the CLI checks them first, with its own words). */
static int cov_opt_check(const metcn_cov_opt_t *opt)
{
    int prev = 0;
    for (int k = 0; k < opt->n_frag_edges; k++) {
        if (opt->frag_edges[k] <= prev || opt->frag_edges[k] > METCN_COV_MAX_FRAGMENT)
            return metcn_set_error(METCN_E_ARG, "fragment class edges must increase within "
                                                "1-1000");
        prev = opt->frag_edges[k];
    }
    if (opt->n_frag_edges < 0 || opt->n_frag_edges > METCN_MAX_FRAG_EDGES)
        return metcn_set_error(METCN_E_ARG, "at most %d fragment class edges",
                               METCN_MAX_FRAG_EDGES);
    if ((opt->size_min || opt->size_max) && (opt->size_min < 0 || opt->size_max <= opt->size_min ||
                                             opt->size_max > METCN_COV_MAX_FRAGMENT + 1))
        return metcn_set_error(METCN_E_ARG, "size selection %d-%d: needs 0 <= min < max <= 1001",
                               opt->size_min, opt->size_max);
    if (opt->min_baseq < 0 || opt->min_baseq > 93 || opt->snp_flank < 0)
        return metcn_set_error(METCN_E_ARG, "base quality 0-93 and a flank >= 0 are needed");
    return 0;
}

/* The engine's class counts (fc, one row of fstride per bin) and its sites per header contig
 * (the table's sites on contigs of the header, tids: header tid per panel contig). */
static int counts_setup(engine_t *E, const metcn_covtab_t *t, const int *tids, uint64_t **fc)
{
    if (!(*fc = calloc(t->n ? t->n * (size_t)E->fstride : 1, sizeof **fc)))
        return METCN_E_NOMEM;
    E->fc = *fc;
    const metcn_sites_t *S = t->sites;
    if (!S || S->n == 0)
        return 0;
    E->sites = t->sites;
    if (!(E->ts = calloc(E->ntid > 0 ? (size_t)E->ntid : 1, sizeof *E->ts)))
        return METCN_E_NOMEM;
    for (size_t i = 0; i < S->n; i++)
        if (tids[S->contig[i]] >= 0)
            E->ts[tids[S->contig[i]]].n++;
    for (int tid = 0; tid < E->ntid; tid++) {
        tidsites_t *v = &E->ts[tid];
        if (!v->n)
            continue;
        v->pos = malloc(v->n * sizeof *v->pos);
        v->ref = malloc(v->n);
        v->alt = malloc(v->n);
        v->idx = malloc(v->n * sizeof *v->idx);
        if (!v->pos || !v->ref || !v->alt || !v->idx)
            return METCN_E_NOMEM;
        v->n = 0;
    }
    for (size_t i = 0; i < S->n; i++) { /* in panel order, so sorted within a contig */
        int tid = tids[S->contig[i]];
        if (tid < 0)
            continue;
        tidsites_t *v = &E->ts[tid];
        v->pos[v->n] = S->pos[i];
        v->ref[v->n] = (uint8_t)seq_nt16_table[(unsigned char)S->ref[i]];
        v->alt[v->n] = (uint8_t)seq_nt16_table[(unsigned char)S->alt[i]];
        v->idx[v->n++] = i;
    }
    return 0;
}

/* Into the table: the class counts (without the unclassed slot), what was selected, and the
 * base quality the allele counts used. */
static int counts_finish(const engine_t *E, const metcn_cov_opt_t *opt, metcn_covtab_t *t)
{
    int nc = opt->n_frag_edges + 1;
    if (!(t->frag_class = calloc(t->n ? t->n * (size_t)nc : 1, sizeof *t->frag_class)))
        return METCN_E_NOMEM;
    t->n_frag_class = nc;
    t->frag_edge[0] = 0;
    for (int k = 0; k < opt->n_frag_edges; k++)
        t->frag_edge[k + 1] = opt->frag_edges[k];
    t->frag_edge[nc] = METCN_COV_MAX_FRAGMENT + 1;
    for (size_t i = 0; i < t->n; i++)
        memcpy(&t->frag_class[i * (size_t)nc], &E->fc[i * (size_t)E->fstride],
               (size_t)nc * sizeof *t->frag_class);
    t->size_min = opt->size_min;
    t->size_max = opt->size_max;
    t->dedup = opt->dedup;
    if (t->sites)
        t->sites->min_baseq = opt->min_baseq;
    return 0;
}

metcn_covtab_t *metcn_cov_compute(const char *path, const metcn_panel_t *panel,
                                  const metcn_cov_opt_t *opt)
{
    samFile *fp = sam_open(path, "r");
    sam_hdr_t *h = NULL;
    metcn_covtab_t *t = NULL;
    if (!fp) {
        metcn_set_error(METCN_E_IO, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    if (fp->format.category != sequence_data)
        metcn_set_error(METCN_E_FORMAT, "%s: not a SAM/BAM/CRAM file", path);
    else if (!(h = sam_hdr_read(fp)))
        metcn_set_error(METCN_E_FORMAT, "%s: cannot read the header (not SAM/BAM/CRAM, or corrupt)",
                        path);
    else {
        t = metcn_cov_compute_hts(fp, h, path, panel, opt);
        fp = NULL; /* closed by it */
    }
    sam_hdr_destroy(h);
    if (fp)
        sam_close(fp);
    return t;
}

/* An index file beside path (PATH.bai, .csi, .crai, or PATH with its .bam/.cram extension
 * replaced by .bai/.crai) that sam_index_load3 could not read: names it in the error and
 * returns 1; 0 when there is none. */
static int index_present(const char *path)
{
    static const char *const ext[] = {".bai", ".csi", ".crai"};
    size_t n = strlen(path);
    const char *dot = strrchr(path, '.');
    size_t stem = dot && !strchr(dot, '/') ? (size_t)(dot - path) : n;
    char ip[4096];
    for (int e = 0; e < 6; e++) {
        int len = snprintf(ip, sizeof ip, "%.*s%s", (int)(e < 3 ? n : stem), path, ext[e % 3]);
        struct stat st;
        if (len > 0 && (size_t)len < sizeof ip && stat(ip, &st) == 0 && S_ISREG(st.st_mode)) {
            metcn_set_error(METCN_E_INDEX,
                            "%s: cannot read its index %s (corrupt, or not an index: rebuild it "
                            "with samtools index)",
                            path, ip);
            return 1;
        }
    }
    return 0;
}

metcn_covtab_t *metcn_cov_compute_hts(samFile *fp, sam_hdr_t *h, const char *path,
                                      const metcn_panel_t *panel, const metcn_cov_opt_t *opt_in)
{
    metcn_cov_opt_t defaults;
    const metcn_cov_opt_t *opt = opt_in;
    if (!opt) {
        metcn_cov_opt_init(&defaults);
        opt = &defaults;
    }
    if (cov_opt_check(opt) != 0) {
        if (fp)
            sam_close(fp);
        return NULL;
    }
    engine_t E = {0};
    hts_idx_t *idx = NULL;
    int *tids = NULL, ok = 0;
    char *gc_done = NULL;
    uint64_t *fc = NULL;
    bam1_t *r = bam_init1();
    htsThreadPool pool = {NULL, 0};
    int want_gc = opt->reference && opt->gc;
    metcn_covtab_t *t = fp ? metcn_covtab_new(panel) : NULL;
    if (!t || !r || engine_init(&E, opt, t) != 0)
        goto nomem;
    if (!(t->dropped = calloc(panel->n_bins ? panel->n_bins : 1, sizeof *t->dropped)))
        goto nomem;
    /* The sites first: a malformed site list fails before any record is read. */
    if ((opt->snps || opt->somatic) &&
        !(t->sites = metcn_sites_load_with(opt->snps, opt->somatic, panel, opt->snp_flank)))
        goto out;
    int sites_wanted = t->sites && t->sites->n > 0;
    int is_cram = fp->format.format == cram;
    /* The index is looked for first: with one, threads go to parallel readers, and the
     * caller's handle gets no thread pool. */
    if (!opt->force_stream && strcmp(path, "-") != 0 &&
        !(idx = sam_index_load3(fp, path, NULL, HTS_IDX_SILENT_FAIL)) && index_present(path))
        goto out; /* an index that exists but cannot be read is not silently passed over */
    if (opt->threads > 0) {
        if (!(pool.pool = hts_tpool_init(opt->threads)) ||
            (!idx && hts_set_opt(fp, HTS_OPT_THREAD_POOL, &pool) != 0)) {
            metcn_set_error(METCN_E_IO, "%s: cannot start %d threads", path, opt->threads);
            goto out;
        }
    }
    if (is_cram) { /* the header is read: nothing has been decoded yet */
        if (opt->reference && set_reference(fp, path, opt->reference) != 0)
            goto out;
        cram_fields(fp, sites_wanted);
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
    if (!(E.tb = calloc(E.ntid > 0 ? (size_t)E.ntid : 1, sizeof *E.tb)))
        goto nomem;
    for (size_t i = 0; i < panel->n_bins; i++) {
        int tid = tids[panel->bins[i].contig];
        if (tid >= 0)
            E.tb[tid].n++;
    }
    size_t nbins = 0;
    for (int tid = 0; tid < E.ntid; tid++) {
        tidbins_t *b = &E.tb[tid];
        if (!b->n)
            continue;
        b->start = malloc(b->n * sizeof *b->start);
        b->end = malloc(b->n * sizeof *b->end);
        b->idx = malloc(b->n * sizeof *b->idx);
        b->bases = calloc(b->n, sizeof *b->bases);
        if (!b->start || !b->end || !b->idx || !b->bases)
            goto nomem;
        b->gn = b->n;
        b->prev_end = -1;
        nbins += b->n;
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
    if (counts_setup(&E, t, tids, &fc) != 0)
        goto nomem;

    /* Index mode when an index exists (and is not older than the file), unless the index
     * would skip nothing and there is one thread to read with. */
    int use_index = 0;
    const char *why = "streaming (no index)";
    if (idx) {
        const char *ext[] = {".bai", ".csi", ".crai"};
        struct stat sf, si;
        int stale = 0;
        if (stat(path, &sf) == 0)
            for (int e = 0; e < 3; e++) {
                char ip[4096];
                snprintf(ip, sizeof ip, "%s%s", path, ext[e]);
                /* Writers that build the index while writing (samtools sort --write-index,
                 * metcn-sim) save it a few ms before closing the file: only an index older by
                 * more than 2 s is stale. */
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
        if (opt->threads == 0 && bins_cover_reads(&E, h, idx, path, is_cram)) {
            use_index = 0;
            why = "streaming (the bins cover every contig that holds reads end to end, so "
                  "the index would skip nothing)";
        }
    } else if (opt->force_stream) {
        why = "streaming (asked for)";
    }
    t->mode = strdup(use_index ? "index" : "stream");
    /* Parallel readers: one per thread, but not more than there are bins.  A single reader with
     * threads (one bin) gets the thread pool on a handle of its own. */
    int k = opt->threads + 1 < (int)nbins ? opt->threads + 1 : (nbins ? (int)nbins : 1);
    /* Coordinate duplicates are decided over the records in file order: one reader. */
    if (opt->dedup == METCN_DEDUP_COORD)
        k = 1;
    if (use_index)
        metcn_log(METCN_LOG_INFO, "%s: index (multi-region iterator) mode, %d reader%s", path, k,
                  k > 1 ? "s in parallel" : "");
    else
        metcn_log(METCN_LOG_INFO, "%s: %s", path, why);

    int ret = -1;
    if (use_index) {
        /* With a reference the readers compute their own bins' GC (in parallel when k > 1). */
        if (want_gc && !(gc_done = calloc(panel->n_bins ? panel->n_bins : 1, 1)))
            goto nomem;
        if (read_indexed(&E, k, fp, h, idx, k == 1 && pool.pool ? &pool : NULL, is_cram, path, &ret,
                         panel, gc_done))
            goto out;
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
            last_tid = tid;
            last_pos = r->core.pos;
            if (process(&E, r))
                goto nomem;
        }
        engine_log(&E, path, 0);
    }
    if (ret < -1) {
        metcn_set_error(is_cram ? METCN_E_REFERENCE : METCN_E_TRUNCATED,
                        is_cram ? "%s: cannot decode records (corrupt file, or the reference is "
                                  "missing or does not match: give --reference)"
                        : use_index
                            ? "%s: truncated or corrupt file, or an index of another file "
                              "(read error through the index; rebuild it with samtools index)"
                            : "%s: truncated or corrupt file (read error)",
                        path);
        goto out;
    }
    /* A file cut at a block or container boundary reads to its end without an error: its
     * end-of-file marker is what is missing (a stream cannot be checked). */
    if (strcmp(path, "-") != 0 && (is_cram || fp->format.format == bam) && hts_check_EOF(fp) == 0) {
        metcn_set_error(METCN_E_TRUNCATED,
                        is_cram ? "%s: truncated file (no CRAM end-of-file container)"
                                : "%s: truncated file (no BGZF end-of-file block)",
                        path);
        goto out;
    }
    for (size_t i = 0; i < t->n; i++)
        t->depth[i] = 0.0;
    for (int tid = 0; tid < E.ntid; tid++) {
        const tidbins_t *b = &E.tb[tid];
        for (size_t i = 0; i < b->n; i++)
            t->depth[b->idx[i]] = (double)b->bases[i] / (double)(b->end[i] - b->start[i]);
    }
    if (want_gc) {
        if (gc_compute(panel, opt->reference, t->gc, gc_done) != 0)
            goto out;
        t->has_gc = 1;
    }
    if (counts_finish(&E, opt, t) != 0)
        goto nomem;
    ok = 1;
    goto out;
nomem:
    metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
out:
    free(gc_done);
    hts_idx_destroy(idx);
    if (fp)
        sam_close(fp); /* before the pool it may use */
    if (pool.pool)
        hts_tpool_destroy(pool.pool);
    bam_destroy1(r);
    free(tids);
    engine_free(&E);
    free(fc);
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

typedef struct {
    int64_t gc, at;
} gc_count_t;

/* Count G/C and A/T bases (either case) in buf; anything else (N, IUPAC codes, line breaks)
 * counts as neither.  x | 0x20 maps exactly 'C' and 'c' to 'c' (likewise for A, G, T), so one
 * compare per letter finds both cases.  With SSE2 (every x86-64) 16 bytes at a time: the
 * compares give -1 per matching byte, summed in 8-bit lanes for up to 255 rounds and then
 * added up with psadbw. */
static int gc_piece(const char *buf, size_t n, void *ctx)
{
    gc_count_t *c = ctx;
    size_t i = 0;
#ifdef __SSE2__
    const __m128i lc = _mm_set1_epi8(0x20), vc = _mm_set1_epi8('c'), vg = _mm_set1_epi8('g'),
                  va = _mm_set1_epi8('a'), vt = _mm_set1_epi8('t'), zero = _mm_setzero_si128();
    while (n - i >= 16) {
        size_t rounds = (n - i) / 16 < 255 ? (n - i) / 16 : 255;
        __m128i sgc = zero, sat = zero;
        for (size_t k = 0; k < rounds; k++, i += 16) {
            __m128i x = _mm_or_si128(_mm_loadu_si128((const __m128i *)(buf + i)), lc);
            sgc = _mm_sub_epi8(sgc, _mm_or_si128(_mm_cmpeq_epi8(x, vc), _mm_cmpeq_epi8(x, vg)));
            sat = _mm_sub_epi8(sat, _mm_or_si128(_mm_cmpeq_epi8(x, va), _mm_cmpeq_epi8(x, vt)));
        }
        sgc = _mm_sad_epu8(sgc, zero);
        sat = _mm_sad_epu8(sat, zero);
        /* each half is at most 8 * 255: 32 bits hold it (and _si32 exists on 32-bit x86) */
        c->gc += _mm_cvtsi128_si32(sgc) + _mm_cvtsi128_si32(_mm_unpackhi_epi64(sgc, sgc));
        c->at += _mm_cvtsi128_si32(sat) + _mm_cvtsi128_si32(_mm_unpackhi_epi64(sat, sat));
    }
#endif
    for (; i < n; i++) {
        unsigned char x = (unsigned char)buf[i] | 0x20;
        c->gc += x == 'c' || x == 'g';
        c->at += x == 'a' || x == 't';
    }
    return 0;
}

/* GC fraction of panel bin i into *out (NaN when the FASTA lacks its contig under either
 * naming, "chr7" or "7", or the bin holds no A, C, G or T).  0, or <0 with the error set. */
static int bin_gc(metcn_refseq_t *ref, const metcn_panel_t *panel, size_t i, double *out)
{
    const metcn_bin_t *b = &panel->bins[i];
    const char *name = panel->contigs[b->contig].name;
    char alias[256];
    if (metcn_refseq_len(ref, name) < 0) {
        if (strncmp(name, "chr", 3) == 0)
            snprintf(alias, sizeof alias, "%s", name + 3);
        else
            snprintf(alias, sizeof alias, "chr%s", name);
        if (metcn_refseq_len(ref, alias) < 0) {
            *out = NAN;
            return 0;
        }
        name = alias;
    }
    gc_count_t c = {0, 0};
    int r = metcn_refseq_scan(ref, name, b->start, b->end, gc_piece, &c);
    *out = c.gc + c.at > 0 ? (double)c.gc / (double)(c.gc + c.at) : NAN;
    return r;
}

/* GC of every panel bin not yet done (done may be NULL: all), marking each as done. */
static int gc_compute(const metcn_panel_t *panel, const char *fasta, double *gc, char *done)
{
    metcn_refseq_t *ref = metcn_refseq_open(fasta);
    if (!ref)
        return metcn_set_error(METCN_E_REFERENCE, "%s: cannot load the FASTA (and its .fai)",
                               fasta);
    int r = 0;
    for (size_t i = 0; i < panel->n_bins && !r; i++)
        if (!(done && done[i]) && (r = bin_gc(ref, panel, i, &gc[i])) == 0 && done)
            done[i] = 1;
    metcn_refseq_close(ref);
    return r;
}

int metcn_gc_compute(const metcn_panel_t *panel, const char *fasta, double *gc)
{
    return gc_compute(panel, fasta, gc, NULL);
}
