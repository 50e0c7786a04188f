/* call_dump_driver.c -- dump every number of a MET call at full precision (%.17g), for
 * comparing two builds of the caller (tests/compare/call_base_compare.sh).  Compiled against
 * either tree: -DBASE_API for the one-gene caller of 0.1 (commit 2f6e834: metcn_call_run(panel,
 * cnr, sample, opt, pon_warning), fields met/chr7), else the gene-neutral caller.  Field names
 * in the dump are the gene-neutral ones.
 *
 *   call_dump_driver PON PURITY PLOIDY INPUT...   (PURITY 0: not given)
 *
 * Inputs are BAM/CRAM files or coverage tables, normalised exactly as `metcn call` does. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <htslib/sam.h>

#include "metcn/call.h"
#include "metcn/cov.h"
#include "metcn/metcn.h"
#include "metcn/pon.h"

#ifdef BASE_API
#define F_GENE met
#define F_CONTROL chr7
#define F_CONTROL_P chr7p
#define F_CONTROL_Q chr7q
#define F_GENE_CN met_cn
#define F_CONTROL_CN chr7_cn
#define F_CONTROL_P_CN chr7p_cn
#define F_CONTROL_Q_CN chr7q_cn
#define F_GAINED chr7_gained
#else
#define F_GENE gene_lv
#define F_CONTROL control_lv
#define F_CONTROL_P control_p
#define F_CONTROL_Q control_q
#define F_GENE_CN gene_cn
#define F_CONTROL_CN control_cn
#define F_CONTROL_P_CN control_p_cn
#define F_CONTROL_Q_CN control_q_cn
#define F_GAINED control_gained
#endif

static void num(const char *s, const char *k, double v)
{
    printf("%s\t%s\t%.17g\n", s, k, v);
}

static void level(const char *s, const char *k, const metcn_level_t *l)
{
    char b[64];
    const char *f[] = {"est", "se", "se_model", "lo", "hi", "q", "df", "n", "n_downweighted"};
    double v[] = {l->est, l->se, l->se_model, l->lo, l->hi, l->q, l->df, l->n, l->n_downweighted};
    for (int i = 0; i < 9; i++) {
        snprintf(b, sizeof b, "%s.%s", k, f[i]);
        num(s, b, v[i]);
    }
}

static void cn(const char *s, const char *k, const metcn_cn_t *c)
{
    char b[64];
    const char *f[] = {"cn", "lo", "hi", "floored"};
    double v[] = {c->cn, c->lo, c->hi, c->floored};
    for (int i = 0; i < 4; i++) {
        snprintf(b, sizeof b, "%s.%s", k, f[i]);
        num(s, b, v[i]);
    }
}

static void dump(const metcn_call_t *c)
{
    const char *s = c->sample;
    level(s, "gene", &c->F_GENE);
    level(s, "control", &c->F_CONTROL);
    level(s, "control_p", &c->F_CONTROL_P);
    level(s, "control_q", &c->F_CONTROL_Q);
    level(s, "arm", &c->arm);
    cn(s, "gene_cn", &c->F_GENE_CN);
    cn(s, "control_cn", &c->F_CONTROL_CN);
    cn(s, "control_p_cn", &c->F_CONTROL_P_CN);
    cn(s, "control_q_cn", &c->F_CONTROL_Q_CN);
    cn(s, "arm_cn", &c->arm_cn);
    const char *k[] = {"ratio",
                       "ratio_lo",
                       "ratio_hi",
                       "tier",
                       "equivocal",
                       "high_amp",
                       "gcn_class",
                       "pattern",
                       "amplicon",
                       "control_gained",
                       "excess_log2",
                       "excess_se",
                       "has_extent",
                       "extent_start",
                       "extent_end",
                       "extent_outer_start",
                       "extent_outer_end",
                       "extent_log2",
                       "lod_cn",
                       "qc",
                       "noise_k",
                       "mapd",
                       "median_depth",
                       "gc_strength",
                       "sys_sd",
                       "centre_shift",
                       "arms_differ",
                       "gene_arm",
                       "n_target_bins",
                       "n_control_bins",
                       "n_control_focal",
                       "n_segs"};
    double v[] = {c->ratio,
                  c->ratio_lo,
                  c->ratio_hi,
                  c->tier,
                  c->equivocal,
                  c->high_amp,
                  c->gcn_class,
                  c->pattern,
                  c->amplicon,
                  c->F_GAINED,
                  c->excess_log2,
                  c->excess_se,
                  c->has_extent,
                  (double)c->extent_start,
                  (double)c->extent_end,
                  (double)c->extent_outer_start,
                  (double)c->extent_outer_end,
                  c->extent_log2,
                  c->lod_cn,
                  c->qc,
                  c->noise_k,
                  c->mapd,
                  c->median_depth,
                  c->gc_strength,
                  c->sys_sd,
                  c->centre_shift,
                  c->arms_differ,
                  c->gene_arm,
                  c->n_target_bins,
                  c->n_control_bins,
                  c->n_control_focal,
                  (double)c->n_segs};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        num(s, k[i], v[i]);
    char b[64];
    for (size_t i = 0; i < c->n; i++) {
        snprintf(b, sizeof b, "bin%zu.log2", i);
        num(s, b, c->log2[i]);
        snprintf(b, sizeof b, "bin%zu.weight", i);
        num(s, b, c->weight[i]);
        snprintf(b, sizeof b, "bin%zu.flag", i);
        num(s, b, c->bin_flag[i]);
    }
    for (size_t i = 0; i < c->n_segs; i++) {
        const metcn_segment_t *g = &c->segs[i];
        snprintf(b, sizeof b, "seg%zu", i);
        printf("%s\t%s\t%d:%lld-%lld:%zu-%zu:%d\n", s, b, g->contig, (long long)g->start,
               (long long)g->end, g->first_bin, g->last_bin, g->n);
        snprintf(b, sizeof b, "seg%zu.log2", i);
        num(s, b, g->log2);
        snprintf(b, sizeof b, "seg%zu.se", i);
        num(s, b, g->se);
    }
#ifdef BASE_API
    printf("%s\tqc_reasons\t%s\n", s, c->qc_reasons);
#else
    char *q = metcn_call_qc_string(c);
    printf("%s\tqc_reasons\t%s\n", s, q ? q : "?");
    free(q);
#endif
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: call_dump_driver PON PURITY PLOIDY INPUT...\n");
        return 2;
    }
    metcn_init();
    metcn_pon_t *pon = metcn_pon_load(argv[1]);
    if (!pon) {
        fprintf(stderr, "%s\n", metcn_last_error());
        return 1;
    }
    const metcn_panel_t *panel = metcn_pon_panel(pon);
    metcn_call_opt_t opt;
    metcn_call_opt_init(&opt);
    double p = atof(argv[2]);
    if (p > 0) {
        opt.purity = opt.purity_lo = opt.purity_hi = p;
#ifdef BASE_API
        opt.purity_given = 1;
#else
        opt.purity_source = METCN_PURITY_GIVEN;
#endif
    }
    opt.ploidy = atof(argv[3]);
    metcn_cov_opt_t co;
    metcn_cov_opt_init(&co);
    size_t nn = metcn_pon_n_normals(pon);
#ifndef BASE_API
    metcn_gene_t *gene = metcn_panel_gene(panel, "MET", NULL);
    if (!gene) {
        fprintf(stderr, "%s\n", metcn_last_error());
        return 1;
    }
#endif
    for (int i = 4; i < argc; i++) {
        size_t l = strlen(argv[i]);
        int reads = l > 4 &&
                    (strcmp(argv[i] + l - 4, ".bam") == 0 || strcmp(argv[i] + l - 5, ".cram") == 0);
        metcn_covtab_t *cov =
            reads ? metcn_cov_compute(argv[i], panel, &co) : metcn_covtab_read(argv[i], panel);
        metcn_cnr_t *cnr = NULL;
        if (!cov || metcn_pon_normalize(pon, cov, &cnr)) {
            fprintf(stderr, "%s: %s\n", argv[i], metcn_last_error());
            return 1;
        }
#ifdef BASE_API
        char warn[64] = "";
        if (nn < 10)
            snprintf(warn, sizeof warn, "pon_normals=%zu<10", nn);
        metcn_call_t *c = metcn_call_run(panel, cnr, cov->sample, &opt, warn);
#else
        metcn_call_t *c = metcn_call_run(gene, cnr, cov->sample, &opt);
        if (c && nn < (size_t)opt.min_pon_normals)
            metcn_call_add_qc(c, METCN_QC_PON_NORMALS, METCN_QC_WARN, (double)nn,
                              opt.min_pon_normals);
#endif
        if (!c) {
            fprintf(stderr, "%s: %s\n", argv[i], metcn_last_error());
            return 1;
        }
        dump(c);
        metcn_call_destroy(c);
        metcn_cnr_destroy(cnr);
        metcn_covtab_destroy(cov);
    }
    metcn_pon_destroy(pon);
    return 0;
}
