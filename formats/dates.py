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
from typing import NamedTuple

import numpy as np
import polars as pl

__all__ = [
    "ERAS",
    "parse_date",
    "yyyymmdd_to_date",
    "ymd_days",
    "date_to_yyyymmdd",
    "wareki7_to_date",
    "date_to_wareki7",
    "date_to_wareki_text",
    "era_parts",
    "EraParts",
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


def _int(e: pl.Expr) -> pl.Expr:
    return e.cast(pl.Int32, strict=False)


def _dates_from_parts(parts: pl.DataFrame) -> pl.Series:
    """Dates from columns ``y`` (西暦, or null), ``era``, ``ey`` (year in era), ``m``, ``d``.

    Computed step by step in one frame so that every intermediate column is
    evaluated once (a nested expression would repeat its subtrees). A date
    that does not exist, or a 和暦 date outside its era, is null.
    """
    starts = {digit: start for digit, _, _, start in ERAS}
    following = {digit: starts.get(digit + 1, _dt.date(9999, 12, 31)) for digit in starts}
    first_years = {k: v.year for k, v in starts.items()}
    y, m, d = pl.col("y"), pl.col("m"), pl.col("d")
    out = (
        parts.with_columns(
            y=pl.when(y.is_not_null())
            .then(y)
            .otherwise(pl.col("era").replace_strict(first_years, default=None, return_dtype=pl.Int32) + pl.col("ey") - 1),
            _start=pl.col("era").replace_strict(starts, default=None, return_dtype=pl.Date),
            _end=pl.col("era").replace_strict(following, default=None, return_dtype=pl.Date),
        )
        .with_columns(_ok_ym=y.is_between(1, 9999) & m.is_between(1, 12))
        .with_columns(
            _first=pl.date(pl.when(pl.col("_ok_ym")).then(y).otherwise(2000), pl.when(pl.col("_ok_ym")).then(m).otherwise(1), 1)
        )
        .with_columns(_ok=pl.col("_ok_ym") & d.is_between(1, 31) & (d <= pl.col("_first").dt.month_end().dt.day()))
        .with_columns(_date=pl.when(pl.col("_ok")).then(pl.col("_first") + pl.duration(days=d - 1)))
        .select(
            pl.when(
                pl.col("era").is_null()
                | ((pl.col("_date") >= pl.col("_start")) & (pl.col("_date") < pl.col("_end")) & (pl.col("ey") >= 1))
            ).then(pl.col("_date"))
        )
    )
    return out.to_series()


def _parse_series(s: pl.Series) -> pl.Series:
    text = s.cast(pl.Utf8).str.normalize("NFKC").str.strip_chars().str.to_uppercase()
    f = pl.DataFrame({"s": text}).with_columns(
        pl.col("s").str.extract_groups(_RE_SEIREKI).alias("a"),
        pl.col("s").str.extract_groups(_RE_COMPACT).alias("b"),
        pl.col("s").str.extract_groups(_RE_WAREKI_WORDS).alias("c"),
        pl.col("s").str.extract_groups(_RE_WAREKI_LETTER).alias("e"),
        pl.col("s").str.extract_groups(_RE_WAREKI7).alias("w"),
    )

    def field(group: str, i: int) -> pl.Expr:
        return pl.col(group).struct.field(str(i))

    def era_year(token: pl.Expr) -> pl.Expr:
        return pl.when(token == "元").then(pl.lit(1, pl.Int32)).otherwise(_int(token))

    parts = f.select(
        y=_int(pl.coalesce(field("a", 1), field("b", 1))),
        era=pl.coalesce(_era_digit(field("c", 1)), _era_digit(field("e", 1)), _era_digit(field("w", 1))),
        ey=pl.coalesce(era_year(field("c", 2)), era_year(field("e", 2)), _int(field("w", 2))),
        m=_int(pl.coalesce(field("a", 2), field("b", 2), field("c", 3), field("e", 3), field("w", 3))),
        d=_int(pl.coalesce(field("a", 3), field("b", 3), field("c", 4), field("e", 4), field("w", 4))),
    )
    return _dates_from_parts(parts)


def _wareki7_series(s: pl.Series) -> pl.Series:
    g = pl.DataFrame({"s": s.cast(pl.Utf8).str.strip_chars()}).select(pl.col("s").str.extract_groups(_RE_WAREKI7).alias("g")).unnest("g")
    parts = g.select(
        y=pl.lit(None, pl.Int32),
        era=_int(pl.col("1")),
        ey=_int(pl.col("2")),
        m=_int(pl.col("3")),
        d=_int(pl.col("4")),
    )
    return _dates_from_parts(parts)


def parse_date(e: pl.Expr) -> pl.Expr:
    """Parse every birth-date notation of inputs.md; null when empty or invalid.

    Accepted: ``YYYY-MM-DD``, ``YYYY/MM/DD``, ``YYYYMMDD``, ``昭和45年3月12日``,
    ``S45.3.12`` (M/T/S/H/R), 和暦7桁 ``3450312``; 元年 for year 1. Full-width
    digits and surrounding spaces are tolerated (NFKC).
    """
    return e.map_batches(_parse_series, return_dtype=pl.Date)


_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def ymd_days(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Integer year, month, day columns → (days since 1970-01-01, is a real Gregorian date).

    For the codecs' byte paths (DAIS ``YYYYMMDD``, pipitLINQ 和暦7桁), which read
    dates as integers instead of parsing text; where not real the days are 0.
    """
    leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    mm = np.clip(m, 0, 12)
    real = (m >= 1) & (m <= 12) & (d >= 1) & (d <= _MONTH_DAYS[mm] + ((mm == 2) & leap))
    # days from the civil date in integers (H. Hinnant's days_from_civil): a few array passes, no datetime64
    yy = y - (mm <= 2)
    era = yy // 400
    yoe = yy - era * 400
    doy = (153 * np.where(mm > 2, mm - 3, mm + 9) + 2) // 5 + d - 1
    days = era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468
    return np.where(real, days, 0), real


def days_ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Days since 1970-01-01 → integer (year, month, day) columns: the inverse of :func:`ymd_days`.

    For the codecs' writers (DAIS ``YYYYMMDD`` digits), in integers (H. Hinnant's
    civil_from_days): a few array passes, no datetime64.
    """
    z = days.astype(np.int64) + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    m = np.where(mp < 10, mp + 3, mp - 9)
    return yoe + era * 400 + (m <= 2), m, doy - (153 * mp + 2) // 5 + 1


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
    return e.map_batches(_wareki7_series, return_dtype=pl.Date)


class EraParts(NamedTuple):
    """The 和暦 of a date column, as expressions (null where the date is null or before 明治)."""

    digit: pl.Expr  #: the era's digit of 和暦7桁 (Int64)
    letter: pl.Expr  #: M T S H R
    name: pl.Expr  #: 明治 … 令和
    year: pl.Expr  #: the year within the era, 1 for 元年 (Int64)


def era_parts(e: pl.Expr) -> EraParts:
    """Which era a date falls in and its year there, from :data:`ERAS` (the one era table).

    >>> import datetime as dt
    >>> parts = era_parts(pl.col("d"))
    >>> pl.DataFrame({"d": [dt.date(2019, 5, 1)]}).select(parts.name, parts.year).row(0)
    ('令和', 1)
    """
    digit, letter, name, first = (pl.lit(None, dtype=t) for t in (pl.Int64, pl.Utf8, pl.Utf8, pl.Int64))
    for e_digit, e_letter, e_name, start in ERAS:  # oldest first: a later era overrides
        since = e >= pl.lit(start)
        digit = pl.when(since).then(pl.lit(e_digit, pl.Int64)).otherwise(digit)
        letter = pl.when(since).then(pl.lit(e_letter)).otherwise(letter)
        name = pl.when(since).then(pl.lit(e_name)).otherwise(name)
        first = pl.when(since).then(pl.lit(start.year, pl.Int64)).otherwise(first)
    return EraParts(digit, letter, name, e.dt.year().cast(pl.Int64) - first + 1)


def date_to_wareki_text(e: pl.Expr) -> pl.Expr:
    """A date as documents write it: ``令和8年1月15日``, ``平成元年1月8日``; null stays null.

    >>> import datetime as dt
    >>> pl.DataFrame({"d": [dt.date(1989, 1, 8)]}).select(date_to_wareki_text(pl.col("d"))).item()
    '平成元年1月8日'
    """
    era = era_parts(e)
    year = pl.when(era.year == 1).then(pl.lit("元")).otherwise(era.year.cast(pl.Utf8))
    return pl.concat_str([era.name, year, pl.lit("年"), e.dt.month().cast(pl.Utf8), pl.lit("月"), e.dt.day().cast(pl.Utf8), pl.lit("日")])


def date_to_wareki7(e: pl.Expr) -> pl.Expr:
    """Gregorian date → 和暦7桁 (昭和45年3月12日 → ``3450312``); null → empty."""
    era = era_parts(e)
    text = pl.concat_str([era.digit.cast(pl.Utf8), era.year.cast(pl.Utf8).str.zfill(2), e.dt.strftime("%m%d")])
    return text.fill_null("")
