/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memtrail's release version: the one place it is written.  memcollect and
 * memreport print it for -V/--version; tests/package checks that the man
 * pages, debian/changelog and NEWS name the same one.
 */
#ifndef MEMTRAIL_VERSION_H
#define MEMTRAIL_VERSION_H

#define MEMTRAIL_VERSION "1.0.0"

#endif
