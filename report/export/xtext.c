/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Text helpers the export writers share (see xtext.h).
 */
#include "xtext.h"

#include <string.h>

#include "textsafe.h"

char *x_itoa(char *p, int64_t v)
{
    char tmp[24];
    int n = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *p++ = '-';
    while (n)
        *p++ = tmp[--n];
    return p;
}

char *x_utf8(char *p, const char *s, const char *(*escape)(unsigned char c))
{
    const unsigned char *u = (const unsigned char *)s;
    while (*u) {
        int n = utf8_length(u);
        if (n == 0) {   /* a byte outside UTF-8: its Latin-1 reading */
            *p++ = (char)(0xC0 | (*u >> 6));
            *p++ = (char)(0x80 | (*u & 0x3F));
            u++;
            continue;
        }
        const char *e = n == 1 && escape ? escape(*u) : NULL;
        if (e) {
            size_t k = strlen(e);
            memcpy(p, e, k);
            p += k;
            u++;
        } else {
            memcpy(p, u, (size_t)n);
            p += n;
            u += n;
        }
    }
    *p = '\0';
    return p;
}
