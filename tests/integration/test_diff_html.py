"""`article-monitor diff --format html` through the real command: words replaced in the
headline read apart (the one HTML renderer that the review pages use too)."""

from __future__ import annotations

import re

import test_review_fixture as shared

from tests.conftest import run_cli

filled, sql = shared.filled, shared.sql


def test_diff_html_puts_a_space_between_removed_and_added_words(filled, sql) -> None:
    """A headline rewrite printed as HTML never runs a deleted word into the inserted one
    ("<del>Senate</del><ins>House</ins>" reads "SenateHouse"): every insertion right after
    a deletion starts with a space, and the text of the title reads as two phrases."""
    article_id, from_n, to_n = sql.execute(
        "SELECT c.article_id, o.version_number, n.version_number FROM changes c "
        "JOIN versions o ON o.id = c.from_version_id JOIN versions n ON n.id = c.to_version_id "
        "WHERE c.kinds LIKE '%\"headline\"%' ORDER BY c.id LIMIT 1"
    ).fetchone()
    result = run_cli(
        "diff", str(article_id), "--from", str(from_n), "--to", str(to_n), "--format", "html",
        db=filled.path,
    )  # fmt: skip
    assert result.code == 0, result.stderr
    title = re.search(r'<section class="diff-field diff-title field-changed">.*?</section>',
                      result.stdout, re.S)  # fmt: skip
    assert title, result.stdout[:500]
    assert "</del><ins>" not in title.group(0).replace("</del><ins> ", "</del> <ins>")
    assert re.search(r"</del> <ins>", title.group(0)), title.group(0)
