"""The embedded store: one SQLite file, one transaction per command.

SQLite through the standard library: one file an office can back up, real
transactions (a killed command leaves the store as before or after, never
between), and ``secure_delete`` so that purged personal data is overwritten
rather than left in free pages. Frames go in with ``executemany`` and come
out as polars frames; nothing else in the project writes SQL by hand except
the pipeline steps that own their tables.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, suppress
from itertools import chain, repeat
from pathlib import Path
from typing import Any, NamedTuple

import polars as pl

from inquiry.messages import text
from inquiry.runtime.migrations import MIGRATIONS
from inquiry.runtime.reader import STREAM_ROWS, read_text

__all__ = ["Store", "FastQuery", "BoundInsert", "SCHEMA_VERSION", "bind_insert", "quoted"]

SCHEMA_VERSION = len(MIGRATIONS)
#: values one statement binds at most when it inserts many rows (:func:`bind_insert`'s ``many_rows``):
#: SQLite's oldest limit of ``?NNN``, also SQLCipher's
_ROWS_BOUND = 999
#: reads that run side by side in :meth:`Store.fast_frames` (the offices' machines have 2 cores or more)
READERS = 2


class FastQuery(NamedTuple):
    """A read for :meth:`Store.fast_frame`: its SQL, every column in order with its type, the free-text columns."""

    sql: str
    schema: dict[str, Any]
    text: tuple[str, ...] = ()


class Store:
    """A connection to the workspace store; use :meth:`transaction` for every write."""

    def __init__(self, path: Path, *, key: str | None = None) -> None:
        self.path = path
        self._key = key
        new = not path.exists()
        if key:  # encrypted at rest (inquiry/_crypto.py)
            from inquiry.runtime.crypto import connect_encrypted

            self.conn = connect_encrypted(path, key, timeout=5.0)
        else:
            self.conn = sqlite3.connect(path, isolation_level=None, timeout=5.0)
            try:
                self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            except sqlite3.DatabaseError:
                self.conn.close()
                raise ValueError(text("store_cannot_open", path=path)) from None
        if new:
            path.chmod(0o600)
        self.conn.execute("PRAGMA secure_delete = ON")
        self.conn.execute("PRAGMA foreign_keys = ON")
        self.conn.execute("PRAGMA synchronous = FULL")
        self.conn.execute("PRAGMA journal_mode = DELETE")
        # a year's inquiries are about a million rows: keep their index pages in memory while inserting
        self.conn.execute("PRAGMA cache_size = -262144")
        # sorts, GROUP BYs and temporary tables in memory: no temp file on disk (which would hold personal
        # data outside the store, unencrypted under SQLCipher) and no write of it; a step's own ones are small
        self.conn.execute("PRAGMA temp_store = MEMORY")
        self._migrate()

    def close(self) -> None:
        self.conn.close()

    def derived_key(self, purpose: str) -> bytes | None:
        """A secret for ``purpose`` derived from the store's encryption key; None when the store has none.

        The key itself never leaves this object; what uses it (the audit
        trail's HMAC) gets a key of its own, so the two cannot be confused.
        """
        if not self._key:
            return None
        return hmac.new(self._key.encode("utf-8"), purpose.encode("utf-8"), hashlib.sha256).digest()

    def __enter__(self) -> Store:
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
        """Insert every row of ``frame`` (columns named as in the table).

        The rows go to ``executemany`` as ``zip`` over whole columns turned
        into Python lists once (one conversion per column, not a tuple built
        per row by polars); a text or integer column that is one value in
        every row (the file, the day) is written into the statement as a
        literal and not bound at all (a year's answers: 2.4 M binds fewer),
        any other such column is bound as that one value. Measured on a
        year's answers this is the cheapest way in through the standard
        library: SQLite's ``json_each`` (one ``INSERT … SELECT`` from a JSON
        text) took three times as long, as SQLite then parses every value
        from text.

        No ``None`` is bound where it can be avoided (:func:`_bound`): the
        standard library sends every ``None`` through its adapter look-up,
        which costs three times an integer or a text (0.3 µs; a year's
        answers bind 12.6 M of them, half the insert). A column that is null
        throughout is the literal ``NULL`` in the statement; a text or
        integer column with some nulls binds a stand-in value that the
        column does not hold and turns it back into NULL in SQL
        (``NULLIF``). What is stored is the same, value and type.
        """
        return self.insert_bound(bind_insert(table, frame, on_conflict=on_conflict))

    def insert_bound(self, insert: BoundInsert) -> int:
        """Run an insert :func:`bind_insert` made ready (perhaps in another thread, which needs no connection)."""
        if insert.height == 0:
            return 0
        if insert.rows == 1:
            self.conn.executemany(insert.sql, zip(*insert.values) if insert.values else repeat((), insert.height))
            return insert.height
        width = sum(varies for _, varies in insert.row)
        for start in range(0, insert.height, insert.rows):
            rows = min(insert.rows, insert.height - start)
            chunk = insert.values[start * width : (start + rows) * width]
            self.conn.execute(insert.sql if rows == insert.rows else insert.statement(rows), [*insert.fixed, *chunk])
        return insert.height

    def insert_rows(self, table: str, frame: pl.DataFrame) -> int:
        """Insert every row of ``frame`` as :meth:`insert` does, many rows per statement (:func:`bind_insert`'s ``many_rows``)."""
        return self.insert_bound(bind_insert(table, frame, many_rows=True))

    def frame(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = (), *, schema: dict[str, Any] | None = None) -> pl.DataFrame:
        """Run a query and return its rows as a polars frame (text dates stay text).

        For small reads with parameters and values of any type; a big read
        goes through :meth:`fast_frame`. The rows come in pieces of
        :data:`~inquiry.runtime.reader.STREAM_ROWS`, each turned into columns at once
        (never a frame built row by row, nor all rows held as tuples).
        """
        cur = self.conn.execute(sql, params)
        names = [d[0] for d in cur.description]
        full = {n: (schema or {}).get(n) for n in names}
        pieces: list[pl.DataFrame] = []
        while rows := cur.fetchmany(STREAM_ROWS):
            pieces.append(pl.DataFrame(dict(zip(names, (list(c) for c in zip(*rows)))), strict=False))
        if not pieces:
            return pl.DataFrame(schema={n: (t or pl.Utf8) for n, t in full.items()})
        frame = pl.concat(pieces, how="vertical_relaxed") if len(pieces) > 1 else pieces[0]
        return frame.cast({k: v for k, v in full.items() if v is not None})

    def fast_frame(self, sql: str, schema: dict[str, Any], *, text: tuple[str, ...] = ()) -> pl.DataFrame:
        """Rows of ``sql`` as a frame, built from CSV text that SQLite assembles.

        ``group_concat(printf(...))`` makes SQLite write the rows as one string
        (fields separated by ``\\x1f``), taken as bytes and parsed by polars straight into
        the final types, in parallel — several times
        faster than a million Python tuples. A read longer than one SQLite
        string may be (1 GB) comes in pieces of rows instead
        (:func:`inquiry.runtime.reader.read_text`), each parsed on its own: no size
        ceiling. ``schema`` names every column of
        ``sql`` in order, with its type. Columns of free text (names, addresses
        typed by people: anything may be in them) are listed in ``text`` and
        SQL-quoted (``quote()``: ``'`` doubled; a quoted empty text stays empty,
        NULL is an empty field); the others — ids,
        codes, numbers, dates, this program's own words — go as they are
        (they hold no control character), empty meaning null.
        """
        query = FastQuery(sql, schema, text)
        factory = self.conn.text_factory
        self.conn.text_factory = bytes  # the text stays bytes: no decode to str and encode back
        try:
            n, pieces = read_text(self.conn, _as_text(query), _as_lines(query))
        finally:
            self.conn.text_factory = factory
        if len(pieces) <= 1:
            return self._parsed(query, n, pieces[0] if pieces else None)
        frames = [self._parsed(query, -1, piece) for piece in pieces]
        return self._checked(query, n, pl.concat(frames))

    def fast_frames(self, queries: dict[str, FastQuery]) -> dict[str, Future[pl.DataFrame]]:
        """Start :meth:`fast_frame` reads side by side; each result comes as a future, in any order.

        Each query runs in a child process of its own (:mod:`inquiry.runtime.reader`),
        at most :data:`READERS` at once, in the order given: SQLite formats
        rows on one core per process, while threads of one process would
        queue on its allocator's lock. The children see what is committed,
        not this connection's pending writes: use it before the command
        writes anything. A year's report reads its 1.8 M rows this way in
        2.6 s instead of 3.8 s on two cores.
        """
        limit = self.conn.getlimit(sqlite3.SQLITE_LIMIT_LENGTH) if hasattr(self.conn, "getlimit") else None
        job = {"path": str(self.path), "key": self._key, "limit": limit}

        def read(query: FastQuery) -> pl.DataFrame:
            # the text taken whole from stdout (one buffer grown in place: no pieces joined, no line cut off), then
            # the count from stderr (inquiry.runtime.reader.main): one short line, so the child never waits on it
            with subprocess.Popen(
                [sys.executable, "-m", "inquiry.runtime.reader"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            ) as child:
                assert child.stdin is not None and child.stdout is not None and child.stderr is not None
                try:
                    child.stdin.write(json.dumps({**job, "sql": _as_text(query), "lines_sql": _as_lines(query)}).encode("utf-8"))
                    child.stdin.close()
                except BrokenPipeError:  # the child ended before taking its job: its stderr and exit code say why
                    with suppress(BrokenPipeError):
                        child.stdin.close()
                data = child.stdout.read()
                said = child.stderr.read().decode("utf-8", "replace").strip().splitlines()
                code = child.wait()
            if code != 0 or not said:
                raise RuntimeError(text("store_read_failed", detail=" ".join(said[-1:])))
            return self._parsed(query, int(said[-1]), data)

        pool = ThreadPoolExecutor(max_workers=READERS)
        try:
            return {name: pool.submit(read, q) for name, q in queries.items()}
        finally:
            pool.shutdown(wait=False)  # the reads go on; the futures hold the results

    def in_parts(self, query: FastQuery, key: str, table: str, parts: int = READERS, *, table_key: str | None = None) -> list[FastQuery]:
        """``query`` as ``parts`` reads of consecutive ranges of ``key``, each in ``key`` order.

        For :meth:`fast_frames`: a read that SQLite computes row by row from
        ``table`` (a view over it whose filter on ``key`` reaches the table's
        index, such as ``inquiry_outcomes``) costs each part its share, so
        the parts read side by side take about ``1/parts`` of the time, and
        their frames concatenated in the order given are ``query``'s rows in
        ``key`` order. ``key`` is a column of ``query`` and the indexed, never
        null key of ``table`` (named ``table_key`` there when the query renames
        it, e.g. ``rowid``); the bounds are its values at equal steps of
        the table's rows (one index walk), so a table that changes between
        this call and the reads still has every row in exactly one part.
        By ``rowid`` the bounds are at equal steps between its smallest and
        largest (two seeks, no walk: at M 0.15 s less before a match's reads
        can start; a table's rowids run without gaps but where rows were
        purged, so the parts are as even).
        """
        column = table_key or key
        if column == "rowid":
            first, last = (self.scalar(f"SELECT {end}(rowid) FROM {table}") for end in ("min", "max"))  # one statement each: a seek
            rows = 0 if first is None else last - first + 1
            bounds = [first + rows * k // parts for k in range(1, parts)] if rows >= parts else []
        else:
            rows = int(self.scalar(f"SELECT count(*) FROM {table}"))
            bounds = [
                self.scalar(f"SELECT {column} FROM {table} ORDER BY {column} LIMIT 1 OFFSET ?", (rows * k // parts,))
                for k in range(1, parts)
            ] if rows >= parts else []  # fmt: skip
        edges = [None, *sorted(set(bounds)), None]
        queries = []
        for lo, hi in zip(edges, edges[1:]):
            where = " AND ".join(
                ([] if lo is None else [f"{key} >= {_literal(lo)}"]) + ([] if hi is None else [f"{key} < {_literal(hi)}"])
            )
            sql = f"SELECT * FROM ({query.sql}) {'WHERE ' + where if where else ''} ORDER BY {key}"
            queries.append(FastQuery(sql, query.schema, query.text))
        return queries

    def fast_frame_in_parts(self, query: FastQuery, key: str, table: str) -> pl.DataFrame:
        """``query``'s rows in ``key`` order, read in parts side by side (:meth:`in_parts`, :meth:`fast_frames`)."""
        reads = self.fast_frames({str(k): q for k, q in enumerate(self.in_parts(query, key, table))})
        return pl.concat([read.result() for read in reads.values()])

    @staticmethod
    def _parsed(query: FastQuery, n: int, data: bytes | None) -> pl.DataFrame:
        """The frame of ``n`` rows' text (``n`` -1: the count is checked by the caller)."""
        if n == 0 or not data:
            return Store._checked(query, n, pl.DataFrame(schema=query.schema))
        schema = {**query.schema, "_end": pl.Utf8}  # every line ends with a separator: no line is empty
        frame = pl.read_csv(data, has_header=False, new_columns=list(schema), schema=schema, separator="\x1f", quote_char="'")
        return Store._checked(query, n, frame.drop("_end"))

    @staticmethod
    def _checked(query: FastQuery, n: int, frame: pl.DataFrame) -> pl.DataFrame:
        if n >= 0 and frame.height != n:
            raise RuntimeError(f"store read gave {frame.height} rows of {n}: {query.sql.split()[:4]}")
        return frame

    def scalar(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        return row[0] if row else None


def quoted(value: str) -> str:
    """``value`` as an SQL string literal, for :meth:`Store.fast_frame`, which takes no parameters."""
    return "'" + value.replace("'", "''") + "'"


#: stand-ins for null bound by :func:`_bound`, each with the SQL that turns it back into NULL
_TEXT_NULL, _TEXT_NULL_SQL = "\x00", "NULLIF(?, char(0))"
_INT_NULL, _INT_NULL_SQL = -(2**63), f"NULLIF(?, {-(2**63)})"


class BoundInsert(NamedTuple):
    """:meth:`Store.insert`'s work done before the store: its SQL, the values to bind, the rows.

    One row per statement (``rows`` 1): ``values`` holds the values column
    by column, for ``executemany``. Many rows per statement: ``values`` is
    one list of the values row after row; ``fixed``, those every statement
    binds once (``?1``…); ``row``, each column's SQL in a row, with whether
    its ``?`` takes a number of its own in each row.
    """

    sql: str
    values: list[Any]
    height: int
    rows: int = 1
    fixed: tuple[Any, ...] = ()
    row: tuple[tuple[str, bool], ...] = ()
    head: str = ""
    tail: str = ""

    def statement(self, rows: int) -> str:
        """The statement of ``rows`` rows (many rows per statement): ``VALUES (…), (…)``, numbered on after ``fixed``."""
        number = len(self.fixed)
        tuples = []
        for _ in range(rows):
            sqls = []
            for sql, varies in self.row:
                if varies:
                    number += 1
                    sql = sql.replace("?", f"?{number}", 1)
                sqls.append(sql)
            tuples.append(f"({','.join(sqls)})")
        return f"{self.head} VALUES {','.join(tuples)} {self.tail}"


def bind_insert(table: str, frame: pl.DataFrame, *, on_conflict: str = "", many_rows: bool = False) -> BoundInsert:
    """``frame``'s rows as :meth:`Store.insert` binds them (:func:`_bound`), without the store.

    Apart so that ``ingest``'s reader thread can make a file's insert ready
    while the main thread records the file before it. The values of a
    column repeated (``itertools.repeat``) are bound once: a
    :class:`BoundInsert` goes to :meth:`Store.insert_bound` once.

    ``many_rows``: many rows per statement, a ``VALUES`` list binding up to
    :data:`_ROWS_BOUND` values. ``executemany`` costs each row a step of its
    own through the standard library (a tuple, each value bound, the
    statement reset), which is most of the insert when a row binds few
    values: ``prepare``'s inquiries (a year: 930 k rows of three varying
    texts) took 1.5 s of CPU instead of 2.6 s (session 6); a history file's transactions
    (216 k rows of eight), 0.31 s instead of 0.47 s. Wide rows of text (an
    account's answer: 0.69 s instead of 0.54 s for 112 k rows; a link) go
    in faster one per statement, hence the caller's choice. A value the
    same in every row is bound once per statement (``?1``…). The rows go in
    in the frame's order (a ``VALUES`` list is inserted in the order
    written): the rowids and what is stored are those of one row per
    statement.
    """
    if frame.height == 0:
        return BoundInsert("", [], 0)
    prepared = _storable(frame)
    bound = [_bound(s) for s in prepared.get_columns()]
    head = f"INSERT INTO {table} ({', '.join(frame.columns)})"
    if not many_rows:
        sql = f"{head} VALUES ({', '.join(sql for sql, _ in bound)}) {on_conflict}"
        return BoundInsert(sql, [values for _, values in bound if values is not None], frame.height)
    fixed: list[Any] = []
    varying: list[Iterable[Any]] = []
    row: list[tuple[str, bool]] = []
    for sql, values in bound:
        if isinstance(values, repeat):  # one value in every row: bound once per statement
            fixed.append(next(values))
            row.append((sql.replace("?", f"?{len(fixed)}", 1), False))
        else:
            row.append((sql, values is not None))
            if values is not None:
                varying.append(values)
    rows = max(1, (_ROWS_BOUND - len(fixed)) // max(1, len(varying)))
    flat = list(chain.from_iterable(zip(*varying))) if varying else []
    insert = BoundInsert("", flat, frame.height, rows, tuple(fixed), tuple(row), head, on_conflict)
    return insert._replace(sql=insert.statement(rows))


def _storable(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with its dates as ISO text and its booleans as 0/1: what the store holds of them, however inserted."""
    return frame.with_columns(
        [pl.col(c).dt.strftime("%Y-%m-%d") for c, t in frame.schema.items() if t == pl.Date]
        + [pl.col(c).cast(pl.Int8) for c, t in frame.schema.items() if t == pl.Boolean]
    )


def _bound(column: pl.Series) -> tuple[str, Iterable[Any] | None]:
    """How ``column`` goes into an INSERT: its SQL in ``VALUES`` and the values to bind (None: nothing bound).

    A literal in the SQL when all values are the same text or integer
    (:func:`_inlined`), else one Python object repeated; ``NULL`` in the
    SQL when all are null; for a text or integer column with some nulls, a
    stand-in (NUL text, the smallest integer) that :meth:`Store.insert`'s SQL
    turns back into NULL — only when no value of the column is the stand-in,
    else the nulls are bound as ``None`` (slower, the same rows).
    """
    nulls = column.null_count()
    if nulls == column.len():
        return "NULL", None
    if not column.dtype.is_nested() and nulls == 0 and bool((column == column[0]).all()):
        value = column[0]
        if _inlined(value):  # a text or an integer the same in every row: in the SQL, bound never
            return _literal(value), None
        return "?", repeat(value, column.len())
    if nulls:
        if column.dtype == pl.Utf8 and not bool((column == _TEXT_NULL).any()):
            return _TEXT_NULL_SQL, column.fill_null(_TEXT_NULL).to_list()
        if column.dtype.is_integer() and column.dtype != pl.UInt64:
            wide = column.cast(pl.Int64)
            if not bool((wide == _INT_NULL).any()):
                return _INT_NULL_SQL, wide.fill_null(_INT_NULL).to_list()
    return "?", column.to_list()


def _inlined(value: Any) -> bool:
    """Whether :func:`_bound` may write ``value`` into the SQL as a literal: what SQLite reads back as that very value.

    A text without NUL (which no statement may hold) and an integer of 64
    bits (a bigger literal would be read as REAL); never a float (its
    decimal text is not always the same double) nor a bool (bound as 0/1).
    """
    if isinstance(value, str):
        return "\x00" not in value
    return type(value) is int and -(2**63) <= value < 2**63


def _literal(value: Any) -> str:
    """``value`` as an SQL literal (a text quoted, ``'`` doubled; a number as it is)."""
    if isinstance(value, str):
        return quoted(value)
    if isinstance(value, int | float):
        return repr(value)
    raise TypeError(f"no SQL literal for {type(value).__name__}")


def _line(query: FastQuery) -> str:
    """The SQL expression of one row of ``query`` as a line of text (see :meth:`Store.fast_frame`)."""
    # %s of NULL is '': an empty field, read as null; the separator at the end keeps a row of NULLs a line
    pattern = "".join("%s\x1f" for _ in query.schema)
    return f"printf('{pattern}', {', '.join(_field(c, t, query.text) for c, t in query.schema.items())})"


def _field(column: str, dtype: Any, text: tuple[str, ...]) -> str:
    """The SQL of one field of a row's line: free text quoted; a REAL with all 17 digits.

    SQLite's own text of a REAL has 15 significant digits; ``%!.17g`` gives
    the digits that read back as the very same double (SQLite 3.40 on
    400,000 random values of 1e-12 … 1e12: all; not at the edges of the
    double range, e.g. its largest value), so a score read through the text
    is the score stored (an export rounds it as before).
    """
    if column in text:
        return f"CASE WHEN {column} IS NULL THEN NULL ELSE quote({column}) END"
    if dtype == pl.Float64:
        return f"CASE WHEN {column} IS NULL THEN NULL ELSE printf('%!.17g', {column}) END"
    return column


def _as_text(query: FastQuery) -> str:
    """The SQL that gives the row count and every row of ``query`` as one text (see :meth:`Store.fast_frame`)."""
    return f"SELECT count(*), group_concat({_line(query)}, char(10)) FROM ({query.sql})"


def _as_lines(query: FastQuery) -> str:
    """The SQL that gives each row of ``query`` as one line of :func:`_as_text`'s text (a read too long for one)."""
    return f"SELECT {_line(query)} FROM ({query.sql})"


def _statements(script: str) -> list[str]:
    """The SQL statements of a migration script, each whole.

    Not ``script.split(";")``: a ``;`` inside a string literal, a comment or
    a trigger body (``BEGIN … ; … END``) would cut a statement in two. SQLite
    itself says where a statement ends (:func:`sqlite3.complete_statement`).
    Not ``executescript`` either: it commits whatever transaction is open, and
    each migration must be applied inside the store's own transaction, with
    its ``schema_version``, or not at all.
    """
    statements: list[str] = []
    pending = ""
    for piece in script.split(";"):  # every ';' is a candidate end; SQLite says which ones are
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    if _code(pending[:-1]):  # the split added a ';' after the last piece
        raise ValueError(f"migration ends inside a statement: {pending.strip()[:80]!r}")
    return [s for s in statements if _code(s).rstrip(";").strip()]


def _code(sql: str) -> str:
    """``sql`` without its whole-line ``--`` comments (what is left of a comment-only piece is empty)."""
    return "\n".join(line for line in sql.splitlines() if not line.strip().startswith("--")).strip()
