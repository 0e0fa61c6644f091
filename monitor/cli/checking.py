"""`article-monitor check`: one pass now, with progress, a line per failure and a summary.

Registered on the ``cli`` group of monitor.cli.main. The exit code says whether
anything could be fetched, so cron and scripts notice a dead URL or a dead host.
"""

from __future__ import annotations

import os
import random
import sys
from typing import Any

import click

from monitor.cli.hints import failure_line, missing_db, nothing_checked
from monitor.cli.main import AppContext, UserError, cli, pass_app, valid_urls
from monitor.pipeline.check import PassSummary, run_pass
from monitor.pipeline.discover import track_urls
from monitor.times import utcnow


@cli.command()
@click.option(
    "--all", "check_all", is_flag=True, help="Check every tracked article, not just the due ones."
)
@click.option("--no-feeds", is_flag=True, help="Do not poll feeds first.")
@click.argument("urls", nargs=-1)
@pass_app
def check(app: AppContext, check_all: bool, no_feeds: bool, urls: tuple[str, ...]) -> None:
    """One pass now: poll feeds, fetch due (or all, or the given) articles, store changes.

    Given URLs are tracked first if they are not yet. Prints a line for every
    change, every failed fetch and every page that is gone (404/410), then a
    summary. Exits 1 when there was work and nothing could be checked (fetched and read).

    \b
    Examples:
      article-monitor check
      article-monitor check --all
      article-monitor check https://example.org/news/story.html
    """
    valid_urls(urls)  # a typo in a URL must not leave a new database behind
    settings = app.settings
    if not urls and app.db_url is None and not app.db_path.exists() and not _config_sources(app):
        raise UserError(missing_db(app.db_path))
    db = app.db
    article_ids = None
    if urls:
        article_ids = [aid for aid, _, _ in track_urls(db, settings, list(urls), None, utcnow())]
    progress = _Progress(enabled=sys.stderr.isatty())
    with app.fetcher() as fetcher:
        summary = run_pass(
            db,
            fetcher,
            settings,
            clock=utcnow,
            rng=random.Random(),
            check_all=check_all,
            article_ids=article_ids,
            poll=not no_feeds,
            on_start=progress.start,
            on_result=progress.step,
            handle_signals=True,
        )
    progress.finish()
    _report(summary)
    if summary.stopped_by is not None:
        # 128 + the signal, as a shell reports it (130 for Ctrl-C); threads still waiting
        # on the network would hold the exit: their checks were never committed
        sys.stdout.flush()
        os._exit(128 + summary.stopped_by)
    if summary.nothing_checked:
        raise UserError(nothing_checked(summary.errors, summary.gone, summary.feed_errors,
                                        summary.skipped))  # fmt: skip


def _config_sources(app: AppContext) -> bool:
    """The config lists feeds or sitemaps: a first `check` on a new database has work."""
    return any(o.feeds or o.sitemaps for o in app.settings.outlets)


def _report(summary: PassSummary) -> None:
    for poll in summary.feed_polls:
        if poll.error:
            click.echo(f"feed error: {poll.url}: {poll.error}")
        if poll.held_back:
            click.echo(poll.capped_line())
    for result in summary.results:
        if result.change_id is not None:
            flag = " SILENT" if result.silent else ""
            click.echo(f"change #{result.change_id}{flag} [{', '.join(result.kinds)}] {result.url}")
        elif result.outcome in ("error", "gone"):
            click.echo(
                failure_line(result.outcome, result.url, result.fetch_outcome or result.outcome,
                             result.error, result.status_code)
            )  # fmt: skip
        elif result.outcome == "suspect":
            click.echo(f"suspect: {result.url}: {result.error}")
        if result.incident is not None:
            verb = "opened" if result.incident.event == "open" else "closed"
            click.echo(f"incident #{result.incident.incident_id} {verb}: {result.incident.summary}")
    click.echo(summary.line())


class _Progress:
    def __init__(self, enabled: bool) -> None:
        self.enabled, self.done, self.total = enabled, 0, 0

    def start(self, total: int) -> None:
        self.total = total

    def step(self, result: Any, total: int) -> None:
        self.done += 1
        if self.enabled:
            click.echo(
                f"\r[{self.done}/{total}] {result.outcome:<12} {result.url[:60]:<60}",
                nl=False,
                err=True,
            )

    def finish(self) -> None:
        if self.enabled and self.done:
            click.echo("\r" + " " * 80 + "\r", nl=False, err=True)
