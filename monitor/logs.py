"""One line per event, ``key=value`` pairs, on stdout: journald stores it, grep reads it.

event=check url=https://example.org/a outcome=changed kinds=headline silent=1 ms=12
"""

from __future__ import annotations

import sys
import threading
from typing import IO

_lock = threading.Lock()


def _value(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".")
    if isinstance(value, list | tuple | set | frozenset):
        return _value(",".join(str(v) for v in value) or "-")
    text = " ".join(str(value).split())  # one event, one line, whatever the message held
    if not text:
        return '""'
    if any(c in text for c in ' "=\\'):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


def format_event(event: str, **fields: object) -> str:
    """``event=NAME k=v ...``; values with spaces or quotes are double-quoted."""
    parts = [f"event={_value(event)}"]
    parts += [f"{key}={_value(value)}" for key, value in fields.items()]
    return " ".join(parts)


def log_event(event: str, *, stream: IO[str] | None = None, **fields: object) -> None:
    """Write one event line and flush it, so a crash loses no line already written."""
    line = format_event(event, **fields)
    out = stream or sys.stdout
    with _lock:
        try:
            out.write(line + "\n")
            out.flush()
        except (BrokenPipeError, ValueError):
            pass  # nobody listening any more (closed pipe at shutdown): keep running
