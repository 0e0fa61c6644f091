"""A psycopg connection dressed as the part of ``sqlite_utils.Database`` the store uses.

The store, pipeline and CLI hand a database object around and call
``db.execute(sql, params)`` on it, read the cursor (``fetchone``, ``fetchall``,
iteration, ``lastrowid``, ``rowcount``, ``description``), and use ``db.conn`` for
``in_transaction``, ``executemany`` and ``close``. :class:`PgDatabase` offers exactly
that over one autocommit psycopg connection (so ``BEGIN … COMMIT`` in
monitor.store.db.transaction means what it means on SQLite), with the SQL rewritten by
monitor.store.pg.sql.

Values are kept as SQLite kept them: integers come back as ``int`` (not Decimal),
``True``/``False`` go in as 1/0 (the schema's flags are integers), and a NUL character,
which PostgreSQL text cannot hold, is dropped from strings on the way in.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

import psycopg
from psycopg import pq
from psycopg.adapt import Dumper, Loader
from psycopg.types.string import StrDumperUnknown

from monitor.store.pg import partitions
from monitor.store.pg.sql import translate


class _NumericLoader(Loader):
    """SUM over BIGINT is numeric in PostgreSQL; the store expects ``int`` (or a float)."""

    def load(self, data: Any) -> int | float:
        value = Decimal(bytes(data).decode())
        return int(value) if value == value.to_integral_value() else float(value)


class _BoolDumper(Dumper):
    """1/0 of unknown type: the server reads it as an integer in an integer column and
    as a boolean in ``CASE WHEN ?``, as SQLite does."""

    oid = 0

    def dump(self, obj: Any) -> bytes:
        return b"1" if obj else b"0"


class _TextDumper(StrDumperUnknown):
    """psycopg's own (type left for the server to infer), without NUL characters."""

    def dump(self, obj: Any) -> Any:
        return super().dump(obj.replace("\x00", "") if "\x00" in obj else obj)


class PgCursor:
    """The result of one statement, read like a sqlite3 cursor."""

    def __init__(self, cursor: psycopg.Cursor, returning: bool) -> None:
        self._cursor = cursor
        self.rowcount = cursor.rowcount
        self.lastrowid: int | None = None
        self.description: list[tuple[str, ...]] | None = None
        if returning:
            row = cursor.fetchone()
            self.lastrowid = int(row[0]) if row else None
        elif cursor.description is not None:
            self.description = [(c.name,) for c in cursor.description]

    def fetchone(self) -> tuple | None:
        return self._cursor.fetchone() if self.description is not None else None

    def fetchall(self) -> list[tuple]:
        return self._cursor.fetchall() if self.description is not None else []

    def __iter__(self) -> Iterator[tuple]:
        return iter(self.fetchall())


class PgConnection:
    """What the code reaches through ``db.conn``."""

    def __init__(self, db: PgDatabase) -> None:
        self._db = db

    @property
    def in_transaction(self) -> bool:
        return self._db.raw.info.transaction_status != pq.TransactionStatus.IDLE

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        text, _ = translate(sql)
        with self._db.raw.cursor() as cursor:
            cursor.executemany(text, rows)

    def close(self) -> None:
        self._db.raw.close()


class PgDatabase:
    """One PostgreSQL connection, spoken to as the store speaks to SQLite."""

    is_postgres = True

    def __init__(self, raw: psycopg.Connection, conninfo: str) -> None:
        self.raw = raw
        self.conninfo = conninfo
        self.conn = PgConnection(self)
        adapters = raw.adapters
        adapters.register_loader("numeric", _NumericLoader)
        adapters.register_dumper(bool, _BoolDumper)
        adapters.register_dumper(str, _TextDumper)
        self._days: set | None = None

    def execute(self, sql: str, params: Sequence[Any] | None = ()) -> PgCursor:
        text, returning = translate(sql)
        cursor = self.raw.cursor()
        cursor.execute(text, tuple(params or ()))
        return PgCursor(cursor, returning)

    def table_names(self) -> list[str]:
        rows = self.raw.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            " AND tablename NOT LIKE 'fetches\\_%' ORDER BY tablename"
        ).fetchall()
        return [r[0] for r in rows]

    def ensure_fetch_day(self, fetched_at: str) -> None:
        """The ``fetches`` partition for the day of ``fetched_at`` exists (see partitions)."""
        day = partitions.day_of(fetched_at)
        if self._days is None:
            self._days = partitions.existing_days(self.raw)
        if day not in self._days:
            partitions.create_day(self.conninfo, day)
            self._days.add(day)

    def fetch_days(self) -> list:
        """The days ``fetches`` has a partition for, oldest first (for ``status``)."""
        return sorted(partitions.existing_days(self.raw))

    def close(self) -> None:
        self.raw.close()
