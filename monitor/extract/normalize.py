"""Canonical article text: the same article always normalizes to the same value.

Re-renders of a page differ in invisible ways (non-breaking spaces, zero-width
characters, soft hyphens, decomposed accents) and in furniture that leaks into
the extracted body (timestamps, "Advertisement", promo links, share bars).
``normalize`` removes both, so ``content_hash`` changes only when the article
does. Typography is kept as published (curly quotes stay curly): whether a
quote-style change matters is the classifier's call ("minor"), not ours.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from bisect import bisect_left
from dataclasses import replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from monitor.extract.dates import parse_date
from monitor.extract.limits import cap_article
from monitor.models import Article, LiveBlog

# Invisible characters that re-renders add or drop at will. Zero-width joiner
# and non-joiner are kept: they change how Persian, Indic and emoji text reads.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u2060\ufeff\u00ad\u180e"), None)
# str.translate looks every character up in a dict; most lines hold none of these, and
# one regex scan (C speed) tells
_ANY_INVISIBLE = re.compile("[\u200b\u2060\ufeff\u00ad\u180e]")
# Every other kind of space becomes a plain space before collapsing.
_SPACES = re.compile(r"[\s\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE = (
    rf"(?:\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS},?\s+\d{{4}}|{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?"
    rf"(?:\s+\d{{4}})?|\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}[/.]\d{{1,2}}[/.]\d{{2,4}})"
)
_TIME = r"(?:\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s+[A-Z]{2,4})?|\d{1,2}\s*[ap]\.?m\.?)"
_AGO = r"(?:\d+|an?|one)\s+(?:second|sec|minute|min|hour|hr|day|week|month|year)s?\s+ago"
_STAMP_WORDS = (
    r"(?:last\s+)?(?:updated|published|posted|modified|first\s+published|updated\s+on|"
    r"published\s+on|posted\s+on|aktualisiert(?:\s+am)?|veröffentlicht(?:\s+am)?|"
    r"mis\s+à\s+jour(?:\s+le)?|publié(?:\s+le)?|actualizado(?:\s+el)?|publicado(?:\s+el)?)"
)
_TIMESTAMP_LINE = re.compile(
    rf"^[-–—•·|(\[\s]*(?:{_STAMP_WORDS}\s*:?\s*)?(?:(?:on|at)\s+)?"
    rf"(?:{_AGO}|(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?{_DATE}"
    rf"(?:,?\s*(?:at\s+)?{_TIME})?|{_TIME}(?:,?\s*{_DATE})?|just\s+now|yesterday|today)"
    rf"(?:\s*[|•·,]\s*(?:{_STAMP_WORDS}\s*:?\s*)?(?:{_AGO}|{_DATE}(?:,?\s*(?:at\s+)?{_TIME})?|{_TIME}))*"
    r"[)\]\s.]*$",
    re.IGNORECASE,
)
# Whole-line furniture: promos, ad labels, share bars, comment counts, newsletter
# boxes, image credits. Matched against the complete paragraph, so an article
# sentence that merely mentions a newsletter is kept.
_FURNITURE_LINE = re.compile(
    r"^(?:"
    r"advertisements?|advertisement\s*[-–—:]?\s*(?:scroll|continue)\s+(?:down\s+)?"
    r"(?:to\s+)?(?:continue|reading)(?:\s+reading)?|story\s+continues\s+below(?:\s+advertisement)?|"
    r"article\s+continues\s+(?:below|after\s+(?:this\s+)?advertisement)|"
    r"anzeige|werbung|publicité|publicidad|sponsored(?:\s+content)?|ad|paid\s+content|"
    r"(?:supported|sponsored|presented|brought\s+to\s+you)\s+by|"
    r"(?:read|see|watch|also\s+read|read\s+also|related|more|recommended|further\s+reading|"
    r"lesen\s+sie\s+auch|mehr\s+zum\s+thema|lire\s+aussi|à\s+lire\s+aussi|lea\s+también|"
    r"te\s+puede\s+interesar)(?:\s+more)?\s*[:>»|]\s*.{0,200}|"
    r"read\s+more|read\s+the\s+full\s+(?:story|article)|click\s+here\s+to\s+read\s+more.*|"
    r"(?:share|tweet|email|print|pin|save|copy\s+link)(?:\s+(?:this|on|via)\b.{0,40})?"
    r"(?:\s*(?:[|,/•·]\s*)?(?:share|tweet|email|print|pin|save|facebook|twitter|x|whatsapp|"
    r"linkedin|reddit|messenger|copy\s+link))*|"
    r"(?:facebook|twitter|whatsapp|linkedin|reddit|pinterest|email)"
    r"(?:\s*[|,/•·]?\s*(?:facebook|twitter|whatsapp|linkedin|reddit|pinterest|email|x))+|"
    r"(?:view\s+|show\s+|read\s+)?(?:\d[\d,.]*k?|no)\s+comments?|comments?\s*\(?\d*\)?|"
    r"(?:sign\s+up|subscribe|register)\s+(?:now\s+)?(?:for|to)\s+(?:our|the|my)\b.{0,80}newsletters?.{0,80}|"
    r"(?:get|receive)\s+(?:our|the)\b.{0,60}newsletter.{0,80}|"
    r"(?:image|photo|picture|video|media)\s+(?:copyright|caption|source|credit)s?\b.{0,80}|"
    r"(?:photograph|photo|image|picture|illustration|credit)s?\s*:\s*.{0,80}|"
    r"(?:©|\(c\)|copyright\s*(?:©|\(c\)|\d{4}))\s*.{0,80}"
    r")[\s.!]*$",
    re.IGNORECASE,
)


def clean_text(text: str) -> str:
    """One line of canonical text: NFC, invisible characters out, whitespace collapsed."""
    text = unicodedata.normalize("NFC", text)
    if _ANY_INVISIBLE.search(text):
        text = text.translate(_INVISIBLE)
    return _SPACES.sub(" ", text).strip()


def is_furniture(paragraph: str) -> bool:
    """True when a whole paragraph is page furniture rather than article text."""
    line = clean_text(paragraph)
    if not line or not any(c.isalnum() for c in line):
        return True  # separators ("* * *"), stray markup, undecodable bytes: no words
    if len(line) > 300:
        return False
    return bool(_TIMESTAMP_LINE.match(line) or _FURNITURE_LINE.match(line))


def canonical_time(value: str | None) -> str | None:
    """An ISO 8601 time in UTC to the minute ("…:00Z") when it carries an offset.

    Sites write the same instant as "+00:00", "Z", " UTC" or in local time, with
    or without seconds, across re-renders (and across their own metadata); one
    spelling keeps the hash stable. Values without an offset are kept as given; a
    date written for people ("4 mars 2024") is read first (monitor.extract.dates).
    """
    if value is None:
        return None
    value = clean_text(value)
    if not value:
        return None
    iso = re.sub(r"\s*(?:Z|UTC|GMT)$", "+00:00", value, flags=re.IGNORECASE)
    try:
        parsed = datetime.fromisoformat(iso)
    except ValueError:
        try:  # RFC 2822, as in RSS and some meta tags: "Mon, 22 Dec 2014 12:43:29 -0500"
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            # written for people ("4. März 2024"): read it (monitor.extract.dates), once
            readable = parse_date(value)
            return canonical_time(readable) if readable else value
    if parsed.tzinfo is None:
        return value
    return parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:00Z")


#: Attribute set on the Article objects ``normalize`` returns. Idempotence makes any
#: object carrying it its own normal form, so later stages (content_hash,
#: suspect_reason) skip re-normalizing it. dataclasses.replace() does not copy it, so
#: an edited copy is normalized again.
_CANONICAL = "_monitor_normalized"


def is_normalized(article: Article) -> bool:
    """True when ``article`` is an object ``normalize`` returned (so it is canonical)."""
    return bool(article.__dict__.get(_CANONICAL, False))


def normalize(article: Article) -> Article:
    """The canonical form of an article: clean text, furniture and empty paragraphs out.

    A body paragraph that repeats the headline is furniture too (a kicker or a
    second copy of the headline inside the article container). Title, byline and
    body are cut at the extraction limits (``monitor.extract.limits``), and
    ``cut`` says which were exceeded.

    Idempotent: ``normalize(normalize(a)) == normalize(a)``; for an object
    ``normalize`` returned, the second call costs nothing.
    """
    if is_normalized(article):
        return article
    title = clean_text(article.title)
    kept = [
        (i, clean)
        for i, p in enumerate(article.body)
        if not is_furniture(clean := clean_text(p)) and clean != title
    ]
    body = tuple(clean for _, clean in kept)
    canonical = cap_article(
        replace(
            article,
            title=title,
            byline=clean_text(article.byline),
            body=body,
            live=live_ranges(article.live, [i for i, _ in kept]),
            published_at=canonical_time(article.published_at),
            modified_at=canonical_time(article.modified_at),
            canonical_url=clean_text(article.canonical_url or "") or None,
        )
    )
    # Frozen dataclass: the mark is not a field, so equality and hashing ignore it.
    object.__setattr__(canonical, _CANONICAL, True)
    return canonical


def live_ranges(live: LiveBlog | None, kept: list[int]) -> LiveBlog | None:
    """A live blog's post ranges over the paragraphs normalize kept (indices into the
    old body, in order); posts left empty are dropped."""
    if live is None:
        return None
    posts = []
    for start, count in live.posts:
        first, end = bisect_left(kept, start), bisect_left(kept, start + count)
        if end > first:
            posts.append((first, end - first))
    return LiveBlog(
        tuple(posts), canonical_time(live.ended_at), canonical_time(live.newest_post_at)
    )


def content_hash(article: Article) -> str:
    """SHA-256 (hex) of the normalized title, byline, body and publication time.

    ``modified_at`` is deliberately left out: some sites bump it on every
    render, which would make each fetch look like a new version. A real edit
    shows in the text anyway. ``canonical_url`` and ``extractor`` are left out
    too: they describe the page, not the article.
    """
    a = normalize(article)
    payload = json.dumps(
        [a.title, a.byline, list(a.body), a.published_at], ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


# Cookie walls, paywalls and "enable JavaScript" pages, in en/de/fr/es/it/nl/pt.
_BLOCKER = re.compile(
    r"(?:we\s+(?:use|value)\s+(?:cookies|your\s+privacy)|accept\s+(?:all\s+)?cookies|"
    r"cookie\s+(?:settings|preferences|policy|consent)|manage\s+(?:cookie|consent|privacy)|"
    r"(?:subscribe|sign\s+in|log\s+in|register)\s+(?:now\s+)?to\s+(?:continue|keep)\s+reading|"
    r"(?:continue|keep)\s+reading\s+(?:with|for)\s+|this\s+(?:article|content|story)\s+is\s+"
    r"(?:only\s+)?(?:available\s+)?(?:exclusively\s+)?(?:for|to)\s+(?:subscribers|members)|"
    r"already\s+a\s+subscriber|subscribe\s+for\s+full\s+access|"
    r"(?:please\s+)?(?:enable|turn\s+on)\s+javascript|javascript\s+is\s+(?:disabled|required)|"
    r"are\s+you\s+a\s+robot|verify\s+you\s+are\s+(?:a\s+)?human|"
    r"wir\s+verwenden\s+cookies|(?:alle\s+)?cookies\s+akzeptieren|alle\s+akzeptieren|"
    r"zustimmen\s+und\s+weiter|jetzt\s+abonnieren|weiterlesen\s+mit|nur\s+für\s+abonnenten|"
    r"(?:bitte\s+)?aktivieren\s+sie\s+javascript|"
    r"nous\s+utilisons\s+des\s+cookies|(?:tout\s+)?accepter\s+(?:et\s+continuer|les\s+cookies)|"
    r"abonnez-vous\s+pour|réservé\s+aux\s+abonnés|(?:veuillez\s+)?activer\s+javascript|"
    r"déjà\s+abonné|"
    r"utilizamos\s+cookies|usamos\s+cookies|aceptar\s+(?:todas|todo|cookies)|"
    r"suscr[ií]bete\s+para|contenido\s+(?:exclusivo\s+)?para\s+suscriptores|"
    r"(?:por\s+favor,?\s+)?(?:habilita|activa)\s+javascript|ya\s+eres\s+suscriptor|"
    r"utilizziamo\s+i\s+cookie|wij\s+gebruiken\s+cookies|utilizamos\s+cookies)",
    re.IGNORECASE,
)
#: Every _BLOCKER alternative contains one of these; a paragraph without any is
#: skipped before the (much slower) regex runs.
_BLOCKER_HINTS = (
    "cookie",
    "privacy",
    "manage",
    "reading",
    "subscri",
    "member",
    "javascript",
    "robot",
    "human",
    "akzeptieren",
    "zustimmen",
    "abonn",
    "weiterlesen",
    "accepter",
    "aceptar",
    "suscr",
)
SHRINK_MIN_PREVIOUS = 500
SHRINK_RATIO = 0.4
# A wall page is short: a long article that mentions cookies once is not one.
_BLOCKER_MAX_CHARS = 1500


def _has_hint(text: str) -> bool:
    lowered = text.lower()
    return any(hint in lowered for hint in _BLOCKER_HINTS)


def _is_blocker(paragraph: str) -> bool:
    return _has_hint(paragraph) and bool(_BLOCKER.search(paragraph))


def _blocker_wall(body: str) -> bool:
    """True when consent or paywall text is most of ``body`` (or all of a short one)."""
    paragraphs = body.split("\n\n")
    if len(body) > _BLOCKER_MAX_CHARS:
        # Only paragraphs with a hint can count: when even they are not half of a long
        # body the verdict is "no" without running the (slow) regex on any of them.
        hinted = sum(len(p) for p in paragraphs if _has_hint(p))
        if hinted * 2 < len(body):
            return False
    blocker_chars = sum(len(p) for p in paragraphs if _is_blocker(p))
    return bool(blocker_chars) and (
        len(body) <= _BLOCKER_MAX_CHARS or blocker_chars * 2 >= len(body)
    )


def suspect_reason(article: Article, previous_body: str | None) -> str | None:
    """Why this extraction looks broken (so it should not become a version yet), or None.

    ``previous_body`` is the last stored body text (paragraphs joined by blank lines).
    ``article`` is normalized first (free when it came from ``normalize``).
    """
    article = normalize(article)
    body = article.body_text
    if not body:
        return "empty body"
    if article.cut:
        return "exceeds extraction limits: " + "; ".join(article.cut)
    if _has_hint(body) and _blocker_wall(body):
        return "consent or paywall text"
    if previous_body:
        before = len(clean_text(previous_body.replace("\n\n", " ")))
        now = len(body.replace("\n\n", " "))
        if before >= SHRINK_MIN_PREVIOUS and now < SHRINK_RATIO * before:
            return f"body shrank from {before} to {now} characters"
    return None
