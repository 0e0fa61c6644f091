"""Scripted stories of "capitol": the seed case, a headline A/B flip, a correction, a takedown."""

from __future__ import annotations

from monitor.newsroom.script import (
    Story,
    append,
    build_story,
    edit,
    furniture_only,
    insert_after,
    replace_text,
    set_headline,
    set_status,
)

SEED_SENTENCE = (
    "The National Security Council did not immediately respond to a request for comment."
)

BUDGET_HEADLINE = "Senate Leaders Strike Tentative Deal to Avert Government Shutdown"
BUDGET_HEADLINE_B = "Shutdown Averted? Senate Leaders Say Deal Is Close, but Hard-Liners Balk"


def capitol_stories() -> list[Story]:
    return [_sanctions(), _budget(), _bridge(), _fares()]


def _sanctions() -> Story:
    return build_story(
        "capitol",
        "white-house-weighs-new-export-controls",
        section="national-security",
        headline="White House Weighs Broader Export Controls on Advanced Chips",
        byline="By Daniel Whitcomb",
        age_hours=3,
        paragraphs=[
            "WASHINGTON — The White House is weighing a broader set of export controls on "
            "advanced semiconductors and the machines used to make them, according to three "
            "officials familiar with the deliberations, a move that would deepen a campaign "
            "to slow the military modernization of strategic rivals.",
            "The proposal, which has circulated among senior officials for several weeks, would "
            "extend existing restrictions to a wider range of chips used in data centers and "
            "would require licenses for some equipment shipped to third countries.",
            "Officials said no final decision had been made and that the details could change "
            "before the rules are published. Two of the officials said the administration hoped "
            "to coordinate the announcement with allies in Europe and Asia.",
            "Industry groups have warned that sweeping controls could cost American companies "
            "billions of dollars in sales and push foreign buyers toward competitors. "
            "Several chief executives met with Commerce Department officials last month "
            "to press their case.",
            "“We share the goal of protecting national security, but the rules have to be "
            "workable,” said Margaret Liu, who leads a trade association representing chipmakers.",
            "Lawmakers from both parties have urged the administration to act faster, arguing "
            "that earlier restrictions contained loopholes that allowed restricted technology "
            "to reach military end users through intermediaries.",
            "A Commerce Department spokesman said the agency continually reviews its controls "
            "and declined to discuss internal deliberations.",
        ],
        edits=[
            edit(
                2,
                {"comment_line"},
                "A line saying the National Security Council did not respond to a request for "
                "comment was slipped in after the industry paragraph, with no update note.",
                insert_after("billions of dollars in sales", SEED_SENTENCE),
            ),
            furniture_only(5, "Page re-rendered with a new layout; the article is unchanged."),
        ],
    )


def _budget() -> Story:
    return build_story(
        "capitol",
        "senate-leaders-shutdown-deal",
        section="politics",
        headline=BUDGET_HEADLINE,
        byline="By Rachel Okonkwo and Peter Lindqvist",
        age_hours=5,
        paragraphs=[
            "WASHINGTON — Senate leaders reached a tentative agreement on Tuesday night to fund "
            "the government through the end of the fiscal year, easing fears of a shutdown that "
            "would have begun at midnight on Friday.",
            "The deal, announced on the Senate floor by the majority leader, would provide "
            "$1.59 trillion in discretionary spending and leave most agency budgets roughly flat.",
            "“This is not the bill either side would have written alone, but it keeps the "
            "government open,” the majority leader said.",
            "Conservative members of the House signaled that they would oppose the agreement, "
            "which does not include the deep cuts to domestic programs they had demanded.",
            "The Senate is expected to vote on Thursday. If the measure passes, the House would "
            "have roughly a day to take it up before funding lapses.",
            "Federal agencies have already begun preparing contingency plans, and some have "
            "warned employees that they could be furloughed if Congress fails to act.",
        ],
        edits=[
            edit(
                1,
                {"headline"},
                "Headline rewritten to a question stressing the opposition; body untouched.",
                set_headline(BUDGET_HEADLINE_B),
            ),
            edit(
                3,
                {"headline", "revert"},
                "Headline flipped back to the original wording (an A/B test ending).",
                set_headline(BUDGET_HEADLINE),
            ),
        ],
    )


def _bridge() -> Story:
    return build_story(
        "capitol",
        "federal-bridge-inspections-lag",
        section="politics",
        headline="Federal Audit Finds Bridge Inspections Lagging in 11 States",
        byline="By Helen Marsh",
        age_hours=8,
        paragraphs=[
            "A federal audit released on Wednesday found that inspections of aging highway "
            "bridges had fallen behind schedule in 11 states, raising concerns about how well "
            "officials are tracking structures that carry millions of vehicles each day.",
            "The report, by the Transportation Department's inspector general, said that "
            "roughly 4,300 bridges had gone longer than the required two years between "
            "inspections.",
            "Among them was the Calder River crossing, which opened in 1965 and carries an "
            "interstate highway over a rail yard. Its last full inspection was in 2019.",
            "State officials said staffing shortages and the pandemic had delayed the work, "
            "and several said they had since hired outside engineering firms to catch up.",
            "The inspector general recommended that the Federal Highway Administration "
            "withhold some funding from states that repeatedly miss deadlines.",
            "The agency said in a written response that it agreed with most of the findings.",
        ],
        edits=[
            edit(
                4,
                {"correction_note", "numbers"},
                "The year the Calder River crossing opened was fixed (1965 → 1962) and a "
                "correction was appended.",
                replace_text("which opened in 1965", "which opened in 1962"),
                append(
                    "Correction: An earlier version of this article misstated the year the "
                    "Calder River crossing opened. It was 1962, not 1965."
                ),
            ),
        ],
    )


def _fares() -> Story:
    return build_story(
        "capitol",
        "transit-fare-hike-proposal",
        section="politics",
        headline="Transit Board Floats Fare Increase to Close Budget Gap",
        byline="By Marcus Bell",
        age_hours=4,
        paragraphs=[
            "The regional transit board on Monday proposed raising the base fare by 25 cents, "
            "the first increase in six years, to help close a projected deficit.",
            "Board members said ridership had recovered more slowly than expected and that "
            "federal relief money would run out next summer.",
            "Riders' advocates criticized the plan, saying it would fall hardest on low-income "
            "workers who have few alternatives.",
            "The board will hold public hearings next month before a final vote in June.",
            "A spokeswoman for the governor said the administration was reviewing the proposal.",
        ],
        edits=[
            edit(
                3,
                {"removed"},
                "The story was taken down: the URL answers 410 Gone.",
                set_status(410),
            ),
            edit(6, {"restored"}, "The story is back online, unchanged.", set_status(200)),
        ],
    )
