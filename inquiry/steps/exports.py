"""The three exports of outputs.md as frames, and ``inquiry export``.

The frames are the single definition of the files ``matches.csv``,
``outcomes.csv`` and ``followups.csv``; what their rows mean — a link as it
stands, an account's first answer, an inquiry's outcome — is defined once,
as the store's views (migration 7: ``effective_matches``, ``first_answers``,
``inquiry_outcomes``), which the other commands read too.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from inquiry.messages import text
from inquiry.runtime.csvout import write_csv
from inquiry.runtime.step import Context, StepBody, StepFailed, StepResult
from inquiry.runtime.store import FastQuery, Store
from inquiry.vocabulary import BANK_TEXT, TIME_DEPOSIT
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

def shape_matches(linked: pl.DataFrame, first_answers: pl.DataFrame) -> pl.DataFrame:
    """``matches.csv`` from link results and the first answer row of each account.

    The one place that decides the file's columns, shared by ``export
    matches`` (from the store) and the stateless ``link``.
    """
    if linked.height == 0:
        return pl.DataFrame(schema={c: pl.Utf8 for c in MATCHES_COLUMNS})
    return linked.join(first_answers, on="account_key", how="left").with_columns(account_columns()).select(MATCHES_COLUMNS).sort("account_key")


def account_columns() -> list[pl.Expr]:
    """How an account's answer is shown (matches.csv, the report): the holder's kana as its
    name key, 定期's 最終取引日 as the maturity date rather than activity, the score to 4 places."""
    time_deposit = pl.col("account_type") == TIME_DEPOSIT
    return [
        name_key(pl.col("holder_kana")).alias("holder_kana"),
        pl.when(time_deposit).then(pl.col("last_activity")).alias("maturity_date"),
        pl.when(~time_deposit).then(pl.col("last_activity")).alias("last_activity"),
        pl.col("score").round(4),
    ]


#: what ``matches.csv`` shows of the links: each as it stands, a reviewer's decision over the matcher's
_LINKED_READ = FastQuery(
    """
    SELECT account_key, inquiry_id, inquired_person_id, person_id, class, score, name_evidence, dob_evidence, address_evidence, candidates
    FROM effective_matches
    """,
    {**dict.fromkeys(("account_key", "inquiry_id", "inquired_person_id", "person_id", "class"), pl.Utf8), "score": pl.Float64,
     **dict.fromkeys(("name_evidence", "dob_evidence", "address_evidence", "candidates"), pl.Utf8)},
    ("candidates",),  # may be empty rather than null
)  # fmt: skip
#: the first found answer of every account (the view ``first_answers``), with the service it came by
_FIRST_ANSWERS_READ = FastQuery(
    """
    SELECT a.account_key, i.provider, a.bank_code, a.branch_code, a.account_type, a.account_number,
           a.holder_kana, a.holder_birth_date, a.holder_address, a.balance_yen, a.account_status, a.last_activity
    FROM first_answers a JOIN inquiries i ON i.inquiry_id = a.inquiry_id
    """,
    {**dict.fromkeys(("account_key", "provider", "bank_code", "branch_code"), pl.Utf8), "account_type": pl.Int64,
     **dict.fromkeys(("account_number", "holder_kana", "holder_birth_date", "holder_address"), pl.Utf8),
     "balance_yen": pl.Int64, "account_status": pl.Utf8, "last_activity": pl.Utf8},
    BANK_TEXT,
)  # fmt: skip


def matches_frame(store: Store) -> pl.DataFrame:
    """One row per linked account; a reviewer's decision overrides the class.

    The links and the first answers are read side by side (:meth:`Store.fast_frames`:
    committed rows; an export writes nothing before).
    """
    reads = store.fast_frames({"linked": _LINKED_READ, "first": _FIRST_ANSWERS_READ})
    return shape_matches(reads["linked"].result(), reads["first"].result())


#: ``outcomes.csv`` as the view ``inquiry_outcomes`` defines it (read in parts, in inquiry id order)
_OUTCOMES_READ = FastQuery(
    f"SELECT {', '.join(OUTCOMES_COLUMNS)} FROM inquiry_outcomes",
    {**{c: pl.Utf8 for c in OUTCOMES_COLUMNS[:7]}, **dict.fromkeys(("accounts", "hits", "hit_balance_yen"), pl.Int64)},
)


def outcomes_frame(store: Store) -> pl.DataFrame:
    """One row per basic inquiry: HIT / ACCOUNTS / NO_ACCOUNT / UNABLE / PENDING.

    The view ``inquiry_outcomes`` is the one definition (the report reads
    it too): a hit counts for an inquiry only when the account is linked to
    the person that inquiry asked about (one account, one owner). The view
    costs a range of inquiries its share, so two halves are read side by
    side (:meth:`Store.fast_frame_in_parts`: committed rows; an export writes
    nothing before).
    """
    return store.fast_frame_in_parts(_OUTCOMES_READ, "inquiry_id", "inquiries")


def followups_frame(store: Store) -> pl.DataFrame:
    return store.fast_frame(  # ids are handed out in priority order within each run
        f"SELECT {', '.join(FOLLOWUPS_COLUMNS)} FROM followups ORDER BY followup_id",
        {c: pl.Int64 if c in ("priority", "transactions") else pl.Utf8 for c in FOLLOWUPS_COLUMNS},
        text=("reason", "regular_income"),
    )


_FRAMES = {"matches": matches_frame, "outcomes": outcomes_frame, "followups": followups_frame}


def export(what: str, out: Path | None) -> StepBody:
    if what not in _FRAMES:
        raise StepFailed(text("export_unknown", what=what))

    def body(ctx: Context) -> StepResult:
        frame = _FRAMES[what](ctx.store)
        path = out or ctx.ws.reports / f"{what}.csv"
        write_csv(frame, path)
        persons = frame["person_id"].drop_nulls().n_unique() if "person_id" in frame.columns else 0
        result = StepResult(title=text("export_title", what=what), counts={"rows": frame.height}, persons_shown=persons)
        result.notes.append(text("export_written", path=path))
        return result

    return body
