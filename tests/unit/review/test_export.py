"""Export for researchers: changes and versions as JSON Lines/CSV, NewsEdits-style sentence ops."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import pytest

from monitor import store
from monitor.config import load_settings
from monitor.models import Version
from monitor.net.fetch import Fetcher
from monitor.pipeline.check import run_pass
from monitor.review.export import sentence_ops
from tests.conftest import run_cli


def version(body: list[str], number: int = 1) -> Version:
    return Version(number, 1, "2026-11-25T12:00:00Z", "T", "", "\n\n".join(body), f"h{number}")


def test_sentence_ops_name_added_removed_edited_and_moved_sentences() -> None:
    """Sentences are compared across paragraph breaks: each op says what happened to one sentence."""
    old = version(
        ["The mayor spoke on Monday. She promised 200 new homes.", "Critics were unconvinced."]
    )
    new = version(
        [
            "Critics were unconvinced.",
            "The mayor spoke on Monday. She promised 250 new homes.",
            "Her office did not respond to a request for comment.",
        ],
        2,
    )
    ops = {(op.op, op.old, op.new) for op in sentence_ops(old, new)}
    assert ("edited", "She promised 200 new homes.", "She promised 250 new homes.") in ops
    assert ("added", None, "Her office did not respond to a request for comment.") in ops
    assert any(op == "moved" for op, _, _ in ops)
    assert not any(op == "removed" for op, _, _ in ops)


@pytest.fixture
def filled_db(newsroom, config_file: Path, tmp_path: Path, clock) -> Path:
    room, _ = newsroom
    settings = load_settings(config_file)
    path = tmp_path / "m.db"
    db = store.open_db(path)
    with Fetcher(settings.fetch, clock=clock) as fetcher:
        for step in range(4):
            if step:
                room.advance()
                clock.advance(minutes=20)
            run_pass(db, fetcher, settings, clock=clock, rng=random.Random(0), check_all=True)
    return path


def test_export_changes_as_jsonl_and_csv(filled_db: Path, tmp_path: Path) -> None:
    """Every change is one JSON line (kinds as a list) and one CSV row with the same ids."""
    out = tmp_path / "changes.jsonl"
    result = run_cli("export", "changes", "-o", str(out), db=filled_db)
    assert result.code == 0, result.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    db = store.open_db(filled_db)
    assert len(rows) == db.execute("SELECT COUNT(*) FROM changes").fetchone()[0] > 0
    assert any("comment_line" in r["kinds"] and r["silent"] is True for r in rows)
    assert all(r["url"].startswith("http://127.0.0.1:") for r in rows)

    as_csv = run_cli("export", "changes", "--format", "csv", "--silent-only", db=filled_db)
    table = list(csv.DictReader(as_csv.stdout.splitlines()))
    assert table and all(r["silent"] == "True" for r in table)
    assert {int(r["change_id"]) for r in table} <= {r["change_id"] for r in rows}


def test_export_versions_and_sentences(filled_db: Path) -> None:
    """Versions carry their full text; sentence export lists the seed comment line as added."""
    versions = run_cli("export", "versions", db=filled_db)
    rows = [json.loads(line) for line in versions.stdout.splitlines()]
    assert rows and all(r["body"] and r["title"] for r in rows)
    sentences = run_cli("export", "sentences", "--outlet", "capitol", db=filled_db)
    ops = [json.loads(line) for line in sentences.stdout.splitlines()]
    assert any(
        o["op"] == "added" and "did not immediately respond" in (o["new_sentence"] or "")
        for o in ops
    )
    assert all(o["outlet"] == "capitol" for o in ops)


def test_export_rejects_a_bad_since(filled_db: Path) -> None:
    """A --since that is not a date is a one-line error."""
    result = run_cli("export", "changes", "--since", "last tuesday", db=filled_db)
    assert result.code != 0 and "not a date" in result.stderr and "Traceback" not in result.stderr
