"""Writing into an output folder safely: one build at a time, every file whole.

A schedule that starts a build while the last one is still running (a province's communes, or a
country's 3,300 units, take a while) would have two builds deleting and writing the same pages,
tables and cache records. `analysis.build.build` holds an exclusive lock on ``<out>/.build.lock``
while it runs: a second build into the same folder stops at once, before it deletes or writes any
report, with a message naming the first one (its process and start time). The operating system
releases the lock when the process ends, however it ends: a crash or a kill leaves no stale lock.
A file system that cannot lock at all (some network shares) lets builds run unguarded.

Pages, the index and cache records are written whole or not at all (:func:`write_text_atomic`):
someone opening a report while the nightly build rewrites it sees the old page or the new one,
never half of one. Light on imports: the build's parent process uses it.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from analysis.errors import BuildError

try:  # POSIX
    import fcntl
except ImportError:  # Windows
    fcntl = None
    import msvcrt

LOCK_NAME = ".build.lock"
# Windows locks byte ranges, and a locked byte cannot be read: lock one far past the holder's line
_WINDOWS_LOCK_OFFSET = 1 << 20
_HELD = {errno.EAGAIN, errno.EWOULDBLOCK, errno.EACCES, getattr(errno, "EDEADLOCK", errno.EDEADLK)}


def _try_lock(handle: IO[str]) -> bool | None:
    """True: locked; False: another process holds it; None: this file system cannot lock
    (some network shares): the build goes on unguarded rather than never running."""
    try:
        if fcntl is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:
            handle.seek(_WINDOWS_LOCK_OFFSET)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
    except OSError as exc:
        return False if exc.errno in _HELD else None
    return True


def _unlock(handle: IO[str]) -> None:
    if fcntl is not None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    else:
        handle.seek(_WINDOWS_LOCK_OFFSET)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to a temporary file beside ``path``, then rename it over ``path``."""
    path = Path(path)
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path


@contextmanager
def build_lock(out_dir: Path) -> Iterator[Path]:
    """Hold ``<out_dir>/.build.lock`` for the block; :class:`BuildError` at once if another holds it."""
    path = Path(out_dir) / LOCK_NAME
    with open(path, "a+", encoding="utf-8") as handle:
        locked = _try_lock(handle)
        if locked is False:
            handle.seek(0)
            holder = handle.readline().strip() or "?"
            raise BuildError(
                f"Một lần dựng báo cáo khác đang ghi vào thư mục {out_dir} ({holder}): chờ lần đó xong "
                f"rồi chạy lại, hoặc ghi ra thư mục khác (--out) / another build is writing to "
                f"{out_dir} ({holder}): wait for it to finish and run again, or write elsewhere (--out)")
        try:
            handle.seek(0)
            handle.truncate()
            started = dt.datetime.now().replace(microsecond=0).isoformat(sep=" ")
            handle.write(f"tiến trình / process {os.getpid()}, {started}\n")
            handle.flush()
            yield path
        finally:
            if locked:
                _unlock(handle)
