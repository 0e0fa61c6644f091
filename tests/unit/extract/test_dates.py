"""Dates written for people, in the starter config's languages, stored as ISO 8601 (UTC
where the time and its zone are known)."""

from __future__ import annotations

import pytest

from monitor.extract.cascade import extract
from monitor.extract.dates import parse_date
from monitor.extract.normalize import canonical_time, normalize

PARAS = "".join(
    f"<p>{p}</p>"
    for p in (
        "Im Hamburger Hafen ist am Montag ein Frachter auf Grund gelaufen, teilte die Polizei mit.",
        "Nach Angaben der Feuerwehr wurde niemand verletzt, die Elbe blieb befahrbar.",
        "Die Ursache des Unfalls ist noch unklar, die Ermittlungen dauern an.",
    )
)


def page(lang: str, head: str = "", header: str = "", aside: str = "") -> str:
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>Frachter</title>'
        f"{head}</head><body><main><article><h1>Frachter auf Grund gelaufen</h1>{header}"
        f"{PARAS}</article>{aside}</main></body></html>"
    )


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("4. März 2024", "de", "2024-03-04"),
        ("4 mars 2024", "fr", "2024-03-04"),
        ("4 de marzo de 2024", "es", "2024-03-04"),
        ("2024年3月4日", "ja", "2024-03-04"),
        ("令和6年3月4日", "ja", "2024-03-04"),
        ("March 4, 2024", "en", "2024-03-04"),
        ("1er mars 2024", "fr", "2024-03-01"),
        ("04.03.2024, 10.30 Uhr", "de", "2024-03-04T10:30:00+01:00"),
        ("Veröffentlicht am 4. Juli 2024, 10:30 Uhr", "de-DE", "2024-07-04T10:30:00+02:00"),
        ("Publié le 04 mars 2024 à 10h30", "fr", "2024-03-04T10:30:00+01:00"),
        ("Publié le 04 mars 2024 à 10h30", "fr-CA", "2024-03-04T10:30"),  # another zone
        ("04 mar 2024 - 10:30 CET", "es", "2024-03-04T10:30:00+01:00"),
        ("4 de marzo de 2024 - 10:30", "es-MX", "2024-03-04T10:30"),
        ("2024年3月4日 午後3時5分", "ja", "2024-03-04T15:05:00+09:00"),
        ("Mar. 4, 2024, 3 p.m. ET", "en", "2024-03-04T15:00:00-05:00"),
        ("03/04/2024", "en-US", "2024-03-04"),  # month first on an English page
        ("03/04/2024", "fr", "2024-04-03"),
        ("le 4 mars 2024 à 10h30 et demain", None, "2024-03-04T10:30"),  # "et" is "and"
        ("31.02.2024", "de", None),
        ("vor 3 Stunden", "de", None),
    ],
)
def test_parse_date(text: str, language: str | None, expected: str | None) -> None:
    """Dates as the starter config's outlets print them read into ISO 8601: a date alone
    as the calendar date; a time in a known zone with its offset; otherwise as printed."""
    assert parse_date(text, language) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("4. März 2024", "2024-03-04"),
        ("04.03.2024, 10.30 Uhr MEZ", "2024-03-04T09:30:00Z"),
        ("2024年3月4日 10時30分 JST", "2024-03-04T01:30:00Z"),
        ("2014-12-15T12:56-5:00", "2014-12-15T17:56:00Z"),  # an offset without its zero
        ("no date here", "no date here"),
    ],
)
def test_canonical_time_reads_dates_written_for_people(value: str, expected: str) -> None:
    """A stored date written for people comes out as ISO 8601, in UTC when it has a zone;
    text that holds no date is kept as given."""
    assert canonical_time(value) == expected


def test_a_german_visible_date_is_stored_in_utc() -> None:
    """A German story whose only date is '4. März 2024, 10:30 Uhr' in a <time> element is
    published 2024-03-04T09:30:00Z (Berlin is UTC+1 in March)."""
    html = page("de", header="<time>4. März 2024, 10:30 Uhr</time>")
    assert normalize(extract(html, "https://news.example/a")).published_at == "2024-03-04T09:30:00Z"


@pytest.mark.parametrize(
    ("lang", "head", "expected"),
    [
        ("es", '<meta property="article:published_time" content="4 de marzo de 2024">', "2024-03-04"),
        ("fr", '<meta name="pubdate" content="le 4 mars 2024 à 10h30">', "2024-03-04T09:30:00Z"),
        ("ja", '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "x", "datePublished": "2024年3月4日 10時30分"}</script>', "2024-03-04T01:30:00Z"),
    ],
)
def test_metadata_dates_written_for_people(lang: str, head: str, expected: str) -> None:
    """Meta tags and JSON-LD that write the date for people are read in the page's language."""
    assert normalize(extract(page(lang, head=head), "https://news.example/a")).published_at == expected


def test_other_stories_dates_and_update_stamps_are_not_the_publication_date() -> None:
    """Dates in a related-stories rail are ignored; an 'Aktualisiert' stamp is not the
    publication date; two different dates in the story mean no date rather than a guess."""
    rail = '<aside><span class="date">1. März 2024</span></aside>'
    ours = '<span class="date">4. März 2024</span>'
    assert normalize(extract(page("de", header=ours, aside=rail), "u")).published_at == "2024-03-04"
    updated = '<span class="date">Aktualisiert: 5. März 2024</span>'
    assert normalize(extract(page("de", header=updated), "u")).published_at is None
    two = '<span class="date">4. März 2024</span><span class="date">6. März 2024</span>'
    assert normalize(extract(page("de", header=two), "u")).published_at is None
