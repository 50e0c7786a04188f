/* sim_reads.c -- `metcn-sim reads`: one sample as coordinate-sorted, indexed BAM and/or CRAM
 * plus a truth TSV.
 *
 * Fragments are a Poisson process over their start position, generated in increasing start
 * order by thinning a piecewise-constant dominating rate, so records come out sorted and
 * no sort pass is needed: the left read is emitted at once, the right mate (and any
 * supplementary piece) waits in a small min-heap until the generator has moved past it.
 * The model is documented in docs/simulator.md. */
#include <ctype.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <htslib/faidx.h>
#include <htslib/kstring.h>
#include <htslib/sam.h>
#include <htslib/vcf.h>

#include "metcn/metcn.h"
#include "metcn/panel.h"
#include "metcn/util.h"
#include "sim.h"

#define MAX_ARTEFACTS 8

typedef struct {
    const char *ref;           /* reference FASTA (+ .fai) */
    const char *out;           /* output prefix */
    const char *sample;        /* SM / sample name; default: basename of the prefix */
    const char *bed;           /* capture panel (panel mode) */
    int wgs;                   /* uniform whole-genome-like coverage instead of a panel */
    const char *contigs;       /* comma-separated contigs to cover, NULL = all */
    uint64_t seed;             /* sample seed */
    double depth;              /* mean read depth over a target of efficiency 1, GC factor 1 and
                                  copy-number factor 1 (panel) or over the genome (WGS) */
    int read_len;              /* bp */
    double frag_mean, frag_sd; /* fragment length, bp (normal, truncated to [read_len, mean+4sd]) */
    double error;              /* substitution rate per base */
    double dup;                /* probability a fragment is also present as a flagged duplicate */
    double lowmapq;            /* fraction of fragments given MAPQ 0..19 */
    double supp;               /* fraction of fragments with a chimeric read + supplementary */
    double offtarget;          /* off-target depth as a fraction of --depth */
    uint64_t capture_seed;     /* panel seed of the capture efficiencies */
    double capture_sd;         /* log-sd of the capture efficiencies */
    sim_gc_t gc;               /* sample GC-bias curve */
    int bam, cram;             /* formats to write */
    int threads;               /* htslib threads per output file */
    int level;                 /* compression level (0-9) */
    sim_seg_t artefacts[MAX_ARTEFACTS]; /* depth multipliers (cn field = factor) */
    int n_artefacts;
    sim_cn_t cn;
    /* Germline SNPs, plasma, duplicates (docs/simulator.md). */
    const char *snps;       /* population site list (VCF with INFO/AF), or NULL */
    const char *somatic;    /* clonal somatic SNVs (VCF), or NULL: tumour-derived fragments
                               of haplotype 0 carry ALT there */
    uint64_t germline_seed; /* the individual whose genotypes the reads carry [= seed] */
    int germline_set;
    double tfrag_mean, tfrag_sd; /* tumour-derived fragment length (bp); < 0: as the normal */
    int frag_min;                /* shortest fragment; reads are cut to a shorter fragment
                                    (adapter read-through) [= read_len] */
    int dup_unflagged;           /* duplicates written without the 0x400 flag */
    /* Site artefacts, the same in every individual (chosen per population site from its
     * position alone): reference bias and paralogous ("constant") sites (docs/simulator.md). */
    double bias_frac, bias_loss; /* share of sites where a fragment carrying ALT is lost with
                                    probability bias_loss */
    double art_frac, art_alt;    /* share of (other) sites where every fragment shows ALT with
                                    probability art_alt whatever the genotype */
} reads_opt_t;

static void reads_opt_init(reads_opt_t *o)
{
    memset(o, 0, sizeof *o);
    o->seed = 1;
    o->depth = 300;
    o->read_len = 150;
    o->frag_mean = 300;
    o->frag_sd = 50;
    o->error = 0.002;
    o->dup = 0.05;
    o->lowmapq = 0.01;
    o->supp = 0.005;
    o->offtarget = 0.0002;
    o->capture_seed = 1;
    o->capture_sd = 0.3;
    o->bam = 1;
    o->threads = 1;
    o->level = 4;
    sim_cn_init(&o->cn);
    o->tfrag_mean = o->tfrag_sd = -1;
    o->frag_min = -1;
}

static void reads_help(FILE *fp)
{
    reads_opt_t d;
    reads_opt_init(&d);
    fprintf(fp,
            "Usage: metcn-sim reads -r REF.fa -o PREFIX (-b PANEL.bed | --wgs) [options]\n\n"
            "Writes PREFIX.bam(.bai) and/or PREFIX.cram(.crai) and PREFIX.truth.tsv.\n"
            "Coordinates of --amp-*, --egfr-*, --seg and --artefact are 0-based, end exclusive.\n\n"
            "Input and layout:\n"
            "  -r, --ref FILE          reference FASTA with .fai (required)\n"
            "  -o, --out PREFIX        output prefix (required)\n"
            "  -n, --sample NAME       sample name (SM) [basename of PREFIX]\n"
            "  -b, --bed FILE          capture panel: capture-like coverage around its targets\n"
            "      --wgs               uniform whole-genome-like coverage\n"
            "      --contigs LIST      comma-separated contigs to cover [all]\n"
            "  -s, --seed INT          sample seed [%llu]\n"
            "Library and sequencing:\n"
            "  -d, --depth FLOAT       read depth at efficiency 1, GC factor 1, CN factor 1 [%g]\n"
            "      --read-len INT      read length [%d]\n"
            "      --frag-mean FLOAT   mean fragment length [%g]\n"
            "      --frag-sd FLOAT     fragment length s.d. [%g]\n"
            "      --error FLOAT       substitution rate per base [%g]\n"
            "      --dup FLOAT         probability a fragment also appears as a duplicate [%g]\n"
            "      --lowmapq FLOAT     fraction of fragments with MAPQ < 20 [%g]\n"
            "      --supp FLOAT        fraction of fragments with a supplementary alignment [%g]\n"
            "      --offtarget FLOAT   off-target depth as a fraction of --depth [%g]\n"
            "      --capture-seed INT  seed of the per-target capture efficiencies [%llu]\n"
            "      --capture-sd FLOAT  log-s.d. of the capture efficiencies [%g]\n"
            "      --gc-slope FLOAT    GC curve b1: exp(b1 (gc-0.45) + b2 (gc-0.45)^2) [%g]\n"
            "      --gc-curv FLOAT     GC curve b2 [%g]\n"
            "      --artefact C:S-E:F  multiply depth in a region by F (repeatable, max %d)\n"
            "      --frag-min INT      shortest fragment; reads are cut to shorter fragments\n"
            "                          [= --read-len]\n"
            "      --tumour-frag-mean FLOAT  length of tumour-derived fragments (plasma:\n"
            "                          ~145; normal-derived: --frag-mean, ~167) [= --frag-mean]\n"
            "      --tumour-frag-sd FLOAT    their s.d. [= --frag-sd]\n"
            "      --dup-unflagged     write duplicates without the 0x400 flag\n"
            "Germline:\n"
            "      --snps FILE         population SNP sites (VCF, INFO/AF; metcn-sim snps): the\n"
            "                          reads carry the individual's alleles\n"
            "      --germline-seed INT the individual (tumour and matched normal share it)\n"
            "                          [= --seed]\n"
            "      --ref-bias-sites FRAC:LOSS  this share of the population sites (the same in\n"
            "                          every individual) loses a fragment carrying ALT with\n"
            "                          probability LOSS (REF fraction 1/(2-LOSS) at a het site)\n"
            "      --artefact-sites FRAC:ALT   this share of the other sites is paralogous: every\n"
            "                          fragment shows ALT with probability ALT whatever the\n"
            "                          genotype; both write PREFIX.site_artefacts.tsv [none]\n"
            "      --somatic FILE      clonal somatic SNVs (VCF): every tumour-derived fragment\n"
            "                          of the tumour's major haplotype carries ALT (VAF t/2 in\n"
            "                          a 1+1 region, t the tumour share of the DNA there)\n"
            "Sample and tumour:\n"
            "      --sex XX|XY         [XX]\n"
            "      --purity FLOAT      tumour cell fraction, 0 = normal [%g]\n"
            "      --ploidy FLOAT      tumour ploidy in the depth normalisation [= --base-cn]\n"
            "      --base-cn FLOAT     tumour copy number of the autosomes [%g]\n"
            "      --chr7-cn FLOAT     whole chromosome 7 copies (CEP7) [= --base-cn]\n"
            "      --chr7p-cn FLOAT    7p arm level [= --chr7-cn]\n"
            "      --chr7q-cn FLOAT    7q arm level [= --chr7-cn]\n"
            "      --met-cn FLOAT      copy number of the MET amplicon [none]\n"
            "      --amp-start INT     MET amplicon start [%lld]\n"
            "      --amp-end INT       MET amplicon end [%lld]\n"
            "      --egfr-cn FLOAT     copy number of an EGFR focal gain [none]\n"
            "      --egfr-start INT    EGFR gain start [%lld]\n"
            "      --egfr-end INT      EGFR gain end [%lld]\n"
            "      --seg C:S-E:CN      tumour copy number of any region (repeatable, max %d);\n"
            "                          CN may be MAJOR+MINOR (e.g. 2+0: copy-neutral LOH)\n"
            "      --wgd               whole-genome doubling: every copy number above doubled\n"
            "Output:\n"
            "      --cram              also write CRAM (reference-based)\n"
            "      --no-bam            do not write BAM\n"
            "  -@, --threads INT       compression threads per file [%d]\n"
            "  -l, --level INT         compression level [%d]\n",
            (unsigned long long)d.seed, d.depth, d.read_len, d.frag_mean, d.frag_sd, d.error, d.dup,
            d.lowmapq, d.supp, d.offtarget, (unsigned long long)d.capture_seed, d.capture_sd,
            d.gc.slope, d.gc.curv, MAX_ARTEFACTS, d.cn.purity, d.cn.base_cn,
            (long long)d.cn.amp_start, (long long)d.cn.amp_end, (long long)d.cn.egfr_start,
            (long long)d.cn.egfr_end, SIM_MAX_SEGS, d.threads, d.level);
}

/* "chr7:1000-2000:3.5" (0-based, end exclusive), or with split set also "chr7:1000-2000:2+0"
 * (major + minor copies). */
static int parse_seg(const char *s, sim_seg_t *seg, int split)
{
    seg->major = seg->minor = -1;
    const char *c1 = strchr(s, ':');
    if (!c1 || c1 == s || (size_t)(c1 - s) >= sizeof seg->contig)
        return -1;
    const char *dash = strchr(c1 + 1, '-');
    const char *c2 = dash ? strchr(dash + 1, ':') : NULL;
    if (!dash || !c2)
        return -1;
    char buf[64];
    memcpy(seg->contig, s, (size_t)(c1 - s));
    seg->contig[c1 - s] = 0;
    size_t n = (size_t)(dash - c1 - 1);
    if (n == 0 || n >= sizeof buf)
        return -1;
    memcpy(buf, c1 + 1, n);
    buf[n] = 0;
    if (metcn_parse_int64(buf, 0, INT64_MAX, &seg->start))
        return -1;
    n = (size_t)(c2 - dash - 1);
    if (n == 0 || n >= sizeof buf)
        return -1;
    memcpy(buf, dash + 1, n);
    buf[n] = 0;
    if (metcn_parse_int64(buf, 1, INT64_MAX, &seg->end) || seg->end <= seg->start)
        return -1;
    const char *plus = split ? strchr(c2 + 1, '+') : NULL;
    if (plus) { /* MAJOR+MINOR, major >= minor */
        n = (size_t)(plus - c2 - 1);
        if (n == 0 || n >= sizeof buf)
            return -1;
        memcpy(buf, c2 + 1, n);
        buf[n] = 0;
        if (metcn_parse_double(buf, 0, 1000, &seg->major) ||
            metcn_parse_double(plus + 1, 0, 1000, &seg->minor) || seg->minor > seg->major)
            return -1;
        seg->cn = seg->major + seg->minor;
        return 0;
    }
    return metcn_parse_double(c2 + 1, 0, 1000, &seg->cn) ? -1 : 0;
}

/* ---- record heap ------------------------------------------------------------------------ */

typedef struct {
    int64_t pos;
    uint64_t ord;
    bam1_t *b;
} hent_t;

typedef struct {
    hent_t *a;
    size_t n, m;
    uint64_t ord;
    bam1_t **pool; /* free records */
    size_t n_pool, m_pool;
} heap_t;

static int hless(const hent_t *x, const hent_t *y)
{
    return x->pos < y->pos || (x->pos == y->pos && x->ord < y->ord);
}

static int heap_push(heap_t *h, bam1_t *b)
{
    if (h->n == h->m) {
        size_t m = h->m ? 2 * h->m : 256;
        hent_t *a = realloc(h->a, m * sizeof *a);
        if (!a)
            return -1;
        h->a = a;
        h->m = m;
    }
    size_t i = h->n++;
    hent_t e = {b->core.pos, h->ord++, b};
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!hless(&e, &h->a[p]))
            break;
        h->a[i] = h->a[p];
        i = p;
    }
    h->a[i] = e;
    return 0;
}

static bam1_t *heap_pop(heap_t *h)
{
    bam1_t *top = h->a[0].b;
    hent_t last = h->a[--h->n];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        const hent_t *best = &last;
        if (l < h->n && hless(&h->a[l], best)) {
            m = l;
            best = &h->a[l];
        }
        if (r < h->n && hless(&h->a[r], best))
            m = r;
        if (m == i)
            break;
        h->a[i] = h->a[m];
        i = m;
    }
    if (h->n)
        h->a[i] = last;
    return top;
}

static bam1_t *rec_get(heap_t *h)
{
    if (h->n_pool)
        return h->pool[--h->n_pool];
    return bam_init1();
}

static void rec_put(heap_t *h, bam1_t *b)
{
    if (h->n_pool == h->m_pool) {
        size_t m = h->m_pool ? 2 * h->m_pool : 256;
        bam1_t **p = realloc(h->pool, m * sizeof *p);
        if (!p) {
            bam_destroy1(b);
            return;
        }
        h->pool = p;
        h->m_pool = m;
    }
    h->pool[h->n_pool++] = b;
}

static void heap_free(heap_t *h)
{
    for (size_t i = 0; i < h->n; i++)
        bam_destroy1(h->a[i].b);
    for (size_t i = 0; i < h->n_pool; i++)
        bam_destroy1(h->pool[i]);
    free(h->a);
    free(h->pool);
}

/* ---- reference sequence cache ------------------------------------------------------------ */

/* Reads of an uncompressed FASTA go straight to pread() at the .fai offsets: faidx reads
 * through a 64 KB buffer per fetch, which dominated the run time for sparse off-target
 * fragments.  A bgzip-compressed FASTA falls back to faidx. */
typedef struct {
    int fd;         /* raw FASTA, -1 when compressed */
    int64_t offset; /* .fai fields of the current contig */
    int64_t line_bases, line_width;
} rawfa_t;

typedef struct {
    const faidx_t *fai;
    const rawfa_t *raw;
    const char *contig;
    int64_t len;
    int64_t c0, c1;  /* cached [c0, c1) */
    char *seq;       /* upper case, non-ACGT as N */
    uint32_t *gcpre; /* gcpre[i] = G+C in [c0, c0+i) */
    uint32_t *npre;  /* N count */
    size_t cap;
    char *buf; /* raw bytes with newlines */
    size_t buf_cap;
} seqcache_t;

/* Fetch [start, end) of the cache's contig into a malloc'ed string (NUL-terminated). */
static char *fetch_seq(seqcache_t *c, int64_t start, int64_t end)
{
    if (c->raw->fd < 0) {
        hts_pos_t got = 0;
        char *s = faidx_fetch_seq64(c->fai, c->contig, start, end - 1, &got);
        if (s && got != end - start) {
            free(s);
            s = NULL;
        }
        return s;
    }
    int64_t lb = c->raw->line_bases, lw = c->raw->line_width;
    int64_t o0 = c->raw->offset + start / lb * lw + start % lb;
    int64_t o1 = c->raw->offset + (end - 1) / lb * lw + (end - 1) % lb + 1;
    size_t nraw = (size_t)(o1 - o0);
    if (nraw > c->buf_cap) {
        char *b = realloc(c->buf, nraw);
        if (!b)
            return NULL;
        c->buf = b;
        c->buf_cap = nraw;
    }
    if (pread(c->raw->fd, c->buf, nraw, (off_t)o0) != (ssize_t)nraw)
        return NULL;
    char *s = malloc((size_t)(end - start) + 1);
    if (!s)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < nraw; i++)
        if (c->buf[i] != '\n' && c->buf[i] != '\r')
            s[k++] = c->buf[i];
    s[k] = 0;
    if (k != (size_t)(end - start)) {
        free(s);
        return NULL;
    }
    return s;
}

static int cache_fetch(seqcache_t *c, int64_t start, int64_t end)
{
    char *s = fetch_seq(c, start, end);
    if (!s)
        return metcn_set_error(METCN_E_REFERENCE, "%s:%lld-%lld: cannot fetch the reference",
                               c->contig, (long long)start + 1, (long long)end);
    size_t n = (size_t)(end - start);
    if (n + 1 > c->cap) {
        uint32_t *g = realloc(c->gcpre, (n + 1) * sizeof *g);
        if (g)
            c->gcpre = g;
        uint32_t *nn = realloc(c->npre, (n + 1) * sizeof *nn);
        if (nn)
            c->npre = nn;
        if (!g || !nn) {
            free(s);
            return metcn_set_error(METCN_E_NOMEM, "out of memory");
        }
        c->cap = n + 1;
    }
    c->gcpre[0] = c->npre[0] = 0;
    for (size_t i = 0; i < n; i++) {
        int ch = toupper((unsigned char)s[i]);
        if (ch != 'A' && ch != 'C' && ch != 'G' && ch != 'T')
            ch = 'N';
        s[i] = (char)ch;
        c->gcpre[i + 1] = c->gcpre[i] + (ch == 'G' || ch == 'C');
        c->npre[i + 1] = c->npre[i] + (ch == 'N');
    }
    free(c->seq);
    c->seq = s;
    c->c0 = start;
    c->c1 = end;
    return 0;
}

/* Make [start, end) available, fetching ahead by chunk bp. */
static int cache_ensure(seqcache_t *c, int64_t start, int64_t end, int64_t chunk)
{
    if (c->seq && start >= c->c0 && end <= c->c1)
        return 0;
    int64_t e = start + (chunk > end - start ? chunk : end - start);
    if (e > c->len)
        e = c->len;
    return cache_fetch(c, start, e);
}

/* ---- germline sites ----------------------------------------------------------------------- */

typedef struct {
    int64_t pos;
    float af;
    char ref, alt;
    char a[2]; /* the allele on haplotype 0 and on haplotype 1 */
    char kind; /* SITE_PLAIN, SITE_BIAS or SITE_PARALOG (--ref-bias-sites, --artefact-sites),
                  SITE_SOMATIC (--somatic) */
} site_t;

enum { SITE_PLAIN = 0, SITE_BIAS = 1, SITE_PARALOG = 2, SITE_SOMATIC = 3 };

/* The artefact kind of a population site: a function of (contig, pos) alone, so that every
 * individual (and every run) has the same artefact sites. */
static char site_kind(const reads_opt_t *o, const char *contig, int64_t pos)
{
    if (o->bias_frac <= 0 && o->art_frac <= 0)
        return SITE_PLAIN;
    double u = sim_u01(sim_mix64(sim_hash_str(contig, 0x51735173u) ^ (uint64_t)pos));
    return u < o->bias_frac                 ? SITE_BIAS
           : u < o->bias_frac + o->art_frac ? SITE_PARALOG
                                            : SITE_PLAIN;
}

/* The individual's sites of one contig, sorted by position. */
typedef struct {
    site_t *s;
    size_t n, m;
} simsites_t;

static int site_cmp(const void *x, const void *y)
{
    const site_t *a = x, *b = y;
    return a->pos < b->pos ? -1 : a->pos > b->pos;
}

/* The biallelic SNVs of o->snps on the header's contigs, each with the individual's alleles
 * (sim_site_haps()); a position given twice is left out.  0, or -1 with the message
 * printed. */
static int read_sites(const char *path, int somatic, sam_hdr_t *hdr, simsites_t *ss)
{
    const char *cmd = "reads";
    int rc = -1, ret;
    htsFile *fp = hts_open(path, "r");
    bcf_hdr_t *h = NULL;
    bcf1_t *rec = bcf_init();
    float *af = NULL;
    int naf = 0;
    size_t nrec = 0;
    if (!rec) {
        sim_error(cmd, "out of memory");
        goto out;
    }
    if (!fp || fp->format.category != variant_data || !(h = bcf_hdr_read(fp))) {
        sim_error(cmd, "%s: cannot read as a VCF/BCF file", path);
        goto out;
    }
    while ((ret = bcf_read(fp, h, rec)) == 0) {
        nrec++;
        if ((rec->errcode & ~(BCF_ERR_CTG_UNDEF | BCF_ERR_TAG_UNDEF)) || rec->pos < 0 ||
            rec->n_allele < 1 || bcf_unpack(rec, BCF_UN_STR) != 0) {
            ret = -2;
            break;
        }
        int tid = sam_hdr_name2tid(hdr, bcf_seqname_safe(h, rec));
        const char *r = rec->d.allele[0], *a = rec->n_allele == 2 ? rec->d.allele[1] : "";
        if (tid < 0 || strlen(r) != 1 || strlen(a) != 1 || !strchr("ACGT", r[0]) ||
            !strchr("ACGT", a[0]) || r[0] == a[0])
            continue; /* not a biallelic SNV of this reference */
        if (!somatic &&
            (bcf_get_info_float(h, rec, "AF", &af, &naf) != 1 || !(af[0] >= 0 && af[0] <= 1))) {
            sim_error(cmd, "%s: record %zu (%s:%lld) has no INFO/AF in [0, 1]", path, nrec,
                      bcf_seqname_safe(h, rec), (long long)rec->pos + 1);
            goto out;
        }
        simsites_t *v = &ss[tid];
        if (v->n == v->m) {
            size_t m = v->m ? 2 * v->m : 1024;
            site_t *g = realloc(v->s, m * sizeof *g);
            if (!g) {
                sim_error(cmd, "out of memory");
                goto out;
            }
            v->s = g;
            v->m = m;
        }
        v->s[v->n++] = (site_t){
            rec->pos, somatic ? 0 : af[0], r[0], a[0], {0, 0}, somatic ? SITE_SOMATIC : SITE_PLAIN};
    }
    if (ret < -1) {
        sim_error(cmd, "%s: malformed VCF record (record %zu)", path, nrec + (ret == -2 ? 0 : 1));
        goto out;
    }
    rc = 0;
out:
    free(af);
    bcf_destroy(rec);
    bcf_hdr_destroy(h);
    if (fp)
        hts_close(fp);
    return rc;
}

/* The germline sites of o->snps and the somatic SNVs of o->somatic on the header's contigs,
 * each germline site with the individual's alleles (sim_site_haps()), a somatic one REF on
 * both haplotypes of the germline; a position given twice (in either list) is left out.  0,
 * or -1 with the message printed. */
static int load_sites(const reads_opt_t *o, sam_hdr_t *hdr, simsites_t **out)
{
    int n_tid = sam_hdr_nref(hdr), rc = -1;
    simsites_t *ss = calloc((size_t)n_tid + 1, sizeof *ss);
    if (!ss) {
        sim_error("reads", "out of memory");
        return -1;
    }
    if ((o->snps && read_sites(o->snps, 0, hdr, ss) != 0) ||
        (o->somatic && read_sites(o->somatic, 1, hdr, ss) != 0))
        goto out;
    for (int tid = 0; tid < n_tid; tid++) {
        simsites_t *v = &ss[tid];
        const char *contig = sam_hdr_tid2name(hdr, tid);
        int haploid = sim_normal_cn(&o->cn, contig) < 1.5;
        if (v->n)
            qsort(v->s, v->n, sizeof *v->s, site_cmp);
        size_t m = 0;
        for (size_t i = 0, j; i < v->n; i = j) {
            for (j = i + 1; j < v->n && v->s[j].pos == v->s[i].pos;)
                j++;
            if (j - i > 1) /* a position given twice: left out, as metcn does */
                continue;
            site_t e = v->s[i];
            if (e.kind == SITE_SOMATIC) {
                e.a[0] = e.a[1] = e.ref;
            } else {
                unsigned haps = sim_site_haps(o->germline_seed, contig, e.pos, e.af, haploid);
                e.a[0] = haps & 1 ? e.alt : e.ref;
                e.a[1] = haps & 2 ? e.alt : e.ref;
                e.kind = site_kind(o, contig, e.pos);
            }
            v->s[m++] = e;
        }
        v->n = m;
    }
    *out = ss;
    ss = NULL;
    rc = 0;
out:
    if (ss)
        for (int i = 0; i < n_tid; i++)
            free(ss[i].s);
    free(ss);
    return rc;
}

/* ---- generation -------------------------------------------------------------------------- */

typedef struct {
    int64_t start, end; /* 0-based half-open */
    double eff;
} tgt_t;

typedef struct {
    const reads_opt_t *o;
    gsl_rng *rng;
    htsFile *out[2];
    sam_hdr_t *hdr;
    heap_t heap;
    uint64_t n_frag, n_dup, n_lowmq, n_supp, n_records;
    uint64_t n_tumour; /* fragments from tumour cells (among n_frag) */
    uint64_t n_cand;   /* candidate fragments drawn: the counter of the per-fragment hashes */
    simsites_t *sites; /* per tid, or NULL */
    char *truth;       /* the fragment's sequence: the reference with its haplotype's alleles */
    size_t truth_cap;
    kstring_t md;
    char rg[128];
} gen_t;

static int emit(gen_t *g, bam1_t *b)
{
    for (int k = 0; k < 2; k++)
        if (g->out[k] && sam_write1(g->out[k], g->hdr, b) < 0)
            return metcn_set_error(METCN_E_IO, "write error");
    g->n_records++;
    rec_put(&g->heap, b);
    return 0;
}

static int flush_before(gen_t *g, int64_t pos)
{
    while (g->heap.n && g->heap.a[0].pos < pos)
        if (emit(g, heap_pop(&g->heap)) != 0)
            return -1;
    return 0;
}

static const char other_base[4][3] = {
    {'C', 'G', 'T'}, {'A', 'G', 'T'}, {'A', 'C', 'T'}, {'A', 'C', 'G'}};
static int base_idx(char c)
{
    return c == 'A' ? 0 : c == 'C' ? 1 : c == 'G' ? 2 : 3;
}

/* Copy truth (the molecule: the reference with the haplotype's alleles) into seq with
 * substitutions at rate error; qualities 37, 12 at errors.  Appends MD (against ref) to g->md;
 * returns NM. */
static int mutate(gen_t *g, const char *ref, const char *truth, int n, char *seq, char *qual)
{
    memcpy(seq, truth, (size_t)n);
    memset(qual, 37, (size_t)n);
    unsigned nerr = g->o->error > 0 ? gsl_ran_binomial(g->rng, g->o->error, (unsigned)n) : 0;
    int pos[64];
    int k = 0;
    for (unsigned i = 0; i < nerr && k < 64; i++) {
        int p = (int)gsl_rng_uniform_int(g->rng, (unsigned long)n);
        int dup = 0;
        for (int j = 0; j < k; j++)
            dup |= pos[j] == p;
        if (!dup)
            pos[k++] = p;
    }
    /* sort the few error positions for MD */
    for (int i = 1; i < k; i++)
        for (int j = i; j > 0 && pos[j - 1] > pos[j]; j--) {
            int t = pos[j];
            pos[j] = pos[j - 1];
            pos[j - 1] = t;
        }
    for (int i = 0; i < k; i++) {
        int p = pos[i];
        seq[p] = other_base[base_idx(truth[p])][gsl_rng_uniform_int(g->rng, 3)];
        qual[p] = 12;
    }
    /* MD and NM against the reference: errors and alt alleles (an error on an alt allele may
     * restore the reference base) */
    int last = 0, nm = 0;
    for (int p = 0; p < n; p++) {
        if (seq[p] == ref[p])
            continue;
        ksprintf(&g->md, "%d%c", p - last, ref[p]);
        last = p + 1;
        nm++;
    }
    ksprintf(&g->md, "%d", n - last);
    return nm;
}

/* Build one alignment record.  ref points at the reference bases of the aligned part, truth
 * at the molecule's. */
static bam1_t *make_rec(gen_t *g, const char *qname, uint16_t flag, int tid, int64_t pos,
                        uint8_t mapq, const uint32_t *cigar, int n_cigar, int64_t mpos,
                        int64_t tlen, const char *ref, const char *truth, int aligned,
                        int soft_before, int soft_after, const char *clip_seq, const char *sa)
{
    char seq[1024], qual[1024];
    int l_seq = soft_before + aligned + soft_after;
    if (l_seq > (int)sizeof seq)
        return NULL;
    g->md.l = 0;
    if (soft_before)
        memcpy(seq, clip_seq, (size_t)soft_before);
    int nm = mutate(g, ref, truth, aligned, seq + soft_before, qual + soft_before);
    if (soft_before)
        memset(qual, 37, (size_t)soft_before);
    if (soft_after) {
        memcpy(seq + soft_before + aligned, clip_seq, (size_t)soft_after);
        memset(qual + soft_before + aligned, 37, (size_t)soft_after);
    }
    bam1_t *b = rec_get(&g->heap);
    if (!b)
        return NULL;
    if (bam_set1(b, strlen(qname), qname, flag, tid, pos, mapq, (size_t)n_cigar, cigar, tid, mpos,
                 tlen, (size_t)l_seq, seq, qual, 64) < 0) {
        bam_destroy1(b);
        return NULL;
    }
    int32_t nm32 = nm;
    if (bam_aux_append(b, "RG", 'Z', (int)strlen(g->rg) + 1, (const uint8_t *)g->rg) < 0 ||
        bam_aux_append(b, "NM", 'i', 4, (const uint8_t *)&nm32) < 0 ||
        bam_aux_append(b, "MD", 'Z', (int)g->md.l + 1, (const uint8_t *)g->md.s) < 0 ||
        (sa && bam_aux_append(b, "SA", 'Z', (int)strlen(sa) + 1, (const uint8_t *)sa) < 0)) {
        bam_destroy1(b);
        return NULL;
    }
    return b;
}

/* The molecule [s, s+L) of tid from haplotype hap: the reference with the alleles of the
 * individual's sites on it (both mates of a fragment carry them alike), into g->truth.  At a
 * paralogous site the base is ALT with probability art_alt whatever the haplotype; at a
 * reference-bias site a molecule carrying ALT is lost with probability bias_loss (*lost set).
 * Both draws hash the fragment's number, so a duplicate is the same molecule, and they take
 * nothing from the generator's stream (files without these options stay as they were). */
static const char *molecule(gen_t *g, const seqcache_t *c, int tid, int64_t s, int L, int hap,
                            int tum, int *lost)
{
    *lost = 0;
    const char *ref = c->seq + (s - c->c0);
    const simsites_t *v = g->sites ? &g->sites[tid] : NULL;
    if (!v || !v->n)
        return ref;
    if ((size_t)L > g->truth_cap) {
        char *t = realloc(g->truth, (size_t)L);
        if (!t)
            return NULL;
        g->truth = t;
        g->truth_cap = (size_t)L;
    }
    memcpy(g->truth, ref, (size_t)L);
    size_t lo = 0, hi = v->n;
    while (lo < hi) { /* the first site at or after s */
        size_t mid = (lo + hi) / 2;
        if (v->s[mid].pos < s)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < v->n && v->s[lo].pos < s + L; lo++) {
        const site_t *e = &v->s[lo];
        char b = e->a[hap];
        if (e->kind == SITE_SOMATIC) {
            b = tum && hap == 0 ? e->alt : e->ref; /* on the tumour's major haplotype */
        } else if (e->kind != SITE_PLAIN) {
            double u = sim_u01(sim_mix64((g->n_frag * 0x9e3779b97f4a7c15ull) ^ (uint64_t)e->pos));
            if (e->kind == SITE_PARALOG)
                b = u < g->o->art_alt ? e->alt : e->ref;
            else if (b == e->alt && u < g->o->bias_loss)
                *lost = 1;
        }
        g->truth[e->pos - s] = b;
    }
    return g->truth;
}

/* One fragment [s, s+L) on tid from haplotype hap: left read forward at s, right read reverse
 * ending at s+L; both cut to L when the fragment is shorter than the reads. */
static int make_fragment(gen_t *g, seqcache_t *c, int tid, int64_t s, int L, int is_dup,
                         int lowmq_mapq, int chimeric, int hap, int tum)
{
    const reads_opt_t *o = g->o;
    int rl = L < o->read_len ? L : o->read_len;
    char qname[48];
    snprintf(qname, sizeof qname, "%s%llx", is_dup ? "d" : "f", (unsigned long long)g->n_frag);
    int left_is_r1 = gsl_rng_uniform(g->rng) < 0.5;
    uint16_t base = BAM_FPAIRED | BAM_FPROPER_PAIR | (is_dup && !o->dup_unflagged ? BAM_FDUP : 0);
    uint16_t fl = base | BAM_FMREVERSE | (left_is_r1 ? BAM_FREAD1 : BAM_FREAD2);
    uint16_t fr = base | BAM_FREVERSE | (left_is_r1 ? BAM_FREAD2 : BAM_FREAD1);
    uint8_t mapq = lowmq_mapq >= 0 ? (uint8_t)lowmq_mapq : 60;
    int64_t rpos = s + L - rl;
    int lost = 0;
    const char *ref = c->seq + (s - c->c0), *mol = molecule(g, c, tid, s, L, hap, tum, &lost);
    bam1_t *bl, *br, *bs = NULL;
    if (!mol)
        return metcn_set_error(METCN_E_NOMEM, "out of memory");
    if (lost)
        return 0; /* captured less well: never sequenced */
    uint32_t cig[2];
    if (chimeric) {
        /* the left read's tail comes from a second locus 1-20 kb downstream */
        int k = rl / 2 + (int)gsl_rng_uniform_int(g->rng, (unsigned long)(rl / 4 + 1));
        int tail = rl - k;
        int64_t pos2 = s + L + 1000 + (int64_t)gsl_rng_uniform_int(g->rng, 19000);
        char *t2 = pos2 + tail <= c->len ? fetch_seq(c, pos2, pos2 + tail) : NULL;
        int ok = t2 != NULL;
        for (int i = 0; ok && i < tail; i++) {
            t2[i] = (char)toupper((unsigned char)t2[i]);
            ok = strchr("ACGT", t2[i]) != NULL;
        }
        if (ok) {
            char sa1[160], sa2[160];
            const char *cn = c->contig;
            snprintf(sa1, sizeof sa1, "%s,%lld,+,%dS%dM,60,0;", cn, (long long)pos2 + 1, k, tail);
            snprintf(sa2, sizeof sa2, "%s,%lld,+,%dM%dS,%d,0;", cn, (long long)s + 1, k, tail,
                     mapq);
            cig[0] = bam_cigar_gen(k, BAM_CMATCH);
            cig[1] = bam_cigar_gen(tail, BAM_CSOFT_CLIP);
            bl = make_rec(g, qname, fl, tid, s, mapq, cig, 2, rpos, L, ref, mol, k, 0, tail, t2,
                          sa1);
            cig[0] = bam_cigar_gen(k, BAM_CHARD_CLIP);
            cig[1] = bam_cigar_gen(tail, BAM_CMATCH);
            bs = bl ? make_rec(g, qname, fl | BAM_FSUPPLEMENTARY, tid, pos2, 60, cig, 2, rpos, L,
                               t2, t2, tail, 0, 0, NULL, sa2)
                    : NULL;
            free(t2);
            if (!bl || !bs)
                return metcn_set_error(METCN_E_NOMEM, "cannot build a record");
            g->n_supp++;
            goto right;
        }
        free(t2);
    }
    cig[0] = bam_cigar_gen(rl, BAM_CMATCH);
    bl = make_rec(g, qname, fl, tid, s, mapq, cig, 1, rpos, L, ref, mol, rl, 0, 0, NULL, NULL);
    if (!bl)
        return metcn_set_error(METCN_E_NOMEM, "cannot build a record");
right:
    cig[0] = bam_cigar_gen(rl, BAM_CMATCH);
    br = make_rec(g, qname, fr, tid, rpos, mapq, cig, 1, s, -(int64_t)L, c->seq + (rpos - c->c0),
                  mol + (rpos - s), rl, 0, 0, NULL, NULL);
    if (!br)
        return metcn_set_error(METCN_E_NOMEM, "cannot build a record");
    if (heap_push(&g->heap, bl) || heap_push(&g->heap, br) || (bs && heap_push(&g->heap, bs)))
        return metcn_set_error(METCN_E_NOMEM, "out of memory");
    return 0;
}

typedef struct {
    int64_t pos;
    double dw; /* weight change */
} event_t;

static int cmp_event(const void *pa, const void *pb)
{
    const event_t *a = pa, *b = pb;
    return a->pos < b->pos ? -1 : a->pos > b->pos;
}

static double artefact_factor(const reads_opt_t *o, const char *contig, int64_t pos)
{
    double f = 1;
    for (int i = 0; i < o->n_artefacts; i++)
        if (pos >= o->artefacts[i].start && pos < o->artefacts[i].end &&
            strcmp(o->artefacts[i].contig, contig) == 0)
            f *= o->artefacts[i].cn;
    return f;
}

/* A fragment length ~ Normal(mean, sd) truncated to [--frag-min, lmax]. */
static double draw_length(gen_t *g, double mean, double sd, int lmax)
{
    const reads_opt_t *o = g->o;
    for (;;) {
        double L = floor(mean + sd * gsl_ran_ugaussian(g->rng) + 0.5);
        if (L >= o->frag_min && L <= lmax)
            return L;
    }
}

/* The haplotype a fragment at pos comes from: in a tumour cell haplotype 0 (the major one)
 * with probability major / (major + minor), in a normal cell 0 or 1 alike (0 where the normal
 * has one copy); u uniform in (0,1). */
static int fragment_hap(const sim_cn_t *cn, const char *contig, int64_t pos, int tumour, double u)
{
    if (tumour) {
        double major, minor;
        sim_tumour_acn(cn, contig, pos, &major, &minor);
        return major + minor > 0 && u >= major / (major + minor);
    }
    return sim_normal_cn(cn, contig) >= 1.5 && u >= 0.5;
}

/* Generate every fragment of one contig.  tg: the panel's targets on it (sorted), or NULL in
 * WGS mode. */
static int gen_contig(gen_t *g, const faidx_t *fai, const rawfa_t *raw, int tid, const tgt_t *tg,
                      size_t n_tg)
{
    const reads_opt_t *o = g->o;
    const char *contig = sam_hdr_tid2name(g->hdr, tid);
    int64_t len = sam_hdr_tid2len(g->hdr, tid);
    int rl = o->read_len;
    int lmax = (int)ceil(o->frag_mean + 4 * o->frag_sd);
    if (o->tfrag_mean >= 0 && ceil(o->tfrag_mean + 4 * o->tfrag_sd) > lmax)
        lmax = (int)ceil(o->tfrag_mean + 4 * o->tfrag_sd);
    if (lmax < rl)
        lmax = rl;
    if (lmax < o->frag_min)
        lmax = o->frag_min;
    double base = o->depth / (2.0 * rl); /* fragment starts per bp giving depth `depth` */
    double gmax = sim_gc_max(&o->gc);
    double amax = 1;
    for (int i = 0; i < o->n_artefacts; i++)
        if (o->artefacts[i].cn > 1)
            amax *= o->artefacts[i].cn; /* overlapping artefacts multiply */
    if (len <= lmax || sim_normal_cn(&o->cn, contig) == 0)
        return 0;

    /* piecewise-constant weight over start positions */
    size_t n_ev = 0;
    event_t *ev = malloc((2 * n_tg + 2) * sizeof *ev);
    if (!ev)
        return metcn_set_error(METCN_E_NOMEM, "out of memory");
    double w0 = tg ? o->offtarget : 1.0;
    ev[n_ev++] = (event_t){0, w0};
    ev[n_ev++] = (event_t){len - rl + 1, -w0};
    for (size_t i = 0; i < n_tg; i++) {
        int64_t a = tg[i].start - lmax + 1;
        ev[n_ev++] = (event_t){a < 0 ? 0 : a, tg[i].eff};
        ev[n_ev++] = (event_t){tg[i].end, -tg[i].eff};
    }
    qsort(ev, n_ev, sizeof *ev, cmp_event);

    seqcache_t cache = {fai, raw, contig, len, 0, 0, NULL, NULL, NULL, 0, NULL, 0};
    size_t ti = 0; /* first target whose end is beyond the current start */
    double w = 0;
    int rc = 0;
    for (size_t e = 0; e + 1 < n_ev && rc == 0; e++) {
        w += ev[e].dw;
        int64_t x0 = ev[e].pos, x1 = ev[e + 1].pos;
        if (x1 > len - rl + 1)
            x1 = len - rl + 1;
        if (x1 <= x0 || w <= 1e-12)
            continue;
        double cnmax = sim_cn_factor_max(&o->cn, contig, x0, x1 + lmax);
        double lambda = base * w * cnmax * amax * gmax * 1.000001;
        if (lambda <= 0)
            continue;
        /* dense pieces fetch ~2000 candidates' worth of sequence at once, sparse ones only
         * the fragment */
        int64_t chunk =
            1.0 / lambda > 2000 ? lmax : (int64_t)fmin(1e6, fmax(4.0 * lmax, 2000 / lambda));
        double x = (double)x0;
        for (;;) {
            x += -log(1.0 - gsl_rng_uniform(g->rng)) / lambda;
            if (x >= (double)x1)
                break;
            int64_t s = (int64_t)x;
            if ((rc = flush_before(g, s)) != 0)
                break;
            /* The fragment's origin (tumour or normal cell) and haplotype come from a hash of
             * the candidate's number, not from the generator's stream, so that adding SNPs
             * changes no fragment.  When tumour fragments have lengths of their own, the
             * origin is drawn first, at the normal fragments' mean midpoint. */
            uint64_t fh = sim_mix64(o->seed ^ sim_mix64(++g->n_cand));
            int tum = -1, L;
            if (o->tfrag_mean >= 0) {
                tum = sim_u01(fh) <
                      sim_tumour_fraction(&o->cn, contig, s + (int64_t)(o->frag_mean / 2));
                L = (int)draw_length(g, tum ? o->tfrag_mean : o->frag_mean,
                                     tum ? o->tfrag_sd : o->frag_sd, lmax);
            } else {
                L = (int)draw_length(g, o->frag_mean, o->frag_sd, lmax);
            }
            if (s + L > len)
                continue;
            if ((rc = cache_ensure(&cache, s, s + L, chunk)) != 0)
                break;
            int64_t off = s - cache.c0;
            if (cache.npre[off + L] - cache.npre[off] > 0)
                continue;
            double gc = (double)(cache.gcpre[off + L] - cache.gcpre[off]) / L;
            double wf = tg ? o->offtarget : 1.0;
            if (tg) {
                while (ti < n_tg && tg[ti].end <= s)
                    ti++;
                for (size_t k = ti; k < n_tg && tg[k].start < s + L; k++)
                    wf += tg[k].eff;
            }
            int64_t mid = s + L / 2;
            double rate = base * wf * sim_cn_factor(&o->cn, contig, mid) *
                          artefact_factor(o, contig, mid) * sim_gc_factor(&o->gc, gc);
            if (rate > lambda) {
                /* the bound is wrong: a bug, never a sampling outcome */
                rc = metcn_set_error(METCN_E_NUMERIC,
                                     "%s:%lld: rate %g above its bound %g (internal error)", contig,
                                     (long long)s + 1, rate, lambda);
                break;
            }
            if (gsl_rng_uniform(g->rng) * lambda >= rate)
                continue;
            int mq =
                gsl_rng_uniform(g->rng) < o->lowmapq ? (int)gsl_rng_uniform_int(g->rng, 20) : -1;
            int chim = o->supp > 0 && gsl_rng_uniform(g->rng) < o->supp;
            if (tum < 0)
                tum = sim_u01(fh) < sim_tumour_fraction(&o->cn, contig, mid);
            int hap = fragment_hap(&o->cn, contig, mid, tum, sim_u01(sim_mix64(fh ^ 0x4a7)));
            g->n_frag++;
            g->n_lowmq += mq >= 0;
            g->n_tumour += (uint64_t)tum;
            if ((rc = make_fragment(g, &cache, tid, s, L, 0, mq, chim, hap, tum)) != 0)
                break;
            if (o->dup > 0 && gsl_rng_uniform(g->rng) < o->dup) { /* the same molecule */
                g->n_dup++;
                if ((rc = make_fragment(g, &cache, tid, s, L, 1, mq, 0, hap, tum)) != 0)
                    break;
            }
        }
    }
    if (rc == 0)
        rc = flush_before(g, INT64_MAX);
    free(ev);
    free(cache.seq);
    free(cache.gcpre);
    free(cache.npre);
    free(cache.buf);
    return rc;
}

/* ---- outputs ------------------------------------------------------------------------------ */

static int cmp_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return a < b ? -1 : a > b;
}

/* The tumour's segments of one contig: pieces of constant (copy number, major, minor) between
 * the model's breakpoints, merged, into f (when f is set); *bases and *cn_bases add the contig's
 * length and its copy number times length, for the mean ploidy. */
static void contig_segments(const sim_cn_t *cn, const char *contig, int64_t len, metcn_ofile_t *f,
                            double *bases, double *cn_bases)
{
    int64_t cut[8 + 2 * SIM_MAX_SEGS];
    int n = 0;
    cut[n++] = 0;
    cut[n++] = len;
    if (strcmp(contig, "chr7") == 0 || strcmp(contig, "7") == 0) {
        int64_t c7[] = {SIM_CEN7_START, SIM_CEN7_END,  cn->egfr_start,
                        cn->egfr_end,   cn->amp_start, cn->amp_end};
        for (int i = 0; i < 6; i++)
            cut[n++] = c7[i];
    }
    for (int i = 0; i < cn->n_segs; i++)
        if (strcmp(cn->segs[i].contig, contig) == 0) {
            cut[n++] = cn->segs[i].start;
            cut[n++] = cn->segs[i].end;
        }
    qsort(cut, (size_t)n, sizeof *cut, cmp_i64);
    /* the copy number is constant between cuts: a segment ends where it changes */
    int64_t start = 0;
    double c = sim_tumour_cn(cn, contig, 0), M, m;
    sim_tumour_acn(cn, contig, 0, &M, &m);
    int normal = sim_normal_cn(cn, contig) > 0;
    for (int i = 0; i < n && len > 0; i++) {
        int64_t a = cut[i] < 0 ? 0 : cut[i] > len ? len : cut[i];
        double c1 = 0, M1 = 0, m1 = 0;
        if (a <= start)
            continue;
        if (a < len) {
            c1 = sim_tumour_cn(cn, contig, a);
            sim_tumour_acn(cn, contig, a, &M1, &m1);
            if (c1 == c && M1 == M && m1 == m)
                continue;
        }
        char b[3][32];
        if (f)
            metcn_ofile_printf(f, "%s\t%lld\t%lld\t%s\t%s\t%s\n", contig, (long long)start,
                               (long long)a, metcn_fmt_double(b[0], c, 6),
                               metcn_fmt_double(b[1], M, 6), metcn_fmt_double(b[2], m, 6));
        if (normal) {
            *bases += (double)(a - start);
            *cn_bases += c * (double)(a - start);
        }
        start = a;
        c = c1, M = M1, m = m1;
        if (a == len)
            break;
    }
}

/* PREFIX.segments.tsv: chrom start end cn major minor, every contig of the reference. */
static int write_segments(const reads_opt_t *o, sam_hdr_t *hdr, const char *path, double *ploidy)
{
    metcn_ofile_t *f = metcn_ofile_open(path);
    if (!f)
        return -1;
    double bases = 0, cn_bases = 0;
    metcn_ofile_printf(f, "chrom\tstart\tend\tcn\tmajor\tminor\n");
    for (int tid = 0; tid < sam_hdr_nref(hdr); tid++)
        contig_segments(&o->cn, sam_hdr_tid2name(hdr, tid), sam_hdr_tid2len(hdr, tid), f, &bases,
                        &cn_bases);
    *ploidy = bases > 0 ? cn_bases / bases : NAN;
    return metcn_ofile_close(f, 1);
}

/* "FRAC:P" with both in [0, 1] and their sum of shares checked by the caller. */
static int frac_pair(const char *cmd, const char *opt, const char *arg, double *frac, double *p)
{
    const char *colon = strchr(arg, ':');
    char head[64];
    if (!colon || (size_t)(colon - arg) >= sizeof head)
        return sim_usage(cmd, "%s: expected FRAC:P, got '%s'", opt, arg);
    memcpy(head, arg, (size_t)(colon - arg));
    head[colon - arg] = 0;
    int rc = sim_opt_double(cmd, opt, head, 0, 1, frac);
    return rc ? rc : sim_opt_double(cmd, opt, colon + 1, 0, 1, p);
}

/* PREFIX.site_artefacts.tsv: the artefact sites (1-based pos), their kind, and the REF
 * fraction they give at a heterozygous site of a normal (bias: 1/(2-LOSS); paralog: 1-ALT
 * whatever the genotype). */
static int write_site_artefacts(const reads_opt_t *o, sam_hdr_t *hdr, const simsites_t *ss,
                                const char *path)
{
    metcn_ofile_t *f = metcn_ofile_open(path);
    if (!f)
        return -1;
    metcn_ofile_printf(f, "chrom\tpos\tref\talt\tkind\thet_ref_fraction\n");
    for (int tid = 0; tid < sam_hdr_nref(hdr); tid++)
        for (size_t i = 0; i < ss[tid].n; i++) {
            const site_t *e = &ss[tid].s[i];
            if (e->kind == SITE_PLAIN || e->kind == SITE_SOMATIC)
                continue;
            char b[32];
            double rf = e->kind == SITE_BIAS ? 1.0 / (2.0 - o->bias_loss) : 1.0 - o->art_alt;
            metcn_ofile_printf(f, "%s\t%lld\t%c\t%c\t%s\t%s\n", sam_hdr_tid2name(hdr, tid),
                               (long long)e->pos + 1, e->ref, e->alt,
                               e->kind == SITE_BIAS ? "ref_bias" : "paralog",
                               metcn_fmt_double(b, rf, 6));
        }
    return metcn_ofile_close(f, 1);
}

/* PREFIX.genotypes.tsv: the individual's alleles at the sites (1-based pos), and the expected
 * fraction of reads carrying the alt allele in this sample. */
static int write_genotypes(const reads_opt_t *o, sam_hdr_t *hdr, const simsites_t *ss,
                           const char *path, size_t *n_sites, size_t *n_het)
{
    metcn_ofile_t *f = metcn_ofile_open(path);
    if (!f)
        return -1;
    *n_sites = *n_het = 0;
    metcn_ofile_printf(f, "chrom\tpos\tref\talt\taf\thap0\thap1\texpected_alt_fraction\n");
    for (int tid = 0; tid < sam_hdr_nref(hdr); tid++) {
        const char *contig = sam_hdr_tid2name(hdr, tid);
        if (sim_normal_cn(&o->cn, contig) == 0 || !sim_contig_wanted(o->contigs, contig))
            continue;
        for (size_t i = 0; i < ss[tid].n; i++) {
            const site_t *e = &ss[tid].s[i];
            if (e->kind == SITE_SOMATIC)
                continue; /* not the individual's: the truth's tumour fraction says its VAF */
            double h0 = sim_hap0_fraction(&o->cn, contig, e->pos);
            double alt = (e->a[0] == e->alt) * h0 + (e->a[1] == e->alt) * (1 - h0);
            char b[32];
            metcn_ofile_printf(f, "%s\t%lld\t%c\t%c\t%.4f\t%c\t%c\t%s\n", contig,
                               (long long)e->pos + 1, e->ref, e->alt, e->af, e->a[0], e->a[1],
                               metcn_fmt_double(b, alt, 6));
            (*n_sites)++;
            *n_het += e->a[0] != e->a[1];
        }
    }
    return metcn_ofile_close(f, 1);
}

/* The tumour's allele-specific copy number over the MET coding exons, length-weighted. */
static void met_acn(const sim_cn_t *cn, double *major, double *minor)
{
    double M = 0, m = 0, len = 0;
    for (int i = 0; i < SIM_N_MET_EXONS; i++)
        for (int64_t x = sim_met_exons[i][0]; x < sim_met_exons[i][1]; x++) {
            double a, b;
            sim_tumour_acn(cn, "chr7", x, &a, &b);
            M += a;
            m += b;
            len += 1;
        }
    *major = M / len;
    *minor = m / len;
}

typedef struct {
    double mean_ploidy;
    size_t n_sites, n_het;
} truth_extra_t;

static int write_truth(const reads_opt_t *o, const char *sample, const char *path, const gen_t *g,
                       const truth_extra_t *x)
{
    sim_truth_t t;
    sim_truth(&o->cn, &t);
    metcn_ofile_t *f = metcn_ofile_open(path);
    if (!f)
        return -1;
    char b[12][32];
    metcn_ofile_printf(
        f,
        "sample\tsex\tdepth\tmet_cn\tchr7_cn\tchr7p_cn\tchr7q_cn\tpurity\tploidy\tfish_ratio\t"
        "fish_tier\thigh_amp\tpattern\tbase_cn\tegfr_cn\tamp_start\tamp_end\tmode\tseed\t"
        "read_len\tfrag_mean\tfrag_sd\terror\tdup\tlowmapq\tsupp\tofftarget\tcapture_seed\t"
        "capture_sd\tgc_slope\tgc_curv\tn_fragments\tn_duplicates\tn_lowmapq\tn_supplementary\t"
        "n_records\twgd\tmean_ploidy\tmet_major\tmet_minor\tgermline_seed\tsnps\tn_sites\tn_het\t"
        "tumour_frag_mean\ttumour_frag_sd\tfrag_min\tdup_unflagged\tn_tumour_fragments\n");
    metcn_ofile_printf(
        f,
        "%s\t%s\t%g\t%s\t%s\t%s\t%s\t%g\t%g\t%s\t%s\t%s\t%s\t%g\t%s\t%lld\t%lld\t%s\t%llu\t%d\t%g"
        "\t%g\t%g\t%g\t%g\t%g\t%g\t%llu\t%g\t%g\t%g\t%llu\t%llu\t%llu\t%llu\t%llu",
        sample, o->cn.sex == SIM_XY ? "XY" : "XX", o->depth, metcn_fmt_double(b[0], t.met_cn, 6),
        metcn_fmt_double(b[1], t.chr7_cn, 6), metcn_fmt_double(b[2], t.chr7p_cn, 6),
        metcn_fmt_double(b[3], t.chr7q_cn, 6), o->cn.purity, o->cn.ploidy,
        metcn_fmt_double(b[4], t.fish_ratio, 6), t.fish_tier, t.high_amp, t.pattern, o->cn.base_cn,
        o->cn.egfr_cn >= 0 ? metcn_fmt_double(b[5], o->cn.egfr_cn, 6) : "NA",
        (long long)(o->cn.met_cn >= 0 ? o->cn.amp_start : -1),
        (long long)(o->cn.met_cn >= 0 ? o->cn.amp_end : -1), o->wgs ? "wgs" : "panel",
        (unsigned long long)o->seed, o->read_len, o->frag_mean, o->frag_sd, o->error, o->dup,
        o->lowmapq, o->supp, o->offtarget, (unsigned long long)o->capture_seed, o->capture_sd,
        o->gc.slope, o->gc.curv, (unsigned long long)g->n_frag, (unsigned long long)g->n_dup,
        (unsigned long long)g->n_lowmq, (unsigned long long)g->n_supp,
        (unsigned long long)g->n_records);
    double major, minor;
    met_acn(&o->cn, &major, &minor);
    metcn_ofile_printf(f, "\t%s\t%s\t%s\t%s\t%llu\t%s\t%zu\t%zu\t%g\t%g\t%d\t%s\t%llu\n",
                       o->cn.wgd ? "yes" : "no", metcn_fmt_double(b[6], x->mean_ploidy, 6),
                       metcn_fmt_double(b[7], major, 6), metcn_fmt_double(b[8], minor, 6),
                       (unsigned long long)o->germline_seed, o->snps ? o->snps : "NA", x->n_sites,
                       x->n_het, o->tfrag_mean >= 0 ? o->tfrag_mean : o->frag_mean,
                       o->tfrag_mean >= 0 ? o->tfrag_sd : o->frag_sd, o->frag_min,
                       o->dup_unflagged ? "yes" : "no", (unsigned long long)g->n_tumour);
    return metcn_ofile_close(f, 1);
}

static int load_targets(const reads_opt_t *o, sam_hdr_t *hdr, tgt_t ***per_tid, size_t **n_per)
{
    metcn_panel_opt_t popt;
    metcn_panel_opt_init(&popt);
    metcn_panel_t *p = metcn_panel_load(o->bed, &popt, hdr);
    if (!p)
        return -1;
    int n_tid = sam_hdr_nref(hdr);
    *per_tid = calloc((size_t)n_tid, sizeof **per_tid);
    *n_per = calloc((size_t)n_tid, sizeof **n_per);
    if (!*per_tid || !*n_per) {
        metcn_panel_destroy(p);
        return metcn_set_error(METCN_E_NOMEM, "out of memory");
    }
    int rc = 0;
    for (size_t i = 0; i < p->n_bins && rc == 0; i++) {
        const metcn_bin_t *b = &p->bins[i];
        const char *cn = p->contigs[b->contig].name;
        int tid = sam_hdr_name2tid(hdr, cn);
        if (tid < 0) {
            rc = metcn_set_error(METCN_E_CONTIG, "%s: contig %s is not in the reference", o->bed,
                                 cn);
            break;
        }
        if (b->end > sam_hdr_tid2len(hdr, tid)) {
            rc = metcn_set_error(METCN_E_RANGE, "%s: %s:%lld-%lld is beyond the contig end", o->bed,
                                 cn, (long long)b->start + 1, (long long)b->end);
            break;
        }
        tgt_t *a = realloc((*per_tid)[tid], ((*n_per)[tid] + 1) * sizeof *a);
        if (!a) {
            rc = metcn_set_error(METCN_E_NOMEM, "out of memory");
            break;
        }
        a[(*n_per)[tid]++] =
            (tgt_t){b->start, b->end,
                    sim_capture_eff(o->capture_seed, o->capture_sd, cn, b->start, b->end)};
        (*per_tid)[tid] = a;
    }
    metcn_panel_destroy(p);
    return rc;
}

/* Raw FASTA for pread(), or -1 when it is compressed (then faidx reads it). */
static int open_raw(const char *ref)
{
    int fd = open(ref, O_RDONLY);
    unsigned char m[2] = {0, 0};
    if (fd >= 0 && (pread(fd, m, 2, 0) != 2 || (m[0] == 0x1f && m[1] == 0x8b))) {
        close(fd);
        fd = -1;
    }
    return fd;
}

/* The .fai line of contig: offset, bases and bytes per line.  0, or -1 if absent. */
static int raw_entry(const char *ref, const char *contig, rawfa_t *r)
{
    kstring_t path = {0, 0, NULL};
    ksprintf(&path, "%s.fai", ref);
    FILE *fp = fopen(path.s, "r");
    free(path.s);
    if (!fp)
        return -1;
    char line[1024];
    int rc = -1;
    while (rc != 0 && fgets(line, sizeof line, fp)) {
        char *f[6];
        if (metcn_split(line, '\t', f, 6) < 5 || strcmp(f[0], contig) != 0)
            continue;
        if (metcn_parse_int64(f[2], 0, INT64_MAX, &r->offset) == 0 &&
            metcn_parse_int64(f[3], 1, INT64_MAX, &r->line_bases) == 0 &&
            metcn_parse_int64(f[4], 1, INT64_MAX, &r->line_width) == 0 &&
            r->line_width >= r->line_bases)
            rc = 0;
        else
            break;
    }
    fclose(fp);
    return rc;
}

static sam_hdr_t *make_header(const reads_opt_t *o, const faidx_t *fai, const char *sample,
                              int argc, char **argv)
{
    kstring_t k = {0, 0, NULL};
    ksprintf(&k, "@HD\tVN:1.6\tSO:coordinate\n");
    for (int i = 0; i < faidx_nseq(fai); i++) {
        const char *nm = faidx_iseq(fai, i);
        ksprintf(&k, "@SQ\tSN:%s\tLN:%lld\n", nm, (long long)faidx_seq_len(fai, nm));
    }
    ksprintf(&k, "@RG\tID:%s\tSM:%s\tLB:%s-lib1\tPL:ILLUMINA\n", sample, sample, sample);
    ksprintf(&k, "@PG\tID:metcn-sim\tPN:metcn-sim\tVN:%s\tCL:metcn-sim", METCN_VERSION);
    for (int i = 0; i < argc; i++)
        ksprintf(&k, " %s", argv[i]);
    kputc('\n', &k);
    (void)o;
    sam_hdr_t *h = sam_hdr_parse(k.l, k.s);
    free(k.s);
    return h;
}

int sim_main_reads(int argc, char **argv)
{
    const char *cmd = "reads";
    reads_opt_t o;
    reads_opt_init(&o);
    enum {
        O_WGS = 1,
        O_CONTIGS,
        O_RL,
        O_FM,
        O_FS,
        O_ERR,
        O_DUP,
        O_LMQ,
        O_SUPP,
        O_OFF,
        O_CSEED,
        O_CSD,
        O_GCS,
        O_GCC,
        O_ART,
        O_SEX,
        O_PUR,
        O_PLO,
        O_BASE,
        O_C7,
        O_C7P,
        O_C7Q,
        O_MET,
        O_AS,
        O_AE,
        O_EGFR,
        O_ES,
        O_EE,
        O_SEG,
        O_CRAM,
        O_NOBAM,
        O_SNPS,
        O_SOMATIC,
        O_GSEED,
        O_BIAS_SITES,
        O_ART_SITES,
        O_TFM,
        O_TFS,
        O_FMIN,
        O_DUPU,
        O_WGD,
        O_PLASMA
    };
    static const struct option lo[] = {{"ref", required_argument, NULL, 'r'},
                                       {"out", required_argument, NULL, 'o'},
                                       {"sample", required_argument, NULL, 'n'},
                                       {"bed", required_argument, NULL, 'b'},
                                       {"seed", required_argument, NULL, 's'},
                                       {"depth", required_argument, NULL, 'd'},
                                       {"threads", required_argument, NULL, '@'},
                                       {"level", required_argument, NULL, 'l'},
                                       {"wgs", no_argument, NULL, O_WGS},
                                       {"contigs", required_argument, NULL, O_CONTIGS},
                                       {"read-len", required_argument, NULL, O_RL},
                                       {"frag-mean", required_argument, NULL, O_FM},
                                       {"frag-sd", required_argument, NULL, O_FS},
                                       {"error", required_argument, NULL, O_ERR},
                                       {"dup", required_argument, NULL, O_DUP},
                                       {"lowmapq", required_argument, NULL, O_LMQ},
                                       {"supp", required_argument, NULL, O_SUPP},
                                       {"offtarget", required_argument, NULL, O_OFF},
                                       {"capture-seed", required_argument, NULL, O_CSEED},
                                       {"capture-sd", required_argument, NULL, O_CSD},
                                       {"gc-slope", required_argument, NULL, O_GCS},
                                       {"gc-curv", required_argument, NULL, O_GCC},
                                       {"artefact", required_argument, NULL, O_ART},
                                       {"sex", required_argument, NULL, O_SEX},
                                       {"purity", required_argument, NULL, O_PUR},
                                       {"ploidy", required_argument, NULL, O_PLO},
                                       {"base-cn", required_argument, NULL, O_BASE},
                                       {"chr7-cn", required_argument, NULL, O_C7},
                                       {"chr7p-cn", required_argument, NULL, O_C7P},
                                       {"chr7q-cn", required_argument, NULL, O_C7Q},
                                       {"met-cn", required_argument, NULL, O_MET},
                                       {"amp-start", required_argument, NULL, O_AS},
                                       {"amp-end", required_argument, NULL, O_AE},
                                       {"egfr-cn", required_argument, NULL, O_EGFR},
                                       {"egfr-start", required_argument, NULL, O_ES},
                                       {"egfr-end", required_argument, NULL, O_EE},
                                       {"seg", required_argument, NULL, O_SEG},
                                       {"cram", no_argument, NULL, O_CRAM},
                                       {"no-bam", no_argument, NULL, O_NOBAM},
                                       {"snps", required_argument, NULL, O_SNPS},
                                       {"somatic", required_argument, NULL, O_SOMATIC},
                                       {"germline-seed", required_argument, NULL, O_GSEED},
                                       {"ref-bias-sites", required_argument, NULL, O_BIAS_SITES},
                                       {"artefact-sites", required_argument, NULL, O_ART_SITES},
                                       {"tumour-frag-mean", required_argument, NULL, O_TFM},
                                       {"tumour-frag-sd", required_argument, NULL, O_TFS},
                                       {"frag-min", required_argument, NULL, O_FMIN},
                                       {"dup-unflagged", no_argument, NULL, O_DUPU},
                                       {"wgd", no_argument, NULL, O_WGD},
                                       {"plasma", no_argument, NULL, O_PLASMA},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
    int c, rc = 0, fm_set = 0, fs_set = 0, plasma = 0;
    int64_t v;
    const double CNMAX = 1000;
    optind = 1;
    while ((c = getopt_long(argc, argv, "r:o:n:b:s:d:@:l:h", lo, NULL)) != -1) {
        rc = 0;
        switch (c) {
        case 'r':
            o.ref = optarg;
            break;
        case 'o':
            o.out = optarg;
            break;
        case 'n':
            o.sample = optarg;
            break;
        case 'b':
            o.bed = optarg;
            break;
        case 's':
            if (!(rc = sim_opt_int64(cmd, "--seed", optarg, 0, INT64_MAX, &v)))
                o.seed = (uint64_t)v;
            break;
        case 'd':
            rc = sim_opt_double(cmd, "--depth", optarg, 0.001, 1e6, &o.depth);
            break;
        case '@':
            if (!(rc = sim_opt_int64(cmd, "--threads", optarg, 1, 64, &v)))
                o.threads = (int)v;
            break;
        case 'l':
            if (!(rc = sim_opt_int64(cmd, "--level", optarg, 0, 9, &v)))
                o.level = (int)v;
            break;
        case O_WGS:
            o.wgs = 1;
            break;
        case O_CONTIGS:
            o.contigs = optarg;
            break;
        case O_RL:
            if (!(rc = sim_opt_int64(cmd, "--read-len", optarg, 30, 500, &v)))
                o.read_len = (int)v;
            break;
        case O_FM:
            rc = sim_opt_double(cmd, "--frag-mean", optarg, 30, 2000, &o.frag_mean);
            fm_set = 1;
            break;
        case O_FS:
            rc = sim_opt_double(cmd, "--frag-sd", optarg, 0, 500, &o.frag_sd);
            fs_set = 1;
            break;
        case O_SNPS:
            o.snps = optarg;
            break;
        case O_SOMATIC:
            o.somatic = optarg;
            break;
        case O_GSEED:
            if (!(rc = sim_opt_int64(cmd, "--germline-seed", optarg, 0, INT64_MAX, &v))) {
                o.germline_seed = (uint64_t)v;
                o.germline_set = 1;
            }
            break;
        case O_BIAS_SITES:
            rc = frac_pair(cmd, "--ref-bias-sites", optarg, &o.bias_frac, &o.bias_loss);
            break;
        case O_ART_SITES:
            rc = frac_pair(cmd, "--artefact-sites", optarg, &o.art_frac, &o.art_alt);
            break;
        case O_TFM:
            rc = sim_opt_double(cmd, "--tumour-frag-mean", optarg, 30, 2000, &o.tfrag_mean);
            break;
        case O_TFS:
            rc = sim_opt_double(cmd, "--tumour-frag-sd", optarg, 0, 500, &o.tfrag_sd);
            break;
        case O_FMIN:
            if (!(rc = sim_opt_int64(cmd, "--frag-min", optarg, 20, 2000, &v)))
                o.frag_min = (int)v;
            break;
        case O_DUPU:
            o.dup_unflagged = 1;
            break;
        case O_WGD:
            o.cn.wgd = 1;
            break;
        case O_PLASMA:
            plasma = 1;
            break;
        case O_ERR:
            rc = sim_opt_double(cmd, "--error", optarg, 0, 0.2, &o.error);
            break;
        case O_DUP:
            rc = sim_opt_double(cmd, "--dup", optarg, 0, 1, &o.dup);
            break;
        case O_LMQ:
            rc = sim_opt_double(cmd, "--lowmapq", optarg, 0, 1, &o.lowmapq);
            break;
        case O_SUPP:
            rc = sim_opt_double(cmd, "--supp", optarg, 0, 1, &o.supp);
            break;
        case O_OFF:
            rc = sim_opt_double(cmd, "--offtarget", optarg, 0, 10, &o.offtarget);
            break;
        case O_CSEED:
            if (!(rc = sim_opt_int64(cmd, "--capture-seed", optarg, 0, INT64_MAX, &v)))
                o.capture_seed = (uint64_t)v;
            break;
        case O_CSD:
            rc = sim_opt_double(cmd, "--capture-sd", optarg, 0, 3, &o.capture_sd);
            break;
        case O_GCS:
            rc = sim_opt_double(cmd, "--gc-slope", optarg, -50, 50, &o.gc.slope);
            break;
        case O_GCC:
            rc = sim_opt_double(cmd, "--gc-curv", optarg, -500, 500, &o.gc.curv);
            break;
        case O_ART:
            if (o.n_artefacts == MAX_ARTEFACTS)
                return sim_usage(cmd, "--artefact: at most %d", MAX_ARTEFACTS);
            if (parse_seg(optarg, &o.artefacts[o.n_artefacts++], 0))
                return sim_usage(cmd, "--artefact: '%s' is not CONTIG:START-END:FACTOR", optarg);
            break;
        case O_SEX:
            if (strcmp(optarg, "XX") == 0)
                o.cn.sex = SIM_XX;
            else if (strcmp(optarg, "XY") == 0)
                o.cn.sex = SIM_XY;
            else
                return sim_usage(cmd, "--sex: '%s' is not XX or XY", optarg);
            break;
        case O_PUR:
            rc = sim_opt_double(cmd, "--purity", optarg, 0, 1, &o.cn.purity);
            break;
        case O_PLO:
            rc = sim_opt_double(cmd, "--ploidy", optarg, 0.5, 20, &o.cn.ploidy);
            break;
        case O_BASE:
            rc = sim_opt_double(cmd, "--base-cn", optarg, 0.5, 20, &o.cn.base_cn);
            break;
        case O_C7:
            rc = sim_opt_double(cmd, "--chr7-cn", optarg, 0.5, CNMAX, &o.cn.chr7_cn);
            break;
        case O_C7P:
            rc = sim_opt_double(cmd, "--chr7p-cn", optarg, 0, CNMAX, &o.cn.chr7p_cn);
            break;
        case O_C7Q:
            rc = sim_opt_double(cmd, "--chr7q-cn", optarg, 0, CNMAX, &o.cn.chr7q_cn);
            break;
        case O_MET:
            rc = sim_opt_double(cmd, "--met-cn", optarg, 0, CNMAX, &o.cn.met_cn);
            break;
        case O_AS:
            rc = sim_opt_int64(cmd, "--amp-start", optarg, 0, SIM_CHR7_LEN, &o.cn.amp_start);
            break;
        case O_AE:
            rc = sim_opt_int64(cmd, "--amp-end", optarg, 1, SIM_CHR7_LEN, &o.cn.amp_end);
            break;
        case O_EGFR:
            rc = sim_opt_double(cmd, "--egfr-cn", optarg, 0, CNMAX, &o.cn.egfr_cn);
            break;
        case O_ES:
            rc = sim_opt_int64(cmd, "--egfr-start", optarg, 0, SIM_CHR7_LEN, &o.cn.egfr_start);
            break;
        case O_EE:
            rc = sim_opt_int64(cmd, "--egfr-end", optarg, 1, SIM_CHR7_LEN, &o.cn.egfr_end);
            break;
        case O_SEG:
            if (o.cn.n_segs == SIM_MAX_SEGS)
                return sim_usage(cmd, "--seg: at most %d", SIM_MAX_SEGS);
            if (parse_seg(optarg, &o.cn.segs[o.cn.n_segs++], 1))
                return sim_usage(cmd,
                                 "--seg: '%s' is not CONTIG:START-END:CN or "
                                 "CONTIG:START-END:MAJOR+MINOR (MAJOR >= MINOR)",
                                 optarg);
            break;
        case O_CRAM:
            o.cram = 1;
            break;
        case O_NOBAM:
            o.bam = 0;
            break;
        case 'h':
            reads_help(stdout);
            return fclose(stdout) == 0 ? 0 : 1;
        default:
            return sim_usage(cmd, "unknown option");
        }
        if (rc)
            return rc;
    }
    if (optind < argc)
        return sim_usage(cmd, "unexpected argument '%s'", argv[optind]);
    if (!o.ref || !o.out)
        return sim_usage(cmd, "--ref and --out are required");
    if (!o.bed == !o.wgs)
        return sim_usage(cmd, "give exactly one of --bed and --wgs");
    if (!o.bam && !o.cram)
        return sim_usage(cmd, "--no-bam without --cram writes nothing");
    if (o.cn.amp_end <= o.cn.amp_start)
        return sim_usage(cmd, "--amp-end must be above --amp-start");
    if (o.cn.egfr_end <= o.cn.egfr_start)
        return sim_usage(cmd, "--egfr-end must be above --egfr-start");
    if (plasma) { /* cell-free DNA: ~167 bp from normal cells, ~145 bp from the tumour */
        if (!fm_set)
            o.frag_mean = 167;
        if (!fs_set)
            o.frag_sd = 20;
        if (o.tfrag_mean < 0)
            o.tfrag_mean = 145;
        if (o.tfrag_sd < 0)
            o.tfrag_sd = 20;
        if (o.frag_min < 0)
            o.frag_min = 60;
    }
    if (o.tfrag_mean < 0 && o.tfrag_sd >= 0)
        o.tfrag_mean = o.frag_mean;
    if (o.tfrag_mean >= 0 && o.tfrag_sd < 0)
        o.tfrag_sd = o.frag_sd;
    if (o.frag_min < 0)
        o.frag_min = o.read_len;
    if (!o.germline_set)
        o.germline_seed = o.seed;
    if ((o.bias_frac > 0 || o.art_frac > 0) && !o.snps)
        return sim_usage(cmd, "--ref-bias-sites and --artefact-sites need --snps");
    if (o.bias_frac + o.art_frac > 1)
        return sim_usage(cmd, "--ref-bias-sites and --artefact-sites: shares add up to more "
                              "than 1");
    if (o.frag_mean < o.frag_min)
        return o.frag_min == o.read_len ? sim_usage(cmd, "--frag-mean %g is below --read-len %d",
                                                    o.frag_mean, o.read_len)
                                        : sim_usage(cmd, "--frag-mean %g is below --frag-min %d",
                                                    o.frag_mean, o.frag_min);
    if (o.tfrag_mean >= 0 && o.tfrag_mean < o.frag_min)
        return sim_usage(cmd, "--tumour-frag-mean %g is below --frag-min %d (give --frag-min)",
                         o.tfrag_mean, o.frag_min);
    sim_cn_finish(&o.cn);

    const char *sample = o.sample;
    if (!sample) {
        const char *sl = strrchr(o.out, '/');
        sample = sl ? sl + 1 : o.out;
    }
    if (!*sample || strpbrk(sample, " \t\n"))
        return sim_usage(cmd, "sample name '%s' is empty or has blanks", sample);

    faidx_t *fai = fai_load(o.ref);
    if (!fai)
        return sim_error(cmd, "%s: cannot open the FASTA or its index", o.ref);

    gen_t g;
    memset(&g, 0, sizeof g);
    g.o = &o;
    snprintf(g.rg, sizeof g.rg, "%s", sample);
    tgt_t **per_tid = NULL;
    size_t *n_per = NULL;
    char *paths[2] = {NULL, NULL}, *tmp[2] = {NULL, NULL}, *tmpidx[2] = {NULL, NULL};
    char *truth = NULL;
    int ret = 1, n_tid = 0, raw_fd = -1;
    g.hdr = make_header(&o, fai, sample, argc, argv);
    g.rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!g.hdr || !g.rng) {
        sim_error(cmd, "out of memory");
        goto out;
    }
    gsl_rng_set(g.rng, (unsigned long)(o.seed ^ (o.seed >> 32)));
    n_tid = sam_hdr_nref(g.hdr);
    if (o.bed && load_targets(&o, g.hdr, &per_tid, &n_per) != 0) {
        sim_error(cmd, "%s", metcn_last_error());
        goto out;
    }
    if ((o.snps || o.somatic) && load_sites(&o, g.hdr, &g.sites) != 0)
        goto out;
    if (o.contigs) {
        /* every listed contig must exist */
        char *dup = strdup(o.contigs);
        char *save = NULL;
        int bad = 0;
        for (char *t = dup ? strtok_r(dup, ",", &save) : NULL; t; t = strtok_r(NULL, ",", &save))
            if (sam_hdr_name2tid(g.hdr, t) < 0) {
                sim_error(cmd, "%s: contig %s is not in the reference", o.ref, t);
                bad = 1;
                break;
            }
        free(dup);
        if (bad)
            goto out;
    }
    raw_fd = open_raw(o.ref);
    static const char *const ext[2] = {"bam", "cram"};
    static const char *const iext[2] = {"bai", "crai"};
    for (int k = 0; k < 2; k++) {
        if (!(k == 0 ? o.bam : o.cram))
            continue;
        kstring_t ks = {0, 0, NULL};
        ksprintf(&ks, "%s.%s", o.out, ext[k]);
        paths[k] = ks.s;
        ks = (kstring_t){0, 0, NULL};
        ksprintf(&ks, "%s.tmp%ld", paths[k], (long)getpid());
        tmp[k] = ks.s;
        ks = (kstring_t){0, 0, NULL};
        ksprintf(&ks, "%s.%s", tmp[k], iext[k]);
        tmpidx[k] = ks.s;
        char mode[8];
        snprintf(mode, sizeof mode, "w%c%d", k == 0 ? 'b' : 'c', o.level);
        g.out[k] = hts_open(tmp[k], mode);
        if (!g.out[k]) {
            sim_error(cmd, "%s: cannot open for writing", tmp[k]);
            goto out;
        }
        if (k == 1 && hts_set_fai_filename(g.out[k], o.ref) != 0) {
            sim_error(cmd, "%s: cannot use as the CRAM reference", o.ref);
            goto out;
        }
        if (o.threads > 1)
            hts_set_threads(g.out[k], o.threads);
        if (sam_hdr_write(g.out[k], g.hdr) < 0 || sam_idx_init(g.out[k], g.hdr, 0, tmpidx[k]) < 0) {
            sim_error(cmd, "%s: cannot write the header", tmp[k]);
            goto out;
        }
    }
    for (int tid = 0; tid < n_tid; tid++) {
        const char *nm = sam_hdr_tid2name(g.hdr, tid);
        if (!sim_contig_wanted(o.contigs, nm))
            continue;
        if (o.bed && !n_per[tid] && o.offtarget <= 0)
            continue;
        rawfa_t raw = {-1, 0, 0, 0};
        if (raw_fd >= 0 && raw_entry(o.ref, nm, &raw) == 0)
            raw.fd = raw_fd;
        if (gen_contig(&g, fai, &raw, tid, o.bed ? per_tid[tid] : NULL, o.bed ? n_per[tid] : 0) !=
            0) {
            sim_error(cmd, "%s", metcn_last_error());
            goto out;
        }
    }
    for (int k = 0; k < 2; k++) {
        if (!g.out[k])
            continue;
        int bad = sam_idx_save(g.out[k]) < 0;
        bad |= hts_close(g.out[k]) != 0;
        g.out[k] = NULL;
        if (bad) {
            sim_error(cmd, "%s: write error", tmp[k]);
            goto out;
        }
    }
    for (int k = 0; k < 2; k++) {
        if (!paths[k])
            continue;
        kstring_t ks = {0, 0, NULL};
        ksprintf(&ks, "%s.%s", paths[k], iext[k]);
        int bad = rename(tmpidx[k], ks.s) != 0 || rename(tmp[k], paths[k]) != 0;
        free(ks.s);
        if (bad) {
            sim_error(cmd, "%s: cannot rename the output", paths[k]);
            goto out;
        }
    }
    {
        kstring_t ks = {0, 0, NULL};
        ksprintf(&ks, "%s.truth.tsv", o.out);
        truth = ks.s;
    }
    {
        truth_extra_t x = {NAN, 0, 0};
        kstring_t sp = KS_INITIALIZE, gp = KS_INITIALIZE, ap = KS_INITIALIZE;
        ksprintf(&sp, "%s.segments.tsv", o.out);
        ksprintf(&gp, "%s.genotypes.tsv", o.out);
        ksprintf(&ap, "%s.site_artefacts.tsv", o.out);
        int bad =
            write_segments(&o, g.hdr, sp.s, &x.mean_ploidy) != 0 ||
            (g.sites && write_genotypes(&o, g.hdr, g.sites, gp.s, &x.n_sites, &x.n_het) != 0) ||
            (g.sites && (o.bias_frac > 0 || o.art_frac > 0) &&
             write_site_artefacts(&o, g.hdr, g.sites, ap.s) != 0) ||
            write_truth(&o, sample, truth, &g, &x) != 0;
        free(sp.s);
        free(gp.s);
        free(ap.s);
        if (bad) {
            sim_error(cmd, "%s", metcn_last_error());
            goto out;
        }
    }
    ret = 0;
out:
    for (int k = 0; k < 2; k++) {
        if (g.out[k])
            hts_close(g.out[k]);
        if (ret != 0 && tmp[k]) {
            unlink(tmp[k]);
            unlink(tmpidx[k]);
        }
        free(paths[k]);
        free(tmp[k]);
        free(tmpidx[k]);
    }
    free(truth);
    if (per_tid)
        for (int i = 0; i < n_tid; i++)
            free(per_tid[i]);
    free(per_tid);
    free(n_per);
    heap_free(&g.heap);
    free(g.md.s);
    free(g.truth);
    if (g.sites)
        for (int i = 0; i < n_tid; i++)
            free(g.sites[i].s);
    free(g.sites);
    if (g.rng)
        gsl_rng_free(g.rng);
    sam_hdr_destroy(g.hdr);
    fai_destroy(fai);
    if (raw_fd >= 0)
        close(raw_fd);
    return ret;
}
