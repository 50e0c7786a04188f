/* gene_shim.c -- TEMPORARY: replaced by arch-data's panel/gene.c at merge (issue 16).
 *
 * metcn_panel_gene() over today's panel, which still holds one gene: for that gene the view
 * copies the panel's roles, arms, extent, window and centromere unchanged (so calls are
 * identical to the one-gene caller); for any other gene it derives the roles the way the
 * panel does (bins named after the gene, or opt->region, are TARGET; the rest of its
 * chromosome CONTROL outside the window, FLANK inside; other autosomes REFERENCE) and knows
 * the centromere only on the panel's own target chromosome. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "metcn/metcn.h"
#include "metcn/panel.h"
#include "metcn/util.h"

void metcn_gene_opt_init(metcn_gene_opt_t *opt)
{
    opt->region = NULL;
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

/* As the panel matches names: a token of the BED name is the gene or starts with the gene
 * followed by _ . : - (MET, MET_ex2, MET.3). */
static int named(const char *name, const char *gene)
{
    size_t g = strlen(gene);
    const char *p = name;
    while (p && *p) {
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

/* Extent of the gene: the region, else the bins named after it.  -1 contig when absent. */
static int find_gene(const metcn_panel_t *p, const char *name, const metcn_gene_opt_t *opt,
                     metcn_gene_t *g)
{
    g->contig = -1;
    g->start = g->end = -1;
    if (opt->region) {
        char *ctg = NULL;
        if (metcn_parse_region(opt->region, &ctg, &g->start, &g->end))
            return metcn_set_error(METCN_E_ARG, "%s: region '%s': expected chr:start-end", name,
                                   opt->region);
        char a[64], b[64];
        metcn_contig_canonical(ctg, a, sizeof a);
        for (int i = 0; i < p->n_contigs && g->contig < 0; i++)
            if (strcmp(metcn_contig_canonical(p->contigs[i].name, b, sizeof b), a) == 0)
                g->contig = i;
        free(ctg);
        if (g->contig < 0)
            return metcn_set_error(METCN_E_CONTIG, "%s: region '%s' is on no contig of panel %s",
                                   name, opt->region, p->source);
        return 0;
    }
    for (size_t i = 0; i < p->n_bins; i++) {
        const metcn_bin_t *b = &p->bins[i];
        if (!b->name || !named(b->name, name))
            continue;
        if (g->contig >= 0 && b->contig != g->contig)
            return metcn_set_error(METCN_E_FORMAT,
                                   "%s: gene %s is named on bins of two contigs "
                                   "(%s and %s)",
                                   p->source, name, p->contigs[g->contig].name,
                                   p->contigs[b->contig].name);
        g->contig = b->contig;
        if (g->start < 0 || b->start < g->start)
            g->start = b->start;
        if (b->end > g->end)
            g->end = b->end;
    }
    if (g->contig < 0)
        return metcn_set_error(METCN_E_NOTARGET, "%s: no bin of panel %s is named after %s", name,
                               p->source, name);
    return 0;
}

static void derive_roles(const metcn_panel_t *p, const metcn_gene_opt_t *opt, metcn_gene_t *g)
{
    for (size_t i = 0; i < p->n_bins; i++) {
        const metcn_bin_t *b = &p->bins[i];
        metcn_role_t r = b->role;
        g->bin_arm[i] = 0;
        if (b->contig == g->contig) {
            int in_gene = opt->region ? b->start < g->end && b->end > g->start
                                      : b->name && named(b->name, g->name);
            int near = b->end > g->start - g->window && b->start < g->end + g->window;
            r = in_gene ? METCN_ROLE_TARGET : near ? METCN_ROLE_FLANK : METCN_ROLE_CONTROL;
            if (g->cen_start >= 0)
                g->bin_arm[i] = b->end <= g->cen_start ? 'p' : b->start >= g->cen_end ? 'q' : 0;
        } else if (r == METCN_ROLE_TARGET || r == METCN_ROLE_CONTROL || r == METCN_ROLE_FLANK) {
            r = METCN_ROLE_REFERENCE; /* the panel gene's chromosome, an autosome */
        }
        g->role[i] = r;
    }
}

metcn_gene_t *metcn_panel_gene(const metcn_panel_t *p, const char *name,
                               const metcn_gene_opt_t *opt)
{
    metcn_gene_opt_t dflt;
    if (!opt) {
        metcn_gene_opt_init(&dflt);
        opt = &dflt;
    }
    metcn_gene_t *g = calloc(1, sizeof *g);
    if (!g || !(g->name = strdup(name ? name : "")) ||
        !(g->role = malloc((p->n_bins ? p->n_bins : 1) * sizeof *g->role)) ||
        !(g->bin_arm = calloc(p->n_bins ? p->n_bins : 1, 1))) {
        metcn_set_error(METCN_E_NOMEM, "%s: out of memory", p->source);
        metcn_gene_destroy(g);
        return NULL;
    }
    g->panel = p;
    int own = p->gene && strcasecmp(name, p->gene) == 0 && !opt->region && p->target_contig >= 0;
    if (own) {
        g->contig = p->target_contig;
        g->start = p->gene_start;
        g->end = p->gene_end;
        g->window = p->window;
        g->cen_start = p->cen_start;
        g->cen_end = p->cen_end;
        for (size_t i = 0; i < p->n_bins; i++) {
            g->role[i] = p->bins[i].role;
            g->bin_arm[i] = p->bins[i].contig == g->contig ? p->bins[i].arm : 0;
        }
    } else {
        if (find_gene(p, g->name, opt, g)) {
            metcn_gene_destroy(g);
            return NULL;
        }
        g->window = opt->window;
        g->cen_start = g->contig == p->target_contig ? p->cen_start : -1;
        g->cen_end = g->contig == p->target_contig ? p->cen_end : -1;
        derive_roles(p, opt, g);
    }
    int np = 0, nq = 0;
    for (size_t i = 0; i < p->n_bins; i++) {
        g->n_role[g->role[i]]++;
        if (g->role[i] == METCN_ROLE_TARGET) {
            np += g->bin_arm[i] == 'p';
            nq += g->bin_arm[i] == 'q';
        }
    }
    g->arm = nq > np ? 'q' : np > nq ? 'p' : 0;
    return g;
}
