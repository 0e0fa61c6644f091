"""Passages: the unit a version's body is stored and searched in."""

from __future__ import annotations

import random

from monitor.sentences import passages


def test_joining_passages_gives_the_body_back_for_any_text() -> None:
    """Whatever the body (odd whitespace, unicode, empty paragraphs, no punctuation),
    the passages joined with nothing between them are the body, byte for byte."""
    rng = random.Random(7)
    alphabet = ["a", "B", " ", "\n", ".", "!", "?", "”", "'", "É", "1", "\t", "…", "\n\n"]
    alphabet += ["。", "！", "？", "」", "東", "と", "«", "»", "\u00a0", "¿"]  # CJK and French
    bodies = ["", "\n\n", "A.", "a b c", "End. \n\nStart"] + [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 80))) for _ in range(2000)
    ]
    for body in bodies:
        assert "".join(passages(body)) == body


def test_a_passage_is_a_sentence_with_the_space_or_break_after_it() -> None:
    """Sentences split after their closing punctuation and quotes; a paragraph break
    ends a passage; a lower-case continuation does not start a new one."""
    body = "He said “no.” Then he left. e.g. this stays\n\nNew paragraph! 3 more."
    assert passages(body) == [
        "He said “no.” ",
        "Then he left. e.g. this stays\n\n",
        "New paragraph! ",
        "3 more.",
    ]


def test_one_word_edit_changes_one_passage() -> None:
    """Editing one word of one sentence leaves every other passage identical, which is
    what lets a new version reuse them."""
    old = "First sentence here. Second sentence here. Third one.\n\nNext paragraph goes on."
    new = old.replace("Second sentence", "Second phrase")
    assert len(set(passages(new)) - set(passages(old))) == 1
