"""The C allocator's settings for a process that parses pages in several threads.

glibc gives each thread that allocates its own arena (up to eight per core) and, after
a large block is freed, raises the size from which blocks get their own mapping. Page
text and lxml trees are large, short-lived blocks allocated from eight worker threads:
with the defaults they end up inside the arenas and leave them fragmented, and the
process's resident memory climbs through a pass that finds nothing new (measured in
benchmarks/realpages.py: 260 → 200 MB peak over 523 real pages, for about 5 % more CPU).
Two arenas and a fixed mapping threshold keep freed pages returnable to the system.

Set once, at start-up, before any worker thread exists. A user's own ``MALLOC_*``
environment settings win; anything but glibc is left alone.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from collections.abc import Mapping

# mallopt parameters, from glibc's <malloc.h>
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8
#: Blocks from this size get their own mapping, returned to the system when freed.
MMAP_THRESHOLD = 64 * 1024
ARENA_MAX = 2

_SETTINGS = {
    "MALLOC_MMAP_THRESHOLD_": (M_MMAP_THRESHOLD, MMAP_THRESHOLD),
    "MALLOC_ARENA_MAX": (M_ARENA_MAX, ARENA_MAX),
}


def tune(environ: Mapping[str, str] | None = None) -> list[str]:
    """Apply the settings the environment does not already choose; the names of those
    applied ([] where the C library is not glibc)."""
    environ = os.environ if environ is None else environ
    libc = _glibc()
    if libc is None:
        return []
    applied = []
    for name, (param, value) in _SETTINGS.items():
        if name not in environ and libc.mallopt(param, value) == 1:
            applied.append(name)
    return applied


def _glibc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.gnu_get_libc_version  # noqa: B018 -- glibc only: musl and others have no mallopt params alike
    except (OSError, AttributeError):
        return None
    libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    libc.mallopt.restype = ctypes.c_int
    return libc
