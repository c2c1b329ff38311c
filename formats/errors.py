"""The one error a reader raises when a whole file cannot be taken."""

from __future__ import annotations

from pathlib import Path

__all__ = ["FileRejected"]


class FileRejected(Exception):
    """A file rejected whole (wrong encoding, truncated transfer, missing column...).

    ``str()`` is what an operator reads: ``file:line: reason``.
    """

    def __init__(self, path: str | Path, line: int, reason: str) -> None:
        self.path = Path(path)
        self.line = line
        self.reason = reason
        super().__init__(f"{self.path}:{line}: {reason}" if line else f"{self.path}: {reason}")
