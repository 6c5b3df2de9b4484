/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Encoding and decoding of per-cgroup blobs (see cg_codec.h).
 *
 * Raw layout: a version byte (1), varint count, varint aggregated, then
 * columns: identity numbers (first absolute, then deltas), a flag per
 * cgroup (1: stored as a difference from the base), then each of the
 * CG_NVALUES values for every cgroup in turn.  A value is stored as 0 for
 * CGROUP_ABSENT, 1 for CGROUP_UNLIMITED, else value + 2; a difference as
 * the zig-zag of the wrapping difference of those numbers, which is exact
 * for every pair.
 */
#include "cg_codec.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOB_VERSION 1

const size_t cg_value_offsets[CG_NVALUES] = {
    offsetof(struct cgroup_mem, current), offsetof(struct cgroup_mem, max),
    offsetof(struct cgroup_mem, high), offsetof(struct cgroup_mem, swap),
    offsetof(struct cgroup_mem, anon), offsetof(struct cgroup_mem, file),
    offsetof(struct cgroup_mem, shmem), offsetof(struct cgroup_mem, kernel),
    offsetof(struct cgroup_mem, sock), offsetof(struct cgroup_mem, file_dirty),
    offsetof(struct cgroup_mem, file_writeback), offsetof(struct cgroup_mem, mapped_file),
    offsetof(struct cgroup_mem, refault_anon), offsetof(struct cgroup_mem, refault_file),
    offsetof(struct cgroup_mem, ev_low), offsetof(struct cgroup_mem, ev_high),
    offsetof(struct cgroup_mem, ev_max), offsetof(struct cgroup_mem, ev_oom),
    offsetof(struct cgroup_mem, ev_oom_kill), offsetof(struct cgroup_mem, ev_oom_group_kill),
    offsetof(struct cgroup_mem, psi_some_us), offsetof(struct cgroup_mem, psi_full_us),
};

void cg_values_of(const struct cgroup_mem *m, int64_t ci, struct cg_values *out)
{
    out->ci = ci;
    for (int c = 0; c < CG_NVALUES; c++)
        out->v[c] = *(const uint64_t *)((const char *)m + cg_value_offsets[c]);
}

void cg_values_to(const struct cg_values *in, struct cgroup_mem *m)
{
    for (int c = 0; c < CG_NVALUES; c++)
        *(uint64_t *)((char *)m + cg_value_offsets[c]) = in->v[c];
}

/* The stored number of a value: ABSENT 0, UNLIMITED 1, else v + 2 (exact:
 * every other value is at most UINT64_MAX - 2). */
static uint64_t to_stored(uint64_t v)
{
    return v == CGROUP_ABSENT ? 0 : v == CGROUP_UNLIMITED ? 1 : v + 2;
}

static uint64_t from_stored(uint64_t x)
{
    return x == 0 ? CGROUP_ABSENT : x == 1 ? CGROUP_UNLIMITED : x - 2;
}

/* BASE's entry for CI, searched from *AT on (both lists ascend); NULL. */
static const struct cg_values *base_of(const struct cg_values *base, size_t nbase, size_t *at,
                                       int64_t ci)
{
    while (*at < nbase && base[*at].ci < ci)
        (*at)++;
    return *at < nbase && base[*at].ci == ci ? &base[*at] : NULL;
}

int cg_blob_encode(const struct cg_values *v, size_t n, uint32_t aggregated,
                   const struct cg_values *base, size_t nbase, struct proc_blob *blob)
{
    struct codec_buf raw = { 0 };
    const struct cg_values **bases = calloc(n ? n : 1, sizeof *bases);
    memset(blob, 0, sizeof *blob);
    if (!bases)
        return -1;
    size_t at = 0;
    for (size_t i = 0; base && i < n; i++)
        bases[i] = base_of(base, nbase, &at, v[i].ci);
    int failed = codec_put_varint(&raw, BLOB_VERSION) || codec_put_varint(&raw, n) ||
                 codec_put_varint(&raw, aggregated);
    for (size_t i = 0; i < n && !failed; i++)
        failed = codec_put_varint(&raw, (uint64_t)(v[i].ci - (i ? v[i - 1].ci : 0)));
    for (size_t i = 0; i < n && !failed; i++)
        failed = codec_put_varint(&raw, bases[i] != NULL);
    for (int c = 0; c < CG_NVALUES && !failed; c++) {
        for (size_t i = 0; i < n && !failed; i++) {
            uint64_t x = to_stored(v[i].v[c]);
            if (bases[i])
                x = codec_zigzag((int64_t)(x - to_stored(bases[i]->v[c])));
            failed = codec_put_varint(&raw, x);
        }
    }
    free(bases);
    if (failed) {
        free(raw.p);
        return -1;
    }
    return codec_pack(&raw, blob);
}

static int refuse(char *err, size_t cap, const char *why)
{
    snprintf(err, cap, "%s", why);
    return -1;
}

static int decode_raw(const unsigned char *raw, size_t len, const struct cg_values *base,
                      size_t nbase, struct cg_values *v, size_t n, char *err, size_t cap)
{
    const unsigned char *p = raw, *end = raw + len;
    uint64_t x;
    for (int skip = 0; skip < 3; skip++)   /* the header, checked by the caller */
        codec_get_varint(&p, end, &x);
    for (size_t i = 0; i < n; i++) {
        int64_t prev = i ? v[i - 1].ci : 0;
        if (codec_get_varint(&p, end, &x) || x > (uint64_t)(INT64_MAX - prev) || (i && x == 0))
            return refuse(err, cap, "identities damaged");
        v[i].ci = prev + (int64_t)x;
    }
    const struct cg_values **bases = calloc(n ? n : 1, sizeof *bases);
    if (!bases)
        return refuse(err, cap, "out of memory");
    size_t at = 0;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (codec_get_varint(&p, end, &x) || x > 1)
            rc = refuse(err, cap, "truncated data");
        else if (x && !(bases[i] = base ? base_of(base, nbase, &at, v[i].ci) : NULL))
            rc = refuse(err, cap, "a difference without its base");
    }
    for (int c = 0; c < CG_NVALUES && rc == 0; c++) {
        for (size_t i = 0; i < n && rc == 0; i++) {
            if (codec_get_varint(&p, end, &x)) {
                rc = refuse(err, cap, "truncated data");
                break;
            }
            if (bases[i])   /* unsigned on purpose: a hostile blob may wrap, never overflow */
                x = to_stored(bases[i]->v[c]) + (uint64_t)codec_unzigzag(x);
            v[i].v[c] = from_stored(x);
        }
    }
    free(bases);
    return rc;
}

int cg_blob_decode(int codec, uint32_t crc, size_t rawsize, const unsigned char *data,
                   size_t size, const struct cg_values *base, size_t nbase,
                   struct cg_values **v, size_t *n, uint32_t *aggregated, char *err,
                   size_t cap)
{
    unsigned char *raw;
    if (codec_unpack(codec, crc, rawsize, data, size, &raw, err, cap) != 0)
        return -1;
    const unsigned char *p = raw, *end = raw + rawsize;
    uint64_t version, count, agg;
    int rc = -1;
    struct cg_values *out = NULL;
    if (codec_get_varint(&p, end, &version) || version != BLOB_VERSION ||
        codec_get_varint(&p, end, &count) || codec_get_varint(&p, end, &agg) ||
        agg > UINT32_MAX)
        refuse(err, cap, "unknown or damaged header");
    /* every cgroup takes at least one byte per column */
    else if (count > rawsize / (CG_NVALUES + 2) + 1)
        refuse(err, cap, "cgroup count does not fit the data");
    else if (!(out = calloc(count ? count : 1, sizeof *out)))
        refuse(err, cap, "out of memory");
    else if ((rc = decode_raw(raw, rawsize, base, nbase, out, count, err, cap)) == 0) {
        *v = out;
        *n = count;
        *aggregated = (uint32_t)agg;
        out = NULL;
    }
    free(out);
    free(raw);
    return rc;
}
