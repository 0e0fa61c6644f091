"""Command line: click commands that wire the stages together. No pipeline logic here."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, NoReturn

import click
import sqlite_utils

from monitor import __version__, allocator, store
from monitor.cli.hints import fetch_hint, global_option_first, missing_db, plural
from monitor.config import Settings, load_settings
from monitor.discover.parse import parse_feed
from monitor.errors import MonitorError
from monitor.net.fetch import Fetcher
from monitor.pipeline.discover import outlet_for_url, track_urls
from monitor.store import feeds as feedstore
from monitor.store import report, versions
from monitor.times import iso, utcnow
from monitor.urls import BadURL, canonicalize_url

PROG = "article-monitor"


class UserError(click.ClickException):
    """A problem with what the user asked for; shown as one line, exit 1."""


@dataclass
class AppContext:
    db_path: Path
    config_path: Path | None
    _settings: Settings | None = None
    _db: sqlite_utils.Database | None = None
    #: the PostgreSQL URL when --db names one (then db_path is unused)
    db_url: str | None = None

    @property
    def db_label(self) -> str:
        """The database as messages name it (a PostgreSQL URL without its password)."""
        if self.db_url is not None:
            from monitor.store.pg import redact

            return redact(self.db_url)
        return str(self.db_path)

    def sqlite_only(self, command: str) -> None:
        """Commands not on PostgreSQL yet say so instead of failing halfway."""
        if self.db_url is not None:
            raise UserError(
                f"{command} works on an SQLite database only for now"
                " (PostgreSQL: add, feed, check, run, status, diff, export, gc)"
            )

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.config_path)
        return self._settings

    @property
    def db(self) -> sqlite_utils.Database:
        return self._open(store.open_db)

    def require_db(self) -> None:
        """For commands that only read (or tidy) the database: a mistyped --db is an error,
        never a new empty database reporting 0 articles."""
        if self.db_url is None and not self.db_path.exists():
            raise UserError(missing_db(self.db_path))

    @property
    def read_db(self) -> sqlite_utils.Database:
        """The database for commands that only read: read-only where it can be."""
        return self._open(store.open_for_reading)

    def _open(self, opener: Callable[[Path | str], sqlite_utils.Database]) -> sqlite_utils.Database:
        # one connection per command, whichever way it was first asked for
        if self._db is None:
            self.settings  # noqa: B018 - a broken config must fail before the database is touched
            self._db = opener(self.db_url or self.db_path)
        return self._db

    def fetcher(self) -> Fetcher:
        return Fetcher(self.settings.fetch, clock=utcnow)


def valid_urls(urls: tuple[str, ...] | list[str]) -> list[str]:
    """Canonical URLs, or BadURL for the first bad one, before any database is opened."""
    return [canonicalize_url(url) for url in urls]


pass_app = click.make_pass_decorator(AppContext)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name=PROG)
@click.option(
    "--db",
    "db_path",
    # a str, not a Path: a Path would fold postgresql:///name into postgresql:/name
    type=click.Path(),
    envvar="ARTICLE_MONITOR_DB",
    default="article-monitor.db",
    show_default=True,
    help="SQLite database file, or a postgresql:// URL (PostgreSQL store, in progress).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    envvar="ARTICLE_MONITOR_CONFIG",
    default=None,
    help="TOML config file (outlets, fetch and schedule settings).",
)
@click.pass_context
def cli(ctx: click.Context, db_path: str, config_path: Path | None) -> None:
    """Watch news articles change: keep every version, diff them, flag silent edits.

    \b
    Example:
      article-monitor feed add https://example.org/rss.xml --outlet example
      article-monitor check
      article-monitor diff 1
    """
    from monitor.store.pg import is_postgres_url

    if is_postgres_url(db_path):
        ctx.obj = AppContext(db_path=Path(), config_path=config_path, db_url=db_path)
    else:
        ctx.obj = AppContext(db_path=Path(db_path), config_path=config_path)


@cli.command()
@click.argument("urls", nargs=-1, required=True)
@click.option("--outlet", help="Outlet name to file the articles under (default: by domain).")
@pass_app
def add(app: AppContext, urls: tuple[str, ...], outlet: str | None) -> None:
    """Track article URLs.

    \b
    Example:
      article-monitor add https://example.org/news/2026/story.html --outlet example
    """
    valid_urls(urls)  # a bad URL must not leave a new database behind
    for article_id, url, created in track_urls(app.db, app.settings, list(urls), outlet, utcnow()):
        click.echo(f"{'added' if created else 'already tracked'}: #{article_id} {url}")


@cli.group()
def feed() -> None:
    """Track RSS/Atom feeds and news sitemaps.

    \b
    Example:
      article-monitor feed add https://example.org/rss.xml --outlet example
      article-monitor feed list
    """


@feed.command("add")
@click.argument("url")
@click.option("--outlet", help="Outlet name for the feed's articles (default: by domain).")
@click.option("--no-verify", is_flag=True, help="Do not fetch the feed now to check it parses.")
@pass_app
def feed_add(app: AppContext, url: str, outlet: str | None, no_verify: bool) -> None:
    """Track an RSS/Atom feed or a (news) sitemap; its articles are tracked on `check`.

    \b
    Example:
      article-monitor feed add https://example.org/rss.xml --outlet example
    """
    canonical = canonicalize_url(url)
    kind = "unverified"
    if not no_verify:
        with app.fetcher() as fetcher:
            result = fetcher.fetch(canonical)
        if not result.ok or result.content is None:
            hint = fetch_hint(result.outcome, result.error, result.status_code)
            raise UserError(
                f"cannot fetch feed {canonical}: {result.outcome}: "
                f"{result.error or result.status_code} ({hint + '; ' if hint else ''}"
                "--no-verify adds it without fetching)"
            )
        parsed = parse_feed(result.content, result.final_url or canonical)
        kind = f"{parsed.kind}, {len(parsed.entries) or len(parsed.sitemaps)} entries"
    db, now = app.db, utcnow()
    with store.transaction(db):
        outlet_id = (
            feedstore.ensure_outlet(db, outlet)
            if outlet
            else outlet_for_url(db, app.settings, canonical)
        )
        feed_id, created = feedstore.add_feed(db, canonical, outlet_id, iso(now))
    click.echo(f"{'added' if created else 'already tracked'}: feed #{feed_id} {canonical} ({kind})")


@feed.command("list")
@pass_app
def feed_list(app: AppContext) -> None:
    """List tracked feeds with their outlet and last poll.

    \b
    Example:
      article-monitor feed list
    """
    app.require_db()
    rows = feedstore.list_feeds(app.read_db)
    if not rows:
        click.echo("no feeds tracked (add one with: article-monitor feed add URL)")
    for row in rows:
        polled = row["last_polled_at"]
        state = row["last_error"] or (
            f"{row['entries_seen']} entries seen" if polled else "not polled yet"
        )
        when = f"; last poll {polled}" if polled else ""
        when += f"; next poll {row['next_poll_at']}" if row["next_poll_at"] else ""
        click.echo(
            f"#{row['id']} [{row['outlet'] or '-'}] {row['url']} "
            f"({row['kind'] or '?'}; {state}{when})"
        )


@cli.command()
@click.argument("article")
@click.option(
    "--from",
    "from_n",
    type=click.IntRange(min=1),
    help="Version number to diff from (default: the one before --to).",
)
@click.option(
    "--to",
    "to_n",
    type=click.IntRange(min=1),
    help="Version number to diff to (default: the latest).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "html", "json"]),
    default="text",
    show_default=True,
)
@click.option(
    "--color/--no-color", default=None, help="Colour text output (default: on a terminal)."
)
@pass_app
def diff(
    app: AppContext,
    article: str,
    from_n: int | None,
    to_n: int | None,
    fmt: str,
    color: bool | None,
) -> None:
    """Show the diff between two versions of an article (ARTICLE = id or URL).

    \b
    Examples:
      article-monitor diff 12
      article-monitor diff https://example.org/news/story.html --from 1 --to 3 --format html
    """
    from monitor.compare.diff import diff_versions
    from monitor.compare.render import render_html, render_json, render_text

    app.require_db()
    row = _find_article(app.read_db, article)
    numbers = [v["version_number"] for v in versions.versions_of(app.db, row["id"])]
    if len(numbers) < 2:
        raise UserError(f"article #{row['id']} has {len(numbers)} version(s): nothing to diff yet")
    to_n = numbers[-1] if to_n is None else to_n
    from_n = max((n for n in numbers if n < to_n), default=0) if from_n is None else from_n
    old = versions.version_by_number(app.db, row["id"], from_n)
    new = versions.version_by_number(app.db, row["id"], to_n)
    if old is None or new is None:
        raise UserError(
            f"article #{row['id']} has versions {numbers[0]}..{numbers[-1]}; no version {from_n if old is None else to_n}"
        )
    result = diff_versions(old, new)
    if fmt == "json":
        payload = {
            "article_id": row["id"],
            "url": row["url"],
            "from": from_n,
            "to": to_n,
            **render_json(result),
        }
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    elif fmt == "html":
        click.echo(render_html(result))
    else:
        click.echo(
            f"article #{row['id']} {row['url']}\nversion {from_n} ({old.captured_at}) → {to_n} ({new.captured_at})"
        )
        click.echo(render_text(result, color=sys.stdout.isatty() if color is None else color))


def _find_article(db: sqlite_utils.Database, ref: str) -> dict:
    found = store.find_article(db, ref)
    if found is None and not ref.isdigit():
        try:
            found = store.find_article(db, canonicalize_url(ref))
        except BadURL:
            found = None
    if found is None:
        raise UserError(f"no tracked article matches {ref!r} (give an id or a tracked URL)")
    return found


@cli.command()
@pass_app
def status(app: AppContext) -> None:
    """What is tracked, due and failing; open outlet incidents; hosts backing off; the last
    errors; the last 24 h.

    \b
    Example:
      article-monitor --db /var/lib/article-monitor/article-monitor.db status
    """
    app.require_db()
    now = utcnow()
    figures = report.status_report(app.read_db, iso(now), iso(now - timedelta(hours=24)))
    by_status = ", ".join(f"{n} {s}" for s, n in sorted(figures["by_status"].items())) or "none"
    click.echo(f"database: {app.db_label}")
    from monitor.store.retention import database_size, human_bytes, stored_size

    if app.db_url is not None:
        days = app.read_db.fetch_days()  # type: ignore[attr-defined]
        span = f"{days[0]} to {days[-1]}" if days else "none yet"
        click.echo(
            f"database size: {human_bytes(stored_size(app.read_db))} (PostgreSQL; fetches by"
            f" day: {plural(len(days), 'partition')}, {span})"
        )
    else:
        main_size, wal_size = database_size(app.db_path)
        click.echo(
            f"database size: {human_bytes(main_size + wal_size)} "
            f"(file {human_bytes(main_size)} + WAL {human_bytes(wal_size)})"
        )
    click.echo(
        f"tracked: {plural(figures['outlets'], 'outlet')}, {plural(figures['feeds'], 'feed')}, "
        f"{plural(figures['articles'], 'article')} ({by_status})"
    )
    click.echo(f"due now: {figures['due_now']}; next due: {figures['next_due'] or '-'}")
    click.echo(
        f"last 24 h: {plural(figures['versions_24h'], 'version')}, "
        f"{plural(figures['changes_24h'], 'change')}, {figures['silent_24h']} silent"
    )
    click.echo(
        f"all time: {plural(figures['versions'], 'version')}, "
        f"{plural(figures['changes'], 'change')}"
    )
    fell_back = ", ".join(f"{name} {n}" for name, n in figures["fallbacks_24h"].items())
    click.echo(
        f"reads, last 24 h: {plural(figures['reads_24h'], 'article fetch', 'article fetches')}; "
        f"fell back: {fell_back or 'never'}"
    )
    for line in figures["incidents"]:
        click.echo(line)
    for row in figures["failing"]:
        click.echo(
            f"failing article #{row['id']} ({row['consecutive_errors']}x): {row['url']}: {row['last_error']}"
        )
    for line in figures["capped_feeds"]:
        click.echo(line)
    for row in figures["failing_feeds"]:
        click.echo(
            f"failing feed #{row['id']} ({row['consecutive_errors']}x): {row['url']}: {row['last_error']}"
        )
    from monitor.store.hosts import hosts_backing_off

    for host in hosts_backing_off(app.db, now):
        until = iso(host.backoff_until) if host.backoff_until else "-"
        click.echo(f"host backing off until {until}: {host.host}: {host.reason}")
    for row in figures["last_errors"]:
        again = f" ({row['times']} times)" if row["times"] > 1 else ""
        click.echo(
            f"error at {row['fetched_at']}{again}: {row['url']}: {row['outcome']} {row['error']}"
        )


# ------------------------------------------------------------------ entry point

#: every error the monitor raises on purpose (monitor.errors): a one-line message, exit 1
_KNOWN_ERRORS: tuple[type[Exception], ...] = (MonitorError,)


def _fail(message: str, code: int) -> NoReturn:
    first_line = " ".join(str(message).split()) or "failed"
    click.echo(f"{PROG}: error: {first_line}", err=True)
    sys.exit(code)


def main(argv: list[str] | None = None, *, entry: Callable[..., Any] = cli) -> None:
    """Run the CLI; every failure is one line on stderr and a non-zero exit, never a traceback."""
    args = sys.argv[1:] if argv is None else argv
    allocator.tune()  # before any worker thread: see monitor.allocator
    try:
        code = entry.main(args=args, prog_name=PROG, standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except click.exceptions.Abort:
        _fail("aborted", 130)
    except click.exceptions.NoArgsIsHelpError as exc:
        # a bare `article-monitor` (or `feed`) asks what there is: the help, as --help shows it
        click.echo(exc.ctx.get_help())
        sys.exit(0)
    except click.UsageError as exc:
        moved = global_option_first(exc, args)
        hint = f" (see: {exc.ctx.command_path} --help)" if exc.ctx else ""
        _fail(moved or f"{exc.format_message()}{hint}", 2)
    except click.ClickException as exc:
        _fail(exc.format_message(), exc.exit_code)
    except _KNOWN_ERRORS as exc:
        _fail(str(exc), 1)
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except BrokenPipeError:
        sys.exit(0)
    except sqlite3_errors() as exc:
        _fail(f"database error: {exc}", 1)
    except Exception as exc:  # the promise: never a traceback
        _fail(f"internal error: {type(exc).__name__}: {exc} (please report this)", 70)


def sqlite3_errors() -> tuple[type[Exception], ...]:
    """The database drivers' errors: sqlite3's, and psycopg's where it is installed."""
    import sqlite3

    errors: tuple[type[Exception], ...] = (sqlite3.Error,)
    if "psycopg" in sys.modules:  # only a postgresql:// database imports it
        errors += (sys.modules["psycopg"].Error,)
    return errors


# `check` lives in monitor.cli.checking and the commands for operating the monitor (run,
# serve, demo, init, export, gc) in monitor.cli.ops; importing them registers them above.
from monitor.cli import checking as cli_checking  # noqa: E402,F401
from monitor.cli import ops as cli_ops  # noqa: E402,F401
