/* pon_driver.c -- comparison helper for tests/compare/pon_cnvkit.sh: builds a metcn PoN from
 * CNVkit .cnn coverage files with libmetcn and writes normalised log2 per sample, without the
 * metcn CLI (so the comparison does not depend on the coverage engine: both tools start from
 * the same CNVkit depths).  GC per bin comes from the FASTA (htslib faidx).
 *   pon_driver PANEL.bed REF.fa OUTDIR --normals A.cnn B.cnn ... --samples X.cnn Y.cnn ...
 * Writes OUTDIR/<basename>.cnr (chromosome start end gene log2 weight) for each sample. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <htslib/faidx.h>

#include "metcn/cov.h"
#include "metcn/metcn.h"
#include "metcn/pon.h"
#include "metcn/panel.h"

static metcn_covtab_t *read_cnn(const char *path, const metcn_panel_t *p)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        return NULL;
    metcn_covtab_t *t = calloc(1, sizeof *t);
    t->panel = p;
    t->n = p->n_bins;
    t->depth = calloc(p->n_bins, sizeof(double));
    t->gc = calloc(p->n_bins, sizeof(double));
    for (size_t i = 0; i < p->n_bins; i++)
        t->depth[i] = NAN;
    const char *b = strrchr(path, '/');
    t->sample = strdup(b ? b + 1 : path);
    char *dot = strstr(t->sample, ".targetcoverage.cnn");
    if (!dot)
        dot = strstr(t->sample, ".cnn");
    if (dot)
        *dot = 0;
    t->source = strdup(path);
    char line[4096];
    while (fgets(line, sizeof line, fp)) {
        char c[256], g[1024];
        long long s, e;
        double d;
        if (sscanf(line, "%255s %lld %lld %1023s %lf", c, &s, &e, g, &d) != 5)
            continue;
        long k = metcn_panel_find(p, c, s, e);
        if (k >= 0)
            t->depth[k] = d;
    }
    fclose(fp);
    for (size_t i = 0; i < p->n_bins; i++)
        if (!isfinite(t->depth[i])) {
            fprintf(stderr, "%s: bin %zu missing\n", path, i);
            exit(1);
        }
    return t;
}

static void free_tab(metcn_covtab_t *t)
{
    free(t->depth);
    free(t->gc);
    free(t->sample);
    free(t->source);
    free(t);
}

int main(int argc, char **argv)
{
    metcn_init();
    if (argc < 6) {
        fprintf(stderr, "usage: pon_driver PANEL REF OUTDIR --normals CNN... --samples CNN...\n");
        return 2;
    }
    metcn_panel_opt_t po;
    metcn_panel_opt_init(&po);
    metcn_panel_t *p = metcn_panel_load(argv[1], &po, NULL);
    if (!p) {
        fprintf(stderr, "%s\n", metcn_last_error());
        return 1;
    }
    faidx_t *fai = fai_load(argv[2]);
    double *gc = malloc(p->n_bins * sizeof *gc);
    for (size_t i = 0; i < p->n_bins; i++) {
        hts_pos_t len;
        char *seq = faidx_fetch_seq64(fai, p->contigs[p->bins[i].contig].name, p->bins[i].start,
                                      p->bins[i].end - 1, &len);
        long at = 0, cg = 0;
        for (hts_pos_t k = 0; seq && k < len; k++) {
            int ch = toupper((unsigned char)seq[k]);
            at += ch == 'A' || ch == 'T';
            cg += ch == 'C' || ch == 'G';
        }
        gc[i] = at + cg ? (double)cg / (double)(at + cg) : NAN;
        free(seq);
    }
    fai_destroy(fai);
    metcn_covtab_t *normals[1024];
    size_t nn = 0;
    int a = 4;
    if (strcmp(argv[a], "--normals") != 0)
        return 2;
    for (a++; a < argc && strcmp(argv[a], "--samples") != 0; a++)
        normals[nn++] = read_cnn(argv[a], p);
    metcn_pon_opt_t o;
    metcn_pon_opt_init(&o);
    metcn_log_set_level(METCN_LOG_ERROR);
    metcn_pon_t *pon = metcn_pon_build(p, normals, nn, gc, &o);
    if (!pon) {
        fprintf(stderr, "%s\n", metcn_last_error());
        return 1;
    }
    fprintf(stderr, "pon: %zu normals, %d components, median mapd %.4f\n", nn,
            metcn_pon_n_components(pon), metcn_pon_median_mapd(pon));
    for (a++; a < argc; a++) {
        metcn_covtab_t *t = read_cnn(argv[a], p);
        metcn_cnr_t *c = NULL;
        if (metcn_pon_normalize(pon, t, &c) < 0) {
            fprintf(stderr, "%s\n", metcn_last_error());
            return 1;
        }
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.cnr", argv[3], t->sample);
        FILE *fp = fopen(path, "w");
        fprintf(fp, "chromosome\tstart\tend\tgene\tlog2\tweight\n");
        for (size_t i = 0; i < p->n_bins; i++)
            fprintf(fp, "%s\t%lld\t%lld\t%s\t%.6f\t%.6g\n", p->contigs[p->bins[i].contig].name,
                    (long long)p->bins[i].start, (long long)p->bins[i].end,
                    p->bins[i].name ? p->bins[i].name : "-", c->log2[i], c->weight[i]);
        fclose(fp);
        metcn_cnr_destroy(c);
        free_tab(t);
    }
    metcn_pon_destroy(pon);
    for (size_t j = 0; j < nn; j++)
        free_tab(normals[j]);
    metcn_panel_destroy(p);
    free(gc);
    return 0;
}
