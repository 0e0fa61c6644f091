"""Route handlers: change, compare, version, article timeline, outlet, raw snapshot.

Diffs are computed off the event loop (``web.off_loop``) and only for versions of a
size that renders quickly; a bigger pair gets a "too large to show inline" notice with
links to both versions, and the server keeps answering other requests meanwhile.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from datasette.utils.asgi import NotFound, Request, Response
from markupsafe import Markup

from monitor.review import data, explain
from monitor.review import queue as queues
from monitor.review.auth import login_url, reviewer
from monitor.review.diffview import build_view, compare_view, evidence_html, too_large
from monitor.review.verdicts import VERDICTS
from monitor.review.web import (
    PREFIX,
    clip,
    monitor_db,
    off_loop,
    page,
    parse_id,
    query_args,
    state,
    url_id,
)
from monitor.store.versions import version_from_row

if TYPE_CHECKING:
    from datasette.app import Datasette


def _shown_evidence(evidence: list[dict]) -> list[dict]:
    """Evidence as shown: marked HTML. A revert's evidence names the article's own
    version number already (the classifier writes it; migration 11 rewrote older rows)."""
    return [{**item, "html": Markup(evidence_html(item))} for item in evidence]


def _summary(change: dict, numbers: dict[int, int]) -> str:
    revert_of = change.get("revert_of_version_id")
    return explain.shown_summary(change["summary"], revert_of, numbers.get(revert_of or 0))


async def _diff(old: dict | None, new: dict | None, evidence: list[dict]) -> dict[str, Any]:
    if old is None or new is None:
        return {"view": None, "too_large": None}
    before, after = version_from_row(old), version_from_row(new)
    # checked here, before queueing: a huge change never waits behind others to say so
    reason = too_large(before, after)
    if reason:
        return {"view": None, "too_large": reason}
    return {"view": await off_loop(build_view, before, after, evidence), "too_large": None}


async def load_change(
    datasette: Datasette, request: Request
) -> tuple[dict, dict | None, dict | None]:
    """The change named in the URL with its before and after versions; 404 when unknown."""
    db = await monitor_db(datasette)
    change = await data.change(db, url_id(request))
    if change is None:
        raise NotFound("No such change")
    old = await data.version(db, change["from_version_id"])
    new = await data.version(db, change["to_version_id"])
    return change, old, new


async def change_page(datasette: Datasette, request: Request) -> Response:
    db = await monitor_db(datasette)
    change, old, new = await load_change(datasette, request)
    queue = queues.parse(query_args(request))
    numbers = await data.version_numbers(db, [change.get("revert_of_version_id")])
    here = request.full_path
    context: dict[str, Any] = {
        "change": change,
        "old": old,
        "new": new,
        "headline": clip((new or old or {}).get("title") or change["article_title"]),
        "summary": _summary(change, numbers),
        "reason": explain.silent_reason(change["kinds"], change["evidence"], change["silent"]),
        "kind_words": explain.KIND_WORDS,
        "evidence": _shown_evidence(change["evidence"]),
        "card_url": f"{PREFIX}/change/{change['id']}/card.png",
        "queue": queue,
        "queue_words": queues.describe(queue),
        "queue_qs": queues.query_string(queue, page=1),
        "around": await data.queue_neighbours(db, queue, change),
        "verdicts": VERDICTS,
        "reviewer": reviewer(datasette, request.actor),
        "verdicts_off": state(datasette).verdicts_off,
        "login_url": login_url(here),
        **await _diff(old, new, change["evidence"]),
    }
    return await page(datasette, request, "monitor_change.html", context)


def _version_number(request: Request, name: str) -> int | None:
    value = request.args.get(name)
    if value is None or value == "":
        return None
    number = parse_id(value)
    if number is None:
        raise NotFound(f"No such version: {name}={clip(value, 40)}")
    return number


async def compare_page(datasette: Datasette, request: Request) -> Response:
    """Any two versions of an article side by side, named by their version numbers."""
    db = await monitor_db(datasette)
    article = await data.article(db, url_id(request))
    if article is None:
        raise NotFound("No such article")
    versions = await data.article_versions(db, article["id"])
    if not versions:
        raise NotFound("This article has no stored version yet")
    first, last = versions[0]["version_number"], versions[-1]["version_number"]
    number_from = _version_number(request, "from") or first
    number_to = _version_number(request, "to") or last
    old = await data.version_by_number(db, article["id"], number_from)
    new = await data.version_by_number(db, article["id"], number_to)
    if old is None or new is None:
        raise NotFound("No such version of this article")
    context: dict[str, Any] = {
        "article": article,
        "headline": clip(article["title"] or article["url"]),
        "versions": versions,
        "old": old,
        "new": new,
        "view": None,
        "too_large": None,
        "found": None,
    }
    before, after = version_from_row(old), version_from_row(new)
    if old["id"] != new["id"]:
        context["too_large"] = too_large(before, after)
    if old["id"] != new["id"] and not context["too_large"]:
        view, reading = await off_loop(compare_view, before, after)
        evidence = list(reading.evidence)
        context["view"], context["found"] = view, reading
        context["reason"] = explain.silent_reason(list(reading.kinds), evidence, reading.silent)
        context["evidence"] = _shown_evidence(evidence)
    return await page(datasette, request, "monitor_compare.html", context)


async def version_page(datasette: Datasette, request: Request) -> Response:
    """One version as stored: its number in the article, headline, byline, text, snapshot."""
    db = await monitor_db(datasette)
    version = await data.version_page_data(db, url_id(request))
    if version is None:
        raise NotFound("No such version")
    if version["change"]:
        version["change"]["kinds"] = json.loads(version["change"]["kinds"] or "[]")
    context = {
        "version": version,
        "article": version["article"],
        "headline": clip(version["title"], 2_000),
        "paragraphs": [p for p in version["body"].split("\n\n") if p],
    }
    return await page(datasette, request, "monitor_version.html", context)


def _headline_history(versions: list[dict]) -> list[dict]:
    history: list[dict] = []
    for item in versions:
        if not history or history[-1]["title"] != item["title"]:
            history.append(item)
    return history


async def article_page(datasette: Datasette, request: Request) -> Response:
    db = await monitor_db(datasette)
    article = await data.article(db, url_id(request))
    if article is None:
        raise NotFound("No such article")
    versions = await data.article_versions(db, article["id"])
    changes = await data.article_changes(db, article["id"])
    by_version = {c["to_version_id"]: c for c in changes if c["to_version_id"]}
    context = {
        "article": article,
        "headline": clip(article["title"] or article["url"]),
        "versions": [{**v, "change": by_version.get(v["id"])} for v in versions],
        "headlines": _headline_history(versions),
        "changes": changes,
        "silent_count": sum(1 for c in changes if c["silent"]),
        "verdicts": VERDICTS,
    }
    return await page(datasette, request, "monitor_article.html", context)


async def outlet_page(datasette: Datasette, request: Request) -> Response:
    db = await monitor_db(datasette)
    outlet = await data.outlet(db, url_id(request))
    if outlet is None:
        raise NotFound("No such outlet")
    articles = await data.outlet_articles(db, outlet["id"])
    incidents = await data.incidents(db, outlet["id"])
    return await page(
        datasette, request, "monitor_outlet.html",
        {"outlet": outlet, "articles": articles, "incidents": incidents},
    )


async def snapshot_page(datasette: Datasette, request: Request) -> Response:
    """The raw HTML as fetched, served as inert text: never rendered on our origin."""
    db = await monitor_db(datasette)
    found = await data.snapshot_text(db, url_id(request))
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
