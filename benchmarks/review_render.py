"""The change page's diff on real articles: how fast it renders, how much of the page it
folds away, and how often the size limits ("too large to show inline") would bite.

Run from the repository root::

    PYTHONPATH=. .venv/bin/python benchmarks/review_render.py

Every page of ../shared/corpus that extracts to an article (scrapinghub-aeb,
mozilla-readability, newspaper3k-recaptures) is read with our cascade and turned into
a version. Three version pairs are timed through ``diffview.build_view`` (what the
render process computes for one change page), each reported for the tuning and the
held-out half of the corpus (benchmarks/corpus_split.py):

- one word edited in the middle paragraph (the common silent edit): milliseconds, and
  the share of rows the page folds away (rows inside "unchanged" <details>);
- every second paragraph rewritten (the words of each shuffled): milliseconds, and how
  many pairs ``too_large`` refuses;
- real recaptures of one article (newspaper3k pairs of the same article):
  milliseconds, and how many are refused.

The limits were set from synthetic worst cases (diffview.py), not from these pages.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Iterator

from benchmarks.corpus_split import HALVES, split
from benchmarks.extraction import CORPUS, aeb_cases, read_html, readability_cases
from monitor.extract.cascade import extract
from monitor.models import Version
from monitor.review.diffview import build_view, too_large


def _version(html: str, url: str, number: int = 1) -> Version | None:
    article = extract(html, url)
    paragraphs = [p for p in article.body if p.strip()]
    if not article.title or len(paragraphs) < 2:
        return None
    body = "\n\n".join(paragraphs)
    return Version(number, 1, "2026-01-01T00:00:00Z", article.title, article.byline, body, "x")


def pages() -> Iterator[tuple[str, Version]]:
    """(corpus path, version) for every single page that reads as an article."""
    for key, html, url, _ in aeb_cases():
        if found := _version(html, url):
            yield f"pages/scrapinghub-aeb/html/{key}.html.gz", found
    for case, html, _ in readability_cases():
        if found := _version(html, ""):
            yield f"pages/mozilla-readability/{case}/source.html", found


def recaptures() -> Iterator[tuple[str, Version, Version]]:
    """Two captures of one article (newspaper3k pairs that are version pairs)."""
    base = CORPUS / "versions" / "newspaper3k-recaptures"
    for pair in json.loads((base / "pairs.json").read_text(encoding="utf-8")):
        if pair["label"].startswith("different_document"):
            continue
        old = _version(read_html(base / pair["from"]), "")
        new = _version(read_html(base / pair["to"]), "", 2)
        if old and new:
            yield f"versions/newspaper3k-recaptures/{pair['from']}", old, new


def one_word_edit(version: Version) -> Version:
    paragraphs = version.body.split("\n\n")
    middle = len(paragraphs) // 2
    words = paragraphs[middle].split(" ")
    words[len(words) // 2] = "EDITED"
    paragraphs[middle] = " ".join(words)
    return Version(2, 1, version.captured_at, version.title, version.byline,
                   "\n\n".join(paragraphs), "y")  # fmt: skip


def heavy_rewrite(version: Version, rng: random.Random) -> Version:
    paragraphs = version.body.split("\n\n")
    for n in range(0, len(paragraphs), 2):
        words = paragraphs[n].split()
        rng.shuffle(words)
        paragraphs[n] = " ".join(words)
    return Version(2, 1, version.captured_at, version.title + " (updated)", version.byline,
                   "\n\n".join(paragraphs), "z")  # fmt: skip


def _timed(old: Version, new: Version) -> tuple[float | None, float]:
    """(milliseconds to build the view or None when too large, share of rows folded)."""
    if too_large(old, new):
        return None, 0.0
    started = time.perf_counter()
    view = build_view(old, new, [])
    elapsed = (time.perf_counter() - started) * 1000
    folded = sum(len(b.rows) for b in view.blocks if b.kind == "same")
    return elapsed, folded / max(len(view.rows), 1)


def _summary(times: list[float | None]) -> str:
    done = sorted(t for t in times if t is not None)
    refused = len(times) - len(done)
    if not done:
        return f"n={len(times)}, refused {refused}"
    p95 = done[min(len(done) - 1, int(0.95 * len(done)))]
    return (
        f"n={len(times)}, median {statistics.median(done):.1f} ms, p95 {p95:.1f} ms, "
        f"max {done[-1]:.1f} ms, refused as too large {refused}"
    )


def main() -> int:
    if not CORPUS.exists():
        print(f"no corpus at {CORPUS}", file=sys.stderr)
        return 1
    rng = random.Random(13)
    rows: dict[str, dict[str, list]] = {h: defaultdict(list) for h in HALVES}
    for path, version in pages():
        half = rows[split(path)]
        half["paragraphs"].append(len(version.paragraphs))
        elapsed, folded = _timed(version, one_word_edit(version))
        half["one_word"].append(elapsed)
        half["folded"].append(folded)
        half["heavy"].append(_timed(version, heavy_rewrite(version, rng))[0])
    for path, old, new in recaptures():
        rows[split(path)]["recapture"].append(_timed(old, new)[0])
    for half in HALVES:
        found = rows[half]
        paragraphs = sorted(found["paragraphs"])
        print(f"{half}: {len(paragraphs)} articles, paragraphs median "
              f"{statistics.median(paragraphs)}, max {paragraphs[-1]}")  # fmt: skip
        print(f"  one word edited:          {_summary(found['one_word'])}")
        print(f"    rows folded away:       median {statistics.median(found['folded']):.0%}")
        print(f"  every 2nd para rewritten: {_summary(found['heavy'])}")
        print(f"  real recaptures:          {_summary(found['recapture'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
