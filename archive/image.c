/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Archives read into memory: a plain file whose rollback journal is hot (a
 * collector died in the middle of a sample) is copied into memory and the
 * journal played back into that private copy, never into the file, so that
 * a reader who may not write either file still sees the last committed
 * state.  SQLite itself would refuse: it must roll a hot journal back in
 * place before it reads, which a read-only open cannot.
 *
 * The journal format is SQLite's (sqlite.org/fileformat.html, "The Rollback
 * Journal"): segments of a header, padded to the sector size, followed by
 * page records (page number, the page as it was, a checksum).  Every field
 * is checked as SQLite checks it; a record whose checksum does not match
 * ends the playback, as in SQLite.  Locks are SQLite's own (POSIX locks on
 * the bytes at 1 GiB), so that a journal of a live writer is never played.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

/* SQLite's lock bytes (os_unix.c) */
#define PENDING_BYTE  0x40000000
#define RESERVED_BYTE (PENDING_BYTE + 1)
#define SHARED_FIRST  (PENDING_BYTE + 2)
#define SHARED_SIZE   510

#define JOURNAL_HEADER 28
#define LOCK_WAIT_MS 5000

static const unsigned char journal_magic[8] = { 0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7 };

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int power_of_two_in(uint32_t v, uint32_t lo, uint32_t hi)
{
    return v >= lo && v <= hi && (v & (v - 1)) == 0;
}

int archive_image_open(sqlite3 **db, unsigned char *buf, sqlite3_int64 size,
                       sqlite3_int64 space, int writable, char *err, size_t cap)
{
    if (sqlite3_open(":memory:", db) != SQLITE_OK) {
        sqlite3_free(buf);
        return archive_fail(err, cap, ARCHIVE_ERROR, "out of memory%s%s", "", "");
    }
    unsigned flags = SQLITE_DESERIALIZE_FREEONCLOSE |
                     (writable ? SQLITE_DESERIALIZE_RESIZEABLE : SQLITE_DESERIALIZE_READONLY);
    /* SQLite owns BUF from here, freed on close even when this fails */
    if (sqlite3_deserialize(*db, "main", buf, size, space, flags) != SQLITE_OK)
        return archive_fail(err, cap, ARCHIVE_NOT_OURS, "not a memtrail archive%s%s", "", "");
    return ARCHIVE_OK;
}

static int posix_lock(int fd, short type, off_t start, off_t len)
{
    struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
    return fcntl(fd, F_SETLK, &fl);
}

/* SQLite's SHARED lock, waiting for a writer that is committing: while it
 * is held no writer changes the file, so the file is a committed state
 * (plus, after a crash, what a hot journal undoes). */
static int shared_lock(int fd)
{
    for (int waited = 0;; waited += 10) {
        if (posix_lock(fd, F_RDLCK, PENDING_BYTE, 1) == 0) {
            int rc = posix_lock(fd, F_RDLCK, SHARED_FIRST, SHARED_SIZE);
            posix_lock(fd, F_UNLCK, PENDING_BYTE, 1);
            if (rc == 0)
                return 0;
        }
        if ((errno != EACCES && errno != EAGAIN) || waited >= LOCK_WAIT_MS)
            return -1;
        struct timespec pause = { 0, 10 * 1000 * 1000 };
        nanosleep(&pause, NULL);
    }
}

/* Whether another process holds SQLite's RESERVED lock: a live writer in a
 * transaction, whose journal is its own and not hot. */
static int writer_alive(int fd)
{
    struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = RESERVED_BYTE,
                        .l_len = 1 };
    return fcntl(fd, F_GETLK, &fl) != 0 || fl.l_type != F_UNLCK;
}

/* Reads all of FD into a new buffer (sqlite3_malloc64), at most
 * ARCHIVE_IMAGE_MAX bytes. */
static int read_whole(int fd, unsigned char **buf, sqlite3_int64 *size, char *err, size_t cap)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return archive_fail(err, cap, ARCHIVE_ERROR, "%s%s", strerror(errno), "");
    if (st.st_size > ARCHIVE_IMAGE_MAX)
        return archive_fail(err, cap, ARCHIVE_NOT_OURS, "larger than 4 GiB%s%s", "", "");
    *size = st.st_size;
    *buf = sqlite3_malloc64((sqlite3_uint64)(*size ? *size : 1));
    if (!*buf)
        return archive_fail(err, cap, ARCHIVE_ERROR, "out of memory%s%s", "", "");
    for (sqlite3_int64 got = 0; got < *size;) {
        ssize_t n = pread(fd, *buf + got, (size_t)(*size - got), got);
        if (n <= 0) {
            *size = got;   /* shrunk under us: what was read is all there is */
            break;
        }
        got += n;
    }
    return ARCHIVE_OK;
}

/* The page size of a database image, 0 when it has no header. */
static uint32_t image_page_size(const unsigned char *buf, sqlite3_int64 size)
{
    if (size < 100)
        return 0;
    uint32_t v = (uint32_t)buf[16] << 8 | buf[17];
    return v == 1 ? 65536 : v;
}

struct journal {
    int fd;
    sqlite3_int64 size;
    uint32_t page_size, sector_size, nonce, original_pages;
    unsigned char page[65536 + 8];
};

/* SQLite's pager_cksum(): the nonce plus every 200th byte, from the end. */
static uint32_t page_checksum(const struct journal *j, const unsigned char *data)
{
    uint32_t sum = j->nonce;
    for (int i = (int)j->page_size - 200; i > 0; i -= 200)
        sum += data[i];
    return sum;
}

/* Reads the segment header at OFF: 1 with NREC set, 0 at the end. */
static int segment_header(struct journal *j, sqlite3_int64 off, int first, uint32_t *nrec)
{
    unsigned char h[JOURNAL_HEADER];
    if (off + JOURNAL_HEADER > j->size || pread(j->fd, h, sizeof h, off) != (ssize_t)sizeof h ||
        memcmp(h, journal_magic, sizeof journal_magic) != 0)
        return 0;
    *nrec = be32(h + 8);
    j->nonce = be32(h + 12);
    if (first) {
        j->original_pages = be32(h + 16);
        j->sector_size = be32(h + 20);
        j->page_size = be32(h + 24);
        if (!power_of_two_in(j->sector_size, 32, 65536) ||
            !power_of_two_in(j->page_size, 512, 65536))
            return 0;
    }
    return 1;
}

/* The image cut (or zero-extended) to the journal's original size. */
static int truncate_image(const struct journal *j, unsigned char **buf, sqlite3_int64 *size,
                          sqlite3_int64 *space, char *err, size_t cap)
{
    sqlite3_int64 want = (sqlite3_int64)j->original_pages * j->page_size;
    if (want > ARCHIVE_IMAGE_MAX)
        return archive_fail(err, cap, ARCHIVE_NOT_OURS, "damaged journal: size%s%s", "", "");
    if (want > *space) {
        unsigned char *grown = sqlite3_realloc64(*buf, (sqlite3_uint64)want);
        if (!grown)
            return archive_fail(err, cap, ARCHIVE_ERROR, "out of memory%s%s", "", "");
        *buf = grown;
        *space = want;
    }
    if (want > *size)
        memset(*buf + *size, 0, (size_t)(want - *size));
    *size = want;
    return ARCHIVE_OK;
}

/* Plays journal J back into the image BUF, as SQLite's pager_playback()
 * does for a hot journal.  A journal that does not start with a valid
 * header holds nothing to undo. */
static int play_back(struct journal *j, unsigned char **buf, sqlite3_int64 *size,
                     sqlite3_int64 *space, char *err, size_t cap)
{
    uint32_t nrec;
    if (!segment_header(j, 0, 1, &nrec))
        return ARCHIVE_OK;
    uint32_t db_page = image_page_size(*buf, *size);
    if (db_page && db_page != j->page_size)
        return ARCHIVE_OK;   /* not this database's journal: SQLite ignores it too */
    int rc = truncate_image(j, buf, size, space, err, cap);
    if (rc != ARCHIVE_OK)
        return rc;
    sqlite3_int64 record = (sqlite3_int64)j->page_size + 8, off = j->sector_size;
    for (;;) {
        if (nrec == 0xffffffffu)   /* journals written without sync: to the end */
            nrec = (uint32_t)((j->size - off) / record);
        for (uint32_t r = 0; r < nrec; r++, off += record) {
            if (off + record > j->size ||
                pread(j->fd, j->page, (size_t)record, off) != (ssize_t)record)
                return ARCHIVE_OK;
            uint32_t pgno = be32(j->page);
            if (page_checksum(j, j->page + 4) != be32(j->page + 4 + j->page_size))
                return ARCHIVE_OK;   /* never synced: the end of what to undo */
            if (pgno == 0 || pgno > j->original_pages ||
                pgno == PENDING_BYTE / j->page_size + 1)
                continue;
            memcpy(*buf + (sqlite3_int64)(pgno - 1) * j->page_size, j->page + 4, j->page_size);
        }
        off = (off + j->sector_size - 1) / j->sector_size * j->sector_size;
        if (!segment_header(j, off, 0, &nrec))
            return ARCHIVE_OK;
        off += j->sector_size;
    }
}

/* The journal of PATH played back into the image, when there is one. */
static int undo_journal(const char *path, unsigned char **buf, sqlite3_int64 *size,
                        sqlite3_int64 *space, char *err, size_t cap)
{
    char name[4096];
    if ((size_t)snprintf(name, sizeof name, "%s-journal", path) >= sizeof name)
        return archive_fail(err, cap, ARCHIVE_ERROR, "name too long%s%s", "", "");
    static struct journal j;
    j.fd = open(name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
    if (j.fd < 0) {
        if (errno == ENOENT)
            return ARCHIVE_OK;   /* committed, or rolled back, meanwhile */
        return archive_fail(err, cap, ARCHIVE_ERROR, "cannot read its journal: %s%s",
                            strerror(errno), "");
    }
    struct stat st;
    int rc = ARCHIVE_OK;
    if (fstat(j.fd, &st) == 0 && S_ISREG(st.st_mode)) {
        j.size = st.st_size;
        rc = play_back(&j, buf, size, space, err, cap);
    }
    close(j.fd);
    return rc;
}

int archive_open_journaled(const char *path, sqlite3 **db, int writable, char *err, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return archive_fail(err, cap, errno == ENOENT ? ARCHIVE_MISSING : ARCHIVE_ERROR, "%s%s",
                            strerror(errno), "");
    if (shared_lock(fd) != 0) {
        int e = errno;
        close(fd);
        return archive_fail(err, cap, ARCHIVE_BUSY, "cannot lock it for reading: %s%s",
                            e == EACCES || e == EAGAIN ? "a writer is committing" : strerror(e),
                            "");
    }
    unsigned char *buf = NULL;
    sqlite3_int64 size = 0;
    int rc = read_whole(fd, &buf, &size, err, cap);
    sqlite3_int64 space = size;
    if (rc == ARCHIVE_OK && !writer_alive(fd))
        rc = undo_journal(path, &buf, &size, &space, err, cap);
    close(fd);   /* drops the lock */
    if (rc != ARCHIVE_OK) {
        sqlite3_free(buf);
        return rc;
    }
    return archive_image_open(db, buf, size, space ? space : 1, writable, err, cap);
}
