"""A throwaway PostgreSQL for the tests: a cluster in a temp dir on a Unix socket only.

``ARTICLE_MONITOR_TEST_PG`` names a server to use instead (a URL of a database the
tests may CREATE DATABASE from). Otherwise Debian's binaries
(/usr/lib/postgresql/N/bin, or initdb/pg_ctl on PATH) start a cluster that listens on
no TCP address at all; as root it runs as the ``postgres`` user (else ``nobody``),
since PostgreSQL refuses to run as root. Each test gets a database of its own,
copied from a template that already holds the schema.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ENV = "ARTICLE_MONITOR_TEST_PG"


class Unavailable(Exception):
    """Why no PostgreSQL can be had here (the tests skip with this reason)."""


@dataclass
class Server:
    """A server the tests may create databases on; ``url(name)`` reaches one."""

    base_url: str  # postgresql:///postgres?host=... or the URL from ARTICLE_MONITOR_TEST_PG
    #: the schema's template, named per session so two sessions on one server never meet
    template: str = field(default_factory=lambda: f"am_template_{uuid.uuid4().hex[:8]}")

    def url(self, dbname: str) -> str:
        head, sep, query = self.base_url.partition("?")
        root = head.rsplit("/", 1)[0]
        return f"{root}/{dbname}{sep}{query}"

    def admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.base_url, autocommit=True) as conn:
            conn.execute(sql)

    def fresh_database(self) -> str:
        """A new database holding the current schema; its URL."""
        name = f"am_{uuid.uuid4().hex[:12]}"
        self.admin(f"CREATE DATABASE {name} TEMPLATE {self.template} STRATEGY FILE_COPY")
        return self.url(name)

    def drop(self, url: str) -> None:
        name = url.partition("?")[0].rsplit("/", 1)[1]
        with contextlib.suppress(Exception):
            self.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def prepare_template(self) -> None:
        from monitor.store.pg import open_pg

        self.admin(
            f"CREATE DATABASE {self.template} LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0"
        )
        open_pg(self.url(self.template)).close()


def binaries() -> Path:
    """The directory holding initdb, pg_ctl and postgres."""
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "pg_ctl").exists() and (candidate / "initdb").exists():
            return candidate
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(found).parent
    raise Unavailable(
        "PostgreSQL binaries not found: no /usr/lib/postgresql/*/bin/pg_ctl nor pg_ctl on PATH"
        " (apt-get install postgresql, or set ARTICLE_MONITOR_TEST_PG)"
    )


def _as_user() -> list[str]:
    """The command prefix that runs the server as a non-root user, when we are root."""
    if os.geteuid() != 0:
        return []
    runuser = shutil.which("runuser")
    if runuser is None:
        raise Unavailable("running as root and runuser is missing: cannot start PostgreSQL")
    for user in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(user)
            return [runuser, "-u", user, "--"]
    raise Unavailable("running as root with no postgres or nobody user to run PostgreSQL as")


@contextlib.contextmanager
def throwaway_server() -> Iterator[Server]:
    """The server the tests use: ARTICLE_MONITOR_TEST_PG's, or a cluster started here."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise Unavailable("psycopg is not installed: pip install -e '.[test]'") from None
    if os.environ.get(ENV):
        server = Server(os.environ[ENV])
        server.prepare_template()
        try:
            yield server
        finally:
            server.drop(server.url(server.template))
        return
    bindir, prefix = binaries(), _as_user()
    root = Path(tempfile.mkdtemp(prefix="am-pg-"))
    if prefix:
        user = prefix[2]
        shutil.chown(root, user=user)
    data, log = root / "data", root / "log"

    def run(*argv: str) -> None:
        done = subprocess.run([*prefix, *argv], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            detail = (done.stderr or done.stdout).strip().splitlines()[-1:]
            raise Unavailable(f"{Path(argv[0]).name} failed: {' '.join(detail)}")

    try:
        run(str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
            "--no-sync", "-E", "UTF8", "--locale", "C")  # fmt: skip
        # fsync off: a throwaway cluster that nobody needs after a crash
        options = f"-k {root} -c listen_addresses='' -c fsync=off -c full_page_writes=off"
        run(str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log), "-w",
            "start")  # fmt: skip
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    try:
        server = Server(f"postgresql:///postgres?host={root}&user=postgres")
        server.prepare_template()
        yield server
    finally:
        subprocess.run(
            [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(root, ignore_errors=True)
