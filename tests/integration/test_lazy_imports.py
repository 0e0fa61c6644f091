"""Heavy libraries load only when a check needs them (the daemon's memory target).

Each scenario runs in a fresh interpreter, because whether a module was imported
is a property of the whole process: trafilatura and friends cost several MB of
RSS, and a daemon re-checking unchanged or lightly edited pages must not pay it.
"""

from __future__ import annotations

import http.server
import json
import os
import shutil
import ssl
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from monitor.config import FetchSettings
from monitor.net.fetch import Fetcher
from tests.support.paths import REPO

HEAVY = ("trafilatura", "feedparser", "charset_normalizer", "datasette")

PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title} | Gazette</title>
<meta property="og:title" content="{title}"></head><body>
<div class="cookie-banner">We use cookies. Ref {n}</div>
<div class="story"><h1>{title}</h1><p class="byline">By Ana Ruiz</p>
<span class="stamp">Updated {n} minutes ago</span>
<div class="story-body">{body}</div></div>
<aside class="most-read"><a href="/x/{n}">Most read {n}</a></aside>
<p class="footer">Page generated at request {n}</p></body></html>"""
PARAS = [
    "The city council voted 7-2 on Tuesday to approve the new budget for the harbor.",
    "Opponents said the plan would raise property taxes for most homeowners in town.",
    "The mayor is expected to sign the measure before the end of the month.",
]

# One check of a replayed page against the database, in this process; prints the
# outcome and which of the heavy modules the check imported.
CHECK = """
import json, random, sys
from datetime import UTC, datetime
from monitor import store
from monitor.pipeline import commit as check
from monitor.pipeline import gather
from monitor.config import Settings
from monitor.models import FetchResult

db_path, url, html = sys.argv[1], sys.argv[2], sys.stdin.read()

class Replay:
    def fetch(self, url, etag=None, last_modified=None):
        return FetchResult(url=url, fetched_at="2026-01-01T00:00:00Z", outcome="ok",
                           status_code=200, final_url=url, content=html.encode(),
                           text=html, encoding="utf-8")

db = store.open_db(db_path)
found = store.find_article(db, url)
article_id = found["id"] if found else store.add_article(db, url, None, "t")[0]
settings = Settings()
gathered = gather.gather(gather.make_job(db, settings, article_id), Replay())
result = check.commit(db, gathered, settings, datetime(2026, 1, 1, tzinfo=UTC), random.Random(0))
heavy = {m.split(".")[0] for m in sys.modules} & set(sys.argv[3].split(","))
print(json.dumps({"outcome": result.outcome, "heavy": sorted(heavy)}))
"""


def _python(code: str, *args: str, stdin: str = "") -> str:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        input=stdin, capture_output=True, text=True, env=env, cwd=REPO, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip().splitlines()[-1]


def _check(db: Path, html: str) -> dict:
    return json.loads(
        _python(CHECK, str(db), "https://gazette.example/a", ",".join(HEAVY), stdin=html)
    )


def _page(n: int, paras: list[str]) -> str:
    return PAGE.format(
        title="Council Approves Budget", n=n, body="".join(f"<p>{p}</p>" for p in paras)
    )


def test_starting_the_cli_and_daemon_imports_no_extractor_feed_parser_or_datasette() -> None:
    """`import monitor.cli.main` / `monitor.pipeline.run` (every command's start) loads none of the
    heavy libraries: they come in with the first page, feed or review server that needs them."""
    code = (
        "import sys, json, monitor.cli.main, monitor.pipeline.run, monitor.pipeline.check; "
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))))"
    )
    assert json.loads(_python(code)) == []


def test_unchanged_and_region_read_checks_never_load_trafilatura(tmp_path: Path) -> None:
    """A first read runs the generic extractor (trafilatura loads); a re-check of the
    same article whose page furniture changed is "unchanged", and one with a sentence
    added to a paragraph is "changed", both read without loading trafilatura."""
    db = tmp_path / "m.db"
    first = _check(db, _page(1, PARAS))
    assert first["outcome"] == "new" and "trafilatura" in first["heavy"]

    again = _check(db, _page(2, PARAS))
    assert again == {"outcome": "unchanged", "heavy": []}

    edited = [*PARAS[:2], PARAS[2] + " A spokesperson did not immediately respond."]
    changed = _check(db, _page(3, edited))
    assert changed == {"outcome": "changed", "heavy": []}


def test_a_page_without_a_declared_charset_is_still_decoded_by_the_detector() -> None:
    """The decode cascade still reaches charset-normalizer, imported only at that point:
    a Russian page in windows-1251 with no declared charset decodes to the right text."""
    code = (
        "import sys, json; from monitor.net.charset import decode_body; "
        "before = 'charset_normalizer' in sys.modules; "
        "text, codec = decode_body(sys.stdin.read().encode('cp1251')); "
        "print(json.dumps([before, 'charset_normalizer' in sys.modules, text, codec]))"
    )
    russian = "Городской совет во вторник одобрил новый бюджет порта. " * 4
    before, after, text, codec = json.loads(_python(code, stdin=russian))
    assert (before, after) == (False, True)
    assert (text, codec) == (russian, "cp1251")


def test_https_still_verifies_certificates_with_the_lazily_built_context(tmp_path: Path) -> None:
    """The one shared TLS context, built at the first https connection, still verifies
    certificates: a self-signed server is refused (no robots.txt read, no page)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is needed to make a self-signed certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
         "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    server = http.server.HTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(cert), str(key))
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with Fetcher(FetchSettings(allow_private_addresses=True)) as fetcher:
            with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
                fetcher._client.get(f"https://127.0.0.1:{server.server_port}/robots.txt")
            assert fetcher.fetch(f"https://127.0.0.1:{server.server_port}/a").outcome != "ok"
    finally:
        server.shutdown()
        server.server_close()
