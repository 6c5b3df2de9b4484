/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * OOM kills and the kernel log position in the archive (schema/events.sql):
 * the collector's kmsg reading of each sample (kmsg_read), and each kill
 * with its victim (oom_kill).  The tables are made with the first sample
 * whose collector read the kernel log, so an archive without it pays
 * nothing for them.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util.h"

extern const char schema_events_sql[];   /* schema/events.sql */

static int64_t known_at(sqlite3_stmt *st, int col);

static int ensure_event_tables(struct archive *ar, char *err, size_t cap)
{
    if (ar->have_event_tables)
        return ARCHIVE_OK;
    int rc = archive_exec(ar, schema_events_sql, err, cap);
    if (rc == ARCHIVE_OK)
        ar->have_event_tables = 1;
    return rc;
}

/* A value the kernel did not log (-1) is NULL. */
static void bind_known(sqlite3_stmt *st, int index, int64_t v)
{
    if (v < 0)
        sqlite3_bind_null(st, index);
    else
        sqlite3_bind_int64(st, index, v);
}

static void bind_event(sqlite3_stmt *st, const struct sample *s, int64_t boot_no,
                       const struct oom_event *ev)
{
    sqlite3_bind_int64(st, 1, s->ts);
    sqlite3_bind_int64(st, 2, (int64_t)(ev->seq & INT64_MAX));
    sqlite3_bind_int64(st, 3, boot_no);
    sqlite3_bind_int64(st, 4, ev->ts);
    sqlite3_bind_int64(st, 5, ev->mono_us);
    sqlite3_bind_int64(st, 6, ev->pid);
    sqlite3_bind_text(st, 7, ev->comm, -1, SQLITE_STATIC);
    bind_known(st, 8, ev->uid);
    bind_known(st, 9, ev->total_vm_kb);
    bind_known(st, 10, ev->anon_rss_kb);
    bind_known(st, 11, ev->file_rss_kb);
    bind_known(st, 12, ev->shmem_rss_kb);
    bind_known(st, 13, ev->pgtables_kb);
    if (ev->has_oom_score_adj)
        sqlite3_bind_int64(st, 14, ev->oom_score_adj);
    else
        sqlite3_bind_null(st, 14);
    sqlite3_bind_int(st, 15, ev->memcg_oom ? 1 : 0);
    const char *const texts[] = { ev->constraint, ev->oom_memcg, ev->task_memcg };
    for (int i = 0; i < 3; i++) {
        if (texts[i][0])
            sqlite3_bind_text(st, 16 + i, texts[i], -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, 16 + i);
    }
}

static int store_position(struct archive *ar, const struct sample *s, int64_t boot_no,
                          char *err, size_t cap)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(ar->db, "INSERT INTO kmsg_read(ts, boot_no, next_seq, oom_kill, lost)"
                           " VALUES (?,?,?,?,?)", -1, &st, NULL) != SQLITE_OK)
        return archive_sql_fail(ar, err, cap, "cannot store the kernel log position");
    sqlite3_bind_int64(st, 1, s->ts);
    sqlite3_bind_int64(st, 2, boot_no);
    sqlite3_bind_int64(st, 3, (int64_t)(s->oom.next_seq & INT64_MAX));
    bind_known(st, 4, s->oom.has_read_oom_kill ? (int64_t)(s->oom.read_oom_kill & INT64_MAX) : -1);
    sqlite3_bind_int64(st, 5, (int64_t)(s->oom.lost & INT64_MAX));
    int step = sqlite3_step(st);
    sqlite3_finalize(st);
    if (step != SQLITE_DONE)
        return archive_sql_fail(ar, err, cap, "cannot store the kernel log position");
    return ARCHIVE_OK;
}

int eventstore_append(struct archive *ar, const struct sample *s, int64_t boot_no,
                      char *err, size_t cap)
{
    sqlite3_stmt *st;
    int rc = ensure_event_tables(ar, err, cap);
    if (rc != ARCHIVE_OK || (rc = store_position(ar, s, boot_no, err, cap)) != ARCHIVE_OK)
        return rc;
    if (s->oom.n == 0)
        return ARCHIVE_OK;
    /* OR IGNORE: a record is one kill however often it is offered */
    if (sqlite3_prepare_v2(ar->db, "INSERT OR IGNORE INTO oom_kill(ts, seq, boot_no, kill_ts,"
                           " mono_us, pid, comm, uid, total_vm_kb, anon_rss_kb, file_rss_kb,"
                           " shmem_rss_kb, pgtables_kb, oom_score_adj, memcg_oom, oom_constraint,"
                           " oom_memcg, task_memcg) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                           -1, &st, NULL) != SQLITE_OK)
        return archive_sql_fail(ar, err, cap, "cannot store OOM kills");
    for (unsigned i = 0; i < s->oom.n && rc == ARCHIVE_OK; i++) {
        sqlite3_reset(st);
        bind_event(st, s, boot_no, &s->oom.events[i]);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = archive_sql_fail(ar, err, cap, "cannot store OOM kills");
    }
    sqlite3_finalize(st);
    return rc;
}

int archive_kmsg_position(struct archive *ar, const char *boot_id, struct kmsg_position *pos,
                          char *err, size_t cap)
{
    sqlite3_stmt *st;
    memset(pos, 0, sizeof *pos);
    if (!archive_has_table(ar, "kmsg_read"))
        return ARCHIVE_OK;
    if (sqlite3_prepare_v2(ar->db, "SELECT k.next_seq, k.oom_kill FROM kmsg_read k JOIN boot b"
                           " ON b.boot_no = k.boot_no WHERE b.boot_id = ? ORDER BY k.ts DESC LIMIT 1",
                           -1, &st, NULL) != SQLITE_OK)
        return archive_read_fail(ar, err, cap, "cannot read the kernel log position");
    sqlite3_bind_text(st, 1, boot_id, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW && sqlite3_column_int64(st, 0) >= 0) {
        pos->next_seq = (uint64_t)sqlite3_column_int64(st, 0);
        pos->found = 1;
        pos->has_oom_kill = known_at(st, 1) >= 0;
        pos->oom_kill = pos->has_oom_kill ? (uint64_t)known_at(st, 1) : 0;
    }
    sqlite3_finalize(st);
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        return archive_read_fail(ar, err, cap, "cannot read the kernel log position");
    return ARCHIVE_OK;
}

/* A stored number, or -1 for NULL (and for damage: never negative). */
static int64_t known_at(sqlite3_stmt *st, int col)
{
    if (sqlite3_column_type(st, col) == SQLITE_NULL)
        return -1;
    int64_t v = sqlite3_column_int64(st, col);
    return v < 0 ? -1 : v;
}

static void text_at(sqlite3_stmt *st, int col, char *out, size_t cap)
{
    copy_text(out, cap, (const char *)sqlite3_column_text(st, col));
}

/* The columns event_from_row() reads, from column 0 on. */
#define EVENT_COLS "k.seq, k.kill_ts, k.mono_us, k.pid, k.comm, k.uid, k.total_vm_kb," \
    " k.anon_rss_kb, k.file_rss_kb, k.shmem_rss_kb, k.pgtables_kb, k.oom_score_adj," \
    " k.memcg_oom, k.oom_constraint, k.oom_memcg, k.task_memcg"

static void event_from_row(sqlite3_stmt *st, struct oom_event *ev)
{
    memset(ev, 0, sizeof *ev);
    ev->seq = (uint64_t)sqlite3_column_int64(st, 0);
    ev->ts = sqlite3_column_int64(st, 1);
    ev->mono_us = sqlite3_column_int64(st, 2);
    ev->pid = sqlite3_column_int(st, 3);
    text_at(st, 4, ev->comm, sizeof ev->comm);
    ev->uid = known_at(st, 5);
    ev->total_vm_kb = known_at(st, 6);
    ev->anon_rss_kb = known_at(st, 7);
    ev->file_rss_kb = known_at(st, 8);
    ev->shmem_rss_kb = known_at(st, 9);
    ev->pgtables_kb = known_at(st, 10);
    ev->has_oom_score_adj = sqlite3_column_type(st, 11) != SQLITE_NULL;
    ev->oom_score_adj = sqlite3_column_int64(st, 11);
    ev->memcg_oom = sqlite3_column_int(st, 12) != 0;
    text_at(st, 13, ev->constraint, sizeof ev->constraint);
    text_at(st, 14, ev->oom_memcg, sizeof ev->oom_memcg);
    text_at(st, 15, ev->task_memcg, sizeof ev->task_memcg);
}

void eventstore_fill(struct archive *ar, struct sample *s)
{
    sqlite3_stmt *st;
    oom_event_list_clear(&s->oom);
    if (!archive_has_table(ar, "kmsg_read"))
        return;
    if (sqlite3_prepare_v2(ar->db, "SELECT next_seq, lost, oom_kill FROM kmsg_read WHERE ts = ?",
                           -1, &st, NULL) != SQLITE_OK) {
        archive_warn(ar, s->ts, "kmsg_read", "the kernel log position", sqlite3_errmsg(ar->db));
        return;
    }
    sqlite3_bind_int64(st, 1, s->ts);
    if (sqlite3_step(st) == SQLITE_ROW) {
        s->oom.read = 1;
        s->oom.next_seq = (uint64_t)known_at(st, 0);
        s->oom.lost = (uint64_t)(known_at(st, 1) < 0 ? 0 : known_at(st, 1));
        s->oom.has_read_oom_kill = known_at(st, 2) >= 0;
        s->oom.read_oom_kill = s->oom.has_read_oom_kill ? (uint64_t)known_at(st, 2) : 0;
    }
    sqlite3_finalize(st);
    if (!s->oom.read || sqlite3_prepare_v2(ar->db, "SELECT " EVENT_COLS " FROM oom_kill k"
                                           " WHERE k.ts = ? ORDER BY k.seq", -1, &st, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_int64(st, 1, s->ts);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        struct oom_event ev;
        event_from_row(st, &ev);
        if (!oom_event_list_add(&s->oom, &ev))
            break;
    }
    if (step != SQLITE_DONE && step != SQLITE_ROW)
        archive_warn(ar, s->ts, "oom_kill", "the OOM kills", sqlite3_errmsg(ar->db));
    sqlite3_finalize(st);
}

int archive_each_oom_kill(struct archive *ar, int64_t from, int64_t to, oom_kill_fn fn,
                          void *ctx, char *err, size_t cap)
{
    sqlite3_stmt *st;
    if (!archive_has_table(ar, "oom_kill"))
        return ARCHIVE_OK;
    if (sqlite3_prepare_v2(ar->db, "SELECT " EVENT_COLS ", k.ts, b.boot_id FROM oom_kill k"
                           " LEFT JOIN boot b ON b.boot_no = k.boot_no"
                           " WHERE k.kill_ts BETWEEN ?1 AND ?2 ORDER BY k.kill_ts, k.seq",
                           -1, &st, NULL) != SQLITE_OK)
        return archive_read_fail(ar, err, cap, "cannot read OOM kills");
    sqlite3_bind_int64(st, 1, from);
    sqlite3_bind_int64(st, 2, to);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        struct oom_kill_row row;
        event_from_row(st, &row.ev);
        row.sample_ts = sqlite3_column_int64(st, 16);
        text_at(st, 17, row.boot_id, sizeof row.boot_id);
        if (fn(&row, ctx) != 0)
            break;
    }
    sqlite3_finalize(st);
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        return archive_read_fail(ar, err, cap, "cannot read OOM kills");
    return ARCHIVE_OK;
}

int archive_each_kmsg_loss(struct archive *ar, int64_t from, int64_t to, kmsg_loss_fn fn,
                           void *ctx, char *err, size_t cap)
{
    sqlite3_stmt *st;
    if (!archive_has_table(ar, "kmsg_read"))
        return ARCHIVE_OK;
    if (sqlite3_prepare_v2(ar->db, "SELECT ts, lost FROM kmsg_read WHERE lost > 0"
                           " AND ts BETWEEN ?1 AND ?2 ORDER BY ts", -1, &st, NULL) != SQLITE_OK)
        return archive_read_fail(ar, err, cap, "cannot read the kernel log positions");
    sqlite3_bind_int64(st, 1, from);
    sqlite3_bind_int64(st, 2, to);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        if (fn(sqlite3_column_int64(st, 0), (uint64_t)known_at(st, 1), ctx) != 0)
            break;
    sqlite3_finalize(st);
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        return archive_read_fail(ar, err, cap, "cannot read the kernel log positions");
    return ARCHIVE_OK;
}
