"""``inquiry audit verify``: check the audit trail's hash chain, read-only.

It does not run as a step (no lock, no transaction, no audit entry of its
own): verifying must never change what it verifies. The trail is intact when
every entry's hash chains to the one before and no entry is missing against
the head recorded both in the store and in ``logs/`` (:mod:`inquiry.runtime.audit`).
"""

from __future__ import annotations

from pathlib import Path

from inquiry.messages import text
from inquiry.runtime import audit
from inquiry.runtime.step import console
from inquiry.runtime.workspace import NotAWorkspace, Workspace

__all__ = ["run_verify"]


def run_verify(home: Path) -> int:
    """Verify the workspace's audit trail; return the exit code (0 intact, 2 broken or no workspace)."""
    try:
        ws = Workspace.open(home)
        if ws.tightened_note():
            console.print(f"[yellow]{ws.tightened_note()}[/yellow]")
        store = ws.store()
    except (NotAWorkspace, ValueError) as exc:  # not a workspace; a wrong or missing store key
        console.print(f"[red]{exc}[/red]")
        return 2
    with store:
        _, problem = audit.verify(store)
        expected = audit.expected_entries(store)
        total = store.scalar("SELECT count(*) FROM audit")
    said = text("audit_entries", total=total, expected=expected, head_log=audit.HEAD_LOG)
    if problem is None:
        console.print(text("audit_intact", said=said))
        return 0
    console.print(f"[red]{text('audit_broken', problem=problem, said=said)}[/red]")
    return 2
