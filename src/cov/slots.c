/* slots.c -- rebuild of the counting step's small open-addressing tables (slots.h). */
#include <stdlib.h>
#include <string.h>

#include "metcn/metcn.h"
#include "cov/slots.h"

int slots_rebuild(void **tab, size_t *cap, size_t *n, size_t esize, size_t min_cap,
                  slots_stale_fn stale, const void *ctx)
{
    char *old = *tab;
    size_t live = 0, ncap = *cap > min_cap ? *cap : min_cap;
    for (size_t i = 0; i < *cap; i++)
        live += slots_key(old + i * esize) != 0 && !stale(old + i * esize, ctx);
    while (live * 3 > ncap)
        ncap *= 2;
    char *nt = calloc(ncap, esize);
    if (!nt)
        return METCN_E_NOMEM;
    for (size_t i = 0; i < *cap; i++) {
        const char *e = old + i * esize;
        uint64_t key = slots_key(e);
        if (!key || stale(e, ctx))
            continue;
        size_t j = key & (ncap - 1);
        while (slots_key(nt + j * esize))
            j = (j + 1) & (ncap - 1);
        memcpy(nt + j * esize, e, esize);
    }
    free(old);
    *tab = nt;
    *cap = ncap;
    *n = live;
    return 0;
}
