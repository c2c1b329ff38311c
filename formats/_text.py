"""Bytes → text, and the one shape of a rejected row, with file and line.

Offices hand over files saved by Excel (cp932, or UTF-8 with a BOM) and by
core systems (UTF-8 without BOM). Decoding is detected, never guessed
silently: a byte sequence valid in neither encoding stops the read with the
line it is on. (CSV records are split by ``formats._csv.split_records``.)
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from formats.errors import FileRejected

__all__ = ["decode_bytes", "REJECT_SCHEMA", "rejects_frame"]

#: Every rejected row, whatever the file: ``file, line, reason``.
REJECT_SCHEMA: dict[str, pl.DataType] = {"file": pl.Utf8, "line": pl.Int64, "reason": pl.Utf8}

BOM = b"\xef\xbb\xbf"


def rejects_frame(file: str | Path, lines: list[int] | pl.Series, reasons: list[str] | pl.Series) -> pl.DataFrame:
    """The one shape every rejected row takes: ``file, line, reason``."""
    return pl.DataFrame(
        {"file": pl.repeat(str(file), len(lines), dtype=pl.Utf8, eager=True), "line": lines, "reason": reasons},
        schema=REJECT_SCHEMA,
    )


def _line_of(data: bytes, position: int) -> int:
    return data.count(b"\n", 0, position) + 1


def decode_bytes(data: bytes, path: str | Path, encoding: str | None = None) -> tuple[str, str]:
    """Decode a whole file; return ``(text, encoding_used)``.

    With ``encoding`` given it is forced. Otherwise: a UTF-8 BOM means UTF-8;
    else strict UTF-8 is tried, then cp932. A file valid in neither raises
    :class:`FileRejected` naming the line of the first bad byte.
    """
    candidates = [encoding] if encoding else (["utf-8-sig"] if data.startswith(BOM) else ["utf-8", "cp932"])
    first_error: UnicodeDecodeError | None = None
    for name in candidates:
        try:
            return data.decode(name), ("cp932" if name.lower() in ("cp932", "shift_jis", "sjis") else name)
        except UnicodeDecodeError as exc:  # try the next; report the one that read furthest
            if first_error is None or exc.start > first_error.start:
                first_error = exc
        except LookupError:
            raise FileRejected(path, 0, f"unknown encoding '{name}'") from None
    assert first_error is not None
    line = _line_of(data, first_error.start)
    tried = " / ".join(candidates)
    raise FileRejected(path, line, f"文字コードを判別できません ({tried} のいずれでもない byte 0x{data[first_error.start]:02X})")
