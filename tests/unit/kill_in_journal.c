/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kills a collector inside its transaction, for tests/journal/run.sh:
 *   kill_in_journal DIR MAX_US COMMAND...
 * runs COMMAND and, once a rollback journal (*-journal) has appeared in
 * DIR (inotify) and become hot (SQLite writes its magic number when it
 * syncs it, just before it changes the database), waits a random 0..MAX_US
 * microseconds, then kill -9s it.  Exits 0 when it killed COMMAND so, 1
 * when COMMAND ended first, 2 on error.  Without arguments (the unit-test run) it checks
 * that inotify works here, and exits 0.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <time.h>
#include <poll.h>
#include <unistd.h>

/* The name of the journal created, or NULL. */
static const char *journal_created(int fd)
{
    static char name[4096];
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    ssize_t n = read(fd, buf, sizeof buf);
    for (char *p = buf; n > 0 && p < buf + n;) {
        const struct inotify_event *ev = (const struct inotify_event *)p;
        size_t len = ev->len ? strlen(ev->name) : 0;
        if (len > 8 && len < sizeof name && strcmp(ev->name + len - 8, "-journal") == 0)
            return memcpy(name, ev->name, len + 1);
        p += sizeof *ev + ev->len;
    }
    return NULL;
}

/* Waits until the journal's first byte is no longer zero: 0, or -1 when
 * CHILD ended or the journal went away first. */
static int wait_hot(const char *dir, const char *name, pid_t child)
{
    char path[8192];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    unsigned char first = 0;
    while (pread(fd, &first, 1, 0) != 1 || first == 0) {
        if (waitpid(child, NULL, WNOHANG) == child || access(path, F_OK) != 0) {
            close(fd);
            return -1;
        }
    }
    close(fd);
    return 0;
}

int main(int argc, char **argv)
{
    int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    if (argc < 4)
        return fd < 0 ? 2 : 0;
    if (fd < 0 || inotify_add_watch(fd, argv[1], IN_CREATE) < 0) {
        perror("kill_in_journal: inotify");
        return 2;
    }
    long max_us = atol(argv[2]);
    srand((unsigned)time(NULL) ^ (unsigned)getpid());
    pid_t child = fork();
    if (child < 0)
        return 2;
    if (child == 0) {
        execvp(argv[3], argv + 3);
        _exit(127);
    }
    for (;;) {
        struct pollfd p = { fd, POLLIN, 0 };
        const char *name = poll(&p, 1, 1) > 0 ? journal_created(fd) : NULL;
        if (name) {
            if (wait_hot(argv[1], name, child) != 0)
                return 1;
            if (max_us > 0)
                usleep((useconds_t)(rand() % (max_us + 1)));
            kill(child, SIGKILL);
            waitpid(child, NULL, 0);
            return 0;
        }
        if (waitpid(child, NULL, WNOHANG) == child)
            return 1;
    }
}
