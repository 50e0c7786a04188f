/* hash.c -- the one 64-bit hash (FNV-1a), for the panel and PoN checksums. */
#include "metcn/util.h"

uint64_t metcn_hash64(uint64_t h, const void *data, size_t n)
{
    const unsigned char *c = data;
    for (size_t i = 0; i < n; i++) {
        h ^= c[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}
