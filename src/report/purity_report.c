/* purity_report.c -- what the reports say about the purity fit of a call (metcn_call_t.pfit):
 * the calls-table estimate columns and the JSON object "purity_fit" (solutions ranked, the
 * segments with their (major, minor) copy numbers, the sites used).  docs/call.md. */
#include <math.h>
#include <stdio.h>

#include "metcn/call.h"
#include "metcn/purity.h"
#include "report_json.h"

void report_purity_estimate(const metcn_call_t *c, double v[5], const char **status)
{
    const metcn_purity_t *f = c->pfit;
    v[0] = f ? f->purity : NAN;
    v[1] = f ? f->purity_lo : NAN;
    v[2] = f ? f->purity_hi : NAN;
    v[3] = f ? f->ploidy : NAN;
    v[4] = f ? f->ploidy_mean : NAN;
    *status = f ? metcn_purity_status_name(f->status) : "none";
}

static void json_flags(metcn_json_t *j, unsigned flags)
{
    metcn_json_begin_array(j, "flags");
    for (int b = 0; b < METCN_PURITY_N_FLAGS; b++)
        if (flags & (1u << b))
            metcn_json_str(j, NULL, metcn_purity_flag_name(1u << b));
    metcn_json_end_array(j);
}

static void json_solutions(metcn_json_t *j, const metcn_purity_t *f)
{
    metcn_json_begin_array(j, "solutions");
    for (size_t i = 0; i < f->n_solutions; i++) {
        const metcn_purity_solution_t *s = &f->solutions[i];
        metcn_json_begin_object(j, NULL);
        metcn_json_int(j, "rank", (int64_t)i + 1);
        metcn_json_num(j, "purity", s->purity);
        metcn_json_num(j, "ploidy", s->ploidy);
        metcn_json_num(j, "ploidy_mean", s->ploidy_mean);
        metcn_json_bool(j, "wgd", s->wgd);
        metcn_json_num(j, "log_posterior", s->score);
        metcn_json_num(j, "relative_likelihood", s->rel);
        metcn_json_int(j, "subclonal_segments", s->n_subclonal);
        metcn_json_bool(j, "doubling_twin", s->twin);
        metcn_json_end_object(j);
    }
    metcn_json_end_array(j);
}

static void json_segments(metcn_json_t *j, const metcn_call_t *c, const metcn_purity_t *f)
{
    metcn_json_begin_array(j, "segments");
    for (size_t i = 0; i < f->n_segs; i++) {
        const metcn_purity_seg_t *g = &f->segs[i];
        metcn_json_begin_object(j, NULL);
        metcn_json_str(j, "chromosome", c->panel->contigs[g->tid].name);
        metcn_json_int(j, "start", g->start + 1); /* 1-based inclusive, as the SEG file */
        metcn_json_int(j, "end", g->end);
        metcn_json_int(j, "bins", g->n_bins);
        metcn_json_int(j, "het_sites", g->n_sites);
        metcn_json_bool(j, "is_gene", g->is_gene);
        metcn_json_num(j, "log2", g->log2);
        metcn_json_num(j, "log2_se", g->log2_se);
        metcn_json_num(j, "baf", g->baf);
        metcn_json_num(j, "baf_low", g->baf_lo);
        metcn_json_num(j, "baf_high", g->baf_hi);
        if (g->subclonal) {
            metcn_json_null(j, "major");
            metcn_json_null(j, "minor");
        } else {
            metcn_json_int(j, "major", g->major);
            metcn_json_int(j, "minor", g->minor);
        }
        metcn_json_bool(j, "subclonal", g->subclonal);
        metcn_json_num(j, "cn", g->cn);
        metcn_json_end_object(j);
    }
    metcn_json_end_array(j);
}

/* The sites the fit used (heterozygous), with their counts and segment, and those the PoN's
 * site records left out (status pon_flagged, segment -1). */
static void json_sites(metcn_json_t *j, const metcn_call_t *c, const metcn_purity_t *f)
{
    const metcn_sites_t *s = c->sites;
    metcn_json_begin_array(j, "sites");
    for (size_t i = 0; s && i < s->n; i++) {
        int st = f->site_status[i];
        if (st != METCN_PSITE_HET_NORMAL && st != METCN_PSITE_HET_INFERRED &&
            st != METCN_PSITE_PON_FLAGGED)
            continue;
        char ref[2] = {s->ref[i], 0}, alt[2] = {s->alt[i], 0};
        metcn_json_begin_object(j, NULL);
        metcn_json_str(j, "chromosome", c->panel->contigs[s->contig[i]].name);
        metcn_json_int(j, "pos", s->pos[i] + 1); /* 1-based, as the VCF */
        metcn_json_str(j, "ref", ref);
        metcn_json_str(j, "alt", alt);
        metcn_json_int(j, "ref_count", s->ref_count[i]);
        metcn_json_int(j, "alt_count", s->alt_count[i]);
        metcn_json_str(j, "status", metcn_psite_name(st));
        metcn_json_int(j, "segment", f->site_seg[i]);
        metcn_json_end_object(j);
    }
    metcn_json_end_array(j);
}

/* Object "pon_sites" (only with a PoN that has site records, pon build --snps): the tumour's
 * sites the PoN knows, how many took its REF bias, how many it dropped and by which flag. */
static void json_pon_sites(metcn_json_t *j, const metcn_pon_site_use_t *u)
{
    if (!u->active)
        return;
    metcn_json_begin_object(j, "pon_sites");
    metcn_json_int(j, "known", (int64_t)u->known);
    metcn_json_int(j, "ref_bias_from_pon", (int64_t)u->ref_bias);
    metcn_json_int(j, "dropped", (int64_t)u->dropped);
    metcn_json_begin_object(j, "dropped_by_flag");
    for (int b = 0; b < METCN_PON_SITE_N_FLAGS; b++)
        metcn_json_int(j, metcn_pon_site_flag_name(1u << b), (int64_t)u->dropped_by_flag[b]);
    metcn_json_end_object(j);
    metcn_json_end_object(j);
}

void report_json_purity_fit(metcn_json_t *j, const metcn_call_t *c)
{
    const metcn_purity_t *f = c->pfit;
    if (!f) {
        metcn_json_null(j, "purity_fit");
        return;
    }
    metcn_json_begin_object(j, "purity_fit");
    metcn_json_str(j, "status", metcn_purity_status_name(f->status));
    metcn_json_num(j, "purity", f->purity);
    metcn_json_num(j, "purity_low", f->purity_lo);
    metcn_json_num(j, "purity_high", f->purity_hi);
    metcn_json_num(j, "ploidy", f->ploidy);
    metcn_json_num(j, "ploidy_low", f->ploidy_lo);
    metcn_json_num(j, "ploidy_high", f->ploidy_hi);
    metcn_json_num(j, "ploidy_mean", f->ploidy_mean);
    metcn_json_bool(j, "wgd", f->wgd);
    metcn_json_bool(j, "ambiguous", f->ambiguous != 0);
    json_flags(j, f->flags);
    metcn_json_num(j, "overdispersion", f->overdispersion);
    metcn_json_int(j, "bins_used", f->n_bins_used);
    metcn_json_int(j, "het_sites", f->n_sites_het);
    metcn_json_int(j, "events", f->n_events);
    metcn_json_int(j, "allelic_events", f->n_allelic);
    json_pon_sites(j, &c->pon_site_use);
    json_solutions(j, f);
    json_segments(j, c, f);
    json_sites(j, c, f);
    metcn_json_end_object(j);
}

const metcn_purity_seg_t *report_purity_gene_seg(const metcn_call_t *c)
{
    for (size_t i = 0; c->pfit && i < c->pfit->n_segs; i++)
        if (c->pfit->segs[i].is_gene)
            return &c->pfit->segs[i];
    return NULL;
}

const metcn_purity_seg_t *report_purity_bin_seg(const metcn_call_t *c, size_t bin)
{
    if (!c->pfit || bin >= c->n || c->pfit->bin_seg[bin] < 0)
        return NULL;
    return &c->pfit->segs[c->pfit->bin_seg[bin]];
}
