"""Reads for the review pages, through Datasette's read-only connections."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from monitor.store.snapshots import snapshot_html

if TYPE_CHECKING:
    from datasette.app import Datasette
    from datasette.database import Database


_REQUIRED = {"articles", "changes", "version_records"}


async def monitor_database(datasette: Datasette) -> Database | None:
    """The first attached database that is an article-monitor one."""
    for name, db in datasette.databases.items():
        if name == "_internal":
            continue
        if set(await db.table_names()) >= _REQUIRED:
            return db
    return None


async def rows(db: Database, sql: str, params: dict[str, Any] | None = None) -> list[dict]:
    result = await db.execute(sql, params or {})
    return [dict(r) for r in result.rows]


async def row(db: Database, sql: str, params: dict[str, Any] | None = None) -> dict | None:
    found = await rows(db, sql, params)
    return found[0] if found else None


_CHANGE = """SELECT c.*, a.url, a.title AS article_title, a.outlet_id, a.status AS article_status,
       o.name AS outlet
FROM changes c JOIN articles a ON a.id = c.article_id LEFT JOIN outlets o ON o.id = a.outlet_id
WHERE c.id = :id"""


async def change(db: Database, change_id: int) -> dict | None:
    """A change with its article, outlet, parsed kinds/evidence and neighbours."""
    found = await row(db, _CHANGE, {"id": change_id})
    if found is None:
        return None
    found["kinds"] = json.loads(found["kinds"] or "[]")
    found["evidence"] = json.loads(found["evidence"] or "[]")
    params = {"a": found["article_id"], "id": change_id}
    prev = await row(
        db, "SELECT MAX(id) AS id FROM changes WHERE article_id = :a AND id < :id", params
    )
    nxt = await row(
        db, "SELECT MIN(id) AS id FROM changes WHERE article_id = :a AND id > :id", params
    )
    found["previous_id"] = prev["id"] if prev else None
    found["next_id"] = nxt["id"] if nxt else None
    return found


async def version(db: Database, version_id: int | None) -> dict | None:
    if version_id is None:
        return None
    return await row(db, "SELECT * FROM versions WHERE id = :id", {"id": version_id})


async def article(db: Database, article_id: int) -> dict | None:
    return await row(
        db,
        "SELECT a.*, o.name AS outlet FROM articles a LEFT JOIN outlets o ON o.id = a.outlet_id "
        "WHERE a.id = :id",
        {"id": article_id},
    )


async def article_versions(db: Database, article_id: int) -> list[dict]:
    return await rows(
        db,
        "SELECT id, version_number, captured_at, title, byline, snapshot_id, "
        "length(body) AS body_chars FROM versions WHERE article_id = :a ORDER BY version_number",
        {"a": article_id},
    )


async def article_changes(db: Database, article_id: int) -> list[dict]:
    found = await rows(
        db,
        "SELECT id, detected_at, kinds, silent, summary, from_version_id, to_version_id "
        "FROM changes WHERE article_id = :a ORDER BY id",
        {"a": article_id},
    )
    for item in found:
        item["kinds"] = json.loads(item["kinds"] or "[]")
    return found


async def outlet(db: Database, outlet_id: int) -> dict | None:
    found = await row(db, "SELECT * FROM outlets WHERE id = :id", {"id": outlet_id})
    if found is None:
        return None
    stats = await row(
        db,
        "SELECT COUNT(c.id) AS changes, COALESCE(SUM(c.silent), 0) AS silent "
        "FROM articles a JOIN changes c ON c.article_id = a.id WHERE a.outlet_id = :id",
        {"id": outlet_id},
    )
    assert stats is not None
    found.update(stats)
    found["silent_rate"] = stats["silent"] / stats["changes"] if stats["changes"] else None
    return found


async def outlet_by_name(db: Database, name: str) -> dict | None:
    return await row(db, "SELECT * FROM outlets WHERE name = :n", {"n": name})


async def outlet_articles(db: Database, outlet_id: int) -> list[dict]:
    return await rows(
        db,
        """SELECT a.id, a.title, a.url, a.status, a.version_count, a.change_count,
                  a.last_changed_at,
                  (SELECT COUNT(*) FROM changes c WHERE c.article_id = a.id AND c.silent = 1)
                    AS silent
           FROM articles a WHERE a.outlet_id = :id
           ORDER BY a.change_count DESC, a.last_changed_at DESC, a.id""",
        {"id": outlet_id},
    )


async def outlets(db: Database) -> list[dict]:
    return await rows(
        db,
        """SELECT o.id, o.name, COUNT(DISTINCT a.id) AS articles, COUNT(c.id) AS changes,
                  COALESCE(SUM(c.silent), 0) AS silent
           FROM outlets o LEFT JOIN articles a ON a.outlet_id = o.id
           LEFT JOIN changes c ON c.article_id = a.id
           GROUP BY o.id ORDER BY o.name""",
    )


async def silent_changes(db: Database, outlet_id: int | None, limit: int = 50) -> list[dict]:
    """The newest silent edits, with the headline after the change, for the feed."""
    where = "c.silent = 1" + (" AND a.outlet_id = :o" if outlet_id is not None else "")
    return await rows(
        db,
        f"""SELECT c.id, c.detected_at, c.kinds, c.summary, c.evidence, a.url, a.id AS article_id,
                   o.name AS outlet, COALESCE(nv.title, ov.title, a.title) AS headline
            FROM changes c JOIN articles a ON a.id = c.article_id
            LEFT JOIN outlets o ON o.id = a.outlet_id
            LEFT JOIN versions nv ON nv.id = c.to_version_id
            LEFT JOIN versions ov ON ov.id = c.from_version_id
            WHERE {where} ORDER BY c.detected_at DESC, c.id DESC LIMIT {int(limit)}""",
        {"o": outlet_id},
    )


async def recent_changes(db: Database, limit: int = 20) -> list[dict]:
    found = await rows(
        db,
        f"SELECT id, detected_at, outlet, headline, kinds, silent, summary, article_id "
        f"FROM change_reports ORDER BY detected_at DESC, id DESC LIMIT {int(limit)}",
    )
    for item in found:
        item["kinds"] = json.loads(item["kinds"] or "[]")
    return found


async def snapshot_text(db: Database, snapshot_id: int) -> tuple[str, str] | None:
    """A raw snapshot decoded to text, with the URL it was fetched from.

    Most snapshots are deltas against the article's previous one: the page is
    rebuilt through the chain, on Datasette's read connection.
    """
    found = await row(db, "SELECT url, encoding FROM snapshots WHERE id = :id", {"id": snapshot_id})
    if found is None:
        return None
    raw = await db.execute_fn(lambda conn: snapshot_html(conn, snapshot_id))
    if raw is None:
        return None
    try:
        text = raw.decode(found["encoding"] or "utf-8", errors="replace")
    except LookupError:
        text = raw.decode("utf-8", errors="replace")
    return found["url"] or "", text
