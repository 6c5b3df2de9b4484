/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of report/common/textsafe.c, the one function every text report shows
 * process names and command lines through: what becomes '?' (one per
 * character, one per stray byte), what is kept, and the cut at a character
 * when the buffer is short.  Without arguments, as tests/run.sh runs it.
 */
#include "check.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "textsafe.h"

static int shows(const char *in, const char *want)
{
    char buf[256];
    text_safe(in, buf, sizeof buf);
    if (strcmp(buf, want) != 0) {
        printf("  text_safe: got \"%s\", want \"%s\"\n", buf, want);
        return 0;
    }
    /* the stream form writes the same bytes */
    char *mem = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&mem, &len);
    if (!f)
        return 0;
    text_safe_put(f, in);
    fclose(f);
    int same = strcmp(mem, want) == 0;
    free(mem);
    return same;
}

static void test_controls(void)
{
    CHECK(shows("\x1b]0;pwn\x07", "?]0;pwn?"));
    CHECK(shows("a\nb\r\nc", "a?b??c"));
    CHECK(shows("\tx\x7f", "?x?"));
    CHECK(shows("c1\xc2\x9b[2J\xc2\x85", "c1?[2J?"));          /* C1 in UTF-8: one ? each */
    CHECK(shows("rtl\xe2\x80\xae" "ab\xe2\x80\xa8" "c", "rtl?ab?c"));   /* U+202E, U+2028 */
    CHECK(shows("\xe2\x81\xa6x\xe2\x81\xa9", "?x?"));           /* U+2066, U+2069 */
    CHECK(shows("nc\xef\xbf\xbe\xef\xbf\xbf", "nc??"));        /* U+FFFE, U+FFFF */
    CHECK(shows("\xef\xb7\x90", "?"));                          /* U+FDD0 */
    CHECK(shows("\xf0\x9f\xbf\xbf", "?"));                      /* U+1FFFF */
}

static void test_invalid_utf8(void)
{
    CHECK(shows("bad\xff\xfe", "bad??"));
    CHECK(shows("\x9b", "?"));                                  /* a raw C1 byte */
    CHECK(shows("\xc0\x80", "??"));                             /* overlong NUL */
    CHECK(shows("\xe0\x80\x80", "???"));                        /* overlong */
    CHECK(shows("\xed\xa0\x80", "???"));                        /* a surrogate */
    CHECK(shows("\xf4\x90\x80\x80", "????"));                   /* above U+10FFFF */
    CHECK(shows("end\xe2\x82", "end??"));                       /* cut short */
    CHECK(shows("\xe2\x82z", "??z"));
}

static void test_kept(void)
{
    CHECK(shows("", ""));
    CHECK(shows("postgres: wal writer", "postgres: wal writer"));
    CHECK(shows("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x8d", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x8d"));
    CHECK(shows("\xc2\xa0nbsp", "\xc2\xa0nbsp"));               /* U+00A0, after C1 */
    CHECK(shows("\xef\xbf\xbd", "\xef\xbf\xbd"));               /* U+FFFD itself */
    CHECK(shows("=1+1 \"q\" ;,", "=1+1 \"q\" ;,"));             /* only CSV cares */
}

static void test_cut(void)
{
    char buf[8];
    CHECK(strcmp(text_safe("abcdefghij", buf, sizeof buf), "abcdefg") == 0);
    CHECK(strcmp(text_safe("abcdef\xc3\xa9", buf, sizeof buf), "abcdef") == 0);   /* not half of é */
    CHECK(strcmp(text_safe("abcde\xe2\x82\xac", buf, 8), "abcde") == 0);
    CHECK(strcmp(text_safe("\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b", buf, sizeof buf), "???????") == 0);
    CHECK(strcmp(text_safe("x", buf, 1), "") == 0);
    /* never longer than the input: strlen + 1 bytes always suffice */
    const char *worst = "\xc2\x9b\xff\x1b\xe2\x80\xae";
    char exact[8];
    CHECK(strcmp(text_safe(worst, exact, strlen(worst) + 1), "????") == 0);
}

int main(void)
{
    test_controls();
    test_invalid_utf8();
    test_kept();
    test_cut();
    return CHECK_SUMMARY("textsafe");
}
