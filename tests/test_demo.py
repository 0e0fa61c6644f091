"""The offline demo a newcomer runs first."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import run_cli


def test_demo_runs_unattended_and_finds_silent_edits(tmp_path: Path) -> None:
    """`demo --for N` runs the newsroom offline, exits 0 and reports silent edits it recorded."""
    db = tmp_path / "demo.db"
    result = run_cli(
        "demo", "--for", "10", "--step-seconds", "0.7", "--demo-db", str(db), timeout=120
    )
    assert result.code == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "SILENT [comment_line]" in result.stdout
    match = re.search(
        r"demo finished: \d+ articles, \d+ versions, (\d+) changes, (\d+) silent", result.stdout
    )
    assert match and int(match.group(2)) > 0
    assert "review UI answered at http://127.0.0.1:" in result.stdout
    assert "[restored]" in result.stdout, (
        "a story taken down and put back is noticed within the demo"
    )
    shown = run_cli("--db", str(db), "status")
    assert shown.code == 0 and "silent" in shown.stdout
