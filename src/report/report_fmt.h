/* report_fmt.h -- number formats shared by the summary and the SVG (private to libmetcn). */
#ifndef METCN_REPORT_FMT_H
#define METCN_REPORT_FMT_H

/** A detection limit as a tumour fraction in percent ("2.1%"), "not reachable" when no
 *  fraction suffices (INFINITY), "NA" when unknown.  Returns buf or a static string. */
const char *report_tf_pct(char buf[32], double tf);

#endif
