"""How every workspace command runs: one mechanism, so every command behaves alike.

``run_step`` opens the workspace, takes the lock, finishes what a killed
command left (:meth:`Workspace.discard_conversion`,
:meth:`Workspace.recover`), runs the step's body inside ONE store
transaction, appends the audit entry in that same transaction, and only
after the commit publishes the files the step staged (``.part`` →
final name) and runs its clean-ups (deleting sent request files, ingested
answer files). Then it prints the summary and returns the exit code of
outputs.md: 0 all went through, 1 some input rejected (see the rejects
file), 2 failed and nothing committed — or, when the failure came after the
commit (publishing or clean-up), 2 with a message that says what was
committed and that the next command finishes the rest. Operators never see a traceback: an
unexpected error is summarised on screen and written in full to ``logs/``.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import polars as pl
from rich.console import Console
from rich.table import Table

from formats import REJECT_SCHEMA
from formats.errors import FileRejected
from inquiry.messages import count_label, text
from inquiry.runtime import audit
from inquiry.runtime.crypto import configured_key
from inquiry.runtime.lock import WorkspaceBusy
from inquiry.runtime.settings import Settings
from inquiry.runtime.store import Store
from inquiry.runtime.workspace import NotAWorkspace, Workspace

__all__ = ["Context", "StepBody", "StepResult", "StepFailed", "run_step", "failed", "console", "print_summary"]

console = Console(stderr=False, highlight=False)


class StepFailed(Exception):
    """A step cannot go on; the message is for the operator (file and line when known)."""


@dataclass
class Context:
    ws: Workspace
    store: Store
    operator: str
    now: datetime

    @property
    def settings(self) -> Settings:
        return self.ws.settings

    @property
    def today(self) -> date:
        return self.now.date()


@dataclass
class StepResult:
    counts: dict[str, int] = field(default_factory=dict)
    rejects: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=REJECT_SCHEMA))
    files: dict[str, str] = field(default_factory=dict)
    parts: list[Path] = field(default_factory=list)
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    persons_shown: int | None = None
    title: str = ""

    def add_rejects(self, frame: pl.DataFrame) -> None:
        if frame.height:
            self.rejects = pl.concat([self.rejects, frame.select(list(REJECT_SCHEMA)).cast(REJECT_SCHEMA)])


#: what a command's function returns and :func:`run_step` runs: the work of one transaction
StepBody = Callable[[Context], StepResult]


def print_summary(command: str, result: StepResult, rejects_path: Path | None) -> None:
    """The summary table every command ends with; public for the commands that run outside :func:`run_step` (``encrypt``)."""
    table = Table(title=result.title or f"inquiry {command}", show_header=True, header_style="bold")
    table.add_column(text("summary_item"))
    table.add_column(text("summary_count"), justify="right")
    for key, value in result.counts.items():
        table.add_row(count_label(key), f"{value:,}" if isinstance(value, int) else str(value))
    console.print(table)
    for note in result.notes:
        console.print(note)
    if rejects_path is not None:
        console.print(f"[yellow]{text('rejected_rows', count=f'{result.rejects.height:,}', path=rejects_path)}[/yellow]")


def _log_failure(home: Path, command: str) -> Path | None:
    logs = home / "logs"
    if not logs.is_dir():
        return None
    path = logs / f"error-{datetime.now():%Y%m%d-%H%M%S}-{command.replace(' ', '_')}.log"
    path.write_text(traceback.format_exc(), encoding="utf-8")
    return path


def failed(home: Path, command: str, exc: BaseException, state: str) -> int:
    """Tell the operator why a command stopped and what it left (``state``); return exit code 2.

    Never a traceback on screen: an error this program foresaw is said as it
    is; anything else is an internal error, whose traceback goes to
    ``logs/`` (:func:`_log_failure`).
    """
    if isinstance(exc, KeyboardInterrupt):
        console.print(f"[red]{text('interrupted', state=state)}[/red]")
        return 2
    if isinstance(exc, (StepFailed, FileRejected, NotAWorkspace, WorkspaceBusy, ValueError)):
        console.print(f"[red]{text('error', error=exc)}[/red]")
    else:
        log = _log_failure(home, command)
        console.print(f"[red]{text('internal_error', kind=type(exc).__name__, error=exc)}[/red]")
        if log:
            console.print(f"[red]{text('error_details', path=log)}[/red]")
    console.print(f"[red]{state}[/red]")
    return 2


def _committed_but(command: str, after: str) -> str:
    """What a command left when it failed after its commit: the record is in, the files are not all done."""
    return text("committed_but", command=command, after=after)


def run_step(
    home: Path,
    command: str,
    options: dict[str, Any],
    body: StepBody,
    *,
    operator: str | None = None,
    quiet: bool = False,
    locked: bool = False,
) -> int:
    """Run ``body`` as one committed-or-nothing command; return the exit code.

    ``locked``: the caller already holds the workspace lock (``nightly`` holds
    it across all its stages); the step then runs under it, without taking it
    again.
    """
    after = ""  # what was being done after the commit, when something fails there
    try:
        ws = Workspace.open(home)
        if ws.tightened_note():
            console.print(f"[yellow]{ws.tightened_note()}[/yellow]")
        if configured_key(home) is None and not quiet:
            console.print(f"[dim]{text('no_key')}[/dim]")
        with nullcontext() if locked else ws.lock():
            for line in ws.discard_conversion():  # a killed `inquiry encrypt`: before the store is opened
                console.print(f"[dim]{line}[/dim]")
            store = ws.store()
            try:
                for line in ws.recover(store):
                    console.print(f"[dim]{line}[/dim]")
                now = datetime.now()
                ctx = Context(ws, store, audit.current_operator(operator), now)
                with store.transaction():
                    result = body(ctx)
                    rejects_path = ws.write_rejects(result.rejects, now)
                    counts = dict(result.counts)
                    if result.persons_shown is not None:
                        counts["persons_shown"] = result.persons_shown
                    counts["rejected"] = result.rejects.height
                    audit.append(store, operator=ctx.operator, command=command, options=options, counts=counts, files=result.files)
                after = f"recording the audit head in logs/{audit.HEAD_LOG}"
                audit.record_head(ws, store)
                after = "publishing its files (outbox/, reports/)"
                ws.publish(result.parts)
                after = "its clean-up (deleting sent / ingested files, old files, vacuum)"
                for action in result.after_commit:
                    action()
            finally:
                store.close()
    except (Exception, KeyboardInterrupt) as exc:
        if after:  # the transaction committed: saying "nothing was committed" would be false
            return failed(home, command, exc, _committed_but(command, after))
        return failed(home, command, exc, text("nothing_committed"))
    if not quiet:
        print_summary(command, result, rejects_path)
    return 1 if result.rejects.height else 0
