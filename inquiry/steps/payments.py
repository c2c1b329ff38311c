"""Payments: who has paid since the master was exported, and so is not pursued.

A person whose payments dated after their master's export date (``as_of``)
cover the arrears is *cleared*: no new inquiry, no follow-up, and the report
shows them. Payments are kept by (file hash, line), so loading one feed twice
counts it once.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from formats.files import sha256_of
from formats.inputs import InputTable, read_payments
from inquiry.messages import text
from inquiry.runtime.step import Context, StepBody, StepResult

__all__ = ["record", "mark_cleared", "cleared_persons", "load"]


def record(ctx: Context, table: InputTable, sha: str) -> int:
    """Store the accepted payment rows of the feed whose SHA-256 is ``sha``; return how many were new."""
    before = ctx.store.scalar("SELECT count(*) FROM payments")
    ctx.store.insert(
        "payments",
        table.rows.select("person_id", "paid_on", "amount_yen", pl.lit(sha).alias("source_sha"), "line"),
        on_conflict="ON CONFLICT (source_sha, line) DO NOTHING",
    )
    return int(ctx.store.scalar("SELECT count(*) FROM payments") - before)


def cleared_persons(ctx: Context) -> pl.DataFrame:
    """``person_id, paid_yen, arrears_yen`` of persons whose later payments cover the arrears."""
    return ctx.store.frame(
        """
        SELECT p.person_id, SUM(x.amount_yen) AS paid_yen, p.arrears_yen
        FROM persons p JOIN payments x ON x.person_id = p.person_id AND x.paid_on > p.as_of
        WHERE p.arrears_yen > 0
        GROUP BY p.person_id HAVING SUM(x.amount_yen) >= p.arrears_yen
        """,
        schema={"person_id": pl.Utf8, "paid_yen": pl.Int64, "arrears_yen": pl.Int64},
    )


def mark_cleared(ctx: Context) -> list[str]:
    """Set ``cleared_on`` for newly cleared persons; return every cleared person id."""
    ids = cleared_persons(ctx)["person_id"].to_list()
    ctx.store.conn.executemany(
        "UPDATE persons SET cleared_on = ? WHERE person_id = ? AND cleared_on IS NULL",
        [(ctx.today.isoformat(), pid) for pid in ids],
    )
    return ids


def load(path: Path, encoding: str | None = None) -> StepBody:
    """``inquiry payments load F``: record a payments feed between two runs of ``prepare``.

    ``followups`` reads the payments recorded; a feed loaded twice counts once.
    """

    def body(ctx: Context) -> StepResult:
        result = StepResult(title=text("payments_title"))
        table = read_payments(path, encoding=encoding)
        result.add_rejects(table.rejects)
        if table.unknown_columns:
            result.notes.append(f"[dim]{text('ignored_columns', file=Path(path).name, columns=', '.join(table.unknown_columns))}[/dim]")
        sha = sha256_of(Path(path))
        new = record(ctx, table, sha)
        known = ctx.store.frame("SELECT person_id FROM persons", schema={"person_id": pl.Utf8})["person_id"]
        cleared = mark_cleared(ctx)
        result.counts = {
            "rows_read": table.rows_read,
            "payments_recorded": new,
            "payments_already_recorded": table.rows.height - new,
            "payments_unknown_person": int((~table.rows["person_id"].is_in(known.implode())).sum()),
            "persons_cleared": len(cleared),
        }
        result.persons_shown = len(cleared)
        result.files[Path(path).name] = sha
        return result

    return body
