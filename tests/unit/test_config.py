"""Config file parsing: durations, defaults, validation errors a user can act on."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import ConfigError, Settings, load_settings, parse_duration


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (90, 90.0),
        ("90s", 90.0),
        ("15m", 900.0),
        ("3h", 10800.0),
        ("2d", 172800.0),
        ("1.5h", 5400.0),
    ],
)
def test_durations_accept_numbers_and_units(value: object, seconds: float) -> None:
    """Durations are seconds as a number or a string with s/m/h/d units."""
    assert parse_duration(value) == seconds


@pytest.mark.parametrize("value", ["soon", "5 years", "-3h", True, None, "3x"])
def test_bad_durations_are_rejected_with_the_key(value: object) -> None:
    """A malformed duration names the offending key."""
    with pytest.raises(ConfigError, match="timeout"):
        parse_duration(value, key="timeout")


def test_no_config_gives_design_defaults() -> None:
    """Without a file, the defaults of DESIGN.md apply (5 MB cap, 15 min for young articles)."""
    settings = load_settings(None)
    assert settings.fetch.max_bytes == 5_000_000
    assert settings.fetch.allow_private_addresses is False
    assert settings.schedule.tiers[0] == (3 * 3600, 15 * 60)
    assert settings.schedule.stop_after == 30 * 86400


def test_full_config_is_read_into_typed_settings(tmp_path: Path) -> None:
    """The DESIGN.md example config parses into the typed settings object."""
    path = write(
        tmp_path,
        """
[fetch]
user_agent = "article-monitor/1.0 (+https://example.org/contact)"
timeout = "20s"
max_bytes = 5000000
per_host_concurrency = 2
allow_private_addresses = true

[schedule]
tiers = [["3h", "15m"], ["1d", "1h"], ["3d", "3h"], ["30d", "1d"]]
stop_after = "30d"
feed_interval = "5m"
jitter = 0.1

[[outlets]]
name = "capitol"
feeds = ["https://example.org/rss.xml"]
sitemaps = []
selectors = { title = "h1.headline", byline = ".byline", body = ".story-text p" }
""",
    )
    settings = load_settings(path)
    assert isinstance(settings, Settings)
    assert settings.fetch.timeout == 20.0 and settings.fetch.allow_private_addresses
    assert settings.schedule.tiers[1] == (86400.0, 3600.0)
    assert settings.schedule.feed_interval == 300.0
    outlet = settings.outlet("capitol")
    assert outlet is not None and outlet.selectors["body"] == ".story-text p"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[fetch\nuser_agent=1", "not valid TOML"),
        ("[fetch]\ntimeout = 'forever'", "timeout"),
        ("[fetch]\nmax_bytes = 'big'", "max_bytes"),
        ("[fetch]\nspeed = 3", "unknown key"),
        ("[schedule]\njitter = 2", "jitter"),
        ("[schedule]\ntiers = [['1d', '1h'], ['3h', '15m']]", "youngest first"),
        ("[[outlets]]\nfeeds = []", "needs a name"),
        ("[[outlets]]\nname = 'a'\nfeeds = ['ftp://x/feed']", "not an http"),
        ("[[outlets]]\nname = 'a'\nselectors = { headline = 'h1' }", "unknown selector"),
        ("[[outlets]]\nname = 'a'\nselectors = { title = 'h1[[[' }", "not a valid CSS selector"),
        ("[surprise]\nx = 1", "unknown config section"),
    ],
)
def test_broken_config_gives_one_line_error(tmp_path: Path, text: str, message: str) -> None:
    """Every config mistake is a ConfigError whose one-line message points at the problem."""
    with pytest.raises(ConfigError, match=message) as caught:
        load_settings(write(tmp_path, text))
    assert "\n" not in str(caught.value)


def test_missing_config_file_is_reported(tmp_path: Path) -> None:
    """A config path that does not exist is named in the error."""
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.toml")


def test_furniture_section_defaults_values_and_mistakes(tmp_path: Path) -> None:
    """[furniture]: learning on by default (3 articles, 40 words); values are read; a
    count out of range or an unknown key is a one-line ConfigError."""
    assert Settings().furniture.learn and Settings().furniture.min_articles == 3
    path = tmp_path / "c.toml"
    path.write_text("[furniture]\nlearn = false\nmin_articles = 5\nmax_words = 20\n")
    got = load_settings(path).furniture
    assert (got.learn, got.min_articles, got.max_words) == (False, 5, 20)
    for bad, message in (("min_articles = 1", "min_articles"), ("depth = 2", "unknown key")):
        path.write_text(f"[furniture]\n{bad}\n")
        with pytest.raises(ConfigError, match=message) as caught:
            load_settings(path)
        assert "\n" not in str(caught.value)
