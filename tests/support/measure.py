"""Run the real CLI and measure what it cost: wall time and the process's peak RSS.

The peak is the kernel's own figure for that one child (``wait4`` rusage
``ru_maxrss``), so it counts every allocation, C libraries included, and nothing of
the test process or of other children.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from tests.support.paths import REPO


@dataclass
class Measured:
    code: int
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float


def run_measured(
    *args: str, db: Path | None = None, config: Path | None = None, timeout: float = 300
) -> Measured:
    """``python -m monitor [--db] [--config] ARGS`` in a subprocess; killed past ``timeout``
    (then the code is -9)."""
    argv = [sys.executable, "-m", "monitor"]
    if db is not None:
        argv += ["--db", str(db)]
    if config is not None:
        argv += ["--config", str(config)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARTICLE_MONITOR_")}
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.monotonic()
        proc = subprocess.Popen(
            [*argv, *args], stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env, cwd=REPO
        )
        killer = threading.Timer(timeout, proc.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        seconds = time.monotonic() - start
        out.seek(0)
        err.seek(0)
        return Measured(proc.returncode, out.read(), err.read(), seconds, usage.ru_maxrss / 1024)
