"""``inquiry seize cancel <文書番号> --reason R``: pull (引抜) one planned seizure by hand, audited; its number stays used."""

from __future__ import annotations

from inquiry.messages import text
from inquiry.runtime.step import Context, StepBody, StepFailed, StepResult

__all__ = ["cancel"]


def cancel(doc_no: str, reason: str) -> StepBody:
    """``inquiry seize cancel <文書番号> --reason R``: pull one planned seizure; its number stays used."""

    def body(ctx: Context) -> StepResult:
        if not reason.strip():
            raise StepFailed(text("seize_cancel_no_reason"))
        row = ctx.store.conn.execute("SELECT status, person_id FROM seizures WHERE doc_no = ?", (doc_no,)).fetchone()
        if row is None:
            raise StepFailed(text("seize_cancel_unknown", doc_no=doc_no))
        if row[0] != "PLANNED":
            raise StepFailed(text("seize_cancel_already", doc_no=doc_no))
        at = ctx.now.isoformat(timespec="seconds")
        ctx.store.conn.execute(
            "UPDATE seizures SET status = 'CANCELLED', flag1 = ?, cancelled_by = ?, cancelled_at = ?, cancel_reason = ? WHERE doc_no = ?",
            (f"引抜 {ctx.today.isoformat()} {ctx.operator}: {reason.strip()}", ctx.operator, at, reason.strip(), doc_no),
        )
        result = StepResult(title=text("seize_cancel_title"), counts={"cancelled": 1}, persons_shown=1)
        result.notes.append(text("seize_cancelled", doc_no=doc_no))
        return result

    return body
