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

int metcn_report_cnr(const char *path, const metcn_call_t *c)
{
    metcn_ofile_t *f = metcn_ofile_open(path);
    if (!f)
        return open_fail();
    const metcn_panel_t *p = c->panel;
    char b[3][32];
    metcn_ofile_printf(f, "chromosome\tstart\tend\tgene\tlog2\tdepth\tweight\trole\tuse\n");
    for (size_t i = 0; i < c->n; i++) {
        if (!(c->bin_flag[i] & METCN_BIN_USED))
            continue;
        const metcn_bin_t *bn = &p->bins[i];
        metcn_ofile_printf(
            f, "%s\t%lld\t%lld\t%s\t%s\t%s\t%s\t%s\t%s\n", p->contigs[bn->contig].name,
            (long long)bn->start, (long long)bn->end, bn->name && *bn->name ? bn->name : "-",
            metcn_fmt_double(b[0], c->log2[i], 6), metcn_fmt_double(b[1], c->depth[i], 6),
            metcn_fmt_double(b[2], c->weight[i], 6), metcn_role_name(c->locus->role[i]),
            bin_use(c->bin_flag[i]));
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
    metcn_ofile_printf(f, "ID\tchrom\tloc.start\tloc.end\tnum.mark\tseg.mean\n");
    for (size_t s = 0; s < c->n_segs; s++) {
        const metcn_segment_t *g = &c->segs[s];
        /* The target gene is its own segment (forced breakpoints); show its robust level. */
        int gene_seg = (c->bin_flag[g->first_bin] & METCN_BIN_TARGET) &&
                       (c->bin_flag[g->last_bin] & METCN_BIN_TARGET) &&
                       g->contig == c->locus->contig;
        metcn_ofile_printf(f, "%s\t%s\t%lld\t%lld\t%d\t%s\n", c->sample, p->contigs[g->contig].name,
                           (long long)g->start + 1, (long long)g->end, g->n,
                           metcn_fmt_double(b, gene_seg ? c->met.est : g->log2, 5));
    }
    return metcn_ofile_close(f, 1);
}

int metcn_report_vcf(const char *path, const metcn_call_t *c)
{
    const metcn_panel_t *p = c->panel;
    if (c->locus->contig < 0 || c->locus->start < 0)
        return metcn_set_error(METCN_E_NOTARGET, "%s: no target gene extent for the VCF", path);
    metcn_ofile_t *f = metcn_ofile_open(path);
    if (!f)
        return open_fail();
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
           "##FILTER=<ID=equivocal,Description=\"Ratio interval spans more than one tier\">\n"
           "##INFO=<ID=END,Number=1,Type=Integer,Description=\"End position of the longest variant "
           "described in this record\">\n"
           "##INFO=<ID=SVLEN,Number=A,Type=Integer,Description=\"Length of structural variant\">\n"
           "##INFO=<ID=SVCLAIM,Number=A,Type=String,Description=\"Claim made by the structural "
           "variant call. Valid values are D, J, DJ for abundance, adjacency and both "
           "respectively\">\n"
           "##INFO=<ID=GENE,Number=1,Type=String,Description=\"Target gene\">\n"
           "##INFO=<ID=LOG2,Number=1,Type=Float,Description=\"Gene log2 copy ratio\">\n"
           "##INFO=<ID=CHR7_CN,Number=1,Type=Float,Description=\"Copy number of the gene's "
           "chromosome outside the amplicon (CEP7 stand-in)\">\n"
           "##INFO=<ID=RATIO,Number=1,Type=Float,Description=\"Gene/chromosome copy-number "
           "ratio (FISH MET/CEP7 equivalent)\">\n"
           "##INFO=<ID=RATIO_CI,Number=2,Type=Float,Description=\"Interval of RATIO (absolute "
           "bounds)\">\n"
           "##INFO=<ID=TIER,Number=1,Type=String,Description=\"Ratio tier under CRITERIA\">\n"
           "##INFO=<ID=CRITERIA,Number=1,Type=String,Description=\"Tier criteria preset\">\n"
           "##INFO=<ID=HIGH_AMP,Number=1,Type=String,Description=\"Copy number > 10: yes, no, "
           "equivocal\">\n"
           "##INFO=<ID=PATTERN,Number=1,Type=String,Description=\"focal, polysomy, "
           "focal_on_polysomy or none\">\n"
           "##INFO=<ID=PURITY,Number=1,Type=Float,Description=\"Tumour purity used\">\n"
           "##INFO=<ID=PURITY_ASSUMED,Number=0,Type=Flag,Description=\"No purity given; 1 "
           "assumed\">\n"
           "##INFO=<ID=QC_REASONS,Number=1,Type=String,Description=\"QC remarks\">\n"
           "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n"
           "##FORMAT=<ID=CN,Number=1,Type=Float,Description=\"Copy number per tumour cell\">\n"
           "##FORMAT=<ID=CICN,Number=2,Type=Float,Description=\"Confidence interval around copy "
           "number (offsets from CN, as CIPOS)\">\n");
    metcn_ofile_printf(f, "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t%s\n", c->sample);
    /* Symbolic allele: POS is the base before the event (1-based = the 0-based start), END
     * the last base (1-based = the 0-based exclusive end). */
    long long pos = c->locus->start > 0 ? c->locus->start : 1;
    long long end = c->locus->end;
    const char *alt = c->met_cn.lo > 2.0 ? "DUP" : "CNV";
    char filter[64] = "";
    if (c->qc == METCN_QC_FAIL)
        strcat(filter, "qc_fail");
    if (c->equivocal)
        strcat(filter, *filter ? ";equivocal" : "equivocal");
    if (!*filter)
        strcpy(filter, "PASS");
    char b[9][32];
    /* QC reasons may not contain ';', '=', ' ' in an INFO value: map them. */
    char reasons[512];
    snprintf(reasons, sizeof reasons, "%s", c->qc_reasons);
    for (char *q = reasons; *q; q++)
        if (*q == ';')
            *q = '|';
        else if (*q == '=' || *q == ' ' || *q == ',')
            *q = ':';
    metcn_ofile_printf(
        f,
        "%s\t%lld\t%s_%s\tN\t<%s>\t.\t%s\tEND=%lld;SVLEN=%lld;SVCLAIM=D;GENE=%s;LOG2=%s;"
        "CHR7_CN=%s;RATIO=%s;RATIO_CI=%s,%s;TIER=%s;CRITERIA=%s;HIGH_AMP=%s;PATTERN=%s;"
        "PURITY=%s%s;QC_REASONS=%s\tGT:CN:CICN\t.:%s:%s,%s\n",
        p->contigs[c->locus->contig].name, pos, c->gene, "CN", alt, filter, end, end - pos, c->gene,
        metcn_fmt_double(b[0], c->met.est, 5), metcn_fmt_double(b[1], c->chr7_cn.cn, 5),
        metcn_fmt_double(b[2], c->ratio, 5),
        isfinite(c->ratio_lo) ? metcn_fmt_double(b[3], c->ratio_lo, 5) : ".",
        isfinite(c->ratio_hi) ? metcn_fmt_double(b[4], c->ratio_hi, 5) : ".",
        metcn_tier_name(c->tier), c->criteria->name, metcn_highamp_name(c->high_amp),
        metcn_pattern_name(c->pattern), metcn_fmt_double(b[5], c->purity, 4),
        c->purity_assumed ? ";PURITY_ASSUMED" : "", reasons,
        metcn_fmt_double(b[6], c->met_cn.cn, 5),
        metcn_fmt_double(b[7], c->met_cn.lo - c->met_cn.cn, 5),
        metcn_fmt_double(b[8], c->met_cn.hi - c->met_cn.cn, 5));
    return metcn_ofile_close(f, 1);
}
