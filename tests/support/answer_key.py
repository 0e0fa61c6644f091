"""The newsroom's answer key, checked against what a monitor database recorded."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from monitor import store
from monitor.store import versions
from monitor.times import iso
from monitor.urls import canonicalize_url


def _change_at(db, article_id: int, when: str) -> dict | None:
    rows = [c for c in versions.changes_of(db, article_id) if c["detected_at"] == when]
    assert len(rows) <= 1, f"two changes recorded at {when} for article {article_id}"
    return rows[0] if rows else None


def find_article(db, server, outlet: str, slug: str) -> dict:
    found = store.find_article(db, canonicalize_url(server.article_url(outlet, slug)))
    assert found is not None, f"{outlet}/{slug} was never discovered from the feeds"
    return found


def scripted_edit_problems(room, server, db, start: datetime, step: timedelta) -> list[str]:
    """Every scripted edit not recorded as one change with its kinds and silent flag at its
    step (passes ran at ``start + step * n``), and every change where none was scripted."""
    problems = []
    for edit in room.expectations():
        article = find_article(db, server, edit.outlet, edit.slug)
        change = _change_at(db, article["id"], iso(start + step * edit.step))
        label = f"{edit.outlet}/{edit.slug} step {edit.step} ({edit.note})"
        if not edit.expect_version:
            if change is not None:
                problems.append(f"{label}: unexpected change {change['kinds']}")
            continue
        if change is None:
            problems.append(f"{label}: no change recorded")
            continue
        kinds = set(json.loads(change["kinds"]))
        if not edit.kinds <= kinds:
            problems.append(f"{label}: kinds {sorted(kinds)} lack {sorted(edit.kinds - kinds)}")
        if bool(change["silent"]) != edit.silent:
            problems.append(f"{label}: silent={change['silent']} expected {edit.silent}")
    return problems
