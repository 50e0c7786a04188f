/* sim_model.c -- the generator's model: hashing, capture efficiency, GC bias, copy number
 * and the truth derived from it.  Pure functions, no I/O: tests/test_sim.c includes this
 * file to check them. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sim.h"

/* MET coding exons 2-21, GRCh38 (panels/grch38/met_cds.bed). */
const int64_t sim_met_exons[SIM_N_MET_EXONS][2] = {
    {116699084, 116700284}, {116731667, 116731859}, {116739949, 116740084}, {116740851, 116741025},
    {116755354, 116755515}, {116757436, 116757539}, {116757637, 116757774}, {116758458, 116758620},
    {116759390, 116759490}, {116763049, 116763268}, {116769644, 116769791}, {116771497, 116771654},
    {116771848, 116771989}, {116774880, 116775111}, {116777388, 116777469}, {116778775, 116778957},
    {116781987, 116782097}, {116783303, 116783469}, {116795654, 116795791}, {116795886, 116798386}};

uint64_t sim_mix64(uint64_t x)
{
    /* splitmix64 finaliser: a bijection with good avalanche, enough for test data */
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

uint64_t sim_hash_str(const char *s, uint64_t seed)
{
    uint64_t h = 1469598103934665603ULL ^ sim_mix64(seed);
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return sim_mix64(h);
}

double sim_u01(uint64_t h)
{
    return ((double)(h >> 11) + 0.5) / 9007199254740992.0;
}

double sim_capture_eff(uint64_t seed, double sigma, const char *contig, int64_t start, int64_t end)
{
    uint64_t h = sim_hash_str(contig, seed);
    h = sim_mix64(h ^ (uint64_t)start);
    h = sim_mix64(h ^ ((uint64_t)end << 1));
    double u1 = sim_u01(h), u2 = sim_u01(sim_mix64(h + 1));
    double z = sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
    return exp(sigma * z - 0.5 * sigma * sigma);
}

double sim_gc_factor(const sim_gc_t *g, double gc)
{
    double d = gc - 0.45;
    return exp(g->slope * d + g->curv * d * d);
}

double sim_gc_max(const sim_gc_t *g)
{
    /* exact: the log factor is a parabola in gc, so its maximum over [0,1] is at an end or
     * at the vertex (a grid search undershoots a narrow peak, and the thinning bound must
     * never be below the rate) */
    double m = fmax(sim_gc_factor(g, 0), sim_gc_factor(g, 1));
    if (g->curv < 0) {
        double x = 0.45 - g->slope / (2 * g->curv);
        if (x > 0 && x < 1)
            m = fmax(m, sim_gc_factor(g, x));
    }
    return m * (1 + 1e-9);
}

void sim_cn_init(sim_cn_t *cn)
{
    memset(cn, 0, sizeof *cn);
    cn->purity = 0;
    cn->ploidy = -1;
    cn->base_cn = 2;
    cn->chr7_cn = cn->chr7p_cn = cn->chr7q_cn = -1;
    cn->met_cn = -1;
    cn->amp_start = 115900000;
    cn->amp_end = 117600000;
    cn->egfr_cn = -1;
    cn->egfr_start = SIM_EGFR_START - 300000;
    cn->egfr_end = SIM_EGFR_END + 300000;
    cn->sex = SIM_XX;
}

void sim_cn_finish(sim_cn_t *cn)
{
    if (cn->ploidy < 0)
        cn->ploidy = cn->wgd ? 2 * cn->base_cn : cn->base_cn;
    if (cn->chr7_cn < 0)
        cn->chr7_cn = cn->base_cn;
    if (cn->chr7p_cn < 0)
        cn->chr7p_cn = cn->chr7_cn;
    if (cn->chr7q_cn < 0)
        cn->chr7q_cn = cn->chr7_cn;
}

static int is_contig(const char *name, const char *want)
{
    if (strncmp(name, "chr", 3) == 0)
        name += 3;
    return strcmp(name, want) == 0;
}

double sim_normal_cn(const sim_cn_t *cn, const char *contig)
{
    if (is_contig(contig, "X"))
        return cn->sex == SIM_XY ? 1 : 2;
    if (is_contig(contig, "Y"))
        return cn->sex == SIM_XY ? 1 : 0;
    return 2;
}

/* Tumour copy number before any whole-genome doubling. */
static double tumour_cn_pre(const sim_cn_t *cn, const char *contig, int64_t pos)
{
    double c = sim_normal_cn(cn, contig) * cn->base_cn / 2.0;
    if (is_contig(contig, "7")) {
        c = pos < SIM_CEN7_START ? cn->chr7p_cn : pos >= SIM_CEN7_END ? cn->chr7q_cn : cn->chr7_cn;
        if (cn->egfr_cn >= 0 && pos >= cn->egfr_start && pos < cn->egfr_end)
            c = cn->egfr_cn;
        if (cn->met_cn >= 0 && pos >= cn->amp_start && pos < cn->amp_end)
            c = cn->met_cn;
    }
    for (int i = 0; i < cn->n_segs; i++) {
        const sim_seg_t *s = &cn->segs[i];
        if (pos >= s->start && pos < s->end && strcmp(s->contig, contig) == 0)
            c = s->cn;
    }
    return c;
}

double sim_tumour_cn(const sim_cn_t *cn, const char *contig, int64_t pos)
{
    double c = tumour_cn_pre(cn, contig, pos);
    return cn->wgd ? 2 * c : c;
}

void sim_tumour_acn(const sim_cn_t *cn, const char *contig, int64_t pos, double *major,
                    double *minor)
{
    double f = cn->wgd ? 2 : 1, c = tumour_cn_pre(cn, contig, pos);
    double n = sim_normal_cn(cn, contig);
    if (n < 1.5) { /* one copy (or none) in the normal: one haplotype */
        *major = f * c;
        *minor = 0;
        return;
    }
    for (int i = cn->n_segs - 1; i >= 0; i--) { /* the segment that sets pos, if any */
        const sim_seg_t *s = &cn->segs[i];
        if (pos >= s->start && pos < s->end && strcmp(s->contig, contig) == 0) {
            if (s->major >= 0) {
                *major = f * s->major;
                *minor = f * s->minor;
                return;
            }
            break;
        }
    }
    double bg = n * cn->base_cn / 2; /* the level the focal events sit on, split evenly */
    if (is_contig(contig, "7"))
        bg = pos < SIM_CEN7_START ? cn->chr7p_cn : pos >= SIM_CEN7_END ? cn->chr7q_cn : cn->chr7_cn;
    double mb = floor(bg / 2), mi;
    if (c >= bg)
        mi = mb; /* the background itself, or a gain: on the major haplotype */
    else
        mi = fmin(mb, floor(c / 2)); /* a loss takes the minor haplotype first */
    *major = f * (c - mi);
    *minor = f * mi;
}

double sim_tumour_fraction(const sim_cn_t *cn, const char *contig, int64_t pos)
{
    double p = cn->purity, t = p * sim_tumour_cn(cn, contig, pos);
    double all = t + (1 - p) * sim_normal_cn(cn, contig);
    return all > 0 ? t / all : 0;
}

double sim_hap0_fraction(const sim_cn_t *cn, const char *contig, int64_t pos)
{
    double p = cn->purity, major, minor, n = sim_normal_cn(cn, contig);
    sim_tumour_acn(cn, contig, pos, &major, &minor);
    double all = p * (major + minor) + (1 - p) * n;
    return all > 0 ? (p * major + (1 - p) * (n < 1.5 ? n : 1)) / all : 0;
}

int sim_genotype_hwe(double af, double u)
{
    double q = 1 - af;
    return u < q * q ? 0 : u < q * q + 2 * af * q ? 1 : 2;
}

unsigned sim_site_haps(uint64_t germline_seed, const char *contig, int64_t pos, double af,
                       int haploid)
{
    uint64_t h = sim_mix64(sim_hash_str(contig, germline_seed ^ 0x5eedULL) ^ (uint64_t)pos);
    double u = sim_u01(h);
    if (haploid)
        return u < af ? 1u : 0u;
    int g = sim_genotype_hwe(af, u);
    return g == 0 ? 0u : g == 2 ? 3u : (sim_mix64(h) & 1) ? 1u : 2u;
}

double sim_cn_factor(const sim_cn_t *cn, const char *contig, int64_t pos)
{
    double p = cn->purity;
    double num = p * sim_tumour_cn(cn, contig, pos) + sim_normal_cn(cn, contig) * (1 - p);
    return num / (p * cn->ploidy + 2 * (1 - p));
}

/* The copy number is piecewise constant with breakpoints at the segment ends, the
 * centromere and the amplicons: its maximum over an interval is reached at the interval's
 * start or at one of those breakpoints inside it. */
double sim_cn_factor_max(const sim_cn_t *cn, const char *contig, int64_t start, int64_t end)
{
    int64_t pts[8 + 2 * SIM_MAX_SEGS];
    int n = 0;
    pts[n++] = start;
    pts[n++] = SIM_CEN7_START;
    pts[n++] = SIM_CEN7_END;
    pts[n++] = cn->egfr_start;
    pts[n++] = cn->egfr_end;
    pts[n++] = cn->amp_start;
    pts[n++] = cn->amp_end;
    for (int i = 0; i < cn->n_segs; i++) {
        pts[n++] = cn->segs[i].start;
        pts[n++] = cn->segs[i].end;
    }
    double m = 0;
    for (int i = 0; i < n; i++) {
        if (pts[i] < start || pts[i] >= end)
            continue;
        double f = sim_cn_factor(cn, contig, pts[i]);
        if (f > m)
            m = f;
    }
    return m;
}

const char *sim_fish_tier(double r)
{
    /* Camidge tiers; the 1e-9 guards keep ratios such as 6.6/3 on the boundary they were
     * meant to sit on */
    if (r < 1.8 - 1e-9)
        return "negative";
    if (r <= 2.2 + 1e-9)
        return "low";
    if (r < 5 - 1e-9)
        return "intermediate";
    return "high";
}

void sim_truth(const sim_cn_t *cn, sim_truth_t *t)
{
    double sum = 0, len = 0;
    for (int i = 0; i < SIM_N_MET_EXONS; i++) {
        /* copy number is piecewise constant: integrate exactly over each exon's pieces */
        int64_t a = sim_met_exons[i][0], b = sim_met_exons[i][1];
        int64_t cuts[4 + 2 * SIM_MAX_SEGS];
        int n = 0;
        cuts[n++] = cn->amp_start;
        cuts[n++] = cn->amp_end;
        for (int k = 0; k < cn->n_segs; k++) {
            cuts[n++] = cn->segs[k].start;
            cuts[n++] = cn->segs[k].end;
        }
        int64_t x = a;
        while (x < b) {
            int64_t next = b;
            for (int k = 0; k < n; k++)
                if (cuts[k] > x && cuts[k] < next)
                    next = cuts[k];
            sum += sim_tumour_cn(cn, "chr7", x) * (double)(next - x);
            len += (double)(next - x);
            x = next;
        }
    }
    double f = cn->wgd ? 2 : 1; /* (met_cn is doubled by sim_tumour_cn()) */
    t->met_cn = sum / len;
    t->chr7_cn = f * cn->chr7_cn;
    t->chr7p_cn = f * cn->chr7p_cn;
    t->chr7q_cn = f * cn->chr7q_cn;
    t->fish_ratio = t->chr7_cn > 0 ? t->met_cn / t->chr7_cn : NAN;
    t->fish_tier = t->chr7_cn > 0 ? sim_fish_tier(t->fish_ratio) : "NA";
    t->high_amp = t->met_cn > 10 ? "yes" : "no";
    int amplicon = t->met_cn > t->chr7q_cn + 1e-9; /* MET is on 7q */
    int polysomic = t->chr7_cn >= 3 - 1e-9 || t->chr7q_cn > t->chr7_cn + 1e-9;
    if (amplicon && polysomic)
        t->pattern = "focal_on_polysomy";
    else if (amplicon)
        t->pattern = "focal";
    else if (polysomic)
        t->pattern = "polysomy";
    else
        t->pattern = "none";
}
