/* call.c -- one sample's MET call: levels, copy numbers, ratio, tier, pattern, extent, QC,
 * limit of detection.  Statistics in call_stats.c; formulas in docs/method.md. */
#include <ctype.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gsl/gsl_cdf.h>
#include <htslib/kstring.h>

#include "metcn/stats.h"
#include "metcn/call.h"
#include "metcn/metcn.h"
#include "metcn/util.h"

/* ---- names, presets, options ------------------------------------------------------------- */

static const metcn_criteria_t presets[] = {
    {"camidge", 1.8, 2.2, 5.0},
    {"profile2021", 1.8, 2.2, 4.0},
};
static const char *const preset_names[] = {"camidge", "profile2021", NULL};

const metcn_criteria_t *metcn_criteria_get(const char *name)
{
    for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++)
        if (name && strcasecmp(name, presets[i].name) == 0)
            return &presets[i];
    return NULL;
}

const char *const *metcn_criteria_names(void)
{
    return preset_names;
}

metcn_tier_t metcn_criteria_tier(const metcn_criteria_t *c, double ratio)
{
    if (!(ratio >= c->low)) /* NaN too */
        return METCN_TIER_NEGATIVE;
    if (ratio >= c->high)
        return METCN_TIER_HIGH;
    if (ratio > c->intermediate)
        return METCN_TIER_INTERMEDIATE;
    return METCN_TIER_LOW;
}

const char *metcn_tier_name(int tier)
{
    static const char *const n[] = {"negative", "low", "intermediate", "high"};
    return tier >= 0 && tier < 4 ? n[tier] : "unknown";
}

const char *metcn_highamp_name(int h)
{
    static const char *const n[] = {"no", "yes", "equivocal"};
    return h >= 0 && h < 3 ? n[h] : "unknown";
}

const char *metcn_gcn_name(int g)
{
    static const char *const n[] = {"none", "gain", "amplified"};
    return g >= 0 && g < 3 ? n[g] : "unknown";
}

const char *metcn_pattern_name(int p)
{
    static const char *const n[] = {"none", "focal", "polysomy", "focal_on_polysomy"};
    return p >= 0 && p < 4 ? n[p] : "unknown";
}

const char *metcn_qc_name(int q)
{
    static const char *const n[] = {"pass", "warn", "fail"};
    return q >= 0 && q < 3 ? n[q] : "unknown";
}

void metcn_call_opt_init(metcn_call_opt_t *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->purity = opt->purity_lo = opt->purity_hi = 1.0;
    opt->purity_given = 0;
    opt->ploidy = 2.0;
    opt->criteria = &presets[0];
    opt->conf = 0.95;
    opt->huber_k = 2.0;
    opt->min_sys_sd = 0.03;
    opt->control_huber_k = 1.345;
    opt->seg_penalty = 16.0;
    opt->focal_max_span = 20e6;
    opt->focal_min_delta = 0.2;
    opt->polysomy_cn = 2.5;
    opt->focal_min_excess = 0.75;
    opt->high_amp_cn = 10.0;
    opt->gcn_amplified = 5.0;
    opt->gcn_gain = 4.0;
    opt->min_target_bins = 3;
    opt->min_control_bins = 3;
    opt->mapd_warn = 0.30;
    opt->mapd_fail = 0.50;
    opt->depth_warn = 30;
    opt->depth_fail = 10;
    opt->gc_warn = 0.15;
    opt->gc_fail = 0.40;
}

int metcn_purity_parse(const char *s, double *purity, double *lo, double *hi)
{
    char buf[128];
    if (!s || strlen(s) >= sizeof buf)
        return METCN_E_FORMAT;
    strcpy(buf, s);
    const char *pm = NULL;
    size_t pml = 0;
    char *at;
    if ((at = strstr(buf, "+-")) != NULL)
        pm = at, pml = 2;
    else if ((at = strstr(buf, "\xc2\xb1")) != NULL) /* UTF-8 plus-minus sign */
        pm = at, pml = 2;
    if (pm) {
        *at = '\0';
        double p, d;
        int r = metcn_parse_double(buf, -INFINITY, INFINITY, &p);
        if (r == 0)
            r = metcn_parse_double(at + pml, 0, 1, &d);
        if (r)
            return r;
        if (!(p > 0 && p <= 1))
            return METCN_E_RANGE;
        *purity = p;
        *lo = p - d > 0.01 ? p - d : 0.01;
        if (*lo > p)
            *lo = p;
        *hi = p + d < 1 ? p + d : 1;
        return 0;
    }
    /* "LO-HI": a '-' after the first character (a leading '-' is a negative number) */
    char *dash = strchr(buf + 1, '-');
    if (dash && dash[-1] != 'e' && dash[-1] != 'E') {
        *dash = '\0';
        double a, b;
        int r = metcn_parse_double(buf, -INFINITY, INFINITY, &a);
        if (r == 0)
            r = metcn_parse_double(dash + 1, -INFINITY, INFINITY, &b);
        if (r)
            return r;
        if (!(a > 0 && a <= 1 && b > 0 && b <= 1 && a <= b))
            return METCN_E_RANGE;
        *lo = a;
        *hi = b;
        *purity = 0.5 * (a + b);
        return 0;
    }
    double p;
    int r = metcn_parse_double(buf, -INFINITY, INFINITY, &p);
    if (r)
        return r;
    if (!(p > 0 && p <= 1))
        return METCN_E_RANGE;
    *purity = *lo = *hi = p;
    return 0;
}

/* ---- the call ------------------------------------------------------------------------------ */

void metcn_call_destroy(metcn_call_t *c)
{
    if (!c)
        return;
    free(c->sample);
    free(c->gene);
    free(c->qc_reasons);
    free(c->log2);
    free(c->sd);
    free(c->depth);
    free(c->weight);
    free(c->bin_flag);
    free(c->segs);
    free(c);
}

/* Level of the used bins selected by want(flag, bin); fields NaN when none. */
static int level_of(metcn_call_t *c, const size_t *idx, size_t m, double k, double conf,
                    metcn_level_t *out)
{
    double *x = malloc((m ? m : 1) * sizeof *x), *s = malloc((m ? m : 1) * sizeof *s);
    if (!x || !s) {
        free(x);
        free(s);
        return metcn_set_error(METCN_E_NOMEM, "call: out of memory");
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

/* Segment every contig's used bins (sex and other roles included only when used). */
static int segment_all(metcn_call_t *c, double penalty)
{
    const metcn_panel_t *p = c->panel;
    size_t cap = 0;
    size_t *idx = malloc((c->n ? c->n : 1) * sizeof *idx);
    double *x = malloc((c->n ? c->n : 1) * sizeof *x), *w = malloc((c->n ? c->n : 1) * sizeof *w);
    int ret = 0;
    if (!idx || !x || !w) {
        ret = metcn_set_error(METCN_E_NOMEM, "call: out of memory");
        goto out;
    }
    /* First and last target bin: the gene is forced to be a segment of its own, so its bins
     * never blend with the flanks (segmentation dilutes focal events). */
    size_t t0 = SIZE_MAX, t1 = 0;
    for (size_t i = 0; i < c->n; i++)
        if (c->bin_flag[i] & METCN_BIN_TARGET) {
            if (t0 == SIZE_MAX)
                t0 = i;
            t1 = i;
        }
    for (size_t a = 0; a < c->n;) {
        int32_t ctg = p->bins[a].contig;
        size_t b = a, m = 0;
        size_t stop = a;
        while (stop < c->n && p->bins[stop].contig == ctg)
            stop++;
        if (t0 != SIZE_MAX && a < t0 && stop > t0)
            stop = t0;
        else if (t0 != SIZE_MAX && a == t0)
            stop = t1 + 1;
        for (; b < stop; b++)
            if (c->bin_flag[b] & METCN_BIN_USED) {
                idx[m] = b;
                x[m] = c->log2[b];
                w[m] = c->weight[b];
                m++;
            }
        if (m) {
            size_t *starts = NULL, ns = 0;
            if ((ret = metcn_segment(x, w, m, penalty, &starts, &ns)) != 0)
                goto out;
            if (c->n_segs + ns > cap) {
                size_t nc = (c->n_segs + ns) * 2 + 16;
                metcn_segment_t *t = realloc(c->segs, nc * sizeof *t);
                if (!t) {
                    free(starts);
                    ret = metcn_set_error(METCN_E_NOMEM, "call: out of memory");
                    goto out;
                }
                c->segs = t;
                cap = nc;
            }
            for (size_t s = 0; s < ns; s++) {
                size_t i0 = starts[s], i1 = s + 1 < ns ? starts[s + 1] : m;
                metcn_segment_t *g = &c->segs[c->n_segs++];
                double sw = 0, swx = 0;
                for (size_t i = i0; i < i1; i++) {
                    sw += w[i];
                    swx += w[i] * x[i];
                }
                g->contig = ctg;
                g->first_bin = idx[i0];
                g->last_bin = idx[i1 - 1];
                g->start = p->bins[idx[i0]].start;
                g->end = p->bins[idx[i1 - 1]].end;
                g->n = (int)(i1 - i0);
                g->log2 = swx / sw;
                g->se = 1.0 / sqrt(sw);
            }
            free(starts);
        }
        a = b;
    }
out:
    free(idx);
    free(x);
    free(w);
    return ret;
}

static void add_reason(kstring_t *k, metcn_qc_t *qc, metcn_qc_t level, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void add_reason(kstring_t *k, metcn_qc_t *qc, metcn_qc_t level, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (k->l)
        kputc(';', k);
    kputs(buf, k);
    if (level > *qc)
        *qc = level;
}

/* Is a copy number a gain over the diploid state: at least polysomy_cn with its interval
 * wholly above 2. */
static int gained(const metcn_cn_t *c, const metcn_call_opt_t *opt)
{
    return c->cn >= opt->polysomy_cn && c->lo > 2.0;
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
static double systematic_sd(const metcn_call_t *c, size_t block)
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
        int take = i < c->n && c->locus->role[i] == METCN_ROLE_REFERENCE &&
                   (c->bin_flag[i] & METCN_BIN_USED);
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
    double lo = 0, hi = 1.0;
    for (int it = 0; it < 60; it++) {
        double mid = 0.5 * (lo + hi);
        for (size_t b = 0; b < nb; b++)
            r[b] = d2[b] / (v[b] + mid * mid);
        if (metcn_median(r, NULL, nb) > 0.4549)
            lo = mid;
        else
            hi = mid;
    }
    res = 0.5 * (lo + hi);
    if (res < 1e-6)
        res = 0;
out:
    free(d2);
    free(v);
    free(r);
    return res;
}

metcn_call_t *metcn_call_run(const metcn_gene_t *gene, const metcn_cnr_t *cnr, const char *sample,
                             const metcn_call_opt_t *opt, const char *pon_warning)
{
    const metcn_panel_t *panel = gene ? gene->panel : NULL;
    metcn_call_t *c = NULL;
    size_t *idx = NULL;
    double *tmpx = NULL, *tmpw = NULL;
    kstring_t qr = {0, 0, NULL};
    int ok = 0;

    if (!panel || !cnr || !opt || !opt->criteria) {
        metcn_set_error(METCN_E_ARG, "call: missing input");
        goto out;
    }
    if (cnr->n != panel->n_bins) {
        metcn_set_error(METCN_E_INCOMPATIBLE, "%s: %zu bins, the panel has %zu", sample, cnr->n,
                        panel->n_bins);
        goto out;
    }
    if (!(opt->purity > 0 && opt->purity <= 1) || !(opt->purity_lo > 0) ||
        !(opt->purity_lo <= opt->purity) || !(opt->purity_hi >= opt->purity) ||
        !(opt->purity_hi <= 1)) {
        metcn_set_error(METCN_E_ARG, "purity %g (range %g-%g) is outside (0,1]", opt->purity,
                        opt->purity_lo, opt->purity_hi);
        goto out;
    }
    if (!(opt->ploidy > 0 && opt->ploidy <= 20)) {
        metcn_set_error(METCN_E_ARG, "ploidy %g is outside (0,20]", opt->ploidy);
        goto out;
    }
    if (!(opt->conf > 0 && opt->conf < 1)) {
        metcn_set_error(METCN_E_ARG, "confidence %g is outside (0,1)", opt->conf);
        goto out;
    }
    if (gene->contig < 0 || gene->n_role[METCN_ROLE_TARGET] == 0) {
        metcn_set_error(METCN_E_NOTARGET, "%s: the panel has no %s bins", sample, gene->name);
        goto out;
    }

    c = calloc(1, sizeof *c);
    if (!c) {
        metcn_set_error(METCN_E_NOMEM, "call: out of memory");
        goto out;
    }
    size_t n = panel->n_bins;
    c->n = n;
    c->panel = panel;
    c->sample = strdup(sample ? sample : "sample");
    c->locus = gene;
    c->gene = strdup(gene->name);
    c->log2 = malloc(n * sizeof *c->log2);
    c->sd = malloc(n * sizeof *c->sd);
    c->depth = malloc(n * sizeof *c->depth);
    c->weight = malloc(n * sizeof *c->weight);
    c->bin_flag = calloc(n, sizeof *c->bin_flag);
    idx = malloc(n * sizeof *idx);
    tmpx = malloc(n * sizeof *tmpx);
    tmpw = malloc(n * sizeof *tmpw);
    if (!c->sample || !c->gene || !c->log2 || !c->sd || !c->depth || !c->weight || !c->bin_flag ||
        !idx || !tmpx || !tmpw) {
        metcn_set_error(METCN_E_NOMEM, "call: out of memory");
        goto out;
    }
    c->purity = opt->purity;
    c->purity_lo = opt->purity_lo;
    c->purity_hi = opt->purity_hi;
    c->purity_assumed = !opt->purity_given;
    c->ploidy = opt->ploidy;
    c->criteria = opt->criteria;
    c->conf = opt->conf;
    c->mapd = cnr->mapd;
    c->median_depth = cnr->median_depth;
    c->gc_strength = cnr->gc_strength;

    for (size_t i = 0; i < n; i++) {
        double l = cnr->log2 ? cnr->log2[i] : NAN, w = cnr->weight ? cnr->weight[i] : NAN;
        int excl = cnr->excluded ? cnr->excluded[i] : 0;
        c->depth[i] = cnr->depth ? cnr->depth[i] : NAN;
        metcn_role_t role = gene->role[i];
        if (isfinite(l) && isfinite(w) && w > 0 && !excl && role != METCN_ROLE_OTHER) {
            c->log2[i] = l;
            c->weight[i] = w;
            c->bin_flag[i] = METCN_BIN_USED;
        } else {
            c->log2[i] = NAN;
            c->weight[i] = 0;
        }
    }

    /* Noise factor k: robust SD of consecutive differences of standardised reference-bin
     * values (insensitive to the tumour's copy-number steps), never below 1 so intervals
     * are never narrower than the PoN's noise model claims. */
    size_t m = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        if (gene->role[i] != METCN_ROLE_REFERENCE || gene->role[i + 1] != METCN_ROLE_REFERENCE ||
            panel->bins[i].contig != panel->bins[i + 1].contig ||
            !(c->bin_flag[i] & METCN_BIN_USED) || !(c->bin_flag[i + 1] & METCN_BIN_USED))
            continue;
        tmpx[m++] = fabs(c->log2[i] * sqrt(c->weight[i]) - c->log2[i + 1] * sqrt(c->weight[i + 1]));
    }
    double k = m >= 10 ? metcn_median(tmpx, NULL, m) / (0.67449 * M_SQRT2) : 1.0;
    c->noise_k = k;
    if (!(k >= 1.0))
        k = 1.0;
    for (size_t i = 0; i < n; i++)
        if (c->bin_flag[i] & METCN_BIN_USED) {
            c->sd[i] = k / sqrt(c->weight[i]);
            c->weight[i] = 1.0 / (c->sd[i] * c->sd[i]);
        } else {
            c->sd[i] = NAN;
        }

    /* Centre on the reference bins (the PoN already does; this keeps the call correct for
     * any residual shift and is a no-op otherwise). */
    m = 0;
    for (size_t i = 0; i < n; i++)
        if (gene->role[i] == METCN_ROLE_REFERENCE && (c->bin_flag[i] & METCN_BIN_USED)) {
            tmpx[m] = c->log2[i];
            tmpw[m] = c->weight[i];
            m++;
        }
    if (m == 0) {
        metcn_set_error(METCN_E_TOOFEW, "%s: no usable genome-reference bins (all excluded)",
                        c->sample);
        goto out;
    }
    c->centre_shift = metcn_weighted_median(tmpx, tmpw, NULL, m);
    for (size_t i = 0; i < n; i++)
        if (c->bin_flag[i] & METCN_BIN_USED)
            c->log2[i] -= c->centre_shift;

    /* Target gene level from its own bins (never segmented, never trimmed). */
    m = 0;
    int arm_p = 0, arm_q = 0;
    for (size_t i = 0; i < n; i++)
        if (gene->role[i] == METCN_ROLE_TARGET) {
            c->n_target_bins++;
            if (c->bin_flag[i] & METCN_BIN_USED) {
                idx[m++] = i;
                c->bin_flag[i] |= METCN_BIN_TARGET;
            }
            arm_p += gene->bin_arm[i] == 'p';
            arm_q += gene->bin_arm[i] == 'q';
        } else if (gene->role[i] == METCN_ROLE_CONTROL) {
            c->n_control_bins++;
        }
    c->gene_arm = arm_q > arm_p ? 'q' : arm_p > arm_q ? 'p' : 0;
    if (m == 0) {
        metcn_set_error(METCN_E_NOTARGET,
                        "%s: no usable %s bins (%d in the panel, all excluded by the PoN)",
                        c->sample, c->gene, c->n_target_bins);
        goto out;
    }
    if (level_of(c, idx, m, opt->huber_k, opt->conf, &c->met))
        goto out;

    if (segment_all(c, opt->seg_penalty))
        goto out;

    /* Focal events on chr7 (EGFR, the MET amplicon's own tail): short segments departing from
     * the chromosome's median level leave the control set. */
    m = 0;
    for (size_t i = 0; i < n; i++)
        if (gene->role[i] == METCN_ROLE_CONTROL && (c->bin_flag[i] & METCN_BIN_USED)) {
            tmpx[m] = c->log2[i];
            tmpw[m] = c->weight[i];
            m++;
        }
    double base = metcn_weighted_median(tmpx, tmpw, NULL, m);
    for (size_t s = 0; s < c->n_segs; s++) {
        const metcn_segment_t *g = &c->segs[s];
        if (g->contig != gene->contig)
            continue;
        double d = fabs(g->log2 - base);
        if ((double)(g->end - g->start) < opt->focal_max_span && d >= opt->focal_min_delta &&
            d > 3.0 * g->se)
            for (size_t i = g->first_bin; i <= g->last_bin; i++)
                if (gene->role[i] == METCN_ROLE_CONTROL && (c->bin_flag[i] & METCN_BIN_USED))
                    c->bin_flag[i] |= METCN_BIN_FOCAL;
    }
    size_t n_ctrl = 0, n_ctrl_kept = 0;
    for (size_t i = 0; i < n; i++)
        if (gene->role[i] == METCN_ROLE_CONTROL && (c->bin_flag[i] & METCN_BIN_USED)) {
            n_ctrl++;
            n_ctrl_kept += !(c->bin_flag[i] & METCN_BIN_FOCAL);
        }
    int focal_fallback = 0;
    if (n_ctrl_kept < (size_t)opt->min_control_bins && n_ctrl >= (size_t)opt->min_control_bins) {
        focal_fallback = 1;
        for (size_t i = 0; i < n; i++)
            c->bin_flag[i] &= ~METCN_BIN_FOCAL;
    }
    for (size_t i = 0; i < n; i++) {
        if (c->bin_flag[i] & METCN_BIN_FOCAL)
            c->n_control_focal++;
        else if (gene->role[i] == METCN_ROLE_CONTROL && (c->bin_flag[i] & METCN_BIN_USED))
            c->bin_flag[i] |= METCN_BIN_CONTROL;
    }
    for (int which = 0; which < 3; which++) {
        char arm = which == 0 ? 0 : which == 1 ? 'p' : 'q';
        m = 0;
        for (size_t i = 0; i < n; i++)
            if ((c->bin_flag[i] & METCN_BIN_CONTROL) && (!arm || gene->bin_arm[i] == arm))
                idx[m++] = i;
        metcn_level_t *lv = which == 0 ? &c->chr7 : which == 1 ? &c->chr7p : &c->chr7q;
        if (m < (size_t)(which ? 1 : opt->min_control_bins) && which == 0) {
            metcn_set_error(METCN_E_TOOFEW,
                            "%s: %zu usable control bins on the %s chromosome (need %d)", c->sample,
                            m, c->gene, opt->min_control_bins);
            goto out;
        }
        if (level_of(c, idx, m, opt->control_huber_k, opt->conf, lv))
            goto out;
    }
    /* Systematic error shared by neighbouring bins, measured on blocks of reference bins of
     * the gene's size; the control level averages it over its blocks. */
    {
        size_t block = c->met.n < 2 ? 2 : c->met.n > 10 ? 10 : (size_t)c->met.n;
        c->sys_sd = systematic_sd(c, block);
        if (c->sys_sd < opt->min_sys_sd)
            c->sys_sd = opt->min_sys_sd;
        add_systematic(&c->met, c->sys_sd);
        for (int w = 0; w < 3; w++) {
            metcn_level_t *lv = w == 0 ? &c->chr7 : w == 1 ? &c->chr7p : &c->chr7q;
            if (lv->n > 0)
                add_systematic(lv, c->sys_sd * sqrt((double)block /
                                                    (lv->n > (int)block ? lv->n : (int)block)));
        }
    }
    /* Arm-level change (e.g. an extra 7q): the arms differ significantly.  CEP7 counts
     * centromeres, i.e. whole chromosomes, and an arm gain adds an arm, not a centromere, so
     * the whole-chromosome level is the lower arm's (docs/method.md section 3). */
    if (c->chr7p.n >= opt->min_control_bins && c->chr7q.n >= opt->min_control_bins) {
        double d = c->chr7q.est - c->chr7p.est;
        double se = sqrt(c->chr7p.se * c->chr7p.se + c->chr7q.se * c->chr7q.se);
        if (fabs(d) >= opt->focal_min_delta && fabs(d) - c->chr7.q * se > 0) {
            c->arms_differ = 1;
            c->chr7 = d > 0 ? c->chr7p : c->chr7q;
        }
    }
    const metcn_level_t *armlv = c->gene_arm == 'p'   ? &c->chr7p
                                 : c->gene_arm == 'q' ? &c->chr7q
                                                      : NULL;
    c->arm = armlv && armlv->n >= opt->min_control_bins ? *armlv : c->chr7;

    /* Copy numbers per tumour cell. */
    double p = opt->purity, pl = opt->purity_lo, ph = opt->purity_hi, P = opt->ploidy;
    c->met_cn = metcn_cn_interval(&c->met, p, pl, ph, P);
    c->chr7_cn = metcn_cn_interval(&c->chr7, p, pl, ph, P);
    c->chr7p_cn = metcn_cn_interval(&c->chr7p, p, pl, ph, P);
    c->chr7q_cn = metcn_cn_interval(&c->chr7q, p, pl, ph, P);
    c->arm_cn = metcn_cn_interval(&c->arm, p, pl, ph, P);
    metcn_cn_ratio(&c->met_cn, &c->chr7_cn, &c->ratio, &c->ratio_lo, &c->ratio_hi);

    /* Classes. */
    c->tier = metcn_criteria_tier(opt->criteria, c->ratio);
    c->equivocal = isfinite(c->ratio) && metcn_criteria_tier(opt->criteria, c->ratio_lo) !=
                                             metcn_criteria_tier(opt->criteria, c->ratio_hi);
    if (c->met_cn.lo > opt->high_amp_cn)
        c->high_amp = METCN_HIGHAMP_YES;
    else if (c->met_cn.hi <= opt->high_amp_cn)
        c->high_amp = METCN_HIGHAMP_NO;
    else
        c->high_amp = METCN_HIGHAMP_EQUIVOCAL;
    c->gcn_class = c->met_cn.cn >= opt->gcn_amplified ? METCN_GCN_AMPLIFIED
                   : c->met_cn.cn >= opt->gcn_gain    ? METCN_GCN_GAIN
                                                      : METCN_GCN_NONE;

    /* Pattern: is the gene above its own arm (amplicon), is chr7 or the arm gained. */
    c->excess_log2 = c->met.est - c->arm.est;
    c->excess_se = sqrt(c->met.se * c->met.se + c->arm.se * c->arm.se);
    c->amplicon = c->excess_log2 - c->met.q * c->excess_se > 0 &&
                  c->met_cn.cn - c->arm_cn.cn >= opt->focal_min_excess;
    c->chr7_gained = gained(&c->chr7_cn, opt) || gained(&c->arm_cn, opt);
    c->pattern = c->amplicon
                     ? (c->chr7_gained ? METCN_PATTERN_FOCAL_ON_POLYSOMY : METCN_PATTERN_FOCAL)
                     : (c->chr7_gained ? METCN_PATTERN_POLYSOMY : METCN_PATTERN_NONE);

    /* Amplicon extent: the segment holding most target bins, grown over neighbouring
     * segments that are also raised above the arm level. */
    c->extent_start = c->extent_end = c->extent_outer_start = c->extent_outer_end = -1;
    c->extent_log2 = NAN;
    if (c->amplicon) {
        size_t best = SIZE_MAX;
        int best_n = 0;
        for (size_t s = 0; s < c->n_segs; s++) {
            const metcn_segment_t *g = &c->segs[s];
            if (g->contig != gene->contig)
                continue;
            int nt = 0;
            for (size_t i = g->first_bin; i <= g->last_bin; i++)
                nt += (c->bin_flag[i] & METCN_BIN_TARGET) != 0;
            if (nt > best_n) {
                best_n = nt;
                best = s;
            }
        }
        if (best != SIZE_MAX) {
            const metcn_segment_t *g = &c->segs[best];
            double thr = opt->focal_min_delta;
            if (g->log2 - c->arm.est >= thr) {
                size_t a = best, b = best;
                while (a > 0 && c->segs[a - 1].contig == g->contig &&
                       c->segs[a - 1].log2 - c->arm.est >= thr &&
                       c->segs[a - 1].log2 - c->arm.est > 3 * c->segs[a - 1].se)
                    a--;
                while (b + 1 < c->n_segs && c->segs[b + 1].contig == g->contig &&
                       c->segs[b + 1].log2 - c->arm.est >= thr &&
                       c->segs[b + 1].log2 - c->arm.est > 3 * c->segs[b + 1].se)
                    b++;
                c->has_extent = 1;
                c->extent_start = c->segs[a].start;
                c->extent_end = c->segs[b].end;
                if (a > 0 && c->segs[a - 1].contig == g->contig)
                    c->extent_outer_start = c->segs[a - 1].end;
                if (b + 1 < c->n_segs && c->segs[b + 1].contig == g->contig)
                    c->extent_outer_end = c->segs[b + 1].start;
                double sw = 0, swx = 0;
                for (size_t s = a; s <= b; s++) {
                    for (size_t i = c->segs[s].first_bin; i <= c->segs[s].last_bin; i++)
                        if (c->bin_flag[i] & METCN_BIN_USED)
                            c->bin_flag[i] |= METCN_BIN_AMPLICON;
                    sw += 1.0 / (c->segs[s].se * c->segs[s].se);
                    swx += c->segs[s].log2 / (c->segs[s].se * c->segs[s].se);
                }
                c->extent_log2 = swx / sw;
            }
        }
    }

    /* Limit of detection: the gene copy number whose interval's lower end would just clear
     * the chr7 control level, at this sample's noise (the model SE of its target bins) and
     * purity. */
    {
        double zq = gsl_cdf_ugaussian_Pinv(0.5 + 0.5 * opt->conf);
        double se = sqrt(c->met.se_model * c->met.se_model + c->chr7.se * c->chr7.se);
        double r = exp2(c->chr7.est + zq * se);
        c->lod_cn = metcn_cn_from_ratio(r, p, P);
        /* with a purity range, the worst (lowest) purity decides */
        double alt = metcn_cn_from_ratio(r, pl, P);
        if (alt > c->lod_cn)
            c->lod_cn = alt;
    }

    /* QC. */
    metcn_qc_t qc = METCN_QC_PASS;
    if (c->met.n < opt->min_target_bins)
        add_reason(&qr, &qc, METCN_QC_WARN, "%s_bins_used=%d<%d", c->gene, c->met.n,
                   opt->min_target_bins);
    if (c->met.n < c->n_target_bins)
        add_reason(&qr, &qc, METCN_QC_PASS, "%s_bins_excluded=%d", c->gene,
                   c->n_target_bins - c->met.n);
    if (c->met.n >= 3 && c->met.se > 3 * c->met.se_model)
        add_reason(&qr, &qc, METCN_QC_WARN, "%s_bins_heterogeneous(se=%.3g,model=%.3g)", c->gene,
                   c->met.se, c->met.se_model);
    if (isfinite(c->mapd)) {
        if (c->mapd > opt->mapd_fail)
            add_reason(&qr, &qc, METCN_QC_FAIL, "mapd=%.3g>%.3g", c->mapd, opt->mapd_fail);
        else if (c->mapd > opt->mapd_warn)
            add_reason(&qr, &qc, METCN_QC_WARN, "mapd=%.3g>%.3g", c->mapd, opt->mapd_warn);
    }
    if (isfinite(c->median_depth)) {
        if (c->median_depth < opt->depth_fail)
            add_reason(&qr, &qc, METCN_QC_FAIL, "depth=%.3g<%.3g", c->median_depth,
                       opt->depth_fail);
        else if (c->median_depth < opt->depth_warn)
            add_reason(&qr, &qc, METCN_QC_WARN, "depth=%.3g<%.3g", c->median_depth,
                       opt->depth_warn);
    }
    if (isfinite(c->gc_strength)) {
        if (c->gc_strength > opt->gc_fail)
            add_reason(&qr, &qc, METCN_QC_FAIL, "gc_bias=%.3g>%.3g", c->gc_strength, opt->gc_fail);
        else if (c->gc_strength > opt->gc_warn)
            add_reason(&qr, &qc, METCN_QC_WARN, "gc_bias=%.3g>%.3g", c->gc_strength, opt->gc_warn);
    }
    if (c->noise_k > 1.5)
        add_reason(&qr, &qc, METCN_QC_WARN, "noise=%.3gx_pon_model", c->noise_k);
    if (focal_fallback)
        add_reason(&qr, &qc, METCN_QC_WARN, "chr7_control_fragmented");
    if (c->chr7.n < 10)
        add_reason(&qr, &qc, METCN_QC_WARN, "control_bins_used=%d<10", c->chr7.n);
    if (pon_warning && *pon_warning)
        add_reason(&qr, &qc, METCN_QC_WARN, "%s", pon_warning);
    c->qc = qc;
    c->qc_reasons = qr.l ? ks_release(&qr) : strdup(".");
    if (!c->qc_reasons) {
        metcn_set_error(METCN_E_NOMEM, "call: out of memory");
        goto out;
    }
    ok = 1;
out:
    free(idx);
    free(tmpx);
    free(tmpw);
    free(qr.s);
    if (!ok) {
        metcn_call_destroy(c);
        return NULL;
    }
    return c;
}
