"""Which edits a correction or update note speaks about (pure).

A note added with a change covers the edits it speaks about, not every edit in the
change: "Correction: an earlier version misstated the number of troops" covers the
troop figure, not a reworded denial three paragraphs down, which stays silent. A
generic note ("This story has been updated.", "Editor's note: this article has been
corrected.", 記事の一部を修正しました) speaks about nothing in particular, so it
covers every edit.

What a note speaks about, read from its text after the label ("Correction, May 2:"):

- its content words (stop words, note vocabulary and dates left out): an edit is
  covered when its sentence holds one of them ("misstated the number of troops"
  covers a changed figure in a sentence about troops; "misspelled the name of Kittu
  Kolluri" covers Kolluri's spelling), or when a figure the note names changed;
- the kinds of edit it names ("number", "headline", "quote", "statement", "name"…):
  when the note names nothing but the kind ("a figure has been corrected", "the
  headline has been changed"), it covers every edit of that kind.

Words match on a crude stem (a plural or past-tense ending off, then the first six
letters); in scripts without spaces, on pairs of kanji or katakana, and for a named
kind on any single kanji the edited sentence shares with the note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from monitor.compare.signals import CJK_CHARS, numbers, typographic_form, words
from monitor.models import Evidence

#: Words every sentence has, in the starter config's languages.
_STOP = frozenset(
    re.findall(
        r"\S+",
        "a an the of and or to in on at by for from with as is are was were be been being has have "
        "had it its this that these those which who whom he she they his her their we our you i "
        "not no but if than then so also there here into about after before over under up out "
        "would will could should can may might must do does did said says say "
        "der die das des dem den ein eine einer eines einem und oder zu im in am an auf für von mit "
        "ist sind war waren wurde wurden worden hat haben es sie er wir nicht auch als bei aus nach "
        "dieser diese dieses diesen diesem "
        "le la les l un une des du de et ou à au aux en dans pour par sur avec est sont était été a "
        "ont il elle ils elles nous ce cet cette ces qui que qu ne pas plus "
        "el los las lo uno una unos unas del y o a al en con por para es son era fue ha han se su "
        "sus que no más este esta estos estas ese esa sido hemos",
    )
)
#: What notes say about themselves rather than about the story.
_NOTE_WORDS = frozenset(
    re.findall(
        r"\S+",
        "correction corrections corrected correct correcting clarification clarifications "
        "clarified clarify editor editors note notes update updates updated updating amended "
        "amendment article story report piece post version earlier previous original originally "
        "incorrectly mistakenly wrongly erroneously misstated misreported error errors mistake "
        "include includes included including additional information details reporting context "
        "developments latest new changed edited revised appended reflect reflects time times "
        "korrektur korrigiert aktualisiert aktualisierung anmerkung hinweis redaktion artikel "
        "beitrag text version früheren fassung hieß heißt fehler falsch richtigstellung ergänzt "
        "rectificatif correctif précision erratum rédaction article version précédente première "
        "mis jour modifié corrigé indiquait erreur erronée "
        "corrección aclaración errores fe nota redacción artículo noticia versión anterior "
        "actualizado actualizada corregido corregida decía error",
    )
)
#: Words naming a kind of edit; the note then speaks about edits of that kind.
_KIND_CUES: dict[str, tuple[str, ...]] = {
    "numbers": (
        "number numbers figure figures total toll amount count tally percentage percent age "
        "date dates year sum cost price zahl zahlen anzahl betrag datum alter nombre chiffre "
        "chiffres montant bilan date número cifra cifras cantidad fecha edad",
        "数 金額 日付 年齢 人数",
    ),
    "headline": (
        "headline headlines title überschrift schlagzeile titel titre titular título",
        "見出し タイトル",
    ),
    "byline": ("byline author authors autor autorin auteur autora", "筆者 署名"),
    "quote": (
        "quote quotes quoted misquoted quotation zitat zitiert citation cité citait cita citó",
        "発言 引用",
    ),
    "comment_line": (
        "statement comment comments response responded stellungnahme communiqué réaction "
        "comunicado respuesta",
        "コメント 声明",
    ),
    "wording": (
        "name names named misspelled misspelling spelled spelling misidentified identified "
        "wording phrasing schreibweise namen nom orthographe nombre",
        "名前 氏名 表記",
    ),
    "paragraph_removed": ("removed deleted entfernt gestrichen supprimé retiré eliminado", "削除"),
    "paragraph_added": ("added include includes included ergänzt ajouté añadido", "追加 追記"),
}
_CUE_WORDS = {kind: frozenset(latin.split()) for kind, (latin, _) in _KIND_CUES.items()}
_CUE_CJK = {kind: tuple(cjk.split()) for kind, (_, cjk) in _KIND_CUES.items()}
#: A named word ("wording" cue) also speaks about a byline or headline spelling.
_ALSO = {"wording": ("byline", "headline"), "numbers": ("headline",)}
#: Kanji pairs every note has (記事 "article", 訂正 "correction", 一部 "a part"…).
_CJK_NOTE_PAIRS = frozenset(
    re.findall(r"\S+", "記事 訂正 修正 更新 一部 内容 誤り 当初 以前 表記 失礼 編集 追記 本文")
)
_KANJI_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\u30a0-\u30ff]+")
_COMMON_KANJI = frozenset("人日年月時分一二三四五六七八九十百千万億円中大小上下前後")
_LABEL = re.compile(r"^[^:：】>)]{0,60}[:：】>)]\s*")
_DATE = re.compile(
    r"^(?:\d[\d:./-]*|\d+(?:st|nd|rd|th|h\d*)|a\.?m|p\.?m|gmt|bst|utc|cet|cest|mez|mesz|jst|et|pt|"
    r"jan\w*|feb\w*|mar\w*|apr\w*|may|jun\w*|jul\w*|aug\w*|sep\w*|oct\w*|nov\w*|dec\w*|"
    r"mon\w*|tue\w*|wed\w*|thu\w*|fri\w*|sat\w*|sun\w*|märz|mai|mars|avril|juin|août|"
    r"enero|marzo|abril|mayo|junio|julio|agosto)$"
)
_SUFFIX = re.compile(r"(?:'s|ies|es|s|ed|ing|ly)$")


def stem(word: str) -> str:
    """A crude stem: "troops" and "troop", "deployed" and "deployment" meet."""
    word = word.casefold()
    if len(word) > 4:
        word = _SUFFIX.sub("", word) or word
    return word[:6]


@dataclass(frozen=True)
class NoteScope:
    """What one note speaks about."""

    text: str
    stems: frozenset[str]  # content words' stems, and kanji/katakana pairs
    figures: frozenset[str]
    kinds: frozenset[str]  # kinds of edit it names
    kanji: frozenset[str]  # single kanji, matched only for a named kind

    @property
    def generic(self) -> bool:
        """Speaks about nothing in particular: covers every edit."""
        return not (self.stems or self.figures or self.kinds)


def note_scope(note: str) -> NoteScope:
    """Read what a correction or update note speaks about."""
    plain = typographic_form(note)
    body = _LABEL.sub("", plain, count=1) if _LABEL.match(plain) else plain
    tokens = [w for w in words(body) if not _CJK_ONLY.fullmatch(w)]
    kinds = {k for k, cues in _CUE_WORDS.items() if cues & set(tokens)}
    kinds |= {k for k, cues in _CUE_CJK.items() if any(c in body for c in cues)}
    kinds |= {also for k in list(kinds) for also in _ALSO.get(k, ())}
    cue_words = set().union(*(_CUE_WORDS[k] for k in _CUE_WORDS))
    content = {
        stem(w)
        for w in tokens
        if w not in _STOP and w not in _NOTE_WORDS and w not in cue_words and not _DATE.match(w)
    }
    pairs = _cjk_pairs(body) - _CJK_NOTE_PAIRS
    pairs -= {p for cues in _CUE_CJK.values() for c in cues for p in _cjk_pairs(c)}
    return NoteScope(
        text=note,
        stems=frozenset(content | pairs),
        figures=frozenset(numbers(body)),
        kinds=frozenset(kinds),
        kanji=frozenset(ch for run in _KANJI_RUN.findall(body) for ch in run) - _COMMON_KANJI,
    )


_CJK_ONLY = re.compile(f"[{CJK_CHARS}]")


def _cjk_pairs(text: str) -> set[str]:
    return {run[i : i + 2] for run in _KANJI_RUN.findall(text) for i in range(len(run) - 1)}


def _stems(text: str) -> set[str]:
    found = {stem(w) for w in words(text) if not _CJK_ONLY.fullmatch(w) and w not in _STOP}
    return found | _cjk_pairs(typographic_form(text))


def covers(scope: NoteScope, evidence: Evidence) -> bool:
    """Whether the note speaks about this edit."""
    if scope.generic:
        return True
    old, new = evidence.old or "", evidence.new or ""
    if evidence.kind == "moved" or (not old and not new):
        old = new = evidence.text  # a move's old and new are positions, not text
    changed_figures = set((numbers(old) - numbers(new)) + (numbers(new) - numbers(old)))
    if scope.figures & (changed_figures or set(numbers(evidence.text))):
        return True
    if scope.stems & (_stems(old) | _stems(new)):  # the edited sentence is what it names
        return True
    if evidence.kind not in scope.kinds:
        return False
    named_only = not scope.stems and not scope.figures
    return named_only or bool(scope.kanji & set(old + new))
