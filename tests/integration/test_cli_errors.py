"""Bad input: one line on stderr, a non-zero exit, no traceback, and the database untouched."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.conftest import run_cli


def assert_one_line_error(result, fragment: str) -> None:
    assert result.code != 0, result
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("article-monitor: error:")
    assert fragment.lower() in lines[0].lower(), lines[0]


@pytest.fixture
def db_with_article(tmp_path: Path) -> Path:
    db = tmp_path / "m.db"
    result = run_cli("add", "https://example.org/news/a.html?utm_source=x#top", db=db)
    assert result.code == 0, result.stderr
    return db


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("check", "--bogus"), "no such option"),
        (("frobnicate",), "no such command"),
        (("add", "not a url"), "not a url"),
        (("add", "ftp://example.org/file"), "scheme"),
        (("add", "https://example.org/ok", "mailto:someone@example.org"), "scheme"),
        (("diff", "999"), "no tracked article"),
        (("diff", "1", "--format", "pdf"), "invalid value"),
    ],
)
def test_bad_arguments_fail_in_one_line_and_keep_the_data(
    db_with_article: Path, args, fragment
) -> None:
    """Unknown options and commands, non-URLs, unsupported schemes: one-line error, data kept."""
    before = run_cli("status", db=db_with_article).stdout
    result = run_cli(*args, db=db_with_article)
    assert_one_line_error(result, fragment)
    assert run_cli("status", db=db_with_article).stdout.split("\n")[1] == before.split("\n")[1]


def test_bad_url_in_a_list_adds_nothing(db_with_article: Path) -> None:
    """`add good bad` is refused whole: the good URL is not half-added."""
    run_cli("add", "https://example.org/b", "gopher://x", db=db_with_article)
    listed = run_cli("status", db=db_with_article).stdout
    assert "1 article (" in listed


def test_broken_config_file_is_a_one_line_error(tmp_path: Path, db_with_article: Path) -> None:
    """A config that is not TOML stops the command before the database is touched."""
    config = tmp_path / "broken.toml"
    config.write_text("[fetch\nuser_agent = ", encoding="utf-8")
    before = digest(db_with_article)
    result = run_cli("check", db=db_with_article, config=config)
    assert_one_line_error(result, "not valid TOML")
    assert digest(db_with_article) == before


def test_missing_database_directory_is_reported(tmp_path: Path) -> None:
    """A --db in a directory that does not exist names that directory."""
    result = run_cli("status", db=tmp_path / "no" / "such" / "dir" / "m.db")
    assert_one_line_error(result, "directory does not exist")


def test_a_foreign_file_is_not_used_as_the_database(tmp_path: Path) -> None:
    """Pointing --db at a non-database file fails and leaves the file byte-identical."""
    victim = tmp_path / "notes.txt"
    victim.write_text("my precious notes\n" * 100)
    before = digest(victim)
    result = run_cli("status", db=victim)
    assert_one_line_error(result, "database")
    assert digest(victim) == before


def _all_commands() -> list[tuple[str, ...]]:
    from monitor.cli.main import cli

    found: list[tuple[str, ...]] = []
    for name, command in cli.commands.items():
        found.append((name,))
        for sub in getattr(command, "commands", {}):
            found.append((name, sub))
    return found


def test_help_has_an_example_for_every_command() -> None:
    """`--help` of every command and subcommand shows an example invocation."""
    commands = _all_commands()
    assert len(commands) >= 13
    for command in commands:
        result = run_cli(*command, "--help")
        assert result.code == 0
        assert "Example" in result.stdout, command
        assert "article-monitor " in result.stdout.split("Example", 1)[1], command
