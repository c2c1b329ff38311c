"""Address parts for comparing a bank's 届出住所 with a person's addresses.

Addresses are written many ways (一丁目二番三号, 1丁目2番3号, 1-2-3, １－２－３,
with or without prefecture, building and room, 霞ヶ関/霞ケ関/霞が関, 一之江/一の江),
and no offline normaliser exists on PyPI (background/kana.md §4). Matching
only asks "is the bank's address one of *this person's* addresses, and at
which level?", so a light, deterministic split is enough:
:func:`address_parts` gives ``pref``, ``city``, ``town``, ``block`` and
``building``; :func:`address_key` joins ``city|town|block``.

Rules, in this order (all polars string expressions over whole columns):

1. NFKC (full-width digits and ``－`` to ASCII), variation selectors
   dropped, kanji variants folded (:mod:`matching._variants`: 澤 → 沢 …);
   a leading postal code (``〒160-0023``) dropped;
2. every dash (``‐ ‑ ‒ – — ― − ─ ━``) → ``-``; ``ー`` too when it follows a
   number (``２ー８ー１``); spaces removed except after a number
   (``1-2-3 101``: the room stays apart), and around dashes and before
   丁目/番/号/の;
3. ``pref``: one of the 47 names at the start;
4. ``city`` (市区町村): a 政令市 with its ward (``横浜市中区``), ``…郡…町/村``,
   or ``…市``/``…区``; cities whose names contain 市/郡 (四日市市, 廿日市市,
   野々市市, 郡山市, 大和郡山市, 小郡市, 蒲郡市, 郡上市, 余市郡…, 高市郡…) are
   listed; ヶ/ヵ → ケ;
5. ``town`` (町名/大字): the text up to the first block number - the number
   before ``丁目`` when there is one (so 麻布十番一丁目 keeps 麻布十番), else the
   first number followed by 番(地)/号/丁/``-``/の (a kanji numeral: by
   番(地)/号/丁, or by ``-`` and another number), where a kanji numeral
   before 番町/番丁 belongs to the town (一番町, 三番町); kanji numerals in the
   town are **not** converted (一番町, 六本木, 三軒茶屋, 八丁堀, 千住 stay);
   ``大字`` and a leading ``字`` dropped; ヶ/ヵ/が → ケ and 之/の → ノ (霞が関 and
   霞ヶ関 compare equal; towns are only compared within one city);
6. ``block`` (丁目-番-号): kanji numerals converted in this part only
   (二丁目八番一号 → ``2-8-1``, 百二十三番地の四 → ``123-4``), up to three numbers
   separated by 丁目/丁/番地/番/号/の/ノ/``-``, joined by ``-``, leading zeros
   dropped;
7. ``building`` (方書: building and room): whatever follows the block, kept
   apart and not converted (六本木ヒルズ stays); spaces inside it are dropped
   like everywhere else, so building name and room run together.

Known limits (documented, tested where they are decided):

* 町/村 are recognised only with their 郡; an address with no city at all
  puts everything before the block into ``town``;
* Sapporo-style ``北1条西2丁目`` keeps ``北1条西`` as the town; Kyoto's
  通り names (``寺町通三条上る``) are not parsed, they stay in ``town``;
* a town name ending in 番 directly followed by a digit block (麻布十番2-3-1)
  is right, but one written with no block at all (``麻布十番``) reads 十番 as a
  block;
* more than three block numbers: the rest goes to ``building``
  (``1-2-3-405`` → block ``1-2-3``, building ``405``).

>>> import polars as pl
>>> df = pl.DataFrame({"a": ["東京都新宿区西新宿二丁目8番1号", "新宿区西新宿２－８－１　○○マンション101号室"]})
>>> df.select(address_parts(pl.col("a")).alias("p")).unnest("p").rows()
[('東京都', '新宿区', '西新宿', '2-8-1', None), (None, '新宿区', '西新宿', '2-8-1', '○○マンション101号室')]
"""

from __future__ import annotations

from functools import partial

import polars as pl

from matching._variants import VARIANTS

__all__ = ["PARTS_DTYPE", "PREFECTURES", "address_key", "address_parts"]

PREFECTURES: tuple[str, ...] = (
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県",
    "栃木県", "群馬県", "埼玉県", "千葉県", "東京都", "神奈川県", "新潟県", "富山県",
    "石川県", "福井県", "山梨県", "長野県", "岐阜県", "静岡県", "愛知県", "三重県",
    "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県", "鳥取県", "島根県",
    "岡山県", "広島県", "山口県", "徳島県", "香川県", "愛媛県", "高知県", "福岡県",
    "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県",
)  # fmt: skip

#: Municipalities whose own name contains 市, 郡 or 区 before the suffix,
#: which the general patterns would cut in the wrong place.
_CITY_EXCEPTIONS: tuple[str, ...] = (
    "大和郡山市", "四日市市", "廿日市市", "野々市市", "郡山市", "小郡市", "蒲郡市", "郡上市",
    "余市郡余市町", "余市郡仁木町", "余市郡赤井川村", "高市郡高取町", "高市郡明日香村",
)  # fmt: skip

_K = "〇一二三四五六七八九十百千"  # kanji numerals
_D = "一二三四五六七八九"  # non-zero kanji digits
_NUM = f"[{_K}]"
_NOT_NUM = f"[^{_K}]"

_DASHES = "‐‑‒–—―−─━﹣"
_SELECTORS = r"[\x{FE00}-\x{FE0F}\x{E0100}-\x{E01EF}]"

_PREF_RE = "^(" + "|".join(PREFECTURES) + ")"
_CITY_RE = (
    "^("
    + "|".join(_CITY_EXCEPTIONS)
    + r"|[^0-9]{1,7}?市[^0-9]{1,4}?区"  # 政令市 + 区
    + r"|[^0-9市区]{1,7}?郡[^0-9市区]{1,7}?[町村]"  # 郡 + 町/村
    + r"|[^0-9]{1,7}?[市区]"  # 市, 特別区
    + ")"
)
# Where the town ends (rules 5-6): at the first 丁目 number when the address has one ...
_CHOME_AT = rf"(?:[0-9]+|{_NUM}+)丁目"
# ... else at the first number that starts a block.
_BLOCK_AT = (
    r"(?:[0-9]+"  # any digit run: the building may follow with no separator (霞ケ丘町72レジデンス青葉101)
    rf"|{_NUM}+(?:番地|号|番(?:[^町丁0-9]|$)|丁(?:[0-9{_K}\-]|$)|-[0-9{_K}])"
    r")"
)
# The block text: up to three numbers with their markers; a kanji numeral
# needs a marker, a separator, a space or the end after it, so that the
# building's 六本木ヒルズ in "6-10-1六本木ヒルズ" stays out of the block.
_MARK = "(?:丁目|丁|番地|番|号)"
_UNIT = rf"(?:[0-9]+{_MARK}?[-のノ]?|{_NUM}+(?:{_MARK}[-のノ]?|[-のノ]| |$))"
_BLOCK_TEXT = rf"^({_UNIT}{{1,3}})"
_BLOCK_RE = r"^(?<n1>[0-9]+)[^0-9]*(?:(?<n2>[0-9]+)[^0-9]*(?:(?<n3>[0-9]+))?)?"

_TOWN_FOLDS: dict[str, str] = {"ヶ": "ケ", "ヵ": "ケ", "が": "ケ", "之": "ノ", "の": "ノ"}
_CITY_FOLDS: dict[str, str] = {"ヶ": "ケ", "ヵ": "ケ"}


def _null_if_empty(e: pl.Expr) -> pl.Expr:
    return e.replace("", None)


def _clean(e: pl.Expr) -> pl.Expr:
    """Rules 1-2: one spelling of digits, dashes and spaces."""
    return (
        e.str.replace_all(_SELECTORS, "")
        .str.normalize("NFKC")
        .str.replace_many({**VARIANTS, **dict.fromkeys(_DASHES, "-")})
        .str.replace_all(r"\s+", " ")
        .str.strip_chars(" ")
        .str.replace(r"^〒? ?[0-9]{3}-?[0-9]{4} ?", "")
        .str.replace_all(rf"([0-9{_K}])ー", "${1}-")
        .str.replace_all(r" ?- ?", "-")
        .str.replace_all(" ([丁番号のノ])", "${1}")
        .str.replace_all(rf"([^0-9{_K}]) ", "${1}")
    )


def _kanji_numbers(e: pl.Expr) -> pl.Expr:
    """Kanji numerals (up to 9999) to digits, everywhere in ``e``.

    Written as text rewriting so it stays a column expression: make every
    position explicit (十 → 一十, 百 → 一百〇十〇 …), then drop the multipliers
    and translate the digits. 百二十三 → 一百二十三 → 123; 二十 → 二十〇 → 20;
    千五 → 一千〇百〇十五 → 1005; 二〇 → 20.
    """
    return (
        e.str.replace_all(rf"(^|{_NOT_NUM})([十百千])", "${1}一${2}")
        .str.replace_all("([千百])十", "${1}一十")
        .str.replace_all("千百", "千一百")
        .str.replace_all(rf"千({_NOT_NUM}|$)", "千〇百${1}")
        .str.replace_all(rf"百({_NOT_NUM}|$)", "百〇十${1}")
        .str.replace_all(rf"十({_NOT_NUM}|$)", "十〇${1}")
        .str.replace_all(f"千([{_D}]十)", "千〇百${1}")
        .str.replace_all(rf"千([{_D}])({_NOT_NUM}|$)", "千〇百〇十${1}${2}")
        .str.replace_all(rf"百([{_D}])({_NOT_NUM}|$)", "百〇十${1}${2}")
        .str.replace_many({"千": "", "百": "", "十": "", **{k: str(i) for i, k in enumerate("〇一二三四五六七八九")}})
    )


PARTS_DTYPE = pl.Struct({f: pl.String for f in ("pref", "city", "town", "block", "building")})
"""dtype of :func:`address_parts`."""


def _to_end(start: str) -> str:
    """A pattern deleting from the first match of ``start`` to the end: what is left is the town.

    ``^(?<town>.*?)(?<rest>(?:start).*)$`` gives the same cut (the shortest
    town after which the rest starts with ``start`` ends at the leftmost
    match of ``start``), but with capture groups the regex engine walks the
    whole address again; deleting needs no groups. No line break is left by
    rule 2, so ``.*$`` always reaches the end.
    """
    return f"(?:{start}).*$"


def _cuts(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Rules 1-5 and the block's text: ``frame`` (addresses in ``a``) with ``pref``, ``city``, ``town``,
    ``rest`` (the block and what follows, null without a block) and ``block_text``."""
    c = pl.col
    shorter = c("_by_chome").str.len_bytes() < c("s").str.len_bytes()  # the deletion took something
    return (
        frame.with_columns(s=_clean(c("a")))
        # rules 3-4: the regex once, the text after its match sliced off (an extract and a replace run it twice)
        .with_columns(pref=c("s").str.extract(_PREF_RE, 1))
        .with_columns(s=c("s").str.slice(c("pref").str.len_chars().fill_null(0)))
        .with_columns(city=c("s").str.extract(_CITY_RE, 1))
        .with_columns(s=c("s").str.slice(c("city").str.len_chars().fill_null(0)))
        # rule 5: the town ends at the first 丁目 number, else at the first block number (:func:`_to_end`;
        # a deletion that found nothing leaves the address whole)
        .with_columns(_by_chome=c("s").str.replace(_to_end(_CHOME_AT), ""), _by_block=c("s").str.replace(_to_end(_BLOCK_AT), ""))
        .with_columns(town=pl.when(shorter).then(c("_by_chome")).otherwise(c("_by_block")))
        .with_columns(rest=pl.when(c("town").str.len_bytes() < c("s").str.len_bytes()).then(c("s").str.slice(c("town").str.len_chars())))
        .with_columns(block_text=c("rest").str.extract(_BLOCK_TEXT, 1))
    )


def _parts_frame(addresses: pl.Series, *, distinct_values: bool = False) -> pl.Series:
    """The rules as staged column steps (each intermediate computed once).

    Eager polars does not share common sub-expressions, and every step here
    feeds two or three later ones, so the steps run as successive
    ``with_columns`` over the distinct addresses of the batch, and no regex
    runs twice for one cut (the prefecture, the city, the town).
    ``distinct_values``: the batch has no repeated value, so it is parsed as
    it is rather than deduplicated and joined back by value.
    """
    text = addresses.cast(pl.String).rename("a")
    distinct = text.to_frame() if distinct_values else text.unique().to_frame()
    c = pl.col
    parts = _cuts(distinct.lazy()).select("a", "pref", "city", "town", "rest", "block_text").collect()
    # the kanji-numeral rewriting is the costliest step: only where needed, put back in place
    block_text = parts.get_column("block_text")
    at = block_text.str.contains(f"[{_K}]").fill_null(False).arg_true()
    converted = block_text.gather(at).to_frame().select(_kanji_numbers(c("block_text"))).to_series()
    parts = (
        parts.lazy()
        .with_columns(digits=block_text.clone().scatter(at, converted) if at.len() else block_text)
        .with_columns(numbers=c("digits").str.extract_groups(_BLOCK_RE))
        .select(
            pl.col("a"),
            pl.struct(
                _null_if_empty(c("pref")).alias("pref"),
                _null_if_empty(c("city").str.replace_many(_CITY_FOLDS).str.replace_all(" ", "")).alias("city"),
                _null_if_empty(
                    c("town")
                    .str.replace_all("大字", "")
                    .str.replace(r"^字", "")
                    .str.replace_many(_TOWN_FOLDS)
                    .str.replace_all(" ", "")
                ).alias("town"),
                _null_if_empty(
                    pl.concat_str(
                        [c("numbers").struct.field(n) for n in ("n1", "n2", "n3")],
                        separator="-",
                        ignore_nulls=True,
                    ).str.replace_all(r"(^|-)0+([0-9])", "${1}${2}")
                ).alias("block"),
                _null_if_empty(
                    c("rest").str.slice(c("block_text").str.len_chars().fill_null(0)).str.replace(r"^[-のノ ]+", "")
                ).alias("building"),
            ).alias("parts"),
        )
        .collect()
    )
    if distinct_values:
        return parts.get_column("parts").rename(addresses.name)
    out = text.to_frame().join(parts, on="a", how="left", nulls_equal=True, maintain_order="left")
    return out.get_column("parts").rename(addresses.name)


def address_parts(e: pl.Expr, *, distinct_values: bool = False) -> pl.Expr:
    """Struct ``{pref, city, town, block, building}`` of an address column.

    Every field is null when absent. See the module doc for the rules; the
    work is done once per distinct address of the column (``distinct_values=True``
    when the caller knows no value repeats: the deduplication is then skipped).

    >>> import polars as pl
    >>> df = pl.DataFrame({"a": ["千葉県市川市大字本行徳百二十三番地の四", "千代田区一番町10-2", "千代田区霞が関1-2"]})
    >>> df.select(address_parts(pl.col("a")).alias("p")).unnest("p").rows()
    [('千葉県', '市川市', '本行徳', '123-4', None), (None, '千代田区', '一番町', '10-2', None), (None, '千代田区', '霞ケ関', '1-2', None)]
    """
    parse = partial(_parts_frame, distinct_values=distinct_values)
    return e.map_batches(parse, return_dtype=PARTS_DTYPE, is_elementwise=True)


def address_key(e: pl.Expr) -> pl.Expr:
    """``city|town|block`` as one comparable string (absent levels empty).

    The prefecture is left out (the municipality identifies it); null when
    the address has neither city, town nor block.

    >>> import polars as pl
    >>> df = pl.DataFrame({"a": ["東京都新宿区西新宿二丁目八番一号", "新宿区西新宿2-8-1 ○○ビル"]})
    >>> df.select(address_key(pl.col("a"))).to_series().to_list()
    ['新宿区|西新宿|2-8-1', '新宿区|西新宿|2-8-1']
    """
    return address_parts(e).map_batches(_key_of_parts, return_dtype=pl.String, is_elementwise=True)


def _key_of_parts(parts: pl.Series) -> pl.Series:
    fields = [pl.col(f) for f in ("city", "town", "block")]
    key = pl.concat_str([f.fill_null("") for f in fields], separator="|")
    frame = parts.struct.unnest()
    return frame.select(pl.when(pl.any_horizontal(f.is_not_null() for f in fields)).then(key)).to_series().rename(parts.name)
