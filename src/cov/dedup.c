/* dedup.c -- coordinate duplicates (`metcn coverage --dedup coord`), for data whose duplicates
 * are not flagged.
 *
 * A fragment is keyed by its coordinates: for a pair on one contig, (contig, leftmost position,
 * the other mate's position, |TLEN|, the strands of the leftmost and the other mate; at equal
 * positions the two strands in order), as Picard's orientation ignores which mate is READ1;
 * both mates compute the same key.  The first read
 * with a key claims it under its read name; later reads with that key are duplicates unless
 * they carry the claimer's name (its mate).  So exactly one fragment per key is kept, both of
 * its mates, whatever the order of the copies' mates in the file.  A claim is kept until the
 * sweep has passed the key's larger position, where the claimer's mate is.  Any other read
 * (single-end, mate unmapped, mate on another contig) is keyed by (contig, position, strand,
 * mate contig, mate position) and claimed alone.
 *
 * Records arrive in coordinate order and only those that passed the other filters.  Open
 * addressing, linear probing; the table is rebuilt without stale claims when half full
 * (slots.h). */
#include <stdlib.h>

#include "metcn/metcn.h"
#include "cov/engine_internal.h"
#include "cov/slots.h"

typedef struct {
    uint64_t h;        /* hash of the key; 0 marks an empty slot */
    uint64_t nh;       /* the claimer's name hash */
    int64_t lo, hi;    /* leftmost position and the other (the mate's, or -1) */
    int64_t expire;    /* stale once the sweep is past it on this contig */
    int32_t tid, mtid; /* mtid: the mate's contig for keys of reads claimed alone, else -2 */
    int32_t len;       /* |TLEN| for pairs, 0 else */
    int32_t strand;
} claim_t;

struct dedup_s {
    claim_t *tab;
    size_t cap, n;
};

dedup_t *dedup_new(void)
{
    dedup_t *d = calloc(1, sizeof *d);
    if (d && !(d->tab = calloc(d->cap = 4096, sizeof *d->tab))) {
        free(d);
        d = NULL;
    }
    return d;
}

void dedup_free(dedup_t *d)
{
    if (!d)
        return;
    free(d->tab);
    free(d);
}

static uint64_t key_hash(const claim_t *k)
{
    uint64_t h = (uint64_t)k->lo * 0x9e3779b97f4a7c15ULL ^ (uint64_t)k->hi * 0xc2b2ae3d27d4eb4fULL ^
                 (uint64_t)(uint32_t)k->tid << 40 ^ (uint64_t)(uint32_t)k->len << 20 ^
                 (uint64_t)(uint32_t)k->mtid << 2 ^ (uint64_t)k->strand;
    h ^= h >> 31;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h ? h : 1;
}

static int same_key(const claim_t *a, const claim_t *b)
{
    return a->h == b->h && a->lo == b->lo && a->hi == b->hi && a->tid == b->tid &&
           a->mtid == b->mtid && a->len == b->len && a->strand == b->strand;
}

/* A claim whose mate can no longer come: the sweep (ctx: contig and position) is on another
 * contig or past the claim's larger position. */
static int claim_stale(const void *entry, const void *ctx)
{
    const claim_t *c = entry;
    const int64_t *at = ctx;
    return c->tid != at[0] || c->expire < at[1];
}

int dedup_check(dedup_t *d, const bam1_t *r, uint64_t nh)
{
    const bam1_core_t *c = &r->core;
    uint16_t fl = c->flag;
    claim_t k = {0};
    k.tid = c->tid;
    if ((fl & BAM_FPAIRED) && !(fl & BAM_FMUNMAP) && c->mtid == c->tid) {
        k.lo = c->pos < c->mpos ? c->pos : c->mpos;
        k.hi = c->pos < c->mpos ? c->mpos : c->pos;
        k.len = (int32_t)(c->isize < 0 ? -c->isize : c->isize);
        int own = !!(fl & BAM_FREVERSE), mate = !!(fl & BAM_FMREVERSE);
        int left = c->pos < c->mpos ? own : c->pos > c->mpos ? mate : own < mate ? own : mate;
        int right = c->pos < c->mpos ? mate : c->pos > c->mpos ? own : own < mate ? mate : own;
        k.strand = left << 1 | right; /* the leftmost mate's strand, then the other's */
        k.mtid = -2;
        k.expire = k.hi;
    } else {
        k.lo = c->pos;
        k.hi = (fl & BAM_FPAIRED) && !(fl & BAM_FMUNMAP) ? c->mpos : -1;
        k.mtid = (fl & BAM_FPAIRED) && !(fl & BAM_FMUNMAP) ? c->mtid : -1;
        k.strand = !!(fl & BAM_FREVERSE);
        k.expire = c->pos;
    }
    k.h = key_hash(&k);
    k.nh = nh;
    size_t mask = d->cap - 1, i = k.h & mask;
    for (; d->tab[i].h; i = (i + 1) & mask) {
        const claim_t *e = &d->tab[i];
        if (same_key(e, &k) && e->tid == c->tid && e->expire >= c->pos)
            return e->nh != nh || k.mtid != -2; /* the claimer's mate is kept */
    }
    if ((d->n + 1) * 2 > d->cap) {
        int64_t at[2] = {c->tid, c->pos};
        if (slots_rebuild((void **)&d->tab, &d->cap, &d->n, sizeof *d->tab, 4096, claim_stale,
                          at) != 0)
            return METCN_E_NOMEM;
        mask = d->cap - 1;
        for (i = k.h & mask; d->tab[i].h; i = (i + 1) & mask)
            ;
    }
    d->tab[i] = k;
    d->n++;
    return 0;
}
