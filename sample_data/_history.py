"""History answers: the transactions of an account over the period asked, with the income planted.

The bank's view (``_bank_view``) decided for every account - the delinquents'
and the strangers' returned so far - whether it receives a salary (monthly,
on the 25th, 20th or 10th), a pension (every even month on the 15th),
welfare or child allowance; here each month of the period gets those
deposits plus noise around them: cash withdrawals, bills, and irregular
transfers from persons (which a detector must not take for salary). The
amounts and days are hashed from (account, month), so an account's history
is the same in every request that asks for it. Closed and unknown accounts
get one ``none``/``unable`` row; the balance runs back from the account's
balance and never goes below zero.

>>> HISTORY_RESPONSE_COLUMNS[-4:]
['description', 'withdrawal_yen', 'deposit_yen', 'balance_yen']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from formats.yucho import account_key, passbook_account_number, passbook_account_type, passbook_branch
from sample_data._draws import hash_u

if TYPE_CHECKING:
    from sample_data._banks import BankWorld

__all__ = ["HISTORY_RESPONSE_COLUMNS", "answer_history"]

_PENSION_DESC = ["ﾈﾝｷﾝ", "ｺｸﾐﾝﾈﾝｷﾝ", "ｺｳｾｲﾈﾝｷﾝ"]
_TRANSFER_FROM = ["ﾔﾏﾀﾞ ﾀﾛｳ", "ｽｽﾞｷ ﾊﾅｺ", "ﾀﾅｶ ｹﾝｼﾞ", "ｻﾄｳ ﾐﾕｷ", "ﾒﾙｶﾘ", "ｶ)ｱﾙﾊﾞｲﾄｻ-ﾋﾞｽ"]
#: the canonical history response frame's columns (docs/architecture.md), in order
HISTORY_RESPONSE_COLUMNS = [
    "inquiry_id", "answer", "bank_code", "branch_code", "account_type", "account_number", "passbook_symbol", "passbook_number",
    "detail_no", "tx_date", "description", "withdrawal_yen", "deposit_yen", "balance_yen",
]


def answer_history(world: BankWorld, requests: pl.DataFrame) -> pl.DataFrame:
    """Answer a canonical history request frame: one row per transaction (or one none/unable row)."""
    req = requests.with_columns(pl.col("branch_code").cast(pl.Utf8), pl.col("account_number").cast(pl.Utf8))
    is_pb = (pl.col("bank_code") == "9900") & (pl.col("branch_code").str.len_chars() == 5)
    req = req.with_columns(
        pl.when(is_pb).then(pl.col("branch_code")).alias("passbook_symbol"),
        pl.when(is_pb).then(pl.col("account_number")).alias("passbook_number"),
        pl.when(is_pb).then(passbook_branch(pl.col("branch_code"))).otherwise(pl.col("branch_code").str.zfill(3)).alias("_branch"),
        pl.when(is_pb).then(passbook_account_type(pl.col("branch_code"))).otherwise(pl.col("account_type").cast(pl.Int8)).alias("_type"),
        pl.when(is_pb).then(passbook_account_number(pl.col("branch_code"), pl.col("account_number"))).otherwise(pl.col("account_number").str.zfill(7)).alias("_number"),
    ).with_columns(
        account_key(pl.col("bank_code"), pl.col("_branch"), pl.col("_type"), pl.col("_number"))
    )
    registry = world.truth.select(
        "account_key", "balance_yen", "account_status", "salary_yen", "salary_day", "employer", "pension_yen", "welfare_yen", "child_allowance"
    )
    req = req.join(registry, on="account_key", how="left")
    s = world.seed * 1000 + 500
    months = req.filter(pl.col("account_status").is_in(["通常", "支払停止"])).with_columns(
        pl.date_ranges(pl.col("period_from").dt.month_start(), pl.col("period_to"), "1mo").alias("_m")
    ).explode("_m").filter(pl.col("_m").is_not_null())
    mu = lambda k: hash_u([pl.col("account_key"), pl.col("_m")], s + k)  # noqa: E731
    month_end = pl.col("_m").dt.month_end()
    events = []
    events.append(
        months.filter(pl.col("salary_yen") > 0).select(
            "inquiry_id",
            pl.min_horizontal(pl.col("_m").dt.offset_by(pl.format("{}d", pl.col("salary_day").cast(pl.Int64) - 1)), month_end).alias("tx_date"),
            pl.concat_str([pl.lit("ｷﾕｳﾖ "), pl.col("employer")]).alias("description"),
            pl.lit(0, pl.Int64).alias("withdrawal_yen"),
            (pl.col("salary_yen") * (0.97 + 0.06 * mu(1))).round(0).cast(pl.Int64).alias("deposit_yen"),
        )
    )
    events.append(
        months.filter((pl.col("pension_yen") > 0) & (pl.col("_m").dt.month() % 2 == 0)).select(
            "inquiry_id",
            pl.col("_m").dt.offset_by("14d").alias("tx_date"),
            pl.col("account_key").hash(seed=s).mod(len(_PENSION_DESC)).cast(pl.Int64).replace_strict(dict(enumerate(_PENSION_DESC)), return_dtype=pl.Utf8).alias("description"),
            pl.lit(0, pl.Int64).alias("withdrawal_yen"),
            pl.col("pension_yen").alias("deposit_yen"),
        )
    )
    events.append(
        months.filter(pl.col("welfare_yen") > 0).select(
            "inquiry_id", pl.col("_m").alias("tx_date"), pl.lit("ｾｲｶﾂﾎｺﾞﾋ").alias("description"),
            pl.lit(0, pl.Int64).alias("withdrawal_yen"), pl.col("welfare_yen").alias("deposit_yen"),
        )
    )
    events.append(
        months.filter(pl.col("child_allowance") & pl.col("_m").dt.month().is_in([2, 6, 10])).select(
            "inquiry_id", pl.col("_m").dt.offset_by("9d").alias("tx_date"), pl.lit("ｼﾞﾄﾞｳﾃｱﾃ").alias("description"),
            pl.lit(0, pl.Int64).alias("withdrawal_yen"), pl.lit(40_000, pl.Int64).alias("deposit_yen"),
        )
    )
    income = pl.col("salary_yen") + pl.col("pension_yen") / 2 + pl.col("welfare_yen")
    atm = months.with_columns(pl.int_ranges(0, (mu(2) * 4).floor().cast(pl.Int64) + 1).alias("_k")).explode("_k")
    ku = lambda k: hash_u([pl.col("account_key"), pl.col("_m"), pl.col("_k")], s + k)  # noqa: E731
    events.append(
        atm.select(
            "inquiry_id",
            pl.min_horizontal(pl.col("_m").dt.offset_by(pl.format("{}d", (ku(3) * 28).floor().cast(pl.Int64))), month_end).alias("tx_date"),
            pl.when(ku(4) < 0.8).then(pl.lit("ATM")).otherwise(pl.lit("ｶ-ﾄﾞ")).alias("description"),
            (((income.clip(lower_bound=40_000) * (0.1 + 0.25 * ku(5))) / 1000).floor() * 1000).cast(pl.Int64).alias("withdrawal_yen"),
            pl.lit(0, pl.Int64).alias("deposit_yen"),
        )
    )
    events.append(
        months.select(
            "inquiry_id",
            pl.min_horizontal(pl.col("_m").dt.offset_by("26d"), month_end).alias("tx_date"),
            pl.when(mu(6) < 0.5).then(pl.lit("ﾃﾞﾝｷﾘﾖｳｷﾝ")).when(mu(6) < 0.8).then(pl.lit("ｽｲﾄﾞｳﾘﾖｳｷﾝ")).otherwise(pl.lit("ﾌﾘｺﾐ ｶ)ｼﾝｼﾞﾕｸﾌﾄﾞｳｻﾝ")).alias("description"),
            (3000 + mu(7) * 60_000).floor().cast(pl.Int64).alias("withdrawal_yen"),
            pl.lit(0, pl.Int64).alias("deposit_yen"),
        )
    )
    # irregular incoming transfers from persons (not income: a detector must not take them for salary)
    events.append(
        months.filter(mu(8) < 0.25).select(
            "inquiry_id",
            pl.min_horizontal(pl.col("_m").dt.offset_by(pl.format("{}d", (mu(9) * 28).floor().cast(pl.Int64))), month_end).alias("tx_date"),
            pl.concat_str([pl.lit("ﾌﾘｺﾐ "), (mu(10) * len(_TRANSFER_FROM)).floor().cast(pl.Int64).replace_strict(dict(enumerate(_TRANSFER_FROM)), return_dtype=pl.Utf8)]).alias("description"),
            pl.lit(0, pl.Int64).alias("withdrawal_yen"),
            ((5 + mu(11) * 95).floor() * 1000).cast(pl.Int64).alias("deposit_yen"),
        )
    )
    tx = pl.concat(events).join(req.select("inquiry_id", "period_from", "period_to", "balance_yen"), on="inquiry_id", how="left")
    tx = tx.filter((pl.col("tx_date") >= pl.col("period_from")) & (pl.col("tx_date") <= pl.col("period_to"))).sort("inquiry_id", "tx_date", "description")
    net = pl.col("deposit_yen") - pl.col("withdrawal_yen")
    tx = tx.with_columns(
        (pl.col("balance_yen").fill_null(0) - net.sum().over("inquiry_id") + net.cum_sum().over("inquiry_id")).alias("_bal")
    ).with_columns((pl.col("_bal") - pl.col("_bal").min().over("inquiry_id").clip(upper_bound=0)).alias("balance_yen"))
    tx = tx.with_columns(pl.int_range(1, pl.len() + 1).over("inquiry_id").cast(pl.Int32).alias("detail_no"), pl.lit("found").alias("answer"))
    tx = tx.with_columns(pl.col("description").str.slice(0, 30))
    keys = req.select(
        "inquiry_id", "bank_code", pl.col("_branch").alias("branch_code"), pl.col("_type").alias("account_type"),
        pl.col("_number").alias("account_number"), "passbook_symbol", "passbook_number", "account_status", pl.col("balance_yen").alias("_known"),
    )
    hits = tx.drop("period_from", "period_to", "_bal").join(keys.drop("account_status", "_known"), on="inquiry_id", how="left")
    rest = keys.join(tx.select("inquiry_id").unique(), on="inquiry_id", how="anti").with_columns(
        pl.when(pl.col("account_status").is_null()).then(pl.lit("unable")).otherwise(pl.lit("none")).alias("answer"),
        pl.lit(0, pl.Int32).alias("detail_no"),
    )
    out = pl.concat([hits, rest], how="diagonal_relaxed")
    order = req.select("inquiry_id").with_row_index("_o")
    return out.join(order, on="inquiry_id", how="left").sort("_o", "detail_no").select(HISTORY_RESPONSE_COLUMNS)
