/* test_cov.c -- the coverage engine against an independent per-base count.
 *
 * Random paired reads with deletions, reference skips, soft clips, insertions, overlapping
 * mates, reads across bin edges, duplicates, secondary, supplementary, QC-fail, unmapped and
 * low-MAPQ reads are written as BAM and CRAM (with a reference), sorted and indexed.  The
 * expected fragments, mean depth and filter tallies are computed here by a naive per-base
 * array over the whole (small) contig, with each template's positions counted once.  BAM
 * and CRAM, indexed and streamed, must all equal it exactly.
 *
 * The reads carry alleles at SNP sites (a VCF written here): each template has a haplotype,
 * each site a genotype, and each read's base and quality at a site come from a hash of the
 * read and the site (sometimes another base, an N, or a low quality), so that mates disagree
 * and qualities tie.  The expected allele counts group the reads' observations by template
 * name and apply the documented rule naively; fragment-length classes, size selection and
 * coordinate duplicates are counted naively over the same records. */
#include <check.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <htslib/bgzf.h>
#include <htslib/faidx.h>
#include <htslib/hts.h>
#include <htslib/kstring.h>
#include <htslib/sam.h>

#include "metcn/cov.h"
#include "metcn/metcn.h"
#include "metcn/panel.h"
#include "cov/refseq.h"

#define CONTIG_LEN 20000
#define NPAIRS 3000

static char dir[64];
static char refseq[CONTIG_LEN + 1];

typedef struct {
    char qname[32];
    int flag, pos, mpos, tlen, mapq;
    char cigar[64];
    int reflen;
    int tie; /* sort key between records at one position, before the name (0 for most) */
} rec_t;

/* ---- SNP sites and the alleles the reads carry -------------------------------------- */

#define SITE_STEP 47
#define NSITE_MAX (CONTIG_LEN / SITE_STEP + 1)
static int nsite;
static int site_pos[NSITE_MAX], site_gt[NSITE_MAX]; /* genotype: 0 hom ref, 1 het, 2 hom alt */
static char site_ref[NSITE_MAX], site_alt[NSITE_MAX];
static short site_at[CONTIG_LEN]; /* site index + 1 at a position, else 0 */

static uint64_t mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static uint64_t name_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return mix64(h);
}

/* Sites every SITE_STEP bp on chrT, alleles and genotypes from a hash. */
static void make_sites(void)
{
    nsite = 0;
    memset(site_at, 0, sizeof site_at);
    for (int p = 13; p < CONTIG_LEN - 13; p += SITE_STEP, nsite++) {
        uint64_t h = mix64((uint64_t)p * 7919);
        const char *acgt = "ACGT";
        int r = (int)(strchr(acgt, refseq[p]) - acgt);
        site_pos[nsite] = p;
        site_ref[nsite] = refseq[p];
        site_alt[nsite] = acgt[(r + 1 + (int)(h % 3)) % 4];
        site_gt[nsite] = (int)((h >> 8) % 3);
        site_at[p] = (short)(nsite + 1);
    }
}

/* What record r reads at site k: its base and base quality.  Mates draw their own. */
static void site_read(const rec_t *r, int k, char *base, int *qual)
{
    static const int quals[8] = {2, 10, 19, 20, 21, 30, 40, 40};
    uint64_t tmpl = name_hash(r->qname);
    uint64_t h = mix64(tmpl ^ (uint64_t)(r->flag & 0xfc0) << 40 ^ (uint64_t)site_pos[k] << 8);
    int alt = site_gt[k] == 2 || (site_gt[k] == 1 && (tmpl & 1));
    char b = alt ? site_alt[k] : site_ref[k];
    unsigned u = h & 15;
    if (u == 0) {
        b = 'N';
    } else if (u <= 2) { /* another base: neither ref nor alt */
        const char *acgt = "ACGT";
        int n = 0;
        char other[2];
        for (int i = 0; i < 4; i++)
            if (acgt[i] != site_ref[k] && acgt[i] != site_alt[k])
                other[n++] = acgt[i];
        b = other[(h >> 4) & 1];
    }
    *base = b;
    *qual = quals[(h >> 8) & 7];
}

#define MAXREC (3 * NPAIRS + 48) /* templates, extras, and the duplicate copies */
static rec_t recs[MAXREC];
static int nrec;

static unsigned long long rng = 42;
static unsigned rnd(unsigned n)
{
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((rng >> 33) % n);
}

/* A random CIGAR of query length 100 and its reference span. */
static int one_block_only; /* every CIGAR "100M" */

static void random_cigar(char *out, int *reflen)
{
    if (one_block_only || rnd(2) == 0) { /* one aligned block: the engine's fast path */
        strcpy(out, "100M");
        *reflen = 100;
        return;
    }
    int q = 100, r = 0, k = 0;
    int sc = rnd(4) == 0 ? 1 + (int)rnd(10) : 0; /* leading soft clip */
    if (sc)
        k += sprintf(out + k, "%dS", sc);
    q -= sc;
    int m1 = 20 + (int)rnd(30);
    k += sprintf(out + k, "%dM", m1);
    q -= m1, r += m1;
    switch (rnd(5)) {
    case 0: {
        int d = 1 + (int)rnd(5);
        k += sprintf(out + k, "%dD", d);
        r += d;
        break;
    }
    case 1: {
        int n = 50 + (int)rnd(300);
        k += sprintf(out + k, "%dN", n);
        r += n;
        break;
    }
    case 2: {
        int i = 1 + (int)rnd(3);
        k += sprintf(out + k, "%dI", i);
        q -= i;
        break;
    }
    default:
        break;
    }
    int sc2 = rnd(5) == 0 ? 1 + (int)rnd(8) : 0;
    int m2 = q - sc2;
    k += sprintf(out + k, "%dM", m2);
    r += m2;
    if (sc2)
        sprintf(out + k, "%dS", sc2);
    *reflen = r;
}

/* The records: templates across the contig, or with pile set all starting in chrT:7001-7100
 * with short fragments (inside the 2 kb bin 7000-9000), so that thousands of first mates wait
 * for their mates at once. */
static void make_records(int pile)
{
    nrec = 0;
    for (int i = 0; i < NPAIRS; i++) {
        rec_t *a = &recs[nrec++], *b = &recs[nrec++];
        snprintf(a->qname, sizeof a->qname, "t%05d", i);
        snprintf(b->qname, sizeof b->qname, "t%05d", i);
        random_cigar(a->cigar, &a->reflen);
        random_cigar(b->cigar, &b->reflen);
        int start = pile ? 7000 + (int)rnd(100) : (int)rnd(CONTIG_LEN - 1200);
        int frag = pile ? 100 + (int)rnd(100) /* the mates overlap */
                        : 60 + (int)rnd(rnd(10) == 0 ? 1500 : 400);
        if (rnd(8) == 0)
            frag = a->reflen; /* both mates at one position */
        int bpos = start + frag - b->reflen;
        if (bpos < start)
            bpos = start;
        if (bpos + b->reflen > CONTIG_LEN)
            bpos = CONTIG_LEN - b->reflen;
        a->pos = start;
        b->pos = bpos;
        int end =
            (a->pos + a->reflen > b->pos + b->reflen) ? a->pos + a->reflen : b->pos + b->reflen;
        int tlen = end - start;
        int r1_first = rnd(2);
        a->flag = 0x1 | 0x2 | 0x20 | (r1_first ? 0x40 : 0x80);
        b->flag = 0x1 | 0x2 | 0x10 | (r1_first ? 0x80 : 0x40);
        a->mpos = b->pos, b->mpos = a->pos;
        a->tlen = tlen, b->tlen = -tlen;
        a->mapq = b->mapq = 60;
        switch (rnd(12)) { /* filters, on one or both mates */
        case 0:
            a->flag |= 0x400, b->flag |= 0x400;
            break;
        case 1:
            a->mapq = 3;
            break;
        case 2:
            b->flag |= 0x200;
            break;
        case 3:
            b->flag = (b->flag & ~0x2) | 0x4; /* mate unmapped, placed at a's position */
            b->pos = a->pos, b->mpos = a->pos, a->mpos = a->pos;
            a->flag |= 0x8;
            a->flag &= ~0x2;
            a->tlen = b->tlen = 0;
            strcpy(b->cigar, "*");
            b->reflen = 0;
            break;
        default:
            break;
        }
    }
    /* Supplementary and secondary alignments, and a single-end read. */
    for (int i = 0; i < 12; i++) {
        rec_t *s = &recs[nrec++];
        snprintf(s->qname, sizeof s->qname, "t%05d", i);
        s->flag = i % 2 ? 0x800 : 0x100;
        s->pos = (int)rnd(CONTIG_LEN - 200);
        strcpy(s->cigar, "60M40S");
        s->reflen = 60;
        s->mapq = 60;
        s->mpos = -1;
        s->tlen = 0;
    }
    rec_t *se = &recs[nrec++];
    strcpy(se->qname, "single");
    se->flag = 0;
    se->pos = 5000;
    strcpy(se->cigar, "100M");
    se->reflen = 100;
    se->mapq = 60;
    se->mpos = -1;
}

static int rec_cmp(const void *x, const void *y)
{
    const rec_t *a = x, *b = y;
    if (a->pos != b->pos)
        return a->pos < b->pos ? -1 : 1;
    if (a->tie != b->tie)
        return a->tie < b->tie ? -1 : 1;
    return strcmp(a->qname, b->qname) ? strcmp(a->qname, b->qname) : a->flag - b->flag;
}

/* Query sequence from the reference along the CIGAR ('A' where nothing aligns), with the
 * read's alleles at the sites, and its qualities ('I', and at sites site_read()'s). */
static void query_seq(const rec_t *r, char *seq, char *qual)
{
    int k = 0, p = r->pos;
    const char *c = r->cigar;
    if (strcmp(c, "*") == 0) {
        memcpy(seq, refseq + r->pos, 100);
        seq[100] = 0;
        memset(qual, 'I', 100);
        qual[100] = 0;
        return;
    }
    while (*c) {
        int n = (int)strtol(c, (char **)&c, 10);
        char op = *c++;
        for (int i = 0; i < n; i++) {
            qual[k] = 'I';
            if (op == 'M') {
                seq[k] = refseq[p + i];
                if (site_at[p + i]) {
                    int q;
                    site_read(r, site_at[p + i] - 1, &seq[k], &q);
                    qual[k] = (char)(33 + q);
                }
                k++;
            } else if (op == 'S' || op == 'I') {
                seq[k++] = 'A';
            }
        }
        if (op == 'M' || op == 'D' || op == 'N')
            p += n;
    }
    seq[k] = qual[k] = 0;
}

/* Write ref.fa and the records as STEM.bam and STEM.cram, indexed. */
static void write_files(const char *stem)
{
    char path[128];
    snprintf(path, sizeof path, "%s/ref.fa", dir);
    FILE *fp = fopen(path, "w");
    ck_assert_ptr_nonnull(fp);
    fprintf(fp, ">chrT\n");
    for (int i = 0; i < CONTIG_LEN; i += 60)
        fprintf(fp, "%.60s\n", refseq + i);
    fprintf(fp, ">chr1\n");
    for (int i = 0; i < 1000; i += 60) /* 1,000 bp, as the header says */
        fprintf(fp, "%.*s\n", i + 60 <= 1000 ? 60 : 1000 - i, refseq + i);
    fclose(fp);
    ck_assert_int_eq(fai_build(path), 0);

    qsort(recs, (size_t)nrec, sizeof *recs, rec_cmp);
    snprintf(path, sizeof path, "%s/%s.sam", dir, stem);
    fp = fopen(path, "w");
    fprintf(fp,
            "@HD\tVN:1.6\tSO:coordinate\n@SQ\tSN:chrT\tLN:%d\n@SQ\tSN:chr1\tLN:1000\n"
            "@RG\tID:rg1\tSM:edge_sample\n",
            CONTIG_LEN);
    char seq[256], qual[256];
    for (int i = 0; i < nrec; i++) {
        const rec_t *r = &recs[i];
        query_seq(r, seq, qual);
        const char *rnext = r->mpos >= 0 ? "=" : "*";
        fprintf(fp, "%s\t%d\tchrT\t%d\t%d\t%s\t%s\t%d\t%d\t%s\t%s\tRG:Z:rg1\n", r->qname, r->flag,
                r->pos + 1, r->mapq, r->cigar, rnext, r->mpos >= 0 ? r->mpos + 1 : 0, r->tlen, seq,
                qual);
    }
    fclose(fp);
    char cmd[1024];
    /* Convert with htslib through samtools-free code: read SAM, write BAM and CRAM. */
    const char *outs[2][2] = {{"bam", "wb"}, {"cram", "wc"}};
    for (int k = 0; k < 2; k++) {
        samFile *in = sam_open(path, "r");
        char op[128];
        snprintf(op, sizeof op, "%s/%s.%s", dir, stem, outs[k][0]);
        samFile *out = sam_open(op, outs[k][1]);
        ck_assert_ptr_nonnull(in);
        ck_assert_ptr_nonnull(out);
        snprintf(cmd, sizeof cmd, "%s/ref.fa", dir);
        if (k == 1)
            hts_set_fai_filename(out, cmd);
        sam_hdr_t *h = sam_hdr_read(in);
        ck_assert_int_eq(sam_hdr_write(out, h), 0);
        bam1_t *b = bam_init1();
        int r;
        while ((r = sam_read1(in, h, b)) >= 0)
            ck_assert_int_ge(sam_write1(out, h, b), 0);
        ck_assert_int_eq(r, -1);
        bam_destroy1(b);
        sam_hdr_destroy(h);
        sam_close(in);
        ck_assert_int_eq(sam_close(out), 0);
        ck_assert_int_eq(sam_index_build(op, 0), 0);
    }
}

/* ---- the independent expectation ------------------------------------------------------ */

typedef struct {
    int64_t start, end;
} ivl_t;
static const ivl_t bins[] = {{0, 150},       {150, 400},     {1000, 1001},
                             {2000, 2600},   {4990, 5110},   {7000, 9000},
                             {12000, 12033}, {15000, 19000}, {19900, 20000}};
#define NBINS (int)(sizeof bins / sizeof bins[0])

static double exp_depth[NBINS];
static uint64_t exp_frag[NBINS], exp_drop[NBINS][METCN_N_DROP];

/* What the expectation applies beyond the flags and MAPQ: fragment-length class edges, size
 * selection [exp_ss_lo, exp_ss_hi) (hi 0: off), coordinate duplicates (exp_dup_drop[i]: record
 * i, in file order, is one), and the sites (exp_site_kept[k]: site k is loaded). */
static int exp_edges[METCN_MAX_FRAG_EDGES] = {90, 150, 220}, exp_nedges = 3;
static uint64_t exp_cls[NBINS][METCN_MAX_FRAG_EDGES + 1];
static int exp_ss_lo, exp_ss_hi, exp_dedup;
static char exp_dup_drop[MAXREC];
static char exp_site_kept[NSITE_MAX];

static int size_ok(const rec_t *r)
{
    int tlen = abs(r->tlen);
    return (r->flag & 0x1) && (r->flag & 0x2) && !(r->flag & 0x8) && r->mpos >= 0 && tlen > 0 &&
           tlen <= 1000 && tlen >= exp_ss_lo && tlen < exp_ss_hi;
}

static int reason(const rec_t *r, int min_mapq)
{
    if (r->flag & 0x4)
        return METCN_DROP_UNMAPPED;
    if (r->flag & 0x100)
        return METCN_DROP_SECONDARY;
    if (r->flag & 0x200)
        return METCN_DROP_QCFAIL;
    if (r->flag & 0x400)
        return METCN_DROP_DUPLICATE;
    if (r->flag & 0x800)
        return METCN_DROP_SUPPLEMENTARY;
    if (r->mapq < min_mapq)
        return METCN_DROP_MAPQ;
    if (exp_ss_hi && !size_ok(r))
        return METCN_DROP_FRAGLEN;
    if (exp_dedup && exp_dup_drop[r - recs])
        return METCN_DROP_DUPLICATE;
    return -1;
}

static int bin_of(int64_t pos)
{
    for (int i = 0; i < NBINS; i++)
        if (pos >= bins[i].start && pos < bins[i].end)
            return i;
    return -1;
}

/* Aligned reference positions of a record into out (returns how many). */
static int aligned_positions(const rec_t *r, int *out)
{
    int n_out = 0, p = r->pos;
    const char *c = r->cigar;
    if (strcmp(c, "*") == 0)
        return 0;
    while (*c) {
        int n = (int)strtol(c, (char **)&c, 10);
        char op = *c++;
        if (op == 'M')
            for (int k = p; k < p + n; k++)
                out[n_out++] = k;
        if (op == 'M' || op == 'D' || op == 'N')
            p += n;
    }
    return n_out;
}

static int exp_cov[CONTIG_LEN]; /* expected per-base depth (mate overlaps once) */

static void expectation(int min_mapq)
{
    int *cov = exp_cov;
    static int first_of[2 * NPAIRS + 200]; /* t0-t2999, single, e3001-..., copies t3100-... */
    int pos_buf[512];
    memset(exp_cov, 0, sizeof exp_cov);
    memset(exp_frag, 0, sizeof exp_frag);
    memset(exp_drop, 0, sizeof exp_drop);
    memset(exp_cls, 0, sizeof exp_cls);
    for (int i = 0; i < 2 * NPAIRS + 200; i++)
        first_of[i] = -1;
    /* Pass 1: the first counted mate of each template, in file order. */
    for (int i = 0; i < nrec; i++) {
        const rec_t *r = &recs[i];
        if (reason(r, min_mapq) >= 0)
            continue;
        int tmpl = strcmp(r->qname, "single") == 0 ? NPAIRS : atoi(r->qname + 1);
        if (first_of[tmpl] >= 0)
            continue;
        first_of[tmpl] = i;
    }
    /* Pass 2: every counted read adds its bases; a second mate skips the bases its first
     * mate aligned (each template's union counted once). */
    for (int i = 0; i < nrec; i++) {
        const rec_t *r = &recs[i];
        int why = reason(r, min_mapq);
        if (why >= 0) {
            int b = bin_of(r->pos);
            if (b >= 0)
                exp_drop[b][why]++;
            continue;
        }
        int tmpl = strcmp(r->qname, "single") == 0 ? NPAIRS : atoi(r->qname + 1);
        int n = aligned_positions(r, pos_buf);
        static char in_first[CONTIG_LEN];
        int second = first_of[tmpl] != i;
        int fbuf[512], nf = 0;
        if (second) {
            nf = aligned_positions(&recs[first_of[tmpl]], fbuf);
            for (int k = 0; k < nf; k++)
                in_first[fbuf[k]] = 1;
        }
        for (int k = 0; k < n; k++)
            if (!second || !in_first[pos_buf[k]])
                cov[pos_buf[k]]++;
        for (int k = 0; k < nf; k++)
            in_first[fbuf[k]] = 0;
        /* Fragment rule (docs/coverage.md). */
        int paired_same = (r->flag & 0x1) && !(r->flag & 0x8) && r->mpos >= 0;
        int tlen = abs(r->tlen);
        int64_t mid = -1;
        if (paired_same && tlen > 0 && tlen <= 1000) {
            if (r->pos < r->mpos || (r->pos == r->mpos && (r->flag & 0x40)))
                mid = (r->pos < r->mpos ? r->pos : r->mpos) + tlen / 2;
        } else if (!(r->flag & 0x1) || (r->flag & 0x8) || (r->flag & 0x40)) {
            mid = r->pos + r->reflen / 2;
        }
        /* Only a read whose span overlaps a bin is considered at all. */
        int touches = 0;
        for (int k = 0; k < NBINS; k++)
            touches |= r->pos < bins[k].end && r->pos + r->reflen > bins[k].start;
        int b = mid >= 0 && touches ? bin_of(mid) : -1;
        if (b >= 0) {
            exp_frag[b]++;
            if (paired_same && (r->flag & 0x2) && tlen > 0 && tlen <= 1000) {
                int k = 0;
                while (k < exp_nedges && exp_edges[k] <= tlen)
                    k++;
                exp_cls[b][k]++;
            }
        }
    }
    for (int b = 0; b < NBINS; b++) {
        double s = 0;
        for (int64_t k = bins[b].start; k < bins[b].end; k++)
            s += cov[k];
        exp_depth[b] = s / (double)(bins[b].end - bins[b].start);
    }
}

/* 1 when the engine looks at record r at all: its span meets a bin, or (sites_on) covers a
 * loaded site.  (Duplicates are decided among these records.) */
static int evaluated(const rec_t *r, int sites_on)
{
    int end = r->pos + (r->reflen > 0 ? r->reflen : 1);
    for (int k = 0; k < NBINS; k++)
        if (r->pos < bins[k].end && end > bins[k].start)
            return 1;
    for (int p = r->pos; sites_on && p < end && p < CONTIG_LEN; p++)
        if (site_at[p] && exp_site_kept[site_at[p] - 1])
            return 1;
    return 0;
}

/* Coordinate duplicates, naively: in file order, among the records that pass the other
 * filters and that the engine looks at, the first read with a key claims it; a later read
 * with the key is a duplicate, unless it is a read of a pair carrying the claimer's name. */
static void expect_dups(int min_mapq, int sites_on)
{
    static struct {
        int lo, hi, len, strand, pair;
        const char *name;
    } claim[MAXREC];
    int nclaim = 0;
    memset(exp_dup_drop, 0, sizeof exp_dup_drop);
    exp_dedup = 0; /* reason() without duplicates while deciding them */
    for (int i = 0; i < nrec; i++) {
        const rec_t *r = &recs[i];
        if (reason(r, min_mapq) >= 0 || !evaluated(r, sites_on))
            continue;
        int pair = (r->flag & 0x1) && !(r->flag & 0x8) && r->mpos >= 0;
        int lo = pair && r->mpos < r->pos ? r->mpos : r->pos;
        int hi = pair                                  ? (r->mpos > r->pos ? r->mpos : r->pos)
                 : (r->flag & 0x1) && !(r->flag & 0x8) ? r->mpos
                                                       : -1;
        int len = pair ? abs(r->tlen) : 0;
        int own = !!(r->flag & 0x10), mate = !!(r->flag & 0x20), strand = own;
        if (pair && r->pos < r->mpos)
            strand = own * 2 + mate;
        else if (pair && r->pos > r->mpos)
            strand = mate * 2 + own;
        else if (pair)
            strand = (own < mate ? own : mate) * 2 + (own < mate ? mate : own);
        int j = 0;
        while (j < nclaim && !(claim[j].lo == lo && claim[j].hi == hi && claim[j].len == len &&
                               claim[j].strand == strand && claim[j].pair == pair))
            j++;
        if (j < nclaim) {
            exp_dup_drop[i] = !pair || strcmp(claim[j].name, r->qname) != 0;
        } else {
            claim[nclaim].lo = lo, claim[nclaim].hi = hi, claim[nclaim].len = len;
            claim[nclaim].strand = strand, claim[nclaim].pair = pair;
            claim[nclaim++].name = r->qname;
        }
    }
    exp_dedup = 1;
}

/* Which sites are loaded: within flank bp of a bin, and not the position given twice in the
 * VCF (site_dup). */
static int site_dup;
static void expect_sites(int flank)
{
    for (int k = 0; k < nsite; k++) {
        exp_site_kept[k] = 0;
        for (int b = 0; b < NBINS; b++)
            exp_site_kept[k] |=
                site_pos[k] >= bins[b].start - flank && site_pos[k] < bins[b].end + flank;
        exp_site_kept[k] &= k != site_dup;
    }
}

/* The allele counts, naively: every observation of a read that passes the filters, grouped
 * by template name and site; one observation counts when its base is A/C/G/T and its quality
 * at least min_baseq; two are settled by the documented rule.  Also how often each case
 * arose, so that the test can insist that it covers them. */
static uint32_t exp_allele[NSITE_MAX][3];
static int n_del_at_site, n_agree, n_disagree, n_tie, n_lowq, n_single;
typedef struct {
    int site, cls, q;
    const char *name;
} obs_rec_t;

static int obs_cmp(const void *x, const void *y)
{
    const obs_rec_t *a = x, *b = y;
    return a->site != b->site ? a->site - b->site : strcmp(a->name, b->name);
}

static void expect_alleles(int min_mapq, int min_baseq)
{
    static obs_rec_t ob[8 * MAXREC];
    int n = 0;
    memset(exp_allele, 0, sizeof exp_allele);
    n_del_at_site = n_agree = n_disagree = n_tie = n_lowq = n_single = 0;
    for (int i = 0; i < nrec; i++) {
        const rec_t *r = &recs[i];
        if (reason(r, min_mapq) >= 0 || strcmp(r->cigar, "*") == 0)
            continue;
        int p = r->pos;
        for (const char *c = r->cigar; *c;) {
            int len = (int)strtol(c, (char **)&c, 10);
            char op = *c++;
            if (op != 'M' && op != 'D' && op != 'N')
                continue;
            for (int x = p; x < p + len; x++) {
                int k = site_at[x] - 1;
                if (k < 0 || !exp_site_kept[k])
                    continue;
                if (op != 'M') {
                    n_del_at_site++;
                    continue;
                }
                char b;
                int q;
                site_read(r, k, &b, &q);
                ob[n].site = k;
                ob[n].q = q;
                ob[n].name = r->qname;
                ob[n++].cls = b == site_ref[k] ? 0 : b == site_alt[k] ? 1 : b == 'N' ? 3 : 2;
            }
            p += len;
        }
    }
    qsort(ob, (size_t)n, sizeof *ob, obs_cmp);
    for (int i = 0; i < n;) {
        int j = i + 1;
        while (j < n && ob[j].site == ob[i].site && strcmp(ob[j].name, ob[i].name) == 0)
            j++;
        ck_assert_msg(j - i <= 2, "template %s: %d reads at one site", ob[i].name, j - i);
        int c1 = ob[i].cls, q1 = ob[i].q, p1 = c1 != 3 && q1 >= min_baseq, cls = 3;
        if (j - i == 1) {
            cls = p1 ? c1 : 3;
            n_single++;
        } else {
            int c2 = ob[i + 1].cls, q2 = ob[i + 1].q, p2 = c2 != 3 && q2 >= min_baseq;
            if (p1 && p2 && c1 == c2) {
                cls = c1;
                n_agree++;
            } else if (p1 && p2) {
                cls = q1 > q2 ? c1 : q2 > q1 ? c2 : 3;
                n_disagree++;
                n_tie += q1 == q2;
            } else {
                cls = p1 ? c1 : p2 ? c2 : 3;
                n_lowq++;
            }
        }
        if (cls != 3)
            exp_allele[ob[i].site][cls]++;
        i = j;
    }
}

/* The table's sites equal the loaded ones and their counts the expectation. */
static void check_alleles(const metcn_covtab_t *t, const char *what)
{
    ck_assert_msg(t->sites != NULL && t->sites->n > 0, "%s: no sites", what);
    /* the chr1 site first (panel order: chr1 before chrT), no reads there */
    ck_assert_str_eq(t->panel->contigs[t->sites->contig[0]].name, "chr1");
    ck_assert_int_eq(t->sites->pos[0], 149);
    ck_assert_uint_eq(t->sites->ref_count[0] + t->sites->alt_count[0], 0);
    size_t m = 1;
    for (int k = 0; k < nsite; k++) {
        if (!exp_site_kept[k])
            continue;
        ck_assert_msg(m < t->sites->n, "%s: too few sites", what);
        ck_assert_msg(t->sites->pos[m] == site_pos[k] && t->sites->ref[m] == site_ref[k] &&
                          t->sites->alt[m] == site_alt[k],
                      "%s: site %zu at %lld %c>%c, expected %d %c>%c", what, m,
                      (long long)t->sites->pos[m], t->sites->ref[m], t->sites->alt[m], site_pos[k],
                      site_ref[k], site_alt[k]);
        ck_assert_msg(t->sites->ref_count[m] == exp_allele[k][0] &&
                          t->sites->alt_count[m] == exp_allele[k][1] &&
                          t->sites->other_count[m] == exp_allele[k][2],
                      "%s: site %d: %u/%u/%u, expected %u/%u/%u", what, site_pos[k],
                      t->sites->ref_count[m], t->sites->alt_count[m], t->sites->other_count[m],
                      exp_allele[k][0], exp_allele[k][1], exp_allele[k][2]);
        m++;
    }
    ck_assert_msg(m == t->sites->n, "%s: %zu sites, expected %zu", what, t->sites->n, m);
}

/* Bins, fragments, classes and tallies of a table equal the expectation. */
static void check_bins(const metcn_covtab_t *t, const metcn_panel_t *p, const char *what)
{
    for (int b = 0; b < NBINS; b++) {
        long row = metcn_panel_find(p, "chrT", bins[b].start, bins[b].end);
        ck_assert_int_ge(row, 0);
        ck_assert_msg(t->fragments[row] == exp_frag[b] && fabs(t->depth[row] - exp_depth[b]) < 1e-9,
                      "%s bin %d: %llu fragments, depth %.6f; expected %llu, %.6f", what, b,
                      (unsigned long long)t->fragments[row], t->depth[row],
                      (unsigned long long)exp_frag[b], exp_depth[b]);
        for (int d = 0; d < METCN_N_DROP; d++)
            ck_assert_msg(t->dropped[row][d] == exp_drop[b][d], "%s bin %d %s: %llu, expected %llu",
                          what, b, metcn_drop_name((metcn_drop_t)d),
                          (unsigned long long)t->dropped[row][d],
                          (unsigned long long)exp_drop[b][d]);
        ck_assert_int_eq(t->n_frag_class, exp_nedges + 1);
        for (int k = 0; k <= exp_nedges; k++)
            ck_assert_msg(t->frag_class[(size_t)row * (size_t)t->n_frag_class + (size_t)k] ==
                              exp_cls[b][k],
                          "%s bin %d class %d: %llu, expected %llu", what, b, k,
                          (unsigned long long)t->frag_class[(size_t)row * t->n_frag_class + k],
                          (unsigned long long)exp_cls[b][k]);
    }
}

static metcn_panel_t *panel;

/* Aligned bases the truth puts in bin b (expectation() fills exp_cov). */
static int64_t truth_bases(const metcn_bin_t *b)
{
    int64_t sum = 0;
    for (int64_t k = b->start; k < b->end; k++)
        sum += exp_cov[k];
    return sum;
}

/* The panel in the BED at path, with its gene at region (CHR:S-E); the test fails if it
 * does not load. */
static metcn_panel_t *load_panel(const char *path, const char *region)
{
    metcn_panel_opt_t o;
    metcn_panel_opt_init(&o);
    (void)region; /* a panel holds no gene any more: coverage needs none */
    metcn_panel_t *p = metcn_panel_load(path, &o, NULL);
    ck_assert_msg(p != NULL, "%s", metcn_last_error());
    return p;
}

/* Coverage of the fixture file name over p with the default filters, the fixture reference
 * and the given threads (and streaming forced or not); the test fails if it cannot be
 * computed. */
static metcn_covtab_t *cover_with(const char *name, const metcn_panel_t *p, int threads, int stream)
{
    char path[160], ref[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(ref, sizeof ref, "%s/ref.fa", dir);
    metcn_cov_opt_t opt;
    metcn_cov_opt_init(&opt);
    opt.reference = ref;
    opt.threads = threads;
    opt.force_stream = stream;
    metcn_covtab_t *t = metcn_cov_compute(path, p, &opt);
    ck_assert_msg(t != NULL, "%s: %s", name, metcn_last_error());
    return t;
}

static metcn_covtab_t *cover(const char *name, const metcn_panel_t *p)
{
    return cover_with(name, p, 0, 0);
}

/* The site list: every site, with a second record at site_dup's position (both are left
 * out), an indel and a multi-allelic record (skipped), a site on chr1 (in its bin, no reads)
 * and one on a contig the panel lacks (ignored).  Plain or bgzipped. */
static void write_vcf(const char *name, int bgzf)
{
    char path[160];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    BGZF *out = bgzf_open(path, bgzf ? "w" : "wu");
    ck_assert_ptr_nonnull(out);
    kstring_t ks = KS_INITIALIZE;
    ksprintf(&ks,
             "##fileformat=VCFv4.2\n##contig=<ID=chr1,length=1000>\n"
             "##contig=<ID=chrT,length=%d>\n##contig=<ID=chrZ,length=1000>\n"
             "##INFO=<ID=AF,Number=A,Type=Float,Description=\"Allele frequency\">\n"
             "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n",
             CONTIG_LEN);
    ksprintf(&ks, "chr1\t150\t.\t%c\t%c\t.\t.\tAF=0.3\n", refseq[149],
             refseq[149] == 'T' ? 'A' : 'T');
    for (int k = 0; k < nsite; k++) {
        ksprintf(&ks, "chrT\t%d\ts%d\t%c\t%c\t.\tPASS\tAF=0.%d\n", site_pos[k] + 1, k, site_ref[k],
                 site_alt[k], 1 + k % 8);
        if (k == site_dup)
            ksprintf(&ks, "chrT\t%d\t.\t%c\t%c\t.\tPASS\t.\n", site_pos[k] + 1, site_ref[k],
                     site_alt[k] == 'A' ? 'C' : 'A');
        if (k == (4990 - 13) / SITE_STEP + 1) { /* an indel and a multi-allelic record in bin
                                                     4990-5110, after this site */
            ksprintf(&ks, "chrT\t5021\t.\t%cA\t%c\t.\t.\t.\n", refseq[5020], refseq[5020]);
            ksprintf(&ks, "chrT\t5041\t.\t%c\tA,C\t.\t.\t.\n", refseq[5040]);
        }
    }
    ksprintf(&ks, "chrZ\t100\t.\tA\tC\t.\t.\t.\n");
    ck_assert_int_eq(bgzf_write(out, ks.s, ks.l), (ssize_t)ks.l);
    free(ks.s);
    ck_assert_int_eq(bgzf_close(out), 0);
}

static void setup(void)
{
    metcn_init();
    metcn_log_set_level(METCN_LOG_ERROR);
    hts_set_log_level(HTS_LOG_OFF);
    snprintf(dir, sizeof dir, "/tmp/metcn_test_cov.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    for (int i = 0; i < CONTIG_LEN; i++)
        refseq[i] = "ACGT"[rnd(4)];
    make_sites();
    site_dup = (7000 - 13) / SITE_STEP + 1; /* a site in bin 7000-9000 */
    write_vcf("sites.vcf", 0);
    write_vcf("sites.vcf.gz", 1);
    make_records(0);
    write_files("reads");
    char path[128];
    snprintf(path, sizeof path, "%s/panel.bed", dir);
    FILE *fp = fopen(path, "w");
    for (int i = 0; i < NBINS; i++)
        fprintf(fp, "chrT\t%lld\t%lld\tb%d\n", (long long)bins[i].start, (long long)bins[i].end, i);
    fprintf(fp, "chr1\t100\t200\tother\n");
    fclose(fp);
    panel = load_panel(path, "chrT:4991-5110");
}

static void teardown(void)
{
    metcn_panel_destroy(panel);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static const struct {
    const char *file;
    int stream, min_mapq, threads;
} variants[] = {
    {"reads.bam", 0, 0, 0},  {"reads.bam", 1, 0, 0},  {"reads.cram", 0, 0, 0},
    {"reads.cram", 1, 0, 0}, {"reads.bam", 0, 20, 0}, {"reads.cram", 1, 20, 2},
    {"reads.bam", 1, 20, 1}, {"reads.bam", 0, 0, 1},  {"reads.cram", 0, 0, 3},
    {"reads.bam", 0, 20, 2},
};

START_TEST(test_exact)
{
    char path[128], ref[128];
    snprintf(path, sizeof path, "%s/%s", dir, variants[_i].file);
    snprintf(ref, sizeof ref, "%s/ref.fa", dir);
    metcn_cov_opt_t opt;
    metcn_cov_opt_init(&opt);
    opt.force_stream = variants[_i].stream;
    opt.min_mapq = variants[_i].min_mapq;
    opt.threads = variants[_i].threads;
    opt.reference = ref;
    expectation(opt.min_mapq);
    metcn_covtab_t *t = metcn_cov_compute(path, panel, &opt);
    ck_assert_msg(t != NULL, "%s: %s", variants[_i].file, metcn_last_error());
    ck_assert_str_eq(t->mode, variants[_i].stream ? "stream" : "index");
    ck_assert_str_eq(t->sample, "edge_sample");
    uint64_t total_frag = 0;
    for (int b = 0; b < NBINS; b++) {
        long row = metcn_panel_find(panel, "chrT", bins[b].start, bins[b].end);
        ck_assert_int_ge(row, 0);
        ck_assert_msg(t->fragments[row] == exp_frag[b],
                      "%s stream=%d Q=%d bin %d: fragments "
                      "%llu, expected %llu",
                      variants[_i].file, variants[_i].stream, opt.min_mapq, b,
                      (unsigned long long)t->fragments[row], (unsigned long long)exp_frag[b]);
        ck_assert_msg(fabs(t->depth[row] - exp_depth[b]) < 1e-9,
                      "%s stream=%d Q=%d bin %d: depth %.6f, expected %.6f", variants[_i].file,
                      variants[_i].stream, opt.min_mapq, b, t->depth[row], exp_depth[b]);
        for (int d = 0; d < METCN_N_DROP; d++)
            ck_assert_msg(t->dropped[row][d] == exp_drop[b][d], "bin %d %s: %llu, expected %llu", b,
                          metcn_drop_name((metcn_drop_t)d), (unsigned long long)t->dropped[row][d],
                          (unsigned long long)exp_drop[b][d]);
        total_frag += exp_frag[b];
        ck_assert_msg(isfinite(t->gc[row]) && t->gc[row] >= 0 && t->gc[row] <= 1, "gc %f",
                      t->gc[row]);
    }
    ck_assert_msg(total_frag > 300, "the test covers too few fragments (%llu)",
                  (unsigned long long)total_frag);
    metcn_covtab_destroy(t);
}
END_TEST

/* A panel that tiles every contig holding reads end to end: the index would skip nothing, so
 * the engine streams (mode "stream" with an index present) and every tile's depth equals the
 * per-base truth.  One base short of the contig end, it uses the index again, with the same
 * numbers.  BAM (.bai) and CRAM (.crai). */
START_TEST(test_tiled)
{
    const char *files[] = {"reads.bam", "reads.cram"};
    char bed[128];
    snprintf(bed, sizeof bed, "%s/tiles.bed", dir);
    expectation(0);
    for (int whole = 1; whole >= 0; whole--) {
        FILE *fp = fopen(bed, "w");
        ck_assert_ptr_nonnull(fp);
        for (int s = 0; s < CONTIG_LEN; s += 1000)
            fprintf(fp, "chrT\t%d\t%d\tt%d\n", s,
                    s + 1000 < CONTIG_LEN ? s + 1000 : CONTIG_LEN - !whole, s);
        fclose(fp);
        metcn_panel_t *tp = load_panel(bed, "chrT:4991-5110");
        for (int f = 0; f < 2; f++) {
            metcn_covtab_t *t = cover(files[f], tp);
            ck_assert_str_eq(t->mode, whole ? "stream" : "index");
            for (size_t i = 0; i < tp->n_bins; i++) {
                const metcn_bin_t *b = &tp->bins[i];
                int64_t sum = truth_bases(b);
                ck_assert_msg(llround(t->depth[i] * (double)(b->end - b->start)) == sum,
                              "%s whole=%d tile %zu: %.3f bases, expected %lld", files[f], whole, i,
                              t->depth[i] * (double)(b->end - b->start), (long long)sum);
            }
            metcn_covtab_destroy(t);
        }
        metcn_panel_destroy(tp);
    }
    /* Bins that tile chr1 (no reads) but none on chrT (all the reads): the index is kept,
     * whether the index says so by its per-contig counts (BAI) or by a query (CRAI). */
    FILE *fp = fopen(bed, "w");
    ck_assert_ptr_nonnull(fp);
    fprintf(fp, "chr1\t0\t500\ta\nchr1\t500\t1000\tb\n");
    fclose(fp);
    metcn_panel_t *tp = load_panel(bed, "chr1:100-200");
    for (int f = 0; f < 2; f++) {
        metcn_covtab_t *t = cover(files[f], tp);
        ck_assert_str_eq(t->mode, "index");
        ck_assert(t->depth[0] == 0.0 && t->depth[1] == 0.0);
        metcn_covtab_destroy(t);
    }
    metcn_panel_destroy(tp);
}
END_TEST

/* Parallel readers (-@ N with an index: N + 1 readers, each over a run of the bins) give the
 * table of one streaming reader, wherever the cuts between them fall: tiles that touch (reads,
 * mate overlaps and fragments cross every cut, and fragment midpoints fall in the next
 * reader's bins), tiles with gaps, and one bin (a single reader with the thread pool).  BAM
 * and CRAM, 1 to 7 extra threads; the depths also equal the per-base truth. */
START_TEST(test_parallel)
{
    const char *files[] = {"reads.bam", "reads.cram"};
    const int widths[] = {1000, 100, 37, 2000};
    char bed[128];
    snprintf(bed, sizeof bed, "%s/par.bed", dir);
    expectation(0);
    for (int w = 0; w < 4; w++) {
        FILE *fp = fopen(bed, "w");
        ck_assert_ptr_nonnull(fp);
        if (widths[w] == 2000) /* one bin */
            fprintf(fp, "chrT\t4000\t6000\tone\n");
        for (int s = 0; widths[w] < 2000 && s < CONTIG_LEN; s += widths[w])
            if (widths[w] != 37 || (s / 37) % 3 != 2) /* 37: every third bin left out */
                fprintf(fp, "chrT\t%d\t%d\tp%d\n", s,
                        s + widths[w] < CONTIG_LEN ? s + widths[w] : CONTIG_LEN, s);
        fclose(fp);
        metcn_panel_t *tp = load_panel(bed, "chrT:4991-5110");
        for (int f = 0; f < 2; f++) {
            metcn_covtab_t *one = cover_with(files[f], tp, 0, 1);
            uint64_t frags = 0;
            for (size_t i = 0; i < tp->n_bins; i++) {
                const metcn_bin_t *b = &tp->bins[i];
                int64_t sum = truth_bases(b);
                ck_assert_msg(llround(one->depth[i] * (double)(b->end - b->start)) == sum,
                              "%s width %d bin %zu: %.3f bases, expected %lld", files[f], widths[w],
                              i, one->depth[i] * (double)(b->end - b->start), (long long)sum);
                frags += one->fragments[i];
            }
            ck_assert_msg(frags > 100, "too few fragments (%llu)", (unsigned long long)frags);
            for (int th = 1; th <= 7; th++) {
                metcn_covtab_t *t = cover_with(files[f], tp, th, 0);
                ck_assert_str_eq(t->mode, "index");
                for (size_t i = 0; i < tp->n_bins; i++) {
                    ck_assert_msg(
                        t->fragments[i] == one->fragments[i] && t->depth[i] == one->depth[i],
                        "%s width %d, %d threads, bin %zu: %llu fragments, depth %.4f; "
                        "one reader: %llu, %.4f",
                        files[f], widths[w], th, i, (unsigned long long)t->fragments[i],
                        t->depth[i], (unsigned long long)one->fragments[i], one->depth[i]);
                    ck_assert(memcmp(t->dropped[i], one->dropped[i], sizeof t->dropped[i]) == 0);
                }
                metcn_covtab_destroy(t);
            }
            metcn_covtab_destroy(one);
        }
        metcn_panel_destroy(tp);
    }
}
END_TEST

static void log_keep(metcn_log_level_t level, const char *msg, void *userdata)
{
    (void)level;
    kstring_t *ks = userdata;
    kputs(msg, ks);
    kputc('\n', ks);
}

/* A pile of 3,000 templates in 100 bp with overlapping mates: thousands of first mates wait
 * at once, so the primary mate table fills, its slots collide (those reads go to the
 * secondary) and it grows; the counts still equal the truth, BAM and CRAM, streamed and
 * indexed, with and without parallel readers.  Run 0 mixes CIGARs (the multi-block first mates
 * keep the secondary table busy); run 1 has only "100M" reads, so the secondary is empty until
 * a primary slot is found held, and every collision takes the fast path's own turn. */
START_TEST(test_pileup)
{
    static rec_t keep[sizeof recs / sizeof recs[0]];
    int nkeep = nrec;
    memcpy(keep, recs, sizeof recs);
    one_block_only = _i;
    make_records(1);
    one_block_only = 0;
    write_files("pile");
    expectation(0);
    const struct {
        const char *file;
        int stream, threads;
    } v[] = {{"pile.bam", 1, 0}, {"pile.cram", 1, 0}, {"pile.bam", 0, 0}, {"pile.cram", 0, 2}};
    for (size_t k = 0; k < sizeof v / sizeof v[0]; k++) {
        kstring_t log = KS_INITIALIZE;
        if (v[k].threads == 0) {
            metcn_log_set_hook(log_keep, &log);
            metcn_log_set_level(METCN_LOG_DEBUG);
        }
        metcn_covtab_t *t = cover_with(v[k].file, panel, v[k].threads, v[k].stream);
        metcn_log_set_hook(NULL, NULL);
        metcn_log_set_level(METCN_LOG_ERROR);
        if (v[k].threads == 0) { /* the pile made the primary table grow */
            const char *m = log.s ? strstr(log.s, "mate tables: primary ") : NULL;
            ck_assert_msg(m && atol(m + strlen("mate tables: primary ")) > 1024, "%s: %s",
                          v[k].file, log.s ? log.s : "(no log)");
        }
        free(log.s);
        for (int b = 0; b < NBINS; b++) {
            long row = metcn_panel_find(panel, "chrT", bins[b].start, bins[b].end);
            ck_assert_int_ge(row, 0);
            ck_assert_msg(
                t->fragments[row] == exp_frag[b] && fabs(t->depth[row] - exp_depth[b]) < 1e-9,
                "%s stream=%d threads=%d bin %d: %llu fragments, depth %.6f; expected "
                "%llu, %.6f",
                v[k].file, v[k].stream, v[k].threads, b, (unsigned long long)t->fragments[row],
                t->depth[row], (unsigned long long)exp_frag[b], exp_depth[b]);
        }
        ck_assert(bins[5].start == 7000 && bins[5].end == 9000); /* the bin of the pile */
        ck_assert_msg(exp_depth[5] > 100.0 && exp_frag[5] > 2000, "pile too thin: %.1f, %llu",
                      exp_depth[5], (unsigned long long)exp_frag[5]);
        metcn_covtab_destroy(t);
    }
    memcpy(recs, keep, sizeof recs);
    nrec = nkeep;
}
END_TEST

/* Mates at the edges of what the engine's shortcuts may take (docs/coverage.md):
 * - mates that overlap by exactly one base, and a first mate longer than any other: a second
 *   mate looks its first mate up only when it starts within the longest span ever put, so a
 *   one-base overlap, or a second mate beyond the ordinary read length from its long first
 *   mate, must still be found (the second mates of two pairs cross the end of their bin);
 * - a read that ends one base into the next bin, one that ends exactly where its bin starts
 *   (it counts nowhere, not even its fragment, whose midpoint is in the bin), and fragments
 *   whose midpoint is the first base after their first mate's bin: the next bin's first base
 *   (it counts there), or in a gap (it counts nowhere);
 *   each comes after a read that moved the cursor to that bin, so the fast path is asked.
 * Run 1 puts them after a pile of 3,000 overlapping pairs, so that the primary mate table has
 * grown and reads with no business with the tables skip them: the one-base overlap with the
 * long first mate is then at the limit of that skip. */
START_TEST(test_mate_edges)
{
    static rec_t keep[sizeof recs / sizeof recs[0]];
    int nkeep = nrec;
    memcpy(keep, recs, sizeof recs);
    const struct {
        int apos, bpos;
        const char *acig, *bcig;
        int alen, blen;
    } pairs[] = {
        {15100, 15199, "100M", "100M", 100, 100}, /* one base, both inside the bin */
        {15150, 15150, "100M", "100M", 100, 100}, /* both at one position */
        {2450, 2549, "100M", "100M", 100, 100},   /* one base, the second crosses 2600 */
        {18800, 18930, "150M", "100M", 150, 100}, /* 20 bases, 130 bp apart: > 100 */
        {18800, 18949, "150M", "100M", 150, 100}, /* one base, 149 bp apart */
        {10, 30, "100M", "100M", 100, 100},       /* the cursor at bin 0-150 */
        {51, 120, "100M", "100M", 100, 100},      /* ends one base into bin 150-400 */
        {100, 170, "30M", "30M", 30, 30},         /* midpoint 150, the next bin's first base */
        {11000, 11050, "100M", "100M", 100, 100}, /* in a gap: the cursor at 12000-12033 */
        {11990, 12046, "30M", "30M", 30, 30},     /* midpoint 12033, the first base after */
        {13000, 13100, "100M", "100M", 100, 100}, /* in a gap: the cursor at 15000-19000 */
        {14900, 15100, "100M", "100M", 100, 100}, /* ends at 15000, midpoint 15050 */
    };
    if (_i) {
        one_block_only = 1;
        make_records(1);
        one_block_only = 0;
    } else {
        nrec = 0;
    }
    for (int i = 0; i < (int)(sizeof pairs / sizeof pairs[0]); i++) {
        rec_t *a = &recs[nrec++], *b = &recs[nrec++];
        memset(a, 0, sizeof *a);
        memset(b, 0, sizeof *b);
        snprintf(a->qname, sizeof a->qname, "e%d", NPAIRS + 1 + i);
        snprintf(b->qname, sizeof b->qname, "e%d", NPAIRS + 1 + i);
        snprintf(a->cigar, sizeof a->cigar, "%s", pairs[i].acig);
        snprintf(b->cigar, sizeof b->cigar, "%s", pairs[i].bcig);
        a->reflen = pairs[i].alen, b->reflen = pairs[i].blen;
        a->pos = pairs[i].apos, b->pos = pairs[i].bpos;
        a->mpos = b->pos, b->mpos = a->pos;
        int end = a->pos + a->reflen > b->pos + b->reflen ? a->pos + a->reflen : b->pos + b->reflen;
        a->tlen = end - a->pos, b->tlen = -(end - a->pos);
        a->flag = 0x1 | 0x2 | 0x20 | 0x40;
        b->flag = 0x1 | 0x2 | 0x10 | 0x80;
        a->mapq = b->mapq = 60;
    }
    write_files("edge");
    expectation(0);
    ck_assert_msg(exp_depth[7] > 0.0 && exp_depth[1] > 0.0, "no reads in bins 1 and 7");
    ck_assert_msg(exp_frag[6] == 0 && exp_frag[7] >= 3, "bins 6 and 7: %llu and %llu fragments",
                  (unsigned long long)exp_frag[6], (unsigned long long)exp_frag[7]);
    const struct {
        const char *file;
        int stream;
    } v[] = {{"edge.bam", 1}, {"edge.cram", 1}, {"edge.bam", 0}, {"edge.cram", 0}};
    for (size_t k = 0; k < sizeof v / sizeof v[0]; k++) {
        kstring_t log = KS_INITIALIZE;
        metcn_log_set_hook(log_keep, &log);
        metcn_log_set_level(METCN_LOG_DEBUG);
        metcn_covtab_t *t = cover_with(v[k].file, panel, 0, v[k].stream);
        metcn_log_set_hook(NULL, NULL);
        metcn_log_set_level(METCN_LOG_ERROR);
        const char *m = log.s ? strstr(log.s, "mate tables: primary ") : NULL;
        ck_assert_msg(m && (atol(m + strlen("mate tables: primary ")) > 1024) == _i, "%s: %s",
                      v[k].file, log.s ? log.s : "(no log)");
        free(log.s);
        for (int b = 0; b < NBINS; b++) {
            long row = metcn_panel_find(panel, "chrT", bins[b].start, bins[b].end);
            ck_assert_int_ge(row, 0);
            ck_assert_msg(t->fragments[row] == exp_frag[b] &&
                              fabs(t->depth[row] - exp_depth[b]) < 1e-9,
                          "%s stream=%d pile=%d bin %d: %llu fragments, depth %.6f; expected "
                          "%llu, %.6f",
                          v[k].file, v[k].stream, _i, b, (unsigned long long)t->fragments[row],
                          t->depth[row], (unsigned long long)exp_frag[b], exp_depth[b]);
        }
        metcn_covtab_destroy(t);
    }
    memcpy(recs, keep, sizeof recs);
    nrec = nkeep;
}
END_TEST

/* Two readers split the bins by the bytes the index points to, not by length: 20 tiles of
 * 100 bp on chrT (all the reads) and 100 tiles of 10 bp on chr1 (no reads) give each reader 10
 * chrT tiles (the chr1 tiles weigh nothing); by length the first would get 15. */
START_TEST(test_split)
{
    const char *files[] = {"reads.bam", "reads.cram"};
    char bed[128];
    snprintf(bed, sizeof bed, "%s/split.bed", dir);
    FILE *fp = fopen(bed, "w");
    ck_assert_ptr_nonnull(fp);
    for (int s = 0; s < 2000; s += 100)
        fprintf(fp, "chrT\t%d\t%d\n", s, s + 100);
    for (int s = 0; s < 1000; s += 10)
        fprintf(fp, "chr1\t%d\t%d\n", s, s + 10);
    fclose(fp);
    metcn_panel_t *tp = load_panel(bed, "chrT:4991-5110");
    for (int f = 0; f < 2; f++) {
        kstring_t log = KS_INITIALIZE;
        metcn_log_set_hook(log_keep, &log);
        metcn_log_set_level(METCN_LOG_INFO);
        metcn_covtab_t *t = cover_with(files[f], tp, 1, 0);
        metcn_log_set_hook(NULL, NULL);
        metcn_log_set_level(METCN_LOG_ERROR);
        ck_assert_msg(strstr(log.s, "reader 0 reads 10 bins (split by the bytes") &&
                          strstr(log.s, "reader 1 reads 110 bins (split by the bytes"),
                      "%s: %s", files[f], log.s);
        metcn_covtab_destroy(t);
        free(log.s);
    }
    metcn_panel_destroy(tp);
}
END_TEST

/* Coverage of the fixture file name over p with the test's options: the fixture reference, the
 * given threads and streaming, and what opt_in sets beyond the defaults. */
static metcn_covtab_t *cover_opt(const char *name, const metcn_panel_t *p, metcn_cov_opt_t *opt)
{
    char path[160], ref[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(ref, sizeof ref, "%s/ref.fa", dir);
    opt->reference = ref;
    metcn_covtab_t *t = metcn_cov_compute(path, p, opt);
    opt->reference = NULL;
    ck_assert_msg(t != NULL, "%s: %s", name, metcn_last_error());
    return t;
}

/* Allele counts at the sites equal the naive count (observations grouped by template): BAM
 * and CRAM (whose bases are now decoded), streamed and indexed, with parallel readers (each
 * counts the sites nearest its bins), with a MAPQ filter, other base-quality thresholds, no
 * flank, and a bgzipped VCF.  The bins are unchanged by the sites.  The data must hold every
 * case: a site in a deletion or a skip, mates that agree, disagree (with equal qualities
 * too), a base below the quality threshold, and a read alone at a site. */
static const struct {
    const char *file, *vcf;
    int stream, threads, min_mapq, min_baseq, flank;
} allele_variants[] = {
    {"reads.bam", "sites.vcf", 1, 0, 0, 20, 150},  {"reads.bam", "sites.vcf.gz", 0, 0, 0, 20, 150},
    {"reads.cram", "sites.vcf", 0, 0, 0, 20, 150}, {"reads.cram", "sites.vcf", 1, 0, 20, 20, 150},
    {"reads.bam", "sites.vcf", 0, 2, 0, 20, 150},  {"reads.cram", "sites.vcf.gz", 0, 3, 0, 30, 150},
    {"reads.bam", "sites.vcf", 0, 1, 20, 0, 150},  {"reads.bam", "sites.vcf", 1, 0, 0, 20, 0},
    {"reads.cram", "sites.vcf", 0, 2, 0, 21, 400},
};

START_TEST(test_alleles)
{
    char vcf[160];
    snprintf(vcf, sizeof vcf, "%s/%s", dir, allele_variants[_i].vcf);
    metcn_cov_opt_t opt;
    metcn_cov_opt_init(&opt);
    opt.snps = vcf;
    opt.force_stream = allele_variants[_i].stream;
    opt.threads = allele_variants[_i].threads;
    opt.min_mapq = allele_variants[_i].min_mapq;
    opt.min_baseq = allele_variants[_i].min_baseq;
    opt.snp_flank = allele_variants[_i].flank;
    expect_sites(allele_variants[_i].flank);
    expectation(opt.min_mapq);
    expect_alleles(opt.min_mapq, opt.min_baseq);
    ck_assert_msg(n_del_at_site > 0 && n_agree > 0 && n_disagree > 0 && n_tie > 0 && n_lowq > 0 &&
                      n_single > 0,
                  "cases: deletion %d, agree %d, disagree %d (tie %d), low quality %d, alone %d",
                  n_del_at_site, n_agree, n_disagree, n_tie, n_lowq, n_single);
    metcn_covtab_t *t = cover_opt(allele_variants[_i].file, panel, &opt);
    char what[160];
    snprintf(what, sizeof what, "%s %s stream=%d threads=%d Q=%d q=%d flank=%d",
             allele_variants[_i].file, allele_variants[_i].vcf, opt.force_stream, opt.threads,
             opt.min_mapq, opt.min_baseq, (int)opt.snp_flank);
    check_bins(t, panel, what);
    check_alleles(t, what);
    ck_assert_uint_eq(t->sites->n_skipped, 4); /* the indel, the multi-allelic, the repeated two */
    ck_assert_int_eq(t->sites->min_baseq, opt.min_baseq);
    uint64_t total = 0;
    for (size_t i = 0; i < t->sites->n; i++)
        total += t->sites->ref_count[i] + t->sites->alt_count[i];
    ck_assert_msg(total > 1000, "%s: only %llu alleles counted", what, (unsigned long long)total);
    metcn_covtab_destroy(t);
}
END_TEST

/* Fragment-length classes per bin equal the naive count, for the default edges and others;
 * metcn_covtab_frags_between() sums whole classes and refuses a bound that is not an edge. */
START_TEST(test_frag_classes)
{
    static const int edges[3][4] = {{90, 150, 220, 0}, {100, 300, 0, 0}, {150, 0, 0, 0}};
    static const int nedges[3] = {3, 2, 1};
    const struct {
        const char *file;
        int stream, threads;
    } v[] = {{"reads.bam", 1, 0}, {"reads.cram", 0, 0}, {"reads.bam", 0, 2}, {"reads.cram", 1, 1}};
    for (int e = 0; e < 3; e++) {
        exp_nedges = nedges[e];
        memcpy(exp_edges, edges[e], sizeof edges[e]);
        expectation(0);
        int used = 0;
        for (int k = 0; k <= exp_nedges; k++) {
            uint64_t c = 0;
            for (int b = 0; b < NBINS; b++)
                c += exp_cls[b][k];
            used += c > 20;
        }
        ck_assert_msg(used >= 2, "edges %d: too few classes in use", e);
        for (size_t k = 0; k < sizeof v / sizeof v[0]; k++) {
            metcn_cov_opt_t opt;
            metcn_cov_opt_init(&opt);
            opt.n_frag_edges = nedges[e];
            memcpy(opt.frag_edges, edges[e], sizeof edges[e]);
            opt.force_stream = v[k].stream;
            opt.threads = v[k].threads;
            metcn_covtab_t *t = cover_opt(v[k].file, panel, &opt);
            char what[128];
            snprintf(what, sizeof what, "%s edges %d stream=%d threads=%d", v[k].file, e,
                     v[k].stream, v[k].threads);
            check_bins(t, panel, what);
            for (size_t row = 0; row < t->n; row++) {
                uint64_t sum = 0;
                for (int c = 0; c < t->n_frag_class; c++)
                    sum += t->frag_class[row * (size_t)t->n_frag_class + (size_t)c];
                ck_assert_int_eq(metcn_covtab_frags_between(t, row, 0, 1001), (int64_t)sum);
                ck_assert_msg(sum <= t->fragments[row], "%s: classes above the fragments", what);
                if (e == 0)
                    ck_assert_int_eq(
                        metcn_covtab_frags_between(t, row, 90, 220),
                        (int64_t)(t->frag_class[row * 4 + 1] + t->frag_class[row * 4 + 2]));
            }
            ck_assert_int_eq(metcn_covtab_frags_between(t, 0, 0, 123), -1);
            metcn_covtab_destroy(t);
        }
    }
    exp_nedges = 3;
    memcpy(exp_edges, edges[0], sizeof edges[0]);
}
END_TEST

/* In-silico size selection: only reads of proper pairs with MIN <= |TLEN| < MAX count (depth,
 * fragments, classes, alleles), the others are tallied as dropped_fraglen; the fast path and
 * the general one agree with the naive count, streamed, indexed and with parallel readers. */
START_TEST(test_size_select)
{
    static const int range[2][2] = {{100, 250}, {90, 150}};
    char vcf[160];
    snprintf(vcf, sizeof vcf, "%s/sites.vcf", dir);
    const struct {
        const char *file;
        int stream, threads, sites;
    } v[] = {{"reads.bam", 1, 0, 0}, {"reads.cram", 0, 0, 1}, {"reads.bam", 0, 2, 1}};
    for (int g = 0; g < 2; g++) {
        exp_ss_lo = range[g][0];
        exp_ss_hi = range[g][1];
        expect_sites(150);
        expectation(0);
        expect_alleles(0, 20);
        uint64_t fl = 0;
        for (int b = 0; b < NBINS; b++)
            fl += exp_drop[b][METCN_DROP_FRAGLEN];
        ck_assert_msg(fl > 100, "too few reads outside the selection (%llu)",
                      (unsigned long long)fl);
        for (size_t k = 0; k < sizeof v / sizeof v[0]; k++) {
            metcn_cov_opt_t opt;
            metcn_cov_opt_init(&opt);
            opt.size_min = range[g][0];
            opt.size_max = range[g][1];
            opt.force_stream = v[k].stream;
            opt.threads = v[k].threads;
            opt.snps = v[k].sites ? vcf : NULL;
            metcn_covtab_t *t = cover_opt(v[k].file, panel, &opt);
            char what[128];
            snprintf(what, sizeof what, "%s %d-%d stream=%d threads=%d", v[k].file, range[g][0],
                     range[g][1], v[k].stream, v[k].threads);
            check_bins(t, panel, what);
            if (v[k].sites)
                check_alleles(t, what);
            ck_assert_int_eq(t->size_min, range[g][0]);
            ck_assert_int_eq(t->size_max, range[g][1]);
            metcn_covtab_destroy(t);
        }
    }
    exp_ss_lo = exp_ss_hi = 0;
}
END_TEST

/* Coordinate duplicates: a fifth of the templates get an unflagged copy (another name, the same
 * coordinates); for half of them the copy's second mate comes first at its position, so the
 * claim must follow the name, not the order.  --dedup coord equals the naive collapse (bins,
 * tallies, classes, alleles), streamed and indexed, BAM and CRAM; and its depths and fragments
 * equal those of a run on the same records with the copies flagged 0x400 (whichever copy of a
 * fragment is kept, it is the same alignment).  Two distinct templates that happen to share
 * their coordinates are collapsed too (the test data have a few): coordinates cannot tell them
 * apart. */
/* Append to recs an unflagged (or, with flagged, 0x400) copy of every fifth template of the n
 * records in src, under another name; for half of them the copy's second mate sorts first at
 * its position.  Returns the number of records added. */
static int add_copies(const rec_t *src, int n, int flagged)
{
    int added = 0;
    for (int i = 0; i < n; i++) {
        const rec_t *r = &src[i];
        if (r->qname[0] != 't' || (r->flag & 0x900) || atoi(r->qname + 1) % 5 != 0)
            continue;
        int id = atoi(r->qname + 1);
        rec_t *c = &recs[nrec++];
        *c = *r;
        snprintf(c->qname, sizeof c->qname, "t%05d", NPAIRS + 100 + id);
        c->tie = (id / 5) % 2 && (r->pos > r->mpos || (r->flag & 0x80)) ? -1 : 0;
        c->flag |= flagged ? 0x400 : 0;
        added++;
    }
    return added;
}

START_TEST(test_dedup)
{
    static rec_t keep[MAXREC];
    int nkeep = nrec;
    memcpy(keep, recs, sizeof recs);
    for (int flagged = 0; flagged < 2; flagged++) {
        memcpy(recs, keep, sizeof recs);
        nrec = nkeep;
        int ncopy = add_copies(keep, nkeep, flagged);
        ck_assert_msg(ncopy > 1000, "%d copies", ncopy);
        write_files(flagged ? "dupf" : "dup");
    }
    /* dup.* holds the unflagged copies; recs now holds the flagged records in file order */
    char vcf[160];
    snprintf(vcf, sizeof vcf, "%s/sites.vcf", dir);
    metcn_cov_opt_t opt;
    metcn_cov_opt_init(&opt);
    opt.dedup = METCN_DEDUP_COORD;
    metcn_covtab_t *flag_tab = cover_opt("dupf.bam", panel, &opt);
    /* the naive expectation over the unflagged file's records, in its order */
    memcpy(recs, keep, sizeof recs);
    nrec = nkeep;
    add_copies(keep, nkeep, 0);
    qsort(recs, (size_t)nrec, sizeof *recs, rec_cmp);
    const struct {
        const char *file;
        int stream, threads, sites;
    } v[] = {
        {"dup.bam", 1, 0, 0}, {"dup.bam", 0, 0, 1}, {"dup.cram", 0, 2, 1}, {"dup.cram", 1, 0, 1}};
    for (size_t k = 0; k < sizeof v / sizeof v[0]; k++) {
        expect_sites(150);
        expect_dups(0, v[k].sites);
        expectation(0);
        expect_alleles(0, 20);
        int ndup = 0;
        for (int i = 0; i < nrec; i++)
            ndup += exp_dup_drop[i];
        ck_assert_msg(ndup > 150, "only %d duplicates", ndup);
        metcn_cov_opt_init(&opt);
        opt.dedup = METCN_DEDUP_COORD;
        opt.force_stream = v[k].stream;
        opt.threads = v[k].threads;
        opt.snps = v[k].sites ? vcf : NULL;
        metcn_covtab_t *t = cover_opt(v[k].file, panel, &opt);
        char what[128];
        snprintf(what, sizeof what, "%s stream=%d threads=%d sites=%d", v[k].file, v[k].stream,
                 v[k].threads, v[k].sites);
        check_bins(t, panel, what);
        if (v[k].sites)
            check_alleles(t, what);
        ck_assert_int_eq(t->dedup, METCN_DEDUP_COORD);
        for (size_t i = 0; !v[k].sites && i < t->n; i++) /* = the flagged copies */
            ck_assert_msg(
                t->fragments[i] == flag_tab->fragments[i] && t->depth[i] == flag_tab->depth[i] &&
                    memcmp(t->dropped[i], flag_tab->dropped[i], sizeof t->dropped[i]) == 0,
                "%s bin %zu: differs from the flagged copies: %llu %f %llu vs %llu %f %llu", what,
                i, (unsigned long long)t->fragments[i], t->depth[i],
                (unsigned long long)t->dropped[i][METCN_DROP_DUPLICATE],
                (unsigned long long)flag_tab->fragments[i], flag_tab->depth[i],
                (unsigned long long)flag_tab->dropped[i][METCN_DROP_DUPLICATE]);
        metcn_covtab_destroy(t);
    }
    metcn_covtab_destroy(flag_tab);
    exp_dedup = 0;
    memcpy(recs, keep, sizeof recs);
    nrec = nkeep;
}
END_TEST

/* GC of a bin equals a direct count on the reference. */
START_TEST(test_gc)
{
    char ref[128];
    snprintf(ref, sizeof ref, "%s/ref.fa", dir);
    double gc[16];
    ck_assert_int_eq(metcn_gc_compute(panel, ref, gc), 0);
    for (int b = 0; b < NBINS; b++) {
        long row = metcn_panel_find(panel, "chrT", bins[b].start, bins[b].end);
        int g = 0;
        for (int64_t k = bins[b].start; k < bins[b].end; k++)
            g += refseq[k] == 'G' || refseq[k] == 'C';
        ck_assert_double_eq_tol(gc[row], (double)g / (double)(bins[b].end - bins[b].start), 1e-12);
    }
}
END_TEST

/* GC over long bins (more than 255 16-byte rounds of the SSE2 counter, odd starts and ends) of
 * a FASTA with soft-masked bases, N and IUPAC codes: equal to a direct count, G+C over
 * A+C+G+T of either case. */
START_TEST(test_gc_long)
{
    static char seq[CONTIG_LEN + 1];
    memcpy(seq, refseq, sizeof seq);
    for (int i = 0; i < CONTIG_LEN; i++) {
        if (i % 7 == 3)
            seq[i] = (char)tolower((unsigned char)seq[i]);
        if (i % 101 == 5)
            seq[i] = "NnRYSWKMryswkm"[i % 14];
    }
    char fa[160], bed[160];
    snprintf(fa, sizeof fa, "%s/long.fa", dir);
    snprintf(bed, sizeof bed, "%s/long.bed", dir);
    FILE *fp = fopen(fa, "w");
    ck_assert_ptr_nonnull(fp);
    fprintf(fp, ">chrT\n");
    for (int i = 0; i < CONTIG_LEN; i += 71)
        fprintf(fp, "%.71s\n", seq + i);
    fclose(fp);
    ck_assert_int_eq(fai_build(fa), 0);
    const int span[][2] = {{0, 9000}, {9003, 19999}, {19999, CONTIG_LEN}};
    fp = fopen(bed, "w");
    ck_assert_ptr_nonnull(fp);
    for (int k = 0; k < 3; k++)
        fprintf(fp, "chrT\t%d\t%d\tb%d\n", span[k][0], span[k][1], k);
    fclose(fp);
    metcn_panel_t *lp = load_panel(bed, "chrT:4991-5110");
    double gc[3];
    ck_assert_msg(metcn_gc_compute(lp, fa, gc) == 0, "%s", metcn_last_error());
    for (int k = 0; k < 3; k++) {
        long g = 0, at = 0;
        for (int i = span[k][0]; i < span[k][1]; i++) {
            int c = toupper((unsigned char)seq[i]);
            g += c == 'G' || c == 'C';
            at += c == 'A' || c == 'T';
        }
        ck_assert_msg(g + at > 0 && fabs(gc[k] - (double)g / (double)(g + at)) < 1e-12,
                      "bin %d: gc %.9f, expected %ld/%ld", k, gc[k], g, g + at);
    }
    metcn_panel_destroy(lp);
}
END_TEST

/* The FASTA reader behind GC and the CRAM check: GC and MD5 equal a direct count on the
 * sequence for an odd line width with soft-masked (lower-case) bases, CRLF line ends, and a
 * bgzipped FASTA; the sequence dictionary beside a FASTA is read. */
START_TEST(test_refseq_formats)
{
    static char masked[CONTIG_LEN + 1];
    memcpy(masked, refseq, sizeof masked);
    for (int i = 1000; i < 3000; i++)
        masked[i] = (char)tolower((unsigned char)masked[i]);
    hts_md5_context *md5 = hts_md5_init();
    unsigned char dig[16];
    char want[33], got[33];
    hts_md5_update(md5, refseq, CONTIG_LEN);
    hts_md5_final(dig, md5);
    hts_md5_hex(want, dig);
    hts_md5_destroy(md5);
    const struct {
        const char *name, *eol;
        int width, bgzf;
    } fmt[] = {{"w37.fa", "\n", 37, 0}, {"crlf.fa", "\r\n", 50, 0}, {"bgz.fa.gz", "\n", 60, 1}};
    for (int f = 0; f < 3; f++) {
        char path[160];
        snprintf(path, sizeof path, "%s/%s", dir, fmt[f].name);
        BGZF *out = bgzf_open(path, fmt[f].bgzf ? "w" : "wu");
        ck_assert_ptr_nonnull(out);
        kstring_t ks = KS_INITIALIZE;
        ksprintf(&ks, ">chrT desc\n");
        for (int i = 0; i < CONTIG_LEN; i += fmt[f].width)
            ksprintf(&ks, "%.*s%s", fmt[f].width, masked + i, fmt[f].eol);
        ck_assert_int_eq(bgzf_write(out, ks.s, ks.l), (ssize_t)ks.l);
        free(ks.s);
        ck_assert_int_eq(bgzf_close(out), 0);
        ck_assert_int_eq(fai_build(path), 0);
        double gc[16];
        ck_assert_msg(metcn_gc_compute(panel, path, gc) == 0, "%s", metcn_last_error());
        for (int b = 0; b < NBINS; b++) {
            long row = metcn_panel_find(panel, "chrT", bins[b].start, bins[b].end);
            int g = 0;
            for (int64_t k = bins[b].start; k < bins[b].end; k++)
                g += refseq[k] == 'G' || refseq[k] == 'C';
            ck_assert_msg(fabs(gc[row] - (double)g / (double)(bins[b].end - bins[b].start)) < 1e-12,
                          "%s bin %d: gc %f", fmt[f].name, b, gc[row]);
        }
        metcn_refseq_t *r = metcn_refseq_open(path);
        ck_assert_ptr_nonnull(r);
        ck_assert_int_eq(metcn_refseq_len(r, "chrT"), CONTIG_LEN);
        ck_assert_int_eq(metcn_refseq_len(r, "chrX"), -1);
        ck_assert_int_eq(metcn_refseq_md5(r, "chrT", got), 0);
        ck_assert_str_eq(got, want);
        ck_assert_int_lt(metcn_refseq_md5(r, "chrX", got), 0);
        metcn_refseq_close(r);
    }
    /* A FASTA cut short after its .fai was built: an error naming the file, not a crash. */
    {
        char cut[160], cmd[1024];
        snprintf(cut, sizeof cut, "%s/cut.fa", dir);
        snprintf(cmd, sizeof cmd,
                 "cp %s/w37.fa %s && cp %s/w37.fa.fai %s.fai && truncate -s 9000 %s", dir, cut, dir,
                 cut, cut);
        ck_assert_int_eq(system(cmd), 0);
        double gc[16];
        ck_assert_int_ne(metcn_gc_compute(panel, cut, gc), 0);
        ck_assert_msg(strstr(metcn_last_error(), "cut.fa: cannot read chrT") &&
                          strstr(metcn_last_error(), "file ends early"),
                      "%s", metcn_last_error());
    }
    /* ref.dict (Picard naming) and ref.fa.dict (samtools naming) */
    char path[160];
    snprintf(path, sizeof path, "%s/w37.dict", dir);
    FILE *fp = fopen(path, "w");
    ck_assert_ptr_nonnull(fp);
    fprintf(fp, "@HD\tVN:1.6\n@SQ\tSN:chrT\tLN:%d\tM5:%s\tUR:file:w37.fa\n", CONTIG_LEN,
            "0123456789ABCDEF0123456789ABCDEF");
    fclose(fp);
    snprintf(path, sizeof path, "%s/w37.fa", dir);
    ck_assert_int_eq(metcn_refseq_dict_m5(path, "chrT", got), 1);
    ck_assert_str_eq(got, "0123456789abcdef0123456789abcdef");
    ck_assert_int_eq(metcn_refseq_dict_m5(path, "chr1", got), 0);
    snprintf(path, sizeof path, "%s/crlf.fa", dir);
    ck_assert_int_eq(metcn_refseq_dict_m5(path, "chrT", got), 0);
    ck_assert_ptr_null(metcn_refseq_open("/nonexistent/ref.fa"));
    ck_assert_ptr_nonnull(strstr(metcn_last_error(), "/nonexistent/ref.fa"));
}
END_TEST

/* Write a table, read it back; CNVkit (both layouts) and mosdepth files read into the same
 * depths; a table from another panel is refused. */
START_TEST(test_tables)
{
    char path[128], out[160];
    snprintf(path, sizeof path, "%s/reads.bam", dir);
    metcn_covtab_t *t = metcn_cov_compute(path, panel, NULL);
    ck_assert_ptr_nonnull(t);
    snprintf(out, sizeof out, "%s/t.tsv.gz", dir);
    ck_assert_int_eq(metcn_covtab_write(t, out, NULL, "metcn coverage test"), 0);
    metcn_covtab_t *u = metcn_covtab_read(out, panel);
    ck_assert_msg(u != NULL, "%s", metcn_last_error());
    ck_assert_str_eq(u->format, "metcn");
    ck_assert_str_eq(u->sample, "edge_sample");
    for (size_t i = 0; i < t->n; i++) {
        ck_assert_uint_eq(u->fragments[i], t->fragments[i]);
        ck_assert_double_eq_tol(u->depth[i], t->depth[i], 1e-4);
        for (int d = 0; d < METCN_N_DROP; d++)
            ck_assert_uint_eq(u->dropped[i][d], t->dropped[i][d]);
    }
    metcn_covtab_destroy(u);
    /* CNVkit new layout (depth column), old layout (log2 only), mosdepth regions. */
    static const char *const kinds[] = {"cnvkit_new", "cnvkit_old", "mosdepth"};
    for (int k = 0; k < 3; k++) {
        snprintf(out, sizeof out, "%s/%s.txt", dir, kinds[k]);
        FILE *fp = fopen(out, "w");
        if (k == 0)
            fprintf(fp, "chromosome\tstart\tend\tgene\tdepth\tlog2\n");
        if (k == 1)
            fprintf(fp, "chromosome\tstart\tend\tgene\tlog2\n");
        for (size_t i = t->n; i-- > 0;) { /* reverse order: matched by coordinates */
            const metcn_bin_t *b = &panel->bins[i];
            const char *c = panel->contigs[b->contig].name;
            double d = t->depth[i] > 0 ? t->depth[i] : 0;
            if (k == 0)
                fprintf(fp, "%s\t%lld\t%lld\tg\t%.6f\t%.6f\n", c, (long long)b->start,
                        (long long)b->end, d, d > 0 ? log2(d) : -20.0);
            else if (k == 1)
                fprintf(fp, "%s\t%lld\t%lld\tg\t%.9f\n", c, (long long)b->start, (long long)b->end,
                        d > 0 ? log2(d) : -20.0);
            else
                fprintf(fp, "%s\t%lld\t%lld\tn\t%.6f\n", c, (long long)b->start, (long long)b->end,
                        d);
        }
        fclose(fp);
        u = metcn_covtab_read(out, panel);
        ck_assert_msg(u != NULL, "%s: %s", kinds[k], metcn_last_error());
        ck_assert_str_eq(u->format, k < 2 ? "cnvkit" : "mosdepth");
        ck_assert_int_eq(u->has_fragments, 0);
        for (size_t i = 0; i < t->n; i++)
            ck_assert_msg(fabs(u->depth[i] - t->depth[i]) < 1e-5, "%s bin %zu: %f vs %f", kinds[k],
                          i, u->depth[i], t->depth[i]);
        metcn_covtab_destroy(u);
    }
    /* A row that matches no bin; a bin without a row. */
    snprintf(out, sizeof out, "%s/bad.txt", dir);
    FILE *fp = fopen(out, "w");
    fprintf(fp, "chrT\t0\t151\tn\t3.0\n");
    fclose(fp);
    ck_assert_ptr_null(metcn_covtab_read(out, panel));
    ck_assert_ptr_nonnull(strstr(metcn_last_error(), "bad.txt:1: chrT:0-151 matches no bin"));
    fp = fopen(out, "w");
    fprintf(fp, "chrT\t0\t150\tn\t3.0\n");
    fclose(fp);
    ck_assert_ptr_null(metcn_covtab_read(out, panel));
    ck_assert_ptr_nonnull(strstr(metcn_last_error(), "bad.txt: no row for bin chr1:100-200"));
    metcn_covtab_destroy(t);
}
END_TEST

/* A table with fragment classes, size selection, coordinate dedup and allele counts, written
 * (plain and bgzipped) and read back: the same numbers, the allele table beside it; without
 * that file the table is refused with a line naming both. */
START_TEST(test_tables_alleles)
{
    char vcf[160], out[160], al[160];
    snprintf(vcf, sizeof vcf, "%s/sites.vcf", dir);
    metcn_cov_opt_t opt;
    metcn_cov_opt_init(&opt);
    opt.snps = vcf;
    opt.size_min = 60;
    opt.size_max = 600;
    opt.dedup = METCN_DEDUP_COORD;
    opt.n_frag_edges = 2;
    opt.frag_edges[0] = 120;
    opt.frag_edges[1] = 240;
    metcn_covtab_t *t = cover_opt("reads.bam", panel, &opt);
    const char *names[] = {"ta.tsv", "ta.tsv.gz"},
               *alnames[] = {"ta.alleles.tsv", "ta.alleles.tsv.gz"};
    for (int k = 0; k < 2; k++) {
        snprintf(out, sizeof out, "%s/%s", dir, names[k]);
        ck_assert_int_eq(metcn_covtab_write(t, out, &opt, "metcn coverage test"), 0);
        char *ap = metcn_covtab_alleles_path(out);
        snprintf(al, sizeof al, "%s/%s", dir, alnames[k]);
        ck_assert_str_eq(ap, al);
        free(ap);
        ck_assert_int_eq(access(al, R_OK), 0);
        metcn_covtab_t *u = metcn_covtab_read(out, panel);
        ck_assert_msg(u != NULL, "%s", metcn_last_error());
        ck_assert_int_eq(u->n_frag_class, 3);
        ck_assert_int_eq(u->frag_edge[1], 120);
        ck_assert_int_eq(u->frag_edge[3], 1001);
        ck_assert_int_eq(u->size_min, 60);
        ck_assert_int_eq(u->size_max, 600);
        ck_assert_int_eq(u->dedup, METCN_DEDUP_COORD);
        ck_assert_mem_eq(u->frag_class, t->frag_class, t->n * 3 * sizeof *t->frag_class);
        for (size_t i = 0; i < t->n; i++)
            ck_assert_uint_eq(u->dropped[i][METCN_DROP_FRAGLEN], t->dropped[i][METCN_DROP_FRAGLEN]);
        ck_assert_ptr_nonnull(u->sites);
        ck_assert_uint_eq(u->sites->n, t->sites->n);
        ck_assert_int_eq(u->sites->min_baseq, 20);
        ck_assert_int_eq(u->sites->flank, 150);
        ck_assert_uint_eq(u->sites->n_skipped, 4);
        for (size_t i = 0; i < t->sites->n; i++)
            ck_assert_msg(u->sites->contig[i] == t->sites->contig[i] &&
                              u->sites->pos[i] == t->sites->pos[i] &&
                              u->sites->ref[i] == t->sites->ref[i] &&
                              u->sites->alt[i] == t->sites->alt[i] &&
                              u->sites->ref_count[i] == t->sites->ref_count[i] &&
                              u->sites->alt_count[i] == t->sites->alt_count[i] &&
                              u->sites->other_count[i] == t->sites->other_count[i],
                          "site %zu differs after reading back", i);
        metcn_covtab_destroy(u);
    }
    /* the allele table gone: refused */
    ck_assert_int_eq(unlink(al), 0);
    ck_assert_ptr_null(metcn_covtab_read(out, panel));
    ck_assert_msg(strstr(metcn_last_error(), "ta.tsv.gz: its allele table") &&
                      strstr(metcn_last_error(), "ta.alleles.tsv.gz"),
                  "%s", metcn_last_error());
    /* a table without classes or sites reads back without them */
    metcn_covtab_t *plain = metcn_covtab_new(panel);
    ck_assert_ptr_nonnull(plain);
    snprintf(out, sizeof out, "%s/plain.tsv", dir);
    ck_assert_int_eq(metcn_covtab_write(plain, out, NULL, NULL), 0);
    metcn_covtab_t *u = metcn_covtab_read(out, panel);
    ck_assert_msg(u != NULL, "%s", metcn_last_error());
    ck_assert_int_eq(u->n_frag_class, 0);
    ck_assert_ptr_null(u->sites);
    ck_assert_int_eq(metcn_covtab_frags_between(u, 0, 0, 1001), -1);
    metcn_covtab_destroy(u);
    metcn_covtab_destroy(plain);
    /* standard output cannot carry an allele table */
    ck_assert_int_ne(metcn_covtab_write(t, "-", &opt, NULL), 0);
    ck_assert_ptr_nonnull(strstr(metcn_last_error(), "standard output"));
    metcn_covtab_destroy(t);
}
END_TEST

/* Bad site lists and bad allele tables: one error naming the file (and the record or line);
 * no table. */
START_TEST(test_bad_sites)
{
    char path[160], vcf[160];
    snprintf(path, sizeof path, "%s/reads.bam", dir);
    const struct {
        const char *name, *text, *want;
    } bad[] = {
        {"notvcf.vcf", "chrT\t100\tA\tC\n", "notvcf.vcf: not a VCF or BCF file"},
        {"short.vcf",
         "##fileformat=VCFv4.2\n##contig=<ID=chrT,length=20000>\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\t"
         "FILTER\tINFO\nchrT\t5000\t.\tA\tC\t.\t.\t.\nchrT\t5001\n",
         "short.vcf: malformed VCF record (record 2)"},
        {"badpos.vcf",
         "##fileformat=VCFv4.2\n##contig=<ID=chrT,length=20000>\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\t"
         "FILTER\tINFO\nchrT\tfive\t.\tA\tC\t.\t.\t.\n",
         "badpos.vcf: malformed VCF record (record 1)"},
        {"missing.vcf", NULL, "missing.vcf: cannot open"},
    };
    metcn_log_set_level(METCN_LOG_ERROR);
    hts_set_log_level(HTS_LOG_OFF);
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        snprintf(vcf, sizeof vcf, "%s/%s", dir, bad[k].name);
        if (bad[k].text) {
            FILE *fp = fopen(vcf, "w");
            ck_assert_ptr_nonnull(fp);
            fputs(bad[k].text, fp);
            fclose(fp);
        }
        metcn_cov_opt_t opt;
        metcn_cov_opt_init(&opt);
        opt.snps = vcf;
        ck_assert_ptr_null(metcn_cov_compute(path, panel, &opt));
        ck_assert_msg(strstr(metcn_last_error(), bad[k].want) != NULL, "%s: %s", bad[k].name,
                      metcn_last_error());
        ck_assert_ptr_null(metcn_sites_load(vcf, panel, 150));
    }
    /* allele tables: bad count, out of order, a contig off the panel */
    const struct {
        const char *rows, *want;
    } rows[] = {
        {"chrT\t100\tA\tC\t1\tx\t0\n", "al.tsv:5: bad count 'x'"},
        {"chrT\t100\tA\tC\t1\t2\t0\nchrT\t90\tA\tC\t1\t2\t0\n", "al.tsv:6: sites out of order"},
        {"chrQ\t100\tA\tC\t1\t2\t0\n", "al.tsv:5: contig chrQ is not in panel"},
        {"chrT\t100\tA\tA\t1\t2\t0\n", "al.tsv:5: ref and alt must be two of"},
    };
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
        snprintf(vcf, sizeof vcf, "%s/al.tsv", dir);
        FILE *fp = fopen(vcf, "w");
        ck_assert_ptr_nonnull(fp);
        fprintf(fp,
                "##metcn-alleles version=0.1.0\n##sample=x\n##sites=s.vcf flank=150 min_baseq=20 "
                "skipped=0\n#chrom\tpos\tref\talt\tref_count\talt_count\tother_count\n%s",
                rows[k].rows);
        fclose(fp);
        ck_assert_ptr_null(metcn_sites_read(vcf, panel));
        ck_assert_msg(strstr(metcn_last_error(), rows[k].want) != NULL, "%s", metcn_last_error());
    }
}
END_TEST

/* Unsorted, truncated, stale index, wrong CRAM reference: each an error, never numbers. */
START_TEST(test_bad_inputs)
{
    char path[160], cmd[1024], ref[128];
    snprintf(ref, sizeof ref, "%s/ref.fa", dir);
    /* Truncated BAM: cut the last 10 kB. */
    snprintf(cmd, sizeof cmd,
             "head -c $(( $(stat -c %%s %s/reads.bam) - 10000 )) %s/reads.bam "
             "> %s/trunc.bam",
             dir, dir, dir);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(path, sizeof path, "%s/trunc.bam", dir);
    metcn_cov_opt_t opt;
    metcn_cov_opt_init(&opt);
    opt.force_stream = 1;
    ck_assert_ptr_null(metcn_cov_compute(path, panel, &opt));
    ck_assert_msg(strstr(metcn_last_error(), "trunc.bam: truncated") != NULL, "%s",
                  metcn_last_error());
    /* Corrupt BGZF block in the middle of an indexed BAM: an error, not a wrong number, with
     * one reader and with parallel readers. */
    snprintf(cmd, sizeof cmd,
             "cp %s/reads.bam %s/corrupt.bam && cp %s/reads.bam.bai %s/corrupt.bam.bai && "
             "dd if=/dev/zero of=%s/corrupt.bam bs=1 count=200 conv=notrunc status=none "
             "seek=$(( $(stat -c %%s %s/reads.bam) / 2 ))",
             dir, dir, dir, dir, dir, dir);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(path, sizeof path, "%s/corrupt.bam", dir);
    opt.force_stream = 0;
    for (opt.threads = 0; opt.threads <= 2; opt.threads += 2) {
        ck_assert_ptr_null(metcn_cov_compute(path, panel, &opt));
        ck_assert_msg(strstr(metcn_last_error(), "corrupt.bam: truncated or corrupt") != NULL,
                      "%d threads: %s", opt.threads, metcn_last_error());
    }
    opt.threads = 0;
    /* Stale index: the file is newer than its index. */
    snprintf(cmd, sizeof cmd,
             "cp %s/reads.bam %s/stale.bam && cp %s/reads.bam.bai "
             "%s/stale.bam.bai && touch -d '-1 hour' %s/stale.bam.bai",
             dir, dir, dir, dir, dir);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(path, sizeof path, "%s/stale.bam", dir);
    ck_assert_ptr_null(metcn_cov_compute(path, panel, NULL));
    ck_assert_ptr_nonnull(strstr(metcn_last_error(), "stale.bam: the index is older"));
    /* Wrong CRAM reference: another sequence of the same length. */
    snprintf(cmd, sizeof cmd, "awk 'NR>1 && !/^>/{gsub(/A/,\"C\")} {print}' %s > %s/wrong.fa", ref,
             dir);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "%s/wrong.fa", dir);
    ck_assert_int_eq(fai_build(cmd), 0);
    opt.force_stream = 0;
    opt.reference = cmd;
    snprintf(path, sizeof path, "%s/reads.cram", dir);
    ck_assert_ptr_null(metcn_cov_compute(path, panel, &opt));
    ck_assert_msg(strstr(metcn_last_error(), "does not match") != NULL, "%s", metcn_last_error());
    /* Unsorted: swap two records in SAM text. */
    snprintf(cmd, sizeof cmd,
             "(grep '^@' %s/reads.sam; grep -v '^@' %s/reads.sam | sort -k2,2 "
             "-t' ') > %s/unsorted.sam",
             dir, dir, dir);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(path, sizeof path, "%s/unsorted.sam", dir);
    ck_assert_ptr_null(metcn_cov_compute(path, panel, NULL));
    ck_assert_msg(strstr(metcn_last_error(), "not coordinate-sorted") != NULL, "%s",
                  metcn_last_error());
    /* Not a SAM/BAM/CRAM file. */
    snprintf(path, sizeof path, "%s/panel.bed", dir);
    ck_assert_ptr_null(metcn_cov_compute(path, panel, NULL));
    snprintf(path, sizeof path, "%s/missing.bam", dir);
    ck_assert_ptr_null(metcn_cov_compute(path, panel, NULL));
    ck_assert_ptr_nonnull(strstr(metcn_last_error(), "missing.bam: cannot open"));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cov");
    TCase *tc = tcase_create("engine");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, test_exact, 0, (int)(sizeof variants / sizeof variants[0]));
    tcase_add_test(tc, test_tiled);
    tcase_add_test(tc, test_parallel);
    tcase_add_test(tc, test_split);
    tcase_add_loop_test(tc, test_pileup, 0, 2);
    tcase_add_loop_test(tc, test_mate_edges, 0, 2);
    tcase_add_loop_test(tc, test_alleles, 0,
                        (int)(sizeof allele_variants / sizeof allele_variants[0]));
    tcase_add_test(tc, test_frag_classes);
    tcase_add_test(tc, test_size_select);
    tcase_add_test(tc, test_dedup);
    tcase_add_test(tc, test_gc);
    tcase_add_test(tc, test_gc_long);
    tcase_add_test(tc, test_refseq_formats);
    tcase_add_test(tc, test_tables);
    tcase_add_test(tc, test_tables_alleles);
    tcase_add_test(tc, test_bad_sites);
    tcase_add_test(tc, test_bad_inputs);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
