/* purity_seg.c -- joint segmentation of the log2 ratio (every used bin) and the allele
 * imbalance (every heterozygous site) for the purity fit, and each segment's log2 level.
 *
 * Bins and sites of a contig are merged into one sequence of points in genome order; each
 * point carries one track.  Weighted binary segmentation splits where the sum of the two
 * tracks' two-sample chi-squares is largest, while it exceeds penalty + 2 ln(points).  The
 * target gene's bins are a segment of their own (never split, never merged).
 * docs/purity.md section 3 (and the merge step after the scan). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "metcn/metcn.h"
#include "metcn/stats.h"
#include "stats/purity_internal.h"

typedef struct {
    /* prefix sums over the contig's points (size n+1) */
    double *w1, *x1;   /* log2 track: sum of weights 1/sd^2, of weight * log2 */
    double *n2, *x2;   /* allele track: number of sites, sum of u */
    size_t *nbin;      /* bins so far */
    double var1, var2; /* track variance scales */
    double thr;
    int min_bins;
    size_t *cuts; /* split points (point index where a segment starts) */
    size_t ncut, capcut;
} segwork_t;

static double median3(double a, double b, double c)
{
    return a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
}

static int push_cut(segwork_t *w, size_t c)
{
    if (w->ncut == w->capcut) {
        size_t nc = w->capcut ? 2 * w->capcut : 64;
        size_t *t = realloc(w->cuts, nc * sizeof *t);
        if (!t)
            return metcn_set_error(METCN_E_NOMEM, "purity: out of memory");
        w->cuts = t;
        w->capcut = nc;
    }
    w->cuts[w->ncut++] = c;
    return 0;
}

static double track_chisq(const double *w, const double *x, size_t a, size_t k, size_t b,
                          double var)
{
    double wl = w[k] - w[a], wr = w[b] - w[k];
    if (!(wl > 0) || !(wr > 0))
        return 0;
    double d = (x[k] - x[a]) / wl - (x[b] - x[k]) / wr;
    return d * d / (var * (1.0 / wl + 1.0 / wr));
}

/* Split points [a, b) recursively (depth bounded by the number of segments). */
static int split(segwork_t *w, size_t a, size_t b)
{
    if (w->nbin[b] - w->nbin[a] < 2 * (size_t)w->min_bins)
        return 0;
    double best = -1;
    size_t bk = 0;
    for (size_t k = a + 1; k < b; k++) {
        if (w->nbin[k] - w->nbin[a] < (size_t)w->min_bins ||
            w->nbin[b] - w->nbin[k] < (size_t)w->min_bins)
            continue;
        double t = track_chisq(w->w1, w->x1, a, k, b, w->var1) +
                   track_chisq(w->n2, w->x2, a, k, b, w->var2);
        if (t > best) {
            best = t;
            bk = k;
        }
    }
    if (best <= w->thr)
        return 0;
    int r = split(w, a, bk);
    if (!r)
        r = push_cut(w, bk);
    if (!r)
        r = split(w, bk, b);
    return r;
}

/* Allele-track value of a site: the REF fraction's distance from its balanced expectation, in
 * binomial SD units of a balanced site (so depth does not move the mean when balanced). */
static double site_u(const pfit_t *f, size_t si)
{
    const metcn_purity_site_t *s = &f->in->sites[si];
    double n = (double)s->ref + s->alt;
    return fabs(s->ref / n - pur_site_ref_bias(f, s)) * sqrt(n);
}

/* Robust variance of a track from consecutive differences within contigs (change points are
 * few, so the median absolute difference ignores them); 1 when it cannot be told. */
static double diff_var(const double *d, size_t n)
{
    if (n < 5)
        return 1.0;
    double s = metcn_mad_sd(d, NULL, n, 0.0);
    return isfinite(s) && s > 1e-6 ? s * s : 1.0;
}

static int track_scales(const pfit_t *f, segwork_t *w)
{
    const metcn_purity_input_t *in = f->in;
    size_t m = f->nb > f->ns ? f->nb : f->ns;
    double *d = malloc((m ? m : 1) * sizeof *d);
    if (!d)
        return metcn_set_error(METCN_E_NOMEM, "purity: out of memory");
    size_t k = 0;
    for (size_t i = 1; i < f->nb; i++) {
        const metcn_purity_bin_t *a = &in->bins[f->bidx[i - 1]], *b = &in->bins[f->bidx[i]];
        if (a->tid == b->tid)
            d[k++] = (b->log2 - a->log2) / sqrt(a->sd * a->sd + b->sd * b->sd);
    }
    w->var1 = diff_var(d, k);
    k = 0;
    for (size_t i = 1; i < f->ns; i++)
        if (in->sites[f->sidx[i - 1]].tid == in->sites[f->sidx[i]].tid)
            d[k++] = (site_u(f, f->sidx[i]) - site_u(f, f->sidx[i - 1])) / M_SQRT2;
    w->var2 = diff_var(d, k);
    free(d);
    return 0;
}

static int add_segment(pfit_t *f, int32_t tid, size_t b0, size_t b1, size_t s0, size_t s1,
                       int is_gene)
{
    if (f->nseg == f->segcap) {
        size_t nc = f->segcap ? 2 * f->segcap : 64;
        pseg_t *t = realloc(f->segs, nc * sizeof *t);
        if (!t)
            return metcn_set_error(METCN_E_NOMEM, "purity: out of memory");
        f->segs = t;
        f->segcap = nc;
    }
    pseg_t *g = &f->segs[f->nseg++];
    memset(g, 0, sizeof *g);
    g->tid = tid;
    g->b0 = b0;
    g->b1 = b1;
    g->s0 = s0;
    g->s1 = s1;
    g->is_gene = is_gene;
    g->start = INT64_MAX;
    g->end = INT64_MIN;
    const metcn_purity_input_t *in = f->in;
    if (b1 > b0) {
        g->start = in->bins[f->bidx[b0]].start;
        g->end = in->bins[f->bidx[b1 - 1]].end;
    }
    if (s1 > s0) {
        int64_t p0 = in->sites[f->sidx[s0]].pos, p1 = in->sites[f->sidx[s1 - 1]].pos + 1;
        g->start = p0 < g->start ? p0 : g->start;
        g->end = p1 > g->end ? p1 : g->end;
    }
    return 0;
}

/* One contig: bins bidx[ba, bb), sites sidx[sa, sb).  pt_bin[i] is 1 for a bin point. */
static int segment_contig(pfit_t *f, segwork_t *w, size_t ba, size_t bb, size_t sa, size_t sb,
                          unsigned char *pt_bin, double *val, double *wt)
{
    const metcn_purity_input_t *in = f->in;
    size_t n = 0, i = ba, j = sa;
    while (i < bb || j < sb) {
        int take_bin =
            j >= sb || (i < bb && in->bins[f->bidx[i]].start <= in->sites[f->sidx[j]].pos);
        pt_bin[n] = (unsigned char)take_bin;
        if (take_bin) {
            const metcn_purity_bin_t *b = &in->bins[f->bidx[i++]];
            val[n] = b->log2;
            wt[n] = 1.0 / (b->sd * b->sd);
        } else {
            val[n] = site_u(f, f->sidx[j++]);
            wt[n] = 1.0;
        }
        n++;
    }
    /* Winsorise lone outliers within each track (as metcn_segment): a value more than 4 SD
     * from the median of itself and its same-track neighbours is pulled back to 4 SD. */
    for (size_t k = 0; k < n; k++) {
        size_t p = k, q = k;
        while (p > 0 && pt_bin[--p] != pt_bin[k])
            ;
        while (q + 1 < n && pt_bin[++q] != pt_bin[k])
            ;
        if (p == k || q == k || pt_bin[p] != pt_bin[k] || pt_bin[q] != pt_bin[k])
            continue;
        double med = median3(val[p], val[k], val[q]);
        double sd = pt_bin[k] ? sqrt(w->var1 / wt[k]) : sqrt(w->var2);
        if (val[k] > med + 4 * sd)
            val[k] = med + 4 * sd;
        else if (val[k] < med - 4 * sd)
            val[k] = med - 4 * sd;
    }
    w->w1[0] = w->x1[0] = w->n2[0] = w->x2[0] = 0;
    w->nbin[0] = 0;
    for (size_t k = 0; k < n; k++) {
        int b = pt_bin[k];
        w->w1[k + 1] = w->w1[k] + (b ? wt[k] : 0);
        w->x1[k + 1] = w->x1[k] + (b ? wt[k] * val[k] : 0);
        w->n2[k + 1] = w->n2[k] + (b ? 0 : 1);
        w->x2[k + 1] = w->x2[k] + (b ? 0 : val[k]);
        w->nbin[k + 1] = w->nbin[k] + (size_t)b;
    }
    /* Pieces: before the gene's bins, the gene's bins (first gene bin to the end of the last,
     * with the sites inside it), after. */
    size_t g0 = n, g1 = n;
    int64_t gend = 0;
    for (size_t k = 0, bi = ba; k < n; k++) {
        if (!pt_bin[k])
            continue;
        if (in->bins[f->bidx[bi]].is_gene) {
            if (g0 == n)
                g0 = k;
            g1 = k + 1;
            gend = in->bins[f->bidx[bi]].end;
        }
        bi++;
    }
    for (size_t si = sa + (g1 - w->nbin[g1]);
         g0 < n && g1 < n && !pt_bin[g1] && si < sb && in->sites[f->sidx[si]].pos < gend; si++)
        g1++;
    size_t piece[4] = {0, g0 < n ? g0 : n, g0 < n ? g1 : n, n};
    int is_gene[3] = {0, 1, 0};
    w->ncut = 0;
    for (int p = 0; p < 3; p++) {
        size_t a = piece[p], b = piece[p + 1];
        if (a >= b)
            continue;
        int r = push_cut(w, a);
        if (!r && !is_gene[p])
            r = split(w, a, b);
        if (r)
            return r;
    }
    /* Turn cut points into segments; a bin-less stretch joins the previous segment, or the
     * next when it leads (never the gene's). */
    size_t bcum = ba, scum = sa;
    size_t nseg0 = f->nseg;
    for (size_t c = 0; c < w->ncut; c++) {
        size_t a = w->cuts[c], b = c + 1 < w->ncut ? w->cuts[c + 1] : n;
        size_t nbins = w->nbin[b] - w->nbin[a], nsites = (b - a) - nbins;
        int gene = g0 < n && a == g0;
        if (nbins == 0 && f->nseg > nseg0 && !f->segs[f->nseg - 1].is_gene) {
            pseg_t *prev = &f->segs[f->nseg - 1];
            prev->s1 += nsites;
            prev->end = in->sites[f->sidx[prev->s1 - 1]].pos + 1;
        } else {
            int r = add_segment(f, in->bins[f->bidx[ba]].tid, bcum, bcum + nbins, scum,
                                scum + nsites, gene);
            if (r)
                return r;
        }
        bcum += nbins;
        scum += nsites;
    }
    /* a leading bin-less segment (sites before the first bin) merges into its successor */
    if (f->nseg > nseg0 + 1 && f->segs[nseg0].b1 == f->segs[nseg0].b0 &&
        !f->segs[nseg0 + 1].is_gene) {
        pseg_t *a = &f->segs[nseg0], *b = &f->segs[nseg0 + 1];
        b->s0 = a->s0;
        b->start = a->start;
        memmove(a, b, (f->nseg - nseg0 - 1) * sizeof *a);
        f->nseg--;
    }
    return 0;
}

int pur_segment(pfit_t *f)
{
    const metcn_purity_input_t *in = f->in;
    const metcn_purity_opt_t *o = f->opt;
    size_t np = f->nb + f->ns;
    segwork_t w = {0};
    unsigned char *pt_bin = malloc(np + 1);
    double *val = malloc((np + 1) * sizeof *val), *wt = malloc((np + 1) * sizeof *wt);
    w.w1 = malloc((np + 1) * sizeof *w.w1);
    w.x1 = malloc((np + 1) * sizeof *w.x1);
    w.n2 = malloc((np + 1) * sizeof *w.n2);
    w.x2 = malloc((np + 1) * sizeof *w.x2);
    w.nbin = malloc((np + 1) * sizeof *w.nbin);
    int ret = 0;
    if (!pt_bin || !val || !wt || !w.w1 || !w.x1 || !w.n2 || !w.x2 || !w.nbin) {
        ret = metcn_set_error(METCN_E_NOMEM, "purity: out of memory");
        goto out;
    }
    if ((ret = track_scales(f, &w)) != 0)
        goto out;
    w.thr = o->seg_penalty + 2.0 * log((double)(np > 1 ? np : 2));
    w.min_bins = o->min_seg_bins;
    /* Sites on contigs without bins find no segment; the rest go contig by contig. */
    size_t bi = 0, si = 0;
    size_t *keep = f->sidx, nkeep = 0;
    while (bi < f->nb) {
        int32_t tid = in->bins[f->bidx[bi]].tid;
        size_t be = bi;
        while (be < f->nb && in->bins[f->bidx[be]].tid == tid)
            be++;
        while (si < f->ns && in->sites[f->sidx[si]].tid < tid)
            f->site_status[f->sidx[si++]] = METCN_PSITE_NO_SEGMENT;
        size_t se = si;
        while (se < f->ns && in->sites[f->sidx[se]].tid == tid)
            se++;
        /* compact kept sites to the front so segments index a dense sidx */
        size_t sa = nkeep;
        for (size_t k = si; k < se; k++)
            keep[nkeep++] = f->sidx[k];
        if ((ret = segment_contig(f, &w, bi, be, sa, nkeep, pt_bin, val, wt)) != 0)
            goto out;
        bi = be;
        si = se;
    }
    for (; si < f->ns; si++)
        f->site_status[f->sidx[si]] = METCN_PSITE_NO_SEGMENT;
    f->ns = nkeep;
out:
    free(pt_bin);
    free(val);
    free(wt);
    free(w.w1);
    free(w.x1);
    free(w.n2);
    free(w.x2);
    free(w.nbin);
    free(w.cuts);
    return ret;
}

static int segment_level(pfit_t *f, pseg_t *g, double *x, double *sd)
{
    const metcn_purity_input_t *in = f->in;
    size_t n = g->b1 - g->b0;
    g->y = g->se = g->v = NAN;
    if (n == 0)
        return 0;
    for (size_t k = 0; k < n; k++) {
        x[k] = in->bins[f->bidx[g->b0 + k]].log2;
        sd[k] = in->bins[f->bidx[g->b0 + k]].sd;
    }
    metcn_level_t lv;
    int r = metcn_level_estimate(x, sd, n, 2.0, f->opt->conf, &lv);
    if (r == METCN_E_TOOFEW)
        return 0;
    if (r)
        return r;
    g->y = lv.est;
    g->se = lv.se;
    g->v = lv.se * lv.se + f->opt->sys_sd * f->opt->sys_sd;
    return 0;
}

int pur_segment_levels(pfit_t *f)
{
    double *x = malloc((f->nb ? f->nb : 1) * sizeof *x),
           *sd = malloc((f->nb ? f->nb : 1) * sizeof *sd);
    int ret = 0;
    if (!x || !sd)
        ret = metcn_set_error(METCN_E_NOMEM, "purity: out of memory");
    for (size_t s = 0; s < f->nseg && !ret; s++)
        ret = segment_level(f, &f->segs[s], x, sd);
    free(x);
    free(sd);
    return ret;
}

/* How likely two neighbours are to be one level given the systematic noise the fit allows:
 * the upper-tail probability of the chi-square of their log2 and allele-fraction differences
 * (each SE widened by the systematic SD of both sides), df = the tracks both have. */
static double neighbour_p(const pfit_t *f, const pseg_t *a, const pseg_t *b)
{
    double chi2 = 0, s2 = f->opt->sys_sd * f->opt->sys_sd;
    double b2 = f->opt->baf_sys_sd * f->opt->baf_sys_sd;
    int df = 0;
    if (isfinite(a->y) && isfinite(b->y)) {
        double d = a->y - b->y;
        chi2 += d * d / (a->se * a->se + b->se * b->se + 2 * s2);
        df++;
    }
    if (isfinite(a->bhat) && isfinite(b->bhat)) {
        double d = a->bhat - b->bhat;
        chi2 += d * d / (a->baf_se * a->baf_se + b->baf_se * b->baf_se + 2 * b2);
        df++;
    }
    return df ? gsl_cdf_chisq_Q(chi2, df) : 1.0;
}

/* The scan splits wherever bins and sites differ beyond their own noise; the fit allows a
 * systematic SD on top.  Neighbours that do not differ beyond it would only be fitted as two
 * odd states (a split is also selected for its difference, which biases both sides apart), so
 * the most alike pair is merged while its chi-square tail probability exceeds that of
 * merge_z SDs (two-sided normal; 0.0027 for 3).  The gene's segment (fixed in advance) may take
 * in a neighbour at its level, never the reverse: an amplicon reaching past the gene is then one
 * segment, and its event is paid for once — split in three, a high-level amplicon at a low
 * tumour fraction paid its large copy change three times, so that a high fraction with a small
 * change (e.g. (2,1) at 0.72 for (9,1) at 0.09) fitted as well. */
int pur_merge(pfit_t *f)
{
    double *x = malloc((f->nb ? f->nb : 1) * sizeof *x),
           *sd = malloc((f->nb ? f->nb : 1) * sizeof *sd);
    int ret = 0;
    if (!x || !sd)
        ret = metcn_set_error(METCN_E_NOMEM, "purity: out of memory");
    double alpha = 2 * gsl_cdf_ugaussian_Q(f->opt->merge_z);
    while (!ret) {
        double best = -1;
        size_t bk = 0;
        for (size_t k = 0; k + 1 < f->nseg; k++) {
            const pseg_t *a = &f->segs[k], *b = &f->segs[k + 1];
            if (a->tid != b->tid || (a->is_gene && b->is_gene))
                continue;
            double q = neighbour_p(f, a, b);
            if (q > best) {
                best = q;
                bk = k;
            }
        }
        if (!(best > alpha))
            break;
        pseg_t *a = &f->segs[bk], *b = &f->segs[bk + 1];
        a->is_gene |= b->is_gene;
        a->b1 = b->b1;
        a->s1 = b->s1;
        a->end = b->end > a->end ? b->end : a->end;
        free(b->lb);
        memmove(b, b + 1, (f->nseg - bk - 2) * sizeof *b);
        f->nseg--;
        ret = segment_level(f, a, x, sd);
        if (!ret)
            ret = pur_seg_allele(f, a);
    }
    free(x);
    free(sd);
    return ret;
}
