/* fuzz_sam.c -- the coverage engine (metcn_cov_compute, streaming) on SAM text: every record
 * htslib accepts (any flags, CIGAR, positions, mates) is counted over a fixed panel; the table
 * must keep its shape and stay finite. */
#include <math.h>

#include "fuzz_common.h"
#include "metcn/cov.h"
#include "metcn/panel.h"

static const char panel_bed[] = "chr1\t1000\t2000\tA1\n"
                                "chr1\t2000\t2600\tA2\n"
                                "chr2\t500\t1500\tB1\n"
                                "chr7\t100\t900\tMET_x\n"
                                "chr7\t5000\t5400\tC1\n";
static metcn_panel_t *panel;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init();
    if (!panel)
        panel = fuzz_panel("sam_panel.bed", panel_bed);
    const char *path = fuzz_file("in.sam", data, size);
    metcn_cov_opt_t opt;
    metcn_cov_opt_init(&opt);
    opt.min_mapq = size % 2 ? 0 : 20;
    metcn_covtab_t *t = metcn_cov_compute(path, panel, &opt);
    if (t) {
        if (t->n != panel->n_bins)
            abort();
        for (size_t i = 0; i < t->n; i++)
            if (!isfinite(t->depth[i]) || t->depth[i] < 0)
                abort();
        metcn_covtab_destroy(t);
    }
    return 0;
}
