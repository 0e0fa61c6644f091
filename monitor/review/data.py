"""Reads for the review pages, through Datasette's read-only connections."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from monitor.review import explain
from monitor.review import queue as queue_sql
from monitor.review.queue import Queue
from monitor.review.verdicts import SCHEMA
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
    found["verdict"] = await verdict(db, found)
    return found


async def verdict(db: Database, change_row: dict) -> dict | None:
    """The change's current verdict from the attached verdicts file, if it has one."""
    return await row(
        db,
        f"SELECT verdict, note, reviewer, decided_at FROM {SCHEMA}.verdicts "
        "WHERE change_id = :id AND article_id = :a AND detected_at = :at",
        {"id": change_row["id"], "a": change_row["article_id"], "at": change_row["detected_at"]},
    )


async def version_numbers(db: Database, ids: list[int | None]) -> dict[int, int]:
    """Row id → the article's own version number, for the ids given."""
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    found = await rows(
        db,
        "SELECT id, version_number FROM version_records WHERE id IN "
        "(SELECT value FROM json_each(:ids))",
        {"ids": json.dumps(wanted)},
    )
    return {r["id"]: r["version_number"] for r in found}


async def version_by_number(db: Database, article_id: int, number: int) -> dict | None:
    found = await row(
        db,
        "SELECT id FROM version_records WHERE article_id = :a AND version_number = :n",
        {"a": article_id, "n": number},
    )
    return await version(db, found["id"]) if found else None


async def version_page_data(db: Database, version_id: int) -> dict | None:
    """A version with its article, outlet, neighbours and the change that made it."""
    found = await version(db, version_id)
    if found is None:
        return None
    found["article"] = await article(db, found["article_id"])
    params = {"a": found["article_id"], "n": found["version_number"], "id": version_id}
    found["previous"] = await row(
        db,
        "SELECT id, version_number FROM version_records WHERE article_id = :a "
        "AND version_number < :n ORDER BY version_number DESC LIMIT 1",
        params,
    )
    found["next"] = await row(
        db,
        "SELECT id, version_number FROM version_records WHERE article_id = :a "
        "AND version_number > :n ORDER BY version_number LIMIT 1",
        params,
    )
    found["change"] = await row(
        db, "SELECT id, kinds, silent, summary FROM changes WHERE to_version_id = :id", params
    )
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
        "SELECT id, version_number, captured_at, substr(title, 1, 300) AS title, "
        "substr(byline, 1, 300) AS byline, snapshot_id, length(body) AS body_chars "
        "FROM versions WHERE article_id = :a ORDER BY version_number",
        {"a": article_id},
    )


async def article_changes(db: Database, article_id: int) -> list[dict]:
    found = await rows(
        db,
        f"""SELECT c.id, c.detected_at, c.kinds, c.silent, c.summary, c.from_version_id,
                   c.to_version_id, fv.version_number AS from_number,
                   tv.version_number AS to_number, v.verdict, c.revert_of_version_id,
                   rv.version_number AS revert_number
            FROM changes c
            LEFT JOIN version_records fv ON fv.id = c.from_version_id
            LEFT JOIN version_records tv ON tv.id = c.to_version_id
            LEFT JOIN version_records rv ON rv.id = c.revert_of_version_id
            LEFT JOIN {SCHEMA}.verdicts v ON v.change_id = c.id
              AND v.article_id = c.article_id AND v.detected_at = c.detected_at
            WHERE c.article_id = :a ORDER BY c.id""",
        {"a": article_id},
    )
    for item in found:
        item["kinds"] = json.loads(item["kinds"] or "[]")
    return _with_shown_summaries(found)


def _with_shown_summaries(found: list[dict]) -> list[dict]:
    """Summaries as shown: a revert named by version number (explain.shown_summary)."""
    for item in found:
        item["summary"] = explain.shown_summary(
            item["summary"] or "", item["revert_of_version_id"], item["revert_number"]
        )
    return found


async def outlet(db: Database, outlet_id: int) -> dict | None:
    found = await row(db, "SELECT * FROM outlets WHERE id = :id", {"id": outlet_id})
    if found is None:
        return None
    stats = await row(
        db,
        f"""SELECT COUNT(c.id) AS changes, COALESCE(SUM(c.silent), 0) AS silent,
                   COALESCE(SUM(c.silent = 1 AND v.verdict = 'false_positive'), 0)
                     AS false_positives
            FROM articles a JOIN changes c ON c.article_id = a.id
            LEFT JOIN {SCHEMA}.verdicts v ON v.change_id = c.id
              AND v.article_id = c.article_id AND v.detected_at = c.detected_at
            WHERE a.outlet_id = :id""",
        {"id": outlet_id},
    )
    assert stats is not None
    found.update(stats)
    found["silent_rate"] = stats["silent"] / stats["changes"] if stats["changes"] else None
    return found


async def incidents(db: Database, outlet_id: int | None = None, *, open_only: bool = False,
                    limit: int = 20) -> list[dict]:
    """Outlet incidents, newest first (none in a database from before incidents)."""
    if await row(db, "SELECT 1 AS found FROM sqlite_master WHERE name = 'incidents'") is None:
        return []
    where = ["1"]
    if outlet_id is not None:
        where.append("i.outlet_id = :o")
    if open_only:
        where.append("i.ended_at IS NULL")
    return await rows(
        db,
        f"""SELECT i.id, i.outlet_id, o.name AS outlet, i.kind, i.started_at, i.ended_at,
                   i.articles, i.reads, i.summary
            FROM incidents i LEFT JOIN outlets o ON o.id = i.outlet_id
            WHERE {" AND ".join(where)} ORDER BY i.started_at DESC, i.id DESC LIMIT :n""",
        {"o": outlet_id, "n": limit},
    )  # fmt: skip


async def outlet_by_name(db: Database, name: str) -> dict | None:
    return await row(db, "SELECT * FROM outlets WHERE name = :n", {"n": name})


async def outlet_articles(db: Database, outlet_id: int) -> list[dict]:
    return await rows(
        db,
        """SELECT a.id, substr(a.title, 1, 300) AS title, a.url, a.status, a.version_count,
                  a.change_count, a.last_changed_at,
                  (SELECT COUNT(*) FROM changes c WHERE c.article_id = a.id AND c.silent = 1)
                    AS silent
           FROM articles a WHERE a.outlet_id = :id
           ORDER BY a.change_count DESC, a.last_changed_at DESC, a.id""",
        {"id": outlet_id},
    )


async def outlets(db: Database) -> list[dict]:
    """Each outlet's articles, changes, silent edits, and silent edits once those a
    reviewer marked false positive are left out."""
    found = await rows(
        db,
        f"""SELECT o.id, o.name, COUNT(DISTINCT a.id) AS articles, COUNT(c.id) AS changes,
                  COALESCE(SUM(c.silent), 0) AS silent,
                  COALESCE(SUM(c.silent = 1 AND v.verdict = 'false_positive'), 0)
                    AS false_positives,
                  COALESCE(SUM(v.verdict = 'false_positive'), 0) AS marked_false
           FROM outlets o LEFT JOIN articles a ON a.outlet_id = o.id
           LEFT JOIN changes c ON c.article_id = a.id
           LEFT JOIN {SCHEMA}.verdicts v ON v.change_id = c.id
             AND v.article_id = c.article_id AND v.detected_at = c.detected_at
           GROUP BY o.id ORDER BY o.name""",
    )
    for item in found:
        kept = item["changes"] - item["marked_false"]
        silent = item["silent"] - item["false_positives"]
        item["silent_share"] = silent / kept if kept else None
    return found


async def silent_changes(db: Database, outlet_id: int | None, limit: int = 50) -> list[dict]:
    """The newest silent edits, with the headline after the change, for the feed."""
    where = "c.silent = 1" + (" AND a.outlet_id = :o" if outlet_id is not None else "")
    found = await rows(
        db,
        f"""SELECT c.id, c.detected_at, c.kinds, c.summary, c.evidence, a.url, a.id AS article_id,
                   o.name AS outlet,
                   substr(COALESCE(nv.title, ov.title, a.title), 1, 300) AS headline,
                   c.revert_of_version_id, rv.version_number AS revert_number
            FROM changes c JOIN articles a ON a.id = c.article_id
            LEFT JOIN outlets o ON o.id = a.outlet_id
            LEFT JOIN version_records nv ON nv.id = c.to_version_id
            LEFT JOIN version_records ov ON ov.id = c.from_version_id
            LEFT JOIN version_records rv ON rv.id = c.revert_of_version_id
            WHERE {where} ORDER BY c.detected_at DESC, c.id DESC LIMIT {int(limit)}""",
        {"o": outlet_id},
    )
    return _with_shown_summaries(found)


async def queue_page(db: Database, queue: Queue) -> tuple[list[dict], bool]:
    """One page of the desk's queue, newest first, and whether an older page exists."""
    sql, params = queue_sql.page_sql(queue)
    found = await rows(db, sql, params)
    for item in found:
        item["kinds"] = json.loads(item["kinds"] or "[]")
    return _with_shown_summaries(found)[: queue_sql.PAGE_SIZE], len(found) > queue_sql.PAGE_SIZE


async def queue_counts(db: Database, queue: Queue) -> dict:
    sql, params = queue_sql.count_sql(queue)
    found = await row(db, sql, params)
    assert found is not None
    return found


async def queue_neighbours(db: Database, queue: Queue, change_row: dict) -> dict[str, Any]:
    """The newer and older change around this one in the queue, and its position."""
    result: dict[str, Any] = {}
    for name, newer in (("newer", True), ("older", False)):
        sql, params = queue_sql.neighbour_sql(queue, newer)
        params.update(at=change_row["detected_at"], id=change_row["id"])
        found = await row(db, sql, params)
        result[name] = found["id"] if found else None
    return result


async def filter_choices(db: Database) -> dict[str, list]:
    """What the desk's filters offer: outlets by name, and the days with changes."""
    names = await rows(db, "SELECT name FROM outlets ORDER BY name")
    days = await rows(
        db,
        "SELECT substr(detected_at, 1, 10) AS day, COUNT(*) AS changes FROM changes "
        "GROUP BY day ORDER BY day DESC LIMIT 90",
    )
    return {"outlets": [r["name"] for r in names], "days": days}


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
