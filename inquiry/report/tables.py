"""The report's numbers: the inquiries' and follow-ups' tables, the charts and the headline figures.

Each function takes frames already read (:mod:`inquiry.report.queries`) and
returns :class:`~inquiry.report.model.Table` objects, computed with polars
over whole columns in one pass per table; nothing here reads the store.
The accounts' tables
(classes, hits, review, homonyms, decisions) are in
:mod:`inquiry.report.accounts`.

Classes and answers mean exactly what the exports say: the frames come
through the store's views (a reviewer's decision over the class, an
inquiry's outcome as in ``outcomes.csv``), and a test checks both against
:mod:`inquiry.steps.exports`.

>>> with_total(pl.DataFrame({"service": ["DAIS", "pipitLINQ"], "sent": [3, 4]}), "service")["sent"].to_list()
[3, 4, 7]
"""

from __future__ import annotations

from datetime import date

import polars as pl

from inquiry.report.model import Chart, Col, Table
from inquiry.vocabulary import ANSWER_LABELS, ANSWERS, EVIDENCE_LABELS, FOLLOWUP_LABELS, FOLLOWUP_STATUSES, HIT_CLASSES, PROVIDER_LABELS

__all__ = ["BALANCE_BINS", "DELAY_BINS", "charts", "evidence_text", "followup_tables", "inquiry_tables", "kpis", "with_total"]

DELAY_BINS = ((0, 7), (8, 14), (15, 21), (22, 30), (31, 45), (46, 60), (61, 90), (91, None))
BALANCE_BINS = ((0, 9_999), (10_000, 99_999), (100_000, 499_999), (500_000, 999_999), (1_000_000, 4_999_999), (5_000_000, None))


def _counts(inq: pl.DataFrame, by: list[str], today: date, overdue_days: int) -> pl.DataFrame:
    pending = pl.col("sent_on").is_not_null() & pl.col("answer").is_null()
    return inq.group_by(by).agg(
        pl.len().alias("created"),
        pl.col("sent_on").is_not_null().sum().alias("sent"),
        pl.col("answer").is_not_null().sum().alias("answered"),
        pending.sum().alias("pending"),
        (pending & ((pl.lit(today) - pl.col("sent_on")).dt.total_days() > overdue_days)).sum().alias("overdue"),
        pl.col("sent_on").is_null().sum().alias("unsent"),
        *[(pl.col("outcome") == a).sum().alias(a) for a in ANSWERS],
    ).with_columns(
        hit_rate=pl.when(pl.col("answered") > 0).then(pl.col("HIT") / pl.col("answered")),
    )


_INQ_COLS = [
    Col("created", "照会件数", "int"), Col("sent", "送信済", "int"), Col("answered", "回答済", "int"),
    Col("pending", "未回答", "int"), Col("overdue", "うち期限超過", "int"), Col("unsent", "未送信", "int"),
]  # fmt: skip
_ANS_COLS = [Col("answered", "回答済", "int"), *[Col(a, ANSWER_LABELS[a], "int") for a in ANSWERS], Col("hit_rate", "該当率", "pct")]


def with_total(frame: pl.DataFrame, label_col: str, label: str = "合計") -> pl.DataFrame:
    """Append a total row (sums of the counts, rate recomputed)."""
    if frame.height == 0:
        return frame
    sums = frame.select(
        [pl.lit(label).alias(label_col) if c == label_col else (pl.col(c).sum() if frame.schema[c].is_integer() else pl.lit(None, frame.schema[c]).alias(c)) for c in frame.columns]
    )
    if "hit_rate" in frame.columns:
        sums = sums.with_columns(hit_rate=pl.when(pl.col("answered") > 0).then(pl.col("HIT") / pl.col("answered")))
    return pl.concat([frame, sums.cast(frame.schema)])


def evidence_text(prefix: str = "") -> pl.Expr:
    """Evidence as one readable cell: 氏名:一致 生年月日:一致 住所:旧住所."""
    return pl.concat_str(
        [
            pl.lit("氏名:"), pl.col(f"{prefix}name_evidence").replace(EVIDENCE_LABELS["name"]),
            pl.lit(" 生年月日:"), pl.col(f"{prefix}dob_evidence").replace(EVIDENCE_LABELS["dob"]),
            pl.lit(" 住所:"), pl.col(f"{prefix}address_evidence").replace(EVIDENCE_LABELS["address"]),
        ]  # fmt: skip
    )


def _bins(values: pl.Series, bins: tuple[tuple[int, int | None], ...]) -> list[int]:
    return [int(((values >= lo) & (values <= hi)).sum() if hi is not None else (values >= lo).sum()) for lo, hi in bins]


def _yen_label(v: int) -> str:
    return f"{v // 10_000:,}万" if v >= 10_000 else f"{v:,}"


def inquiry_tables(inq: pl.DataFrame, today: date, od: int) -> tuple[list[Table], pl.DataFrame]:
    """Inquiries sent/answered/pending per service and institution; answers per service and type."""
    tables: list[Table] = []
    prov = pl.col("provider").replace(PROVIDER_LABELS).alias("service")

    by_service = _counts(inq, ["provider"], today, od).sort("provider").with_columns(prov)
    tables.append(
        Table(
            "inq_service", "照会の状況 (サービス別)", [Col("service", "サービス"), *_INQ_COLS],
            with_total(by_service.select("service", *[c.name for c in _INQ_COLS]), "service"),
            f"未回答のうち送信から{od}日を超えたものを期限超過としています。", row_id="service", total=True,
        )
    )  # fmt: skip
    by_inst = (
        _counts(inq, ["provider", "bank_code", "bank_name", "type_label"], today, od)
        .with_columns(prov)
        .sort("created", "bank_code", descending=[True, False])
    )
    tables.append(
        Table(
            "inq_institution", "照会の状況 (金融機関別)",
            [Col("bank_code", "金融機関コード", "key"), Col("bank_name", "金融機関"), Col("type_label", "業態"), Col("service", "サービス"), *_INQ_COLS, *_ANS_COLS[1:]],
            by_inst, row_id="bank_code",
        )
    )  # fmt: skip
    ans_service = by_service.select("service", *[c.name for c in _ANS_COLS])
    tables.append(
        Table(
            "ans_service", "回答の内訳 (サービス別)", [Col("service", "サービス"), *_ANS_COLS], with_total(ans_service, "service"),
            "該当あり = 本人・本人の可能性高と判定した口座 (確認で承認したものを含む) が1件以上ある回答。該当率 = 該当あり ÷ 回答済。",
            row_id="service", total=True,
        )
    )  # fmt: skip
    by_type = _counts(inq, ["type", "type_label"], today, od).sort("type")
    tables.append(
        Table(
            "ans_type", "回答の内訳 (業態別)", [Col("type_label", "業態"), *_ANS_COLS],
            with_total(by_type.select("type_label", *[c.name for c in _ANS_COLS]), "type_label"), row_id="type_label", total=True,
        )
    )  # fmt: skip

    return tables, by_type


def followup_tables(
    fu: pl.DataFrame, acc: pl.DataFrame, inst: pl.DataFrame, names: pl.DataFrame, persons: pl.DataFrame, inq: pl.DataFrame, paid: pl.DataFrame
) -> list[Table]:
    """Follow-ups by status, the regular income found, and the persons cleared by payment
    (``paid``: :func:`inquiry.report.queries.paid_since_as_of`)."""
    tables: list[Table] = []
    income = pl.col("regular_income").fill_null("") != ""
    fu_status = (
        pl.DataFrame({"status": list(FOLLOWUP_STATUSES), "status_label": [FOLLOWUP_LABELS[s] for s in FOLLOWUP_STATUSES]})
        .join(fu.group_by("status").agg(pl.len().alias("followups"), income.sum().alias("with_income")), on="status", how="left")
        .with_columns(pl.col("followups", "with_income").fill_null(0).cast(pl.Int64))
    )
    tables.append(
        Table(
            "followups", "追跡照会 (取引履歴照会) の状況",
            [Col("status", "状態"), Col("status_label", "意味"), Col("followups", "件数", "int"), Col("with_income", "うち定期収入あり", "int")],
            with_total(fu_status, "status"), "定期収入 = 給与・年金などの定期的な入金 (年金は国税徴収法第77条により一部差押禁止)。",
            row_id="status", total=True,
        )
    )  # fmt: skip
    fu_income = (
        fu.filter(income)
        .join(names, on="person_id", how="left")
        .join(acc.select("account_key", "bank_code", "account_number", "balance_yen"), on="account_key", how="left")
        .join(inst.select("bank_code", pl.col("name").alias("bank_name")), on="bank_code", how="left")
        .with_columns(pl.col("answered_on").str.to_date(strict=False))
        .sort("answered_on", "followup_id", descending=[True, False], nulls_last=True)
    )
    tables.append(Table("income", "定期収入が見つかった口座", [
        Col("person_id", "宛名番号", "person"), Col("name", "氏名", "pname"), Col("bank_name", "金融機関"), Col("account_number", "口座番号", "key"),
        Col("balance_yen", "残高 (円)", "yen"), Col("answered_on", "回答日", "date"), Col("transactions", "取引件数", "int"), Col("regular_income", "定期収入"),
    ], fu_income))  # fmt: skip

    # persons cleared by payment
    person_hits = acc.filter(pl.col("class").is_in(HIT_CLASSES)).group_by("person_id").agg(pl.len().alias("hit_accounts"), pl.col("balance_yen").sum().alias("hit_balance_yen"))
    skipped = fu.filter(pl.col("status") == "SKIPPED_CLEARED").group_by("person_id").agg(pl.len().alias("skipped"))
    cleared = (
        persons.filter(pl.col("cleared_on").is_not_null())
        .join(paid, on="person_id", how="left")
        .join(inq.group_by("person_id").agg(pl.len().alias("inquiries")), on="person_id", how="left")
        .join(person_hits, on="person_id", how="left")
        .join(skipped, on="person_id", how="left")
        .with_columns(pl.col("cleared_on").str.to_date(strict=False), pl.col("inquiries", "hit_accounts", "hit_balance_yen", "skipped").fill_null(0))
        .sort("cleared_on", "person_id", descending=[True, False])
    )
    tables.append(Table("cleared", "完納により照会を中止した者", [
        Col("person_id", "宛名番号", "person"), Col("name_kanji", "氏名", "pname"), Col("arrears_yen", "滞納額 (円)", "yen"), Col("paid_yen", "納付額 (円)", "yen"),
        Col("cleared_on", "完納確認日", "date"), Col("inquiries", "照会件数", "int"), Col("hit_accounts", "該当口座", "int"),
        Col("hit_balance_yen", "該当残高 (円)", "yen"), Col("skipped", "中止した追跡照会", "int"),
    ], cleared, "照会後の納付で滞納額を完納した者。新たな照会・追跡照会は行いません。"))  # fmt: skip

    return tables


def charts(inq: pl.DataFrame, by_type: pl.DataFrame, hits: pl.DataFrame) -> list[Chart]:
    """Hit rate per institution type, answer delay, balance of the hits."""
    answered = inq.filter(pl.col("answer").is_not_null() & pl.col("sent_on").is_not_null())
    delays = (answered["answered_on"] - answered["sent_on"]).dt.total_days()
    type_rates = by_type.filter(pl.col("answered") > 0)
    return [
        Chart("hit_rate_type", "業態別の該当率", type_rates["type_label"].to_list(), type_rates["hit_rate"].to_list(), "hbar", "%"),
        Chart("delay", "回答までの日数 (送信日から)", [f"{lo}〜{hi}日" if hi is not None else f"{lo}日以上" for lo, hi in DELAY_BINS], _bins(delays, DELAY_BINS), "bar", "件"),
        Chart("balance", "該当口座の残高分布", [f"{_yen_label(lo)}〜{_yen_label(hi)}円" if hi is not None else f"{_yen_label(lo)}円以上" for lo, hi in BALANCE_BINS], _bins(hits["balance_yen"].fill_null(0), BALANCE_BINS), "bar", "口座"),
    ]  # fmt: skip


def kpis(inq: pl.DataFrame, tables: dict[str, Table], today: date, od: int) -> list[tuple[str, str, int, str]]:
    """The headline numbers at the top of the page."""
    pending = inq.filter(pl.col("sent_on").is_not_null() & pl.col("answer").is_null())
    overdue = pending.select(((pl.lit(today) - pl.col("sent_on")).dt.total_days() > od).sum()).item()
    return [
        ("inquiries", "照会件数", inq.height, "int"),
        ("answered", "回答済", int(inq["answer"].is_not_null().sum()), "int"),
        ("pending", "未回答", pending.height, "int"),
        ("overdue", f"うち{od}日超過", overdue, "int"),
        ("hit_inquiries", "該当ありの回答", int((inq["outcome"] == "HIT").sum()), "int"),
        ("hits", "該当口座", tables["hits"].frame.height, "int"),
        ("hit_balance", "該当口座の残高合計 (円)", int(tables["hits"].frame["balance_yen"].fill_null(0).sum()), "yen"),
        ("review", "要確認 (未判定)", tables["review"].frame.height, "int"),
        ("homonyms", "同名異人", tables["homonyms"].frame.height, "int"),
        ("income", "定期収入あり", tables["income"].frame.height, "int"),
        ("cleared", "完納者", tables["cleared"].frame.height, "int"),
    ]

