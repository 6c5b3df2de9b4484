/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the per-cgroup blob codec (archive/cg_codec.c): key and
 * delta blobs round trip exactly, absent and unlimited values included;
 * deltas of idle cgroups cost next to nothing; a delta without its base,
 * and damaged or hostile blobs, are refused with a reason.
 */
#include "check.h"
#include <stdlib.h>
#include <string.h>

#include "cg_codec.h"

static void fill(struct cg_values *v, size_t n, int round)
{
    for (size_t i = 0; i < n; i++) {
        v[i].ci = 3 + (int64_t)i * 2;
        for (int c = 0; c < CG_NVALUES; c++)
            v[i].v[c] = (uint64_t)(i * 7919 + (size_t)c) * 4096 + (i % 10 == 0 ? (uint64_t)round * 4096 : 0);
        v[i].v[1] = i % 3 ? CGROUP_UNLIMITED : 268435456;
        v[i].v[2] = CGROUP_ABSENT;
        v[i].v[3] = i == 5 ? UINT64_MAX - 2 : v[i].v[3];   /* the largest plain value */
    }
}

static int decode(const struct proc_blob *b, const struct cg_values *base, size_t nbase,
                  struct cg_values **out, size_t *n, uint32_t *agg, char *err)
{
    return cg_blob_decode(b->codec, b->crc, b->rawsize, b->data, b->size, base, nbase, out, n,
                          agg, err, 128);
}

static void test_round_trips(void)
{
    enum { N = 100 };
    struct cg_values key[N], now[N], *out = NULL;
    struct proc_blob kb, db;
    size_t n;
    uint32_t agg;
    char err[128];
    fill(key, N, 0);
    fill(now, N, 1);
    now[N - 1].ci = 1000;   /* a new cgroup: no base */
    CHECK(cg_blob_encode(key, N, 4, NULL, 0, &kb) == 0);
    CHECK(decode(&kb, NULL, 0, &out, &n, &agg, err) == 0 && n == N && agg == 4 &&
          memcmp(out, key, sizeof key) == 0);
    free(out);
    out = NULL;
    CHECK(cg_blob_encode(now, N, 0, key, N, &db) == 0);
    CHECK(db.size * 4 < kb.size);   /* 10 of 100 moved: the delta is far smaller */
    CHECK(decode(&db, key, N, &out, &n, &agg, err) == 0 && n == N && agg == 0 &&
          memcmp(out, now, sizeof now) == 0);
    free(out);
    out = NULL;
    CHECK(decode(&db, NULL, 0, &out, &n, &agg, err) == -1 &&
          strstr(err, "without its base") != NULL);
    CHECK(decode(&db, key, N / 2, &out, &n, &agg, err) == -1);

    struct cgroup_mem m, back;
    memset(&m, 0, sizeof m);
    for (int c = 0; c < CG_NVALUES; c++)
        *(uint64_t *)((char *)&m + cg_value_offsets[c]) = (uint64_t)c * 11;
    m.high = CGROUP_ABSENT;
    struct cg_values v;
    cg_values_of(&m, 9, &v);
    memset(&back, 0xff, sizeof back);
    cg_values_to(&v, &back);
    CHECK(v.ci == 9 && back.current == 0 && back.psi_full_us == 21 * 11 &&
          back.high == CGROUP_ABSENT && back.ev_oom_kill == m.ev_oom_kill);

    /* damage: every flipped byte is refused, never misread */
    int refused = 1;
    for (size_t i = 0; i < db.size; i++) {
        db.data[i] ^= 0x5a;
        refused &= decode(&db, key, N, &out, &n, &agg, err) == -1;
        db.data[i] ^= 0x5a;
    }
    CHECK(refused);
    free(kb.data);
    free(db.data);
}

static void test_empty_and_hostile(void)
{
    struct proc_blob b;
    struct cg_values *out = NULL;
    size_t n = 9;
    uint32_t agg;
    char err[128];
    CHECK(cg_blob_encode(NULL, 0, 0, NULL, 0, &b) == 0);
    CHECK(decode(&b, NULL, 0, &out, &n, &agg, err) == 0 && n == 0);
    free(out);
    free(b.data);
    /* a count far beyond the data, with a right CRC */
    struct codec_buf raw = { 0 };
    codec_put_varint(&raw, 1);
    codec_put_varint(&raw, 1u << 30);
    codec_put_varint(&raw, 0);
    CHECK(codec_pack(&raw, &b) == 0);
    CHECK(decode(&b, NULL, 0, &out, &n, &agg, err) == -1);
    free(b.data);
}

int main(void)
{
    test_round_trips();
    test_empty_and_hostile();
    return CHECK_SUMMARY("cg_codec");
}
