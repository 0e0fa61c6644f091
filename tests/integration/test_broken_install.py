"""A broken installation is reported as such, never as pages that read empty."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO
from tests.support.httpserver import TestServer, text
from tests.unit.extract.test_extract import page

# What trafilatura raised on installs whose pip skipped lxml's html-clean extra.
MISSING = "lxml.html.clean module is now a separate project lxml_html_clean"


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real CLI, with a trafilatura on the path that fails to import like a broken one."""
    broken = tmp_path / "broken" / "trafilatura"
    broken.mkdir(parents=True, exist_ok=True)
    (broken / "__init__.py").write_text(f"raise ImportError({MISSING!r})\n", encoding="utf-8")
    config = tmp_path / "c.toml"
    config.write_text("[fetch]\nallow_private_addresses = true\nmin_host_delay = 0\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARTICLE_MONITOR_")}
    env["PYTHONPATH"] = str(broken.parent)
    argv = [
        sys.executable,
        "-m",
        "monitor",
        "--db",
        str(tmp_path / "m.db"),
        "--config",
        str(config),
    ]
    return subprocess.run(
        [*argv, *args], capture_output=True, text=True, env=env, cwd=REPO, timeout=60
    )


def test_missing_extractor_library_is_an_error_naming_it(tmp_path: Path) -> None:
    """When the generic extractor cannot be imported, `check` reports an error that names the
    import failure (and `status` keeps it), instead of calling the page's body empty
    ("suspect") or storing an empty version."""
    with TestServer({"/a": text(page(), "text/html")}) as server:
        assert _cli(tmp_path, "add", server.url("/a")).returncode == 0
        checked = _cli(tmp_path, "check", "--all")
    assert "ImportError" in checked.stdout and MISSING in checked.stdout
    assert "1 error" in checked.stdout.splitlines()[-1]
    assert "suspect" not in checked.stdout
    assert "Traceback" not in checked.stderr
    status = _cli(tmp_path, "status")
    assert MISSING in status.stdout and "0 versions" in status.stdout
