#!/usr/bin/env python3
"""Python trafilatura on the pages `gazette bench extract` times, with the same figures.

usage: bench_trafilatura.py [--iterations N] [--predictions OUT.json] DIR...
Selects .html/.htm/.html.gz files under each DIR (as `gazette extract` does), reads
and decompresses them all first, then times trafilatura.extract on one core.
Prints pages/s, MB/s and peak memory (VmHWM). --predictions writes {id: text}
for score_extraction.py.
"""
import argparse, gzip, json, os, resource, sys, time

import trafilatura


def pages(dirs):
    out = []
    for d in dirs:
        for root, _, files in os.walk(d):
            for f in files:
                low = f.lower()
                for ext in (".html.gz", ".htm.gz", ".html", ".htm"):
                    if low.endswith(ext):
                        out.append((os.path.join(root, f), f[: -len(ext)]))
                        break
    out.sort()
    return out


def peak_mb():
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dirs", nargs="+")
    ap.add_argument("--iterations", type=int, default=1)
    ap.add_argument("--predictions")
    a = ap.parse_args()
    docs = []
    for path, pid in pages(a.dirs):
        raw = open(path, "rb").read()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        docs.append((pid, raw))
    total = sum(len(r) for _, r in docs)
    preds, empty = {}, 0
    start = time.perf_counter()
    for i in range(a.iterations):
        for pid, raw in docs:
            text = trafilatura.extract(raw, favor_precision=False) or ""
            if i == 0:
                preds[pid] = text
                empty += not text
    secs = time.perf_counter() - start
    n = len(docs) * a.iterations
    print(f"trafilatura {trafilatura.__version__}: {len(docs)} pages, {total / 1e6:.1f} MB, "
          f"{a.iterations} passes in {secs:.3f} s: {n / secs:.0f} pages/s, "
          f"{total * a.iterations / 1e6 / secs:.1f} MB/s on one core; {empty} without an article; "
          f"peak memory {peak_mb():.0f} MB")
    if a.predictions:
        json.dump(preds, open(a.predictions, "w"), ensure_ascii=False)


if __name__ == "__main__":
    main()
