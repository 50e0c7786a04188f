/* engine_internal.h -- the coverage engine's counting step, private to src/cov (and to
 * bench/replay.c, which times it alone).
 *
 * An engine_t counts records handed to it one at a time by engine_process(): bins (depth,
 * fragments, fragment-length classes, filter tallies) and, when there are sites, allele counts.
 * The readers and modes that feed it live in engine.c; the allele counting step in
 * allele_count.c; the coordinate-duplicate filter in dedup.c.  Definitions: docs/coverage.md.
 * Coordinates are 0-based half-open throughout. */
#ifndef METCN_COV_ENGINE_INTERNAL_H
#define METCN_COV_ENGINE_INTERNAL_H

#include <stdint.h>
#include <string.h>

#include <htslib/sam.h>

#include "metcn/cov.h"

/* Statuses of count_read() (a negative value is an error code). */
enum { ST_DROPPED = 0, ST_COUNTED = 1, ST_UNSEEN = 2 /* overlaps no bin: filters not run */ };

typedef struct dedup_s dedup_t;

/* Sites of one header contig, sorted (views for parallel readers, like tidbins_t). */
typedef struct {
    int64_t *pos;
    uint8_t *ref, *alt; /* 4-bit codes as bam_seqi() gives them: A 1, C 2, G 4, T 8 */
    size_t *idx;        /* row in the table's sites */
    size_t n, cursor;
} tidsites_t;

/* An observation at a site by a read whose mate may cover the site later (allele_count.c).
 * 32 bytes; the table holds one contig's (it is emptied when the reads move on). */
typedef struct {
    uint64_t h;     /* hash of (name hash, site), never 0: the slot's key (slots.h); 0: empty */
    uint64_t nh;    /* the read's name hash */
    int64_t site;   /* the site's position */
    uint32_t row;   /* the site's row */
    uint16_t pos16; /* the low 16 bits of the read's POS (its mate's MPOS) */
    uint8_t cls;    /* 0 ref, 1 alt, 2 other, 3 none (N) */
    uint8_t qual;   /* base quality */
} obs_t;

/* Bins of one header contig, sorted and non-overlapping (they come from a panel).  An engine
 * that owns all the bins has them all here; a parallel reader (below) has a view: the arrays
 * point at its first bin in the full arrays and n counts only its own bins. */
typedef struct {
    int64_t *start, *end;
    int64_t *bases; /* aligned bases counted in each bin */
    size_t *idx;    /* row in the table */
    size_t n, cursor;
    size_t gn;        /* bins from start[0] to the contig's last bin, own or not (gn >= n) */
    int64_t prev_end; /* end of the bin before start[0] (another reader's), or -1 */
} tidbins_t;

/* The first mate of a pair whose mate starts inside it, waiting for that mate.  A waiting read
 * matches an arriving one only when the contig, both positions crosswise (this read's POS is
 * the mate's MPOS and the other way round) and a 64-bit hash of the read name agree.
 *
 * Two tables hold them.  The primary (prim_t) holds reads of one aligned block, one per slot,
 * at the slot of a hash of the contig, POS and MPOS, which the arriving mate knows crosswise:
 * a mate is looked up with one load and no probing, so the common record is counted without
 * branches that depend on whether it is a first or a second mate (which, in file order, is a
 * coin toss the processor cannot predict).  The secondary (pend_t) holds the rest (several
 * blocks, or a slot already held): open addressing keyed by the name hash, linear probing,
 * backward-shift deletion. */
typedef struct {
    uint64_t nh; /* name hash (never 0); 0 marks an empty slot */
    int64_t pos;
    int32_t tid;
    int32_t len; /* reference span of the only aligned block, which starts at pos */
    int64_t mpos;
} prim_t; /* 32 bytes.  (POS and MPOS are not adjacent: next to each other, gcc loaded them from
           * bam1_core_t as two 16-byte vectors, which stalled on store forwarding.) */

/* What the fast path needs of the bin that the last read counted by count_read() fell in (the
 * cursor of its contig), [lo, hi): a read of contig tid with plo <= POS < hi is in its cursor
 * (plo: the end of the bin before, or the reader's prev_end), and one that also ends after lo
 * and at or before nlo (the start of the next bin, own or another reader's) meets this bin and
 * no other.  Each range is tested with one unsigned comparison, against its width: pw =
 * hi - plo, ew = nlo - lo, bw = hi - lo (all 0, so that nothing passes, when tid is -1). */
typedef struct {
    int64_t lo, hi, plo, nlo;
    uint64_t pw, ew, bw;
    int64_t *bases;
    uint64_t *frags;
    uint64_t *fcls; /* the bin's row of class counts (engine_t.fc) */
    int32_t tid;
} fastbin_t;

typedef struct {
    uint64_t key; /* the name hash (never 0); 0 marks an empty slot */
    int64_t pos, mpos;
    int64_t bs, be; /* the only aligned block, or the first of blk */
    int64_t *blk;   /* nblocks > 1: 2 * nblocks starts and ends, from blk_get() */
    int32_t tid, nblocks;
} pend_t;

typedef struct {
    tidbins_t *tb; /* per header tid */
    int ntid;
    metcn_covtab_t *t;
    const metcn_cov_opt_t *opt;
    prim_t *pm;           /* the primary table of waiting first mates */
    size_t pmcap;         /* its slots (a power of 2) */
    int pmshift;          /* 64 - log2(pmcap): a slot is the top bits of pairhash() */
    size_t pmput, pmconf; /* puts and puts into a taken slot since it last grew */
    prim_t pm_sink;       /* where the counting of a read that does not wait writes its entry */
    fastbin_t fb;         /* the fast path's bin */
    pend_t *pt;           /* the secondary table */
    size_t pcap, pn;      /* slots (a power of 2) and entries */
    int64_t max_span;     /* longest reference span of any read ever put in the secondary */
    int64_t pm_span;      /* ... and in the primary */
    uint64_t reach;       /* the fast path's bound for skipping the tables (reach_set()) */
    uint32_t fast_ex;     /* flags that send a read to drop_reason() */
    uint32_t include_flags;
    uint32_t fmask, fwant; /* fast path: (FLAG & fmask) == fwant */
    int min_mapq;
    int64_t *sb;     /* scratch: the aligned blocks of the read being counted */
    uint32_t msb;    /* its room, in blocks */
    int64_t **spare; /* block arrays of multi-block waiting reads, kept for reuse */
    size_t nspare, mspare;
    size_t *spill; /* fragments counted by this reader in another reader's bins: their slot
                      in fc (row * fstride + class) */
    size_t nspill, mspill;
    int views; /* tb and ts hold views of another engine's arrays: free only the arrays */
    /* Fragment-length classes and size selection. */
    uint64_t *fc;         /* per table row, fstride slots: fragments per class, and in the last
                             slot those in no class (not a proper pair, or longer than 1,000);
                             shared by the readers of one run (each writes its own rows) */
    int fstride;          /* classes + 1 */
    uint64_t ss_lo, ss_w; /* |TLEN| - ss_lo < ss_w (unsigned): a fragment counted at its midpoint
                             (0 < |TLEN| <= 1000) and, with size selection, in the range */
    int ss_on;
    uint8_t flut[2048]; /* class of a fragment: flut[(FLAG & PROPER_PAIR) << 9 | |TLEN|] for
                           0 < |TLEN| <= 1000; the unclassed slot for non-proper pairs */
    /* Coordinate duplicates (--dedup coord), or NULL. */
    dedup_t *dd;
    /* Allele counting at SNP sites, or ts NULL (no sites: nothing is looked at). */
    tidsites_t *ts;       /* per header tid */
    metcn_sites_t *sites; /* the counts (borrowed from the table) */
    int min_baseq;
    obs_t *ob; /* observations at sites of reads whose mate may still cover them */
    size_t obcap, obn;
    int32_t ob_tid;  /* the contig of the observations in ob */
    int32_t st_tid;  /* sites_maybe(): the contig of st_next, or -1 */
    int64_t st_next; /* ... the first site at or after the last read that sites_step() saw */
} engine_t;

/* Name hash, eight bytes at a time (never 0).  The last 1-7 bytes are read with fixed-size
 * loads (overlapping when needed) that together cover every byte, so a variable-length memcpy
 * is not called for every read. */
static inline uint64_t qhash(const bam1_t *r)
{
    const unsigned char *s = (const unsigned char *)bam_get_qname(r);
    size_t n = (size_t)r->core.l_qname - r->core.l_extranul - 1;
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ n, w;
    for (; n >= 8; s += 8, n -= 8) {
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
    }
    if (n >= 4) {
        uint32_t lo, hi;
        memcpy(&lo, s, 4);
        memcpy(&hi, s + n - 4, 4);
        w = lo | (uint64_t)hi << 32;
    } else {
        w = n ? s[0] | (uint64_t)s[n / 2] << 8 | (uint64_t)s[n - 1] << 16 : 0;
    }
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 29;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 32;
    return h ? h : 1;
}

/* The counting step (engine.c).  engine_init() sets an engine's filters and tables (its bins,
 * sites and class counts are set by the caller); engine_process() counts one record: 0, or
 * METCN_E_NOMEM. */
int engine_init(engine_t *E, const metcn_cov_opt_t *opt, metcn_covtab_t *t);
int engine_process(engine_t *E, const bam1_t *r);
void engine_free(engine_t *E);
/* Reads held in the mate tables (some may be stale). */
size_t engine_waiting(const engine_t *E);
/* The first filter r fails (metcn_drop_t), or -1: flags, MAPQ and size selection. */
int engine_drop_reason(const engine_t *E, const bam1_t *r);

/* Allele counting (allele_count.c): count r's bases at the sites it covers.  st: what
 * count_read() found (ST_UNSEEN: the filters are run here when r covers a site).  0, or
 * METCN_E_NOMEM. */
int sites_step(engine_t *E, const bam1_t *r, int st);

/* sites_step() for the reads that may cover a site: most reads of a panel cover none, and are
 * let go here, inline.  Records come in coordinate order, so while a read starts at or before
 * st_next (the first site at or after an earlier read) it covers a site only if it reaches
 * past st_next. */
static inline int sites_maybe(engine_t *E, const bam1_t *r, int st)
{
    const bam1_core_t *c = &r->core;
    if (st == ST_DROPPED)
        return 0;
    const uint32_t *cig = bam_get_cigar(r);
    int64_t end = c->n_cigar == 1 ? c->pos + bam_cigar_oplen(cig[0]) : bam_endpos(r);
    if (c->tid == E->st_tid && c->pos <= E->st_next && end <= E->st_next)
        return 0;
    return sites_step(E, r, st);
}

/* Coordinate duplicates (dedup.c): 1 when r is a duplicate of a fragment already kept, 0 when
 * it is kept, METCN_E_NOMEM.  nh: r's name hash.  Records come in coordinate order. */
dedup_t *dedup_new(void);
void dedup_free(dedup_t *d);
int dedup_check(dedup_t *d, const bam1_t *r, uint64_t nh);

#endif
