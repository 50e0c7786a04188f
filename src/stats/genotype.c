/* genotype.c -- a normal's genotype at a SNP site from its allele counts: the one rule shared
 * by a matched normal (src/call/purity_stage.c) and the PoN's normals (src/pon/pon_sites.c). */
#include <gsl/gsl_cdf.h>

#include "metcn/purity.h"

/* Heterozygous when the minor count is more than sequencing error explains and at least a
 * tenth (min_minor_frac) of the reads: a pure normal's het site sits near one half, and the
 * tenth keeps contamination and mapping artefacts out. */
int metcn_site_genotype(uint32_t ref, uint32_t alt, int min_depth, double error_rate,
                        double het_pvalue, double min_minor_frac)
{
    uint32_t depth = ref + alt, minor = ref < alt ? ref : alt;
    if (depth == 0 || min_depth < 0 || depth < (uint32_t)min_depth)
        return METCN_GT_UNKNOWN;
    double pv = minor < 1 ? 1.0 : gsl_cdf_binomial_Q(minor - 1, error_rate, depth);
    return pv < het_pvalue && minor >= min_minor_frac * depth ? METCN_GT_HET : METCN_GT_HOM;
}
