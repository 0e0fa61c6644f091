"""Datasette's own pages for the monitor database: metadata, facets, canned queries, search."""

from __future__ import annotations

import re

import test_review_fixture as shared
from test_review_fixture import XSS_TITLE, Filled, get, rows

# the module-scoped fixtures, shared with the other review test modules
filled, ds, sql = shared.filled, shared.ds, shared.sql


def test_change_reports_facets_by_outlet_kind_silent_and_day(ds) -> None:
    """The change reports view comes with facets configured, newest first."""
    data = get(ds, "/monitor/change_reports.json?_size=5").json()
    assert {"outlet", "kinds", "silent", "day"} <= set(data["facet_results"])
    kinds = {r["value"] for r in data["facet_results"]["kinds"]["results"]}
    assert {"headline", "comment_line"} <= kinds
    detected = [r[1] for r in data["rows"]]
    assert detected == sorted(detected, reverse=True)


def test_table_pages_show_titles_descriptions_and_link_ids(ds) -> None:
    """Reviewers see a human title and description, and ids link to the plugin's pages."""
    html = get(ds, "/monitor/change_reports").text
    assert "Change reports" in html and "One row per detected change" in html
    assert 'href="/-/monitor/change/' in html and 'href="/-/monitor/article/' in html
    assert "review.css" in html


def test_silent_edit_queries_cover_the_last_day_and_week(ds, sql) -> None:
    """Both silent-edit queries list every silent change (all were detected within hours)."""
    silent = {r[0] for r in sql.execute("SELECT id FROM changes WHERE silent = 1")}
    assert {r["change_id"] for r in rows(ds, "/monitor/silent_edits_24h")} == silent
    assert {r["change_id"] for r in rows(ds, "/monitor/silent_edits_7d")} == silent


def test_headline_and_comment_line_queries(ds, sql, filled: Filled) -> None:
    """Headline changes show old and new; comment lines added include the NSC line."""
    headlines = rows(ds, "/monitor/headline_changes")
    planted = next(r for r in headlines if r["change_id"] == filled.xss_change_id)
    assert planted["new_headline"] == XSS_TITLE and planted["old_headline"] != XSS_TITLE
    lines = [r["line_added"] for r in rows(ds, "/monitor/comment_lines_added")]
    assert any("National Security Council did not immediately respond" in line for line in lines)


def test_corrections_removed_and_most_edited_queries(ds, sql) -> None:
    """Each query returns what the database holds: correction notes, removals, edit counts."""
    notes = sql.execute(
        "SELECT COUNT(*) FROM changes WHERE kinds LIKE '%correction_note%'"
    ).fetchone()[0]
    assert (len(rows(ds, "/monitor/corrections")) > 0) == (notes > 0)
    removed = sql.execute(
        "SELECT COUNT(*) FROM changes WHERE kinds LIKE '%\"removed\"%'"
    ).fetchone()[0]
    assert len(rows(ds, "/monitor/removed_articles")) == removed
    counts = [r["changes"] for r in rows(ds, "/monitor/most_edited")]
    assert counts and counts == sorted(counts, reverse=True)


def test_outlet_scoreboard_counts_changes_and_silent_share(ds, sql) -> None:
    """Per outlet: changes, silent share in percent and a median hours-to-first-edit."""
    board = {r["outlet"]: r for r in rows(ds, "/monitor/outlet_scoreboard")}
    for name, changes, silent in sql.execute(
        "SELECT o.name, COUNT(c.id), COALESCE(SUM(c.silent), 0) FROM outlets o "
        "LEFT JOIN articles a ON a.outlet_id = o.id LEFT JOIN changes c ON c.article_id = a.id GROUP BY o.id"
    ):
        assert board[name]["changes"] == changes
        assert board[name]["silent_pct"] == round(100.0 * silent / max(changes, 1), 1)
        if changes:
            assert board[name]["median_hours_to_first_edit"] >= 0


def test_full_text_search_finds_text_in_passages_and_headlines_in_versions(ds) -> None:
    """The search box on passages matches words of any version's text; the one on
    versions matches headlines (column search on the title works on version_records)."""
    body_hits = rows(ds, "/monitor/passages?_search=immediately")
    assert body_hits and all("immediately" in r["text"].lower() for r in body_hits)
    title_hits = rows(ds, "/monitor/versions?_search=budget+vote+delayed")
    assert XSS_TITLE in {r["title"] for r in title_hits}
    assert all("delayed" in r["title"].lower() for r in title_hits)
    column_hits = rows(ds, "/monitor/version_records?_search_title=budget+vote+delayed")
    assert {r["title"] for r in column_hits} == {XSS_TITLE}


def test_phrase_history_says_when_a_line_appeared_and_if_it_is_still_there(ds, sql) -> None:
    """For the NSC comment line: the first version that held it is the one after the
    change that added it, and the latest version still holds it; the versions query
    lists exactly the versions whose text contains the phrase."""
    phrase = "did not immediately respond to a request for comment"
    history = rows(ds, f"/monitor/phrase_history?phrase={phrase.replace(' ', '+')}")
    assert history
    for item in history:
        bodies = sql.execute(
            "SELECT version_number, body FROM versions WHERE article_id = ? ORDER BY version_number",
            (item["article_id"],),
        ).fetchall()
        holding = [n for n, body in bodies if phrase in body.lower()]
        assert item["first_version_with_it"] == holding[0]
        assert item["last_version_with_it"] == holding[-1]
        assert item["in_latest"] == (holding[-1] == bodies[-1][0])
    listed = rows(ds, f"/monitor/versions_with_phrase?phrase={phrase.replace(' ', '+')}")
    expected = {
        r[0] for r in sql.execute("SELECT id, body FROM versions") if phrase in r[1].lower()
    }
    assert {r["version_id"] for r in listed} == expected
    # punctuation in the phrase is text, not FTS syntax
    assert rows(ds, "/monitor/phrase_history?phrase=%22comment%22+AND+(") == []


def test_missing_static_file_is_404_even_with_rich_importable(ds) -> None:
    """Datasette's rich traceback printer (which raises outside except blocks) is switched off."""
    import datasette.handle_exception as handler

    assert handler.rich is None
    assert get(ds, "/-/static-plugins/monitor.review/nope.css").status_code == 404


def test_static_css_is_served_from_the_package(ds) -> None:
    """Pages link the plugin's stylesheet from monitor/review/static, and it is served."""
    html = get(ds, "/-/monitor").text
    match = re.search(r'href="([^"]*/review\.css)"', html)
    assert match, "review.css is not linked"
    response = get(ds, match.group(1))
    assert response.status_code == 200 and ".badge-silent" in response.text
