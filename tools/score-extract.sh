#!/bin/sh
# Scores `gazette extract` on the shared extraction benchmarks.
# usage: tools/score-extract.sh [GAZETTE_BINARY]   (default: target/release/gazette)
set -eu
BIN=${1:-${CARGO_TARGET_DIR:-target}/release/gazette}
DATA=${DATA:-../shared/data}
OUT=${TMPDIR:-/tmp}/gazette-score.$$
mkdir -p "$OUT"
for set in aeb wcxb-dev; do
  "$BIN" extract --format json "$DATA/extraction/$set/html" > "$OUT/$set.json"
  printf '%s ' "$set"
  python3 "$DATA/score_extraction.py" "$DATA/extraction/$set" "$OUT/$set.json"
done
rm -rf "$OUT"
