"""Scripted stories of "metro" (windows-1252 pages): a dropped "declined to comment" line,
a removed paragraph, and a story first published at step 3 that later gains a paragraph.

Names carry accents on purpose: the pages are served in windows-1252, so every character
here must exist in that code page.
"""

from __future__ import annotations

from monitor.newsroom.script import Story, build_story, drop, edit, furniture_only, insert_after

DECLINED_LINE = "A spokesman for the developer, Rénald Côté, declined to comment."


def metro_stories() -> list[Story]:
    return [_housing(), _stadium(), _festival()]


def _housing() -> Story:
    return build_story(
        "metro",
        "mayor-unveils-housing-plan",
        section="city",
        headline="Mayor Unveils Plan to Build 20,000 Affordable Homes",
        byline="By José Álvarez",
        age_hours=6,
        paragraphs=[
            "Mayor Zoë Lindqvist unveiled a plan on Monday to build or preserve 20,000 "
            "affordable homes over the next decade, the most ambitious housing pledge in the "
            "city's history.",
            "The plan relies on city-owned land, tax breaks for developers who set aside "
            "units for lower-income tenants, and a new fund financed by a bond measure that "
            "voters would be asked to approve in November.",
            "“We cannot build our way out of this overnight, but we can stop falling "
            "behind,” the mayor said at a vacant lot in the Riverside district.",
            "The largest single project, on the site of a former bus depot, would be built "
            "by a private developer selected last year.",
            DECLINED_LINE,
            "Tenant organizers welcomed the plan but said it did too little for people "
            "facing eviction now. Council members said they would hold hearings this spring.",
        ],
        edits=[
            edit(
                2,
                {"comment_line"},
                "The developer's 'declined to comment' line was removed without a note.",
                drop("declined to comment"),
            ),
        ],
    )


def _stadium() -> Story:
    return build_story(
        "metro",
        "stadium-deal-questions",
        section="city",
        headline="Questions Mount Over Stadium Financing Deal",
        byline="By Françoise Léger",
        age_hours=9,
        paragraphs=[
            "A proposed deal to finance a new downtown stadium is facing growing scrutiny "
            "from council members, who say the city's share of the cost remains unclear.",
            "Under the tentative agreement, the city would issue bonds to cover the cost of "
            "roads, utilities and a parking structure around the stadium.",
            "An analysis by the council's budget office estimated that the public cost could "
            "exceed earlier projections by as much as a third.",
            "The team's owners have said the stadium would be privately financed and would "
            "generate thousands of jobs and new tax revenue.",
            "Economists who study sports venues have found that such projects rarely deliver "
            "the economic benefits their backers promise.",
            "A council committee is scheduled to take up the deal on Thursday.",
        ],
        edits=[
            edit(
                3,
                {"paragraph_removed"},
                "The paragraph citing economists' skepticism was removed without a note.",
                drop("Economists who study sports venues"),
            ),
        ],
    )


def _festival() -> Story:
    return build_story(
        "metro",
        "river-festival-returns",
        section="culture",
        headline="River Festival Returns With Fireworks and a Night Market",
        byline="By Chloé Dubois",
        published_step=3,
        age_hours=0,
        paragraphs=[
            "The city's river festival will return next month after a two-year pause, with "
            "fireworks, a floating stage and a night market along the east bank.",
            "Organizers said they expected 40,000 visitors over the three-day event, which "
            "was suspended after a dispute over security costs.",
            "“People have missed it, and we wanted it back bigger than before,” said Renée "
            "Marchetti, the festival's director.",
            "The festival will run from Friday through Sunday, with free admission on all "
            "three days. Some streets near the river will be closed to traffic.",
            "Tickets for the floating stage concerts go on sale next week.",
        ],
        edits=[
            edit(
                7,
                {"paragraph_added"},
                "A paragraph about extra bus service was added without a note.",
                insert_after(
                    "free admission on all",
                    "The transit authority said it would add late-night bus service on the "
                    "festival's three nights.",
                ),
            ),
            furniture_only(8, "Page re-rendered with a new layout; the article is unchanged."),
        ],
    )
