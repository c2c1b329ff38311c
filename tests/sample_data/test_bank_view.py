"""The bank's view of the delinquents' accounts (``_bank_view``): the difficulties are planted, the true owner is kept."""

from __future__ import annotations

import polars as pl


def test_delinquent_accounts_carry_the_difficulties(world):
    own = world.accounts
    kinds = set(own["kind"])
    for kind in ("maiden_name", "old_address", "address_empty", "dob_missing", "delinquent"):
        assert kind in kinds, kind
    assert 0.002 < (own["name_variant"] == "typo").mean() < 0.02
    former = own.filter(pl.col("address_variant") == "former").height / own.height
    assert 0.15 < former < 0.7
    assert own.filter(pl.col("kind") == "maiden_name")["person_id"].n_unique() > 5


def test_dais_holders_are_zengin_pipitlinq_holders_full_width(answers):
    dais = answers["dais"][1].filter(pl.col("answer") == "found")["holder_kana"]
    pipit = answers["pipitlinq"][1].filter(pl.col("answer") == "found")["holder_kana"]
    assert dais.str.contains(r"^[ｦ-ﾟ \-()./A-Z0-9]+$").all()
    assert not dais.str.contains("[ｧｨｪ-ｯ]").any()  # small kana enlarged (a typed ｩ for ｳ is the one look-alike typo)
    assert pipit.str.contains(r"^[ァ-ヶー\u3000 ]+$").all()
    assert pipit.str.contains("[ャュョッ]").any()  # some banks keep small kana
    assert pipit.str.contains(" ").any() and pipit.str.contains("\u3000").any()


def test_town_level_addresses_and_foreign_spellings_keep_the_truth(world, bank_office):
    """Issue #15's cases: the bank's view changes, the true owner does not."""
    from matching.addresses import address_parts
    from matching.names import name_key

    own = world.accounts.with_columns(p=address_parts(pl.col("holder_address"))).unnest("p")
    true_addr = bank_office.addresses.select(
        "person_id", pl.col("seq").alias("address_seq"), pl.col("town").alias("true_town"), "chome", "ban", "go"
    )
    truth = bank_office.truth.select("account_key", "address_seq")
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
        bank_office.people.select("person_id", "family_kana", "given_kana"), on="person_id"
    )
    assert spelled.height > 0
    keys = spelled.select(
        bank=name_key(pl.col("holder_kana")), true=name_key(pl.concat_str(["family_kana", "given_kana"]))
    )
    assert spelled["holder_kana"].str.contains("ﾊﾞ|バ|ﾘ$|ﾄ-|ー$").any()
    assert (keys["bank"] != keys["true"]).sum() >= 1
