"""Files are recognised by content: all eight kinds, whatever their name; anything else is refused."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from formats import FileRejected, read_file, read_request, read_response, write_request, write_response
from formats._layout import FRAME_SCHEMAS
from formats._recognise import recognise

KINDS = [(p, d, k) for p in ("dais", "pipitlinq") for d in ("request", "response") for k in ("basic", "history")]
COMMON = {"municipality_code": "131041", "created_on": dt.date(2026, 11, 23), "seq": 1}


def empty_file(tmp_path: Path, provider: str, direction: str, kind: str) -> Path:
    """A file with no data rows: only what identifies its kind is in it."""
    frame = pl.DataFrame(schema=FRAME_SCHEMAS[(direction, kind)])
    path = tmp_path / "renamed.txt"  # the name says nothing
    if direction == "request":
        write_request(provider, kind, frame, path, municipality_kana="ｼﾝｼﾞﾕｸｸ", **COMMON)  # type: ignore[arg-type]
    else:
        write_response(provider, kind, frame, path, **COMMON)  # type: ignore[arg-type]
    return path


@pytest.mark.parametrize(("provider", "direction", "kind"), KINDS)
def test_each_kind_is_recognised(tmp_path: Path, provider: str, direction: str, kind: str) -> None:
    path = empty_file(tmp_path, provider, direction, kind)
    found = recognise(path.read_bytes(), path)
    assert (found.provider, found.direction, found.kind) == (provider, direction, kind)
    parsed = read_file(path)
    assert parsed.rows.height == 0 and parsed.rows_read == 0
    assert parsed.rows.columns == ["line", *FRAME_SCHEMAS[(direction, kind)]]


@pytest.mark.parametrize(("provider", "direction", "kind"), KINDS)
def test_direction_is_enforced(tmp_path: Path, provider: str, direction: str, kind: str) -> None:
    path = empty_file(tmp_path, provider, direction, kind)
    wrong = read_response if direction == "request" else read_request
    with pytest.raises(FileRejected):
        wrong(path)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"hello world\r\n",
        "\ufeff氏名,住所\r\n山田,東京\r\n".encode(),  # a CSV, but not one of pipitLINQ's
        b"1" + b"99" + b" " * 297 + b"\r\n",  # DAIS-like header with an unknown kind
        b"1" + b"61" + b" " * 290 + b"\r\n",  # 種別 right, record too short
        "照会番号,氏名".encode("cp932"),
    ],
)
def test_unrecognised_content_is_rejected_with_a_reason(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "DAIS_REQ_131041_20261123_0001.dat"  # a good name does not help
    path.write_bytes(data)
    with pytest.raises(FileRejected) as exc:
        read_file(path)
    assert exc.value.line == 1 and exc.value.reason
    assert str(exc.value).startswith(str(path))


def test_cp932_csv_is_told_apart(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(",".join(["照会番号", "宛名番号"]).encode("cp932") + b"\r\n")
    with pytest.raises(FileRejected, match="not UTF-8"):
        read_file(path)


def test_missing_file_is_rejected_not_a_traceback(tmp_path: Path) -> None:
    with pytest.raises(FileRejected, match="cannot read"):
        read_file(tmp_path / "absent.dat")
