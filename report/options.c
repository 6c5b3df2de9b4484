/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memreport's options (see options.h).  The memory options of sar 12.6.1
 * keep sar's spelling and its quirks: -s and -e take "hh:mm" or "hh:mm:ss"
 * and otherwise fall back to 08:00:00 / 18:00:00 without consuming the
 * argument; -f takes the next argument only when it is not an option or a
 * number.  Beyond sar, -s and -e also take "YYYY-MM-DD[ T]hh:mm[:ss]"
 * (local time, or with a UTC offset) and "@EPOCH", which name an instant
 * rather than a time of day; a local time the clocks skipped is refused,
 * one they showed twice is its first occurrence (wallclock.h).
 */
#define _GNU_SOURCE
#include "options.h"

#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "version.h"
#include "metrics.h"
#include "util.h"
#include "wallclock.h"

/* sar's usage text, extended: grouped as the man page's OPTIONS section
 * (tests/cli checks that every option the parser takes is listed). */
void print_usage(FILE *out)
{
    fprintf(out,
            "Usage: %s [ options ] [ <interval> [ <count> ] ]\n"
            "Options are:\n"
            "[ -A ] [ -B ] [ -C ] [ -H ] [ -h ] [ -p ] [ -r [ ALL ] ] [ -S ] [ -t ] [ -V ]\n"
            "[ -W ] [ -z ] [ -q [ MEM | PSI | ALL ] ] [ --dec={ 0 | 1 | 2 } ] [ --help ]\n"
            "[ --human ] [ --pretty ] [ --version ] [ --format={ sar | sadf | csv | json } ]\n"
            "[ -f [ <filename> | <directory> ] | -[0-9]+ ]\n"
            "[ -i <interval> ] [ -s [ <hh:mm[:ss]> ] ] [ -e [ <hh:mm[:ss]> ] ]\n"
            "[ --since <time> ] [ --until <time> ]\n"
            "-[0-9]+ is the daily file that many days back (-1: yesterday).\n"
            "-s, -e, --since and --until also take YYYY-MM-DD[ T]hh:mm[:ss][+hh:mm|Z]\n"
            "or @<epoch seconds>.\n"
            "sar activities memtrail does not record, refused as sar refuses them:\n"
            "[ -b ] [ -d ] [ -u ] [ -v ] [ -w ] [ -y ]\n"
            "Processes and NUMA nodes:\n"
            "[ -p ] [ --top <n> ] [ --pid <pid>[,...] ] [ --comm <name> ]\n"
            "[ --user <name> | <uid> ] [ -l ] [ --growth ] [ --at <time> | worst ]\n"
            "[ -N | --numa [ ALL | <node>[,...] ] ]\n"
            "OOM kills:\n"
            "[ --events ] [ --oom ]\n"
            "Memory cgroups:\n"
            "[ --cgroup [ <path> ] ] alone, with --growth or --at; -p --cgroup <path>\n"
            "Exports:\n"
            "[ --format={ openmetrics | influx | csv-long } ] [ --names={ memtrail | node } ]\n"
            "[ -o <file> ]\n"
            "Capacity planning:\n"
            "[ --summary={ hour | day | week } ] [ --trend ] [ --format=svg ] [ -o <file> ]\n"
            "Damage:\n"
            "[ --verify | --check ] [ -f [ <filename> | <directory> ] ]\n"
            "Incidents:\n"
            "[ --bursts ] [ --format={ sar | csv | json } ] [ -s <time> ] [ -e <time> ]\n",
            progname);
}

/* Keeps the first reason the command line is refused, for memreport.c to
 * print before the usage, as the argument it names; returns PARSE_USAGE. */
static enum parse_result refuse(struct report_opts *o, const char *fmt, ...)
{
    if (!o->complaint[0]) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(o->complaint, sizeof o->complaint, fmt, ap);
        va_end(ap);
    }
    return PARSE_USAGE;
}

/* sar's decode_timestamp(): atoi of each part, range-checked, separators not. */
static int decode_time_of_day(const char *text, struct tstamp *t)
{
    char buf[9];
    memcpy(buf, text, 8);
    buf[8] = '\0';
    buf[2] = buf[5] = '\0';
    t->hour = atoi(buf);
    t->min = atoi(buf + 3);
    t->sec = atoi(buf + 6);
    if (t->hour < 0 || t->hour > 23 || t->min < 0 || t->min > 59 || t->sec < 0 || t->sec > 59)
        return -1;
    t->use = 1;
    t->absolute = 0;
    return 0;
}

/* An explicit UTC offset after a time: "Z", "+hh:mm", "+hhmm" or "+hh"
 * (or "-"); seconds east in *OFF.  -1 when TEXT is none of these. */
static int decode_offset(const char *text, long *off)
{
    if (strcmp(text, "Z") == 0) {
        *off = 0;
        return 0;
    }
    int hh, mm = 0, used = 0;
    if ((text[0] != '+' && text[0] != '-') || strspn(text + 1, "0123456789:") != strlen(text + 1))
        return -1;
    if (sscanf(text + 1, "%2d:%2d%n", &hh, &mm, &used) != 2 &&
        sscanf(text + 1, "%2d%2d%n", &hh, &mm, &used) != 2 &&
        sscanf(text + 1, "%2d%n", &hh, &used) != 1)
        return -1;
    if (text[1 + used] || strlen(text + 1) < 2 || hh > 23 || mm > 59)
        return -1;
    *off = (text[0] == '-' ? -1L : 1L) * (hh * 3600L + mm * 60L);
    return 0;
}

/* The instant of "YYYY-MM-DD[( |T)hh:mm[:ss][OFFSET]]": local time unless
 * an offset is given.  0, -1 (not such a text), or BOUND_SAID after saying
 * on stderr that the local time does not exist. */
#define BOUND_SAID (-2)
static int decode_date_time(const char *text, const char *option, struct tstamp *t)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *rest = strptime(text, "%Y-%m-%d", &tm);
    if (!rest)
        return -1;
    if (*rest == ' ' || *rest == 'T') {
        const char *end = strptime(rest + 1, "%H:%M:%S", &tm);
        if (!end || (*end && *end != '+' && *end != '-' && *end != 'Z')) {
            tm.tm_sec = 0;
            end = strptime(rest + 1, "%H:%M", &tm);
        }
        if (!end)
            return -1;
        rest = end;
    }
    if (*rest) {
        long off;
        if (rest[-1] < '0' || rest[-1] > '9' || decode_offset(rest, &off) != 0 || rest - text <= 10)
            return -1;
        tm.tm_isdst = 0;
        t->epoch = (int64_t)timegm(&tm) - off;
        return 0;
    }
    time_t epoch;
    struct wall_gap gap;
    switch (wall_to_instant(&tm, &epoch, &gap)) {
    case WALL_OK:
        t->epoch = epoch;
        return 0;
    case WALL_GAP:
        fprintf(stderr, "%s: %s %s: no such local time: the clocks went from %s to %s; "
                        "give a time outside the gap, or an offset such as %s%s\n",
                progname, option, text, gap.from, gap.to, text, gap.offset);
        return BOUND_SAID;
    default:
        return -1;
    }
}

/* "YYYY-MM-DD", "YYYY-MM-DD hh:mm[:ss]" (or with T), with an optional UTC
 * offset, else local time; or "@EPOCH".  0, -1 or BOUND_SAID. */
static int decode_instant(const char *text, const char *option, struct tstamp *t)
{
    if (text[0] == '@') {
        long epoch;
        if (parse_long_arg(text + 1, 0, 253402300799L, &epoch) != 0)
            return -1;
        t->epoch = epoch;
    } else {
        int rc = decode_date_time(text, option, t);
        if (rc != 0)
            return rc;
    }
    t->use = 1;
    t->absolute = 1;
    return 0;
}

/* -s / -e: consumes the next argument when it has one of the accepted forms.
 * 0, -1 (a usage error) or BOUND_SAID. */
static int parse_bound(int argc, char **argv, int *i, struct tstamp *t, const char *def)
{
    const char *option = argv[*i];
    const char *next = *i + 1 < argc ? argv[*i + 1] : NULL;
    size_t len = next ? strlen(next) : 0;
    if (next && (len == 5 || len == 8)) {
        char buf[9];
        snprintf(buf, sizeof buf, len == 5 ? "%.5s:00" : "%.8s", next);
        (*i)++;
        return decode_time_of_day(buf, t);
    }
    if (next && (next[0] == '@' || (len >= 10 && next[4] == '-' && next[7] == '-'))) {
        (*i)++;
        return decode_instant(next, option, t);
    }
    return def ? decode_time_of_day(def, t) : -1;
}

/* parse_bound()'s answer as a parse_result. */
static enum parse_result bound_result(int rc)
{
    return rc == 0 ? PARSE_OK : rc == BOUND_SAID ? PARSE_ERROR : PARSE_USAGE;
}

static void parse_node_list(int argc, char **argv, int *i, struct report_opts *o);

static void select_all(struct report_opts *o)
{
    o->outputs = (1u << OUT_SWAPPG) | (1u << OUT_PAGING) | (1u << OUT_MEMORY) |
                 (1u << OUT_SWAP) | (1u << OUT_HUGE) | (1u << OUT_PSI);
    o->mem_all = 1;
}

static enum parse_result print_version(void)
{
    printf("memreport (memtrail) " MEMTRAIL_VERSION "\n");
    return PARSE_EXIT;
}

/* -q and its keywords as sar's parse_sar_q_opt() takes them: memtrail
 * records the memory pressure (MEM) only; the load average (LOAD, and -q
 * alone) and CPU and I/O pressure are sar activities it does not record.
 * A word that is no keyword leaves -q as the load average, and the word to
 * be read as the next argument, as sar does. */
static void parse_q(const char *next, int *i, struct report_opts *o)
{
    o->sar_outputs_named = 1;
    char words[64];
    if (!next || strlen(next) >= sizeof words) {
        o->unavailable = 1;
        return;
    }
    copy_text(words, sizeof words, next);
    char *save = NULL;
    for (char *w = strtok_r(words, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
        int mem = strcmp(w, "MEM") == 0 || strcmp(w, "PSI") == 0 || strcmp(w, "ALL") == 0;
        int other = strcmp(w, "LOAD") == 0 || strcmp(w, "CPU") == 0 || strcmp(w, "IO") == 0 ||
                    strcmp(w, "PSI") == 0 || strcmp(w, "ALL") == 0;
        if (mem)
            o->outputs |= 1u << OUT_PSI;
        if (other)
            o->unavailable = 1;
        if (!mem && !other) {
            o->unavailable = 1;
            return;
        }
    }
    (*i)++;
}

/* Bundled letters, as sar's parse_sar_opt() takes them. */
static enum parse_result parse_letters(int argc, char **argv, int *i, struct report_opts *o)
{
    const char *a = argv[*i];
    for (size_t k = 1; a[k]; k++) {
        switch (a[k]) {
        case 'A': select_all(o); o->sar_outputs_named = 1; break;
        case 'B': o->outputs |= 1u << OUT_PAGING; o->sar_outputs_named = 1; break;
        case 'H': o->outputs |= 1u << OUT_HUGE; o->sar_outputs_named = 1; break;
        case 'S': o->outputs |= 1u << OUT_SWAP; o->sar_outputs_named = 1; break;
        case 'W': o->outputs |= 1u << OUT_SWAPPG; o->sar_outputs_named = 1; break;
        case 'N':   /* --numa */
            if (!a[k + 1])
                parse_node_list(argc, argv, i, o);
            if (o->procs.kind == REPORT_SAR)
                o->procs.kind = REPORT_NUMA;
            break;
        case 't': o->true_time = 1; break;
        case 'h': o->human = 1; break;
        case 'l': o->procs.cmdline = 1; break;   /* pidstat -l */
        case 'p':   /* pidstat -r's report; with a sar activity, sar's -p (no effect) */
            o->procs_letter = 1;
            break;
        case 'C': case 'z': break;   /* no effect on memory output */
        case 'r':
            o->sar_outputs_named = 1;
            o->outputs |= 1u << OUT_MEMORY;
            if (!a[k + 1] && *i + 1 < argc && strcmp(argv[*i + 1], "ALL") == 0) {
                o->mem_all = 1;
                (*i)++;
            }
            break;
        case 'V':
            return print_version();
        case 'b': case 'd': case 'u': case 'v': case 'w': case 'y':
            o->unavailable = 1;   /* sar activities memtrail does not record */
            break;
        default:
            return refuse(o, "unknown option: -%c", a[k]);
        }
    }
    return PARSE_OK;
}

/* ---- the per-process and NUMA options (procview.h) ---- */

/* --numa / -N: an optional ALL or n,m list as the next argument. */
static void parse_node_list(int argc, char **argv, int *i, struct report_opts *o)
{
    const char *next = *i + 1 < argc ? argv[*i + 1] : NULL;
    if (!next)
        return;
    if (strcmp(next, "ALL") == 0) {
        o->procs.nnodes = 0;
        (*i)++;
        return;
    }
    if (!next[0] || strspn(next, "0123456789,") != strlen(next) || next[0] == ',')
        return;
    int n = 0;
    char buf[256];
    copy_text(buf, sizeof buf, next);
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok && n < NODES_MAX; tok = strtok_r(NULL, ",", &save)) {
        long id;
        if (parse_long_arg(tok, 0, 1L << 20, &id) == 0)
            o->procs.nodes[n++] = (int)id;
    }
    o->procs.nnodes = n;
    (*i)++;
}

static int parse_pid_list(const char *text, struct proc_opts *po)
{
    char buf[1024];
    if (!text || strlen(text) >= sizeof buf)
        return -1;
    copy_text(buf, sizeof buf, text);
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        long pid;
        if (po->npids == FILTER_PIDS_MAX || parse_long_arg(tok, 0, 0x7fffffffL, &pid) != 0)
            return -1;
        po->pids[po->npids++] = (int32_t)pid;
    }
    return po->npids ? 0 : -1;
}

static int parse_user(const char *text, struct report_opts *o)
{
    struct proc_opts *po = &o->procs;
    if (!text || !*text)
        return -1;
    struct passwd *pw = getpwnam(text);
    long uid;
    if (pw)
        po->uid = pw->pw_uid;
    else if (parse_long_arg(text, 0, 0xffffffffL, &uid) == 0)
        po->uid = (uint32_t)uid;
    else {
        refuse(o, "--user: no such user: %s", text);
        return -1;
    }
    po->have_uid = 1;
    return 0;
}

/* One of the long options; 1 when A was one, -1 on a bad argument, 0 when not ours. */
static int parse_proc_option(int argc, char **argv, int *i, struct report_opts *o)
{
    const char *a = argv[*i];
    const char *next = *i + 1 < argc ? argv[*i + 1] : NULL;
    struct proc_opts *po = &o->procs;
    if (strcmp(a, "--growth") == 0) {
        po->kind = REPORT_GROWTH;
        return 1;
    }
    if (strcmp(a, "--events") == 0 || strcmp(a, "--oom") == 0) {
        po->kind = a[2] == 'e' ? REPORT_EVENTS : REPORT_OOM;
        return 1;
    }
    if (strcmp(a, "--cgroup") == 0) {   /* an optional PATH: cgroup paths start with '/' */
        po->cgroup = 1;
        if (next && next[0] == '/') {
            po->cgroup_path = next;
            (*i)++;
        }
        return 1;
    }
    if (strcmp(a, "--numa") == 0) {
        parse_node_list(argc, argv, i, o);
        po->kind = REPORT_NUMA;
        return 1;
    }
    if (strcmp(a, "--at") == 0) {
        po->kind = REPORT_AT;
        if (next && strcmp(next, "worst") == 0) {   /* the lowest MemAvailable */
            po->at_worst = 1;
            (*i)++;
            return 1;
        }
        if (!next)
            return refuse(o, "--at: missing value"), -1;
        int rc = parse_bound(argc, argv, i, &po->at, NULL);
        if (rc == -1)
            refuse(o, "--at: invalid time: %s", next);
        return rc == 0 ? 1 : rc;
    }
    int top = strcmp(a, "--top") == 0, pid = strcmp(a, "--pid") == 0;
    int comm = strcmp(a, "--comm") == 0, user = strcmp(a, "--user") == 0;
    if (!top && !pid && !comm && !user)
        return 0;
    if (!next)
        return refuse(o, "%s: missing value", a), -1;
    (*i)++;
    int ok = 1;
    if (top)
        ok = parse_long_arg(next, 1, 0x7fffffffL, &po->top) == 0;
    else if (pid)
        ok = parse_pid_list(next, po) == 0;
    else if (comm)
        po->comm = next;
    else
        ok = parse_user(next, o) == 0;
    if (!ok)
        refuse(o, "%s: invalid value: %s", a, next);
    return ok ? 1 : -1;
}

/* What --cgroup means beside the other report options. */
static enum parse_result cgroup_kind(struct report_opts *o)
{
    struct proc_opts *po = &o->procs;
    if (!po->cgroup)
        return PARSE_OK;
    if (po->kind == REPORT_SAR)
        po->kind = REPORT_CGROUP;
    if (po->kind == REPORT_NUMA)
        return refuse(o, "--cgroup: does not apply to --numa");
    if (po->kind == REPORT_PROCS && !po->cgroup_path)
        return refuse(o, "--cgroup: -p takes the PATH of a cgroup (e.g. /system.slice)");
    return PARSE_OK;
}

static int takes_file_name(const char *next)
{
    return next && next[0] != '-' && !all_digits(next);
}

enum parse_result parse_report_options(int argc, char **argv, struct report_opts *o)
{
    memset(o, 0, sizeof *o);
    o->dec = -1;
    o->interval = -1;
    o->procs.top = 10;
    int positional = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        int proc_option = strncmp(a, "--", 2) == 0 ? parse_proc_option(argc, argv, &i, o) : 0;
        if (proc_option < 0)
            return proc_option == BOUND_SAID ? PARSE_ERROR : PARSE_USAGE;
        if (proc_option > 0) {
            continue;
        } else if (strcmp(a, "--version") == 0) {
            return print_version();
        } else if (strcmp(a, "--help") == 0) {
            print_usage(stdout);
            return PARSE_EXIT;
        } else if (strcmp(a, "--verify") == 0 || strcmp(a, "--check") == 0) {
            o->verify = 1;
        } else if (strcmp(a, "--human") == 0) {
            o->human = 1;
        } else if (strcmp(a, "--pretty") == 0) {
            /* device names only: nothing to do for memory */
        } else if (strncmp(a, "--dec=", 6) == 0) {
            if (strlen(a) != 7 || a[6] < '0' || a[6] > '2')
                return refuse(o, "%s: invalid value", a);
            o->dec = a[6] - '0';
        } else if (strncmp(a, "--format=", 9) == 0) {
            static const char *const names[] = { "sar", "sadf", "csv", "json", "svg",
                                                 "openmetrics", "influx", "csv-long" };
            int found = -1;
            for (int f = 0; f < (int)(sizeof names / sizeof *names); f++)
                if (strcmp(a + 9, names[f]) == 0)
                    found = f;
            if (found < 0)
                return refuse(o, "%s: invalid value", a);
            o->format = (enum format)found;
        /* ---- capacity planning (capacity.h) ---- */
        } else if (strncmp(a, "--summary=", 10) == 0) {
            static const char *const periods[] = { "hour", "day", "week" };
            o->summary = 0;
            for (int p = 0; p < 3; p++)
                if (strcmp(a + 10, periods[p]) == 0)
                    o->summary = p + 1;
            if (!o->summary)
                return refuse(o, "%s: invalid value", a);
        } else if (strcmp(a, "--trend") == 0) {
            o->trend = 1;
        } else if (strcmp(a, "-o") == 0) {
            if (!next || !*next)
                return refuse(o, "-o: missing value");
            o->output = next;
            i++;
        /* ---- end of capacity planning ---- */
        /* ---- exports (export.h) ---- */
        } else if (strncmp(a, "--names=", 8) == 0) {
            if (strcmp(a + 8, "node") != 0 && strcmp(a + 8, "memtrail") != 0)
                return refuse(o, "%s: invalid value", a);
            o->node_names = strcmp(a + 8, "node") == 0;
        /* ---- end of exports ---- */
        /* ---- incidents (report/incident/) ---- */
        } else if (strcmp(a, "--bursts") == 0) {
            o->bursts = 1;
        /* ---- end of incidents ---- */
        } else if (strcmp(a, "-f") == 0) {
            if (o->file)
                return refuse(o, "-f: given twice");
            if (takes_file_name(next)) {
                o->file = next;
                i++;
            } else {
                o->file = DEFAULT_ARCHIVE_DIR;
                o->default_file = 1;
            }
        } else if (strcmp(a, "-s") == 0 || strcmp(a, "-e") == 0) {
            int start = a[1] == 's';
            enum parse_result r = bound_result(parse_bound(argc, argv, &i, start ? &o->start : &o->end,
                                                           start ? "08:00:00" : "18:00:00"));
            if (r == PARSE_USAGE)   /* only a value it took can be wrong */
                return refuse(o, "%s: invalid time: %s", a, argv[i]);
            if (r != PARSE_OK)
                return r;
        } else if (strcmp(a, "--since") == 0 || strcmp(a, "--until") == 0) {
            /* -s / -e that always take their argument */
            struct tstamp *t = a[2] == 's' ? &o->start : &o->end;
            int at = i;
            if (!next)
                return refuse(o, "%s: missing value", a);
            enum parse_result r = bound_result(parse_bound(argc, argv, &i, t, NULL));
            if (r == PARSE_USAGE || (r == PARSE_OK && i == at))
                return refuse(o, "%s: invalid time: %s", a, next);
            if (r != PARSE_OK)
                return r;
        } else if (strcmp(a, "-i") == 0) {
            if (!next)
                return refuse(o, "-i: missing value");
            if (parse_long_arg(next, 1, 0x7fffffffL, &o->interval) != 0)
                return refuse(o, "-i: invalid value: %s", next);
            o->interval_set = 1;
            i++;
        } else if (strcmp(a, "-q") == 0) {
            parse_q(next, &i, o);
        } else if (a[0] == '-' && all_digits(a + 1) && a[1]) {
            /* beyond sar: with -f DIR too, the daily file that many days back */
            if (strlen(a) > 3)
                return refuse(o, "%s: at most 99 days back", a);
            o->day_offset = atoi(a + 1);
        } else if (a[0] == '-' && a[1] && a[1] != '-') {
            enum parse_result r = parse_letters(argc, argv, &i, o);
            if (r != PARSE_OK)
                return r;
        } else if (positional == 0 && all_digits(a) && o->interval < 0) {
            if (parse_long_arg(a, 0, 0x7fffffffL, &o->interval) != 0)
                return refuse(o, "invalid interval: %s", a);
            positional = 1;
        } else if (positional <= 1 && all_digits(a)) {
            /* after -i N, as in sar, the first number is already the count */
            if (parse_long_arg(a, 1, 0x7fffffffL, &o->count) != 0 || o->interval == 0)
                return refuse(o, "invalid count: %s", a);
            positional = 2;
        } else if (a[0] == '-') {
            return refuse(o, "unknown option: %s", a);
        } else {
            return refuse(o, "unexpected argument: %s", a);
        }
    }
    if (o->procs_letter && !o->sar_outputs_named && o->procs.kind == REPORT_SAR)
        o->procs.kind = REPORT_PROCS;
    return cgroup_kind(o);
}
