"""The audit trail (操作履歴): one keyed, chained entry per command, its head also kept outside the store.

Each entry's hash is an HMAC-SHA256 over its content and the previous
entry's hash, so an edited, removed or reordered entry breaks the chain at
that point and :func:`verify` names it — and, unlike a plain hash, nobody
without the key can compute a new chain over an edited trail.

The key (:func:`audit_key`):

- when the store is encrypted (``INQUIRY_KEY`` / ``INQUIRY_KEY_FILE``), a key
  derived from the store key (:meth:`Store.derived_key`), which lives outside
  the workspace;
- otherwise a random key in the file ``audit.key`` (owner-only), created with
  the first keyed entry, in the workspace or where ``INQUIRY_AUDIT_KEY_FILE``
  says (the office may keep it on a share the operators' account cannot
  write).

Each entry records which (``scheme``: ``sha256`` — unkeyed entries written
before this version, verified as they were and kept as they are —,
``hmac-file``, ``hmac-store``); a trail only ever moves up that list, so
an old unkeyed entry cannot be slipped in after keyed ones, and the first
keyed entry seals every unkeyed one before it (its HMAC covers their last
hash). The key file also records how many unkeyed entries the trail had
when the key was made, so a keyed trail rewritten as an "old" unkeyed one
is found as long as the key file is there.

The head — the last entry's number and hash — is kept in ``meta`` and, after
every commit, appended to ``logs/audit.log`` (:func:`record_head`), outside
the store: entries cut from the end of the trail, or the whole trail
deleted, are found by :func:`verify` against every head that file recorded,
and it says how many entries it expected. Entries hold counts, option names
and file hashes, never personal data, so they and ``audit.log`` survive every
purge.

Threat model, honestly: this detects edits made with the store file alone
(a copy, a backup, an SQLite tool) and truncation by anyone who leaves
``logs/audit.log`` alone. Someone who can read the key (the workspace's OS
account, with ``audit.key`` in the workspace and no store key) and rewrite
both the store and ``audit.log`` can still forge a consistent trail; keeping
the key outside the workspace (store key, or ``INQUIRY_AUDIT_KEY_FILE``) and
backing up ``audit.log`` elsewhere are the office's defences against that.
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from inquiry.messages import text
from inquiry.runtime.store import Store

if TYPE_CHECKING:
    from inquiry.runtime.workspace import Workspace

__all__ = [
    "KEY_FILE_ENV", "AuditKeyMissing", "AuditProblem", "append", "current_operator", "expected_entries", "head_log", "key_file",
    "record_head", "recorded_heads", "verify",
]  # fmt: skip

GENESIS = "0" * 64
#: the last entry's ``seq:hash``, so that entries cut from the end are noticed too
HEAD_KEY = "audit_head"
#: where the audit key file is, when not in the workspace
KEY_FILE_ENV = "INQUIRY_AUDIT_KEY_FILE"
KEY_FILE = "audit.key"
HEAD_LOG = "audit.log"
#: how an entry's hash was made, weakest first: a trail never goes back down this list
SCHEMES = ("sha256", "hmac-file", "hmac-store")
_STORE_PURPOSE = "inquiry audit trail v1"
#: tables whose rows mean the workspace has been used (an empty trail there was deleted)
_DATA_TABLES = ("persons", "request_files", "inquiries", "response_files", "answers", "matches", "followups", "stats")


def current_operator(explicit: str | None = None) -> str:
    if explicit:
        return explicit
    try:
        return getpass.getuser()
    except Exception:  # no user name on some service accounts
        return os.environ.get("USERNAME") or os.environ.get("USER") or "unknown"


class AuditKeyMissing(ValueError):
    """The trail has keyed entries but their key is gone: restore it, never make a new one silently."""


def _home(store: Store) -> Path:
    return store.path.parent


def key_file(home: Path) -> Path:
    """``$INQUIRY_AUDIT_KEY_FILE``, else ``audit.key`` in the workspace."""
    env = os.environ.get(KEY_FILE_ENV)
    return Path(env).expanduser() if env else home / KEY_FILE


def head_log(home: Path) -> Path:
    return home / "logs" / HEAD_LOG


class _KeyFile(NamedTuple):
    key: bytes
    #: unkeyed entries the trail had when the key was made: no later entry may be unkeyed
    legacy_entries: int


def _read_key_file(path: Path) -> _KeyFile | None:
    """The key file: the key in hex on its first line, then ``legacy_entries=N``."""
    try:
        lines = path.read_text(encoding="ascii").split()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise AuditKeyMissing(text("audit_key_unreadable", path=path, error=exc)) from None
    fields = dict(line.split("=", 1) for line in lines[1:] if "=" in line)
    try:
        return _KeyFile(bytes.fromhex(lines[0]), int(fields.get("legacy_entries", "0")))
    except (ValueError, IndexError):
        raise AuditKeyMissing(text("audit_key_corrupt", path=path)) from None


def _create_key_file(path: Path, legacy_entries: int) -> _KeyFile:
    """A new random key; it records how many unkeyed entries the trail had, outside the store."""
    made = _KeyFile(secrets.token_bytes(32), legacy_entries)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(f"{made.key.hex()}\nlegacy_entries={legacy_entries}\n")
        handle.flush()
        os.fsync(handle.fileno())
    return made


def _keys(store: Store) -> tuple[dict[str, bytes | None], int | None]:
    """The key of each keyed scheme that is available (None: not available), and the key file's legacy count."""
    found = _read_key_file(key_file(_home(store)))
    keys = {"hmac-file": found.key if found else None, "hmac-store": store.derived_key(_STORE_PURPOSE)}
    return keys, (found.legacy_entries if found else None)


def _digest(prev_hash: str, seq: int, at: str, operator: str, command: str, options: str, counts: str, files: str, key: bytes | None = None) -> str:
    """The entry's hash: HMAC-SHA256 with ``key``; plain SHA-256 for the unkeyed entries of old trails."""
    payload = json.dumps([prev_hash, seq, at, operator, command, options, counts, files], ensure_ascii=False).encode("utf-8")
    if key is None:
        return hashlib.sha256(payload).hexdigest()
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


def _scheme_for_append(store: Store, last_scheme: str | None, entries: int) -> tuple[str, bytes]:
    """The scheme and key of the next entry: the store key when there is one, else the key file."""
    store_key = store.derived_key(_STORE_PURPOSE)
    if store_key is not None:
        return "hmac-store", store_key
    if last_scheme == "hmac-store":
        raise AuditKeyMissing(text("audit_keyed_with_store"))
    path = key_file(_home(store))
    found = _read_key_file(path)
    if found is None:
        if last_scheme == "hmac-file":
            raise AuditKeyMissing(text("audit_key_missing", path=path))
        found = _create_key_file(path, entries)
    return "hmac-file", found.key


def append(
    store: Store,
    *,
    operator: str,
    command: str,
    options: dict[str, Any],
    counts: dict[str, Any],
    files: dict[str, str] | None = None,
) -> str:
    """Append one keyed entry inside the caller's transaction; return its hash."""
    row = store.conn.execute("SELECT seq, hash, scheme FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev, last_scheme = (row[0] + 1, row[1], row[2]) if row else (1, GENESIS, None)
    scheme, key = _scheme_for_append(store, last_scheme, seq - 1)
    at = datetime.now(UTC).isoformat(timespec="seconds")
    o = json.dumps(options, ensure_ascii=False, sort_keys=True, default=str)
    c = json.dumps(counts, ensure_ascii=False, sort_keys=True, default=str)
    f = json.dumps(files or {}, ensure_ascii=False, sort_keys=True)
    h = _digest(prev, seq, at, operator, command, o, c, f, key)
    store.conn.execute(
        "INSERT INTO audit (seq, at, operator, command, options, counts, files, prev_hash, hash, scheme) VALUES (?,?,?,?,?,?,?,?,?,?)",
        (seq, at, operator, command, o, c, f, prev, h, scheme),
    )
    store.set_meta(HEAD_KEY, f"{seq}:{h}")
    return h


def record_head(ws: Workspace, store: Store) -> None:
    """After a commit: append the trail's head (``at``, ``seq``, ``hash``, command) to ``logs/audit.log``.

    Outside the store, so that entries cut from the store's trail are still
    known to have existed. A command killed before this line leaves the file
    one head behind, which :func:`verify` accepts (the store may be ahead).
    """
    row = store.conn.execute("SELECT seq, hash, at, command FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    if row is None:
        return
    path = head_log(ws.home)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    line = f"{row[2]}\tseq={row[0]}\thash={row[1]}\t{row[3]}\n"
    with path.open("a", encoding="utf-8", newline="\n") as handle:
        handle.write(line)
        handle.flush()
        os.fsync(handle.fileno())


def recorded_heads(home: Path) -> list[tuple[int, str]]:
    """Every ``(seq, hash)`` that ``logs/audit.log`` recorded (unreadable lines are skipped)."""
    path = head_log(home)
    if not path.exists():
        return []
    heads: list[tuple[int, str]] = []
    lines = path.read_text(encoding="utf-8", errors="replace").split("\n")
    for line in lines[:-1]:  # the last piece has no line end: empty, or a line a power cut left unfinished
        fields = dict(part.split("=", 1) for part in line.split("\t") if "=" in part)
        if fields.get("seq", "").isdigit() and len(fields.get("hash", "")) == 64:
            heads.append((int(fields["seq"]), fields["hash"]))
    return heads


@dataclass(frozen=True)
class AuditProblem:
    seq: int
    problem: str

    def __str__(self) -> str:
        return f"audit entry {self.seq}: {self.problem}"


def verify(store: Store) -> tuple[int, AuditProblem | None]:
    """Walk the chain, then compare it with the heads kept outside; return (entries checked, first problem or None)."""
    keys, legacy_entries = _keys(store)
    prev = GENESIS
    expected_seq = 1
    rank = 0
    n = 0
    hashes: dict[int, str] = {}
    for seq, at, op, cmd, o, c, f, prev_hash, h, scheme in store.conn.execute(
        "SELECT seq, at, operator, command, options, counts, files, prev_hash, hash, scheme FROM audit ORDER BY seq"
    ):
        n += 1
        if seq != expected_seq:
            return n, AuditProblem(expected_seq, f"missing (next entry found is {seq}): removed")
        if prev_hash != prev:
            return n, AuditProblem(seq, "does not follow the previous entry: removed or reordered")
        if scheme not in SCHEMES or SCHEMES.index(scheme) < rank:
            return n, AuditProblem(seq, f"hash scheme {scheme!r} after a keyed entry: changed")
        if scheme == "sha256" and legacy_entries is not None and seq > legacy_entries:
            return n, AuditProblem(seq, f"unkeyed, but the audit key was made when the trail had {legacy_entries} entries: changed")
        rank = SCHEMES.index(scheme)
        key = keys.get(scheme)
        if scheme != "sha256" and key is None:
            where = "INQUIRY_KEY / INQUIRY_KEY_FILE" if scheme == "hmac-store" else str(key_file(_home(store)))
            return n, AuditProblem(seq, f"cannot be checked: its key ({where}) is missing")
        if not hmac.compare_digest(_digest(prev_hash, seq, at, op, cmd, o, c, f, key), h):
            return n, AuditProblem(seq, "content does not match its hash: changed")
        hashes[seq] = h
        prev = h
        expected_seq += 1
    head = store.get_meta(HEAD_KEY)
    if head is not None and head != f"{expected_seq - 1}:{prev}":
        last = int(head.split(":", 1)[0])
        if last >= expected_seq:
            return n, AuditProblem(expected_seq, f"missing: the trail ended at entry {last}: removed")
        return n, AuditProblem(last, "the last entry is not the one recorded: changed or reordered")
    for seq, h in recorded_heads(_home(store)):  # the heads kept outside the store
        if seq not in hashes:
            return n, AuditProblem(min(seq, expected_seq), f"missing: {HEAD_LOG} recorded entry {seq}: removed")
        if hashes[seq] != h:
            return n, AuditProblem(seq, f"differs from the entry {HEAD_LOG} recorded: changed")
    if n == 0 and any(store.scalar(f"SELECT 1 FROM {t} LIMIT 1") for t in _DATA_TABLES):
        return 0, AuditProblem(1, "missing: the trail is empty but the store holds data: removed")
    return n, None


def expected_entries(store: Store) -> int:
    """How many entries the trail must at least have: the highest head recorded in the store or outside it."""
    heads = [seq for seq, _ in recorded_heads(_home(store))]
    meta = store.get_meta(HEAD_KEY)
    if meta:
        heads.append(int(meta.split(":", 1)[0]))
    return max(heads, default=0)
