"""The three exports of outputs.md as frames, and ``inquiry export``.

The frames are the single definition of ``matches.csv``, ``outcomes.csv`` and
``followups.csv``; the report and the review sheet read the same frames.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from inquiry.csvout import write_csv
from inquiry.step import Context, StepResult, StepFailed
from inquiry.store import Store
from matching.names import name_key

__all__ = ["shape_matches", "matches_frame", "outcomes_frame", "followups_frame", "export", "MATCHES_COLUMNS", "OUTCOMES_COLUMNS", "FOLLOWUPS_COLUMNS"]

MATCHES_COLUMNS = [
    "account_key", "provider", "bank_code", "branch_code", "account_type", "account_number", "inquiry_id",
    "inquired_person_id", "person_id", "class", "score", "name_evidence", "dob_evidence", "address_evidence",
    "candidates", "holder_kana", "holder_birth_date", "holder_address", "balance_yen", "account_status",
    "last_activity", "maturity_date",
]  # fmt: skip
OUTCOMES_COLUMNS = [
    "inquiry_id", "person_id", "provider", "bank_code", "sent_on", "answered_on", "answer", "accounts", "hits", "hit_balance_yen",
]  # fmt: skip
FOLLOWUPS_COLUMNS = [
    "followup_id", "person_id", "account_key", "provider", "reason", "priority", "period_from", "period_to",
    "status", "sent_on", "answered_on", "transactions", "regular_income",
]  # fmt: skip

#: a reviewer's decision overrides the class for what follows (follow-ups, hits)
HIT_CLASSES = ("CONFIRMED", "PROBABLE")


def shape_matches(linked: pl.DataFrame, first_answers: pl.DataFrame) -> pl.DataFrame:
    """``matches.csv`` from link results and the first answer row of each account.

    The one place that decides the file's columns, shared by ``export
    matches`` (from the store) and the stateless ``link``.
    """
    if linked.height == 0:
        return pl.DataFrame(schema={c: pl.Utf8 for c in MATCHES_COLUMNS})
    is_time_deposit = pl.col("account_type") == 6
    return (
        linked.join(first_answers, on="account_key", how="left")
        .with_columns(
            holder_kana=name_key(pl.col("holder_kana")),
            maturity_date=pl.when(is_time_deposit).then(pl.col("last_activity")),
            last_activity=pl.when(~is_time_deposit).then(pl.col("last_activity")),
            score=pl.col("score").round(4),
        )
        .select(MATCHES_COLUMNS)
        .sort("account_key")
    )


def matches_frame(store: Store) -> pl.DataFrame:
    """One row per linked account; a reviewer's decision overrides the class."""
    linked = store.frame(
        """
        SELECT account_key, inquiry_id, inquired_person_id,
               CASE WHEN decision = 'accept' THEN decided_person_id
                    WHEN decision = 'reject' THEN NULL ELSE person_id END AS person_id,
               CASE WHEN decision = 'accept' THEN 'CONFIRMED'
                    WHEN decision = 'reject' THEN 'UNMATCHED' ELSE class END AS class,
               score, name_evidence, dob_evidence, address_evidence, candidates
        FROM matches
        """,
        schema={"score": pl.Float64},
    )
    first = store.frame(
        """
        SELECT a.account_key, i.provider, a.bank_code, a.branch_code, a.account_type, a.account_number,
               a.holder_kana, a.holder_birth_date, a.holder_address, a.balance_yen, a.account_status, a.last_activity
        FROM answers a JOIN inquiries i ON i.inquiry_id = a.inquiry_id
        WHERE a.rowid IN (SELECT min(rowid) FROM answers WHERE answer = 'found' GROUP BY account_key)
        """,
        schema={"account_type": pl.Int64, "balance_yen": pl.Int64},
    )
    return shape_matches(linked, first)


def outcomes_frame(store: Store) -> pl.DataFrame:
    """One row per basic inquiry: HIT / ACCOUNTS / NO_ACCOUNT / UNABLE / PENDING."""
    raw = store.frame(
        """
        WITH acc AS (
            SELECT DISTINCT a.inquiry_id, a.account_key, a.balance_yen FROM answers a WHERE a.answer = 'found'
        ), linked AS (
            SELECT acc.inquiry_id, acc.account_key, acc.balance_yen,
                   CASE WHEN m.decision = 'accept' THEN m.decided_person_id
                        WHEN m.decision = 'reject' THEN NULL
                        WHEN m.class IN ('CONFIRMED', 'PROBABLE') THEN m.person_id END AS hit_person
            FROM acc LEFT JOIN matches m ON m.account_key = acc.account_key
        )
        SELECT i.inquiry_id, i.person_id, i.provider, i.bank_code, i.sent_on, i.answered_on, i.answer AS raw_answer,
               count(l.account_key) AS accounts,
               sum(CASE WHEN l.hit_person = i.person_id THEN 1 ELSE 0 END) AS hits,
               sum(CASE WHEN l.hit_person = i.person_id THEN l.balance_yen ELSE 0 END) AS hit_balance_yen
        FROM inquiries i LEFT JOIN linked l ON l.inquiry_id = i.inquiry_id
        GROUP BY i.inquiry_id ORDER BY i.inquiry_id
        """,
        schema={"accounts": pl.Int64, "hits": pl.Int64, "hit_balance_yen": pl.Int64},
    )
    if raw.height == 0:
        return pl.DataFrame(schema={c: pl.Utf8 for c in OUTCOMES_COLUMNS})
    answer = (
        pl.when(pl.col("raw_answer").is_null())
        .then(pl.lit("PENDING"))
        .when(pl.col("hits") > 0)
        .then(pl.lit("HIT"))
        .when(pl.col("accounts") > 0)
        .then(pl.lit("ACCOUNTS"))
        .when(pl.col("raw_answer") == "unable")
        .then(pl.lit("UNABLE"))
        .otherwise(pl.lit("NO_ACCOUNT"))
    )
    return raw.with_columns(answer=answer, hits=pl.col("hits").fill_null(0), hit_balance_yen=pl.col("hit_balance_yen").fill_null(0)).select(OUTCOMES_COLUMNS)


def followups_frame(store: Store) -> pl.DataFrame:
    return store.frame(f"SELECT {', '.join(FOLLOWUPS_COLUMNS)} FROM followups ORDER BY followup_id")  # ids are handed out in priority order within each run


_FRAMES = {"matches": matches_frame, "outcomes": outcomes_frame, "followups": followups_frame}


def export(what: str, out: Path | None):  # noqa: ANN201 - returns the step body
    if what not in _FRAMES:
        raise StepFailed(f"export は matches / outcomes / followups のいずれかです: {what!r}")

    def body(ctx: Context) -> StepResult:
        frame = _FRAMES[what](ctx.store)
        path = out or ctx.ws.reports / f"{what}.csv"
        write_csv(frame, path)
        persons = frame["person_id"].drop_nulls().n_unique() if "person_id" in frame.columns else 0
        result = StepResult(title=f"出力 (export {what})", counts={"rows": frame.height}, persons_shown=persons)
        result.notes.append(f"→ {path}")
        return result

    return body
