"""HTTP: one ThreadingHTTPServer per outlet on 127.0.0.1, each in a background thread."""

from __future__ import annotations

import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

from monitor.newsroom.core import Newsroom
from monitor.newsroom.site import OutletSite


class _Counter:
    """Request numbers: every request gets a fresh one, so furniture always differs."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.value = 0

    def next(self) -> int:
        with self._lock:
            self.value += 1
            return self.value


def _handler(site: OutletSite, counter: _Counter) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        # HTTP/1.1 keeps connections alive, which benchmarks depend on for throughput.
        protocol_version = "HTTP/1.1"
        server_version = f"{site.outlet.name}-newsroom/1.0"
        # Headers and body go out in two writes; with Nagle on, delayed ACKs add ~40 ms.
        disable_nagle_algorithm = True

        def _serve(self, send_body: bool) -> None:
            response = site.handle(self.path, self.headers, counter.next())
            self.send_response(response.status)
            for name, value in response.headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if send_body and response.status != 304:
                self.wfile.write(response.body)

        def do_GET(self) -> None:
            self._serve(True)

        def do_HEAD(self) -> None:
            self._serve(False)

        def log_message(self, format: str, *args: object) -> None:
            pass  # thousands of requests a second: stay quiet

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # A quick restart after a crashed test must not fail on TIME_WAIT.
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request: object, client_address: object) -> None:
        # Clients hanging up mid-request (timeouts, size caps, killed daemons) are
        # part of the newsroom's life, not errors worth a traceback.
        exc = sys.exc_info()[1]
        if not isinstance(exc, ConnectionError | TimeoutError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class NewsroomServer:
    """Serves every outlet of a newsroom, one port each; ``close()`` stops them all."""

    def __init__(self, newsroom: Newsroom, host: str = "127.0.0.1", port_base: int = 0) -> None:
        self.newsroom = newsroom
        self.host = host
        self._counter = _Counter()
        self._servers: list[_Server] = []
        self._threads: list[threading.Thread] = []
        self.sites: dict[str, OutletSite] = {}
        try:
            for i, outlet in enumerate(newsroom.outlets):
                port = port_base + i if port_base else 0
                site = OutletSite(newsroom, outlet, "")
                server = _Server((host, port), _handler(site, self._counter))
                site.base_url = f"http://{host}:{server.server_address[1]}"
                self.sites[outlet.name] = site
                self._servers.append(server)
        except OSError:
            for server in self._servers:
                server.server_close()  # never started: shutdown() would wait forever
            raise
        for server, name in zip(self._servers, self.sites, strict=True):
            thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.1},
                name=f"newsroom-{name}",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)

    @property
    def base_urls(self) -> dict[str, str]:
        return {name: site.base_url for name, site in self.sites.items()}

    @property
    def feed_urls(self) -> dict[str, list[str]]:
        return {
            name: [site.base_url + p for p in site.feed_paths()]
            for name, site in self.sites.items()
        }

    @property
    def request_count(self) -> int:
        return self._counter.value

    def article_url(self, outlet: str, slug: str) -> str:
        story = self.newsroom.story(outlet, slug)
        return self.sites[outlet].base_url + self.newsroom.article_path(story)

    def set_outage(self, outlet: str, mode: str | None) -> None:
        """Switch ``outlet`` to an outage mode (monitor.newsroom.outages), or back (None)."""
        self.sites[outlet].set_outage(mode)

    def outlet_config_toml(self) -> str:
        """``[fetch]`` plus one ``[[outlets]]`` block per outlet, for a monitor config file."""
        lines = ["[fetch]", "allow_private_addresses = true", ""]
        for name, urls in self.feed_urls.items():
            sitemap = self.newsroom.outlet(name).feed_kinds[0] == "sitemap_index"
            lines += [
                "[[outlets]]",
                f'name = "{name}"',
                f"feeds = {_toml_list([] if sitemap else urls)}",
                f"sitemaps = {_toml_list(urls if sitemap else [])}",
            ]
            if name == "ledger":
                # Paragraphs are <div class="zq-p">: generic extractors look for <p>.
                lines.append(
                    'selectors = { title = "h1.zq-hed", byline = ".zq-credit", '
                    'body = ".zq-copy .zq-p", remove = ".zq-promo" }'
                )
            lines.append("")
        return "\n".join(lines)

    def close(self) -> None:
        # shutdown() waits out a poll interval; stopping the outlets in parallel saves that.
        stoppers = [threading.Thread(target=s.shutdown) for s in self._servers]
        for stopper in stoppers:
            stopper.start()
        for stopper in stoppers:
            stopper.join()
        for server in self._servers:
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers.clear()
        self._threads.clear()

    def __enter__(self) -> NewsroomServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _toml_list(items: list[str]) -> str:
    return "[" + ", ".join(f'"{i}"' for i in items) + "]"


def serve_newsroom(
    newsroom: Newsroom, host: str = "127.0.0.1", port_base: int = 0
) -> NewsroomServer:
    """Start serving ``newsroom`` now (``port_base`` 0: free ports); use it as a context
    manager, or call ``close()``."""
    return NewsroomServer(newsroom, host=host, port_base=port_base)
