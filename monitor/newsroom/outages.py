"""Outlet-wide outages: what a whole outlet serves instead of its articles for a while.

Real sites do this every day: a cookie-consent wall or a teaser paywall put in
front of every article, a JavaScript shell whose text only a browser would fill
in, an error page sent with status 200, a template change that renames the
classes an outlet's CSS selectors look for. A scenario (tests, benchmarks, the
demo) switches one outlet into a mode and back with ``OutletSite.outage``; the
articles' own revisions go on underneath, so an edit made during the outage is
there when the outlet recovers.
"""

from __future__ import annotations

import re
from html import escape

from monitor.newsroom.script import Revision
from monitor.newsroom.templates import TEMPLATES, Page

#: Every mode a scenario can switch an outlet to.
OUTAGE_MODES = ("consent_wall", "paywall", "js_shell", "error_200", "template")

_CONSENT = (
    "<h2>We value your privacy</h2><p>We and our partners use cookies to store and access "
    "information on your device. Click Accept all to consent to our use of cookies, or "
    "manage your choices in cookie settings.</p>"
    "<p><button>Accept all</button> <button>Manage preferences</button></p>"
)
_PAYWALL = (
    "<p>Subscribe to continue reading. This article is available exclusively for "
    "subscribers.</p><p>Already a subscriber? Log in.</p>"
)
_JS_SHELL = (
    '<div id="root"></div><noscript><p>Please enable JavaScript to read this site.</p>'
    "</noscript><script>window.__APP__ = {};</script>"
)
_ERROR = (
    "<h1>Something went wrong</h1><p>We are having trouble loading this page right now. "
    "Our engineers have been notified. Please try again in a few minutes.</p>"
)


def render_outage(mode: str, template: str, page: Page, revision: Revision) -> str:
    """The page an outlet in ``mode`` serves for ``revision`` (status 200 in every mode)."""
    if mode == "template":
        return _renamed(TEMPLATES[template](page, revision))
    if mode == "paywall":
        teaser = (
            f"<p>{escape(revision.paragraphs[0], quote=False)}</p>" if revision.paragraphs else ""
        )
        inner = f"<h1>{escape(revision.headline)}</h1>{teaser}{_PAYWALL}"
    elif mode == "consent_wall":
        inner = _CONSENT
    elif mode == "js_shell":
        inner = _JS_SHELL
    elif mode == "error_200":
        inner = _ERROR
    else:
        raise ValueError(f"unknown outage mode: {mode}")
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="{page.charset}">'
        f"<title>{escape(page.site)}</title></head><body><main><article>{inner}</article></main>"
        "</body></html>\n"
    )


_CLASS = re.compile(r'class="([^"]*)"')


def _renamed(html: str) -> str:
    """A redesign: the same article under new class names (every selector misses)."""
    return _CLASS.sub(lambda m: 'class="' + " ".join(f"v2-{c}" for c in m[1].split()) + '"', html)
