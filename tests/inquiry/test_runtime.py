"""Runtime truths (issue 12, points 4 and 5): no default office; what a failure after the commit says;
request files written whether or not the caller iterates; migrations split as SQLite reads them.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

import formats
import inquiry.runtime.store
from inquiry.runtime.step import Context, StepResult, run_step
from inquiry.runtime.workspace import Workspace
from inquiry.steps.requests import write_request_files
from tests.inquiry._fixtures import OFFICE_ARGS, cli, init_and_prepare, write_office


# -- init names the office; there is no default ------------------------------------------
@pytest.mark.parametrize(
    "args",
    [(), ("--municipality", "131041"), ("--name", "新宿区"), ("--municipality", "131041", "--name", " ")],
    ids=["nothing", "no-name", "no-code", "blank-name"],
)
def test_init_without_the_office_refuses_and_creates_nothing(tmp_path: Path, args: tuple[str, ...]) -> None:
    home = tmp_path / "ws"
    code, out = cli("init", "--home", home, *args)
    assert code == 2, out
    assert "--municipality" in out or "blank" in out
    assert not (home / "settings.json").exists() and not (home / "store.sqlite3").exists()


@pytest.mark.parametrize("code_", ["131040", "131042", "13104", "1310411", "１３１０４１", "abcdef"])
def test_init_checks_the_municipality_code_and_its_check_digit(tmp_path: Path, code_: str) -> None:
    home = tmp_path / "ws"
    code, out = cli("init", "--home", home, "--municipality", code_, "--name", "新宿区")
    assert code == 2, out
    assert "check digit" in out or "6 digits" in out
    assert not (home / "settings.json").exists()


def test_init_records_the_office_it_was_given(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    code, out = cli("init", "--home", home, "--municipality", "011002", "--name", "札幌市")  # 札幌市 011002
    assert code == 0, out
    settings = json.loads((home / "settings.json").read_text(encoding="utf-8"))
    assert (settings["municipality_code"], settings["municipality_name"]) == ("011002", "札幌市")
    code, out = cli("init", "--home", home, *OFFICE_ARGS)  # the same folder for another office: refused
    assert code == 2 and "011002" in out, out
    assert json.loads((home / "settings.json").read_text(encoding="utf-8"))["municipality_code"] == "011002"


def test_settings_have_no_default_office() -> None:
    from pydantic import ValidationError

    from inquiry.runtime.settings import Settings

    with pytest.raises(ValidationError):
        Settings()  # type: ignore[call-arg]


# -- a failure after the commit is not "nothing was committed" ----------------------------
def test_a_failure_after_the_commit_says_what_was_committed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    office = write_office(tmp_path / "office")
    home = tmp_path / "ws"
    assert cli("init", "--home", home, *OFFICE_ARGS)[0] == 0

    def disk_full(self: Workspace, parts: list[Path]) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Workspace, "publish", disk_full)
    code, out = cli("prepare", "--home", home, "--master", office["master"], "--institutions", office["institutions"], "--as-of", "2026-10-01")
    assert code == 2, out
    assert "nothing was committed" not in out
    assert "committed" in out and "No space left on device" in out and "publishing" in out
    with sqlite3.connect(home / "store.sqlite3") as con:  # what the message says is true
        assert con.execute("SELECT count(*) FROM inquiries").fetchone()[0] == 8
        assert con.execute("SELECT command FROM audit ORDER BY seq DESC LIMIT 1").fetchone()[0] == "prepare"
    assert sorted(p.suffix for p in (home / "outbox").iterdir()) == [".part", ".part"]
    monkeypatch.undo()
    code, out = cli("prepare", "--home", home, "--master", office["master"], "--institutions", office["institutions"], "--as-of", "2026-10-01")
    assert code == 0, out  # the next command finishes the publishing; nobody is asked twice
    published = sorted((home / "outbox").iterdir())
    assert len(published) == 2 and not [p for p in published if p.name.endswith(".part")]
    with sqlite3.connect(home / "store.sqlite3") as con:
        assert con.execute("SELECT count(*) FROM inquiries").fetchone()[0] == 8


def test_a_failure_before_the_commit_still_says_nothing_was_committed(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    assert cli("init", "--home", home, *OFFICE_ARGS)[0] == 0

    def broken(ctx: Context) -> StepResult:
        raise RuntimeError("simulated fault")

    assert run_step(home, "broken", {}, broken) == 2
    with sqlite3.connect(home / "store.sqlite3") as con:
        assert con.execute("SELECT count(*) FROM audit WHERE command = 'broken'").fetchone()[0] == 0


# -- request files are written by the call, not by iterating its result -------------------
def test_request_files_are_written_even_if_the_result_is_not_iterated(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    init_and_prepare(home, write_office(tmp_path / "office"))
    ws = Workspace.open(home)
    sent_before = sorted(p.name for p in ws.outbox.iterdir())
    rows = formats.read_request(next(ws.outbox.glob("*.dat"))).rows  # a DAIS request's rows, written again
    with ws.store() as store:
        store.conn.execute("BEGIN IMMEDIATE")
        try:
            ctx = Context(ws, store, "test", datetime(2026, 11, 24, 9, 0))
            result = StepResult()
            written = write_request_files(ctx, result, "dais", "basic", rows, lambda b: b)
            # the caller has not looked at ``written``: the file and its record exist all the same
            assert len(result.parts) == 1 and result.parts[0].exists()
            name = result.parts[0].name[: -len(".part")]
            assert store.scalar("SELECT count(*) FROM request_files WHERE file_name = ?", (name,)) == 1
            assert [n for n, _ in written] == [name]
        finally:
            store.conn.execute("ROLLBACK")  # leave the workspace as it was
    for part in ws.outbox.glob("*.part"):
        part.unlink()
    assert sorted(p.name for p in ws.outbox.iterdir()) == sent_before


# -- migrations are split as SQLite reads them -------------------------------------------
def test_a_migration_with_semicolons_inside_statements_is_applied_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    extra = """
    -- a note; with a semicolon
    CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL DEFAULT 'a;b');
    CREATE TABLE note_log (id INTEGER, body TEXT);
    CREATE TRIGGER notes_logged AFTER INSERT ON notes BEGIN
        INSERT INTO note_log (id, body) VALUES (new.id, new.body || ';logged');
    END;
    """
    monkeypatch.setattr(inquiry.runtime.store, "MIGRATIONS", [*inquiry.runtime.store.MIGRATIONS, extra])
    monkeypatch.setattr(inquiry.runtime.store, "SCHEMA_VERSION", len(inquiry.runtime.store.MIGRATIONS))
    home = tmp_path / "ws"
    code, out = cli("init", "--home", home, *OFFICE_ARGS)
    assert code == 0, out
    with sqlite3.connect(home / "store.sqlite3") as con:
        con.execute("INSERT INTO notes (id) VALUES (1)")
        assert con.execute("SELECT body FROM note_log").fetchall() == [("a;b;logged",)]
        assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(len(inquiry.runtime.store.MIGRATIONS))
