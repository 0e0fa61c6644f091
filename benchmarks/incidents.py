"""Outlet incidents: detection delay and false silent edits, per outage kind and outlet.

Run from the repository root::

    .venv/bin/python benchmarks/incidents.py [--filler 16] [--outage-passes 3]

For every outage mode of the local newsroom (monitor.newsroom.outages: consent wall,
teaser paywall, JavaScript shell, error page served with 200, template change that
renames every class) and every outlet, in-process on 127.0.0.1 with a real SQLite file:
one pass reads every article of the outlet; the outlet goes into the outage for
``--outage-passes`` passes; the newsroom's scripted edits happen during the outage
(the story clock jumps to its end); the outlet recovers for two passes.

Figures:

- **delay**: checks of the outlet's articles from the start of the outage up to and
  including the one that opened the incident ("-": none opened);
- **false silent**: silent changes beyond those of a control run without the outage
  (same articles, same edits), summed over the outlet's articles: the target is 0;
- **edits found**: articles with a change after recovery / articles the script edited.

The baseline column runs the same scenario with incidents switched off
(``incident_articles`` set past the outlet's size): the suspect guard alone, as before.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from monitor import store  # noqa: E402
from monitor.config import load_settings  # noqa: E402
from monitor.net.fetch import Fetcher  # noqa: E402
from monitor.newsroom import Newsroom, serve_newsroom  # noqa: E402
from monitor.newsroom.outages import OUTAGE_MODES  # noqa: E402
from monitor.pipeline.check import run_pass  # noqa: E402
from monitor.pipeline.discover import sync_config, track_urls  # noqa: E402

OUTLETS = ("capitol", "harbor", "ledger", "metro")


def scenario(
    outlet: str, mode: str | None, filler: int, outage_passes: int, incidents: bool
) -> dict[str, object]:
    """One run; returns the delay, silent changes per article and the articles changed."""
    room = Newsroom(seed=0, extra_articles=filler)
    now = [datetime(2026, 11, 25, 12, tzinfo=UTC)]

    def clock() -> datetime:
        return now[0]

    with serve_newsroom(room) as server, tempfile.TemporaryDirectory() as tmp:
        toml = server.outlet_config_toml().replace("[fetch]\n", "[fetch]\nmin_host_delay = 0\n")
        if not incidents:
            toml += "\n[schedule]\nincident_articles = 100000\n"
        config = Path(tmp) / "c.toml"
        config.write_text(toml, encoding="utf-8")
        settings = load_settings(config)
        db = store.open_db(Path(tmp) / "m.db")
        sync_config(db, settings, clock())
        stories = [s for s in room.stories if s.outlet == outlet and s.published_step == 0]
        track_urls(db, settings, [server.article_url(outlet, s.slug) for s in stories], outlet,
                   clock())  # fmt: skip
        checks_in_outage, delay = 0, None
        with Fetcher(settings.fetch, clock=clock) as fetcher:

            def one_pass() -> list:
                now[0] += timedelta(minutes=20)
                summary = run_pass(db, fetcher, settings, clock=clock, rng=random.Random(0),
                                   check_all=True, poll=False)  # fmt: skip
                return summary.results

            one_pass()
            if mode is not None:
                server.set_outage(outlet, mode)
            for n in range(outage_passes + 1):
                if n == outage_passes:
                    room.advance(room.max_step)  # the script's edits, behind the outage
                for result in one_pass():
                    checks_in_outage += 1
                    if delay is None and result.incident and result.incident.event == "open":
                        delay = checks_in_outage
            server.set_outage(outlet, None)
            one_pass()
            one_pass()
        # by path: every run serves the newsroom on its own ports
        silent = Counter(
            urlsplit(url).path
            for (url,) in db.execute(
                "SELECT a.url FROM changes c JOIN articles a ON a.id = c.article_id "
                "WHERE c.silent = 1"
            )
        )
        changed = {urlsplit(u).path for (u,) in db.execute(
            "SELECT DISTINCT a.url FROM changes c JOIN articles a ON a.id = c.article_id")}  # fmt: skip
        edited = {
            room.article_path(s) for s in stories if not s.at(0).same_article(s.at(room.step))
        }
        db.conn.close()
    return {"delay": delay, "silent": silent, "changed": changed, "edited": edited,
            "articles": len(stories)}  # fmt: skip


def corpus_recaptures(half: str) -> dict[str, int] | None:
    """Real re-captures (../shared/corpus newspaper3k-recaptures, one corpus half), all
    served as the articles of ONE outlet on 127.0.0.1: the first capture, then the next.
    Their outlets' real redesigns and leaks all land at one outlet at once, the hardest
    case for a false incident. Returns incidents opened and reads held."""
    import json

    from benchmarks.corpus_split import split
    from tests.support.httpserver import TestServer, text

    root = REPO.parent / "shared" / "corpus" / "versions" / "newspaper3k-recaptures"
    if not root.is_dir():
        return None
    pairs = [
        p for p in json.loads((root / "pairs.json").read_text()) if split(root / p["from"]) == half
    ]
    # one pair an article, its first: later pairs of the same article are left out
    first = {p["name"]: p["from"] for p in reversed(pairs)}
    second = {p["name"]: p["to"] for p in reversed(pairs)}
    now = [datetime(2026, 11, 25, 12, tzinfo=UTC)]
    with TestServer() as server, tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "c.toml"
        config.write_text("[fetch]\nallow_private_addresses = true\nmin_host_delay = 0\n")
        settings = load_settings(config)
        db = store.open_db(Path(tmp) / "m.db")
        for name, file in first.items():
            server.routes[f"/{name}"] = text((root / file).read_bytes())
        track_urls(db, settings, [server.url(f"/{n}") for n in first], "recaptures", now[0])
        counts: Counter[str] = Counter()
        with Fetcher(settings.fetch, clock=lambda: now[0]) as fetcher:
            for step, files in enumerate((first, second)):
                for name, file in files.items():
                    server.routes[f"/{name}"] = text((root / file).read_bytes())
                now[0] += timedelta(minutes=20)
                summary = run_pass(db, fetcher, settings, clock=lambda: now[0],
                                   rng=random.Random(0), check_all=True, poll=False)  # fmt: skip
                if step:
                    counts.update(r.outcome for r in summary.results)
        counts["articles"] = len(first)
        counts["incidents"] = db.execute("SELECT COUNT(*) FROM incidents").fetchone()[0]
        db.conn.close()
    return dict(counts)


def false_silent(run: dict, control: dict) -> int:
    return sum(max(0, n - control["silent"].get(url, 0)) for url, n in run["silent"].items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--filler", type=int, default=16, help="filler stories (all outlets)")
    parser.add_argument("--outage-passes", type=int, default=3)
    args = parser.parse_args()
    print(f"filler stories: {args.filler}; outage passes: {args.outage_passes} (+1 with edits)")
    print(f"{'mode':<13}{'outlet':<9}{'articles':>9}{'delay':>7}{'false silent':>14}"
          f"{'edits found':>13}   baseline: false silent, edits found")  # fmt: skip
    totals = Counter()
    for mode in OUTAGE_MODES:
        for outlet in OUTLETS:
            control = scenario(outlet, None, args.filler, args.outage_passes, True)
            ours = scenario(outlet, mode, args.filler, args.outage_passes, True)
            base = scenario(outlet, mode, args.filler, args.outage_passes, False)
            found = f"{len(ours['changed'] & ours['edited'])}/{len(ours['edited'])}"
            base_found = f"{len(base['changed'] & base['edited'])}/{len(base['edited'])}"
            ours_false, base_false = false_silent(ours, control), false_silent(base, control)
            totals["ours"] += ours_false
            totals["base"] += base_false
            totals["incidents"] += ours["delay"] is not None
            delay = "-" if ours["delay"] is None else str(ours["delay"])
            print(f"{mode:<13}{outlet:<9}{ours['articles']:>9}{delay:>7}{ours_false:>14}"
                  f"{found:>13}   {base_false}, {base_found}")  # fmt: skip
    for half in ("tuning", "heldout"):
        found = corpus_recaptures(half)
        if found is None:
            print("real re-captures: ../shared/corpus absent, skipped")
            break
        print(f"real re-captures as one outlet, {half} half: {found['articles']} articles, "
              f"second captures: {found.get('incident', 0)} held by an incident, "
              f"{found.get('suspect', 0)} suspect, {found.get('changed', 0)} changed; "
              f"incidents opened: {found['incidents']}")  # fmt: skip
    runs = len(OUTAGE_MODES) * len(OUTLETS)
    print(f"incidents opened: {totals['incidents']}/{runs} outages; false silent edits: "
          f"{totals['ours']} (baseline, suspect guard only: {totals['base']})")  # fmt: skip


if __name__ == "__main__":
    main()
