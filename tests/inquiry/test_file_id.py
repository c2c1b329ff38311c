"""Answer and transaction rows name their file by ``response_files.file_id``, not by its SHA-256 (issue #10, migration 13).

Checked here: the migration of a store of schema 12 (every row kept with its
rowid, each naming the right file, the views giving the same rows, the
schema then the same as a new store's); that no table but the files' own
holds a SHA column, and, after a real year in small (ingest of basic and
history answers through the CLI), no answer file's SHA-256 outside
``response_files``; that ingest gives each file the id its rows name, also
when a file before it is rejected whole or skipped (the reader thread made
its insert for another id); and that the history summary still orders one
follow-up's rows of two files by the files' SHA-256, not by their ids.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

import inquiry.runtime.store
from inquiry.runtime.store import Store
from tests.inquiry._fixtures import answers_waiting, cli, file_id_of, finished, sent_office, stored

AA, BB, CC, EE = ("aa" * 32, "bb" * 32, "cc" * 32, "ee" * 32)


def _at_version(monkeypatch: pytest.MonkeyPatch, version: int) -> None:
    monkeypatch.setattr(inquiry.runtime.store, "MIGRATIONS", inquiry.runtime.store.MIGRATIONS[:version])
    monkeypatch.setattr(inquiry.runtime.store, "SCHEMA_VERSION", version)


def _store_at_version_12(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Answers of two files and transactions of a third and of a file never recorded, rowids with gaps.

    The files were taken BB, then AA and CC in the same second, CC last: by
    ``ingested_at`` then rowid AA, BB, CC — neither their SHA order alone
    nor their rowid order.
    """
    _at_version(monkeypatch, 12)
    with Store(path) as store, store.transaction():
        con = store.conn
        files = [(BB, "B.csv", "2026-11-01T09:00:00"), (AA, "A.csv", "2026-11-01T08:00:00"), (CC, "C.csv", "2026-11-01T09:00:00")]
        for sha, name, at in files:
            con.execute(
                "INSERT INTO response_files (sha256, file_name, provider, kind, rows_read, rows_accepted, rows_rejected, ingested_at) "
                "VALUES (?, ?, 'dais', 'basic', 2, 2, 0, ?)",
                (sha, name, at),
            )
        con.executemany(
            "INSERT INTO inquiries (inquiry_id, person_id, provider, bank_code, as_of, request_file, created_at, sent_on, answered_on, answer) "
            "VALUES (?, ?, 'dais', '0001', '2026-10-01', 'REQ', '2026-10-01T00:00:00', '2026-10-02', '2026-11-01', ?)",
            [("I1", "P1", "found"), ("I2", "P2", "found"), ("I3", "P3", "none")],
        )
        answers = [
            (3, BB, 2, "I1", "found", "0001-001-1-0000001", "2026-10-31", "2026-11-01", 1000),
            (7, BB, 3, "I3", "none", None, None, "2026-11-01", None),
            (8, AA, 2, "I2", "found", "0001-001-1-0000001", "2026-10-30", "2026-11-01", 2000),
            (20, AA, 5, "I2", "found", "0001-002-1-0000002", "2026-10-31", "2026-11-02", 3000),
        ]
        con.executemany(
            "INSERT INTO answers (rowid, response_sha, line, inquiry_id, answer, account_key, balance_date, answered_on, balance_yen) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            answers,
        )
        con.executemany(
            "INSERT INTO matches (account_key, inquiry_id, inquired_person_id, person_id, class, score, name_evidence, dob_evidence, "
            "address_evidence, matched_at) VALUES (?, ?, ?, ?, 'CONFIRMED', 1.0, 'exact', 'exact', 'current', '2026-11-01T10:00:00')",
            [("0001-001-1-0000001", "I1", "P1", "P1"), ("0001-002-1-0000002", "I2", "P2", "P2")],
        )
        con.executemany(
            "INSERT INTO transactions (rowid, followup_id, response_sha, line, detail_no, tx_date, description, deposit_yen) VALUES (?,?,?,?,?,?,?,?)",
            [(5, "H1", CC, 4, 1, "2026-10-25", "給与", 250_000), (9, "H1", EE, 2, 1, "2026-09-25", "給与", 250_000)],
        )


def _rows(con: sqlite3.Connection, table: str, file: str, columns: list[str]) -> list[tuple]:
    """Every row of ``table`` by rowid: rowid, its file's SHA-256 (``file``: how to get it), the other columns."""
    return con.execute(f"SELECT x.rowid, {file}, {', '.join('x.' + c for c in columns)} FROM {table} x ORDER BY x.rowid").fetchall()


def _schema(con: sqlite3.Connection, types: tuple[str, ...] = ("table", "index", "view", "trigger")) -> list[tuple]:
    marks = ",".join("?" * len(types))
    return con.execute(f"SELECT type, name, tbl_name, sql FROM sqlite_master WHERE type IN ({marks}) ORDER BY type, name", types).fetchall()


def test_migration_keeps_every_row_and_names_each_file_by_its_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A store of schema 12: after the migration the same rows and rowids, file_id the right file's, the same views and schema as new."""
    path = tmp_path / "store.sqlite3"
    _store_at_version_12(path, monkeypatch)
    con = sqlite3.connect(path)
    others = {t: [r[1] for r in con.execute(f"PRAGMA table_info({t})") if r[1] != "response_sha"] for t in ("answers", "transactions")}
    answers = _rows(con, "answers", "x.response_sha", others["answers"])
    transactions = _rows(con, "transactions", "x.response_sha", others["transactions"])
    shown = ", ".join(c for c in others["answers"])
    views = {v: con.execute(f"SELECT answer_row, {shown} FROM {v} ORDER BY answer_row").fetchall() for v in ("first_answers", "latest_answers")}
    outcomes = con.execute("SELECT * FROM inquiry_outcomes ORDER BY inquiry_id").fetchall()
    view_sql = _schema(con, ("view", "trigger"))
    con.close()
    assert len(views["first_answers"]) == 2 and [o[6] for o in outcomes] == ["HIT", "HIT", "NO_ACCOUNT"]

    monkeypatch.undo()
    _at_version(monkeypatch, 13)  # this migration's work alone (14 gives latest_answers another text, the same rows)
    with Store(path) as store:
        assert store.schema_version() == 13
    con = sqlite3.connect(path)
    by_id = "(SELECT r.sha256 FROM response_files r WHERE r.file_id = x.file_id)"
    assert _rows(con, "answers", by_id, others["answers"]) == answers
    assert _rows(con, "transactions", by_id, others["transactions"]) == transactions
    # the files by ingested_at, then rowid; a SHA the rows name but no file row had is kept as a file of its own, last
    assert con.execute("SELECT file_id, sha256, file_name, kind FROM response_files ORDER BY file_id").fetchall() == [
        (1, AA, "A.csv", "basic"), (2, BB, "B.csv", "basic"), (3, CC, "C.csv", "basic"), (4, EE, EE, ""),
    ]  # fmt: skip
    assert con.execute("SELECT rowid, file_id FROM answers ORDER BY rowid").fetchall() == [(3, 2), (7, 2), (8, 1), (20, 1)]
    for v, rows in views.items():
        assert con.execute(f"SELECT answer_row, {shown} FROM {v} ORDER BY answer_row").fetchall() == rows
    assert con.execute("SELECT * FROM inquiry_outcomes ORDER BY inquiry_id").fetchall() == outcomes
    assert _schema(con, ("view", "trigger")) == view_sql  # made again with their text of schema 12
    with pytest.raises(sqlite3.IntegrityError):  # file_id NOT NULL
        con.execute("INSERT INTO answers (line, inquiry_id, answer, answered_on) VALUES (1, 'I9', 'none', '2026-12-05')")
    with pytest.raises(sqlite3.IntegrityError):  # a file is taken once by its SHA
        con.execute(
            "INSERT INTO response_files (sha256, file_name, provider, kind, rows_read, rows_accepted, rows_rejected, ingested_at) "
            "VALUES (?, 'again.csv', 'dais', 'basic', 0, 0, 0, '2026-12-05T00:00:00')",
            (AA,),
        )
    migrated = _schema(con)
    con.close()
    with Store(tmp_path / "new.sqlite3") as new:  # tables, indexes (answers_account of migration 12's shape), views: as a new store's
        assert migrated == _schema(new.conn)


def test_no_table_but_the_files_own_holds_a_sha(tmp_path: Path) -> None:
    """A SHA-256 column only where a row is a file: request files, answer files, a payments feed's rows (not an answer file's)."""
    with Store(tmp_path / "store.sqlite3") as store:
        tables = [r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        columns = {t: {r[1]: (r[2], r[3], r[5]) for r in store.conn.execute(f"PRAGMA table_info({t})")} for t in tables}
    shas = sorted((t, c) for t, cols in columns.items() for c in cols if "sha" in c)
    assert shas == [("payments", "source_sha"), ("request_files", "sha256"), ("response_files", "sha256")]
    assert columns["response_files"]["file_id"] == ("INTEGER", 0, 1)  # the explicit INTEGER PRIMARY KEY
    assert columns["answers"]["file_id"] == columns["transactions"]["file_id"] == ("INTEGER", 1, 0)  # NOT NULL


def _file_shas(home: Path) -> set[str]:
    return {r[0] for r in stored(home, "SELECT sha256 FROM response_files")}


def _holders(home: Path, values: set[str]) -> list[tuple[str, str]]:
    """(table, column) of every text column outside ``response_files`` holding one of ``values`` in some row."""
    con = sqlite3.connect(home / "store.sqlite3")
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'response_files'")]
        marks = ",".join("?" * len(values))
        return [
            (t, c)
            for t in tables
            for c in [r[1] for r in con.execute(f"PRAGMA table_info({t})")]
            if con.execute(f'SELECT 1 FROM {t} WHERE "{c}" IN ({marks}) LIMIT 1', sorted(values)).fetchone()
        ]
    finally:
        con.close()


def test_a_year_in_small_keeps_no_answer_file_sha_outside_response_files(tmp_path: Path) -> None:
    """The real commands on a simulated office, basic and history answers: every row names a recorded file by its id."""
    home, world = sent_office(tmp_path, 120, seed=4)
    for step in ("ingest", "match", "followups"):
        finished(*cli(step, "--home", home))
    history = world.answer_outbox(home / "outbox", home / "inbox")
    assert history, "the office has no history inquiry to answer"
    finished(*cli("sent", "--home", home, *history))
    finished(*cli("ingest", "--home", home))
    counts = stored(
        home,
        "SELECT kind, count(*), sum(rows_accepted), (SELECT count(*) FROM answers), (SELECT count(*) FROM transactions), "
        "count(DISTINCT file_id), min(file_id), max(file_id) FROM response_files GROUP BY kind ORDER BY kind",
    )
    (basic, files_b, _, answers, transactions, *_), (history_kind, files_h, *_) = counts
    assert (basic, history_kind) == ("basic", "history") and answers > 0 and transactions > 0
    # ids 1..n, as the files were taken
    assert stored(home, "SELECT min(file_id), max(file_id), count(*) FROM response_files") == [(1, files_b + files_h, files_b + files_h)]
    # each file's recorded rows are the rows naming its id (a basic file records its answers; a history file its found rows)
    per_file = stored(
        home,
        "SELECT r.file_id, r.kind, r.rows_accepted, (SELECT count(*) FROM answers a WHERE a.file_id = r.file_id), "
        "(SELECT count(*) FROM transactions t WHERE t.file_id = r.file_id) FROM response_files r",
    )
    assert all(n_answers == accepted for _, kind, accepted, n_answers, _ in per_file if kind == "basic")
    assert sum(n_tx for *_, n_tx in per_file) == transactions and all(n_answers == 0 for _, kind, _, n_answers, _ in per_file if kind == "history")
    assert _holders(home, _file_shas(home)) == []


def test_each_file_gets_the_id_its_rows_name_when_one_before_it_is_rejected_or_skipped(tmp_path: Path) -> None:
    """The reader thread makes a file's insert for the id it gets if the file before it is recorded; when that one is not, made again."""
    home = answers_waiting(tmp_path)
    inbox = home / "inbox"
    dais, pipit = sorted(p for p in inbox.iterdir())
    assert dais.name.startswith("DAIS_") and pipit.name.startswith("PIPITLINQ_")
    (inbox / "0000_RES_garbage.csv").write_bytes(b"not an answer file\r\n")  # first, rejected whole
    shutil.copy(dais, inbox / "DAIS_ZZZ_copy.csv")  # after DAIS: the same SHA, skipped as already ingested
    code, out = cli("ingest", "--home", home)
    assert code == 1, out  # done, with a file rejected
    assert stored(home, "SELECT file_id, file_name FROM response_files ORDER BY file_id") == [(1, dais.name), (2, pipit.name)]
    assert stored(
        home,
        "SELECT DISTINCT i.provider, r.file_name FROM answers a JOIN inquiries i ON i.inquiry_id = a.inquiry_id "
        "LEFT JOIN response_files r ON r.file_id = a.file_id ORDER BY 1",
    ) == [("dais", dais.name), ("pipitlinq", pipit.name)]
    assert stored(home, "SELECT sum(rows_accepted) FROM response_files") == stored(home, "SELECT count(*) FROM answers")


def test_one_follow_up_in_two_files_is_summarised_in_the_files_sha_order(tmp_path: Path) -> None:
    """Two rows of one date and 明細番号 in two files: the later by SHA-256 is the last balance, whichever file was taken first."""
    from inquiry.steps.history import summarise

    with Store(tmp_path / "store.sqlite3") as store, store.transaction():
        con = store.conn
        con.execute(
            "INSERT INTO followups (followup_id, person_id, account_key, provider, origin_inquiry_id, status, created_at, answered_on, transactions) "
            "VALUES ('H1', 'P1', '0001-001-1-0000001', 'dais', 'I1', 'ANSWERED', '2026-11-01T00:00:00', '2026-11-20', 4)"
        )
        late, early = file_id_of(con, "ff" * 32, "history"), file_id_of(con, "00" * 32, "history")  # ids 1, 2: not their SHA order
        assert (late, early) == (1, 2)
        rows = [
            (late, 2, 1, "2026-09-25", 250_000, 1_000_000), (early, 2, 1, "2026-09-25", 250_000, 750_000),
            (late, 3, 2, "2026-10-25", 250_000, 900_000), (early, 3, 2, "2026-10-25", 250_000, 111_111),
        ]  # fmt: skip
        con.executemany(
            "INSERT INTO transactions (followup_id, file_id, line, detail_no, tx_date, description, withdrawal_yen, deposit_yen, balance_yen) "
            "VALUES ('H1', ?, ?, ?, ?, 'ｷﾕｳﾖ', 0, ?, ?)",
            rows,
        )
        assert summarise(store) == 1
        (summary,) = store.conn.execute("SELECT summary FROM followups WHERE followup_id = 'H1'").fetchone()
    # by SHA: 00… then ff… on each day, so the first balance is 750,000 (00…) and the last 900,000 (ff…)
    assert "残高 750,000円→900,000円" in summary, summary
