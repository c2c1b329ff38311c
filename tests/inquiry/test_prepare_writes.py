"""``prepare``'s writes (issue #10, session 6): the inquiries many rows per statement, in the request files' order.

:meth:`Store.insert_rows` stores what :meth:`Store.insert` stores, row for
row and rowid for rowid, with one statement per few hundred rows instead of
one per row; the real ``prepare`` uses it for its inquiries, which follow
the request files' order (service, bank code, person id as texts).
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import polars as pl
import pytest

import inquiry.runtime.store as store_module
from inquiry.runtime.store import Store
from sample_data import generate_office
from tests.inquiry._fixtures import cli, finished, init_generated, prepare_args, traced_statements


def test_insert_rows_stores_what_insert_stores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every kind of column, more rows than one statement takes (and a remainder): the same rows and rowids."""
    monkeypatch.setattr(store_module, "_ROWS_BOUND", 11)  # h bound once; c, e, f, g in each row: 2 rows a statement
    n = 10
    frame = pl.DataFrame(
        {
            "a": ["x"] * n,
            "b": [None] * n,
            "c": [i if i % 3 else None for i in range(n)],
            "d": [dt.date(2026, 12, 5)] * n,
            "e": [i % 2 == 0 for i in range(n)],
            "f": [2.5 + i for i in range(n)],
            "g": [None if i == 4 else f"p'{i}" for i in range(n)],
            "h": [0.1] * n,  # a float the same in every row: bound once per statement, never written as a literal
            "i": ["?"] * n,  # a text the same in every row: a literal holding a "?" that is no parameter
        },
        schema_overrides={"b": pl.Utf8},
    )
    tables = {}
    for method in ("insert", "insert_rows"):
        with Store(tmp_path / f"{method}.sqlite3") as s, s.transaction():
            s.conn.execute("CREATE TABLE t (a TEXT, b TEXT, c INTEGER, d TEXT, e INTEGER, f REAL, g TEXT, h REAL, i TEXT)")
            assert getattr(s, method)("t", frame) == n
            assert getattr(s, method)("t", frame.clear()) == 0
            assert getattr(s, method)("t", frame.head(1)) == 1
            tables[method] = s.conn.execute("SELECT rowid, a, b, c, d, e, f, g, h, i, typeof(c), typeof(g) FROM t ORDER BY rowid").fetchall()
    assert tables["insert_rows"] == tables["insert"]
    assert len(tables["insert"]) == n + 1


def test_prepare_stores_its_inquiries_many_rows_per_statement(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The real ``prepare``: a few statements per request file, not one per inquiry; the ids in the files' order.

    The standard library starts a statement for each row of an ``executemany``
    (SQLite's trace callback sees each), so main's row-by-row insert shows one
    ``INSERT INTO inquiries`` per inquiry.
    """
    office = generate_office(120, seed=4)
    inputs = office.write(tmp_path / "office")
    home = tmp_path / "ws"
    init_generated(home, office)
    seen = traced_statements(monkeypatch)
    finished(*cli(*prepare_args(home, office, inputs)))
    monkeypatch.undo()
    with Store(home / "store.sqlite3") as store:
        rows = store.frame("SELECT inquiry_id, provider, bank_code, person_id, request_file FROM inquiries ORDER BY rowid")
        files = store.scalar("SELECT count(*) FROM request_files")
    inserts = sum(1 for s in seen if " ".join(s.split()).upper().startswith("INSERT INTO INQUIRIES"))
    per_statement = store_module._ROWS_BOUND // 3  # provider, as_of, file, created_at in the statement; id, person, bank each row
    assert rows.height > 3 * per_statement
    assert 0 < inserts <= math.ceil(rows.height / per_statement) + files, (inserts, rows.height)
    # ids given in the files' order: service, then bank code and person id as texts
    assert rows["inquiry_id"].to_list() == sorted(rows["inquiry_id"].to_list())
    assert rows.select("provider", "bank_code", "person_id").rows() == sorted(rows.select("provider", "bank_code", "person_id").rows())


def test_prepare_writes_two_request_files_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The real ``prepare``, files of 7 inquiries: the first two files are written at the same time, by two
    writers (each waits for the other at a barrier; one writer alone would wait in vain), and every file is
    still recorded in order, with its own inquiries."""
    import threading

    import formats

    office = generate_office(40, seed=3)
    inputs = office.write(tmp_path / "office")
    home = tmp_path / "ws"
    init_generated(home, office, per_file=7)
    meet = threading.Barrier(2, timeout=10)
    writers: set[str] = set()
    real_write = formats.write_request

    def together(provider, kind, frame, path, **kw):  # the real one; the first two calls wait for each other
        writers.add(threading.current_thread().name)
        if len(writers) <= 2 and not meet.broken and meet.n_waiting < 2:
            try:
                meet.wait()
            except threading.BrokenBarrierError:
                pass
        return real_write(provider, kind, frame, path, **kw)

    monkeypatch.setattr(formats, "write_request", together)
    finished(*cli(*prepare_args(home, office, inputs)))
    monkeypatch.undo()
    assert not meet.broken and len(writers) == 2, writers
    names = sorted(p.name for p in (home / "outbox").iterdir())
    with Store(home / "store.sqlite3") as store:
        files = [r[0] for r in store.conn.execute("SELECT file_name FROM request_files ORDER BY rowid").fetchall()]
        first_rows = store.conn.execute("SELECT request_file, min(rowid), max(rowid), count(*) FROM inquiries GROUP BY request_file ORDER BY 2").fetchall()
    assert sorted(files) == names and len(names) > 4
    assert [f for f, *_ in first_rows] == files  # inquiries stored file after file, in the files' order
    for name, lo, hi, n in first_rows:
        assert hi - lo + 1 == n
        in_file = formats.read_request(home / "outbox" / name).rows["inquiry_id"].to_list()
        with Store(home / "store.sqlite3") as store:
            stored_ids = [r[0] for r in store.conn.execute("SELECT inquiry_id FROM inquiries WHERE request_file = ? ORDER BY rowid", (name,)).fetchall()]
        assert in_file == stored_ids
