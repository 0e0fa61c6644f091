"""`demo` and its database (issue 13): it honours the global --db, never recreates a
database it did not make, and stops every part on SIGTERM as on Ctrl-C."""

from __future__ import annotations

import hashlib
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.integration.test_cli_errors import assert_one_line_error
from tests.support.paths import REPO


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def demo(db: Path, seconds: str = "4") -> list[str]:
    return ["--db", str(db), "demo", "--for", seconds, "--step-seconds", "0.7",
            "--review-port", "0"]  # fmt: skip


@pytest.mark.slow
def test_demo_records_into_the_global_db_and_recreates_only_its_own(tmp_path: Path) -> None:
    """`--db X demo` runs the demo in X (marked as a demo database), its config and logs
    beside it, nothing at the default demo path; the newsroom edits only once the monitor
    has read every story; a second run recreates X."""
    default = REPO / "article-monitor-demo.db"
    existed = default.exists()
    db = tmp_path / "mine.db"
    first = run_cli(*demo(db), timeout=120)
    assert first.code == 0, first.stderr
    assert f"database: {db}" in first.stdout
    # no edit before the monitor's first look: an edit then would be in version 1, unseen
    out = first.stdout
    assert out.index("has read every story: editing starts") < out.index("[newsroom] step 1:")
    assert default.exists() == existed, "the demo ignored --db"
    marked = sqlite3.connect(db).execute("SELECT note FROM demo").fetchone()[0]
    assert "article-monitor demo" in marked
    names = {p.name for p in tmp_path.iterdir()}
    assert {"mine.db", "mine.demo.toml", "mine.daemon.log", "mine.review.log"} <= names
    assert run_cli("--db", str(db), "status").code == 0

    second = run_cli(*demo(db, "2"), timeout=120)
    assert second.code == 0, second.stderr
    first_articles = int(re.search(r"demo finished: (\d+) articles", first.stdout).group(1))  # type: ignore[union-attr]
    assert "demo finished:" in second.stdout and first_articles > 0


def test_demo_refuses_a_monitor_database_and_leaves_it_untouched(tmp_path: Path) -> None:
    """`--db real.db demo`, where real.db tracks real articles, is refused in one line
    saying what to pass instead; the database is byte-identical and no config is written."""
    db = tmp_path / "real.db"
    assert run_cli("add", "https://example.org/news/a", db=db).code == 0
    assert run_cli("status", db=db).code == 0
    before = digest(db)
    result = run_cli(*demo(db))
    assert_one_line_error(result, "is not a demo database")
    assert "pass another --db" in result.stderr
    assert digest(db) == before
    assert not (tmp_path / "real.demo.toml").exists()


def test_demo_refuses_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    """A text file at --db (or --demo-db) is never deleted to make room for the demo."""
    notes = tmp_path / "notes.txt"
    notes.write_text("my precious notes\n" * 50, encoding="utf-8")
    before = digest(notes)
    for args in (demo(notes), ["demo", "--for", "2", "--demo-db", str(notes)]):
        assert_one_line_error(run_cli(*args), "is not a demo database")
        assert digest(notes) == before


def test_demo_refuses_to_overwrite_a_config_it_did_not_write(tmp_path: Path) -> None:
    """The demo writes its config beside its database; a file of the user's there is kept."""
    config = tmp_path / "d.demo.toml"
    config.write_text("[fetch]\nuser_agent = 'mine'\n", encoding="utf-8")
    result = run_cli(*demo(tmp_path / "d.db"))
    assert_one_line_error(result, "was not written by the demo")
    assert config.read_text(encoding="utf-8") == "[fetch]\nuser_agent = 'mine'\n"
    assert not (tmp_path / "d.db").exists()


def test_two_different_demo_databases_are_refused(tmp_path: Path) -> None:
    """`--db a.db demo --demo-db b.db` is ambiguous: one line, nothing created."""
    result = run_cli("--db", str(tmp_path / "a.db"), "demo", "--demo-db", str(tmp_path / "b.db"))
    assert_one_line_error(result, "two demo databases given")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_sigterm_to_the_demo_alone_stops_every_part(tmp_path: Path) -> None:
    """`kill -TERM` of the demo process (not its group) stops the newsroom, the daemon and
    the review UI as Ctrl-C does: summary printed, exit 0, no process left running."""
    log = tmp_path / "demo.out"
    argv = [sys.executable, "-m", "monitor", "--db", str(tmp_path / "d.db"), "demo",
            "--step-seconds", "1", "--review-port", "0"]  # fmt: skip
    with log.open("wb") as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, cwd=REPO, start_new_session=True)  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while "change #" not in log.read_text() and time.monotonic() < deadline:
                assert proc.poll() is None, log.read_text()
                time.sleep(0.2)
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(timeout=40)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
    text = log.read_text()
    assert code == 0, text
    assert "interrupted" in text and "demo finished" in text and "Traceback" not in text
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    raise AssertionError("a demo process (daemon or review UI) outlived SIGTERM")
