"""``inquiry sent``: request files were uploaded — record it and delete them.

The file's SHA-256 must still be the one recorded when it was written (a
file edited after writing is refused), and the file is deleted from
``outbox/`` once the store has recorded the upload (送受信後直ちに削除).
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from formats import rejects_frame
from formats.files import sha256_of
from inquiry.messages import text
from inquiry.runtime.step import Context, StepBody, StepResult

__all__ = ["sent"]


def sent(files: list[Path]) -> StepBody:
    def body(ctx: Context) -> StepResult:
        result = StepResult(title=text("sent_title"))
        c = {"files": 0, "recorded_sent": 0, "already_sent": 0, "inquiries_sent": 0}
        today = ctx.today.isoformat()
        paths = [given if given.exists() else ctx.ws.outbox / given.name for given in files]
        with ThreadPoolExecutor(max_workers=_HASHERS) as pool:
            # the files this workspace wrote are hashed ahead, side by side (hashlib lets go of Python's lock;
            # at M: 98 files, 420 MB); the hash is checked, in the order given, as each is recorded
            written = {n for (n,) in ctx.store.conn.execute("SELECT file_name FROM request_files WHERE sent_at IS NULL")}
            digests = {p: pool.submit(sha256_of, p) for p in dict.fromkeys(paths) if p.name in written and p.exists()}
            try:
                for given, path in zip(files, paths, strict=True):
                    _record(ctx, result, c, given, path, digests.get(path), today)
            finally:  # a failure does not wait for the files not yet hashed
                pool.shutdown(cancel_futures=True)
        result.counts = c
        return result

    return body


#: request files hashed at once by ``sent``
_HASHERS = 2


def _record(ctx: Context, result: StepResult, c: dict[str, int], given: Path, path: Path, digest: Future[str] | None, today: str) -> None:
    """Record one request file as uploaded (``path``: where it is; ``digest``: its SHA-256, when it is there)."""
    c["files"] += 1
    row = ctx.store.conn.execute("SELECT sha256, sent_at FROM request_files WHERE file_name = ?", (path.name,)).fetchone()
    if row is None:
        result.add_rejects(rejects_frame(given, [0], [text("sent_unknown_file")]))
        return
    sha, sent_at = row
    if sent_at:  # before this command, or named twice in it
        c["already_sent"] += 1
        result.notes.append(text("sent_already", sent_at=sent_at, file=path.name))
        return
    if digest is not None:
        if digest.result() != sha:
            result.add_rejects(rejects_frame(path, [0], [text("sent_file_changed")]))
            return
        result.after_commit.append(path.unlink)
    ctx.store.conn.execute("UPDATE request_files SET sent_at = ? WHERE file_name = ?", (ctx.now.isoformat(timespec="seconds"), path.name))
    n = ctx.store.conn.execute("UPDATE inquiries SET sent_on = ? WHERE request_file = ? AND sent_on IS NULL", (today, path.name)).rowcount
    n += ctx.store.conn.execute("UPDATE followups SET sent_on = ?, status = 'SENT' WHERE request_file = ? AND status = 'WRITTEN'", (today, path.name)).rowcount
    result.files[path.name] = sha
    c["recorded_sent"] += 1
    c["inquiries_sent"] += n
