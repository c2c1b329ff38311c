"""A building name written straight after the block number (no 番, no space)."""

import polars as pl
import pytest

from matching.addresses import address_parts


@pytest.mark.parametrize(
    ("address", "town", "block", "building"),
    [
        ("新宿区霞ケ丘町７２レジデンス青葉１０１", "霞ケ丘町", "72", "レジデンス青葉101"),
        ("東京都新宿区霞ケ丘町72番レジデンス青葉101", "霞ケ丘町", "72", "レジデンス青葉101"),
        ("新宿区若松町5グランドメゾン白鷺601号", "若松町", "5", "グランドメゾン白鷺601号"),
        ("新宿区早稲田鶴巻町162ヴィラひかり1008号室", "早稲田鶴巻町", "162", "ヴィラひかり1008号室"),
        ("新宿区西新宿2-8-1新宿ビル3階", "西新宿", "2-8-1", "新宿ビル3階"),
    ],
)
def test_block_then_building_without_separator(address: str, town: str, block: str, building: str) -> None:
    parts = pl.DataFrame({"a": [address]}).select(address_parts(pl.col("a"))).unnest("a").row(0, named=True)
    assert (parts["town"], parts["block"], parts["building"]) == (town, block, building)
