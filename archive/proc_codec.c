/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Encoding and decoding of per-process blobs (see proc_codec.h).
 *
 * Raw layout: a version byte (1), varint count, varint aggregated, then one
 * column after another: identity numbers (first absolute, then deltas; they
 * are ascending), RSS minus its three parts (zig-zag, nearly always 0),
 * anon, file, shmem, swap, vsz, minflt, majflt, and PSS + 1 (0: unknown).
 * Columns of similar numbers side by side are what zlib compresses best.
 */
#include "proc_codec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define BLOB_VERSION 1
#define NCOLUMNS 10

int codec_put_varint(struct codec_buf *b, uint64_t v)
{
    if (b->len + 10 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4096;
        unsigned char *grown = realloc(b->p, cap);
        if (!grown)
            return -1;
        b->p = grown;
        b->cap = cap;
    }
    while (v >= 0x80) {
        b->p[b->len++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    b->p[b->len++] = (unsigned char)v;
    return 0;
}

uint64_t codec_zigzag(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }
int64_t codec_unzigzag(uint64_t v) { return (int64_t)(v >> 1) ^ -(int64_t)(v & 1); }

/* The stored number of column C for process V (PREV_PI: the one before). */
static uint64_t column_value(int c, const struct proc_values *v, int64_t prev_pi)
{
    switch (c) {
    case 0: return (uint64_t)(v->pi - prev_pi);
    case 1: return codec_zigzag((int64_t)(v->rss_kb - (v->anon_kb + v->file_kb + v->shmem_kb)));
    case 2: return v->anon_kb;
    case 3: return v->file_kb;
    case 4: return v->shmem_kb;
    case 5: return v->swap_kb;
    case 6: return v->vsz_kb;
    case 7: return v->minflt;
    case 8: return v->majflt;
    default: return v->pss_kb < 0 ? 0 : (uint64_t)v->pss_kb + 1;
    }
}

static void set_column(int c, struct proc_values *v, uint64_t x, int64_t prev_pi)
{
    switch (c) {
    case 0: v->pi = prev_pi + (int64_t)x; break;
    case 1: v->rss_kb = (uint64_t)codec_unzigzag(x); break;   /* parts added below */
    case 2: v->anon_kb = x; break;
    case 3: v->file_kb = x; break;
    case 4: v->shmem_kb = x; break;
    case 5: v->swap_kb = x; break;
    case 6: v->vsz_kb = x; break;
    case 7: v->minflt = x; break;
    case 8: v->majflt = x; break;
    default: v->pss_kb = x == 0 ? -1 : (int64_t)(x - 1); break;
    }
}

int codec_pack(struct codec_buf *raw, struct proc_blob *blob)
{
    blob->rawsize = raw->len;
    blob->crc = (uint32_t)crc32(0L, raw->p, (uInt)raw->len);
    uLongf zlen = compressBound((uLong)raw->len);
    unsigned char *z = malloc(zlen);
    if (!z) {
        free(raw->p);
        return -1;
    }
    if (compress2(z, &zlen, raw->p, (uLong)raw->len, 6) == Z_OK && zlen < raw->len) {
        free(raw->p);
        blob->codec = PROC_CODEC_ZLIB;
        blob->data = z;
        blob->size = zlen;
    } else {
        free(z);
        blob->codec = PROC_CODEC_RAW;
        blob->data = raw->p;
        blob->size = raw->len;
    }
    raw->p = NULL;
    return 0;
}

int proc_blob_encode(const struct proc_values *v, size_t n, uint32_t aggregated,
                     struct proc_blob *blob)
{
    struct codec_buf raw = { 0 };
    memset(blob, 0, sizeof *blob);
    if (codec_put_varint(&raw, BLOB_VERSION) || codec_put_varint(&raw, n) ||
        codec_put_varint(&raw, aggregated))
        goto oom;
    for (int c = 0; c < NCOLUMNS; c++)
        for (size_t i = 0; i < n; i++)
            if (codec_put_varint(&raw, column_value(c, &v[i], i ? v[i - 1].pi : 0)))
                goto oom;
    return codec_pack(&raw, blob);
oom:
    free(raw.p);
    return -1;
}

int codec_get_varint(const unsigned char **p, const unsigned char *end, uint64_t *out)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (*p >= end)
            return -1;
        unsigned char byte = *(*p)++;
        v |= (uint64_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80)) {
            *out = v;
            return 0;
        }
    }
    return -1;
}

static int decode_raw(const unsigned char *raw, size_t len, struct proc_values **out,
                      size_t *n_out, uint32_t *aggregated, char *err, size_t cap)
{
    const unsigned char *p = raw, *end = raw + len;
    uint64_t version, n, agg;
    if (codec_get_varint(&p, end, &version) || version != BLOB_VERSION ||
        codec_get_varint(&p, end, &n) || codec_get_varint(&p, end, &agg)) {
        snprintf(err, cap, "unknown or damaged header");
        return -1;
    }
    /* every process takes at least one byte per column */
    if (n > len / NCOLUMNS + 1 || agg > UINT32_MAX) {
        snprintf(err, cap, "process count %llu does not fit the data", (unsigned long long)n);
        return -1;
    }
    struct proc_values *v = calloc(n ? n : 1, sizeof *v);
    if (!v) {
        snprintf(err, cap, "out of memory");
        return -1;
    }
    for (int c = 0; c < NCOLUMNS; c++) {
        for (size_t i = 0; i < n; i++) {
            uint64_t x;
            if (codec_get_varint(&p, end, &x)) {
                free(v);
                snprintf(err, cap, "truncated data");
                return -1;
            }
            int64_t prev_pi = i ? v[i - 1].pi : 0;
            if (c == 0 && x > (uint64_t)(INT64_MAX - prev_pi)) {
                free(v);
                snprintf(err, cap, "identity out of range");
                return -1;
            }
            set_column(c, &v[i], x, prev_pi);
        }
    }
    /* unsigned on purpose: a hostile blob may wrap, never overflow */
    for (size_t i = 0; i < n; i++)
        v[i].rss_kb += v[i].anon_kb + v[i].file_kb + v[i].shmem_kb;
    *out = v;
    *n_out = n;
    *aggregated = (uint32_t)agg;
    return 0;
}

int codec_unpack(int codec, uint32_t crc, size_t rawsize, const unsigned char *data, size_t size,
                 unsigned char **raw_out, char *err, size_t cap)
{
    if (rawsize > PROC_BLOB_MAX || (codec != PROC_CODEC_RAW && codec != PROC_CODEC_ZLIB)) {
        snprintf(err, cap, "unknown codec or size");
        return -1;
    }
    if (!data || size == 0) {   /* SQLite's empty blob: every encoding has a header */
        snprintf(err, cap, "no data");
        return -1;
    }
    if (codec == PROC_CODEC_RAW && size != rawsize) {
        snprintf(err, cap, "size does not match");
        return -1;
    }
    unsigned char *raw = malloc(rawsize ? rawsize : 1);
    if (!raw) {
        snprintf(err, cap, "out of memory");
        return -1;
    }
    if (codec == PROC_CODEC_ZLIB) {
        uLongf got = (uLongf)rawsize;
        if (uncompress(raw, &got, data, (uLong)size) != Z_OK || got != rawsize) {
            free(raw);
            snprintf(err, cap, "compressed data is damaged");
            return -1;
        }
    } else {
        memcpy(raw, data, size);
    }
    if ((uint32_t)crc32(0L, raw, (uInt)rawsize) != crc) {
        free(raw);
        snprintf(err, cap, "checksum mismatch");
        return -1;
    }
    *raw_out = raw;
    return 0;
}

int proc_blob_decode(int codec, uint32_t crc, size_t rawsize, const unsigned char *data,
                     size_t size, struct proc_values **v, size_t *n, uint32_t *aggregated,
                     char *err, size_t cap)
{
    unsigned char *raw;
    if (codec_unpack(codec, crc, rawsize, data, size, &raw, err, cap) != 0)
        return -1;
    int rc = decode_raw(raw, rawsize, v, n, aggregated, err, cap);
    free(raw);
    return rc;
}
