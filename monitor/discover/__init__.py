"""Discovery, pure: what a feed or sitemap lists.

Public API: ``parse.parse_feed`` (RSS 2.0/1.0, Atom, news sitemaps, sitemap
indexes → ``FeedResult``), ``parse.FeedError``. URL spelling lives in
``monitor.urls``; polling feeds (fetch, then track what they list) is the
engine's work (``monitor.pipeline.discover``).
"""
