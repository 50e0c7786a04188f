/* allele_count.c -- allele counts at SNP sites, in the coverage engine's one pass over the
 * reads (docs/coverage.md, "Allele counts").
 *
 * A read that passes the filters (those of the coverage, engine_drop_reason() and the
 * duplicates) adds, at each site its aligned blocks cover, its base: ref, alt or other (an N
 * adds nothing), when the base quality is at least min_baseq.  A site inside a deletion or a
 * reference skip gets nothing from the read.
 *
 * A fragment is counted once: a read whose mate may cover the same site later (the mate starts
 * at or before the site, and after the read, or at its position) records its observation in a
 * small table after counting it; when the mate's observation arrives, the pair's one
 * contribution is settled: two bases that pass the quality threshold and agree count once; two
 * that disagree count the base of higher quality, and nothing when the qualities are equal; one
 * that passes counts alone.  The count already made for the first mate is corrected
 * accordingly, so a mate that never comes (filtered, or out of the file) leaves the first
 * mate's count as it is.  A table entry is stale once the sweep is past its site. */
#include <stdlib.h>
#include <string.h>

#include "metcn/metcn.h"
#include "cov/engine_internal.h"
#include "cov/slots.h"

enum { CLS_REF = 0, CLS_ALT = 1, CLS_OTHER = 2, CLS_NONE = 3 };

/* Move the contig's cursor to the first site at or after pos (and remember it for
 * sites_maybe()). */
static size_t site_seek(engine_t *E, int32_t tid, int64_t pos)
{
    tidsites_t *s = &E->ts[tid];
    size_t i = s->cursor;
    if (i > 0 && i <= s->n && s->pos[i - 1] >= pos) { /* went backwards: binary search */
        size_t lo = 0, hi = i;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (s->pos[mid] < pos)
                lo = mid + 1;
            else
                hi = mid;
        }
        i = lo;
    }
    while (i < s->n && s->pos[i] < pos)
        i++;
    E->st_tid = tid;
    E->st_next = i < s->n ? s->pos[i] : INT64_MAX;
    return s->cursor = i;
}

static void add(metcn_sites_t *S, size_t row, int cls, int sign)
{
    uint32_t *c = cls == CLS_REF ? S->ref_count : cls == CLS_ALT ? S->alt_count : S->other_count;
    c[row] += (uint32_t)sign;
}

static inline uint64_t obs_hash(uint64_t nh, int64_t site)
{
    uint64_t h = (nh ^ (uint64_t)site * 0x9e3779b97f4a7c15ULL) * 0xff51afd7ed558ccdULL;
    h ^= h >> 32;
    return h ? h : 1;
}

/* Remove slot i of the observation table, shifting its probe run back. */
static void obs_del(engine_t *E, size_t i)
{
    size_t mask = E->obcap - 1, j = i;
    for (;;) {
        E->ob[i].h = 0;
        for (;;) {
            j = (j + 1) & mask;
            if (!E->ob[j].h)
                goto done;
            size_t home = E->ob[j].h & mask;
            if (i <= j ? (home <= i || home > j) : (home <= i && home > j))
                break;
        }
        E->ob[i] = E->ob[j];
        i = j;
    }
done:
    E->obn--;
}

/* An observation whose mate can no longer come: the sweep (ctx: its position) is past its
 * site.  (The table holds one contig's observations.) */
static int obs_stale(const void *entry, const void *ctx)
{
    return ((const obs_t *)entry)->site < *(const int64_t *)ctx;
}

/* What a pair of observations contributes (docs above). */
static int pair_class(int c1, int q1, int c2, int q2, int minq)
{
    int p1 = c1 != CLS_NONE && q1 >= minq, p2 = c2 != CLS_NONE && q2 >= minq;
    if (p1 && p2)
        return c1 == c2 ? c1 : q1 > q2 ? c1 : q2 > q1 ? c2 : CLS_NONE;
    return p1 ? c1 : p2 ? c2 : CLS_NONE;
}

/* One observation of read r (name hash nh) at site row/spos: its class and base quality. */
static int observe(engine_t *E, const bam1_t *r, uint64_t nh, size_t row, int64_t spos, int cls,
                   int qual)
{
    const bam1_core_t *c = &r->core;
    uint16_t fl = c->flag;
    int paired_same = (fl & BAM_FPAIRED) && !(fl & BAM_FMUNMAP) && c->mtid == c->tid;
    metcn_sites_t *S = E->sites;
    uint64_t h = obs_hash(nh, spos);
    if (paired_same && c->mpos <= c->pos && E->obn) { /* the mate may have been here first */
        size_t mask = E->obcap - 1;
        for (size_t i = h & mask; E->ob[i].h; i = (i + 1) & mask) {
            obs_t *o = &E->ob[i];
            if (o->h == h && o->nh == nh && o->site == spos && o->pos16 == (uint16_t)c->mpos) {
                int had = o->qual >= E->min_baseq ? o->cls : CLS_NONE;
                int want = pair_class(o->cls, o->qual, cls, qual, E->min_baseq);
                if (had != want) {
                    if (had != CLS_NONE)
                        add(S, row, had, -1);
                    if (want != CLS_NONE)
                        add(S, row, want, 1);
                }
                obs_del(E, i);
                return 0;
            }
        }
    }
    if (cls != CLS_NONE && qual >= E->min_baseq)
        add(S, row, cls, 1);
    if (paired_same && c->mpos >= c->pos && c->mpos <= spos) { /* the mate may come here */
        int64_t at = c->pos;
        if ((E->obn + 1) * 2 > E->obcap && slots_rebuild((void **)&E->ob, &E->obcap, &E->obn,
                                                         sizeof *E->ob, 1024, obs_stale, &at) != 0)
            return METCN_E_NOMEM;
        size_t mask = E->obcap - 1, i = h & mask;
        while (E->ob[i].h)
            i = (i + 1) & mask;
        E->ob[i] =
            (obs_t){h, nh, spos, (uint32_t)row, (uint16_t)c->pos, (uint8_t)cls, (uint8_t)qual};
        E->obn++;
    }
    return 0;
}

int sites_step(engine_t *E, const bam1_t *r, int st)
{
    const bam1_core_t *c = &r->core;
    if (st == ST_DROPPED || c->tid < 0 || c->tid >= E->ntid)
        return 0;
    tidsites_t *s = &E->ts[c->tid];
    size_t i = site_seek(E, c->tid, c->pos);
    if (i >= s->n)
        return 0;
    const uint32_t *cig = bam_get_cigar(r);
    int64_t end = c->n_cigar == 1 ? c->pos + bam_cigar_oplen(cig[0]) : bam_endpos(r);
    if (s->pos[i] >= end)
        return 0;
    if (st == ST_UNSEEN) { /* overlaps no bin: the filters were not run */
        if (engine_drop_reason(E, r) >= 0)
            return 0;
        if (E->dd) {
            int d = dedup_check(E->dd, r, qhash(r));
            if (d != 0)
                return d < 0 ? d : 0;
        }
    }
    if (c->flag & BAM_FUNMAP)
        return 0;
    if (c->tid != E->ob_tid) { /* a new contig: the observations of the last one are stale */
        if (E->obn)
            memset(E->ob, 0, E->obcap * sizeof *E->ob);
        E->obn = 0;
        E->ob_tid = c->tid;
    }
    uint64_t nh = qhash(r);
    const uint8_t *seq = bam_get_seq(r), *qual = bam_get_qual(r);
    int64_t rp = c->pos, qp = 0;
    for (uint32_t k = 0; k < c->n_cigar && i < s->n; k++) {
        int op = bam_cigar_op(cig[k]);
        int64_t len = bam_cigar_oplen(cig[k]);
        int type = bam_cigar_type(op); /* bit 1: consumes the query, bit 2: the reference */
        if (type & 2) {
            for (; i < s->n && s->pos[i] < rp + len; i++) {
                int64_t q = qp + (s->pos[i] - rp);
                if (!(type & 1) || q >= c->l_qseq) /* a deletion or a skip (or no SEQ): */
                    continue;                      /* nothing at this site */
                int b = bam_seqi(seq, q);
                int cls = b == s->ref[i]                         ? CLS_REF
                          : b == s->alt[i]                       ? CLS_ALT
                          : b == 1 || b == 2 || b == 4 || b == 8 ? CLS_OTHER
                                                                 : CLS_NONE;
                int bq = qual[0] == 0xff ? 0 : qual[q]; /* no qualities: 0 */
                if (observe(E, r, nh, s->idx[i], s->pos[i], cls, bq) != 0)
                    return METCN_E_NOMEM;
            }
            rp += len;
        }
        if (type & 1)
            qp += len;
    }
    return 0;
}
