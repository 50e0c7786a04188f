/* plasma.c -- what a plasma call reports, for every sample type: the tumour fraction from a
 * variant allele fraction, the copy number of the mixture, the detection decision and the
 * detection limit as a tumour fraction.  Formulas and assumptions: docs/method.md section 10. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "metcn/call.h"
#include "metcn/metcn.h"
#include "metcn/stats.h"
#include "metcn/util.h"
#include "stages.h"

int metcn_vaf_parse(const char *s, double *vaf, int64_t *depth)
{
    char buf[64];
    if (!s || strlen(s) >= sizeof buf)
        return METCN_E_FORMAT;
    strcpy(buf, s);
    char *colon = strchr(buf, ':');
    *depth = 0;
    if (colon) {
        *colon = '\0';
        int r = metcn_parse_int64(colon + 1, 1, INT64_C(1000000000), depth);
        if (r)
            return r;
    }
    double v;
    int r = metcn_parse_double(buf, -INFINITY, INFINITY, &v);
    if (r)
        return r;
    if (!(v > 0 && v <= 0.5))
        return METCN_E_RANGE;
    *vaf = v;
    return 0;
}

int metcn_tf_from_vaf(double vaf, int64_t depth, double conf, double *tf, double *lo, double *hi)
{
    if (!(vaf > 0 && vaf <= 0.5) || !(conf > 0 && conf < 1) || depth < 0)
        return metcn_set_error(METCN_E_ARG,
                               "vaf %g (depth %lld, level %g): the allele fraction "
                               "must lie in (0, 0.5]",
                               vaf, (long long)depth, conf);
    /* a clonal heterozygous variant in a diploid region sits on one of the two copies of every
     * tumour cell and on none of the normal ones: VAF = TF / 2 */
    *tf = *lo = *hi = 2 * vaf;
    if (depth == 0)
        return 0;
    int64_t x = llround(vaf * (double)depth);
    double pl, ph;
    int r = metcn_clopper_pearson(x, depth, conf, &pl, &ph);
    if (r)
        return r;
    *lo = 2 * pl > METCN_TF_FLOOR ? 2 * pl : METCN_TF_FLOOR;
    *hi = 2 * ph < 1 ? 2 * ph : 1;
    if (*lo > *tf)
        *lo = *tf;
    if (*hi < *tf)
        *hi = *tf;
    return 0;
}

double metcn_lod_tf(double cn, const metcn_lod_model_t *m)
{
    double sg = m->sd_gene, sc = m->sd_control, zd = m->z_detect, zp = m->z_power,
           mr = m->min_ratio;
    if (!(isfinite(cn) && sg >= 0 && sc >= 0 && zd >= 0 && zp >= 0 && mr >= 1))
        return NAN;
    double k = (cn - 2) / 2, s = sqrt(sg * sg + sc * sc);
    if (!(k > 0))
        return INFINITY;
    /* significance: log2(1 + k f) >= (zd + zp) s */
    double f1 = (exp2((zd + zp) * s) - 1) / k;
    /* amount: log2(1 + k f) - zp s >= log2(1 + (mr - 1) f), i.e. (1 + k f) >= a (1 + (mr - 1) f)
     * with a = 2^(zp s): linear in f; no fraction suffices when k <= a (mr - 1) */
    double a = exp2(zp * s), den = k - a * (mr - 1);
    if (!(den > 0))
        return INFINITY;
    double f2 = (a - 1) / den;
    double f = f1 > f2 ? f1 : f2;
    return f <= 1 ? f : INFINITY;
}

/* The mixture's copy number as plasma assays report it: twice the copy ratio against the
 * genome baseline, with the level's interval; no tumour fraction involved. */
int call_plasma_cn(metcn_call_t *c, const metcn_call_opt_t *opt)
{
    (void)opt;
    const metcn_level_t *lv[2] = {&c->gene_lv, &c->control_lv};
    metcn_cn_t *out[2] = {&c->plasma_cn, &c->plasma_control};
    for (int k = 0; k < 2; k++)
        *out[k] = (metcn_cn_t){2 * exp2(lv[k]->est), 2 * exp2(lv[k]->lo), 2 * exp2(lv[k]->hi), 0};
    return 0;
}

/* The noise the detection limit faces: the gene level's model SE and the systematic SD (not
 * the gene's own scatter, which an amplicon may raise), and the control level's SE. */
int call_lod_tf(metcn_call_t *c, const metcn_call_opt_t *opt)
{
    double sm = c->gene_lv.se_model;
    c->lod_power = opt->lod_power;
    c->lod_model =
        (metcn_lod_model_t){sqrt(sm * sm + c->sys_sd * c->sys_sd), c->control_lv.se,
                            gsl_cdf_ugaussian_Qinv(opt->detect_alpha),
                            gsl_cdf_ugaussian_Pinv(opt->lod_power), opt->detect_min_ratio};
    c->lod_tf_cn5 = metcn_lod_tf(5, &c->lod_model);
    c->lod_tf_cn10 = metcn_lod_tf(10, &c->lod_model);
    return 0;
}

void call_detection_decide(metcn_call_t *c)
{
    if (c->qc == METCN_QC_FAIL) {
        c->detection = METCN_DETECTION_NOT_ASSESSABLE;
        c->detection_reason = "qc_fail";
    } else if (c->detect_significant && c->detect_amount) {
        c->detection = METCN_DETECTION_DETECTED;
        c->detection_reason = "significant_and_amount";
    } else if (c->purity_source == METCN_PURITY_ASSUMED) {
        c->detection = METCN_DETECTION_NOT_ASSESSABLE;
        c->detection_reason = "tumour_fraction_unknown";
    } else if (!(c->purity_lo >= c->lod_tf_cn5)) {
        /* NaN or INFINITY (5 copies not detectable at any fraction) land here too */
        c->detection = METCN_DETECTION_NOT_ASSESSABLE;
        c->detection_reason = "below_lod_tf_cn5";
    } else {
        c->detection = METCN_DETECTION_NOT_DETECTED;
        c->detection_reason = "above_lod_tf_cn5";
    }
}

/* Detected: the gene significantly above its control (one-sided at detect_alpha, with the t
 * quantile of the gene level's df when its scatter was estimated) by a clinically meaningful
 * amount: the tumour-cell
 * gene/control ratio that the mixture's excess e implies at the tumour fraction's point
 * estimate f is at least detect_min_ratio.  With the control at K copies per tumour cell,
 * 2^e = [f C + 2(1-f)] / [f K + 2(1-f)], so C / K = 1 + (2^e - 1) (f K + 2(1-f)) / (f K).  K is
 * 2 unless the control is significantly gained (then its estimate): the control's copy number
 * is never a divisor by itself, since at a low fraction it is dominated by noise (a control
 * level 0.03 log2 low at f = 0.02 is 0 copies), while the excess e is measured directly. */
int call_detection(metcn_call_t *c, const metcn_call_opt_t *opt)
{
    double q = isfinite(c->gene_lv.df) && c->gene_lv.df >= 1
                   ? gsl_cdf_tdist_Qinv(opt->detect_alpha, c->gene_lv.df)
                   : gsl_cdf_ugaussian_Qinv(opt->detect_alpha);
    double e = c->gene_lv.est - c->control_lv.est, f = c->purity;
    double k = call_cn_gained(&c->control_cn, opt) ? c->control_cn.cn : 2.0;
    c->detect_excess = e;
    c->detect_excess_se = sqrt(c->gene_lv.se * c->gene_lv.se + c->control_lv.se * c->control_lv.se);
    c->detect_significant = e - q * c->detect_excess_se > 0;
    c->detect_min_ratio = opt->detect_min_ratio;
    c->detect_alpha = opt->detect_alpha;
    c->detect_quantile = q;
    c->detect_control_cn = k;
    c->detect_ratio = 1 + (exp2(e) - 1) * (f * k + 2 * (1 - f)) / (f * k);
    c->detect_amount = c->detect_ratio >= opt->detect_min_ratio;
    call_detection_decide(c);
    return 0;
}
