"""The demo's desk takes verdicts: a newcomer logs in with the reviewer the demo prints."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from monitor.review.verdicts import verdicts_path
from tests.support.paths import REPO
from tests.support.review import csrf, login

pytestmark = pytest.mark.slow


def _wait_for_line(log: Path, pattern: str, proc: subprocess.Popen, seconds: float = 90) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = re.search(pattern, log.read_text(encoding="utf-8"))
        if found:
            return found.group(1)
        assert proc.poll() is None, log.read_text(encoding="utf-8")
        time.sleep(0.2)
    raise TimeoutError(f"no {pattern!r} in: {log.read_text(encoding='utf-8')}")


def test_demo_prints_a_reviewer_login_that_records_a_verdict(tmp_path: Path) -> None:
    """`demo` prints a reviewer name and password; with them a newcomer logs in to the
    demo's review UI and records a verdict (CSRF token and all), which lands in the verdicts
    file; logged out, the same POST is refused. The password is not written anywhere."""
    db = tmp_path / "d.db"
    log = tmp_path / "demo.out"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARTICLE_MONITOR_")}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "monitor", "--db", str(db), "demo", "--step-seconds", "0.7",
             "--review-port", "0"],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=REPO, env=env,
        )  # fmt: skip
        try:
            base = _wait_for_line(log, r"review UI: (http://127\.0\.0\.1:\d+)/-/monitor", proc)
            name, password = re.search(
                r"verdicts: log in as (\S+), password (\S+) ", log.read_text(encoding="utf-8")
            ).groups()
            change = int(_wait_for_line(log, r"change #(\d+) ", proc))
            with httpx.Client(base_url=base, timeout=30) as client:
                page = client.get(f"/-/monitor/change/{change}")
                refused = client.post(
                    f"/-/monitor/change/{change}/verdict", data={"verdict": "reviewed"}
                )
                assert refused.status_code == 403
                assert login(client, password, name=name).status_code == 303
                page = client.get(f"/-/monitor/change/{change}")
                saved = client.post(
                    f"/-/monitor/change/{change}/verdict",
                    data={"verdict": "confirmed", "note": "tried in the demo",
                          "csrftoken": csrf(page.text)},
                )  # fmt: skip
                assert saved.status_code == 303, saved.text
        finally:
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(timeout=60)
    text = log.read_text(encoding="utf-8")
    assert code == 0, text
    with sqlite3.connect(f"file:{verdicts_path(db)}?mode=ro", uri=True) as conn:
        stored = conn.execute("SELECT change_id, verdict, note, reviewer FROM verdicts").fetchall()
    assert stored == [(change, "confirmed", "tried in the demo", name)]
    config = tmp_path / "d.demo.toml"
    assert "[review.reviewers]" in config.read_text(encoding="utf-8")
    assert password not in config.read_text(encoding="utf-8")
    assert f"--config {config}" in text, "the closing line says how to serve it again"
