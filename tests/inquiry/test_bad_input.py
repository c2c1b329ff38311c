"""Issue 14, points 3–5, through the real commands: line breaks, size limits, control characters.

- a quoted line break in the master is data: the batch goes on, later rows
  keep their physical lines, and request files carry the value with a space;
- inputs larger than the stated limits (docs/decisions.md, "Size limits")
  are refused before they are loaded, with the file named; an over-long
  cell is a reject with its line;
- control characters reject the row, invisible ones are removed — in the
  office's inputs and in the services' answers alike (one rule,
  ``formats._text``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import polars as pl
import pytest

import formats
from formats.limits import MASTER, SERVICE_FILE
from tests.inquiry._fixtures import (
    INSTITUTIONS,
    OFFICE,
    OFFICE_ARGS,
    answer_outbox,
    cli,
    init_and_prepare,
    mark_sent,
    stored,
    write_office,
)

HEADER = "person_id,name_kanji,name_kana,birth_date,address,staff_code,target_banks\r\n"


def _reject_rows(home: Path) -> list[tuple[str, int, str]]:
    """``(file name, line, reason)`` of the (only) rejects file in ``reports/``."""
    files = sorted((home / "reports").glob("rejects-*.csv"))
    assert len(files) == 1, files
    rows = csv.DictReader(io.StringIO(files[0].read_text(encoding="utf-8-sig")))
    return [(Path(r["file"]).name, int(r["line"]), r["reason"]) for r in rows]


def _rejects(home: Path) -> dict[int, str]:
    """Line → reason, when all rejects are of one file."""
    return {line: reason for _, line, reason in _reject_rows(home)}


def _prepare(tmp_path: Path, master: bytes) -> tuple[Path, int, str]:
    home = tmp_path / "ws"
    assert cli("init", "--home", home, *OFFICE_ARGS)[0] == 0
    (tmp_path / "master.csv").write_bytes(master)
    (tmp_path / "institutions.csv").write_text(INSTITUTIONS, encoding="utf-8")
    code, out = cli("prepare", "--home", home, "--master", tmp_path / "master.csv", "--institutions", tmp_path / "institutions.csv")
    return home, code, out


def _request_texts(home: Path) -> str:
    """Every request file in ``outbox/``, decoded (DAIS cp932, pipitLINQ UTF-8)."""
    texts = [p.read_bytes().decode("cp932" if p.suffix == ".dat" else "utf-8-sig") for p in sorted((home / "outbox").glob("*_REQ_*"))]
    assert len(texts) == 2
    return "\n".join(texts)


# -- point 3: a quoted line break in the master ---------------------------------------


def test_quoted_line_break_in_the_master_is_read_as_data(tmp_path: Path) -> None:
    master = (
        HEADER
        + 'P001,勅使河原 蔵之介,テシガハラ クラノスケ,1962-04-01,"東京都新宿区\r\n紀尾井坂町1-2-3",S01,\r\n'  # lines 2-3
        + "P002,纐纈 菊乃,コウケツ キクノ,1975-08-09,東京都新宿区鶯谷山吹町4-5-6,S02,\r\n"  # line 4
        + "P003,鬼頭 鷹雄,キトウ タカオ,昭和99年1月1日,東京都新宿区霞ヶ丘7-8-9,S03,\r\n"  # line 5: bad date
        + 'P004,綿貫 雪枝,ワタヌキ ユキエ,1959-02-28,"東京都\n新宿区\r\n\r\n神楽坂楓町9-9-9",S04,\r\n'  # lines 6-9
        + "P005,鬼頭 鷹雄,キトウ タカオ,S45.3.12,,S05,0001;x\r\n"  # line 10: bad bank code
    )
    home, code, out = _prepare(tmp_path, master.encode("utf-8"))
    assert code == 1, out  # one bad row is a reject, never a failed batch
    assert "master 5 = accepted 3 + rejected 2" in out, out
    rejects = _rejects(home)
    assert sorted(rejects) == [5, 10], rejects  # the file's physical lines, after the multi-line records
    assert "生年月日" in rejects[5] and "照会先金融機関" in rejects[10]
    sent = _request_texts(home)
    assert sent.count("東京都新宿区 紀尾井坂町1-2-3") == 2  # both services: the line break as one space
    assert sent.count("東京都 新宿区 神楽坂楓町9-9-9") == 2
    assert stored(home, "SELECT address FROM persons WHERE person_id = 'P004'") == [("東京都 新宿区 神楽坂楓町9-9-9",)]


# -- point 4: limits ----------------------------------------------------------------------


def test_a_master_over_the_size_limit_is_refused_before_loading(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    assert cli("init", "--home", home, *OFFICE_ARGS)[0] == 0
    big = tmp_path / "master.csv"
    with big.open("wb") as fh:  # one byte over the limit, sparse: no disk, and never read whole
        fh.write(HEADER.encode())
        fh.truncate(MASTER.max_bytes + 1)
    (tmp_path / "institutions.csv").write_text(INSTITUTIONS, encoding="utf-8")
    code, out = cli("prepare", "--home", home, "--master", big, "--institutions", tmp_path / "institutions.csv")
    assert code == 2, out
    assert "master.csv" in out and f"{MASTER.max_bytes // 2**20:,} MB" in out and "nothing was committed" in out, out
    assert list((home / "outbox").iterdir()) == []


def test_a_master_over_the_row_limit_is_refused(tmp_path: Path) -> None:
    rows = b"P1,x,,1970-01-01,,,\n" * (MASTER.max_rows + 1)
    _, code, out = _prepare(tmp_path, HEADER.encode() + rows)
    assert code == 2, out
    assert "master.csv" in out and f"{MASTER.max_rows:,}" in out, out


def test_an_over_long_field_is_a_reject_with_its_line(tmp_path: Path) -> None:
    office = write_office(tmp_path / "office")
    lines = office["master"].read_text(encoding="utf-8").splitlines()
    lines.insert(2, "P900,山田 太郎,ヤマダ タロウ,1970-01-01," + "東" * 100_000 + ",0")  # line 3: a 300 KB address
    office["master"].write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    home = tmp_path / "ws"
    assert cli("init", "--home", home, *OFFICE_ARGS)[0] == 0
    code, out = cli("prepare", "--home", home, "--master", office["master"], "--institutions", office["institutions"])
    assert code == 1, out[-500:]
    assert "master 5 = accepted 4 + rejected 1" in out, out[-500:]
    rejects = _rejects(home)
    assert list(rejects) == [3] and "address" in rejects[3] and "300,000 bytes" in rejects[3], rejects
    assert all(p.stat().st_size < 10_000 for p in (home / "outbox").iterdir())


def test_an_answer_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    big = tmp_path / "DAIS_RES_131041_20261101_0001.dat"
    with big.open("wb") as fh:  # sparse: refused from its size, never read
        fh.truncate(SERVICE_FILE.max_bytes + 1)
    with pytest.raises(formats.FileRejected, match="256 MB"):
        formats.read_response(big)


def test_ingest_refuses_an_answer_file_over_the_size_limit_unread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "ws"
    init_and_prepare(home, write_office(tmp_path / "office"))
    mark_sent(home)
    big = home / "inbox" / "DAIS_RES_131041_20261101_0001.dat"
    with big.open("wb") as fh:  # sparse: ingest must refuse it from its size, before hashing it whole
        fh.truncate(SERVICE_FILE.max_bytes + 1)
    read_whole = Path.read_bytes

    def no_whole_read(self: Path) -> bytes:
        assert self.name != big.name, "the oversized file was read whole"
        return read_whole(self)

    monkeypatch.setattr(Path, "read_bytes", no_whole_read)
    code, out = cli("ingest", "--home", home)
    assert code == 1, out
    assert not big.exists() and (home / "inbox" / "rejected" / big.name).exists()
    assert "256 MB" in " ".join(_rejects(home).values())


def test_an_answer_file_over_the_row_limit_is_moved_to_rejected(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    init_and_prepare(home, write_office(tmp_path / "office"))
    mark_sent(home)
    poison = home / "inbox" / "PIPITLINQ_RES_131041_20261101_0001.csv"
    poison.write_bytes("\ufeff照会番号,宛名番号\r\n".encode() + b"B1,P1\r\n" * (SERVICE_FILE.max_rows + 1))
    code, out = cli("ingest", "--home", home)
    assert code == 1, out
    assert not poison.exists() and (home / "inbox" / "rejected" / poison.name).exists()
    assert f"{SERVICE_FILE.max_rows:,}" in " ".join(_rejects(home).values())


# -- point 5: control and invisible characters ------------------------------------------


def test_control_characters_reject_the_row_invisible_ones_are_removed(tmp_path: Path) -> None:
    master = (
        HEADER
        + "P001,勅使河原\x1f蔵之介,テシガハラ クラノスケ,1962-04-01,東京都新宿区紀尾井坂町1-2-3,S01,\r\n"  # line 2: unit separator
        + "P002,纐纈 菊乃,コウケツ キクノ,1975-08-09,\ufeff東京都新宿区\u200b鶯谷山吹町4-5-6\u202e,S\u200d02,\r\n"  # line 3: invisible
        + "P003,鬼頭 鷹雄,キトウ タカオ,1988-12-24,東京都新宿区霞ヶ丘\x00蓬莱町7-8-9,S03,\r\n"  # line 4: NUL
        + "P004,綿貫 雪枝,ワタヌキ ユキエ,1959-02-28,東京都新宿区\u2028神楽坂楓町9-9-9,S\x0704,\r\n"  # line 5: BEL in staff code
        + "P005,綿貫 雪子,ワタヌキ ユキコ\u0085,1959-02-28,東京都新宿区\u2029神楽坂楓町9-9-9,S05,\r\n"  # line 6: line-like only
    )
    home, code, out = _prepare(tmp_path, master.encode("utf-8"))
    assert code == 1, out
    rejects = _rejects(home)
    assert sorted(rejects) == [2, 4, 5], rejects
    assert "U+001F" in rejects[2] and "name_kanji" in rejects[2]
    assert "U+0007" in rejects[5] and "staff_code" in rejects[5]
    kept = dict(stored(home, "SELECT person_id, address || '|' || staff_code FROM persons"))
    assert kept == {"P002": "東京都新宿区鶯谷山吹町4-5-6|S02", "P005": "東京都新宿区 神楽坂楓町9-9-9|S05"}
    sent = _request_texts(home)
    assert not any(ch in sent for ch in "\ufeff\u200b\u200d\u202e\u2028\u2029\x1f\x07")


def test_invisible_characters_in_the_header_row_are_ignored(tmp_path: Path) -> None:
    master = "\ufeff\ufeffperson_id,name\u200b_kanji,name_kana,birth_date,住所\u2060\r\nP001,山田 太郎,ヤマダ タロウ,1970-01-01,東京都新宿区1-1\r\n"
    home, code, out = _prepare(tmp_path, master.encode("utf-8"))  # a file saved twice: two BOMs
    assert code == 0, out
    assert "ignored columns" not in out, out
    assert stored(home, "SELECT name_kanji, address FROM persons") == [("山田 太郎", "東京都新宿区1-1")]


def test_control_characters_in_the_other_inputs(tmp_path: Path) -> None:
    office = write_office(tmp_path / "office")
    office["institutions"].write_text(
        "bank_code,name,provider,default_target\n0001,みずほ\x1b,dais,1\n0005,三菱\ufeffＵＦＪ,pipitlinq,1\n", encoding="utf-8"
    )
    payments = tmp_path / "office" / "payments.csv"
    payments.write_text("person_id,paid_on,amount_yen\nP001\x1f,2026-10-02,1000\n\u200bP002,2026-10-02,1000\n", encoding="utf-8")
    home = tmp_path / "ws"
    assert cli("init", "--home", home, *OFFICE_ARGS)[0] == 0
    code, out = cli(
        "prepare", "--home", home, "--master", office["master"], "--institutions", office["institutions"], "--payments", payments, "--as-of", "2026-10-01"
    )
    assert code == 1, out
    rejects = {(f, line): reason for f, line, reason in _reject_rows(home)}
    assert set(rejects) == {("institutions.csv", 2), ("payments.csv", 2)}, rejects
    assert "U+001B" in rejects[("institutions.csv", 2)] and "U+001F" in rejects[("payments.csv", 2)]
    assert stored(home, "SELECT bank_code, name FROM institutions") == [("0005", "三菱ＵＦＪ")]
    assert stored(home, "SELECT person_id FROM payments") == [("P002",)]


def test_control_characters_in_answer_free_text(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    init_and_prepare(home, write_office(tmp_path / "office"))
    staged = tmp_path / "answers"
    staged.mkdir()
    for path in answer_outbox(home, into=staged):
        parsed = formats.read_file(path)
        rows = parsed.rows.drop("line")
        if parsed.provider == "dais":  # 届出住所: a unit separator in the first row's
            rows = rows.with_columns(holder_address=pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("東京都\x1f新宿区")).otherwise(pl.col("holder_address")))
        else:  # pipitLINQ: a BOM and a line separator in free text
            rows = rows.with_columns(holder_address=pl.lit("\ufeff東京都新宿区\u2028西新宿"), unable_reason=pl.lit("備考\u200b"))
        formats.write_response(parsed.provider, "basic", rows, home / "inbox" / path.name, municipality_code="131041", created_on=dt.date(2026, 11, 1), seq=1)  # type: ignore[arg-type]
    mark_sent(home)
    code, out = cli("ingest", "--home", home)
    assert code == 1, out
    rejects = _rejects(home)
    assert list(rejects) == [2] and "U+001F" in rejects[2] and "holder_address" in rejects[2], rejects
    pipit = stored(home, "SELECT DISTINCT holder_address, unable_reason FROM answers WHERE bank_code = '0005'")
    assert pipit == [("東京都新宿区 西新宿", "備考")]


# -- CSV exports: formulas in full-width and after leading whitespace --------------------------

def _live_formula(cell: str) -> bool:
    """A cell a spreadsheet would evaluate: ``= + - @`` (half- or full-width), also after leading whitespace."""
    text = cell.lstrip(" \t\u3000")
    if text[:1] in ("=", "+", "@", "＝", "＋", "＠", "－"):
        return True
    if text[:1] == "-":
        try:
            float(text)
            return text != cell  # a plain negative number is data, unless it hides behind whitespace
        except ValueError:
            return True
    return cell[:1] in ("\t", "\r")


def test_full_width_and_indented_formulas_are_neutralised_in_exports(tmp_path: Path) -> None:
    office = write_office(tmp_path / "office")
    master = "person_id,name_kanji,name_kana,birth_date,address,arrears_yen,target_banks\r\n"
    master += "".join(f"{p.person_id},{p.name_kanji},{p.name_kana},{p.birth_date},{p.address},{p.arrears_yen},\r\n" for p in OFFICE)
    master += '"Q1","＝HYPERLINK(""http://x"") 四郎",ヨシダ シロウ,1970-01-01,東京都新宿区3-3,0,0009\r\n'  # paper list
    office["master"].write_text(master, encoding="utf-8")
    home = tmp_path / "ws"
    init_and_prepare(home, office)
    staged = tmp_path / "answers"
    staged.mkdir()
    for path in answer_outbox(home, into=staged):
        parsed = formats.read_file(path)
        rows = parsed.rows.drop("line")
        if parsed.provider == "pipitlinq":  # the bank echoes addresses with a leading space / full-width space
            rows = rows.with_columns(
                holder_address=pl.when(pl.int_range(pl.len()) % 2 == 0)
                .then(pl.lit(' =HYPERLINK("http://x")'))
                .otherwise(pl.lit("\u3000＋1+1")),
            )
        formats.write_response(parsed.provider, "basic", rows, home / "inbox" / path.name, municipality_code="131041", created_on=dt.date(2026, 11, 1), seq=1)  # type: ignore[arg-type]
    mark_sent(home)
    assert cli("ingest", "--home", home)[0] == 0
    assert cli("match", "--home", home)[0] == 0
    code, out = cli("export", "matches", "--home", home, "--out", home / "reports" / "matches.csv")
    assert code == 0, out
    cells = [c for p in sorted((home / "reports").glob("*.csv")) for row in csv.reader(io.StringIO(p.read_text(encoding="utf-8-sig"))) for c in row]
    assert [c for c in cells if _live_formula(c)] == []
    assert any(c.startswith("' =HYPERLINK") for c in cells) and any(c.startswith("'\u3000＋1+1") for c in cells)
    assert any(c.startswith("'＝HYPERLINK") for c in cells)  # the paper list
