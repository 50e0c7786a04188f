/* pon_driver.c -- comparison helper for tests/compare/pon_cnvkit.sh: builds a metcn PoN from
 * CNVkit .cnn coverage files with libmetcn and writes normalised log2 per sample, without the
 * metcn CLI (so the comparison does not depend on the coverage engine: both tools start from
 * the same CNVkit depths).  Every input goes through the sample pipeline (metcn_sample_*: its
 * kind from its content); GC per bin comes once from the FASTA (metcn_gc_compute()).  Samples
 * are normalised for MET (fits off chromosome 7, as the comparison's noise leaves chr7 out).
 *   pon_driver PANEL.bed REF.fa OUTDIR --normals A.cnn B.cnn ... --samples X.cnn Y.cnn ...
 * Writes OUTDIR/<sample>.cnr (chromosome start end gene log2 weight) for each sample. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metcn/metcn.h"
#include "metcn/panel.h"
#include "metcn/pon.h"
#include "metcn/sample.h"

static int fail(void)
{
    fprintf(stderr, "pon_driver: %s\n", metcn_last_error());
    return 1;
}

/* The coverage of path on p (the caller owns it). */
static metcn_covtab_t *coverage(const char *path, const metcn_panel_t *p)
{
    metcn_sample_t *s = metcn_sample_open(path, NULL);
    metcn_covtab_t *t = NULL;
    if (s && metcn_sample_coverage(s, p) == 0) {
        t = s->cov;
        s->cov = NULL;
    }
    metcn_sample_close(s);
    return t;
}

static int write_cnr(const char *dir, const metcn_sample_t *s, const metcn_cnr_t *c,
                     const metcn_panel_t *p)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.cnr", dir, s->name);
    FILE *fp = fopen(path, "w");
    if (!fp)
        return metcn_set_error(METCN_E_IO, "%s: cannot open for writing", path);
    fprintf(fp, "chromosome\tstart\tend\tgene\tlog2\tweight\n");
    for (size_t i = 0; i < p->n_bins; i++)
        fprintf(fp, "%s\t%lld\t%lld\t%s\t%.6f\t%.6g\n", p->contigs[p->bins[i].contig].name,
                (long long)p->bins[i].start, (long long)p->bins[i].end,
                p->bins[i].name ? p->bins[i].name : "-", c->log2[i], c->weight[i]);
    return fclose(fp) == 0 ? 0 : metcn_set_error(METCN_E_IO, "%s: write failed", path);
}

int main(int argc, char **argv)
{
    metcn_init();
    metcn_log_set_level(METCN_LOG_ERROR);
    if (argc < 6 || strcmp(argv[4], "--normals") != 0) {
        fprintf(stderr, "usage: pon_driver PANEL REF OUTDIR --normals CNN... --samples CNN...\n");
        return 2;
    }
    metcn_panel_t *p = metcn_panel_load(argv[1], NULL, NULL);
    if (!p)
        return fail();
    double *gc = malloc(p->n_bins * sizeof *gc);
    if (!gc || metcn_gc_compute(p, argv[2], gc) < 0)
        return fail();
    metcn_covtab_t *normals[1024];
    size_t nn = 0;
    int a = 5;
    for (; a < argc && strcmp(argv[a], "--samples") != 0 && nn < 1024; a++)
        if (!(normals[nn++] = coverage(argv[a], p)))
            return fail();
    metcn_pon_opt_t o;
    metcn_pon_opt_init(&o);
    metcn_pon_t *pon = metcn_pon_build(p, normals, nn, gc, &o);
    metcn_gene_t *met = pon ? metcn_panel_gene(metcn_pon_panel(pon), "MET", NULL) : NULL;
    if (!met)
        return fail();
    fprintf(stderr, "pon: %zu normals, %d components, median mapd %.4f\n", nn,
            metcn_pon_n_components(pon), metcn_pon_median_mapd(pon));
    for (a++; a < argc; a++) {
        metcn_sample_t *s = metcn_sample_open(argv[a], NULL);
        metcn_cnr_t *c = NULL;
        if (!s || metcn_sample_normalize(s, pon, met, &c) < 0 ||
            write_cnr(argv[3], s, c, metcn_pon_panel(pon)) < 0)
            return fail();
        metcn_cnr_destroy(c);
        metcn_sample_close(s);
    }
    metcn_gene_destroy(met);
    metcn_pon_destroy(pon);
    for (size_t j = 0; j < nn; j++)
        metcn_covtab_destroy(normals[j]);
    metcn_panel_destroy(p);
    free(gc);
    return 0;
}
