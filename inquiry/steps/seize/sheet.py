"""``inquiry seize export`` / ``seize import``: the selection sheet a person fills in, and reading it back.

The sheet lists the candidates with the columns that are the person's to
fill (選択, 職員, 執行日, 本人確認, 差押禁止額の確認済) and a fingerprint of each
row, so that a sheet exported before the candidates were rebuilt is not
applied. A malformed sheet is refused whole; a row the checks refuse now is
listed in the rejects file and not planned (:mod:`inquiry.steps.seize.register`).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl

from formats import rejects_frame
from formats.dates import parse_date
from formats.files import sha256_of
from inquiry.messages import column_text, text
from inquiry.runtime.csvout import unneutralise
from inquiry.runtime.step import Context, StepBody, StepFailed, StepResult
from inquiry.runtime.store import Store
from inquiry.steps.review import read_sheet, write_sheet
from inquiry.steps.seize.candidates import NEEDS_CONFIRMATION
from inquiry.steps.seize.checks import PROTECTED_FLAG
from inquiry.steps.seize.notice import load_config
from inquiry.steps.seize.register import plan_rows
from inquiry.vocabulary import ACCOUNT_TYPE_LABELS

__all__ = [
    "CONFIRM", "EXECUTE_ON", "FINGERPRINT", "KEY", "OVERRIDE", "SELECT", "STAFF", "YES", "selection_sheet", "sheet_export",
    "sheet_import",
]  # fmt: skip

KEY = "口座キー"
SELECT = "選択"
STAFF = "職員"
EXECUTE_ON = "執行日"
CONFIRM = "本人確認 (PROBABLEのみ)"
OVERRIDE = "差押禁止額の確認済"
FINGERPRINT = "照合値 (変更しないでください)"
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


def _fingerprint(frame: pl.DataFrame) -> pl.Series:
    """Each candidate row's fingerprint: the sheet carries it, so an import can tell a row changed since the export."""
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


def sheet_export(out: Path) -> StepBody:
    """``inquiry seize export --out F``: the candidates as a selection sheet (.xlsx or .csv)."""

    def body(ctx: Context) -> StepResult:
        sheet = selection_sheet(ctx.store)
        part = write_sheet(ctx, out, sheet, _write_xlsx, "選択シート")
        result = StepResult(title=text("seize_export_title"), parts=[part], persons_shown=sheet["宛名番号"].n_unique() if sheet.height else 0)
        result.counts = {"candidates": sheet.height}
        result.notes.append(text("seize_export_next", out=out, select=SELECT, staff=STAFF, execute_on=EXECUTE_ON, name=out.name))
        return result

    return body


def _parse_sheet(path: Path) -> tuple[pl.DataFrame, list[str]]:
    """The sheet's rows with parsed marks and dates; the problems that refuse it whole."""
    sheet = read_sheet(path)
    missing = [c for c in (KEY, SELECT, STAFF, EXECUTE_ON, CONFIRM, OVERRIDE, FINGERPRINT) if c not in sheet.columns]
    if missing:
        raise StepFailed(text("seize_sheet_columns_missing", path=path, columns=", ".join(missing)))
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
    for _, cell, label in marks:  # the mistakes only: one message per unreadable cell
        bad = sheet.filter((_mark_word(cell) != "") & ~_mark_word(cell).is_in(YES))
        problems += [text("seize_sheet_mark_unreadable", file=path.name, line=line, column=label, value=value)
                     for line, value in bad.select("line", cell).iter_rows()]
    sheet = sheet.with_columns(*[_mark_word(cell).is_in(YES).alias(name) for name, cell, _ in marks])
    sheet = sheet.with_columns(parse_date(pl.col("execute_text")).alias("execute_on"))
    selected = sheet.filter(pl.col("selected"))
    for line in selected.filter(pl.col("execute_text").fill_null("") == "")["line"].to_list():
        problems.append(text("seize_sheet_execute_on_missing", file=path.name, line=line, column=EXECUTE_ON))
    for line, value in selected.filter((pl.col("execute_text").fill_null("") != "") & pl.col("execute_on").is_null()).select("line", "execute_text").iter_rows():
        problems.append(text("seize_sheet_execute_on_unreadable", file=path.name, line=line, column=EXECUTE_ON, value=value))
    for line in selected.filter(pl.col("staff").fill_null("") == "")["line"].to_list():
        problems.append(text("seize_sheet_staff_missing", file=path.name, line=line, column=STAFF))
    marked = sheet.filter(pl.col("selected") | pl.col("confirm") | pl.col("override"))
    for line in marked.filter(pl.col("account_key").is_null())["line"].to_list():
        problems.append(text("seize_sheet_key_empty", file=path.name, line=line))
    for key, lines in marked.group_by("account_key").agg("line").filter(pl.col("line").list.len() > 1).iter_rows():
        problems.append(text("seize_sheet_key_twice", file=path.name, lines=",".join(map(str, sorted(lines))), key=key))
    return marked, problems


def sheet_import(path: Path) -> StepBody:
    """``inquiry seize import F``: record confirmations, plan the selected rows with 文書番号."""

    def body(ctx: Context) -> StepResult:
        cfg = load_config(ctx.ws.home)
        marked, problems = _parse_sheet(path)
        if problems:
            shown = "\n  ".join(problems[:20]) + (text("seize_sheet_more_problems", count=len(problems) - 20) if len(problems) > 20 else "")
            raise StepFailed(text("seize_sheet_refused", problems=shown))
        current = ctx.store.frame(_CANDIDATE_SQL, schema=_CANDIDATE_SCHEMA)
        current = current.with_columns(_fingerprint(current).alias("now_fp")).drop("execute_on")
        checked = marked.join(current, on="account_key", how="left")
        fresh_rows = pl.col("now_fp").is_not_null() & (pl.col("now_fp") == pl.col("fp").fill_null(""))
        stale, fresh = checked.filter(~fresh_rows), checked.filter(fresh_rows)
        result = StepResult(title=text("seize_import_title"))
        reasons = [stale.select("line", column_text("seize_row_stale", account=pl.col("account_key")).alias("reason"))]

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
            .then(column_text("seize_row_unconfirmed", account=pl.col("account_key"), column=CONFIRM))
            .when(unprotected)
            .then(column_text("seize_row_protected", account=pl.col("account_key"), flag=PROTECTED_FLAG, column=OVERRIDE))
            .when(pl.col("execute_on") < pl.lit(ctx.today))
            .then(column_text("seize_row_execute_on_past", account=pl.col("account_key"), execute_on=pl.col("execute_on")))
        )
        wanted = wanted.with_columns(refusal.alias("reason"))
        reasons.append(wanted.filter(pl.col("reason").is_not_null()).select("line", "reason"))
        ok = wanted.filter(pl.col("reason").is_null())
        planned, late = plan_rows(ctx, cfg, ok)
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
            "stale_refused": stale.height,
            "document_numbers": f"{planned['doc_no'].min()} – {planned['doc_no'].max()}" if planned.height else "-",
        }
        result.persons_shown = int(fresh["person_id"].n_unique()) if fresh.height else 0
        return result

    return body

