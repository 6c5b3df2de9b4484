#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Memory per cgroup (memcollect, collector/cgroups.c, archive/cgstore.c),
# read back through the archive by build/san/tests/cgdump:
#   - v1 on the real kernel: cgroups made under the v1 memory controller,
#     known allocations in them, stored values against the kernel's files
#     read at the same moment, their parent's parts counting theirs (v1's
#     total_* keys), and each process's cgroup;
#   - v1 limits: a cgroup's own limit, an unlimited child of a limited
#     parent (unlimited: its own), unlimited under unlimited parents, and
#     (strace) memory.limit_in_bytes opened exactly for the cgroups whose
#     memory.stat hierarchical_memory_limit is finite;
#   - the real cgroup2 root's memory.pressure, read live into the root row;
#   - a v1 fixture bound over /sys/fs/cgroup/memory: a memory.stat without
#     (or with a malformed) hierarchical_memory_limit still has
#     memory.limit_in_bytes read;
#   - v2 through the same code on a fixture tree (tests/cgroups/fixture.py)
#     bound over /sys/fs/cgroup in a private mount namespace: values exact,
#     a symbolic link not followed, cgroups vanishing and appearing between
#     samples, --cgroups-max's "..." row, --no-cgroups;
#   - a 2,000-cgroup fixture: its CPU cost is printed (a bench, never failed).
# Prints "ok - NAME" / "not ok - NAME" / "skip - NAME (why)".
set -u
. "$(dirname "$0")/../lib.sh"
cd "$ROOT" || exit 2
T=$(mktemp -d)
V1=/sys/fs/cgroup/memory/memtrail-cgtest-$$
PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
    rmdir "$V1/a/d" "$V1/b/c" "$V1/b/e" "$V1/a" "$V1/b" "$V1" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
export TZ=UTC LC_ALL=C
DUMP=$ROOT/build/san/tests/cgdump
[ -x "$DUMP" ] || DUMP=$ROOT/build/tests/cgdump
FX=tests/cgroups/fixture.py
if [ ! -x "$DUMP" ]; then
    skip "cgroups (no $DUMP: run make sanitize)"
    exit 0
fi

V1_UNLIMITED=9223372036854771712   # CGROUP_V1_UNLIMITED_MIN (lib/cgroup_parse.h)
# The value of column NAME in cgdump line LINE (a C line).
COLS=(C ts version aggregated id current max high swap anon file shmem kernel sock file_dirty
      file_writeback mapped_file refault_anon refault_file ev_low ev_high ev_max ev_oom
      ev_oom_kill ev_oom_group_kill psi_some psi_full)
col() {
    local line=$1 name=$2 i
    read -r -a f <<< "$line"
    for i in "${!COLS[@]}"; do
        [ "${COLS[$i]}" = "$name" ] && { echo "${f[$i]}"; return; }
    done
}
# The C line of cgroup PATH in the dump FILE (the last sample's).
row() { awk -v p="$2" '$1 == "C" { path = $0; for (i = 1; i <= 27; i++) sub(/^[^ ]* /, "", path); if (path == p) line = $0 } END { print line }' "$1"; }
stat_key() { awk -v k="$2" '$1 == k { print $2 }' "$1/memory.stat"; }
oom_kill_v1() { awk '$1 == "oom_kill" { print $2 }' "$1/memory.oom_control"; }

# ---- v1 on the real kernel
if [ -w /sys/fs/cgroup/memory ] && [ -f /sys/fs/cgroup/memory/memory.usage_in_bytes ] &&
   ! grep -q memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null &&
   mkdir "$V1" "$V1/a" "$V1/b" "$V1/a/d" "$V1/b/c" "$V1/b/e" 2>/dev/null; then
    echo $((64 << 20)) > "$V1/b/memory.limit_in_bytes"
    echo $((128 << 20)) > "$V1/b/e/memory.limit_in_bytes"   # above its parent's: v1 allows it
    # MiB held by each: touched page by page, then kept
    alloc() {
        sh -c 'echo $$ > "$1/cgroup.procs" && exec python3 -c "
import sys, time
b = bytearray($2 << 20)
for i in range(0, len(b), 4096):
    b[i] = 1
open(sys.argv[1], \"w\").write(\"ready\")
time.sleep(600)" "$3"' sh "$1" "$2" "$3" &
        PIDS+=($!)
    }
    alloc "$V1/a" 20 "$T/ready.a"
    alloc "$V1/b" 40 "$T/ready.b"
    for _ in $(seq 100); do [ -s "$T/ready.a" ] && [ -s "$T/ready.b" ] && break; sleep 0.1; done
    for g in a b; do
        cat "$V1/$g/memory.usage_in_bytes" > "$T/before.$g"
        stat_key "$V1/$g" rss > "$T/rss.before.$g"
    done
    stat_key "$V1" total_rss > "$T/rss.before.p"
    psi_before=$(awk '$1 == "some" { sub(/.*total=/, ""); print }' /sys/fs/cgroup/unified/memory.pressure 2>/dev/null)
    # every cgroup of the machine read in full, however many it has
    "$MC" --cgroups-max 0 "$T/v1.db" 2> "$T/v1.err"; rc=$?
    psi_after=$(awk '$1 == "some" { sub(/.*total=/, ""); print }' /sys/fs/cgroup/unified/memory.pressure 2>/dev/null)
    "$DUMP" "$T/v1.db" > "$T/v1.txt" 2>&1
    bad=()
    [ $rc -eq 0 ] || bad+=("memcollect exited $rc: $(cat "$T/v1.err")")
    for g in a b; do
        r=$(row "$T/v1.txt" "/memtrail-cgtest-$$/$g")
        [ -n "$r" ] || { bad+=("no row for /memtrail-cgtest-$$/$g"); continue; }
        after=$(cat "$V1/$g/memory.usage_in_bytes")
        before=$(cat "$T/before.$g")
        lo=$(( (before < after ? before : after) - (1 << 20) )) hi=$(( (before > after ? before : after) + (1 << 20) ))
        cur=$(col "$r" current)
        [ "$cur" -ge "$lo" ] && [ "$cur" -le "$hi" ] ||
            bad+=("$g: usage $cur, kernel said $before then $after")
        rss_after=$(stat_key "$V1/$g" rss)
        anon=$(col "$r" anon)
        [ "$anon" = "$(cat "$T/rss.before.$g")" ] || [ "$anon" = "$rss_after" ] ||
            bad+=("$g: rss $anon, kernel said $(cat "$T/rss.before.$g") then $rss_after")
        want_mib=$([ $g = a ] && echo 20 || echo 40)
        [ "$anon" -ge $((want_mib << 20)) ] || bad+=("$g: rss $anon below the $want_mib MiB held")
        for k in file:cache shmem:shmem mapped_file:mapped_file; do
            [ "$(col "$r" "${k%%:*}")" = "$(stat_key "$V1/$g" "${k#*:}")" ] ||
                bad+=("$g: ${k%%:*} $(col "$r" "${k%%:*}") vs memory.stat ${k#*:} $(stat_key "$V1/$g" "${k#*:}")")
        done
        [ "$(col "$r" ev_max)" = "$(cat "$V1/$g/memory.failcnt")" ] || bad+=("$g: failcnt")
        [ "$(col "$r" ev_oom_kill)" = "$(oom_kill_v1 "$V1/$g")" ] || bad+=("$g: oom_kill")
        [ "$(col "$r" id)" = 0 ] && [ "$(col "$r" version)" = 1 ] || bad+=("$g: id or version")
    done
    rb=$(row "$T/v1.txt" "/memtrail-cgtest-$$/b")
    [ "$(col "$rb" max)" = $((64 << 20)) ] || bad+=("b: limit $(col "$rb" max)")
    ra=$(row "$T/v1.txt" "/memtrail-cgtest-$$/a")
    [ "$(col "$ra" max)" = max ] || bad+=("a: unlimited read as $(col "$ra" max)")
    check "v1: stored values match the kernel's files read at the same moment" ${#bad[@]} "${bad[@]}"
    # memcollect reads memory.limit_in_bytes only where memory.stat's
    # hierarchical_memory_limit is finite: each case of the rule, against
    # the kernel's own files
    bad=()
    [ "$(stat_key "$V1/b/c" hierarchical_memory_limit)" = $((64 << 20)) ] &&
        [ "$(cat "$V1/b/c/memory.limit_in_bytes")" -ge $V1_UNLIMITED ] ||
        bad+=("b/c is not an unlimited child of a limited parent here")
    for g in "" /a /a/d /b /b/c /b/e; do
        want=$(cat "$V1$g/memory.limit_in_bytes")
        [ "$want" -ge $V1_UNLIMITED ] && want=max
        r=$(row "$T/v1.txt" "/memtrail-cgtest-$$$g")
        [ "$(col "$r" max)" = "$want" ] || bad+=("${g:-/}: limit $(col "$r" max), kernel says $want")
    done
    [ "$(col "$(row "$T/v1.txt" "/memtrail-cgtest-$$/b/e")" max)" = $((128 << 20)) ] &&
        [ "$(col "$(row "$T/v1.txt" "/memtrail-cgtest-$$/b/c")" max)" = max ] &&
        [ "$(col "$(row "$T/v1.txt" "/memtrail-cgtest-$$/a/d")" max)" = max ] ||
        bad+=("b/e (128 MiB under 64 MiB), b/c (unlimited under 64 MiB), a/d (unlimited) misread")
    check "v1: each cgroup's own limit: limited, unlimited under a limited parent, unlimited under unlimited" \
        ${#bad[@]} "${bad[@]}"
    if ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0 \
           strace -f -qq -y -e trace=openat -o "$T/trace" "$MC" --no-procs --cgroups-max 0 "$T/strace.db" 2> "$T/strace.err"; then
        # the directories memory.limit_in_bytes was opened in, against those
        # whose hierarchical limit is finite (the root and this test's tree)
        grep -o '<[^>]*>, "memory.limit_in_bytes"' "$T/trace" | sed 's/^<//; s/>, .*//' |
            grep -Fx -e /sys/fs/cgroup/memory -e "$V1" -e "$V1/a" -e "$V1/b" -e "$V1/a/d" \
                -e "$V1/b/c" -e "$V1/b/e" | sort > "$T/limit.opened"
        for d in /sys/fs/cgroup/memory "$V1" "$V1/a" "$V1/b" "$V1/a/d" "$V1/b/c" "$V1/b/e"; do
            [ "$(stat_key "$d" hierarchical_memory_limit)" -lt $V1_UNLIMITED ] && echo "$d"
        done | sort > "$T/limit.finite"
        out=$(diff "$T/limit.finite" "$T/limit.opened")
        [ -z "$out" ] && [ "$(wc -l < "$T/limit.finite")" = 3 ]
        check "v1 (strace): memory.limit_in_bytes opened exactly where hierarchical_memory_limit is finite" $? \
            "finite, then opened:" "$out"
    else
        skip "v1 strace of memory.limit_in_bytes (strace failed: $(head -c 200 "$T/strace.err"))"
    fi
    # The parent holds no task of its own: its usage counts the children's
    # 60 MiB, and so must its parts (v1's hierarchical total_* keys), or a
    # report shows anon 0 beside a large usage.
    bad=()
    rp=$(row "$T/v1.txt" "/memtrail-cgtest-$$")
    if [ -z "$rp" ]; then
        bad+=("no row for /memtrail-cgtest-$$")
    else
        anon=$(col "$rp" anon)
        [ "$anon" -ge $((60 << 20)) ] || bad+=("parent: anon $anon below the children's 60 MiB")
        [ "$anon" = "$(cat "$T/rss.before.p")" ] || [ "$anon" = "$(stat_key "$V1" total_rss)" ] ||
            bad+=("parent: anon $anon, total_rss said $(cat "$T/rss.before.p") then $(stat_key "$V1" total_rss)")
        [ "$(col "$rp" current)" -ge "$anon" ] || bad+=("parent: usage $(col "$rp" current) below anon $anon")
        for k in file:total_cache shmem:total_shmem mapped_file:total_mapped_file; do
            [ "$(col "$rp" "${k%%:*}")" = "$(stat_key "$V1" "${k#*:}")" ] ||
                bad+=("parent: ${k%%:*} $(col "$rp" "${k%%:*}") vs memory.stat ${k#*:} $(stat_key "$V1" "${k#*:}")")
        done
    fi
    check "v1: a parent's parts count its children, as its usage does (total_* keys)" ${#bad[@]} "${bad[@]}"
    bad=()
    for i in 0 1; do
        g=$([ $i = 0 ] && echo a || echo b)
        grep -qx "P [0-9]* ${PIDS[$i]} /memtrail-cgtest-$$/$g" "$T/v1.txt" ||
            bad+=("process ${PIDS[$i]} not in /memtrail-cgtest-$$/$g: $(grep " ${PIDS[$i]} " "$T/v1.txt")")
    done
    check "v1: each process's cgroup, read with its command line" ${#bad[@]} "${bad[@]}"
    if [ -n "$psi_before" ] && [ -n "$psi_after" ]; then
        psi=$(col "$(row "$T/v1.txt" /)" psi_some)
        [ "$psi" -ge "$psi_before" ] && [ "$psi" -le "$psi_after" ]
        check "v1: the root's pressure read live from the cgroup2 root's memory.pressure" $? \
            "stored $psi, kernel said $psi_before then $psi_after"
    else
        skip "v1: the cgroup2 root's memory.pressure (none here)"
    fi
else
    skip "v1 on the real kernel (no writable v1 memory controller at /sys/fs/cgroup/memory)"
fi

# ---- v2 on a fixture tree, bound over /sys/fs/cgroup
if ! unshare -m true 2>/dev/null; then
    skip "v2 fixture (unshare -m needs root)"
    exit 0
fi
# ---- v1 on a fixture tree, bound over the v1 mount: the files of odd or
# older kernels
if [ -f /sys/fs/cgroup/memory/memory.usage_in_bytes ] &&
   ! grep -q memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
    v1fx() {   # DIR STAT LIMIT: a v1 cgroup with that memory.stat (and limit, unless "")
        mkdir -p "$1"
        echo 4096 > "$1/memory.usage_in_bytes"
        printf 'rss 4096\n%btotal_rss 4096\n' "$2" > "$1/memory.stat"
        [ -z "$3" ] || echo "$3" > "$1/memory.limit_in_bytes"
        echo 0 > "$1/memory.failcnt"
        printf 'oom_kill_disable 0\nunder_oom 0\noom_kill 0\n' > "$1/memory.oom_control"
    }
    F=$T/v1fx
    v1fx "$F" "hierarchical_memory_limit $V1_UNLIMITED\n" $V1_UNLIMITED
    v1fx "$F/old" "" 104857600                                          # no key: an older kernel
    v1fx "$F/odd" "hierarchical_memory_limit x\n" 52428800               # malformed
    v1fx "$F/cut" "hierarchical_memory_limit 92233720368547717\n" 52428800   # cut short
    v1fx "$F/memsw" "hierarchical_memsw_limit $V1_UNLIMITED\n" 31457280  # memsw's only
    v1fx "$F/under" "hierarchical_memory_limit 104857600\n" $V1_UNLIMITED
    v1fx "$F/free" "hierarchical_memory_limit $V1_UNLIMITED\n" ""       # no file: never read
    unshare -m --propagation private sh -c 'mount --bind "$0" /sys/fs/cgroup/memory && exec "$@"' \
        "$F" "$MC" --no-procs "$T/v1fx.db" 2> "$T/v1fx.err"; rc=$?
    "$DUMP" "$T/v1fx.db" > "$T/v1fx.txt" 2>&1
    bad=()
    [ $rc -eq 0 ] || bad+=("memcollect exited $rc: $(cat "$T/v1fx.err")")
    for want in /:max /old:104857600 /odd:52428800 /cut:52428800 /memsw:31457280 /under:max /free:max; do
        got=$(col "$(row "$T/v1fx.txt" "${want%%:*}")" max)
        [ "$got" = "${want#*:}" ] || bad+=("${want%%:*}: limit '$got', want ${want#*:}")
    done
    check "v1 fixture: no (or a malformed) hierarchical_memory_limit: memory.limit_in_bytes still read" \
        ${#bad[@]} "${bad[@]}"
else
    skip "v1 fixture (no v1 memory controller at /sys/fs/cgroup/memory to bind it over)"
fi

mkdir "$T/fx"
python3 "$FX" make "$T/fx"
in_fixture() {   # FIXTURE COMMAND...: COMMAND with FIXTURE as /sys/fs/cgroup
    local fx=$1
    shift
    unshare -m --propagation private sh -c 'mount --bind "$0" /sys/fs/cgroup && exec "$@"' "$fx" "$@"
}
same_as_fixture() {   # SAMPLE_TS: the dump's rows at that time against fixture.py expect
    awk -v ts="$1" '$1 == "C" && $2 == ts' "$T/v2.txt" | cut -d' ' -f3- | sort > "$T/got"
    python3 "$FX" expect "$T/fx" | sort > "$T/want"
    diff "$T/want" "$T/got"
}
in_fixture "$T/fx" "$MC" --no-procs "$T/v2.db" 2> "$T/v2.err"; rc1=$?
ts1=$(sqlite3 "$T/v2.db" "SELECT max(ts) FROM sample")
"$DUMP" "$T/v2.db" > "$T/v2.txt" 2>&1
out=$(same_as_fixture "$ts1" 2>&1)
[ $rc1 -eq 0 ] && [ -z "$out" ]
check "v2 fixture: every value exact, absent ones absent, \"max\" unlimited, inode as id" $? \
    "memcollect exited $rc1: $(cat "$T/v2.err")" "$out"
! grep -q "evil" "$T/v2.txt"
check "v2 fixture: a symbolic link in the tree is not followed" $? "$(grep evil "$T/v2.txt")"

python3 "$FX" mutate "$T/fx"
sleep 1   # one sample per second: the next one must be a second later
in_fixture "$T/fx" "$MC" --no-procs "$T/v2.db" 2> "$T/v2.err"; rc2=$?
ts2=$(sqlite3 "$T/v2.db" "SELECT max(ts) FROM sample")
"$DUMP" "$T/v2.db" > "$T/v2.txt" 2>&1
out=$(same_as_fixture "$ts2" 2>&1)
[ $rc2 -eq 0 ] && [ -z "$out" ] && [ "$ts2" != "$ts1" ] &&
    grep -q "^C $ts1 .* /system.slice/ssh.service\$" "$T/v2.txt" &&
    ! grep -q "^C $ts2 .* /system.slice/ssh.service\$" "$T/v2.txt" &&
    grep -q "^C $ts2 .* /machine.slice/libpod-new.scope\$" "$T/v2.txt"
check "v2 fixture: cgroups vanish and appear between samples, each sample exact" $? \
    "memcollect exited $rc2: $(cat "$T/v2.err")" "$out"
deltas=$(sqlite3 "$T/v2.db" "SELECT count(*) FROM cgroup_sample WHERE base_ts = $ts1")
ids=$(sqlite3 "$T/v2.db" "SELECT count(*) FROM cgroup")
[ "$deltas" = 1 ] && [ "$ids" = 11 ]
check "v2 fixture: identities stored once, the second sample as differences from the first" $? \
    "samples stored against $ts1: $deltas; identities: $ids"

# --cgroups-max 3: the root, the two largest slices, and "..." summing the
# subtrees left out, each once at its top
in_fixture "$T/fx" "$MC" --no-procs --cgroups-max 3 "$T/max.db" 2> "$T/max.err"; rc=$?
python3 "$FX" expect "$T/fx" > "$T/want"
"$DUMP" "$T/max.db" > "$T/max.txt" 2>&1
paths=$(awk '$1 == "C" { print $NF }' "$T/max.txt" | tr '\n' ' ')
dots=$(row "$T/max.txt" "...")
want_dots=$(awk '
    { path = $0; for (i = 1; i <= 25; i++) sub(/^[^ ]* /, "", path); cur[path] = $4 }
    END { for (p in cur) if (p != "/" && p != "/machine.slice" && p != "/user.slice" &&
                             (p ~ /^\/[^\/]*$/ || p ~ /^\/(machine|user)\.slice\/[^\/]*$/)) s += cur[p]
          print s }' "$T/want")
[ $rc -eq 0 ] && [ "$(awk '$1 == "C"' "$T/max.txt" | wc -l)" = 4 ] &&
    [ "$(col "$dots" aggregated)" = 7 ] && [ "$(col "$dots" current)" = "$want_dots" ] &&
    [ "$(col "$dots" max)" = - ] && [ "$(col "$dots" anon)" = - ] &&
    [ "$(row "$T/max.txt" /user.slice)" = "$(awk -v ts="$(sqlite3 "$T/max.db" "SELECT ts FROM sample")" \
        '$1 == "C" && $2 == ts && / \/user\.slice$/' "$T/max.txt")" ] &&
    grep -qF " $(row "$T/max.txt" /user.slice | cut -d' ' -f5-)" "$T/want"
check "--cgroups-max 3: root, largest slices, the rest summed once into \"...\"" $? \
    "exit $rc: $(cat "$T/max.err")" "rows: $paths" "...: $dots (want current $want_dots, 7 folded)"

in_fixture "$T/fx" "$MC" --no-procs --no-cgroups "$T/none.db"; rc=$?
[ $rc -eq 0 ] && [ "$(sqlite3 "$T/none.db" "SELECT count(*) FROM sqlite_master WHERE name LIKE 'cgroup%'")" = 0 ]
check "--no-cgroups: no cgroup tables" $?

# A directory whose entries take several getdents64 reads (over 32 kB):
# every child walked once
mkdir "$T/wide"
echo "cpu memory" > "$T/wide/cgroup.controllers"
(cd "$T/wide" && seq -f "service-with-a-long-name-of-sixty-bytes-or-so-for-the-test-%04g" 1 1200 |
    xargs mkdir)
in_fixture "$T/wide" "$MC" --no-procs --cgroups-max 0 "$T/wide.db" 2> "$T/wide.err"; rc=$?
"$DUMP" "$T/wide.db" | awk '$1 == "C" { print $NF }' | sort > "$T/wide.got"
{ echo /; ls "$T/wide" | grep -v '^cgroup' | sed 's|^|/|'; } | sort > "$T/wide.want"
out=$(diff "$T/wide.want" "$T/wide.got" | head -5)
[ $rc -eq 0 ] && [ -z "$out" ] && [ "$(wc -l < "$T/wide.got")" = 1201 ]
check "a directory listed in several reads (1,200 children, 80 kB of entries): each child once" $? \
    "exit $rc: $(cat "$T/wide.err")" "$out"

# ---- the 2,000-cgroup bench (the figure is printed, never judged)
mkdir "$T/big"
python3 "$FX" big "$T/big" 2000
BENCH_MC=$MC
[ -x "$ROOT/memcollect" ] && BENCH_MC=$ROOT/memcollect   # the optimized build, if made
cpu_ms() {   # CPU of one sample, in ms, with ARGS
    python3 - "$T" "$BENCH_MC" "$@" <<'PY'
import os, resource, subprocess, sys
t, mc, args = sys.argv[1], sys.argv[2], sys.argv[3:]
best = None
for i in range(3):
    db = os.path.join(t, "bench%s-%d.db" % ("".join(args).replace("-", ""), i))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c",
                    'mount --bind "$0" /sys/fs/cgroup && exec "$@"', os.path.join(t, "big"),
                    mc, "--no-procs", *args, db], check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    ms = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    best = ms if best is None else min(best, ms)
print("%.1f" % best)
PY
}
all=$(cpu_ms --cgroups-max 0) bounded=$(cpu_ms) without=$(cpu_ms --no-cgroups)
n=$("$DUMP" "$T/benchcgroupsmax0-0.db" 2>/dev/null | grep -c '^C')
[ "$n" = 2000 ]
check "2,000-cgroup fixture sampled in full (bench, ms of CPU per sample: $all all, $bounded with the default --cgroups-max, $without without cgroups; $(basename "$(dirname "$BENCH_MC")")/memcollect)" $? \
    "cgroups read back: $n"
