/* call.c -- one gene of one sample: options, their check, and metcn_call_run() as the
 * sequence of stages in stages.c; QC records.  Formulas in docs/method.md. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <htslib/kstring.h>

#include "metcn/call.h"
#include "metcn/metcn.h"
#include "metcn/util.h"
#include "stages.h"

void metcn_call_opt_init(metcn_call_opt_t *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->purity = opt->purity_lo = opt->purity_hi = 1.0;
    opt->purity_source = METCN_PURITY_ASSUMED;
    opt->ploidy = 2.0;
    opt->estimate_purity = 0;
    opt->disagree_min = 0.05;
    metcn_purity_opt_init(&opt->fit);
    metcn_frag_opt_init(&opt->frag);
    metcn_somatic_opt_init(&opt->somatic);
    opt->criteria = NULL;
    opt->conf = 0.95;
    opt->huber_k = 2.0;
    opt->min_sys_sd = 0.03;
    opt->control_huber_k = 1.345;
    opt->noise_min_pairs = 10;
    opt->seg_penalty = 16.0;
    opt->focal_max_span = 20e6;
    opt->focal_min_delta = 0.2;
    opt->focal_min_z = 3.0;
    opt->polysomy_cn = 2.5;
    opt->focal_min_excess = 0.75;
    opt->high_amp_cn = 10.0;
    opt->gcn_amplified = 5.0;
    opt->gcn_gain = 4.0;
    opt->min_target_bins = 3;
    opt->min_control_bins = 3;
    opt->control_bins_warn = 10;
    opt->hetero_alpha = 0.001;
    opt->hetero_min_bins = 3;
    opt->noise_warn = 1.5;
    opt->mapd_warn = 0.30;
    opt->mapd_fail = 0.50;
    opt->depth_warn = 30;
    opt->depth_fail = 10;
    opt->gc_warn = 0.05;
    opt->gc_fail = 0.15;
    opt->min_pon_normals = 10;
    opt->sample_type = METCN_SAMPLE_TISSUE;
    opt->detect_min_ratio = 2.0;
    opt->detect_alpha = 0.001;
    opt->lod_power = 0.95;
}

/* One range check: lo <= v <= hi (strict ends when open), else METCN_E_ARG naming it. */
static int in_range(const char *name, double v, double lo, double hi, int open)
{
    int ok = open ? v > lo && v < hi : v >= lo && v <= hi;
    if (ok)
        return 0;
    return metcn_set_error(METCN_E_ARG, "%s %g is outside %c%g,%g%c", name, v, open ? '(' : '[', lo,
                           hi, open ? ')' : ']');
}

int metcn_call_opt_check(const metcn_call_opt_t *o)
{
    if (!o)
        return metcn_set_error(METCN_E_ARG, "call: no options");
    if (!(o->purity > 0 && o->purity <= 1) || !(o->purity_lo > 0) || !(o->purity_lo <= o->purity) ||
        !(o->purity_hi >= o->purity) || !(o->purity_hi <= 1))
        return metcn_set_error(METCN_E_ARG, "purity %g (range %g-%g) is outside (0,1]", o->purity,
                               o->purity_lo, o->purity_hi);
    int r = 0;
    if (!r && !(o->ploidy > 0 && o->ploidy <= 20))
        r = metcn_set_error(METCN_E_ARG, "ploidy %g is outside (0,20]", o->ploidy);
    if (!r)
        r = in_range("confidence", o->conf, 0, 1, 1);
    if (!r)
        r = in_range("huber_k", o->huber_k, 0, 1e6, 1);
    if (!r)
        r = in_range("control_huber_k", o->control_huber_k, 0, 1e6, 1);
    if (!r)
        r = in_range("min_sys_sd", o->min_sys_sd, 0, 10, 0);
    if (!r)
        r = in_range("seg_penalty", o->seg_penalty, 0, 1e9, 0);
    if (!r)
        r = in_range("focal_max_span", o->focal_max_span, 0, 1e12, 0);
    if (!r)
        r = in_range("focal_min_delta", o->focal_min_delta, 0, 100, 0);
    if (!r)
        r = in_range("focal_min_z", o->focal_min_z, 0, 1e6, 0);
    if (!r)
        r = in_range("polysomy_cn", o->polysomy_cn, 0, 1e6, 0);
    if (!r)
        r = in_range("focal_min_excess", o->focal_min_excess, 0, 1e6, 0);
    if (!r)
        r = in_range("high_amp_cn", o->high_amp_cn, 0, 1e6, 0);
    if (!r && !(o->gcn_gain >= 0 && o->gcn_gain <= o->gcn_amplified))
        r = metcn_set_error(METCN_E_ARG, "gcn_gain %g must lie in [0, gcn_amplified %g]",
                            o->gcn_gain, o->gcn_amplified);
    if (!r && (o->min_target_bins < 1 || o->min_control_bins < 1 || o->control_bins_warn < 0 ||
               o->hetero_min_bins < 2 || o->noise_min_pairs < 1 || o->min_pon_normals < 0))
        r = metcn_set_error(METCN_E_ARG,
                            "bin counts: min_target_bins %d, min_control_bins %d "
                            "(>= 1), hetero_min_bins %d (>= 2), noise_min_pairs %d "
                            "(>= 1) out of range",
                            o->min_target_bins, o->min_control_bins, o->hetero_min_bins,
                            o->noise_min_pairs);
    if (!r)
        r = in_range("hetero_alpha", o->hetero_alpha, 0, 0.5, 1);
    if (!r)
        r = in_range("noise_warn", o->noise_warn, 0, 1e6, 1);
    if (!r && !(o->mapd_warn > 0 && o->mapd_warn <= o->mapd_fail))
        r = metcn_set_error(METCN_E_ARG, "mapd_warn %g must lie in (0, mapd_fail %g]", o->mapd_warn,
                            o->mapd_fail);
    if (!r && !(o->depth_fail >= 0 && o->depth_fail <= o->depth_warn))
        r = metcn_set_error(METCN_E_ARG, "depth_fail %g must lie in [0, depth_warn %g]",
                            o->depth_fail, o->depth_warn);
    if (!r && !(o->gc_warn > 0 && o->gc_warn <= o->gc_fail))
        r = metcn_set_error(METCN_E_ARG, "gc_warn %g must lie in (0, gc_fail %g]", o->gc_warn,
                            o->gc_fail);
    if (!r && metcn_sample_type_name(o->sample_type)[0] == 'u')
        r = metcn_set_error(METCN_E_ARG, "sample_type %d is not tissue or plasma", o->sample_type);
    if (!r)
        r = in_range("detect_min_ratio", o->detect_min_ratio, 1, 1e6, 0);
    if (!r)
        r = in_range("detect_alpha", o->detect_alpha, 0, 0.5, 1);
    if (!r)
        r = in_range("lod_power", o->lod_power, 0.5, 1, 1);
    if (!r && o->criteria &&
        !(o->criteria->n_tiers >= 1 && o->criteria->n_tiers <= METCN_CRITERIA_MAX_TIERS))
        r = metcn_set_error(METCN_E_ARG, "criteria %s: %d tiers", o->criteria->name,
                            o->criteria->n_tiers);
    return r;
}

/* "P", "P+-D" (lower end floored at `floor`) or "LO-HI", each fraction in (0,1]. */
static int fraction_parse(const char *s, double floor, double *purity, double *lo, double *hi)
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
        *lo = p - d > floor ? p - d : floor;
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

int metcn_purity_parse(const char *s, double *purity, double *lo, double *hi)
{
    return fraction_parse(s, 0.01, purity, lo, hi);
}

int metcn_tf_parse(const char *s, double *tf, double *lo, double *hi)
{
    return fraction_parse(s, METCN_TF_FLOOR, tf, lo, hi);
}

/* ---- QC records ------------------------------------------------------------------------------ */

#define QC_NAME_(id, name, op, what) name,
#define QC_OP_(id, name, op, what) op,
#define QC_WHAT_(id, name, op, what) what,
static const char *const qc_names[] = {METCN_QC_CODES(QC_NAME_)};
static const char qc_ops[] = {METCN_QC_CODES(QC_OP_)};
static const char *const qc_what[] = {METCN_QC_CODES(QC_WHAT_)};

const char *metcn_qc_name(int q)
{
    static const char *const n[] = {"pass", "warn", "fail"};
    return q >= 0 && q < 3 ? n[q] : "unknown";
}

const char *metcn_qc_code_name(metcn_qc_code_t code)
{
    return (int)code >= 0 && code < METCN_QC_N_CODES ? qc_names[code] : "unknown";
}

char metcn_qc_code_op(metcn_qc_code_t code)
{
    return (int)code >= 0 && code < METCN_QC_N_CODES ? qc_ops[code] : 0;
}

const char *metcn_qc_code_protects(metcn_qc_code_t code)
{
    return (int)code >= 0 && code < METCN_QC_N_CODES ? qc_what[code] : "";
}

const char *metcn_qc_rec_str(const metcn_qc_rec_t *r, char *buf, size_t size)
{
    char op = metcn_qc_code_op(r->code);
    if (op && isfinite(r->threshold))
        snprintf(buf, size, "%s=%.3g%c%.3g", metcn_qc_code_name(r->code), r->value, op,
                 r->threshold);
    else
        snprintf(buf, size, "%s=%.3g", metcn_qc_code_name(r->code), r->value);
    return buf;
}

int metcn_call_add_qc(metcn_call_t *c, metcn_qc_code_t code, metcn_qc_t level, double value,
                      double threshold)
{
    metcn_qc_rec_t *t = realloc(c->qc_rec, (c->n_qc + 1) * sizeof *t);
    if (!t)
        return metcn_set_error(METCN_E_NOMEM, "call: out of memory");
    c->qc_rec = t;
    c->qc_rec[c->n_qc++] = (metcn_qc_rec_t){code, level, value, threshold};
    if (level > c->qc) {
        c->qc = level;
        if (c->detection_reason)
            call_detection_decide(c); /* a record added after the call can fail it */
    }
    return 0;
}

int metcn_call_check_sample_type(metcn_call_t *c, int pon_type)
{
    if (pon_type < 0 || pon_type == c->sample_type)
        return 0;
    return metcn_call_add_qc(c, METCN_QC_SAMPLE_TYPE_MISMATCH, METCN_QC_WARN, pon_type, NAN);
}

char *metcn_call_qc_string(const metcn_call_t *c)
{
    if (c->n_qc == 0)
        return strdup(".");
    kstring_t k = {0, 0, NULL};
    char buf[128];
    for (size_t i = 0; i < c->n_qc; i++) {
        if (i)
            kputc(';', &k);
        kputs(metcn_qc_rec_str(&c->qc_rec[i], buf, sizeof buf), &k);
    }
    return k.s;
}

/* ---- the call ------------------------------------------------------------------------------ */

void metcn_call_destroy(metcn_call_t *c)
{
    if (!c)
        return;
    free(c->sample);
    free(c->qc_rec);
    free(c->log2);
    free(c->sd);
    free(c->depth);
    free(c->weight);
    free(c->bin_flag);
    free(c->segs);
    metcn_purity_destroy(c->pfit);
    metcn_somatic_free(&c->somatic);
    free(c);
}

metcn_call_t *metcn_call_run(const metcn_gene_t *gene, const metcn_cnr_t *cnr, const char *sample,
                             const metcn_call_opt_t *opt)
{
    metcn_call_t *c = NULL;
    if (!gene || !cnr || !opt) {
        metcn_set_error(METCN_E_ARG, "call: missing input");
        return NULL;
    }
    if (metcn_call_opt_check(opt))
        return NULL;
    if (cnr->n != gene->panel->n_bins) {
        metcn_set_error(METCN_E_INCOMPATIBLE, "%s: %zu bins, the panel has %zu", sample, cnr->n,
                        gene->panel->n_bins);
        return NULL;
    }
    if (gene->contig < 0 || gene->n_role[METCN_ROLE_TARGET] == 0) {
        metcn_set_error(METCN_E_NOTARGET, "%s: the panel has no %s bins", sample, gene->name);
        return NULL;
    }
    if (!(c = call_init(gene, cnr, sample, opt)))
        return NULL;
    if (call_noise(c, opt) || call_levels(c, opt) || call_segments(c, opt) ||
        call_control(c, opt) || call_systematic(c, opt) || call_arms(c, opt) ||
        call_copy_number(c, opt) || call_plasma_cn(c, opt) || call_classify(c, opt) ||
        call_pattern(c, opt) || call_lod(c, opt) || call_lod_tf(c, opt) || call_qc(c, opt) ||
        call_detection(c, opt)) {
        metcn_call_destroy(c);
        return NULL;
    }
    return c;
}
