"""Title choice: the headline as the page displays it, without the site name.

Small hand-written pages, one per rule of ``monitor.extract.cascade.read_title``.
"""

from __future__ import annotations

from monitor.extract.cascade import extract

URL = "https://news.example.org/2024/03/pier-closes"
STORY = (
    "<p>The harbour board voted on Tuesday to close the old ferry pier for repairs after "
    "inspectors found cracked pilings beneath the main landing.</p>"
    "<p>Repairs will take about six weeks, the board's chair told reporters outside the "
    "town hall, and ferries will dock at the fishing quay in the meantime.</p>"
)


def page(*, title: str, head: str = "", top: str = "", story_head: str = "") -> str:
    """A page with ``top`` above the story (site header) and ``story_head`` inside it."""
    return f"""<!doctype html><html><head><meta charset="utf-8">
<title>{title}</title>{head}</head>
<body><header>{top}<nav><a href="/">Home</a> <a href="/news">News</a></nav></header>
<div id="content"><div class="story">{story_head}{STORY}</div></div>
<footer><p>© 2024 Bay Courier</p></footer></body></html>"""


def test_section_label_h1_loses_to_the_story_h1_named_by_metadata() -> None:
    """A section-label h1 that matches "Section | Site" in <title> is not the headline.

    The story's own h1 matches the page's headline metadata (dc:title), which is
    stronger evidence than the <title>.
    """
    html = page(
        title="Sports Items | Bay Courier",
        head=(
            '<meta name="dc:title" content="New messenger bag is built to last a decade">'
            '<meta property="og:site_name" content="Bay Courier">'
        ),
        top="<h1>Sports Items</h1>",
        story_head="<article><h1>New messenger bag is built to last a decade</h1></article>",
    )
    assert extract(html, URL).title == "New messenger bag is built to last a decade"


def test_h1_inside_the_article_wins_over_an_earlier_one_outside() -> None:
    """Of two h1s that both match the metadata, the one inside <article> is the headline.

    A sticky site header often repeats a shortened headline above the story.
    """
    html = page(
        title="Harbour pier closes for six weeks of repairs | Bay Courier",
        head='<meta property="og:title" content="Harbour pier closes for six weeks of repairs">',
        top="<h1>Harbour pier closes for six weeks</h1>",
        story_head="<article><h1>Harbour pier closes for six weeks of repairs</h1></article>",
    )
    assert extract(html, URL).title == "Harbour pier closes for six weeks of repairs"


def test_itemprop_headline_h1_counts_as_the_story_h1() -> None:
    """An h1 marked itemprop="headline" outranks an earlier h1 outside any article region."""
    html = page(
        title="Harbour pier closes for six weeks of repairs",
        top="<h1>Harbour pier closes for six weeks</h1>",
        story_head='<h1 itemprop="headline">Harbour pier closes for six weeks of repairs</h1>',
    )
    assert extract(html, URL).title == "Harbour pier closes for six weeks of repairs"


def test_displayed_h1_beats_a_different_social_headline() -> None:
    """When og:title is a social-media headline the page never shows, the h1 stays.

    The h1 is confirmed by another metadata headline (twitter:title) rather than
    being replaced by og:title's wording.
    """
    html = page(
        title="A brief history of neon signs - Bay Courier",
        head=(
            '<meta property="og:title" content="The modern ambitions behind neon">'
            '<meta name="twitter:title" content="Why neon is the symbol of the 20th century">'
        ),
        story_head="<article><h1>Why neon is the symbol of the 20th century</h1></article>",
    )
    assert extract(html, URL).title == "Why neon is the symbol of the 20th century"


def test_dublin_core_title_with_a_dot_is_read() -> None:
    """<meta name="DC.Title"> (the common Dublin Core spelling) names the headline.

    Without an h1, it beats a <title> that adds a document number.
    """
    html = page(
        title="draft-smith-harbour-04 - Harbour Storage",
        head='<meta name="DC.Title" content="Harbour Storage">',
    )
    assert extract(html, URL).title == "Harbour Storage"


def test_headline_meta_beats_a_section_path_title() -> None:
    """Older newspaper markup: <meta name="Headline"> beats "SITE | Section | Headline"."""
    html = page(
        title="COURIER NEWS | England | Bradford | Son-in-law remanded over killing",
        head='<meta name="Headline" content="Son-in-law remanded over killing">',
    )
    assert extract(html, URL).title == "Son-in-law remanded over killing"


def test_curly_quotes_of_the_displayed_h1_are_kept() -> None:
    """Typography is the page's: og:title's straight quotes never replace the h1's curly ones."""
    html = page(
        title="'Star Wars' cuts may return | Bay Courier",
        head=(
            '<meta property="og:title" content="\'Star Wars\' cuts may return">'
            '<meta property="og:site_name" content="Bay Courier">'
        ),
        story_head="<article><h1>\u2018Star Wars\u2019 cuts may return</h1></article>",
    )
    assert extract(html, URL).title == "\u2018Star Wars\u2019 cuts may return"


def test_whitespace_and_entities_in_the_h1_are_normalised() -> None:
    """Line breaks, runs of spaces, &nbsp; and entities in the h1 read as one clean line."""
    html = page(
        title="Pier &amp; quay close for repairs | Bay Courier",
        head='<meta property="og:site_name" content="Bay Courier">',
        story_head="<article><h1>\n  Pier &amp;&nbsp;quay\n   close <br>for repairs </h1></article>",
    )
    assert extract(html, URL).title == "Pier & quay close for repairs"


def test_site_name_from_the_registrable_part_of_the_host() -> None:
    """ "Mozilla - Wikipedia" at en.wikipedia.org loses "Wikipedia", not "en"."""
    html = page(title="Mozilla - Wikipedia", story_head="<main><h1>Mozilla</h1></main>")
    assert extract(html, "https://en.wikipedia.org/wiki/Mozilla").title == "Mozilla"


def test_site_name_under_a_country_second_level_domain() -> None:
    """At news.courier.co.uk the site is "Courier": "Pier closes | Courier" drops it."""
    html = page(title="Pier closes for six weeks | Courier")
    assert extract(html, "https://news.courier.co.uk/pier").title == "Pier closes for six weeks"
