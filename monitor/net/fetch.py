"""The network edge: fetch one URL politely and safely; every failure is data.

``Fetcher.fetch`` never raises for anything the web does. It obeys robots.txt,
refuses non-public addresses (``monitor.net.guard``), follows redirects itself
(re-vetting every hop), sends conditional GETs, caps the body *after*
decompression and the total wall-clock time, and decodes the text.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http.cookiejar import CookieJar, DefaultCookiePolicy
from types import TracebackType
from typing import Any

import httpcore
import httpx
from protego import Protego

from monitor.config import FetchSettings
from monitor.errors import one_line
from monitor.models import FetchOutcome, FetchResult
from monitor.net.charset import decode_body
from monitor.net.guard import AddressRefused, GuardedBackend, check_host, deadline_scope
from monitor.net.inflate import PIECE, UnsupportedEncoding, decoders_for, gunzip_capped, inflate
from monitor.net.tls import LazyTLSPool, transport_shell
from monitor.times import iso, utcnow

ROBOTS_TOKEN = "article-monitor"
ROBOTS_TTL = 3600.0
#: An unreachable robots.txt means "disallow for now": ask again sooner than an hour.
ROBOTS_FAILURE_TTL = 600.0
#: RFC 9309: crawlers must parse at least 500 KiB of robots.txt; we parse that much.
ROBOTS_MAX_BYTES = 500 * 1024
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


class _Stop(Exception):
    """Ends a fetch early with an outcome; carries what is known so far."""

    def __init__(self, outcome: FetchOutcome, error: str, status_code: int | None = None) -> None:
        super().__init__(error)
        self.outcome: FetchOutcome = outcome
        self.error = error
        self.status_code = status_code


@dataclass
class _Robots:
    rules: Protego | bool  # True: allow all; False: disallow all
    expires: datetime
    reachable: bool
    #: why robots.txt could not even be requested (refused connection or address, DNS)
    failure: tuple[FetchOutcome, str] | None = None


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After value: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def _guarded_transport(settings: FetchSettings) -> httpx.HTTPTransport:
    transport = transport_shell()
    # httpx has no public hook for the network backend, so the pool is swapped
    # for one whose backend vets and connects to the resolved address
    # (netguard). tests/unit/net/test_fetch.py pins that this stays in effect.
    transport._pool = LazyTLSPool(
        max_connections=100,
        max_keepalive_connections=20,
        keepalive_expiry=5.0,
        network_backend=GuardedBackend(allow_private=settings.allow_private_addresses),
    )
    return transport


class Fetcher:
    """Fetches URLs for the monitor; one instance per process (it keeps connections)."""

    def __init__(
        self,
        settings: FetchSettings,
        *,
        clock: Callable[[], datetime] = utcnow,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._settings = settings
        self._clock = clock
        self._robots: dict[str, _Robots] = {}
        self._client = httpx.Client(
            transport=transport or _guarded_transport(settings),
            follow_redirects=False,
            trust_env=False,  # a proxy would connect to addresses the guard never saw
            timeout=httpx.Timeout(settings.timeout, connect=min(settings.timeout, 10.0)),
            headers={
                "User-Agent": settings.user_agent,
                "Accept": _ACCEPT,
                "Accept-Encoding": "gzip, deflate",
            },
            # No cookie survives a fetch: metered paywalls count visits by cookie.
            cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
        )

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """GET ``url``; the result's outcome says what happened (never raises for the web)."""
        fetched_at = iso(self._clock())
        start = time.monotonic()
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        result: dict[str, Any] = {}
        try:
            result = self._fetch(url, headers)
        except _Stop as stop:
            result = {"outcome": stop.outcome, "error": stop.error}
            result["status_code"] = stop.status_code
        except Exception as exc:  #  the daemon must survive any page
            outcome, error = _classify_error(exc)
            result = {"outcome": outcome, "error": error}
        return FetchResult(
            url=url, fetched_at=fetched_at, elapsed=time.monotonic() - start, **result
        )

    def crawl_delay(self, url: str) -> float | None:
        """The Crawl-delay robots.txt asks of us for ``url``'s host, in seconds, if any."""
        if not self._settings.obey_robots:
            return None
        try:
            rules = self._robots_rules(httpx.URL(url))
        except Exception:  #  a bad URL simply has no delay
            return None
        return rules.crawl_delay(ROBOTS_TOKEN) if isinstance(rules, Protego) else None

    # -- internals -------------------------------------------------------------

    def _fetch(self, url: str, headers: dict[str, str]) -> dict[str, Any]:
        # The clock starts before the early address check: a DNS lookup that
        # hangs there uses up this fetch's time, not more.
        deadline = time.monotonic() + self._settings.timeout
        with deadline_scope(deadline):
            target = self._vet(url)
        if self._settings.obey_robots:
            paused = time.monotonic()
            self._check_robots(target)
            deadline += time.monotonic() - paused  # robots.txt has its own budget
        with deadline_scope(deadline):
            response = self._follow(target, headers, robots=self._settings.obey_robots)
            try:
                return self._result(response, deadline)
            finally:
                response.close()

    def _result(self, response: httpx.Response, deadline: float) -> dict[str, Any]:
        status = response.status_code
        result: dict[str, Any] = {
            "final_url": str(response.url),
            "status_code": status,
            "headers": _header_dict(response.headers),
            "etag": response.headers.get("etag"),
            "last_modified": response.headers.get("last-modified"),
        }
        if status == 304:
            return result | {"outcome": "not_modified"}
        if 200 <= status < 300:
            content = self._read(response, deadline, self._settings.max_bytes)
            content = _gunzip_by_magic(content, self._settings.max_bytes, status)
            decoded = decode_body(content, response.headers.get("content-type"))
            if decoded is None:
                error = f"body is not text ({len(content)} bytes)"
                return result | {"outcome": "decode_error", "error": error, "content": content}
            text, encoding = decoded
            return result | {
                "outcome": "ok",
                "text": text,
                "content": content,
                "encoding": encoding,
            }
        error = f"HTTP {status} {response.reason_phrase}".strip()
        if status in (404, 410):
            return result | {"outcome": "gone", "error": error}
        if status in (429, 503):
            retry = parse_retry_after(response.headers.get("retry-after"), self._clock())
            return result | {"outcome": "rate_limited", "error": error, "retry_after": retry}
        return result | {"outcome": "http_error", "error": error}

    def _vet(self, url: str | httpx.URL) -> httpx.URL:
        """Parse and check one URL (scheme, host, address guard) before any traffic."""
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, TypeError, UnicodeError) as exc:
            raise _Stop("bad_url", one_line(f"not a valid URL: {exc}")) from None
        if parsed.scheme not in ("http", "https"):
            raise _Stop("bad_url", one_line(f"not an http(s) URL: {url}"))
        if not parsed.host:
            raise _Stop("bad_url", one_line(f"URL has no host: {url}"))
        if not self._settings.allow_private_addresses:
            check_host(parsed.host, parsed.port or _default_port(parsed), allow_private=False)
        return parsed

    def _follow(self, url: httpx.URL, headers: dict[str, str], *, robots: bool) -> httpx.Response:
        """Send GETs until a response is not a redirect; returns it open for streaming."""
        jar = httpx.Cookies()  # cookies live for one redirect chain only
        for hop in range(self._settings.max_redirects + 1):
            if hop:
                url = self._vet(url)
                if robots:
                    self._check_robots(url)
            request = self._client.build_request("GET", url, headers=headers)
            if jar:  # cookiejar's request wrapping is costly: only once a hop set one
                jar.set_cookie_header(request)
            response = self._client.send(request, stream=True)
            if "set-cookie" in response.headers:
                jar.extract_cookies(response)
            location = response.headers.get("location")
            if response.status_code not in _REDIRECTS or not location:
                return response
            response.close()
            try:
                url = response.url.join(location.strip())
            except httpx.InvalidURL as exc:
                raise _Stop("bad_url", one_line(f"bad redirect location: {exc}")) from None
        limit = self._settings.max_redirects
        raise _Stop("too_many_redirects", f"more than {limit} redirects, last to {url}")

    def _read(
        self, response: httpx.Response, deadline: float, cap: int, *, cut: bool = False
    ) -> bytes:
        """Stream the body, decompressing, within ``cap`` bytes and the deadline.

        With ``cut`` an oversized body is truncated at the cap instead of refused.
        """
        try:
            decoders = decoders_for(response.headers.get("content-encoding", ""))
        except UnsupportedEncoding as exc:
            raise _Stop("decode_error", str(exc), response.status_code) from None
        declared = response.headers.get("content-length", "")
        if not decoders and not cut and declared.isdigit() and int(declared) > cap:
            raise _Stop(
                "too_large", f"body of {declared} bytes exceeds {cap}", response.status_code
            )
        body = bytearray()
        try:
            for piece in inflate(response.iter_raw(PIECE), decoders):
                body += piece
                if len(body) > cap:
                    if cut:
                        return bytes(body[:cap])
                    raise _Stop("too_large", f"body exceeds {cap} bytes", response.status_code)
                if time.monotonic() > deadline:
                    raise _Stop("timeout", "total timeout exceeded while reading the body")
        except zlib.error as exc:
            raise _Stop("decode_error", one_line(f"corrupt compressed body: {exc}")) from None
        return bytes(body)

    def _check_robots(self, url: httpx.URL) -> None:
        robots = self._robots_entry(url)
        rules = robots.rules
        allowed = rules if isinstance(rules, bool) else rules.can_fetch(str(url), ROBOTS_TOKEN)
        if allowed:
            return
        if rules is False and robots.failure is not None:
            # The host could not be reached at all: say why (a refused connection or
            # address), not "robots.txt unreachable", which reads like the site's policy.
            outcome, detail = robots.failure
            raise _Stop(outcome, one_line(f"{detail} (asking for its robots.txt)"))
        why = "robots.txt unreachable" if rules is False else "robots.txt disallows"
        raise _Stop("robots_disallowed", one_line(f"{why} {url}"))

    def _robots_rules(self, url: httpx.URL) -> Protego | bool:
        return self._robots_entry(url).rules

    def _robots_entry(self, url: httpx.URL) -> _Robots:
        key = f"{url.scheme} {url.host} {url.port or _default_port(url)}"
        now = self._clock()
        cached = self._robots.get(key)
        if cached is None or cached.expires <= now:
            robots_url = url.copy_with(path="/robots.txt", query=None, fragment=None)
            fresh = self._load_robots(robots_url, now)
            # RFC 9309: while robots.txt is unreachable a crawler may keep using
            # a copy it read before, rather than stopping altogether.
            if not fresh.reachable and cached is not None and cached.reachable:
                fresh = _Robots(cached.rules, fresh.expires, reachable=True)
            self._robots[key] = cached = fresh
        return cached

    def _load_robots(self, robots_url: httpx.URL, now: datetime) -> _Robots:
        """Fetch robots.txt: 2xx rules, 4xx allow all, 5xx or unreachable disallow all."""
        expires = now.timestamp() + ROBOTS_TTL
        failed = datetime.fromtimestamp(now.timestamp() + ROBOTS_FAILURE_TTL, UTC)
        ok = datetime.fromtimestamp(expires, UTC)
        deadline = time.monotonic() + self._settings.timeout
        try:
            with deadline_scope(deadline):
                response = self._follow(robots_url, {}, robots=False)
                try:
                    status = response.status_code
                    if 200 <= status < 300:
                        cap = min(self._settings.max_bytes, ROBOTS_MAX_BYTES)
                        body = self._read(response, deadline, cap, cut=True)
                        rules = Protego.parse(body.decode("utf-8", errors="replace"))
                        return _Robots(rules, ok, reachable=True)
                finally:
                    response.close()
        except Exception as exc:  #  any failure means "unreachable" (RFC 9309)
            return _Robots(False, failed, reachable=False, failure=_classify_error(exc))
        # 429 says "slow down", not "no robots.txt here": treat it like a 5xx.
        if 400 <= status < 500 and status != 429:
            return _Robots(True, ok, reachable=True)
        return _Robots(False, failed, reachable=False)


def _gunzip_by_magic(content: bytes, cap: int, status: int) -> bytes:
    """A gzip file served as the body itself (``sitemap.xml.gz`` as application/gzip, no
    Content-Encoding) inflated like a Content-Encoding: within ``cap`` bytes after
    decompression. Recognised by its magic bytes, which no text starts with."""
    if content[:2] != b"\x1f\x8b":
        return content
    try:
        return gunzip_capped(content, cap)
    except ValueError:
        raise _Stop("too_large", f"gzip body inflates past {cap} bytes", status) from None
    except zlib.error as exc:
        raise _Stop("decode_error", one_line(f"corrupt gzip body: {exc}"), status) from None


def _default_port(url: httpx.URL) -> int:
    return 443 if url.scheme == "https" else 80


def _header_dict(headers: httpx.Headers) -> dict[str, str]:
    merged: dict[str, str] = {}
    for name, value in headers.multi_items():
        name = name.lower()
        merged[name] = f"{merged[name]}, {value}" if name in merged else value
    return merged


def _classify_error(exc: Exception) -> tuple[FetchOutcome, str]:
    """Map an exception from the network stack to an outcome and a one-line error."""
    detail = one_line(exc) or type(exc).__name__
    if isinstance(exc, AddressRefused):
        return "address_refused", detail
    # httpcore's own timeouts reach here unmapped from the early DNS lookup (netguard).
    if isinstance(exc, httpx.TimeoutException | httpcore.TimeoutException):
        return "timeout", f"{type(exc).__name__}: {detail}"
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return "bad_url", detail
    if isinstance(exc, httpx.HTTPError | httpcore.ConnectError | OSError):
        return "network_error", f"{type(exc).__name__}: {detail}"
    return "network_error", f"unexpected {type(exc).__name__}: {detail}"
