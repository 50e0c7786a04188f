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
static metcn_gene_t *gene, *egfr;
static metcn_call_t *call, *call_egfr, *call_hi8; /* MET, EGFR, MET with high_amp_cn 8 */
static char dir[256];

static void setup(void)
{
    metcn_init();
    metcn_panel_opt_t o;
    metcn_panel_opt_init(&o);
    o.bin_size = 1000000;
    panel = metcn_panel_load("grch38", &o, NULL);
    ck_assert_ptr_nonnull(panel);
    gene = metcn_panel_gene(panel, "MET", NULL);
    ck_assert_ptr_nonnull(gene);
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
        int amp = b->contig == gene->contig && b->end > gene->start - 1500000 &&
                  b->start < gene->end + 1500000;
        /* no EGFR event: its call is negative */
        double cn = amp ? 12 : 2, sd = gene->role[i] == METCN_ROLE_TARGET ? 0.25 : 0.1;
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
    opt.purity_source = METCN_PURITY_GIVEN;
    metcn_gene_opt_t go;
    metcn_gene_opt_init(&go);
    go.region = "chr7:55019017-55211628";
    egfr = metcn_panel_gene(panel, "EGFR", &go);
    ck_assert_ptr_nonnull(gene);
    ck_assert_ptr_nonnull(egfr);
    call = metcn_call_run(gene, &c, "T 1/a", &opt);
    call_egfr = metcn_call_run(egfr, &c, "T 1/a", &opt);
    opt.high_amp_cn = 8;
    call_hi8 = metcn_call_run(gene, &c, "T 1/a", &opt);
    ck_assert_ptr_nonnull(call);
    ck_assert_ptr_nonnull(call_egfr);
    ck_assert_ptr_nonnull(call_hi8);
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
    metcn_call_destroy(call_egfr);
    metcn_call_destroy(call_hi8);
    metcn_gene_destroy(gene);
    metcn_gene_destroy(egfr);
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
    metcn_call_t *two[2] = {call, call_egfr};
    ck_assert_int_eq(metcn_report_calls_tsv(path, two, 2), 0);
    char *s = slurp(path);
    /* the contract's first 24 columns, in order */
    const char *head = "sample\tgene\tcontrol\tcn\tcn_low\tcn_high\tcontrol_cn\tcontrol_cn_low\t"
                       "control_cn_high\tratio\tratio_low\tratio_high\ttier\tequivocal\thigh_amp\t"
                       "gcn_class\tpattern\tpurity\tpurity_low\tpurity_high\tpurity_source\t"
                       "ploidy\tqc\tqc_reasons\t";
    ck_assert_int_eq(strncmp(s, head, strlen(head)), 0);
    char *row = strchr(s, '\n') + 1;
    ck_assert_int_eq(count_fields(s), 51); /* 39 + 6 purity-fit + 6 fragment columns */
    ck_assert_int_eq(count_fields(row), 51);
    char *row2 = strchr(row, '\n') + 1;
    row[-1] = row2[-1] = '\0'; /* one line each */
    ck_assert_str_eq(metcn_report_calls_header(), s);
    /* the plasma columns (issue 18), after the contract's and 0.2's extra columns, exactly as
     * `metcn track` reads them */
    ck_assert_ptr_nonnull(strstr(s, "\tlod_cn\ttumour_fraction\ttumour_fraction_low\t"
                                    "tumour_fraction_high\ttumour_fraction_source\tplasma_cn\t"
                                    "plasma_cn_low\tplasma_cn_high\tdetection\tlod_tf_cn5\t"
                                    "lod_tf_cn10"));
    char *f[51];
    ck_assert_int_eq(metcn_split(row, '\t', f, 51), 51);
    ck_assert_str_eq(f[0], "T 1/a");
    ck_assert_str_eq(f[1], "MET");
    ck_assert_str_eq(f[2], "chr7");
    double cn = strtod(f[3], NULL), lo = strtod(f[4], NULL), hi = strtod(f[5], NULL);
    ck_assert_msg(lo <= 12 && 12 <= hi && lo <= cn && cn <= hi, "%g %g %g", cn, lo, hi);
    double c7 = strtod(f[6], NULL), ratio = strtod(f[9], NULL);
    ck_assert_msg(fabs(c7 - 2) < 0.1, "control %g", c7);
    ck_assert_double_eq_tol(ratio, cn / c7, 0.01 * ratio);
    ck_assert_str_eq(f[12], "high"); /* 12 / 2 = 6 */
    ck_assert_str_eq(f[16], "focal");
    ck_assert_str_eq(f[17], "0.6");
    ck_assert_str_eq(f[20], "given");
    ck_assert_str_eq(f[22], "pass");
    ck_assert_str_eq(f[23], ".");
    ck_assert_str_eq(f[24], "camidge");
    /* tissue: the tumour fraction is the purity; the mixture holds 0.6 x 12 + 0.4 x 2 = 8
     * copies; 12 copies at purity 0.6 are detected, above both limits */
    for (int k = 0; k < 4; k++)
        ck_assert_str_eq(f[29 + k], f[17 + k]);
    double pcn = strtod(f[33], NULL), plo = strtod(f[34], NULL), phi = strtod(f[35], NULL);
    ck_assert_msg(plo <= 8 && 8 <= phi && plo <= pcn && pcn <= phi, "plasma_cn %g %g %g", pcn, plo,
                  phi);
    ck_assert_str_eq(f[36], "detected");
    double l5 = strtod(f[37], NULL), l10 = strtod(f[38], NULL);
    ck_assert_msg(l10 > 0 && l10 < l5 && l5 < 0.6, "lod_tf %g %g", l5, l10);
    /* no purity fit was asked for: its columns say so */
    for (int k = 39; k < 45; k++)
        ck_assert_str_eq(f[k], k == 42 ? "none" : "NA");
    /* no fragment evidence was computed (metcn_call_fragments() not run): NA, not_assessable */
    for (int k = 45; k < 50; k++)
        ck_assert_str_eq(f[k], "NA");
    ck_assert_str_eq(f[50], "not_assessable");
    /* the second row: EGFR under its own criteria, not amplified, and assessable */
    ck_assert_int_eq(metcn_split(row2, '\t', f, 51), 51);
    ck_assert_str_eq(f[1], "EGFR");
    ck_assert_str_eq(f[2], "chr7");
    ck_assert_str_eq(f[12], "negative");
    ck_assert_str_eq(f[24], "colorado");
    ck_assert_str_eq(f[36], "not_detected");
    free(s);
    /* an unwritable path fails without leaving a file */
    ck_assert_int_ne(metcn_report_calls_tsv("/nonexistent/dir/x.tsv", &call, 1), 0);
}
END_TEST

/* Batch failure isolation: a failed row between two calls has sample, gene, qc fail and the
 * reason (tabs and ';' made harmless), NA in every other column; the JSON lists it with its
 * error and no call object; the MultiQC files carry both. */
START_TEST(test_failed_rows)
{
    char path[600], prefix[300];
    metcn_report_row_t rows[3] = {
        {.call = call, .input = "t1.bam"},
        {.sample = "bad",
         .gene = "MET",
         .input = "bad.bam",
         .fail = METCN_FAIL_INPUT,
         .error = "bad.bam: truncated\tor corrupt; read error"},
        {.call = call_egfr, .input = "t1.bam"},
    };
    char *why = metcn_report_fail_reason(&rows[1]);
    ck_assert_str_eq(why, "input_failed=bad.bam: truncated or corrupt, read error");
    ck_assert_str_eq(metcn_fail_name(METCN_FAIL_CALL), "call_failed");
    snprintf(path, sizeof path, "%s/f.calls.tsv", dir);
    ck_assert_int_eq(metcn_report_rows_tsv(path, rows, 3), 0);
    char *s = slurp(path), *f[60];
    char *r1 = strchr(s, '\n') + 1, *r2 = strchr(r1, '\n') + 1, *r3 = strchr(r2, '\n') + 1;
    r2[-1] = r3[-1] = '\0';
    ck_assert_int_eq(metcn_split(r2, '\t', f, 60), 51);
    int na = 0;
    for (int k = 0; k < 51; k++)
        na += strcmp(f[k], "NA") == 0;
    ck_assert_str_eq(f[0], "bad");
    ck_assert_str_eq(f[1], "MET");
    ck_assert_str_eq(f[22], "fail");
    ck_assert_str_eq(f[23], why);
    ck_assert_int_eq(na, 51 - 4);
    /* the calls around it are the rows metcn_report_calls_tsv() writes */
    char path2[512];
    snprintf(path2, sizeof path2, "%s/c.calls.tsv", dir);
    metcn_call_t *two[2] = {call, call_egfr};
    ck_assert_int_eq(metcn_report_calls_tsv(path2, two, 2), 0);
    char *c = slurp(path2), *c1 = strchr(c, '\n') + 1, *c2 = strchr(c1, '\n') + 1;
    ck_assert_int_eq(strncmp(r1, c1, (size_t)(c2 - c1 - 1)),
                     0); /* r1 ends where c1 has its newline */
    ck_assert_int_eq((int)strlen(r1), (int)(c2 - c1 - 1));
    ck_assert_str_eq(r3, c2);
    free(c);
    free(s);

    snprintf(path, sizeof path, "%s/f.json", dir);
    ck_assert_int_eq(metcn_report_rows_json(path, rows, 3, NULL), 0);
    s = slurp(path);
    ck_assert_ptr_nonnull(strstr(s, "\"error\": \"bad.bam: truncated\\tor corrupt; read error\""));
    ck_assert_ptr_nonnull(strstr(s, "\"code\": \"input_failed\""));
    ck_assert_ptr_nonnull(strstr(s, "\"input\": \"bad.bam\""));
    /* two call objects and one failed sample: "call" only in the calls */
    int calls = 0;
    for (const char *p = s; (p = strstr(p, "\"call\": {")); p++)
        calls++;
    ck_assert_int_eq(calls, 2);
    free(s);

    snprintf(prefix, sizeof prefix, "%s/f", dir);
    ck_assert_int_eq(metcn_report_multiqc(prefix, rows, 3), 0);
    for (const char *const *suf = metcn_report_multiqc_suffixes(); *suf; suf++) {
        snprintf(path, sizeof path, "%s%s", prefix, *suf);
        s = slurp(path);
        ck_assert_msg(strstr(s, "\"id\": \"metcn_") != NULL, "%s: no id", *suf);
        free(s);
    }
    /* General Statistics: one entry per sample, genes as columns; the failed sample fails */
    snprintf(path, sizeof path, "%s.metcn_general_mqc.json", prefix);
    s = slurp(path);
    ck_assert_ptr_nonnull(strstr(s, "\"plot_type\": \"generalstats\""));
    ck_assert_ptr_nonnull(strstr(s, "\"MET_cn\": {"));    /* header */
    ck_assert_ptr_nonnull(strstr(s, "\"EGFR_tier\": {")); /* header */
    ck_assert_ptr_nonnull(strstr(s, "\"EGFR_tier\": \"negative\""));
    ck_assert_ptr_nonnull(strstr(s, "\"bad\": {\n      \"qc\": \"fail\"\n    }"));
    char want[64];
    snprintf(want, sizeof want, "\"MET_cn\": %.6g", call->gene_cn.cn);
    ck_assert_msg(strstr(s, want) != NULL, "no %s", want);
    free(s);
    /* the calls table: rows keyed "sample gene" (two genes), the failed one with its reason */
    snprintf(path, sizeof path, "%s.metcn_calls_mqc.json", prefix);
    s = slurp(path);
    ck_assert_ptr_nonnull(strstr(s, "\"T 1/a MET\": {"));
    ck_assert_ptr_nonnull(strstr(s, "\"T 1/a EGFR\": {"));
    ck_assert_ptr_nonnull(strstr(s, "\"bad MET\": {"));
    snprintf(want, sizeof want, "\"qc_reasons\": \"%s\"", why);
    ck_assert_msg(strstr(s, want) != NULL, "no %s", want);
    ck_assert_ptr_nonnull(strstr(s, "\"parent_id\": \"metcn\""));
    free(s);
    /* the copy-number bars: estimate = lower + to_estimate; no bar for the failed row */
    snprintf(path, sizeof path, "%s.metcn_cn_mqc.json", prefix);
    s = slurp(path);
    ck_assert_ptr_null(strstr(s, "\"bad MET\""));
    snprintf(want, sizeof want, "\"lower\": %.6g", call->gene_cn.lo);
    ck_assert_msg(strstr(s, want) != NULL, "no %s", want);
    free(s);
    free(why);
    /* an unwritable prefix fails */
    ck_assert_int_ne(metcn_report_multiqc("/nonexistent/dir/x", rows, 3), 0);
}
END_TEST

START_TEST(test_vcf)
{
    char path[512];
    snprintf(path, sizeof path, "%s/x.vcf", dir);
    metcn_call_t *two[2] = {call, call_egfr};
    ck_assert_int_eq(metcn_report_vcf(path, two, 2), 0);
    char *s = slurp(path);
    ck_assert_int_eq(strncmp(s, "##fileformat=VCFv4.4\n", 21), 0);
    ck_assert_ptr_nonnull(strstr(s, "##contig=<ID=chr7,length=159345973>"));
    ck_assert_ptr_nonnull(strstr(s, "##ALT=<ID=CNV,"));
    char *rec = strstr(s, "\tMET_CN\t");
    ck_assert_ptr_nonnull(rec);
    while (rec[-1] != '\n')
        rec--;
    rec--;
    char pos[160];
    snprintf(pos, sizeof pos, "\nchr7\t%lld\tMET_CN\tN\t<DUP>\t.\tPASS\tEND=%lld;",
             (long long)gene->start, (long long)gene->end);
    ck_assert_msg(strncmp(rec, pos, strlen(pos)) == 0, "%.80s", rec);
    ck_assert_ptr_nonnull(strstr(rec, ";SVCLAIM=D;GENE=MET;CONTROL=chr7;"));
    ck_assert_ptr_nonnull(strstr(rec, "\tGT:CN:CICN\t.:"));
    ck_assert_ptr_nonnull(strstr(rec, ";SAMPLE_TYPE=tissue;TUMOUR_FRACTION=0.6;"
                                      "TUMOUR_FRACTION_CI=0.6,0.6;TUMOUR_FRACTION_SOURCE=given;"
                                      "PLASMA_CN="));
    ck_assert_ptr_nonnull(strstr(rec, ";DETECTION=detected;LOD_TF_CN5="));
    ck_assert_ptr_nonnull(strstr(s, "##INFO=<ID=LOD_TF_CN10,Number=1,Type=Float,"));
    /* one record per gene, in genome order: EGFR (7p) before MET (7q) */
    char *e = strstr(s, "\tEGFR_CN\t"), *m = strstr(s, "\tMET_CN\t");
    ck_assert(e && m && e < m);
    ck_assert_ptr_nonnull(strstr(s, "Copy number > 10:"));
    free(s);
    /* the genes of two samples never share a VCF */
    ck_assert_int_eq(metcn_report_vcf(path, (metcn_call_t *[]){call, NULL}, 0), METCN_E_ARG);
    char *keep = call_egfr->sample;
    call_egfr->sample = "other";
    ck_assert_int_eq(metcn_report_vcf(path, two, 2), METCN_E_ARG);
    call_egfr->sample = keep;
    /* the high-level line is the option's */
    ck_assert_int_eq(metcn_report_vcf(path, &call_hi8, 1), 0);
    s = slurp(path);
    ck_assert_ptr_nonnull(strstr(s, "Copy number > 8:"));
    free(s);
    /* bcftools, when installed, must parse it */
    if (system("command -v bcftools >/dev/null 2>&1") == 0) {
        char cmd[2400];
        snprintf(cmd, sizeof cmd,
                 "bcftools query -f '%%CHROM %%POS %%INFO/SVCLAIM [%%CN] %%INFO/PLASMA_CN "
                 "%%INFO/DETECTION\\n' '%s' > '%s.q' 2>'%s.err'",
                 path, path, path);
        ck_assert_int_eq(system(cmd), 0);
        snprintf(cmd, sizeof cmd, "%s.q", path);
        char *q = slurp(cmd);
        double cn, pcn;
        long long p;
        char claim[8], det[16];
        ck_assert_int_eq(sscanf(q, "chr7 %lld %7s %lf %lf %15s", &p, claim, &cn, &pcn, det),
                         5); /* the MET-only VCF */
        ck_assert_str_eq(claim, "D");
        ck_assert_double_eq_tol(cn, call->gene_cn.cn, 1e-3 * call->gene_cn.cn);
        ck_assert_double_eq_tol(pcn, call->plasma_cn.cn, 1e-3 * pcn);
        ck_assert_str_eq(det, "detected");
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
    snprintf(want, sizeof want, "\t%s\n", metcn_fmt_double(b, call->gene_lv.est, 5));
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
    char path[512], *sum;
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
    ck_assert_ptr_nonnull(strstr(s, "\"control\": \"chr7\""));
    ck_assert_ptr_nonnull(strstr(s, "\"source\": \"given\""));
    ck_assert_ptr_null(strstr(s, "nan"));
    free(s);
    if (system("python3 -c 'import json' 2>/dev/null") == 0) {
        char cmd[900];
        snprintf(cmd, sizeof cmd,
                 "python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))[\"samples\"][0]; "
                 "assert d[\"call\"][\"pattern\"]==\"focal\"; "
                 "assert d[\"call\"][\"detection\"]==\"detected\"; "
                 "assert d[\"detection\"][\"reason\"]==\"significant_and_amount\"; "
                 "assert d[\"tumour_fraction\"][\"value\"]==0.6; "
                 "assert d[\"sample_type\"]==\"tissue\"; "
                 "assert abs(d[\"plasma_cn\"][\"gene\"][\"cn\"]-8)<0.6' '%s'",
                 path);
        ck_assert_int_eq(system(cmd), 0);
    }
    snprintf(path, sizeof path, "%s/x.svg", dir);
    ck_assert_int_eq(metcn_report_svg(path, call), 0);
    s = slurp(path);
    ck_assert_ptr_nonnull(strstr(s, "<svg"));
    ck_assert_ptr_nonnull(strstr(s, "intermediate"));
    ck_assert_ptr_nonnull(strstr(s, "chr7 control"));
    ck_assert_ptr_nonnull(strstr(s, "&gt;10 copies") ? s : strstr(s, ">10 copies"));
    free(s);
    ck_assert_int_eq(metcn_report_svg(path, call_hi8), 0);
    s = slurp(path);
    ck_assert_ptr_nonnull(strstr(s, "&gt;8 copies") ? s : strstr(s, ">8 copies"));
    free(s);
    sum = metcn_report_summary(call_hi8);
    ck_assert_ptr_nonnull(strstr(sum, ">8 copies:"));
    free(sum);
    sum = metcn_report_summary(call);
    ck_assert_ptr_nonnull(strstr(sum, "T 1/a: MET "));
    ck_assert_ptr_nonnull(strstr(sum, "high under camidge"));
    ck_assert_ptr_null(strstr(sum, "ASSUMED"));
    ck_assert_ptr_nonnull(strstr(sum, "  bulk CN ")); /* tissue: the mixture is the bulk */
    ck_assert_ptr_nonnull(strstr(sum, "MET detected; detection limit as tumour fraction "));
    ck_assert_ptr_nonnull(strstr(sum, "purity 0.60 (given), ploidy 2"));
    free(sum);
    /* a plasma call: the fraction is a tumour fraction; without one, a negative is not
     * assessable and the summary says why */
    call_egfr->sample_type = METCN_SAMPLE_PLASMA;
    sum = metcn_report_summary(call_egfr);
    ck_assert_ptr_nonnull(strstr(sum, "EGFR not_detected"));
    ck_assert_ptr_nonnull(strstr(sum, "tumour fraction 0.6 (given)"));
    ck_assert_ptr_nonnull(strstr(sum, "  plasma CN "));
    free(sum);
    call_egfr->purity_source = METCN_PURITY_ASSUMED;
    sum = metcn_report_summary(call_egfr);
    ck_assert_ptr_nonnull(strstr(sum, "NOTE: no --tumour-fraction or --vaf given, 1 assumed"));
    free(sum);
    call_egfr->purity_source = METCN_PURITY_GIVEN;
    snprintf(path, sizeof path, "%s/p.svg", dir);
    ck_assert_int_eq(metcn_report_svg(path, call_egfr), 0);
    s = slurp(path);
    ck_assert_ptr_nonnull(strstr(s, "tumour fraction 0.6,"));
    ck_assert_ptr_nonnull(strstr(s, "not_detected; detection limit as tumour fraction"));
    free(s);
    call_egfr->sample_type = METCN_SAMPLE_TISSUE;
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
    tcase_add_test(t, test_failed_rows);
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
