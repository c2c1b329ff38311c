"""Name key: each rule of background/kana.md §1.3 with its reason, and the
property that every rendering of one name gives one key."""

from __future__ import annotations

import jaconv
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.names import name_key, name_parts


def keys(values: list[str | None]) -> list[str | None]:
    return pl.DataFrame({"n": values}, schema={"n": pl.String}).select(name_key(pl.col("n")))["n"].to_list()


def key(value: str | None) -> str | None:
    return keys([value])[0]


def parts(values: list[str | None]) -> list[tuple[str | None, str | None]]:
    df = pl.DataFrame({"n": values}, schema={"n": pl.String})
    return df.select(name_parts(pl.col("n")).alias("p")).unnest("p").rows()


# (rule, reason, office side, bank side): both sides must give the same key.
RULES = [
    ("1 spacing dakuten", "NFKC would put a space inside the name", "タ゛イスケ", "ﾀﾞｲｽｹ"),
    ("1 spacing handakuten", "NFKC would put a space inside the name", "ハ゜ク", "ﾊﾟｸ"),
    ("2 NFKC half-width", "banks answer in half-width with separate dakuten", "ガンダ", "ｶﾞﾝﾀﾞ"),
    ("2 NFKC full-width ASCII", "foreign names typed in full width", "ＪＯＨＮ", "JOHN"),
    ("3 hiragana", "the master may hold hiragana", "さとう はなこ", "ｻﾄｳ ﾊﾅｺ"),
    ("3 hiragana vu", "ゔ is the hiragana of ヴ", "ゔぃくとる", "ﾌﾞｲｸﾄﾙ"),
    ("4 iteration mark", "old registrations write サヽキ", "サヽキ", "ｻｻｷ"),
    ("4 voiced iteration mark", "old registrations write ミスヾ", "ミスヾ", "ﾐｽｽﾞ"),
    ("4 hiragana iteration mark", "ゝゞ are the hiragana marks", "さゝき", "ｻｻｷ"),
    ("5 small kana", "Zengin systems store small kana large", "キョウコ", "ｷﾖｳｺ"),
    ("5 small wa", "jaconv misses ヮ; Zengin has no small kana", "クヮン", "ｸﾜﾝ"),
    ("5 small ka/ke", "ヵ/ヶ have no half-width form", "ヵヶ", "ｶｹ"),
    ("6 di/zi", "both spellings in the wild (静子 シヅコ/シズコ)", "シヅコ", "ｼｽﾞｺ"),
    ("6 ji/dji", "both spellings in the wild", "チヂワ", "ﾁｼﾞﾜ"),
    ("7 wo", "ヲ is excluded from Zengin names", "シヅヲ", "ｼｽﾞｵ"),
    ("7 wi/we", "ヰ/ヱ do not exist in half-width", "ヰヱ", "ｲｴ"),
    ("8 vu after enlarging", "bank has ｳﾞｱ: small ァ already enlarged", "ヴァイオレット", "ｳﾞｱｲｵﾚﾂﾄ"),
    ("8 vu as bu", "bank may write the ブ spelling", "ヴィクトル", "ﾌﾞｲｸﾄﾙ"),
    ("8 va/vi/ve/vo", "ヷヸヹヺ are voiced ワヰヱヲ", "ヷヸヹヺ", "ﾊﾞﾋﾞﾍﾞﾎﾞ"),
    ("9 long vowel", "bank writes - for ー", "サトー", "ｻﾄ-"),
    ("9 wave dash", "〜 typed for ー", "サト〜", "ｻﾄｰ"),
    ("9 minus sign", "− (U+2212) typed for ー", "サト−", "ｻﾄ-"),
    ("10 spaces", "0, 1 or 2 spaces between the parts", "ヤマダ　　タロウ", "ﾔﾏﾀﾞﾀﾛｳ"),
    ("10 nakaguro", "banks do not accept ・", "ジョン・スミス", "ｼﾞﾖﾝ ｽﾐｽ"),
    ("10 dot and comma", "banks use . or a space instead of ・", "ジョン.スミス,ジュニア", "ｼﾞﾖﾝｽﾐｽｼﾞﾕﾆｱ"),
    ("10 ideographic comma and equals", "sent as a space by matching.kana", "トーマス＝ミラー、ジュニア", "ﾄ-ﾏｽ ﾐﾗ- ｼﾞﾕﾆｱ"),
    ("11 latin upper-case", "Zengin accepts A-Z only; MUFG upper-cases", "smith", "SMITH"),
]


@pytest.mark.parametrize(("rule", "reason", "office", "bank"), RULES, ids=[r[0] for r in RULES])
def test_each_rule_makes_office_and_bank_forms_equal(rule: str, reason: str, office: str, bank: str) -> None:
    office_key, bank_key = keys([office, bank])
    assert office_key == bank_key, f"rule {rule}: {reason}"


def test_key_is_full_width_katakana() -> None:
    assert key("ﾔﾏﾀﾞ ﾀﾛｳ") == "ヤマダタロウ"
    assert key("ｻﾄｰ") == "サト-"


def test_vu_enlarged_before_folding() -> None:
    # ヴァ→バ before enlarging would give バ on one side and ブア on the other
    assert keys(["ヴァ", "ｳﾞｱ", "ｳﾞｧ"]) == ["ブア", "ブア", "ブア"]


def test_spacing_mark_does_not_split_name() -> None:
    assert parts(["ヤマダ タ゛イスケ"]) == [("ヤマダ", "ダイスケ")]


def test_six_notations_of_one_name_collapse() -> None:
    notations = [
        "ｻﾄｳ ｷﾖｳｺ",  # Zengin half-width with space
        "サトウ　キョウコ",  # full width, ideographic space
        "ｻﾄｳｷｮｳｺ",  # half-width, small kana, no space
        "さとう　きょうこ",  # hiragana
        "サトウ  キョウコ",  # double space
        "ｻﾄｳｷﾖｳｺ",  # Zengin without space
    ]
    assert set(keys(notations)) == {"サトウキヨウコ"}


def test_null_and_blank_give_null() -> None:
    assert keys([None, "", "  ", "・"]) == [None, None, None, None]


def test_parts_split_at_first_space_of_any_width() -> None:
    assert parts(["ヤマダ　タロウ", "ﾔﾏﾀﾞ  ﾀﾛｳ", " やまだ たろう ", "ﾔﾏﾀﾞﾀﾛｳ", "ジョン スミス ジュニア", None]) == [
        ("ヤマダ", "タロウ"),
        ("ヤマダ", "タロウ"),
        ("ヤマダ", "タロウ"),
        ("ヤマダタロウ", None),
        ("ジヨン", "スミスジユニア"),
        (None, None),
    ]


# --- property: one name, every rendering, one key ----------------------------------

# Full-width katakana with a half-width form and a hiragana counterpart.
_KATA = [chr(o) for o in range(0x30A1, 0x30F5) if chr(o) not in "ヮヰヱヵヶ"] + ["ー"]
_part = st.text(alphabet=_KATA, min_size=1, max_size=8).filter(lambda s: not s.startswith("ー"))


def _renderings(family: str, given: str) -> list[str]:
    full = f"{family}\u3000{given}"
    half = jaconv.z2h(f"{family} {given}", kana=True, ascii=True, digit=True)
    hira = jaconv.kata2hira(f"{family} {given}")
    return [full, half, half.replace(" ", ""), hira, f"{family}  {given}", f"{family}{given}"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_part, _part), min_size=1, max_size=30))
def test_key_invariant_under_width_and_script(names: list[tuple[str, str]]) -> None:
    rendered = [r for family, given_name in names for r in _renderings(family, given_name)]
    got = keys(rendered)
    for i in range(0, len(got), 6):
        assert len(set(got[i : i + 6])) == 1, rendered[i : i + 6]


_ANY = st.text(
    alphabet=st.sampled_from(
        [chr(o) for o in range(0x3041, 0x3097)]
        + [chr(o) for o in range(0x30A1, 0x30FF)]
        + [chr(o) for o in range(0xFF61, 0xFFA0)]
        + list("゛゜\u3099\u309a ー-〜~・.,abcXYZ019　\t")
    ),
    max_size=12,
)


@settings(max_examples=80, deadline=None)
@given(st.lists(_ANY, min_size=1, max_size=40))
def test_key_is_idempotent(texts: list[str]) -> None:
    once = keys(texts)
    assert keys(once) == once


@settings(max_examples=80, deadline=None)
@given(st.lists(_ANY, min_size=1, max_size=40))
def test_key_is_the_parts_joined(texts: list[str]) -> None:
    """matching.link keys a name once, as its parts joined: that must be the name key."""
    df = pl.DataFrame({"n": texts}, schema={"n": pl.Utf8})
    got = df.select(name_parts(pl.col("n")).alias("p")).unnest("p").select(
        pl.concat_str(["family", "given"], ignore_nulls=True).replace("", None)
    )
    assert got.to_series().to_list() == keys(texts)
