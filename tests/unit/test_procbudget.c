/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the burst's CPU budget (lib/procbudget.c): given measured
 * costs, which burst samples take every process.
 */
#include "check.h"

#include "procbudget.h"

#define MS_NS 1000000LL

/* N samples a second apart from t = 0, costing SYS_MS without processes
 * and SYS_MS + PROCS_MS with; FORCE_AT: a sample forced (-1: none).  Fills
 * TOOK[i] and returns how many took processes. */
static int run(long budget_centi, double sys_ms, double procs_ms, int n, int force_at, int *took)
{
    struct proc_budget b;
    int count = 0;
    proc_budget_start(&b, budget_centi, 10000);
    for (int i = 0; i < n; i++) {
        int64_t now = (int64_t)i * 1000;
        took[i] = proc_budget_due(&b, now, i == force_at);
        count += took[i];
        double ms = sys_ms + (took[i] ? procs_ms : 0);
        proc_budget_spent(&b, now, took[i], (int64_t)(ms * MS_NS));
    }
    return count;
}

/* The % of one core that N one-second samples cost. */
static double share(double sys_ms, double procs_ms, int n, int with)
{
    return (n * sys_ms + with * procs_ms) / (n * 1000.0) * 100;
}

static void test_costs(void)
{
    int took[120];
    /* B_bench's burst at ~600 processes: 14.6 ms system-wide, 32.3 ms the processes */
    int with = run(300, 14.6, 32.3, 120, -1, took);
    CHECK(took[0]);                              /* the first sample, always */
    CHECK(with < 120 && with >= 120 / 10);        /* fewer, but at least every 10 s */
    CHECK(share(14.6, 32.3, 120, with) <= 3.0);
    CHECK(share(14.6, 32.3, 120, with) >= 2.0);   /* the budget used, not wasted */
    /* a generous budget: every sample */
    CHECK(run(1000, 14.6, 32.3, 120, -1, took) == 120);
    /* a cheap machine under 3 %: every sample */
    CHECK(run(300, 1.0, 9.0, 120, -1, took) == 120);
}

static void test_bounds(void)
{
    int took[60];
    /* a tiny budget: the first sample and one every 10 s, no more */
    int with = run(1, 14.6, 32.3, 60, -1, took);
    CHECK(with == 6);
    CHECK(took[0] && took[10] && took[20] && took[50] && !took[1] && !took[9]);
    /* a forced sample (an OOM kill) takes them whatever the budget */
    run(1, 14.6, 32.3, 60, 33, took);
    CHECK(took[33] && !took[34]);
    /* the system-wide part alone over the budget: still every 10 s */
    CHECK(run(100, 20.0, 30.0, 60, -1, took) == 6);
    /* credit saved in a cheap stretch pays for one sample, not a run */
    struct proc_budget b;
    proc_budget_start(&b, 300, 10000);
    proc_budget_spent(&b, 0, 1, 40 * MS_NS);
    for (int64_t t = 1000; t < 9000; t += 1000)
        proc_budget_spent(&b, t, 0, 0);
    CHECK(proc_budget_due(&b, 9000, 0));
    proc_budget_spent(&b, 9000, 1, 40 * MS_NS);
    CHECK(!proc_budget_due(&b, 10000, 0));
    /* the clock stepped back: processes, never a wrong wait */
    CHECK(proc_budget_due(&b, 5000, 0));
}

static void test_parse(void)
{
    long c = 0;
    CHECK(proc_budget_parse("3", &c) == 0 && c == 300);
    CHECK(proc_budget_parse("0.5", &c) == 0 && c == 50);
    CHECK(proc_budget_parse("0.01", &c) == 0 && c == 1);
    CHECK(proc_budget_parse("100", &c) == 0 && c == 10000);
    CHECK(proc_budget_parse("12.25", &c) == 0 && c == 1225);
    const char *bad[] = { "", "0", "0.001", "100.01", "101", "3.", ".5", "-1", "3%", "1e2",
                          " 3", "99999", NULL };
    for (int i = 0; bad[i]; i++)
        CHECK(proc_budget_parse(bad[i], &c) == -1);
}

int main(void)
{
    test_costs();
    test_bounds();
    test_parse();
    return CHECK_SUMMARY("test_procbudget");
}
