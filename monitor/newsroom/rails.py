"""An outlet whose furniture no rule names: a rotating rail inside the article container.

Real outlets put "More from the Gazette" rails, section labels and related-story
credits inside ``<article>``, under class names no furniture pattern knows. The
extractor then reads the rail's teaser headlines and summaries as body paragraphs, and
the rail's credits ("By Jane Doe") into the byline. Every request rotates the rail,
so without learned furniture (monitor.extract.furniture) every check is a change.

Pure rendering: ``RailOutlet.page(slug)`` gives the page for the next request of that
article; a test serves it from 127.0.0.1 and edits the stories it holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

#: (headline, summary cut short, credit) of the rail's teasers
TEASERS: tuple[tuple[str, str, str], ...] = (
    ("Night Markets Return to the Riverside", "Stalls open again on Fridays after a two-year", "Priya Nair"),
    ("Ferry Fares Rise in the New Year", "Commuters will pay more from January as the", "Tom Becker"),
    ("A Chess Club for Every School", "Volunteers want a board in every classroom by", "Lena Ortiz"),
    ("The Orchard That Came Back", "Growers replanted after the frost and now the", "Sam Whitfield"),
    ("Library Hours Extended", "Branches will stay open until nine on weekdays", "Maya Goldberg"),
    ("Cyclists Map the City's Potholes", "An app built by two students has logged more", "Omar Haddad"),
)  # fmt: skip
RAIL_SIZE = 3
SITE = "The Rail Gazette"


@dataclass
class RailStory:
    """One article: its text can be edited between requests."""

    title: str
    author: str
    paragraphs: list[str]
    section: str = "Metro"


@dataclass
class RailOutlet:
    """Articles by slug; each request of an article shows the rail one teaser further on."""

    stories: dict[str, RailStory]
    #: rotate the rail at all (off: the rail is the same on every request)
    rotate: bool = True
    _served: dict[str, int] = field(default_factory=dict)

    def page(self, slug: str) -> str | None:
        story = self.stories.get(slug)
        if story is None:
            return None
        n = self._served.get(slug, 0)
        self._served[slug] = n + 1
        start = sorted(self.stories).index(slug) + (n if self.rotate else 0)
        teasers = [TEASERS[(start + i) % len(TEASERS)] for i in range(RAIL_SIZE)]
        return render(story, teasers)


def _card(headline: str, summary: str, credit: str) -> str:
    return (
        f'<div class="card"><h3 class="card-head">{escape(headline)}</h3>'
        f"<p>{escape(summary)}...</p>"
        f'<p class="byline">By {escape(credit)}</p></div>'
    )


def render(story: RailStory, teasers: list[tuple[str, str, str]]) -> str:
    body = "".join(f"<p>{escape(p)}</p>" for p in story.paragraphs)
    rail = "".join(_card(*t) for t in teasers)
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(story.title)} | {SITE}</title>"
        f'<meta property="og:title" content="{escape(story.title)}">'
        f'<meta property="og:site_name" content="{SITE}"></head><body>'
        f"<header><a href='/'>{SITE}</a></header><main><article>"
        f'<p class="kicker">{escape(story.section)}</p>'
        f"<h1>{escape(story.title)}</h1>"
        f'<p class="byline">By {escape(story.author)}</p>'
        f'<div class="story">{body}</div>'
        f'<section class="more-from-us"><h2>More from the Gazette</h2>{rail}</section>'
        "</article></main><footer>(c) The Rail Gazette</footer></body></html>"
    )
