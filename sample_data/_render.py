"""Notations: how one true value (a kana name, a date, an address) is written.

The synthetic office and the simulated banks hold every person's attributes in
one canonical form; this module writes them the many ways real files do
(inputs.md, kana.md §1 and §4). Everything works on whole columns: kana
conversions are computed once per *distinct* name part and mapped back.

The bank side's Zengin rendering is written here on purpose rather than
borrowed from ``matching.kana``: the simulated banks must not share the
project's normaliser, or a bug in it would be invisible in the measurements.

>>> import polars as pl
>>> pl.select(zengin(pl.lit("キョウコ"))).item()
'ｷﾖｳｺ'
>>> pl.select(kanji_number(pl.lit(23, pl.Int64))).item()
'二十三'
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

import jaconv
import polars as pl

from formats.dates import date_to_wareki_text, era_parts

__all__ = [
    "KANA_NOTATIONS",
    "DATE_NOTATIONS",
    "ADDRESS_NOTATIONS",
    "zengin",
    "enlarge_small",
    "hiragana",
    "halfwidth_raw",
    "bank_key",
    "kanji_number",
    "fullwidth_digits",
    "render_date",
    "render_address",
    "render_address_frame",
    "pick",
    "map_distinct",
]

KANA_NOTATIONS = ("fw_ideo", "fw_space", "fw_nospace", "hiragana", "halfwidth", "zengin", "empty")
DATE_NOTATIONS = ("iso", "slash", "compact", "wareki_kanji", "wareki_short", "wareki7")
ADDRESS_NOTATIONS = (
    "kanji_chome",  # 東京都新宿区西新宿二丁目8番1号
    "digit_chome",  # 東京都新宿区西新宿2丁目8番1号
    "hyphen",  # 新宿区西新宿2-8-1
    "fullwidth_hyphen",  # 新宿区西新宿２－８－１
    "town_only",  # 西新宿2丁目8-1
    "all_kanji",  # 東京都新宿区西新宿二丁目八番一号
    "no",  # 新宿区西新宿2の8の1
    "choon",  # 東京都新宿区西新宿２ー８ー１
    "banchi",  # 東京都新宿区西新宿2丁目8番地1
)

_SMALL = str.maketrans("ァィゥェォッャュョヮヵヶ", "アイウエオツヤユヨワカケ")
_ZENGIN_FOLD = str.maketrans({"ヲ": "オ", "ヰ": "イ", "ヱ": "エ", "ー": "-", "　": " "})


def map_distinct(expr: pl.Expr, fn: Callable[[str], str]) -> pl.Expr:
    """Apply a Python string function once per distinct value of a column."""

    def batch(s: pl.Series) -> pl.Series:
        uniq = s.drop_nulls().unique()
        mapping = {v: fn(v) for v in uniq.to_list()}
        return s.replace_strict(mapping, default=None, return_dtype=pl.Utf8)

    return expr.map_batches(batch, return_dtype=pl.Utf8)


def _zengin_one(text: str) -> str:
    text = text.translate(_SMALL).translate(_ZENGIN_FOLD)
    text = jaconv.z2h(text, kana=True, ascii=True, digit=True)
    return text.upper()


def zengin(expr: pl.Expr) -> pl.Expr:
    """Full-width katakana → Zengin half-width (small kana enlarged, ヲ→ｵ, ー→-)."""
    return map_distinct(expr, _zengin_one)


def enlarge_small(expr: pl.Expr) -> pl.Expr:
    """Full-width katakana with small kana enlarged (キョウコ → キヨウコ), as the pipitLINQ banks that cannot keep them store it."""
    return map_distinct(expr, lambda t: t.translate(_SMALL))


def hiragana(expr: pl.Expr) -> pl.Expr:
    """Katakana → hiragana (the master sometimes holds the reading in hiragana)."""
    return map_distinct(expr, jaconv.kata2hira)


def halfwidth_raw(expr: pl.Expr) -> pl.Expr:
    """Katakana → half-width as typed into an old system (small kana kept: ｷｮｳｺ)."""
    return map_distinct(expr, lambda t: jaconv.z2h(t.replace("　", " "), kana=True, ascii=True, digit=True))


def _key_one(text: str) -> str:
    text = unicodedata.normalize("NFKC", text.replace("゛", "\u3099").replace("゜", "\u309a"))
    text = jaconv.hira2kata(text).translate(_SMALL)
    text = text.translate(str.maketrans({"ヂ": "ジ", "ヅ": "ズ", "ヲ": "オ", "ヰ": "イ", "ヱ": "エ", "ヴ": "ブ", "ー": "-"}))
    return "".join(ch for ch in text if not ch.isspace()).upper()


def bank_key(expr: pl.Expr) -> pl.Expr:
    """The key a simulated bank searches its customer file with (width, small kana, spaces folded)."""
    return map_distinct(expr, _key_one)


# --- numbers -----------------------------------------------------------------

_KANJI_DIGITS = "〇一二三四五六七八九"


def _kanji(n: int) -> str:
    if n == 0:
        return "〇"
    out = ""
    for value, mark in ((1000, "千"), (100, "百"), (10, "十")):
        q, n = divmod(n, value)
        if q:
            out += ("" if q == 1 else _KANJI_DIGITS[q]) + mark
    return out + (_KANJI_DIGITS[n] if n else "")


_KANJI_TABLE = pl.Series([_kanji(i) for i in range(10000)], dtype=pl.Utf8)
_FW_TABLE = pl.Series([str(i).translate(str.maketrans("0123456789", "０１２３４５６７８９")) for i in range(10000)], dtype=pl.Utf8)


def _lookup(expr: pl.Expr, table: pl.Series) -> pl.Expr:
    def batch(s: pl.Series) -> pl.Series:
        out = table.gather(s.fill_null(0).clip(0, 9999).cast(pl.UInt32))
        if s.null_count():
            out = pl.select(pl.when(s.is_null()).then(None).otherwise(out)).to_series()
        return out.alias(s.name)

    return expr.map_batches(batch, return_dtype=pl.Utf8)


def kanji_number(expr: pl.Expr) -> pl.Expr:
    """Integers 0..9999 as kanji numerals (23 → 二十三)."""
    return _lookup(expr, _KANJI_TABLE)


def fullwidth_digits(expr: pl.Expr) -> pl.Expr:
    """Integers 0..9999 in full-width digits (23 → ２３)."""
    return _lookup(expr, _FW_TABLE)


def pick(index: pl.Expr | int, options: list[pl.Expr]) -> pl.Expr:
    """Choose ``options[index]`` row by row (index is an integer column, or one int for all rows)."""
    if isinstance(index, int):
        return options[index]
    out = options[-1]
    for i in range(len(options) - 2, -1, -1):
        out = pl.when(index == i).then(options[i]).otherwise(out)
    return out


# --- dates -------------------------------------------------------------------


def render_date(date: pl.Expr, notation: pl.Expr) -> pl.Expr:
    """Write a date in one of ``DATE_NOTATIONS`` (index per row); 元年 for an era's first year.

    >>> import datetime as dt
    >>> df = pl.DataFrame({"d": [dt.date(1970, 3, 12)] * 6 + [dt.date(1989, 1, 8)], "n": [0, 1, 2, 3, 4, 5, 3]})
    >>> df.select(render_date(pl.col("d"), pl.col("n"))).to_series().to_list()
    ['1970-03-12', '1970/03/12', '19700312', '昭和45年3月12日', 'S45.3.12', '3450312', '平成元年1月8日']
    """
    y, m, d = date.dt.year(), date.dt.month(), date.dt.day()
    era = era_parts(date)
    ey = era.year
    ey_text = pl.when(ey == 1).then(pl.lit("元")).otherwise(ey.cast(pl.Utf8))
    mm, dd = m.cast(pl.Utf8).str.zfill(2), d.cast(pl.Utf8).str.zfill(2)
    yyyy = y.cast(pl.Utf8)
    options = [
        pl.concat_str([yyyy, mm, dd], separator="-"),
        pl.concat_str([yyyy, mm, dd], separator="/"),
        pl.concat_str([yyyy, mm, dd]),
        date_to_wareki_text(date),
        pl.concat_str([era.letter, ey_text, pl.lit("."), m.cast(pl.Utf8), pl.lit("."), d.cast(pl.Utf8)]),
        pl.concat_str([era.digit.cast(pl.Utf8), ey.cast(pl.Utf8).str.zfill(2), mm, dd]),
    ]
    return pick(notation, options)


# --- addresses ---------------------------------------------------------------


def render_address(
    pref: pl.Expr,
    city: pl.Expr,
    town: pl.Expr,
    chome: pl.Expr,
    ban: pl.Expr,
    go: pl.Expr,
    building: pl.Expr,
    room: pl.Expr,
    notation: pl.Expr | int,
    building_sep: pl.Expr,
) -> pl.Expr:
    """Write an address in one of ``ADDRESS_NOTATIONS`` (index per row).

    ``chome`` 0 means a town without 丁目; ``go`` 0 means no 号. ``building``
    null means a house; ``room`` 0 means no room number. ``building_sep`` is
    0 (ideographic space), 1 (half-width space) or 2 (nothing). A single int
    ``notation`` renders every row the same way (and evaluates only that
    notation: see :func:`render_address_frame`).

    >>> df = pl.DataFrame({"p": ["東京都"], "c": ["新宿区"], "t": ["西新宿"], "ch": [2], "b": [8], "g": [1],
    ...                    "bl": ["コーポ西新宿"], "r": [102], "n": [3], "s": [0]})
    >>> df.select(render_address(*[pl.col(c) for c in df.columns])).item()
    '新宿区西新宿２－８－１\\u3000コーポ西新宿１０２号室'
    """
    has_chome = chome > 0
    has_go = go > 0
    hw = lambda e: e.cast(pl.Utf8)  # noqa: E731
    kj = kanji_number
    fw = fullwidth_digits
    fw_chome, fw_ban, fw_go, fw_room = fw(chome), fw(ban), fw(go), fw(room)
    kj_chome = kj(chome)

    def blocks(ch: pl.Expr, b: pl.Expr, g: pl.Expr, sep: str) -> pl.Expr:
        with_ch = pl.concat_str([ch, pl.lit(sep), b])
        base = pl.when(has_chome).then(with_ch).otherwise(b)
        return pl.when(has_go).then(pl.concat_str([base, pl.lit(sep), g])).otherwise(base)

    def marks(ch: pl.Expr, b: pl.Expr, g: pl.Expr, ban_mark: str = "番", go_mark: str = "号") -> pl.Expr:
        head = pl.when(has_chome).then(pl.concat_str([ch, pl.lit("丁目")])).otherwise(pl.lit(""))
        tail = pl.when(has_go).then(pl.concat_str([g, pl.lit(go_mark)])).otherwise(pl.lit(""))
        return pl.concat_str([head, b, pl.lit(ban_mark), tail])

    def mixed(ch: pl.Expr, b: pl.Expr, g: pl.Expr) -> pl.Expr:  # 2丁目8-1
        head = pl.when(has_chome).then(pl.concat_str([ch, pl.lit("丁目")])).otherwise(pl.lit(""))
        tail = pl.when(has_go).then(pl.concat_str([b, pl.lit("-"), g])).otherwise(b)
        return pl.concat_str([head, tail])

    full = pl.concat_str([pref, city, town])
    no_pref = pl.concat_str([city, town])
    options = [
        pl.concat_str([full, marks(kj_chome, hw(ban), hw(go))]),
        pl.concat_str([full, marks(hw(chome), hw(ban), hw(go))]),
        pl.concat_str([no_pref, blocks(hw(chome), hw(ban), hw(go), "-")]),
        pl.concat_str([no_pref, blocks(fw_chome, fw_ban, fw_go, "－")]),
        pl.concat_str([town, mixed(hw(chome), hw(ban), hw(go))]),
        pl.concat_str([full, marks(kj_chome, kj(ban), kj(go))]),
        pl.concat_str([no_pref, blocks(hw(chome), hw(ban), hw(go), "の")]),
        pl.concat_str([full, blocks(fw_chome, fw_ban, fw_go, "ー")]),
        pl.concat_str([full, marks(hw(chome), hw(ban), hw(go), ban_mark="番地", go_mark="")]),
    ]
    base = pick(notation, options)
    fw_notation = pl.lit(notation in (3, 7)) if isinstance(notation, int) else notation.is_in([3, 7])
    room_text = pl.when(fw_notation).then(fw_room).otherwise(hw(room))
    room_style = (room % 3).cast(pl.Int64)  # deterministic variety: 101号室 / 101号 / 101
    room_out = pick(room_style, [pl.concat_str([room_text, pl.lit("号室")]), pl.concat_str([room_text, pl.lit("号")]), room_text])
    sep = pick(building_sep, [pl.lit("\u3000"), pl.lit(" "), pl.lit("")])
    with_building = pl.concat_str([base, sep, building, pl.when(room > 0).then(room_out).otherwise(pl.lit(""))])
    return pl.when(building.is_null()).then(base).otherwise(with_building)


def render_address_frame(frame: pl.DataFrame, notation: str, building_sep: str) -> pl.Series:
    """:func:`render_address` over a frame with columns pref, city, town, chome, ban, go,
    building, room, evaluating for each row only the notation it uses (fast)."""
    parts = []
    indexed = frame.with_row_index("_row")
    for k in range(len(ADDRESS_NOTATIONS)):
        sub = indexed.filter(pl.col(notation) == k)
        if sub.height:
            parts.append(
                sub.select(
                    "_row",
                    render_address(
                        pl.col("pref"), pl.col("city"), pl.col("town"), pl.col("chome"), pl.col("ban"), pl.col("go"),
                        pl.col("building"), pl.col("room"), k, pl.col(building_sep),
                    ).alias("address"),
                )
            )
    if not parts:
        return pl.Series("address", [], dtype=pl.Utf8)
    return pl.concat(parts).sort("_row")["address"]
