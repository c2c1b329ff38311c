"""Shared helpers for the protection and reliability tests: a tiny office, answers, snapshots.

The office is written as the CSV files of inputs.md; the answers are built
from the real request files in ``outbox/`` with the real codecs, as a bank
would: each inquired person has one account with a known number, so tests
can look for names, account numbers and addresses in the store's bytes.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import polars as pl
import pytest
from typer.testing import CliRunner

import formats
from inquiry.cli import app
from inquiry.runtime.store import Store
from sample_data import BankWorld, Office, generate_office

__all__ = [
    "Person", "OFFICE", "OFFICE_ARGS", "TEST_OFFICE", "write_office", "cli", "init_and_prepare", "answer_outbox", "mark_sent", "answered_workspace",
    "age_answers", "stored", "finished", "init_generated", "inquiries_per_file", "prepare_args",
    "snapshot", "TIMESTAMP_COLUMNS", "file_id_of", "traced_statements", "hashed_files",
]  # fmt: skip

runner = CliRunner()

#: the office every test workspace is made for: `inquiry init` has no default office
OFFICE_ARGS = ("--municipality", "131041", "--name", "新宿区")
#: the same office as :class:`inquiry.runtime.settings.Settings` fields
TEST_OFFICE = {"municipality_code": "131041", "municipality_name": "新宿区"}


@dataclass(frozen=True)
class Person:
    person_id: str
    name_kanji: str
    name_kana: str
    birth_date: str
    address: str
    account_number: str
    arrears_yen: int = 50_000


#: distinctive names, addresses and account numbers, so that their bytes can be searched for
OFFICE = (
    Person("P001", "勅使河原 蔵之介", "テシガハラ クラノスケ", "1962-04-01", "東京都新宿区紀尾井坂町1-2-3", "8123457"),
    Person("P002", "纐纈 菊乃", "コウケツ キクノ", "1975-08-09", "東京都新宿区鶯谷山吹町4-5-6", "8234561"),
    Person("P003", "鬼頭 鷹雄", "キトウ タカオ", "1988-12-24", "東京都新宿区霞ヶ丘蓬莱町7-8-9", "8345672"),
    Person("P004", "綿貫 雪枝", "ワタヌキ ユキエ", "1959-02-28", "東京都新宿区神楽坂楓町9-9-9", "8456783"),
)
INSTITUTIONS = "bank_code,name,provider,default_target\n0001,みずほ,dais,1\n0005,三菱ＵＦＪ,pipitlinq,1\n0009,三井住友,paper,0\n"


def write_office(folder: Path, persons: tuple[Person, ...] = OFFICE, *, name: str = "master.csv") -> dict[str, Path]:
    """``master.csv`` and ``institutions.csv`` of inputs.md in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["person_id,name_kanji,name_kana,birth_date,address,arrears_yen"]
    lines += [f"{p.person_id},{p.name_kanji},{p.name_kana},{p.birth_date},{p.address},{p.arrears_yen}" for p in persons]
    (folder / name).write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    (folder / "institutions.csv").write_text(INSTITUTIONS, encoding="utf-8")
    return {"master": folder / name, "institutions": folder / "institutions.csv"}


def cli(*args: str) -> tuple[int, str]:
    """Run the real command line in this process; return (exit code, output with line wraps joined)."""
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, " ".join(result.output.split())


def finished(code: int, out: str) -> None:
    """The command ran to its end: 0, or 1 when it set rows aside (a generated office has a few)."""
    assert code in (0, 1), out


def init_generated(home: Path, office: Office, *, per_file: int | None = None) -> None:
    """``inquiry init`` for a generated office; ``per_file``: request files of at most that many inquiries."""
    finished(*cli("init", "--home", home, "--municipality", office.municipality_code, "--name", office.municipality_name))
    if per_file is not None:
        inquiries_per_file(home, per_file)


def inquiries_per_file(home: Path, n: int) -> None:
    """Set a new workspace's request files to at most ``n`` inquiries each (the setting ``max_inquiries_per_file``)."""
    settings = home / "settings.json"
    default = '"max_inquiries_per_file": 10000'
    text = settings.read_text(encoding="utf-8")
    assert default in text, text
    settings.write_text(text.replace(default, f'"max_inquiries_per_file": {n}'), encoding="utf-8")


def prepare_args(home: Path, office: Office, inputs: dict[str, Path]) -> list[str | Path]:
    """The arguments of ``inquiry prepare`` for a generated office written to ``inputs``."""
    return ["prepare", "--home", home, "--master", inputs["master"], "--institutions", inputs["institutions"], "--as-of", office.as_of.isoformat()]


def sent_office(root: Path, persons: int, seed: int) -> tuple[Path, BankWorld]:
    """A generated office's workspace (``root/ws``): init, prepare, the simulated banks' answers in its
    inbox and the requests marked sent; and the banks, for later answers."""
    office = generate_office(persons, seed=seed)
    inputs = office.write(root / "office")
    world = BankWorld.from_office(office, seed=seed)
    home = root / "ws"
    init_generated(home, office)
    finished(*cli(*prepare_args(home, office, inputs)))
    finished(*cli("sent", "--home", home, *world.answer_outbox(home / "outbox", home / "inbox")))
    return home, world


def init_and_prepare(home: Path, office: dict[str, Path], *, as_of: str = "2026-10-01") -> None:
    code, out = cli("init", "--home", home, *OFFICE_ARGS)
    assert code == 0, out
    code, out = cli("prepare", "--home", home, "--master", office["master"], "--institutions", office["institutions"], "--as-of", as_of)
    assert code == 0, out


def _response_frame(req: formats.ParsedFile, numbers: dict[str, str]) -> pl.DataFrame:
    rows: list[dict] = []
    for r in req.rows.iter_rows(named=True):
        number = numbers[r["inquiry_id"]]
        rows.append(
            {
                "inquiry_id": r["inquiry_id"], "person_id": r.get("person_id"), "inquired_name": r["name_kanji"],
                "inquired_address": r["address"], "answer": "found", "detail_no": 1, "bank_code": r["bank_code"],
                "bank_name": None, "branch_code": "101", "branch_name": None, "account_type": 1,
                "account_number": number, "passbook_symbol": None, "passbook_number": None,
                "holder_kana": r["name_kana"], "holder_birth_date": r["birth_date"], "holder_address": r["address"],
                "balance_yen": 123_456, "balance_date": dt.date(2026, 10, 31), "opened_on": dt.date(2010, 4, 1),
                "last_activity": dt.date(2026, 10, 25), "account_status": "通常", "unable_reason": None,
            }
        )  # fmt: skip
    return pl.DataFrame(rows, infer_schema_length=None)


def history_answer_frame(req: formats.ParsedFile, salaries: list[tuple[dt.date, int]]) -> pl.DataFrame:
    """A bank's answer to a history request file: the first follow-up 照会不能, every other one a
    salary deposit of 250,000 yen on each ``(day, balance after)`` of ``salaries``."""
    rows = []
    for i, r in enumerate(req.rows.iter_rows(named=True)):
        base = {k: r[k] for k in ("inquiry_id", "bank_code", "branch_code", "account_type", "account_number")}
        base |= {"passbook_symbol": None, "passbook_number": None}
        if i == 0:
            rows.append(base | {"answer": "unable", "detail_no": 0, "tx_date": None, "description": None,
                                "withdrawal_yen": 0, "deposit_yen": 0, "balance_yen": 0})  # fmt: skip
            continue
        for n, (day, balance) in enumerate(salaries, start=1):
            rows.append(base | {"answer": "found", "detail_no": n, "tx_date": day, "description": "ｷﾕｳﾖ ｶ)ﾆｼｼﾝｼﾞﾕｸ",
                                "withdrawal_yen": 0, "deposit_yen": 250_000, "balance_yen": balance})  # fmt: skip
    return pl.DataFrame(rows, infer_schema_length=None)


def answer_outbox(home: Path, *, into: Path | None = None) -> list[Path]:
    """Answer every request file in ``outbox/`` (one account per inquiry) into ``inbox/`` (or ``into``)."""
    names = {p.name_kanji.replace(" ", ""): p.account_number for p in OFFICE}
    written = []
    for req_path in sorted((home / "outbox").glob("*_REQ_*")):
        if req_path.name.endswith(".part"):
            continue
        req = formats.read_request(req_path)
        numbers = {
            r["inquiry_id"]: names.get(r["name_kanji"].replace("\u3000", "").replace(" ", ""), "1000001")
            for r in req.rows.select("inquiry_id", "name_kanji").iter_rows(named=True)
        }
        # the same person has the same account number at both banks: make them differ by bank
        frame = _response_frame(req, numbers)
        if req.provider == "pipitlinq":
            frame = frame.with_columns(account_number=pl.lit("9") + pl.col("account_number").str.slice(1))
        path = (into or home / "inbox") / req_path.name.replace("_REQ_", "_RES_")
        formats.write_response(req.provider, "basic", frame, path, municipality_code="131041", created_on=dt.date(2026, 11, 1), seq=1)  # type: ignore[arg-type]
        written.append(path)
    return written


def mark_sent(home: Path) -> None:
    files = sorted(str(p) for p in (home / "outbox").glob("*_REQ_*") if not p.name.endswith(".part"))
    if files:
        code, out = cli("sent", "--home", home, *files)
        assert code == 0, out


def answers_waiting(root: Path) -> Path:
    """A workspace where the four persons of OFFICE were asked at both banks, and the answers wait in inbox/."""
    home = root / "ws"
    init_and_prepare(home, write_office(root / "office"))
    answer_outbox(home)
    mark_sent(home)
    return home


def ingested_workspace(root: Path) -> Path:
    """:func:`answers_waiting`, the answers ingested (never matched)."""
    home = answers_waiting(root)
    code, out = cli("ingest", "--home", home)
    assert code == 0, out
    return home


def answered_workspace(root: Path) -> Path:
    """:func:`ingested_workspace`, matched."""
    home = ingested_workspace(root)
    code, out = cli("match", "--home", home)
    assert code == 0, out
    return home


def age_answers(home: Path, person_ids: list[str], days: int) -> None:
    """Time travel: make these persons' answers (and their master load) ``days`` days old; unanswered stay so."""
    old = (dt.date.today() - dt.timedelta(days=days)).isoformat()
    marks = ",".join("?" * len(person_ids))
    con = sqlite3.connect(home / "store.sqlite3")
    with con:
        con.execute(f"UPDATE inquiries SET answered_on = ? WHERE person_id IN ({marks}) AND answered_on IS NOT NULL", (old, *person_ids))
        con.execute(
            f"UPDATE answers SET answered_on = ? WHERE inquiry_id IN (SELECT inquiry_id FROM inquiries WHERE person_id IN ({marks}))",
            (old, *person_ids),
        )
        con.execute(f"UPDATE persons SET updated_at = ? WHERE person_id IN ({marks})", (old + "T09:00:00", *person_ids))
    con.close()


#: columns that legitimately differ between two runs of the same commands
TIMESTAMP_COLUMNS = {
    "persons": {"updated_at"},
    "request_files": {"created_at", "sent_at"},
    "inquiries": {"created_at"},
    "response_files": {"ingested_at"},
    "matches": {"matched_at"},
    "followups": {"created_at"},
}
_SNAPSHOT_TABLES = (
    "meta", "persons", "institutions", "request_files", "inquiries", "response_files", "answers", "matches", "match_evidence",
    "followups", "transactions", "payments", "stats",
)  # fmt: skip


def snapshot(store_path: Path) -> dict[str, list[tuple]]:
    """Every table's rows (sorted, timestamps left out): what two runs must agree on."""
    con = sqlite3.connect(store_path)
    out: dict[str, list[tuple]] = {}
    try:
        for table in _SNAPSHOT_TABLES:
            cols = [r[1] for r in con.execute(f"PRAGMA table_info({table})") if r[1] not in TIMESTAMP_COLUMNS.get(table, set())]
            rows = con.execute(f"SELECT {', '.join(cols)} FROM {table}").fetchall()
            if table == "meta":
                rows = [r for r in rows if not str(r[0]).startswith("purge_certificate:") and r[0] != "audit_head"]
            out[table] = sorted(rows, key=repr)
    finally:
        con.close()
    return out


def stored(home: Path, sql: str, *params: object) -> list[tuple]:
    """Rows of ``sql`` on the workspace's store (a plain store), committed when it writes."""
    con = sqlite3.connect(home / "store.sqlite3")
    try:
        with con:
            return con.execute(sql, params).fetchall()
    finally:
        con.close()


def file_id_of(con: sqlite3.Connection, sha: str, kind: str = "basic") -> int:
    """The ``response_files.file_id`` of the answer file ``sha``, recorded (named ``<sha>.csv``) when it is not yet.

    For tests that write answer or transaction rows by hand: a row names its
    file by this id, as ``ingest`` records it.
    """
    con.execute(
        "INSERT INTO response_files (sha256, file_name, provider, kind, rows_read, rows_accepted, rows_rejected, ingested_at) "
        "VALUES (?, ?, 'pipitlinq', ?, 0, 0, 0, '2026-12-01T00:00:00') ON CONFLICT (sha256) DO NOTHING",
        (sha, f"{sha}.csv", kind),
    )
    return int(con.execute("SELECT file_id FROM response_files WHERE sha256 = ?", (sha,)).fetchone()[0])


def traced_statements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every SQL statement started by any store opened from now on (each ``executemany`` row counts)."""
    seen: list[str] = []
    real_init = Store.__init__

    def traced(self: Store, *args: object, **kwargs: object) -> None:
        real_init(self, *args, **kwargs)  # type: ignore[arg-type]
        self.conn.set_trace_callback(seen.append)

    monkeypatch.setattr(Store, "__init__", traced)
    return seen


def hashed_files(monkeypatch: pytest.MonkeyPatch, module: ModuleType) -> list[tuple[str, str]]:
    """``(file name, thread name)`` of every file ``module`` hashes with its ``sha256_of`` from now on (still hashed)."""
    seen: list[tuple[str, str]] = []
    real = module.sha256_of

    def sha256_of(path: Path) -> str:
        seen.append((Path(path).name, threading.current_thread().name))
        return real(path)

    monkeypatch.setattr(module, "sha256_of", sha256_of)
    return seen
