"""Upgrading a database rewrites revert summaries and evidence to the article's own version
numbers (they named row ids before); nothing else in the change is touched."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import sqlite_utils

from monitor import store
from monitor.store.migrations import MIGRATIONS

#: the schema before the revert-number migration (later migrations may follow it)
BEFORE = next(i for i, m in enumerate(MIGRATIONS) if m.__name__ == "_m11_revert_numbers")


def _old_database(path: Path) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    for migration in MIGRATIONS[:BEFORE]:
        migration(sqlite_utils.Database(conn))
    conn.execute(f"PRAGMA user_version = {BEFORE}")
    for article in (1, 2):
        conn.execute(
            "INSERT INTO articles (id, url, first_seen_at) VALUES (?, ?, 't')",
            (article, f"http://127.0.0.1/{article}"),
        )
    # article 1 takes rows 1-3, so article 2's versions 1-3 are rows 4-6
    for article in (1, 2):
        for number, title in enumerate(("A", "B", "A"), start=1):
            conn.execute(
                "INSERT INTO versions (article_id, version_number, captured_at, title, byline, "
                "body, content_hash) VALUES (?, ?, 't', ?, '', 'Body.', ?)",
                (article, number, title, f"h{title}"),
            )
    evidence = [
        {"kind": "headline", "field": "title", "text": "A", "old": "B", "new": "A"},
        {"kind": "revert", "field": "version", "text": "same as earlier version 4", "old": None, "new": "4"},
    ]
    insert = (
        "INSERT INTO changes (article_id, from_version_id, to_version_id, detected_at, kinds, "
        "silent, summary, evidence, revert_of_version_id) VALUES (?, ?, ?, 't', ?, 1, ?, ?, ?)"
    )
    kinds = json.dumps(["headline", "revert"])
    summary = 'Headline changed: "B" → "A"; reverts to version 4'
    conn.execute(insert, (2, 5, 6, kinds, summary, json.dumps(evidence), 4))
    conn.execute(insert, (2, 5, 6, kinds, summary, "not json", 4))  # hand-edited
    conn.execute(insert, (1, 1, 2, json.dumps(["headline"]), "Headline changed", "[]", None))
    conn.close()


def test_upgrade_names_reverted_versions_by_number(tmp_path: Path) -> None:
    """'reverts to version 4' (row 4 is article 2's version 1) becomes 'reverts to version
    1' in the summary and the revert evidence; the column keeps the row id; a change whose
    evidence is not JSON keeps that evidence; other changes are untouched."""
    path = tmp_path / "old.db"
    _old_database(path)
    db = store.open_db(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    rows = db.execute(
        "SELECT summary, evidence, revert_of_version_id FROM changes ORDER BY id"
    ).fetchall()
    (summary, evidence, revert_of), (summary2, evidence2, _), (summary3, evidence3, _) = rows
    assert summary == 'Headline changed: "B" → "A"; reverts to version 1'
    revert = next(e for e in json.loads(evidence) if e["kind"] == "revert")
    assert (revert["text"], revert["new"]) == ("same as earlier version 1", "1")
    assert revert_of == 4
    assert summary2.endswith("reverts to version 1") and evidence2 == "not json"
    assert (summary3, evidence3) == ("Headline changed", "[]")
