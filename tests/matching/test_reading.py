"""Readings from kanji: pykakasi's silent failures guarded (background/kana.md §2.3)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import matching.reading as reading
from formats.inputs import read_master
from inquiry.steps.persons import with_kana
from matching.reading import MAX_CANDIDATES, estimate_readings
from tests.inquiry._fixtures import Person, write_office


def read(names: list[str | None]) -> list[tuple[str | None, list[str] | None, bool]]:
    return estimate_readings(pl.Series(names, dtype=pl.String)).rows()


@pytest.mark.parametrize(
    ("kanji", "kana", "pykakasi_alone"),
    [
        ("髙橋 一郎", "タカハシ イチロウ", "髙 dropped with 橋: ' イチロウ'"),
        ("山﨑 花子", "ヤマザキ ハナコ", "U+FA11 doubles 山: ヤマヤマ"),
        ("德永 健", "トクナガ タケシ", "德 dropped with 永: ''"),
        ("濵田 優子", "ハマダ ユウコ", "濵 dropped with 田: ''"),
        ("𠮷田 茂", "ヨシダ シゲル", "non-BMP 𠮷 dropped: タ"),
        ("辻\U000e0100 次郎", "ツジ ジロウ", "variation selector at the end: IndexError"),
        ("渡邉 和子", "ワタナベ カズコ", "already known to pykakasi"),
        ("齋藤 清", "サイトウ キヨシ", "old form"),
    ],
)
def test_variant_kanji_are_folded_before_reading(kanji: str, kana: str, pykakasi_alone: str) -> None:
    name_kana, candidates, failed = read([kanji])[0]
    assert (name_kana, failed) == (kana, False), pykakasi_alone
    assert candidates[0] == kana


@pytest.mark.parametrize(
    "kanji",
    [
        "\ue000田 太郎",  # private-use gaiji: pykakasi drops it
        "〓田 太郎",  # 〓 placeholder from a core system
        "＊田 太郎",
        "三ヶ尻 太郎",  # pykakasi passes ヶ through: サンヶシリ
        "SMITH JOHN",  # not kana at all
        "",
        None,
    ],
)
def test_unsafe_reading_is_none_never_partial(kanji: str | None) -> None:
    assert read([kanji]) == [(None, None, True)]


def test_family_and_given_separated_by_one_space() -> None:
    assert read(["山田　太郎", "山田 太郎", " 佐々木  実 ", "山田"]) == [
        ("ヤマダ タロウ", ["ヤマダ タロウ"], False),
        ("ヤマダ タロウ", ["ヤマダ タロウ"], False),
        ("ササキ ミ", read(["佐々木 実"])[0][1], False),
        ("ヤマダ", ["ヤマダ"], False),
    ]


def test_dictionary_candidates_cover_alternative_readings() -> None:
    (kana, candidates, _), (_, kono, _) = read(["中島 幸子", "河野 和子"])
    assert kana == candidates[0]
    assert {"ナカシマ ユキコ", "ナカジマ サチコ", "ナカジマ ユキコ"} <= set(candidates)
    assert {"コウノ カズコ", "カワノ カズコ"} <= set(kono)


def test_candidates_are_capped_and_rank_main_reading_first() -> None:
    kana, candidates, _ = read(["角田 一"])[0]
    assert len(candidates) <= MAX_CANDIDATES
    assert candidates[0] == kana
    assert len(set(candidates)) == len(candidates)
    assert "ツノダ " + kana.split()[1] in candidates  # a family alternative with the main given reading


def test_internal_dictionary_missing_falls_back_to_single_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "_kanwa", lambda: None)
    assert read(["中島 幸子"]) == [("ナカジマ ユキコ", ["ナカジマ ユキコ"], False)]


def test_pykakasi_exception_is_a_failed_reading_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken:
        def convert(self, text: str) -> list[dict[str, str]]:
            raise IndexError("string index out of range")

    monkeypatch.setattr(reading, "_kakasi", lambda: Broken())
    assert read(["山田 太郎"]) == [(None, None, True)]


def test_rows_stay_aligned_and_each_part_is_converted_once(monkeypatch: pytest.MonkeyPatch) -> None:
    real = reading._kakasi()
    calls: list[str] = []

    class Counting:
        def convert(self, text: str) -> list[dict[str, str]]:
            calls.append(text)
            return real.convert(text)

    monkeypatch.setattr(reading, "_kakasi", lambda: Counting())
    out = read(["山田 太郎", "髙橋 一郎", "山田 花子", None, "山田 太郎", "高橋 太郎"])
    assert [r[0] for r in out] == [
        "ヤマダ タロウ",
        "タカハシ イチロウ",
        "ヤマダ ハナコ",
        None,
        "ヤマダ タロウ",
        "タカハシ タロウ",
    ]
    assert sorted(calls) == sorted({"山田", "太郎", "高橋", "一郎", "花子"})


@pytest.mark.parametrize(
    ("kanji", "kana"),
    [
        ("山田 菜々美", "ヤマダ ナナミ"),  # 々 repeats the kanji before it: read as 菜菜美
        ("佐藤 莉々", "サトウ リリ"),
        ("鈴木 いすゞ", "スズキ イスズ"),  # ゞ: the kana before, voiced
        ("田中 こゝろ", "タナカ ココロ"),  # ゝ: the kana before
        ("佐々木 奈々", "ササキ ナナ"),  # pykakasi knows these with 々: read as written
        ("代々木 花子", "ヨヨギ ハナコ"),  # expanded, 代代木 would read ダイダイキ: the mark is expanded only on failure
    ],
)
def test_iteration_marks_are_expanded_when_the_name_cannot_be_read_as_written(kanji: str, kana: str) -> None:
    assert read([kanji])[0][0] == kana


def test_a_master_row_with_a_noma_name_gets_an_estimated_reading_not_a_reject(tmp_path: Path) -> None:
    """The real path of ``prepare`` and ``link``: master CSV → read_master → with_kana."""
    office = write_office(tmp_path, (Person("P001", "山田 菜々美", "", "1990-05-05", "東京都新宿区西新宿2-8-1", "8123457"),))
    table = read_master(office["master"])
    persons, rejects = with_kana(table.rows, office["master"])
    assert rejects.height == 0, rejects.rows()
    assert persons.select("person_id", "name_kana", "kana_estimated").rows() == [("P001", "ヤマダ\u3000ナナミ", True)]


def _segments(converter: object, text: str) -> list[tuple[str, str]]:
    return [(s["orig"], s["kana"]) for s in converter.convert(text)]  # type: ignore[attr-defined]


def test_the_faster_lookup_reads_every_name_as_pykakasi_does() -> None:
    """``_kakasi()`` probes prefixes instead of scanning the dictionary and spells only the kana
    (:func:`matching.reading._faster`): the segments must be pykakasi's own, for dictionary words
    (prefixes of longer words, words with conditional readings), kana, symbols and the characters
    pykakasi mishandles (the wrapper's reasons to exist)."""
    import pykakasi
    from pykakasi.kanji import Kanwa

    fast, plain = reading._kakasi(), pykakasi.Kakasi()
    assert isinstance(fast._jconv, reading._PrefixLookup) and isinstance(fast._iconv, reading._KanaOnly)
    table = Kanwa()._jisyo_table
    words = [w for first in sorted(table)[::10] for w in sorted(table[first])[:6]]  # ~2,000 words, all over
    conditional = [w for first in table for w, readings in table[first].items() if any(c is not None for _, c in readings)]
    names = ["山田 太郎", "髙橋一郎", "山﨑", "𠮷田", "中島幸子", "河野", "佐々木", "代々木", "三ヶ尻", "いすゞ", "ヤマダ",
             "ｻﾄｳ", "SMITH", "〓田", "＊田", "\ue000田", "田中ー", "色そん", "色", "東京都新宿区", "長谷川", "小鳥遊"]  # fmt: skip
    samples = [*names, *words, *conditional, *(a + b for a, b in zip(words, words[1:], strict=False))]
    assert len(samples) > 2_000
    for text in samples:
        assert _segments(fast, text) == _segments(plain, text), text


def test_pykakasi_as_it_is_when_its_internals_are_not_the_expected_ones() -> None:
    class Other:
        _jconv = object()
        _iconv = object()

    other = Other()
    jconv, iconv = other._jconv, other._iconv
    assert reading._faster(other) is other
    assert (other._jconv, other._iconv) == (jconv, iconv)  # left alone: pykakasi's own, slower, same readings


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_is_only_held_off_for_the_dictionary_load(enabled: bool) -> None:
    import gc

    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        with reading._collector_paused():
            assert not gc.isenabled()
        assert gc.isenabled() is enabled
        with pytest.raises(RuntimeError), reading._collector_paused():
            raise RuntimeError("a failed load")
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
