"""The monitor's exceptions: one tree, rooted in :class:`MonitorError`.

In the manner of httpx's ``_exceptions``: every error the monitor raises on
purpose is a ``MonitorError``, so a caller (the CLI, a script embedding the
monitor) can catch them all in one place and print the one-line message; its
subclasses say which edge it came from. Errors that stay inside the pipeline are
data (``FetchResult.outcome``, ``CheckResult.error``), never exceptions.

    MonitorError
    ├── ConfigError          the configuration is missing, unreadable or invalid
    ├── StoreError           the database cannot be opened or is not ours
    │   └── DeltaError       a stored snapshot delta does not rebuild its page
    ├── BadURL               not an http(s) URL with a host
    ├── FeedError            not a feed or sitemap we can read
    └── NetError             the network edge refused before any request
        ├── AddressRefused   the host resolves to an address the guard refuses
        └── UnsupportedEncoding  a Content-Encoding we do not decode

``ConfigError``, ``BadURL``, ``FeedError``, ``DeltaError`` and
``UnsupportedEncoding`` are also ``ValueError``s, as they were before the tree.
"""

from __future__ import annotations


class MonitorError(Exception):
    """Base of every error the monitor raises on purpose. The message is one line."""


class ConfigError(MonitorError, ValueError):
    """The configuration file is missing, unreadable or invalid. The message is one line."""


class StoreError(MonitorError):
    """The database cannot be opened or is not an article-monitor database."""


class DeltaError(StoreError, ValueError):
    """A delta that does not rebuild a page from the base it was given."""


class BadURL(MonitorError, ValueError):
    """Not an http(s) URL with a host. The message is one line."""


class FeedError(MonitorError, ValueError):
    """Not a feed or sitemap we can read. The message is one line."""


class NetError(MonitorError):
    """The network edge refused a request before sending it."""


class AddressRefused(NetError):
    """The host resolves to an address the guard refuses. The message is one line."""


class UnsupportedEncoding(NetError, ValueError):
    """A Content-Encoding we do not decode (we only ask for gzip and deflate)."""


def one_line(message: object, limit: int = 300) -> str:
    """Collapse a message to a single line of bounded length."""
    text = " ".join(str(message).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
