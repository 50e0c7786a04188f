/* fuzz_pon.c -- the PoN loader (metcn_pon_load) and what reads a loaded PoN.
 *
 * The loader verifies a checksum over every line before it parses any, so random bytes would
 * never reach the parser.  Built with -DMETCN_FUZZ_NO_CHECKSUM (arch-data's flag: the loader
 * skips the check), the input is loaded as it is; without it, this harness writes the input's
 * lines up to any "checksum" line and appends the checksum the loader computes (FNV-1a 64 of
 * each line as bgzf_getline returns it, plus '\n'), so the parser is reached either way. */
#include <inttypes.h>

#include <htslib/bgzf.h>
#include <htslib/kstring.h>

#include "fuzz_common.h"
#include "metcn/cov.h"
#include "metcn/pon.h"

#ifndef METCN_FUZZ_NO_CHECKSUM
static uint64_t fnv(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static const char *with_checksum(const char *raw)
{
    const char *path = fuzz_path("sealed.pon");
    BGZF *in = bgzf_open(raw, "r");
    FILE *out = fopen(path, "wb");
    kstring_t ks = KS_INITIALIZE;
    uint64_t h = 0xcbf29ce484222325ULL;
    if (!in || !out)
        abort();
    while (bgzf_getline(in, '\n', &ks) >= 0) {
        if (strncmp(ks.s, "checksum\t", 9) == 0)
            break;
        h = fnv(h, ks.s, ks.l);
        h = fnv(h, "\n", 1);
        fwrite(ks.s, 1, ks.l, out);
        fputc('\n', out);
    }
    fprintf(out, "checksum\tfnv1a64\t%016" PRIx64 "\n", h);
    free(ks.s);
    bgzf_close(in);
    if (fclose(out) != 0)
        abort();
    return path;
}
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init();
    const char *path = fuzz_file("in.pon", data, size);
#ifndef METCN_FUZZ_NO_CHECKSUM
    path = with_checksum(path);
#endif
    metcn_pon_t *pon = metcn_pon_load(path);
    if (pon) {
        const metcn_panel_t *p = metcn_pon_panel(pon);
        char ck[17];
        metcn_panel_checksum(p, ck);
        metcn_pon_format_version(pon);
        metcn_pon_checksum(pon);
        /* a sample normalised against it: every number the file gave is used */
        metcn_covtab_t *t = metcn_covtab_new(p);
        if (t) {
            for (size_t i = 0; i < t->n; i++) {
                t->depth[i] = 40.0 + (double)(i % 7) * 9.5;
                t->fragments[i] = (uint64_t)(t->depth[i] * 3);
            }
            t->has_fragments = 1;
            /* for MET when the panel has it (bins named after it, or the build table), else
             * over all autosomes (g NULL) */
            metcn_gene_t *g = metcn_panel_gene(p, "MET", NULL);
            metcn_cnr_t *cnr = NULL;
            if (metcn_pon_check_panel(pon, p) == 0 && metcn_pon_normalize(pon, t, g, &cnr) == 0)
                metcn_cnr_destroy(cnr);
            metcn_gene_destroy(g);
            metcn_covtab_destroy(t);
        }
        metcn_pon_destroy(pon);
    }
    return 0;
}
