"""DAIS fixed-width files: whole-file rejections, row rejections, writer refusals, K truncation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from formats import FileRejected, WriteError, read_file, read_response, write_request, write_response

D = dt.date
COMMON = {"municipality_code": "131041", "created_on": D(2026, 11, 23), "seq": 1}
REC = 302


def basic_response_frame() -> pl.DataFrame:
    """Three answers: two accounts (one overdrawn) for Q1, none for Q2."""
    return pl.DataFrame(
        {
            "inquiry_id": ["Q1", "Q1", "Q2"], "answer": ["found", "found", "none"], "detail_no": [1, 2, 0],
            "bank_code": ["0005"] * 3, "branch_code": ["041", "042", None], "account_type": [1, 2, 0],
            "account_number": ["1234567", "7654321", None], "holder_kana": ["ﾔﾏﾀﾞ ﾀﾛｳ", "ﾔﾏﾀﾞ ﾀﾛｳ", None],
            "holder_birth_date": [D(1970, 3, 12), None, None], "holder_address": ["東京都新宿区", None, None],
            "balance_yen": [100_000, -30_000, 0], "balance_date": [D(2026, 10, 31)] * 2 + [None],
            "opened_on": [None] * 3, "last_activity": [None] * 3, "account_status": ["通常", "通常", "通常"],
            "unable_reason": [None] * 3,
        },
        schema_overrides={"opened_on": pl.Date, "last_activity": pl.Date, "unable_reason": pl.Utf8},
    )  # fmt: skip


@pytest.fixture
def answer_file(tmp_path: Path) -> Path:
    return write_response("dais", "basic", basic_response_frame(), tmp_path / "ans.dat", **COMMON).path


def patch(path: Path, line: int, offset: int, new: bytes) -> None:
    """Overwrite bytes of one record (1-based line) in place."""
    data = bytearray(path.read_bytes())
    start = (line - 1) * REC + offset
    data[start : start + len(new)] = new
    path.write_bytes(bytes(data))


def test_sound_file_reads_whole(answer_file: Path) -> None:
    parsed = read_response(answer_file)
    assert parsed.rows_read == 3 and parsed.rejects.height == 0
    assert parsed.rows["balance_yen"].to_list() == [100_000, -30_000, 0]
    assert parsed.header["trailer"] == {"record_count": 3, "hit_count": 2, "balance_total": 70_000}
    assert parsed.rows["branch_code"].to_list() == ["041", "042", None]


def test_lf_line_ends_are_accepted(answer_file: Path) -> None:
    answer_file.write_bytes(answer_file.read_bytes().replace(b"\r\n", b"\n"))
    assert read_response(answer_file).rows.height == 3


def test_blank_lines_after_the_end_record_are_not_records(answer_file: Path) -> None:
    answer_file.write_bytes(answer_file.read_bytes() + b"\r\n\r\n")
    assert read_response(answer_file).rows_read == 3


# ----------------------------------------------------------------- whole-file rejections


def test_short_record_rejects_the_file(answer_file: Path) -> None:
    data = answer_file.read_bytes()
    answer_file.write_bytes(data[: 2 * REC + 100] + data[2 * REC + 110 :])  # record 3 loses 10 bytes
    with pytest.raises(FileRejected) as exc:
        read_file(answer_file)
    assert exc.value.line == 3 and "290" in exc.value.reason
    assert str(exc.value).startswith(f"{answer_file}:3: ")


def test_truncated_transfer_missing_end_record(answer_file: Path) -> None:
    answer_file.write_bytes(answer_file.read_bytes()[:-REC])
    with pytest.raises(FileRejected, match="end record"):
        read_file(answer_file)


def test_missing_trailer_rejects_the_file(answer_file: Path) -> None:
    data = answer_file.read_bytes()
    answer_file.write_bytes(data[: -2 * REC] + data[-REC:])  # trailer cut out, end record kept
    with pytest.raises(FileRejected, match="trailer"):
        read_file(answer_file)


def test_trailer_count_mismatch(answer_file: Path) -> None:
    patch(answer_file, 5, 1, b"000004")
    with pytest.raises(FileRejected, match="件数不一致") as exc:
        read_file(answer_file)
    assert exc.value.line == 5


def test_hit_count_mismatch(answer_file: Path) -> None:
    patch(answer_file, 5, 7, b"000003")
    with pytest.raises(FileRejected, match="該当件数不一致"):
        read_file(answer_file)


def test_balance_total_mismatch(answer_file: Path) -> None:
    patch(answer_file, 2, 189, b"000000100001")  # 残高 of the first account, still digits
    with pytest.raises(FileRejected, match="残高合計不一致"):
        read_file(answer_file)


def test_balance_total_sign_counts(answer_file: Path) -> None:
    patch(answer_file, 3, 188, b" ")  # the overdraft loses its sign: total no longer adds up
    with pytest.raises(FileRejected, match="残高合計"):
        read_file(answer_file)


def test_data_record_type_among_data(answer_file: Path) -> None:
    patch(answer_file, 3, 0, b"1")
    with pytest.raises(FileRejected) as exc:
        read_file(answer_file)
    assert exc.value.line == 3


# ----------------------------------------------------------------- row rejections


@pytest.mark.parametrize(
    ("line", "offset", "new", "field"),
    [
        (4, 1 + 20 + 1, b"0X0", "明細番号"),  # non-digit in an N field
        (2, 80, b"19701332", "名義人生年月日"),  # impossible date
        (4, 225, b"7", "口座状態"),  # unknown code
        (4, 21, b"5", "回答区分"),  # unknown answer code
        (2, 32, b"3", "預金種目"),  # 3 is not an account type
        (3, 25, b"00X5", "金融機関コード"),  # non-digit in a code kept as text
        (3, 33, b"12345 7", "口座番号"),
        (2, 40, "ヤ".encode("cp932"), "名義人カナ"),  # full-width in a C field
        (4, 188, b"+", "残高符号"),  # sign neither space nor -
        (2, 88, b"\x81 ", "届出住所"),  # lead byte without a trail byte
        (2, 90, b"\xfd", "届出住所"),  # byte unassigned in cp932
    ],
)
def test_bad_record_is_rejected_alone(answer_file: Path, line: int, offset: int, new: bytes, field: str) -> None:
    patch(answer_file, line, offset, new)
    parsed = read_file(answer_file)
    assert parsed.rejects["line"].to_list() == [line]
    assert field in parsed.rejects["reason"][0]
    assert parsed.rejects["file"][0] == str(answer_file)
    assert parsed.rows_read == 3 == parsed.rows.height + parsed.rejects.height
    assert line not in parsed.rows["line"].to_list()


def test_unreadable_balance_rejects_row_without_false_total_mismatch(answer_file: Path) -> None:
    patch(answer_file, 2, 189, b"00000010000X")
    parsed = read_file(answer_file)
    assert parsed.rejects["line"].to_list() == [2] and "残高" in parsed.rejects["reason"][0]


# ----------------------------------------------------------------- writer


def basic_request_frame(**over: list) -> pl.DataFrame:
    cols = {
        "inquiry_id": ["R1"], "bank_code": ["0001"], "branch_code": [None], "name_kana": ["ﾔﾏﾀﾞ ﾀﾛｳ"],
        "name_kanji": ["山田　太郎"], "birth_date": [D(1970, 3, 12)], "sex": [1], "postal_code": [None],
        "address": ["東京都"], "other_names_kana": [None], "as_of": [D(2026, 11, 1)],
    }  # fmt: skip
    cols.update(over)
    return pl.DataFrame(cols, schema_overrides={"branch_code": pl.Utf8, "postal_code": pl.Utf8, "other_names_kana": pl.Utf8})


def write_basic(tmp_path: Path, frame: pl.DataFrame):
    return write_request("dais", "basic", frame, tmp_path / "req.dat", municipality_kana="ｼﾝｼﾞﾕｸｸ", **COMMON)


@pytest.mark.parametrize("bad", ["ﾔﾏﾀﾞ ﾀﾛｳ!", "ヤマダ タロウ", "yamada", "ﾔﾏﾀﾞ　ﾀﾛｳ"])
def test_c_field_refuses_other_characters(tmp_path: Path, bad: str) -> None:
    frame = pl.concat([basic_request_frame(), basic_request_frame(name_kana=[bad], inquiry_id=["R2"])])
    with pytest.raises(WriteError) as exc:
        write_basic(tmp_path, frame)
    assert exc.value.row == 1 and "カナ氏名" in (exc.value.field or "")
    assert not (tmp_path / "req.dat").exists()
    assert list(tmp_path.iterdir()) == []  # no temporary file left either


def test_inquiry_id_too_long_is_an_error_not_a_truncation(tmp_path: Path) -> None:
    with pytest.raises(WriteError, match="照会番号"):
        write_basic(tmp_path, basic_request_frame(inquiry_id=["X" * 21]))


def test_n_field_overflow_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(WriteError, match="金融機関コード"):
        write_basic(tmp_path, basic_request_frame(bank_code=["12345"]))


def test_unencodable_character_names_row_and_field(tmp_path: Path) -> None:
    with pytest.raises(WriteError, match="住所") as exc:
        write_basic(tmp_path, basic_request_frame(address=["東京都𠮷野町"]))  # U+20BB7 has no cp932 code
    assert exc.value.row == 0


def test_more_than_10000_inquiries_refused(tmp_path: Path) -> None:
    frame = basic_request_frame()
    big = frame.select(pl.all().repeat_by(10_001).explode())
    with pytest.raises(WriteError, match="10000"):
        write_basic(tmp_path, big)


def test_other_names_first_is_written(tmp_path: Path) -> None:
    res = write_basic(tmp_path, basic_request_frame(other_names_kana=["ｽｽﾞｷ ﾀﾛｳ;ｻﾄｳ ﾀﾛｳ"]))
    assert read_file(res.path).rows["other_names_kana"].to_list() == ["ｽｽﾞｷ ﾀﾛｳ"]


K_CHARS = "山田髙橋﨑ABC123ｱｲｳ　－"


@settings(max_examples=60, deadline=None)
@given(st.text(K_CHARS, min_size=0, max_size=45))
def test_k_truncation_never_splits_a_character_and_is_reported(tmp_path_factory: pytest.TempPathFactory, name: str) -> None:
    tmp = tmp_path_factory.mktemp("k")
    res = write_basic(tmp, basic_request_frame(name_kanji=[name]))
    record = res.path.read_bytes()[REC : 2 * REC]
    field = record[68:108]  # 漢字氏名 K40
    written = field.decode("cp932")  # decodes: no half character left
    original_bytes = len(name.encode("cp932"))
    kept = written.rstrip(" ") if original_bytes > 40 else written[: len(name)]
    assert name.startswith(kept)
    if original_bytes > 40:
        assert res.truncations.to_dicts() == [{"row": 0, "field": "name_kanji", "original": name, "written": kept}]
        next_char = name[len(kept)]
        assert len(kept.encode("cp932")) + len(next_char.encode("cp932")) > 40  # nothing more would fit
    else:
        assert res.truncations.height == 0 and kept == name
