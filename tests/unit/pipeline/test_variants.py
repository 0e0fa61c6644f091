"""Page variants and canonical candidates (monitor.pipeline.variants)."""

from __future__ import annotations

import pytest

from monitor.models import Article
from monitor.pipeline.variants import candidates, is_variant, same_article, unvaried


@pytest.mark.parametrize(
    ("variant", "canonical"),
    [
        ("https://news.example/2024/03/bridge/amp/", "https://news.example/2024/03/bridge/"),
        ("https://news.example/amp/2024/03/bridge", "https://news.example/2024/03/bridge"),
        ("https://news.example/bridge?outputType=amp", "https://news.example/bridge"),
        ("https://news.example/bridge?id=7&amp=1", "https://news.example/bridge?id=7"),
        ("https://news.example/bridge.amp.html", "https://news.example/bridge.html"),
        ("https://m.news.example/bridge", "https://news.example/bridge"),
        ("https://mobile.news.example/bridge", "https://news.example/bridge"),
        ("https://news.example/bridge/print/", "https://news.example/bridge/"),
        ("https://news.example/bridge?view=print", "https://news.example/bridge"),
    ],
)
def test_variant_addresses_lose_their_marks(variant: str, canonical: str) -> None:
    """AMP, mobile-host and print addresses map to the article's own address."""
    assert is_variant(variant) and unvaried(variant) == canonical


@pytest.mark.parametrize(
    "url",
    [
        "https://news.example/2024/03/amplifiers-on-sale",
        "https://news.example/print-edition-ends",
        "https://mobile-news.example/story",
        "https://news.example/story?page=2",
    ],
)
def test_ordinary_addresses_are_not_variants(url: str) -> None:
    """Words that merely contain "amp" or "print" do not make a variant."""
    assert not is_variant(url)


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        ("https://news.example/a/bridge", ["https://news.example/a/bridge"]),
        ("12345", ["https://news.example/a/12345"]),  # junk: tried, and a 404 rejects it
        ("https://other.example/a/bridge", []),  # another site
        ("/", []),  # the front page
        ("https://news.example/", []),
        (None, []),
        ("", []),
        ("javascript:alert(1)", []),
    ],
)
def test_declared_canonical_candidates(declared: str | None, expected: list[str]) -> None:
    """A declared canonical is a candidate only on the same site and not the front page."""
    assert candidates("https://news.example/a/bridge-x", declared) == expected


def test_a_variant_falls_back_to_its_unmarked_address() -> None:
    """An AMP page with a broken canonical still has its unmarked address to try."""
    assert candidates("https://news.example/bridge/amp", "/") == ["https://news.example/bridge"]


BODY = (
    "The Old Harbour Bridge reopened to traffic on Monday after eight months of repairs.",
    "Engineers replaced 40 steel cables and resurfaced the full length of the deck.",
    "The city council said the work came in under its budget of 12 million.",
)


def test_same_article_by_headline_or_by_body() -> None:
    """The canonical page serves the article when the headline matches, or most of the
    variant's paragraphs are on it; another article or an empty page does not."""
    amp = Article("Old Harbour Bridge reopens", body=BODY[:2])
    assert same_article(amp, Article("Old Harbour Bridge reopens to traffic", body=BODY))
    assert same_article(amp, Article("Bridge open again", body=BODY))
    assert not same_article(
        amp, Article("Market hall to open on Sundays", body=("Traders voted.",))
    )
    assert not same_article(amp, Article(""))
