"""The offline demo a newcomer runs first."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from tests.conftest import run_cli


def test_demo_runs_unattended_and_finds_silent_edits(tmp_path: Path) -> None:
    """`demo --for N` runs the newsroom offline, exits 0 and reports silent edits it recorded."""
    db = tmp_path / "demo.db"
    result = run_cli(
        "demo", "--for", "10", "--step-seconds", "0.7", "--demo-db", str(db), timeout=120
    )
    assert result.code == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "SILENT [comment_line]" in result.stdout
    match = re.search(
        r"demo finished: \d+ articles?, \d+ versions?, (\d+) changes?, (\d+) silent", result.stdout
    )
    assert match and int(match.group(2)) > 0
    assert "review UI answered at http://127.0.0.1:" in result.stdout
    # each change line names its kinds as a plain list, never as raw JSON
    kinds = re.findall(r"change #\d+ (?:SILENT )?\[([^\]]*)\]", result.stdout)
    assert kinds and all(re.fullmatch(r"[a-z_]+(, [a-z_]+)*", k) for k in kinds), kinds
    assert any(", " in k for k in kinds), "some change has several kinds"
    assert "[restored]" in result.stdout, (
        "a story taken down and put back is noticed within the demo"
    )
    shown = run_cli("--db", str(db), "status")
    assert shown.code == 0 and "silent" in shown.stdout


def test_ctrl_c_stops_every_part_of_the_demo(tmp_path: Path) -> None:
    """Ctrl-C (SIGINT to the terminal's process group) ends newsroom, daemon and review UI; exit 0."""
    import os
    import signal
    import subprocess
    import sys
    import time

    log = tmp_path / "demo.out"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "monitor",
                "demo",
                "--step-seconds",
                "1",
                "--demo-db",
                str(tmp_path / "d.db"),
                "--review-port",
                "0",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            # as from a terminal: a test run started in the background (`cmd &`, nohup)
            # passes SIGINT down ignored, and Python then installs no Ctrl-C handler
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        deadline = time.monotonic() + 60
        while "change #" not in log.read_text() and time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text()
            time.sleep(0.2)
        os.killpg(proc.pid, signal.SIGINT)
        try:
            code = proc.wait(timeout=90)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            tail = log.read_text()[-3000:]
            raise AssertionError(f"the demo outlived Ctrl-C by 90 s:\n{tail}") from None
    text = log.read_text()
    assert code == 0, text
    assert "interrupted" in text and "demo finished" in text and "Traceback" not in text
    time.sleep(0.5)
    try:
        os.killpg(proc.pid, 0)
        leftovers = True
    except ProcessLookupError:
        leftovers = False
    assert not leftovers, "a demo process outlived Ctrl-C"


def test_the_demo_shows_an_outlet_incident(tmp_path: Path) -> None:
    """After its scripted edits the demo puts one outlet behind a consent wall: the
    monitor opens an incident (narrated, listed by `status`) and stores no wall as an
    edit; the wall comes down and the incident closes."""
    db = tmp_path / "demo.db"
    result = run_cli(
        "demo", "--for", "30", "--step-seconds", "2", "--demo-db", str(db), timeout=180
    )
    assert result.code == 0, result.stderr
    assert "harbor puts a cookie-consent wall" in result.stdout
    assert "incident #1 opened: incident at harbor: consent wall or paywall" in result.stdout
    assert "incident #1 closed" in result.stdout
    with sqlite3.connect(db) as conn:
        walls = conn.execute("SELECT COUNT(*) FROM versions WHERE body LIKE '%cookies%'")
        assert walls.fetchone()[0] == 0
