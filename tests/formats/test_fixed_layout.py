"""Layouts are data, checked when loaded: an office's edit that breaks a record is refused at once."""

from __future__ import annotations

from importlib import resources

import pytest

from formats import LayoutError
from formats._layout import load_dais, load_pipitlinq, parse_csv_layout, parse_fixed_layout

DAIS = resources.files("formats").joinpath("layouts", "dais.toml").read_text(encoding="utf-8")
PIPIT = resources.files("formats").joinpath("layouts", "pipitlinq.toml").read_text(encoding="utf-8")


def test_shipped_layouts_load() -> None:
    dais = load_dais()
    assert {r: rec.width for r, rec in dais.records.items()} == dict.fromkeys(dais.records, 300)
    assert {(f.direction, f.kind, f.kind_code) for f in dais.files.values()} == {
        ("request", "basic", "51"), ("request", "history", "52"), ("response", "basic", "61"), ("response", "history", "62"),
    }  # fmt: skip
    assert len(load_pipitlinq().files) == 4


def test_record_not_adding_up_to_300_is_refused() -> None:
    broken = DAIS.replace('label = "住所", type = "K", width = 100', 'label = "住所", type = "K", width = 120')
    with pytest.raises(LayoutError, match="request_basic: widths add up to 320"):
        parse_fixed_layout(broken)


def test_unknown_code_table_is_refused() -> None:
    broken = DAIS.replace('codes = "account_status"', 'codes = "status"')
    with pytest.raises(LayoutError, match="unknown codes 'status'"):
        parse_fixed_layout(broken)


def test_field_outside_the_frames_is_refused() -> None:
    broken = DAIS.replace('name = "holder_address"', 'name = "holder_addr"')
    with pytest.raises(LayoutError, match="holder_addr"):
        parse_fixed_layout(broken)


def test_two_csv_files_with_the_same_header_are_refused() -> None:
    history = PIPIT.split("[files.request_history]")[1].split("[files.response_basic]")[0]
    duplicated = PIPIT + "\n[files.request_history2]" + history
    with pytest.raises(LayoutError, match="same header row"):
        parse_csv_layout(duplicated)


def test_an_office_can_move_a_field_by_editing_data() -> None:
    """Split a filler in two (a vendor's 予備 field): still 300 bytes, so it loads."""
    edited = DAIS.replace('{ name = "filler", label = "ダミー", type = "C", width = 28 }', '{ name = "filler", label = "ダミー", type = "C", width = 20 },\n  { name = "filler", label = "予備", type = "C", width = 8 }')
    layout = parse_fixed_layout(edited)
    assert [f.width for f in layout.records["request_basic"].fields][-2:] == [20, 8]
