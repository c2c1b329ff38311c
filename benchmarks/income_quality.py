"""How well :mod:`matching.income` finds regular income, over many generated accounts.

Each synthetic account gets six months of transactions with planted regular
income — salary on a pay day moved before weekends (one month missing now
and then, the 摘要 written ``ｷﾕｳﾖ``, ``ｷｭｳﾖ``, ``給与``, with or without the
employer, or with the month in it), pension on the 15th of even months,
児童手当 (bimonthly, or the former February/June/October schedule), 生活保護
monthly — and noise that must **not** count: bonuses, one-off ``ｷﾕｳﾖ`` or
``ﾈﾝｷﾝ`` deposits, two stray ``ﾈﾝｷﾝ`` refunds, monthly ``ｺｸﾐﾝﾈﾝｷﾝ`` premiums
withdrawn, monthly transfers from family without a keyword, ATM and bills.

Precision and recall are over (account, kind) pairs: a pair is found when
:func:`matching.income.regular_income` says ``regular``; it is true when a
regular pattern of that kind was planted. Typical amounts are checked too
(within 10 % of the planted amount: the text says 約).

Run: ``python benchmarks/income_quality.py [accounts]`` for the table, or
``pytest benchmarks/income_quality.py --benchmark-enable`` for the timing
(5,000 accounts, about 200,000 transactions).
"""

from __future__ import annotations

import datetime as dt
import sys

import numpy as np
import polars as pl

from matching.income import regular_income

PERIOD_TO = dt.date(2026, 11, 23)
PERIOD_FROM = dt.date(2026, 5, 23)
KINDS = ("salary", "pension", "child_allowance", "welfare")

_EMPLOYERS = ["ｶ)ﾆｼｼﾝｼﾞﾕｸｼﾖｳｼﾞ", "ｶ)ﾄｳｷﾖｳｹﾝｾﾂ", "ﾕ)ﾀﾅｶｼﾖｳﾃﾝ", "ｲ)ｼﾝｼﾞﾕｸｶｲ", "ｶ)ｻｸﾗﾌ-ｽﾞ", "ｼﾔ)ﾌｸｼｶｲ"]
_PENSIONS = ["ﾈﾝｷﾝ", "ｺｸﾐﾝﾈﾝｷﾝ", "ｺｳｾｲﾈﾝｷﾝ", "ｷﾖｳｻｲﾈﾝｷﾝ", "年金"]


def _business_day(d: pl.Expr) -> pl.Expr:
    """Move a Saturday or Sunday back to the Friday before (pay days do)."""
    return d - pl.duration(days=pl.when(d.dt.weekday() == 6).then(1).when(d.dt.weekday() == 7).then(2).otherwise(0))


def _day_of(month: pl.Expr, day: pl.Expr) -> pl.Expr:
    return pl.min_horizontal(month.dt.offset_by(pl.format("{}d", day - 1)), month.dt.month_end())


def generate(accounts: int = 5_000, seed: int = 7) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(transactions, truth): the transaction frame and the planted regular (account, kind) pairs with amounts."""
    rng = np.random.default_rng(seed)
    n = accounts
    acc = pl.DataFrame(
        {
            "account_key": [f"A{i:06d}" for i in range(n)],
            "salary": rng.random(n) < 0.45,
            "salary_day": rng.choice([10, 15, 20, 25, 31], n),
            "salary_yen": rng.integers(150, 500, n) * 1000,
            "employer": rng.choice(_EMPLOYERS, n),
            "salary_form": rng.integers(0, 5, n),
            # 0 one employer all along, 1 new job (paid only the last two months), 2 employer's name only
            # (no keyword: not found, by design), 3 changed employer half way
            "salary_mode": rng.choice(4, n, p=[0.85, 0.05, 0.05, 0.05]),
            "employer2": rng.choice(_EMPLOYERS, n),
            "pension_arrears": rng.random(n) < 0.1,
            "twin_refund": rng.random(n) < 0.01,
            "skip_month": np.where(rng.random(n) < 0.15, rng.integers(1, 5, n), -1),
            "bonus": rng.random(n) < 0.3,
            "pension": rng.random(n) < 0.25,
            "pension_yen": rng.integers(40, 250, n) * 1000,
            "pension_desc": rng.choice(_PENSIONS, n),
            "child": rng.random(n) < 0.1,
            "child_old": rng.random(n) < 0.4,
            "child_yen": rng.choice([10_000, 20_000, 30_000], n),
            "welfare": rng.random(n) < 0.05,
            "welfare_yen": rng.integers(60, 130, n) * 1000,
            "oneoff_salary": rng.random(n) < 0.15,
            "oneoff_pension": rng.random(n) < 0.05,
            "stray_pension": rng.random(n) < 0.03,
            "premium": rng.random(n) < 0.2,
            "family": rng.random(n) < 0.2,
            "atm": rng.integers(1, 5, n),
            "start_balance": rng.integers(0, 2_000, n) * 1000,
            "u1": rng.random(n),
            "u2": rng.random(n),
        }
    )
    months = pl.DataFrame({"month": pl.date_range(PERIOD_FROM.replace(day=1), PERIOD_TO, "1mo", eager=True)}).with_row_index("mi")
    am = acc.join(months, how="cross")
    jitter = ((pl.col("account_key").hash(seed) % 1000).cast(pl.Float64) / 1000 + pl.col("mi").cast(pl.Float64) * 0.137) % 1  # in [0, 1)
    m = pl.col("month")
    employer = pl.when((pl.col("salary_mode") == 3) & (pl.col("mi") >= 4)).then(pl.col("employer2")).otherwise(pl.col("employer"))
    salary_desc = (
        pl.when(pl.col("salary_mode") == 2).then(employer)
        .when(pl.col("salary_form") == 0).then(pl.concat_str([pl.lit("ｷﾕｳﾖ "), employer]))
        .when(pl.col("salary_form") == 1).then(pl.concat_str([pl.lit("ｷｭｳﾖ "), employer]))
        .when(pl.col("salary_form") == 2).then(pl.concat_str([pl.lit("給与 "), employer]))
        .when(pl.col("salary_form") == 3).then(pl.lit("ｷﾕｳﾖ"))
        .otherwise(pl.format("ｷﾕｳﾖ {}ｶﾞﾂﾌﾞﾝ", m.dt.month()))
    )  # fmt: skip

    def ev(frame: pl.DataFrame, date: pl.Expr, desc: pl.Expr, deposit: pl.Expr | int = 0, withdrawal: pl.Expr | int = 0) -> pl.DataFrame:
        return frame.select(
            "account_key",
            date.alias("tx_date"),
            desc.alias("description"),
            pl.lit(withdrawal).cast(pl.Int64).alias("withdrawal_yen") if isinstance(withdrawal, int) else withdrawal.cast(pl.Int64).alias("withdrawal_yen"),
            pl.lit(deposit).cast(pl.Int64).alias("deposit_yen") if isinstance(deposit, int) else deposit.cast(pl.Int64).alias("deposit_yen"),
        )

    events = [
        ev(am.filter(pl.col("salary") & (pl.col("mi") != pl.col("skip_month")) & ((pl.col("salary_mode") != 1) | (pl.col("mi") >= 5))),
           _business_day(_day_of(m, pl.col("salary_day"))), salary_desc,
           deposit=(pl.col("salary_yen") * (0.85 + 0.3 * jitter)).round(0)),  # overtime: ±15 %
        ev(am.filter(pl.col("salary") & pl.col("bonus") & m.dt.month().is_in([6, 12])), _business_day(_day_of(m, pl.lit(10))),
           pl.concat_str([pl.lit("ｼﾖｳﾖ "), pl.col("employer")]), deposit=pl.col("salary_yen") * 2),
        ev(am.filter(pl.col("pension") & (m.dt.month() % 2 == 0)), _business_day(_day_of(m, pl.lit(15))), pl.col("pension_desc"),
           deposit=pl.col("pension_yen") * pl.when(pl.col("pension_arrears") & (pl.col("mi") <= 1)).then(2).otherwise(1)),  # first one with arrears
        ev(am.filter(pl.col("child") & ~pl.col("child_old") & (m.dt.month() % 2 == 0)), _business_day(_day_of(m, pl.lit(10))), pl.lit("ｼﾞﾄﾞｳﾃｱﾃ"),
           deposit=pl.col("child_yen")),
        ev(am.filter(pl.col("child") & pl.col("child_old") & m.dt.month().is_in([2, 6, 10])), _business_day(_day_of(m, pl.lit(10))), pl.lit("ｼﾞﾄﾞｳﾃｱﾃ"),
           deposit=pl.col("child_yen") * 2),
        ev(am.filter(pl.col("welfare")), _business_day(_day_of(m, pl.lit(1))), pl.lit("ｾｲｶﾂﾎｺﾞﾋ"), deposit=pl.col("welfare_yen")),
        # noise
        ev(acc.filter(pl.col("oneoff_salary")), pl.lit(PERIOD_FROM) + pl.duration(days=(pl.col("u1") * 180).cast(pl.Int64)), pl.lit("ｷﾕｳﾖ ｶ)ﾀﾝｷﾊﾞｲﾄ"), deposit=38_000),
        ev(acc.filter(pl.col("oneoff_pension")), pl.lit(PERIOD_FROM) + pl.duration(days=(pl.col("u2") * 180).cast(pl.Int64)), pl.lit("ﾈﾝｷﾝ ｲﾁｼﾞｷﾝ"), deposit=300_000),
        ev(acc.filter(pl.col("stray_pension")), pl.lit(PERIOD_FROM) + pl.duration(days=(pl.col("u1") * 90).cast(pl.Int64)), pl.lit("ﾈﾝｷﾝ ｶﾝﾌﾟｷﾝ"), deposit=4_200),
        ev(acc.filter(pl.col("stray_pension")), pl.lit(PERIOD_FROM) + pl.duration(days=(90 + pl.col("u2") * 90).cast(pl.Int64)), pl.lit("ﾈﾝｷﾝ ｶﾝﾌﾟｷﾝ"), deposit=1_300),
        ev(acc.filter(pl.col("twin_refund")), pl.lit(PERIOD_FROM) + pl.duration(days=(pl.col("u1") * 100).cast(pl.Int64)), pl.lit("ｺｸﾐﾝﾈﾝｷﾝ ｶﾝﾌﾟ"), deposit=16_980),
        ev(acc.filter(pl.col("twin_refund")), pl.lit(PERIOD_FROM) + pl.duration(days=(pl.col("u1") * 100 + 61).cast(pl.Int64)), pl.lit("ｺｸﾐﾝﾈﾝｷﾝ ｶﾝﾌﾟ"), deposit=16_980),
        ev(am.filter(pl.col("premium")), _day_of(m, pl.lit(27)), pl.lit("ｺｸﾐﾝﾈﾝｷﾝ"), withdrawal=16_980),
        ev(am.filter(pl.col("family")), _day_of(m, pl.lit(5)), pl.lit("ﾌﾘｺﾐ ﾔﾏﾀﾞ ﾊﾅｺ"), deposit=50_000),
        ev(am.filter(pl.col("atm") >= 1), _day_of(m, (jitter * 27).cast(pl.Int64) + 1), pl.lit("ATM"), withdrawal=((jitter * 80).cast(pl.Int64) + 5) * 1000),
        ev(am.filter(pl.col("atm") >= 3), _day_of(m, (jitter * 13).cast(pl.Int64) + 14), pl.lit("ｶ-ﾄﾞ"), withdrawal=20_000),
        ev(am, _day_of(m, pl.lit(26)), pl.lit("ﾃﾞﾝｷﾘﾖｳｷﾝ"), withdrawal=(jitter * 9000).cast(pl.Int64) + 3000),
    ]
    tx = (
        pl.concat(events)
        .filter(pl.col("tx_date").is_between(PERIOD_FROM, PERIOD_TO))
        .join(acc.select("account_key", "start_balance"), on="account_key")
        .sort("account_key", "tx_date", "description")
        .with_columns(
            (pl.col("start_balance") + (pl.col("deposit_yen") - pl.col("withdrawal_yen")).cum_sum().over("account_key")).alias("balance_yen")
        )
        .drop("start_balance")
    )
    # a salary paid only twice in the window, or without any keyword, cannot be told (by design)
    findable = pl.col("salary_mode").is_in([0, 3])
    truth = pl.concat(
        [
            acc.filter(pl.col(flag)).select(
                "account_key",
                pl.lit(kind).alias("kind"),
                pl.col(amount).cast(pl.Int64).alias("planted_yen"),
                (findable if kind == "salary" else pl.lit(True)).alias("findable"),
            )
            for kind, flag, amount in (
                ("salary", "salary", "salary_yen"),
                ("pension", "pension", "pension_yen"),
                ("welfare", "welfare", "welfare_yen"),
            )
        ]
        + [
            acc.filter(pl.col("child")).select(
                "account_key",
                pl.lit("child_allowance").alias("kind"),
                (pl.col("child_yen") * pl.when(pl.col("child_old")).then(2).otherwise(1)).cast(pl.Int64).alias("planted_yen"),
                pl.lit(True).alias("findable"),
            )
        ]
    )
    return tx, truth


def measure(tx: pl.DataFrame, truth: pl.DataFrame) -> pl.DataFrame:
    """Precision, recall and amount accuracy per kind and overall."""
    found = regular_income(tx).filter(pl.col("regular")).select("account_key", "kind", "typical_yen")
    joined = found.join(truth, on=["account_key", "kind"], how="full", coalesce=True)
    per = joined.with_columns(
        tp=pl.col("typical_yen").is_not_null() & pl.col("planted_yen").is_not_null(),
        fp=pl.col("typical_yen").is_not_null() & pl.col("planted_yen").is_null(),
        fn=pl.col("typical_yen").is_null() & pl.col("planted_yen").is_not_null(),
        amount_ok=((pl.col("typical_yen") - pl.col("planted_yen")).abs() <= 0.10 * pl.col("planted_yen")),
    )
    stats = [pl.col("tp").sum(), pl.col("fp").sum(), pl.col("fn").sum(), (pl.col("fn") & pl.col("findable")).sum().alias("fn_findable"), pl.col("amount_ok").filter(pl.col("tp")).mean().alias("amount_within_10pct")]
    rows = pl.concat([per.group_by("kind").agg(stats), per.select(pl.lit("all").alias("kind"), *stats)], how="vertical_relaxed")
    return rows.with_columns(
        precision=pl.col("tp") / (pl.col("tp") + pl.col("fp")),
        recall=pl.col("tp") / (pl.col("tp") + pl.col("fn")),
        recall_findable=pl.col("tp") / (pl.col("tp") + pl.col("fn_findable")),
    ).sort("kind")


def test_income_quality(benchmark) -> None:  # noqa: ANN001 - pytest-benchmark fixture
    tx, truth = generate(5_000)
    found = benchmark(regular_income, tx)
    table = measure(tx, truth)
    overall = table.filter(pl.col("kind") == "all").row(0, named=True)
    assert found.height > 0
    assert overall["precision"] >= 0.99 and overall["recall_findable"] >= 0.99 and overall["recall"] >= 0.9, table
    assert overall["amount_within_10pct"] >= 0.98, table


if __name__ == "__main__":
    import time

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5_000
    tx, truth = generate(n)
    start = time.perf_counter()
    table = measure(tx, truth)
    took = time.perf_counter() - start
    with pl.Config(tbl_rows=20, tbl_cols=20, tbl_width_chars=200):
        print(f"{n:,} accounts, {tx.height:,} transactions, detection + scoring {took:.2f}s")
        print(table.select("kind", "tp", "fp", "fn", "fn_findable", *[pl.col(c).round(4) for c in ("precision", "recall", "recall_findable", "amount_within_10pct")]))
