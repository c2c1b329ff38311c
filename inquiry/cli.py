"""The ``inquiry`` command line (outputs.md). Thin: parse options, run a step.

Every workspace command goes through :func:`inquiry.runtime.step.run_step`, so every
command locks, commits or rolls back whole, writes its audit entry and its
rejects, prints a summary and exits 0 / 1 / 2 the same way.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from inquiry.runtime.step import console, run_step
from inquiry.runtime.workspace import default_home

__all__ = ["app", "main"]

app = typer.Typer(
    name="inquiry",
    help="預貯金等照会 一括処理 — bulk bank-asset inquiries through DAIS and pipitLINQ.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
review_app = typer.Typer(help="要確認 (REVIEW) の確認シート", no_args_is_help=True)
audit_app = typer.Typer(help="操作履歴 (audit trail)", no_args_is_help=True)
app.add_typer(review_app, name="review")
app.add_typer(audit_app, name="audit")
payments_app = typer.Typer(help="収納情報 (payments feed)", no_args_is_help=True)
app.add_typer(payments_app, name="payments")
seize_app = typer.Typer(help="差押予定 (seizure plan, 差押予定一覧)", no_args_is_help=True)
app.add_typer(seize_app, name="seize")

@app.callback()
def _start() -> None:
    """Every command, workspace or not (``link`` writes where ``--out`` says), creates owner-only files and folders."""
    from inquiry.runtime.workspace import owner_only

    owner_only()


Home = Annotated[Path | None, typer.Option("--home", help="workspace (default: $INQUIRY_HOME or ./inquiry-home)")]
Operator = Annotated[str | None, typer.Option("--operator", help="operator name for the audit trail (default: OS user)")]
Encoding = Annotated[str | None, typer.Option("--encoding", help="force the input encoding (utf-8 / cp932)")]


def _parse_date(text: str | None) -> date | None:
    if text is None:
        return None
    import polars as pl

    from formats.dates import parse_date

    value = pl.DataFrame({"d": [text]}).select(parse_date(pl.col("d"))).item()
    if value is None:
        console.print(f"[red]日付を読めません (cannot read date): {text}[/red]")
        raise typer.Exit(2)
    return value


def _done(code: int) -> None:
    raise typer.Exit(code)


@app.command()
def init(
    home: Home = None,
    municipality: Annotated[str | None, typer.Option(help="全国地方公共団体コード (6 digits with check digit), required")] = None,
    name: Annotated[str | None, typer.Option(help="municipality name (団体名), required")] = None,
    kana: Annotated[str | None, typer.Option(help="name in Zengin kana for DAIS headers")] = None,
    operator: Operator = None,
) -> None:
    """ワークスペースを作成 (create the workspace)."""
    from inquiry.steps.init import run_init

    _done(run_init(default_home(home), municipality, name, kana, operator))


@app.command()
def prepare(
    master: Annotated[Path, typer.Option(help="delinquent master CSV (滞納者一覧)")],
    institutions: Annotated[Path | None, typer.Option(help="institutions master CSV")] = None,
    dais_list: Annotated[Path | None, typer.Option("--dais-list", help="DAIS participating institutions")] = None,
    pipitlinq_list: Annotated[Path | None, typer.Option("--pipitlinq-list", help="pipitLINQ participating institutions")] = None,
    payments: Annotated[Path | None, typer.Option(help="payments feed CSV (収納情報)")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="master export date (default today)")] = None,
    encoding: Encoding = None,
    home: Home = None,
    operator: Operator = None,
) -> None:
    """入力を検証し照会ファイルを作成 (validate inputs, write request files)."""
    from inquiry.steps.prepare import PrepareOptions
    from inquiry.steps.prepare import prepare as step

    if institutions is None and dais_list is None and pipitlinq_list is None:
        console.print("[red]エラー: --institutions か --dais-list / --pipitlinq-list が必要です[/red]")
        _done(2)
    opts = PrepareOptions(master, institutions, dais_list, pipitlinq_list, payments, _parse_date(as_of), encoding)
    options = {"master": master.name, "institutions": institutions and institutions.name, "payments": payments and payments.name, "as_of": as_of}
    _done(run_step(default_home(home), "prepare", options, step(opts), operator=operator))


@app.command()
def sent(
    files: Annotated[list[Path], typer.Argument(help="request files that were uploaded")],
    home: Home = None,
    operator: Operator = None,
) -> None:
    """照会ファイルの送信を記録し削除 (record upload, delete from outbox)."""
    from inquiry.steps.sent import sent as step

    _done(run_step(default_home(home), "sent", {"files": [f.name for f in files]}, step(files), operator=operator))


@app.command()
def ingest(
    paths: Annotated[list[Path] | None, typer.Argument(help="answer files (default: everything in inbox/)")] = None,
    home: Home = None,
    operator: Operator = None,
) -> None:
    """回答ファイルを取込 (ingest answer files of both services)."""
    from inquiry.steps.ingest import ingest as step

    _done(run_step(default_home(home), "ingest", {"files": [p.name for p in paths or []]}, step(paths or None), operator=operator))


@app.command()
def match(home: Home = None, operator: Operator = None) -> None:
    """口座を滞納者に名寄せし分類 (link new accounts; re-link those not final when new answers or persons arrived)."""
    from inquiry.steps.match import match as step

    _done(run_step(default_home(home), "match", {}, step(), operator=operator))


@app.command()
def followups(
    period_from: Annotated[str | None, typer.Option("--from", help="照会期間自 (default: followup_period_months before --to)")] = None,
    period_to: Annotated[str | None, typer.Option("--to", help="照会期間至 (default today)")] = None,
    home: Home = None,
    operator: Operator = None,
) -> None:
    """取引履歴照会の対象を選びファイルを作成 (select accounts for history inquiries, write the requests)."""
    from inquiry.steps.followups import FollowupOptions
    from inquiry.steps.followups import followups as step

    opts = FollowupOptions(_parse_date(period_from), _parse_date(period_to))
    _done(run_step(default_home(home), "followups", {"from": period_from, "to": period_to}, step(opts), operator=operator))


@app.command()
def export(
    what: Annotated[str, typer.Argument(help="matches | outcomes | followups | seizures")],
    out: Annotated[Path | None, typer.Option("--out", help="output CSV (default reports/<what>.csv; seizures: reports/預金差押予定一覧.csv)")] = None,
    home: Home = None,
    operator: Operator = None,
) -> None:
    """CSV 出力 (matches.csv / outcomes.csv / followups.csv / 預金差押予定一覧.csv, UTF-8 with BOM)."""
    from inquiry.steps.exports import export as step

    if what == "seizures":
        from inquiry.steps.seize import export_seizures

        _done(run_step(default_home(home), "export seizures", {"what": what}, export_seizures(out), operator=operator))
    _done(run_step(default_home(home), f"export {what}", {"what": what}, step(what, out), operator=operator))


@app.command()
def report(
    out: Annotated[Path | None, typer.Option("--out", help="folder for report-<date>.html/.xlsx (default reports/)")] = None,
    home: Home = None,
    operator: Operator = None,
) -> None:
    """該当状況報告 (the hit/no-hit report: one self-contained HTML file and an xlsx workbook)."""
    from inquiry.report.step import report as step

    _done(run_step(default_home(home), "report", {"out": out and str(out)}, step(out), operator=operator))


@review_app.command("export")
def review_export(
    out: Annotated[Path, typer.Option("--out", help="sheet to write: .xlsx or .csv")],
    home: Home = None,
    operator: Operator = None,
) -> None:
    """要確認の確認シートを出力 (the REVIEW accounts with candidates and evidence, side by side)."""
    from inquiry.steps.review import review_export as step

    _done(run_step(default_home(home), "review export", {"out": out.name}, step(out), operator=operator))


@review_app.command("import")
def review_import(
    sheet: Annotated[Path, typer.Argument(help="the filled-in sheet (.xlsx or .csv)")],
    home: Home = None,
    operator: Operator = None,
) -> None:
    """確認シートの判定を反映 (apply accept <person_id> / reject decisions)."""
    from inquiry.steps.review import review_import as step

    _done(run_step(default_home(home), "review import", {"sheet": sheet.name}, step(sheet), operator=operator))


@app.command()
def link(
    master: Annotated[Path, typer.Option(help="delinquent master CSV")],
    responses: Annotated[list[Path], typer.Option("--responses", help="basic answer files (repeat)")],
    out: Annotated[Path, typer.Option("--out", help="matches.csv to write")],
    requests: Annotated[list[Path] | None, typer.Option("--requests", help="request files, to know who was inquired")] = None,
    encoding: Encoding = None,
) -> None:
    """ワークスペースなしで名寄せ (stateless: answers + master → matches.csv)."""
    from inquiry.steps.link import run_link

    _done(run_link(master, responses, requests or [], out, encoding))


@app.command()
def purge(
    as_of: Annotated[str | None, typer.Option("--as-of", help="day to apply retention on (default today)")] = None,
    home: Home = None,
    operator: Operator = None,
) -> None:
    """保存期間経過データの消去 (delete inquiry data 60 days after the answer; writes a deletion certificate)."""
    from inquiry.steps.purge import purge as step

    _done(run_step(default_home(home), "purge", {"as_of": as_of}, step(_parse_date(as_of)), operator=operator))


@app.command()
def nightly(
    as_of: Annotated[str | None, typer.Option("--as-of", help="day the purge applies retention on (default today)")] = None,
    home: Home = None,
    operator: Operator = None,
) -> None:
    """夜間処理 (ingest the inbox, match, followups, report, purge; safe to re-run)."""
    from inquiry.steps.nightly import run_nightly

    _done(run_nightly(default_home(home), as_of=_parse_date(as_of), operator=operator))


@audit_app.command("verify")
def audit_verify(home: Home = None) -> None:
    """操作履歴の改ざん検査 (verify the hash chain)."""
    from inquiry.steps.audit_verify import run_verify

    _done(run_verify(default_home(home)))


@app.command()
def encrypt(home: Home = None, operator: Operator = None) -> None:
    """ストアを暗号化 (convert the unencrypted store to SQLCipher with the key of INQUIRY_KEY / INQUIRY_KEY_FILE)."""
    from inquiry.steps.encrypt import run_encrypt

    _done(run_encrypt(default_home(home), operator=operator))


@payments_app.command("load")
def payments_load(
    file: Annotated[Path, typer.Argument(help="payments feed CSV (収納情報: person_id, paid_on, amount_yen)")],
    encoding: Encoding = None,
    home: Home = None,
    operator: Operator = None,
) -> None:
    """収納情報を取込 (record a payments feed; persons whose payments cover the arrears are cleared)."""
    from inquiry.steps.payments import load as step

    _done(run_step(default_home(home), "payments load", {"file": file.name}, step(file, encoding), operator=operator))


@seize_app.command("plan")
def seize_plan(
    execute_on: Annotated[str | None, typer.Option("--execute-on", help="執行日 proposed for every candidate (editable on the sheet)")] = None,
    home: Home = None,
    operator: Operator = None,
) -> None:
    """差押予定の候補を作成 (list the hits a seizure may rest on, with the last checks; nothing is seized)."""
    from inquiry.steps.seize import plan

    _done(run_step(default_home(home), "seize plan", {"execute_on": execute_on}, plan(_parse_date(execute_on)), operator=operator))


@seize_app.command("export")
def seize_export(
    out: Annotated[Path, typer.Option("--out", help="selection sheet to write: .xlsx or .csv")],
    home: Home = None,
    operator: Operator = None,
) -> None:
    """差押予定の選択シートを出力 (the candidates, with 選択 / 職員 / 執行日 columns to fill in)."""
    from inquiry.steps.seize import sheet_export

    _done(run_step(default_home(home), "seize export", {"out": out.name}, sheet_export(out), operator=operator))


@seize_app.command("import")
def seize_import(
    sheet: Annotated[Path, typer.Argument(help="the filled-in selection sheet (.xlsx or .csv)")],
    home: Home = None,
    operator: Operator = None,
) -> None:
    """選択シートを取込 (record 本人確認, plan the selected accounts with 文書番号)."""
    from inquiry.steps.seize import sheet_import

    _done(run_step(default_home(home), "seize import", {"sheet": sheet.name}, sheet_import(sheet), operator=operator))


@seize_app.command("cancel")
def seize_cancel(
    doc_no: Annotated[str, typer.Argument(help="文書番号 of the planned seizure")],
    reason: Annotated[str, typer.Option("--reason", help="why it is pulled (引抜の理由)")],
    home: Home = None,
    operator: Operator = None,
) -> None:
    """差押予定の引抜 (cancel one planned seizure; its number is never reused)."""
    from inquiry.steps.seize import cancel

    _done(run_step(default_home(home), "seize cancel", {"doc_no": doc_no, "reason": reason}, cancel(doc_no, reason), operator=operator))


@app.command()
def demo(
    home: Home = None,
    persons: Annotated[int, typer.Option(help="persons in the synthetic office")] = 0,
    seed: Annotated[int | None, typer.Option(help="random seed of the synthetic office (default: the bundled office's)")] = None,
) -> None:
    """架空の自治体で一連の処理を実行 (run the whole cycle on a synthetic office)."""
    from inquiry.steps.demo import SAMPLE_SEED, run_demo

    _done(run_demo(home or Path("demo-home"), persons, SAMPLE_SEED if seed is None else seed))


def main() -> None:
    app()
