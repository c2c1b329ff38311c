"""``latest_answers`` costs one seek per answer row, however often an account was answered (migration 12).

A stranger's account comes back once for every same-name person inquired at
its bank, so at a million persons one account is answered hundreds of times
(652 in the simulated L office). Migration 9's view keeps an answer row when
it is its account's newest by balance date, answer day and row; with the
answers' account index by key alone SQLite read and sorted all k rows of the
account for each of them, k² per account, and ``followups`` took 725 s at L.
Migration 12 orders the index as the view chooses, and migration 14 lets the
view choose from the index alone (the table is read for the chosen row
only). Checked here: the rows
chosen (against a plain Python choice, and across the migration on a store of
schema 11), and the work, counted in SQLite's own virtual-machine steps, that
grows as k and not as k².
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import inquiry.runtime.store
from inquiry.runtime.store import Store
from inquiry.steps.followups import _ANSWERS_SQL

_INSERT = "INSERT INTO answers (file_id, line, inquiry_id, answer, account_key, balance_date, answered_on) VALUES (?, ?, ?, ?, ?, ?, ?)"
#: the same, into a store from before answers named their file by ``file_id`` (schema 11)
_INSERT_11 = _INSERT.replace("file_id", "response_sha")


def _answers(account: str, k: int, file: int | str = 1) -> list[tuple[int | str, int, str, str, str | None, str | None, str]]:
    """``k`` found answers of ``account``, balance dates and answer days repeating (ties broken by row), some
    balance dates missing, and a ``none`` answer between them (no account); ``file``: the file they name."""
    rows: list[tuple[int | str, int, str, str, str | None, str | None, str]] = []
    for i in range(k):
        balance = None if i % 7 == 3 else f"2026-{1 + i % 11:02d}-{1 + i % 5:02d}"
        rows.append((file, i, f"I-{account}-{i}", "found", account, balance, f"2026-12-{1 + i % 3:02d}"))
        if i % 10 == 0:
            rows.append((file, 100_000 + i, f"N-{account}-{i}", "none", None, None, "2026-12-01"))
    return rows


def _newest(con: sqlite3.Connection, account: str) -> int:
    """The account's newest found row as the view's first definition says, chosen in Python (a missing date is the oldest)."""
    rows = con.execute("SELECT rowid, balance_date, answered_on FROM answers WHERE account_key = ? AND answer = 'found'", (account,)).fetchall()
    return max(rows, key=lambda r: (r[1] is not None, r[1] or "", r[2], r[0]))[0]


def _steps(con: sqlite3.Connection, sql: str, *args: object) -> tuple[list[tuple[object, ...]], int]:
    """The rows of ``sql`` and the virtual-machine steps SQLite took for them (counted by the hundred)."""
    counted = [0]

    def tick() -> int:
        counted[0] += 1
        return 0

    con.set_progress_handler(tick, 100)
    try:
        rows = con.execute(sql, args).fetchall()
    finally:
        con.set_progress_handler(None, 0)
    return rows, counted[0]


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("latest") / "store.sqlite3"
    with Store(path) as store, store.transaction():
        for account, k in (("A-100", 100), ("A-400", 400), ("A-1600", 1600), ("A-1", 1)):
            store.conn.executemany(_INSERT, _answers(account, k))
    return path


def test_the_latest_answer_is_the_newest_row_of_its_account(store_path: Path) -> None:
    con = sqlite3.connect(store_path)
    try:
        chosen = dict(con.execute("SELECT account_key, answer_row FROM latest_answers").fetchall())
        assert chosen == {a: _newest(con, a) for a in ("A-100", "A-400", "A-1600", "A-1")}
    finally:
        con.close()


def test_the_work_grows_with_the_answers_of_an_account_not_with_their_square(store_path: Path) -> None:
    """Four times the answers, at most about four times the steps (k² would be sixteen); the plan sorts nothing.

    Measured: 21, 72, 288 hundred steps for 100, 400, 1,600 answers (25,
    100, 400 before migration 14 took the table's reads out of the choice);
    with migration 11's index 1,259, 19,468, 308,576."""
    con = sqlite3.connect(store_path)
    try:
        # the accounts as followups names them, by a list (with ``= ?`` SQLite would seek the one row by rowid)
        sql = "SELECT answer_row FROM latest_answers WHERE account_key IN (SELECT value FROM json_each(?))"
        steps = {k: _steps(con, sql, f'["A-{k}"]') for k in (100, 400, 1600)}
        plan = [row[3] for row in con.execute(f"EXPLAIN QUERY PLAN {_ANSWERS_SQL}").fetchall()]
    finally:
        con.close()
    assert all(len(rows) == 1 for rows, _ in steps.values())
    assert steps[400][1] < 5 * steps[100][1] and steps[1600][1] < 5 * steps[400][1], {k: n for k, (_, n) in steps.items()}
    assert not [step for step in plan if "TEMP B-TREE" in step], plan
    # the newest row of an account chosen from the index alone (migration 14): the table is read for the chosen row only
    assert any(step.startswith("SEARCH b USING COVERING INDEX answers_account") for step in plan), plan


def test_migration_12_keeps_every_answer_and_the_latest_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A store of schema 11 with answers: after migration the same rows, and the view chooses the same ones."""
    path = tmp_path / "store.sqlite3"
    migrations = inquiry.runtime.store.MIGRATIONS
    monkeypatch.setattr(inquiry.runtime.store, "MIGRATIONS", migrations[:11])
    monkeypatch.setattr(inquiry.runtime.store, "SCHEMA_VERSION", 11)
    with Store(path) as store, store.transaction():
        store.conn.executemany(_INSERT_11, _answers("A-60", 60, "s") + _answers("A-2", 2, "s"))
        answers = store.conn.execute("SELECT rowid, * FROM answers ORDER BY rowid").fetchall()
        latest = store.conn.execute("SELECT * FROM latest_answers ORDER BY answer_row").fetchall()
    monkeypatch.setattr(inquiry.runtime.store, "MIGRATIONS", migrations[:12])  # up to migration 12: 13 names the file by an integer
    monkeypatch.setattr(inquiry.runtime.store, "SCHEMA_VERSION", 12)
    with Store(path) as store:
        assert store.schema_version() == len(inquiry.runtime.store.MIGRATIONS) == 12
        assert store.conn.execute("SELECT rowid, * FROM answers ORDER BY rowid").fetchall() == answers
        assert store.conn.execute("SELECT * FROM latest_answers ORDER BY answer_row").fetchall() == latest
        columns = [row[2] for row in store.conn.execute("PRAGMA index_info(answers_account)")]
    assert len(latest) == 2 and columns == ["account_key", "balance_date", "answered_on"]
