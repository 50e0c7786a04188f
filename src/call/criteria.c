/* criteria.c -- the one tier model: criteria presets per gene (each with its published
 * source, docs/method.md section 6), the tier of a (ratio, copy number), whether an interval
 * box meets more than one tier, and the class names shared by every writer. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "metcn/call.h"

#define NOB (-INFINITY)
#define NOT INFINITY
/* a tier on the ratio alone: ratio >= lo (> when open) */
#define RATIO_TIER(nm, lo, open, pos)                                                              \
    {                                                                                              \
        nm, lo, open, NOT, NOB, NOT, NOT, pos                                                      \
    }
#define FALLBACK(nm)                                                                               \
    {                                                                                              \
        nm, NOB, 0, NOT, NOB, NOT, NOT, 0                                                          \
    }

static const metcn_criteria_t presets[] = {
    /* MET/CEP7, Camidge DR et al., J Clin Oncol 2014;32(15 suppl):8001 (PROFILE 1001 MET
     * cohort): low 1.8-2.2, intermediate >2.2-<5, high >=5. */
    {"camidge",
     "MET",
     "Camidge DR et al., J Clin Oncol 2014;32(15 suppl):8001 (PROFILE 1001)",
     4,
     {FALLBACK("negative"), RATIO_TIER("low", 1.8, 0, 0), RATIO_TIER("intermediate", 2.2, 1, 1),
      RATIO_TIER("high", 5.0, 0, 1)}},
    /* MET/CEP7, Camidge DR et al., J Thorac Oncol 2021;16:1017-1029: high >=4. */
    {"profile2021",
     "MET",
     "Camidge DR et al., J Thorac Oncol 2021;16:1017-1029 (PROFILE 1001 final MET analysis)",
     4,
     {FALLBACK("negative"), RATIO_TIER("low", 1.8, 0, 0), RATIO_TIER("intermediate", 2.2, 1, 1),
      RATIO_TIER("high", 4.0, 0, 1)}},
    /* HER2/CEP17 dual-probe ISH groups, Wolff AC et al., J Clin Oncol 2018;36:2105-2122
     * (ASCO/CAP 2018 focused update).  Ordered group 5 (negative) to group 1 (positive);
     * groups 2-4 need the IHC work-up. */
    {"asco-cap-2018",
     "ERBB2",
     "Wolff AC et al., J Clin Oncol 2018;36:2105-2122 (ASCO/CAP HER2 testing, 2018 update)",
     5,
     {FALLBACK("group5"),
      {"group4", NOB, 0, 2.0, 4.0, 6.0, NOT, 0},
      {"group3", NOB, 0, 2.0, 6.0, NOT, NOT, 0},
      {"group2", 2.0, 0, NOT, NOB, 4.0, NOT, 0},
      {"group1", 2.0, 0, NOT, 4.0, NOT, NOT, 1}}},
    /* EGFR/CEP7, Colorado FISH criteria: Cappuzzo F, Hirsch FR et al., J Natl Cancer Inst
     * 2005;97:643-655.  Per-nucleus rules read on the mean copy number (docs/method.md):
     * amplified = ratio >= 2 or >= 15 copies; high polysomy = >= 4 copies. */
    {"colorado",
     "EGFR",
     "Cappuzzo F, Hirsch FR et al., J Natl Cancer Inst 2005;97:643-655 (Colorado EGFR FISH)",
     3,
     {FALLBACK("negative"),
      {"high_polysomy", NOB, 0, NOT, 4.0, NOT, NOT, 1},
      {"amplified", 2.0, 0, NOT, NOB, NOT, 15.0, 1}}},
    /* Any gene: the common dual-probe ISH amplification cut-off, gene/centromere >= 2.0. */
    {"ratio2",
     "",
     "gene/centromere ratio >= 2.0, the common dual-probe ISH amplification cut-off",
     2,
     {FALLBACK("not_amplified"), RATIO_TIER("amplified", 2.0, 0, 1)}},
};
#define N_PRESETS (sizeof presets / sizeof presets[0])
static const char *const preset_names[] = {"camidge",  "profile2021", "asco-cap-2018",
                                           "colorado", "ratio2",      NULL};

const metcn_criteria_t *metcn_criteria_get(const char *name)
{
    for (size_t i = 0; i < N_PRESETS; i++)
        if (name && strcasecmp(name, presets[i].name) == 0)
            return &presets[i];
    return NULL;
}

const char *const *metcn_criteria_names(void)
{
    return preset_names;
}

const metcn_criteria_t *metcn_criteria_default(const char *gene)
{
    /* the first preset written for the gene is its default */
    for (size_t i = 0; i < N_PRESETS; i++)
        if (gene && presets[i].gene[0] && strcasecmp(gene, presets[i].gene) == 0)
            return &presets[i];
    return metcn_criteria_get("ratio2");
}

void metcn_criteria_ratio_tiers(metcn_criteria_t *out, double low, double intermediate, double high)
{
    *out = presets[0];
    snprintf(out->name, sizeof out->name, "custom");
    out->source = "user-given ratio boundaries";
    out->tier[1].ratio_min = low;
    out->tier[2].ratio_min = intermediate;
    out->tier[3].ratio_min = high;
}

static int holds(const metcn_tier_def_t *t, double ratio, double cn)
{
    if (cn >= t->cn_alone)
        return 1;
    if (t->ratio_min > NOB && !(t->ratio_open ? ratio > t->ratio_min : ratio >= t->ratio_min))
        return 0;
    if (t->ratio_max < NOT && !(ratio < t->ratio_max))
        return 0;
    if (t->cn_min > NOB && !(cn >= t->cn_min))
        return 0;
    if (t->cn_max < NOT && !(cn < t->cn_max))
        return 0;
    return 1;
}

int metcn_criteria_tier(const metcn_criteria_t *c, double ratio, double cn)
{
    if (isnan(ratio))
        return 0;
    for (int t = c->n_tiers - 1; t > 0; t--)
        if (holds(&c->tier[t], ratio, cn))
            return t;
    return 0;
}

/* The values of one axis worth testing inside [lo, hi]: both ends and every boundary of
 * that axis strictly inside (tiers are unions of boxes cut at those boundaries). */
static int axis_points(const metcn_criteria_t *c, int is_cn, double lo, double hi, double *pt)
{
    int n = 0;
    pt[n++] = lo;
    pt[n++] = hi;
    for (int t = 0; t < c->n_tiers; t++) {
        const metcn_tier_def_t *d = &c->tier[t];
        double b[3] = {is_cn ? d->cn_min : d->ratio_min, is_cn ? d->cn_max : d->ratio_max,
                       is_cn ? d->cn_alone : NAN};
        for (int k = 0; k < 3; k++)
            if (b[k] > lo && b[k] < hi)
                pt[n++] = b[k];
    }
    return n;
}

int metcn_criteria_spans(const metcn_criteria_t *c, double ratio_lo, double ratio_hi, double cn_lo,
                         double cn_hi)
{
    double rp[2 + 3 * METCN_CRITERIA_MAX_TIERS], cp[2 + 3 * METCN_CRITERIA_MAX_TIERS];
    int nr = axis_points(c, 0, ratio_lo, ratio_hi, rp);
    int nc = axis_points(c, 1, cn_lo, cn_hi, cp);
    int first = metcn_criteria_tier(c, ratio_lo, cn_lo);
    for (int i = 0; i < nr; i++)
        for (int j = 0; j < nc; j++)
            if (metcn_criteria_tier(c, rp[i], cp[j]) != first)
                return 1;
    return 0;
}

const char *metcn_criteria_tier_name(const metcn_criteria_t *c, int t)
{
    return c && t >= 0 && t < c->n_tiers ? c->tier[t].name : "NA";
}

int metcn_criteria_tier_parse(const metcn_criteria_t *c, const char *s)
{
    for (int t = 0; c && s && t < c->n_tiers; t++)
        if (strcasecmp(s, c->tier[t].name) == 0)
            return t;
    return -1;
}

int metcn_criteria_uses_cn(const metcn_criteria_t *c)
{
    for (int t = 1; t < c->n_tiers; t++)
        if (c->tier[t].cn_min > NOB || c->tier[t].cn_max < NOT || c->tier[t].cn_alone < NOT)
            return 1;
    return 0;
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

const char *metcn_purity_source_name(int s)
{
    static const char *const n[] = {"assumed", "given", "vaf", "estimated", "somatic"};
    return s >= 0 && s < 5 ? n[s] : "unknown";
}

const char *metcn_detection_name(int d)
{
    static const char *const n[] = {"not_detected", "detected", "not_assessable"};
    return d >= 0 && d < 3 ? n[d] : "NA";
}
