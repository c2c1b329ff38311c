"""The one fixed-width codec: bytes ⇄ typed frames, driven by a layout definition.

Why column-wise: a DAIS answer file holds up to hundreds of thousands of
records of twenty fields. The records are viewed as a numpy ``uint8`` matrix
(one row per record); a field is a slice of byte columns, checked with a
lookup table and decoded *once per field* (rows joined by ``\\n``, which can
never be a cp932 trail byte), then typed with polars. Writing is the mirror
image: each field is built as one padded text column, encoded once, and its
bytes scattered into the record matrix.

The codec is dumb on purpose: it neither normalises names nor decides what a
record means. It reports what it cannot read (rejected rows with line and
reason) and refuses what it cannot write (:class:`~formats.errors.WriteError`).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from formats._layout import FOUND, FOUND_FIELD, FixedField, FixedFile, FixedLayout, FixedRecord, frame_schema
from formats._text import CONTROL_CHARS, clean_text, control_problem, rejects_frame
from formats.dates import date_to_yyyymmdd, days_ymd, ymd_days, yyyymmdd_to_date
from formats.errors import FileRejected, WriteError

__all__ = [
    "C_FORBIDDEN",
    "DOUBLE_BYTE",
    "FixedRead",
    "read_fixed",
    "write_fixed",
    "split_records",
    "binary_column",
    "decode_column",
    "scatter_column",
    "truncate_bytes",
    "TRUNCATION_SCHEMA",
]

#: Characters a C field may not hold (JIS X 0201 katakana, A-Z, 0-9, space, ``( ) - . / ,`` are allowed).
C_FORBIDDEN = r"[^ ()\-./,0-9A-Z\x{FF61}-\x{FF9F}]"
#: Characters that take two bytes in cp932 (everything but ASCII and half-width katakana).
DOUBLE_BYTE = r"[^\x00-\x7F\x{FF61}-\x{FF9F}]"

TRUNCATION_SCHEMA: dict[str, pl.DataType] = {"row": pl.Int64, "field": pl.Utf8, "original": pl.Utf8, "written": pl.Utf8}

_DIGIT = np.zeros(256, dtype=bool)
_DIGIT[0x30:0x3A] = True
_C_BYTE = np.zeros(256, dtype=bool)
for _b in b" ()-./,0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ":
    _C_BYTE[_b] = True
_C_BYTE[0xA1:0xE0] = True  # JIS X 0201 katakana in cp932
_SPACE = 0x20
#: what Python's cp932 codec makes of the unassigned single bytes 0x80, 0xA0, 0xFD-0xFF
_UNASSIGNED = "[\u0080\uf8f0-\uf8f3]"
_UNASSIGNED_CHARS = "\u0080\uf8f0\uf8f1\uf8f2\uf8f3"
#: Byte classes, one bit each, looked up once for a whole record matrix and reduced per field
#: (AND: every byte of the field is of the class; OR: one byte is).
_IS_DIGIT, _IS_ZERO, _IS_SPACE, _IS_C, _IS_RULE, _IS_UNASSIGNED, _IS_HIGH, _IS_LEAD = 1, 2, 4, 8, 16, 32, 64, 128
_CLASS = np.zeros(256, dtype=np.uint8)
_CLASS[_DIGIT] |= _IS_DIGIT
_CLASS[0x30] |= _IS_ZERO
_CLASS[_SPACE] |= _IS_SPACE
_CLASS[_C_BYTE] |= _IS_C
#: the only cp932 bytes that decode to a character formats._text's rule acts on are C0, DEL (never
#: trail bytes) and a lone 0x80 (→ U+0080, also marked unassigned); checked over every single and
#: double byte code: a K block without the first two and without an unassigned mark needs no cleaning
_CLASS[:0x20] |= _IS_RULE
_CLASS[0x7F] |= _IS_RULE
_CLASS[[0x80, 0xA0, 0xFD, 0xFE, 0xFF]] |= _IS_UNASSIGNED  # also trail bytes: a superset, never a miss
_CLASS[0x80:] |= _IS_HIGH  # not ASCII
#: cp932 lead bytes: only a field holding one can fail to decode (0x80, 0xA0, 0xFD-0xFF decode, to the marks above)
_CLASS[0x81:0xA0] |= _IS_LEAD
_CLASS[0xE0:0xFD] |= _IS_LEAD
#: the classes of two bytes at once (as they lie in memory, in either byte order): a look-up per byte pair
_PAIR_CLASS = _CLASS[np.arange(1 << 16, dtype=np.uint16).view(np.uint8)].view(np.uint16)
#: every DAIS record ends with CR LF
LINE_END = b"\r\n"


# ----------------------------------------------------------------- bytes


def split_records(data: bytes, path: str | Path, length: int) -> np.ndarray:
    """View a file as an ``(n, length)`` byte matrix; any other record length rejects the file.

    Records end with CRLF or LF; a last record without a line end is accepted
    (the end-record check catches truncation).
    """
    buf = np.frombuffer(data, dtype=np.uint8)
    if buf.size == 0:
        raise FileRejected(path, 1, "空のファイルです (empty file)")
    newlines = np.flatnonzero(buf == 0x0A)
    starts = np.concatenate(([0], newlines + 1))
    ends = np.concatenate((newlines, [buf.size]))
    if starts[-1] == buf.size:  # file ends with a line end
        starts, ends = starts[:-1], ends[:-1]
    has_cr = (ends > starts) & (buf[np.maximum(ends - 1, 0)] == 0x0D)
    lengths = ends - has_cr - starts
    blank_tail = len(lengths) - len(np.trim_zeros(lengths, "b"))  # empty lines after the last record are not records
    if blank_tail:
        starts, lengths = starts[:-blank_tail], lengths[:-blank_tail]
    if starts.size == 0:
        raise FileRejected(path, 1, "空のファイルです (empty file)")
    bad = np.flatnonzero(lengths != length)
    if bad.size:
        i = int(bad[0])
        raise FileRejected(
            path,
            i + 1,
            f"レコード長が {int(lengths[i])} バイトです (record of {int(lengths[i])} bytes, expected {length}"
            " + CRLF): truncated or damaged transfer, file rejected whole",
        )
    n = starts.size
    for stride in (length + 2, length + 1):  # every record ends alike (CRLF, or LF): a view, no copy
        if buf.size >= n * stride and (starts == np.arange(n) * stride).all():
            return buf[: n * stride].reshape(n, stride)[:, :length]
    return buf[starts[:, None] + np.arange(length)]


def binary_column(sub: np.ndarray) -> pl.Series:
    """An ``(n, w)`` byte block as a polars Binary column of ``n`` values of ``w`` bytes each.

    Made in polars from the block as a fixed-size array column (one buffer,
    no Python object per row): a numpy ``S<w>`` view handed to polars is
    turned into one Python ``bytes`` per row first, about three times the
    cost. The bytes are kept as they are (a trailing NUL too, which the
    ``S`` view would drop).
    """
    return pl.Series(np.ascontiguousarray(sub)).arr.to_list().cast(pl.Binary)


def decode_column(sub: np.ndarray, encoding: str) -> tuple[pl.Series, np.ndarray]:
    """Decode an ``(n, w)`` byte block row by row in one call; return texts and an undecodable mask.

    Rows are joined with ``\\n`` (never part of a cp932 or UTF-8 multi-byte
    character), decoded once and split. Undecodable rows are decoded with
    replacement characters so that a message can show them.
    """
    n, w = sub.shape
    block = np.empty((n, w + 1), dtype=np.uint8)
    block[:, :w] = sub
    block[:, w] = 0x0A
    raw = block.tobytes()
    try:
        parts = raw.decode(encoding).split("\n")
        bad = np.zeros(n, dtype=bool)
    except UnicodeDecodeError:
        parts = raw.decode(encoding, errors="replace").split("\n")
        if len(parts) != n + 1:  # a replacement swallowed a separator: go row by row (error path only)
            parts = [bytes(r).decode(encoding, errors="replace") for r in sub] + [""]
        bad = np.array(["\ufffd" in p for p in parts[:-1]], dtype=bool)
    texts = pl.Series(parts[:-1], dtype=pl.Utf8)
    if encoding == "cp932":  # Python maps the unassigned bytes 0x80, 0xA0, 0xFD-0xFF to U+0080, U+F8F0-F8F3
        bad = bad | texts.str.contains(_UNASSIGNED).fill_null(False).to_numpy()
    return texts, bad


def scatter_column(out: np.ndarray, offset: int, width: int, values: pl.Series, encoding: str, field: str) -> None:
    """Encode a text column once and place each row's bytes left-aligned at ``offset``.

    ``values`` must already fit (padding is the space bytes ``out`` holds).
    """
    n = values.len()
    if n == 0:
        return
    text = values.fill_null("").str.join("\n").item()
    try:
        enc = text.encode(encoding)
    except UnicodeEncodeError:
        for row, value in enumerate(values.fill_null("").to_list()):  # error path only: find the row
            try:
                value.encode(encoding)
            except UnicodeEncodeError as exc:
                bad = value[exc.start : exc.end]
                raise WriteError(f"'{bad}' has no {encoding} code ('{value}')", row=row, field=field) from None
        raise  # pragma: no cover - the loop always finds the row
    b = np.frombuffer(enc, dtype=np.uint8)
    is_sep = b == 0x0A
    seps = np.flatnonzero(is_sep)
    if seps.size != n - 1:
        raise WriteError("a value holds a line break", field=field)
    lengths = np.diff(np.concatenate(([-1], seps, [b.size]))) - 1
    over = np.flatnonzero(lengths > width)
    if over.size:
        row = int(over[0])
        raise WriteError(f"'{values[row]}' is {int(lengths[row])} bytes, the field holds {width}", row=row, field=field)
    if not lengths.any():
        return
    # each row's bytes fill the first ``length`` cells of its slot, in row order: one boolean mask, no index per byte
    block = out[:, offset : offset + width]
    block[np.arange(width) < lengths[:, None]] = b[~is_sep]


def truncate_bytes(e: pl.Expr, width: int) -> pl.Expr:
    """Keep the longest prefix of whole characters that fits ``width`` cp932 bytes."""
    chars = e.str.split("")
    return chars.list.eval(
        pl.element().filter((1 + pl.element().str.contains(DOUBLE_BYTE).cast(pl.Int32)).cum_sum() <= width)
    ).list.join("")


def _cp932_len(e: pl.Expr) -> pl.Expr:
    return e.str.len_chars() + e.str.count_matches(DOUBLE_BYTE)


# ----------------------------------------------------------------- reading

@cache
def _gregorian_months() -> tuple[np.ndarray, np.ndarray]:
    """Per month ``YYYY * 100 + MM`` (0-999999): days since 1970-01-01 of its day 0, and its last day (0: no such month).

    Built once (a million months, ~5 MB): a date is then two look-ups and
    two comparisons instead of the calendar arithmetic.
    """
    k = np.arange(1_000_000, dtype=np.int64)
    y, m = k // 100, k % 100
    day0, real = ymd_days(y, np.clip(m, 1, 12), np.ones_like(k))
    leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    length = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[np.clip(m, 0, 12)] + ((m == 2) & leap)
    return (day0 - 1).astype(np.int32), np.where(real & (m >= 1) & (m <= 12), length, 0).astype(np.int8)


def _digits_value(sub: np.ndarray, dtype: type[np.signedinteger]) -> np.ndarray:
    """The number each row of ASCII digits spells (``"0123"`` → 123), by Horner's rule over the byte columns.

    Only meaningful where every byte is a digit; elsewhere it is the same
    value the weights ``10**k`` give (the same sum, wrapping alike), so that
    a caller's garbage stays the same garbage. A few column operations, not
    a matrix product of integers (which numpy does without BLAS, row by row).
    """
    acc = np.zeros(sub.shape[0], dtype=dtype)
    for k in range(sub.shape[1]):
        acc = acc * 10 + (sub[:, k].astype(dtype) - 0x30)
    return acc


def _yyyymmdd_days(sub: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``YYYYMMDD`` byte rows → (days since 1970-01-01, is a real Gregorian date), in numpy.

    The same dates :func:`formats.dates.yyyymmdd_to_date` reads from text
    (compared on every day of years 0000-9999 at their edges and 200,000
    random values), without a text column: a date is ~4x cheaper this way.
    Only meaningful where the bytes are digits.
    """
    month = np.clip(_digits_value(sub[:, :6], np.int32), 0, 999_999)  # YYYYMM (garbage, kept in the table, where not digits)
    day = _digits_value(sub[:, 6:8], np.int32)
    day0, last = _gregorian_months()
    real = (day >= 1) & (day <= last[month])
    return np.where(real, day0[month] + day, 0), real


def _byte_classes(arr: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """``_CLASS[arr[:, lo:hi]]``: the byte class of every byte of a span of the records, two bytes per look-up.

    The look-up is the costly part of the checks (a numpy gather per
    element), so the span is read as 16-bit pairs (widened by a byte of the
    record when its width is odd) and looked up in :data:`_PAIR_CLASS`:
    half the gathers, the same classes.
    """
    a, b = lo, hi
    if (b - a) % 2:  # widened to the left first: a record's first byte is at an even address when its length is
        if a > 0:
            a -= 1
        elif b < arr.shape[1]:
            b += 1
        else:  # a record of one odd-width span: byte by byte
            return _CLASS[arr[:, lo:hi]]
    try:  # the records as they lie in the file's buffer (rows apart, each row's bytes in a row): no copy
        pairs = arr[:, a:b].view(np.uint16)
    except ValueError:  # not a view numpy can make (a copied matrix, rows not contiguous)
        pairs = np.ascontiguousarray(arr[:, a:b]).view(np.uint16)
    return np.take(_PAIR_CLASS, pairs).view(np.uint8)[:, lo - a : hi - a]


def _frame_of(cols: dict[str, Any], n: int) -> pl.DataFrame:
    """The decoded columns as a frame of ``n`` rows, even when no column needed decoding."""
    return pl.DataFrame(cols, height=n) if cols else pl.DataFrame({"_row": np.zeros(n, dtype=bool)})


#: a text field whose rows to decode (:func:`_runs`) are fewer than this share of its rows decodes only those
_DISTINCT_SHARE = 0.7


def _runs(sub: np.ndarray, blank: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(rows, ids)``: the rows of a text field to decode, and for each row the index of its text among them.

    A row is decoded when it is not blank and its bytes differ from the row
    before; a repeated row takes the text of the first of its run, and every
    blank row the text of one blank row (the last of ``rows`` when there is
    one). Each row's text is thus the decoding of its own bytes. No hashing:
    a holder's accounts follow each other in an answer file, and the answers
    without an account are blank, so this finds most repeats for one
    comparison of each row with the next (bytes equal, in numpy).
    """
    n, w = sub.shape
    same = np.zeros(n, dtype=bool)
    if n > 1:
        rows_as_bytes = np.ascontiguousarray(sub).view(f"S{w}").ravel()  # equal width: equal only when every byte is
        same[1:] = rows_as_bytes[1:] == rows_as_bytes[:-1]
    first = ~same & ~blank
    rows = np.flatnonzero(first)
    ids = np.cumsum(first) - 1
    if blank.any():
        ids[blank] = rows.size
        rows = np.append(rows, np.argmax(blank))
    return rows, ids


def _decode_fields(
    arr: np.ndarray,
    fields: list[tuple[int, FixedField]],
    encoding: str,
    careful: bool,
    unassigned: list[bool],
    skip: set[int],
    stripped: set[int],
    ascii_: set[int],
    check_only: frozenset[int] = frozenset(),
    blanks: list[np.ndarray] | None = None,
) -> tuple[pl.DataFrame, set[int]]:
    """The text of every field in ``fields`` (columns ``t<i>``) and, for K fields, an undecodable mask (``x<i>``).

    Also returns the fields of ``stripped`` whose text came without trailing spaces (decoded, not ASCII;
    a K field whose text holds a character Python gives an unassigned cp932 byte is decoded whole again:
    its rows are marked and its text cleaned, as on a whole read).

    Fast path: each field's byte block, every row followed by ``\\n`` (never a
    cp932 trail byte, and never inside a record: :func:`split_records` splits
    on it), is decoded in one call and split by polars — one Python string per
    column, not one per cell, and each column in its own buffer. A file with
    an undecodable byte anywhere (or ``careful=True``) is decoded
    column by column with :func:`decode_column`, which marks the rows.

    On the fast path a text field (C, K) decodes only the rows that are not
    blank and differ from the row before (:func:`_runs`, given ``blanks``:
    each field's all-space rows) when they are fewer than
    :data:`_DISTINCT_SHARE` of the rows, and the fields in ``stripped`` are
    decoded without their trailing spaces (their text is the value
    ``strip_chars_end(" ")`` gives). The fields in ``ascii_`` (every byte
    ASCII, none a C0 control or DEL, in the whole block) are not decoded at all:
    their bytes go to polars as a fixed-width binary column, read as UTF-8.
    The fields in ``check_only`` (K fields of a projected read that no one
    asked for) are decoded on the fast path only to find an undecodable byte:
    no column is made of them.
    """
    n = arr.shape[0]
    cols: dict[str, Any] = {}
    if not careful and n and fields:
        block = np.empty((n, max(f.width for _, f in fields) + 1), dtype=np.uint8)
        unassigned_seen = False
        unstripped: set[int] = set()
        try:
            for i, (off, f) in enumerate(fields):
                if i in skip:
                    continue
                sub = arr[:, off : off + f.width]
                if i in ascii_:  # ASCII without C0 or DEL: the bytes are the text (no NUL to end a value early)
                    cols[f"t{i}"] = binary_column(sub).cast(pl.Utf8)
                    continue
                # names and addresses are blank on the answers without an account and repeat on a holder's
                # accounts, one after the other: only the rows that differ from the row before are decoded
                rows, ids = _runs(sub, blanks[i]) if f.type != "N" and blanks is not None else (None, None)
                if rows is not None and rows.size < n * _DISTINCT_SHARE:
                    sub = sub[rows]
                else:
                    rows = None
                # one decode and one split per column, each into its own buffer: the columns kept
                # (a filtered frame's strings) never hold the other fields' text alive
                m = sub.shape[0]
                part = block[:m, : f.width + 1]
                part[:, :-1] = sub
                if i in check_only:  # decodable is all a projection needs of it (a K field without the rule's bytes)
                    part[:, -1] = 0x0A
                    part.tobytes().decode(encoding)
                    continue
                if i in stripped:  # each row up to its last non-space byte (0x20 is never a trail byte)
                    nonspace = sub != _SPACE
                    keep = np.where(nonspace.any(axis=1), f.width - np.argmax(nonspace[:, ::-1], axis=1), 0)
                    part[np.arange(m), keep] = 0x0A
                    raw = part[np.arange(f.width + 1) <= keep[:, None]].tobytes()
                else:
                    part[:, -1] = 0x0A
                    raw = part.tobytes()
                text = raw.decode(encoding)
                marked = encoding == "cp932" and f.type == "K" and any(ch in text for ch in _UNASSIGNED_CHARS)
                if marked and i in stripped:  # its rows are marked and its text cleaned as a whole read's: not stripped
                    unstripped.add(i)
                    part[:, :-1] = sub
                    part[:, -1] = 0x0A
                    text = part.tobytes().decode(encoding)
                unassigned_seen = unassigned_seen or marked
                col = pl.Series([text]).str.split("\n").explode().slice(0, m)  # the last, empty part dropped
                cols[f"t{i}"] = col if rows is None else col.gather(ids)
        except UnicodeDecodeError:
            careful = True
            cols = {}
        else:
            frame = _frame_of(cols, n)
            if not unassigned_seen:
                return frame, stripped - ascii_ - unstripped  # no x<i> column: nothing is marked (one scan of the text, not one per column)
            marks = [  # as decode_column marks them, but only on blocks holding such a byte
                (pl.col(f"t{i}").str.contains(_UNASSIGNED) if unassigned[i] else pl.lit(False)).alias(f"x{i}")
                for i, (_, f) in enumerate(fields)
                if f.type == "K"
            ]
            return (frame.with_columns(marks) if marks else frame), stripped - ascii_ - unstripped
    for i, (off, f) in enumerate(fields):
        if i in skip:
            continue
        text, undecodable = decode_column(arr[:, off : off + f.width], encoding)
        cols[f"t{i}"] = text
        if f.type == "K":
            cols[f"x{i}"] = undecodable
    return _frame_of(cols, n), set()


def _decode_record(
    record: FixedRecord,
    arr: np.ndarray,
    layout: FixedLayout,
    schema: dict[str, pl.DataType] | None,
    careful: bool = False,
    wanted: set[str] | None = None,
) -> tuple[dict[str, pl.Series], pl.Series]:
    """Decode every field of ``arr`` (records of one type).

    Returns ``(columns, reasons)``: typed columns by name and one reason per
    row (empty string when the row is sound). The byte-level checks (digits,
    blanks, C characters, signs) are numpy masks over the record matrix; the
    values and the reasons are one polars ``select`` over the decoded texts.

    ``wanted`` (a projected read): only these fields get a column. Every
    field is still checked as always, and the reasons are the very same:
    a field not wanted is decoded only where a check reads its text (a K
    field with the character rule's bytes, a code of more than one byte), is
    decoded only to see that it decodes where it holds a byte that may not
    (a cp932 lead byte: so the block takes the fast or the careful path as
    the whole read does), and is not decoded at all otherwise — its text is
    made for the messages of bad rows only, as the numbers' is.
    """
    n = arr.shape[0]
    at = [j for j, f in enumerate(record.fields) if not f.is_filler and f.const is None]
    # byte classes of the fields read (fillers and constants, e.g. a record's tail, are never looked up)
    every = np.zeros((n, len(record.fields)), dtype=np.uint8)
    some = np.zeros(len(record.fields), dtype=np.uint8)
    if at and n:
        first, last = at[0], at[-1]
        lo, hi = record.offsets[first], record.offsets[last] + record.fields[last].width
        cls = _byte_classes(arr, lo, hi)
        starts = [o - lo for o in record.offsets[first : last + 1]]  # the offsets tile the record
        every[:, first : last + 1] = np.bitwise_and.reduceat(cls, starts, axis=1)
        some[first : last + 1] = np.bitwise_or.reduceat(np.bitwise_or.reduce(cls, axis=0), starts)
        del cls
    fields = [(record.offsets[j], record.fields[j]) for j in at]
    # numbers, 8-digit dates and one-digit codes are read from the bytes: their text only goes into messages
    unread = {
        i
        for i, (_, f) in enumerate(fields)
        if f.type == "N" and (f.value == "int" or (f.value == "date" and f.width == 8) or (f.value == "code" and f.width == 1))
    }
    # a K field with nothing for the character rule to act on is read as its value: without trailing spaces
    plain_k = {
        i for i, (j, (_, f)) in enumerate(zip(at, fields)) if f.type == "K" and layout.encoding == "cp932" and not some[j] & (_IS_RULE | _IS_UNASSIGNED)
    }
    ascii_ = {i for i, j in enumerate(at) if layout.encoding in ("cp932", "utf-8") and not some[j] & (_IS_HIGH | _IS_RULE)}
    # free text the character rule leaves alone (C fields; K fields without C0 or DEL) is decoded without its
    # trailing spaces too, which polars would otherwise strip from every row; the messages of bad rows still
    # show its text as decoded whole (below), as they always have
    prestrip = plain_k | {
        i
        for i, (j, (_, f)) in enumerate(zip(at, fields))
        if layout.encoding == "cp932" and f.sign_for is None and (f.type == "C" or (f.type == "K" and not some[j] & _IS_RULE))
    }
    unwanted: set[int] = set()
    check_only: set[int] = set()
    if wanted is not None:
        may_fail = _IS_LEAD if layout.encoding == "cp932" else _IS_HIGH
        for i, (j, (_, f)) in enumerate(zip(at, fields)):
            if f.name in wanted or i in unread:
                continue
            reads_text = (f.type == "K" and (layout.encoding != "cp932" or some[j] & (_IS_RULE | _IS_UNASSIGNED))) or (
                f.type == "N" and f.value in ("code", "date")
            )
            if reads_text:  # decoded as in the whole read (no column is made of it)
                continue
            unwanted.add(i)
            if some[j] & may_fail:
                check_only.add(i)
    skip = unread | (unwanted - check_only)
    raw, decoded_stripped = _decode_fields(
        arr,
        fields,
        layout.encoding,
        careful,
        [bool(some[j] & _IS_UNASSIGNED) for j in at],
        skip,
        prestrip,
        ascii_,
        frozenset(check_only),
        [(every[:, j] & _IS_SPACE) != 0 for j in at],
    )
    plain_k &= decoded_stripped  # the fields whose text (in messages too) is their value: without trailing spaces
    masks: dict[str, np.ndarray] = {}

    def mask(values: np.ndarray) -> pl.Expr:
        name = f"m{len(masks)}"
        masks[name] = values
        return pl.col(name)

    def reason(bad: np.ndarray | pl.Expr, prefix: str, text: pl.Expr) -> tuple[np.ndarray | pl.Expr, pl.Expr]:
        return bad, pl.format(prefix + " '{}'", text)

    values: dict[str, pl.Expr] = {}
    # (row is bad, message): messages only for bad rows; a check of the bytes is a numpy mask, never a polars column
    reasons: list[tuple[np.ndarray | pl.Expr, pl.Expr]] = []
    signs: list[tuple[FixedField, pl.Expr]] = []
    for i, (j, (off, f)) in enumerate(zip(at, fields)):
        sub = arr[:, off : off + f.width]
        where = f"{f.label} ({f.name})"
        dtype = (schema or {}).get(f.name)
        text = pl.col(f"t{i}")
        blank_np = (every[:, j] & _IS_SPACE) != 0
        if f.type == "N":
            digits_np = (every[:, j] & _IS_DIGIT) != 0
            zero_np = (every[:, j] & _IS_ZERO) != 0
            if f.value == "date" and f.width == 8:
                days, valid = _yyyymmdd_days(sub)
                real = digits_np & valid
                value = pl.when(mask(real)).then(mask(days).cast(pl.Int32).cast(pl.Date)).otherwise(None)
                reasons.append(reason(~(blank_np | zero_np | real), f"{where}: 日付ではない / not a date", text))
            elif f.value == "date":  # a layout with another date width: the text reader
                value = yyyymmdd_to_date(text)
                ok = mask(blank_np) | mask(zero_np) | (mask(digits_np) & value.is_not_null())
                reasons.append(reason(~ok, f"{where}: 日付ではない / not a date", text))
            elif f.value == "int":
                ints = _digits_value(sub, np.int64)
                null = ~digits_np | (zero_np if f.zero_is_null else False)
                value = pl.when(mask(null)).then(None).otherwise(mask(ints))
                reasons.append(reason(~digits_np, f"{where}: 数字ではない / not digits", text))
            elif f.value == "code" and f.width == 1:  # one byte: a lookup table, no text
                table = layout.codes[f.codes or ""]
                slot = np.full(256, len(table), dtype=np.int64)
                slot[[ord(k) for k in table]] = np.arange(len(table))
                idx = slot[sub[:, 0]]
                known = pl.Series(list(table.values()), dtype=dtype or pl.Utf8).append(pl.Series([None], dtype=dtype or pl.Utf8))
                value = pl.lit(known.gather(idx))
                reasons.append(reason(idx == len(table), f"{where}: 未定義のコード / unknown code", text))
            elif f.value == "code":
                value = text.replace_strict(layout.codes[f.codes or ""], default=None, return_dtype=dtype or pl.Utf8)
                reasons.append(reason(value.is_null(), f"{where}: 未定義のコード / unknown code", text))
            else:  # text
                value = pl.when(mask(~digits_np | (zero_np if f.zero_is_null else False))).then(None).otherwise(text)
                reasons.append(reason(~digits_np, f"{where}: 数字ではない / not digits", text))
        else:
            if f.type == "C" and f.sign_for is None:
                reasons.append(reason((every[:, j] & _IS_C) == 0, f"{where}: 半角文字以外を含む / not half-width characters", text))
            elif f.type == "K":  # free text: the one character rule of formats._text
                marked = f"x{i}" in raw.columns and bool(raw.get_column(f"x{i}").any())
                if marked:
                    reasons.append(reason(pl.col(f"x{i}"), f"{where}: cp932 として読めない / undecodable bytes", text))
                if layout.encoding != "cp932" or some[j] & _IS_RULE or marked:  # else nothing to act on
                    reasons.append((text.str.contains(CONTROL_CHARS), control_problem(text, where)))
                    text = clean_text(text)
            if i in decoded_stripped:  # never cleaned (no C0, DEL or unassigned mark): empty exactly where blank
                value = pl.when(mask(blank_np)).then(None).otherwise(text)
            else:
                stripped = text.str.strip_chars_end(" ")
                value = pl.when(stripped == "").then(None).otherwise(stripped)
            if f.sign_for is not None:
                sign_bad = (sub[:, 0] != 0x20) & (sub[:, 0] != 0x2D)
                reasons.append(reason(sign_bad, f"{where}: 符号は空白か - / sign must be space or -", pl.col(f"t{i}")))
                signs.append((f, mask(sub[:, 0] == 0x2D)))
                continue
        if f.required:  # e.g. 照会番号: an answer without it cannot be stored
            reasons.append(reason(blank_np, f"{where}: 空欄 / blank (required)", text))
        if wanted is None or f.name in wanted:
            values[f.name] = value.cast(dtype) if dtype is not None else value
    for f, negative in signs:
        if f.sign_for not in values:  # a projection without the signed number
            continue
        target = values[f.sign_for or ""]
        values[f.sign_for or ""] = pl.when(negative).then(-target).otherwise(target)
    frame = raw.hstack([pl.Series(k, v) for k, v in masks.items()]) if masks else raw
    in_numpy = [k for k, (bad, _) in enumerate(reasons) if isinstance(bad, np.ndarray)]
    in_polars = [k for k, (bad, _) in enumerate(reasons) if not isinstance(bad, np.ndarray)]
    flags = [reasons[k][0].fill_null(False).alias(f"b{k}") for k in in_polars]
    any_bad = [pl.any_horizontal(pl.col(f"b{k}") for k in in_polars).alias("_bad")] if in_polars else []
    out = frame.lazy().select(*[e.alias(k) for k, e in values.items()], *flags).with_columns(any_bad).collect()
    cols = {k: out.get_column(k) for k in values}
    reason = pl.repeat("", n, dtype=pl.Utf8, eager=True).alias("_reason")
    bad_np = np.zeros(n, dtype=bool)
    for k in in_numpy:
        bad_np |= reasons[k][0]
    if in_polars and out.height == n:
        bad_np |= out.get_column("_bad").to_numpy()
    if bad_np.any():  # the messages, built for the bad rows only
        bad = pl.Series(bad_np)
        rows_np = np.flatnonzero(bad_np)
        flagged = [pl.Series(f"b{k}", reasons[k][0][rows_np]) for k in in_numpy]
        bad_rows = frame.filter(bad).hstack([*flagged, *out.filter(bad).select(f"b{k}" for k in in_polars)])
        texts = []  # the fields read from bytes (or not wanted): their text as the whole read has it
        for i, (off, f) in enumerate(fields):
            if f"t{i}" not in bad_rows.columns or i in decoded_stripped - plain_k:
                text = decode_column(arr[rows_np, off : off + f.width], layout.encoding)[0]
                texts.append((text.str.strip_chars_end(" ") if i in plain_k else text).alias(f"t{i}"))
        bad_rows = bad_rows.with_columns(texts)
        messages = [pl.when(pl.col(f"b{k}")).then(msg) for k, (_, msg) in enumerate(reasons)]
        text = bad_rows.select(pl.concat_str(messages, separator="; ", ignore_nulls=True).fill_null("")).to_series()
        reason = reason.scatter(bad.arg_true(), text)
    return cols, reason


#: records decoded at a time: bounds the work space (texts, byte classes) of a large file to ~100 MB
CHUNK_RECORDS = 50_000


def _decode_chunked(
    record: FixedRecord, arr: np.ndarray, layout: FixedLayout, schema: dict[str, pl.DataType], careful: bool, wanted: set[str] | None = None
) -> tuple[dict[str, pl.Series], pl.Series]:
    """:func:`_decode_record` over slices of :data:`CHUNK_RECORDS` records; a row's result depends on its row only."""
    n = arr.shape[0]
    if n <= CHUNK_RECORDS:
        return _decode_record(record, arr, layout, schema, careful, wanted)
    parts = [_decode_record(record, arr[lo : lo + CHUNK_RECORDS], layout, schema, careful, wanted) for lo in range(0, n, CHUNK_RECORDS)]
    cols = {name: pl.concat([p[0][name] for p in parts]) for name in parts[0][0]}
    return cols, pl.concat([p[1] for p in parts])


def _plain_single(record: FixedRecord, raw: bytes, layout: FixedLayout) -> dict[str, Any] | None:
    """A header or trailer record of digits, blanks and signs read in plain Python; None: anything else.

    What :func:`_decode_record` gives such a record, without its fixed cost
    (a dozen polars calls, ~1 ms — a tenth of a small file's read). Only the
    sound, usual record is read here: a field of another kind or a value
    with any problem goes to :func:`_decode_record`, which names it
    (tests/formats/test_fast_careful.py compares the two).
    """
    values: dict[str, Any] = {}
    signs: list[tuple[str, bool]] = []
    for off, f in zip(record.offsets, record.fields):
        if f.is_filler or f.const is not None:
            continue
        b = raw[off : off + f.width]
        if f.sign_for is not None:
            if b not in (b" ", b"-"):
                return None
            signs.append((f.sign_for, b == b"-"))
            continue
        if f.type != "N":
            return None
        digits = b.isdigit()  # ASCII digits only, for bytes
        null = f.zero_is_null and digits and not b.strip(b"0")
        if f.value == "date" and f.width == 8:
            if not b.strip(b" ") or not b.strip(b"0"):  # blank or 00000000: unknown
                if f.required and not b.strip(b" "):
                    return None
                values[f.name] = None
                continue
            if not digits:
                return None
            try:
                values[f.name] = _dt.date(int(b[:4]), int(b[4:6]), int(b[6:]))
            except ValueError:
                return None
        elif not digits:
            return None
        elif f.value == "int":
            values[f.name] = None if null else int(b)
        elif f.value == "text":
            values[f.name] = None if null else b.decode("ascii")
        elif f.value == "code" and f.width == 1 and isinstance(layout.codes[f.codes or ""].get(b.decode("ascii")), str):
            values[f.name] = layout.codes[f.codes or ""][b.decode("ascii")]
        else:
            return None
    for name, negative in signs:
        if negative and values.get(name) is not None:
            values[name] = -values[name]
    return values


def _single(record: FixedRecord, row: np.ndarray, layout: FixedLayout, path: str | Path, line: int) -> dict[str, Any]:
    """Decode a header or trailer record; any problem in it rejects the file."""
    plain = _plain_single(record, row.tobytes(), layout)
    if plain is not None:
        return plain
    cols, reason = _decode_record(record, row[None, :], layout, None)
    if reason[0]:
        raise FileRejected(path, line, reason[0])
    return {name: s[0] for name, s in cols.items()}


@dataclass(frozen=True)
class FixedRead:
    """What the fixed-width reader returns (files.py wraps it in ParsedFile)."""

    header: dict[str, Any]
    trailer: dict[str, Any]
    rows: pl.DataFrame
    rejects: pl.DataFrame
    rows_read: int


def read_fixed(
    layout: FixedLayout,
    fd: FixedFile,
    data: bytes,
    path: str | Path,
    *,
    careful: bool = False,
    columns: list[str] | None = None,
    found_only: bool = False,
) -> FixedRead:
    """Read a whole fixed-width file of the given kind (``careful=True``: decode column by column).

    A structural problem (record length, record order, missing trailer or end
    record, header of another kind, trailer counts or total that disagree with
    the data) raises :class:`FileRejected`; a data record that does not read
    becomes a reject with its line, and the other records are kept.

    A projection (``columns``: these columns of the frame, in this order;
    ``found_only``: the rows whose answer is ``found``) gives the whole
    read's rows filtered and selected so, with the same rejects and
    ``rows_read``: every record is checked as always, only the values no one
    asked for are not made. (The text of the records that are not found
    is decoded all the same: it is blank, and a text field decodes its
    distinct rows only.)
    """
    arr = split_records(data, path, layout.record_length)
    n = arr.shape[0]
    const = {role: layout.records[getattr(fd, role)].fields[0].const for role in ("header", "data", "trailer", "end")}
    kinds = np.array([chr(b) for b in range(256)])[arr[:, 0]]
    if kinds[0] != const["header"]:
        raise FileRejected(path, 1, f"先頭がヘッダレコードではありません (first record has データ区分 '{kinds[0]}', expected '{const['header']}')")
    if kinds[-1] != const["end"]:
        raise FileRejected(path, n, f"エンドレコードがありません (missing end record: last record has データ区分 '{kinds[-1]}'); truncated transfer")
    if n < 3 or kinds[-2] != const["trailer"]:
        raise FileRejected(path, max(n - 1, 1), "トレーラレコードがありません (missing trailer record before the end record)")
    middle = np.flatnonzero(kinds[1:-2] != const["data"])
    if middle.size:
        i = int(middle[0]) + 1
        raise FileRejected(path, i + 1, f"データ区分 '{kinds[i]}' のレコードはここに置けません (unexpected record type '{kinds[i]}' among data records)")

    header = _single(layout.records[fd.header], arr[0], layout, path, 1)
    if header.get("kind_code") != fd.kind_code:
        raise FileRejected(path, 1, f"種別 '{header.get('kind_code')}' is not {fd.kind_code} ({fd.direction} {fd.kind})")
    trailer = _single(layout.records[fd.trailer], arr[-2], layout, path, n - 1)

    data_arr = arr[1:-2]
    n_data = data_arr.shape[0]
    if trailer[fd.trailer_count] != n_data:
        raise FileRejected(
            path, n - 1, f"件数不一致: トレーラ {trailer[fd.trailer_count]} 件, データ {n_data} 件 (trailer count does not match the data records); file rejected whole"
        )
    schema = frame_schema(fd.direction, fd.kind)
    record = layout.records[fd.data]
    names = list(schema) if columns is None else list(columns)
    wanted: set[str] | None = None
    if columns is not None or found_only:  # what the checks of the whole file need, and what was asked for
        wanted = {name for name in (fd.hit_field, fd.total_of, FOUND_FIELD if found_only else None) if name is not None} | set(names)
    cols, reason = _decode_chunked(record, data_arr, layout, schema, careful, wanted)
    lines = pl.Series("line", np.arange(2, n_data + 2), dtype=pl.Int64)

    if fd.trailer_hits is not None and fd.hit_field is not None:
        hits = (cols[fd.hit_field] == fd.hit_value).fill_null(False)  # the code tables are one-to-one
        if trailer[fd.trailer_hits] != int(hits.sum()):
            raise FileRejected(
                path, n - 1, f"該当件数不一致: トレーラ {trailer[fd.trailer_hits]} 件, データ {int(hits.sum())} 件 (hit count does not match); file rejected whole"
            )
        if fd.trailer_total is not None and fd.total_of is not None:
            amounts = cols[fd.total_of].filter(hits)
            if amounts.null_count() == 0:  # an unreadable amount is a reject already; the total cannot be checked then
                total = int(amounts.sum())
                if trailer[fd.trailer_total] != total:
                    raise FileRejected(
                        path, n - 1, f"残高合計不一致: トレーラ {trailer[fd.trailer_total]}, データ {total} (balance total does not match); file rejected whole"
                    )

    ok = reason == ""
    clean = bool(ok.all())
    rejects = rejects_frame(path, [], []) if clean else rejects_frame(path, lines.filter(~ok), reason.filter(~ok))
    if found_only:
        ok = (ok & (cols[FOUND_FIELD] == FOUND)).fill_null(False)
        clean = False
    frame = pl.DataFrame(
        [lines if c == "line" else cols[c] if c in cols else pl.repeat(None, n_data, dtype=schema[c], eager=True).alias(c) for c in names], height=n_data
    )
    if clean:  # the usual file: nothing to filter
        return FixedRead(header=header, trailer=trailer, rows=frame, rejects=rejects, rows_read=n_data)
    return FixedRead(header=header, trailer=trailer, rows=frame.filter(ok), rejects=rejects, rows_read=n_data)


# ----------------------------------------------------------------- writing


def _first_bad(mask: pl.Series) -> int | None:
    idx = mask.fill_null(False).arg_true()
    return int(idx[0]) if idx.len() else None


def _field_values(
    f: FixedField, record: FixedRecord, frame: pl.DataFrame, layout: FixedLayout, truncations: list[pl.DataFrame]
) -> pl.Series:
    """The text of one field for every row, fitted to its width (not yet padded)."""
    n = frame.height
    where = f"{f.label} ({f.name})"
    if f.const is not None:
        return pl.Series(f.name, [f.const] * n, dtype=pl.Utf8)
    if f.sign_for is not None:
        src = frame.get_column(f.sign_for)
        return frame.select(pl.when(src < 0).then(pl.lit("-")).otherwise(pl.lit(" ")).alias(f.name)).to_series()
    if f.name not in frame.columns:
        raise WriteError(f"the frame has no column '{f.name}'", field=where)
    col = pl.col(f.name)
    if f.type == "N":
        if f.value == "date":
            s = frame.select(date_to_yyyymmdd(col.cast(pl.Date))).to_series()
        elif f.value == "code":
            inverse = {v: k for k, v in layout.codes[f.codes or ""].items()}
            src = frame.get_column(f.name)
            s = src.replace_strict(inverse, default=None, return_dtype=pl.Utf8)
            bad = _first_bad(s.is_null() & src.is_not_null())
            if bad is not None:
                raise WriteError(f"'{src[bad]}' has no code in [codes.{f.codes}]", row=bad, field=where)
            if f.default is not None:
                s = s.fill_null(f.default)
            bad = _first_bad(s.is_null())
            if bad is not None:
                raise WriteError("a value is required", row=bad, field=where)
        elif f.value == "int":
            src = frame.get_column(f.name).cast(pl.Int64)
            signed = any(g.sign_for == f.name for g in record.fields)
            if not signed:
                bad = _first_bad(src < 0)
                if bad is not None:
                    raise WriteError(f"negative value {src[bad]} in an unsigned field", row=bad, field=where)
            s = src.abs().fill_null(0).cast(pl.Utf8)
        else:
            src = frame.get_column(f.name).cast(pl.Utf8)
            bad = _first_bad(~src.str.contains(r"^[0-9]*$"))
            if bad is not None:
                raise WriteError(f"'{src[bad]}' is not digits", row=bad, field=where)
            s = src.fill_null("")
        bad = _first_bad(s.str.len_chars() > f.width)
        if bad is not None:
            raise WriteError(f"'{s[bad]}' does not fit {f.width} digits", row=bad, field=where)
        return s.str.zfill(f.width).alias(f.name)

    src = frame.get_column(f.name).cast(pl.Utf8)
    if f.first_of is not None:
        src = src.str.split(f.first_of).list.first()
    src = src.fill_null("")
    if f.type == "C":
        bad = _first_bad(src.str.contains(C_FORBIDDEN))
        if bad is not None:
            raise WriteError(f"'{src[bad]}' has characters a C field cannot hold (half-width kana, A-Z, 0-9, space, ( ) - . / , only)", row=bad, field=where)
        over = src.str.len_chars() > f.width
        fitted = src.str.slice(0, f.width)
    else:
        bad = _first_bad(src.str.contains(r"[\r\n]"))
        if bad is not None:
            raise WriteError("a line break cannot be written in a fixed-width field", row=bad, field=where)
        over = src.to_frame("v").select(_cp932_len(pl.col("v")) > f.width).to_series()
        fitted = src
        if over.any():  # cut only the long values (splitting every value into characters is costly)
            idx = over.arg_true()
            cut = src.gather(idx).to_frame("v").select(truncate_bytes(pl.col("v"), f.width)).to_series()
            fitted = src.clone().scatter(idx, cut)
    if over.any():
        if f.overflow == "error":
            bad = _first_bad(over)
            raise WriteError(f"'{src[bad]}' is longer than {f.width} bytes", row=bad, field=where)
        idx = over.arg_true()
        truncations.append(
            pl.DataFrame(
                {"row": idx.cast(pl.Int64), "field": [f.name] * idx.len(), "original": src.gather(idx), "written": fitted.gather(idx)},
                schema=TRUNCATION_SCHEMA,
            )
        )
    return fitted.alias(f.name)


def _encode_record(
    record: FixedRecord, frame: pl.DataFrame, layout: FixedLayout, truncations: list[pl.DataFrame], out: np.ndarray | None = None
) -> np.ndarray:
    """The records of ``frame`` as an ``(n, length + 2)`` byte matrix, written into ``out`` when given (one buffer per file)."""
    L = layout.record_length
    if out is None:
        out = np.empty((frame.height, L + len(LINE_END)), dtype=np.uint8)
    out[:, :L] = _SPACE
    for i, b in enumerate(LINE_END):
        out[:, L + i] = b
    for off, f in zip(record.offsets, record.fields):
        if f.is_filler:
            continue
        digits = _number_digits(f, record, frame)
        if digits is not None:
            out[:, off : off + f.width] = digits
            continue
        values = _field_values(f, record, frame, layout, truncations)
        scatter_column(out, off, f.width, values, layout.encoding, f"{f.label} ({f.name})")
    return out


def _number_digits(f: FixedField, record: FixedRecord, frame: pl.DataFrame) -> np.ndarray | None:
    """An N int or date field as an ``(n, width)`` block of ASCII digits, computed in numpy; None: use the text path.

    The same bytes and the same refusals as :func:`_field_values` (an
    unsigned field with a negative value, a value wider than the field): a
    value the text path would refuse goes to it, so its message is the one
    raised. Dates outside years 0000-9999 go to it as well.
    """
    if f.type != "N" or f.const is not None or f.value not in ("int", "date") or f.name not in frame.columns or not frame.height:
        return None
    if f.value == "int":
        src = frame.get_column(f.name).cast(pl.Int64)
        signed = any(g.sign_for == f.name for g in record.fields)
        values = src.abs().fill_null(0).to_numpy() if signed else src.fill_null(0).to_numpy()
        if (values < 0).any() or (values >= 10**f.width).any():
            return None
    else:
        if f.width != 8:
            return None
        days = frame.get_column(f.name).cast(pl.Date).to_physical()
        known = days.is_not_null().to_numpy()
        years, months, mdays = days_ymd(days.fill_null(0).to_numpy())
        if ((years < 0) | (years > 9999)).any():
            return None
        values = np.where(known, years * 10_000 + months * 100 + mdays, 0)  # unknown is 00000000
    weights = 10 ** np.arange(f.width - 1, -1, -1, dtype=np.int64)
    return ((values[:, None] // weights) % 10 + 0x30).astype(np.uint8)


def _plain_record(record: FixedRecord, values: dict[str, Any], layout: FixedLayout) -> bytes | None:
    """A header, trailer or end record of digits, dates, signs and constants, built in plain Python; None: anything else.

    The bytes :func:`_encode_record` makes of a one-row frame of ``values``,
    without its fixed cost (a few polars calls per field, a tenth of a small
    file's write). A field of another kind, or a value it would refuse, goes
    to :func:`_encode_record`, which names the problem
    (tests/formats/test_fast_careful.py compares the two).
    """
    out = bytearray(b" " * layout.record_length)
    for off, f in zip(record.offsets, record.fields):
        if f.is_filler:
            continue
        if f.const is not None:
            text = f.const
        elif f.sign_for is not None:
            v = values.get(f.sign_for)
            if not isinstance(v, int) or isinstance(v, bool):
                return None
            text = "-" if v < 0 else " "
        elif f.type != "N" or f.name not in values:
            return None
        else:
            v = values[f.name]
            if f.value == "int" and (v is None or (isinstance(v, int) and not isinstance(v, bool))):
                v = 0 if v is None else abs(v) if any(g.sign_for == f.name for g in record.fields) else v
                if not 0 <= v < 10**f.width:
                    return None
                text = f"{v:0{f.width}d}"
            elif f.value == "date" and f.width == 8 and (v is None or (type(v) is _dt.date and 0 <= v.year <= 9999)):
                text = "00000000" if v is None else f"{v.year:04d}{v.month:02d}{v.day:02d}"
            elif f.value == "text" and (v is None or (isinstance(v, str) and v.isascii() and (v.isdigit() or not v) and len(v) <= f.width)):
                text = (v or "").zfill(f.width)
            else:
                return None
        raw = text.encode(layout.encoding)
        if len(raw) != f.width:
            return None
        out[off : off + f.width] = raw
    return bytes(out)


def write_fixed(
    layout: FixedLayout, fd: FixedFile, frame: pl.DataFrame, header_values: dict[str, Any]
) -> tuple[bytes, pl.DataFrame]:
    """Encode a whole file (header, data, trailer, end); return bytes and truncations.

    ``header_values`` holds the header fields other than データ区分 and 種別
    (e.g. ``municipality_code``, ``created_on``, ``seq``). Trailer counts and
    totals are computed from ``frame``.
    """
    truncations: list[pl.DataFrame] = []
    n = frame.height
    whole = np.empty((n + 3, layout.record_length + len(LINE_END)), dtype=np.uint8)  # every record of the file, encoded in place

    def single(role: str, values: dict[str, Any], row: int) -> None:  # a header, trailer or end record
        record = layout.records[getattr(fd, role)]
        plain = _plain_record(record, values, layout)
        if plain is None:
            _encode_record(record, pl.DataFrame([values]) if values else pl.DataFrame({"_": [0]}), layout, [], whole[row : row + 1])
        else:
            whole[row, : layout.record_length] = np.frombuffer(plain, dtype=np.uint8)
            whole[row, layout.record_length :] = np.frombuffer(LINE_END, dtype=np.uint8)

    single("header", {**header_values, "kind_code": fd.kind_code}, 0)
    _encode_record(layout.records[fd.data], frame, layout, truncations, whole[1 : n + 1])
    trailer: dict[str, Any] = {fd.trailer_count: frame.height}
    if fd.trailer_hits is not None and fd.hit_field is not None:
        hits = (frame.get_column(fd.hit_field) == fd.hit_value).fill_null(False)
        trailer[fd.trailer_hits] = int(hits.sum())
        if fd.trailer_total is not None and fd.total_of is not None:
            trailer[fd.trailer_total] = int(frame.get_column(fd.total_of).filter(hits).fill_null(0).sum())
    for f in layout.records[fd.trailer].fields:
        if f.type == "N" and f.const is None and f.name not in trailer:
            trailer[f.name] = 0
    single("trailer", trailer, n + 1)
    single("end", {}, n + 2)
    data = whole.tobytes()
    trunc = pl.concat(truncations) if truncations else pl.DataFrame(schema=TRUNCATION_SCHEMA)
    return data, trunc.sort("row", maintain_order=True)
