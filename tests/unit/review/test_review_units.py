"""The review plugin's pure parts: queue filters, plain-word reasons, the diff view, the
card's text, table cells, verdict storage and the `[review]` config section."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from monitor.compare.render import inline_html
from monitor.config import ConfigError, parse_settings
from monitor.models import Version, WordOp
from monitor.review import cells, explain, queue
from monitor.review.auth import hash_password, safe_next, verify_password
from monitor.review.card import card_text
from monitor.review.diffview import build_view, too_large
from monitor.review.verdicts import VerdictRecord, attach, ensure_file, read_all, record


def version(title: str, paragraphs: list[str], number: int = 1) -> Version:
    return Version(
        number, 1, "2026-11-25T12:00:00Z", title, "", "\n\n".join(paragraphs), str(number)
    )


# ---------------------------------------------------------------- queue


def test_queue_filters_make_sql_that_sqlite_runs() -> None:
    """Every filter becomes a WHERE clause with parameters; the day is a range on
    detected_at (so the index serves it), "unreviewed" means no verdict."""
    q = queue.parse({"silent": "1", "kind": "headline", "outlet": "capitol", "day": "2026-12-06",
                     "verdict": "unreviewed", "page": "2"})  # fmt: skip
    clause, params = queue.where(q)
    assert params == {"silent": 1, "kind": "headline", "outlet": "capitol",
                      "day_start": "2026-12-06", "day_end": "2026-12-07"}  # fmt: skip
    assert "v.verdict IS NULL" in clause
    assert q.page == 2 and queue.describe(q) == (
        "Unreviewed silent edits with kind headline of capitol on 2026-12-06"
    )
    assert queue.query_string(q, page=1) == (
        "silent=1&kind=headline&outlet=capitol&day=2026-12-06&verdict=unreviewed"
    )


def test_queue_ignores_what_is_not_a_filter() -> None:
    """Bad values are dropped and named, never errors; a huge page number is capped."""
    q = queue.parse({"silent": "yes", "kind": "drop table", "day": "2026-02-30",
                     "verdict": "maybe", "page": "99999999999"})  # fmt: skip
    assert (q.silent, q.kind, q.day, q.verdict, q.page) == ("", "", "", "", 1)
    assert q.ignored == ("silent=yes", "kind=drop table", "day=2026-02-30", "verdict=maybe")
    assert queue.describe(queue.Queue()) == "All changes"


# ---------------------------------------------------------------- reasons in words


def test_silent_reason_names_the_edit_and_the_missing_note() -> None:
    """The reason reads like the issue asks: what kind of edit, and that no note says so."""
    assert explain.silent_reason(["numbers", "wording"], [], True) == (
        "Silent edit: substantive edit (numbers, wording); no correction or update note "
        "on the page."
    )
    note = [{"kind": "correction_note", "text": "Correction: the vote was on Tuesday."}]
    assert explain.silent_reason(["correction_note", "numbers"], note, False) == (
        "Not silent: the page now carries a correction or update note: "
        "“Correction: the vote was on Tuesday.”"
    )
    assert "does not cover" in explain.silent_reason(["headline", "correction_note"], note, True)
    removed = [{"kind": "removed", "new": "410"}]
    assert explain.silent_reason(["removed"], removed, True).startswith(
        "Article removed (HTTP 410)"
    )
    assert explain.silent_reason(["minor"], [], False).startswith("Not silent: only minor")


def test_revert_summary_names_the_version_number() -> None:
    """The stored "reverts to version <row id>" is shown with the article's number."""
    summary = 'Headline changed: "A" → "B"; reverts to version 14'
    assert explain.shown_summary(summary, 14, 1).endswith("reverts to version 1")
    assert explain.shown_summary(summary, None, None) == summary


# ---------------------------------------------------------------- the diff view


def test_title_diff_puts_a_space_between_removed_and_added_words() -> None:
    """ "Senate" replaced by "House" reads "Senate House" in the page text, not
    "SenateHouse"; a replacement that already has a space is left alone."""
    ops = (WordOp("equal", "The "), WordOp("delete", "Senate"), WordOp("insert", "House"),
           WordOp("equal", " votes"))  # fmt: skip
    assert inline_html(ops) == "The <del>Senate</del> <ins>House</ins> votes"
    spaced = (WordOp("delete", "old"), WordOp("insert", " new"))
    assert inline_html(spaced) == "<del>old</del><ins> new</ins>"
    view = build_view(
        version("Senate passes bill", ["P."]), version("House passes bill", ["P."]), []
    )
    assert view.title_html == "<del>Senate</del> <ins>House</ins> passes bill"


def test_unchanged_paragraphs_fold_around_the_edit() -> None:
    """One edited paragraph among ten: the view shows it, and folds the unchanged runs on
    both sides under labels that count them."""
    paragraphs = [f"Paragraph number {n} says something plain." for n in range(10)]
    edited = [*paragraphs]
    edited[4] = "Paragraph number 4 says something else entirely now."
    view = build_view(version("T", paragraphs), version("T", edited, 2), [])
    kinds = [(b.kind, len(b.rows)) for b in view.blocks]
    assert kinds == [("same", 6), ("edit", 1), ("same", 5)]
    assert view.blocks[0].label == "Headline, byline and 4 paragraphs (¶1–¶4) unchanged"
    assert view.blocks[2].label == "5 paragraphs (¶6–¶10) unchanged"
    assert len(view.rows) == 12


def test_too_large_is_decided_by_size_and_by_the_changed_middle() -> None:
    """A 1 MB headline is too large; a 1,000-paragraph article with one edit is not (its
    changed middle is one paragraph); 300 rewritten paragraphs are."""
    assert "headline of 1,000,000" in too_large(
        version("x" * 1_000_000, ["a"]), version("y", ["a"])
    )
    long = [f"Paragraph {n} of a very long live page." for n in range(1000)]
    one_edit = [*long]
    one_edit[500] = "An edited paragraph."
    assert too_large(version("T", long), version("T", one_edit)) is None
    rewritten = [f"Other {n} words here." for n in range(300)]
    assert "300 paragraphs rewritten" in too_large(
        version("T", long[:300]), version("T", rewritten)
    )


# ---------------------------------------------------------------- the card


def _change(evidence: list[dict], kinds: list[str], silent: int = 1) -> dict:
    return {"evidence": evidence, "kinds": kinds, "silent": silent, "outlet": "capitol",
            "article_title": "T", "url": "http://127.0.0.1/a",
            "detected_at": "2026-11-25T12:00:00Z"}  # fmt: skip


def test_card_of_a_removal_says_what_happened() -> None:
    """A removed article's card reads "removed: HTTP 410", with the lead that is gone
    before it (not "BEFORE (nothing) / AFTER 410")."""
    change = _change([{"kind": "removed", "field": "status", "text": "article gone (HTTP 410)",
                       "old": None, "new": "410"}], ["removed"])  # fmt: skip
    card = card_text(change, {"title": "Old", "body": "The lead.\n\nMore."}, None)
    assert (card.before, card.after) == ("The lead.", "removed: HTTP 410")
    back = _change([{"kind": "restored", "field": "status", "text": "back", "new": "200"}],
                   ["restored"])  # fmt: skip
    assert card_text(back, None, {"title": "T"}).after == "back online: HTTP 200"


def test_card_of_a_correction_shows_the_fix_and_the_note() -> None:
    """A correction's card shows the corrected text (before/after) and the note on its
    own line, not the note as the "after"."""
    change = _change(
        [
            {"kind": "correction_note", "field": "body", "text": "Correction: it opened in 1962.",
             "old": None, "new": "Correction: it opened in 1962."},
            {"kind": "numbers", "field": "body", "text": "1965 → 1962",
             "old": "It opened in 1965.", "new": "It opened in 1962."},
        ],
        ["correction_note", "numbers"],
        silent=0,
    )  # fmt: skip
    card = card_text(change, {"title": "T"}, {"title": "T"})
    assert (card.before, card.after) == ("It opened in 1965.", "It opened in 1962.")
    assert card.kinds == "note on the page: “Correction: it opened in 1962.”"


def test_card_prefers_the_comment_line_over_a_number_change() -> None:
    """The card's before/after shows the most telling evidence: a slipped-in comment line
    before a number change."""
    change = _change(
        [
            {"kind": "numbers", "field": "body", "text": "1 → 2", "old": "1.", "new": "2."},
            {"kind": "comment_line", "field": "body", "text": "X declined.", "old": None,
             "new": "X declined."},
        ],
        ["comment_line", "numbers"],
    )  # fmt: skip
    card = card_text(change, {"title": "Old"}, {"title": "New"})
    assert (card.before, card.after, card.headline) == ("", "X declined.", "New")


# ---------------------------------------------------------------- table cells


def test_cells_show_kinds_as_badges_silent_as_a_word_and_link_versions() -> None:
    """kinds JSON becomes one badge per kind; the 0/1 flag reads silent / not silent
    (a count in the scoreboard stays a number); version ids open the version page."""
    badges = str(cells.render('["headline", "numbers"]', "kinds", "change_reports"))
    assert badges.count('class="badge kind') == 2 and "[" not in badges
    assert "silent" in str(cells.render(1, "silent", "changes"))
    assert "not silent" in str(cells.render(0, "silent", "change_reports"))
    assert cells.render(3, "silent", None, row=None) is None
    link = str(cells.render({"value": 7, "label": "T"}, "from_version_id", "changes"))
    assert 'href="/-/monitor/version/7"' in link
    evil = str(cells.render('["<script>"]', "kinds", "changes"))
    assert "<script>" not in evil and "&lt;script&gt;" in evil


# ---------------------------------------------------------------- verdicts and login


def test_verdicts_keep_every_verdict_and_attach_read_only(tmp_path: Path) -> None:
    """A second verdict replaces the current one and both stay in the history; a monitor
    connection sees them under the `review` schema, read-only."""
    path = tmp_path / "m-verdicts.db"
    ensure_file(path)
    for verdict in ("reviewed", "false_positive"):
        record(path, VerdictRecord(5, 2, "2026-01-01T00:00:00Z", verdict, "n", "alice", "t"))
    assert [v.verdict for v in read_all(path)] == ["false_positive"]
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM verdict_history").fetchone()[0] == 2
    monitor = sqlite3.connect(":memory:", uri=True)
    attach(monitor, path)
    assert monitor.execute("SELECT verdict FROM review.verdicts").fetchall() == [
        ("false_positive",)
    ]
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        monitor.execute("DELETE FROM review.verdicts")
    empty = sqlite3.connect(":memory:", uri=True)
    attach(empty, None)
    assert empty.execute("SELECT COUNT(*) FROM review.verdicts").fetchone() == (0,)


def test_passwords_hash_and_verify_and_next_stays_local() -> None:
    """Hashes verify only their password; a login's `next` is a local path or the desk."""
    hashed = hash_password("s3cret pass", iterations=1000)
    assert verify_password("s3cret pass", hashed) and not verify_password("other", hashed)
    assert not verify_password("s3cret pass", "garbage")
    for bad in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "", None):
        assert safe_next(bad) == "/-/monitor"
    assert safe_next("/-/monitor/change/3?silent=1") == "/-/monitor/change/3?silent=1"


def test_review_config_section() -> None:
    """[review] base_url and reviewers are validated with one-line errors naming the key."""
    hashed = hash_password("s3cret pass", iterations=1000)
    settings = parse_settings(
        f'[review]\nbase_url = "https://review.example.org/"\n'
        f'[review.reviewers]\nalice = "{hashed}"\n'
    )
    assert settings.review.base_url == "https://review.example.org"
    assert dict(settings.review.reviewers) == {"alice": hashed}
    assert hashed not in repr(settings)
    for text, message in (
        ('[review]\nbase_url = "review.example.org"', "base_url must be an http"),
        ('[review]\nbase_url = "https://user:pw@review.example.org"', "base_url must be"),
        ('[review.reviewers]\nalice = "hunter2"', "reviewers.alice must be a password hash"),
        ('[review]\ncolour = "red"', "[review] unknown key"),
    ):
        with pytest.raises(ConfigError, match=message.replace("[", r"\[")):
            parse_settings(text)


# ---------------------------------------------------------------- labels and packaging


def test_column_labels_read_as_words() -> None:
    """Stored column names become headers a reporter reads; the silent flag's facet values
    become words only on the tables where it is the flag."""
    from monitor.review.labels import column_label, facet_value_label

    assert column_label("last_checked_at", "articles") == "Last checked (UTC)"
    assert column_label("outlet_id", "articles") == "Outlet"  # shown as the outlet's name
    assert column_label("outlet_id") == "Outlet id"  # a query's raw id
    assert column_label("article_id", "changes") == "Article id"
    assert column_label("id", "changes") == "Change"
    assert column_label("id", "notify_outbox") == "Id"
    assert column_label("false_positives_left_out") == "False positives left out"
    assert facet_value_label("silent", "changes", 1, 1) == "silent"
    assert facet_value_label("silent", "change_reports", "0", "0") == "not silent"
    assert facet_value_label("silent", "outlet_scoreboard", 3, 3) == 3


def test_package_data_ships_every_template_and_static_file() -> None:
    """An installed (non-editable) package carries every template, stylesheet and script of
    the plugin: the desk's keyboard navigation (review.js) was left out once."""
    import tomllib
    from fnmatch import fnmatch

    from tests.support.paths import REPO

    globs = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"
    ]["package-data"]["monitor.review"]
    folder = REPO / "monitor" / "review"
    files = [p.relative_to(folder).as_posix() for d in ("templates", "static")
             for p in (folder / d).iterdir() if p.is_file()]  # fmt: skip
    missing = [f for f in files if not any(fnmatch(f, g) for g in globs)]
    assert files and missing == []
