"""ゆうちょ銀行 記号番号 ⇄ account key form, both 記号 forms, and the reader's conversion."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from formats import account_key, read_file, write_request
from formats.yucho import passbook_account_number, passbook_account_type, passbook_branch, passbook_valid


def convert(symbols: list[str], numbers: list[str]) -> list[tuple]:
    df = pl.DataFrame({"s": symbols, "n": numbers}, schema={"s": pl.Utf8, "n": pl.Utf8})
    s, n = pl.col("s"), pl.col("n")
    return df.select(passbook_valid(s, n), passbook_branch(s), passbook_account_type(s), passbook_account_number(s, n)).rows()


def test_sogo_account_symbol_starting_with_1() -> None:
    """総合口座: 店番 = 記号 2-3桁目 + 8, 普通, 番号 without its last digit."""
    assert convert(["10530"], ["12345671"]) == [(True, "058", 1, "1234567")]


def test_furikae_account_symbol_starting_with_0() -> None:
    """振替口座: 店番 = 記号 2-3桁目 + 9, 当座, 番号 right-aligned to 7 digits."""
    assert convert(["00530"], ["00012345"]) == [(True, "059", 2, "0012345")]
    assert convert(["01230"], ["123"]) == [(True, "129", 2, "0000123")]


@pytest.mark.parametrize(("symbol", "number"), [("20530", "12345671"), ("1053", "12345671"), ("00530", "12345678"), ("10530", "12a45671"), (None, "1")])
def test_invalid_passbooks(symbol: str | None, number: str) -> None:
    assert convert([symbol], [number])[0][0] is False  # type: ignore[list-item]


def test_account_key_form() -> None:
    df = pl.DataFrame({"b": ["0001", "9900"], "br": ["004", "058"], "t": [1, 1], "n": ["1234567", "1234567"]})
    keys = df.select(account_key(pl.col("b"), pl.col("br"), pl.col("t"), pl.col("n"))).to_series().to_list()
    assert keys == ["0001-004-1-1234567", "9900-058-1-1234567"]


def test_reader_converts_and_keeps_passbook(tmp_path: Path) -> None:
    from formats._layout import load_pipitlinq

    header = ",".join(load_pipitlinq().file("response", "basic").labels)
    rows = [
        "Q1,P1,山田　太郎,東京,該当あり,1,9900,ゆうちょ銀行,10530,,普通,12345671,ヤマダ　タロウ,,,5000,5081031,,,通常,",
        "Q1,P1,山田　太郎,東京,該当あり,2,9900,ゆうちょ銀行,00530,,当座,00012345,ヤマダ　タロウ,,,70,5081031,,,通常,",
        "Q2,P2,鈴木　一郎,東京,該当あり,1,0005,みずほ銀行,041,,普通,1234567,スズキ　イチロウ,,,1,5081031,,,通常,",
    ]
    path = tmp_path / "a.csv"
    path.write_bytes(("\ufeff" + "\r\n".join([header, *rows]) + "\r\n").encode())
    got = read_file(path).rows.select("branch_code", "account_type", "account_number", "passbook_symbol", "passbook_number").rows()
    assert got == [
        ("058", 1, "1234567", "10530", "12345671"),
        ("059", 2, "0012345", "00530", "00012345"),
        ("041", 1, "1234567", None, None),
    ]


def test_history_request_uses_passbook_as_given(tmp_path: Path) -> None:
    frame = pl.DataFrame(
        {
            "inquiry_id": ["H1"], "person_id": ["1"], "bank_code": ["9900"], "branch_code": ["10530"], "account_type": [1],
            "account_number": ["12345671"], "holder_kana": ["ヤマダ　タロウ"], "period_from": [dt.date(2025, 1, 1)],
            "period_to": [dt.date(2025, 12, 31)], "origin_inquiry_id": ["Q1"],
        }
    )  # fmt: skip
    res = write_request("pipitlinq", "history", frame, tmp_path / "h.csv", municipality_code="131041",
                        municipality_kana="", created_on=dt.date(2026, 11, 23), seq=1)  # fmt: skip
    line = res.path.read_bytes().decode("utf-8-sig").split("\r\n")[1]
    assert ",9900,10530,普通,12345671," in line
