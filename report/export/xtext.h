/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Text helpers the export writers share (xtext.c): decimal numbers without
 * printf, and names made valid UTF-8 with a format's own escapes.
 */
#ifndef MEMTRAIL_XTEXT_H
#define MEMTRAIL_XTEXT_H

#include <stdint.h>

/* Appends V as decimal to the buffer at P; returns the end. */
char *x_itoa(char *p, int64_t v);
/* Appends S to the buffer at P with each byte that is not part of valid
 * UTF-8 written as its Latin-1 reading (0xFF becomes U+00FF), so that a
 * name's bytes stay apart and the output is valid UTF-8; ESCAPE (may be
 * NULL) is called for every other character and returns the bytes to write
 * instead, or NULL.  Returns the end; the buffer needs 2 x 6 bytes per byte. */
char *x_utf8(char *p, const char *s, const char *(*escape)(unsigned char c));

#endif
