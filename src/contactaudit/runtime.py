"""Process-wide settings of a run that are not about the data."""

from __future__ import annotations

import contextlib
import gc
import os
import sys
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


# mimalloc (pyarrow's default allocator on Linux) option: how long freed memory is kept
# before it is handed back to the kernel, in ms; -1 keeps it for the process's life.
_ARROW_PURGE_DELAY = "MIMALLOC_PURGE_DELAY"


def keep_freed_arrow_memory() -> bool:
    """Let Arrow's allocator keep the memory it frees for reuse, instead of handing it
    back to the kernel 10 ms later.

    Each stage of an audit frees Arrow buffers of hundreds of MB and the next allocates
    as much again: handed back, every page is faulted in anew (about a million page
    faults at 1M + 3M). Kept, the 1M + 3M JSON audit took 7.45-7.62 s instead of
    7.78-8.08 s (kernel time 1.9-2.1 s instead of 2.5), and its peak memory rose from
    1.41 to 1.72 GB. Must run before pyarrow is imported (mimalloc reads its options
    from the environment when it starts); a value the user set is kept. Returns whether
    the setting is in place.
    """
    if "pyarrow" in sys.modules:
        return os.environ.get(_ARROW_PURGE_DELAY) == "-1"
    os.environ.setdefault(_ARROW_PURGE_DELAY, "-1")
    return os.environ[_ARROW_PURGE_DELAY] == "-1"
