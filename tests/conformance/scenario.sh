# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by tests/conformance, tests/colour and tests/psi (sourced): build_scenario NAME
# takes every /proc snapshot of a gen_fixtures.py scenario with both Debian's
# sadc and memcollect, so sar and memreport read the same numbers.
# Needs OUT (holding fix/ from gen_fixtures.py and data/), SADC, MEMCOLLECT
# and ACTS (sadc's -S; a scenario's own "acts" file wins); writes
# $OUT/data/NAME.sa, NAME.db and NAME.log.  Root only.
# A snapshot's "pressure" file is /proc/pressure/memory; without one, an
# empty /proc/pressure hides the machine's own, as on a kernel without PSI.

# build_scenario NAME: runs sadc and memcollect on every snapshot.
build_scenario() {
    local s=$1 dir=$OUT/fix/$1 sa=$OUT/data/$1.sa arch=$OUT/data/$1.db
    local tz kind t snap pending="" ft log=$OUT/data/$1.log acts=$ACTS
    tz=$(cat "$dir/tz")
    [ -f "$dir/acts" ] && acts=$(cat "$dir/acts")
    rm -f "$sa" "$arch" "$arch"-*
    while read -r kind t snap; do
        if [ "$kind" = restart ]; then pending=1; continue; fi
        ft=$(TZ=$tz date -d "@$t" '+%Y-%m-%d %H:%M:%S')
        # One private mount namespace per snapshot; both collectors inside it,
        # under the same frozen clock.
        unshare -m /bin/sh -ec '
            snap=$1 tz=$2 ft=$3 sa=$4 arch=$5 restart=$6 acts=$7
            if [ -f "$snap/pressure" ]; then
                mount --bind "$snap/pressure" /proc/pressure/memory
            elif [ -d /proc/pressure ]; then
                mount -t tmpfs -o size=4k tmpfs /proc/pressure
            fi
            mount --bind "$snap/meminfo" /proc/meminfo
            mount --bind "$snap/vmstat"  /proc/vmstat
            mount --bind "$snap/swaps"   /proc/swaps
            mount --bind "$snap/uptime"  /proc/uptime
            mount --bind "$snap/boot_id" /proc/sys/kernel/random/boot_id
            # the faketime wrapper leaves sem.faketime_sem_PID behind in /dev/shm
            # and fails ("sem_open: File exists") when a later pid meets one:
            # a private /dev/shm per snapshot keeps them from piling up
            mount -t tmpfs -o size=1m tmpfs /dev/shm
            export TZ="$tz"
            if [ -n "$restart" ]; then faketime -f "$ft" '"$SADC"' "$sa"; fi
            faketime -f "$ft" '"$SADC"' -S "$acts" 1 1 "$sa"
            faketime -f "$ft" '"$MEMCOLLECT"' "$arch"
        ' sh "$snap" "$tz" "$ft" "$sa" "$arch" "$pending" "$acts" >>"$log" 2>&1 ||
            { echo "build $s: snapshot $snap failed (see $log)" >>"$log"; return 1; }
        pending=""
    done < "$dir/steps"
}

# oracle_pair FORM SA ARCH OPTS POST: Debian's command and memreport's for the
# same question into the arrays EXP and ACT (FORM: sar, sadf for sadf -d, json
# for sadf -j); OPTS and POST are split at blanks.  Needs SAR, SADF, MEMREPORT.
oracle_pair() {
    local form=$1 sa=$2 arch=$3 o p
    read -r -a o <<< "$4"
    read -r -a p <<< "$5"
    case "$form" in
        sar)  EXP=("$SAR" "${o[@]}" -f "$sa" "${p[@]}")
              ACT=("$MEMREPORT" "${o[@]}" -f "$arch" "${p[@]}") ;;
        sadf) EXP=("$SADF" -d "$sa" -- "${o[@]}")
              ACT=("$MEMREPORT" --format=sadf "${o[@]}" -f "$arch") ;;
        json) EXP=("$SADF" -j "$sa" -- "${o[@]}")
              ACT=("$MEMREPORT" --format=json "${o[@]}" -f "$arch") ;;
    esac
}
