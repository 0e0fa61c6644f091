"""The incidents store: merging an article into its canonical one keeps the incident's
article list whole (and the merge possible: the list references articles)."""

from __future__ import annotations

from pathlib import Path

from monitor import store
from monitor.store import incidents
from monitor.store.feeds import ensure_outlet

NOW = "2026-11-25T12:00:00Z"


def test_a_merged_article_hands_its_incident_membership_to_the_survivor(tmp_path: Path) -> None:
    """An article whose first reads an incident held is merged into the article its page
    names as canonical: no foreign-key error, and the incident counts the survivor."""
    db = store.open_db(tmp_path / "m.db")
    with store.transaction(db):
        outlet = ensure_outlet(db, "capitol")
        held, _ = store.add_article(db, "http://127.0.0.1/amp/story", outlet, NOW)
        canonical, _ = store.add_article(db, "http://127.0.0.1/story", outlet, NOW)
        other, _ = store.add_article(db, "http://127.0.0.1/other", outlet, NOW)
        incident = incidents.start(db, outlet, "consent_or_paywall", None, (held, other), NOW, "x")
    with store.transaction(db):
        assert store.rekey_article(db, held, "http://127.0.0.1/story") == canonical
    members = {r[0] for r in db.execute("SELECT article_id FROM incident_articles")}
    assert members == {canonical, other}
    assert incidents.incident(db, incident) is not None
