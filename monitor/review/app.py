"""Build and run Datasette over the monitor database with the review plugin."""

from __future__ import annotations

import asyncio
import socket
import sqlite3
import sys
from pathlib import Path

from datasette.app import Datasette
from datasette.database import Database
from datasette.plugins import pm

from monitor import store
from monitor.config import ReviewSettings
from monitor.review import verdicts
from monitor.review.metadata import build_metadata
from monitor.review.web import ReviewState, set_state

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8001


def ensure_registered() -> None:
    """Register the plugin unless the entry point already did (a source checkout)."""
    import monitor.review as plugin

    if not pm.is_registered(plugin) and pm.get_plugin("monitor.review") is None:
        pm.register(plugin, name="monitor.review")


def _verdicts_file(db_path: Path) -> tuple[Path, str | None]:
    """The verdicts file beside the database, created if need be; and why verdicts are
    off when it cannot be (a read-only directory): the desk still works, read-only."""
    path = verdicts.verdicts_path(db_path)
    try:
        verdicts.ensure_file(path)
    except (OSError, sqlite3.Error) as exc:
        return path, f"cannot write {path} ({exc})"
    return path, None


def make_datasette(db_path: Path | str, settings: ReviewSettings | None = None) -> Datasette:
    """Datasette over the database (read-only connections) with the project's metadata.

    The file is attached as mutable, so Datasette opens it ``mode=ro``: it sees
    the daemon's new rows as they commit and never takes a write lock. Verdicts go
    to their own file beside it, shown as a second database.
    """
    ensure_registered()
    path = Path(db_path)
    verdicts_path, off = _verdicts_file(path)
    verdicts_name = verdicts_path.stem
    # on a read-only file system the file cannot be opened mode=ro (its WAL index cannot
    # be created): nothing can change it either, so Datasette reads it as immutable
    fixed = _immutable_only(path)
    ds = Datasette(
        [] if fixed else [str(path)],
        immutables=[str(path)] if fixed else None,
        metadata=build_metadata(path.stem, verdicts_name),
        settings={
            "sql_time_limit_ms": 5000,
            "facet_time_limit_ms": 500,
            # long cells (a version's whole text) are cut in table views; pages show all
            "truncate_cells_html": 300,
        },
    )
    if off is None:
        ds.add_database(Database(ds, path=str(verdicts_path), is_mutable=True), name=verdicts_name)
    review = ReviewState(
        settings=settings or ReviewSettings(),
        verdicts_path=verdicts_path if off is None else None,
        verdicts_off=off,
        monitor_name=path.stem,
        verdicts_name=verdicts_name,
    )
    set_state(ds, review)
    return ds


def _immutable_only(path: Path) -> bool:
    try:
        return store.needs_immutable(path)
    except store.StoreError:
        return False  # Datasette will say what is wrong with it


def prepare(db_path: Path | str) -> None:
    """Apply pending migrations (the FTS index, the change_reports view) before serving.

    This is one short write transaction, and none at all when the schema is current.
    """
    path = Path(db_path)
    if not path.exists():
        raise store.StoreError(
            f"database {path} does not exist (run `article-monitor check` first)"
        )
    db = store.open_for_reading(path)  # read-only unless the schema must be upgraded
    db.conn.close()


def bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound before anything is announced: a port in use or a bad
    host is an OSError here, reported as one line, not a server traceback."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


def serve(
    db_path: Path | str,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    settings: ReviewSettings | None = None,
) -> None:
    """Run Datasette until interrupted."""
    import uvicorn

    prepare(db_path)
    sock = bind(host, port)
    ds = make_datasette(db_path, settings)
    asyncio.run(ds.invoke_startup())
    shown = sock.getsockname()[1]
    print(f"article-monitor review: http://{host}:{shown}/-/monitor", file=sys.stderr, flush=True)
    with sock:
        uvicorn.run(ds.app(), fd=sock.fileno(), log_level="warning", lifespan="on")
