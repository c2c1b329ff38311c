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

from inquiry.messages import text
from inquiry.runtime.step import console, run_step
from inquiry.runtime.workspace import default_home

__all__ = ["app", "main"]

app = typer.Typer(
    name="inquiry",
    help=text("help_app"),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
review_app = typer.Typer(help=text("help_review"), no_args_is_help=True)
audit_app = typer.Typer(help=text("help_audit"), no_args_is_help=True)
app.add_typer(review_app, name="review")
app.add_typer(audit_app, name="audit")
payments_app = typer.Typer(help=text("help_payments"), no_args_is_help=True)
app.add_typer(payments_app, name="payments")
seize_app = typer.Typer(help=text("help_seize"), no_args_is_help=True)
app.add_typer(seize_app, name="seize")

@app.callback()
def _start() -> None:
    """Every command, workspace or not (``link`` writes where ``--out`` says), creates owner-only files and folders."""
    from inquiry.runtime.workspace import owner_only

    owner_only()


Home = Annotated[Path | None, typer.Option("--home", help=text("opt_home"))]
Operator = Annotated[str | None, typer.Option("--operator", help=text("opt_operator"))]
Encoding = Annotated[str | None, typer.Option("--encoding", help=text("opt_encoding"))]


def _parse_date(given: str | None) -> date | None:
    if given is None:
        return None
    import polars as pl

    from formats.dates import parse_date

    value = pl.DataFrame({"d": [given]}).select(parse_date(pl.col("d"))).item()
    if value is None:
        console.print(f"[red]{text('cannot_read_date', value=given)}[/red]")
        raise typer.Exit(2)
    return value


def _done(code: int) -> None:
    raise typer.Exit(code)


@app.command(help=text("help_init"))
def init(
    home: Home = None,
    municipality: Annotated[str | None, typer.Option(help=text("opt_init_municipality"))] = None,
    name: Annotated[str | None, typer.Option(help=text("opt_init_name"))] = None,
    kana: Annotated[str | None, typer.Option(help=text("opt_init_kana"))] = None,
    operator: Operator = None,
) -> None:
    from inquiry.steps.init import run_init

    _done(run_init(default_home(home), municipality, name, kana, operator))


@app.command(help=text("help_prepare"))
def prepare(
    master: Annotated[Path, typer.Option(help=text("opt_prepare_master"))],
    institutions: Annotated[Path | None, typer.Option(help=text("opt_prepare_institutions"))] = None,
    dais_list: Annotated[Path | None, typer.Option("--dais-list", help=text("opt_prepare_dais_list"))] = None,
    pipitlinq_list: Annotated[Path | None, typer.Option("--pipitlinq-list", help=text("opt_prepare_pipitlinq_list"))] = None,
    payments: Annotated[Path | None, typer.Option(help=text("opt_prepare_payments"))] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help=text("opt_prepare_as_of"))] = None,
    encoding: Encoding = None,
    home: Home = None,
    operator: Operator = None,
) -> None:
    from inquiry.steps.prepare import PrepareOptions
    from inquiry.steps.prepare import prepare as step

    if institutions is None and dais_list is None and pipitlinq_list is None:
        console.print(f"[red]{text('prepare_institutions_required')}[/red]")
        _done(2)
    opts = PrepareOptions(master, institutions, dais_list, pipitlinq_list, payments, _parse_date(as_of), encoding)
    options = {"master": master.name, "institutions": institutions and institutions.name, "payments": payments and payments.name, "as_of": as_of}
    _done(run_step(default_home(home), "prepare", options, step(opts), operator=operator))


@app.command(help=text("help_sent"))
def sent(
    files: Annotated[list[Path], typer.Argument(help=text("arg_sent_files"))],
    home: Home = None,
    operator: Operator = None,
) -> None:
    from inquiry.steps.sent import sent as step

    _done(run_step(default_home(home), "sent", {"files": [f.name for f in files]}, step(files), operator=operator))


@app.command(help=text("help_ingest"))
def ingest(
    paths: Annotated[list[Path] | None, typer.Argument(help=text("arg_ingest_paths"))] = None,
    home: Home = None,
    operator: Operator = None,
) -> None:
    from inquiry.steps.ingest import ingest as step

    _done(run_step(default_home(home), "ingest", {"files": [p.name for p in paths or []]}, step(paths or None), operator=operator))


@app.command(help=text("help_match"))
def match(home: Home = None, operator: Operator = None) -> None:
    from inquiry.steps.match import match as step

    _done(run_step(default_home(home), "match", {}, step(), operator=operator))


@app.command(help=text("help_followups"))
def followups(
    period_from: Annotated[str | None, typer.Option("--from", help=text("opt_followups_from"))] = None,
    period_to: Annotated[str | None, typer.Option("--to", help=text("opt_followups_to"))] = None,
    home: Home = None,
    operator: Operator = None,
) -> None:
    from inquiry.steps.followups import FollowupOptions
    from inquiry.steps.followups import followups as step

    opts = FollowupOptions(_parse_date(period_from), _parse_date(period_to))
    _done(run_step(default_home(home), "followups", {"from": period_from, "to": period_to}, step(opts), operator=operator))


@app.command(help=text("help_export"))
def export(
    what: Annotated[str, typer.Argument(help=text("arg_export_what"))],
    out: Annotated[Path | None, typer.Option("--out", help=text("opt_export_out"))] = None,
    home: Home = None,
    operator: Operator = None,
) -> None:
    from inquiry.steps.exports import export as step

    if what == "seizures":
        from inquiry.steps.seize import export_seizures

        _done(run_step(default_home(home), "export seizures", {"what": what}, export_seizures(out), operator=operator))
    _done(run_step(default_home(home), f"export {what}", {"what": what}, step(what, out), operator=operator))


@app.command(help=text("help_report"))
def report(
    out: Annotated[Path | None, typer.Option("--out", help=text("opt_report_out"))] = None,
    home: Home = None,
    operator: Operator = None,
) -> None:
    from inquiry.report.step import report as step

    _done(run_step(default_home(home), "report", {"out": out and str(out)}, step(out), operator=operator))


@review_app.command("export", help=text("help_review_export"))
def review_export(
    out: Annotated[Path, typer.Option("--out", help=text("opt_review_export_out"))],
    home: Home = None,
    operator: Operator = None,
) -> None:
    from inquiry.steps.review import review_export as step

    _done(run_step(default_home(home), "review export", {"out": out.name}, step(out), operator=operator))


@review_app.command("import", help=text("help_review_import"))
def review_import(
    sheet: Annotated[Path, typer.Argument(help=text("arg_review_import_sheet"))],
    home: Home = None,
    operator: Operator = None,
) -> None:
    from inquiry.steps.review import review_import as step

    _done(run_step(default_home(home), "review import", {"sheet": sheet.name}, step(sheet), operator=operator))


@app.command(help=text("help_link"))
def link(
    master: Annotated[Path, typer.Option(help=text("opt_link_master"))],
    responses: Annotated[list[Path], typer.Option("--responses", help=text("opt_link_responses"))],
    out: Annotated[Path, typer.Option("--out", help=text("opt_link_out"))],
    requests: Annotated[list[Path] | None, typer.Option("--requests", help=text("opt_link_requests"))] = None,
    encoding: Encoding = None,
) -> None:
    from inquiry.steps.link import run_link

    _done(run_link(master, responses, requests or [], out, encoding))


@app.command(help=text("help_purge"))
def purge(
    as_of: Annotated[str | None, typer.Option("--as-of", help=text("opt_purge_as_of"))] = None,
    home: Home = None,
    operator: Operator = None,
) -> None:
    from inquiry.steps.purge import purge as step

    _done(run_step(default_home(home), "purge", {"as_of": as_of}, step(_parse_date(as_of)), operator=operator))


@app.command(help=text("help_nightly"))
def nightly(
    as_of: Annotated[str | None, typer.Option("--as-of", help=text("opt_nightly_as_of"))] = None,
    home: Home = None,
    operator: Operator = None,
) -> None:
    from inquiry.steps.nightly import run_nightly

    _done(run_nightly(default_home(home), as_of=_parse_date(as_of), operator=operator))


@audit_app.command("verify", help=text("help_audit_verify"))
def audit_verify(home: Home = None) -> None:
    from inquiry.steps.audit_verify import run_verify

    _done(run_verify(default_home(home)))


@app.command(help=text("help_encrypt"))
def encrypt(home: Home = None, operator: Operator = None) -> None:
    from inquiry.steps.encrypt import run_encrypt

    _done(run_encrypt(default_home(home), operator=operator))


@payments_app.command("load", help=text("help_payments_load"))
def payments_load(
    file: Annotated[Path, typer.Argument(help=text("arg_payments_load_file"))],
    encoding: Encoding = None,
    home: Home = None,
    operator: Operator = None,
) -> None:
    from inquiry.steps.payments import load as step

    _done(run_step(default_home(home), "payments load", {"file": file.name}, step(file, encoding), operator=operator))


@seize_app.command("plan", help=text("help_seize_plan"))
def seize_plan(
    execute_on: Annotated[str | None, typer.Option("--execute-on", help=text("opt_seize_plan_execute_on"))] = None,
    home: Home = None,
    operator: Operator = None,
) -> None:
    from inquiry.steps.seize import plan

    _done(run_step(default_home(home), "seize plan", {"execute_on": execute_on}, plan(_parse_date(execute_on)), operator=operator))


@seize_app.command("export", help=text("help_seize_export"))
def seize_export(
    out: Annotated[Path, typer.Option("--out", help=text("opt_seize_export_out"))],
    home: Home = None,
    operator: Operator = None,
) -> None:
    from inquiry.steps.seize import sheet_export

    _done(run_step(default_home(home), "seize export", {"out": out.name}, sheet_export(out), operator=operator))


@seize_app.command("import", help=text("help_seize_import"))
def seize_import(
    sheet: Annotated[Path, typer.Argument(help=text("arg_seize_import_sheet"))],
    home: Home = None,
    operator: Operator = None,
) -> None:
    from inquiry.steps.seize import sheet_import

    _done(run_step(default_home(home), "seize import", {"sheet": sheet.name}, sheet_import(sheet), operator=operator))


@seize_app.command("cancel", help=text("help_seize_cancel"))
def seize_cancel(
    doc_no: Annotated[str, typer.Argument(help=text("arg_seize_cancel_doc_no"))],
    reason: Annotated[str, typer.Option("--reason", help=text("opt_seize_cancel_reason"))],
    home: Home = None,
    operator: Operator = None,
) -> None:
    from inquiry.steps.seize import cancel

    _done(run_step(default_home(home), "seize cancel", {"doc_no": doc_no, "reason": reason}, cancel(doc_no, reason), operator=operator))


@app.command(help=text("help_demo"))
def demo(
    home: Home = None,
    persons: Annotated[int, typer.Option(help=text("opt_demo_persons"))] = 0,
    seed: Annotated[int | None, typer.Option(help=text("opt_demo_seed"))] = None,
) -> None:
    from inquiry.steps.demo import SAMPLE_SEED, run_demo

    _done(run_demo(home or Path("demo-home"), persons, SAMPLE_SEED if seed is None else seed))


def main() -> None:
    app()
