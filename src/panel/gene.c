/* gene.c -- gene views: per-gene roles over a gene-independent panel.  All coordinates are
 * 0-based half-open. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metcn/metcn.h"
#include "panel/panel_internal.h"

void metcn_gene_opt_init(metcn_gene_opt_t *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->window = 10000000;
}

void metcn_gene_destroy(metcn_gene_t *g)
{
    if (!g)
        return;
    free(g->name);
    free(g->role);
    free(g->bin_arm);
    free(g);
}

/* A BED name matches the gene when one of its tokens (separated by , ; | or space) is the gene
 * or starts with the gene followed by _ . : - (MET, MET_ex2, MET.3, MET:exon2). */
static int name_matches_gene(const char *name, const char *gene)
{
    if (!name || !gene || !*gene)
        return 0;
    size_t g = strlen(gene);
    const char *p = name;
    while (*p) {
        while (*p && strchr(",;| ", *p))
            p++;
        const char *tok = p;
        while (*p && !strchr(",;| ", *p))
            p++;
        if ((size_t)(p - tok) >= g && strncmp(tok, gene, g) == 0 &&
            (tok + g == p || strchr("_.:-", tok[g])))
            return 1;
    }
    return 0;
}

/* Extent from opt->region: every bin overlapping it is a target. */
static int extent_from_region(metcn_gene_t *g, const char *region)
{
    const metcn_panel_t *p = g->panel;
    char *contig = NULL;
    if (metcn_parse_region(region, &contig, &g->start, &g->end))
        return metcn_set_error(METCN_E_ARG, "gene %s: region '%s': expected chr:start-end", g->name,
                               region);
    g->contig = panel_contig_index(p, contig);
    int r = g->contig < 0 ? metcn_set_error(METCN_E_CONTIG,
                                            "gene %s: region %s is on contig %s, which panel %s "
                                            "does not have",
                                            g->name, region, contig, p->source)
                          : 0;
    free(contig);
    for (size_t i = 0; r == 0 && i < p->n_bins; i++) {
        const metcn_bin_t *b = &p->bins[i];
        if (b->contig == g->contig && b->start < g->end && b->end > g->start)
            g->role[i] = METCN_ROLE_TARGET;
    }
    g->extent_source = "region";
    return r;
}

/* Extent from the bins named after the gene (those are the targets); 0 found, 1 none. */
static int extent_from_bins(metcn_gene_t *g)
{
    const metcn_panel_t *p = g->panel;
    int found = 0;
    for (size_t i = 0; i < p->n_bins; i++) {
        const metcn_bin_t *b = &p->bins[i];
        if (!name_matches_gene(b->name, g->name))
            continue;
        if (found && b->contig != g->contig)
            return metcn_set_error(
                METCN_E_FORMAT, "%s: gene %s is named on bins of two contigs (%s and %s)",
                p->source, g->name, p->contigs[g->contig].name, p->contigs[b->contig].name);
        if (!found || b->start < g->start)
            g->start = b->start;
        if (!found || b->end > g->end)
            g->end = b->end;
        g->contig = b->contig;
        g->role[i] = METCN_ROLE_TARGET;
        found = 1;
    }
    g->extent_source = "bins";
    return found ? 0 : 1;
}

/* Extent from the built-in build table's gene row (targets: the bins overlapping it). */
static int extent_from_build(metcn_gene_t *g)
{
    const metcn_panel_t *p = g->panel;
    const char *key = build_key(p->build);
    char line[256], *f[6];
    if (!key || build_lookup(key, "gene", g->name, line, sizeof line, f, 6) < 5)
        return metcn_set_error(METCN_E_NOTARGET,
                               "panel %s: no bins named after gene %s, and %s (give its region "
                               "with --gene-region chr:start-end)",
                               p->source, g->name,
                               key ? "the built-in gene table does not list it"
                                   : "the panel's build is unknown, so the built-in gene table "
                                     "cannot place it");
    g->contig = panel_contig_index(p, f[2]);
    if (g->contig < 0)
        return metcn_set_error(METCN_E_CONTIG,
                               "panel %s: gene %s is on %s, which the panel does "
                               "not have",
                               p->source, g->name, f[2]);
    g->start = strtoll(f[3], NULL, 10);
    g->end = strtoll(f[4], NULL, 10);
    for (size_t i = 0; i < p->n_bins; i++) {
        const metcn_bin_t *b = &p->bins[i];
        if (b->contig == g->contig && b->start < g->end && b->end > g->start)
            g->role[i] = METCN_ROLE_TARGET;
    }
    g->extent_source = "build";
    return 0;
}

/* Roles off the target bins: the gene's chromosome is FLANK within the window, else CONTROL;
 * the rest keep their stored role.  Arms from the chromosome's centromere. */
static void derive_roles(metcn_gene_t *g)
{
    const metcn_panel_t *p = g->panel;
    const metcn_contig_t *ct = &p->contigs[g->contig];
    g->cen_start = ct->cen_start;
    g->cen_end = ct->cen_end;
    if (g->cen_start >= 0)
        g->arm = g->end <= g->cen_start ? 'p' : g->start >= g->cen_end ? 'q' : 0;
    for (size_t i = 0; i < p->n_bins; i++) {
        const metcn_bin_t *b = &p->bins[i];
        if (b->contig == g->contig) {
            if (g->cen_start >= 0)
                g->bin_arm[i] = b->end <= g->cen_start ? 'p' : b->start >= g->cen_end ? 'q' : 0;
            if (g->role[i] != METCN_ROLE_TARGET) {
                int near = b->end > g->start - g->window && b->start < g->end + g->window;
                g->role[i] = near ? METCN_ROLE_FLANK : METCN_ROLE_CONTROL;
            }
        } else {
            g->role[i] = b->role;
        }
        g->n_role[g->role[i]]++;
    }
}

metcn_gene_t *metcn_panel_gene(const metcn_panel_t *p, const char *name,
                               const metcn_gene_opt_t *opt_in)
{
    metcn_gene_opt_t defaults;
    const metcn_gene_opt_t *opt = opt_in;
    if (!opt) {
        metcn_gene_opt_init(&defaults);
        opt = &defaults;
    }
    if (!name || !*name) {
        metcn_set_error(METCN_E_ARG, "panel %s: empty gene name", p->source);
        return NULL;
    }
    if (opt->window < 0) {
        metcn_set_error(METCN_E_ARG, "gene %s: window %lld is negative", name,
                        (long long)opt->window);
        return NULL;
    }
    metcn_gene_t *g = calloc(1, sizeof *g);
    size_t n = p->n_bins ? p->n_bins : 1;
    if (!g || !(g->name = strdup(name)) || !(g->role = malloc(n * sizeof *g->role)) ||
        !(g->bin_arm = calloc(n, 1))) {
        metcn_set_error(METCN_E_NOMEM, "out of memory");
        metcn_gene_destroy(g);
        return NULL;
    }
    g->panel = p;
    g->window = opt->window;
    g->contig = -1;
    g->start = g->end = g->cen_start = g->cen_end = -1;
    for (size_t i = 0; i < p->n_bins; i++)
        g->role[i] = METCN_ROLE_OTHER; /* until decided */
    int r = opt->region ? extent_from_region(g, opt->region) : extent_from_bins(g);
    if (r == 1)
        r = extent_from_build(g);
    if (r < 0) {
        metcn_gene_destroy(g);
        return NULL;
    }
    derive_roles(g);
    return g;
}
