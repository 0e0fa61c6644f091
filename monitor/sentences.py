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

Both cuts read the punctuation of the starter config's languages: Latin sentence
ends followed by a space and a capital, French guillemets (« … », with or without
the space French puts inside them), and the CJK full stops 。！？, which end a
sentence with no space after them (Japanese and Chinese put none).
"""

from __future__ import annotations

import re

#: Closing quotes and brackets that may follow a sentence's last mark (French puts a
#: space before » and after «: "prêts. » Il", handled where these are used).
_CLOSERS = "\"'”’)\\]»›」』）】"
_OPENERS = "\"'“‘(\\[«‹「『（【¿¡"
#: A sentence's first character after a Latin end: a capital (Latin, Greek, Cyrillic),
#: a digit, a CJK character (no case), or an opening quote or bracket.
_CAPITALS = "A-Z0-9À-ÖØ-ÞĆČŁŃŚŠŹŻŽΑ-ΩА-ЯЀ-Џ\u3040-\u30ff\u4e00-\u9fff"
_STARTS = rf"[{_OPENERS}]|[{_CAPITALS}]"
#: CJK sentence ends: no space follows them, and anything may come next but a
#: quotative particle or comma (「はい。」と答えた is one sentence).
_CJK_END = "。！？"
_CJK_GOES_ON = "と、，,"

# After a paragraph break; after sentence-ending punctuation (with any closing
# quotes or brackets) and a space, when a capital, digit or opening quote follows;
# or after a CJK full stop and its closers, before anything but more closers.
# Abbreviations ("Mr. Smith") split too: harmless, passages only need to be stable.
_BOUNDARY = re.compile(
    rf"\n\n+|[.!?…](?:[ \u00a0\u202f]?[{_CLOSERS}])*[ \t]+(?=(?:{_STARTS}))"
    rf"|[{_CJK_END}][{_CLOSERS}]*[ \t]*(?=[^\s{_CLOSERS}{_CJK_GOES_ON}])"
)


def passages(body: str) -> list[str]:
    """``body`` cut after each sentence and paragraph break; ``"".join`` restores it."""
    cuts = [match.end() for match in _BOUNDARY.finditer(body)]
    starts = [0, *cuts]
    pieces = [body[start:end] for start, end in zip(starts, [*cuts, len(body)], strict=True)]
    return [piece for piece in pieces if piece] or [""]


# Reading sentences: stricter than passages (abbreviations do not end one).
# The closing quotes stay with the sentence they close ("close"); the space after is
# dropped.
_SENTENCE_END = re.compile(
    rf"(?<=[.!?])(?P<close>(?:[ \u00a0\u202f]?[{_CLOSERS}])*)\s+(?=(?:{_STARTS}))"
    rf"|(?<=[{_CJK_END}])(?P<cjk>[{_CLOSERS}]*)\s*(?=[^\s{_CLOSERS}{_CJK_GOES_ON}])"
)
_ABBREVIATIONS = frozenset(
    re.findall(
        r"\S+",
        "mr mrs ms dr st jr sr gen sen rep gov lt col sgt capt prof rev no vs etc inc corp co "
        "ltd jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k a.m p.m e.g i.e "
        # German, French, Spanish titles and abbreviations that end in a full stop
        "hr fr mme mlle mgr sr sra srta dña bzw ca vgl z.b d.h u.a",
    )
)


def sentences(paragraph: str) -> list[str]:
    """Split a paragraph into sentences, not after common abbreviations like "Mr."."""
    parts, start = [], 0
    for match in _SENTENCE_END.finditer(paragraph):
        head = paragraph[start : match.start()]
        if match.group("cjk") is None:
            last_word = head.rsplit(None, 1)[-1].rstrip(".").lower() if head.split() else ""
            if last_word in _ABBREVIATIONS or re.fullmatch(r"[a-z]", last_word):
                continue
        end = match.end("close" if match.group("cjk") is None else "cjk")
        parts.append(paragraph[start:end].strip())
        start = match.end()
    parts.append(paragraph[start:].strip())
    return [p for p in parts if p]
