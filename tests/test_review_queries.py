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


def test_full_text_search_finds_versions_by_body_and_title(ds) -> None:
    """Datasette's search box on versions matches words of the body and of the headline."""
    body_hits = rows(ds, "/monitor/versions?_search=immediately")
    assert body_hits and all("immediately" in r["body"].lower() for r in body_hits)
    title_hits = rows(ds, "/monitor/versions?_search_title=budget+vote+delayed")
    assert [r["title"] for r in title_hits] == [XSS_TITLE]
    assert [r["title"] for r in rows(ds, "/monitor/versions?_search=reviewed")] == [XSS_TITLE]


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
