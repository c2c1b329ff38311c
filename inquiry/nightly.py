"""``inquiry nightly``: the scheduled job — ingest, match, followups, report, purge.

Each stage is its own committed command (its own lock, transaction, audit
entry ``nightly <stage>``, rejects file), so a failure or a kill in one stage
never undoes the stages before it, and running the job again simply finishes
what is left: ingest skips files already ingested, match links only unlinked
accounts, purge deletes only what is due. A failed stage does not stop the
later ones — above all the purge, which must run every night whatever else
goes wrong. The exit code is the worst of the stages (0 / 1 / 2,
outputs.md).

``followups`` and ``report`` are run when their modules
(``inquiry.followups``, ``inquiry.report``) are installed; a missing one is
said in the summary.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from rich.table import Table

from inquiry.step import Context, StepResult, console, run_step
from inquiry.workspace import NotAWorkspace, Workspace

__all__ = ["run_nightly", "STAGES"]

#: the stages, in order
STAGES = ("ingest", "match", "followups", "report", "purge")

Body = Callable[[Context], StepResult]


def _optional_body(module: str, factory: str, **kwargs: Any) -> Body | None:
    """The step body of ``inquiry.<module>.<factory>``, or None when that module is not installed."""
    try:
        mod = importlib.import_module(f"inquiry.{module}")
    except ModuleNotFoundError as exc:
        if exc.name == f"inquiry.{module}":
            return None
        raise
    make = getattr(mod, factory)
    accepted = inspect.signature(make).parameters
    return make(**{k: v for k, v in kwargs.items() if k in accepted})


def _bodies(as_of: date | None) -> list[tuple[str, Callable[[], Body | None]]]:
    from inquiry.ingest import ingest
    from inquiry.match import match
    from inquiry.purge import purge

    return [
        ("ingest", lambda: ingest(None)),
        ("match", match),
        ("followups", lambda: _optional_body("followups", "followups")),
        ("report", lambda: _optional_body("report", "report", out=None)),
        ("purge", lambda: purge(as_of)),
    ]


def run_nightly(home: Path, *, as_of: date | None = None, operator: str | None = None) -> int:
    """Run every stage as its own step; return the worst exit code."""
    try:
        Workspace.open(home)
    except NotAWorkspace as exc:
        console.print(f"[red]エラー (error): {exc}[/red]")
        return 2
    outcome: list[tuple[str, str]] = []
    worst = 0
    for stage, make in _bodies(as_of):
        try:
            body = make()
        except Exception as exc:  # a stage that cannot even be built is a failed stage, not a crash
            console.print(f"[red]{stage}: 内部エラー (internal error): {type(exc).__name__}: {exc}[/red]")
            outcome.append((stage, "2 失敗 (failed)"))
            worst = 2
            continue
        if body is None:
            outcome.append((stage, "– 未導入 (module not installed, skipped)"))
            continue
        options: dict[str, Any] = {"as_of": as_of.isoformat()} if stage == "purge" and as_of else {}
        code = run_step(home, f"nightly {stage}", options, body, operator=operator)
        worst = max(worst, code)
        outcome.append((stage, {0: "0 完了 (done)", 1: "1 不備あり (some input rejected)", 2: "2 失敗 (failed, nothing committed)"}[code]))
    table = Table(title="夜間処理 (nightly)", show_header=True, header_style="bold")
    table.add_column("工程 (stage)")
    table.add_column("結果 (exit)")
    for stage, text in outcome:
        table.add_row(stage, text)
    console.print(table)
    return worst
