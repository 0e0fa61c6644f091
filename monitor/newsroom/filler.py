"""Filler stories for benchmarks: plausible, seeded, never edited."""

from __future__ import annotations

import random

from monitor.newsroom.script import Revision, Story

_PLACES = (
    "Riverside", "Northgate", "the East Docks", "Old Town", "Millbrook", "Westfield",
    "Cedar Hill", "the harbor district", "Lakeview", "Southport", "Ashford", "Brookline",
)  # fmt: skip
_SUBJECTS = (
    "library renovation", "water main replacement", "bike lane expansion", "tax assessment",
    "bus route redesign", "school lunch program", "park cleanup", "housing inspection",
    "noise ordinance", "small business grant", "street tree survey", "flood barrier",
)  # fmt: skip
_PEOPLE = (
    "Ana Ruiz", "Tom Okafor", "Mei Tanaka", "Luis Ortega", "Hannah Price", "Samir Haddad",
    "Irene Kowalski", "David Mensah", "Nora Fitzgerald", "Kofi Asante", "Julia Berg",
)  # fmt: skip
_SENTENCES = (
    "Officials in {place} said the {subject} would begin in the coming weeks.",
    "The {subject} is expected to cost about ${n} million, according to city documents.",
    "Residents of {place} have raised concerns about the {subject} at recent meetings.",
    "“We have been asking for this for years,” said {person}, who lives nearby.",
    "A city spokesperson said the schedule could change depending on the weather.",
    "The council is expected to review the {subject} again next month.",
    "Similar projects in other cities have taken longer than planned.",
    "Work crews will be on site on weekdays between 7 a.m. and 5 p.m.",
    "{person}, a member of the neighborhood association, said the plan was a good start.",
    "Funding for the {subject} comes partly from a state grant awarded last year.",
    "About {n}00 households in {place} would be affected, officials estimated.",
    "The project's managers said they would publish progress reports online.",
)
_HEADLINES = (
    "{place} Moves Ahead With {Subject}",
    "Questions Linger Over {Subject} in {place}",
    "{Subject} in {place} Draws Mixed Reviews",
    "City Sets Timeline for {place} {Subject}",
    "Residents Weigh In on {Subject}",
)


def filler_stories(seed: int, count: int, outlets: tuple[str, ...]) -> list[Story]:
    """``count`` unchanging stories spread round-robin over ``outlets``."""
    rng = random.Random(f"filler-{seed}")
    stories = []
    for i in range(count):
        place, subject = rng.choice(_PLACES), rng.choice(_SUBJECTS)
        values = {
            "place": place,
            "subject": subject,
            "Subject": subject.title(),
            "person": rng.choice(_PEOPLE),
        }
        headline = rng.choice(_HEADLINES).format(**values)
        paragraphs = tuple(
            " ".join(s.format(n=rng.randint(2, 9), **values) for s in rng.sample(_SENTENCES, k=2))
            for _ in range(rng.randint(5, 8))
        )
        slug = f"{subject.replace(' ', '-')}-{place.lower().replace(' ', '-')}-{i:05d}"
        revision = Revision(0, headline, f"By {rng.choice(_PEOPLE)}", paragraphs)
        stories.append(
            Story(
                outlet=outlets[i % len(outlets)],
                slug=slug,
                section="briefs",
                published_step=0,
                revisions=(revision,),
                edits=(),
                age_hours=rng.randint(24 * 60, 30 * 24 * 60) / 60,
            )
        )
    return stories
