"""``inquiry seize plan``: which hits a seizure may rest on, with the last checks' findings.

A hit is a candidate when its account is open (通常/休眠), its balance reaches
``min_balance_yen``, the person's arrears are neither paid nor covered by live
planned seizures and the account is not already planned; every other hit is
counted with the reason it is not one (``why``). The candidates are replaced
on every run: nothing is seized here, a person chooses on the selection sheet
(:mod:`inquiry.steps.seize.sheet`).
"""

from __future__ import annotations

from datetime import date

import polars as pl

from inquiry.messages import text
from inquiry.runtime.step import Context, StepBody, StepFailed, StepResult
from inquiry.steps.followups import select_accounts
from inquiry.steps.seize.checks import arrears_left, payments_after, protected_income, stale_note
from inquiry.steps.seize.notice import SeizureConfig, load_config, notice_columns
from inquiry.vocabulary import OPEN_STATUSES
from matching.income import format_yen

__all__ = ["NEEDS_CONFIRMATION", "NO_HISTORY", "plan"]

#: no history answer: the protected-income check could not look (said, not refused)
NO_HISTORY = "取引履歴なし (差押禁止額は未確認)"
NEEDS_CONFIRMATION = "要本人確認 (PROBABLE: 差押前に本人であることの確認が必要)"

_S, _I = pl.Utf8, pl.Int64


#: ``why`` a hit is or is not a candidate → its count key (labels: :data:`inquiry.messages.COUNT_LABELS`)
_WHY = {
    "candidate": "candidates",
    "closed": "not_planned_closed",
    "small": "not_planned_small",
    "cleared": "not_planned_cleared",
    "planned": "not_planned_planned",
    "covered": "not_planned_covered",
}


def _candidates(ctx: Context, cfg: SeizureConfig) -> pl.DataFrame:
    """Every hit with ``why`` (``candidate`` or the reason it is not one) and ``flags`` (the last checks)."""
    hits = select_accounts(ctx).with_columns(pl.col("effective_class").alias("class"), pl.int_range(1, pl.len() + 1).alias("priority"))
    if hits.height == 0:
        return hits.with_columns(pl.lit(None, _S).alias("why"), pl.lit(None, _S).alias("flags"), pl.lit(False).alias("protected"))
    persons = hits["person_id"].unique().to_list()
    live = ctx.store.frame(
        "SELECT doc_no, account_key, person_id, balance_yen FROM seizures WHERE status = 'PLANNED'",
        schema={"doc_no": _S, "account_key": _S, "person_id": _S, "balance_yen": _I},
    )
    planned_account = live.select("account_key", pl.col("doc_no").alias("live_doc_no"))
    planned_person = live.group_by("person_id").agg(pl.col("balance_yen").fill_null(0).sum().alias("planned_yen"))
    confirmed = ctx.store.frame(
        "SELECT account_key, person_id AS confirmed_person, confirmed_by, confirmed_at FROM seizure_confirmations",
        schema={"account_key": _S, "confirmed_person": _S, "confirmed_by": _S, "confirmed_at": _S},
    )
    prot = protected_income(ctx.store, hits["account_key"].to_list(), cfg)
    answered = ctx.store.frame("SELECT DISTINCT account_key, 1 AS has_history FROM followups WHERE status = 'ANSWERED'", schema={"account_key": _S, "has_history": _I})
    after = payments_after(ctx.store, hits.select(pl.col("account_key").alias("key"), "person_id", "answered_on")).rename({"key": "account_key"})
    frame = (
        hits.join(arrears_left(ctx.store, persons).drop("arrears_yen"), on="person_id", how="left")
        .join(planned_account, on="account_key", how="left")
        .join(planned_person, on="person_id", how="left")
        .join(confirmed, on="account_key", how="left")
        .join(prot, on="account_key", how="left")
        .join(after, on="account_key", how="left")
        .join(answered, on="account_key", how="left")
        .with_columns(pl.col("planned_yen").fill_null(0), pl.col("protected").fill_null(False))
    )
    frame = notice_columns(frame.with_columns(pl.lit(None, _S).alias("bank_name"), pl.lit(None, _S).alias("branch_name")), cfg)
    left = pl.col("left_yen").fill_null(pl.col("arrears_yen"))
    why = (
        pl.when(~pl.col("account_status").is_in(OPEN_STATUSES).fill_null(False))
        .then(pl.lit("closed"))
        .when(pl.col("balance_yen").fill_null(0) < cfg.min_balance_yen)
        .then(pl.lit("small"))
        .when(pl.col("cleared") | (left.fill_null(0) <= 0))
        .then(pl.lit("cleared"))
        .when(pl.col("live_doc_no").is_not_null())
        .then(pl.lit("planned"))
        .when(pl.col("planned_yen") >= left)
        .then(pl.lit("covered"))
        .otherwise(pl.lit("candidate"))
    )
    frame = frame.sort("priority").with_columns(why.alias("why"))
    # a person's arrears may already be met by candidates ranked above this one
    balance = pl.when(pl.col("why") == "candidate").then(pl.col("balance_yen").fill_null(0)).otherwise(0)
    above = (balance.cum_sum() - balance).over("person_id")
    frame = frame.with_columns(above.alias("above_yen"))
    confirmed_ok = pl.col("confirmed_person").is_not_null() & (pl.col("confirmed_person") == pl.col("person_id"))
    probable = pl.col("class") == "PROBABLE"
    flags = pl.concat_str(
        [
            pl.when(probable & ~confirmed_ok).then(pl.lit(NEEDS_CONFIRMATION)),
            pl.when(probable & confirmed_ok).then(pl.format("本人確認済 {} {}", pl.col("confirmed_by"), pl.col("confirmed_at"))),
            pl.col("protected_note"),
            pl.when(pl.col("has_history").is_null()).then(pl.lit(NO_HISTORY)),
            stale_note(pl.col("answered_on"), ctx.today, cfg),
            pl.when(pl.col("paid_after_yen") > 0).then(
                pl.format("納付あり: 回答後の納付 {}円 (最終 {})、残滞納額 {}円", format_yen(pl.col("paid_after_yen")), pl.col("last_paid_on"), format_yen(left))
            ),
            pl.when((pl.col("why") == "candidate") & (pl.col("above_yen") > 0) & (pl.col("above_yen") >= left)).then(
                pl.format("滞納額は優先順位が上の候補 (計 {}円) で足ります", format_yen(pl.col("above_yen")))
            ),
            pl.when((pl.col("bank_code") == "9900") & pl.col("centre").is_null()).then(pl.lit("センター不明: 記号が貯金事務センター表にありません")),
        ],
        separator="; ",
        ignore_nulls=True,
    )
    return frame.with_columns(pl.when(flags != "").then(flags).alias("flags"), (probable & ~confirmed_ok).alias("needs_confirmation"))


def plan(execute_on: date | None = None) -> StepBody:
    """``inquiry seize plan``: (re)build the candidates; nothing is seized."""

    def body(ctx: Context) -> StepResult:
        cfg = load_config(ctx.ws.home)
        if execute_on is not None and execute_on < ctx.today:
            raise StepFailed(text("seize_execute_on_past", execute_on=execute_on))
        frame = _candidates(ctx, cfg)
        chosen = frame.filter(pl.col("why") == "candidate") if frame.height else frame
        planned_at = ctx.now.isoformat(timespec="seconds")
        ctx.store.conn.execute("DELETE FROM seizure_candidates")
        ctx.store.insert(
            "seizure_candidates",
            chosen.select(
                "account_key", pl.int_range(1, pl.len() + 1).alias("candidate_no"), "person_id", "class", "priority", "balance_yen",
                "answered_on", pl.lit(execute_on.isoformat() if execute_on else None, _S).alias("execute_on"), "flags",
                pl.col("protected").cast(pl.Int8), pl.lit(planned_at).alias("planned_at"),
            ),
        )
        counts = dict(frame["why"].value_counts().iter_rows()) if frame.height else {}
        result = StepResult(title=text("seize_plan_title"))
        result.counts = {"hit_accounts": frame.height} | {key: int(counts.get(why, 0)) for why, key in _WHY.items()}
        result.counts |= {
            "candidates_unconfirmed": int(chosen["needs_confirmation"].sum()) if chosen.height else 0,
            "candidates_protected": int(chosen["protected"].sum()) if chosen.height else 0,
            "candidates_stale": int(chosen["flags"].fill_null("").str.contains("回答が古い").sum()) if chosen.height else 0,
        }
        result.notes.append(text("seize_settings", source=cfg.source))
        result.notes.append(text("seize_plan_next"))
        return result

    return body

