"""Writing CSV files people open in Excel: UTF-8 with BOM, CRLF, no formulas.

A value that Excel would run as a formula (``=HYPERLINK(...)`` in a name
typed at a bank counter, also ``＝HYPERLINK(`` or `` =1+2``) is written with a leading apostrophe, so opening a
rejects or matches file never executes anything. Files appear whole or not
at all (temporary name, then rename).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

import polars as pl

from formats.files import write_atomically

__all__ = ["neutralise", "unneutralise", "write_csv", "write_csv_parts", "write_rejects"]

#: what a spreadsheet may run as a formula: ``= + - @`` (half- or full-width, as Excel
#: reads ``＝`` typed with the IME), also after leading spaces, tabs or the
#: full-width space, and a cell starting with a tab or CR
_FORMULA_START = r"^(?:[\t\r]|[ \t\x{3000}]*[=+\-@＝＋－＠])"


def neutralise(frame: pl.DataFrame) -> pl.DataFrame:
    """Prefix ``'`` to text cells that a spreadsheet would read as a formula."""
    text_cols = [c for c, t in frame.schema.items() if t == pl.Utf8]
    if not text_cols or frame.height == 0:
        return frame
    # only the columns with such a cell are rewritten (the others stay shared, not copied)
    found = frame.select(pl.col(c).str.contains(_FORMULA_START).any() for c in text_cols).row(0)
    risky = [c for c, hit in zip(text_cols, found, strict=True) if hit]
    return frame.with_columns(
        [pl.when(pl.col(c).str.contains(_FORMULA_START)).then(pl.lit("'") + pl.col(c)).otherwise(pl.col(c)).alias(c) for c in risky]
    )


def unneutralise(e: pl.Expr) -> pl.Expr:
    """Undo :func:`neutralise` on a text column read back (a sheet a person filled in).

    Only an apostrophe that :func:`neutralise` would have added is removed (the
    same pattern after it), so a value that really starts with ``'`` survives.
    """
    return pl.when(e.str.contains("^'" + _FORMULA_START[1:])).then(e.str.slice(1)).otherwise(e)


def write_csv(frame: pl.DataFrame, path: Path) -> Path:
    """Write ``frame`` for Excel: BOM, CRLF, RFC 4180 quoting, dates ``YYYY-MM-DD``."""
    return write_csv_parts([frame], path, schema=frame.schema)


def write_csv_parts(parts: Iterable[pl.DataFrame], path: Path, *, schema: Mapping[str, pl.DataType]) -> Path:
    """Write the rows of ``parts``, one after the other, as :func:`write_csv` writes them whole.

    For a large table put together part by part (``inquiry link``'s
    ``matches.csv`` at L): only one part is held at a time, and the bytes are
    those of the parts concatenated and written at once - each cell is
    written and neutralised on its own. ``schema`` gives the header (and the
    file when there is no part).
    """
    path.parent.mkdir(parents=True, exist_ok=True)

    def write(fh: BinaryIO) -> None:
        # polars writes into the file straight after the BOM: the text is never held whole
        # (matches.csv at L is 600 MB), nor copied for the encoding and the BOM
        fh.write(b"\xef\xbb\xbf")
        header = True
        for frame in parts:
            flat = frame.with_columns([pl.col(c).list.join(";") for c, t in frame.schema.items() if isinstance(t, pl.List)])
            neutralise(flat).write_csv(
                fh, include_header=header, line_terminator="\r\n", date_format="%Y-%m-%d", quote_style="necessary"
            )
            header = False
        if header:
            pl.DataFrame(schema=schema).write_csv(fh, line_terminator="\r\n")

    write_atomically(path, write)
    return path


def write_rejects(rejects: pl.DataFrame, folder: Path, stamp: datetime) -> Path | None:
    """``folder/rejects-<timestamp>.csv`` with ``file, line, reason``; nothing when none was rejected.

    One writer for every rejects file (outputs.md): a workspace's ``reports/``,
    and ``inquiry link``'s, which has no workspace, beside its ``--out``.
    """
    if rejects.height == 0:
        return None
    path = folder / f"rejects-{stamp:%Y%m%d-%H%M%S}.csv"
    n = 1
    while path.exists():
        n += 1
        path = folder / f"rejects-{stamp:%Y%m%d-%H%M%S}-{n}.csv"
    return write_csv(rejects.select("file", "line", "reason"), path)
