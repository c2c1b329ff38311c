"""``inquiry sent``: request files were uploaded — record it and delete them.

The file's SHA-256 must still be the one recorded when it was written (a
file edited after writing is refused), and the file is deleted from
``outbox/`` once the store has recorded the upload (送受信後直ちに削除).
"""

from __future__ import annotations

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
        for given in files:
            c["files"] += 1
            path = given if given.exists() else ctx.ws.outbox / given.name
            row = ctx.store.conn.execute("SELECT sha256, sent_at FROM request_files WHERE file_name = ?", (path.name,)).fetchone()
            if row is None:
                result.add_rejects(rejects_frame(given, [0], [text("sent_unknown_file")]))
                continue
            sha, sent_at = row
            if sent_at:
                c["already_sent"] += 1
                result.notes.append(text("sent_already", sent_at=sent_at, file=path.name))
                continue
            if path.exists():
                if sha256_of(path) != sha:
                    result.add_rejects(rejects_frame(path, [0], [text("sent_file_changed")]))
                    continue
                result.after_commit.append(path.unlink)
            ctx.store.conn.execute("UPDATE request_files SET sent_at = ? WHERE file_name = ?", (ctx.now.isoformat(timespec="seconds"), path.name))
            n = ctx.store.conn.execute("UPDATE inquiries SET sent_on = ? WHERE request_file = ? AND sent_on IS NULL", (today, path.name)).rowcount
            n += ctx.store.conn.execute(
                "UPDATE followups SET sent_on = ?, status = 'SENT' WHERE request_file = ? AND status = 'WRITTEN'", (today, path.name)
            ).rowcount
            result.files[path.name] = sha
            c["recorded_sent"] += 1
            c["inquiries_sent"] += n
        result.counts = c
        return result

    return body
