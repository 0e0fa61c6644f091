"""Paragraph alignment and word-level diffs."""

from __future__ import annotations

import time

import pytest

from monitor.compare import diff as diff_module
from monitor.compare.diff import align_paragraphs, diff_versions, diff_words, similarity
from monitor.models import Version, WordOp

STORY = (
    "LONDON — Britain's economy grew by 0.2% in the three months to June, official figures show.",
    "The Office for National Statistics said growth was driven by the services sector, "
    "while manufacturing output fell for a second quarter.",
    "Chancellor Jeremy Hunt said the figures showed the economy was more resilient than expected.",
    "Labour's shadow chancellor said families were still worse off than before the pandemic.",
    "Economists had expected the economy to flatline over the period.",
)


def version(
    vid: int, body: tuple[str, ...], title: str = "UK economy grows", byline: str = ""
) -> Version:
    return Version(vid, 1, "2024-05-01T10:00:00Z", title, byline, "\n\n".join(body), f"h{vid}")


def kinds(ops: tuple) -> list[tuple[str, int | None, int | None]]:
    return [(op.kind, op.old_index, op.new_index) for op in ops]


def rebuild(ops: tuple[WordOp, ...], side: str) -> str:
    skip = "insert" if side == "old" else "delete"
    return "".join(op.text for op in ops if op.op != skip)


def test_word_diff_reconstructs_both_texts() -> None:
    """Keeping equal+delete runs gives the old text back, equal+insert the new one."""
    old = "The minister said 300 troops would be sent, officials confirmed on Tuesday."
    new = "The defence minister said 3,000 troops could be sent, officials said on Tuesday night."
    ops = diff_words(old, new)
    assert rebuild(ops, "old") == old
    assert rebuild(ops, "new") == new


def test_word_diff_never_splits_a_word() -> None:
    """A changed word is deleted and inserted whole, not as shared letters ("cut" vs "cuts")."""
    ops = diff_words("The bank cut rates.", "The bank cuts rates.")
    assert WordOp("delete", "cut") in ops
    assert WordOp("insert", "cuts") in ops


def test_word_diff_of_identical_texts_is_one_equal_run() -> None:
    """Identical texts give a single equal run; empty texts give nothing."""
    assert diff_words("Same words.", "Same words.") == (WordOp("equal", "Same words."),)
    assert diff_words("", "") == ()


def test_word_diff_marks_whole_words() -> None:
    """Two word swaps come out as two whole-word deletions and insertions, the rest kept."""
    old, new = STORY[1], STORY[1].replace("services", "construction").replace("second", "third")
    ops = diff_words(old, new)
    assert [op.text.strip() for op in ops if op.op == "delete"] == ["services", "second"]
    assert [op.text.strip() for op in ops if op.op == "insert"] == ["construction", "third"]
    assert "".join(op.text for op in ops if op.op != "insert") == old


def test_diff_timeout_is_raised_above_the_library_default() -> None:
    """diff-match-patch's 1 s default is raised (or disabled) so big articles are not degraded."""
    dmp = diff_module.make_dmp()
    assert dmp.Diff_Timeout == 0 or dmp.Diff_Timeout >= 5


def test_unchanged_versions_give_only_equal_paragraphs() -> None:
    """Two identical versions have no changed field and only equal paragraphs."""
    result = diff_versions(version(1, STORY), version(2, STORY))
    assert not result.changed
    assert {op.kind for op in result.paragraphs} == {"equal"}


def test_added_paragraph_is_placed_where_it_appears() -> None:
    """A paragraph inserted in the middle is one 'added' op at its new index; the rest equal."""
    new = (
        *STORY[:3],
        "The Treasury did not immediately respond to a request for comment.",
        *STORY[3:],
    )
    ops = diff_versions(version(1, STORY), version(2, new)).paragraphs
    assert next(op for op in ops if op.kind != "equal").new_index == 3
    assert kinds(ops).count(("added", None, 3)) == 1
    assert sum(op.kind == "equal" for op in ops) == 5


def test_removed_paragraph_keeps_its_old_position() -> None:
    """A dropped paragraph is 'removed' with its old index, shown between its old neighbours."""
    new = STORY[:2] + STORY[3:]
    ops = diff_versions(version(1, STORY), version(2, new)).paragraphs
    assert ("removed", 2, None) in kinds(ops)
    assert [op.kind for op in ops] == ["equal", "equal", "removed", "equal", "equal"]


def test_edited_paragraph_is_changed_with_word_ops() -> None:
    """An edited paragraph pairs with its old self as 'changed' and carries its word edits."""
    edited = STORY[2].replace("more resilient than expected", "on the right track")
    new = (*STORY[:2], edited, *STORY[3:])
    ops = diff_versions(version(1, STORY), version(2, new)).paragraphs
    changed = [op for op in ops if op.kind == "changed"]
    assert [(c.old_index, c.new_index) for c in changed] == [(2, 2)]
    assert any(op.op == "insert" and "right track" in op.text for op in changed[0].ops)


def test_paragraph_that_gained_a_long_sentence_still_pairs() -> None:
    """A short paragraph extended by a long sentence is 'changed', not removed + added."""
    old = ("Economists had expected the economy to flatline over the period.",)
    new = (
        "Economists had expected the economy to flatline over the period. Many had warned that "
        "high interest rates and a cost of living crisis would tip the country into recession.",
    )
    assert kinds(align_paragraphs(old, new)) == [("changed", 0, 0)]


def test_unrelated_paragraphs_are_not_paired() -> None:
    """A paragraph replaced by an unrelated one is removed + added, not a 'changed' pair."""
    new = (
        *STORY[:4],
        "Separately, the Bank of England is due to announce its rate decision on Thursday.",
    )
    ops = diff_versions(version(1, STORY), version(2, new)).paragraphs
    assert ("removed", 4, None) in kinds(ops)
    assert ("added", None, 4) in kinds(ops)
    assert similarity(STORY[4], new[4]) < diff_module.CHANGED_THRESHOLD


def test_moved_paragraph_is_not_removed_and_added() -> None:
    """A paragraph moved to the top is one 'moved' op with both indexes, nothing added/removed."""
    new = (STORY[3], *STORY[:3], STORY[4])
    ops = diff_versions(version(1, STORY), version(2, new)).paragraphs
    assert ("moved", 3, 0) in kinds(ops)
    assert not {"added", "removed"} & {op.kind for op in ops}


def test_moved_and_lightly_edited_paragraph_is_moved_with_ops() -> None:
    """A near-identical paragraph at another position is 'moved' and keeps its word ops."""
    moved = STORY[3].replace("still worse off", "still far worse off")
    new = (moved, *STORY[:3], STORY[4])
    ops = diff_versions(version(1, STORY), version(2, new)).paragraphs
    op = next(op for op in ops if op.kind == "moved")
    assert (op.old_index, op.new_index) == (3, 0)
    assert [o.text.strip() for o in op.ops if o.op == "insert"] == ["far"]
    assert not {"added", "removed"} & {op.kind for op in ops}


def test_edited_paragraph_and_move_in_one_version() -> None:
    """An edit and a move together: the edited one is 'changed', the displaced one 'moved'."""
    edited = STORY[1].replace("a second quarter", "the third quarter in a row")
    new = (edited, STORY[2], STORY[0], STORY[3], STORY[4])
    ops = diff_versions(version(1, STORY), version(2, new)).paragraphs
    assert ("changed", 1, 0) in kinds(ops)
    assert ("moved", 0, 2) in kinds(ops)


def test_title_and_byline_get_word_ops() -> None:
    """A changed headline and byline carry word-level ops; unchanged ones carry none."""
    result = diff_versions(
        version(1, STORY, title="UK economy grows", byline="By Faisal Islam"),
        version(2, STORY, title="UK economy grows faster than expected", byline="By Faisal Islam"),
    )
    assert result.title.changed and WordOp("insert", " faster than expected") in result.title.ops
    assert not result.byline.changed and result.byline.ops == ()


def test_repeated_identical_paragraphs_align_in_order() -> None:
    """Duplicate paragraphs (e.g. a repeated 'Advertisement') align one to one, no phantom moves."""
    old = (
        "Advertisement",
        "First paragraph of text.",
        "Advertisement",
        "Second paragraph of text.",
    )
    new = (*old, "Advertisement")
    assert kinds(align_paragraphs(old, new)) == [
        ("equal", 0, 0),
        ("equal", 1, 1),
        ("equal", 2, 2),
        ("equal", 3, 3),
        ("added", None, 4),
    ]


def long_article(seed: int) -> tuple[str, ...]:
    return tuple(
        f"Paragraph {n} of the report ({seed}): the council said spending on roads, schools and "
        f"housing in district {n % 17} would be reviewed after residents complained about item {n}."
        for n in range(200)
    )


@pytest.mark.slow
def test_diff_of_a_200_paragraph_article_is_fast() -> None:
    """Diffing two 200-paragraph versions with scattered edits and a move takes well under 2 s."""
    old = long_article(1)
    new = list(old)
    for n in range(0, 200, 10):
        new[n] = new[n].replace("would be reviewed", "will be cut")
    new.insert(150, new.pop(20))
    start = time.perf_counter()
    result = diff_versions(version(1, old), version(2, tuple(new)))
    elapsed = time.perf_counter() - start
    assert elapsed < 2.0
    assert sum(op.kind == "changed" for op in result.paragraphs) >= 19
    assert not {"added", "removed"} & {op.kind for op in result.paragraphs}


def test_word_diff_of_a_long_text_is_fast_and_exact() -> None:
    """A word diff of a whole 200-paragraph article is quick and still reconstructs both sides."""
    old = "\n\n".join(long_article(1))
    new = old.replace("residents", "local people").replace("roads", "bridges")
    start = time.perf_counter()
    ops = diff_words(old, new)
    assert time.perf_counter() - start < 2.0
    assert rebuild(ops, "old") == old and rebuild(ops, "new") == new
