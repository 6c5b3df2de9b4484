/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel log's records and the OOM killer's lines, parsed by key
 * (kmsg_parse.h).  The variants, from mm/oom_kill.c and mm/memcontrol.c:
 *
 *   4.19  oom-kill:constraint=C,nodemask=N,oom_memcg=P,task_memcg=P,cpuset=X,mems_allowed=M,task=COMM,pid=%5d,uid=%5d
 *         (memcg context before the cpuset, pid and uid padded), then
 *         "PREFIX: Kill process PID (COMM) score S or sacrifice child", then
 *         "Killed process PID (COMM) total-vm:NkB, anon-rss:NkB, file-rss:NkB, shmem-rss:NkB"
 *   5.1   the summary with cpuset first and %d; "PREFIX: Killed process ..." replaces both kill lines
 *   5.3   ", UID:%u" after shmem-rss
 *   5.9+  " pgtables:%lukB oom_score_adj:%hd" after UID
 * PREFIX is "Out of memory", "Memory cgroup out of memory" or "Out of
 * memory (oom_kill_allocating_task)"; a global OOM prints ",global_oom"
 * where a cgroup's prints ",oom_memcg=P".  Distribution kernels reorder
 * (RHEL 7: "Killed process PID (COMM), UID N, total-vm:..."), hence keys,
 * never positions.
 *
 * The victim's comm is any 15 bytes its owner chose, "(", ")", ",", "=" and
 * spaces included (/dev/kmsg shows control bytes and '\' as \xNN, undone
 * here).  What follows the comm in a "Killed process" line holds no ')', so
 * the comm ends at the line's last ')'; the summary ends with
 * ",task=COMM,pid=N,uid=N", so once the comm is known its start is exact.
 * Cgroup paths (delegated cgroups have hostile names too) are taken from
 * their key up to the next known key: a path that itself contains
 * ",task_memcg=" or the like is cut there, which is the best any reader of
 * this line can do.
 */
#include "kmsg_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEADER_MAX 128   /* "prio,seq,usec,flags,caller=T1234;" is far shorter */

/* Parses decimal digits at *P (at most 19, so no overflow), advancing *P. */
static int take_u64(const char **p, const char *end, uint64_t *out)
{
    const char *s = *p;
    uint64_t v = 0;
    int n = 0;
    while (s < end && *s >= '0' && *s <= '9' && n < 19) {
        v = v * 10 + (uint64_t)(*s - '0');
        s++;
        n++;
    }
    if (n == 0 || (s < end && *s >= '0' && *s <= '9'))
        return -1;
    *p = s;
    *out = v;
    return 0;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The message from S to the first newline (or END), the kernel's \xNN
 * escapes undone, into OUT (NUL-terminated, truncated to CAP).  An escaped
 * NUL ends the text: no kernel string holds one. */
static void unescape_text(const char *s, const char *end, char *out, size_t cap)
{
    size_t n = 0;
    while (s < end && *s != '\n' && n + 1 < cap) {
        int c = (unsigned char)*s;
        if (c == '\\' && end - s >= 4 && s[1] == 'x' && hex_value(s[2]) >= 0 &&
            hex_value(s[3]) >= 0) {
            c = hex_value(s[2]) * 16 + hex_value(s[3]);
            s += 4;
        } else {
            s++;
        }
        if (c == 0)
            break;
        out[n++] = (char)c;
    }
    out[n] = '\0';
}

int kmsg_parse_record(const char *buf, size_t len, struct kmsg_record *out)
{
    const char *p = buf, *end = buf + len;
    const char *semi = memchr(buf, ';', len < HEADER_MAX ? len : HEADER_MAX);
    uint64_t prio, seq, usec;
    if (!semi || take_u64(&p, semi, &prio) != 0 || p >= semi || *p++ != ',' ||
        take_u64(&p, semi, &seq) != 0 || p >= semi || *p++ != ',' ||
        take_u64(&p, semi, &usec) != 0 || p >= semi || *p++ != ',' || p >= semi)
        return -1;
    if (prio > 0xffff || usec > INT64_MAX)
        return -1;
    out->facility = (unsigned)(prio >> 3);
    out->level = (unsigned)(prio & 7);
    out->seq = seq;
    out->usec = (int64_t)usec;
    out->continuation = *p == 'c';
    /* further fields (",caller=T123" with CONFIG_PRINTK_CALLER) are not needed */
    unescape_text(semi + 1, end, out->text, sizeof out->text);
    return 0;
}

void oom_parser_init(struct oom_parser *p)
{
    memset(p, 0, sizeof *p);
}

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Where the words after WORD begin when TEXT is "WORD ..." or
 * "PREFIX: WORD ..." with an OOM prefix; NULL otherwise.  *MEMCG says
 * whether the prefix named a cgroup's OOM (-1: no prefix). */
static const char *after_word(const char *text, const char *word, int *memcg)
{
    size_t wl = strlen(word);
    *memcg = -1;
    if (strncmp(text, word, wl) == 0)
        return text + wl;
    const char *colon = strstr(text, ": ");
    if (!colon || strncmp(colon + 2, word, wl) != 0)
        return NULL;
    if (starts_with(text, "Memory cgroup out of memory"))
        *memcg = 1;
    else if (starts_with(text, "Out of memory"))
        *memcg = 0;
    else
        return NULL;
    return colon + 2 + wl;
}

/* "PID (COMM)" at S: the pid, the comm into COMM, and what follows the
 * comm's closing parenthesis (the line's last ')'); NULL when malformed. */
static const char *pid_and_comm(const char *s, int32_t *pid, char comm[COMM_MAX])
{
    uint64_t v;
    const char *end = s + strlen(s);
    if (take_u64(&s, end, &v) != 0 || v > INT32_MAX || strncmp(s, " (", 2) != 0)
        return NULL;
    s += 2;
    const char *close = strrchr(s, ')');
    if (!close)
        return NULL;
    size_t n = (size_t)(close - s);
    if (n >= COMM_MAX)
        n = COMM_MAX - 1;
    memcpy(comm, s, n);
    comm[n] = '\0';
    *pid = (int32_t)v;
    return close + 1;
}

/* A signed decimal at S (spaces before it allowed: 4.19 padded with %5d),
 * with an optional "kB"; -1 when there is none. */
static int take_signed(const char *s, const char *end, int64_t *out)
{
    uint64_t v;
    int neg = 0;
    while (s < end && *s == ' ')
        s++;
    if (s < end && *s == '-') {
        neg = 1;
        s++;
    }
    if (take_u64(&s, end, &v) != 0 || v > INT64_MAX)
        return -1;
    *out = neg ? -(int64_t)v : (int64_t)v;
    return 0;
}

/* The value of KEY (given with its separator, "anon-rss:") among the
 * words of TAIL: -1 when absent or not a number. */
static int64_t tail_value(const char *tail, const char *key)
{
    size_t kl = strlen(key);
    for (const char *s = tail; (s = strstr(s, key)) != NULL; s += kl) {
        int64_t v;
        if ((s == tail || s[-1] == ' ' || s[-1] == ',') &&
            take_signed(s + kl, tail + strlen(tail), &v) == 0)
            return v;
    }
    return -1;
}

/* The victim's numbers from the words after "(COMM)". */
static void parse_killed_tail(const char *tail, struct oom_event *ev)
{
    ev->total_vm_kb = tail_value(tail, "total-vm:");
    ev->anon_rss_kb = tail_value(tail, "anon-rss:");
    ev->file_rss_kb = tail_value(tail, "file-rss:");
    ev->shmem_rss_kb = tail_value(tail, "shmem-rss:");
    ev->pgtables_kb = tail_value(tail, "pgtables:");
    ev->has_oom_score_adj = strstr(tail, "oom_score_adj:") != NULL;
    ev->oom_score_adj = ev->has_oom_score_adj ? tail_value(tail, "oom_score_adj:") : 0;
    ev->uid = tail_value(tail, "UID:");
    if (ev->uid < 0)
        ev->uid = tail_value(tail, "UID ");   /* RHEL 7's ", UID 1000," */
}

/* The summary's keys that can follow a cgroup path. */
static const char *const summary_keys[] = {
    ",nodemask=", ",cpuset=", ",mems_allowed=", ",oom_memcg=", ",task_memcg=", ",global_oom",
};

/* The value of KEY (",oom_memcg=") in the summary's head [HEAD, END): up to
 * the next known key, into OUT; "" when absent. */
static void head_value(const char *head, const char *end, const char *key, char *out, size_t cap)
{
    size_t kl = strlen(key);
    const char *s = strstr(head, key);
    out[0] = '\0';
    if (!s || s + kl > end)
        return;
    s += kl;
    const char *stop = end;
    for (size_t k = 0; k < sizeof summary_keys / sizeof *summary_keys; k++) {
        const char *next = strstr(s, summary_keys[k]);
        if (next && next < stop)
            stop = next;
    }
    size_t n = (size_t)(stop - s);
    if (n >= cap)
        n = cap - 1;
    memcpy(out, s, n);
    out[n] = '\0';
}

/* The summary S (after "oom-kill:") of the kill of PID named COMM: its
 * constraint, cgroups and uid into EV.  0 when it is that kill's. */
static int parse_summary(const char *s, int32_t pid, const char *comm, struct oom_event *ev)
{
    const char *end = s + strlen(s);
    const char *uid_at = NULL, *pid_at = NULL;
    for (const char *f = s; (f = strstr(f, ",uid=")) != NULL; f++)
        uid_at = f;
    for (const char *f = s; uid_at && (f = strstr(f, ",pid=")) != NULL && f < uid_at; f++)
        pid_at = f;
    int64_t spid, suid;
    if (!pid_at || take_signed(pid_at + 5, uid_at, &spid) != 0 || spid != pid ||
        take_signed(uid_at + 5, end, &suid) != 0)
        return -1;
    /* the comm is known exactly: ",task=COMM" ends where ",pid=" starts */
    size_t tl = strlen(",task=") + strlen(comm);
    const char *head_end = pid_at;
    if ((size_t)(pid_at - s) >= tl && strncmp(pid_at - tl, ",task=", 6) == 0 &&
        strncmp(pid_at - tl + 6, comm, strlen(comm)) == 0) {
        head_end = pid_at - tl;
    } else {
        const char *t = NULL;
        for (const char *f = s; (f = strstr(f, ",task=")) != NULL && f < pid_at; f++)
            t = f;
        if (t)
            head_end = t;
    }
    if (starts_with(s, "constraint=")) {
        size_t n = strcspn(s + 11, ",");
        if (s + 11 + n <= head_end && n < sizeof ev->constraint) {
            memcpy(ev->constraint, s + 11, n);
            ev->constraint[n] = '\0';
        }
    }
    head_value(s, head_end, ",oom_memcg=", ev->oom_memcg, sizeof ev->oom_memcg);
    head_value(s, head_end, ",task_memcg=", ev->task_memcg, sizeof ev->task_memcg);
    if (ev->uid < 0)
        ev->uid = suid;
    return 0;
}

static void event_clear(struct oom_event *ev)
{
    memset(ev, 0, sizeof *ev);
    ev->pid = -1;
    ev->uid = ev->total_vm_kb = ev->anon_rss_kb = ev->file_rss_kb = -1;
    ev->shmem_rss_kb = ev->pgtables_kb = -1;
}

int oom_parser_feed(struct oom_parser *p, const struct kmsg_record *rec, struct oom_event *out)
{
    int memcg;
    const char *rest;
    if (rec->facility != KMSG_FACILITY_KERNEL)
        return 0;
    if (starts_with(rec->text, "oom-kill:")) {
        snprintf(p->summary, sizeof p->summary, "%s", rec->text + 9);
        p->have_summary = 1;
        p->summary_seq = rec->seq;
        return 0;
    }
    if ((rest = after_word(rec->text, "Kill process ", &memcg)) && memcg >= 0 &&
        strstr(rest, " or sacrifice child")) {
        p->memcg_hint = memcg;
        return 0;
    }
    if (!(rest = after_word(rec->text, "Killed process ", &memcg)))
        return 0;
    event_clear(out);
    const char *tail = pid_and_comm(rest, &out->pid, out->comm);
    if (!tail || !strstr(tail, "total-vm:"))
        return 0;
    parse_killed_tail(tail, out);
    out->seq = rec->seq;
    out->mono_us = rec->usec;
    if (p->have_summary)
        parse_summary(p->summary, out->pid, out->comm, out);
    out->memcg_oom = memcg >= 0 ? memcg
                   : p->memcg_hint || strcmp(out->constraint, "CONSTRAINT_MEMCG") == 0;
    p->have_summary = 0;
    p->memcg_hint = 0;
    return 1;
}

void kmsg_reading_start(struct kmsg_reading *r, struct oom_event_list *out, int have_from,
                        uint64_t from, int64_t offset_us, int64_t now_s)
{
    oom_event_list_clear(out);
    memset(r, 0, sizeof *r);
    r->out = out;
    oom_parser_init(&r->parser);
    r->have_expected = have_from;
    r->expected = from;
    r->offset_us = offset_us;
    r->now_s = now_s;
}

static void keep_kill(struct kmsg_reading *r, struct oom_event *ev)
{
    int64_t ts = (ev->mono_us + r->offset_us) / 1000000;
    ev->ts = ts > r->now_s ? r->now_s : ts;
    if (r->out->n >= KMSG_KILLS_MAX || !oom_event_list_add(r->out, ev))
        r->out->lost++;
}

void kmsg_reading_take(struct kmsg_reading *r, const char *buf, size_t len)
{
    struct oom_event ev;
    if (kmsg_parse_record(buf, len, &r->rec) != 0)
        return;
    int old = r->have_expected && r->rec.seq < r->expected;
    if (!old && r->have_expected && r->rec.seq > r->expected)
        r->out->lost += r->rec.seq - r->expected;   /* overwritten before we read them */
    if (oom_parser_feed(&r->parser, &r->rec, &ev) && !old)
        keep_kill(r, &ev);
    if (!old) {
        r->expected = r->rec.seq + 1;
        r->have_expected = 1;
    }
}

void kmsg_reading_finish(struct kmsg_reading *r)
{
    r->out->read = 1;
    r->out->next_seq = r->have_expected ? r->expected : 0;
}
