#!/usr/bin/env bash
# Side by side with Python trafilatura on the 181 pages of the article-extraction
# benchmark: F1 (../shared/eval/article_score.py) and pages/s on one core, and the
# ratios. Installs trafilatura in a throwaway virtualenv; changes nothing else.
#
#     bash benches/compare_trafilatura.sh
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${SHARED:-../shared}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Both read the same plain HTML files inside their timing.
mkdir "$work/html"
for p in "$shared"/external/article-extraction-benchmark/html/*.html.gz; do
  gzip -dc "$p" > "$work/html/$(basename "$p" .gz)"
done
pages=("$work"/html/*.html)

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q trafilatura lxml_html_clean >/dev/null
cargo build -q --release --bin claimwire

cat > "$work/traf.py" <<'PY'
import json, os, sys, time
import trafilatura
start = time.perf_counter()
with open(sys.argv[1], "w") as out:
    for path in sys.argv[2:]:
        doc = os.path.basename(path).split(".html")[0]
        with open(path, "rb") as f:
            html = f.read().decode("utf-8", "replace")
        text = trafilatura.extract(html) or ""
        out.write(json.dumps({"doc": doc, "text": text}) + "\n")
print(f"{time.perf_counter() - start:.3f}")
PY

# One core each: taskset pins both to CPU 0 where it is available.
pin=""
command -v taskset >/dev/null && pin="taskset -c 0"
t_py=$($pin "$work/venv/bin/python" "$work/traf.py" "$work/traf.jsonl" "${pages[@]}")
start=$(date +%s.%N)
$pin target/release/claimwire article --jsonl "${pages[@]}" > "$work/cw.jsonl" 2>/dev/null
t_cw=$(echo "$(date +%s.%N) - $start" | bc)

f_py=$(python3 "$shared/eval/article_score.py" "$work/traf.jsonl" | tail -n 1)
f_cw=$(python3 "$shared/eval/article_score.py" "$work/cw.jsonl" | tail -n 1)
n=${#pages[@]}
python3 - "$n" "$t_py" "$t_cw" "$f_py" "$f_cw" <<'PY'
import re, sys
n, t_py, t_cw = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
f = lambda s: float(re.search(r"F1 ([0-9.]+)", s)[1])
f_py, f_cw = f(sys.argv[4]), f(sys.argv[5])
print(f"trafilatura (python): F1 {f_py:.3f}, {n / t_py:.1f} pages/s")
print(f"claimwire article:    F1 {f_cw:.3f}, {n / t_cw:.1f} pages/s")
print(f"ratio: F1 {f_cw - f_py:+.3f}, speed x{(n / t_cw) / (n / t_py):.1f}")
PY
