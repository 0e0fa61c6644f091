"""The starter config's other languages: sentences, figures, quotes and correction notes in
Japanese, French, German and Spanish."""

from __future__ import annotations

import pytest

from monitor.compare.classify import classify
from monitor.compare.diff import diff_versions
from monitor.compare.signals import is_correction_note, numbers, quotes
from monitor.models import Classification, Version
from monitor.sentences import passages, sentences

JA = "東京都内の住宅で火災が発生し、12人が死亡した。警察が原因を調べている。火は約3時間後に消し止められた。"  # fmt: skip
FR = "Le ministre a déclaré : « Nous sommes prêts. » Il a quitté la salle. Les syndicats ont réagi."


def change(old: str, new: str) -> Classification:
    return classify(
        diff_versions(
            Version(1, 1, "t1", "T", "B", old, "a"), Version(2, 1, "t2", "T", "B", new, "b")
        )
    )


# --- sentences -----------------------------------------------------------------------------


def test_japanese_sentences_end_at_the_full_stop() -> None:
    """。！？ end a sentence with no space after them; 「…。」と is one sentence."""
    text = "火災が発生した。原因は何か？「準備はできている。」と市長は述べた。避難せよ！"
    assert sentences(text) == [
        "火災が発生した。",
        "原因は何か？",
        "「準備はできている。」と市長は述べた。",
        "避難せよ！",
    ]
    assert passages(text) == sentences(text)


def test_french_guillemets_stay_with_their_sentence() -> None:
    """« … » with French spacing closes the sentence it quotes; the next one starts after."""
    assert sentences(FR) == [
        "Le ministre a déclaré : « Nous sommes prêts. »",
        "Il a quitté la salle.",
        "Les syndicats ont réagi.",
    ]
    assert passages(FR)[0] == "Le ministre a déclaré : « Nous sommes prêts. » "


def test_spanish_and_german_sentence_starts() -> None:
    """Sentences starting with ¿ ¡ or an umlaut split; German 'Hr.' does not end one."""
    assert sentences("¿Qué pasó? ¡Nadie lo sabe! Hr. Müller schwieg. Über Nacht kam Regen.") == [
        "¿Qué pasó?",
        "¡Nadie lo sabe!",
        "Hr. Müller schwieg.",
        "Über Nacht kam Regen.",
    ]


def test_a_closing_quote_stays_with_its_sentence() -> None:
    """'He said “no.” Then he left.' keeps the closing quote in the first sentence."""
    assert sentences("He said “no.” Then he left.") == ["He said “no.”", "Then he left."]


# --- figures -------------------------------------------------------------------------------


def test_cjk_figures_with_counters_and_scales() -> None:
    """12人, full-width １５人, 3万人, 1億2000万円 and 十二人 are figures with their counters."""
    found = numbers("12人が死亡、１５人が負傷、3万人が避難、被害は1億2000万円、十二人が不明")
    assert set(found) == {"12人", "15人", "3万人", "1億2000万円", "十二人"}


@pytest.mark.parametrize(
    ("old", "new", "evidence"),
    [
        ("12人", "15人", "12人 → 15人"),
        ("12人", "１５人", "12人 → 15人"),  # full-width digits
        ("約3万人", "約3億人", "3万人 → 3億人"),  # the scale changed, not the digit
        ("十二人", "十五人", "十二人 → 十五人"),
    ],
)
def test_a_cjk_figure_changed_is_numbers(old: str, new: str, evidence: str) -> None:
    """A changed Japanese figure is `numbers` (silent), not `wording`, with the figures and
    the one sentence that changed as evidence."""
    result = change(JA.replace("12人", old), JA.replace("12人", new))
    assert result.kinds == ("numbers",) and result.silent
    assert result.evidence[0].text == evidence
    assert result.evidence[0].new == sentences(JA.replace("12人", new))[0]


def test_a_short_japanese_paragraph_with_a_new_figure_is_one_edited_paragraph() -> None:
    """12人が死亡した。→ 15人が死亡した。 pairs as one changed paragraph (CJK characters are
    words for the alignment), not a paragraph removed and another added."""
    result = change("12人が死亡した。\n\n警察が調べている。", "15人が死亡した。\n\n警察が調べている。")
    assert result.kinds == ("numbers",)


# --- quotes --------------------------------------------------------------------------------


def test_quotes_in_guillemets_german_and_japanese_marks() -> None:
    """«…», „…“ and 「…」 are quotations."""
    text = "« Nous sommes prêts » ; Er sagte „Wir sind bereit“; 市長は「準備はできている」と述べた。"
    assert quotes(text) == ["Nous sommes prêts", "Wir sind bereit", "準備はできている"]


def test_a_french_or_japanese_quote_changed_is_quote() -> None:
    """Words changed inside « … » or 「…」 are `quote`, not `wording`."""
    new = FR.replace("Nous sommes prêts.", "Nous sommes prêts à tout.")
    assert change(FR, new).kinds == ("quote",)
    ja = "市長は「準備はできている」と述べた。警察が調べている。"
    assert change(ja, ja.replace("できている", "まだできていない")).kinds == ("quote",)


# --- correction notes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "note",
    [
        "Correction: An earlier version of this article misstated the number of deaths.",
        "Rectificatif : une précédente version de cet article indiquait un bilan erroné.",
        "Korrektur: In einer früheren Version dieses Artikels hieß es, es habe 12 Tote gegeben.",
        "Corrección: una versión anterior de este artículo daba una cifra errónea de muertos.",
        "Fe de errores: el nombre del ministro era incorrecto.",
        "【訂正】3月4日の記事で死者数を誤って報じました。",
        "訂正：死者数を12人としていましたが、15人の誤りでした。",
        "（おわび）記事の一部に誤りがありました。",
        "Anmerkung der Redaktion: Der Text wurde nachträglich ergänzt.",
        "Mise à jour : le ministre a démissionné dans la soirée.",
        "更新：首相が辞任を表明した。",
    ],
)
def test_correction_notes_in_the_starter_languages(note: str) -> None:
    """Correction, Rectificatif, Korrektur, Corrección, Fe de errores, 訂正, おわび, editor's
    and update notes are recognised as correction_note, never a silent paragraph_added."""
    assert is_correction_note(note)
    result = change(JA, f"{JA}\n\n{note}")
    assert result.kinds == ("correction_note",)
    assert result.silent is False


@pytest.mark.parametrize(
    "stamp",
    [
        "Updated: 2 May 2024 10:30 BST",
        "Aktualisiert: 4. März 2024, 10:30 Uhr",
        "Mise à jour : le 4 mars 2024 à 10h30",
        "Actualizado: 4 de marzo de 2024 - 10:30 CET",
        "更新：2024年3月4日 10時30分",
        "【更新】2024年3月4日 10時30分",
    ],
)
def test_page_timestamps_are_not_update_notes(stamp: str) -> None:
    """'Updated:' followed only by a date and time, in any of the languages, is a page
    timestamp, not a notice to readers."""
    assert not is_correction_note(stamp)


@pytest.mark.parametrize("text", ["Der Minister korrigierte seine Aussage.", "彼は発言を修正した。"])
def test_the_word_correct_in_a_story_is_not_a_note(text: str) -> None:
    """A story sentence that merely uses 'korrigieren' or 修正 is not a correction note."""
    assert not is_correction_note(text)


def test_a_japanese_note_about_the_figure_covers_it() -> None:
    """訂正 naming both figures covers 12人 → 15人: correction_note + numbers, not silent."""
    note = "訂正：死者数を12人としていましたが、15人の誤りでした。"
    result = change(JA, f"{JA.replace('12人', '15人')}\n\n{note}")
    assert result.kinds == ("correction_note", "numbers") and not result.silent
    quiet = change(JA, f"{JA.replace('約3時間', '約5時間')}\n\n{note}")
    assert quiet.silent, "a note about the death toll does not cover the fire's duration"
