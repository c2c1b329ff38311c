"""Dates as the offices and the services write them, as polars expressions.

Offices export birth dates in half a dozen notations (西暦 with or without
separators, 和暦 in words or with an era letter, 和暦7桁, 元年); DAIS writes
``YYYYMMDD`` with ``00000000`` for unknown; pipitLINQ writes 和暦7桁. Every
function here works on a whole column and turns anything it cannot read into
null, so that the caller decides whether null means "unknown" or "reject".

A 和暦 date is valid only inside its era: 平成31年5月1日 does not exist
(令和元年5月1日 does), 昭和64年1月7日 does, 昭和64年1月8日 does not.

>>> import polars as pl
>>> df = pl.DataFrame({"s": ["1970-03-12", "昭和45年3月12日", "S45.3.12", "3450312", "平成31年5月1日"]})
>>> df.select(parse_date(pl.col("s"))).to_series().to_list()  # doctest: +NORMALIZE_WHITESPACE
[datetime.date(1970, 3, 12), datetime.date(1970, 3, 12), datetime.date(1970, 3, 12),
 datetime.date(1970, 3, 12), None]
"""

from __future__ import annotations

import datetime as _dt

import polars as pl

__all__ = [
    "ERAS",
    "parse_date",
    "yyyymmdd_to_date",
    "date_to_yyyymmdd",
    "wareki7_to_date",
    "date_to_wareki7",
]

#: (digit of 和暦7桁, letter, name, first day). An era ends the day before the next begins.
ERAS: tuple[tuple[int, str, str, _dt.date], ...] = (
    (1, "M", "明治", _dt.date(1868, 1, 1)),
    (2, "T", "大正", _dt.date(1912, 7, 30)),
    (3, "S", "昭和", _dt.date(1926, 12, 25)),
    (4, "H", "平成", _dt.date(1989, 1, 8)),
    (5, "R", "令和", _dt.date(2019, 5, 1)),
)

_ERA_NAMES = "|".join(name for _, _, name, _ in ERAS)
_ERA_LETTERS = "".join(letter for _, letter, _, _ in ERAS)

_RE_SEIREKI = r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$"
_RE_COMPACT = r"^(\d{4})(\d{2})(\d{2})$"
_RE_WAREKI_WORDS = rf"^({_ERA_NAMES})(\d{{1,2}}|元)年(\d{{1,2}})月(\d{{1,2}})日$"
_RE_WAREKI_LETTER = rf"^([{_ERA_LETTERS}])(\d{{1,2}}|元)[./](\d{{1,2}})[./](\d{{1,2}})$"
_RE_WAREKI7 = r"^([1-5])(\d{2})(\d{2})(\d{2})$"


def _era_digit(token: pl.Expr) -> pl.Expr:
    """Map an era name, letter or digit (as text) to the digit of 和暦7桁."""
    mapping: dict[str, int] = {}
    for digit, letter, name, _ in ERAS:
        mapping[str(digit)] = digit
        mapping[letter] = digit
        mapping[name] = digit
    return token.replace_strict(mapping, default=None, return_dtype=pl.Int32)


def _ymd(y: pl.Expr, m: pl.Expr, d: pl.Expr) -> pl.Expr:
    """Build a date from integer parts; an impossible date (2月30日) gives null."""
    text = pl.format(
        "{}-{}-{}",
        y.cast(pl.Utf8).str.zfill(4),
        m.cast(pl.Utf8).str.zfill(2),
        d.cast(pl.Utf8).str.zfill(2),
    )
    return text.str.to_date("%Y-%m-%d", strict=False)


def _from_era(era: pl.Expr, year_in_era: pl.Expr, m: pl.Expr, d: pl.Expr) -> pl.Expr:
    """Gregorian date of an era date, null when the date lies outside its era."""
    starts = {digit: start for digit, _, _, start in ERAS}
    first_year = era.replace_strict({k: v.year for k, v in starts.items()}, default=None, return_dtype=pl.Int32)
    date = _ymd(first_year + year_in_era - 1, m, d)
    start = era.replace_strict(starts, default=None, return_dtype=pl.Date)
    following = {digit: starts.get(digit + 1, _dt.date(9999, 12, 31)) for digit in starts}
    end = era.replace_strict(following, default=None, return_dtype=pl.Date)
    return pl.when((date >= start) & (date < end) & (year_in_era >= 1)).then(date).otherwise(None)


def _era_year(token: pl.Expr) -> pl.Expr:
    return pl.when(token == "元").then(pl.lit(1)).otherwise(token.cast(pl.Int32, strict=False))


def parse_date(e: pl.Expr) -> pl.Expr:
    """Parse every birth-date notation of inputs.md; null when empty or invalid.

    Accepted: ``YYYY-MM-DD``, ``YYYY/MM/DD``, ``YYYYMMDD``, ``昭和45年3月12日``,
    ``S45.3.12`` (M/T/S/H/R), 和暦7桁 ``3450312``; 元年 for year 1. Full-width
    digits and surrounding spaces are tolerated (NFKC).
    """
    s = e.cast(pl.Utf8).str.normalize("NFKC").str.strip_chars().str.to_uppercase()
    seireki = s.str.extract_groups(_RE_SEIREKI)
    compact = s.str.extract_groups(_RE_COMPACT)
    words = s.str.extract_groups(_RE_WAREKI_WORDS)
    letter = s.str.extract_groups(_RE_WAREKI_LETTER)
    w7 = s.str.extract_groups(_RE_WAREKI7)

    def i(expr: pl.Expr) -> pl.Expr:
        return expr.cast(pl.Int32, strict=False)

    def era_date(groups: pl.Expr) -> pl.Expr:
        f = groups.struct
        return _from_era(_era_digit(f.field("1")), _era_year(f.field("2")), i(f.field("3")), i(f.field("4")))

    def plain_date(groups: pl.Expr) -> pl.Expr:
        f = groups.struct
        return _ymd(i(f.field("1")), i(f.field("2")), i(f.field("3")))

    return pl.coalesce(
        plain_date(seireki),
        plain_date(compact),
        era_date(words),
        era_date(letter),
        era_date(w7),
    )


def yyyymmdd_to_date(e: pl.Expr) -> pl.Expr:
    """DAIS dates: ``YYYYMMDD``; ``00000000`` or blank means unknown (null)."""
    s = e.cast(pl.Utf8).str.strip_chars()
    return pl.when(s.is_in(["", "00000000"]) | s.is_null()).then(None).otherwise(
        s.str.to_date("%Y%m%d", strict=False)
    )


def date_to_yyyymmdd(e: pl.Expr) -> pl.Expr:
    """DAIS dates: unknown (null) is written ``00000000``."""
    return e.dt.strftime("%Y%m%d").fill_null("00000000")


def wareki7_to_date(e: pl.Expr) -> pl.Expr:
    """pipitLINQ dates: era digit + YYMMDD; empty means unknown; out-of-era is null."""
    s = e.cast(pl.Utf8).str.strip_chars()
    g = s.str.extract_groups(_RE_WAREKI7).struct
    era = g.field("1").cast(pl.Int32, strict=False)
    return _from_era(era, g.field("2").cast(pl.Int32), g.field("3").cast(pl.Int32), g.field("4").cast(pl.Int32))


def date_to_wareki7(e: pl.Expr) -> pl.Expr:
    """Gregorian date → 和暦7桁 (昭和45年3月12日 → ``3450312``); null → empty."""
    era = pl.lit(None, dtype=pl.Int32)
    first_year = pl.lit(None, dtype=pl.Int32)
    for digit, _, _, start in ERAS:
        era = pl.when(e >= pl.lit(start)).then(pl.lit(digit)).otherwise(era)
        first_year = pl.when(e >= pl.lit(start)).then(pl.lit(start.year)).otherwise(first_year)
    year_in_era = (e.dt.year() - first_year + 1).cast(pl.Utf8).str.zfill(2)
    text = pl.concat_str([era.cast(pl.Utf8), year_in_era, e.dt.strftime("%m%d")])
    return text.fill_null("")
