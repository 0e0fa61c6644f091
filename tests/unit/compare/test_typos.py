"""Typo fixes are `minor`; one-letter changes that change meaning are not."""

from __future__ import annotations

import json

import pytest

from monitor.compare.classify import classify
from monitor.compare.diff import diff_versions
from monitor.compare.signals import words
from monitor.compare.typos import guess_language, is_typo_fix, word_list
from monitor.models import Classification, Version
from tests.support.paths import CORPUS

SENTENCE = "The minister said he {} on Tuesday and would publish it next week."
STORY = (
    "The council said on Monday it would close the harbour pier for six weeks of repairs.",
    "Engineers found corroded steel in the supports last month, a spokesman said.",
    "Fishing boats will use the north quay while the work goes on.",
)


def edit(old: str, new: str, *, title: bool = False) -> Classification:
    """Classify a body (or headline) in which ``old`` became ``new``."""
    old_body, new_body = STORY, STORY
    old_title = new_title = "Harbour pier to close for repairs"
    if title:
        old_title, new_title = old, new
    else:
        old_body = (STORY[0], SENTENCE.format(old), *STORY[1:])
        new_body = (STORY[0], SENTENCE.format(new), *STORY[1:])
    before = Version(1, 1, "t1", old_title, "By A Writer", "\n\n".join(old_body), "a")
    after = Version(2, 1, "t2", new_title, "By A Writer", "\n\n".join(new_body), "b")
    return classify(diff_versions(before, after))


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("would recieve the report", "would receive the report"),  # transposition
        ("would reveiw the report", "would review the report"),  # transposition
        ("would read teh report", "would read the report"),  # three-letter transposition
        ("would anlayse the report", "would analyse the report"),
        ("would acknowlege the report", "would acknowledge the report"),  # letter dropped
        ("would recommmend the report", "would recommend the report"),  # letter doubled
        ("would defnitely read it", "would definitely read it"),
        ("would receive the report", "would recieve the report"),  # a misspelling slipped in
    ],
)
def test_a_misspelt_word_spelt_right_is_minor(old: str, new: str) -> None:
    """Transpositions and other one-word misspellings that change no meaning are `minor`,
    not a silent `wording` edit (a misspelling slipped in changes no meaning either)."""
    result = edit(old, new)
    assert result.kinds == ("minor",)
    assert result.silent is False


def test_a_long_misspelling_two_letters_off_is_minor() -> None:
    """'accidently' → 'accidentally': two letters, but a long word and a known misspelling."""
    assert edit("accidently lose", "accidentally lose").kinds == ("minor",)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("trail", "trial"),  # two words a transposition apart: the meaning changed
        ("form", "from"),
        ("casual", "causal"),
        ("untied", "united"),
        ("increase", "decrease"),
        ("likely", "unlikely"),
        ("now", "not"),  # never: flips the sentence
        ("not", "now"),
    ],
)
def test_a_real_word_for_another_is_wording(old: str, new: str) -> None:
    """Replacing one real word with another, however close the spelling, is `wording`
    (silent): 'trail' → 'trial' changes what the sentence says."""
    result = edit(f"{old} review", f"{new} review")
    assert result.kinds == ("wording",)
    assert result.silent is True


def test_names_are_never_typo_fixes() -> None:
    """A name spelt differently inside a sentence ('Jonh' → 'John') is `wording`, even though
    'jonh' is no word: names are not the classifier's to judge."""
    result = edit("meet Jonh Smith to", "meet John Smith to")
    assert result.kinds == ("wording",)


def test_a_sentence_initial_typo_is_still_minor() -> None:
    """'Teh' → 'The' at the start of a sentence is capitalised because it starts the
    sentence, not because it is a name."""
    before = Version(1, 1, "t", "T", "B", f"{STORY[0]}\n\nTeh work starts in May.", "a")
    after = Version(2, 1, "t", "T", "B", f"{STORY[0]}\n\nThe work starts in May.", "b")
    assert classify(diff_versions(before, after)).kinds == ("minor",)


def test_figures_are_never_typo_fixes() -> None:
    """'2O24' → '2024' touches a figure: never minor."""
    assert "minor" not in edit("read 1O pages of", "read 10 pages of").kinds


def test_german_nouns_inside_a_sentence_are_not_judged() -> None:
    """German capitalises every noun, so a capitalised word inside a German sentence may be a
    name: 'Regirung' → 'Regierung' stays wording; a lower-case verb's typo is minor."""
    text = "Die Polizei sagte, die {} sei nicht {} worden und der Minister habe es bestätigt."
    noun = text.format("Regirung", "informiert"), text.format("Regierung", "informiert")
    verb = text.format("Regierung", "infromiert"), text.format("Regierung", "informiert")
    for (old, new), kind in ((noun, "wording"), (verb, "minor")):
        result = classify(
            diff_versions(
                Version(1, 1, "t", "T", "B", old, "a"), Version(2, 1, "t", "T", "B", new, "b")
            )
        )
        assert result.kinds == (kind,)


def test_french_and_spanish_typos_use_their_own_word_lists() -> None:
    """A transposition in a French or a Spanish sentence is judged with that language's
    word list: 'gouvernmeent' is no French word, 'gobeirno' no Spanish one."""
    fr = "Le ministre a déclaré que le {} était prêt à négocier avec les syndicats."
    es = "El ministro dijo que el {} está dispuesto a negociar con los sindicatos."
    for text, old, new in ((fr, "gouvernmeent", "gouvernement"), (es, "gobeirno", "gobierno")):
        result = classify(
            diff_versions(
                Version(1, 1, "t", "T", "B", text.format(old), "a"),
                Version(2, 1, "t", "T", "B", text.format(new), "b"),
            )
        )
        assert result.kinds == ("minor",)


def test_cjk_characters_are_never_typo_fixes() -> None:
    """株価が上がった → 株価が下がった ('rose' → 'fell') is one character: wording, silent."""
    result = classify(
        diff_versions(
            Version(1, 1, "t", "T", "B", "日経平均株価が大きく上がった。", "a"),
            Version(2, 1, "t", "T", "B", "日経平均株価が大きく下がった。", "b"),
        )
    )
    assert result.kinds == ("wording",) and result.silent


def test_a_typo_fix_beside_a_real_change_is_not_minor() -> None:
    """A typo fixed in the same sentence as a reworded claim: the change is wording."""
    assert edit("recieve the report", "reject the reports").kinds == ("wording",)


def test_headline_typo_fix_is_minor_not_headline() -> None:
    """A headline whose only change is a transposition fix is `minor`, not a silent
    `headline` change; a capitalised headline word (title case) is not judged."""
    fixed = edit("The 'impossible' aretfact that inspired a film", "The 'impossible' artefact that inspired a film", title=True)  # fmt: skip
    assert fixed.kinds == ("minor",) and not fixed.silent
    title_case = edit("Minister Resgins Over Report", "Minister Resigns Over Report", title=True)
    assert title_case.kinds == ("headline",)


def test_language_guess_and_word_lists() -> None:
    """The language comes from small words; the word lists answer counts by bisection,
    including the first and last words and words that are not there."""
    assert guess_language("The minister said that the plan was over.") == "en"
    assert guess_language("Der Minister sagte, dass die Pläne nicht mit dem Haushalt") == "de"
    assert guess_language("東京都内で火災") is None
    english = word_list("en")
    assert english is not None
    assert english.count("the") > english.count("receive") > 0
    assert english.count("recieve") == 0
    assert english.count("a") > 0 and english.count("zzzzzz") == 0 and english.count("") == 0
    # no language to judge by (CJK, or too few small words): never a typo fix
    assert not is_typo_fix("recieve", "receive", old_text="recieve", new_text="receive")


@pytest.mark.corpus
def test_on_real_bbc_headline_edits_only_misspellings_are_called_typo_fixes() -> None:
    """Of the BBC headline changes labelled `wording` that replace exactly one word, the
    ones judged typo fixes are all misspellings (cypto, aretfact, experiement, withdrawl):
    grammar fixes, spelling variants, names and real-word swaps are not."""
    path = CORPUS / "versions" / "bbc-headline-transitions.jsonl"
    if not path.exists():
        pytest.skip(f"corpus not found at {path} (needs ../shared/corpus beside the repo)")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    fixed = set()
    for row in rows:
        if row["kind"] == "wording" and edit(row["before"], row["after"], title=True).kinds == ("minor",):  # fmt: skip
            before, after = words(row["before"]), words(row["after"])
            fixed.add(next(a for a, b in zip(before, after, strict=False) if a != b))
    assert {"cypto", "aretfact", "experiement", "withdrawl"} <= fixed
    assert fixed <= {"cypto", "aretfact", "experiement", "withdrawl", "accidently"}


def test_a_typo_fixed_inside_a_quote_or_comment_line_is_minor() -> None:
    """Spelling fixed in quoted words ('haev' → 'have') or in a 'declined to comment' line
    is minor, not a changed quote or a comment line removed and added."""
    quote = '“We haev to move the boats before the work starts,” the harbour master said.'
    comment = "The contractor decliend to comment on the cost of the repairs."
    for old in (quote, comment):
        new = old.replace("haev", "have").replace("decliend", "declined")
        result = classify(
            diff_versions(
                Version(1, 1, "t", "T", "B", f"{STORY[0]} {old}", "a"),
                Version(2, 1, "t", "T", "B", f"{STORY[0]} {new}", "b"),
            )
        )
        assert result.kinds == ("minor",), old


def test_a_typo_fixed_beside_a_changed_figure_is_numbers() -> None:
    """A sentence whose typo was fixed while its figure changed reports the figure."""
    old = "The contractor said the repairs would cost £4m and take six weeks to complette."
    new = "The contractor said the repairs would cost £6m and take six weeks to complete."
    result = classify(
        diff_versions(
            Version(1, 1, "t", "T", "B", old, "a"), Version(2, 1, "t", "T", "B", new, "b")
        )
    )
    assert result.kinds == ("numbers",) and result.silent


def test_a_headline_typo_fix_beside_a_new_figure_is_a_headline_change() -> None:
    """A headline whose typo was fixed while its figure changed is headline + numbers."""
    result = edit("Harbour pier to cloze for 6 weeks", "Harbour pier to close for 8 weeks", title=True)
    assert result.kinds == ("headline", "numbers")
