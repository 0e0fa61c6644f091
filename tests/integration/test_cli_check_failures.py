"""`check` says which URLs could not be fetched and why, and its exit code says whether
anything could be fetched at all (issue 13), through the real `python -m monitor`."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.integration.test_cli_errors import assert_one_line_error
from tests.support.httpserver import TestServer, text

PAGE = (
    "<html><body><article><h1>Story</h1>"
    + "<p>A paragraph of the story, long enough to keep.</p>" * 4
    + "</article></body></html>"
)


@pytest.fixture
def local_config(tmp_path: Path) -> Path:
    config = tmp_path / "c.toml"
    config.write_text(
        "[fetch]\nallow_private_addresses = true\nmin_host_delay = 0\n", encoding="utf-8"
    )
    return config


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_url_that_answers_404_is_reported_gone_and_check_exits_1(
    tmp_path: Path, local_config: Path
) -> None:
    """`check URL` on a 404 prints "gone: URL: HTTP 404" with a hint, counts it in the
    summary (never "0 errors" and nothing else), and exits 1: nothing could be checked."""
    with TestServer({"/here": text(PAGE)}) as server:
        missing = server.url("/nope")
        result = run_cli("check", missing, db=tmp_path / "m.db", config=local_config)
    assert f"gone: {missing}: HTTP 404" in result.stdout
    assert "is the URL right?" in result.stdout
    assert "1 gone (404/410)" in result.stdout.splitlines()[-1]
    assert_one_line_error(result, "nothing could be checked (1 gone (404/410))")
    assert result.code == 1


def test_a_refused_connection_is_reported_and_check_exits_1(
    tmp_path: Path, local_config: Path
) -> None:
    """`check URL` on a closed port names the refused connection and what to check, not
    "robots.txt unreachable", and exits 1."""
    url = f"http://127.0.0.1:{closed_port()}/story"
    result = run_cli("check", url, db=tmp_path / "m.db", config=local_config)
    line = next(x for x in result.stdout.splitlines() if x.startswith("error: "))
    assert line.startswith(f"error: {url}: network_error:")
    assert "Connection refused" in line and "is the server up, and the port right?" in line
    assert "unreachable" not in result.stdout
    assert "1 error" in result.stdout.splitlines()[-1]
    assert_one_line_error(result, "nothing could be checked (1 error)")


def test_a_private_address_names_the_setting_to_change(tmp_path: Path) -> None:
    """Without a config, a 127.0.0.1 URL is refused by the address guard, and the line says
    which setting allows it."""
    with TestServer({"/a": text(PAGE)}) as server:
        result = run_cli("check", server.url("/a"), db=tmp_path / "m.db")
        assert server.connections == 0
    assert "address_refused" in result.stdout
    assert "[fetch] allow_private_addresses = true" in result.stdout
    assert result.code == 1


def test_one_page_fetched_among_failures_is_success(tmp_path: Path, local_config: Path) -> None:
    """When some pages answer, `check` exits 0 and still lists each failure."""
    dead = f"http://127.0.0.1:{closed_port()}/story"
    with TestServer({"/a": text(PAGE)}) as server:
        good, missing = server.url("/a"), server.url("/missing")
        result = run_cli("check", good, missing, dead, db=tmp_path / "m.db", config=local_config)
    assert result.code == 0, result.stderr
    assert f"gone: {missing}: HTTP 404" in result.stdout
    assert f"error: {dead}: network_error:" in result.stdout
    summary = result.stdout.splitlines()[-1]
    assert summary.startswith("checked 3 articles: 1 new version,")
    assert "1 error, 1 gone (404/410)" in summary


def test_nothing_due_is_not_a_failure(tmp_path: Path, local_config: Path) -> None:
    """A `check` with nothing due fetches nothing and exits 0: only wanted work that could
    not be fetched is a failure."""
    db = tmp_path / "m.db"
    with TestServer({"/a": text(PAGE)}) as server:
        assert run_cli("check", server.url("/a"), db=db, config=local_config).code == 0
        again = run_cli("check", db=db, config=local_config)
    assert again.code == 0, again.stderr
    assert again.stdout.splitlines()[-1].startswith("checked 0 articles")


def test_feed_add_on_a_closed_port_says_the_connection_was_refused(
    tmp_path: Path, local_config: Path
) -> None:
    """`feed add` on a closed port names the refused connection and offers --no-verify;
    no database is left behind."""
    db = tmp_path / "m.db"
    result = run_cli(
        "feed", "add", f"http://127.0.0.1:{closed_port()}/rss.xml", db=db, config=local_config
    )
    assert_one_line_error(result, "Connection refused")
    assert "robots.txt unreachable" not in result.stderr
    assert "--no-verify" in result.stderr
    assert not db.exists()
