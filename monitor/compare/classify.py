"""Change kinds with evidence, and the silent flag (pure).

Decisions a reviewer should know about:

- A headline change that is only case, punctuation or typography is ``minor``,
  not ``headline``; a changed figure in it is ``numbers`` as well as ``headline``.
- An added (removed) paragraph that consists only of comment lines is reported
  as ``comment_line`` alone: the specific kind subsumes ``paragraph_added``.
  The same holds for an added correction notice (``correction_note`` alone).
- A comment line, correction notice or quote added inside an existing paragraph
  is found sentence by sentence; what is left is ``numbers``, ``quote`` or
  ``wording``. A typo fix (a misspelt word spelt right: see ``compare.typos``) is
  ``minor``, in the body and in a headline; never a negation, a name or a figure.
- An added paragraph that opens with a correction or update note is that note, whole
  ("Correction: … It is 3,000." is one note, not a note plus a new paragraph).
- ``moved`` (added to the vocabulary) marks a paragraph at another position.
  Like every kind but ``minor`` it is substantive (DESIGN.md): moving a denial
  to the last paragraph changes what readers see. A moved paragraph that was
  also edited brings its own ``wording``/``numbers``/``quote`` kinds.
- ``minor`` is reported only when nothing substantive happened.
- ``revert`` keeps the other kinds of the change (a reverted typo fix stays
  ``minor`` + ``revert``); like every kind but ``minor`` it counts as
  substantive for the silent flag, as DESIGN.md says.
- ``silent`` follows DESIGN.md: a substantive edit that no note added in the same
  change covers. A note covers the edits it speaks about (``compare.notes``); a
  generic one ("This story has been updated.") covers all. An article removed
  (404/410) is a silent change.
- Summaries and evidence name versions by the article's own numbers (1, 2, 3…):
  ``revert_to`` is a version number, never a row id.
- On a live blog (``live``: the new version's posts), a post whose every paragraph is
  new is ``live_update``, never silent; an edit, addition or removal in an earlier post
  or in the summary above the posts is classified as on any article. Posts that drop
  off the bottom of the page while new ones arrive at the top (the page shows the
  latest N posts) are part of the ``live_update``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from typing import Literal

from monitor.compare.diff import CHANGED_THRESHOLD, similarity
from monitor.compare.live import live_posts
from monitor.compare.notes import covers, note_scope
from monitor.compare.signals import (
    is_comment_line,
    is_correction_note,
    numbers,
    quotes,
    typographic_form,
    words,
)
from monitor.compare.signals import letters_key as _letters_key
from monitor.compare.typos import only_typo_fixes, typo_fixed_sentences, word_changes
from monitor.models import (
    CHANGE_KINDS,
    NON_SUBSTANTIVE_KINDS,
    Classification,
    Evidence,
    FieldDiff,
    LiveBlog,
    VersionDiff,
)
from monitor.sentences import sentences as _sentences


# One classification asks for the same sentence splits and letter keys many times
# (each paragraph is split again per signal); both are pure, so they are memoised.
@lru_cache(maxsize=4096)
def letters_key(text: str) -> str:
    """``textsignals.letters_key``, memoised."""
    return _letters_key(text)


@lru_cache(maxsize=1024)
def _sentence_tuple(paragraph: str) -> tuple[str, ...]:
    return tuple(_sentences(paragraph))


def sentences(paragraph: str) -> list[str]:
    """``textsignals.sentences``, memoised (a fresh list each call: callers edit it)."""
    return list(_sentence_tuple(paragraph))


HeadlineKind = Literal["wording", "case/punct-only", "typographic-only", "same"]
#: Kinds that say nothing about the text itself, so they never hide a ``minor`` edit.
_NOT_TEXT_CHANGES = frozenset({"revert"})
#: Quoted text shorter than this is a scare quote ('oldest ice'), not someone's words.
_QUOTE_MIN_WORDS = 3
_SUMMARY_LIMIT = 200


def headline_change_kind(old: str, new: str) -> HeadlineKind:
    """How a headline changed: ``wording``, or a cosmetic change, or not at all.

    Typographic-only: curly/straight quotes, dashes, ellipses, spacing. Case/punct-only:
    the same letters and digits ("side effect" → "side-effect", "5000" → "5,000"),
    unless a figure's value changed ("5.5%" → "55%").
    """
    if old == new:
        return "same"
    if typographic_form(old) == typographic_form(new):
        return "typographic-only"
    if letters_key(old) == letters_key(new) and _figures(old) == _figures(new):
        return "case/punct-only"
    return "wording"


def _figures(text: str) -> list[str]:
    plain = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    return re.findall(r"\d+(?:\.\d+)?", plain)


def is_substantive(kinds: Iterable[str]) -> bool:
    """DESIGN.md: any kind but ``minor`` (a ``correction_note`` makes a change open, not silent)."""
    return any(k not in NON_SUBSTANTIVE_KINDS for k in kinds)


def classify(
    diff: VersionDiff, *, revert_to: int | None = None, live: LiveBlog | None = None
) -> Classification:
    """Kinds (vocabulary order), evidence, silent flag and a one-line summary of a diff.

    ``revert_to``: the number (the article's own: 1, 2, 3…) of an earlier, non-latest
    version the new one equals (the store knows the history; the diff does not).
    ``live``: the new version's posts, when the page is a live blog.
    """
    evidence: list[Evidence] = []
    _title(diff.title, evidence)
    _byline(diff.byline, evidence)
    posted = live_posts(diff.paragraphs, live, evidence) if live is not None else set()
    for op in diff.paragraphs:
        if id(op) in posted:
            continue
        if op.kind == "added" and op.new is not None:
            _added_paragraph(op.new, evidence)
        elif op.kind == "removed" and op.old is not None:
            _removed_paragraph(op.old, evidence)
        elif op.old is not None and op.new is not None and op.kind in ("changed", "moved"):
            if op.kind == "moved":
                where = f"paragraph {op.old_index + 1 if op.old_index is not None else '?'}"
                to = f"paragraph {op.new_index + 1 if op.new_index is not None else '?'}"
                evidence.append(Evidence("moved", "body", op.new, where, to))
            _changed_paragraph(op.old, op.new, evidence)
    if revert_to is not None:
        text = f"same as earlier version {revert_to}"
        evidence.append(Evidence("revert", "version", text, None, str(revert_to)))
    if diff.changed and not evidence:
        evidence.append(Evidence("minor", "body", "whitespace-level change"))
    if is_substantive(e.kind for e in evidence if e.kind not in _NOT_TEXT_CHANGES):
        evidence = [e for e in evidence if e.kind != "minor"]
    kinds = tuple(k for k in CHANGE_KINDS if any(e.kind == k for e in evidence))
    uncovered = _uncovered(evidence)
    summary = _summary(diff, evidence, uncovered, posted)
    return Classification(kinds, tuple(evidence), bool(uncovered), summary)


def _uncovered(evidence: list[Evidence]) -> list[Evidence]:
    """The substantive edits no note added in this change speaks about (``compare.notes``).

    A revert says nothing about text, so it is covered when every text edit is.
    """
    scopes = [note_scope(e.text) for e in evidence if e.kind == "correction_note"]
    edits = [e for e in evidence if is_substantive([e.kind])]
    text_edits = [e for e in edits if e.kind not in _NOT_TEXT_CHANGES]
    left = [e for e in text_edits if not any(covers(scope, e) for scope in scopes)]
    if scopes and not left:
        return []
    return left + [e for e in edits if e.kind in _NOT_TEXT_CHANGES]


def classify_dates(old_published: str | None, new_published: str | None) -> Classification:
    """Text unchanged, publication date moved: recorded as ``minor`` with the dates as evidence.

    Re-stamping is common CMS behaviour; back-dating is worth a look, so the
    change is kept (the version differs) but is not called silent.
    """
    text = f"publication date {old_published or '(none)'} → {new_published or '(none)'}"
    evidence = Evidence("minor", "published_at", text, old_published, new_published)
    return Classification(("minor",), (evidence,), False, f"Publication date changed: {text[17:]}")


def classify_status(
    event: Literal["removed", "restored"], *, status_code: int | None = None
) -> Classification:
    """The verdict when an article disappears (404/410) or comes back."""
    code = f" (HTTP {status_code})" if status_code is not None else ""
    if event == "removed":
        text, summary = f"article gone{code}", f"Article removed{code}"
    else:
        text, summary = f"article back online{code}", f"Article restored{code}"
    evidence = Evidence(event, "status", text, None, str(status_code) if status_code else None)
    return Classification((event,), (evidence,), is_substantive([event]), summary)


# --- fields --------------------------------------------------------------------


def _title(field: FieldDiff, evidence: list[Evidence]) -> None:
    kind = headline_change_kind(field.old, field.new)
    if kind == "same":
        return
    # a typo fix, quoted words included, with the same figures
    if kind != "wording" or typo_fixed_sentences([field.old], [field.new]):
        evidence.append(Evidence("minor", "title", field.new, field.old, field.new))
        return
    evidence.append(Evidence("headline", "title", field.new, field.old, field.new))
    _numbers(field.old, field.new, "title", evidence)
    _quotes(field.old, field.new, "title", evidence)


def _byline(field: FieldDiff, evidence: list[Evidence]) -> None:
    if not field.changed:
        return
    kind = "minor" if letters_key(field.old) == letters_key(field.new) else "byline"
    evidence.append(Evidence(kind, "byline", field.new, field.old, field.new))


# --- paragraphs ------------------------------------------------------------------


def _special(sentence: str, *, added: bool) -> str | None:
    """The specific kind of a sentence: a correction notice (when added) or a comment line."""
    if added and is_correction_note(sentence):
        return "correction_note"
    if is_comment_line(sentence):
        return "comment_line"
    return None


def _added_paragraph(text: str, evidence: list[Evidence]) -> None:
    split = sentences(text)
    if split and is_correction_note(split[0]):
        evidence.append(Evidence("correction_note", "body", text, None, text))
        return
    rest = []
    for sentence in split:
        kind = _special(sentence, added=True)
        if kind:
            evidence.append(Evidence(kind, "body", sentence, None, sentence))
        else:
            rest.append(sentence)
    if rest:
        evidence.append(Evidence("paragraph_added", "body", text, None, text))
        _quotes("", " ".join(rest), "body", evidence)


def _removed_paragraph(text: str, evidence: list[Evidence]) -> None:
    rest = []
    for sentence in sentences(text):
        if _special(sentence, added=False):
            evidence.append(Evidence("comment_line", "body", sentence, sentence, None))
        else:
            rest.append(sentence)
    if rest:
        evidence.append(Evidence("paragraph_removed", "body", text, text, None))
        _quotes(" ".join(rest), "", "body", evidence)


def _changed_paragraph(old: str, new: str, evidence: list[Evidence]) -> None:
    if old == new:
        return
    if letters_key(old) == letters_key(new):
        evidence.append(Evidence("minor", "body", new, old, new))
        return
    removed, added = _sentence_changes(sentences(old), sentences(new))
    rest_old, rest_new = list(sentences(old)), list(sentences(new))
    # a sentence whose only change is a typo fix (in a quote or a comment line too) is minor
    for old_sentence, new_sentence in typo_fixed_sentences(removed, added):
        evidence.append(Evidence("minor", "body", new_sentence, old_sentence, new_sentence))
        removed.remove(old_sentence)
        rest_old.remove(old_sentence)
        added.remove(new_sentence)
        rest_new.remove(new_sentence)
    for sentence in added:
        if kind := _special(sentence, added=True):
            evidence.append(Evidence(kind, "body", sentence, None, sentence))
            rest_new.remove(sentence)
    for sentence in removed:
        if _special(sentence, added=False) == "comment_line":
            evidence.append(Evidence("comment_line", "body", sentence, sentence, None))
            rest_old.remove(sentence)
    _take_quoted_sentences([s for s in added if s in rest_new], removed, rest_new, evidence, True)
    _take_quoted_sentences([s for s in removed if s in rest_old], added, rest_old, evidence, False)
    old_text, new_text = " ".join(rest_old), " ".join(rest_new)
    if letters_key(old_text) == letters_key(new_text):
        return
    _numbers(old_text, new_text, "body", evidence)
    _quotes(old_text, new_text, "body", evidence)
    _wording(old_text, new_text, evidence)


def _take_quoted_sentences(
    candidates: list[str],
    counterparts: list[str],
    rest: list[str],
    evidence: list[Evidence],
    added: bool,
) -> None:
    """A wholly new (or dropped) sentence quoting someone is ``quote``, attribution included.

    Only when no sentence on the other side resembles it: an edited quoted sentence
    goes through the finer numbers/quote/wording split instead.
    """
    for sentence in candidates:
        if not _real_quotes(sentence):
            continue
        if any(similarity(sentence, other) >= CHANGED_THRESHOLD for other in counterparts):
            continue
        old, new = (None, sentence) if added else (sentence, None)
        evidence.append(Evidence("quote", "body", sentence, old, new))
        rest.remove(sentence)


def _real_quotes(text: str) -> dict[str, str]:
    """Quoted passages long enough to be someone's words, keyed by their letters."""
    found = {letters_key(q): q for q in quotes(text) if len(words(q)) >= _QUOTE_MIN_WORDS}
    return {k: q for k, q in found.items() if k}


def _sentence_changes(old: list[str], new: list[str]) -> tuple[list[str], list[str]]:
    """Sentences only in the old text, and only in the new one (case/punctuation ignored)."""
    return _only_in(old, new), _only_in(new, old)


def _only_in(these: list[str], others: list[str]) -> list[str]:
    unmatched = Counter(map(letters_key, others))
    result = []
    for sentence in these:
        key = letters_key(sentence)
        if unmatched[key] > 0:
            unmatched[key] -= 1
        else:
            result.append(sentence)
    return result


def _first_differing(old: str, new: str) -> tuple[str | None, str | None]:
    removed, added = _sentence_changes(sentences(old), sentences(new))
    return (removed[0] if removed else None), (added[0] if added else None)


def _numbers(old: str, new: str, field: str, evidence: list[Evidence]) -> None:
    before, after = numbers(old), numbers(new)
    if before == after:
        return
    lost, gained = ", ".join((before - after).elements()), ", ".join((after - before).elements())
    text = f"{lost or '(none)'} → {gained or '(none)'}"
    if field == "title":
        evidence.append(Evidence("numbers", field, text, old, new))
    else:
        old_sentence, new_sentence = _first_differing(old, new)
        evidence.append(Evidence("numbers", field, text, old_sentence, new_sentence))


def _quotes(old: str, new: str, field: str, evidence: list[Evidence]) -> None:
    before, after = _real_quotes(old), _real_quotes(new)
    if before.keys() == after.keys():
        return
    gained = [q for k, q in after.items() if k not in before]
    lost = [q for k, q in before.items() if k not in after]
    evidence.append(
        Evidence(
            "quote",
            field,
            gained[0] if gained else lost[0],
            lost[0] if lost else None,
            gained[0] if gained else None,
        )
    )


def _wording(old: str, new: str, evidence: list[Evidence]) -> None:
    """Word changes outside quotes and figures: ``wording``, or ``minor`` for a typo fix."""
    if not word_changes(old, new):
        return
    old_sentence, new_sentence = _first_differing(old, new)
    if only_typo_fixes(old, new):
        evidence.append(Evidence("minor", "body", new_sentence or new, old_sentence, new_sentence))
        return
    text = new_sentence or old_sentence or new
    evidence.append(Evidence("wording", "body", text, old_sentence, new_sentence))


# --- summary -------------------------------------------------------------------------


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _summary(
    diff: VersionDiff, evidence: list[Evidence], uncovered: list[Evidence], posted: set[int]
) -> str:
    kinds = {e.kind for e in evidence}
    first = {e.kind: e for e in reversed(evidence)}
    parts: list[str] = []
    if "headline" in kinds:
        parts.append(
            f'Headline changed: "{_short(diff.title.old, 50)}" → "{_short(diff.title.new, 50)}"'
        )
    counts = Counter(p.kind for p in diff.paragraphs if p.kind != "equal" and id(p) not in posted)
    body = [
        f"{n} paragraph{'s' if n > 1 else ''} {kind}"
        for kind in ("added", "removed", "changed", "moved")
        if (n := counts.get(kind, 0))
    ]
    comment = ""
    if "comment_line" in kinds:
        comment = f' (comment line: "{_short(first["comment_line"].text)}")'
    if body or comment:
        parts.append((", ".join(body) + comment).strip())
    if "correction_note" in kinds:
        parts.append(f'correction note: "{_short(first["correction_note"].text)}"')
        if uncovered:
            left = ", ".join(dict.fromkeys(e.kind for e in uncovered))
            parts.append(f"not covered by the note: {left}")
    if "byline" in kinds:
        parts.append(f'byline: "{_short(diff.byline.old, 40)}" → "{_short(diff.byline.new, 40)}"')
    if "numbers" in kinds:
        parts.append(f"numbers: {_short(first['numbers'].text, 40)}")
    if "revert" in kinds:
        parts.append(f"reverts to version {first['revert'].new}")
    if n := sum(e.kind == "live_update" for e in evidence):
        parts.insert(0, f"{n} new live post{'s' if n > 1 else ''}")
    if not parts:
        parts.append("Minor edit (case, punctuation or typo)" if kinds else "No change")
    summary = "; ".join(parts)
    summary = summary[0].upper() + summary[1:]
    return _short(summary, _SUMMARY_LIMIT)
