"""The report's seizure section, read from the case file (``seizures``) and the open candidates."""

from __future__ import annotations

import polars as pl

from inquiry.runtime.store import Store

__all__ = ["report_tables"]

_S, _I = pl.Utf8, pl.Int64


def report_tables(store: Store) -> list:
    """The report's seizure section: by status, by bank and by staff, and the numbered seizures."""
    from inquiry.report.model import Col, Table

    rows = store.frame(
        "SELECT doc_no, status, person_id, name, staff, execute_on, bank_name, branch_name, account_type_label, balance_yen, flag1, flag2, flag3 FROM seizures ORDER BY fiscal_year, doc_number",
        schema={"balance_yen": _I, **dict.fromkeys(("doc_no", "status", "person_id", "name", "staff", "execute_on", "bank_name", "branch_name", "account_type_label", "flag1", "flag2", "flag3"), _S)},
    )
    candidates = int(store.scalar("SELECT count(*) FROM seizure_candidates") or 0)
    by_status = pl.DataFrame(
        {"status": ["CANDIDATE", "PLANNED", "CANCELLED"], "label": ["候補 (未選択)", "差押予定", "引抜"]}
    ).join(rows.group_by("status").agg(pl.len().cast(pl.Int64).alias("n")), on="status", how="left").with_columns(
        pl.when(pl.col("status") == "CANDIDATE").then(pl.lit(candidates, pl.Int64)).otherwise(pl.col("n").fill_null(0)).alias("n")
    )

    def by(col: str, label: str) -> pl.DataFrame:
        return (
            rows.with_columns(pl.col(col).fill_null("(未記入)"))
            .group_by(col)
            .agg((pl.col("status") == "PLANNED").sum().cast(pl.Int64).alias("planned"), (pl.col("status") == "CANCELLED").sum().cast(pl.Int64).alias("cancelled"))
            .sort(col)
            .rename({col: label})
        )

    flags = pl.concat_str([pl.col("flag1"), pl.col("flag2"), pl.col("flag3")], separator="; ", ignore_nulls=True)
    listing = rows.with_columns(pl.col("execute_on").str.to_date(strict=False), flags.alias("flags"))
    counts = [Col("planned", "差押予定", "int"), Col("cancelled", "引抜", "int")]
    return [
        Table("seize_status", "差押予定の状況", [Col("status", "状態"), Col("label", "意味"), Col("n", "件数", "int")], by_status,
              "候補は inquiry seize plan の結果。差押予定は選択シートで選ばれ文書番号を付したもの。引抜は納付・取消で中止したもの。", row_id="status"),
        Table("seize_bank", "差押予定 (金融機関別)", [Col("bank", "金融機関"), *counts], by("bank_name", "bank"), row_id="bank"),
        Table("seize_staff", "差押予定 (職員別)", [Col("staff", "職員"), *counts], by("staff", "staff"), row_id="staff"),
        Table("seizures", "差押予定一覧", [
            Col("doc_no", "文書番号"), Col("status", "状態"), Col("person_id", "宛名番号", "person"), Col("name", "氏名", "pname"),
            Col("staff", "職員"), Col("execute_on", "執行日", "date"), Col("bank_name", "金融機関"), Col("branch_name", "支店"),
            Col("account_type_label", "種目"), Col("balance_yen", "計画時残高 (円)", "yen"), Col("flags", "処理済フラグ・確認事項"),
        ], listing),
    ]  # fmt: skip
