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

from inquiry.runtime import audit
from inquiry.runtime.store import Store
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


def test_edited_entry_with_an_unkeyed_hash_recomputed_is_named(home: Path) -> None:
    with Store(home / "store.sqlite3") as store:
        seq, at, op, cmd, o, c, f, prev = store.conn.execute(
            "SELECT seq, at, operator, command, options, counts, files, prev_hash FROM audit WHERE seq = 2"
        ).fetchone()
        forged = audit._digest(prev, seq, at, "someone-else", cmd, o, c, f)  # no key: what a forger can compute
    _tamper(home, ("UPDATE audit SET operator = 'someone-else', hash = ? WHERE seq = 2", (forged,)))
    code, out = cli("audit", "verify", "--home", home)
    assert code == 2
    assert "audit entry 2" in out and "changed" in out


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


# -- a keyed chain, its head kept outside the store (issue 14, point 6) ----------------
def _rechain_unkeyed(home: Path, edit_seq: int, *, scheme: str | None = None) -> None:
    """What someone with the store file alone can do: edit an entry, recompute every hash after it, fix the head."""
    con = sqlite3.connect(home / "store.sqlite3")
    with con:
        rows = con.execute("SELECT seq, at, operator, command, options, counts, files, prev_hash FROM audit ORDER BY seq").fetchall()
        prev = con.execute("SELECT hash FROM audit WHERE seq = ?", (edit_seq - 1,)).fetchone()[0] if edit_seq > 1 else audit.GENESIS
        for seq, at, op, cmd, o, c, f, _ in rows[edit_seq - 1 :]:
            op = "someone-else" if seq == edit_seq else op
            h = audit._digest(prev, seq, at, op, cmd, o, c, f)
            con.execute("UPDATE audit SET operator = ?, prev_hash = ?, hash = ? WHERE seq = ?", (op, prev, h, seq))
            if scheme:
                con.execute("UPDATE audit SET scheme = ? WHERE seq = ?", (scheme, seq))
            prev = h
        con.execute("UPDATE meta SET value = ? WHERE key = 'audit_head'", (f"{rows[-1][0]}:{prev}",))
    con.close()


def test_an_edited_trail_with_the_whole_chain_recomputed_is_found(home: Path) -> None:
    _rechain_unkeyed(home, 2)
    code, out = cli("audit", "verify", "--home", home)
    assert code == 2, out
    assert "audit entry 2" in out and "changed" in out


def test_a_keyed_trail_rewritten_as_an_old_unkeyed_one_is_found(home: Path) -> None:
    (home / "logs" / "audit.log").unlink()  # the heads outside are gone too: only the key file still knows
    _rechain_unkeyed(home, 1, scheme="sha256")
    code, out = cli("audit", "verify", "--home", home)
    assert code == 2, out
    assert "audit entry 1" in out and "unkeyed" in out


def test_entries_cut_from_the_end_with_the_head_are_found_and_the_count_expected_said(home: Path) -> None:
    _tamper(home, ("DELETE FROM audit WHERE seq >= 4", ()), ("UPDATE meta SET value = (SELECT seq || ':' || hash FROM audit WHERE seq = 3) WHERE key = 'audit_head'", ()))
    code, out = cli("audit", "verify", "--home", home)
    assert code == 2, out
    assert "audit entry 4" in out and "removed" in out
    assert "3 entries; expected at least 5" in out


def test_the_whole_trail_deleted_on_a_workspace_with_data_is_found(home: Path) -> None:
    _tamper(home, ("DELETE FROM audit", ()), ("DELETE FROM meta WHERE key = 'audit_head'", ()))
    code, out = cli("audit", "verify", "--home", home)
    assert code == 2 and "audit entry 1" in out and "removed" in out, out
    (home / "logs" / "audit.log").unlink()  # also without the heads kept outside: the store's data says it was used
    code, out = cli("audit", "verify", "--home", home)
    assert code == 2 and "audit entry 1" in out and "the store holds data" in out, out


def test_verify_says_how_many_entries_it_expected(home: Path) -> None:
    code, out = cli("audit", "verify", "--home", home)
    assert code == 0, out
    assert "5 entries; expected at least 5" in out
    heads = [line.split("\t")[1] for line in (home / "logs" / "audit.log").read_text(encoding="utf-8").splitlines()]
    assert heads == [f"seq={n}" for n in range(1, 6)]


def test_a_missing_key_is_said_and_no_new_key_is_made(home: Path) -> None:
    key = (home / "audit.key").read_bytes()
    (home / "audit.key").unlink()
    code, out = cli("audit", "verify", "--home", home)
    assert code == 2 and "audit.key" in out and "missing" in out, out
    code, out = cli("match", "--home", home)
    assert code == 2 and "audit.key" in out and "nothing was committed" in out, out
    assert not (home / "audit.key").exists()
    (home / "audit.key").write_bytes(key)  # restored from the backup
    assert cli("match", "--home", home)[0] == 0
    assert cli("audit", "verify", "--home", home)[0] == 0


def test_the_key_file_is_owner_only_and_can_live_outside_the_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import stat

    outside = tmp_path / "supervisor" / "audit.key"
    monkeypatch.setenv(audit.KEY_FILE_ENV, str(outside))
    home = tmp_path / "ws"
    assert cli("init", "--home", home, "--municipality", "131041", "--name", "新宿区")[0] == 0
    assert outside.exists() and not (home / "audit.key").exists()
    assert stat.S_IMODE(outside.stat().st_mode) == 0o600
    assert cli("audit", "verify", "--home", home)[0] == 0
    monkeypatch.delenv(audit.KEY_FILE_ENV)
    code, out = cli("audit", "verify", "--home", home)  # without the key the chain cannot be checked
    assert code == 2 and "missing" in out


def test_an_old_unkeyed_trail_is_kept_and_sealed_by_the_first_keyed_entry(home: Path) -> None:
    """A workspace from before the keyed trail: its entries verify as they were; the next command keys the trail."""
    _rechain_unkeyed(home, 1, scheme="sha256")  # as the old version wrote them (operator of entry 1 aside)
    (home / "audit.key").unlink()
    (home / "logs" / "audit.log").unlink()
    code, out = cli("audit", "verify", "--home", home)
    assert code == 0, out
    assert cli("match", "--home", home)[0] == 0
    assert "legacy_entries=5" in (home / "audit.key").read_text(encoding="ascii")
    with sqlite3.connect(home / "store.sqlite3") as con:
        assert [r[0] for r in con.execute("SELECT scheme FROM audit ORDER BY seq")] == ["sha256"] * 5 + ["hmac-file"]
    assert cli("audit", "verify", "--home", home)[0] == 0
    _rechain_unkeyed(home, 3)  # rewriting an old entry now breaks the keyed one that sealed them
    code, out = cli("audit", "verify", "--home", home)
    assert code == 2 and "audit entry 6" in out, out


def test_an_encrypted_store_keys_its_trail_with_the_store_key(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before `inquiry encrypt` the trail is keyed with audit.key; after it, with a key derived from the store key."""
    pytest.importorskip("sqlcipher3")
    monkeypatch.setenv("INQUIRY_KEY", "correct horse battery staple")
    code, out = cli("encrypt", "--home", home)
    assert code == 0, out
    assert cli("match", "--home", home)[0] == 0
    with Store(home / "store.sqlite3", key="correct horse battery staple") as store:
        schemes = [r[0] for r in store.conn.execute("SELECT scheme FROM audit ORDER BY seq")]
    assert schemes == ["hmac-file"] * 5 + ["hmac-store"] * 2
    code, out = cli("audit", "verify", "--home", home)
    assert code == 0 and "7 entries" in out, out
    (home / "audit.key").unlink()  # the older entries need it still
    code, out = cli("audit", "verify", "--home", home)
    assert code == 2 and "audit entry 1" in out and "missing" in out, out
