"""Headline classification on real BBC headline changes (../shared/corpus).

Prints the confusion of ``headline_change_kind`` against the file's ``kind``
labels, the accuracy, and how a store-level revert check (the new headline
equals an earlier, non-latest headline of the same URL) matches
``reverts_earlier``; then, per corpus half (``benchmarks/corpus_split``, by URL),
the kind ``classify`` reports for each change (``headline``, or ``minor`` for a
cosmetic change or a typo fix: ``compare.typos``) against the labels, and with
``--verbose`` the headline changes reported as typo fixes.

Run: ``PYTHONPATH=. python benchmarks/headlines.py [--verbose] [path/to/file.jsonl]``
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from benchmarks.corpus_split import HALVES, split
from monitor.compare.classify import classify, headline_change_kind
from monitor.compare.diff import diff_field
from monitor.models import FieldDiff, VersionDiff

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


def half(row: dict[str, Any]) -> str:
    """The corpus half of a headline change: by its URL, so one story's changes share one."""
    digest = hashlib.sha256(row["url"].encode()).hexdigest()[:16]
    return split(f"versions/bbc-headline-transitions.jsonl/{digest}")


def reported_kind(row: dict[str, Any]) -> str:
    """What ``classify`` reports for a change of this headline alone: headline or minor."""
    unchanged = FieldDiff("byline", "", "", ())
    diff = VersionDiff(diff_field("title", row["before"], row["after"]), unchanged, ())
    kinds = classify(diff).kinds
    return "headline" if "headline" in kinds else "minor" if "minor" in kinds else "none"


def report_by_half(rows: list[dict[str, Any]], verbose: bool = False) -> str:
    lines = [
        "",
        "per half: label agreement of headline_change_kind, and the kind classify reports",
        "half       changes  accuracy   wording→headline  wording→minor (typo fix)  "
        "cosmetic→minor  cosmetic→headline",
    ]
    typo_fixes: list[dict[str, Any]] = []
    for name in HALVES:
        part = [r for r in rows if half(r) == name]
        matrix = confusion(part)
        correct = sum(n for (label, guess), n in matrix.items() if label == guess)
        told = Counter(("wording" if r["kind"] == "wording" else "cosmetic", reported_kind(r)) for r in part)  # fmt: skip
        typo_fixes += [r for r in part if r["kind"] == "wording" and reported_kind(r) == "minor"]
        lines.append(
            f"{name:<10} {len(part):>7}  {correct / max(len(part), 1):.4f}  "
            f"{told['wording', 'headline']:>16}  {told['wording', 'minor']:>24}  "
            f"{told['cosmetic', 'minor']:>14}  {told['cosmetic', 'headline']:>17}"
        )
    if verbose:
        lines.append("\nwording changes reported as typo fixes (minor):")
        lines += [f"  {half(r)}: {r['before']!r} → {r['after']!r}" for r in typo_fixes]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    verbose = "--verbose" in argv
    args = [a for a in argv[1:] if a != "--verbose"]
    path = Path(args[0]) if args else DEFAULT
    if not path.exists():
        print(f"skipped: {path} not found (the corpus lives in ../shared/corpus beside the repo)")
        return 0
    rows = load(path)
    print(report(rows))
    print(report_by_half(rows, verbose))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
