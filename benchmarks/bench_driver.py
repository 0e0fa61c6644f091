"""The processes daemon_bench.py starts: the newsroom, and the pipeline under test.

Run with ``PYTHONPATH`` set to the code under test (this checkout or the baseline);
only APIs both share are used. Each command prints one JSON line last.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import resource
import sys
import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


def _first(*names: str):  # type: ignore[no-untyped-def]
    """The first of these modules that imports: the baseline's flat layout is tried
    first, since the editable install would lend this checkout's modules to it."""
    import importlib

    for name in names:
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    raise ImportError(f"none of {names}")


def serve(argv: list[str]) -> None:
    """Serve a newsroom; with --changing every filler story gets a one-sentence edit at
    step 1. Prints config and article URLs, then advances on each "advance" line."""
    from monitor.newsroom import Newsroom, serve_newsroom

    os.sched_setaffinity(0, {1 % os.cpu_count()})  # type: ignore[operator]
    room = Newsroom(seed=0, extra_articles=int(argv[argv.index("--articles") + 1]))
    fillers = [s for s in room.stories if s.section == "briefs"]
    if "--changing" in argv:
        _make_fillers_change(room)
    with serve_newsroom(room) as server:
        urls = [[s.outlet, server.article_url(s.outlet, s.slug)] for s in fillers]
        print(json.dumps({"config": server.outlet_config_toml(), "urls": urls}), flush=True)
        for line in sys.stdin:
            if line.strip() == "advance":
                print(room.advance(), flush=True)


def _make_fillers_change(room) -> None:  # type: ignore[no-untyped-def]
    stories = []
    for story in room.stories:
        if story.section == "briefs":
            first = story.revisions[0]
            last = first.paragraphs[-1] + " Officials later revised that estimate upward."
            edited = replace(
                first, step=1, paragraphs=(*first.paragraphs[:-1], last), modified_step=1
            )
            story = replace(story, revisions=(first, edited))
        stories.append(story)
    room.stories = stories
    room._by_slug = {(s.outlet, s.slug): s for s in stories}
    room._by_path = {(s.outlet, room.article_path(s)): s for s in stories}


def setup(db_path: str, config: str, urls_file: str) -> dict:
    from monitor import store

    feedstore = _first("monitor.feedstore", "monitor.store.feeds")

    db = store.open_db(db_path)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with store.transaction(db):
        for outlet, url in json.loads(Path(urls_file).read_text()):
            store.add_article(db, url, feedstore.ensure_outlet(db, outlet), now)
    return {"articles": db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]}


def one_pass(db_path: str, config: str) -> dict:
    """Check every tracked article once; CPU of the whole process and of run_pass."""
    from monitor import store
    from monitor.config import load_settings

    Fetcher = _first("monitor.fetch", "monitor.net.fetch").Fetcher
    run_pass = _first("monitor.crawl", "monitor.pipeline.check").run_pass

    os.sched_setaffinity(0, {0})
    settings = load_settings(config)
    db = store.open_db(db_path)
    ids = [r[0] for r in db.execute("SELECT id FROM articles ORDER BY id")]
    clock = lambda: datetime.now(UTC)  # noqa: E731
    with Fetcher(settings.fetch, clock=clock) as fetcher:
        fetcher.fetch(db.execute("SELECT url FROM articles LIMIT 1").fetchone()[0])  # robots
        cpu, wall = time.process_time(), time.perf_counter()
        summary = run_pass(
            db, fetcher, settings, clock=clock, rng=random.Random(0), article_ids=ids
        )
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "checks": summary.checked,
        "wall_s": wall,
        "cpu_s": cpu,
        "pipeline_cpu_s": cpu,
        "max_rss_mb": usage.ru_maxrss / 1024,
        "outcomes": dict(Counter(r.outcome for r in summary.results)),
    }


def mkdb(db_path: str, urls_file: str, count: str) -> dict:
    """A database of ``count`` articles (cycling over the newsroom's URLs with a query
    string), each with one stored version of article-sized text."""
    from monitor import store

    feedstore = _first("monitor.feedstore", "monitor.store.feeds")

    db = store.open_db(db_path)
    urls = json.loads(Path(urls_file).read_text())
    now = "2026-01-01T00:00:00+00:00"
    rng = random.Random(0)
    words = [f"word{i}" for i in range(3000)]
    outlets = {name: feedstore.ensure_outlet(db, name) for name in {o for o, _ in urls}}
    with store.transaction(db):
        for i in range(int(count)):
            outlet, url = urls[i % len(urls)]
            url = url if i < len(urls) else f"{url}?copy={i}"
            cur = db.execute(
                "INSERT INTO articles (outlet_id, url, first_seen_at, next_check_at, version_count)"
                " VALUES (?, ?, ?, ?, 1)",
                (outlets[outlet], url, now, now),
            )
            body = "\n\n".join(" ".join(rng.choices(words, k=60)) for _ in range(7))
            db.execute(
                "INSERT INTO versions (article_id, version_number, captured_at, title, byline, "
                "body, content_hash) VALUES (?, 1, ?, ?, ?, ?, ?)",
                (cur.lastrowid, now, f"Headline {i}", "By Someone", body, f"h{i}"),
            )
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return {"db_mb": Path(db_path).stat().st_size / 2**20}


def storage(db_path: str, pages: str, edits: str) -> dict:
    """Store real pages, then one-word edits of each through check.gather/commit."""
    from monitor import store

    check = _first("monitor.check", "monitor.pipeline.commit")
    # the read half of a check moved to gather; a baseline may predate it (and the
    # editable install would serve this checkout's modules to it: ask check first)
    reading = check if hasattr(check, "make_job") else _first("monitor.gather", "monitor.pipeline.gather")
    from monitor.config import Settings
    from monitor.models import FetchResult

    db = store.open_db(db_path)
    files = sorted((CORPUS / "pages" / "scrapinghub-aeb" / "html").glob("*.html.gz"))
    settings, rng = Settings(), random.Random(0)
    stamp = iter(range(10**6))

    class Replay:
        html = b""

        def fetch(self, url, etag=None, last_modified=None):  # type: ignore[no-untyped-def]
            n = next(stamp)
            return FetchResult(
                url=url, fetched_at=f"2026-01-01T{n // 3600 % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d}Z",
                outcome="ok", status_code=200, final_url=url, content=self.html,
                text=self.html.decode("utf-8", "replace"), encoding="utf-8",
            )  # fmt: skip

    replay = Replay()

    def run(article_id: int, html: bytes) -> str:
        replay.html = html
        gathered = reading.gather(reading.make_job(db, settings, article_id), replay)
        now = datetime(2026, 1, 1, tzinfo=UTC)
        outcome = check.commit(db, gathered, settings, now, rng)
        if not hasattr(outcome, "outcome"):  # the engine's Replan: read the same fetch again
            job = reading.make_job(db, settings, article_id, with_stored=outcome.with_stored)
            outcome = check.commit(db, reading.read(job, gathered.fetch), settings, now, rng)
        return outcome.outcome

    pages_kept: dict[int, bytes] = {}
    for path in files:
        if len(pages_kept) >= int(pages):
            break
        html = gzip.decompress(path.read_bytes())
        article_id, _ = store.add_article(db, f"https://example.org/{path.stem}", None, "t")
        if run(article_id, html) == "new":
            pages_kept[article_id] = html
    before = _sizes(db)
    for _ in range(int(edits)):
        for article_id, html in pages_kept.items():
            # plain SQL: the baseline tree reads versions through store, this one through
            # monitor.store.versions; the versions table (now a view) has the body in both
            body = db.execute(
                "SELECT body FROM versions WHERE article_id = ? ORDER BY version_number DESC LIMIT 1",
                (article_id,),
            ).fetchone()[0]
            words = [w for w in body.split() if len(w) >= 7 and w.isalpha()]
            word = rng.choice(words).encode() if words else b""
            if word and word in html:
                pages_kept[article_id] = html = html.replace(word, word[::-1], 1)
                run(article_id, html)
    after = _sizes(db)
    extra = db.execute("SELECT COUNT(*) FROM versions WHERE version_number > 1").fetchone()[0]
    per = {k: (after[k] - before.get(k, 0)) / max(extra, 1) for k in after}
    bodies = [r[0] for r in db.execute("SELECT length(body) FROM versions")]
    return {
        "pages": len(pages_kept),
        "extra_versions": extra,
        "file_bytes_per_version": per.pop("file"),
        "per_version": per,
        "mean_body_chars": sum(bodies) / len(bodies),
    }


def _group(name: str) -> str:
    """The benchmark's column for a table or index (dbstat names both)."""
    if name.startswith(("versions_fts", "passages_fts")):
        return "search"
    for prefix, group in (
        ("version", "versions"),  # versions (before the passage store), version_records
        ("passages", "versions"),
        ("idx_versions", "versions"),
        ("idx_passages", "versions"),
        ("sqlite_autoindex_versions", "versions"),
        ("sqlite_autoindex_version_records", "versions"),
    ):
        if name.startswith(prefix):
            return group
    for table in ("snapshots", "changes", "fetches"):
        if name == table:
            return table
    return "other"


def _pg_group(name: str, index: bool) -> str:
    """The column for a PostgreSQL relation, as _group's for SQLite's: a day's partition
    of fetches counts as fetches; indexes are "other" but for search and versions."""
    if name in ("idx_passages_fts", "idx_versions_fts"):
        return "search"
    if name.startswith(("version_records", "passages", "idx_passages")):
        return "versions"
    if index:
        return "other"
    return "fetches" if name.startswith("fetches") else _group(name)


def _pg_sizes(db) -> dict:  # type: ignore[no-untyped-def]
    """Bytes per group on PostgreSQL: tables with their TOAST, indexes on their own."""
    out: Counter = Counter()
    rows = db.execute(
        "SELECT relname, relkind = 'i', CASE relkind WHEN 'i' THEN pg_relation_size(oid)"
        " ELSE pg_table_size(oid) END FROM pg_class"
        " WHERE relnamespace = current_schema()::regnamespace AND relkind IN ('r', 'i')"
    )
    for name, index, size in rows:
        out[_pg_group(name, index)] += size
    out["file"] = db.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    return dict(out)


def _sizes(db) -> dict:  # type: ignore[no-untyped-def]
    if getattr(db, "is_postgres", False):
        return _pg_sizes(db)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    out: Counter = Counter()
    for name, size in db.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name"):
        out[_group(name)] += size
    page = db.execute("PRAGMA page_size").fetchone()[0]
    out["file"] = page * db.execute("PRAGMA page_count").fetchone()[0]
    return dict(out)


COMMANDS = {"setup": setup, "pass": one_pass, "mkdb": mkdb, "storage": storage}

if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2:])
    else:
        print(json.dumps(COMMANDS[sys.argv[1]](*sys.argv[2:])), flush=True)
