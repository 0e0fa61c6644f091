"""Extraction targets on the shared real-page corpus (../shared/corpus beside the repo).

One pass of our cascade over every corpus part plus trafilatura alone on the
body benchmark, shared by the assertions (about 25 s). Figures and the
comparison rules are documented in benchmarks/extraction.py.
"""

from __future__ import annotations

import pytest

from tests.support.paths import CORPUS

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.slow,
    pytest.mark.skipif(
        not CORPUS.is_dir(), reason=f"shared corpus not found at {CORPUS} (only in the dev setup)"
    ),
]


@pytest.fixture(scope="module")
def reports():  # type: ignore[no-untyped-def]
    from benchmarks.extraction import measure, ours, trafilatura_alone

    return measure("ours", ours), measure("trafilatura", trafilatura_alone, frozenset({"body"}))


def test_no_false_changes_on_rerenders(reports) -> None:  # type: ignore[no-untyped-def]
    """Re-captures whose article text did not change never produce a new content hash."""
    mine, _ = reports
    assert len(mine.changes) >= 100
    assert [name for name, _, changed in mine.changes if changed] == []


def test_body_f1_at_least_trafilatura(reports) -> None:  # type: ignore[no-untyped-def]
    """Body token F1 on the AEB benchmark is no worse than trafilatura alone, and ≥ 0.95."""
    mine, theirs = reports
    assert len(mine.bodies) == len(theirs.bodies) > 150
    assert mine.body_mean(3) >= theirs.body_mean(3)
    assert mine.body_mean(3) >= 0.95


def test_bylines(reports) -> None:  # type: ignore[no-untyped-def]
    """At least 85% of Readability's bylines are found (name-token containment)."""
    mine, _ = reports
    assert mine.byline_rate >= 0.85


def test_titles(reports) -> None:  # type: ignore[no-untyped-def]
    """Titles match Readability's: ≥ 0.75 exactly, ≥ 0.85 once site-name segments are ignored.

    Below the 0.95 goal on purpose: our contract takes the displayed <h1> and
    drops the site name, where Readability keeps the metadata title ("… | eHow").
    These floors guard against regressions.
    """
    mine, _ = reports
    assert mine.title_rate >= 0.75
    assert mine.title_rate_sans_site >= 0.85


def test_extraction_is_fast_enough(reports) -> None:  # type: ignore[no-untyped-def]
    """Mean extraction time stays well under a tenth of a second per page."""
    mine, _ = reports
    assert mine.ms_per_page < 100
