#!/usr/bin/env python3
"""Builds crates/gazette/demo/corpus.jsonl, the small offline corpus that `gazette demo` serves.

Input: the shared evaluation data (../shared/data/clustering), which is not in this repository.
Output: one JSON object per article:
  {"story", "site", "lang", "title", "text", "minutes_before"}
`minutes_before` places the article's publication time before the demo's morning slot (07:30);
a negative value places it after, in the day that the evening edition (19:00) covers.

Sources and licences (copied beside the corpus in crates/gazette/demo/LICENSES/):
  - ECB+ (English news from many outlets; each article keeps its real outlet domain), CC BY 3.0.
  - RPM2 (French press articles; no outlet is recorded, so they are attributed to
    invented outlets under the reserved .example TLD), GNU GPL v3.
The selection is deterministic: run it again and the file is identical.
"""
import json
import sys
from pathlib import Path

SHARED = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/clustering")
OUT = Path(__file__).resolve().parent.parent / "crates/gazette/demo/corpus.jsonl"

# (story id, articles to keep, minutes before the slot of the newest and oldest article)
ECB_STORIES = [
    ("37_ecbplus", 10, 40, 330),    # Indonesia earthquake: most outlets, fresh and fast
    ("1_ecbplus", 8, 90, 700),      # Lindsay Lohan rehab
    ("43_ecbplus", 7, 200, 780),    # AMD buys SeaMicro
    ("41_ecbplus", 6, 60, 420),     # Sudan bombs Yida camp
    ("39_ecbplus", 4, 500, 900),    # Doctor Who casting
    ("27_ecbplus", 3, 300, 600),    # Internet Explorer zero-day
    ("7_ecbplus", 2, 600, 840),     # Klitschko fight
]
# single articles from other stories, as background noise
ECB_SINGLES = ["21_ecbplus", "45_ecbplus", "13_ecbplus"]

# The day between the morning and the evening edition (negative: after 07:30).
# (story id, articles to skip (already in the morning), articles to add, newest, oldest)
ECB_EVENING = [
    ("1_ecbplus", 8, 8, -560, -90),     # Lohan: coverage doubles -> an update in the evening
    ("37_ecbplus", 10, 2, -300, -200),  # the quake: a little more coverage, not a repeat
    ("3_ecbplus", 0, 6, -600, -240),    # new: a Texas inmate on the run
]
RPM2_EVENING = [
    ("T07", 4, -650, -300),   # new: the Société Générale trader
]

RPM2_STORIES = [
    ("T01", 5, 30, 400),    # Ingrid Betancourt freed
    ("T06", 4, 120, 600),   # Beijing Olympics open
    ("T04", 2, 400, 800),   # Dalai Lama leaves France
]
FR_OUTLETS = [
    "lequotidien.example",
    "lecourrier.example",
    "ladepeche-demo.example",
    "lanouvelle.example",
    "lemessager.example",
]


def spread(n, newest, oldest):
    if n == 1:
        return [newest]
    step = (oldest - newest) / (n - 1)
    return [round(newest + i * step) for i in range(n)]


def load(name):
    with open(SHARED / name, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def clean(text):
    # ECB+ texts are tokenised ("12: 50 PM", "' s"); keep them as they are but drop empty lines.
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def main():
    out = []
    ecb = load("ecbplus-en.jsonl")
    for story, keep, newest, oldest in ECB_STORIES:
        seen, picked = set(), []
        for r in ecb:
            if r["story"] == story and r["source"] and r["source"] not in seen and len(r["text"]) > 400:
                seen.add(r["source"])
                picked.append(r)
        picked = picked[:keep]
        assert len(picked) == keep, (story, len(picked))
        for r, minutes in zip(picked, spread(keep, newest, oldest)):
            out.append(dict(story=story, site=r["source"], lang="en",
                            title=r["title"].strip(), text=clean(r["text"]), minutes_before=minutes))
    for i, story in enumerate(ECB_SINGLES):
        r = next(r for r in ecb if r["story"] == story and r["source"] and len(r["text"]) > 400)
        out.append(dict(story=story, site=r["source"], lang="en",
                        title=r["title"].strip(), text=clean(r["text"]), minutes_before=150 + 200 * i))
    for story, skip, keep, newest, oldest in ECB_EVENING:
        seen, picked = set(), []
        for r in ecb:
            if r["story"] == story and r["source"] and r["source"] not in seen and len(r["text"]) > 400:
                seen.add(r["source"])
                picked.append(r)
        picked = picked[skip:skip + keep]
        assert len(picked) == keep, (story, len(picked))
        for r, minutes in zip(picked, spread(keep, newest, oldest)):
            out.append(dict(story=story, site=r["source"], lang="en",
                            title=r["title"].strip(), text=clean(r["text"]), minutes_before=minutes))
    rpm2 = load("rpm2-fr.jsonl")
    for story, keep, newest, oldest in RPM2_EVENING:
        picked = [r for r in rpm2 if r["story"] == story][:keep]
        for j, (r, minutes) in enumerate(zip(picked, spread(keep, newest, oldest))):
            domain = FR_OUTLETS[(j + 2) % len(FR_OUTLETS)]
            out.append(dict(story="rpm2-" + story, site=domain, lang="fr",
                            title=r["title"].strip(), text=clean(r["text"]), minutes_before=minutes))
    for story, keep, newest, oldest in RPM2_STORIES:
        picked = [r for r in rpm2 if r["story"] == story][:keep]
        for j, (r, minutes) in enumerate(zip(picked, spread(keep, newest, oldest))):
            domain = FR_OUTLETS[j % len(FR_OUTLETS)]
            out.append(dict(story="rpm2-" + story, site=domain, lang="fr",
                            title=r["title"].strip(), text=clean(r["text"]), minutes_before=minutes))
    with open(OUT, "w", encoding="utf-8") as f:
        for row in out:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    outlets = {r["site"] for r in out}
    print(f"{OUT}: {len(out)} articles, {len({r['story'] for r in out})} stories, {len(outlets)} outlets, "
          f"{OUT.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
