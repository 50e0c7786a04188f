/* noise.c -- the chromosome-scale term of the noise model (docs/method.md section 2): the
 * error shared by every bin of a chromosome (the reference centring, sample-specific capture
 * or GC effects at the scale of whole chromosomes) that no per-bin SD and no block term of a
 * few neighbouring bins sees.  It matters for the control level once that level rests on
 * hundreds of bins (off-target bins): its model SE then shrinks towards 0 while this error
 * does not. */
#include <math.h>
#include <stdlib.h>

#include "metcn/call.h"
#include "metcn/stats.h"
#include "stages.h"

/* log2 departure of a whole chromosome taken as a copy-number change (docs/method.md). */
#define CHROM_CHANGED 0.1

double call_excess_sd(const double *d2, const double *v, double *scratch, size_t n)
{
    double lo = 0, hi = 1.0;
    for (int it = 0; it < 60; it++) { /* bisection: the median decreases in s */
        double mid = 0.5 * (lo + hi);
        for (size_t b = 0; b < n; b++)
            scratch[b] = d2[b] / (v[b] + mid * mid);
        if (metcn_median(scratch, NULL, n) > 0.4549)
            lo = mid;
        else
            hi = mid;
    }
    double s = 0.5 * (lo + hi);
    return s < 1e-6 ? 0 : s;
}

/* The SD tau of whole-chromosome levels about 0 beyond their model variance, over the
 * reference chromosomes (the autosomes other than the gene's, which the normalisation centred
 * on) whose level is within CHROM_CHANGED of 0: solved robustly as the tau with median(d_c^2 / (v_c
 * + tau^2)) = 0.4549 (the median of chi-square with 1 df), d_c a chromosome's weighted mean log2
 * and v_c its model variance.  A chromosome of the tumour that really changed is one of many and
 * moves the median little. 0 with fewer than 5 chromosomes of at least 3 used bins. */
double call_chromosome_sd(const metcn_call_t *c)
{
    const metcn_panel_t *p = c->panel;
    int nc = p->n_contigs, nb = 0;
    double *sw = calloc((size_t)nc + 1, sizeof *sw), *swx = calloc((size_t)nc + 1, sizeof *swx);
    int *cnt = calloc((size_t)nc + 1, sizeof *cnt);
    double *d2 = malloc(((size_t)nc + 1) * sizeof *d2), *v = malloc(((size_t)nc + 1) * sizeof *v);
    double *r = malloc(((size_t)nc + 1) * sizeof *r), res = 0;
    if (!sw || !swx || !cnt || !d2 || !v || !r)
        goto out;
    for (size_t i = 0; i < c->n; i++)
        if (c->gene->role[i] == METCN_ROLE_REFERENCE && (c->bin_flag[i] & METCN_BIN_USED)) {
            int k = p->bins[i].contig;
            sw[k] += c->weight[i];
            swx[k] += c->weight[i] * c->log2[i];
            cnt[k]++;
        }
    /* a chromosome departing by more than CHROM_CHANGED is taken as a real copy-number change
     * of the tumour (one copy at purity 0.15 or more), not error: left out */
    for (int k = 0; k < nc; k++)
        if (cnt[k] >= 3 && fabs(swx[k] / sw[k]) <= CHROM_CHANGED) {
            d2[nb] = (swx[k] / sw[k]) * (swx[k] / sw[k]);
            v[nb] = 1.0 / sw[k];
            nb++;
        }
    if (nb < 5)
        goto out;
    res = call_excess_sd(d2, v, r, (size_t)nb);
out:
    free(sw);
    free(swx);
    free(cnt);
    free(d2);
    free(v);
    free(r);
    return res;
}
