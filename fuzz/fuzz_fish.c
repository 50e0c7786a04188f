/* fuzz_fish.c -- FISH tables (summary or per-nucleus, tab or CSV, quoted fields) through the
 * whole concordance pipeline against a fixed calls table. */
#include "fuzz_concord.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init();
    const char *calls =
        fuzz_file("fixed.calls.tsv", (const uint8_t *)fixed_calls, sizeof fixed_calls - 1);
    const char *fish = fuzz_file("fish.csv", data, size);
    concord_run(calls, fish, (int)(size % 32));
    return 0;
}
