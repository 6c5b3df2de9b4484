/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Finished archives kept compressed (memtrail-YYYYMMDD.db.gz): making them
 * crash-safely, and opening them read-only in memory, where SQLite reads
 * them as it reads the plain file (sqlite3_deserialize; rollback-journal
 * images need no patching).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "internal.h"

int archive_is_compressed(const char *path)
{
    unsigned char magic[2] = { 0, 0 };
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, magic, sizeof magic);
    close(fd);
    return n == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
}

int archive_open_compressed(const char *path, sqlite3 **db, int writable, char *err, size_t cap)
{
    gzFile gz = gzopen(path, "rb");
    if (!gz)
        return archive_fail(err, cap, ARCHIVE_ERROR, "%s%s", strerror(errno ? errno : ENOMEM), "");
    sqlite3_int64 size = 0, space = 1 << 20;
    unsigned char *buf = sqlite3_malloc64((sqlite3_uint64)space);
    int rc = ARCHIVE_OK;
    while (buf) {
        if (size == space) {
            if (space >= ARCHIVE_IMAGE_MAX) {
                rc = archive_fail(err, cap, ARCHIVE_NOT_OURS, "inflates past 4 GiB%s%s", "", "");
                break;
            }
            space *= 2;
            unsigned char *grown = sqlite3_realloc64(buf, (sqlite3_uint64)space);
            if (!grown)
                break;
            buf = grown;
        }
        unsigned want = (unsigned)(space - size > (1 << 30) ? (1 << 30) : space - size);
        int got = gzread(gz, buf + size, want);
        if (got < 0) {
            int zerr;
            rc = archive_fail(err, cap, ARCHIVE_NOT_OURS, "damaged compressed data: %s%s",
                              gzerror(gz, &zerr), "");
            break;
        }
        if (got == 0) {
            int zerr;
            const char *why = gzerror(gz, &zerr);
            if (zerr != Z_OK)   /* a truncated file ends without an error from gzread */
                rc = archive_fail(err, cap, ARCHIVE_NOT_OURS, "damaged compressed data: %s%s",
                                  why, "");
            break;
        }
        size += got;
    }
    gzclose(gz);
    if (!buf)
        return archive_fail(err, cap, ARCHIVE_ERROR, "out of memory%s%s", "", "");
    if (rc != ARCHIVE_OK) {
        sqlite3_free(buf);
        return rc;
    }
    return archive_image_open(db, buf, size, space, writable, err, cap);
}

static int sync_directory_of(const char *path)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *(slash == dir ? slash + 1 : slash) = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/* A new file at TMP with the mode and the group of the file LIKE it
 * replaces: the group may have been given by hand, without a setgid
 * directory, and its readers must keep reading the day. */
static int create_like(const char *tmp, const struct stat *like, char *err, size_t cap)
{
    int out = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                   like->st_mode & 0777);
    if (out < 0)
        return archive_fail(err, cap, ARCHIVE_ERROR, "cannot create %s: %s", tmp, strerror(errno));
    struct stat st;
    if (fstat(out, &st) != 0 ||
        (st.st_gid != like->st_gid && fchown(out, (uid_t)-1, like->st_gid) != 0)) {
        archive_fail(err, cap, ARCHIVE_ERROR, "cannot give %s the group of the original: %s", tmp,
                     strerror(errno));
        close(out);
        unlink(tmp);
        return -1;
    }
    return out;
}

/* A new gzip file at TMP, synced to disk, filled from the open file IN, or
 * from DATA (SIZE bytes) when IN < 0. */
static int write_compressed(int in, const unsigned char *data, sqlite3_int64 size,
                            const char *tmp, const struct stat *like, char *err, size_t cap)
{
    int out = create_like(tmp, like, err, cap);
    if (out < 0)
        return ARCHIVE_ERROR;
    gzFile gz = gzdopen(dup(out), "wb6");
    int rc = gz ? ARCHIVE_OK : archive_fail(err, cap, ARCHIVE_ERROR, "out of memory%s%s", "", "");
    static unsigned char buf[1 << 16];
    for (sqlite3_int64 done = 0; rc == ARCHIVE_OK;) {
        const unsigned char *chunk = buf;
        ssize_t n;
        if (in >= 0) {
            n = read(in, buf, sizeof buf);
        } else {
            sqlite3_int64 left = size - done;
            n = (ssize_t)(left < (sqlite3_int64)sizeof buf ? left : (sqlite3_int64)sizeof buf);
            chunk = data + done;
        }
        if (n == 0)
            break;
        if (n < 0 || gzwrite(gz, chunk, (unsigned)n) != (int)n)
            rc = archive_fail(err, cap, ARCHIVE_ERROR, "cannot compress: %s%s",
                              n < 0 ? strerror(errno) : "write failed", "");
        done += n;
    }
    if (gz && gzclose(gz) != Z_OK && rc == ARCHIVE_OK)
        rc = archive_fail(err, cap, ARCHIVE_ERROR, "cannot write %s%s", tmp, "");
    if (rc == ARCHIVE_OK && fsync(out) != 0)
        rc = archive_fail(err, cap, ARCHIVE_ERROR, "cannot sync %s: %s", tmp, strerror(errno));
    close(out);
    if (rc != ARCHIVE_OK)
        unlink(tmp);
    return rc;
}

/* TMP becomes GZ, the directory is synced, and only then PATH is removed. */
static int publish(const char *tmp, const char *gz, const char *path, char *err, size_t cap)
{
    int rc = ARCHIVE_OK;
    if (rename(tmp, gz) != 0)
        rc = archive_fail(err, cap, ARCHIVE_ERROR, "cannot rename: %s%s", strerror(errno), "");
    if (rc == ARCHIVE_OK && sync_directory_of(gz) != 0)
        rc = archive_fail(err, cap, ARCHIVE_ERROR, "cannot sync the directory: %s%s",
                          strerror(errno), "");
    if (rc == ARCHIVE_OK && unlink(path) != 0)
        rc = archive_fail(err, cap, ARCHIVE_ERROR, "cannot remove the original: %s%s",
                          strerror(errno), "");
    if (rc != ARCHIVE_OK)
        unlink(tmp);
    return rc;
}

static void compressed_names(const char *path, char *tmp, char *gz, size_t cap)
{
    snprintf(gz, cap, "%s.gz", path);
    snprintf(tmp, cap, "%s.gz.tmp", path);
}

/*
 * PATH becomes PATH.gz: write a temporary file, sync it, rename it into
 * place, sync the directory, and only then remove the original.  A crash
 * at any point leaves at least one complete, readable copy (and perhaps a
 * stale temporary file, which the next run replaces).
 */
int archive_compress(const char *path, char *err, size_t cap)
{
    char tmp[PATH_MAX], gz[PATH_MAX], journal[PATH_MAX];
    compressed_names(path, tmp, gz, sizeof gz);
    snprintf(journal, sizeof journal, "%s-journal", path);
    if (access(journal, F_OK) == 0)   /* a writer started since the journal was rolled back */
        return archive_fail(err, cap, ARCHIVE_BUSY, "has a journal: left as it is%s%s", "", "");
    int in = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
    if (in < 0)
        return archive_fail(err, cap, ARCHIVE_ERROR, "cannot open: %s%s", strerror(errno), "");
    struct stat st;
    if (fstat(in, &st) != 0 || !S_ISREG(st.st_mode) || !archive_is_sqlite_fd(in)) {
        close(in);
        return archive_fail(err, cap, ARCHIVE_NOT_OURS, "not an archive%s%s", "", "");
    }
    if (flock(in, LOCK_EX | LOCK_NB) != 0) {   /* a writer has it: not finished */
        close(in);
        return archive_fail(err, cap, ARCHIVE_BUSY, "in use: left as it is%s%s", "", "");
    }
    unlink(tmp);   /* a stale one from an interrupted run */
    int rc = write_compressed(in, NULL, 0, tmp, &st, err, cap);
    if (rc == ARCHIVE_OK)
        rc = publish(tmp, gz, path, err, cap);
    close(in);
    return rc;
}

/* The caller holds the writer's lock of PATH. */
int archive_compress_image(sqlite3 *db, const char *path, char *err, size_t cap)
{
    char tmp[PATH_MAX], gz[PATH_MAX];
    compressed_names(path, tmp, gz, sizeof gz);
    struct stat st;
    if (stat(path, &st) != 0)
        return archive_fail(err, cap, ARCHIVE_ERROR, "cannot open: %s%s", strerror(errno), "");
    sqlite3_int64 size = 0;
    unsigned char *data = sqlite3_serialize(db, "main", &size, 0);
    if (!data)
        return archive_fail(err, cap, ARCHIVE_ERROR, "out of memory%s%s", "", "");
    unlink(tmp);
    int rc = write_compressed(-1, data, size, tmp, &st, err, cap);
    sqlite3_free(data);
    return rc == ARCHIVE_OK ? publish(tmp, gz, path, err, cap) : rc;
}

int archive_is_sqlite_fd(int fd)
{
    static const char magic[16] = "SQLite format 3";
    char head[16];
    return pread(fd, head, sizeof head, 0) == (ssize_t)sizeof head &&
           memcmp(head, magic, sizeof magic) == 0;
}
