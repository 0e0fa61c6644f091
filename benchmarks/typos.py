"""Typo fixes against real-word swaps, on the sentences of real article pages.

For each page of ``pages/scrapinghub-aeb`` (its annotated article text), per corpus half
(``benchmarks/corpus_split``):

- **typo fixes**: a word of a sentence is misspelt one way (two neighbouring letters
  swapped, a letter dropped, doubled, or replaced), and the misspelt sentence is edited
  back to the page's own. A typo fix should be reported ``minor``: the share that is,
  per way. A misspelling that happens to spell another known word ("form" for "from";
  the English list counts it more than ``RARE_COUNT`` times) is counted apart: there a
  reader sees a different word, and ``wording`` is the answer.
- **real-word swaps**: a word of a sentence is replaced with another common word one
  letter away ("trial" → "trail", "from" → "form"). That changes what the sentence says:
  the share reported ``minor`` is the false-minor rate (it should be near 0).

English sentences (the swaps are English words; the few pages in other languages are
left out), words of three letters or more, lowercase (a capitalised word is a name or
starts a sentence); one case of each per sentence, sampled with a fixed seed. The whole classifier
runs on each case (``classify`` on a one-sentence paragraph change in its page's text).

Run: ``PYTHONPATH=. .venv/bin/python benchmarks/typos.py [--per-half N]``
"""

from __future__ import annotations

import argparse
import json
import random
import re
import string
import sys
from collections import Counter
from pathlib import Path

from benchmarks.corpus_split import HALVES, split
from monitor.compare.classify import classify
from monitor.compare.diff import diff_versions
from monitor.compare.typos import RARE_COUNT, guess_language, word_list
from monitor.models import Version
from monitor.sentences import sentences

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
AEB = CORPUS / "pages" / "scrapinghub-aeb"
_WORD = re.compile(r"(?<![\w'’-])[a-z]{3,}(?![\w'’-])")
#: A swap target must be this common in the English list (a word readers know).
COMMON = 1000


def misspell(word: str, how: str, rng: random.Random) -> str:
    i = rng.randrange(len(word) - 1)
    if how == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if how == "drop":
        return word[:i] + word[i + 1 :]
    if how == "double":
        return word[: i + 1] + word[i] + word[i + 1 :]
    letter = rng.choice([c for c in string.ascii_lowercase if c != word[i]])
    return word[:i] + letter + word[i + 1 :]


def neighbours(word: str) -> list[str]:
    """Common English words one edit from ``word`` (a swap, drop, insert or replace)."""
    english = word_list("en")
    assert english is not None, "pyspellchecker's word lists are not installed"
    found = set()
    for i in range(len(word) + 1):
        for c in string.ascii_lowercase:
            found.add(word[:i] + c + word[i:])
            if i < len(word):
                found.add(word[:i] + c + word[i + 1 :])
        if i < len(word):
            found.add(word[:i] + word[i + 1 :])
        if i < len(word) - 1:
            found.add(word[:i] + word[i + 1] + word[i] + word[i + 2 :])
    found.discard(word)
    return sorted(w for w in found if len(w) >= 3 and english.count(w) >= COMMON)


def judged(paragraph: str, old: str, new: str) -> str:
    """The kinds classify reports when ``old`` (a sentence of ``paragraph``) becomes ``new``."""
    before = Version(1, 1, "t", "T", "B", paragraph, "a")
    after = Version(2, 1, "t", "T", "B", paragraph.replace(old, new, 1), "b")
    return ",".join(classify(diff_versions(before, after)).kinds)


def cases(per_half: int, seed: int = 7) -> dict[str, list[tuple[str, str, str, str]]]:
    """(kind, paragraph, old sentence, new sentence) per half."""
    english = word_list("en")
    assert english is not None
    truth = json.loads((AEB / "ground-truth.json").read_text(encoding="utf-8"))
    rng = random.Random(seed)
    out: dict[str, list[tuple[str, str, str, str]]] = {h: [] for h in HALVES}
    taken = Counter[str]()
    pages = sorted(AEB.glob("html/*.html.gz"))
    rng.shuffle(pages)
    for page in pages:
        half = split(page)
        entry = truth.get(page.name.removesuffix(".html.gz"))
        if not entry:
            continue
        for paragraph in entry["articleBody"].split("\n"):
            for sentence in sentences(paragraph)[:3]:
                words = _WORD.findall(sentence)
                english_text = guess_language(paragraph) == "en"
                if len(words) < 6 or taken[half] >= per_half or not english_text:
                    continue
                taken[half] += 1
                word = rng.choice(words)
                how = rng.choice(("swap", "drop", "double", "replace"))
                typo = misspell(word, how, rng)
                # a misspelling the list knows beyond its floor reads as another word
                known = english.count(typo) > RARE_COUNT
                kind = "typo:is-a-word" if known else f"typo:{how}"
                wrong = re.sub(rf"(?<![\w'’-]){word}(?![\w'’-])", typo, sentence, count=1)
                out[half].append((kind, paragraph.replace(sentence, wrong, 1), wrong, sentence))
                swaps = neighbours(word)
                if swaps:
                    other = rng.choice(swaps)
                    changed = re.sub(rf"(?<![\w'’-]){word}(?![\w'’-])", other, sentence, count=1)
                    out[half].append(("swap", paragraph, sentence, changed))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-half", type=int, default=400, help="sentences sampled per half")
    args = parser.parse_args(argv)
    if not AEB.exists():
        print(f"skipped: {AEB} not found (the corpus lives in ../shared/corpus beside the repo)")
        return 0
    by_half = cases(args.per_half)
    print("half      case                 n   minor  (share)")
    for half in HALVES:
        tally: Counter[tuple[str, bool]] = Counter()
        for kind, paragraph, old, new in by_half[half]:
            tally[kind, judged(paragraph, old, new) == "minor"] += 1
        for kind in sorted({k for k, _ in tally}):
            n = tally[kind, True] + tally[kind, False]
            print(f"{half:<9} {kind:<16} {n:>5} {tally[kind, True]:>7}  ({tally[kind, True] / n:.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
