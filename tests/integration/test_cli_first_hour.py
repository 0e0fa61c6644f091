"""The first hour with the CLI (issue 13), through the real `python -m monitor`: help for a
bare command, typos in --db or in a URL that create nothing, and errors that say what to
change."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.integration.test_cli_errors import assert_one_line_error

LOCAL = "[fetch]\nallow_private_addresses = true\nmin_host_delay = 0\n"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("args", [(), ("feed",)], ids=["bare", "feed"])
def test_a_bare_command_prints_its_help_as_help(args: tuple[str, ...]) -> None:
    """`article-monitor` and `article-monitor feed` print the help laid out as `--help` does,
    on stdout, exit 0; not squeezed into one `error:` line."""
    result = run_cli(*args)
    assert result.code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == run_cli(*args, "--help").stdout
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Usage: article-monitor")
    assert "Commands:" in lines and len(lines) > 10
    assert "error" not in result.stdout.lower().split("commands:")[0]


@pytest.mark.parametrize(
    "args",
    [
        ("status",),
        ("export",),
        ("export", "versions", "--format", "csv"),
        ("feed", "list"),
        ("diff", "1"),
        ("gc", "--dry-run"),
        ("serve", "--port", "0"),
        ("check",),
        ("check", "--all"),
    ],
)
def test_reading_commands_refuse_a_database_that_does_not_exist(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    """`--db typo.db status` (and export, feed list, diff, gc, serve, a bare check) says
    there is no database there and what to do, exits 1, and creates no file."""
    typo = tmp_path / "typo.db"
    result = run_cli(*args, db=typo)
    assert_one_line_error(result, f"database {typo} does not exist")
    assert "--db" in result.stderr and "feed add URL" in result.stderr
    assert list(tmp_path.iterdir()) == [], "nothing may be created at a mistyped path"


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("add", "localhost:9/story"), "add the scheme: http://localhost:9/story"),
        (("add", "https://example.org/a", "gopher://x"), "unsupported scheme 'gopher'"),
        (("check", "example.org/news/a"), "add the scheme: https://example.org/news/a"),
        (("feed", "add", "ftp://example.org/rss.xml", "--no-verify"), "scheme"),
    ],
)
def test_a_failing_add_creates_no_database(
    tmp_path: Path, args: tuple[str, ...], fragment: str
) -> None:
    """A URL typed without a scheme is refused with the URL to type instead, and a refused
    `add`, `check URL` or `feed add` leaves no empty database behind."""
    db = tmp_path / "new.db"
    result = run_cli(*args, db=db)
    assert_one_line_error(result, fragment)
    assert not db.exists()


def test_a_failing_add_keeps_an_existing_database_byte_identical(tmp_path: Path) -> None:
    """On a database in use, a refused `add` changes nothing."""
    db = tmp_path / "m.db"
    assert run_cli("add", "https://example.org/a", db=db).code == 0
    assert run_cli("status", db=db).code == 0  # settle the WAL into the file
    before = digest(db)
    assert_one_line_error(run_cli("add", "example.org/b", db=db), "add the scheme")
    assert digest(db) == before


@pytest.mark.parametrize(
    ("args", "fixed"),
    [
        (("status", "--db", "x.db"), "article-monitor --db x.db status"),
        (("feed", "list", "--db=x.db"), "article-monitor --db=x.db feed list"),
        (
            ("check", "--all", "--config", "my config.toml", "--db", "x.db"),
            "article-monitor --config 'my config.toml' --db x.db check --all",
        ),
    ],
)
def test_a_global_option_after_the_command_gets_the_command_line_to_type(
    tmp_path: Path, args: tuple[str, ...], fixed: str
) -> None:
    """`status --db x` says global options go first, and shows the corrected command."""
    result = run_cli(*args)
    assert_one_line_error(result, "is a global option: put it before the command")
    assert result.stderr.rstrip().endswith(fixed), result.stderr
    assert result.code == 2


def test_check_on_a_new_database_runs_when_the_config_lists_feeds(
    newsroom, config_file: Path, tmp_path: Path
) -> None:
    """A first `check` with a config of outlets and feeds is legitimate work: it creates the
    database and tracks the feeds' articles (only a config with nothing to poll is refused)."""
    db = tmp_path / "first.db"
    result = run_cli("check", db=db, config=config_file)
    assert result.code == 0, result.stderr
    assert "new versions" in result.stdout and db.exists()


def test_export_of_an_unknown_outlet_is_an_error_naming_the_outlets(tmp_path: Path) -> None:
    """`export --outlet nope` is refused with the outlets there are, rather than writing an
    empty file without a word; a known outlet still exports."""
    db = tmp_path / "m.db"
    assert run_cli("add", "https://example.org/a", "--outlet", "gazette", db=db).code == 0
    out = tmp_path / "x.jsonl"
    result = run_cli("export", "--outlet", "nope", "-o", str(out), db=db)
    assert_one_line_error(result, "no outlet named 'nope' (outlets: gazette)")
    assert not out.exists()
    ok = run_cli("export", "--outlet", "gazette", "-o", str(out), db=db)
    assert ok.code == 0 and "wrote 0 changes records" in ok.stderr


def test_feed_list_shows_the_last_and_next_poll(newsroom, tmp_path: Path) -> None:
    """After a check, `feed list` says when each feed was last polled and is next due."""
    _, server = newsroom
    db, config = tmp_path / "m.db", tmp_path / "c.toml"
    config.write_text(LOCAL, encoding="utf-8")
    feed = server.feed_urls["capitol"][0]
    assert run_cli("feed", "add", feed, "--no-verify", db=db, config=config).code == 0
    assert "not polled yet" in run_cli("feed", "list", db=db, config=config).stdout
    assert run_cli("check", db=db, config=config).code == 0
    listed = run_cli("feed", "list", db=db, config=config).stdout
    assert feed in listed and "; last poll 20" in listed and "; next poll 20" in listed


def test_one_article_reads_in_the_singular(tmp_path: Path) -> None:
    """The summary of a one-article check, and `status` after it, read "1 article",
    "1 new version", "1 version", not "1 articles"."""
    from tests.support.httpserver import TestServer, text

    page = "<html><body><article><h1>Story</h1>" + "<p>A paragraph long enough to keep.</p>" * 4
    config = tmp_path / "c.toml"
    config.write_text(LOCAL, encoding="utf-8")
    with TestServer({"/a": text(page + "</article></body></html>")}) as server:
        result = run_cli("check", server.url("/a"), db=tmp_path / "m.db", config=config)
    assert result.code == 0, result.stderr
    assert result.stdout.splitlines()[-1].startswith("checked 1 article: 1 new version, 0 changes")
    status = run_cli("status", db=tmp_path / "m.db", config=config).stdout
    assert "tracked: 1 outlet, 0 feeds, 1 article (1 active)" in status
    assert "all time: 1 version, 0 changes" in status


def test_run_help_names_the_config_file_init_writes() -> None:
    """`init` writes article-monitor.toml; `run --help` shows that same name in its example."""
    assert "--config article-monitor.toml run" in run_cli("run", "--help").stdout
    assert "--config article-monitor.toml run" in run_cli("init", "--help").stdout
