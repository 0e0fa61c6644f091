"""Page furniture that changes on every request: the noise a monitor must ignore.

Pages are pre-rendered once per revision with slot markers; a request only fills the
slots (string formatting, no templating engine), so serving stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from html import escape

_MARK = "\x00"

#: Rotating headlines for rails and promos. Deliberately unrelated to scripted stories,
#: so no scripted sentence ever shows up in furniture.
RAIL_HEADLINES: tuple[str, ...] = (
    "Ten Weekend Hikes Within an Hour of Downtown",
    "What the New Recycling Rules Mean for Your Building",
    "Opinion: The Case for a Four-Day School Week",
    "Inside the Bakery That Sells Out by 8 a.m.",
    "Local Startup Raises Funds for Battery Recycling Plant",
    "Quiz: How Well Do You Know the City's Bridges?",
    "The Best Dumplings in Town, Ranked by Our Critics",
    "High School Robotics Team Heads to Nationals",
    "How to Appeal Your Property Tax Assessment",
    "Photos: The Spring Parade in 40 Pictures",
    "Why Egg Prices Are Still So High",
    "A Retired Teacher's Garden Feeds a Whole Block",
    "Traffic Alert: Lane Closures on the Ring Road This Week",
    "Podcast: The Long Road to a New Transit Line",
    "Letters: Readers Respond on Parking Meters",
    "The Week in Pictures",
)
_ADS = (
    ("Refinance today", "Rates as low as {n}.{m}% APR. See if you qualify."),
    ("Summer sale", "Up to {n}0% off sofas, chairs and rugs this week only."),
    ("Learn a language", "Start speaking in {n} weeks. First lesson free."),
    ("New SUV lease", "From ${n}{m}9/month. Limited time offer."),
    ("Hearing aids", "Try invisible hearing aids risk-free for {n}0 days."),
)


def slot(name: str) -> str:
    """A marker a pre-rendered page leaves where furniture goes."""
    return f"{_MARK}{name}{_MARK}"


def compile_page(html: str) -> tuple[str, ...]:
    """Split a page at its slot markers: even items are static HTML, odd items slot names."""
    return tuple(html.split(_MARK))


class Furniture:
    """Renders every slot for request number ``n``; ``prefix`` styles the class names."""

    def __init__(self, seed: int, prefix: str) -> None:
        self.seed = seed
        self.p = prefix
        self._slots: dict[str, Callable[[int, datetime], str]] = {
            "cookie": self._cookie,
            "updated": self._updated,
            "share": self._share,
            "comments": self._comments,
            "ad": self._ad,
            "read_more": self._read_more,
            "most_read": self._most_read,
            "related": self._related,
            "newsletter": self._newsletter,
            "footer": self._footer,
        }

    def fill(self, parts: tuple[str, ...], n: int) -> str:
        now = datetime.now(UTC)
        out = list(parts)
        for i in range(1, len(out), 2):
            out[i] = self._slots[out[i]](n, now)
        return "".join(out)

    def _pick(self, n: int, salt: int, pool: tuple[str, ...], k: int) -> list[str]:
        start = (n * 7 + salt * 13 + self.seed) % len(pool)
        return [pool[(start + j * 3) % len(pool)] for j in range(k)]

    def _cookie(self, n: int, now: datetime) -> str:
        return (
            f'<div class="{self.p}cookie-banner" role="dialog" data-consent-id="c{n:x}">'
            "<p>We use cookies to improve your experience and to show you personalized ads. "
            f'Consent ref. {n * 7919 % 100000:05d}.</p><button class="{self.p}cookie-accept">'
            "Accept all</button></div>"
        )

    def _updated(self, n: int, now: datetime) -> str:
        return (
            f'<span class="{self.p}timestamp-updated">Updated {n % 59 + 1} minutes ago · '
            f"{now:%H:%M:%S}.{now.microsecond:06d} UTC</span>"
        )

    def _share(self, n: int, now: datetime) -> str:
        return (
            f'<div class="{self.p}share-bar"><a class="share-facebook" href="#">Share '
            f'<span class="count">{1200 + n * 3}</span></a><a class="share-x" href="#">Post '
            f'<span class="count">{300 + n * 2}</span></a><a class="share-email" href="#">'
            "Email</a></div>"
        )

    def _comments(self, n: int, now: datetime) -> str:
        return f'<a class="{self.p}comment-count" href="#comments">{40 + n} comments</a>'

    def _ad(self, n: int, now: datetime) -> str:
        title, text = _ADS[(n + self.seed) % len(_ADS)]
        text = text.format(n=n % 9 + 1, m=n % 10)
        return (
            f'<aside class="{self.p}ad-slot" data-ad-unit="mid-{n % 4}" aria-label="Advertisement">'
            f'<span class="ad-label">Advertisement</span><div class="ad-creative">'
            f'<strong>{title}</strong> {text} <a href="/ads/click?id={n}">Learn more</a>'
            "</div></aside>"
        )

    def _read_more(self, n: int, now: datetime) -> str:
        (headline,) = self._pick(n, 5, RAIL_HEADLINES, 1)
        return f'<a href="/promo/{n % 97}">{escape(headline)}</a>'

    def _rail(self, n: int, cls: str, title: str, salt: int, k: int) -> str:
        items = "".join(
            f'<li><a href="/rail/{salt}/{n % 89}/{j}">{escape(h)}</a></li>'
            for j, h in enumerate(self._pick(n, salt, RAIL_HEADLINES, k))
        )
        return f'<aside class="{self.p}{cls}"><h2>{title}</h2><ol>{items}</ol></aside>'

    def _most_read(self, n: int, now: datetime) -> str:
        return self._rail(n, "most-read", "Most read", 1, 5)

    def _related(self, n: int, now: datetime) -> str:
        return self._rail(n, "related-stories", "Related", 2, 3)

    def _newsletter(self, n: int, now: datetime) -> str:
        return (
            f'<div class="{self.p}newsletter-signup"><h3>Get the morning briefing</h3>'
            f"<p>Join {58000 + n} readers. Delivered weekdays at 6 a.m.</p>"
            '<form action="/subscribe" method="post"><input type="email" name="email">'
            "<button>Sign up</button></form></div>"
        )

    def _footer(self, n: int, now: datetime) -> str:
        return (
            f'<p class="{self.p}footer-time">Page generated '
            f"{now.isoformat(timespec='microseconds')} · request {n}</p>"
        )
