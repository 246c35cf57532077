#!/bin/sh
# gazette and Python trafilatura on the same pages, in one run, each on one core.
# usage: tools/bench-extract.sh [DIR...]   (default: the shared AEB and WCXB-dev pages)
# Needs a release build (cargo build --release -p gazette) and `pip install trafilatura`.
set -eu
BIN=${GAZETTE:-${CARGO_TARGET_DIR:-target}/release/gazette}
DATA=${DATA:-../shared/data}
[ $# -gt 0 ] || set -- "$DATA/extraction/aeb/html" "$DATA/extraction/wcxb-dev/html"
for dir in "$@"; do
  echo "== $dir"
  taskset -c 0 "$BIN" -q bench extract --iterations 3 "$dir"
  taskset -c 0 python3 "$(dirname "$0")/bench_trafilatura.py" --iterations 1 "$dir"
done
