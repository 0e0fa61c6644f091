"""Headline classification on real BBC headline changes (../shared/corpus).

Prints the confusion of ``headline_change_kind`` against the file's ``kind``
labels, the accuracy, and how a store-level revert check (the new headline
equals an earlier, non-latest headline of the same URL) matches
``reverts_earlier``.

Run: ``PYTHONPATH=. python benchmarks/headlines.py [path/to/file.jsonl]``
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from monitor.compare.classify import headline_change_kind

DEFAULT = (
    Path(__file__).resolve().parents[1].parent
    / "shared"
    / "corpus"
    / "versions"
    / "bbc-headline-transitions.jsonl"
)
LABELS = ("wording", "case/punct-only", "typographic-only", "same")


def load(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def confusion(rows: list[dict[str, Any]]) -> Counter[tuple[str, str]]:
    return Counter((r["kind"], headline_change_kind(r["before"], r["after"])) for r in rows)


def revert_predictions(rows: list[dict[str, Any]]) -> list[tuple[bool, bool]]:
    """(label, prediction) per row; sequences are rebuilt per URL in time order.

    A store keeps every version of a URL, so a revert is an exact match of the new
    headline with any stored headline before the latest one.
    """
    by_url: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for index, row in enumerate(rows):
        by_url[row["url"]].append((row["before_seen_utc"], index))
    results = []
    for transitions in by_url.values():
        history: list[str] = []
        for _, index in sorted(transitions):
            row = rows[index]
            if not history or history[-1] != row["before"]:
                history.append(row["before"])
            results.append((bool(row["reverts_earlier"]), row["after"] in history[:-1]))
            history.append(row["after"])
    return results


def report(rows: list[dict[str, Any]]) -> str:
    start = time.perf_counter()
    matrix = confusion(rows)
    elapsed = time.perf_counter() - start
    lines = [f"{len(rows)} headline changes, classified in {elapsed:.2f} s", ""]
    predicted = [p for p in LABELS if any(k[1] == p for k in matrix)]
    lines.append("label \\ predicted".ljust(20) + "".join(p.rjust(18) for p in predicted))
    for label in LABELS:
        if any(k[0] == label for k in matrix):
            counts = "".join(str(matrix[label, p]).rjust(18) for p in predicted)
            lines.append(label.ljust(20) + counts)
    correct = sum(n for (label, guess), n in matrix.items() if label == guess)
    lines.append(f"\naccuracy: {correct / len(rows):.4f} ({correct}/{len(rows)})")
    pairs = revert_predictions(rows)
    tally = Counter(pairs)
    tp, fp, fn = tally[True, True], tally[False, True], tally[True, False]
    agree = tally[True, True] + tally[False, False]
    lines.append(
        f"reverts: {sum(label for label, _ in pairs)} labelled; store-level check "
        f"TP {tp} FP {fp} FN {fn}; precision {tp / max(tp + fp, 1):.4f}, "
        f"recall {tp / max(tp + fn, 1):.4f}, agreement {agree / len(pairs):.4f}"
    )
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT
    if not path.exists():
        print(f"skipped: {path} not found (the corpus lives in ../shared/corpus beside the repo)")
        return 0
    print(report(load(path)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
