/* report_files.c -- per-sample files: .cnr (CNVkit columns), SEG (IGV), VCF 4.4. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "metcn/call.h"
#include "metcn/metcn.h"
#include "metcn/report.h"
#include "metcn/util.h"
#include "report_json.h"

static int open_fail(void)
{
    int r = metcn_last_error_code();
    return r ? r : METCN_E_IO;
}

static const char *bin_use(unsigned f)
{
    if (f & METCN_BIN_TARGET)
        return "target";
    if (f & METCN_BIN_FOCAL)
        return "control_focal";
    if (f & METCN_BIN_CONTROL)
        return "control";
    return "other";
}

/* CNVkit's allele-specific columns of a bin or segment from the purity fit (only written when
 * the call has one): "\tbaf\tcn1\tcn2", the fit segment's mirrored allele fraction and its
 * (major, minor) copy numbers; NA where the segment has no sites, is subclonal or is absent. */
static void allele_cols(char *buf, size_t n, const metcn_call_t *c, const metcn_purity_seg_t *g)
{
    char b[32];
    buf[0] = '\0';
    if (!c->pfit)
        return;
    if (!g || g->subclonal)
        snprintf(buf, n, "\t%s\tNA\tNA", g ? metcn_fmt_double(b, g->baf, 5) : "NA");
    else
        snprintf(buf, n, "\t%s\t%d\t%d", metcn_fmt_double(b, g->baf, 5), g->major, g->minor);
}

int metcn_report_cnr(const char *path, const metcn_call_t *c)
{
    metcn_ofile_t *f = metcn_ofile_open(path);
    if (!f)
        return open_fail();
    const metcn_panel_t *p = c->panel;
    const metcn_role_t *role = c->gene->role;
    char b[3][32];
    metcn_ofile_printf(f, "chromosome\tstart\tend\tgene\tlog2\tdepth\tweight\trole\tuse%s\n",
                       c->pfit ? "\tbaf\tcn1\tcn2" : "");
    for (size_t i = 0; i < c->n; i++) {
        if (!(c->bin_flag[i] & METCN_BIN_USED))
            continue;
        const metcn_bin_t *bn = &p->bins[i];
        char as[96];
        allele_cols(as, sizeof as, c, report_purity_bin_seg(c, i));
        metcn_ofile_printf(
            f, "%s\t%lld\t%lld\t%s\t%s\t%s\t%s\t%s\t%s%s\n", p->contigs[bn->contig].name,
            (long long)bn->start, (long long)bn->end, bn->name && *bn->name ? bn->name : "-",
            metcn_fmt_double(b[0], c->log2[i], 6), metcn_fmt_double(b[1], c->depth[i], 6),
            metcn_fmt_double(b[2], c->weight[i], 6), metcn_role_name(role[i]),
            bin_use(c->bin_flag[i]), as);
    }
    return metcn_ofile_close(f, 1);
}

int metcn_report_seg(const char *path, const metcn_call_t *c)
{
    metcn_ofile_t *f = metcn_ofile_open(path);
    if (!f)
        return open_fail();
    const metcn_panel_t *p = c->panel;
    char b[32];
    metcn_ofile_printf(f, "ID\tchrom\tloc.start\tloc.end\tnum.mark\tseg.mean%s\n",
                       c->pfit ? "\tbaf\tcn1\tcn2" : "");
    for (size_t s = 0; s < c->n_segs; s++) {
        const metcn_segment_t *g = &c->segs[s];
        /* The target gene is its own segment (forced breakpoints); show its robust level. */
        int gene_seg = (c->bin_flag[g->first_bin] & METCN_BIN_TARGET) &&
                       (c->bin_flag[g->last_bin] & METCN_BIN_TARGET) &&
                       g->contig == c->gene->contig;
        char as[96];
        allele_cols(as, sizeof as, c,
                    gene_seg ? report_purity_gene_seg(c) : report_purity_bin_seg(c, g->first_bin));
        metcn_ofile_printf(f, "%s\t%s\t%lld\t%lld\t%d\t%s%s\n", c->sample,
                           p->contigs[g->contig].name, (long long)g->start + 1, (long long)g->end,
                           g->n, metcn_fmt_double(b, gene_seg ? c->gene_lv.est : g->log2, 5), as);
    }
    return metcn_ofile_close(f, 1);
}

/* A Float INFO value: 5 significant digits, "." when missing (or not reachable). */
static const char *vcf_num(char buf[32], double x)
{
    return isfinite(x) ? metcn_fmt_double(buf, x, 5) : ".";
}

/* One record: the gene's extent as a symbolic <CNV>/<DUP>; POS is the base before the event
 * (1-based = the 0-based start), END the last base (1-based = the 0-based exclusive end). */
static void vcf_record(metcn_ofile_t *f, const metcn_call_t *c)
{
    const metcn_gene_t *g = c->gene;
    long long pos = g->start > 0 ? g->start : 1;
    long long end = g->end;
    const char *alt = c->gene_cn.lo > 2.0 ? "DUP" : "CNV";
    char filter[64] = "";
    if (c->qc == METCN_QC_FAIL)
        strcat(filter, "qc_fail");
    if (c->equivocal)
        strcat(filter, *filter ? ";equivocal" : "equivocal");
    if (!*filter)
        strcpy(filter, "PASS");
    /* QC records as name:value>threshold joined by '|' (no ';', '=', ',' or space in INFO) */
    char reasons[1024] = ".", one[128];
    size_t l = 0;
    for (size_t i = 0; i < c->n_qc && l + 1 < sizeof reasons; i++) {
        metcn_qc_rec_str(&c->qc_rec[i], one, sizeof one);
        char *eq = strchr(one, '=');
        if (eq)
            *eq = ':';
        l += (size_t)snprintf(reasons + l, sizeof reasons - l, "%s%s", i ? "|" : "", one);
    }
    char b[12][32], pl[8][32], as[160] = "";
    const metcn_purity_seg_t *gs = report_purity_gene_seg(c);
    if (c->pfit) {
        char e[4][32];
        int l2 = snprintf(as, sizeof as, ";PURITY_ESTIMATE=%s;PURITY_ESTIMATE_CI=%s,%s",
                          vcf_num(e[0], c->pfit->purity), vcf_num(e[1], c->pfit->purity_lo),
                          vcf_num(e[2], c->pfit->purity_hi));
        if (gs && !gs->subclonal && l2 > 0 && (size_t)l2 < sizeof as)
            snprintf(as + l2, sizeof as - (size_t)l2, ";MAJOR_CN=%d;MINOR_CN=%d;BAF=%s", gs->major,
                     gs->minor, vcf_num(e[3], gs->baf));
    }
    metcn_ofile_printf(
        f,
        "%s\t%lld\t%s_%s\tN\t<%s>\t.\t%s\tEND=%lld;SVLEN=%lld;SVCLAIM=D;GENE=%s;CONTROL=%s;LOG2=%s;"
        "CONTROL_CN=%s;RATIO=%s;RATIO_CI=%s,%s;TIER=%s;CRITERIA=%s;HIGH_AMP=%s;PATTERN=%s;"
        "PURITY=%s;PURITY_SOURCE=%s;SAMPLE_TYPE=%s;TUMOUR_FRACTION=%s;TUMOUR_FRACTION_CI=%s,%s;"
        "TUMOUR_FRACTION_SOURCE=%s;PLASMA_CN=%s;PLASMA_CN_CI=%s,%s;DETECTION=%s;LOD_TF_CN5=%s;"
        "LOD_TF_CN10=%s;QC=%s;QC_REASONS=%s%s\tGT:CN:CICN\t.:%s:%s,%s\n",
        c->panel->contigs[g->contig].name, pos, g->name, "CN", alt, filter, end, end - pos, g->name,
        c->control, metcn_fmt_double(b[0], c->gene_lv.est, 5),
        metcn_fmt_double(b[1], c->control_cn.cn, 5), metcn_fmt_double(b[2], c->ratio, 5),
        isfinite(c->ratio_lo) ? metcn_fmt_double(b[3], c->ratio_lo, 5) : ".",
        isfinite(c->ratio_hi) ? metcn_fmt_double(b[4], c->ratio_hi, 5) : ".",
        metcn_criteria_tier_name(c->criteria, c->tier), c->criteria->name,
        metcn_highamp_name(c->high_amp), metcn_pattern_name(c->pattern),
        metcn_fmt_double(b[5], c->purity, 4), metcn_purity_source_name(c->purity_source),
        metcn_sample_type_name(c->sample_type), vcf_num(pl[0], c->purity),
        vcf_num(pl[1], c->purity_lo), vcf_num(pl[2], c->purity_hi),
        metcn_purity_source_name(c->purity_source), vcf_num(pl[3], c->plasma_cn.cn),
        vcf_num(pl[4], c->plasma_cn.lo), vcf_num(pl[5], c->plasma_cn.hi),
        metcn_detection_name(c->detection), vcf_num(pl[6], c->lod_tf_cn5),
        vcf_num(pl[7], c->lod_tf_cn10), metcn_qc_name(c->qc), reasons, as,
        metcn_fmt_double(b[6], c->gene_cn.cn, 5),
        metcn_fmt_double(b[7], c->gene_cn.lo - c->gene_cn.cn, 5),
        metcn_fmt_double(b[8], c->gene_cn.hi - c->gene_cn.cn, 5));
}

static int by_position(const void *a, const void *b)
{
    const metcn_call_t *x = *(const metcn_call_t *const *)a, *y = *(const metcn_call_t *const *)b;
    if (x->gene->contig != y->gene->contig)
        return x->gene->contig < y->gene->contig ? -1 : 1;
    return x->gene->start < y->gene->start ? -1 : x->gene->start > y->gene->start;
}

int metcn_report_vcf(const char *path, metcn_call_t *const *calls, size_t n)
{
    if (n == 0)
        return metcn_set_error(METCN_E_ARG, "%s: no call for the VCF", path);
    const metcn_call_t *c = calls[0];
    const metcn_panel_t *p = c->panel;
    for (size_t i = 0; i < n; i++)
        if (calls[i]->gene->start < 0 || strcmp(calls[i]->sample, c->sample) != 0 ||
            calls[i]->panel != p)
            return metcn_set_error(METCN_E_ARG,
                                   "%s: a VCF holds the genes of one sample on one panel", path);
    const metcn_call_t **sorted = malloc(n * sizeof *sorted);
    if (!sorted)
        return metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
    memcpy(sorted, calls, n * sizeof *sorted);
    int any_fit = 0;
    for (size_t i = 0; i < n; i++)
        any_fit |= calls[i]->pfit != NULL;
    static const char fit_header[] =
        "##INFO=<ID=PURITY_ESTIMATE,Number=1,Type=Float,Description=\"Purity estimated from the "
        "reads (. when it cannot tell)\">\n"
        "##INFO=<ID=PURITY_ESTIMATE_CI,Number=2,Type=Float,Description=\"Interval of "
        "PURITY_ESTIMATE (the range still possible when it cannot tell)\">\n"
        "##INFO=<ID=MAJOR_CN,Number=1,Type=Integer,Description=\"Copies of the gene's major "
        "haplotype per tumour cell under the purity fit\">\n"
        "##INFO=<ID=MINOR_CN,Number=1,Type=Integer,Description=\"Copies of its minor "
        "haplotype\">\n"
        "##INFO=<ID=BAF,Number=1,Type=Float,Description=\"Mirrored allele fraction (>= 0.5) of "
        "the gene's segment at heterozygous germline sites\">\n";
    qsort(sorted, n, sizeof *sorted, by_position);
    metcn_ofile_t *f = metcn_ofile_open(path);
    if (!f) {
        free(sorted);
        return open_fail();
    }
    char date[16] = "";
    time_t now = time(NULL);
    struct tm tmv;
    if (gmtime_r(&now, &tmv))
        strftime(date, sizeof date, "%Y%m%d", &tmv);
    metcn_ofile_printf(f, "##fileformat=VCFv4.4\n##fileDate=%s\n##source=metcn %s\n", date,
                       metcn_version());
    if (p->build[0])
        metcn_ofile_printf(f, "##reference=%s\n", p->build);
    for (int i = 0; i < p->n_contigs; i++) {
        if (p->contigs[i].length > 0)
            metcn_ofile_printf(f, "##contig=<ID=%s,length=%lld>\n", p->contigs[i].name,
                               (long long)p->contigs[i].length);
        else
            metcn_ofile_printf(f, "##contig=<ID=%s>\n", p->contigs[i].name);
    }
    metcn_ofile_printf(
        f, "##ALT=<ID=CNV,Description=\"Copy number variable region\">\n"
           "##ALT=<ID=DUP,Description=\"Duplication (copy number interval wholly above 2)\">\n"
           "##FILTER=<ID=PASS,Description=\"All filters passed\">\n"
           "##FILTER=<ID=qc_fail,Description=\"Sample failed QC (see QC_REASONS)\">\n"
           "##FILTER=<ID=equivocal,Description=\"Ratio / copy-number interval meets more than "
           "one tier\">\n"
           "##INFO=<ID=END,Number=1,Type=Integer,Description=\"End position of the longest variant "
           "described in this record\">\n"
           "##INFO=<ID=SVLEN,Number=A,Type=Integer,Description=\"Length of structural variant\">\n"
           "##INFO=<ID=SVCLAIM,Number=A,Type=String,Description=\"Claim made by the structural "
           "variant call. Valid values are D, J, DJ for abundance, adjacency and both "
           "respectively\">\n"
           "##INFO=<ID=GENE,Number=1,Type=String,Description=\"Target gene\">\n"
           "##INFO=<ID=CONTROL,Number=1,Type=String,Description=\"Control chromosome (the "
           "centromeric-probe stand-in)\">\n"
           "##INFO=<ID=LOG2,Number=1,Type=Float,Description=\"Gene log2 copy ratio\">\n"
           "##INFO=<ID=CONTROL_CN,Number=1,Type=Float,Description=\"Copy number of the gene's "
           "chromosome outside its window (CEP stand-in)\">\n"
           "##INFO=<ID=RATIO,Number=1,Type=Float,Description=\"Gene/control copy-number "
           "ratio (FISH gene/CEP equivalent)\">\n"
           "##INFO=<ID=RATIO_CI,Number=2,Type=Float,Description=\"Interval of RATIO (absolute "
           "bounds)\">\n"
           "##INFO=<ID=TIER,Number=1,Type=String,Description=\"Tier under CRITERIA\">\n"
           "##INFO=<ID=CRITERIA,Number=1,Type=String,Description=\"Tier criteria preset\">\n");
    metcn_ofile_printf(f,
                       "##INFO=<ID=HIGH_AMP,Number=1,Type=String,Description=\"Copy number > %g: "
                       "yes, no, equivocal\">\n",
                       c->high_amp_cn);
    metcn_ofile_printf(
        f,
        "##INFO=<ID=PATTERN,Number=1,Type=String,Description=\"focal, polysomy, "
        "focal_on_polysomy or none\">\n"
        "##INFO=<ID=PURITY,Number=1,Type=Float,Description=\"Tumour purity used\">\n"
        "##INFO=<ID=PURITY_SOURCE,Number=1,Type=String,Description=\"given, vaf, somatic, "
        "estimated or assumed (1)\">\n"
        "##INFO=<ID=SAMPLE_TYPE,Number=1,Type=String,Description=\"tissue or plasma\">\n"
        "##INFO=<ID=TUMOUR_FRACTION,Number=1,Type=Float,Description=\"Tumour fraction used "
        "(the purity for tissue)\">\n"
        "##INFO=<ID=TUMOUR_FRACTION_CI,Number=2,Type=Float,Description=\"Range of "
        "TUMOUR_FRACTION\">\n"
        "##INFO=<ID=TUMOUR_FRACTION_SOURCE,Number=1,Type=String,Description=\"given, vaf, "
        "somatic, estimated or assumed (1: unknown)\">\n"
        "##INFO=<ID=PLASMA_CN,Number=1,Type=Float,Description=\"Copy number of the mixture "
        "(2 x the gene's copy ratio), as plasma assays report it\">\n"
        "##INFO=<ID=PLASMA_CN_CI,Number=2,Type=Float,Description=\"Interval of PLASMA_CN\">\n"
        "##INFO=<ID=DETECTION,Number=1,Type=String,Description=\"detected, not_detected or "
        "not_assessable (an amplification of 5 copies could have been missed)\">\n"
        "##INFO=<ID=LOD_TF_CN5,Number=1,Type=Float,Description=\"Tumour fraction at which 5 "
        "copies are detected with the power of the call (. when none suffices)\">\n"
        "##INFO=<ID=LOD_TF_CN10,Number=1,Type=Float,Description=\"The same for 10 "
        "copies\">\n"
        "##INFO=<ID=QC,Number=1,Type=String,Description=\"QC status: pass, warn or fail\">\n"
        "##INFO=<ID=QC_REASONS,Number=1,Type=String,Description=\"QC records "
        "code:value>threshold joined by |\">\n%s"
        "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n"
        "##FORMAT=<ID=CN,Number=1,Type=Float,Description=\"Copy number per tumour cell\">\n"
        "##FORMAT=<ID=CICN,Number=2,Type=Float,Description=\"Confidence interval around copy "
        "number (offsets from CN, as CIPOS)\">\n",
        any_fit ? fit_header : "");
    metcn_ofile_printf(f, "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t%s\n", c->sample);
    for (size_t i = 0; i < n; i++)
        vcf_record(f, sorted[i]);
    free(sorted);
    return metcn_ofile_close(f, 1);
}
