"""Strangers with the same name (``_strangers``): returned in realistic numbers, a few with the same birth date."""

from __future__ import annotations

import polars as pl

from formats.yucho import account_key
from sample_data import TRUTH_KINDS


def test_strangers_with_the_same_name_are_returned(world, answers):
    truth = world.truth
    kinds = truth["kind"].value_counts()
    counts = dict(zip(kinds["kind"], kinds["count"]))
    assert counts.get("stranger_same_name", 0) > 500
    assert counts.get("stranger_same_name_dob", 0) >= 3
    assert counts.get("stranger_same_name_dob_town", 0) >= 1
    strangers = truth.filter(pl.col("person_id").is_null())
    assert strangers["account_key"].n_unique() == strangers.height
    # heavy tail: a few inquiries get many strangers, most get none
    returned = world.returned.join(truth.select("account_key", "person_id"), on="account_key")
    per_inquiry = returned.group_by("inquiry_id").agg(pl.col("person_id").is_null().sum().alias("n"))
    assert per_inquiry["n"].max() >= 10
    assert per_inquiry["n"].median() <= 1
    # a stranger's name is spelled like anyone's with that name (small kana too), not like the folded inquiry
    pipit = answers["pipitlinq"][1].with_columns(
        account_key(pl.col("bank_code"), pl.col("branch_code"), pl.col("account_type"), pl.col("account_number"))
    ).join(strangers.select("account_key"), on="account_key", how="semi")
    assert pipit["holder_kana"].str.contains("[ャュョッ]").any()


def test_same_dob_strangers_share_the_inquired_birth_date(world, answers):
    requests, frame = answers["pipitlinq"]
    hard = world.truth.filter(pl.col("kind").is_in(["stranger_same_name_dob", "stranger_same_name_dob_town"]))
    keyed = frame.with_columns(
        account_key(pl.col("bank_code"), pl.col("branch_code"), pl.col("account_type"), pl.col("account_number"))
    ).join(hard.select("account_key"), on="account_key", how="semi")
    assert keyed.height >= 1
    with_dob = keyed.join(requests.select("inquiry_id", "birth_date"), on="inquiry_id")
    assert (with_dob["holder_birth_date"] == with_dob["birth_date"]).all()


def test_every_returned_account_has_a_kind_of_truth(world, answers):
    assert set(world.truth["kind"]) <= set(TRUTH_KINDS)
    assert {"stranger_same_name", "delinquent"} <= set(world.truth["kind"])
    assert set(world.returned["kind"]) <= set(TRUTH_KINDS) | {"own", "other_delinquent"}
