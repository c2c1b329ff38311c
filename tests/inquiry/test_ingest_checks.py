"""What ``inquiry ingest`` refuses, through the real CLI on a real workspace.

An answer file of another office (DAIS header 照会機関コード), of a service or
kind this workspace never asked, or that is not readable is rejected whole and
moved to ``inbox/rejected/`` with a reason file beside it; an answer for an
inquiry that already has its answer is a rejected row naming the earlier file
and line (so a re-saved copy of an ingested file changes nothing); a blank
照会番号 or 回答区分, or a 該当あり row without a whole account key, is a
rejected row with its physical line — never an error that stops the batch
(issues #12 and #14).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import sqlite3
from pathlib import Path

import polars as pl
import pytest

import formats
from inquiry.steps import ingest as ingest_step
from tests.inquiry._fixtures import (
    answer_outbox,
    cli,
    hashed_files,
    init_and_prepare,
    mark_sent,
    snapshot,
    stored,
    write_office,
)

RECORD = 302  # DAIS: 300 bytes + CRLF


@pytest.fixture(scope="module")
def waiting(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    """A workspace whose four persons were asked at both banks, and its answers (not yet in inbox/)."""
    root = tmp_path_factory.mktemp("waiting")
    home = root / "ws"
    init_and_prepare(home, write_office(root / "office"))
    staged = root / "staged"
    staged.mkdir()
    files = answer_outbox(home, into=staged)
    mark_sent(home)
    return home, {p.name: p.read_bytes() for p in files}


@pytest.fixture()
def ws(waiting: tuple[Path, dict[str, bytes]], tmp_path: Path) -> Path:
    return Path(shutil.copytree(waiting[0], tmp_path / "ws"))


def _answers(waiting: tuple[Path, dict[str, bytes]], provider: str) -> tuple[str, bytes]:
    return next((n, b) for n, b in waiting[1].items() if n.lower().startswith(provider))


def _rejects(home: Path) -> str:
    return "".join(p.read_text(encoding="utf-8-sig") for p in sorted((home / "reports").glob("rejects-*.csv")))


def _count(home: Path, sql: str) -> int:
    return stored(home, sql)[0][0]


def _dais_field(data: bytes, line: int, offset: int, value: bytes) -> bytes:
    """``data`` with ``value`` written at ``offset`` of physical line ``line`` (1-based)."""
    at = (line - 1) * RECORD + offset
    return data[:at] + value + data[at + len(value) :]


def _pipit_cell(data: bytes, line: int, column: int, value: bytes) -> bytes:
    lines = data.split(b"\r\n")
    cells = lines[line - 1].split(b",")
    cells[column] = value
    lines[line - 1] = b",".join(cells)
    return b"\r\n".join(lines)


def _rejected_whole(home: Path, name: str) -> str:
    """The reason file beside a file moved to inbox/rejected/; the inbox is empty."""
    assert [p.name for p in (home / "inbox").iterdir() if p.is_file()] == []
    assert (home / "inbox" / "rejected" / name).exists()
    return (home / "inbox" / "rejected" / f"{name}.reason.txt").read_text(encoding="utf-8")


# ---------------------------------------------------------------- whole files (#12 point 2)


def test_a_dais_answer_file_of_another_office_is_rejected_whole(waiting, ws: Path) -> None:
    name, data = _answers(waiting, "dais")
    (ws / "inbox" / name).write_bytes(_dais_field(data, 1, 3, b"131121"))  # 照会機関コード of 目黒区
    code, out = cli("ingest", "--home", ws)
    assert code == 1, out
    assert "files_rejected │ 1" in out and "read 0 = recorded 0 + rejected 0" in out
    reason = _rejected_whole(ws, name)
    assert "131121" in reason and "131041" in reason and "another office" in reason
    assert f"{name},1," in _rejects(ws) and "file rejected whole" in _rejects(ws)
    assert _count(ws, "SELECT count(*) FROM answers") == 0
    assert _count(ws, "SELECT count(*) FROM response_files") == 0


def test_an_answer_file_of_a_kind_never_asked_is_rejected_whole(waiting, ws: Path) -> None:
    name, data = _answers(waiting, "dais")
    history = _dais_field(data, 1, 1, b"62")  # a history answer header: this workspace sent no follow-up yet
    (ws / "inbox" / name).write_bytes(history)
    code, out = cli("ingest", "--home", ws)
    assert code == 1, out
    reason = _rejected_whole(ws, name)
    assert "dais" in reason and "history" in reason
    assert _count(ws, "SELECT count(*) FROM response_files") == 0


def test_an_unreadable_answer_file_is_moved_aside(waiting, ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file the OS will not let us read (locked by a virus scanner, no permission) must not wait in inbox/ every night."""
    name, data = _answers(waiting, "dais")
    (ws / "inbox" / name).write_bytes(data)
    real = Path.open

    def locked(self: Path, *args: object, **kwargs: object) -> object:
        if self.name == name:
            raise PermissionError(13, "Permission denied")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", locked)
    code, out = cli("ingest", "--home", ws)
    assert code == 1, out
    assert "Permission denied" in _rejected_whole(ws, name)
    assert f"{name},0," in _rejects(ws)


def test_a_rejected_file_of_the_same_name_does_not_overwrite_the_first(waiting, ws: Path) -> None:
    name, data = _answers(waiting, "pipitlinq")
    for _ in range(2):
        (ws / "inbox" / name).write_bytes(data.decode("utf-8-sig").encode("cp932"))  # re-saved in Shift_JIS
        code, out = cli("ingest", "--home", ws)
        assert code == 1, out
    kept = sorted(p.name for p in (ws / "inbox" / "rejected").iterdir())
    assert len([k for k in kept if not k.endswith(".reason.txt")]) == 2 and len(kept) == 4
    assert all("UTF-8" in p.read_text(encoding="utf-8") for p in (ws / "inbox" / "rejected").glob("*.reason.txt"))


def test_a_pipitlinq_row_naming_another_person_is_rejected(waiting, ws: Path) -> None:
    """pipitLINQ has no office in its header: the echoed 宛名番号 must be the inquiry's person."""
    name, data = _answers(waiting, "pipitlinq")
    (ws / "inbox" / name).write_bytes(_pipit_cell(data, 4, 1, b"X0042"))
    code, out = cli("ingest", "--home", ws)
    assert code == 1 and "read 4 = recorded 3 + rejected 1" in out, out
    assert f"{name},4," in _rejects(ws) and "X0042" in _rejects(ws) and "another person" in _rejects(ws)


# ---------------------------------------------------------------- answered twice (#12 point 3)


def test_a_resaved_copy_of_an_ingested_file_changes_nothing(waiting, ws: Path) -> None:
    for name, data in waiting[1].items():
        (ws / "inbox" / name).write_bytes(data)
    code, out = cli("ingest", "--home", ws)
    assert code == 0 and "read 8 = recorded 8 + rejected 0" in out, out
    before = snapshot(ws / "store.sqlite3")
    dais_name, dais = _answers(waiting, "dais")
    pipit_name, pipit = _answers(waiting, "pipitlinq")
    (ws / "inbox" / ("copy-" + dais_name)).write_bytes(dais.replace(b"\r\n", b"\n"))  # line ends changed
    (ws / "inbox" / ("copy-" + pipit_name)).write_bytes(pipit.removeprefix(b"\xef\xbb\xbf").replace(b"\r\n", b"\n"))  # BOM lost
    code, out = cli("ingest", "--home", ws)
    assert code == 1, out
    assert "read 8 = recorded 0 + rejected 8" in out, out
    rejects = _rejects(ws)
    assert rejects.count("already answered") == 8
    assert f"copy-{dais_name},2," in rejects and f"{dais_name}:2" in rejects  # names the earlier file and line
    after = snapshot(ws / "store.sqlite3")
    assert after["answers"] == before["answers"] and after["inquiries"] == before["inquiries"]
    assert [p for p in (ws / "inbox").iterdir() if p.is_file()] == []


def test_a_line_repeated_in_one_file_is_recorded_once(waiting, ws: Path) -> None:
    name, data = _answers(waiting, "pipitlinq")
    lines = data.split(b"\r\n")
    lines.insert(3, lines[2])  # the second data row twice: lines 3 and 4
    (ws / "inbox" / name).write_bytes(b"\r\n".join(lines))
    code, out = cli("ingest", "--home", ws)
    assert code == 1 and "read 5 = recorded 4 + rejected 1" in out, out
    assert f"{name},4," in _rejects(ws) and "line 3" in _rejects(ws)
    assert _count(ws, "SELECT count(*) FROM answers") == 4


# ---------------------------------------------------------------- poison rows (#14 points 1 and 2)


@pytest.mark.parametrize(
    ("provider", "damage", "words"),
    [
        ("dais", lambda d: _dais_field(d, 3, 1, b" " * 20), "照会番号"),
        ("pipitlinq", lambda d: _pipit_cell(d, 3, 0, b""), "照会番号"),
        ("pipitlinq", lambda d: _pipit_cell(d, 3, 4, b""), "回答区分"),
    ],
    ids=["dais-blank-id", "pipitlinq-blank-id", "pipitlinq-blank-answer"],
)
def test_a_blank_id_or_answer_is_a_rejected_row_not_a_failed_batch(waiting, ws: Path, provider: str, damage, words: str) -> None:
    name, data = _answers(waiting, provider)
    (ws / "inbox" / name).write_bytes(damage(data))
    code, out = cli("ingest", "--home", ws)
    assert code == 1, out
    assert "read 4 = recorded 3 + rejected 1" in out, out
    rejects = _rejects(ws)
    assert f"{name},3," in rejects and words in rejects and "blank" in rejects
    assert _count(ws, "SELECT count(*) FROM answers") == 3
    assert [p for p in (ws / "inbox").iterdir() if p.is_file()] == []


@pytest.mark.parametrize(
    ("provider", "damage", "words"),
    [
        ("dais", lambda d: _dais_field(d, 2, 33, b"0000000"), "口座番号"),
        ("dais", lambda d: _dais_field(d, 2, 29, b"000"), "支店"),
        ("pipitlinq", lambda d: _pipit_cell(d, 2, 11, b""), "口座番号"),
        ("pipitlinq", lambda d: _pipit_cell(d, 2, 6, b""), "金融機関コード"),
    ],
    ids=["dais-no-number", "dais-no-branch", "pipitlinq-no-number", "pipitlinq-no-bank"],
)
def test_a_found_row_without_its_account_key_is_rejected(waiting, ws: Path, provider: str, damage, words: str) -> None:
    name, data = _answers(waiting, provider)
    (ws / "inbox" / name).write_bytes(damage(data))
    code, out = cli("ingest", "--home", ws)
    assert code == 1, out
    assert "read 4 = recorded 3 + rejected 1" in out, out
    rejects = _rejects(ws)
    assert f"{name},2," in rejects and words in rejects
    assert _count(ws, "SELECT count(*) FROM answers WHERE account_key IS NULL") == 0


def test_nightly_survives_a_poison_file_and_the_next_night_is_clean(waiting, ws: Path) -> None:
    for name, data in waiting[1].items():
        if name.lower().startswith("dais"):
            data = _dais_field(data, 4, 1, b" " * 20)
        (ws / "inbox" / name).write_bytes(data)
    code, out = cli("nightly", "--home", ws)
    assert code == 1, out  # some input rejected, the batch went through
    assert _count(ws, "SELECT count(*) FROM answers") == 7
    assert [p for p in (ws / "inbox").iterdir() if p.is_file()] == []
    code, out = cli("nightly", "--home", ws)
    assert code == 0, out


def test_a_file_the_store_refuses_is_rejected_alone_and_the_others_go_in(waiting, ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An office's edited layout that forgot ``required`` lets a blank 回答区分 through to the store: the last safety net."""
    from importlib import resources

    import formats.files
    from formats import parse_csv_layout

    packaged = resources.files("formats").joinpath("layouts", "pipitlinq.toml").read_text(encoding="utf-8")
    edited = parse_csv_layout(packaged.replace(", required = true", ""), "edited pipitlinq.toml")
    monkeypatch.setattr(formats.files, "load_pipitlinq", lambda: edited)
    for name, data in waiting[1].items():
        if name.lower().startswith("pipitlinq"):
            data = _pipit_cell(data, 3, 4, b"")
        (ws / "inbox" / name).write_bytes(data)
    code, out = cli("ingest", "--home", ws)
    assert code == 1, out
    assert "read 4 = recorded 4 + rejected 0" in out  # the DAIS file; the pipitLINQ one is rejected whole
    name = next(n for n in waiting[1] if n.lower().startswith("pipitlinq"))
    assert "cannot be stored" in _rejected_whole(ws, name)
    assert _count(ws, "SELECT count(*) FROM answers") == 4
    assert _count(ws, "SELECT count(*) FROM response_files") == 1


def test_the_same_file_named_twice_on_the_command_line_is_taken_once(waiting, ws: Path) -> None:
    name, data = _answers(waiting, "dais")
    path = ws / "inbox" / name
    path.write_bytes(data)
    code, out = cli("ingest", "--home", ws, path, path)
    assert code == 0, out
    assert "read 4 = recorded 4 + rejected 0" in out and "already ingested" in out
    assert not path.exists()


def test_the_next_file_is_read_while_one_is_recorded_and_what_its_reader_raised_counts_only_if_taken(
    waiting, ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files are read one ahead in a worker thread (issue #10); the outcome is that of one file after the other.

    A copy of a file already ingested is skipped before its rows are looked
    at: an error its reading raised (here: the reader fails on it) must not
    turn the skip into a rejection; a reader error on a file that is taken
    rejects it whole, as before.
    """
    import threading

    import formats

    dais_name, dais = _answers(waiting, "dais")
    pipit_name, pipit = _answers(waiting, "pipitlinq")
    (ws / "inbox" / dais_name).write_bytes(dais)
    code, out = cli("ingest", "--home", ws)
    assert code == 0, out
    staged = ws.parent / "staged"  # named on the command line: the start-up recovery clears only inbox/
    staged.mkdir()
    files = [staged / f"again-{dais_name}", staged / pipit_name, staged / f"broken-{pipit_name}"]
    files[0].write_bytes(dais)
    files[1].write_bytes(pipit)
    files[2].write_bytes(pipit.replace(b"\r\n", b"\n"))  # another SHA-256, and the reader fails on it
    real = formats.read_response
    threads: list[str] = []

    def reader(path: Path) -> formats.ParsedFile:
        threads.append(threading.current_thread().name)
        if Path(path).name.startswith(("again-", "broken-")):
            raise RuntimeError("the reader broke")
        return real(path)

    monkeypatch.setattr(formats, "read_response", reader)
    code, out = cli("ingest", "--home", ws, *files)
    assert code == 1, out
    assert f"(already ingested): again-{dais_name}" in out, out
    assert len(threads) == 3 and all(t.startswith("ingest-read") for t in threads), threads
    rejects = _rejects(ws)
    assert f"broken-{pipit_name},0," in rejects and "the reader broke" in rejects
    assert f"again-{dais_name}" not in rejects
    assert _count(ws, "SELECT count(*) FROM response_files") == 2


# ---------------------------------------------------------------- one night's files among themselves (issue #10, session 6)


def test_a_second_file_of_the_same_night_for_the_same_inquiries_is_rejected_naming_the_first(waiting, ws: Path) -> None:
    """Two files of one ingest answer the same inquiries: the first is recorded, the second's rows name its lines.

    The inquiries are marked answered once, at the end of the ingest: what
    the earlier files of the night answered is kept by the ingest itself
    (by the inquiry's rowid), so the second file is checked against it.
    """
    name, data = _answers(waiting, "dais")
    (ws / "inbox" / name).write_bytes(data)
    (ws / "inbox" / f"{name}.copy").write_bytes(data.replace(b"\r\n", b"\n"))  # another file (SHA), the same rows; after it by name
    code, out = cli("ingest", "--home", ws)
    assert code == 1, out
    assert "read 8 = recorded 4 + rejected 4" in out, out
    rejects = _rejects(ws)
    assert rejects.count("already answered") == 4
    assert f"{name}.copy,2," in rejects and f"{name}:2" in rejects  # names the first file and its line
    assert _count(ws, "SELECT count(*) FROM answers") == 4
    assert _count(ws, "SELECT count(*) FROM inquiries WHERE answered_on IS NOT NULL AND answer IS NOT NULL") == 4


def test_a_file_rolled_back_answers_nothing_and_a_later_file_of_the_night_may(waiting, ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file undone alone (its counts do not add up once its rows are in) leaves its inquiries open for a later file."""
    import dataclasses

    import formats

    real = formats.read_response

    def miscounted(path: Path, *args: object, **kwargs: object) -> formats.ParsedFile:
        parsed = real(path, *args, **kwargs)
        return dataclasses.replace(parsed, rows_read=parsed.rows_read + 1) if path.name.startswith("a-") else parsed

    monkeypatch.setattr(formats, "read_response", miscounted)
    name, data = _answers(waiting, "pipitlinq")
    (ws / "inbox" / f"a-{name}").write_bytes(data.replace(b"\r\n", b"\n"))  # first by name; another SHA, the same rows
    (ws / "inbox" / f"b-{name}").write_bytes(data)
    code, out = cli("ingest", "--home", ws)
    assert code == 1, out
    assert "read 4 = recorded 4 + rejected 0" in out, out  # the second file whole; the first rejected whole
    assert "rows read 5" in (ws / "inbox" / "rejected" / f"a-{name}.reason.txt").read_text(encoding="utf-8")
    files = stored(ws, "SELECT DISTINCT r.file_name FROM answers a JOIN response_files r ON r.file_id = a.file_id")
    assert files == [(f"b-{name}",)]
    assert _count(ws, "SELECT count(*) FROM answers") == 4
    assert _count(ws, "SELECT count(*) FROM inquiries WHERE provider = 'pipitlinq' AND answered_on IS NOT NULL") == 4


# ---------------------------------------------------------------- marking the inquiries answered (issue #10, session 6, second round)


def test_an_old_and_new_inquiries_answered_together_are_marked_without_walking_the_rows_between(waiting, ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The inquiries answered in one ingest are marked by rowid runs: a large gap between them is never walked.

    One DAIS answer for the first inquiry (rowid 1: the "old" one) and the
    pipitLINQ file for rowids 5–8 (the "new" ones), with the gap that cuts
    a run lowered to 2 rows so that this small workspace has one: exactly
    those five inquiries are marked, with two ``UPDATE``s walking five
    rowids — not one walking all eight.
    """
    monkeypatch.setattr(ingest_step, "_GAP", 2)
    first = stored(ws, "SELECT inquiry_id FROM inquiries WHERE rowid = 1")[0][0]
    name, data = _answers(waiting, "dais")
    staged = ws.parent / name
    staged.write_bytes(data)
    dais = formats.read_response(staged)
    formats.write_response(
        "dais", "basic", dais.rows.filter(inquiry_id=first).drop("line"), ws / "inbox" / name,
        municipality_code="131041", created_on=dt.date(2026, 11, 1), seq=1,
    )  # fmt: skip
    name, data = _answers(waiting, "pipitlinq")
    (ws / "inbox" / name).write_bytes(data)

    statements: list[str] = []
    real_connect = sqlite3.connect

    def traced(*args: object, **kwargs: object) -> sqlite3.Connection:
        conn = real_connect(*args, **kwargs)  # type: ignore[arg-type]
        conn.set_trace_callback(statements.append)  # the SQL with its values written in
        return conn

    monkeypatch.setattr(sqlite3, "connect", traced)
    code, out = cli("ingest", "--home", ws)
    assert code == 0, out
    assert "read 5 = recorded 5 + rejected 0" in out, out
    marked = stored(ws, "SELECT rowid FROM inquiries WHERE answered_on IS NOT NULL AND answer = 'found' ORDER BY rowid")
    assert marked == [(1,), (5,), (6,), (7,), (8,)]
    assert _count(ws, "SELECT count(*) FROM inquiries WHERE answered_on IS NOT NULL OR answer IS NOT NULL") == 5
    walks = [tuple(map(int, m.groups())) for s in statements if s.lstrip().startswith("UPDATE inquiries") for m in [re.search(r"rowid BETWEEN (\d+) AND (\d+)", s)] if m]
    assert walks == [(1, 1), (5, 8)]


@pytest.mark.parametrize(("answered", "how"), [((1, 2, 3, 4), "BETWEEN"), ((1, 4), "json_each"), ((2, 3), "BETWEEN")])
def test_the_sent_look_up_walks_the_key_range_of_a_dense_file_and_seeks_the_ids_of_a_sparse_one(
    waiting, ws: Path, monkeypatch: pytest.MonkeyPatch, answered: tuple[int, ...], how: str
) -> None:
    """A file's ids are looked up by their key range when it holds little else, else one by one: the same rows either way.

    The DAIS request file's inquiries are rowids 1–4. Answering all four,
    or the middle two, the range holds only the file's ids; answering the
    first and the last, it holds two other inquiries, which are neither
    recorded nor marked.
    """
    ids = [i for (i,) in stored(ws, "SELECT inquiry_id FROM inquiries WHERE provider = 'dais' ORDER BY rowid")]
    name, data = _answers(waiting, "dais")
    staged = ws.parent / name
    staged.write_bytes(data)
    rows = formats.read_response(staged).rows.drop("line")
    keep = rows.filter(pl.col("inquiry_id").is_in([ids[n - 1] for n in answered]))
    formats.write_response("dais", "basic", keep, ws / "inbox" / name, municipality_code="131041", created_on=dt.date(2026, 11, 1), seq=1)
    statements: list[str] = []
    real_connect = sqlite3.connect

    def traced(*args: object, **kwargs: object) -> sqlite3.Connection:
        conn = real_connect(*args, **kwargs)  # type: ignore[arg-type]
        conn.set_trace_callback(statements.append)
        return conn

    monkeypatch.setattr(sqlite3, "connect", traced)
    code, out = cli("ingest", "--home", ws)
    assert code == 0, out
    assert f"read {len(answered)} = recorded {len(answered)} + rejected 0" in out, out
    marked = stored(ws, "SELECT rowid FROM inquiries WHERE answered_on IS NOT NULL ORDER BY rowid")
    assert marked == [(r,) for r in answered]
    look_ups = [s for s in statements if "AS _sent_bank" in s]
    assert len(look_ups) == 1 and f"inquiry_id {how}" in look_ups[0].replace("IN (SELECT value FROM json_each", "json_each"), look_ups


def test_start_up_recovery_deletes_what_an_ingest_took_in_and_reads_no_other_waiting_file(
    waiting: tuple[Path, dict[str, bytes]], ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file an ingest recorded but, killed before its clean-up, left in ``inbox/`` is deleted at
    the next command's start (送受信後直ちに削除); a night's new answers waiting there are not read.

    Before issue #10's session 10 every waiting file was hashed at every command's start
    (~290 MB at M, during ``sent`` and again during ``ingest``).
    """
    from inquiry.runtime import workspace

    dais_name, dais = _answers(waiting, "dais")
    pipit_name, pipit = _answers(waiting, "pipitlinq")
    (ws / "inbox" / dais_name).write_bytes(dais)
    code, out = cli("ingest", "--home", ws)
    assert code == 0, out
    (ws / "inbox" / dais_name).write_bytes(dais)  # as a kill between the commit and the clean-up leaves it
    (ws / "inbox" / pipit_name).write_bytes(pipit)  # tonight's, not yet ingested
    (ws / "inbox" / f"copy-{dais_name}").write_bytes(dais)  # a copy under another name: left to ingest
    hashed = hashed_files(monkeypatch, workspace)
    code, out = cli("export", "outcomes", "--home", ws)
    assert code == 0, out
    assert [name for name, _ in hashed] == [dais_name], hashed
    assert sorted(p.name for p in (ws / "inbox").iterdir() if p.is_file()) == sorted([pipit_name, f"copy-{dais_name}"])
    code, out = cli("ingest", "--home", ws)
    assert code == 0, out
    assert f"(already ingested): copy-{dais_name}" in out, out
    assert not [p for p in (ws / "inbox").iterdir() if p.is_file()]
    assert _count(ws, "SELECT count(*) FROM response_files") == 2
