"""article-monitor: keep every version of news articles, diff them, flag silent edits."""

__version__ = "0.1.0"
