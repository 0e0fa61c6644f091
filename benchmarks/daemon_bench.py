"""Daemon performance: throughput, memory and storage, each beside a baseline in one run.

Run from the repository root (see benchmarks/README.md for what each figure means)::

    /work/main/.venv/bin/python benchmarks/daemon_bench.py throughput [--quick]
    /work/main/.venv/bin/python benchmarks/daemon_bench.py memory [--quick]
    /work/main/.venv/bin/python benchmarks/daemon_bench.py storage [--quick]

"ours" is this checkout; "baseline" is ``--baseline-ref`` (default: the merge base
with ``main``) unpacked with ``git archive`` into a temporary directory. Every
pipeline under test runs in its own process pinned to CPU 0; the newsroom runs in
another process pinned to CPU 1, so its CPU is never counted.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DRIVER = Path(__file__).resolve().parent / "bench_driver.py"
PEER = Path(os.environ.get("ARTICLE_MONITOR_PEER", "/tmp/article-monitor-peer"))
PEER_SETUP = f"python3 -m venv {PEER} && {PEER}/bin/pip install 'urlwatch==2.29'"
# urlwatch's thread pool size is a module constant; set to our GLOBAL_CONCURRENCY.
URLWATCH_MAIN = (
    "import sys, urlwatch.worker as w; w.MAX_WORKERS = int(sys.argv.pop(1)); "
    "from urlwatch.cli import main; main()"
)
BODY_CSS = {
    "capitol": "h1.headline, .byline, .story-text",
    "harbor": "h1.hb-title, .hb-byline, .hb-body",
    "ledger": "h1.zq-hed, .zq-credit, .zq-copy",
    "metro": "article h1, .mt-byline, .article-body",
}


# ------------------------------------------------------------------ processes


def baseline_tree(ref: str | None, into: Path) -> tuple[str, Path]:
    """Unpack the baseline's ``monitor`` package; returns (commit, directory)."""
    if ref is None:
        ref = subprocess.run(
            ["git", "-C", str(REPO), "merge-base", "HEAD", "main"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", ref, "monitor"], capture_output=True, check=True
    ).stdout
    into.mkdir(parents=True, exist_ok=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return ref[:10], into


def drive(code: Path, *args: str) -> dict:
    """Run one driver command under ``code``'s monitor package; its JSON result."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    proc = subprocess.run(
        [sys.executable, str(DRIVER), *args], capture_output=True, text=True, env=env
    )
    if proc.returncode != 0:
        raise SystemExit(f"driver {args[0]} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


class Newsroom:
    """The simulated newsroom in its own process, advanced over a pipe."""

    def __init__(self, articles: int, *, changing: bool, feeds: bool = False) -> None:
        args = ["serve", "--articles", str(articles)] + (["--changing"] if changing else [])
        args += ["--feeds"] if feeds else []
        self.proc = subprocess.Popen(
            [sys.executable, str(DRIVER), *args],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )  # fmt: skip
        assert self.proc.stdout is not None
        info = json.loads(self.proc.stdout.readline())
        # No politeness pause between requests to our own local newsroom (the default is
        # 1 s per host, which would make every pass wall-bound at ~4 checks/s); urlwatch
        # has none either.
        self.config: str = info["config"].replace("[fetch]\n", "[fetch]\nmin_host_delay = 0\n", 1)
        self.urls: list[list[str]] = info["urls"]  # [outlet, url]

    def advance(self) -> None:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write("advance\n")
        self.proc.stdin.flush()
        self.proc.stdout.readline()

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)


def peer_python() -> Path | None:
    python = PEER / "bin" / "python"
    if python.exists():
        return python
    print(f"setting up the peer (urlwatch 2.29): {PEER_SETUP}", flush=True)
    done = subprocess.run(PEER_SETUP, shell=True, capture_output=True)
    if done.returncode != 0 or not python.exists():
        print(f"peer missing: run {PEER_SETUP}")
        return None
    return python


def run_urlwatch(python: Path, work: Path, urls: list[list[str]], workers: int) -> dict:
    """One urlwatch run over ``urls``; whole-process wall, CPU and peak RSS."""
    jobs = "---\n".join(
        f"name: a{i}\nurl: {url}\nfilter:\n  - css: '{BODY_CSS[outlet]}'\n  - html2text\n"
        for i, (outlet, url) in enumerate(urls)
    )
    (work / "urls.yaml").write_text(jobs)
    (work / "urlwatch.yaml").write_text(
        "report:\n  stdout:\n    enabled: true\n    color: false\n  html:\n    diff: unified\n"
    )
    (work / "hooks.py").write_text("")
    argv = [str(python), "-c", URLWATCH_MAIN, str(workers)]
    argv += ["--urls", str(work / "urls.yaml"), "--config", str(work / "urlwatch.yaml")]
    argv += ["--hooks", str(work / "hooks.py"), "--cache", str(work / "cache.db")]
    start = time.perf_counter()
    with open(os.devnull, "w") as sink:
        proc = subprocess.Popen(argv, stdout=sink, stderr=subprocess.PIPE, preexec_fn=_pin0)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(
            f"urlwatch failed: {proc.stderr.read().decode()[-2000:] if proc.stderr else ''}"
        )
    return {
        "checks": len(urls),
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "max_rss_mb": usage.ru_maxrss / 1024,
    }


def _pin0() -> None:
    os.sched_setaffinity(0, {0})


# ------------------------------------------------------------------ throughput


def throughput(args: argparse.Namespace) -> None:
    n = 400 if args.quick else args.articles or args.newsroom
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        base = Path(tmp)
        sides = {"ours": REPO}
        ref, sides["baseline"] = baseline_tree(args.baseline_ref, base / "baseline")
        rows: dict[str, dict[str, dict]] = {}
        for side, code in sides.items():
            rows[side] = _monitor_side(code, base / f"run-{side}", n, args.newsroom)
        peer = peer_python()
        if peer is not None:
            rows["urlwatch 2.29"] = _urlwatch_side(peer, base / "urlwatch", n, args.newsroom)
    print(
        f"\nthroughput: {n} articles checked of a newsroom with {args.newsroom:,} (baseline {ref})"
    )
    _throughput_table(rows)
    _against_peer(rows)


def _against_peer(rows: dict[str, dict[str, dict]]) -> None:
    """The target's two ratios per pass: checks/s over urlwatch's, RSS over urlwatch's."""
    peer = rows.get("urlwatch 2.29")
    if not peer:
        return
    for name, ours in rows["ours"].items():
        theirs = peer[name]
        speed = (ours["checks"] / ours["wall_s"]) / (theirs["checks"] / theirs["wall_s"])
        rss = ours["max_rss_mb"] / theirs["max_rss_mb"]
        print(f"ours / urlwatch, {name:24} {speed:5.2f}x checks/s at {rss:4.2f}x RSS")


def _monitor_side(code: Path, work: Path, n: int, size: int) -> dict[str, dict]:
    work.mkdir(parents=True)
    room = Newsroom(size, changing=True)
    try:
        (work / "config.toml").write_text(room.config)
        (work / "urls.json").write_text(json.dumps(room.urls[:n]))
        db, cfg = str(work / "m.db"), str(work / "config.toml")
        drive(code, "setup", db, cfg, str(work / "urls.json"))
        out = {"first read": drive(code, "pass", db, cfg)}
        out["(a) unchanged re-render"] = drive(code, "pass", db, cfg)
        room.advance()
        out["(b) changed page"] = drive(code, "pass", db, cfg)
        return out
    finally:
        room.close()


def _urlwatch_side(python: Path, work: Path, n: int, size: int) -> dict[str, dict]:
    work.mkdir(parents=True)
    room = Newsroom(size, changing=True)
    try:
        urls = room.urls[:n]
        out = {"first read": run_urlwatch(python, work, urls, 8)}
        out["(a) unchanged re-render"] = run_urlwatch(python, work, urls, 8)
        room.advance()
        out["(b) changed page"] = run_urlwatch(python, work, urls, 8)
        return out
    finally:
        room.close()


def _throughput_table(rows: dict[str, dict[str, dict]]) -> None:
    print(
        f"{'side':14} {'pass':24} {'checks/s':>9} {'CPU ms/check':>13} {'checks/CPU-s':>13} "
        f"{'pipeline ms':>12} {'max RSS MB':>11}  outcomes"
    )
    for side, passes in rows.items():
        for name, r in passes.items():
            rate = r["checks"] / r["wall_s"]
            cpu = 1000 * r["cpu_s"] / r["checks"]
            pipeline = r.get("pipeline_cpu_s")
            pipe = (
                f"{1000 * pipeline / r['checks']:12.2f}" if pipeline is not None else f"{'-':>12}"
            )
            print(
                f"{side:14} {name:24} {rate:9.0f} {cpu:13.2f} {1000 / cpu:13.0f} {pipe} "
                f"{r['max_rss_mb']:11.0f}  {r.get('outcomes', '')}"
            )


# ------------------------------------------------------------------ memory


def memory(args: argparse.Namespace) -> None:
    n = 100_000
    seconds = 15 if args.quick else 40
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        base = Path(tmp)
        ref, baseline = baseline_tree(args.baseline_ref, base / "baseline")
        room = Newsroom(10_000, changing=False)
        try:
            config = _without_feeds(room.config)
            results = {}
            for side, code in (("ours", REPO), ("baseline", baseline)):
                work = base / f"run-{side}"
                work.mkdir()
                (work / "config.toml").write_text(config)
                (work / "urls.json").write_text(json.dumps(room.urls))
                db = str(work / "m.db")
                made = drive(code, "mkdb", db, str(work / "urls.json"), str(n))
                results[side] = _sample_check(code, db, str(work / "config.toml"), seconds)
                results[side]["db_mb"] = made["db_mb"]
        finally:
            room.close()
    print(
        f"\nmemory: `check --all` over {n:,} tracked articles, sampled {seconds}s (baseline {ref})"
    )
    print(f"{'side':10} {'db MB':>7} {'checks':>7} {'steady RSS MB':>14} {'peak RSS MB':>12}")
    for side, r in results.items():
        print(
            f"{side:10} {r['db_mb']:7.0f} {r['checks']:7} {r['steady_mb']:14.0f} {r['peak_mb']:12.0f}"
        )


def _without_feeds(config: str) -> str:
    # Feeds of 10,000 entries would be polled first; this measures article dispatch.
    lines = [
        "feeds = []" if line.startswith("feeds =") else
        "sitemaps = []" if line.startswith("sitemaps =") else line
        for line in config.splitlines()
    ]  # fmt: skip
    return "\n".join(lines) + "\n"


def _sample_check(code: Path, db: str, config: str, seconds: float) -> dict:
    """Run the real CLI's ``check --all``; sample its RSS, stop it after ``seconds``."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    argv = [sys.executable, "-m", "monitor", "--db", db, "--config", config, "check", "--all"]
    # cwd: ``python -m`` puts the working directory first on sys.path
    proc = subprocess.Popen(
        argv, env=env, cwd=code, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        preexec_fn=_pin0,
    )  # fmt: skip
    samples: list[float] = []
    peak = 0.0
    start = time.monotonic()
    while time.monotonic() - start < seconds and proc.poll() is None:
        status = Path(f"/proc/{proc.pid}/status").read_text()
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        samples.append(int(fields["VmRSS"].split()[0]) / 1024)
        peak = int(fields["VmHWM"].split()[0]) / 1024
        time.sleep(0.25)
    proc.terminate()
    proc.wait(timeout=30)
    import sqlite3

    checks = sqlite3.connect(db).execute("SELECT COUNT(*) FROM fetches").fetchone()[0]
    half = samples[len(samples) // 2 :] or [0.0]
    return {"checks": checks, "steady_mb": sorted(half)[len(half) // 2], "peak_mb": peak}


# ------------------------------------------------------------------ storage


def storage(args: argparse.Namespace) -> None:
    pages, edits = (12, 6) if args.quick else (40, 10)
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        base = Path(tmp)
        ref, baseline = baseline_tree(args.baseline_ref, base / "baseline")
        results = {
            side: drive(code, "storage", str(base / f"{side}.db"), str(pages), str(edits))
            for side, code in (("ours", REPO), ("baseline", baseline))
        }
    first = next(iter(results.values()))
    print(
        f"\nstorage: {first['pages']} real pages (corpus scrapinghub-aeb), {edits} one-word edits "
        f"each = {first['extra_versions']} extra versions (baseline {ref})"
    )
    print(
        f"{'side':10} {'file B/version':>15} {'live B/version':>15} {'versions':>9} "
        f"{'search':>7} {'snapshot':>9} "
        f"{'changes':>8} {'fetches':>8} {'indexes+other':>14}"
    )
    for side, r in results.items():
        per = r["per_version"]
        print(
            f"{side:10} {r['file_bytes_per_version']:15.0f} {sum(per.values()):15.0f} "
            f"{per.get('versions', 0):9.0f} "
            f"{per.get('search', 0):7.0f} "
            f"{per.get('snapshots', 0):9.0f} {per.get('changes', 0):8.0f} {per.get('fetches', 0):8.0f} "
            f"{per.get('other', 0):14.0f}"
        )
    print(
        "(per extra version. file: growth of the file, so free pages it reused lower it; "
        "live: growth of the pages in use, split by table: versions = version rows, passages "
        "and their indexes; search = FTS indexes; other = the remaining indexes)"
    )
    for side, r in results.items():
        print(f"{side}: mean body text {r['mean_body_chars']:.0f} chars per version")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("benchmark", choices=("throughput", "memory", "storage"))
    parser.add_argument("--quick", action="store_true", help="a smaller run, about a minute")
    parser.add_argument("--baseline-ref", default=None, help="git ref (default: merge base)")
    parser.add_argument(
        "--articles",
        type=int,
        default=None,
        help="articles checked per pass (default: every filler story of the newsroom)",
    )
    parser.add_argument("--newsroom", type=int, default=10_000, help="filler articles served")
    args = parser.parse_args(argv)
    {"throughput": throughput, "memory": memory, "storage": storage}[args.benchmark](args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
