"""Kana names in the forms the two services expect, and the check behind them.

Both request files carry the person's kana name as the office knows it, but
in the service's own form (spec/README "Kana"):

* :func:`to_zengin` — DAIS ``C`` fields, Zengin half-width: half-width
  katakana, small kana written large (``ｷﾕｳ``), long vowel ``-``, ``ｦ`` as
  ``ｵ``, ヰ/ヱ as ｲ/ｴ, dakuten as separate characters (``ｶﾞ``), one space
  between family and given name, letters ``A-Z``, digits and the symbols
  ``( ) - . /`` only;
* :func:`to_fullwidth` — pipitLINQ: the same name in full-width katakana, long
  vowel ``ー``, an ideographic space U+3000 between family and given name;
* :func:`kana_problem` — why a master kana cannot be sent (null when it can).
  A kanji left in a kana field is a reject, never sent: the bank searches by
  kana and would search for nothing, or for someone else.

Unlike :func:`matching.names.name_key`, these forms keep ヂ/ヅ (``ﾁﾞ``/``ﾂﾞ``)
and ヴ (``ｳﾞ``): the bank's search should see what the office registered.
``・``, ``,``, ``、`` and ``=`` (``＝`` in foreign names) between parts of a
name become the one space (banks accept none of them); several spaces
collapse to one. Null or blank input
gives null and no problem (a missing kana is read from kanji instead, see
:mod:`matching.reading`).

>>> import polars as pl
>>> df = pl.DataFrame({"n": ["ヤマダ　タロウ", "きょうこ", "ジョージ・ワシントン", "山田　太郎"]})
>>> df.select(to_zengin(pl.col("n"))).to_series().to_list()
['ﾔﾏﾀﾞ ﾀﾛｳ', 'ｷﾖｳｺ', 'ｼﾞﾖ-ｼﾞ ﾜｼﾝﾄﾝ', None]
>>> df.select(kana_problem(pl.col("n"))).to_series().to_list()[3]
'カナ氏名に漢字が含まれています: 山田 太郎'
"""

from __future__ import annotations

import unicodedata

import polars as pl

from matching.names import _DASHES, _KEY_FOLDS, _SMALL_TO_LARGE, _char_map, _early, _hira_to_kata, _kana_letters

__all__ = ["kana_problem", "to_fullwidth", "to_zengin"]

# --- the common full-width intermediate --------------------------------------
# After rules 1-5 of the name key plus ヲ/ヰ/ヱ, the name is full-width
# katakana (composed dakuten), ASCII space, "-" for every long vowel, ASCII
# upper-case letters, digits and symbols. Both output forms are one table
# away from it, and the allowed-character check runs on it.

# ヲヰヱ, and ヸヹヺ (no Zengin spelling), fold as in the name key, so that the bank's ﾋﾞ and
# the office's ヸ meet; the other folds of the key (ヂ, ヅ, ヴ, ヷ) stay, Zengin has them
_FORM_FOLDS: dict[str, str] = {k: _KEY_FOLDS[k] for k in "ヲヰヱヸヹヺ"}
_FORM_SPACES: str = "\u3000\t・·,、="


def _form_per_char() -> dict[str, str]:
    table: dict[str, str] = {}
    for letter in _kana_letters():
        k = _hira_to_kata(letter)
        k = _SMALL_TO_LARGE.get(k, k)
        table[letter] = _FORM_FOLDS.get(k, k)
    for small, large in _SMALL_TO_LARGE.items():
        table[small] = large
    for d in _DASHES:
        table[d] = "-"
    for sp in _FORM_SPACES:
        table[sp] = " "
    # a dakuten NFKC could not attach (ｱﾞ, ヵ゛) is dropped, as in the name key
    table["\u3099"] = ""
    table["\u309a"] = ""
    for o in range(ord("a"), ord("z") + 1):
        table[chr(o)] = chr(o).upper()
    return table


_FORM_MAP = _char_map(_form_per_char())
_FORM_FROM, _FORM_TO = list(_FORM_MAP), list(_FORM_MAP.values())

#: What the intermediate may contain: full-width katakana with composed
#: dakuten (no small kana, ヰヱヲ are folded already), ヴ, ヷ, A-Z, 0-9,
#: space and ( ) - . /
_ALLOWED = r"\x{30A1}-\x{30F4}\x{30F7}A-Z0-9 ()\-./"
_KANJI = r"[\p{Han}々〆ヶ]+"


def _intermediate(e: pl.Expr) -> pl.Expr:
    """NFKC'd, katakana, large, ヲヰヱ folded, one space between parts."""
    return (
        _early(e)
        .str.replace_many(_FORM_FROM, _FORM_TO, leftmost=True)
        .str.replace_all(r" {2,}", " ")
        .str.strip_chars(" ")
    )


def kana_problem(e: pl.Expr) -> pl.Expr:
    """Plain-words reason why a kana name cannot be sent, or null if it can.

    Checked on the normalised name, so half-width, hiragana and small kana
    are fine; what remains is kanji (the kana field was filled with the kanji
    name), other characters no bank accepts, or nothing at all.

    >>> import polars as pl
    >>> df = pl.DataFrame({"n": ["やまだ たろう", "ヤマダ　太郎", "ヤマダ＠", "・", None]})
    >>> df.select(kana_problem(pl.col("n"))).to_series().to_list()
    [None, 'カナ氏名に漢字が含まれています: 太郎', 'カナ氏名に使用できない文字が含まれています: @', 'カナ氏名に有効な文字がありません', None]
    """
    problem = e.map_batches(_problems, return_dtype=pl.String, is_elementwise=True)
    # keep the input's column name, as the other functions here do
    return problem.alias(e.meta.output_name(raise_if_undetermined=False) or "kana_problem")


def _problems(names: pl.Series) -> pl.Series:
    """:func:`kana_problem` of a column, as staged steps: the normalised name, its kanji and its other
    characters are each computed once (as one expression, the when/then chain evaluated the
    normalisation five times over: eager polars shares no sub-expression)."""
    c = pl.col
    return (
        names.cast(pl.String).rename("n").to_frame().lazy()
        .with_columns(inter=_intermediate(c("n")))
        .with_columns(kanji=c("inter").str.extract_all(_KANJI).list.join(" "), other=c("inter").str.replace_all(f"[{_ALLOWED}]", ""))
        .select(
            pl.when(c("n").is_null() | (c("n").str.strip_chars().str.len_chars() == 0))
            .then(pl.lit(None, dtype=pl.String))
            .when(c("kanji").str.len_chars() > 0)
            .then(pl.lit("カナ氏名に漢字が含まれています: ") + c("kanji"))
            .when(c("other").str.len_chars() > 0)
            .then(pl.lit("カナ氏名に使用できない文字が含まれています: ") + c("other"))
            .when(c("inter").str.len_chars() == 0)
            .then(pl.lit("カナ氏名に有効な文字がありません"))
        )
        .collect()
        .to_series()
        .rename(names.name)
    )


def _sendable(e: pl.Expr) -> pl.Expr:
    """The intermediate, or null when :func:`kana_problem` would object."""
    return e.map_batches(_sendable_column, return_dtype=pl.String, is_elementwise=True)


def _sendable_column(names: pl.Series) -> pl.Series:
    """:func:`_sendable` of a column, the intermediate computed once (as one expression it ran twice)."""
    c = pl.col
    return (
        names.cast(pl.String).rename("n").to_frame().lazy()
        .with_columns(inter=_intermediate(c("n")))
        .select(pl.when(c("inter").str.contains(f"^[{_ALLOWED}]+$")).then(c("inter")))
        .collect()
        .to_series()
        .rename(names.name)
    )


# --- Zengin half-width ---------------------------------------------------------


def _half_width_map() -> dict[str, str]:
    """Full-width katakana (and the intermediate's marks) → JIS X 0201."""
    full_to_half: dict[str, str] = {}
    for o in range(0xFF61, 0xFFA0):
        half = chr(o)
        full = unicodedata.normalize("NFKC", half)
        full_to_half.setdefault(full, half)
    table: dict[str, str] = {}
    for o in list(range(0x30A1, 0x30F5)) + [0x30F7]:
        k = chr(o)
        if k in full_to_half:
            table[k] = full_to_half[k]
            continue
        base, *marks = unicodedata.normalize("NFD", k)
        if base in full_to_half and marks:
            table[k] = full_to_half[base] + "".join(full_to_half[m] for m in marks)
    return table


_HALF_MAP = _half_width_map()


def to_zengin(e: pl.Expr) -> pl.Expr:
    """Zengin half-width kana for DAIS ``C`` fields; null when not representable.

    >>> import polars as pl
    >>> df = pl.DataFrame({"n": ["ヴァレンティーナ", "シヅヲ", "ｻﾄｳ  ﾊﾅｺ"]})
    >>> df.select(to_zengin(pl.col("n"))).to_series().to_list()
    ['ｳﾞｱﾚﾝﾃｲ-ﾅ', 'ｼﾂﾞｵ', 'ｻﾄｳ ﾊﾅｺ']
    """
    return _sendable(e).str.replace_many(_HALF_MAP)


# --- full width (pipitLINQ) --------------------------------------------------------

_FULL_MAP: dict[str, str] = {
    "-": "ー",
    " ": "\u3000",
    **{chr(o): chr(o + 0xFEE0) for o in range(ord("A"), ord("Z") + 1)},
    **{chr(o): chr(o + 0xFEE0) for o in range(ord("0"), ord("9") + 1)},
    **{c: chr(ord(c) + 0xFEE0) for c in "()./"},
}


def to_fullwidth(e: pl.Expr) -> pl.Expr:
    """pipitLINQ kana: full-width katakana, ``ー``, U+3000 between the parts.

    Same rules as :func:`to_zengin` (small kana large, ヲ → オ) in full width;
    letters, digits and ``( ) . /`` become their full-width forms. Null when
    not representable.

    >>> import polars as pl
    >>> df = pl.DataFrame({"n": ["ｷｮｳｺ ｻﾄｰ", "じょーじ・わしんとん"]})
    >>> df.select(to_fullwidth(pl.col("n"))).to_series().to_list()
    ['キヨウコ\\u3000サトー', 'ジヨージ\\u3000ワシントン']
    """
    return _sendable(e).str.replace_many(_FULL_MAP)
