"""HTML → Article, pure: every function here takes a page and returns values.

Public API: ``cascade.extract`` (outlet selectors → JSON-LD → trafilatura) and
``cascade.EXTRACTION_RULES`` (bump when extraction output changes);
``normalize.normalize``, ``normalize.content_hash``, ``normalize.suspect_reason``;
``fingerprint.take`` / ``fingerprint.locate`` (the fast path: recognise an
unchanged article region without the cascade); ``region.read`` (read an edit from
the located region). ``body`` and ``meta`` are the cascade's helpers.
"""
