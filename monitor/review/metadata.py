"""The project's Datasette metadata: titles, descriptions, sorts, facets, canned queries."""

from __future__ import annotations

from typing import Any

from monitor.review.queries import canned_queries

_KINDS = (
    "JSON array of change kinds: headline, byline, comment_line, correction_note, "
    "paragraph_added, paragraph_removed, moved, numbers, quote, wording, minor, revert, "
    "removed, restored, reextracted"
)
_SILENT = "silent: substantive, and no correction or update note on the page (stored as 1/0)"

_TABLES: dict[str, dict[str, Any]] = {
    "change_reports": {
        "title": "Change reports",
        "description": "One row per detected change, with its outlet and headline. "
        "Open a change id for the side-by-side diff.",
        "sort_desc": "detected_at",
        "facets": ["outlet", {"array": "kinds"}, "silent", "day"],
        "columns": {
            "id": "Change id (links to the change page)",
            "detected_at": "When the monitor saw the new version (UTC)",
            "day": "UTC day of detected_at",
            "outlet": "Publishing outlet",
            "article_id": "Article id (links to its timeline)",
            "headline": "Headline after the change",
            "kinds": _KINDS,
            "silent": _SILENT,
            "summary": "One-line description of the change",
            "url": "The article's canonical URL",
            "from_version_id": "Version before the change",
            "to_version_id": "Version after the change",
        },
    },
    "changes": {
        "title": "Changes",
        "description": "Differences between consecutive versions, classified.",
        "sort_desc": "detected_at",
        "facets": [{"array": "kinds"}, "silent", {"date": "detected_at"}],
        "columns": {
            "id": "Change id (links to the change page)",
            "article_id": "The article that changed",
            "from_version_id": "Version before the change",
            "to_version_id": "Version after the change",
            "detected_at": "When the monitor saw the new version (UTC)",
            "kinds": _KINDS,
            "silent": _SILENT,
            "summary": "One-line description of the change",
            "evidence": "JSON: for each kind, the field and text that triggered it",
            "revert_of_version_id": "For a revert: the earlier version it equals",
            "fetch_id": "The fetch that produced the new version",
        },
    },
    "articles": {
        "title": "Articles",
        "description": "Tracked article URLs: one row per story, however many versions it has.",
        "sort_desc": "last_changed_at",
        "facets": ["outlet_id", "status"],
        "label_column": "title",
        "columns": {
            "id": "Article id (links to its timeline)",
            "outlet_id": "Publishing outlet",
            "url": "Canonical URL",
            "first_seen_at": "When the monitor first found it (UTC)",
            "last_checked_at": "Last fetch attempt (UTC)",
            "next_check_at": "Next scheduled revisit (UTC)",
            "status": "active, removed (404/410) or stopped (no longer revisited)",
            "last_changed_at": "When the latest change was seen (UTC)",
            "title": "Latest headline",
            "version_count": "Distinct versions stored",
            "change_count": "Changes recorded",
        },
    },
    "versions": {
        "title": "Versions",
        "description": "Every distinct version of every article (a view over version_records "
        "and passages). Search here covers headline and byline; for words in the text use "
        "the passages table's search or the phrase_history query.",
        "sort_desc": "captured_at",
        "fts_table": "versions_fts",
        "fts_pk": "id",
        "label_column": "title",
        "columns": {
            "id": "Version id",
            "article_id": "The article",
            "version_number": "1 for the first version seen, then 2, 3, …",
            "captured_at": "When this version was fetched (UTC)",
            "title": "Headline as the page displays it",
            "byline": "Byline",
            "body": "Article text; paragraphs separated by a blank line",
            "content_hash": "Hash of the extracted fields; equal hashes mean equal versions",
            "published_at": "Publication time the page declares",
            "modified_at": "Modification time the page declares",
            "snapshot_id": "The raw HTML this version was extracted from",
            "passage_ids": "The body as a JSON array of passage ids, in order",
        },
    },
    "version_records": {
        "title": "Version records",
        "description": "How versions are stored: every field but the body, which is a list "
        "of passage ids. Read the versions view for whole texts.",
        "sort_desc": "captured_at",
        "label_column": "title",
    },
    "passages": {
        "title": "Paragraphs",
        "description": "Each distinct sentence of each article (with the space or paragraph "
        "break after it), stored once however many versions share it. Search finds words in "
        "any version's text; first_version is the article's version that introduced it.",
        "facets": ["article_id"],
        "columns": {
            "article_id": "The article",
            "first_version": "Version number of the article that first had this passage",
            "text": "The sentence, with the whitespace that follows it",
        },
    },
    "outlets": {
        "title": "Outlets",
        "description": "News organisations whose articles are tracked.",
        "sort": "name",
        "label_column": "name",
        "columns": {
            "id": "Outlet id (links to its page)",
            "name": "Outlet name",
            "domain": "Domain",
        },
    },
    "feeds": {
        "title": "Feeds",
        "description": "RSS/Atom feeds and news sitemaps polled for new articles.",
        "facets": ["outlet_id", "kind", "last_outcome"],
        "columns": {
            "url": "Feed or sitemap URL",
            "kind": "rss, atom, rdf, sitemap or sitemap_index",
            "last_polled_at": "Last poll (UTC)",
            "last_error": "Error of the last poll, if it failed",
            "entries_seen": "Article entries seen, all polls together",
        },
    },
    "fetches": {
        "title": "Fetches",
        "description": "Every fetch attempt, including failures.",
        "sort_desc": "fetched_at",
        "facets": ["outcome", "status_code"],
        "columns": {
            "fetched_at": "When (UTC)",
            "status_code": "HTTP status",
            "outcome": "ok, not_modified, gone, http_error, timeout, …",
            "error": "What went wrong, for failures",
            "suspect_reason": "Why a fetched page was not trusted as a new version",
        },
    },
    "snapshots": {
        "title": "Snapshots",
        "description": "Raw HTML as fetched (zlib-compressed), kept for each stored version.",
        "sort_desc": "captured_at",
    },
    "article_urls": {
        "title": "Article URLs",
        "description": "Every URL (canonical or alias) that leads to a tracked article.",
    },
}


_VERDICTS_DB = {
    "title": "Reviewers' verdicts",
    "description": "Verdicts and notes recorded on the review desk, kept apart from the "
    "monitored database (which the review UI only reads).",
    "tables": {
        "verdicts": {
            "title": "Verdicts",
            "description": "The current verdict of each reviewed change.",
            "sort_desc": "decided_at",
            "facets": ["verdict", "reviewer"],
            "columns": {
                "change_id": "The change (links to its page)",
                "verdict": "reviewed, confirmed or false_positive",
                "note": "The reviewer's note",
                "reviewer": "Who gave the verdict",
                "decided_at": "When (UTC)",
            },
        },
        "verdict_history": {
            "title": "Verdict history",
            "description": "Every verdict ever given, also those later replaced.",
            "sort_desc": "decided_at",
        },
    },
}


def build_metadata(database: str, verdicts_database: str | None = None) -> dict[str, Any]:
    """Datasette metadata for the monitor database served under the name ``database``
    (and the verdicts file, under ``verdicts_database``)."""
    databases: dict[str, Any] = {
        database: {
            "title": "Monitored articles",
            "description": "Every version of every tracked article, the changes between "
            "them and the fetches behind them.",
            "tables": _TABLES,
            "queries": canned_queries(),
        }
    }
    if verdicts_database:
        databases[verdicts_database] = _VERDICTS_DB
    return {
        "title": "article-monitor",
        "description": "News articles that changed after publication. Start with the change "
        "reports, the silent-edit feed or the canned queries below.",
        "about": "article-monitor",
        "about_url": "/-/monitor",
        "databases": databases,
    }
