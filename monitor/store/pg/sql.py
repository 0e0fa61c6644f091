"""The store's SQL, written for SQLite, as PostgreSQL reads it.

The store's queries are plain SQL with a few SQLite spellings. Rather than keep
two copies of ~180 statements, each is rewritten once (cached) on its way to
PostgreSQL: ``?`` placeholders become ``%s`` (a literal ``%`` is doubled),
``INSERT OR IGNORE`` becomes ``ON CONFLICT DO NOTHING``, ``BEGIN IMMEDIATE`` a plain
``BEGIN``, and an INSERT into a table with an ``id`` gets ``RETURNING id`` so the
cursor's ``lastrowid`` works as sqlite3's does. Anything else SQLite-only is
rewritten where it is used (see monitor.pipeline.work) rather than guessed at here.
"""

from __future__ import annotations

import re
from functools import lru_cache

#: tables whose rows have an ``id`` an INSERT hands back as ``lastrowid``
ID_TABLES = frozenset(
    {
        "outlets",
        "feeds",
        "articles",
        "fetches",
        "snapshots",
        "version_records",
        "changes",
        "passages",
        "notify_outbox",
        "incidents",
    }
)

_INSERT = re.compile(r"^\s*INSERT\s+(OR\s+IGNORE\s+)?INTO\s+(\w+)", re.IGNORECASE)
_BEGIN = re.compile(r"^\s*BEGIN(\s+(IMMEDIATE|DEFERRED|EXCLUSIVE))?\s*;?\s*$", re.IGNORECASE)


@lru_cache(maxsize=1024)
def translate(sql: str) -> tuple[str, bool]:
    """(PostgreSQL's text of ``sql``, whether it returns the new row's id)."""
    if _BEGIN.match(sql):
        return "BEGIN", False
    text = _placeholders(sql)
    insert = _INSERT.match(text)
    if insert is None:
        return text, False
    ignore, table = insert.group(1), insert.group(2).lower()
    if ignore:
        text = _INSERT.sub(lambda m: f"INSERT INTO {m.group(2)}", text, count=1)
        text = text.rstrip().rstrip(";") + " ON CONFLICT DO NOTHING"
    returning = table in ID_TABLES and "RETURNING" not in text.upper()
    if returning:
        text = text.rstrip().rstrip(";") + " RETURNING id"
    return text, returning


def _placeholders(sql: str) -> str:
    """``?`` outside string literals as ``%s``; every ``%`` doubled (psycopg's escape)."""
    out: list[str] = []
    quoted = False
    for char in sql:
        if char == "'":
            quoted = not quoted  # '' inside a literal flips twice: still inside
        if char == "%":
            out.append("%%")
        elif char == "?" and not quoted:
            out.append("%s")
        else:
            out.append(char)
    return "".join(out)
