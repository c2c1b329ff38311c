"""``inquiry encrypt``: turn a workspace's unencrypted store into a SQLCipher store, in place.

An office that began without a key cannot simply set one later: every
command would open the plain file as an encrypted one and refuse. This
command converts the store once, with the key every later command will use
(``$INQUIRY_KEY`` or the file named by ``$INQUIRY_KEY_FILE``, read exactly as
:func:`inquiry.runtime.crypto.configured_key` reads it).

Committed or nothing, like every command: under the workspace lock, the
plain store is copied by SQLCipher's own export into
``store.sqlite3.encrypting`` (:func:`inquiry.runtime.crypto.export_encrypted`); the
copy must open with the key, pass ``PRAGMA integrity_check`` and hold the same
tables with the same row counts. The command's audit entry is then appended
to the copy, continuing the chain copied from the plain store — so the entry
exists exactly when the conversion happened, and ``inquiry audit verify``
passes. Only then does the copy take the store's name, by an atomic rename.
Killed at any moment, the workspace holds either the plain store (the next
command deletes the unfinished copy) or the encrypted one.

The plain store's bytes must not stay behind: before the rename the plain
file is given a second name, ``store.sqlite3.unencrypted`` (a hard link), so
that after the rename its content is still reachable, is overwritten with
zeros, flushed to the disk and deleted; if the command is killed before
that, the next command does it, key or no key
(:meth:`Workspace.discard_conversion`). On a file
system without hard links the file is held open across the rename and
overwritten through that handle. This is best effort: a journaling or
copy-on-write file system, or an SSD's wear levelling, may keep old blocks
where no program can reach them — full-disk encryption is the office's layer
for that — and backups taken before the conversion stay unencrypted.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from inquiry.messages import text
from inquiry.runtime import audit
from inquiry.runtime.crypto import KEY_ENV, KEY_FILE_ENV, available, configured_key, export_encrypted, is_plain
from inquiry.runtime.step import StepFailed, StepResult, console, failed, print_summary
from inquiry.runtime.store import Store
from inquiry.runtime.workspace import Workspace, wipe, zero

__all__ = ["run_encrypt"]

COMMAND = "encrypt"


def run_encrypt(home: Path, *, operator: str | None = None) -> int:
    """Convert the workspace's plain store into an encrypted one; return the exit code (0, or 2: nothing changed)."""
    try:
        ws = Workspace.open(home)
        key = _required_key(home)
        with ws.lock():
            for line in ws.discard_conversion():
                console.print(f"[dim]{line}[/dim]")
            if ws.store_path.exists() and not is_plain(ws.store_path):
                raise StepFailed(text("already_encrypted", path=ws.store_path))
            result = _convert(ws, key, audit.current_operator(operator))
    except (Exception, KeyboardInterrupt) as exc:
        return failed(home, COMMAND, exc, _state(home))
    print_summary(COMMAND, result, None)
    return 0


def _required_key(home: Path) -> str:
    """The configured key; refuse when there is none or SQLCipher is missing, before anything is touched."""
    key = configured_key(home)
    if key is None:
        raise StepFailed(text("no_key_configured", key_env=KEY_ENV, key_file_env=KEY_FILE_ENV))
    if not available():
        raise StepFailed(text("sqlcipher_missing"))
    return key


def _state(home: Path) -> str:
    """What the failed command left, for the operator: the store is plain or encrypted, never between."""
    store = home / "store.sqlite3"
    if not store.exists():
        return text("encrypt_nothing_changed")
    if is_plain(store):
        return text("encrypt_store_unchanged")
    return text("encrypt_store_encrypted")


def _convert(ws: Workspace, key: str, operator: str) -> StepResult:
    """Export, verify, audit, switch; the copy is deleted unless it became the store."""
    with Store(ws.store_path) as plain:  # rolls back a killed command's journal, migrates an older schema
        for line in ws.recover(plain):
            console.print(f"[dim]{line}[/dim]")
        before = _contents(plain.conn)
    copy = ws.encrypting_path
    counts = {"tables": len(before["rows"]), "rows": sum(before["rows"].values())}
    try:
        export_encrypted(ws.store_path, copy, key)
        _finish_copy(copy, key, before, operator, counts)
        notes = _switch(ws, copy)
    finally:
        copy.unlink(missing_ok=True)  # after the switch it no longer exists under this name
    notes.append(text("encrypt_done", key_env=KEY_ENV, key_file_env=KEY_FILE_ENV))
    return StepResult(title=text("encrypt_title"), counts=counts, notes=notes)


def _contents(conn: Any) -> dict[str, Any]:
    """The schema (every table, index, trigger, view) and each table's row count."""
    schema = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").fetchall()
    tables = [name for kind, name, _, _ in schema if kind == "table"]
    rows = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    return {"schema": [tuple(r) for r in schema], "rows": rows}


def _finish_copy(copy: Path, key: str, before: dict[str, Any], operator: str, counts: dict[str, int]) -> None:
    """Check the encrypted copy against the plain store, then append the command's audit entry to it."""
    with Store(copy, key=key) as store:  # opens only with the key (inquiry/_crypto.connect_encrypted)
        result = store.conn.execute("PRAGMA integrity_check").fetchall()
        if [tuple(r) for r in result] != [("ok",)]:
            raise StepFailed(text("copy_corrupt", result=result[:3]))
        after = _contents(store.conn)
        if after != before:
            differ = sorted(t for t in before["rows"].keys() | after["rows"].keys() if before["rows"].get(t) != after["rows"].get(t))
            raise StepFailed(text("copy_differs", tables=differ or "schema"))
        with store.transaction():
            audit.append(store, operator=operator, command=COMMAND, options={"key_from": _key_source()}, counts=counts)
        _, problem = audit.verify(store)
        if problem is not None:
            raise StepFailed(text("copy_audit_broken", problem=problem))
    with copy.open("r+b") as handle:
        os.fsync(handle.fileno())


def _key_source() -> str:
    """Which variable gave the key (never the key itself), for the audit trail."""
    return KEY_ENV if os.environ.get(KEY_ENV) else KEY_FILE_ENV


def _switch(ws: Workspace, copy: Path) -> list[str]:
    """Give the verified copy the store's name; then overwrite and delete the plain file's bytes."""
    old = ws.unencrypted_path
    try:
        os.link(ws.store_path, old)
    except OSError:  # a file system without hard links (FAT, some shares)
        return _switch_holding(ws, copy)
    os.replace(copy, ws.store_path)
    _sync_folder(ws.home)
    try:
        wipe(old)
    except OSError as exc:
        return [f"[yellow]{text('cannot_wipe_old', file=old.name, error=exc)}[/yellow]"]
    _sync_folder(ws.home)
    return []


def _switch_holding(ws: Workspace, copy: Path) -> list[str]:
    """:func:`_switch` without a second name: the plain file is held open across the rename and overwritten through it."""
    with ws.store_path.open("r+b") as handle:
        os.replace(copy, ws.store_path)
        _sync_folder(ws.home)
        zero(handle)
    return []


def _sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX; Windows has no directory handles to flush)."""
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
