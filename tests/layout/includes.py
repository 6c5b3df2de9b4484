#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The include graph of memreport's sources (tests/layout/run.sh).

Each header belongs to the .c files that define what it declares (its
functions and extern variables); a .c file depends on the owners of every
header it includes, directly or through other headers.  Prints one line per
finding and exits 1 when there is any:
  cycle: a.c b.c ...          (files that import each other, directly or not)
  shared: x.h defined by a.c b.c   (one header, several implementations: a
                                    renderer dispatched through its helpers' header)
  undefined: x.h declares f, which no .c file defines
Usage: includes.py REPORT_DIR
"""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
IDENT = re.compile(r'[A-Za-z_]\w*')


def strip(text):
    """TEXT without comments, string and character literals, preprocessor lines."""
    text = re.sub(r'/\*.*?\*/', ' ', text, flags=re.S)
    text = re.sub(r'//[^\n]*', ' ', text)
    text = re.sub(r'"(\\.|[^"\\\n])*"', '""', text)
    text = re.sub(r"'(\\.|[^'\\\n])*'", "''", text)
    text = re.sub(r'^\s*#(.*\\\n)*.*$', ' ', text, flags=re.M)
    return text


def top_level(text):
    """TEXT with the inside of every outermost brace pair removed."""
    out, depth = [], 0
    for ch in text:
        if ch == '{':
            if depth == 0:
                out.append(ch)
            depth += 1
        elif ch == '}':
            depth -= 1
            if depth == 0:
                out.append(ch)
        elif depth == 0:
            out.append(ch)
    return ''.join(out)


def name_before_parens(stmt, end):
    """The identifier before the parenthesised group that closes at END."""
    depth = 0
    for i in range(end, -1, -1):
        if stmt[i] == ')':
            depth += 1
        elif stmt[i] == '(':
            depth -= 1
            if depth == 0:
                head = stmt[:i].rstrip()
                m = re.search(r'([A-Za-z_]\w*)$', head)
                return m.group(1) if m else None
    return None


def declared(header_text):
    """The functions and extern variables a header declares."""
    names = set()
    for stmt in top_level(strip(header_text)).split(';'):
        stmt = stmt.strip()
        if not stmt or stmt.startswith('typedef') or '{' in stmt:
            continue
        if stmt.startswith('extern'):
            m = re.search(r'([A-Za-z_]\w*)\s*(\[[^\]]*\])?\s*$', stmt)
            if m:
                names.add(m.group(1))
        elif stmt.endswith(')'):
            name = name_before_parens(stmt, len(stmt) - 1)
            if name:
                names.add(name)
    return names


def defined(source_text):
    """The functions and variables a .c file defines with external linkage."""
    names = set()
    text = top_level(strip(source_text))
    start = 0
    for stmt_end in [m.start() for m in re.finditer(r'[;}]', text)] + [len(text)]:
        stmt = text[start:stmt_end].strip()
        start = stmt_end + 1
        if not stmt or re.match(r'(static|typedef|extern)\b', stmt):
            continue
        m = re.search(r'\)\s*\{$', stmt)
        if m:
            name = name_before_parens(stmt, m.start())
        else:
            m = re.search(r'([A-Za-z_]\w*)\s*(\[[^\]]*\])?\s*=', stmt)
            name = m.group(1) if m else None
        if name:
            names.add(name)
    return names


def scan(root):
    files = {}
    for folder, _, names in os.walk(root):
        for n in names:
            if n.endswith(('.c', '.h')):
                path = os.path.join(folder, n)
                with open(path, encoding='utf-8', errors='replace') as f:
                    files[os.path.relpath(path, root)] = f.read()
    return files


def main():
    root = sys.argv[1]
    files = scan(root)
    by_base = {}
    for path in files:
        by_base.setdefault(os.path.basename(path), []).append(path)
    includes = {p: [h for inc in INCLUDE.findall(t) for h in by_base.get(os.path.basename(inc), [])
                    if h.endswith('.h')] for p, t in files.items()}

    definer = {}
    for path, text in files.items():
        if path.endswith('.c'):
            for name in defined(text):
                definer.setdefault(name, set()).add(path)
    owners = {}
    findings = []
    for path, text in files.items():
        if path.endswith('.h'):
            owners[path] = set()
            for name in sorted(declared(text)):
                if name not in definer:   # also what a parse that missed a definition looks like
                    findings.append('undefined: %s declares %s, which no .c file defines' % (path, name))
                owners[path] |= definer.get(name, set())
            if len(owners[path]) > 1:
                findings.append('shared: %s defined by %s' % (path, ' '.join(sorted(owners[path]))))

    def headers_reached(path):
        seen, todo = set(), list(includes[path])
        while todo:
            h = todo.pop()
            if h not in seen:
                seen.add(h)
                todo.extend(includes[h])
        return seen

    deps = {}
    for path in files:
        if path.endswith('.c'):
            deps[path] = sorted({o for h in headers_reached(path) for o in owners[h]} - {path})

    # Tarjan's strongly connected components: each with more than one file is a cycle.
    index, low, stack, on_stack, comps = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in deps[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            comp = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                comp.append(top)
                if top == node:
                    break
            if len(comp) > 1:
                comps.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for node in sorted(deps):
        if node not in index:
            visit(node)
    for comp in sorted(comps):
        findings.append('cycle: ' + ' '.join(comp) + ' (each imports the others, directly or not)')
    for line in findings:
        print(line)
    return 1 if findings else 0


if __name__ == '__main__':
    sys.exit(main())
