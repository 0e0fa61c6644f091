"""Scripted stories of "ledger": softened wording, a typo fix, reordered paragraphs, a 404."""

from __future__ import annotations

from monitor.newsroom.script import (
    Story,
    build_story,
    edit,
    furniture_only,
    reorder,
    replace_text,
    set_status,
)


def ledger_stories() -> list[Story]:
    return [_zoning(), _school(), _hospital(), _pension()]


def _zoning() -> Story:
    return build_story(
        "ledger",
        "council-zoning-vote",
        section="city-hall",
        headline="Council Approves Zoning Overhaul After Marathon Session",
        byline="By Grace Adeyemi",
        age_hours=9,
        paragraphs=[
            "The City Council approved a sweeping overhaul of the zoning code early Wednesday "
            "after a session that stretched past midnight, clearing the way for taller "
            "apartment buildings near transit stations.",
            "The measure passed on a 7-4 vote. Supporters said it would ease a housing shortage "
            "that has pushed rents to record highs.",
            "The overhaul was rushed through without a proper review of its effects on older "
            "neighborhoods, opponents said during the public comment period.",
            "Under the new rules, buildings of up to eight stories will be allowed within a "
            "half mile of rail stations, and parking requirements will be eliminated for many "
            "new projects.",
            "The mayor is expected to sign the measure this week. It takes effect in 90 days.",
        ],
        edits=[
            edit(
                2,
                {"wording"},
                "A sentence was softened: 'rushed through without a proper review' became "
                "'approved before a full review was completed'.",
                replace_text(
                    "The overhaul was rushed through without a proper review of its effects",
                    "The overhaul was approved before a full review was completed of its effects",
                ),
            ),
            furniture_only(6, "Page re-rendered with a new layout; the article is unchanged."),
        ],
    )


def _school() -> Story:
    return build_story(
        "ledger",
        "school-board-budget-hearing",
        section="education",
        headline="School Board Hears Pleas to Spare Arts Programs",
        byline="By Tomasz Wierzbicki",
        age_hours=12,
        paragraphs=[
            "Dozens of parents and students urged the school board on Tuesday night to spare "
            "music and art programs from cuts proposed in next year's budget.",
            "The district faces a shortfall after enrollment declined for a fourth straight "
            "year, and the superintendent has proposed reducing elective offerings at three "
            "middle schools.",
            "Board members said they would look for savings elsewhere in the goverment grants "
            "the district receives before cutting classroom programs",
            "“Take away the band room and you take away the reason some of these kids come "
            "to school,” said Lorena Vidal, a parent of two students at Eastside Middle School.",
            "A final budget vote is scheduled for May 14.",
        ],
        edits=[
            edit(
                3,
                {"minor"},
                "A typo ('goverment') and a missing full stop were fixed.",
                replace_text("the goverment grants", "the government grants"),
                replace_text("cutting classroom programs", "cutting classroom programs."),
            ),
        ],
    )


def _hospital() -> Story:
    return build_story(
        "ledger",
        "hospital-merger-talks",
        section="business",
        headline="Two Hospital Systems Confirm Merger Talks",
        byline="By Grace Adeyemi",
        age_hours=11,
        paragraphs=[
            "Two of the region's largest hospital systems confirmed on Friday that they were in "
            "talks to merge, a deal that would create a network of nine hospitals.",
            "Executives said a combined system would be better able to invest in technology "
            "and recruit specialists.",
            "Consumer advocates warned that the merger could raise prices for patients and "
            "employers, and said regulators should examine it closely.",
            "The state attorney general's office said it had been notified of the talks.",
            "Any agreement would need approval from state and federal regulators, a process "
            "that could take a year or more.",
        ],
        edits=[
            edit(
                4,
                {"moved"},
                "Paragraphs were reordered (the regulator paragraphs moved up); no text changed. "
                "Reported as moved (substantive, so silent, as DESIGN.md's rule has it), and "
                "in particular not as paragraph_added or paragraph_removed.",
                reorder((0, 3, 4, 1, 2)),
            ),
        ],
    )


def _pension() -> Story:
    return build_story(
        "ledger",
        "pension-fund-returns",
        section="business",
        headline="City Pension Fund Posts Best Returns in a Decade",
        byline="By Tomasz Wierzbicki",
        age_hours=14,
        paragraphs=[
            "The city's largest pension fund reported its best annual returns in a decade on "
            "Thursday, buoyed by gains in stocks and private equity.",
            "The fund returned 13.2 percent for the fiscal year, well above its assumed rate "
            "of 7 percent, officials said.",
            "The strong year will reduce the amount the city must contribute next year, "
            "freeing money for other priorities, the budget director said.",
            "The fund's private equity holdings returned 21 percent, the best performance of "
            "any asset class, while its bond portfolio lost money for a second year.",
            "Trustees cautioned that markets had been volatile and that one good year would "
            "not close the fund's long-term gap.",
        ],
        edits=[
            edit(5, {"removed"}, "The story was deleted: the URL answers 404.", set_status(404)),
        ],
    )
