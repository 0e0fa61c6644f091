"""Sentences, the project's one home for cutting text into them.

Two cuts, for two purposes, kept side by side so they evolve together:

- :func:`sentences` reads a paragraph the way a person does (not after "Mr." or
  "U.S."), for classification and the sentence export;
- :func:`passages` cuts a whole body into the unit stored once and searched.

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



# Reading sentences: stricter than passages (abbreviations do not end one).
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9À-Ý])")
_ABBREVIATIONS = frozenset(
    re.findall(
        r"\S+",
        "mr mrs ms dr st jr sr gen sen rep gov lt col sgt capt prof rev no vs etc inc corp co "
        "ltd jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k a.m p.m e.g i.e",
    )
)


def sentences(paragraph: str) -> list[str]:
    """Split a paragraph into sentences, not after common abbreviations like "Mr."."""
    parts, start = [], 0
    for match in _SENTENCE_END.finditer(paragraph):
        head = paragraph[start : match.start()].rstrip("\"'”’)]")
        last_word = head.rsplit(None, 1)[-1].rstrip(".").lower() if head.split() else ""
        if last_word in _ABBREVIATIONS or re.fullmatch(r"[a-z]", last_word):
            continue
        parts.append(paragraph[start : match.start()].strip())
        start = match.end()
    parts.append(paragraph[start:].strip())
    return [p for p in parts if p]
