/* test_sample.c -- the sample pipeline: an input's kind from its content whatever its name (a
 * BAM named .txt, a coverage table named .bam, SAM, CNVkit, mosdepth; refusals of anything
 * else), its name, the one compatibility check, coverage counted or read (the same numbers),
 * and the properties with their sources after a normalisation. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <htslib/bgzf.h>
#include <htslib/sam.h>

#include "metcn/metcn.h"
#include "metcn/sample.h"
#include "metcn/stats.h"

static char dir[256];
static metcn_panel_t *panel; /* chr1:1000-2000, chr1:3000-4000, chr2:1000-2000 */

static const char *path_of(const char *name)
{
    static char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return p;
}

static void spit(const char *name, const char *text)
{
    FILE *fp = fopen(path_of(name), "w");
    ck_assert_ptr_nonnull(fp);
    fputs(text, fp);
    fclose(fp);
}

static void spit_bgzf(const char *name, const char *text)
{
    BGZF *fp = bgzf_open(path_of(name), "w");
    ck_assert_ptr_nonnull(fp);
    ck_assert_int_eq((int)bgzf_write(fp, text, strlen(text)), (int)strlen(text));
    ck_assert_int_eq(bgzf_close(fp), 0);
}

/* SAM text: 10 unpaired 100 bp reads at chr1:1001 (all inside bin 0) and 5 at chr2:1101; the
 * truth: bin 0 depth 10 * 100 / 1000 = 1.0, bin 1 0, bin 2 0.5. */
static const char *sam_text(void)
{
    static char s[4096];
    size_t l = (size_t)snprintf(s, sizeof s,
                                "@HD\tVN:1.6\tSO:coordinate\n@SQ\tSN:chr1\tLN:10000\n"
                                "@SQ\tSN:chr2\tLN:10000\n@RG\tID:g\tSM:smp1\n");
    for (int i = 0; i < 10; i++)
        l += (size_t)snprintf(s + l, sizeof s - l,
                              "r%d\t0\tchr1\t1001\t60\t100M\t*\t0\t0\t*\t*\tRG:Z:g\n", i);
    for (int i = 0; i < 5; i++)
        l += (size_t)snprintf(s + l, sizeof s - l,
                              "q%d\t0\tchr2\t1101\t60\t100M\t*\t0\t0\t*\t*\tRG:Z:g\n", i);
    return s;
}

/* The SAM text converted to BAM at name (with htslib, as any aligner's output would be). */
static void write_bam(const char *name)
{
    spit("tmp.sam", sam_text());
    char in[512];
    snprintf(in, sizeof in, "%s", path_of("tmp.sam"));
    samFile *i = sam_open(in, "r"), *o = sam_open(path_of(name), "wb");
    ck_assert(i && o);
    sam_hdr_t *h = sam_hdr_read(i);
    ck_assert_int_eq(sam_hdr_write(o, h), 0);
    bam1_t *b = bam_init1();
    while (sam_read1(i, h, b) >= 0)
        ck_assert_int_ge(sam_write1(o, h, b), 0);
    bam_destroy1(b);
    sam_hdr_destroy(h);
    sam_close(i);
    ck_assert_int_eq(sam_close(o), 0);
}

static void setup(void)
{
    metcn_init();
    metcn_log_set_level(METCN_LOG_ERROR);
    snprintf(dir, sizeof dir, "/tmp/metcn_test_sample.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    spit("p.bed", "chr1\t1000\t2000\tA\nchr1\t3000\t4000\tB\nchr2\t1000\t2000\tC\n");
    panel = metcn_panel_load(path_of("p.bed"), NULL, NULL);
    ck_assert_msg(panel != NULL, "%s", metcn_last_error());
}

static void teardown(void)
{
    metcn_panel_destroy(panel);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static const double truth_depth[3] = {1.0, 0.0, 0.5};

static void expect_truth(const metcn_covtab_t *t, const char *what)
{
    for (int i = 0; i < 3; i++)
        ck_assert_msg(fabs(t->depth[i] - truth_depth[i]) < 1e-4, "%s bin %d: %g, truth %g", what, i,
                      t->depth[i], truth_depth[i]);
}

/* Reads, whatever their name: a BAM named .txt and SAM text named .bam. */
START_TEST(test_reads_by_content)
{
    write_bam("reads.txt");
    spit("text.bam", sam_text());
    static const struct {
        const char *file;
        metcn_input_t kind;
    } cases[] = {{"reads.txt", METCN_INPUT_BAM}, {"text.bam", METCN_INPUT_SAM}};
    for (int k = 0; k < 2; k++) {
        metcn_sample_t *s = metcn_sample_open(path_of(cases[k].file), NULL);
        ck_assert_msg(s != NULL, "%s: %s", cases[k].file, metcn_last_error());
        ck_assert_int_eq(s->kind, cases[k].kind);
        ck_assert_int_eq(s->table, -1);
        ck_assert_ptr_nonnull(s->hdr);
        ck_assert_str_eq(s->name, "smp1"); /* read-group SM */
        ck_assert_int_eq(s->purity.source, METCN_SOURCE_ASSUMED);
        ck_assert_double_eq(s->purity.value, 1);
        ck_assert_int_eq(s->sex.source, METCN_SOURCE_NONE);
        ck_assert_int_eq(metcn_sample_check(s, panel, NULL), 0);
        ck_assert_msg(metcn_sample_coverage(s, panel) == 0, "%s", metcn_last_error());
        expect_truth(s->cov, cases[k].file);
        ck_assert_str_eq(s->cov->sample, "smp1");
        ck_assert_int_eq(metcn_sample_coverage(s, panel), 0); /* the same panel: nothing to do */
        metcn_sample_close(s);
    }
}
END_TEST

/* Tables, whatever their name: metcn's named .bam, CNVkit's named .sam, mosdepth's (bgzip)
 * named .cram; each reads back the truth. */
START_TEST(test_tables_by_content)
{
    write_bam("reads.txt");
    metcn_sample_t *s = metcn_sample_open(path_of("reads.txt"), NULL);
    ck_assert_msg(s && metcn_sample_coverage(s, panel) == 0, "%s", metcn_last_error());
    ck_assert_int_eq(metcn_covtab_write(s->cov, path_of("cov.bam"), NULL, "test"), 0);
    metcn_sample_close(s);
    spit("cnv.sam", "chromosome\tstart\tend\tgene\tdepth\tlog2\nchr1\t1000\t2000\tA\t1\t0\n"
                    "chr1\t3000\t4000\tB\t0\t-20\nchr2\t1000\t2000\tC\t0.5\t-1\n");
    spit_bgzf("md.cram", "chr1\t1000\t2000\tA\t1.00\nchr1\t3000\t4000\tB\t0.00\n"
                         "chr2\t1000\t2000\tC\t0.50\n");
    static const struct {
        const char *file, *name;
        metcn_table_t table;
    } cases[] = {{"cov.bam", "smp1", METCN_TABLE_METCN},
                 {"cnv.sam", "cnv", METCN_TABLE_CNVKIT},
                 {"md.cram", "md", METCN_TABLE_MOSDEPTH}};
    for (int k = 0; k < 3; k++) {
        s = metcn_sample_open(path_of(cases[k].file), NULL);
        ck_assert_msg(s != NULL, "%s: %s", cases[k].file, metcn_last_error());
        ck_assert_int_eq(s->kind, METCN_INPUT_TABLE);
        ck_assert_int_eq(s->table, (int)cases[k].table);
        ck_assert_ptr_null(s->hdr);
        ck_assert_str_eq(s->name, cases[k].name);
        ck_assert_int_eq(metcn_sample_check(s, panel, NULL), 0);
        ck_assert_msg(metcn_sample_coverage(s, panel) == 0, "%s", metcn_last_error());
        expect_truth(s->cov, cases[k].file);
        metcn_sample_close(s);
    }
}
END_TEST

/* GATK CollectReadCounts TSV and Picard HsMetrics PER_TARGET_COVERAGE: 1-based closed
 * intervals onto the panel's 0-based bins; GATK's depth is COUNT x 150 / length, its counts the
 * fragments; Picard's mean_coverage and %gc as they are.  Rows off the panel (a 0-based start
 * taken as 1-based) and bad values are refused naming the line. */
START_TEST(test_foreign_tables)
{
    spit("counts.tsv", "@HD\tVN:1.6\n@SQ\tSN:chr1\tLN:10000\n@SQ\tSN:chr2\tLN:10000\n"
                       "@RG\tID:GATKCopyNumber\tSM:g1\nCONTIG\tSTART\tEND\tCOUNT\n"
                       "chr1\t1001\t2000\t20\nchr1\t3001\t4000\t0\nchr2\t1001\t2000\t10\n");
    spit("hs.txt", "chrom\tstart\tend\tlength\tname\t%gc\tmean_coverage\tnormalized_coverage\t"
                   "min_normalized_coverage\tmax_normalized_coverage\tmin_coverage\tmax_coverage\t"
                   "pct_0x\tread_count\n"
                   "chr1\t1001\t2000\t1000\tA\t0.41\t1.0\t1.33\t0\t2\t0\t2\t0\t7\n"
                   "chr1\t3001\t4000\t1000\tB\t0.55\t0.0\t0\t0\t0\t0\t0\t1\t0\n"
                   "chr2\t1001\t2000\t1000\tC\t0.62\t0.5\t0.67\t0\t1\t0\t1\t0.5\t3\n");
    static const double gatk_depth[3] = {3.0, 0.0, 1.5}, picard_gc[3] = {0.41, 0.55, 0.62};
    static const uint64_t gatk_frag[3] = {20, 0, 10};
    metcn_sample_t *s = metcn_sample_open(path_of("counts.tsv"), NULL);
    ck_assert_msg(s != NULL, "%s", metcn_last_error());
    ck_assert_int_eq(s->kind, METCN_INPUT_TABLE);
    ck_assert_int_eq(s->table, METCN_TABLE_GATK);
    ck_assert_str_eq(metcn_input_name(s->kind, s->table), "GATK CollectReadCounts");
    ck_assert_msg(metcn_sample_coverage(s, panel) == 0, "%s", metcn_last_error());
    ck_assert_int_eq(s->cov->has_fragments, 1);
    for (int i = 0; i < 3; i++) {
        ck_assert_double_eq_tol(s->cov->depth[i], gatk_depth[i], 1e-9);
        ck_assert_uint_eq(s->cov->fragments[i], gatk_frag[i]);
    }
    ck_assert_str_eq(s->cov->format, "gatk");
    metcn_sample_close(s);
    s = metcn_sample_open(path_of("hs.txt"), NULL);
    ck_assert_msg(s != NULL, "%s", metcn_last_error());
    ck_assert_int_eq(s->table, METCN_TABLE_PICARD);
    ck_assert_msg(metcn_sample_coverage(s, panel) == 0, "%s", metcn_last_error());
    expect_truth(s->cov, "hs.txt");
    ck_assert_int_eq(s->cov->has_gc, 1);
    for (int i = 0; i < 3; i++)
        ck_assert_double_eq_tol(s->cov->gc[i], picard_gc[i], 1e-9);
    metcn_sample_close(s);
    static const struct {
        const char *file, *text, *msg;
    } bad[] = {
        {"zero.tsv", "CONTIG\tSTART\tEND\tCOUNT\nchr1\t1000\t2000\t20\n",
         "zero.tsv:2: chr1:999-2000 matches no bin"},
        {"count.tsv", "CONTIG\tSTART\tEND\tCOUNT\nchr1\t1001\t2000\t-3\n",
         "count.tsv:2: bad COUNT"},
        {"cov.txt",
         "chrom\tstart\tend\tlength\tname\t%gc\tmean_coverage\nchr1\t1001\t2000\t1000\tA\t0."
         "4\tNaN\n",
         "cov.txt:2: bad mean_coverage or %gc"},
        {"rev.tsv", "CONTIG\tSTART\tEND\tCOUNT\nchr1\t2000\t1001\t20\n",
         "rev.tsv:2: bad start or end"},
    };
    for (int k = 0; k < 4; k++) {
        spit(bad[k].file, bad[k].text);
        s = metcn_sample_open(path_of(bad[k].file), NULL);
        ck_assert_msg(s != NULL, "%s: %s", bad[k].file, metcn_last_error());
        ck_assert_int_lt(metcn_sample_coverage(s, panel), 0);
        ck_assert_msg(strstr(metcn_last_error(), bad[k].msg) != NULL, "%s: '%s'", bad[k].file,
                      metcn_last_error());
        metcn_sample_close(s);
    }
}
END_TEST

/* A CNVkit .cnr: its rows make the panel (Antitarget rows off-target, the build recognised
 * from the MET bins), no PoN is taken, and the per-bin SD is s sqrt(1 - weight) with s
 * recovered from the sample's scatter: log2 generated with s = 0.8 and weights 0.9-0.99. */
START_TEST(test_cnvkit_cnr)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 42);
    FILE *fp = fopen(path_of("t.cnr"), "w");
    ck_assert_ptr_nonnull(fp);
    fputs("chromosome\tstart\tend\tgene\tlog2\tdepth\tweight\n", fp);
    const double s_true = 0.8;
    double wt[480];
    for (int c = 1; c <= 8; c++)
        for (int i = 0; i < 60; i++) {
            double w = wt[(c - 1) * 60 + i] = round(1e4 * (0.9 + 0.09 * gsl_rng_uniform(r))) / 1e4;
            int anti = i % 2;
            int64_t st = 1000000 + (int64_t)i * 200000;
            if (c == 7 && i == 59)
                fprintf(fp, "chr7\t116700000\t116700200\tMET\t%.5f\t300\t%.4f\n",
                        gsl_ran_gaussian(r, s_true * sqrt(1 - w)), w);
            else
                fprintf(fp, "chr%d\t%lld\t%lld\t%s\t%.5f\t%d\t%.4f\n", c, (long long)st,
                        (long long)st + (anti ? 150000 : 200), anti ? "Antitarget" : "T",
                        gsl_ran_gaussian(r, s_true * sqrt(1 - w)), anti ? 5 : 300, w);
        }
    fclose(fp);
    gsl_rng_free(r);
    metcn_sample_t *s = metcn_sample_open(path_of("t.cnr"), NULL);
    ck_assert_msg(s != NULL, "%s", metcn_last_error());
    ck_assert_int_eq(s->kind, METCN_INPUT_CNVKIT_CNR);
    ck_assert_str_eq(s->name, "t");
    const metcn_panel_t *p = metcn_sample_panel(s);
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq(p->n_bins, 480);
    ck_assert_str_eq(p->build, "GRCh38");
    size_t n_off = 0;
    for (size_t i = 0; i < p->n_bins; i++)
        n_off += p->bins[i].off_target;
    ck_assert_uint_eq(n_off, 239);
    ck_assert_int_lt(metcn_sample_coverage(s, panel), 0);
    metcn_gene_t *g = metcn_panel_gene(p, "MET", NULL);
    ck_assert_ptr_nonnull(g);
    metcn_cnr_t *c = NULL;
    ck_assert_msg(metcn_sample_normalize(s, NULL, g, &c) == 0, "%s", metcn_last_error());
    ck_assert_str_eq(c->normaliser, "cnvkit");
    /* s from ~200 differences of targets: relative SE ~ 1.1 / sqrt(200) = 8%; 4 SEs */
    ck_assert_msg(fabs(c->noise_cnvkit - s_true) < 0.32 * s_true, "scale %g, truth %g",
                  c->noise_cnvkit, s_true);
    /* file order is panel order here: each target's SD is s sqrt(1 - w) to the 4 decimals */
    for (size_t i = 0; i < p->n_bins; i++)
        if (!p->bins[i].off_target) {
            ck_assert_double_eq_tol(c->pon_sd[i], c->noise_cnvkit * sqrt(1 - wt[i]), 1e-6);
            ck_assert_double_eq_tol(c->weight[i], 1 / (c->pon_sd[i] * c->pon_sd[i]), 1e-6);
        }
    ck_assert_int_eq(s->depth.source, METCN_SOURCE_ESTIMATED);
    ck_assert_double_eq_tol(s->depth.value, 300, 1e-9); /* targets only */
    metcn_cnr_destroy(c);
    metcn_gene_destroy(g);
    metcn_sample_close(s);
}
END_TEST

/* Anything else: one message naming the file. */
START_TEST(test_refused)
{
    spit("empty.bam", "");
    spit("text.tsv", "hello world\nthis is not a table\n");
    spit("calls.vcf", "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n");
    static const struct {
        const char *file, *msg;
    } cases[] = {{"empty.bam", "empty.bam: empty: not a BAM, CRAM or SAM file"},
                 {"text.tsv", "text.tsv: unrecognised content: not a BAM"},
                 {"calls.vcf", "calls.vcf: unrecognised content"},
                 {"missing.bam", "missing.bam: cannot open"},
                 {"", ": cannot"}};
    for (int k = 0; k < 5; k++) {
        const char *p = k == 4 ? dir : path_of(cases[k].file);
        ck_assert_ptr_null(metcn_sample_open(p, NULL));
        ck_assert_msg(strstr(metcn_last_error(), cases[k].msg) != NULL, "%s: '%s'", cases[k].file,
                      metcn_last_error());
    }
    /* a table on another panel: the row that matches no bin */
    spit("other.cnn", "chromosome\tstart\tend\tgene\tdepth\nchr1\t1000\t2001\tA\t1\n");
    metcn_sample_t *s = metcn_sample_open(path_of("other.cnn"), NULL);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_lt(metcn_sample_coverage(s, panel), 0);
    ck_assert_ptr_nonnull(strstr(metcn_last_error(), "other.cnn:2: chr1:1000-2001 matches no bin"));
    metcn_sample_close(s);
}
END_TEST

/* The one check: an autosome of the panel missing from the header, or of another length. */
START_TEST(test_check)
{
    spit("no2.sam", "@SQ\tSN:chr1\tLN:10000\n");
    spit("len.sam", "@SQ\tSN:chr1\tLN:10000\n@SQ\tSN:chr2\tLN:1500\n");
    spit("alias.sam", "@SQ\tSN:1\tLN:10000\n@SQ\tSN:2\tLN:10000\n");
    metcn_sample_t *s = metcn_sample_open(path_of("no2.sam"), NULL);
    ck_assert_int_eq(metcn_sample_check(s, panel, NULL), METCN_E_CONTIG);
    ck_assert_ptr_nonnull(strstr(metcn_last_error(), "no2.sam: the header has no contig chr2"));
    metcn_sample_close(s);
    s = metcn_sample_open(path_of("len.sam"), NULL);
    ck_assert_int_eq(metcn_sample_check(s, panel, NULL), METCN_E_RANGE);
    ck_assert_ptr_nonnull(strstr(metcn_last_error(), "ends beyond the contig's length 1500"));
    metcn_sample_close(s);
    s = metcn_sample_open(path_of("alias.sam"), NULL);
    ck_assert_msg(metcn_sample_check(s, panel, NULL) == 0, "%s", metcn_last_error());
    ck_assert_int_eq(metcn_sample_check(s, NULL, NULL), METCN_E_ARG);
    metcn_sample_close(s);
}
END_TEST

/* Normalisation against a PoN of generated normals: the properties get their sources and
 * values near the truth (sex XX from chrX, depth, noise), the given purity stays given. */
START_TEST(test_normalize_properties)
{
    metcn_panel_destroy(panel);
    FILE *fp = fopen(path_of("big.bed"), "w");
    for (int c = 1; c <= 5; c++)
        for (int k = 0; k < 60; k++)
            fprintf(fp, "chr%d\t%d\t%d\n", c, 10000 + k * 10000, 10000 + k * 10000 + 500);
    for (int k = 0; k < 30; k++)
        fprintf(fp, "chrX\t%d\t%d\n", 10000 + k * 10000, 10000 + k * 10000 + 500);
    fclose(fp);
    panel = metcn_panel_load(path_of("big.bed"), NULL, NULL);
    ck_assert_ptr_nonnull(panel);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 5);
    size_t n = panel->n_bins;
    double *eff = malloc(n * sizeof *eff);
    for (size_t i = 0; i < n; i++)
        eff[i] = exp2(gsl_ran_gaussian(r, 0.4));
    metcn_covtab_t *normals[6];
    const double sigma = 0.05;
    for (int j = 0; j < 6; j++) {
        normals[j] = metcn_covtab_new(panel);
        normals[j]->sample = strdup(j % 2 ? "nXY" : "nXX");
        for (size_t i = 0; i < n; i++) {
            int x = panel->bins[i].role == METCN_ROLE_SEX;
            double cn = x && j % 2 ? 1 : 2;
            normals[j]->depth[i] = 100 * eff[i] * cn / 2 * exp2(gsl_ran_gaussian(r, sigma));
        }
    }
    metcn_pon_opt_t o;
    metcn_pon_opt_init(&o);
    o.gc_correct = 0;
    o.n_components = 0;
    metcn_pon_t *pon = metcn_pon_build(panel, normals, 6, NULL, &o);
    ck_assert_msg(pon != NULL, "%s", metcn_last_error());
    /* the tumour: XX, depth 250 per copy pair, as a metcn table named like a CRAM */
    metcn_covtab_t *t = metcn_covtab_new(panel);
    t->sample = strdup("tum");
    for (size_t i = 0; i < n; i++)
        t->depth[i] = 250 * eff[i] * exp2(gsl_ran_gaussian(r, sigma));
    ck_assert_int_eq(metcn_covtab_write(t, path_of("tum.cram"), NULL, NULL), 0);
    metcn_sample_t *s = metcn_sample_open(path_of("tum.cram"), NULL);
    ck_assert_ptr_nonnull(s);
    s->purity = (metcn_prop_t){0.4, 0.3, 0.5, METCN_SOURCE_GIVEN};
    metcn_cnr_t *c = NULL;
    ck_assert_msg(metcn_sample_normalize(s, pon, NULL, &c) == 0, "%s", metcn_last_error());
    ck_assert_int_eq(s->sex.source, METCN_SOURCE_ESTIMATED);
    ck_assert_int_eq((int)s->sex.value, METCN_SEX_XX);
    ck_assert_int_eq(s->depth.source, METCN_SOURCE_ESTIMATED);
    double med_eff = metcn_median(eff, NULL, n);
    ck_assert_msg(fabs(s->depth.value / (250 * med_eff) - 1) < 0.1, "depth %g, truth ~%g",
                  s->depth.value, 250 * med_eff);
    /* MAPD of independent noise of SD sigma (the PoN centre adds a little): 0.954 sigma */
    ck_assert_msg(s->mapd.value > 0.7 * 0.954 * sigma && s->mapd.value < 1.6 * 0.954 * sigma,
                  "mapd %g", s->mapd.value);
    ck_assert_int_eq(s->noise_scale.source, METCN_SOURCE_ESTIMATED);
    ck_assert_int_eq(s->purity.source, METCN_SOURCE_GIVEN);
    ck_assert_str_eq(metcn_source_name(s->purity.source), "given");
    ck_assert_str_eq(metcn_source_name(s->ploidy.source), "assumed");
    ck_assert_str_eq(metcn_input_name(s->kind, s->table), "metcn coverage table");
    metcn_cnr_destroy(c);
    metcn_sample_close(s);
    metcn_covtab_destroy(t);
    for (int j = 0; j < 6; j++)
        metcn_covtab_destroy(normals[j]);
    metcn_pon_destroy(pon);
    free(eff);
    gsl_rng_free(r);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("sample");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_reads_by_content);
    tcase_add_test(tc, test_tables_by_content);
    tcase_add_test(tc, test_foreign_tables);
    tcase_add_test(tc, test_cnvkit_cnr);
    tcase_add_test(tc, test_refused);
    tcase_add_test(tc, test_check);
    tcase_add_test(tc, test_normalize_properties);
    suite_add_tcase(su, tc);
    SRunner *sr = srunner_create(su);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
