"""What the history answers told, written back onto their follow-ups.

``inquiry ingest`` stores each history answer's transactions (table
``transactions``) and marks the follow-up ``ANSWERED``. :func:`summarise`
then reads the transactions of every answered follow-up not yet summarised
— or summarised before another answer file for it arrived — hands them to
:func:`matching.income.summarise` (which knows nothing of the store) and
records on the follow-up:

- ``transactions``: how many transactions the answers listed;
- ``regular_income``: e.g. ``給与 月次 約250,000円; 年金 偶数月 約120,000円
  (差押禁止部分あり 国税徴収法第77条)``, or ``定期的な入金なし`` / ``期間内の取引なし``;
- ``summary``: balance trend, last activity and the largest payers.

It runs at the start of ``inquiry followups`` and may be called by any step
right after ingest; running it twice changes nothing.
"""

from __future__ import annotations

import json
from typing import NamedTuple

import polars as pl

from inquiry.messages import text
from inquiry.runtime.store import Store, quoted
from matching import income

__all__ = ["summarise", "summarise_file", "Tonight", "NO_TRANSACTIONS", "NO_REGULAR_INCOME"]

#: what ``regular_income`` says of a follow-up whose answers listed no transaction, or no regular deposit
NO_TRANSACTIONS = text("history_no_transactions")
NO_REGULAR_INCOME = text("history_no_regular_income")

_PENDING = """
    FROM followups f
    WHERE f.status = 'ANSWERED'
      AND (f.summarised_tx IS NULL
           OR f.summarised_tx != (SELECT count(*) FROM transactions t WHERE t.followup_id = f.followup_id))
"""


#: a follow-up's transactions as :func:`matching.income.summarise` takes them, in the order it takes them
_TX_SCHEMA = {
    "followup_id": pl.Utf8, "detail_no": pl.Int64, "tx_date": pl.Date, "description": pl.Utf8,
    "withdrawal_yen": pl.Int64, "deposit_yen": pl.Int64, "balance_yen": pl.Int64,
}  # fmt: skip


#: what :func:`summarise` records of a follow-up's summary
_SUMMARY = ("followup_id", "transactions", "regular_income", "summary")
#: follow-ups whose summaries one UPDATE records (M: 70 k follow-ups in one)
_UPDATE_ROWS = 100_000


class Tonight(NamedTuple):
    """What an ingest stored itself, already summarised file by file, handed to :func:`summarise` rather than read back.

    ``summaries``: one frame a file, :func:`summarise_file` of its
    transactions (one row a follow-up), handed over: :func:`summarise`
    empties the list. ``before``: the largest rowid of ``transactions``
    before the ingest, so that a follow-up with transactions of an earlier
    night is read whole from the store instead.
    """

    before: int
    summaries: list[pl.DataFrame]


def summarise_file(tx: pl.DataFrame) -> pl.DataFrame:
    """One history file's follow-ups summarised from its own transactions (the columns of ``_TX_SCHEMA`` and ``line``).

    ``ingest`` calls it as each file is stored and keeps only the result,
    so that a night holds one file's transactions at a time, not all of
    them (at 1,000,000 persons a night of histories is tens of millions of
    rows). A follow-up's summary depends on its own rows only, in the order
    :func:`summarise` reads them from the store (date, 明細番号, then file and
    line: within one file, line), so it is the same as from the store
    whenever all of the follow-up's rows are in this one file.
    """
    ordered = tx.sort("followup_id", "tx_date", "detail_no", "line", nulls_last=False).select(list(_TX_SCHEMA)).cast(_TX_SCHEMA)
    return income.summarise(ordered, by="followup_id").select(_SUMMARY)


def summarise(store: Store, tonight: Tonight | None = None) -> int:
    """Summarise every answered follow-up not yet summarised; return how many were.

    Call it inside the step's transaction (``ctx.store``). A follow-up whose
    transactions all came in one of ``tonight``'s files (the common case: a
    history file answers its follow-up once) takes that file's summary —
    at M, 1.58 M transactions not read back; every other one (answered in
    two files tonight, or on an earlier night too) is summarised from the
    store. The rows summarised and their order are the same either way (by
    follow-up, date, 明細番号, then file and line as stored; nulls first and
    texts by their bytes in SQLite and polars alike). A file is ordered by
    its SHA-256 (``response_files``), as it always was, not by its
    ``file_id``: ids follow the order files were taken, which two files of
    one follow-up need not share with their SHAs.
    """
    pending = store.fast_frame(f"SELECT f.followup_id {_PENDING}", {"followup_id": pl.Utf8})
    if pending.height == 0:
        return 0
    fresh = pending.clear()
    mine = pl.concat(tonight.summaries) if tonight is not None and tonight.summaries else None
    if tonight is not None:
        tonight.summaries.clear()  # handed over: held here only
    if mine is not None and mine.height:
        earlier = store.fast_frame(
            f"""SELECT f.followup_id {_PENDING}
                AND EXISTS (SELECT 1 FROM transactions t WHERE t.followup_id = f.followup_id AND t.rowid <= {int(tonight.before)})""",
            {"followup_id": pl.Utf8},
        )
        # a follow-up in two of tonight's files has two partial summaries: it is read from the store
        once = mine.filter(pl.col("followup_id").is_unique()).select("followup_id")
        fresh = pending.join(once, on="followup_id", how="semi").join(earlier, on="followup_id", how="anti")
    tx = store.fast_frame(
        f"""
        SELECT t.followup_id, t.detail_no, t.tx_date, t.description, t.withdrawal_yen, t.deposit_yen, t.balance_yen
        FROM transactions t LEFT JOIN response_files r ON r.file_id = t.file_id
        WHERE t.followup_id IN (
            SELECT f.followup_id {_PENDING} AND f.followup_id NOT IN (SELECT value FROM json_each({quoted(json.dumps(fresh["followup_id"].to_list()))})))
        ORDER BY t.followup_id, t.tx_date, t.detail_no, r.sha256, t.line
        """,
        {**_TX_SCHEMA, "tx_date": pl.Utf8},
        text=("description",),  # the bank's words: anything may be in them
    ).with_columns(pl.col("tx_date").str.to_date())
    summary = income.summarise(tx, by="followup_id").select(_SUMMARY)
    if mine is not None and fresh.height:
        summary = pl.concat([summary, mine.join(fresh, on="followup_id", how="semi")])
    rows = (
        pending.join(summary, on="followup_id", how="left")
        .with_columns(
            pl.col("transactions").fill_null(0),
            pl.when(pl.col("transactions").is_null())
            .then(pl.lit(NO_TRANSACTIONS))
            .otherwise(pl.col("regular_income").fill_null(NO_REGULAR_INCOME))
            .alias("regular_income"),
        )
        .select("regular_income", "summary", "transactions", pl.col("transactions").alias("summarised_tx"), "followup_id")
    )
    del tx, summary, mine  # from here only ``rows``
    # one statement a slice of follow-ups, each from one JSON text, not an UPDATE per follow-up; a slice, not all:
    # the summaries are Japanese text, and one JSON of a night at 1,000,000 persons (1.3 M follow-ups) is ~1 GB,
    # held as polars' text, Python's and SQLite's copies at once
    for part in rows.iter_slices(_UPDATE_ROWS):
        store.conn.execute(
            """
            UPDATE followups SET regular_income = s.value ->> 'regular_income', summary = s.value ->> 'summary',
                                 transactions = s.value ->> 'transactions', summarised_tx = s.value ->> 'summarised_tx'
            FROM json_each(?) AS s WHERE followups.followup_id = s.value ->> 'followup_id'
            """,
            (part.write_json(),),
        )
    return rows.height
