"""Database bytes per extra version on each store: SQLite (the embedded default) beside
PostgreSQL, the same scenario in the same run (bench_driver.storage: real pages of the
corpus, then one-word edits of each through the check's commit).

    .venv/bin/python benchmarks/pg_storage.py [--quick]

PostgreSQL is a throwaway cluster (tests/support/postgres.py), or the server
ARTICLE_MONITOR_TEST_PG names. About a minute; --quick: a few seconds.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from daemon_bench import drive  # noqa: E402

from tests.support.postgres import throwaway_server  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    pages, edits = (12, 6) if args.quick else (40, 10)
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp, throwaway_server() as server:
        url = server.fresh_database()
        results = {
            "sqlite": drive(REPO, "storage", str(Path(tmp) / "m.db"), str(pages), str(edits)),
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
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
