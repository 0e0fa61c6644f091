"""Reviewer login: Datasette's own actor (the signed ``ds_actor`` cookie), passwords from config.

Hashes use datasette-auth-passwords' format (``pbkdf2_sha256$iterations$salt$hash``), so a
hash made by either tool works in both. Checking one takes ~0.3 s of CPU by design; it
runs in a worker thread, one at a time, so a burst of login attempts never stalls the
event loop or every worker. ``python -m monitor.review.auth`` prints a hash for a password.

Forms carry Datasette's CSRF token (asgi-csrf checks every POST that carries a cookie;
a POST without cookies carries no login either, so the write handlers refuse it).
"""

from __future__ import annotations

import asyncio
import base64
import getpass
import hashlib
import hmac
import secrets
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING
from urllib.parse import quote

from datasette.utils.asgi import Request, Response

from monitor.review.web import PREFIX, page, state

if TYPE_CHECKING:
    from datasette.app import Datasette

ALGORITHM = "pbkdf2_sha256"
ITERATIONS = 480_000
#: one check at a time; the rest wait in this pool's queue, not in the event loop
_CHECKS = ThreadPoolExecutor(max_workers=1, thread_name_prefix="review-login")
_DUMMY_HASH = f"{ALGORITHM}${ITERATIONS}$0${base64.b64encode(bytes(32)).decode('ascii')}"


def hash_password(password: str, salt: str | None = None, iterations: int = ITERATIONS) -> str:
    salt = salt or secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations)
    return f"{ALGORITHM}${iterations}${salt}${base64.b64encode(digest).decode('ascii')}"


def verify_password(password: str, hashed: str) -> bool:
    try:
        algorithm, iterations, salt, _ = hashed.split("$", 3)
        if algorithm != ALGORITHM:
            return False
        expected = hash_password(password, salt, int(iterations))
    except ValueError:
        return False
    return hmac.compare_digest(expected, hashed)


def reviewer(datasette: Datasette, actor: dict | None) -> str | None:
    """The actor's name when it is a configured reviewer (only they can write verdicts)."""
    if not actor or not isinstance(actor.get("id"), str):
        return None
    name = actor["id"]
    return name if name in state(datasette).settings.reviewers else None


def safe_next(value: str | None) -> str:
    """A local path to go back to after login; anything else (another site) → the desk."""
    if value and value.startswith("/") and not value.startswith(("//", "/\\")):
        return value
    return PREFIX


async def login_page(datasette: Datasette, request: Request) -> Response:
    """GET: the form. POST: check the password, set Datasette's actor cookie, go back."""
    reviewers = state(datasette).settings.reviewers
    error, status = None, 200
    if request.method == "POST":
        form = await request.post_vars()
        name, password = form.get("username") or "", form.get("password") or ""
        target = safe_next(form.get("next"))
        hashed = reviewers.get(name)
        loop = asyncio.get_running_loop()
        # an unknown name costs the same time as a known one: names are not probeable
        matches = await loop.run_in_executor(
            _CHECKS, verify_password, password, hashed or _DUMMY_HASH
        )
        ok = hashed is not None and matches
        if ok:
            response = Response.redirect(target, status=303)
            response.set_cookie(
                "ds_actor",
                datasette.sign({"a": {"id": name, "via": "article-monitor"}}, "actor"),
                httponly=True,
                samesite="lax",
            )
            return response
        error, status = "Wrong reviewer name or password.", 403
    else:
        target = safe_next(request.args.get("next"))
    context = {"error": error, "next": target, "has_reviewers": bool(reviewers)}
    return await page(datasette, request, "monitor_login.html", context, status=status)


def login_url(next_path: str) -> str:
    return f"{PREFIX}/login?next={quote(next_path, safe='/')}"


def main() -> None:
    """Print a password hash for `[review.reviewers]` (the password is read without echo)."""
    if sys.stdin.isatty():
        password = getpass.getpass("reviewer password: ")
        if password != getpass.getpass("again: "):
            sys.exit("article-monitor: error: the passwords differ")
    else:
        password = sys.stdin.readline().rstrip("\n")
    if len(password) < 8:
        sys.exit("article-monitor: error: use a password of at least 8 characters")
    print(hash_password(password))


if __name__ == "__main__":
    main()
