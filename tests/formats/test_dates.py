"""Every birth-date notation of inputs.md, and the era boundaries."""

import datetime as dt

import polars as pl
import pytest

from formats.dates import date_to_wareki7, date_to_yyyymmdd, parse_date, wareki7_to_date, yyyymmdd_to_date

D = dt.date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1970-03-12", D(1970, 3, 12)),
        ("1970/3/12", D(1970, 3, 12)),
        ("19700312", D(1970, 3, 12)),
        ("昭和45年3月12日", D(1970, 3, 12)),
        ("S45.3.12", D(1970, 3, 12)),
        ("s45.3.12", D(1970, 3, 12)),
        ("3450312", D(1970, 3, 12)),
        ("平成元年1月8日", D(1989, 1, 8)),
        ("H元.1.8", D(1989, 1, 8)),
        ("令和元年5月1日", D(2019, 5, 1)),
        ("昭和64年1月7日", D(1989, 1, 7)),
        ("大正15年12月24日", D(1926, 12, 24)),
        ("明治45年7月29日", D(1912, 7, 29)),
        ("Ｓ４５．３．１２", D(1970, 3, 12)),
        (" 1970-03-12 ", D(1970, 3, 12)),
        # invalid: outside its era, impossible day, garbage, empty
        ("平成31年5月1日", None),
        ("昭和64年1月8日", None),
        ("大正15年12月25日", None),
        ("平成0年1月1日", None),
        ("2001-02-29", None),
        ("1970-13-01", None),
        ("4310501", None),
        ("yesterday", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_date_notations(text: str | None, expected: dt.date | None) -> None:
    out = pl.DataFrame({"s": [text]}, schema={"s": pl.Utf8}).select(parse_date(pl.col("s"))).item()
    assert out == expected


def test_dais_dates_round_trip_and_unknown() -> None:
    df = pl.DataFrame({"d": [D(1970, 3, 12), None]})
    text = df.select(date_to_yyyymmdd(pl.col("d"))).to_series().to_list()
    assert text == ["19700312", "00000000"]
    back = pl.DataFrame({"s": text}).select(yyyymmdd_to_date(pl.col("s"))).to_series().to_list()
    assert back == [D(1970, 3, 12), None]


@pytest.mark.parametrize(
    ("date", "wareki"),
    [
        (D(1970, 3, 12), "3450312"),
        (D(2019, 5, 1), "5010501"),
        (D(2019, 4, 30), "4310430"),
        (D(1989, 1, 7), "3640107"),
        (D(1989, 1, 8), "4010108"),
        (D(1926, 12, 25), "3011225"),
        (None, ""),
    ],
)
def test_wareki7_both_ways(date: dt.date | None, wareki: str) -> None:
    df = pl.DataFrame({"d": [date]}, schema={"d": pl.Date})
    assert df.select(date_to_wareki7(pl.col("d"))).item() == wareki
    back = pl.DataFrame({"s": [wareki]}).select(wareki7_to_date(pl.col("s"))).item()
    assert back == date


def test_wareki7_rejects_date_outside_era() -> None:
    df = pl.DataFrame({"s": ["4310501", "3640108", "9010101"]})
    assert df.select(wareki7_to_date(pl.col("s"))).to_series().to_list() == [None, None, None]
