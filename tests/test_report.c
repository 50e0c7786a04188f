/* test_report.c -- the call writers: calls TSV, JSON, .cnr, SEG, VCF 4.4, SVG, summary.
 * A call is made from a synthetic normalised sample with known truth (MET 12 copies on a
 * diploid chr7 at purity 0.6) so the files' numbers can be checked against it. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "metcn/call.h"
#include "metcn/metcn.h"
#include "metcn/pon.h"
#include "metcn/panel.h"
#include "metcn/report.h"
#include "metcn/util.h"

static metcn_panel_t *panel;
static metcn_gene_t *met_view; /* MET's view of panel */
static metcn_call_t *call;
static char dir[256];

static void setup(void)
{
    metcn_init();
    metcn_panel_opt_t o;
    metcn_panel_opt_init(&o);
    o.bin_size = 1000000;
    panel = metcn_panel_load("grch38", &o, NULL);
    ck_assert_ptr_nonnull(panel);
    met_view = metcn_panel_gene(panel, "MET", NULL);
    ck_assert_ptr_nonnull(met_view);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 23);
    size_t n = panel->n_bins;
    metcn_cnr_t c = {0};
    c.n = n;
    c.log2 = malloc(n * sizeof(double));
    c.depth = malloc(n * sizeof(double));
    c.pon_sd = malloc(n * sizeof(double));
    c.weight = malloc(n * sizeof(double));
    c.excluded = calloc(n, sizeof(int));
    double p = 0.6;
    for (size_t i = 0; i < n; i++) {
        const metcn_bin_t *b = &panel->bins[i];
        int amp = b->contig == met_view->contig && b->end > met_view->start - 1500000 &&
                  b->start < met_view->end + 1500000;
        double cn = amp ? 12 : 2, sd = met_view->role[i] == METCN_ROLE_TARGET ? 0.25 : 0.1;
        c.log2[i] = b->role == METCN_ROLE_SEX
                        ? NAN
                        : log2((p * cn + 2 * (1 - p)) / 2) + gsl_ran_gaussian(rng, sd);
        c.weight[i] = b->role == METCN_ROLE_SEX ? 0 : 1 / (sd * sd);
        c.excluded[i] = b->role == METCN_ROLE_SEX ? METCN_PON_NO_SEX_CENTRE : 0;
        c.pon_sd[i] = sd;
        c.depth[i] = 100;
    }
    c.mapd = 0.13;
    c.median_depth = 100;
    c.gc_strength = 0.02;
    metcn_call_opt_t opt;
    metcn_call_opt_init(&opt);
    opt.purity = opt.purity_lo = opt.purity_hi = p;
    opt.purity_given = 1;
    call = metcn_call_run(met_view, &c, "T 1/a", &opt, NULL);
    ck_assert_ptr_nonnull(call);
    free(c.log2);
    free(c.depth);
    free(c.pon_sd);
    free(c.weight);
    free(c.excluded);
    gsl_rng_free(rng);
    snprintf(dir, sizeof dir, "%s/metcn_report_XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
    metcn_call_destroy(call);
    metcn_gene_destroy(met_view);
    metcn_panel_destroy(panel);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long l = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)l + 1);
    ck_assert_int_eq(fread(s, 1, (size_t)l, f), (size_t)l);
    s[l] = 0;
    fclose(f);
    return s;
}

static int count_fields(const char *line)
{
    int n = 1;
    for (; *line && *line != '\n'; line++)
        n += *line == '\t';
    return n;
}

START_TEST(test_calls_tsv)
{
    char path[512];
    snprintf(path, sizeof path, "%s/x.calls.tsv", dir);
    ck_assert_int_eq(metcn_report_calls_tsv(path, &call, 1), 0);
    char *s = slurp(path);
    ck_assert_int_eq(strncmp(s, "sample\tgene\tmet_cn\tmet_cn_low\tmet_cn_high\tchr7_cn", 48), 0);
    char *row = strchr(s, '\n') + 1;
    ck_assert_int_eq(count_fields(s), 25);
    ck_assert_int_eq(count_fields(row), 25);
    char *f[25];
    ck_assert_int_eq(metcn_split(row, '\t', f, 25), 25);
    ck_assert_str_eq(f[0], "T 1/a");
    ck_assert_str_eq(f[1], "MET");
    double cn = strtod(f[2], NULL), lo = strtod(f[3], NULL), hi = strtod(f[4], NULL);
    ck_assert_msg(lo <= 12 && 12 <= hi && lo <= cn && cn <= hi, "%g %g %g", cn, lo, hi);
    ck_assert_str_eq(f[11], "high"); /* 12 / 2 = 6 */
    ck_assert_str_eq(f[15], "focal");
    ck_assert_str_eq(f[17], "no"); /* purity given */
    ck_assert_str_eq(f[23], "pass");
    free(s);
    /* an unwritable path fails without leaving a file */
    ck_assert_int_ne(metcn_report_calls_tsv("/nonexistent/dir/x.tsv", &call, 1), 0);
}
END_TEST

START_TEST(test_vcf)
{
    char path[512];
    snprintf(path, sizeof path, "%s/x.vcf", dir);
    ck_assert_int_eq(metcn_report_vcf(path, call), 0);
    char *s = slurp(path);
    ck_assert_int_eq(strncmp(s, "##fileformat=VCFv4.4\n", 21), 0);
    ck_assert_ptr_nonnull(strstr(s, "##contig=<ID=chr7,length=159345973>"));
    ck_assert_ptr_nonnull(strstr(s, "##ALT=<ID=CNV,"));
    char *rec = strstr(s, "\nchr7\t");
    ck_assert_ptr_nonnull(rec);
    char pos[160];
    snprintf(pos, sizeof pos, "\nchr7\t%lld\tMET_CN\tN\t<DUP>\t.\tPASS\tEND=%lld;",
             (long long)met_view->start, (long long)met_view->end);
    ck_assert_msg(strncmp(rec, pos, strlen(pos)) == 0, "%.80s", rec);
    ck_assert_ptr_nonnull(strstr(rec, ";SVCLAIM=D;"));
    ck_assert_ptr_nonnull(strstr(rec, "\tGT:CN:CICN\t.:"));
    free(s);
    /* bcftools, when installed, must parse it */
    if (system("command -v bcftools >/dev/null 2>&1") == 0) {
        char cmd[2400];
        snprintf(
            cmd, sizeof cmd,
            "bcftools query -f '%%CHROM %%POS %%INFO/SVCLAIM [%%CN]\\n' '%s' > '%s.q' 2>'%s.err'",
            path, path, path);
        ck_assert_int_eq(system(cmd), 0);
        snprintf(cmd, sizeof cmd, "%s.q", path);
        char *q = slurp(cmd);
        double cn;
        long long p;
        char claim[8];
        ck_assert_int_eq(sscanf(q, "chr7 %lld %7s %lf", &p, claim, &cn), 3);
        ck_assert_str_eq(claim, "D");
        ck_assert_double_eq_tol(cn, call->met_cn.cn, 1e-3 * call->met_cn.cn);
        free(q);
    }
}
END_TEST

START_TEST(test_seg_cnr)
{
    char path[512];
    snprintf(path, sizeof path, "%s/x.seg", dir);
    ck_assert_int_eq(metcn_report_seg(path, call), 0);
    char *s = slurp(path);
    ck_assert_int_eq(strncmp(s, "ID\tchrom\tloc.start\tloc.end\tnum.mark\tseg.mean\n", 45), 0);
    /* the gene's own segment carries its robust level */
    char want[128], b[32];
    snprintf(want, sizeof want, "\t%s\n", metcn_fmt_double(b, call->met.est, 5));
    ck_assert_ptr_nonnull(strstr(s, want));
    free(s);
    snprintf(path, sizeof path, "%s/x.cnr", dir);
    ck_assert_int_eq(metcn_report_cnr(path, call), 0);
    s = slurp(path);
    ck_assert_int_eq(strncmp(s, "chromosome\tstart\tend\tgene\tlog2\tdepth\tweight", 43), 0);
    ck_assert_ptr_nonnull(strstr(s, "\tMET_ex2\t"));
    ck_assert_ptr_nonnull(strstr(s, "\ttarget\ttarget\n"));
    /* no chrX rows: they were excluded */
    ck_assert_ptr_null(strstr(s, "\nchrX\t"));
    free(s);
}
END_TEST

START_TEST(test_json_svg_summary)
{
    char path[512];
    snprintf(path, sizeof path, "%s/x.json", dir);
    metcn_call_opt_t opt;
    metcn_call_opt_init(&opt);
    const char *inputs[] = {"t.bam"};
    metcn_report_meta_t meta = {"metcn call x", "pon.tsv", NULL, &opt, inputs, NULL};
    ck_assert_int_eq(metcn_report_json(path, &call, 1, &meta), 0);
    char *s = slurp(path);
    ck_assert_ptr_nonnull(strstr(s, "\"sample\": \"T 1/a\""));
    ck_assert_ptr_nonnull(strstr(s, "\"tier\": \"high\""));
    ck_assert_ptr_nonnull(strstr(s, "\"gene_bins\""));
    ck_assert_ptr_null(strstr(s, "nan"));
    free(s);
    if (system("python3 -c 'import json' 2>/dev/null") == 0) {
        char cmd[700];
        snprintf(cmd, sizeof cmd,
                 "python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); "
                 "assert d[\"samples\"][0][\"call\"][\"pattern\"]==\"focal\"' '%s'",
                 path);
        ck_assert_int_eq(system(cmd), 0);
    }
    snprintf(path, sizeof path, "%s/x.svg", dir);
    ck_assert_int_eq(metcn_report_svg(path, call), 0);
    s = slurp(path);
    ck_assert_ptr_nonnull(strstr(s, "<svg"));
    ck_assert_ptr_nonnull(strstr(s, "intermediate"));
    ck_assert_ptr_nonnull(strstr(s, "chr7 control"));
    free(s);
    char *sum = metcn_report_summary(call);
    ck_assert_ptr_nonnull(strstr(sum, "T 1/a: MET "));
    ck_assert_ptr_nonnull(strstr(sum, "high under camidge"));
    ck_assert_ptr_null(strstr(sum, "ASSUMED"));
    free(sum);
    char *safe = metcn_report_safe_name("T 1/a");
    ck_assert_str_eq(safe, "T_1_a");
    free(safe);
    safe = metcn_report_safe_name("../x");
    ck_assert_str_eq(safe, "_._x");
    free(safe);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("report");
    TCase *t = tcase_create("writers");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, test_calls_tsv);
    tcase_add_test(t, test_vcf);
    tcase_add_test(t, test_seg_cnr);
    tcase_add_test(t, test_json_svg_summary);
    suite_add_tcase(s, t);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
