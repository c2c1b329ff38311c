"""``inquiry report``: the supervisors' hit/no-hit report (outputs.md).

The report is built from the store in four rooms, each with one job:
:mod:`~inquiry.report.queries` reads (only the columns shown, through the
store's views), :mod:`~inquiry.report.tables` and
:mod:`~inquiry.report.accounts` compute the tables into the
:mod:`~inquiry.report.model`, and the renderers —
:mod:`~inquiry.report.html` (ONE self-contained page: inline CSS, JS and SVG
charts, no address outside the file, since LGWAN terminals have no network)
and :mod:`~inquiry.report.xlsx` (a workbook, one sheet per table) — read
only the model. This module puts them in order and is the command. Files go
to ``reports/report-<date>.html`` / ``.xlsx``.

Where the time goes, and why the code is shaped so: the store's big tables
are read as text by two child processes side by side
(:meth:`inquiry.runtime.store.Store.fast_frames`); the accounts' tables are
made first and handed to the workbook writer, which builds their sheets on a
second thread while the year's inquiries are still being read; the page is
rendered while the workbook's last sheets are written. An M-size year
(52,668 persons, 928 k inquiries, 305 k accounts) makes a 3.8 MB page and a
26 MB workbook in 7-8 s on two cores.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import polars as pl

from formats.refdata import BANK_TYPE_LABELS
from inquiry.messages import text
from inquiry.report import queries
from inquiry.report.accounts import account_tables
from inquiry.report.model import Report, Table
from inquiry.report.tables import charts, followup_tables, inquiry_tables, kpis
from inquiry.report.xlsx import ReportWorkbook, write_xlsx
from inquiry.runtime.settings import Settings
from inquiry.runtime.step import Context, StepBody, StepResult, console
from inquiry.runtime.store import Store

__all__ = ["build_report", "report", "write_xlsx"]


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
    step(text("report_stage_accounts"))
    reads = store.fast_frames(queries.READS)
    persons = reads["persons"].result()
    acc = queries.accounts(reads["first_answers"].result(), reads["linked"].result())
    inst = queries.institutions(store)
    names = persons.select("person_id", pl.col("name_kanji").alias("name"))
    acc_tables = account_tables(acc, inst, names, today, reads["review_evidence"].result())
    for t in acc_tables:
        on_table(t)
    step(text("report_stage_inquiries"))
    inq = reads["inquiries"].result()
    inq = inq.join(inst.select("bank_code", "type", "type_label", pl.col("name").alias("bank_name")), on="bank_code", how="left").with_columns(
        type=pl.col("type").fill_null("other"), type_label=pl.col("type_label").fill_null(BANK_TYPE_LABELS["other"])
    )
    step(text("report_stage_tables"))
    od = settings.overdue_days
    inq_tables, by_type = inquiry_tables(inq, today, od)
    for t in inq_tables:
        on_table(t)
    step(text("report_stage_followups"))
    fu_tables = followup_tables(reads["followups"].result(), acc, inst, names, persons, inq, queries.paid_since_as_of(store))
    for t in fu_tables:
        on_table(t)
    from inquiry.steps.seize import report_tables as seizure_tables

    step(text("report_stage_seizures"))
    seize_tables = seizure_tables(store)
    for t in seize_tables:
        on_table(t)
    tables = inq_tables + acc_tables + fu_tables + seize_tables
    by_key = {t.key: t for t in tables}

    step(text("report_stage_persons"))
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
        kpis=kpis(inq, by_key, today, od),
        tables=tables,
        charts=charts(inq, by_type, by_key["hits"].frame),
        persons=shown,
        inquiries=detail_inq,
        persons_named=in_files.len(),
    )


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
            task = progress.add_task(text("report_title"), total=stages)

            def step(label: str) -> None:
                progress.update(task, description=text("report_progress", stage=label), advance=1)

            xpart, part = ctx.ws.part_path(xlsx_path), ctx.ws.part_path(html_path)
            book = ReportWorkbook(xpart)
            try:
                rep = build_report(ctx.store, ctx.settings, ctx.now, step, on_table=book.add)
                step(text("report_stage_files"))
                # the page is made here while the workbook's last sheets are written on the other thread
                page = render_html(rep).encode("utf-8")
                part.write_bytes(page)
                part.chmod(0o600)
                book.close(rep)
            except BaseException:
                book.abandon()
                for p in (part, xpart):
                    p.unlink(missing_ok=True)
                raise
            xpart.chmod(0o600)
            step("")
        result = StepResult(title=text("report_title"), parts=[part, xpart], persons_shown=rep.persons_shown)
        kp = {k: v for k, _, v, _ in rep.kpis}
        result.counts = {
            "inquiries": kp["inquiries"], "answered": kp["answered"], "pending": kp["pending"], "overdue": kp["overdue"],
            "hit_accounts": kp["hits"], "review_backlog": kp["review"], "homonyms": kp["homonyms"],
            "html_bytes": len(page),
        }  # fmt: skip
        result.notes += [text("report_written", path=html_path), text("report_written", path=xlsx_path)]
        return result

    return body
