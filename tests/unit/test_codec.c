/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the per-process blob codec: round trips, unknown PSS kept
 * unknown, and damaged or hostile blobs refused with a reason, never misread.
 */
#include "check.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proc_codec.h"


static struct proc_values sample_value(int i)
{
    struct proc_values v;
    memset(&v, 0, sizeof v);
    v.pi = 10 + i * 3;
    v.anon_kb = 1000 + (uint64_t)i * 17;
    v.file_kb = 2000 + (uint64_t)i;
    v.shmem_kb = (uint64_t)(i % 5);
    v.rss_kb = v.anon_kb + v.file_kb + v.shmem_kb + (i == 7 ? 3 : 0);  /* one odd process */
    v.swap_kb = (uint64_t)(i % 3) * 100;
    v.vsz_kb = 100000 + (uint64_t)i * 4;
    v.minflt = 123456789ULL * (uint64_t)i;
    v.majflt = (uint64_t)i;
    v.pss_kb = i % 4 == 0 ? -1 : i * 11;
    return v;
}

static int same(const struct proc_values *a, const struct proc_values *b)
{
    return a->pi == b->pi && a->rss_kb == b->rss_kb && a->anon_kb == b->anon_kb &&
           a->file_kb == b->file_kb && a->shmem_kb == b->shmem_kb && a->swap_kb == b->swap_kb &&
           a->vsz_kb == b->vsz_kb && a->minflt == b->minflt && a->majflt == b->majflt &&
           a->pss_kb == b->pss_kb;
}

static void test_round_trip(size_t n)
{
    struct proc_values *in = calloc(n ? n : 1, sizeof *in), *out = NULL;
    for (size_t i = 0; i < n; i++)
        in[i] = sample_value((int)i);
    struct proc_blob blob;
    CHECK(proc_blob_encode(in, n, 42, &blob) == 0);
    size_t got_n = 99;
    uint32_t agg = 0;
    char err[128];
    CHECK(proc_blob_decode(blob.codec, blob.crc, blob.rawsize, blob.data, blob.size, &out,
                           &got_n, &agg, err, sizeof err) == 0);
    CHECK(got_n == n && agg == 42);
    int all_same = 1;
    for (size_t i = 0; out && i < n; i++)
        all_same &= same(&in[i], &out[i]);
    CHECK(all_same);
    CHECK(n < 100 || blob.codec == PROC_CODEC_ZLIB);
    free(out);

    /* one flipped byte anywhere: refused, with a reason */
    if (blob.size > 0) {
        blob.data[blob.size / 2] ^= 0x55;
        out = NULL;
        CHECK(proc_blob_decode(blob.codec, blob.crc, blob.rawsize, blob.data, blob.size, &out,
                               &got_n, &agg, err, sizeof err) == -1 && out == NULL);
        blob.data[blob.size / 2] ^= 0x55;
    }
    /* a wrong checksum, a lying size, an unknown codec, a cut blob */
    CHECK(proc_blob_decode(blob.codec, blob.crc ^ 1, blob.rawsize, blob.data, blob.size, &out,
                           &got_n, &agg, err, sizeof err) == -1);
    CHECK(strstr(err, "checksum") != NULL);
    CHECK(proc_blob_decode(blob.codec, blob.crc, (size_t)1 << 40, blob.data, blob.size, &out,
                           &got_n, &agg, err, sizeof err) == -1);
    CHECK(proc_blob_decode(7, blob.crc, blob.rawsize, blob.data, blob.size, &out, &got_n, &agg,
                           err, sizeof err) == -1);
    if (blob.size > 2)
        CHECK(proc_blob_decode(blob.codec, blob.crc, blob.rawsize, blob.data, blob.size - 2,
                               &out, &got_n, &agg, err, sizeof err) == -1);
    free(blob.data);
    free(in);
}

/* Random bytes claimed to be a raw blob with a matching CRC: the decoder
 * must stay inside the buffer (the sanitizers watch). */
static void test_hostile(void)
{
    srand(7);
    unsigned char buf[512];
    for (int round = 0; round < 3000; round++) {
        size_t len = (size_t)rand() % sizeof buf;
        for (size_t i = 0; i < len; i++)
            buf[i] = (unsigned char)rand();
        if (len > 0)
            buf[0] = 1;   /* the version byte, to get past the header */
        struct proc_values *out = NULL;
        size_t n;
        uint32_t agg;
        char err[128];
        extern unsigned long crc32(unsigned long, const unsigned char *, unsigned);
        uint32_t crc = (uint32_t)crc32(0, buf, (unsigned)len);
        if (proc_blob_decode(PROC_CODEC_RAW, crc, len, buf, len, &out, &n, &agg, err,
                             sizeof err) == 0)
            CHECK(n <= len);
        free(out);
    }
}

/* An empty blob comes back from SQLite as a NULL pointer and length 0
 * (found by make fuzz: decoding it applied an offset to NULL). */
static void test_empty_blob(void)
{
    struct proc_values *out = NULL;
    size_t n;
    uint32_t agg;
    char err[128];
    CHECK(proc_blob_decode(PROC_CODEC_RAW, 0, 0, NULL, 0, &out, &n, &agg, err, sizeof err) != 0);
    CHECK(out == NULL);
    CHECK(proc_blob_decode(PROC_CODEC_ZLIB, 0, 0, NULL, 0, &out, &n, &agg, err, sizeof err) != 0);
}

int main(void)
{
    test_empty_blob();
    test_round_trip(0);
    test_round_trip(1);
    test_round_trip(600);
    test_hostile();
    return CHECK_SUMMARY("test_codec");
}
