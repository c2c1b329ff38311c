"""What the report reads of the store, and only that: the columns it shows, through the shared views.

An account's first answer, the decision that stands and an inquiry's
outcome are the store's views (migration 7: ``first_answers``,
``effective_matches``, ``inquiry_outcomes``), the same definitions the
exports read, so the report cannot count a hit the exports do not.
The big reads (a year is 305 k accounts and 928 k inquiries) go through
:meth:`inquiry.runtime.store.Store.fast_frames`, side by side in child
processes: the accounts' inputs first, because their tables are made (and
handed to the workbook writer) while the inquiries are still being read.
"""

from __future__ import annotations

import polars as pl

from formats.refdata import BANK_TYPE_LABELS, banks
from inquiry.runtime.store import FastQuery, Store
from inquiry.steps.exports import account_columns

__all__ = ["READS", "accounts", "institutions", "paid_since_as_of"]

_TEXT = pl.Utf8

#: an account's bank data as its first answer gave it (the columns the report shows)
_FIRST_ANSWERS = FastQuery(
    "SELECT account_key, bank_code, branch_name, account_type, account_number, holder_kana, holder_birth_date, holder_address, "
    "balance_yen, account_status, last_activity FROM first_answers WHERE account_key IS NOT NULL",
    {"account_key": _TEXT, "bank_code": _TEXT, "branch_name": _TEXT, "account_type": pl.Int64, "account_number": _TEXT, "holder_kana": _TEXT,
     "holder_birth_date": _TEXT, "holder_address": _TEXT, "balance_yen": pl.Int64, "account_status": _TEXT, "last_activity": _TEXT},
    ("branch_name", "holder_kana", "holder_birth_date", "holder_address"),
)  # fmt: skip

#: each account's link as it stands; the matcher's reason only where a person reads it (review, homonym,
#: unmatched, or decided), the match time only while the account waits for review
_LINKED = FastQuery(
    """
    SELECT account_key, person_id, class, score, name_evidence, dob_evidence, address_evidence, candidates,
           CASE WHEN linked_class IN ('REVIEW', 'HOMONYM', 'UNMATCHED') OR decision IS NOT NULL THEN reason END AS reason,
           CASE WHEN linked_class = 'REVIEW' THEN matched_at END AS matched_at, decision, decided_person_id, decided_by, decided_at
    FROM effective_matches
    """,
    {"account_key": _TEXT, "person_id": _TEXT, "class": _TEXT, "score": pl.Float64, "name_evidence": _TEXT, "dob_evidence": _TEXT,
     "address_evidence": _TEXT, "candidates": _TEXT, "reason": _TEXT, "matched_at": _TEXT, "decision": _TEXT,
     "decided_person_id": _TEXT, "decided_by": _TEXT, "decided_at": _TEXT},
    ("reason", "decided_by"),
)  # fmt: skip

#: every basic inquiry with its outcome as outcomes.csv says it (``outcome``) and the service's own answer (``answer``).
#: Not the view's ``hits``: no table shows an inquiry's count of hit accounts (the hits are the accounts'
#: table), and the view computes a column only when it is read (a year: 0.5 s of SQL less, on the longest read)
_INQUIRIES = FastQuery(
    "SELECT person_id, provider, bank_code, sent_on, answered_on, raw_answer AS answer, answer AS outcome FROM inquiry_outcomes",
    {"person_id": _TEXT, "provider": _TEXT, "bank_code": _TEXT, "sent_on": pl.Date, "answered_on": pl.Date, "answer": _TEXT,
     "outcome": _TEXT},
)  # fmt: skip

#: everything the report reads of the store's big tables, read side by side (:meth:`Store.fast_frames`,
#: two at a time, in this order): the inquiries' outcomes are the longest read (the view counts every
#: inquiry's accounts and hits), so they start first and go on while the other reader brings the
#: accounts' inputs, whose tables are made (and written to the workbook) meanwhile
READS: dict[str, FastQuery] = {
    "inquiries": _INQUIRIES,
    "first_answers": _FIRST_ANSWERS,
    "linked": _LINKED,
    "persons": FastQuery(
        "SELECT person_id, name_kanji, name_kana, birth_date, address, address_history, arrears_yen, as_of, cleared_on FROM persons",
        {"person_id": _TEXT, "name_kanji": _TEXT, "name_kana": _TEXT, "birth_date": _TEXT, "address": _TEXT,
         "address_history": _TEXT, "arrears_yen": pl.Int64, "as_of": _TEXT, "cleared_on": _TEXT},
        ("name_kanji", "name_kana", "address", "address_history"),
    ),
    # what link() weighed for each candidate of the accounts waiting for review (inquiry/steps/match.py)
    "review_evidence": FastQuery(
        "SELECT e.account_key, e.rank, e.person_id, e.class, e.score, e.name_evidence, e.dob_evidence, e.address_evidence "
        "FROM match_evidence e JOIN effective_matches m ON m.account_key = e.account_key WHERE m.linked_class = 'REVIEW' AND m.decision IS NULL",
        {"account_key": _TEXT, "rank": pl.Int64, "person_id": _TEXT, "class": _TEXT, "score": pl.Float64,
         "name_evidence": _TEXT, "dob_evidence": _TEXT, "address_evidence": _TEXT},
    ),
    "followups": FastQuery(
        "SELECT followup_id, person_id, account_key, provider, status, sent_on, answered_on, transactions, regular_income FROM followups",
        {"followup_id": _TEXT, "person_id": _TEXT, "account_key": _TEXT, "provider": _TEXT, "status": _TEXT,
         "sent_on": _TEXT, "answered_on": _TEXT, "transactions": pl.Int64, "regular_income": _TEXT},
        ("regular_income",),
    ),
}  # fmt: skip


def accounts(first_answers: pl.DataFrame, linked: pl.DataFrame) -> pl.DataFrame:
    """One row per linked account: its link as it stands and its first answer, shown as ``matches.csv``
    shows them (:func:`inquiry.steps.exports.account_columns`); a test checks the values against the export."""
    return linked.join(first_answers, on="account_key", how="left").with_columns(account_columns())


def institutions(store: Store) -> pl.DataFrame:
    """Every institution the store or the reference list knows: name, service, type and its label."""
    inst = store.frame("SELECT bank_code, name, provider, bank_type FROM institutions", schema=dict.fromkeys(("bank_code", "name", "provider", "bank_type"), pl.Utf8))
    ref = banks().select("bank_code", pl.col("name").alias("ref_name"), pl.col("type").alias("ref_type"))
    return (
        inst.join(ref, on="bank_code", how="full", coalesce=True)
        .with_columns(
            name=pl.coalesce("name", "ref_name", "bank_code"),
            type=pl.coalesce("ref_type", "bank_type", pl.lit("other")),
        )
        .with_columns(type_label=pl.col("type").replace_strict(BANK_TYPE_LABELS, default=pl.col("type")))
        .select("bank_code", "name", "provider", "type", "type_label")
    )


def paid_since_as_of(store: Store) -> pl.DataFrame:
    """``person_id, paid_yen``: what each person paid after their arrears were counted (the cleared table)."""
    return store.frame(
        "SELECT p.person_id, SUM(x.amount_yen) AS paid_yen FROM persons p JOIN payments x ON x.person_id = p.person_id AND x.paid_on > p.as_of GROUP BY p.person_id",
        schema={"person_id": pl.Utf8, "paid_yen": pl.Int64},
    )
