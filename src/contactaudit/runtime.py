"""Process-wide settings of a run that are not about the data."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off for a run, restored after (also a decorator).

    An audit allocates millions of small objects (``related`` tuples, finding texts)
    and none of them forms a cycle. Each burst of allocations would otherwise start a
    full collection, and a full collection walks every element of every object-dtype
    column alive: about a second each at 1M borrowers + 3M contacts, for nothing freed.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


_PR_SET_THP_DISABLE = 41  # linux/prctl.h


def prefer_small_pages() -> bool:
    """Ask Linux not to back this process's memory with transparent huge pages.

    An audit allocates and frees many short-lived arrays of tens to hundreds of MB.
    With huge pages each first touch zeroes 2 MB at a time; on the 2-vCPU VM of the
    benchmarks that made kernel time 4.4-5.0 s of a 1M + 3M audit, against 2.7-3.1 s
    without (wall 12.8-13.8 s against 11.6-11.8 s, three runs each). Only this process
    (and its helpers) is affected, and only on Linux; elsewhere, or if the kernel
    refuses, nothing changes. Returns whether the setting took.
    """
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(_PR_SET_THP_DISABLE, 1, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False
