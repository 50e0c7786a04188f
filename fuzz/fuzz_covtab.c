/* fuzz_covtab.c -- the coverage-table reader (metcn_covtab_read: metcn tables, CNVkit .cnn /
 * .cnr, mosdepth regions) against a fixed panel, plain and bgzip-compressed, and the writer on
 * whatever was read. */
#include <htslib/bgzf.h>

#include "fuzz_common.h"
#include "metcn/cov.h"
#include "metcn/panel.h"

/* the panel of the seeds in fuzz/corpus/covtab */
static const char panel_bed[] = "chr1\t1000\t2000\tA1\n"
                                "chr1\t3000\t4000\tA2\n"
                                "chr2\t500\t1500\tB1\n"
                                "chr7\t100\t900\tC1\n"
                                "chr7\t116700000\t116700500\tMET_ex2\n"
                                "chr7\t116731000\t116731500\tMET_ex3\n"
                                "chrX\t100\t600\tX1\n";
static metcn_panel_t *panel;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init();
    if (!panel)
        panel = fuzz_panel("covtab_panel.bed", panel_bed);
    const char *path = fuzz_file("sample.tsv", data, size);
    metcn_covtab_t *t = metcn_covtab_read(path, panel);
    if (t) {
        if (t->n != panel->n_bins)
            abort();
        metcn_covtab_write(t, "/dev/null", NULL, NULL);
        metcn_covtab_destroy(t);
    }
    if (size % 4 == 0) { /* the same bytes through bgzip */
        const char *gz = fuzz_path("sample.regions.bed.gz");
        BGZF *z = bgzf_open(gz, "w1");
        if (!z || bgzf_write(z, data, size) != (ssize_t)size || bgzf_close(z) != 0)
            abort();
        metcn_covtab_destroy(metcn_covtab_read(gz, panel));
    }
    return 0;
}
