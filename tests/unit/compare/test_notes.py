"""A correction or update note covers the edits it speaks about, not every edit in its change."""

from __future__ import annotations

import pytest

from monitor.compare.classify import classify
from monitor.compare.diff import diff_versions
from monitor.compare.notes import note_scope
from monitor.models import Classification, Version

STORY = (
    "The White House said on Tuesday it would send 300 additional troops to Poland.",
    "Officials said the deployment would last at least six months.",
    "The Pentagon denied that the move was a response to Russian exercises.",
    "Heliogen investor Kittu Koluri said the company would expand.",
)
TITLE = "US to send more troops to Poland"


def change(
    body: tuple[str, ...], *, title: str = TITLE, old: tuple[str, ...] = STORY
) -> Classification:
    before = Version(1, 1, "t1", TITLE, "By A Writer", "\n\n".join(old), "a")
    after = Version(2, 1, "t2", title, "By A Writer", "\n\n".join(body), "b")
    return classify(diff_versions(before, after))


def edited(*notes: str, title: str = TITLE) -> Classification:
    """Two edits (the troop figure, and the Pentagon's denial reworded) and the notes."""
    body = list(STORY)
    body[0] = body[0].replace("300", "3,000")
    body[2] = body[2].replace("denied that", "confirmed that")
    return change((*body, *notes), title=title)


def test_a_note_about_one_edit_leaves_the_other_silent() -> None:
    """A correction about the troop figure covers that figure, not the reworded denial in
    another paragraph: the change stays silent and says which edit is not covered."""
    result = edited("Correction: An earlier version of this article misstated the number of troops.")
    assert result.kinds == ("correction_note", "numbers", "wording")
    assert result.silent is True
    assert "not covered by the note: wording" in result.summary


def test_a_note_about_every_edit_covers_the_change() -> None:
    """A note naming both the figure and the Pentagon's position covers both edits."""
    note = (
        "Correction: An earlier version of this article misstated the number of troops and "
        "the Pentagon's position."
    )
    result = edited(note)
    assert result.silent is False
    assert "not covered" not in result.summary


@pytest.mark.parametrize(
    "note",
    [
        "This story has been updated.",
        "Editor's note: This article has been corrected.",
        "Dieser Artikel wurde aktualisiert.",
        "Cet article a été mis à jour.",
        "Esta noticia ha sido actualizada.",
        "記事の一部を修正しました。",
    ],
)
def test_a_generic_note_covers_every_edit(note: str) -> None:
    """'This story has been updated' (in any of the starter config's languages) speaks
    about nothing in particular, so it covers every edit in the change."""
    result = edited(note)
    assert "correction_note" in result.kinds
    assert result.silent is False


def test_a_misspelt_name_note_covers_the_name_fix_only() -> None:
    """A real note's shape ('misspelled the name of Heliogen investor Kittu Kolluri')
    covers the name's spelling; a reworded sentence elsewhere stays silent."""
    note = "An earlier version of this article misspelled the name of Heliogen investor Kittu Kolluri."
    body = list(STORY)
    body[3] = body[3].replace("Koluri", "Kolluri")
    assert change((*body, note)).silent is False
    body[1] = body[1].replace("at least", "no more than")
    result = change((*body, note))
    assert result.silent is True and "not covered by the note: wording" in result.summary


def test_a_note_about_the_headline_covers_the_headline_change() -> None:
    """'The headline of this article has been changed' covers a rewritten headline, and
    nothing else."""
    note = "Editor's note: The headline of this article has been changed."
    result = change((*STORY, note), title="Biden orders troops to Poland")
    assert result.kinds == ("headline", "correction_note") and not result.silent
    assert edited(note, title="Biden orders troops to Poland").silent is True


def test_an_update_note_covers_what_it_added() -> None:
    """'Updated to include a statement from the Pentagon' covers the added statement
    paragraph, but not a changed figure."""
    note = "This article has been updated to include a statement from the Pentagon."
    statement = "The Pentagon said in a statement that the troops would arrive within weeks."
    assert change((*STORY, statement, note)).silent is False
    body = (STORY[0].replace("300", "3,000"), *STORY[1:], statement, note)
    assert change(body).silent is True


def test_a_whole_note_paragraph_is_one_note() -> None:
    """A paragraph that opens with 'Correction:' is the note, all of it: its second sentence
    is not reported as a new paragraph."""
    note = "Correction: An earlier version of this article gave the wrong figure. It is 3,000."
    result = change((STORY[0].replace("300", "3,000"), *STORY[1:], note))
    assert result.kinds == ("correction_note", "numbers")
    assert next(e for e in result.evidence if e.kind == "correction_note").text == note
    assert result.silent is False


def test_note_scope_reads_past_the_label() -> None:
    """The label and its date ('Correction, May 2:') say nothing about the edit; the
    rest does (content words, figures, the kinds of edit it names)."""
    scope = note_scope("Correction, May 2: The story misstated the number of troops as 300.")
    assert "troop" in scope.stems and "300" in scope.figures and "numbers" in scope.kinds
    assert "may" not in scope.stems and "2" not in scope.figures
    assert note_scope("Update: This story has been updated.").generic
