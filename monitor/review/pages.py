"""Route handlers: change page, article timeline, outlet page, raw snapshot, index."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from datasette.utils.asgi import NotFound, Request, Response
from markupsafe import Markup

from monitor.compare.diff import diff_versions
from monitor.compare.render import render_html
from monitor.review import data
from monitor.review.diffview import evidence_html, side_by_side
from monitor.review.hooks import PREFIX
from monitor.store.versions import version_from_row

if TYPE_CHECKING:
    from datasette.app import Datasette
    from datasette.database import Database


async def _db(datasette: Datasette) -> Database:
    db = await data.monitor_database(datasette)
    if db is None:
        raise NotFound("No article-monitor database is attached")
    return db


def _int(request: Request, name: str) -> int:
    try:
        return int(request.url_vars[name])
    except (KeyError, ValueError):
        raise NotFound(f"Bad {name}") from None


async def _page(
    datasette: Datasette, request: Request, template: str, context: dict[str, Any]
) -> Response:
    db = await _db(datasette)
    context = {"db_name": db.name, "prefix": PREFIX, **context}
    return Response.html(await datasette.render_template(template, context, request=request))


async def load_change(
    datasette: Datasette, request: Request
) -> tuple[dict, dict | None, dict | None]:
    """The change named in the URL with its before and after versions; 404 when unknown."""
    db = await _db(datasette)
    change = await data.change(db, _int(request, "id"))
    if change is None:
        raise NotFound("No such change")
    old = await data.version(db, change["from_version_id"])
    new = await data.version(db, change["to_version_id"])
    return change, old, new


async def change_page(datasette: Datasette, request: Request) -> Response:
    change, old, new = await load_change(datasette, request)
    context: dict[str, Any] = {"change": change, "old": old, "new": new, "rows": [], "inline": ""}
    if old is not None and new is not None:
        diff = diff_versions(version_from_row(old), version_from_row(new))
        context["rows"] = side_by_side(diff, change["evidence"])
        # render_html escapes every piece of article text; the markup is ours
        context["inline"] = Markup(render_html(diff))
    context["evidence"] = [
        {**item, "html": Markup(evidence_html(item))} for item in change["evidence"]
    ]
    context["card_url"] = f"{PREFIX}/change/{change['id']}/card.png"
    return await _page(datasette, request, "monitor_change.html", context)


def _headline_history(versions: list[dict]) -> list[dict]:
    history: list[dict] = []
    for item in versions:
        if not history or history[-1]["title"] != item["title"]:
            history.append(item)
    return history


async def article_page(datasette: Datasette, request: Request) -> Response:
    db = await _db(datasette)
    article = await data.article(db, _int(request, "id"))
    if article is None:
        raise NotFound("No such article")
    versions = await data.article_versions(db, article["id"])
    changes = await data.article_changes(db, article["id"])
    by_version = {c["to_version_id"]: c for c in changes if c["to_version_id"]}
    context = {
        "article": article,
        "versions": [{**v, "change": by_version.get(v["id"])} for v in versions],
        "headlines": _headline_history(versions),
        "changes": changes,
        "silent_count": sum(1 for c in changes if c["silent"]),
    }
    return await _page(datasette, request, "monitor_article.html", context)


async def outlet_page(datasette: Datasette, request: Request) -> Response:
    db = await _db(datasette)
    outlet = await data.outlet(db, _int(request, "id"))
    if outlet is None:
        raise NotFound("No such outlet")
    articles = await data.outlet_articles(db, outlet["id"])
    return await _page(
        datasette, request, "monitor_outlet.html", {"outlet": outlet, "articles": articles}
    )


async def index_page(datasette: Datasette, request: Request) -> Response:
    db = await _db(datasette)
    context = {"outlets": await data.outlets(db), "recent": await data.recent_changes(db)}
    return await _page(datasette, request, "monitor_index.html", context)


async def snapshot_page(datasette: Datasette, request: Request) -> Response:
    """The raw HTML as fetched, served as inert text: never rendered on our origin."""
    db = await _db(datasette)
    found = await data.snapshot_text(db, _int(request, "id"))
    if found is None:
        raise NotFound("No such snapshot")
    url, text = found
    return Response.text(
        f"<!-- snapshot of {url} -->\n{text}",
        headers={
            "Content-Security-Policy": "sandbox; default-src 'none'",
            "X-Content-Type-Options": "nosniff",
        },
    )
