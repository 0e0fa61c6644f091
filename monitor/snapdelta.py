"""Raw HTML snapshots stored as deltas against the previous snapshot of the same article.

Consecutive captures of one article page differ in a few hundred bytes (the edit,
plus the furniture that changes on every request), so a token-level delta,
compressed, costs a fraction of the compressed page. Tokens end at ``>`` or a
newline, which keeps minified pages (one long line) diffable too.
"""

from __future__ import annotations

import json
import re
import zlib
from difflib import SequenceMatcher

_TOKEN = re.compile(rb"[^>\n]*[>\n]|[^>\n]+")


def _tokens(html: bytes) -> list[bytes]:
    return _TOKEN.findall(html)


def make_delta(base: bytes, new: bytes) -> bytes:
    """A compressed delta that rebuilds ``new`` from ``base``."""
    old_tokens, new_tokens = _tokens(base), _tokens(new)
    ops: list[object] = []
    matcher = SequenceMatcher(None, old_tokens, new_tokens)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            ops.append([i1, i2])
        elif j2 > j1:
            # latin-1 maps every byte to one code point: lossless for any encoding
            ops.append(b"".join(new_tokens[j1:j2]).decode("latin-1"))
    return zlib.compress(json.dumps(ops, separators=(",", ":")).encode("utf-8"), 9)


def apply_delta(base: bytes, delta: bytes) -> bytes:
    """``new`` from ``base`` and ``make_delta(base, new)``."""
    tokens = _tokens(base)
    out = []
    for op in json.loads(zlib.decompress(delta)):
        if isinstance(op, str):
            out.append(op.encode("latin-1"))
        else:
            out.extend(tokens[op[0] : op[1]])
    return b"".join(out)
