"""Charset decoding on real pages with a stray byte or a wrong label, ours beside a
baseline, per corpus half (benchmarks/corpus_split.py).

Run from the repository root::

    .venv/bin/python benchmarks/charset_stray.py [--baseline-ref REF]

For every corpus page that is valid UTF-8 (pages/*/…, versions/*/…):

- **stray byte**: one latin-1 byte (0xE9) inserted before the first ``</p>``, the page
  declared ``charset=utf-8`` in the header. Right = decoded as UTF-8, every other
  character as in the original (only the stray byte is lost). Pages without a single
  non-ASCII character are counted apart: for them any ASCII-compatible codec is right
  but for that one byte.
- **mislabelled**: the page transcoded to windows-1252 (where it can be) but declared
  ``charset=utf-8``. Right = the original text exactly (the detector must still win).
- **unchanged**: the page as is. Right = the same text as the baseline decodes.

"baseline" is ``--baseline-ref`` (default: the merge base with ``main``) unpacked with
``git archive``; both sides run in their own process over the same pages.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
STRAY = b"\xe9"


def _pages() -> list[Path]:
    pages = [p for p in sorted(CORPUS.glob("**/*.html*")) if not p.name.startswith("expected")]
    return [p for p in pages if p.suffix in (".html", ".gz")]


def _bytes(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def child() -> None:
    """Decode every case with the monitor on PYTHONPATH; one JSON line per page."""
    from monitor.net.charset import decode_body

    for path in _pages():
        data = _bytes(path)
        try:
            original = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        at = data.find(b"</p>")
        if at < 0:
            continue
        row: dict[str, object] = {"path": str(path.relative_to(CORPUS))}
        row["ascii"] = original.isascii()
        stray = decode_body(data[:at] + STRAY + data[at:], "text/html; charset=utf-8")
        row["stray_codec"] = stray[1] if stray else None
        expected = original[: len(data[:at].decode("utf-8"))]
        row["stray_right"] = bool(
            stray
            and stray[0].startswith(expected)
            and stray[0][len(expected) + 1 :] == original[len(expected) :]
        )
        try:
            latin = original.encode("cp1252")
        except UnicodeEncodeError:
            latin = None
        if latin is not None and latin != data:
            wrong = decode_body(latin, "text/html; charset=utf-8")
            row["mislabelled_right"] = bool(wrong and wrong[0] == original)
        same = decode_body(data, "text/html")
        row["unchanged"] = hashlib.sha256(same[0].encode()).hexdigest() if same else None
        print(json.dumps(row))


def _run(code: Path) -> dict[str, dict]:
    env = {**os.environ, "PYTHONPATH": str(code)}
    out = subprocess.run(
        [sys.executable, __file__, "--child"], capture_output=True, text=True, env=env, check=True
    ).stdout
    rows = [json.loads(line) for line in out.split("\n") if line.startswith("{")]
    return {row["path"]: row for row in rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline-ref", default=None)
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:  # PYTHONPATH chooses the side: nothing of this checkout on sys.path
        sys.path.remove(str(Path(__file__).resolve().parent))
        child()
        return
    if not CORPUS.is_dir():
        raise SystemExit(f"corpus not found at {CORPUS}")
    sys.path.insert(0, str(REPO))
    from benchmarks.corpus_split import split
    from benchmarks.daemon_bench import baseline_tree

    with tempfile.TemporaryDirectory() as tmp:
        ref, baseline = baseline_tree(args.baseline_ref, Path(tmp) / "baseline")
        mine, theirs = _run(REPO), _run(baseline)
    print(f"ours: {REPO} (working tree); baseline: {ref}")
    print("| half | case | pages | ours right | baseline right |\n|---|---|---:|---:|---:|")
    for half in ("tuning", "heldout"):
        rows = {p: r for p, r in mine.items() if split(p) == half}
        tally: Counter[str] = Counter()
        for path, row in rows.items():
            base = theirs[path]
            kind = "stray byte, ASCII page" if row["ascii"] else "stray byte"
            tally[f"{kind}|n"] += 1
            tally[f"{kind}|ours"] += row["stray_right"]
            tally[f"{kind}|base"] += base["stray_right"]
            if "mislabelled_right" in row:
                tally["mislabelled|n"] += 1
                tally["mislabelled|ours"] += row["mislabelled_right"]
                tally["mislabelled|base"] += base["mislabelled_right"]
            tally["unchanged (same text as baseline)|n"] += 1
            tally["unchanged (same text as baseline)|ours"] += row["unchanged"] == base["unchanged"]
            tally["unchanged (same text as baseline)|base"] += 1
        for case in ("stray byte", "stray byte, ASCII page", "mislabelled",
                     "unchanged (same text as baseline)"):  # fmt: skip
            n = tally[f"{case}|n"]
            print(f"| {half} | {case} | {n} | {tally[f'{case}|ours']} | {tally[f'{case}|base']} |")


if __name__ == "__main__":
    main()
