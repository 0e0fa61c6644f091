"""Learned furniture on real re-captures of the shared corpus (../shared/corpus).

Real pages whose article text did not change between captures but whose rails did
(a regional paper's teaser rail, a wire service's section label and teaser, a
magazine's related-story credits in the byline), and a real edit (BBC 32275608:
headline and body rewritten). Figures for both corpus halves: benchmarks/furniture.py.
"""

from __future__ import annotations

import json

import pytest

from monitor.extract import furniture
from monitor.extract.cascade import extract
from monitor.extract.normalize import content_hash, normalize
from monitor.models import Article
from tests.support.paths import CORPUS

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(
        not CORPUS.is_dir(), reason=f"shared corpus not found at {CORPUS} (only in the dev setup)"
    ),
]
N3K = CORPUS / "versions" / "newspaper3k-recaptures"
NSN = CORPUS / "versions" / "newssniffer-web-page-parser"


def _read(path, url: str = "") -> Article:  # type: ignore[no-untyped-def]
    from benchmarks.extraction import read_html

    return normalize(extract(read_html(path), url))


def _pair(name: str) -> tuple[Article, Article]:
    pairs = json.loads((N3K / "pairs.json").read_text(encoding="utf-8"))
    pair = next(p for p in pairs if p["name"] == name and p["label"].startswith("same_article"))
    return _read(N3K / pair["from"]), _read(N3K / pair["to"])


@pytest.mark.parametrize("name", ["pe.com2", "reuters.com1", "slate.com2"])
def test_a_rotated_rail_on_a_real_page_is_learned_and_reads_unchanged(name: str) -> None:
    """Without learning the two captures differ; the rotation is learned from the pair
    itself and both then read the same, the lead author kept."""
    before, after = _pair(name)
    assert content_hash(before) != content_hash(after)
    rotated = furniture.flips(before, after)
    assert rotated is not None
    learned = furniture.Learned(frozenset(key for key, _ in rotated))
    a, b = furniture.strip(before, learned), furniture.strip(after, learned)
    assert content_hash(a) == content_hash(b)
    assert a.byline.split(", ")[:1] == before.byline.split(", ")[:1]
    assert len(a.body) >= len(before.body) - 4


def test_a_real_edit_is_never_taken_for_a_rotation() -> None:
    """BBC 32275608, headline and body rewritten between captures: nothing is learned."""
    before = _read(NSN / "spec/fixtures/bbc_news/32275608.html")
    after = _read(NSN / "spec/fixtures/bbc_news/32275608-2020.html")
    assert content_hash(before) != content_hash(after)
    assert furniture.flips(before, after) is None
