"""What every review handler shares: the plugin's state, the database, ids, methods, pages.

Bad input in a URL is a 404, never a 500: ids are checked against SQLite's integer
range before they reach a query. (Methods are policed once, in hooks.asgi_wrapper.)
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
import time
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from datasette.utils.asgi import NotFound, Request, Response

from monitor.config import ReviewSettings
from monitor.review import data

if TYPE_CHECKING:
    from collections.abc import Callable

    from datasette.app import Datasette
    from datasette.database import Database

PREFIX = "/-/monitor"  # every page of the plugin lives under this path
MAX_ID = 2**63 - 1  # SQLite's INTEGER range; a larger number is no row, not an error
#: texts longer than this are cut where a page shows them (a 1 MB headline stays stored)
SHOWN_CHARS = 300
T = TypeVar("T")

#: diffs and cards are computed in one worker process, off the event loop, one at a time
#: (the rest queue). A process, not a thread: a diff is pure-Python CPU work, and a
#: thread would still take the GIL from the event loop (measured: the desk waited up to
#: 1.8 s behind two 1-second diffs in threads; with the process, well under a second).
_renderer: Executor | None = None


@dataclass(frozen=True)
class ReviewState:
    """What `serve` tells the plugin: settings and where the verdicts live."""

    settings: ReviewSettings = field(default_factory=ReviewSettings)
    verdicts_path: Path | None = None
    #: why verdicts cannot be written (a read-only directory…); None when they can
    verdicts_off: str | None = "the review server was not started by article-monitor serve"
    #: Datasette's names for the monitored database and the verdicts file (None: unknown)
    monitor_name: str | None = None
    verdicts_name: str | None = None


_DEFAULT = ReviewState()


def state(datasette: Datasette) -> ReviewState:
    found = getattr(datasette, "monitor_review_state", None)
    return found if isinstance(found, ReviewState) else _DEFAULT


def set_state(datasette: Datasette, review: ReviewState) -> None:
    datasette.monitor_review_state = review  # type: ignore[attr-defined]


async def monitor_db(datasette: Datasette) -> Database:
    db = await data.monitor_database(datasette)
    if db is None:
        raise NotFound("No article-monitor database is attached")
    return db


def parse_id(value: str | None) -> int | None:
    """A positive row id from text, or None (not a number, zero, beyond SQLite's range)."""
    if value is None or not value.isascii() or not value.isdigit() or len(value) > 19:
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def url_id(request: Request, name: str = "id") -> int:
    found = parse_id(request.url_vars.get(name))
    if found is None:
        raise NotFound(f"No such {name}")
    return found


def query_args(request: Request) -> dict[str, str]:
    """The query string as a plain mapping (the first value of each name)."""
    return {name: request.args.get(name) or "" for name in request.args}


def clip(text: str | None, limit: int = SHOWN_CHARS) -> str:
    """Text as a page shows it: at most ``limit`` characters, an ellipsis when cut."""
    text = text or ""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _exit_with(parent: int) -> None:
    """In the render process: exit as soon as the server that started it is gone.

    The worker holds both ends of its own task pipe, so it never sees EOF; and uvicorn
    ends a SIGTERMed server by re-raising the signal, which skips the executor's own
    shutdown. Without this watch, every stopped `serve` left an orphan behind.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="review-render-watch", daemon=True).start()


def _render_pool() -> Executor:
    global _renderer
    if _renderer is None:
        try:
            # spawn: a fresh interpreter, never a fork of a process running threads
            context = multiprocessing.get_context("spawn")
            _renderer = ProcessPoolExecutor(
                max_workers=1, mp_context=context, initializer=_exit_with, initargs=(os.getpid(),)
            )
        except (OSError, NotImplementedError, ImportError):  # no process support here
            _renderer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="review-render")
    return _renderer


async def off_loop(fn: Callable[..., T], *args: Any) -> T:
    """Run CPU work (a diff, a card) in the render process: other requests keep being
    served meanwhile. ``fn`` and its arguments must pickle (module-level, dataclasses)."""
    global _renderer
    loop = asyncio.get_running_loop()
    try:
        return await loop.run_in_executor(_render_pool(), fn, *args)
    except BrokenProcessPool:
        # the worker died (killed, out of memory): start a new one, try once more
        _renderer = None
        return await loop.run_in_executor(_render_pool(), fn, *args)


async def page(
    datasette: Datasette,
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    status: int = 200,
) -> Response:
    db = await monitor_db(datasette)
    context = {"db_name": db.name, "prefix": PREFIX, "actor_name": None, **context}
    actor = request.actor
    if actor and isinstance(actor.get("id"), str):
        context["actor_name"] = actor["id"]
    html = await datasette.render_template(template, context, request=request)
    return Response.html(html, status=status)
