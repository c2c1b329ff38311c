"""Bytes → text → CSV records, with exact file and line for every problem.

Offices hand over files saved by Excel (cp932, or UTF-8 with a BOM) and by
core systems (UTF-8 without BOM). Decoding is detected, never guessed
silently: a byte sequence valid in neither encoding stops the read with the
line it is on. CSV records keep the physical line they start on, also when
a quoted field spans lines, so that rejects point at what a person sees in
an editor.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from formats.errors import FileRejected

__all__ = ["decode_bytes", "CsvRecords", "split_csv", "REJECT_SCHEMA", "rejects_frame"]

REJECT_SCHEMA = {"file": pl.Utf8, "line": pl.Int64, "reason": pl.Utf8}

_BOM = b"\xef\xbb\xbf"


def rejects_frame(file: str | Path, lines: list[int] | pl.Series, reasons: list[str] | pl.Series) -> pl.DataFrame:
    """The one shape every rejected row takes: ``file, line, reason``."""
    return pl.DataFrame(
        {"file": [str(file)] * len(lines), "line": list(lines), "reason": list(reasons)},
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
    candidates = [encoding] if encoding else (["utf-8-sig"] if data.startswith(_BOM) else ["utf-8", "cp932"])
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


@dataclass(frozen=True)
class CsvRecords:
    """Header and records of a CSV file, all values text, each with its line."""

    header: list[str]
    rows: pl.DataFrame  # columns: line, then one Utf8 column per header position (c0, c1, ...)
    rejects: pl.DataFrame  # file, line, reason
    rows_read: int


def split_csv(text: str, path: str | Path, *, width: int | None = None) -> CsvRecords:
    """Split RFC 4180 text into records; a record of the wrong width is a reject.

    ``width`` defaults to the header's width. Blank lines are skipped (Excel
    writes one at the end). An unterminated quote swallows the rest of the
    file into one field, so the record it starts is rejected with that reason.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    header: list[str] = []
    lines: list[int] = []
    values: list[list[str]] = []
    bad_lines: list[int] = []
    bad_reasons: list[str] = []
    start = 1
    try:
        for record in reader:
            line = start
            start = reader.line_num + 1
            if not header:
                header = record
                width = width or len(header)
                continue
            if not record or record == [""]:
                continue
            if len(record) != width:
                unterminated = any("\n" in v and v.count('"') == 0 for v in record[-1:]) and reader.line_num > line
                reason = (
                    "引用符が閉じていません (unterminated quote)"
                    if unterminated
                    else f"列数が違います: {len(record)} 列 (期待値 {width} 列)"
                )
                bad_lines.append(line)
                bad_reasons.append(reason)
                continue
            lines.append(line)
            values.append(record)
    except csv.Error as exc:  # only on NUL bytes and the like
        bad_lines.append(start)
        bad_reasons.append(f"CSV として読めません: {exc}")
    if not header:
        raise FileRejected(path, 1, "ヘッダ行がありません (empty file)")
    columns = {f"c{i}": [r[i] for r in values] for i in range(width or 0)}
    rows = pl.DataFrame({"line": lines, **columns}, schema={"line": pl.Int64, **{k: pl.Utf8 for k in columns}})
    rejects = rejects_frame(path, bad_lines, bad_reasons)
    return CsvRecords(header=header, rows=rows, rejects=rejects, rows_read=rows.height + rejects.height)
