"""The real corpus pages for realpages.py: which pages, their furniture, the loopback server.

Run as a process by realpages.py (``python realpages_serve.py MANIFEST [--bare]``): it
binds 127.0.0.1 on a free port, prints ``{"port": N}``, then serves every page of the
manifest at ``/p/<id>.html`` dressed with the furniture of the current pass (``--bare``:
the corpus bytes as they are, a control). Each ``pass N`` line on stdin renders every
page for pass N and answers with the ids of the pages whose own chrome got furniture. Only the standard library:
the server's cost must not depend on the code under test, and it runs pinned to CPU 1.

Furniture is what a news site changes on every render and a sane monitor must ignore.
It differs between passes, is never put inside the article, and is ASCII only (so a
page in any charset stays valid):

- outside the page's chrome: a "Breaking" bar and an HTML comment right after
  ``<body>``; a "Most read" list, an ad slot, a "page generated" footer line and a
  script with a cache-busting query just before ``</body>``; a comment and a
  cache-busted script before ``</head>``;
- inside the page's own chrome: a "Live" line with an update time in the page's first
  ``<nav>`` (else its site header or first ``<aside>``) and a "page generated" line in its
  last ``<footer>``, each only where that element lies outside the page's
  ``<article>``/``<main>`` span.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import re
import sys
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from corpus_split import split

# Readability's hand-written unit fixtures: a few lines of lorem ipsum, not real pages
READABILITY_SYNTHETIC = frozenset(
    {
        "basic-tags-cleaning",
        "dev418",
        "metadata-content-missing",
        "missing-paragraphs",
        "parsely-metadata",
        "reordering-paragraphs",
        "social-buttons",
    }
)


@dataclass(frozen=True)
class Page:
    id: int
    rel: str  # path inside the corpus
    path: str  # absolute path
    half: str  # "tuning" or "heldout" (corpus_split.split)


def corpus_files(corpus: Path) -> list[Path]:
    """Every page file of the four page sets the issue names, sorted by corpus path."""
    files = list((corpus / "pages" / "scrapinghub-aeb" / "html").glob("*.html.gz"))
    files += (corpus / "pages" / "mozilla-readability").glob("*/source.html")
    files += (corpus / "versions" / "newssniffer-web-page-parser").rglob("*.html")
    files += (corpus / "versions" / "newspaper3k-recaptures").glob("*.html")
    return sorted(files, key=lambda p: p.relative_to(corpus).as_posix())


def read_page(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def skip_reason(path: Path, html: bytes) -> str | None:
    """Why a corpus file is not an article page to serve, or None."""
    if path.name == "source.html" and path.parent.name in READABILITY_SYNTHETIC:
        return "Readability unit fixture (hand-written lorem ipsum, not a real page)"
    if not html.strip():
        return "empty file"
    head = html[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<?xml") and (b"<rss" in head or b"<feed" in head):
        return "an RSS/Atom feed, not a page"
    return None


def list_pages(corpus: Path) -> tuple[list[Page], dict[str, str]]:
    """The pages to serve (ids in corpus-path order) and the skipped files with reasons."""
    pages: list[Page] = []
    skipped: dict[str, str] = {}
    for path in corpus_files(corpus):
        rel = path.relative_to(corpus).as_posix()
        reason = skip_reason(path, read_page(path))
        if reason:
            skipped[rel] = reason
        else:
            pages.append(Page(len(pages), rel, str(path), split(rel)))
    return pages, skipped


# ------------------------------------------------------------------ furniture

HEADLINES = (
    "Council approves new budget for riverfront park after long debate",
    "Storm warning issued for coastal counties as winds pick up overnight",
    "Local team clinches playoff spot with late goal in front of home crowd",
    "Transit agency announces weekend closures on two subway lines",
    "Hospital expands emergency department to cut waiting times",
    "Schools prepare for new testing rules that take effect next month",
    "Museum reopens east wing after three years of renovation work",
    "Police seek witnesses after collision on the ring road",
    "Farmers market moves indoors for the winter season",
    "Tech firm to add hundreds of jobs at new downtown campus",
    "Heat wave expected to break records across the region this week",
    "Court hears final arguments in long-running housing case",
    "Airport unveils plan for a second terminal by the end of the decade",
    "Mayor faces questions over delayed bridge repairs",
    "Scientists track rare bird sighted for the first time in decades",
    "Water rates set to rise as utility replaces aging pipes",
)
ADS = (
    "Refinance today: rates as low as you think",
    "This one kitchen gadget is selling out everywhere",
    "Compare car insurance quotes in two minutes",
    "Book your winter getaway now and save",
)


@dataclass(frozen=True)
class Furniture:
    head: bytes
    top: bytes  # right after <body>
    bottom: bytes  # right before </body>
    nav: bytes  # inside the page's own nav/header/aside
    footer: bytes  # inside the page's own footer


def furniture(page_id: int, pass_no: int) -> Furniture:
    """This page's furniture on this pass: same structure every pass, new content."""
    rng = random.Random(f"{page_id}:{pass_no}")
    stamp = f"2026-11-{20 + pass_no % 9:02d}T{rng.randrange(24):02d}:{rng.randrange(60):02d}Z"
    clock = f"{rng.randrange(1, 13)}:{rng.randrange(60):02d} {rng.choice(('am', 'pm'))}"
    token = f"{rng.getrandbits(64):016x}"
    live, *read = rng.sample(HEADLINES, 6)
    rows = "".join(f'<li><a href="/story/{rng.randrange(10**6)}">{h}</a></li>' for h in read)
    head = f'<!-- cache {token[:8]} {stamp} --><script src="/static/site.js?cb={token}"></script>'
    top = (
        f"<!-- rendered {stamp} req={token} -->"
        f'<div class="site-alert" role="region" aria-label="Breaking news"><strong>Breaking</strong>'
        f' <a href="/live/{token[:6]}">{rng.choice(HEADLINES)}</a> <time>{clock}</time></div>'
    )
    bottom = (
        f'<aside class="most-read"><h2>Most read</h2><ol>{rows}</ol></aside>'
        f'<div class="ad-slot" id="ad-{token[:10]}"><span>Advertisement</span>'
        f' <a href="/ads/click?id={token}">{rng.choice(ADS)}</a></div>'
        f'<div class="page-meta">{rng.randrange(200, 9000):,} readers online. Updated {clock}.</div>'
        f'<script src="/static/ads.js?v={token[::-1]}"></script>'
    )
    nav = (
        f'<div class="nav-live"><a href="/live/{token[:6]}">Live: {live}</a>'
        f' <span class="nav-time">Updated {clock}</span></div>'
    )
    footer = f'<p class="generated">Page generated {stamp} in {rng.randrange(40, 900)} ms.</p>'
    return Furniture(*(part.encode("ascii") for part in (head, top, bottom, nav, footer)))


_BODY_OPEN = re.compile(rb"<body\b[^>]*>")
_NAV = re.compile(rb"<nav\b[^>]*>")
_SITE_HEADER = re.compile(rb"<header\b[^>]*(?:banner|site|masthead|global|top|page-header)[^>]*>")
_ASIDE = re.compile(rb"<aside\b[^>]*>")
_FOOTER = re.compile(rb"<footer\b[^>]*>")
# raw-text and comment spans: a tag-like string inside them is not markup
_OPAQUE = ((b"<script", b"</script"), (b"<style", b"</style"), (b"<!--", b"-->"))


def dress(html: bytes, dressing: Furniture) -> tuple[bytes, bool]:
    """The page with its furniture; also whether the page's own chrome received some."""
    low = html.lower()  # same length and offsets as html
    inserts: list[tuple[int, bytes]] = []
    head_end = _markup_find(low, b"</head", reverse=False)
    if head_end is not None:
        inserts.append((head_end, dressing.head))
    body = _BODY_OPEN.search(low)
    # a page without <body>: its content starts after </head>'s ">" (or at the top)
    body_at = body.end() if body else low.find(b">", head_end) + 1 if head_end is not None else 0
    inserts.append(
        (body_at, dressing.top if head_end is not None else dressing.head + dressing.top)
    )
    body_end = _markup_find(low, b"</body", reverse=True)
    inserts.append((len(html) if body_end is None else body_end, dressing.bottom))
    chrome = _chrome_spots(low, body_at, dressing)
    inserts += chrome
    for at, blob in sorted(inserts, key=lambda item: item[0], reverse=True):
        html = html[:at] + blob + html[at:]
    return html, bool(chrome)


def _chrome_spots(low: bytes, body_at: int, dressing: Furniture) -> list[tuple[int, bytes]]:
    """Where the page's own nav (or site header, or aside) and footer open."""
    fenced = [_span(low, b"<article", b"</article>"), _span(low, b"<main", b"</main>")]

    def usable(match: re.Match[bytes]) -> bool:
        at = match.start()
        return at >= body_at and not _opaque(low, at) and not any(a <= at < b for a, b in fenced)

    spots = []
    for pattern in (_NAV, _SITE_HEADER, _ASIDE):
        first = next(filter(usable, pattern.finditer(low)), None)
        if first:
            spots.append((first.end(), dressing.nav))
            break
    footers = [m for m in _FOOTER.finditer(low) if usable(m)]
    if footers:
        spots.append((footers[-1].end(), dressing.footer))
    return spots


def _span(low: bytes, opener: bytes, closer: bytes) -> tuple[int, int]:
    """From the first ``opener`` tag to the last ``closer``: everything that may be article."""
    first, end = re.search(opener + rb"\b", low), low.rfind(closer)
    return (first.start(), end) if first and first.start() < end else (0, 0)


def _opaque(low: bytes, at: int) -> bool:
    """Whether offset ``at`` lies inside a script, a style element or a comment."""
    return any(low.rfind(o, 0, at) > low.rfind(c, 0, at) for o, c in _OPAQUE)


def _markup_find(low: bytes, tag: bytes, *, reverse: bool) -> int | None:
    """The offset of ``tag`` as markup (not inside a script or comment), or None."""
    at = low.rfind(tag) if reverse else low.find(tag)
    while at >= 0 and _opaque(low, at):
        at = low.rfind(tag, 0, at) if reverse else low.find(tag, at + 1)
    return at if at >= 0 else None


# ------------------------------------------------------------------ server


def content_type(html: bytes) -> str:
    """text/html with the charset a real server would send: UTF-8 where the bytes are."""
    try:
        html.decode("utf-8")
    except UnicodeDecodeError:
        declared = re.search(rb"charset=[\"']?([A-Za-z0-9_-]+)", html[:4096])
        return f"text/html; charset={declared.group(1).decode()}" if declared else "text/html"
    return "text/html; charset=utf-8"


class PageServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, pages: list[tuple[int, str]], *, bare: bool = False) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.raw = {page_id: read_page(Path(path)) for page_id, path in pages}
        self.types = {page_id: content_type(html) for page_id, html in self.raw.items()}
        self.rendered: dict[int, bytes] = {}
        self.bare = bare

    def set_pass(self, pass_no: int) -> list[int]:
        """Render every page for ``pass_no``; the ids of pages with furniture in their chrome."""
        if self.bare:
            self.rendered = self.raw
            return []
        # rendered ahead, so a request costs the server only the copy to the socket
        rendered, chrome = {}, []
        for page_id, html in self.raw.items():
            rendered[page_id], in_chrome = dress(html, furniture(page_id, pass_no))
            chrome += [page_id] if in_chrome else []
        self.rendered = rendered
        return chrome

    def handle_error(self, request: object, client_address: object) -> None:
        # a client closing a kept-alive connection is not an error worth a traceback
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive for clients that reuse connections
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms ACK stalls
    server: PageServer

    def do_GET(self) -> None:
        match = re.fullmatch(r"/p/(\d+)\.html", self.path)
        body = self.server.rendered.get(int(match.group(1))) if match else None
        if body is None:
            self._send(404, b"not found", "text/plain")
        else:
            self._send(200, body, self.server.types[int(match.group(1))])  # type: ignore[union-attr]

    def _send(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # a line per request would cost the server more than the request


def main(manifest: str, *flags: str) -> None:
    os.sched_setaffinity(0, {1 % (os.cpu_count() or 1)})  # the code under test has CPU 0
    pages = [(p["id"], p["path"]) for p in json.loads(Path(manifest).read_text())]
    server = PageServer(pages, bare="--bare" in flags)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(json.dumps({"port": server.server_address[1]}), flush=True)
    for line in sys.stdin:
        if line.startswith("pass "):
            chrome = server.set_pass(int(line.split()[1]))
            print(json.dumps({"chrome": chrome}), flush=True)
    server.shutdown()


if __name__ == "__main__":
    main(*sys.argv[1:])
