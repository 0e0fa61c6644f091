"""False silent edits on live blogs and page variants, ours beside a baseline (issue 10 items 3, 4).

Run from the repository root::

    .venv/bin/python benchmarks/live_variants.py [--baseline-ref REF]

The pages are the newsroom's specials (``monitor/newsroom/specials.py``, served by this
checkout): a live blog that gains posts (steps 1 and 3) and has an earlier post's figure
edited without a note (step 2: the one true silent edit), an article whose AMP,
``?outputType=amp`` and print variants are added after it, and four pages with a broken
``rel=canonical``. Each monitor, "ours" (this checkout) and "baseline" (``--baseline-ref``,
default the merge base with ``main``, unpacked with ``git archive``), is driven through
its own CLI (``python -m monitor``) against a fresh newsroom. Target: 0 false silent edits,
1 true silent edit found, 0 changes on variants and broken canonicals.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.daemon_bench import baseline_tree  # noqa: E402
from monitor.newsroom import Newsroom, serve_newsroom, specials  # noqa: E402

CONFIG = "[fetch]\nallow_private_addresses = true\nmin_host_delay = 0\n"


#: a command running this long is stuck (the baseline's `check` can hang on a merge)
TIMEOUT = 90.0
HUNG: dict[Path, int] = {}


def cli(code: Path, work: Path, *args: str) -> str:
    """One command of the monitor in ``code``; its stdout (a failure stops the run, a
    hang is counted and the run goes on)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARTICLE_MONITOR_")}
    env["PYTHONPATH"] = str(code)
    argv = [sys.executable, "-m", "monitor", "--db", str(work / "m.db"),
            "--config", str(work / "c.toml"), *args]  # fmt: skip
    try:
        proc = subprocess.run(
            argv, capture_output=True, text=True, env=env, cwd=code, timeout=TIMEOUT
        )
    except subprocess.TimeoutExpired:
        HUNG[code] = HUNG.get(code, 0) + 1
        return ""
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args)} failed under {code}:\n{proc.stderr[-2000:]}")
    return proc.stdout


def changes(work: Path, since: int = 0) -> list[tuple[int, list[str], int]]:
    with sqlite3.connect(work / "m.db") as conn:
        rows = conn.execute(
            "SELECT id, kinds, silent FROM changes WHERE id > ? ORDER BY id", (since,)
        ).fetchall()
    return [(i, json.loads(k), s) for i, k, s in rows]


def live_blog(code: Path, work: Path) -> dict[str, int]:
    """Steps 1 and 3 add posts (no silent edit due), step 2 edits a figure (one due)."""
    room = Newsroom(seed=0)
    with serve_newsroom(room, host="127.0.0.1") as server:
        url = server.base_urls[specials.OUTLET] + specials.LIVE_PATH
        cli(code, work, "add", url)
        cli(code, work, "check", url)
        false_silent = found = live = 0
        for step in (1, 2, 3):
            room.advance()
            last = max((i for i, _, _ in changes(work)), default=0)
            cli(code, work, "check", url)
            new = changes(work, last)
            live += sum("live_update" in k for _, k, _ in new)
            silent = sum(s for _, _, s in new)
            if step == 2:
                found += min(silent, 1)
                false_silent += max(silent - 1, 0)
            else:
                false_silent += silent
    return {"false silent edits": false_silent, "true silent edit found (of 1)": found,
            "live_update changes (of 2)": live}  # fmt: skip


def variants(code: Path, work: Path) -> dict[str, int]:
    """Every change here is false: variants of a tracked article and broken canonicals."""
    room = Newsroom(seed=0)
    with serve_newsroom(room, host="127.0.0.1") as server:
        base = server.base_urls[specials.OUTLET]
        cli(code, work, "add", base + specials.BRIDGE_PATH)
        cli(code, work, "check", "--all")
        for path in (specials.AMP_PATH, specials.BRIDGE_PATH + "?outputType=amp",
                     specials.PRINT_PATH):  # fmt: skip
            cli(code, work, "add", base + path)
            cli(code, work, "check", "--all")
        variant_changes = changes(work)
        broken = [base + path for path in specials.BROKEN_CANONICALS]
        last = max((i for i, _, _ in variant_changes), default=0)
        cli(code, work, "add", *broken)
        for _ in range(2):
            cli(code, work, "check", "--all")
        broken_changes = changes(work, last)
        with sqlite3.connect(work / "m.db") as conn:
            kept = {u for (u,) in conn.execute("SELECT url FROM articles")}
    return {
        "variant: changes": len(variant_changes),
        "variant: false silent edits": sum(s for _, _, s in variant_changes),
        "broken canonical: changes": len(broken_changes),
        "broken canonical: false silent edits": sum(s for _, _, s in broken_changes),
        "broken canonical: URL kept (of 4)": sum(u in kept for u in broken),
    }


def side(code: Path) -> dict[str, int]:
    figures: dict[str, int] = {}
    for scenario in (live_blog, variants):
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            (work / "c.toml").write_text(CONFIG, encoding="utf-8")
            figures.update({f"{scenario.__name__}: {k}": v for k, v in scenario(code, work).items()})
    figures["commands stopped after 90 s (hung)"] = HUNG.get(code, 0)
    return figures


def corpus_live() -> dict[str, tuple[int, int, int]]:
    """Per corpus half: (pages, pages read as live blogs, pages marked LiveBlogPosting).
    None of the corpus pages is a live blog, so every page read as one is a false one."""
    import gzip

    from benchmarks.corpus_split import HALVES, split
    from monitor.extract.cascade import extract
    from tests.support.paths import CORPUS

    counts = {half: [0, 0, 0] for half in HALVES}
    for path in sorted(CORPUS.rglob("*.html*")):
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        text = raw.decode("utf-8", "replace")
        row = counts[split(path)]
        row[0] += 1
        row[1] += extract(text, "https://news.example/story").live is not None
        row[2] += "liveblogposting" in text.lower()
    return {half: (a, b, c) for half, (a, b, c) in counts.items()}


def corpus_variants() -> tuple[int, int]:
    """Real article URLs that ``is_variant`` would take for AMP, mobile or print pages."""
    from monitor.pipeline.variants import is_variant
    from tests.support.paths import CORPUS

    truth = CORPUS / "pages" / "scrapinghub-aeb" / "ground-truth.json"
    if not truth.is_file():
        return 0, 0
    entries = json.loads(truth.read_text(encoding="utf-8")).values()
    urls = [e["url"] for e in entries if isinstance(e, dict) and e.get("url")]
    return sum(map(is_variant, urls)), len(urls)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline-ref", default=None, help="default: merge base with main")
    parser.add_argument("--no-corpus", action="store_true", help="skip the real-page count")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        ref, tree = baseline_tree(args.baseline_ref, Path(tmp) / "baseline")
        ours, baseline = side(REPO), side(tree)
    width = max(map(len, ours))
    print(f"{'':{width}}  {'ours':>6}  {'baseline ' + ref:>20}")
    for key, value in ours.items():
        print(f"{key:{width}}  {value:>6}  {baseline.get(key, '-'):>20}")
    if not args.no_corpus:
        print("\nreal pages (../shared/corpus) read as live blogs, ours (the baseline has no live blogs):")
        for half, (pages, live, marked) in corpus_live().items():
            print(f"  {half:<8} {live} of {pages} pages ({marked} marked LiveBlogPosting)")
        taken, urls = corpus_variants()
        print(f"real article URLs (scrapinghub ground truth) taken for variants: {taken} of {urls}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
