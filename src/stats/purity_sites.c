/* purity_sites.c -- which bins and SNP sites the purity fit uses, and the allele likelihood
 * of each segment: beta-binomial read counts at heterozygous sites, unphased (the REF allele
 * sits on the major or the minor haplotype with equal probability), reference-bias aware,
 * tabulated over the mirrored allele fraction b in [0.5, 1].  docs/purity.md sections 3-4. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "metcn/metcn.h"
#include "metcn/stats.h"
#include "stats/purity_internal.h"

static int is_sex_excluded(const metcn_purity_input_t *in, int32_t tid)
{
    if (tid == in->y_tid && in->y_tid >= 0)
        return 1;
    /* a male's chrX has one copy (no heterozygous site, a ratio of about 1/2 against a mixed
     * panel); an unknown sex may be either, so only a known XX keeps it */
    return tid == in->x_tid && in->x_tid >= 0 && in->sex != 1;
}

int pur_select_bins(pfit_t *f)
{
    const metcn_purity_input_t *in = f->in;
    f->bidx = malloc((in->n_bins ? in->n_bins : 1) * sizeof *f->bidx);
    if (!f->bidx)
        return metcn_set_error(METCN_E_NOMEM, "purity: out of memory");
    f->nb = 0;
    for (size_t i = 0; i < in->n_bins; i++) {
        const metcn_purity_bin_t *b = &in->bins[i];
        if (!isfinite(b->log2) || !isfinite(b->sd) || !(b->sd > 0))
            continue;
        if (is_sex_excluded(in, b->tid))
            continue;
        f->bidx[f->nb++] = i;
    }
    return 0;
}

double pur_site_ref_bias(const pfit_t *f, const metcn_purity_site_t *s)
{
    double r = s->ref_bias;
    return isfinite(r) && r > 0.05 && r < 0.95 ? r : f->ref_bias;
}

/* Without a per-site bias the sample's own: whichever haplotype carries REF is random, so
 * over heterozygous sites the REF fraction centres on the capture bias whatever the copy
 * numbers; the median resists the few sites of an amplicon. */
int pur_ref_bias(pfit_t *f)
{
    const metcn_purity_input_t *in = f->in;
    f->ref_bias = 0.5;
    if (isfinite(f->opt->default_ref_bias)) {
        f->ref_bias = f->opt->default_ref_bias;
        return 0;
    }
    double *x = malloc((f->ns ? f->ns : 1) * sizeof *x);
    if (!x)
        return metcn_set_error(METCN_E_NOMEM, "purity: out of memory");
    size_t m = 0;
    for (size_t i = 0; i < f->ns; i++) {
        const metcn_purity_site_t *s = &in->sites[f->sidx[i]];
        if (!(isfinite(s->ref_bias) && s->ref_bias > 0.05 && s->ref_bias < 0.95))
            x[m++] = (double)s->ref / ((double)s->ref + s->alt);
    }
    if (m >= 50) {
        double med = metcn_median(x, NULL, m);
        if (isfinite(med) && med > 0.3 && med < 0.7)
            f->ref_bias = med;
    }
    free(x);
    return 0;
}

int pur_select_sites(pfit_t *f)
{
    const metcn_purity_input_t *in = f->in;
    const metcn_purity_opt_t *o = f->opt;
    size_t n = in->n_sites;
    f->site_status = malloc(n ? n : 1);
    f->sidx = malloc((n ? n : 1) * sizeof *f->sidx);
    if (!f->site_status || !f->sidx)
        return metcn_set_error(METCN_E_NOMEM, "purity: out of memory");
    f->hidx = malloc((n ? n : 1) * sizeof *f->hidx);
    if (!f->hidx)
        return metcn_set_error(METCN_E_NOMEM, "purity: out of memory");
    f->ns = f->nh = 0;
    size_t n_inferred = 0;
    for (size_t i = 0; i < n; i++) {
        const metcn_purity_site_t *s = &in->sites[i];
        if (s->ref < 0 || s->alt < 0 || s->gt < METCN_GT_UNKNOWN || s->gt > METCN_GT_HOM)
            return metcn_set_error(METCN_E_ARG,
                                   "purity: site %zu (contig %d, position %lld): negative count "
                                   "or unknown genotype %d",
                                   i, (int)s->tid, (long long)s->pos, s->gt);
        int64_t depth = (int64_t)s->ref + s->alt;
        uint8_t st;
        if (is_sex_excluded(in, s->tid))
            st = METCN_PSITE_SEX;
        else if (depth < o->min_site_depth || depth < 1)
            st = METCN_PSITE_LOW_DEPTH;
        else if (s->gt == METCN_GT_HET)
            st = METCN_PSITE_HET_NORMAL;
        else if (s->gt == METCN_GT_HOM)
            st = METCN_PSITE_HOM_NORMAL;
        else {
            /* Without a normal: heterozygous when the minor allele's count is more than
             * sequencing error explains (one-sided binomial test).  A het site in a pure
             * LOH region keeps only the normal cells' minor allele; at depth >= 100 and
             * purity <= 0.95 that is still far above the error rate. */
            int32_t minor = s->ref < s->alt ? s->ref : s->alt;
            double pv = minor < 1 ? 1.0
                                  : gsl_cdf_binomial_Q((unsigned)(minor - 1), o->error_rate,
                                                       (unsigned)depth);
            st = pv < o->het_pvalue ? METCN_PSITE_HET_INFERRED : METCN_PSITE_HOM_INFERRED;
        }
        f->site_status[i] = st;
        if (st == METCN_PSITE_HET_NORMAL || st == METCN_PSITE_HET_INFERRED)
            f->sidx[f->ns++] = i;
        if (st == METCN_PSITE_HOM_INFERRED)
            f->hidx[f->nh++] = i;
        n_inferred += st == METCN_PSITE_HET_INFERRED;
    }
    /* The individual's heterozygous share of these sites (a lower bound when LOH hides some),
     * kept within what Hardy-Weinberg allows a biallelic site (<= 1/2). */
    f->het_rate = f->nh + n_inferred > 0 ? (double)n_inferred / (double)(f->nh + n_inferred) : 0;
    f->het_rate = f->het_rate < 0.05 ? 0.05 : f->het_rate > 0.5 ? 0.5 : f->het_rate;
    return 0;
}

/* ---- per-site likelihood --------------------------------------------------------------------- */

typedef struct {
    int k, n;    /* REF reads, depth */
    double odds; /* REF capture odds: r / (1 - r) */
    double af;   /* population ALT frequency (0: unknown) */
} site_t;

/* Expected REF read fraction when a share q of the DNA carries REF: capture bias as an odds
 * factor (PureCN's mapping-bias model, q = 1/2 gives r), then symmetric read errors. */
static double read_fraction(const site_t *s, double q, double err)
{
    double f = q * s->odds / (q * s->odds + 1.0 - q);
    f = f * (1.0 - 2.0 * err) + err;
    /* error_rate 0 would put all mass on one allele: keep the beta-binomial proper */
    return f < 1e-6 ? 1e-6 : f > 1 - 1e-6 ? 1 - 1e-6 : f;
}

/* log P(k | n, f) for a beta-binomial of over-dispersion rho (intra-class correlation), without
 * the binomial coefficient, which no parameter changes.  rho = 0 is the binomial. */
static double bb_loglik(const site_t *s, double f, double rho, double lconst)
{
    if (rho <= 0)
        return s->k * log(f) + (s->n - s->k) * log1p(-f);
    double sum = (1.0 - rho) / rho, a = f * sum, b = (1.0 - f) * sum;
    return lgamma(s->k + a) - lgamma(a) + lgamma(s->n - s->k + b) - lgamma(b) + lconst;
}

static double bb_const(int n, double rho)
{
    if (rho <= 0)
        return 0;
    double sum = (1.0 - rho) / rho;
    return lgamma(sum) - lgamma(n + sum);
}

static double logaddexp(double a, double b)
{
    double m = a > b ? a : b;
    if (!isfinite(m))
        return m;
    return m + log(exp(a - m) + exp(b - m));
}

/* Unphased: the REF allele is on the major haplotype (share b) or the minor one (1 - b). */
static double site_mirrored(const site_t *s, double b, double rho, double err, double lconst)
{
    double l1 = bb_loglik(s, read_fraction(s, b, err), rho, lconst);
    double l2 = bb_loglik(s, read_fraction(s, 1.0 - b, err), rho, lconst);
    return logaddexp(l1, l2) - M_LN2;
}

static double seg_loglik_b(const site_t *st, size_t n, double b, double rho, double err)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += site_mirrored(&st[i], b, rho, err, bb_const(st[i].n, rho));
    return sum;
}

/* Parabola through three points of y over x: its peak, or x1 when it is not a maximum inside
 * [x0, x2]. */
static double parabola_peak(double x0, double x1, double x2, double y0, double y1, double y2)
{
    double den = (x0 - x1) * (x0 - x2) * (x1 - x2);
    double a = (x2 * (y1 - y0) + x1 * (y0 - y2) + x0 * (y2 - y1)) / den;
    double b = (x2 * x2 * (y0 - y1) + x1 * x1 * (y2 - y0) + x0 * x0 * (y1 - y2)) / den;
    if (!(a < 0))
        return x1;
    double xm = -b / (2 * a);
    return xm < x0 || xm > x2 ? x1 : xm;
}

/* Over-dispersion.  Within one segment a spread of allele fractions is either imbalance (b
 * above 0.5, a two-peaked mixture) or over-dispersion, and with tens of sites the two trade
 * off: fitting both per segment underestimates rho and turns every balanced segment slightly
 * imbalanced.  Balanced segments are the majority in almost every tumour, so rho is taken as
 * the site-weighted median over segments of the maximum-likelihood rho at b = 0.5 (an
 * imbalanced segment can only inflate its own value). */
static double estimate_rho(const pfit_t *f, site_t *const *segsites, const size_t *segn)
{
    static const double grid[] = {1e-4,  3e-4, 1e-3,  2e-3, 4e-3, 7e-3,
                                  0.012, 0.02, 0.035, 0.06, 0.1};
    enum { NG = sizeof grid / sizeof grid[0], MIN_SITES = 8 };
    double *val = malloc((f->nseg ? f->nseg : 1) * sizeof *val);
    double *wt = malloc((f->nseg ? f->nseg : 1) * sizeof *wt);
    double rho = 0.005; /* too few sites to tell: a typical capture value (docs/purity.md) */
    size_t m = 0;
    if (!val || !wt)
        goto out;
    for (size_t s = 0; s < f->nseg; s++) {
        if (segn[s] < MIN_SITES)
            continue;
        double tot[NG];
        int best = 0;
        for (int g = 0; g < NG; g++) {
            tot[g] = seg_loglik_b(segsites[s], segn[s], 0.5, grid[g], f->opt->error_rate);
            if (tot[g] > tot[best])
                best = g;
        }
        double lr = log(grid[best]);
        if (best > 0 && best < NG - 1)
            lr = parabola_peak(log(grid[best - 1]), lr, log(grid[best + 1]), tot[best - 1],
                               tot[best], tot[best + 1]);
        val[m] = lr;
        wt[m++] = (double)segn[s];
    }
    if (m > 0)
        rho = exp(metcn_weighted_median(val, wt, NULL, m));
out:
    free(val);
    free(wt);
    return rho;
}

double pur_lb_at(const double *lb, double b)
{
    double x = (b - 0.5) / PUR_BSTEP;
    if (x <= 0)
        return lb[0];
    if (x >= PUR_NB - 1)
        return lb[PUR_NB - 1];
    int i = (int)x;
    double t = x - i;
    return lb[i] + t * (lb[i + 1] - lb[i]);
}

/* b where lb (max 0) crosses -thr, searching from index i0 in direction dir; the grid end
 * when it never does. */
static double crossing(const double *lb, int i0, int dir, double thr)
{
    for (int i = i0; i + dir >= 0 && i + dir < PUR_NB; i += dir) {
        double a = lb[i], c = lb[i + dir];
        if (c < -thr) {
            double t = (a + thr) / (a - c);
            return 0.5 + PUR_BSTEP * (i + dir * t);
        }
    }
    return dir > 0 ? 1.0 : 0.5;
}

/* Tabulate one segment's allele log-likelihood on the b grid; its estimate, interval and
 * tempering. */
static void seg_table(const pfit_t *f, pseg_t *g, const site_t *st, size_t n, const site_t *hom,
                      size_t nh, double *lq)
{
    const int nq = 2 * (PUR_NB - 1) + 1;
    double err = f->opt->error_rate, lm[PUR_NB];
    for (int i = 0; i < PUR_NB; i++)
        g->lb[i] = lm[i] = 0;
    for (size_t j = 0; j < n; j++) {
        double lc = bb_const(st[j].n, f->rho);
        for (int q = 0; q < nq; q++)
            lq[q] = bb_loglik(&st[j], read_fraction(&st[j], q * PUR_BSTEP, err), f->rho, lc);
        for (int i = 0; i < PUR_NB; i++)
            g->lb[i] += logaddexp(lq[PUR_NB - 1 + i], lq[PUR_NB - 1 - i]) - M_LN2;
    }
    /* A site that looks homozygous is homozygous (Hardy-Weinberg: 1 - h) or heterozygous
     * (h = 2a(1-a)) with its minor allele too rare to see, which only a b near 1 explains:
     * log[(1-h) L_hom + h L_het(b)].  Without a, h is the sample's heterozygous share. */
    for (size_t j = 0; j < nh; j++) {
        double a = hom[j].af, h = a > 0 && a < 1 ? 2 * a * (1 - a) : f->het_rate;
        double lc = bb_const(hom[j].n, f->rho);
        for (int q = 0; q < nq; q++)
            lq[q] = bb_loglik(&hom[j], read_fraction(&hom[j], q * PUR_BSTEP, err), f->rho, lc);
        /* the homozygote the reads show (which one says nothing of b; a population frequency
         * that is off would only add noise there) */
        double lhom = lq[0] > lq[nq - 1] ? lq[0] : lq[nq - 1];
        for (int i = 0; i < PUR_NB; i++)
            lm[i] += logaddexp(log1p(-h) + lhom,
                               log(h) + logaddexp(lq[PUR_NB - 1 + i], lq[PUR_NB - 1 - i]) - M_LN2);
    }
    for (int i = PUR_NB - 1; i >= 0; i--)
        lm[i] -= lm[0]; /* 0 at balance: only b near 1 gains */
    for (int i = 0; i < PUR_NB; i++)
        g->lb[i] += lm[i];
    int im = 0;
    for (int i = 1; i < PUR_NB; i++)
        if (g->lb[i] > g->lb[im])
            im = i;
    double mx = g->lb[im];
    for (int i = 0; i < PUR_NB; i++)
        g->lb[i] -= mx;
    /* parabolic peak between grid points */
    g->bhat = 0.5 + PUR_BSTEP * im;
    if (im > 0 && im < PUR_NB - 1) {
        double a = g->lb[im - 1], c = g->lb[im + 1], den = a - 2 * g->lb[im] + c;
        if (den < 0)
            g->bhat += PUR_BSTEP * 0.5 * (a - c) / den;
    }
    double thr = 0.5 * gsl_cdf_chisq_Pinv(f->opt->conf, 1);
    g->baf_lo = im == 0 ? 0.5 : crossing(g->lb, im, -1, thr);
    g->baf_hi = crossing(g->lb, im, +1, thr);
    /* The data's own SE of b: half-width at -1/2 (on the side away from the 0.5 mirror). */
    double se = crossing(g->lb, im, +1, 0.5) - g->bhat;
    if (!(se > PUR_BSTEP))
        se = PUR_BSTEP;
    g->baf_se = se;
    double s2 = f->opt->baf_sys_sd * f->opt->baf_sys_sd;
    double t = s2 > 0 ? se * se / (se * se + s2) : 1.0;
    /* The tempering bounds the precision of the allele fraction's location; the count of
     * sites that look homozygous is evidence of another kind (heterozygosity present or
     * lost) and keeps its weight: at b = 1 the location term's SE is the grid step, which
     * would otherwise discount it to a quarter. */
    double mx2 = -INFINITY;
    for (int i = 0; i < PUR_NB; i++) {
        g->lb[i] = t * (g->lb[i] - lm[i]) + lm[i];
        mx2 = g->lb[i] > mx2 ? g->lb[i] : mx2;
    }
    for (int i = 0; i < PUR_NB; i++)
        g->lb[i] -= mx2;
}

/* The segment's sites as likelihood records (caller frees); NULL without sites or memory
 * (*n tells which). */
static site_t *seg_sites(const pfit_t *f, const pseg_t *g, size_t *n)
{
    *n = g->s1 - g->s0;
    if (*n == 0)
        return NULL;
    site_t *st = malloc(*n * sizeof *st);
    if (!st)
        return NULL;
    for (size_t j = 0; j < *n; j++) {
        const metcn_purity_site_t *x = &f->in->sites[f->sidx[g->s0 + j]];
        double r = pur_site_ref_bias(f, x);
        st[j] = (site_t){x->ref, x->ref + x->alt, r / (1.0 - r), 0};
    }
    return st;
}

/* The segment's homozygous-looking sites (within its span) as likelihood records (caller
 * frees); NULL with *n 0 when there are none, NULL with *n > 0 when out of memory. */
static site_t *seg_hom_sites(const pfit_t *f, const pseg_t *g, size_t *n)
{
    size_t first = f->nh, m = 0;
    for (size_t j = 0; j < f->nh; j++) {
        const metcn_purity_site_t *x = &f->in->sites[f->hidx[j]];
        if (x->tid == g->tid && x->pos >= g->start && x->pos < g->end) {
            first = first < j ? first : j;
            m++;
        }
    }
    *n = m;
    if (m == 0)
        return NULL;
    site_t *st = malloc(m * sizeof *st);
    if (!st)
        return NULL;
    for (size_t j = first, k = 0; k < m; j++) {
        const metcn_purity_site_t *x = &f->in->sites[f->hidx[j]];
        if (!(x->tid == g->tid && x->pos >= g->start && x->pos < g->end))
            continue;
        double r = pur_site_ref_bias(f, x);
        st[k++] = (site_t){x->ref, x->ref + x->alt, r / (1.0 - r),
                           isfinite(x->af) && x->af > 0 && x->af < 1 ? x->af : 0};
    }
    return st;
}

/* A segment none of whose ends the scan chose: each end is its contig's end or the gene's
 * segment (fixed in advance).  Nothing selected it for looking imbalanced. */
static int seg_unselected(const pfit_t *f, const pseg_t *g)
{
    size_t k = (size_t)(g - f->segs);
    int left = k == 0 || f->segs[k - 1].tid != g->tid || f->segs[k - 1].is_gene;
    int right = k + 1 >= f->nseg || f->segs[k + 1].tid != g->tid || f->segs[k + 1].is_gene;
    return left && right;
}

int pur_seg_allele(pfit_t *f, pseg_t *g)
{
    size_t n, nh;
    free(g->lb);
    g->lb = NULL;
    g->bhat = g->baf_lo = g->baf_hi = g->baf_se = NAN;
    site_t *st = seg_sites(f, g, &n), *hom = seg_hom_sites(f, g, &nh);
    if (n + nh == 0)
        return 0;
    double *lq = malloc((2 * (PUR_NB - 1) + 1) * sizeof *lq);
    g->lb = malloc(PUR_NB * sizeof *g->lb);
    if ((n && !st) || (nh && !hom) || !lq || !g->lb) {
        free(st);
        free(hom);
        free(lq);
        return metcn_set_error(METCN_E_NOMEM, "purity: out of memory");
    }
    seg_table(f, g, st, n, hom, nh, lq);
    /* A segment the scan cut out of the data is selected for looking imbalanced: with few
     * sites its allele fraction is biased away from 0.5, so it informs the fit only from
     * min_het_informative sites on.  The gene's segment is fixed in advance (no selection)
     * and always informs it; so does a segment whose ends the scan did not choose (a whole
     * contig of the panel, or a contig's end to the gene: a panel has a few sites per
     * chromosome, and an LOH there must not be read from depth alone).  Its estimate is
     * still reported. */
    if (!g->is_gene && n < (size_t)f->opt->min_het_informative && !seg_unselected(f, g)) {
        free(g->lb);
        g->lb = NULL;
    }
    free(st);
    free(hom);
    free(lq);
    return 0;
}

int pur_allele_model(pfit_t *f)
{
    int ret = 0;
    site_t **segsites = calloc(f->nseg ? f->nseg : 1, sizeof *segsites);
    size_t *segn = calloc(f->nseg ? f->nseg : 1, sizeof *segn);
    if (!segsites || !segn) {
        ret = metcn_set_error(METCN_E_NOMEM, "purity: out of memory");
        goto out;
    }
    for (size_t s = 0; s < f->nseg; s++) {
        segsites[s] = seg_sites(f, &f->segs[s], &segn[s]);
        if (segn[s] && !segsites[s]) {
            ret = metcn_set_error(METCN_E_NOMEM, "purity: out of memory");
            goto out;
        }
    }
    f->rho =
        isfinite(f->opt->overdispersion) ? f->opt->overdispersion : estimate_rho(f, segsites, segn);
    for (size_t s = 0; s < f->nseg && !ret; s++)
        ret = pur_seg_allele(f, &f->segs[s]);
out:
    if (segsites)
        for (size_t s = 0; s < f->nseg; s++)
            free(segsites[s]);
    free(segsites);
    free(segn);
    return ret;
}
