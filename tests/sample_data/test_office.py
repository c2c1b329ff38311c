"""The synthetic office (``_people``, ``_master``, ``_accounts``, ``_payments``) has the properties the quality measurements rely on."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from formats import refdata
from formats.yucho import passbook_account_number, passbook_branch
from sample_data import MASTER_COLUMNS, generate_office


def test_master_has_the_inputs_columns_and_unique_ids(office):
    assert office.master.columns == MASTER_COLUMNS
    assert office.master.height == 3000
    assert office.master["person_id"].n_unique() == 3000


def test_same_seed_same_office_other_seed_other_office():
    a, b, c = generate_office(400, seed=3), generate_office(400, seed=3), generate_office(400, seed=4)
    assert a.master.equals(b.master) and a.truth.equals(b.truth) and a.payments.equals(b.payments)
    assert not a.master.equals(c.master)


@pytest.mark.parametrize(
    ("pattern", "what"),
    [
        (r"^\d{4}-\d\d-\d\d$", "YYYY-MM-DD"),
        (r"^\d{4}/\d\d/\d\d$", "YYYY/MM/DD"),
        (r"^\d{8}$", "YYYYMMDD"),
        (r"^(昭和|平成)(\d+|元)年\d+月\d+日$", "和暦 kanji"),
        (r"^[SH](\d+|元)\.\d+\.\d+$", "S45.3.12"),
        (r"^[34]\d{6}$", "和暦7桁"),
        (r"^平成元年", "元年"),
    ],
)
def test_every_birth_date_notation_is_present(office, pattern, what):
    assert office.master["birth_date"].str.contains(pattern).sum() >= 3, what


@pytest.mark.parametrize(
    ("pattern", "what"),
    [
        (r"^[ァ-ヶー]+\u3000[ァ-ヶー]+$", "full-width, ideographic space"),
        (r"^[ァ-ヶー]+ [ァ-ヶー]+$", "full-width, half-width space"),
        (r"^[ぁ-ゖー]+\u3000[ぁ-ゖー]+$", "hiragana"),
        (r"^[ｦ-ﾟ]+ [ｦ-ﾟ]+$", "half-width"),
        (r"[ｧ-ｯ]", "half-width with small kana"),
        (r"[ャュョ]", "full-width with small kana"),
    ],
)
def test_every_kana_notation_is_present(office, pattern, what):
    assert office.master["name_kana"].str.contains(pattern).sum() >= 3, what


def test_some_kana_is_empty_so_readings_must_be_estimated(office):
    share = (office.master["name_kana"] == "").mean()
    assert 0.05 <= share <= 0.10


@pytest.mark.parametrize(
    ("pattern", "what"),
    [
        (r"^東京都新宿区[^0-9０-９]+[一二三四五]丁目\d+番", "kanji 丁目"),
        (r"^新宿区[^0-9]+\d-\d+-\d+", "hyphens"),
        (r"[０-９]－[０-９]", "full-width hyphens"),
        (r"\dの\d", "の"),
        (r"[０-９]ー[０-９]", "long vowel as dash"),
        (r"\d番地\d", "番地"),
        (r"丁目[一二三四五六七八九十]+番[一二三四五六七八九十]+号", "all kanji"),
        (r"^[^都区]+\d丁目\d+-\d+", "town only"),
        (r"号室$", "building and room"),
        (r"ヶ", "ヶ variant"),
    ],
)
def test_every_address_notation_is_present(office, pattern, what):
    addresses = pl.concat([office.master["address"], office.master["address_history"].str.split("|").explode()])
    assert addresses.str.contains(pattern).sum() >= 2, what


def test_moves_unknown_residences_and_maiden_names(office):
    m = office.master
    assert (m["address_history"].str.contains(r"\|")).sum() > 50  # several former addresses
    assert (m["address_history"].str.contains("市|県")).sum() > 50  # moves from other municipalities
    assert 5 <= (m["address"] == "").sum() <= 90  # 居所不明
    women = office.people.filter(pl.col("maiden_known"))
    assert women.height > 50
    ages = women.select((pl.lit(office.as_of) - pl.col("birth_date")).dt.total_days() / 365.25).to_series()
    assert ages.min() >= 25 and ages.max() < 46
    assert (m["other_names_kana"] != "").sum() == women.height


def test_homonyms_inside_the_master(office):
    p = office.people.with_columns(k=pl.concat_str("family_kana", "given_kana"))
    same_name = p.group_by("k").len().filter(pl.col("len") > 1)
    same_name_dob = p.group_by("k", "birth_date").len().filter(pl.col("len") > 1)
    assert same_name.height >= 10
    assert 1 <= same_name_dob.height <= 15


def test_surname_variants_and_alternative_readings_are_drawn():
    people = generate_office(20000, seed=2).people
    for kanji in ("斎藤", "斉藤", "渡辺", "渡邉"):
        assert (people["family_kanji"] == kanji).sum() > 0, kanji
    nakajima = people.filter(pl.col("family_kanji") == "中島")["family_kana"].unique().to_list()
    assert set(nakajima) == {"ナカジマ", "ナカシマ"}


def test_a_year_of_persons():  # its speed is a benchmark (benchmarks.cycle times the whole office), not a unit test
    office = generate_office(52_668, seed=0)
    assert office.master.height == 52_668
    assert dt.date(1930, 1, 1) < office.people["birth_date"].min() < office.people["birth_date"].max() < office.as_of


def test_institutions_split_between_services_without_overlap(office):
    inst = office.institutions
    banks = refdata.banks()
    assert inst["bank_code"].n_unique() == inst.height
    assert set(inst["bank_code"]) <= set(banks["bank_code"])
    assert inst.filter(pl.col("bank_code") == "9900")["provider"].item() == "pipitlinq"
    assert set(inst["provider"]) == {"dais", "pipitlinq", "paper"}
    assert 17 <= (inst["default_target"] == "1").sum() <= 23
    assert 1 <= (inst["requires_address"] == "1").sum() <= 2


def test_truth_accounts_are_unique_and_yucho_symbols_convert_back(office):
    t = office.truth
    assert t["account_key"].n_unique() == t.height
    yu = t.filter(pl.col("bank_code") == "9900")
    assert yu.height > 100
    back = yu.select(
        passbook_branch(pl.col("passbook_symbol")).alias("b"),
        passbook_account_number(pl.col("passbook_symbol"), pl.col("passbook_number")).alias("n"),
        "branch_code",
        "account_number",
    )
    assert back.filter((pl.col("b") != pl.col("branch_code")) | (pl.col("n") != pl.col("account_number"))).height == 0
    assert set(yu["passbook_symbol"].str.slice(0, 1)) == {"0", "1"}


def test_payments_clear_some_persons_after_the_as_of_date(office):
    pay = office.payments.with_columns(pl.col("amount_yen").cast(pl.Int64))
    iso = pay.filter(pl.col("paid_on").str.contains(r"^\d{4}-\d\d-\d\d$")).with_columns(pl.col("paid_on").str.to_date())
    after = iso.filter(pl.col("paid_on") > office.as_of).group_by("person_id").agg(pl.col("amount_yen").sum())
    arrears = office.master.select("person_id", pl.col("arrears_yen").cast(pl.Int64))
    cleared = after.join(arrears, on="person_id").filter(pl.col("amount_yen") >= pl.col("arrears_yen"))
    assert cleared.height >= 30
    assert iso.filter(pl.col("paid_on") <= office.as_of).height > 0
