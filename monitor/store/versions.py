"""Versions and changes: the record the pipeline writes and the review reads.

A version's body is stored as a passage list (see monitor.sentences): each distinct
sentence of an article once in ``passages``, and per version a ``version_records``
row holding the other fields and the ids of its passages in order. Reads go
through the ``versions`` view, which rebuilds the body in SQL (see
monitor.store.migration_passages). Changes compare two consecutive versions.
"""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from monitor.models import Classification, Version
from monitor.sentences import passages
from monitor.store.db import query_all, query_one

# the JSON arrays only monitor.store.versions reads back (passage ids): no spaces
_COMPACT = (",", ":")


def latest_version(db: sqlite_utils.Database, article_id: int) -> Version | None:
    row = query_one(
        db,
        "SELECT * FROM versions WHERE article_id = ? ORDER BY version_number DESC LIMIT 1",
        (article_id,),
    )
    return version_from_row(row) if row else None


def latest_version_id(db: sqlite_utils.Database, article_id: int) -> int | None:
    row = db.execute(
        "SELECT id FROM version_records WHERE article_id = ? ORDER BY version_number DESC LIMIT 1",
        (article_id,),
    ).fetchone()
    return int(row[0]) if row else None


def version_by_id(db: sqlite_utils.Database, version_id: int) -> Version | None:
    row = query_one(db, "SELECT * FROM versions WHERE id = ?", (version_id,))
    return version_from_row(row) if row else None


def version_by_number(db: sqlite_utils.Database, article_id: int, number: int) -> Version | None:
    row = query_one(
        db,
        "SELECT * FROM versions WHERE article_id = ? AND version_number = ?",
        (article_id, number),
    )
    return version_from_row(row) if row else None


def versions_of(db: sqlite_utils.Database, article_id: int) -> list[dict]:
    return query_all(
        db,
        "SELECT id, version_number, captured_at, title, content_hash FROM versions "
        "WHERE article_id = ? ORDER BY version_number",
        (article_id,),
    )


def earlier_version_with_hash(
    db: sqlite_utils.Database, article_id: int, content_hash: str, latest_id: int
) -> int | None:
    row = db.execute(
        "SELECT id FROM versions WHERE article_id = ? AND content_hash = ? AND id != ? "
        "ORDER BY version_number DESC LIMIT 1",
        (article_id, content_hash, latest_id),
    ).fetchone()
    return int(row[0]) if row else None


def version_number(db: sqlite_utils.Database, version_id: int) -> int | None:
    """The article's own number (1, 2, 3…) of a version row: what people are shown."""
    row = db.execute(
        "SELECT version_number FROM version_records WHERE id = ?", (version_id,)
    ).fetchone()
    return int(row[0]) if row else None


def version_from_row(row: dict) -> Version:
    """A ``versions`` row (as a dict, from any connection) as the pipeline's Version."""
    return Version(
        id=row["id"],
        article_id=row["article_id"],
        captured_at=row["captured_at"],
        title=row["title"],
        byline=row["byline"],
        body=row["body"],
        content_hash=row["content_hash"],
        published_at=row["published_at"],
        modified_at=row["modified_at"],
    )


def insert_version(db: sqlite_utils.Database, article_id: int, fields: dict[str, Any]) -> Version:
    """Store the next version of an article: its fields, and its body as a passage list.

    Passages (sentences, see monitor.sentences) the article already has, in any earlier
    version, are referenced, not stored again: an edit costs its changed sentences,
    not the whole text.
    """
    number = db.execute(
        "SELECT COALESCE(MAX(version_number), 0) + 1 FROM version_records WHERE article_id = ?",
        (article_id,),
    ).fetchone()[0]
    record = {key: value for key, value in fields.items() if key != "body"}
    record["canonical_url"] = _stored_canonical(db, article_id, fields.get("canonical_url"))
    passage_ids = _passage_ids(db, article_id, number, fields["body"])
    columns = {"article_id": article_id, "version_number": number, **record}
    columns["passage_ids"] = json.dumps(passage_ids, separators=_COMPACT)
    names = ", ".join(columns)
    marks = ", ".join("?" for _ in columns)
    cursor = db.execute(
        f"INSERT INTO version_records ({names}) VALUES ({marks})", tuple(columns.values())
    )
    db.execute(
        "UPDATE articles SET version_count = version_count + 1, title = ? WHERE id = ?",
        (fields["title"], article_id),
    )
    # the fields just written, not a read back through the view (which rebuilds the body)
    written = {"published_at": None, "modified_at": None, **fields}
    return version_from_row({"id": int(cursor.lastrowid), "article_id": article_id, **written})


def _stored_canonical(db: sqlite_utils.Database, article_id: int, url: str | None) -> str | None:
    """How ``version_records`` keeps a canonical URL (see monitor.store.migration_passages):
    NULL for the article's own URL, '' for none."""
    if url is None:
        return ""
    own = db.execute("SELECT url FROM articles WHERE id = ?", (article_id,)).fetchone()
    return None if own is not None and own[0] == url else url


def _passage_ids(db: sqlite_utils.Database, article_id: int, number: int, body: str) -> list[int]:
    """The ids of ``body``'s passages, storing the ones the article never had."""
    known = dict(db.execute("SELECT text, id FROM passages WHERE article_id = ?", (article_id,)))
    ids = []
    for text in passages(body):
        if text not in known:
            known[text] = db.execute(
                "INSERT INTO passages (article_id, first_version, text) VALUES (?, ?, ?)",
                (article_id, number, text),
            ).lastrowid
        ids.append(known[text])
    return ids


def insert_change(
    db: sqlite_utils.Database,
    article_id: int,
    *,
    from_version_id: int | None,
    to_version_id: int | None,
    detected_at: str,
    classification: Classification,
    revert_of: int | None = None,
    fetch_id: int | None = None,
) -> int:
    evidence = [
        {"kind": e.kind, "field": e.field, "text": e.text, "old": e.old, "new": e.new}
        for e in classification.evidence
    ]
    cursor = db.execute(
        """INSERT INTO changes (article_id, from_version_id, to_version_id, detected_at, kinds, silent,
           summary, evidence, revert_of_version_id, fetch_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (
            article_id,
            from_version_id,
            to_version_id,
            detected_at,
            json.dumps(list(classification.kinds)),
            int(classification.silent),
            classification.summary,
            json.dumps(evidence, ensure_ascii=False),
            revert_of,
            fetch_id,
        ),
    )
    db.execute("UPDATE articles SET change_count = change_count + 1 WHERE id = ?", (article_id,))
    return int(cursor.lastrowid)


def changes_of(db: sqlite_utils.Database, article_id: int) -> list[dict]:
    return query_all(db, "SELECT * FROM changes WHERE article_id = ? ORDER BY id", (article_id,))
