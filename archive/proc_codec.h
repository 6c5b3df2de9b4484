/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The per-process values of one sample as one self-contained blob:
 * columnar varints (identity numbers as deltas, then each value for every
 * process in turn), compressed with zlib and checked with a CRC-32 of the
 * raw bytes.  Self-contained on purpose: damage to one sample's blob costs
 * that sample only.  Decoding trusts nothing: sizes are bounded, every
 * varint is checked against the end of the buffer.
 */
#ifndef MEMTRAIL_PROC_CODEC_H
#define MEMTRAIL_PROC_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

#define PROC_CODEC_RAW 0
#define PROC_CODEC_ZLIB 1
#define PROC_BLOB_MAX (64u << 20)   /* no sample's raw data is larger */

/* What the blob codecs share (this file's and cg_codec.c's): a growing
 * byte buffer of varints, and the packing of its raw bytes into a blob
 * (CRC-32 of the raw bytes, zlib when that is smaller) and back. */
struct codec_buf {
    unsigned char *p;
    size_t len, cap;
};
int codec_put_varint(struct codec_buf *b, uint64_t v);
/* -1 when the varint runs past END or past 64 bits. */
int codec_get_varint(const unsigned char **p, const unsigned char *end, uint64_t *out);
uint64_t codec_zigzag(int64_t v);
int64_t codec_unzigzag(uint64_t v);

struct proc_blob;
/* Makes BLOB of RAW (taken over: freed or kept as BLOB's data). */
int codec_pack(struct codec_buf *raw, struct proc_blob *blob);
/* The raw bytes of a stored blob, checked against its CRC: *RAW (malloc'd,
 * RAWSIZE bytes; free it).  -1 with ERR saying why. */
int codec_unpack(int codec, uint32_t crc, size_t rawsize, const unsigned char *data, size_t size,
                 unsigned char **raw, char *err, size_t err_cap);

/* The values of one process as stored: its identity number and numbers. */
struct proc_values {
    int64_t pi;
    uint64_t rss_kb, anon_kb, file_kb, shmem_kb, swap_kb, vsz_kb, minflt, majflt;
    int64_t pss_kb;   /* -1: unknown */
};

struct proc_blob {
    int codec;
    uint32_t crc;        /* of the raw bytes */
    size_t rawsize;
    unsigned char *data; /* malloc'd */
    size_t size;
};

/* Encodes N values (sorted by pi, ascending) into BLOB.  -1 when out of memory. */
int proc_blob_encode(const struct proc_values *v, size_t n, uint32_t aggregated,
                     struct proc_blob *blob);
/* Decodes a stored blob into *V (malloc'd, *N entries).  Returns 0, or -1
 * with ERR saying what is wrong (checksum, size, truncated data). */
int proc_blob_decode(int codec, uint32_t crc, size_t rawsize, const unsigned char *data,
                     size_t size, struct proc_values **v, size_t *n, uint32_t *aggregated,
                     char *err, size_t err_cap);

#endif
