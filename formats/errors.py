"""The one error a reader raises when a whole file cannot be taken."""

from __future__ import annotations

from pathlib import Path

__all__ = ["FileRejected", "LayoutError", "WriteError"]


class FileRejected(Exception):
    """A file rejected whole (wrong encoding, truncated transfer, missing column...).

    ``str()`` is what an operator reads: ``file:line: reason``.
    """

    def __init__(self, path: str | Path, line: int, reason: str) -> None:
        self.path = Path(path)
        self.line = line
        self.reason = reason
        super().__init__(f"{self.path}:{line}: {reason}" if line else f"{self.path}: {reason}")

    def __reduce__(self) -> tuple[type[FileRejected], tuple[Path, int, str]]:
        """Pickled as what it was made of, so that it comes back whole from another process.

        >>> import pickle
        >>> str(pickle.loads(pickle.dumps(FileRejected("m.csv", 3, "bad"))))
        'm.csv:3: bad'
        """
        return type(self), (self.path, self.line, self.reason)


class LayoutError(ValueError):
    """A layout definition (``formats/layouts/*.toml``) that cannot be used as it is."""


class WriteError(ValueError):
    """A frame a writer cannot turn into a valid file; names the frame row and field.

    ``row`` is the 0-based position in the frame given to the writer (None when
    the problem is the whole frame, e.g. too many inquiries for one file).
    """

    def __init__(self, reason: str, *, row: int | None = None, field: str | None = None) -> None:
        self.row = row
        self.field = field
        self.reason = reason
        where = ", ".join(p for p in (f"row {row}" if row is not None else "", f"field {field}" if field else "") if p)
        super().__init__(f"{where}: {reason}" if where else reason)
