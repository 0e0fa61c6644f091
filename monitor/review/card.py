"""A shareable PNG card of one change: outlet, headline, before/after excerpt."""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from datasette.utils.asgi import Request, Response
from PIL import Image, ImageDraw, ImageFont

from monitor.models import CHANGE_KINDS
from monitor.review.pages import load_change

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
    draw.text((MARGIN, y), card.kinds, font=_font(22), fill="#555555")
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


def card_text(change: dict, old: dict | None, new: dict | None) -> CardText:
    """Pick the most telling before/after pair: evidence in vocabulary order (headline first)."""
    before = after = ""
    rank = {kind: n for n, kind in enumerate(CHANGE_KINDS)}
    ordered = sorted(change["evidence"], key=lambda e: rank.get(e.get("kind", ""), len(rank)))
    for item in ordered:
        if item.get("old") or item.get("new"):
            before, after = item.get("old") or "", item.get("new") or ""
            break
    else:
        before = (old or {}).get("title", "")
        after = (new or {}).get("title", "") if new else "(article removed)"
    headline = (new or old or {}).get("title") or change["article_title"] or change["url"]
    return CardText(
        outlet=change["outlet"] or "unknown outlet",
        headline=headline,
        kinds=", ".join(change["kinds"]) or "change",
        silent=bool(change["silent"]),
        before=before,
        after=after,
        when=change["detected_at"],
    )


async def card_png(datasette: Datasette, request: Request) -> Response:
    change, old, new = await load_change(datasette, request)
    png = render_card(card_text(change, old, new))
    return Response(png, content_type="image/png", headers={"Cache-Control": "max-age=3600"})
