#!/usr/bin/env bash
# Feed parsing, gazette against Python's feedparser, on the same files in the same run.
# Usage: tools/bench-feeds.sh [DIR] [ITERATIONS]    (default DIR: ../shared/data/feeds)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-../shared/data/feeds}
iterations=${2:-5}
python3 -c 'import feedparser' 2>/dev/null || python3 -m pip install --quiet feedparser
cargo build --release --quiet
ours=$(./target/release/gazette -q bench feeds "$dir" --iterations "$iterations" --format json)
peer=$(python3 tools/bench_feedparser.py "$dir" "$iterations")
python3 - "$ours" "$peer" <<'PY'
import json, sys
ours, peer = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"{'parser':<22}{'files':>7}{'MB':>8}{'parsed':>8}{'failed':>8}{'feeds/s':>10}{'MB/s':>8}")
for r in (ours, peer):
    print(f"{r['parser']:<22}{r['files']:>7}{r['bytes']/1e6:>8.2f}{r['parsed']:>8}{r['failed']:>8}"
          f"{r['feeds_per_sec']:>10.0f}{r['mb_per_sec']:>8.2f}")
print(f"gazette / feedparser: {ours['feeds_per_sec'] / peer['feeds_per_sec']:.1f}x feeds/s")
PY
