"""A child process that runs one read query on the store and writes its text to stdout.

Used by :meth:`inquiry.runtime.store.Store.fast_frames`. SQLite's own
allocator takes a process-wide lock on every allocation, so two threads of
one process that format rows at the same time run slower together than
one after the other; two processes do not share that lock. The child is
started with ``python -m inquiry.runtime.reader`` (no fork, so it runs the same on
Windows), imports nothing but the standard library (and SQLCipher when the
store is encrypted), reads its job as JSON from stdin — the store's path,
the key if any (never on the command line), the SQL, SQLite's string length
limit of the parent's connection — opens the store read only, and writes
the rows' text as bytes to stdout and nothing else (:func:`read_text`),
then the row count to stderr; a read that fails writes one line saying why
to stderr instead and exits with 1. The parent thus takes stdout whole as
the text to parse, with no first line to cut off (a copy of the text) and
no pieces to join (at M the report's reads are 170 MB). Personal data goes
through the pipe, never to disk.

:func:`read_text` is also the in-process read of :meth:`Store.fast_frame`:
one place that knows how the text comes out of SQLite.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

#: rows fetched at once when a read's text is longer than one SQLite string may be
STREAM_ROWS = 200_000


def read_text(conn: Any, whole_sql: str, lines_sql: str) -> tuple[int, list[bytes]]:
    """The row count and the rows' text, as pieces that join with ``\\n`` into the whole.

    ``whole_sql`` gives one row (the count and every row's line in one
    ``group_concat`` text): the fastest way, but SQLite will not build a
    string longer than its length limit (1 GB by default, about 4 M rows of
    answers). Past it SQLite says SQLITE_TOOBIG and the same rows are read
    again from ``lines_sql`` (one line per row), a piece of
    :data:`STREAM_ROWS` rows at a time: no ceiling but memory, at about a
    third more time for those reads only. ``conn`` returns text as bytes.
    """
    try:
        n, data = conn.execute(whole_sql).fetchone()
        return int(n), [data] if n else []
    except Exception as exc:  # sqlite3.DataError, or SQLCipher's own class of it
        if getattr(exc, "sqlite_errorname", "") != "SQLITE_TOOBIG" and "too big" not in str(exc):
            raise
    n, pieces = 0, []
    cur = conn.execute(lines_sql)
    while rows := cur.fetchmany(STREAM_ROWS):
        n += len(rows)
        pieces.append(b"\n".join([line for (line,) in rows]))
    return n, pieces


def connect_read_only(path: Path, key: str | None, *, timeout: float = 5.0) -> Any:
    """The child's connection: it only reads the store at ``path`` (SQLCipher's when ``key`` is given).

    It sees what is committed, never the parent's pending writes.
    """
    if key:
        from inquiry.runtime.crypto import connect_encrypted

        conn = connect_encrypted(path, key, timeout=timeout)
        conn.execute("PRAGMA query_only = ON")
        return conn
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None, timeout=timeout)


def run(job: dict[str, Any], out: object) -> int:
    """Run the job's read (:func:`read_text`), write the text to ``out``; the row count."""
    conn = connect_read_only(Path(str(job["path"])), job.get("key"))
    try:
        conn.execute("PRAGMA cache_size = -16384")  # (also reads the schema)
        if job.get("limit") and hasattr(conn, "setlimit"):  # the parent's limit on one string's length
            conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, int(job["limit"]))
        conn.text_factory = bytes
        n, pieces = read_text(conn, str(job["sql"]), str(job["lines_sql"]))
    finally:
        conn.close()
    for k, piece in enumerate(pieces):
        if k:
            out.write(b"\n")  # type: ignore[attr-defined]
        out.write(piece)  # type: ignore[attr-defined]
    return n


def main() -> int:
    """The child's work: the text to stdout, the count (or why it failed, one short line) to stderr."""
    try:
        n = run(json.loads(sys.stdin.buffer.read().decode("utf-8")), sys.stdout.buffer)
        sys.stdout.buffer.flush()
    except Exception as exc:  # one line, never a long traceback: the parent reads stderr only after stdout's end
        sys.stderr.write(f"{type(exc).__name__}: {exc}"[:2000].replace("\n", " ") + "\n")
        return 1
    sys.stderr.write(f"{n}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
