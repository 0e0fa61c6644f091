"""Canned queries for reviewers: SQL that Datasette shows as named, linkable pages.

Times are the project's ISO strings ("2026-11-25T19:42:53Z"), so ``strftime`` with
the same format gives a bound that compares correctly as text.
"""

from __future__ import annotations

from typing import Any

from monitor.review.verdicts import SCHEMA

_SINCE = "strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '{delta}')"

_SILENT_SINCE = """SELECT id AS change_id, detected_at, outlet, headline, kinds, summary, url
FROM change_reports
WHERE silent = 1 AND detected_at >= {since}
ORDER BY detected_at DESC, id DESC"""

_HEADLINES = """SELECT c.id AS change_id, c.detected_at, o.name AS outlet,
       old_v.title AS old_headline, new_v.title AS new_headline, c.silent, a.url
FROM changes c
JOIN articles a ON a.id = c.article_id
LEFT JOIN outlets o ON o.id = a.outlet_id
JOIN versions old_v ON old_v.id = c.from_version_id
JOIN versions new_v ON new_v.id = c.to_version_id
WHERE EXISTS (SELECT 1 FROM json_each(c.kinds) WHERE value = 'headline')
ORDER BY c.detected_at DESC, c.id DESC"""

# evidence rows whose old side is empty are lines that appeared in the new version
_COMMENT_LINES = """SELECT c.id AS change_id, c.detected_at, o.name AS outlet,
       json_extract(e.value, '$.text') AS line_added, c.silent, a.url
FROM changes c
JOIN json_each(c.evidence) e
JOIN articles a ON a.id = c.article_id
LEFT JOIN outlets o ON o.id = a.outlet_id
WHERE json_extract(e.value, '$.kind') = 'comment_line'
  AND json_extract(e.value, '$.old') IS NULL
ORDER BY c.detected_at DESC, c.id DESC"""

_CORRECTIONS = """SELECT c.id AS change_id, c.detected_at, o.name AS outlet,
       json_extract(e.value, '$.text') AS note, a.url
FROM changes c
JOIN json_each(c.evidence) e
JOIN articles a ON a.id = c.article_id
LEFT JOIN outlets o ON o.id = a.outlet_id
WHERE json_extract(e.value, '$.kind') = 'correction_note'
ORDER BY c.detected_at DESC, c.id DESC"""

_REMOVED = """SELECT c.id AS change_id, c.detected_at AS removed_at, o.name AS outlet,
       a.title AS last_headline, a.status AS status_now, a.url
FROM changes c
JOIN articles a ON a.id = c.article_id
LEFT JOIN outlets o ON o.id = a.outlet_id
WHERE EXISTS (SELECT 1 FROM json_each(c.kinds) WHERE value = 'removed')
ORDER BY c.detected_at DESC, c.id DESC"""

_MOST_EDITED = """SELECT a.id AS article_id, o.name AS outlet, a.title AS headline,
       a.change_count AS changes,
       (SELECT COUNT(*) FROM changes c WHERE c.article_id = a.id AND c.silent = 1) AS silent,
       a.version_count AS versions, a.url
FROM articles a
LEFT JOIN outlets o ON o.id = a.outlet_id
WHERE a.change_count > 0
ORDER BY a.change_count DESC, a.id
LIMIT 100"""

# Time to first edit: from publication (the first version's published_at, else the
# moment we first captured it) to the first change to the text; takedowns and
# returns are not edits. SQLite has no MEDIAN: rank each outlet's delays and
# average the middle one (odd count) or two (even count). {keep} is a join condition
# on the change ``c``: every change, or all but those a reviewer marked false positive.
_SCOREBOARD = """WITH first_edit AS (
  SELECT a.outlet_id,
         (julianday(MIN(c.detected_at)) - julianday(
            (SELECT COALESCE(v.published_at, v.captured_at) FROM versions v
             WHERE v.article_id = a.id ORDER BY v.version_number LIMIT 1))) * 24.0 AS hours
  FROM articles a JOIN changes c ON c.article_id = a.id {keep}
  WHERE NOT EXISTS (SELECT 1 FROM json_each(c.kinds) WHERE value IN ('removed', 'restored'))
  GROUP BY a.id
),
ranked AS (
  SELECT outlet_id, hours,
         ROW_NUMBER() OVER (PARTITION BY outlet_id ORDER BY hours) AS n,
         COUNT(*) OVER (PARTITION BY outlet_id) AS total
  FROM first_edit WHERE hours IS NOT NULL
),
medians AS (
  SELECT outlet_id, AVG(hours) AS median_hours FROM ranked
  WHERE n IN ((total + 1) / 2, (total + 2) / 2)
  GROUP BY outlet_id
)
SELECT o.id AS outlet_id, o.name AS outlet,
       (SELECT COUNT(*) FROM articles a WHERE a.outlet_id = o.id) AS articles,
       COUNT(c.id) AS changes,
       COALESCE(SUM(c.silent), 0) AS silent,
       ROUND(100.0 * COALESCE(SUM(c.silent), 0) / MAX(COUNT(c.id), 1), 1) AS silent_pct,
       ROUND(m.median_hours, 2) AS median_hours_to_first_edit{extra}
FROM outlets o
LEFT JOIN articles a ON a.outlet_id = o.id
LEFT JOIN changes c ON c.article_id = a.id {keep}
LEFT JOIN medians m ON m.outlet_id = o.id
GROUP BY o.id
ORDER BY silent_pct DESC, changes DESC, o.name"""

# the verdicts file is attached as schema "review" (monitor.review.verdicts); a verdict
# counts only for the very change it was given to (same id, article and time)
_FALSE_POSITIVE = f"""EXISTS (SELECT 1 FROM {SCHEMA}.verdicts fp
  WHERE fp.change_id = c.id AND fp.article_id = c.article_id
    AND fp.detected_at = c.detected_at AND fp.verdict = 'false_positive')"""
_LEFT_OUT = f""",
       (SELECT COUNT(*) FROM articles a2 JOIN changes c ON c.article_id = a2.id
        WHERE a2.outlet_id = o.id AND {_FALSE_POSITIVE}) AS false_positives_left_out"""


def scoreboard_sql(exclude_false_positives: bool) -> str:
    if not exclude_false_positives:
        return _SCOREBOARD.format(keep="", extra="")
    return _SCOREBOARD.format(keep=f"AND NOT {_FALSE_POSITIVE}", extra=_LEFT_OUT)


# A phrase search over every version's text: the FTS index holds each distinct
# passage (sentence) once, so a version matches when its passage list holds a hit. The
# parameter is quoted into one FTS5 phrase: punctuation in it is never syntax.
PHRASE_VERSIONS = """WITH hits AS (
  SELECT p.id, p.article_id FROM passages_fts
  JOIN passages p ON p.id = passages_fts.rowid
  WHERE passages_fts MATCH '"' || replace(:phrase, '"', '""') || '"'
  UNION
  SELECT NULL, r.article_id FROM versions_fts JOIN version_records r ON r.id = versions_fts.rowid
  WHERE versions_fts MATCH '"' || replace(:phrase, '"', '""') || '"'
),
matching AS (
  SELECT r.id AS version_id, r.article_id, r.version_number, r.captured_at, r.title
  FROM version_records r
  WHERE r.article_id IN (SELECT article_id FROM hits)
    AND (EXISTS (SELECT 1 FROM json_each(r.passage_ids) j
                 WHERE j.value IN (SELECT id FROM hits WHERE hits.article_id = r.article_id))
         OR r.id IN (SELECT rowid FROM versions_fts
                     WHERE versions_fts MATCH '"' || replace(:phrase, '"', '""') || '"'))
)"""

_PHRASE_IN_VERSIONS = (
    PHRASE_VERSIONS
    + """
SELECT m.version_id, m.article_id, o.name AS outlet, m.version_number, m.captured_at,
       m.title AS headline, a.url
FROM matching m JOIN articles a ON a.id = m.article_id LEFT JOIN outlets o ON o.id = a.outlet_id
ORDER BY m.article_id, m.version_number"""
)

_PHRASE_HISTORY = (
    PHRASE_VERSIONS
    + """
SELECT m.article_id, o.name AS outlet, a.title AS headline,
       MIN(m.version_number) AS first_version_with_it,
       MIN(m.captured_at) AS first_seen_at,
       MAX(m.version_number) AS last_version_with_it,
       COUNT(*) AS versions_with_it, a.version_count AS versions,
       MAX(m.version_number) = a.version_count AS in_latest, a.url
FROM matching m JOIN articles a ON a.id = m.article_id LEFT JOIN outlets o ON o.id = a.outlet_id
GROUP BY m.article_id
ORDER BY first_seen_at DESC"""
)


_QUERIES: dict[str, dict[str, Any]] = {
    "silent_edits_24h": {
        "title": "Silent edits, last 24 hours",
        "description": "Substantive changes published without a correction note.",
        "sql": _SILENT_SINCE.format(since=_SINCE.format(delta="-1 day")),
    },
    "silent_edits_7d": {
        "title": "Silent edits, last 7 days",
        "description": "Substantive changes published without a correction note.",
        "sql": _SILENT_SINCE.format(since=_SINCE.format(delta="-7 days")),
    },
    "headline_changes": {
        "title": "Headline changes",
        "description": "Every rewritten headline, old beside new.",
        "sql": _HEADLINES,
    },
    "comment_lines_added": {
        "title": "Comment lines added",
        "description": "Lines such as “did not immediately respond to a request for comment” "
        "that appeared after publication.",
        "sql": _COMMENT_LINES,
    },
    "corrections": {
        "title": "Corrections and update notes",
        "description": "Corrections, clarifications, editor's notes and update notices added.",
        "sql": _CORRECTIONS,
    },
    "removed_articles": {
        "title": "Removed articles",
        "description": "Articles that started answering 404 or 410.",
        "sql": _REMOVED,
    },
    "most_edited": {
        "title": "Most-edited articles",
        "description": "Articles with the most recorded changes.",
        "sql": _MOST_EDITED,
    },
    "outlet_scoreboard": {
        "title": "Outlet scoreboard",
        "description": "Changes per outlet, the share that were silent, and the median "
        "hours from the first captured version to the first change.",
        "sql": scoreboard_sql(False),
    },
    "outlet_scoreboard_reviewed": {
        "title": "Outlet scoreboard, false positives left out",
        "description": "The scoreboard without the changes a reviewer marked false "
        "positive on the desk.",
        "sql": scoreboard_sql(True),
    },
    "phrase_history": {
        "title": "When did a phrase appear or disappear?",
        "description": "Articles whose text or headline ever held the phrase: the first and "
        "last version with it, and whether the latest version still has it.",
        "sql": _PHRASE_HISTORY,
    },
    "versions_with_phrase": {
        "title": "Versions containing a phrase",
        "description": "Every stored version whose text or headline holds the phrase.",
        "sql": _PHRASE_IN_VERSIONS,
    },
}


def canned_queries() -> dict[str, dict[str, Any]]:
    """Datasette ``queries`` metadata: name → title, description, SQL.

    Every query hides its SQL (``hide_sql``): a reviewer's first screen is the results;
    the SQL is one "show" away.
    """
    return {name: {**query, "hide_sql": True} for name, query in _QUERIES.items()}
