# SPDX-License-Identifier: GPL-2.0-or-later
# Checks for tests/hostile/run.sh.  python3 check.py KIND ARGS...; prints
# what is wrong and exits 1, or exits 0 silently.
#   text FILE...        no control character (but LF), no DEL, no C1, no bidi
#                       override, line separator or noncharacter; valid UTF-8
#   shown FILE TEXT...  each TEXT (Python escapes) appears in FILE
#   xlsx CSV XLSX       LibreOffice's reading of CSV: no formula, text stays
#                       text, numbers numbers, local_time a date-time
#   json FILE           the hostile names come back byte for byte
import codecs, csv, datetime, json, re, sys, zipfile
from xml.etree import ElementTree as ET

NS = {'m': 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'}
# process text, which a spreadsheet must never evaluate
TEXT_COLUMNS = ('comm', 'cmdline', 'host')
# a spreadsheet's date-time: the column of the epoch it shows
LOCAL_TIMES = {'local_time': 'epoch', 'start_local': 'start_epoch'}
errors = []


def text(paths):
    for path in paths:
        data = open(path, 'rb').read()
        try:
            s = data.decode('utf-8')
        except UnicodeDecodeError as e:
            errors.append('%s: not UTF-8: %s' % (path, e))
            s = data.decode('utf-8', 'replace')
        for lineno, line in enumerate(s.split('\n'), 1):
            # sar's banner has its tabs: "Linux 6.1.0 (host) \t12/01/26 \t_x86_64_\t(2 CPU)"
            banner = re.match(r'\S+ \S+ \(.*\) \t.* \t_.*_\t\(\d+ CPU\)$', line)
            bad = [c for c in line if (ord(c) < 0x20 and not (c == '\t' and banner)) or 0x7f <= ord(c) <= 0x9f
                   or c in '\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069'
                   or 0xfdd0 <= ord(c) <= 0xfdef or (ord(c) & 0xfffe) == 0xfffe]
            if bad:
                errors.append('%s:%d: control characters %r in %r' % (path, lineno, bad, line))


def shown(path, wanted):
    s = open(path, 'rb').read().decode('utf-8', 'replace')
    for w in wanted:
        w = codecs.decode(w, 'unicode_escape')
        if w not in s:
            errors.append('%s: %r not shown' % (path, w))


def sheet(xlsx):
    """Rows of (type, style, value text, has formula) cells, by column letter."""
    z = zipfile.ZipFile(xlsx)
    strings = []
    if 'xl/sharedStrings.xml' in z.namelist():
        for si in ET.fromstring(z.read('xl/sharedStrings.xml')).findall('m:si', NS):
            strings.append(''.join(t.text or '' for t in si.iter('{%s}t' % NS['m'])))
    styles = ET.fromstring(z.read('xl/styles.xml'))
    fmts = {n.get('numFmtId'): n.get('formatCode') for n in styles.iter('{%s}numFmt' % NS['m'])}
    xfs = [fmts.get(x.get('numFmtId'), x.get('numFmtId'))
           for x in styles.find('m:cellXfs', NS).findall('m:xf', NS)]
    rows = []
    for row in ET.fromstring(z.read('xl/worksheets/sheet1.xml')).iter('{%s}row' % NS['m']):
        cells = {}
        for c in row.findall('m:c', NS):
            col = re.match('[A-Z]+', c.get('r')).group(0)
            v = c.find('m:v', NS)
            t = c.get('t', 'n')
            val = v.text if v is not None else ''
            if t == 's':
                val = strings[int(val)]
            cells[col] = (t, xfs[int(c.get('s', '0'))], val, c.find('m:f', NS) is not None)
        rows.append(cells)
    return rows


def letters(n):
    s = ''
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def xlsx(csv_path, xlsx_path):
    with open(csv_path, newline='', encoding='utf-8', errors='surrogateescape') as f:
        records = list(csv.reader(f))
    head = records[0]
    rows = sheet(xlsx_path)
    if len(rows) < len(records):
        errors.append('%s: %d rows read back of %d' % (xlsx_path, len(rows), len(records)))
        return
    risky = 0
    if 'timestamp' in head and 'local_time' not in head:
        errors.append('%s: a timestamp column but no local_time column' % csv_path)
    if 'start' in head and 'start_local' not in head:
        errors.append('%s: a start column but no start_local column' % csv_path)
    for r, rec in enumerate(records[1:], 1):
        for i, field in enumerate(rec):
            col = head[i]
            t, fmt, val, formula = rows[r].get(letters(i), ('', '', '', False))
            where = '%s row %d %s=%r' % (csv_path, r, col, field)
            if formula:
                errors.append('%s: became a formula' % where)
            if col in TEXT_COLUMNS:
                risky += field.startswith("'")
                if field and t not in ('s', 'inlineStr'):
                    errors.append('%s: read back as type %s, %r' % (where, t, val))
            elif col in LOCAL_TIMES:
                if t != 'n' or 'yy' not in fmt.lower() or 'hh' not in fmt.lower():
                    errors.append('%s: not a date-time: type %s format %r' % (where, t, fmt))
                    continue
                epoch = int(rec[head.index(LOCAL_TIMES[col])])
                local = datetime.datetime.fromtimestamp(epoch)
                serial = (local - datetime.datetime(1899, 12, 30)).total_seconds() / 86400
                if abs(float(val) - serial) > 0.5 / 86400:
                    errors.append('%s: date-time %s is not the epoch %d' % (where, val, epoch))
            elif re.fullmatch(r'-?[0-9]+(\.[0-9]+)?', field) and t != 'n':
                errors.append('%s: a number read back as type %s' % (where, t))
    if 'comm' in head and not risky:
        errors.append('%s: no formula-like name was written at all' % csv_path)


def json_exact(path, names):
    data = json.load(open(path, 'rb'))['memtrail']['rows']
    comms = {r.get('comm') for r in data}
    for n in names:
        # JSON keeps valid UTF-8 as is and writes stray bytes as their Latin-1 reading
        want = bytes.fromhex(n).decode('utf-8', 'surrogateescape')
        want = ''.join(chr(ord(c) - 0xdc00) if 0xdc80 <= ord(c) <= 0xdcff else c for c in want)
        if want not in comms:
            errors.append('%s: comm %r not kept exactly (%r)' % (path, want, sorted(c for c in comms if c)))


kind, args = sys.argv[1], sys.argv[2:]
if kind == 'text':
    text(args)
elif kind == 'shown':
    shown(args[0], args[1:])
elif kind == 'xlsx':
    xlsx(args[0], args[1])
elif kind == 'json':
    json_exact(args[0], args[1:])
for e in errors[:20]:
    print(e)
sys.exit(1 if errors else 0)
