"""One HTML template per outlet, so each extractor path gets exercised differently.

- classic (capitol): server-rendered, ``h1.headline``, ``.story-text p``, rel=canonical.
- jsonld (harbor): JSON-LD NewsArticle plus ``<article>`` markup.
- divsoup (ledger): paragraphs are ``div.zq-p`` with opaque class names; needs selectors.
- semantic (metro): HTML5 ``<main><article>``, windows-1252 declared only in ``<meta>``.

Templates return whole pages with furniture slot markers (see furniture.py). A layout
number > 0 (furniture-only steps) changes the markup around the article, not the article.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from monitor.newsroom.furniture import slot
from monitor.newsroom.script import Revision

#: Paragraph index after which the inline "READ MORE" promo sits inside the body.
PROMO_AFTER = 2


@dataclass(frozen=True)
class Page:
    """What a template needs besides the revision."""

    site: str
    url: str
    section: str
    published: str  # ISO 8601
    modified: str
    charset: str = "utf-8"


def _head(page: Page, title: str, extra: str = "") -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="{page.charset}">'
        f"<title>{escape(title)} | {escape(page.site)}</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta property="og:title" content="{escape(title)}">{extra}</head>\n'
    )


def _banner(layout: int, cls: str) -> str:
    if not layout:
        return ""
    return (
        f'<div class="{cls}" data-layout="{layout}"><strong>Live</strong> Follow our coverage '
        "of the spring storms as it happens.</div>"
    )


def _paras(paragraphs: tuple[str, ...], layout: int, para: Callable[[int, str], str]) -> str:
    out = []
    for i, text in enumerate(paragraphs):
        out.append(para(i, escape(text, quote=False)))
        if i == PROMO_AFTER - 1 and len(paragraphs) > PROMO_AFTER:
            out.append(slot("promo_here"))
    # Layout changes re-indent the markup, as a CMS redesign does.
    return ("\n" + " " * (layout % 3)).join(out)


def classic(page: Page, r: Revision) -> str:
    promo = f'<p class="related-link"><strong>READ MORE:</strong> {slot("read_more")}</p>'
    body = _paras(r.paragraphs, r.layout, lambda i, t: f"<p>{t}</p>").replace(
        slot("promo_here"), promo
    )
    return (
        _head(page, r.headline, f'<link rel="canonical" href="{escape(page.url)}">')
        + f'<body class="article-page layout-{r.layout}">{slot("cookie")}'
        '<div id="masthead"><a href="/" class="logo">The Capitol Courier</a>'
        '<ul class="nav"><li><a href="/politics/">Politics</a></li>'
        '<li><a href="/national-security/">National Security</a></li></ul></div>'
        + _banner(r.layout, "breaking-news-bar")
        + f'<div id="main"><div class="article"><h1 class="headline">{escape(r.headline)}</h1>'
        f'<div class="byline">{escape(r.byline)}</div>'
        f'<div class="dateline">Published {page.published[:10]} {slot("updated")}</div>'
        f'{slot("share")}<div class="story-text">{body}</div>{slot("comments")}</div>'
        f'<div id="sidebar">{slot("ad")}{slot("most_read")}{slot("related")}</div></div>'
        f'{slot("newsletter")}<div id="footer"><p>© The Capitol Courier</p>{slot("footer")}</div>'
        "</body></html>\n"
    )


def _jsonld(page: Page, r: Revision) -> str:
    names = r.byline.removeprefix("By ").replace(" and ", ", ").split(", ")
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": page.url,
        "headline": r.headline,
        "author": [{"@type": "Person", "name": n} for n in names if n],
        "datePublished": page.published,
        "dateModified": page.modified,
        "articleSection": page.section,
        "publisher": {"@type": "Organization", "name": page.site},
        "articleBody": "\n\n".join(r.paragraphs),
    }
    # "</" must not end the script element early.
    text = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    return f'<script type="application/ld+json">{text}</script>'


def jsonld(page: Page, r: Revision) -> str:
    promo = (
        '<aside class="hb-inline-promo"><p><span class="hb-kicker">READ MORE:</span> '
        f"{slot('read_more')}</p></aside>"
    )
    body = _paras(r.paragraphs, r.layout, lambda i, t: f'<p class="hb-para">{t}</p>').replace(
        slot("promo_here"), promo
    )
    return (
        _head(page, r.headline, _jsonld(page, r))
        + f'<body>{slot("cookie")}<header class="hb-site-header"><a href="/">Harbor Herald</a>'
        "</header>"
        + _banner(r.layout, "hb-alert")
        + f'<main class="hb-main"><article class="hb-article"><header><h1 class="hb-title">'
        f'{escape(r.headline)}</h1><p class="hb-byline">{escape(r.byline)}</p>'
        f'<time datetime="{page.published}">{page.published[:10]}</time> {slot("updated")}'
        f'</header>{slot("share")}<section class="hb-body">{body}</section>'
        f'<footer class="hb-article-footer">{slot("comments")}</footer></article>'
        f'<div class="hb-rail">{slot("ad")}{slot("most_read")}{slot("related")}</div></main>'
        f'{slot("newsletter")}<footer class="hb-footer">{slot("footer")}</footer>'
        "</body></html>\n"
    )


def divsoup(page: Page, r: Revision) -> str:
    promo = f'<div class="zq-promo">READ MORE: {slot("read_more")}</div>'
    body = _paras(
        r.paragraphs, r.layout, lambda i, t: f'<div class="zq-p" data-k="{r.layout}-{i}">{t}</div>'
    ).replace(slot("promo_here"), promo)
    return (
        _head(page, r.headline) + f'<body><div class="zq-wrap zq-l{r.layout}">{slot("cookie")}'
        '<div class="zq-top"><span class="zq-brand">The Ledger</span></div>'
        + _banner(r.layout, "zq-flash")
        + f'<div class="zq-x9"><div class="zq-col zq-col-a"><h1 class="zq-hed">{escape(r.headline)}'
        f'</h1><div class="zq-meta"><span class="zq-credit">{escape(r.byline)}</span> '
        f'<span class="zq-when">{page.published[:10]}</span> {slot("updated")}</div>'
        f'{slot("share")}<div class="zq-copy">{body}</div>{slot("comments")}</div>'
        f'<div class="zq-col zq-col-b">{slot("ad")}{slot("most_read")}{slot("related")}</div>'
        f'</div>{slot("newsletter")}<div class="zq-foot">{slot("footer")}</div></div>'
        "</body></html>\n"
    )


def semantic(page: Page, r: Revision) -> str:
    promo = f"<p><b>READ MORE:</b> {slot('read_more')}</p>"
    body = _paras(r.paragraphs, r.layout, lambda i, t: f"<p>{t}</p>").replace(
        slot("promo_here"), promo
    )
    return (
        _head(page, r.headline)
        + f'<body>{slot("cookie")}<nav class="mt-nav"><a href="/">Metro Daily</a></nav>'
        + _banner(r.layout, "mt-ticker")
        + f"<main><article><header><h1>{escape(r.headline)}</h1>"
        f'<p class="mt-byline">{escape(r.byline)}</p><p class="mt-dates">'
        f'<time datetime="{page.published}">{page.published[:16].replace("T", " ")}</time> '
        f'{slot("updated")}</p></header>{slot("share")}<div class="article-body">{body}</div>'
        f'{slot("comments")}</article><aside class="mt-rail">{slot("ad")}{slot("most_read")}'
        f"{slot('related')}</aside></main>{slot('newsletter')}"
        f'<footer class="mt-footer">{slot("footer")}</footer></body></html>\n'
    )


def error_page(site: str, status: int, charset: str = "utf-8") -> str:
    """A 404/410 page with the site's chrome (and its furniture) around it."""
    message = {
        410: "This article has been removed.",
        404: "Sorry, we couldn't find that page.",
    }.get(status, "Something went wrong.")
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="{charset}"><title>{status} | '
        f"{escape(site)}</title></head><body>{slot('cookie')}<h1>{message}</h1>"
        f"{slot('most_read')}{slot('ad')}<footer>{slot('footer')}</footer></body></html>\n"
    )


TEMPLATES: dict[str, Callable[[Page, Revision], str]] = {
    "classic": classic,
    "jsonld": jsonld,
    "divsoup": divsoup,
    "semantic": semantic,
}
