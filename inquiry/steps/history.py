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

import polars as pl

from inquiry.messages import text
from inquiry.runtime.store import Store
from matching import income

__all__ = ["summarise", "NO_TRANSACTIONS", "NO_REGULAR_INCOME"]

#: what ``regular_income`` says of a follow-up whose answers listed no transaction, or no regular deposit
NO_TRANSACTIONS = text("history_no_transactions")
NO_REGULAR_INCOME = text("history_no_regular_income")

_PENDING = """
    FROM followups f
    WHERE f.status = 'ANSWERED'
      AND (f.summarised_tx IS NULL
           OR f.summarised_tx != (SELECT count(*) FROM transactions t WHERE t.followup_id = f.followup_id))
"""


def summarise(store: Store) -> int:
    """Summarise every answered follow-up not yet summarised; return how many were.

    Call it inside the step's transaction (``ctx.store``).
    """
    pending = store.fast_frame(f"SELECT f.followup_id {_PENDING}", {"followup_id": pl.Utf8})
    if pending.height == 0:
        return 0
    tx = store.fast_frame(
        f"""
        SELECT t.followup_id, t.detail_no, t.tx_date, t.description, t.withdrawal_yen, t.deposit_yen, t.balance_yen
        FROM transactions t WHERE t.followup_id IN (SELECT f.followup_id {_PENDING})
        ORDER BY t.followup_id, t.tx_date, t.detail_no, t.response_sha, t.line
        """,
        {
            "followup_id": pl.Utf8, "detail_no": pl.Int64, "tx_date": pl.Utf8, "description": pl.Utf8,
            "withdrawal_yen": pl.Int64, "deposit_yen": pl.Int64, "balance_yen": pl.Int64,
        },  # fmt: skip
        text=("description",),  # the bank's words: anything may be in them
    ).with_columns(pl.col("tx_date").str.to_date())
    summary = income.summarise(tx, by="followup_id")
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
    # one statement from one JSON text, not an UPDATE per follow-up
    store.conn.execute(
        """
        UPDATE followups SET regular_income = s.value ->> 'regular_income', summary = s.value ->> 'summary',
                             transactions = s.value ->> 'transactions', summarised_tx = s.value ->> 'summarised_tx'
        FROM json_each(?) AS s WHERE followups.followup_id = s.value ->> 'followup_id'
        """,
        (rows.write_json(),),
    )
    return rows.height
