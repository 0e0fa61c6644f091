"""A shareable PNG card of one change: outlet, headline, before/after excerpt."""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from datasette.utils.asgi import Request, Response
from PIL import Image, ImageDraw, ImageFont

from monitor.review.explain import kind_words
from monitor.review.pages import load_change
from monitor.review.web import clip, off_loop

if TYPE_CHECKING:
    from datasette.app import Datasette


WIDTH, HEIGHT, MARGIN = 1200, 630, 56
# Debian's fonts-dejavu-core; without it Pillow's bundled default font (FreeType) is used
_FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@dataclass(frozen=True)
class CardText:
    outlet: str
    headline: str
    kinds: str
    silent: bool
    before: str
    after: str
    when: str


@cache
def _font(size: int, bold: bool = False) -> Font:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for folder in _FONT_DIRS:
        if (folder / name).exists():
            return ImageFont.truetype(str(folder / name), size)
    return ImageFont.load_default(size=size)


def _wrap(text: str, font: Font, width: int, max_lines: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if font.getlength(trial) <= width:
            current = trial
            continue
        if current:
            lines.append(current)
        current = word
        if len(lines) == max_lines:
            break
    if current and len(lines) < max_lines:
        lines.append(current)
    if len(lines) == max_lines and " ".join(lines) != " ".join(text.split()):
        lines[-1] = lines[-1].rstrip(".,;: ") + " …"
    return lines


def _block(draw: ImageDraw.ImageDraw, y: int, label: str, text: str, colour: str) -> int:
    draw.rectangle((MARGIN, y, MARGIN + 8, y + 92), fill=colour)
    draw.text((MARGIN + 24, y), label, font=_font(22, bold=True), fill=colour)
    for n, line in enumerate(_wrap(text or "(nothing)", _font(26), WIDTH - 2 * MARGIN - 24, 2)):
        draw.text((MARGIN + 24, y + 30 + n * 32), line, font=_font(26), fill="#222222")
    return y + 116


def render_card(card: CardText) -> bytes:
    """The card as PNG bytes (1200×630, the usual social preview size)."""
    image = Image.new("RGB", (WIDTH, HEIGHT), "#ffffff")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 10), fill="#b00020" if card.silent else "#2f6f4f")
    y = MARGIN - 10
    draw.text((MARGIN, y), card.outlet.upper(), font=_font(24, bold=True), fill="#555555")
    if card.silent:
        badge = "SILENT EDIT"
        width = int(_font(22, bold=True).getlength(badge)) + 28
        x = WIDTH - MARGIN - width
        draw.rounded_rectangle((x, y - 4, x + width, y + 32), radius=8, fill="#b00020")
        draw.text((x + 14, y), badge, font=_font(22, bold=True), fill="#ffffff")
    y += 44
    for line in _wrap(card.headline, _font(40, bold=True), WIDTH - 2 * MARGIN, 2):
        draw.text((MARGIN, y), line, font=_font(40, bold=True), fill="#111111")
        y += 50
    y += 8
    for line in _wrap(card.kinds, _font(22), WIDTH - 2 * MARGIN, 1):
        draw.text((MARGIN, y), line, font=_font(22), fill="#555555")
    y += 48
    y = _block(draw, y, "BEFORE", card.before, "#b00020")
    _block(draw, y, "AFTER", card.after, "#2f6f4f")
    draw.text(
        (MARGIN, HEIGHT - MARGIN + 8),
        f"article-monitor · {card.when}",
        font=_font(20),
        fill="#777777",
    )
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


#: which evidence a card shows first: the edit itself, a correction note last (the note
#: is shown on its own line; the card should show what was fixed)
CARD_ORDER = (
    "headline",
    "comment_line",
    "numbers",
    "quote",
    "wording",
    "byline",
    "paragraph_removed",
    "paragraph_added",
    "moved",
    "minor",
    "correction_note",
)
#: one card's worth of text: a 1 MB headline must not be wrapped word by word
_CARD_CHARS = 400


def _excerpt(version: dict | None) -> dict | None:
    if version is None:
        return None
    lead = (version.get("body") or "")[:2_000]
    return {"title": clip(version.get("title"), _CARD_CHARS), "body": lead}


def _status_pair(change: dict, old: dict | None) -> tuple[str, str] | None:
    """Before/after for a removal or a return: what happened, with the HTTP status."""
    for item in change["evidence"]:
        kind = item.get("kind")
        code = f"HTTP {item['new']}" if item.get("new") else "no answer"
        if kind == "removed":
            lead = ((old or {}).get("body") or "").split("\n\n", 1)[0]
            return lead or "online", f"removed: {code}"
        if kind == "restored":
            return "removed", f"back online: {code}"
    return None


def card_text(change: dict, old: dict | None, new: dict | None) -> CardText:
    """What the card says: the most telling before/after pair (the edit, not the note),
    and for a removal or a return what happened and the HTTP status."""
    rank = {kind: n for n, kind in enumerate(CARD_ORDER)}
    ordered = sorted(change["evidence"], key=lambda e: rank.get(e.get("kind", ""), len(rank)))
    pair = _status_pair(change, old)
    if pair is None:
        pair = next(
            (
                (e.get("old") or "", e.get("new") or "")
                for e in ordered
                if e.get("old") or e.get("new")
            ),
            ((old or {}).get("title", ""), (new or {}).get("title", "")),
        )
    note = next(
        (e.get("text") or "" for e in change["evidence"] if e.get("kind") == "correction_note"), ""
    )
    kinds = ", ".join(kind_words(k) for k in change["kinds"]) or "change"
    headline = (new or old or {}).get("title") or change["article_title"] or change["url"]
    return CardText(
        outlet=clip(change["outlet"] or "unknown outlet", 60),
        headline=clip(headline, _CARD_CHARS),
        kinds=clip(f"note on the page: “{note}”" if note else kinds, 120),
        silent=bool(change["silent"]),
        before=clip(pair[0], _CARD_CHARS),
        after=clip(pair[1], _CARD_CHARS),
        when=change["detected_at"],
    )


def change_card(change: dict, old: dict | None, new: dict | None) -> bytes:
    """The PNG of one change (run in the render process: module-level, picklable)."""
    return render_card(card_text(change, old, new))


async def card_png(datasette: Datasette, request: Request) -> Response:
    change, old, new = await load_change(datasette, request)
    # only what the card shows crosses to the render process, not 1 MB versions
    slim = {
        **change,
        "evidence": [
            {k: clip(v, 2_000) if isinstance(v, str) else v for k, v in item.items()}
            for item in change["evidence"]
        ],
    }
    png = await off_loop(change_card, slim, _excerpt(old), _excerpt(new))
    return Response(png, content_type="image/png", headers={"Cache-Control": "max-age=3600"})
