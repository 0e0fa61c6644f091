"""Export for researchers: changes, versions and NewsEdits-style sentence operations.

Records are plain dicts built from the database (I/O at the edge) and a pure
sentence-level comparison; writers turn them into JSON Lines or CSV.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

import sqlite_utils

from monitor.compare.diff import align_paragraphs
from monitor.models import Version
from monitor.review.verdicts import VerdictRecord, read_all, verdicts_path
from monitor.sentences import sentences
from monitor.store import versions
from monitor.store.pg import is_postgres

ExportKind = Literal["changes", "versions", "sentences"]

#: Column order for CSV (and key order for JSON Lines).
FIELDS: dict[str, tuple[str, ...]] = {
    "changes": (
        "change_id",
        "article_id",
        "outlet",
        "url",
        "from_version",
        "to_version",
        "detected_at",
        "kinds",
        "silent",
        "summary",
        "evidence",
        # the reviewers' verdict from the desk (the verdicts file beside the database)
        "verdict",
        "verdict_note",
        "verdict_by",
        "verdict_at",
    ),
    "versions": (
        "version_id",
        "article_id",
        "outlet",
        "url",
        "version",
        "captured_at",
        "title",
        "byline",
        "body",
        "published_at",
        "modified_at",
        "content_hash",
    ),
    "sentences": (
        "article_id",
        "outlet",
        "url",
        "from_version",
        "to_version",
        "op",
        "old_index",
        "new_index",
        "old_sentence",
        "new_sentence",
    ),
}
#: NewsEdits' operation names for aligned sentence pairs.
_SENTENCE_OPS = {"added": "added", "removed": "removed", "changed": "edited", "moved": "moved"}


@dataclass(frozen=True)
class Filters:
    since: str | None = None
    outlet: str | None = None
    silent_only: bool = False


@dataclass(frozen=True)
class SentenceOp:
    op: str  # added, removed, edited, moved, unchanged
    old_index: int | None
    new_index: int | None
    old: str | None
    new: str | None


def split_sentences(version: Version) -> tuple[str, ...]:
    """All sentences of the body in reading order (paragraph breaks are not sentence ops)."""
    return tuple(s for paragraph in version.paragraphs for s in sentences(paragraph) if s.strip())


def sentence_ops(
    old: Version, new: Version, *, include_unchanged: bool = False
) -> list[SentenceOp]:
    """Sentences added, removed, edited (paired by similarity) and moved between two versions."""
    ops = []
    for op in align_paragraphs(split_sentences(old), split_sentences(new)):
        if op.kind == "equal" and not include_unchanged:
            continue
        name = _SENTENCE_OPS.get(op.kind, "unchanged")
        ops.append(SentenceOp(name, op.old_index, op.new_index, op.old, op.new))
    return ops


def _where(filters: Filters, time_column: str) -> tuple[str, list[Any]]:
    clauses, params = [], []
    if filters.since:
        clauses.append(f"{time_column} >= ?")
        params.append(filters.since)
    if filters.outlet:
        clauses.append("outlets.name = ?")
        params.append(filters.outlet)
    if filters.silent_only and time_column == "changes.detected_at":
        clauses.append("changes.silent = 1")
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _verdicts_by_change(db: sqlite_utils.Database) -> dict[int, VerdictRecord]:
    """The desk's verdicts for this database (none for an in-memory one or without file,
    nor on PostgreSQL: the desk keeps them beside the SQLite file it reviews)."""
    if is_postgres(db):
        return {}
    main = next((row[2] for row in db.execute("PRAGMA database_list") if row[1] == "main"), "")
    if not main:
        return {}
    return {v.change_id: v for v in read_all(verdicts_path(Path(main)))}


def change_records(db: sqlite_utils.Database, filters: Filters) -> Iterator[dict[str, Any]]:
    verdicts = _verdicts_by_change(db)
    where, params = _where(filters, "changes.detected_at")
    cursor = db.execute(
        "SELECT changes.id, changes.article_id, outlets.name, articles.url, fv.version_number, "
        "tv.version_number, changes.detected_at, changes.kinds, changes.silent, changes.summary, "
        "changes.evidence FROM changes JOIN articles ON articles.id = changes.article_id "
        "LEFT JOIN outlets ON outlets.id = articles.outlet_id "
        "LEFT JOIN versions fv ON fv.id = changes.from_version_id "
        "LEFT JOIN versions tv ON tv.id = changes.to_version_id" + where + " ORDER BY changes.id",
        params,
    )
    for row in cursor:
        record = dict(zip(FIELDS["changes"][:11], row, strict=True))
        record["kinds"] = json.loads(record["kinds"])
        record["evidence"] = json.loads(record["evidence"])
        record["silent"] = bool(record["silent"])
        verdict = verdicts.get(record["change_id"])
        # a verdict counts only for the very change it was given to (see verdicts.py)
        if verdict and (verdict.article_id, verdict.detected_at) != (
            record["article_id"],
            record["detected_at"],
        ):
            verdict = None
        record["verdict"] = verdict.verdict if verdict else None
        record["verdict_note"] = verdict.note if verdict else None
        record["verdict_by"] = verdict.reviewer if verdict else None
        record["verdict_at"] = verdict.decided_at if verdict else None
        yield record


def version_records(db: sqlite_utils.Database, filters: Filters) -> Iterator[dict[str, Any]]:
    where, params = _where(filters, "versions.captured_at")
    cursor = db.execute(
        "SELECT versions.id, versions.article_id, outlets.name, articles.url, "
        "versions.version_number, versions.captured_at, versions.title, versions.byline, "
        "versions.body, versions.published_at, versions.modified_at, versions.content_hash "
        "FROM versions JOIN articles ON articles.id = versions.article_id "
        "LEFT JOIN outlets ON outlets.id = articles.outlet_id"
        + where
        + " ORDER BY versions.article_id, versions.version_number",
        params,
    )
    for row in cursor:
        yield dict(zip(FIELDS["versions"], row, strict=True))


#: What a version pair needs to be compared (versions.version_from_row) and numbered.
_VERSION_COLUMNS = (
    "id",
    "article_id",
    "version_number",
    "captured_at",
    "title",
    "byline",
    "body",
    "content_hash",
    "published_at",
    "modified_at",
)


def _columns(alias: str) -> str:
    return ", ".join(f"{alias}.{name}" for name in _VERSION_COLUMNS)


def sentence_records(db: sqlite_utils.Database, filters: Filters) -> Iterator[dict[str, Any]]:
    """One record per sentence operation of every consecutive version pair."""
    where, params = _where(filters, "tv.captured_at")
    pairs = db.execute(
        f"SELECT {_columns('fv')}, {_columns('tv')}, articles.id, outlets.name, articles.url "
        "FROM versions tv "
        "JOIN versions fv ON fv.article_id = tv.article_id "
        "AND fv.version_number = tv.version_number - 1 "
        "JOIN articles ON articles.id = tv.article_id "
        "LEFT JOIN outlets ON outlets.id = articles.outlet_id"
        + where
        + " ORDER BY tv.article_id, tv.version_number",
        params,
    )
    width = len(_VERSION_COLUMNS)
    for row in pairs:
        old_row = dict(zip(_VERSION_COLUMNS, row[:width], strict=True))
        new_row = dict(zip(_VERSION_COLUMNS, row[width : 2 * width], strict=True))
        article_id, outlet, url = row[2 * width :]
        old, new = versions.version_from_row(old_row), versions.version_from_row(new_row)
        numbers = (old_row["version_number"], new_row["version_number"])
        for op in sentence_ops(old, new):
            yield {
                "article_id": article_id,
                "outlet": outlet,
                "url": url,
                "from_version": numbers[0],
                "to_version": numbers[1],
                "op": op.op,
                "old_index": op.old_index,
                "new_index": op.new_index,
                "old_sentence": op.old,
                "new_sentence": op.new,
            }


def records(
    db: sqlite_utils.Database, kind: ExportKind, filters: Filters
) -> Iterator[dict[str, Any]]:
    source = {"changes": change_records, "versions": version_records, "sentences": sentence_records}
    return source[kind](db, filters)


def write_jsonl(rows: Iterable[dict[str, Any]], out: IO[str]) -> int:
    count = 0
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count


def write_csv(rows: Iterable[dict[str, Any]], out: IO[str], fields: tuple[str, ...]) -> int:
    writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore")
    writer.writeheader()
    count = 0
    for row in rows:
        flat = {
            k: json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v
            for k, v in row.items()
        }
        writer.writerow(flat)
        count += 1
    return count
