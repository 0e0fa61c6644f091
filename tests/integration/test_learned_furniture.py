"""Learned furniture end to end: an outlet with a rotating rail inside the article.

The Rail Gazette (monitor.newsroom.rails) serves four articles from 127.0.0.1; every
request rotates a "More from the Gazette" rail of teasers and related-story credits
inside ``<article>``. The real CLI checks them repeatedly against a real SQLite file
(the core scenario on PostgreSQL too).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.newsroom.rails import RailOutlet, RailStory
from tests.conftest import run_cli
from tests.support.httpserver import Request, Response, TestServer, text
from tests.support.stores import fetch_rows

STORY = [
    "The council voted on Tuesday to close the {s} site for repairs next spring, "
    "after engineers raised alarms.",
    "Engineers found corrosion at the {s} site during an inspection in March, the "
    "city's report said.",
    "The closure of the {s} site is expected to last six weeks, and buses will run "
    "extra services during that time.",
    "Residents near the {s} site said they were worried about the commute, but most "
    "supported the repairs.",
]
NOTE = "Correction: An earlier version of this article misstated the length of the closure."
SLUGS = ("bridge", "ferry", "market", "school")
AUTHORS = ("Ann Lee", "Bo Chen", "Cara Diaz", "Dev Patel")


def _outlet() -> RailOutlet:
    """Four different stories (each paragraph names its own subject)."""
    return RailOutlet(
        {
            slug: RailStory(
                f"The {slug} story everyone is reading",
                author,
                [p.format(s=slug) for p in STORY],
            )
            for slug, author in zip(SLUGS, AUTHORS, strict=True)
        }
    )


@pytest.fixture
def gazette() -> Iterator[tuple[RailOutlet, TestServer]]:
    outlet = _outlet()

    def serve(request: Request) -> Response:
        page = outlet.page(request.path.strip("/"))
        return text(page) if page is not None else Response(404)

    with TestServer({f"/{slug}": serve for slug in SLUGS}) as server:
        yield outlet, server


def _config(path: Path, learn: bool = True, full_read_every: str = "6h") -> Path:
    path.write_text(
        "[fetch]\nallow_private_addresses = true\nmin_host_delay = 0\n"
        f"[schedule]\nfull_read_every = \"{full_read_every}\"\n"
        f"[furniture]\nlearn = {'true' if learn else 'false'}\n"
    )
    return path


def _setup(
    tmp_path: Path,
    server: TestServer,
    learn: bool,
    full_read_every: str = "6h",
    db: Path | str | None = None,
) -> tuple[Path | str, Path]:
    db = db or tmp_path / "m.db"
    config = _config(tmp_path / "c.toml", learn, full_read_every)
    added = run_cli("add", *(server.url(f"/{s}") for s in SLUGS), db=db, config=config)
    assert added.code == 0, added.stderr
    return db, config


def _check(db: Path | str, config: Path) -> None:
    result = run_cli("check", "--all", db=db, config=config)
    assert result.code == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def _changes(db: Path | str) -> list[tuple[str, str, list[str], str]]:
    rows = fetch_rows(
        db,
        "SELECT a.url, c.kinds, c.evidence, c.summary FROM changes c"
        " JOIN articles a ON a.id = c.article_id ORDER BY c.id",
    )
    return [
        (url, kinds, [e.get("new") or e.get("old") or "" for e in json.loads(ev)], summary)
        for url, kinds, ev, summary in rows
    ]


def _bylines(db: Path | str) -> set[str]:
    return {r[0] for r in fetch_rows(db, "SELECT byline FROM versions")}


def test_without_learning_the_rotating_rail_is_a_change_on_every_check(
    tmp_path: Path, gazette: tuple[RailOutlet, TestServer]
) -> None:
    """The baseline the feature exists for: with [furniture] learn = false, the rail's
    rotation is reported as changes (and its credits sit in the byline)."""
    _, server = gazette
    db, config = _setup(tmp_path, server, learn=False)
    for _ in range(3):
        _check(db, config)
    assert len(_changes(db)) >= len(SLUGS)
    assert any("Priya Nair" in b or "Tom Becker" in b for b in _bylines(db))


def test_learned_rail_makes_no_false_change_and_a_real_edit_is_still_found(
    tmp_path: Path, gazette: tuple[RailOutlet, TestServer], store_target: str
) -> None:
    """With learning (the default): four checks of four articles under a rotating rail
    give 0 changes; a changed figure in one story is then found, with evidence about
    the story only, and the stored byline holds no rail credit. The same on SQLite and
    on PostgreSQL."""
    outlet, server = gazette
    db, config = _setup(tmp_path, server, learn=True, db=store_target)
    for _ in range(4):
        _check(db, config)
    assert _changes(db) == []
    edited = outlet.stories["ferry"].paragraphs
    edited[2] = edited[2].replace("six weeks", "ten weeks")
    _check(db, config)
    changes = _changes(db)
    assert [c[0].rsplit("/", 1)[1] for c in changes] == ["ferry"]
    assert "numbers" in changes[0][1]
    assert all("Gazette" not in e and "..." not in e for e in changes[0][2]), changes
    latest = fetch_rows(
        db,
        "SELECT byline FROM versions v JOIN articles a ON a.id = v.article_id"
        " WHERE a.url LIKE '%/ferry' ORDER BY v.id DESC LIMIT 1",
    )[0][0]
    learned = fetch_rows(db, "SELECT COUNT(*) FROM furniture WHERE source = 'rotation'")
    assert learned[0][0] > 0
    assert latest == "Bo Chen"


def test_a_correction_note_repeated_across_articles_is_never_learned_away(
    tmp_path: Path, gazette: tuple[RailOutlet, TestServer]
) -> None:
    """The same correction line in every article is article text: removing it from one
    article later is still a change of that article."""
    outlet, server = gazette
    for story in outlet.stories.values():
        story.paragraphs.append(NOTE)
    db, config = _setup(tmp_path, server, learn=True)
    for _ in range(3):
        _check(db, config)
    assert _changes(db) == []
    outlet.stories["market"].paragraphs.remove(NOTE)
    _check(db, config)
    changes = _changes(db)
    assert [c[0].rsplit("/", 1)[1] for c in changes] == ["market"]
    assert any("misstated" in e for e in changes[0][2]), changes


def test_the_fast_path_keeps_vouching_for_pages_read_under_learned_furniture(
    tmp_path: Path, gazette: tuple[RailOutlet, TestServer]
) -> None:
    """A rail that does not rotate is learned by repetition, its credits too (the same
    names after four different lead authors); pages read in full under it read as the
    stored version (no change), and the next checks, trusting the fingerprint again,
    take the fast path: no full read, no change."""
    outlet, server = gazette
    outlet.rotate = False
    db, config = _setup(tmp_path, server, learn=True, full_read_every="0s")
    for _ in range(2):  # every read in full: the second under the learned rail
        _check(db, config)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM furniture WHERE seen_count >= 3").fetchone()[0]
        credited = conn.execute(
            "SELECT DISTINCT sample FROM furniture WHERE source = 'credit'"
            " GROUP BY credit_of HAVING COUNT(*) >= 3"
        ).fetchall()
        names = {r[0] for r in credited}
        assert names and not names & set(AUTHORS), names
        before = conn.execute("SELECT id, full_read_at FROM articles ORDER BY id").fetchall()
    trusting = _config(tmp_path / "trust.toml")
    _check(db, trusting)
    with sqlite3.connect(db) as conn:
        after = conn.execute("SELECT id, full_read_at FROM articles ORDER BY id").fetchall()
        fallbacks = conn.execute(
            "SELECT COUNT(*) FROM fetches WHERE fallbacks IS NOT NULL AND id > "
            "(SELECT MAX(id) - ? FROM fetches)",
            (len(SLUGS),),
        ).fetchone()[0]
    assert after == before, "no page was read in full: the fast path vouched for each"
    assert fallbacks == 0
    assert _changes(db) == []
