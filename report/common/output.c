/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memreport's output stream, its write errors and -o's rename (see output.h). */
#define _GNU_SOURCE
#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* The temporary file, for the signal handler to remove. */
static volatile sig_atomic_t have_tmp;
static char *tmp_to_remove;

static void on_fatal_signal(int sig)
{
    if (have_tmp)
        unlink(tmp_to_remove);
    signal(sig, SIG_DFL);
    raise(sig);
}

static ssize_t sink_write(void *cookie, const char *buf, size_t size)
{
    struct report_output *out = cookie;
    size_t done = 0;
    while (!out->err && done < size) {
        ssize_t n = write(out->fd, buf + done, size - done);
        if (n > 0)
            done += (size_t)n;
        else if (n == 0)
            out->err = EIO;
        else if (errno != EINTR)
            out->err = errno;
    }
    if (out->err) {
        errno = out->err;
        return -1;
    }
    return (ssize_t)done;
}

static int sink_close(void *cookie)
{
    (void)cookie;   /* the descriptor is closed by output_finish(), which checks it */
    return 0;
}

/* "DIR/.BASE.XXXXXX" for PATH "DIR/BASE". */
static char *tmp_template(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t dir = slash ? (size_t)(slash - path) + 1 : 0;
    char *tmp = malloc(strlen(path) + 10);
    if (tmp)
        sprintf(tmp, "%.*s.%s.XXXXXX", (int)dir, path, path + dir);
    return tmp;
}

static void remove_on_signals(char *tmp)
{
    static const int sigs[] = { SIGHUP, SIGINT, SIGTERM, SIGPIPE, SIGXFSZ };
    tmp_to_remove = tmp;
    have_tmp = 1;
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
        signal(sigs[i], on_fatal_signal);
}

static int open_file(struct report_output *out, const char *path)
{
    struct stat st;
    int exists = lstat(path, &st) == 0;
    if (exists && S_ISDIR(st.st_mode)) {
        errno = EISDIR;
        return -1;
    }
    if (exists && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode)) {
        out->fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);   /* a device, a FIFO */
        return out->fd < 0 ? -1 : 0;
    }
    if (!(out->tmp = tmp_template(path)))
        return -1;
    out->fd = mkostemp(out->tmp, O_CLOEXEC);
    if (out->fd < 0) {
        free(out->tmp);
        out->tmp = NULL;
        return -1;
    }
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(out->fd, exists && S_ISREG(st.st_mode) ? st.st_mode & 07777 : 0666 & ~mask) != 0) {
        int why = errno;
        unlink(out->tmp);
        close(out->fd);
        free(out->tmp);
        out->tmp = NULL;
        errno = why;
        return -1;
    }
    remove_on_signals(out->tmp);
    return 0;
}

int output_open(struct report_output *out, const char *path)
{
    memset(out, 0, sizeof *out);
    out->path = path;
    out->name = path ? path : "standard output";
    out->fd = STDOUT_FILENO;
    if (path && open_file(out, path) != 0) {
        report_error(path, strerror(errno));
        return -1;
    }
    static const cookie_io_functions_t sink = { .write = sink_write, .close = sink_close };
    out->stream = fopencookie(out, "w", sink);
    if (!out->stream) {
        report_error(out->name, strerror(errno));
        output_finish(out, 2);
        return -1;
    }
    return 0;
}

/* Flushes, syncs (a file of -o) and closes; the first error in OUT->err. */
static void close_all(struct report_output *out)
{
    if (out->stream && fclose(out->stream) != 0 && !out->err)
        out->err = errno ? errno : EIO;
    out->stream = NULL;
    if (out->tmp && !out->err && fsync(out->fd) != 0)
        out->err = errno;
    if (close(out->fd) != 0 && !out->err && errno != EINTR && errno != EBADF)
        out->err = errno;
}

int output_finish(struct report_output *out, int status)
{
    close_all(out);
    if (out->err) {
        report_error(out->name, strerror(out->err));
        if (status == 0)
            status = 2;
    }
    if (out->tmp) {
        if (status == 0 && rename(out->tmp, out->path) != 0) {
            report_error(out->path, strerror(errno));
            status = 2;
        }
        if (status != 0)
            unlink(out->tmp);
        have_tmp = 0;
        free(out->tmp);
        out->tmp = NULL;
    }
    return status;
}
