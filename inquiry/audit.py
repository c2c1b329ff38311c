"""The audit trail (操作履歴): one hash-chained entry per command.

Each entry's hash covers its content and the previous entry's hash, so an
edited, removed or reordered entry breaks the chain at that point and
:func:`verify` names it; the last entry's hash is also kept in ``meta``, so
entries cut from the end of the trail are noticed as well. Entries hold
counts, option names and file hashes, never personal data, so they survive
every purge.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from inquiry.store import Store

__all__ = ["append", "verify", "AuditProblem", "current_operator"]

GENESIS = "0" * 64
#: the last entry's ``seq:hash``, so that entries cut from the end are noticed too
HEAD_KEY = "audit_head"


def current_operator(explicit: str | None = None) -> str:
    if explicit:
        return explicit
    try:
        return getpass.getuser()
    except Exception:  # no user name on some service accounts
        return os.environ.get("USERNAME") or os.environ.get("USER") or "unknown"


def _digest(prev_hash: str, seq: int, at: str, operator: str, command: str, options: str, counts: str, files: str) -> str:
    payload = json.dumps([prev_hash, seq, at, operator, command, options, counts, files], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def append(
    store: Store,
    *,
    operator: str,
    command: str,
    options: dict[str, Any],
    counts: dict[str, Any],
    files: dict[str, str] | None = None,
) -> str:
    """Append one entry inside the caller's transaction; return its hash."""
    row = store.conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = (row[0] + 1, row[1]) if row else (1, GENESIS)
    at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    o = json.dumps(options, ensure_ascii=False, sort_keys=True, default=str)
    c = json.dumps(counts, ensure_ascii=False, sort_keys=True, default=str)
    f = json.dumps(files or {}, ensure_ascii=False, sort_keys=True)
    h = _digest(prev, seq, at, operator, command, o, c, f)
    store.conn.execute(
        "INSERT INTO audit (seq, at, operator, command, options, counts, files, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?)",
        (seq, at, operator, command, o, c, f, prev, h),
    )
    store.set_meta(HEAD_KEY, f"{seq}:{h}")
    return h


@dataclass(frozen=True)
class AuditProblem:
    seq: int
    problem: str

    def __str__(self) -> str:
        return f"audit entry {self.seq}: {self.problem}"


def verify(store: Store) -> tuple[int, AuditProblem | None]:
    """Walk the chain; return (entries checked, first problem or None)."""
    prev = GENESIS
    expected_seq = 1
    n = 0
    for seq, at, op, cmd, o, c, f, prev_hash, h in store.conn.execute(
        "SELECT seq, at, operator, command, options, counts, files, prev_hash, hash FROM audit ORDER BY seq"
    ):
        n += 1
        if seq != expected_seq:
            return n, AuditProblem(expected_seq, f"missing (next entry found is {seq}): removed")
        if prev_hash != prev:
            return n, AuditProblem(seq, "does not follow the previous entry: removed or reordered")
        if _digest(prev_hash, seq, at, op, cmd, o, c, f) != h:
            return n, AuditProblem(seq, "content does not match its hash: changed")
        prev = h
        expected_seq += 1
    head = store.get_meta(HEAD_KEY)
    if head is not None and head != f"{expected_seq - 1}:{prev}":
        last = int(head.split(":", 1)[0])
        if last >= expected_seq:
            return n, AuditProblem(expected_seq, f"missing: the trail ended at entry {last}: removed")
        return n, AuditProblem(last, "the last entry is not the one recorded: changed or reordered")
    return n, None
