"""Handing freed heap memory back to the system.

The apiserver's churn (a decoded copy of each object per write, encoded forms per reader)
leaves glibc's heap full of free holes between the objects the watch cache keeps; glibc
returns memory to the system only from the top of the heap, so the process's resident size
keeps the high-water mark of every burst.  ``malloc_trim(0)`` releases the free pages
anywhere in the heap (it is cheap: a walk of the free lists), so the apiserver calls it
now and then.  Elsewhere than glibc it does nothing.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import logging
from collections.abc import Callable

log = logging.getLogger(__name__)

TRIM_SECONDS = 10.0


def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        fn = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None
    fn.argtypes = [ctypes.c_size_t]
    fn.restype = ctypes.c_int
    return fn  # type: ignore[no-any-return]


def trim() -> bool:
    """Release the heap's free pages now; False where that is not possible."""
    fn = _malloc_trim()
    return bool(fn is not None and fn(0))


async def trim_periodically(seconds: float = TRIM_SECONDS) -> None:
    fn = _malloc_trim()
    if fn is None:
        log.info("no malloc_trim here: the heap is not trimmed")
        return
    while True:
        await asyncio.sleep(seconds)
        fn(0)
