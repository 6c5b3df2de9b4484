/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the /proc/pressure/memory parser: the text of kernels with
 * and without a "full" line, and damaged or hostile text, which must leave
 * the pressure unrecorded (available 0) rather than half read.
 */
#include "check.h"
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "parse.h"

static struct psi psi;

static int parse(const char *text)
{
    memset(&psi, 0x5a, sizeof psi);   /* nothing may survive from before */
    return parse_psi(text, strlen(text), &psi);
}

static void test_ordinary(void)
{
    CHECK(parse("some avg10=1.53 avg60=0.20 avg300=12.05 total=123456789\n"
                "full avg10=0.07 avg60=0.00 avg300=100.00 total=98765\n") == 0);
    CHECK(psi.available == 1);
    CHECK(psi.has_full == 1);
    CHECK(psi.some.avg10 == 153);
    CHECK(psi.some.avg60 == 20);
    CHECK(psi.some.avg300 == 1205);
    CHECK(psi.some.total_us == 123456789);
    CHECK(psi.full.avg10 == 7);
    CHECK(psi.full.avg60 == 0);
    CHECK(psi.full.avg300 == 10000);
    CHECK(psi.full.total_us == 98765);
    /* no final newline; a total beyond 32 bits */
    CHECK(parse("some avg10=0.00 avg60=0.00 avg300=0.00 total=18446744073709551615\n"
                "full avg10=0.00 avg60=0.00 avg300=0.00 total=5") == 0);
    CHECK(psi.some.total_us == UINT64_MAX && psi.full.total_us == 5);
}

static void test_only_some(void)
{
    /* kernels before 5.x's full line for the system (and cpu.pressure's
     * root before 5.13) print "some" alone */
    CHECK(parse("some avg10=2.00 avg60=1.00 avg300=0.50 total=42\n") == 0);
    CHECK(psi.available == 1);
    CHECK(psi.has_full == 0);
    CHECK(psi.some.avg10 == 200 && psi.some.avg300 == 50 && psi.some.total_us == 42);
    CHECK(psi.full.avg10 == 0 && psi.full.total_us == 0);
}

static void test_malformed(void)
{
    static const char *const bad[] = {
        "",
        "\n",
        "full avg10=0.00 avg60=0.00 avg300=0.00 total=5\n",            /* no some */
        "some avg10=0.00 avg60=0.00 avg300=0.00\n",                    /* no total */
        "some avg10=0.00 avg60=0.00 total=1\n",                        /* a missing average */
        "some avg10=x.00 avg60=0.00 avg300=0.00 total=1\n",
        "some avg10=1 avg60=0.00 avg300=0.00 total=1\n",               /* no decimals */
        "some avg10=1.5 avg60=0.00 avg300=0.00 total=1\n",             /* one decimal */
        "some avg10=1.555 avg60=0.00 avg300=0.00 total=1\n",
        "some avg10=-1.00 avg60=0.00 avg300=0.00 total=1\n",
        "some avg10=0.00 avg60=0.00 avg300=0.00 total=99999999999999999999\n", /* overflow */
        "some avg10=42949672.96 avg60=0.00 avg300=0.00 total=1\n",      /* beyond 32 bits */
        "some avg10=0.00 avg60=0.00 avg300=0.00 total=1 extra\n",
        "some avg10=0.00 avg60=0.00 avg300=0.00 total=1\n"
        "full avg10=0.00 avg60=0.00\n",                                /* a damaged full */
        "some avg10=0.00 avg60=0.00 avg300=0.00 total=1\n"
        "some avg10=0.00 avg60=0.00 avg300=0.00 total=2\n",            /* some twice */
        "somewhat avg10=0.00 avg60=0.00 avg300=0.00 total=1\n",
        "some  avg10=0.00 avg60=0.00 avg300=0.00 total=1\n",           /* two blanks */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = parse(bad[i]);
        CHECK(rc == -1);
        CHECK(psi.available == 0);
        if (rc != -1 || psi.available)
            printf("  on: %s\n", bad[i]);
    }
    /* a NUL inside the text ends nothing early and is not a value */
    const char nul[] = "some avg10=0.00 avg60=0.00 avg300=0.00 total=1\0\n";
    memset(&psi, 0, sizeof psi);
    CHECK(parse_psi(nul, sizeof nul - 1, &psi) == -1 && psi.available == 0);
}

static void test_random_text(void)
{
    char buf[512];
    srand(7);
    for (int round = 0; round < 20000; round++) {
        size_t len = (size_t)rand() % sizeof buf;
        for (size_t i = 0; i < len; i++) {
            static const char alphabet[] = "somefull avg10=.0123456789total\n\0\xff";
            buf[i] = alphabet[rand() % (int)(sizeof alphabet - 1)];
        }
        int rc = parse_psi(buf, len, &psi);
        CHECK((rc == 0) == (psi.available == 1));
    }
}

int main(void)
{
    test_ordinary();
    test_only_some();
    test_malformed();
    test_random_text();
    return CHECK_SUMMARY("test_psi");
}
