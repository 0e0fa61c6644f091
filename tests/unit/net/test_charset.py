"""Encodings: a declared charset with a few bad bytes is read leniently, not re-guessed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from monitor.config import FetchSettings
from monitor.net.charset import decode_body, mostly
from monitor.net.fetch import Fetcher
from tests.support.httpserver import TestServer, text

PARAS = "".join(
    f"<p>Paragraph {i}: the council met on Tuesday to discuss the rent review, which the "
    "owners say came without warning.</p>"
    for i in range(40)
)
# Long enough, and with few enough accents, for charset detection to guess a single-byte
# codec when strict UTF-8 fails (a short page is guessed right by chance).
STORY = (
    "<html><head>{meta}<title>Café owners protest</title></head><body><article>"
    "<h1>Café owners protest</h1><p class='byline'>By José Müller</p>"
    "<p>The café on the corner — open since 1952 — closed its doors on Tuesday.</p>"
    "<p>Owners say the “rent review” came without warning; naïve, one said, to expect otherwise.</p>"
    + PARAS
    + "<p>The council said it would respond next week.</p>"
    "</article></body></html>"
)


def _stray(meta: str = "") -> bytes:
    """The story in UTF-8 with one stray latin-1 byte (0xE9, "é") in the last paragraph."""
    page = STORY.format(meta=meta).encode("utf-8")
    return page.replace(b"respond next", b"r\xe9spond next")


@contextmanager
def _fetcher() -> Iterator[Fetcher]:
    with Fetcher(FetchSettings(allow_private_addresses=True, obey_robots=False)) as f:
        yield f


@pytest.mark.parametrize(
    ("content_type", "meta"),
    [
        ("text/html; charset=utf-8", ""),
        ("text/html", '<meta charset="utf-8">'),
        ("text/html", ""),
    ],
    ids=["header", "meta", "undeclared"],
)
def test_one_stray_byte_keeps_every_accent(content_type: str, meta: str) -> None:
    """A UTF-8 page with one stray latin-1 byte, declared by header, by meta or not at
    all, is read as UTF-8: every accent in title, byline and body survives, and the
    stray byte alone becomes one replacement character (before: detection guessed
    cp1250 or iso8859-10, garbling every accent)."""
    with TestServer({"/p": text(_stray(meta), content_type)}) as server, _fetcher() as f:
        result = f.fetch(server.url("/p"))
    assert result.outcome == "ok" and result.encoding == "utf-8"
    page = result.text or ""
    for phrase in ("Café owners protest", "José Müller", "— open since 1952 —", "“rent review”"):
        assert phrase in page
    assert page.count("\ufffd") == 1 and "r\ufffdspond" in page


def test_a_latin1_page_mislabelled_utf8_is_still_detected() -> None:
    """A windows-1252 page whose header says UTF-8 has no well-formed UTF-8 at all: it
    is not read leniently as UTF-8 (a replacement character for every accent) but
    detected, and its accents read right."""
    body = (STORY.format(meta="") * 3).encode("cp1252")
    decoded = decode_body(body, "text/html; charset=utf-8")
    assert decoded is not None
    page, codec = decoded
    assert codec != "utf-8" and "\ufffd" not in page
    assert "Café owners protest" in page


def test_lenient_reading_needs_few_bad_bytes_and_real_evidence() -> None:
    """``mostly`` accepts a codec only when bad bytes are rare (≤ 0.5 %) and outnumbered
    by well-formed non-ASCII characters; an ASCII page with one stray byte, or a page
    that is mostly invalid, is left to detection."""
    good = STORY.format(meta="").encode("utf-8")
    assert mostly(good + b"\xe9", "utf-8") is not None
    assert mostly(b"plain ascii text " * 100 + b"\xe9", "utf-8") is None
    assert mostly(good + b"\xe9" * 200, "utf-8") is None
    assert mostly(good, "no-such-codec") is None
