"""Bytes → text, and the one shape of a rejected row, with file and line.

Offices hand over files saved by Excel (cp932, or UTF-8 with a BOM) and by
core systems (UTF-8 without BOM). Decoding is detected, never guessed
silently: a byte sequence valid in neither encoding stops the read with the
line it is on. (CSV records are split by ``formats._csv.split_records``.)

It also holds the one rule for control and invisible characters in text
fields (:func:`clean_text`, :func:`control_problem`), applied by both codecs
to every text cell of every file read — the office's inputs and the
services' answers alike (docs/decisions.md, "Characters"):

- line-like whitespace (CR, LF, TAB, VT, FF, NEL, U+2028, U+2029) is layout,
  not content: a run of it becomes one space (an address typed with
  Alt+Enter in Excel reads as the address);
- invisible format characters (U+FEFF, zero-width spaces and joiners, bidi
  marks and overrides, soft hyphen, word joiner…) are removed: they change
  nothing a person can see, only what a program compares;
- any other control character (C0 incl. NUL, DEL, C1) rejects the row: it
  comes from a broken export or a tampered file, not from typing, and
  removing it could silently glue two values into one.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from formats.errors import FileRejected

__all__ = ["CONTROL_CHARS", "INVISIBLE", "LINE_LIKE", "REJECT_SCHEMA", "SPECIAL", "clean_text", "control_problem", "decode_bytes", "rejects_frame"]

#: Every rejected row, whatever the file: ``file, line, reason``.
REJECT_SCHEMA: dict[str, pl.DataType] = {"file": pl.Utf8, "line": pl.Int64, "reason": pl.Utf8}

BOM = b"\xef\xbb\xbf"

#: line-like whitespace: each run becomes one space
LINE_LIKE = r"[\t\n\x0B\x0C\r\x{85}\x{2028}\x{2029}]+"
#: invisible format characters: removed
INVISIBLE = r"[\x{AD}\x{180E}\x{200B}-\x{200F}\x{202A}-\x{202E}\x{2060}-\x{2064}\x{2066}-\x{206F}\x{FEFF}\x{FFF9}-\x{FFFB}]"
#: every other control character: the row is rejected
CONTROL_CHARS = r"[\x00-\x08\x0E-\x1F\x7F\x{80}-\x{84}\x{86}-\x{9F}]"

#: any character the rule acts on: a column without one needs no cleaning
SPECIAL = f"{CONTROL_CHARS}|{INVISIBLE}|{LINE_LIKE}"


def clean_text(e: pl.Expr) -> pl.Expr:
    """The text column with invisible characters removed and line-like whitespace as one space.

    Control characters are left in place for :func:`control_problem` to
    reject the row; the rule is stated in the module docstring.
    """
    return e.str.replace_all(INVISIBLE, "").str.replace_all(LINE_LIKE, " ")


def control_problem(e: pl.Expr, where: str) -> pl.Expr:
    """``"<where>: 制御文字 U+001F を含む (control character)"`` where the text holds one, else null.

    Names the first control character by its code point, so the office can
    find it in the core system's export (it is invisible in Excel).
    """
    found = e.str.extract("(" + CONTROL_CHARS + ")", 1)
    name = found.replace_strict(_CONTROL_NAMES, default="U+????", return_dtype=pl.Utf8)
    return pl.when(found.is_not_null()).then(pl.concat_str([pl.lit(f"{where}: 制御文字 "), name, pl.lit(" を含む (control character)")]))


_CONTROL_NAMES = {chr(c): f"U+{c:04X}" for c in [*range(0x09), *range(0x0E, 0x20), 0x7F, *range(0x80, 0x85), *range(0x86, 0xA0)]}


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
