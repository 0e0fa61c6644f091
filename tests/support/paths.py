"""Where the repository and the shared corpus are, for tests at any depth."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
#: ../shared/corpus beside the repository (absent in a user's clone: tests skip)
CORPUS = REPO.parent / "shared" / "corpus"
