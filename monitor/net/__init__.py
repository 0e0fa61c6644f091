"""The network edge: the only package that talks to other machines.

Public API: ``fetch.Fetcher`` (one URL, politely and safely; every failure is a
``FetchResult`` outcome, never an exception), ``fetch.parse_retry_after``;
``guard`` (the address guard: ``check_host``, ``GuardedBackend``,
``deadline_scope``); ``tls`` (``LazyTLSPool``, ``transport_shell``); ``charset``
(``decode_body``) and ``inflate`` (bounded gzip/deflate) used by the fetcher and
the feed reader. Errors: ``monitor.errors.AddressRefused``, ``UnsupportedEncoding``.
"""
