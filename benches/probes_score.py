#!/usr/bin/env python3
"""Claim extraction on the team's own probe articles, per language.

    python3 benches/probes_score.py target/debug/claimwire [--bars]

benches/probes/{ar,en,ru}/ hold 30 invented news items each, written by the
team to imitate real reporting (headlines, ledes, attribution in many forms,
lists, parts, traps), with gold by the conventions of ../shared/eval/README.md.
Rules have been tuned on them, so they guard against regressions; the real
corpus (benches/corpus_score.py) is the measure. With --bars, exits 1 below a
bar in BARS (F1, share of hits whose source is right).
"""

import argparse
import glob
import io
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.normpath(os.path.join(HERE, "..", "..", "shared", "eval")))
import score  # noqa: E402  (the project's scorer, kept in ../shared/eval)

BARS = {"ar": (0.86, 0.86), "en": (0.89, 0.91), "ru": (0.87, 0.91)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("claimwire")
    ap.add_argument("--bars", action="store_true")
    a = ap.parse_args()
    failed = []
    print("| lang | texts | F1 | P | R | source |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for lang in ("ar", "en", "ru"):
        texts = sorted(glob.glob(os.path.join(HERE, "probes", lang, "texts", "*.txt")))
        out = subprocess.run([a.claimwire, "extract", "--jsonl", *texts], check=True, capture_output=True, text=True).stdout
        preds = [json.loads(line) for line in out.splitlines() if line.strip()]
        gold = score.load_jsonl(os.path.join(HERE, "probes", lang, "gold.jsonl"))
        f1, p, r, source = score.score(preds, gold, False, io.StringIO())
        print(f"| {lang} | {len(texts)} | {f1:.3f} | {p:.3f} | {r:.3f} | {source:.0%} |")
        bar_f1, bar_source = BARS[lang]
        if f1 < bar_f1 or source < bar_source:
            failed.append(f"{lang}: F1 {f1:.3f} (bar {bar_f1}), source {source:.0%} (bar {bar_source:.0%})")
    if a.bars and failed:
        sys.exit("probes below the bar: " + "; ".join(failed))


if __name__ == "__main__":
    main()
