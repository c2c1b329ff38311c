"""``inquiry export seizures``: the last checks on the live plan again, then the 預金差押予定一覧.

A payment that clears the arrears, or a re-link that no longer names the
person as a hit, pulls the seizure (引抜, 処理済フラグ1); a smaller payment is
noted in 処理済フラグ2; protected income and stale answers in 処理済フラグ3.
The list has exactly the columns of :data:`LIST_COLUMNS`.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from formats.dates import date_to_wareki_text
from inquiry.messages import text
from inquiry.runtime.csvout import write_csv
from inquiry.runtime.step import Context, StepBody, StepResult
from inquiry.runtime.store import Store
from inquiry.steps.seize.checks import arrears_left, payments_after, protected_income, stale_note
from inquiry.steps.seize.notice import SeizureConfig, load_config
from inquiry.vocabulary import HIT_CLASSES
from matching.income import format_yen

__all__ = ["LIST_COLUMNS", "LIST_NAME", "export_seizures", "seizure_list"]

#: the 預金差押予定一覧 header, byte for byte as 府中市's tool writes it (the office's mail merge reads it)
LIST_COLUMNS = [
    "登録日時", "宛名番号", "氏名", "職員名", "執行日", "住民票住所", "銀行届出住所", "金融機関名", "支店名", "支店番号",
    "口座種別", "口座番号", "差押文言1", "差押文言2", "差押文言3", "文書番号", "照会結果ファイル名",
    "処理済フラグ1", "処理済フラグ2", "処理済フラグ3",
]  # fmt: skip
LIST_NAME = "預金差押予定一覧.csv"

_S, _I = pl.Utf8, pl.Int64


#: each live seizure with its account's link as it stands now (the reviewer's decision over the matcher's)
_LIVE_SQL = """
    SELECT s.doc_no, s.account_key, s.person_id, s.class, s.answered_on, s.confirmed_by, s.confirmed_at, s.override_by, s.override_at,
           m.account_key IS NOT NULL AS linked, m.class AS link_class, m.person_id AS link_person
    FROM seizures s
    LEFT JOIN effective_matches m ON m.account_key = s.account_key
    WHERE s.status = 'PLANNED'
"""
_LIVE_COLUMNS = ("doc_no", "account_key", "person_id", "class", "answered_on", "confirmed_by", "confirmed_at", "override_by", "override_at",
                 "link_class", "link_person")


def _recheck(ctx: Context, cfg: SeizureConfig) -> dict[str, int]:
    """Re-run the last checks on every live seizure; pull (引抜) those whose arrears are paid, and those
    whose link no longer names the person as a hit (a re-link found a rival, a reviewer rejected it):
    a seizure never outlives the evidence it rested on. A link already purged is kept (the case file)."""
    live = ctx.store.frame(_LIVE_SQL, schema={**dict.fromkeys(_LIVE_COLUMNS, _S), "linked": pl.Int64})
    if live.height == 0:
        return {"live_checked": 0, "pulled_paid": 0, "pulled_relinked": 0, "reduced_paid": 0, "flagged_protected": 0}
    left = arrears_left(ctx.store, live["person_id"].unique().to_list())
    after = payments_after(ctx.store, live.select(pl.col("doc_no").alias("key"), "person_id", "answered_on")).rename({"key": "doc_no"})
    prot = protected_income(ctx.store, live["account_key"].to_list(), cfg)
    frame = (
        live.join(left, on="person_id", how="left")
        .join(after, on="doc_no", how="left")
        .join(prot, on="account_key", how="left")
        .with_columns(pl.col("protected").fill_null(False))
    )
    today = ctx.today.isoformat()
    relinked = (pl.col("linked") == 1) & (~pl.col("link_class").is_in(HIT_CLASSES) | (pl.col("link_person") != pl.col("person_id")).fill_null(True))
    paid = pl.col("left_yen").is_not_null() & (pl.col("left_yen") <= 0)
    frame = frame.with_columns(relinked.alias("relinked"))
    pull = frame.filter(paid | pl.col("relinked"))
    flag1 = (
        pl.when(pl.col("relinked"))
        .then(pl.format("引抜 {} (自動): 名寄せ変更 — 現在の判定 {} {}", pl.lit(today), pl.col("link_class"), pl.col("link_person").fill_null("-")))
        .otherwise(pl.format("引抜 {} (自動): 完納 — 納付 {}円 ≥ 滞納額 {}円", pl.lit(today), format_yen(pl.col("paid_yen")), format_yen(pl.col("arrears_yen"))))
    )
    reason = pl.when(pl.col("relinked")).then(pl.lit(text("seize_pulled_relinked"))).otherwise(pl.lit(text("seize_pulled_paid")))
    flag2 = pl.when(pl.col("paid_after_yen") > 0).then(
        pl.format("減額: 回答後の納付 {}円 (最終 {})、残滞納額 {}円", format_yen(pl.col("paid_after_yen")), pl.col("last_paid_on"), format_yen(pl.col("left_yen")))
    )
    flag3 = pl.concat_str(
        [
            pl.when(pl.col("class") == "PROBABLE").then(pl.format("本人確認済 {} {}", pl.col("confirmed_by"), pl.col("confirmed_at"))),
            pl.when(pl.col("protected") & pl.col("override_by").is_not_null()).then(pl.format("{} (確認済 {} {})", pl.col("protected_note"), pl.col("override_by"), pl.col("override_at"))),
            pl.when(pl.col("protected") & pl.col("override_by").is_null()).then(pl.format("{} — 要確認", pl.col("protected_note"))),
            stale_note(pl.col("answered_on"), ctx.today, cfg),
            pl.when(pl.col("left_yen").is_null()).then(pl.lit("照会データ消去済のため納付・残高を再確認できません")),
        ],
        separator="; ",
        ignore_nulls=True,
    )
    frame = frame.with_columns(flag1.alias("flag1"), reason.alias("reason"), flag2.alias("flag2"), pl.when(flag3 != "").then(flag3).alias("flag3"))
    ctx.store.conn.executemany(
        "UPDATE seizures SET flag2 = ?, flag3 = ? WHERE doc_no = ?", frame.select("flag2", "flag3", "doc_no").iter_rows()
    )
    at = ctx.now.isoformat(timespec="seconds")
    ctx.store.conn.executemany(
        "UPDATE seizures SET status = 'CANCELLED', flag1 = ?, cancelled_by = ?, cancelled_at = ?, cancel_reason = ? WHERE doc_no = ? AND status = 'PLANNED'",
        [(f1, ctx.operator, at, why, d) for f1, why, d in frame.filter(pl.col("doc_no").is_in(pull["doc_no"].implode())).select("flag1", "reason", "doc_no").iter_rows()],
    )
    return {
        "live_checked": live.height,
        "pulled_paid": int((~pull["relinked"]).sum()),
        "pulled_relinked": int(pull["relinked"].sum()),
        "reduced_paid": int((frame["flag2"].is_not_null() & ~frame["doc_no"].is_in(pull["doc_no"].implode())).sum()),
        "flagged_protected": int(frame["protected"].sum()),
    }


def seizure_list(store: Store) -> pl.DataFrame:
    """The 預金差押予定一覧: every numbered seizure (planned and pulled), in 文書番号 order."""
    columns = ("registered_at", "person_id", "name", "staff", "execute_on", "resident_address", "bank_address", "bank_name", "branch_name",
               "branch_code", "account_type_label", "account_number", "wording1", "wording2", "wording3", "doc_no", "source_file", "flag1", "flag2", "flag3")  # fmt: skip
    rows = store.frame(f"SELECT {', '.join(columns)} FROM seizures ORDER BY fiscal_year, doc_number", schema=dict.fromkeys(columns, _S))
    return rows.select(
        pl.col("registered_at").str.to_datetime(strict=False).dt.strftime("%Y/%m/%d %H:%M:%S"),
        *[pl.col(c) for c in ("person_id", "name", "staff")],
        date_to_wareki_text(pl.col("execute_on").str.to_date(strict=False)).alias("execute_on"),
        *[pl.col(c) for c in columns[5:]],
    ).rename(dict(zip(columns, LIST_COLUMNS, strict=True)))


def export_seizures(out: Path | None) -> StepBody:
    """``inquiry export seizures``: the last checks again, then the 預金差押予定一覧 (UTF-8 BOM, Excel-safe)."""

    def body(ctx: Context) -> StepResult:
        cfg = load_config(ctx.ws.home)
        checks = _recheck(ctx, cfg)
        frame = seizure_list(ctx.store)
        path = out or ctx.ws.reports / LIST_NAME
        part = ctx.ws.part_path(path)
        write_csv(frame, part)
        part.chmod(0o600)
        result = StepResult(title=text("seize_list_title"), parts=[part], persons_shown=frame["宛名番号"].n_unique() if frame.height else 0)
        result.counts = {"rows": frame.height, "planned": int(frame["処理済フラグ1"].is_null().sum())} | checks
        result.notes.append(f"→ {path}")
        return result

    return body
