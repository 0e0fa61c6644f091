"""The review plugin for Datasette: change pages, timelines, outlet pages, feeds, cards.

This package is the plugin (registered through the ``datasette`` entry-point
group); Datasette finds its ``templates/`` and ``static/`` folders beside it.
"""

from __future__ import annotations

from monitor.review.hooks import (
    asgi_wrapper,
    extra_css_urls,
    extra_js_urls,
    extra_template_vars,
    menu_links,
    prepare_connection,
    register_routes,
    render_cell,
    startup,
)

__all__ = [
    "asgi_wrapper",
    "extra_css_urls",
    "extra_js_urls",
    "extra_template_vars",
    "menu_links",
    "prepare_connection",
    "register_routes",
    "render_cell",
    "startup",
]
