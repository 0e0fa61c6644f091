"""Dates as people write them, in the starter config's languages, read into ISO 8601 (pure).

"4. März 2024", "4 mars 2024", "4 de marzo de 2024", "2024年3月4日", "March 4, 2024",
"04.03.2024, 10.30 Uhr", "le 4 mars 2024 à 10h30", "2024年3月4日 午後3時5分", "令和6年3月4日":
:func:`parse_date` finds the first such date in a text and returns

- ``"2024-03-04"`` for a date without a time of day: the calendar date as printed
  (an instant would invent a time and could shift the day), the same form an ISO
  date-only meta tag already has;
- ``"2024-03-04T09:30:00+00:00"`` for a date with a time whose zone is known: named
  on the page (UTC, GMT, MEZ/CET, MESZ/CEST, JST, US zones, "+01:00") or implied by
  the page's language where one zone's rules hold for every country writing it that
  way (de → Central European, ja → Japan; fr and es only without a region or with a
  European one: fr-CA and es-MX are other zones). ``normalize`` turns it into UTC;
- ``"2024-03-04T10:30"`` for a time whose zone is unknown (kept as printed, like an
  offset-less ISO meta tag).

Day-first numeric dates (04.03.2024, 04/03/2024) are read day first, except
slashes on an English page, which are read month first (US style); a year-first
date (2024/03/04, 2024-03-04) is read as such. Anything else gives None.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "january jan janvier janv januar jän jänner enero ene",
        "february feb février févr fevrier fevr februar febrero",
        "march mar mars märz marz marzo",
        "april apr avril avr abril abr",
        "may mai mayo",
        "june jun juin juni junio",
        "july jul juillet juil juli julio",
        "august aug août aout agosto ago",
        "september sep sept septembre setiembre septiembre",
        "october oct octobre oktober okt octubre",
        "november nov novembre noviembre",
        "december dec décembre déc decembre dezember dez diciembre dic",
    ),
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _number
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))

_YEAR = r"(?P<y>(?:19|20)\d\d)"
# "4. März 2024", "4 mars 2024", "1er mars", "4 de marzo de 2024", "4th March, 2024"
_DAY_MONTH = rf"(?P<d>\d{{1,2}})(?:\.|er|st|nd|rd|th|º)?\s*(?:de\s+)?(?P<m>{_MONTH})\.?,?\s*(?:de\s+)?,?\s*{_YEAR}"
# "March 4, 2024", "Mar. 4 2024"
_MONTH_DAY = rf"(?P<m2>{_MONTH})\.?\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y2>(?:19|20)\d\d)"
# "2024年3月4日", "令和6年3月4日"
_JAPANESE = r"(?:(?P<era>令和|平成)(?P<ey>元|\d{1,2})|(?P<y3>(?:19|20)\d\d))\s*年\s*(?P<m3>\d{1,2})\s*月\s*(?P<d3>\d{1,2})\s*日"
# "2024-03-04", "2024/03/04", "2024.03.04"
_YEAR_FIRST = r"(?P<y4>(?:19|20)\d\d)[-/.](?P<m4>\d{1,2})[-/.](?P<d4>\d{1,2})(?!\d)"
# "04.03.2024", "04/03/2024", "4-3-2024"
_NUMERIC = r"(?<!\d)(?P<a5>\d{1,2})(?P<sep>[./-])(?P<b5>\d{1,2})(?P=sep)(?P<y5>(?:19|20)\d\d)(?!\d)"
_DATE = re.compile(
    rf"(?<![\w])(?:{_DAY_MONTH}|{_MONTH_DAY})(?!\w)|{_JAPANESE}|{_YEAR_FIRST}|{_NUMERIC}",
    re.IGNORECASE,
)
# the time after a date: "10:30", "10.30 Uhr", "10h30", "10 h 30", "10:30 a.m.", "午後3時5分",
# after "um", "à", "a las", "-", ",", "|", "T"
_TIME = re.compile(
    r"^[\s,|·•–—T-]*(?:(?:um|à|a\s+las|at|kl\.?)\s+)?(?:(?P<ampm_ja>午前|午後)\s*)?"
    r"(?P<h>\d{1,2})(?:\s*(?::|\.|h)\s*(?P<mi>\d{2})?|\s*時\s*(?:(?P<mi_ja>\d{1,2})\s*分)?)?"
    r"(?::\d{2}(?:\.\d+)?)?"
    r"(?:\s*(?P<ampm>[ap])\.?\s*m\.?(?!\w))?(?:\s*uhr\b)?"
    # zone names in capitals only: French "cet" and "et" are words ("this", "and")
    r"(?:\s*(?P<zone>[+-]\d{1,2}:?\d{2}|(?-i:Z|(?:UTC|GMT)(?:\s*[+-]\s*\d{1,2}(?::?\d{2})?)?|"
    r"MESZ|MEZ|CEST|CET|JST|BST|[ECMP][SD]?T))\b)?",
    re.IGNORECASE,
)
_ZONES = {
    "utc": 0, "gmt": 0, "z": 0, "mez": 1, "cet": 1, "mesz": 2, "cest": 2, "bst": 1, "jst": 9,
    "est": -5, "edt": -4, "cst": -6, "cdt": -5, "mst": -7, "mdt": -6, "pst": -8, "pdt": -7,
}  # fmt: skip
#: US zones written without standard/daylight ("3 p.m. ET"): the zone's own rules say which.
_US_ZONES = {
    "et": "America/New_York", "ct": "America/Chicago", "mt": "America/Denver",
    "pt": "America/Los_Angeles",
}  # fmt: skip
_ERAS = {"令和": 2018, "平成": 1988}
#: Where a language's dates name no zone, the zone they are in: only where every country
#: writing that language (or the region named) keeps one zone's rules.
_LANGUAGE_ZONES = {
    "de": "Europe/Berlin",
    "ja": "Asia/Tokyo",
    "fr": "Europe/Paris",
    "fr-fr": "Europe/Paris",
    "fr-be": "Europe/Brussels",
    "fr-ch": "Europe/Zurich",
    "fr-lu": "Europe/Luxembourg",
    "es": "Europe/Madrid",
    "es-es": "Europe/Madrid",
}


def machine_time(value: str) -> bool:
    """An ISO 8601 or RFC 2822 time, as meta tags and feeds write them: kept for
    ``normalize.canonical_time``, which reads exactly these."""
    value = value.strip()
    try:
        datetime.fromisoformat(re.sub(r"\s*(?:Z|UTC|GMT)$", "+00:00", value, flags=re.I))
        return True
    except ValueError:
        pass
    try:
        parsedate_to_datetime(value)
        return True
    except (TypeError, ValueError, IndexError):
        return False


def parse_date(text: str, language: str | None = None) -> str | None:
    """The first date in ``text`` as ISO 8601 (see the module doc), or None."""
    plain = unicodedata.normalize("NFKC", text or "")[:400]
    lang = (language or "").strip().lower().replace("_", "-")
    for match in _DATE.finditer(plain):
        day = _calendar_date(match, lang)
        if day is not None:
            return _with_time(day, plain[match.end() :], lang)
    return None


def _calendar_date(match: re.Match[str], lang: str) -> date | None:
    g = match.groupdict()
    if g["d"]:
        parts = (g["y"], _MONTHS[g["m"].lower()], g["d"])
    elif g["d2"]:
        parts = (g["y2"], _MONTHS[g["m2"].lower()], g["d2"])
    elif g["d3"]:
        year = _ERAS[g["era"]] + (1 if g["ey"] == "元" else int(g["ey"])) if g["era"] else g["y3"]
        parts = (year, g["m3"], g["d3"])
    elif g["d4"]:
        parts = (g["y4"], g["m4"], g["d4"])
    else:
        first, second = int(g["a5"]), int(g["b5"])
        us = g["sep"] == "/" and lang.startswith("en")
        parts = (g["y5"], first, second) if us else (g["y5"], second, first)
    try:
        return date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        return None


def _with_time(day: date, after: str, lang: str) -> str:
    match = _TIME.match(after)
    if not match or (match.group("mi") is None and not _has_hour_mark(match)):
        return day.isoformat()
    hour, minute = int(match.group("h")), int(match.group("mi") or match.group("mi_ja") or 0)
    ampm = (match.group("ampm") or "").lower() or {"午前": "a", "午後": "p"}.get(
        match.group("ampm_ja") or "", ""
    )
    if ampm and not 1 <= hour <= 12:
        return day.isoformat()
    hour = hour % 12 + (12 if ampm == "p" else 0) if ampm else hour
    if hour > 23 or minute > 59:
        return day.isoformat()
    wall = datetime(day.year, day.month, day.day, hour, minute)
    zone = _zone(match.group("zone"), wall, lang)
    if zone is None:
        return wall.strftime("%Y-%m-%dT%H:%M")
    return wall.replace(tzinfo=zone).isoformat()


def _has_hour_mark(match: re.Match[str]) -> bool:
    """A bare hour ("10 Uhr", "午後3時", "3 p.m.") is a time; a bare number is not."""
    text = match.group(0).lower()
    return "時" in text or "uhr" in text or bool(match.group("ampm"))


def _zone(name: str | None, wall: datetime, lang: str) -> timezone | ZoneInfo | None:
    if name:
        key = re.sub(r"\s+", "", name.lower())
        if key in _ZONES:
            return timezone(timedelta(hours=_ZONES[key]))
        if key in _US_ZONES and lang.startswith("en"):
            return _zone_info(_US_ZONES[key])
        offset = re.fullmatch(r"(?:utc|gmt)?([+-])(\d{1,2}):?(\d{2})?", key)
        if offset:
            sign = -1 if offset.group(1) == "-" else 1
            delta = timedelta(hours=int(offset.group(2)), minutes=int(offset.group(3) or 0))
            return timezone(sign * delta)
    zone_name = _LANGUAGE_ZONES.get(lang) or (
        _LANGUAGE_ZONES.get(lang.split("-")[0]) if lang.split("-")[0] in ("de", "ja") else None
    )
    return _zone_info(zone_name) if zone_name else None


def _zone_info(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):  # no tz database on this system
        return None
