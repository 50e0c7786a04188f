/* fragments.c -- the short-fragment excess at the gene as supporting evidence of a plasma call
 * (docs/plasma.md "Fragment-length evidence").  Tumour-derived cell-free DNA is shorter than
 * normal-derived: where the tumour has more copies, more of the gene's fragments are
 * tumour-derived and more are short.  The sample's short share at the gene is compared with the
 * PoN's expectation there, less the same difference over the genome's reference bins (which
 * takes out the sample's own fragment-length profile and its genome-wide tumour share). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "metcn/call.h"
#include "metcn/metcn.h"

void metcn_frag_opt_init(metcn_frag_opt_t *opt)
{
    opt->support_z = 3.09;
    opt->tumour_enrichment = 1.8;
    opt->min_fragments = 500;
}

const char *metcn_frag_support_name(int s)
{
    static const char *const n[] = {"not_assessable", "neutral", "supports", "against"};
    return s >= 0 && s < 4 ? n[s] : "not_assessable";
}

/* One group's share S, the PoN's expectation E (bins weighted by the sample's fragments) and
 * the variance of S - E: binomial in the sample's count; per bin, the normals' scatter beyond
 * their own binomial noise (the sample's bin varies as much about its centre) and the error of
 * the centre itself (a median of N normals: pi/2 spread^2 / N). */
typedef struct {
    double n, a, e, var_extra;
} group_t;

static void group_add(group_t *g, double a, double n, const metcn_pon_frag_t *pf, size_t i)
{
    double c = pf->centre[i], sd = pf->spread[i], m = pf->fragments[i];
    double binom = m > 0 ? c * (1 - c) / m : 0;
    double extra = isfinite(sd) ? fmax(sd * sd - binom, 0) : 0;
    double centre_var =
        isfinite(sd) && pf->n_normals > 0 ? M_PI / 2 * sd * sd / (double)pf->n_normals : 0;
    g->n += n;
    g->a += a;
    g->e += n * c;
    g->var_extra += n * n * (extra + centre_var);
}

int metcn_frag_excess(const int64_t *n_short, const int64_t *n_total, const unsigned char *group,
                      const metcn_pon_frag_t *pf, metcn_frag_evidence_t *out)
{
    group_t g[3];
    memset(g, 0, sizeof g);
    for (size_t i = 0; i < pf->n; i++) {
        if (group[i] < 1 || group[i] > 2 || n_total[i] <= 0 || n_short[i] < 0 ||
            n_short[i] > n_total[i] || !isfinite(pf->centre[i]))
            continue;
        group_add(&g[group[i]], (double)n_short[i], (double)n_total[i], pf, i);
    }
    out->gene_fragments = (int64_t)g[1].n;
    out->genome_fragments = (int64_t)g[2].n;
    if (g[1].n <= 0 || g[2].n <= 0)
        return METCN_E_TOOFEW;
    double var = 0, s[3], e[3];
    for (int k = 1; k <= 2; k++) {
        s[k] = g[k].a / g[k].n;
        e[k] = g[k].e / g[k].n;
        var += s[k] * (1 - s[k]) / g[k].n + g[k].var_extra / (g[k].n * g[k].n);
    }
    out->computed = 1;
    out->short_max = pf->short_max;
    out->short_frac = s[1];
    out->genome_frac = s[2];
    out->genome_frac_expected = e[2];
    out->short_frac_expected = e[1] + (s[2] - e[2]);
    out->excess = (s[1] - e[1]) - (s[2] - e[2]);
    out->excess_se = sqrt(var);
    out->excess_z = out->excess_se > 0 ? out->excess / out->excess_se : NAN;
    return 0;
}

double metcn_frag_predict(double ratio, double t_genome, double normal_short, double tumour_short)
{
    if (!(ratio > 0) || !isfinite(ratio) || !(t_genome >= 0 && t_genome < 1))
        return NAN;
    return (1 - t_genome) * (1 - 1 / ratio) * (tumour_short - normal_short);
}

/* Why the sample's evidence cannot be assessed (static), NULL when it can. */
static const char *unassessable(const metcn_call_t *c, const metcn_pon_frag_t *pf,
                                const metcn_covtab_t *cov)
{
    if (c->sample_type != METCN_SAMPLE_PLASMA)
        return "tissue"; /* tissue DNA is sheared: its fragment length says nothing of origin */
    if (!pf || pf->n != c->n)
        return "no_pon_shares";
    if (!cov || cov->n != c->n || cov->n_frag_class == 0 || !cov->frag_class ||
        (cov->n > 0 && metcn_covtab_frags_between(cov, 0, 0, pf->short_max) < 0))
        return "no_fragment_classes";
    if (cov->size_max > 0)
        return "size_selected";
    return NULL;
}

/* supports / against / neutral from the excess and its prediction. */
static int decide(const metcn_frag_evidence_t *f, const metcn_frag_opt_t *opt)
{
    if (f->excess_z >= opt->support_z)
        return METCN_FRAG_SUPPORTS;
    /* against only when the fragments show nothing where the depth call's amplification
     * would show with 95% power: an excess smaller than predicted is no contradiction (the
     * tumour's length shift is not known well enough) */
    if (f->predicted > 0 && f->excess_se > 0 &&
        f->predicted / f->excess_se >= opt->support_z + 1.6448536)
        return METCN_FRAG_AGAINST;
    return METCN_FRAG_NEUTRAL;
}

/* Counts of the gene's (1) and the genome's (2) bins, then the excess. */
static int measure(metcn_call_t *c, const metcn_pon_frag_t *pf, const metcn_covtab_t *cov)
{
    size_t n = c->n;
    int64_t *a = malloc((n ? n : 1) * sizeof *a), *t = malloc((n ? n : 1) * sizeof *t);
    unsigned char *grp = calloc(n ? n : 1, 1);
    int rc = a && t && grp ? 0 : metcn_set_error(METCN_E_NOMEM, "call: out of memory");
    for (size_t i = 0; i < n && rc == 0; i++) {
        a[i] = metcn_covtab_frags_between(cov, i, 0, pf->short_max);
        t[i] = metcn_covtab_frags_between(cov, i, 0, METCN_COV_MAX_FRAGMENT + 1);
        if (c->bin_flag[i] & METCN_BIN_TARGET)
            grp[i] = 1;
        else if ((c->bin_flag[i] & METCN_BIN_USED) && c->gene->role[i] == METCN_ROLE_REFERENCE)
            grp[i] = 2;
    }
    if (rc == 0 && metcn_frag_excess(a, t, grp, pf, &c->frag) < 0)
        rc = 1; /* no fragment in a group */
    free(a);
    free(t);
    free(grp);
    return rc;
}

int metcn_call_fragments(metcn_call_t *c, const metcn_pon_t *pon, const metcn_covtab_t *cov,
                         const metcn_frag_opt_t *opt)
{
    metcn_frag_opt_t defaults;
    if (!opt) {
        metcn_frag_opt_init(&defaults);
        opt = &defaults;
    }
    const metcn_pon_frag_t *pf = metcn_pon_frag(pon);
    metcn_frag_evidence_t *f = &c->frag;
    memset(f, 0, sizeof *f);
    f->support = METCN_FRAG_NOT_ASSESSABLE;
    f->short_frac = f->short_frac_expected = f->genome_frac = f->genome_frac_expected = NAN;
    f->excess = f->excess_se = f->excess_z = f->predicted = NAN;
    if ((f->reason = unassessable(c, pf, cov)))
        return 0;
    int rc = measure(c, pf, cov);
    if (rc < 0)
        return rc;
    if (rc > 0 || f->gene_fragments < opt->min_fragments) {
        f->reason = "too_few_fragments";
        return 0;
    }
    double fr = c->purity_source == METCN_PURITY_ASSUMED ? 0 : c->purity;
    double t_genome = fr < 1 ? fr * c->ploidy / (fr * c->ploidy + 2 * (1 - fr)) : NAN;
    f->predicted = metcn_frag_predict(exp2(c->gene_lv.est), t_genome, pf->genome_median,
                                      fmin(1, opt->tumour_enrichment * pf->genome_median));
    f->support = decide(f, opt);
    f->reason = "assessed";
    if (c->detection == METCN_DETECTION_DETECTED && f->support == METCN_FRAG_AGAINST)
        return metcn_call_add_qc(c, METCN_QC_FRAGMENTS_DISAGREE, METCN_QC_WARN, f->excess_z, NAN);
    if (c->detection != METCN_DETECTION_DETECTED && f->support == METCN_FRAG_SUPPORTS)
        return metcn_call_add_qc(c, METCN_QC_FRAGMENTS_DISAGREE, METCN_QC_PASS, f->excess_z, NAN);
    return 0;
}
