"""Scripted stories of "harbor": numbers, an altered quote, an update notice, a new byline."""

from __future__ import annotations

from monitor.newsroom.script import (
    Story,
    append,
    build_story,
    edit,
    furniture_only,
    replace_text,
    set_byline,
)


def harbor_stories() -> list[Story]:
    return [_fire(), _ferry(), _dredging(), _terminal()]


def _fire() -> Story:
    return build_story(
        "harbor",
        "warehouse-fire-east-docks",
        section="local",
        headline="Fire Tears Through Warehouse on East Docks",
        byline="By Sofia Brennan",
        age_hours=2,
        paragraphs=[
            "A fire tore through a storage warehouse on the East Docks early Saturday, sending "
            "a column of black smoke over the harbor and forcing the closure of two berths.",
            "Fire officials said 12 people were treated for smoke inhalation, including three "
            "firefighters. None of the injuries were believed to be life-threatening.",
            "The blaze was reported shortly after 4 a.m. by a security guard who saw flames "
            "near the loading bays. More than 80 firefighters responded.",
            "The warehouse, owned by a logistics company, held paper goods and packaging "
            "materials, which officials said helped the fire spread quickly.",
            "The cause of the fire is under investigation. The port authority said cargo "
            "operations at neighboring berths would resume on Sunday.",
        ],
        edits=[
            edit(
                2,
                {"numbers"},
                "The count of people treated changed from 12 to 15, with no note.",
                replace_text("said 12 people were treated", "said 15 people were treated"),
            ),
            furniture_only(6, "Page re-rendered with a new layout; the article is unchanged."),
        ],
    )


def _ferry() -> Story:
    return build_story(
        "harbor",
        "ferry-contract-awarded",
        section="business",
        headline="City Awards $48 Million Ferry Contract to Local Shipyard",
        byline="By Owen Castellanos",
        age_hours=6,
        paragraphs=[
            "The city awarded a $48 million contract on Thursday to a local shipyard to build "
            "four new passenger ferries, ending a two-year search for a builder.",
            "The vessels, which will carry up to 350 passengers each, are expected to enter "
            "service in 2027 on the busy crosstown routes.",
            "“These boats are going to be built here, by people who live here, and that "
            "matters to us,” said Deputy Mayor Annette Cruz at a news conference at the yard.",
            "A rival bidder, which had offered a lower price, said it was considering a "
            "formal protest of the award.",
            "The shipyard's owner said the contract would allow the company to hire about "
            "120 additional workers over the next three years.",
        ],
        edits=[
            furniture_only(1, "Page re-rendered with a new layout; the article is unchanged."),
            edit(
                3,
                {"quote"},
                "The deputy mayor's quote was altered inside the quotation marks.",
                replace_text(
                    "by people who live here, and that matters to us,",
                    "by people who live here, and that is what we promised,",
                ),
            ),
        ],
    )


def _dredging() -> Story:
    return build_story(
        "harbor",
        "channel-dredging-delayed",
        section="local",
        headline="Channel Dredging Delayed as Permits Stall",
        byline="By Sofia Brennan",
        age_hours=10,
        paragraphs=[
            "A long-planned project to deepen the harbor's main shipping channel has been "
            "delayed again, officials said Monday, after federal permits stalled over concerns "
            "about contaminated sediment.",
            "The project would allow larger container ships to reach the port at low tide, "
            "which port officials say is essential to compete with rival harbors.",
            "Environmental groups have argued that disturbing the channel bottom could release "
            "pollutants that settled there decades ago.",
            "The port authority had hoped to begin work this spring. Each month of delay "
            "adds about $2 million to the project's cost, according to the authority.",
            "Shipping lines have told port officials that they may shift some routes to other "
            "harbors if the channel is not deepened by the end of next year.",
        ],
        edits=[
            edit(
                4,
                {"correction_note", "paragraph_added"},
                "An 'Update:' notice and a new paragraph were added after permits were granted.",
                append(
                    "Update: On Tuesday afternoon the Army Corps of Engineers said it had granted "
                    "the permits, with conditions on how the sediment must be handled.",
                    "Port officials said work could now begin as early as next month, although "
                    "environmental groups said they were reviewing the conditions.",
                ),
            ),
        ],
    )


def _terminal() -> Story:
    return build_story(
        "harbor",
        "container-terminal-automation",
        section="business",
        headline="Dockworkers Wary as Terminal Tests Automated Cranes",
        byline="By Owen Castellanos",
        age_hours=7,
        paragraphs=[
            "The harbor's largest container terminal has begun testing automated cranes, a "
            "step its operator says will make the port more efficient and its workers fear "
            "will cost them jobs.",
            "Two remotely operated cranes began moving containers last week under the "
            "supervision of union crane operators, according to the terminal's operator.",
            "Union leaders said the contract signed last year guaranteed that no current "
            "workers would be laid off because of automation, but that future hiring could suffer.",
            "The operator said it planned to evaluate the test for six months before deciding "
            "whether to expand it.",
            "Ports in Europe and Asia have automated much of their cargo handling, and shipping "
            "lines have pressed American ports to follow.",
        ],
        edits=[
            edit(
                5,
                {"byline"},
                "A second reporter was added to the byline.",
                set_byline("By Owen Castellanos and Priya Natarajan"),
            ),
        ],
    )
