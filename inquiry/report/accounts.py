"""The report's tables of the accounts: classes, hits, the review backlog, the homonyms, the decisions.

One row per account comes in (:func:`inquiry.report.queries.accounts`: its
link as it stands and its first answer); the tables are made from it before
the year's inquiries are read, so that the workbook writes their big sheets
(hits, homonyms) on the other core meanwhile.

What the page shows and what the workbook shows: every row is in both,
except the homonyms. A year has hundreds of thousands of them (a common
name at a big bank); the page gives their summary by evidence (同名異人の内訳:
how many, why, how many listed) and lists the :data:`HOMONYMS_SHOWN` nearest
to the person (birth date near or unknown, address in the same town or
city: the near misses a supervisor should look at), saying that the
complete list is in the workbook. The review backlog shows, for each
candidate, the evidence link() weighed for that person when the account
was last linked (``match_evidence``), as the review sheet does.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from inquiry.report.model import Col, Table
from inquiry.report.tables import evidence_text, with_total
from inquiry.vocabulary import ACCOUNT_TYPE_LABELS, CLASS_LABELS, CLASSES, HIT_CLASSES

__all__ = ["HOMONYMS_SHOWN", "account_tables"]

#: homonyms listed in the HTML page (the nearest to the person first); the workbook lists them all
HOMONYMS_SHOWN = 2_000


def _candidates_evidence(acc: pl.DataFrame, evidence: pl.DataFrame) -> pl.DataFrame:
    """``account_key, candidate_evidence``: each candidate's stored evidence (``match_evidence``) as one cell.

    ``P0000012 要確認 0.50 (氏名:一致 生年月日:一致 住所:不一致) / P0000345 …``, in the
    order of ``candidates``: the evidence link() weighed for that person, as
    the review sheet shows it, not a recomputation.
    """
    listed = acc.select("account_key", person_id=pl.col("candidates").str.split(";")).explode("person_id").with_row_index("_order")
    return (
        listed.join(evidence.unique(["account_key", "person_id"], keep="first"), on=["account_key", "person_id"], how="inner")
        .sort("_order")
        .group_by("account_key", maintain_order=True)
        .agg(
            pl.format("{} {} {} ({})", "person_id", pl.col("class").replace(CLASS_LABELS), pl.col("score").round(2), evidence_text())
            .str.join(" / ")
            .alias("candidate_evidence")
        )
    )


def _closeness() -> pl.Expr:
    """How near a homonym is to the person (0 = nearest): a near or unknown birth date before a
    different one, then an address in the same town, city, none, another city; an exact name first."""
    dob = pl.col("dob_evidence").replace_strict({"exact": 0, "near": 0, "missing": 1}, default=2, return_dtype=pl.Int32)
    addr = pl.col("address_evidence").replace_strict(
        {"current": 0, "history": 0, "town": 1, "other_block": 1, "city": 2, "missing": 3}, default=4, return_dtype=pl.Int32
    )
    name = pl.col("name_evidence").replace_strict({"exact": 0, "other_name": 0}, default=1, return_dtype=pl.Int32)
    return (dob * 10 + addr) * 2 + name


def account_tables(acc: pl.DataFrame, inst: pl.DataFrame, names: pl.DataFrame, today: date, evidence: pl.DataFrame) -> list[Table]:
    """Classes, the hits, the review backlog (each candidate with its ``evidence``), the decisions and the homonyms."""
    tables: list[Table] = []
    # classes and the review backlog
    class_rows = (
        pl.DataFrame({"class": list(CLASSES), "class_label": [CLASS_LABELS[c] for c in CLASSES]})
        .join(
            acc.group_by("class").agg(
                pl.len().alias("accounts"),
                pl.col("balance_yen").sum().alias("balance_yen"),
                pl.col("person_id").n_unique().alias("persons"),
                pl.col("decision").is_not_null().sum().alias("decided"),
            ),
            on="class",
            how="left",
        )
        .with_columns(
            pl.col("accounts", "balance_yen", "decided").fill_null(0),
            persons=pl.when(pl.col("class").is_in(("HOMONYM", "UNMATCHED"))).then(None).otherwise(pl.col("persons").fill_null(0)),
        )
    )
    classes = (
        with_total(class_rows.drop("persons"), "class")
        .join(class_rows.select("class", "persons"), on="class", how="left")
        .select("class", "class_label", "accounts", "balance_yen", "persons", "decided")
    )
    tables.append(
        Table(
            "classes", "名寄せの分類",
            [Col("class", "分類"), Col("class_label", "意味"), Col("accounts", "口座数", "int"), Col("balance_yen", "残高合計 (円)", "yen"),
             Col("persons", "人数", "int"), Col("decided", "うち確認で判定", "int")],
            classes, "確認 (review import) で承認した口座は本人、否認した口座は不一致として数えています。", row_id="class", total=True,
        )
    )  # fmt: skip

    hits = (
        acc.filter(pl.col("class").is_in(HIT_CLASSES))
        .join(names, on="person_id", how="left")
        .join(inst.select("bank_code", pl.col("name").alias("bank_name")), on="bank_code", how="left")
        .with_columns(
            account_type_label=pl.col("account_type").replace_strict(ACCOUNT_TYPE_LABELS, default=None, return_dtype=pl.Utf8),
            class_label=pl.when(pl.col("decision") == "accept").then(pl.lit("承認 (確認済)")).otherwise(pl.col("class").replace(CLASS_LABELS)),
            evidence=evidence_text(),
        )
        .sort("balance_yen", "account_key", descending=[True, False], nulls_last=True)
    )
    tables.append(Table("hits", "該当口座 (残高の多い順)", [
        Col("person_id", "宛名番号", "person"), Col("name", "氏名", "pname"), Col("bank_name", "金融機関"), Col("branch_name", "支店"),
        Col("account_type_label", "種目"), Col("account_number", "口座番号", "key"), Col("balance_yen", "残高 (円)", "yen"),
        Col("last_activity", "最終取引日", "date"), Col("maturity_date", "満期日", "date"), Col("account_status", "状態"),
        Col("class_label", "分類"), Col("evidence", "根拠"), Col("score", "スコア", "score"),
    ], hits, "本人・本人の可能性高 (差押え前に要確認) および確認で承認した口座。列名をクリックで並べ替え、宛名番号をクリックで個人の詳細を表示します。"))  # fmt: skip

    waiting = acc.filter(pl.col("class") == "REVIEW")
    review = (
        waiting.join(inst.select("bank_code", pl.col("name").alias("bank_name")), on="bank_code", how="left")
        .join(_candidates_evidence(waiting, evidence), on="account_key", how="left")
        .with_columns(
            matched_on=pl.col("matched_at").str.slice(0, 10).str.to_date(strict=False),
        )
        .with_columns(age_days=(pl.lit(today) - pl.col("matched_on")).dt.total_days())
        .sort("age_days", "account_key", descending=[True, False], nulls_last=True)
    )
    tables.append(Table("review", "要確認の残り (確認待ち)", [
        Col("matched_on", "名寄せ日", "date"), Col("age_days", "経過日数", "int"), Col("bank_name", "金融機関"), Col("branch_name", "支店"),
        Col("account_number", "口座番号", "key"), Col("holder_kana", "名義カナ"), Col("holder_birth_date", "名義生年月日", "date"),
        Col("holder_address", "名義住所"), Col("balance_yen", "残高 (円)", "yen"), Col("candidates", "候補者", "persons"), Col("reason", "理由"),
        Col("candidate_evidence", "候補者ごとの根拠 (名寄せ時)"),
    ], review, "inquiry review export で確認シートを出力し、判定を記入して inquiry review import で取り込みます。"))  # fmt: skip

    # the homonyms: why (counts per evidence), then the accounts, nearest misses first
    homonyms = (
        acc.filter(pl.col("class") == "HOMONYM")
        .join(inst.select("bank_code", pl.col("name").alias("bank_name")), on="bank_code", how="left")
        .join(names.rename({"person_id": "candidates", "name": "nearest_name"}), on="candidates", how="left")
        .with_columns(evidence=evidence_text(), closeness=_closeness())
        .sort("closeness", "score", "account_key", descending=[False, True, False], nulls_last=True)
    )
    shown = min(homonyms.height, HOMONYMS_SHOWN)
    why = (
        homonyms.with_row_index("_i")
        .group_by("closeness", "evidence", "reason")
        .agg(pl.len().alias("accounts"), pl.col("balance_yen").sum().alias("balance_yen"), (pl.col("_i") < shown).sum().alias("in_page"))
        .sort("closeness", "accounts", "evidence", descending=[False, True, False])
        .drop("closeness")
        .with_columns(pl.col("accounts", "balance_yen", "in_page").cast(pl.Int64))
    )
    tables.append(Table("homonym_why", "同名異人の内訳 (根拠別、本人に近いものから)", [
        Col("evidence", "根拠"), Col("reason", "理由"), Col("accounts", "口座数", "int"), Col("balance_yen", "残高合計 (円)", "yen"),
        Col("in_page", "うち下の表に掲載", "int"),
    ], with_total(why, "evidence"), "氏名は一致するが生年月日または住所が本人と矛盾するため、本人の口座ではないと判定したもの (追跡照会の対象外)。"
       "生年月日が近い・不明なもの、住所が町名・市区町村まで一致するものほど本人に近く、誤判定の危険が大きいものです。", total=True))  # fmt: skip
    tables.append(Table("homonyms", "同名異人として除外した口座 (本人に近いものから)", [
        Col("candidates", "近い滞納者", "person"), Col("nearest_name", "氏名", "pname"), Col("bank_name", "金融機関"), Col("branch_name", "支店"),
        Col("account_number", "口座番号", "key"), Col("holder_kana", "名義カナ"), Col("holder_birth_date", "名義生年月日", "date"),
        Col("holder_address", "名義住所"), Col("evidence", "根拠"), Col("reason", "理由"),
    ], homonyms.drop("closeness"), "生年月日が近い・不明、住所が近いなど、本人との違いが小さいものから並べています。",
        html_limit=HOMONYMS_SHOWN,
        html_note=f"この画面には本人に近いもの {shown:,} 件だけを載せています。全 {homonyms.height:,} 件は xlsx の「同名異人」シートを参照してください。"
        if homonyms.height > shown else ""))  # fmt: skip

    decided = (
        acc.filter(pl.col("decision").is_not_null())
        .join(inst.select("bank_code", pl.col("name").alias("bank_name")), on="bank_code", how="left")
        .with_columns(
            decision_label=pl.col("decision").replace({"accept": "承認", "reject": "否認"}),
            decided_on=pl.col("decided_at").str.slice(0, 10).str.to_date(strict=False),
        )
        .sort("decided_at", "account_key", descending=[True, False])
    )
    tables.append(Table("decisions", "確認の判定 (承認・否認)", [
        Col("decided_on", "判定日", "date"), Col("decided_by", "判定者"), Col("decision_label", "判定"), Col("decided_person_id", "承認した者", "person"),
        Col("candidates", "候補者", "persons"), Col("bank_name", "金融機関"), Col("account_number", "口座番号", "key"), Col("balance_yen", "残高 (円)", "yen"),
    ], decided))  # fmt: skip

    return tables

