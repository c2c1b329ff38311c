"""Every DAIS field sits at the byte offset of the spec tables (spec/formats.md).

The offsets here are computed from the spec's (field, width) tables copied by
hand, independently of formats/layouts/dais.toml, so that an edit of the
layout that shifts a field is caught. Each expected value is written out as
the bytes a bank would see.
"""

from __future__ import annotations

import datetime as dt
from itertools import accumulate
from pathlib import Path

import polars as pl
import pytest

from formats import write_request, write_response

D = dt.date

# (label, width, expected bytes) in spec order
REQUEST_HEADER = [
    ("データ区分", 1, b"1"),
    ("種別", 2, b"51"),
    ("照会機関コード", 6, b"131041"),
    ("照会機関名", 40, "ｼﾝｼﾞﾕｸｸ".encode("cp932").ljust(40)),
    ("作成日", 8, b"20261123"),
    ("ファイル通番", 4, b"0003"),
    ("ダミー", 239, b" " * 239),
]
REQUEST_BASIC = [
    ("データ区分", 1, b"2"),
    ("照会番号", 20, b"Q2026-000001".ljust(20)),
    ("金融機関コード", 4, b"0005"),
    ("支店コード", 3, b"000"),
    ("カナ氏名", 40, "ﾔﾏﾀﾞ ﾀﾛｳ".encode("cp932").ljust(40)),
    ("漢字氏名", 40, "山田　太郎".encode("cp932").ljust(40)),
    ("生年月日", 8, b"19700312"),
    ("性別", 1, b"1"),
    ("郵便番号", 7, b"1600022"),
    ("住所", 100, "東京都新宿区新宿１－１".encode("cp932").ljust(100)),
    ("旧氏名カナ", 40, "ｽｽﾞｷ ﾀﾛｳ".encode("cp932").ljust(40)),
    ("照会基準日", 8, b"20261101"),
    ("ダミー", 28, b" " * 28),
]
REQUEST_HISTORY = [
    ("データ区分", 1, b"2"),
    ("照会番号", 20, b"H2026-000009".ljust(20)),
    ("金融機関コード", 4, b"0009"),
    ("支店コード", 3, b"123"),
    ("預金種目", 1, b"2"),
    ("口座番号", 7, b"0012345"),
    ("名義人カナ", 40, "ﾔﾏﾀﾞ ﾀﾛｳ".encode("cp932").ljust(40)),
    ("照会期間自", 8, b"20250101"),
    ("照会期間至", 8, b"20251231"),
    ("元照会番号", 20, b"Q2026-000001".ljust(20)),
    ("ダミー", 188, b" " * 188),
]
REQUEST_TRAILER = [("データ区分", 1, b"8"), ("件数", 6, b"000001"), ("ダミー", 293, b" " * 293)]
END = [("データ区分", 1, b"9"), ("ダミー", 299, b" " * 299)]
RESPONSE_HEADER = [
    ("データ区分", 1, b"1"),
    ("種別", 2, b"61"),
    ("照会機関コード", 6, b"131041"),
    ("作成日", 8, b"20261123"),
    ("ファイル通番", 4, b"0003"),
    ("ダミー", 279, b" " * 279),
]
RESPONSE_BASIC = [
    ("データ区分", 1, b"2"),
    ("照会番号", 20, b"Q2026-000001".ljust(20)),
    ("回答区分", 1, b"1"),
    ("明細番号", 3, b"002"),
    ("金融機関コード", 4, b"0005"),
    ("支店コード", 3, b"041"),
    ("預金種目", 1, b"1"),
    ("口座番号", 7, b"7654321"),
    ("名義人カナ", 40, "ﾔﾏﾀﾞ ﾀﾛｳ".encode("cp932").ljust(40)),
    ("名義人生年月日", 8, b"00000000"),
    ("届出住所", 100, "大阪府大阪市北区".encode("cp932").ljust(100)),
    ("残高符号", 1, b"-"),
    ("残高", 12, b"000000012345"),
    ("残高基準日", 8, b"20261031"),
    ("開設日", 8, b"19990401"),
    ("最終取引日", 8, b"20261030"),
    ("口座状態", 1, b"3"),
    ("照会不能理由", 20, b" " * 20),
    ("ダミー", 54, b" " * 54),
]
RESPONSE_HISTORY = [
    ("データ区分", 1, b"2"),
    ("照会番号", 20, b"H2026-000009".ljust(20)),
    ("回答区分", 1, b"1"),
    ("金融機関コード", 4, b"0009"),
    ("支店コード", 3, b"123"),
    ("預金種目", 1, b"2"),
    ("口座番号", 7, b"0012345"),
    ("明細番号", 5, b"00017"),
    ("取引日", 8, b"20250315"),
    ("摘要", 30, "ｷﾕｳﾖ ｶ)ﾆｼｼﾝｼﾞﾕｸｼﾖｳｼﾞ".encode("cp932").ljust(30)),
    ("出金額", 12, b"000000000000"),
    ("入金額", 12, b"000000250000"),
    ("残高符号", 1, b" "),
    ("残高", 12, b"000000300000"),
    ("ダミー", 183, b" " * 183),
]
RESPONSE_TRAILER_BASIC = [
    ("データ区分", 1, b"8"),
    ("件数", 6, b"000001"),
    ("該当件数", 6, b"000001"),
    ("残高合計符号", 1, b"-"),
    ("残高合計", 15, b"000000000012345"),
    ("ダミー", 271, b" " * 271),
]


def check(record: bytes, table: list[tuple[str, int, bytes]]) -> None:
    widths = [w for _, w, _ in table]
    assert sum(widths) == 300, "the spec table itself must add up to 300"
    assert len(record) == 302 and record.endswith(b"\r\n")
    for (label, width, expected), offset in zip(table, [0, *accumulate(widths)]):
        assert record[offset : offset + width] == expected, f"{label} at offset {offset}"


def records(path: Path) -> list[bytes]:
    data = path.read_bytes()
    return [data[i : i + 302] for i in range(0, len(data), 302)]


COMMON = {"municipality_code": "131041", "created_on": D(2026, 11, 23), "seq": 3}


def test_request_basic_offsets(tmp_path: Path) -> None:
    frame = pl.DataFrame(
        {
            "inquiry_id": ["Q2026-000001"], "bank_code": ["0005"], "branch_code": [None],
            "name_kana": ["ﾔﾏﾀﾞ ﾀﾛｳ"], "name_kanji": ["山田　太郎"], "birth_date": [D(1970, 3, 12)],
            "sex": [1], "postal_code": ["1600022"], "address": ["東京都新宿区新宿１－１"],
            "other_names_kana": ["ｽｽﾞｷ ﾀﾛｳ;ｻﾄｳ ﾀﾛｳ"], "as_of": [D(2026, 11, 1)],
        }
    )  # fmt: skip
    res = write_request("dais", "basic", frame, tmp_path / "r.dat", municipality_kana="ｼﾝｼﾞﾕｸｸ", **COMMON)
    head, data, trailer, end = records(res.path)
    check(head, REQUEST_HEADER)
    check(data, REQUEST_BASIC)
    check(trailer, REQUEST_TRAILER)
    check(end, END)


def test_request_history_offsets(tmp_path: Path) -> None:
    frame = pl.DataFrame(
        {
            "inquiry_id": ["H2026-000009"], "bank_code": ["0009"], "branch_code": ["123"], "account_type": [2],
            "account_number": ["12345"], "holder_kana": ["ﾔﾏﾀﾞ ﾀﾛｳ"], "period_from": [D(2025, 1, 1)],
            "period_to": [D(2025, 12, 31)], "origin_inquiry_id": ["Q2026-000001"],
        }
    )  # fmt: skip
    res = write_request("dais", "history", frame, tmp_path / "h.dat", municipality_kana="ｼﾝｼﾞﾕｸｸ", **COMMON)
    head, data, trailer, end = records(res.path)
    assert head[1:3] == b"52"
    check(data, REQUEST_HISTORY)
    check(trailer, REQUEST_TRAILER)
    check(end, END)


def test_response_basic_offsets(tmp_path: Path) -> None:
    frame = pl.DataFrame(
        {
            "inquiry_id": ["Q2026-000001"], "answer": ["found"], "detail_no": [2], "bank_code": ["0005"],
            "branch_code": ["041"], "account_type": [1], "account_number": ["7654321"], "holder_kana": ["ﾔﾏﾀﾞ ﾀﾛｳ"],
            "holder_birth_date": [None], "holder_address": ["大阪府大阪市北区"], "balance_yen": [-12345],
            "balance_date": [D(2026, 10, 31)], "opened_on": [D(1999, 4, 1)], "last_activity": [D(2026, 10, 30)],
            "account_status": ["支払停止"], "unable_reason": [None],
        },
        schema_overrides={"holder_birth_date": pl.Date},
    )  # fmt: skip
    res = write_response("dais", "basic", frame, tmp_path / "a.dat", **COMMON)
    head, data, trailer, end = records(res.path)
    check(head, RESPONSE_HEADER)
    check(data, RESPONSE_BASIC)
    check(trailer, RESPONSE_TRAILER_BASIC)
    check(end, END)


def test_response_history_offsets(tmp_path: Path) -> None:
    frame = pl.DataFrame(
        {
            "inquiry_id": ["H2026-000009"], "answer": ["found"], "bank_code": ["0009"], "branch_code": ["123"],
            "account_type": [2], "account_number": ["0012345"], "detail_no": [17], "tx_date": [D(2025, 3, 15)],
            "description": ["ｷﾕｳﾖ ｶ)ﾆｼｼﾝｼﾞﾕｸｼﾖｳｼﾞ"], "withdrawal_yen": [0], "deposit_yen": [250000],
            "balance_yen": [300000],
        }
    )  # fmt: skip
    res = write_response("dais", "history", frame, tmp_path / "t.dat", **COMMON)
    head, data, trailer, end = records(res.path)
    assert head[1:3] == b"62"
    check(data, RESPONSE_HISTORY)
    # history trailer: 件数, 該当件数 = transactions, 残高合計 zeros
    assert trailer[:14] == b"8000001000001 " and trailer[14:29] == b"0" * 15


@pytest.mark.parametrize("table", [REQUEST_BASIC, REQUEST_HISTORY, RESPONSE_BASIC, RESPONSE_HISTORY])
def test_layout_widths_match_spec(table: list[tuple[str, int, bytes]]) -> None:
    """The shipped layout lists the spec's fields with the spec's widths, in order."""
    from formats._layout import load_dais

    layout = load_dais()
    by_labels = {tuple((f.label, f.width) for f in r.fields): name for name, r in layout.records.items()}
    assert tuple((label, width) for label, width, _ in table) in by_labels
