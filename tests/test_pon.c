/* test_pon.c -- panel of normals on generated normals with known per-bin capture efficiency,
 * GC curves, an injected systematic factor and an outlier normal; the PoN file's integrity
 * checks and a loader safe on crafted files (issue 20's reproducers); tumour-side
 * normalisation for a gene keeps a focal gain and a polysomy, for genes on two chromosomes
 * from one gene-independent PoN.
 *
 * Model (log2 units): depth_ij = D_j * eff_i * cn_ij / 2 * 2^(gc_j(gc_i) + s_j f_i + e_ij),
 * eff_i = 2^N(0, 0.5), gc_j(g) = a_j (g - 0.5) + b_j (g - 0.5)^2, e_ij ~ N(0, SIGMA). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_statistics_double.h>
#include <htslib/bgzf.h>
#include <htslib/kstring.h>
#include <htslib/sam.h>

#include "metcn/metcn.h"
#include "metcn/pon.h"
#include "metcn/sample.h"
#include "metcn/stats.h"
#include "metcn/util.h"

#define SIGMA 0.06
#define N_NORMALS 12

static char tmpdir[256];
static metcn_panel_t *panel;
static metcn_gene_t *met; /* MET's view of panel */

/* MET coding exons 2-11 (GRCh38, docs: met-coordinates.md) */
static const int64_t met_exons[][2] = {
    {116699084, 116700284}, {116731667, 116731859}, {116739949, 116740084}, {116740851, 116741025},
    {116755354, 116755515}, {116757436, 116757539}, {116757637, 116757774}, {116758458, 116758620},
    {116759390, 116759490}, {116763049, 116763268}};

static void setup(void)
{
    metcn_init();
    metcn_log_set_level(METCN_LOG_ERROR);
    snprintf(tmpdir, sizeof tmpdir, "/tmp/metcn_test_pon.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    char path[512];
    snprintf(path, sizeof path, "%s/panel.bed", tmpdir);
    FILE *fp = fopen(path, "w");
    ck_assert_ptr_nonnull(fp);
    static const char *autos[] = {"chr1", "chr2", "chr3",  "chr4",  "chr5", "chr6",
                                  "chr8", "chr9", "chr10", "chr11", "chr12"};
    for (int c = 0; c < 11; c++)
        for (int k = 0; k < 40; k++)
            fprintf(fp, "%s\t%d\t%d\tR%d_%d\n", autos[c], 1000000 + k * 1000000,
                    1000000 + k * 1000000 + 200, c, k);
    for (int k = 0; k < 20; k++)
        fprintf(fp, "chr7\t%d\t%d\tCTL_p%d\n", 2000000 + k * 2000000, 2000000 + k * 2000000 + 200,
                k);
    for (int e = 0; e < 10; e++)
        fprintf(fp, "chr7\t%lld\t%lld\tMET_ex%d\n", (long long)met_exons[e][0],
                (long long)met_exons[e][1], e + 2);
    for (int k = 0; k < 20; k++)
        fprintf(fp, "chr7\t%d\t%d\tCTL_q%d\n", 130000000 + k * 1000000,
                130000000 + k * 1000000 + 200, k);
    for (int k = 0; k < 30; k++)
        fprintf(fp, "chrX\t%d\t%d\tX%d\n", 5000000 + k * 4000000, 5000000 + k * 4000000 + 200, k);
    for (int k = 0; k < 10; k++)
        fprintf(fp, "chrY\t%d\t%d\tY%d\n", 3000000 + k * 1000000, 3000000 + k * 1000000 + 200, k);
    fclose(fp);
    metcn_panel_opt_t o;
    metcn_panel_opt_init(&o);
    o.build = "grch38";
    panel = metcn_panel_load(path, &o, NULL);
    ck_assert_msg(panel != NULL, "%s", metcn_last_error());
    met = metcn_panel_gene(panel, "MET", NULL);
    ck_assert_msg(met != NULL, "%s", metcn_last_error());
    ck_assert_int_eq((int)met->n_role[METCN_ROLE_TARGET], 10);
}

static void teardown(void)
{
    metcn_gene_destroy(met);
    met = NULL;
    metcn_panel_destroy(panel);
    panel = NULL;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

/* ---- generated data ---- */

typedef struct {
    double *log2eff; /* true log2 efficiency */
    double *gc;
    double *factor; /* systematic bin pattern f_i */
} truth_t;

static int contig_is(size_t i, const char *name)
{
    return strcmp(panel->contigs[panel->bins[i].contig].name, name) == 0;
}

static truth_t make_truth(gsl_rng *r)
{
    size_t n = panel->n_bins;
    truth_t t = {malloc(n * sizeof(double)), malloc(n * sizeof(double)),
                 malloc(n * sizeof(double))};
    for (size_t i = 0; i < n; i++) {
        t.log2eff[i] = gsl_ran_gaussian(r, 0.5);
        t.gc[i] = 0.35 + 0.3 * gsl_rng_uniform(r);
        t.factor[i] = gsl_ran_gaussian(r, 0.25);
    }
    return t;
}

static void free_truth(truth_t *t)
{
    free(t->log2eff);
    free(t->gc);
    free(t->factor);
}

typedef struct {
    int xy;      /* male */
    double gc_a; /* GC curve */
    double gc_b;
    double factor;   /* s_j */
    double sigma;    /* noise */
    double met_cn;   /* copy number of MET bins */
    double chr7_cn;  /* copy number of the other chr7 bins */
    double chr12_cn; /* copy number of chr12 (0: 2) */
} sample_spec_t;

static metcn_covtab_t *make_sample(gsl_rng *r, const truth_t *t, const sample_spec_t *s,
                                   const char *name, int with_gc)
{
    size_t n = panel->n_bins;
    metcn_covtab_t *c = calloc(1, sizeof *c);
    c->panel = panel;
    c->n = n;
    c->sample = strdup(name);
    c->source = strdup(name);
    c->format = strdup("metcn");
    c->depth = malloc(n * sizeof(double));
    c->gc = malloc(n * sizeof(double));
    c->fragments = calloc(n, sizeof(uint64_t));
    c->has_gc = with_gc;
    double D = 100 + 50 * gsl_rng_uniform(r);
    for (size_t i = 0; i < n; i++) {
        double cn = 2;
        if (contig_is(i, "chr7"))
            cn = met->role[i] == METCN_ROLE_TARGET ? s->met_cn : s->chr7_cn;
        else if (contig_is(i, "chr12") && s->chr12_cn > 0)
            cn = s->chr12_cn;
        else if (contig_is(i, "chrX"))
            cn = s->xy ? 1 : 2;
        else if (contig_is(i, "chrY"))
            cn = s->xy ? 1 : 0.01; /* mismapped background */
        double g = t->gc[i] - 0.5;
        double l = t->log2eff[i] + s->gc_a * g + s->gc_b * g * g + s->factor * t->factor[i] +
                   gsl_ran_gaussian(r, s->sigma);
        c->depth[i] = D * cn / 2 * exp2(l);
        c->gc[i] = with_gc ? t->gc[i] : NAN;
    }
    return c;
}

static void free_sample(metcn_covtab_t *c)
{
    if (!c)
        return;
    free(c->sample);
    free(c->source);
    free(c->format);
    free(c->depth);
    free(c->gc);
    free(c->fragments);
    free(c);
}

/* N normals: alternate sexes, random GC curves in +- pairs (normal 2m+1 has the negated curve
 * of normal 2m, so the normals' pointwise median GC curve is 0 and the centre's truth is the
 * efficiency itself), factor s_j ~ N(0, factor_sd). */
static void make_normals(gsl_rng *r, const truth_t *t, metcn_covtab_t **v, size_t N,
                         double factor_sd, int outlier_at)
{
    double a = 0, b = 0;
    for (size_t j = 0; j < N; j++) {
        if (j % 2 == 0) {
            a = -2 + 4 * gsl_rng_uniform(r);
            b = -6 + 12 * gsl_rng_uniform(r);
        } else {
            a = -a;
            b = -b;
        }
        sample_spec_t s = {.xy = (int)(j % 2),
                           .gc_a = a,
                           .gc_b = b,
                           .factor = gsl_ran_gaussian(r, factor_sd),
                           .sigma = SIGMA,
                           .met_cn = 2,
                           .chr7_cn = 2};
        if ((int)j == outlier_at)
            s.sigma = 0.35;
        char name[32];
        snprintf(name, sizeof name, "N%02zu", j);
        v[j] = make_sample(r, t, &s, name, 1);
    }
}

static double corr_masked(const double *a, const double *b, const int *m, size_t n)
{
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (m[i] && isfinite(a[i]) && isfinite(b[i])) {
            x[k] = a[i];
            y[k] = b[i];
            k++;
        }
    double c = gsl_stats_correlation(x, 1, y, 1, k);
    free(x);
    free(y);
    return c;
}

/* ---- tests ---- */

/* The centre recovers the true per-bin efficiency; sexes are inferred; QC is sane. */
START_TEST(test_centre_recovers_efficiency)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 1);
    truth_t t = make_truth(r);
    metcn_covtab_t *v[N_NORMALS];
    make_normals(r, &t, v, N_NORMALS, 0.0, -1);
    metcn_pon_opt_t o;
    metcn_pon_opt_init(&o);
    o.threads = 2;
    metcn_pon_t *pon = metcn_pon_build(panel, v, N_NORMALS, NULL, &o);
    ck_assert_msg(pon != NULL, "%s", metcn_last_error());
    ck_assert_int_eq((int)metcn_pon_n_normals(pon), N_NORMALS);
    ck_assert(metcn_pon_gc_corrected(pon));
    size_t n = panel->n_bins;
    const double *centre = metcn_pon_centre(pon);
    const int *ex = metcn_pon_excluded(pon);
    int *ref = calloc(n, sizeof *ref), *aut = calloc(n, sizeof *aut);
    for (size_t i = 0; i < n; i++) {
        ref[i] = panel->bins[i].role == METCN_ROLE_REFERENCE;
        aut[i] = !contig_is(i, "chrX") && !contig_is(i, "chrY") && ex[i] == 0;
    }
    double off = metcn_median(t.log2eff, ref, n) - metcn_median(centre, ref, n);
    double worst = 0, *err = malloc(n * sizeof *err);
    for (size_t i = 0; i < n; i++) {
        err[i] = aut[i] ? fabs(centre[i] + off - t.log2eff[i]) : NAN;
        if (aut[i] && err[i] > worst)
            worst = err[i];
    }
    double rho = corr_masked(centre, t.log2eff, aut, n);
    double med_err = metcn_median(err, NULL, n);
    /* centre error ~ 1.25 * SIGMA / sqrt(12) = 0.022 SD: median |err| ~ 0.015, max over ~500
     * bins ~ 3.5 SD = 0.08 (plus GC-fit error). */
    ck_assert_msg(rho > 0.99, "correlation %g", rho);
    ck_assert_msg(med_err < 0.03, "median |error| %g", med_err);
    ck_assert_msg(worst < 0.15, "max |error| %g", worst);
    /* sexes and QC */
    for (size_t j = 0; j < N_NORMALS; j++) {
        const metcn_pon_sample_t *s = metcn_pon_sample(pon, j);
        ck_assert_int_eq(s->sex, j % 2 ? METCN_SEX_XY : METCN_SEX_XX);
        ck_assert_msg(s->mapd > 0.5 * SIGMA * 0.954 && s->mapd < 2 * SIGMA * 0.954, "%s mapd %g",
                      s->name, s->mapd);
        ck_assert_msg(!s->outlier, "%s outlier z_mapd %g z_max %g mapd %g max %g", s->name,
                      s->z_mapd, s->z_max, s->mapd, s->max_abs_log2);
    }
    /* no systematic factor: the automatic choice keeps no (or almost no) component */
    ck_assert_int_le(metcn_pon_n_components(pon), 1);
    /* chrY has only 6 XY normals (>= 3): centre defined */
    ck_assert_int_eq((int)metcn_pon_reason_counts(pon)[METCN_PON_NO_SEX_CENTRE], 0);
    free(err);
    free(ref);
    free(aut);
    metcn_pon_destroy(pon);
    for (size_t j = 0; j < N_NORMALS; j++)
        free_sample(v[j]);
    free_truth(&t);
    gsl_rng_free(r);
}
END_TEST

/* A tumour with a strong GC curve: after normalisation no GC trend remains; without GC
 * correction a strong one does (so the assertion can fail). */
START_TEST(test_gc_curve_removed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 2);
    truth_t t = make_truth(r);
    metcn_covtab_t *v[N_NORMALS];
    make_normals(r, &t, v, N_NORMALS, 0.0, -1);
    metcn_pon_opt_t o;
    metcn_pon_opt_init(&o);
    metcn_pon_t *pon = metcn_pon_build(panel, v, N_NORMALS, NULL, &o);
    ck_assert_msg(pon != NULL, "%s", metcn_last_error());
    /* without GC correction and without components (which would capture the normals' varying
     * GC curves and partly remove the tumour's) */
    o.gc_correct = 0;
    o.n_components = 0;
    metcn_pon_t *nogc = metcn_pon_build(panel, v, N_NORMALS, NULL, &o);
    ck_assert_msg(nogc != NULL, "%s", metcn_last_error());
    ck_assert(!metcn_pon_gc_corrected(nogc));
    sample_spec_t s = {.xy = 0, .gc_a = 3, .gc_b = -12, .sigma = SIGMA, .met_cn = 2, .chr7_cn = 2};
    metcn_covtab_t *tum = make_sample(r, &t, &s, "T_gc", 0);
    metcn_cnr_t *c = NULL, *c0 = NULL;
    ck_assert_int_eq(metcn_pon_normalize(pon, tum, met, &c), 0);
    ck_assert_int_eq(metcn_pon_normalize(nogc, tum, met, &c0), 0);
    size_t n = panel->n_bins;
    int *ref = calloc(n, sizeof *ref);
    for (size_t i = 0; i < n; i++)
        ref[i] = panel->bins[i].role == METCN_ROLE_REFERENCE && c->excluded[i] == 0;
    double *curve = malloc(n * sizeof *curve);
    for (size_t i = 0; i < n; i++) {
        double g = t.gc[i] - 0.5;
        curve[i] = 3 * g - 12 * g * g;
    }
    double rho = corr_masked(c->log2, curve, ref, n);
    double rho0 = corr_masked(c0->log2, curve, ref, n);
    free(curve);
    ck_assert_msg(fabs(rho) < 0.1, "GC correlation after correction %g", rho);
    ck_assert_msg(fabs(rho0) > 0.7, "GC correlation without correction %g", rho0);
    /* strength: mad_sd of 3t - 12t^2, t ~ U(-0.15, 0.15) ~ 0.3 */
    ck_assert_msg(c->gc_strength > 0.2 && c->gc_strength < 0.45, "gc_strength %g", c->gc_strength);
    double sd = metcn_mad_sd(c->log2, ref, n, NAN);
    ck_assert_msg(sd < 0.1, "residual SD %g", sd);
    ck_assert_msg(c->mapd < 2 * SIGMA, "mapd %g", c->mapd);
    free(ref);
    metcn_cnr_destroy(c);
    metcn_cnr_destroy(c0);
    free_sample(tum);
    metcn_pon_destroy(pon);
    metcn_pon_destroy(nogc);
    for (size_t j = 0; j < N_NORMALS; j++)
        free_sample(v[j]);
    free_truth(&t);
    gsl_rng_free(r);
}
END_TEST

/* An injected systematic factor is captured by the first component, removing it lowers a
 * tumour's noise, and a focal MET gain on a chr7 polysomy survives (components fitted off
 * chr7). */
START_TEST(test_component_captures_factor)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 3);
    truth_t t = make_truth(r);
    metcn_covtab_t *v[N_NORMALS];
    make_normals(r, &t, v, N_NORMALS, 1.0, -1);
    metcn_pon_opt_t o;
    metcn_pon_opt_init(&o);
    metcn_pon_t *pon = metcn_pon_build(panel, v, N_NORMALS, NULL, &o);
    ck_assert_msg(pon != NULL, "%s", metcn_last_error());
    ck_assert_int_ge(metcn_pon_n_components(pon), 1);
    ck_assert_msg(metcn_pon_component_var_frac(pon, 0) > 0.5, "var frac %g",
                  metcn_pon_component_var_frac(pon, 0));
    o.n_components = 0;
    metcn_pon_t *pon0 = metcn_pon_build(panel, v, N_NORMALS, NULL, &o);
    ck_assert_msg(pon0 != NULL, "%s", metcn_last_error());
    ck_assert_int_eq(metcn_pon_n_components(pon0), 0);

    /* A tumour: chr7 polysomy (3 copies), MET 12 copies, strong factor. */
    sample_spec_t s = {
        .xy = 1, .gc_a = 1, .gc_b = -4, .factor = 2.5, .sigma = SIGMA, .met_cn = 12, .chr7_cn = 3};
    metcn_covtab_t *tum = make_sample(r, &t, &s, "T_amp", 1);
    metcn_cnr_t *c = NULL, *c0 = NULL;
    ck_assert_int_eq(metcn_pon_normalize(pon, tum, met, &c), 0);
    ck_assert_int_eq(metcn_pon_normalize(pon0, tum, met, &c0), 0);
    ck_assert_int_ge(c->n_components_used, 1);
    ck_assert_int_eq(c->sex, METCN_SEX_XY);
    size_t n = panel->n_bins;
    int *tg = calloc(n, sizeof *tg), *ctl = calloc(n, sizeof *ctl), *xm = calloc(n, sizeof *xm);
    for (size_t i = 0; i < n; i++) {
        tg[i] = met->role[i] == METCN_ROLE_TARGET;
        ctl[i] = met->role[i] == METCN_ROLE_CONTROL;
        xm[i] = contig_is(i, "chrX");
    }
    /* a 6-fold ratio is never a reason to exclude a bin */
    for (size_t i = 0; i < n; i++)
        if (tg[i])
            ck_assert_int_eq(c->excluded[i], METCN_PON_OK);
    double met_l2 = metcn_median(c->log2, tg, n), chr7 = metcn_median(c->log2, ctl, n);
    ck_assert_msg(fabs(met_l2 - log2(6.0)) < 0.15, "MET log2 %g, truth %g", met_l2, log2(6.0));
    ck_assert_msg(fabs(chr7 - log2(1.5)) < 0.08, "chr7 log2 %g, truth %g", chr7, log2(1.5));
    /* XY tumour: its chrX is normalised against the XY centre */
    ck_assert_msg(fabs(metcn_median(c->log2, xm, n)) < 0.1, "chrX log2 %g",
                  metcn_median(c->log2, xm, n));
    ck_assert_msg(c->mapd < 0.7 * c0->mapd, "mapd with components %g, without %g", c->mapd,
                  c0->mapd);
    /* component 1 loadings match the injected factor */
    /* (read through the file to check the loadings are written too) */
    char path[512];
    snprintf(path, sizeof path, "%s/f.pon", tmpdir);
    ck_assert_int_eq(metcn_pon_write(pon, path, "test"), 0);
    FILE *fp = fopen(path, "r");
    char line[8192];
    double *pc1 = malloc(n * sizeof *pc1);
    size_t bi = 0;
    while (fgets(line, sizeof line, fp))
        if (strncmp(line, "bin\t", 4) == 0) {
            char *f[32];
            int nf = 0;
            for (char *p = strtok(line, "\t\n"); p && nf < 32; p = strtok(NULL, "\t\n"))
                f[nf++] = p;
            ck_assert_int_ge(nf, 14); /* bin chrom start end name role gc rel_depth centre centre_xy
                                         spread sd excluded pc1 */
            pc1[bi++] = strcmp(f[13], "NA") ? atof(f[13]) : NAN;
        }
    fclose(fp);
    ck_assert_int_eq((int)bi, (int)n);
    int *aut = calloc(n, sizeof *aut);
    for (size_t i = 0; i < n; i++)
        aut[i] = metcn_pon_excluded(pon)[i] == 0 && !contig_is(i, "chrX") && !contig_is(i, "chrY");
    double rho = corr_masked(pc1, t.factor, aut, n);
    ck_assert_msg(fabs(rho) > 0.95, "|corr(pc1, factor)| = %g", fabs(rho));
    free(pc1);
    free(aut);
    free(tg);
    free(ctl);
    free(xm);
    metcn_cnr_destroy(c);
    metcn_cnr_destroy(c0);
    free_sample(tum);
    metcn_pon_destroy(pon);
    metcn_pon_destroy(pon0);
    for (size_t j = 0; j < N_NORMALS; j++)
        free_sample(v[j]);
    free_truth(&t);
    gsl_rng_free(r);
}
END_TEST

/* Leave-one-out flags the noisy normal and only it; --drop-outliers drops it. */
START_TEST(test_outlier_normal)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 4);
    truth_t t = make_truth(r);
    metcn_covtab_t *v[N_NORMALS + 1];
    make_normals(r, &t, v, N_NORMALS + 1, 0.0, 5);
    metcn_pon_opt_t o;
    metcn_pon_opt_init(&o);
    metcn_pon_t *pon = metcn_pon_build(panel, v, N_NORMALS + 1, NULL, &o);
    ck_assert_msg(pon != NULL, "%s", metcn_last_error());
    for (size_t j = 0; j < N_NORMALS + 1; j++) {
        const metcn_pon_sample_t *s = metcn_pon_sample(pon, j);
        ck_assert_msg(s->outlier == (j == 5), "%s outlier=%d z_mapd=%g z_max=%g", s->name,
                      s->outlier, s->z_mapd, s->z_max);
        ck_assert_int_eq(s->dropped, 0);
    }
    ck_assert_int_eq((int)metcn_pon_n_normals(pon), N_NORMALS + 1);
    o.drop_outliers = 1;
    metcn_pon_t *dropped = metcn_pon_build(panel, v, N_NORMALS + 1, NULL, &o);
    ck_assert_msg(dropped != NULL, "%s", metcn_last_error());
    ck_assert_int_eq((int)metcn_pon_n_normals(dropped), N_NORMALS);
    ck_assert_int_eq(metcn_pon_sample(dropped, 5)->dropped, 1);
    /* dropping the noisy normal lowers the PoN's median bin SD */
    double sd_all = metcn_median(metcn_pon_spread(pon), NULL, panel->n_bins);
    double sd_drop = metcn_median(metcn_pon_spread(dropped), NULL, panel->n_bins);
    ck_assert_msg(sd_drop < sd_all, "median sd %g (dropped) vs %g", sd_drop, sd_all);
    metcn_pon_destroy(pon);
    metcn_pon_destroy(dropped);
    for (size_t j = 0; j < N_NORMALS + 1; j++)
        free_sample(v[j]);
    free_truth(&t);
    gsl_rng_free(r);
}
END_TEST

START_TEST(test_too_few_normals)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 5);
    truth_t t = make_truth(r);
    metcn_covtab_t *v[3];
    make_normals(r, &t, v, 3, 0.0, -1);
    ck_assert_ptr_null(metcn_pon_build(panel, v, 2, NULL, NULL));
    ck_assert_int_eq(metcn_last_error_code(), METCN_E_TOOFEW);
    ck_assert_ptr_nonnull(strstr(metcn_last_error(), "at least 3"));
    /* 3 is allowed (with a warning) */
    metcn_pon_t *pon = metcn_pon_build(panel, v, 3, NULL, NULL);
    ck_assert_msg(pon != NULL, "%s", metcn_last_error());
    metcn_pon_destroy(pon);
    for (size_t j = 0; j < 3; j++)
        free_sample(v[j]);
    free_truth(&t);
    gsl_rng_free(r);
}
END_TEST

static char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    ck_assert_ptr_nonnull(fp);
    fseek(fp, 0, SEEK_END);
    long l = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *s = malloc((size_t)l + 1);
    ck_assert_int_eq((int)fread(s, 1, (size_t)l, fp), (int)l);
    s[l] = 0;
    fclose(fp);
    *len = (size_t)l;
    return s;
}

static void spit(const char *path, const char *s, size_t len)
{
    FILE *fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    ck_assert_int_eq((int)fwrite(s, 1, len, fp), (int)len);
    fclose(fp);
}

static void expect_load_error(const char *path, int code, const char *needle)
{
    metcn_pon_t *p = metcn_pon_load(path);
    ck_assert_msg(p == NULL, "%s loaded", path);
    ck_assert_msg(metcn_last_error_code() == code, "%s: code %d (%s)", path,
                  metcn_last_error_code(), metcn_last_error());
    ck_assert_msg(strstr(metcn_last_error(), needle) != NULL, "message '%s' lacks '%s'",
                  metcn_last_error(), needle);
}

/* Round trip (plain and bgzipped), then truncated, edited, newer-version, foreign and
 * mismatched files are refused with their message. */
START_TEST(test_file_integrity)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 6);
    truth_t t = make_truth(r);
    metcn_covtab_t *v[N_NORMALS];
    make_normals(r, &t, v, N_NORMALS, 1.0, -1);
    metcn_pon_t *pon = metcn_pon_build(panel, v, N_NORMALS, NULL, NULL);
    ck_assert_msg(pon != NULL, "%s", metcn_last_error());
    char path[512], gz[512], bad[512];
    snprintf(path, sizeof path, "%s/a.pon", tmpdir);
    snprintf(gz, sizeof gz, "%s/a.pon.gz", tmpdir);
    snprintf(bad, sizeof bad, "%s/bad.pon", tmpdir);
    ck_assert_int_eq(metcn_pon_write(pon, path, "metcn pon build test"), 0);
    ck_assert_int_eq(metcn_pon_write(pon, gz, NULL), 0);
    sample_spec_t s = {
        .xy = 0, .gc_a = 1, .gc_b = -3, .factor = 1, .sigma = SIGMA, .met_cn = 8, .chr7_cn = 2};
    metcn_covtab_t *tum = make_sample(r, &t, &s, "T", 1);
    metcn_cnr_t *c = NULL;
    ck_assert_int_eq(metcn_pon_normalize(pon, tum, met, &c), 0);
    const char *files[] = {path, gz};
    for (int f = 0; f < 2; f++) {
        metcn_pon_t *l = metcn_pon_load(files[f]);
        ck_assert_msg(l != NULL, "%s", metcn_last_error());
        ck_assert_int_eq(metcn_pon_n_components(l), metcn_pon_n_components(pon));
        ck_assert_int_eq((int)metcn_pon_n_normals(l), N_NORMALS);
        ck_assert_str_eq(metcn_pon_panel_checksum(l), metcn_pon_panel_checksum(pon));
        ck_assert_int_eq(strlen(metcn_pon_checksum(l)), 16);
        ck_assert_int_eq(metcn_pon_format_version(l), 2);
        ck_assert_int_eq((int)metcn_pon_panel(l)->n_role[METCN_ROLE_REFERENCE],
                         (int)panel->n_role[METCN_ROLE_REFERENCE]);
        ck_assert_int_eq(metcn_pon_panel(l)->contigs[met->contig].cen_start, 58100000);
        ck_assert_int_eq(metcn_pon_check_panel(l, panel), 0);
        metcn_cnr_t *c2 = NULL;
        ck_assert_int_eq(metcn_pon_normalize(l, tum, met, &c2), 0);
        for (size_t i = 0; i < c->n; i++) {
            ck_assert_int_eq(c->excluded[i], c2->excluded[i]);
            if (isfinite(c->log2[i]))
                ck_assert_double_eq_tol(c->log2[i], c2->log2[i], 1e-6);
        }
        metcn_cnr_destroy(c2);
        metcn_pon_destroy(l);
    }
    size_t len;
    char *text = slurp(path, &len);
    /* truncated: the last line (checksum) gone, and cut in the middle */
    char *last = text + len - 2;
    while (*last != '\n')
        last--;
    spit(bad, text, (size_t)(last - text) + 1);
    expect_load_error(bad, METCN_E_TRUNCATED, "truncated");
    spit(bad, text, len / 2);
    expect_load_error(bad, METCN_E_TRUNCATED, "truncated");
    /* edited: one digit of a centre changed */
    char *ed = malloc(len + 1);
    memcpy(ed, text, len + 1);
    char *b = strstr(ed, "\nbin\t");
    ck_assert_ptr_nonnull(b);
    char *dg = strpbrk(b + 20, "123456789");
    *dg = *dg == '9' ? '8' : (char)(*dg + 1);
    spit(bad, ed, len);
    expect_load_error(bad, METCN_E_TRUNCATED, "checksum mismatch");
    /* newer format version */
    memcpy(ed, text, len + 1);
    ed[strlen("#metcn-pon\t")] = '9';
    spit(bad, ed, len);
    expect_load_error(bad, METCN_E_INCOMPATIBLE, "newer");
    /* not a PoN */
    spit(bad, "chrom\tstart\tend\n", 16);
    expect_load_error(bad, METCN_E_FORMAT, "not a metcn PoN");
    snprintf(bad, sizeof bad, "%s/missing.pon", tmpdir);
    expect_load_error(bad, METCN_E_IO, "cannot open");
    free(ed);
    free(text);

    /* mismatched panel: a sample on another panel is refused */
    metcn_panel_t *other = metcn_panel_load("grch38-met", NULL, NULL);
    if (other) {
        ck_assert_int_eq(metcn_pon_check_panel(pon, other), METCN_E_INCOMPATIBLE);
        metcn_covtab_t fake = *tum;
        fake.panel = other;
        metcn_cnr_t *c3 = NULL;
        ck_assert_int_eq(metcn_pon_normalize(pon, &fake, met, &c3), METCN_E_INCOMPATIBLE);
        ck_assert_ptr_null(c3);
        metcn_panel_destroy(other);
    }
    /* the one compatibility check (metcn_sample_check()) on a SAM header: the same contigs
     * pass ("7"-style names are aliases); chr7 of GRCh37 length, chr7 missing, or chrY (whose
     * bins the PoN uses) missing fail */
    const metcn_panel_t *pp = metcn_pon_panel(pon);
    for (int variant = 0; variant < 4; variant++) {
        char hdrtext[8192] = "@HD\tVN:1.6\tSO:coordinate\n";
        for (int k = 0; k < pp->n_contigs; k++) {
            const char *nm = pp->contigs[k].name;
            long long ln = (long long)pp->contigs[k].length;
            if (strcmp(nm, "chr7") == 0 && variant == 1)
                ln = 159138663;
            if ((strcmp(nm, "chr7") == 0 && variant == 2) ||
                (strcmp(nm, "chrY") == 0 && variant == 3))
                continue;
            char ln_s[256];
            snprintf(ln_s, sizeof ln_s, "@SQ\tSN:%s\tLN:%lld\n", variant == 0 ? nm + 3 : nm, ln);
            strcat(hdrtext, ln_s);
        }
        snprintf(bad, sizeof bad, "%s/tumour.sam", tmpdir);
        spit(bad, hdrtext, strlen(hdrtext));
        metcn_sample_t *sm = metcn_sample_open(bad, NULL);
        ck_assert_msg(sm != NULL, "%s", metcn_last_error());
        ck_assert_int_eq(sm->kind, METCN_INPUT_SAM);
        int rc = metcn_sample_check(sm, NULL, pon);
        static const char *const want[] = {NULL, "has length 159138663 in the header",
                                           "no contig chr7",
                                           "contig chrY (10 bins used by the PoN)"};
        if (variant == 0)
            ck_assert_msg(rc == 0, "%s", metcn_last_error());
        else {
            ck_assert_msg(rc < 0, "variant %d passed", variant);
            ck_assert_ptr_nonnull(strstr(metcn_last_error(), "tumour.sam: "));
            ck_assert_msg(strstr(metcn_last_error(), want[variant]) != NULL, "'%s' lacks '%s'",
                          metcn_last_error(), want[variant]);
        }
        metcn_sample_close(sm);
    }
    metcn_cnr_destroy(c);
    free_sample(tum);
    metcn_pon_destroy(pon);
    for (size_t j = 0; j < N_NORMALS; j++)
        free_sample(v[j]);
    free_truth(&t);
    gsl_rng_free(r);
}
END_TEST

/* One gene-independent PoN serves genes on two chromosomes: a tumour with a whole-chr12 gain
 * (3 copies) and a focal MET gain (8 copies) on a normal chr7, normalised for a chr12 gene and
 * for MET.  The normals' systematic factor is heavier on chr12 (a broad artefact), so a chr12
 * gain resembles a component; fitted off the called gene's chromosome, the coefficients never
 * see the gain, and each gene's chromosome keeps its true level. */
START_TEST(test_genes_on_two_chromosomes)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 8);
    truth_t t = make_truth(r);
    for (size_t i = 0; i < panel->n_bins; i++)
        if (contig_is(i, "chr12"))
            t.factor[i] += 0.6;
    metcn_covtab_t *v[N_NORMALS];
    make_normals(r, &t, v, N_NORMALS, 1.0, -1);
    metcn_pon_t *pon = metcn_pon_build(panel, v, N_NORMALS, NULL, NULL);
    ck_assert_msg(pon != NULL, "%s", metcn_last_error());
    ck_assert_int_ge(metcn_pon_n_components(pon), 1);
    metcn_gene_opt_t go;
    metcn_gene_opt_init(&go);
    go.region = "chr12:20,000,001-20,000,200";
    metcn_gene_t *g12 = metcn_panel_gene(panel, "G12", &go);
    ck_assert_msg(g12 != NULL, "%s", metcn_last_error());
    ck_assert_int_eq((int)g12->n_role[METCN_ROLE_TARGET], 1);
    sample_spec_t s = {.xy = 0,
                       .gc_a = 1,
                       .gc_b = -3,
                       .factor = 1.0,
                       .sigma = SIGMA,
                       .met_cn = 8,
                       .chr7_cn = 2,
                       .chr12_cn = 3};
    metcn_covtab_t *tum = make_sample(r, &t, &s, "T12", 1);
    metcn_cnr_t *c12 = NULL, *cm = NULL;
    ck_assert_int_eq(metcn_pon_normalize(pon, tum, g12, &c12), 0);
    ck_assert_int_eq(metcn_pon_normalize(pon, tum, met, &cm), 0);
    size_t n = panel->n_bins;
    int *m12 = calloc(n, sizeof *m12), *mtg = calloc(n, sizeof *mtg), *m7 = calloc(n, sizeof *m7);
    for (size_t i = 0; i < n; i++) {
        m12[i] = g12->role[i] == METCN_ROLE_CONTROL || g12->role[i] == METCN_ROLE_FLANK;
        mtg[i] = met->role[i] == METCN_ROLE_TARGET;
        m7[i] = met->role[i] == METCN_ROLE_CONTROL;
    }
    double l12 = metcn_median(c12->log2, m12, n), lmet = metcn_median(cm->log2, mtg, n),
           l7 = metcn_median(cm->log2, m7, n);
    ck_assert_msg(fabs(l12 - log2(1.5)) < 0.08, "chr12 log2 %g, truth %g", l12, log2(1.5));
    ck_assert_msg(fabs(lmet - log2(4.0)) < 0.15, "MET log2 %g, truth %g", lmet, log2(4.0));
    ck_assert_msg(fabs(l7) < 0.08, "chr7 log2 %g, truth 0", l7);
    /* the views' noise: MAPD over the bins off each gene's chromosome, both near the truth */
    ck_assert_msg(c12->mapd < 2 * SIGMA && cm->mapd < 2 * SIGMA, "mapd %g %g", c12->mapd, cm->mapd);
    free(m12);
    free(mtg);
    free(m7);
    metcn_cnr_destroy(c12);
    metcn_cnr_destroy(cm);
    metcn_gene_destroy(g12);
    free_sample(tum);
    metcn_pon_destroy(pon);
    for (size_t j = 0; j < N_NORMALS; j++)
        free_sample(v[j]);
    free_truth(&t);
    gsl_rng_free(r);
}
END_TEST

/* Write body (lines ending "\n") and its checksum line, as metcn_pon_write() would. */
static void write_with_checksum(const char *path, const char *body)
{
    char line[64];
    snprintf(line, sizeof line, "checksum\tfnv1a64\t%016llx\n",
             (unsigned long long)metcn_hash64(METCN_HASH64_INIT, body, strlen(body)));
    FILE *fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    fputs(body, fp);
    fputs(line, fp);
    fclose(fp);
}

/* Issue 20's 145-byte reproducer (format 1: refused as such) and its format-2 variants with a
 * later meta line raising n_samples, n_bins or n_components: one message each, no crash (run
 * the suite under ASan/valgrind to see no overflow or leak). */
START_TEST(test_loader_reproducers)
{
    static const char *const sample1 = "sample\ta\tXX\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\n";
    static const char *const sample2 = "sample\tb\tXX\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\n";
    char body[2048], path[512];
    snprintf(path, sizeof path, "%s/repro.pon", tmpdir);
    snprintf(body, sizeof body, "#metcn-pon\t1\nmeta\tn_samples\t1\n%smeta\tn_samples\t5\n%s",
             sample1, sample2);
    write_with_checksum(path, body);
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq((int)st.st_size, 145);
    expect_load_error(path, METCN_E_INCOMPATIBLE,
                      "PoN format 1 (metcn 0.1): rebuild it with 'metcn pon build'");
    static const char *const s2a = "sample\ta\tXX\t0\t0\t0\t0\t0\t0\t0\t0\t0\n";
    static const char *const s2b = "sample\tb\tXX\t0\t0\t0\t0\t0\t0\t0\t0\t0\n";
    static const char *const bin1 = "bin\tchr1\t0\t10\t.\treference\tNA\t1\t0\t0\t0\t0\tok\n";
    static const struct {
        const char *key, *first, *second;
    } variants[] = {{"n_samples", "1", "5"}, {"n_bins", "1", "5"}, {"n_components", "0", "3"}};
    for (size_t k = 0; k < 3; k++) {
        snprintf(body, sizeof body,
                 "#metcn-pon\t2\nmeta\t%s\t%s\ncontig\tchr1\t100\t-1\t-1\n%s%smeta\t%s\t%s\n%s%s",
                 variants[k].key, variants[k].first, s2a, bin1, variants[k].key, variants[k].second,
                 s2b, bin1);
        write_with_checksum(path, body);
        char want[64];
        snprintf(want, sizeof want, "repro.pon:6: meta %s given twice", variants[k].key);
        expect_load_error(path, METCN_E_FORMAT, want);
    }
}
END_TEST

/* A valid PoN file mutated one way at a time (checksum recomputed, as a crafted file would
 * have it): each is refused with one message naming the file and, for a record, its line. */
START_TEST(test_loader_mutations)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 9);
    truth_t t = make_truth(r);
    metcn_covtab_t *v[N_NORMALS];
    make_normals(r, &t, v, N_NORMALS, 1.0, -1);
    metcn_pon_opt_t o;
    metcn_pon_opt_init(&o);
    o.n_components = 1;
    metcn_pon_t *pon = metcn_pon_build(panel, v, N_NORMALS, NULL, &o);
    ck_assert_msg(pon != NULL, "%s", metcn_last_error());
    char good[512], path[512];
    snprintf(good, sizeof good, "%s/good.pon", tmpdir);
    snprintf(path, sizeof path, "%s/mut.pon", tmpdir);
    ck_assert_int_eq(metcn_pon_write(pon, good, "test"), 0);
    size_t len;
    char *text = slurp(good, &len);
    strstr(text, "\nchecksum\t")[1] = '\0'; /* the body */
    const char *first_bin = strstr(text, "\nbin\t") + 1;
    const char *second_bin = strchr(first_bin, '\n') + 1;
    size_t l1 = (size_t)(second_bin - first_bin),
           l2 = (size_t)(strchr(second_bin, '\n') + 1 - second_bin);
    static const struct {
        const char *what, *find, *replace, *msg; /* replace NULL: swap the first two bins */
    } cases[] = {
        {"repeated key", "meta\tn_normals\t", "meta\tn_normals\t12\nmeta\tn_normals\t",
         "given twice"},
        {"more samples declared", "meta\tn_samples\t12", "meta\tn_samples\t13",
         "meta declares 13 sample lines, the file has 12"},
        {"more components declared", "meta\tn_components\t1", "meta\tn_components\t9999",
         "meta declares 9999 component lines, the file has 1"},
        {"huge count", "meta\tn_samples\t12", "meta\tn_samples\t99999999999", "bad n_samples"},
        {"missing key", "meta\tgc_corrected\t1\n", "", "meta gc_corrected missing"},
        {"unknown record", "#contig", "foo\tbar\n#contig", "unknown record type 'foo'"},
        {"role of another contig", "bin\tchr1\t1000000\t1000200\tR0_0\treference",
         "bin\tchr1\t1000000\t1000200\tR0_0\tsex", "role 'sex' is not that of contig chr1"},
        {"undeclared contig", "bin\tchr1\t1000000\t", "bin\tchrZ\t1000000\t",
         "contig 'chrZ' not declared"},
        {"extra field", "\tR0_0\treference\t", "\tR0_0\treference\tx\t", "bin line: expected 14"},
        {"component index", "component\t1\t", "component\t2\t", "bad component line"},
        {"contig twice", "contig\tchr2\t", "contig\tchr1\t", "contig chr1 declared twice"},
        {"bins swapped", NULL, NULL, "bin out of panel order"},
        {"used normals", "meta\tn_normals\t12", "meta\tn_normals\t11",
         "meta declares 11 normals used, 12 are not dropped"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        kstring_t m = KS_INITIALIZE;
        if (cases[k].find) {
            const char *at = strstr(text, cases[k].find);
            ck_assert_msg(at != NULL, "%s: '%s' not in the file", cases[k].what, cases[k].find);
            kputsn(text, (size_t)(at - text), &m);
            kputs(cases[k].replace, &m);
            kputs(at + strlen(cases[k].find), &m);
        } else {
            kputsn(text, (size_t)(first_bin - text), &m);
            kputsn(second_bin, l2, &m);
            kputsn(first_bin, l1, &m);
            kputs(second_bin + l2, &m);
        }
        write_with_checksum(path, m.s);
        free(m.s);
        metcn_pon_t *bad = metcn_pon_load(path);
        ck_assert_msg(bad == NULL, "%s: loaded", cases[k].what);
        ck_assert_msg(strstr(metcn_last_error(), cases[k].msg) != NULL &&
                          strstr(metcn_last_error(), "mut.pon") != NULL,
                      "%s: message '%s' lacks '%s'", cases[k].what, metcn_last_error(),
                      cases[k].msg);
    }
    free(text);
    metcn_pon_destroy(pon);
    for (size_t j = 0; j < N_NORMALS; j++)
        free_sample(v[j]);
    free_truth(&t);
    gsl_rng_free(r);
}
END_TEST

/* A normal that failed (unreadable input) is recorded in the PoN as failed with its reason,
 * survives the file round trip, and changes nothing the PoN computes; files written before
 * the reason column existed (12 fields) still load; a reason on a normal that is used is
 * refused. */
START_TEST(test_failed_normal)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 11);
    truth_t t = make_truth(r);
    metcn_covtab_t *v[N_NORMALS];
    make_normals(r, &t, v, N_NORMALS, 1.0, -1);
    metcn_pon_t *pon = metcn_pon_build(panel, v, N_NORMALS, NULL, NULL);
    ck_assert_msg(pon != NULL, "%s", metcn_last_error());
    char plain[512], failed[512], old[512];
    snprintf(plain, sizeof plain, "%s/plain.pon", tmpdir);
    snprintf(failed, sizeof failed, "%s/failed.pon", tmpdir);
    snprintf(old, sizeof old, "%s/old.pon", tmpdir);
    ck_assert_int_eq(metcn_pon_write(pon, plain, "test"), 0);
    ck_assert_int_eq(metcn_pon_add_failed(pon, "N99", "n99.bam: truncated\tfile"), 0);
    ck_assert_int_eq((int)metcn_pon_n_samples(pon), N_NORMALS + 1);
    ck_assert_int_eq((int)metcn_pon_n_normals(pon), N_NORMALS);
    ck_assert_int_eq(metcn_pon_write(pon, failed, "test"), 0);
    metcn_pon_t *l = metcn_pon_load(failed);
    ck_assert_msg(l != NULL, "%s", metcn_last_error());
    ck_assert_int_eq((int)metcn_pon_n_samples(l), N_NORMALS + 1);
    ck_assert_int_eq((int)metcn_pon_n_normals(l), N_NORMALS);
    const metcn_pon_sample_t *f = metcn_pon_sample(l, N_NORMALS);
    ck_assert_str_eq(f->name, "N99");
    ck_assert_str_eq(f->reason, "n99.bam: truncated file"); /* a tab would break the line */
    ck_assert_int_eq(f->dropped, 1);
    ck_assert_int_eq(f->sex, METCN_SEX_UNKNOWN);
    ck_assert(isnan(f->mapd) && isnan(f->z_max));
    for (size_t j = 0; j < N_NORMALS; j++)
        ck_assert_ptr_null(metcn_pon_sample(l, j)->reason);
    /* the same statistics as the PoN without it: every component and bin line equal */
    size_t la, lb;
    char *a = slurp(plain, &la), *b = slurp(failed, &lb);
    strstr(a, "\nchecksum\t")[1] = '\0';
    strstr(b, "\nchecksum\t")[1] = '\0';
    ck_assert_str_eq(strstr(a, "\n#component"), strstr(b, "\n#component"));
    metcn_pon_destroy(l);
    free(b);
    /* a file without the reason column (12 sample fields, as written before it existed) */
    kstring_t k = KS_INITIALIZE;
    char *body = a;
    for (char *line = body, *nl; *line; line = nl + 1) {
        nl = strchr(line, '\n');
        size_t n = (size_t)(nl - line);
        if (strncmp(line, "sample\t", 7) == 0 || strncmp(line, "#sample\t", 8) == 0)
            while (line[n] != '\t') /* drop the last field */
                n--;
        kputsn(line, n, &k);
        kputc('\n', &k);
    }
    ck_assert_ptr_null(strstr(k.s, "\treason"));
    write_with_checksum(old, k.s);
    l = metcn_pon_load(old);
    ck_assert_msg(l != NULL, "%s", metcn_last_error());
    ck_assert_int_eq((int)metcn_pon_n_samples(l), N_NORMALS);
    ck_assert_ptr_null(metcn_pon_sample(l, 0)->reason);
    metcn_pon_destroy(l);
    /* a reason on a normal that is not dropped is refused */
    char *sample = strstr(body, "\nsample\t") + 1, *end = strchr(sample, '\n');
    ck_assert_int_eq(strncmp(end - 6, "\t0\t0\t.", 6), 0); /* outlier 0, dropped 0, no reason */
    k.l = 0;
    kputsn(body, (size_t)(end - 1 - body), &k);
    kputs("gone", &k);
    kputs(end, &k);
    write_with_checksum(old, k.s);
    expect_load_error(old, METCN_E_FORMAT, "a normal that failed (reason given) must be dropped");
    free(k.s);
    free(a);
    metcn_pon_destroy(pon);
    for (size_t j = 0; j < N_NORMALS; j++)
        free_sample(v[j]);
    free_truth(&t);
    gsl_rng_free(r);
}
END_TEST

/* ---- SNP sites (pon build --snps) ---- */

enum { SITE_BIAS, SITE_PARALOG, SITE_NEVER, SITE_NOISY, SITE_SHALLOW, SITE_X, N_TSITES };

/* The sites list of the site test: six sites on chr1 and one on chrX, counts 0. */
static metcn_sites_t *test_sites(size_t n, int shift)
{
    metcn_sites_t *s = calloc(1, sizeof *s);
    s->n = n;
    s->contig = calloc(n, sizeof *s->contig);
    s->pos = calloc(n, sizeof *s->pos);
    s->ref = calloc(n, 1);
    s->alt = calloc(n, 1);
    s->ref_count = calloc(n, sizeof *s->ref_count);
    s->alt_count = calloc(n, sizeof *s->alt_count);
    s->other_count = calloc(n, sizeof *s->other_count);
    s->source = strdup("sites.vcf");
    s->min_baseq = 20;
    int chr1 = -1, chrx = -1;
    for (int c = 0; c < panel->n_contigs; c++) {
        if (strcmp(panel->contigs[c].name, "chr1") == 0)
            chr1 = c;
        if (strcmp(panel->contigs[c].name, "chrX") == 0)
            chrx = c;
    }
    for (size_t i = 0; i < n; i++) {
        s->contig[i] = i == SITE_X ? chrx : chr1;
        s->pos[i] = (i == SITE_X ? 5000100 : 1000100 + 1000000 * (int64_t)i) + shift;
        s->ref[i] = 'A';
        s->alt[i] = 'G';
    }
    return s;
}

/* Normal j's counts at the test sites (200 reads each, 10 at the shallow site), drawn
 * binomially from each site's truth; xy: the normal is male (one chrX: homozygous there). */
static void fill_counts(gsl_rng *r, metcn_sites_t *s, size_t j, int xy)
{
    double ref_frac[N_TSITES] = {[SITE_BIAS] = j < 6 ? 0.58 : 1.0, /* 6 het normals, REF 0.58 */
                                 [SITE_PARALOG] = 0.7,             /* "het" in everybody */
                                 [SITE_NEVER] = 1.0,               /* homozygous REF everywhere */
                                 [SITE_NOISY] =
                                     j < 6 ? (j % 2 ? 0.3 : 0.7) : 1.0, /* het, scattered */
                                 [SITE_SHALLOW] = 0.5,
                                 [SITE_X] = xy ? 1.0 : 0.5};
    for (size_t i = 0; i < N_TSITES; i++) {
        unsigned depth = i == SITE_SHALLOW ? 10 : 200;
        unsigned ref = ref_frac[i] >= 1 ? depth : gsl_ran_binomial(r, ref_frac[i], depth);
        s->ref_count[i] = ref;
        s->alt_count[i] = depth - ref;
    }
}

START_TEST(test_pon_sites)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 17);
    truth_t t = make_truth(r);
    metcn_covtab_t *v[N_NORMALS];
    make_normals(r, &t, v, N_NORMALS, 1.0, -1);
    metcn_sites_t *list = test_sites(N_TSITES, 0);
    for (size_t j = 0; j < N_NORMALS; j++) {
        v[j]->sites = test_sites(N_TSITES, 0);
        fill_counts(r, v[j]->sites, j, (int)(j % 2));
    }
    metcn_pon_t *pon = metcn_pon_build(panel, v, N_NORMALS, NULL, NULL);
    ck_assert_msg(pon != NULL, "%s", metcn_last_error());
    ck_assert_int_eq((int)metcn_pon_n_sites(pon), 0);
    metcn_pon_site_opt_t so;
    metcn_pon_site_opt_init(&so);
    ck_assert_int_eq(metcn_pon_sites_compute(pon, list, v, N_NORMALS, &so), 0);
    ck_assert_int_eq((int)metcn_pon_n_sites(pon), N_TSITES);

    char path[512];
    snprintf(path, sizeof path, "%s/sites.pon", tmpdir);
    ck_assert_int_eq(metcn_pon_write(pon, path, "test"), 0);
    metcn_pon_t *l = metcn_pon_load(path);
    ck_assert_msg(l != NULL, "%s", metcn_last_error());
    for (int round = 0; round < 2; round++) { /* built, then loaded back */
        const metcn_pon_t *p = round ? l : pon;
        const metcn_pon_site_t *s = metcn_pon_sites(p);
        ck_assert_int_eq((int)metcn_pon_n_sites(p), N_TSITES);
        /* bias: 6 of 12 het, median REF fraction within binomial noise of 0.58 (SD 0.035
         * per normal at 200 reads), no flag */
        ck_assert_int_eq(s[SITE_BIAS].n_depth, 12);
        ck_assert_int_eq(s[SITE_BIAS].n_het, 6);
        ck_assert_msg(fabs(s[SITE_BIAS].ref_bias - 0.58) < 0.04, "bias %g", s[SITE_BIAS].ref_bias);
        ck_assert_uint_eq(s[SITE_BIAS].flags, 0);
        /* paralogue: het in all 12 (P(Bin(12, 1/2) >= 12) = 2.4e-4), REF 0.7: constant and
         * biased */
        ck_assert_int_eq(s[SITE_PARALOG].n_het, 12);
        ck_assert_uint_eq(s[SITE_PARALOG].flags, METCN_PON_SITE_CONSTANT | METCN_PON_SITE_BIASED);
        ck_assert_uint_eq(s[SITE_NEVER].flags, METCN_PON_SITE_NEVER_HET);
        ck_assert(isnan(s[SITE_NEVER].ref_bias));
        /* scattered het normals (0.3 / 0.7): noisy, their median near 0.5 is not biased */
        ck_assert_int_eq(s[SITE_NOISY].n_het, 6);
        ck_assert_uint_eq(s[SITE_NOISY].flags, METCN_PON_SITE_NOISY);
        ck_assert_msg(s[SITE_NOISY].ref_bias_sd > 0.15, "sd %g", s[SITE_NOISY].ref_bias_sd);
        /* 10 reads: no normal has depth, nothing to say */
        ck_assert_int_eq(s[SITE_SHALLOW].n_depth, 0);
        ck_assert_uint_eq(s[SITE_SHALLOW].flags, 0);
        ck_assert(isnan(s[SITE_SHALLOW].depth));
        /* chrX: only the XX normals count (the PoN infers the sexes from chrX depth) */
        ck_assert_int_eq(s[SITE_X].n_depth, 6);
        ck_assert_int_eq(s[SITE_X].n_het, 6);
        ck_assert_uint_eq(s[SITE_X].flags, 0);
        ck_assert_int_eq(
            (int)metcn_pon_site_find(p, list->contig[SITE_NOISY], list->pos[SITE_NOISY], 'A', 'G'),
            SITE_NOISY);
        ck_assert_int_eq(
            (int)metcn_pon_site_find(p, list->contig[SITE_NOISY], list->pos[SITE_NOISY], 'A', 'T'),
            -1);
        ck_assert_int_eq((int)metcn_pon_site_find(p, list->contig[SITE_NOISY],
                                                  list->pos[SITE_NOISY] + 1, 'A', 'G'),
                         -1);
    }
    const metcn_pon_site_t *a = metcn_pon_sites(pon), *b = metcn_pon_sites(l);
    for (size_t i = 0; i < N_TSITES; i++) {
        ck_assert(a[i].contig == b[i].contig && a[i].pos == b[i].pos && a[i].flags == b[i].flags);
        ck_assert(isnan(a[i].ref_bias) ? isnan(b[i].ref_bias)
                                       : fabs(a[i].ref_bias - b[i].ref_bias) < 1e-8);
    }
    /* errors naming the table: a normal without allele counts, one at other sites */
    metcn_sites_t *keep = v[3]->sites;
    v[3]->sites = NULL;
    ck_assert_int_eq(metcn_pon_sites_compute(pon, list, v, N_NORMALS, &so), METCN_E_ARG);
    ck_assert_ptr_nonnull(strstr(metcn_last_error(), "N03: no allele counts"));
    v[3]->sites = test_sites(N_TSITES, 1);
    ck_assert_int_eq(metcn_pon_sites_compute(pon, list, v, N_NORMALS, &so), METCN_E_INCOMPATIBLE);
    ck_assert_ptr_nonnull(strstr(metcn_last_error(), "N03: allele counts at other sites"));
    metcn_sites_destroy(v[3]->sites);
    v[3]->sites = keep;
    metcn_pon_destroy(l);
    metcn_pon_destroy(pon);
    metcn_sites_destroy(list);
    for (size_t j = 0; j < N_NORMALS; j++) {
        metcn_sites_destroy(v[j]->sites);
        free_sample(v[j]);
    }
    free_truth(&t);
    gsl_rng_free(r);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("pon");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_centre_recovers_efficiency);
    tcase_add_test(tc, test_gc_curve_removed);
    tcase_add_test(tc, test_component_captures_factor);
    tcase_add_test(tc, test_outlier_normal);
    tcase_add_test(tc, test_too_few_normals);
    tcase_add_test(tc, test_file_integrity);
    tcase_add_test(tc, test_genes_on_two_chromosomes);
    tcase_add_test(tc, test_loader_reproducers);
    tcase_add_test(tc, test_loader_mutations);
    tcase_add_test(tc, test_failed_normal);
    tcase_add_test(tc, test_pon_sites);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    metcn_init();
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
