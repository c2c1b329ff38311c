"""Planning the selected rows: a 文書番号 from the fiscal year's counter and the notice data, stored as the case file.

Run by ``seize import`` for the rows the sheet's checks let through. The
arrears are read once more (a payment may have arrived since the plan), so a
person paid up meanwhile is refused, not planned.
"""

from __future__ import annotations

import json

import polars as pl

from inquiry.messages import column_text
from inquiry.runtime.step import Context
from inquiry.steps.followups import select_accounts
from inquiry.steps.seize.checks import arrears_left
from inquiry.steps.seize.notice import SeizureConfig, fiscal_year, format_doc_no, notice_columns, reserve_numbers

__all__ = ["plan_rows"]

_S, _I = pl.Utf8, pl.Int64

_NOTICE_SQL = """
    SELECT a.rowid AS _row, a.bank_name AS answer_bank_name, a.branch_name, a.holder_address, r.file_name AS source_file
    FROM answers a LEFT JOIN response_files r ON r.file_id = a.file_id
    WHERE a.rowid IN (SELECT value FROM json_each(?))
"""


def plan_rows(ctx: Context, cfg: SeizureConfig, rows: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Plan ``rows`` (``line, account_key, staff, execute_on, override``): number them, store the notice data.

    Returns the planned rows (with ``doc_no``) and the rejects (``line, reason``)
    of rows the checks refuse now (arrears paid in the meantime).
    """
    empty_rejects = pl.DataFrame(schema={"line": _I, "reason": _S})
    if rows.height == 0:
        return pl.DataFrame(schema={"doc_no": _S}), empty_rejects
    accounts = select_accounts(ctx).with_columns(pl.col("effective_class").alias("class")).select(
        "account_key", "person_id", "class", "_row", "bank_code", "branch_code", "account_type", "account_number", "passbook_symbol",
        "passbook_number", "balance_yen", "answered_on",
    )  # fmt: skip
    picked = rows.select("line", "account_key", "staff", "execute_on", "override", "priority").join(accounts, on="account_key", how="inner")
    left = arrears_left(ctx.store, picked["person_id"].unique().to_list())
    picked = picked.join(left, on="person_id", how="left")
    paid = picked.filter(pl.col("left_yen").fill_null(1) <= 0)
    late = paid.select("line", column_text("seize_row_paid", account=pl.col("account_key")).alias("reason"))
    picked = picked.filter(pl.col("left_yen").fill_null(1) > 0).sort("priority", "line")
    if picked.height == 0:
        return pl.DataFrame(schema={"doc_no": _S}), late
    notice = ctx.store.frame(
        _NOTICE_SQL, (json.dumps(picked["_row"].to_list()),),
        schema={"_row": _I, "answer_bank_name": _S, "branch_name": _S, "holder_address": _S, "source_file": _S},
    )  # fmt: skip
    persons = ctx.store.frame(
        "SELECT person_id, name_kanji, address FROM persons WHERE person_id IN (SELECT value FROM json_each(?))",
        (json.dumps(picked["person_id"].unique().to_list()),),
        schema={"person_id": _S, "name_kanji": _S, "address": _S},
    )
    inst = ctx.store.frame("SELECT bank_code, name AS inst_name FROM institutions", schema={"bank_code": _S, "inst_name": _S})
    confirmed = ctx.store.frame("SELECT account_key, confirmed_by, confirmed_at FROM seizure_confirmations", schema={"account_key": _S, "confirmed_by": _S, "confirmed_at": _S})
    full = (
        picked.join(notice, on="_row", how="left")
        .join(persons, on="person_id", how="left")
        .join(inst, on="bank_code", how="left")
        .join(confirmed, on="account_key", how="left")
        .with_columns(pl.col("inst_name").fill_null(pl.col("answer_bank_name")).alias("bank_name"))
    )
    full = notice_columns(full, cfg)
    year = fiscal_year(ctx.today)
    first = reserve_numbers(ctx.store, year, full.height)
    numbers = list(range(first, first + full.height))
    at = ctx.now.isoformat(timespec="seconds")
    full = full.with_columns(
        pl.Series("doc_number", numbers, dtype=_I),
        pl.Series("doc_no", [format_doc_no(cfg.document_number, year, n) for n in numbers], dtype=_S),
    )
    ctx.store.insert(
        "seizures",
        full.select(
            "doc_no", pl.lit(year).alias("fiscal_year"), "doc_number", pl.lit("PLANNED").alias("status"), "account_key", "person_id",
            "class", "balance_yen", "answered_on", pl.lit(at).alias("registered_at"), pl.lit(ctx.operator).alias("selected_by"), "staff",
            pl.col("execute_on").dt.strftime("%Y-%m-%d").alias("execute_on"),
            pl.when(pl.col("class") == "PROBABLE").then(pl.col("confirmed_by")).alias("confirmed_by"),
            pl.when(pl.col("class") == "PROBABLE").then(pl.col("confirmed_at")).alias("confirmed_at"),
            pl.when(pl.col("override")).then(pl.lit(ctx.operator)).alias("override_by"),
            pl.when(pl.col("override")).then(pl.lit(at)).alias("override_at"),
            pl.col("name_kanji").alias("name"), pl.col("address").alias("resident_address"), pl.col("holder_address").alias("bank_address"),
            "bank_code", "bank_name", pl.when(pl.col("bank_code") == "9900").then(pl.col("centre")).otherwise(pl.col("branch_label")).alias("branch_name"),
            "branch_code", "account_type_label", "account_number", "wording1", "wording2", "wording3", "source_file",
        ),
    )
    ctx.store.conn.executemany("DELETE FROM seizure_candidates WHERE account_key = ?", [(k,) for k in full["account_key"]])
    return full.select("line", "doc_no", "account_key"), late

