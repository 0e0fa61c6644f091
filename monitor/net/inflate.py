"""Bounded, incremental gzip/deflate decoding.

zlib's ``max_length`` keeps a decompression bomb (a few kilobytes that expand
to gigabytes) from ever existing in memory: output comes out in pieces of at
most ``PIECE`` bytes, so a caller counting pieces can stop at its cap.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator

from monitor.errors import UnsupportedEncoding

PIECE = 64 * 1024
SUPPORTED = frozenset({"gzip", "x-gzip", "deflate"})



class Inflater:
    """Incremental decoder for one content coding; ``feed`` yields bounded pieces."""

    def __init__(self, encoding: str) -> None:
        self._wbits = 47 if encoding in ("gzip", "x-gzip") else 15  # 47: gzip or zlib header
        self._raw_fallback = encoding == "deflate"  # servers often send raw deflate
        self._obj = zlib.decompressobj(self._wbits)
        self._started = False
        self._done = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        """Decode ``data``; raises zlib.error on corrupt input."""
        while data and not self._done:
            try:
                out = self._obj.decompress(data, PIECE)
            except zlib.error:
                if self._started or not self._raw_fallback:
                    raise
                self._raw_fallback = False
                self._wbits = -15
                self._obj = zlib.decompressobj(self._wbits)
                continue
            self._started = True
            if out:
                yield out
            if self._obj.eof:
                data = self._obj.unused_data
                # Another gzip member may follow; anything else is trailing junk.
                self._done = not data.startswith(b"\x1f\x8b")
                self._obj = zlib.decompressobj(self._wbits)
            else:
                data = self._obj.unconsumed_tail

    def flush(self) -> bytes:
        return b"" if self._done else self._obj.flush()


def decoders_for(content_encoding: str) -> list[Inflater]:
    """Decoders undoing a Content-Encoding header value, in the order to apply them."""
    names = [e.strip().lower() for e in content_encoding.split(",")]
    names = [n for n in names if n and n != "identity"]
    unsupported = [n for n in names if n not in SUPPORTED]
    if unsupported:
        raise UnsupportedEncoding(f"unsupported content-encoding: {', '.join(unsupported)}")
    return [Inflater(n) for n in reversed(names)]  # last applied, first undone


def inflate(chunks: Iterable[bytes], decoders: list[Inflater]) -> Iterator[bytes]:
    """Run raw chunks through the decoders; every yielded piece is at most PIECE bytes."""
    stream: Iterator[bytes] = iter(chunks)
    for decoder in decoders:
        stream = _through(stream, decoder)
    return stream


def _through(chunks: Iterator[bytes], decoder: Inflater) -> Iterator[bytes]:
    for chunk in chunks:
        yield from decoder.feed(chunk)
    if tail := decoder.flush():
        yield tail


def gunzip_capped(data: bytes, cap: int) -> bytes:
    """Decompress gzip ``data``; raises ValueError past ``cap`` bytes, zlib.error if corrupt."""
    out = bytearray()
    for piece in inflate([data], [Inflater("gzip")]):
        out += piece
        if len(out) > cap:
            raise ValueError(f"decompressed size exceeds {cap} bytes")
    return bytes(out)
