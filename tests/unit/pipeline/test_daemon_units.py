"""The daemon's small parts alone: host politeness policy, event lines, sd_notify, unit files."""

from __future__ import annotations

import configparser
import re
import shutil
import socket
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor import store
from monitor.config import ConfigError, FetchSettings, settings_from_mapping
from monitor.logs import format_event
from monitor.models import FetchResult
from monitor.pipeline.sdnotify import Notifier
from monitor.policy.politeness import HostGate, HostState, after_fetch
from monitor.store.hosts import hosts_backing_off, load_hosts, save_host
from monitor.urls import host_key
from tests.support.paths import REPO

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
SYSTEMD = REPO / "systemd"


def _result(outcome: str, status: int | None = None, retry_after: float | None = None):
    return FetchResult(
        "http://a.example/x", "t", outcome, status_code=status, retry_after=retry_after
    )  # type: ignore[arg-type]


def test_host_key_separates_ports_and_ignores_www_and_default_ports() -> None:
    """Requests are spaced per authority: test servers on one address are distinct hosts."""
    assert host_key("https://www.Example.org/a") == "example.org"
    assert host_key("https://example.org:443/a") == "example.org"
    assert host_key("http://127.0.0.1:8080/a") == "127.0.0.1:8080"
    assert host_key("http://127.0.0.1:8080/a") != host_key("http://127.0.0.1:8081/a")


def test_429_pauses_the_host_for_exactly_retry_after() -> None:
    """A 429 with Retry-After 120 leaves the host alone for 120 s, and says so."""
    state = after_fetch(HostState("a"), _result("rate_limited", 429, 120), NOW)
    assert state.backoff_until == NOW + timedelta(seconds=120)
    assert "Retry-After 120s" in (state.reason or "")
    assert state.backing_off(NOW + timedelta(seconds=119))
    assert not state.backing_off(NOW + timedelta(seconds=120))


def test_consecutive_host_errors_back_off_exponentially_and_success_resets() -> None:
    """500s and timeouts double the pause each time; a success clears the count but not the
    pause already decided (a request in flight must not cancel a Retry-After)."""
    state = HostState("a")
    pauses = []
    for outcome, status in [("http_error", 500), ("timeout", None), ("network_error", None)]:
        state = after_fetch(state, _result(outcome, status), NOW)
        pauses.append((state.backoff_until - NOW).total_seconds())  # type: ignore[operator]
    assert pauses == [30, 60, 120]
    ok = after_fetch(state, _result("ok", 200), NOW)
    assert ok.consecutive_errors == 0 and ok.backoff_until == state.backoff_until
    assert after_fetch(HostState("a"), _result("http_error", 404), NOW) == HostState("a")
    assert after_fetch(HostState("a"), _result("too_large", 200), NOW) == HostState("a")


def test_gate_enforces_per_host_concurrency_spacing_and_crawl_delay() -> None:
    """One request until a host first answers (its robots.txt is not known before), then
    two at once by default, starts at least min_host_delay apart; a robots crawl-delay
    makes it one at a time, that far apart."""
    gate = HostGate(FetchSettings(per_host_concurrency=2, min_host_delay=1.0))
    assert gate.can_start("h", NOW, 0.0)
    gate.started("h", 0.0)
    assert not gate.can_start("h", NOW, 0.5)  # too soon
    assert not gate.can_start("h", NOW, 1.0)  # no answer yet: one at a time
    gate.finished("h", _result("ok", 200), NOW)
    gate.started("h", 1.0)
    assert gate.can_start("h", NOW, 2.0)
    gate.started("h", 2.0)
    assert not gate.can_start("h", NOW, 5.0)  # two in flight
    gate.finished("h", _result("ok", 200), NOW, crawl_delay=10)
    assert not gate.can_start("h", NOW, 5.0)  # crawl-delay: one at a time
    gate.finished("h", _result("ok", 200), NOW, crawl_delay=10)
    assert gate.can_start("h", NOW, 5.0)
    gate.started("h", 5.0)
    gate.finished("h", _result("ok", 200), NOW, crawl_delay=10)
    assert not gate.can_start("h", NOW, 14.0) and gate.can_start("h", NOW, 15.0)
    assert gate.blocked({"other"}, NOW, 14.0) == {"h"}


def test_gate_spaces_the_second_request_from_the_first_answer() -> None:
    """A host's first job also fetched robots.txt, so its page went out late: the next
    request waits min_host_delay from that first answer, not from the job's start."""
    gate = HostGate(FetchSettings(per_host_concurrency=2, min_host_delay=1.0))
    gate.started("h", 0.0)
    gate.finished("h", _result("ok", 200), NOW, mono=0.7)
    assert not gate.can_start("h", NOW, 1.5) and gate.can_start("h", NOW, 1.7)


def test_host_backoff_persists_and_rounds_up(tmp_path: Path) -> None:
    """The hosts table keeps a pause across restarts, never ending it earlier than decided."""
    db = store.open_db(tmp_path / "m.db")
    until = NOW + timedelta(seconds=2.4)
    with store.transaction(db):
        save_host(db, HostState("h", until, "HTTP 429 Retry-After 2.4s", 1, NOW))
    loaded = load_hosts(db)["h"]
    assert loaded.backoff_until == NOW + timedelta(seconds=3)
    assert [s.host for s in hosts_backing_off(db, NOW + timedelta(seconds=2.9))] == ["h"]
    assert hosts_backing_off(db, NOW + timedelta(seconds=3)) == []


def test_event_lines_are_single_lines_of_key_value_pairs() -> None:
    """Values with spaces or quotes are quoted, newlines collapsed, lists comma-joined."""
    line = format_event(
        "check", url="http://a/b", kinds=("headline", "quote"), silent=True, error='a "b"\nc'
    )
    assert line == 'event=check url=http://a/b kinds=headline,quote silent=1 error="a \\"b\\" c"'
    assert "\n" not in format_event("x", v="1\n2")


def test_sd_notify_to_a_path_socket_and_watchdog_interval(tmp_path: Path) -> None:
    """NOTIFY_SOCKET as a path gets the datagram; the ping interval is half WATCHDOG_USEC,
    and a WATCHDOG_PID for another process disables it."""
    path = tmp_path / "n.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(str(path))
        notifier = Notifier({"NOTIFY_SOCKET": str(path), "WATCHDOG_USEC": "10000000"})
        assert notifier.ready("up")
        assert sock.recv(100) == b"READY=1\nSTATUS=up"
    assert notifier.watchdog_interval == 5.0
    assert Notifier({"WATCHDOG_USEC": "10000000", "WATCHDOG_PID": "1"}).watchdog_interval is None
    assert not Notifier({}).notify("READY=1")


def test_fetch_settings_for_the_daemon_are_validated() -> None:
    """[fetch] min_host_delay takes a duration and max_concurrency a positive whole number."""
    settings = settings_from_mapping({"fetch": {"min_host_delay": "2s", "max_concurrency": 3}})
    assert settings.fetch.min_host_delay == 2.0 and settings.fetch.max_concurrency == 3
    assert FetchSettings().min_host_delay == 1.0 and FetchSettings().max_concurrency == 8
    with pytest.raises(ConfigError, match="max_concurrency"):
        settings_from_mapping({"fetch": {"max_concurrency": 0}})


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(SYSTEMD / name, encoding="utf-8")
    return parser


def test_daemon_unit_is_a_notify_service_with_watchdog_and_restart() -> None:
    """The daemon unit: Type=notify, watchdog, restart on failure, own user and state dir,
    a stop timeout longer than the daemon's shutdown bound."""
    service = _unit("article-monitor.service")["Service"]
    assert service["Type"] == "notify"
    assert service["Restart"] == "on-failure"
    assert service["StateDirectory"] == "article-monitor"
    assert service["DynamicUser"] == "yes" or service.get("User") == "article-monitor"
    assert re.fullmatch(r"\d+s?", service["WatchdogSec"])
    assert " run" in service["ExecStart"]
    bound = float(re.search(r"--shutdown-timeout (\d+)", service["ExecStart"]).group(1))  # type: ignore[union-attr]
    assert float(service["TimeoutStopSec"]) > bound


def test_review_unit_serves_on_loopback_only() -> None:
    """The review unit runs `serve` bound to 127.0.0.1 and may only talk to localhost."""
    service = _unit("article-monitor-review.service")["Service"]
    assert "serve --host 127.0.0.1" in service["ExecStart"]
    assert service["IPAddressDeny"] == "any" and service["IPAddressAllow"] == "localhost"
    assert service["StateDirectory"] == "article-monitor"


@pytest.mark.parametrize("name", ["article-monitor.service", "article-monitor-review.service"])
def test_units_score_at_most_1_5_in_systemd_analyze_security(name: str) -> None:
    """`systemd-analyze security --offline=yes` rates each unit's exposure ≤ 1.5."""
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    proc = subprocess.run(
        ["systemd-analyze", "security", "--offline=yes", str(SYSTEMD / name)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    found = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", proc.stdout + proc.stderr)
    if found is None:
        pytest.skip(f"systemd-analyze cannot rate units here: {proc.stderr.strip()[:200]}")
    assert float(found.group(1)) <= 1.5
