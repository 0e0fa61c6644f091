"""A simulated local newsroom: fake outlets over real HTTP on 127.0.0.1, whose articles
change on a script, for the demo, the tests and the benchmarks.

    newsroom = Newsroom(seed=0)
    with serve_newsroom(newsroom) as server:
        server.feed_urls, newsroom.advance(), newsroom.expectations()
"""

from monitor.newsroom.core import OUTLETS, Newsroom, Outlet
from monitor.newsroom.script import ScriptedEdit
from monitor.newsroom.server import NewsroomServer, serve_newsroom
from monitor.newsroom.stories_capitol import SEED_SENTENCE

__all__ = [
    "OUTLETS",
    "SEED_SENTENCE",
    "Newsroom",
    "NewsroomServer",
    "Outlet",
    "ScriptedEdit",
    "serve_newsroom",
]
