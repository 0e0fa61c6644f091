"""Raw HTML snapshots stored as deltas against an earlier snapshot of the same article.

Consecutive captures of one article page differ in a few hundred bytes (the edit,
plus the furniture that changes on every request), so a delta costs a fraction of
the compressed page.

Two formats:

* ``make_dict_delta`` (compression ``'zlib-dict'``, written now): the bytes both
  pages start and end with are counted, not stored; the middle of the new page is
  cut into ``SEGMENT``-byte pieces, each deflated with the matching stretch of the
  base page's middle as a preset dictionary (``zlib.compressobj(zdict=...)``).
  Deflate only looks 32 KiB back, so one dictionary for a whole page would cover
  only its first 32 KiB; per-piece dictionaries keep every part of a large page
  next to its old self. All in C: several times faster than a Python diff.
* ``apply_delta`` (``'zlib-delta'``, rows written before, still readable): a difflib
  opcode list over tokens ending at ``>`` or a newline (no longer written).
"""

from __future__ import annotations

import json
import re
import struct
import zlib
from collections.abc import Callable

from monitor.errors import DeltaError

_TOKEN = re.compile(rb"[^>\n]*[>\n]|[^>\n]+")

#: Bytes of the new page per deflate stream.
SEGMENT = 16 * 1024
#: Bytes of the base page before and after a segment's estimated old position that its
#: dictionary covers: content that moved by less than this still matches.
MARGIN = 8 * 1024
_WINDOW = 32 * 1024  # deflate's history: SEGMENT + 2 * MARGIN fills it exactly
_MAGIC = b"D1"
# magic, length and CRC-32 of the new page, bytes shared with the base at its start and end
_HEADER = struct.Struct(">2sIIII")
_LEVEL = 6



def _shared(same: Callable[[int, int], bool], limit: int) -> int:
    """The largest n <= limit with same(0, n) true, given same(a, c) == same(a, b) and
    same(b, c): galloping then bisecting slice comparisons, a handful of memcmp calls
    instead of a Python step per byte."""
    size, done = 256, 0
    while done < limit:
        size = min(size, limit - done)
        if not same(done, done + size):
            break
        done += size
        size *= 2
    else:
        return done
    lo, hi = done, done + size  # the first difference lies in [lo, hi)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if same(lo, mid):
            lo = mid
        else:
            hi = mid
    return lo


def _common_ends(base: bytes, new: bytes) -> tuple[int, int]:
    """Bytes both pages start with, and then (not overlapping those) end with."""
    shortest, nb, nn = min(len(base), len(new)), len(base), len(new)
    head = _shared(lambda a, b: base[a:b] == new[a:b], shortest)
    tail = _shared(lambda a, b: base[nb - b : nb - a] == new[nn - b : nn - a], shortest - head)
    return head, tail


def _dictionary(middle: bytes, new_length: int, start: int) -> bytes:
    # The segment's old position, assuming the middle grew or shrank evenly.
    guess = start * len(middle) // new_length if new_length else 0
    return middle[max(0, guess - MARGIN) : guess + SEGMENT + MARGIN][-_WINDOW:]


def _compressor(zdict: bytes) -> zlib._Compress:
    if zdict:
        return zlib.compressobj(_LEVEL, zlib.DEFLATED, -15, zdict=zdict)
    return zlib.compressobj(_LEVEL, zlib.DEFLATED, -15)


def make_dict_delta(base: bytes, new: bytes) -> bytes:
    """``new`` compressed against ``base`` (rebuilt by :func:`apply_dict_delta`)."""
    head, tail = _common_ends(base, new)
    old_middle, new_middle = base[head : len(base) - tail], new[head : len(new) - tail]
    out = [_HEADER.pack(_MAGIC, len(new), zlib.crc32(new), head, tail)]
    for start in range(0, len(new_middle), SEGMENT):
        packer = _compressor(_dictionary(old_middle, len(new_middle), start))
        out.append(packer.compress(new_middle[start : start + SEGMENT]))
        out.append(packer.flush())
    return b"".join(out)


def apply_dict_delta(base: bytes, delta: bytes) -> bytes:
    """The page ``make_dict_delta(base, page)`` was made from; DeltaError if it does not fit."""
    try:
        magic, length, crc, head, tail = _HEADER.unpack_from(delta)
    except struct.error:
        raise DeltaError("truncated delta") from None
    if magic != _MAGIC or head + tail > min(length, len(base)):
        raise DeltaError("not a dictionary delta for this base")
    old_middle = base[head : len(base) - tail]
    middle_length = length - head - tail
    rest, pieces, done = delta[_HEADER.size :], [base[:head]], 0
    while done < middle_length:
        zdict = _dictionary(old_middle, middle_length, done)
        unpacker = zlib.decompressobj(-15, zdict=zdict) if zdict else zlib.decompressobj(-15)
        try:
            piece = unpacker.decompress(rest, SEGMENT + 1)
        except zlib.error as exc:
            raise DeltaError(f"corrupt delta: {exc}") from None
        if not unpacker.eof or not piece or len(piece) > SEGMENT:
            raise DeltaError("corrupt delta: a segment does not end where it should")
        pieces.append(piece)
        done += len(piece)
        rest = unpacker.unused_data
    pieces.append(base[len(base) - tail :])
    page = b"".join(pieces)
    if len(page) != length or zlib.crc32(page) != crc:
        raise DeltaError("delta does not rebuild the page from this base")
    return page


def _tokens(html: bytes) -> list[bytes]:
    return _TOKEN.findall(html)


def apply_delta(base: bytes, delta: bytes) -> bytes:
    """A ``'zlib-delta'`` page from its base: a compressed JSON list whose items are
    ``[i, j]`` (copy the base's tokens i..j) or a string (latin-1 bytes to insert)."""
    tokens = _tokens(base)
    out = []
    for op in json.loads(zlib.decompress(delta)):
        if isinstance(op, str):
            out.append(op.encode("latin-1"))
        else:
            out.extend(tokens[op[0] : op[1]])
    return b"".join(out)
