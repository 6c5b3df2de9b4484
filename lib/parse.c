/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Parsers for /proc text (see parse.h).  Each walks the buffer line by line
 * with explicit bounds; a line that does not have the expected shape is
 * skipped rather than guessed at, so a strange kernel or a damaged fixture
 * costs one key, never the sample.
 */
#include "parse.h"

#include <stdlib.h>
#include <string.h>

/* The next line of TEXT starting at *POS, without its newline. */
static int next_line(const char *text, size_t len, size_t *pos,
                     const char **line, size_t *line_len)
{
    if (*pos >= len)
        return 0;
    const char *start = text + *pos;
    const char *nl = memchr(start, '\n', len - *pos);
    size_t n = nl ? (size_t)(nl - start) : len - *pos;
    *line = start;
    *line_len = n;
    *pos += n + (nl ? 1 : 0);
    return 1;
}

static int is_space(char c) { return c == ' ' || c == '\t'; }
static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* Parses an unsigned decimal at *P (after blanks); -1 on no digits or overflow. */
static int parse_u64(const char **p, const char *end, uint64_t *out)
{
    const char *s = *p;
    while (s < end && is_space(*s))
        s++;
    if (s >= end || !is_digit(*s))
        return -1;
    uint64_t v = 0;
    while (s < end && is_digit(*s)) {
        unsigned d = (unsigned)(*s - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
        s++;
    }
    *p = s;
    *out = v;
    return 0;
}

int key_name_valid(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n >= KEY_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                 is_digit(c) || c == '_' || c == '(' || c == ')';
        if (!ok)
            return 0;
    }
    return 1;
}

/* Copies the first token of LINE (up to a blank, or a colon when COLON_ENDS)
 * into NAME; 0 when there is none or it is too long to keep. */
static size_t take_name(const char *line, size_t line_len, int colon_ends,
                        char name[KEY_NAME_MAX])
{
    size_t n = 0;
    while (n < line_len && line[n] != '\0' && !is_space(line[n]) &&
           !(colon_ends && line[n] == ':'))
        n++;
    if (n == 0 || n >= KEY_NAME_MAX)
        return 0;
    memcpy(name, line, n);
    name[n] = '\0';
    return n;
}

/* One "Key: value" (COLON) or "key value" line in [P, END): appends the pair
 * to OUT when the key is valid and KEEP (may be NULL) accepts it. */
static void key_value_line(const char *p, const char *end, int colon,
                           int (*keep)(const char *name), struct kv_list *out)
{
    char name[KEY_NAME_MAX];
    size_t n = take_name(p, (size_t)(end - p), colon, name);
    if (n == 0 || p + n >= end || (colon ? p[n] != ':' : !is_space(p[n])))
        return;
    if ((keep && !keep(name)) || !key_name_valid(name))
        return;
    p += n + (colon ? 1 : 0);
    uint64_t value;
    if (parse_u64(&p, end, &value) == 0)
        kv_append(out, name, value);
}

/* Every key-value line of TEXT (see key_value_line) into OUT. */
static int parse_pairs(const char *text, size_t len, int colon, int (*keep)(const char *name),
                       struct kv_list *out)
{
    size_t pos = 0, line_len;
    const char *line;
    out->n = 0;
    while (next_line(text, len, &pos, &line, &line_len))
        key_value_line(line, line + line_len, colon, keep, out);
    return (int)out->n;
}

int parse_meminfo(const char *text, size_t len, struct kv_list *out)
{
    return parse_pairs(text, len, 1, NULL, out);
}

/* Counters kept from /proc/vmstat: what sar -W and -B need, and the like.
 * Sorted, for bsearch. */
static const char *const vmstat_exact[] = {
    "compact_fail", "compact_stall", "compact_success", "oom_kill", "pgactivate",
    "pgdeactivate", "pgfault", "pgfree", "pgmajfault", "pgpgin", "pgpgout", "pgrefill",
    "pgrotated", "pswpin", "pswpout", "swap_ra", "swap_ra_hit", "thp_fault_alloc",
    "thp_fault_fallback", "zswpin", "zswpout", "zswpwb",
};
static const char *const vmstat_prefixes[] = {
    "pgscan_", "pgsteal_", "allocstall_", "workingset_refault_", NULL
};

static int compare_name(const void *key, const void *item)
{
    return strcmp(key, *(const char *const *)item);
}

int vmstat_key_kept(const char *name)
{
    /* most of /proc/vmstat is nr_* and numa_* gauges: a cheap first filter */
    if (name[0] == '\0' || !strchr("acopstwz", name[0]))
        return 0;
    for (int i = 0; vmstat_prefixes[i]; i++)
        if (strncmp(name, vmstat_prefixes[i], strlen(vmstat_prefixes[i])) == 0)
            return 1;
    return bsearch(name, vmstat_exact, sizeof vmstat_exact / sizeof vmstat_exact[0],
                   sizeof vmstat_exact[0], compare_name) != NULL;
}

int parse_vmstat(const char *text, size_t len, struct kv_list *out)
{
    return parse_pairs(text, len, 0, vmstat_key_kept, out);
}

/* Copies the next blank-separated field of [*P, END) into OUT (truncating). */
static int take_field(const char **p, const char *end, char *out, size_t cap)
{
    const char *s = *p;
    while (s < end && is_space(*s))
        s++;
    const char *start = s;
    while (s < end && !is_space(*s))
        s++;
    size_t n = (size_t)(s - start);
    if (n == 0 || n >= cap)
        return -1;
    memcpy(out, start, n);
    out[n] = '\0';
    *p = s;
    return 0;
}

int parse_swaps(const char *text, size_t len, struct swap_list *out)
{
    size_t pos = 0, line_len;
    const char *line;
    swap_list_reset(out);
    if (!next_line(text, len, &pos, &line, &line_len))  /* the header */
        return 0;
    while (next_line(text, len, &pos, &line, &line_len)) {
        struct swap_device dev;
        const char *p = line, *end = line + line_len;
        uint64_t prio_abs;
        if (take_field(&p, end, dev.name, sizeof dev.name) != 0 ||
            take_field(&p, end, dev.type, sizeof dev.type) != 0 ||
            parse_u64(&p, end, &dev.size_kb) != 0 ||
            parse_u64(&p, end, &dev.used_kb) != 0)
            continue;
        while (p < end && is_space(*p))
            p++;
        int negative = (p < end && *p == '-');
        if (negative)
            p++;
        if (parse_u64(&p, end, &prio_abs) != 0 || prio_abs > INT32_MAX)
            continue;
        dev.priority = negative ? -(int64_t)prio_abs : (int64_t)prio_abs;
        struct swap_device *slot = swap_list_add(out);
        if (slot)
            *slot = dev;
    }
    return (int)out->n;
}

int parse_uptime(const char *text, size_t len, uint64_t *uptime_cs)
{
    const char *p = text, *end = text + len;
    uint64_t secs, cents = 0;
    if (parse_u64(&p, end, &secs) != 0 || secs > UINT64_MAX / 100 - 100)
        return -1;
    if (p < end && *p == '.') {
        p++;
        /* two decimals, as the kernel prints them: "12.05" is 5 cs */
        if (p < end && is_digit(*p)) {
            cents = (uint64_t)(*p - '0') * 10;
            p++;
            if (p < end && is_digit(*p))
                cents += (uint64_t)(*p - '0');
        }
    }
    *uptime_cs = secs * 100 + cents;
    return 0;
}

int parse_boot_id(const char *text, size_t len, char out[BOOT_ID_LEN + 1])
{
    if (len < BOOT_ID_LEN)
        return -1;
    for (size_t i = 0; i < BOOT_ID_LEN; i++) {
        char c = text[i];
        int hyphen_place = (i == 8 || i == 13 || i == 18 || i == 23);
        int ok = hyphen_place ? c == '-'
                              : (is_digit(c) || (c >= 'a' && c <= 'f'));
        if (!ok)
            return -1;
    }
    if (len > BOOT_ID_LEN && text[BOOT_ID_LEN] != '\n')
        return -1;
    memcpy(out, text, BOOT_ID_LEN);
    out[BOOT_ID_LEN] = '\0';
    return 0;
}

int parse_node_meminfo(const char *text, size_t len, int node, struct kv_list *out)
{
    size_t pos = 0, line_len;
    const char *line;
    out->n = 0;
    if (node < 0)
        return 0;
    while (next_line(text, len, &pos, &line, &line_len)) {
        const char *p = line, *end = line + line_len;
        while (p < end && is_space(*p))
            p++;
        if ((size_t)(end - p) < 5 || memcmp(p, "Node", 4) != 0 || !is_space(p[4]))
            continue;
        p += 4;
        uint64_t id;
        if (parse_u64(&p, end, &id) != 0 || id != (uint64_t)node || p >= end || !is_space(*p))
            continue;
        while (p < end && is_space(*p))
            p++;
        key_value_line(p, end, 1, NULL, out);
    }
    return (int)out->n;
}

int parse_numastat(const char *text, size_t len, struct kv_list *out)
{
    return parse_pairs(text, len, 0, NULL, out);
}

/* ---- /proc/pressure/memory */

/* "NAME=I.FF" at *P exactly, the average as I*100+FF; -1 when not. */
static int parse_psi_avg(const char **p, const char *end, const char *name, uint32_t *out)
{
    size_t n = strlen(name);
    const char *s = *p;
    if ((size_t)(end - s) < n + 1 || memcmp(s, name, n) != 0 || s[n] != '=')
        return -1;
    s += n + 1;
    if (s >= end || !is_digit(*s))
        return -1;
    uint64_t whole;
    if (parse_u64(&s, end, &whole) != 0 || end - s < 3 || s[0] != '.' ||
        !is_digit(s[1]) || !is_digit(s[2]) || (s + 3 < end && is_digit(s[3])))
        return -1;
    uint64_t hundredths = (uint64_t)(s[1] - '0') * 10 + (uint64_t)(s[2] - '0');
    if (whole > (UINT32_MAX - hundredths) / 100)
        return -1;
    *out = (uint32_t)(whole * 100 + hundredths);
    *p = s + 3;
    return 0;
}

/* One line's values after "some " or "full ": the whole rest of the line. */
static int parse_psi_values(const char *s, const char *end, struct psi_line *out)
{
    static const char *const names[] = { "avg10", "avg60", "avg300" };
    uint32_t *avgs[] = { &out->avg10, &out->avg60, &out->avg300 };
    for (int i = 0; i < 3; i++) {
        if (parse_psi_avg(&s, end, names[i], avgs[i]) != 0 || s >= end || *s != ' ')
            return -1;
        s++;
    }
    if (end - s < 7 || memcmp(s, "total=", 6) != 0 || !is_digit(s[6]))
        return -1;
    s += 6;
    return parse_u64(&s, end, &out->total_us) == 0 && s == end ? 0 : -1;
}

int parse_psi(const char *text, size_t len, struct psi *out)
{
    memset(out, 0, sizeof *out);
    int have_some = 0, bad = 0;
    size_t pos = 0;
    const char *line;
    size_t line_len;
    while (!bad && next_line(text, len, &pos, &line, &line_len)) {
        const char *end = line + line_len;
        int is_some = line_len >= 5 && memcmp(line, "some ", 5) == 0;
        int is_full = line_len >= 5 && memcmp(line, "full ", 5) == 0;
        if (!is_some && !is_full)
            continue;   /* a line of a future kernel */
        int *seen = is_some ? &have_some : &out->has_full;
        bad = *seen || parse_psi_values(line + 5, end, is_some ? &out->some : &out->full) != 0;
        *seen = 1;
    }
    if (bad || !have_some) {
        memset(out, 0, sizeof *out);
        return -1;
    }
    out->available = 1;
    return 0;
}
