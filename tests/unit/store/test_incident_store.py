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


def test_another_article_of_the_outlet_reading_the_same_text_is_found(store_target: str) -> None:
    """any_alike finds another article of the same outlet whose latest read had the same
    changed text in the window, and neither the article itself, another outlet's
    article, nor an older read. On SQLite and on PostgreSQL (its ``+outlet_id`` hint)."""
    db = store.open_db(store_target)
    with store.transaction(db):
        outlet, elsewhere = ensure_outlet(db, "capitol"), ensure_outlet(db, "metro")
        one, _ = store.add_article(db, "http://127.0.0.1/one", outlet, NOW)
        two, _ = store.add_article(db, "http://127.0.0.1/two", outlet, NOW)
        far, _ = store.add_article(db, "http://127.0.0.1/far", elsewhere, NOW)
    for article, sig in ((one, "s1"), (two, "s2"), (far, "s1")):
        db.execute(
            "UPDATE articles SET read_sig = ?, last_checked_at = ? WHERE id = ?",
            (sig, NOW, article),
        )
    assert not incidents.any_alike(db, outlet, one, "s1", NOW)  # itself and another outlet
    assert incidents.any_alike(db, outlet, one, "s2", NOW)
    assert not incidents.any_alike(db, outlet, one, "s2", "2026-11-25T12:00:01Z")
