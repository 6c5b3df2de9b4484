# SPDX-License-Identifier: GPL-2.0-or-later
# memtrail: memcollect records memory history, memreport replays it.
#   make         build both programs
#   make deps    install what building and testing need (Debian, apt-get)
#   make check   run every test (as root: the conformance tests need
#                unshare -m and faketime); ends with "N passed, N failed"
#   make demo    a few samples into ./demo-archive and reports of them, no root
#   make bench   the benchmarks against sysstat (never part of make check)
#   make fuzz    fuzz whole archives for FUZZ_SECONDS (libFuzzer; never part
#                of make check)

CC      ?= cc
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -Wall -Wextra -Werror -D_FILE_OFFSET_BITS=64 -D_DEFAULT_SOURCE
# memreport's sources are grouped by concern in report/'s folders (README's
# layout table); each folder is an include path, so an #include names a header
# by its name alone and a file moves between folders without edits.
REPORT_DIRS := report $(patsubst %/,%,$(sort $(dir $(wildcard report/*/*.c report/*/*.h))))
CPPFLAGS += -Ilib -Iarchive $(addprefix -I,$(REPORT_DIRS)) -Ibuild
BUILD   := build

# Debian's SQLite and zlib are linked statically (their -dev packages ship
# the .a files): resolving libsqlite3.so's symbols costs more instructions
# than sadc's whole sample, and memcollect runs every minute.  The price:
# after a security update of libsqlite3 or zlib, rebuild memtrail.
SQLITE_LIBS := -Wl,-Bstatic -lsqlite3 -lz -Wl,-Bdynamic
LDLIBS  += $(SQLITE_LIBS) -lm

LIB_SRC      := lib/model.c lib/parse.c lib/sysread.c lib/util.c lib/safedir.c lib/kmsg_parse.c lib/cgroup_parse.c lib/procbudget.c
ARCHIVE_SRC  := archive/archive.c archive/procstore.c archive/proc_codec.c archive/compressed.c \
                archive/cg_codec.c archive/cgstore.c \
                archive/fdvfs.c archive/guard.c archive/verify.c \
                archive/image.c archive/union.c archive/recover.c archive/psi.c archive/events.c \
                archive/bursts.c
COLLECT_SRC  := collector/memcollect.c collector/procs.c collector/numa.c collector/maintain.c \
               collector/cgroups.c collector/watch.c \
               collector/textfile.c collector/kmsg.c
# libnuma calls numa_warn()/numa_error(), which print to stderr unless the
# executable exports its own (silent ones, in collector/numa.c): cron mails stderr.
COLLECT_LDFLAGS := -Wl,--export-dynamic-symbol=numa_warn -Wl,--export-dynamic-symbol=numa_error
REPORT_SRC   := $(foreach d,$(REPORT_DIRS),$(wildcard $(d)/*.c))

LIB_OBJ      := $(LIB_SRC:%.c=$(BUILD)/%.o)
ARCHIVE_OBJ  := $(ARCHIVE_SRC:%.c=$(BUILD)/%.o) $(BUILD)/schema_sql.o
COLLECT_OBJ  := $(COLLECT_SRC:%.c=$(BUILD)/%.o)
REPORT_OBJ   := $(REPORT_SRC:%.c=$(BUILD)/%.o)

PROGRAMS := memcollect memreport

.PHONY: all deps check demo bench clean sanitize install uninstall fuzz
all: $(PROGRAMS)

memcollect: $(COLLECT_OBJ) $(ARCHIVE_OBJ) $(LIB_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) $(COLLECT_LDFLAGS) -o $@ $^ $(LDLIBS)

memreport: $(REPORT_OBJ) $(ARCHIVE_OBJ) $(LIB_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

HEADERS := $(wildcard lib/*.h archive/*.h collector/*.h $(REPORT_DIRS:%=%/*.h))
$(BUILD)/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# The same programs and the unit tests built with AddressSanitizer and
# UndefinedBehaviorSanitizer: make check runs its tests against these.
SAN      := $(BUILD)/san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
UNIT_SRC := $(wildcard tests/unit/*.c)
SAN_LIB  := $(LIB_SRC:%.c=$(SAN)/%.o) $(ARCHIVE_SRC:%.c=$(SAN)/%.o) $(SAN)/schema_sql.o
SAN_PROGRAMS := $(SAN)/memcollect $(SAN)/memreport $(UNIT_SRC:tests/unit/%.c=$(SAN)/tests/%)

sanitize: $(SAN_PROGRAMS) $(BUILD)/inject.so

# The fault-injection shim of tests/faults (LD_PRELOAD): no sanitizers, it
# sits between the programs under test and libc; and without
# _FILE_OFFSET_BITS, which would rename its pwrite to pwrite64.
$(BUILD)/inject.so: tests/faults/inject.c
	@mkdir -p $(BUILD)
	$(CC) -O2 -g -std=c11 -Wall -Wextra -Werror -fPIC -shared -o $@ $< -ldl

$(SAN)/memcollect: $(COLLECT_SRC:%.c=$(SAN)/%.o) $(SAN_LIB)
	$(CC) $(CFLAGS) $(SANFLAGS) $(LDFLAGS) $(COLLECT_LDFLAGS) -o $@ $^ $(LDLIBS)

$(SAN)/memreport: $(REPORT_SRC:%.c=$(SAN)/%.o) $(SAN_LIB)
	$(CC) $(CFLAGS) $(SANFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(SAN)/tests/%: $(SAN)/tests/unit/%.o $(SAN_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SANFLAGS) $(LDFLAGS) $(COLLECT_LDFLAGS) -o $@ $^ $(LDLIBS)

# test_textsafe.c tests memreport's process text for terminals.
$(SAN)/tests/test_textsafe: $(SAN)/report/common/textsafe.o

# test_numa.c tests the collector's NUMA reader by including it.
$(SAN)/tests/unit/test_numa.o: collector/numa.c collector/numa.h

$(SAN)/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SANFLAGS) -c -o $@ $<

$(SAN)/schema_sql.o: $(BUILD)/schema_sql.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SANFLAGS) -c -o $@ $<

$(BUILD)/schema_sql.o: $(BUILD)/schema_sql.c
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# The schema is SQL in schema/, compiled into both programs as strings:
# schema/NAME.sql becomes schema_NAME_sql (archive.sql: schema_sql).
SCHEMAS := schema/archive.sql schema/procs.sql schema/numa.sql schema/psi.sql schema/cgroups.sql schema/events.sql schema/bursts.sql
$(BUILD)/schema_sql.c: $(SCHEMAS)
	@mkdir -p $(BUILD)
	{ echo '/* Generated from the .sql files of schema/ by make: do not edit. */'; \
	  for f in $(SCHEMAS); do \
	    name=$$(basename $$f .sql); \
	    [ "$$name" = archive ] && var=schema_sql || var=schema_$${name}_sql; \
	    echo "const char $$var[] ="; \
	    sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/    "/' -e 's/$$/\\n"/' $$f; \
	    echo ';'; \
	  done; } > $@

# make fuzz: fuzz/archive_fuzz.c, a libFuzzer target that reads whole
# archives (plain and gzip) through the archive module, --verify and one of
# memreport's reports (its main() renamed), all built with clang and ASan +
# UBSan.  The seed corpus is made here, by procs_fixture, cgroups_fixture and memcollect.
FUZZ         := $(BUILD)/fuzz
FUZZ_SECONDS ?= 60
FUZZ_CC      := clang
FUZZ_FLAGS   := -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_OBJ     := $(patsubst %.c,$(FUZZ)/%.o,$(LIB_SRC) $(ARCHIVE_SRC) $(REPORT_SRC)) $(FUZZ)/schema_sql.o

fuzz: $(FUZZ)/archive_fuzz $(FUZZ)/seeds/.made
	@mkdir -p $(FUZZ)/corpus
	$(FUZZ)/archive_fuzz -max_total_time=$(FUZZ_SECONDS) -timeout=20 -rss_limit_mb=4096 \
	    -close_fd_mask=2 -print_final_stats=1 -artifact_prefix=$(FUZZ)/ \
	    $(FUZZ)/corpus $(FUZZ)/seeds

$(FUZZ)/archive_fuzz: fuzz/archive_fuzz.c $(FUZZ_OBJ)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)

$(FUZZ)/report/memreport.o: report/memreport.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -Dmain=memreport_main -c -o $@ $<

$(FUZZ)/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -std=c11 -D_FILE_OFFSET_BITS=64 \
	    -D_DEFAULT_SOURCE -c -o $@ $<

$(FUZZ)/schema_sql.o: $(BUILD)/schema_sql.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_FLAGS) -c -o $@ $<

# Seeds: the fixture archives, one real sample, each also with 512-byte
# pages (fewer bytes to mutate) and gzip-compressed.
$(FUZZ)/seeds/.made: $(SAN)/tests/procs_fixture $(SAN)/tests/cgroups_fixture memcollect
	@rm -rf $(FUZZ)/seeds && mkdir -p $(FUZZ)/seeds
	$(SAN)/tests/procs_fixture $(FUZZ)/seeds
	$(SAN)/tests/cgroups_fixture $(FUZZ)/seeds && rm $(FUZZ)/seeds/nocg.db
	./memcollect --procs-max 8 $(FUZZ)/seeds/real.db
	cd $(FUZZ)/seeds && for f in procs nonuma cg real; do \
	  sqlite3 $$f.db "PRAGMA page_size=512; VACUUM" && \
	  sqlite3 $$f.db "VACUUM INTO '$$f-small.db'" && gzip -c $$f-small.db > $$f-small.db.gz; done
	touch $@

DEPS_BUILD := build-essential pkg-config libsqlite3-dev zlib1g-dev libnuma-dev libproc2-dev
DEPS_TEST  := sysstat faketime locales sqlite3 valgrind python3 util-linux atop \
              systemd cron groff-base prometheus \
              librsvg2-bin libxml2-utils libreoffice-calc-nogui strace libcap2-bin \
              clang libclang-rt-14-dev prometheus-node-exporter curl chromium
# strace: tests/paths sees memcollect write its oom_score_adj where the test
# itself lacks CAP_SYS_RESOURCE, so the value cannot change.
# libcap2-bin: capsh, to run memcollect as the maintenance unit's root without
# CAP_DAC_OVERRIDE (tests/paths).
# librsvg2-bin: rsvg-convert renders memreport --format=svg to PNG (tests/capacity).
# chromium: headless screenshots of the SVG chart, whose pixels tests/charts reads
# (the incident visible, CommitLimit dashed): a browser is what people open it in.
# libxml2-utils: xmllint checks that the SVG of hostile process names is
# well-formed XML; libreoffice-calc-nogui: soffice converts every CSV output to
# xlsx, whose cells show that no name became a formula and that local_time is a
# date-time (tests/hostile).
# prometheus: only for promtool (tests/export); atop: only for make bench.
# clang, libclang-rt-14-dev (libFuzzer's runtime): only for make fuzz.
# prometheus-node-exporter and curl: tests/textfile starts node_exporter on
# 127.0.0.1 with memcollect --textfile's directory and scrapes it.
# Their packages start daemons (prometheus, atop's loggers, node_exporter): the ones this
# target installed are stopped and disabled again, with or without systemd.
DAEMONS := prometheus:prometheus atop:atop atopacct:atop \
           prometheus-node-exporter:prometheus-node-exporter   # daemon:package
# dpkg-dev, debhelper, lintian: make deb and tests/package (lintian checks
# the package); bash-completion: loads the installed completion there;
# man-db: systemd-analyze verify runs man for the units' Documentation=.
DEPS_TEST  += dpkg-dev debhelper lintian bash-completion man-db
deps:
	@missing=""; for p in $(DEPS_BUILD) $(DEPS_TEST); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq --no-install-recommends $$missing; \
	  for dp in $(DAEMONS); do \
	    d=$${dp%%:*}; case " $$missing " in *" $${dp#*:} "*) ;; *) continue;; esac; \
	    [ -e /etc/init.d/$$d ] || [ -e /lib/systemd/system/$$d.service ] || continue; \
	    systemctl disable --now $$d >/dev/null 2>&1 || service $$d stop >/dev/null 2>&1 || true; \
	  done; \
	fi
	@tests/locales.sh

check: all sanitize
	@tests/run.sh

demo: all
	mkdir -p demo-archive
	./memcollect 1 4 demo-archive
	./memreport -r ALL -S -W -B -H -f demo-archive
	./memreport -p --top 5 -f demo-archive

bench: all
	@bench/run.sh

# make install [PREFIX=/usr/local] [DESTDIR=...]: the programs, man pages,
# systemd units, cron file, bash completion (bash-completion loads it by
# command name: memcollect's is a link to memreport's) and default settings
# (an existing settings file is kept).  make uninstall removes them, and the
# settings file only when it is still the shipped one; archives are never
# touched.
PREFIX     ?= /usr/local
SBINDIR    ?= $(PREFIX)/sbin
BINDIR     ?= $(PREFIX)/bin
MANDIR     ?= $(PREFIX)/share/man
UNITDIR    ?= $(PREFIX)/lib/systemd/system
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
SYSCONFDIR ?= $(if $(filter /usr,$(PREFIX)),/etc,$(if $(filter /usr/local,$(PREFIX)),/etc,$(PREFIX)/etc))
# The archive directory the units allow writing to (ReadWritePaths=; they
# cannot create it under ProtectSystem=strict).  MEMTRAIL_GROUP=NAME: members
# of that group read the archives (directory 2750 of the group, set in the
# settings file too).
LOGDIR     ?= $(if $(filter /usr /usr/local,$(PREFIX)),/var/log/memtrail,$(PREFIX)/var/log/memtrail)
MEMTRAIL_GROUP ?=
UNITS := memtrail.service memtrail.timer memtrail-maintain.service memtrail-maintain.timer \
         memtrail-watch.service
SUBST := sed -e 's|@sbindir@|$(SBINDIR)|g' -e 's|@sysconfdir@|$(SYSCONFDIR)|g'

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/cron.d \
	    $(DESTDIR)$(SYSCONFDIR)/default
	install -m 755 memcollect $(DESTDIR)$(SBINDIR)/memcollect
	install -m 755 memreport $(DESTDIR)$(BINDIR)/memreport
	install -m 644 man/memcollect.8 $(DESTDIR)$(MANDIR)/man8/memcollect.8
	install -m 644 man/memreport.1 $(DESTDIR)$(MANDIR)/man1/memreport.1
	install -D -m 644 completion/memtrail $(DESTDIR)$(COMPLETIONDIR)/memreport
	ln -sf memreport $(DESTDIR)$(COMPLETIONDIR)/memcollect
	for u in $(UNITS); do \
	  if [ -f cron/$$u.in ]; then $(SUBST) cron/$$u.in > $(DESTDIR)$(UNITDIR)/$$u; \
	  else cp cron/$$u $(DESTDIR)$(UNITDIR)/$$u; fi; \
	  chmod 644 $(DESTDIR)$(UNITDIR)/$$u; done
	$(SUBST) cron/memtrail.cron.in > $(DESTDIR)$(SYSCONFDIR)/cron.d/memtrail
	chmod 644 $(DESTDIR)$(SYSCONFDIR)/cron.d/memtrail
	[ -e $(DESTDIR)$(SYSCONFDIR)/default/memtrail ] || \
	  install -m 644 cron/memtrail.default $(DESTDIR)$(SYSCONFDIR)/default/memtrail
	install -d -m 750 $(DESTDIR)$(LOGDIR)
	if [ -n "$(MEMTRAIL_GROUP)" ]; then \
	  sed -i 's|^MEMTRAIL_GROUP=.*|MEMTRAIL_GROUP=$(MEMTRAIL_GROUP)|' $(DESTDIR)$(SYSCONFDIR)/default/memtrail; \
	  grep -q '^MEMTRAIL_GROUP=' $(DESTDIR)$(SYSCONFDIR)/default/memtrail || \
	    echo 'MEMTRAIL_GROUP=$(MEMTRAIL_GROUP)' >> $(DESTDIR)$(SYSCONFDIR)/default/memtrail; \
	  chgrp $(MEMTRAIL_GROUP) $(DESTDIR)$(LOGDIR) && chmod 2750 $(DESTDIR)$(LOGDIR); \
	fi

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/memcollect $(DESTDIR)$(BINDIR)/memreport \
	    $(DESTDIR)$(MANDIR)/man8/memcollect.8 $(DESTDIR)$(MANDIR)/man1/memreport.1 \
	    $(DESTDIR)$(SYSCONFDIR)/cron.d/memtrail $(addprefix $(DESTDIR)$(UNITDIR)/,$(UNITS)) \
	    $(DESTDIR)$(COMPLETIONDIR)/memreport $(DESTDIR)$(COMPLETIONDIR)/memcollect
	if cmp -s cron/memtrail.default $(DESTDIR)$(SYSCONFDIR)/default/memtrail; then \
	  rm -f $(DESTDIR)$(SYSCONFDIR)/default/memtrail; fi

# make deb [DEBDIR=build/deb]: the Debian package (debian/), built by
# dpkg-buildpackage in a copy of this tree without what make builds, so that
# the package's clean step never touches build/.  The .deb lands in DEBDIR.
DEBDIR ?= $(BUILD)/deb
.PHONY: deb
deb:
	rm -rf $(DEBDIR)/memtrail && mkdir -p $(DEBDIR)/memtrail
	tar -cf - --exclude-vcs --anchored --exclude=./build --exclude=./bench/out \
	    --exclude=./tests/out --exclude=./demo-archive --exclude=./memcollect \
	    --exclude=./memreport . | \
	  tar -xf - -C $(DEBDIR)/memtrail
	cd $(DEBDIR)/memtrail && DEB_BUILD_OPTIONS="parallel=2 nocheck" dpkg-buildpackage -us -uc -b

clean:
	rm -rf $(BUILD) $(PROGRAMS)
