/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A fault-injection shim for the tests (LD_PRELOAD), as SQLite tests its
 * own I/O error paths: it makes the Nth call of one kind of write, sync,
 * rename or unlink fail, and it counts the calls of every kind.
 *
 *   MEMTRAIL_FAULT=KIND:N:ERRNO   the Nth call of KIND (1-based) fails with
 *                                 ERRNO (EIO or ENOSPC) without being made
 *   MEMTRAIL_FAULT_COUNT=FILE     at exit, "KIND COUNT" lines appended to FILE
 *
 * KIND is write, pwrite (pwrite and pwrite64), fsync, fdatasync, rename,
 * renameat (renameat and renameat2), unlink or unlinkat.  Writes to
 * descriptors 0-2 are neither counted nor failed, so the program under test
 * can still say what went wrong.  SQLite is linked into memcollect
 * statically, but it reaches these functions through the dynamic linker
 * (its system-call table holds their addresses), so they are interposed.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

enum kind { K_WRITE, K_PWRITE, K_FSYNC, K_FDATASYNC, K_RENAME, K_RENAMEAT, K_UNLINK,
            K_UNLINKAT, K_COUNT };
static const char *const kind_names[K_COUNT] = { "write", "pwrite", "fsync", "fdatasync",
                                                 "rename", "renameat", "unlink", "unlinkat" };
static long calls[K_COUNT];
static int fail_kind = -1;
static long fail_at;
static int fail_errno;

__attribute__((constructor)) static void read_settings(void)
{
    const char *spec = getenv("MEMTRAIL_FAULT");
    char kind[16], err[16];
    long n;
    if (!spec || sscanf(spec, "%15[a-z]:%ld:%15[A-Z]", kind, &n, err) != 3 || n < 1)
        return;
    for (int k = 0; k < K_COUNT; k++)
        if (strcmp(kind, kind_names[k]) == 0)
            fail_kind = k;
    fail_at = n;
    fail_errno = strcmp(err, "ENOSPC") == 0 ? ENOSPC : EIO;
}

/* Counts a call of KIND; non-zero when it is the one to fail (errno set). */
static int injected(enum kind k)
{
    if (++calls[k] == fail_at && (int)k == fail_kind) {
        errno = fail_errno;
        return 1;
    }
    return 0;
}

#define REAL(ret, name, ...) \
    static ret (*real)(__VA_ARGS__); \
    if (!real) \
        real = (ret (*)(__VA_ARGS__))dlsym(RTLD_NEXT, name)

ssize_t write(int fd, const void *buf, size_t n)
{
    REAL(ssize_t, "write", int, const void *, size_t);
    if (fd > 2 && injected(K_WRITE))
        return -1;
    return real(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t at)
{
    REAL(ssize_t, "pwrite", int, const void *, size_t, off_t);
    if (fd > 2 && injected(K_PWRITE))
        return -1;
    return real(fd, buf, n, at);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t at)
{
    REAL(ssize_t, "pwrite64", int, const void *, size_t, off_t);
    if (fd > 2 && injected(K_PWRITE))
        return -1;
    return real(fd, buf, n, at);
}

int fsync(int fd)
{
    REAL(int, "fsync", int);
    return injected(K_FSYNC) ? -1 : real(fd);
}

int fdatasync(int fd)
{
    REAL(int, "fdatasync", int);
    return injected(K_FDATASYNC) ? -1 : real(fd);
}

int rename(const char *from, const char *to)
{
    REAL(int, "rename", const char *, const char *);
    return injected(K_RENAME) ? -1 : real(from, to);
}

int renameat(int fromdir, const char *from, int todir, const char *to)
{
    REAL(int, "renameat", int, const char *, int, const char *);
    return injected(K_RENAMEAT) ? -1 : real(fromdir, from, todir, to);
}

int renameat2(int fromdir, const char *from, int todir, const char *to, unsigned flags)
{
    REAL(int, "renameat2", int, const char *, int, const char *, unsigned);
    return injected(K_RENAMEAT) ? -1 : real(fromdir, from, todir, to, flags);
}

int unlink(const char *path)
{
    REAL(int, "unlink", const char *);
    return injected(K_UNLINK) ? -1 : real(path);
}

int unlinkat(int dir, const char *path, int flags)
{
    REAL(int, "unlinkat", int, const char *, int);
    return injected(K_UNLINKAT) ? -1 : real(dir, path, flags);
}

__attribute__((destructor)) static void write_counts(void)
{
    const char *file = getenv("MEMTRAIL_FAULT_COUNT");
    if (!file)
        return;
    char text[512];
    size_t used = 0;
    for (int k = 0; k < K_COUNT; k++)
        used += (size_t)snprintf(text + used, sizeof text - used, "%s %ld\n", kind_names[k],
                                 calls[k]);
    int fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return;
    REAL(ssize_t, "write", int, const void *, size_t);
    if (real(fd, text, used) < 0) {
        /* nothing to do: the test sees the counts missing */
    }
    close(fd);
}
