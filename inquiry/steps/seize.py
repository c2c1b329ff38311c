"""From hit to seizure plan: ``inquiry seize plan / export / import / cancel`` and ``inquiry export seizures``.

The inquiries exist to seize deposits (滞納処分). This module turns hits into
a 差押予定一覧 (seizure plan) the way a collection office works — a person
chooses, the program numbers and words the notices — and adds the checks a
person cannot easily make by hand:

1. ``seize plan [--execute-on DATE]`` lists the **candidates**: hits a
   seizure may rest on (``CONFIRMED``, or accepted on review; ``PROBABLE`` too
   but marked 要本人確認, never selectable until a person confirms the owner),
   status 通常/休眠, balance at least ``min_balance_yen``, the person's arrears
   not paid and not already covered by live planned seizures, the account not
   already planned — in the follow-up priority order
   (:func:`inquiry.steps.followups.select_accounts`). Each candidate carries the
   last checks' findings (:mod:`inquiry.steps.seize_checks`). Re-running replaces
   the candidates; nothing is seized by it.
2. ``seize export --out F`` writes them as a selection sheet (xlsx or CSV,
   like the review sheet); a person marks ``選択``, the staff member
   (``職員``), the execution date, and — where asked — ``本人確認`` (a
   PROBABLE owner confirmed) and ``差押禁止額の確認済`` (the protected-income
   flag overridden). ``seize import F`` records the confirmations (who,
   when) and plans the selected rows: each gets a 文書番号 from the fiscal
   year's counter and the notice data. A row the checks refuse is listed in
   the rejects file and not planned; a malformed sheet is refused whole.
3. ``export seizures`` re-runs the last checks on the live plan (a payment
   that clears the arrears pulls the seizure — 引抜 in 処理済フラグ1 with the
   reason; a smaller payment is noted in 処理済フラグ2; protected income and
   stale answers in 処理済フラグ3) and writes the 預金差押予定一覧 with
   exactly the columns of :data:`LIST_COLUMNS`.
4. ``seize cancel <文書番号> --reason R`` pulls one seizure (引抜), audited.

A planned seizure (table ``seizures``) is the office's case file: it keeps
what the notice needs — name, 住民票住所, the bank's 届出住所, the account and
the wording — and who decided what, when; it is not inquiry data and is not
purged at 60 days (docs/decisions.md). Candidates and confirmations are
inquiry data and disappear with their match.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import polars as pl

from formats._text import rejects_frame
from formats.dates import date_to_wareki_text, parse_date
from formats.files import sha256_of
from inquiry.runtime.csvout import unneutralise, write_csv
from inquiry.runtime.step import Context, StepFailed, StepResult
from inquiry.runtime.store import Store
from inquiry.steps.followups import select_accounts
from inquiry.steps.review import read_sheet, write_sheet
from inquiry.steps.seize_checks import (
    PROTECTED_FLAG,
    arrears_left,
    payments_after,
    protected_income,
    stale_note,
)
from inquiry.steps.seize_notice import (
    SeizureConfig,
    fiscal_year,
    format_doc_no,
    load_config,
    notice_columns,
    reserve_numbers,
)
from inquiry.vocabulary import ACCOUNT_TYPE_LABELS, EFFECTIVE_CLASS_SQL, EFFECTIVE_PERSON_SQL, HIT_CLASSES, OPEN_STATUSES
from matching.income import format_yen

__all__ = [
    "CONFIRM",
    "EXECUTE_ON",
    "FINGERPRINT",
    "KEY",
    "LIST_COLUMNS",
    "LIST_NAME",
    "OVERRIDE",
    "SELECT",
    "STAFF",
    "cancel",
    "export_seizures",
    "plan",
    "report_tables",
    "selection_sheet",
    "sheet_export",
    "sheet_import",
]  # fmt: skip

#: the 預金差押予定一覧 header, byte for byte as 府中市's tool writes it (the office's mail merge reads it)
LIST_COLUMNS = [
    "登録日時", "宛名番号", "氏名", "職員名", "執行日", "住民票住所", "銀行届出住所", "金融機関名", "支店名", "支店番号",
    "口座種別", "口座番号", "差押文言1", "差押文言2", "差押文言3", "文書番号", "照会結果ファイル名",
    "処理済フラグ1", "処理済フラグ2", "処理済フラグ3",
]  # fmt: skip
LIST_NAME = "預金差押予定一覧.csv"

KEY = "口座キー"
SELECT = "選択"
STAFF = "職員"
EXECUTE_ON = "執行日"
CONFIRM = "本人確認 (PROBABLEのみ)"
OVERRIDE = "差押禁止額の確認済"
FINGERPRINT = "照合値 (変更しないでください)"
#: no history answer: the protected-income check could not look (said, not refused)
NO_HISTORY = "取引履歴なし (差押禁止額は未確認)"
NEEDS_CONFIRMATION = "要本人確認 (PROBABLE: 差押前に本人であることの確認が必要)"
#: what a person may write in 選択 / 本人確認 / 差押禁止額の確認済 to say yes (NFKC, lower case)
YES = frozenset({"○", "◯", "〇", "o", "1", "y", "yes", "x", "✓", "✔", "選択", "確認済", "済", "ok", "override"})

_S, _I = pl.Utf8, pl.Int64


def _mark_word(column: str) -> pl.Expr:
    """A sheet cell as a mark word: NFKC, trimmed, lower case (``" ○ "`` → ``○``); blank → ``""``.

    The word is a yes mark when it is in :data:`YES` (``○``, ``1``, ``確認済`` …);
    blank means no; anything else is a mistake the import refuses.

    >>> df = pl.DataFrame({"c": [" ○ ", None, "確認済", "OK", "はい"]})
    >>> df.select(_mark_word("c").is_in(YES)).to_series().to_list()
    [True, False, True, True, False]
    """
    return pl.col(column).fill_null("").str.normalize("NFKC").str.strip_chars().str.to_lowercase()


def _account_parts() -> list[pl.Expr]:
    """bank, branch, type and number from the account key ``bank-branch-type-number``."""
    parts = pl.col("account_key").str.split("-")
    return [
        parts.list.get(0).alias("bank_code"),
        parts.list.get(1).alias("branch_code"),
        parts.list.get(2).cast(pl.Int64, strict=False).alias("account_type"),
        parts.list.get(3).alias("account_number"),
    ]


# -- 1. the candidates ---------------------------------------------------------
_WHY = {
    "candidate": "candidates",
    "closed": "not planned: 解約済/支払停止",
    "small": "not planned: balance below the floor",
    "cleared": "not planned: arrears paid (完納)",
    "planned": "not planned: already planned (live)",
    "covered": "not planned: arrears covered by live plans",
}


def _candidates(ctx: Context, cfg: SeizureConfig) -> pl.DataFrame:
    """Every hit with ``why`` (``candidate`` or the reason it is not one) and ``flags`` (the last checks)."""
    hits = select_accounts(ctx).with_columns(pl.col("effective_class").alias("class"), pl.int_range(1, pl.len() + 1).alias("priority"))
    if hits.height == 0:
        return hits.with_columns(pl.lit(None, _S).alias("why"), pl.lit(None, _S).alias("flags"), pl.lit(False).alias("protected"))
    persons = hits["person_id"].unique().to_list()
    live = ctx.store.frame(
        "SELECT doc_no, account_key, person_id, balance_yen FROM seizures WHERE status = 'PLANNED'",
        schema={"doc_no": _S, "account_key": _S, "person_id": _S, "balance_yen": _I},
    )
    planned_account = live.select("account_key", pl.col("doc_no").alias("live_doc_no"))
    planned_person = live.group_by("person_id").agg(pl.col("balance_yen").fill_null(0).sum().alias("planned_yen"))
    confirmed = ctx.store.frame(
        "SELECT account_key, person_id AS confirmed_person, confirmed_by, confirmed_at FROM seizure_confirmations",
        schema={"account_key": _S, "confirmed_person": _S, "confirmed_by": _S, "confirmed_at": _S},
    )
    prot = protected_income(ctx.store, hits["account_key"].to_list(), cfg)
    answered = ctx.store.frame("SELECT DISTINCT account_key, 1 AS has_history FROM followups WHERE status = 'ANSWERED'", schema={"account_key": _S, "has_history": _I})
    after = payments_after(ctx.store, hits.select(pl.col("account_key").alias("key"), "person_id", "answered_on")).rename({"key": "account_key"})
    frame = (
        hits.join(arrears_left(ctx.store, persons).drop("arrears_yen"), on="person_id", how="left")
        .join(planned_account, on="account_key", how="left")
        .join(planned_person, on="person_id", how="left")
        .join(confirmed, on="account_key", how="left")
        .join(prot, on="account_key", how="left")
        .join(after, on="account_key", how="left")
        .join(answered, on="account_key", how="left")
        .with_columns(pl.col("planned_yen").fill_null(0), pl.col("protected").fill_null(False))
    )
    frame = notice_columns(frame.with_columns(pl.lit(None, _S).alias("bank_name"), pl.lit(None, _S).alias("branch_name")), cfg)
    left = pl.col("left_yen").fill_null(pl.col("arrears_yen"))
    why = (
        pl.when(~pl.col("account_status").is_in(OPEN_STATUSES).fill_null(False))
        .then(pl.lit("closed"))
        .when(pl.col("balance_yen").fill_null(0) < cfg.min_balance_yen)
        .then(pl.lit("small"))
        .when(pl.col("cleared") | (left.fill_null(0) <= 0))
        .then(pl.lit("cleared"))
        .when(pl.col("live_doc_no").is_not_null())
        .then(pl.lit("planned"))
        .when(pl.col("planned_yen") >= left)
        .then(pl.lit("covered"))
        .otherwise(pl.lit("candidate"))
    )
    frame = frame.sort("priority").with_columns(why.alias("why"))
    # a person's arrears may already be met by candidates ranked above this one
    balance = pl.when(pl.col("why") == "candidate").then(pl.col("balance_yen").fill_null(0)).otherwise(0)
    above = (balance.cum_sum() - balance).over("person_id")
    frame = frame.with_columns(above.alias("above_yen"))
    confirmed_ok = pl.col("confirmed_person").is_not_null() & (pl.col("confirmed_person") == pl.col("person_id"))
    probable = pl.col("class") == "PROBABLE"
    flags = pl.concat_str(
        [
            pl.when(probable & ~confirmed_ok).then(pl.lit(NEEDS_CONFIRMATION)),
            pl.when(probable & confirmed_ok).then(pl.format("本人確認済 {} {}", pl.col("confirmed_by"), pl.col("confirmed_at"))),
            pl.col("protected_note"),
            pl.when(pl.col("has_history").is_null()).then(pl.lit(NO_HISTORY)),
            stale_note(pl.col("answered_on"), ctx.today, cfg),
            pl.when(pl.col("paid_after_yen") > 0).then(
                pl.format("納付あり: 回答後の納付 {}円 (最終 {})、残滞納額 {}円", format_yen(pl.col("paid_after_yen")), pl.col("last_paid_on"), format_yen(left))
            ),
            pl.when((pl.col("why") == "candidate") & (pl.col("above_yen") > 0) & (pl.col("above_yen") >= left)).then(
                pl.format("滞納額は優先順位が上の候補 (計 {}円) で足ります", format_yen(pl.col("above_yen")))
            ),
            pl.when((pl.col("bank_code") == "9900") & pl.col("centre").is_null()).then(pl.lit("センター不明: 記号が貯金事務センター表にありません")),
        ],
        separator="; ",
        ignore_nulls=True,
    )
    return frame.with_columns(pl.when(flags != "").then(flags).alias("flags"), (probable & ~confirmed_ok).alias("needs_confirmation"))


def plan(execute_on: date | None = None):  # noqa: ANN201 - returns the step body
    """``inquiry seize plan``: (re)build the candidates; nothing is seized."""

    def body(ctx: Context) -> StepResult:
        cfg = load_config(ctx.ws.home)
        if execute_on is not None and execute_on < ctx.today:
            raise StepFailed(f"執行日が過去です (execution date {execute_on} is before today)")
        frame = _candidates(ctx, cfg)
        chosen = frame.filter(pl.col("why") == "candidate") if frame.height else frame
        planned_at = ctx.now.isoformat(timespec="seconds")
        ctx.store.conn.execute("DELETE FROM seizure_candidates")
        ctx.store.insert(
            "seizure_candidates",
            chosen.select(
                "account_key", pl.int_range(1, pl.len() + 1).alias("candidate_no"), "person_id", "class", "priority", "balance_yen",
                "answered_on", pl.lit(execute_on.isoformat() if execute_on else None, _S).alias("execute_on"), "flags",
                pl.col("protected").cast(pl.Int8), pl.lit(planned_at).alias("planned_at"),
            ),
        )
        counts = dict(frame["why"].value_counts().iter_rows()) if frame.height else {}
        result = StepResult(title="差押予定 候補 (seize plan)")
        result.counts = {"hit_accounts": frame.height} | {label: int(counts.get(k, 0)) for k, label in _WHY.items()}
        result.counts |= {
            "candidates 要本人確認 (PROBABLE)": int(chosen["needs_confirmation"].sum()) if chosen.height else 0,
            f"candidates {PROTECTED_FLAG}": int(chosen["protected"].sum()) if chosen.height else 0,
            "candidates 回答が古い": int(chosen["flags"].fill_null("").str.contains("回答が古い").sum()) if chosen.height else 0,
        }
        result.notes.append(f"設定・文言 (settings and wording): {cfg.source}")
        result.notes.append("→ inquiry seize export --out F で選択シートを出力し、選択して inquiry seize import F で取り込みます")
        return result

    return body


# -- 2. the selection sheet ----------------------------------------------------
def _fingerprint(frame: pl.DataFrame) -> pl.Series:
    joined = pl.concat_str(
        [pl.col(c).cast(_S).fill_null("") for c in ("account_key", "person_id", "class", "flags", "planned_at")], separator="\x1f"
    )
    return pl.Series(FINGERPRINT, [hashlib.sha256(t.encode("utf-8")).hexdigest()[:16] for t in frame.select(joined).to_series().to_list()], dtype=_S)


_CANDIDATE_SQL = """
    SELECT c.account_key, c.candidate_no, c.person_id, c.class, c.priority, c.balance_yen, c.answered_on, c.execute_on,
           c.flags, c.protected, c.planned_at, p.name_kanji, p.staff_code, p.arrears_yen, i.name AS bank_name
    FROM seizure_candidates c
    LEFT JOIN persons p ON p.person_id = c.person_id
    LEFT JOIN institutions i ON i.bank_code = substr(c.account_key, 1, 4)
    ORDER BY c.candidate_no
"""
_CANDIDATE_SCHEMA = {
    "account_key": _S, "candidate_no": _I, "person_id": _S, "class": _S, "priority": _I, "balance_yen": _I, "answered_on": _S,
    "execute_on": _S, "flags": _S, "protected": _I, "planned_at": _S, "name_kanji": _S, "staff_code": _S, "arrears_yen": _I, "bank_name": _S,
}  # fmt: skip


def selection_sheet(store: Store) -> pl.DataFrame:
    """The candidates as the sheet a person fills in (Japanese headers; the last columns are theirs)."""
    c = store.frame(_CANDIDATE_SQL, schema=_CANDIDATE_SCHEMA).with_columns(_account_parts())
    return c.select(
        pl.col("account_key").alias(KEY),
        pl.col("candidate_no").alias("候補番号"),
        pl.col("person_id").alias("宛名番号"),
        pl.col("name_kanji").alias("氏名"),
        pl.col("class").alias("分類"),
        pl.col("bank_name").fill_null(pl.col("bank_code")).alias("金融機関"),
        pl.col("branch_code").alias("支店コード"),
        pl.col("account_type").replace_strict(ACCOUNT_TYPE_LABELS, default=None, return_dtype=_S).alias("種目"),
        pl.col("account_number").alias("口座番号"),
        pl.col("balance_yen").alias("残高 (円)"),
        pl.col("answered_on").alias("回答日"),
        pl.col("arrears_yen").alias("滞納額 (円)"),
        pl.col("flags").alias("確認事項"),
        pl.lit(None, _S).alias(SELECT),
        pl.col("staff_code").alias(STAFF),
        pl.col("execute_on").alias(EXECUTE_ON),
        pl.lit(None, _S).alias(CONFIRM),
        pl.lit(None, _S).alias(OVERRIDE),
        pl.lit(None, _S).alias("備考"),
        _fingerprint(c),
    )


def _write_xlsx(sheet: pl.DataFrame, path: Path) -> None:
    import xlsxwriter

    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    with xlsxwriter.Workbook(str(path), options) as wb:
        sheet.write_excel(
            workbook=wb, worksheet="差押予定", column_formats={"残高 (円)": "#,##0", "滞納額 (円)": "#,##0"},
            header_format={"bold": True, "bg_color": "#EEF2F7", "text_wrap": True}, freeze_panes=(1, 2), autofit=False,
            column_widths={c: (40 if c == "確認事項" else 12) for c in sheet.columns}, hidden_columns=[FINGERPRINT],
            table_style="Table Style Light 1",
        )  # fmt: skip
        ws = wb.get_worksheet_by_name("差押予定")
        for col in (SELECT, CONFIRM, OVERRIDE):
            i = sheet.columns.index(col)
            ws.data_validation(1, i, max(sheet.height, 1), i, {"validate": "list", "source": ["○"], "error_type": "warning"})


def sheet_export(out: Path):  # noqa: ANN201 - returns the step body
    """``inquiry seize export --out F``: the candidates as a selection sheet (.xlsx or .csv)."""

    def body(ctx: Context) -> StepResult:
        sheet = selection_sheet(ctx.store)
        part = write_sheet(ctx, out, sheet, _write_xlsx, "選択シート")
        result = StepResult(title="差押予定 選択シート出力 (seize export)", parts=[part], persons_shown=sheet["宛名番号"].n_unique() if sheet.height else 0)
        result.counts = {"candidates": sheet.height}
        result.notes.append(f"→ {out}  ({SELECT} 列に ○、{STAFF}・{EXECUTE_ON} を記入し inquiry seize import {out.name} で取り込みます)")
        return result

    return body


def _parse_sheet(path: Path) -> tuple[pl.DataFrame, list[str]]:
    """The sheet's rows with parsed marks and dates; the problems that refuse it whole."""
    sheet = read_sheet(path)
    missing = [c for c in (KEY, SELECT, STAFF, EXECUTE_ON, CONFIRM, OVERRIDE, FINGERPRINT) if c not in sheet.columns]
    if missing:
        raise StepFailed(f"{path}: 選択シートの列がありません (missing columns): {', '.join(missing)} — inquiry seize export で出力したシートを使ってください")
    sheet = sheet.select(
        "line",
        unneutralise(pl.col(KEY)).str.strip_chars().alias("account_key"),
        unneutralise(pl.col(FINGERPRINT)).str.strip_chars().alias("fp"),
        unneutralise(pl.col(STAFF)).str.strip_chars().alias("staff"),
        # a date typed into Excel comes back as ``2026-12-19 00:00:00``
        pl.col(EXECUTE_ON).str.strip_chars().str.replace(r"[ T]00:00(?::00)?(?:\.0+)?$", "").alias("execute_text"),
        *[pl.col(c).alias(n) for c, n in ((SELECT, "select_text"), (CONFIRM, "confirm_text"), (OVERRIDE, "override_text"))],
    )
    problems: list[str] = []
    marks = (("selected", "select_text", SELECT), ("confirm", "confirm_text", CONFIRM), ("override", "override_text", OVERRIDE))
    for _, text, label in marks:  # the mistakes only: one message per unreadable cell
        bad = sheet.filter((_mark_word(text) != "") & ~_mark_word(text).is_in(YES))
        problems += [f"{path.name}:{line}: {label}: {value!r} は読めません: ○ か空欄で記入してください (write ○ or leave blank)"
                     for line, value in bad.select("line", text).iter_rows()]
    sheet = sheet.with_columns(*[_mark_word(text).is_in(YES).alias(name) for name, text, _ in marks])
    sheet = sheet.with_columns(parse_date(pl.col("execute_text")).alias("execute_on"))
    selected = sheet.filter(pl.col("selected"))
    for line in selected.filter(pl.col("execute_text").fill_null("") == "")["line"].to_list():
        problems.append(f"{path.name}:{line}: {EXECUTE_ON} を記入してください (execution date missing)")
    for line, text in selected.filter((pl.col("execute_text").fill_null("") != "") & pl.col("execute_on").is_null()).select("line", "execute_text").iter_rows():
        problems.append(f"{path.name}:{line}: {EXECUTE_ON} を読めません (cannot read date {text!r})")
    for line in selected.filter(pl.col("staff").fill_null("") == "")["line"].to_list():
        problems.append(f"{path.name}:{line}: {STAFF} を記入してください (staff missing)")
    marked = sheet.filter(pl.col("selected") | pl.col("confirm") | pl.col("override"))
    for line in marked.filter(pl.col("account_key").is_null())["line"].to_list():
        problems.append(f"{path.name}:{line}: 口座キーが空です (empty account key)")
    for key, lines in marked.group_by("account_key").agg("line").filter(pl.col("line").list.len() > 1).iter_rows():
        problems.append(f"{path.name}:{','.join(map(str, sorted(lines)))}: 同じ口座が複数行にあります (account {key} appears twice)")
    return marked, problems


def sheet_import(path: Path):  # noqa: ANN201 - returns the step body
    """``inquiry seize import F``: record confirmations, plan the selected rows with 文書番号."""

    def body(ctx: Context) -> StepResult:
        cfg = load_config(ctx.ws.home)
        marked, problems = _parse_sheet(path)
        if problems:
            shown = "\n  ".join(problems[:20]) + (f"\n  … ほか {len(problems) - 20} 件" if len(problems) > 20 else "")
            raise StepFailed(f"選択シートに不備があるため取り込みません (sheet refused, nothing applied):\n  {shown}")
        current = ctx.store.frame(_CANDIDATE_SQL, schema=_CANDIDATE_SCHEMA)
        current = current.with_columns(_fingerprint(current).alias("now_fp")).drop("execute_on")
        checked = marked.join(current, on="account_key", how="left")
        fresh_rows = pl.col("now_fp").is_not_null() & (pl.col("now_fp") == pl.col("fp").fill_null(""))
        stale, fresh = checked.filter(~fresh_rows), checked.filter(fresh_rows)
        result = StepResult(title="差押予定 選択の取込 (seize import)")
        reasons = [stale.select("line", pl.format("口座 {} は候補にないか、シート出力後に候補が作り直されています (stale: run seize export again): not applied", pl.col("account_key")).alias("reason"))]

        # confirmations first: a PROBABLE owner confirmed on this sheet may be selected on it
        at = ctx.now.isoformat(timespec="seconds")
        confirm = fresh.filter(pl.col("confirm") & (pl.col("class") == "PROBABLE"))
        ctx.store.conn.executemany(
            "INSERT INTO seizure_confirmations (account_key, person_id, confirmed_by, confirmed_at, staff) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (account_key) DO UPDATE SET person_id = excluded.person_id, confirmed_by = excluded.confirmed_by, "
            "confirmed_at = excluded.confirmed_at, staff = excluded.staff",
            [(k, p, ctx.operator, at, s) for k, p, s in confirm.select("account_key", "person_id", "staff").iter_rows()],
        )
        wanted = fresh.filter(pl.col("selected"))
        unconfirmed = pl.col("flags").fill_null("").str.contains(NEEDS_CONFIRMATION, literal=True) & ~pl.col("confirm")
        unprotected = (pl.col("protected") == 1) & ~pl.col("override")
        refusal = (
            pl.when(unconfirmed)
            .then(pl.format("口座 {}: PROBABLE のため {} 列に ○ (本人であることを確認) がなければ選択できません: not planned", pl.col("account_key"), pl.lit(CONFIRM)))
            .when(unprotected)
            .then(pl.format("口座 {}: {} のため {} 列に ○ がなければ選択できません: not planned", pl.col("account_key"), pl.lit(PROTECTED_FLAG), pl.lit(OVERRIDE)))
            .when(pl.col("execute_on") < pl.lit(ctx.today))
            .then(pl.format("口座 {}: 執行日 {} が過去です (execution date in the past): not planned", pl.col("account_key"), pl.col("execute_on")))
        )
        wanted = wanted.with_columns(refusal.alias("reason"))
        reasons.append(wanted.filter(pl.col("reason").is_not_null()).select("line", "reason"))
        ok = wanted.filter(pl.col("reason").is_null())
        planned, late = _plan_rows(ctx, cfg, ok)
        reasons.append(late)
        for frame in reasons:
            result.add_rejects(rejects_frame(path, frame["line"], frame["reason"]))
        result.files[path.name] = sha256_of(path)
        result.counts = {
            "rows_marked": marked.height,
            "confirmations_recorded": confirm.height,
            "selected": wanted.height,
            "planned": planned.height,
            "refused": wanted.height - ok.height + late.height,
            "stale (refused)": stale.height,
            "document_numbers": f"{planned['doc_no'].min()} – {planned['doc_no'].max()}" if planned.height else "-",
        }
        result.persons_shown = int(fresh["person_id"].n_unique()) if fresh.height else 0
        return result

    return body


_NOTICE_SQL = """
    SELECT a.rowid AS _row, a.bank_name AS answer_bank_name, a.branch_name, a.holder_address, r.file_name AS source_file
    FROM answers a LEFT JOIN response_files r ON r.sha256 = a.response_sha
    WHERE a.rowid IN (SELECT value FROM json_each(?))
"""


def _plan_rows(ctx: Context, cfg: SeizureConfig, rows: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
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
    late = paid.select("line", pl.format("口座 {}: 候補作成後の納付で完納しています (arrears paid since the plan): not planned", pl.col("account_key")).alias("reason"))
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


# -- 3. the last checks again, and the list -----------------------------------
_LIVE_SQL = f"""
    SELECT s.doc_no, s.account_key, s.person_id, s.class, s.answered_on, s.confirmed_by, s.confirmed_at, s.override_by, s.override_at,
           m.account_key IS NOT NULL AS linked, m.link_class, m.link_person
    FROM seizures s
    LEFT JOIN (SELECT account_key, {EFFECTIVE_CLASS_SQL} AS link_class, {EFFECTIVE_PERSON_SQL} AS link_person FROM matches) m
      ON m.account_key = s.account_key
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
        return {"live_checked": 0, "pulled (引抜: 完納)": 0, "pulled (引抜: 名寄せ変更)": 0, "reduced (納付あり)": 0, f"flagged {PROTECTED_FLAG}": 0}
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
    reason = pl.when(pl.col("relinked")).then(pl.lit("名寄せ変更 (the account's link no longer names this person as a hit)")).otherwise(pl.lit("完納 (arrears paid)"))
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
        "pulled (引抜: 完納)": int((~pull["relinked"]).sum()),
        "pulled (引抜: 名寄せ変更)": int(pull["relinked"].sum()),
        "reduced (納付あり)": int((frame["flag2"].is_not_null() & ~frame["doc_no"].is_in(pull["doc_no"].implode())).sum()),
        f"flagged {PROTECTED_FLAG}": int(frame["protected"].sum()),
    }


def seizure_list(store: Store) -> pl.DataFrame:
    """The 預金差押予定一覧: every numbered seizure (planned and pulled), in 文書番号 order."""
    text = ("registered_at", "person_id", "name", "staff", "execute_on", "resident_address", "bank_address", "bank_name", "branch_name",
            "branch_code", "account_type_label", "account_number", "wording1", "wording2", "wording3", "doc_no", "source_file", "flag1", "flag2", "flag3")  # fmt: skip
    rows = store.frame(f"SELECT {', '.join(text)} FROM seizures ORDER BY fiscal_year, doc_number", schema=dict.fromkeys(text, _S))
    return rows.select(
        pl.col("registered_at").str.to_datetime(strict=False).dt.strftime("%Y/%m/%d %H:%M:%S"),
        *[pl.col(c) for c in ("person_id", "name", "staff")],
        date_to_wareki_text(pl.col("execute_on").str.to_date(strict=False)).alias("execute_on"),
        *[pl.col(c) for c in text[5:]],
    ).rename(dict(zip(text, LIST_COLUMNS, strict=True)))


def export_seizures(out: Path | None):  # noqa: ANN201 - returns the step body
    """``inquiry export seizures``: the last checks again, then the 預金差押予定一覧 (UTF-8 BOM, Excel-safe)."""

    def body(ctx: Context) -> StepResult:
        cfg = load_config(ctx.ws.home)
        checks = _recheck(ctx, cfg)
        frame = seizure_list(ctx.store)
        path = out or ctx.ws.reports / LIST_NAME
        part = ctx.ws.part_path(path)
        write_csv(frame, part)
        part.chmod(0o600)
        result = StepResult(title="預金差押予定一覧 (export seizures)", parts=[part], persons_shown=frame["宛名番号"].n_unique() if frame.height else 0)
        result.counts = {"rows": frame.height, "planned": int(frame["処理済フラグ1"].is_null().sum())} | checks
        result.notes.append(f"→ {path}")
        return result

    return body


# -- 4. 引抜 --------------------------------------------------------------------
def cancel(doc_no: str, reason: str):  # noqa: ANN201 - returns the step body
    """``inquiry seize cancel <文書番号> --reason R``: pull one planned seizure; its number stays used."""

    def body(ctx: Context) -> StepResult:
        if not reason.strip():
            raise StepFailed("--reason に引抜の理由を書いてください (a reason is required)")
        row = ctx.store.conn.execute("SELECT status, person_id FROM seizures WHERE doc_no = ?", (doc_no,)).fetchone()
        if row is None:
            raise StepFailed(f"文書番号 {doc_no} の差押予定はありません (no seizure with this document number)")
        if row[0] != "PLANNED":
            raise StepFailed(f"文書番号 {doc_no} は引抜済です (already cancelled)")
        at = ctx.now.isoformat(timespec="seconds")
        ctx.store.conn.execute(
            "UPDATE seizures SET status = 'CANCELLED', flag1 = ?, cancelled_by = ?, cancelled_at = ?, cancel_reason = ? WHERE doc_no = ?",
            (f"引抜 {ctx.today.isoformat()} {ctx.operator}: {reason.strip()}", ctx.operator, at, reason.strip(), doc_no),
        )
        result = StepResult(title="引抜 (seize cancel)", counts={"cancelled": 1}, persons_shown=1)
        result.notes.append(f"文書番号 {doc_no} を引抜きました (cancelled)")
        return result

    return body


# -- the report's section -------------------------------------------------------
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
