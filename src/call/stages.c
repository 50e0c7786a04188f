/* stages.c -- the caller's stages (src/call/stages.h): each reads what the earlier ones left
 * in the call object and adds its own fields.  Formulas: docs/method.md. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "metcn/call.h"
#include "metcn/metcn.h"
#include "metcn/stats.h"
#include "stages.h"

static int nomem(void)
{
    return metcn_set_error(METCN_E_NOMEM, "call: out of memory");
}

static int is_role(const metcn_call_t *c, size_t i, metcn_role_t r)
{
    return c->gene->role[i] == r;
}

static int used(const metcn_call_t *c, size_t i)
{
    return (c->bin_flag[i] & METCN_BIN_USED) != 0;
}

metcn_call_t *call_init(const metcn_gene_t *gene, const metcn_cnr_t *cnr, const char *sample,
                        const metcn_call_opt_t *opt)
{
    size_t n = gene->panel->n_bins;
    metcn_call_t *c = calloc(1, sizeof *c);
    if (!c) {
        nomem();
        return NULL;
    }
    c->n = n;
    c->gene = gene;
    c->panel = gene->panel;
    c->sample = strdup(sample ? sample : "sample");
    c->log2 = malloc((n ? n : 1) * sizeof *c->log2);
    c->sd = malloc((n ? n : 1) * sizeof *c->sd);
    c->depth = malloc((n ? n : 1) * sizeof *c->depth);
    c->weight = malloc((n ? n : 1) * sizeof *c->weight);
    c->bin_flag = calloc(n ? n : 1, sizeof *c->bin_flag);
    if (!c->sample || !c->log2 || !c->sd || !c->depth || !c->weight || !c->bin_flag) {
        nomem();
        metcn_call_destroy(c);
        return NULL;
    }
    char canon[24];
    metcn_contig_canonical(c->panel->contigs[gene->contig].name, canon, sizeof canon);
    snprintf(c->control, sizeof c->control, "chr%s", canon);
    c->purity = opt->purity;
    c->purity_lo = opt->purity_lo;
    c->purity_hi = opt->purity_hi;
    c->purity_source = opt->purity_source;
    c->sample_type = opt->sample_type;
    c->lod_tf_cn5 = c->lod_tf_cn10 = NAN;
    c->ploidy = opt->ploidy;
    c->criteria = opt->criteria ? opt->criteria : metcn_criteria_default(gene->name);
    c->conf = opt->conf;
    c->mapd = cnr->mapd;
    c->median_depth = cnr->median_depth;
    c->gc_strength = cnr->gc_strength;
    c->gc_residual = cnr->gc_residual;
    c->gene_chi2_df = NAN;
    c->normaliser = cnr->normaliser ? cnr->normaliser : "metcn";
    c->noise_cnvkit = cnr->noise_cnvkit;
    for (size_t i = 0; i < n; i++) {
        double l = cnr->log2 ? cnr->log2[i] : NAN, w = cnr->weight ? cnr->weight[i] : NAN;
        int excl = cnr->excluded ? cnr->excluded[i] : 0;
        c->depth[i] = cnr->depth ? cnr->depth[i] : NAN;
        if (isfinite(l) && isfinite(w) && w > 0 && !excl && !is_role(c, i, METCN_ROLE_OTHER)) {
            c->log2[i] = l;
            c->weight[i] = w;
            c->bin_flag[i] = METCN_BIN_USED;
        } else {
            c->log2[i] = NAN;
            c->weight[i] = 0;
        }
    }
    return c;
}

/* Noise factor k: robust SD of consecutive differences of standardised reference-bin values
 * (insensitive to the tumour's copy-number steps), never below 1 so intervals are never
 * narrower than the PoN's noise model claims. */
int call_noise(metcn_call_t *c, const metcn_call_opt_t *opt)
{
    const metcn_panel_t *p = c->panel;
    double *d = malloc((c->n ? c->n : 1) * sizeof *d);
    if (!d)
        return nomem();
    size_t m = 0;
    for (size_t i = 0; i + 1 < c->n; i++) {
        if (!is_role(c, i, METCN_ROLE_REFERENCE) || !is_role(c, i + 1, METCN_ROLE_REFERENCE) ||
            p->bins[i].contig != p->bins[i + 1].contig || !used(c, i) || !used(c, i + 1))
            continue;
        d[m++] = fabs(c->log2[i] * sqrt(c->weight[i]) - c->log2[i + 1] * sqrt(c->weight[i + 1]));
    }
    double k =
        m >= (size_t)opt->noise_min_pairs ? metcn_median(d, NULL, m) / (0.67449 * M_SQRT2) : 1.0;
    free(d);
    c->noise_k = k;
    if (!(k >= 1.0))
        k = 1.0;
    for (size_t i = 0; i < c->n; i++)
        if (used(c, i)) {
            c->sd[i] = k / sqrt(c->weight[i]);
            c->weight[i] = 1.0 / (c->sd[i] * c->sd[i]);
        } else {
            c->sd[i] = NAN;
        }
    return 0;
}

int call_level_of(const metcn_call_t *c, const size_t *idx, size_t m, double k, double conf,
                  metcn_level_t *out)
{
    double *x = malloc((m ? m : 1) * sizeof *x), *s = malloc((m ? m : 1) * sizeof *s);
    if (!x || !s) {
        free(x);
        free(s);
        return nomem();
    }
    for (size_t i = 0; i < m; i++) {
        x[i] = c->log2[idx[i]];
        s[i] = c->sd[idx[i]];
    }
    int r = metcn_level_estimate(x, s, m, k, conf, out);
    free(x);
    free(s);
    return r == METCN_E_TOOFEW ? 0 : r;
}

/* Centre on the reference bins (the PoN already does; this keeps the call right for any
 * residual shift and is a no-op otherwise), then the gene's level from its own bins (never
 * segmented, never trimmed). */
int call_levels(metcn_call_t *c, const metcn_call_opt_t *opt)
{
    size_t n = c->n, m = 0;
    int ret = 0;
    double *x = malloc((n ? n : 1) * sizeof *x), *w = malloc((n ? n : 1) * sizeof *w);
    size_t *idx = malloc((n ? n : 1) * sizeof *idx);
    if (!x || !w || !idx) {
        ret = nomem();
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        if (is_role(c, i, METCN_ROLE_REFERENCE) && used(c, i)) {
            x[m] = c->log2[i];
            w[m] = c->weight[i];
            m++;
        }
    if (m == 0) {
        ret = metcn_set_error(METCN_E_TOOFEW, "%s: no usable genome-reference bins (all excluded)",
                              c->sample);
        goto out;
    }
    c->centre_shift = metcn_weighted_median(x, w, NULL, m);
    for (size_t i = 0; i < n; i++)
        if (used(c, i))
            c->log2[i] -= c->centre_shift;

    m = 0;
    int arm_p = 0, arm_q = 0;
    c->n_target_bins = c->n_control_bins = 0;
    for (size_t i = 0; i < n; i++)
        if (is_role(c, i, METCN_ROLE_TARGET)) {
            c->n_target_bins++;
            if (used(c, i)) {
                idx[m++] = i;
                c->bin_flag[i] |= METCN_BIN_TARGET;
            }
            arm_p += c->gene->bin_arm[i] == 'p';
            arm_q += c->gene->bin_arm[i] == 'q';
        } else if (is_role(c, i, METCN_ROLE_CONTROL)) {
            c->n_control_bins++;
        }
    c->gene_arm = arm_q > arm_p ? 'q' : arm_p > arm_q ? 'p' : 0;
    if (m == 0) {
        ret = metcn_set_error(METCN_E_NOTARGET,
                              "%s: no usable %s bins (%d in the panel, all excluded by the PoN)",
                              c->sample, c->gene->name, c->n_target_bins);
        goto out;
    }
    ret = call_level_of(c, idx, m, opt->huber_k, opt->conf, &c->gene_lv);
out:
    free(x);
    free(w);
    free(idx);
    return ret;
}

/* Append the segments of idx/x/w[0..m) (one contig's run of used bins). */
static int add_segments(metcn_call_t *c, size_t *cap, const size_t *idx, const double *x,
                        const double *w, size_t m, double penalty)
{
    size_t *starts = NULL, ns = 0;
    int ret = metcn_segment(x, w, m, penalty, &starts, &ns);
    if (ret)
        return ret;
    if (c->n_segs + ns > *cap) {
        size_t nc = (c->n_segs + ns) * 2 + 16;
        metcn_segment_t *t = realloc(c->segs, nc * sizeof *t);
        if (!t) {
            free(starts);
            return nomem();
        }
        c->segs = t;
        *cap = nc;
    }
    for (size_t s = 0; s < ns; s++) {
        size_t i0 = starts[s], i1 = s + 1 < ns ? starts[s + 1] : m;
        metcn_segment_t *g = &c->segs[c->n_segs++];
        double sw = 0, swx = 0;
        for (size_t i = i0; i < i1; i++) {
            sw += w[i];
            swx += w[i] * x[i];
        }
        g->contig = c->panel->bins[idx[i0]].contig;
        g->first_bin = idx[i0];
        g->last_bin = idx[i1 - 1];
        g->start = c->panel->bins[idx[i0]].start;
        g->end = c->panel->bins[idx[i1 - 1]].end;
        g->n = (int)(i1 - i0);
        g->log2 = swx / sw;
        g->se = 1.0 / sqrt(sw);
    }
    free(starts);
    return 0;
}

/* Segment every contig's used bins.  The gene is forced to be a segment of its own, so its
 * bins never blend with the flanks (segmentation dilutes focal events). */
int call_segments(metcn_call_t *c, const metcn_call_opt_t *opt)
{
    const metcn_panel_t *p = c->panel;
    size_t cap = 0, n = c->n;
    size_t *idx = malloc((n ? n : 1) * sizeof *idx);
    double *x = malloc((n ? n : 1) * sizeof *x), *w = malloc((n ? n : 1) * sizeof *w);
    int ret = 0;
    if (!idx || !x || !w) {
        ret = nomem();
        goto out;
    }
    size_t t0 = SIZE_MAX, t1 = 0;
    for (size_t i = 0; i < n; i++)
        if (c->bin_flag[i] & METCN_BIN_TARGET) {
            if (t0 == SIZE_MAX)
                t0 = i;
            t1 = i;
        }
    for (size_t a = 0; a < n;) {
        int32_t ctg = p->bins[a].contig;
        size_t b = a, m = 0, stop = a;
        while (stop < n && p->bins[stop].contig == ctg)
            stop++;
        if (t0 != SIZE_MAX && a < t0 && stop > t0)
            stop = t0;
        else if (t0 != SIZE_MAX && a == t0)
            stop = t1 + 1;
        for (; b < stop; b++)
            if (used(c, b)) {
                idx[m] = b;
                x[m] = c->log2[b];
                w[m] = c->weight[b];
                m++;
            }
        if (m && (ret = add_segments(c, &cap, idx, x, w, m, opt->seg_penalty)) != 0)
            goto out;
        a = b;
    }
out:
    free(idx);
    free(x);
    free(w);
    return ret;
}

/* Focal events on the gene's chromosome (another gene's amplicon, this gene's own tail):
 * short segments departing from the chromosome's median level leave the control set.  Then
 * the control level of the whole chromosome and of each arm. */
int call_control(metcn_call_t *c, const metcn_call_opt_t *opt)
{
    size_t n = c->n, m = 0;
    int ret = 0;
    double *x = calloc(n ? n : 1, sizeof *x), *w = calloc(n ? n : 1, sizeof *w);
    size_t *idx = malloc((n ? n : 1) * sizeof *idx);
    if (!x || !w || !idx) {
        ret = nomem();
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        if (is_role(c, i, METCN_ROLE_CONTROL) && used(c, i)) {
            x[m] = c->log2[i];
            w[m] = c->weight[i];
            m++;
        }
    double base = metcn_weighted_median(x, w, NULL, m);
    for (size_t s = 0; s < c->n_segs; s++) {
        const metcn_segment_t *g = &c->segs[s];
        if (g->contig != c->gene->contig)
            continue;
        double d = fabs(g->log2 - base);
        if ((double)(g->end - g->start) < opt->focal_max_span && d >= opt->focal_min_delta &&
            d > opt->focal_min_z * g->se)
            for (size_t i = g->first_bin; i <= g->last_bin; i++)
                if (is_role(c, i, METCN_ROLE_CONTROL) && used(c, i))
                    c->bin_flag[i] |= METCN_BIN_FOCAL;
    }
    size_t n_ctrl = 0, n_kept = 0;
    for (size_t i = 0; i < n; i++)
        if (is_role(c, i, METCN_ROLE_CONTROL) && used(c, i)) {
            n_ctrl++;
            n_kept += !(c->bin_flag[i] & METCN_BIN_FOCAL);
        }
    if (n_kept < (size_t)opt->min_control_bins && n_ctrl >= (size_t)opt->min_control_bins) {
        c->control_fragmented = (int)n_kept + 1; /* kept + 1 so that 0 kept still reads true */
        for (size_t i = 0; i < n; i++)
            c->bin_flag[i] &= ~METCN_BIN_FOCAL;
    }
    c->n_control_focal = 0;
    for (size_t i = 0; i < n; i++) {
        if (c->bin_flag[i] & METCN_BIN_FOCAL)
            c->n_control_focal++;
        else if (is_role(c, i, METCN_ROLE_CONTROL) && used(c, i))
            c->bin_flag[i] |= METCN_BIN_CONTROL;
    }
    for (int which = 0; which < 3; which++) {
        char arm = which == 0 ? 0 : which == 1 ? 'p' : 'q';
        m = 0;
        for (size_t i = 0; i < n; i++)
            if ((c->bin_flag[i] & METCN_BIN_CONTROL) && (!arm || c->gene->bin_arm[i] == arm))
                idx[m++] = i;
        metcn_level_t *lv = which == 0   ? &c->control_lv
                            : which == 1 ? &c->control_p
                                         : &c->control_q;
        if (which == 0 && m < (size_t)opt->min_control_bins) {
            ret = metcn_set_error(METCN_E_TOOFEW,
                                  "%s: %zu usable control bins on the %s chromosome (need %d)",
                                  c->sample, m, c->gene->name, opt->min_control_bins);
            goto out;
        }
        if ((ret = call_level_of(c, idx, m, opt->control_huber_k, opt->conf, lv)) != 0)
            goto out;
    }
out:
    free(x);
    free(w);
    free(idx);
    return ret;
}

/* Widen a level's SE by a systematic term (added in quadrature) and rebuild its interval. */
static void add_systematic(metcn_level_t *lv, double sys)
{
    if (!isfinite(lv->est) || !(sys > 0))
        return;
    lv->se = sqrt(lv->se * lv->se + sys * sys);
    lv->lo = lv->est - lv->q * lv->se;
    lv->hi = lv->est + lv->q * lv->se;
}

/* Sample-specific error shared by neighbouring bins (residual GC or capture effects that the
 * PoN did not remove): the SD of block means of B consecutive reference bins beyond what the
 * per-bin noise model explains.  Solved robustly as the s with
 * median(d_b^2 / (v_b + s^2)) = 0.4549 (the median of chi-square with 1 df), d_b a block's
 * weighted mean and v_b its model variance, so a minority of blocks inside real tumour
 * copy-number changes cannot inflate it much.  0 when fewer than 5 blocks. */
double call_systematic_sd(const metcn_call_t *c, size_t block)
{
    const metcn_panel_t *p = c->panel;
    size_t cap = c->n / (block ? block : 1) + 2, nb = 0;
    double *d2 = malloc(cap * sizeof *d2), *v = malloc(cap * sizeof *v),
           *r = malloc(cap * sizeof *r);
    double res = 0;
    if (!d2 || !v || !r)
        goto out;
    size_t cnt = 0;
    double sw = 0, swx = 0;
    int32_t ctg = -1;
    for (size_t i = 0; i <= c->n; i++) {
        int take = i < c->n && is_role(c, i, METCN_ROLE_REFERENCE) && used(c, i);
        if (i == c->n || (take && p->bins[i].contig != ctg) || cnt == block) {
            if (cnt * 2 >= block && cnt > 0 && nb < cap) {
                d2[nb] = (swx / sw) * (swx / sw);
                v[nb] = 1.0 / sw;
                nb++;
            }
            cnt = 0;
            sw = swx = 0;
        }
        if (i < c->n && take) {
            ctg = p->bins[i].contig;
            cnt++;
            sw += c->weight[i];
            swx += c->weight[i] * c->log2[i];
        }
    }
    if (nb < 5)
        goto out;
    res = call_excess_sd(d2, v, r, nb);
out:
    free(d2);
    free(v);
    free(r);
    return res;
}

/* Measured on blocks of reference bins of the gene's size; the control level averages it
 * over its blocks. */
int call_systematic(metcn_call_t *c, const metcn_call_opt_t *opt)
{
    int ng = c->gene_lv.n;
    size_t block = ng < 2 ? 2 : ng > 10 ? 10 : (size_t)ng;
    c->sys_sd = call_systematic_sd(c, block);
    if (c->sys_sd < opt->min_sys_sd)
        c->sys_sd = opt->min_sys_sd;
    add_systematic(&c->gene_lv, c->sys_sd);
    /* the control levels: the block term averaged over their blocks, and the error shared by
     * a whole chromosome (noise.c), which no number of bins averages away */
    c->chrom_sd = call_chromosome_sd(c);
    metcn_level_t *lv[3] = {&c->control_lv, &c->control_p, &c->control_q};
    for (int k = 0; k < 3; k++)
        if (lv[k]->n > 0) {
            double b =
                c->sys_sd * sqrt((double)block / (lv[k]->n > (int)block ? lv[k]->n : (int)block));
            add_systematic(lv[k], sqrt(b * b + c->chrom_sd * c->chrom_sd));
        }
    return 0;
}

/* Arm-level change (e.g. an extra 7q): the arms differ significantly.  A centromeric probe
 * counts centromeres, i.e. whole chromosomes, and an arm gain adds an arm, not a centromere,
 * so the whole-chromosome level is the lower arm's (docs/method.md section 3). */
int call_arms(metcn_call_t *c, const metcn_call_opt_t *opt)
{
    c->arms_differ = 0;
    if (c->control_p.n >= opt->min_control_bins && c->control_q.n >= opt->min_control_bins) {
        double d = c->control_q.est - c->control_p.est;
        double se = sqrt(c->control_p.se * c->control_p.se + c->control_q.se * c->control_q.se);
        if (fabs(d) >= opt->focal_min_delta && fabs(d) - c->control_lv.q * se > 0) {
            c->arms_differ = 1;
            c->control_lv = d > 0 ? c->control_p : c->control_q;
        }
    }
    const metcn_level_t *armlv = c->gene_arm == 'p'   ? &c->control_p
                                 : c->gene_arm == 'q' ? &c->control_q
                                                      : NULL;
    c->arm = armlv && armlv->n >= opt->min_control_bins ? *armlv : c->control_lv;
    return 0;
}

int call_copy_number(metcn_call_t *c, const metcn_call_opt_t *opt)
{
    double p = opt->purity, pl = opt->purity_lo, ph = opt->purity_hi, P = opt->ploidy;
    c->gene_cn = metcn_cn_interval(&c->gene_lv, p, pl, ph, P);
    c->control_cn = metcn_cn_interval(&c->control_lv, p, pl, ph, P);
    c->control_p_cn = metcn_cn_interval(&c->control_p, p, pl, ph, P);
    c->control_q_cn = metcn_cn_interval(&c->control_q, p, pl, ph, P);
    c->arm_cn = metcn_cn_interval(&c->arm, p, pl, ph, P);
    metcn_cn_ratio(&c->gene_cn, &c->control_cn, &c->ratio, &c->ratio_lo, &c->ratio_hi);
    return 0;
}

int call_classify(metcn_call_t *c, const metcn_call_opt_t *opt)
{
    const metcn_criteria_t *cr = c->criteria;
    c->tier = metcn_criteria_tier(cr, c->ratio, c->gene_cn.cn);
    c->equivocal = isfinite(c->ratio) &&
                   metcn_criteria_spans(cr, c->ratio_lo, c->ratio_hi, c->gene_cn.lo, c->gene_cn.hi);
    c->high_amp_cn = opt->high_amp_cn;
    if (c->gene_cn.lo > opt->high_amp_cn)
        c->high_amp = METCN_HIGHAMP_YES;
    else if (c->gene_cn.hi <= opt->high_amp_cn)
        c->high_amp = METCN_HIGHAMP_NO;
    else
        c->high_amp = METCN_HIGHAMP_EQUIVOCAL;
    c->gcn_class = c->gene_cn.cn >= opt->gcn_amplified ? METCN_GCN_AMPLIFIED
                   : c->gene_cn.cn >= opt->gcn_gain    ? METCN_GCN_GAIN
                                                       : METCN_GCN_NONE;
    return 0;
}

/* Is a copy number a gain over the diploid state: at least polysomy_cn with its interval
 * wholly above 2. */
int call_cn_gained(const metcn_cn_t *cn, const metcn_call_opt_t *opt)
{
    return cn->cn >= opt->polysomy_cn && cn->lo > 2.0;
}

/* Is segment s raised above the arm level enough to belong to the amplicon. */
static int raised(const metcn_call_t *c, size_t s, const metcn_call_opt_t *opt)
{
    double d = c->segs[s].log2 - c->arm.est;
    return d >= opt->focal_min_delta && d > opt->focal_min_z * c->segs[s].se;
}

/* Amplicon extent: the segment holding most target bins, grown over neighbouring segments
 * that are also raised above the arm level. */
static void extent(metcn_call_t *c, const metcn_call_opt_t *opt)
{
    size_t best = SIZE_MAX;
    int best_n = 0;
    for (size_t s = 0; s < c->n_segs; s++) {
        const metcn_segment_t *g = &c->segs[s];
        if (g->contig != c->gene->contig)
            continue;
        int nt = 0;
        for (size_t i = g->first_bin; i <= g->last_bin; i++)
            nt += (c->bin_flag[i] & METCN_BIN_TARGET) != 0;
        if (nt > best_n) {
            best_n = nt;
            best = s;
        }
    }
    if (best == SIZE_MAX || !(c->segs[best].log2 - c->arm.est >= opt->focal_min_delta))
        return;
    int32_t ctg = c->segs[best].contig;
    size_t a = best, b = best;
    while (a > 0 && c->segs[a - 1].contig == ctg && raised(c, a - 1, opt))
        a--;
    while (b + 1 < c->n_segs && c->segs[b + 1].contig == ctg && raised(c, b + 1, opt))
        b++;
    c->has_extent = 1;
    c->extent_start = c->segs[a].start;
    c->extent_end = c->segs[b].end;
    if (a > 0 && c->segs[a - 1].contig == ctg)
        c->extent_outer_start = c->segs[a - 1].end;
    if (b + 1 < c->n_segs && c->segs[b + 1].contig == ctg)
        c->extent_outer_end = c->segs[b + 1].start;
    double sw = 0, swx = 0;
    for (size_t s = a; s <= b; s++) {
        for (size_t i = c->segs[s].first_bin; i <= c->segs[s].last_bin; i++)
            if (used(c, i))
                c->bin_flag[i] |= METCN_BIN_AMPLICON;
        sw += 1.0 / (c->segs[s].se * c->segs[s].se);
        swx += c->segs[s].log2 / (c->segs[s].se * c->segs[s].se);
    }
    c->extent_log2 = swx / sw;
}

/* Pattern: is the gene above its own arm (amplicon), is the chromosome or the arm gained. */
int call_pattern(metcn_call_t *c, const metcn_call_opt_t *opt)
{
    c->excess_log2 = c->gene_lv.est - c->arm.est;
    c->excess_se = sqrt(c->gene_lv.se * c->gene_lv.se + c->arm.se * c->arm.se);
    c->amplicon = c->excess_log2 - c->gene_lv.q * c->excess_se > 0 &&
                  c->gene_cn.cn - c->arm_cn.cn >= opt->focal_min_excess;
    c->control_gained = call_cn_gained(&c->control_cn, opt) || call_cn_gained(&c->arm_cn, opt);
    c->pattern = c->amplicon
                     ? (c->control_gained ? METCN_PATTERN_FOCAL_ON_POLYSOMY : METCN_PATTERN_FOCAL)
                     : (c->control_gained ? METCN_PATTERN_POLYSOMY : METCN_PATTERN_NONE);
    c->has_extent = 0;
    c->extent_start = c->extent_end = c->extent_outer_start = c->extent_outer_end = -1;
    c->extent_log2 = NAN;
    if (c->amplicon)
        extent(c, opt);
    return 0;
}

/* Limit of detection: the gene copy number whose interval's lower end would just clear the
 * control level, at this sample's noise (the model SE of its target bins) and purity; with a
 * purity range, the worst (lowest) purity decides. */
int call_lod(metcn_call_t *c, const metcn_call_opt_t *opt)
{
    double zq = gsl_cdf_ugaussian_Pinv(0.5 + 0.5 * opt->conf);
    double se =
        sqrt(c->gene_lv.se_model * c->gene_lv.se_model + c->control_lv.se * c->control_lv.se);
    double r = exp2(c->control_lv.est + zq * se);
    c->lod_cn = metcn_cn_from_ratio(r, opt->purity, opt->ploidy);
    double alt = metcn_cn_from_ratio(r, opt->purity_lo, opt->ploidy);
    if (alt > c->lod_cn)
        c->lod_cn = alt;
    return 0;
}

/* Add a record when value is beyond a threshold (in the code's direction); fail first. */
static int check(metcn_call_t *c, metcn_qc_code_t code, double value, double warn, double fail)
{
    char op = metcn_qc_code_op(code);
    int beyond_fail = op == '>' ? value > fail : value < fail;
    int beyond_warn = op == '>' ? value > warn : value < warn;
    if (isfinite(fail) && beyond_fail)
        return metcn_call_add_qc(c, code, METCN_QC_FAIL, value, fail);
    if (isfinite(warn) && beyond_warn)
        return metcn_call_add_qc(c, code, METCN_QC_WARN, value, warn);
    return 0;
}

/* The gene's bins about their level: chi-square of (x - level) / sd with the noise model's
 * per-bin SDs (k-scaled), df = n - 1.  It judges the bins' own scatter; the level's SE also
 * carries the systematic term shared by neighbouring bins, which says nothing about
 * heterogeneity (comparing that SE with the model SE made the rule fire on most real samples:
 * docs/method.md). */
static int qc_heterogeneity(metcn_call_t *c, const metcn_call_opt_t *opt)
{
    double chi2 = 0;
    int n = 0;
    for (size_t i = 0; c->bin_flag && c->sd && i < c->n; i++)
        if (c->bin_flag[i] & METCN_BIN_TARGET) {
            double z = (c->log2[i] - c->gene_lv.est) / c->sd[i];
            chi2 += z * z;
            n++;
        }
    if (n < 2)
        return 0;
    double df = n - 1, crit = gsl_cdf_chisq_Qinv(opt->hetero_alpha, df) / df;
    c->gene_chi2_df = chi2 / df;
    return check(c, METCN_QC_GENE_BINS_HETEROGENEOUS, chi2 / df, crit, NAN);
}

int call_qc(metcn_call_t *c, const metcn_call_opt_t *opt)
{
    const metcn_level_t *g = &c->gene_lv;
    int r = check(c, METCN_QC_GENE_BINS_USED, g->n, opt->min_target_bins, NAN);
    if (!r && g->n < c->n_target_bins)
        r = metcn_call_add_qc(c, METCN_QC_GENE_BINS_EXCLUDED, METCN_QC_PASS,
                              c->n_target_bins - g->n, NAN);
    if (!r && g->n >= opt->hetero_min_bins)
        r = qc_heterogeneity(c, opt);
    if (!r && isfinite(c->mapd))
        r = check(c, METCN_QC_MAPD, c->mapd, opt->mapd_warn, opt->mapd_fail);
    if (!r && isfinite(c->median_depth))
        r = check(c, METCN_QC_DEPTH, c->median_depth, opt->depth_warn, opt->depth_fail);
    if (!r && isfinite(c->gc_residual))
        r = check(c, METCN_QC_GC_BIAS, c->gc_residual, opt->gc_warn, opt->gc_fail);
    if (!r)
        r = check(c, METCN_QC_NOISE, c->noise_k, opt->noise_warn, NAN);
    if (!r && c->control_fragmented)
        r = metcn_call_add_qc(c, METCN_QC_CONTROL_FRAGMENTED, METCN_QC_WARN,
                              c->control_fragmented - 1, opt->min_control_bins);
    if (!r)
        r = check(c, METCN_QC_CONTROL_BINS_USED, c->control_lv.n, opt->control_bins_warn, NAN);
    if (!r && c->normaliser && strcmp(c->normaliser, "cnvkit") == 0)
        r = metcn_call_add_qc(c, METCN_QC_NORMALISED_BY_CNVKIT, METCN_QC_PASS, c->noise_cnvkit,
                              NAN);
    return r;
}
