"""The incidents store: merging an article into its canonical one keeps the incident's
article list whole (and the merge possible: the list references articles)."""

from __future__ import annotations

from monitor import store
from monitor.store import incidents
from monitor.store.feeds import ensure_outlet

NOW = "2026-11-25T12:00:00Z"


def test_a_merged_article_hands_its_incident_membership_to_the_survivor(
    store_target: str,
) -> None:
    """An article whose first reads an incident held is merged into the article its page
    names as canonical: no foreign-key error, and the incident counts the survivor; an
    incident that held both keeps the survivor once. On SQLite and on PostgreSQL."""
    db = store.open_db(store_target)
    with store.transaction(db):
        outlet = ensure_outlet(db, "capitol")
        metro = ensure_outlet(db, "metro")
        held, _ = store.add_article(db, "http://127.0.0.1/amp/story", outlet, NOW)
        canonical, _ = store.add_article(db, "http://127.0.0.1/story", outlet, NOW)
        other, _ = store.add_article(db, "http://127.0.0.1/other", outlet, NOW)
        incident = incidents.start(db, outlet, "consent_or_paywall", None, (held, other), NOW, "x")
        both = incidents.start(db, metro, "empty_body", None, (held, canonical), NOW, "y")
    with store.transaction(db):
        assert store.rekey_article(db, held, "http://127.0.0.1/story") == canonical
    members = sorted(
        tuple(r) for r in db.execute("SELECT incident_id, article_id FROM incident_articles")
    )
    assert members == sorted([(incident, canonical), (incident, other), (both, canonical)])
    assert incidents.incident(db, incident) is not None
