"""URLs typed without a scheme get an error that says what to type instead."""

from __future__ import annotations

import pytest

from monitor.urls import BadURL, canonicalize_url


@pytest.mark.parametrize(
    ("typed", "suggested"),
    [
        ("localhost:9/story", "http://localhost:9/story"),
        ("127.0.0.1:8000/news/a", "http://127.0.0.1:8000/news/a"),
        ("example.org/news/story.html", "https://example.org/news/story.html"),
        ("www.bbc.co.uk", "https://www.bbc.co.uk"),
    ],
)
def test_a_url_without_a_scheme_is_refused_with_the_url_to_type(typed: str, suggested: str) -> None:
    """`localhost:9/story` is not "unsupported scheme 'localhost'" but "add the scheme:
    http://localhost:9/story"; public names get https."""
    with pytest.raises(BadURL) as caught:
        canonicalize_url(typed)
    assert f"add the scheme: {suggested}" in str(caught.value)
    assert canonicalize_url(suggested)  # and the suggestion itself is accepted


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("mailto:someone@example.org", "unsupported scheme 'mailto'"),
        ("ftp://example.org/file", "unsupported scheme 'ftp'"),
        ("javascript:alert(1)", "unsupported scheme 'javascript'"),
        ("not a url", "not a URL"),
    ],
)
def test_other_schemes_are_still_named_as_unsupported(typed: str, message: str) -> None:
    """Real schemes other than http(s) are not mistaken for a host missing its scheme."""
    with pytest.raises(BadURL) as caught:
        canonicalize_url(typed)
    assert message in str(caught.value) and "add the scheme" not in str(caught.value)
