"""Peak RSS and time to read one big page, ours beside a baseline, per page size.

Run from the repository root::

    .venv/bin/python benchmarks/extraction_memory.py [--sizes 1 5 20] [--timeout 300]

Each measurement is a fresh process (``--child``) that loads the page from a file,
decodes it as a fetch does (``net.charset.decode_body``) and reads it as a worker does
on a first visit (``gather.read_page``'s pure stages: ``extract``, ``normalize``,
``content_hash``, ``fingerprint.take``). Peak RSS is the kernel's high-water mark
(``VmHWM``), so it counts lxml's and trafilatura's C allocations; "over" is the peak
minus the RSS once the page is loaded (imports and the page itself excluded).

Pages (generated, so nothing here is anybody's copyrighted text):

- ``scripts``: a 40-paragraph article padded with inline ``<script>`` JSON to the
  size (what real big pages are: the corpus's largest is 1.6 MB, mostly scripts);
- ``paragraphs``: distinct paragraphs all the way (a huge text page);
- ``dense``: nested ``<div>``/``<span>`` markup all the way (the worst case per byte).

"baseline" is ``--baseline-ref`` (default: the merge base with ``main``) unpacked
with ``git archive``. A run past ``--timeout`` seconds is stopped and reported as
such, with the peak it had reached.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

PARA = (
    "<p>Paragraph {i}: the council voted on Tuesday to approve the budget, which funds "
    "schools, roads and a new library in the north of the city, officials said.</p>\n"
)
HEAD = (
    "<!doctype html><html><head><meta charset='utf-8'><title>Council passes budget | Gazette"
    "</title></head><body><header><nav><a href='/'>Home</a></nav></header><main><article>"
    "<h1>Council passes budget</h1><p class='byline'>By Ann Lee</p>\n"
)
TAIL = "</article></main><footer>Gazette</footer></body></html>"


def page(kind: str, size: int) -> str:
    """A page of about ``size`` bytes of the given kind."""
    parts: list[str] = [HEAD]
    total = len(HEAD) + len(TAIL)
    if kind == "scripts":
        article = "".join(PARA.format(i=i) for i in range(40))
        parts.append(article)
        total += len(article)
        blob = json.dumps({f"key{i}": "value " * 12 for i in range(200)})
        while total < size:
            chunk = f'<script>window.__DATA_{total}__ = {blob};</script>\n'
            parts.append(chunk)
            total += len(chunk)
    else:
        i = 0
        while total < size:
            chunk = (
                PARA.format(i=i)
                if kind == "paragraphs"
                else "<div><span>x</span>" * 20 + "</div>" * 20 + "\n"
            )
            parts.append(chunk)
            total += len(chunk)
            i += 1
    parts.append(TAIL)
    return "".join(parts)


def _hwm_kb(pid: int | str = "self") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def child(path: str) -> None:
    """Measure one read in this process; prints one JSON line."""
    import trafilatura  # noqa: F401 - loaded before the baseline RSS, as in a worker

    from monitor.extract import fingerprint
    from monitor.extract.cascade import extract
    from monitor.extract.normalize import content_hash, normalize
    from monitor.net.charset import decode_body

    content = Path(path).read_bytes()
    decoded = decode_body(content, "text/html; charset=utf-8")
    assert decoded is not None
    text = decoded[0]
    loaded = _hwm_kb()
    start = time.perf_counter()
    article = normalize(extract(text, "https://gazette.example/news/budget"))
    digest = content_hash(article)
    fingerprint.take(text, article, digest, {}, learn_read=True)
    print(
        json.dumps(
            {
                "seconds": time.perf_counter() - start,
                "peak_mb": _hwm_kb() / 1024,
                "loaded_mb": loaded / 1024,
                "paragraphs": len(article.body),
                "cut": list(getattr(article, "cut", ())),
            }
        )
    )


def measure(code: Path, path: Path, timeout: float) -> dict:
    env = {**os.environ, "PYTHONPATH": str(code)}
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    deadline = time.monotonic() + timeout
    peak = 0
    while proc.poll() is None:
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            peak = max(peak, _hwm_kb(proc.pid))
        if time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            return {"timeout": True, "peak_mb": peak / 1024}
        time.sleep(0.2)
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"child failed:\n{err[-2000:]}")
    return json.loads(out.strip().splitlines()[-1])


def _cell(result: dict, size_mb: float) -> str:
    if result.get("timeout"):
        return f"> timeout, {result['peak_mb']:.0f} MB and rising"
    over = result["peak_mb"] - result["loaded_mb"]
    return (
        f"{result['peak_mb']:.0f} MB peak ({over:+.0f} MB, {over / size_mb:.1f}× page), "
        f"{result['seconds']:.1f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[1, 5, 20])
    parser.add_argument("--kinds", nargs="+", default=["scripts", "paragraphs", "dense"])
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--baseline-ref", default=None)
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:  # PYTHONPATH chooses the side: nothing of this checkout on sys.path
        sys.path.remove(str(Path(__file__).resolve().parent))
        child(args.child)
        return
    sys.path.insert(0, str(REPO))
    from benchmarks.daemon_bench import baseline_tree

    with tempfile.TemporaryDirectory() as tmp:
        ref, baseline = baseline_tree(args.baseline_ref, Path(tmp) / "baseline")
        print(f"ours: {REPO} (working tree); baseline: {ref}")
        print("| page | size | ours | baseline |\n|---|---:|---|---|")
        for kind in args.kinds:
            for size in args.sizes:
                path = Path(tmp) / f"{kind}-{size}.html"
                path.write_text(page(kind, int(size * 1_000_000)), encoding="utf-8")
                mine = measure(REPO, path, args.timeout)
                theirs = measure(baseline, path, args.timeout)
                print(
                    f"| {kind} | {size:g} MB | {_cell(mine, size)} | {_cell(theirs, size)} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
