"""The learned-furniture table (monitor.store.furniture) on a real SQLite file."""

from __future__ import annotations

from pathlib import Path

from monitor import store
from monitor.store import furniture


def test_a_block_is_learned_from_its_third_article_or_at_once_when_rotated(tmp_path: Path) -> None:
    """seen_count counts first readings; min_articles of them make a block furniture; a
    rotated block is furniture at once; other scopes never see it."""
    db = store.open_db(tmp_path / "m.db")
    scope = furniture.scope_of(None, "https://news.example/a")
    assert scope == "host:news.example"
    for n in range(3):
        furniture.record(
            db, scope, None, [("k1", "Most read"), (f"own{n}", "x")], f"2026-01-0{n + 1}"
        )
        assert ("k1" in furniture.learned(db, scope, 3)) is (n == 2)
    furniture.record_rotation(db, scope, None, [("k2", "Banking")], "2026-01-05")
    assert furniture.learned(db, scope, 3) == {"k1", "k2"}
    assert furniture.learned(db, "outlet:1", 3) == frozenset()
    sample = db.execute("SELECT sample FROM furniture WHERE block_hash = 'k1'").fetchone()[0]
    assert sample == "Most read"
    assert furniture.prune_singletons(db, "2026-01-03") == 2  # own0, own1; own2 is recent
    assert furniture.learned(db, scope, 3) == {"k1", "k2"}


def test_a_credit_is_learned_after_different_lead_authors_only(tmp_path: Path) -> None:
    """A name listed after three different lead authors is a rail credit; a co-author
    listed after the same lead three times is not."""
    from monitor.extract.furniture import block_key, credits
    from monitor.models import Article

    db = store.open_db(tmp_path / "m.db")
    rail = "Priya Nair, Tom Becker, Lena Ortiz"
    for lead in ("Ann Lee", "Bo Chen", "Cara Diaz"):
        furniture.record_credits(db, "s", None, credits(Article("T", f"{lead}, {rail}")), "t")
    for _ in range(3):
        names = credits(Article("T", "Dev Patel, Sam Roe, Kim Li, Jo Park"))
        furniture.record_credits(db, "s", None, names, "t")
    learned = furniture.learned(db, "s", 3)
    assert block_key("Priya Nair") in learned
    assert block_key("Sam Roe") not in learned
    assert credits(Article("T", "Ann Lee, Bo Chen, Cara Diaz")) == ()  # two co-authors
