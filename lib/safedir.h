/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Opening the archive directory without following symbolic links, for a
 * collector that runs as root in a directory other users may name.  Every
 * file operation afterwards goes through the directory's descriptor: the
 * *at() calls, or a name under "/proc/self/fd/N/", which the kernel resolves
 * through the descriptor, never by the directory's path again.
 */
#ifndef MEMTRAIL_SAFEDIR_H
#define MEMTRAIL_SAFEDIR_H

#include <stddef.h>
#include <sys/types.h>

struct safedir {
    int fd;               /* the directory; -1 when closed */
    char fdpath[32];      /* "/proc/self/fd/N" */
};

/* Opens DIR (absolute, or relative to the working directory), creating its
 * last component (0750) when CREATE and it is missing.  As root, each
 * component is opened with O_NOFOLLOW from "/" or the working directory, so
 * a symbolic link anywhere is refused, and the directory must be root's and
 * writable by nobody else; the message names the component and the cause.
 * Other users can only write where they could anyway: their links are
 * followed.  Returns 0, or -1 with ERR saying why. */
int safedir_open(const char *dir, int create, struct safedir *out, char *err, size_t cap);

/* NAME inside D as a path that reaches it through D's descriptor. */
int safedir_name(const struct safedir *d, const char *name, char *out, size_t cap);

/* TEXT (a message) with D's "/proc/self/fd/N" written as DIR, the name the
 * user gave, into OUT. */
void safedir_shown(const struct safedir *d, const char *dir, const char *text, char *out,
                   size_t cap);

/* Shares D with the reading group GID: the directory becomes group GID,
 * mode 2750 (setgid: the files created in it get the group), and the day
 * files already in it (memtrail-*) group GID, mode 0640.  Only what differs
 * is changed.  0, or -1 with ERR saying why. */
int safedir_share(const struct safedir *d, gid_t gid, char *err, size_t cap);

void safedir_close(struct safedir *d);

#endif
