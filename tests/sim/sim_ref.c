/* sim_ref.c -- `metcn-sim ref`: a synthetic reference with GRCh38 contig names.
 *
 * chr7 has its real length (so real MET/EGFR coordinates apply); the other contigs are cut to
 * --contig-len.  Sequence is random with isochores (stretches of 50-500 kb whose GC fraction is
 * uniform in [--gc-min, --gc-max]); the first and last 10 kb of every contig and chr7's
 * centromere are N.  Each contig's sequence depends only on (seed, contig name, length). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <htslib/faidx.h>

#include "metcn/metcn.h"
#include "metcn/util.h"
#include "sim.h"

static const struct {
    const char *name;
    int64_t len;
} grch38[] = {
    {"chr1", 248956422},  {"chr2", 242193529},  {"chr3", 198295559},  {"chr4", 190214555},
    {"chr5", 181538259},  {"chr6", 170805979},  {"chr7", 159345973},  {"chr8", 145138636},
    {"chr9", 138394717},  {"chr10", 133797422}, {"chr11", 135086622}, {"chr12", 133275309},
    {"chr13", 114364328}, {"chr14", 107043718}, {"chr15", 101991189}, {"chr16", 90338345},
    {"chr17", 83257441},  {"chr18", 80373285},  {"chr19", 58617616},  {"chr20", 64444167},
    {"chr21", 46709983},  {"chr22", 50818468},  {"chrX", 156040895},  {"chrY", 57227415},
};
#define N_GRCH38 ((int)(sizeof grch38 / sizeof grch38[0]))
#define TELOMERE_N 10000

typedef struct {
    const char *out;       /* output FASTA path */
    uint64_t seed;         /* sequence seed */
    int64_t contig_len;    /* length of every contig except chr7 (bp) */
    double gc_min, gc_max; /* isochore GC range */
    const char *contigs;   /* comma-separated subset, NULL = all 24 */
} ref_opt_t;

static void ref_opt_init(ref_opt_t *o)
{
    o->out = NULL;
    o->seed = 1;
    o->contig_len = 5000000;
    o->gc_min = 0.35;
    o->gc_max = 0.60;
    o->contigs = NULL;
}

static void ref_help(FILE *fp)
{
    ref_opt_t d;
    ref_opt_init(&d);
    fprintf(fp,
            "Usage: metcn-sim ref -o REF.fa [options]\n\n"
            "Writes a synthetic reference FASTA and its .fai. chr7 is full length (GRCh38).\n\n"
            "  -o, --out FILE        output FASTA (required)\n"
            "  -s, --seed INT        sequence seed [%llu]\n"
            "  -L, --contig-len INT  length of every contig but chr7, bp [%lld]\n"
            "      --contigs LIST    comma-separated GRCh38 contigs to write [all 24]\n"
            "      --gc-min FLOAT    lowest isochore GC fraction [%g]\n"
            "      --gc-max FLOAT    highest isochore GC fraction [%g]\n",
            (unsigned long long)d.seed, (long long)d.contig_len, d.gc_min, d.gc_max);
}

/* Sequence of one contig into buf (len bytes): 4 bases per 64-bit draw, 16 bits each (15 for
 * the GC Bernoulli, 1 for which of the pair). */
static void make_contig(const ref_opt_t *o, const char *name, int64_t len, int is_chr7, char *buf)
{
    uint64_t state = sim_hash_str(name, o->seed) ^ (uint64_t)len;
    int64_t pos = 0;
    while (pos < len) {
        state = sim_mix64(state);
        int64_t iso = 50000 + (int64_t)(sim_u01(state) * 450000);
        state = sim_mix64(state);
        double gc = o->gc_min + (o->gc_max - o->gc_min) * sim_u01(state);
        uint32_t thr = (uint32_t)(gc * 32768.0);
        int64_t end = pos + iso < len ? pos + iso : len;
        uint64_t ctr = state;
        for (int64_t i = pos; i < end; i += 4) {
            uint64_t r = sim_mix64(ctr++);
            for (int k = 0; k < 4 && i + k < end; k++, r >>= 16) {
                int isgc = (uint32_t)(r & 0x7fff) < thr;
                int which = (int)((r >> 15) & 1);
                buf[i + k] = isgc ? (which ? 'G' : 'C') : (which ? 'A' : 'T');
            }
        }
        state ^= ctr;
        pos = end;
    }
    int64_t t = len < TELOMERE_N ? len : TELOMERE_N;
    memset(buf, 'N', (size_t)t);
    memset(buf + len - t, 'N', (size_t)t);
    if (is_chr7 && len >= SIM_CEN7_END)
        memset(buf + SIM_CEN7_START, 'N', (size_t)(SIM_CEN7_END - SIM_CEN7_START));
}

int sim_main_ref(int argc, char **argv)
{
    const char *cmd = "ref";
    ref_opt_t o;
    ref_opt_init(&o);
    static const struct option lo[] = {{"out", required_argument, NULL, 'o'},
                                       {"seed", required_argument, NULL, 's'},
                                       {"contig-len", required_argument, NULL, 'L'},
                                       {"contigs", required_argument, NULL, 1},
                                       {"gc-min", required_argument, NULL, 2},
                                       {"gc-max", required_argument, NULL, 3},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
    int c, rc;
    int64_t v;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:s:L:h", lo, NULL)) != -1) {
        switch (c) {
        case 'o':
            o.out = optarg;
            break;
        case 's':
            if ((rc = sim_opt_int64(cmd, "--seed", optarg, 0, INT64_MAX, &v)))
                return rc;
            o.seed = (uint64_t)v;
            break;
        case 'L':
            if ((rc = sim_opt_int64(cmd, "--contig-len", optarg, 100000, 300000000, &o.contig_len)))
                return rc;
            break;
        case 1:
            o.contigs = optarg;
            break;
        case 2:
            if ((rc = sim_opt_double(cmd, "--gc-min", optarg, 0.05, 0.95, &o.gc_min)))
                return rc;
            break;
        case 3:
            if ((rc = sim_opt_double(cmd, "--gc-max", optarg, 0.05, 0.95, &o.gc_max)))
                return rc;
            break;
        case 'h':
            ref_help(stdout);
            return fclose(stdout) == 0 ? 0 : 1;
        default:
            return sim_usage(cmd, "unknown option");
        }
    }
    if (optind < argc)
        return sim_usage(cmd, "unexpected argument '%s'", argv[optind]);
    if (!o.out)
        return sim_usage(cmd, "--out is required");
    if (o.gc_min > o.gc_max)
        return sim_usage(cmd, "--gc-min %g is above --gc-max %g", o.gc_min, o.gc_max);
    int n_written = 0;
    for (int i = 0; i < N_GRCH38; i++)
        n_written += sim_contig_wanted(o.contigs, grch38[i].name);
    if (!n_written)
        return sim_usage(cmd, "--contigs '%s' names no GRCh38 contig", o.contigs);

    metcn_ofile_t *f = metcn_ofile_open(o.out);
    if (!f)
        return sim_error(cmd, "%s", metcn_last_error());
    char *seq = NULL, *lines = NULL;
    int ok = 1;
    for (int i = 0; i < N_GRCH38 && ok; i++) {
        if (!sim_contig_wanted(o.contigs, grch38[i].name))
            continue;
        int is7 = strcmp(grch38[i].name, "chr7") == 0;
        int64_t len =
            is7 ? grch38[i].len : (o.contig_len < grch38[i].len ? o.contig_len : grch38[i].len);
        char *s2 = realloc(seq, (size_t)len);
        char *l2 = realloc(lines, (size_t)(len + len / 60 + 2));
        if (s2)
            seq = s2;
        if (l2)
            lines = l2;
        if (!s2 || !l2) {
            ok = 0;
            break;
        }
        make_contig(&o, grch38[i].name, len, is7, seq);
        size_t k = 0;
        for (int64_t p = 0; p < len; p += 60) {
            int64_t n = len - p < 60 ? len - p : 60;
            memcpy(lines + k, seq + p, (size_t)n);
            k += (size_t)n;
            lines[k++] = '\n';
        }
        if (metcn_ofile_printf(f, ">%s\n", grch38[i].name) != 0 ||
            metcn_ofile_write(f, lines, k) != 0)
            ok = 0;
    }
    free(seq);
    free(lines);
    if (!ok) {
        metcn_ofile_close(f, 0);
        return sim_error(cmd, "%s: out of memory or write error", o.out);
    }
    if (metcn_ofile_close(f, 1) != 0)
        return sim_error(cmd, "%s", metcn_last_error());
    if (fai_build(o.out) != 0)
        return sim_error(cmd, "%s: cannot build the .fai index", o.out);
    return 0;
}
