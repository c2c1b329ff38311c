"""``inquiry report``: the supervisors' hit/no-hit report (outputs.md).

Everything is computed with polars from the store, in one pass per table,
into :class:`Table` objects that say what each column is (text, count, yen,
date, person). The same tables are rendered twice: as ONE self-contained
HTML file (inline CSS, JS and SVG charts; no address outside the file, since
LGWAN terminals have no network) and as an xlsx workbook, one sheet per
table. Files go to ``reports/report-<date>.html`` / ``.xlsx``.

What the page shows and what the workbook shows: every table and chart is
in both, and every row is in both, except the homonyms. A year has hundreds
of thousands of them (a common name at a big bank); the page gives their
summary by evidence (同名異人の内訳: how many, why, how many listed) and lists
the :data:`HOMONYMS_SHOWN` nearest to the person (birth date near or
unknown, address in the same town or city: the near misses a supervisor
should look at), saying that the complete list is in the workbook. The page
carries the detail of every person named in the rows it shows, so a
person's detail is one click from every row; the workbook names the rest.
The review backlog shows, for each candidate, the evidence link() weighed
for that person when the account was last linked (``match_evidence``), as
the review sheet does.
An M-size year (52,668 persons, 928 k inquiries, 305 k accounts) makes a
3.8 MB page and a 26 MB workbook in 7-8 s on two cores.

Classes and answers mean exactly what the exports say: a reviewer's decision
overrides the class (:data:`inquiry.steps.exports.EFFECTIVE_CLASS_SQL`), and an inquiry's
answer is HIT / ACCOUNTS / NO_ACCOUNT / UNABLE / PENDING as in
``outcomes.csv`` (a test checks both against :mod:`inquiry.steps.exports`).

Where the time goes, and why the code is shaped so: the store's big tables
are read as text by two child processes side by side
(:meth:`inquiry.runtime.store.Store.fast_frames`), only the columns the report shows;
the accounts' tables are made first and handed to the workbook writer, which
builds their sheets on a second thread while the year's inquiries are still
being read; the page is rendered while the workbook's last sheets are written.

>>> CLASS_LABELS["REVIEW"]
'要確認'
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import polars as pl

from formats.refdata import BANK_TYPE_LABELS, banks
from inquiry.runtime.settings import Settings
from inquiry.runtime.step import Context, StepBody, StepResult, console
from inquiry.runtime.store import FastQuery, Store
from inquiry.steps.exports import account_columns
from inquiry.steps.exports import outcome as outcome_of
from inquiry.vocabulary import (
    ACCOUNT_TYPE_LABELS,
    ANSWER_LABELS,
    ANSWERS,
    CLASS_LABELS,
    CLASSES,
    EFFECTIVE_CLASS_SQL,
    EFFECTIVE_PERSON_SQL,
    EVIDENCE_LABELS,
    FOLLOWUP_LABELS,
    FOLLOWUP_STATUSES,
    HIT_CLASSES,
    PROVIDER_LABELS,
)

__all__ = [
    "Col", "Table", "Chart", "Report", "build_report", "write_xlsx", "report",
]  # fmt: skip

DELAY_BINS = ((0, 7), (8, 14), (15, 21), (22, 30), (31, 45), (46, 60), (61, 90), (91, None))
#: homonyms listed in the HTML page (the nearest to the person first); the workbook lists them all
HOMONYMS_SHOWN = 2_000
BALANCE_BINS = ((0, 9_999), (10_000, 99_999), (100_000, 499_999), (500_000, 999_999), (1_000_000, 4_999_999), (5_000_000, None))


# -- what a report is --------------------------------------------------------
@dataclass(frozen=True)
class Col:
    """One column: ``kind`` is text, int, yen, pct, score, date, key, person, persons (``;``-list)
    or pname (the name of the person in the column before it, filled in by the page script)."""

    name: str
    label: str
    kind: str = "text"


@dataclass
class Table:
    key: str
    title: str
    columns: list[Col]
    frame: pl.DataFrame
    note: str = ""
    #: rows of small summary tables are given this column's value as an id (for tests and links)
    row_id: str | None = None
    total: bool = False
    #: the HTML page shows at most this many rows (the first ones: the frame is sorted by
    #: importance); the workbook always has every row
    html_limit: int | None = None
    #: what the HTML shows instead of the rest (said on the page under the table)
    html_note: str = ""

    @property
    def html_frame(self) -> pl.DataFrame:
        """The rows the HTML page carries."""
        return self.frame if self.html_limit is None else self.frame.head(self.html_limit)

    def named(self, frame: pl.DataFrame | None = None) -> pl.Series:
        """Every person id named in the rows of ``frame`` (default: all rows), once."""
        frame = self.frame if frame is None else frame
        parts = [frame[c.name].drop_nulls() for c in self.columns if c.kind == "person"]
        parts += [frame[c.name].drop_nulls().str.split(";").explode() for c in self.columns if c.kind == "persons"]
        if not parts:
            return pl.Series("person_id", [], pl.Utf8)
        ids = pl.concat([x.rename("person_id") for x in parts])
        return ids.filter(ids.is_not_null() & (ids != "")).unique()


@dataclass
class Chart:
    key: str
    title: str
    labels: list[str]
    values: list[float]
    kind: str = "bar"  # bar (vertical histogram) or hbar (rates, 0..1)
    unit: str = ""


@dataclass
class Report:
    municipality: str
    purpose: str
    generated_at: datetime
    today: date
    period: tuple[date | None, date | None]
    overdue_days: int
    kpis: list[tuple[str, str, int, str]]  # id, label, value, kind
    tables: list[Table]
    charts: list[Chart]
    persons: pl.DataFrame  # detail of every person named in the rows the HTML shows
    inquiries: pl.DataFrame  # person_id, bank_code, bank_name, provider, sent_on, answered_on, outcome of those persons
    #: persons named anywhere in the report (the workbook has every row, so this counts them all)
    persons_named: int = 0

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)

    @property
    def persons_shown(self) -> int:
        """Persons whose personal data is in the report files (for the audit trail): those the page
        details are named in its rows, so this is everyone named."""
        return self.persons_named

    @property
    def persons_detailed(self) -> int:
        """Persons whose detail the HTML page carries (those named in the rows it shows)."""
        return self.persons.height


# -- reading the store fast --------------------------------------------------
_FOUND_SCHEMA = {
    "answer_row": pl.Int64, "inquiry_row": pl.Int64, "account_key": pl.Utf8, "bank_code": pl.Utf8, "branch_name": pl.Utf8, "account_type": pl.Int64, "account_number": pl.Utf8, "holder_kana": pl.Utf8,
    "holder_birth_date": pl.Utf8, "holder_address": pl.Utf8, "balance_yen": pl.Int64, "account_status": pl.Utf8, "last_activity": pl.Utf8,
}  # fmt: skip
_INQUIRIES_SQL = "SELECT rowid AS inquiry_row, person_id, provider, bank_code, sent_on, answered_on, answer FROM inquiries"
_INQUIRIES_SCHEMA = {
    "inquiry_row": pl.Int64, "person_id": pl.Utf8, "provider": pl.Utf8, "bank_code": pl.Utf8,
    "sent_on": pl.Date, "answered_on": pl.Date, "answer": pl.Utf8,
}  # fmt: skip


#: what the report's tables use of the match results and the answers: only the columns shown
#: (a year is 300 k accounts and 460 k answer rows, read cell by cell)
_REPORT_LINKED_SQL = f"""
    SELECT account_key, {EFFECTIVE_PERSON_SQL} AS person_id, {EFFECTIVE_CLASS_SQL} AS class, score, name_evidence, dob_evidence, address_evidence, candidates,
           CASE WHEN class IN ('REVIEW', 'HOMONYM', 'UNMATCHED') OR decision IS NOT NULL THEN reason END AS reason,
           CASE WHEN class = 'REVIEW' THEN matched_at END AS matched_at, decision, decided_person_id, decided_by, decided_at
    FROM matches
"""
_REPORT_FOUND_SQL = """
    SELECT a.rowid AS answer_row, i.rowid AS inquiry_row, a.account_key, a.bank_code, a.branch_name, a.account_type,
           a.account_number, a.holder_kana, a.holder_birth_date, a.holder_address, a.balance_yen, a.account_status, a.last_activity
    FROM answers a JOIN inquiries i ON i.inquiry_id = a.inquiry_id
    WHERE a.account_key IS NOT NULL AND a.answer = 'found'
"""


_TEXT = pl.Utf8
#: everything the report reads of the store's big tables, read side by side (:meth:`Store.fast_frames`);
#: the longest first, and the accounts' inputs before the inquiries, which are needed later
_REPORT_READS = {
    "found": FastQuery(
        _REPORT_FOUND_SQL,
        _FOUND_SCHEMA,
        ("branch_name", "holder_kana", "holder_birth_date", "holder_address"),
    ),
    "linked": FastQuery(
        _REPORT_LINKED_SQL,
        {"account_key": _TEXT, "person_id": _TEXT, "class": _TEXT, "score": pl.Float64, "name_evidence": _TEXT, "dob_evidence": _TEXT,
         "address_evidence": _TEXT, "candidates": _TEXT, "reason": _TEXT, "matched_at": _TEXT, "decision": _TEXT,
         "decided_person_id": _TEXT, "decided_by": _TEXT, "decided_at": _TEXT},
        ("reason", "decided_by"),
    ),
    "persons": FastQuery(
        "SELECT person_id, name_kanji, name_kana, birth_date, address, address_history, arrears_yen, as_of, cleared_on FROM persons",
        {"person_id": _TEXT, "name_kanji": _TEXT, "name_kana": _TEXT, "birth_date": _TEXT, "address": _TEXT,
         "address_history": _TEXT, "arrears_yen": pl.Int64, "as_of": _TEXT, "cleared_on": _TEXT},
        ("name_kanji", "name_kana", "address", "address_history"),
    ),
    "inquiries": FastQuery(_INQUIRIES_SQL, _INQUIRIES_SCHEMA),
    # what link() weighed for each candidate of the accounts waiting for review (inquiry/match.py)
    "review_evidence": FastQuery(
        "SELECT e.account_key, e.rank, e.person_id, e.class, e.score, e.name_evidence, e.dob_evidence, e.address_evidence "
        "FROM match_evidence e JOIN matches m ON m.account_key = e.account_key WHERE m.class = 'REVIEW' AND m.decision IS NULL",
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


def _report_accounts(found: pl.DataFrame, linked: pl.DataFrame) -> pl.DataFrame:
    """One row per account: its match result (a reviewer's decision overriding the class, as
    ``matches.csv``) and its first answer row; a test checks the values against the export."""
    first = found.sort("answer_row").unique("account_key", keep="first").drop("answer_row", "inquiry_row")
    return linked.join(first, on="account_key", how="left").with_columns(account_columns())


# -- computing the tables ----------------------------------------------------
def _institutions(store: Store) -> pl.DataFrame:
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


def _inquiries(inq: pl.DataFrame, accounts: pl.DataFrame, found_rows: pl.DataFrame) -> pl.DataFrame:
    """Every basic inquiry (as read by :data:`_INQUIRIES_SQL`) with its answer as in ``outcomes.csv``."""
    found = found_rows.select("inquiry_row", "account_key", "balance_yen").unique()
    hit_person = accounts.select("account_key", pl.when(pl.col("class").is_in(HIT_CLASSES)).then(pl.col("person_id")).alias("hit_person"))
    per = (
        found.join(hit_person, on="account_key", how="left")
        .join(inq.select("inquiry_row", "person_id"), on="inquiry_row", how="left")
        .group_by("inquiry_row")
        .agg(
            pl.len().alias("accounts"),
            (pl.col("hit_person") == pl.col("person_id")).fill_null(False).sum().alias("hits"),
            pl.when(pl.col("hit_person") == pl.col("person_id")).then(pl.col("balance_yen")).sum().alias("hit_balance_yen"),
        )
    )
    inq = inq.join(per, on="inquiry_row", how="left")
    outcome = outcome_of(pl.col("answer"), pl.col("hits"), pl.col("accounts"))
    return inq.with_columns(outcome=outcome, hits=pl.col("hits").fill_null(0), accounts=pl.col("accounts").fill_null(0))


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
        pl.col("hits").sum().alias("hit_accounts"),
    ).with_columns(
        hit_rate=pl.when(pl.col("answered") > 0).then(pl.col("HIT") / pl.col("answered")),
    )


_INQ_COLS = [
    Col("created", "照会件数", "int"), Col("sent", "送信済", "int"), Col("answered", "回答済", "int"),
    Col("pending", "未回答", "int"), Col("overdue", "うち期限超過", "int"), Col("unsent", "未送信", "int"),
]  # fmt: skip
_ANS_COLS = [Col("answered", "回答済", "int"), *[Col(a, ANSWER_LABELS[a], "int") for a in ANSWERS], Col("hit_rate", "該当率", "pct")]


def _with_total(frame: pl.DataFrame, label_col: str, label: str = "合計") -> pl.DataFrame:
    """Append a total row (sums of the counts, rate recomputed)."""
    if frame.height == 0:
        return frame
    sums = frame.select(
        [pl.lit(label).alias(label_col) if c == label_col else (pl.col(c).sum() if frame.schema[c].is_integer() else pl.lit(None, frame.schema[c]).alias(c)) for c in frame.columns]
    )
    if "hit_rate" in frame.columns:
        sums = sums.with_columns(hit_rate=pl.when(pl.col("answered") > 0).then(pl.col("HIT") / pl.col("answered")))
    return pl.concat([frame, sums.cast(frame.schema)])


def _ev(prefix: str = "") -> pl.Expr:
    """Evidence as one readable cell: 氏名:一致 生年月日:一致 住所:旧住所."""
    return pl.concat_str(
        [
            pl.lit("氏名:"), pl.col(f"{prefix}name_evidence").replace(EVIDENCE_LABELS["name"]),
            pl.lit(" 生年月日:"), pl.col(f"{prefix}dob_evidence").replace(EVIDENCE_LABELS["dob"]),
            pl.lit(" 住所:"), pl.col(f"{prefix}address_evidence").replace(EVIDENCE_LABELS["address"]),
        ]  # fmt: skip
    )


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
            pl.format("{} {} {} ({})", "person_id", pl.col("class").replace(CLASS_LABELS), pl.col("score").round(2), _ev())
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


def _bins(values: pl.Series, bins: tuple[tuple[int, int | None], ...]) -> list[int]:
    return [int(((values >= lo) & (values <= hi)).sum() if hi is not None else (values >= lo).sum()) for lo, hi in bins]


def _yen_label(v: int) -> str:
    return f"{v // 10_000:,}万" if v >= 10_000 else f"{v:,}"


def _inquiry_tables(inq: pl.DataFrame, today: date, od: int) -> tuple[list[Table], pl.DataFrame]:
    """Inquiries sent/answered/pending per service and institution; answers per service and type."""
    tables: list[Table] = []
    prov = pl.col("provider").replace(PROVIDER_LABELS).alias("service")

    by_service = _counts(inq, ["provider"], today, od).sort("provider").with_columns(prov)
    tables.append(
        Table(
            "inq_service", "照会の状況 (サービス別)", [Col("service", "サービス"), *_INQ_COLS],
            _with_total(by_service.select("service", *[c.name for c in _INQ_COLS]), "service"),
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
            "ans_service", "回答の内訳 (サービス別)", [Col("service", "サービス"), *_ANS_COLS], _with_total(ans_service, "service"),
            "該当あり = 本人・本人の可能性高と判定した口座 (確認で承認したものを含む) が1件以上ある回答。該当率 = 該当あり ÷ 回答済。",
            row_id="service", total=True,
        )
    )  # fmt: skip
    by_type = _counts(inq, ["type", "type_label"], today, od).sort("type")
    tables.append(
        Table(
            "ans_type", "回答の内訳 (業態別)", [Col("type_label", "業態"), *_ANS_COLS],
            _with_total(by_type.select("type_label", *[c.name for c in _ANS_COLS]), "type_label"), row_id="type_label", total=True,
        )
    )  # fmt: skip

    return tables, by_type


def _account_tables(acc: pl.DataFrame, inst: pl.DataFrame, names: pl.DataFrame, today: date, evidence: pl.DataFrame) -> list[Table]:
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
    with_total = (
        _with_total(class_rows.drop("persons"), "class")
        .join(class_rows.select("class", "persons"), on="class", how="left")
        .select("class", "class_label", "accounts", "balance_yen", "persons", "decided")
    )
    tables.append(
        Table(
            "classes", "名寄せの分類",
            [Col("class", "分類"), Col("class_label", "意味"), Col("accounts", "口座数", "int"), Col("balance_yen", "残高合計 (円)", "yen"),
             Col("persons", "人数", "int"), Col("decided", "うち確認で判定", "int")],
            with_total, "確認 (review import) で承認した口座は本人、否認した口座は不一致として数えています。", row_id="class", total=True,
        )
    )  # fmt: skip

    hits = (
        acc.filter(pl.col("class").is_in(HIT_CLASSES))
        .join(names, on="person_id", how="left")
        .join(inst.select("bank_code", pl.col("name").alias("bank_name")), on="bank_code", how="left")
        .with_columns(
            account_type_label=pl.col("account_type").replace_strict(ACCOUNT_TYPE_LABELS, default=None, return_dtype=pl.Utf8),
            class_label=pl.when(pl.col("decision") == "accept").then(pl.lit("承認 (確認済)")).otherwise(pl.col("class").replace(CLASS_LABELS)),
            evidence=_ev(),
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
        .with_columns(evidence=_ev(), closeness=_closeness())
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
    ], _with_total(why, "evidence"), "氏名は一致するが生年月日または住所が本人と矛盾するため、本人の口座ではないと判定したもの (追跡照会の対象外)。"
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


def _followup_tables(
    store: Store, fu: pl.DataFrame, acc: pl.DataFrame, inst: pl.DataFrame, names: pl.DataFrame, persons: pl.DataFrame, inq: pl.DataFrame
) -> list[Table]:
    """Follow-ups by status, the regular income found, and the persons cleared by payment."""
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
            _with_total(fu_status, "status"), "定期収入 = 給与・年金などの定期的な入金 (年金は国税徴収法第77条により一部差押禁止)。",
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
    paid = store.frame(
        "SELECT p.person_id, SUM(x.amount_yen) AS paid_yen FROM persons p JOIN payments x ON x.person_id = p.person_id AND x.paid_on > p.as_of GROUP BY p.person_id",
        schema={"person_id": pl.Utf8, "paid_yen": pl.Int64},
    )
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


def _charts(inq: pl.DataFrame, by_type: pl.DataFrame, hits: pl.DataFrame) -> list[Chart]:
    """Hit rate per institution type, answer delay, balance of the hits."""
    answered = inq.filter(pl.col("answer").is_not_null() & pl.col("sent_on").is_not_null())
    delays = (answered["answered_on"] - answered["sent_on"]).dt.total_days()
    type_rates = by_type.filter(pl.col("answered") > 0)
    return [
        Chart("hit_rate_type", "業態別の該当率", type_rates["type_label"].to_list(), type_rates["hit_rate"].to_list(), "hbar", "%"),
        Chart("delay", "回答までの日数 (送信日から)", [f"{lo}〜{hi}日" if hi is not None else f"{lo}日以上" for lo, hi in DELAY_BINS], _bins(delays, DELAY_BINS), "bar", "件"),
        Chart("balance", "該当口座の残高分布", [f"{_yen_label(lo)}〜{_yen_label(hi)}円" if hi is not None else f"{_yen_label(lo)}円以上" for lo, hi in BALANCE_BINS], _bins(hits["balance_yen"].fill_null(0), BALANCE_BINS), "bar", "口座"),
    ]  # fmt: skip


def _kpis(inq: pl.DataFrame, tables: dict[str, Table], today: date, od: int) -> list[tuple[str, str, int, str]]:
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


def build_report(
    store: Store,
    settings: Settings,
    now: datetime,
    step: Callable[[str], None] = lambda _: None,
    on_table: Callable[[Table], None] = lambda _: None,
) -> Report:
    """Compute every table, chart and person detail of the report.

    ``on_table`` is given each table as soon as it is final. The accounts are
    read and their tables made first, so that the workbook's big sheets
    (hits, homonyms) can be written on the other core while this one reads
    the year's inquiries.
    """
    today = now.date()
    step("口座・名寄せ結果 (accounts)")
    reads = store.fast_frames(_REPORT_READS)
    found, persons = reads["found"].result(), reads["persons"].result()
    acc = _report_accounts(found, reads["linked"].result())
    inst = _institutions(store)
    names = persons.select("person_id", pl.col("name_kanji").alias("name"))
    account_tables = _account_tables(acc, inst, names, today, reads["review_evidence"].result())
    for t in account_tables:
        on_table(t)
    step("照会・回答 (inquiries)")
    raw_inq = reads["inquiries"].result()
    inq = _inquiries(raw_inq, acc, found)
    inq = inq.join(inst.select("bank_code", "type", "type_label", pl.col("name").alias("bank_name")), on="bank_code", how="left").with_columns(
        type=pl.col("type").fill_null("other"), type_label=pl.col("type_label").fill_null(BANK_TYPE_LABELS["other"])
    )
    step("集計 (tables)")
    od = settings.overdue_days
    inquiry_tables, by_type = _inquiry_tables(inq, today, od)
    for t in inquiry_tables:
        on_table(t)
    step("追跡照会・完納 (follow-ups, payments)")
    followup_tables = _followup_tables(store, reads["followups"].result(), acc, inst, names, persons, inq)
    for t in followup_tables:
        on_table(t)
    from inquiry.steps.seize import report_tables as seizure_tables

    step("差押予定 (seizure plan)")
    seize_tables = seizure_tables(store)
    for t in seize_tables:
        on_table(t)
    tables = inquiry_tables + account_tables + followup_tables + seize_tables
    by_key = {t.key: t for t in tables}
    charts = _charts(inq, by_type, by_key["hits"].frame)
    kpis = _kpis(inq, by_key, today, od)

    step("個人の詳細 (person detail)")
    in_page = pl.concat([t.named(t.html_frame) for t in tables]).unique()
    in_files = pl.concat([t.named() for t in tables]).unique()
    shown = persons.filter(pl.col("person_id").is_in(in_page.implode())).sort("person_id")
    detail_inq = inq.filter(pl.col("person_id").is_in(in_page.implode())).select("person_id", "bank_code", "bank_name", "provider", "sent_on", "answered_on", "outcome")
    sent = inq["sent_on"].drop_nulls()
    return Report(
        municipality=settings.municipality_name,
        purpose=settings.purpose,
        generated_at=now,
        today=today,
        period=(sent.min() if sent.len() else None, sent.max() if sent.len() else None),  # type: ignore[arg-type]
        overdue_days=od,
        kpis=kpis,
        tables=tables,
        charts=charts,
        persons=shown,
        inquiries=detail_inq,
        persons_named=in_files.len(),
    )


# -- the workbook ------------------------------------------------------------
#: the workbook's sheets, in order (the overview sheet 概要 comes before them)
SHEET_NAMES = {
    "inq_service": "照会_サービス別", "inq_institution": "照会_金融機関別", "ans_service": "回答_サービス別",
    "ans_type": "回答_業態別", "classes": "分類", "hits": "該当口座", "review": "要確認", "homonym_why": "同名異人_内訳",
    "homonyms": "同名異人", "decisions": "判定", "followups": "追跡照会", "income": "定期収入", "cleared": "完納者",
    "seize_status": "差押予定_状況", "seize_bank": "差押予定_金融機関別", "seize_staff": "差押予定_職員別", "seizures": "差押予定一覧",
}  # fmt: skip
_WIDTHS = {"int": 11, "yen": 14, "pct": 9, "score": 8, "date": 12, "key": 16, "person": 12, "persons": 24}


class _Workbook:
    """The report's workbook, written on a second thread while the report is computed.

    Each table goes to :meth:`add` as soon as it is final and becomes its sheet
    there (polars and zlib let the main thread go on reading the store); the
    overview sheet, which needs the headline numbers, comes last in :meth:`close`.
    Japanese headers, frozen header row, an autofilter, yen with thousands
    separators, real dates; text that a spreadsheet would run as a formula is
    neutralised, and every text cell is an inline or shared string (never a formula).
    """

    def __init__(self, path: Path) -> None:
        from inquiry.report.xlsx import WorkbookWriter

        self._writer = WorkbookWriter(path)
        self._pool = ThreadPoolExecutor(max_workers=1)
        self._pending: list[Any] = []

    def add(self, t: Table) -> None:
        position = list(SHEET_NAMES).index(t.key) + 1
        self._pending.append(self._pool.submit(lambda: self._writer.add(position, _sheet(t))))

    def close(self, rep: Report) -> Path:
        from inquiry.report.xlsx import Sheet

        lo, hi = rep.period
        overview: list[tuple[str, str | int]] = [
            ("報告書", "預貯金等照会 該当状況報告"), ("団体", rep.municipality), ("利用目的", rep.purpose),
            ("対象期間", f"{lo} 〜 {hi} 送信分" if lo else "照会なし"), ("作成", rep.generated_at.strftime("%Y-%m-%d %H:%M")),
            ("掲載人数", rep.persons_shown),
        ] + [(label, value) for _, label, value, _ in rep.kpis]  # fmt: skip
        self._pending.append(self._pool.submit(self._writer.add, 0, Sheet("概要", pl.DataFrame(), rows=overview)))
        self._pending.append(self._pool.submit(self._writer.close))
        self._pool.shutdown()
        for f in self._pending:
            f.result()  # a sheet's error is raised here
        return self._writer.path

    def abandon(self) -> None:
        """After a failure: stop, and close the unfinished file (the caller removes it)."""
        self._pool.shutdown(cancel_futures=True)
        self._writer.abandon()


def _sheet(t: Table) -> Any:
    from inquiry.report.xlsx import Sheet
    from inquiry.runtime.csvout import neutralise

    frame = t.frame.select(
        [pl.col(c.name).str.to_date(strict=False) if c.kind == "date" and t.frame.schema[c.name] == pl.Utf8 else pl.col(c.name) for c in t.columns]
    )
    frame = neutralise(frame).rename({c.name: c.label for c in t.columns})
    return Sheet(
        SHEET_NAMES[t.key], frame, kinds={c.label: c.kind for c in t.columns}, widths={c.label: _WIDTHS.get(c.kind, 18) for c in t.columns}
    )


def write_xlsx(rep: Report, path: Path) -> Path:
    """The report's tables as a workbook: an overview sheet, then one sheet per table."""
    book = _Workbook(path)
    for t in rep.tables:
        book.add(t)
    return book.close(rep)


# -- the step ----------------------------------------------------------------
def report(out: Path | None = None) -> StepBody:
    """The step body: write ``report-<date>.html`` and ``.xlsx``; the audit logs the persons shown."""

    def body(ctx: Context) -> StepResult:
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        from inquiry.report.html import render_html

        folder = out or ctx.ws.reports
        folder.mkdir(parents=True, exist_ok=True)
        html_path = folder / f"report-{ctx.today:%Y%m%d}.html"
        xlsx_path = folder / f"report-{ctx.today:%Y%m%d}.xlsx"
        stages = 8
        with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console, transient=True) as progress:
            task = progress.add_task("報告書 (report)", total=stages)

            def step(label: str) -> None:
                progress.update(task, description=f"報告書: {label}", advance=1)

            xpart, part = ctx.ws.part_path(xlsx_path), ctx.ws.part_path(html_path)
            book = _Workbook(xpart)
            try:
                rep = build_report(ctx.store, ctx.settings, ctx.now, step, on_table=book.add)
                step("HTML・Excel")
                # the page is made here while the workbook's last sheets are written on the other thread
                html = render_html(rep)
                part.write_bytes(html.encode("utf-8"))
                part.chmod(0o600)
                book.close(rep)
            except BaseException:
                book.abandon()
                for p in (part, xpart):
                    p.unlink(missing_ok=True)
                raise
            xpart.chmod(0o600)
            step("")
        result = StepResult(title="報告書 (report)", parts=[part, xpart], persons_shown=rep.persons_shown)
        kp = {k: v for k, _, v, _ in rep.kpis}
        result.counts = {
            "inquiries": kp["inquiries"], "answered": kp["answered"], "pending": kp["pending"], "overdue": kp["overdue"],
            "hit_accounts": kp["hits"], "review_backlog": kp["review"], "homonyms": kp["homonyms"],
            "html_bytes": len(html.encode("utf-8")),
        }  # fmt: skip
        result.notes += [f"→ {html_path}", f"→ {xlsx_path}"]
        return result

    return body
