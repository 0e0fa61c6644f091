"""The offline demo: the simulated newsroom on 127.0.0.1, watched by the monitor.

No network is needed: every outlet is a local server whose stories change on a
script (a silent comment line, a headline rewrite and its flip back, a
correction, a removed paragraph, a deleted story), with page furniture that
changes on every request.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from monitor import store
from monitor.config import load_settings
from monitor.crawl import PassSummary, run_pass
from monitor.fetch import Fetcher, utcnow
from monitor.newsroom import Newsroom, serve_newsroom

Echo = Callable[[str], None]


@dataclass(frozen=True)
class DemoOptions:
    db_path: Path
    duration: float | None  # seconds; None = until interrupted
    step_seconds: float = 6.0


def fresh_demo_db(path: Path) -> sqlite_utils.Database:
    """The demo's newsroom listens on new ports each run, so its database starts empty."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return store.open_db(path)


def run_demo(
    options: DemoOptions, echo: Echo, *, sleep: Callable[[float], None] = time.sleep
) -> dict:
    """Run the newsroom and the monitor side by side; returns the final counts."""
    db = fresh_demo_db(options.db_path)
    room = Newsroom(seed=0)
    started = time.monotonic()
    with serve_newsroom(room, host="127.0.0.1") as server:
        config = options.db_path.with_suffix(".toml")
        config.write_text(server.outlet_config_toml(), encoding="utf-8")
        settings = load_settings(config)
        echo(f"demo newsroom: {len(server.base_urls)} outlets on 127.0.0.1")
        for name, url in server.base_urls.items():
            echo(f"  {name:<8} {url}/")
        echo(f"database: {options.db_path}  (config: {config})")
        with Fetcher(settings.fetch, clock=utcnow) as fetcher:
            try:
                while True:
                    summary = run_pass(
                        db, fetcher, settings, clock=utcnow, rng=random.Random(), check_all=True
                    )
                    _report_pass(room.step, summary, db, echo)
                    if _finished(options, started):
                        break
                    sleep(max(0.0, min(options.step_seconds, _remaining(options, started))))
                    if room.step < room.max_step:
                        room.advance()
            except KeyboardInterrupt:
                echo("interrupted: stopping the newsroom and the monitor")
    return _final_report(db, options.db_path, echo)


def _remaining(options: DemoOptions, started: float) -> float:
    if options.duration is None:
        return options.step_seconds
    return options.duration - (time.monotonic() - started)


def _finished(options: DemoOptions, started: float) -> bool:
    return options.duration is not None and _remaining(options, started) <= 0


def _report_pass(step: int, summary: PassSummary, db: sqlite_utils.Database, echo: Echo) -> None:
    echo(f"[step {step}] {summary.line()}")
    for result in summary.results:
        if result.change_id is None:
            continue
        row = db.execute("SELECT summary FROM changes WHERE id = ?", (result.change_id,)).fetchone()
        flag = "SILENT " if result.silent else ""
        echo(
            f"  change #{result.change_id} {flag}[{', '.join(result.kinds)}] {row[0] if row else ''}"
        )


def _final_report(db: sqlite_utils.Database, path: Path, echo: Echo) -> dict:
    counts = {
        "articles": db.execute("SELECT COUNT(*) FROM articles").fetchone()[0],
        "versions": db.execute("SELECT COUNT(*) FROM versions").fetchone()[0],
        "changes": db.execute("SELECT COUNT(*) FROM changes").fetchone()[0],
        "silent": db.execute("SELECT COUNT(*) FROM changes WHERE silent = 1").fetchone()[0],
    }
    echo(
        f"demo finished: {counts['articles']} articles, {counts['versions']} versions, "
        f"{counts['changes']} changes, {counts['silent']} silent edits"
    )
    first_silent = db.execute(
        "SELECT article_id FROM changes WHERE silent = 1 ORDER BY id LIMIT 1"
    ).fetchone()
    if first_silent:
        echo(f"look at one: article-monitor --db {path} diff {first_silent[0]}")
    return counts
