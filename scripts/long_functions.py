#!/usr/bin/env python3
"""Functions in src/ longer than a limit, test modules left out.

    python3 scripts/long_functions.py [LIMIT]

Counts from each `fn` line to the closing brace at its indentation (rustfmt'd
code), prints the longest first, and exits 1 if there is any.
"""
import os
import re
import sys

LIMIT = int(sys.argv[1]) if len(sys.argv) > 1 else 80
SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
FN = re.compile(r"^(\s*)(pub(\([a-z]+\))? )?(async )?fn (\w+)")

found = []
for root, _, files in os.walk(SRC):
    for f in files:
        if not f.endswith(".rs"):
            continue
        path = os.path.join(root, f)
        lines = open(path, encoding="utf-8").read().split("\n")
        end = next((i for i, l in enumerate(lines) if l.startswith("#[cfg(test)]")), len(lines))
        for i, line in enumerate(lines[:end]):
            m = FN.match(line)
            if not m:
                continue
            indent = m.group(1)
            j = next(
                (k for k in range(i + 1, end) if lines[k].startswith(indent + "}") and not lines[k][len(indent)].isspace()),
                end - 1,
            )
            if j - i + 1 > LIMIT:
                found.append((j - i + 1, os.path.relpath(path, os.path.dirname(SRC)), m.group(5)))
for n, path, name in sorted(found, reverse=True):
    print(f"{n:>4}  {path}  {name}")
print(f"{len(found)} function(s) over {LIMIT} lines")
sys.exit(1 if found else 0)
