"""pipitLINQ CSV: rows that cannot be read are rejected with their physical line; the rest is ingested."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from formats import FileRejected, WriteError, read_file, write_request, write_response
from formats._layout import FRAME_SCHEMAS, load_pipitlinq

BOM = "\ufeff"
BASIC_HEADER = ",".join(load_pipitlinq().file("response", "basic").labels)
EMPTY_ACCOUNT = "," * 16  # 16 empty cells after 回答区分 on a 該当なし row


def found(inquiry: str, detail: int = 1, *, birth: str = "3450312", kana: str = "ヤマダ　タロウ", bank: str = "0005",
          branch: str = "041", number: str = "1234567", kind: str = "普通") -> str:  # fmt: skip
    return (
        f"{inquiry},P1,山田　太郎,東京都新宿区,該当あり,{detail},{bank},みずほ銀行,{branch},新宿支店,{kind},{number},"
        f"{kana},{birth},東京都新宿区,-1200,5081031,4010401,5081030,通常,"
    )


def none(inquiry: str) -> str:
    return f"{inquiry},P2,鈴木　花子,東京都新宿区,該当なし{EMPTY_ACCOUNT}"


def write(tmp_path: Path, lines: list[str], end: str = "\r\n", bom: bool = True) -> Path:
    path = tmp_path / "answer.csv"
    path.write_bytes(((BOM if bom else "") + end.join(lines) + end).encode("utf-8"))
    return path


def test_none_row_has_every_column() -> None:
    assert len(none("Q").split(",")) == len(BASIC_HEADER.split(","))
    assert len(found("Q").split(",")) == len(BASIC_HEADER.split(","))


def test_bad_rows_rejected_with_their_physical_lines(tmp_path: Path) -> None:
    quoted_multiline = found("Q1").replace("東京都新宿区,-1200", '"東京都新宿区\r\n西新宿２丁目",-1200')  # spans lines 2-3
    path = write(
        tmp_path,
        [
            BASIC_HEADER,
            quoted_multiline,  # lines 2-3
            none("Q2"),  # line 4
            none("Q3").removesuffix(","),  # line 5: one column short
            found("Q4", birth="4310501"),  # line 6: 平成31年5月1日 does not exist
            found("Q5", kind="普通預金"),  # line 7: unknown account type word
            'Q6,P9,"unterminated,東京都,該当なし' + EMPTY_ACCOUNT,  # line 8: quote never closed
            none("Q7"),  # line 9
        ],
    )
    parsed = read_file(path)
    assert parsed.rows["inquiry_id"].to_list() == ["Q1", "Q2", "Q7"]
    assert parsed.rows["line"].to_list() == [2, 4, 9]
    assert parsed.rows["holder_address"][0] == "東京都新宿区 西新宿２丁目"  # a line break in a text cell reads as one space
    rejects = dict(zip(parsed.rejects["line"].to_list(), parsed.rejects["reason"].to_list()))
    assert sorted(rejects) == [5, 6, 7, 8]
    assert "列数" in rejects[5] and "名義人生年月日" in rejects[6] and "口座種別" in rejects[7] and "引用符" in rejects[8]
    assert parsed.rows_read == 7 == parsed.rows.height + parsed.rejects.height


def test_stray_quote_swallowing_lines_loses_only_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, [BASIC_HEADER, none("Q1"), 'Q2,P2,"鈴木,x' + EMPTY_ACCOUNT, none("Q3"), 'Q4,P4,"a"x,b,該当なし' + EMPTY_ACCOUNT, none("Q5")])
    parsed = read_file(path)
    assert parsed.rows["inquiry_id"].to_list() == ["Q1", "Q3", "Q5"]
    assert parsed.rejects["line"].to_list() == [3, 5]


def test_lf_and_no_bom_are_accepted(tmp_path: Path) -> None:
    parsed = read_file(write(tmp_path, [BASIC_HEADER, found("Q1"), none("Q2")], end="\n", bom=False))
    assert parsed.rows["line"].to_list() == [2, 3] and parsed.rejects.height == 0


def test_values_typed_as_the_architecture_says(tmp_path: Path) -> None:
    parsed = read_file(write(tmp_path, [BASIC_HEADER, found("Q1", kana="ヤマダ　タロ－"), none("Q2")]))
    first = parsed.rows.row(0, named=True)
    assert first["answer"] == "found" and first["account_type"] == 1 and first["balance_yen"] == -1200
    assert first["holder_birth_date"] == dt.date(1970, 3, 12) and first["balance_date"] == dt.date(2026, 10, 31)
    assert first["holder_kana"] == "ヤマダ　タロ－"  # exactly as received, long vowel not normalised
    second = parsed.rows.row(1, named=True)
    assert second["answer"] == "none" and second["account_type"] == 0 and second["account_number"] is None


def test_invalid_utf8_rejects_the_row(tmp_path: Path) -> None:
    path = write(tmp_path, [BASIC_HEADER, none("Q1"), none("Q2"), none("Q3")])
    path.write_bytes(path.read_bytes().replace("Q2,P2,鈴木".encode(), b"Q2,P2,\xff\xfe"))
    parsed = read_file(path)
    assert parsed.rejects["line"].to_list() == [3] and "UTF-8" in parsed.rejects["reason"][0]
    assert parsed.rows["inquiry_id"].to_list() == ["Q1", "Q3"]


def test_yucho_bad_symbol_rejected(tmp_path: Path) -> None:
    parsed = read_file(write(tmp_path, [BASIC_HEADER, found("Q1", bank="9900", branch="20530", number="12345671")]))
    assert parsed.rejects["line"].to_list() == [2] and "ゆうちょ" in parsed.rejects["reason"][0]


def test_unknown_header_rejects_file(tmp_path: Path) -> None:
    path = write(tmp_path, [BASIC_HEADER.replace("残高,", "残高(円),"), none("Q1")])
    with pytest.raises(FileRejected) as exc:
        read_file(path)
    assert exc.value.line == 1 and "header" in exc.value.reason


def test_wrong_inquiry_class_rejected(tmp_path: Path) -> None:
    header = ",".join(load_pipitlinq().file("request", "history").labels)
    path = write(tmp_path, [header, "H1,取引履歴,1,0005,041,普通,1234567,ヤマダ　タロウ,5070101,5071231,Q1", "H2,預金,1,0005,041,普通,1234567,ヤマダ　タロウ,5070101,5071231,Q1"])
    parsed = read_file(path)
    assert parsed.rows["inquiry_id"].to_list() == ["H1"] and parsed.rejects["line"].to_list() == [3]


def test_written_file_is_bom_crlf_with_japanese_header(tmp_path: Path) -> None:
    frame = pl.DataFrame(
        {
            "inquiry_id": ["H1"], "person_id": ["1"], "bank_code": ["5"], "branch_code": ["041"], "account_type": [6],
            "account_number": ["1234567"], "holder_kana": ["ヤマダ　タロウ"], "period_from": [dt.date(2025, 1, 1)],
            "period_to": [dt.date(2019, 4, 30)], "origin_inquiry_id": ["Q1"],
        }
    )  # fmt: skip
    res = write_request("pipitlinq", "history", frame, tmp_path / "h.csv", municipality_code="131041",
                        municipality_kana="", created_on=dt.date(2026, 11, 23), seq=1)  # fmt: skip
    data = res.path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf\xe7\x85\xa7\xe4\xbc\x9a\xe7\x95\xaa\xe5\x8f\xb7,")  # BOM + 照会番号,
    assert data.count(b"\r\n") == 2 and data.count(b"\n") == 2
    assert data.decode("utf-8-sig").split("\r\n")[1] == "H1,取引履歴,1,0005,041,定期,1234567,ヤマダ　タロウ,5070101,4310430,Q1"


def test_writer_refuses_unknown_code(tmp_path: Path) -> None:
    schema = FRAME_SCHEMAS[("response", "history")]
    frame = pl.DataFrame([{"inquiry_id": "H1", "answer": "maybe"}], schema=schema)
    with pytest.raises(WriteError, match="回答区分"):
        write_response("pipitlinq", "history", frame, tmp_path / "x.csv", municipality_code="131041",
                       created_on=dt.date(2026, 11, 23), seq=1)  # fmt: skip
