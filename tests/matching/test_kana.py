"""Zengin and full-width request forms and the kana check (spec/README "Kana",
background/kana.md §1.4)."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.kana import kana_problem, to_fullwidth, to_zengin
from matching.names import name_key


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


def test_separators_and_old_voiced_kana() -> None:
    # ・ , 、 ＝ are not accepted by banks: one space; ヸヹヺ have no Zengin glyph
    assert run(to_zengin, ["トーマス＝ミラー", "ヤマダ、タロウ", "ヸヹヺ"]) == ["ﾄ-ﾏｽ ﾐﾗ-", "ﾔﾏﾀﾞ ﾀﾛｳ", "ﾋﾞﾍﾞﾎﾞ"]


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


# --- properties: what is sent keys like what is held ------------------------------

_ANY_KANA = st.text(
    alphabet=st.sampled_from(
        [chr(o) for o in range(0x3041, 0x30FF)]
        + [chr(o) for o in range(0xFF61, 0xFFA0)]
        + list("゛゜\u3099\u309a ー-〜~・.,=abcXYZ019　\t")
    ),
    max_size=12,
)


@settings(max_examples=80, deadline=None)
@given(st.lists(_ANY_KANA, min_size=1, max_size=40))
def test_forms_are_stable_and_keep_the_name_key(values: list[str]) -> None:
    zengin, full = run(to_zengin, values), run(to_fullwidth, values)
    assert run(to_zengin, zengin) == zengin
    assert run(to_fullwidth, full) == full
    held, sent_dais, sent_pipit = run(name_key, values), run(name_key, zengin), run(name_key, full)
    for h, z, f, zz in zip(held, sent_dais, sent_pipit, zengin, strict=True):
        if zz is not None:
            assert h == z == f


def _problem_as_one_expression(e: pl.Expr) -> pl.Expr:
    """:func:`kana_problem` as it was first written, one when/then expression (the reference)."""
    from matching.kana import _ALLOWED, _KANJI, _intermediate

    inter = _intermediate(e)
    kanji = inter.str.extract_all(_KANJI).list.join(" ")
    other = inter.str.replace_all(f"[{_ALLOWED}]", "")
    blank = e.str.strip_chars().str.len_chars() == 0
    return (
        pl.when(e.is_null() | blank)
        .then(pl.lit(None, dtype=pl.String))
        .when(kanji.str.len_chars() > 0)
        .then(pl.lit("カナ氏名に漢字が含まれています: ") + kanji)
        .when(other.str.len_chars() > 0)
        .then(pl.lit("カナ氏名に使用できない文字が含まれています: ") + other)
        .when(inter.str.len_chars() == 0)
        .then(pl.lit("カナ氏名に有効な文字がありません"))
    )


_KANA_FUZZ = "ｱｲｳﾞﾟｰ-ーあいうアイウゐゑをヰヱヲゝヽヾ々山田太郎　 ・,、=＝@＠Aa1１（）()./\u3099\u309b\ue000ヵヶ"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(alphabet=_KANA_FUZZ, max_size=10)), min_size=1, max_size=30))
def test_kana_problem_in_steps_equals_the_one_expression(names: list[str | None]) -> None:
    """The normalised name computed once per column (not five times) changes no reason and no null."""
    frame = pl.DataFrame({"n": names}, schema={"n": pl.String})
    got = frame.select(kana_problem(pl.col("n")))
    assert got.columns == ["n"]
    assert got["n"].to_list() == frame.select(_problem_as_one_expression(pl.col("n"))).to_series().to_list()
    lists = pl.DataFrame({"l": [names]}, schema={"l": pl.List(pl.String)})
    assert lists.select(pl.col("l").list.eval(kana_problem(pl.element())))["l"].to_list() == [got["n"].to_list()]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(alphabet=_KANA_FUZZ, max_size=10)), min_size=1, max_size=30))
def test_sendable_forms_in_steps_equal_the_one_expression(names: list[str | None]) -> None:
    """Both services' forms, the intermediate computed once: the same names, the same nulls."""
    from matching.kana import _ALLOWED, _FULL_MAP, _HALF_MAP, _intermediate

    inter = _intermediate(pl.col("n"))
    sendable = pl.when(inter.str.contains(f"^[{_ALLOWED}]+$")).then(inter)
    frame = pl.DataFrame({"n": names}, schema={"n": pl.String})
    for form, table in ((to_zengin, _HALF_MAP), (to_fullwidth, _FULL_MAP)):
        got = frame.select(form(pl.col("n")))
        assert got.columns == ["n"]
        assert got["n"].to_list() == frame.select(sendable.str.replace_many(table)).to_series().to_list()
