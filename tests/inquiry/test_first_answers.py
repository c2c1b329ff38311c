"""``first_answers`` from the accounts' index alone (migration 11, issue #10 session 6).

An account's first answer is its first found row as stored; migration 11
chooses it from ``answers_account`` (the keyed rows, by key and rowid)
instead of a ``GROUP BY`` over every answer row read from the table. That is
the same row because ``ingest`` keys every found row and no other: checked
here on a simulated office with all three kinds of answer (found, none,
unable), two rounds of files, and the view compared row for row with its
first definition (migration 7). ``export matches`` and the report read it so.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from inquiry.report.queries import READS
from inquiry.runtime.store import Store
from inquiry.steps.exports import _FIRST_ANSWERS_READ
from tests.inquiry._fixtures import cli, finished, sent_office
from tests.inquiry.test_views import _view_sql


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A simulated office's year so far: asked, answered (found, none, unable), ingested and matched."""
    home, _ = sent_office(tmp_path_factory.mktemp("first"), 80, seed=6)
    finished(*cli("ingest", "--home", home))
    finished(*cli("match", "--home", home))
    return home


def test_an_answer_has_an_account_key_exactly_when_it_is_found(ingested: Path) -> None:
    con = sqlite3.connect(ingested / "store.sqlite3")
    try:
        kinds = dict(con.execute("SELECT answer, count(*) FROM answers GROUP BY answer").fetchall())
        wrong = con.execute("SELECT count(*) FROM answers WHERE (account_key IS NOT NULL) != (answer = 'found')").fetchone()[0]
    finally:
        con.close()
    assert kinds.get("found", 0) > 50 and kinds.get("none", 0) > 50, kinds
    assert wrong == 0


def test_first_answers_are_the_rows_of_their_first_definition(ingested: Path) -> None:
    first = _view_sql("first_answers", version=7).replace("CREATE VIEW first_answers AS", "CREATE TEMP VIEW first_answers_7 AS", 1)
    con = sqlite3.connect(ingested / "store.sqlite3")
    try:
        con.execute(first)
        now = con.execute("SELECT * FROM first_answers ORDER BY account_key").fetchall()
        before = con.execute("SELECT * FROM first_answers_7 ORDER BY account_key").fetchall()
        names = [d[1] for d in con.execute("PRAGMA table_info(first_answers)")], [d[1] for d in con.execute("PRAGMA table_info(first_answers_7)")]
        accounts = con.execute("SELECT count(DISTINCT account_key) FROM answers WHERE answer = 'found'").fetchone()[0]
    finally:
        con.close()
    assert now == before and names[0] == names[1]
    assert len(now) == accounts > 20


@pytest.mark.parametrize("sql", [_FIRST_ANSWERS_READ.sql, READS["first_answers"].sql], ids=["export matches", "report"])
def test_first_answers_are_chosen_without_reading_every_answer(ingested: Path, sql: str) -> None:
    """The plan of each read: the answers' table is searched by rowid, never scanned (the first definition scanned it)."""
    with Store(ingested / "store.sqlite3") as store:
        plan = [row[3] for row in store.conn.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall()]
    assert not [step for step in plan if step.startswith("SCAN") and "answers" in step.split()[1:2]], plan
    assert any("COVERING INDEX answers_account" in step for step in plan), plan
