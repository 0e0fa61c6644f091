"""Retention: prune old raw page snapshots, then give the space back (``article-monitor gc``).

Versions and changes are the record and are never touched; a raw snapshot is
only the evidence a version was extracted from, and it is most of the file.
Pruning a snapshot sets ``versions.snapshot_id`` to NULL for the versions that
pointed at it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from monitor import store
from monitor.store.furniture import prune_singletons
from monitor.store.pg import is_postgres

#: Snapshots deleted per transaction, so the daemon's writer gets the lock in between.
BATCH = 500


@dataclass(frozen=True)
class GcReport:
    """What ``gc`` pruned (or would prune) and the database size around it, in bytes."""

    snapshots: int
    snapshot_bytes: int  # compressed bytes stored in the pruned rows
    size_before: int
    size_after: int
    dry_run: bool


def database_size(path: Path | str) -> tuple[int, int]:
    """(main file, WAL file) sizes in bytes; 0 for a file that does not exist."""
    path = Path(path)
    wal = path.with_name(path.name + "-wal")
    return (
        path.stat().st_size if path.exists() else 0,
        wal.stat().st_size if wal.exists() else 0,
    )


def stored_size(db: sqlite_utils.Database) -> int:
    """Bytes a PostgreSQL store takes on disk (tables, indexes, TOAST)."""
    return int(db.execute("SELECT pg_database_size(current_database())").fetchone()[0])


def _size(db: sqlite_utils.Database, path: Path | str) -> int:
    return stored_size(db) if is_postgres(db) else sum(database_size(path))


def prunable_snapshot_ids(db: sqlite_utils.Database, older_than: str) -> list[int]:
    """Snapshots captured before ``older_than`` (UTC ISO) that no kept snapshot depends on.

    A snapshot may be stored as a delta against an earlier one of the same article
    (``base_snapshot_id``, see snapshots.store_snapshot); every base a kept snapshot
    needs, directly or down its chain, is kept too. Newest first, so a batch never
    deletes a base before the deltas built on it.
    """
    rows = db.execute(
        """WITH RECURSIVE needed(id) AS (
               SELECT base_snapshot_id FROM snapshots
               WHERE captured_at >= ? AND base_snapshot_id IS NOT NULL
               UNION
               SELECT s.base_snapshot_id FROM snapshots s JOIN needed ON s.id = needed.id
               WHERE s.base_snapshot_id IS NOT NULL)
           SELECT id FROM snapshots
           WHERE captured_at < ? AND id NOT IN (SELECT id FROM needed)
           ORDER BY id DESC""",
        (older_than, older_than),
    ).fetchall()
    return [r[0] for r in rows]


def snapshot_usage(db: sqlite_utils.Database, ids: list[int]) -> int:
    """Compressed bytes held by the snapshots ``ids``."""
    total = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        marks = ",".join("?" for _ in chunk)
        total += db.execute(
            f"SELECT COALESCE(SUM(LENGTH(content)), 0) FROM snapshots WHERE id IN ({marks})",
            chunk,
        ).fetchone()[0]
    return int(total)


def prune_snapshots(db: sqlite_utils.Database, older_than: str) -> int:
    """Delete the snapshots captured before ``older_than`` (UTC ISO); returns how many.

    Each batch is one transaction: the versions pointing at a pruned snapshot lose
    the pointer in the same transaction as the row goes, so no reference dangles.
    """
    ids = prunable_snapshot_ids(db, older_than)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        marks = ",".join("?" for _ in chunk)
        with store.transaction(db):
            db.execute(
                f"UPDATE version_records SET snapshot_id = NULL WHERE snapshot_id IN ({marks})",
                chunk,
            )
            db.execute(f"DELETE FROM snapshots WHERE id IN ({marks})", chunk)
    return len(ids)


def vacuum(db: sqlite_utils.Database) -> None:
    """Fold the WAL into the file, rewrite the file without free pages, truncate the WAL.

    PostgreSQL: a plain VACUUM of the snapshot table, which makes the space reusable
    without the exclusive lock VACUUM FULL would hold against every writer."""
    if is_postgres(db):
        db.execute("VACUUM (ANALYZE) snapshots")
        return
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute("VACUUM")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def collect_garbage(
    db: sqlite_utils.Database, path: Path | str, older_than: str, *, dry_run: bool = False
) -> GcReport:
    """Prune snapshots captured before ``older_than`` (and furniture candidates seen in
    one article only, last seen before it) and VACUUM; ``dry_run`` only counts."""
    before = _size(db, path)
    ids = prunable_snapshot_ids(db, older_than)
    freed = snapshot_usage(db, ids)
    if dry_run:
        return GcReport(len(ids), freed, before, before, dry_run=True)
    count = prune_snapshots(db, older_than)
    prune_singletons(db, older_than)  # furniture candidates of one article, long unseen
    vacuum(db)
    return GcReport(count, freed, before, _size(db, path), dry_run=False)


def human_bytes(n: int) -> str:
    """1536 → "1.5 KiB"; for one-line reports."""
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(size) < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GiB"
