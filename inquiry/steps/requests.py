"""Request files leaving for a service: ids, splitting, writing, recording.

One mechanism for basic inquiries (``prepare``) and history inquiries
(``followups``): ids unique for ever in the workspace, at most
``max_inquiries_per_file`` per file, each file written as ``.part`` (published
after the commit), its SHA-256 in ``request_files`` and the audit entry.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

import polars as pl

import formats
from inquiry.messages import text
from inquiry.runtime.step import Context, StepResult

__all__ = ["WRITERS", "assign_ids", "write_request_files"]

#: request files written side by side (the codecs run mostly outside Python's lock, in polars)
WRITERS = 2


def assign_ids(ctx: Context, rows: pl.DataFrame, *, prefix: str, sequence: str, column: str) -> pl.DataFrame:
    """Give each row an id ``<prefix><YYYYMMDD>-<8 digits>`` from a counter that never goes back.

    ≤ 20 characters of ``0-9A-Z-`` as formats.md requires; the counter lives
    in the store, so ids stay unique also after purges.
    """
    if rows.height == 0:
        return rows.with_columns(pl.lit(None, dtype=pl.Utf8).alias(column))
    first = ctx.store.next_sequence(sequence, rows.height)
    number = (pl.int_range(pl.len()) + first).cast(pl.Utf8).str.zfill(8)
    return rows.with_columns(pl.format("{}{}-{}", pl.lit(prefix), pl.lit(ctx.today.strftime("%Y%m%d")), number).alias(column))


def write_request_files(
    ctx: Context,
    result: StepResult,
    provider: str,
    kind: str,
    rows: pl.DataFrame,
    to_frame: Callable[[pl.DataFrame], pl.DataFrame],
    *,
    record: Callable[[str, pl.DataFrame], None] | None = None,
) -> list[tuple[str, pl.DataFrame]]:
    """Write ``rows`` as request files of ``provider``; return ``(file name, rows in it)`` for each.

    Every file is written and recorded (``.part``, ``request_files``, the
    audit hashes) before this returns — not lazily as a generator would,
    where a caller that stopped iterating (or never began) would silently
    leave files unwritten. The caller records its own rows (inquiries,
    follow-ups) for each file, inside the same transaction: through
    ``record(name, rows)``, called for each file in order once it is written,
    while :data:`WRITERS` worker threads write the next files (the codecs and
    SQLite's inserts both run outside Python's lock for most of their time:
    on two cores a year's request files are written two at a time while its
    inquiries are stored, and the writing, not the storing, is the longer
    part), or from the list returned. The store is touched by the calling
    thread only; a write that failed raises here, and a ``.part`` left
    behind is discarded by the next command (:meth:`Workspace.recover`).
    """
    settings = ctx.settings
    max_rows = settings.max_inquiries_per_file
    created = ctx.now.isoformat(timespec="seconds")
    written_files: list[tuple[str, pl.DataFrame]] = []

    def done(name: str, batch: pl.DataFrame, writing: Future[formats.WriteResult]) -> None:
        written = writing.result()
        for t in written.truncations.iter_rows(named=True):
            result.notes.append(f"[yellow]{text('request_truncated', file=name, field=t['field'], original=t['original'], written=t['written'])}[/yellow]")
        result.files[name] = written.sha256
        ctx.store.conn.execute(
            "INSERT INTO request_files (file_name, provider, kind, sha256, rows, created_at) VALUES (?,?,?,?,?,?)",
            (name, provider, kind, written.sha256, batch.height, created),
        )
        written_files.append((name, batch))
        if record is not None:
            record(name, batch)

    with ThreadPoolExecutor(max_workers=WRITERS, thread_name_prefix="request-write") as writer:
        pending: deque[tuple[str, pl.DataFrame, Future[formats.WriteResult]]] = deque()
        for start in range(0, rows.height, max_rows):
            batch = rows.slice(start, max_rows)
            seq = ctx.store.next_sequence(f"file:{provider}:{ctx.today:%Y%m%d}", 1)
            name = formats.request_file_name(provider, settings.municipality_code, ctx.today, seq)  # type: ignore[arg-type]
            part = ctx.ws.part_path(ctx.ws.outbox / name)
            result.parts.append(part)
            writing = writer.submit(
                formats.write_request,
                provider,  # type: ignore[arg-type]
                kind,  # type: ignore[arg-type]
                to_frame(batch),
                part,
                municipality_code=settings.municipality_code,
                municipality_kana=settings.municipality_kana,
                created_on=ctx.today,
                seq=seq,
            )
            pending.append((name, batch, writing))
            if len(pending) > WRITERS:  # the oldest file, recorded while the next ones are written
                done(*pending.popleft())
        while pending:
            done(*pending.popleft())
    return written_files
