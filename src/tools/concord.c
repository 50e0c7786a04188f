/* concord.c -- `metcn concordance` pipeline: read calls tables and a FISH table, match samples
 * by id, classify both sides and compute the statistics (concord_stats.c). */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <htslib/khash.h>
#include <htslib/kstring.h>

#include "metcn/concord.h"
#include "metcn/metcn.h"
#include "metcn/util.h"

KHASH_MAP_INIT_STR(sidx, size_t)

/* Tier under the criteria, NA when the ratio is not finite. */
static int tier_of(const metcn_criteria_t *crit, double ratio, double cn)
{
    return isfinite(ratio) ? metcn_criteria_tier(crit, ratio, cn) : METCN_CONCORD_TIER_NA;
}

#define STAT_NAME_(id, name) name,
static const char *const stat_names[] = {METCN_CONCORD_STATS(STAT_NAME_)};
#undef STAT_NAME_

const char *metcn_concord_stat_name(metcn_cstat_t s)
{
    return (int)s >= 0 && s < METCN_CONCORD_N_STATS ? stat_names[s] : "?";
}

static const char *const status_names[] = {"matched",       "ngs_only",       "fish_only",
                                           "duplicate_ngs", "duplicate_fish", "qc_fail"};

const char *metcn_concord_status_name(metcn_concord_status_t s)
{
    return (int)s >= 0 && (size_t)s < sizeof status_names / sizeof status_names[0] ? status_names[s]
                                                                                   : "?";
}

void metcn_concord_opt_init(metcn_concord_opt_t *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->fish_sample = "sample";
    opt->fish_ratio = "met_cep7_ratio";
    opt->fish_met = "met_per_nucleus";
    opt->fish_nucleus = "nucleus";
    opt->fish_met_n = "met";
    opt->fish_cep7_n = "cep7";
    opt->fish_amp = (metcn_amp_rule_t){2.0, NAN, METCN_CONCORD_TIER_NA};
    opt->ngs_amp = (metcn_amp_rule_t){2.0, NAN, METCN_CONCORD_TIER_NA};
    opt->gene = "MET";
    opt->criteria = *metcn_criteria_default("MET");
    opt->ngs_tier_from_ratio = 0;
    opt->include_qc_fail = 0;
    opt->level = 0.95;
}

int metcn_concord_parse_rule(const char *spec, int ngs, const metcn_criteria_t *crit,
                             metcn_amp_rule_t *rule)
{
    metcn_amp_rule_t r = {NAN, NAN, METCN_CONCORD_TIER_NA};
    char *copy = strdup(spec), *save = NULL;
    if (!copy)
        return metcn_set_error(METCN_E_NOMEM, "out of memory");
    int ret = 0, any = 0;
    const char *level_kw = ngs ? "cn" : "mean";
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *colon = strchr(tok, ':');
        if (!colon) {
            ret = metcn_set_error(METCN_E_FORMAT,
                                  "'%s': expected KIND:VALUE (ratio:X, %s:X or "
                                  "tier:NAME)",
                                  tok, level_kw);
            goto out;
        }
        *colon = '\0';
        const char *val = colon + 1;
        if (strcmp(tok, "ratio") == 0 || strcmp(tok, level_kw) == 0) {
            double v;
            if (metcn_parse_double(val, 0, 1e6, &v) != 0 || !(v > 0)) {
                ret = metcn_set_error(METCN_E_FORMAT, "'%s:%s': not a positive number", tok, val);
                goto out;
            }
            if (strcmp(tok, "ratio") == 0)
                r.ratio_min = v;
            else
                r.level_min = v;
        } else if (strcmp(tok, "tier") == 0) {
            int t = metcn_criteria_tier_parse(crit, val);
            if (t <= 0) {
                ret = metcn_set_error(METCN_E_FORMAT, "'tier:%s': not a tier of %s above %s", val,
                                      crit->name, crit->tier[0].name);
                goto out;
            }
            r.tier_min = t;
        } else {
            ret = metcn_set_error(METCN_E_FORMAT, "'%s': unknown kind (ratio, %s or tier)", tok,
                                  level_kw);
            goto out;
        }
        any = 1;
    }
    if (!any) {
        ret = metcn_set_error(METCN_E_FORMAT, "empty rule");
        goto out;
    }
    *rule = r;
out:
    free(copy);
    return ret;
}

const char *metcn_concord_rule_str(const metcn_amp_rule_t *rule, int ngs,
                                   const metcn_criteria_t *crit, char *buf, size_t size)
{
    size_t l = 0;
    buf[0] = '\0';
    if (isfinite(rule->ratio_min))
        l += (size_t)snprintf(buf + l, size - l, "%s%s>=%g", l ? " or " : "",
                              ngs ? "ratio" : "fish_ratio", rule->ratio_min);
    if (l < size && isfinite(rule->level_min))
        l += (size_t)snprintf(buf + l, size - l, "%s%s>=%g", l ? " or " : "",
                              ngs ? "cn" : "fish_mean", rule->level_min);
    if (l < size && rule->tier_min > 0)
        snprintf(buf + l, size - l, "%stier>=%s", l ? " or " : "",
                 metcn_criteria_tier_name(crit, rule->tier_min));
    return buf;
}

int metcn_concord_rule_apply(const metcn_amp_rule_t *rule, double ratio, double level, int tier)
{
    int known = 0;
    if (isfinite(rule->ratio_min) && isfinite(ratio)) {
        if (ratio >= rule->ratio_min)
            return 1;
        known = 1;
    }
    if (isfinite(rule->level_min) && isfinite(level)) {
        if (level >= rule->level_min)
            return 1;
        known = 1;
    }
    if (rule->tier_min > 0 && tier >= 0) {
        if (tier >= rule->tier_min)
            return 1;
        known = 1;
    }
    return known ? 0 : -1;
}

/* ---- table reading ----------------------------------------------------------------------- */

/* A FISH or calls table: lines from the one reader (metcn_tsv_*), fields split here because
 * FISH tables may be CSV with quoted fields. */
typedef struct {
    const char *path;
    metcn_tsv_t *tsv;
    int64_t lineno;
    char delim;
    char **f;
    int nf, mf;
} table_t;

static void table_close(table_t *t)
{
    metcn_tsv_close(t->tsv);
    free(t->f);
    memset(t, 0, sizeof *t);
}

static char *trim(char *s)
{
    while (*s == ' ')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

/* Split the current line in place; CSV fields may be double-quoted ("" is a literal quote). */
static int split_line(table_t *t)
{
    char *p = metcn_tsv_line(t->tsv);
    t->nf = 0;
    for (;;) {
        if (t->nf == t->mf) {
            int m = t->mf ? t->mf * 2 : 32;
            char **f = realloc(t->f, (size_t)m * sizeof *f);
            if (!f)
                return metcn_set_error(METCN_E_NOMEM, "%s: out of memory", t->path);
            t->f = f;
            t->mf = m;
        }
        while (t->delim == ',' && *p == ' ')
            p++;
        if (t->delim == ',' && *p == '"') {
            char *w = ++p, *start = p;
            for (;;) {
                if (*p == '\0')
                    return metcn_set_error(METCN_E_FORMAT, "%s:%lld: unterminated quoted field",
                                           t->path, (long long)t->lineno);
                if (*p == '"' && p[1] == '"') {
                    *w++ = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    *w++ = *p++;
                }
            }
            *w = '\0';
            t->f[t->nf++] = start;
            while (*p == ' ')
                p++;
            if (*p == '\0')
                return 0;
            if (*p != ',')
                return metcn_set_error(METCN_E_FORMAT, "%s:%lld: text after a quoted field",
                                       t->path, (long long)t->lineno);
            p++;
            continue;
        }
        char *q = strchr(p, t->delim);
        t->f[t->nf++] = p;
        if (!q) {
            t->f[t->nf - 1] = trim(p);
            return 0;
        }
        *q = '\0';
        t->f[t->nf - 1] = trim(p);
        p = q + 1;
    }
}

/* Next data line: skips blank lines and lines starting with "##". Returns 1, 0 at end, or a
 * negative code. */
static int next_line(table_t *t)
{
    int r = metcn_tsv_next_data(t->tsv);
    t->lineno = metcn_tsv_lineno(t->tsv);
    return r;
}

/* Open and read the header. delim 0 = detect (tab if the header has one, else comma). */
static int table_open(table_t *t, const char *path, char delim)
{
    memset(t, 0, sizeof *t);
    t->path = path;
    if (!(t->tsv = metcn_tsv_open(path)))
        return metcn_last_error_code();
    int r = next_line(t);
    if (r < 0)
        return r;
    if (r == 0)
        return metcn_set_error(METCN_E_FORMAT, "%s: empty file (no header line)", path);
    const char *s = metcn_tsv_header(t->tsv);
    t->delim = delim ? delim : strchr(s, '\t') ? '\t' : strchr(s, ',') ? ',' : '\t';
    return split_line(t);
}

/* Header column index of name; -1 if absent. */
static int column(char **hdr, int nh, const char *name)
{
    if (!name || !*name)
        return -1;
    for (int i = 0; i < nh; i++)
        if (strcmp(hdr[i], name) == 0)
            return i;
    return -1;
}

/* A non-negative number or NA (NaN). */
static int get_number(const table_t *t, int col, const char *name, double *out)
{
    *out = NAN;
    if (col < 0)
        return 0;
    const char *s = t->f[col];
    if (metcn_tsv_missing(s))
        return 0;
    if (metcn_parse_double(s, 0, 1e12, out) != 0)
        return metcn_set_error(METCN_E_FORMAT, "%s:%lld: column '%s': '%s' is not a number >= 0",
                               t->path, (long long)t->lineno, name, s);
    return 0;
}

typedef struct {
    metcn_concord_t *c;
    khash_t(sidx) * idx;
    size_t m_samples;
    /* per-nucleus accumulation, parallel to c->samples */
    double *sum_met, *sum_cep7;
    int64_t *n_ge4, *n_ge5, *n_ge15;
    khash_t(sidx) * nuclei; /* "sample\tnucleus" keys seen */
} builder_t;

static void sample_init(metcn_concord_sample_t *s)
{
    memset(s, 0, sizeof *s);
    s->ngs_met_cn = s->ngs_chr7_cn = s->ngs_ratio = NAN;
    s->fish_ratio = s->fish_met = s->fish_cep7 = NAN;
    s->fish_ge4 = s->fish_ge5 = s->fish_ge15 = NAN;
    s->ngs_tier = s->fish_tier = METCN_CONCORD_TIER_NA;
    s->ngs_amp = s->fish_amp = -1;
    strcpy(s->ngs_qc, "NA");
}

/* Index of the sample with this id, created if new; (size_t)-1 on allocation failure. */
static size_t get_sample(builder_t *b, const char *id)
{
    khiter_t k = kh_get(sidx, b->idx, id);
    if (k != kh_end(b->idx))
        return kh_val(b->idx, k);
    metcn_concord_t *c = b->c;
    if (c->n_samples == b->m_samples) {
        size_t m = b->m_samples ? b->m_samples * 2 : 64;
        metcn_concord_sample_t *s = realloc(c->samples, m * sizeof *s);
        if (!s)
            return (size_t)-1;
        c->samples = s;
        double *a = realloc(b->sum_met, m * sizeof *a);
        if (a)
            b->sum_met = a;
        double *d = realloc(b->sum_cep7, m * sizeof *d);
        if (d)
            b->sum_cep7 = d;
        int64_t *e = realloc(b->n_ge4, m * sizeof *e);
        if (e)
            b->n_ge4 = e;
        int64_t *g = realloc(b->n_ge5, m * sizeof *g);
        if (g)
            b->n_ge5 = g;
        int64_t *h = realloc(b->n_ge15, m * sizeof *h);
        if (h)
            b->n_ge15 = h;
        if (!a || !d || !e || !g || !h)
            return (size_t)-1;
        b->m_samples = m;
    }
    size_t i = c->n_samples;
    sample_init(&c->samples[i]);
    if (!(c->samples[i].sample = strdup(id)))
        return (size_t)-1;
    b->sum_met[i] = b->sum_cep7[i] = 0;
    b->n_ge4[i] = b->n_ge5[i] = b->n_ge15[i] = 0;
    c->n_samples++;
    int ret;
    k = kh_put(sidx, b->idx, c->samples[i].sample, &ret);
    if (ret < 0)
        return (size_t)-1;
    kh_val(b->idx, k) = i;
    return i;
}

/* Split the current line of a calls or FISH table, check its field count against the
 * header's, and find (or add) the sample its id names.  A row whose column c_gene (>= 0) is
 * not `gene` is skipped: returns 1.  Returns 0 or a negative code with the message recorded
 * (file:line). */
static int read_row(table_t *t, int nh, int c_sample, int c_gene, const char *gene, builder_t *b,
                    const char *path, size_t *idx)
{
    int ret = split_line(t);
    if (ret != 0)
        return ret;
    if (t->nf != nh)
        return metcn_set_error(METCN_E_FORMAT, "%s:%lld: %d fields, the header has %d", path,
                               (long long)t->lineno, t->nf, nh);
    if (c_gene >= 0 && strcasecmp(t->f[c_gene], gene) != 0)
        return 1;
    const char *id = t->f[c_sample];
    if (metcn_tsv_missing(id))
        return metcn_set_error(METCN_E_FORMAT, "%s:%lld: empty sample id", path,
                               (long long)t->lineno);
    *idx = get_sample(b, id);
    if (*idx == (size_t)-1)
        return metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
    return 0;
}

static int read_calls(builder_t *b, const char *path)
{
    table_t t;
    int ret = table_open(&t, path, '\t');
    char **hdr = NULL;
    if (ret)
        goto out;
    int nh = t.nf;
    if (!(hdr = malloc((size_t)nh * sizeof *hdr))) {
        ret = metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
        goto out;
    }
    for (int i = 0; i < nh; i++)
        if (!(hdr[i] = strdup(t.f[i]))) {
            nh = i;
            ret = metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
            goto out;
        }
    /* 0.1 tables name the columns after MET and chr7; gene-neutral ones have gene rows.  Any
     * 0.1 name makes it a 0.1 table, so that a missing column is named as that table names it */
    int v01 = column(hdr, nh, "met_chr7_ratio") >= 0 || column(hdr, nh, "met_cn") >= 0 ||
              column(hdr, nh, "chr7_cn") >= 0;
    const char *n_cn = v01 ? "met_cn" : "cn", *n_ctl = v01 ? "chr7_cn" : "control_cn",
               *n_ratio = v01 ? "met_chr7_ratio" : "ratio";
    int c_sample = column(hdr, nh, "sample"), c_cn = column(hdr, nh, n_cn);
    int c_chr7 = column(hdr, nh, n_ctl), c_ratio = column(hdr, nh, n_ratio);
    int c_tier = column(hdr, nh, "tier"), c_qc = column(hdr, nh, "qc");
    int c_gene = v01 ? -1 : column(hdr, nh, "gene");
    const char *need[] = {"sample", n_cn, n_ratio, "tier", "gene"};
    int have[] = {c_sample, c_cn, c_ratio, c_tier, v01 ? 0 : c_gene};
    for (int i = 0; i < 5; i++)
        if (have[i] < 0) {
            ret = metcn_set_error(METCN_E_FORMAT,
                                  "%s: no column '%s' in the header (is this a metcn calls "
                                  "table?)",
                                  path, need[i]);
            goto out;
        }
    b->c->calls_format = v01 ? 1 : 2;
    const metcn_criteria_t *crit = &b->c->opt.criteria;
    int r;
    while ((r = next_line(&t)) > 0) {
        size_t i;
        if ((ret = read_row(&t, nh, c_sample, c_gene, b->c->opt.gene, b, path, &i)) == 1)
            continue; /* another gene's row */
        if (ret)
            goto out;
        metcn_concord_sample_t *s = &b->c->samples[i];
        b->c->n_calls_rows++;
        if (s->n_ngs_rows++ > 0)
            continue; /* duplicate: excluded later, first row kept for the listing */
        if ((ret = get_number(&t, c_cn, n_cn, &s->ngs_met_cn)) ||
            (ret = get_number(&t, c_chr7, n_ctl, &s->ngs_chr7_cn)) ||
            (ret = get_number(&t, c_ratio, n_ratio, &s->ngs_ratio)))
            goto out;
        const char *tier = t.f[c_tier];
        s->ngs_tier =
            metcn_tsv_missing(tier) ? METCN_CONCORD_TIER_NA : metcn_criteria_tier_parse(crit, tier);
        if (s->ngs_tier < 0 && !metcn_tsv_missing(tier) && !b->c->opt.ngs_tier_from_ratio) {
            ret = metcn_set_error(METCN_E_FORMAT,
                                  "%s:%lld: tier '%s' is not a tier of criteria %s (%s ... %s) "
                                  "or NA",
                                  path, (long long)t.lineno, tier, crit->name, crit->tier[0].name,
                                  crit->tier[crit->n_tiers - 1].name);
            goto out;
        }
        if (c_qc >= 0)
            snprintf(s->ngs_qc, sizeof s->ngs_qc, "%s", t.f[c_qc]);
    }
    ret = r;
out:
    if (hdr)
        for (int i = 0; i < nh; i++)
            free(hdr[i]);
    free(hdr);
    table_close(&t);
    return ret;
}

static int read_fish(builder_t *b, const char *path)
{
    const metcn_concord_opt_t *o = &b->c->opt;
    table_t t;
    char **hdr = NULL;
    kstring_t key = {0, 0, NULL};
    int nh = 0, ret = table_open(&t, path, 0);
    if (ret)
        goto out;
    nh = t.nf;
    if (!(hdr = calloc((size_t)nh, sizeof *hdr))) {
        ret = metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
        goto out;
    }
    for (int i = 0; i < nh; i++)
        if (!(hdr[i] = strdup(t.f[i]))) {
            ret = metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
            goto out;
        }
    int c_sample = column(hdr, nh, o->fish_sample);
    int c_ratio = column(hdr, nh, o->fish_ratio), c_met = column(hdr, nh, o->fish_met);
    int c_nuc = column(hdr, nh, o->fish_nucleus), c_met_n = column(hdr, nh, o->fish_met_n);
    int c_cep7_n = column(hdr, nh, o->fish_cep7_n);
    if (c_sample < 0) {
        ret = metcn_set_error(METCN_E_FORMAT, "%s: no column '%s' in the header", path,
                              o->fish_sample);
        goto out;
    }
    int per_nucleus = c_met_n >= 0 && c_cep7_n >= 0;
    if (!per_nucleus && c_ratio < 0 && c_met < 0) {
        ret = metcn_set_error(METCN_E_FORMAT,
                              "%s: the header has none of '%s', '%s' or the per-nucleus pair "
                              "'%s' and '%s'",
                              path, o->fish_ratio, o->fish_met, o->fish_met_n, o->fish_cep7_n);
        goto out;
    }
    b->c->fish_per_nucleus = per_nucleus;
    int r;
    while ((r = next_line(&t)) > 0) {
        size_t i;
        if ((ret = read_row(&t, nh, c_sample, -1, NULL, b, path, &i)) != 0)
            goto out;
        metcn_concord_sample_t *s = &b->c->samples[i];
        b->c->n_fish_rows++;
        if (!per_nucleus) {
            if (s->n_fish_rows++ > 0)
                continue;
            if ((ret = get_number(&t, c_ratio, o->fish_ratio, &s->fish_ratio)) ||
                (ret = get_number(&t, c_met, o->fish_met, &s->fish_met)))
                goto out;
            continue;
        }
        int64_t met, cep7;
        if (metcn_parse_int64(t.f[c_met_n], 0, 1000000, &met) != 0 ||
            metcn_parse_int64(t.f[c_cep7_n], 0, 1000000, &cep7) != 0) {
            ret = metcn_set_error(METCN_E_FORMAT,
                                  "%s:%lld: per-nucleus counts '%s'/'%s' must be whole numbers "
                                  ">= 0",
                                  path, (long long)t.lineno, t.f[c_met_n], t.f[c_cep7_n]);
            goto out;
        }
        if (s->n_fish_rows == 0)
            s->n_fish_rows = 1;
        if (c_nuc >= 0) {
            key.l = 0;
            ksprintf(&key, "%s\t%s", t.f[c_sample], t.f[c_nuc]);
            int put;
            char *kcopy = strdup(key.s);
            if (!kcopy) {
                ret = metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
                goto out;
            }
            kh_put(sidx, b->nuclei, kcopy, &put);
            if (put < 0) {
                free(kcopy);
                ret = metcn_set_error(METCN_E_NOMEM, "%s: out of memory", path);
                goto out;
            }
            if (put == 0) {
                free(kcopy);
                s->n_fish_rows = 2; /* a nucleus counted twice: the sample is a duplicate */
            }
        }
        s->fish_nuclei++;
        b->sum_met[i] += (double)met;
        b->sum_cep7[i] += (double)cep7;
        b->n_ge4[i] += met >= 4;
        b->n_ge5[i] += met >= 5;
        b->n_ge15[i] += met >= 15;
    }
    ret = r;
    if (ret == 0 && per_nucleus)
        for (size_t i = 0; i < b->c->n_samples; i++) {
            metcn_concord_sample_t *s = &b->c->samples[i];
            if (s->fish_nuclei == 0)
                continue;
            double n = (double)s->fish_nuclei;
            s->fish_met = b->sum_met[i] / n;
            s->fish_cep7 = b->sum_cep7[i] / n;
            s->fish_ratio = b->sum_cep7[i] > 0 ? b->sum_met[i] / b->sum_cep7[i] : NAN;
            s->fish_ge4 = (double)b->n_ge4[i] / n;
            s->fish_ge5 = (double)b->n_ge5[i] / n;
            s->fish_ge15 = (double)b->n_ge15[i] / n;
        }
out:
    if (hdr)
        for (int i = 0; i < nh; i++)
            free(hdr[i]);
    free(hdr);
    free(key.s);
    table_close(&t);
    return ret;
}

static int cmp_sample(const void *pa, const void *pb)
{
    const metcn_concord_sample_t *a = pa, *b = pb;
    return strcmp(a->sample, b->sample);
}

static void classify(metcn_concord_t *c)
{
    const metcn_concord_opt_t *o = &c->opt;
    for (size_t i = 0; i < c->n_samples; i++) {
        metcn_concord_sample_t *s = &c->samples[i];
        if (s->n_ngs_rows > 1)
            s->status = METCN_CONCORD_DUPLICATE_NGS;
        else if (s->n_fish_rows > 1)
            s->status = METCN_CONCORD_DUPLICATE_FISH;
        else if (s->n_fish_rows == 0)
            s->status = METCN_CONCORD_NGS_ONLY;
        else if (s->n_ngs_rows == 0)
            s->status = METCN_CONCORD_FISH_ONLY;
        else if (!o->include_qc_fail && strcmp(s->ngs_qc, "fail") == 0)
            s->status = METCN_CONCORD_QC_FAIL;
        else
            s->status = METCN_CONCORD_MATCHED;
        if (o->ngs_tier_from_ratio)
            s->ngs_tier = tier_of(&o->criteria, s->ngs_ratio, s->ngs_met_cn);
        s->fish_tier = tier_of(&o->criteria, s->fish_ratio, s->fish_met);
        s->ngs_amp = s->n_ngs_rows ? metcn_concord_rule_apply(&o->ngs_amp, s->ngs_ratio,
                                                              s->ngs_met_cn, s->ngs_tier)
                                   : -1;
        s->fish_amp = s->n_fish_rows ? metcn_concord_rule_apply(&o->fish_amp, s->fish_ratio,
                                                                s->fish_met, s->fish_tier)
                                     : -1;
    }
}

static metcn_stat_t count_stat(int64_t v, int64_t n)
{
    metcn_stat_t s = metcn_stat_undefined(NULL);
    s.estimate = (double)v;
    s.n = n;
    return s;
}

int metcn_concord_compute(metcn_concord_t *c)
{
    const double level = c->opt.level;
    int64_t tp = 0, fp = 0, fn = 0, tn = 0;
    memset(c->tier_matrix, 0, sizeof c->tier_matrix);
    c->n_matched = c->n_classified = c->n_tiered = 0;
    size_t n = c->n_samples;
    double *xr = malloc((n + 1) * sizeof *xr), *yr = malloc((n + 1) * sizeof *yr);
    double *xc = malloc((n + 1) * sizeof *xc), *yc = malloc((n + 1) * sizeof *yc);
    double *d = malloc((n + 1) * sizeof *d);
    int *lab = malloc((n + 1) * sizeof *lab);
    int ret = 0;
    if (!xr || !yr || !xc || !yc || !d || !lab) {
        ret = metcn_set_error(METCN_E_NOMEM, "concordance: out of memory");
        goto out;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        const metcn_concord_sample_t *s = &c->samples[i];
        if (s->status != METCN_CONCORD_MATCHED)
            continue;
        c->n_matched++;
        if (s->ngs_amp >= 0 && s->fish_amp >= 0) {
            c->n_classified++;
            if (s->ngs_amp && s->fish_amp)
                tp++;
            else if (s->ngs_amp)
                fp++;
            else if (s->fish_amp)
                fn++;
            else
                tn++;
        }
        if (s->ngs_tier >= 0 && s->fish_tier >= 0) {
            c->n_tiered++;
            c->tier_matrix[s->ngs_tier][s->fish_tier]++;
        }
        xr[m] = s->ngs_ratio;
        yr[m] = s->fish_ratio;
        xc[m] = s->ngs_met_cn;
        yc[m] = s->fish_met;
        d[m] =
            s->ngs_ratio > 0 && s->fish_ratio > 0 ? log2(s->ngs_ratio) - log2(s->fish_ratio) : NAN;
        lab[m] = s->fish_amp;
        m++;
    }
    int64_t nc = (int64_t)c->n_classified;
    metcn_stat_t *st = c->stat;
    st[METCN_CSTAT_TP] = count_stat(tp, nc);
    st[METCN_CSTAT_FP] = count_stat(fp, nc);
    st[METCN_CSTAT_FN] = count_stat(fn, nc);
    st[METCN_CSTAT_TN] = count_stat(tn, nc);
    const char *no_pos = "no FISH-amplified samples (TP + FN = 0)";
    const char *no_neg = "no FISH-negative samples (TN + FP = 0)";
    st[METCN_CSTAT_OPA] = metcn_stat_proportion(tp + tn, nc, level, "no classified samples");
    st[METCN_CSTAT_PPA] = metcn_stat_proportion(tp, tp + fn, level, no_pos);
    st[METCN_CSTAT_NPA] = metcn_stat_proportion(tn, tn + fp, level, no_neg);
    st[METCN_CSTAT_SENSITIVITY] = st[METCN_CSTAT_PPA];
    st[METCN_CSTAT_SPECIFICITY] = st[METCN_CSTAT_NPA];
    st[METCN_CSTAT_PPV] =
        metcn_stat_proportion(tp, tp + fp, level, "no NGS-amplified samples (TP + FP = 0)");
    st[METCN_CSTAT_NPV] =
        metcn_stat_proportion(tn, tn + fn, level, "no NGS-negative samples (TN + FN = 0)");
    st[METCN_CSTAT_ACCURACY] = st[METCN_CSTAT_OPA];
    int64_t t2[4] = {tn, fn, fp, tp}; /* rows NGS (neg, amp), columns FISH (neg, amp) */
    st[METCN_CSTAT_KAPPA] = metcn_kappa(t2, 2, METCN_KAPPA_UNWEIGHTED, level);
    int64_t diag = 0, tm[METCN_CRITERIA_MAX_TIERS * METCN_CRITERIA_MAX_TIERS];
    int k = c->opt.criteria.n_tiers;
    for (int a = 0; a < k; a++) {
        diag += c->tier_matrix[a][a];
        for (int b = 0; b < k; b++)
            tm[a * k + b] = c->tier_matrix[a][b]; /* k x k, contiguous for metcn_kappa */
    }
    st[METCN_CSTAT_TIER_AGREEMENT] =
        metcn_stat_proportion(diag, (int64_t)c->n_tiered, level, "no samples with both tiers");
    st[METCN_CSTAT_WKAPPA_LINEAR] = metcn_kappa(tm, k, METCN_KAPPA_LINEAR, level);
    st[METCN_CSTAT_WKAPPA_QUADRATIC] = metcn_kappa(tm, k, METCN_KAPPA_QUADRATIC, level);
    st[METCN_CSTAT_PEARSON] = metcn_corr_pearson(xr, yr, m, level);
    st[METCN_CSTAT_SPEARMAN] = metcn_corr_spearman(xr, yr, m, level);
    st[METCN_CSTAT_PEARSON_CN] = metcn_corr_pearson(xc, yc, m, level);
    st[METCN_CSTAT_SPEARMAN_CN] = metcn_corr_spearman(xc, yc, m, level);
    metcn_bland_altman_t ba;
    metcn_bland_altman(d, m, level, &ba);
    st[METCN_CSTAT_BA_BIAS] = ba.bias;
    st[METCN_CSTAT_BA_SD] = ba.sd;
    st[METCN_CSTAT_BA_LOA_LOW] = ba.loa_low;
    st[METCN_CSTAT_BA_LOA_HIGH] = ba.loa_high;
    metcn_roc_free(&c->roc_ratio);
    metcn_roc_free(&c->roc_cn);
    if ((ret = metcn_roc(xr, lab, m, level, &c->roc_ratio)) != 0 ||
        (ret = metcn_roc(xc, lab, m, level, &c->roc_cn)) != 0)
        goto out;
    st[METCN_CSTAT_AUC] = c->roc_ratio.auc;
    st[METCN_CSTAT_AUC_RATIO] = c->roc_ratio.auc;
    st[METCN_CSTAT_AUC_CN] = c->roc_cn.auc;
    st[METCN_CSTAT_YOUDEN_RATIO] = c->roc_ratio.youden;
    st[METCN_CSTAT_YOUDEN_CN] = c->roc_cn.youden;
out:
    free(xr);
    free(yr);
    free(xc);
    free(yc);
    free(d);
    free(lab);
    return ret;
}

metcn_concord_t *metcn_concord_run(const char *const *calls, size_t n_calls, const char *fish,
                                   const metcn_concord_opt_t *opt)
{
    builder_t b;
    memset(&b, 0, sizeof b);
    metcn_concord_t *c = calloc(1, sizeof *c);
    int ret = 0;
    if (!c || !(b.idx = kh_init(sidx)) || !(b.nuclei = kh_init(sidx))) {
        ret = metcn_set_error(METCN_E_NOMEM, "out of memory");
        goto out;
    }
    b.c = c;
    c->opt = *opt;
    if (!(opt->level > 0 && opt->level < 1)) {
        ret = metcn_set_error(METCN_E_ARG, "confidence level %g is not in (0, 1)", opt->level);
        goto out;
    }
    if (!(c->calls_paths = calloc(n_calls + 1, sizeof *c->calls_paths)) ||
        !(c->fish_path = strdup(fish))) {
        ret = metcn_set_error(METCN_E_NOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n_calls; i++) {
        if (!(c->calls_paths[i] = strdup(calls[i]))) {
            ret = metcn_set_error(METCN_E_NOMEM, "out of memory");
            goto out;
        }
        c->n_calls_paths++;
        if ((ret = read_calls(&b, calls[i])) != 0)
            goto out;
    }
    if ((ret = read_fish(&b, fish)) != 0)
        goto out;
    /* the hash keys point into samples; sorting invalidates the index, which is done with */
    kh_destroy(sidx, b.idx);
    b.idx = NULL;
    if (c->n_samples > 1)
        qsort(c->samples, c->n_samples, sizeof *c->samples, cmp_sample);
    classify(c);
    ret = metcn_concord_compute(c);
out:
    if (b.idx)
        kh_destroy(sidx, b.idx);
    if (b.nuclei) {
        for (khiter_t k = kh_begin(b.nuclei); k != kh_end(b.nuclei); k++)
            if (kh_exist(b.nuclei, k))
                free((char *)kh_key(b.nuclei, k));
        kh_destroy(sidx, b.nuclei);
    }
    free(b.sum_met);
    free(b.sum_cep7);
    free(b.n_ge4);
    free(b.n_ge5);
    free(b.n_ge15);
    if (ret != 0) {
        metcn_concord_destroy(c);
        return NULL;
    }
    return c;
}

void metcn_concord_destroy(metcn_concord_t *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n_samples; i++)
        free(c->samples[i].sample);
    free(c->samples);
    metcn_roc_free(&c->roc_ratio);
    metcn_roc_free(&c->roc_cn);
    for (size_t i = 0; i < c->n_calls_paths; i++)
        free(c->calls_paths[i]);
    free(c->calls_paths);
    free(c->fish_path);
    free(c);
}
