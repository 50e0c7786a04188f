/* report_json.h -- JSON pieces shared by the call report and the concordance report
 * (private to libmetcn). */
#ifndef METCN_REPORT_JSON_H
#define METCN_REPORT_JSON_H

#include "core/json.h"
#include "metcn/call.h"

/** Write the finished document atomically to path and free the writer (every writer of a
 *  report: JSON, MultiQC); 0 or a negative code with the message recorded. */
int report_json_finish(metcn_json_t *j, const char *path);

/** Object "criteria": the preset's name, source and tiers with their bounds. */
void report_json_criteria(metcn_json_t *j, const metcn_criteria_t *cr);

/** Object "purity_fit" of a call (null without a fit): status, purity and ploidy with their
 *  intervals, flags, the ranked solutions, the segments with (major, minor), the sites used
 *  (purity_report.c). */
void report_json_purity_fit(metcn_json_t *j, const metcn_call_t *c);

/** The calls-table estimate columns: v = purity_estimate, _low, _high, ploidy_estimate,
 *  ploidy_mean (NaN without a fit); status the fit's status name, "none" without one. */
void report_purity_estimate(const metcn_call_t *c, double v[5], const char **status);

/** The fit's segment of the call's gene, or NULL (no fit, or none). */
const metcn_purity_seg_t *report_purity_gene_seg(const metcn_call_t *c);
/** The fit's segment holding panel bin `bin`, or NULL (no fit, or the bin unused). */
const metcn_purity_seg_t *report_purity_bin_seg(const metcn_call_t *c, size_t bin);

#endif
