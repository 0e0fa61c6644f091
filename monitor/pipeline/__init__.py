"""The engine: plan (writer) → gather (workers) → commit (writer), and what drives it.

Public API: ``engine.Engine`` (one engine for both commands); ``work.DueWork`` and
``work.PassWork`` (what to do next, optionally for a subset of hosts);
``check.run_pass`` (``check``: the engine until idle) and ``run.run_daemon``
(``run``: the engine under APScheduler); ``gather.make_job`` / ``gather.gather`` /
``gather.read`` (plan and gather one article), ``commit.commit`` (write it,
or answer ``Replan``); ``discover`` (configured feeds, feed polls, ``track_urls``);
``reread`` (extraction-rules changes); ``notify`` (webhooks) and ``sdnotify``.
"""
