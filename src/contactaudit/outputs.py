"""Writing outputs safely: atomically, never over an input.

A nightly job that dies half-way through writing ``report.json`` must not leave a
truncated file that the next step trusts, so every output is written to a temporary
file in the same directory and renamed over the target (``os.replace`` is atomic on
POSIX within one file system).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path

from contactaudit.errors import ContactAuditError


def write_atomic(path: Path, data: bytes | str, *, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` via a temp file + rename; ``mode`` sets permissions first."""
    write_atomic_chunks(path, (data,), mode=mode)


def write_atomic_chunks(
    path: Path, chunks: Iterable[str | bytes | memoryview], *, mode: int | None = None
) -> None:
    """``write_atomic`` for a payload produced piece by piece (text as UTF-8, bytes or
    views of bytes).

    The pieces are written as they come, so a large report never has to exist as one
    string; ``path`` appears only once the last piece is on disk. If producing a piece
    fails, the temp file is removed and the error propagates.
    """
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise ContactAuditError(
            f"Output directory '{directory}' does not exist. Create it or choose another path."
        )
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise ContactAuditError(
            f"Cannot write to '{directory}' ({exc.strerror}). Choose a writable output path."
        ) from None
    try:
        # mkstemp creates 0600; give ordinary reports the usual umask-derived mode.
        os.chmod(tmp, mode if mode is not None else 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as handle, _EarlyFlush(handle.fileno()) as early:
            for chunk in chunks:
                data = chunk.encode("utf-8") if isinstance(chunk, str) else chunk
                handle.write(data)
                early.wrote(memoryview(data).nbytes)
            handle.flush()
            early.finish()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise ContactAuditError(
            f"Cannot write '{path}' ({exc.strerror}). Check the path and its permissions."
        ) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class _EarlyFlush:
    """Flushes a large output to disk while it is still being written.

    The closing ``fsync`` of a report of several hundred MB otherwise waits for all of
    it at once. Every ``EVERY`` bytes a background thread asks the kernel to write what
    is there so far (``fdatasync``, which releases the GIL), so disk and rendering
    overlap and the final ``fsync`` has little left to do. A failure there is raised by
    ``finish`` (the kernel reports a write-back error only once per file).
    """

    EVERY = 64 << 20

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._pending = 0
        self._thread: threading.Thread | None = None
        self._wake = threading.Event()
        self._requested = False
        self._done = False
        self._error: OSError | None = None

    def __enter__(self) -> _EarlyFlush:
        return self

    def wrote(self, size: int) -> None:
        self._pending += size
        if self._pending < self.EVERY:
            return
        self._pending = 0
        self._requested = True
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name="contactaudit-flush", daemon=True
            )
            self._thread.start()
        self._wake.set()

    def _run(self) -> None:
        sync = getattr(os, "fdatasync", os.fsync)
        while True:
            self._wake.wait()
            self._wake.clear()
            if self._requested:  # served even when told to stop: wake-ups coalesce
                self._requested = False
                try:
                    sync(self._fd)
                except OSError as exc:
                    self._error = self._error or exc
            if self._done:
                return

    def finish(self) -> None:
        """Stop the thread (before the file is closed) and raise what it met."""
        self._done = True
        if self._thread is not None:
            self._wake.set()
            self._thread.join()
            self._thread = None
        if self._error is not None:
            raise self._error

    def __exit__(self, *exc_info: object) -> None:
        self._done = True
        self._requested = False  # an error on the way: nothing more to flush
        if self._thread is not None:
            self._wake.set()
            self._thread.join()


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def refuse_inputs_as_outputs(
    outputs: Iterable[Path | None], inputs: Iterable[Path | str | None]
) -> None:
    """An output path that is an input, or another output, would destroy it: refuse (exit 2)."""
    resolved = {}
    for raw in inputs:
        if raw is None or str(raw) == "-":
            continue
        resolved[Path(raw).resolve()] = Path(raw)
    written: dict[Path, Path] = {}
    for out in outputs:
        if out is None:
            continue
        target = out.resolve()
        if target in resolved:
            raise ContactAuditError(
                f"Output '{out}' is also an input ('{resolved[target]}'); contactaudit never "
                "overwrites its inputs. Choose another output path."
            )
        if target in written:
            # e.g. -o and --history on one file: the report would replace the history.
            raise ContactAuditError(
                f"Output '{out}' is given twice (also as '{written[target]}'); one would "
                "overwrite the other. Choose another output path."
            )
        written[target] = out
