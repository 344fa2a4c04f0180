"""glibc malloc settings for the long-running server (no-ops elsewhere).

glibc raises its mmap threshold after the first large block is freed (up to 32 MB), so the node index's
builds and the exports leave their large transient arrays and buffers in the heap, where the process keeps
them at its peak size. A fixed threshold keeps every large block in its own mapping, handed back to the
system when freed (issue 6: the server's resident memory at province scale).
"""
from __future__ import annotations

import ctypes
import ctypes.util

M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter numbers (malloc.h)
M_ARENA_MAX = -8
MMAP_THRESHOLD = 256 * 1024  # blocks of this size and above: their own mapping, returned when freed


def _glibc():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None
    except OSError:
        return None


_libc = _glibc()


def tune_malloc() -> None:
    """Fix glibc's mmap threshold (setting it also stops the dynamic adjustment) and use one arena."""
    if _libc is not None:
        _libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
        # One heap for every thread: each of the server's threads would otherwise grow an arena of its
        # own and keep its freed memory there; under the GIL, threads seldom allocate at the same time.
        _libc.mallopt(M_ARENA_MAX, 1)


def trim() -> None:
    """Hand freed heap memory back to the system after a large transient allocation."""
    if _libc is not None:
        _libc.malloc_trim(0)
