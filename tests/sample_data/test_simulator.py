"""The simulated banks answer real request files, and their answers carry the difficulties."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

import formats
from formats.yucho import account_key, passbook_account_number, passbook_branch
from sample_data.generator import generate_office
from sample_data.simulator import BankWorld, sample_requests

CREATED = dt.date(2026, 10, 2)


@pytest.fixture(scope="module")
def office():
    return generate_office(2000, seed=21)


@pytest.fixture(scope="module")
def world(office):
    return BankWorld.from_office(office, seed=21)


@pytest.fixture(scope="module")
def answers(world, office):
    return {p: (sample_requests(office, p), world.answer_frame(sample_requests(office, p), p)) for p in ("dais", "pipitlinq")}


def _write_request(provider, kind, frame, folder, seq=1):
    path = folder / formats.request_file_name(provider, "131041", CREATED, seq)
    formats.write_request(provider, kind, frame, path, municipality_code="131041", municipality_kana="ｼﾝｼﾞﾕｸｸ", created_on=CREATED, seq=seq)
    return path


@pytest.mark.parametrize("provider", ["dais", "pipitlinq"])
def test_answer_file_reads_back_with_every_inquiry_answered(world, office, tmp_path, provider):
    requests = sample_requests(office, provider).head(4000)
    request_path = _write_request(provider, "basic", requests, tmp_path)
    answer_path = world.answer_file(request_path, tmp_path / "answers")
    parsed = formats.read_response(answer_path)
    assert parsed.provider == provider and parsed.kind == "basic"
    assert parsed.rejects.height == 0
    assert parsed.rows_read == parsed.rows.height
    rows = parsed.rows
    assert set(rows["inquiry_id"]) == set(requests["inquiry_id"])
    # one none/unable row, or found rows numbered 1..n, per inquiry
    per = rows.group_by("inquiry_id").agg(pl.col("answer").n_unique().alias("kinds"), pl.len(), pl.col("detail_no").max())
    assert per.filter(pl.col("kinds") > 1).height == 0
    found = rows.filter(pl.col("answer") == "found")
    assert found.group_by("inquiry_id").agg((pl.col("detail_no").sort() == pl.int_range(1, pl.len() + 1)).all()).to_series(1).all()
    assert rows.filter(pl.col("answer") != "found")["detail_no"].eq(0).all()
    assert set(rows["answer"]) == {"found", "none", "unable"}
    assert found["holder_kana"].null_count() == 0


def test_dais_holders_are_zengin_pipitlinq_holders_full_width(answers):
    dais = answers["dais"][1].filter(pl.col("answer") == "found")["holder_kana"]
    pipit = answers["pipitlinq"][1].filter(pl.col("answer") == "found")["holder_kana"]
    assert dais.str.contains(r"^[ｦ-ﾟ \-()./A-Z0-9]+$").all()
    assert not dais.str.contains("[ｧｨｪ-ｯ]").any()  # small kana enlarged (a typed ｩ for ｳ is the one look-alike typo)
    assert pipit.str.contains(r"^[ァ-ヶー\u3000 ]+$").all()
    assert pipit.str.contains("[ャュョッ]").any()  # some banks keep small kana
    assert pipit.str.contains(" ").any() and pipit.str.contains("\u3000").any()


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


def test_delinquent_accounts_carry_the_difficulties(world):
    own = world.accounts
    kinds = set(own["kind"])
    for kind in ("maiden_name", "old_address", "address_empty", "dob_missing", "delinquent"):
        assert kind in kinds, kind
    assert 0.002 < (own["name_variant"] == "typo").mean() < 0.02
    former = own.filter(pl.col("address_variant") == "former").height / own.height
    assert 0.15 < former < 0.7
    assert own.filter(pl.col("kind") == "maiden_name")["person_id"].n_unique() > 5


def test_a_delinquent_sharing_a_name_sees_the_others_accounts(world, answers):
    requests, _ = answers["pipitlinq"]
    returned = world.returned.join(requests.select("inquiry_id", "person_id"), on="inquiry_id")
    other = returned.filter(pl.col("owner_person_id").is_not_null() & (pl.col("owner_person_id") != pl.col("person_id")))
    assert other.height >= 1
    assert (other["kind"] == "other_delinquent").all()
    dais_log = world.returned.join(answers["dais"][0].select("inquiry_id"), on="inquiry_id", how="semi")
    assert (dais_log["kind"] == "other_delinquent").sum() >= 1  # DAIS sends no 宛名番号: found by name and birth date


def test_answers_are_deterministic(world, office):
    requests = sample_requests(office, "dais").head(2000)
    again = BankWorld.from_office(office, seed=21)
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
    path = _write_request(provider, "history", hist, tmp_path, seq=2)
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


def test_town_level_addresses_and_foreign_spellings_keep_the_truth(world, office):
    """Issue #15's cases: the bank's view changes, the true owner does not."""
    from matching.addresses import address_parts
    from matching.names import name_key

    own = world.accounts.with_columns(p=address_parts(pl.col("holder_address"))).unnest("p")
    true_addr = office.addresses.select(
        "person_id", pl.col("seq").alias("address_seq"), pl.col("town").alias("true_town"), "chome", "ban", "go"
    )
    truth = office.truth.select("account_key", "address_seq")
    own = own.join(truth, on="account_key").join(true_addr, on=["person_id", "address_seq"])
    town_only = own.filter(pl.col("address_variant") == "town_only")
    other = own.filter(pl.col("address_variant") == "other_block")
    assert town_only.height > 20 and other.height > 2  # 1.2 % and 0.2 % of about 4,000 accounts
    assert (town_only["town"] == town_only["true_town"]).all()
    # no block, or only the 丁目 of the true address
    assert (town_only["block"].is_null() | (town_only["block"] == town_only["chome"].cast(pl.Utf8))).all()
    assert town_only["block"].is_null().any() and town_only["block"].is_not_null().any()
    # another block of the same town: same town, the block differs from the true one
    true_block = pl.concat_str([pl.col("chome"), pl.col("ban"), pl.col("go")], separator="-").str.replace(r"^0-", "").str.replace(r"-0$", "")
    assert (other["town"] == other["true_town"]).all()
    assert (other["block"] != other.select(true_block).to_series()).all()
    assert (other["person_id"].is_not_null()).all()
    # ヴァ written バ, a ー dropped or added: the holder's key differs from the true name's, the owner is kept
    spelled = world.accounts.filter(pl.col("name_variant") == "foreign_spelling").join(
        office.people.select("person_id", "family_kana", "given_kana"), on="person_id"
    )
    assert spelled.height > 0
    keys = spelled.select(
        bank=name_key(pl.col("holder_kana")), true=name_key(pl.concat_str(["family_kana", "given_kana"]))
    )
    assert spelled["holder_kana"].str.contains("ﾊﾞ|バ|ﾘ$|ﾄ-|ー$").any()
    assert (keys["bank"] != keys["true"]).sum() >= 1
