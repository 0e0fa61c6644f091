"""The real daemon process (`python -m monitor run`) against the local newsroom: signals,
systemd notifications, status. Helpers here are shared by the other test_daemon* files."""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli
from tests.support.faultzoo import FETCH_TIMEOUT
from tests.support.httpserver import TestServer

#: A schedule fast enough to see several revisits in a few seconds.
FAST_SCHEDULE = '[schedule]\ntiers = [["1h", "1s"]]\nfeed_interval = "1s"\njitter = 0.1\n'


def daemon_config(
    path: Path, outlets_toml: str, *, fetch: str = "", extra: str = "", schedule: str = ""
) -> Path:
    """A config: the newsroom's outlets, quick politeness, the fast schedule."""
    timeout = "" if "timeout" in fetch else f"timeout = {FETCH_TIMEOUT}\n"
    fetch_keys = f"min_host_delay = 0.05\n{timeout}{fetch}"
    body = outlets_toml.replace("[fetch]\n", f"[fetch]\n{fetch_keys}", 1)
    if "[fetch]" not in body:
        body = f"[fetch]\nallow_private_addresses = true\n{fetch_keys}\n" + body
    # Extraction that looks broken is stored at once: these tests are about the daemon.
    sched = schedule or FAST_SCHEDULE + "suspect_confirmations = 1\n"
    path.write_text(f"{body}\n{extra}\n{sched}", encoding="utf-8")
    return path


class DaemonProcess:
    """`python -m monitor run` in a subprocess, stdout to a file the test can read."""

    def __init__(
        self,
        db: Path,
        config: Path,
        log: Path,
        *args: str,
        env: dict[str, str] | None = None,
    ) -> None:
        self.log = log
        clean = {k: v for k, v in os.environ.items() if not k.startswith("ARTICLE_MONITOR_")}
        clean.pop("NOTIFY_SOCKET", None)
        clean.pop("WATCHDOG_USEC", None)
        argv = [sys.executable, "-m", "monitor", "--db", str(db), "--config", str(config)]
        self._out = open(log, "a", encoding="utf-8")  # noqa: SIM115 - lives as long as the process
        self.proc = subprocess.Popen(
            [*argv, "run", *args],
            stdout=self._out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=REPO,
            env={**clean, "PYTHONUNBUFFERED": "1", **(env or {})},
        )

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, pattern: str, timeout: float = 15.0, count: int = 1) -> str:
        """Wait until ``pattern`` (a regex) matched ``count`` log lines; returns the log."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            log = self.text()
            if len(re.findall(pattern, log, re.M)) >= count:
                return log
            if self.proc.poll() is not None:
                break
            time.sleep(0.02)
        raise AssertionError(f"no {count}× {pattern!r} in daemon log:\n{self.text()[-3000:]}")

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 40.0) -> tuple[int, float]:
        """Send ``signum``; returns (exit code, seconds it took to exit)."""
        start = time.monotonic()
        self.proc.send_signal(signum)
        code = self.proc.wait(timeout)
        self._out.close()
        return code, time.monotonic() - start

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(10)
        self._out.close()

    def __enter__(self) -> DaemonProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc.poll() is None:
            self.kill()


@pytest.fixture
def fast_config(tmp_path: Path, newsroom) -> Path:
    _, server = newsroom
    return daemon_config(tmp_path / "config.toml", server.outlet_config_toml())


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_stops_the_daemon_gracefully(tmp_path: Path, fast_config: Path, signum) -> None:
    """SIGTERM and SIGINT: the daemon logs stopping, exits 0 quickly, and its work is stored."""
    db = tmp_path / "m.db"
    with DaemonProcess(db, fast_config, tmp_path / "out.log") as daemon:
        daemon.wait_for(r"^event=check .*outcome=new", count=5)
        code, took = daemon.stop(signum)
    log = daemon.text()
    assert code == 0, log[-2000:]
    assert took < 5
    assert re.search(r"^event=stopping ", log, re.M) and re.search(r"^event=stopped ", log, re.M)
    assert "Traceback" not in log
    stored = len(re.findall(r"^event=check .*outcome=new", log, re.M))
    result = run_cli("status", db=db, config=fast_config)
    assert f"all time: {stored} versions" in result.stdout


@pytest.mark.slow
def test_shutdown_abandons_a_hung_fetch_after_the_bound(tmp_path: Path, newsroom) -> None:
    """A fetch that never ends does not hold the exit past --shutdown-timeout: exit 0, abandoned."""
    from tests.support.faultzoo import endless_drip

    with TestServer({"/hang": lambda request: endless_drip()}) as hang:
        config = daemon_config(tmp_path / "c.toml", "", fetch="timeout = 60\n")
        db = tmp_path / "m.db"
        assert run_cli("add", hang.url("/hang"), db=db, config=config).code == 0
        with DaemonProcess(db, config, tmp_path / "out.log", "--shutdown-timeout", "1") as daemon:
            daemon.wait_for(r"^event=ready ")
            deadline = time.monotonic() + 10
            while hang.hits("/hang") == 0 and time.monotonic() < deadline:
                time.sleep(0.05)
            code, took = daemon.stop()
    assert code == 0
    assert 0.9 <= took < 4, took
    assert "event=stopped abandoned=1" in daemon.text()
    row = run_cli("status", db=db, config=config)
    assert "due now: 1" in row.stdout  # never acknowledged: fetched again on the next start


@pytest.mark.slow
def test_systemd_notifications_ready_watchdog_stopping(tmp_path: Path, fast_config: Path) -> None:
    """With $NOTIFY_SOCKET (abstract "@" name) the daemon sends READY=1, WATCHDOG=1 pings at
    half of $WATCHDOG_USEC, then STOPPING=1 on SIGTERM."""
    name = f"article-monitor-test-{os.getpid()}-{time.monotonic_ns()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.settimeout(0.2)
        env = {"NOTIFY_SOCKET": "@" + name, "WATCHDOG_USEC": "1200000"}
        messages: list[tuple[float, str]] = []
        with DaemonProcess(tmp_path / "m.db", fast_config, tmp_path / "o.log", env=env) as daemon:
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:
                _receive(sock, messages)
                if sum("WATCHDOG=1" in m for _, m in messages) >= 4:
                    break
            code, _ = daemon.stop()
            for _ in range(10):
                _receive(sock, messages)
    texts = [m for _, m in messages]
    assert code == 0
    assert any("READY=1" in m for m in texts)
    assert any("STOPPING=1" in m for m in texts)
    pings = [t for t, m in messages if m == "WATCHDOG=1"]
    assert len(pings) >= 3
    gaps = [b - a for a, b in itertools.pairwise(pings)]
    # systemd kills a service that stays silent for the whole WatchdogSec (1.2 s here);
    # the daemon pings every half interval, so even a slow commit stays inside it
    assert max(gaps) < 1.2, gaps
    assert texts.index(next(m for m in texts if "READY=1" in m)) < texts.index(
        next(m for m in texts if "STOPPING=1" in m)
    )


def _receive(sock: socket.socket, into: list[tuple[float, str]]) -> None:
    with contextlib.suppress(TimeoutError):
        into.append((time.monotonic(), sock.recv(4096).decode()))


@pytest.mark.slow
def test_status_reports_tracking_and_activity(tmp_path: Path, fast_config: Path) -> None:
    """After a short run, status shows outlets/feeds/articles, due, next due and 24 h activity."""
    db = tmp_path / "m.db"
    with DaemonProcess(db, fast_config, tmp_path / "out.log") as daemon:
        daemon.wait_for(r"^event=check .*outcome=new", count=8)
        daemon.stop()
    out = run_cli("status", db=db, config=fast_config).stdout
    assert re.search(r"tracked: 4 outlets, \d+ feeds, \d+ articles", out), out
    assert re.search(r"due now: \d+; next due: (\d{4}-|-)", out), out
    assert re.search(r"last 24 h: ([1-9]\d*) versions", out), out
