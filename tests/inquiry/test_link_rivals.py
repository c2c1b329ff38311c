"""``inquiry link`` on the two-person office of issue #16: a hit must have no rival,
and an answer row the reader rejects is reported, not dropped."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

import formats
from tests.inquiry._fixtures import (
    Person,
    cli,
    init_and_prepare,
    mark_sent,
    write_office,
)

#: issue #16, verbatim: one name, one block (4-3), two buildings; person 1 has no kana (estimated reading)
MASTER = (
    "person_id,name_kanji,name_kana,birth_date,address\r\n"
    "0000000001,伊藤 健二,,2003-03-19,東京都新宿区弁天町4-3 シャトー弁天弐番館206号\r\n"
    "0000000002,伊藤 健二,イトウ　ケンジ,1931-10-02,新宿区弁天町4番3号グランドール平和ハイム806\r\n"
)


def _answer(inquiry: str, person: str, number: str, kana: str, birth: dt.date | None, address: str | None) -> dict:
    return {
        "inquiry_id": inquiry, "person_id": person, "inquired_name": "伊藤　健二", "inquired_address": None,
        "answer": "found", "detail_no": 1, "bank_code": "0005", "bank_name": None, "branch_code": "101",
        "branch_name": None, "account_type": 1, "account_number": number, "passbook_symbol": None,
        "passbook_number": None, "holder_kana": kana, "holder_birth_date": birth, "holder_address": address,
        "balance_yen": 123_456, "balance_date": dt.date(2026, 10, 31), "opened_on": dt.date(2010, 4, 1),
        "last_activity": dt.date(2026, 10, 25), "account_status": "通常", "unable_reason": None,
    }  # fmt: skip


def _write(folder: Path, answers: list[dict]) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    master = folder / "master.csv"
    master.write_text(MASTER, encoding="utf-8")
    response = folder / "PIPITLINQ_RES_131041_20261101_0001.csv"
    frame = pl.DataFrame(answers, infer_schema_length=None)
    formats.write_response("pipitlinq", "basic", frame, response, municipality_code="131041", created_on=dt.date(2026, 11, 1), seq=1)  # type: ignore[arg-type]
    return master, response


def test_two_namesakes_in_one_block_make_the_account_a_review_with_both(tmp_path: Path) -> None:
    """The bank holds イトウ ケンジ, no birth date, 新宿区 弁天町4番3号: person 2 would be PROBABLE
    (name exact, dob missing, address current), but person 1 - whose reading was estimated, so
    capped at REVIEW - fits as well. The account is a REVIEW naming both."""
    master, response = _write(tmp_path, [_answer("Q1", "0000000001", "1234567", "イトウ　ケンジ", None, "新宿区 弁天町4番3号")])
    out = tmp_path / "out" / "matches.csv"
    code, output = cli("link", "--master", master, "--responses", response, "--out", out)
    assert code == 0, output
    m = pl.read_csv(out, infer_schema=False).row(0, named=True)
    assert m["class"] == "REVIEW", m
    assert set(m["candidates"].split(";")) == {"0000000001", "0000000002"}
    assert (m["name_evidence"], m["dob_evidence"], m["address_evidence"]) == ("exact", "missing", "current")


def test_an_answer_row_with_an_invalid_date_is_rejected_counted_and_written_beside_out(tmp_path: Path) -> None:
    good = _answer("Q1", "0000000002", "1234567", "イトウ　ケンジ", dt.date(1931, 10, 2), "新宿区弁天町4番3号")
    bad = _answer("Q1", "0000000002", "7654321", "イトウ　ケンジ", dt.date(2019, 5, 2), "新宿区弁天町4番3号")
    bad["detail_no"] = 2
    master, response = _write(tmp_path, [good, bad])
    # 令和1年5月2日 written as 和暦7桁 is 5010502; 令和1年4月1日 (5010401) does not exist
    text = response.read_text(encoding="utf-8-sig")
    assert text.count("5010502") == 1
    response.write_text(text.replace("5010502", "5010401"), encoding="utf-8-sig")
    out = tmp_path / "out" / "matches.csv"
    code, output = cli("link", "--master", master, "--responses", response, "--out", out)
    assert code == 1, output
    assert "rejected" in output and "account_records': 1" in output
    m = pl.read_csv(out, infer_schema=False)
    assert m["account_number"].to_list() == ["1234567"]
    rejects = list(out.parent.glob("rejects-*.csv"))
    assert len(rejects) == 1, output
    r = pl.read_csv(rejects[0], infer_schema=False)
    assert r.height == 1
    assert r["file"][0].endswith(response.name) and r["line"][0] == "3"
    assert "生年月日" in r["reason"][0] or "birth" in r["reason"][0]


def test_a_response_file_refused_whole_is_a_reject_and_the_other_files_are_still_linked(tmp_path: Path) -> None:
    master, response = _write(tmp_path, [_answer("Q1", "0000000002", "1234567", "イトウ　ケンジ", dt.date(1931, 10, 2), "新宿区弁天町4番3号")])
    junk = tmp_path / "PIPITLINQ_RES_131041_20261101_0002.csv"
    junk.write_text("これは回答ファイルではない\r\n", encoding="utf-8")
    out = tmp_path / "matches.csv"
    code, output = cli("link", "--master", master, "--responses", junk, "--responses", response, "--out", out)
    assert code == 1, output
    assert "'files_rejected': 1" in output
    assert pl.read_csv(out, infer_schema=False)["class"].to_list() == ["CONFIRMED"]
    (rejects,) = tmp_path.glob("rejects-*.csv")
    r = pl.read_csv(rejects, infer_schema=False)
    assert r["file"].to_list() == [str(junk)] and "file rejected whole" in r["reason"][0]


def test_the_workspace_path_decides_the_same_and_its_export_names_both(tmp_path: Path) -> None:
    """The nightly path (prepare → sent → ingest → match) on the same two persons: the account the
    bank returned for person 1's inquiry is a REVIEW with both candidates in the store's export."""
    office = (
        Person("0000000001", "伊藤 健二", "", "2003-03-19", "東京都新宿区弁天町4-3 シャトー弁天弐番館206号", "1234567"),
        Person("0000000002", "伊藤 健二", "イトウ　ケンジ", "1931-10-02", "新宿区弁天町4番3号グランドール平和ハイム806", "7654321"),
    )
    home = tmp_path / "ws"
    init_and_prepare(home, write_office(tmp_path / "office", office))
    (req_path,) = [p for p in (home / "outbox").glob("PIPITLINQ_REQ_*") if not p.name.endswith(".part")]
    req = formats.read_request(req_path)
    (inquiry,) = req.rows.filter(pl.col("person_id") == "0000000001")["inquiry_id"].to_list()
    answer = _answer(inquiry, "0000000001", "1234567", "イトウ　ケンジ", None, "新宿区 弁天町4番3号")
    answer["bank_code"] = req.rows.filter(pl.col("inquiry_id") == inquiry)["bank_code"].item()
    frame = pl.DataFrame([answer], infer_schema_length=None)
    formats.write_response("pipitlinq", "basic", frame, home / "inbox" / req_path.name.replace("_REQ_", "_RES_"),  # type: ignore[arg-type]
                           municipality_code="131041", created_on=dt.date(2026, 11, 1), seq=1)  # fmt: skip
    mark_sent(home)
    for command in ("ingest", "match"):
        code, output = cli(command, "--home", home)
        assert code == 0, output
    code, output = cli("export", "matches", "--home", home, "--out", home / "m.csv")
    assert code == 0, output
    m = pl.read_csv(home / "m.csv", infer_schema=False).row(0, named=True)
    assert m["class"] == "REVIEW"
    assert set(m["candidates"].split(";")) == {"0000000001", "0000000002"}
