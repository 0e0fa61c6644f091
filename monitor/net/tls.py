"""The TLS context for outgoing connections, built once and only when first needed.

Loading certifi's CA bundle into an ``SSLContext`` costs 1 to 2 MB of RSS per
context. httpx builds one for every ``HTTPTransport`` and the guarded pools
(``monitor.net.fetch``, ``monitor.pipeline.notify``) used to build another each; a process
needs one, and a process that only ever speaks plain http (a local newsroom,
an intranet) needs none. Verification is unchanged: the context is exactly
the one httpx builds by default (certifi's CAs, hostname checking, no
environment overrides).
"""

from __future__ import annotations

import functools
import ssl
import threading

import httpcore
import httpx

_lock = threading.Lock()


@functools.cache
def _built() -> ssl.SSLContext:
    return httpx.create_ssl_context(trust_env=False)


def tls_context() -> ssl.SSLContext:
    """The process's verifying TLS context (httpx's default), built on first use."""
    with _lock:  # two threads racing the first https connection build it once
        return _built()


class LazyTLSPool(httpcore.ConnectionPool):
    """A connection pool that asks for ``tls_context()`` at its first https connection."""

    def create_connection(self, origin: httpcore.Origin) -> httpcore.ConnectionInterface:
        if self._ssl_context is None and origin.scheme == b"https":
            # a pool given no context would fall back to a fresh default per connection
            self._ssl_context = tls_context()
        return super().create_connection(origin)


def transport_shell() -> httpx.HTTPTransport:
    """An ``HTTPTransport`` whose pool the caller replaces (``transport._pool = ...``).

    httpx builds the transport's own pool, and a TLS context for it, in the
    constructor; that pool never connects, so it gets a bare client context
    (no CA bundle loaded, verification still required) instead of a second
    full one.
    """
    return httpx.HTTPTransport(verify=ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT), trust_env=False)
