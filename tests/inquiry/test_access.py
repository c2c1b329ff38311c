"""Access: the workspace and everything the commands write in it are the owner's only.

Run with the usual ``umask 022`` (files readable by everyone), so that a
writer relying on the default would be caught: after a whole cycle with
request files, rejects, a paper list, an export, a deletion certificate and
an error log, every folder is 0700 and every file 0600.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from inquiry.runtime.step import StepResult, run_step
from tests.inquiry._fixtures import (
    OFFICE,
    OFFICE_ARGS,
    answer_outbox,
    cli,
    mark_sent,
    write_office,
)

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")


@pytest.fixture(autouse=True)
def world_readable_default() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def _modes(home: Path) -> dict[str, int]:
    found = {}
    for folder, dirs, files in os.walk(home):
        for name in dirs + files:
            path = Path(folder) / name
            found[str(path.relative_to(home))] = stat.S_IMODE(path.lstat().st_mode)
    return found


def _check(home: Path) -> None:
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    wrong = {p: oct(m) for p, m in _modes(home).items() if m != (0o700 if (home / p).is_dir() else 0o600)}
    assert wrong == {}, f"not owner-only: {wrong}"


def test_everything_the_cycle_writes_is_owner_only(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    office = write_office(tmp_path / "office")
    office["master"].write_text(
        "person_id,name_kanji,name_kana,birth_date,address,target_banks\r\n"
        + "".join(f"{p.person_id},{p.name_kanji},{p.name_kana},{p.birth_date},{p.address},\r\n" for p in OFFICE)
        + "P9,山田 太郎,山田タロウ,1970-01-01,,\r\n"  # kana holding kanji: rejected
        + "P10,佐藤 一,サトウ ハジメ,1970-01-01,,0009\r\n",  # a paper-only institution: paper list
        encoding="utf-8",
    )
    assert cli("init", "--home", home, *OFFICE_ARGS)[0] == 0
    code, out = cli("prepare", "--home", home, "--master", office["master"], "--institutions", office["institutions"])
    assert code == 1, out  # P9's kana holds kanji: a rejects file
    assert list((home / "reports").glob("rejects-*.csv")) and list((home / "reports").glob("paper-inquiries-*.csv"))
    assert list((home / "outbox").iterdir())
    _check(home)  # request files waiting in outbox/
    answer_outbox(home)
    mark_sent(home)
    assert cli("ingest", "--home", home)[0] == 0
    assert cli("match", "--home", home)[0] == 0
    assert cli("export", "matches", "--home", home)[0] == 0
    assert cli("purge", "--home", home, "--as-of", "2099-01-01")[0] == 0
    assert list((home / "reports").glob("purge-*.txt"))

    def broken(ctx):
        raise RuntimeError("simulated fault")

    assert run_step(home, "broken", {}, broken) == 2
    assert list((home / "logs").glob("error-*.log"))
    _check(home)


def test_init_makes_an_existing_folder_owner_only(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    home.mkdir(mode=0o755)
    os.chmod(home, 0o755)
    assert cli("init", "--home", home, *OFFICE_ARGS)[0] == 0
    _check(home)


def test_the_demo_office_and_workspace_are_owner_only(tmp_path: Path) -> None:
    """The demo writes a generated office (names, addresses) next to its workspace: owner-only too."""
    home = tmp_path / "demo"
    code, out = cli("demo", "--home", home, "--persons", "30")
    assert code == 0, out
    assert (home / "office").is_dir() and (home / ".demo-workspace").exists()
    _check(home)


def test_each_start_says_when_no_encryption_key_is_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INQUIRY_KEY", raising=False)
    home = tmp_path / "ws"
    code, out = cli("init", "--home", home, *OFFICE_ARGS)
    assert code == 0 and "暗号化キー" in out and "no encryption key" in out
    assert run_step(home, "noop", {}, lambda ctx: StepResult()) == 0


# -- encryption at rest (optional extra: sqlcipher3) ----------------------------------
def _tokens() -> list[bytes]:
    return [t.encode() for p in OFFICE for t in (*p.name_kanji.split(), *p.name_kana.split(), p.account_number, p.address[6:12])]


def test_with_a_key_the_store_file_holds_no_readable_personal_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("sqlcipher3")
    import sqlite3

    from inquiry.runtime.store import Store
    from tests.inquiry._fixtures import answered_workspace

    monkeypatch.setenv("INQUIRY_KEY", "correct horse battery staple")
    home = answered_workspace(tmp_path)
    data = (home / "store.sqlite3").read_bytes()
    assert [t.decode() for t in _tokens() if t in data] == []
    assert not data.startswith(b"SQLite format 3")
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(home / "store.sqlite3").execute("SELECT * FROM persons").fetchall()
    with Store(home / "store.sqlite3", key="correct horse battery staple") as store:
        assert store.scalar("SELECT count(*) FROM persons") == 4
    # the report reads the store in child processes: they are given the key too
    code, out = cli("report", "--home", home)
    assert code == 0, out
    assert OFFICE[0].name_kanji in next((home / "reports").glob("report-*.html")).read_text(encoding="utf-8")
    code, out = cli("purge", "--home", home, "--as-of", "2099-01-01")
    assert code == 0 and "no encryption key" not in out, out
    code, out = cli("audit", "verify", "--home", home)
    assert code == 0, out

    monkeypatch.setenv("INQUIRY_KEY", "wrong")
    for command in (["match"], ["audit", "verify"]):
        code, out = cli(*command, "--home", home)
        assert code == 2 and "wrong key" in out and "Traceback" not in out, command
    monkeypatch.delenv("INQUIRY_KEY")
    code, out = cli("match", "--home", home)
    assert code == 2 and "encrypted" in out and "Traceback" not in out


def test_a_key_file_must_live_outside_the_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("sqlcipher3")
    home = tmp_path / "ws"
    assert cli("init", "--home", home, *OFFICE_ARGS)[0] == 0
    inside = home / "key.txt"
    inside.write_text("s3cret\n", encoding="utf-8")
    monkeypatch.setenv("INQUIRY_KEY_FILE", str(inside))
    code, out = cli("match", "--home", home)
    assert code == 2 and "inside the workspace" in out
    outside = tmp_path / "usb" / "key.txt"
    outside.parent.mkdir()
    outside.write_text("s3cret\n", encoding="utf-8")
    monkeypatch.setenv("INQUIRY_KEY_FILE", str(outside))
    other = tmp_path / "ws2"
    assert cli("init", "--home", other, *OFFICE_ARGS)[0] == 0
    assert cli("match", "--home", other)[0] == 0
    assert not (other / "store.sqlite3").read_bytes().startswith(b"SQLite format 3")


def test_a_key_without_sqlcipher_refuses_rather_than_writing_in_the_clear(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "sqlcipher3", None)  # as if the optional package were not installed
    monkeypatch.setitem(sys.modules, "sqlcipher3.dbapi2", None)
    monkeypatch.setenv("INQUIRY_KEY", "s3cret")
    home = tmp_path / "ws"
    code, out = cli("init", "--home", home, *OFFICE_ARGS)
    assert code == 2 and "sqlcipher3" in out
    assert not (home / "store.sqlite3").exists()


# -- inquiry encrypt: a plain store converted in place ---------------------------------
KEY = "correct horse battery staple"


def _plain_answered_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from tests.inquiry._fixtures import answered_workspace

    monkeypatch.delenv("INQUIRY_KEY", raising=False)
    monkeypatch.delenv("INQUIRY_KEY_FILE", raising=False)
    home = answered_workspace(tmp_path)
    assert (home / "store.sqlite3").read_bytes().startswith(b"SQLite format 3")
    return home


def _last_audit_commands(home: Path, key: str) -> list[str]:
    from inquiry.runtime.store import Store

    with Store(home / "store.sqlite3", key=key) as store:
        return [r[0] for r in store.conn.execute("SELECT command FROM audit ORDER BY seq")]


def _leftovers(home: Path) -> list[str]:
    return sorted(p.name for p in home.glob("store.sqlite3*") if p.name != "store.sqlite3")


def test_encrypt_converts_a_plain_store_in_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("sqlcipher3")
    home = _plain_answered_workspace(tmp_path, monkeypatch)
    store = home / "store.sqlite3"
    peek = tmp_path / "peek"  # a second name of the plain file: shows what becomes of its bytes
    os.link(store, peek)
    size = peek.stat().st_size
    assert any(t in peek.read_bytes() for t in _tokens())

    monkeypatch.setenv("INQUIRY_KEY", KEY)
    code, out = cli("match", "--home", home)  # a key on a plain store is refused, and the way out is named
    assert code == 2 and "inquiry encrypt" in out and "Traceback" not in out, out
    code, out = cli("encrypt", "--home", home)
    assert code == 0, out
    data = store.read_bytes()
    assert not data.startswith(b"SQLite format 3")
    assert [t.decode() for t in _tokens() if t in data] == []
    assert peek.read_bytes() == bytes(size)  # the old file was overwritten with zeros before it went
    peek.unlink()
    assert _leftovers(home) == []
    _check(home)  # the new store is owner-only like the old one

    for command in (["match"], ["audit", "verify"], ["report"]):
        code, out = cli(*command, "--home", home)
        assert code == 0, (command, out)
    assert "encrypt" in _last_audit_commands(home, KEY)
    code, out = cli("encrypt", "--home", home)
    assert code == 2 and "already encrypted" in out and "Traceback" not in out, out

    monkeypatch.delenv("INQUIRY_KEY")
    for command in (["match"], ["audit", "verify"], ["report"]):
        code, out = cli(*command, "--home", home)
        assert code == 2 and "encrypted" in out and "Traceback" not in out, (command, out)


def test_encrypt_refuses_without_a_key_or_without_sqlcipher(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.delenv("INQUIRY_KEY", raising=False)
    monkeypatch.delenv("INQUIRY_KEY_FILE", raising=False)
    home = tmp_path / "ws"
    assert cli("init", "--home", home, *OFFICE_ARGS)[0] == 0
    before = (home / "store.sqlite3").read_bytes()
    code, out = cli("encrypt", "--home", home)
    assert code == 2 and "no encryption key" in out and "INQUIRY_KEY" in out and "Traceback" not in out, out
    inside = home / "key.txt"
    inside.write_text("s3cret\n", encoding="utf-8")
    monkeypatch.setenv("INQUIRY_KEY_FILE", str(inside))
    code, out = cli("encrypt", "--home", home)
    assert code == 2 and "inside the workspace" in out, out
    monkeypatch.delenv("INQUIRY_KEY_FILE")
    monkeypatch.setenv("INQUIRY_KEY", "s3cret")
    monkeypatch.setitem(sys.modules, "sqlcipher3", None)  # as if the optional package were not installed
    code, out = cli("encrypt", "--home", home)
    assert code == 2 and "sqlcipher3" in out and "Traceback" not in out, out
    assert (home / "store.sqlite3").read_bytes() == before and _leftovers(home) == []


def test_encrypt_with_a_key_file_and_without_hard_links(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("sqlcipher3")
    home = _plain_answered_workspace(tmp_path, monkeypatch)
    peek = tmp_path / "peek"
    os.link(home / "store.sqlite3", peek)
    key_file = tmp_path / "usb" / "key.txt"
    key_file.parent.mkdir()
    key_file.write_text("s3cret from a file\n", encoding="utf-8")
    monkeypatch.setenv("INQUIRY_KEY_FILE", str(key_file))

    def no_links(*args: object, **kwargs: object) -> None:
        raise OSError("operation not permitted")  # FAT, some network shares

    monkeypatch.setattr(os, "link", no_links)
    code, out = cli("encrypt", "--home", home)
    assert code == 0, out
    assert not any(peek.read_bytes()) and _leftovers(home) == []
    assert cli("audit", "verify", "--home", home)[0] == 0
    assert _last_audit_commands(home, "s3cret from a file")[-1] == "encrypt"


def test_an_encrypted_copy_that_differs_is_not_put_in_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("sqlcipher3")
    import inquiry.steps.encrypt
    from inquiry.runtime.crypto import connect_encrypted, export_encrypted

    home = tmp_path / "ws"
    monkeypatch.delenv("INQUIRY_KEY", raising=False)
    monkeypatch.delenv("INQUIRY_KEY_FILE", raising=False)
    assert cli("init", "--home", home, *OFFICE_ARGS)[0] == 0
    before = (home / "store.sqlite3").read_bytes()

    def lossy(plain: Path, target: Path, key: str) -> None:
        export_encrypted(plain, target, key)
        conn = connect_encrypted(target, key, timeout=1.0)
        conn.execute("DELETE FROM audit")
        conn.close()

    monkeypatch.setattr(inquiry.steps.encrypt, "export_encrypted", lossy)
    monkeypatch.setenv("INQUIRY_KEY", KEY)
    code, out = cli("encrypt", "--home", home)
    assert code == 2 and "audit" in out and "still unencrypted" in out, out
    assert (home / "store.sqlite3").read_bytes() == before and _leftovers(home) == []


_KILLED_ENCRYPT = """
import os, sys
import inquiry.steps.encrypt as encrypt
from inquiry.cli import app

def killed(*args, **kwargs):
    os._exit(137)

point = sys.argv.pop(1)
if point == "copy":  # the encrypted copy written, not yet verified
    encrypt._finish_copy = killed
elif point == "rename":  # verified and audited, the plain file linked, not yet renamed
    os.replace = killed
elif point == "wipe":  # renamed: the store is encrypted, the old plain file not yet overwritten
    encrypt.wipe = killed
sys.argv = ["inquiry", *sys.argv[1:]]
app()
"""


@pytest.mark.parametrize("point", ["copy", "rename", "wipe"])
def test_a_killed_encrypt_leaves_the_plain_store_or_the_encrypted_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, point: str
) -> None:
    pytest.importorskip("sqlcipher3")
    import subprocess
    import sys

    home = _plain_answered_workspace(tmp_path, monkeypatch)
    peek = tmp_path / "peek"
    os.link(home / "store.sqlite3", peek)
    env = {**os.environ, "INQUIRY_KEY": KEY}
    killed = subprocess.run([sys.executable, "-c", _KILLED_ENCRYPT, point, "encrypt", "--home", str(home)], env=env, capture_output=True)
    assert killed.returncode == 137, killed.stderr.decode()
    left = {"copy": [".encrypting"], "rename": [".encrypting", ".unencrypted"], "wipe": [".unencrypted"]}[point]
    assert _leftovers(home) == ["store.sqlite3" + s for s in left]

    code, out = cli("match", "--home", home)  # the next command, without the key
    assert _leftovers(home) == [], out
    if point == "wipe":  # the switch happened: the store is encrypted, the old bytes are zeros
        assert code == 2 and "encrypted" in out
        assert not any(peek.read_bytes())
        monkeypatch.setenv("INQUIRY_KEY", KEY)
        assert cli("audit", "verify", "--home", home)[0] == 0
        assert _last_audit_commands(home, KEY)[-1] == "encrypt"
        assert cli("match", "--home", home)[0] == 0
        return
    assert code == 0, out  # the plain store works as before, without a trace of the conversion
    assert (home / "store.sqlite3").read_bytes().startswith(b"SQLite format 3")
    assert cli("audit", "verify", "--home", home)[0] == 0
    monkeypatch.setenv("INQUIRY_KEY", KEY)
    code, out = cli("encrypt", "--home", home)
    assert code == 0, out
    assert _last_audit_commands(home, KEY).count("encrypt") == 1
    assert not any(peek.read_bytes()) and _leftovers(home) == []


# -- folders any command creates; a loosened workspace (issue 14, point 9) ----------------
def test_link_creates_its_output_folders_owner_only(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    office = write_office(tmp_path / "office")
    assert cli("init", "--home", home, *OFFICE_ARGS)[0] == 0
    assert cli("prepare", "--home", home, "--master", office["master"], "--institutions", office["institutions"])[0] == 0
    answers = tmp_path / "answers"
    answers.mkdir()
    responses = answer_outbox(home, into=answers)
    os.umask(0o022)  # as a fresh shell would have it: link needs no workspace to be owner-only
    out = tmp_path / "newdir" / "sub" / "m.csv"
    args = ["link", "--master", office["master"], "--out", out]
    for r in responses:
        args += ["--responses", r]
    code, output = cli(*args)
    assert code in (0, 1), output
    assert out.exists()
    assert {p.name: oct(stat.S_IMODE(p.stat().st_mode)) for p in (out.parent.parent, out.parent, out)} == {
        "newdir": "0o700", "sub": "0o700", "m.csv": "0o600"
    }


def test_an_export_to_a_new_folder_is_owner_only(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    assert cli("init", "--home", home, *OFFICE_ARGS)[0] == 0
    os.umask(0o022)
    out = home / "reports" / "sub" / "deeper" / "m.csv"
    code, output = cli("export", "matches", "--home", home, "--out", out)
    assert code == 0, output
    _check(home)


def test_a_loosened_workspace_is_tightened_with_a_message(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    assert cli("init", "--home", home, *OFFICE_ARGS)[0] == 0
    (home / "reports" / "old.csv").write_text("x\n", encoding="utf-8")
    for path, mode in ((home, 0o755), (home / "store.sqlite3", 0o644), (home / "reports", 0o755), (home / "reports" / "old.csv", 0o644)):
        os.chmod(path, mode)
    code, out = cli("match", "--home", home)
    assert code == 0, out
    assert "owner-only" in out and "store.sqlite3 644" in out and "reports 755" in out
    _check(home)
    code, out = cli("match", "--home", home)  # tight now: nothing more to say
    assert code == 0 and "readable by others" not in out, out
