/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Process text made safe for a terminal (see textsafe.h). */
#include "textsafe.h"

#include <string.h>

int utf8_length(const unsigned char *p)
{
    unsigned c = p[0];
    int n;
    unsigned min;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    for (int k = 1; k < n; k++)
        if ((p[k] & 0xC0) != 0x80)   /* also stops at the terminating NUL */
            return 0;
    unsigned cp = utf8_code_point(p, n);
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

unsigned utf8_code_point(const unsigned char *p, int n)
{
    unsigned cp = n == 1 ? p[0] : p[0] & (0x7Fu >> n);
    for (int k = 1; k < n; k++)
        cp = (cp << 6) | (p[k] & 0x3F);
    return cp;
}

int text_unsafe(unsigned cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 ||
           (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
           (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
}

/* The bytes of the next character of P to show (P itself, or "?"), their
 * count in *SHOWN, and how far P moves. */
static int next_safe(const unsigned char *p, const char **show, size_t *shown)
{
    int n = utf8_length(p);
    if (n == 0 || text_unsafe(utf8_code_point(p, n))) {
        *show = "?";
        *shown = 1;
        return n ? n : 1;
    }
    *show = (const char *)p;
    *shown = (size_t)n;
    return n;
}

const char *text_safe(const char *s, char *buf, size_t cap)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t len = 0;
    if (cap == 0)
        return buf;
    while (*p) {
        const char *show;
        size_t shown;
        int step = next_safe(p, &show, &shown);
        if (len + shown >= cap)
            break;
        memcpy(buf + len, show, shown);
        len += shown;
        p += step;
    }
    buf[len] = '\0';
    return buf;
}

void text_safe_put(FILE *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        const char *show;
        size_t shown;
        p += next_safe(p, &show, &shown);
        fwrite(show, 1, shown, out);
    }
}
