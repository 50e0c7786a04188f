/* fuzz_panel.c -- the BED panel reader (metcn_panel_load, metcn_panel_check) and what is built
 * on a loaded panel (gene view, checksum, bin lookup), with and without a header and --merge. */
#include "fuzz_common.h"
#include "metcn/panel.h"

static sam_hdr_t *hdr;

static void quiet(metcn_log_level_t severity, const char *msg, void *ud)
{
    (void)severity;
    (void)msg;
    (*(int *)ud)++;
}

static void exercise(const metcn_panel_t *p)
{
    char ck[17];
    metcn_panel_checksum(p, ck);
    for (size_t i = 0; i < p->n_bins; i++) {
        const metcn_bin_t *b = &p->bins[i];
        if (b->contig < 0 || b->contig >= p->n_contigs || b->start >= b->end)
            abort();
        if (metcn_panel_find(p, p->contigs[b->contig].name, b->start, b->end) != (long)i)
            abort(); /* bins are sorted and disjoint: each is found at its own index */
    }
    /* the gene view (metcn_panel_gene(), declared in panel.h) joins here once it exists */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init();
    if (!hdr) {
        static const char text[] = "@SQ\tSN:chr1\tLN:248956422\n@SQ\tSN:chr7\tLN:159345973\n"
                                   "@SQ\tSN:chrX\tLN:156040895\n@SQ\tSN:chrY\tLN:57227415\n"
                                   "@SQ\tSN:7\tLN:2000\n";
        hdr = sam_hdr_parse(sizeof text - 1, text);
    }
    const char *path = fuzz_file("panel.bed", data, size);
    metcn_panel_opt_t opt;
    metcn_panel_opt_init(&opt);
    for (int v = 0; v < 3; v++) {
        opt.merge = v & 1;
        opt.build = v == 2 ? "grch37" : NULL;
        metcn_panel_t *p = metcn_panel_load(path, &opt, v ? hdr : NULL);
        if (p) {
            exercise(p);
            metcn_panel_destroy(p);
        }
    }
    int problems = 0;
    opt.merge = 0;
    opt.build = NULL;
    metcn_panel_check(path, &opt, hdr, quiet, &problems);
    metcn_panel_check(path, &opt, NULL, quiet, &problems);
    return 0;
}
