"""Real pages (issue 14): article-monitor and urlwatch 2.29 over ../shared/corpus, side by side.

Run from the repository root (see benchmarks/README.md, "Real pages")::

    .venv/bin/python benchmarks/realpages.py [--quick | --pages N]

Every corpus page is served from 127.0.0.1 with furniture that changes between passes
(realpages_serve.py). Two passes per side: the first read, then a re-render (same
articles, new furniture). article-monitor is driven only through its command line
(``python -m monitor``) and read back with plain SQL; urlwatch runs from its own venv
(as in daemon_bench.py) with an ``html2text`` filter over the whole page. Each figure is
printed for the tuning half, the held-out half (corpus_split.py) and all pages; each
of the three is its own run on a fresh database and a fresh urlwatch cache.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from daemon_bench import URLWATCH_MAIN, peer_python
from realpages_serve import Page, list_pages

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
SERVER = Path(__file__).resolve().parent / "realpages_serve.py"
WORKERS = 8  # ours: max_concurrency; urlwatch: its thread pool (the CLI default is 8)
QUICK_PAGES = 60
PASSES = ("first read", "re-render")
GROUPS = ("tuning", "heldout", "all")
FINGERPRINTED = "SELECT id FROM articles WHERE fast_locator IS NOT NULL"
# Article pages: a body was read (the rest are JavaScript shells, consent walls and
# index pages in the corpus, with no article text in their HTML to fingerprint)
WITH_BODY = "SELECT DISTINCT article_id FROM version_records WHERE passage_ids != '[]'"
CONFIG = """\
[fetch]
user_agent = "article-monitor-realpages-bench/1.0 (loopback only)"
allow_private_addresses = true   # every page is on 127.0.0.1
min_host_delay = 0               # one loopback host; urlwatch has no pause either
per_host_concurrency = {workers}  # all pages share the host: let every worker fetch
max_concurrency = {workers}
timeout = "60s"

[schedule]
full_read_every = "30d"          # the re-render pass may trust a page's fingerprint
"""
# `check` prints a progress line per article only to a terminal; this stderr says it is
# one and stamps each line with the process's CPU clock (for the per-page estimate).
TAP = r"""
import runpy, sys, time
class Tap:
    encoding, errors = "utf-8", "strict"
    def __init__(self, path):
        self.out = open(path, "w")
    def isatty(self):
        return True
    def write(self, text):
        if not isinstance(text, str):
            raise TypeError("text only")
        if text.startswith("\r["):
            self.out.write(f"{time.process_time_ns()} {text[1:].strip()}\n")
        elif text.strip(" \r"):
            sys.__stderr__.write(text)
        return len(text)
    def flush(self):
        self.out.flush()
sys.stderr = Tap(sys.argv.pop(1))
runpy.run_module("monitor", run_name="__main__", alter_sys=True)
"""


# ------------------------------------------------------------------ processes


@dataclass
class Usage:
    """One whole child process: wall time, CPU (user + system) and peak RSS."""

    wall_s: float
    cpu_s: float
    max_rss_mb: float


def measured(argv: list[str], cwd: Path, out: Path) -> Usage:
    """Run ``argv`` pinned to CPU 0; its own rusage from wait4 (start-up included)."""
    start = time.perf_counter()
    with open(out, "w") as stdout, open(out.with_suffix(".err"), "w") as stderr:
        proc = subprocess.Popen(argv, cwd=cwd, stdout=stdout, stderr=stderr, preexec_fn=_pin0)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{argv[0]} failed: {out.with_suffix('.err').read_text()[-2000:]}")
    return Usage(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def _pin0() -> None:
    # the page server has CPU 1, so its work is never counted and never competes
    os.sched_setaffinity(0, {0})


class Server:
    """realpages_serve.py in its own process; ``set_pass`` changes every page's furniture."""

    def __init__(self, pages: list[Page], work: Path, *, bare: bool = False) -> None:
        manifest = work / "manifest.json"
        manifest.write_text(json.dumps([asdict(p) for p in pages]))
        self.proc = subprocess.Popen(
            [sys.executable, str(SERVER), str(manifest), *(["--bare"] if bare else [])],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        self.port: int = self._reply()["port"]
        self.chrome: set[int] = set()  # pages whose own nav/aside/footer got furniture

    def url(self, page: Page) -> str:
        return f"http://127.0.0.1:{self.port}/p/{page.id}.html"

    def set_pass(self, pass_no: int) -> None:
        assert self.proc.stdin
        self.proc.stdin.write(f"pass {pass_no}\n")
        self.proc.stdin.flush()
        self.chrome = set(self._reply()["chrome"])

    def _reply(self) -> dict:
        assert self.proc.stdout
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit("the page server stopped")
        return json.loads(line)

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)


# ------------------------------------------------------------------ ours


@dataclass
class Monitor:
    """article-monitor's CLI on one database, as a user runs it."""

    python: Path
    work: Path

    @property
    def db(self) -> Path:
        return self.work / "monitor.db"

    def argv(self, *args: str) -> list[str]:
        base = ["--db", str(self.db), "--config", str(self.work / "config.toml"), *args]
        return [str(self.python), "-m", "monitor", *base]

    def setup(self, urls: list[str], workers: int = WORKERS) -> None:
        self.work.mkdir(parents=True, exist_ok=True)
        (self.work / "config.toml").write_text(CONFIG.format(workers=workers))
        if urls:
            subprocess.run(self.argv("add", *urls), cwd=self.work, check=True, capture_output=True)

    def check_all(self, name: str) -> Usage:
        # cwd: `python -m` puts it first on sys.path; the temp dir holds no `monitor`
        return measured(self.argv("check", "--all", "--no-feeds"), self.work, self.work / name)


def db_state(db: Path) -> dict:
    """What the passes are judged on, read with plain SQL (the CLI's tables)."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        one = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "full_read_at": dict(con.execute("SELECT id, full_read_at FROM articles")),
            "urls": dict(con.execute("SELECT id, url FROM articles")),
            "no_fingerprint": one("SELECT COUNT(*) FROM articles WHERE fast_locator IS NULL"),
            "fingerprinted": {r[0] for r in con.execute(FINGERPRINTED)},
            "with_version": one("SELECT COUNT(*) FROM articles WHERE version_count > 0"),
            "with_body": {r[0] for r in con.execute(WITH_BODY)},
            "versions": one("SELECT COUNT(*) FROM versions"),
            "last_change": one("SELECT COALESCE(MAX(id), 0) FROM changes"),
            "last_fetch": one("SELECT COALESCE(MAX(id), 0) FROM fetches"),
        }
    finally:
        con.close()


def pass_outcomes(db: Path, after_fetch: int) -> dict[str, int]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    rows = con.execute(
        "SELECT outcome, COUNT(*) FROM fetches WHERE id > ? AND article_id IS NOT NULL "
        "GROUP BY outcome ORDER BY 2 DESC",
        (after_fetch,),
    ).fetchall()
    con.close()
    return dict(rows)


def new_changes(db: Path, after_change: int) -> list[dict]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    rows = con.execute(
        "SELECT a.url, c.kinds FROM changes AS c JOIN articles AS a ON a.id = c.article_id "
        "WHERE c.id > ? ORDER BY c.id",
        (after_change,),
    ).fetchall()
    con.close()
    return [{"url": url, "kinds": json.loads(kinds)} for url, kinds in rows]


def coverage(before: dict, after: dict) -> dict:
    """Pages recognised without the cascade: full_read_at set before and not moved.

    full_read_at is written only when the full extraction cascade ran; with
    full_read_every = 30d, a re-render that leaves it alone took the fingerprint.
    "missed": pages that had a fingerprint and still ran the cascade (the furniture, or
    the fingerprint, is to blame there; pages without one never had a chance).
    """
    was, now = before["full_read_at"], after["full_read_at"]
    kept = {aid for aid, at in was.items() if at is not None and now.get(aid) == at}
    missed = sorted(before["fingerprinted"] - kept)
    return {
        "recognised": len(kept),
        "pages": len(was),
        "article_pages": len(before["with_body"]),
        "recognised_articles": len(kept & before["with_body"]),
        "with_version": before["with_version"],
        "missed": [before["urls"][aid] for aid in missed],
    }


# ------------------------------------------------------------------ urlwatch


@dataclass
class Urlwatch:
    """urlwatch 2.29 from its own venv, one job per page, html2text over the whole page."""

    python: Path
    work: Path

    def setup(self, urls: list[str]) -> None:
        self.work.mkdir(parents=True, exist_ok=True)
        # no outlet selectors exist for real pages: html2text (its default `re` method)
        # over the whole page, so urlwatch compares all of the page's text
        jobs = "---\n".join(
            f"name: p{i}\nurl: {url}\nfilter:\n  - html2text\n" for i, url in enumerate(urls)
        )
        (self.work / "urls.yaml").write_text(jobs)
        (self.work / "urlwatch.yaml").write_text(
            "report:\n  stdout:\n    enabled: true\n    color: false\n  html:\n    diff: unified\n"
        )
        (self.work / "hooks.py").write_text("")

    def run(self, name: str) -> tuple[Usage, dict[str, int]]:
        argv = [str(self.python), "-c", URLWATCH_MAIN, str(WORKERS)]
        argv += [
            "--urls",
            str(self.work / "urls.yaml"),
            "--config",
            str(self.work / "urlwatch.yaml"),
        ]
        argv += ["--hooks", str(self.work / "hooks.py"), "--cache", str(self.work / "cache.db")]
        out = self.work / name
        usage = measured(argv, self.work, out)
        # its stdout report's summary lines: "01. CHANGED: p3 (http://...)"
        verbs = re.findall(r"^\d+\. ([A-Z]+): ", out.read_text(errors="replace"), re.M)
        return usage, dict(Counter(verbs))


# ------------------------------------------------------------------ one group


@dataclass
class PassResult:
    checks: int
    usage: Usage
    outcomes: dict[str, int] = field(default_factory=dict)

    def row(self, startup: Usage) -> dict:
        net = max(self.usage.cpu_s - startup.cpu_s, 0.0)
        return {
            "checks": self.checks,
            "checks_per_s": self.checks / self.usage.wall_s,
            "cpu_ms_per_check": 1000 * self.usage.cpu_s / self.checks,
            "net_cpu_ms_per_check": 1000 * net / self.checks,
            "max_rss_mb": self.usage.max_rss_mb,
            "wall_s": self.usage.wall_s,
            "outcomes": self.outcomes,
        }


def run_group(
    server: Server, pages: list[Page], work: Path, python: Path, peer: Path | None
) -> dict:
    """Both passes for ours and urlwatch over ``pages``; ours judged by SQL after each."""
    urls = [server.url(p) for p in pages]
    ours = Monitor(python, work / "ours")
    ours.setup(urls)
    peer_side = Urlwatch(peer, work / "urlwatch") if peer else None
    if peer_side:
        peer_side.setup(urls)
    result: dict = {"ours": {}, "urlwatch": {}}
    ended = 0.0
    for pass_no, name in enumerate(PASSES):
        server.set_pass(pass_no)
        before = db_state(ours.db)
        # full_read_at has one-second resolution: the re-render must start in a later
        # second than the first read's last check, or a cascade run would not show
        time.sleep(max(0.0, 1.1 - (time.time() - ended)))
        usage = ours.check_all(f"pass{pass_no}.out")
        ended = time.time()
        after = db_state(ours.db)
        result["ours"][name] = PassResult(
            len(urls), usage, pass_outcomes(ours.db, before["last_fetch"])
        )
        if pass_no:
            result["coverage"] = coverage(before, after)
            result["no_fingerprint"] = before["no_fingerprint"]
            result["false_changes"] = new_changes(ours.db, before["last_change"])
            result["new_versions"] = after["versions"] - before["versions"]
        if peer_side:
            usage, verbs = peer_side.run(f"pass{pass_no}.out")
            result["urlwatch"][name] = PassResult(len(urls), usage, verbs)
    result["chrome"] = sum(p.id in server.chrome for p in pages)
    return result


# ------------------------------------------------------------------ start-up and per page


def startup_ours(python: Path, work: Path, runs: int = 3) -> Usage:
    """``check --all`` over an empty database: interpreter, imports, config, schema check."""
    side = Monitor(python, work)
    side.setup([])
    # `check` refuses a database that does not exist (a mistyped --db); an empty file is
    # a new database it migrates
    side.db.touch()
    side.check_all("create.out")  # migrates the new database; not counted
    return _median([side.check_all(f"startup{i}.out") for i in range(runs)])


def startup_urlwatch(python: Path, work: Path, runs: int = 3) -> Usage:
    side = Urlwatch(python, work)
    side.setup([])
    (work / "urls.yaml").write_text("")
    return _median([side.run(f"startup{i}.out")[0] for i in range(runs)])


def _median(runs: list[Usage]) -> Usage:
    return Usage(
        statistics.median(r.wall_s for r in runs),
        statistics.median(r.cpu_s for r in runs),
        statistics.median(r.max_rss_mb for r in runs),
    )


def per_page_cpu(server: Server, pages: list[Page], work: Path, python: Path) -> dict:
    """Per-page CPU estimates from a one-worker run: the process CPU clock at each
    article's progress line, minus the previous line's. With one worker the next page's
    fetch and extraction overlap the current page's commit, so a delta mixes neighbours;
    the median over hundreds of pages is what it is good for. Grouped by half, and for
    the re-render also by whether the page was recognised (see ``coverage``)."""
    side = Monitor(python, work)
    side.setup([server.url(p) for p in pages], workers=1)
    half = {server.url(p): p.half for p in pages}
    out: dict = {}
    for pass_no, name in enumerate(PASSES):
        server.set_pass(pass_no)
        time.sleep(1.1)  # as in run_group: a later second for full_read_at
        before = db_state(side.db)
        tap = work / f"tap{pass_no}.txt"
        argv = [str(python), "-c", TAP, str(tap), *side.argv("check", "--all", "--no-feeds")[3:]]
        measured(argv, work, work / f"serial{pass_no}.out")
        kept = _recognised(before, db_state(side.db)) if pass_no else None
        out[name] = _grouped(_deltas(tap.read_text().splitlines()), half, kept)
    return out


def _recognised(before: dict, after: dict) -> set[str]:
    """URLs whose check left full_read_at alone (see ``coverage``)."""
    was, now = before["full_read_at"], after["full_read_at"]
    return {after["urls"][aid] for aid, at in was.items() if at is not None and now.get(aid) == at}


def _deltas(lines: list[str]) -> list[tuple[str, float]]:
    """(url, CPU ms since the previous progress line); none for the first line, which
    also carries start-up and the lazy imports."""
    stamps = [(int(ns), rest.split()[-1]) for ns, rest in (line.split(" ", 1) for line in lines)]
    return [(url, (now - prev) / 1e6) for (prev, _), (now, url) in itertools.pairwise(stamps)]


def _grouped(
    deltas: list[tuple[str, float]], half: dict[str, str], kept: set[str] | None
) -> dict[str, list[float]]:
    groups: dict[str, list[float]] = {"tuning": [], "heldout": [], "all": []}
    if kept is not None:
        groups |= {"recognised": [], "cascade": []}
    for url, ms in deltas:
        groups["all"].append(ms)
        if url in half:
            groups[half[url]].append(ms)
        if kept is not None:
            groups["recognised" if url in kept else "cascade"].append(ms)
    return groups


# ------------------------------------------------------------------ report


def print_table(results: dict[str, dict], startup: dict[str, Usage]) -> None:
    print(
        f"\n{'side':14} {'half':8} {'pass':11} {'pages':>5} {'checks/s':>9} {'CPU ms/check':>13} "
        f"{'net ms/check':>13} {'max RSS MB':>11}  outcomes"
    )
    for group, res in results.items():
        for side, label in (("ours", "ours"), ("urlwatch", "urlwatch 2.29")):
            for name, p in res[side].items():
                r = p.row(startup[side])
                outcomes = ", ".join(f"{k} {v}" for k, v in r["outcomes"].items())
                print(
                    f"{label:14} {group:8} {name:11} {r['checks']:5} {r['checks_per_s']:9.0f} "
                    f"{r['cpu_ms_per_check']:13.2f} {r['net_cpu_ms_per_check']:13.2f} "
                    f"{r['max_rss_mb']:11.0f}  {outcomes}"
                )
    for side, s in startup.items():
        print(f"start-up, {side}: {1000 * s.cpu_s:.0f} ms CPU, {s.max_rss_mb:.0f} MB (empty run)")


def summarise(group: str, res: dict, per_page: dict | None, startup: dict[str, Usage]) -> dict:
    """The issue's figures for one half: coverage, false changes, ratios to urlwatch."""
    cov = res["coverage"]
    ours = {n: p.row(startup["ours"]) for n, p in res["ours"].items()}
    out = {
        "pages": cov["pages"],
        "coverage": cov["recognised"] / cov["pages"],
        "coverage_of_versioned": cov["recognised"] / max(cov["with_version"], 1),
        "article_pages": cov["article_pages"],
        "coverage_of_articles": cov["recognised_articles"] / max(cov["article_pages"], 1),
        "with_version": cov["with_version"],
        "no_fingerprint_after_first_read": res["no_fingerprint"],
        "fingerprint_missed": len(cov["missed"]),
        "fingerprint_missed_examples": cov["missed"][:5],
        "false_changes": len(res["false_changes"]),
        "new_versions_on_rerender": res["new_versions"],
        "false_change_examples": res["false_changes"][:5],
        "chrome_furniture_pages": res["chrome"],
        "ours": ours,
    }
    if res["urlwatch"]:
        peer = {n: p.row(startup["urlwatch"]) for n, p in res["urlwatch"].items()}
        out["urlwatch"] = peer
        out["rerender_speed_x"] = (
            ours["re-render"]["checks_per_s"] / peer["re-render"]["checks_per_s"]
        )
        # checks per CPU-second: the ratio a busy machine distorts least
        out["rerender_cpu_speed_x"] = (
            peer["re-render"]["cpu_ms_per_check"] / ours["re-render"]["cpu_ms_per_check"]
        )
        out["rerender_rss_x"] = ours["re-render"]["max_rss_mb"] / peer["re-render"]["max_rss_mb"]
        out["first_read_rss_x"] = (
            ours["first read"]["max_rss_mb"] / peer["first read"]["max_rss_mb"]
        )
        # the target's figure: the worse of the two passes
        out["rss_x"] = max(out["rerender_rss_x"], out["first_read_rss_x"])
        out["urlwatch_rerender_reports"] = res["urlwatch"]["re-render"].outcomes
    for name, groups in (per_page or {}).items():
        key = name.replace(" ", "_").replace("-", "_")
        out[f"{key}_cpu_ms_est"] = _spread(groups[group])
        if group == "all" and "recognised" in groups:
            out["re_render_cpu_ms_est_recognised"] = _spread(groups["recognised"])
            out["re_render_cpu_ms_est_cascade"] = _spread(groups["cascade"])
    return out


def _spread(values: list[float]) -> dict:
    """Median and 90th percentile of per-page CPU ms estimates."""
    ordered = sorted(values)
    if not ordered:
        return {"pages": 0, "median": None, "p90": None}
    return {
        "pages": len(ordered),
        "median": statistics.median(ordered),
        "p90": ordered[int(0.9 * (len(ordered) - 1))],
    }


def print_summary(summary: dict[str, dict], rel_of: dict[str, str]) -> None:
    print(
        f"\n{'half':8} {'pages':>5} {'coverage':>9} {'no fp':>6} {'chrome':>7} {'false chg':>10} "
        f"{'uw changed':>11} {'checks/s vs uw':>15} {'per CPU-s':>10} {'RSS vs uw':>10} {'1st read ms':>12} "
        f"{'re-render ms':>13}"
    )
    for group, s in summary.items():
        print(
            f"{group:8} {s['pages']:5} {100 * s['coverage']:8.1f}% "
            f"{s['no_fingerprint_after_first_read']:6} {s['chrome_furniture_pages']:7} "
            f"{s['false_changes']:10} {s.get('urlwatch_rerender_reports', {}).get('CHANGED', '-'):>11} "
            f"{_x(s.get('rerender_speed_x')):>15} {_x(s.get('rerender_cpu_speed_x')):>10} "
            f"{_x(s.get('rss_x')):>10} "
            f"{_ms(s.get('first_read_cpu_ms_est')):>12} {_ms(s.get('re_render_cpu_ms_est')):>13}"
        )
    print(
        "(coverage: re-render checks that did not run the extraction cascade; no fp: pages "
        "without a fingerprint after the first read; chrome: pages whose own nav/aside/footer "
        "got furniture; false chg: our changes in the re-render pass; uw changed: pages urlwatch "
        "reported CHANGED; vs uw: ours / urlwatch, re-render checks/s (wall, then per CPU-second) "
        "and the worse pass's RSS; "
        "ms: per-page CPU median/p90, estimated from a one-worker run)"
    )
    overall = summary["all"]
    for kind in ("recognised", "cascade"):
        spread = overall.get(f"re_render_cpu_ms_est_{kind}")
        if spread:
            print(
                f"re-render, {kind} pages: {spread['pages']}, CPU ms per page {_ms(spread)} (est.)"
            )
    for group, s in summary.items():
        print(
            f"{group}: {s['fingerprint_missed']} fingerprinted pages ran the cascade anyway"
            + "".join(f"\n  {rel_of.get(url, url)}" for url in s["fingerprint_missed_examples"])
        )
        for change in s["false_change_examples"]:
            url = change["url"]
            print(f"false change ({group}): {rel_of.get(url, url)} {','.join(change['kinds'])}")


def _x(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def _ms(spread: dict | None) -> str:
    """ "median / p90" of a per-page estimate."""
    if not spread or spread["median"] is None:
        return "-"
    return f"{spread['median']:.1f}/{spread['p90']:.0f}"


def print_targets(summary: dict[str, dict]) -> None:
    """Issue 14's targets, per half: the figure, and whether it is met."""
    print("\ntargets (issue 14)      " + "".join(f"{g:>22}" for g in summary))
    checks = (
        ("coverage >= 95 %", lambda s: 100 * s["coverage"], lambda v: v >= 95, "{:.1f} %"),
        ("  of article pages", lambda s: 100 * s["coverage_of_articles"], lambda v: v >= 95, "{:.1f} %"),
        ("re-render >= 10x uw/s", lambda s: s.get("rerender_speed_x"), lambda v: v >= 10, "{:.2f}x"),
        ("  same, per CPU-second", lambda s: s.get("rerender_cpu_speed_x"), lambda v: v >= 10, "{:.2f}x"),
        ("<= 3 ms CPU/unchanged", lambda s: s["ours"]["re-render"]["cpu_ms_per_check"], lambda v: v <= 3, "{:.1f} ms"),
        ("  same, start-up out", lambda s: s["ours"]["re-render"]["net_cpu_ms_per_check"], lambda v: v <= 3, "{:.1f} ms"),
        ("<= 0.25x uw RSS", lambda s: s.get("rss_x"), lambda v: v <= 0.25, "{:.2f}x"),
        ("0 false changes", lambda s: s["false_changes"], lambda v: v == 0, "{}"),
        ("1st read <= 25 ms med", lambda s: (s.get("first_read_cpu_ms_est") or {}).get("median"), lambda v: v <= 25, "{:.1f} ms"),
    )  # fmt: skip
    for label, figure, met, spec in checks:
        cells = []
        for s in summary.values():
            value = figure(s)
            cells.append(
                "-"
                if value is None
                else f"{spec.format(value)} {'met' if met(value) else 'NOT met'}"
            )
        print(f"{label:24}" + "".join(f"{c:>22}" for c in cells))


# ------------------------------------------------------------------ main


def select(pages: list[Page], count: int | None) -> list[Page]:
    """``count`` pages in a fixed pseudo-random order (every source, both halves)."""
    if count is None or count >= len(pages):
        return pages
    order = sorted(pages, key=lambda p: hashlib.sha256(p.rel.encode()).digest())
    return sorted(order[:count], key=lambda p: p.id)


def monitor_python(arg: str | None) -> Path:
    if arg:
        return Path(arg)
    venv = REPO / ".venv" / "bin" / "python"
    return venv if venv.exists() else Path(sys.executable)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_PAGES} pages, under a minute")
    parser.add_argument("--pages", type=int, default=None, help="this many pages (default: all)")
    parser.add_argument("--python", default=None, help="the Python whose `-m monitor` is tested")
    parser.add_argument("--no-peer", action="store_true", help="skip urlwatch")
    parser.add_argument(
        "--no-furniture",
        action="store_true",
        help="control run: serve the corpus bytes unchanged on both passes",
    )
    args = parser.parse_args(argv)
    if not CORPUS.is_dir():
        raise SystemExit(f"corpus not found at {CORPUS} (needs ../shared/corpus beside the repo)")
    started = time.perf_counter()
    every, skipped = list_pages(CORPUS)
    pages = select(every, QUICK_PAGES if args.quick else args.pages)
    python = monitor_python(args.python)
    peer = None if args.no_peer else peer_python()
    _header(pages, skipped, python, args.no_furniture)
    with tempfile.TemporaryDirectory(prefix="realpages-") as tmp:
        base = Path(tmp)
        server = Server(pages, base, bare=args.no_furniture)
        try:
            startup = {"ours": startup_ours(python, base / "startup-ours")}
            if peer:
                startup["urlwatch"] = startup_urlwatch(peer, base / "startup-urlwatch")
            results = {}
            for group in GROUPS:
                chosen = [p for p in pages if group in ("all", p.half)]
                results[group] = run_group(server, chosen, base / group, python, peer)
            per_page = per_page_cpu(server, pages, base / "serial", python)
            rel_of = {server.url(p): p.rel for p in pages}
        finally:
            server.close()
    took = time.perf_counter() - started
    _report(results, per_page, startup, rel_of, took, len(skipped))
    return 0


def _header(pages: list[Page], skipped: dict[str, str], python: Path, bare: bool) -> None:
    code = subprocess.run(
        [str(python), "-c", "import monitor, os; print(os.path.dirname(monitor.__file__))"],
        capture_output=True, text=True, cwd=tempfile.gettempdir(),
    ).stdout.strip()  # fmt: skip
    halves = Counter(p.half for p in pages)
    print(
        f"real pages: {len(pages)} ({halves['tuning']} tuning, {halves['heldout']} held-out) of "
        f"{CORPUS}; {len(skipped)} files skipped; monitor code: {code}; "
        f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs; "
        + ("NO furniture (control run)" if bare else "furniture changes between passes"),
        flush=True,
    )
    for rel, why in skipped.items():
        print(f"  skipped {rel}: {why}")


def _report(
    results: dict,
    per_page: dict,
    startup: dict[str, Usage],
    rel_of: dict,
    took: float,
    skipped: int,
) -> None:
    print_table(results, startup)
    summary = {group: summarise(group, res, per_page, startup) for group, res in results.items()}
    print_summary(summary, rel_of)
    print_targets(summary)
    print(
        "\nCPU ms/check and RSS are whole processes (os.wait4 rusage), start-up included; "
        "'net' subtracts the median empty run's CPU. urlwatch: html2text (re) over the whole page, "
        f"{WORKERS} threads, as ours."
    )
    # other processes on the machine lower checks/s (wall) more than CPU ms per check
    load = os.getloadavg()[1]
    print(f"took {took:.0f} s, 5-minute load average {load:.2f}"
          f"{'' if 'urlwatch' in startup else ' (urlwatch skipped)'}")  # fmt: skip
    print(json.dumps({"benchmark": "realpages", "took_s": round(took, 1), "skipped": skipped,
                      "load_average_5m": load,
                      "startup": {k: asdict(v) for k, v in startup.items()}, "halves": summary}))  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(main())
