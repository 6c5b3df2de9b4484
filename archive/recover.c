/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A day left with a journal by a writer that died mid-sample, made whole
 * for good by memcollect --maintain: SQLite rolls a hot journal back into
 * the file when a writer opens it, which readers cannot do (they read the
 * committed state in memory instead, archive/image.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

int archive_recover(const char *path, char *err, size_t cap)
{
    char journal[PATH_MAX];
    if ((size_t)snprintf(journal, sizeof journal, "%s-journal", path) >= sizeof journal)
        return archive_fail(err, cap, ARCHIVE_ERROR, "name too long%s%s", "", "");
    if (access(journal, F_OK) != 0)
        return ARCHIVE_OK;
    struct archive *ar;
    char why[400];
    int rc = archive_open_writer(path, 0, &ar, why, sizeof why);
    if (rc == ARCHIVE_BUSY)
        return archive_fail(err, cap, rc, "has a journal and a live writer: left as it is%s%s",
                            "", "");
    if (rc == ARCHIVE_OK) {
        /* any read makes SQLite roll a hot journal back, and delete it */
        if (sqlite3_exec(ar->db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL) !=
            SQLITE_OK)
            rc = archive_sql_fail(ar, why, sizeof why, "cannot read");
        /* still there, the writer's lock held: SQLite found nothing to undo */
        else if (unlink(journal) != 0 && errno != ENOENT)
            rc = archive_fail(why, sizeof why, ARCHIVE_ERROR, "cannot remove it: %s%s",
                              strerror(errno), "");
        archive_close(ar);
    }
    if (rc == ARCHIVE_OK)
        return ARCHIVE_OK;
    return archive_fail(err, cap, ARCHIVE_ERROR,
                        "has a journal left by a collector that died mid-sample, and it cannot be"
                        " rolled back (%s); readers still see its last committed state; fix the"
                        " cause, then run memcollect --maintain again", why, "");
}
