"""The pure core of outlet health: when reads of one outlet open an incident, which reads
an open incident holds, and when good reads close it."""

from __future__ import annotations

import pytest

from monitor.config import ConfigError, settings_from_mapping
from monitor.pipeline.outlet_health import policy_of
from monitor.policy.health import (
    HealthPolicy,
    OpenIncident,
    Peer,
    Read,
    decide,
    health_kind,
    selector_miss,
)

POLICY = HealthPolicy(articles=3, share=0.5, window=3600, recovery_reads=2)


def _peers(*broken: str | None, sig: str | None = None) -> tuple[Peer, ...]:
    return tuple(Peer(i + 10, b, sig) for i, b in enumerate(broken))


def test_one_broken_article_is_left_to_the_suspect_guard() -> None:
    """A single article reading broken on a healthy outlet opens nothing: its own
    persistent change goes through the suspect guard."""
    decision = decide(Read(1, "shrunk"), _peers(None, None, None, None), None, POLICY)
    assert decision.action == "pass"


def test_enough_broken_articles_of_an_outlet_open_an_incident() -> None:
    """The third broken article (of four read) opens an incident of the common kind, over
    every article reading broken."""
    peers = _peers("consent_or_paywall", "empty_body", None)
    decision = decide(Read(1, "consent_or_paywall"), peers, None, POLICY)
    assert decision.action == "open"
    assert decision.kind == "consent_or_paywall"
    assert decision.members == (1, 10, 11)


def test_a_small_share_of_a_big_outlet_opens_nothing() -> None:
    """Three broken reads among twenty articles read in the window are not an incident."""
    peers = _peers("shrunk", "shrunk", *([None] * 17))
    assert decide(Read(1, "shrunk"), peers, None, POLICY).action == "pass"


def test_articles_reading_the_same_text_are_alike() -> None:
    """An error page served with 200 that no single read calls broken: a second article
    with the same text is held as alike; the third opens an incident carrying the text's
    hash."""
    held = decide(Read(1, None, "s1"), _peers(None, sig="s1"), None, POLICY)
    assert (held.action, held.alike) == ("pass", True)
    opened = decide(Read(1, None, "s1"), _peers(None, None, sig="s1"), None, POLICY)
    assert (opened.action, opened.kind, opened.signature) == ("open", "alike", "s1")


def test_an_open_incident_holds_broken_reads_and_counts_good_ones() -> None:
    """While an incident is open, a broken read or the incident's text is quarantined;
    a good read counts toward recovery and the last one needed closes it."""
    incident = OpenIncident(7, "alike", "s1", healthy_reads=0)
    assert decide(Read(1, "empty_body"), (), incident, POLICY).action == "quarantine"
    assert decide(Read(1, None, "s1"), (), incident, POLICY).action == "quarantine"
    first = decide(Read(1, None, "s2"), (), incident, POLICY)
    assert (first.action, first.close) == ("healthy", False)
    last = decide(Read(1, None), (), OpenIncident(7, "alike", "s1", 1), POLICY)
    assert (last.action, last.close) == ("healthy", True)


def test_suspect_reasons_and_selector_misses_have_kinds() -> None:
    """Each suspect reason maps to its health kind; a selector miss is only one when the
    outlet's selector read the stored version."""
    assert health_kind("consent or paywall text") == "consent_or_paywall"
    assert health_kind("body shrank from 900 to 100 characters") == "shrunk"
    assert health_kind("empty body") == "empty_body"
    assert health_kind(None) is None
    assert selector_miss(True, "outlet", "generic")
    assert not selector_miss(True, "generic", "generic")
    assert not selector_miss(False, "outlet", "generic")


def test_the_share_counts_only_reads_since_the_outage_showed_first() -> None:
    """Articles last read well before the first broken read do not hold an incident back:
    3 broken of 10 read in the window opens one when the 7 good reads came earlier, not
    when they came after the outage began."""
    broken = tuple(Peer(10 + i, "consent_or_paywall", None, f"2026-01-01T10:0{i}:00Z")
                   for i in range(2))  # fmt: skip
    earlier = tuple(Peer(20 + i, None, None, "2026-01-01T09:00:00Z") for i in range(7))
    later = tuple(Peer(20 + i, None, None, "2026-01-01T10:05:00Z") for i in range(7))
    read = Read(1, "consent_or_paywall")
    assert decide(read, broken + earlier, None, POLICY).action == "open"
    assert decide(read, broken + later, None, POLICY).action == "pass"


def test_incident_settings_are_read_and_checked() -> None:
    """The [schedule] incident keys are read (durations with units), and a value that
    would make every single broken read an incident, or no window, is refused in one line."""
    schedule = settings_from_mapping(
        {"schedule": {"incident_articles": 5, "incident_share": 0.25,
                      "incident_window": "2h", "incident_recovery_reads": 4}}
    ).schedule  # fmt: skip
    assert policy_of(schedule) == HealthPolicy(5, 0.25, 7200.0, 4)
    for bad in ({"incident_articles": 1}, {"incident_window": "0s"}, {"incident_share": 1.5}):
        with pytest.raises(ConfigError, match="incident_"):
            settings_from_mapping({"schedule": bad})
