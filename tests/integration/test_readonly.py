"""A database on a read-only file system: read commands work, write commands say so.

Each command is the real CLI, run in a private mount namespace where the database's
directory is bind-mounted read-only (``unshare --user --map-root-user --mount``): the
kernel refuses every write, as on a read-only disk or a snapshot. Skipped where user
namespaces are not available.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.support.httpserver import Request, Response, TestServer, text
from tests.support.paths import REPO


def _can_mount_readonly(scratch: Path) -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = _readonly_argv(scratch, ["true"])
    return subprocess.run(probe, capture_output=True, timeout=30).returncode == 0


def _readonly_argv(directory: Path, argv: list[str]) -> list[str]:
    script = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'
    return [
        "unshare",
        "--user",
        "--map-root-user",
        "--mount",
        "sh",
        "-c",
        script,
        str(directory),
        *argv,
    ]


def _run_readonly(directory: Path, db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARTICLE_MONITOR_")}
    argv = _readonly_argv(directory, [sys.executable, "-m", "monitor", "--db", str(db), *args])
    return subprocess.run(
        argv,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=REPO,
        stdin=subprocess.DEVNULL,
    )


class Story:
    def __init__(self) -> None:
        self.edited = False

    def __call__(self, request: Request) -> Response:
        extra = "<p>The mayor did not immediately respond to a request for comment.</p>"
        return text(
            "<html><head><title>Harbor budget passes</title></head><body><article>"
            "<h1>Harbor budget passes</h1>"
            + "".join(
                f"<p>Paragraph {i}: the harbor board approved the dredging budget.</p>"
                for i in range(5)
            )
            + (extra if self.edited else "")
            + "</article></body></html>"
        )


@pytest.fixture
def readonly_dir(tmp_path: Path) -> Path:
    """A directory holding a database with two versions of one article (one change)."""
    directory = tmp_path / "ro"
    directory.mkdir()
    if not _can_mount_readonly(directory):
        pytest.skip("user and mount namespaces (unshare) are not available here")
    config = tmp_path / "c.toml"
    config.write_text("[fetch]\nallow_private_addresses = true\nmin_host_delay = 0\n")
    story = Story()
    db = directory / "m.db"
    with TestServer({"/a": story}) as server:
        assert run_cli("check", server.url("/a"), db=db, config=config).code == 0
        story.edited = True
        result = run_cli("check", "--all", db=db, config=config)
        assert "change #1" in result.stdout, result.stdout + result.stderr
    assert not (directory / "m.db-wal").exists()  # closed cleanly: no WAL index to read
    return directory


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_read_commands_work_on_a_read_only_file_system(readonly_dir: Path) -> None:
    """status, feed list, diff and export read the database on a read-only mount (before:
    "unable to open database file"), with their usual output and exit 0."""
    db = readonly_dir / "m.db"
    status = _run_readonly(readonly_dir, db, "status")
    assert status.returncode == 0, status.stderr
    assert "1 article" in status.stdout and "2 versions, 1 change" in status.stdout
    feeds = _run_readonly(readonly_dir, db, "feed", "list")
    assert feeds.returncode == 0 and "no feeds tracked" in feeds.stdout
    diff = _run_readonly(readonly_dir, db, "diff", "1")
    assert diff.returncode == 0 and "did not immediately respond" in diff.stdout
    export = _run_readonly(readonly_dir, db, "export", "changes")
    assert export.returncode == 0 and '"comment_line"' in export.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("add", "https://news.example/b"),
        ("check",),
        ("feed", "add", "--no-verify", "https://news.example/rss"),
        ("gc",),
        ("run",),
    ],
    ids=["add", "check", "feed-add", "gc", "run"],
)
def test_write_commands_say_the_database_is_read_only_and_where(
    readonly_dir: Path, args: tuple[str, ...]
) -> None:
    """Every command that writes stops before writing, in one line naming the database
    and the reason (read-only file system), exit 1; the file is unchanged."""
    db = readonly_dir / "m.db"
    before = _digest(db)
    result = _run_readonly(readonly_dir, db, *args)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 1 and len(lines) == 1, result.stderr
    assert lines[0] == (
        f"article-monitor: error: database {db} is read-only (read-only file system); "
        "this command writes to it (status, diff, export, feed list and serve only read)"
    )
    assert _digest(db) == before


def test_serve_answers_from_a_read_only_file_system(readonly_dir: Path) -> None:
    """`serve` on a read-only mount opens the file as immutable and answers the desk,
    the change page and the tables."""
    db = readonly_dir / "m.db"
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARTICLE_MONITOR_")}
    argv = _readonly_argv(
        readonly_dir,
        [sys.executable, "-m", "monitor", "--db", str(db), "serve", "--port", str(port)],
    )
    proc = subprocess.Popen(argv, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/-/monitor", timeout=5) as page:
                    assert page.status == 200
                    break
            except OSError:
                assert proc.poll() is None, proc.communicate()
                assert time.monotonic() < deadline, "serve did not answer within 60 s"
                time.sleep(0.3)
        with urllib.request.urlopen(f"{base}/-/monitor/change/1", timeout=10) as page:
            assert page.status == 200 and "did not immediately respond" in page.read().decode()
        with urllib.request.urlopen(f"{base}/m/articles.json?_shape=array", timeout=10) as page:
            assert b"/a" in page.read()
    finally:
        proc.terminate()
        proc.communicate(timeout=30)


def test_an_old_schema_on_a_read_only_file_system_is_explained(readonly_dir: Path) -> None:
    """A database whose schema is older than this article-monitor cannot be upgraded on a
    read-only mount: status says so in one line (what to do included), exit 1."""
    db = readonly_dir / "m.db"
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA user_version = 9")
    conn.close()
    result = _run_readonly(readonly_dir, db, "status")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "has schema 9" in result.stderr and "read-only" in result.stderr
    assert "open it once where it can be written" in result.stderr
