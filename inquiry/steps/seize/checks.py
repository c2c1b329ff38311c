"""The last checks before a seizure, run when the plan is made and again when the list is exported.

Payment data arrives early so that a seizure and a payment do not cross
(行き違い): each check reads the store as it is *now*.

- **Payments**: the person's arrears less what they paid since the master's
  export date. Nothing left → the seizure is pulled (引抜); something paid
  after the bank's answer → the plan is reduced (the notice goes out for the
  rest).
- **Protected income**: from the history answer's transactions, the deposits
  of the last ``protected_window_days`` before the account's last known
  transaction that the law protects — 年金 (国税徴収法第77条), 児童手当,
  児童扶養手当, 生活保護 (their own laws), and of a salary deposit the part
  第76条 protects (a base a month plus 20 % of the rest, at most twice the
  base; dependants unknown, so the base alone). When they make up
  ``protected_share`` or more of the last known balance, the account is
  flagged 差押禁止額の確認. The computation only raises the flag; the
  seizable amount is decided by a person.
- **Stale answers**: an answer older than ``max_answer_age_days`` is flagged;
  the balance may have moved since.

Everything is whole-frame polars; the kinds of income come from
:mod:`matching.income`, the one place that reads 摘要.
"""

from __future__ import annotations

import json
from datetime import date

import polars as pl

from inquiry.runtime.store import Store
from inquiry.steps.seize.notice import SeizureConfig
from matching.income import INCOME_KINDS, format_yen, income_kind

__all__ = ["PROTECTED_FLAG", "arrears_left", "payments_after", "protected_income", "stale_note"]

PROTECTED_FLAG = "差押禁止額の確認"
_WHOLLY = [k.name for k in INCOME_KINDS if k.protection]
_LABELS = {k.name: k.label for k in INCOME_KINDS}


def protected_income(store: Store, account_keys: list[str], cfg: SeizureConfig) -> pl.DataFrame:
    """Per account with transactions: ``protected_yen``, ``known_balance_yen``, ``protected`` (flag) and ``protected_note``."""
    schema = {"account_key": pl.Utf8, "tx_date": pl.Utf8, "detail_no": pl.Int64, "description": pl.Utf8, "deposit_yen": pl.Int64, "balance_yen": pl.Int64}
    tx = store.frame(
        """
        SELECT f.account_key, t.tx_date, t.detail_no, t.description, t.deposit_yen, t.balance_yen
        FROM transactions t JOIN followups f ON f.followup_id = t.followup_id
        WHERE f.account_key IN (SELECT value FROM json_each(?))
        """,
        (json.dumps(account_keys),),
        schema=schema,
    ).with_columns(pl.col("tx_date").str.to_date(strict=False))
    out_schema = {"account_key": pl.Utf8, "protected_yen": pl.Int64, "known_balance_yen": pl.Int64, "protected": pl.Boolean, "protected_note": pl.Utf8}
    if tx.height == 0:
        return pl.DataFrame(schema=out_schema)
    base = cfg.salary_protected_base_yen
    deposit = pl.col("deposit_yen").fill_null(0)
    salary_part = pl.min_horizontal(deposit, pl.lit(base)) + pl.min_horizontal(((deposit - base).clip(lower_bound=0) * 0.2), pl.lit(2 * base))
    rows = (
        tx.sort("account_key", "tx_date", "detail_no", nulls_last=False)
        .with_columns(income_kind(pl.col("description")), pl.col("tx_date").max().over("account_key").alias("_last"))
        .with_columns(recent=pl.col("tx_date") > pl.col("_last") - pl.duration(days=cfg.protected_window_days))
        .with_columns(
            pl.when(~pl.col("recent") | (deposit <= 0))
            .then(0)
            .when(pl.col("kind").is_in(_WHOLLY))
            .then(deposit)
            .when(pl.col("kind") == "salary")
            .then(salary_part.round(0).cast(pl.Int64))
            .otherwise(0)
            .alias("_protected")
        )
    )
    per_kind = (
        rows.filter(pl.col("_protected") > 0)
        .group_by("account_key", "kind")
        .agg(pl.col("_protected").sum())
        .sort("account_key", "kind")
        .with_columns(pl.col("kind").replace_strict(_LABELS, default=pl.col("kind"), return_dtype=pl.Utf8).alias("label"))
        .group_by("account_key", maintain_order=True)
        .agg(pl.format("{} {}円", pl.col("label"), format_yen(pl.col("_protected"))).str.join("・").alias("_kinds"))
    )
    per_account = rows.group_by("account_key").agg(
        pl.col("_protected").sum().cast(pl.Int64).alias("protected_yen"),
        pl.col("balance_yen").drop_nulls().last().alias("known_balance_yen"),
    )
    flagged = (pl.col("protected_yen") > 0) & (pl.col("protected_yen") >= cfg.protected_share * pl.col("known_balance_yen").fill_null(0).clip(lower_bound=0))
    return (
        per_account.join(per_kind, on="account_key", how="left")
        .with_columns(flagged.alias("protected"))
        .with_columns(
            pl.when(pl.col("protected"))
            .then(
                pl.format(
                    "{}: 直近{}日の差押禁止相当の入金 {} (計 {}円) / 残高 {}円",
                    pl.lit(PROTECTED_FLAG),
                    pl.lit(cfg.protected_window_days),
                    pl.col("_kinds"),
                    format_yen(pl.col("protected_yen")),
                    format_yen(pl.col("known_balance_yen").fill_null(0)),
                )
            )
            .alias("protected_note")
        )
        .select(list(out_schema))
    )


def arrears_left(store: Store, person_ids: list[str]) -> pl.DataFrame:
    """``person_id, arrears_yen, paid_yen, left_yen``: the arrears less payments since the master's export date."""
    return store.frame(
        """
        SELECT p.person_id, p.arrears_yen, COALESCE(SUM(x.amount_yen), 0) AS paid_yen,
               p.arrears_yen - COALESCE(SUM(x.amount_yen), 0) AS left_yen
        FROM persons p LEFT JOIN payments x ON x.person_id = p.person_id AND x.paid_on > p.as_of
        WHERE p.person_id IN (SELECT value FROM json_each(?))
        GROUP BY p.person_id
        """,
        (json.dumps(person_ids),),
        schema={"person_id": pl.Utf8, "arrears_yen": pl.Int64, "paid_yen": pl.Int64, "left_yen": pl.Int64},
    )


def payments_after(store: Store, rows: pl.DataFrame) -> pl.DataFrame:
    """For ``rows`` of ``key, person_id, answered_on``: ``key, paid_after_yen, last_paid_on`` — paid after the answer."""
    pays = store.frame(
        "SELECT person_id, paid_on, amount_yen FROM payments WHERE person_id IN (SELECT value FROM json_each(?))",
        (json.dumps(rows["person_id"].unique().to_list()),),
        schema={"person_id": pl.Utf8, "paid_on": pl.Utf8, "amount_yen": pl.Int64},
    )
    return (
        rows.select("key", "person_id", "answered_on")
        .join(pays, on="person_id", how="inner")
        .filter(pl.col("paid_on") > pl.col("answered_on"))
        .group_by("key")
        .agg(pl.col("amount_yen").sum().alias("paid_after_yen"), pl.col("paid_on").max().alias("last_paid_on"))
    )


def stale_note(answered_on: pl.Expr, today: date, cfg: SeizureConfig) -> pl.Expr:
    """``回答が古い: …`` when the answer is older than ``max_answer_age_days``, else null."""
    age = (pl.lit(today) - answered_on.str.to_date(strict=False)).dt.total_days()
    return pl.when(age > cfg.max_answer_age_days).then(pl.format("回答が古い: 回答日 {} ({}日経過、残高が変わっている可能性)", answered_on, age))
