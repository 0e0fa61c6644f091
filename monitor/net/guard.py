"""The address guard: never let a fetched URL reach a non-public address.

A feed or a redirect can point anywhere, including at the machine running the
monitor (127.0.0.1, a cloud metadata service at 169.254.169.254, the office
intranet). The guard resolves a host once, refuses every address that is not
globally routable, and hands back only vetted addresses.

What is covered:

* ``check_host`` is the early, cheap refusal: the fetcher calls it before any
  request, so a refused URL causes no traffic at all.
* ``GuardedBackend`` is the httpcore network backend the fetcher's transport
  uses. It resolves the host again *at connect time*, vets the result and
  connects the socket to the vetted IP itself (TLS still verifies and sends
  SNI for the host name, because httpcore passes the name to ``start_tls``).
  A DNS answer that changes between the early check and the connect (DNS
  rebinding) is therefore caught: the address that is connected to is always
  one that was checked.
* Every read, write, connect and TLS handshake is clamped to the current
  fetch's wall-clock deadline (``deadline_scope``), so a server dripping one
  byte at a time cannot stretch a fetch past its total timeout.
* Name resolution ends within the same deadline (the fetcher's early check
  runs inside it too). getaddrinfo cannot be interrupted, so it runs on a
  daemon thread and the caller stops waiting when the fetch's time is up (or
  after ``timeout``, or ``DEFAULT_LOOKUP_TIMEOUT`` outside any fetch), raising
  ``httpcore.ConnectTimeout`` ("DNS lookup for HOST timed out after N s"),
  which the fetcher reports as outcome ``timeout``. The abandoned lookup
  finishes or hangs on its own thread, which never delays interpreter exit,
  and holds one of ``MAX_LOOKUPS_IN_FLIGHT`` slots until the resolver gives
  up; with all slots taken a lookup fails at once with ``ConnectError``, so a
  resolver outage cannot grow threads without bound. IP literals start no
  lookup.

What is not covered: proxies are not supported (the fetcher disables them,
because a proxy would connect on our behalf to an address we never saw);
with ``allow_private_addresses`` nothing is refused.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import queue
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from typing import Any

import httpcore

from monitor.errors import AddressRefused

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Ranges some Python versions still report as global but that are not
# reachable public unicast (or that tunnel to arbitrary IPv4 addresses).
_EXTRA_BLOCKED = tuple(
    ipaddress.ip_network(n)
    for n in (
        "100.64.0.0/10",  # CGNAT, shared address space
        "192.0.0.0/24",  # IETF protocol assignments
        "198.18.0.0/15",  # benchmarking
        "2001::/23",  # IETF protocol assignments (incl. Teredo 2001::/32)
        "2002::/16",  # 6to4: embeds an arbitrary IPv4 address
        "64:ff9b::/96",  # NAT64: embeds an arbitrary IPv4 address
        "64:ff9b:1::/48",  # local-use NAT64
    )
)

#: Lookups that may wait on the system resolver at once; past this a lookup fails at once.
MAX_LOOKUPS_IN_FLIGHT = 32
#: The longest wait for a lookup made outside any fetch deadline and without a timeout.
DEFAULT_LOOKUP_TIMEOUT = 30.0
#: A resolver thread with no lookup to run for this many seconds ends.
_IDLE_EXIT = 60.0

#: The fetch deadline (time.monotonic() value) of the fetch running in this context.
_deadline: ContextVar[float | None] = ContextVar("fetch_deadline", default=None)



class DeadlineExceeded(httpcore.TimeoutException):
    """The fetch's total time budget ran out in the middle of network I/O."""


def is_public(ip: IPAddress) -> bool:
    """True for globally routable unicast addresses, the only ones we fetch from."""
    if isinstance(ip, ipaddress.IPv6Address):
        mapped = ip.ipv4_mapped or ip.sixtofour
        if mapped is not None:
            return is_public(mapped)
    if not ip.is_global or ip.is_multicast or ip.is_reserved or ip.is_unspecified:
        return False
    return not any(ip in net for net in _EXTRA_BLOCKED if net.version == ip.version)


def resolve(host: str, port: int, timeout: float | None = None) -> list[IPAddress]:
    """All addresses ``host`` resolves to, in resolver order, without duplicates.

    Waits at most ``timeout`` seconds and never past the current fetch deadline
    (``deadline_scope``); with neither, ``DEFAULT_LOOKUP_TIMEOUT``. Raises
    ``httpcore.ConnectTimeout`` when the resolver does not answer in time and
    ``httpcore.ConnectError`` when it fails or too many lookups are in flight.
    """
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    wait = _lookup_budget(host, timeout)
    lookup = _RESOLVERS.submit(host, port)
    if not lookup.done.wait(wait):
        raise httpcore.ConnectTimeout(f"DNS lookup for {host} timed out after {wait:.1f} s")
    if isinstance(lookup.error, OSError | UnicodeError):
        raise httpcore.ConnectError(f"cannot resolve {host}: {lookup.error}")
    if lookup.error is not None:
        raise lookup.error
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in lookup.infos:
        # Strip an IPv6 zone ("fe80::1%eth0"): the guard judges the address.
        ip = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if ip not in addresses:
            addresses.append(ip)
    return addresses


def _lookup_budget(host: str, timeout: float | None) -> float:
    """Seconds a lookup of ``host`` may take: ``timeout`` clamped to the fetch deadline."""
    deadline = _deadline.get()
    budget = DEFAULT_LOOKUP_TIMEOUT if timeout is None and deadline is None else timeout
    if deadline is not None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise httpcore.ConnectTimeout(f"DNS lookup for {host} not started: no time left")
        budget = remaining if budget is None else min(budget, remaining)
    assert budget is not None
    return max(0.0, budget)


class _Lookup:
    """One getaddrinfo call, handed from a resolver thread to the caller waiting on it."""

    __slots__ = ("done", "error", "host", "infos", "port")

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.done = threading.Event()
        self.infos: list[tuple[Any, ...]] = []
        self.error: Exception | None = None

    def run(self) -> None:
        try:
            self.infos = socket.getaddrinfo(self.host, self.port, type=socket.SOCK_STREAM)
        except Exception as exc:  # handed to the caller, who may have stopped waiting
            self.error = exc
        finally:
            self.done.set()


class _ResolverThreads:
    """Reusable daemon threads running getaddrinfo, at most ``limit`` lookups at once.

    Daemon threads because concurrent.futures workers are joined at interpreter
    exit, so a lookup hung in the resolver would hold the process. Threads are
    reused because starting one per lookup costs ~0.17 ms, a queue handoff
    ~0.04 ms; a thread idle for ``_IDLE_EXIT`` seconds ends.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._jobs: queue.SimpleQueue[_Lookup] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._in_flight = 0
        # Threads waiting for a job minus jobs queued: above 0, a new job finds a thread.
        self._idle = 0

    def submit(self, host: str, port: int) -> _Lookup:
        lookup = _Lookup(host, port)
        with self._lock:
            if self._in_flight >= self.limit:
                raise httpcore.ConnectError(
                    f"DNS lookup for {host} not started: {self.limit} lookups already"
                    " waiting on the resolver"
                )
            self._in_flight += 1
            spawn = self._idle == 0
            if not spawn:
                self._idle -= 1
        if spawn:
            try:
                threading.Thread(target=self._work, name="netguard-dns", daemon=True).start()
            except RuntimeError as exc:  # the process is out of threads
                with self._lock:
                    self._in_flight -= 1
                raise httpcore.ConnectError(f"DNS lookup for {host} not started: {exc}") from None
        self._jobs.put(lookup)
        return lookup

    def _work(self) -> None:
        while True:
            try:
                lookup = self._jobs.get(timeout=_IDLE_EXIT)
            except queue.Empty:
                with self._lock:
                    if self._idle > 0:  # no queued job counts on this thread
                        self._idle -= 1
                        return
                continue
            try:
                lookup.run()
            finally:
                with self._lock:
                    self._in_flight -= 1
                    self._idle += 1


_RESOLVERS = _ResolverThreads(MAX_LOOKUPS_IN_FLIGHT)


def _fresh_resolvers() -> None:
    global _RESOLVERS
    _RESOLVERS = _ResolverThreads(MAX_LOOKUPS_IN_FLIGHT)


# A forked child has none of the parent's threads: counting them as idle
# would queue every lookup for a thread that does not exist.
os.register_at_fork(after_in_child=_fresh_resolvers)


def check_host(
    host: str, port: int, *, allow_private: bool, timeout: float | None = None
) -> list[IPAddress]:
    """Resolve ``host`` and return its addresses, or raise AddressRefused.

    One refused address refuses the host: an attacker who controls DNS could
    otherwise list a public address next to a private one and hope we pick it.
    The lookup's wait is bounded as in ``resolve``.
    """
    addresses = resolve(host, port, timeout)
    if not addresses:
        raise httpcore.ConnectError(f"cannot resolve {host}: no addresses")
    if not allow_private:
        for ip in addresses:
            if not is_public(ip):
                raise AddressRefused(
                    f"{host} resolves to non-public address {ip}; to fetch it anyway set "
                    "[fetch] allow_private_addresses = true (tests and intranets only)"
                )
    return addresses


@contextlib.contextmanager
def deadline_scope(deadline: float) -> Iterator[None]:
    """Clamp all network I/O in this block to end by ``deadline`` (time.monotonic())."""
    token = _deadline.set(deadline)
    try:
        yield
    finally:
        _deadline.reset(token)


def _clamp(timeout: float | None) -> float | None:
    deadline = _deadline.get()
    if deadline is None:
        return timeout
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise DeadlineExceeded("total timeout exceeded")
    return remaining if timeout is None else min(timeout, remaining)


class _DeadlineStream(httpcore.NetworkStream):
    """A network stream whose every operation ends by the current fetch deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _clamp(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _clamp(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        inner = self._inner.start_tls(ssl_context, server_hostname, _clamp(timeout))
        return _DeadlineStream(inner)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class GuardedBackend(httpcore.NetworkBackend):
    """Resolve, vet and connect to the vetted IP; see the module docstring."""

    def __init__(self, *, allow_private: bool) -> None:
        self._allow_private = allow_private
        self._backend = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = check_host(host, port, allow_private=self._allow_private, timeout=timeout)
        error: Exception | None = None
        for ip in addresses:  # like socket.create_connection: first that answers
            try:
                stream = self._backend.connect_tcp(
                    str(ip), port, _clamp(timeout), local_address, socket_options
                )
            except httpcore.ConnectError as exc:
                error = exc
                continue
            return _DeadlineStream(stream)
        assert error is not None
        raise error

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise AddressRefused("unix sockets are not fetched")

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)
