"""Fetcher behaviour against a real HTTP server on 127.0.0.1 (tests/httpserver.py)."""

from __future__ import annotations

import gzip
import ipaddress
import socket
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from monitor.config import FetchSettings
from monitor.net import guard as netguard
from monitor.net.charset import decode_body
from monitor.net.fetch import Fetcher
from monitor.times import iso
from tests.support.httpserver import Request, Response, TestServer, drip, redirect, repeat, text
from tests.support.paths import CORPUS

T0 = datetime(2026, 11, 25, 19, 42, 53, tzinfo=UTC)
LOCAL = FetchSettings(allow_private_addresses=True, timeout=2.0, max_bytes=1_000_000)


class Clock:
    """A settable clock, so robots caching and Retry-After dates are deterministic."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(autouse=True)
def only_loopback(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """Fail any test whose code tries to open a connection beyond 127.0.0.1."""
    attempts: list[object] = []
    real_connect = socket.socket.connect

    def connect(self: socket.socket, address: object) -> None:
        host = address[0] if isinstance(address, tuple) else address
        if host not in ("127.0.0.1", "::1"):
            attempts.append(address)
            raise OSError(f"test guard: connection to {address} blocked")
        real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", connect)
    yield attempts
    assert attempts == [], f"connections attempted beyond loopback: {attempts}"


def fetcher(settings: FetchSettings = LOCAL, clock: Clock | None = None) -> Fetcher:
    return Fetcher(settings, clock=clock or Clock())


def test_ok_fetch_returns_text_validators_and_identifies_itself() -> None:
    """A 200 gives the decoded text, raw bytes, validators, and our User-Agent was sent."""
    page = text("<p>Grüße</p>", ETag='"v1"', Last_Modified="Wed, 25 Nov 2026 10:00:00 GMT")
    with TestServer({"/a": page}) as server, fetcher() as f:
        result = f.fetch(server.url("/a"))
    assert result.outcome == "ok" and result.ok
    assert result.text == "<p>Grüße</p>"
    assert result.content == "<p>Grüße</p>".encode()
    assert (result.status_code, result.encoding) == (200, "utf-8")
    assert (result.etag, result.last_modified) == ('"v1"', "Wed, 25 Nov 2026 10:00:00 GMT")
    assert result.fetched_at == "2026-11-25T19:42:53Z"
    assert result.final_url == server.url("/a")
    assert result.headers["content-type"] == "text/html; charset=utf-8"
    page_request = next(r for r in server.requests if r.path == "/a")
    assert page_request.headers["user-agent"] == LOCAL.user_agent


def test_iso_is_utc_to_the_second() -> None:
    """iso() renders any aware time in UTC with a Z, and treats naive times as UTC."""
    plus_two = datetime(2026, 11, 25, 21, 42, 53, 999_999, tzinfo=UTC) + timedelta(0)
    assert iso(plus_two.astimezone(tz=None)) == "2026-11-25T21:42:53Z"
    assert iso(datetime(2026, 1, 2, 3, 4, 5)) == "2026-01-02T03:04:05Z"


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "10.0.0.1", "[::1]", "169.254.169.254", "localhost", "[::ffff:127.0.0.1]"],
)
def test_default_settings_refuse_non_public_hosts_without_traffic(
    host: str, only_loopback: list[object]
) -> None:
    """Default settings refuse private, loopback and metadata addresses before connecting."""
    with TestServer({"/": text("secret")}) as server, Fetcher(FetchSettings()) as f:
        result = f.fetch(f"http://{host}:{server.port}/")
        assert result.outcome == "address_refused"
        assert result.error and "non-public" in result.error and "\n" not in result.error
        assert server.connections == 0
    assert only_loopback == []


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("100.64.0.1", False),  # CGNAT
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("240.0.0.1", False),
        ("192.168.1.1", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("::ffff:10.0.0.1", False),
        ("2002:7f00:1::", False),  # 6to4 wrapping 127.0.0.1
        ("93.184.215.14", True),
        ("2606:4700:4700::1111", True),
        ("::ffff:93.184.215.14", True),
    ],
)
def test_is_public_classifies_addresses(address: str, public: bool) -> None:
    """Only globally routable unicast addresses count as public, mapped forms included."""
    assert netguard.is_public(ipaddress.ip_address(address)) is public


def test_dns_rebinding_is_caught_at_connect_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """A host that resolves public at the check but loopback at connect is refused, no traffic."""
    answers = iter(["93.184.215.14"])

    def getaddrinfo(host: str, port: int, *args: object, **kw: object) -> list[tuple]:
        ip = next(answers, "127.0.0.1")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port))]

    monkeypatch.setattr(netguard.socket, "getaddrinfo", getaddrinfo)
    settings = FetchSettings(obey_robots=False, timeout=2.0)
    with TestServer({"/": text("secret")}) as server, Fetcher(settings) as f:
        result = f.fetch(f"http://rebind.example:{server.port}/")
        assert result.outcome == "address_refused"
        assert "127.0.0.1" in (result.error or "")
        assert server.connections == 0


def test_connection_goes_to_the_vetted_address(monkeypatch: pytest.MonkeyPatch) -> None:
    """The socket connects to the address the guard resolved, with the original Host header."""
    seen: list[str] = []

    def getaddrinfo(host: str, port: int, *args: object, **kw: object) -> list[tuple]:
        seen.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr(netguard.socket, "getaddrinfo", getaddrinfo)
    with TestServer({"/a": text("hello")}) as server, fetcher() as f:
        result = f.fetch(f"http://news.example:{server.port}/a")
        assert result.outcome == "ok" and result.text == "hello"
        assert server.requests[-1].headers["host"] == f"news.example:{server.port}"
    assert "news.example" in seen


def test_every_redirect_hop_is_vetted(monkeypatch: pytest.MonkeyPatch) -> None:
    """A redirect from an allowed address to a refused one stops at the hop, before fetching."""
    monkeypatch.setattr(netguard, "is_public", lambda ip: str(ip) == "127.0.0.1")
    settings = FetchSettings(timeout=2.0)
    with TestServer() as server, Fetcher(settings) as f:
        server.routes["/a"] = redirect(f"http://127.0.0.2:{server.port}/b")
        result = f.fetch(server.url("/a"))
        assert result.outcome == "address_refused"
        assert "127.0.0.2" in (result.error or "")
        assert server.hits("/b") == 0


def test_redirects_are_followed_to_the_final_url() -> None:
    """Relative and absolute redirects are followed; final_url names the page served."""
    with TestServer() as server, fetcher() as f:
        server.routes["/old"] = redirect("/older", 301)
        server.routes["/older"] = redirect(server.url("/story"), 308)
        server.routes["/story"] = text("the story")
        result = f.fetch(server.url("/old"))
    assert result.outcome == "ok" and result.text == "the story"
    assert result.final_url == server.url("/story")


def test_redirect_loop_ends_as_too_many_redirects() -> None:
    """A loop stops after max_redirects hops with a bounded number of requests."""
    settings = FetchSettings(allow_private_addresses=True, max_redirects=5, timeout=2.0)
    with TestServer({"/a": redirect("/b"), "/b": redirect("/a")}) as server, fetcher(settings) as f:
        result = f.fetch(server.url("/a"))
        assert result.outcome == "too_many_redirects"
        assert server.hits("/a") + server.hits("/b") == 6


@pytest.mark.parametrize("target", ["ftp://example.org/file", "file:///etc/passwd", "gopher://x/"])
def test_redirect_to_other_scheme_is_bad_url(target: str) -> None:
    """A redirect off http(s) is refused as bad_url; nothing is fetched there."""
    with TestServer({"/a": redirect(target)}) as server, fetcher() as f:
        result = f.fetch(server.url("/a"))
    assert result.outcome == "bad_url"
    assert target.split(":")[0] in (result.error or "")


@pytest.mark.parametrize(
    "url", ["not a url", "ftp://example.org/", "mailto:x@example.org", "http://"]
)
def test_bad_urls_are_outcomes_not_exceptions(url: str) -> None:
    """Unfetchable URLs come back as bad_url with a one-line error."""
    with fetcher() as f:
        result = f.fetch(url)
    assert result.outcome == "bad_url" and result.error and "\n" not in result.error


def test_slow_drip_body_cannot_exceed_total_timeout() -> None:
    """A server dripping a byte now and then is cut off at the total timeout."""
    settings = FetchSettings(allow_private_addresses=True, timeout=1.0)
    slow = Response(200, {"Content-Type": "text/html"}, drip(b"x", 0.3))
    with TestServer({"/slow": slow}) as server, fetcher(settings) as f:
        started = time.monotonic()
        result = f.fetch(server.url("/slow"))
        took = time.monotonic() - started
    assert result.outcome == "timeout"
    assert took < 1.5


def test_silent_server_times_out() -> None:
    """A server that never answers ends as a timeout within the budget."""
    settings = FetchSettings(allow_private_addresses=True, timeout=0.8)

    def stall(request: Request) -> Response:
        time.sleep(3)
        return text("late")

    with TestServer({"/stall": stall}) as server, fetcher(settings) as f:
        started = time.monotonic()
        result = f.fetch(server.url("/stall"))
        assert result.outcome == "timeout"
        assert time.monotonic() - started < 1.3


def test_huge_body_is_cut_off_while_streaming() -> None:
    """A 50 MB body against a 1 MB cap is refused after about a megabyte, not downloaded."""
    huge = Response(200, {"Content-Type": "text/html"}, repeat(b"x" * 65536, 50_000_000))
    with TestServer({"/huge": huge}) as server, fetcher() as f:
        result = f.fetch(server.url("/huge"))
        assert result.outcome == "too_large"
        assert result.text is None
        time.sleep(0.2)
        assert server.bytes_sent("/huge") < 10_000_000


def test_declared_oversize_is_refused_before_reading() -> None:
    """A Content-Length above the cap is refused from the headers alone."""
    big = Response(200, {"Content-Length": "50000000"}, iter([b"x" * 1024]))
    with TestServer({"/big": big}) as server, fetcher() as f:
        result = f.fetch(server.url("/big"))
    assert result.outcome == "too_large" and "50000000" in (result.error or "")


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    """100 MB of zeros, gzipped to about 100 KB."""
    return gzip.compress(bytes(100_000_000), compresslevel=9)


def test_gzip_bomb_is_cut_off_after_decompression(gzip_bomb: bytes) -> None:
    """A small gzip body that inflates past the cap is too_large, with memory kept bounded."""
    bomb = Response(200, {"Content-Encoding": "gzip", "Content-Type": "text/html"}, gzip_bomb)
    with TestServer({"/bomb": bomb}) as server, fetcher() as f:
        tracemalloc.start()
        try:
            result = f.fetch(server.url("/bomb"))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert len(gzip_bomb) < LOCAL.max_bytes
    assert result.outcome == "too_large"
    assert peak < 8_000_000, f"peak {peak} bytes"


@pytest.mark.parametrize("coding", ["gzip", "deflate", "raw-deflate"])
def test_compressed_pages_are_decoded(coding: str) -> None:
    """gzip, zlib deflate and raw deflate bodies arrive decompressed."""
    html = "<p>" + "Compressed story text. " * 200 + "</p>"
    if coding == "gzip":
        body = gzip.compress(html.encode())
    elif coding == "deflate":
        body = zlib.compress(html.encode())
    else:
        packer = zlib.compressobj(wbits=-15)
        body = packer.compress(html.encode()) + packer.flush()
    header = "gzip" if coding == "gzip" else "deflate"
    page = Response(200, {"Content-Encoding": header, "Content-Type": "text/html"}, body)
    with TestServer({"/z": page}) as server, fetcher() as f:
        result = f.fetch(server.url("/z"))
    assert result.outcome == "ok" and result.text == html


def test_conditional_get_sends_validators_and_maps_304() -> None:
    """etag/last_modified are sent as If-None-Match/If-Modified-Since; a 304 is not_modified."""

    def page(request: Request) -> Response:
        if request.headers.get("if-none-match") == '"v1"':
            return Response(304, {"ETag": '"v1"'}, b"")
        return text("fresh", ETag='"v1"')

    since = "Wed, 25 Nov 2026 10:00:00 GMT"
    with TestServer({"/a": page}) as server, fetcher() as f:
        result = f.fetch(server.url("/a"), etag='"v1"', last_modified=since)
        assert result.outcome == "not_modified" and result.status_code == 304
        assert server.requests[-1].headers["if-modified-since"] == since
        assert f.fetch(server.url("/a"), etag='"v0"').outcome == "ok"


@pytest.mark.parametrize(
    ("status", "outcome"), [(404, "gone"), (410, "gone"), (500, "http_error"), (403, "http_error")]
)
def test_error_statuses_map_to_outcomes(status: int, outcome: str) -> None:
    """Gone pages and other HTTP errors are told apart, with the status in the error."""
    with TestServer({"/a": text("x", status=status)}) as server, fetcher() as f:
        result = f.fetch(server.url("/a"))
    assert (result.outcome, result.status_code) == (outcome, status)
    assert str(status) in (result.error or "")


@pytest.mark.parametrize(
    ("status", "retry_after", "seconds"),
    [
        (429, "120", 120.0),
        (429, "Wed, 25 Nov 2026 19:44:23 GMT", 90.0),
        (503, "30", 30.0),
        (503, None, None),
    ],
)
def test_rate_limits_carry_retry_after(
    status: int, retry_after: str | None, seconds: float | None
) -> None:
    """429 and 503 are rate_limited; Retry-After seconds or date becomes seconds to wait."""
    headers = {"Retry-After": retry_after} if retry_after else {}
    with TestServer({"/a": text("slow down", status=status, **headers)}) as server, fetcher() as f:
        result = f.fetch(server.url("/a"))
    assert result.outcome == "rate_limited"
    assert result.retry_after == seconds


def test_connection_refused_is_network_error() -> None:
    """Nothing listening on the port is a network_error, not an exception."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with fetcher(FetchSettings(allow_private_addresses=True, obey_robots=False)) as f:
        result = f.fetch(f"http://127.0.0.1:{port}/")
    assert result.outcome == "network_error" and result.error


def test_cookies_live_for_one_redirect_chain_only() -> None:
    """A cookie set during a redirect chain is sent on its next hop but never on a later fetch."""

    def check(request: Request) -> Response:
        return text("metered" if "visit=1" in request.headers.get("cookie", "") else "fresh")

    login = Response(302, {"Location": "/check", "Set-Cookie": "visit=1; Path=/"}, b"")
    with TestServer({"/login": login, "/check": check}) as server, fetcher() as f:
        assert f.fetch(server.url("/login")).text == "metered"
        assert f.fetch(server.url("/check")).text == "fresh"


ROBOTS = """
User-agent: *
Disallow: /

User-agent: article-monitor
Disallow: /private/
Crawl-delay: 7
"""


def test_robots_rules_for_our_token_are_obeyed_and_cached() -> None:
    """Our own robots group applies (not the catch-all); robots.txt is fetched once per hour."""
    clock = Clock()
    routes = {"/robots.txt": text(ROBOTS, "text/plain"), "/news": text("news")}
    with TestServer(routes) as server, fetcher(clock=clock) as f:
        assert f.fetch(server.url("/news")).outcome == "ok"
        blocked = f.fetch(server.url("/private/memo"))
        assert blocked.outcome == "robots_disallowed"
        assert f.crawl_delay(server.url("/news")) == 7.0
        assert server.hits("/private/memo") == 0
        assert server.hits("/robots.txt") == 1
        clock.now += timedelta(hours=2)
        f.fetch(server.url("/news"))
        assert server.hits("/robots.txt") == 2


def test_robots_disallow_applies_to_redirect_targets() -> None:
    """A redirect into a disallowed path is stopped before that path is requested."""
    routes = {"/robots.txt": text(ROBOTS, "text/plain"), "/go": redirect("/private/x")}
    with TestServer(routes) as server, fetcher() as f:
        assert f.fetch(server.url("/go")).outcome == "robots_disallowed"
        assert server.hits("/private/x") == 0


@pytest.mark.parametrize(
    ("status", "outcome"), [(404, "ok"), (403, "ok"), (500, "robots_disallowed")]
)
def test_robots_errors_follow_rfc9309(status: int, outcome: str) -> None:
    """A 4xx robots.txt allows everything; a 5xx one disallows everything for now."""
    routes = {"/robots.txt": text("oops", status=status), "/news": text("news")}
    with TestServer(routes) as server, fetcher() as f:
        result = f.fetch(server.url("/news"))
        assert result.outcome == outcome
        assert server.hits("/news") == (1 if outcome == "ok" else 0)


def test_robots_can_be_switched_off() -> None:
    """With obey_robots false robots.txt is neither fetched nor applied."""
    settings = FetchSettings(allow_private_addresses=True, obey_robots=False, timeout=2.0)
    routes = {"/robots.txt": text(ROBOTS, "text/plain"), "/private/x": text("x")}
    with TestServer(routes) as server, fetcher(settings) as f:
        assert f.fetch(server.url("/private/x")).outcome == "ok"
        assert f.crawl_delay(server.url("/private/x")) is None
        assert server.hits("/robots.txt") == 0


FRENCH = "<p>Le café “ouvert” — déjà là, naïveté oblige.</p>"
JAPANESE = "<p>東京都は新しい条例を発表した。市民の反応はさまざまだ。</p>"
RUSSIAN = (
    "<p>Правительство объявило о новых мерах поддержки экономики. "
    "Министр финансов заявил, что решение было принято после долгих обсуждений, "
    "и пообещал опубликовать подробности на следующей неделе.</p>"
)


def _meta_page(charset: str, body: str) -> bytes:
    head = f'<html><head><meta charset="{charset}"><title>t</title></head><body>'
    return (head + body + "</body></html>").encode(charset)


@pytest.mark.parametrize(
    ("content_type", "body", "expected", "encoding"),
    [
        ("text/html; charset=windows-1252", FRENCH.encode("cp1252"), FRENCH, "cp1252"),
        # Browsers read latin-1 as windows-1252: the curly quotes survive.
        ("text/html; charset=ISO-8859-1", FRENCH.encode("cp1252"), FRENCH, "cp1252"),
        ("text/html", _meta_page("windows-1252", FRENCH), FRENCH, "cp1252"),
        ("text/html", _meta_page("shift_jis", JAPANESE), JAPANESE, "cp932"),
        (
            "text/html",
            b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'
            + RUSSIAN.encode("cp1251"),
            RUSSIAN,
            "cp1251",
        ),
        ("text/html", RUSSIAN.encode("cp1251"), RUSSIAN, "cp1251"),
        ("text/html", FRENCH.encode("utf-8"), FRENCH, "utf-8"),
        ("text/html; charset=utf-8", FRENCH.encode("utf-16"), FRENCH, "utf-16"),
    ],
    ids=["header", "latin1-label", "meta", "meta-sjis", "http-equiv", "detect", "utf8", "bom"],
)
def test_charset_is_found(content_type: str, body: bytes, expected: str, encoding: str) -> None:
    """Header charset, meta declarations, BOM and detection each decode the page correctly."""
    with TestServer({"/p": text(body, content_type)}) as server, fetcher() as f:
        result = f.fetch(server.url("/p"))
    assert result.outcome == "ok"
    assert expected in (result.text or "")
    assert result.encoding == encoding


def test_binary_garbage_is_a_decode_error() -> None:
    """Random bytes served as text/html are a decode_error, bytes kept for inspection."""
    import random

    garbage = random.Random(7).randbytes(20_000)
    with TestServer({"/bin": text(garbage, "text/html")}) as server, fetcher() as f:
        result = f.fetch(server.url("/bin"))
    assert result.outcome == "decode_error"
    assert result.content == garbage and result.text is None


def test_a_few_bad_bytes_keep_the_declared_charset() -> None:
    """One stray byte in a UTF-8 page yields a replacement character, not mojibake everywhere."""
    body = FRENCH.encode("utf-8") * 20 + b"\xff" + FRENCH.encode("utf-8")
    with TestServer({"/p": text(body, "text/html; charset=utf-8")}) as server, fetcher() as f:
        result = f.fetch(server.url("/p"))
    assert result.outcome == "ok" and result.encoding == "utf-8"
    assert "Le café “ouvert”" in (result.text or "") and "\ufffd" in (result.text or "")





@pytest.mark.corpus
def test_real_pages_decode_without_added_damage() -> None:
    """Every real article page decodes as text, adding no replacement characters of its own."""
    pages = sorted((CORPUS / "pages" / "scrapinghub-aeb" / "html").glob("*.html.gz"))
    if not pages:
        pytest.skip(f"corpus not found at {CORPUS} (it lives beside the repo, not in it)")
    for page in pages:
        data = gzip.decompress(page.read_bytes())
        decoded = decode_body(data, "text/html")
        assert decoded is not None, page.name
        assert decoded[0].count("\ufffd") == data.count("\ufffd".encode()), page.name


def test_a_closed_port_reads_as_a_refused_connection_not_as_robots_policy() -> None:
    """robots.txt is asked for first; when even that connection is refused, the fetch says
    "Connection refused" (a network error the host backs off from), not "robots.txt
    unreachable", which reads like the site's policy."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with fetcher() as f:
        result = f.fetch(f"http://127.0.0.1:{port}/story")
    assert result.outcome == "network_error"
    assert "connection refused" in (result.error or "").lower()
    assert "unreachable" not in (result.error or "")


def test_a_refused_address_names_the_setting_that_allows_it() -> None:
    """The address guard's error says which setting to change, and that it is for tests
    and intranets only."""
    with TestServer({"/": text("x")}) as server, Fetcher(FetchSettings()) as f:
        result = f.fetch(server.url("/"))
    assert result.outcome == "address_refused"
    assert "[fetch] allow_private_addresses = true" in (result.error or "")
    assert server.connections == 0
