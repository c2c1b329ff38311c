"""Candidate generation finds every plausible person without comparing all pairs."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from matching.blocking import candidate_pairs, secondary_key
from matching.link import build_frames

D = dt.date
BIRTH = D(1970, 3, 12)


def frames(accounts: list[tuple], persons: list[tuple], inquired: str | None = None):
    """accounts: (key, family, given, dob); persons: (person_id, key, family, given, dob)."""
    acc = pl.DataFrame(
        [(i, k, f, g, d, False, None, None, None, None, inquired) for i, (k, f, g, d) in enumerate(accounts)],
        schema={
            "acct_idx": pl.UInt32, "key": pl.Utf8, "family": pl.Utf8, "given": pl.Utf8, "dob": pl.Date,
            "has_address": pl.Boolean, "pref": pl.Utf8, "city": pl.Utf8, "town": pl.Utf8, "block": pl.Utf8,
            "inquired_person_id": pl.Utf8,
        },
        orient="row",
    )
    per = pl.DataFrame(
        [(i, p[0], False, p[4]) for i, p in enumerate(persons)],
        schema={"person_idx": pl.UInt32, "person_id": pl.Utf8, "estimated": pl.Boolean, "dob": pl.Date},
        orient="row",
    )
    forms = pl.DataFrame(
        [(i, False, p[1], p[2], p[3], p[4]) for i, p in enumerate(persons)],
        schema={"person_idx": pl.UInt32, "kind_other": pl.Boolean, "key": pl.Utf8, "family": pl.Utf8,
                "given": pl.Utf8, "dob": pl.Date},
        orient="row",
    )
    addr = pl.DataFrame(
        schema={"person_idx": pl.UInt32, "is_current": pl.Boolean, "pref": pl.Utf8, "city": pl.Utf8,
                "town": pl.Utf8, "block": pl.Utf8}
    )
    return build_frames(acc, per, forms, addr)


PERSONS = [
    ("P1", "サトウハナコ", "サトウ", "ハナコ", BIRTH),
    ("P2", "サトウハナコ", "サトウ", "ハナコ", D(1955, 8, 1)),
    ("P3", "タナカイチロウ", "タナカ", "イチロウ", BIRTH),
    ("P4", "ヤマダタロウシヨウテンダイヒヨウシヤ", "ヤマダタロウ", "シヨウテンダイヒヨウシヤ", D(1960, 1, 2)),
    ("P5", "スズキケイコ", "スズキ", "ケイコ", D(1990, 5, 6)),
]


def found(account: tuple, inquired: str | None = None) -> set[str]:
    f = frames([account], PERSONS, inquired)
    pairs = candidate_pairs(f)
    ids = f.persons.get_column("person_id")
    return {ids[int(i)] for i in pairs.get_column("person_idx")}


@pytest.mark.parametrize(
    ("account", "expected"),
    [
        (("サトウハナコ", "サトウ", "ハナコ", BIRTH), "P1"),  # name + birth date
        (("サトウハナコ", "サトウ", "ハナコ", D(1970, 3, 13)), "P1"),  # day mistyped
        (("サトウハナコ", "サトウ", "ハナコ", D(1970, 12, 3)), "P1"),  # day/month swapped
        (("サトウハナコ", "サトウ", "ハナコ", None), "P1"),  # bank holds no birth date
        (("サト-ハナコ", "サト-", "ハナコ", BIRTH), "P1"),  # long vowel as a dash (secondary key)
        (("サトウハナゴ", "サトウ", "ハナゴ", BIRTH), "P1"),  # typo in the given name
        (("サドウハナコ", "サドウ", "ハナコ", BIRTH), "P1"),  # typo in the family name
        (("ヤマダタロウシヨウテンダイ", "ヤマダタロウ", "シヨウテンダイ", D(1960, 1, 2)), "P4"),  # truncated
        (("スズキケ-コ", "スズキ", "ケ-コ", D(1990, 5, 6)), "P5"),  # ケイ written ケ-
    ],
)
def test_plausible_person_is_a_candidate(account: tuple, expected: str) -> None:
    assert expected in found(account)


def test_no_birth_date_and_a_slip_in_the_name_still_meets_the_person_of_that_town() -> None:
    acc = pl.DataFrame(
        [(0, "サトウハナゴ", "サトウ", "ハナゴ", None, True, None, "新宿区", "西新宿", "2-8-1", None)],
        schema={"acct_idx": pl.UInt32, "key": pl.Utf8, "family": pl.Utf8, "given": pl.Utf8, "dob": pl.Date,
                "has_address": pl.Boolean, "pref": pl.Utf8, "city": pl.Utf8, "town": pl.Utf8, "block": pl.Utf8,
                "inquired_person_id": pl.Utf8},
        orient="row",
    )
    per = pl.DataFrame([(0, "P1", False, BIRTH)], schema={"person_idx": pl.UInt32, "person_id": pl.Utf8,
                                                           "estimated": pl.Boolean, "dob": pl.Date}, orient="row")
    forms = pl.DataFrame([(0, False, "サトウハナコ", "サトウ", "ハナコ", BIRTH)],
                         schema={"person_idx": pl.UInt32, "kind_other": pl.Boolean, "key": pl.Utf8,
                                 "family": pl.Utf8, "given": pl.Utf8, "dob": pl.Date}, orient="row")
    addr = pl.DataFrame([(0, False, None, "新宿区", "西新宿", "2-8-1")],
                        schema={"person_idx": pl.UInt32, "is_current": pl.Boolean, "pref": pl.Utf8, "city": pl.Utf8,
                                "town": pl.Utf8, "block": pl.Utf8}, orient="row")
    assert candidate_pairs(build_frames(acc, per, forms, addr)).height == 1


def test_every_plausible_person_not_only_the_inquired_one() -> None:
    # Inquired for P2, but P1 (same name, same birth date) is in the master too.
    assert {"P1", "P2"} <= found(("サトウハナコ", "サトウ", "ハナコ", BIRTH), inquired="P2")


def test_an_account_matching_no_rule_still_meets_its_namesakes() -> None:
    # Birth date far from both namesakes: paired with every person of that name.
    assert found(("サトウハナコ", "サトウ", "ハナコ", D(2001, 11, 30))) == {"P1", "P2"}


def test_unrelated_persons_are_not_paired() -> None:
    assert "P3" not in found(("サトウハナコ", "サトウ", "ハナコ", BIRTH))
    assert "P5" not in found(("サトウハナコ", "サトウ", "ハナコ", BIRTH))


def test_pairs_grow_with_namesakes_not_with_the_master() -> None:
    many = [(f"X{i}", f"ダミ{i:04d}", "ダミ", f"{i:04d}", D(1950 + i % 50, 1 + i % 12, 1 + i % 28)) for i in range(3000)]
    f = frames([("サトウハナコ", "サトウ", "ハナコ", BIRTH)] * 50, PERSONS + many)
    assert candidate_pairs(f).height <= 50 * 2


def test_missing_name_parts_never_join_each_other() -> None:
    # Bank names without a space have no given part; nor does this master name.
    persons = [(f"N{i}", f"ナナシ{i:04d}", f"ナナシ{i:04d}", None, D(1960, 1, 1 + i % 28)) for i in range(200)]
    f = frames([(f"ベツメイ{i}", f"ベツメイ{i}", None, D(1960, 1, 1 + i % 28)) for i in range(200)], persons)
    assert candidate_pairs(f).height == 0


def test_secondary_key_folds_long_vowels_and_dakuten() -> None:
    names = pl.Series(["サトウ", "サト-", "サトオ", "ヨウコ", "ヨ-コ", "ケイコ", "ケ-コ", "ユウキ", "ユ-キ", "ハナゴ"])
    keys = names.to_frame("k").select(secondary_key(pl.col("k"))).to_series().to_list()
    assert keys[:3] == ["サト"] * 3  # a long vowel in any spelling is dropped
    assert keys[3] == keys[4] == "ヨコ"
    assert keys[5] == keys[6]
    assert keys[7] == keys[8]
    assert keys[9] == "ハナコ"


@pytest.mark.parametrize(
    ("office", "bank"),
    [
        ("ブアレンテイ-ナ", "バレンテイナ"),  # ヴァレンティーナ written バレンティナ: ヴァ → バ and the ー dropped
        ("ブイクトル", "ビクトル"),  # ヴィ → ビ
        ("ブエラ", "ベラ"),  # ヴェ → ベ
        ("ブオルフ", "ボルフ"),  # ヴォ → ボ
        ("イブアノブア", "イバノバ"),  # イヴァノヴァ: twice
        ("ジヨ-ジ", "ジヨジ"),  # a dropped ー
        ("マリア", "マリ-ア"),  # an added ー
        ("ブイ-", "ビ"),  # ヴィー written ビ
    ],
)
def test_secondary_key_folds_bank_spellings_of_foreign_names(office: str, bank: str) -> None:
    keys = pl.Series([office, bank]).to_frame("k").select(secondary_key(pl.col("k"))).to_series().to_list()
    assert keys[0] == keys[1]
