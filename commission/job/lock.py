"""One writer per job file: an exclusive lock next to the job, naming whoever holds it.

A job is changed by one process at a time; a second ``commission`` (TUI, ``--verify --job``) that
opens the same job is refused with a message naming the holder (process id, host, since when).
The lock is the operating system's own (``fcntl.flock`` on POSIX, ``msvcrt.locking`` on Windows),
taken on ``.<job name>.lock`` beside the job file's real target, so it is released by the system
when the holder ends, even by a crash or a kill: there is never a stale lock to delete by hand.
The standard library suffices, so no dependency is added. The lock file is kept (deleting it would
let two processes lock two different files); it holds only the holder's description.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Final

from commission.errors import JobFileError

HOLDER_LIMIT: Final = 4096
"""Bytes of holder description read from a lock file."""
_WINDOWS_LOCK_OFFSET: Final = 1 << 30
"""Windows locks a byte range that others cannot read; lock one far past the description."""


def lock_path(target: Path) -> Path:
    """Where the lock of the job file ``target`` (its real path) lives."""
    return target.with_name(f".{target.name}.lock")


class JobLock:
    """An exclusive lock on one job file, held until :meth:`release` (or the process ends)."""

    def __init__(self, path: Path, stream: IO[bytes]) -> None:
        self.path = path
        self._stream: IO[bytes] | None = stream

    @classmethod
    def acquire(cls, target: Path, *, shown: Path | None = None) -> JobLock:
        """Lock the job file ``target`` for this process, or refuse naming the holder.

        Args:
            target: the job file's real path (symlinks resolved).
            shown: the path to name in messages (as the user gave it); ``target`` by default.

        Raises:
            JobFileError: when another process holds the lock, or the lock file cannot be made.
        """
        name = shown if shown is not None else target
        path = lock_path(target)
        try:
            stream = open(path, "a+b")  # noqa: SIM115 - held open for the lock's lifetime
        except OSError as error:
            raise JobFileError(
                f"{name}: cannot create its lock file {path} ({error.strerror or error})"
            ) from None
        try:
            locked = _try_lock(stream)
        except OSError as error:
            stream.close()
            raise JobFileError(f"{name}: cannot lock {path} ({error.strerror or error})") from None
        if not locked:
            holder, pid = _read_holder(stream)
            stream.close()
            where = (
                "already open in this process" if pid == os.getpid() else "open in another process"
            )
            raise JobFileError(
                f"{name}: the job is {where} ({holder}); only one program may change a job at a "
                "time: close it there, then open the job again"
            )
        _write_holder(stream)
        return cls(path, stream)

    @property
    def held(self) -> bool:
        """True until released."""
        return self._stream is not None

    def release(self) -> None:
        """Give the lock up (closing the file releases it); safe to call twice."""
        stream, self._stream = self._stream, None
        if stream is not None:
            stream.close()


def _try_lock(stream: IO[bytes]) -> bool:
    if sys.platform == "win32":
        import msvcrt

        stream.seek(_WINDOWS_LOCK_OFFSET)
        try:
            msvcrt.locking(stream.fileno(), msvcrt.LK_NBLCK, 1)
        except PermissionError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(stream.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _write_holder(stream: IO[bytes]) -> None:
    holder = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "since": datetime.now(UTC).isoformat(timespec="seconds"),
        "program": os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "python",
    }
    stream.seek(0)
    stream.truncate()
    stream.write(json.dumps(holder).encode("utf-8") + b"\n")
    stream.flush()


def _read_holder(stream: IO[bytes]) -> tuple[str, int | None]:
    stream.seek(0)
    text = stream.read(HOLDER_LIMIT)
    try:
        holder = json.loads(text.decode("utf-8"))
        pid, host, since = holder["pid"], holder["host"], holder["since"]
        program = holder.get("program", "")
    except (ValueError, KeyError, TypeError):
        return "it has not described itself yet", None
    when = since
    try:
        when = datetime.fromisoformat(since).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (TypeError, ValueError):
        when = str(since)
    by = f"{program}, " if program else ""
    return f"{by}pid {pid} on host {host}, since {when}", pid if isinstance(pid, int) else None
