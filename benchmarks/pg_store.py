"""The PostgreSQL store beside SQLite (the embedded default), same scenarios, same run.

    .venv/bin/python benchmarks/pg_store.py storage [--quick]
    .venv/bin/python benchmarks/pg_store.py throughput [--quick]

``storage``: database bytes per extra version (bench_driver.storage: real pages of the
corpus, then one-word edits of each through the check's commit), split by table.
``throughput``: one `check` pass over N articles of the loopback newsroom (first read,
unchanged re-render, changed page), checks/s and the client's CPU per check; the
PostgreSQL server's own CPU is not in that column (it runs in other processes).

PostgreSQL is a throwaway cluster (tests/support/postgres.py), or the server
ARTICLE_MONITOR_TEST_PG names. About a minute each; --quick: a few seconds.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from daemon_bench import Newsroom, _throughput_table, drive  # noqa: E402

from tests.support.postgres import Server, throwaway_server  # noqa: E402


def storage(server: Server, tmp: Path, quick: bool) -> None:
    pages, edits = (12, 6) if quick else (40, 10)
    url = server.fresh_database()
    results = {
        "sqlite": drive(REPO, "storage", str(tmp / "m.db"), str(pages), str(edits)),
        "postgres": drive(REPO, "storage", url, str(pages), str(edits)),
    }
    server.drop(url)
    first = results["sqlite"]
    print(
        f"\nstorage: {first['pages']} real pages (corpus scrapinghub-aeb), {edits} one-word"
        f" edits each = {first['extra_versions']} extra versions"
    )
    columns = ("versions", "search", "snapshots", "changes", "fetches", "other")
    print(f"{'store':10} {'total B/version':>16} " + " ".join(f"{c:>9}" for c in columns))
    for side, r in results.items():
        per = r["per_version"]
        print(
            f"{side:10} {r['file_bytes_per_version']:16.0f} "
            + " ".join(f"{per.get(c, 0):9.0f}" for c in columns)
        )
    print(
        "(per extra version. total: growth of the SQLite file / of pg_database_size;"
        " by table: versions = version rows, passages and their indexes; search = full-text"
        " indexes (FTS5 / GIN); fetches: PostgreSQL's day partitions)"
    )


def throughput(server: Server, tmp: Path, quick: bool) -> None:
    n, size = (300, 1000) if quick else (1000, 2000)
    rows: dict[str, dict[str, dict]] = {}
    for side in ("sqlite", "postgres"):
        room = Newsroom(size, changing=True)
        work = tmp / side
        work.mkdir()
        url = server.fresh_database() if side == "postgres" else str(work / "m.db")
        try:
            (work / "config.toml").write_text(room.config)
            (work / "urls.json").write_text(json.dumps(room.urls[:n]))
            cfg = str(work / "config.toml")
            drive(REPO, "setup", url, cfg, str(work / "urls.json"))
            rows[side] = {"first read": drive(REPO, "pass", url, cfg)}
            rows[side]["(a) unchanged re-render"] = drive(REPO, "pass", url, cfg)
            room.advance()
            rows[side]["(b) changed page"] = drive(REPO, "pass", url, cfg)
        finally:
            room.close()
            if side == "postgres":
                server.drop(url)
    print(f"\nthroughput: {n} articles checked, one pass each, newsroom of {size:,}")
    _throughput_table(rows)
    print("(CPU: the checking process only; PostgreSQL's server processes are not counted)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("benchmark", choices=("storage", "throughput"))
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    run = {"storage": storage, "throughput": throughput}[args.benchmark]
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp, throwaway_server() as server:
        run(server, Path(tmp), args.quick)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
