"""Is a one-word change a typo fix? A typo fix changes no meaning, so it is ``minor``.

The old spelling must be a misspelling: not a word of the text's language (or barely
attested and a hundred times rarer than the new spelling, for the misspellings common
enough to be in a frequency list, "accidently"), the new spelling a word, and the two a letter or
two apart (a transposition of two letters counts once: "recieve" → "receive"). When
neither spelling is in the list (newer words, British spellings), one slip in a word
of five letters or more is taken for a typo.
Two real words a letter apart are a change of meaning however small the edit looks
("trail" → "trial", "casual" → "causal", "form" → "from"), so they stay ``wording``.
Either way round: a misspelling slipped in ("reassure" → "reasure") changes no
meaning either.

Never a typo fix, whatever the spelling: the small words that flip a sentence (not,
now, no, never, was/has, nicht, pas, nunca…), an ending added or dropped ("attack" →
"attacks", "confirm" → "confirmed": grammar, and meaning), anything with a figure, names (a word
capitalised inside a sentence: in German, where every noun is capitalised, that keeps
out every noun inside a sentence too), and CJK text, where one character is a
word (上がった → 下がった is "rose" → "fell").

Word lists: the frequency dictionaries pyspellchecker ships (en, de, fr, es: the starter
config's languages with spaces between words), read from the installed package the
first time a candidate needs one and kept as the sorted bytes they are (2.7 MB for
English), searched by bisection. The language is guessed from the text's most common
small words; a text whose language is not one of these has no list, and then no
one-word change counts as a typo fix (a silent ``wording`` a reviewer dismisses costs
less than a real edit hidden as ``minor``).
"""

from __future__ import annotations

import gzip
import re
from difflib import SequenceMatcher
from functools import lru_cache
from importlib import resources

from monitor.compare.signals import (
    CJK_CHARS,
    CJK_NUMBER_TAIL,
    KANJI_NUMBER,
    NUMBER_WORDS,
    cased_words,
    edit_distance,
    numbers,
    typographic_form,
)

#: Words whose one-letter change flips a sentence's meaning: never a typo fix.
#: (Two real words a letter apart, "was" → "has", are kept out by the word lists; these
#: stay out even when the other spelling is no word: "nto" → "not" may have been "now".)
SENSITIVE = frozenset(
    re.findall(
        r"\S+",
        "not now no nor never ever cannot won't nicht nichts nie kein keine keinen ne pas "
        "jamais rien non plus nunca nada ni sí si",
    )
)
#: The shorter spelling of a typo fix has at least this many letters.
MIN_LENGTH = 3
#: From this length on, two edits may still be one misspelling ("accidently").
LONG_WORD = 8
#: A spelling the list barely knows (its floor is 50: "accidently"), this many times
#: rarer than the other, is a misspelling too. A word readers know ("thy", "lewd",
#: "fist") is not, however much rarer than the word it replaced.
RARE_COUNT = 100
RARE_RATIO = 100
#: Neither spelling in the word list ("cypto" → "crypto", "anlayse" → "analyse": the
#: lists lack newer words and British spellings): one slip in a word this long.
UNLISTED_MIN_LENGTH = 5

#: Endings that inflect a word (en, de, fr, es): adding one is not fixing a typo.
_ENDINGS = frozenset(
    re.findall(r"\S+", "s es d ed ing 's er ers ly n en e em et st t r x nt ent ons ez a as os")
)
_STOPWORDS = {
    "en": "the and of to in is that was for on with said he it as at by from his have are",
    "de": "der die das und ist nicht mit von den dem zu sich auf ein eine im für wurde sagte des",
    "fr": "le les et des du un une est que qui dans pour pas sur au il elle été avec ce aux",
    "es": "el los las y que en un una es por con para del se al fue dijo lo como más su",
    # languages with a word list but outside the starter config: named, so that their
    # text is not judged with a neighbour's list (Portuguese with Spanish words)
    # (without the small words they share with the languages above: "is", "que", "una")
    "pt": "o os as e em um é com do da dos das não foi disse ao mais pelo pela",
    "it": "il lo gli e che di è per non della sono più nel alla anche questo",
    "nl": "het een van dat op te met voor niet zijn aan er door ook als",
}
_STOPWORD_SETS = {lang: frozenset(words.split()) for lang, words in _STOPWORDS.items()}
_LATIN_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")
_CJK = re.compile(f"[{CJK_CHARS}]")


def guess_language(text: str) -> str | None:
    """The text's language from its small words ("en", "de", "fr", "es"; also "pt",
    "it", "nl"), or None when unclear."""
    counts = dict.fromkeys(_STOPWORD_SETS, 0)
    for word in _LATIN_WORD.findall(text.casefold()):
        for lang, stopwords in _STOPWORD_SETS.items():
            counts[lang] += word in stopwords
    ranked = sorted(counts.items(), key=lambda item: -item[1])
    (best, top), (_, second) = ranked[0], ranked[1]
    return best if top >= 2 and top > second else None


def is_typo_fix(old: str, new: str, *, old_text: str, new_text: str) -> bool:
    """True when ``old`` → ``new`` (one word each, case as written) fixes a misspelling.

    ``old_text`` and ``new_text`` are the texts the words stand in: they give the
    language and tell a capitalised name from the first word of a sentence.
    """
    a, b = old.casefold(), new.casefold()
    if a == b or {a, b} & SENSITIVE or a.endswith("n't") or b.endswith("n't"):
        return False
    if min(len(a), len(b)) < MIN_LENGTH or any(ch.isdigit() for ch in a + b):
        return False
    if _CJK.search(a + b):
        return False
    if _inflected(a, b) or _inflected(b, a):
        return False
    distance = edit_distance(a, b)
    if distance > (2 if max(len(a), len(b)) >= LONG_WORD else 1):
        return False
    language = guess_language(f"{old_text} {new_text}")
    if language is None:
        return False
    if _may_be_name(old, old_text) or _may_be_name(new, new_text):
        return False
    words = word_list(language)
    if words is None:
        return False
    # either way round: a misspelling slipped in changes no meaning either
    rare, common = sorted((words.count(a), words.count(b)))
    if common == 0:  # neither in the list (newer words, British spellings): one slip only,
        # and not a capitalised word (at a sentence's start that may still be a name)
        unlisted = distance == 1 and min(len(a), len(b)) >= UNLISTED_MIN_LENGTH
        return unlisted and old.islower() and new.islower()
    return rare <= RARE_COUNT and rare * RARE_RATIO <= common


# (on the typographic form: guillemets and „…“ are plain double quotes there)
_QUOTED_SPAN = re.compile(
    r"\"[^\"]*\"|“[^”]*”|(?<!\w)‘[^’]*’(?!\w)|(?<!\w)'[^']*'(?!\w)|「[^」]*」|『[^』]*』"
)
_FIGURE = re.compile(rf"[$€£¥]?\d[\d,.:]*%?(?:{CJK_NUMBER_TAIL})?|{KANJI_NUMBER}")


def _residue(text: str, *, quoted: bool = False) -> list[str]:
    """The words outside figures (and outside quotes unless ``quoted``), case kept."""
    text = typographic_form(text)
    text = _FIGURE.sub(" ", text if quoted else _QUOTED_SPAN.sub(" ", text))
    text = NUMBER_WORDS.sub(" ", text)
    return [w for w in cased_words(text) if not w.isdigit()]


def word_changes(old: str, new: str, *, quoted: bool = False) -> list[tuple[list[str], list[str]]]:
    """The runs of residue words replaced, inserted or deleted (case kept)."""
    before, after = _residue(old, quoted=quoted), _residue(new, quoted=quoted)
    folded_before, folded_after = [w.casefold() for w in before], [w.casefold() for w in after]
    if folded_before == folded_after:
        return []
    matcher = SequenceMatcher(None, folded_before, folded_after, autojunk=False)
    return [
        (before[a1:a2], after[b1:b2])
        for tag, a1, a2, b1, b2 in matcher.get_opcodes()
        if tag != "equal"
    ]


def only_typo_fixes(old: str, new: str, *, quoted: bool = False) -> bool:
    """Every word change (outside quotes, or anywhere when ``quoted``) is one misspelt
    word spelt right. Figures are not looked at: callers compare them."""
    changes = word_changes(old, new, quoted=quoted)
    # the words come from the typographic form: look for them there (names, language)
    old_text, new_text = typographic_form(old), typographic_form(new)
    return bool(changes) and all(
        len(a) == 1
        and len(b) == 1
        and is_typo_fix(a[0], b[0], old_text=old_text, new_text=new_text)
        for a, b in changes
    )


def typo_fixed_sentences(removed: list[str], added: list[str]) -> list[tuple[str, str]]:
    """Pairs of an old and a new sentence that differ only by typo fixes, quoted words
    included ("“We haev to go,” he said" → "have"), with the same figures."""
    pairs: list[tuple[str, str]] = []
    left = list(added)
    for old in removed:
        for new in left:
            close = abs(len(old) - len(new)) <= 4 and numbers(old) == numbers(new)
            if close and only_typo_fixes(old, new, quoted=True):
                pairs.append((old, new))
                left.remove(new)
                break
    return pairs


def _inflected(short: str, long: str) -> bool:
    """``long`` is ``short`` with an ending that changes number or tense ("retirement" →
    "retirements", "confirm" → "confirmed"): grammar, and meaning, not spelling."""
    return long.startswith(short) and long[len(short) :] in _ENDINGS


def _may_be_name(word: str, text: str) -> bool:
    """Capitalised other than as a sentence's first word. (In German every noun is
    capitalised: there this keeps every noun inside a sentence out too.)"""
    if not word[:1].isupper():
        return False
    pattern = re.compile(rf"(?<![\w']){re.escape(word)}(?![\w'])")
    starts = [m.start() for m in pattern.finditer(text)]
    return not starts or any(not _sentence_start(text, at) for at in starts)


def _sentence_start(text: str, at: int) -> bool:
    head = text[:at].rstrip(" \"'“‘«(¿¡")
    return not head or head.endswith((".", "!", "?", ":", "…"))


class WordList:
    """A frequency dictionary as pyspellchecker ships it: a JSON object written one
    ``"word": count,`` a line, sorted by word (so by UTF-8 bytes). Searched in place."""

    def __init__(self, raw: bytes) -> None:
        self._raw = raw

    def count(self, word: str) -> int:
        """How often the word occurs in the list's source; 0 when it is not a word."""
        key = word.encode("utf-8")
        raw, lo, hi = self._raw, 0, len(self._raw)
        while lo < hi:
            mid = (lo + hi) // 2
            start = raw.rfind(b"\n", 0, mid) + 1
            end = raw.find(b"\n", mid)
            end = len(raw) if end < 0 else end
            line = raw[start:end]
            found, _, value = line.partition(b'": ')
            # "{" opens the object before every word, "}" closes it after every word
            here = found[1:] if line.startswith(b'"') else (b"" if line == b"{" else b"\xff")
            if here == key:
                return int(value.rstrip(b",") or 0)
            if here < key:
                lo = end + 1
            else:
                hi = start
        return 0


@lru_cache(maxsize=4)
def word_list(language: str) -> WordList | None:
    """The language's word list, read once; None when pyspellchecker is not installed."""
    try:
        data = resources.files("spellchecker.resources").joinpath(f"{language}.json.gz")
        return WordList(gzip.decompress(data.read_bytes()))
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        return None
