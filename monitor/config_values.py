"""Single config values checked where they are read: durations, whole numbers, header values.

A value that passes here cannot fail later: ``nan``, ``inf`` and ``1e400`` (which TOML
reads as ``inf``) are refused, as are durations no date arithmetic can add to today
(``OverflowError`` at the first check), counts that would start a million threads, and
header values httpx cannot send or that would split a request line. Every error is one
line naming the key.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from monitor.errors import ConfigError

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
#: The longest duration any key takes: a hundred years. Far beyond any sensible setting
#: ("--older-than 9999d" means "keep everything"), and far within what datetime
#: arithmetic holds either way from today (years 1 to 9999).
MAX_DURATION = 36500 * 86400.0
# Visible ASCII, space and tab: what an HTTP field value may hold (RFC 9110 §5.5; httpx
# refuses non-ASCII outright). No CR or LF, which would end the header line.
_FIELD_VALUE = re.compile(r"[\t\x20-\x7e]*")
_FIELD_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # an RFC 9110 token


def parse_duration(value: object, *, key: str = "duration") -> float:
    """Seconds from a number or a string with a unit: "90s", "15m", "3h", "2d", "1w".

    Finite, not negative, at most ``MAX_DURATION``; anything else is a ConfigError
    naming ``key``.
    """
    if isinstance(value, bool):
        raise ConfigError(f"{key}: expected a duration, got {value!r}")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str) and (match := _DURATION.match(value)):
        seconds = float(match.group(1)) * _UNITS[match.group(2)]
    else:
        raise ConfigError(
            f'{key}: expected a duration like 90, "90s", "15m", "3h" or "2d", got {value!r}'
        )
    if not math.isfinite(seconds):
        raise ConfigError(f"{key}: a duration must be a finite number, got {value!r}")
    if seconds < 0:
        raise ConfigError(f"{key}: a duration cannot be negative")
    if seconds > MAX_DURATION:
        raise ConfigError(f"{key}: {value!r} is too long (at most 36500 days)")
    return seconds


def whole_number(
    table: Mapping[str, Any], key: str, section: str, default: int, low: int, high: int
) -> int:
    """``table[key]`` (or ``default``) as an int in [low, high]; a one-line error otherwise."""
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"[{section}] {key} must be a whole number, got {value!r}")
    if not low <= value <= high:
        raise ConfigError(f"[{section}] {key} must be between {low:,} and {high:,}, got {value:,}")
    return value


def fraction(table: Mapping[str, Any], key: str, section: str, default: float) -> float:
    """``table[key]`` (or ``default``) as a finite number in [0, 1)."""
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 1:
        raise ConfigError(f"[{section}] {key} must be a fraction in [0, 1), got {value!r}")
    return float(value)


def header_value(value: str, key: str) -> str:
    """An HTTP header value as configured: printable ASCII only (no newline, no control
    character, nothing httpx cannot encode)."""
    if not _FIELD_VALUE.fullmatch(value):
        bad = next(c for c in value if not _FIELD_VALUE.fullmatch(c))
        raise ConfigError(f"{key} must be printable ASCII (a header value), but holds {bad!r}")
    return value


def header_name(name: str, key: str) -> str:
    """An HTTP header name: a token (letters, digits and !#$%&'*+.^_`|~-)."""
    if not _FIELD_NAME.fullmatch(name):
        raise ConfigError(f"{key}: {name!r} is not a valid header name")
    return name
