"""Atom feeds of silent edits, all outlets or one.

Built with ElementTree so every piece of article text is escaped as XML; the
entry content is an HTML string inside ``type="html"``, itself escaped first.

Links are absolute only when ``[review] base_url`` says where the server is reached;
otherwise they are relative (a feed reader resolves them against the feed's own URL).
The request's Host header is never used: anyone can send any Host. Entry ids are
``urn:uuid`` names derived from the change, stable whatever address serves them.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

from datasette.utils.asgi import NotFound, Request, Response

from monitor.review import data
from monitor.review.web import PREFIX, clip, monitor_db, state

if TYPE_CHECKING:
    from datasette.app import Datasette


ATOM = "http://www.w3.org/2005/Atom"
EPOCH = "1970-01-01T00:00:00Z"
#: the namespace of entry ids: uuid5(this, "change/ID/DETECTED_AT")
_IDS = uuid.UUID("5f0c7a52-4d6e-4c1e-9a43-6a0d2b8e1c13")


def entry_id(change: dict) -> str:
    return uuid.uuid5(_IDS, f"change/{change['id']}/{change['detected_at']}").urn


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def _entry_html(change: dict) -> str:
    kinds = ", ".join(json.loads(change["kinds"] or "[]"))
    lines = [f"<p><strong>{escape(kinds)}</strong>: {escape(change['summary'] or '')}</p>"]
    for item in json.loads(change["evidence"] or "[]")[:5]:
        text = clip(item.get("text"), 1_000)
        lines.append(f"<p>{escape(item.get('kind', ''))}: {escape(text)}</p>")
    return "\n".join(lines)


def build_atom(
    changes: list[dict], *, title: str, path: str, absolute: Callable[[str], str]
) -> bytes:
    """A complete Atom document: one entry per change, linking to its change page.

    ``path`` is the feed's own path; ``absolute`` makes a link from a path.
    """
    self_url = absolute(path)
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _sub(feed, "title", title)
    _sub(feed, "id", uuid.uuid5(_IDS, f"feed{path}").urn)
    _sub(feed, "updated", changes[0]["detected_at"] if changes else EPOCH)
    _sub(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    _sub(feed, "link", rel="alternate", type="text/html", href=absolute(PREFIX))
    author = _sub(feed, "author")
    _sub(author, "name", "article-monitor")
    _sub(feed, "generator", "article-monitor")
    for change in changes:
        entry = _sub(feed, "entry")
        page = absolute(f"{PREFIX}/change/{change['id']}")
        outlet = change["outlet"] or "unknown outlet"
        _sub(entry, "title", f"[{outlet}] {change['headline'] or change['url']}")
        _sub(entry, "id", entry_id(change))
        _sub(entry, "updated", change["detected_at"])
        _sub(entry, "link", rel="alternate", type="text/html", href=page)
        _sub(entry, "link", rel="related", href=change["url"])
        _sub(entry, "category", term=outlet)
        _sub(entry, "summary", change["summary"] or "")
        _sub(entry, "content", _entry_html(change), type="html")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


async def silent_feed(datasette: Datasette, request: Request) -> Response:
    db = await monitor_db(datasette)
    outlet_name = request.url_vars.get("outlet")
    outlet_id, title = None, "Silent edits"
    if outlet_name is not None:
        outlet = await data.outlet_by_name(db, outlet_name)
        if outlet is None:
            raise NotFound("No such outlet")
        outlet_id, title = outlet["id"], f"Silent edits: {outlet['name']}"
    changes = await data.silent_changes(db, outlet_id)
    base = state(datasette).settings.base_url or ""

    def absolute(path: str) -> str:
        return f"{base}{path}"

    # a thread, not the render process: cheap work, but 50 entries' evidence JSON is parsed
    body = await asyncio.to_thread(
        lambda: build_atom(changes, title=title, path=request.path, absolute=absolute)
    )
    return Response(body, content_type="application/atom+xml; charset=utf-8")
