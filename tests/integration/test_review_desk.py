"""The review desk: the queue and its filters, and verdicts through a real `serve`.

The queue is read through Datasette's in-process client; the verdict flow runs against
`article-monitor serve` in a subprocess with a reviewer in its config, over real HTTP
with a cookie jar (login, Datasette's CSRF token, the redirect to the next change).
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import test_review_fixture as shared
from test_review_fixture import Filled, fill_database, get

from monitor.review.verdicts import verdicts_path
from tests.conftest import run_cli
from tests.support.review import csrf, free_port, login, reviewer_config, start_serve, stop

# the module-scoped fixtures, shared with the other review test modules
filled, ds, sql = shared.filled, shared.ds, shared.sql

_QUEUE_ROW = re.compile(r'<tr class="[^"]*" data-href="/-/monitor/change/(\d+)')


def queue_ids(html: str) -> list[int]:
    return [int(i) for i in _QUEUE_ROW.findall(html)]


def ids(sql: sqlite3.Connection, where: str = "1", params: tuple = ()) -> list[int]:
    return [
        r[0]
        for r in sql.execute(
            "SELECT c.id FROM changes c JOIN articles a ON a.id = c.article_id "
            f"LEFT JOIN outlets o ON o.id = a.outlet_id WHERE {where} "
            "ORDER BY c.detected_at DESC, c.id DESC",
            params,
        )
    ]


# ---------------------------------------------------------------- the queue


def test_desk_lists_changes_newest_first_with_summary(ds, sql) -> None:
    """The desk is the queue: every change newest first, with headline and summary."""
    html = get(ds, "/-/monitor").text
    assert queue_ids(html) == ids(sql)[:50]
    summary = sql.execute("SELECT summary FROM changes ORDER BY id LIMIT 1").fetchone()[0]
    assert f'<div class="summary">{summary.replace(chr(34), "&#34;")}</div>' in html


@pytest.mark.parametrize(
    ("query", "where"),
    [
        ("silent=1", "c.silent = 1"),
        ("silent=0", "c.silent = 0"),
        ("kind=headline", "c.kinds LIKE '%\"headline\"%'"),
        ("outlet=harbor", "o.name = 'harbor'"),
        ("silent=1&outlet=capitol&kind=headline", "c.silent = 1 AND o.name = 'capitol' "
         "AND c.kinds LIKE '%\"headline\"%'"),
    ],
)  # fmt: skip
def test_desk_filters_by_silent_kind_and_outlet(ds, sql, query: str, where: str) -> None:
    """Each filter (and their combination) lists exactly the matching changes."""
    expected = ids(sql, where)
    assert expected, f"the newsroom data has no change for {query}"
    html = get(ds, f"/-/monitor?{query}").text
    assert queue_ids(html) == expected
    assert f"{len(expected)} change" in html


def test_desk_filters_by_day(ds, sql) -> None:
    """The day filter lists the changes detected on that UTC day, offered in the select."""
    day = sql.execute("SELECT substr(MIN(detected_at), 1, 10) FROM changes").fetchone()[0]
    html = get(ds, f"/-/monitor?day={day}").text
    assert queue_ids(html) == ids(sql, "substr(c.detected_at, 1, 10) = ?", (day,))
    assert f'<option value="{day}" selected>' in html
    assert queue_ids(get(ds, "/-/monitor?day=2001-01-01").text) == []


def test_desk_ignores_filters_it_cannot_use_and_says_so(ds, sql) -> None:
    """A bad filter value is reported and ignored: the queue stays usable, no 500."""
    response = get(ds, "/-/monitor?silent=maybe&day=2026-13-45&kind=nonsense&page=x")
    assert response.status_code == 200
    assert "Ignored (not a valid filter): silent=maybe, kind=nonsense, day=2026-13-45" in (
        response.text
    )
    assert queue_ids(response.text) == ids(sql)[:50]


def test_change_page_walks_the_queue_it_was_opened_from(ds, sql) -> None:
    """From the desk filtered to silent edits, "older →" on a change page goes to the next
    silent edit, never to a change outside the queue, and links keep the filter."""
    silent = ids(sql, "c.silent = 1")
    seen, current = [], silent[0]
    while current is not None:
        seen.append(current)
        html = get(ds, f"/-/monitor/change/{current}?silent=1").text
        found = re.search(r'class="queue-older" rel="next" data-key="j" href="/-/monitor/change/'
                          r'(\d+)\?silent=1"', html)  # fmt: skip
        current = int(found.group(1)) if found else None
    assert seen == silent


# ---------------------------------------------------------------- verdicts over HTTP


@dataclass
class Served:
    base: str
    filled: Filled
    config: Path


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("desk")
    data = fill_database(folder / "monitor.db")
    config = reviewer_config(folder / "review.toml")
    port = free_port()
    proc = start_serve(data.path, config, port)
    try:
        yield Served(f"http://127.0.0.1:{port}", data, config)
    finally:
        stop(proc)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_without_login_a_verdict_is_refused(served: Served) -> None:
    """Logged out, the change page offers a login link instead of the verdict buttons, and
    a POST is refused (403) with a CSRF token and without one."""
    with httpx.Client(base_url=served.base) as client:
        page = client.get("/-/monitor/change/1")
        assert 'class="login-link"' in page.text and 'name="verdict"' not in page.text
        assert (
            client.post("/-/monitor/change/1/verdict", data={"verdict": "confirmed"}).status_code
            == 403
        )
        token = csrf(client.get("/-/monitor/login").text)
        refused = client.post(
            "/-/monitor/change/1/verdict", data={"verdict": "confirmed", "csrftoken": token}
        )
        assert refused.status_code == 403
    assert not any(True for _ in _verdict_rows(served))


def _verdict_rows(served: Served) -> list[tuple]:
    path = verdicts_path(served.filled.path)
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return conn.execute(
            "SELECT change_id, verdict, note, reviewer FROM verdicts ORDER BY change_id"
        ).fetchall()


def test_login_checks_the_password_and_never_redirects_off_site(served: Served) -> None:
    """A wrong password is a 403 with a message; the right one sets Datasette's actor
    cookie and returns to a local path only (an off-site `next` goes to the desk)."""
    with httpx.Client(base_url=served.base) as client:
        wrong = login(client, "not the password")
        assert wrong.status_code == 403 and "Wrong reviewer name or password" in wrong.text
        assert "ds_actor" not in client.cookies
        right = login(client, next_path="//evil.example/x")
        assert right.status_code == 303 and right.headers["location"] == "/-/monitor"
        assert "ds_actor" in client.cookies
        assert "reviewing as <strong>alice</strong>" in client.get("/-/monitor").text


def test_a_reviewer_records_verdicts_and_moves_through_the_queue(served: Served) -> None:
    """Logged in, a verdict needs the CSRF token (403 without), is stored in the verdicts
    file beside the database (the monitored file is not touched), shows on the desk and
    the change page, and leads to the next change of the queue the reviewer came from."""
    db = served.filled.path
    before = digest(db)
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    silent = [r[0] for r in conn.execute(
        "SELECT id FROM changes WHERE silent = 1 ORDER BY detected_at DESC, id DESC")]  # fmt: skip
    conn.close()
    queue = "silent=1&verdict=unreviewed"
    with httpx.Client(base_url=served.base) as client:
        assert login(client).status_code == 303
        page = client.get(f"/-/monitor/change/{silent[0]}?{queue}")
        assert 'value="confirmed"' in page.text
        no_token = client.post(
            f"/-/monitor/change/{silent[0]}/verdict", data={"verdict": "confirmed"}
        )
        assert no_token.status_code == 403
        saved = client.post(
            f"/-/monitor/change/{silent[0]}/verdict",
            data={"verdict": "confirmed", "note": "checked against the print edition",
                  "queue": queue, "csrftoken": csrf(page.text)},
        )  # fmt: skip
        assert saved.status_code == 303
        assert saved.headers["location"] == f"/-/monitor/change/{silent[1]}?{queue}"
        next_page = client.get(saved.headers["location"])
        assert f"Change #{silent[0]} marked confirmed." in next_page.text
        second = client.post(
            f"/-/monitor/change/{silent[1]}/verdict",
            data={"verdict": "false_positive", "queue": queue, "csrftoken": csrf(next_page.text)},
        )
        assert second.status_code == 303
        desk = client.get(f"/-/monitor?{queue}").text
        assert silent[0] not in queue_ids(desk) and silent[1] not in queue_ids(desk)
        reviewed = client.get("/-/monitor?verdict=confirmed").text
        assert queue_ids(reviewed) == [silent[0]]
        shown = client.get(f"/-/monitor/change/{silent[0]}").text
        assert "checked against the print edition" in shown and "by alice" in shown
    assert (silent[0], "confirmed", "checked against the print edition", "alice") in _verdict_rows(
        served
    )
    assert digest(db) == before, "the monitored database changed"


def test_bad_verdicts_are_refused_without_a_trace(served: Served) -> None:
    """An unknown verdict or an oversized note is a 400, an unknown change a 404, and a
    huge form a 413; nothing is stored."""
    with httpx.Client(base_url=served.base) as client:
        login(client)
        token = csrf(client.get("/-/monitor/change/2").text)
        stored = _verdict_rows(served)
        for data, status, path in (
            ({"verdict": "delete everything"}, 400, "/-/monitor/change/2/verdict"),
            ({"verdict": "reviewed", "note": "x" * 5000}, 400, "/-/monitor/change/2/verdict"),
            ({"verdict": "reviewed"}, 404, "/-/monitor/change/999999/verdict"),
            ({"verdict": "reviewed", "pad": "y" * 100_000}, 413, "/-/monitor/change/2/verdict"),
        ):
            response = client.post(path, data={**data, "csrftoken": token})
            assert response.status_code == status, (data.keys(), response.status_code)
        assert _verdict_rows(served) == stored


def test_false_positives_leave_the_scoreboard_and_join_the_export(served: Served) -> None:
    """A change marked false positive is left out of the reviewed scoreboard (its outlet
    has one change and one silent edit fewer), and `export changes` carries verdicts."""
    conn = sqlite3.connect(f"file:{served.filled.path}?mode=ro", uri=True)
    change_id, outlet = conn.execute(
        "SELECT c.id, o.name FROM changes c JOIN articles a ON a.id = c.article_id "
        "JOIN outlets o ON o.id = a.outlet_id WHERE c.silent = 1 ORDER BY c.id LIMIT 1"
    ).fetchone()
    conn.close()
    db = served.filled.path.stem
    with httpx.Client(base_url=served.base) as client:
        login(client)
        token = csrf(client.get(f"/-/monitor/change/{change_id}").text)
        client.post(
            f"/-/monitor/change/{change_id}/verdict",
            data={"verdict": "false_positive", "note": "a sidebar", "csrftoken": token},
        )
        plain = {
            r["outlet"]: r for r in client.get(f"/{db}/outlet_scoreboard.json?_shape=array").json()
        }
        kept = {
            r["outlet"]: r
            for r in client.get(f"/{db}/outlet_scoreboard_reviewed.json?_shape=array").json()
        }
    assert kept[outlet]["changes"] == plain[outlet]["changes"] - 1
    assert kept[outlet]["silent"] == plain[outlet]["silent"] - 1
    assert kept[outlet]["false_positives_left_out"] >= 1
    result = run_cli("export", "changes", db=served.filled.path)
    assert result.code == 0, result.stderr
    records = {r["change_id"]: r for r in map(json.loads, result.stdout.splitlines())}
    assert records[change_id]["verdict"] == "false_positive"
    assert records[change_id]["verdict_note"] == "a sidebar"
    assert records[change_id]["verdict_by"] == "alice"
    unreviewed = [r for r in records.values() if r["verdict"] is None]
    assert unreviewed and all(r["verdict_note"] is None for r in unreviewed)


def test_a_stale_verdict_never_attaches_to_another_change(tmp_path: Path) -> None:
    """A verdicts file left from an earlier database (the demo recreates its database) holds
    a verdict for change #1 of that database; the new database's change #1 shows as
    unreviewed, and the export leaves it out."""
    from monitor.review.app import make_datasette
    from monitor.review.verdicts import VerdictRecord, ensure_file, record

    data = fill_database(tmp_path / "monitor.db")
    path = verdicts_path(data.path)
    ensure_file(path)
    record(path, VerdictRecord(1, 1, "2001-01-01T00:00:00Z", "false_positive", "old", "bob",
                               "2001-01-02T00:00:00Z"))  # fmt: skip
    instance = make_datasette(data.path)
    html = get(instance, "/-/monitor/change/1").text
    assert "Not reviewed yet." in html and "bob" not in html
    assert 1 not in queue_ids(get(instance, "/-/monitor?verdict=false_positive").text)
    result = run_cli("export", "changes", db=data.path)
    first = json.loads(result.stdout.splitlines()[0])
    assert first["change_id"] == 1 and first["verdict"] is None


def test_serve_without_reviewers_is_read_only_and_says_how_to_add_one(tmp_path: Path) -> None:
    """No [review.reviewers]: the desk says it is read-only, the login page shows the
    config to add, and a POST is refused."""
    data = fill_database(tmp_path / "monitor.db")
    port = free_port()
    proc = start_serve(data.path, None, port)
    try:
        base = f"http://127.0.0.1:{port}"
        assert "read-only: no reviewers configured" in httpx.get(f"{base}/-/monitor").text
        assert "[review.reviewers]" in httpx.get(f"{base}/-/monitor/login").text
        assert (
            httpx.post(
                f"{base}/-/monitor/change/1/verdict", data={"verdict": "reviewed"}
            ).status_code
            == 403
        )
    finally:
        stop(proc)
