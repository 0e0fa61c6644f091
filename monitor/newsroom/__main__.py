"""Manual use: ``python -m monitor.newsroom --port-base 0 --step-seconds 30``.

Prints each outlet's URLs, then advances the story clock on a timer until Ctrl-C.
"""

from __future__ import annotations

import argparse
import signal
import threading

from monitor.newsroom.core import Newsroom
from monitor.newsroom.server import serve_newsroom


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m monitor.newsroom", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port-base", type=int, default=0, help="0: pick free ports")
    parser.add_argument("--step-seconds", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--extra-articles", type=int, default=0)
    args = parser.parse_args(argv)
    if args.step_seconds <= 0:
        parser.error("--step-seconds must be positive")

    newsroom = Newsroom(seed=args.seed, extra_articles=args.extra_articles)
    stop = threading.Event()
    # SIGTERM (systemd, kill) stops as cleanly as Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with serve_newsroom(newsroom, host=args.host, port_base=args.port_base) as server:
        for name, base in server.base_urls.items():
            print(f"{name:8} {base}  feeds: {' '.join(server.feed_urls[name])}")
        print(
            f"step 0 of {newsroom.max_step}; advancing every {args.step_seconds:g}s (Ctrl-C stops)"
        )
        try:
            while not stop.wait(args.step_seconds):
                step = newsroom.advance()
                changed = [e for e in newsroom.expectations() if e.step == step]
                print(f"step {step}: {len(changed)} scripted revision(s)", flush=True)
        except KeyboardInterrupt:
            pass
        print("stopping", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
