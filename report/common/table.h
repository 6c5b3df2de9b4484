/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Rows of named cells written as CSV (RFC 4180) or JSON: the per-process and
 * NUMA reports describe each row once and both formats print it.
 *
 * CSV: comma, CRLF, one header row; a text cell is quoted when it holds a
 * comma, quote, CR, LF or semicolon (quotes doubled); its bytes are written
 * as recorded, invalid UTF-8 included, except that text a spreadsheet would
 * evaluate (it starts with = + - @ TAB or CR) is quoted with an apostrophe
 * before it, as OWASP advises against CSV injection: LibreOffice and Excel
 * then show it as text.  Numbers are never text cells, so they stay numbers.
 * Scripts that want the exact bytes read the JSON.
 * JSON: {"memtrail": {"report": KIND, "host": {...}, "rows": [ {...}, ... ]}};
 * control characters are escaped as \u00XX, and every byte that is not part
 * of valid UTF-8 is written as \u00XX, its Latin-1 reading (so 0xFF becomes
 * "\u00ff"), which keeps the output valid and tells different bytes apart.
 * A cell of type CELL_NONE is an empty CSV field and is left out of the JSON
 * object; CELL_NULL is an empty CSV field and JSON null.
 */
#ifndef MEMTRAIL_TABLE_H
#define MEMTRAIL_TABLE_H

#include <stdint.h>
#include <stdio.h>

#include "render.h"
#include "textsafe.h"

/* CELL_LOCAL_TIME: epoch I as a spreadsheet's local date-time in CSV (see
 * spreadsheet_time()); left out of JSON, whose rows carry the exact time. */
enum cell_type { CELL_NONE, CELL_NULL, CELL_STR, CELL_INT, CELL_UINT, CELL_FIXED2, CELL_LOCAL_TIME };

struct cell {
    enum cell_type type;
    const char *s;
    long long i;
    unsigned long long u;
    double d;
};

static inline struct cell cell_str(const char *s) { return (struct cell){ .type = CELL_STR, .s = s ? s : "" }; }
static inline struct cell cell_int(long long i) { return (struct cell){ .type = CELL_INT, .i = i }; }
static inline struct cell cell_uint(unsigned long long u) { return (struct cell){ .type = CELL_UINT, .u = u }; }
static inline struct cell cell_fixed2(double d) { return (struct cell){ .type = CELL_FIXED2, .d = d }; }
static inline struct cell cell_null(void) { return (struct cell){ .type = CELL_NULL }; }
static inline struct cell cell_local_time(long long epoch) { return (struct cell){ .type = CELL_LOCAL_TIME, .i = epoch }; }

struct table {
    FILE *out;
    int json;
    const char *const *cols;
    int ncols;
    unsigned long rows;
};

/* Starts a table of NCOLS columns: the CSV header, or the JSON preamble. */
void table_begin(struct table *t, const struct render_ctx *ctx, int json, const char *kind,
                 const char *const *cols, int ncols);
void table_row(struct table *t, const struct cell *cells);
void table_end(struct table *t);

/* S as a JSON string, with the escapes described above. */
void json_string(FILE *out, const char *s);
/* S as a CSV field, quoted when it must be, as described above. */
void csv_string(FILE *out, const char *s);
/* 2026-11-25T11:47:46+01:00 in the reader's time zone. */
void iso_local(int64_t ts, char *buf, size_t cap);
/* 2026-11-25T11:47:46, the reader's local time without its offset: the CSV
 * local_time column.  LibreOffice reads this form as a date-time by itself
 * (the form with an offset stays text, and so does "2026-11-25 11:47:46"). */
void spreadsheet_time(int64_t ts, char *buf, size_t cap);

#endif
