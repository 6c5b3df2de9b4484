/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memreport: replays memtrail archives as sysstat 12.6.1's sar prints them
 * (or as sadf -d, CSV or JSON), or samples the live system like sar does
 * with an interval.  sar's messages and exit codes are kept where sar has
 * them: 1 usage, 2 cannot open, 3 not an archive; 2 also when the report
 * could not be written whole (output.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <libintl.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "archive.h"
#include "at.h"
#include "burstview.h"
#include "capacity.h"
#include "cggrowth.h"
#include "cgview.h"
#include "colour.h"
#include "csv.h"
#include "csvlong.h"
#include "days.h"
#include "empty.h"
#include "events.h"
#include "export.h"
#include "growth.h"
#include "influx.h"
#include "json.h"
#include "live.h"
#include "numaview.h"
#include "oomcount.h"
#include "oomlog.h"
#include "openmetrics.h"
#include "options.h"
#include "output.h"
#include "procview.h"
#include "render.h"
#include "sadf.h"
#include "sar_text.h"
#include "summary.h"
#include "svg.h"
#include "trend.h"
#include "util.h"

static const render_fn renderers[] = {
    [FMT_SAR] = render_sar, [FMT_SADF] = render_sadf,
    [FMT_CSV] = render_csv, [FMT_JSON] = render_json,
};

/* sar's get_win_height(): repeat headers on a terminal, never in a pipe. */
static int window_rows(void)
{
    struct winsize win;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &win) != -1 && win.ws_row > 2)
        return win.ws_row - 2;
    return 3600 * 24;
}


/* The daily file of DIR for the local date DAY_OFFSET days ago (days.h). */
static void daily_name(const char *dir, int day_offset, char *out, size_t cap)
{
    day_path(dir, local_day((int64_t)time(NULL) - (int64_t)day_offset * 86400), out, cap);
}

/* sar's words ("Average:", its error messages) as the installed sar prints
 * them in this locale: sysstat's own message catalog, when there is one. */
static const char *sar_text(const char *msgid)
{
    return dgettext("sysstat", msgid);
}

static int load_failed(int rc, const char *path, const char *err, int default_file)
{
    switch (rc) {
    case ARCHIVE_MISSING:
        fprintf(stderr, sar_text("Cannot open %s: %s\n"), path, strerror(ENOENT));
        if (default_file)
            fprintf(stderr, "%s", sar_text("Please check if data collecting is enabled\n"));
        return 2;
    case ARCHIVE_NOT_OURS:
        fprintf(stderr, sar_text("Invalid system activity file: %s\n"), path);
        if (strchr(err, ':'))   /* why, beyond sar's words: a schema that is not ours */
            report_error(path, err);
        return 3;
    case ARCHIVE_DAMAGED:
        report_error(path, err);
        return 2;
    case ARCHIVE_TOO_NEW:
        fprintf(stderr, sar_text("Invalid system activity file: %s\n"), path);
        report_error(path, err);
        return 3;
    default:
        fprintf(stderr, sar_text("Cannot open %s: %s\n"), path, err);
        return 2;
    }
}

/* With a window of instants, every daily file of DIR that may hold part of
 * it, in date order (a day either side: local days are not UTC days). */
static int load_directory_window(struct series *sr, const char *dir, const struct report_opts *o,
                                 int64_t from, int64_t to)
{
    long first_day = o->start.use ? local_day(from - 86400) : 0;
    long last_day = o->end.use ? local_day(to + 86400) : 99999999;
    char **paths;
    size_t n;
    if (days_list(dir, first_day, last_day, &paths, &n) != 0) {
        fprintf(stderr, sar_text("Cannot open %s: %s\n"), dir, strerror(errno));
        return 2;
    }
    /* a damaged day costs that day only: said, and skipped */
    int status = 0;
    size_t read = 0;
    for (size_t i = 0; i < n; i++) {
        char err[512];
        int rc = series_load(sr, paths[i], from, to, err, sizeof err);
        if (rc == ARCHIVE_OK) {
            read++;
            continue;
        }
        status = load_failed(rc, paths[i], err, 0);
        fprintf(stderr, "%s: warning: %s skipped, the other days read\n", progname, paths[i]);
    }
    days_free(paths, n);
    return read > 0 ? 0 : status;
}

static int load_archives(struct series *sr, const struct report_opts *o)
{
    int64_t from = o->start.use && o->start.absolute ? o->start.epoch : INT64_MIN;
    int64_t to = o->end.use && o->end.absolute ? o->end.epoch : INT64_MAX;
    char path[PATH_MAX], err[512];
    if (is_directory(o->file)) {
        if ((o->start.use && o->start.absolute) || (o->end.use && o->end.absolute))
            return load_directory_window(sr, o->file, o, from, to);
        /* a whole day: its first sample is shown, against the day before's
         * last, so that no sample is lost at midnight */
        if (!o->start.use) {
            daily_name(o->file, o->day_offset + 1, path, sizeof path);
            series_load_last(sr, path);
        }
        daily_name(o->file, o->day_offset, path, sizeof path);
    } else {
        snprintf(path, sizeof path, "%s", o->file);
    }
    int rc = series_load(sr, path, from, to, err, sizeof err);
    return rc == ARCHIVE_OK ? 0 : load_failed(rc, path, err, o->default_file);
}

static void fill_window(const struct report_opts *o, struct window *w)
{
    memset(w, 0, sizeof *w);
    w->start = o->start;
    w->end = o->end;
    if (w->start.use && w->end.use && !w->start.absolute && !w->end.absolute &&
        w->end.hour < w->start.hour)
        w->end.hour += 24;
    w->interval = o->interval < 0 ? 1 : o->interval;
    w->count = o->count ? o->count : -1;
    w->time.true_time = o->true_time;
    /* sadf and sar's JSON (sadf -j) show and read times in UTC; the process and
     * NUMA reports' JSON carries local times with their offset, as their text
     * and CSV do, so their -s, -e and --at mean the same instant in every format */
    w->time.utc = o->format == FMT_SADF || (o->format == FMT_JSON && o->procs.kind == REPORT_SAR);
}

/* ---- the per-process and NUMA reports (procview.h) ---- */

static const proc_render_fn proc_renderers[] = {
    [REPORT_PROCS] = render_procs, [REPORT_GROWTH] = render_growth,
    [REPORT_AT] = render_at, [REPORT_NUMA] = render_numa,
    [REPORT_EVENTS] = render_events, [REPORT_OOM] = render_oom,
    [REPORT_CGROUP] = render_cgroups,
};

static int render_proc_report(const struct report_opts *o, const struct render_ctx *ctx,
                              const struct pstore *ps, const struct oom_log *oom)
{
    struct proc_opts po = o->procs;
    po.text = o->format == FMT_SAR;
    po.json = o->format == FMT_JSON;
    po.start_given = o->start.use;
    struct proc_report r = { ctx, &po, ps, oom };
    if (po.kind == REPORT_GROWTH && po.cgroup)
        return render_cgroup_growth(&r);
    return proc_renderers[po.kind](&r);
}

/* --at an instant without a window: the daily files around it. */
static void at_window(struct report_opts *o)
{
    if (o->procs.kind != REPORT_AT || !o->procs.at.absolute || o->start.use || o->end.use)
        return;
    o->start = o->procs.at;
    o->start.epoch -= 86400;
    o->end = o->procs.at;
    o->end.epoch += 86400;
}

/* sar leaves out a selected activity its file does not hold: memtrail, the
 * pressure (-q MEM, -A) of archives whose kernel had none; 0 (said as sar
 * says it) when nothing selected is left. */
static int keep_recorded(const struct series *sr, struct render_ctx *ctx, const char *file)
{
    int have_psi = 0;
    for (size_t i = 0; i < sr->n && !have_psi; i++)
        have_psi = sr->recs[i].psi.available;
    if (!have_psi)
        ctx->outputs &= ~(1u << OUT_PSI);
    if (ctx->outputs)
        return 1;
    fprintf(stderr, sar_text("Requested activities not available in file %s\n"), file);
    return 0;
}

static int replay(const struct report_opts *o, struct render_ctx *ctx)
{
    struct series sr;
    struct selection sel;
    struct window w;
    struct pstore ps;
    struct oom_log oom;
    memset(&sr, 0, sizeof sr);
    memset(&ps, 0, sizeof ps);
    memset(&oom, 0, sizeof oom);
    int incident = o->procs.kind == REPORT_EVENTS || o->procs.kind == REPORT_OOM;
    if (o->procs.kind != REPORT_SAR && !incident)
        sr.ps = &ps;
    if (o->procs.kind != REPORT_SAR && o->procs.kind != REPORT_NUMA) {
        /* the kills: listed, counted, or marked on their victims */
        sr.each = oom_log_take;
        sr.each_ctx = &oom;
        sr.each_parts = PART_OOM;
    }
    if (o->procs.kind == REPORT_CGROUP || o->procs.kind == REPORT_AT ||
        (o->procs.kind == REPORT_GROWTH && o->procs.cgroup))
        sr.each_parts |= PART_CGROUPS;   /* into the process store (-p needs only proc.cgroup) */
    int status = load_archives(&sr, o);
    oom_log_finish(&oom);
    if (status != 0) {
        series_free(&sr);
        pstore_free(&ps);
        oom_log_free(&oom);
        return status;
    }
    if (o->procs.kind == REPORT_SAR && !keep_recorded(&sr, ctx, o->file)) {
        series_free(&sr);
        pstore_free(&ps);
        return 1;
    }
    fill_window(o, &w);
    if (series_order(&sr) != 0 || select_records(&sr, &w, &sel) != 0) {
        report_error("cannot select records", "out of memory");
        series_free(&sr);
        pstore_free(&ps);
        oom_log_free(&oom);
        return 2;
    }
    ctx->sr = &sr;
    ctx->sel = &sel;
    ctx->time = w.time;
    /* sar's activities from one file stay sar's bytes: the file's date, no day marks */
    ctx->mark_days = o->procs.kind != REPORT_SAR || is_directory(o->file);
    const struct rec *first = ctx->mark_days ? selection_first_shown(&sr, &sel) : NULL;
    ctx->file_ts = first ? first->ts : sr.n ? sr.file_ts : 0;
    ctx->file_utc_offset = first ? first->utc_offset : sr.n ? sr.recs[0].utc_offset : 0;
    /* --at and --events answer from a single sample too */
    if (sel.nrows == 0 && o->procs.kind != REPORT_AT && o->procs.kind != REPORT_EVENTS) {
        /* an empty window: one line on stderr, exit 0; sar's text keeps its
         * banner (sar prints it), memtrail's own text reports print nothing,
         * CSV and JSON stay valid empty documents */
        say_empty_window();
        if (!sr.n && o->start.use && o->start.absolute)
            ctx->file_ts = o->start.epoch;   /* the window's date, not 1970 */
        if (o->format == FMT_SAR && (o->procs.kind != REPORT_SAR || !sr.n)) {
            selection_free(&sel);
            series_free(&sr);
            pstore_free(&ps);
            oom_log_free(&oom);
            return 0;
        }
    }
    if (o->procs.kind != REPORT_SAR)
        status = render_proc_report(o, ctx, &ps, &oom);
    else
        status = renderers[o->format](ctx);
    selection_free(&sel);
    series_free(&sr);
    pstore_free(&ps);
    oom_log_free(&oom);
    return status;
}

/* The report O asks for, written to CTX->out; its exit status. */
static int run(struct report_opts *o, struct render_ctx *ctx)
{
    static char outbuf[1 << 16];
    /* ---- capacity planning: --summary, --trend, --format=svg (capacity.h) ---- */
    if (o->summary || o->trend || o->format == FMT_SVG) {
        if (!o->file || (o->summary && o->trend)) {
            fprintf(stderr, "%s: --summary, --trend and --format=svg read archives (-f); "
                            "--summary and --trend one at a time\n", progname);
            return 1;
        }
        setvbuf(ctx->out, outbuf, _IOFBF, sizeof outbuf);
        return capacity_main(o, ctx, o->format == FMT_SVG ? render_svg
                                     : o->trend           ? render_trend
                                                          : render_summary);
    }
    /* ---- end of capacity planning ---- */
    /* ---- exports: openmetrics, influx, csv-long (export.h) ---- */
    if (o->format >= FMT_OPENMETRICS) {
        if (!o->file) {
            fprintf(stderr, "%s: --format=openmetrics, influx and csv-long read archives (-f)\n",
                    progname);
            return 1;
        }
        setvbuf(ctx->out, outbuf, _IOFBF, sizeof outbuf);
        return export_replay(o, ctx, load_archives,
                             o->format == FMT_OPENMETRICS ? write_openmetrics
                             : o->format == FMT_INFLUX    ? write_influx
                                                          : write_csv_long);
    }
    /* ---- end of exports ---- */
    if (!o->file) {
        setvbuf(ctx->out, NULL, _IONBF, 0);   /* live rows appear as they are taken */
        struct window w;
        fill_window(o, &w);
        return live_run(ctx, &w, o->interval, o->count);
    }
    setvbuf(ctx->out, outbuf, _IOFBF, sizeof outbuf);
    return replay(o, ctx);
}

/* A refused command line, as sar refuses it (its usage on stderr, exit 1),
 * after a line that names what was wrong. */
static int usage_error(const char *why)
{
    fprintf(stderr, "%s: %s\n", progname, why);
    print_usage(stderr);
    return 1;
}

/* --verify: exit 2 when anything is damaged (archive_verify_path) or the
 * report could not be written; the report of damage is put in place (-o)
 * all the same, as it is the answer. */
static int verify(const struct report_opts *o)
{
    struct report_output out;
    if (output_open(&out, o->output) != 0)
        return 2;
    struct verify_totals t;
    int rc = archive_verify_path(o->file ? o->file : DEFAULT_ARCHIVE_DIR, out.stream, &t);
    fprintf(out.stream, "%lu checked, %lu damaged, %lu could not be read\n", t.files, t.damaged,
            t.unchecked);
    int written = output_finish(&out, 0);
    return written != 0 ? written : rc == ARCHIVE_OK ? 0 : 2;
}

int main(int argc, char **argv)
{
    struct report_opts o;
    progname = "memreport";
    setlocale(LC_MESSAGES, "");
    setlocale(LC_CTYPE, "");
    setlocale(LC_TIME, "");
    setlocale(LC_NUMERIC, "");
    bindtextdomain("sysstat", "/usr/share/locale");

    enum parse_result pr = parse_report_options(argc, argv, &o);
    if (pr == PARSE_EXIT)
        return 0;
    if (pr == PARSE_ERROR)
        return 1;
    if (pr == PARSE_USAGE)
        return usage_error(o.complaint);
    if (o.verify)
        return verify(&o);
    if (o.procs.kind != REPORT_SAR) {
        if (o.format == FMT_SADF || (!o.file && o.interval >= 0 && !o.interval_set)) {
            fprintf(stderr, "%s: -p, --growth, --at, --numa, --cgroup, --events and --oom read "
                            "archives (-f), "
                            "in the sar, csv or json format\n", progname);
            return 1;
        }
        at_window(&o);
    }
    if (o.format == FMT_CSV || o.format == FMT_JSON)
        setlocale(LC_NUMERIC, "C");   /* spreadsheets and parsers want '.' */
    if (o.bursts)
        return list_bursts(&o);
    if (!o.file && (o.interval < 0 || o.interval_set)) {
        o.file = DEFAULT_ARCHIVE_DIR;
        o.default_file = 1;
    }
    if ((o.start.use || o.interval_set) && !o.file) {
        fprintf(stderr, "%s", sar_text("Not reading from a system activity file (use -f option)\n"));
        return 1;
    }
    if (o.interval == 0 && o.file)
        return usage_error("invalid interval: 0 (reading a file needs an interval of at least 1)");
    if (!o.outputs && o.unavailable) {
        if (o.file)
            fprintf(stderr, sar_text("Requested activities not available in file %s\n"), o.file);
        else
            fprintf(stderr, "%s", sar_text("Requested activities not available\n"));
        return 1;
    }
    if (!o.outputs)
        o.outputs = 1u << OUT_MEMORY;

    struct render_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.outputs = o.outputs;
    ctx.mem_all = o.mem_all;
    ctx.human = o.human;
    ctx.dec = o.dec;
    const char *fmt = getenv("S_TIME_FORMAT");
    ctx.iso = fmt && strcmp(fmt, "ISO") == 0;
    ctx.rows = window_rows();
    ctx.avg_label = sar_text("Average:");

    /* every report writes to out.stream, which output_finish() checks (output.h) */
    struct report_output out;
    if (output_open(&out, o.output) != 0)
        return 2;
    ctx.out = out.stream;
    /* sar's and pidstat's colours: their reports only, and only on stdout (not -o) */
    struct sgr_palette palette;
    int coloured_kind = o.procs.kind == REPORT_SAR || o.procs.kind == REPORT_PROCS;   /* sar, pidstat */
    if (o.format == FMT_SAR && coloured_kind && !o.output && !o.summary && !o.trend &&
        sgr_palette_init(&palette, out.fd))
        ctx.sgr = &palette;
    return output_finish(&out, run(&o, &ctx));
}
