/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * wait4: runs one command of `make bench` (bench/lib.sh's once) with stdin,
 * stdout and stderr on /dev/null and prints "cpu_ms maxrss_kb status": user +
 * system CPU and peak RSS of the child from wait4(), and its exit status.
 * Forked from this small C program, not spawned from python3, because the
 * kernel counts the child's pre-exec image in ru_maxrss.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open("/dev/null", O_RDWR);
        dup2(fd, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        execv(argv[1], argv + 1);
        _exit(127);
    }
    int st;
    struct rusage ru;
    if (pid < 0 || wait4(pid, &st, 0, &ru) < 0)
        return 2;
    printf("%.3f %ld %d\n",
           (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
               (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3,
           ru.ru_maxrss, WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
    return 0;
}
