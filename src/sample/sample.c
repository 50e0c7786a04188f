/* sample.c -- one sample's pipeline: open (kind from content), check, coverage, normalise,
 * properties with their sources.  Coordinates are the panel's (0-based half-open). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <htslib/bgzf.h>
#include <htslib/hfile.h>
#include <htslib/hts.h>
#include <htslib/kstring.h>

#include "metcn/metcn.h"
#include "metcn/sample.h"
#include "metcn/util.h"
#include "sample/sample_internal.h"

struct metcn_sample_priv_s {
    metcn_cov_opt_t opt;
    samFile *fp;      /* reads, until the engine takes it */
    metcn_tsv_t *tab; /* a table, until it is read */
    int estimated;    /* sex, depth and noise estimated */
    cnvkit_cnr_t cnr; /* a CNVkit .cnr: read at open */
};

static const char *const source_names[] = {"none", "assumed", "given", "estimated", "pon"};

const char *metcn_source_name(int source)
{
    return source >= 0 && source <= METCN_SOURCE_PON ? source_names[source] : "unknown";
}

const char *metcn_input_name(int kind, int table)
{
    static const char *const tables[] = {"metcn coverage table", "CNVkit .cnn", "mosdepth regions",
                                         "GATK CollectReadCounts", "Picard HsMetrics per-target"};
    switch (kind) {
    case METCN_INPUT_BAM:
        return "BAM";
    case METCN_INPUT_CRAM:
        return "CRAM";
    case METCN_INPUT_SAM:
        return "SAM";
    case METCN_INPUT_TABLE:
        return table >= 0 && table <= METCN_TABLE_PICARD ? tables[table] : "coverage table";
    case METCN_INPUT_CNVKIT_CNR:
        return "CNVkit .cnr";
    default:
        return "unknown";
    }
}

static metcn_prop_t prop(double value, metcn_source_t source)
{
    return (metcn_prop_t){value, NAN, NAN, source};
}

void metcn_sample_close(metcn_sample_t *s)
{
    if (!s)
        return;
    if (s->priv) {
        if (s->priv->fp)
            sam_close(s->priv->fp);
        metcn_tsv_close(s->priv->tab);
        cnvkit_cnr_free(&s->priv->cnr);
        free(s->priv);
    }
    sam_hdr_destroy(s->hdr);
    metcn_covtab_destroy(s->cov);
    free(s->path);
    free(s->name);
    free(s);
}

/* Open step: reads (BAM, CRAM, SAM) on the detected hFILE; the header is read once. */
static int open_reads(metcn_sample_t *s, hFILE *hf, const htsFormat *fmt)
{
    s->kind = fmt->format == bam    ? METCN_INPUT_BAM
              : fmt->format == cram ? METCN_INPUT_CRAM
                                    : METCN_INPUT_SAM;
    if (!(s->priv->fp = hts_hopen(hf, s->path, "r"))) {
        hclose_abruptly(hf);
        return metcn_set_error(METCN_E_FORMAT, "%s: cannot open as %s", s->path,
                               metcn_input_name(s->kind, -1));
    }
    if (!(s->hdr = sam_hdr_read(s->priv->fp)))
        return metcn_set_error(METCN_E_FORMAT, "%s: cannot read the %s header (corrupt file?)",
                               s->path, metcn_input_name(s->kind, -1));
    kstring_t sm = KS_INITIALIZE;
    if (sam_hdr_find_tag_pos(s->hdr, "RG", 0, "SM", &sm) == 0 && sm.l > 0)
        s->name = sm.s;
    else
        free(sm.s);
    return 0;
}

/* The '##sample=' line among a table's first '##' lines, or NULL. */
static char *table_sample(const char *text, size_t len)
{
    for (const char *p = text, *end = text + len; p + 2 <= end && strncmp(p, "##", 2) == 0;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            break;
        if (nl > p + 9 && strncmp(p, "##sample=", 9) == 0)
            return strndup(p + 9, (size_t)(nl - p - 9) - (nl[-1] == '\r'));
        p = nl + 1;
    }
    return NULL;
}

/* Open step: a coverage table, recognised by its first lines (peeked: nothing is consumed). */
static int open_table(metcn_sample_t *s, hFILE *hf)
{
    BGZF *bg = bgzf_hopen(hf, "r");
    if (!bg) {
        hclose_abruptly(hf);
        return metcn_set_error(METCN_E_IO, "%s: cannot read", s->path);
    }
    if (bgzf_read_block(bg) < 0) {
        bgzf_close(bg);
        return metcn_set_error(METCN_E_TRUNCATED, "%s: read error or corrupt compressed data",
                               s->path);
    }
    const char *text = bg->uncompressed_block;
    size_t len = (size_t)bg->block_length;
    if (cnvkit_cnr_sniff(text, len)) {
        s->kind = METCN_INPUT_CNVKIT_CNR;
        metcn_tsv_t *in = metcn_tsv_bgzf(bg, s->path);
        int rc = in ? cnvkit_cnr_read(in, NULL, &s->priv->cnr) : metcn_last_error_code();
        metcn_tsv_close(in);
        return rc;
    }
    s->table = metcn_covtab_sniff(text, len);
    if (s->table < 0) {
        bgzf_close(bg);
        return metcn_set_error(METCN_E_FORMAT,
                               "%s: %s: not a BAM, CRAM or SAM file, nor a coverage table "
                               "(metcn, CNVkit .cnn, mosdepth regions, GATK CollectReadCounts, "
                               "Picard HsMetrics per-target), nor a CNVkit .cnr",
                               s->path, len ? "unrecognised content" : "empty");
    }
    s->kind = METCN_INPUT_TABLE;
    s->name = table_sample(text, len);
    if (!(s->priv->tab = metcn_tsv_bgzf(bg, s->path)))
        return metcn_last_error_code();
    return 0;
}

/* A GATK CollectReadCounts TSV begins with a SAM-style header, so htslib takes it for SAM:
 * its column line after the '@' lines tells it apart (the file is peeked, not consumed). */
static int gatk_table(hFILE *hf)
{
    char buf[65536];
    ssize_t n = hpeek(hf, buf, sizeof buf);
    return n > 0 && metcn_covtab_sniff(buf, (size_t)n) == METCN_TABLE_GATK;
}

metcn_sample_t *metcn_sample_open(const char *path, const metcn_cov_opt_t *opt)
{
    metcn_sample_t *s = calloc(1, sizeof *s);
    if (!s || !(s->priv = calloc(1, sizeof *s->priv)) || !(s->path = strdup(path))) {
        metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
        metcn_sample_close(s);
        return NULL;
    }
    if (opt)
        s->priv->opt = *opt;
    else
        metcn_cov_opt_init(&s->priv->opt);
    s->table = -1;
    s->sex = s->depth = s->mapd = s->noise_scale = prop(NAN, METCN_SOURCE_NONE);
    s->purity = prop(1, METCN_SOURCE_ASSUMED);
    s->ploidy = prop(2, METCN_SOURCE_ASSUMED);
    int rc = 0;
    htsFormat fmt;
    hFILE *hf = hopen(path, "r");
    if (!hf)
        rc = metcn_set_error(METCN_E_IO, "%s: cannot open: %s", path, strerror(errno));
    else if (hts_detect_format2(hf, path, &fmt) < 0) {
        rc = metcn_set_error(METCN_E_IO, "%s: cannot read: %s", path, strerror(errno));
        hclose_abruptly(hf);
    } else if (fmt.category == sequence_data &&
               (fmt.format == bam || fmt.format == cram || (fmt.format == sam && !gatk_table(hf))))
        rc = open_reads(s, hf, &fmt);
    else
        rc = open_table(s, hf);
    if (rc == 0 && !s->name && !(s->name = metcn_path_stem(path)))
        rc = metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
    if (rc == 0 && s->kind == METCN_INPUT_CNVKIT_CNR && metcn_ends_with(s->name, ".cnr"))
        s->name[strlen(s->name) - 4] = '\0'; /* CNVkit's own extension */
    if (rc < 0) {
        metcn_sample_close(s);
        return NULL;
    }
    return s;
}

int metcn_sample_check(const metcn_sample_t *s, const metcn_panel_t *panel, const metcn_pon_t *pon)
{
    if (s->kind == METCN_INPUT_CNVKIT_CNR)
        return pon ? metcn_set_error(METCN_E_ARG,
                                     "%s: a CNVkit .cnr is normalised already (against its CNVkit "
                                     "reference): call it without --pon",
                                     s->path)
                   : 0;
    if (!panel && !pon)
        return metcn_set_error(METCN_E_ARG, "%s: no panel to check against", s->path);
    const metcn_panel_t *pp = pon ? metcn_pon_panel(pon) : NULL;
    if (!panel)
        panel = pp;
    int rc = pon && panel != pp ? metcn_pon_check_panel(pon, panel) : 0;
    if (rc < 0 || !s->hdr)
        return rc; /* a table's rows are matched to the bins as it is read */
    int *tids = NULL;
    if ((rc = metcn_panel_match_header(panel, s->hdr, s->path, &tids)) < 0)
        return rc;
    for (int c = 0; pon && c < pp->n_contigs && rc == 0; c++) {
        size_t used = 0;
        for (size_t i = 0; i < pp->n_bins; i++)
            used += pp->bins[i].contig == c && metcn_pon_bin_used(pon, i);
        if (used && metcn_contig_tid(s->hdr, pp->contigs[c].name) < 0)
            rc = metcn_set_error(METCN_E_INCOMPATIBLE,
                                 "%s: contig %s (%zu bins used by the PoN) is not in the header: "
                                 "the PoN was built on another reference (%s)",
                                 s->path, pp->contigs[c].name, used,
                                 pp->build[0] ? pp->build : "build unknown");
    }
    free(tids);
    return rc;
}

const metcn_panel_t *metcn_sample_panel(const metcn_sample_t *s)
{
    return s->kind == METCN_INPUT_CNVKIT_CNR ? s->priv->cnr.panel : NULL;
}

int metcn_sample_coverage(metcn_sample_t *s, const metcn_panel_t *panel)
{
    if (s->kind == METCN_INPUT_CNVKIT_CNR)
        return metcn_set_error(
            METCN_E_ARG, "%s: a CNVkit .cnr holds normalised log2 ratios, not coverage", s->path);
    if (s->cov) {
        char a[17], b[17];
        if (s->cov->panel == panel ||
            strcmp(metcn_panel_checksum(s->cov->panel, a), metcn_panel_checksum(panel, b)) == 0)
            return 0;
        return metcn_set_error(METCN_E_ARG, "%s: coverage already counted on panel %s", s->path,
                               s->cov->panel->source);
    }
    if (s->hdr) {
        int rc = metcn_sample_check(s, panel, NULL);
        if (rc < 0)
            return rc;
        samFile *fp = s->priv->fp;
        s->priv->fp = NULL; /* the engine reads it to the end and closes it */
        s->cov = metcn_cov_compute_hts(fp, s->hdr, s->path, panel, &s->priv->opt);
    } else {
        s->cov = metcn_covtab_read_tsv(s->priv->tab, panel);
        metcn_tsv_close(s->priv->tab);
        s->priv->tab = NULL;
        const metcn_cov_opt_t *o = &s->priv->opt;
        if (s->cov && (o->size_min || o->size_max) &&
            (s->cov->size_min != o->size_min || s->cov->size_max != o->size_max)) {
            char had[32] = "none";
            if (s->cov->size_max)
                snprintf(had, sizeof had, "%d-%d", s->cov->size_min, s->cov->size_max);
            metcn_set_error(METCN_E_INCOMPATIBLE,
                            "%s: a table counted with size selection %s, not the %d-%d asked: "
                            "count it again with 'metcn coverage --size-select %d-%d'",
                            s->path, had, o->size_min, o->size_max, o->size_min, o->size_max);
            metcn_covtab_destroy(s->cov);
            s->cov = NULL;
            return METCN_E_INCOMPATIBLE;
        }
    }
    if (!s->cov)
        return metcn_last_error_code() ? metcn_last_error_code() : METCN_E_IO;
    char *name = strdup(s->name); /* one name for the sample, whatever the source says */
    if (!name)
        return metcn_set_error(METCN_E_NOMEM, "%s: out of memory", s->path);
    free(s->cov->sample);
    s->cov->sample = name;
    return 0;
}

/* The sample's own properties, from a gene-neutral normalisation. */
static void estimate(metcn_sample_t *s, const metcn_cnr_t *c)
{
    s->sex = prop(c->sex, c->sex == METCN_SEX_UNKNOWN ? METCN_SOURCE_NONE : METCN_SOURCE_ESTIMATED);
    s->depth = prop(c->median_depth, METCN_SOURCE_ESTIMATED);
    s->mapd = prop(c->mapd, METCN_SOURCE_ESTIMATED);
    s->noise_scale = prop(c->noise_scale, METCN_SOURCE_ESTIMATED);
    s->priv->estimated = 1;
}

int metcn_sample_normalize(metcn_sample_t *s, const metcn_pon_t *pon, const metcn_gene_t *gene,
                           metcn_cnr_t **out)
{
    *out = NULL;
    int rc = 0;
    if (s->kind == METCN_INPUT_CNVKIT_CNR) {
        if ((rc = metcn_sample_check(s, NULL, pon)) < 0)
            return rc;
        if (gene && gene->panel != s->priv->cnr.panel)
            return metcn_set_error(METCN_E_ARG, "%s: gene %s is not a view of the .cnr's panel",
                                   s->path, gene->name);
        if (!s->priv->estimated) {
            metcn_cnr_t *neutral = NULL;
            if ((rc = cnvkit_cnr_normalize(&s->priv->cnr, NULL, &neutral)) < 0)
                return rc;
            estimate(s, neutral);
            s->noise_scale = prop(NAN, METCN_SOURCE_NONE);
            metcn_cnr_destroy(neutral);
        }
        return cnvkit_cnr_normalize(&s->priv->cnr, gene, out);
    }
    if (!s->cov && ((rc = metcn_sample_check(s, NULL, pon)) < 0 ||
                    (rc = metcn_sample_coverage(s, metcn_pon_panel(pon))) < 0))
        return rc;
    if (!s->priv->estimated) {
        metcn_cnr_t *neutral = NULL;
        if ((rc = metcn_pon_normalize(pon, s->cov, NULL, &neutral)) < 0)
            return rc;
        estimate(s, neutral);
        if (!gene) {
            *out = neutral;
            return 0;
        }
        metcn_cnr_destroy(neutral);
    }
    return metcn_pon_normalize(pon, s->cov, gene, out);
}
