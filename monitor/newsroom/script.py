"""The story script: what each simulated article says at every step of the story clock.

A story is a base revision plus a list of edits; each edit is a pure function from one
revision to the next, tagged with the answer key (``ScriptedEdit``). Edits are applied
once, at import time, so serving a page never recomputes history.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from monitor.models import NON_SUBSTANTIVE_KINDS


@dataclass(frozen=True)
class ScriptedEdit:
    """One entry of the answer key: at ``step`` a new revision of ``slug`` appears.

    ``kinds`` are the change kinds a correct classifier must report (at least).
    ``expect_version`` is False for furniture-only steps, where the page markup around
    the article changes but no new version may be stored.
    """

    outlet: str
    slug: str
    step: int
    kinds: frozenset[str]
    silent: bool
    note: str
    expect_version: bool = True


@dataclass(frozen=True)
class Revision:
    """The article as published from ``step`` on (until the next revision)."""

    step: int
    headline: str
    byline: str
    paragraphs: tuple[str, ...]
    #: 200 while published; 404 or 410 once taken down.
    status: int = 200
    #: bumped by furniture-only steps: the page is re-rendered, the article is not.
    layout: int = 0
    #: the step of the last change to the article itself (drives dateModified, Last-Modified).
    modified_step: int = 0

    def same_article(self, other: Revision) -> bool:
        return (self.headline, self.byline, self.paragraphs, self.status) == (
            other.headline,
            other.byline,
            other.paragraphs,
            other.status,
        )


Change = Callable[[Revision], Revision]


@dataclass(frozen=True)
class Edit:
    step: int
    kinds: frozenset[str]
    note: str
    change: Change
    expect_version: bool = True


@dataclass(frozen=True)
class Story:
    outlet: str
    slug: str
    section: str
    published_step: int
    revisions: tuple[Revision, ...]
    edits: tuple[ScriptedEdit, ...]
    #: hours before the clock's origin at which the story was first published
    age_hours: float = 1.0

    def at(self, step: int) -> Revision | None:
        """The revision live at ``step``; None before the story is published."""
        live = None
        for revision in self.revisions:
            if revision.step > step:
                break
            live = revision
        return live

    @property
    def first(self) -> Revision:
        return self.revisions[0]


def silent_for(kinds: frozenset[str]) -> bool:
    """DESIGN.md's rule: substantive kind present and no correction note."""
    return "correction_note" not in kinds and bool(kinds - NON_SUBSTANTIVE_KINDS)


def edit(step: int, kinds: Iterable[str], note: str, *changes: Change) -> Edit:
    """An article edit at ``step``; several changes compose left to right."""

    def apply(revision: Revision) -> Revision:
        for change in changes:
            revision = change(revision)
        return revision

    return Edit(step, frozenset(kinds), note, apply)


def furniture_only(step: int, note: str) -> Edit:
    """A re-render at ``step``: new layout markup around an unchanged article."""
    return Edit(step, frozenset(), note, lambda r: replace(r, layout=r.layout + 1), False)


def build_story(
    outlet: str,
    slug: str,
    *,
    section: str,
    headline: str,
    byline: str,
    paragraphs: Iterable[str],
    edits: Iterable[Edit] = (),
    published_step: int = 0,
    age_hours: float = 1.0,
) -> Story:
    """Apply ``edits`` in step order to the base revision; fail loudly on a script error."""
    base = Revision(
        published_step, headline, byline, tuple(paragraphs), modified_step=published_step
    )
    revisions = [base]
    answers: list[ScriptedEdit] = []
    for e in sorted(edits, key=lambda e: e.step):
        if e.step <= revisions[-1].step:
            raise ValueError(f"{slug}: edits must be at increasing steps after publication")
        new = replace(e.change(revisions[-1]), step=e.step)
        if e.expect_version == new.same_article(revisions[-1]):
            raise ValueError(f"{slug}@{e.step}: article change does not match expect_version")
        # A takedown or a restore changes the status, not the text: the dates stay put.
        if (new.headline, new.byline, new.paragraphs) != (
            revisions[-1].headline,
            revisions[-1].byline,
            revisions[-1].paragraphs,
        ):
            new = replace(new, modified_step=e.step)
        revisions.append(new)
        silent = silent_for(e.kinds) if e.expect_version else False
        answers.append(
            ScriptedEdit(outlet, slug, e.step, e.kinds, silent, e.note, e.expect_version)
        )
    return Story(outlet, slug, section, published_step, tuple(revisions), tuple(answers), age_hours)


# Changes: small pure functions from revision to revision. Each refuses to apply when
# its target text is missing, so a typo in the script fails at import, not in a test.


def _find(paragraphs: tuple[str, ...], needle: str) -> int:
    hits = [i for i, p in enumerate(paragraphs) if needle in p]
    if len(hits) != 1:
        raise ValueError(f"expected exactly one paragraph containing {needle!r}, found {len(hits)}")
    return hits[0]


def replace_text(old: str, new: str) -> Change:
    def change(r: Revision) -> Revision:
        i = _find(r.paragraphs, old)
        paragraphs = list(r.paragraphs)
        paragraphs[i] = paragraphs[i].replace(old, new, 1)
        return replace(r, paragraphs=tuple(paragraphs))

    return change


def set_headline(headline: str) -> Change:
    return lambda r: replace(r, headline=headline)


def set_byline(byline: str) -> Change:
    return lambda r: replace(r, byline=byline)


def insert_after(anchor: str, text: str) -> Change:
    """Insert a paragraph after the one containing ``anchor`` ("" inserts first)."""

    def change(r: Revision) -> Revision:
        at = _find(r.paragraphs, anchor) + 1 if anchor else 0
        return replace(r, paragraphs=(*r.paragraphs[:at], text, *r.paragraphs[at:]))

    return change


def append(*texts: str) -> Change:
    return lambda r: replace(r, paragraphs=(*r.paragraphs, *texts))


def drop(needle: str) -> Change:
    def change(r: Revision) -> Revision:
        i = _find(r.paragraphs, needle)
        return replace(r, paragraphs=r.paragraphs[:i] + r.paragraphs[i + 1 :])

    return change


def reorder(order: tuple[int, ...]) -> Change:
    def change(r: Revision) -> Revision:
        if sorted(order) != list(range(len(r.paragraphs))):
            raise ValueError("reorder needs a permutation of every paragraph index")
        return replace(r, paragraphs=tuple(r.paragraphs[i] for i in order))

    return change


def set_status(status: int) -> Change:
    return lambda r: replace(r, status=status)
