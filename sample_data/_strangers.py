"""Strangers with the same name (同名異人): the customers a bank returns who are not the person asked about.

Banks search by kana name, so every answer also carries strangers with the
inquired kana name. They are not stored: they are a deterministic function of
(bank, kana name, birth date), drawn from hashed uniforms (``_draws``), with
a heavy-tailed count proportional to the bank's size and the name's
frequency in the population (kana.md §6); banks that check the birth date
return only strangers with the same date or none on file. A few strangers
share the birth date, and a few of those live in the same town at another
block (the hard case). Hashing, rather than a generator, makes a stranger the
same whichever file or order the inquiry comes in.

>>> _branch_lists().filter(pl.col("bank_code") == "9900")["branch_code"].str.ends_with("8").all()
True
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from formats import refdata
from formats.yucho import account_key
from sample_data import _render as R
from sample_data._bank_view import (
    ACCOUNT_COLUMNS,
    BANK_ADDRESS_NOTATION,
    EMPLOYERS,
    EMPTY_ADDRESS_RATE,
    TOWN_ONLY_ADDRESS_RATE,
    TRUTH_COLUMNS,
    bank_spelling,
    render_holder,
    split_name,
    to_full,
    town_level_address,
)
from sample_data._draws import age_from_u, hash_u, mix_u
from sample_data._names import towns as all_towns

if TYPE_CHECKING:
    from sample_data._banks import BankWorld

__all__ = ["stranger_matches"]


@functools.cache
def _branch_lists() -> pl.DataFrame:
    """Branches a stranger's account may live at, numbered 0.. per bank (ゆうちょ: 総合口座 branches)."""
    b = refdata.branches()
    yucho = b.filter((pl.col("bank_code") == "9900") & pl.col("branch_code").str.ends_with("8"))
    other = b.filter(pl.col("bank_code") != "9900")
    both = pl.concat([yucho, other]).select("bank_code", "branch_code")
    return both.with_columns(pl.int_range(pl.len()).over("bank_code").cast(pl.UInt32).alias("_bi"))


def stranger_matches(world: BankWorld, req: pl.DataFrame, provider: str) -> pl.DataFrame:
    """Customers of the bank with the same kana name as the inquiry, none of them delinquents."""
    s = world.seed * 1000
    fam, giv = split_name(pl.col("name_kana"))
    q = req.select(
        "inquiry_id", "bank_code", "branch_code", "birth_date", "name_kana", "_key", "search", "customers", "keeps_small", "half_space", "v_as_b",
        R.bank_key(fam).alias("_fk"), R.bank_key(giv).alias("_gk"),
    )
    fam_p = world._name_freq.filter(pl.col("part") == "family").select(pl.col("key").alias("_fk"), pl.col("p").alias("_pf"))
    giv_p = world._name_freq.filter(pl.col("part") == "given").select(pl.col("key").alias("_gk"), pl.col("p").alias("_pg"))
    q = q.join(fam_p, on="_fk", how="left").join(giv_p, on="_gk", how="left").with_columns(
        (pl.col("_pf").fill_null(2e-5) * pl.col("_pg").fill_null(2e-4)).alias("_p")
    )
    name_only = pl.col("search") == "name_only"
    lam = pl.col("customers") * pl.col("_p") * world.stranger_scale * pl.when(name_only).then(1.0).otherwise(0.003)
    u1 = hash_u([pl.col("bank_code"), pl.col("_key")], s + 1)
    u2 = hash_u([pl.col("bank_code"), pl.col("_key")], s + 2)
    heavy = (u1.clip(1e-9, 1.0).pow(-1.0 / 2.5) - 1.0) * 1.5  # Pareto(2.5), mean 1
    q = q.with_columns((lam * heavy + u2).floor().clip(0, 400).cast(pl.Int32).alias("_n_name"))
    # same name and same birth date: rare, more likely for big banks and common names
    u3 = hash_u([pl.col("bank_code"), pl.col("_key"), pl.col("birth_date")], s + 3)
    prob = (0.0015 * (pl.col("customers") / 3e6).sqrt() * (pl.col("_p") / world._p_ref).sqrt()).clip(0, 0.25)
    u4 = hash_u([pl.col("bank_code"), pl.col("_key"), pl.col("birth_date")], s + 4)
    q = q.with_columns(
        (pl.col("birth_date").is_not_null() & (u3 < prob)).alias("_dob"),
        (u4 < 0.1).alias("_town"),
    )
    by_name = q.filter(pl.col("_n_name") > 0).with_columns(pl.int_ranges(0, pl.col("_n_name")).alias("_i")).explode("_i")
    by_name = by_name.with_columns(pl.lit("stranger_same_name").alias("kind"), pl.lit(None, pl.Date).alias("_same_dob"))
    by_dob = q.filter(pl.col("_dob")).with_columns(
        pl.lit(1000, pl.Int64).alias("_i"),
        pl.when(pl.col("_town")).then(pl.lit("stranger_same_name_dob_town")).otherwise(pl.lit("stranger_same_name_dob")).alias("kind"),
        pl.col("birth_date").alias("_same_dob"),
    )
    st = pl.concat([by_name, by_dob], how="diagonal_relaxed")
    if st.height == 0:
        return pl.DataFrame()
    ident = [pl.col("bank_code"), pl.col("_key"), pl.col("_i"), pl.col("_same_dob")]
    # birth date: same as inquired (planted), else a random adult; name_dob banks only return those with none on file
    base = st.select(pl.struct(ident).hash(seed=s + 100)).to_series().to_numpy()
    uu = {k: mix_u(base, k) for k in range(14)}
    st = st.with_columns([pl.Series(f"_u{k}", v) for k, v in uu.items()])
    age = age_from_u(uu[0])
    as_of = np.datetime64(world.office.as_of, "D")
    rand_dob = as_of - (age * 365.25 + uu[1] * 365).astype("timedelta64[D]")
    st = st.with_columns(pl.Series("_rand_dob", rand_dob.astype("datetime64[D]")).cast(pl.Date))
    dob_missing_natural = (pl.col("search") == "name_dob") | (pl.col("_u2") < 0.03)
    st = st.with_columns(
        pl.when(pl.col("_same_dob").is_not_null())
        .then(pl.col("_same_dob"))
        .when(dob_missing_natural)
        .then(None)
        .otherwise(pl.col("_rand_dob"))
        .alias("holder_birth_date")
    )
    # address: the same town for the hard case; far away (a town no delinquent ever lived in) for the
    # other same-birth-date strangers, so that "another address" holds; anywhere for the rest
    towns = all_towns().with_columns(
        pl.when(pl.col("area") == "ward").then(pl.lit(world.office.municipality_name)).otherwise(pl.col("city")).alias("city")
    )
    n_far = towns.filter(pl.col("area") == "far").height
    far_start = towns.height - n_far  # far towns come last in the table
    any_i = (uu[3] * towns.height).astype(np.int64).clip(0, towns.height - 1)
    far_i = far_start + (uu[3] * n_far).astype(np.int64).clip(0, n_far - 1)
    ti = np.where(st["kind"].to_numpy() == "stranger_same_name", any_i, far_i)
    picked = towns[ti]
    st = st.with_columns(
        picked["pref"].alias("_pref"),
        picked["city"].alias("_city"),
        picked["town"].alias("_town_name"),
        picked["chome_max"].alias("_cmax"),
    )
    hard = st.filter(pl.col("kind") == "stranger_same_name_dob_town").join(
        world._people_keys.select(pl.col("name_key").alias("_key"), "birth_date", "pref", "city", "town", "chome", "ban"),
        on=["_key", "birth_date"],
        how="left",
    )
    st = pl.concat([st.filter(pl.col("kind") != "stranger_same_name_dob_town"), hard], how="diagonal_relaxed")
    st = st.with_columns(
        pl.when(pl.col("town").is_not_null()).then(pl.col("pref")).otherwise(pl.col("_pref")).alias("_pref"),
        pl.when(pl.col("town").is_not_null()).then(pl.col("city")).otherwise(pl.col("_city")).alias("_city"),
        pl.when(pl.col("town").is_not_null()).then(pl.col("town")).otherwise(pl.col("_town_name")).alias("_town_name"),
        pl.when(pl.col("town").is_not_null())
        .then(pl.col("chome"))
        .otherwise(pl.when(pl.col("_cmax") > 0).then((pl.col("_u4") * pl.col("_cmax")).floor().cast(pl.Int64) + 1).otherwise(0))
        .alias("_chome"),
        pl.when(pl.col("town").is_not_null())
        .then((pl.col("ban").fill_null(0) + 1 + (pl.col("_u5") * 9).floor().cast(pl.Int64)) % 30 + 1)
        .otherwise((pl.col("_u5") * 30).floor().cast(pl.Int64) + 1)
        .alias("_ban"),
        ((pl.col("_u6") * 20).floor().cast(pl.Int64) + 1).alias("_go"),
        pl.when(pl.col("_u7") < 0.45)
        .then(pl.concat_str([pl.lit("メゾン"), pl.col("_town_name")]))
        .otherwise(None)
        .alias("_bldg"),
        ((pl.col("_u8") * 8).floor().cast(pl.Int64) * 100 + 101).alias("_room"),
        (pl.col("_u9") * len(BANK_ADDRESS_NOTATION)).floor().cast(pl.Int64).alias("_an"),
    )
    rendered = R.render_address_frame(
        st.select(
            pl.col("_pref").alias("pref"), pl.col("_city").alias("city"), pl.col("_town_name").alias("town"),
            pl.col("_chome").alias("chome"), pl.col("_ban").alias("ban"), pl.col("_go").alias("go"),
            pl.col("_bldg").alias("building"), pl.col("_room").alias("room"), "_an",
            (pl.col("_u11") * 3).floor().cast(pl.Int64).alias("_bs"),
        ),
        "_an",
        "_bs",
    )
    u_town = hash_u([pl.col("bank_code"), pl.col("_key"), pl.col("_i"), pl.col("_same_dob")], s + 5)
    town_only = (pl.col("kind") != "stranger_same_name_dob_town") & (u_town < TOWN_ONLY_ADDRESS_RATE)
    st = st.with_columns(
        pl.when(pl.col("_u10") < EMPTY_ADDRESS_RATE)
        .then(pl.lit(""))
        .when(town_only)
        .then(town_level_address(pl.col("_pref"), pl.col("_city"), pl.col("_town_name"), pl.col("_chome"), u_town / TOWN_ONLY_ADDRESS_RATE))
        .otherwise(rendered)
        .alias("holder_address")
    )
    # the account
    branches = _branch_lists()
    st = (
        st.join(branches.group_by("bank_code").agg(pl.len().alias("_nb")), on="bank_code", how="left")
        .with_columns((pl.col("_u12") * pl.col("_nb").fill_null(1)).floor().cast(pl.UInt32).alias("_bi"))
        .join(branches.select("bank_code", "_bi", pl.col("branch_code").alias("_branch")), on=["bank_code", "_bi"], how="left")
        .with_columns(pl.col("_branch").fill_null("001"))
    )
    acct_type = pl.when(pl.col("bank_code") == "9900").then(pl.lit(1, pl.Int8)).when(pl.col("_u13") < 0.85).then(pl.lit(1, pl.Int8)).when(pl.col("_u13") < 0.95).then(pl.lit(6, pl.Int8)).otherwise(pl.lit(4, pl.Int8))
    number = ((pl.col("_u1") * 1e7).floor().cast(pl.Int64) % 10_000_000).cast(pl.Utf8).str.zfill(7)
    st = st.with_columns(acct_type.alias("account_type"), number.alias("account_number"), pl.col("_branch").alias("branch_code_acc"))
    branch_ok = pl.col("branch_code").is_null() | (pl.col("branch_code") == "000") | (pl.col("branch_code") == pl.col("branch_code_acc"))
    st = st.filter(branch_ok).drop("branch_code").rename({"branch_code_acc": "branch_code"})
    st = st.with_columns(account_key(pl.col("bank_code"), pl.col("branch_code"), pl.col("account_type"), pl.col("account_number")))
    st = st.join(world.accounts.select("account_key"), on="account_key", how="anti")  # never a delinquent's own account
    z = np.sqrt(-2 * np.log(np.clip(st["_u2"].to_numpy(), 1e-12, 1))) * np.cos(2 * np.pi * st["_u3"].to_numpy())
    balance = np.exp(np.log(30_000) + 2.0 * z).astype(np.int64)
    balance = np.minimum(balance, 300_000_000)
    status_u = st["_u6"].to_numpy()
    status = np.where(status_u < 0.82, "通常", np.where(status_u < 0.9, "休眠", np.where(status_u < 0.96, "解約済", "支払停止")))
    balance = np.where(status == "解約済", 0, balance)
    opened = as_of - (st["_u4"].to_numpy() * 25 * 365 + 60).astype("timedelta64[D]")
    last = as_of - (st["_u5"].to_numpy() * 60).astype("timedelta64[D]")
    last = np.where(status == "休眠", as_of - (st["_u5"].to_numpy() * 3000 + 1900).astype("timedelta64[D]"), last)
    # holder kana: the inquired name as this bank stores it
    # a namesake writes the name as people with that name do (small kana and all), not as the inquiry was folded
    spelled = world._people_keys.select(pl.col("name_key").alias("_key"), "true_kana").unique("_key", keep="first", maintain_order=True)
    st = st.join(spelled, on="_key", how="left")
    # as this bank spells it (ヴ, ー); a stranger is as foreign as the name: a Latin-letter 住民票 name is not known here
    spelled_name = bank_spelling(
        to_full(pl.coalesce("true_kana", "name_kana")),
        pl.col("v_as_b").fill_null(False),
        pl.lit(False),
        hash_u([pl.col("bank_code"), pl.col("_key"), pl.col("_i"), pl.col("_same_dob")], s + 6),
    )
    holder = render_holder(spelled_name, provider, pl.col("keeps_small"), pl.col("half_space"), pl.col("_u0"))
    yucho = pl.col("bank_code") == "9900"
    st = st.with_columns(
        pl.Series("balance_yen", balance),
        pl.Series("account_status", status),
        pl.Series("opened_on", opened.astype("datetime64[D]")).cast(pl.Date),
        pl.Series("last_activity", last.astype("datetime64[D]")).cast(pl.Date),
    ).with_columns(
        holder.alias("holder_kana"),
        pl.when(yucho).then(pl.concat_str([pl.lit("1"), pl.col("branch_code").str.slice(0, 2), (pl.col("_u9") * 10).floor().cast(pl.Int64).cast(pl.Utf8), pl.lit("0")])).alias("passbook_symbol"),
        pl.when(yucho).then(pl.concat_str([pl.col("account_number"), pl.lit("1")])).alias("passbook_number"),
        pl.lit(None, pl.Utf8).alias("person_id"),
        pl.when(pl.col("_u7") < 0.5).then((pl.col("_u8") * 200_000 + 150_000).floor().cast(pl.Int64)).otherwise(0).alias("salary_yen"),
        pl.lit(25, pl.Int8).alias("salary_day"),
        pl.col("_u9").mul(len(EMPLOYERS)).floor().cast(pl.Int64).replace_strict(dict(enumerate(EMPLOYERS)), return_dtype=pl.Utf8).alias("employer"),
        pl.when(pl.col("_u7") >= 0.7).then((pl.col("_u10") * 200_000 + 100_000).floor().cast(pl.Int64)).otherwise(0).alias("pension_yen"),
        pl.lit(0, pl.Int64).alias("welfare_yen"),
        pl.lit(False).alias("child_allowance"),
        pl.lit(False).alias("homonym_in_master"),
        pl.lit(provider).alias("provider"),
        pl.lit("current").alias("name_used"),
        pl.lit("clean").alias("name_variant"),
        pl.when(pl.col("holder_birth_date").is_null()).then(pl.lit("missing")).otherwise(pl.lit("true")).alias("dob_variant"),
        pl.when(pl.col("holder_address") == "").then(pl.lit("empty")).otherwise(pl.lit("current")).alias("address_variant"),
    )
    return st.select("inquiry_id", *ACCOUNT_COLUMNS, *[c for c in TRUTH_COLUMNS if c not in ACCOUNT_COLUMNS])
