"""The store's bulk write paths (issue #10): set-based, and what they write is what the row-by-row paths wrote.

``inquiry ingest`` marks the inquiries its files answered with one
statement at its end, the follow-ups with one statement per file (and
``summarise`` their summaries with one), never an ``UPDATE`` per inquiry: checked by counting the statements SQLite runs
(each row of an ``executemany`` is a statement start) during the real
command on a simulated office, both services, basic and history answers.
What the statements wrote is checked against the rows themselves.
:meth:`Store.insert` binds whole columns; constant, all-null, date and
boolean columns go in as before. The cp932 text of a DAIS request file is
checked against a per-value reference.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from inquiry.runtime.store import Store
from inquiry.steps.prepare import GETA, _cp932_safe_text
from matching import fold_variants
from sample_data import generate_office
from tests.inquiry._fixtures import cli, finished, init_generated, prepare_args, sent_office, traced_statements


def _updates(seen: list[str], table: str) -> int:
    return sum(1 for s in seen if s.lstrip().upper().startswith("UPDATE") and f"UPDATE {table.upper()} " in " ".join(s.upper().split()))


def test_ingest_marks_what_it_answered_with_one_statement(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home, world = sent_office(tmp_path, 60, seed=3)
    basic_files = len([p for p in (home / "inbox").iterdir() if p.is_file()])

    seen = traced_statements(monkeypatch)
    finished(*cli("ingest", "--home", home))
    assert basic_files >= 2
    assert _updates(seen, "inquiries") == 1, "an UPDATE per file or per inquiry"  # one per ingest (session 6)

    con = sqlite3.connect(home / "store.sqlite3")
    # what the set-based UPDATE wrote is what the answers say: answered iff answered; 'found' iff any row found
    assert con.execute("SELECT count(*) FROM inquiries WHERE answered_on IS NOT NULL").fetchone()[0] > 100
    wrong = con.execute(
        """SELECT count(*) FROM inquiries i LEFT JOIN (
               SELECT inquiry_id, max(answer = 'found') AS found, min(answer) AS any_answer FROM answers GROUP BY inquiry_id) a
           USING (inquiry_id)
           WHERE (a.inquiry_id IS NULL) != (i.answered_on IS NULL)
              OR (a.found = 1 AND i.answer != 'found') OR (a.found = 0 AND i.answer NOT IN ('none', 'unable'))"""
    ).fetchone()[0]
    assert wrong == 0
    con.close()

    finished(*cli("match", "--home", home))
    finished(*cli("followups", "--home", home))
    history = world.answer_outbox(home / "outbox", home / "inbox")
    assert history, "no history inquiry was written"
    finished(*cli("sent", "--home", home, *history))
    history_files = len([p for p in (home / "inbox").iterdir() if p.is_file()])
    seen.clear()
    finished(*cli("ingest", "--home", home))
    # one per file for the answers, one for the summaries
    assert 1 <= _updates(seen, "followups") <= history_files + 1, "an UPDATE per follow-up"

    con = sqlite3.connect(home / "store.sqlite3")
    answered, wrong = con.execute(
        """SELECT count(*), sum(f.transactions != (SELECT count(*) FROM transactions t WHERE t.followup_id = f.followup_id)
                                OR f.summarised_tx IS NULL OR f.regular_income IS NULL OR f.answered_on IS NULL)
           FROM followups f WHERE f.status = 'ANSWERED'"""
    ).fetchone()
    con.close()
    assert answered > 0 and wrong == 0


def test_store_insert_binds_whole_columns(tmp_path: Path) -> None:
    """Constant, all-null, nested-free, date and boolean columns go in as the row-by-row insert put them."""
    frame = pl.DataFrame(
        {
            "a": ["x", "x", "x"],
            "b": [None, None, None],
            "c": [1, None, 3],
            "d": [dt.date(2026, 12, 5)] * 3,
            "e": [True, False, True],
            "f": [2.5, 2.5, 2.5],
            "g": ["p", "q", None],
        },
        schema_overrides={"b": pl.Utf8},
    )
    with Store(tmp_path / "s.sqlite3") as s, s.transaction():
        s.conn.execute("CREATE TABLE t (a TEXT, b TEXT, c INTEGER, d TEXT, e INTEGER, f REAL, g TEXT)")
        assert s.insert("t", frame) == 3
        assert s.insert("t", frame.clear()) == 0
        rows = s.conn.execute("SELECT * FROM t").fetchall()
    assert rows == [
        ("x", None, 1, "2026-12-05", 1, 2.5, "p"),
        ("x", None, None, "2026-12-05", 0, 2.5, "q"),
        ("x", None, 3, "2026-12-05", 1, 2.5, None),
    ]


def test_store_insert_writes_a_constant_text_or_integer_into_the_sql_and_binds_it_never(tmp_path: Path) -> None:
    """The file's SHA and the day, the same in every row, are not bound 1.2 M times each (issue #10, session 6)."""
    calls: list[tuple[str, list[tuple]]] = []

    class Spy:
        def __init__(self, conn: sqlite3.Connection) -> None:
            object.__setattr__(self, "conn", conn)

        def executemany(self, sql: str, rows: object) -> sqlite3.Cursor:
            rows = list(rows)  # type: ignore[call-overload]
            calls.append((sql, rows))
            return self.conn.executemany(sql, rows)

        def __getattr__(self, name: str) -> object:
            return getattr(self.conn, name)

    frame = pl.DataFrame({"sha": ["ab'c"] * 3, "n": [7] * 3, "line": [1, 2, 3], "x": [0.5] * 3, "nul": ["a\x00"] * 3})
    with Store(tmp_path / "s.sqlite3") as s:
        s.conn.execute("CREATE TABLE t (sha TEXT, n INTEGER, line INTEGER, x REAL, nul TEXT)")
        real, s.conn = s.conn, Spy(s.conn)  # type: ignore[assignment]
        try:
            assert s.insert("t", frame) == 3
        finally:
            s.conn = real
        rows = s.conn.execute("SELECT sha, typeof(sha), n, typeof(n), line, x, nul FROM t ORDER BY rowid").fetchall()
    (sql, bound), = calls
    assert "'ab''c'" in sql and ", 7," in sql  # in the statement, quoted
    assert bound == [(1, 0.5, "a\x00"), (2, 0.5, "a\x00"), (3, 0.5, "a\x00")]  # a float and a text with NUL: bound as before
    assert rows == [("ab'c", "text", 7, "integer", i, 0.5, "a\x00") for i in (1, 2, 3)]


def _reference(text: str | None) -> str | None:
    """The per-value rule of the DAIS request file: each character as cp932 has it, folded, or 〓."""
    if text is None:
        return None
    out = []
    for ch in text:
        for candidate in (ch, fold_variants(ch)):
            try:
                candidate.encode("cp932")
                out.append(candidate)
                break
            except UnicodeEncodeError:
                continue
        else:
            out.append(GETA)
    return "".join(out)


_NAMES = st.text(alphabet=st.sampled_from("山田太郎𠮷髙﨑鷗①～〜ｶﾅか゚🍣 \u3000-Aa1丁目𩸽"), max_size=12)


@given(st.lists(st.one_of(st.none(), _NAMES), max_size=30))
def test_cp932_text_as_a_column_is_the_per_value_rule(values: list[str | None]) -> None:
    got = _cp932_safe_text(pl.Series(values, dtype=pl.Utf8)).to_list()
    assert got == [_reference(v) for v in values]
    for v in got:
        if v is not None:
            v.encode("cp932")


def test_store_insert_binds_no_none_yet_stores_every_null(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nulls go in without a ``None`` bound (the library's adapter look-up per ``None`` was half a year's insert).

    A ``None`` the library binds passes through its adapters: one registered
    for ``NoneType`` counts them. The stand-in (NUL text, the smallest
    integer) becomes NULL again in SQL; a column that holds the stand-in
    itself keeps it (its nulls are then bound as ``None``); a frame of nulls
    only still inserts every row.
    """
    bound_none: list[None] = []
    monkeypatch.setitem(sqlite3.adapters, (type(None), sqlite3.PrepareProtocol), lambda v: bound_none.append(v))
    frame = pl.DataFrame(
        {"t": ["a", None, "", None], "i": [None, 0, -5, None], "n": [None] * 4, "k": ["k"] * 4, "u": [1, None, 2, 3]},
        schema_overrides={"n": pl.Utf8, "u": pl.UInt32},
    )
    with Store(tmp_path / "s.sqlite3") as s, s.transaction():
        s.conn.execute("CREATE TABLE t (t TEXT, i INTEGER, n TEXT, k TEXT, u INTEGER)")
        assert s.insert("t", frame) == 4
        assert bound_none == []
        rows = s.conn.execute("SELECT t, typeof(t), i, typeof(i), n, k, u FROM t ORDER BY rowid").fetchall()
        assert rows == [
            ("a", "text", None, "null", None, "k", 1),
            (None, "null", 0, "integer", None, "k", None),
            ("", "text", -5, "integer", None, "k", 2),
            (None, "null", None, "null", None, "k", 3),
        ]
        # values that are the stand-ins themselves are kept as they are, beside real nulls
        odd = pl.DataFrame({"t": ["\x00", None], "i": [-(2**63), None]})
        s.conn.execute("CREATE TABLE odd (t TEXT, i INTEGER)")
        assert s.insert("odd", odd) == 2
        assert s.conn.execute("SELECT t, typeof(t), i, typeof(i) FROM odd ORDER BY rowid").fetchall() == [
            ("\x00", "text", -(2**63), "integer"),
            (None, "null", None, "null"),
        ]
        # nothing but nulls: every row still goes in (nothing is bound at all)
        s.conn.execute("CREATE TABLE empty (a TEXT, b INTEGER)")
        assert s.insert("empty", pl.DataFrame({"a": [None] * 3, "b": [None] * 3}, schema={"a": pl.Utf8, "b": pl.Int64})) == 3
        assert s.conn.execute("SELECT count(*), count(a), count(b) FROM empty").fetchone() == (3, 0, 0)
        # ON CONFLICT … DO UPDATE sees the nulls as nulls (excluded.x)
        s.conn.execute("CREATE TABLE up (k TEXT PRIMARY KEY, v TEXT)")
        s.insert("up", pl.DataFrame({"k": ["a", "b"], "v": ["1", "2"]}))
        s.insert("up", pl.DataFrame({"k": ["a", "b"], "v": [None, "3"]}), on_conflict="ON CONFLICT (k) DO UPDATE SET v = excluded.v")
        assert s.conn.execute("SELECT k, v FROM up ORDER BY k").fetchall() == [("a", None), ("b", "3")]


def test_store_sorts_and_temporary_tables_stay_in_memory(tmp_path: Path) -> None:
    """No temporary file on disk: it would hold personal data outside the (encrypted) store."""
    with Store(tmp_path / "s.sqlite3") as s:
        assert s.scalar("PRAGMA temp_store") == 2  # MEMORY


def _store_at_version_6(path: Path) -> None:
    """A store as the program before migrations 7 (views) and 8 (rebuilt tables) left it, with answers and transactions (rowids with gaps)."""
    from inquiry.runtime.migrations import MIGRATIONS
    from inquiry.runtime.store import _statements

    con = sqlite3.connect(path, isolation_level=None)
    for script in MIGRATIONS[:6]:
        for statement in _statements(script):
            con.execute(statement)
    con.execute("INSERT INTO meta (key, value) VALUES ('schema_version', '6')")
    for rowid, (sha, line, key) in zip((3, 7, 8), [("s1", 1, "0001-001-1-0000001"), ("s1", 2, None), ("s2", 1, "0005-002-1-0000009")]):
        con.execute(
            "INSERT INTO answers (rowid, response_sha, line, inquiry_id, answer, account_key, holder_kana, answered_on) VALUES (?,?,?,?,?,?,?,?)",
            (rowid, sha, line, f"B1-{line}", "found" if key else "none", key, "ﾔﾏﾀﾞ ﾀﾛｳ", "2026-12-05"),
        )
    con.execute("INSERT INTO transactions (rowid, followup_id, response_sha, line, description, deposit_yen) VALUES (5, 'H1', 's3', 4, '給与', 250000)")
    con.execute(
        "INSERT INTO inquiries (inquiry_id, person_id, provider, bank_code, as_of, request_file, created_at) VALUES ('B1-1', 'P1', 'dais', '0001', '2026-12-01', 'f', 'now')"
    )
    con.close()


def test_migration_8_keeps_every_answer_and_only_the_indexes_reads_need(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """answers and transactions rebuilt without the (response_sha, line) key, same rows and rowids; a partial account index."""
    import inquiry.runtime.store

    path = tmp_path / "store.sqlite3"
    _store_at_version_6(path)
    before = sqlite3.connect(path)
    answers = before.execute("SELECT rowid, * FROM answers ORDER BY rowid").fetchall()
    transactions = before.execute("SELECT rowid, * FROM transactions ORDER BY rowid").fetchall()
    before.close()
    # up to migration 12: 13 names the file by an integer (tests/inquiry/test_file_id.py)
    monkeypatch.setattr(inquiry.runtime.store, "MIGRATIONS", inquiry.runtime.store.MIGRATIONS[:12])
    monkeypatch.setattr(inquiry.runtime.store, "SCHEMA_VERSION", 12)
    with Store(path) as s:
        assert s.schema_version() >= 8
        # the views of migration 7, dropped and made again around the rebuild, read the rebuilt table
        assert s.conn.execute("SELECT answer_row, account_key FROM first_answers ORDER BY 1").fetchall() == [(3, "0001-001-1-0000001"), (8, "0005-002-1-0000009")]
        assert s.conn.execute("SELECT rowid, * FROM answers ORDER BY rowid").fetchall() == answers
        assert s.conn.execute("SELECT rowid, * FROM transactions ORDER BY rowid").fetchall() == transactions
        indexes = {t: {r[1]: r[4] for r in s.conn.execute(f"PRAGMA index_list({t})")} for t in ("answers", "transactions", "inquiries")}
        assert indexes["answers"] == {"answers_account": 1, "answers_inquiry": 0}  # 1: partial (found rows only)
        assert indexes["transactions"] == {"transactions_followup": 0}
        assert "inquiries_person" not in indexes["inquiries"]
        # the reads by account still use the index, and the column keeps NOT NULL
        plan = " ".join(r[3] for r in s.conn.execute("EXPLAIN QUERY PLAN SELECT min(rowid) FROM answers x WHERE x.account_key = ?", ("k",)))
        assert "answers_account" in plan
        with pytest.raises(sqlite3.IntegrityError):
            s.conn.execute("INSERT INTO answers (line, inquiry_id, answer, answered_on) VALUES (1, 'B', 'none', '2026-12-05')")


def test_prepare_records_each_request_file_while_the_next_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``write_request_files`` hands each file to ``record`` in order, once written and recorded, while a worker writes the next.

    The real ``prepare`` on a simulated office, files of 7 inquiries: when
    the inquiries of a file are stored, its ``.part`` is whole (read back,
    the very rows) and its ``request_files`` row is there; a write that
    fails fails the command and leaves the store as before.
    """
    import formats
    import inquiry.steps.requests

    office = generate_office(40, seed=3)
    inputs = office.write(tmp_path / "office")
    home = tmp_path / "ws"
    init_generated(home, office, per_file=7)
    args = prepare_args(home, office, inputs)

    seen: list[tuple[str, int, int, list[str], bool]] = []
    real = inquiry.steps.requests.write_request_files

    def watched(ctx, result, provider, kind, rows, to_frame, *, record=None):  # the real one, its record() watched
        def check(name: str, batch: pl.DataFrame) -> None:
            part = ctx.ws.part_path(ctx.ws.outbox / name)
            in_file = formats.read_request(part).rows["inquiry_id"].to_list()
            known = ctx.store.scalar("SELECT rows FROM request_files WHERE file_name = ?", (name,))
            stored = ctx.store.scalar("SELECT count(*) FROM inquiries WHERE request_file = ?", (name,))
            seen.append((name, batch.height, known, in_file, in_file == batch["inquiry_id"].to_list() and stored == 0))
            assert record is not None
            record(name, batch)

        return real(ctx, result, provider, kind, rows, to_frame, record=check)

    monkeypatch.setattr(inquiry.steps.prepare, "write_request_files", watched)
    finished(*cli(*args))
    names = sorted(p.name for p in (home / "outbox").iterdir())
    assert len(seen) == len(names) > 4 and sorted(s[0] for s in seen) == names
    assert all(n == known and ok for _, n, known, _, ok in seen), seen
    with Store(home / "store.sqlite3") as store:
        by_file = dict(store.conn.execute("SELECT request_file, count(*) FROM inquiries GROUP BY request_file").fetchall())
    assert by_file == {name: n for name, n, *_ in seen}

    # a write that fails (the third file): nothing of the command is kept
    home2 = tmp_path / "ws2"
    init_generated(home2, office, per_file=7)
    writes: list[Path] = []
    real_write = formats.write_request

    def failing(provider, kind, frame, path, **kw):
        writes.append(Path(path))
        if len(writes) == 3:
            raise OSError("disk full")
        return real_write(provider, kind, frame, path, **kw)

    monkeypatch.setattr(formats, "write_request", failing)
    args[2] = home2
    code, out = cli(*args)
    assert code == 2 and "disk full" in out, out
    with Store(home2 / "store.sqlite3") as store:
        assert store.scalar("SELECT count(*) FROM inquiries") == 0 and store.scalar("SELECT count(*) FROM request_files") == 0
    assert [p for p in (home2 / "outbox").iterdir() if not p.name.endswith(".part")] == []
    monkeypatch.undo()
    finished(*cli(*args))  # the next command discards what the failed one left, and does it all
    with Store(home2 / "store.sqlite3") as store:
        assert store.scalar("SELECT count(*) FROM request_files") == len(list((home2 / "outbox").iterdir())) == len(names)
    assert not [p for p in (home2 / "outbox").iterdir() if p.name.endswith(".part")]
