"""Learned furniture (monitor.extract.furniture) on the shared corpus, per half.

Run from the repository root::

    PYTHONPATH=. .venv/bin/python benchmarks/furniture.py [--min-articles K] [--max-words N]

Every page of ../shared/corpus that has an outlet and an article identity is read once
with the extraction cascade (the page as read: learned furniture included). Then, for
the tuning and the held-out half (corpus_split.py) separately, the pipeline's learning
is replayed:

- repetition: per outlet (the newspaper3k name without its number, the newssniffer
  fixture folder, the host of a scrapinghub-aeb page's URL), a block seen in
  ``--min-articles`` distinct articles of the half is furniture;
- rotation: pairs of captures of one article, in order; a pair whose stored reading
  and new reading differ under what is learned is judged by ``furniture.flips`` as the
  commit does, and what it learns is kept for the outlet's later pairs.

Printed per half, with and without learning:

- false changes on unchanged re-captures: newspaper3k pairs labelled
  ``rerender_noise_only`` and ``same_article_text_differs`` (inspected by hand: every
  one whose text differs differs by a rail, section counts, rotating credits or a
  server error dump, none by an edit), and newssniffer fixtures NewsSniffer hashed the
  same;
- body F1 on the scrapinghub-aeb answer key (learning must not cost article text);
- blocks learned (repetition, rotation);
- edits hidden: every article's first capture edited four ways (its middle
  paragraph removed, a word of it changed, a short block of it exchanged for
  another, its last two lines replaced by two others), each replayed as a check
  against the stored reading; the share that would come out unchanged. The critic's
  figure: 0 for the first three; the fourth is what a rail rotation looks like, and
  is hidden when both pairs are label- or teaser-shaped.

A grid of ``--min-articles`` and ``--max-words`` is printed for the tuning half only;
the held-out half is reported at the chosen values.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path

from corpus_split import HALVES, corpus_key, split
from extraction import CORPUS, _same_url, read_html, token_prf

from monitor.extract import furniture as F
from monitor.extract.cascade import extract
from monitor.extract.normalize import content_hash, normalize
from monitor.models import Article


@dataclass(frozen=True)
class Page:
    path: Path
    outlet: str
    article: str  # corpus_key: captures of one article share it
    read: Article
    truth: str | None = None  # scrapinghub-aeb answer key


@dataclass
class Corpus:
    pages: list[Page] = field(default_factory=list)
    #: (label, stored page, new page): re-captures whose article text did not change
    pairs: list[tuple[str, Page, Page]] = field(default_factory=list)


def _read(path: Path, url: str, outlet: str, truth: str | None = None) -> Page:
    html = read_html(path)
    return Page(path, outlet, corpus_key(path), normalize(extract(html, url)), truth)


def load() -> Corpus:
    corpus = Corpus()
    seen: dict[Path, Page] = {}

    def page(path: Path, url: str, outlet: str) -> Page:
        if path not in seen:
            seen[path] = _read(path, url, outlet)
            corpus.pages.append(seen[path])
        return seen[path]

    n3k = CORPUS / "versions" / "newspaper3k-recaptures"
    for pair in json.loads((n3k / "pairs.json").read_text(encoding="utf-8")):
        label = pair["label"].split(" ")[0]
        if label not in ("rerender_noise_only", "same_article_text_differs"):
            continue
        outlet = re.sub(r"\d+$", "", pair["name"])
        a, b = page(n3k / pair["from"], "", outlet), page(n3k / pair["to"], "", outlet)
        corpus.pairs.append((label, a, b))
    nsn = CORPUS / "versions" / "newssniffer-web-page-parser"
    groups: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for row in json.loads((nsn / "spec_fixture_index.json").read_text(encoding="utf-8")):
        if row.get("valid_hash") and row.get("fixture"):
            groups[(row["parser"], row["valid_hash"])].append((row["fixture"], row["url"]))
    for fixtures in groups.values():
        for (fa, ua), (fb, ub) in itertools.pairwise(fixtures):
            if _same_url(ua, ub) and fa != fb:
                outlet = Path(fa).parent.name
                a, b = page(nsn / fa, ua, outlet), page(nsn / fb, ub, outlet)
                corpus.pairs.append(("newssniffer_same_hash", a, b))
    aeb = CORPUS / "pages" / "scrapinghub-aeb"
    truth = json.loads((aeb / "ground-truth.json").read_text(encoding="utf-8"))
    for key in sorted(truth):
        path = aeb / "html" / f"{key}.html.gz"
        url = truth[key].get("url") or ""
        if path.exists() and url:
            host = re.sub(r"^https?://(?:www\.)?", "", url).split("/")[0]
            corpus.pages.append(_read(path, url, host, truth[key]["articleBody"]))
    return corpus


@dataclass
class Outcome:
    pairs: int = 0
    false_without: int = 0
    false_with: int = 0
    remaining: list[str] = field(default_factory=list)
    f1_without: list[float] = field(default_factory=list)
    f1_with: list[float] = field(default_factory=list)
    repeated: int = 0
    rotated: int = 0
    edits: dict[str, list[bool]] = field(default_factory=lambda: defaultdict(list))


def repetition(pages: list[Page], k: int, max_words: int) -> dict[str, F.Learned]:
    """Per outlet, what repetition teaches: blocks in ``k`` distinct articles."""
    where: dict[tuple[str, str], set[str]] = defaultdict(set)
    for p in pages:
        for key, text in F.candidates(p.read, max_words):
            if F.learnable(text, max_words):  # the others are counted, never dropped
                where[(p.outlet, key)].add(p.article)
    learned: dict[str, set[str]] = defaultdict(set)
    for (outlet, key), articles in where.items():
        if len(articles) >= k:
            learned[outlet].add(key)
    return defaultdict(
        lambda: F.Learned(frozenset(), max_words),
        {o: F.Learned(frozenset(keys), max_words) for o, keys in learned.items()},
    )


def check(stored: Article, page: Article, learned: F.Learned) -> tuple[bool, F.Learned]:
    """Whether a check of ``page`` against the version stored from ``stored`` comes
    out changed, as monitor.pipeline.commit judges it; and what it learned."""
    before, after = F.strip(stored, learned), F.strip(page, learned)
    if content_hash(before) == content_hash(after):
        return False, learned
    rotated = F.flips(before, page, learned)
    if not rotated:
        return True, learned
    learned = learned.plus(key for key, _ in rotated)
    return content_hash(F.strip(stored, learned)) != content_hash(F.strip(page, learned)), learned


def _edits(article: Article) -> dict[str, Article]:
    body = list(article.body)
    if len(body) < 3:
        return {}
    mid = len(body) // 2
    words = body[mid].split()
    out = {
        "paragraph removed": replace(article, body=tuple(body[:mid] + body[mid + 1 :])),
        "word changed": replace(
            article, body=tuple([*body[:mid], " ".join([*words[:-1], "xyzzy."]), *body[mid + 1 :]])
        ),
    }
    short = [i for i, p in enumerate(body) if F.learnable(p)]
    if short:
        i = short[len(short) // 2]
        swapped = [*body[:i], "Police said the road was closed", *body[i + 1 :]]
        out["short block exchanged"] = replace(article, body=tuple(swapped))
    # the hardest case: the story's last two lines replaced by two others; hidden when
    # both pairs are shaped like a rail (by design: that is what a rotation looks like)
    tail = [*body[:-2], "Police said the road was closed", "Officers remain at the scene"]
    out["last two lines replaced"] = replace(article, body=tuple(tail))
    return out


def evaluate(corpus: Corpus, half: str, k: int, max_words: int) -> Outcome:
    pages = [p for p in corpus.pages if split(p.path) == half]
    learned = repetition(pages, k, max_words)
    out = Outcome(repeated=sum(len(v.keys) for v in learned.values()))
    for _, a, b in (t for t in corpus.pairs if split(t[1].path) == half):
        out.pairs += 1
        out.false_without += content_hash(a.read) != content_hash(b.read)
        before = learned[a.outlet]
        changed, learned[a.outlet] = check(a.read, b.read, before)
        out.rotated += len(learned[a.outlet].keys) - len(before.keys)
        out.false_with += changed
        if changed:
            out.remaining.append(a.path.name)
    for p in pages:
        if p.truth is not None:
            out.f1_without.append(token_prf(p.read.body_text, p.truth)[2])
            out.f1_with.append(token_prf(F.strip(p.read, learned[p.outlet]).body_text, p.truth)[2])
    firsts = {p.article: p for p in reversed(pages)}
    for p in firsts.values():
        for kind, edited in _edits(p.read).items():
            out.edits[kind].append(not check(p.read, edited, learned[p.outlet])[0])
    return out


def _pct(n: int, d: int) -> str:
    return f"{n}/{d} ({100 * n / d:.1f} %)" if d else "-"


def _mean(xs: list[float]) -> str:
    return f"{sum(xs) / len(xs):.3f}" if xs else "-"


def report(half: str, o: Outcome) -> None:
    print(f"\n{half} half")
    print(f"  unchanged re-captures: {o.pairs}")
    print(f"  false changes without learning: {_pct(o.false_without, o.pairs)}")
    print(f"  false changes with learning:    {_pct(o.false_with, o.pairs)}")
    for name in o.remaining:
        print(f"    still changed: {name}")
    print(f"  body F1 (aeb, {len(o.f1_with)} pages): without {_mean(o.f1_without)}, "
          f"with {_mean(o.f1_with)}")  # fmt: skip
    print(f"  blocks learned: {o.repeated} by repetition, {o.rotated} by rotation")
    for kind, hidden in sorted(o.edits.items()):
        print(f"  edits hidden ({kind}): {_pct(sum(hidden), len(hidden))}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--min-articles", type=int, default=F.MIN_ARTICLES)
    parser.add_argument("--max-words", type=int, default=F.MAX_WORDS)
    args = parser.parse_args(argv)
    if not CORPUS.exists():
        print(f"no corpus at {CORPUS}", file=sys.stderr)
        return 1
    corpus = load()
    print(f"{len(corpus.pages)} pages read, {len(corpus.pairs)} unchanged re-capture pairs")
    print("\ntuning half, grid (false changes with learning / edits hidden / mean body F1):")
    for k, words in itertools.product((2, 3, 5), (20, 40, 60)):
        o = evaluate(corpus, "tuning", k, words)
        hidden = [h for hs in o.edits.values() for h in hs]
        print(f"  min_articles={k} max_words={words}: {_pct(o.false_with, o.pairs)}"
              f" / {_pct(sum(hidden), len(hidden))} / {_mean(o.f1_with)}")  # fmt: skip
    print(f"\nchosen: min_articles={args.min_articles} max_words={args.max_words}")
    for half in HALVES:
        report(half, evaluate(corpus, half, args.min_articles, args.max_words))
    return 0


if __name__ == "__main__":
    sys.exit(main())
