#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Dependencies among the module's files must run one way.

Two graphs, each of which must be acyclic:
  calls:    A.o -> B.o when A calls a function B defines (from nm: the
            undefined text symbols of A that B defines), the module's objects
            only (the KUnit and bench modules test it from outside);
  includes: A.h -> B.h when header A includes "B.h".
Data symbols are left out of the first: the command files name the genetlink
family that lists them (netlink.h says why), which is not a call.

Prints one KTAP line per graph, the cycle found as a diagnostic, and exits 1
on a cycle.  Usage: check-deps.py OBJDIR SRCDIR [N]  (N: first test number)
"""

import os
import re
import subprocess
import sys


def nm(path, *flags):
    out = subprocess.run(["nm", *flags, path], capture_output=True, text=True,
                         check=True).stdout
    return [line.split() for line in out.splitlines() if line.strip()]


def call_graph(objdir, objs):
    defined = {}
    for o in objs:
        for fields in nm(os.path.join(objdir, o), "--defined-only"):
            if len(fields) == 3 and fields[1] in "T":
                defined[fields[2]] = o
    graph = {o: set() for o in objs}
    for o in objs:
        for fields in nm(os.path.join(objdir, o), "--undefined-only"):
            dep = defined.get(fields[-1])
            if dep and dep != o:
                graph[o].add(dep)
    return graph


def include_graph(srcdir):
    headers = sorted(f for f in os.listdir(srcdir) if f.endswith(".h"))
    graph = {}
    for h in headers:
        with open(os.path.join(srcdir, h)) as f:
            graph[h] = {m for m in re.findall(r'^#include "([^"/]+)"', f.read(),
                                              re.M) if m in headers}
    return graph


def find_cycle(graph):
    """A cycle as a list of nodes, or None (depth-first, three colours)."""
    colour = dict.fromkeys(graph, 0)
    stack = []

    def visit(n):
        colour[n] = 1
        stack.append(n)
        for m in sorted(graph[n]):
            if colour[m] == 1:
                return stack[stack.index(m):] + [m]
            if colour[m] == 0:
                c = visit(m)
                if c:
                    return c
        stack.pop()
        colour[n] = 2
        return None

    for n in sorted(graph):
        if colour[n] == 0:
            c = visit(n)
            if c:
                return c
    return None


def main():
    objdir, srcdir = sys.argv[1:3]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    with open(os.path.join(srcdir, "Kbuild")) as f:
        kbuild = f.read()
    m = re.search(r"^nf_ratelimit-y\s*:=\s*((?:.*\\\n)*.*)$", kbuild, re.M)
    objs = m.group(1).replace("\\", " ").split()
    failed = False
    for what, graph in (("calls", call_graph(objdir, objs)),
                        ("includes", include_graph(srcdir))):
        cycle = find_cycle(graph)
        if cycle:
            print(f"# cycle: {' -> '.join(cycle)}")
            failed = True
        print(f"{'not ok' if cycle else 'ok'} {n} lint: no {what} cycle "
              f"among kmod's {len(graph)} files")
        n += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
