"""The reporter's desk (`/-/monitor`) and the one write the review UI makes: a verdict.

The desk lists changes newest first, filtered by silent, kind, outlet, day and
verdict. A verdict (reviewed, confirmed, false positive) and a note go to the verdicts
file beside the database (monitor.review.verdicts), never to the monitored database.
Writing needs a configured reviewer's login (auth.py) and Datasette's CSRF token,
which asgi-csrf checks before the handler runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from datasette.utils.asgi import Forbidden, NotFound, Request, Response

from monitor.models import CHANGE_KINDS
from monitor.review import data
from monitor.review import queue as queues
from monitor.review.auth import login_url, reviewer
from monitor.review.verdicts import MAX_NOTE, VERDICTS, VerdictRecord, record
from monitor.review.web import PREFIX, monitor_db, off_loop, page, query_args, state, url_id
from monitor.times import iso, utcnow

if TYPE_CHECKING:
    from datasette.app import Datasette
    from datasette.database import Database

#: a verdict form is a few hundred bytes; a bigger body is refused before it is parsed
MAX_FORM_BYTES = 64 * 1024


async def desk_page(datasette: Datasette, request: Request) -> Response:
    db = await monitor_db(datasette)
    queue = queues.parse(query_args(request))
    changes, older = await data.queue_page(db, queue)
    for item in changes:
        item["outlet_qs"] = queues.query_string(queue, outlet=item["outlet"] or "", page=1)
    review = state(datasette)
    context = {
        "queue": queue,
        "queue_words": queues.describe(queue),
        "filtered": queues.is_filtered(queue),
        "qs": queues.query_string(queue, page=1),
        "newer_qs": queues.query_string(queue, page=queue.page - 1) if queue.page > 1 else None,
        "older_qs": queues.query_string(queue, page=queue.page + 1) if older else None,
        "changes": changes,
        "counts": await data.queue_counts(db, queue),
        "unreviewed_silent_qs": queues.query_string(queues.Queue(silent="1", verdict="unreviewed")),
        "choices": await data.filter_choices(db),
        "kinds": _kinds_offered(),
        "verdict_filters": queues.VERDICT_FILTERS,
        "verdicts": VERDICTS,
        "outlets": await data.outlets(db),
        "incidents": await data.incidents(db, open_only=True),
        "reviewer": reviewer(datasette, request.actor),
        "verdicts_off": review.verdicts_off,
        "has_reviewers": bool(review.settings.reviewers),
        "login_url": login_url(request.full_path),
    }
    return await page(datasette, request, "monitor_desk.html", context)


def _kinds_offered() -> list[str]:
    return list(CHANGE_KINDS)


async def _form(request: Request) -> dict[str, str]:
    """The POSTed form, refused (413) when it is larger than any verdict form can be."""
    body = b""
    while True:
        message = await request.receive()
        body += message.get("body", b"")
        if len(body) > MAX_FORM_BYTES:
            raise PayloadTooLarge()
        if not message.get("more_body"):
            break
    return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))


class PayloadTooLarge(Exception):
    pass


async def verdict_post(datasette: Datasette, request: Request) -> Response:
    """Record a verdict; then on to the next change of the queue the reviewer came from."""
    name = reviewer(datasette, request.actor)
    if name is None:
        raise Forbidden("Log in as a reviewer to record verdicts (see [review.reviewers]).")
    review = state(datasette)
    if review.verdicts_off or review.verdicts_path is None:
        raise Forbidden(f"Verdicts cannot be recorded: {review.verdicts_off}")
    try:
        form = await _form(request)
    except PayloadTooLarge:
        return Response.text("413 the form is too large\n", status=413)
    verdict, note = form.get("verdict", ""), form.get("note", "").strip()
    if verdict not in VERDICTS or len(note) > MAX_NOTE:
        return Response.text(
            f"400 verdict must be one of {', '.join(VERDICTS)}, the note at most "
            f"{MAX_NOTE} characters\n",
            status=400,
        )
    db = await monitor_db(datasette)
    change = await data.row(
        db,
        "SELECT id, article_id, detected_at FROM changes WHERE id = :id",
        {"id": url_id(request)},
    )
    if change is None:
        raise NotFound("No such change")
    entry = VerdictRecord(
        change["id"], change["article_id"], change["detected_at"], verdict, note, name,
        iso(utcnow()),
    )  # fmt: skip
    await off_loop(record, review.verdicts_path, entry)
    datasette.add_message(request, f"Change #{change['id']} marked {VERDICTS[verdict]}.")
    return Response.redirect(await _after(db, form, change), status=303)


async def _after(db: Database, form: dict[str, str], change: dict) -> str:
    """Where to go once a verdict is recorded: the next (older) change of the queue the
    form came from (its filters ride in the ``queue`` field), else back to that queue."""
    queue = queues.parse(dict(parse_qsl(form.get("queue", ""))))
    qs = queues.query_string(queue, page=1)
    around = await data.queue_neighbours(db, queue, change)
    suffix = f"?{qs}" if qs else ""
    if around["older"] is not None:
        return f"{PREFIX}/change/{around['older']}{suffix}"
    return f"{PREFIX}{suffix}"
