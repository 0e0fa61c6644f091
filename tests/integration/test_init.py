"""`init` writes a starter config of real outlets that the monitor can use as it is."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from monitor.config import load_settings
from monitor.urls import canonicalize_url
from tests.conftest import run_cli


def test_init_writes_a_config_of_at_least_20_real_outlets(tmp_path: Path) -> None:
    """The starter config parses, has ≥ 20 outlets, each with an http(s) feed or sitemap on its own domain."""
    path = tmp_path / "am.toml"
    result = run_cli("init", str(path))
    assert result.code == 0, result.stderr
    settings = load_settings(path)
    assert len(settings.outlets) >= 20
    assert settings.fetch.allow_private_addresses is False
    for outlet in settings.outlets:
        urls = [*outlet.feeds, *outlet.sitemaps]
        assert urls, f"{outlet.name} has no feed"
        assert outlet.domains, f"{outlet.name} has no domain"
        for url in urls:
            assert canonicalize_url(url).startswith("https://"), url
            host = urlsplit(url).hostname or ""
            assert "." in host and not host.endswith((".example", "localhost"))


def test_starter_config_spans_languages_and_kinds_of_outlet(tmp_path: Path) -> None:
    """Besides English-language outlets the list has French, German, Spanish and Japanese ones, and a news sitemap."""
    path = tmp_path / "am.toml"
    run_cli("init", str(path))
    settings = load_settings(path)
    domains = {d for o in settings.outlets for d in o.domains}
    assert {"lemonde.fr", "spiegel.de", "elpais.com", "nhk.or.jp"} <= domains
    assert any(o.sitemaps for o in settings.outlets)


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    """An existing file is kept unless --force is given."""
    path = tmp_path / "am.toml"
    path.write_text("# mine\n")
    result = run_cli("init", str(path))
    assert result.code != 0 and "exists" in result.stderr
    assert path.read_text() == "# mine\n"
    assert run_cli("init", str(path), "--force").code == 0
    assert "[[outlets]]" in path.read_text()
