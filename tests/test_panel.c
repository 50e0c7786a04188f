/* test_panel.c -- BED reader (good and bad lines), stored roles, gene views (per-gene roles,
 * arms, regions, the built-in gene table), contig aliasing, built-in panels, header matching,
 * checksum (independent of any gene), lenient checking. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <htslib/bgzf.h>
#include <htslib/sam.h>

#include "metcn/metcn.h"
#include "metcn/panel.h"

static char tmpdir[256];

static void setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/metcn_test_region.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    metcn_init();
    metcn_log_set_level(METCN_LOG_ERROR);
}

static void teardown(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

/* Write text to tmpdir/name (bgzip-compressed when gz), return the path (static buffer). */
static const char *write_file(const char *name, const char *text, int gz)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    if (gz) {
        BGZF *fp = bgzf_open(path, "w");
        ck_assert_ptr_nonnull(fp);
        ck_assert_int_eq(bgzf_write(fp, text, strlen(text)), (ssize_t)strlen(text));
        ck_assert_int_eq(bgzf_close(fp), 0);
    } else {
        FILE *fp = fopen(path, "w");
        ck_assert_ptr_nonnull(fp);
        fputs(text, fp);
        fclose(fp);
    }
    return path;
}

static sam_hdr_t *make_header(const char *text)
{
    sam_hdr_t *h = sam_hdr_parse(strlen(text), text);
    ck_assert_ptr_nonnull(h);
    return h;
}

#define MET2 "chr7\t116699084\t116700284\tMET_ex2\n"
#define MET3 "chr7\t116731667\t116731859\tMET_ex3\n"

/* ---- BED lines that must fail, with the message fragment they must produce ---- */
static const struct {
    const char *name, *bed, *msg;
    int code;
} bad_cases[] = {
    {"start>=end", MET2 "chr1\t500\t400\tX\n", ":2: start 500 >= end 400", METCN_E_FORMAT},
    {"start==end", "chr1\t5\t5\n", ":1: start 5 >= end 5", METCN_E_FORMAT},
    {"bad start", "chr1\tabc\t400\n", ":1: bad start 'abc'", METCN_E_FORMAT},
    {"bad end", "chr1\t1\t4x\n", ":1: bad end '4x'", METCN_E_FORMAT},
    {"negative", "chr1\t-5\t10\n", ":1: bad start '-5'", METCN_E_FORMAT},
    {"too few columns", "# c\nchr1\t100\n", ":2: too few columns (2", METCN_E_FORMAT},
    {"space separated", "chr1 100 200\n", ":1: too few columns (1", METCN_E_FORMAT},
    {"empty", "# nothing\ntrack name=x\n", ": no regions", METCN_E_FORMAT},
    {"duplicate", MET2 MET2, ":2: duplicated region chr7:116699084-116700284 already on line 1",
     METCN_E_OVERLAP},
    {"overlap", "chr1\t100\t200\ta\nchr1\t150\t250\tb\n",
     ":2: region chr1:150-250 overlaps the region on line 1", METCN_E_OVERLAP},
    {"overlap unsorted", "chr1\t150\t250\tb\nchr2\t1\t5\nchr1\t100\t200\ta\n",
     ":1: region chr1:150-250 overlaps the region on line 3", METCN_E_OVERLAP},
};

START_TEST(test_bed_bad)
{
    const char *path = write_file("bad.bed", bad_cases[_i].bed, 0);
    metcn_clear_error();
    metcn_panel_t *p = metcn_panel_load(path, NULL, NULL);
    ck_assert_msg(p == NULL, "%s: loaded", bad_cases[_i].name);
    ck_assert_msg(strstr(metcn_last_error(), bad_cases[_i].msg) != NULL, "%s: message '%s'",
                  bad_cases[_i].name, metcn_last_error());
    ck_assert_msg(strstr(metcn_last_error(), "bad.bed") != NULL, "%s: no file name in '%s'",
                  bad_cases[_i].name, metcn_last_error());
    ck_assert_msg(metcn_last_error_code() == bad_cases[_i].code, "%s: code %d", bad_cases[_i].name,
                  metcn_last_error_code());
}
END_TEST

/* ---- good BED inputs: bins, stored roles, and MET's view ---- */
static const struct {
    const char *name, *bed;
    int gz;
    size_t n_bins, n_ref, n_sex, n_other;
    size_t n_target, n_control, n_flank; /* MET's view; n_target (size_t)-1: no view */
    long gene_start, gene_end;
} good_cases[] = {
    {"bed3+bed4 with header lines",
     "track name=test\nbrowser position chr7\n# comment\n\n" MET2 MET3
     "chr7\t10000000\t10000200\tctrl_p\nchr7\t150000000\t150000200\tctrl_q\n"
     "chr7\t110000000\t110000200\tnear\nchr1\t1000\t2000\nchrX\t100\t200\tx\n"
     "chrY\t100\t200\ty\nchrM\t10\t20\tmt\nchrUn_gl000220\t5\t50\n",
     0, 10, 6, 2, 2, 2, 2, 1, 116699084, 116731859},
    {"bgzip and extra columns", MET2 "chr1\t5\t10\tgeneA\t0\t+\n", 1, 2, 2, 0, 0, 1, 0, 0,
     116699084, 116700284},
    /* No bin named MET and no build: MET cannot be placed (chr7 is an ordinary autosome). */
    {"no target gene", "chr1\t5\t10\tEGFR_ex1\nchr7\t100\t200\tMETTL1\n", 0, 2, 2, 0, 0, (size_t)-1,
     0, 0, -1, -1},
    {"GRCh37 style names",
     "7\t116339138\t116340338\tMET_ex2\n1\t100\t200\n"
     "X\t5\t10\nMT\t1\t5\n",
     0, 4, 2, 1, 1, 1, 0, 0, 116339138, 116340338},
    {"CNVkit-style gene lists",
     "chr7\t116699084\t116700284\tMET,CAPZA2\nchr7\t116731667\t116731859\tMET.2\n"
     "chr7\t116739949\t116740084\tCAPZA2|MET:ex4\nchr7\t1000\t2000\tMETAP1\n",
     0, 4, 4, 0, 0, 3, 1, 0, 116699084, 116740084},
};

START_TEST(test_bed_good)
{
    const char *path = write_file(good_cases[_i].gz ? "good.bed.gz" : "good.bed",
                                  good_cases[_i].bed, good_cases[_i].gz);
    metcn_panel_t *p = metcn_panel_load(path, NULL, NULL);
    ck_assert_msg(p != NULL, "%s: %s", good_cases[_i].name, metcn_last_error());
    const char *n = good_cases[_i].name;
    ck_assert_msg(p->n_bins == good_cases[_i].n_bins, "%s: %zu bins", n, p->n_bins);
    /* A panel stores only the gene-independent roles. */
    ck_assert_msg(p->n_role[METCN_ROLE_TARGET] + p->n_role[METCN_ROLE_CONTROL] +
                          p->n_role[METCN_ROLE_FLANK] ==
                      0,
                  "%s: gene roles stored in the panel", n);
    ck_assert_msg(p->n_role[METCN_ROLE_REFERENCE] == good_cases[_i].n_ref, "%s: ref %zu", n,
                  p->n_role[METCN_ROLE_REFERENCE]);
    ck_assert_msg(p->n_role[METCN_ROLE_SEX] == good_cases[_i].n_sex, "%s: sex %zu", n,
                  p->n_role[METCN_ROLE_SEX]);
    ck_assert_msg(p->n_role[METCN_ROLE_OTHER] == good_cases[_i].n_other, "%s: other %zu", n,
                  p->n_role[METCN_ROLE_OTHER]);
    metcn_gene_t *g = metcn_panel_gene(p, "MET", NULL);
    if (good_cases[_i].n_target == (size_t)-1) {
        ck_assert_msg(g == NULL, "%s: MET placed", n);
        ck_assert_int_eq(metcn_last_error_code(), METCN_E_NOTARGET);
        ck_assert_ptr_nonnull(strstr(metcn_last_error(), "no bins named after gene MET"));
    } else {
        ck_assert_msg(g != NULL, "%s: %s", n, metcn_last_error());
        ck_assert_msg(g->n_role[METCN_ROLE_TARGET] == good_cases[_i].n_target, "%s: target %zu", n,
                      g->n_role[METCN_ROLE_TARGET]);
        ck_assert_msg(g->n_role[METCN_ROLE_CONTROL] == good_cases[_i].n_control, "%s: control %zu",
                      n, g->n_role[METCN_ROLE_CONTROL]);
        ck_assert_msg(g->n_role[METCN_ROLE_FLANK] == good_cases[_i].n_flank, "%s: flank %zu", n,
                      g->n_role[METCN_ROLE_FLANK]);
        ck_assert_msg(g->start == good_cases[_i].gene_start && g->end == good_cases[_i].gene_end,
                      "%s: gene %lld-%lld", n, (long long)g->start, (long long)g->end);
        ck_assert_str_eq(g->extent_source, "bins");
        /* roles of the view sum to the panel's bins; off chr7 they are the stored ones */
        size_t sum = 0;
        for (int r = 0; r < METCN_N_ROLES; r++)
            sum += g->n_role[r];
        ck_assert_uint_eq(sum, p->n_bins);
        for (size_t i = 0; i < p->n_bins; i++)
            if (p->bins[i].contig != g->contig)
                ck_assert_int_eq(g->role[i], p->bins[i].role);
    }
    metcn_gene_destroy(g);
    /* Sorted, non-overlapping, karyotypic contig order. */
    for (size_t i = 1; i < p->n_bins; i++) {
        const metcn_bin_t *a = &p->bins[i - 1], *b = &p->bins[i];
        ck_assert_msg(a->contig < b->contig || (a->contig == b->contig && a->end <= b->start),
                      "%s: bins %zu and %zu out of order", n, i - 1, i);
    }
    metcn_panel_destroy(p);
}
END_TEST

START_TEST(test_merge)
{
    const char *path = write_file("ov.bed",
                                  "chr1\t100\t200\ta\nchr1\t150\t250\tb\nchr1\t150\t250\tb\n"
                                  "chr1\t250\t300\tc\n" MET2,
                                  0);
    metcn_panel_opt_t opt;
    metcn_panel_opt_init(&opt);
    opt.merge = 1;
    metcn_panel_t *p = metcn_panel_load(path, &opt, NULL);
    ck_assert_msg(p != NULL, "%s", metcn_last_error());
    ck_assert_uint_eq(p->n_bins, 3); /* [100,250) merged; [250,300) only touches */
    ck_assert_int_eq(p->bins[0].start, 100);
    ck_assert_int_eq(p->bins[0].end, 250);
    ck_assert_str_eq(p->bins[0].name, "a,b");
    ck_assert_int_eq(p->bins[1].start, 250);
    metcn_panel_destroy(p);
}
END_TEST

/* MET's view: the window makes FLANK, the centromere (GRCh38, from the header) the arms;
 * --gene-region and another gene name move the target. */
START_TEST(test_gene_roles_window_arms)
{
    /* GRCh38 chr7 header: the build is inferred, the centromere gives arms. */
    sam_hdr_t *h = make_header("@SQ\tSN:chr7\tLN:159345973\n@SQ\tSN:chr1\tLN:248956422\n");
    const char *path = write_file("w.bed",
                                  MET2 "chr7\t1000000\t1000200\tp1\n"
                                       "chr7\t60000000\t60000200\tcen\n"
                                       "chr7\t106000000\t106000200\tfar\n"
                                       "chr7\t107000000\t107000200\tnear\n"
                                       "chr7\t126700000\t126700200\tnear2\n"
                                       "chr7\t126700300\t126700500\tfar2\n",
                                  0);
    metcn_panel_t *p = metcn_panel_load(path, NULL, h);
    ck_assert_msg(p != NULL, "%s", metcn_last_error());
    ck_assert_str_eq(p->build, "GRCh38");
    ck_assert_int_eq(p->contigs[p->bins[0].contig].cen_start, 58100000);
    for (size_t i = 0; i < p->n_bins; i++)
        ck_assert_int_eq(p->bins[i].role, METCN_ROLE_REFERENCE);
    metcn_gene_opt_t opt;
    metcn_gene_opt_init(&opt);
    ck_assert_int_eq(opt.window, 10000000);
    metcn_gene_t *g = metcn_panel_gene(p, "MET", &opt);
    ck_assert_msg(g != NULL, "%s", metcn_last_error());
    ck_assert_int_eq(g->cen_start, 58100000);
    ck_assert_int_eq(g->arm, 'q');
    static const struct {
        int64_t start;
        metcn_role_t role;
        char arm;
    } want[] = {{1000000, METCN_ROLE_CONTROL, 'p'},   {60000000, METCN_ROLE_CONTROL, 0},
                {106000000, METCN_ROLE_CONTROL, 'q'}, {107000000, METCN_ROLE_FLANK, 'q'},
                {116699084, METCN_ROLE_TARGET, 'q'},  {126700000, METCN_ROLE_FLANK, 'q'},
                {126700300, METCN_ROLE_CONTROL, 'q'}};
    ck_assert_uint_eq(p->n_bins, 7);
    for (size_t i = 0; i < 7; i++) {
        ck_assert_int_eq(p->bins[i].start, want[i].start);
        ck_assert_msg(g->role[i] == want[i].role, "bin %zu role %s", i,
                      metcn_role_name(g->role[i]));
        ck_assert_msg(g->bin_arm[i] == want[i].arm, "bin %zu arm %c", i, g->bin_arm[i]);
    }
    metcn_gene_destroy(g);

    /* A region overrides names; another name picks another gene; a region off the panel's
     * contigs and a negative window are errors. */
    opt.region = "chr7:1,000,001-1,000,200";
    g = metcn_panel_gene(p, "MET", &opt);
    ck_assert_ptr_nonnull(g);
    ck_assert_uint_eq(g->n_role[METCN_ROLE_TARGET], 1);
    ck_assert_int_eq(g->role[0], METCN_ROLE_TARGET);
    ck_assert_int_eq(g->start, 1000000);
    ck_assert_str_eq(g->extent_source, "region");
    ck_assert_int_eq(g->role[4], METCN_ROLE_CONTROL); /* MET exon: far from the region */
    metcn_gene_destroy(g);
    opt.region = NULL;
    g = metcn_panel_gene(p, "far2", &opt);
    ck_assert_ptr_nonnull(g);
    ck_assert_uint_eq(g->n_role[METCN_ROLE_TARGET], 1);
    ck_assert_int_eq(g->role[6], METCN_ROLE_TARGET);
    metcn_gene_destroy(g);
    opt.region = "chr9:1-100";
    ck_assert_ptr_null(metcn_panel_gene(p, "X", &opt));
    ck_assert_int_eq(metcn_last_error_code(), METCN_E_CONTIG);
    ck_assert_ptr_nonnull(strstr(metcn_last_error(), "contig chr9, which panel"));
    opt.region = NULL;
    opt.window = -1;
    ck_assert_ptr_null(metcn_panel_gene(p, "MET", &opt));
    ck_assert_int_eq(metcn_last_error_code(), METCN_E_ARG);
    metcn_panel_destroy(p);
    sam_hdr_destroy(h);

    /* A gene named on bins of two contigs is refused by its view, not by the panel. */
    path = write_file("two.bed", MET2 "chr12\t100\t200\tMET_ex9\n", 0);
    p = metcn_panel_load(path, NULL, NULL);
    ck_assert_msg(p != NULL, "%s", metcn_last_error());
    ck_assert_ptr_null(metcn_panel_gene(p, "MET", NULL));
    ck_assert_ptr_nonnull(
        strstr(metcn_last_error(), "gene MET is named on bins of two contigs (chr7 and chr12)"));
    metcn_panel_destroy(p);
}
END_TEST

/* Views of two genes on one tiled GRCh38 panel (1 Mb tiles): MET by its exon bins, ERBB2
 * (chr17) by the built-in gene table, each with its own chromosome's roles and arms, from the
 * table's coordinates; the panel and its checksum are the same whatever views exist. */
START_TEST(test_two_genes)
{
    metcn_panel_opt_t o;
    metcn_panel_opt_init(&o);
    o.bin_size = 1000000;
    metcn_panel_t *p = metcn_panel_load("grch38", &o, NULL);
    ck_assert_msg(p != NULL, "%s", metcn_last_error());
    char before[17], after[17];
    metcn_panel_checksum(p, before);
    metcn_gene_t *met = metcn_panel_gene(p, "MET", NULL);
    metcn_gene_t *her2 = metcn_panel_gene(p, "ERBB2", NULL);
    ck_assert_msg(met && her2, "%s", metcn_last_error());
    ck_assert_str_eq(metcn_panel_checksum(p, after), before);
    ck_assert_str_eq(met->extent_source, "bins");
    ck_assert_str_eq(her2->extent_source, "build");
    ck_assert_str_eq(p->contigs[her2->contig].name, "chr17");
    /* ERBB2: the table's extent; its tiles and chr17's roles and arms by the same arithmetic */
    const int64_t gs = 39700238, ge = 39728662, cs = 22700000, ce = 27400000, w = 10000000;
    ck_assert_int_eq(her2->start, gs);
    ck_assert_int_eq(her2->end, ge);
    ck_assert_int_eq(her2->cen_start, cs);
    ck_assert_int_eq(her2->arm, 'q');
    size_t n17 = 0;
    for (size_t i = 0; i < p->n_bins; i++) {
        const metcn_bin_t *b = &p->bins[i];
        if (b->contig != her2->contig) {
            ck_assert_int_eq(her2->role[i], b->role);
            ck_assert_int_eq(her2->bin_arm[i], 0);
            /* chr17 is a reference chromosome for MET, chr7 for ERBB2 */
            if (b->contig == met->contig)
                ck_assert_int_ne(met->role[i], METCN_ROLE_REFERENCE);
            continue;
        }
        n17++;
        metcn_role_t want = b->start < ge && b->end > gs           ? METCN_ROLE_TARGET
                            : b->end > gs - w && b->start < ge + w ? METCN_ROLE_FLANK
                                                                   : METCN_ROLE_CONTROL;
        char arm = b->end <= cs ? 'p' : b->start >= ce ? 'q' : 0;
        ck_assert_msg(her2->role[i] == want, "chr17:%lld role %s", (long long)b->start,
                      metcn_role_name(her2->role[i]));
        ck_assert_msg(her2->bin_arm[i] == arm, "chr17:%lld arm %c", (long long)b->start,
                      her2->bin_arm[i]);
        ck_assert_int_eq(met->role[i], METCN_ROLE_REFERENCE);
    }
    ck_assert_uint_eq(n17, (83257441 + 999999) / 1000000);
    ck_assert_uint_eq(her2->n_role[METCN_ROLE_TARGET], 1);
    ck_assert_uint_eq(met->n_role[METCN_ROLE_TARGET], 20);
    /* an unknown gene, and a table gene on a panel of unknown build, cannot be placed */
    ck_assert_ptr_null(metcn_panel_gene(p, "NOSUCHGENE", NULL));
    ck_assert_int_eq(metcn_last_error_code(), METCN_E_NOTARGET);
    metcn_gene_destroy(met);
    metcn_gene_destroy(her2);
    metcn_panel_destroy(p);
    const char *path = write_file("nb.bed", MET2 "chr17\t1000\t2000\n", 0);
    p = metcn_panel_load(path, NULL, NULL);
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_null(metcn_panel_gene(p, "ERBB2", NULL));
    ck_assert_ptr_nonnull(strstr(metcn_last_error(), "build is unknown"));
    metcn_panel_destroy(p);
}
END_TEST

/* ---- contig aliasing ---- */
static const struct {
    const char *header, *panel_contig;
    int tid;
} alias_cases[] = {
    {"@SQ\tSN:chr1\tLN:100\n@SQ\tSN:chr7\tLN:100\n", "7", 1},
    {"@SQ\tSN:1\tLN:100\n@SQ\tSN:7\tLN:100\n", "chr7", 1},
    {"@SQ\tSN:7\tLN:100\n@SQ\tSN:chr7\tLN:100\n", "chr7", 1}, /* exact name wins */
    {"@SQ\tSN:MT\tLN:100\n", "chrM", 0},
    {"@SQ\tSN:chrM\tLN:100\n", "MT", 0},
    {"@SQ\tSN:chrX\tLN:100\n", "X", 0},
    {"@SQ\tSN:chr17\tLN:100\n", "chr1", -1},
    {"@SQ\tSN:chr7_KI270803v1_alt\tLN:100\n", "7", -1},
};

START_TEST(test_alias)
{
    sam_hdr_t *h = make_header(alias_cases[_i].header);
    ck_assert_int_eq(metcn_contig_tid(h, alias_cases[_i].panel_contig), alias_cases[_i].tid);
    sam_hdr_destroy(h);
}
END_TEST

START_TEST(test_match_header)
{
    const char *path = write_file("m.bed", MET2 "chr1\t100\t200\nchrUn_x\t5\t10\n", 0);
    metcn_panel_t *p = metcn_panel_load(path, NULL, NULL);
    ck_assert_ptr_nonnull(p);
    /* "7"-style header with a "chr"-style panel; an unplaced contig missing is a warning. */
    sam_hdr_t *h = make_header("@SQ\tSN:1\tLN:1000\n@SQ\tSN:7\tLN:159345973\n");
    int *tids = NULL;
    ck_assert_int_eq(metcn_panel_match_header(p, h, "t.bam", &tids), 0);
    ck_assert_int_eq(tids[0], 0);  /* chr1 */
    ck_assert_int_eq(tids[1], 1);  /* chr7 */
    ck_assert_int_eq(tids[2], -1); /* chrUn_x */
    free(tids);
    sam_hdr_destroy(h);
    /* An autosome missing: error naming the file and contig. */
    h = make_header("@SQ\tSN:1\tLN:1000\n@SQ\tSN:2\tLN:1000\n");
    ck_assert_int_eq(metcn_panel_match_header(p, h, "t.bam", &tids), METCN_E_CONTIG);
    ck_assert_ptr_nonnull(strstr(metcn_last_error(), "t.bam: the header has no contig chr7"));
    sam_hdr_destroy(h);
    /* A length that differs from the panel's (here from the build table: GRCh38). */
    metcn_panel_opt_t o;
    metcn_panel_opt_init(&o);
    o.build = "grch38";
    metcn_panel_t *p38 = metcn_panel_load(path, &o, NULL);
    ck_assert_ptr_nonnull(p38);
    h = make_header("@SQ\tSN:chr1\tLN:249250621\n@SQ\tSN:chr7\tLN:159138663\n");
    ck_assert_int_eq(metcn_panel_match_header(p38, h, "t.bam", &tids), METCN_E_INCOMPATIBLE);
    ck_assert_ptr_nonnull(strstr(metcn_last_error(), "length 249250621 in the header"));
    sam_hdr_destroy(h);
    metcn_panel_destroy(p38);
    /* Bin beyond the contig. */
    h = make_header("@SQ\tSN:1\tLN:150\n@SQ\tSN:7\tLN:159345973\n");
    ck_assert_int_eq(metcn_panel_match_header(p, h, "t.bam", &tids), METCN_E_RANGE);
    ck_assert_ptr_nonnull(strstr(metcn_last_error(), "ends beyond the contig's length 150"));
    sam_hdr_destroy(h);
    metcn_panel_destroy(p);
}
END_TEST

START_TEST(test_checksum_alias_invariant)
{
    const char *a = strdup(write_file("a.bed", MET2 "chr1\t1\t5\n", 0));
    const char *b = strdup(write_file("b.bed", "1\t1\t5\n7\t116699084\t116700284\tMET_ex2\n", 0));
    const char *c = strdup(write_file("c.bed", MET2 "chr1\t1\t6\n", 0));
    metcn_panel_t *pa = metcn_panel_load(a, NULL, NULL), *pb = metcn_panel_load(b, NULL, NULL),
                  *pc = metcn_panel_load(c, NULL, NULL);
    char sa[17], sb[17], sc[17];
    ck_assert_str_eq(metcn_panel_checksum(pa, sa), metcn_panel_checksum(pb, sb));
    ck_assert_str_ne(sa, metcn_panel_checksum(pc, sc));
    /* names (hence any gene) do not enter it */
    const char *d =
        strdup(write_file("d.bed", "chr7\t116699084\t116700284\tERBB2\nchr1\t1\t5\tx\n", 0));
    metcn_panel_t *pd = metcn_panel_load(d, NULL, NULL);
    char sd[17];
    ck_assert_str_eq(metcn_panel_checksum(pd, sd), sa);
    metcn_panel_destroy(pd);
    free((void *)d);
    ck_assert_int_eq(metcn_panel_find(pa, "7", 116699084, 116700284), 1);
    ck_assert_int_eq(metcn_panel_find(pa, "chr1", 1, 5), 0);
    ck_assert_int_eq(metcn_panel_find(pa, "chr1", 1, 6), -1);
    metcn_panel_destroy(pa);
    metcn_panel_destroy(pb);
    metcn_panel_destroy(pc);
    free((void *)a);
    free((void *)b);
    free((void *)c);
}
END_TEST

START_TEST(test_builtin)
{
    metcn_panel_opt_t opt;
    metcn_panel_opt_init(&opt);
    opt.bin_size = 1000000;
    metcn_panel_t *p = metcn_panel_load("grch38", &opt, NULL);
    ck_assert_msg(p != NULL, "%s", metcn_last_error());
    metcn_gene_t *g = metcn_panel_gene(p, "MET", NULL);
    ck_assert_ptr_nonnull(g);
    ck_assert_uint_eq(g->n_role[METCN_ROLE_TARGET], 20);
    ck_assert_str_eq(p->build, "GRCh38");
    /* chr7: 160 tiles less the one over MET and the 5 touching the centromere
     * [58.1 Mb, 62.1 Mb), plus 20 exons. */
    size_t n7 = 0;
    for (size_t i = 0; i < p->n_bins; i++) {
        const metcn_bin_t *b = &p->bins[i];
        if (b->contig != g->contig)
            continue;
        n7++;
        ck_assert_msg(!(b->start < 62100000 && b->end > 58100000), "tile over the centromere");
        if (g->role[i] != METCN_ROLE_TARGET)
            ck_assert_msg(!(b->start < 116798386 && b->end > 116699084), "tile over MET");
    }
    ck_assert_uint_eq(n7, 160 - 5 - 1 + 20);
    ck_assert_uint_eq(g->n_role[METCN_ROLE_CONTROL] + g->n_role[METCN_ROLE_FLANK], 160 - 5 - 1);
    ck_assert_int_eq(p->contigs[g->contig].length, 159345973);
    metcn_gene_destroy(g);
    metcn_panel_destroy(p);

    /* With a "7"-style GRCh37 header: names and lengths from the header, exons renamed. */
    sam_hdr_t *h = make_header("@SQ\tSN:1\tLN:5000000\n@SQ\tSN:7\tLN:159138663\n"
                               "@SQ\tSN:GL000192.1\tLN:547496\n");
    p = metcn_panel_load("grch37", &opt, h);
    ck_assert_msg(p != NULL, "%s", metcn_last_error());
    ck_assert_int_eq(p->n_contigs, 2);
    ck_assert_str_eq(p->contigs[1].name, "7");
    /* chr1: 5 tiles; chr7: 160 tiles less 4 over the GRCh37 centromere and 1 over MET, plus the
     * 20 exons: all autosomal */
    ck_assert_uint_eq(p->n_role[METCN_ROLE_REFERENCE], 5 + (160 - 4 - 1) + 20);
    int *tids = NULL;
    ck_assert_int_eq(metcn_panel_match_header(p, h, "h", &tids), 0);
    free(tids);
    metcn_panel_destroy(p);
    /* The wrong build for the header is refused. */
    ck_assert_ptr_null(metcn_panel_load("grch38", &opt, h));
    ck_assert_ptr_nonnull(strstr(metcn_last_error(), "159138663 bp long, not 159345973"));
    sam_hdr_destroy(h);
    ck_assert_ptr_null(metcn_panel_load("/nonexistent/x.bed", &opt, NULL));
    ck_assert_ptr_nonnull(strstr(metcn_last_error(), "/nonexistent/x.bed: cannot open"));
}
END_TEST

static int n_problems;
static char problems[2048];
static void collect(metcn_log_level_t sev, const char *msg, void *ud)
{
    (void)ud;
    n_problems++;
    size_t l = strlen(problems);
    snprintf(problems + l, sizeof problems - l, "%s|%s\n", sev == METCN_LOG_ERROR ? "E" : "W", msg);
}

/* Off-target bins by CNVkit's rule, worked by hand: chr1 with targets [200000,200200) and
 * [800000,800300), no FASTA and no length: accessible [150000, 800300) (telomere margin, the
 * last target's end), shrunk by 500: [150500, 799800); minus the padded targets [199500,
 * 200700) and [799500, 800800): [150500, 199500) (49,000 bp: one bin, round(0.33) -> 1) and
 * [200700, 799500) (598,800 bp: round(3.99) = 4 equal bins of 149,700).  chr2 with a FASTA-free
 * target only at its start gets none (its region is shorter than 150,000 / 16).  Written as
 * BED and read back, the bins named Antitarget are off-target again. */
START_TEST(test_off_target)
{
    const char *bed = write_file("ot.bed",
                                 "chr1\t200000\t200200\tT1\nchr1\t800000\t800300\tT2\n"
                                 "chr2\t150000\t155000\tT3\n",
                                 0);
    metcn_panel_t *p = metcn_panel_load(bed, NULL, NULL);
    ck_assert_msg(p != NULL, "%s", metcn_last_error());
    metcn_panel_t *q = metcn_panel_off_target(p, NULL, NULL);
    ck_assert_msg(q != NULL, "%s", metcn_last_error());
    static const int64_t want[][2] = {{150500, 199500}, {200000, 200200}, {200700, 350400},
                                      {350400, 500100}, {500100, 649800}, {649800, 799500},
                                      {800000, 800300}, {150000, 155000}};
    ck_assert_uint_eq(q->n_bins, 8);
    size_t n_off = 0;
    for (size_t i = 0; i < q->n_bins; i++) {
        ck_assert_msg(q->bins[i].start == want[i][0] && q->bins[i].end == want[i][1],
                      "bin %zu: %lld-%lld", i, (long long)q->bins[i].start,
                      (long long)q->bins[i].end);
        int off = q->bins[i].name && strcmp(q->bins[i].name, "Antitarget") == 0;
        ck_assert_int_eq(q->bins[i].off_target, off);
        n_off += (size_t)off;
    }
    ck_assert_uint_eq(n_off, 5);
    /* derived again from the targets: the same panel */
    metcn_panel_t *r = metcn_panel_off_target(q, NULL, NULL);
    char a[17], b[17];
    ck_assert_str_eq(metcn_panel_checksum(q, a), metcn_panel_checksum(r, b));
    /* a BED of the result reads back with the flags */
    char text[2048];
    size_t l = 0;
    for (size_t i = 0; i < q->n_bins; i++)
        l += (size_t)snprintf(text + l, sizeof text - l, "%s\t%lld\t%lld\t%s\n",
                              q->contigs[q->bins[i].contig].name, (long long)q->bins[i].start,
                              (long long)q->bins[i].end, q->bins[i].name);
    metcn_panel_t *s = metcn_panel_load(write_file("ot2.bed", text, 0), NULL, NULL);
    ck_assert_ptr_nonnull(s);
    for (size_t i = 0; i < s->n_bins; i++)
        ck_assert_int_eq(s->bins[i].off_target, q->bins[i].off_target);
    /* a bin size below 1 kb is refused */
    metcn_offtarget_opt_t o;
    metcn_offtarget_opt_init(&o);
    o.avg_size = 10;
    ck_assert_ptr_null(metcn_panel_off_target(p, &o, NULL));
    ck_assert_ptr_nonnull(strstr(metcn_last_error(), "below 1000 bp"));
    metcn_panel_destroy(s);
    metcn_panel_destroy(r);
    metcn_panel_destroy(q);
    metcn_panel_destroy(p);
}
END_TEST

START_TEST(test_check_all_problems)
{
    const char *path = write_file(
        "chk.bed",
        "chr1\t10\t5\nchr1\tx\t5\n" MET2 MET2 "chr3\t1\t5\nchr1\t100\t2000\nchrM\t1\t5\n", 0);
    sam_hdr_t *h = make_header("@SQ\tSN:chr1\tLN:1000\n@SQ\tSN:chr7\tLN:159345973\n");
    n_problems = 0;
    problems[0] = 0;
    /* 2 bad lines, 1 duplicate, chr3 (an autosome) missing, 1 bin beyond chr1; chrM missing
     * is a warning */
    int errors = metcn_panel_check(path, NULL, h, collect, NULL);
    ck_assert_msg(errors == 5, "errors %d: %s", errors, problems);
    ck_assert_int_eq(n_problems, 6);
    ck_assert_ptr_nonnull(strstr(problems, "E|"));
    ck_assert_ptr_nonnull(strstr(problems, "W|"));
    ck_assert_ptr_nonnull(strstr(problems, "E|"));
    ck_assert_ptr_nonnull(
        strstr(problems, "chk.bed:5: contig chr3 is not in the header (an autosome"));
    ck_assert_ptr_nonnull(strstr(problems, "W|"));
    ck_assert_ptr_nonnull(
        strstr(problems, "chk.bed:7: contig chrM is not in the header; its bins"));
    ck_assert_ptr_nonnull(strstr(problems, "chk.bed:6: end 2000 is beyond the length 1000"));
    sam_hdr_destroy(h);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("region");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, test_bed_bad, 0, (int)(sizeof bad_cases / sizeof bad_cases[0]));
    tcase_add_loop_test(tc, test_bed_good, 0, (int)(sizeof good_cases / sizeof good_cases[0]));
    tcase_add_test(tc, test_merge);
    tcase_add_test(tc, test_gene_roles_window_arms);
    tcase_add_test(tc, test_two_genes);
    tcase_add_loop_test(tc, test_alias, 0, (int)(sizeof alias_cases / sizeof alias_cases[0]));
    tcase_add_test(tc, test_match_header);
    tcase_add_test(tc, test_checksum_alias_invariant);
    tcase_add_test(tc, test_builtin);
    tcase_add_test(tc, test_check_all_problems);
    tcase_add_test(tc, test_off_target);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
