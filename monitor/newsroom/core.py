"""The newsroom: outlets, their stories and the story clock. No HTTP here."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from monitor.newsroom.filler import filler_stories
from monitor.newsroom.script import Revision, ScriptedEdit, Story
from monitor.newsroom.stories_capitol import capitol_stories
from monitor.newsroom.stories_harbor import harbor_stories
from monitor.newsroom.stories_ledger import ledger_stories
from monitor.newsroom.stories_metro import metro_stories

#: Story time advanced by one step of the clock.
STEP_DURATION = timedelta(minutes=45)


@dataclass(frozen=True)
class Outlet:
    """One simulated news site: its name, page template and how it announces stories."""

    name: str
    title: str
    template: str
    feed_kinds: tuple[str, ...]
    #: path of an article, formatted with ``section`` and ``slug``
    path_pattern: str
    charset: str = "utf-8"
    conditional_get: bool = False


OUTLETS: tuple[Outlet, ...] = (
    Outlet("capitol", "The Capitol Courier", "classic", ("rss",), "/{section}/{slug}"),
    Outlet("harbor", "Harbor Herald", "jsonld", ("atom",), "/news/{slug}/"),
    Outlet("ledger", "The Ledger", "divsoup", ("rdf",), "/story/{section}/{slug}.html"),
    Outlet(
        "metro",
        "Metro Daily",
        "semantic",
        ("sitemap_index", "sitemap"),
        "/{section}/{slug}.html",
        charset="windows-1252",
        conditional_get=True,
    ),
)


class Newsroom:
    """Every outlet's stories and a thread-safe story clock (``step``).

    Scripted stories are the same for every seed, so the answer key is stable; the seed
    moves the calendar and picks the filler stories and the furniture.
    """

    def __init__(self, seed: int = 0, extra_articles: int = 0) -> None:
        self.seed = seed
        self.outlets: list[Outlet] = list(OUTLETS)
        self._lock = threading.Lock()
        self._step = 0
        self.origin = datetime(2024, 3, 4, 9, 0, tzinfo=UTC) + timedelta(days=seed % 365)
        scripted = capitol_stories() + harbor_stories() + ledger_stories() + metro_stories()
        names = tuple(o.name for o in self.outlets)
        self.stories: list[Story] = scripted + filler_stories(seed, extra_articles, names)
        self._by_slug = {(s.outlet, s.slug): s for s in self.stories}
        self._by_path = {(s.outlet, self.article_path(s)): s for s in self.stories}
        if len(self._by_slug) != len(self.stories):
            raise ValueError("duplicate story slugs")

    @property
    def step(self) -> int:
        return self._step

    def advance(self, n: int = 1) -> int:
        """Move the story clock forward ``n`` steps; returns the new step."""
        if n < 0:
            raise ValueError("the story clock only moves forward")
        with self._lock:
            self._step += n
            return self._step

    @property
    def max_step(self) -> int:
        """The last step at which anything scripted happens (edits or first publication)."""
        steps = [e.step for s in self.stories for e in s.edits]
        steps += [s.published_step for s in self.stories]
        return max(steps, default=0)

    def expectations(self) -> list[ScriptedEdit]:
        """The answer key: every scripted revision, in step order."""
        edits = [e for s in self.stories for e in s.edits]
        return sorted(edits, key=lambda e: (e.step, e.outlet, e.slug))

    def outlet(self, name: str) -> Outlet:
        for outlet in self.outlets:
            if outlet.name == name:
                return outlet
        raise KeyError(name)

    def story(self, outlet: str, slug: str) -> Story:
        return self._by_slug[(outlet, slug)]

    def article_path(self, story: Story) -> str:
        pattern = self.outlet(story.outlet).path_pattern
        return pattern.format(section=story.section, slug=story.slug)

    def find(self, outlet: str, path: str) -> Story | None:
        return self._by_path.get((outlet, path))

    def live(self, outlet: str, step: int | None = None) -> list[tuple[Story, Revision]]:
        """Published, not-deleted stories of ``outlet`` at ``step``, newest first."""
        step = self._step if step is None else step
        found = []
        for story in self.stories:
            if story.outlet != outlet:
                continue
            revision = story.at(step)
            if revision is not None and revision.status == 200:
                found.append((story, revision))
        found.sort(key=lambda sr: self.published_at(sr[0]), reverse=True)
        return found

    def time_at(self, step: int) -> datetime:
        return self.origin + step * STEP_DURATION

    def published_at(self, story: Story) -> datetime:
        return self.time_at(story.published_step) - timedelta(hours=story.age_hours)

    def modified_at(self, story: Story, revision: Revision) -> datetime:
        if revision.modified_step == story.published_step:
            return self.published_at(story)
        return self.time_at(revision.modified_step)
