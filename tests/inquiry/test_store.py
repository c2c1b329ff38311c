"""The store's frame reads: one connection (fast_frame) and side by side in child processes (fast_frames)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import polars as pl
import pytest

import inquiry.runtime.store as store_module
from inquiry.runtime import reader as _reader
from inquiry.runtime.store import FastQuery, Store

ODD = ["O'Brien 'quoted'", "改行\nあり", "区切り\x1fあり", "NULL", "", "=1+2", None, "\r\n", "'", "タブ\tあり"]


def _store_with_odd_text(path: Path, key: str | None = None) -> Store:
    s = Store(path, key=key)
    with s.transaction():
        s.conn.execute("CREATE TABLE t (i INTEGER, v TEXT, d TEXT)")
        s.conn.executemany("INSERT INTO t VALUES (?, ?, ?)", [(i, v, f"2026-11-{i + 1:02d}") for i, v in enumerate(ODD)])
    return s


QUERY = FastQuery("SELECT i, v, d FROM t ORDER BY i", {"i": pl.Int64, "v": pl.Utf8, "d": pl.Date}, ("v",))


def test_store_reads_keep_any_text(tmp_path: Path) -> None:
    """Free text with quotes, separators, newlines and NULL-looking words comes back unchanged."""
    with _store_with_odd_text(tmp_path / "s.sqlite3") as s:
        got = s.fast_frame(QUERY.sql, QUERY.schema, text=QUERY.text)
    assert got["v"].to_list() == ODD
    assert got["i"].to_list() == list(range(len(ODD)))
    assert got["d"].dt.day().to_list() == [i + 1 for i in range(len(ODD))]


def test_store_reads_rows_of_nothing(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite3") as s:
        s.conn.execute("CREATE TEMP TABLE t (v TEXT)")
        s.conn.executemany("INSERT INTO t VALUES (?)", [(None,), (None,)])
        assert s.fast_frame("SELECT v FROM t", {"v": pl.Utf8})["v"].to_list() == [None, None]
        assert s.fast_frame("SELECT v FROM t WHERE 0", {"v": pl.Utf8}).height == 0


def test_reads_side_by_side_give_what_one_connection_gives(tmp_path: Path) -> None:
    """The child processes read the committed store: the same frames, whatever order they finish in."""
    with _store_with_odd_text(tmp_path / "s.sqlite3") as s:
        queries = {
            "all": QUERY,
            "none": FastQuery("SELECT i FROM t WHERE 0", {"i": pl.Int64}),
            "nulls": FastQuery("SELECT v FROM t WHERE v IS NULL", {"v": pl.Utf8}, ("v",)),
            "count": FastQuery("SELECT count(*) AS n FROM t", {"n": pl.Int64}),
        }
        futures = s.fast_frames(queries)
        got = {name: f.result() for name, f in futures.items()}
        for name, q in queries.items():
            assert got[name].equals(s.fast_frame(q.sql, q.schema, text=q.text)), name
    assert got["all"]["v"].to_list() == ODD
    assert got["nulls"]["v"].to_list() == [None]
    assert got["none"].height == 0 and got["count"]["n"].item() == len(ODD)


def test_a_read_in_parts_is_the_read_in_key_order_whatever_the_keys(tmp_path: Path) -> None:
    """Parts by text keys with quotes, separators and newlines (bounds go into the SQL as literals): every
    row once, in key order; a table with fewer rows than parts is one part."""
    with _store_with_odd_text(tmp_path / "s.sqlite3") as s:
        with s.transaction():
            s.conn.execute("CREATE TABLE k (v TEXT PRIMARY KEY, i INTEGER)")
            s.conn.executemany("INSERT INTO k VALUES (?, ?)", [(v, i) for i, v in enumerate(ODD) if v is not None])
        query = FastQuery("SELECT v, i FROM k", {"v": pl.Utf8, "i": pl.Int64}, ("v",))
        whole = s.fast_frame("SELECT v, i FROM k ORDER BY v", query.schema, text=query.text)
        for parts in (2, 3, len(ODD) - 1):
            split = s.in_parts(query, "v", "k", parts=parts)
            each = [s.fast_frame(q.sql, q.schema, text=q.text) for q in split]
            assert len(split) == parts and all(f.height for f in each) and pl.concat(each).equals(whole), parts
        assert s.fast_frame_in_parts(query, "v", "k").equals(whole)
        assert len(s.in_parts(query, "v", "k", parts=len(ODD))) == 1  # 9 rows: no 10 parts
    assert sorted(whole["v"].to_list()) == whole["v"].to_list() == sorted(v for v in ODD if v is not None)


def test_reads_side_by_side_run_inside_a_write_transaction(tmp_path: Path) -> None:
    """A command reads while it holds the store's write lock (every step runs in BEGIN IMMEDIATE)."""
    with _store_with_odd_text(tmp_path / "s.sqlite3") as s, s.transaction():
        assert s.fast_frames({"all": QUERY})["all"].result()["v"].to_list() == ODD


def test_a_failed_read_is_a_clear_error(tmp_path: Path) -> None:
    with _store_with_odd_text(tmp_path / "s.sqlite3") as s:
        future = s.fast_frames({"bad": FastQuery("SELECT nope FROM t", {"nope": pl.Utf8})})["bad"]
        with pytest.raises(RuntimeError, match=r"reading the store failed.*no such column: nope"):
            future.result()


def test_reads_side_by_side_of_an_encrypted_store(tmp_path: Path) -> None:
    pytest.importorskip("sqlcipher3")
    key = "correct horse battery staple"
    with _store_with_odd_text(tmp_path / "s.sqlite3", key=key) as s:
        assert s.fast_frames({"all": QUERY})["all"].result()["v"].to_list() == ODD
    assert not (tmp_path / "s.sqlite3").read_bytes().startswith(b"SQLite format 3")


def _store_past_the_string_limit(path: Path) -> Store:
    """A store whose connection allows SQLite strings of 200 bytes only: every read of ``t`` is longer than one string.

    SQLite's default limit is 1 GB (about 4 M rows of answers); a lower one
    makes the same situation with a few rows.
    """
    s = _store_with_odd_text(path)
    s.conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, 200)
    with pytest.raises(sqlite3.DataError):  # what a single group_concat of the rows meets
        s.conn.execute("SELECT group_concat(printf('%s,%s,%s', i, v, d)) FROM t").fetchone()
    return s


def test_a_read_longer_than_one_sqlite_string_comes_in_pieces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No ceiling at SQLite's string limit: the rows come a few at a time, the same frame as one read gives."""
    with _store_with_odd_text(tmp_path / "whole.sqlite3") as s:
        whole = s.fast_frame(QUERY.sql, QUERY.schema, text=QUERY.text)
    monkeypatch.setattr(_reader, "STREAM_ROWS", 3)  # 10 rows: four pieces
    with _store_past_the_string_limit(tmp_path / "s.sqlite3") as s:
        assert s.fast_frame(QUERY.sql, QUERY.schema, text=QUERY.text).equals(whole)
        assert s.fast_frames({"all": QUERY})["all"].result().equals(whole)  # the child reads as the parent would
        assert s.frame("SELECT i, v FROM t ORDER BY i", schema={"i": pl.Int64, "v": pl.Utf8}).equals(whole.drop("d"))
    assert whole["v"].to_list() == ODD


def test_frame_types_columns_from_all_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A plain read in pieces: a column null in the first piece takes its type from a later one."""
    monkeypatch.setattr(store_module, "STREAM_ROWS", 2)
    with Store(tmp_path / "s.sqlite3") as s:
        s.conn.execute("CREATE TEMP TABLE t (i INTEGER, v TEXT)")
        s.conn.executemany("INSERT INTO t VALUES (?, ?)", [(1, None), (2, None), (3, "x"), (None, "y"), (5, "z")])
        got = s.frame("SELECT i, v FROM t ORDER BY rowid")
        assert got.schema == {"i": pl.Int64, "v": pl.Utf8}
        assert got.rows() == [(1, None), (2, None), (3, "x"), (None, "y"), (5, "z")]
        assert s.frame("SELECT i, v FROM t WHERE 0").schema == {"i": pl.Utf8, "v": pl.Utf8}


def test_a_real_reads_back_as_the_same_double(tmp_path: Path) -> None:
    """Scores go through text: all the digits that make the same double (SQLite's own text has 15), NULL stays null."""
    values = [0.1 + 0.2, 1 / 3, 0.12345000000000001, 0.99999999999999989, 2.5e-9, 123456.789, 0.0, 12.0, None]
    with Store(tmp_path / "s.sqlite3") as s:
        s.conn.execute("CREATE TEMP TABLE t (x REAL)")
        s.conn.executemany("INSERT INTO t VALUES (?)", [(v,) for v in values])
        got = s.fast_frame("SELECT x FROM t ORDER BY rowid", {"x": pl.Float64})["x"].to_list()
    assert got == values


def test_a_child_reader_writes_the_text_alone_to_stdout_and_the_count_to_stderr(tmp_path: Path) -> None:
    """The parent takes the child's stdout whole as the text (no line to cut off, a copy of 170 MB at M); the count comes on stderr."""
    import json
    import subprocess
    import sys

    with _store_with_odd_text(tmp_path / "s.sqlite3") as s:
        n, pieces = _reader.read_text(_bytes_conn(s), store_module._as_text(QUERY), store_module._as_lines(QUERY))
        job = {"path": str(s.path), "key": None, "limit": None, "sql": store_module._as_text(QUERY), "lines_sql": store_module._as_lines(QUERY)}
    child = subprocess.run([sys.executable, "-m", "inquiry.runtime.reader"], input=json.dumps(job).encode("utf-8"), capture_output=True, check=False)
    assert child.returncode == 0, child.stderr
    assert child.stdout == b"\n".join(pieces) and n == len(ODD)
    assert child.stderr.decode().splitlines()[-1] == str(len(ODD))
    failing = subprocess.run(
        [sys.executable, "-m", "inquiry.runtime.reader"], input=json.dumps({**job, "sql": "SELECT nope FROM t"}).encode("utf-8"), capture_output=True, check=False
    )
    assert failing.returncode == 1 and failing.stdout == b""
    assert failing.stderr.decode().strip().splitlines() == ["OperationalError: no such column: nope"]


def _bytes_conn(s: Store) -> sqlite3.Connection:
    conn = sqlite3.connect(s.path)
    conn.text_factory = bytes
    return conn


def test_a_read_in_parts_by_rowid_seeks_its_ends_and_walks_no_rows(tmp_path: Path) -> None:
    """By rowid the parts' bounds come from the smallest and largest rowid (no count, no OFFSET walk); every row once, in order."""
    with _store_with_odd_text(tmp_path / "s.sqlite3") as s:
        with s.transaction():
            s.conn.execute("DELETE FROM t WHERE i IN (0, 1, 2, 5)")  # rowids with gaps, as after a purge
        query = FastQuery("SELECT rowid AS r, i, v FROM t", {"r": pl.Int64, "i": pl.Int64, "v": pl.Utf8}, ("v",))
        whole = s.fast_frame("SELECT rowid AS r, i, v FROM t ORDER BY rowid", query.schema, text=query.text)
        seen: list[str] = []
        s.conn.set_trace_callback(seen.append)
        split = s.in_parts(query, "r", "t", parts=2, table_key="rowid")
        s.conn.set_trace_callback(None)
        assert not [sql for sql in seen if "OFFSET" in sql or "count(" in sql], seen
        each = [s.fast_frame(q.sql, q.schema, text=q.text) for q in split]
        assert len(split) == 2 and all(f.height for f in each) and pl.concat(each).equals(whole)
        assert whole["r"].to_list() == [4, 5, 7, 8, 9, 10]
        with s.transaction():
            s.conn.execute("DELETE FROM t")
        assert len(s.in_parts(query, "r", "t", parts=2, table_key="rowid")) == 1  # no rows: one part


def test_a_child_that_ends_before_taking_its_job_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A child reader that dies at its start (here: a program that reads nothing) fails the read with the store's message, not a broken pipe."""
    false = Path("/bin/false")
    if not false.exists():
        pytest.skip("no /bin/false")
    with _store_with_odd_text(tmp_path / "s.sqlite3") as s:
        monkeypatch.setattr(store_module.sys, "executable", str(false))
        long_job = FastQuery("SELECT i FROM t /*" + "x" * 300_000 + "*/", {"i": pl.Int64})  # more than a pipe holds
        future = s.fast_frames({"gone": long_job})["gone"]
        with pytest.raises(RuntimeError, match=r"reading the store failed"):
            future.result()
