#!/usr/bin/env python3
"""Import circles between the modules of src/.

    python3 scripts/import_cycles.py [SRC]

Reads every `crate::a::b` path in src/ (in `use` lines and in code), and draws an
arrow from each file's module to the module it names, at two levels: between the
crate's top modules (`fetch` -> `store`), and between sibling files of one folder
(`fetch::feed` -> `fetch::page`). A file and the modules it declares (a `mod.rs`
and its children) are one module, not a circle. Prints each circle found and
exits 1 if there is any.
"""
import os
import re
import sys

SRC = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "src")
PATH = re.compile(r"\bcrate::((?:[a-z_][a-z0-9_]*::)*[a-z_][a-z0-9_]*)")
SUPER = re.compile(r"\bsuper::([a-z_][a-z0-9_]*)")


def module_of(rel):
    parts = rel[:-3].split(os.sep)
    if parts[-1] in ("mod", "lib", "main"):
        parts = parts[:-1]
    return [p for p in parts if p != "bin"]


def edges():
    out = set()
    for root, _, files in os.walk(SRC):
        for f in files:
            if not f.endswith(".rs"):
                continue
            rel = os.path.relpath(os.path.join(root, f), SRC)
            if rel.startswith("bin" + os.sep):
                continue
            me = module_of(rel)
            text = open(os.path.join(root, f), encoding="utf-8").read()
            text = text.split("#[cfg(test)]")[0]
            targets = [m.split("::") for m in PATH.findall(text)]
            # `super::x` from a child file names a sibling (or the parent's item).
            if f != "mod.rs" and len(me) >= 2:
                targets += [me[:-1] + [m] for m in SUPER.findall(text)]
            for t in targets:
                out.add((tuple(me), tuple(t)))
    return out


def graph(level_edges):
    g = {}
    for a, b in level_edges:
        if a != b:
            g.setdefault(a, set()).add(b)
            g.setdefault(b, set())
    return g


def circles(g):
    """Strongly connected components of more than one node (Tarjan)."""
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = n[0]
        n[0] += 1
        stack.append(v)
        on.add(v)
        for w in g[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in list(g):
        if v not in index:
            visit(v)
    return out


def main():
    all_edges = edges()
    top = {(a[:1], b[:1]) for a, b in all_edges if a[:1] and b[:1]}
    found = [("top modules", c) for c in circles(graph(top))]
    folders = {a[:-1] for a, _ in all_edges if len(a) >= 2}
    for folder in folders:
        d = len(folder)
        sib = {
            (a[: d + 1], b[: d + 1])
            for a, b in all_edges
            if len(a) > d and len(b) > d and a[:d] == folder and b[:d] == folder
        }
        found += [("::".join(folder) or "crate", c) for c in circles(graph(sib))]
    for where, c in found:
        print(f"circle in {where}: " + " <-> ".join("::".join(m) for m in c))
    print(f"{len(found)} import circle(s) in {os.path.normpath(SRC)}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
