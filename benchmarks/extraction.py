"""Extraction quality on the shared corpus: our cascade against plain trafilatura.

Run from the repository root::

    PYTHONPATH=. .venv/bin/python benchmarks/extraction.py [--verbose]

Measures, for both extractors in one run:

- titles (pages/mozilla-readability): exact match with ``expected-metadata.json``
  ``title``, case-sensitive, after whitespace is collapsed. Pages whose expected
  title is empty are skipped. Readability's own answer is the reference, and it
  sometimes keeps the site name our contract strips ("Page | Site"); such pages
  are counted as misses, not excused.
- bylines (same pages, those with an expected byline): the name tokens (lowercase
  letter runs, minus "by"/"and"/... ) of our byline all occur in the expected
  byline's lowercased text, or the expected byline's tokens all occur in ours.
  Containment, not equality, because Readability's byline often carries a date,
  role or "By" prefix ("By Erin Cunningham", "Lucas Nolan22 Dec 2016"). An empty
  byline never matches.
- body (pages/scrapinghub-aeb): bag-of-words F1 of lowercase word tokens (``\\w+``)
  against ``ground-truth.json`` ``articleBody``; mean precision, recall and F1.
- false changes: pairs of captures with the same article text whose
  ``content_hash`` (after ``normalize``) differs. Pairs: newspaper3k-recaptures
  labelled ``rerender_noise_only`` and newssniffer-web-page-parser fixtures of one
  URL that NewsSniffer's parser hashed identically (same parser, same valid_hash).
- runtime: mean milliseconds per page, over all pages above.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import trafilatura

from monitor.extract.cascade import extract
from monitor.extract.normalize import clean_text, content_hash
from monitor.models import Article

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
Extractor = Callable[[str, str], Article]
_TOKEN = re.compile(r"\w+")
_NAME_TOKEN = re.compile(r"[^\W\d_]+")
_NOT_NAMES = frozenset({"by", "and", "par", "von", "por", "und", "et", "y", "written", "the"})


def trafilatura_alone(html: str, url: str) -> Article:
    """Plain trafilatura with its defaults (plus metadata, to read title and author)."""
    doc = trafilatura.bare_extraction(html, url=url or None, with_metadata=True)
    if doc is None:
        return Article(title="")
    return Article(
        title=doc.title or "",
        byline=doc.author or "",
        body=tuple((doc.text or "").split("\n")),
        published_at=doc.date,
    )


def ours(html: str, url: str) -> Article:
    return extract(html, url)


EXTRACTORS: dict[str, Extractor] = {"ours": ours, "trafilatura": trafilatura_alone}


# --- data ----------------------------------------------------------------------


def read_html(path: Path) -> str:
    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(raw).best()
        return str(best) if best is not None else raw.decode("utf-8", "replace")


def readability_cases() -> Iterator[tuple[str, str, dict[str, str | None]]]:
    base = CORPUS / "pages" / "mozilla-readability"
    for case in sorted(p for p in base.iterdir() if (p / "source.html").exists()):
        meta = json.loads((case / "expected-metadata.json").read_text(encoding="utf-8"))
        yield case.name, read_html(case / "source.html"), meta


def aeb_cases() -> Iterator[tuple[str, str, str, str]]:
    base = CORPUS / "pages" / "scrapinghub-aeb"
    truth = json.loads((base / "ground-truth.json").read_text(encoding="utf-8"))
    for key in sorted(truth):
        path = base / "html" / f"{key}.html.gz"
        if path.exists():
            yield key, read_html(path), truth[key].get("url") or "", truth[key]["articleBody"]


def same_text_pairs() -> Iterator[tuple[str, str, str, str, str]]:
    """(name, url, html_a, html_b, source) for captures whose article text is the same."""
    n3k = CORPUS / "versions" / "newspaper3k-recaptures"
    for pair in json.loads((n3k / "pairs.json").read_text(encoding="utf-8")):
        if pair["label"].startswith("rerender_noise_only"):
            a, b = read_html(n3k / pair["from"]), read_html(n3k / pair["to"])
            yield pair["name"], "", a, b, "newspaper3k"
    nsn = CORPUS / "versions" / "newssniffer-web-page-parser"
    groups: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for row in json.loads((nsn / "spec_fixture_index.json").read_text(encoding="utf-8")):
        if row.get("valid_hash") and row.get("fixture"):
            key = (row["parser"], row["valid_hash"])
            groups.setdefault(key, []).append((row["fixture"], row["url"]))
    for fixtures in groups.values():
        for (fa, ua), (fb, ub) in itertools.pairwise(fixtures):
            if _same_url(ua, ub) and fa != fb:
                yield Path(fa).stem, ub, read_html(nsn / fa), read_html(nsn / fb), "newssniffer"


def _same_url(a: str, b: str) -> bool:
    strip = re.compile(r"^https?://(?:www\.)?")
    return strip.sub("", a).rstrip("/") == strip.sub("", b).rstrip("/")


# --- metrics -------------------------------------------------------------------


def title_match(got: str, expected: str) -> bool:
    return clean_text(got) == clean_text(expected)


_SITE_SUFFIX = re.compile(r"\s+(?:[|\-–—·•»«/:]{1,2}|::)\s+|\s*\[[^\]]+\]\s*$")


_TYPOGRAPHY = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "–": "-", "—": "-"})


def _typography(text: str) -> str:
    """Curly and straight quotes, dashes: the same headline to a reader."""
    return text.translate(_TYPOGRAPHY)


def title_match_sans_site(got: str, expected: str) -> bool:
    """Exact match once the reference drops leading/trailing " | Site"-style segments.

    Our contract strips the site name, Readability keeps whatever its metadata
    says; this rate shows how many misses are only that. Never used as the
    headline figure.
    """
    got, expected = _typography(clean_text(got)), _typography(clean_text(expected))
    if got == expected:
        return True
    if not got or got not in expected:
        return False
    head, _, tail = expected.partition(got)
    return all(
        not part.strip() or _SITE_SUFFIX.match(part) or _SITE_SUFFIX.search(part)
        for part in (head[-4:] + " " if head else "", tail)
    )


def byline_match(got: str, expected: str) -> bool:
    mine = [t for t in _NAME_TOKEN.findall(got.casefold()) if t not in _NOT_NAMES]
    theirs = [t for t in _NAME_TOKEN.findall(expected.casefold()) if t not in _NOT_NAMES]
    if not mine or not theirs:
        return False
    return all(t in expected.casefold() for t in mine) or all(t in got.casefold() for t in theirs)


def token_prf(got: str, expected: str) -> tuple[float, float, float]:
    g, e = Counter(_TOKEN.findall(got.lower())), Counter(_TOKEN.findall(expected.lower()))
    common = sum((g & e).values())
    if not g or not e or not common:
        return (1.0, 1.0, 1.0) if not g and not e else (0.0, 0.0, 0.0)
    p, r = common / sum(g.values()), common / sum(e.values())
    return p, r, 2 * p * r / (p + r)


@dataclass
class Report:
    name: str
    titles: list[tuple[str, bool, str, str]] = field(default_factory=list)
    titles_sans_site: list[bool] = field(default_factory=list)
    bylines: list[tuple[str, bool, str, str]] = field(default_factory=list)
    bodies: list[tuple[str, float, float, float]] = field(default_factory=list)
    changes: list[tuple[str, str, bool]] = field(default_factory=list)
    seconds: float = 0.0
    pages: int = 0

    def rate(self, rows: list[tuple[str, bool, str, str]]) -> float:
        return sum(r[1] for r in rows) / len(rows) if rows else 0.0

    @property
    def title_rate(self) -> float:
        return self.rate(self.titles)

    @property
    def title_rate_sans_site(self) -> float:
        rows = self.titles_sans_site
        return sum(rows) / len(rows) if rows else 0.0

    @property
    def byline_rate(self) -> float:
        return self.rate(self.bylines)

    def body_mean(self, i: int) -> float:
        return sum(r[i] for r in self.bodies) / len(self.bodies) if self.bodies else 0.0

    @property
    def false_changes(self) -> int:
        return sum(1 for r in self.changes if r[2])

    @property
    def ms_per_page(self) -> float:
        return 1000 * self.seconds / self.pages if self.pages else 0.0


def _timed(report: Report, fn: Extractor, html: str, url: str) -> Article:
    start = time.perf_counter()
    article = fn(html, url)
    report.seconds += time.perf_counter() - start
    report.pages += 1
    return article


def measure(name: str, fn: Extractor, parts: frozenset[str] | None = None) -> Report:
    """Run one extractor over the corpus parts ("meta", "body", "changes"; all by default)."""
    parts = parts or frozenset({"meta", "body", "changes"})
    report = Report(name)
    if "meta" in parts:
        for case, html, meta in readability_cases():
            got = _timed(report, fn, html, "")
            if meta.get("title"):
                ok = title_match(got.title, meta["title"] or "")
                report.titles.append((case, ok, got.title, meta["title"] or ""))
                report.titles_sans_site.append(
                    title_match_sans_site(got.title, meta["title"] or "")
                )
            if meta.get("byline"):
                ok = byline_match(got.byline, meta["byline"] or "")
                report.bylines.append((case, ok, got.byline, meta["byline"] or ""))
    if "body" in parts:
        for key, html, url, truth in aeb_cases():
            got = _timed(report, fn, html, url)
            report.bodies.append((key, *token_prf(got.body_text, truth)))
    if "changes" in parts:
        for pair, url, a, b, source in same_text_pairs():
            ha = content_hash(_timed(report, fn, a, url))
            hb = content_hash(_timed(report, fn, b, url))
            report.changes.append((f"{source}:{pair}", source, ha != hb))
    return report


def print_reports(reports: list[Report], verbose: bool = False) -> None:
    rows = [
        ("title exact match (readability)", lambda r: f"{r.title_rate:.3f} ({len(r.titles)})"),
        ("  ignoring site-name segments, quote style", lambda r: f"{r.title_rate_sans_site:.3f}"),
        ("byline match (readability)", lambda r: f"{r.byline_rate:.3f} ({len(r.bylines)})"),
        ("body F1 (aeb)", lambda r: f"{r.body_mean(3):.3f}"),
        ("body precision", lambda r: f"{r.body_mean(1):.3f}"),
        ("body recall", lambda r: f"{r.body_mean(2):.3f}"),
        ("false changes", lambda r: f"{r.false_changes} / {len(r.changes)}"),
        ("ms per page", lambda r: f"{r.ms_per_page:.1f}"),
    ]
    print(f"{'':34}" + "".join(f"{r.name:>18}" for r in reports))
    for label, cell in rows:
        print(f"{label:34}" + "".join(f"{cell(r):>18}" for r in reports))
    if not verbose:
        return
    for r in reports:
        print(f"\n== {r.name}: misses")
        for case, ok, got, exp in r.titles:
            if not ok:
                print(f"title  {case:28} got={got!r}\n{'':41}exp={exp!r}")
        for case, ok, got, exp in r.bylines:
            if not ok:
                print(f"byline {case:28} got={got!r} exp={exp!r}")
        for key, p, rc, f in sorted(r.bodies, key=lambda x: x[3])[:15]:
            print(f"body   {key[:12]} F1={f:.3f} P={p:.3f} R={rc:.3f}")
        for pair, _source, changed in r.changes:
            if changed:
                print(f"change {pair}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--verbose", "-v", action="store_true", help="list every miss")
    parser.add_argument("--only", choices=sorted(EXTRACTORS), help="run one extractor")
    args = parser.parse_args(argv)
    if not CORPUS.is_dir():
        print(f"corpus not found at {CORPUS}", file=sys.stderr)
        return 2
    names = [args.only] if args.only else list(EXTRACTORS)
    print_reports([measure(n, EXTRACTORS[n]) for n in names], verbose=args.verbose)
    return 0


if __name__ == "__main__":
    sys.exit(main())
