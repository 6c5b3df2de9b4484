#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Checks for tests/textfile/run.sh: memcollect --textfile's memtrail.prom read
by a parser of the Prometheus text exposition format (0.0.4) written here, so
the C writer is checked against an independent reading.  Each subcommand prints
nothing and exits 0 when the check holds, else prints why and exits 1.

  archive PROM JSON META NAMES   PROM holds the values of the archive's sample:
        JSON is memreport -p --format=json --top 100000 of it, META holds
        "ts MemTotal MemAvailable SwapTotal SwapFree oom_kill" from sqlite3
        (kB, as stored), NAMES lines "pid hexname" of the hostile processes
  scrape PROM BODY     every memtrail series of PROM is in node_exporter's
                       BODY with the same value, and no other memtrail series
  top PROM N           at most N process groups, the largest by RSS
"""
import json, math, re, sys

LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\.)*)"')
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^\n]*\})? (\S+)$')
GROUP_RSS = 'memtrail_process_group_rss_bytes'


def fail(msg):
    print(msg)
    sys.exit(1)


def unescape(v):
    def one(m):
        c = m.group(1)
        if c == 'n':
            return '\n'
        if c in '\\"':
            return c
        fail('invalid escape \\%s' % c)
    return re.sub(r'\\(.)', one, v)


def parse(path):
    """{(name, ((label, value), ...)): float} and {family: type}."""
    text = open(path, 'rb').read().decode('utf-8')   # must be valid UTF-8
    if text and not text.endswith('\n'):
        fail('%s: no line feed after the last line' % path)
    series, types = {}, {}
    for no, line in enumerate(text.split('\n')[:-1], 1):
        if line.startswith('# TYPE '):
            _, _, fam, typ = line.split(' ')
            types[fam] = typ
            continue
        if line.startswith('#') or line == '':
            continue
        m = SAMPLE.match(line)
        if not m:
            fail('%s:%d: not a sample line: %r' % (path, no, line))
        labels = ()
        if m.group(2):
            inner = m.group(2)[1:-1]
            pairs = LABEL.findall(inner)
            rebuilt = ','.join('%s="%s"' % p for p in pairs)
            if rebuilt != inner.rstrip(','):
                fail('%s:%d: labels do not parse: %r' % (path, no, inner))
            labels = tuple((k, unescape(v)) for k, v in pairs)
        key = (m.group(1), labels)
        if key in series:
            fail('%s:%d: duplicate series %r' % (path, no, key))
        series[key] = float(m.group(3))
    return series, types


def label_of(raw):
    """A comm's label value: invalid UTF-8 becomes U+FFFD (Python's maximal subparts)."""
    return raw.decode('utf-8', errors='replace')


def get(series, name, **labels):
    key = (name, tuple(sorted(labels.items())))
    for (n, ls), v in series.items():
        if n == name and tuple(sorted(ls)) == key[1]:
            return v
    fail('no series %s%r' % (name, labels))


def check_archive(prom, js, meta, names):
    series, types = parse(prom)
    ts, total, avail, stotal, sfree, oom = meta.split('|')
    want = {'MemTotal': total, 'MemAvailable': avail, 'SwapTotal': stotal, 'SwapFree': sfree}
    for field, kb in want.items():
        if get(series, 'memtrail_meminfo_bytes', field=field) != int(kb) * 1024:
            fail('%s: %r, archive %s kB' % (field, get(series, 'memtrail_meminfo_bytes', field=field), kb))
    if get(series, 'memtrail_last_sample_timestamp_seconds') != int(ts):
        fail('timestamp differs from the archive\'s %s' % ts)
    if oom != '' and get(series, 'memtrail_vmstat_total', counter='oom_kill') != int(oom):
        fail('oom_kill differs from the archive\'s %s' % oom)
    if types.get('memtrail_vmstat_total') != 'counter' or types.get('memtrail_meminfo_bytes') != 'gauge':
        fail('types: %r' % types)
    rows = [r for r in json.load(open(js))['memtrail']['rows'] if r['epoch'] == int(ts)]
    if not rows:
        fail('no process rows in the archive')
    rss_total = sum(r['rss_kb'] for r in rows) * 1024
    if get(series, 'memtrail_processes_rss_bytes') != rss_total:
        fail('total RSS %r, archive %r' % (get(series, 'memtrail_processes_rss_bytes'), rss_total))
    if get(series, 'memtrail_processes') != len(rows):
        fail('processes %r, archive %d' % (get(series, 'memtrail_processes'), len(rows)))
    by_pid = {r['pid']: r for r in rows}
    # the hostile names: each label as the exposition format reads it back
    hostile = {}
    for line in open(names):
        pid, hexname = line.split()
        if int(pid) not in by_pid:
            fail('pid %s not in the archive' % pid)
        hostile.setdefault(label_of(bytes.fromhex(hexname)), []).append(by_pid[int(pid)])
    for label, procs in hostile.items():
        # every process of that name in the sample, not only ours (none else should be)
        got = get(series, GROUP_RSS, comm=label)
        want = sum(p['rss_kb'] for p in rows if p['comm'] == procs[0]['comm'] or
                   p['pid'] in [q['pid'] for q in procs]) * 1024
        if got != want:
            fail('group %r: %r bytes, archive %r' % (label, got, want))
        n = get(series, 'memtrail_process_group_processes', comm=label)
        if n < len(procs):
            fail('group %r: %r processes, at least %d expected' % (label, n, len(procs)))
    # every process is in one group (--textfile-top 1000 leaves none out).  Names
    # are not compared beyond ours: the archive keeps an identity's first comm,
    # and other processes here may exec between two samples.
    groups = [(n, ls, v) for (n, ls), v in series.items() if n == GROUP_RSS]
    if sum(v for _, _, v in groups) != rss_total:
        fail('the groups sum to %r, the archive %r' % (sum(v for _, _, v in groups), rss_total))
    count = sum(v for (n, _), v in series.items() if n == 'memtrail_process_group_processes')
    if count != len(rows):
        fail('the groups count %r processes, the archive %d' % (count, len(rows)))
    if len(groups) < len(hostile) + 2:
        fail('only %d groups' % len(groups))


def check_scrape(prom, body):
    mine, _ = parse(prom)
    theirs, types = parse(body)
    got = {k: v for k, v in theirs.items() if k[0].startswith('memtrail_')}
    norm = lambda d: {(n, tuple(sorted(ls))): v for (n, ls), v in d.items()}
    a, b = norm(mine), norm(got)
    if a.keys() != b.keys():
        fail('only in the file: %r\nonly in the scrape: %r' % (sorted(a.keys() - b.keys())[:5],
                                                               sorted(b.keys() - a.keys())[:5]))
    for k in a:
        if not math.isclose(a[k], b[k], rel_tol=1e-15):
            fail('%r: file %r, scrape %r' % (k, a[k], b[k]))
    if theirs.get(('node_textfile_scrape_error', ()), 1) != 0:
        fail('node_textfile_scrape_error is not 0')
    if len(a) < 8:
        fail('only %d memtrail series' % len(a))


def check_top(prom, n):
    series, _ = parse(prom)
    groups = sorted(v for (name, _), v in series.items() if name == GROUP_RSS)
    if not 0 < len(groups) <= n:
        fail('%d groups, want 1..%d' % (len(groups), n))
    if series[('memtrail_processes_rss_bytes', ())] < sum(groups):
        fail('the groups sum above the total')


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == 'archive':
        check_archive(args[0], args[1], open(args[2]).read().strip(), args[3])
    elif cmd == 'scrape':
        check_scrape(*args)
    elif cmd == 'top':
        check_top(args[0], int(args[1]))
    else:
        fail('unknown check ' + cmd)


if __name__ == '__main__':
    main()
