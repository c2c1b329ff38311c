"""Name keys: one comparable form for kana names from both sides.

The office's master holds kana in every possible rendering (full- or
half-width, hiragana, small kana, real long vowels, old kana such as ヰ/ヱ/ヲ
and iteration marks), the banks answer in Zengin half-width (``ｷﾕｳ``, ``-``
for ``ー``, no ヲ, no small kana). :func:`name_key` maps all of them to one key
so that equal names compare equal; :func:`name_parts` keeps family and given
name apart for partial evidence.

The key is **full-width katakana** (plus ASCII ``-``, ``A-Z`` and digits), so it
compares directly with a master kana column that went through the same
function. It is a comparison key, never a form to send to a bank: use
:mod:`matching.kana` for that.

Rules, in this order (matching.md "Normalised forms"; reasons in
``background/kana.md`` §1.3):

1. spacing ゛゜ (U+309B/C) → combining (U+3099/A), else NFKC puts a space
   inside the name (``カ゛`` → ``カ ゙``);
2. NFKC: half-width kana to full width with dakuten composed (``ｶﾞ`` → ``ガ``,
   ``ｳﾞ`` → ``ヴ``), full-width ASCII to ASCII, every space to U+0020;
3. hiragana → katakana (ゔ → ヴ, ゝゞ → ヽヾ, ゐゑ → ヰヱ);
4. iteration marks expanded (``サヽキ`` → ``ササキ``, ``ミスヾ`` → ``ミスズ``); a mark
   with no kana before it is dropped;
5. small kana → large (ァィゥェォッャュョヮヵヶ and the small ㇰ–ㇿ);
6. ヂ → ジ, ヅ → ズ;  7. ヲ → オ, ヰ → イ, ヱ → エ;
8. ヴ → ブ, ヷヸヹヺ → バビベボ — after rule 5, so ``ヴァ`` and the bank's
   ``ｳﾞｱ`` both give ``ブア``;
9. every long-vowel or dash mark (ー ｰ - ‐ ‑ ‒ – — ― − ─ ━ 〜 ~ …) → ``-``;
10. spaces, ``・``, ``.``, ``,`` removed, and with them ``、`` and ``=`` (``＝``
    in foreign names), which :mod:`matching.kana` sends as a space; a dakuten
    NFKC could not attach to its kana (``ｱﾞ``) is dropped;
11. Latin letters upper-case (ASCII, Latin-1 and Latin Extended-A/B, in
    the same table: ``str.to_uppercase`` would cost as much as NFKC).

Rules 3–11 are one character table applied in a single Aho-Corasick pass
(``str.replace_many``): each character maps independently, so their order
only matters where the table is built (it is). An empty key is null: a
name with no comparable character matches nothing.

>>> import polars as pl
>>> s = pl.Series(["ヤマダ　タロウ", "ﾔﾏﾀﾞ ﾀﾛｳ", "やまだ たろう", "ｳﾞｧﾚﾝﾃｨｰﾅ", "ヴァレンティーナ"])
>>> s.to_frame("n").select(name_key(pl.col("n"))).to_series().to_list()
['ヤマダタロウ', 'ヤマダタロウ', 'ヤマダタロウ', 'ブアレンテイ-ナ', 'ブアレンテイ-ナ']
"""

from __future__ import annotations

import unicodedata

import polars as pl

__all__ = ["name_key", "name_parts"]

# --- character tables (shared with matching.kana) -------------------------

#: Spacing sound marks turned into combining marks before NFKC (rule 1).
_SPACING_MARKS: dict[str, str] = {"\u309b": "\u3099", "\u309c": "\u309a"}

#: Small kana written large (rule 5); the map is on katakana (after rule 3).
_SMALL_TO_LARGE: dict[str, str] = {
    **dict(zip("ァィゥェォッャュョヮヵヶ", "アイウエオツヤユヨワカケ")),
    # Katakana Phonetic Extensions (Ainu small kana ㇰ-ㇿ)
    **dict(zip("ㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ", "クシストヌハヒフヘホムラリルレロ")),
}

#: Old or voiced kana folded to what banks store (rules 6-8 of the key).
_KEY_FOLDS: dict[str, str] = {
    "ヂ": "ジ",
    "ヅ": "ズ",
    "ヲ": "オ",
    "ヰ": "イ",
    "ヱ": "エ",
    "ヴ": "ブ",
    "ヷ": "バ",
    "ヸ": "ビ",
    "ヹ": "ベ",
    "ヺ": "ボ",
}

#: Every long-vowel or dash mark as it can appear *after* NFKC (rule 9).
_DASHES: str = "ー-‐‑‒–—―−─━〜~⁓〰﹘﹣⸺⸻˗⁃"

#: Removed from the key (rule 10). U+3099/U+309A here are dakuten NFKC could
#: not attach (``ｱﾞ``, or separated by a space) - dropping them keeps the key
#: idempotent.
_REMOVED: str = " \t\r\n\u200b・·.,、=\u3099\u309a"

_ITERATION = {"ヽ": False, "ヾ": True}  # mark -> voiced repeat

#: Marks the family/given boundary in :func:`name_parts`; not in the key table.
_PART_MARK = "\x1f"


def _hira_to_kata(c: str) -> str:
    """Hiragana code point to katakana (rule 3); anything else unchanged."""
    o = ord(c)
    if 0x3041 <= o <= 0x3096 or o in (0x309D, 0x309E):
        return chr(o + 0x60)
    return c


def _voiced(k: str) -> str:
    """Voiced form of a katakana (カ → ガ, ウ → ヴ); unchanged when none."""
    v = unicodedata.normalize("NFC", k + "\u3099")
    return v if len(v) == 1 else k


def _unvoiced(k: str) -> str:
    """Base form of a voiced/semi-voiced katakana (ガ → カ, パ → ハ)."""
    return unicodedata.normalize("NFD", k)[0]


def _kana_letters() -> list[str]:
    """Every full-width katakana and hiragana letter that can precede ヽ/ヾ."""
    kata = [chr(o) for o in range(0x30A1, 0x30FB)]  # ァ .. ヺ
    hira = [chr(o) for o in range(0x3041, 0x3097)]  # ぁ .. ゖ
    return kata + hira


def _char_map(per_char: dict[str, str]) -> dict[str, str]:
    """Add the iteration-mark pairs (rule 4) in front of a per-character map.

    ``Xヽ`` → f(X) f(unvoiced X), ``Xヾ`` → f(X) f(voiced X) for every kana X,
    where f is ``per_char``; pairs come first so that, with ``leftmost=True``,
    they win over the single characters. A mark left alone maps to "".
    """

    def f(s: str) -> str:
        return "".join(per_char.get(ch, ch) for ch in s)

    pairs: dict[str, str] = {}
    for letter in _kana_letters():
        kata = _hira_to_kata(letter)
        for mark_k, voiced in _ITERATION.items():
            repeat = _voiced(_unvoiced(kata)) if voiced else _unvoiced(kata)
            for mark in (mark_k, chr(ord(mark_k) - 0x60)):  # ヽ and ゝ
                pairs[letter + mark] = f(kata + repeat)
    singles = {k: v for k, v in per_char.items() if k != v}
    for mark in "ヽヾゝゞ":
        singles[mark] = ""
    return {**pairs, **singles}


def _key_per_char() -> dict[str, str]:
    """The per-character part of rules 3 and 5-11 as one table."""
    table: dict[str, str] = {}
    for letter in _kana_letters():
        k = _hira_to_kata(letter)
        k = _SMALL_TO_LARGE.get(k, k)
        k = _KEY_FOLDS.get(k, k)
        table[letter] = k
    for d in _DASHES:
        table[d] = "-"
    for r in _REMOVED:
        table[r] = ""
    for o in list(range(ord("a"), ord("z") + 1)) + list(range(0xE0, 0x250)):
        up = chr(o).upper()
        if len(up) == 1 and up != chr(o):  # Latin-1 and Latin Extended-A/B
            table[chr(o)] = up
    for small, large in _SMALL_TO_LARGE.items():
        table[small] = _KEY_FOLDS.get(large, large)
    return table


_KEY_MAP: dict[str, str] = _char_map(_key_per_char())
_KEY_FROM: list[str] = list(_KEY_MAP)
_KEY_TO: list[str] = list(_KEY_MAP.values())


# --- expressions -------------------------------------------------------------


def _early(e: pl.Expr) -> pl.Expr:
    """Rules 1-2: spacing marks to combining, then NFKC (every space → U+0020)."""
    return e.str.replace_many(_SPACING_MARKS).str.normalize("NFKC")


def _late(e: pl.Expr) -> pl.Expr:
    """Rules 3-11 on an NFKC'd string; empty result → null."""
    # ``replace("", None)`` rather than when/then: an eager select would
    # evaluate the key twice.
    return e.str.replace_many(_KEY_FROM, _KEY_TO, leftmost=True).replace("", None)


def name_key(e: pl.Expr) -> pl.Expr:
    """Comparison key of a kana name (full-width katakana, see module doc).

    Half-width, full-width and hiragana renderings of one name, with 0, 1 or
    2 spaces, give the same key; null or empty input gives null.

    >>> import polars as pl
    >>> df = pl.DataFrame({"n": ["ｻﾄｳ ｷﾕｳｲﾁ", "さとう　きゅういち", "サトー キューイチ"]})
    >>> df.select(name_key(pl.col("n"))).to_series().to_list()
    ['サトウキユウイチ', 'サトウキユウイチ', 'サト-キユ-イチ']
    """
    return _late(_early(e))


def name_parts(e: pl.Expr) -> pl.Expr:
    """Struct ``{family, given}`` of name keys, split at the first space.

    The split happens after rules 1-2 (so an ideographic space or a
    half-width one both split, and a spacing ゛ never creates a false space);
    leading/trailing spaces are ignored and extra spaces between the parts
    vanish in the key. ``given`` is null when the name has no space (the
    bank wrote family and given name together) — compare the full key then.

    >>> import polars as pl
    >>> df = pl.DataFrame({"n": ["ヤマダ　タロウ", "ﾔﾏﾀﾞ  ﾀﾛｳ", "ﾔﾏﾀﾞﾀﾛｳ"]})
    >>> df.select(name_parts(pl.col("n")).alias("p")).unnest("p").rows()
    [('ヤマダ', 'タロウ'), ('ヤマダ', 'タロウ'), ('ヤマダタロウ', None)]
    """
    # One pass: mark the first space, key the whole name (the mark survives
    # the key table), split at the mark. Splitting first would run NFKC once
    # per part, since eager polars does not share sub-expressions.
    early = _early(e).str.strip_chars(" ").str.replace(" ", _PART_MARK, literal=True)
    keyed = early.str.replace_many(_KEY_FROM, _KEY_TO, leftmost=True)
    return (
        keyed.str.splitn(_PART_MARK, 2)
        .struct.rename_fields(["family", "given"])
        .struct.with_fields(pl.field("family").replace("", None), pl.field("given").replace("", None))
    )
