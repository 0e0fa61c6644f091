"""Config values that used to pass validation and fail at fetch time are refused up front."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.config import ConfigError, load_settings, parse_duration
from monitor.config_values import MAX_DURATION


def _load(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return load_settings(path)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[fetch]\ntimeout = nan", "[fetch] timeout"),
        ("[fetch]\ntimeout = inf", "[fetch] timeout"),
        ("[fetch]\nmin_host_delay = 1e400", "[fetch] min_host_delay"),
        ("[schedule]\nfeed_interval = -inf", "[schedule] feed_interval"),
        ("[schedule]\nstop_after = '99999999999999999999d'", "[schedule] stop_after"),
        ("[schedule]\ntiers = [['1d', nan]]", "[schedule] tiers interval"),
        ("[schedule]\nfull_read_every = 1e300", "[schedule] full_read_every"),
        ("[schedule]\njitter = nan", "[schedule] jitter"),
        ("[retention]\nsnapshot_max_age = inf", "[retention] snapshot_max_age"),
        ("[fetch]\nmax_bytes = 9223372036854775807", "[fetch] max_bytes"),
        ("[fetch]\nmax_concurrency = 1000000", "[fetch] max_concurrency"),
        ("[fetch]\nper_host_concurrency = 0", "[fetch] per_host_concurrency"),
        ("[fetch]\nmax_redirects = -1", "[fetch] max_redirects"),
        ("[schedule]\nsuspect_confirmations = 0", "[schedule] suspect_confirmations"),
        ("[discover]\nmax_new_per_poll = 0", "[discover] max_new_per_poll"),
        ("[discover]\nmax_new_per_day = 'lots'", "[discover] max_new_per_day"),
        ('[fetch]\nuser_agent = "bot/1.0\\nX-Evil: 1"', "[fetch] user_agent"),
        ('[fetch]\nuser_agent = "bot\\u0000"', "[fetch] user_agent"),
        ('[fetch]\nuser_agent = "bot café"', "[fetch] user_agent"),
        (
            "[[notify]]\nurl = 'https://hooks.example/x'\nheaders = { Authorization = \"a\\r\\nb\" }",
            "headers.Authorization",
        ),
        (
            "[[notify]]\nurl = 'https://hooks.example/x'\nheaders = { 'Bad Name' = 'v' }",
            "not a valid header name",
        ),
    ],
)
def test_out_of_range_values_are_one_line_errors_naming_the_key(
    tmp_path: Path, text: str, key: str
) -> None:
    """nan, inf, 1e400, absurd counts and header values with control or non-ASCII
    characters are refused when the config is read: one line, naming the key (before:
    accepted, then "robots.txt unreachable", a ValueError or an OverflowError at fetch)."""
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, text)
    message = str(caught.value)
    assert key in message and "\n" not in message


def test_a_notify_header_error_never_shows_the_secret(tmp_path: Path) -> None:
    """A bad Authorization value is named, never printed (it is usually a secret)."""
    text = (
        "[[notify]]\nurl = 'https://hooks.example/x'\nheaders = { Authorization = \"s3cr3t\\n\" }"
    )
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, text)
    assert "s3cr3t" not in str(caught.value)


def test_the_longest_duration_still_adds_to_a_date() -> None:
    """Any accepted duration can be added to or taken from today's date (no
    OverflowError later), and "9999d" (gc --older-than: keep everything) is accepted."""
    assert parse_duration("9999d", key="k") == 9999 * 86400
    longest = parse_duration(f"{int(MAX_DURATION // 86400)}d", key="k")
    today = datetime(2026, 1, 1, tzinfo=UTC)
    assert today + timedelta(seconds=longest) > datetime(2125, 1, 1, tzinfo=UTC)
    assert today - timedelta(seconds=longest) < datetime(1927, 1, 1, tzinfo=UTC)
    with pytest.raises(ConfigError, match="too long"):
        parse_duration(MAX_DURATION + 1, key="k")


def test_discover_caps_are_read(tmp_path: Path) -> None:
    """[discover] max_new_per_poll and max_new_per_day are read (defaults 1,000 and 5,000)."""
    assert _load(tmp_path, "").discover.max_new_per_poll == 1000
    settings = _load(tmp_path, "[discover]\nmax_new_per_poll = 50\nmax_new_per_day = 120\n")
    assert (settings.discover.max_new_per_poll, settings.discover.max_new_per_day) == (50, 120)
