"""Kana readings estimated from kanji names, for master rows without kana.

Banks search by kana, so a person whose kana is missing gets a reading from
pykakasi's dictionary. Such a reading is a guess (pykakasi agrees with a
reference reading for ~94 % of surnames by population but only ~80 % of
common given names, background/kana.md §2.3): the person is marked
``kana_estimated`` and never CONFIRMED on it (matching.md safety rule 3).

pykakasi fails *silently* on exactly the characters offices have: unknown
variant kanji are dropped together with the next character (髙橋 → ""),
compatibility ideographs are doubled (山﨑 → ヤマヤマ), non-BMP characters
vanish (𠮷田 → タ) and a trailing ideographic variation selector raises
``IndexError``. So each name goes through the wrapper kana.md recommends:

1. strip variation selectors (U+FE00–FE0F, U+E0100–E01EF);
2. NFKC;
3. fold variant kanji with the one table of :mod:`matching._variants`;
4. split family/given at the first space and convert each part on its own,
   once per distinct part (dict cache);
5. accept a part only when pykakasi consumed it whole
   (``''.join(orig) == part``) and produced only katakana (``ァ``–``ヴ``, ``ー``;
   not ``ヵ``/``ヶ``, which pykakasi passes through from 三ヶ尻);
   otherwise the person gets **no** reading (``reading_failed``), never a
   partial one; any exception counts as a failure, and so does a private-use
   character (外字), which pykakasi keeps in ``orig`` but reads as nothing;
6. a part that fails and holds an iteration mark (``々``, or ``ゝゞヽヾ`` in a
   kanji name: 菜々美, いすゞ) is read once more with the marks expanded
   (菜菜美 → ナナミ). Only as a second try: pykakasi's dictionary knows many
   names *with* 々 (佐々木, 野々村, 代々木 → ヨヨギ) and reads some of them
   worse expanded (代代木 → ダイダイキ).

``kana_candidates`` lists alternative full readings from the dictionary
entries of each part (中島 → ナカシマ/ナカジマ, 河野 → コウノ/カワノ), which covers
the reference surname reading for ~99 % of the population. That uses the
internal ``pykakasi.kanji.Kanwa`` (pykakasi is pinned to 2.3.0); if it is
missing or changes shape, the list falls back to the single reading.
The converter itself is pykakasi's, with two of its internals stood in for
by equivalents that do less (:func:`_faster`: a dictionary probe instead of
a scan, no romanisations) and its dictionary unpickled with the garbage
collector paused: the same segments, in about a third of the time.
pykakasi is GPL-3.0-or-later.
"""

from __future__ import annotations

import gc
import itertools
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

import polars as pl

from matching._variants import fold_variants
from matching.names import _hira_to_kata, _unvoiced, _voiced

__all__ = ["MAX_CANDIDATES", "MAX_PART_CANDIDATES", "estimate_readings", "expand_iteration_marks"]

#: Readings kept per name part (family or given) from the dictionary.
MAX_PART_CANDIDATES = 8
#: Full readings (family × given) kept per person, the main reading first.
MAX_CANDIDATES = 16

_SELECTORS = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]")
_KATAKANA = re.compile("[\u30a1-\u30f4ー]+")  # ァ..ヴ and ー; not ヵ ヶ
_SPACE = re.compile(r"\s+")
_KANJI = re.compile("[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003ffff々]")
_PRIVATE_USE = re.compile("[\ue000-\uf8ff\U000f0000-\U0010ffff]")

PartReading = tuple[str, tuple[str, ...]] | None  # (main, candidates) or failed

#: Iteration marks: 々 (and 〻) repeat the kanji before; ゝヽ the kana before, ゞヾ voiced.
_ITERATION_MARKS = re.compile("[々〻ゝゞヽヾ]")


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while pykakasi unpickles its dictionary.

    The Kanwa dictionary is ~270,000 lists in ~7,000 dicts: built with the
    collector on, each allocation threshold crossed walks the young objects
    again (0.40 CPU s at load, 0.17 s without). Nothing is collected later
    that would not be: the collector is only held off for the load.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@cache
def _kakasi() -> Any:
    """pykakasi converter, loaded once (the dictionary load is most of it), made faster where pykakasi
    2.3.0's internals allow (:func:`_faster`): the same segments, in a fraction of the time."""
    import pykakasi

    with _collector_paused():
        kakasi = pykakasi.Kakasi()
    return _faster(kakasi)


def _faster(kakasi: Any) -> Any:
    """``kakasi`` with its kanji look-up and its per-segment output replaced by equivalents doing less.

    pykakasi's ``JConv.convert`` finds the longest dictionary word at the
    start of the text by scanning *every* word that begins with its first
    kanji (2,500 for the commonest), per kanji position of every name part;
    and ``IConv.convert`` spells each segment in three romanisations that
    are never read here. :class:`_PrefixLookup` probes the prefixes of the
    text instead (longest first, the first unconditional or matching
    reading of that word: what the scan keeps), and :class:`_KanaOnly`
    returns ``orig`` and ``kana`` only. The segmentation itself stays
    pykakasi's ``Kakasi.convert``. When the internals are not the expected
    ones, pykakasi is used as it is (slower, same readings).
    """
    try:
        from pykakasi.kanji import JConv
        from pykakasi.scripts import IConv

        if not (isinstance(kakasi._jconv, JConv) and isinstance(kakasi._iconv, IConv)):
            return kakasi
        kakasi._jconv = _PrefixLookup(kakasi._jconv)
        kakasi._iconv = _KanaOnly(kakasi._iconv)
    except Exception:  # pragma: no cover - depends on the pykakasi version
        pass
    return kakasi


class _PrefixLookup:
    """Stands in for pykakasi's ``JConv`` (``isRegion``, ``convert``) with a probe per prefix length."""

    def __init__(self, jconv: Any) -> None:
        self._jconv = jconv
        self._kanwa = jconv._kanwa
        self._itaiji = jconv._itaiji
        self.isRegion = jconv.isRegion
        self._longest: dict[int, int] = {}  # first character -> its longest word

    def convert(self, itext: str, btext: str) -> tuple[str, int]:
        """``(reading, characters consumed)`` of the longest word at the start of ``itext``; ``("", 0)`` if none.

        ``JConv.convert`` keeps, among the words that start ``text`` and have a
        reading allowed after ``btext`` (no condition, or ``btext`` in it),
        the longest, with its first such reading: exactly what the probe
        from the longest prefix down returns first. The variation-selector
        count afterwards is pykakasi's own code.
        """
        text = self._itaiji.convert(itext)
        num_vs = len(itext) - len(text)
        table = self._kanwa.load(text[0])
        if table is None:
            return "", 0
        key = ord(text[0])
        longest = self._longest.get(key)
        if longest is None:
            longest = self._longest[key] = max(map(len, table), default=0)
        hstr, max_len = "", 0
        for length in range(min(len(text), longest), 0, -1):
            for yomi, con in table.get(text[:length], ()):
                if con is None or btext in con:
                    hstr, max_len = yomi, length
                    break
            if max_len:
                break
        for _ in range(num_vs):  # pykakasi's JConv.convert, as written there
            if max_len > len(itext):
                break
            elif text[max_len - 1] != itext[max_len - 1]:
                max_len += 1
            elif max_len < num_vs + len(text) and max_len <= len(itext) and self._jconv._is_vschr(itext[max_len]):
                max_len += 1
        return hstr, max_len


class _KanaOnly:
    """Stands in for pykakasi's ``IConv``: a segment's ``orig`` and ``kana``, without the romanisations."""

    def __init__(self, iconv: Any) -> None:
        self._h2k = iconv._h2k

    def convert(self, otext: str, hira: str) -> dict[str, str]:
        return {"orig": otext, "kana": self._h2k(hira)}


@cache
def _kanwa() -> Any | None:
    """pykakasi's internal dictionary, or None when the internal API moved."""
    try:
        from pykakasi.kanji import Kanwa

        with _collector_paused():
            return Kanwa()
    except Exception:  # pragma: no cover - depends on the pykakasi version
        return None


def _dictionary_readings(word: str) -> list[str]:
    """All unconditional readings of ``word`` in pykakasi's dictionary."""
    kanwa = _kanwa()
    if kanwa is None or not word:
        return []
    try:
        table = kanwa.load(word[0])
        entries = table.get(word) if table else None
        return ["".join(map(_hira_to_kata, yomi)) for yomi, cond in entries or [] if cond is None and isinstance(yomi, str)]
    except Exception:  # internal API changed shape: single reading only
        return []


def expand_iteration_marks(text: str) -> str:
    """``々``/``〻`` → the character before, ``ゝ``/``ヽ`` → the kana before (unvoiced), ``ゞ``/``ヾ`` → voiced.

    A mark with nothing before it stays (the reading then fails, as it should).

    >>> expand_iteration_marks("菜々美"), expand_iteration_marks("いすゞ"), expand_iteration_marks("こゝろ")
    ('菜菜美', 'いすず', 'こころ')
    """
    out: list[str] = []
    for ch in text:
        if _ITERATION_MARKS.fullmatch(ch) and out:
            prev = out[-1]
            if ch in "々〻":
                out.append(prev)
            else:
                base = _unvoiced(prev)
                out.append(_voiced(base) if ch in "ゞヾ" else base)
        else:
            out.append(ch)
    return "".join(out)


def _read_part(part: str) -> PartReading:
    """Reading of one name part, or None when pykakasi cannot be trusted (step 6: a second try)."""
    reading = _read_part_as_written(part)
    if reading is None and _ITERATION_MARKS.search(part):
        expanded = expand_iteration_marks(part)
        if expanded != part:
            reading = _read_part_as_written(expanded)
    return reading


def _read_part_as_written(part: str) -> PartReading:
    """Step 5: pykakasi's reading of the part, accepted only when it consumed it whole."""
    if _PRIVATE_USE.search(part):  # gaiji: pykakasi would drop it and go on
        return None
    try:
        segments = _kakasi().convert(part)
    except Exception:  # IndexError on selectors and the like: no reading
        return None
    if "".join(s["orig"] for s in segments) != part or any(s["orig"] and not s["kana"] for s in segments):
        return None
    main = "".join(s["kana"] for s in segments)
    if not _KATAKANA.fullmatch(main):
        return None
    options: list[list[str]] = []
    for s in segments:
        kanji = _KANJI.search(s["orig"]) is not None  # kana segments have one reading
        alternatives = [r for r in _dictionary_readings(s["orig"]) if _KATAKANA.fullmatch(r)] if kanji else []
        options.append(list(dict.fromkeys([s["kana"], *alternatives])))
    candidates = _ranked_product(options, "", MAX_PART_CANDIDATES)
    return main, tuple(dict.fromkeys([main, *candidates]))


def _ranked_product(options: list[list[str]] | list[tuple[str, ...]], sep: str, cap: int) -> list[str]:
    """Combinations of the options, fewest departures from the main first.

    Each option list starts with the main reading; a combination's rank is
    the sum of its positions, so with a cap the list keeps 中島 幸子's
    ナカシマ ユキコ and ナカジマ サチコ before ナカシマ サチコ, rather than every
    given-name reading of the first family reading.
    """
    combos = itertools.product(*(list(enumerate(o)) for o in options))
    ranked = sorted(combos, key=lambda combo: sum(i for i, _ in combo))
    return [sep.join(r for _, r in combo) for combo in ranked[:cap]]


def _prepare(name: str) -> list[str]:
    """Steps 1-3 and the split into family and given part.

    Split at the first space; further spaces are dropped from the given part
    (a name key ignores them anyway).
    """
    text = unicodedata.normalize("NFKC", _SELECTORS.sub("", name))
    tokens = _SPACE.split(fold_variants(text).strip(), maxsplit=1)
    return [t for t in (tokens[0], _SPACE.sub("", "".join(tokens[1:]))) if t]


def _read_name(name: str | None, cache: dict[str, PartReading]) -> tuple[str | None, list[str] | None]:
    if name is None:
        return None, None
    parts = _prepare(name)
    if not parts:
        return None, None
    readings = []
    for part in parts:
        if part not in cache:
            cache[part] = _read_part(part)
        if cache[part] is None:
            return None, None
        readings.append(cache[part])
    main = " ".join(r[0] for r in readings)
    full = _ranked_product([r[1] for r in readings], " ", MAX_CANDIDATES)
    return main, list(dict.fromkeys([main, *full]))


def estimate_readings(kanji_names: pl.Series) -> pl.DataFrame:
    """Kana readings for kanji names, row for row with the input.

    Returns ``name_kana`` (full-width katakana, ``"FAMILY GIVEN"`` with one
    ASCII space, or just the reading when the kanji name has no space; null
    when there is no safe reading), ``kana_candidates`` (list of full
    readings, main reading first, at most :data:`MAX_CANDIDATES`; null when
    failed) and ``reading_failed`` (bool; true for null names too).

    Python runs once per distinct name and once per distinct part, so a
    ward's master (tens of thousands of names) takes a second or two.

    >>> import polars as pl
    >>> estimate_readings(pl.Series(["山田 太郎", "髙橋 一郎", "〓田 花子"])).rows()
    [('ヤマダ タロウ', ['ヤマダ タロウ'], False), ('タカハシ イチロウ', ['タカハシ イチロウ'], False), (None, None, True)]
    """
    names = kanji_names.cast(pl.String).rename("name_kanji")
    distinct = names.unique(maintain_order=True)
    part_cache: dict[str, PartReading] = {}
    results = [_read_name(n, part_cache) for n in distinct.to_list()]
    table = pl.DataFrame(
        {
            "name_kanji": distinct,
            "name_kana": [r[0] for r in results],
            "kana_candidates": [r[1] for r in results],
        },
        schema={"name_kanji": pl.String, "name_kana": pl.String, "kana_candidates": pl.List(pl.String)},
    )
    out = names.to_frame().join(table, on="name_kanji", how="left", nulls_equal=True, maintain_order="left")
    return out.select("name_kana", "kana_candidates", reading_failed=pl.col("name_kana").is_null())
