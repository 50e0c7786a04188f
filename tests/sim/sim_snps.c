/* sim_snps.c -- `metcn-sim snps`: a population list of germline SNP sites with allele
 * frequencies, as a bgzipped, tabix-indexed VCF (docs/simulator.md, "Germline SNPs").
 *
 * Sites are a Bernoulli process over the bases of each contig (geometric gaps, --density sites
 * per kb), within --flank bp of the panel's targets (panel mode) or anywhere (no panel),
 * skipping N.  REF is the reference base, ALT one of the other three, AF = the minor allele
 * frequency (uniform in [--maf-min, 0.5]) or one minus it.  Everything is a function of
 * (--seed, contig): the same command gives the same file. */
#include <ctype.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <htslib/bgzf.h>
#include <htslib/faidx.h>
#include <htslib/kstring.h>
#include <htslib/tbx.h>

#include "metcn/metcn.h"
#include "metcn/panel.h"
#include "metcn/util.h"
#include "sim.h"

typedef struct {
    const char *ref;     /* reference FASTA (+ .fai) */
    const char *out;     /* output VCF (.vcf.gz) */
    const char *bed;     /* panel: sites near its targets only, or NULL: everywhere */
    int64_t flank;       /* bp either side of a target */
    double density;      /* expected sites per kb */
    double maf_min;      /* lowest minor allele frequency */
    uint64_t seed;       /* site seed */
    const char *contigs; /* comma-separated subset, NULL = all */
} snps_opt_t;

static void snps_opt_init(snps_opt_t *o)
{
    memset(o, 0, sizeof *o);
    o->flank = 200;
    o->density = 2;
    o->maf_min = 0.05;
    o->seed = 1;
}

static void snps_help(FILE *fp)
{
    snps_opt_t d;
    snps_opt_init(&d);
    fprintf(fp,
            "Usage: metcn-sim snps -r REF.fa -o SITES.vcf.gz [-b PANEL.bed] [options]\n\n"
            "Writes a population list of biallelic SNP sites with INFO/AF, bgzipped, with a\n"
            ".tbi index.  metcn-sim reads --snps gives an individual genotypes from it.\n\n"
            "  -r, --ref FILE         reference FASTA with .fai (required)\n"
            "  -o, --out FILE         output VCF, .vcf.gz (required)\n"
            "  -b, --bed FILE         sites only within --flank of these targets [anywhere]\n"
            "      --flank INT        bp either side of a target [%lld]\n"
            "      --density FLOAT    expected sites per kb [%g]\n"
            "      --maf-min FLOAT    lowest minor allele frequency (uniform up to 0.5) [%g]\n"
            "      --contigs LIST     comma-separated contigs [all]\n"
            "  -s, --seed INT         site seed [%llu]\n",
            (long long)d.flank, d.density, d.maf_min, (unsigned long long)d.seed);
}

/* The sites of [a, b) on contig name (sequence seq of [a, b)) into ks; *n counts them.  The
 * gaps are geometric, from a hash chain that depends on (seed, contig, a). */
static void sites_in(const snps_opt_t *o, const char *name, int64_t a, int64_t b, const char *seq,
                     kstring_t *ks, size_t *n)
{
    double p = o->density / 1000.0;
    uint64_t st = sim_mix64(sim_hash_str(name, o->seed) ^ (uint64_t)a);
    for (int64_t x = a;;) {
        st = sim_mix64(st);
        x += (int64_t)floor(log(sim_u01(st)) / log1p(-p)); /* geometric gap, >= 0 */
        if (x >= b)
            break;
        int r = toupper((unsigned char)seq[x - a]);
        const char *acgt = "ACGT", *ri = strchr(acgt, r);
        st = sim_mix64(st);
        if (r && ri) {
            char alt = acgt[((ri - acgt) + 1 + (int)(st % 3)) % 4];
            double maf = o->maf_min + (0.5 - o->maf_min) * sim_u01(sim_mix64(st ^ 1));
            double af = (st >> 40) & 1 ? 1 - maf : maf;
            ksprintf(ks, "%s\t%lld\tsnp%zu\t%c\t%c\t.\tPASS\tAF=%.4f\n", name, (long long)x + 1,
                     *n + 1, r, alt, af);
            (*n)++;
        }
        x++;
    }
}

/* Intervals of contig tid near the panel's targets (merged), or the whole contig. */
static int regions(const snps_opt_t *o, const metcn_panel_t *p, const char *name, int64_t len,
                   int64_t **iv, size_t *n)
{
    *n = 0;
    *iv = malloc(2 * (p ? p->n_bins + 1 : 1) * sizeof **iv);
    if (!*iv)
        return -1;
    if (!p) {
        (*iv)[0] = 0;
        (*iv)[1] = len;
        *n = 1;
        return 0;
    }
    for (size_t i = 0; i < p->n_bins; i++) {
        const metcn_bin_t *b = &p->bins[i];
        if (strcmp(p->contigs[b->contig].name, name) != 0)
            continue;
        int64_t s = b->start - o->flank < 0 ? 0 : b->start - o->flank;
        int64_t e = b->end + o->flank > len ? len : b->end + o->flank;
        if (*n && s <= (*iv)[2 * *n - 1]) {
            if (e > (*iv)[2 * *n - 1])
                (*iv)[2 * *n - 1] = e;
        } else {
            (*iv)[2 * *n] = s;
            (*iv)[2 * *n + 1] = e;
            (*n)++;
        }
    }
    return 0;
}

static int write_vcf(const snps_opt_t *o, const faidx_t *fai, const metcn_panel_t *p,
                     const char *tmp, size_t *total)
{
    BGZF *out = bgzf_open(tmp, "w");
    kstring_t ks = KS_INITIALIZE;
    int rc = 0;
    if (!out)
        return sim_error("snps", "%s: cannot open for writing", tmp);
    ksprintf(&ks, "##fileformat=VCFv4.2\n##source=metcn-sim snps %s (seed %llu)\n", METCN_VERSION,
             (unsigned long long)o->seed);
    for (int i = 0; i < faidx_nseq(fai); i++)
        ksprintf(&ks, "##contig=<ID=%s,length=%lld>\n", faidx_iseq(fai, i),
                 (long long)faidx_seq_len(fai, faidx_iseq(fai, i)));
    ksprintf(&ks, "##INFO=<ID=AF,Number=A,Type=Float,Description=\"Alt allele frequency in the "
                  "simulated population\">\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n");
    *total = 0;
    for (int i = 0; i < faidx_nseq(fai) && !rc; i++) {
        const char *name = faidx_iseq(fai, i);
        int64_t len = faidx_seq_len(fai, name);
        int64_t *iv = NULL;
        size_t n = 0;
        if (!sim_contig_wanted(o->contigs, name))
            continue;
        if (regions(o, p, name, len, &iv, &n) != 0) {
            rc = sim_error("snps", "out of memory");
            break;
        }
        for (size_t k = 0; k < n && !rc; k++) {
            hts_pos_t got = 0;
            char *seq = faidx_fetch_seq64(fai, name, iv[2 * k], iv[2 * k + 1] - 1, &got);
            if (!seq || got != iv[2 * k + 1] - iv[2 * k])
                rc = sim_error("snps", "%s: cannot read %s:%lld-%lld", o->ref, name,
                               (long long)iv[2 * k] + 1, (long long)iv[2 * k + 1]);
            else
                sites_in(o, name, iv[2 * k], iv[2 * k + 1], seq, &ks, total);
            free(seq);
            if (ks.l > (1 << 20)) {
                if (bgzf_write(out, ks.s, ks.l) != (ssize_t)ks.l)
                    rc = sim_error("snps", "%s: write error", tmp);
                ks.l = 0;
            }
        }
        free(iv);
    }
    if (!rc && bgzf_write(out, ks.s, ks.l) != (ssize_t)ks.l)
        rc = sim_error("snps", "%s: write error", tmp);
    if (bgzf_close(out) != 0 && !rc)
        rc = sim_error("snps", "%s: write error", tmp);
    free(ks.s);
    return rc;
}

int sim_main_snps(int argc, char **argv)
{
    const char *cmd = "snps";
    snps_opt_t o;
    snps_opt_init(&o);
    enum { O_FLANK = 1, O_DENS, O_MAF, O_CONTIGS };
    static const struct option lo[] = {{"ref", required_argument, NULL, 'r'},
                                       {"out", required_argument, NULL, 'o'},
                                       {"bed", required_argument, NULL, 'b'},
                                       {"seed", required_argument, NULL, 's'},
                                       {"flank", required_argument, NULL, O_FLANK},
                                       {"density", required_argument, NULL, O_DENS},
                                       {"maf-min", required_argument, NULL, O_MAF},
                                       {"contigs", required_argument, NULL, O_CONTIGS},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
    int c, rc = 0;
    int64_t v;
    optind = 1;
    while ((c = getopt_long(argc, argv, "r:o:b:s:h", lo, NULL)) != -1) {
        rc = 0;
        switch (c) {
        case 'r':
            o.ref = optarg;
            break;
        case 'o':
            o.out = optarg;
            break;
        case 'b':
            o.bed = optarg;
            break;
        case 's':
            if (!(rc = sim_opt_int64(cmd, "--seed", optarg, 0, INT64_MAX, &v)))
                o.seed = (uint64_t)v;
            break;
        case O_FLANK:
            rc = sim_opt_int64(cmd, "--flank", optarg, 0, 100000000, &o.flank);
            break;
        case O_DENS:
            rc = sim_opt_double(cmd, "--density", optarg, 0.001, 500, &o.density);
            break;
        case O_MAF:
            rc = sim_opt_double(cmd, "--maf-min", optarg, 0.0001, 0.5, &o.maf_min);
            break;
        case O_CONTIGS:
            o.contigs = optarg;
            break;
        case 'h':
            snps_help(stdout);
            return fclose(stdout) == 0 ? 0 : 1;
        default:
            return sim_usage(cmd, "unknown option");
        }
        if (rc)
            return rc;
    }
    if (optind < argc)
        return sim_usage(cmd, "unexpected argument '%s'", argv[optind]);
    if (!o.ref || !o.out)
        return sim_usage(cmd, "--ref and --out are required");
    if (!metcn_ends_with(o.out, ".vcf.gz"))
        return sim_usage(cmd, "--out must end in .vcf.gz (it is bgzipped and indexed)");
    faidx_t *fai = fai_load(o.ref);
    if (!fai)
        return sim_error(cmd, "%s: cannot open the FASTA or its index", o.ref);
    metcn_panel_t *p = NULL;
    kstring_t tmp = KS_INITIALIZE, tbi = KS_INITIALIZE, ttbi = KS_INITIALIZE;
    int ret = 1;
    size_t total = 0;
    if (o.bed) {
        metcn_panel_opt_t po;
        metcn_panel_opt_init(&po);
        if (!(p = metcn_panel_load(o.bed, &po, NULL))) {
            sim_error(cmd, "%s", metcn_last_error());
            goto out;
        }
    }
    /* written and indexed under a temporary name (ending .vcf.gz, as tabix wants), then
     * renamed, the index first */
    ksprintf(&tmp, "%s.tmp%ld.vcf.gz", o.out, (long)getpid());
    ksprintf(&ttbi, "%s.tbi", tmp.s);
    ksprintf(&tbi, "%s.tbi", o.out);
    if (write_vcf(&o, fai, p, tmp.s, &total) != 0)
        goto out;
    if (tbx_index_build(tmp.s, 0, &tbx_conf_vcf) != 0) {
        sim_error(cmd, "%s: cannot index", tmp.s);
        goto out;
    }
    if (rename(ttbi.s, tbi.s) != 0 || rename(tmp.s, o.out) != 0) {
        sim_error(cmd, "%s: cannot rename the output", o.out);
        goto out;
    }
    (void)total;
    ret = 0;
out:
    if (ret != 0) {
        unlink(tmp.s);
        unlink(ttbi.s);
    }
    free(tmp.s);
    free(tbi.s);
    free(ttbi.s);
    metcn_panel_destroy(p);
    fai_destroy(fai);
    return ret;
}
