/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Process names and command lines are chosen by any local user
 * (decisions.md 13): text reports print them through these functions, which
 * replace what a terminal would act on by '?', as ps does.  Replaced, one '?'
 * per character: C0 controls (TAB, CR and LF too), DEL, C1 controls (U+0080
 * to U+009F), the bidirectional overrides and isolates (U+202A..U+202E,
 * U+2066..U+2069), the line and paragraph separators (U+2028, U+2029) and
 * the noncharacters (U+FDD0..U+FDEF, U+FFFE and U+FFFF of every plane, which
 * XML forbids or discourages); and one '?' per byte that is not part of valid UTF-8.  Any other valid
 * UTF-8 is kept, in every locale.  CSV and JSON do not use these: they keep
 * the exact bytes (table.h).
 */
#ifndef MEMTRAIL_TEXTSAFE_H
#define MEMTRAIL_TEXTSAFE_H

#include <stddef.h>
#include <stdio.h>

/* The length of the valid UTF-8 sequence at P (1-4), or 0 when it is not
 * one: every writer of text (JSON, SVG, the exports) tells stray bytes by it. */
int utf8_length(const unsigned char *p);
/* The code point of the valid UTF-8 sequence of N bytes at P. */
unsigned utf8_code_point(const unsigned char *p, int n);

/* Whether code point CP is one of those replaced. */
int text_unsafe(unsigned cp);
/* S made safe for a terminal into BUF (CAP bytes; never longer than S, so
 * strlen(S) + 1 bytes always suffice; else cut at a character); returns BUF. */
const char *text_safe(const char *s, char *buf, size_t cap);
/* S made safe for a terminal, written to OUT. */
void text_safe_put(FILE *out, const char *s);

#endif
