/* sim_panel.c -- `metcn-sim panel`: a capture-panel BED at GRCh38 coordinates for a reference
 * written by `metcn-sim ref`.
 *
 * Targets: the 20 real MET coding exons (MET_ex2..MET_ex21), synthetic EGFR exons inside the
 * real EGFR gene extent (EGFR_ex1..), chr7 control targets on both arms away from MET and
 * EGFR (C7p_*, C7q_*), flank targets around MET inside the 10 Mb window (F7_*), targets on
 * the other autosomes (T<chrom>_*) and on chrX / chrY (TX_*, TY_*).  Synthetic targets are
 * placed one per stratum of equal width, at a random offset, so they never overlap. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>
#include <htslib/faidx.h>

#include "metcn/metcn.h"
#include "metcn/util.h"
#include "sim.h"

typedef struct {
    const char *ref;            /* reference FASTA with .fai (contig lengths) */
    const char *out;            /* output BED */
    uint64_t seed;              /* placement seed */
    int64_t n_other;            /* targets over the autosomes other than chr7 */
    int64_t n_control;          /* chr7 control targets (both arms) */
    int64_t n_egfr;             /* synthetic EGFR exons */
    int64_t n_x, n_y;           /* sex-chromosome targets */
    int64_t size_min, size_max; /* synthetic target size range, bp */
} panel_opt_t;

static void panel_opt_init(panel_opt_t *o)
{
    memset(o, 0, sizeof *o);
    o->seed = 1;
    o->n_other = 300;
    o->n_control = 60;
    o->n_egfr = 28;
    o->n_x = 12;
    o->n_y = 6;
    o->size_min = 100;
    o->size_max = 250;
}

static void panel_help(FILE *fp)
{
    panel_opt_t d;
    panel_opt_init(&d);
    fprintf(fp,
            "Usage: metcn-sim panel -r REF.fa -o PANEL.bed [options]\n\n"
            "Writes a capture panel BED (GRCh38 coordinates) for a `metcn-sim ref` reference.\n\n"
            "  -r, --ref FILE        reference FASTA with .fai (required)\n"
            "  -o, --out FILE        output BED (required)\n"
            "  -s, --seed INT        placement seed [%llu]\n"
            "      --n-other INT     targets over the other autosomes [%lld]\n"
            "      --n-control INT   chr7 control targets, both arms [%lld]\n"
            "      --n-egfr INT      synthetic EGFR exons [%lld]\n"
            "      --n-x INT         chrX targets [%lld]\n"
            "      --n-y INT         chrY targets [%lld]\n"
            "      --size-min INT    smallest synthetic target, bp [%lld]\n"
            "      --size-max INT    largest synthetic target, bp [%lld]\n"
            "Also written: the 20 MET coding exons and 14 flank targets around MET.\n",
            (unsigned long long)d.seed, (long long)d.n_other, (long long)d.n_control,
            (long long)d.n_egfr, (long long)d.n_x, (long long)d.n_y, (long long)d.size_min,
            (long long)d.size_max);
}

typedef struct {
    int contig;
    int64_t start, end;
    char name[32];
} target_t;

typedef struct {
    target_t *a;
    size_t n, m;
} tvec_t;

static int push(tvec_t *v, int contig, int64_t start, int64_t end, const char *name)
{
    if (v->n == v->m) {
        size_t m = v->m ? 2 * v->m : 1024;
        target_t *a = realloc(v->a, m * sizeof *a);
        if (!a)
            return -1;
        v->a = a;
        v->m = m;
    }
    target_t *t = &v->a[v->n++];
    t->contig = contig;
    t->start = start;
    t->end = end;
    snprintf(t->name, sizeof t->name, "%s", name);
    return 0;
}

/* n targets in [lo, hi), one per stratum; names prefix_NNN from *counter. */
static int place(tvec_t *v, gsl_rng *rng, const panel_opt_t *o, int contig, int64_t lo, int64_t hi,
                 int64_t n, const char *prefix, int *counter)
{
    if (n <= 0)
        return 0;
    double width = (double)(hi - lo) / (double)n;
    if (width < (double)o->size_max + 200)
        return -2;
    for (int64_t i = 0; i < n; i++) {
        int64_t size = o->size_min + (int64_t)gsl_rng_uniform_int(
                                         rng, (unsigned long)(o->size_max - o->size_min + 1));
        int64_t s0 = lo + (int64_t)(width * (double)i);
        int64_t room = (int64_t)width - size - 100;
        int64_t start = s0 + 50 + (int64_t)(gsl_rng_uniform(rng) * (double)room);
        char name[32];
        snprintf(name, sizeof name, "%s_%03d", prefix, ++*counter);
        if (push(v, contig, start, start + size, name) != 0)
            return -1;
    }
    return 0;
}

static int cmp_target(const void *pa, const void *pb)
{
    const target_t *a = pa, *b = pb;
    if (a->contig != b->contig)
        return a->contig < b->contig ? -1 : 1;
    return a->start < b->start ? -1 : a->start > b->start;
}

int sim_main_panel(int argc, char **argv)
{
    const char *cmd = "panel";
    panel_opt_t o;
    panel_opt_init(&o);
    static const struct option lo[] = {
        {"ref", required_argument, NULL, 'r'},     {"out", required_argument, NULL, 'o'},
        {"seed", required_argument, NULL, 's'},    {"n-other", required_argument, NULL, 1},
        {"n-control", required_argument, NULL, 2}, {"n-egfr", required_argument, NULL, 3},
        {"n-x", required_argument, NULL, 4},       {"n-y", required_argument, NULL, 5},
        {"size-min", required_argument, NULL, 6},  {"size-max", required_argument, NULL, 7},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
    int c, rc;
    int64_t v;
    optind = 1;
    while ((c = getopt_long(argc, argv, "r:o:s:h", lo, NULL)) != -1) {
        switch (c) {
        case 'r':
            o.ref = optarg;
            break;
        case 'o':
            o.out = optarg;
            break;
        case 's':
            if ((rc = sim_opt_int64(cmd, "--seed", optarg, 0, INT64_MAX, &v)))
                return rc;
            o.seed = (uint64_t)v;
            break;
        case 1:
            rc = sim_opt_int64(cmd, "--n-other", optarg, 0, 1000000, &o.n_other);
            break;
        case 2:
            rc = sim_opt_int64(cmd, "--n-control", optarg, 0, 100000, &o.n_control);
            break;
        case 3:
            rc = sim_opt_int64(cmd, "--n-egfr", optarg, 0, 100, &o.n_egfr);
            break;
        case 4:
            rc = sim_opt_int64(cmd, "--n-x", optarg, 0, 100000, &o.n_x);
            break;
        case 5:
            rc = sim_opt_int64(cmd, "--n-y", optarg, 0, 100000, &o.n_y);
            break;
        case 6:
            rc = sim_opt_int64(cmd, "--size-min", optarg, 20, 10000, &o.size_min);
            break;
        case 7:
            rc = sim_opt_int64(cmd, "--size-max", optarg, 20, 10000, &o.size_max);
            break;
        case 'h':
            panel_help(stdout);
            return fclose(stdout) == 0 ? 0 : 1;
        default:
            return sim_usage(cmd, "unknown option");
        }
        if (c >= 1 && c <= 7 && rc)
            return rc;
    }
    if (optind < argc)
        return sim_usage(cmd, "unexpected argument '%s'", argv[optind]);
    if (!o.ref || !o.out)
        return sim_usage(cmd, "--ref and --out are required");
    if (o.size_min > o.size_max)
        return sim_usage(cmd, "--size-min %lld is above --size-max %lld", (long long)o.size_min,
                         (long long)o.size_max);

    faidx_t *fai = fai_load(o.ref);
    if (!fai)
        return sim_error(cmd, "%s: cannot load the FASTA index", o.ref);
    int nseq = faidx_nseq(fai);
    int chr7 = -1, chrx = -1, chry = -1, n_auto = 0;
    for (int i = 0; i < nseq; i++) {
        const char *nm = faidx_iseq(fai, i);
        if (strcmp(nm, "chr7") == 0)
            chr7 = i;
        else if (strcmp(nm, "chrX") == 0)
            chrx = i;
        else if (strcmp(nm, "chrY") == 0)
            chry = i;
        else
            n_auto++;
    }
    if (chr7 < 0 || faidx_seq_len(fai, "chr7") != SIM_CHR7_LEN) {
        fai_destroy(fai);
        return sim_error(cmd, "%s: no full-length chr7 (%lld bp) in the reference", o.ref,
                         (long long)SIM_CHR7_LEN);
    }
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    tvec_t tv = {NULL, 0, 0};
    int err = 0, counter = 0;
    if (!rng) {
        fai_destroy(fai);
        return sim_error(cmd, "out of memory");
    }
    gsl_rng_set(rng, (unsigned long)o.seed);
    for (int i = 0; i < SIM_N_MET_EXONS && !err; i++) {
        char name[32];
        snprintf(name, sizeof name, "MET_ex%d", i + 2);
        err = push(&tv, chr7, sim_met_exons[i][0], sim_met_exons[i][1], name);
    }
    counter = 0;
    if (!err && o.n_egfr > 0) {
        /* exons inside the gene, the last 2 kb left free like a 3' UTR */
        err = place(&tv, rng, &o, chr7, SIM_EGFR_START + 1000, SIM_EGFR_END - 2000, o.n_egfr,
                    "EGFR_ex", &counter);
        for (size_t i = tv.n - (size_t)o.n_egfr; i < tv.n && !err; i++)
            snprintf(tv.a[i].name, sizeof tv.a[i].name, "EGFR_ex%d",
                     (int)(i - (tv.n - (size_t)o.n_egfr)) + 1);
    }
    /* chr7 controls: p arm outside EGFR +-2 Mb, q arm outside MET +-10.5 Mb */
    static const int64_t ctl[][2] = {{1000000, 53000000},
                                     {57300000 - 300000, 57800000},
                                     {63000000, 106100000},
                                     {127300000, 158300000}};
    int64_t ctl_len = 0;
    for (int k = 0; k < 4; k++)
        ctl_len += ctl[k][1] - ctl[k][0];
    int64_t done = 0;
    counter = 0;
    for (int k = 0; k < 4 && !err; k++) {
        int64_t n = k == 3 ? o.n_control - done
                           : (int64_t)((double)o.n_control * (double)(ctl[k][1] - ctl[k][0]) /
                                           (double)ctl_len +
                                       0.5);
        if (n > o.n_control - done)
            n = o.n_control - done;
        err = place(&tv, rng, &o, chr7, ctl[k][0], ctl[k][1], n, k < 2 ? "C7p" : "C7q", &counter);
        done += n;
    }
    /* flanks: inside MET's 10 Mb window, some inside the default amplicon */
    static const int64_t flank_off[] = {-9000000, -6000000, -3000000, -1500000, -600000,
                                        -300000,  -100000,  100000,   300000,   600000,
                                        1500000,  3000000,  6000000,  9000000};
    for (size_t k = 0; k < sizeof flank_off / sizeof flank_off[0] && !err; k++) {
        int64_t at = flank_off[k] < 0 ? SIM_MET_START + flank_off[k] : SIM_MET_END + flank_off[k];
        int64_t size = o.size_min + (int64_t)gsl_rng_uniform_int(
                                        rng, (unsigned long)(o.size_max - o.size_min + 1));
        char name[32];
        snprintf(name, sizeof name, "F7_%03d", (int)k + 1);
        err = push(&tv, chr7, at, at + size, name);
    }
    /* other autosomes: an equal share each */
    int k_auto = 0;
    for (int i = 0; i < nseq && !err; i++) {
        if (i == chr7 || i == chrx || i == chry)
            continue;
        const char *nm = faidx_iseq(fai, i);
        int64_t len = faidx_seq_len(fai, nm);
        int64_t n = o.n_other / n_auto + (k_auto < o.n_other % n_auto ? 1 : 0);
        k_auto++;
        char prefix[40];
        snprintf(prefix, sizeof prefix, "T%s", strncmp(nm, "chr", 3) == 0 ? nm + 3 : nm);
        counter = 0;
        err = place(&tv, rng, &o, i, 100000, len - 100000, n, prefix, &counter);
    }
    if (!err && chrx >= 0) {
        counter = 0;
        err = place(&tv, rng, &o, chrx, 100000, faidx_seq_len(fai, "chrX") - 100000, o.n_x, "TX",
                    &counter);
    }
    if (!err && chry >= 0) {
        counter = 0;
        err = place(&tv, rng, &o, chry, 100000, faidx_seq_len(fai, "chrY") - 100000, o.n_y, "TY",
                    &counter);
    }
    gsl_rng_free(rng);
    if (err) {
        free(tv.a);
        fai_destroy(fai);
        return err == -2 ? sim_usage(cmd, "too many targets for the contig lengths in %s", o.ref)
                         : sim_error(cmd, "out of memory");
    }
    qsort(tv.a, tv.n, sizeof *tv.a, cmp_target);
    metcn_ofile_t *f = metcn_ofile_open(o.out);
    if (!f) {
        free(tv.a);
        fai_destroy(fai);
        return sim_error(cmd, "%s", metcn_last_error());
    }
    for (size_t i = 0; i < tv.n; i++)
        metcn_ofile_printf(f, "%s\t%lld\t%lld\t%s\n", faidx_iseq(fai, tv.a[i].contig),
                           (long long)tv.a[i].start, (long long)tv.a[i].end, tv.a[i].name);
    free(tv.a);
    fai_destroy(fai);
    if (metcn_ofile_close(f, 1) != 0)
        return sim_error(cmd, "%s", metcn_last_error());
    return 0;
}
