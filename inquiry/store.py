"""The embedded store: one SQLite file, one transaction per command.

SQLite through the standard library: one file an office can back up, real
transactions (a killed command leaves the store as before or after, never
between), and ``secure_delete`` so that purged personal data is overwritten
rather than left in free pages. Frames go in with ``executemany`` and come
out as polars frames; nothing else in the project writes SQL by hand except
the pipeline steps that own their tables.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl

from inquiry._migrations import MIGRATIONS

__all__ = ["Store", "SCHEMA_VERSION"]

SCHEMA_VERSION = len(MIGRATIONS)


class Store:
    """A connection to the workspace store; use :meth:`transaction` for every write."""

    def __init__(self, path: Path, *, key: str | None = None) -> None:
        self.path = path
        new = not path.exists()
        if key:  # encrypted at rest (inquiry/_crypto.py)
            from inquiry._crypto import connect_encrypted

            self.conn = connect_encrypted(path, key, timeout=5.0)
        else:
            self.conn = sqlite3.connect(path, isolation_level=None, timeout=5.0)
            try:
                self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            except sqlite3.DatabaseError:
                self.conn.close()
                raise ValueError(
                    f"ストアを開けません (cannot open {path}): encrypted (set INQUIRY_KEY or INQUIRY_KEY_FILE) or not a store"
                ) from None
        if new:
            path.chmod(0o600)
        self.conn.execute("PRAGMA secure_delete = ON")
        self.conn.execute("PRAGMA foreign_keys = ON")
        self.conn.execute("PRAGMA synchronous = FULL")
        self.conn.execute("PRAGMA journal_mode = DELETE")
        # a year's inquiries are about a million rows: keep their index pages in memory while inserting
        self.conn.execute("PRAGMA cache_size = -262144")
        self._migrate()

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema -------------------------------------------------------------
    def schema_version(self) -> int:
        has_meta = self.conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone()
        if not has_meta:
            return 0
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row[0]) if row else 0

    def _migrate(self) -> None:
        current = self.schema_version()
        if current > SCHEMA_VERSION:
            raise RuntimeError(f"store {self.path} has schema {current}, newer than this program ({SCHEMA_VERSION})")
        for version in range(current, SCHEMA_VERSION):
            with self.transaction():
                for statement in _statements(MIGRATIONS[version]):
                    self.conn.execute(statement)
                self.set_meta("schema_version", str(version + 1))

    # -- transactions -------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE`` … ``COMMIT``; any exception rolls everything back."""
        if self.conn.in_transaction:
            yield self.conn
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    # -- meta ---------------------------------------------------------------
    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def next_sequence(self, name: str, count: int) -> int:
        """Reserve ``count`` numbers of a counter that never goes back; return the first."""
        first = int(self.get_meta(f"seq:{name}", "1") or "1")
        self.set_meta(f"seq:{name}", str(first + count))
        return first

    # -- frames -------------------------------------------------------------
    def insert(self, table: str, frame: pl.DataFrame, *, on_conflict: str = "") -> int:
        """Insert every row of ``frame`` (columns named as in the table)."""
        if frame.height == 0:
            return 0
        cols = frame.columns
        sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))}) {on_conflict}"
        prepared = frame.with_columns(
            [pl.col(c).dt.strftime("%Y-%m-%d") for c, t in frame.schema.items() if t == pl.Date]
            + [pl.col(c).cast(pl.Int8) for c, t in frame.schema.items() if t == pl.Boolean]
        )
        self.conn.executemany(sql, prepared.iter_rows())
        return frame.height

    def frame(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = (), *, schema: dict[str, Any] | None = None) -> pl.DataFrame:
        """Run a query and return its rows as a polars frame (text dates stay text)."""
        cur = self.conn.execute(sql, params)
        names = [d[0] for d in cur.description]
        rows = cur.fetchall()
        if schema is None:
            schema = {}
        full = {n: schema.get(n) for n in names}
        if rows:
            return pl.DataFrame(rows, schema=list(names), orient="row", infer_schema_length=None).cast(
                {k: v for k, v in full.items() if v is not None}
            )
        return pl.DataFrame(schema={n: (t or pl.Utf8) for n, t in full.items()})

    def fast_frame(self, sql: str, schema: dict[str, Any], *, text: tuple[str, ...] = ()) -> pl.DataFrame:
        """Rows of ``sql`` as a frame, built from one CSV text that SQLite assembles.

        ``group_concat(printf(...))`` makes SQLite write the rows as one string
        (fields separated by ``\\x1f``), taken as bytes and parsed by polars straight into
        the final types, in parallel — several times
        faster than a million Python tuples. ``schema`` names every column of
        ``sql`` in order, with its type. Columns of free text (names, addresses
        typed by people: anything may be in them) are listed in ``text`` and
        SQL-quoted (``quote()``: ``'`` doubled; a quoted empty text stays empty,
        NULL is an empty field); the others — ids,
        codes, numbers, dates, this program's own words — go as they are
        (they hold no control character), empty meaning null.
        """
        cols = list(schema)
        pattern = "\x1f".join("%s" for _ in cols)  # %s of NULL is '': an empty field, read as null
        args = ", ".join(f"CASE WHEN {c} IS NULL THEN NULL ELSE quote({c}) END" if c in text else c for c in cols)
        factory = self.conn.text_factory
        self.conn.text_factory = bytes  # the text stays bytes: no decode to str and encode back
        try:
            n, data = self.conn.execute(f"SELECT count(*), group_concat(printf('{pattern}', {args}), char(10)) FROM ({sql})").fetchone()
        finally:
            self.conn.text_factory = factory
        if n == 0:
            return pl.DataFrame(schema=schema)
        if data:
            raw = pl.read_csv(data, has_header=False, new_columns=cols, schema=schema, separator="\x1f", quote_char="'")
            if raw.height == n:
                return raw
        # rows with every field empty vanish from the text: the row way
        return self.frame(sql, schema={c: (pl.Utf8 if t == pl.Date else t) for c, t in schema.items()}).with_columns(
            [pl.col(c).str.to_date() for c, t in schema.items() if t == pl.Date]
        )

    def scalar(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        return row[0] if row else None


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]
