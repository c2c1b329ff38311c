"""``inquiry nightly``: the scheduled job — ingest, match, followups, report, purge.

The job takes the workspace lock once, before its first stage, and keeps it
until its last has finished (protection.md): no other command can run
between two stages and see, or change, a half-done night. A job that finds
the workspace busy waits briefly, then refuses whole, like any command.

Each stage is its own committed command (its own transaction, audit
entry ``nightly <stage>``, rejects file), so a failure or a kill in one stage
never undoes the stages before it, and running the job again simply finishes
what is left: ingest skips files already ingested, match links new accounts
and re-links those not yet final only when new answers or persons arrived,
purge deletes only what is due. A failed stage does not stop the
later ones — above all the purge, which must run every night whatever else
goes wrong; only Ctrl-C stops the job (the stage it hits rolls back). The
exit code is the worst of the stages (0 / 1 / 2, outputs.md).

``followups`` and ``report`` are run when their modules
(``inquiry.steps.followups``, ``inquiry.report.step``) are installed; a missing one is
said in the summary.
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from contextlib import ExitStack
from datetime import date
from pathlib import Path
from typing import Any

from rich.table import Table

from inquiry.messages import text
from inquiry.runtime.lock import WorkspaceBusy
from inquiry.runtime.step import StepBody, console, run_step
from inquiry.runtime.workspace import NotAWorkspace, Workspace

__all__ = ["run_nightly", "STAGES"]

#: the stages, in order
STAGES = ("ingest", "match", "followups", "report", "purge")


def _bodies(as_of: date | None) -> list[tuple[str, Callable[[], StepBody | None]]]:
    from inquiry.report.step import report
    from inquiry.steps.followups import followups
    from inquiry.steps.ingest import ingest
    from inquiry.steps.match import match
    from inquiry.steps.purge import purge

    return [
        ("ingest", lambda: ingest(None)),
        ("match", match),
        ("followups", followups),
        ("report", lambda: report(out=None)),
        ("purge", lambda: purge(as_of)),
    ]


def run_nightly(home: Path, *, as_of: date | None = None, operator: str | None = None) -> int:
    """Run every stage as its own step; return the worst exit code."""
    try:
        ws = Workspace.open(home)
    except (NotAWorkspace, ValueError) as exc:  # ValueError: invalid settings
        console.print(f"[red]{text('error', error=exc)}[/red]")
        return 2
    if ws.tightened_note():
        console.print(f"[yellow]{ws.tightened_note()}[/yellow]")
    outcome: list[tuple[str, str]] = []
    worst = 0
    with ExitStack() as held:
        try:
            held.enter_context(ws.lock())  # released when the last stage is done
        except WorkspaceBusy as exc:
            console.print(f"[red]{text('error', error=exc)}[/red]")
            console.print(f"[red]{text('nightly_not_run')}[/red]")
            return 2
        interrupt = held.enter_context(_StopOnInterrupt())
        for stage, make in _bodies(as_of):
            if interrupt.seen:  # Ctrl-C stops the job; the stage it hit committed nothing
                outcome.append((stage, text("stage_interrupted")))
                continue
            try:
                code = _run_stage(home, stage, make, as_of, operator)
            except KeyboardInterrupt:  # between two stages: nothing of the next one began
                interrupt.seen, code = True, 2
            worst = max(worst, code if code is not None else 0)
            outcome.append((stage, text(_OUTCOME[code])))
    _print_outcome(outcome)
    return 2 if interrupt.seen else worst


#: a stage's exit code (None: its module is not installed) → the message that says it
_OUTCOME = {None: "stage_not_installed", 0: "stage_done", 1: "stage_rejected", 2: "stage_failed"}


class _StopOnInterrupt:
    """Notes a Ctrl-C (still raised as KeyboardInterrupt, so the running stage rolls back) to stop the job."""

    def __init__(self) -> None:
        self.seen = False
        self._previous: Any = None

    def _handler(self, signum: int, frame: Any) -> None:
        self.seen = True
        raise KeyboardInterrupt

    def __enter__(self) -> _StopOnInterrupt:
        try:
            self._previous = signal.signal(signal.SIGINT, self._handler)
        except ValueError:  # not the main thread: leave signals alone
            self._previous = None
        return self

    def __exit__(self, *exc: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)


def _run_stage(home: Path, stage: str, make: Callable[[], StepBody | None], as_of: date | None, operator: str | None) -> int | None:
    """Run one stage as its own step, under the lock the job holds; None when its module is not installed."""
    try:
        body = make()
    except Exception as exc:  # a stage that cannot even be built is a failed stage, not a crash
        console.print(f"[red]{stage}: {text('internal_error', kind=type(exc).__name__, error=exc)}[/red]")
        return 2
    if body is None:
        return None
    options: dict[str, Any] = {"as_of": as_of.isoformat()} if stage == "purge" and as_of else {}
    return run_step(home, f"nightly {stage}", options, body, operator=operator, locked=True)


def _print_outcome(outcome: list[tuple[str, str]]) -> None:
    table = Table(title=text("nightly_title"), show_header=True, header_style="bold")
    table.add_column(text("nightly_stage"))
    table.add_column(text("nightly_exit"))
    for stage, said in outcome:
        table.add_row(stage, said)
    console.print(table)
