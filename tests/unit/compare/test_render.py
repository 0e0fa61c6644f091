"""Text, HTML and JSON renderings of a diff."""

from __future__ import annotations

import json
import re

from monitor.compare.diff import diff_versions
from monitor.compare.render import render_html, render_json, render_text
from monitor.models import Version

BODY = (
    "Firefighters were called to a blaze at a warehouse in Leeds on Sunday evening.",
    "West Yorkshire Fire and Rescue Service said 40 firefighters attended the scene.",
    "Residents were advised to keep their windows and doors closed because of the smoke.",
)


def version(vid: int, body: tuple[str, ...], title: str = "Warehouse fire in Leeds") -> Version:
    return Version(vid, 1, "2024-05-01T10:00:00Z", title, "By BBC News", "\n\n".join(body), "h")


def edited() -> tuple[Version, Version]:
    new_body = (
        BODY[0],
        BODY[1].replace("40", "60"),
        "Police said the cause of the fire was not yet known.",
        BODY[2],
    )
    return version(1, BODY), version(2, new_body, title="Warehouse fire in Leeds city centre")


def test_text_marks_deletions_and_insertions_without_color() -> None:
    """Plain text shows [-deleted-] and {+inserted+} words and no ANSI codes."""
    text = render_text(diff_versions(*edited()))
    assert "[-40-]{+60+}" in text
    assert "{+ city centre+}" in text
    assert "\x1b[" not in text


def test_text_shows_only_changes_with_paragraph_numbers() -> None:
    """Unchanged paragraphs are left out; changed and added ones carry their numbers."""
    text = render_text(diff_versions(*edited()))
    assert "Firefighters were called" not in text
    assert "¶2 changed" in text
    assert "¶3 added" in text
    assert "Residents were advised" not in text


def test_text_with_color_uses_red_and_green() -> None:
    """With color, deletions are red and insertions green ANSI runs."""
    text = render_text(diff_versions(*edited()), color=True)
    assert "\x1b[31m40\x1b[0m" in text
    assert "\x1b[32m60\x1b[0m" in text
    assert "[-" not in text


def test_text_marks_moved_paragraphs() -> None:
    """A moved paragraph is labelled as moved with its old and new numbers."""
    moved = version(2, (BODY[2], BODY[0], BODY[1]))
    text = render_text(diff_versions(version(1, BODY), moved))
    assert "¶3 → ¶1 moved" in text
    assert "added" not in text and "removed" not in text


def test_text_of_no_change_says_so() -> None:
    """Identical versions render as a short 'No changes.' line."""
    assert render_text(diff_versions(version(1, BODY), version(2, BODY))) == "No changes.\n"


def test_html_uses_del_and_ins_and_paragraph_classes() -> None:
    """HTML marks words with <del>/<ins> and every paragraph with its kind class."""
    html = render_html(diff_versions(*edited()))
    assert "<del>40</del> <ins>60</ins>" in html
    assert '<p class="para para-changed"' in html
    assert '<p class="para para-added"' in html
    assert html.count('class="para para-equal"') == 2
    assert 'class="diff-field diff-title field-changed"' in html
    assert 'class="diff-field diff-byline field-equal"' in html


def test_html_escapes_script_and_event_handler_markup() -> None:
    """Markup in article text is shown as text: no live <script>, <img> or on* handler survives."""
    hostile = (
        BODY[0],
        "A reader wrote <script>alert(1)</script> and <img src=x onerror=alert(1)> in a comment.",
    )
    old = version(1, BODY, title="Fire <b>bold</b>")
    new = version(2, hostile, title='Fire "<svg onload=alert(1)>"')
    html = render_html(diff_versions(old, new))
    assert "<script" not in html.lower()
    assert "<img" not in html.lower()
    assert "<svg" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    tags = set(re.findall(r"<([a-z0-9]+)", html))
    assert tags <= {"div", "section", "h3", "p", "del", "ins"}


def test_json_round_trips_and_has_the_documented_shape() -> None:
    """The JSON rendering survives json.dumps/loads unchanged and has title/byline/paragraphs."""
    data = render_json(diff_versions(*edited()))
    assert json.loads(json.dumps(data)) == data
    assert data["title"]["old"] == "Warehouse fire in Leeds"
    assert ["insert", " city centre"] in data["title"]["ops"]
    kinds = [(p["kind"], p["old_index"], p["new_index"]) for p in data["paragraphs"]]
    assert kinds == [("equal", 0, 0), ("changed", 1, 1), ("added", None, 2), ("equal", 2, 3)]
    changed = data["paragraphs"][1]
    assert set(changed) == {"kind", "old_index", "new_index", "old", "new", "ops"}
    assert ["delete", "40"] in changed["ops"] and ["insert", "60"] in changed["ops"]
