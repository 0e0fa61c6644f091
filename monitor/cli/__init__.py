"""The command line: click commands that wire the stages together, no pipeline logic.

``main`` holds the group and the commands that track and inspect (add, feed,
check, diff, status); ``ops`` the commands that operate the monitor (run, serve,
demo, init, export, gc), registered on the same group when it is imported.
"""

from __future__ import annotations

from monitor.cli.main import AppContext, UserError, cli, main, pass_app

__all__ = ["AppContext", "UserError", "cli", "main", "pass_app"]
