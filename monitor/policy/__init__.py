"""Policies, pure: when to look again, and how politely.

Public API: ``schedule.next_check``, ``schedule.error_backoff`` (revisit tiers,
jitter, backoff); ``politeness.HostGate`` (per-host concurrency, spacing, robots
Crawl-delay, backoff: the one gate both ``check`` and ``run`` go through),
``politeness.HostState``, ``politeness.after_fetch``. Their state is kept by
``monitor.store.hosts``.
"""
