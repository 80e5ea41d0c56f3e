#!/usr/bin/env python3
"""Score `claimwire article --jsonl` output on trafilatura's evaluation pages.

    claimwire article --jsonl ../shared/external/trafilatura-eval/html/*.html.gz > t.jsonl
    python3 benches/trafilatura_eval.py t.jsonl [--eval ../shared/external/trafilatura-eval/evaldata-subset.json]

Upstream's metric: each `with` snippet found in the text is a true positive (else a
false negative); each `without` snippet found is a false positive (else a true
negative). Prints per-language lines for the Arabic and Russian pages, then the
totals: precision, recall, accuracy, F.
"""
import argparse
import json
import os
import re
import sys


def norm(t):
    return " ".join(re.sub(r"\s+", " ", t or "").split()).lower()


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("predictions")
    ap.add_argument("--eval", default=os.path.join(here, "../../shared/external/trafilatura-eval/evaldata-subset.json"))
    args = ap.parse_args()
    evaldata = json.load(open(args.eval, encoding="utf-8"))
    by_file = {os.path.basename(v["saved_as"]).split(".html")[0]: (k, v) for k, v in evaldata.items()}
    preds = {}
    for line in open(args.predictions, encoding="utf-8"):
        row = json.loads(line)
        preds[row["doc"]] = row.get("text") or ""
    tp = fn = fp = tn = 0
    for doc, (url, v) in sorted(by_file.items()):
        text = norm(preds.get(doc, ""))
        t = sum(norm(s) in text for s in v.get("with", []))
        f = len(v.get("with", [])) - t
        p = sum(norm(s) in text for s in v.get("without", []))
        n = len(v.get("without", [])) - p
        tp, fn, fp, tn = tp + t, fn + f, fp + p, tn + n
        if "assabah" in url or "football.ua" in url:
            print(f"{doc}: with {t}/{t + f}, boilerplate kept {p}/{p + n}")
    precision = tp / (tp + fp) if tp + fp else 0
    recall = tp / (tp + fn) if tp + fn else 0
    accuracy = (tp + tn) / (tp + tn + fp + fn)
    f = 2 * precision * recall / (precision + recall) if precision + recall else 0
    print(f"pages {len(by_file)} precision {precision:.3f} recall {recall:.3f} accuracy {accuracy:.3f} F {f:.3f}")


if __name__ == "__main__":
    sys.exit(main())
