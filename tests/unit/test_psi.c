/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of memory pressure: the /proc/pressure/memory parser on the
 * text of kernels with and without a "full" line, and on damaged or hostile
 * text, which must leave the pressure unrecorded (available 0) rather than
 * half read; and the archive, which gives back what was stored, nothing for
 * a sample without pressure, and nothing for a damaged row.
 */
#include "check.h"
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive.h"
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

/* ---- the archive */

static char dir[] = "/tmp/memtrail-test-psi-XXXXXX";
static char err[512];
static struct psi got[8];
static int ngot;

static int collect(const struct sample *smp, void *ctx)
{
    (void)ctx;
    if (ngot < 8)
        got[ngot] = smp->psi_mem;
    ngot++;
    return 0;
}

static int append(struct archive *ar, int64_t ts, const char *text)
{
    static struct sample smp;
    struct host_facts h = { .sysname = "Linux", .nodename = "t", .ncpu = 2, .page_size = 4096 };
    memset(&smp, 0, sizeof smp);
    smp.ts = ts;
    smp.uptime_cs = (uint64_t)(ts - 1795600000) * 100;
    snprintf(smp.boot_id, sizeof smp.boot_id, "1ac9eb53-43c1-4786-a220-44c0c0a20bcb");
    kv_set(&smp.meminfo, "MemTotal", 1000);
    if (text)
        parse_psi(text, strlen(text), &smp.psi_mem);
    return archive_append(ar, &smp, &h, err, sizeof err);
}

static int read_back(const char *path)
{
    struct archive *ar;
    ngot = 0;
    if (archive_open_reader(path, &ar, err, sizeof err) != ARCHIVE_OK)
        return -1;
    int rc = archive_each_sample(ar, INT64_MIN, INT64_MAX, 0, collect, NULL, err, sizeof err);
    archive_close(ar);
    return rc;
}

static void test_archive(void)
{
    char path[600], cmd[1200];
    snprintf(path, sizeof path, "%s/psi.db", dir);
    struct archive *ar;
    /* a kernel without PSI first: no table, and nothing read back */
    CHECK(archive_open_writer(path, 0, &ar, err, sizeof err) == ARCHIVE_OK);
    CHECK(append(ar, 1795609000, NULL) == ARCHIVE_OK);
    archive_close(ar);
    snprintf(cmd, sizeof cmd, "sqlite3 '%s' .tables | grep -qw psi_mem", path);
    CHECK(system(cmd) != 0);
    CHECK(read_back(path) == ARCHIVE_OK && ngot == 1 && got[0].available == 0);

    CHECK(archive_open_writer(path, 0, &ar, err, sizeof err) == ARCHIVE_OK);
    CHECK(append(ar, 1795609060, "some avg10=1.53 avg60=0.20 avg300=12.05 total=123456789\n"
                                 "full avg10=0.07 avg60=0.00 avg300=100.00 total=98765\n") ==
          ARCHIVE_OK);
    CHECK(append(ar, 1795609120, "some avg10=2.00 avg60=1.00 avg300=0.50 total=42\n") ==
          ARCHIVE_OK);
    CHECK(append(ar, 1795609180, NULL) == ARCHIVE_OK);   /* psi=0 after a reboot */
    CHECK(append(ar, 1795609240, "some avg10=0.00 avg60=0.00 avg300=0.00 "
                                 "total=18446744073709551615\n") == ARCHIVE_OK);
    archive_close(ar);
    CHECK(read_back(path) == ARCHIVE_OK && ngot == 5);
    CHECK(got[0].available == 0);
    CHECK(got[1].available == 1 && got[1].has_full == 1);
    CHECK(got[1].some.avg10 == 153 && got[1].some.avg60 == 20 && got[1].some.avg300 == 1205);
    CHECK(got[1].some.total_us == 123456789);
    CHECK(got[1].full.avg10 == 7 && got[1].full.avg300 == 10000 && got[1].full.total_us == 98765);
    CHECK(got[2].available == 1 && got[2].has_full == 0 && got[2].some.total_us == 42);
    CHECK(got[2].full.total_us == 0);
    CHECK(got[3].available == 0);
    CHECK(got[4].available == 1 && got[4].some.total_us == (uint64_t)INT64_MAX);   /* clamped */

    /* damaged rows: no pressure for that sample, a warning, the rest intact */
    snprintf(cmd, sizeof cmd, "sqlite3 '%s' \"UPDATE psi_mem SET some_avg10 = -1 WHERE ts = "
             "1795609060; UPDATE psi_mem SET some_total = 'x' WHERE ts = 1795609120\"", path);
    CHECK(system(cmd) == 0);
    fflush(stdout);
    CHECK(read_back(path) == ARCHIVE_OK && ngot == 5);
    CHECK(got[1].available == 0 && got[2].available == 0 && got[4].available == 1);
    CHECK(archive_verify(path, stdout, &(unsigned long){ 0 }) == ARCHIVE_DAMAGED);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_archive();
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("warning: could not remove %s\n", dir);
    test_ordinary();
    test_only_some();
    test_malformed();
    test_random_text();
    return CHECK_SUMMARY("test_psi");
}
