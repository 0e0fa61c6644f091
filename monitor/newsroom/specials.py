"""Pages outside the scripted stories: a live blog, page variants, broken canonicals.

Served by the Harbor Herald (the JSON-LD outlet) and listed in no feed, so the answer
key of the scripted stories is untouched; tests and the demo add these URLs by hand.

- ``/live/storm-live/``: a live blog (``LiveBlogPosting``) that gains posts at the top:
  two posts at step 0, one at step 1, an earlier post's figure edited at step 2
  (120 → 150 km/h, no note: a silent edit), a two-paragraph post at step 3.
- ``/live/count-ended/``: a live blog whose ``coverageEndTime`` is in the past.
- ``/news/bridge-reopens/``: an article with an AMP variant (``/amp/`` and
  ``?outputType=amp``: a shorter body) and a print view (``/print/``, no canonical link).
- Pages whose ``rel=canonical`` is broken: a bare number, a 404, another article and
  the front page.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape
from urllib.parse import parse_qs, urlsplit

from monitor.newsroom.core import Newsroom
from monitor.newsroom.furniture import slot

OUTLET = "harbor"
LIVE_PATH = "/live/storm-live/"
ENDED_PATH = "/live/count-ended/"
BRIDGE_PATH = "/news/bridge-reopens/"
AMP_PATH = BRIDGE_PATH + "amp/"
PRINT_PATH = BRIDGE_PATH + "print/"
#: path → the rel=canonical each broken-canonical page declares
BROKEN_CANONICALS = {
    "/news/ferry-timetable/": "12345",
    "/news/school-budget/": "/news/no-such-story/",
    "/news/market-hall/": BRIDGE_PATH,
    "/news/harbour-dredging/": "/",
}

_SUMMARY = (
    "Follow our live coverage as the spring storm crosses the coast near Port Hollis.",
    "Evacuation orders are in place for three river districts until further notice.",
)
# (step the post appears, paragraphs); newest is shown first
_POSTS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (
        0,
        ("The storm made landfall near Port Hollis shortly after nine, the weather service said.",),
    ),
    (0, ("Winds reached 120 km/h at the harbour mouth, according to the coast guard.",)),
    (1, ("Power is out for about 40,000 homes in the county, the utility said in a statement.",)),
    (
        3,
        (
            "The mayor said shelters at two schools will stay open overnight for evacuees.",
            "Buses leave the central station every half hour for the shelters, she added.",
        ),
    ),
)
#: step from which the second post reads this way (a silent figure change)
_EDIT = (2, 1, ("Winds reached 150 km/h at the harbour mouth, according to the coast guard.",))

_BRIDGE = (
    "The Old Harbour Bridge reopened to traffic on Monday after eight months of repairs.",
    "Engineers replaced 40 steel cables and resurfaced the full length of the deck.",
    "The city council said the work came in under its budget of 12 million.",
    "Cyclists get a separate lane on the eastern side for the first time.",
    "A second phase, on the approach ramps, is planned for next spring.",
)
_OTHERS = {
    "/news/ferry-timetable/": (
        "Ferry timetable changes for the winter season",
        "The island ferry will run every 90 minutes from December, the operator said.",
        "Early sailings on weekdays are kept for commuters and school pupils.",
    ),
    "/news/school-budget/": (
        "School board approves next year's budget",
        "The school board approved a budget of 84 million after a three-hour meeting.",
        "Teachers' pay rises by 3 percent under the agreement reached in October.",
    ),
    "/news/market-hall/": (
        "Market hall to stay open on Sundays",
        "Traders at the market hall voted to open on Sundays from the new year.",
        "The council will review footfall figures after six months.",
    ),
    "/news/harbour-dredging/": (
        "Harbour dredging starts next week",
        "Dredging of the inner harbour starts next week and lasts about a month.",
        "Moorings on the north quay are moved while the work goes on.",
    ),
}


@dataclass(frozen=True)
class Special:
    status: int
    html: str


def page(room: Newsroom, outlet: str, target: str, base_url: str) -> Special | None:
    """The special page at ``target`` (path and query) for ``outlet``, or None."""
    if outlet != OUTLET:
        return None
    parts = urlsplit(target)
    path, query = parts.path or "/", parse_qs(parts.query)
    if path == LIVE_PATH:
        return Special(200, _live(room, base_url, path, ended=False))
    if path == ENDED_PATH:
        return Special(200, _live(room, base_url, path, ended=True))
    if path == AMP_PATH or (path == BRIDGE_PATH and query.get("outputType") == ["amp"]):
        return Special(
            200,
            _article(
                base_url,
                "Old Harbour Bridge reopens",
                _BRIDGE[:3],
                canonical=base_url + BRIDGE_PATH,
                amp=True,
            ),
        )
    if path == BRIDGE_PATH:
        return Special(
            200,
            _article(
                base_url,
                "Old Harbour Bridge reopens",
                _BRIDGE,
                canonical=base_url + BRIDGE_PATH,
                amphtml=base_url + AMP_PATH,
            ),
        )
    if path == PRINT_PATH:
        return Special(200, _article(base_url, "Old Harbour Bridge reopens", _BRIDGE))
    if path in _OTHERS:
        title, *paragraphs = _OTHERS[path]
        return Special(
            200, _article(base_url, title, tuple(paragraphs), canonical=BROKEN_CANONICALS[path])
        )
    return None


def _posts(step: int) -> list[tuple[int, tuple[str, ...]]]:
    shown = [(n, list(paras)) for n, (at, paras) in enumerate(_POSTS) if at <= step]
    edit_step, index, text = _EDIT
    if step >= edit_step:
        shown = [(n, list(text) if n == index else paras) for n, paras in shown]
    return [(n, tuple(paras)) for n, paras in reversed(shown)]


def _live(room: Newsroom, base_url: str, path: str, *, ended: bool) -> str:
    step = room.step
    start = room.time_at(0)
    posts = _posts(1 if ended else step)
    when = {n: room.time_at(_POSTS[n][0]) + timedelta(minutes=5 * n) for n, _ in posts}
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "LiveBlogPosting",
        "headline": "Spring storm: live updates" if not ended else "Vote count: as it happened",
        "coverageStartTime": _iso(start),
        "liveBlogUpdate": [
            {"@type": "BlogPosting", "datePublished": _iso(when[n]), "articleBody": "\n\n".join(p)}
            for n, p in posts
        ],
    }
    if ended:
        data["coverageEndTime"] = _iso(start - timedelta(days=1))
    items = "".join(
        f'<article class="live-post" id="post-{n}"><time datetime="{_iso(when[n])}">'
        f"{when[n]:%H:%M}</time>" + "".join(f"<p>{escape(t)}</p>" for t in paras) + "</article>"
        for n, paras in posts
    )
    summary = "".join(f"<p>{escape(t)}</p>" for t in _SUMMARY)
    script = json.dumps(data).replace("</", "<\\/")
    return (
        _head(
            str(data["headline"]),
            f'<link rel="canonical" href="{base_url}{path}">'
            f'<script type="application/ld+json">{script}</script>',
        )
        + f'<body>{slot("cookie")}<main><article class="hb-live"><h1>{escape(str(data["headline"]))}'
        f'</h1><div class="hb-summary">{summary}</div><div class="live-blog">{items}</div>'
        f'</article><div class="hb-rail">{slot("most_read")}{slot("related")}</div></main>'
        f"<footer>{slot('footer')}</footer></body></html>\n"
    )


def _article(
    base_url: str,
    title: str,
    paragraphs: tuple[str, ...],
    *,
    canonical: str | None = None,
    amphtml: str | None = None,
    amp: bool = False,
) -> str:
    links = f'<link rel="canonical" href="{escape(canonical)}">' if canonical else ""
    links += f'<link rel="amphtml" href="{escape(amphtml)}">' if amphtml else ""
    body = "".join(f"<p>{escape(t)}</p>" for t in paragraphs)
    chrome = "" if amp else f'<div class="hb-rail">{slot("most_read")}{slot("related")}</div>'
    return (
        _head(title, links, amp=amp)
        + f"<body>{slot('cookie')}<main><article><h1>{escape(title)}</h1>"
        f'<p class="hb-byline">By Dana Okafor</p><section class="hb-body">{body}</section>'
        f"</article>{chrome}</main><footer>{slot('footer')}</footer></body></html>\n"
    )


def _head(title: str, extra: str, *, amp: bool = False) -> str:
    mark = " amp" if amp else ""
    return (
        f'<!DOCTYPE html>\n<html lang="en"{mark}><head><meta charset="utf-8">'
        f"<title>{escape(title)} | Harbor Herald</title>"
        f'<meta property="og:title" content="{escape(title)}">{extra}</head>\n'
    )


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")
