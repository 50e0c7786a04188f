/* offtarget.c -- off-target bins between a panel's targets, derived the way CNVkit's
 * `antitarget` derives them: the accessible sequence of each panel contig (without N gaps when
 * a FASTA is given, else the contig less a telomere-sized margin at each end), shrunk by a pad,
 * minus the targets widened by the same pad, and each remaining region of at least min_size
 * cut into round(length / avg_size) equal bins (at least one).  Every coordinate here is
 * 0-based half-open. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <htslib/faidx.h>

#include "metcn/metcn.h"
#include "panel/panel_internal.h"

void metcn_offtarget_opt_init(metcn_offtarget_opt_t *o)
{
    o->avg_size = 150000;
    o->min_size = 0;
    o->pad = 500;
    o->telomere = 150000;
    o->min_gap = 5000;
}

/* Half-open intervals of one contig. */
typedef struct {
    int64_t *s, *e;
    size_t n, m;
} ivs_t;

static int ivs_push(ivs_t *v, int64_t s, int64_t e)
{
    if (e <= s)
        return 0;
    if (v->n == v->m) {
        size_t m = v->m ? 2 * v->m : 64;
        int64_t *a = realloc(v->s, m * sizeof *a), *b = a ? realloc(v->e, m * sizeof *b) : NULL;
        if (a)
            v->s = a;
        if (!b)
            return METCN_E_NOMEM;
        v->e = b;
        v->m = m;
    }
    v->s[v->n] = s;
    v->e[v->n] = e;
    v->n++;
    return 0;
}

/* The accessible stretches of a contig of length len from the FASTA: every run of N (or n)
 * at least min_gap long is a gap.  Read in windows so a long contig is never held whole. */
static int fasta_access(const faidx_t *fai, const char *name, int64_t len, int64_t min_gap,
                        ivs_t *out)
{
    const int64_t W = 4 << 20;
    int64_t run_start = -1, acc_start = 0;
    for (int64_t w = 0; w < len; w += W) {
        hts_pos_t got = 0;
        int64_t we = w + W < len ? w + W : len;
        char *seq = faidx_fetch_seq64(fai, name, w, we - 1, &got);
        if (!seq || got != we - w) {
            free(seq);
            return metcn_set_error(METCN_E_IO, "cannot read %s:%lld-%lld from the FASTA", name,
                                   (long long)w + 1, (long long)we);
        }
        for (int64_t i = 0; i < got; i++) {
            int is_n = seq[i] == 'N' || seq[i] == 'n';
            if (is_n && run_start < 0)
                run_start = w + i;
            else if (!is_n && run_start >= 0) {
                if (w + i - run_start >= min_gap) {
                    if (ivs_push(out, acc_start, run_start))
                        return free(seq), METCN_E_NOMEM;
                    acc_start = w + i;
                }
                run_start = -1;
            }
        }
        free(seq);
    }
    int64_t end = run_start >= 0 && len - run_start >= min_gap ? run_start : len;
    return ivs_push(out, acc_start, end) ? METCN_E_NOMEM : 0;
}

/* The off-target bins of contig c into raw: accessible regions shrunk by pad, minus the
 * targets widened by pad, cut into equal bins. */
static int contig_bins(const metcn_panel_t *p, int c, const ivs_t *acc,
                       const metcn_offtarget_opt_t *o, int64_t min_size, rawvec_t *raw)
{
    size_t t = 0; /* first target of contig c */
    while (t < p->n_bins && p->bins[t].contig != c)
        t++;
    for (size_t a = 0; a < acc->n; a++) {
        int64_t pos = acc->s[a] + o->pad, stop = acc->e[a] - o->pad;
        for (size_t k = t; pos < stop; k++) {
            while (k < p->n_bins && p->bins[k].contig == c && p->bins[k].off_target)
                k++; /* only the targets block */
            int more = k < p->n_bins && p->bins[k].contig == c;
            int64_t block_s = more ? p->bins[k].start - o->pad : stop;
            int64_t block_e = more ? p->bins[k].end + o->pad : stop;
            if (block_e <= pos)
                continue;
            int64_t rs = pos, re = block_s < stop ? block_s : stop;
            if (re - rs >= min_size) {
                int64_t nb = llround((double)(re - rs) / (double)o->avg_size);
                if (nb < 1)
                    nb = 1;
                for (int64_t j = 0; j < nb; j++) {
                    int64_t s = rs + (re - rs) * j / nb, e = rs + (re - rs) * (j + 1) / nb;
                    if (rawvec_push(raw, p->contigs[c].name, s, e, "Antitarget", 0))
                        return METCN_E_NOMEM;
                    raw->a[raw->n - 1].off_target = 1;
                }
            }
            pos = block_e;
            if (!more)
                break;
        }
    }
    return 0;
}

/* The accessible regions of contig c: from the FASTA, else the contig (or, its length
 * unknown, up to its last target) less the telomere margin. */
static int contig_access(const metcn_panel_t *p, int c, const faidx_t *fai,
                         const metcn_offtarget_opt_t *o, ivs_t *acc)
{
    const char *name = p->contigs[c].name;
    if (fai) {
        char canon[64], alt[72];
        metcn_contig_canonical(name, canon, sizeof canon);
        snprintf(alt, sizeof alt, "%s%s", strncmp(name, "chr", 3) == 0 ? "" : "chr", canon);
        const char *fname = faidx_has_seq(fai, name) ? name : faidx_has_seq(fai, alt) ? alt : NULL;
        int64_t len = fname ? faidx_seq_len(fai, fname) : -1;
        if (len < 0)
            return metcn_set_error(METCN_E_CONTIG, "contig %s is not in the FASTA", name);
        return fasta_access(fai, fname, len, o->min_gap, acc);
    }
    int64_t end = p->contigs[c].length;
    if (end < 0) {
        for (size_t i = 0; i < p->n_bins; i++)
            if (p->bins[i].contig == c && !p->bins[i].off_target && p->bins[i].end > end)
                end = p->bins[i].end;
        return ivs_push(acc, o->telomere, end) ? METCN_E_NOMEM : 0;
    }
    return ivs_push(acc, o->telomere, end - o->telomere) ? METCN_E_NOMEM : 0;
}

metcn_panel_t *metcn_panel_off_target(const metcn_panel_t *p, const metcn_offtarget_opt_t *opt,
                                      const char *fasta)
{
    metcn_offtarget_opt_t o;
    if (opt)
        o = *opt;
    else
        metcn_offtarget_opt_init(&o);
    rawvec_t raw = {0};
    ivs_t acc = {0};
    faidx_t *fai = NULL;
    metcn_panel_t *out = NULL;
    int rc = 0;
    if (o.avg_size < 1000 || o.pad < 0 || o.min_gap < 1 || o.telomere < 0) {
        metcn_set_error(METCN_E_ARG,
                        "%s: off-target bin size %lld below 1000 bp (or a negative "
                        "margin)",
                        p->source, (long long)o.avg_size);
        return NULL;
    }
    int64_t min_size = o.min_size > 0 ? o.min_size : o.avg_size / 16;
    if (fasta && !(fai = fai_load(fasta))) {
        metcn_set_error(METCN_E_IO, "%s: cannot load the FASTA index", fasta);
        return NULL;
    }
    for (size_t i = 0; i < p->n_bins && rc == 0; i++) {
        const metcn_bin_t *b = &p->bins[i];
        if (b->off_target)
            continue; /* derived again from the targets */
        rc = rawvec_push(&raw, p->contigs[b->contig].name, b->start, b->end, b->name, 0);
    }
    for (int c = 0; c < p->n_contigs && rc == 0; c++) {
        if (metcn_contig_role(p->contigs[c].name) == METCN_ROLE_OTHER)
            continue; /* as CNVkit: no off-target bins on mitochondria, alt or decoy contigs */
        acc.n = 0;
        rc = contig_access(p, c, fai, &o, &acc);
        if (rc == 0)
            rc = contig_bins(p, c, &acc, &o, min_size, &raw);
    }
    if (rc == METCN_E_NOMEM)
        metcn_set_error(rc, "%s: out of memory", p->source);
    else if (rc < 0) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", metcn_last_error());
        metcn_set_error(rc, "%s: %s", fasta ? fasta : p->source, msg);
    }
    if (rc == 0 && bed_sort_check(&raw, 0, p->source, NULL, NULL) == 0)
        out = panel_assemble_like(&raw, p);
    rawvec_free(&raw);
    free(acc.s);
    free(acc.e);
    fai_destroy(fai);
    return out;
}
