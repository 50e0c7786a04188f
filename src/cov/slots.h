/* slots.h -- the rebuild of the counting step's small open-addressing tables (coordinate
 * duplicates, site observations): fixed-size entries whose first field is a 64-bit key, 0 for
 * an empty slot, whose low bits are the entry's home slot; linear probing.  Private to src/cov. */
#ifndef METCN_COV_SLOTS_H
#define METCN_COV_SLOTS_H

#include <stddef.h>
#include <stdint.h>

/* 1 when an entry can go (its mate can no longer come): ctx is the caller's sweep position. */
typedef int (*slots_stale_fn)(const void *entry, const void *ctx);

/* Rebuild the table *tab of *cap slots of esize bytes without the entries stale() picks,
 * doubling the capacity (a power of 2, at least min_cap) while more than a third of it would be
 * full; *n receives the entries kept.  0, or METCN_E_NOMEM (the table is then unchanged). */
int slots_rebuild(void **tab, size_t *cap, size_t *n, size_t esize, size_t min_cap,
                  slots_stale_fn stale, const void *ctx);

/* The key of an entry (its first field). */
static inline uint64_t slots_key(const void *entry)
{
    return *(const uint64_t *)entry;
}

#endif
