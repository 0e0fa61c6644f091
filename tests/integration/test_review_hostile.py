"""Hostile input at the review server: a 1 MB headline, a diff that takes a second to
compute, many of them at once. The server (a real `serve` subprocess) keeps answering
other requests within a second, shows the huge change as "too large to show inline",
and never puts more than a bounded excerpt of it in a page.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from monitor import store
from monitor.models import Classification, Evidence
from monitor.store import versions
from tests.support.review import free_port, start_serve

HUGE_CHARS = 1_000_000


@dataclass
class Hostile:
    base: str
    huge_change: int  # a 1 MB headline rewritten (past the size limit)
    heavy_change: int  # 195 paragraphs, every one rewritten (under the limit, ~1 s to diff)
    heavy_article: int


def _words(rng: random.Random, count: int) -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyz"
    return " ".join("".join(rng.choices(alphabet, k=rng.randint(3, 9))) for _ in range(count))


def _change(db, article_id: int, old, new, kind: str, field: str, when: str) -> int:
    """Store a change the way the pipeline does, with a classification made by hand (the
    pipeline's own classify would spend seconds on a 1 MB headline: not under test)."""
    evidence = Evidence(kind, field, new.title[:200], old.title[:200], new.title[:200])
    verdict = Classification((kind,), (evidence,), True, f"{kind} changed")
    return versions.insert_change(
        db,
        article_id,
        from_version_id=old.id,
        to_version_id=new.id,
        detected_at=when,
        classification=verdict,
    )


def build_hostile_database(path: Path) -> tuple[int, int, int]:
    rng = random.Random(7)
    db = store.open_db(path)
    stamp = "2026-11-25T12:00:00Z"
    with store.transaction(db):
        huge_article, _ = store.add_article(db, "http://127.0.0.1/huge", None, stamp)
        titles = [_words(rng, HUGE_CHARS // 6)[:HUGE_CHARS] for _ in range(2)]
        old, new = (
            versions.insert_version(
                db,
                huge_article,
                {
                    "captured_at": stamp,
                    "title": title,
                    "byline": "",
                    "content_hash": str(n),
                    "body": _words(rng, 50) + ".",
                },
            )
            for n, title in enumerate(titles)
        )
        huge = _change(db, huge_article, old, new, "headline", "title", stamp)
        heavy_article, _ = store.add_article(db, "http://127.0.0.1/heavy", None, stamp)
        paragraphs = [_words(rng, 45) + "." for _ in range(195)]
        rewritten = [_words(rng, 45) + "." for _ in range(195)]
        old, new = (
            versions.insert_version(
                db,
                heavy_article,
                {
                    "captured_at": stamp,
                    "title": f"Heavy {n}",
                    "byline": "",
                    "content_hash": f"h{n}",
                    "body": "\n\n".join(body),
                },
            )
            for n, body in enumerate((paragraphs, rewritten))
        )
        heavy = _change(db, heavy_article, old, new, "wording", "body", stamp)
    db.conn.close()
    return huge, heavy, heavy_article


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hostile]:
    path = tmp_path_factory.mktemp("hostile") / "monitor.db"
    huge, heavy, heavy_article = build_hostile_database(path)
    port = free_port()
    proc = start_serve(path, None, port)
    try:
        yield Hostile(f"http://127.0.0.1:{port}", huge, heavy, heavy_article)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_a_huge_change_is_shown_as_too_large_with_bounded_excerpts(hostile: Hostile) -> None:
    """The 1 MB headline change answers quickly with "too large to show inline", links to
    both versions, and the page holds a bounded excerpt, not megabytes of diff."""
    started = time.monotonic()
    response = httpx.get(f"{hostile.base}/-/monitor/change/{hostile.huge_change}", timeout=30)
    assert response.status_code == 200
    assert time.monotonic() - started < 5
    assert "too large to show inline" in response.text
    assert "a headline of 1,000,000 characters" in response.text
    assert len(response.content) < 100_000
    card = httpx.get(f"{hostile.base}/-/monitor/change/{hostile.huge_change}/card.png", timeout=30)
    assert card.status_code == 200 and card.content[:4] == b"\x89PNG"
    desk = httpx.get(f"{hostile.base}/-/monitor", timeout=30)
    assert desk.status_code == 200 and len(desk.content) < 100_000


def test_other_requests_are_answered_within_a_second_while_big_changes_render(
    hostile: Hostile,
) -> None:
    """While four heavy renders run (two ~1 s diffs, the huge change, its card), the desk
    answers every request within a second: diffs are computed off the event loop."""
    results: dict[str, float] = {}

    def render(name: str, path: str) -> None:
        started = time.monotonic()
        response = httpx.get(f"{hostile.base}{path}", timeout=60)
        assert response.status_code == 200
        results[name] = time.monotonic() - started
        if name.startswith("heavy"):
            assert 'class="the-edit"' in response.text

    heavy = f"/-/monitor/change/{hostile.heavy_change}"
    renders = [
        threading.Thread(target=render, args=(name, path))
        for name, path in (
            ("heavy-1", heavy),
            ("heavy-2", f"{heavy}?silent=1"),
            ("huge", f"/-/monitor/change/{hostile.huge_change}"),
            ("huge-card", f"/-/monitor/change/{hostile.huge_change}/card.png"),
            ("heavy-compare", f"/-/monitor/article/{hostile.heavy_article}/compare"),
        )
    ]
    for thread in renders:
        thread.start()
    time.sleep(0.2)  # the renders are under way
    waits = []
    while any(t.is_alive() for t in renders[:2]) or len(waits) < 3:
        started = time.monotonic()
        assert httpx.get(f"{hostile.base}/-/monitor", timeout=10).status_code == 200
        waits.append(time.monotonic() - started)
        time.sleep(0.05)
    for thread in renders:
        thread.join(timeout=60)
    assert set(results) == {"heavy-1", "heavy-2", "huge", "huge-card", "heavy-compare"}
    assert max(waits) < 1.0, f"the desk waited {max(waits):.2f} s (all: {waits})"
    assert max(results["heavy-1"], results["heavy-2"]) > max(waits), results


def _children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (from /proc: no extra dependency)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc (Linux)")
@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGKILL"])
def test_the_render_process_ends_with_the_server(tmp_path: Path, signal_name: str) -> None:
    """Once a change has been rendered, `serve` has a render process; stopping `serve`
    (SIGTERM, or even SIGKILL) leaves no process of it behind within a few seconds."""
    import signal

    path = tmp_path / "monitor.db"
    build_hostile_database(path)
    port = free_port()
    proc = start_serve(path, None, port)
    try:
        page = httpx.get(f"http://127.0.0.1:{port}/-/monitor/change/2", timeout=30)
        assert page.status_code == 200 and 'class="the-edit"' in page.text
        helpers = _children(proc.pid)
        assert helpers, "no render process was started"
        proc.send_signal(getattr(signal, signal_name))
        proc.wait(timeout=15)
        deadline = time.monotonic() + 5
        while any(_alive(p) for p in helpers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [p for p in helpers if _alive(p)], "a render process outlived serve"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
