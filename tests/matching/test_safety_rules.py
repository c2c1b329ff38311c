"""The five safety rules of matching.md, each on a hand-built case through ``link()``."""

from __future__ import annotations

import datetime as dt

import polars as pl

from tests.matching.test_link import ELSEWHERE, HOME, OLD, account, person, row, run

D = dt.date
BIRTH = D(1970, 3, 12)
HANAKO = person("P1", "サトウ ハナコ", BIRTH, HOME, history=[OLD])


# Rule 1: name and birth date are not identity ----------------------------------


def test_same_name_same_birth_date_other_address_is_review() -> None:
    out = run([account("A", "ｻﾄｳ ﾊﾅｺ", BIRTH, ELSEWHERE)], [HANAKO])
    r = row(out, "A")
    assert (r["class"], r["person_id"]) == ("REVIEW", "P1")
    assert (r["name_evidence"], r["dob_evidence"], r["address_evidence"]) == ("exact", "exact", "mismatch")
    assert "address" in r["reason"]
    assert r["candidates"] == "P1"


def test_same_municipality_but_another_town_is_still_review() -> None:
    out = run([account("A", "ｻﾄｳ ﾊﾅｺ", BIRTH, "東京都世田谷区三軒茶屋二丁目1番1号")], [HANAKO])
    assert (row(out, "A")["class"], row(out, "A")["address_evidence"]) == ("REVIEW", "city")


def test_bank_holding_no_address_and_no_birth_date_is_review() -> None:
    out = run([account("A", "ｻﾄｳ ﾊﾅｺ", None, None)], [HANAKO])
    r = row(out, "A")
    assert (r["class"], r["dob_evidence"], r["address_evidence"]) == ("REVIEW", "missing", "missing")
    assert "neither" in r["reason"]


def test_bank_holding_no_address_is_review_even_with_the_birth_date() -> None:
    assert row(run([account("A", "ｻﾄｳ ﾊﾅｺ", BIRTH, None)], [HANAKO]), "A")["class"] == "REVIEW"


def test_no_birth_date_and_another_flat_of_the_same_building_is_review() -> None:
    flat = person("P1", "サトウ ハナコ", BIRTH, "東京都新宿区西新宿二丁目8番1号 コーポ西新宿703号")
    out = run(
        [
            account("A", "ｻﾄｳ ﾊﾅｺ", None, "新宿区西新宿2-8-1 コーポ西新宿204"),
            account("B", "ｻﾄｳ ﾊﾅｺ", None, "新宿区西新宿2-8-1 ｺｰﾎﾟ西新宿703号室"),
            account("C", "ｻﾄｳ ﾊﾅｺ", None, "新宿区西新宿2-8-1"),
        ],
        [flat],
    )
    assert (row(out, "A")["class"], row(out, "A")["address_evidence"]) == ("REVIEW", "current")
    assert row(out, "B")["class"] == "PROBABLE"
    assert row(out, "C")["class"] == "PROBABLE"  # no room at the bank: nothing against


# Rule 2: ties go to a person ----------------------------------------------------


def test_two_delinquents_fitting_equally_is_review_with_both() -> None:
    twin = person("P2", "サトウ ハナコ", BIRTH, HOME)  # same name, birth date and address
    out = run([account("A", "ｻﾄｳ ﾊﾅｺ", BIRTH, HOME)], [HANAKO, twin])
    r = row(out, "A")
    assert r["class"] == "REVIEW"
    assert set(r["candidates"].split(";")) == {"P1", "P2"}
    assert r["person_id"] in {"P1", "P2"}


def test_two_delinquents_with_one_name_are_told_apart_by_birth_date() -> None:
    other = person("P2", "サトウ ハナコ", D(1955, 8, 1), "神奈川県横浜市中区山下町1番地")
    out = run(
        [
            account("A", "ｻﾄｳ ﾊﾅｺ", BIRTH, HOME, inquired="P2", inquiry="Q2"),
            account("B", "ｻﾄｳ ﾊﾅｺ", D(1955, 8, 1), "横浜市中区山下町1", inquired="P1", inquiry="Q1"),
        ],
        [HANAKO, other],
    )
    assert (row(out, "A")["class"], row(out, "A")["person_id"]) == ("CONFIRMED", "P1")
    assert (row(out, "B")["class"], row(out, "B")["person_id"]) == ("CONFIRMED", "P2")


# Rule 3: estimated readings are not evidence --------------------------------------


def test_estimated_reading_reaches_probable_at_most() -> None:
    est = person("P1", "ナカシマ ハナコ", BIRTH, HOME, estimated=True, candidates=["ナカジマ ハナコ"])
    out = run([account("A", "ﾅｶｼﾞﾏ ﾊﾅｺ", BIRTH, HOME), account("B", "ﾅｶｼﾏ ﾊﾅｺ", BIRTH, HOME)], [est])
    assert (row(out, "A")["class"], row(out, "A")["person_id"]) == ("PROBABLE", "P1")
    assert row(out, "B")["class"] == "PROBABLE"
    assert "estimated" in row(out, "A")["reason"]


def test_estimated_reading_without_block_address_is_review() -> None:
    est = person("P1", "ナカシマ ハナコ", BIRTH, HOME, estimated=True)
    out = run(
        [
            account("A", "ﾅｶｼﾏ ﾊﾅｺ", BIRTH, "東京都世田谷区太子堂一丁目9番9号"),  # town only
            account("B", "ﾅｶｼﾏ ﾊﾅｺ", None, HOME),  # no birth date
        ],
        [est],
    )
    assert row(out, "A")["class"] == "REVIEW"
    assert row(out, "B")["class"] == "REVIEW"


# Rule 4: one account, one owner ------------------------------------------------


def test_account_returned_twice_is_linked_once_to_the_best_fitting_delinquent() -> None:
    inquired = person("P2", "サトウ ハナコ", D(1955, 8, 1), "神奈川県横浜市中区山下町1番地")
    out = run(
        [
            account("A", "ｻﾄｳ ﾊﾅｺ", BIRTH, HOME, inquired="P2", inquiry="Q7"),
            account("A", "ｻﾄｳ ﾊﾅｺ", BIRTH, HOME, inquired="P2", inquiry="Q9"),
        ],
        [HANAKO, inquired],
    )
    assert out.height == 1
    r = row(out, "A")
    assert (r["class"], r["person_id"], r["inquiry_id"], r["inquired_person_id"]) == ("CONFIRMED", "P1", "Q7", "P2")


def test_maiden_name_account_is_linked_as_other_name() -> None:
    married = person("P1", "タナカ ハナコ", BIRTH, HOME, history=[OLD], other=["サトウ ハナコ"])
    out = run([account("A", "ｻﾄｳ ﾊﾅｺ", BIRTH, OLD, inquired="P1")], [married])
    r = row(out, "A")
    assert (r["class"], r["name_evidence"], r["address_evidence"]) == ("CONFIRMED", "other_name", "history")


# Rule 5: explain every decision --------------------------------------------------


def test_every_account_carries_evidence_score_and_reason() -> None:
    out = run(
        [
            account("A", "ｻﾄｳ ﾊﾅｺ", BIRTH, HOME),
            account("B", "ｻﾄｳ ﾊﾅｺ", BIRTH, ELSEWHERE),
            account("C", "ｻﾄｳ ﾊﾅｺ", D(1990, 1, 1), ELSEWHERE),
            account("D", "ﾀﾅｶ ｲﾁﾛｳ", BIRTH, HOME),
        ],
        [HANAKO],
    )
    for col in ("class", "score", "name_evidence", "dob_evidence", "address_evidence", "reason"):
        assert out.get_column(col).null_count() == 0, col
    review = out.filter(pl.col("class") == "REVIEW")
    assert review.get_column("candidates").null_count() == 0

