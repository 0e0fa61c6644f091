"""The exception tree: one ``MonitorError`` catches every error the monitor raises on purpose."""

from __future__ import annotations

import pytest

from monitor.config import parse_settings
from monitor.discover.parse import parse_feed
from monitor.errors import BadURL, ConfigError, FeedError, MonitorError, StoreError
from monitor.store import open_db
from monitor.urls import canonicalize_url


def test_a_script_catches_config_url_feed_and_store_errors_as_one() -> None:
    """Bad config, a bad URL, a non-feed and a non-database each raise a MonitorError
    subclass with a one-line message, and stay ValueErrors where they were before."""
    raised = []
    for attempt in (
        lambda: parse_settings("[fetch]\ntimeout = 'soon'\n"),
        lambda: canonicalize_url("ftp://example.org/x"),
        lambda: parse_feed(b"<html><body>not a feed</body></html>", "https://example.org/f"),
    ):
        with pytest.raises(MonitorError) as info:
            attempt()
        assert "\n" not in str(info.value)
        raised.append(type(info.value))
    assert raised == [ConfigError, BadURL, FeedError]
    assert all(issubclass(kind, ValueError) for kind in raised)


def test_a_file_that_is_not_a_database_is_a_store_error(tmp_path) -> None:
    """Opening a file that is not SQLite says so as a StoreError, not a sqlite3 traceback."""
    path = tmp_path / "notes.db"
    path.write_text("shopping list: milk, eggs\n" * 100)
    with pytest.raises(StoreError):
        open_db(path)
