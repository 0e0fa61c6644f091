"""What the CLI says when something is wrong: each message names what to change.

Pure formatting over what a command learned (a fetch outcome, a usage error, a
missing file); the commands in monitor.cli.main and monitor.cli.ops print it.
"""

from __future__ import annotations

import shlex
from pathlib import Path

import click

#: options of the ``article-monitor`` group itself; they go before the command
GLOBAL_OPTIONS = ("--db", "--config")


def missing_db(path: Path) -> str:
    """A read-only command was pointed at a database that does not exist (often a typo)."""
    if not path.parent.exists():
        return f"database directory does not exist: {path.parent} (pass another --db)"
    return (
        f"database {path} does not exist: pass --db with an existing one (global options go before "
        "the command), or start one with `article-monitor add URL` or `feed add URL`"
    )


def plural(count: int, noun: str, plural_form: str | None = None) -> str:
    """``1 change``, ``2 changes``."""
    return f"{count} {noun if count == 1 else plural_form or noun + 's'}"


def nothing_checked(errors: int, gone: int, feed_errors: int, skipped: int) -> str:
    """Why `check` exits 1: ``nothing could be checked (2 errors, 1 gone): ...``."""
    parts = [plural(errors, "error")] if errors else []
    parts += [f"{gone} gone (404/410)"] if gone else []
    parts += [plural(feed_errors, "feed error")] if feed_errors else []
    if skipped:
        parts.append(
            f"{skipped} skipped: host backing off, `article-monitor status` says until when"
        )
    return f"nothing could be checked ({'; '.join(parts)}): see the lines above"


def global_option_first(exc: click.UsageError, argv: list[str]) -> str | None:
    """For ``status --db x``: the same command line with the global options moved first."""
    if not isinstance(exc, click.NoSuchOption) or exc.option_name not in GLOBAL_OPTIONS:
        return None
    moved: list[str] = []
    rest: list[str] = []
    args = iter(argv)
    for arg in args:
        name = arg.split("=", 1)[0]
        if name in GLOBAL_OPTIONS:
            moved.append(arg)
            if "=" not in arg:
                moved.append(next(args, ""))
        else:
            rest.append(arg)
    fixed = shlex.join(["article-monitor", *moved, *rest])
    return f"{exc.option_name} is a global option: put it before the command: {fixed}"


def fetch_hint(outcome: str | None, error: str | None, status: int | None = None) -> str:
    """One short clause saying what to check or change after a failed fetch ('' if none)."""
    text = (error or "").lower()
    if outcome == "gone":
        return "nothing at this address: is the URL right?"
    if outcome == "network_error" and "refused" in text:
        return "is the server up, and the port right?"
    if outcome == "network_error" and "resolve" in text:
        return "is the host name spelt right?"
    if outcome == "timeout":
        return "no answer in time: try again later, or raise [fetch] timeout"
    if outcome == "robots_disallowed":
        return "the site's robots.txt does not allow it"
    if outcome == "rate_limited":
        return "the site asks us to slow down: it is retried later"
    if outcome == "too_large":
        return "the page is over [fetch] max_bytes"
    if outcome == "http_error" and status is not None and status >= 500:
        return "the server failed: it is retried later"
    return ""


def failure_line(kind: str, url: str, outcome: str | None, error: str | None,
                 status: int | None) -> str:  # fmt: skip
    """``gone: URL: HTTP 404 (nothing at this address: is the URL right?)``."""
    detail = error or (f"HTTP {status}" if status else outcome) or "failed"
    if outcome not in (None, kind, "gone", "http_error") and not detail.startswith(outcome):
        detail = f"{outcome}: {detail}"
    hint = fetch_hint(outcome, error, status)
    return f"{kind}: {url}: {detail}" + (f" ({hint})" if hint else "")
