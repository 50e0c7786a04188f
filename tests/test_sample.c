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
