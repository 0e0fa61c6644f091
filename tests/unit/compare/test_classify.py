"""Change kinds, evidence, the silent flag and headline change kinds."""

from __future__ import annotations

import json

import pytest

from monitor.compare.classify import classify, classify_status, headline_change_kind, is_substantive
from monitor.compare.diff import diff_versions
from monitor.models import CHANGE_KINDS, Classification, Version
from tests.support.paths import CORPUS

HEADLINES = CORPUS / "versions" / "bbc-headline-transitions.jsonl"

STORY = (
    "WASHINGTON — The White House said on Tuesday it would send 300 additional troops to "
    "Poland to reassure NATO allies.",
    "Officials said the deployment would last at least six months and cost about $40 million.",
    '"We are committed to the security of our allies," President Biden said in a speech.',
    "Russia's foreign ministry called the move a provocation.",
)
TITLE = "US to send more troops to Poland"
BYLINE = "By Jane Smith"


def check(
    body: tuple[str, ...] = STORY,
    *,
    title: str = TITLE,
    byline: str = BYLINE,
    old_body: tuple[str, ...] = STORY,
    old_title: str = TITLE,
    revert_to: int | None = None,
) -> Classification:
    old = Version(1, 1, "2024-05-01T10:00:00Z", old_title, BYLINE, "\n\n".join(old_body), "a")
    new = Version(2, 1, "2024-05-01T11:00:00Z", title, byline, "\n\n".join(body), "b")
    return classify(diff_versions(old, new), revert_to=revert_to)


def replace(index: int, old: str, new: str) -> tuple[str, ...]:
    body = list(STORY)
    assert old in body[index]
    body[index] = body[index].replace(old, new)
    return tuple(body)


# --- the seed case and comment lines ------------------------------------------------


def test_seed_comment_line_added_is_silent_comment_line() -> None:
    """A new 'did not immediately respond' paragraph is exactly comment_line, silent."""
    line = "The National Security Council did not immediately respond to a request for comment."
    result = check((*STORY, line))
    assert result.kinds == ("comment_line",)
    assert result.silent is True
    assert [e.text for e in result.evidence if e.kind == "comment_line"] == [line]
    assert "comment line" in result.summary and len(result.summary) <= 200


@pytest.mark.parametrize(
    "line",
    [
        "Apple did not return a request for comment.",
        "Representatives for the senator did not respond to requests for comment on Friday.",
        "The Kremlin declined to comment.",
        "Mr. Johnson could not be reached for comment.",
        "The BBC has contacted the Home Office for comment.",
        "Amazon said in a statement that it was reviewing the claims.",
        "A spokesperson for Downing Street said the prime minister had full confidence in her.",
        "Tesla did not immediately return an email seeking comment.",
        "Lawyers for the company were not available for comment.",
        "Das Ministerium reagierte nicht auf eine Anfrage.",
        "Le ministère n'a pas répondu à nos sollicitations.",
    ],
)
def test_comment_line_phrasings(line: str) -> None:
    """Each common request-for-comment or statement phrasing, as a paragraph, is comment_line."""
    result = check((*STORY, line))
    assert result.kinds == ("comment_line",)


def test_comment_line_appended_inside_a_paragraph() -> None:
    """A comment sentence slipped into an existing paragraph is comment_line, not wording."""
    result = check(replace(3, "provocation.", "provocation. The Pentagon declined to comment."))
    assert result.kinds == ("comment_line",)
    assert result.evidence[0].text == "The Pentagon declined to comment."


def test_comment_line_removed() -> None:
    """Dropping a 'declined to comment' paragraph is comment_line (with the old sentence)."""
    line = "The embassy declined to comment."
    result = check(STORY, old_body=(*STORY, line))
    assert result.kinds == ("comment_line",)
    assert result.evidence[0].old == line and result.silent


def test_comment_line_with_other_text_is_also_paragraph_added() -> None:
    """A new paragraph with a comment line and other news reports both kinds."""
    para = (
        "The company did not respond to a request for comment. Its shares fell sharply on Monday."
    )
    assert check((*STORY, para)).kinds == ("comment_line", "paragraph_added")


def test_criticism_response_is_not_a_comment_line() -> None:
    """'did not respond to the criticism' is ordinary news text, so paragraph_added."""
    para = "The minister did not respond to the criticism during his speech in Warsaw."
    assert check((*STORY, para)).kinds == ("paragraph_added",)


# --- paragraphs ----------------------------------------------------------------------


def test_paragraph_added() -> None:
    """A new ordinary paragraph is paragraph_added and silent."""
    result = check((*STORY, "The troops will be based near the city of Rzeszow, officials said."))
    assert result.kinds == ("paragraph_added",) and result.silent


def test_paragraph_removed() -> None:
    """A dropped paragraph is paragraph_removed and silent, with the old text as evidence."""
    result = check(STORY[:3])
    assert result.kinds == ("paragraph_removed",)
    assert result.evidence[0].old == STORY[3]


def test_reordering_is_moved_not_added_or_removed() -> None:
    """Swapping two paragraphs reports 'moved', never paragraph_added/removed."""
    result = check((STORY[0], STORY[3], STORY[1], STORY[2]))
    assert result.kinds == ("moved",)
    assert "moved" in CHANGE_KINDS


# --- within paragraphs -----------------------------------------------------------------


def test_number_changed() -> None:
    """A changed figure is numbers, not wording; the evidence names both values."""
    result = check(replace(0, "300", "3,000"))
    assert result.kinds == ("numbers",)
    assert result.evidence[0].text == "300 → 3000"


def test_amount_changed() -> None:
    """'$40 million' → '$40 billion' changes the amount: numbers."""
    assert check(replace(1, "$40 million", "$40 billion")).kinds == ("numbers",)


def test_number_word_changed() -> None:
    """'six months' → 'nine months' is a number change."""
    assert check(replace(1, "six months", "nine months")).kinds == ("numbers",)


def test_quote_changed() -> None:
    """Words changed inside quotation marks are quote."""
    result = check(replace(2, "committed to the security", "fully committed to the defence"))
    assert result.kinds == ("quote",)


def test_quote_added_in_a_paragraph() -> None:
    """A quoted sentence added to a paragraph is quote."""
    extra = ' "This is a dangerous escalation," a ministry official told reporters.'
    result = check(replace(3, "provocation.", "provocation." + extra))
    assert result.kinds == ("quote",)


def test_wording_changed() -> None:
    """Changing what a sentence claims, outside quotes and figures, is wording."""
    result = check(replace(0, "would send", "was considering sending"))
    assert result.kinds == ("wording",) and result.silent
    assert "considering" in (result.evidence[0].new or "")


def test_wording_and_numbers_together() -> None:
    """A sentence whose verb and figure both change reports numbers and wording."""
    result = check(replace(1, "cost about $40 million", "save nearly $12 million"))
    assert result.kinds == ("numbers", "wording")


def test_negation_is_not_a_typo() -> None:
    """'would' → 'would not' flips the meaning: wording, not minor."""
    assert check(replace(1, "would last", "would not last")).kinds == ("wording",)


# --- minor -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("foreign ministry", "Foreign Ministry"),
        ("called the move", "called  the move"),
        ("Russia's", "Russia’s"),
        ("provocation.", "provocation!"),
        ("reassure", "reasure"),
    ],
)
def test_cosmetic_edits_are_minor_and_not_silent(old: str, new: str) -> None:
    """Case, whitespace, typography, punctuation and one-letter typos are minor, never silent."""
    index = next(i for i, p in enumerate(STORY) if old in p)
    result = check(replace(index, old, new))
    assert result.kinds == ("minor",)
    assert result.silent is False


def test_minor_is_dropped_when_something_substantive_happened() -> None:
    """A typo fix alongside a new paragraph reports only paragraph_added."""
    body = (*replace(0, "reassure", "reasure"), "Poland welcomed the decision.")
    assert check(body).kinds == ("paragraph_added",)


# --- headline and byline ---------------------------------------------------------------


def test_headline_wording_change() -> None:
    """A reworded headline is headline, with old and new titles as evidence."""
    result = check(title="US to send 300 troops to Poland amid tensions")
    assert result.kinds == ("headline", "numbers")
    evidence = next(e for e in result.evidence if e.kind == "headline")
    assert (evidence.old, evidence.new) == (TITLE, "US to send 300 troops to Poland amid tensions")
    assert result.summary.startswith("Headline changed:")


def test_headline_case_only_is_minor() -> None:
    """A headline change of case only is minor, not headline, and not silent."""
    result = check(title="US To Send More Troops To Poland")
    assert result.kinds == ("minor",) and not result.silent


def test_byline_change() -> None:
    """A new author in the byline is byline."""
    assert check(byline="By Jane Smith and Tom Brown").kinds == ("byline",)


@pytest.mark.parametrize(
    ("old", "new", "kind"),
    [
        ("FA condemns racist abuse", "PM & FA condemn racist abuse", "wording"),
        ("Why is it so hard to be a man", "Why is it so hard to be a man?", "case/punct-only"),
        ("The alarming side effect", "The alarming side-effect", "case/punct-only"),
        ("a 5000-year-old tree", "a 5,000-year-old tree", "case/punct-only"),
        ("Inflation hits 5.5%", "Inflation hits 55%", "wording"),
        ("What's the purpose?", "What’s the purpose?", "typographic-only"),
        ("Forget LA – it’s here", "Forget LA - it's here", "typographic-only"),
        ("Same", "Same", "same"),
    ],
)
def test_headline_change_kind(old: str, new: str, kind: str) -> None:
    """Headline changes sort into wording, case/punct-only, typographic-only or same."""
    assert headline_change_kind(old, new) == kind


# --- correction notes, silence, reverts, status ----------------------------------------------


@pytest.mark.parametrize(
    "note",
    [
        "Correction: An earlier version of this article misstated the number of troops.",
        "Editor's note: This story has been corrected.",
        "This story has been updated.",
        "Correction, May 2: An earlier version of this article said 300 troops would be sent.",
    ],
)
def test_a_note_about_the_edit_makes_the_change_not_silent(note: str) -> None:
    """A changed troop figure published with a note that speaks about it (the number of
    troops, the figure itself) or with a generic notice is not silent."""
    result = check((*replace(0, "300", "3,000"), note))
    assert result.kinds == ("correction_note", "numbers")
    assert result.silent is False


@pytest.mark.parametrize(
    "note",
    [
        "This article has been updated to include a statement from the Pentagon.",
        "Clarification, May 2: The deployment was announced on Tuesday, not Monday.",
        "UPDATE (14:30 GMT): The Polish government has welcomed the decision.",
    ],
)
def test_a_note_about_something_else_leaves_the_edit_silent(note: str) -> None:
    """The same troop figure changed beside a note about something else (a statement, the
    day of the announcement, Poland's reaction) stays silent, and the summary says so."""
    result = check((*replace(0, "300", "3,000"), note))
    assert result.kinds == ("correction_note", "numbers")
    assert result.silent is True
    assert "not covered by the note: numbers" in result.summary


def test_page_timestamp_is_not_an_update_notice() -> None:
    """'Updated: 2 May 2024 10:30 BST' is a timestamp, not a correction note."""
    result = check((*STORY, "Updated: 2 May 2024 10:30 BST"))
    assert "correction_note" not in result.kinds


def test_new_correction_appended_to_existing_note() -> None:
    """A second correction appended to an existing correction paragraph is correction_note."""
    first = "Correction: An earlier version of this article misspelled the president's name."
    second = "Correction, May 3: The deployment will last six months, not nine."
    result = check((*STORY, f"{first} {second}"), old_body=(*STORY, first))
    assert "correction_note" in result.kinds and not result.silent


def test_revert_of_headline_flip_is_still_silent() -> None:
    """A headline A/B flip back to an earlier version is revert + headline, silent, naming
    that version by its number."""
    result = check(title="Biden sends troops to Poland", old_title=TITLE, revert_to=7)
    assert result.kinds == ("headline", "revert")
    assert result.silent
    assert next(e for e in result.evidence if e.kind == "revert").new == "7"
    assert "reverts to version 7" in result.summary


def test_revert_keeps_minor_and_is_silent_as_design_says() -> None:
    """Reverting a punctuation tweak is minor + revert; DESIGN.md counts revert as substantive."""
    result = check(replace(3, "provocation.", "provocation!"), revert_to=3)
    assert result.kinds == ("minor", "revert") and result.silent


def test_removed_and_restored_status() -> None:
    """An article gone with 404 is 'removed' and silent; its return is 'restored'."""
    gone = classify_status("removed", status_code=404)
    assert gone.kinds == ("removed",) and gone.silent and "404" in gone.summary
    back = classify_status("restored")
    assert back.kinds == ("restored",)


def test_is_substantive() -> None:
    """Every kind but minor (and correction_note, which opens a change) is substantive."""
    assert not is_substantive(["minor", "correction_note"])
    assert is_substantive(["revert"]) and is_substantive(["moved"])
    assert is_substantive(["revert", "headline"])
    assert is_substantive(["removed"])


def test_no_change_has_no_kinds() -> None:
    """Identical versions classify as no kinds, not silent."""
    result = check()
    assert result.kinds == () and not result.silent and result.summary == "No change"


# --- corpus ------------------------------------------------------------------------------------


@pytest.mark.corpus
def test_headline_kinds_agree_with_bbc_labels() -> None:
    """headline_change_kind agrees with ≥95% of the real BBC headline-change labels."""
    if not HEADLINES.exists():
        pytest.skip(f"corpus not found at {HEADLINES} (needs ../shared/corpus beside the repo)")
    rows = [json.loads(line) for line in HEADLINES.read_text(encoding="utf-8").splitlines() if line]
    agree = sum(headline_change_kind(r["before"], r["after"]) == r["kind"] for r in rows)
    assert len(rows) > 1000
    assert agree / len(rows) >= 0.95
