"""Pure text signals for classification: normal forms, sentences, numbers, quotes, and
the patterns of comment lines and correction notes.

Kept apart from ``classify`` so the patterns can grow (more phrasings, more
languages) without touching the decision logic.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

_TYPOGRAPHY = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "′": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "″": '"',
        "«": '"',
        "»": '"',
        "–": "-",
        "—": "-",
        "‐": "-",
        "‑": "-",
        "‒": "-",
        "−": "-",
        "…": "...",
    }
)


def typographic_form(text: str) -> str:
    """Text with curly quotes, dashes, ellipses and odd spaces made plain; whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHY).split())


def letters_key(text: str) -> str:
    """Only the letters and digits, lowercased: equal keys differ in case/punctuation only."""
    return "".join(ch for ch in typographic_form(text).casefold() if ch.isalnum())


#: Kana and CJK ideographs: scripts written without spaces, so each character is a
#: token of its own (a run of them is a whole clause, not a word).
CJK_CHARS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(rf"[{CJK_CHARS}]|[^\W{CJK_CHARS}]+(?:'[^\W{CJK_CHARS}]+)*")


def words(text: str) -> list[str]:
    """Lowercased words of the typographic form (apostrophes kept inside words); each
    kana or CJK character is a word of its own."""
    return _WORD.findall(typographic_form(text).casefold())


def cased_words(text: str) -> list[str]:
    """``words`` as written (case kept), for rules that read capitals (names)."""
    return _WORD.findall(typographic_form(text))


# --- numbers and quotes --------------------------------------------------------

_SCALE = r"(?:\s?%|\s?(?:per ?cent|percent|million|billion|trillion|thousand|bn|m|k)\b)?"
#: CJK figures carry their scale and counter after the digits, with no space:
#: 12人 (12 people), 3万人 (30,000 people), 1億2000万円. Full-width digits are
#: plain ones after NFKC (typographic_form).
_CJK_COUNTER = "人|名|件|歳|円|ドル|元|台|回|棟|隻|機|か所|カ所|箇所|世帯|戸|倍"
CJK_NUMBER_TAIL = rf"(?:[万億兆](?:\d+(?:[.,]\d+)*)?)+(?:{_CJK_COUNTER})?|(?:{_CJK_COUNTER})"
#: Numbers written in kanji, counted only with a scale or counter after them ("十二人"):
#: alone the characters are parts of words (一部 "a part", 万一 "in case").
KANJI_NUMBER = rf"[〇一二三四五六七八九十百千]+(?:[万億兆][〇一二三四五六七八九十百千]*)*(?:{_CJK_COUNTER})"
_NUMBER = re.compile(
    rf"[$€£¥]?\d+(?:[.,:]\d+)*(?:{CJK_NUMBER_TAIL}|{_SCALE})|[$€£¥]?\d+{_SCALE}|{KANJI_NUMBER}",
    re.IGNORECASE,
)
NUMBER_WORDS = re.compile(
    # a scale word right after digits ("3 million") is already part of that figure
    r"(?<!\d )(?<!\d)\b(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|"
    r"seventy|eighty|ninety|hundred|hundreds|thousand|thousands|million|millions|billion|"
    r"billions|dozen|dozens|half|double|triple)\b",
    re.IGNORECASE,
)


def numbers(text: str) -> Counter[str]:
    """The figures a text states (digits with unit/scale, and number words), normalised."""
    found: Counter[str] = Counter()
    plain = typographic_form(text)
    for match in _NUMBER.finditer(plain):
        # "5,000" and "5000" state the same figure; a decimal comma/point change does not
        value = re.sub(r"(?<=\d),(?=\d{3}\b)", "", match.group()).lower().replace(" ", "")
        value = value.replace("percent", "%")
        found[value] += 1
    for match in NUMBER_WORDS.finditer(plain):
        found[match.group().lower()] += 1
    return found


_QUOTED = re.compile(
    r"„([^“”„]{2,})[“”]|\"([^\"]{2,})\"|“([^”]{2,})”|‘([^’]{2,}?)’(?!\w)|(?<!\w)'([^']{2,}?)'(?!\w)"
)
_AS_DOUBLE_QUOTES = str.maketrans({"«": "“", "»": "”", "「": "“", "」": "”", "『": "“", "』": "”"})


def quotes(text: str) -> list[str]:
    """Text inside quotation marks (straight, curly, single, guillemets, German „…“,
    Japanese 「…」 and 『…』), in order."""
    plain = text.translate(_AS_DOUBLE_QUOTES)
    # French puts a space inside guillemets: « Nous sommes prêts »
    return [next(g for g in match.groups() if g).strip() for match in _QUOTED.finditer(plain)]


def edit_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance: a swap counts once."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


# --- comment lines ---------------------------------------------------------------

_RESPOND = r"(?:respond|reply|return|answer|acknowledge)(?:ed|s)?"
_REQUEST = (
    r"(?:requests?|inquir(?:y|ies)|queries|query|questions?|calls?|e-?mails?|messages?|comment)"
)
_COMMENT_PATTERNS = (
    # "did not (immediately) respond to a request for comment", "has not returned calls"
    rf"\b(?:did|does|do|has|have|had|was|were)\s*(?:not|n't)\s+(?:yet\s+|immediately\s+)?"
    rf"(?:been\s+)?{_RESPOND}\b[^.]{{0,120}}?\b{_REQUEST}",
    r"\b(?:requests?|inquir(?:y|ies)|calls?|e-?mails?|messages?)\b[^.]{0,80}\b(?:were|was|went)\s+"
    r"(?:not\s+)?(?:immediately\s+)?(?:returned|answered|unanswered|not returned)",
    r"\b(?:declined|refused)\s+(?:immediately\s+)?to\s+(?:comment|elaborate|discuss|respond|answer)",
    r"\b(?:would|did|does|will)\s*(?:not|n't)\s+(?:immediately\s+)?(?:comment|elaborate)\b",
    r"\b(?:could|can|cannot|can't|couldn't)\s*(?:not\s+)?(?:immediately\s+)?be\s+reached\b",
    r"\b(?:not|un)\s*available\s+(?:for|to)\s+comment",
    r"\bno\s+comment\b",
    r"\b(?:asked|approached|contacted|reached out to|sought)\b[^.]{0,80}\bfor (?:a\s+)?"
    r"(?:comment|response|reaction|statement)",
    r"\bfor comment\b",
    r"\b(?:said|says|told [^.]{1,60}?|added)\s+in\s+(?:a|an)\s+"
    r"(?:written\s+|emailed\s+|e-mailed\s+)?(?:statement|e-?mail|text message|email statement)\b",
    r"\b(?:in|according to)\s+(?:a|an)\s+(?:written\s+|emailed\s+)?statement\b",
    r"\bspokes(?:person|man|woman)\b[^.]{0,100}\b(?:said|says|told|added)\b",
    r"\b(?:said|says|told [^.]{1,60}?)\s+(?:a|an|the)\s+spokes(?:person|man|woman)\b",
    # German, French, Spanish, Italian, Dutch, Portuguese
    r"\b(?:reagierte|antwortete)\s+(?:zunächst\s+)?nicht\b|\bwollte sich\b[^.]{0,60}\bnicht\b"
    r"[^.]{0,20}\bäußern|\blehnte\b[^.]{0,60}\bStellungnahme\b",
    r"\bin einer (?:Stellungnahme|Mitteilung)\b",
    r"\bn'a pas (?:immédiatement |encore )?(?:répondu|souhaité (?:s'exprimer|commenter|réagir))"
    r"|\ba refusé de (?:commenter|s'exprimer)|\bdans un communiqué\b",
    r"\bno respondió\b|\b(?:se negó|declinó) a (?:hacer )?comentar|\ben un comunicado\b",
    r"\bnon ha risposto\b|\bin una nota\b|\bwilde niet reageren\b|\bnão respondeu\b",
)
COMMENT_LINE = re.compile("|".join(f"(?:{p})" for p in _COMMENT_PATTERNS), re.IGNORECASE)


def is_comment_line(sentence: str) -> bool:
    """A request-for-comment, declined-to-comment or statement sentence."""
    return bool(COMMENT_LINE.search(typographic_form(sentence)))


# --- correction notes ---------------------------------------------------------------
# In the starter config's languages: English, German, French, Spanish, Japanese (and a
# few Italian, Dutch and Portuguese labels). Matched on the typographic form, so
# full-width brackets and colons (【訂正】, 訂正：) arrive as their NFKC forms.

_NOTE_LABEL = (
    r"(?:corrections?|clarifications?|editor'?s'? note|note to readers|amendment|"
    r"korrektur(?:hinweis)?|richtigstellung|klarstellung|(?:anmerkung|hinweis) der redaktion|"
    r"transparenzhinweis|rectificatif|rectification|correctif|erratum|précision|"
    r"note de la rédaction|correcci[oó]n|fe de errores|aclaraci[oó]n|"
    r"nota de la redacci[oó]n|nota del (?:editor|director)|nota della redazione|"
    r"rettifica|correctie|rectificação)"
)
_UPDATE_LABEL = (
    r"(?:update[ds]?|mise à jour|mis à jour|actualisation|actualizaci[oó]n|actualizado|"
    r"aktualisierung|aktualisiert|aggiornamento)"
)
_LABEL_TAIL = r"(?:\s*\([^)]{0,40}\)|[ ,][^:.]{0,40})?\s*[:—-]"
#: Japanese labels stand in brackets (【訂正】, <訂正>, (おわび)) or before a colon.
_JA_LABEL = r"(?:おわびと訂正|お詫びと訂正|訂正とおわび|訂正|おわび|お詫び|編集部注|修正)"
_JA_OPEN, _JA_CLOSE = r"[【〈《<(\[]", r"[】〉》>)\]:]"
_THIS_ARTICLE = {
    "en": r"this (?:article|story|report|post|piece|headline|video|item)",
    "de": r"(?:dieser|der) (?:artikel|beitrag|text)|diese (?:meldung|nachricht)",
    "fr": r"cet article|cette (?:dépêche|information|version)",
    "es": r"(?:este|el) (?:artículo|texto|reportaje)|esta (?:noticia|información)",
}
_CORRECTION_PATTERNS = (
    rf"^[\s*_(\[]*{_NOTE_LABEL}{_LABEL_TAIL}",
    rf"^[\s*※_]*(?:{_JA_OPEN}\s*{_JA_LABEL}\s*{_JA_CLOSE}|{_JA_LABEL}\s*:)",
    rf"\b{_THIS_ARTICLE['en']} (?:has|had) been "
    r"(?:updated|corrected|amended|changed|edited|clarified|revised)\b",
    r"\bthis (?:article|story|report|post|piece) was (?:updated|corrected|amended|revised)\b",
    r"\b(?:an|the) (?:earlier|previous|original) version of this (?:article|story|report|piece|post"
    r"|headline)",
    r"\bwe (?:have )?(?:corrected|amended|updated|clarified) (?:this|the|our)\b",
    r"\bcorrections? (?:was|were|has been|have been) (?:made|appended)\b",
    r"\b(?:this|the) (?:article|story|report) (?:originally|previously|incorrectly|mistakenly) "
    r"(?:said|stated|reported|misstated|misidentified|gave)\b",
    # German
    rf"\b(?:{_THIS_ARTICLE['de']}) wurde (?:nachträglich |inzwischen )?"
    r"(?:aktualisiert|korrigiert|geändert|ergänzt|präzisiert)",
    r"\bin einer (?:früheren|vorherigen|ersten) (?:version|fassung) (?:dieses|des) "
    r"(?:artikels|beitrags|textes)",
    r"\bwir haben (?:den|diesen) (?:artikel|beitrag|text) (?:korrigiert|aktualisiert|geändert)",
    # French
    rf"\b(?:{_THIS_ARTICLE['fr']}) a été (?:mis à jour|modifié|corrigé|actualisé|complété|"
    r"rectifié|précisé)",
    r"\bune (?:précédente|première|ancienne) version de cet article",
    r"\bnous avons (?:corrigé|modifié|mis à jour|rectifié) (?:cet|l')\s?article",
    # Spanish
    rf"\b(?:{_THIS_ARTICLE['es']}) (?:ha sido|fue) (?:actualizad|corregid|modificad|ampliad)[oa]",
    r"\buna versión (?:anterior|previa) de (?:este artículo|esta noticia|esta información)",
    r"\bhemos (?:corregido|actualizado|modificado) (?:este|el) (?:artículo|texto)",
    # Japanese: "(we) corrected / apologise and correct / there was an error"
    r"(?:訂正|修正)(?:しました|いたしました|します|いたします)|おわび(?:して|します|いたします)|"
    r"お詫び(?:して|します|いたします)|誤りがありました|記事を更新しました|内容を更新しました",
)
CORRECTION_NOTE = re.compile("|".join(f"(?:{p})" for p in _CORRECTION_PATTERNS), re.IGNORECASE)
_UPDATE_NOTE = re.compile(
    rf"^(?:[\s*_(\[]*{_UPDATE_LABEL}{_LABEL_TAIL}"
    rf"|[\s*※_]*{_JA_OPEN}?\s*(?:更新|追記)\s*{_JA_CLOSE})\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_MONTH_WORDS = (
    r"jan\w*|feb\w*|mar\w*|apr\w*|may|jun\w*|jul\w*|aug\w*|sep\w*|oct\w*|nov\w*|dec\w*|"
    r"märz|mai|okt\w*|dez\w*|janv\w*|févr\w*|fevr\w*|mars|avr\w*|juin|juil\w*|août|sept\w*|"
    r"déc\w*|ene\w*|abr\w*|mayo|ago\w*|dic\w*"
)
_WEEKDAY_WORDS = (
    r"mon\w*|tue\w*|wed\w*|thu\w*|fri\w*|sat\w*|sun\w*|"
    r"montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|"
    r"lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|"
    r"lunes|martes|miércoles|jueves|viernes|sábado|domingo"
)
_DATE_WORD = re.compile(
    rf"^(?:[\d年月日時分秒:./-]+|\d+h\d*|am|pm|a\.m|p\.m|gmt|bst|utc|cet|cest|mez|mesz|jst|"
    rf"[ecmp][sd]t|on|at|um|uhr|am|le|à|el|de|a las|{_MONTH_WORDS}|{_WEEKDAY_WORDS})$",
    re.IGNORECASE,
)


def is_correction_note(sentence: str) -> bool:
    """A correction, clarification, editor's note or update notice.

    "Update:" counts only when words follow it: "Updated: 3 May 2024 10:30" (or
    "Aktualisiert: 4. März 2024, 10:30 Uhr") is a page timestamp, not a notice to
    readers.
    """
    plain = typographic_form(sentence)
    if CORRECTION_NOTE.search(plain):
        return True
    match = _UPDATE_NOTE.match(plain)
    if not match:
        return False
    rest = [w for w in re.findall(r"[\w.:/-]+", match.group("rest")) if not _DATE_WORD.match(w)]
    # words, or (in scripts without spaces) characters
    return len(rest) >= 3 or len(re.findall(f"[{CJK_CHARS}]", " ".join(rest))) >= 3
