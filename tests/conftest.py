"""Shared fixtures: a real newsroom on 127.0.0.1, a real SQLite file, the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.newsroom import Newsroom, NewsroomServer, serve_newsroom
from tests.support.paths import REPO


@dataclass
class Clock:
    """A controllable UTC clock: tests pass it where the code takes `now`."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 25, 12, 0, tzinfo=UTC))


@pytest.fixture
def newsroom() -> Iterator[tuple[Newsroom, NewsroomServer]]:
    room = Newsroom(seed=0)
    with serve_newsroom(room, host="127.0.0.1") as server:
        yield room, server


@pytest.fixture
def config_file(tmp_path: Path, newsroom: tuple[Newsroom, NewsroomServer]) -> Path:
    _, server = newsroom
    path = tmp_path / "config.toml"
    path.write_text(no_host_delay(server.outlet_config_toml()), encoding="utf-8")
    return path


def no_host_delay(config_toml: str) -> str:
    """Our own local servers need no pause between requests (the default is 1 s per host)."""
    assert "[fetch]\n" in config_toml
    return config_toml.replace("[fetch]\n", "[fetch]\nmin_host_delay = 0\n", 1)


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str


def run_cli(
    *args: str, db: Path | None = None, config: Path | None = None, timeout: float = 120
) -> CliResult:
    """Run the real `python -m monitor` in a subprocess."""
    argv = [sys.executable, "-m", "monitor"]
    if db is not None:
        argv += ["--db", str(db)]
    if config is not None:
        argv += ["--config", str(config)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARTICLE_MONITOR_")}
    proc = subprocess.run(
        [*argv, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=REPO,
        stdin=subprocess.DEVNULL,
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


# ---------------------------------------------------------------- both stores


@pytest.fixture(scope="session")
def pg_server() -> Iterator[object]:
    """A PostgreSQL server for the session (tests.support.postgres); skips with the
    reason where there is none."""
    from tests.support.postgres import Unavailable, throwaway_server

    server = throwaway_server()
    try:
        running = server.__enter__()
    except Unavailable as exc:
        pytest.skip(str(exc))
    yield running
    server.__exit__(None, None, None)


@pytest.fixture
def pg_url(pg_server) -> Iterator[str]:
    """A fresh PostgreSQL database holding the current schema, dropped afterwards."""
    url = pg_server.fresh_database()
    yield url
    pg_server.drop(url)


@pytest.fixture(params=["sqlite", "postgres"])
def store_target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """What `--db` gets, once per store: an SQLite file path, then a PostgreSQL URL."""
    if request.param == "sqlite":
        return str(tmp_path / "monitor.db")
    return request.getfixturevalue("pg_url")
