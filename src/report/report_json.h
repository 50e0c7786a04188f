/* report_json.h -- JSON pieces shared by the call report and the concordance report
 * (private to libmetcn). */
#ifndef METCN_REPORT_JSON_H
#define METCN_REPORT_JSON_H

#include "core/json.h"
#include "metcn/call.h"

/** Object "criteria": the preset's name, source and tiers with their bounds. */
void report_json_criteria(metcn_json_t *j, const metcn_criteria_t *cr);

#endif
