"""How long `check` takes to stop after Ctrl-C (SIGINT), ours beside a baseline.

Run from the repository root::

    .venv/bin/python benchmarks/check_stop.py [--articles 200] [--baseline-ref REF]

A loopback server (127.0.0.1 only) answers each article after 0.5 s; `check` over
``--articles`` of them is sent SIGINT once it has stored two versions, and the time
until the process exits is measured, with its exit code, the versions it stored and
whether it printed a summary. "baseline" is ``--baseline-ref`` (default: the merge
base with ``main``) unpacked with ``git archive``; it runs the same command. A side
still running ``--timeout`` seconds after the signal is killed and reported as such.
"""

from __future__ import annotations

import argparse
import http.server
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PAGE = (
    "<html><body><article><h1>Story {n}</h1>"
    + "<p>A paragraph of the story, long enough to be kept as article text.</p>" * 5
    + "</article></body></html>"
)


class _Slow(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/robots.txt":
            body = b"User-agent: *\nAllow: /\n"
        else:
            time.sleep(0.5)
            body = PAGE.format(n=self.path).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def _versions(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=1) as conn:
            table = "version_records" if _has(conn, "version_records") else "versions"
            return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    except sqlite3.Error:
        return 0


def _has(conn: sqlite3.Connection, table: str) -> bool:
    row = conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (table,)).fetchone()
    return row is not None


def measure(code: Path, port: int, articles: int, timeout: float, work: Path) -> dict:
    """One side: add the articles, start `check`, SIGINT after two versions, time the exit."""
    db, config = work / "m.db", work / "c.toml"
    config.write_text("[fetch]\nallow_private_addresses = true\nmin_host_delay = 0\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARTICLE_MONITOR_")}
    env["PYTHONPATH"] = str(code)
    base = [sys.executable, "-m", "monitor", "--db", str(db), "--config", str(config)]
    urls = [f"http://127.0.0.1:{port}/s{i}" for i in range(articles)]
    subprocess.run([*base, "add", *urls], check=True, capture_output=True, env=env, cwd=code)
    proc = subprocess.Popen(
        [*base, "check"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=env, cwd=code,
    )  # fmt: skip
    while _versions(db) < 2 and proc.poll() is None:
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    sent = time.monotonic()
    try:
        out, _ = proc.communicate(timeout=timeout)
        took: float | None = time.monotonic() - sent
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        took = None
    return {
        "seconds": took,
        "code": proc.returncode,
        "versions": _versions(db),
        "summary": "checked " in out,
    }


def _unpack(ref: str, into: Path) -> Path:
    archive = subprocess.run(
        ["git", "archive", ref], cwd=REPO, check=True, capture_output=True
    ).stdout
    into.mkdir(parents=True, exist_ok=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--baseline-ref", default=None)
    args = parser.parse_args()
    ref = args.baseline_ref or subprocess.run(
        ["git", "merge-base", "HEAD", "main"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Slow)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for side, code in (("ours", REPO), ("baseline", _unpack(ref, Path(tmp) / "base"))):
            work = Path(tmp) / f"run-{side}"
            work.mkdir(parents=True, exist_ok=True)
            rows.append((side, measure(code, server.server_address[1], args.articles,
                                       args.timeout, work)))  # fmt: skip
    server.shutdown()
    print(f"check over {args.articles} slow articles, SIGINT after 2 stored (baseline {ref[:10]})")
    print(f"{'side':<10} {'stop after SIGINT':>18} {'exit':>5} {'versions kept':>14} summary")
    for side, r in rows:
        took = f"{r['seconds']:.2f} s" if r["seconds"] is not None else f">{args.timeout:g} s (killed)"
        print(f"{side:<10} {took:>18} {r['code']:>5} {r['versions']:>14} {r['summary']}")


if __name__ == "__main__":
    main()
