/* test_purity.c -- the purity / ploidy / tumour-fraction fit on data drawn from its own model
 * with fixed seeds: segments with known (major, minor), purity and ploidy, log2 ratios with
 * per-bin noise and a per-segment systematic offset, beta-binomial allele counts at
 * heterozygous sites (depth 300-800x for tissue, 2,000x for plasma).  The assertions compare
 * the estimates with the truth that generated them; the rates are printed (docs/purity.md
 * quotes them: `build/test_purity` prints the same table). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "metcn/metcn.h"
#include "metcn/purity.h"
#include "metcn/stats.h"

#include <gsl/gsl_cdf.h>

/* ---- the generator --------------------------------------------------------------------------- */

#define SIM_CONTIG_LEN 100000000LL
#define SIM_GENE_TID 6

typedef struct {
    int tid;
    double f0, f1; /* contig fraction [f0, f1) */
    int major, minor;
    double ccf; /* share of tumour cells carrying it (0 means 1: clonal) */
} sim_event_t;

typedef struct {
    const char *name;
    double purity;
    int wgd; /* baseline (2,2) instead of (1,1) */
    int n_events;
    sim_event_t ev[8];
    int gene_cn;    /* gene amplicon total copies (major = gene_cn - base, minor = base); 0: none */
    double depth;   /* mean depth at a site of ratio 1 */
    double rho;     /* beta-binomial over-dispersion */
    double bin_sd;  /* per-bin log2 SD (each bin's SD drawn in [0.7, 1.4] times this) */
    double seg_sys; /* SD of a per-region systematic log2 offset */
    int n_contigs, bins_per_contig, sites_per_contig, gene_bins;
    int matched; /* genotypes from a matched normal */
    int no_sites;
    int sex;          /* 1 XX, 2 XY (adds a chrX contig) */
    double bias_mean; /* REF capture bias: a site's REF fraction at balance is 0.5 + this ... */
    double bias_sd;   /* ... + a per-site normal deviate of this SD */
    int give_bias;    /* pass the per-site bias to the fit */
    int give_af;      /* pass the population allele frequency (sites are het with 0.35 =
                         2a(1-a) at a = 0.2261: Hardy-Weinberg) */
    unsigned long seed;
} simspec_t;

typedef struct {
    metcn_purity_bin_t *bins;
    size_t nb;
    metcn_purity_site_t *sites;
    unsigned char *het; /* truth: site heterozygous in the germline */
    size_t ns;
    double ploidy; /* bin-weighted mean tumour copy number (autosomes) */
    int32_t x_tid;
} simdata_t;

static void sim_defaults(simspec_t *s)
{
    memset(s, 0, sizeof *s);
    s->depth = 500;
    s->rho = 0.003;
    s->bin_sd = 0.15;
    s->seg_sys = 0.01;
    s->n_contigs = 22;
    s->bins_per_contig = 45;
    s->sites_per_contig = 100;
    s->gene_bins = 20;
    s->matched = 1;
    s->sex = 1;
}

static void sim_free(simdata_t *d)
{
    free(d->bins);
    free(d->sites);
    free(d->het);
    memset(d, 0, sizeof *d);
}

/* State of the tumour at (tid, pos): mean major and minor copies over tumour cells (integers
 * unless a subclonal event covers it); *region gets an id for the systematic offset. */
static void sim_state(const simspec_t *s, int tid, int64_t pos, int in_gene, double *a, double *b,
                      int *region)
{
    int base = s->wgd ? 2 : 1;
    *a = *b = base;
    *region = 0;
    if (tid == s->n_contigs) { /* chrX */
        *a = s->sex == 2 ? 1 : base;
        *b = s->sex == 2 ? 0 : base;
        *region = 99;
        return;
    }
    for (int e = 0; e < s->n_events; e++) {
        const sim_event_t *v = &s->ev[e];
        if (v->tid == tid && pos >= (int64_t)(v->f0 * SIM_CONTIG_LEN) &&
            pos < (int64_t)(v->f1 * SIM_CONTIG_LEN)) {
            double c = v->ccf > 0 ? v->ccf : 1.0;
            *a = c * v->major + (1 - c) * base;
            *b = c * v->minor + (1 - c) * base;
            *region = 1 + e;
        }
    }
    if (in_gene && s->gene_cn > 0) {
        *a = s->gene_cn - base;
        *b = base;
        *region = 50;
    }
}

static int pos_cmp(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return a < b ? -1 : a > b;
}

static void sim_make(const simspec_t *s, simdata_t *d)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, s->seed);
    int nctg = s->n_contigs + (s->sex == 2 || s->sex == 1 ? 1 : 0);
    size_t maxb = (size_t)nctg * s->bins_per_contig + s->gene_bins;
    size_t maxs = (size_t)nctg * s->sites_per_contig;
    d->bins = calloc(maxb, sizeof *d->bins);
    d->sites = calloc(maxs ? maxs : 1, sizeof *d->sites);
    d->het = calloc(maxs ? maxs : 1, 1);
    d->nb = d->ns = 0;
    d->x_tid = s->n_contigs;
    double p = s->purity, err = 0.003;
    double offs[100];
    for (int i = 0; i < 100; i++)
        offs[i] = gsl_ran_gaussian(rng, s->seg_sys);
    /* bins: evenly spaced, gene bins inserted at 60% of contig SIM_GENE_TID */
    int64_t gene_start = (int64_t)(0.6 * SIM_CONTIG_LEN);
    double *cn = malloc(maxb * sizeof *cn);
    int *reg = malloc(maxb * sizeof *reg);
    for (int t = 0; t < nctg; t++) {
        int gene_done = 0;
        for (int i = 0; i < s->bins_per_contig; i++) {
            int64_t st = (int64_t)((i + 0.5) * SIM_CONTIG_LEN / s->bins_per_contig);
            if (t == SIM_GENE_TID && !gene_done && st > gene_start) {
                for (int g = 0; g < s->gene_bins; g++) {
                    metcn_purity_bin_t *b = &d->bins[d->nb];
                    b->tid = t;
                    b->start = gene_start + 1000 * g;
                    b->end = b->start + 200;
                    b->is_gene = 1;
                    double A, B;
                    sim_state(s, t, b->start, 1, &A, &B, &reg[d->nb]);
                    cn[d->nb++] = A + B;
                }
                gene_done = 1;
            }
            metcn_purity_bin_t *b = &d->bins[d->nb];
            b->tid = t;
            b->start = st;
            b->end = st + 200;
            double A, B;
            sim_state(s, t, st, 0, &A, &B, &reg[d->nb]);
            cn[d->nb++] = A + B;
        }
    }
    double sum = 0;
    size_t nauto = 0;
    for (size_t i = 0; i < d->nb; i++)
        if (d->bins[i].tid < s->n_contigs) {
            sum += cn[i];
            nauto++;
        }
    d->ploidy = sum / nauto;
    /* Copy ratio against a diploid normal with the genome's mean ploidy as the depth scale;
     * a male's chrX has one copy in every cell */
    double D = p * d->ploidy + 2 * (1 - p);
    double *l2 = malloc(d->nb * sizeof *l2);
    for (size_t i = 0; i < d->nb; i++) {
        int male_x = s->sex == 2 && d->bins[i].tid == s->n_contigs;
        double r = (p * cn[i] + (male_x ? 1.0 : 2.0) * (1 - p)) / D;
        l2[i] = log2(r > 1e-3 ? r : 1e-3);
    }
    /* median-centred on the autosomes, as a caller centres on its reference bins */
    double med = metcn_median(l2, NULL, nauto); /* autosome bins come first */
    for (size_t i = 0; i < d->nb; i++) {
        double sd = s->bin_sd * (0.7 + 0.7 * gsl_rng_uniform(rng));
        d->bins[i].sd = sd;
        d->bins[i].log2 = l2[i] - med + offs[reg[i]] + gsl_ran_gaussian(rng, sd);
    }
    /* sites */
    if (!s->no_sites) {
        int64_t *pos = malloc(s->sites_per_contig * sizeof *pos);
        for (int t = 0; t < nctg; t++) {
            for (int i = 0; i < s->sites_per_contig; i++)
                pos[i] = (int64_t)(gsl_rng_uniform(rng) * SIM_CONTIG_LEN);
            /* a few sites inside the gene */
            if (t == SIM_GENE_TID)
                for (int i = 0; i < 12 && i < s->sites_per_contig; i++)
                    pos[i] = gene_start + 1000 * (int64_t)gsl_rng_uniform_int(rng, s->gene_bins) +
                             (int64_t)gsl_rng_uniform_int(rng, 200);
            qsort(pos, s->sites_per_contig, sizeof *pos, pos_cmp);
            for (int i = 0; i < s->sites_per_contig; i++) {
                metcn_purity_site_t *x = &d->sites[d->ns++];
                x->tid = t;
                x->pos = pos[i];
                int in_gene = t == SIM_GENE_TID && pos[i] >= gene_start &&
                              pos[i] < gene_start + 1000 * (int64_t)(s->gene_bins - 1) + 200 &&
                              (pos[i] - gene_start) % 1000 < 200;
                double A, B;
                int rg;
                sim_state(s, t, pos[i], in_gene, &A, &B, &rg);
                int male_x = s->sex == 2 && t == s->n_contigs;
                double normal = male_x ? 1.0 : 2.0;
                double tot = (p * (A + B) + normal * (1 - p)) / D;
                unsigned n = gsl_ran_poisson(rng, s->depth * tot);
                int het = !male_x && gsl_rng_uniform(rng) < 0.35;
                d->het[d->ns - 1] = (unsigned char)het;
                double r =
                    0.5 + s->bias_mean + (s->bias_sd > 0 ? gsl_ran_gaussian(rng, s->bias_sd) : 0);
                x->ref_bias = s->give_bias ? r : NAN;
                x->af = s->give_af ? 0.2261 : NAN;
                if (het) {
                    double den = p * (A + B) + 2 * (1 - p);
                    double baf = den > 0 ? (p * A + (1 - p)) / den : 0.5;
                    double q = gsl_rng_uniform(rng) < 0.5 ? baf : 1 - baf;
                    double m = r / (1 - r), f = q * m / (q * m + 1 - q);
                    f = f * (1 - 2 * err) + err;
                    double sz = (1 - s->rho) / s->rho;
                    double pi = gsl_ran_beta(rng, f * sz, (1 - f) * sz);
                    unsigned k = gsl_ran_binomial(rng, pi, n);
                    x->ref = (int32_t)k;
                    x->alt = (int32_t)(n - k);
                } else {
                    unsigned e = gsl_ran_binomial(rng, err, n);
                    int ref_hom = gsl_rng_uniform(rng) < 0.6;
                    x->ref = (int32_t)(ref_hom ? n - e : e);
                    x->alt = (int32_t)(ref_hom ? e : n - e);
                }
                x->gt = s->matched ? (het ? METCN_GT_HET : METCN_GT_HOM) : METCN_GT_UNKNOWN;
            }
        }
        free(pos);
    }
    free(l2);
    free(cn);
    free(reg);
    gsl_rng_free(rng);
}

static void sim_input(const simspec_t *s, const simdata_t *d, metcn_purity_input_t *in)
{
    in->bins = d->bins;
    in->n_bins = d->nb;
    in->sites = d->ns ? d->sites : NULL;
    in->n_sites = d->ns;
    in->sex = s->sex;
    in->x_tid = d->x_tid;
    in->y_tid = -1;
}

/* Random background events: distinct contigs (never the gene's), an arm or a whole contig. */
static void sim_events(simspec_t *s, int n, int wgd, gsl_rng *rng)
{
    static const int diploid[][2] = {{1, 0}, {1, 0}, {2, 0}, {2, 1}, {2, 1}, {3, 1}, {2, 2}};
    static const int doubled[][2] = {{2, 1}, {3, 2}, {2, 0}, {1, 1}, {4, 2}, {3, 1}};
    int used[32] = {0};
    used[SIM_GENE_TID] = 1;
    s->n_events = n;
    for (int e = 0; e < n; e++) {
        int t;
        do
            t = (int)gsl_rng_uniform_int(rng, s->n_contigs);
        while (used[t]);
        used[t] = 1;
        int arm = (int)gsl_rng_uniform_int(rng, 3);
        s->ev[e].tid = t;
        s->ev[e].f0 = arm == 1 ? 0.5 : 0.0;
        s->ev[e].f1 = arm == 0 ? 0.5 : 1.0;
        const int *st =
            wgd ? doubled[gsl_rng_uniform_int(rng, 6)] : diploid[gsl_rng_uniform_int(rng, 7)];
        s->ev[e].major = st[0];
        s->ev[e].minor = st[1];
    }
}

/* ---- one case -------------------------------------------------------------------------------- */

typedef struct {
    double truth, est, lo, hi, err;
    int status, ambiguous, flags, covered, wrong;
    double ploidy_mean, true_ploidy, secs;
    int n_segs, n_events, wgd;
} outcome_t;

static int g_verbose; /* METCN_PURITY_VERBOSE=1: a line per case, 2: + solutions, 3: + segments */

/* Draw the case, fit it, fill the outcome.  With keep / keep_data non-NULL the result and the
 * data are handed to the caller (free with metcn_purity_destroy() and sim_free()). */
static void run_case_keep(const simspec_t *s, const metcn_purity_opt_t *opt, outcome_t *o,
                          metcn_purity_t **keep, simdata_t *keep_data)
{
    simdata_t d;
    sim_make(s, &d);
    metcn_purity_input_t in;
    sim_input(s, &d, &in);
    metcn_purity_t *r = NULL;
    clock_t t0 = clock();
    int rc = metcn_purity_fit(&in, opt, &r);
    o->secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    ck_assert_msg(rc == 0, "%s: fit failed: %s", s->name, metcn_last_error());
    o->truth = s->purity;
    o->est = r->purity;
    o->lo = r->purity_lo;
    o->hi = r->purity_hi;
    o->status = r->status;
    o->ambiguous = r->ambiguous;
    o->flags = (int)r->flags;
    o->err = isfinite(r->purity) ? r->purity - s->purity : NAN;
    o->covered = s->purity >= r->purity_lo - 1e-9 && s->purity <= r->purity_hi + 1e-9;
    o->wrong = !(fabs(o->err) <= 0.1);
    o->ploidy_mean = r->ploidy_mean;
    o->true_ploidy = d.ploidy;
    o->n_segs = (int)r->n_segs;
    o->n_events = r->n_events;
    o->wgd = r->wgd;
    if (g_verbose) {
        char fl[128] = "";
        for (unsigned b = 1; b < 256; b <<= 1)
            if (r->flags & b) {
                strcat(fl, metcn_purity_flag_name(b));
                strcat(fl, ",");
            }
        fprintf(stderr,
                "%-28s p=%.3f est=%.3f [%.3f,%.3f] %-12s P=%.2f/%.2f wgd=%d segs=%d ev=%d "
                "rho=%.4f sol=%zu %s %.3fs\n",
                s->name, s->purity, r->purity, r->purity_lo, r->purity_hi,
                metcn_purity_status_name(r->status), r->ploidy_mean, d.ploidy, r->wgd,
                (int)r->n_segs, r->n_events, r->overdispersion, r->n_solutions, fl, o->secs);
        if (g_verbose > 1)
            for (size_t k = 0; k < r->n_solutions; k++)
                fprintf(stderr, "    sol p=%.3f P=%.2f Pm=%.2f wgd=%d rel=%.3g sub=%d\n",
                        r->solutions[k].purity, r->solutions[k].ploidy, r->solutions[k].ploidy_mean,
                        r->solutions[k].wgd, r->solutions[k].rel, r->solutions[k].n_subclonal);
        if (g_verbose > 3)
            for (size_t k = 0; k < r->n_profile; k++)
                fprintf(stderr, "    prof %.3f %.2f\n", r->profile_purity[k], r->profile_score[k]);
        if (g_verbose > 2)
            for (size_t k = 0; k < r->n_segs; k++) {
                const metcn_purity_seg_t *g = &r->segs[k];
                fprintf(stderr,
                        "    seg %d:%lld-%lld bins=%d sites=%d log2=%.3f+-%.3f baf=%.3f "
                        "[%.3f,%.3f] (%d,%d) cn=%.2f%s\n",
                        g->tid, (long long)g->start, (long long)g->end, g->n_bins, g->n_sites,
                        g->log2, g->log2_se, g->baf, g->baf_lo, g->baf_hi, g->major, g->minor,
                        g->cn, g->is_gene ? " gene" : "");
            }
    }
    if (keep) {
        *keep = r;
        *keep_data = d;
        return;
    }
    metcn_purity_destroy(r);
    sim_free(&d);
}

static void run_case(const simspec_t *s, const metcn_purity_opt_t *opt, outcome_t *o)
{
    run_case_keep(s, opt, o, NULL, NULL);
}

/* ---- tallies --------------------------------------------------------------------------------- */

/* A case is "flagged" when the fit says it is unsure: ambiguous, or not a plain estimate. */
static int is_flagged(const outcome_t *o)
{
    return o->ambiguous || o->status != METCN_PURITY_ESTIMATED;
}

/* "Wrong": the purity is missing or off by more than tol. */
static int is_wrong(const outcome_t *o, double tol)
{
    return !(fabs(o->err) <= tol + 1e-9);
}

typedef struct {
    int n, covered, within, undetermined, wrong, wrong_unflagged, right_flagged;
    double abs_err; /* sum over estimated cases */
    int n_est;
} tally_t;

static void tally(tally_t *t, const outcome_t *o, double within_tol, double wrong_tol)
{
    t->n++;
    t->covered += o->covered;
    t->within += fabs(o->err) <= within_tol + 1e-9;
    t->undetermined += o->status == METCN_PURITY_UNDETERMINED;
    int w = is_wrong(o, wrong_tol);
    t->wrong += w;
    t->wrong_unflagged += w && !is_flagged(o);
    t->right_flagged += fabs(o->err) <= within_tol + 1e-9 && is_flagged(o);
    if (isfinite(o->err)) {
        t->abs_err += fabs(o->err);
        t->n_est++;
    }
}

static void tally_print(const char *what, const tally_t *t)
{
    printf("  %-34s n=%3d  within=%3d (%5.1f%%)  covered=%3d (%5.1f%%)  undetermined=%3d  "
           "mean|err|=%.3f  wrong=%d (unflagged %d)  right but flagged=%d\n",
           what, t->n, t->within, t->n ? 100.0 * t->within / t->n : 0.0, t->covered,
           t->n ? 100.0 * t->covered / t->n : 0.0, t->undetermined,
           t->n_est ? t->abs_err / t->n_est : NAN, t->wrong, t->wrong_unflagged, t->right_flagged);
}

static metcn_purity_opt_t default_opt(void)
{
    metcn_purity_opt_t o;
    metcn_purity_opt_init(&o);
    return o;
}

/* ---- formulas and conversions ---------------------------------------------------------------- */

START_TEST(test_formulas)
{
    /* domain notes: p = 0.3, LOH (1,0): BAF = 1 / 1.7; R at ploidy 2 = 1.7 / 2 */
    ck_assert_double_eq_tol(metcn_purity_expected_baf(0.3, 1, 0), 1.0 / 1.7, 1e-12);
    ck_assert_double_eq_tol(metcn_purity_expected_ratio(0.3, 2.0, 1, 0), 1.7 / 2.0, 1e-12);
    /* the amplicon (C-1, 1): BAF and R depend on p(C-2) only -- (9,1) at 0.5 = (5,1) at 1 */
    ck_assert_double_eq_tol(metcn_purity_expected_baf(0.5, 9, 1),
                            metcn_purity_expected_baf(1.0, 5, 1), 1e-12);
    ck_assert_double_eq_tol(metcn_purity_expected_ratio(0.5, 2, 9, 1),
                            metcn_purity_expected_ratio(1.0, 2, 5, 1), 1e-12);
    /* no DNA at p = 1, (0,0): 0.5 by convention */
    ck_assert_double_eq(metcn_purity_expected_baf(1.0, 0, 0), 0.5);
    /* the fitted ploidy is the depth scale of metcn_cn_from_ratio */
    double r = metcn_purity_expected_ratio(0.4, 2.6, 5, 2);
    ck_assert_double_eq_tol(metcn_cn_from_ratio(r, 0.4, 2.6), 7.0, 1e-9);

    ck_assert_double_eq_tol(metcn_purity_tf_from_vaf(0.04), 0.08, 1e-12);
    ck_assert_double_eq(metcn_purity_tf_from_vaf(0.7), 1.0);
    ck_assert(isnan(metcn_purity_tf_from_vaf(-0.1)));
    ck_assert(isnan(metcn_purity_tf_from_vaf(NAN)));
    double tf, lo, hi;
    ck_assert_int_eq(metcn_purity_tf_from_counts(20, 1000, 0.95, &tf, &lo, &hi), 0);
    ck_assert_double_eq_tol(tf, 0.04, 1e-12);
    /* Clopper-Pearson bounds from the beta quantiles, computed here independently */
    ck_assert_double_eq_tol(lo, 2 * gsl_cdf_beta_Pinv(0.025, 20, 981), 1e-9);
    ck_assert_double_eq_tol(hi, 2 * gsl_cdf_beta_Pinv(0.975, 21, 980), 1e-9);
    ck_assert(lo < tf && tf < hi);
    ck_assert_int_eq(metcn_purity_tf_from_counts(0, 500, 0.95, &tf, &lo, &hi), 0);
    ck_assert_double_eq(lo, 0);
    ck_assert_int_eq(metcn_purity_tf_from_counts(5, 0, 0.95, &tf, &lo, &hi), METCN_E_ARG);
    ck_assert(isnan(tf) && isnan(lo) && isnan(hi));
    ck_assert_int_eq(metcn_purity_tf_from_counts(6, 5, 0.95, &tf, &lo, &hi), METCN_E_ARG);
    ck_assert_int_eq(metcn_purity_tf_from_counts(1, 5, 1.0, &tf, &lo, &hi), METCN_E_ARG);

    ck_assert_str_eq(metcn_purity_status_name(METCN_PURITY_UPPER_BOUND), "upper_bound");
    ck_assert_str_eq(metcn_purity_status_name(9), "unknown");
    ck_assert_str_eq(metcn_purity_flag_name(METCN_PURITY_F_DOUBLING), "doubling");
    ck_assert_str_eq(metcn_purity_flag_name(3), "unknown");
    ck_assert_str_eq(metcn_psite_name(METCN_PSITE_SEX), "sex");
    for (unsigned b = 1; b < 1u << METCN_PURITY_N_FLAGS; b <<= 1)
        ck_assert_str_ne(metcn_purity_flag_text(b), "unknown flag");
}
END_TEST

/* ---- bad input ------------------------------------------------------------------------------- */

START_TEST(test_errors)
{
    metcn_purity_opt_t opt = default_opt();
    simspec_t s;
    sim_defaults(&s);
    s.purity = 0.5;
    s.seed = 11;
    simdata_t d;
    sim_make(&s, &d);
    metcn_purity_input_t in;
    sim_input(&s, &d, &in);
    metcn_purity_t *r = (metcn_purity_t *)&r; /* must be reset to NULL on error */

    ck_assert_int_eq(metcn_purity_fit(&in, &opt, NULL), METCN_E_ARG);
    ck_assert_int_eq(metcn_purity_fit(NULL, &opt, &r), METCN_E_ARG);
    ck_assert(r == NULL);
    ck_assert_int_eq(metcn_purity_fit(&in, NULL, &r), METCN_E_ARG);

    /* options out of range, one at a time */
    metcn_purity_opt_t bad;
    bad = opt, bad.purity_min = 0;
    ck_assert_int_eq(metcn_purity_fit(&in, &bad, &r), METCN_E_ARG);
    ck_assert_msg(strstr(metcn_last_error(), "purity range") != NULL, "%s", metcn_last_error());
    bad = opt, bad.purity_max = 1.5;
    ck_assert_int_eq(metcn_purity_fit(&in, &bad, &r), METCN_E_ARG);
    bad = opt, bad.max_cn = 1;
    ck_assert_int_eq(metcn_purity_fit(&in, &bad, &r), METCN_E_ARG);
    bad = opt, bad.overdispersion = 0.7;
    ck_assert_int_eq(metcn_purity_fit(&in, &bad, &r), METCN_E_ARG);
    bad = opt, bad.conf = 1;
    ck_assert_int_eq(metcn_purity_fit(&in, &bad, &r), METCN_E_ARG);
    bad = opt, bad.scale_step = 0;
    ck_assert_int_eq(metcn_purity_fit(&in, &bad, &r), METCN_E_ARG);
    bad = opt, bad.default_ref_bias = 0.99;
    ck_assert_int_eq(metcn_purity_fit(&in, &bad, &r), METCN_E_ARG);
    ck_assert(r == NULL);

    /* unsorted bins, unsorted sites */
    metcn_purity_bin_t tb = d.bins[3];
    d.bins[3] = d.bins[4];
    d.bins[4] = tb;
    ck_assert_int_eq(metcn_purity_fit(&in, &opt, &r), METCN_E_UNSORTED);
    ck_assert_msg(strstr(metcn_last_error(), "bin 4") != NULL, "%s", metcn_last_error());
    d.bins[4] = d.bins[3];
    d.bins[3] = tb;
    metcn_purity_site_t ts = d.sites[10];
    d.sites[10] = d.sites[11];
    d.sites[11] = ts;
    ck_assert_int_eq(metcn_purity_fit(&in, &opt, &r), METCN_E_UNSORTED);
    d.sites[11] = d.sites[10];
    d.sites[10] = ts;

    /* a negative count and an unknown genotype */
    d.sites[5].alt = -1;
    ck_assert_int_eq(metcn_purity_fit(&in, &opt, &r), METCN_E_ARG);
    ck_assert_msg(strstr(metcn_last_error(), "site 5") != NULL, "%s", metcn_last_error());
    d.sites[5].alt = 3;
    d.sites[6].gt = 7;
    ck_assert_int_eq(metcn_purity_fit(&in, &opt, &r), METCN_E_ARG);
    d.sites[6].gt = METCN_GT_HOM;

    /* NULL arrays with counts; a bin ending before it starts */
    metcn_purity_input_t in2 = in;
    in2.sites = NULL;
    ck_assert_int_eq(metcn_purity_fit(&in2, &opt, &r), METCN_E_ARG);
    int64_t e = d.bins[0].end;
    d.bins[0].end = d.bins[0].start - 1;
    ck_assert_int_eq(metcn_purity_fit(&in, &opt, &r), METCN_E_ARG);
    d.bins[0].end = e;

    /* too few usable bins: all but five are NaN, or every sd is 0 */
    in2 = in;
    in2.n_bins = 5;
    ck_assert_int_eq(metcn_purity_fit(&in2, &opt, &r), METCN_E_TOOFEW);
    double *sd = malloc(d.nb * sizeof *sd);
    for (size_t i = 0; i < d.nb; i++) {
        sd[i] = d.bins[i].sd;
        d.bins[i].sd = 0;
    }
    ck_assert_int_eq(metcn_purity_fit(&in, &opt, &r), METCN_E_TOOFEW);
    for (size_t i = 0; i < d.nb; i++)
        d.bins[i].sd = sd[i];
    free(sd);
    ck_assert(r == NULL);

    /* and the repaired input fits; destroy accepts NULL */
    ck_assert_int_eq(metcn_purity_fit(&in, &opt, &r), 0);
    ck_assert(r != NULL);
    metcn_purity_destroy(r);
    metcn_purity_destroy(NULL);
    sim_free(&d);
}
END_TEST

/* Odd but legal input never crashes: no sites, non-finite values, all sites hom, extreme log2,
 * zero-depth sites, one contig. */
START_TEST(test_odd_input)
{
    metcn_purity_opt_t opt = default_opt();
    simspec_t s;
    sim_defaults(&s);
    s.purity = 0.6;
    s.n_events = 1;
    s.ev[0] = (sim_event_t){2, 0.0, 1.0, 1, 0, 0};
    s.seed = 12;
    simdata_t d;
    sim_make(&s, &d);
    metcn_purity_input_t in;
    sim_input(&s, &d, &in);
    metcn_purity_t *r = NULL;
    /* non-finite and extreme values scattered through */
    d.bins[7].log2 = NAN;
    d.bins[8].sd = INFINITY;
    d.bins[9].log2 = -INFINITY;
    d.bins[30].log2 = 12;
    d.bins[31].log2 = -12;
    d.sites[3].ref = d.sites[3].alt = 0;
    d.sites[4].ref_bias = 2.0; /* out of (0,1): the default is used */
    ck_assert_int_eq(metcn_purity_fit(&in, &opt, &r), 0);
    ck_assert_int_eq(r->bin_seg[7], -1);
    ck_assert_int_eq(r->bin_seg[8], -1);
    ck_assert_int_eq(r->site_status[3], METCN_PSITE_LOW_DEPTH);
    ck_assert(r->n_segs >= 22);
    metcn_purity_destroy(r);
    /* every site homozygous in the normal: depth alone */
    for (size_t i = 0; i < d.ns; i++)
        d.sites[i].gt = METCN_GT_HOM;
    ck_assert_int_eq(metcn_purity_fit(&in, &opt, &r), 0);
    ck_assert(r->flags & METCN_PURITY_F_DEPTH_ONLY);
    ck_assert_int_eq(r->n_sites_het, 0);
    metcn_purity_destroy(r);
    /* one contig only (its first 45 bins), no sites */
    in.n_bins = 45;
    in.sites = NULL;
    in.n_sites = 0;
    ck_assert_int_eq(metcn_purity_fit(&in, &opt, &r), 0);
    ck_assert_int_eq(r->status, METCN_PURITY_UNDETERMINED);
    ck_assert(r->flags & METCN_PURITY_F_NO_EVENT);
    ck_assert(isnan(r->purity));
    ck_assert_double_eq(r->purity_lo, 0);
    ck_assert_double_eq(r->purity_hi, 1);
    metcn_purity_destroy(r);
    sim_free(&d);
}
END_TEST

/* ---- segmentation and the per-segment allele fraction ---------------------------------------- */

/* Arm-level events at known places: each boundary found within two bin spacings, the gene's
 * bins one segment of their own, the segment states right, and the mirrored allele fraction's
 * interval holding the model's value at the rate its level promises (roughly). */
START_TEST(test_segments)
{
    metcn_purity_opt_t opt = default_opt();
    int found = 0, boundaries = 0, states_right = 0, states = 0, baf_in = 0, baf_n = 0;
    int quiet_extra = 0;
    for (int rep = 0; rep < 6; rep++) {
        simspec_t s;
        sim_defaults(&s);
        s.purity = 0.7;
        s.gene_cn = 8;
        s.n_events = 3;
        s.ev[0] = (sim_event_t){1 + rep, 0.0, 0.5, 1, 0, 0};
        s.ev[1] = (sim_event_t){10 + rep, 0.5, 1.0, 2, 1, 0};
        s.ev[2] = (sim_event_t){16 + rep % 4, 0.0, 1.0, 2, 0, 0};
        s.seed = 300 + rep;
        s.name = "segments";
        outcome_t o;
        metcn_purity_t *r;
        simdata_t d;
        run_case_keep(&s, &opt, &o, &r, &d);
        int gene_segs = 0;
        for (size_t k = 0; k < r->n_segs; k++) {
            const metcn_purity_seg_t *g = &r->segs[k];
            if (g->is_gene) {
                gene_segs++;
                /* exactly the gene's bins */
                for (size_t i = g->bin_first; i <= g->bin_last; i++)
                    ck_assert(d.bins[i].is_gene);
                ck_assert_int_eq(g->n_bins, s.gene_bins);
                ck_assert_int_eq(g->major + g->minor, 8);
            }
        }
        ck_assert_int_eq(gene_segs, 1);
        const double spacing = (double)SIM_CONTIG_LEN / s.bins_per_contig;
        for (int e = 0; e < s.n_events; e++) {
            const sim_event_t *v = &s.ev[e];
            int64_t at = (int64_t)((v->f0 > 0 ? v->f0 : v->f1) * SIM_CONTIG_LEN);
            if (v->f0 == 0 && v->f1 == 1)
                at = -1; /* whole contig: no boundary */
            if (at >= 0) {
                boundaries++;
                for (size_t k = 0; k + 1 < r->n_segs; k++)
                    if (r->segs[k].tid == v->tid && r->segs[k + 1].tid == v->tid &&
                        fabs((double)(r->segs[k + 1].start - at)) < 2 * spacing) {
                        found++;
                        break;
                    }
            }
            /* the segment holding the event's middle */
            int64_t mid = (int64_t)(0.5 * (v->f0 + v->f1) * SIM_CONTIG_LEN);
            for (size_t k = 0; k < r->n_segs; k++) {
                const metcn_purity_seg_t *g = &r->segs[k];
                if (g->tid != v->tid || g->start > mid || g->end <= mid)
                    continue;
                states++;
                states_right += g->major == v->major && g->minor == v->minor;
                if (g->n_sites > 0) {
                    double b = metcn_purity_expected_baf(s.purity, v->major, v->minor);
                    baf_n++;
                    baf_in += b >= g->baf_lo && b <= g->baf_hi;
                }
            }
        }
        metcn_purity_destroy(r);
        sim_free(&d);

        /* the same genome without events: one segment per contig, the gene's contig in three */
        s.n_events = 0;
        s.gene_cn = 0;
        run_case_keep(&s, &opt, &o, &r, &d);
        quiet_extra += (int)r->n_segs - (s.n_contigs + 1 + 2);
        metcn_purity_destroy(r);
        sim_free(&d);
    }
    printf("segments: %d/%d boundaries found, %d/%d event states right, BAF interval holds the "
           "model value %d/%d, %d extra segments in 6 quiet genomes\n",
           found, boundaries, states_right, states, baf_in, baf_n, quiet_extra);
    ck_assert_int_eq(found, boundaries);
    ck_assert_int_ge(states_right, states - 1);
    ck_assert_int_ge(baf_in, (int)(0.8 * baf_n));
    ck_assert_int_le(quiet_extra, 2);
}
END_TEST

/* Heterozygous sites inferred in the tumour (no normal) against the genotypes that generated
 * them; chrX of a male left out. */
START_TEST(test_het_inference_and_sex)
{
    metcn_purity_opt_t opt = default_opt();
    simspec_t s;
    sim_defaults(&s);
    s.purity = 0.8;
    s.matched = 0;
    s.sex = 2;
    s.n_events = 2;
    s.ev[0] = (sim_event_t){3, 0.0, 1.0, 1, 0, 0};
    s.ev[1] = (sim_event_t){8, 0.0, 0.5, 2, 1, 0};
    s.seed = 77;
    s.name = "male_unmatched";
    outcome_t o;
    metcn_purity_t *r;
    simdata_t d;
    run_case_keep(&s, &opt, &o, &r, &d);
    int tp = 0, fn = 0, fp = 0, tn = 0, x_sites = 0, x_bins = 0;
    for (size_t i = 0; i < d.ns; i++) {
        int st = r->site_status[i];
        if (d.sites[i].tid == d.x_tid) {
            x_sites++;
            ck_assert_int_eq(st, METCN_PSITE_SEX);
            continue;
        }
        if (st == METCN_PSITE_LOW_DEPTH)
            continue;
        int called = st == METCN_PSITE_HET_INFERRED;
        ck_assert(called || st == METCN_PSITE_HOM_INFERRED);
        tp += called && d.het[i];
        fn += !called && d.het[i];
        fp += called && !d.het[i];
        tn += !called && !d.het[i];
    }
    for (size_t i = 0; i < d.nb; i++)
        if (d.bins[i].tid == d.x_tid) {
            x_bins++;
            ck_assert_int_eq(r->bin_seg[i], -1);
        }
    printf("het inference (no normal, purity 0.8, LOH on one contig): %d true, %d missed, %d "
           "false, %d true hom; chrX of the male: %d sites, %d bins left out\n",
           tp, fn, fp, tn, x_sites, x_bins);
    ck_assert_int_gt(x_sites, 0);
    ck_assert_int_gt(x_bins, 0);
    /* at 500x, minor fractions >= 0.1 and 0.3% errors: none missed, none false */
    ck_assert_int_le(fn, 2);
    ck_assert_int_le(fp, 2);
    ck_assert_msg(fabs(o.err) <= 0.05, "male unmatched: %.3f vs 0.8", o.est);
    metcn_purity_destroy(r);
    sim_free(&d);

    /* the same sample called as XX keeps chrX: its one copy then looks like a loss with LOH
     * in every cell (normal and tumour), which the fit cannot place; as XY it is ignored */
    metcn_purity_input_t in;
    sim_make(&s, &d);
    sim_input(&s, &d, &in);
    in.sex = 1;
    ck_assert_int_eq(metcn_purity_fit(&in, &opt, &r), 0);
    int kept = 0;
    for (size_t i = 0; i < d.nb; i++)
        kept += d.bins[i].tid == d.x_tid && r->bin_seg[i] >= 0;
    ck_assert_int_eq(kept, x_bins);
    metcn_purity_destroy(r);
    sim_free(&d);
}
END_TEST

/* ---- tissue grid ----------------------------------------------------------------------------- */

enum { CAT_QUIET = 0, CAT_GAINS = 1, CAT_LOH = 2 };
static const char *cat_name[] = {"quiet (gene only)", "gains only", "with LOH"};

/* Case (purity tenth pi, background events ne, replicate rep) of the tissue grid: events drawn
 * from its own seed, the gene amplicon 0 / 6 / 12 / 30 copies in turn, depth 300-800x. */
static int tissue_spec(int pi, int ne, int rep, simspec_t *s, char *name, size_t nlen)
{
    static const int gene_cn[] = {0, 6, 12, 30};
    sim_defaults(s);
    s->purity = pi / 10.0;
    s->seed = 1000 + 100 * pi + 10 * ne + rep;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, s->seed + 1);
    sim_events(s, ne, 0, rng);
    s->depth = 300 + gsl_rng_uniform_int(rng, 501);
    gsl_rng_free(rng);
    s->gene_cn = gene_cn[(pi + ne + rep) % 4];
    s->matched = (pi + ne + rep) % 2;
    snprintf(name, nlen, "p%.1f_ev%d_gene%d_r%d", s->purity, ne, s->gene_cn, rep);
    s->name = name;
    int cat = ne == 0 ? CAT_QUIET : CAT_GAINS;
    for (int e = 0; e < ne; e++)
        if (s->ev[e].minor == 0)
            cat = CAT_LOH;
    return cat;
}

typedef struct {
    tally_t by_cat[3];     /* purity >= 0.2 */
    tally_t by_purity[10]; /* with >= 1 background event */
    tally_t all;
    double width_sum;
    int width_n;
} grid_tally_t;

/* Run the 9 x 5 x reps grid with a site mode: 0 as drawn, 1 no normal, 2 no sites. */
static void run_tissue_grid(int reps, int site_mode, grid_tally_t *g)
{
    metcn_purity_opt_t opt = default_opt();
    memset(g, 0, sizeof *g);
    for (int pi = 1; pi <= 9; pi++)
        for (int ne = 0; ne <= 4; ne++)
            for (int rep = 0; rep < reps; rep++) {
                simspec_t s;
                char name[64];
                int cat = tissue_spec(pi, ne, rep, &s, name, sizeof name);
                s.matched = site_mode == 0 ? s.matched : 0;
                s.no_sites = site_mode == 2;
                outcome_t o;
                run_case(&s, &opt, &o);
                tally(&g->all, &o, 0.05, 0.1);
                if (pi >= 2)
                    tally(&g->by_cat[cat], &o, 0.05, 0.1);
                if (ne > 0)
                    tally(&g->by_purity[pi], &o, 0.05, 0.1);
                if (o.status != METCN_PURITY_UNDETERMINED) {
                    g->width_sum += o.hi - o.lo;
                    g->width_n++;
                }
                /* the rule every case obeys: never wrong by more than 0.1 without a flag */
                ck_assert_msg(!(is_wrong(&o, 0.1) && !is_flagged(&o)),
                              "%s: purity %.3f [%.3f, %.3f] for %.2f, not flagged", name, o.est,
                              o.lo, o.hi, s.purity);
                if (site_mode == 2)
                    ck_assert(o.flags & METCN_PURITY_F_DEPTH_ONLY);
                /* a quiet genome (the gene's amplicon alone) cannot give a purity */
                if (cat == CAT_QUIET)
                    ck_assert_msg(is_flagged(&o), "%s: quiet genome not flagged", name);
            }
    for (int c = 0; c < 3; c++) {
        char what[64];
        snprintf(what, sizeof what, "purity >= 0.2, %s", cat_name[c]);
        tally_print(what, &g->by_cat[c]);
    }
    for (int pi = 1; pi <= 9; pi++) {
        char what[64];
        snprintf(what, sizeof what, "purity %.1f, 1-4 events", pi / 10.0);
        tally_print(what, &g->by_purity[pi]);
    }
    tally_print("all", &g->all);
    printf("  mean interval width when not undetermined: %.3f (%d cases)\n",
           g->width_n ? g->width_sum / g->width_n : NAN, g->width_n);
}

START_TEST(test_tissue_grid)
{
    grid_tally_t g;
    printf("tissue grid (purity 0.1-0.9 x 0-4 background events x 2, panel of 1,055 bins and "
           "2,300 sites, 300-800x; within = |error| <= 0.05):\n");
    run_tissue_grid(2, 0, &g);
    const tally_t *loh = &g.by_cat[CAT_LOH], *gains = &g.by_cat[CAT_GAINS];
    /* purity >= 0.2 with an LOH event: within 0.05 in >= 90% (measured 46/46) */
    ck_assert_int_ge(loh->within * 10, loh->n * 9);
    /* with any background event: >= 80% (measured 57/64) */
    ck_assert_int_ge((loh->within + gains->within) * 10, (loh->n + gains->n) * 8);
    /* the truth inside the 95% interval in >= 85% of all cases (measured 82/90) */
    ck_assert_int_ge(g.all.covered * 100, g.all.n * 85);
    ck_assert_int_eq(g.all.wrong_unflagged, 0);
}
END_TEST

/* The same grid without a matched normal: heterozygous sites inferred in the tumour. */
START_TEST(test_tissue_grid_unmatched)
{
    grid_tally_t g;
    printf("tissue grid without a matched normal (1 replicate):\n");
    run_tissue_grid(1, 1, &g);
    const tally_t *loh = &g.by_cat[CAT_LOH];
    ck_assert_int_ge(loh->within * 10, loh->n * 9);
    ck_assert_int_ge(g.all.covered * 100, g.all.n * 85);
    ck_assert_int_eq(g.all.wrong_unflagged, 0);
}
END_TEST

/* Depth alone: every fit says so, the intervals are wider and still hold the truth. */
START_TEST(test_tissue_grid_depth_only)
{
    grid_tally_t g, with_snps;
    printf("tissue grid from depth alone (no SNP sites, 1 replicate):\n");
    run_tissue_grid(1, 2, &g);
    ck_assert_int_ge(g.all.covered * 100, g.all.n * 90);
    ck_assert_int_eq(g.all.wrong_unflagged, 0);
    /* lower confidence: more cases it cannot tell than with the sites */
    printf("tissue grid with SNP sites, for comparison (1 replicate):\n");
    run_tissue_grid(1, 0, &with_snps);
    ck_assert_int_gt(g.all.undetermined, with_snps.all.undetermined);
}
END_TEST

/* ---- whole-genome doubling ------------------------------------------------------------------- */

/* A doubled genome at purity pi/10 (depth 300 + 50 pi) with a whole-contig (2,0) first event;
 * the caller adds the gene and the other events. */
static void wgd_spec(simspec_t *s, int pi, int rep, unsigned long seed0)
{
    sim_defaults(s);
    s->purity = pi / 10.0;
    s->wgd = 1;
    s->seed = seed0 + 100 * (unsigned long)pi + (unsigned long)rep;
    s->depth = 300 + 50 * pi;
    s->ev[0] = (sim_event_t){(pi + rep) % 6, 0.0, 1.0, 2, 0, 0};
}

/* Doubled genomes (baseline (2,2)).  With a post-doubling LOH (2,0) and an odd state the
 * doubling is identifiable: the fit must take it, with the purity and the mean ploidy.  With
 * no LOH every doubled state maps onto a non-doubled one at purity p / (1 + p) (the
 * (A+1, B+1) shift; docs/purity.md): then the answer must carry the doubling flag. */
START_TEST(test_wgd)
{
    metcn_purity_opt_t opt = default_opt();
    tally_t ident = {0}, shift = {0};
    int wgd_right = 0, ploidy_right = 0, shift_twin = 0, no_twin_bad = 0;
    for (int pi = 2; pi <= 9; pi++)
        for (int rep = 0; rep < 2; rep++) {
            simspec_t s;
            char name[64];
            wgd_spec(&s, pi, rep, 5000);
            s.gene_cn = rep ? 14 : 0;
            s.n_events = 3;
            s.ev[1] = (sim_event_t){8 + (pi + rep) % 5, 0.5, 1.0, 3, 2, 0};
            s.ev[2] = (sim_event_t){14 + (pi + rep) % 7, 0.0, 0.5, 2, 1, 0};
            snprintf(name, sizeof name, "wgd_p%.1f_r%d", s.purity, rep);
            s.name = name;
            outcome_t o;
            metcn_purity_t *r;
            simdata_t d;
            run_case_keep(&s, &opt, &o, &r, &d);
            tally(&ident, &o, 0.05, 0.1);
            wgd_right += o.wgd;
            /* odd states: no halved genome fits, so no twin is listed */
            for (size_t k = 0; o.wgd && k < r->n_solutions; k++)
                no_twin_bad += r->solutions[k].twin;
            metcn_purity_destroy(r);
            sim_free(&d);
            ploidy_right += fabs(o.ploidy_mean - o.true_ploidy) < 0.3;
            ck_assert_msg(!(is_wrong(&o, 0.1) && !is_flagged(&o)), "%s: %.3f", name, o.est);

            /* without the LOH: (2,2), (3,2), (2,1) -> (1,1), (2,1), (1,0) at p / (1 + p) */
            s.ev[0] = (sim_event_t){(pi + rep) % 6, 0.0, 1.0, 3, 1, 0};
            snprintf(name, sizeof name, "wgd_noloh_p%.1f_r%d", s.purity, rep);
            run_case(&s, &opt, &o);
            tally(&shift, &o, 0.05, 0.1);
            shift_twin += !o.wgd && fabs(o.est - s.purity / (1 + s.purity)) <= 0.05;
            ck_assert_msg(!(is_wrong(&o, 0.1) && !is_flagged(&o)), "%s: %.3f", name, o.est);
            if (!o.wgd)
                ck_assert_msg(o.flags & (METCN_PURITY_F_DOUBLING | METCN_PURITY_F_TWIN),
                              "%s: no doubling flag", name);
        }
    printf("doubled genomes (purity 0.2-0.9 x 2):\n");
    tally_print("with a (2,0) LOH: identifiable", &ident);
    printf("  ... doubling found in %d/%d, mean ploidy within 0.3 in %d/%d\n", wgd_right, ident.n,
           ploidy_right, ident.n);
    tally_print("no LOH: the p/(1+p) shift", &shift);
    printf("  ... the non-doubled twin at p/(1+p) (+-0.05) taken in %d/%d, all flagged\n",
           shift_twin, shift.n);
    ck_assert_int_ge(ident.within * 10, ident.n * 8);
    ck_assert_int_ge(wgd_right * 10, ident.n * 8);
    ck_assert_int_ge(ploidy_right * 10, ident.n * 8);
    ck_assert_int_eq(no_twin_bad, 0);
}
END_TEST

/* Doubled genomes whose every state is even ((2,0), (4,2), the gene's (12,2)): the halved
 * genome at 2p/(1+p) fits them exactly (docs/purity.md section 2.4), so the data cannot choose.
 * Whatever the prior picks, the fit must flag doubling and list the other one as the twin, and
 * the hull the call uses (the interval and the twin's mapped interval) must hold the truth as
 * often as the interval does for an identifiable genome. */
START_TEST(test_wgd_twin)
{
    metcn_purity_opt_t opt = default_opt();
    int n = 0, flagged = 0, twin_listed = 0, hull = 0, twin_right = 0;
    for (int pi = 2; pi <= 9; pi++)
        for (int rep = 0; rep < 2; rep++) {
            simspec_t s;
            char name[64];
            wgd_spec(&s, pi, rep, 8000);
            s.gene_cn = 14;
            s.n_events = 2;
            s.ev[1] = (sim_event_t){8 + (pi + rep) % 5, 0.5, 1.0, 4, 2, 0};
            snprintf(name, sizeof name, "wgd_even_p%.1f_r%d", s.purity, rep);
            s.name = name;
            outcome_t o;
            metcn_purity_t *r;
            simdata_t d;
            run_case_keep(&s, &opt, &o, &r, &d);
            if (r->status == METCN_PURITY_ESTIMATED) {
                n++;
                flagged += (r->flags & (METCN_PURITY_F_DOUBLING | METCN_PURITY_F_TWIN)) != 0;
                const metcn_purity_solution_t *t = NULL;
                for (size_t k = 1; k < r->n_solutions; k++)
                    if (r->solutions[k].twin)
                        t = &r->solutions[k];
                ck_assert_msg(t != NULL, "%s: no twin listed", name);
                twin_listed++;
                ck_assert_int_ne(t->wgd, r->solutions[0].wgd);
                /* the best's image (section 2.4), or a listed solution within 0.02 */
                ck_assert_double_eq_tol(t->purity, metcn_purity_twin_purity(r->purity, t->wgd),
                                        0.02);
                const metcn_purity_solution_t *dbl = r->wgd ? &r->solutions[0] : t;
                twin_right +=
                    fabs(dbl->purity - s.purity) <= 0.05 && fabs(dbl->ploidy_mean - d.ploidy) < 0.3;
                double lo = metcn_purity_twin_purity(r->purity_lo, t->wgd);
                double hi = metcn_purity_twin_purity(r->purity_hi, t->wgd);
                hull += (s.purity >= r->purity_lo - 1e-9 && s.purity <= r->purity_hi + 1e-9) ||
                        (s.purity >= lo - 1e-9 && s.purity <= hi + 1e-9);
            }
            metcn_purity_destroy(r);
            sim_free(&d);
        }
    printf("doubled genomes, all states even (purity 0.2-0.9 x 2): %d estimated, doubling flagged "
           "%d, twin listed %d, doubled solution within 0.05 (mean ploidy within 0.3) %d, truth "
           "in the hull %d\n",
           n, flagged, twin_listed, twin_right, hull);
    ck_assert_int_ge(n, 12);
    ck_assert_int_eq(flagged, n);
    ck_assert_int_ge(twin_right * 10, n * 8);
    ck_assert_int_ge(hull * 10, n * 9);
}
END_TEST

/* Copy-neutral LOH at purity near 1 without a matched normal: the het sites of the segment
 * lose their minor allele (below sequencing error from purity ~0.98 on) and look homozygous,
 * and its depth is that of the baseline.  Only the excess of homozygous-looking sites over
 * what the individual's heterozygosity predicts tells (2,0) from (1,1) (docs/purity.md
 * section 4); with and without the population allele frequency. */
START_TEST(test_loh_without_hets)
{
    metcn_purity_opt_t opt = default_opt();
    int n = 0, right = 0, few_hets = 0;
    const double purities[] = {0.95, 0.98, 1.0};
    for (int pi = 0; pi < 3; pi++)
        for (int af = 0; af < 2; af++)
            for (int rep = 0; rep < 2; rep++) {
                simspec_t s;
                sim_defaults(&s);
                char name[64];
                s.purity = purities[pi];
                s.seed = 9100 + 10 * pi + rep;
                s.give_af = af;
                s.matched = 0;
                s.depth = 300;
                s.n_events = 2;
                s.ev[0] = (sim_event_t){3 + rep, 0.0, 1.0, 2, 0, 0}; /* cnLOH, whole contig */
                s.ev[1] = (sim_event_t){9 + rep, 0.0, 1.0, 1, 0, 0}; /* LOH: pins the purity */
                snprintf(name, sizeof name, "cnloh_p%.2f_af%d_r%d", s.purity, af, rep);
                s.name = name;
                outcome_t o;
                metcn_purity_t *r;
                simdata_t d;
                run_case_keep(&s, &opt, &o, &r, &d);
                for (size_t k = 0; k < r->n_segs; k++) {
                    const metcn_purity_seg_t *g = &r->segs[k];
                    if (g->tid != 3 + rep || g->n_bins < s.bins_per_contig / 2)
                        continue;
                    n++;
                    right += g->major == 2 && g->minor == 0;
                    few_hets += g->n_sites < opt.min_het_informative;
                    ck_assert_msg(g->major == 2 && g->minor == 0, "%s: cnLOH fitted (%d,%d)", name,
                                  g->major, g->minor);
                }
                ck_assert_msg(fabs(o.err) <= 0.05, "%s: purity %.3f", name, o.est);
                metcn_purity_destroy(r);
                sim_free(&d);
            }
    printf("cnLOH at purity 0.95-1 without a normal: (2,0) in %d/%d segments (%d with fewer than "
           "%d het sites)\n",
           right, n, few_hets, opt.min_het_informative);
    ck_assert_int_eq(n, 12);
    ck_assert_int_ge(few_hets, 8); /* the case it is about: purity 0.98 and 1 */
}
END_TEST

/* ---- subclonal segments ---------------------------------------------------------------------- */

/* One event in half the tumour cells beside clonal ones.  Doubling every state of the genome
 * at purity p / (2 - p) fits such data exactly (the half copy becomes an integer), so the
 * answer is either the non-doubled one with that segment subclonal, or the doubled one with
 * the doubling flag and the non-doubled truth listed as an alternative. */
START_TEST(test_subclonal)
{
    metcn_purity_opt_t opt = default_opt();
    tally_t t = {0};
    int flagged_sub = 0, n_sub = 0, doubled = 0, single_within = 0;
    for (int pi = 3; pi <= 9; pi++)
        for (int rep = 0; rep < 2; rep++) {
            simspec_t s;
            sim_defaults(&s);
            char name[64];
            s.purity = pi / 10.0;
            s.gene_cn = 12;
            s.seed = 7000 + 100 * pi + rep;
            s.n_events = 3;
            s.ev[0] = (sim_event_t){2 + rep, 0.0, 1.0, 1, 0, 0};
            s.ev[1] = (sim_event_t){9 + rep, 0.0, 0.5, 2, 1, 0};
            s.ev[2] = (sim_event_t){15 + rep, 0.0, 1.0, 2, rep ? 0 : 1, 0.5};
            snprintf(name, sizeof name, "subclonal_p%.1f_r%d", s.purity, rep);
            s.name = name;
            outcome_t o;
            metcn_purity_t *r;
            simdata_t d;
            run_case_keep(&s, &opt, &o, &r, &d);
            tally(&t, &o, 0.05, 0.1);
            ck_assert_msg(!(is_wrong(&o, 0.1) && !is_flagged(&o)), "%s: %.3f", name, o.est);
            /* the non-doubled truth is the answer or a listed alternative as likely as the
             * doubling threshold says */
            int listed = 0;
            for (size_t k = 0; k < r->n_solutions; k++)
                listed |= !r->solutions[k].wgd && r->solutions[k].rel >= opt.alt_rel &&
                          fabs(r->solutions[k].purity - s.purity) <= 0.05;
            ck_assert_msg(listed, "%s: truth not among the solutions", name);
            if (r->wgd) {
                doubled++;
                ck_assert(r->flags & METCN_PURITY_F_DOUBLING);
            } else {
                single_within += fabs(o.err) <= 0.05;
                for (size_t k = 0; k < r->n_segs; k++)
                    if (r->segs[k].tid == s.ev[2].tid && r->segs[k].n_bins > 20) {
                        n_sub++;
                        flagged_sub += r->segs[k].subclonal;
                    }
            }
            metcn_purity_destroy(r);
            sim_free(&d);
        }
    tally_print("one event in half the tumour cells", &t);
    printf("  ... taken as a doubled genome (flagged) in %d; otherwise its segment fitted as "
           "subclonal in %d/%d and the purity within 0.05 in %d\n",
           doubled, flagged_sub, n_sub, single_within);
    ck_assert_int_ge(flagged_sub * 10, n_sub * 8);
}
END_TEST

/* ---- plasma: low tumour fractions ------------------------------------------------------------ */

/* Options for a deep plasma panel: its systematic noise is lower than tissue's (a
 * healthy-plasma panel of normals), so the systematic terms are smaller. */
static metcn_purity_opt_t plasma_opt(void)
{
    metcn_purity_opt_t o = default_opt();
    o.sys_sd = 0.01;
    o.baf_sys_sd = 0.002;
    return o;
}

static void plasma_spec(double tf, int rep, simspec_t *s, char *name, size_t nlen)
{
    sim_defaults(s);
    s->purity = tf;
    s->seed = 9000 + (unsigned long)(1000 * tf) + rep;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, s->seed + 1);
    sim_events(s, 3 + rep % 2, 0, rng);
    gsl_rng_free(rng);
    s->gene_cn = tf > 0 ? 10 : 0;
    s->depth = 2000;
    s->bin_sd = 0.08;
    s->seg_sys = 0.005;
    s->rho = 0.002;
    s->bins_per_contig = 200;
    s->sites_per_contig = 300;
    s->matched = rep % 2;
    if (tf == 0)
        s->n_events = 0;
    snprintf(name, nlen, "plasma_tf%.2f_r%d", tf, rep);
    s->name = name;
}

/* Tumour fractions 0-30% on a deep panel (4,620 bins, 6,900 sites, 2,000x): an estimate with
 * its interval where the background events can be seen, "cannot tell" or an upper bound where
 * they cannot -- never a confident wrong number. */
START_TEST(test_plasma)
{
    metcn_purity_opt_t opt = plasma_opt();
    static const double tfs[] = {0.0, 0.02, 0.03, 0.05, 0.1, 0.2, 0.3};
    printf("plasma (deep panel, 2,000x; within = |error| <= max(0.01, 25%% of the fraction)):\n");
    int estimated_right = 0;
    for (int t = 0; t < 7; t++) {
        tally_t ty = {0};
        int estimated = 0, upper = 0;
        for (int rep = 0; rep < 3; rep++) {
            simspec_t s;
            char name[64];
            plasma_spec(tfs[t], rep, &s, name, sizeof name);
            outcome_t o;
            run_case(&s, &opt, &o);
            double tol = fmax(0.01, 0.25 * tfs[t]);
            tally(&ty, &o, tol, tol);
            estimated += o.status == METCN_PURITY_ESTIMATED;
            upper += o.status == METCN_PURITY_UPPER_BOUND;
            /* never off by more than the tolerance without a flag */
            ck_assert_msg(!(is_wrong(&o, tol) && !is_flagged(&o)),
                          "%s: %.3f [%.3f, %.3f] not flagged", name, o.est, o.lo, o.hi);
            if (tfs[t] == 0) /* healthy plasma: nothing to fit */
                ck_assert_int_eq(o.status, METCN_PURITY_UNDETERMINED);
            if (tfs[t] >= 0.1 && !is_flagged(&o)) /* events seen and no doubt: it holds */
                ck_assert_msg(o.covered, "%s: %.3f [%.3f, %.3f]", name, o.est, o.lo, o.hi);
            estimated_right += tfs[t] >= 0.1 && fabs(o.err) <= tol;
        }
        char what[64];
        snprintf(what, sizeof what, "tumour fraction %.2f (%d est, %d upper)", tfs[t], estimated,
                 upper);
        tally_print(what, &ty);
    }
    /* fractions 0.1-0.3: within 25% in at least 7 of 9 */
    ck_assert_int_ge(estimated_right, 7);
}
END_TEST

/* ---- reference bias -------------------------------------------------------------------------- */

/* Sites that capture REF better (0.53 on average, spread 0.02): with the bias of each site
 * given, and with the sample's own median used instead. */
START_TEST(test_ref_bias)
{
    tally_t given = {0}, own = {0};
    for (int pi = 2; pi <= 8; pi += 2)
        for (int rep = 0; rep < 2; rep++) {
            simspec_t s;
            char name[64];
            sim_defaults(&s);
            s.purity = pi / 10.0;
            s.seed = 8000 + 100 * pi + rep;
            s.n_events = 2;
            s.ev[0] = (sim_event_t){3 + rep, 0.0, 1.0, 1, 0, 0};
            s.ev[1] = (sim_event_t){12 + rep, 0.5, 1.0, 2, 1, 0};
            s.gene_cn = 12;
            s.bias_mean = 0.03;
            s.bias_sd = 0.02;
            s.matched = rep;
            snprintf(name, sizeof name, "bias_p%.1f_r%d", s.purity, rep);
            s.name = name;
            metcn_purity_opt_t opt = default_opt();
            outcome_t o;
            s.give_bias = 1;
            run_case(&s, &opt, &o);
            tally(&given, &o, 0.05, 0.1);
            s.give_bias = 0;
            run_case(&s, &opt, &o);
            tally(&own, &o, 0.05, 0.1);
        }
    printf("REF capture bias 0.53 +- 0.02:\n");
    tally_print("per-site bias given", &given);
    tally_print("sample's median REF fraction", &own);
    ck_assert_int_eq(given.within, given.n);
    ck_assert_int_ge(own.within * 10, own.n * 9);
}
END_TEST

/* ---- a quiet genome with the gene's amplicon ------------------------------------------------- */

/* (C-1, 1) alone measures p(C-2), not p: the answer is "cannot tell", with the truth inside the
 * range still possible. */
START_TEST(test_amplicon_only)
{
    metcn_purity_opt_t opt = default_opt();
    static const int gene_cn[] = {6, 12, 30};
    int n = 0, covered = 0;
    for (int pi = 2; pi <= 9; pi += 1)
        for (int g = 0; g < 3; g++) {
            simspec_t s;
            char name[64];
            sim_defaults(&s);
            s.purity = pi / 10.0;
            s.gene_cn = gene_cn[g];
            s.seed = 600 + 10 * pi + g;
            snprintf(name, sizeof name, "amplicon_p%.1f_cn%d", s.purity, s.gene_cn);
            s.name = name;
            outcome_t o;
            run_case(&s, &opt, &o);
            n++;
            covered += o.covered;
            ck_assert_msg(o.status == METCN_PURITY_UNDETERMINED, "%s: %s %.3f", name,
                          metcn_purity_status_name(o.status), o.est);
        }
    printf("quiet genome with the gene amplicon only: %d/%d undetermined, truth in the range %d\n",
           n, n, covered);
    ck_assert_int_eq(covered, n);
}
END_TEST

/* An amplicon reaching past the gene (MET at 10 copies over 16% of its contig, the gene in the
 * middle) on a panel-like design (40 bins and 20 sites per contig, 2,000x): the scan cuts the
 * flanks off the gene's segment, and the merge step must join them to it, or the amplicon's
 * large change is paid three times and a high fraction with a small change ((2,1) at ~0.7)
 * competes with the truth ((9,1) at 0.1).  With background events (an LOH and a one-copy gain)
 * the fraction is estimated within 25%; without them the genome is quiet and the fit cannot
 * tell (one level: the amplicon). */
static void amplicon_past_gene_spec(simspec_t *s, double tf, int events, int rep, char *name,
                                    size_t nlen)
{
    sim_defaults(s);
    s->purity = tf;
    s->seed = 7700 + 10 * (unsigned long)(100 * tf) + (unsigned long)(2 * rep + events);
    s->depth = 2000;
    s->bin_sd = 0.06;
    s->seg_sys = 0.005;
    s->rho = 0.002;
    s->bins_per_contig = 40;
    s->sites_per_contig = 20;
    s->matched = 0;
    s->gene_cn = 10;
    int n = 0;
    s->ev[n++] = (sim_event_t){SIM_GENE_TID, 0.52, 0.68, 9, 1, 0};
    if (events) {
        s->ev[n++] = (sim_event_t){4, 0.0, 1.0, 1, 0, 0};
        s->ev[n++] = (sim_event_t){8, 0.0, 1.0, 2, 1, 0};
    }
    s->n_events = n;
    snprintf(name, nlen, "amp_past_gene_tf%.2f_ev%d_r%d", tf, events, rep);
    s->name = name;
}

START_TEST(test_amplicon_past_gene)
{
    metcn_purity_opt_t opt = default_opt();
    int within = 0, n = 0;
    for (int rep = 0; rep < 4; rep++) {
        simspec_t s;
        char name[64];
        outcome_t o;
        amplicon_past_gene_spec(&s, 0.1, 1, rep, name, sizeof name);
        run_case(&s, &opt, &o);
        n++;
        within += o.status == METCN_PURITY_ESTIMATED && fabs(o.err) <= 0.025;
        ck_assert_msg(!(is_wrong(&o, 0.025) && !is_flagged(&o)),
                      "%s: %.3f [%.3f, %.3f] not flagged", name, o.est, o.lo, o.hi);
        amplicon_past_gene_spec(&s, 0.1, 0, rep, name, sizeof name);
        run_case(&s, &opt, &o);
        ck_assert_msg(o.status == METCN_PURITY_UNDETERMINED && o.covered, "%s: %s %.3f", name,
                      metcn_purity_status_name(o.status), o.est);
    }
    printf("amplicon past the gene, tumour fraction 0.1 with two events: %d/%d within 0.025\n",
           within, n);
    ck_assert_int_ge(within, 3);
}
END_TEST

/* ---- speed ----------------------------------------------------------------------------------- */

START_TEST(test_speed)
{
    metcn_purity_opt_t opt = default_opt();
    simspec_t s;
    sim_defaults(&s);
    s.purity = 0.6;
    s.gene_cn = 12;
    s.n_events = 3;
    s.ev[0] = (sim_event_t){2, 0.0, 1.0, 1, 0, 0};
    s.ev[1] = (sim_event_t){9, 0.5, 1.0, 2, 1, 0};
    s.ev[2] = (sim_event_t){15, 0.0, 0.5, 2, 0, 0};
    s.seed = 4242;
    s.name = "panel";
    outcome_t panel, genome;
    run_case(&s, &opt, &panel);
    /* a genome tiling: 1,360 bins and 900 sites per contig at 40x */
    s.bins_per_contig = 1360;
    s.sites_per_contig = 900;
    s.bin_sd = 0.3;
    s.depth = 40;
    s.name = "genome";
    run_case(&s, &opt, &genome);
    printf("speed (CPU): panel of 1,055 bins and 2,300 sites %.3f s; genome of 31,300 bins and "
           "20,700 sites %.3f s\n",
           panel.secs, genome.secs);
    ck_assert_msg(fabs(panel.err) <= 0.05 && fabs(genome.err) <= 0.05, "%.3f %.3f", panel.est,
                  genome.est);
    ck_assert_double_lt(panel.secs, 0.5);
    ck_assert_double_lt(genome.secs, 5.0);
}
END_TEST

static Suite *purity_suite(void)
{
    Suite *s = suite_create("purity");
    TCase *tc = tcase_create("purity");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_formulas);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_odd_input);
    tcase_add_test(tc, test_segments);
    tcase_add_test(tc, test_het_inference_and_sex);
    tcase_add_test(tc, test_tissue_grid);
    tcase_add_test(tc, test_tissue_grid_unmatched);
    tcase_add_test(tc, test_tissue_grid_depth_only);
    tcase_add_test(tc, test_wgd);
    tcase_add_test(tc, test_wgd_twin);
    tcase_add_test(tc, test_loh_without_hets);
    tcase_add_test(tc, test_subclonal);
    tcase_add_test(tc, test_plasma);
    tcase_add_test(tc, test_ref_bias);
    tcase_add_test(tc, test_amplicon_only);
    tcase_add_test(tc, test_amplicon_past_gene);
    tcase_add_test(tc, test_speed);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    metcn_init();
    const char *v = getenv("METCN_PURITY_VERBOSE");
    g_verbose = v ? atoi(v) : 0;
    setvbuf(stdout, NULL, _IOLBF, 0);
    SRunner *sr = srunner_create(purity_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
