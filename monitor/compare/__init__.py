"""Comparing two versions, pure: diff, classify, render.

Public API: ``diff.diff_versions`` (paragraphs aligned, then word-level
diff-match-patch → ``VersionDiff`` operations); ``classify.classify``,
``classify_status``, ``classify_dates`` (change kinds with evidence and the
silent flag); ``render.render_text`` / ``render_html`` / ``render_json``
(renderings of the operations, HTML escaped); ``signals`` (numbers, quotes,
comment lines, correction notes) used by classify.
"""
