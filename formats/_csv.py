"""The one CSV codec: RFC 4180 bytes ⇄ typed frames, driven by a layout definition.

Why a numpy tokeniser rather than ``csv.reader``: the reader must give every
rejected row its *physical* line (a quoted field may span lines), must
survive an unterminated quote without losing the rest of the file, and must
not loop in Python per field per row. Quote parity over the whole byte
buffer (``cumsum`` of ``"``) tells which line ends and commas separate
records and fields; each column is then gathered, decoded once and typed with
polars. UTF-8 multi-byte characters never contain the bytes ``"``, ``,``,
CR or LF, so tokenising bytes is exact.

That tokeniser is the careful path. Lines that are each one well-formed
record — checked on the bytes first (:func:`_line_checks`) — are read by
polars' own CSV reader instead, several times faster, and the tokeniser
reads only the regions around the other lines (:func:`_region_cells`); both
paths give the same cells, lines and rejects (docs/decisions.md, "Codecs: a
fast path and a careful path" and "Codecs: careful regions").

Recovery rules: a record with the wrong number of columns is rejected at the
line it starts on; when such a record spans several physical lines (a stray
quote swallowed line ends), or a quote is still open at the end of the file,
only its first line is rejected and reading resumes on the next line.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from formats._layout import FOUND, FOUND_FIELD, CsvColumn, CsvFile, CsvLayout, frame_schema
from formats._text import BOM, SPECIAL, clean_text, control_problem, rejects_frame
from formats.dates import ERAS, date_to_wareki7, wareki7_to_date, ymd_days
from formats.errors import FileRejected, WriteError
from formats.limits import MAX_FIELD_BYTES
from formats.yucho import passbook_account_number, passbook_account_type, passbook_branch, passbook_valid

__all__ = ["CsvRead", "CsvRecords", "header_labels", "read_csv", "split_records", "write_csv"]

_SEP = "\x00"  # joins a column's values for one decode; records holding NUL are rejected first


def header_labels(data: bytes) -> list[str] | None:
    """Labels of the first line (BOM removed), or None when it is not UTF-8 text."""
    start = len(BOM) if data.startswith(BOM) else 0
    end = data.find(b"\n", start)
    first = data[start:] if end < 0 else data[start:end]  # the first line only: never a copy of the whole file
    try:
        text = first.decode("utf-8").rstrip("\r")
        return next(csv.reader(io.StringIO(text)), [])
    except (UnicodeDecodeError, csv.Error):  # not text, or a stray CR / NUL in the header
        return None


@dataclass(frozen=True)
class CsvRead:
    header: dict[str, object]
    rows: pl.DataFrame
    rejects: pl.DataFrame
    rows_read: int


@dataclass
class _Records:
    """Accepted record boundaries (absolute byte offsets) and rejected lines."""

    field_starts: list[np.ndarray]
    field_ends: list[np.ndarray]
    lines: list[np.ndarray]
    bad_lines: list[int]
    bad_reasons: list[str]
    #: a quote was still open at the end of a stretch read (at ``buf``'s end, or before a restart)
    open_quote: bool = False


def _tokenise(buf: np.ndarray, lo: int, ncols: int, first_line: int) -> _Records:
    """Split ``buf[lo:]`` into records of ``ncols`` fields, rejecting the others.

    ``first_line`` is the physical line of byte ``lo``. Working arrays are one
    byte per input byte (quote parity by XOR, not a count), and a record's
    physical line is found by searching the positions of the LF bytes: peak
    memory stays a small multiple of the part read.
    """
    out = _Records([], [], [], [], [])
    physical_nl = lo + np.flatnonzero(buf[lo:] == 0x0A)

    def line_of(pos: np.ndarray | int) -> np.ndarray:
        return np.searchsorted(physical_nl, pos) + first_line  # LF bytes between lo and pos, plus lo's line

    size = buf.size
    while lo < size:
        seg = buf[lo:]
        is_q = seg == 0x22
        parity = np.bitwise_xor.accumulate(is_q.view(np.uint8))  # 1 inside quotes (and on an opening quote)
        outside = (parity ^ is_q.view(np.uint8)) == 0
        nl = np.flatnonzero((seg == 0x0A) & outside)
        starts = np.concatenate(([0], nl + 1))
        ends = np.concatenate((nl, [seg.size]))
        if starts[-1] == seg.size:
            starts, ends = starts[:-1], ends[:-1]
        unterminated = bool(parity[-1])
        out.open_quote |= unterminated
        cr = (ends > starts) & (seg[np.maximum(ends - 1, 0)] == 0x0D)
        ends = ends - cr
        commas = np.flatnonzero((seg == 0x2C) & outside)
        first_comma = np.searchsorted(commas, starts)
        n_commas = np.searchsorted(commas, ends) - first_comma
        seg_nl = physical_nl[physical_nl >= lo] - lo
        multiline = (np.searchsorted(seg_nl, ends) - np.searchsorted(seg_nl, starts)) > 0
        nul = np.flatnonzero(seg == 0)
        has_nul = (np.searchsorted(nul, ends) - np.searchsorted(nul, starts)) > 0
        blank = ends == starts
        shape_ok = n_commas == ncols - 1
        restart = np.flatnonzero(~blank & ~shape_ok & multiline)
        stop = int(restart[0]) if restart.size else starts.size
        reason_at_stop = "列数が違います、引用符の対応を確認してください (wrong number of columns across lines: stray quote?)"
        if unterminated and starts.size and stop >= starts.size - 1:
            stop = starts.size - 1
            reason_at_stop = "引用符が閉じていません (unterminated quote)"
        take = np.arange(stop)
        take = take[~blank[take]]
        good = take[shape_ok[take] & ~has_nul[take]]
        for i in take[~shape_ok[take] | has_nul[take]]:  # rejected rows only
            out.bad_lines.append(int(line_of(lo + starts[i])))
            out.bad_reasons.append(
                "NUL バイトを含む (NUL byte)" if has_nul[i] else f"列数が違います: {int(n_commas[i]) + 1} 列 (expected {ncols} columns)"
            )
        if good.size:
            cidx = first_comma[good][:, None] + np.arange(ncols - 1)
            cpos = commas[cidx] if ncols > 1 else np.empty((good.size, 0), dtype=np.int64)
            out.field_starts.append(lo + np.hstack([starts[good][:, None], cpos + 1]))
            out.field_ends.append(lo + np.hstack([cpos, ends[good][:, None]]))
            out.lines.append(line_of(lo + starts[good]))
        if stop >= starts.size:
            break
        record_start = lo + int(starts[stop])
        out.bad_lines.append(int(line_of(record_start)))
        out.bad_reasons.append(reason_at_stop)
        after = physical_nl[np.searchsorted(physical_nl, record_start) :]
        if after.size == 0:
            break
        lo = int(after[0]) + 1
    return out


def _gather(ext: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> pl.Series:
    """Decode the byte ranges ``[starts, ends)`` in one call; undecodable ranges give null.

    ``ext`` is the file's bytes plus one spare byte (so that a range may end
    at the end of the file). Each range is kept together with the byte after
    it — a comma, CR, LF or the spare byte — which is then overwritten as the
    separator; the mask is built from run lengths (gap, range + 1, gap, ...),
    so the work space is one byte per byte of the file, never an index array
    per byte. The ranges are in file order and never overlap.
    """
    lengths = ends - starts
    m = lengths.size
    runs = np.empty(2 * m + 1, dtype=np.int64)
    runs[0:-1:2] = starts - np.concatenate(([0], ends[:-1] + 1))
    runs[1::2] = lengths + 1
    runs[-1] = ext.size - (int(ends[-1]) + 1 if m else 0)
    flags = np.zeros(2 * m + 1, dtype=bool)
    flags[1::2] = True
    out = ext[np.repeat(flags, runs)]
    out[np.cumsum(lengths + 1) - 1] = 0
    raw = out.tobytes()
    try:
        parts = raw.decode("utf-8").split(_SEP)[:-1]
    except UnicodeDecodeError:  # error path: find the rows
        parts = []
        for s, e in zip(starts.tolist(), ends.tolist()):
            try:
                parts.append(ext[s:e].tobytes().decode("utf-8"))
            except UnicodeDecodeError:
                parts.append(None)
    return pl.Series(parts, dtype=pl.Utf8)


def _typed(c: CsvColumn, raw: str, layout: CsvLayout, dtype: pl.DataType | None) -> tuple[pl.Expr, pl.Expr]:
    """``(value, bad)`` expressions of one column from its unquoted text column ``raw``."""
    v = pl.col(raw)
    empty = v == ""
    fill = pl.lit(c.empty_means) if c.empty_means is not None else pl.lit(None)
    if c.value == "text":
        return pl.when(empty).then(None).otherwise(v), pl.lit(False)
    if c.value == "const":
        return pl.lit(None), v != c.const
    if c.value == "digits":
        ok = v.str.contains(r"^[0-9]+$") & (v.str.len_chars() <= (c.width or 10**6))
        value = v.str.zfill(c.width) if c.width else v
        return pl.when(empty).then(None).otherwise(value), ~empty & ~ok
    if c.value == "int":
        parsed = pl.when(v.str.contains(r"^-?[0-9]{1,18}$")).then(v).otherwise(None).cast(pl.Int64, strict=False)
        if dtype is not None:
            parsed = parsed.cast(dtype, strict=False)
        return pl.when(empty).then(fill.cast(dtype or pl.Int64)).otherwise(parsed), ~empty & parsed.is_null()
    if c.value == "wareki":
        days = pl.col(f"days_{raw}")  # the days of each cell, by _wareki_columns
        parsed = pl.when(days != -(10**9)).then(days.cast(pl.Date))
        return pl.when(empty).then(None).otherwise(parsed), ~empty & parsed.is_null()
    if c.value == "postal":
        ok = v.str.contains(r"^[0-9]{3}-?[0-9]{4}$")
        return pl.when(empty | ~ok).then(None).otherwise(v.str.replace("-", "", literal=True)), ~empty & ~ok
    # code
    parsed = _lookup(v, layout.codes[c.codes or ""], dtype or pl.Utf8)
    return pl.when(empty).then(fill.cast(dtype or pl.Utf8)).otherwise(parsed), ~empty & parsed.is_null()


#: a code table this small is looked up by comparisons (a few passes of string equality) rather than hashing
_SMALL_TABLE = 16


def _lookup(v: pl.Expr, table: dict[str, str | int], dtype: pl.DataType) -> pl.Expr:
    """``table[v]``, null where ``v`` is not a key: ``replace_strict(table, default=None)``, in fewer CPU seconds.

    The service's words (回答区分, 口座種別, 口座状態) are a handful each: one
    equality test per word costs less than hashing every cell.
    """
    if len(table) > _SMALL_TABLE:
        return v.replace_strict(table, default=None, return_dtype=dtype)
    out: pl.Expr = pl.lit(None, dtype)
    for key, value in reversed(table.items()):
        out = pl.when(v == key).then(pl.lit(value, dtype)).otherwise(out)
    return out


def _wareki_months() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per 和暦 month ``k = era * 10000 + YY * 100 + MM - 10000`` (``v // 100`` of a 7-digit value, less 10000):
    the days since 1970-01-01 of its day 0, and the first and last day of it that are real and in the era.

    50,000 months, built once: a cell then needs two look-ups and two
    comparisons instead of the calendar arithmetic. A month that does not
    exist (MM 00 or over 12, year 00 of an era, wholly outside its era) has
    first day 1 and last day 0.
    """
    k = np.arange(50_000, dtype=np.int64) + 10_000
    era, ey, m = k // 10_000, k // 100 % 100, k % 100
    year = np.array([0] + [start.year for _, _, _, start in ERAS])[era] + ey - 1
    day0, real = ymd_days(year, np.clip(m, 1, 12), np.ones_like(k))
    day0 = day0 - 1
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    length = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[np.clip(m, 0, 12)] + ((m == 2) & leap)
    epoch = dt.date(1970, 1, 1).toordinal()
    starts = [start.toordinal() - epoch for _, _, _, start in ERAS]
    era_start = np.array([0, *starts])[era]  # the era's first day, and the next era's (exclusive)
    era_end = np.array([0, *starts[1:], dt.date(9999, 12, 31).toordinal() - epoch])[era]
    first = np.clip(era_start - day0, 1, 32)  # a month before its era: no day from 1 to 31 is in it
    last = np.clip(era_end - 1 - day0, 0, length)  # after its era: none
    exists = real & (m >= 1) & (m <= 12) & (ey >= 1)
    return day0.astype(np.int32), np.where(exists, first, 1).astype(np.int8), np.where(exists, last, 0).astype(np.int8)


_MONTH_DAY0, _MONTH_FIRST, _MONTH_LAST = _wareki_months()


def _wareki7_days(values: np.ndarray) -> np.ndarray:
    """和暦7桁 as integers (era digit 1-5 and YYMMDD) → days since 1970-01-01, or -10**9 where no such day.

    What :func:`formats.dates.wareki7_to_date` reads (a real date, in its
    era, year of era ≥ 1), by a look-up of the month (:func:`_wareki_months`);
    tests/formats/test_fast_careful.py compares the two on every era's edges
    and random values, and the table with the calendar arithmetic on every
    value. ``values`` must lie in 1000000-5999999.
    """
    month = values // 100
    day = values - month * 100
    k = month - 10_000
    ok = (day >= _MONTH_FIRST[k]) & (day <= _MONTH_LAST[k])
    return np.where(ok, _MONTH_DAY0[k] + day, -(10**9))


def _wareki_columns(text: pl.DataFrame, fd: CsvFile) -> pl.DataFrame:
    """Add ``days_u<j>`` for each 和暦 column: days since 1970-01-01, or -10**9 where the text is no date.

    The usual cell (seven ASCII digits, era 1-5: a 7-byte text that reads as
    an integer from 1000000 to 5999999) is converted by the month look-up of
    :func:`_wareki7_days` on the whole column; any other text by
    :func:`formats.dates.wareki7_to_date`, once per distinct value.
    """
    columns = [f"u{j}" for j, c in enumerate(fd.columns) if c.value == "wareki"]
    if not columns:
        return text
    ints = text.select(
        *[pl.when(pl.col(u).str.len_bytes() == 7).then(pl.col(u).cast(pl.Int32, strict=False)).fill_null(0).alias(u) for u in columns],
        *[(pl.col(u) != "").alias(f"filled_{u}") for u in columns],
    )
    days: dict[str, np.ndarray] = {}
    for u in columns:
        values = ints.get_column(u).to_numpy()
        seven = (values >= 1_000_000) & (values < 6_000_000)
        found = _wareki7_days(np.where(seven, values, 1_000_000))  # 1000000 (year 00) is no day
        col = text.get_column(u)
        other = ~seven & ints.get_column(f"filled_{u}").to_numpy()
        if other.any():  # not the usual form: converted once per distinct text
            idx = np.flatnonzero(other)
            distinct = col.gather(idx).unique()
            slow = distinct.to_frame("v").select(wareki7_to_date(pl.col("v"))).to_series()
            back = col.gather(idx).replace_strict(distinct, slow, default=None, return_dtype=pl.Date).to_physical()
            found[idx] = back.fill_null(-(10**9)).to_numpy()
        days[u] = found
    return text.hstack([pl.Series(f"days_{u}", v, dtype=pl.Int32) for u, v in days.items()])


_PROBLEM = {
    "const": "想定外の値 / unexpected value",
    "digits": "数字ではない / not digits",
    "int": "整数ではない / not an integer",
    "wareki": "和暦7桁の日付ではない / not a 和暦7桁 date",
    "postal": "郵便番号ではない / not a postal code",
    "code": "未定義の値 / unknown word",
}


@dataclass(frozen=True)
class CsvRecords:
    """The records of a CSV file as unquoted text cells, each with its physical line.

    ``cells`` has ``line``, ``u0`` … ``u{n-1}`` (``""`` for an empty cell) and
    ``_reason`` (``""`` when the record's text is sound: UTF-8, well quoted);
    ``bad_lines``/``bad_reasons`` are records of the wrong shape or with a cell
    longer than :data:`~formats.limits.MAX_FIELD_BYTES`. Every cell has had
    :func:`formats._text.clean_text` applied; a control character in it is a
    ``_reason``.
    """

    labels: list[str]
    cells: pl.DataFrame
    bad_lines: list[int]
    bad_reasons: list[str]


def _drop_long_fields(
    fs: np.ndarray, fe: np.ndarray, lines: np.ndarray, names: list[str], recs: _Records
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Reject records with a cell over :data:`~formats.limits.MAX_FIELD_BYTES`, before any is decoded.

    Measured on the byte offsets, so a 100 KB "address" never becomes text.
    """
    over = (fe - fs) > MAX_FIELD_BYTES
    bad = np.flatnonzero(over.any(axis=1))
    if bad.size == 0:
        return fs, fe, lines
    column = over[bad].argmax(axis=1)
    for i, j in zip(bad.tolist(), column.tolist()):  # rejected rows only
        where = names[j] if j < len(names) else f"column {j + 1}"
        recs.bad_lines.append(int(lines[i]))
        recs.bad_reasons.append(f"{where}: 長すぎます ({int(fe[i, j] - fs[i, j]):,} bytes; a field holds at most {MAX_FIELD_BYTES:,})")
    keep = np.ones(lines.size, dtype=bool)
    keep[bad] = False
    return fs[keep], fe[keep], lines[keep]


def _line_checks(body: np.ndarray, ncols: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(starts, plain, odd)``: where each line of ``body`` begins, whether it is alone one well-formed record of ``ncols`` fields, and whether it holds an odd number of quotes.

    Well-formed is what the careful tokeniser would accept without a reject
    *and* what polars reads the same way: no NUL, every CR followed by LF,
    not blank, not longer than :data:`~formats.limits.MAX_FIELD_BYTES` (so no
    cell can be), quotes only around whole fields (an opening quote after a
    comma or a line start, a closing one before a comma, a line end, the end
    of the file or the second quote of ``""``), an even number of quotes (so
    that no line end is inside quotes and the record is this one line) and
    ``ncols - 1`` commas outside quotes. The checks are a few passes of numpy
    over the bytes; only the quote positions are ever indexed (and the
    commas', in a file that has quotes: else they are counted line by line).
    """
    size = body.size
    nl = np.flatnonzero(body == 0x0A)
    ends = nl if (nl.size and nl[-1] == size - 1) else np.append(nl, size)
    starts = np.concatenate(([0], ends[:-1] + 1))
    bad = np.zeros(starts.size, dtype=bool)
    odd = np.zeros(starts.size, dtype=bool)
    bad[np.searchsorted(ends, np.flatnonzero(body == 0))] = True  # the line holding a byte: the first whose end is not before it
    cr = np.flatnonzero(body == 0x0D)
    if cr.size:
        bad[np.searchsorted(ends, cr[body[np.minimum(cr + 1, size - 1)] != 0x0A])] = True  # a CR not before LF (or last)
    lengths = ends - starts
    bad |= (lengths - (body[np.maximum(ends - 1, 0)] == 0x0D) <= 0) | (lengths > MAX_FIELD_BYTES)
    q = np.flatnonzero(body == 0x22)
    if not q.size:  # no quotes (the usual file): every comma separates, counted per line without its position
        # (in 16 bits: a count past 65,535 wraps, but a line that long is over MAX_FIELD_BYTES, bad already)
        bad |= np.add.reduceat((body == 0x2C).view(np.uint8), starts, dtype=np.uint16) != ncols - 1
        return starts, ~bad, odd
    commas = np.flatnonzero(body == 0x2C)
    q_line = np.searchsorted(ends, q)
    odd = np.bincount(q_line, minlength=starts.size) % 2 == 1
    bad |= odd
    q = q[~odd[q_line]]  # the quotes of the other lines pair up within their lines
    opening, closing = q[0::2], q[1::2]
    before = np.where(opening > 0, body[np.maximum(opening - 1, 0)], 0x0A)
    escaped = np.zeros(opening.size, dtype=bool)
    escaped[1:] = opening[1:] - 1 == closing[:-1]  # the second quote of ""
    after = np.where(closing + 1 < size, body[np.minimum(closing + 1, size - 1)], 0x0A)
    misplaced = ~(np.isin(before, (0x2C, 0x0A)) | escaped) | ~np.isin(after, (0x2C, 0x0D, 0x0A, 0x22))
    bad[np.searchsorted(ends, opening[misplaced])] = True
    commas = commas[np.searchsorted(q, commas) % 2 == 0]  # outside quotes (on an odd line: bad already)
    bad |= (np.searchsorted(commas, ends) - np.searchsorted(commas, starts)) != ncols - 1
    return starts, ~bad, odd


def _plain_lines(body: np.ndarray, ncols: int) -> np.ndarray | None:
    """Line starts of ``body`` when every line is one well-formed record of ``ncols`` fields (:func:`_line_checks`), else None."""
    starts, plain, _ = _line_checks(body, ncols)
    return starts if plain.all() else None


def _maybe_special(body: np.ndarray, raw: bytes | None = None) -> bool:
    """Whether UTF-8 bytes may hold a character :data:`~formats._text.SPECIAL` names, outside line ends.

    A superset, on the bytes, of the character rule's characters: C0 controls
    other than CR and LF, DEL, C2 80-9F / C2 AD (C1 controls, NEL, soft
    hyphen), E1 A0 8E, E2 80 8B-8F / A8-AE, E2 81 A0-AF, EF BB BF, EF BF
    B9-BB. Used only where CR and LF are line ends (:func:`_plain_lines`).
    A file without any needs no per-column scan. Screened with whole-buffer
    counts (C0 against CR and LF) and byte searches (C2, E1 and E2 are rare in
    Japanese text); then only the lead bytes' next two bytes are looked at
    (of EF alone when there is no C2, E1 or E2: it begins every full-width
    form, too often for a text search).
    ``raw``: the same bytes as a ``bytes`` object, when the caller has it.
    """
    raw = body.tobytes() if raw is None else raw
    line_ends = int(np.count_nonzero(body == 0x0A)) + int(np.count_nonzero(body == 0x0D))
    if int(np.count_nonzero(body < 0x20)) != line_ends or b"\x7f" in raw:
        return True
    if any(lead in raw for lead in (b"\xc2", b"\xe1", b"\xe2")):
        lead = np.flatnonzero(_SPECIAL_LEAD[body])
    else:  # only EF: every full-width form begins with it, so its positions are looked at, not searched as text
        lead = np.flatnonzero(body == 0xEF)
    last = body.size - 1  # the bytes after a lead byte, 0 past the end (no copy of the buffer)
    b0 = body[lead]
    b1 = np.where(lead + 1 <= last, body[np.minimum(lead + 1, last)], 0)
    b2 = np.where(lead + 2 <= last, body[np.minimum(lead + 2, last)], 0)
    hit = (
        ((b0 == 0xC2) & (((b1 >= 0x80) & (b1 <= 0x9F)) | (b1 == 0xAD)))
        | ((b0 == 0xE1) & (b1 == 0xA0) & (b2 == 0x8E))
        | ((b0 == 0xE2) & (b1 == 0x80) & (((b2 >= 0x8B) & (b2 <= 0x8F)) | ((b2 >= 0xA8) & (b2 <= 0xAE))))
        | ((b0 == 0xE2) & (b1 == 0x81) & (b2 >= 0xA0) & (b2 <= 0xAF))
        | ((b0 == 0xEF) & (b1 == 0xBB) & (b2 == 0xBF))
        | ((b0 == 0xEF) & (b1 == 0xBF) & (b2 >= 0xB9) & (b2 <= 0xBB))
    )
    return bool(hit.any())


#: the lead bytes of the rule's multi-byte characters (C0 controls and DEL are screened before)
_SPECIAL_LEAD = np.zeros(256, dtype=bool)
_SPECIAL_LEAD[[0xC2, 0xE1, 0xE2, 0xEF]] = True


def _polars_cells(piece: bytes, first_line: int, ncols: int, skip: frozenset[int] = frozenset()) -> pl.DataFrame | None:
    """``line, u0 … u{n-1}`` of plain lines (:func:`_line_checks`) read by polars' CSV reader; None for invalid UTF-8.

    Multi-threaded, with RFC 4180 unquoting; the physical line of a record is
    ``first_line`` plus its index. Invalid UTF-8 makes polars refuse, and the
    careful path names the cell. The columns in ``skip`` are left out (polars
    splits them but makes no text of them; it still refuses invalid UTF-8
    anywhere in the piece, tests/formats/test_projection.py).
    """
    names = [f"u{j}" for j in range(ncols)]
    kept = [j for j in range(ncols) if j not in skip]
    try:
        cells = pl.read_csv(
            piece, has_header=False, schema=dict.fromkeys(names, pl.Utf8), quote_char='"',
            empty_string_is_null=False, infer_schema=False, raise_if_empty=False, columns=kept if skip else None,
        )  # fmt: skip
    except pl.exceptions.ComputeError:  # invalid UTF-8
        return None
    line = pl.int_range(first_line, first_line + cells.height, dtype=pl.Int64).alias("line")
    return cells.select(line, pl.col([names[j] for j in kept]).fill_null(""))


def _fast_cells(buf: np.ndarray, lo: int, ncols: int) -> pl.DataFrame | None:
    """``line, u0 … u{n-1}`` of ``buf[lo:]`` read by polars' CSV reader, or None when the careful path must read any of it.

    The clean path: a file whose every line is one well-formed record
    (:func:`_plain_lines`) is read by :func:`_polars_cells` whole.
    """
    body = buf[lo:]
    names = [f"u{j}" for j in range(ncols)]
    first_line = int(np.count_nonzero(buf[:lo] == 0x0A)) + 1
    if body.size == 0:
        return pl.DataFrame({"line": pl.Series([], dtype=pl.Int64), **{c: pl.Series([], dtype=pl.Utf8) for c in names}})
    starts = _plain_lines(body, ncols)
    if starts is None:
        return None
    cells = _polars_cells(body.tobytes(), first_line, ncols)
    if cells is not None and cells.height != starts.size:  # pragma: no cover - _plain_lines admits only what polars reads line by line
        return None
    return cells


def _careful_cells(
    buf: np.ndarray, lo: int, hi: int, first_line: int, ncols: int, names: list[str]
) -> tuple[pl.DataFrame, list[int], list[str], bool]:
    """``line, u0 …, q0 …`` of ``buf[lo:hi]`` by the line-exact tokeniser, with the rejected lines.

    ``first_line`` is the physical line of byte ``lo``. ``q<j>`` is column
    ``j``'s problem with encoding or quoting (null when sound); a cell with
    bad quoting is kept as it was written. The last item says whether a
    quote was left open (see :func:`_region_cells`).
    """
    recs = _tokenise(buf[:hi], lo, ncols, first_line)
    fs = np.vstack(recs.field_starts) if recs.field_starts else np.zeros((0, ncols), dtype=np.int64)
    fe = np.vstack(recs.field_ends) if recs.field_ends else np.zeros((0, ncols), dtype=np.int64)
    lines = np.concatenate(recs.lines) if recs.lines else np.zeros(0, dtype=np.int64)
    fs, fe, lines = _drop_long_fields(fs, fe, lines, names, recs)
    ext = buf[lo : hi + 1] if hi < buf.size else np.append(buf[lo:], np.uint8(0))  # the part and one spare byte
    raw = pl.DataFrame({f"c{j}": _gather(ext, fs[:, j] - lo, fe[:, j] - lo) for j in range(ncols)}, height=lines.size)
    del ext
    columns: list[pl.Expr] = []
    for j in range(ncols):
        v = pl.col(f"c{j}")
        where = names[j] if j < len(names) else f"column {j + 1}"
        quoted = v.str.starts_with('"')
        bad_quote = v.str.contains('"') & ~v.str.contains(r'^"(?:[^"]|"")*"$')
        inner = v.str.slice(1, v.str.len_chars() - 2).str.replace_all('""', '"', literal=True)
        columns.append(pl.when(quoted & ~bad_quote).then(inner).otherwise(v).fill_null("").alias(f"u{j}"))
        # concat_str, not pl.format: the column name comes from the file and may hold braces
        columns.append(
            pl.when(v.is_null())
            .then(pl.lit(f"{where}: UTF-8 として読めない / not UTF-8"))
            .when(bad_quote)
            .then(pl.concat_str([pl.lit(where + ": 引用符の誤り / bad quoting '"), v, pl.lit("'")]))
            .alias(f"q{j}")
        )
    cells = raw.select(pl.Series("line", lines, dtype=pl.Int64), *columns)
    return cells, recs.bad_lines, recs.bad_reasons, recs.open_quote


#: more stretches of bad lines than this and the careful tokeniser reads the whole file in one pass
MAX_REGIONS = 64


def _region_cells(
    buf: np.ndarray, lo: int, first_line: int, ncols: int, names: list[str], starts: np.ndarray, plain: np.ndarray, odd: np.ndarray
) -> tuple[pl.DataFrame, list[int], list[str]]:
    """Cells of ``buf[lo:]``: polars reads the runs of plain lines, the careful tokeniser only the regions between.

    A region begins at a line that is not plain and ends before the next
    plain line, provided the tokeniser leaves no quote open there; else it
    grows (doubling) until it does, or to the end of the file. Where it ends,
    the tokeniser reading the whole rest of the file would be between records
    too (its records and restarts up to there depend on the bytes before
    only). A quote left open is as good when no later line holds an odd
    number of quotes: the whole-file tokeniser would find it open to the end
    of the file, and treat the record it opens (the last of its stretch) the
    same way. So the pieces give the very cells and rejects the careful path
    gives on the whole file (tests/formats/test_fast_careful.py).
    """
    n = starts.size
    bounds = np.append(starts, buf.size - lo) + lo  # absolute start of each line, and the end
    bad_at, plain_at, odd_at = np.flatnonzero(~plain), np.flatnonzero(plain), np.flatnonzero(odd)
    pieces: list[pl.DataFrame] = []
    bad_lines: list[int] = []
    bad_reasons: list[str] = []
    as_careful = [pl.col("line"), *[c for j in range(ncols) for c in (pl.col(f"u{j}"), pl.lit(None, pl.Utf8).alias(f"q{j}"))]]

    def careful(a: int, b: int) -> bool:
        cells, lines, reasons, open_quote = _careful_cells(buf, int(bounds[a]), int(bounds[b]), first_line + a, ncols, names)
        if open_quote and b < n and odd_at.size and odd_at[-1] >= b:
            return False
        pieces.append(cells)
        bad_lines.extend(lines)
        bad_reasons.extend(reasons)
        return True

    i = 0
    while i < n:
        k = int(np.searchsorted(bad_at, i))
        b = int(bad_at[k]) if k < bad_at.size else n
        if b > i:  # a run of plain lines
            cells = _polars_cells(buf[bounds[i] : bounds[b]].tobytes(), first_line + i, ncols)
            if cells is None or cells.height != b - i:
                careful(i, b)  # invalid UTF-8: the careful path names the cell (plain lines never leave a quote open)
            else:
                pieces.append(cells.select(as_careful))
        if b >= n:
            break
        k = int(np.searchsorted(plain_at, b))
        e = int(plain_at[k]) if k < plain_at.size else n
        while not careful(b, e):
            e = min(n, e + max(e - b, 1))
        i = e
    return pl.concat(pieces, how="vertical", rechunk=True), bad_lines, bad_reasons


def split_records(
    data: bytes, path: str | Path, names: list[str] | None = None, *, careful: bool = False, skip: frozenset[int] = frozenset()
) -> CsvRecords:
    """Split UTF-8 CSV bytes (header row first) into unquoted cells; the one CSV splitter.

    Used by the provider codec below and by the office's input files
    (``formats.inputs``, after decoding cp932 or UTF-8 to UTF-8). A file
    whose records are all well formed is read by polars (:func:`_fast_cells`);
    any other file, or ``careful=True``, by the line-exact tokeniser, which
    names every bad record's line. Both give the same cells for a well-formed
    file (tests/formats/test_fast_careful.py).

    ``skip``: columns whose text the caller does not need (a projected read:
    free text no one asked for, which has no check but the character rule).
    They are left out of ``cells`` where the whole file is read by polars and
    holds none of the rule's characters; elsewhere every column is there.
    """
    buf = np.frombuffer(data, dtype=np.uint8)
    start = len(BOM) if data.startswith(BOM) else 0
    labels = header_labels(data)
    if not labels:
        raise FileRejected(path, 1, "ヘッダ行を読めません (no readable header row)")
    ncols = len(labels)
    names = names or labels
    first_nl = data.find(b"\n", start)
    lo = first_nl + 1 if first_nl >= 0 else buf.size
    first_line = int(np.count_nonzero(buf[:lo] == 0x0A)) + 1
    fast = None
    special_free = False
    if careful or lo == buf.size:
        cells, bad_lines, bad_reasons, _ = _careful_cells(buf, lo, buf.size, first_line, ncols, names)
    else:
        starts, plain, odd = _line_checks(buf[lo:], ncols)
        plain_file = bool(plain.all())
        body = data[lo:] if plain_file else b""
        special_free = plain_file and not _maybe_special(buf[lo:], body)
        fast = _polars_cells(body, first_line, ncols, skip if special_free else frozenset()) if plain_file else None
        regions = int(np.count_nonzero(~plain[1:] & plain[:-1])) + int(not plain[0]) if plain.size else 0
        if fast is not None and fast.height == starts.size:
            cells, bad_lines, bad_reasons = fast, [], []
        elif regions > MAX_REGIONS:  # bad lines all over: one pass of the tokeniser beats many small ones
            fast = None
            cells, bad_lines, bad_reasons, _ = _careful_cells(buf, lo, buf.size, first_line, ncols, names)
        else:  # polars reads the plain lines, the careful tokeniser the regions around the others
            fast = None
            cells, bad_lines, bad_reasons = _region_cells(buf, lo, first_line, ncols, names, starts, plain, odd)
    u = [f"u{j}" for j in range(ncols)]
    if not cells.height or (fast is not None and special_free):
        special: tuple[bool, ...] = (False,) * ncols
    else:
        special = cells.select(pl.col(u).str.contains(SPECIAL).any()).row(0)
    checks: list[pl.Expr] = []
    texts: list[pl.Expr] = []
    for j in range(ncols):
        where = names[j] if j < len(names) else f"column {j + 1}"
        if f"q{j}" in cells.columns:
            checks.append(pl.col(f"q{j}"))
        if special[j]:  # the character rule, only on columns that need it (one scan for the others)
            checks.append(control_problem(pl.col(u[j]), where))
            texts.append(clean_text(pl.col(u[j])).alias(u[j]))
    reason = pl.concat_str(checks, separator="; ", ignore_nulls=True).fill_null("") if checks else pl.lit("")
    cells = cells.select(pl.col("line"), *[pl.col(c) for c in u if c in cells.columns], reason.alias("_reason"))
    if texts:
        cells = cells.with_columns(texts)
    return CsvRecords(labels, cells, bad_lines, bad_reasons)


#: the expressions of :func:`_plan`, by file layout and the columns needed (with the layouts, kept alive, so ids stay theirs)
_PLANS: dict[tuple[int, int, frozenset[str]], tuple[CsvLayout, CsvFile, list[pl.Expr], list[tuple[pl.Expr, pl.Expr]]]] = {}


def _plan(layout: CsvLayout, fd: CsvFile, needed: frozenset[str]) -> tuple[list[pl.Expr], list[tuple[pl.Expr, pl.Expr]]]:
    """The typed values (of the columns in ``needed``) and the ``(row is bad, message)`` checks (of every column) of a file kind.

    Built once per layout: making the expressions (a few hundred polars
    calls in Python) costs about as much as running them on a small file.
    """
    key = (id(layout), id(fd), needed)
    got = _PLANS.get(key)
    if got is not None and got[0] is layout and got[1] is fd:
        return got[2], got[3]
    schema = frame_schema(fd.direction, fd.kind)
    # (row is bad, message): the flags for every row, the messages only for the bad rows
    checks: list[tuple[pl.Expr, pl.Expr]] = [(pl.col("_reason") != "", pl.col("_reason"))]
    values: list[pl.Expr] = []
    for j, c in enumerate(fd.columns):
        value, bad = _typed(c, f"u{j}", layout, schema.get(c.name))
        where = f"{c.label} ({c.name})"
        if c.value != "text":
            checks.append((bad, pl.format(where + ": " + _PROBLEM[c.value] + " '{}'", pl.col(f"u{j}"))))
        if c.required:  # e.g. 照会番号, 回答区分: an answer without them cannot be stored
            checks.append((pl.col(f"u{j}") == "", pl.lit(where + ": 空欄 / blank (required)")))
        if c.value != "const" and c.name in needed:
            values.append(value.alias(c.name))
    if len(_PLANS) > 64:  # layouts made on the fly (tests, an office's edited copy): keep the cache small
        _PLANS.clear()
    _PLANS[key] = (layout, fd, values, checks)
    return values, checks


def read_csv(
    layout: CsvLayout,
    fd: CsvFile,
    data: bytes,
    path: str | Path,
    *,
    careful: bool = False,
    columns: list[str] | None = None,
    found_only: bool = False,
) -> CsvRead:
    """Read a whole CSV file of the given kind; row problems become rejects with their line.

    ``careful=True`` forces the line-exact tokeniser (:func:`split_records`).
    A projection (``columns``: these columns of the frame, in this order;
    ``found_only``: the rows whose answer is ``found``) gives the whole
    read's rows filtered and selected so, with the same rejects and
    ``rows_read``: every cell is still checked; free text no one asked for
    is not even made into text where the file allows (:func:`split_records`'
    ``skip``), and no value is made of a column no one asked for.
    """
    labels = header_labels(data)
    if labels != fd.labels:
        raise FileRejected(path, 1, f"ヘッダ行が {fd.direction} {fd.kind} の列と違います (header row {labels} is not {fd.labels})")
    schema = frame_schema(fd.direction, fd.kind)
    names = list(schema) if columns is None else list(columns)
    needed = set(names) | ({FOUND_FIELD} if found_only else set()) | (_PASSBOOK_INPUTS if fd.passbook_columns else set())
    skip = frozenset(j for j, c in enumerate(fd.columns) if c.value == "text" and not c.required and c.name not in needed)
    recs = split_records(data, path, [f"{c.label} ({c.name})" for c in fd.columns], careful=careful, skip=skip)
    text = _wareki_columns(recs.cells, fd)
    values, checks = _plan(layout, fd, frozenset(needed))
    flags = [f"_b{k}" for k in range(len(checks))]
    typed = text.select(pl.col("line"), *values, *[bad.fill_null(False).alias(b) for (bad, _), b in zip(checks, flags)])
    is_bad = typed.select(pl.any_horizontal(flags)).to_series()
    reason = pl.repeat("", typed.height, dtype=pl.Utf8, eager=True)
    if is_bad.any():
        messages = [pl.when(pl.col(b)).then(msg) for (_, msg), b in zip(checks, flags)]
        text_bad = text.filter(is_bad).hstack(typed.select(flags).filter(is_bad))
        reason = reason.scatter(is_bad.arg_true(), text_bad.select(pl.concat_str(messages, separator="; ", ignore_nulls=True)).to_series())
    typed = typed.drop(flags).with_columns(reason.alias("_reason"))
    if fd.passbook_columns and typed.select((pl.col("bank_code") == layout.passbook_bank).any()).item():
        typed = _passbooks(typed, layout.passbook_bank)

    found = [(pl.col(FOUND_FIELD) == FOUND).fill_null(False).alias("_found")] if found_only else []
    frame = typed.select(
        [pl.col(c).cast(schema[c]) if c in typed.columns else pl.lit(None, schema[c]).alias(c) for c in names]
        + [pl.col("line").alias("_line"), pl.col("_reason"), *found]
    )
    ok = frame.get_column("_reason") == ""
    accepted = int(ok.sum())
    if not recs.bad_lines and accepted == frame.height:  # the usual file: no rejects
        rejects = rejects_frame(path, [], [])
    else:
        bad_rows = frame.filter(~ok)
        rejects = pl.concat(
            [rejects_frame(path, bad_rows["_line"], bad_rows["_reason"]), rejects_frame(path, recs.bad_lines, recs.bad_reasons)]
        ).sort("line", maintain_order=True)
    keep = (ok & frame.get_column("_found")) if found_only else ok
    rows = frame.drop("_line", "_reason", *(["_found"] if found_only else []))
    if not keep.all():
        rows = rows.filter(keep)
    return CsvRead(header={"columns": labels}, rows=rows, rejects=rejects, rows_read=accepted + rejects.height)


#: the columns the ゆうちょ conversion reads
_PASSBOOK_INPUTS = {"bank_code", "branch_code", "account_type", "account_number"}


def _passbooks(typed: pl.DataFrame, bank: str) -> pl.DataFrame:
    """ゆうちょ rows: keep 記号番号 as received, put the account key form in branch/type/number."""
    sym, num = pl.col("branch_code"), pl.col("account_number")
    is_yucho = (pl.col("bank_code") == bank).fill_null(False) & sym.is_not_null()
    valid = passbook_valid(sym, num)
    conv = typed.with_columns(
        pl.when(is_yucho).then(sym).otherwise(None).alias("passbook_symbol"),
        pl.when(is_yucho).then(num).otherwise(None).alias("passbook_number"),
        pl.when(is_yucho & valid).then(passbook_branch(sym)).otherwise(sym).alias("branch_code"),
        pl.when(is_yucho & valid).then(passbook_account_type(sym)).otherwise(pl.col("account_type")).alias("account_type"),
        pl.when(is_yucho & valid).then(passbook_account_number(sym, num)).otherwise(num).alias("account_number"),
        pl.when(is_yucho & ~valid)
        .then(pl.concat_str([pl.col("_reason").replace("", None), pl.format("ゆうちょ記号番号として読めない / not a ゆうちょ 記号番号 '{}' '{}'", sym, num.fill_null(""))], separator="; ", ignore_nulls=True))
        .otherwise(pl.col("_reason"))
        .alias("_reason"),
    )
    return conv


# ----------------------------------------------------------------- writing


#: 和暦7桁 of a column ``d`` of dates: built once (its era table is a few dozen polars calls to make, more than it takes to run)
_DATE_TO_WAREKI7 = date_to_wareki7(pl.col("d"))


def _cell(c: CsvColumn, frame: pl.DataFrame, layout: CsvLayout) -> pl.Series:
    """The text of one column for every row (not yet quoted); invalid values raise WriteError."""
    n = frame.height
    where = f"{c.label} ({c.name})"
    if c.value == "const":
        return pl.Series(c.name, [c.const] * n, dtype=pl.Utf8)
    if c.name not in frame.columns:
        raise WriteError(f"the frame has no column '{c.name}'", field=where)
    src = frame.get_column(c.name)

    def fail(mask: pl.Series, why: str) -> None:
        idx = mask.fill_null(False).arg_true()
        if idx.len():
            row = int(idx[0])
            raise WriteError(f"'{src[row]}' {why}", row=row, field=where)

    if c.value == "text":
        out = src.cast(pl.Utf8)
    elif c.value == "digits":
        out = src.cast(pl.Utf8)
        if c.width:
            out = out.str.zfill(c.width)
        fail(~out.str.contains(r"^[0-9]+$") | (out.str.len_chars() > (c.width or 10**6)), "is not digits of the field's width")
    elif c.value == "int":
        ints = src.cast(pl.Int64)
        out = ints.cast(pl.Utf8)
        if c.empty_means is not None:
            out = out.scatter((ints == c.empty_means).fill_null(False).arg_true(), None)
    elif c.value == "wareki":
        dates = src.cast(pl.Date)  # a year of answers holds few distinct dates: each is converted once
        distinct = dates.drop_nulls().unique()
        texts = distinct.to_frame("d").select(_DATE_TO_WAREKI7).to_series()
        out = dates.replace_strict(distinct, texts, default=None, return_dtype=pl.Utf8)
    elif c.value == "postal":
        s = src.cast(pl.Utf8)
        fail(~s.str.contains(r"^[0-9]{7}$"), "is not a 7-digit postal code")
        out = frame.select(pl.concat_str([s.str.slice(0, 3), pl.lit("-"), s.str.slice(3, 4)]).alias("v")).to_series()
    else:  # code
        table = layout.codes[c.codes or ""]
        inverse = {v: k for k, v in table.items()}
        out = src.replace_strict(inverse, default=None, return_dtype=pl.Utf8)
        unknown = out.is_null() & src.is_not_null()
        if c.empty_means is not None:
            unknown = unknown & (src != c.empty_means).fill_null(True)
        fail(unknown, f"has no word in [codes.{c.codes}]")
    return out.fill_null("").alias(c.name)


def _quote(e: pl.Expr) -> pl.Expr:
    return pl.when(e.str.contains(r'[",\r\n]')).then(pl.concat_str([pl.lit('"'), e.str.replace_all('"', '""', literal=True), pl.lit('"')])).otherwise(e)


def write_csv(layout: CsvLayout, fd: CsvFile, frame: pl.DataFrame) -> bytes:
    """Encode a whole CSV file: BOM, header row, one row per frame row, CRLF."""
    yucho = (pl.col("bank_code") == layout.passbook_bank) & pl.col("passbook_symbol").is_not_null()
    if fd.passbook_columns and {"passbook_symbol", "passbook_number"} <= set(frame.columns) and frame.select(yucho.any()).item():
        frame = frame.with_columns(
            pl.when(yucho).then(pl.col("passbook_symbol")).otherwise(pl.col("branch_code")).alias("branch_code"),
            pl.when(yucho).then(pl.col("passbook_number")).otherwise(pl.col("account_number")).alias("account_number"),
        )
    cells = pl.DataFrame([_cell(c, frame, layout) for c in fd.columns], height=frame.height)
    end = layout.line_end
    header = ",".join(f'"{x}"' if any(ch in x for ch in '",\r\n') else x for x in fd.labels)
    head = (BOM if layout.bom else b"") + (header + end).encode("utf-8")
    if not cells.height:
        return head
    # the body is built and joined by polars and taken out as UTF-8 bytes: never a Python str of the whole file
    # numbers, dates, postal codes and digits are checked texts that never need quotes
    plain = ("digits", "int", "wareki", "postal")
    lines = cells.select(
        pl.concat_str([pl.col(c.name) if c.value in plain else _quote(pl.col(c.name)) for c in fd.columns], separator=",")
    ).to_series()
    return b"".join([head, lines.str.join(end).cast(pl.Binary).item(), end.encode("utf-8")])
