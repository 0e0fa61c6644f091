"""Learned furniture (monitor.extract.furniture): what may be learned, what is dropped."""

from __future__ import annotations

from monitor.extract import furniture
from monitor.extract.furniture import Learned, block_key, flips, learnable, rotating, strip
from monitor.extract.normalize import content_hash
from monitor.models import Article, Version

STORY = (
    "The council voted on Tuesday to close the harbour bridge for repairs next spring.",
    "Engineers found corrosion in the main cables during an inspection in March.",
    "The closure is expected to last six weeks, the city said in its notice.",
)


def _learned(*texts: str) -> Learned:
    return Learned(frozenset(block_key(t) for t in texts))


def test_block_key_ignores_case_punctuation_a_leading_by_and_a_trailing_count() -> None:
    """One key for a credit line and the byline name it repeats, and for a section label
    whose article count moved; different words are different keys."""
    assert block_key("By Jane Doe") == block_key("jane doe")
    assert block_key("Education (609)") == block_key("Education (610)")
    assert block_key("More from Metro") != block_key("More from Sports")


def test_long_blocks_notes_and_comment_lines_are_never_learnable() -> None:
    """What a critic needs to see removed is never learned: a long paragraph, a
    correction or update note, a request-for-comment line."""
    assert learnable("Most read")
    assert not learnable(" ".join(["word"] * 41))
    assert not learnable("Correction: An earlier version of this story misstated the date.")
    assert not learnable("The ministry did not respond to a request for comment.")
    # even when learned by key, such a block stays in the body
    note = "Correction: An earlier version of this story misstated the date."
    kept = strip(Article("T", body=(*STORY, note)), _learned(note))
    assert note in kept.body


def test_strip_drops_learned_blocks_and_rail_names_but_never_the_lead_author() -> None:
    """Learned blocks leave the body; a learned name leaves the byline unless it leads."""
    rail = "Ten Weekend Hikes Within an Hour of Downtown"
    article = Article("T", byline="Ann Lee, Jane Doe", body=(*STORY, rail))
    out = strip(article, _learned(rail, "By Jane Doe", "Ann Lee"))
    assert out.body == STORY
    assert out.byline == "Ann Lee"
    assert strip(article, furniture.NOTHING) == article


def test_strip_version_recomputes_the_hash_of_the_version_as_compared() -> None:
    """A stored version read under learned furniture hashes like today's stripped read."""
    rail = "Ten Weekend Hikes Within an Hour of Downtown"
    stored = Version(1, 1, "2026-01-01T00:00:00Z", "T", "", "\n\n".join((*STORY, rail)), "x")
    seen = furniture.strip_version(stored, _learned(rail))
    assert seen.paragraphs == STORY
    assert seen.content_hash == content_hash(Article("T", body=STORY))


def test_rotating_shapes() -> None:
    """Teasers cut short or ending in a link, and short labels, rotate; sentences do not."""
    assert rotating("Authorities reopened the Ortega Highway after the storm...")
    assert rotating("India needs several reforms, the minister said. Full Article")
    assert rotating("Economy")
    assert not rotating("The closure is expected to last six weeks.")
    assert not rotating("Correction: the bridge reopens in May...")


def test_an_exchange_of_teasers_on_an_unchanged_story_is_learned() -> None:
    """Two fetches, the story the same, one rail teaser and one rail credit exchanged."""
    a = Article("T", byline="Ann Lee, Jane Doe", body=(*STORY, "Economy", "Rates rise again..."))
    b = Article("T", byline="Ann Lee, Sam Roe", body=(*STORY, "Banking", "Banks merge..."))
    got = flips(a, b)
    assert got is not None
    learned = Learned(frozenset(k for k, _ in got))
    assert content_hash(strip(a, learned)) == content_hash(strip(b, learned))


def test_edits_are_never_taken_for_a_rotation() -> None:
    """A removed paragraph, an added one, a reworded sentence, a new headline, a new lead
    author: edits, nothing learned."""
    base = Article("T", byline="Ann Lee", body=STORY)
    assert flips(base, Article("T", byline="Ann Lee", body=STORY[:2])) is None
    assert flips(base, Article("T", byline="Ann Lee", body=(*STORY, "Police"))) is None
    reworded = (STORY[0], STORY[1], "The closure is expected to last ten weeks, the city said.")
    assert flips(base, Article("T", byline="Ann Lee", body=reworded)) is None
    assert flips(base, Article("T2", byline="Ann Lee", body=STORY)) is None
    assert flips(base, Article("T", byline="Bo Chen", body=STORY)) is None
    # a short label exchanged for a sentence is an edit too
    a = Article("T", body=(*STORY, "Economy"))
    assert flips(a, Article("T", body=(*STORY, "The mayor resigned."))) is None


def test_a_story_repeated_at_several_addresses_is_never_emptied() -> None:
    """When learned blocks would take most of a body (the same short story at another
    address, wire copy), the body is kept whole, never read as empty."""
    brief = ("Fire in the harbour district", "Crews at the scene", "Roads closed until noon")
    article = Article("T", body=(*brief, "Most read"))
    assert strip(article, _learned(*brief, "Most read")).body == article.body
    assert strip(article, _learned("Most read")).body == brief


def test_story_sentences_are_never_furniture_even_when_repeated() -> None:
    """A sentence of the story, however short, is never learnable, so a paragraph an
    outlet repeats across a series is never dropped (its removal stays visible)."""
    assert not learnable(STORY[0])
    assert strip(Article("T", body=STORY), _learned(*STORY)).body == STORY
    assert not learnable("Police said the man was armed.")


def test_a_block_only_added_is_rotation_only_beside_learned_furniture() -> None:
    """A rail showing one more teaser beside learned ones is furniture; the same short
    block added among the story's paragraphs is an edit."""
    known = _learned("More from the Gazette")
    a = Article("T", body=(*STORY, "More from the Gazette"))
    b = Article("T", body=(*STORY, "More from the Gazette", "Ferry Fares Rise"))
    assert flips(a, b, known) == ((block_key("Ferry Fares Rise"), "Ferry Fares Rise"),)
    c = Article("T", body=(STORY[0], "Ferry Fares Rise", *STORY[1:], "More from the Gazette"))
    assert flips(a, c, known) is None


def test_one_short_block_reworded_at_the_end_is_an_edit() -> None:
    """A single label-shaped block exchanged (a reworded last line or subheading) is an
    edit, not a rotation; a long sentence in a script without spaces is not a label."""
    a = Article("T", body=(*STORY, "Police deny involvement"))
    assert flips(a, Article("T", body=(*STORY, "Police admit involvement"))) is None
    assert not rotating("今回の事件のように不正に改造した端末を販売することは商標権侵害であると判断された")


def test_closing_lines_replaced_without_a_teaser_are_an_edit() -> None:
    """Two closing list lines replaced by two others is a factbox edited, not a rail: a
    rotation needs a teaser (cut short, or ending in its link) on both sides."""
    a = Article("T", body=(*STORY, "June 30 -- Jones Beach", "July 2 -- Madison Square"))
    b = Article("T", body=(*STORY, "June 30 -- Cancelled", "July 2 -- Cancelled too"))
    assert flips(a, b) is None
    c = Article("T", body=(*STORY, "Ferry Fares Rise", "Commuters will pay more..."))
    d = Article("T", body=(*STORY, "Library Hours Extended", "Branches stay open..."))
    assert flips(c, d) is not None
