"""Datasette hook implementations (re-exported by the package, which is the plugin)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from datasette import hookimpl

from monitor.review import cells, labels, verdicts
from monitor.review.web import PREFIX, state

if TYPE_CHECKING:
    import sqlite3

    from datasette.app import Datasette


_HERE = Path(__file__).resolve().parent
_ID = r"(?P<id>\d+)"
#: the only paths that take a POST: ours that write, and Datasette's own tools
#: (log out, messages, permission debugging). Everything else is read-only: another
#: method is a 405 before any view runs (Datasette answered 500 for a POST to a
#: canned query or a table).
_POSTS = re.compile(
    rf"^(?:{PREFIX}/login|{PREFIX}/change/\d+/verdict|/-/(?:logout|messages|permissions))$"
)
_READS = {"GET", "HEAD", "OPTIONS"}


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    # imported here, not at module level: Datasette loads this plugin while
    # datasette.app itself is still being imported
    from monitor.review import auth, card, desk, feed, pages

    p = PREFIX
    return [
        (rf"^{p}/?$", desk.desk_page),
        (rf"^{p}/change/{_ID}$", pages.change_page),
        (rf"^{p}/change/{_ID}/card\.png$", card.card_png),
        (rf"^{p}/change/{_ID}/verdict$", desk.verdict_post),
        (rf"^{p}/version/{_ID}$", pages.version_page),
        (rf"^{p}/article/{_ID}$", pages.article_page),
        (rf"^{p}/article/{_ID}/compare$", pages.compare_page),
        (rf"^{p}/outlet/{_ID}$", pages.outlet_page),
        (rf"^{p}/snapshot/{_ID}$", pages.snapshot_page),
        (rf"^{p}/login$", auth.login_page),
        (rf"^{p}/silent\.atom$", feed.silent_feed),
        (rf"^{p}/silent/(?P<outlet>[^/]+)\.atom$", feed.silent_feed),
    ]


def _refuse(allowed: str) -> dict[str, Any]:
    return {
        "type": "http.response.start",
        "status": 405,
        "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"allow", allowed.encode())],
    }


@hookimpl
def asgi_wrapper(datasette: Datasette) -> Any:
    """Read-only pages answer GET/HEAD only: any other method is a 405 with an Allow
    header; our write endpoints answer POST only (the form is GET on the change page)."""

    def wrap(app: Any) -> Any:
        async def method_policy(scope: dict, receive: Any, send: Any) -> None:
            if scope["type"] == "http":
                method, path = scope["method"], scope["path"]
                write = bool(_POSTS.match(path))
                allowed = None
                if method not in _READS and not write:
                    allowed = "GET, HEAD"
                elif path.endswith("/verdict") and write and method != "POST":
                    allowed = "POST"
                elif path == f"{PREFIX}/login" and method not in ("GET", "HEAD", "POST"):
                    allowed = "GET, HEAD, POST"
                if allowed:
                    await send(_refuse(allowed))
                    await send({"type": "http.response.body", "body": b"405 Method Not Allowed\n"})
                    return
            await app(scope, receive, send)

        return method_policy

    return wrap


@hookimpl
def prepare_connection(conn: sqlite3.Connection, database: str, datasette: Datasette) -> None:
    """Attach the verdicts (read-only) to the monitor database's connections, so the desk
    and canned queries can leave out changes marked false positive."""
    review = state(datasette)
    if database in ("_internal", "_memory") or database == review.verdicts_name:
        return
    if review.monitor_name is not None and database != review.monitor_name:
        return
    verdicts.attach(conn, review.verdicts_path)


def _static_name() -> str | None:
    # Installed, the plugin is named after the distribution; registered by hand, after
    # the module. Either way its static folder is ours.
    from datasette.plugins import get_plugins

    for plugin in get_plugins():
        if plugin.get("static_path") and Path(plugin["static_path"]).resolve() == _HERE / "static":
            return str(plugin["name"])
    return None


@hookimpl
def extra_css_urls(datasette: Datasette) -> list[str]:
    name = _static_name()
    return [datasette.urls.static_plugins(name, "review.css")] if name else []


@hookimpl
def extra_js_urls(template: str, datasette: Datasette) -> list[dict[str, Any]]:
    """The desk's keyboard navigation, on our pages only."""
    name = _static_name()
    if not name or not template.startswith("monitor_"):
        return []
    return [{"url": datasette.urls.static_plugins(name, "review.js"), "module": True}]


@hookimpl
def render_cell(row: Any, value: Any, column: str, table: str | None) -> Any:
    """Kinds as badges, silent as a word, ids as links to the plugin's pages."""
    return cells.render(value, column, table, row)


@hookimpl
def extra_template_vars(database: str | None, table: str | None, datasette: Datasette) -> dict:
    """Readable column headers and facet values (templates/_table.html and
    _facet_results.html) on our databases' pages; other databases keep the names."""
    review = state(datasette)
    ours = review.monitor_name is None or database in (review.monitor_name, review.verdicts_name)

    def label(column: str) -> str:
        return labels.column_label(column, table) if ours else column

    def facet_label(column: str, value: Any, shown: Any) -> Any:
        return labels.facet_value_label(column, table, value, shown) if ours else shown

    return {"monitor_label": label, "monitor_facet_label": facet_label}


@hookimpl
def menu_links(datasette: Datasette, actor: dict | None) -> list[dict[str, str]]:
    if actor or not state(datasette).settings.reviewers:
        return []
    return [{"href": f"{PREFIX}/login", "label": "Log in (reviewers)"}]


@hookimpl
def startup(datasette: Datasette) -> None:
    """Stop Datasette's rich traceback printer from turning 404s into crashes.

    Every Datasette release we tried (0.64.8 … 1.0a41) calls
    ``rich.get_console().print_exception()`` outside an ``except`` block for an
    unmatched URL (e.g. a missing static file), which raises ValueError whenever
    ``rich`` happens to be importable. The error page itself does not need rich.
    """
    import datasette.handle_exception as handler

    handler.rich = None  # type: ignore[attr-defined]
