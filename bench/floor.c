/* floor.c -- the physical floor of a coverage tool: decode the same records metcn reads and
 * do nothing else.  `bench-floor [-@ N] [-T ref.fa] FILE` reads every record with sam_read1;
 * `bench-floor [-@ N] [-T ref.fa] FILE BED` reads the records overlapping the BED's regions
 * with htslib's multi-region iterator, with N htslib threads; `bench-floor -P -@ N ... FILE BED`
 * does so with N + 1 readers in parallel instead, each over a run of the regions of about
 * equal total length, as metcn's parallel readers do (docs/coverage.md).  For CRAM it asks for
 * the same fields metcn asks for, and no MD/NM; with -S also the bases and qualities, as metcn
 * asks when it counts alleles (--snps), with -s the bases alone.  Prints the number of records
 * read.  Not part of libmetcn; built as bench-floor. */
#include <pthread.h>
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

static int with_bases; /* -S: CRAM decodes sequences and qualities too; -s: sequences only */

typedef struct {
    const char *path, *ref;
    htsThreadPool *pool;
    char **regs; /* "chr:beg-end", NULL: the whole file */
    long nregs, n;
    int err;
} job_t;

static void *run(void *arg)
{
    job_t *J = arg;
    J->err = 1;
    samFile *fp = sam_open(J->path, "r");
    if (!fp)
        return NULL;
    if (J->pool)
        hts_set_opt(fp, HTS_OPT_THREAD_POOL, J->pool);
    if (J->ref)
        hts_set_fai_filename(fp, J->ref);
    if (fp->format.format == cram) {
        hts_set_opt(fp, CRAM_OPT_REQUIRED_FIELDS,
                    SAM_QNAME | SAM_FLAG | SAM_RNAME | SAM_POS | SAM_MAPQ | SAM_CIGAR | SAM_RNEXT |
                        SAM_PNEXT | SAM_TLEN | (with_bases ? SAM_SEQ : 0) |
                        (with_bases > 1 ? SAM_QUAL : 0));
        hts_set_opt(fp, CRAM_OPT_DECODE_MD, 0); /* as metcn: no MD/NM, so no reference reads */
    }
    sam_hdr_t *h = sam_hdr_read(fp);
    bam1_t *b = bam_init1();
    int r = -1;
    if (J->regs) {
        hts_idx_t *idx = sam_index_load(fp, J->path);
        hts_itr_t *itr = idx ? sam_itr_regarray(idx, h, J->regs, (unsigned)J->nregs) : NULL;
        while (itr && (r = sam_itr_multi_next(fp, itr, b)) >= 0)
            J->n++;
        hts_itr_destroy(itr);
        hts_idx_destroy(idx);
        J->err = !itr || r < -1;
    } else {
        while ((r = sam_read1(fp, h, b)) >= 0)
            J->n++;
        J->err = r < -1;
    }
    bam_destroy1(b);
    sam_hdr_destroy(h);
    sam_close(fp);
    return NULL;
}

int main(int argc, char **argv)
{
    int threads = 0, parallel = 0, c;
    const char *ref = NULL;
    while ((c = getopt(argc, argv, "@:T:PSs")) != -1) {
        if (c == 'S' || c == 's')
            with_bases = c == 'S' ? 2 : 1;
        else if (c == '@')
            threads = atoi(optarg);
        else if (c == 'T')
            ref = optarg;
        else if (c == 'P')
            parallel = 1;
        else
            return 2;
    }
    if (optind >= argc || (parallel && optind + 1 >= argc)) {
        fprintf(stderr, "usage: bench-floor [-S|-s] [-@ N] [-T ref.fa] FILE [BED]\n"
                        "       bench-floor -P -@ N [-S|-s] [-T ref.fa] FILE BED\n");
        return 2;
    }
#ifdef __GLIBC__
    /* The same allocator settings as metcn's main(): without them glibc returns and refaults
     * htslib's per-container buffers, and the floor would be slower than it needs to be. */
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    mallopt(M_TOP_PAD, 16 << 20);
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
#endif
    /* Regions as "chr:beg-end" strings, one per BED line, with their lengths. */
    long m = 1024, k = 0;
    char **regs = NULL;
    long *len = NULL;
    if (optind + 1 < argc) {
        FILE *bed = fopen(argv[optind + 1], "r");
        regs = malloc((size_t)m * sizeof *regs);
        len = malloc((size_t)m * sizeof *len);
        char line[1024];
        while (bed && fgets(line, sizeof line, bed)) {
            char chr[256];
            long s, e;
            if (line[0] == '#' || sscanf(line, "%255s %ld %ld", chr, &s, &e) != 3)
                continue;
            if (k == m) {
                m *= 2;
                regs = realloc(regs, (size_t)m * sizeof *regs);
                len = realloc(len, (size_t)m * sizeof *len);
            }
            kstring_t ks = KS_INITIALIZE;
            ksprintf(&ks, "%s:%ld-%ld", chr, s + 1, e);
            len[k] = e - s;
            regs[k++] = ks.s;
        }
        if (!bed || k == 0)
            return 1;
        fclose(bed);
    }
    int nj = parallel ? threads + 1 : 1;
    if (nj > k && regs)
        nj = (int)k;
    job_t *jobs = calloc((size_t)nj, sizeof *jobs);
    htsThreadPool pool = {NULL, 0};
    if (!parallel && threads > 0)
        pool.pool = hts_tpool_init(threads);
    /* Runs of regions of about equal total length (in BED order). */
    long total = 0, acc = 0, from = 0;
    for (long i = 0; i < k; i++)
        total += len[i];
    for (int j = 0; j < nj; j++) {
        jobs[j] = (job_t){argv[optind], ref, pool.pool ? &pool : NULL, NULL, 0, 0, 0};
        if (!regs)
            continue;
        long to = from;
        while (to < k && (j == nj - 1 || (acc + len[to] / 2) * nj < total * (j + 1)))
            acc += len[to++];
        jobs[j].regs = regs + from;
        jobs[j].nregs = to - from;
        from = to;
    }
    pthread_t *th = calloc((size_t)nj, sizeof *th);
    for (int j = 1; j < nj; j++)
        if (jobs[j].nregs && pthread_create(&th[j], NULL, run, &jobs[j]) != 0)
            return 1;
    if (!regs || jobs[0].nregs)
        run(&jobs[0]);
    long n = 0;
    int err = 0;
    for (int j = 0; j < nj; j++) {
        if (j > 0 && jobs[j].nregs)
            pthread_join(th[j], NULL);
        n += jobs[j].n;
        err |= (!regs || jobs[j].nregs) && jobs[j].err;
    }
    printf("%ld records\n", n);
    for (long i = 0; i < k; i++)
        free(regs[i]);
    free(regs);
    free(len);
    free(jobs);
    free(th);
    if (pool.pool)
        hts_tpool_destroy(pool.pool);
    return err;
}
