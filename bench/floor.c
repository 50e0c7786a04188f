/* floor.c -- the physical floor of a coverage tool: decode the same records metcn reads and
 * do nothing else.  `bench-floor [-@ N] [-T ref.fa] FILE` reads every record with sam_read1;
 * `bench-floor [-@ N] [-T ref.fa] FILE BED` reads the records overlapping the BED's regions
 * with htslib's multi-region iterator.  For CRAM it asks for the same fields metcn asks for, and no
 * MD/NM. Prints the number of records read. Not part of libmetcn; built as bench-floor. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <htslib/hts.h>
#include <htslib/kstring.h>
#include <htslib/sam.h>
#include <htslib/thread_pool.h>

int main(int argc, char **argv)
{
    int threads = 0, c;
    const char *ref = NULL;
    while ((c = getopt(argc, argv, "@:T:")) != -1) {
        if (c == '@')
            threads = atoi(optarg);
        else if (c == 'T')
            ref = optarg;
        else
            return 2;
    }
    if (optind >= argc) {
        fprintf(stderr, "usage: bench-floor [-@ N] [-T ref.fa] FILE [BED]\n");
        return 2;
    }
#ifdef __GLIBC__
    /* The same allocator settings as metcn's main(): without them glibc returns and refaults
     * htslib's per-container buffers, and the floor would be slower than it needs to be. */
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    mallopt(M_TOP_PAD, 16 << 20);
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
#endif
    samFile *fp = sam_open(argv[optind], "r");
    if (!fp)
        return 1;
    htsThreadPool pool = {NULL, 0};
    if (threads > 0) {
        pool.pool = hts_tpool_init(threads);
        hts_set_opt(fp, HTS_OPT_THREAD_POOL, &pool);
    }
    if (ref)
        hts_set_fai_filename(fp, ref);
    if (fp->format.format == cram) {
        hts_set_opt(fp, CRAM_OPT_REQUIRED_FIELDS,
                    SAM_QNAME | SAM_FLAG | SAM_RNAME | SAM_POS | SAM_MAPQ | SAM_CIGAR | SAM_RNEXT |
                        SAM_PNEXT | SAM_TLEN);
        hts_set_opt(fp, CRAM_OPT_DECODE_MD, 0); /* as metcn: no MD/NM, so no reference reads */
    }
    sam_hdr_t *h = sam_hdr_read(fp);
    bam1_t *b = bam_init1();
    long n = 0;
    int r;
    if (optind + 1 < argc) {
        hts_idx_t *idx = sam_index_load(fp, argv[optind]);
        FILE *bed = fopen(argv[optind + 1], "r");
        if (!idx || !bed)
            return 1;
        /* Regions as "chr:beg-end" strings, one per BED line. */
        size_t m = 1024, k = 0;
        char **regs = malloc(m * sizeof *regs), line[1024];
        while (fgets(line, sizeof line, bed)) {
            char chr[256];
            long s, e;
            if (line[0] == '#' || sscanf(line, "%255s %ld %ld", chr, &s, &e) != 3)
                continue;
            if (k == m)
                regs = realloc(regs, (m *= 2) * sizeof *regs);
            kstring_t ks = KS_INITIALIZE;
            ksprintf(&ks, "%s:%ld-%ld", chr, s + 1, e);
            regs[k++] = ks.s;
        }
        fclose(bed);
        hts_itr_t *itr = sam_itr_regarray(idx, h, regs, (unsigned)k);
        while ((r = sam_itr_multi_next(fp, itr, b)) >= 0)
            n++;
        hts_itr_destroy(itr);
        for (size_t i = 0; i < k; i++)
            free(regs[i]);
        free(regs);
        hts_idx_destroy(idx);
    } else {
        while ((r = sam_read1(fp, h, b)) >= 0)
            n++;
    }
    printf("%ld records\n", n);
    bam_destroy1(b);
    sam_hdr_destroy(h);
    sam_close(fp);
    if (pool.pool)
        hts_tpool_destroy(pool.pool);
    return r < -1;
}
