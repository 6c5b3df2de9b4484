/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The unit tests' one assertion: CHECK(cond) counts a pass or prints the
 * failed condition with its file and line; CHECK_SUMMARY(name) prints the
 * counts and gives main()'s exit status.  Header-only: each test program
 * includes it once.
 */
#ifndef MEMTRAIL_TEST_CHECK_H
#define MEMTRAIL_TEST_CHECK_H

#include <stdio.h>

static int checks_passed, checks_failed;

#define CHECK(cond) check_result((cond), #cond, __FILE__, __LINE__)
#define CHECK_SUMMARY(name) check_summary(name)

static inline void check_result(int ok, const char *what, const char *file, int line)
{
    if (ok) {
        checks_passed++;
    } else {
        checks_failed++;
        printf("FAIL %s:%d: %s\n", file, line, what);
    }
}

static inline int check_summary(const char *name)
{
    printf("%s: %d passed, %d failed\n", name, checks_passed, checks_failed);
    return checks_failed ? 1 : 0;
}

#endif
