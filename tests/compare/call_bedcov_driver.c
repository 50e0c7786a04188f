/* call_bedcov_driver.c -- metcn's PoN and caller on coverage from `samtools bedcov`
 * (an independent coverage path, used by call_bedcov.sh; not part of the build).
 *   driver PANEL.bed REF.fa MANIFEST BEDCOV_DIR OUT.calls.tsv KIND
 * Builds a PoN from the manifest's normals (kind "normal"), calls every sample of KIND at
 * its true purity and ploidy (p = 1 assumed for normals) and writes a calls table. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <htslib/faidx.h>
#include "metcn/call.h"
#include "metcn/pon.h"
#include "metcn/report.h"
#include "metcn/util.h"
static metcn_covtab_t *load(const metcn_panel_t *p, const char *path, const char *name,
                            const double *gc)
{
    metcn_covtab_t *t = calloc(1, sizeof *t);
    t->panel = p;
    t->n = p->n_bins;
    t->sample = strdup(name);
    t->source = strdup(path);
    t->format = strdup("metcn");
    t->fragments = calloc(p->n_bins, 8);
    t->depth = calloc(p->n_bins, 8);
    t->gc = malloc(p->n_bins * 8);
    memcpy(t->gc, gc, p->n_bins * 8);
    t->has_gc = 1;
    FILE *f = fopen(path, "r");
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        char *fl[8];
        int nf = metcn_split(line, '\t', fl, 8);
        long s = atol(fl[1]), e = atol(fl[2]);
        long i = metcn_panel_find(p, fl[0], s, e);
        if (i >= 0)
            t->depth[i] = atof(fl[nf - 1]) / (double)(e - s);
    }
    fclose(f);
    return t;
}
int main(int argc, char **argv)
{
    metcn_init();
    metcn_panel_opt_t po;
    metcn_panel_opt_init(&po);
    po.build = "grch38";
    metcn_panel_t *p = metcn_panel_load(argv[1], &po, NULL);
    if (!p) {
        fprintf(stderr, "%s\n", metcn_last_error());
        return 1;
    }
    faidx_t *fai = fai_load(argv[2]);
    double *gc = malloc(p->n_bins * 8);
    for (size_t i = 0; i < p->n_bins; i++) {
        hts_pos_t len;
        char *s = faidx_fetch_seq64(fai, p->contigs[p->bins[i].contig].name, p->bins[i].start,
                                    p->bins[i].end - 1, &len);
        long g = 0, n = 0;
        for (hts_pos_t k = 0; k < len; k++) {
            char c = s[k] & ~32;
            if (c == 'G' || c == 'C')
                g++, n++;
            else if (c == 'A' || c == 'T')
                n++;
        }
        gc[i] = n ? (double)g / n : NAN;
        free(s);
    }
    FILE *m = fopen(argv[3], "r");
    char line[4096];
    fgets(line, sizeof line, m);
    metcn_covtab_t *norm[64];
    size_t nn = 0;
    char *tn[256];
    double tp[256], tpl[256];
    size_t nt = 0;
    char path[600];
    char *kindfilter = argc > 6 ? argv[6] : "tumour";
    while (fgets(line, sizeof line, m)) {
        char *f[20];
        metcn_split(line, '\t', f, 20);
        snprintf(path, sizeof path, "%s/%s.tsv", argv[4], f[0]);
        if (!strcmp(f[1], "normal"))
            norm[nn++] = load(p, path, f[0], gc);
        if (!strcmp(f[1], kindfilter)) {
            tn[nt] = strdup(f[0]);
            tp[nt] = atof(f[11]);
            tpl[nt] = atof(f[12]);
            nt++;
        }
    }
    metcn_pon_opt_t o;
    metcn_pon_opt_init(&o);
    metcn_pon_t *pon = metcn_pon_build(p, norm, nn, gc, &o);
    if (!pon) {
        fprintf(stderr, "%s\n", metcn_last_error());
        return 1;
    }
    metcn_gene_t *met = metcn_panel_gene(metcn_pon_panel(pon), "MET", NULL);
    if (!met) {
        fprintf(stderr, "%s\n", metcn_last_error());
        return 1;
    }
    metcn_call_t **calls = calloc(nt, sizeof *calls);
    for (size_t i = 0; i < nt; i++) {
        snprintf(path, sizeof path, "%s/%s.tsv", argv[4], tn[i]);
        metcn_covtab_t *t = load(metcn_pon_panel(pon), path, tn[i], gc);
        metcn_cnr_t *cnr;
        if (metcn_pon_normalize(pon, t, met, &cnr)) {
            fprintf(stderr, "%s\n", metcn_last_error());
            return 1;
        }
        metcn_call_opt_t co;
        metcn_call_opt_init(&co);
        if (tp[i] > 0) {
            co.purity = co.purity_lo = co.purity_hi = tp[i];
            co.purity_given = 1;
            co.ploidy = tpl[i];
        }
        calls[i] = metcn_call_run(met, cnr, tn[i], &co, NULL);
        if (!calls[i]) {
            fprintf(stderr, "%s\n", metcn_last_error());
            return 1;
        }
        metcn_cnr_destroy(cnr);
    }
    metcn_report_calls_tsv(argv[5], calls, nt);
    if (argc > 7) {
        metcn_report_svg(argv[7], calls[0]);
    }
    return 0;
}
