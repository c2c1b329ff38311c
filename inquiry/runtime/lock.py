"""One command at a time per workspace, released by the OS if the process dies.

An advisory lock on ``workspace/.lock`` (``fcntl.flock`` on POSIX,
``msvcrt.locking`` on Windows): a killed command never leaves a stale lock,
and a second command waits a little, then refuses with a clear message.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from types import TracebackType

from inquiry.messages import text

__all__ = ["WorkspaceLock", "WorkspaceBusy"]


class WorkspaceBusy(RuntimeError):
    pass


class WorkspaceLock:
    def __init__(self, path: Path, wait_seconds: float = 5.0) -> None:
        self.path = path
        self.wait_seconds = wait_seconds
        self._fd: int | None = None

    def _try(self, fd: int) -> bool:
        try:
            if os.name == "nt":
                import msvcrt

                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            return False

    def __enter__(self) -> WorkspaceLock:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + self.wait_seconds
        while not self._try(fd):
            if time.monotonic() >= deadline:
                os.close(fd)
                raise WorkspaceBusy(text("workspace_busy", folder=self.path.parent))
            time.sleep(0.2)
        self._fd = fd
        return self

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        if self._fd is not None:
            if os.name == "nt":
                import msvcrt

                try:
                    msvcrt.locking(self._fd, msvcrt.LK_UNLCK, 1)
                except OSError:
                    pass
            os.close(self._fd)
            self._fd = None
