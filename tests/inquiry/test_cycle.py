"""The inquiry cycle through the real CLI: prepare → sent → ingest → match → export.

A tiny office written as CSV files, answers built with the real codecs, the
real store; assertions on what an operator checks: exit codes, files in
outbox/inbox, rejects with file and line, counts that add up, matches.csv.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

import formats
from inquiry.cli import app
from inquiry.runtime.store import Store
from tests.inquiry._fixtures import OFFICE_ARGS, hashed_files, history_answer_frame, inquiries_per_file

runner = CliRunner()

MASTER = (
    "person_id,name_kanji,name_kana,birth_date,address,address_history,arrears_yen,other_names_kana\r\n"
    "A1,山田 太郎,ヤマダ タロウ,S45.3.12,東京都新宿区西新宿2-8-1,,50000,\r\n"
    "A2,佐藤 花子,サトウ ハナコ,1980-01-01,東京都新宿区大久保1-2-3,中野区中野5-6-7,1000,スズキ ハナコ\r\n"
    "A3,鈴木 一郎,スズキ イチロウ,1990/5/5,東京都新宿区高田馬場3-3-3,,20000,\r\n"
    "A4,田中 次郎,田中ジロウ,1980-01-01,,,,\r\n"
)
INSTITUTIONS = "bank_code,name,provider,default_target\n0001,みずほ,dais,1\n0005,三菱ＵＦＪ,pipitlinq,1\n0009,三井住友,paper,0\n"


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.fixture()
def office(tmp_path: Path) -> Path:
    (tmp_path / "master.csv").write_text(MASTER, encoding="utf-8")
    (tmp_path / "institutions.csv").write_text(INSTITUTIONS, encoding="utf-8")
    return tmp_path


@pytest.fixture()
def home(office: Path) -> Path:
    home = office / "ws"
    code, out = cli("init", "--home", str(home), *OFFICE_ARGS)
    assert code == 0, out
    code, out = cli(
        "prepare", "--home", str(home), "--master", str(office / "master.csv"),
        "--institutions", str(office / "institutions.csv"), "--as-of", "2026-10-01",
    )  # fmt: skip
    assert code == 1, out  # A4's kana holds kanji: one reject
    return home


def _rejects(home: Path) -> str:
    """Every rejects file of the workspace, as one text."""
    return "".join(p.read_text(encoding="utf-8-sig") for p in sorted((home / "reports").glob("rejects-*.csv")))


def _requests(home: Path) -> dict[str, formats.ParsedFile]:
    return {p.name: formats.read_request(p) for p in sorted((home / "outbox").iterdir())}


def test_prepare_routes_each_person_to_each_service(home: Path) -> None:
    reqs = _requests(home)
    assert sorted(reqs) == ["DAIS_REQ_131041_" + dt.date.today().strftime("%Y%m%d") + "_0001.dat",
                            "PIPITLINQ_REQ_131041_" + dt.date.today().strftime("%Y%m%d") + "_0001.csv"]  # fmt: skip
    dais, pipit = reqs.values()
    assert dais.rows["bank_code"].unique().to_list() == ["0001"]
    assert pipit.rows["bank_code"].unique().to_list() == ["0005"]
    assert sorted(dais.rows["name_kana"]) == ["ｻﾄｳ ﾊﾅｺ", "ｽｽﾞｷ ｲﾁﾛｳ", "ﾔﾏﾀﾞ ﾀﾛｳ"]
    assert sorted(pipit.rows["name_kana"]) == ["サトウ\u3000ハナコ", "スズキ\u3000イチロウ", "ヤマダ\u3000タロウ"]
    ids = pl.concat([dais.rows["inquiry_id"], pipit.rows["inquiry_id"]])
    assert ids.n_unique() == 6 and ids.str.contains(r"^[0-9A-Z-]{1,20}$").all()
    rejects = _rejects(home)
    assert "master.csv,5," in rejects and "漢字" in rejects


def test_prepare_again_asks_nobody_twice(home: Path, office: Path) -> None:
    code, out = cli("prepare", "--home", str(home), "--master", str(office / "master.csv"),
                    "--institutions", str(office / "institutions.csv"), "--as-of", "2026-10-01")  # fmt: skip
    assert code == 1
    with Store(home / "store.sqlite3") as store:
        assert store.scalar("SELECT count(*) FROM inquiries") == 6
        assert store.scalar("SELECT count(*) FROM request_files") == 2


def test_prepare_splits_files_at_the_limit(office: Path) -> None:
    home = office / "small"
    cli("init", "--home", str(home), *OFFICE_ARGS)
    settings = (home / "settings.json").read_text(encoding="utf-8").replace('"max_inquiries_per_file": 10000', '"max_inquiries_per_file": 2')
    (home / "settings.json").write_text(settings, encoding="utf-8")
    cli("prepare", "--home", str(home), "--master", str(office / "master.csv"), "--institutions", str(office / "institutions.csv"))
    files = sorted((home / "outbox").iterdir())
    assert [formats.read_request(f).rows_read for f in files] == [2, 1, 2, 1]


def test_institution_overlap_stops_prepare(office: Path) -> None:
    home = office / "ws2"
    cli("init", "--home", str(home), *OFFICE_ARGS)
    (office / "dais.csv").write_text("bank_code\n0005\n", encoding="utf-8")
    code, out = cli("prepare", "--home", str(home), "--master", str(office / "master.csv"),
                    "--institutions", str(office / "institutions.csv"), "--dais-list", str(office / "dais.csv"))  # fmt: skip
    assert code == 2
    assert "0005" in out and "institutions.csv:3" in out and "dais.csv:2" in out
    assert list((home / "outbox").iterdir()) == []


def _answers(requests: formats.ParsedFile, home: Path, name: str, *, stranger: bool = True, extra: list[dict] | None = None) -> Path:
    """Each inquiry: the person's own account, and a same-name stranger born elsewhere."""
    rows: list[dict] = []
    for i, r in enumerate(requests.rows.iter_rows(named=True)):
        base = {
            "inquiry_id": r["inquiry_id"], "person_id": r.get("person_id"), "inquired_name": r["name_kanji"],
            "inquired_address": r["address"], "bank_code": r["bank_code"], "bank_name": None, "branch_code": "101",
            "branch_name": None, "account_type": 1, "passbook_symbol": None, "passbook_number": None,
            "balance_date": dt.date(2026, 10, 31), "opened_on": dt.date(2010, 4, 1), "last_activity": dt.date(2026, 10, 25),
            "account_status": "通常", "unable_reason": None,
        }  # fmt: skip
        rows.append(base | {"answer": "found", "detail_no": 1, "account_number": f"{1000000 + i}", "holder_kana": r["name_kana"],
                            "holder_birth_date": r["birth_date"], "holder_address": r["address"], "balance_yen": 123_456})  # fmt: skip
        if stranger:
            rows.append(base | {"answer": "found", "detail_no": 2, "account_number": f"{2000000 + i}", "holder_kana": r["name_kana"],
                                "holder_birth_date": dt.date(1955, 1, 1), "holder_address": "大阪府大阪市北区梅田1-1-1", "balance_yen": 999})  # fmt: skip
    rows += extra or []
    frame = pl.DataFrame(rows, infer_schema_length=None)
    path = home / "inbox" / name
    formats.write_response(requests.provider, "basic", frame, path, municipality_code="131041", created_on=dt.date.today(), seq=1)  # type: ignore[arg-type]
    return path


def test_full_cycle_accounts_for_every_row(home: Path) -> None:
    reqs = _requests(home)
    for name, parsed in reqs.items():
        _answers(parsed, home, name.replace("REQ", "RES"))
    code, out = cli("sent", "--home", str(home), *[str(home / "outbox" / n) for n in reqs])
    assert code == 0, out
    assert list((home / "outbox").iterdir()) == []

    code, out = cli("ingest", "--home", str(home))
    assert code == 0, out
    assert "read 12 = recorded 12 + rejected 0" in out
    assert list(p for p in (home / "inbox").iterdir() if p.is_file()) == []

    code, out = cli("match", "--home", str(home))
    assert code == 0, out
    code, out = cli("export", "matches", "--home", str(home), "--out", str(home / "m.csv"))
    assert code == 0, out
    raw = (home / "m.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    m = pl.read_csv(home / "m.csv", infer_schema=False)
    assert m.height == 12  # 6 own accounts + 6 strangers, each once
    own = m.filter(pl.col("account_number").str.starts_with("1"))
    assert own["class"].unique().to_list() == ["CONFIRMED"]
    assert (own["person_id"] == own["inquired_person_id"]).all()
    strangers = m.filter(pl.col("account_number").str.starts_with("2"))
    assert strangers["class"].unique().to_list() == ["HOMONYM"]
    assert strangers["person_id"].is_null().all()

    code, out = cli("export", "outcomes", "--home", str(home), "--out", str(home / "o.csv"))
    o = pl.read_csv(home / "o.csv", infer_schema=False)
    assert o.height == 6 and o["answer"].unique().to_list() == ["HIT"]
    assert o["hit_balance_yen"].cast(int).to_list() == [123_456] * 6

    # idempotent: matching again links nothing new
    code, out = cli("match", "--home", str(home))
    assert code == 0 and "accounts_linked" in out
    with Store(home / "store.sqlite3") as store:
        assert store.scalar("SELECT count(*) FROM matches") == 12


def test_ingest_rejects_unknown_ids_and_wrong_institution(home: Path) -> None:
    reqs = _requests(home)
    name, dais = next((n, p) for n, p in reqs.items() if n.startswith("DAIS"))
    first = dais.rows.row(0, named=True)
    bogus = {
        "inquiry_id": "B19990101-99999999", "answer": "none", "detail_no": 0, "bank_code": "0001", "branch_code": "000",
        "account_type": 0, "account_number": "0000000", "holder_kana": "", "holder_birth_date": None, "holder_address": "",
        "balance_yen": 0, "balance_date": None, "opened_on": None, "last_activity": None, "account_status": "通常", "unable_reason": None,
    }  # fmt: skip
    wrong_bank = bogus | {"inquiry_id": first["inquiry_id"], "bank_code": "0002"}
    path = _answers(dais, home, "dais-answer.dat", stranger=False, extra=[bogus, wrong_bank])
    content = path.read_bytes()
    code, out = cli("ingest", "--home", str(home), str(path))
    assert code == 1
    assert "read 5 = recorded 3 + rejected 2" in out
    rejects = _rejects(home)
    assert "dais-answer.dat,5," in rejects and "unknown inquiry id" in rejects
    assert "dais-answer.dat,6," in rejects and "did not go to" in rejects

    assert not path.exists()  # deleted from inbox once committed

    # the same file again (downloaded twice) changes nothing
    (home / "inbox" / "again.dat").write_bytes(content)
    code, out = cli("ingest", "--home", str(home))
    assert code == 0 and "already ingested" in out
    assert not (home / "inbox" / "again.dat").exists()
    with Store(home / "store.sqlite3") as store:
        assert store.scalar("SELECT count(*) FROM answers") == 3


def test_truncated_dais_answer_is_rejected_whole(home: Path) -> None:
    reqs = _requests(home)
    name, dais = next((n, p) for n, p in reqs.items() if n.startswith("DAIS"))
    path = _answers(dais, home, "cut.dat")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 302 * 2])  # trailer and end record lost in transfer
    code, out = cli("ingest", "--home", str(home))
    assert code == 1
    assert "Traceback" not in out
    rejects = _rejects(home)
    assert "cut.dat" in rejects and "file rejected whole" in rejects
    assert (home / "inbox" / "rejected" / "cut.dat").exists()
    with Store(home / "store.sqlite3") as store:
        assert store.scalar("SELECT count(*) FROM answers") == 0


def test_pipitlinq_row_with_missing_column_is_rejected_with_its_line(home: Path) -> None:
    reqs = _requests(home)
    name, pipit = next((n, p) for n, p in reqs.items() if n.startswith("PIPIT"))
    path = _answers(pipit, home, "pipit.csv", stranger=False)
    lines = path.read_bytes().split(b"\r\n")
    lines[2] = lines[2].rsplit(b",", 1)[0]  # drop the last column of the second data row
    path.write_bytes(b"\r\n".join(lines))
    code, out = cli("ingest", "--home", str(home))
    assert code == 1 and "Traceback" not in out
    assert "read 3 = recorded 2 + rejected 1" in out
    rejects = _rejects(home)
    assert "pipit.csv,3," in rejects


def test_sent_refuses_a_file_changed_after_writing(home: Path) -> None:
    path = sorted((home / "outbox").iterdir())[0]
    path.write_bytes(path.read_bytes() + b" ")
    code, out = cli("sent", "--home", str(home), str(path))
    assert code == 1 and path.exists()


def test_sent_hashes_each_written_file_once_beside_the_recording_and_counts_every_file_named(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The request files are hashed in worker threads ahead of their recording (at M 420 MB), the check
    still per file in the order given: a file named twice is recorded once, then "already sent"; a
    file this workspace did not write is neither hashed nor recorded; a changed one is refused."""
    import threading

    from inquiry.steps import sent as sent_step

    first, changed = sorted((home / "outbox").iterdir())[:2]
    changed.write_bytes(changed.read_bytes() + b" ")
    stranger = tmp_path / "DAIS_REQ_999999_20260101_0001.dat"
    stranger.write_bytes(b"x" * 300)
    hashed = hashed_files(monkeypatch, sent_step)
    code, out = cli("sent", "--home", str(home), str(first), str(stranger), str(changed), str(first))
    assert code == 1, out
    assert sorted(name for name, _ in hashed) == sorted([first.name, changed.name])
    assert all(thread != threading.main_thread().name for _, thread in hashed), hashed
    assert not first.exists() and changed.exists() and stranger.exists()
    with Store(home / "store.sqlite3") as store:
        assert store.scalar("SELECT count(*) FROM request_files WHERE sent_at IS NOT NULL") == 1
    assert re.search(r"files\s*│\s*4\b", out) and re.search(r"recorded_sent\s*│\s*1\b", out) and re.search(r"already_sent\s*│\s*1\b", out), out


def test_sent_failing_on_a_file_does_not_go_on_hashing_the_others(office: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file that cannot be read ends ``sent`` (exit 2, nothing recorded) without the files not yet
    hashed being read first (at M, up to 420 MB)."""
    import time

    from inquiry.steps import sent as sent_step

    home = office / "one-per-file"
    assert cli("init", "--home", str(home), *OFFICE_ARGS)[0] == 0
    inquiries_per_file(home, 1)
    code, out = cli("prepare", "--home", str(home), "--master", str(office / "master.csv"), "--institutions", str(office / "institutions.csv"), "--as-of", "2026-10-01")
    assert code == 1, out
    files = sorted((home / "outbox").iterdir())
    assert len(files) >= 6
    hashed: list[str] = []

    def sha256_of(path: Path) -> str:
        hashed.append(path.name)
        if path == files[0]:
            raise OSError("unreadable")
        time.sleep(0.5)  # long beside the main thread's way from the failure to the cancel
        return "0" * 64

    monkeypatch.setattr(sent_step, "sha256_of", sha256_of)
    code, out = cli("sent", "--home", str(home), *map(str, files))
    assert code == 2 and "unreadable" in out, out
    assert len(hashed) <= 3, hashed  # the first, and what the two threads had started
    with Store(home / "store.sqlite3") as store:
        assert store.scalar("SELECT count(*) FROM request_files WHERE sent_at IS NOT NULL") == 0


def test_bad_master_gives_file_and_line_never_a_traceback(office: Path) -> None:
    home = office / "ws3"
    cli("init", "--home", str(home), *OFFICE_ARGS)
    master = office / "cp932.csv"
    master.write_bytes("宛名番号,氏名,カナ氏名,生年月日\r\nX1,山田 太郎,ヤマダ タロウ,昭和45年13月1日\r\nX2,山田 花子,ヤマダ ハナコ,S45.3.12\r\n".encode("cp932"))
    code, out = cli("prepare", "--home", str(home), "--master", str(master), "--institutions", str(office / "institutions.csv"))
    assert code == 1 and "Traceback" not in out
    rejects = _rejects(home)
    assert "cp932.csv,2,生年月日を読めません: '昭和45年13月1日'" in rejects


def test_commands_refuse_a_missing_workspace(tmp_path: Path) -> None:
    code, out = cli("match", "--home", str(tmp_path / "nowhere"))
    assert code == 2 and "inquiry init" in out


def test_kanji_without_a_cp932_code_is_folded_or_written_as_geta(office: Path) -> None:
    home = office / "ws4"
    cli("init", "--home", str(home), *OFFICE_ARGS)
    (office / "m.csv").write_text(
        "person_id,name_kanji,name_kana,birth_date,address\r\n"
        "G1,𠮷田 太郎,ヨシダ タロウ,1970-01-01,東京都新宿区西新宿2-8-1\r\n"
        "G2,山田 \U0002000B子,ヤマダ ハナコ,1970-01-01,\r\n",
        encoding="utf-8",
    )
    code, out = cli("prepare", "--home", str(home), "--master", str(office / "m.csv"), "--institutions", str(office / "institutions.csv"))
    assert code == 0, out
    dais = formats.read_request(next((home / "outbox").glob("DAIS_*")))
    assert sorted(dais.rows["name_kanji"].str.replace("\u3000", " ")) == ["吉田 太郎", "山田 〓子"]
    pipit = formats.read_request(next((home / "outbox").glob("PIPIT*")))
    assert "𠮷田 太郎" in pipit.rows["name_kanji"].to_list()  # UTF-8 carries it as it is


def test_history_answers_are_summarised_at_ingest_and_unable_is_said(home: Path) -> None:
    reqs = _requests(home)
    for name, parsed in reqs.items():
        _answers(parsed, home, name.replace("REQ", "RES"), stranger=False)
    cli("sent", "--home", str(home), *[str(home / "outbox" / n) for n in reqs])
    cli("ingest", "--home", str(home))
    cli("match", "--home", str(home))
    code, out = cli("followups", "--home", str(home))
    assert code == 0, out
    history_reqs = _requests(home)
    assert history_reqs and all(p.kind == "history" for p in history_reqs.values())
    today = dt.date.today()
    for name, parsed in history_reqs.items():
        months = [dt.date(today.year - (1 if today.month - k - 1 < 1 else 0), (today.month - k - 2) % 12 + 1, 25) for k in range(6)]
        frame = history_answer_frame(parsed, [(day, 300_000) for day in months])  # salary on the 25th of six months
        formats.write_response(parsed.provider, "history", frame,
                               home / "inbox" / name.replace("REQ", "HRES"), municipality_code="131041", created_on=today, seq=1)  # fmt: skip
    cli("sent", "--home", str(home), *[str(home / "outbox" / n) for n in history_reqs])
    code, out = cli("ingest", "--home", str(home))
    assert code == 0, out
    code, out = cli("export", "followups", "--home", str(home), "--out", str(home / "f.csv"))
    f = pl.read_csv(home / "f.csv", infer_schema=False)
    assert f["status"].unique().to_list() == ["ANSWERED"]
    assert f.filter(pl.col("regular_income").str.starts_with("照会不能")).height == len(history_reqs)
    salary = f.filter(pl.col("regular_income").str.contains("給与"))
    assert salary.height == f.height - len(history_reqs)
    assert (salary["transactions"].cast(int) == 6).all()
