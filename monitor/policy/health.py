"""Outlet health: when many of one outlet's articles read broken, or alike, at once.

A consent wall, a teaser paywall, a JavaScript shell, an error page served with
200 or a template change that empties the outlet's selectors hits every article
of an outlet together. One article at a time, the suspect guard would hold each
read a few times and then store it as a (silent) edit, and store the real text
again as a second edit when the outlet recovers. Seen per outlet, it is an
**incident**: while one is open, reads of the outlet that look like it are
quarantined (never versions, never changes, never counted toward the suspect
guard); it closes after enough good reads, and each article is then compared with
its last good version as usual.

Pure: the caller reads the outlet's recent reads and its open incident from the
store and applies the :class:`Decision`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: How a read looked broken (``articles.read_health``, ``incidents.kind``).
HEALTH_KINDS = (
    "consent_or_paywall",
    "empty_body",
    "shrunk",
    "limits",
    "selectors",
    "alike",
)

#: Words for each kind, in summaries, ``status`` and the review UI.
KIND_WORDS = {
    "consent_or_paywall": "consent wall or paywall",
    "empty_body": "empty pages (a JavaScript shell?)",
    "shrunk": "bodies shrank (teaser paywall or error page?)",
    "limits": "pages over the extraction limits",
    "selectors": "outlet selectors match nothing (template change?)",
    "alike": "many articles read the same text (an error page?)",
}


@dataclass(frozen=True)
class HealthPolicy:
    """From ``[schedule]``: how many articles, which share, over how long, and how many
    good reads close an incident."""

    #: distinct articles of one outlet that must read broken (or alike) together
    articles: int = 3
    #: ... and the share of the outlet's articles read in the window they must be
    share: float = 0.5
    #: seconds: reads older than this do not count
    window: float = 6 * 3600
    #: good reads of the outlet in a row that close an incident
    recovery_reads: int = 3


@dataclass(frozen=True)
class Read:
    """One article's read, as the commit sees it."""

    article_id: int
    #: a health kind when the read looks broken on its own (suspect reason, selector miss)
    broken: str | None
    #: the body hash when the read differs from the article's stored version
    signature: str | None = None


@dataclass(frozen=True)
class Peer:
    """Another article of the same outlet, by its latest read within the window."""

    article_id: int
    broken: str | None
    signature: str | None
    #: when it was read (ISO 8601 UTC, so strings compare as times); "" = unknown
    read_at: str = ""


@dataclass(frozen=True)
class OpenIncident:
    id: int
    kind: str
    signature: str | None
    healthy_reads: int


@dataclass(frozen=True)
class Decision:
    """``pass``: no incident business, the read goes through the usual guard (``alike``
    says it reads like another article's, so the guard holds it as suspect);
    ``open``: open an incident of ``kind`` over ``members`` and quarantine the read;
    ``quarantine``: the read looks like the open incident; ``healthy``: a good read
    during an incident (``close`` when it is the last one needed)."""

    action: Literal["pass", "open", "quarantine", "healthy"]
    kind: str | None = None
    signature: str | None = None
    members: tuple[int, ...] = ()
    alike: bool = False
    close: bool = False


def health_kind(suspect: str | None) -> str | None:
    """The health kind of a suspect reason (monitor.extract.normalize.suspect_reason)."""
    if suspect is None:
        return None
    for prefix, kind in (
        ("consent or paywall", "consent_or_paywall"),
        ("empty body", "empty_body"),
        ("body shrank", "shrunk"),
        ("exceeds extraction limits", "limits"),
        ("reads the same as", "alike"),
        ("outlet selectors", "selectors"),
    ):
        if suspect.startswith(prefix):
            return kind
    return "shrunk"


def selector_miss(has_body_selector: bool, last_extractor: str | None, extractor: str) -> bool:
    """The outlet's body selector read the last version and finds nothing now: its
    template changed under the selectors (the cascade fell back to another reader)."""
    return has_body_selector and last_extractor == "outlet" and extractor != "outlet"


def decide(
    read: Read, peers: tuple[Peer, ...], incident: OpenIncident | None, policy: HealthPolicy
) -> Decision:
    """What to do with ``read`` given the outlet's other recent reads and open incident."""
    if incident is not None:
        if looks_like(read, incident):
            return Decision("quarantine", incident.kind, incident.signature)
        closing = incident.healthy_reads + 1 >= policy.recovery_reads
        return Decision("healthy", incident.kind, close=closing)
    others = tuple(p for p in peers if p.article_id != read.article_id)
    alike = read.signature is not None and any(p.signature == read.signature for p in others)
    if read.broken is None and not alike:
        return Decision("pass")
    members = [p for p in others if _together(read, p)]
    count = len(members) + 1
    # The share counts the reads since the outage showed first: an article read well
    # an hour before it began says nothing about the outlet now.
    began = min((p.read_at for p in members), default="")
    read_since = [p for p in others if p in members or p.read_at >= began]
    if count >= policy.articles and count >= policy.share * (len(read_since) + 1):
        kind, signature = _incident_kind(read, members, alike)
        ids = tuple(sorted({read.article_id, *(p.article_id for p in members)}))
        return Decision("open", kind, signature, ids)
    return Decision("pass", read.broken or "alike", alike=alike)


def looks_like(read: Read, incident: OpenIncident) -> bool:
    """Whether a read during an incident belongs to it: any broken read, or the text
    the incident's articles all read."""
    if read.broken is not None:
        return True
    return incident.signature is not None and read.signature == incident.signature


def _together(read: Read, peer: Peer) -> bool:
    """Whether ``peer`` reads broken the way ``read`` does (any broken kind counts: one
    outage shows as an empty body on one page and a shrunk one on the next)."""
    if peer.broken is not None and peer.broken != "alike" and read.broken is not None:
        return True
    return read.signature is not None and peer.signature == read.signature


def _incident_kind(read: Read, members: list[Peer], alike: bool) -> tuple[str, str | None]:
    """The most common kind among the reads (ties: this read's), and the shared text's
    hash when the articles read alike."""
    if alike:
        kinds = [read.broken or "alike"] + [p.broken or "alike" for p in members]
        signature = read.signature
    else:
        kinds = [read.broken or "alike"] + [p.broken for p in members if p.broken]
        signature = None
    best = max(kinds, key=lambda k: (kinds.count(k), k == kinds[0]))
    return best, signature
