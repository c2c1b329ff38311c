"""Zengin and full-width request forms and the kana check (spec/README "Kana",
background/kana.md §1.4)."""

from __future__ import annotations

import polars as pl
import pytest

from matching.kana import kana_problem, to_fullwidth, to_zengin


def run(fn, values: list[str | None]) -> list[str | None]:
    df = pl.DataFrame({"n": values}, schema={"n": pl.String})
    return df.select(fn(pl.col("n")))["n"].to_list()


@pytest.mark.parametrize(
    ("office", "zengin"),
    [
        ("ヤマダ　タロウ", "ﾔﾏﾀﾞ ﾀﾛｳ"),
        ("きょうこ", "ｷﾖｳｺ"),
        ("ジョージ・ワシントン", "ｼﾞﾖ-ｼﾞ ﾜｼﾝﾄﾝ"),
        ("ヴァレンティーナ", "ｳﾞｱﾚﾝﾃｲ-ﾅ"),
        ("シヅヲ", "ｼﾂﾞｵ"),
    ],
)
def test_zengin_examples_of_kana_md(office: str, zengin: str) -> None:
    assert run(to_zengin, [office]) == [zengin]


def test_kanji_in_kana_field_is_rejected_not_sent() -> None:
    assert run(to_zengin, ["山田　太郎"]) == [None]
    assert run(to_fullwidth, ["山田　太郎"]) == [None]
    assert run(kana_problem, ["山田　太郎"]) == ["カナ氏名に漢字が含まれています: 山田 太郎"]


def test_zengin_uses_only_allowed_characters() -> None:
    out = run(to_zengin, ["ｻﾄｳ  ﾊﾅｺ", "さとう,はなこ", "ヰヱ", "ヮヵヶ", "ミスヾ", "smith john", "ｻﾄｳ(ｶ)"])
    assert out == ["ｻﾄｳ ﾊﾅｺ", "ｻﾄｳ ﾊﾅｺ", "ｲｴ", "ﾜｶｹ", "ﾐｽｽﾞ", "SMITH JOHN", "ｻﾄｳ(ｶ)"]
    allowed = set("ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜﾝﾞﾟABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ()-./")
    assert all(set(s) <= allowed for s in out)


def test_dakuten_count_as_separate_characters() -> None:
    # fixed-width fields count ﾀﾞ as two characters
    assert run(to_zengin, ["ダダ"]) == ["ﾀﾞﾀﾞ"]


def test_fullwidth_form() -> None:
    assert run(to_fullwidth, ["ﾔﾏﾀﾞ ﾀﾛｳ", "ｷｮｳｺ ｻﾄｰ", "じょーじ・わしんとん", "ｳﾞｧﾚﾝﾃｨｰﾅ"]) == [
        "ヤマダ\u3000タロウ",
        "キヨウコ\u3000サトー",
        "ジヨージ\u3000ワシントン",
        "ヴアレンテイーナ",
    ]


def test_problem_reasons_in_plain_words() -> None:
    assert run(kana_problem, ["やまだ たろう", "ヤマダ＠", "・", "〓ダ", None, ""]) == [
        None,
        "カナ氏名に使用できない文字が含まれています: @",
        "カナ氏名に有効な文字がありません",
        "カナ氏名に使用できない文字が含まれています: 〓",
        None,
        None,
    ]


def test_every_problem_row_is_null_in_both_forms_and_vice_versa() -> None:
    values = ["ヤマダ　タロウ", "山田 タロウ", "ヤマダ＠", "・", "ｻﾄｳ", "きょうこ"]
    problems = run(kana_problem, values)
    for form in (to_zengin, to_fullwidth):
        assert [p is None for p in problems] == [z is not None for z in run(form, values)]


def test_missing_kana_is_not_a_problem() -> None:
    # an empty kana is read from kanji (matching.reading), not rejected
    assert run(kana_problem, [None, "   "]) == [None, None]
    assert run(to_zengin, [None, "   "]) == [None, None]
