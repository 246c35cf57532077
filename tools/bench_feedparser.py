#!/usr/bin/env python3
"""The peer of `gazette bench feeds DIR`: Python's feedparser on the same files.

Selects files exactly as gazette does (.xml .rss .atom .rdf .json, not *.serde.json),
reads them into memory, then times feedparser.parse over all of them for N passes.
Prints one JSON object with the same keys as `gazette bench feeds --format json`.
Usage: python3 tools/bench_feedparser.py DIR [ITERATIONS]
"""
import json
import sys
import time
from pathlib import Path

import feedparser

EXTENSIONS = {".xml", ".rss", ".atom", ".rdf", ".json"}


def main():
    root = Path(sys.argv[1])
    iterations = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    paths = sorted(p for p in root.rglob("*")
                   if p.is_file() and p.suffix in EXTENSIONS and not p.name.endswith(".serde.json"))
    files = [p.read_bytes() for p in paths]
    total_bytes = sum(len(f) for f in files)
    parsed = failed = 0
    start = time.perf_counter()
    for _ in range(iterations):
        for body in files:
            result = feedparser.parse(body)
            # feedparser never raises; count a document with no feed version and no entries as failed.
            if result.get("version") or result.entries:
                parsed += 1
            else:
                failed += 1
    seconds = time.perf_counter() - start
    n = len(files) * iterations
    print(json.dumps({
        "parser": f"feedparser {feedparser.__version__}",
        "files": len(files), "bytes": total_bytes, "iterations": iterations,
        "parsed": parsed // iterations, "failed": failed // iterations, "seconds": seconds,
        "feeds_per_sec": n / seconds, "mb_per_sec": total_bytes * iterations / 1e6 / seconds,
    }))


if __name__ == "__main__":
    main()
