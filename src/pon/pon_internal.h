/* pon_internal.h -- the PoN object shared by build.c (build, normalise) and io.c (file). */
#ifndef METCN_PON_INTERNAL_H
#define METCN_PON_INTERNAL_H

#include <htslib/kstring.h>

#include "metcn/pon.h"

struct metcn_pon_s {
    metcn_panel_t *panel; /* owned unless panel_borrowed */
    int panel_borrowed;
    int format_version;
    char metcn_version[32];
    char checksum[17];       /* content checksum (set by write/load) */
    char panel_checksum[17]; /* metcn_panel_checksum() of panel */
    metcn_pon_opt_t opt;
    int gc_corrected;
    int size_min, size_max; /* size selection of the normals' coverage (0 0: none) */
    int dedup;              /* metcn_dedup_t of the normals' coverage (recorded; call's default) */
    size_t n_samples;       /* recorded normals (samples and names have this many entries) */
    size_t n_used;          /* normals in the statistics */
    metcn_pon_sample_t *samples;
    char **names;
    char **reasons; /* n_samples entries (or NULL): why a failed normal failed, else NULL */
    /* per bin, panel order */
    double *gc;
    double *rel_depth; /* median over normals of depth / sample reference median */
    double *centre;    /* XX / autosomal centre */
    double *centre_xy; /* XY centre (== centre off the sex chromosomes) */
    double *spread;    /* robust SD of normals' log2 before components */
    double *sd;        /* robust SD of the leave-one-out normalised log2 */
    int *excluded;
    int k;            /* components (load has n_bins * k entries, sv and var_frac k) */
    double *load;     /* n_bins * k, row-major by bin */
    double *sv;       /* k singular values */
    double *var_frac; /* k */
    double median_mapd;
    size_t reason_counts[METCN_PON_N_REASONS];
    /* SNP sites (pon build --snps; pon_sites.c), panel order */
    metcn_pon_site_opt_t site_opt;
    size_t n_sites;
    metcn_pon_site_t *sites;
    char *command; /* command line that built it (or NULL) */
    char *created;
    metcn_pon_frag_t *frag; /* short-fragment records (frag.c), or NULL */
};

/* Allocate the per-bin arrays for panel (n bins) and k components; 0 or METCN_E_NOMEM. */
int pon_alloc_bins(metcn_pon_t *pon, size_t n);
int pon_alloc_components(metcn_pon_t *pon, int k);
/* 'X', 'Y' or 0 for the contig of bin i. */
int pon_sex_kind(const metcn_panel_t *p, size_t i);
void pon_count_reasons(metcn_pon_t *pon);
/* Record why sample j failed (copied); 0 or METCN_E_NOMEM. */
int pon_set_reason(metcn_pon_t *pon, size_t j, const char *reason);

/* frag.c: the short-fragment records.  Build from the active normals idx[0..N) (none stored,
 * no error, when they lack fragment classes or are size-selected; a table whose class edges
 * do not contain opt.short_max is METCN_E_INCOMPATIBLE naming it); free; the file lines
 * (line k of pon_frag_n_lines(), no newline, into *out); parse the records among lines[0..n)
 * (after the bins are loaded; path names the file in messages). */
int pon_frag_build(metcn_pon_t *pon, metcn_covtab_t *const *normals, const size_t *idx, size_t N);
void pon_frag_destroy(metcn_pon_frag_t *f);
size_t pon_frag_n_lines(const metcn_pon_t *pon);
int pon_frag_line(const metcn_pon_t *pon, size_t k, kstring_t *out);
int pon_frag_parse(metcn_pon_t *pon, const char *path, char **lines, size_t n);
/* Whether a line is one of frag.c's records (for the loader's record count). */
int pon_frag_is_record(const char *line);

#endif
