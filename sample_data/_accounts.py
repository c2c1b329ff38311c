"""The institutions an office inquires at, and the accounts its delinquents truly hold there.

The true accounts are the answer key of the whole project: the banks
(``_banks``) register each one with the holder as the bank knows them, and
the quality measurement counts which of them the matching finds. Each
carries what a history answer needs later (balance, status, dates) and
which name and address the holder gave at opening (a maiden name for half
the accounts a married woman opened before marriage; the address she lived
at then).

>>> institutions().filter(pl.col("bank_code") == "9900")["provider"].item()
'pipitlinq'
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from formats import refdata
from formats.yucho import account_key
from sample_data._draws import cat, choice_idx, to_date

__all__ = ["INSTITUTION_PLAN", "institutions", "draw_accounts"]

#: bank_code: (provider, default_target, requires_address, popularity for account ownership)
INSTITUTION_PLAN: dict[str, tuple[str, int, int, float]] = {
    "0001": ("dais", 1, 0, 9.0),
    "0009": ("dais", 1, 0, 9.0),
    "0010": ("dais", 1, 0, 5.0),
    "0017": ("dais", 0, 0, 2.0),
    "0137": ("dais", 1, 0, 3.0),
    "0138": ("dais", 0, 0, 1.5),
    "0134": ("dais", 0, 0, 1.0),
    "1341": ("dais", 1, 0, 3.0),
    "1344": ("dais", 1, 1, 2.0),
    "1351": ("dais", 1, 0, 2.0),
    "1356": ("dais", 0, 0, 1.0),
    "1303": ("dais", 0, 0, 1.0),
    "1311": ("dais", 0, 0, 0.8),
    "2248": ("dais", 1, 0, 0.8),
    "2963": ("dais", 1, 0, 2.0),
    "0036": ("dais", 1, 0, 4.0),
    "0040": ("dais", 0, 0, 1.5),
    "0005": ("pipitlinq", 1, 0, 10.0),
    "9900": ("pipitlinq", 1, 0, 16.0),
    "0038": ("pipitlinq", 1, 0, 3.0),
    "0033": ("pipitlinq", 1, 0, 2.5),
    "0034": ("pipitlinq", 1, 0, 2.0),
    "0035": ("pipitlinq", 0, 0, 1.5),
    "0397": ("pipitlinq", 1, 0, 1.5),
    "0310": ("pipitlinq", 0, 0, 0.8),
    "0039": ("pipitlinq", 0, 0, 1.0),
    "1310": ("pipitlinq", 0, 0, 0.8),
    "1319": ("pipitlinq", 1, 0, 1.2),
    "1349": ("pipitlinq", 1, 0, 1.5),
    "1360": ("pipitlinq", 0, 0, 1.0),
    "5094": ("pipitlinq", 1, 1, 0.8),
    "2276": ("paper", 0, 0, 0.5),
    "5072": ("paper", 0, 0, 0.5),
}


def institutions() -> pl.DataFrame:
    """The institutions master (inputs.md) of :data:`INSTITUTION_PLAN`, names from the reference data."""
    banks = refdata.banks().select("bank_code", "name")
    plan = pl.DataFrame(
        {
            "bank_code": list(INSTITUTION_PLAN),
            "provider": [p[0] for p in INSTITUTION_PLAN.values()],
            "default_target": [str(p[1]) for p in INSTITUTION_PLAN.values()],
            "requires_address": [str(p[2]) for p in INSTITUTION_PLAN.values()],
        }
    )
    return plan.join(banks, on="bank_code", how="left").select("bank_code", "name", "provider", "default_target", "requires_address")


_TYPES = [1, 6, 4, 2, 7, 8, 5, 9]
_TYPE_P = [0.74, 0.12, 0.05, 0.03, 0.03, 0.01, 0.01, 0.01]
_STATUS = ["通常", "休眠", "解約済", "支払停止"]


def draw_accounts(rng: np.random.Generator, people: pl.DataFrame, addr: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """Accounts truly held by the delinquents, a few each, at popular institutions."""
    n = people.height
    per = cat(rng, [0.12, 0.28, 0.25, 0.17, 0.10, 0.05, 0.03], n)
    owner = np.repeat(np.arange(n), per)
    m = owner.size
    codes = np.array(list(INSTITUTION_PLAN))
    pop = np.array([p[3] for p in INSTITUTION_PLAN.values()])
    bank = codes[choice_idx(rng, pop, m)]
    is_yucho = bank == "9900"
    acct_type = np.array(_TYPES)[cat(rng, _TYPE_P, m)]
    acct_type = np.where(is_yucho, np.where(rng.random(m) < 0.93, 1, 2), acct_type)

    branches = refdata.branches().filter(pl.col("bank_code").is_in(list(INSTITUTION_PLAN)))
    # ゆうちょ: 総合口座 live in branches ending 8, 振替口座 in branches ending 9
    branches = branches.with_columns(
        pl.when(pl.col("bank_code") == "9900")
        .then(pl.when(pl.col("branch_code").str.ends_with("8")).then(1).otherwise(2))
        .otherwise(0)
        .alias("_slot")
    )
    branch = np.empty(m, dtype=object)
    for (code, slot), grp in branches.group_by(["bank_code", "_slot"], maintain_order=True):
        mask = (bank == code) & ((slot == 0) | (acct_type == slot))
        k = int(mask.sum())
        if k:
            choices = grp["branch_code"].to_numpy()
            branch[mask] = choices[rng.integers(0, len(choices), k)]
    # unique account keys: redraw the few collisions (a numeric composite key, numpy only)
    bank_idx = np.searchsorted(np.sort(codes), bank)
    branch_int = pl.Series(branch.astype(str)).cast(pl.Int64).to_numpy()
    base_key = ((bank_idx.astype(np.int64) * 1000 + branch_int) * 10 + acct_type) * 10_000_000
    number = rng.integers(0, 10_000_000, m)
    for _ in range(20):
        _, first = np.unique(base_key + number, return_index=True)
        redo = np.ones(m, dtype=bool)
        redo[first] = False
        if not redo.any():
            break
        number[redo] = rng.integers(0, 10_000_000, int(redo.sum()))
    frame = pl.DataFrame(
        {
            "bank_code": bank,
            "branch_code": branch.astype(str),
            "account_type": acct_type.astype(np.int8),
            "account_number": pl.Series(number).cast(pl.Utf8).str.zfill(7),
        }
    )

    birth = people["birth_date"].to_numpy().astype("datetime64[D]")[owner]
    as_of64 = np.datetime64(as_of, "D")
    earliest = np.maximum(birth + np.timedelta64(18 * 365, "D"), as_of64 - np.timedelta64(40 * 365, "D"))
    span = np.maximum((as_of64 - np.timedelta64(30, "D") - earliest).astype(int), 1)
    opened = earliest + (rng.random(m) * span).astype("timedelta64[D]")
    status_i = cat(rng, [0.80, 0.08, 0.07, 0.05], m)
    balance = np.exp(rng.normal(np.log(30_000), 2.0, m)).astype(np.int64)
    balance = np.where(rng.random(m) < 0.1, rng.integers(0, 1000, m), balance)
    balance = np.where(acct_type == 6, np.exp(rng.normal(np.log(500_000), 1.0, m)).astype(np.int64) // 1000 * 1000, balance)
    balance = np.where((acct_type == 2) & ~is_yucho & (rng.random(m) < 0.1), -rng.integers(1000, 300_000, m), balance)
    balance = np.where(status_i == 2, 0, balance)
    balance = np.minimum(balance, 500_000_000)
    last = as_of64 - rng.exponential(20, m).astype("timedelta64[D]")
    dormant_last = as_of64 - (rng.integers(5 * 365, 15 * 365, m)).astype("timedelta64[D]")
    opened = np.where(status_i == 1, np.minimum(opened, dormant_last - np.timedelta64(365, "D")), opened)
    last = np.where(status_i == 1, dormant_last, last)
    closed_last = opened + ((as_of64 - opened).astype(int) * rng.random(m)).astype("timedelta64[D]")
    last = np.where(status_i == 2, closed_last, last)
    term = np.array([365, 3 * 365, 5 * 365])[rng.integers(0, 3, m)]
    maturity = opened + (((as_of64 - opened).astype(int) // term + 1) * term).astype("timedelta64[D]")
    last = np.where(acct_type == 6, maturity, np.maximum(last, opened))

    # name given at opening: the maiden name for half the accounts a married woman opened before marriage
    married_on = people["married_on"].to_numpy()
    pre_marriage = ~np.isnat(married_on[owner]) & (opened < married_on[owner].astype("datetime64[D]"))
    name_used = pre_marriage & (rng.random(m) < 0.5)

    frame = frame.with_columns(
        people["person_id"].gather(owner).alias("person_id"),
        to_date(opened).alias("opened_on"),
        to_date(last).alias("last_activity"),
        pl.Series(_STATUS).gather(status_i).alias("account_status"),
        pl.Series("balance_yen", balance.astype(np.int64)),
        pl.Series(["current", "maiden"]).gather(name_used.astype(np.int64)).alias("name_used"),
    )
    # address given at opening: the newest address the person had moved into by then
    # (addresses are grouped by person, seq 0 = current, since decreasing with seq)
    counts = addr.group_by("person_id", maintain_order=True).len()["len"].to_numpy()
    start = np.cumsum(counts) - counts
    since = addr["since"].to_numpy().astype("datetime64[D]")
    opened_d = opened.astype("datetime64[D]")
    seq_at = counts[owner] - 1
    unset = np.ones(m, dtype=bool)
    for k in range(int(counts.max()) if counts.size else 0):
        valid = unset & (k < counts[owner])
        hit = valid & (since[np.minimum(start[owner] + k, since.size - 1)] <= opened_d)
        seq_at = np.where(hit, k, seq_at)
        unset &= ~hit
    first_of_owner = np.r_[True, owner[1:] != owner[:-1]] if m else np.zeros(0, dtype=bool)
    primary = pl.Series(first_of_owner & (acct_type == 1) & (status_i == 0))
    frame = frame.with_columns(pl.Series("address_seq", seq_at).cast(pl.Int16), primary.alias("primary"))
    yucho = pl.col("bank_code") == "9900"
    # 記号 = 1 (総合口座) or 0 (振替口座), the branch's first two digits, the number's last digit, 0
    symbol = pl.concat_str([pl.when(pl.col("account_type") == 1).then(pl.lit("1")).otherwise(pl.lit("0")), pl.col("branch_code").str.slice(0, 2), pl.col("account_number").str.slice(6, 1), pl.lit("0")])
    passbook_number = pl.when(pl.col("account_type") == 1).then(pl.concat_str([pl.col("account_number"), pl.lit("1")])).otherwise(pl.concat_str([pl.lit("0"), pl.col("account_number")]))
    return frame.select(
        account_key(pl.col("bank_code"), pl.col("branch_code"), pl.col("account_type"), pl.col("account_number")),
        "person_id",
        "bank_code",
        "branch_code",
        "account_type",
        "account_number",
        pl.when(yucho).then(symbol).alias("passbook_symbol"),
        pl.when(yucho).then(passbook_number).alias("passbook_number"),
        "opened_on",
        "last_activity",
        "account_status",
        "balance_yen",
        "name_used",
        "address_seq",
        "primary",
    )
