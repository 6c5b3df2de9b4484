/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The archive directory, opened without following symbolic links (see
 * safedir.h).  lstat() of "DIR/" follows a link and checks no parent, so a
 * user who owns any component could point root's collector anywhere; here
 * the walk itself is the check, and what it ends on is a descriptor, not a
 * name that can be swapped afterwards.
 */
#define _GNU_SOURCE
#include "safedir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DIR_OPEN_FLAGS (O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY)
/* The walk needs only search permission on each component: a root without
 * CAP_DAC_OVERRIDE (the maintenance unit) may not read every parent. */
#define WALK_FLAGS (O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)

static int fail(char *err, size_t cap, const char *fmt, const char *path, int e)
{
    snprintf(err, cap, fmt, path, strerror(e));
    return -1;
}

/* Opens component NAME of the walk inside AT; SOFAR is the path up to and
 * including it, for messages. */
static int open_component(int at, const char *name, const char *sofar, int create,
                          char *err, size_t cap)
{
    int fd = openat(at, name, WALK_FLAGS);
    if (fd < 0 && errno == ENOENT && create) {
        if (mkdirat(at, name, 0750) != 0 && errno != EEXIST)
            return fail(err, cap, "cannot create directory %s: %s", sofar, errno);
        fd = openat(at, name, WALK_FLAGS);
    }
    if (fd >= 0)
        return fd;
    int e = errno;
    struct stat st;
    if (fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
        snprintf(err, cap, "%s is a symbolic link: running as root, memcollect follows none "
                 "(name the real directory)", sofar);
        return -1;
    }
    return fail(err, cap, "cannot open directory %s: %s", sofar, e);
}

/* Walks DIR component by component from "/" or the working directory. */
static int walk(const char *dir, int create, char *err, size_t cap)
{
    char sofar[4096];
    size_t len = strlen(dir);
    if (len == 0 || len >= sizeof sofar) {
        snprintf(err, cap, "%s", len ? "directory name too long" : "empty directory name");
        return -1;
    }
    int at = open(dir[0] == '/' ? "/" : ".", WALK_FLAGS);
    if (at < 0)
        return fail(err, cap, "cannot open %s: %s", dir[0] == '/' ? "/" : ".", errno);
    const char *p = dir;
    while (*p) {
        while (*p == '/')
            p++;
        size_t n = strcspn(p, "/");
        if (n == 0 || (n == 1 && p[0] == '.')) {
            p += n;
            continue;
        }
        char name[256];
        if (n >= sizeof name) {
            close(at);
            snprintf(err, cap, "a component of %s is too long", dir);
            return -1;
        }
        memcpy(name, p, n);
        name[n] = '\0';
        snprintf(sofar, sizeof sofar, "%.*s", (int)(p + n - dir), dir);
        p += n;
        int last = strspn(p, "/") == strlen(p);
        int fd = open_component(at, name, sofar, create && last, err, cap);
        close(at);
        if (fd < 0)
            return -1;
        at = fd;
    }
    int fd = openat(at, ".", DIR_OPEN_FLAGS);   /* a descriptor that can list and chown */
    if (fd < 0)
        fail(err, cap, "cannot open directory %s: %s", dir, errno);
    close(at);
    return fd;
}

/* Where root writes, another owner or others' write access would let them
 * swap the archive for a link to anything: say which of the two it is. */
static int check_owner_and_mode(int fd, const char *dir, char *err, size_t cap)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return fail(err, cap, "cannot stat %s: %s", dir, errno);
    if (st.st_uid != geteuid()) {
        struct passwd *pw = getpwuid(st.st_uid);
        snprintf(err, cap, "refusing the directory %s: it is owned by %s%s (uid %u), not by "
                 "root, so that user could replace the archives; use a directory root owns",
                 dir, pw ? "user " : "another user", pw ? pw->pw_name : "", (unsigned)st.st_uid);
        return -1;
    }
    if (st.st_mode & (S_IWGRP | S_IWOTH)) {
        snprintf(err, cap, "refusing the directory %s: others can write to it (mode %04o), so "
                 "they could replace the archives; choose a directory only root can write to, "
                 "such as /var/log/memtrail (memcollect -D DIR, or a file in DIR)",
                 dir, (unsigned)(st.st_mode & 07777));
        return -1;
    }
    return 0;
}

int safedir_open(const char *dir, int create, struct safedir *out, char *err, size_t cap)
{
    int fd, strict = geteuid() == 0;
    out->fd = -1;
    out->fdpath[0] = '\0';
    if (strict) {
        fd = walk(dir, create, err, cap);
    } else {
        if (create && mkdir(dir, 0750) != 0 && errno != EEXIST)
            return fail(err, cap, "cannot create directory %s: %s", dir, errno);
        fd = open(dir, DIR_OPEN_FLAGS);
        if (fd < 0)
            return fail(err, cap, "cannot open directory %s: %s", dir, errno);
    }
    if (fd < 0)
        return -1;
    if (strict && check_owner_and_mode(fd, dir, err, cap) != 0) {
        close(fd);
        return -1;
    }
    out->fd = fd;
    snprintf(out->fdpath, sizeof out->fdpath, "/proc/self/fd/%d", fd);
    return 0;
}

int safedir_name(const struct safedir *d, const char *name, char *out, size_t cap)
{
    int n = snprintf(out, cap, "%s/%s", d->fdpath, name);
    return n > 0 && (size_t)n < cap && d->fd >= 0 && !strchr(name, '/') ? 0 : -1;
}

void safedir_shown(const struct safedir *d, const char *dir, const char *text, char *out,
                   size_t cap)
{
    size_t len = strlen(d->fdpath);
    const char *at = len ? strstr(text, d->fdpath) : NULL;
    /* only the whole component: /proc/self/fd/3 is not /proc/self/fd/31 */
    if (!at || (at[len] != '/' && at[len] != '\0'))
        snprintf(out, cap, "%s", text);
    else
        snprintf(out, cap, "%.*s%s%s", (int)(at - text), text, dir, at + len);
}

/* Gives the day file NAME group GID and mode 0640, unless it has them;
 * through a descriptor, so that only a regular file is ever changed. */
static int share_file(int dirfd, const char *name, gid_t gid)
{
    struct stat st;
    int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return errno == ELOOP || errno == ENOENT ? 0 : -1;
    int rc = 0;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
        ((st.st_gid != gid && fchown(fd, (uid_t)-1, gid) != 0) ||
         ((st.st_mode & 07777) != 0640 && fchmod(fd, 0640) != 0)))
        rc = -1;
    int e = errno;
    close(fd);
    errno = e;
    return rc;
}

int safedir_share(const struct safedir *d, gid_t gid, char *err, size_t cap)
{
    struct stat st;
    if (fstat(d->fd, &st) != 0)
        return fail(err, cap, "cannot stat the directory%s: %s", "", errno);
    if (st.st_gid == gid && (st.st_mode & 07777) == 02750)
        return 0;   /* shared already: new files get the group by themselves */
    if ((st.st_gid != gid && fchown(d->fd, (uid_t)-1, gid) != 0) || fchmod(d->fd, 02750) != 0)
        return fail(err, cap, "cannot give the directory to the reading group%s: %s", "", errno);
    DIR *list = fdopendir(dup(d->fd));
    if (!list)
        return fail(err, cap, "cannot list the directory%s: %s", "", errno);
    int rc = 0;
    struct dirent *de;
    while ((de = readdir(list)))
        if (strncmp(de->d_name, "memtrail-", 9) == 0 && share_file(d->fd, de->d_name, gid) != 0)
            rc = fail(err, cap, "cannot give %s to the reading group: %s", de->d_name, errno);
    closedir(list);
    lseek(d->fd, 0, SEEK_SET);   /* the listing moved the offset D shares with it */
    return rc;
}

void safedir_close(struct safedir *d)
{
    if (d->fd >= 0)
        close(d->fd);
    d->fd = -1;
}
