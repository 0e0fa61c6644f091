"""Version pages, compare pages, and every link of every plugin page resolving.

Through Datasette's in-process client on a database filled by the real pipeline from
the simulated newsroom (the same one the demo runs).
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import test_review_fixture as shared
from test_review_fixture import XSS_SENTENCE, Filled, get

# the module-scoped fixtures, shared with the other review test modules
filled, ds, sql = shared.filled, shared.ds, shared.sql


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = {"a": "href", "link": "href", "img": "src", "script": "src", "form": "action"}
        name = wanted.get(tag)
        value = dict(attrs).get(name) if name else None
        if value and not (tag == "form" and dict(attrs).get("method", "get").lower() == "post"):
            self.links.append(value)


def links_of(html: str, page: str) -> list[str]:
    """Same-site paths (with query) linked from a page; other sites are left out."""
    parser = _Links()
    parser.feed(html)
    found = []
    for href in parser.links:
        absolute = urljoin("http://localhost" + page, href)
        parts = urlsplit(absolute)
        if parts.netloc == "localhost" and parts.scheme == "http":
            found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def _seed(sql: sqlite3.Connection) -> sqlite3.Row:
    return sql.execute(
        "SELECT * FROM changes WHERE evidence LIKE '%did not immediately respond%' LIMIT 1"
    ).fetchone()


# ---------------------------------------------------------------- version pages


def test_version_page_shows_the_articles_own_number_text_and_snapshot(ds, sql) -> None:
    """/-/monitor/version/ID names the version by the article's number (1, 2, 3…), shows
    its headline and every paragraph, links its raw snapshot and its neighbours."""
    row = sql.execute(
        "SELECT * FROM versions WHERE version_number = 2 AND snapshot_id IS NOT NULL LIMIT 1"
    ).fetchone()
    html = get(ds, f"/-/monitor/version/{row['id']}").text
    assert '<strong class="version-number">2</strong>' in html
    for paragraph in [p for p in row["body"].split("\n\n") if p]:
        assert paragraph.replace('"', "&#34;").replace("'", "&#39;")[:60] in html
    assert f'href="/-/monitor/snapshot/{row["snapshot_id"]}"' in html
    first = sql.execute(
        "SELECT id FROM versions WHERE article_id = ? AND version_number = 1", (row["article_id"],)
    ).fetchone()[0]
    assert f'rel="prev" class="prev" href="/-/monitor/version/{first}">← version 1<' in html
    assert "compare?from=1&amp;to=2" in html


def test_version_numbers_shown_are_the_articles_never_row_ids(ds, sql) -> None:
    """Every "version N" on change, timeline and version pages is the article's own number
    (1, 2, 3…), for every article: row ids run on across articles and never show."""
    articles = [r[0] for r in sql.execute("SELECT DISTINCT article_id FROM versions")]
    assert sql.execute("SELECT MAX(id) FROM versions").fetchone()[0] > 10
    for article_id in articles:
        numbers = {r[0]: r[1] for r in sql.execute(
            "SELECT id, version_number FROM versions WHERE article_id = ?", (article_id,))}  # fmt: skip
        pages = [f"/-/monitor/article/{article_id}"]
        pages += [f"/-/monitor/version/{i}" for i in numbers]
        pages += [
            f"/-/monitor/change/{r[0]}"
            for r in sql.execute("SELECT id FROM changes WHERE article_id = ?", (article_id,))
        ]
        allowed = {str(n) for n in numbers.values()}
        for page in pages:
            html = get(ds, page).text
            for version_id, number in re.findall(
                r'href="/-/monitor/version/(\d+)">version (\d+)<', html
            ):
                assert numbers[int(version_id)] == int(number), page
            shown = set(re.findall(r"\bversions? (\d+)\b", html))
            assert shown <= allowed, (page, shown - allowed)


def test_revert_is_named_by_version_number_not_row_id(ds, sql) -> None:
    """The headline flip-back says which earlier version it equals by its number."""
    row = sql.execute(
        "SELECT c.id, v.version_number, c.revert_of_version_id FROM changes c "
        "JOIN versions v ON v.id = c.revert_of_version_id LIMIT 1"
    ).fetchone()
    assert row is not None, "the newsroom flips a headline back: a revert must exist"
    html = get(ds, f"/-/monitor/change/{row['id']}").text
    assert f"reverts to version {row['version_number']}" in html
    assert f"same as earlier version {row['version_number']}" in html
    if row["revert_of_version_id"] != row["version_number"]:
        assert f"reverts to version {row['revert_of_version_id']}" not in html


# ---------------------------------------------------------------- compare


def test_compare_any_two_versions_by_number(ds, sql) -> None:
    """compare?from=1&to=N diffs the first and the latest version of an article and reads
    the pair as one change; the selects offer every version number."""
    article_id, last = sql.execute(
        "SELECT article_id, MAX(version_number) FROM versions GROUP BY article_id "
        "HAVING COUNT(*) >= 3 LIMIT 1"
    ).fetchone()
    html = get(ds, f"/-/monitor/article/{article_id}/compare?from=1&to={last}").text
    assert "Before · version 1" in html and f"After · version {last}" in html
    assert 'class="the-edit"' in html and ("<ins>" in html or "<del>" in html)
    assert 'class="reason' in html
    options = re.findall(r'<select name="from">(.*?)</select>', html, re.S)[0]
    assert len(re.findall("<option", options)) == last
    reverse = get(ds, f"/-/monitor/article/{article_id}/compare?from={last}&to=1").text
    assert f"Before · version {last}" in reverse


def test_compare_with_bad_or_missing_numbers(ds, sql) -> None:
    """No numbers: first against latest. Unknown, zero, negative, non-numeric or
    beyond-SQLite numbers are 404, never 500."""
    article_id = sql.execute(
        "SELECT article_id FROM versions GROUP BY article_id HAVING COUNT(*) >= 2 LIMIT 1"
    ).fetchone()[0]
    base = f"/-/monitor/article/{article_id}/compare"
    assert "Before · version 1" in get(ds, base).text
    for query in (
        "from=99",
        "from=0",
        "to=-1",
        "from=abc",
        "to=99999999999999999999999",
        "to=%D9%A1",
    ):
        assert get(ds, f"{base}?{query}").status_code == 404, query
    assert get(ds, "/-/monitor/article/999999/compare").status_code == 404


# ---------------------------------------------------------------- bad ids and methods


def test_malformed_and_huge_ids_are_404(ds) -> None:
    """Ids past SQLite's 64-bit range, zero, and non-ASCII digits are 404 on every page
    (they answered 500 with an OverflowError before)."""
    huge = "99999999999999999999"
    for kind in ("change", "version", "article", "outlet", "snapshot"):
        for bad in (huge, "9223372036854775808", "0"):
            assert get(ds, f"/-/monitor/{kind}/{bad}").status_code == 404, (kind, bad)
    assert get(ds, f"/-/monitor/change/{huge}/card.png").status_code == 404
    assert get(ds, f"/-/monitor/article/{huge}/compare").status_code == 404
    # Datasette redirects a %-encoded path to its ~-encoded form first
    redirected = asyncio.run(ds.client.get("/-/monitor/change/٣", follow_redirects=True))
    assert redirected.status_code == 404


def test_posts_to_read_only_pages_are_405(ds, filled: Filled) -> None:
    """POST, PUT and DELETE to plugin pages, tables, views and canned queries are 405 with
    an Allow header (a POST to a canned query was a 500 before)."""
    db = filled.path.stem
    for path in (
        "/-/monitor",
        "/-/monitor/change/1",
        "/-/monitor/silent.atom",
        f"/{db}/change_reports",
        f"/{db}/changes",
        f"/{db}/outlet_scoreboard",
        f"/{db}",
        "/",
    ):
        for method in ("POST", "PUT", "DELETE"):
            response = asyncio.run(ds.client.request(method, path))
            assert response.status_code == 405, (method, path, response.status_code)
            assert response.headers["allow"] == "GET, HEAD"
    assert get(ds, "/-/monitor/change/1/verdict").status_code == 405
    put = asyncio.run(ds.client.request("PUT", "/-/monitor/login"))
    assert put.status_code == 405 and put.headers["allow"] == "GET, HEAD, POST"


# ---------------------------------------------------------------- every link resolves


def test_every_link_on_every_plugin_page_resolves(ds, filled: Filled) -> None:
    """Crawl from the desk: follow every link to a plugin page (the desk under each
    filter, changes, versions, timelines, compare pages, outlets), and request every
    other same-site link found on them (Datasette's tables, queries, static files,
    snapshots, cards, feeds) once. None answers 404 or 500."""
    db = filled.path.stem
    seeds = ["/-/monitor", f"/{db}/change_reports", f"/{db}/changes", f"/{db}/versions"]
    todo, seen, checked, failures = list(seeds), set(seeds), {}, []
    while todo:
        page = todo.pop()
        response = get(ds, page)
        checked[page] = response.status_code
        if response.status_code != 200 or "text/html" not in response.headers["content-type"]:
            continue
        if not (page.startswith("/-/monitor") or page in seeds):
            continue  # Datasette's own pages: checked, not crawled
        for link in links_of(response.text, page):
            path = link.split("#", 1)[0]
            if path and path not in seen:
                seen.add(path)
                todo.append(path)
    failures = {p: code for p, code in checked.items() if code in (404, 500)}
    assert not failures, failures
    plugin_pages = [p for p in checked if p.startswith("/-/monitor/")]
    for kind in ("change/", "version/", "article/", "outlet/", "snapshot/", "compare", "?silent="):
        assert any(kind in p for p in plugin_pages), f"the crawl never reached a {kind} page"
    assert len(checked) > 150


def test_script_in_an_article_is_inert_on_version_and_compare_pages(ds, filled: Filled) -> None:
    """The planted <script> shows as text on its version page and the compare page."""
    html = get(ds, f"/-/monitor/article/{filled.xss_article_id}").text
    version_id = re.findall(r'href="/-/monitor/version/(\d+)"', html)[-1]
    for page in (
        f"/-/monitor/version/{version_id}",
        f"/-/monitor/article/{filled.xss_article_id}/compare",
    ):
        text = get(ds, page).text
        assert "<script>document.body" not in text
        assert "&lt;script&gt;document.body" in text
    assert XSS_SENTENCE


# ---------------------------------------------------------------- Datasette's own pages


def test_our_tables_read_as_words_and_badges(ds, filled: Filled) -> None:
    """change_reports shows one badge per kind (no raw JSON), silent as a word (no 1/0),
    version ids linking to version pages; changes links its version columns there too."""
    db = filled.path.stem
    html = get(ds, f"/{db}/change_reports").text
    cells = re.findall(r'<td class="col-kinds[^"]*">(.*?)</td>', html, re.S)
    assert cells and all("[&#34;" not in c and 'class="badge kind' in c for c in cells)
    silent = re.findall(r'<td class="col-silent[^"]*">(.*?)</td>', html, re.S)
    assert silent and all(c.strip() in (
        '<span class="badge badge-silent">silent</span>',
        '<span class="not-silent">not silent</span>',
    ) for c in silent)  # fmt: skip
    changes = get(ds, f"/{db}/changes").text
    assert re.search(
        r'<td class="col-from_version_id[^"]*"><a href="/-/monitor/version/\d+">', changes
    )
    assert f'href="/{db}/versions/' not in changes


def test_canned_queries_show_results_before_sql(ds, filled: Filled) -> None:
    """The outlet scoreboard's first screen is its table: the SQL is hidden behind "show"."""
    html = get(ds, f"/{filled.path.stem}/outlet_scoreboard").text
    assert "<title>Outlet scoreboard" in html
    assert "<table" in html and "WITH first_edit" not in html
    assert "_hide_sql=" in html or "_show_sql=1" in html
    shown = get(ds, f"/{filled.path.stem}/outlet_scoreboard?_show_sql=1").text
    assert "WITH first_edit" in shown


def _headers(html: str) -> dict[str, str]:
    """Each table header's stored column name → the text a person reads in it."""
    found = re.findall(r'<th [^>]*data-column="([^"]+)"[^>]*>(.*?)</th>', html, re.S)
    return {name: re.sub(r"<[^>]+>|&nbsp;[▲▼]", "", text).strip() for name, text in found}


def test_column_headers_and_silent_facets_read_as_words(ds, filled: Filled) -> None:
    """Our tables' headers are relabelled ("Detected (UTC)", "Article id") while the stored
    name stays in data-column and the tooltip; the silent facet lists "silent" and "not
    silent" (not 1 and 0) on change_reports and changes, and its links still filter by 1/0."""
    db = filled.path.stem
    html = get(ds, f"/{db}/change_reports").text
    headers = _headers(html)
    assert headers["detected_at"] == "Detected (UTC)"
    assert headers["article_id"] == "Article id"
    assert headers["id"] == "Change" and headers["url"] == "URL"
    assert 'title="column detected_at"' in html
    for table in ("change_reports", "changes"):
        page = get(ds, f"/{db}/{table}?_facet=silent").text
        facet = re.search(r'id="facet-silent".*?</ul>', page, re.S)
        assert facet, table
        link = r'<a href="[^"]*(?:\?|&amp;)silent=([01])[^"]*">([^<]+)</a>'
        values = set(re.findall(link, facet.group(0)))
        assert values == {("1", "silent"), ("0", "not silent")}, (table, values)
        assert ">1<" not in facet.group(0) and ">0<" not in facet.group(0)


def test_canned_query_headers_are_relabelled_but_typed_sql_is_not(ds, filled: Filled) -> None:
    """A canned query's columns read as words ("Median hours to first edit"); SQL a user
    typed keeps the names they chose."""
    db = filled.path.stem
    html = get(ds, f"/{db}/outlet_scoreboard").text
    assert 'title="column median_hours_to_first_edit">Median hours to first edit</th>' in html
    typed = get(ds, f"/{db}?sql=select+1+as+my_count").text
    assert '<th class="col-my_count" scope="col">my_count</th>' in typed
