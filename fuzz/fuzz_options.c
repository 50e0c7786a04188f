/* fuzz_options.c -- option strings: numbers (strict parsers), regions "chr:start-end",
 * purity "P", "P+-D", "LO-HI", concordance rules "ratio:X,tier:NAME,...", tiers, roles, contig
 * aliases, a gene name or region on a small panel, SAM flags and the panel options of the
 * CLI (src/cli/cli.c).  Each accepted value is checked against what its parser promises. */
#include <math.h>

#include "cli.h"
#include "fuzz_common.h"
#include "metcn/call.h"
#include "metcn/concord.h"
#include "metcn/panel.h"
#include "metcn/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init();
    static int quiet;
    if (!quiet++ && !(stderr = fopen("/dev/null", "w"))) /* the CLI helpers print errors */
        abort();
    char *s = fuzz_string(data, size);

    int64_t i64;
    if (metcn_parse_int64(s, -5, INT64_MAX, &i64) == 0 && i64 < -5)
        abort();
    int i32;
    if (metcn_parse_int(s, 0, 255, &i32) == 0 && (i32 < 0 || i32 > 255))
        abort();
    double d;
    if (metcn_parse_double(s, -1e6, 1e6, &d) == 0 && !(d >= -1e6 && d <= 1e6))
        abort();

    char *contig = NULL;
    int64_t start, end;
    if (metcn_parse_region(s, &contig, &start, &end) == 0) {
        if (!contig || !(start >= 0 && end > start))
            abort();
        free(contig);
    }

    double p, lo, hi;
    if (metcn_purity_parse(s, &p, &lo, &hi) == 0 && !(0 < lo && lo <= p && p <= hi && hi <= 1))
        abort();

    metcn_amp_rule_t rule;
    char buf[256];
    const metcn_criteria_t *crit = metcn_criteria_default("MET");
    for (int ngs = 0; ngs < 2; ngs++)
        if (metcn_concord_parse_rule(s, ngs, crit, &rule) == 0) {
            metcn_concord_rule_str(&rule, ngs, crit, buf, sizeof buf);
            metcn_concord_rule_apply(&rule, 2.5, 6, 2);
        }
    int tier = metcn_criteria_tier_parse(crit, s);
    if (tier >= 0)
        metcn_criteria_tier_name(crit, tier);
    metcn_criteria_get(s);
    int role = metcn_role_parse(s);
    if (role >= 0 && strcmp(metcn_role_name((metcn_role_t)role), s) != 0)
        abort();
    metcn_contig_canonical(s, buf, sizeof buf);
    metcn_contig_canonical(s, buf, 3);

    /* a gene name, then a gene region, on a small panel (the built-in one is slow to parse
     * per input); the gene's build table is reached through --build */
    static const char bed[] = "chr7\t100\t900\tC1\nchr7\t116699084\t116700284\tMET_ex2\n"
                              "chr7\t116731667\t116731859\tMET_ex3\nchr1\t10\t20\tA\n";
    static const char *bed_path;
    if (!bed_path)
        bed_path = strdup(fuzz_file("options_panel.bed", (const uint8_t *)bed, sizeof bed - 1));
    static metcn_panel_t *panel;
    if (!panel) {
        metcn_panel_opt_t po;
        metcn_panel_opt_init(&po);
        po.build = "grch38";
        if (!(panel = metcn_panel_load(bed_path, &po, NULL)))
            abort();
    }
    metcn_gene_destroy(metcn_panel_gene(panel, s, NULL));
    metcn_gene_opt_t go;
    metcn_gene_opt_init(&go);
    go.region = s;
    metcn_gene_destroy(metcn_panel_gene(panel, "MET", &go));

    uint32_t flags;
    cli_flags("fuzz", "-F", s, &flags);
    cli_panel_args_t pa;
    cli_panel_args_init(&pa);
    for (int c = CLI_OPT_PANEL; c < CLI_OPT_FIRST_FREE; c++)
        cli_panel_option("fuzz", c, s, &pa);

    char *copy = fuzz_string(data, size), *fields[16];
    int n = metcn_split(copy, '\t', fields, 16);
    if (n < 1 || n > 16)
        abort();
    free(copy);
    free(s);
    return 0;
}
