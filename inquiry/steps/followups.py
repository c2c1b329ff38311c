"""``inquiry followups``: choose the accounts worth a history inquiry (取引履歴照会) and write the requests.

An account is followed up when every rule of matching.md holds:

1. it is a hit — class ``CONFIRMED``/``PROBABLE`` with no reviewer decision,
   or accepted on review (``matches.decision = 'accept'``, for
   ``decided_person_id``); a rejected account never is;
2. its status (latest answer) is 通常 or 休眠, not 解約済 or 支払停止;
3. its balance is at least ``followup_threshold_yen`` (¥10,000), or its last
   transaction is within ``followup_active_months`` (6) months of today —
   for 定期 (預金種目 6) the answer's 最終取引日 is the maturity date, so a
   定期 counts by its balance only;
4. its person is not cleared by payments (:func:`inquiry.steps.payments.cleared_persons`):
   such an account gets one ``SKIPPED_CLEARED`` row instead, so the report
   shows why it was not pursued;
5. no history inquiry for it was sent in the last ``followup_repeat_days``
   (90) days, and none is waiting to be sent (``QUEUED``/``WRITTEN``), so
   re-running never queues a duplicate.

Follow-ups are numbered by priority (1 first): balance, then recency of
activity, then the person's arrears. Each is routed to the service of its
institution (``institutions.provider``); an institution reached by neither
service (``paper``, or no longer in the institutions master) keeps its
follow-up ``QUEUED`` for a paper inquiry. Requests cover the last
``followup_period_months`` (6) months up to today unless a period is given.
ゆうちょ (9900) accounts answered through pipitLINQ are addressed with the
記号/番号 as received. Ids are ``H<YYYYMMDD>-<8 digits>``, unique for ever.

Status: ``QUEUED`` → ``WRITTEN`` (its request file is in ``outbox/``) →
``SENT`` (``inquiry sent``) → ``ANSWERED`` (``inquiry ingest``); the answers
are summarised by :func:`inquiry.steps.history.summarise` at the start of this
step.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from inquiry.messages import text
from inquiry.runtime.step import Context, StepBody, StepFailed, StepResult
from inquiry.runtime.store import FastQuery, Store
from inquiry.steps import history
from inquiry.steps.payments import cleared_persons
from inquiry.steps.requests import assign_ids, write_request_files
from inquiry.vocabulary import BANK_TEXT, HIT_CLASSES, OPEN_STATUSES, PROVIDERS, TIME_DEPOSIT, class_label
from matching.income import format_yen
from matching.kana import to_fullwidth, to_zengin

__all__ = ["FollowupOptions", "followups", "select_accounts", "months_before"]

PAPER = "paper"


@dataclass(frozen=True)
class FollowupOptions:
    period_from: date | None = None
    period_to: date | None = None


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (clamped to the month's end).

    >>> months_before(date(2026, 8, 31), 6)
    datetime.date(2026, 2, 28)
    """
    return pl.select(pl.lit(day).dt.offset_by(f"-{months}mo")).item()


_S, _I = pl.Utf8, pl.Int64

#: the hit links as they stand (the view ``effective_matches``): ``class`` the matcher's, ``effective_class`` the one that counts
_HITS_SQL = f"""
    SELECT account_key, linked_class AS class, class AS effective_class, decision, person_id
    FROM effective_matches
    WHERE class IN {HIT_CLASSES} AND person_id IS NOT NULL
"""
#: the latest answer of every hit account (the view ``latest_answers``: newest balance date, then answer day, then
#: row); only the hits, whose rows the rules look at (the view's filter on the key reaches the answers' index)
_ANSWERS_SQL = f"""
    SELECT a.answer_row AS _row, a.account_key, a.inquiry_id AS origin_inquiry_id, i.provider AS answered_via,
           a.bank_code, a.branch_code, a.account_type, a.account_number, a.passbook_symbol, a.passbook_number,
           a.holder_kana, a.balance_yen, a.balance_date, a.last_activity, a.account_status, a.answered_on
    FROM latest_answers a JOIN inquiries i ON i.inquiry_id = a.inquiry_id
    WHERE a.account_key IN (SELECT account_key FROM effective_matches WHERE class IN {HIT_CLASSES} AND person_id IS NOT NULL)
"""
_ANSWER_SCHEMA = {
    "_row": _I, "account_key": _S, "origin_inquiry_id": _S, "answered_via": _S, "bank_code": _S, "branch_code": _S,
    "account_type": _I, "account_number": _S, "passbook_symbol": _S, "passbook_number": _S, "holder_kana": _S,
    "balance_yen": _I, "balance_date": _S, "last_activity": _S, "account_status": _S, "answered_on": _S,
}  # fmt: skip


def read_answers_aside(store: Store) -> Callable[[], pl.DataFrame]:
    """Start reading :func:`select_accounts`' answer rows in a child process; call the result to get them.

    The hit accounts' latest answers are the longest read of ``followups``;
    a child process formats them (:meth:`Store.fast_frames`) while this one
    goes on summarising the history answers. Only the hits are read (a year:
    82 k of 304 k linked accounts), each found through the answers' index
    (the view's shape of migration 9). The child reads what is
    committed: start it before the step writes answers, links or inquiries.
    """
    read = store.fast_frames({"answers": FastQuery(_ANSWERS_SQL, _ANSWER_SCHEMA, BANK_TEXT)})["answers"]
    return read.result


def _typed(rows: pl.DataFrame) -> pl.DataFrame:
    """:data:`_ANSWERS_SQL`'s rows with their dates as dates (what the rules compare)."""
    return rows.with_columns(pl.col("last_activity").str.to_date(), pl.col("balance_date").str.to_date())


def select_accounts(ctx: Context, answers: Callable[[], pl.DataFrame] | None = None) -> pl.DataFrame:
    """Every hit account with the facts the rules look at and one ``decision`` per account.

    ``answers``: the found answer rows, read ahead (:func:`read_answers_aside`);
    by default read here.

    ``decision`` is ``queue``, ``skip_cleared``, or why not: ``closed``
    (解約済/支払停止), ``small_inactive`` (below the threshold and no recent
    activity), ``pending`` (a follow-up waits to be sent), ``recent`` (one was
    sent within the repeat window), ``cleared_shown`` (already shown as
    cleared).
    """
    s = ctx.settings
    today = ctx.today
    hits = ctx.store.fast_frame(_HITS_SQL, {"account_key": _S, "class": _S, "effective_class": _S, "decision": _S, "person_id": _S}).rename(
        {"decision": "review_decision"}
    )
    persons = ctx.store.fast_frame("SELECT person_id, arrears_yen FROM persons", {"person_id": _S, "arrears_yen": _I})
    inst = ctx.store.frame("SELECT bank_code, provider FROM institutions", schema={"bank_code": _S, "provider": _S})
    cleared = cleared_persons(ctx).select("person_id", "paid_yen", pl.lit(True).alias("cleared"))
    earlier = ctx.store.fast_frame(
        "SELECT account_key, person_id, status, COALESCE(sent_on, substr(created_at, 1, 10)) AS sent_on FROM followups",
        {"account_key": _S, "person_id": _S, "status": _S, "sent_on": _S},
    ).with_columns(pl.col("sent_on").str.to_date())
    repeat_from = today - timedelta(days=s.followup_repeat_days - 1)  # the last N days, today included
    history_of = earlier.group_by("account_key").agg(
        pl.col("status").is_in(["QUEUED", "WRITTEN"]).any().alias("pending"),
        (pl.col("status").is_in(["SENT", "ANSWERED"]) & (pl.col("sent_on") >= repeat_from)).any().alias("recent"),
    )
    shown = earlier.filter(pl.col("status") == "SKIPPED_CLEARED").select("account_key", "person_id").unique().with_columns(
        pl.lit(True).alias("shown")
    )

    active_from = months_before(today, s.followup_active_months)
    frame = (
        hits.join(_typed(answers() if answers else ctx.store.fast_frame(_ANSWERS_SQL, _ANSWER_SCHEMA, text=BANK_TEXT)),
                  on="account_key", how="inner")
        .join(persons, on="person_id", how="left")
        .join(inst, on="bank_code", how="left")
        .join(cleared, on="person_id", how="left")
        .join(history_of, on="account_key", how="left")
        .join(shown, on=["account_key", "person_id"], how="left")
        .with_columns(
            pl.when(pl.col("account_type") != TIME_DEPOSIT).then(pl.col("last_activity")).alias("activity"),
            pl.col("provider").fill_null(PAPER),
            *[pl.col(c).fill_null(False) for c in ("cleared", "pending", "recent", "shown")],
        )
        .with_columns(
            (pl.col("balance_yen") >= s.followup_threshold_yen).fill_null(False).alias("rich"),
            ((pl.col("activity") >= active_from) & (pl.col("activity") <= today)).fill_null(False).alias("active"),
        )
    )
    decision = (
        pl.when(~pl.col("account_status").is_in(OPEN_STATUSES).fill_null(False))
        .then(pl.lit("closed"))
        .when(~(pl.col("rich") | pl.col("active")))
        .then(pl.lit("small_inactive"))
        .when(pl.col("cleared") & pl.col("shown"))
        .then(pl.lit("cleared_shown"))
        .when(pl.col("cleared"))
        .then(pl.lit("skip_cleared"))
        .when(pl.col("pending"))
        .then(pl.lit("pending"))
        .when(pl.col("recent"))
        .then(pl.lit("recent"))
        .otherwise(pl.lit("queue"))
    )
    return frame.with_columns(decision.alias("decision")).sort(
        ["balance_yen", "activity", "arrears_yen", "account_key"],
        descending=[True, True, True, False],
        nulls_last=True,
    )


def _reason() -> pl.Expr:
    label = (
        pl.when(pl.col("review_decision") == "accept")
        .then(pl.lit(text("followups_accepted")))
        .when(pl.col("class") == "CONFIRMED")
        .then(pl.lit(class_label("CONFIRMED")))
        .otherwise(pl.lit(class_label("PROBABLE")))
    )
    rich = pl.when(pl.col("rich")).then(pl.format(text("followups_by_balance", balance="{}"), format_yen(pl.col("balance_yen"))))
    active = pl.when(pl.col("active")).then(pl.format(text("followups_by_activity", day="{}"), pl.col("activity")))
    basis = pl.concat_str([rich, active], separator="・", ignore_nulls=True)
    reason = pl.format("{}; {}", label, basis)
    cleared = pl.format(
        text("followups_cleared", paid="{}", arrears="{}"),
        format_yen(pl.col("paid_yen")),
        format_yen(pl.col("arrears_yen").fill_null(0)),
    )
    paper = pl.format(text("followups_paper", reason="{}"), reason)
    return (
        pl.when(pl.col("decision") == "skip_cleared")
        .then(cleared)
        .when(pl.col("provider") == PAPER)
        .then(paper)
        .otherwise(reason)
        .alias("reason")
    )


def _request_frame(provider: str, batch: pl.DataFrame) -> pl.DataFrame:
    """The "History request" frame of docs/architecture.md for one service."""
    passbook = pl.lit(provider == "pipitlinq") & pl.col("passbook_symbol").is_not_null() & pl.col("passbook_number").is_not_null()
    form = to_zengin if provider == "dais" else to_fullwidth
    kana = pl.when(pl.col("answered_via") == provider).then(pl.col("holder_kana")).otherwise(form(pl.col("holder_kana")))
    return batch.select(
        pl.col("followup_id").alias("inquiry_id"),
        "person_id",
        "bank_code",
        pl.when(passbook).then(pl.col("passbook_symbol")).otherwise(pl.col("branch_code")).alias("branch_code"),
        pl.col("account_type").cast(pl.Int8),
        pl.when(passbook).then(pl.col("passbook_number")).otherwise(pl.col("account_number")).alias("account_number"),
        kana.alias("holder_kana"),
        "period_from",
        "period_to",
        "origin_inquiry_id",
    )


#: decision → count key (the summary's labels: :data:`inquiry.messages.COUNT_LABELS`)
_COUNTS = {
    "queue": "followups_queued",
    "skip_cleared": "skipped_cleared",
    "cleared_shown": "cleared_shown_before",
    "pending": "waiting_to_be_sent",
    "recent": "sent_within_repeat_days",
    "closed": "not_followed_closed",
    "small_inactive": "not_followed_small_inactive",
}


def followups(options: FollowupOptions | None = None) -> StepBody:
    """The step body for :func:`inquiry.runtime.step.run_step`."""
    options = options or FollowupOptions()

    def body(ctx: Context) -> StepResult:
        result = StepResult(title=text("followups_title"))
        s = ctx.settings
        period_to = options.period_to or ctx.today
        period_from = options.period_from or months_before(period_to, s.followup_period_months)
        if period_from > period_to:
            raise StepFailed(text("followups_period_reversed", period_from=period_from, period_to=period_to))
        answers = read_answers_aside(ctx.store)  # before anything is written; summarising writes followups only
        summarised = history.summarise(ctx.store)

        accounts = select_accounts(ctx, answers)
        decided = dict(accounts["decision"].value_counts().iter_rows())
        result.counts["hit_accounts"] = accounts.height
        for decision, key in _COUNTS.items():
            result.counts[key] = int(decided.get(decision, 0))

        new = accounts.filter(pl.col("decision").is_in(["queue", "skip_cleared"]))
        created = ctx.now.isoformat(timespec="seconds")
        new = assign_ids(ctx, new, prefix="H", sequence="followup", column="followup_id").with_columns(
            priority=pl.int_range(1, pl.len() + 1),
            period_from=pl.lit(period_from),
            period_to=pl.lit(period_to),
            status=pl.when(pl.col("decision") == "skip_cleared").then(pl.lit("SKIPPED_CLEARED")).otherwise(pl.lit("QUEUED")),
        ).with_columns(_reason())
        ctx.store.insert(
            "followups",
            new.select(
                "followup_id", "person_id", "account_key", "provider", "origin_inquiry_id", "reason", "priority",
                "period_from", "period_to", "status", pl.lit(created).alias("created_at"),
            ),  # fmt: skip
        )

        queued = new.filter(pl.col("status") == "QUEUED")
        for provider in PROVIDERS:
            rows = queued.filter(pl.col("provider") == provider).sort("priority")
            result.counts[f"queued_{provider}"] = rows.height
            for name, batch in write_request_files(ctx, result, provider, "history", rows, lambda b, p=provider: _request_frame(p, b)):
                ctx.store.conn.execute(  # one statement per file (its ids as one JSON array)
                    "UPDATE followups SET status = 'WRITTEN', request_file = ? "
                    "WHERE followup_id IN (SELECT value FROM json_each(?)) AND status = 'QUEUED'",
                    (name, json.dumps(batch["followup_id"].to_list())),
                )
        paper = queued.filter(pl.col("provider") == PAPER).height
        result.counts["queued_paper"] = paper
        result.counts["request_files"] = len(result.files)
        result.counts["answers_summarised"] = summarised
        result.persons_shown = new["person_id"].n_unique() if new.height else 0
        if result.files:
            result.notes.append(text("followups_written", outbox=ctx.ws.outbox, period_from=period_from, period_to=period_to))
        if paper:
            result.notes.append(text("followups_paper_note", count=paper))
        return result

    return body
