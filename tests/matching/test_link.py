"""``link()`` end to end on hand-built cases: columns, one row per account,
every evidence value, and character-based name scoring."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import polars as pl
import pytest
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler

from matching import LinkInputError, link
from matching.link import EVIDENCE_COLUMN, EVIDENCE_FIELDS, RESULT_COLUMNS
from matching.scoring import edit_distance, similarity

D = dt.date
HOME = "東京都世田谷区太子堂一丁目2番3号"
OLD = "大阪府大阪市北区梅田二丁目5番8号"
ELSEWHERE = "北海道札幌市中央区大通西3丁目1番1号"


def person(
    pid: str,
    kana: str | None,
    dob: dt.date | None,
    address: str | None = HOME,
    *,
    history: Iterable[str] = (),
    other: Iterable[str] = (),
    estimated: bool = False,
    candidates: Iterable[str] = (),
) -> dict:
    """One master row as ``link`` expects it."""
    return {
        "person_id": pid,
        "name_kana": kana,
        "kana_estimated": estimated,
        "kana_candidates": list(candidates),
        "other_names_kana": list(other),
        "birth_date": dob,
        "address": address,
        "address_history": list(history),
    }


def account(
    key: str,
    kana: str,
    dob: dt.date | None,
    address: str | None = HOME,
    *,
    inquired: str | None = "P1",
    inquiry: str = "Q1",
) -> dict:
    """One returned account record."""
    return {
        "account_key": key,
        "inquiry_id": inquiry,
        "inquired_person_id": inquired,
        "holder_kana": kana,
        "holder_birth_date": dob,
        "holder_address": address,
    }


PERSON_SCHEMA = {
    "person_id": pl.Utf8,
    "name_kana": pl.Utf8,
    "kana_estimated": pl.Boolean,
    "kana_candidates": pl.List(pl.Utf8),
    "other_names_kana": pl.List(pl.Utf8),
    "birth_date": pl.Date,
    "address": pl.Utf8,
    "address_history": pl.List(pl.Utf8),
}
ACCOUNT_SCHEMA = {
    "account_key": pl.Utf8,
    "inquiry_id": pl.Utf8,
    "inquired_person_id": pl.Utf8,
    "holder_kana": pl.Utf8,
    "holder_birth_date": pl.Date,
    "holder_address": pl.Utf8,
}


def run(accounts: list[dict], persons: list[dict]) -> pl.DataFrame:
    """Link and index the result by account key."""
    out = link(pl.DataFrame(accounts, schema=ACCOUNT_SCHEMA), pl.DataFrame(persons, schema=PERSON_SCHEMA))
    return out


def row(result: pl.DataFrame, key: str) -> dict:
    return result.filter(pl.col("account_key") == key).row(0, named=True)


HANAKO = person("P1", "サトウ ハナコ", D(1970, 3, 12), HOME, history=[OLD])


def test_result_has_the_contract_columns_and_one_row_per_account() -> None:
    accounts = [
        account("A", "ｻﾄｳ ﾊﾅｺ", D(1970, 3, 12), inquiry="Q1"),
        account("A", "ｻﾄｳ ﾊﾅｺ", D(1970, 3, 12), inquiry="Q2"),
        account("B", "ｻﾄｳ ﾊﾅｺ", D(1985, 1, 1), ELSEWHERE, inquiry="Q2"),
    ]
    out = run(accounts, [HANAKO])
    assert tuple(out.columns[: len(RESULT_COLUMNS)]) == RESULT_COLUMNS
    assert out.get_column("account_key").to_list() == ["A", "B"]
    assert row(out, "A")["inquiry_id"] == "Q1"  # the first inquiry that returned it
    assert out.get_column("score").is_between(0.0, 1.0).all()


def test_candidate_evidence_lists_each_person_weighed_with_the_evidence_that_decided() -> None:
    twin = person("P2", "サトウ ハナコ", D(1970, 3, 12), "東京都世田谷区太子堂一丁目9番9号")
    stranger = person("P3", "サトウ ハナコ", D(1985, 1, 1), ELSEWHERE)
    accounts = [
        account("A", "ｻﾄｳ ﾊﾅｺ", D(1970, 3, 12)),  # P1's own account; P2 a neighbour
        account("B", "ｻﾄｳ ﾊﾅｺ", D(1970, 3, 12), "大阪市北区梅田1-1-1"),  # P1 and P2 fit alike: REVIEW
        account("C", "ﾀﾅｶ ｼﾞﾛｳ", None, None),  # no name in the master
    ]
    out = run(accounts, [HANAKO, twin, stranger])
    assert EVIDENCE_COLUMN in out.columns
    ev = {k: v for k, v in zip(out["account_key"], out[EVIDENCE_COLUMN].to_list())}
    assert all(tuple(c) == EVIDENCE_FIELDS for e in ev.values() for c in e)
    a = row(out, "A")
    assert [c["person_id"] for c in ev["A"]] == ["P1", "P2"]  # best first; P3 never a candidate pair (blocking)
    best = ev["A"][0]  # the chosen person's entry is the result's own evidence
    assert (best["class"], best["name_evidence"], best["dob_evidence"], best["address_evidence"], best["reason"]) == (
        a["class"], a["name_evidence"], a["dob_evidence"], a["address_evidence"], a["reason"])
    assert best["score"] == pytest.approx(a["score"])
    assert (ev["A"][1]["class"], ev["A"][1]["address_evidence"]) == ("REVIEW", "other_block")  # the bank names P1's block
    b = row(out, "B")  # every person named as a candidate has its evidence
    assert set(b["candidates"].split(";")) <= {c["person_id"] for c in ev["B"]}
    assert ev["C"] == [] or all(c["class"] == "UNMATCHED" for c in ev["C"])


def test_extra_account_columns_are_passed_through() -> None:
    frame = pl.DataFrame([account("A", "ｻﾄｳ ﾊﾅｺ", D(1970, 3, 12))], schema=ACCOUNT_SCHEMA).with_columns(
        balance_yen=pl.lit(120_000, dtype=pl.Int64)
    )
    out = link(frame, pl.DataFrame([HANAKO], schema=PERSON_SCHEMA))
    assert out.row(0, named=True)["balance_yen"] == 120_000


def test_missing_column_is_a_documented_error() -> None:
    frame = pl.DataFrame([account("A", "ｻﾄｳ ﾊﾅｺ", D(1970, 3, 12))], schema=ACCOUNT_SCHEMA).drop("holder_kana")
    with pytest.raises(LinkInputError, match="holder_kana"):
        link(frame, pl.DataFrame([HANAKO], schema=PERSON_SCHEMA))


def test_empty_accounts_give_an_empty_result() -> None:
    out = link(pl.DataFrame(schema=ACCOUNT_SCHEMA), pl.DataFrame([HANAKO], schema=PERSON_SCHEMA))
    assert out.height == 0
    assert tuple(out.columns[: len(RESULT_COLUMNS)]) == RESULT_COLUMNS


def test_empty_master_leaves_every_account_unmatched() -> None:
    out = run([account("A", "ｻﾄｳ ﾊﾅｺ", D(1970, 3, 12))], [])
    assert (row(out, "A")["class"], row(out, "A")["person_id"], row(out, "A")["candidates"]) == ("UNMATCHED", None, None)


def test_lists_may_come_as_joined_text() -> None:
    persons = pl.DataFrame(
        {"person_id": ["P1"], "name_kana": ["タナカ ハナコ"], "other_names_kana": ["ヤマダ ハナコ;サトウ ハナコ"],
         "birth_date": [D(1970, 3, 12)], "address": [HOME], "address_history": [f"{ELSEWHERE}|{OLD}"]}
    )
    accounts = pl.DataFrame([account("A", "ｻﾄｳ ﾊﾅｺ", D(1970, 3, 12), OLD)], schema=ACCOUNT_SCHEMA)
    r = link(accounts, persons).row(0, named=True)
    assert (r["class"], r["name_evidence"], r["address_evidence"]) == ("CONFIRMED", "other_name", "history")


@pytest.mark.parametrize(
    ("holder", "persons", "expected"),
    [
        ("ｻﾄｳ ﾊﾅｺ", [HANAKO], "exact"),
        ("ｻﾄｳﾊﾅｺ", [HANAKO], "exact"),  # no space at the bank
        ("ｽｽﾞｷ ﾊﾅｺ", [person("P1", "サトウ ハナコ", D(1970, 3, 12), other=["スズキ ハナコ"])], "other_name"),
        ("ｽｽﾞｷ ﾊﾅｺ", [person("P1", "サトウ ハナコ", D(1970, 3, 12), other=["スズキ ユキ"])], "other_name"),
        ("ｻﾄ- ﾊﾅｺ", [HANAKO], "variant"),  # long vowel written as a dash
        ("ｻﾄｳ ﾊﾅｴ", [HANAKO], "variant"),  # one kana off
        ("ｻﾄｳ ﾊﾅｺ", [person("P1", "サトウ ハナコノスケミチコ", D(1970, 3, 12))], "partial"),  # too short to be truncated
        ("ﾀﾅｶ ﾊﾅｺ", [HANAKO], "partial"),
        ("ﾀﾅｶ ｲﾁﾛｳ", [HANAKO], "mismatch"),
    ],
)
def test_name_evidence(holder: str, persons: list[dict], expected: str) -> None:
    out = run([account("A", holder, D(1970, 3, 12))], persons)
    assert row(out, "A")["name_evidence"] == expected


def test_name_followed_by_a_guardian_is_a_variant() -> None:
    out = run([account("A", "ｵﾉ ﾋﾛｺ ｾｲﾈﾝｺｳｹﾝﾆﾝ ｻﾄ", D(1970, 3, 12))], [person("P1", "オノ ヒロコ", D(1970, 3, 12))])
    assert (row(out, "A")["name_evidence"], row(out, "A")["class"]) == ("variant", "PROBABLE")


def test_truncated_bank_name_is_a_variant() -> None:
    long = person("P1", "ヤマダタロウ ショウテン ダイヒヨウシヤ", D(1970, 3, 12))
    out = run([account("A", "ﾔﾏﾀﾞﾀﾛｳ ｼﾖｳﾃﾝ ﾀﾞｲ", D(1970, 3, 12))], [long])
    assert row(out, "A")["name_evidence"] == "variant"
    assert row(out, "A")["class"] == "PROBABLE"


@pytest.mark.parametrize(
    ("bank_dob", "expected"),
    [
        (D(1970, 3, 12), "exact"),
        (D(1970, 3, 13), "near"),  # one digit
        (D(1979, 3, 12), "near"),  # one digit of the year
        (D(1970, 12, 3), "near"),  # day and month swapped
        (D(1969, 3, 12), "near"),  # the year off by one (two digits: 1970 -> 1969)
        (D(1968, 3, 12), "mismatch"),
        (None, "missing"),
        (D(1985, 7, 30), "mismatch"),
    ],
)
def test_dob_evidence(bank_dob: dt.date | None, expected: str) -> None:
    out = run([account("A", "ｻﾄｳ ﾊﾅｺ", bank_dob)], [HANAKO])
    assert row(out, "A")["dob_evidence"] == expected


def test_dob_missing_in_the_master_is_missing() -> None:
    out = run([account("A", "ｻﾄｳ ﾊﾅｺ", D(1970, 3, 12))], [person("P1", "サトウ ハナコ", None)])
    assert row(out, "A")["dob_evidence"] == "missing"


@pytest.mark.parametrize(
    ("bank_address", "expected"),
    [
        ("世田谷区太子堂1-2-3", "current"),  # prefecture dropped, digits and dashes
        ("大阪市北区梅田２－５－８", "history"),  # a former address
        ("東京都世田谷区太子堂一丁目9番9号", "other_block"),  # the bank names another block
        ("東京都世田谷区太子堂", "town"),  # the bank holds the town only
        ("世田谷区太子堂一丁目", "town"),  # ... or the town and the 丁目 of the address
        ("世田谷区太子堂2丁目", "other_block"),  # ... another 丁目 is another block
        ("世田谷区太子堂1-2", "town"),  # 丁目 and 番 without 号: nothing against it
        ("東京都世田谷区三軒茶屋二丁目1番1号", "city"),
        (None, "missing"),
        (ELSEWHERE, "mismatch"),
    ],
)
def test_address_evidence(bank_address: str | None, expected: str) -> None:
    out = run([account("A", "ｻﾄｳ ﾊﾅｺ", D(1970, 3, 12), bank_address)], [HANAKO])
    assert row(out, "A")["address_evidence"] == expected


@pytest.mark.parametrize(
    ("bank_dob", "bank_address", "expected"),
    [
        (D(1970, 3, 12), HOME, "CONFIRMED"),
        (D(1970, 3, 12), OLD, "CONFIRMED"),  # a former address is evidence for
        (D(1970, 3, 12), "東京都世田谷区太子堂一丁目9番9号", "REVIEW"),  # same town, another block
        (D(1970, 3, 12), "東京都世田谷区太子堂", "PROBABLE"),  # same town, the bank holds no block
        (None, "東京都世田谷区太子堂", "REVIEW"),  # no block and no birth date: too little either way
        (None, "東京都世田谷区太子堂一丁目9番9号", "HOMONYM"),  # no birth date, a block the person never lived at
        (None, "東京都世田谷区三軒茶屋二丁目1番1号", "HOMONYM"),  # no birth date, another town
        (None, HOME, "PROBABLE"),
        (D(1970, 3, 12), ELSEWHERE, "REVIEW"),
        (D(1985, 7, 30), ELSEWHERE, "HOMONYM"),
        (None, ELSEWHERE, "HOMONYM"),
    ],
)
def test_each_class_for_the_inquired_name(bank_dob: dt.date | None, bank_address: str, expected: str) -> None:
    out = run([account("A", "ｻﾄｳ ﾊﾅｺ", bank_dob, bank_address)], [HANAKO])
    r = row(out, "A")
    assert r["class"] == expected
    if expected in ("CONFIRMED", "PROBABLE", "REVIEW"):
        assert r["person_id"] == "P1"
    else:
        assert r["person_id"] is None
        assert r["candidates"] == "P1"  # the nearest person: the inquired one
    assert r["reason"]


def test_name_fitting_nobody_is_unmatched_with_the_inquired_person_as_nearest() -> None:
    out = run([account("A", "ﾀﾅｶ ｲﾁﾛｳ", D(1970, 3, 12))], [HANAKO])
    r = row(out, "A")
    assert (r["class"], r["person_id"], r["candidates"], r["name_evidence"]) == ("UNMATCHED", None, "P1", "mismatch")


def test_unmatched_without_any_person_has_no_candidate() -> None:
    out = run([account("A", "ﾀﾅｶ ｲﾁﾛｳ", D(1970, 3, 12), inquired=None)], [HANAKO])
    r = row(out, "A")
    assert (r["class"], r["person_id"], r["candidates"]) == ("UNMATCHED", None, None)


def test_variant_name_with_dob_and_current_address_is_probable() -> None:
    out = run([account("A", "ｻﾄ- ﾊﾅｺ", D(1970, 3, 12))], [HANAKO])
    assert row(out, "A")["class"] == "PROBABLE"


def test_kana_similarity_is_character_based_not_bytes() -> None:
    # One kana changed in six: the character-level Jaro-Winkler, not the byte-level one.
    got = float(similarity(["ヤマダタロウ"], ["ヤマダジロウ"])[0])
    chars = JaroWinkler.normalized_similarity("ヤマダタロウ", "ヤマダジロウ")
    as_bytes = process.cpdist(
        [list("ヤマダタロウ".encode())], [list("ヤマダジロウ".encode())], scorer=JaroWinkler.normalized_similarity
    )[0]
    assert got == pytest.approx(chars)
    assert got == pytest.approx(0.922, abs=1e-3)
    assert as_bytes > 0.97  # what a byte-based engine would report
    assert edit_distance(["ﾔﾏﾀﾞ ﾀﾛｳ"], ["ﾔﾏﾀﾞ ｼﾞﾛｳ"]).tolist() == [2]


VALENTINA = person("P1", "ロッシ ヴァレンティーナ", D(1988, 6, 2), HOME)


@pytest.mark.parametrize(
    "bank_kana",
    [
        "ﾛﾂｼ ﾊﾞﾚﾝﾃｲﾅ",  # ヴァ written バ and the long vowel dropped (two characters off the key)
        "ﾛﾂｼ ﾊﾞﾚﾝﾃｲ-ﾅ",  # ヴァ written バ
        "ロッシ　バレンティーナ",  # the same in full width
        "ﾛ-ﾂｼ ﾊﾞﾚﾝﾃｲﾅ",  # and a long vowel added in the family name
    ],
)
def test_bank_spellings_of_v_and_long_vowels_are_a_variant_never_exact(bank_kana: str) -> None:
    out = run([account("A", bank_kana, D(1988, 6, 2), inquired=None)], [VALENTINA])
    r = row(out, "A")
    assert (r["name_evidence"], r["class"], r["person_id"]) == ("variant", "PROBABLE", "P1")


def test_bank_v_spelling_with_another_birth_date_is_a_homonym() -> None:
    out = run([account("A", "ﾛﾂｼ ﾊﾞﾚﾝﾃｲﾅ", D(1990, 1, 20), ELSEWHERE)], [VALENTINA])
    assert row(out, "A")["class"] == "HOMONYM"


def test_v_written_as_u_with_dakuten_stays_exact() -> None:
    out = run([account("A", "ﾛﾂｼ ｳﾞｱﾚﾝﾃｲ-ﾅ", D(1988, 6, 2))], [VALENTINA])
    assert row(out, "A")["name_evidence"] == "exact"


def test_town_only_address_with_an_estimated_reading_stays_review() -> None:
    """Safety rule 3: an estimated reading needs the address at block level; the town alone is not enough."""
    estimated = person("P1", "サトウ ハナコ", D(1970, 3, 12), HOME, estimated=True, candidates=["サトウ ハナコ"])
    out = run([account("A", "ｻﾄｳ ﾊﾅｺ", D(1970, 3, 12), "東京都世田谷区太子堂")], [estimated])
    r = row(out, "A")
    assert (r["address_evidence"], r["class"]) == ("town", "REVIEW")


def test_a_custom_model_decides_with_its_own_levels_everywhere() -> None:
    """Scoring, the evidence shown and the class all come from the model ``link`` is given:
    a model without the ``variant`` name level sees the dash spelling as a partial name,
    and so does every column of the result (once, scoring used the model's weights but the
    module's levels, and the evidence said ``variant`` under any model)."""
    from dataclasses import replace

    from matching import LinkConfig
    from matching.comparisons import NAME_LEVELS, Comparison, MatchModel

    strict = MatchModel(name=Comparison("name", tuple(replace(lv, condition=pl.lit(False)) if lv.label == "variant" else lv for lv in NAME_LEVELS)))
    accounts = pl.DataFrame([account("A", "ｻﾄ- ﾊﾅｺ", D(1970, 3, 12))], schema=ACCOUNT_SCHEMA)
    persons = pl.DataFrame([HANAKO], schema=PERSON_SCHEMA)
    out = link(accounts, persons, config=LinkConfig(model=strict))
    r = row(out, "A")
    assert r["name_evidence"] == "partial" and r["class"] not in ("CONFIRMED", "PROBABLE")
    default = row(link(accounts, persons), "A")
    assert (default["name_evidence"], default["class"]) == ("variant", "PROBABLE")
    assert r["score"] < default["score"]


def test_scoring_in_account_chunks_gives_the_same_result(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue #10 (memory at L): the pairs are scored, classified and resolved in chunks of whole
    accounts; the result and every evidence list are those of one pass over all pairs."""
    import sys

    from benchmarks.quality import build_case

    case = build_case(600, 4)
    whole = link(case.accounts, case.persons)
    module = sys.modules["matching.link"]
    monkeypatch.setattr(module, "PAIRS_PER_CHUNK", 97)  # dozens of chunks, bounds inside accounts' pairs
    chunked = link(case.accounts, case.persons)
    assert whole.height > 500 and whole.equals(chunked)
    assert chunked.drop(EVIDENCE_COLUMN).equals(link(case.accounts, case.persons, evidence=False))


def test_name_evidence_of_a_pair_does_not_depend_on_the_other_pairs() -> None:
    """One key, two splits: コバヤシナオミ written without a space (no given name) and コバヤシ ナオミ.
    The part test (``partial``) is of the form's own parts, whichever other form of the same key
    is scored beside it - it once came from either, so chunks or row order could change a result."""
    bare = person("P1", "コバヤシナオミ", D(1968, 8, 19))
    spaced = person("P2", "コバヤシ ナオミ", D(1970, 1, 1))
    alone = run([account("A", "ｺﾊﾞﾔｼ ﾀｹｼ", D(1968, 8, 19), inquired="P1")], [bare, spaced])
    expected = {c["person_id"]: c["name_evidence"] for c in row(alone, "A")[EVIDENCE_COLUMN]}
    assert expected["P1"] == "mismatch"  # neither part of コバヤシナオミ is a part of コバヤシタケシ
    a = account("A", "ｺﾊﾞﾔｼ ﾀｹｼ", D(1968, 8, 19), inquired="P1")
    b = account("B", "ｺﾊﾞﾔｼ ﾀｹｼ", D(1970, 1, 1), inquired="P2")  # the same key against P2's split
    for accounts in ([a, b], [b, a]):
        for persons in ([bare, spaced], [spaced, bare]):
            out = run(accounts, persons)
            assert {c["person_id"]: c["name_evidence"] for c in row(out, "A")[EVIDENCE_COLUMN]} == expected
            assert {c["person_id"]: c["name_evidence"] for c in row(out, "B")[EVIDENCE_COLUMN]}["P2"] == "partial"
