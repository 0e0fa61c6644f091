"""Commands that operate the monitor: the daemon, the review UI, the demo, setup, export, gc.

Registered on the ``cli`` group of monitor.cli.main; thin wiring only, like the rest of the CLI.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import click

from monitor.cli.main import AppContext, UserError, cli, pass_app
from monitor.config import ConfigError, parse_settings
from monitor.times import iso, utcnow


@cli.command()
@click.option(
    "--shutdown-timeout",
    type=click.FloatRange(min=0),
    default=30.0,
    show_default=True,
    help="Seconds to let in-flight fetches finish after SIGTERM/SIGINT before abandoning them.",
)
@pass_app
def run(app: AppContext, shutdown_timeout: float) -> None:
    """The daemon: poll feeds and revisit articles on schedule until SIGTERM/SIGINT.

    Logs one line per event (key=value) on stdout; speaks the systemd notify
    protocol when $NOTIFY_SOCKET is set.

    \b
    Example:
      article-monitor --config article-monitor.toml run
    """
    from monitor.pipeline.run import run_daemon

    run_daemon(app.db, app.settings, shutdown_timeout=shutdown_timeout)


@cli.command()
@click.option(
    "--older-than",
    help='Prune snapshots older than this duration ("90d", "12h"; default: [retention] '
    "snapshot_max_age, 180d).",
)
@click.option("--dry-run", is_flag=True, help="Only report what would be pruned.")
@pass_app
def gc(app: AppContext, older_than: str | None, dry_run: bool) -> None:
    """Prune raw page snapshots older than the retention age, then VACUUM.

    Versions and changes are never pruned; versions whose snapshot goes keep
    their text (only the link to the raw HTML is cleared).

    \b
    Examples:
      article-monitor gc --dry-run
      article-monitor gc --older-than 90d
    """
    from monitor.config import parse_duration
    from monitor.store.retention import collect_garbage, human_bytes

    app.require_db()
    age = app.settings.retention.snapshot_max_age
    if older_than is not None:
        try:
            age = parse_duration(older_than, key="--older-than")
        except ConfigError as exc:
            raise UserError(str(exc)) from None
    cutoff = iso(utcnow() - timedelta(seconds=age))
    report = collect_garbage(app.db, app.db_url or app.db_path, cutoff, dry_run=dry_run)
    verb = "would prune" if dry_run else "pruned"
    click.echo(
        f"{verb} {report.snapshots} snapshots captured before {cutoff} "
        f"({human_bytes(report.snapshot_bytes)} compressed)"
    )
    if not dry_run:
        click.echo(
            f"database size: {human_bytes(report.size_before)} → "
            f"{human_bytes(report.size_after)} "
            f"(freed {human_bytes(max(0, report.size_before - report.size_after))})"
        )


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8001,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on.",
)
@pass_app
def serve(app: AppContext, host: str, port: int) -> None:
    """Datasette over the database with the review plugin (read-only; the daemon keeps writing).

    \b
    Example:
      article-monitor serve --port 8001   # then open http://127.0.0.1:8001/-/monitor
    """
    from monitor.review.app import serve as serve_review

    app.sqlite_only("serve")
    app.require_db()
    try:
        serve_review(app.db_path, host=host, port=port, settings=app.settings.review)
    except OSError as exc:
        raise UserError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


@cli.command()
@click.option(
    "--for",
    "duration",
    type=click.FloatRange(min=1),
    default=None,
    help="Run unattended for this many seconds (from the monitor's first look at every "
    "story), then exit 0 with a summary.",
)
@click.option(
    "--step-seconds",
    type=click.FloatRange(min=0.1),
    default=6.0,
    show_default=True,
    help="Seconds between newsroom edits.",
)
@click.option(
    "--demo-db",
    type=click.Path(path_type=Path),
    default="article-monitor-demo.db",
    show_default=True,
    help="Scratch database for the demo (recreated on every run); the global --db does the same.",
)
@click.option(
    "--review-port",
    type=click.IntRange(0, 65535),
    default=8001,
    show_default=True,
    help="Port for the review UI on 127.0.0.1 (another free one if taken).",
)
@click.pass_context
def demo(
    ctx: click.Context, duration: float | None, step_seconds: float, demo_db: Path, review_port: int
) -> None:
    """Offline demo: a simulated newsroom edits its stories while the monitor watches.

    Starts the newsroom on 127.0.0.1, the daemon (`run`) with a fast schedule and
    the review UI (`serve`), prints the review URL and each change as it is
    found. No network needed. Ctrl-C or SIGTERM stops every part cleanly.

    The demo records into --db if given (else article-monitor-demo.db) and
    recreates that database on every run, so it refuses one that is not a demo
    database.

    \b
    Example:
      article-monitor demo --for 60
      article-monitor --db /tmp/demo.db demo
    """
    from monitor.newsroom.demo import DemoOptions, check_demo_target, run_demo

    demo_db = _demo_db(ctx, demo_db)
    if not demo_db.resolve().parent.exists():
        raise UserError(f"database directory does not exist: {demo_db.resolve().parent}")
    if demo_db.is_dir():
        raise UserError(f"{demo_db} is a directory, not a database file: pass another --db")
    check_demo_target(demo_db)
    run_demo(DemoOptions(demo_db, duration, step_seconds, review_port), click.echo)


def _demo_db(ctx: click.Context, demo_db: Path) -> Path:
    """The demo's database: the global --db when typed on the command line, else --demo-db.

    ARTICLE_MONITOR_DB is not followed: it usually names the real database."""
    from click.core import ParameterSource

    root = ctx.find_root()
    app: AppContext = root.obj
    if root.get_parameter_source("db_path") is not ParameterSource.COMMANDLINE:
        return demo_db
    app.sqlite_only("demo")
    if ctx.get_parameter_source("demo_db") is ParameterSource.COMMANDLINE and (
        demo_db.resolve() != app.db_path.resolve()
    ):
        raise UserError(f"two demo databases given (--db {app.db_path}, --demo-db {demo_db}): "
                        "give one, --db")  # fmt: skip
    return app.db_path


@cli.command()
@click.argument("path", type=click.Path(path_type=Path), default="article-monitor.toml")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(path: Path, force: bool) -> None:
    """Write a starter config with 30+ real outlets' public feeds to PATH.

    \b
    Example:
      article-monitor init
      article-monitor --config article-monitor.toml run
    """
    from importlib.resources import files

    if path.exists() and not force:
        raise UserError(f"{path} exists; pass --force to overwrite it")
    if not path.resolve().parent.exists():
        raise UserError(f"directory does not exist: {path.resolve().parent}")
    starter = files("monitor").joinpath("data/starter.toml").read_text(encoding="utf-8")
    parse_settings(starter)  # never write a config we could not read back
    path.write_text(starter, encoding="utf-8")
    outlets = starter.count("[[outlets]]")
    click.echo(f"wrote {path} ({outlets} outlets); edit [fetch] user_agent, then:")
    click.echo(f"  article-monitor --config {path} run")


@cli.command()
@click.argument("what", type=click.Choice(["changes", "versions", "sentences"]), default="changes")
@click.option(
    "--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="File to write (default: stdout).",
)
@click.option(
    "--since",
    help="Only records at or after this UTC time, e.g. 2026-11-01 or 2026-11-01T12:00:00Z.",
)
@click.option("--outlet", help="Only this outlet.")
@click.option("--silent-only", is_flag=True, help="Only silent edits (changes).")
@pass_app
def export(
    app: AppContext,
    what: str,
    fmt: str,
    output: Path | None,
    since: str | None,
    outlet: str | None,
    silent_only: bool,
) -> None:
    """Export changes, versions, or NewsEdits-style sentence operations as JSON Lines or CSV.

    `sentences` lists, for every consecutive version pair, each sentence added,
    removed, edited or moved.

    \b
    Examples:
      article-monitor export changes --silent-only -o silent.jsonl
      article-monitor export versions --format csv -o versions.csv
      article-monitor export sentences --since 2026-11-01 -o newsedits.jsonl
    """
    from monitor.review.export import FIELDS, Filters, records, write_csv, write_jsonl

    app.require_db()
    if since is not None:
        since = _utc_bound(since)
    if output is not None and not output.resolve().parent.exists():
        raise UserError(f"directory does not exist: {output.resolve().parent}")
    if outlet is not None:
        _known_outlet(app, outlet)
    rows = records(app.read_db, what, Filters(since=since, outlet=outlet, silent_only=silent_only))  # type: ignore[arg-type]
    out = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        count = write_csv(rows, out, FIELDS[what]) if fmt == "csv" else write_jsonl(rows, out)
    finally:
        if output:
            out.close()
    if output:
        click.echo(f"wrote {count} {what} records to {output}", err=True)


def _known_outlet(app: AppContext, outlet: str) -> None:
    """`--outlet nope` is a typo, not a request for an empty file."""
    from monitor.store.feeds import outlet_names

    names = outlet_names(app.read_db)
    if outlet not in names:
        known = ", ".join(names[:20]) + (", …" if len(names) > 20 else "")
        raise UserError(f"no outlet named {outlet!r} (outlets: {known or 'none yet'})")


def _utc_bound(value: str) -> str:
    from datetime import UTC, datetime

    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise UserError(f"--since: not a date or time: {value!r} (try 2026-11-01)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return iso(moment)
