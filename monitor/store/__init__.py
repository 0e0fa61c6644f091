"""The store: every SQLite read and write of the monitor, and the schema's migrations.

Modules, one concern each: ``db`` (open, migrate, transactions, articles and
fetches), ``migrations`` (the schema, oldest first; migration 6 in
``migration_passages``), ``versions`` (versions as passage lists, changes),
``snapshots`` and ``snapdelta`` (raw pages as deltas), ``feeds`` (outlets and
feeds), ``hosts`` (per-host backoff state), ``outbox`` (webhook deliveries),
``retention`` (``gc``) and ``report`` (the figures ``status`` prints).

The store imports nothing from ``monitor.net``, ``monitor.extract`` or
``monitor.compare``: it keeps what the pipeline hands it.
"""

from __future__ import annotations

from monitor.store.db import (
    ArticleRow,
    StoreError,
    add_alias,
    add_article,
    all_article_ids,
    article_row,
    articles_due,
    find_article,
    fingerprint_of,
    lock_article,
    migrate,
    needs_immutable,
    open_db,
    open_for_reading,
    query_all,
    query_one,
    record_fetch,
    rekey_article,
    set_fingerprint,
    transaction,
    update_article,
)

__all__ = [
    "ArticleRow",
    "StoreError",
    "add_alias",
    "add_article",
    "all_article_ids",
    "article_row",
    "articles_due",
    "find_article",
    "fingerprint_of",
    "lock_article",
    "migrate",
    "needs_immutable",
    "open_db",
    "open_for_reading",
    "query_all",
    "query_one",
    "record_fetch",
    "rekey_article",
    "set_fingerprint",
    "transaction",
    "update_article",
]
