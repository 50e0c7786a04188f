/* fuzz_calls.c -- metcn calls tables through the whole concordance pipeline against a fixed
 * FISH table. */
#include "fuzz_concord.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init();
    const char *fish =
        fuzz_file("fixed.fish.csv", (const uint8_t *)fixed_fish, sizeof fixed_fish - 1);
    const char *calls = fuzz_file("in.calls.tsv", data, size);
    concord_run(calls, fish, (int)(size % 32));
    return 0;
}
