"""History answers (``_history``): the planted income, and the noise around it, in real history answer files."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

import formats
from formats.yucho import account_key
from tests.sample_data._fixtures import write_request


@pytest.mark.parametrize("provider", ["dais", "pipitlinq"])
def test_history_answers_plant_salary_and_pension(world, answers, tmp_path, provider):
    _, frame = answers[provider]
    found = frame.filter(pl.col("answer") == "found").with_columns(
        account_key(pl.col("bank_code"), pl.col("branch_code"), pl.col("account_type"), pl.col("account_number"))
    )
    truth = world.truth.select("account_key", "salary_yen", "pension_yen", "account_status")
    found = found.join(truth, on="account_key").filter(pl.col("account_status") == "通常")
    pick = pl.concat([found.filter(pl.col("salary_yen") > 0).head(40), found.filter(pl.col("pension_yen") > 0).head(40)]).unique("account_key")
    hist = pick.with_row_index("i").select(
        pl.format("H{}", pl.col("i")).alias("inquiry_id"),
        "person_id",
        "bank_code",
        pl.coalesce("passbook_symbol", "branch_code").alias("branch_code"),
        "account_type",
        pl.coalesce("passbook_number", "account_number").alias("account_number"),
        "holder_kana",
        pl.lit(dt.date(2026, 4, 1)).alias("period_from"),
        pl.lit(dt.date(2026, 9, 30)).alias("period_to"),
        pl.col("inquiry_id").alias("origin_inquiry_id"),
    )
    path = write_request(provider, "history", hist, tmp_path, seq=2)
    parsed = formats.read_response(world.answer_file(path, tmp_path / "answers"))
    assert parsed.kind == "history" and parsed.rejects.height == 0
    rows = parsed.rows
    assert set(rows["inquiry_id"]) == set(hist["inquiry_id"])
    tx = rows.filter(pl.col("answer") == "found")
    salary = tx.filter(pl.col("description").str.starts_with("ｷﾕｳﾖ"))
    pension = tx.filter(pl.col("description").str.contains("ﾈﾝｷﾝ"))
    assert salary.group_by("inquiry_id").len()["len"].max() == 6  # monthly over six months
    assert pension.height > 0 and (pension["tx_date"].dt.day() == 15).all() and (pension["tx_date"].dt.month() % 2 == 0).all()
    assert (tx["balance_yen"] >= 0).all()
    assert tx["tx_date"].is_between(dt.date(2026, 4, 1), dt.date(2026, 9, 30)).all()
    # noise around the income: cash withdrawals and irregular transfers in
    assert tx["description"].is_in(["ATM", "ｶ-ﾄﾞ"]).sum() > 50
    assert tx.filter(pl.col("description").str.starts_with("ﾌﾘｺﾐ") & (pl.col("deposit_yen") > 0)).height > 0
    # the planted salary is found in the history of exactly the accounts that have one
    planted = world.truth.filter(pl.col("salary_yen") > 0)["account_key"]
    with_salary = rows.filter(pl.col("description").str.starts_with("ｷﾕｳﾖ")).select(
        account_key(pl.col("bank_code"), pl.col("branch_code"), pl.col("account_type"), pl.col("account_number"))
    ).to_series()
    assert with_salary.is_in(planted.implode()).all()
