/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memreport --format=svg: one self-contained SVG (inline CSS, no fonts,
 * scripts or links) of the window, for a person to read at a glance.
 *
 * Panels, top to bottom, all on one local-time axis with dates:
 *   Memory   on the scale of total RAM: sar's composition stacked
 *            (kbmemused, buffers, cached, slab, free; per-column means), with
 *            bands for kbmemused's min..max, MemAvailable and Committed_AS,
 *            and CommitLimit as one dashed line
 *   Available MemAvailable on the scale of its own range, its minimum marked
 *            and labelled: an incident of 2% of RAM is a hairline above
 *   Swap     swap used (band)
 *   Swapping pswpin/s and pswpout/s (bands)
 *   NUMA     one panel per node: used and free (bands)
 *   Processes the --top N (default 10) identities by their contribution to
 *            the memory that appeared between the first and the last sampled
 *            instant (contrib.h; ties: the larger peak), one band each; the
 *            legend tells repeated names apart by boot or start time
 * Restarts are vertical dashed lines labelled "restart".  Each y axis has one
 * unit (KiB..TiB, or pages/s) named in its title and on every tick.
 *
 * Downsampling: the plot is PLOT_W pixel columns wide; every sample falls in
 * one column, and each column keeps the min, max and sum of every series
 * (each sample weighted by the time it covers, for the stacked means), so
 * a one-sample peak is still drawn (a band is the polygon between the max
 * and min polylines, stroked so that it shows when min = max).  Memory holds
 * PLOT_W columns per series, not the samples.  Processes are read at the
 * sampled instants (capacity.h).
 *
 * Every text, process names too, is escaped for XML: & < > " ' as
 * entities, C0 controls and DEL as U+2400 pictures, bytes that are not UTF-8
 * as their Latin-1 reading (&#xNN;), and the other characters text reports
 * show as '?' (textsafe.h: C1 controls, bidirectional overrides, and the
 * noncharacters such as U+FFFE and U+FFFF that XML 1.0 forbids) as U+FFFD,
 * so the file is well-formed XML whatever the names.  Each panel is a
 * <g class="panel"> whose data-* attributes give its plot rectangle, time
 * span and y scale (ymin, ymax in kB or pages/s), which the tests use to
 * find what they look for in the rendered PNG.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "svg.h"
#include "contrib.h"
#include "empty.h"
#include "grow.h"
#include "identmap.h"
#include "pstore.h"
#include "table.h"

#define SVG_W 1200
#define PLOT_X 96
#define PLOT_W 900
#define TOP_PAD 54
#define PANEL_GAP 52
#define RESTARTS_MAX 256
#define NUMA_MAX 16
#define PROC_COLORS 10

enum sys_series { S_USED, S_BUFFERS, S_CACHED, S_SLAB, S_FREE, S_AVAIL, S_COMMITTED, S_LIMIT,
                  S_TOTAL, S_SWAP, S_SWPIN, S_SWPOUT, S_COUNT };

struct pxcol {
    unsigned n, rn;              /* samples; samples with rates */
    float min[S_COUNT], max[S_COUNT];
    double sum[S_COUNT];         /* of value x seconds covered: the means are by time */
    double secs;                 /* the seconds the column's samples cover */
};

struct node_cols {
    int id;
    double total;
    unsigned *n;
    float *umin, *umax, *fmin, *fmax;
};

struct penv {                    /* one column of a process */
    uint32_t col;
    uint32_t joined;             /* seen at the sampled instant before, too */
    float min, max;
};

struct svgproc {
    uint32_t boot;               /* index into map.boots */
    int32_t pid;
    uint64_t start_ticks;
    int64_t boot_epoch;          /* when its boot began, from the first sample it is in */
    char comm[COMM_MAX];
    uint64_t peak, first_rss, last_rss;
    int born;
    int64_t change;
    unsigned long last_instant;
    struct penv *env;
    size_t nenv, cap_env;
};

struct chart {
    int64_t t0, t1;
    struct pxcol *cols;
    unsigned char *link;         /* column K continues the line from the last column before it */
    int64_t last_ts, last_dt;
    int last_col;
    unsigned long samples;
    double avail_min;            /* MemAvailable's lowest sample, the first of them */
    int64_t avail_min_ts;
    int64_t restarts[RESTARTS_MAX];
    int nrestarts;
    struct node_cols nodes[NUMA_MAX];
    int nnodes;
    /* processes */
    struct identmap map;
    struct svgproc *ids;         /* by the map's index, until sorted by contribution */
    size_t nids, cap_ids;
    unsigned long instants;
    struct window_start start;   /* the first sampled instant */
    FILE *out;
};

static int col_of(const struct chart *c, int64_t ts)
{
    double span = (double)(c->t1 - c->t0 + 1);
    long col = (long)floor((double)(ts - c->t0) * PLOT_W / span);
    return col < 0 ? 0 : col >= PLOT_W ? PLOT_W - 1 : (int)col;
}

static void put(struct pxcol *k, int s, double v, unsigned n, double secs)
{
    float f = (float)v;
    if (n == 0 || f < k->min[s])
        k->min[s] = f;
    if (n == 0 || f > k->max[s])
        k->max[s] = f;
    k->sum[s] += v * secs;
}

static struct node_cols *node_of(struct chart *c, int id, double total)
{
    for (int i = 0; i < c->nnodes; i++)
        if (c->nodes[i].id == id)
            return &c->nodes[i];
    if (c->nnodes == NUMA_MAX)
        return NULL;
    struct node_cols *n = &c->nodes[c->nnodes];
    n->id = id;
    n->total = total;
    n->n = calloc(PLOT_W, sizeof *n->n);
    n->umin = calloc(PLOT_W, sizeof(float));
    n->umax = calloc(PLOT_W, sizeof(float));
    n->fmin = calloc(PLOT_W, sizeof(float));
    n->fmax = calloc(PLOT_W, sizeof(float));
    if (!n->n || !n->umin || !n->umax || !n->fmin || !n->fmax)
        return NULL;
    c->nnodes++;
    return n;
}

static int on_point(const struct cap_point *p, const struct sample *s, void *arg)
{
    struct chart *c = arg;
    int kc = col_of(c, p->ts);
    struct pxcol *k = &c->cols[kc];
    /* samples further apart than a pixel are joined, unless a restart or a
     * gap (more than 10 minutes and 3 intervals) lies between */
    if (c->samples && !p->restart) {
        int64_t dt = p->ts - c->last_ts;
        if (kc > c->last_col + 1 && (dt <= 600 || dt <= 3 * c->last_dt))
            c->link[kc] = 1;
    }
    if (c->samples)
        c->last_dt = p->ts - c->last_ts;
    c->last_ts = p->ts;
    c->last_col = kc;
    unsigned n = k->n;
    /* a burst's one-second samples and the minute samples share a column by
     * the time each covers (a boot's first sample, which has no interval: 1 s) */
    double secs = p->interval_cs ? (double)p->interval_cs / 100 : 1;
    k->secs += secs;
    put(k, S_USED, p->used, n, secs);
    put(k, S_BUFFERS, p->buffers, n, secs);
    put(k, S_CACHED, p->cached, n, secs);
    put(k, S_SLAB, p->slab, n, secs);
    put(k, S_FREE, p->free, n, secs);
    put(k, S_AVAIL, p->avail, n, secs);
    if (!c->samples || p->avail < c->avail_min) {
        c->avail_min = p->avail;
        c->avail_min_ts = p->ts;
    }
    put(k, S_COMMITTED, p->committed, n, secs);
    put(k, S_LIMIT, p->commit_limit, n, secs);
    put(k, S_TOTAL, p->total, n, secs);
    put(k, S_SWAP, p->swap_used, n, secs);
    k->n++;
    if (p->have_rates) {
        put(k, S_SWPIN, p->swpin_s, k->rn, secs);
        put(k, S_SWPOUT, p->swpout_s, k->rn, secs);
        k->rn++;
    }
    if (p->restart && c->nrestarts < RESTARTS_MAX)
        c->restarts[c->nrestarts++] = p->ts;
    c->samples++;
    if (s->numa.available) {
        int col = col_of(c, p->ts);
        for (unsigned i = 0; i < s->numa.n; i++) {
            const struct numa_node *src = &s->numa.nodes[i];
            struct node_cols *nc = node_of(c, src->id, (double)src->total_kb);
            if (!nc)
                continue;
            float used = (float)(src->total_kb > src->free_kb ? src->total_kb - src->free_kb : 0);
            float fr = (float)src->free_kb;
            if ((double)src->total_kb > nc->total)
                nc->total = (double)src->total_kb;
            if (!nc->n[col] || used < nc->umin[col])
                nc->umin[col] = used;
            if (!nc->n[col] || used > nc->umax[col])
                nc->umax[col] = used;
            if (!nc->n[col] || fr < nc->fmin[col])
                nc->fmin[col] = fr;
            if (!nc->n[col] || fr > nc->fmax[col])
                nc->fmax[col] = fr;
            nc->n[col]++;
        }
    }
    return 0;
}

/* ---- processes: a sparse envelope per identity ---- */

/* The envelope of P's identity, started when it is new. */
static struct svgproc *find_ident(struct chart *c, uint32_t boot, const struct proc *p,
                                  int64_t boot_epoch)
{
    long k = identmap_add(&c->map, boot, p->pid, p->start_ticks);
    if (k < 0)
        return NULL;
    if ((size_t)k == c->nids) {
        if (grow_array((void **)&c->ids, &c->cap_ids, c->nids + 1, sizeof *c->ids) != 0)
            return NULL;
        struct svgproc *id = &c->ids[c->nids++];
        memset(id, 0, sizeof *id);
        id->boot = boot;
        id->pid = p->pid;
        id->start_ticks = p->start_ticks;
        id->boot_epoch = boot_epoch;
    }
    struct svgproc *id = &c->ids[k];
    if (strncmp(id->comm, p->comm, sizeof id->comm - 1) != 0) {   /* the legend: its latest name */
        memcpy(id->comm, p->comm, sizeof id->comm);
        id->comm[COMM_MAX - 1] = '\0';
        id->born = born_in_window(&c->start, boot, p->start_ticks);
        id->first_rss = p->rss_kb;
    }
    return id;
}

static int on_procs(const struct cap_point *p, const struct sample *s, void *arg)
{
    struct chart *c = arg;
    if (!s->procs.scanned)
        return 0;
    long boot = identmap_boot(&c->map, s->boot_id);
    if (boot < 0)
        return -1;
    if (!c->instants++)
        c->start = (struct window_start){ (uint32_t)boot, s->uptime_cs };
    uint32_t col = (uint32_t)col_of(c, p->ts);
    for (size_t i = 0; i < s->procs.n; i++) {
        const struct proc *pr = &s->procs.procs[i];
        if (pr->pid == PROC_AGGREGATE_PID)
            continue;
        struct svgproc *id = find_ident(c, (uint32_t)boot, pr, p->ts - (int64_t)(s->uptime_cs / 100));
        if (!id)
            return -1;
        float v = (float)pr->rss_kb;
        id->last_rss = pr->rss_kb;
        if (pr->rss_kb > id->peak)
            id->peak = pr->rss_kb;
        struct penv *last = id->nenv ? &id->env[id->nenv - 1] : NULL;
        int joined = last && id->last_instant + 1 == c->instants;
        id->last_instant = c->instants;
        if (last && last->col == col) {
            if (v < last->min)
                last->min = v;
            if (v > last->max)
                last->max = v;
            continue;
        }
        if (grow_array((void **)&id->env, &id->cap_env, id->nenv + 1, sizeof *id->env) != 0)
            return -1;
        id->env[id->nenv++] = (struct penv){ col, (uint32_t)joined, v, v };
    }
    return 0;
}

static int by_change(const void *a, const void *b)
{
    const struct svgproc *x = a, *y = b;
    if (x->change != y->change)
        return by_contribution(x->change, y->change);
    if (x->peak != y->peak)
        return x->peak > y->peak ? -1 : 1;
    return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/* ---- SVG pieces ---- */

/* S as XML character data (or an attribute value), at most MAXCHARS characters. */
static void xml_text(FILE *out, const char *s, int maxchars)
{
    const unsigned char *p = (const unsigned char *)s;
    for (int shown = 0; *p; shown++) {
        if (maxchars > 0 && shown == maxchars) {
            fputs("\xe2\x80\xa6", out);   /* … */
            return;
        }
        int n = utf8_length(p);
        if (n == 0) {
            fprintf(out, "&#x%X;", *p);   /* Latin-1 reading of a stray byte */
            p++;
        } else if (*p < 0x20 || *p == 0x7f) {
            fprintf(out, "&#x%X;", *p == 0x7f ? 0x2421 : 0x2400 + *p);
            p++;
        } else if (text_unsafe(utf8_code_point(p, n))) {   /* U+FFFE, C1, bidi... */
            fputs("&#xFFFD;", out);
            p += n;
        } else if (*p == '&' || *p == '<' || *p == '>' || *p == '"' || *p == '\'') {
            fputs(*p == '&' ? "&amp;" : *p == '<' ? "&lt;" : *p == '>' ? "&gt;"
                  : *p == '"' ? "&quot;" : "&apos;", out);
            p++;
        } else {
            fwrite(p, 1, (size_t)n, out);
            p += n;
        }
    }
}

/* The unit of a y axis: memory in KiB (what /proc calls kB), MiB, GiB or
 * TiB, one for the whole axis and named in its title, so that no tick reads
 * "19.1G" under "(kB)"; rates in pages/s, as plain numbers. */
struct unit {
    const char *name;
    double div;                  /* stored values (kB, pages/s) per unit */
    int suffix;                  /* tick labels carry the name */
};

static const struct unit mem_units[] = {
    { "KiB", 1, 1 }, { "MiB", 1024, 1 }, { "GiB", 1024.0 * 1024, 1 },
    { "TiB", 1024.0 * 1024 * 1024, 1 },
};
static const struct unit rate_unit = { "pages/s", 1, 0 };

struct panel {
    const char *id;
    int y0, h;                   /* plot rectangle: PLOT_X, y0, PLOT_W, h */
    double ymin, ymax, step;     /* in stored values (kB, pages/s) */
    const struct unit *unit;
    int legend;                  /* entries so far */
};

/* The largest memory unit that KB reaches at least once. */
static const struct unit *mem_unit(double kb)
{
    size_t u = 0;
    while (u + 1 < sizeof mem_units / sizeof *mem_units && kb >= mem_units[u + 1].div)
        u++;
    return &mem_units[u];
}

/* P's y scale for values from LO to HI in UNIT: at most 6 intervals of a
 * 1-2-2.5-4-5 step of the unit (4: RAM comes in powers of two, 16 GiB is
 * 0 to 16 by 4, not 0 to 20 by 5), from a multiple of the step below LO to
 * one above HI.  A flat or empty range gets some room around it. */
static void scale(struct panel *p, double lo, double hi, const struct unit *unit)
{
    static const double mult[] = { 1, 2, 2.5, 4, 5 };
    const int nmult = (int)(sizeof mult / sizeof *mult);
    double a = lo / unit->div, b = hi / unit->div;
    if (!(b > a)) {
        double pad = b > 0 ? b * 0.01 : 0;
        a = a - pad > 0 ? a - pad : 0;
        b = b + pad > a ? b + pad : a + 4;   /* an empty panel: 0 to 4 on the axis */
    }
    double mag = pow(10, floor(log10((b - a) / 5))), step = mag;
    for (int k = 1; ceil(b / step - 1e-9) - floor(a / step + 1e-9) > 6; k++)
        step = mult[k % nmult] * mag * pow(10, k / nmult);
    p->ymin = floor(a / step + 1e-9) * step * unit->div;
    p->ymax = ceil(b / step - 1e-9) * step * unit->div;
    p->step = step * unit->div;
    p->unit = unit;
}

/* The decimals that show every multiple of P's step. */
static int step_decimals(const struct panel *p)
{
    double step = p->step / p->unit->div;
    int d = 0;
    while (d < 4 && fabs(step * pow(10, d) - round(step * pow(10, d))) > 1e-6)
        d++;
    return d;
}

/* V (stored units) in P's unit with DECIMALS, and the unit's name when it has one. */
static void value_label(const struct panel *p, double v, int decimals, char *buf, size_t cap)
{
    snprintf(buf, cap, "%.*f%s%s", decimals, v / p->unit->div, p->unit->suffix ? " " : "",
             p->unit->suffix ? p->unit->name : "");
}

static double ypos(const struct panel *p, double v)
{
    if (v < p->ymin)
        v = p->ymin;
    if (v > p->ymax)
        v = p->ymax;
    return p->y0 + p->h - (v - p->ymin) / (p->ymax - p->ymin) * p->h;
}

/* LO0/HI0 where HAVE0 is set, copied into LO/HI/HAVE with the columns
 * between joined samples (LINK) filled by linear interpolation. */
static void join_columns(const float *lo0, const float *hi0, const unsigned char *have0,
                         const unsigned char *link, float *lo, float *hi, unsigned char *have)
{
    memcpy(lo, lo0, PLOT_W * sizeof *lo);
    memcpy(hi, hi0, PLOT_W * sizeof *hi);
    memcpy(have, have0, PLOT_W);
    int prev = -1;
    for (int k = 0; k < PLOT_W; k++) {
        if (!have0[k])
            continue;
        if (prev >= 0 && k > prev + 1 && link && link[k])
            for (int j = prev + 1; j < k; j++) {
                float f = (float)(j - prev) / (float)(k - prev);
                lo[j] = lo0[prev] + f * (lo0[k] - lo0[prev]);
                hi[j] = hi0[prev] + f * (hi0[k] - hi0[prev]);
                have[j] = 1;
            }
        prev = k;
    }
}

/* The next run of columns with HAVE set, from *C on: [*C, *END); 0 when none. */
static int next_run(const unsigned char *have, int *c, int *end)
{
    while (*c < PLOT_W && !have[*c])
        (*c)++;
    if (*c == PLOT_W)
        return 0;
    *end = *c;
    while (*end < PLOT_W && have[*end])
        (*end)++;
    return 1;
}

/* A band between LO and HI over the columns where HAVE is set, one polygon
 * per run of columns. */
static void band(FILE *out, const struct panel *p, const float *lo0, const float *hi0,
                 const unsigned char *have0, const unsigned char *link, const char *cls,
                 const char *style)
{
    static float lo[PLOT_W], hi[PLOT_W];
    static unsigned char have[PLOT_W];
    join_columns(lo0, hi0, have0, link, lo, hi, have);
    for (int c = 0, end; next_run(have, &c, &end); c = end) {
        fprintf(out, "<polygon class=\"%s\"%s points=\"", cls, style ? style : "");
        /* steps: each column's min and max span its whole pixel, so that a
         * one-column peak is a full pixel wide, not a hairline spike */
        for (int k = c; k < end; k++) {
            double y = ypos(p, hi[k]);
            if (k == c || ypos(p, hi[k - 1]) != y)
                fprintf(out, "%d,%.1f ", PLOT_X + k, y);
            fprintf(out, "%d,%.1f ", PLOT_X + k + 1, y);
        }
        for (int k = end - 1; k >= c; k--) {
            double y = ypos(p, lo[k]);
            fprintf(out, "%d,%.1f ", PLOT_X + k + 1, y);
            if (k == c || ypos(p, lo[k - 1]) != y)
                fprintf(out, "%d,%.1f ", PLOT_X + k, y);
        }
        fputs("\"/>\n", out);
    }
}

/* V over the columns where HAVE is set as one dashed polyline per run, drawn
 * left to right only: a band's outline would draw it forward and back, and
 * the two dash patterns interlock into a solid line at some widths.  A
 * change of value slopes over one pixel, so that x only grows. */
static void dashed_line(FILE *out, const struct panel *p, const float *v0,
                        const unsigned char *have0, const unsigned char *link, const char *cls,
                        const char *color)
{
    static float v[PLOT_W], unused[PLOT_W];
    static unsigned char have[PLOT_W];
    join_columns(v0, v0, have0, link, v, unused, have);
    for (int c = 0, end; next_run(have, &c, &end); c = end) {
        fprintf(out, "<polyline class=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
                     "stroke-dasharray=\"6 3\" points=\"%d,%.1f", cls, color, PLOT_X + c,
                ypos(p, v[c]));
        double last_x = PLOT_X + c, yprev = ypos(p, v[c]);
        for (int k = c + 1; k < end; k++) {
            double y = ypos(p, v[k]);
            if (y == yprev)
                continue;
            if (PLOT_X + k - 0.5 > last_x)
                fprintf(out, " %.1f,%.1f", PLOT_X + k - 0.5, yprev);
            fprintf(out, " %.1f,%.1f", PLOT_X + k + 0.5, y);
            last_x = PLOT_X + k + 0.5;
            yprev = y;
        }
        fprintf(out, " %d,%.1f\"/>\n", PLOT_X + end, yprev);
    }
}

#define LEGEND_CHARS 26      /* what fits right of the plot */

/* A legend entry: LABEL cut to fit, then MARK (plain ASCII, never cut). */
static void legend_mark(FILE *out, struct panel *p, const char *color, const char *label,
                        const char *mark, int dashed)
{
    int x = PLOT_X + PLOT_W + 14, y = p->y0 + 4 + p->legend * 16;
    if (dashed)
        fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
                     "stroke-width=\"2\" stroke-dasharray=\"4 2\"/>", x, y + 5, x + 12, y + 5, color);
    else
        fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"10\" fill=\"%s\"/>", x, y,
                color);
    fprintf(out, "<text class=\"legend\" x=\"%d\" y=\"%d\">", x + 17, y + 9);
    int room = LEGEND_CHARS - (int)strlen(mark);
    xml_text(out, label, room < 8 ? 8 : room);
    fputs(mark, out);
    fputs("</text>\n", out);
    p->legend++;
}

static void legend(FILE *out, struct panel *p, const char *color, const char *label, int dashed)
{
    legend_mark(out, p, color, label, "", dashed);
}

struct tick {
    int64_t ts;
    int major;                   /* a day boundary */
};

/* Local-time ticks: whole minutes, hours or days, at most about 12. */
static size_t ticks(const struct chart *c, struct tick *out, size_t cap)
{
    static const int minutes[] = { 1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720,
                                   1440, 2880, 10080, 20160, 40320 };
    double span_min = (double)(c->t1 - c->t0) / 60;
    int step = minutes[15];
    for (size_t i = 0; i < sizeof minutes / sizeof *minutes; i++)
        if (span_min / minutes[i] <= 12) {
            step = minutes[i];
            break;
        }
    size_t n = 0;
    if (step < 1440) {
        for (int64_t t = cap_period_start(c->t0, PERIOD_HOUR); t <= c->t1 && n < cap; t += 60) {
            time_t w = (time_t)t;
            struct tm tm;
            localtime_r(&w, &tm);
            if (t >= c->t0 && (tm.tm_hour * 60 + tm.tm_min) % step == 0)
                out[n++] = (struct tick){ t, tm.tm_hour == 0 && tm.tm_min == 0 };
            if (step >= 60)   /* whole hours from here on */
                t += 3540;
        }
    } else {
        int days = step / 1440, k = 0;
        for (int64_t t = cap_period_start(c->t0, PERIOD_DAY); t <= c->t1 && n < cap;
             t = cap_period_next(t, PERIOD_DAY), k++) {
            time_t w = (time_t)t;
            struct tm tm;
            localtime_r(&w, &tm);
            /* weeks start on Monday; shorter steps count from the first day */
            int take = days >= 7 ? tm.tm_wday == 1 : k % days == 0;
            if (t >= c->t0 && take)
                out[n++] = (struct tick){ t, 1 };
        }
    }
    return n;
}

/* P's group, its title "NAME (UNIT): WHAT" and its plot rectangle. */
static void panel_frame(FILE *out, const struct chart *c, struct panel *p, const char *name,
                        const char *what)
{
    fprintf(out, "<g class=\"panel\" id=\"%s\" data-x0=\"%d\" data-y0=\"%d\" data-w=\"%d\" "
                 "data-h=\"%d\" data-t0=\"%lld\" data-t1=\"%lld\" data-ymin=\"%.9g\" "
                 "data-ymax=\"%.9g\" data-unit=\"%s\">\n",
            p->id, PLOT_X, p->y0, PLOT_W, p->h, (long long)c->t0, (long long)c->t1, p->ymin,
            p->ymax, p->unit->name);
    fprintf(out, "<text class=\"title\" x=\"%d\" y=\"%d\">", PLOT_X, p->y0 - 8);
    xml_text(out, name, 0);
    fprintf(out, " (%s): ", p->unit->name);
    xml_text(out, what, 0);
    fputs("</text>\n", out);
    fprintf(out, "<rect class=\"plot\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>\n", PLOT_X,
            p->y0, PLOT_W, p->h);
}

static void panel_axes(FILE *out, const struct chart *c, const struct panel *p)
{
    int decimals = step_decimals(p), nticks = (int)lround((p->ymax - p->ymin) / p->step);
    for (int k = 0; k <= nticks; k++) {
        double v = p->ymin + p->step * k, y = ypos(p, v);
        char label[48];
        value_label(p, v, decimals, label, sizeof label);
        fprintf(out, "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>"
                     "<text class=\"ylab\" x=\"%d\" y=\"%.1f\">%s</text>\n",
                PLOT_X, y, PLOT_X + PLOT_W, y, PLOT_X - 6, y + 4, label);
    }
    struct tick tk[64];
    size_t n = ticks(c, tk, 64);
    for (size_t i = 0; i < n; i++) {
        int x = PLOT_X + col_of(c, tk[i].ts);
        time_t w = (time_t)tk[i].ts;
        struct tm tm;
        localtime_r(&w, &tm);
        char label[32];
        strftime(label, sizeof label, tk[i].major ? "%a %m-%d" : "%H:%M", &tm);
        fprintf(out, "<line class=\"%s\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
                     "<text class=\"xlab\" x=\"%d\" y=\"%d\">%s</text>\n",
                tk[i].major ? "vgrid day" : "vgrid", x, p->y0, x, p->y0 + p->h, x,
                p->y0 + p->h + 14, label);
    }
    for (int i = 0; i < c->nrestarts; i++) {
        int x = PLOT_X + col_of(c, c->restarts[i]);
        fprintf(out, "<line class=\"restart\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
                     "<text class=\"rlab\" x=\"%d\" y=\"%d\">restart</text>\n",
                x, p->y0, x, p->y0 + p->h, x + 3, p->y0 + 10);
    }
    fputs("</g>\n", out);
}

/* A system-wide series drawn as its min..max band, translucent. */
struct envelope {
    int s;
    const char *color, *label, *cls;
};

/* The bands of the N series in E on panel P, with their legend entries;
 * LO and HI are PLOT_W floats of scratch. */
static void envelopes(FILE *out, const struct chart *c, struct panel *p, const struct envelope *e,
                      size_t n, const unsigned char *have, float *lo, float *hi)
{
    for (size_t l = 0; l < n; l++) {
        for (int k = 0; k < PLOT_W; k++) {
            lo[k] = c->cols[k].min[e[l].s];
            hi[k] = c->cols[k].max[e[l].s];
        }
        char style[96];
        snprintf(style, sizeof style, " fill=\"%s\" fill-opacity=\"0.45\" stroke=\"%s\"",
                 e[l].color, e[l].color);
        band(out, p, lo, hi, have, c->link, e[l].cls, style);
        legend(out, p, e[l].color, e[l].label, 0);
    }
}

static const char *const proc_colors[PROC_COLORS] = {
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
};

#define MEM_H 220
#define AVAIL_H 130
#define SWAP_H 100
#define RATE_H 100
#define NODE_H 90
#define PROC_H 220

struct scratch {                 /* PLOT_W columns of working space */
    float lo[PLOT_W], hi[PLOT_W];
    unsigned char have[PLOT_W], rhave[PLOT_W], plink[PLOT_W];
};

static void svg_head(FILE *out, const struct chart *c, const struct render_ctx *ctx, int height)
{
    fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                 "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                 "viewBox=\"0 0 %d %d\">\n", SVG_W, height, SVG_W, height);
    fputs("<style>\n"
          "text { font-family: sans-serif; font-size: 11px; fill: #222; }\n"
          ".title { font-size: 13px; font-weight: bold; }\n"
          ".head { font-size: 15px; font-weight: bold; }\n"
          ".ylab { text-anchor: end; } .xlab { text-anchor: middle; }\n"
          ".rlab { fill: #c00; font-size: 10px; }\n"
          ".plot { fill: #fff; stroke: #888; stroke-width: 1; }\n"
          ".grid { stroke: #ddd; stroke-width: 1; } .vgrid { stroke: #eee; stroke-width: 1; }\n"
          ".day { stroke: #ccc; }\n"
          ".restart { stroke: #c00; stroke-width: 1.5; stroke-dasharray: 5 3; }\n"
          "polygon { stroke-width: 1; stroke-linejoin: round; }\n"
          ".min-mark { fill: #0b2e6b; stroke: #fff; stroke-width: 1; }\n"
          ".min-label { font-weight: bold; fill: #0b2e6b; stroke: #fff; stroke-width: 3px; "
          "paint-order: stroke; }\n"
          "</style>\n<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n", out);
    char from[32], to[32], head[512];
    cap_local_time(c->t0, from, sizeof from);
    cap_local_time(c->t1, to, sizeof to);
    if (c->samples)
        snprintf(head, sizeof head, "%s (%s %s): memory from %s to %s, %lu samples",
                 ctx->sr->host.nodename, ctx->sr->host.sysname, ctx->sr->host.release, from, to,
                 c->samples);
    else
        snprintf(head, sizeof head, "%s (%s %s): %s", ctx->sr->host.nodename,
                 ctx->sr->host.sysname, ctx->sr->host.release, EMPTY_WINDOW_TEXT);
    fprintf(out, "<text class=\"head\" x=\"%d\" y=\"24\">", PLOT_X);
    xml_text(out, head, 0);
    fputs("</text>\n", out);
}

/* Memory on the scale of total RAM: sar's composition stacked, the bands of
 * kbmemused, MemAvailable and Committed_AS, and CommitLimit dashed. */
static int memory_panel(FILE *out, const struct chart *c, int y, struct scratch *w)
{
    double memmax = 0;
    for (int k = 0; k < PLOT_W; k++)
        if (c->cols[k].n)
            memmax = fmax(memmax, fmax(c->cols[k].max[S_TOTAL],
                                       fmax(c->cols[k].max[S_COMMITTED], c->cols[k].max[S_LIMIT])));
    struct panel mem = { .id = "memory", .y0 = y, .h = MEM_H };
    scale(&mem, 0, memmax, mem_unit(memmax));
    panel_frame(out, c, &mem, "Memory", "composition as sar -r defines it, per-pixel means; "
                                        "bands: min..max");
    static const struct { int s; const char *color, *label; } stack[] = {
        { S_USED, "#e8887f", "used (kbmemused)" }, { S_BUFFERS, "#f2cf5b", "buffers" },
        { S_CACHED, "#8fc7c2", "cached" }, { S_SLAB, "#c7a3d3", "slab" },
        { S_FREE, "#dcebc8", "free" },
    };
    double cum[PLOT_W] = { 0 };
    for (size_t l = 0; l < sizeof stack / sizeof *stack; l++) {
        for (int k = 0; k < PLOT_W; k++) {
            const struct pxcol *col = &c->cols[k];
            w->lo[k] = (float)cum[k];
            if (col->n)
                cum[k] += col->sum[stack[l].s] / col->secs;
            w->hi[k] = (float)cum[k];
        }
        char style[96];
        snprintf(style, sizeof style, " fill=\"%s\" stroke=\"%s\"", stack[l].color, stack[l].color);
        band(out, &mem, w->lo, w->hi, w->have, c->link, stack[l].s == S_USED ? "used" : "stack",
             style);
        legend(out, &mem, stack[l].color, stack[l].label, 0);
    }
    static const struct envelope lines[] = {
        { S_USED, "#9e1b12", "used min..max", "used-envelope" },
        { S_AVAIL, "#1f5fbf", "available (MemAvailable)", "available" },
        { S_COMMITTED, "#111111", "committed (Committed_AS)", "committed" },
    };
    envelopes(out, c, &mem, lines, sizeof lines / sizeof *lines, w->have, w->lo, w->hi);
    for (int k = 0; k < PLOT_W; k++)
        w->lo[k] = c->cols[k].max[S_LIMIT];
    dashed_line(out, &mem, w->lo, w->have, c->link, "limit", "#555");
    legend(out, &mem, "#555", "CommitLimit", 1);
    panel_axes(out, c, &mem);
    return y + mem.h + PANEL_GAP;
}

/* A mark at MemAvailable's lowest sample, and its value and local time. */
static void min_mark(FILE *out, const struct chart *c, const struct panel *p)
{
    double x = PLOT_X + col_of(c, c->avail_min_ts) + 0.5, y = ypos(p, c->avail_min);
    /* above the line, pointing at it, leaving the line itself to be seen */
    fprintf(out, "<polygon class=\"min-mark\" points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\"/>\n",
            x - 5, y - 13, x + 5, y - 13, x, y - 4);
    time_t when = (time_t)c->avail_min_ts;
    struct tm tm;
    localtime_r(&when, &tm);
    char value[48], at[32];
    /* a decimal finer than the axis, and at least 3 significant digits */
    double in_unit = c->avail_min / p->unit->div;
    int decimals = step_decimals(p) + 1;
    if (in_unit > 0 && 2 - (int)floor(log10(in_unit)) > decimals)
        decimals = 2 - (int)floor(log10(in_unit));
    value_label(p, c->avail_min, decimals > 3 ? 3 : decimals, value, sizeof value);
    /* the date too when the window spans more than one day */
    strftime(at, sizeof at, c->t1 - c->t0 >= 86400 ? "%a %m-%d %H:%M" : "%H:%M", &tm);
    int right = x > PLOT_X + PLOT_W - 180;
    fprintf(out, "<text class=\"min-label\" x=\"%.1f\" y=\"%.1f\"%s>min %s at %s</text>\n",
            right ? x - 8 : x + 8, y - 8 < p->y0 + 12 ? p->y0 + 12 : y - 8,
            right ? " text-anchor=\"end\"" : "", value, at);
}

/* MemAvailable on the scale of its own range, not from 0, so that a 500 MB
 * incident on a machine of 24 GB fills the panel instead of a hairline. */
static int available_panel(FILE *out, const struct chart *c, int y, struct scratch *w)
{
    double amin = INFINITY, amax = 0;
    for (int k = 0; k < PLOT_W; k++) {
        w->lo[k] = c->cols[k].min[S_AVAIL];
        w->hi[k] = c->cols[k].max[S_AVAIL];
        if (c->cols[k].n) {
            amin = fmin(amin, w->lo[k]);
            amax = fmax(amax, w->hi[k]);
        }
    }
    struct panel av = { .id = "available", .y0 = y, .h = AVAIL_H };
    scale(&av, amin, amax, mem_unit(amax));
    panel_frame(out, c, &av, "Available memory",
                "MemAvailable min..max on the scale of its own range (not from 0); "
                "\xe2\x96\xbc its minimum");
    band(out, &av, w->lo, w->hi, w->have, c->link, "available",
         " fill=\"#1f5fbf\" fill-opacity=\"0.45\" stroke=\"#1f5fbf\"");
    legend(out, &av, "#1f5fbf", "available (MemAvailable)", 0);
    min_mark(out, c, &av);
    panel_axes(out, c, &av);
    return y + av.h + PANEL_GAP;
}

static int swap_panels(FILE *out, const struct chart *c, int y, struct scratch *w)
{
    double swapmax = 0, ratemax = 0;
    for (int k = 0; k < PLOT_W; k++) {
        const struct pxcol *col = &c->cols[k];
        if (col->n)
            swapmax = fmax(swapmax, fmax(col->max[S_SWAP], 0));
        if (col->rn)
            ratemax = fmax(ratemax, fmax(col->max[S_SWPIN], col->max[S_SWPOUT]));
        w->lo[k] = col->min[S_SWAP];
        w->hi[k] = col->max[S_SWAP];
    }
    struct panel sw = { .id = "swap", .y0 = y, .h = SWAP_H };
    scale(&sw, 0, swapmax, mem_unit(swapmax));
    panel_frame(out, c, &sw, "Swap used", swapmax > 0 ? "min..max" : "none in this window");
    band(out, &sw, w->lo, w->hi, w->have, c->link, "swap",
         " fill=\"#9467bd\" fill-opacity=\"0.5\" stroke=\"#6a3d9a\"");
    legend(out, &sw, "#9467bd", "swap used", 0);
    panel_axes(out, c, &sw);
    y += sw.h + PANEL_GAP;

    struct panel rt = { .id = "swapping", .y0 = y, .h = RATE_H };
    scale(&rt, 0, ratemax, &rate_unit);
    panel_frame(out, c, &rt, "Swapping", "pswpin/s and pswpout/s, min..max");
    static const struct envelope rates[] = {
        { S_SWPIN, "#2ca02c", "pswpin/s", "swpin" }, { S_SWPOUT, "#d62728", "pswpout/s", "swpout" },
    };
    envelopes(out, c, &rt, rates, sizeof rates / sizeof *rates, w->rhave, w->lo, w->hi);
    panel_axes(out, c, &rt);
    return y + rt.h + PANEL_GAP;
}

static int numa_panels(FILE *out, const struct chart *c, int y, struct scratch *w)
{
    for (int i = 0; i < c->nnodes; i++) {
        const struct node_cols *nc = &c->nodes[i];
        char id[32], name[32];
        snprintf(id, sizeof id, "node%d", nc->id);
        snprintf(name, sizeof name, "NUMA node %d", nc->id);
        struct panel np = { .id = id, .y0 = y, .h = NODE_H };
        scale(&np, 0, nc->total, mem_unit(nc->total));
        panel_frame(out, c, &np, name, "used and free, min..max");
        for (int k = 0; k < PLOT_W; k++)
            w->have[k] = nc->n[k] > 0;
        band(out, &np, nc->umin, nc->umax, w->have, c->link, "node-used",
             " fill=\"#e8887f\" fill-opacity=\"0.6\" stroke=\"#c0392b\"");
        legend(out, &np, "#e8887f", "used", 0);
        band(out, &np, nc->fmin, nc->fmax, w->have, c->link, "node-free",
             " fill=\"#72b7b2\" fill-opacity=\"0.6\" stroke=\"#2a7f7a\"");
        legend(out, &np, "#72b7b2", "free", 0);
        panel_axes(out, c, &np);
        y += np.h + PANEL_GAP;
    }
    return y;
}

#define LEGEND_MARK 40

static int by_name_boot_pid(const void *a, const void *b)
{
    const struct svgproc *x = *(const struct svgproc *const *)a;
    const struct svgproc *y = *(const struct svgproc *const *)b;
    int d = strcmp(x->comm, y->comm);
    if (d)
        return d;
    if (x->boot != y->boot)
        return x->boot < y->boot ? -1 : 1;
    if (x->pid != y->pid)
        return x->pid < y->pid ? -1 : 1;
    return x->start_ticks < y->start_ticks ? -1 : x->start_ticks > y->start_ticks;
}

static int same_pid(const struct svgproc *x, const struct svgproc *y)
{
    return x->boot == y->boot && x->pid == y->pid;
}

/* What tells apart the legend entries "PID NAME" of the first N identities
 * whose names repeat: the boot (1 = the window's first) when the name comes
 * in more than one boot, the start time when the same pid and name come
 * twice in one boot.  MARKS[i] is "", " (boot 2)", " (started 14:02)" or
 * " (boot 2, 14:02)". */
static int legend_marks(const struct chart *c, size_t n, char (*marks)[LEGEND_MARK])
{
    const struct svgproc **by = malloc((n ? n : 1) * sizeof *by);
    if (!by)
        return -1;
    for (size_t i = 0; i < n; i++) {
        by[i] = &c->ids[i];
        marks[i][0] = '\0';
    }
    qsort(by, n, sizeof *by, by_name_boot_pid);
    for (size_t g = 0, e; g < n; g = e) {
        for (e = g + 1; e < n && strcmp(by[e]->comm, by[g]->comm) == 0; e++)
            ;
        int boots = by[g]->boot != by[e - 1]->boot;
        for (size_t i = g; i < e; i++) {
            const struct svgproc *id = by[i];
            int reused = (i > g && same_pid(by[i - 1], id)) || (i + 1 < e && same_pid(id, by[i + 1]));
            char started[16] = "";
            time_t when = (time_t)(id->boot_epoch + (int64_t)(id->start_ticks / USER_HZ));
            struct tm tm;
            if (reused && localtime_r(&when, &tm))
                strftime(started, sizeof started, "%H:%M", &tm);
            char *m = marks[id - c->ids];
            if (boots && reused)
                snprintf(m, LEGEND_MARK, " (boot %u, %s)", id->boot + 1, started);
            else if (boots)
                snprintf(m, LEGEND_MARK, " (boot %u)", id->boot + 1);
            else if (reused)
                snprintf(m, LEGEND_MARK, " (started %s)", started);
        }
    }
    free(by);
    return 0;
}

/* The N identities of most contribution, each a band, with a legend of pid
 * and name (and what tells repeated names apart). */
static void process_panel(FILE *out, const struct chart *c, size_t n, int y, struct scratch *w)
{
    double pmax = 1;
    for (size_t i = 0; i < n; i++)
        pmax = fmax(pmax, (double)c->ids[i].peak);
    char what[200];
    snprintf(what, sizeof what, "top %zu by the memory they brought (last - first, born: from 0), "
             "min..max over %lu sampled instants", n, c->instants);
    struct panel pp = { .id = "processes", .y0 = y, .h = PROC_H };
    scale(&pp, 0, pmax, mem_unit(pmax));
    panel_frame(out, c, &pp, "Processes' RSS", what);
    char (*marks)[LEGEND_MARK] = malloc((n ? n : 1) * sizeof *marks);
    if (marks && legend_marks(c, n, marks) != 0) {
        free(marks);
        marks = NULL;
    }
    for (size_t i = 0; i < n; i++) {
        const struct svgproc *id = &c->ids[i];
        memset(w->have, 0, PLOT_W);
        memset(w->plink, 0, PLOT_W);
        for (size_t e = 0; e < id->nenv; e++) {
            uint32_t k = id->env[e].col;
            w->have[k] = 1;
            w->plink[k] = (unsigned char)id->env[e].joined;
            w->lo[k] = id->env[e].min;
            w->hi[k] = id->env[e].max;
        }
        const char *color = proc_colors[i % PROC_COLORS];
        char style[96];
        snprintf(style, sizeof style, " fill=\"%s\" fill-opacity=\"0.35\" stroke=\"%s\"", color,
                 color);
        band(out, &pp, w->lo, w->hi, w->have, w->plink, "proc", style);
        char label[COMM_MAX + 24];
        snprintf(label, sizeof label, "%d %s", (int)id->pid, id->comm);
        legend_mark(out, &pp, color, label, marks ? marks[i] : "", 0);
    }
    free(marks);
    panel_axes(out, c, &pp);
}

static void draw(const struct report_opts *o, struct chart *c, const struct render_ctx *ctx)
{
    FILE *out = c->out;
    long top = o->procs.top > 0 ? o->procs.top : 10;
    size_t nprocs = c->nids < (size_t)top ? c->nids : (size_t)top;
    for (size_t i = 0; i < c->nids; i++) {
        struct svgproc *id = &c->ids[i];
        id->change = rss_contribution(id->born, id->last_instant != c->instants, id->first_rss,
                                      id->last_rss);
    }
    if (c->nids)
        qsort(c->ids, c->nids, sizeof *c->ids, by_change);
    int height = TOP_PAD + 4 * PANEL_GAP + MEM_H + AVAIL_H + SWAP_H + RATE_H +
                 c->nnodes * (NODE_H + PANEL_GAP) + (c->instants ? PROC_H + PANEL_GAP : 0) + 30;
    svg_head(out, c, ctx, height);
    struct scratch *w = malloc(sizeof *w);
    if (c->samples && w) {
        for (int k = 0; k < PLOT_W; k++) {
            w->have[k] = c->cols[k].n > 0;
            w->rhave[k] = c->cols[k].rn > 0;
        }
        int y = TOP_PAD + 18;
        y = memory_panel(out, c, y, w);
        y = available_panel(out, c, y, w);
        y = swap_panels(out, c, y, w);
        y = numa_panels(out, c, y, w);
        if (c->instants)
            process_panel(out, c, nprocs, y, w);
    }
    fputs("</svg>\n", out);
    free(w);
}

int render_svg(const struct report_opts *o, struct render_ctx *ctx, const struct cap_window *w)
{
    struct chart c;
    memset(&c, 0, sizeof c);
    c.t0 = w->first_ts;
    c.t1 = w->last_ts;
    c.out = ctx->out;
    c.cols = calloc(PLOT_W, sizeof *c.cols);
    c.link = calloc(PLOT_W, 1);
    if (!c.cols || !c.link) {
        free(c.cols);
        free(c.link);
        return 2;
    }
    struct cap_stream cs = { on_point, on_procs, 1, &c };
    int status = cap_run(w, &cs);
    if (status == 0 && !c.samples)
        say_empty_window();   /* the chart still says so, and stays a valid SVG */
    if (status == 0)
        draw(o, &c, ctx);
    free(c.cols);
    free(c.link);
    for (int i = 0; i < c.nnodes; i++) {
        free(c.nodes[i].n);
        free(c.nodes[i].umin);
        free(c.nodes[i].umax);
        free(c.nodes[i].fmin);
        free(c.nodes[i].fmax);
    }
    for (size_t i = 0; i < c.nids; i++)
        free(c.ids[i].env);
    free(c.ids);
    identmap_free(&c.map);
    return status;
}
