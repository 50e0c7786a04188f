/* concord.h -- NGS-vs-FISH concordance: the statistics (2x2 agreement with exact intervals,
 * Cohen's and weighted kappa, correlations, Bland-Altman, ROC/AUC) and the pipeline behind
 * `metcn concordance` (read metcn calls tables and a FISH table, match samples by id,
 * classify both sides, compute everything, write JSON/TSV/SVG).
 *
 * Undefined quantities (an empty denominator, a constant variable, too few pairs) are NaN in
 * the structs below and carry a static `note` saying why; the writers print them as JSON null
 * and TSV "NA", never as a number. */
#ifndef METCN_CONCORD_H
#define METCN_CONCORD_H

#include <stddef.h>
#include <stdint.h>

#include "metcn/call.h"
#include "metcn/stats.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- tiers: the caller's one tier model (metcn_criteria_t, call.h) -------------------------- */

#define METCN_CONCORD_TIER_NA (-1)

/* ---- the concordance pipeline ------------------------------------------------------------ */

/** When is a sample "amplified"? Amplified when ANY rule that is set holds; a rule whose
 *  input is NA for the sample does not hold; when every rule that is set has an NA input, the
 *  sample is unclassified (-1). */
typedef struct {
    double ratio_min; /* gene/CEP ratio (FISH) or the calls' ratio (NGS) >= this; NaN = unused */
    double level_min; /* mean gene signals per nucleus (FISH) or copy number (NGS) >= this */
    int tier_min;     /* tier >= this; METCN_CONCORD_TIER_NA = unused */
} metcn_amp_rule_t;

/** Parse "ratio:X", "tier:NAME" (a tier of crit above its first), "mean:X" (FISH) or "cn:X"
 *  (NGS), comma-separated for "any of". ngs selects which level keyword is accepted. Returns 0
 *  or METCN_E_FORMAT (message recorded). */
int metcn_concord_parse_rule(const char *spec, int ngs, const metcn_criteria_t *crit,
                             metcn_amp_rule_t *rule);
/** Format a rule back ("ratio>=2 or cn>=5"); returns buf. */
const char *metcn_concord_rule_str(const metcn_amp_rule_t *rule, int ngs,
                                   const metcn_criteria_t *crit, char *buf, size_t size);
/** 1 amplified, 0 not, -1 unclassified. */
int metcn_concord_rule_apply(const metcn_amp_rule_t *rule, double ratio, double level, int tier);

typedef struct {
    /* FISH table columns (matched case-sensitively against the header) */
    const char *fish_sample;   /* "sample" */
    const char *fish_ratio;    /* "met_cep7_ratio" */
    const char *fish_met;      /* "met_per_nucleus" (mean MET signals per nucleus) */
    const char *fish_nucleus;  /* "nucleus" (per-nucleus format) */
    const char *fish_met_n;    /* "met" (per-nucleus MET signal count) */
    const char *fish_cep7_n;   /* "cep7" (per-nucleus CEP7 signal count) */
    metcn_amp_rule_t fish_amp; /* default ratio >= 2.0 */
    metcn_amp_rule_t ngs_amp;  /* default ratio >= 2.0 */
    const char *gene;          /* rows of this gene from a gene-neutral calls table ("MET") */
    metcn_criteria_t criteria; /* the tier model of both sides (FISH tiers from its ratio and
                                  mean count; NGS tiers when ngs_tier_from_ratio); default
                                  metcn_criteria_default(gene) */
    int ngs_tier_from_ratio;   /* 0: the calls' tier column; 1: tier of the ratio and cn */
    int include_qc_fail;       /* 0: calls with qc = fail are excluded (and listed) */
    double level;              /* confidence level of every interval, 0.95 */
} metcn_concord_opt_t;

void metcn_concord_opt_init(metcn_concord_opt_t *opt);

typedef enum {
    METCN_CONCORD_MATCHED = 0,    /* in both tables, once each */
    METCN_CONCORD_NGS_ONLY,       /* in the calls, not in the FISH table */
    METCN_CONCORD_FISH_ONLY,      /* in the FISH table, not in the calls */
    METCN_CONCORD_DUPLICATE_NGS,  /* id on more than one calls row: excluded */
    METCN_CONCORD_DUPLICATE_FISH, /* id on more than one FISH summary row (or a nucleus
                                     repeated): excluded */
    METCN_CONCORD_QC_FAIL         /* matched but the call failed QC: excluded */
} metcn_concord_status_t;
/** "matched", "ngs_only", "fish_only", "duplicate_ngs", "duplicate_fish", "qc_fail". */
const char *metcn_concord_status_name(metcn_concord_status_t s);

typedef struct {
    char *sample;
    metcn_concord_status_t status;
    int n_ngs_rows, n_fish_rows; /* rows seen with this id (duplicates > 1) */
    /* NGS side (NaN / TIER_NA when NA or absent) */
    double ngs_met_cn, ngs_chr7_cn, ngs_ratio;
    int ngs_tier;
    char ngs_qc[8];
    /* FISH side */
    double fish_ratio, fish_met, fish_cep7;
    int64_t fish_nuclei;                  /* 0 unless per-nucleus counts were given */
    double fish_ge4, fish_ge5, fish_ge15; /* share of nuclei with >= 4, 5, 15 MET signals */
    int fish_tier;
    int ngs_amp, fish_amp; /* 1, 0, -1 unclassified */
} metcn_concord_sample_t;

/** The statistics, in output order: X(id, "json/tsv name"). */
#define METCN_CONCORD_STATS(X)                                                                     \
    X(TP, "tp")                                                                                    \
    X(FP, "fp")                                                                                    \
    X(FN, "fn")                                                                                    \
    X(TN, "tn")                                                                                    \
    X(OPA, "opa")                                                                                  \
    X(PPA, "ppa")                                                                                  \
    X(NPA, "npa")                                                                                  \
    X(SENSITIVITY, "sensitivity")                                                                  \
    X(SPECIFICITY, "specificity")                                                                  \
    X(PPV, "ppv")                                                                                  \
    X(NPV, "npv")                                                                                  \
    X(ACCURACY, "accuracy")                                                                        \
    X(KAPPA, "kappa")                                                                              \
    X(TIER_AGREEMENT, "tier_agreement")                                                            \
    X(WKAPPA_LINEAR, "weighted_kappa_linear")                                                      \
    X(WKAPPA_QUADRATIC, "weighted_kappa_quadratic")                                                \
    X(PEARSON, "pearson")                                                                          \
    X(SPEARMAN, "spearman")                                                                        \
    X(PEARSON_CN, "pearson_cn")                                                                    \
    X(SPEARMAN_CN, "spearman_cn")                                                                  \
    X(BA_BIAS, "bland_altman_bias")                                                                \
    X(BA_SD, "bland_altman_sd")                                                                    \
    X(BA_LOA_LOW, "bland_altman_loa_low")                                                          \
    X(BA_LOA_HIGH, "bland_altman_loa_high")                                                        \
    X(AUC, "auc")                                                                                  \
    X(AUC_RATIO, "auc_ratio")                                                                      \
    X(AUC_CN, "auc_cn")                                                                            \
    X(YOUDEN_RATIO, "youden_cutoff_ratio")                                                         \
    X(YOUDEN_CN, "youden_cutoff_cn")

#define METCN_CONCORD_STAT_ENUM_(id, name) METCN_CSTAT_##id,
typedef enum { METCN_CONCORD_STATS(METCN_CONCORD_STAT_ENUM_) METCN_CONCORD_N_STATS } metcn_cstat_t;
#undef METCN_CONCORD_STAT_ENUM_
/** Output name of a statistic ("sensitivity"). */
const char *metcn_concord_stat_name(metcn_cstat_t s);

typedef struct {
    metcn_concord_opt_t opt;
    metcn_concord_sample_t *samples; /* sorted by sample id */
    size_t n_samples;
    size_t n_calls_rows, n_fish_rows;
    size_t n_matched;     /* MATCHED */
    size_t n_classified;  /* MATCHED with both amplified calls defined: the 2x2 table */
    size_t n_tiered;      /* MATCHED with both tiers defined: the tier table */
    int fish_per_nucleus; /* the FISH table was per-nucleus counts */
    int calls_format;     /* of the last calls table read: 1 = metcn 0.1 (met_cn ...), 2 =
                             gene-neutral (cn, control_cn, ratio ...) */
    int64_t tier_matrix[METCN_CRITERIA_MAX_TIERS][METCN_CRITERIA_MAX_TIERS]; /* [ngs][fish],
                                                   opt.criteria.n_tiers used */
    metcn_stat_t stat[METCN_CONCORD_N_STATS];
    metcn_roc_t roc_ratio, roc_cn;
    char **calls_paths; /* inputs, for the report */
    size_t n_calls_paths;
    char *fish_path;
} metcn_concord_t;

/** Read n_calls calls tables (metcn call's PREFIX.calls.tsv, either the 0.1 columns sample
 *  met_cn chr7_cn met_chr7_ratio tier or the gene-neutral sample gene cn control_cn ratio
 *  tier, whose rows of opt->gene only are read; columns found by header name, extra columns
 *  ignored) and a FISH table (TSV or CSV: a summary table with one row per
 *  sample, or per-nucleus rows sample/nucleus/met/cep7, recognised by its header), match by
 *  sample id and compute every statistic. NULL on error (message names the file and line).
 *  Caller frees with metcn_concord_destroy(). */
metcn_concord_t *metcn_concord_run(const char *const *calls, size_t n_calls, const char *fish,
                                   const metcn_concord_opt_t *opt);
void metcn_concord_destroy(metcn_concord_t *c);

/** Compute the statistics from c->samples (already classified). Exposed for tests. */
int metcn_concord_compute(metcn_concord_t *c);

/** Writers (atomic). cmdline may be NULL. Return 0 or a negative code. */
int metcn_concord_write_json(const metcn_concord_t *c, const char *path, const char *cmdline);
/** Statistics table: statistic estimate ci_low ci_high se n note. */
int metcn_concord_write_tsv(const metcn_concord_t *c, const char *path);
/** One row per sample id with both sides, classifications and status. */
int metcn_concord_write_samples(const metcn_concord_t *c, const char *path);
/** Scatter of NGS vs FISH ratio (log axes) with the tier bands on both axes. */
int metcn_concord_write_scatter_svg(const metcn_concord_t *c, const char *path);
/** ROC curves of NGS ratio and copy number predicting FISH amplification. */
int metcn_concord_write_roc_svg(const metcn_concord_t *c, const char *path);

#ifdef __cplusplus
}
#endif
#endif
