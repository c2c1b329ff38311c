"""Encryption at rest: the store through SQLCipher when a key is configured.

protection.md: "the store is encrypted at rest when a key is configured
(environment variable or key file outside the workspace)". The key comes
from ``$INQUIRY_KEY`` (a passphrase) or from the file named by
``$INQUIRY_KEY_FILE``, which must lie outside the workspace — a key kept
next to the store it opens protects nothing. SQLCipher derives the page key
from the passphrase with its own salted KDF; every page, the journal and
the free pages are encrypted.

With a key configured but the optional ``sqlcipher3`` package missing, the
command refuses to run rather than write personal data in the clear. A store
made without a key is converted once with ``inquiry encrypt``
(inquiry/encrypt.py, :func:`export_encrypted`); until then a key set on it is
refused with a message that says so.

>>> configured_key(Path("/nonexistent-home"), {"INQUIRY_KEY": "correct horse"})
'correct horse'
>>> configured_key(Path("/nonexistent-home"), {}) is None
True
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from inquiry.messages import text

__all__ = ["KEY_ENV", "KEY_FILE_ENV", "configured_key", "connect_encrypted", "available", "is_plain", "export_encrypted"]

KEY_ENV = "INQUIRY_KEY"
KEY_FILE_ENV = "INQUIRY_KEY_FILE"
#: the first 16 bytes of every unencrypted SQLite file; a SQLCipher file starts with its random salt
PLAIN_HEADER = b"SQLite format 3\x00"


def configured_key(home: Path, environ: Mapping[str, str] | None = None) -> str | None:
    """The store key from the environment or the key file, or None when none is configured."""
    env = os.environ if environ is None else environ
    key = env.get(KEY_ENV)
    if key:
        return key
    key_file = env.get(KEY_FILE_ENV)
    if not key_file:
        return None
    path = Path(key_file).expanduser().resolve()
    if path.is_relative_to(home.resolve()):
        raise ValueError(text("key_file_in_workspace", path=path, home=home))
    try:
        content = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ValueError(text("key_file_unreadable", path=path, error=exc.strerror)) from None
    if not content:
        raise ValueError(text("key_file_empty", path=path))
    return content


def available() -> bool:
    """Whether the optional ``sqlcipher3`` package is installed."""
    try:
        import sqlcipher3  # noqa: F401
    except ImportError:
        return False
    return True


def connect_encrypted(path: Path, key: str, *, timeout: float) -> Any:
    """A DB-API connection to the SQLCipher store at ``path``, keyed; a wrong key is a clear error."""
    try:
        from sqlcipher3 import dbapi2
    except ImportError:
        raise ValueError(text("sqlcipher_missing_for_key", key_env=KEY_ENV, key_file_env=KEY_FILE_ENV)) from None
    conn = dbapi2.connect(str(path), isolation_level=None, timeout=timeout)
    conn.execute("PRAGMA cipher_log_level = NONE")  # a wrong key is our message below, not library noise
    conn.execute("PRAGMA key = '" + key.replace("'", "''") + "'")
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except dbapi2.DatabaseError:
        conn.close()
        if is_plain(path):
            raise ValueError(text("store_not_encrypted", path=path, home=path.parent, key_env=KEY_ENV, key_file_env=KEY_FILE_ENV)) from None
        raise ValueError(text("store_wrong_key", path=path)) from None
    return conn


def is_plain(path: Path) -> bool:
    """Whether ``path`` is an unencrypted SQLite file: it begins with SQLite's header, readable by anyone."""
    try:
        with path.open("rb") as f:
            return f.read(len(PLAIN_HEADER)) == PLAIN_HEADER
    except FileNotFoundError:
        return False


def export_encrypted(plain: Path, target: Path, key: str) -> None:
    """Copy the unencrypted store ``plain`` into the new SQLCipher file ``target``, keyed with ``key``.

    SQLCipher's documented conversion: open the plain file with SQLCipher and
    no key, ``ATTACH DATABASE target AS encrypted KEY key``, ``SELECT
    sqlcipher_export('encrypted')`` (schema, rows, indexes, triggers,
    ``sqlite_sequence``), copy ``PRAGMA user_version`` (which the export leaves
    out), ``DETACH``. The path and key are bound parameters, so no quoting can
    go wrong. Only live rows are copied: free pages holding earlier deleted
    data stay behind in the old file. ``target`` is created owner-only before
    SQLCipher writes to it, and sorting for the indexes stays in memory rather
    than spilling the plain rows into a temporary file. ``target`` must not
    exist.
    """
    from sqlcipher3 import dbapi2

    os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    conn = dbapi2.connect(str(plain), isolation_level=None, timeout=5.0)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("ATTACH DATABASE ? AS encrypted KEY ?", (str(target), key))
        conn.execute("SELECT sqlcipher_export('encrypted')").fetchall()
        version = int(conn.execute("PRAGMA main.user_version").fetchone()[0])
        conn.execute(f"PRAGMA encrypted.user_version = {version}")
        conn.execute("DETACH DATABASE encrypted")
    finally:
        conn.close()
