/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A SQLite VFS for archives named through a directory descriptor
 * ("/proc/self/fd/N/memtrail-YYYYMMDD.db", see lib/safedir.h).  The stock
 * unix VFS turns every name into a full path by reading symbolic links,
 * /proc/self/fd/N included, so it would reopen the database and create its
 * journal by the directory's path again: the name a user could swap.  This
 * one is the unix VFS with only that step changed: such names are kept as
 * they are, so the kernel resolves each open (database, journal, directory
 * sync) through the descriptor.  Other names go through the unix VFS.
 */
#include <string.h>

#include "internal.h"

#define FD_PREFIX "/proc/self/fd/"

static sqlite3_vfs fd_vfs;
static sqlite3_vfs *unix_vfs;

static int fd_full_pathname(sqlite3_vfs *vfs, const char *name, int cap, char *out)
{
    (void)vfs;
    if (strncmp(name, FD_PREFIX, strlen(FD_PREFIX)) != 0)
        return unix_vfs->xFullPathname(unix_vfs, name, cap, out);
    size_t n = strlen(name);
    if (cap <= 0 || n >= (size_t)cap)
        return SQLITE_CANTOPEN;
    memcpy(out, name, n + 1);
    return SQLITE_OK;
}

const char *archive_fd_vfs(void)
{
    if (!unix_vfs) {
        sqlite3_vfs *base = sqlite3_vfs_find("unix");
        if (!base)
            return NULL;   /* the default VFS, then */
        fd_vfs = *base;
        fd_vfs.zName = "memtrail-fd";
        fd_vfs.xFullPathname = fd_full_pathname;
        if (sqlite3_vfs_register(&fd_vfs, 0) != SQLITE_OK)
            return NULL;
        unix_vfs = base;
    }
    return fd_vfs.zName;
}
