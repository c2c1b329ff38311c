"""The audit trail (操作履歴): one chained entry per command, tampering found and named.

The tests edit the SQLite rows directly, as someone with the file could, and
run the real ``inquiry audit verify``: exit 2 and the first bad entry named.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from inquiry import audit
from inquiry.store import Store
from tests.inquiry._fixtures import OFFICE, cli


def _entries(home: Path) -> list[tuple]:
    with sqlite3.connect(home / "store.sqlite3") as con:
        return con.execute("SELECT seq, command, counts FROM audit ORDER BY seq").fetchall()


def _tamper(home: Path, *statements: tuple[str, tuple]) -> None:
    con = sqlite3.connect(home / "store.sqlite3")
    with con:
        for sql, params in statements:
            con.execute(sql, params)
    con.close()


def test_every_command_appends_one_entry_and_the_chain_verifies(home: Path) -> None:
    assert [c for _, c, _ in _entries(home)] == ["init", "prepare", "sent", "ingest", "match"]
    code, out = cli("audit", "verify", "--home", home)
    assert code == 0, out
    assert "5 entries" in out


def test_edited_entry_is_named(home: Path) -> None:
    _tamper(home, ("UPDATE audit SET counts = replace(counts, '\"rows_read\": 8', '\"rows_read\": 6') WHERE seq = 4", ()))
    assert json.loads(_entries(home)[3][2])["rows_read"] == 6  # the edit happened
    code, out = cli("audit", "verify", "--home", home)
    assert code == 2
    assert "audit entry 4" in out and "changed" in out


def test_edited_entry_with_its_hash_recomputed_breaks_the_next_link(home: Path) -> None:
    with Store(home / "store.sqlite3") as store:
        seq, at, op, cmd, o, c, f, prev = store.conn.execute(
            "SELECT seq, at, operator, command, options, counts, files, prev_hash FROM audit WHERE seq = 2"
        ).fetchone()
        forged = audit._digest(prev, seq, at, "someone-else", cmd, o, c, f)
    _tamper(home, ("UPDATE audit SET operator = 'someone-else', hash = ? WHERE seq = 2", (forged,)))
    code, out = cli("audit", "verify", "--home", home)
    assert code == 2
    assert "audit entry 3" in out


def test_deleted_entry_is_named(home: Path) -> None:
    _tamper(home, ("DELETE FROM audit WHERE seq = 3", ()))
    code, out = cli("audit", "verify", "--home", home)
    assert code == 2
    assert "audit entry 3" in out and "removed" in out


def test_deleted_entry_renumbered_is_still_found(home: Path) -> None:
    _tamper(home, ("DELETE FROM audit WHERE seq = 3", ()), ("UPDATE audit SET seq = seq - 1 WHERE seq > 3", ()))
    code, out = cli("audit", "verify", "--home", home)
    assert code == 2
    assert "audit entry 3" in out


def test_swapped_pair_is_named(home: Path) -> None:
    _tamper(
        home,
        ("UPDATE audit SET seq = -1 WHERE seq = 2", ()),
        ("UPDATE audit SET seq = 2 WHERE seq = 3", ()),
        ("UPDATE audit SET seq = 3 WHERE seq = -1", ()),
    )
    assert [c for _, c, _ in _entries(home)][1:3] == ["sent", "prepare"]
    code, out = cli("audit", "verify", "--home", home)
    assert code == 2
    assert "audit entry 2" in out and "reordered" in out


def test_verify_through_the_installed_module_exits_2(home: Path) -> None:
    _tamper(home, ("UPDATE audit SET command = 'match --quiet' WHERE seq = 5", ()))
    proc = subprocess.run([sys.executable, "-m", "inquiry", "audit", "verify", "--home", str(home)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "audit entry 5" in proc.stdout and "Traceback" not in proc.stdout + proc.stderr


def test_verify_outside_a_workspace_exits_2(tmp_path: Path) -> None:
    code, out = cli("audit", "verify", "--home", tmp_path / "nothing")
    assert code == 2 and "init" in out


def test_person_level_views_are_logged_with_how_many_persons(home: Path) -> None:
    code, out = cli("export", "matches", "--home", home, "--out", home / "reports" / "m.csv", "--operator", "担当B")
    assert code == 0, out
    seq, command, counts = _entries(home)[-1]
    assert command == "export matches"
    assert json.loads(counts)["persons_shown"] == 4
    with sqlite3.connect(home / "store.sqlite3") as con:
        assert con.execute("SELECT operator FROM audit WHERE seq = ?", (seq,)).fetchone()[0] == "担当B"


def test_entries_hold_no_personal_data_and_survive_a_purge(home: Path) -> None:
    code, out = cli("purge", "--home", home, "--as-of", "2099-01-01")
    assert code == 0, out
    with sqlite3.connect(home / "store.sqlite3") as con:
        text = json.dumps(con.execute("SELECT * FROM audit").fetchall(), ensure_ascii=False)
        assert con.execute("SELECT count(*) FROM persons").fetchone()[0] == 0
    for p in OFFICE:
        for value in (*p.name_kanji.split(), *p.name_kana.split(), p.account_number, p.address, p.birth_date):
            assert value not in text, value
    code, out = cli("audit", "verify", "--home", home)
    assert code == 0 and "6 entries" in out


@pytest.mark.parametrize(
    ("command", "persons"),
    [(["report"], 4), (["export", "outcomes"], 4), (["export", "followups"], 0), (["review", "export", "--out", "{home}/reports/review.xlsx"], 0)],
)
def test_every_person_level_view_is_logged_with_its_count(home: Path, command: list[str], persons: int) -> None:
    args = [a.format(home=home) for a in command]
    code, out = cli(*args, "--home", home)
    assert code == 0, out
    seq, logged, counts = _entries(home)[-1]
    assert logged == " ".join(a for a in command if not a.startswith("-") and "{home}" not in a)
    assert json.loads(counts)["persons_shown"] == persons


def test_entries_cut_from_the_end_are_noticed(home: Path) -> None:
    _tamper(home, ("DELETE FROM audit WHERE seq >= 4", ()))
    code, out = cli("audit", "verify", "--home", home)
    assert code == 2
    assert "audit entry 4" in out and "removed" in out


def test_last_entry_rewritten_with_a_fresh_hash_is_noticed(home: Path) -> None:
    with Store(home / "store.sqlite3") as store:
        seq, at, op, cmd, o, c, f, prev = store.conn.execute(
            "SELECT seq, at, operator, command, options, counts, files, prev_hash FROM audit ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        forged = audit._digest(prev, seq, at, op, cmd, o, c.replace("8", "9"), f)
    _tamper(home, ("UPDATE audit SET counts = replace(counts, '8', '9'), hash = ? WHERE seq = ?", (forged, seq)))
    code, out = cli("audit", "verify", "--home", home)
    assert code == 2 and f"audit entry {seq}" in out
