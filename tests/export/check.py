#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Checks for tests/export/run.sh.  Each subcommand prints nothing and exits 0
when the check holds, else prints why and exits 1.

  om-rules FILE           the OpenMetrics rules promtool needs (peers.md 3.1)
  om-vs-dump FILE DUMP    every sample of FILE is in promtool's dump, and no other
  om-count FILE N         FILE holds N samples
  influx FILE CSVLONG     FILE parses as line protocol (per the spec) and holds
                          exactly the values of the long CSV
  long-vs-wide LONG WIDE  the long CSV's meminfo values equal the wide CSV's sar columns
  odd NAME_HEX OM INFLUX LONG   the odd process name reads back in all three
"""
import csv, re, sys

NAME = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\.)*)"')


def fail(msg):
    print(msg)
    sys.exit(1)


def om_unescape(v):
    return re.sub(r'\\(.)', lambda m: {'n': '\n'}.get(m.group(1), m.group(1)), v)


def om_samples(path):
    """(name, labels tuple, ts, value) per sample line, and the comment lines."""
    out = []
    with open(path, 'rb') as f:
        data = f.read()
    text = data.decode('utf-8')   # must be valid UTF-8
    lines = text.split('\n')
    if lines[-1] != '':
        fail('no line feed after the last line')
    lines = lines[:-1]
    for no, line in enumerate(lines, 1):
        if line.startswith('#'):
            out.append(('#', line, no))
            continue
        m = re.match(r'^([^{ ]+)(?:\{(.*)\})? (\S+) (\S+)$', line)
        if not m:
            fail('line %d: not a sample: %r' % (no, line))
        name, lab, value, ts = m.groups()
        labels = []
        if lab:
            pos = 0
            while pos < len(lab):
                lm = LABEL.match(lab, pos)
                if not lm:
                    fail('line %d: bad labels: %r' % (no, lab))
                labels.append((lm.group(1), om_unescape(lm.group(2))))
                pos = lm.end()
                if pos < len(lab):
                    if lab[pos] != ',':
                        fail('line %d: bad labels: %r' % (no, lab))
                    pos += 1
        out.append((name, tuple(sorted(labels)), int(ts), value, no))
    return lines, out


def om_rules(path):
    lines, items = om_samples(path)
    if not lines or lines[-1] != '# EOF':
        fail('# EOF is not the last line')
    if '# EOF' in lines[:-1]:
        fail('# EOF before the end')
    if any(l.strip() == '' for l in lines):
        fail('a blank line')
    families, current, seen_fam = {}, None, set()
    last = {}
    seen_series_done = set()
    prev_key = None
    for it in items:
        if it[0] == '#':
            parts = it[1].split(' ')
            if parts[1] in ('TYPE', 'UNIT', 'HELP'):
                fam = parts[2]
                if not NAME.match(fam):
                    fail('bad family name %r' % fam)
                if fam != current:
                    if fam in seen_fam:
                        fail('family %s not contiguous' % fam)
                    seen_fam.add(fam)
                    current = fam
                    families[fam] = {}
                if parts[1] == 'TYPE':
                    if parts[3] not in ('gauge', 'counter', 'unknown'):
                        fail('type %r' % parts[3])
                    families[fam]['type'] = parts[3]
                if parts[1] == 'UNIT':
                    if not fam.endswith('_' + parts[3]):
                        fail('# UNIT %s on %s' % (parts[3], fam))
            continue
        name, labels, ts, value, no = it
        if not NAME.match(name):
            fail('line %d: bad metric name %r' % (no, name))
        typ = families.get(current, {}).get('type')
        want = current + '_total' if typ == 'counter' else current
        if name != want:
            fail('line %d: %s in family %s (%s)' % (no, name, current, typ))
        ld = dict(labels)
        if 'instance' not in ld or ld.get('job') != 'memtrail':
            fail('line %d: no instance or job label' % no)
        # integers, but the pressure's seconds and percentages: exact decimals
        exact = r'^-?\d+\.\d+$' if 'pressure_memory' in name else r'^-?\d+$'
        if not re.match(exact, value):
            fail('line %d: value %r is not an integer (or, pressure, a decimal)' % (no, value))
        if ts < 10**9 or ts > 10**10:
            fail('line %d: timestamp %d is not in seconds' % (no, ts))
        key = (name, labels)
        if key != prev_key:
            if key in seen_series_done:
                fail('line %d: series %r not contiguous' % (no, key))
            if prev_key is not None:
                seen_series_done.add(prev_key)
            prev_key = key
        if key in last and ts <= last[key]:
            fail('line %d: time %d not after %d in %r' % (no, ts, last[key], key))
        last[key] = ts


def om_count(path, n):
    _, items = om_samples(path)
    got = sum(1 for it in items if it[0] != '#')
    if got != int(n):
        fail('%d samples, promtool imported %s' % (got, n))


def go_unquote(v):
    return re.sub(r'\\(.)', lambda m: {'n': '\n', 't': '\t', 'r': '\r'}.get(m.group(1), m.group(1)), v)


def om_vs_dump(path, dump):
    _, items = om_samples(path)
    mine = {}
    for it in items:
        if it[0] == '#':
            continue
        name, labels, ts, value, _ = it
        mine[(name, labels, ts * 1000)] = float(value)
    theirs = {}
    with open(dump, encoding='utf-8') as f:
        for line in f:
            m = re.match(r'^\{(.*)\} (\S+) (\d+)$', line.rstrip('\n'))
            if not m:
                fail('dump line %r' % line)
            labels = dict((k, go_unquote(v)) for k, v in LABEL.findall(m.group(1)))
            name = labels.pop('__name__')
            theirs[(name, tuple(sorted(labels.items())), int(m.group(3)))] = float(m.group(2))
    if mine != theirs:
        a, b = set(mine) - set(theirs), set(theirs) - set(mine)
        diff = [k for k in set(mine) & set(theirs) if mine[k] != theirs[k]]
        fail('export %d samples, dump %d; only exported %r; only dumped %r; values differ %r'
             % (len(mine), len(theirs), list(a)[:3], list(b)[:3], diff[:3]))


# ---- InfluxDB line protocol, per the spec:
# measurement(,tagkey=tagvalue)* fieldkey=fieldvalue(,fieldkey=fieldvalue)* timestamp
def lp_token(s, pos, stops):
    """Reads up to an unescaped char of STOPS; a backslash escapes the next char."""
    out = []
    while pos < len(s) and s[pos] not in stops:
        if s[pos] == '\\' and pos + 1 < len(s) and s[pos + 1] in ',= \\':
            out.append(s[pos + 1])
            pos += 2
        else:
            out.append(s[pos])
            pos += 1
    return ''.join(out), pos


def lp_parse(line):
    meas, pos = lp_token(line, 0, ', ')
    tags = {}
    while line[pos] == ',':
        k, pos = lp_token(line, pos + 1, '=')
        v, pos = lp_token(line, pos + 1, ', ')
        if not k or not v:
            raise ValueError('empty tag key or value')
        tags[k] = v
    if line[pos] != ' ':
        raise ValueError('no space after tags')
    pos += 1
    fields = {}
    while True:
        k, pos = lp_token(line, pos, '=')
        pos += 1
        if line[pos] == '"':
            pos += 1
            out = []
            while line[pos] != '"':
                if line[pos] == '\\' and line[pos + 1] in '"\\':
                    out.append(line[pos + 1])
                    pos += 2
                else:
                    out.append(line[pos])
                    pos += 1
            pos += 1
            fields[k] = ''.join(out)
        else:
            m = re.compile(r'(-?\d+)i').match(line, pos)
            if not m:
                raise ValueError('field %s: not an integer with i' % k)
            fields[k] = int(m.group(1))
            pos = m.end()
        if line[pos] == ',':
            pos += 1
            continue
        if line[pos] != ' ':
            raise ValueError('no space before the timestamp')
        break
    ts = line[pos + 1:]
    if not re.match(r'^\d{10}$', ts):
        raise ValueError('timestamp %r is not in seconds' % ts)
    return meas, tags, fields, int(ts)


def influx(path, longcsv):
    rows = {}
    with open(path, encoding='utf-8') as f:
        for no, line in enumerate(f, 1):
            line = line.rstrip('\n')
            try:
                meas, tags, fields, ts = lp_parse(line)
            except (ValueError, IndexError) as e:
                fail('line %d: %s: %r' % (no, e, line))
            if list(tags) != sorted(tags):
                fail('line %d: tags not sorted' % no)
            for k, v in fields.items():
                if isinstance(v, int):
                    key = (ts, meas.replace('memtrail_', '') + '.' + k, tags.get('node', ''),
                           tags.get('device', ''), tags.get('pid', ''))
                    if key in rows:
                        fail('line %d: duplicate %r' % (no, key))
                    rows[key] = v
    want = {}
    with open(longcsv, newline='', encoding='utf-8', errors='surrogateescape') as f:
        for r in csv.DictReader(f):
            want[(int(r['epoch']), r['metric'], r['node'], r['device'], r['pid'])] = int(r['value'])
    if rows != want:
        fail('influx %d values, long CSV %d; differ: %r' % (len(rows), len(want),
             [k for k in set(rows) ^ set(want)][:3]))


def long_vs_wide(longcsv, widecsv):
    pairs = {'kbmemfree': 'meminfo.MemFree', 'kbavail': 'meminfo.MemAvailable',
             'kbbuffers': 'meminfo.Buffers', 'kbcached': 'meminfo.Cached',
             'kbcommit': 'meminfo.Committed_AS', 'kbactive': 'meminfo.Active',
             'kbinact': 'meminfo.Inactive', 'kbdirty': 'meminfo.Dirty',
             'kbswpfree': 'meminfo.SwapFree', 'kbswpcad': 'meminfo.SwapCached'}
    long = {}
    with open(longcsv, newline='', encoding='utf-8', errors='surrogateescape') as f:
        rd = csv.reader(f)
        if next(rd) != ['timestamp', 'local_time', 'epoch', 'host', 'metric', 'node', 'device', 'pid',
                        'comm', 'value']:
            fail('long CSV header')
        for r in rd:
            long[(int(r[2]), r[4])] = int(r[9])
    n = 0
    with open(widecsv, newline='') as f:
        for r in csv.DictReader(f):
            for col, metric in pairs.items():
                if col in r:
                    got = long.get((int(r['epoch']), metric))
                    if got != int(r[col]):
                        fail('%s at %s: wide %s, long %r' % (col, r['epoch'], r[col], got))
                    n += 1
    if n < 10:
        fail('only %d values compared' % n)


def odd(name_hex, om, infl, longcsv):
    raw = bytes.fromhex(name_hex)
    # OpenMetrics and InfluxDB: bytes outside UTF-8 as their Latin-1 reading
    def latin(b):
        out, i = [], 0
        while i < len(b):
            for n in (4, 3, 2, 1):
                try:
                    out.append(b[i:i + n].decode('utf-8'))
                    i += n
                    break
                except UnicodeDecodeError:
                    continue
            else:
                out.append(chr(b[i]))
                i += 1
        return ''.join(out)
    want = latin(raw)
    _, items = om_samples(om)
    if not any(dict(it[1]).get('comm') == want for it in items if it[0] != '#'):
        fail('OpenMetrics: comm %r not found' % want)
    found = False
    with open(infl, encoding='utf-8') as f:
        for line in f:
            meas, tags, fields, ts = lp_parse(line.rstrip('\n'))
            found = found or tags.get('comm') == want.replace('\n', '\\n').replace('\r', '\\r')
    if not found:
        fail('influx: comm %r not found' % want)
    with open(longcsv, newline='', encoding='utf-8', errors='surrogateescape') as f:
        names = {r['comm'].encode('utf-8', 'surrogateescape') for r in csv.DictReader(f)}
    if raw not in names:
        fail('long CSV: comm %r not found in %r' % (raw, list(names)[:5]))


cmd = sys.argv[1]
{'om-rules': om_rules, 'om-count': om_count, 'om-vs-dump': om_vs_dump, 'influx': influx,
 'long-vs-wide': long_vs_wide, 'odd': odd}[cmd](*sys.argv[2:])
