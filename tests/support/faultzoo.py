"""The fault zoo: misbehaving web servers on 127.0.0.1 for daemon tests.

Each fault gets its own server (its own port, hence its own host for the
daemon's politeness), serving ``ARTICLES`` article paths that all misbehave the
same way. Article request times are recorded per fault, so tests can check how
often and when the daemon came back.

    with FaultZoo(retry_after=3) as zoo:
        zoo.article_urls("error500"), zoo.feed_url, zoo.times("ratelimited")
"""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Callable
from functools import cache

from tests.support.httpserver import Request, Response, TestServer, drip, redirect, repeat, text

ARTICLES = 6
#: Fetch timeout the zoo is built around (a test config sets [fetch] timeout to this).
FETCH_TIMEOUT = 2.0
FAULTS = (
    "slow",  # a body dripped over ~1 s: slow but fine
    "timeout",  # headers only after 2 × the fetch timeout
    "error500",
    "ratelimited",  # the first request gets 429 with Retry-After, later ones a page
    "huge",  # 100 MB of HTML, produced lazily
    "gzipbomb",  # 50 KB on the wire, 50 MB once inflated
    "loop",  # a redirect to itself
    "charset",  # an unknown charset over bytes that are not text
)


def page(title: str, paragraphs: int = 4) -> str:
    body = "".join(
        f"<p>Paragraph {i} of a perfectly ordinary article about {title}, long enough to keep.</p>"
        for i in range(paragraphs)
    )
    return (
        f"<!DOCTYPE html><html><head><title>{title}</title></head><body><article>"
        f"<h1>{title}</h1>{body}</article></body></html>"
    )


@cache
def _gzip_bomb() -> bytes:
    return gzip.compress(b"\0" * 50_000_000, compresslevel=9)


class FaultZoo:
    """Starts one server per fault plus one serving a malformed feed."""

    def __init__(self, retry_after: int = 3) -> None:
        self.retry_after = retry_after
        self._lock = threading.Lock()
        self._times: dict[str, list[float]] = {name: [] for name in FAULTS}
        self._limited = False
        self.servers: dict[str, TestServer] = {}
        for name in FAULTS:
            handler = self._recording(name, getattr(self, f"_{name}"))
            routes = {f"/a/{i}": handler for i in range(ARTICLES)}
            self.servers[name] = TestServer(routes)  # type: ignore[arg-type]
        self.feed_server = TestServer(
            {
                "/feed.xml": text(
                    b'<rss version="2.0"><channel>\x00\x01<item>{{', "application/rss+xml"
                )
            }
        )

    # -- what tests use ---------------------------------------------------------------

    def article_urls(self, fault: str | None = None) -> list[str]:
        names = [fault] if fault else list(FAULTS)
        return [self.servers[n].url(f"/a/{i}") for n in names for i in range(ARTICLES)]

    @property
    def feed_url(self) -> str:
        return self.feed_server.url("/feed.xml")

    def host(self, fault: str) -> str:
        return f"127.0.0.1:{self.servers[fault].port}"

    def times(self, fault: str) -> list[float]:
        """Monotonic arrival times of article requests for ``fault``."""
        with self._lock:
            return list(self._times[fault])

    def __enter__(self) -> FaultZoo:
        for server in (*self.servers.values(), self.feed_server):
            server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        for server in (*self.servers.values(), self.feed_server):
            server.stop()

    # -- the faults -------------------------------------------------------------------

    def _recording(
        self, name: str, handler: Callable[[Request], Response]
    ) -> Callable[[Request], Response]:
        def record(request: Request) -> Response:
            with self._lock:
                self._times[name].append(time.monotonic())
            return handler(request)

        return record

    def _slow(self, request: Request) -> Response:
        html = page(f"slow {request.path}").encode()
        pieces = [html[i : i + 200] for i in range(0, len(html), 200)]
        step = 1.0 / max(1, len(pieces))
        return Response(200, {"Content-Type": "text/html; charset=utf-8"}, _paced(pieces, step))

    def _timeout(self, request: Request) -> Response:
        time.sleep(FETCH_TIMEOUT * 2)
        return text(page("too late"))

    def _error500(self, request: Request) -> Response:
        return text("<h1>Internal Server Error</h1>", status=500)

    def _ratelimited(self, request: Request) -> Response:
        with self._lock:
            first, self._limited = not self._limited, True
        if first:
            return text("slow down", status=429, Retry_After=str(self.retry_after))
        return text(page(f"finally {request.path}"))

    def _huge(self, request: Request) -> Response:
        chunk = b"<p>" + b"x" * 65_530 + b"</p>"
        body = repeat(chunk, 100_000_000)
        return Response(200, {"Content-Type": "text/html; charset=utf-8"}, body)

    def _gzipbomb(self, request: Request) -> Response:
        return text(_gzip_bomb(), Content_Encoding="gzip")

    def _loop(self, request: Request) -> Response:
        return redirect(request.path)

    def _charset(self, request: Request) -> Response:
        noise = bytes((i * 151 + 7) % 256 for i in range(4096))
        return text(noise, "text/html; charset=x-no-such-charset")


def _paced(pieces: list[bytes], interval: float):  # type: ignore[no-untyped-def]
    for piece in pieces:
        yield piece
        time.sleep(interval)


def endless_drip() -> Response:
    """A page whose body never ends (a byte every half second): a fetch that hangs."""
    return Response(200, {"Content-Type": "text/html"}, drip(b" ", 0.5))
