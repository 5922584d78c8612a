"""The study journal file: appends that leave no torn record, and the repair of a torn tail.

Optuna's ``JournalFileBackend`` appends one JSON record per line.  A write that fails half-way
(disk full: ``ENOSPC``; quota: ``EDQUOT``) or a process killed inside ``write`` leaves a *torn*
last line without its newline.  Optuna skips a torn last line when reading, but the next append
lands after it, the two records fuse into one line that is not JSON, and from then on every load
of the journal raises ``JSONDecodeError``: every finished trial is out of reach.

Two guards, both keeping the file readable by plain Optuna:

* :class:`RollbackJournalFileBackend` serialises designopt's appends under an ``flock`` and, when
  an append fails, cuts the file back to its last complete record before re-raising.  What it
  cuts is the unfinished part of the record whose write just failed: no reader can have used it
  (Optuna reads only lines ending in a newline), and the caller sees the error.
* :func:`set_aside_torn_tail`, called by :func:`designopt.search.run_study` under the run lock
  (no other designopt process is alive), moves a torn tail left by a kill or a crash into
  ``study.journal.torn-<UTC time>`` next to the journal and truncates the journal to its last
  complete record.  The bytes are kept, never deleted.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from optuna.storages import JournalStorage
from optuna.storages.journal import JournalFileBackend, JournalFileOpenLock

from designopt.search.signals import uninterrupted

#: Suffix of the flock file that serialises designopt's appends (next to the journal).
WRITE_LOCK_SUFFIX = ".write.lock"
#: Infix of the files holding torn tails set aside: ``study.journal.torn-20260101T120000Z``.
TORN_INFIX = ".torn-"

_CHUNK = 1 << 16


@contextlib.contextmanager
def _exclusive(path: str) -> Iterator[None]:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor drops the lock


def _last_record_end(fd: int, size: int, *, floor: int = 0) -> int:
    """Offset just past the last newline in ``[floor, size)`` of ``fd``, or ``floor``."""
    end = size
    while end > floor:
        start = max(floor, end - _CHUNK)
        chunk = os.pread(fd, end - start, start)
        i = chunk.rfind(b"\n")
        if i >= 0:
            return start + i + 1
        end = start
    return floor


class RollbackJournalFileBackend(JournalFileBackend):
    """A :class:`~optuna.storages.journal.JournalFileBackend` whose failed append leaves no
    torn record: appends are serialised under an ``flock`` on ``<journal>.write.lock``, and an
    append that raises :class:`OSError` is cut back to the last complete record."""

    def __init__(self, file_path: str) -> None:
        super().__init__(file_path, lock_obj=JournalFileOpenLock(file_path))
        self._write_lock = file_path + WRITE_LOCK_SUFFIX

    def append_logs(self, logs: list[dict[str, Any]]) -> None:
        # a second Ctrl-C waits for the record to be complete (designopt.search.signals)
        with uninterrupted(), _exclusive(self._write_lock):
            before = os.path.getsize(self._file_path)
            try:
                super().append_logs(logs)
            except OSError:
                with contextlib.suppress(OSError):  # truncating needs no free space
                    fd = os.open(self._file_path, os.O_RDWR)
                    try:
                        size = os.fstat(fd).st_size
                        keep = _last_record_end(fd, size, floor=before)
                        if keep < size:
                            os.ftruncate(fd, keep)
                            os.fsync(fd)
                    finally:
                        os.close(fd)
                raise


def journal_storage(path: Path) -> JournalStorage:
    """The Optuna storage on the journal file ``path`` (absolute: a relative lock path spins
    forever after a kill)."""
    return JournalStorage(RollbackJournalFileBackend(str(Path(path).resolve())))


def set_aside_torn_tail(path: Path) -> tuple[Path, int] | None:
    """Move a torn last record of the journal ``path`` aside and truncate the journal to its
    last complete record.

    Call only while no process writes the journal (``run_study`` holds the run lock).  Returns
    the file now holding the torn bytes and their number, or None if the journal ends with a
    complete record (or does not exist).
    """
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return None
    try:
        size = os.fstat(fd).st_size
        keep = _last_record_end(fd, size)
        if keep == size:
            return None
        torn = os.pread(fd, size - keep, keep)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        for i in range(1000):
            aside = path.with_name(f"{path.name}{TORN_INFIX}{stamp}" + (f"-{i}" if i else ""))
            try:
                out = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                continue
            break
        else:  # pragma: no cover - a thousand repairs within one second
            raise FileExistsError(errno.EEXIST, "no free name for the torn tail", str(aside))
        try:
            view = memoryview(torn)
            while view:
                view = view[os.write(out, view) :]
            os.fsync(out)
        except OSError:  # e.g. the disk is still full: the bytes stay in the journal
            os.close(out)
            aside.unlink()
            raise
        os.close(out)
        os.ftruncate(fd, keep)  # only once the bytes are safe in the other file
        os.fsync(fd)
        return aside, len(torn)
    finally:
        os.close(fd)
