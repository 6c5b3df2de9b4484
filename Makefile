# memtrail: memcollect records memory history, memreport replays it.
#   make         build both programs
#   make deps    install what building and testing need (Debian, apt-get)
#   make check   run every test (as root: the conformance tests need
#                unshare -m and faketime); ends with "N passed, N failed"
#   make demo    a few samples into ./demo-archive and reports of them, no root
#   make bench   the benchmarks against sysstat (never part of make check)

CC      ?= cc
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -Wall -Wextra -Werror -D_FILE_OFFSET_BITS=64 -D_DEFAULT_SOURCE
CPPFLAGS += -Ilib -Iarchive -Ireport -Ibuild
BUILD   := build

# Debian's SQLite and zlib are linked statically (their -dev packages ship
# the .a files): resolving libsqlite3.so's symbols costs more instructions
# than sadc's whole sample, and memcollect runs every minute.  The price:
# after a security update of libsqlite3 or zlib, rebuild memtrail.
SQLITE_LIBS := -Wl,-Bstatic -lsqlite3 -lz -Wl,-Bdynamic
LDLIBS  += $(SQLITE_LIBS) -lm

LIB_SRC      := lib/model.c lib/parse.c lib/sysread.c lib/util.c
ARCHIVE_SRC  := archive/archive.c archive/procstore.c archive/proc_codec.c archive/compressed.c \
                archive/image.c archive/union.c archive/recover.c
COLLECT_SRC  := collector/memcollect.c collector/procs.c collector/numa.c collector/maintain.c
# libnuma calls numa_warn()/numa_error(), which print to stderr unless the
# executable exports its own (silent ones, in collector/numa.c): cron mails stderr.
COLLECT_LDFLAGS := -Wl,--export-dynamic-symbol=numa_warn -Wl,--export-dynamic-symbol=numa_error
REPORT_SRC   := $(wildcard report/*.c)

LIB_OBJ      := $(LIB_SRC:%.c=$(BUILD)/%.o)
ARCHIVE_OBJ  := $(ARCHIVE_SRC:%.c=$(BUILD)/%.o) $(BUILD)/schema_sql.o
COLLECT_OBJ  := $(COLLECT_SRC:%.c=$(BUILD)/%.o)
REPORT_OBJ   := $(REPORT_SRC:%.c=$(BUILD)/%.o)

PROGRAMS := memcollect memreport

.PHONY: all deps check demo bench clean sanitize install uninstall
all: $(PROGRAMS)

memcollect: $(COLLECT_OBJ) $(ARCHIVE_OBJ) $(LIB_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) $(COLLECT_LDFLAGS) -o $@ $^ $(LDLIBS)

memreport: $(REPORT_OBJ) $(ARCHIVE_OBJ) $(LIB_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

HEADERS := $(wildcard lib/*.h archive/*.h report/*.h collector/*.h)
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

sanitize: $(SAN_PROGRAMS)

$(SAN)/memcollect: $(COLLECT_SRC:%.c=$(SAN)/%.o) $(SAN_LIB)
	$(CC) $(CFLAGS) $(SANFLAGS) $(LDFLAGS) $(COLLECT_LDFLAGS) -o $@ $^ $(LDLIBS)

$(SAN)/memreport: $(REPORT_SRC:%.c=$(SAN)/%.o) $(SAN_LIB)
	$(CC) $(CFLAGS) $(SANFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(SAN)/tests/%: $(SAN)/tests/unit/%.o $(SAN_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SANFLAGS) $(LDFLAGS) $(COLLECT_LDFLAGS) -o $@ $^ $(LDLIBS)

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
SCHEMAS := schema/archive.sql schema/procs.sql schema/numa.sql
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

DEPS_BUILD := build-essential pkg-config libsqlite3-dev zlib1g-dev libnuma-dev libproc2-dev
DEPS_TEST  := sysstat faketime locales sqlite3 valgrind python3 util-linux atop \
              systemd cron groff-base prometheus \
              librsvg2-bin
# librsvg2-bin: rsvg-convert renders memreport --format=svg to PNG (tests/capacity).
# prometheus: only for promtool (tests/export); atop: only for make bench.
# Their packages start daemons (prometheus, atop's loggers): the ones this
# target installed are stopped and disabled again, with or without systemd.
DAEMONS := prometheus:prometheus atop:atop atopacct:atop   # daemon:package
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
# systemd units, cron file and default settings (an existing settings file
# is kept).  make uninstall removes them, and the settings file only when
# it is still the shipped one; archives are never touched.
PREFIX     ?= /usr/local
SBINDIR    ?= $(PREFIX)/sbin
BINDIR     ?= $(PREFIX)/bin
MANDIR     ?= $(PREFIX)/share/man
UNITDIR    ?= $(PREFIX)/lib/systemd/system
SYSCONFDIR ?= $(if $(filter /usr,$(PREFIX)),/etc,$(if $(filter /usr/local,$(PREFIX)),/etc,$(PREFIX)/etc))
UNITS := memtrail.service memtrail.timer memtrail-maintain.service memtrail-maintain.timer
SUBST := sed -e 's|@sbindir@|$(SBINDIR)|g' -e 's|@sysconfdir@|$(SYSCONFDIR)|g'

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/cron.d \
	    $(DESTDIR)$(SYSCONFDIR)/default
	install -m 755 memcollect $(DESTDIR)$(SBINDIR)/memcollect
	install -m 755 memreport $(DESTDIR)$(BINDIR)/memreport
	install -m 644 man/memcollect.8 $(DESTDIR)$(MANDIR)/man8/memcollect.8
	install -m 644 man/memreport.1 $(DESTDIR)$(MANDIR)/man1/memreport.1
	for u in $(UNITS); do \
	  if [ -f cron/$$u.in ]; then $(SUBST) cron/$$u.in > $(DESTDIR)$(UNITDIR)/$$u; \
	  else cp cron/$$u $(DESTDIR)$(UNITDIR)/$$u; fi; \
	  chmod 644 $(DESTDIR)$(UNITDIR)/$$u; done
	$(SUBST) cron/memtrail.cron.in > $(DESTDIR)$(SYSCONFDIR)/cron.d/memtrail
	chmod 644 $(DESTDIR)$(SYSCONFDIR)/cron.d/memtrail
	[ -e $(DESTDIR)$(SYSCONFDIR)/default/memtrail ] || \
	  install -m 644 cron/memtrail.default $(DESTDIR)$(SYSCONFDIR)/default/memtrail

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/memcollect $(DESTDIR)$(BINDIR)/memreport \
	    $(DESTDIR)$(MANDIR)/man8/memcollect.8 $(DESTDIR)$(MANDIR)/man1/memreport.1 \
	    $(DESTDIR)$(SYSCONFDIR)/cron.d/memtrail $(addprefix $(DESTDIR)$(UNITDIR)/,$(UNITS))
	if cmp -s cron/memtrail.default $(DESTDIR)$(SYSCONFDIR)/default/memtrail; then \
	  rm -f $(DESTDIR)$(SYSCONFDIR)/default/memtrail; fi

clean:
	rm -rf $(BUILD) $(PROGRAMS)
