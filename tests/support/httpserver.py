"""A small scriptable HTTP server on 127.0.0.1 for tests (and the fault zoo).

Routes map a path (without query) to a handler taking the ``Request`` and
returning a ``Response``, or to a fixed ``Response``. A body may be bytes (sent
with Content-Length, keep-alive) or an iterable of bytes (sent as it is
produced, then the connection closes): a generator that sleeps between chunks
is a slow drip, an endless one a huge body. Unrouted paths answer 404.

    with TestServer({"/a": text("<p>hi</p>")}) as server:
        fetcher.fetch(server.url("/a"))
        assert server.hits("/a") == 1
"""

from __future__ import annotations

import itertools
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Request:
    """What the server received: method, path, query string, lower-cased headers."""

    method: str
    path: str
    query: str
    headers: dict[str, str]


@dataclass
class Response:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | Iterable[bytes] = b""


Handler = Callable[[Request], Response]


def text(
    body: str | bytes,
    content_type: str = "text/html; charset=utf-8",
    status: int = 200,
    **headers: str,
) -> Response:
    """A fixed response; extra headers as keyword arguments (underscores become dashes)."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    extra = {k.replace("_", "-"): v for k, v in headers.items()}
    return Response(status, {"Content-Type": content_type, **extra}, data)


def redirect(location: str, status: int = 302) -> Response:
    return Response(status, {"Location": location}, b"")


def drip(chunk: bytes, interval: float, count: int | None = None) -> Iterator[bytes]:
    """Yield ``chunk`` every ``interval`` seconds, ``count`` times (forever if None)."""
    for _ in itertools.count() if count is None else range(count):
        yield chunk
        time.sleep(interval)


def repeat(chunk: bytes, total: int) -> Iterator[bytes]:
    """About ``total`` bytes made of ``chunk``, produced lazily (never held at once)."""
    for _ in range(max(1, total // len(chunk))):
        yield chunk


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        self._serve()

    def do_HEAD(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean

    def _serve(self) -> None:
        parts = urlsplit(self.path)
        request = Request(
            self.command, parts.path, parts.query, {k.lower(): v for k, v in self.headers.items()}
        )
        owner = self.server.owner
        owner._record(request)
        route = owner.routes.get(parts.path)
        response = route(request) if callable(route) else route or Response(404, {}, b"not found")
        try:
            self._send(response, parts.path)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client hung up: expected in fault tests

    def _send(self, response: Response, path: str) -> None:
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if isinstance(response.body, bytes | bytearray):
            if "content-length" not in {k.lower() for k in response.headers}:
                self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)
                self.server.owner._sent(path, len(response.body))
            return
        self.send_header("Connection", "close")
        self.close_connection = True
        self.end_headers()
        for chunk in response.body:
            self.wfile.write(chunk)
            self.wfile.flush()
            self.server.owner._sent(path, len(chunk))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    owner: TestServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client hanging up mid-request is what fault tests do on purpose.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    def process_request(self, request: Any, client_address: Any) -> None:
        self.owner._connected()
        super().process_request(request, client_address)


class TestServer:
    """The server; a context manager that starts and stops it in a background thread."""

    __test__ = False  # not a pytest test class

    def __init__(self, routes: dict[str, Handler | Response] | None = None) -> None:
        self.routes: dict[str, Handler | Response] = dict(routes or {})
        self.requests: list[Request] = []
        self.connections = 0
        self._bytes_sent: dict[str, int] = {}
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, path: str = "/", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def hits(self, path: str) -> int:
        """How many requests arrived for ``path``."""
        with self._lock:
            return sum(1 for r in self.requests if r.path == path)

    def bytes_sent(self, path: str) -> int:
        """Body bytes the server managed to write for ``path`` (all requests)."""
        with self._lock:
            return self._bytes_sent.get(path, 0)

    def start(self) -> TestServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> TestServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _record(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)

    def _sent(self, path: str, count: int) -> None:
        with self._lock:
            self._bytes_sent[path] = self._bytes_sent.get(path, 0) + count

    def _connected(self) -> None:
        with self._lock:
            self.connections += 1
