"""``inquiry init``: create the workspace of one office.

There is no default office (protection.md): every request file carries the
municipality's code, so the code and the name are required and checked
(:class:`inquiry.runtime.settings.Settings`) before anything is created; a
folder that is already the workspace of another office is refused. The
creation itself is an audited step like any other.
"""

from __future__ import annotations

from pathlib import Path

from inquiry.messages import text
from inquiry.runtime.step import Context, StepResult, console, run_step

__all__ = ["run_init"]


def run_init(root: Path, municipality: str | None, name: str | None, kana: str | None, operator: str | None) -> int:
    """Create the workspace at ``root``; return the exit code (0, or 2: nothing created)."""
    from pydantic import ValidationError

    from inquiry.runtime.settings import Settings
    from inquiry.runtime.workspace import Workspace

    if not municipality or not name:  # no default office (protection.md): every request file carries its code
        console.print(f"[red]{text('error', error=text('office_required'))}[/red]")
        return 2
    try:
        settings = Settings(municipality_code=municipality, municipality_name=name, **({"municipality_kana": kana} if kana else {}))
    except ValidationError as exc:
        console.print(f"[red]{text('error', error='; '.join(e['msg'].removeprefix('Value error, ') for e in exc.errors()))}[/red]")
        return 2
    try:
        Workspace.init(root, settings)
    except ValueError as exc:  # already the workspace of another office
        console.print(f"[red]{text('error', error=exc)}[/red]")
        return 2

    def body(ctx: Context) -> StepResult:
        return StepResult(title=text("init_title"), counts={"workspace": 1}, notes=[text("workspace_path", path=root.resolve())])

    return run_step(root, "init", {"municipality": municipality}, body, operator=operator)
