/* purity_fit.c -- purity and ploidy over a grid in which every segment takes integer
 * allele-specific copy numbers; the interval, the ranked solutions, the ambiguity rules, and
 * the public entry point.  Formulas and their reasons: docs/purity.md sections 2, 5 and 6. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "metcn/metcn.h"
#include "metcn/purity.h"
#include "metcn/stats.h"
#include "stats/purity_internal.h"

void metcn_purity_opt_init(metcn_purity_opt_t *o)
{
    memset(o, 0, sizeof *o);
    o->purity_min = 0.01;
    o->purity_max = 1.0;
    o->purity_step = 0.01;
    o->fine_below = 0.1;
    o->fine_step = 0.005;
    o->ploidy_min = 1.5;
    o->ploidy_max = 5.0;
    o->wgd_ploidy_lo = 2.5;
    o->wgd_ploidy_hi = 3.5;
    o->scale_step = 0.01;
    o->max_cn = 40;
    o->sys_sd = 0.02;
    o->baf_sys_sd = 0.004;
    o->overdispersion = NAN;
    o->error_rate = 0.005;
    o->default_ref_bias = NAN;
    o->event_cost = 2.0;
    o->copy_cost = 1.0;
    o->max_event_copies = 4;
    o->subclonal_cost = 8.0;
    o->wgd_cost = 2.0;
    o->min_site_depth = 20;
    o->het_pvalue = 1e-3;
    o->seg_penalty = 5.0;
    o->min_seg_bins = 3;
    o->merge_z = 3.0;
    o->conf = 0.95;
    o->alt_rel = 0.1;
    o->alt_min_diff = 0.1;
    o->wide_width = 0.25;
    o->undetermined_width = 0.5;
    o->max_subclonal = 0.2;
    o->min_het_informative = 10;
    o->max_solutions = 8;
    o->depth_only_widen = M_LN10;
}

const char *metcn_psite_name(int s)
{
    static const char *names[] = {"het_normal", "het_inferred", "hom_normal", "hom_inferred",
                                  "low_depth",  "sex",          "no_segment", "pon_flagged"};
    return s >= 0 && s < (int)(sizeof names / sizeof *names) ? names[s] : "unknown";
}

const char *metcn_purity_status_name(int s)
{
    static const char *names[] = {"estimated", "upper_bound", "undetermined"};
    return s >= 0 && s < 3 ? names[s] : "unknown";
}

static int flag_index(unsigned bit)
{
    for (int i = 0; i < METCN_PURITY_N_FLAGS; i++)
        if (bit == 1u << i)
            return i;
    return -1;
}

const char *metcn_purity_flag_name(unsigned bit)
{
    static const char *names[] = {"alternative", "doubling",     "wide",
                                  "no_event",    "subclonal",    "depth_only",
                                  "parsimony",   "low_fraction", "twin"};
    int i = flag_index(bit);
    return i < 0 ? "unknown" : names[i];
}

const char *metcn_purity_flag_text(unsigned bit)
{
    static const char *text[] = {
        "another purity fits almost as well",
        "the doubled (or halved) ploidy fits almost as well",
        "the purity interval is wide",
        "no segment departs from the baseline copy number: the tumour is either a small "
        "fraction or has a quiet genome",
        "many segments fit no integer copy number (subclonal or noisy)",
        "no heterozygous SNP site: purity from depth alone, lower confidence",
        "no segment with loss of heterozygosity: purity assumes the smallest copy changes "
        "(one extra copy rather than two at half the purity)",
        "the interval reaches the lowest purity of the grid: an upper bound only",
        "the doubling twin (every state doubled or halved) fits exactly as well: only the "
        "priors choose between the doubled and the non-doubled reading"};
    int i = flag_index(bit);
    return i < 0 ? "unknown flag" : text[i];
}

double metcn_purity_expected_ratio(double p, double ploidy, int major, int minor)
{
    return (p * (major + minor) + 2.0 * (1.0 - p)) / (p * ploidy + 2.0 * (1.0 - p));
}

double metcn_purity_expected_baf(double p, int major, int minor)
{
    double den = p * (major + minor) + 2.0 * (1.0 - p);
    return den > 0 ? (p * major + (1.0 - p)) / den : 0.5;
}

double metcn_purity_twin_purity(double p, int to_doubled)
{
    if (!(p >= 0 && p <= 1))
        return NAN;
    return to_doubled ? p / (2 - p) : 2 * p / (1 + p);
}

double metcn_purity_tf_from_vaf(double vaf)
{
    if (!(vaf >= 0 && vaf <= 1))
        return NAN;
    return 2 * vaf < 1 ? 2 * vaf : 1.0;
}

int metcn_purity_tf_from_counts(int64_t alt, int64_t depth, double conf, double *tf, double *lo,
                                double *hi)
{
    *tf = *lo = *hi = NAN;
    if (depth <= 0 || alt < 0 || alt > depth || !(conf > 0 && conf < 1))
        return metcn_set_error(METCN_E_ARG,
                               "tumour fraction: bad variant counts %lld of %lld or level %g",
                               (long long)alt, (long long)depth, conf);
    double l, h;
    int r = metcn_clopper_pearson(alt, depth, conf, &l, &h);
    if (r)
        return r;
    *tf = metcn_purity_tf_from_vaf((double)alt / (double)depth);
    *lo = metcn_purity_tf_from_vaf(l);
    *hi = metcn_purity_tf_from_vaf(h);
    return 0;
}

/* ---- one segment's best state ---------------------------------------------------------------- */

typedef struct {
    double event, kappa, dmax, tau, wgd_cost;
    int max_cn;
} prior_t;

static double state_prior(const prior_t *pr, int a, int b, int base)
{
    double d = abs(a - base) + abs(b - base);
    return d == 0 ? 0 : -pr->event - pr->kappa * (d < pr->dmax ? d : pr->dmax);
}

/* Best log posterior of a segment at purity p, depth scale D = pP + 2(1-p) and baseline
 * (base, base): max over integer (A, B) of depth + allele log-likelihood + state prior, or
 * the subclonal escape (-tau).  *oa, *ob receive the state (-1, -1 for the escape). */
static double seg_best(const pseg_t *g, const prior_t *pr, double p, double D, int base, int *oa,
                       int *ob)
{
    double q = 1.0 - p, best = -pr->tau;
    int ba = -1, bb = -1, cmin = 0, cmax = pr->max_cn;
    int has_depth = isfinite(g->y) && g->v > 0;
    if (has_depth) {
        /* beyond sqrt(2 tau) SDs the depth term alone loses to the escape */
        double half = sqrt(2.0 * pr->tau * g->v);
        double clo = (exp2(g->y - half) * D - 2 * q) / p, chi = (exp2(g->y + half) * D - 2 * q) / p;
        cmin = clo > 0 ? (int)ceil(clo) : 0;
        cmax = chi < pr->max_cn ? (int)floor(chi) : pr->max_cn;
        if (p >= 1.0 - 1e-12)
            cmin = 0; /* C = 0 at p = 1 has the floored ratio, outside the formula */
    } else if (cmax > 4 * base + 4) {
        cmax = 4 * base + 4;
    }
    double bhat = g->lb ? g->bhat : 0.5;
    for (int c = cmin; c <= cmax; c++) {
        double den = p * c + 2 * q, ld = 0;
        if (has_depth) {
            double r = den / D, mu = log2(r > 0.0009765625 ? r : 0.0009765625);
            ld = -0.5 * (g->y - mu) * (g->y - mu) / g->v;
            if (ld <= best)
                continue;
        }
        /* B candidates: the flat part of the prior holds the B whose fraction brackets the
         * allele estimate; the prior's edges are B = 0, 1, base and C/2 */
        double bf = den > 0 ? c + (q - bhat * den) / p : 0;
        int cand[6] = {0, 1, base, (int)floor(bf), (int)ceil(bf), c / 2};
        for (int k = 0; k < 6; k++) {
            int b = cand[k];
            if (b < 0 || 2 * b > c)
                continue;
            int a = c - b;
            double tot = ld + state_prior(pr, a, b, base);
            if (tot <= best)
                continue;
            if (g->lb)
                tot += pur_lb_at(g->lb, den > 0 ? (p * a + q) / den : 0.5);
            if (tot > best) {
                best = tot;
                ba = a;
                bb = b;
            }
        }
    }
    if (oa) {
        *oa = ba;
        *ob = bb;
    }
    return best;
}

static double total_score(const pfit_t *f, const prior_t *pr, double p, double D, int wgd)
{
    double s = wgd ? -pr->wgd_cost : 0;
    for (size_t k = 0; k < f->nseg; k++)
        s += seg_best(&f->segs[k], pr, p, D, wgd ? 2 : 1, NULL, NULL);
    return s;
}

/* ---- the grid -------------------------------------------------------------------------------- */

typedef struct {
    size_t n;
    double *p, *w;                /* purity grid and cell widths */
    double *score[2], *ploidy[2]; /* profile over ploidy, per baseline (0: (1,1), 1: (2,2)) */
} grid_t;

static void grid_free(grid_t *g)
{
    free(g->p);
    free(g->w);
    for (int c = 0; c < 2; c++) {
        free(g->score[c]);
        free(g->ploidy[c]);
    }
}

static double grid_next(const metcn_purity_opt_t *o, double p)
{
    double q = p + (p < o->fine_below - 1e-9 ? o->fine_step : o->purity_step);
    return round(q * 1e9) / 1e9; /* no drift from repeated sums */
}

static int grid_build(const metcn_purity_opt_t *o, grid_t *g)
{
    size_t cap = 2;
    for (double p = o->purity_min; p < o->purity_max - 1e-9; p = grid_next(o, p))
        cap++;
    g->p = malloc(cap * sizeof *g->p);
    g->w = malloc(cap * sizeof *g->w);
    for (int c = 0; c < 2; c++) {
        g->score[c] = malloc(cap * sizeof *g->score[c]);
        g->ploidy[c] = malloc(cap * sizeof *g->ploidy[c]);
        if (!g->score[c] || !g->ploidy[c])
            return metcn_set_error(METCN_E_NOMEM, "purity: out of memory");
    }
    if (!g->p || !g->w)
        return metcn_set_error(METCN_E_NOMEM, "purity: out of memory");
    g->n = 0;
    for (double p = o->purity_min; p < o->purity_max - 1e-9 && g->n + 1 < cap; p = grid_next(o, p))
        g->p[g->n++] = p;
    g->p[g->n++] = o->purity_max; /* the top of the range is always on the grid */
    for (size_t j = 0; j < g->n; j++) {
        double l = j > 0 ? 0.5 * (g->p[j] - g->p[j - 1]) : 0.5 * (g->n > 1 ? g->p[1] - g->p[0] : 1);
        double r = j + 1 < g->n ? 0.5 * (g->p[j + 1] - g->p[j]) : l;
        g->w[j] = l + r;
    }
    return 0;
}

/* For every purity and baseline, the best ploidy on a grid even in the log of the depth scale
 * D = pP + 2(1-p) (ploidy barely moves D at low purity, so the grid thins there). */
static void grid_profile(const pfit_t *f, const prior_t *pr, grid_t *g)
{
    const metcn_purity_opt_t *o = f->opt;
    for (size_t j = 0; j < g->n; j++) {
        double p = g->p[j], q = 1 - p;
        for (int c = 0; c < 2; c++) {
            double plo = c ? o->wgd_ploidy_lo : o->ploidy_min;
            double phi = c ? o->ploidy_max : o->wgd_ploidy_hi;
            double dlo = p * plo + 2 * q, dhi = p * phi + 2 * q, best = -INFINITY, bp = NAN;
            for (double d = dlo;; d *= 1 + o->scale_step) {
                if (d > dhi)
                    d = dhi;
                double s = total_score(f, pr, p, d, c);
                if (s > best) {
                    best = s;
                    bp = (d - 2 * q) / p;
                }
                if (d >= dhi)
                    break;
            }
            g->score[c][j] = best;
            g->ploidy[c][j] = bp;
        }
    }
}

/* ---- solutions, interval, flags -------------------------------------------------------------- */

typedef struct {
    double p, P;
    int wgd;
    double score;
} cand_t;

static int cmp_cand(const void *a, const void *b)
{
    double x = ((const cand_t *)a)->score, y = ((const cand_t *)b)->score;
    return x > y ? -1 : x < y;
}

/* States, subclonal count and mean copy number of one solution; segs may be NULL. */
static void solution_states(const pfit_t *f, const prior_t *pr, double p, double P, int wgd,
                            metcn_purity_seg_t *segs, double *ploidy_mean, int *n_subclonal)
{
    double D = p * P + 2 * (1 - p), sw = 0, sc = 0;
    int nsub = 0;
    for (size_t k = 0; k < f->nseg; k++) {
        const pseg_t *g = &f->segs[k];
        int a, b;
        seg_best(g, pr, p, D, wgd ? 2 : 1, &a, &b);
        double cn = isfinite(g->y) ? metcn_cn_from_ratio(exp2(g->y), p, P) : NAN;
        if (isfinite(cn) && cn < 0)
            cn = 0;
        double n = (double)(g->b1 - g->b0);
        if (a >= 0)
            sc += n * (a + b);
        else if (isfinite(cn))
            sc += n * cn;
        else
            n = 0;
        sw += n;
        nsub += a < 0;
        if (segs) {
            segs[k].subclonal = a < 0;
            if (a < 0) { /* report the nearest integer state all the same */
                prior_t no_escape = *pr;
                no_escape.tau = INFINITY;
                seg_best(g, &no_escape, p, D, wgd ? 2 : 1, &a, &b);
            }
            segs[k].major = a;
            segs[k].minor = b;
            segs[k].cn = cn;
        }
    }
    *ploidy_mean = sw > 0 ? sc / sw : NAN;
    *n_subclonal = nsub;
}

static int find_solutions(const pfit_t *f, const prior_t *pr, const grid_t *g, metcn_purity_t *r)
{
    cand_t *c = malloc((2 * g->n + 1) * sizeof *c);
    if (!c)
        return metcn_set_error(METCN_E_NOMEM, "purity: out of memory");
    size_t nc = 0;
    for (int w = 0; w < 2; w++)
        for (size_t j = 0; j < g->n; j++) {
            double s = g->score[w][j];
            if ((j > 0 && s < g->score[w][j - 1]) || (j + 1 < g->n && s <= g->score[w][j + 1]))
                continue;
            c[nc++] = (cand_t){g->p[j], g->ploidy[w][j], w, s};
        }
    qsort(c, nc, sizeof *c, cmp_cand);
    size_t max = (size_t)f->opt->max_solutions;
    r->solutions = calloc(max < 2 ? 2 : max, sizeof *r->solutions); /* room for the twin */
    if (!r->solutions) {
        free(c);
        return metcn_set_error(METCN_E_NOMEM, "purity: out of memory");
    }
    for (size_t i = 0; i < nc && r->n_solutions < max; i++) {
        double rel = exp(c[i].score - c[0].score);
        if (rel < 1e-4)
            break;
        int dup = 0;
        for (size_t k = 0; k < r->n_solutions; k++)
            dup |= r->solutions[k].wgd == c[i].wgd && fabs(r->solutions[k].purity - c[i].p) < 0.02;
        if (dup)
            continue;
        metcn_purity_solution_t *s = &r->solutions[r->n_solutions++];
        s->purity = c[i].p;
        s->ploidy = c[i].P;
        s->wgd = c[i].wgd;
        s->score = c[i].score;
        s->rel = rel;
        solution_states(f, pr, s->purity, s->ploidy, s->wgd, NULL, &s->ploidy_mean,
                        &s->n_subclonal);
    }
    free(c);
    return 0;
}

/* ---- the doubling twin (docs/purity.md sections 2.4 and 6) ------------------------------------
 */

/* What the data alone say of (p, P) under a baseline: the best integer states with the state
 * and doubling priors switched off (the subclonal escape stays, so one segment cannot decide). */
static double data_loglik(const pfit_t *f, const prior_t *pr, double p, double P, int wgd)
{
    prior_t flat = *pr;
    flat.event = flat.kappa = flat.wgd_cost = 0;
    return total_score(f, &flat, p, p * P + 2 * (1 - p), wgd);
}

/* Insert s into the ranked list after the best (at most max entries, or 2 when max is 1),
 * dropping the last when full. */
static void insert_solution(metcn_purity_t *r, size_t max, const metcn_purity_solution_t *s)
{
    size_t at = r->n_solutions;
    if (max < 2)
        max = 2;
    while (at > 1 && r->solutions[at - 1].score < s->score)
        at--;
    if (at >= max)
        at = max - 1; /* full: the twin takes the last place */
    size_t n = r->n_solutions < max ? r->n_solutions + 1 : max;
    memmove(&r->solutions[at + 1], &r->solutions[at], (n - 1 - at) * sizeof *s);
    r->solutions[at] = *s;
    r->n_solutions = n;
}

/* (A, B) at (p, P) and (2A, 2B) at (p/(2-p), 2P) give the same depth ratios and allele
 * fractions (section 2.4), so the best solution's twin under the other baseline fits exactly as
 * well whenever its states can all be halved (or doubled); only the priors choose.  The twin
 * is put among the solutions (marked twin) when its likelihood before the priors is within the
 * interval's threshold of the best's and it lies in the model (its purity and ploidy inside the
 * other baseline's grid).  Returns 1 when it was. */
static int doubling_twin(const pfit_t *f, const prior_t *pr, metcn_purity_t *r)
{
    const metcn_purity_opt_t *o = f->opt;
    metcn_purity_solution_t b = r->solutions[0], t = {0};
    t.wgd = !b.wgd;
    t.purity = metcn_purity_twin_purity(b.purity, t.wgd);
    t.ploidy = b.wgd ? b.ploidy / 2 : 2 * b.ploidy;
    double plo = t.wgd ? o->wgd_ploidy_lo : o->ploidy_min;
    double phi = t.wgd ? o->ploidy_max : o->wgd_ploidy_hi;
    if (t.purity < o->purity_min || t.purity > o->purity_max || t.ploidy < plo - 1e-9 ||
        t.ploidy > phi + 1e-9)
        return 0;
    double thr = 0.5 * gsl_cdf_chisq_Pinv(o->conf, 1);
    if (data_loglik(f, pr, t.purity, t.ploidy, t.wgd) <
        data_loglik(f, pr, b.purity, b.ploidy, b.wgd) - thr)
        return 0; /* an odd state (or one beyond max_cn) tells them apart */
    t.score = total_score(f, pr, t.purity, t.purity * t.ploidy + 2 * (1 - t.purity), t.wgd);
    t.rel = fmin(exp(t.score - b.score), 1.0);
    t.twin = 1;
    solution_states(f, pr, t.purity, t.ploidy, t.wgd, NULL, &t.ploidy_mean, &t.n_subclonal);
    for (size_t k = 1; k < r->n_solutions; k++) {
        metcn_purity_solution_t *s = &r->solutions[k];
        if (s->wgd == t.wgd && fabs(s->purity - t.purity) < 0.02) {
            s->twin = 1; /* already listed (a grid point beside it) */
            return 1;
        }
    }
    insert_solution(r, (size_t)o->max_solutions, &t);
    return 1;
}

/* Profile-likelihood interval of purity under the chosen baseline: the hull of the grid
 * purities whose profile log posterior (ploidy and states maximised) is within
 * chi2_1(conf) / 2 of the best, widened by half a grid cell on each side.  A discrete
 * alternative within that distance (another lattice of integer states) falls inside the hull;
 * a floor of solutions that need a subclonal segment stays out.  Fitted from depth alone,
 * the threshold is raised by depth_only_widen.  The other baseline's
 * solutions are alternatives (DOUBLING), not part of the interval.  The ploidy interval is the
 * range of the profile's best ploidies over the same purities. */
static void purity_interval(const pfit_t *f, const grid_t *g, int wgd, double extra,
                            metcn_purity_t *r)
{
    double smax = -INFINITY, thr = 0.5 * gsl_cdf_chisq_Pinv(f->opt->conf, 1) + extra;
    /* depth alone: the lattice of integer states is fixed by the prior, not the data, so the
     * interval also takes the alternative lattices down to depth_only_widen below */
    if (r->n_sites_het == 0)
        thr += f->opt->depth_only_widen;
    for (size_t j = 0; j < g->n; j++)
        smax = g->score[wgd][j] > smax ? g->score[wgd][j] : smax;
    double lo = INFINITY, hi = -INFINITY, plo = INFINITY, phi = -INFINITY;
    for (size_t j = 0; j < g->n; j++) {
        if (g->score[wgd][j] < smax - thr)
            continue;
        double a = g->p[j] - 0.5 * g->w[j], b = g->p[j] + 0.5 * g->w[j], P = g->ploidy[wgd][j];
        lo = a < lo ? a : lo;
        hi = b > hi ? b : hi;
        plo = P < plo ? P : plo;
        phi = P > phi ? P : phi;
    }
    r->purity_lo = lo < 0 ? 0 : lo;
    r->purity_hi = hi > 1 ? 1 : hi;
    r->ploidy_lo = plo;
    r->ploidy_hi = phi;
}

/* Flags from the other solutions: another purity of the same baseline, or the other
 * baseline at about twice (half) the ploidy: (p, P) against (p/(1-p), P+2) or (p/(2-p), 2P). */
static unsigned solution_flags(const metcn_purity_opt_t *o, const metcn_purity_t *r)
{
    const metcn_purity_solution_t *b = &r->solutions[0];
    unsigned fl = 0;
    for (size_t k = 1; k < r->n_solutions; k++) {
        const metcn_purity_solution_t *s = &r->solutions[k];
        if (s->rel < o->alt_rel)
            continue;
        if (s->wgd == b->wgd && fabs(s->purity - b->purity) > o->alt_min_diff)
            fl |= METCN_PURITY_F_ALTERNATIVE;
        double ratio = s->ploidy_mean / b->ploidy_mean;
        if (s->wgd != b->wgd &&
            ((ratio > 1.4 && ratio < 2.6) || (ratio > 1 / 2.6 && ratio < 1 / 1.4)))
            fl |= METCN_PURITY_F_DOUBLING;
    }
    return fl;
}

/* Flags from the chosen solution's segments; *levels gets the number of distinct departing
 * states (counted up to 2). */
static unsigned segment_flags(const metcn_purity_opt_t *o, metcn_purity_t *r, int *levels)
{
    int base = r->solutions[0].wgd ? 2 : 1, la = -1, lb = -1;
    double wsub = 0, wall = 0;
    unsigned fl = 0;
    *levels = 0;
    r->n_events = r->n_allelic = 0;
    for (size_t k = 0; k < r->n_segs; k++) {
        const metcn_purity_seg_t *s = &r->segs[k];
        wall += s->n_bins;
        if (s->subclonal) {
            wsub += s->n_bins;
            continue;
        }
        if (s->major != base || s->minor != base) {
            r->n_events++;
            if (*levels == 0 || (*levels == 1 && (s->major != la || s->minor != lb)))
                (*levels)++;
            la = s->major;
            lb = s->minor;
        }
        /* the gene's segment informs the fit with any number of sites, but an amplicon on a
         * lost haplotype (C, 0) pins the purity only with enough of them: (C-1, 1) at another
         * purity is close */
        if (s->minor == 0 && s->major > 0 && s->allele_used &&
            (!s->is_gene || s->n_sites >= o->min_het_informative))
            r->n_allelic++;
    }
    if (r->n_events == 0)
        fl |= METCN_PURITY_F_NO_EVENT;
    if (wall > 0 && wsub / wall > o->max_subclonal)
        fl |= METCN_PURITY_F_SUBCLONAL;
    if (r->n_sites_het == 0)
        fl |= METCN_PURITY_F_DEPTH_ONLY;
    if (r->n_events > 0 && r->n_allelic == 0)
        fl |= METCN_PURITY_F_PARSIMONY;
    return fl;
}

/* The answer: flags, and the status rules of docs/purity.md section 6. */
static void decide(const pfit_t *f, const grid_t *g, metcn_purity_t *r, int twin)
{
    const metcn_purity_opt_t *o = f->opt;
    const metcn_purity_solution_t *b = &r->solutions[0];
    int levels;
    unsigned fl = solution_flags(o, r) | segment_flags(o, r, &levels);
    if (twin && !(fl & METCN_PURITY_F_NO_EVENT))
        fl |= METCN_PURITY_F_TWIN; /* whatever the prior: the data cannot choose */
    r->purity = b->purity;
    r->ploidy = b->ploidy;
    r->ploidy_mean = b->ploidy_mean;
    r->wgd = b->wgd;
    r->status = METCN_PURITY_ESTIMATED;
    if (fl & METCN_PURITY_F_NO_EVENT) {
        r->status = METCN_PURITY_UNDETERMINED;
        r->purity_lo = 0;
        r->purity_hi = 1;
    } else if ((fl & METCN_PURITY_F_PARSIMONY) && levels < 2) {
        /* One copy-number level departs and no segment lost a haplotype: only p times the
         * change is measured (a gene amplicon (C-1, 1) alone is this case), so any purity
         * from that product over the largest change to 1 fits: say so, and give the range
         * the data allow whatever the prior says of the size of the change. */
        r->status = METCN_PURITY_UNDETERMINED;
        purity_interval(f, g, b->wgd,
                        r->n_events * (o->event_cost + o->copy_cost * o->max_event_copies), r);
    }
    if (r->purity_hi - r->purity_lo > o->wide_width)
        fl |= METCN_PURITY_F_WIDE;
    if (r->purity_lo <= g->p[0] + 0.5 * g->w[0] + 1e-9 && !(fl & METCN_PURITY_F_NO_EVENT))
        fl |= METCN_PURITY_F_LOW_FRACTION;
    if (r->status == METCN_PURITY_ESTIMATED) {
        if (r->purity_hi - r->purity_lo > o->undetermined_width) {
            r->status = METCN_PURITY_UNDETERMINED;
        } else if (fl & METCN_PURITY_F_LOW_FRACTION) {
            r->status = METCN_PURITY_UPPER_BOUND;
            r->purity_lo = 0;
        }
    }
    if (r->status == METCN_PURITY_UNDETERMINED)
        r->purity = NAN;
    r->flags = fl;
    r->ambiguous = (fl & METCN_PURITY_F_AMBIGUOUS_MASK) != 0;
}

/* ---- entry point ----------------------------------------------------------------------------- */

static int check_opt(const metcn_purity_opt_t *o)
{
#define BAD(cond, what)                                                                            \
    if (cond)                                                                                      \
    return metcn_set_error(METCN_E_ARG, "purity: bad option %s", what)
    BAD(!(o->purity_min > 0 && o->purity_min < o->purity_max && o->purity_max <= 1),
        "purity range");
    BAD(!(o->purity_step > 0 && o->fine_step > 0 && o->fine_below >= 0), "purity step");
    BAD(!(o->ploidy_min >= 0.5 && o->ploidy_min <= o->wgd_ploidy_hi &&
          o->wgd_ploidy_lo <= o->ploidy_max && o->ploidy_max <= 20),
        "ploidy range");
    BAD(!(o->scale_step > 1e-4 && o->scale_step < 0.5), "scale_step");
    BAD(!(o->max_cn >= 2 && o->max_cn <= 500), "max_cn");
    BAD(!(o->sys_sd >= 0 && o->baf_sys_sd >= 0), "systematic SD");
    BAD(!(isnan(o->overdispersion) || (o->overdispersion >= 0 && o->overdispersion < 0.5)),
        "overdispersion");
    BAD(!(o->error_rate >= 0 && o->error_rate < 0.2), "error_rate");
    BAD(!(isnan(o->default_ref_bias) || (o->default_ref_bias > 0.05 && o->default_ref_bias < 0.95)),
        "default_ref_bias");
    BAD(!(o->event_cost >= 0 && o->copy_cost >= 0 && o->max_event_copies >= 0 &&
          o->subclonal_cost >= 0 && o->wgd_cost >= 0),
        "prior cost");
    BAD(!(o->het_pvalue > 0 && o->het_pvalue < 1), "het_pvalue");
    BAD(!(o->seg_penalty >= 0 && o->min_seg_bins >= 1 && o->merge_z >= 0), "segmentation");
    BAD(!(o->conf > 0 && o->conf < 1 && o->alt_rel > 0 && o->alt_rel <= 1), "level");
    BAD(!(o->depth_only_widen >= 0), "depth_only_widen");
    BAD(!(o->max_solutions >= 1 && o->min_het_informative >= 0 && o->min_site_depth >= 1),
        "counts");
#undef BAD
    return 0;
}

static int check_input(const metcn_purity_input_t *in)
{
    if ((!in->bins && in->n_bins) || (!in->sites && in->n_sites))
        return metcn_set_error(METCN_E_ARG, "purity: NULL bins or sites");
    for (size_t i = 0; i < in->n_bins; i++) {
        const metcn_purity_bin_t *b = &in->bins[i];
        if (b->end < b->start)
            return metcn_set_error(METCN_E_ARG, "purity: bin %zu ends before it starts", i);
        if (i && (b->tid < in->bins[i - 1].tid ||
                  (b->tid == in->bins[i - 1].tid && b->start < in->bins[i - 1].start)))
            return metcn_set_error(METCN_E_UNSORTED, "purity: bin %zu out of order", i);
    }
    for (size_t i = 1; i < in->n_sites; i++) {
        const metcn_purity_site_t *a = &in->sites[i - 1], *b = &in->sites[i];
        if (b->tid < a->tid || (b->tid == a->tid && b->pos < a->pos))
            return metcn_set_error(METCN_E_UNSORTED, "purity: site %zu out of order", i);
    }
    return 0;
}

/* Result fields that come straight from the segmentation. */
static int fill_segments(const pfit_t *f, metcn_purity_t *r)
{
    const metcn_purity_input_t *in = f->in;
    r->segs = calloc(f->nseg ? f->nseg : 1, sizeof *r->segs);
    r->bin_seg = malloc((in->n_bins ? in->n_bins : 1) * sizeof *r->bin_seg);
    r->site_seg = malloc((in->n_sites ? in->n_sites : 1) * sizeof *r->site_seg);
    if (!r->segs || !r->bin_seg || !r->site_seg)
        return metcn_set_error(METCN_E_NOMEM, "purity: out of memory");
    for (size_t i = 0; i < in->n_bins; i++)
        r->bin_seg[i] = -1;
    for (size_t i = 0; i < in->n_sites; i++)
        r->site_seg[i] = -1;
    r->n_segs = f->nseg;
    for (size_t k = 0; k < f->nseg; k++) {
        const pseg_t *g = &f->segs[k];
        metcn_purity_seg_t *s = &r->segs[k];
        s->tid = g->tid;
        s->start = g->start;
        s->end = g->end;
        s->n_bins = (int)(g->b1 - g->b0);
        s->bin_first = g->b1 > g->b0 ? f->bidx[g->b0] : 0;
        s->bin_last = g->b1 > g->b0 ? f->bidx[g->b1 - 1] : 0;
        s->n_sites = (int)(g->s1 - g->s0);
        s->is_gene = g->is_gene;
        s->log2 = g->y;
        s->log2_se = g->se;
        s->baf = g->bhat;
        s->baf_lo = g->baf_lo;
        s->baf_hi = g->baf_hi;
        s->allele_used = g->lb != NULL;
        for (size_t i = g->b0; i < g->b1; i++)
            r->bin_seg[f->bidx[i]] = (int32_t)k;
        for (size_t i = g->s0; i < g->s1; i++)
            r->site_seg[f->sidx[i]] = (int32_t)k;
        r->n_bins_used += s->n_bins;
        r->n_sites_het += s->n_sites;
    }
    return 0;
}

static int fill_profile(const grid_t *g, metcn_purity_t *r)
{
    r->profile_purity = malloc(g->n * sizeof *r->profile_purity);
    r->profile_score = malloc(g->n * sizeof *r->profile_score);
    if (!r->profile_purity || !r->profile_score)
        return metcn_set_error(METCN_E_NOMEM, "purity: out of memory");
    double smax = -INFINITY;
    for (size_t j = 0; j < g->n; j++) {
        double s = g->score[0][j] > g->score[1][j] ? g->score[0][j] : g->score[1][j];
        r->profile_purity[j] = g->p[j];
        r->profile_score[j] = s;
        smax = s > smax ? s : smax;
    }
    for (size_t j = 0; j < g->n; j++)
        r->profile_score[j] -= smax;
    r->n_profile = g->n;
    return 0;
}

int metcn_purity_fit(const metcn_purity_input_t *in, const metcn_purity_opt_t *opt,
                     metcn_purity_t **out)
{
    pfit_t f = {0};
    grid_t g = {0};
    metcn_purity_t *r = NULL;
    int ret;
    if (!out)
        return metcn_set_error(METCN_E_ARG, "purity: NULL result pointer");
    *out = NULL;
    if (!in || !opt)
        return metcn_set_error(METCN_E_ARG, "purity: NULL input or options");
    if ((ret = check_opt(opt)) != 0 || (ret = check_input(in)) != 0)
        return ret;
    f.in = in;
    f.opt = opt;
    prior_t pr = {opt->event_cost,     opt->copy_cost, opt->max_event_copies,
                  opt->subclonal_cost, opt->wgd_cost,  opt->max_cn};
    if ((ret = pur_select_bins(&f)) != 0 || (ret = pur_select_sites(&f)) != 0 ||
        (ret = pur_ref_bias(&f)) != 0)
        goto out;
    if (f.nb < 2 * (size_t)opt->min_seg_bins) {
        ret = metcn_set_error(METCN_E_TOOFEW, "purity: %zu usable bins, need at least %d", f.nb,
                              2 * opt->min_seg_bins);
        goto out;
    }
    if ((ret = pur_segment(&f)) != 0 || (ret = pur_segment_levels(&f)) != 0 ||
        (ret = pur_allele_model(&f)) != 0 || (ret = pur_merge(&f)) != 0)
        goto out;
    if ((ret = grid_build(opt, &g)) != 0)
        goto out;
    grid_profile(&f, &pr, &g);
    r = calloc(1, sizeof *r);
    if (!r) {
        ret = metcn_set_error(METCN_E_NOMEM, "purity: out of memory");
        goto out;
    }
    r->overdispersion = f.rho;
    r->site_status = f.site_status;
    f.site_status = NULL;
    if ((ret = fill_segments(&f, r)) != 0 || (ret = fill_profile(&g, r)) != 0 ||
        (ret = find_solutions(&f, &pr, &g, r)) != 0)
        goto out;
    purity_interval(&f, &g, r->solutions[0].wgd, 0, r);
    int twin = doubling_twin(&f, &pr, r);
    const metcn_purity_solution_t *b = &r->solutions[0];
    double pm;
    int ns;
    solution_states(&f, &pr, b->purity, b->ploidy, b->wgd, r->segs, &pm, &ns);
    decide(&f, &g, r, twin);
    *out = r;
    r = NULL;
out:
    metcn_purity_destroy(r);
    grid_free(&g);
    for (size_t k = 0; k < f.nseg; k++)
        free(f.segs[k].lb);
    free(f.segs);
    free(f.bidx);
    free(f.sidx);
    free(f.hidx);
    free(f.site_status);
    return ret;
}

void metcn_purity_destroy(metcn_purity_t *r)
{
    if (!r)
        return;
    free(r->solutions);
    free(r->segs);
    free(r->bin_seg);
    free(r->site_seg);
    free(r->site_status);
    free(r->profile_purity);
    free(r->profile_score);
    free(r);
}
