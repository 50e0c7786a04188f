/* replay.c -- per-record cost of metcn's counting step, without decoding.
 *
 *   bench-replay FILE.bam BINS.bed [N_RECORDS] [ROUNDS] [SITES.vcf]
 *
 * Decodes the first N_RECORDS (default 2,000,000) records of FILE.bam once, then in each round
 * copies every record into one bam1_t (as sam_read1 would leave it) and hands it to the coverage
 * engine's counting step, engine_process() (src/cov/engine_internal.h), with a fresh engine over
 * the BED's bins and the default filters (and, given SITES.vcf, allele counting at its sites
 * within 150 bp of the bins).  It prints, per round, the copy alone and copy plus counting in
 * ns per record; their difference is what counting costs.  The median of the rounds is printed
 * last.  Figures are noisy to about 1 ns; compare builds in one sitting.  It also prints the
 * mate tables' final size and how many reads they still hold.
 *
 * Built as bench-replay, linked to libmetcn; it reaches the counting step through the engine's
 * private header.  Not part of the test suite. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <htslib/sam.h>

#include "metcn/cov.h"
#include "metcn/metcn.h"
#include "metcn/panel.h"
#include "cov/engine_internal.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Bins of the BED, per header contig, into E (sorted input, as a panel is). */
static int load_bins(engine_t *E, const sam_hdr_t *h, const char *bed, size_t *nbins)
{
    FILE *f = fopen(bed, "r");
    if (!f)
        return -1;
    char line[1024], chr[256];
    long long s, e;
    size_t n = 0;
    for (int pass = 0; pass < 2; pass++) {
        rewind(f);
        n = 0;
        while (fgets(line, sizeof line, f)) {
            if (line[0] == '#' || sscanf(line, "%255s %lld %lld", chr, &s, &e) != 3)
                continue;
            int tid = sam_hdr_name2tid((sam_hdr_t *)h, chr);
            if (tid < 0)
                continue;
            tidbins_t *b = &E->tb[tid];
            if (pass == 0) {
                b->n++;
            } else {
                b->start[b->n] = s;
                b->end[b->n] = e;
                b->idx[b->n++] = n;
            }
            n++;
        }
        for (int t = 0; pass == 0 && t < E->ntid; t++) {
            tidbins_t *b = &E->tb[t];
            b->start = malloc((b->n + 1) * sizeof *b->start);
            b->end = malloc((b->n + 1) * sizeof *b->end);
            b->idx = malloc((b->n + 1) * sizeof *b->idx);
            b->bases = calloc(b->n + 1, sizeof *b->bases);
            if (!b->start || !b->end || !b->idx || !b->bases) {
                fclose(f);
                return -1;
            }
            b->n = 0;
        }
    }
    fclose(f);
    *nbins = n;
    return 0;
}

/* The engine's sites per header contig (as counts_setup() in engine.c makes them; counts
 * zeroed for the round). */
static int load_sites(engine_t *E, const sam_hdr_t *h, const metcn_panel_t *p, metcn_sites_t *S)
{
    if (!(E->ts = calloc((size_t)E->ntid + 1, sizeof *E->ts)))
        return -1;
    E->sites = S;
    memset(S->ref_count, 0, S->n * sizeof *S->ref_count);
    memset(S->alt_count, 0, S->n * sizeof *S->alt_count);
    memset(S->other_count, 0, S->n * sizeof *S->other_count);
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < S->n; i++) {
            int tid = metcn_contig_tid(h, p->contigs[S->contig[i]].name);
            if (tid < 0)
                continue;
            tidsites_t *v = &E->ts[tid];
            if (pass == 0) {
                v->n++;
                continue;
            }
            v->pos[v->n] = S->pos[i];
            v->ref[v->n] = (uint8_t)seq_nt16_table[(unsigned char)S->ref[i]];
            v->alt[v->n] = (uint8_t)seq_nt16_table[(unsigned char)S->alt[i]];
            v->idx[v->n++] = i;
        }
        for (int t = 0; pass == 0 && t < E->ntid; t++) {
            tidsites_t *v = &E->ts[t];
            v->pos = malloc((v->n + 1) * sizeof *v->pos);
            v->ref = malloc(v->n + 1);
            v->alt = malloc(v->n + 1);
            v->idx = malloc((v->n + 1) * sizeof *v->idx);
            if (!v->pos || !v->ref || !v->alt || !v->idx)
                return -1;
            v->n = 0;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench-replay FILE.bam BINS.bed [N_RECORDS] [ROUNDS] [SITES.vcf]\n");
        return 2;
    }
    long max = argc > 3 ? atol(argv[3]) : 2000000;
    int rounds = argc > 4 ? atoi(argv[4]) : 7;
    if (max <= 0 || rounds <= 0 || rounds > 99)
        return 2;
    samFile *fp = sam_open(argv[1], "r");
    sam_hdr_t *h = fp ? sam_hdr_read(fp) : NULL;
    if (!h) {
        fprintf(stderr, "bench-replay: %s: cannot read\n", argv[1]);
        return 1;
    }
    /* Decoded records, back to back: the bam1_t, then its data. */
    size_t cap = 1 << 26, used = 0;
    uint32_t room = 1; /* the largest record's data, for the replay buffer */
    char *arena = malloc(cap);
    size_t *at = malloc((size_t)max * sizeof *at);
    bam1_t *b = bam_init1();
    long n = 0;
    while (arena && at && n < max && sam_read1(fp, h, b) >= 0) {
        size_t need = (sizeof *b + (size_t)b->l_data + 15) & ~(size_t)15;
        if (used + need > cap) {
            while (used + need > cap)
                cap *= 2;
            char *g = realloc(arena, cap);
            if (!g)
                return 1;
            arena = g;
        }
        if ((uint32_t)b->l_data > room)
            room = (uint32_t)b->l_data;
        memcpy(arena + used, b, sizeof *b);
        memcpy(arena + used + sizeof *b, b->data, (size_t)b->l_data);
        at[n++] = used;
        used += need;
    }
    if (!arena || !at || n == 0) {
        fprintf(stderr, "bench-replay: %s: no records\n", argv[1]);
        return 1;
    }
    bam1_t *scratch = bam_init1();
    if (!scratch)
        return 1;
    bam_set_mempolicy(scratch, BAM_USER_OWNS_DATA);
    if (!(scratch->data = malloc(room)))
        return 1;
    scratch->m_data = room;

    metcn_cov_opt_t opt;
    metcn_cov_opt_init(&opt);
    metcn_init();
    metcn_sites_t *sites = NULL;
    metcn_panel_t *panel = NULL;
    if (argc > 5) { /* the sites near the BED's bins, as metcn coverage --snps takes them */
        metcn_panel_opt_t po;
        metcn_panel_opt_init(&po);
        if (!(panel = metcn_panel_load(argv[2], &po, h)) ||
            !(sites = metcn_sites_load(argv[5], panel, opt.snp_flank))) {
            fprintf(stderr, "bench-replay: %s\n", metcn_last_error());
            return 1;
        }
    }
    double copy[100], full[100];
    /* reads left waiting, table slots and bytes at the end */
    size_t left = 0, slots = 0, bytes = 0;
    size_t nbins = 0;
    for (int rd = 0; rd < rounds; rd++) {
        engine_t E;
        memset(&E, 0, sizeof E);
        metcn_covtab_t T;
        memset(&T, 0, sizeof T);
        E.ntid = sam_hdr_nref(h);
        E.tb = calloc((size_t)E.ntid + 1, sizeof *E.tb);
        if (!E.tb || load_bins(&E, h, argv[2], &nbins) != 0) {
            fprintf(stderr, "bench-replay: %s: cannot read the bins\n", argv[2]);
            return 1;
        }
        T.fragments = calloc(nbins + 1, sizeof *T.fragments);
        T.dropped = calloc(nbins + 1, sizeof *T.dropped);
        if (!T.fragments || !T.dropped || engine_init(&E, &opt, &T) != 0)
            return 1;
        uint64_t *fc = calloc((nbins + 1) * (size_t)E.fstride, sizeof *fc);
        if (!fc || (sites && load_sites(&E, h, panel, sites) != 0))
            return 1;
        E.fc = fc;
        long sink = 0;
        double t0 = now();
        for (long i = 0; i < n; i++) {
            const bam1_t *r = (const bam1_t *)(arena + at[i]);
            scratch->core = r->core;
            scratch->l_data = r->l_data;
            memcpy(scratch->data, arena + at[i] + sizeof *r, (size_t)r->l_data);
            sink += scratch->data[0];
        }
        double t1 = now();
        for (long i = 0; i < n; i++) {
            const bam1_t *r = (const bam1_t *)(arena + at[i]);
            scratch->core = r->core;
            scratch->l_data = r->l_data;
            memcpy(scratch->data, arena + at[i] + sizeof *r, (size_t)r->l_data);
            if (engine_process(&E, scratch) != 0)
                return 1;
        }
        double t2 = now();
        copy[rd] = (t1 - t0) / (double)n * 1e9;
        full[rd] = (t2 - t1) / (double)n * 1e9;
        left = engine_waiting(&E);
        slots = E.pcap + E.pmcap;
        bytes = E.pcap * sizeof(pend_t) + E.pmcap * sizeof(prim_t);
        printf("round %d: copy %.1f ns, copy+count %.1f ns, count %.1f ns per record (%ld)\n",
               rd + 1, copy[rd], full[rd], full[rd] - copy[rd], sink & 1);
        engine_free(&E);
        free(fc);
        free(T.fragments);
        free(T.dropped);
    }
    double d[100];
    for (int rd = 0; rd < rounds; rd++)
        d[rd] = full[rd] - copy[rd];
    qsort(d, (size_t)rounds, sizeof *d, cmp_double);
    printf("%ld records, %zu bins: counting costs %.1f ns per record (median of %d rounds); "
           "mate tables: %zu slots (%zu kB), %zu reads left waiting\n",
           n, nbins, d[rounds / 2], rounds, slots, bytes / 1024, left);
    if (sites) {
        uint64_t ref = 0, alt = 0;
        for (size_t i = 0; i < sites->n; i++) {
            ref += sites->ref_count[i];
            alt += sites->alt_count[i];
        }
        printf("%zu sites: %llu ref and %llu alt bases counted in the last round\n", sites->n,
               (unsigned long long)ref, (unsigned long long)alt);
    }
    metcn_sites_destroy(sites);
    metcn_panel_destroy(panel);
    free(scratch->data);
    scratch->data = NULL;
    bam_destroy1(scratch);
    bam_destroy1(b);
    free(arena);
    free(at);
    sam_hdr_destroy(h);
    sam_close(fp);
    return 0;
}
