"""Name resolution ends within the fetch's time (monitor.net.guard), against real local servers.

A hung system resolver cannot be staged here (resolv.conf is not ours), so
``socket.getaddrinfo`` is replaced by a stand-in that hangs for chosen names
and, once released, answers 127.0.0.1. Everything else is real: the Fetcher,
its guarded transport, the resolver threads and an HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpcore
import pytest

from monitor.config import FetchSettings
from monitor.net import guard as netguard
from monitor.net.fetch import Fetcher
from tests.support.httpserver import Request, Response, TestServer, redirect, text
from tests.support.paths import REPO
from tests.unit.net.test_fetch import only_loopback  # noqa: F401  (autouse: loopback traffic only)

SLOW = "slow-dns.test"
QUICK = "quick-dns.test"
TIMEOUT = 1.0
#: How long a "hung" lookup would take if never released: far beyond any fetch timeout.
HANG = 30.0
#: Slack over the fetch timeout for thread scheduling on a loaded machine.
SLACK = 0.8


class FakeResolver:
    """Stands in for getaddrinfo: ``SLOW`` hangs until released, every name answers 127.0.0.1."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.calls: list[str] = []
        #: names of the threads the lookups ran on
        self.threads: list[str] = []

    def __call__(self, host: str, port: int, *args: object, **kw: object) -> list[tuple]:
        self.calls.append(host)
        self.threads.append(threading.current_thread().name)
        if host == SLOW:
            self.release.wait(HANG)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]


@pytest.fixture
def resolver(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeResolver]:
    """The stand-in resolver plus fresh resolver threads; hung lookups are released after."""
    fake = FakeResolver()
    monkeypatch.setattr(netguard.socket, "getaddrinfo", fake)
    fresh = netguard._ResolverThreads(netguard.MAX_LOOKUPS_IN_FLIGHT)
    monkeypatch.setattr(netguard, "_RESOLVERS", fresh)
    yield fake
    fake.release.set()


def settings(*, early_check: bool, **changes: object) -> FetchSettings:
    """Fetch settings whose lookups happen in the early check, or only at connect time.

    With ``allow_private_addresses`` the fetcher skips the early check and the
    guarded backend resolves when it connects; without it (and 127.0.0.1
    counted as public, see ``public_loopback``) both checks resolve.
    """
    base: dict[str, object] = {"timeout": TIMEOUT, "obey_robots": False}
    return FetchSettings(**(base | {"allow_private_addresses": not early_check} | changes))


@pytest.fixture
def public_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """Count 127.0.0.1 as public, so the default (guarded) settings may fetch the test server."""
    monkeypatch.setattr(netguard, "is_public", lambda ip: str(ip) == "127.0.0.1")


@pytest.mark.usefixtures("public_loopback")
@pytest.mark.parametrize("early_check", [True, False], ids=["early-check", "connect-time"])
def test_hung_dns_ends_as_timeout_within_the_fetch_timeout(
    resolver: FakeResolver, early_check: bool
) -> None:
    """A lookup that hangs ends the fetch as `timeout` after about the fetch timeout, naming DNS
    and the host, and nothing is sent to the address the resolver would have given later."""
    with TestServer({"/": text("never seen")}) as server:
        with Fetcher(settings(early_check=early_check)) as f:
            started = time.monotonic()
            result = f.fetch(f"http://{SLOW}:{server.port}/")
            took = time.monotonic() - started
        assert result.outcome == "timeout"
        assert result.error and "DNS" in result.error and SLOW in result.error
        assert "\n" not in result.error
        assert TIMEOUT * 0.8 <= took < TIMEOUT + SLACK
        assert server.connections == 0
    assert SLOW in resolver.calls


@pytest.mark.usefixtures("public_loopback")
@pytest.mark.parametrize("early_check", [True, False], ids=["early-check", "connect-time"])
def test_quick_dns_answer_still_fetches_the_page(resolver: FakeResolver, early_check: bool) -> None:
    """A resolver that answers at once still works: the name's page is fetched from 127.0.0.1."""
    with (
        TestServer({"/a": text("hello")}) as server,
        Fetcher(settings(early_check=early_check)) as f,
    ):
        result = f.fetch(f"http://{QUICK}:{server.port}/a")
        assert result.outcome == "ok" and result.text == "hello"
        assert server.requests[-1].headers["host"] == f"{QUICK}:{server.port}"
    assert QUICK in resolver.calls


def test_the_real_resolver_answers_through_the_resolver_threads() -> None:
    """With the system's own getaddrinfo, localhost resolves to a loopback address."""
    addresses = netguard.resolve("localhost", 80, timeout=5.0)
    assert addresses and all(ip.is_loopback for ip in addresses)


@pytest.mark.usefixtures("public_loopback")
def test_hung_dns_on_a_redirect_hop_ends_within_the_same_timeout(resolver: FakeResolver) -> None:
    """A redirect to a host whose DNS hangs ends as `timeout` within the one fetch's time."""

    def slow_first(request: Request) -> Response:
        time.sleep(TIMEOUT / 2)
        return redirect(f"http://{SLOW}:{server.port}/b")

    with TestServer({"/a": slow_first, "/b": text("never seen")}) as server:
        with Fetcher(settings(early_check=True)) as f:
            result = f.fetch(server.url("/a"))
        assert result.outcome == "timeout" and SLOW in (result.error or "")
        # The hop's lookup got only what was left, not a fresh timeout of its own.
        assert result.elapsed < TIMEOUT + SLACK
        assert server.hits("/b") == 0


def test_ip_literals_never_wait_on_the_resolver(resolver: FakeResolver) -> None:
    """A URL with an IP address starts no lookup: the guard hands no work to a resolver thread."""
    with (
        TestServer({"/a": text("by address")}) as server,
        Fetcher(settings(early_check=False)) as f,
    ):
        result = f.fetch(server.url("/a"))
    assert result.outcome == "ok" and result.text == "by address"
    # (socket.create_connection still parses the literal with getaddrinfo, on the caller's thread)
    assert "netguard-dns" not in resolver.threads


def test_robots_txt_keeps_its_own_budget(public_loopback: None) -> None:
    """Time spent fetching robots.txt is not taken from the page's budget."""

    def slow(body: str) -> object:
        def handler(request: Request) -> Response:
            time.sleep(TIMEOUT * 0.6)
            return text(body, content_type="text/plain")

        return handler

    routes = {"/robots.txt": slow("User-agent: *\nAllow: /\n"), "/a": slow("page")}
    robots_on = settings(early_check=True, obey_robots=True)
    with TestServer(routes) as server, Fetcher(robots_on) as f:
        result = f.fetch(server.url("/a"))
    assert result.outcome == "ok" and result.text == "page"
    assert result.elapsed > TIMEOUT  # both slow answers together exceed one budget


def test_lookup_outside_a_fetch_is_bounded_too(
    resolver: FakeResolver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lookup with neither a fetch deadline nor a timeout (webhook posting) still ends."""
    monkeypatch.setattr(netguard, "DEFAULT_LOOKUP_TIMEOUT", 0.3)
    started = time.monotonic()
    with pytest.raises(httpcore.ConnectTimeout, match=f"DNS lookup for {SLOW} timed out"):
        netguard.check_host(SLOW, 443, allow_private=True)
    assert time.monotonic() - started < 0.3 + SLACK


def test_lookups_in_flight_are_bounded_with_a_clear_error(
    resolver: FakeResolver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the in-flight limit a fetch fails at once, saying the resolver is backed up; once
    the hung lookups finish, lookups work again."""
    monkeypatch.setattr(netguard, "_RESOLVERS", netguard._ResolverThreads(2))
    for _ in range(2):  # two lookups abandoned by their callers, still hung in the resolver
        with pytest.raises(httpcore.ConnectTimeout):
            netguard.resolve(SLOW, 80, timeout=0.05)
    with TestServer({"/a": text("hello")}) as server, Fetcher(settings(early_check=False)) as f:
        started = time.monotonic()
        refused = f.fetch(f"http://{QUICK}:{server.port}/a")
        assert time.monotonic() - started < 0.5
        assert refused.outcome == "network_error"
        assert "DNS lookup" in (refused.error or "") and "2 lookups" in (refused.error or "")
        resolver.release.set()
        result = f.fetch(f"http://{QUICK}:{server.port}/a")
        for _ in range(100):  # the released lookups may take a moment to hand back
            if result.outcome == "ok":
                break
            time.sleep(0.01)
            result = f.fetch(f"http://{QUICK}:{server.port}/a")
    assert result.outcome == "ok" and result.text == "hello"


def test_sequential_lookups_reuse_one_resolver_thread(resolver: FakeResolver) -> None:
    """Lookups one after another share a thread instead of starting one each."""
    before = {t.ident for t in threading.enumerate() if t.name == "netguard-dns"}
    for _ in range(50):
        netguard.resolve(QUICK, 80, timeout=5.0)
    started = {t.ident for t in threading.enumerate() if t.name == "netguard-dns"} - before
    assert len(started) == 1


def test_a_hung_lookup_does_not_keep_the_process_from_exiting(tmp_path: Path) -> None:
    """A process whose fetch gave up on a hung lookup exits promptly, not when the lookup ends."""
    script = tmp_path / "hung_fetch.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import socket, time
            from monitor.config import FetchSettings
            from monitor.net.fetch import Fetcher

            def hung(host, port, *args, **kw):
                time.sleep({HANG})
                return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

            socket.getaddrinfo = hung
            settings = FetchSettings(timeout=0.5, obey_robots=False)
            with Fetcher(settings) as f:
                result = f.fetch("http://{SLOW}:9/")
            print(result.outcome, result.error)
            """
        )
    )
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=REPO,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=HANG / 2,
    )
    took = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("timeout ") and SLOW in done.stdout
    assert took < 10.0  # interpreter start and imports included; the hang is 30 s


def test_concurrent_lookups_all_answer_within_the_thread_bound(resolver: FakeResolver) -> None:
    """Many fetch threads resolving at once all get their answer, on at most the in-flight
    limit of resolver threads."""
    errors: list[BaseException] = []
    answers: list[str] = []

    def lookups() -> None:
        try:
            for _ in range(50):
                answers.append(str(netguard.resolve(QUICK, 80, timeout=5.0)[0]))
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    before = {t.ident for t in threading.enumerate() if t.name == "netguard-dns"}
    callers = [threading.Thread(target=lookups) for _ in range(16)]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join(30)
    started = {t.ident for t in threading.enumerate() if t.name == "netguard-dns"} - before
    assert errors == []
    assert answers == ["127.0.0.1"] * 16 * 50
    assert len(started) <= len(callers)  # one lookup in flight per caller at most


def test_lookups_work_in_a_forked_child(resolver: FakeResolver) -> None:
    """A process forked after lookups ran still resolves: it does not wait on the parent's
    resolver threads, which it does not have."""
    netguard.resolve(QUICK, 80, timeout=5.0)  # leaves an idle resolver thread in this process
    pid = os.fork()
    if pid == 0:  # the child: exit status 0 only if the lookup answers; never back into pytest
        ok = False
        try:
            ok = netguard.resolve(QUICK, 80, timeout=2.0) == [ipaddress.ip_address("127.0.0.1")]
        finally:
            os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


@pytest.mark.usefixtures("public_loopback")
def test_webhook_delivery_with_hung_dns_fails_within_its_timeout(resolver: FakeResolver) -> None:
    """A webhook target whose name hangs in DNS gives a failed (retryable) delivery naming DNS
    after about the target's timeout, instead of holding the delivery thread."""
    from monitor.config import Settings
    from monitor.pipeline.notify import HttpPoster

    with TestServer({"/hook": text("ok")}) as server:
        poster = HttpPoster(Settings(fetch=FetchSettings(allow_private_addresses=False)))
        started = time.monotonic()
        try:
            delivery = poster(f"http://{SLOW}:{server.port}/hook", b"{}", {}, TIMEOUT)
        finally:
            poster.close()
        took = time.monotonic() - started
        assert not delivery.ok
        assert delivery.error and "DNS" in delivery.error and SLOW in delivery.error
        assert took < TIMEOUT + SLACK
        assert server.connections == 0
