"""A version's body cut into passages: the unit stored once and searched.

A passage is a sentence with the whitespace after it (a paragraph break included),
so joining a body's passages with nothing between them gives the body back,
byte for byte, whatever the text. Sentences rather than paragraphs because an
edit usually touches one sentence: storing (and indexing) a long paragraph again
for one changed word cost more than the rest of the version.
"""

from __future__ import annotations

import re

# After a paragraph break, or after sentence-ending punctuation (with any closing
# quotes or brackets) and a space, when a capital, digit or opening quote follows.
# Abbreviations ("Mr. Smith") split too: harmless, passages only need to be stable.
_BOUNDARY = re.compile(r"\n\n+|[.!?…][\"'”’)\]]*[ \t]+(?=[\"'“‘(\[]?[A-Z0-9À-Þ])")


def passages(body: str) -> list[str]:
    """``body`` cut after each sentence and paragraph break; ``"".join`` restores it."""
    cuts = [match.end() for match in _BOUNDARY.finditer(body)]
    starts = [0, *cuts]
    pieces = [body[start:end] for start, end in zip(starts, [*cuts, len(body)], strict=True)]
    return [piece for piece in pieces if piece] or [""]
