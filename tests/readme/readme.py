#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Runs or checks every code block of README.md, and the EXAMPLES of the man
pages, so that they cannot drift from the program (tests/readme/run.sh starts
it in a private mount namespace).

Every block (indented by four spaces after a blank line, or fenced with ```)
is one of these; anything else fails the test as "not classified":

- a block of commands (the default).  Each command (a line, `\\` joins lines,
  `&&` and `;` separate commands) is classified by its program:
    memreport, memcollect, sqlite3, promtool   run in a scratch directory,
        with /var/log/memtrail an archive directory the real memcollect
        filled (yesterday's and today's files); must exit 0 and trip no
        sanitizer.  `memcollect --watch`, which runs until stopped, must
        say that it is asleep within 20 s, and exit 0 on SIGTERM.  A block with `$ ` prompts is a transcript: the lines
        after a command are its output, checked for shape (its first line
        exactly, the others by their count of `|` and `,`).
    make demo                run, in the scratch directory, with the programs
                             under test
    make install ...         run with DESTDIR= a scratch directory
    systemctl enable UNITS   run as `systemctl --root=DESTDIR enable` on what
                             make install put there (--now dropped)
    make deps                dry run (it would install packages); the README's
                             package table is compared with the Makefile's lists
    make check               dry run (it is what runs this test)
    make deb                 dry run (tests/package builds it); the file name
                             in its comment must be the one make deb writes
    apt|apt-get install ./X.deb, dpkg -i X.deb   the pattern must match the
                             file make deb writes (tests/package installs it)
    sudo ...                 fails: a minimal Debian has no sudo; say "as root"
- a synopsis (`memcollect [ ...`, `memreport [ ...`): must equal the program's
  own usage line;
- after `<!-- output: KIND -->`: an example of an output, checked for shape
  against the real output of the same kind (influx, csv-long);
- after `<!-- not run: REASON -->`: shown, not run, for the reason given.
The marker comment stands on the line before the block's blank line.
"""
import csv
import io
import os
import re
import shlex
import signal
import subprocess
import sys
import time

ROOT = os.environ["ROOT"]
WORK = os.environ["WORK"]
MC = os.environ["MC"]
MR = os.environ["MR"]
FAKETIME_LIB = os.environ.get("FAKETIME_LIB", "")
ARCHIVE_DIR = "/var/log/memtrail"
RUN = os.path.join(WORK, "run")      # the commands' working directory
DEST = os.path.join(WORK, "dest")    # make install's DESTDIR
SANITIZER = re.compile(r"AddressSanitizer|runtime error:|LeakSanitizer")

failures = 0


def ok(name):
    print(f"ok - {name}", flush=True)


def not_ok(name, *details):
    global failures
    failures += 1
    print(f"not ok - {name}")
    for d in details:
        for line in str(d).splitlines():
            print(f"  {line}")
    sys.stdout.flush()


def check(name, good, *details):
    if good:
        ok(name)
    else:
        not_ok(name, *details)


def sh(cmd, cwd=RUN, timeout=600, env=None):
    """Runs CMD with bash; (status, stdout, stderr) as text."""
    try:
        p = subprocess.run(["bash", "-uc", cmd], cwd=cwd, capture_output=True, timeout=timeout,
                           env=env)
    except subprocess.TimeoutExpired:
        return 124, "", f"timed out after {timeout} s"
    return (p.returncode, p.stdout.decode("utf-8", "surrogateescape"),
            p.stderr.decode("utf-8", "surrogateescape"))


def make_vars():
    """DEPS_BUILD and DEPS_TEST as the Makefile sets them."""
    rc, out, err = sh("make -s --no-print-directory -f Makefile "
                      "--eval='print-deps: ; @echo $(DEPS_BUILD) $(DEPS_TEST)' print-deps",
                      cwd=ROOT)
    return out.split() if rc == 0 else None


# ---------------------------------------------------------------- the README

class Block:
    def __init__(self, line, lines, marker):
        self.line = line        # 1-based line of its first line
        self.lines = lines      # without the indentation
        self.marker = marker    # ("not run"|"output", text) or None


MARKER = re.compile(r"^\s*<!--\s*(not run|output):\s*(.*?)\s*-->\s*$")
CODE = re.compile(r"^( {4,})\S")


def indented_end(lines, i, indent):
    """The line after the indented block at I: blank lines inside it are its own."""
    inside = lambda k: k < len(lines) and lines[k].startswith(" " * indent) and lines[k].strip()
    j = i
    while inside(j) or (j < len(lines) and not lines[j].strip() and inside(j + 1)):
        j += 1
    return j


def blocks(text):
    """The code blocks of Markdown TEXT, with the marker comment before each."""
    lines = text.split("\n")
    found = []
    i = 0

    def marker_before(i):
        j = i - 1
        while j >= 0 and lines[j].strip() == "":
            j -= 1
        m = MARKER.match(lines[j]) if j >= 0 else None
        return (m.group(1), m.group(2)) if m else None

    while i < len(lines):
        line = lines[i]
        if line.lstrip().startswith("```"):
            j = i + 1
            while j < len(lines) and not lines[j].lstrip().startswith("```"):
                j += 1
            found.append(Block(i + 2, lines[i + 1:j], marker_before(i)))
            i = j + 1
            continue
        m = CODE.match(line)
        if m and (i == 0 or lines[i - 1].strip() == ""):
            indent = len(m.group(1))
            j = indented_end(lines, i, indent)
            found.append(Block(i + 1, [l[indent:] for l in lines[i:j]], marker_before(i)))
            i = j
            continue
        i += 1
    return found


def table_after(text, header):
    """The rows (lists of cells) of the Markdown table whose header row is HEADER."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if re.sub(r"\s+", " ", line.strip()) == header:
            rows = []
            for row in lines[i + 2:]:
                if not row.strip().startswith("|"):
                    break
                rows.append([c.strip() for c in row.strip().strip("|").split("|")])
            return rows
    return None


# ---------------------------------------------------------------- commands

def logical_lines(lines):
    """Joins `\\` continuations; returns (line offset, text) pairs."""
    out, buf, start = [], "", 0
    for k, line in enumerate(lines):
        if not buf:
            start = k
        if line.rstrip().endswith("\\"):
            buf += line.rstrip()[:-1] + " "
            continue
        out.append((start, buf + line))
        buf = ""
    if buf:
        out.append((start, buf))
    return out


def split_commands(cmd):
    """The commands of one line: `a && b; c` is a, b and c, each classified and run."""
    return [c.strip() for c in re.split(r"\s&&\s|;\s", cmd) if c.strip()]


def words_of(cmd):
    try:
        return shlex.split(cmd, comments=True)
    except ValueError:
        return cmd.split()


def deb_name():
    """The file make deb writes, as build/deb/NAME."""
    rc1, version, _ = sh("dpkg-parsechangelog -S Version", cwd=ROOT)
    rc2, arch, _ = sh("dpkg --print-architecture", cwd=ROOT)
    if rc1 or rc2:
        return None
    return f"build/deb/memtrail_{version.strip()}_{arch.strip()}.deb"


class Runner:
    def __init__(self):
        self.installed = False

    def run_program(self, name, cmd):
        rc, out, err = sh(cmd)
        bad = SANITIZER.search(err)
        check(name, rc == 0 and not bad, f"exit {rc}", err[-2000:])
        return out

    def watch(self, name, cmd):
        """memcollect --watch: started, asleep, then ended by SIGTERM as systemd ends it."""
        log = os.path.join(WORK, "tmp", "watch.err")
        with open(log, "wb") as err:
            p = subprocess.Popen(["bash", "-uc", "exec " + cmd], cwd=RUN, stdout=subprocess.DEVNULL,
                                 stderr=err)
        said = ""
        for _ in range(200):
            said = open(log, encoding="utf-8", errors="replace").read()
            if "asleep" in said or p.poll() is not None:
                break
            time.sleep(0.1)
        p.send_signal(signal.SIGTERM)
        try:
            rc = p.wait(timeout=60)
        except subprocess.TimeoutExpired:
            p.kill()
            rc = p.wait()
        said = open(log, encoding="utf-8", errors="replace").read()
        check(name + " (run until asleep, then SIGTERM)",
              rc == 0 and "asleep" in said and not SANITIZER.search(said),
              f"exit {rc}", said[-2000:])

    def make(self, name, words, comment):
        targets = [w for w in words[1:] if "=" not in w and not w.startswith("-")]
        assigns = [w for w in words[1:] if "=" in w]
        if len(targets) != 1:
            return not_ok(name, "not classified: one make target per command, please")
        target = targets[0]
        if target == "demo":
            # The Makefile's own recipe, with the programs under test as ./memcollect
            # and ./memreport (-o all: they are built already).
            rc, out, err = sh(f"make -f {shlex.quote(ROOT)}/Makefile -o all demo")
            check(name + " (run in a scratch directory)",
                  rc == 0 and not SANITIZER.search(err) and "Average:" in out,
                  f"exit {rc}", out[-1500:], err[-1500:])
        elif target == "install":
            rc, out, err = sh(f"make -s -C {shlex.quote(ROOT)} install "
                              + " ".join(shlex.quote(a) for a in assigns)
                              + f" DESTDIR={shlex.quote(DEST)}")
            self.installed = rc == 0
            check(name + " (run with DESTDIR=a scratch directory)", rc == 0,
                  f"exit {rc}", err[-1500:],
                  "(the tree is read-only here: make all before this test, as make check does)")
        elif target in ("deps", "check", "deb"):
            why = {"deps": "it would install packages; the package table is compared instead",
                   "check": "it is what runs this test",
                   "deb": "tests/package builds and installs the package"}[target]
            rc, out, err = sh(f"make -n -C {shlex.quote(ROOT)} {target} "
                              + " ".join(shlex.quote(a) for a in assigns))
            details = [f"exit {rc}", err[-1000:]]
            good = rc == 0
            if target == "deb":
                said = re.search(r"(\S+\.deb)", comment)
                want = deb_name()
                good = good and said is not None and said.group(1) == want
                details.append(f"comment names {said.group(1) if said else 'no file'}; "
                               f"make deb writes {want}")
            check(name + f" (dry run: {why})", good, *details)
        else:
            not_ok(name, f"not classified: make {target}; teach tests/readme/readme.py "
                   "or mark the block <!-- not run: REASON -->")

    def systemctl(self, name, words):
        units = [w for w in words[2:] if not w.startswith("-")]
        if len(words) < 3 or words[1] != "enable" or not units:
            return not_ok(name, "not classified: only `systemctl enable [--now] UNIT...` is known")
        if not self.installed:
            return not_ok(name, "systemctl enable shown before a successful make install")
        rc, out, err = sh("systemctl --root=" + shlex.quote(DEST) + " enable "
                          + " ".join(shlex.quote(u) for u in units))
        missing = [u for u in units
                   if not os.path.islink(os.path.join(DEST, "etc/systemd/system/timers.target.wants", u))
                   and not os.path.islink(os.path.join(DEST, "etc/systemd/system/multi-user.target.wants", u))]
        check(name + " (run as systemctl --root=DESTDIR enable)", rc == 0 and not missing,
              f"exit {rc}", err[-1000:], f"not enabled: {missing}")

    def package_install(self, name, words):
        debs = [w for w in words[1:] if w.endswith(".deb")]
        want = deb_name()
        good = (len(debs) == 1 and want is not None
                and re.fullmatch(re.escape(debs[0]).replace(r"\*", "[^/]*"), "./" + want))
        check(name + " (checked: names the file make deb writes; tests/package installs it)",
              good, f"shown: {debs}; make deb writes ./{want}")

    def command(self, name, cmd, comment):
        words = words_of(cmd)
        if not words:
            return
        prog = words[0]
        if prog == "sudo":
            not_ok(name, "a minimal Debian has no sudo: show the command as root runs it, "
                   "and say \"as root\"")
        elif prog == "memcollect" and "--watch" in words:
            self.watch(name, cmd)
        elif prog in ("memreport", "memcollect", "sqlite3", "promtool"):
            self.run_program(name, cmd)
        elif prog == "make":
            self.make(name, words, comment)
        elif prog == "systemctl":
            self.systemctl(name, words)
        elif prog in ("apt", "apt-get") and "install" in words or prog == "dpkg" and "-i" in words:
            self.package_install(name, words)
        else:
            not_ok(name, f"not classified: `{prog}`; teach tests/readme/readme.py to run it, "
                   "or mark the block <!-- not run: REASON -->")

    def transcript(self, block):
        """`$ command` lines, each followed by its output."""
        parts, cur = [], None
        for k, line in enumerate(block.lines):
            if line.startswith("$ "):
                cur = [k, [line[2:]], []]
                parts.append(cur)
            elif cur and cur[1][-1].rstrip().endswith("\\"):
                cur[1].append(line)
            elif cur:
                cur[2].append(line)
        for k, cmdlines, shown in parts:
            cmd = " ".join(l.rstrip().rstrip("\\") for l in cmdlines)
            name = f"README.md:{block.line + k}: {' '.join(cmd.split())}"
            if words_of(cmd)[0] not in ("memreport", "memcollect", "sqlite3"):
                not_ok(name, "not classified: a transcript of an unknown program")
                continue
            rc, out, err = sh(cmd)
            real = out.rstrip("\n").split("\n")
            problems = []
            if rc != 0 or SANITIZER.search(err):
                problems.append(f"exit {rc}: {err[-1000:]}")
            elif shown:
                if real[0] != shown[0]:
                    problems.append(f"first line shown: {shown[0]!r}, printed: {real[0]!r}")
                if len(real) < len(shown):
                    problems.append(f"{len(shown)} lines shown, {len(real)} printed")
                for s in shown[1:]:
                    r = real[1] if len(real) > 1 else ""
                    if (s.count("|"), s.count(",")) != (r.count("|"), r.count(",")):
                        problems.append(f"shown {s!r} is not shaped like printed {r!r}")
            check(name + " (transcript: run, output's shape checked)", not problems, *problems)

    def block(self, block):
        first = block.lines[0].strip() if block.lines else ""
        if block.marker and block.marker[0] == "not run":
            if block.marker[1]:
                print(f"# README.md:{block.line}: not run: {block.marker[1]}")
            else:
                not_ok(f"README.md:{block.line}: <!-- not run: --> gives no reason")
            return
        if block.marker and block.marker[0] == "output":
            return output_example(block)
        if re.match(r"^(memcollect|memreport) \[", first) and len(block.lines) == 1:
            return synopsis(block)
        if any(l.startswith("$ ") for l in block.lines):
            return self.transcript(block)
        for k, text in logical_lines(block.lines):
            # a comment may say `(the default); DESTDIR=`: it goes before the split
            comment = re.search(r"(?:^|\s)#(.*)$", text)
            for cmd in split_commands(text[:comment.start()] if comment else text):
                self.command(f"README.md:{block.line + k}: {' '.join(cmd.split())}", cmd,
                             comment.group(1) if comment else "")


ROFF = {r"\-": "-", r"\(aq": "'", r"\(dq": '"', r"\e": "\\", r"\&": ""}


def man_examples(runner, page):
    """The man page's EXAMPLES (.nf to .fi), run as the README's commands are."""
    lines = open(os.path.join(ROOT, "man", page)).read().split("\n")
    inside = in_nf = False
    for n, line in enumerate(lines, 1):
        if line.startswith(".SH"):
            inside = line.strip() == ".SH EXAMPLES"
        elif inside and line.startswith(".nf"):
            in_nf = True
        elif inside and line.startswith(".fi"):
            in_nf = False
        elif inside and in_nf and line.strip():
            cmd = re.sub(r"\\(-|\(aq|\(dq|e|&)", lambda m: ROFF["\\" + m.group(1)], line)
            name = f"man/{page}:{n}: {cmd}"
            if "\\" in cmd:
                not_ok(name, "not classified: a roff escape tests/readme/readme.py does not know")
            else:
                runner.command(name, cmd, "")


def synopsis(block):
    prog = block.lines[0].split()[0]
    binary = MC if prog == "memcollect" else MR
    rc, out, err = sh(f"{shlex.quote(binary)} --help")
    usage = [l for l in (out + err).split("\n") if l.lower().startswith("usage:")]
    norm = lambda s: re.sub(r"\s+", " ", s).strip()
    want = norm(block.lines[0])
    got = norm(re.sub(r"^usage:\s*", "", usage[0], flags=re.I)) if usage else ""
    check(f"README.md:{block.line}: synopsis of {prog} is its usage line", got == want,
          f"README: {want}", f"{prog} --help: {got}")


# ---------------------------------------------------------------- example outputs

def influx_shape(line):
    """(measurement, tag keys, field keys) of a line-protocol line."""
    head, _, rest = line.partition(" ")
    fields = rest.rsplit(" ", 1)[0]
    parts = head.split(",")
    tags = frozenset(p.split("=", 1)[0] for p in parts[1:])
    keys = set()
    for f in re.split(r",(?=[^,=\"]+=)", fields):
        if "=" in f:
            keys.add(f.split("=", 1)[0])
    return parts[0], tags, keys


def check_influx(block):
    rc, out, err = sh(f"memreport --format=influx -f {ARCHIVE_DIR}")
    real = [influx_shape(l) for l in out.split("\n") if l]
    problems = [f"memreport --format=influx: exit {rc}: {err[-500:]}"] if rc else []
    for shown in block.lines:
        m, tags, keys = influx_shape(shown)
        if not re.search(r" \d{10}$", shown):
            problems.append(f"no epoch seconds at the end: {shown}")
        if not any(rm == m and rt == tags and keys <= rk for rm, rt, rk in real):
            problems.append(f"no line of {m} with tags {sorted(tags)} and fields {sorted(keys)}")
    return problems


def check_csv_long(block):
    rc, out, err = sh(f"memreport --format=csv-long -f {ARCHIVE_DIR}")
    real = list(csv.reader(io.StringIO(out)))
    problems = [f"memreport --format=csv-long: exit {rc}: {err[-500:]}"] if rc or not real else []
    if problems:
        return problems
    shown = list(csv.reader(io.StringIO("\n".join(block.lines))))
    if shown[0] != real[0]:
        problems.append(f"header shown: {shown[0]}, printed: {real[0]}")
    metrics = {r[4] for r in real[1:] if len(r) > 4}
    for row in shown[1:]:
        if len(row) != len(real[0]):
            problems.append(f"{len(row)} columns, not {len(real[0])}: {row}")
        elif row[4] not in metrics:
            problems.append(f"no metric {row[4]} in the real output")
        elif not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", row[0]) \
                or not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", row[1]) \
                or not row[2].isdigit():
            problems.append(f"times not shaped as printed ({real[1][:3]}): {row[:3]}")
    return problems


OUTPUTS = {"influx": check_influx, "csv-long": check_csv_long}


def output_example(block):
    kind = block.marker[1]
    name = f"README.md:{block.line}: example {kind} output has the real output's shape"
    if kind not in OUTPUTS:
        return not_ok(name, f"not classified: no checker for output kind {kind!r} "
                      f"(known: {', '.join(OUTPUTS)})")
    problems = OUTPUTS[kind](block)
    check(name, not problems, *problems)


# ---------------------------------------------------------------- whole-README checks

def check_deps(text):
    rows = table_after(text, "| package | what needs it |")
    want = make_vars()
    shown = []
    for row in rows or []:
        shown += re.findall(r"`([^`]+)`", row[0])
    missing = sorted(set(want or []) - set(shown))
    extra = sorted(set(shown) - set(want or []))
    check("README's make deps table lists exactly DEPS_BUILD and DEPS_TEST",
          rows is not None and want and not missing and not extra
          and len(shown) == len(set(shown)),
          "no table with the header | package | what needs it |" if rows is None else "",
          f"missing from the README: {missing}", f"not in the Makefile: {extra}")


def check_tables(text):
    schema = set()
    for f in sorted(os.listdir(os.path.join(ROOT, "schema"))):
        if f.endswith(".sql"):
            sql = open(os.path.join(ROOT, "schema", f)).read()
            sql = re.sub(r"--[^\n]*", "", sql)
            schema |= set(re.findall(r"CREATE\s+(?:TABLE|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)",
                                     sql, re.I))
    rows = table_after(text, "| table | what it holds |")
    shown = {m for row in rows or [] for m in re.findall(r"^`(\w+)`$", row[0])}
    check("README's table list names every table and view of schema/*.sql, and no other",
          rows is not None and schema and shown == schema,
          f"schema: {sorted(schema)}", f"README: {sorted(shown)}")


def check_exit_statuses(text):
    src = open(os.path.join(ROOT, "collector/memcollect.c")).read()
    enum = re.search(r"enum exit_code\s*\{([^}]*)\}", src)
    codes = sorted(set(re.findall(r"=\s*(\d+)", enum.group(1)))) if enum else []
    section = text.split("## memcollect", 1)[-1].split("\n## ", 1)[0]
    rows = table_after(section, "| status | meaning |") or []
    readme = sorted(r[0] for r in rows)
    man = open(os.path.join(ROOT, "man/memcollect.8")).read()
    man_section = man.split(".SH EXIT STATUS", 1)[-1].split(".SH ", 1)[0]
    man_codes = sorted(set(re.findall(r"^\.B (\d+)$", man_section, re.M)))
    check("memcollect's exit statuses (enum exit_code) are each documented in README and "
          "memcollect(8)", codes and readme == codes and man_codes == codes,
          f"memcollect.c: {codes}", f"README: {readme}", f"memcollect(8): {man_codes}")


def check_no_decisions(text):
    hits = [f"README.md: {l.strip()}" for l in text.split("\n") if re.search(r"decision \d", l, re.I)]
    for page in ("man/memcollect.8", "man/memreport.1"):
        for l in open(os.path.join(ROOT, page)):
            if re.search(r"decision \d", l, re.I):
                hits.append(f"{page}: {l.strip()}")
    check("README and man pages explain reasons rather than cite the team's numbered decisions",
          not hits, *hits)


# ---------------------------------------------------------------- the archive the commands read

def collect_archive():
    """Yesterday's and today's day files in /var/log/memtrail, by the real memcollect
    (faketime for the past), so that -1, -s 04:39 and -f DIR all find samples."""
    os.makedirs(ARCHIVE_DIR, exist_ok=True)
    problems = []
    _, yesterday, _ = sh("date -d yesterday +%F")
    _, today, _ = sh("date +%F")
    times = [f"{yesterday.strip()} 22:0{m}:00" for m in range(3)] + \
            [f"{today.strip()} 04:4{m}:00" for m in range(3)]
    for t in times:
        env = dict(os.environ, LD_PRELOAD=FAKETIME_LIB, FAKETIME="@" + t, FAKETIME_DONT_RESET="1")
        rc, _, err = sh(f"{shlex.quote(MC)} {ARCHIVE_DIR}", env=env)
        if rc != 0:
            problems.append(f"memcollect at {t}: exit {rc}: {err[-500:]}")
    rc, _, err = sh(f"{shlex.quote(MC)} {ARCHIVE_DIR}")
    if rc != 0:
        problems.append(f"memcollect now: exit {rc}: {err[-500:]}")
    check("the archive the README's commands read is collected (yesterday and today)",
          not problems, *problems)


def main():
    # README: another file to check, for trying the checks out on a changed copy
    text = open(os.environ.get("README", os.path.join(ROOT, "README.md")), encoding="utf-8").read()
    os.makedirs(RUN, exist_ok=True)
    bindir = os.path.join(WORK, "bin")
    os.makedirs(bindir, exist_ok=True)
    for prog, path in (("memcollect", MC), ("memreport", MR)):
        for d in (bindir, RUN):    # RUN: make demo runs ./memcollect and ./memreport
            os.symlink(path, os.path.join(d, prog))
    os.environ["PATH"] = bindir + ":" + os.environ["PATH"]
    os.environ["TMPDIR"] = os.path.join(WORK, "tmp")    # / is read-only (run.sh)
    os.makedirs(os.environ["TMPDIR"], exist_ok=True)
    collect_archive()

    check_deps(text)
    check_tables(text)
    check_exit_statuses(text)
    check_no_decisions(text)
    runner = Runner()
    for block in blocks(text):
        runner.block(block)
    for page in ("memreport.1", "memcollect.8"):
        man_examples(runner, page)
    return 0


if __name__ == "__main__":
    sys.exit(main())
