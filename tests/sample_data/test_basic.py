"""Basic answers (``_basic``): own accounts found by name and birth date, homonyms see each other, the same answers every time."""

from __future__ import annotations

import polars as pl

from formats.yucho import passbook_account_number, passbook_branch
from sample_data import BankWorld, sample_requests


def test_a_delinquent_sharing_a_name_sees_the_others_accounts(world, answers):
    requests, _ = answers["pipitlinq"]
    returned = world.returned.join(requests.select("inquiry_id", "person_id"), on="inquiry_id")
    other = returned.filter(pl.col("owner_person_id").is_not_null() & (pl.col("owner_person_id") != pl.col("person_id")))
    assert other.height >= 1
    assert (other["kind"] == "other_delinquent").all()
    dais_log = world.returned.join(answers["dais"][0].select("inquiry_id"), on="inquiry_id", how="semi")
    assert (dais_log["kind"] == "other_delinquent").sum() >= 1  # DAIS sends no 宛名番号: found by name and birth date


def test_answers_are_deterministic(world, bank_office):
    requests = sample_requests(bank_office, "dais").head(2000)
    again = BankWorld.from_office(bank_office, seed=21)
    assert world.answer_frame(requests, "dais").equals(again.answer_frame(requests, "dais"))


def test_yucho_answers_in_pipitlinq_carry_consistent_passbook_numbers(answers):
    found = answers["pipitlinq"][1].filter((pl.col("answer") == "found") & (pl.col("bank_code") == "9900"))
    assert found.height > 50
    check = found.select(
        (passbook_branch(pl.col("passbook_symbol")) == pl.col("branch_code")).alias("b"),
        (passbook_account_number(pl.col("passbook_symbol"), pl.col("passbook_number")) == pl.col("account_number")).alias("n"),
        pl.col("passbook_symbol").str.contains(r"^[01]\d{4}$").alias("s"),
        pl.col("passbook_number").str.contains(r"^\d{8}$").alias("p"),
    )
    assert check.select(pl.all().all()).row(0) == (True, True, True, True)
