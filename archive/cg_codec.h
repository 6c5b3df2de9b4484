/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The per-cgroup values of one sample as one blob, packed as process blobs
 * are (proc_codec.h: columnar varints, zlib, CRC-32 of the raw bytes).
 * A blob is either a key blob, self-contained, or a delta blob: each
 * cgroup that the key blob it names also holds is stored as the difference
 * from its values there (most counters of most cgroups do not move between
 * samples, so the differences are zeros that zlib all but erases).  A
 * damaged key blob costs the delta blobs that refer to it, no others.
 */
#ifndef MEMTRAIL_CG_CODEC_H
#define MEMTRAIL_CG_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "proc_codec.h"

#define CG_NVALUES 22   /* the numbers of struct cgroup_mem, in cg_value_offsets order */

/* Where each stored value lives in struct cgroup_mem. */
extern const size_t cg_value_offsets[CG_NVALUES];

/* One cgroup as stored: its identity number and its values (CGROUP_ABSENT
 * and CGROUP_UNLIMITED kept as such). */
struct cg_values {
    int64_t ci;
    uint64_t v[CG_NVALUES];
};

void cg_values_of(const struct cgroup_mem *m, int64_t ci, struct cg_values *out);
void cg_values_to(const struct cg_values *in, struct cgroup_mem *m);

/* Encodes N values (sorted by ci, ascending) into BLOB, as differences
 * from BASE (NBASE values sorted by ci; NULL: a key blob).  -1 when out of
 * memory. */
int cg_blob_encode(const struct cg_values *v, size_t n, uint32_t aggregated,
                   const struct cg_values *base, size_t nbase, struct proc_blob *blob);
/* Decodes a stored blob into *V (malloc'd, *N entries), with BASE the key
 * blob's values for a delta blob (NULL for a key blob).  0, or -1 with ERR
 * saying why (checksum, truncated, a delta without its base). */
int cg_blob_decode(int codec, uint32_t crc, size_t rawsize, const unsigned char *data,
                   size_t size, const struct cg_values *base, size_t nbase,
                   struct cg_values **v, size_t *n, uint32_t *aggregated, char *err,
                   size_t err_cap);

#endif
