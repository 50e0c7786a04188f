/* refseq.h -- streaming reads of reference FASTA ranges (internal to libmetcn).
 *
 * A plain FASTA is read with pread() at the offsets of its .fai, in chunks, so a whole
 * chromosome never sits in memory and no per-base call is made; a bgzipped FASTA goes through
 * htslib's faidx, also in chunks.  Used for bin GC and the CRAM reference check. */
#ifndef METCN_REFSEQ_H
#define METCN_REFSEQ_H

#include <stdint.h>

typedef struct metcn_refseq_s metcn_refseq_t;

/* Open FASTA (its .fai is built by htslib when missing); NULL with the error set. */
metcn_refseq_t *metcn_refseq_open(const char *fasta);
void metcn_refseq_close(metcn_refseq_t *r);

/* Length of contig name, or -1 when the FASTA has no such contig. */
int64_t metcn_refseq_len(const metcn_refseq_t *r, const char *name);

/* Call fn on consecutive pieces of the raw text of name:[beg,end) (0-based, half-open).  The
 * pieces may contain line breaks (plain FASTA), which callers skip.  fn returns non-zero to
 * stop; that value is returned.  Returns 0, or <0 with the error set. */
typedef int (*metcn_refseq_fn)(const char *buf, size_t n, void *ctx);
int metcn_refseq_scan(metcn_refseq_t *r, const char *name, int64_t beg, int64_t end,
                      metcn_refseq_fn fn, void *ctx);

/* MD5 (32 lower-case hex digits) of contig name as the SAM M5 tag defines it: upper case,
 * no line breaks or other characters outside '!'..'~'.  0, or <0 with the error set. */
int metcn_refseq_md5(metcn_refseq_t *r, const char *name, char hex[33]);

/* The M5 of contig name in the sequence dictionary that sits beside the FASTA (ref.dict, or
 * ref.fa.dict, as written by samtools dict or Picard), copied to hex; 1 when found, else 0. */
int metcn_refseq_dict_m5(const char *fasta, const char *name, char hex[33]);

#endif
