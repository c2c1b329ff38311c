"""A child process that runs one read query on the store and writes its text to stdout.

Used by :meth:`inquiry.store.Store.fast_frames`. SQLite's own
allocator takes a process-wide lock on every allocation, so two threads of
one process that format rows at the same time run slower together than
one after the other; two processes do not share that lock. The child is
started with ``python -m inquiry._reader`` (no fork, so it runs the same on
Windows), imports nothing but the standard library (and SQLCipher when the
store is encrypted), reads its job as JSON from stdin — the store's path,
the key if any (never on the command line), the SQL — opens the store read
only, and writes the row count on the first line, then the query's single
text value as bytes. Personal data goes through the pipe, never to disk.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path


def run(job: dict[str, str | None], out: object) -> None:
    """Run ``job["sql"]`` (one row: a count and one text) and write both to ``out``."""
    path = Path(str(job["path"]))
    key = job.get("key")
    if key:
        from inquiry._crypto import connect_encrypted

        conn = connect_encrypted(path, key, timeout=5.0)
        conn.execute("PRAGMA query_only = ON")
    else:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None, timeout=5.0)
    try:
        conn.execute("PRAGMA cache_size = -16384")
        conn.text_factory = bytes
        n, data = conn.execute(str(job["sql"])).fetchone()
    finally:
        conn.close()
    out.write(b"%d\n" % int(n))  # type: ignore[attr-defined]
    out.write(data or b"")  # type: ignore[attr-defined]


if __name__ == "__main__":
    run(json.loads(sys.stdin.buffer.read().decode("utf-8")), sys.stdout.buffer)
    sys.stdout.buffer.flush()
