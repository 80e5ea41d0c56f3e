#!/usr/bin/env python3
"""Claim extraction on the real corpus, per split and language.

    claimwire extract --jsonl ../shared/eval/corpus/texts/*.txt > c.jsonl
    python3 benches/corpus_score.py c.jsonl [--bars] [-v SPLIT/LANG]

Scores the predictions with ../shared/eval/score.py on each (split, language) of
the corpus manifest, and counts false alarms on the claim-free texts (events
named "none ..."). Prints a Markdown table; with --bars, exits 1 when a bar that
CI holds is missed (see BARS). -v dev/en prints that cell's misses and false alarms.
"""

import argparse
import io
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
EVAL = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "eval"))
sys.path.insert(0, EVAL)
import score  # noqa: E402  (the project's scorer, kept in ../shared/eval)

# What CI holds the extractor to, per (split, language): F1 and the share of hits
# whose source is right. Raised as the extractor improves; never lowered to pass.
# (F1, source, location) per cell: a little under what the extractor scores, so
# that CI catches a regression.
BARS = {
    ("dev", "ar"): (0.91, 0.85, 0.80),
    ("dev", "en"): (0.95, 0.80, 0.70),
    ("dev", "ru"): (0.89, 0.82, 0.92),
    ("test", "ar"): (0.88, 0.68, 0.60),
    ("test", "en"): (0.84, 0.46, 0.68),
    ("test", "ru"): (0.85, 0.54, 0.60),
}
# Claim-free texts: at most this many false alarms per 10 texts.
NEGATIVE_BAR = 1.0


def cell(preds, gold, docs, verbose=False):
    gold = [g for g in gold if g["doc"] in docs]
    preds = [p for p in preds if score.doc_id(p.get("doc", "")) in docs]
    out = io.StringIO()
    f1, precision, recall, source = score.score(preds, gold, verbose, out)
    text = out.getvalue()
    attrs = {}
    for name in ("qualifier", "who", "location"):
        m = re.search(rf"^{name} right on (\d+)/(\d+) hits", text, re.M)
        attrs[name] = (int(m[1]) / int(m[2])) if m else None
    m = re.search(r"\((\d+) hits, (\d+) false, (\d+) missed\)", text)
    hits, false, missed = (int(m[1]), int(m[2]), int(m[3])) if m else (0, 0, 0)
    return {
        "f1": f1, "p": precision, "r": recall, "source": source, **attrs,
        "hits": hits, "false": false, "missed": missed, "text": text,
    }


def pct(x):
    return "-" if x is None else f"{x:.0%}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("predictions")
    ap.add_argument("--corpus", default=os.path.join(EVAL, "corpus"))
    ap.add_argument("--bars", action="store_true", help="exit 1 below a bar")
    ap.add_argument("-v", dest="verbose", help="print one cell's details, e.g. dev/en")
    a = ap.parse_args()
    manifest = json.load(open(os.path.join(a.corpus, "manifest.json"), encoding="utf-8"))
    gold = score.load_jsonl(os.path.join(a.corpus, "gold.jsonl"))
    preds = score.load_jsonl(a.predictions)
    negative = {d["id"] for d in manifest if d["event"].startswith("none")}

    print("| split | lang | texts | F1 | P | R | source | qualifier | who | location | hits | false | missed |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    failed = []
    for split in ("dev", "test"):
        for lang in ("ar", "en", "ru"):
            docs = {d["id"] for d in manifest if d["split"] == split and d["lang"] == lang}
            if not docs:
                continue
            verbose = a.verbose == f"{split}/{lang}"
            c = cell(preds, gold, docs, verbose)
            print(
                f"| {split} | {lang} | {len(docs)} | {c['f1']:.3f} | {c['p']:.3f} | {c['r']:.3f} "
                f"| {pct(c['source'])} | {pct(c['qualifier'])} | {pct(c['who'])} | {pct(c['location'])} "
                f"| {c['hits']} | {c['false']} | {c['missed']} |"
            )
            if verbose:
                print(c["text"], file=sys.stderr)
            bar = BARS.get((split, lang))
            if bar and (c["f1"] < bar[0] or c["source"] < bar[1] or (c["location"] or 0) < bar[2]):
                failed.append(
                    f"{split}/{lang}: F1 {c['f1']:.3f} source {c['source']:.0%} location {pct(c['location'])}"
                    f" (bars {bar[0]}, {bar[1]:.0%}, {bar[2]:.0%})"
                )
    alarms = sum(
        1 for p in preds
        if score.doc_id(p.get("doc", "")) in negative and p.get("kind") in score.CORE and p.get("value") is not None
    )
    per10 = 10 * alarms / len(negative) if negative else 0.0
    print(f"\nclaim-free texts: {alarms} false alarms on {len(negative)} texts ({per10:.1f} per 10; bar {NEGATIVE_BAR})")
    if per10 > NEGATIVE_BAR:
        failed.append(f"claim-free texts: {per10:.1f} false alarms per 10 texts")
    if a.bars and failed:
        sys.exit("below the bar: " + "; ".join(failed))


if __name__ == "__main__":
    main()
