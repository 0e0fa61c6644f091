"""Datasette hook implementations (re-exported by the package, which is the plugin)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from datasette import hookimpl
from markupsafe import Markup, escape

if TYPE_CHECKING:
    from datasette.app import Datasette


_HERE = Path(__file__).resolve().parent
PREFIX = "/-/monitor"  # every page of the plugin lives under this path
_ID = r"(?P<id>\d+)"


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    # imported here, not at module level: Datasette loads this plugin while
    # datasette.app itself is still being imported
    from monitor.review import card, feed, pages

    p = PREFIX
    return [
        (rf"^{p}/?$", pages.index_page),
        (rf"^{p}/change/{_ID}$", pages.change_page),
        (rf"^{p}/change/{_ID}/card\.png$", card.card_png),
        (rf"^{p}/article/{_ID}$", pages.article_page),
        (rf"^{p}/outlet/{_ID}$", pages.outlet_page),
        (rf"^{p}/snapshot/{_ID}$", pages.snapshot_page),
        (rf"^{p}/silent\.atom$", feed.silent_feed),
        (rf"^{p}/silent/(?P<outlet>[^/]+)\.atom$", feed.silent_feed),
    ]


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


_LINKED_ID = {
    "changes": "change",
    "change_reports": "change",
    "articles": "article",
    "outlets": "outlet",
}


@hookimpl
def render_cell(value: Any, column: str, table: str | None, datasette: Datasette) -> Any:
    """Ids in the review tables link to the plugin's pages instead of the bare row."""
    target = _LINKED_ID.get(table or "")
    if target is None or column != "id" or not isinstance(value, int):
        if table == "change_reports" and column == "article_id" and isinstance(value, int):
            return Markup(f'<a href="{PREFIX}/article/{value}">{value}</a>')
        return None
    return Markup(f'<a href="{PREFIX}/{target}/{value}">{escape(value)}</a>')


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
