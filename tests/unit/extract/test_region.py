"""The region read: an edit found by the fast path, read from the located region, equals
what the full extraction cascade reads, or the cascade runs."""

from __future__ import annotations

import json
import random
from datetime import timedelta
from pathlib import Path

import pytest

from monitor import store
from monitor.config import load_settings
from monitor.extract import fingerprint as fastpath
from monitor.extract import region
from monitor.extract.cascade import extract
from monitor.extract.normalize import content_hash, normalize
from monitor.models import Article
from monitor.net.fetch import Fetcher
from monitor.pipeline import gather
from monitor.pipeline.check import run_pass
from tests.support.answer_key import scripted_edit_problems
from tests.support.paths import CORPUS
from tests.unit.extract.test_fastpath import PAGE, PARAS

URL = "https://gazette.example/a"
STEP = timedelta(minutes=20)
EDITED = (*PARAS[:2], PARAS[2] + " A spokesperson did not immediately respond.")


def page(n: int, body: str | None = None, title: str = "Council Approves Budget") -> str:
    if body is None:
        body = "".join(f"<p>{p}</p>" for p in PARAS)
    return PAGE.format(title=title, byline="Ana Ruiz", body=body, n=n)


def cascade(html: str) -> Article:
    return normalize(extract(html, URL, {}))


def fingerprint(html: str) -> fastpath.Fingerprint:
    article = cascade(html)
    found = fastpath.take(html, article, content_hash(article), {}, learn_read=True)
    assert found is not None
    return found


def region_read(html: str, known: fastpath.Fingerprint) -> Article | None:
    located = fastpath.locate(html, known, {})
    assert located is not None and located.digest != known.digest
    rule = located.locator["read"]
    return region.read(located.root, located.region, located.lines, rule, {}, URL, html)


def test_a_page_the_region_read_reproduces_gets_a_rule() -> None:
    """The fingerprint of a plain article page carries a learned region-read rule."""
    rule = json.loads(fingerprint(page(1)).locator)["read"]
    assert rule["extractor"] == "generic" and rule["count"] == 3


def test_an_edited_sentence_is_read_from_the_region_exactly_as_the_cascade_reads_it() -> None:
    """A sentence appended to a paragraph: the region read equals the full cascade's article."""
    edited = page(2, "".join(f"<p>{p}</p>" for p in EDITED))
    got = region_read(edited, fingerprint(page(1)))
    assert got is not None
    assert got == cascade(edited)
    assert got.body == EDITED


def test_a_headline_edit_is_read_with_the_cascade_title_rules() -> None:
    """A rewritten headline (h1, title tag, og:title) comes out as the cascade titles it."""
    edited = page(2, title="Council Rejects Budget After Long Debate")
    got = region_read(edited, fingerprint(page(1)))
    assert got is not None and got.title == "Council Rejects Budget After Long Debate"
    assert got == cascade(edited)


@pytest.mark.parametrize(
    "body",
    [
        "".join(f"<p>{p}</p>" for p in PARAS) + "<h2>What happens next</h2>",
        "".join(f"<p>{p}</p>" for p in PARAS) + "<blockquote>We will appeal.</blockquote>",
        "".join(f"<p>{p}</p>" for p in PARAS) + "<div>An unboxed line of text here.</div>",
        "".join(f"<p>{p}</p>" for p in PARAS * 4),
    ],
    ids=["new subhead kind", "new quote element kind", "text outside paragraphs", "4x paragraphs"],
)
def test_a_page_unlike_the_learned_one_goes_to_the_cascade(body: str) -> None:
    """New element kinds, stray text in the region or a far-off paragraph count: no region read."""
    assert region_read(page(2, body), fingerprint(page(1))) is None


def test_no_rule_is_learned_when_the_region_read_disagrees_with_the_cascade() -> None:
    """If reading the region would not give the cascade's article, the fingerprint has no rule."""
    html = page(1)
    article = cascade(html)
    other = Article(article.title, article.byline, article.body[:2], extractor="generic")
    found = fastpath.take(html, other, content_hash(other), {}, learn_read=True)
    assert found is None or "read" not in json.loads(found.locator)


@pytest.fixture
def audited(newsroom, config_file: Path, tmp_path: Path, clock, monkeypatch):
    """Every newsroom step checked, each region read paired with the full cascade's article."""
    room, server = newsroom
    audit: list[tuple[str, Article, Article | None]] = []
    monkeypatch.setattr(gather, "region_audit", audit)
    settings = load_settings(config_file)
    db = store.open_db(tmp_path / "monitor.db")
    start = clock.now
    with Fetcher(settings.fetch, clock=clock) as fetcher:
        for step in range(room.max_step + 1):
            if step:
                room.advance()
                clock.now = start + STEP * step
            run_pass(db, fetcher, settings, clock=clock, rng=random.Random(step), check_all=True)
    return room, server, db, start, audit


def test_every_newsroom_region_read_equals_the_full_cascade(audited) -> None:
    """Verification mode over all outlets and scripted edits: title, byline, body and dates
    read from the region are exactly the cascade's, and the shortcut is actually used."""
    _, _, _, _, audit = audited
    outlets = {url.split("/")[2] for url, _, _ in audit}
    assert len(audit) >= 10 and len(outlets) >= 3
    mismatches = [url for url, mine, full in audit if mine != full]
    assert not mismatches, mismatches


def test_scripted_edits_are_all_found_with_region_reads(audited) -> None:
    """With the region read on, each scripted edit still yields its change with the expected kinds."""
    room, server, db, start, _ = audited
    problems = scripted_edit_problems(room, server, db, start, STEP)
    assert not problems, "\n".join(problems)





def _corpus(path: str) -> Path:
    found = CORPUS / path
    if not found.exists():
        pytest.skip(f"the shared corpus is not beside the repo ({found} absent)")
    return found


def _both_ways(before: str, after: str, url: str) -> tuple[Article, Article] | None:
    """(region read, full cascade) of ``after`` when the region path would be taken."""
    article = normalize(extract(before, url, {}))
    known = fastpath.take(before, article, content_hash(article), {}, learn_read=True)
    located = fastpath.locate(after, known, {}) if known is not None else None
    if located is None or located.digest == known.digest or "read" not in located.locator:
        return None
    rule = located.locator["read"]
    mine = region.read(located.root, located.region, located.lines, rule, {}, url, after)
    return None if mine is None else (mine, normalize(extract(after, url, {})))


def _one_word_edit(html: str, url: str) -> str | None:
    """The page with the longest word of its middle body paragraph reversed, or None."""
    body = normalize(extract(html, url, {})).body
    word = max(body[len(body) // 2].split(), key=len) if body else ""
    if len(word) < 4 or word not in html:
        return None
    return html.replace(word, word[::-1], 1)


def test_recaptured_real_pages_read_from_the_region_equal_the_cascade() -> None:
    """newspaper3k recaptures, every pair and label (and a one-word edit of each first
    capture, since real recaptures rarely reach the region path): wherever the region
    path is taken its article equals the full cascade's."""
    folder = _corpus("versions/newspaper3k-recaptures")
    taken, mismatches = 0, []
    for pair in json.loads((folder / "pairs.json").read_text()):
        before = (folder / pair["from"]).read_bytes().decode("utf-8", "replace")
        after = (folder / pair["to"]).read_bytes().decode("utf-8", "replace")
        url = f"https://www.{pair['name'].rstrip('0123456789')}/story"
        edited = _one_word_edit(before, url)
        for label, later in ((pair["label"], after), ("one-word edit", edited)):
            both = _both_ways(before, later, url) if later is not None else None
            if both is not None:
                taken += 1
                if both[0] != both[1]:
                    mismatches.append(f"{pair['name']} ({label})")
    assert taken >= 5
    assert not mismatches, mismatches


def test_one_word_edits_of_real_pages_read_from_the_region_equal_the_cascade() -> None:
    """Real article pages with one body word reversed: the region path is taken on most
    pages that have a rule, and every region read equals the full cascade's article."""
    import gzip

    folder = _corpus("pages/scrapinghub-aeb")
    truth = json.loads((folder / "ground-truth.json").read_text())
    taken, mismatches = 0, []
    for path in sorted((folder / "html").glob("*.html.gz"))[:80]:
        html = gzip.decompress(path.read_bytes()).decode("utf-8", "replace")
        url = truth.get(path.name.split(".")[0], {}).get("url") or "https://example.org/a"
        edited = _one_word_edit(html, url)
        both = _both_ways(html, edited, url) if edited is not None else None
        if both is not None:
            taken += 1
            if both[0] != both[1]:
                mismatches.append(path.name)
    assert taken >= 10
    assert not mismatches, mismatches
