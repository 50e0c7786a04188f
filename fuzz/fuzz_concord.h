/* fuzz_concord.h -- the concordance pipeline on one fuzzed table and one fixed one: read,
 * classify, every statistic, every writer (to /dev/null). */
#ifndef METCN_FUZZ_CONCORD_H
#define METCN_FUZZ_CONCORD_H

#include "fuzz_common.h"
#include "metcn/concord.h"

/* counterparts of the seeds in fuzz/corpus/fish and fuzz/corpus/calls */
static const char fixed_calls[] = "sample\tgene\tmet_cn\tchr7_cn\tmet_chr7_ratio\ttier\tqc\n"
                                  "A\tMET\t12\t2\t6\thigh\tpass\n"
                                  "B\tMET\t5\t2\t2.5\tintermediate\tpass\n"
                                  "C\tMET\t2\t2\t1\tnegative\tpass\n"
                                  "D\tMET\t4\t2\t2\tlow\tpass\n"
                                  "E\tMET\t3\t2\t1\tnegative\tfail\n"
                                  "F\tMET\tNA\t2\tNA\tNA\tpass\n";
static const char fixed_fish[] = "sample,met_cep7_ratio,met_per_nucleus\n"
                                 "A,5.5,11\nB,2.5,5\nC,1.0,2.1\nD,1.7,3.5\nE,1,2\nF,4,8\n";

static void concord_run(const char *calls, const char *fish, int variant)
{
    metcn_concord_opt_t opt;
    metcn_concord_opt_init(&opt);
    if (variant & 1)
        metcn_concord_parse_rule("tier:intermediate", 0, &opt.criteria, &opt.fish_amp);
    if (variant & 2)
        metcn_concord_parse_rule("cn:5,ratio:2", 1, &opt.criteria, &opt.ngs_amp);
    opt.include_qc_fail = (variant & 4) != 0;
    opt.ngs_tier_from_ratio = (variant & 8) != 0;
    const char *list[2] = {calls, calls};
    metcn_concord_t *c = metcn_concord_run(list, 1 + ((variant & 16) != 0), fish, &opt);
    if (!c)
        return;
    metcn_concord_write_json(c, "/dev/null", "fuzz");
    metcn_concord_write_tsv(c, "/dev/null");
    metcn_concord_write_samples(c, "/dev/null");
    metcn_concord_write_scatter_svg(c, "/dev/null");
    metcn_concord_write_roc_svg(c, "/dev/null");
    metcn_concord_destroy(c);
}

#endif
