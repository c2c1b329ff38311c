"""``inquiry demo``: the whole cycle on a synthetic office, in a new workspace.

Runs exactly the steps an office runs — prepare, sent, ingest, match,
followups, report — through the same :func:`inquiry.runtime.step.run_step`; only the
banks are simulated (:class:`sample_data.BankWorld` answers the
request files the way formats.md says, homonyms included). With no
``--persons`` it uses the office bundled in ``sample_data/office/``.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from inquiry.messages import text
from inquiry.runtime.step import StepBody, console, run_step

__all__ = ["run_demo", "SAMPLE_PERSONS", "SAMPLE_SEED", "DEMO_MARKER", "DEMO_OFFICE"]

#: the bundled office in sample_data/office/ is generate_office(SAMPLE_PERSONS, SAMPLE_SEED)
SAMPLE_PERSONS = 300
SAMPLE_SEED = 20261123

#: the file that marks a folder as a demo workspace (the next demo may delete it)
DEMO_MARKER = ".demo-workspace"
#: where a demo writes its generated office inside the workspace: personal data in form, so
#: ``inquiry purge`` deletes it on the same clock as reports (inquiry/purge.py)
DEMO_OFFICE = "office"


def _fresh_home(home: Path) -> bool:
    if home.exists() and any(home.iterdir()):
        if not (home / DEMO_MARKER).exists():
            console.print(f"[red]{text('demo_home_taken', home=home)}[/red]")
            return False
        shutil.rmtree(home)
    home.mkdir(parents=True, exist_ok=True)
    (home / DEMO_MARKER).write_text("created by inquiry demo; deleted and recreated by the next demo run\n", encoding="utf-8")
    return True


def _seize(home: Path, step: Callable[..., int]) -> None:
    """The seizure plan on the sample office: candidates, a staff member's choice, the 差押予定一覧.

    The demo plays the staff member: it selects every candidate the checks
    raised nothing about (no 要本人確認, no 差押禁止額の確認, no other note) and
    leaves the rest, as a person would, for a closer look.
    """
    from datetime import date, timedelta

    import polars as pl

    from inquiry.steps.seize import (
        SELECT,
        STAFF,
        export_seizures,
        plan,
        sheet_export,
        sheet_import,
    )

    sheet = home / "reports" / "差押予定選択シート.csv"
    step("seize plan", plan(date.today() + timedelta(days=14)))
    if step("seize export", sheet_export(sheet)) == 2:
        return
    rows = pl.read_csv(sheet, infer_schema=False)
    rows = rows.with_columns(
        pl.when(pl.col("確認事項").is_null()).then(pl.lit("○")).alias(SELECT), pl.col(STAFF).fill_null("デモ職員")
    )
    sheet.write_bytes(b"\xef\xbb\xbf" + rows.write_csv(line_terminator="\r\n").encode("utf-8"))
    console.print(f"[cyan]{text('demo_selects')}[/cyan]")
    step("seize import", sheet_import(sheet))
    step("export seizures", export_seizures(None))


def run_demo(home: Path, persons: int = 0, seed: int = SAMPLE_SEED) -> int:
    from inquiry.runtime.settings import Settings
    from inquiry.runtime.workspace import Workspace, owner_only
    from sample_data import BankWorld, generate_office

    owner_only()  # the generated office's files are personal data in form: owner-only like the workspace
    if not _fresh_home(home):
        return 2
    bundled = Path(__file__).resolve().parents[2] / "sample_data" / "office"
    if persons <= 0 and (bundled / "master.csv").exists():
        persons, seed = SAMPLE_PERSONS, SAMPLE_SEED
        console.rule(text("demo_office_bundled", persons=persons))
        office = generate_office(persons, seed=seed)
        inputs = {name: bundled / f"{name}.csv" for name in ("master", "institutions", "payments")}
    else:
        persons = persons if persons > 0 else SAMPLE_PERSONS
        console.rule(text("demo_office", persons=persons, seed=seed))
        office = generate_office(persons, seed=seed)
        inputs = office.write(home / DEMO_OFFICE)
    Workspace.init(home, Settings(municipality_code=office.municipality_code, municipality_name=office.municipality_name))
    world = BankWorld.from_office(office, seed=seed)

    worst = 0

    def step(command: str, body: StepBody, options: dict | None = None) -> int:
        nonlocal worst
        console.rule(f"inquiry {command}")
        code = run_step(home, command, options or {}, body, operator="demo", quiet=False)
        worst = max(worst, code)
        return code

    from inquiry.report.step import report
    from inquiry.steps.followups import followups
    from inquiry.steps.ingest import ingest
    from inquiry.steps.match import match
    from inquiry.steps.prepare import PrepareOptions, prepare
    from inquiry.steps.sent import sent

    opts = PrepareOptions(master=inputs["master"], institutions=inputs["institutions"], payments=inputs["payments"], as_of=office.as_of)
    if step("prepare", prepare(opts)) == 2:
        return 2
    console.print(f"[cyan]{text('demo_banks_answer')}[/cyan]")
    requests = world.answer_outbox(home / "outbox", home / "inbox")
    step("sent", sent(requests))
    step("ingest", ingest())
    step("match", match())

    step("followups", followups())
    history = world.answer_outbox(home / "outbox", home / "inbox")
    if history:
        console.print(f"[cyan]{text('demo_banks_answer_history')}[/cyan]")
        step("sent", sent(history))
        step("ingest", ingest())
        step("followups", followups())  # summarises the answered histories
    _seize(home, step)
    step("report", report(None))

    console.rule(text("demo_finished"))
    console.print(text("workspace_path", path=home.resolve()))
    console.print(text("demo_reports", path=(home / "reports").resolve()))
    for p in sorted((home / "reports").glob("report-*.html")):
        console.print(f"[bold]{text('demo_report', path=p.resolve())}[/bold]")
    return 2 if worst == 2 else 0
