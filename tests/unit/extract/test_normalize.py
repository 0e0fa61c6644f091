"""Normalization, hashing and suspect detection on hand-written articles."""

from __future__ import annotations

import pytest

from monitor.extract.normalize import (
    canonical_time,
    content_hash,
    is_furniture,
    normalize,
    suspect_reason,
)
from monitor.models import Article

STORY = (
    "The harbour board voted on Tuesday to close the old ferry pier for repairs.",
    "Repairs will take about six weeks, the board's chair told reporters.",
)


def test_invisible_characters_and_spaces_are_canonical() -> None:
    """Non-breaking spaces, zero-width spaces, soft hyphens and decomposed accents vanish."""
    messy = Article(
        title="Caf\u0065\u0301 owners\u00a0protest",
        body=("Re\u00adpairs  will\u200b take\n six weeks.",),
    )
    clean = normalize(messy)
    assert clean.title == "Café owners protest"
    assert clean.body == ("Repairs will take six weeks.",)


def test_curly_quotes_are_kept() -> None:
    """Typography is the classifier's business: quotes are not folded."""
    assert normalize(Article(title="“Pier” ‘closed’")).title == "“Pier” ‘closed’"


def test_furniture_lines_are_dropped() -> None:
    """Timestamps, ad labels, promos, share bars, comment counts and newsletter boxes go."""
    furniture = (
        "Updated 5 minutes ago",
        "Published: 12 April 2015",
        "Advertisement",
        "READ MORE: Ferry fares to rise next year",
        "ALSO READ: The harbour's history",
        "RELATED: Pier inspection report",
        "Share this article",
        "Facebook Twitter Email",
        "45 comments",
        "Sign up for our newsletter to get harbour news every morning.",
        "Image copyright Harbour Board",
        "",
    )
    article = Article(title="Pier closes", body=(STORY[0], *furniture, STORY[1]))
    assert normalize(article).body == STORY


def test_article_sentences_about_furniture_words_are_kept() -> None:
    """A sentence that mentions comments or newsletters is article text, not furniture."""
    for sentence in (
        "Read more about the vote in the board's minutes, the chair said.",
        "The newsletter sent to residents on Monday did not mention the closure.",
        "Copyright law was not part of the discussion.",
    ):
        assert not is_furniture(sentence)


def test_headline_repeated_in_body_is_dropped() -> None:
    """A second copy of the headline inside the article container is not a paragraph."""
    article = Article(title="Pier closes", body=("Pier closes", *STORY))
    assert normalize(article).body == STORY


def test_normalize_is_idempotent() -> None:
    """Normalizing twice changes nothing."""
    article = Article(
        title=" Pier\u00a0closes ",
        byline="Ann  Lee",
        body=("Advertisement", " Re\u00adpairs   begin. ", *STORY),
        published_at="2024-03-05T10:15:42+01:00",
    )
    once = normalize(article)
    assert normalize(once) == once


def test_times_are_utc_to_the_minute() -> None:
    """One instant written three ways gives one value; undated-offset values stay as given."""
    spellings = ("2019-11-01T22:25:50.000Z", "2019-11-01T18:25:00-04:00", "2019-11-01 22:25:07 UTC")
    assert {canonical_time(s) for s in spellings} == {"2019-11-01T22:25:00Z"}
    assert canonical_time("Mon, 22 Dec 2014 12:43:29 -0500") == "2014-12-22T17:43:00Z"
    assert canonical_time("2014-12-23") == "2014-12-23"


def test_hash_ignores_furniture_and_modified_at() -> None:
    """Re-renders that differ in furniture, whitespace or modified time hash the same."""
    first = Article(title="Pier closes", body=STORY, modified_at="2024-03-05T10:00:00Z")
    rerender = Article(
        title="Pier\u00a0closes",
        body=("Updated 2 hours ago", STORY[0], "Advertisement", STORY[1]),
        modified_at="2024-03-05T12:30:00Z",
    )
    assert content_hash(first) == content_hash(rerender)


def test_hash_sees_real_changes() -> None:
    """Title, byline, body and publication time each change the hash."""
    base = Article(title="Pier closes", byline="Ann Lee", body=STORY, published_at="2024-03-05")
    variants = (
        Article(title="Pier to close", byline="Ann Lee", body=STORY, published_at="2024-03-05"),
        Article(title="Pier closes", byline="Bo Chen", body=STORY, published_at="2024-03-05"),
        Article(title="Pier closes", byline="Ann Lee", body=STORY[:1], published_at="2024-03-05"),
        Article(title="Pier closes", byline="Ann Lee", body=STORY, published_at="2024-03-06"),
    )
    assert len({content_hash(v) for v in (base, *variants)}) == 5


def test_suspect_empty_body() -> None:
    """An extraction with no body text is suspect."""
    assert (
        suspect_reason(Article(title="Pier closes", body=("Advertisement",)), None) == "empty body"
    )


def test_suspect_shrunk_body() -> None:
    """A body that lost most of a long previous body is suspect; a modest cut is not."""
    previous = "\n\n".join(["A sentence about the pier and its repairs, long enough."] * 12)
    short = Article(title="t", body=("The pier closes for repairs this week, officials said.",))
    reason = suspect_reason(short, previous)
    assert reason is not None and reason.startswith("body shrank from ")
    assert (
        suspect_reason(Article(title="t", body=tuple(previous.split("\n\n")[:8])), previous) is None
    )


def test_suspect_consent_and_paywall_pages() -> None:
    """Cookie walls, paywalls and JavaScript walls in several languages are suspect."""
    walls = (
        "We use cookies to improve your experience. Accept all cookies to continue.",
        "Subscribe to continue reading. Already a subscriber? Sign in.",
        "Please enable JavaScript to view this page.",
        "Wir verwenden Cookies. Alle akzeptieren",
        "Nous utilisons des cookies. Tout accepter et continuer",
        "Utilizamos cookies propias y de terceros. Aceptar todas",
        "Suscríbete para seguir leyendo este artículo.",
        "Abonnez-vous pour lire la suite. Déjà abonné ?",
    )
    for wall in walls:
        assert suspect_reason(Article(title="t", body=(wall,)), None) == "consent or paywall text"


def test_real_article_is_not_suspect() -> None:
    """A normal article, even one that mentions cookies once, is not suspect."""
    body = (*STORY, "Bakers near the pier said customers still buy cookies there.") * 6
    assert suspect_reason(Article(title="Pier closes", body=body), "\n\n".join(body)) is None


WALL_PHRASES = [
    "We use cookies to improve your experience.",
    "Accept all cookies",
    "Manage consent",
    "Subscribe to continue reading.",
    "This article is only available to subscribers.",
    "Already a subscriber? Sign in.",
    "Please enable JavaScript to view this page.",
    "Are you a robot?",
    "Wir verwenden Cookies.",
    "Zustimmen und weiter",
    "Jetzt abonnieren",
    "Nur für Abonnenten",
    "Nous utilisons des cookies.",
    "Réservé aux abonnés",
    "Veuillez activer JavaScript.",
    "Utilizamos cookies.",
    "Suscríbete para seguir leyendo",
    "Contenido exclusivo para suscriptores",
    "Utilizziamo i cookie.",
    "Wij gebruiken cookies.",
]


@pytest.mark.parametrize("phrase", WALL_PHRASES)
def test_wall_phrases_in_every_language_make_a_page_suspect(phrase: str) -> None:
    """A short page that is a consent or paywall message is suspect, in each language we know."""
    from monitor.extract.normalize import suspect_reason
    from monitor.models import Article

    page = Article(title="News", body=(phrase, "Continue"))
    assert suspect_reason(page, None) == "consent or paywall text"


def test_already_normalized_articles_report_the_same_as_raw_ones() -> None:
    """An article normalize() returned gives the same hash and suspect verdict as its raw
    source, and normalizing it again returns it unchanged; a copy edited with replace()
    (messy text again) is normalized afresh, not trusted."""
    from dataclasses import replace

    raw = Article(
        title=" Pier\u00a0closes ",
        body=("Advertisement", "We use cookies. Accept all cookies to continue."),
    )
    canonical = normalize(raw)
    assert normalize(canonical) is canonical
    assert content_hash(canonical) == content_hash(raw)
    assert suspect_reason(canonical, None) == suspect_reason(raw, None)
    assert suspect_reason(canonical, None) == "consent or paywall text"
    edited = replace(canonical, body=("Advertisement", " Repairs\u200b  take six weeks."))
    assert normalize(edited).body == ("Repairs take six weeks.",)
    assert content_hash(edited) == content_hash(normalize(edited))
    assert suspect_reason(replace(canonical, body=("Advertisement",)), None) == "empty body"


def test_long_pages_are_walls_only_when_wall_text_is_half_of_them() -> None:
    """Past 1,500 characters a page is a consent or paywall page only when the wall text is
    at least half of it: a long wall is flagged, a long article with one wall line is not."""
    wall = "We use cookies to improve your experience. Accept all cookies to continue."
    article_line = "The harbour board met again on Thursday to discuss the pier's future."
    long_wall = (wall,) * 20 + (article_line,) * 10
    long_story = (wall,) + (article_line,) * 25
    assert len("\n\n".join(long_wall)) > 1500 and len("\n\n".join(long_story)) > 1500
    assert suspect_reason(Article(title="t", body=long_wall), None) == "consent or paywall text"
    assert suspect_reason(Article(title="t", body=long_story), None) is None
