"""A fixed split of ../shared/corpus pages into a tuning half and a held-out half.

Import it anywhere a figure must be reported for both halves::

    from benchmarks.corpus_split import split
    split("pages/scrapinghub-aeb/html/0a1b....html.gz")  # "tuning" or "heldout"

The half depends only on the page's path inside the corpus (an absolute path is cut
at its ``pages/`` or ``versions/`` component), so it is the same on every machine and
in every run. Captures of one article (``name.v0.<commit>.html``, ``name.v1...`` in
newspaper3k-recaptures; in newssniffer-web-page-parser every file named after one story,
``slug.html``, ``slug-2022.html``, ``history_nyt_pre2020/slug.<commit>.html``) share a
half: tuning on one capture must not leak into the held-out figure of another.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import PurePath, PurePosixPath
from typing import Literal

Half = Literal["tuning", "heldout"]
HALVES: tuple[Half, ...] = ("tuning", "heldout")

NEWSPAPER3K = ("versions", "newspaper3k-recaptures")
NEWSSNIFFER = ("versions", "newssniffer-web-page-parser")
# name.v0.<40 hex>.html (newspaper3k recaptures) or slug.<7 hex>.html (newssniffer history)
_CAPTURE = re.compile(r"^(?P<name>.+?)(?:\.v\d+)?\.[0-9a-f]{7,40}\.html$")
# slug-2022.html: newssniffer's later capture of the story in slug.html
_YEAR = re.compile(r"-(?:19|20)\d\d$")


def corpus_key(path: str | PurePath) -> str:
    """The page's path inside the corpus, with a capture suffix dropped (see module doc)."""
    parts = PurePosixPath(PurePath(path).as_posix()).parts
    roots = [i for i, part in enumerate(parts) if part in ("pages", "versions")]
    rel = PurePosixPath(*parts[roots[-1] :]) if roots else PurePosixPath(*parts)
    if rel.parts[:2] == NEWSPAPER3K and (match := _CAPTURE.match(rel.name)):
        return PurePosixPath(*NEWSPAPER3K, match.group("name")).as_posix()
    if rel.parts[:2] == NEWSSNIFFER:
        match = _CAPTURE.match(rel.name)
        stem = match.group("name") if match else rel.name.removesuffix(".html")
        return PurePosixPath(*NEWSSNIFFER, _YEAR.sub("", stem)).as_posix()
    return rel.as_posix()


def split(path: str | PurePath) -> Half:
    """ "tuning" or "heldout" for a corpus page, from a hash of its corpus path."""
    digest = hashlib.sha256(corpus_key(path).encode()).digest()
    return HALVES[digest[0] & 1]
