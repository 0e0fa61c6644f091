"""The offline demo: the simulated newsroom, the monitor daemon and the review UI, together.

No network is needed: every outlet is a local server on 127.0.0.1 whose stories
change on a script (a silent comment line, a headline rewrite and its flip
back, a correction, a removed paragraph, a deleted story), with page furniture
that changes on every request. The daemon (`article-monitor run`) and the
review UI (`article-monitor serve`) run as their own processes, exactly as a
user would run them; this module only drives the newsroom's clock and narrates.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

import sqlite_utils

from monitor import store
from monitor.errors import StoreError
from monitor.newsroom import Newsroom, NewsroomServer, serve_newsroom, specials
from monitor.newsroom.core import OUTLETS
from monitor.store.feeds import RETIRED
from monitor.times import iso, utcnow

Echo = Callable[[str], None]

#: A schedule fast enough to see a minute of newsroom life; never use it on real sites.
DEMO_SCHEDULE = """[schedule]
tiers = [["1h", "2s"]]
stop_after = "1d"
feed_interval = "3s"
jitter = 0.1
suspect_confirmations = 2
live_interval = "2s"

"""
_PRIVATE = "allow_private_addresses = true\n"
#: The first line of the demo's config file: a file without it is never overwritten.
CONFIG_MARK = "# written by `article-monitor demo`, rewritten on every demo run\n"
#: The table that marks a database as the demo's own (recreated on every run).
MARK_TABLE = "demo"
#: The demo's reviewer: a newcomer can try a verdict. Its password is new on every run,
#: printed at start, and only its hash is written (to the demo's config file).
DEMO_REVIEWER = "demo"


@dataclass(frozen=True)
class DemoLogin:
    name: str
    password: str = field(repr=False)
    hashed: str = field(repr=False)


def demo_login() -> DemoLogin:
    """A reviewer for this demo run: a fresh random password and its hash."""
    from monitor.review.auth import hash_password

    password = secrets.token_urlsafe(9)
    return DemoLogin(DEMO_REVIEWER, password, hash_password(password))


@dataclass(frozen=True)
class DemoOptions:
    db_path: Path
    duration: float | None  # seconds; None = until interrupted
    step_seconds: float = 6.0
    review_port: int = 8001


def demo_files(db_path: Path) -> tuple[Path, Path, Path]:
    """The demo's config and the logs of its daemon and review UI, beside its database."""
    stem = db_path.with_suffix("")
    return tuple(Path(f"{stem}.{name}") for name in ("demo.toml", "daemon.log", "review.log"))  # type: ignore[return-value]


def check_demo_target(path: Path) -> None:
    """Refuse (StoreError) to recreate a database, or rewrite a config, the demo did not make."""
    if not is_demo_db(path):
        raise StoreError(
            f"{path} is not a demo database, and the demo recreates its database: pass "
            "another --db (a new file or an earlier demo's), e.g. --db article-monitor-demo.db"
        )
    config = demo_files(path)[0]
    if config.exists() and not config.read_text(encoding="utf-8", errors="replace").startswith(
        CONFIG_MARK
    ):
        raise StoreError(f"{config} exists and was not written by the demo: pass another --db")


def is_demo_db(path: Path) -> bool:
    """A database the demo may recreate: its own (marked), one holding nothing, or one from
    an older demo (only the newsroom's outlets, only 127.0.0.1). A missing file holds nothing."""
    if not path.exists():
        return True
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        if MARK_TABLE in tables or not tables:
            return True
        if not {"articles", "feeds", "outlets"} <= tables:
            return False
        names = ",".join(f"'{o.name}'" for o in OUTLETS)
        foreign = conn.execute(
            f"""SELECT (SELECT COUNT(*) FROM outlets WHERE name NOT IN ({names}))
                 + (SELECT COUNT(*) FROM articles WHERE url NOT LIKE 'http://127.0.0.1:%')
                 + (SELECT COUNT(*) FROM feeds WHERE url NOT LIKE 'http://127.0.0.1:%')"""
        ).fetchone()[0]
        return bool(foreign == 0)
    except sqlite3.Error:
        return False  # not a database at all: never ours to delete
    finally:
        conn.close()


def fresh_demo_db(path: Path) -> None:
    """The demo's newsroom listens on new ports each run, so its database starts empty."""
    check_demo_target(path)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    db = store.open_db(path)
    try:
        db.execute(f"CREATE TABLE {MARK_TABLE} (created_at TEXT NOT NULL, note TEXT NOT NULL)")
        db.execute(
            f"INSERT INTO {MARK_TABLE} VALUES (?, ?)",
            (iso(utcnow()), "made by `article-monitor demo`, which recreates it on every run"),
        )
    finally:
        db.conn.close()


def free_port(preferred: int) -> int:
    """The preferred port if it is free on 127.0.0.1, else any free one."""
    for candidate in (preferred, 0):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            return int(probe.getsockname()[1])
    raise OSError("no free port on 127.0.0.1")


def write_config(server: NewsroomServer, path: Path, login: DemoLogin | None = None) -> None:
    """The newsroom's outlets, a fast schedule, no per-host pause between requests, and
    the demo's reviewer (so the review UI takes verdicts: login and CSRF as ever)."""
    outlets = server.outlet_config_toml()
    assert _PRIVATE in outlets, "the newsroom config must allow its 127.0.0.1 outlets"
    outlets = outlets.replace(_PRIVATE, _PRIVATE + 'min_host_delay = "0.05s"\n', 1)
    reviewers = ""
    if login is not None:
        reviewers = f'\n[review.reviewers]\n{login.name} = "{login.hashed}"\n'
    path.write_text(CONFIG_MARK + DEMO_SCHEDULE + outlets + reviewers, encoding="utf-8")


@contextlib.contextmanager
def _process(argv: list[str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            argv, stdout=sink, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        try:
            yield proc
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


def run_demo(
    options: DemoOptions, echo: Echo, *, sleep: Callable[[float], None] = time.sleep
) -> dict:
    """Run newsroom, daemon and review UI side by side; returns the final counts."""
    db_path = options.db_path.resolve()
    fresh_demo_db(db_path)
    config = demo_files(db_path)[0]
    room = Newsroom(seed=0)
    port = free_port(options.review_port)
    base = [sys.executable, "-m", "monitor", "--db", str(db_path), "--config", str(config)]
    review_url = f"http://127.0.0.1:{port}/-/monitor"
    login = demo_login()
    with _TermAsInterrupt() as term:
        reviewed = _run_parts(room, options, base, port, term, login, echo, sleep)
        counts = _final_report(db_path, config, echo)
    counts["review_answered"] = reviewed
    if reviewed is not None:
        echo(f"review UI {'answered' if reviewed else 'did NOT answer'} at {review_url}")
    return counts


def _run_parts(
    room: Newsroom,
    options: DemoOptions,
    base: list[str],
    port: int,
    term: _TermAsInterrupt,
    login: DemoLogin,
    echo: Echo,
    sleep: Callable[[float], None],
) -> bool | None:
    """Newsroom, daemon and review UI until the time is up or an interrupt; all stopped
    on return. Returns whether the review UI answered (None when interrupted)."""
    db_path = options.db_path.resolve()
    config, daemon_log, review_log = demo_files(db_path)
    review_url = f"http://127.0.0.1:{port}/-/monitor"
    with serve_newsroom(room, host="127.0.0.1") as server:
        write_config(server, config, login)
        _track_specials(server, db_path)
        _introduce(server, db_path, review_url, login, echo)
        with (
            _process([*base, "run", "--shutdown-timeout", "5"], daemon_log),
            _process([*base, "serve", "--port", str(port)], review_log),
        ):
            try:
                _narrate(room, server, db_path, options, echo, sleep)
                return _review_answers(review_url)
            except KeyboardInterrupt:
                # Ctrl-C reached the whole process group: the daemon and the review UI
                # are shutting down on their own. After a SIGTERM to the demo alone, the
                # context managers send them theirs. Either way they are waited for.
                echo("interrupted: stopping the newsroom, the monitor and the review UI")
                return None
            finally:
                term.armed = False  # shutting down: a second SIGTERM must not cut it short


class _TermAsInterrupt:
    """SIGTERM (``kill``, a service manager) stops the demo as Ctrl-C does: every part
    stopped cleanly, the summary printed, exit 0. Only the first one interrupts, and only
    while the demo runs; during shutdown SIGTERM is ignored, since shutdown is bounded."""

    def __init__(self) -> None:
        self.armed = True
        self._previous: object = None

    def __enter__(self) -> _TermAsInterrupt:
        self._previous = signal.signal(signal.SIGTERM, self._on_term)
        return self

    def __exit__(self, *exc: object) -> None:
        signal.signal(signal.SIGTERM, self._previous)  # type: ignore[arg-type]

    def _on_term(self, signum: int, frame: FrameType | None) -> None:
        if self.armed:
            self.armed = False
            raise KeyboardInterrupt


def _track_specials(server: NewsroomServer, db_path: Path) -> None:
    """The live blog and an AMP address, which no feed lists (monitor.newsroom.specials):
    the demo shows new posts as live updates and the AMP page read as its article."""
    base = server.base_urls[specials.OUTLET]
    db = store.open_db(db_path)
    try:
        with store.transaction(db):
            for path in (specials.LIVE_PATH, specials.AMP_PATH):
                store.add_article(db, base + path, None, iso(utcnow()))
    finally:
        db.conn.close()


def _introduce(
    server: NewsroomServer, db_path: Path, review_url: str, login: DemoLogin, echo: Echo
) -> None:
    echo(f"demo newsroom: {len(server.base_urls)} outlets on 127.0.0.1")
    for name, url in server.base_urls.items():
        echo(f"  {name:<8} {url}/")
    echo(f"database: {db_path}")
    echo(f"review UI: {review_url}   (open it while the demo runs)")
    echo("  look at: the silent edits feed, each change page's word diff, the outlet pages")
    echo(f"  verdicts: log in as {login.name}, password {login.password} (new on every run)")


#: Longest wait for the monitor's first look before the newsroom starts editing anyway.
FIRST_LOOK_TIMEOUT = 60.0


def _narrate(
    room: Newsroom,
    server: NewsroomServer,
    db_path: Path,
    options: DemoOptions,
    echo: Echo,
    sleep: Callable[[float], None],
) -> None:
    _await_first_look(db_path, echo, sleep)
    started, last_seen = time.monotonic(), 0
    incidents_seen: dict[int, bool] = {}
    outage_steps = 0
    while True:
        elapsed = time.monotonic() - started
        if options.duration is not None and elapsed >= options.duration:
            return
        wait = options.step_seconds
        if options.duration is not None:
            wait = min(wait, options.duration - elapsed)
        sleep(max(0.0, wait))
        last_seen = _report_changes(db_path, last_seen, echo)
        incidents_seen = _report_incidents(db_path, incidents_seen, echo)
        if room.step < room.max_step:
            room.advance()
            echo(f"[newsroom] step {room.step}: editors at work")
        else:
            outage_steps = _outage(server, outage_steps, echo)


#: After the script's last edit, one outlet serves a consent wall for this many steps.
OUTAGE_OUTLET, OUTAGE_STEPS = "harbor", 3


def _outage(server: NewsroomServer, steps: int, echo: Echo) -> int:
    """The script is over: put one outlet behind a cookie-consent wall for a while (an
    outlet incident, not a wave of silent edits), then take it away."""
    if steps == 0:
        server.set_outage(OUTAGE_OUTLET, "consent_wall")
        echo(f"[newsroom] {OUTAGE_OUTLET} puts a cookie-consent wall in front of every article")
    elif steps == OUTAGE_STEPS:
        server.set_outage(OUTAGE_OUTLET, None)
        echo(f"[newsroom] {OUTAGE_OUTLET} takes its consent wall down")
    return steps + 1


def _report_incidents(db_path: Path, seen: dict[int, bool], echo: Echo) -> dict[int, bool]:
    """Say when an outlet incident opens or closes (id → whether it was seen closed)."""
    db = _readonly(db_path)
    try:
        rows = db.execute("SELECT id, ended_at IS NOT NULL, summary FROM incidents").fetchall()
    except sqlite3.Error:
        return seen  # not created yet, or the daemon holds the lock: look again
    finally:
        db.conn.close()
    for incident_id, ended, summary in rows:
        if incident_id not in seen:
            echo(f"  incident #{incident_id} opened: {summary}")
        if ended and not seen.get(incident_id):
            echo(f"  incident #{incident_id} closed: {summary}")
        seen[incident_id] = bool(ended)
    return seen


def _await_first_look(db_path: Path, echo: Echo, sleep: Callable[[float], None]) -> None:
    """Hold the newsroom's first edit until the monitor has read every story once.

    An edit made before the monitor's first visit is part of the first version, never a
    change: on a slow or busy machine the demo would miss its own seed case (the silent
    comment line at step 2). The --for clock starts after this wait.
    """
    echo("[newsroom] waiting for the monitor to read every story once")
    deadline = time.monotonic() + FIRST_LOOK_TIMEOUT
    while time.monotonic() < deadline:
        if _first_look_done(db_path):
            echo("[newsroom] the monitor has read every story: editing starts")
            return
        sleep(0.2)
    echo("[newsroom] the monitor is slow to start: editing starts anyway")


def _first_look_done(db_path: Path) -> bool:
    """Every feed polled (sitemap children included) and every article found checked once."""
    db = _readonly(db_path)
    try:
        waiting, articles = db.execute(
            """SELECT (SELECT COUNT(*) FROM feeds WHERE last_polled_at IS NULL
                         AND (next_poll_at IS NULL OR next_poll_at < ?))
                    + (SELECT COUNT(*) FROM articles WHERE last_checked_at IS NULL),
                      (SELECT COUNT(*) FROM articles)""",
            (RETIRED,),
        ).fetchone()
    except sqlite3.Error:
        return False  # the daemon is still migrating or holds the lock: look again
    finally:
        db.conn.close()
    return bool(articles) and not waiting


def _readonly(db_path: Path) -> sqlite_utils.Database:
    return store.open_db(db_path, readonly=True)


def _report_changes(db_path: Path, last_seen: int, echo: Echo) -> int:
    db = _readonly(db_path)
    try:
        rows = db.execute(
            "SELECT changes.id, changes.kinds, changes.silent, changes.summary, articles.url "
            "FROM changes JOIN articles ON articles.id = changes.article_id "
            "WHERE changes.id > ? ORDER BY changes.id",
            (last_seen,),
        ).fetchall()
    finally:
        db.conn.close()
    for change_id, kinds, silent, summary, _url in rows:
        flag = "SILENT " if silent else ""
        shown = ", ".join(json.loads(kinds))
        echo(f"  change #{change_id} {flag}[{shown}] {summary}")
        last_seen = change_id
    return last_seen


def _review_answers(url: str) -> bool:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return bool(response.status == 200)
        except OSError:
            time.sleep(0.3)
    return False


def _final_report(db_path: Path, config: Path, echo: Echo) -> dict:
    db = _readonly(db_path)
    try:
        one = lambda sql: db.execute(sql).fetchone()[0]  # noqa: E731
        counts = {
            "articles": one("SELECT COUNT(*) FROM articles"),
            "versions": one("SELECT COUNT(*) FROM versions"),
            "changes": one("SELECT COUNT(*) FROM changes"),
            "silent": one("SELECT COUNT(*) FROM changes WHERE silent = 1"),
        }
        first_silent = db.execute(
            "SELECT id FROM changes WHERE silent = 1 ORDER BY id LIMIT 1"
        ).fetchone()
    finally:
        db.conn.close()
    echo(
        f"demo finished: {_n(counts['articles'], 'article')}, "
        f"{_n(counts['versions'], 'version')}, {_n(counts['changes'], 'change')}, "
        f"{_n(counts['silent'], 'silent edit')}"
    )
    if first_silent:
        echo(
            f"look again any time: article-monitor --db {db_path} --config {config} serve, "
            f"then http://127.0.0.1:8001/-/monitor/change/{first_silent[0]} (the same login)"
        )
    return counts


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
