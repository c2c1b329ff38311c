"""``inquiry seize cancel <文書番号> --reason R``: pull (引抜) one planned seizure by hand, audited; its number stays used."""

from __future__ import annotations

from inquiry.runtime.step import Context, StepBody, StepFailed, StepResult

__all__ = ["cancel"]


def cancel(doc_no: str, reason: str) -> StepBody:
    """``inquiry seize cancel <文書番号> --reason R``: pull one planned seizure; its number stays used."""

    def body(ctx: Context) -> StepResult:
        if not reason.strip():
            raise StepFailed("--reason に引抜の理由を書いてください (a reason is required)")
        row = ctx.store.conn.execute("SELECT status, person_id FROM seizures WHERE doc_no = ?", (doc_no,)).fetchone()
        if row is None:
            raise StepFailed(f"文書番号 {doc_no} の差押予定はありません (no seizure with this document number)")
        if row[0] != "PLANNED":
            raise StepFailed(f"文書番号 {doc_no} は引抜済です (already cancelled)")
        at = ctx.now.isoformat(timespec="seconds")
        ctx.store.conn.execute(
            "UPDATE seizures SET status = 'CANCELLED', flag1 = ?, cancelled_by = ?, cancelled_at = ?, cancel_reason = ? WHERE doc_no = ?",
            (f"引抜 {ctx.today.isoformat()} {ctx.operator}: {reason.strip()}", ctx.operator, at, reason.strip(), doc_no),
        )
        result = StepResult(title="引抜 (seize cancel)", counts={"cancelled": 1}, persons_shown=1)
        result.notes.append(f"文書番号 {doc_no} を引抜きました (cancelled)")
        return result

    return body
