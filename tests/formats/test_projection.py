"""A projected read (``columns=``, ``found_only=``) is the whole read filtered and selected, with the same rejects.

The readers skip decoding what a caller did not ask for (issue #10: ``inquiry
link`` needs 13 columns of the found rows). That is speed only: every row
must still be checked exactly as on a whole read. Hypothesis writes the files
(the generators of test_fast_careful.py: any cells, damaged lines, any bytes in
DAIS fields) and draws the projection; the frame must equal the whole read's
``filter(answer == "found").select(columns)``, and the rejects, ``rows_read``
and any whole-file rejection must be the whole read's.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from formats import FileRejected, read_file, read_request, read_response, write_request, write_response
from formats._csv import read_csv
from formats._fixed import read_fixed
from formats._layout import FRAME_SCHEMAS
from tests.formats.test_fast_careful import BYTES, CSV, CSV_FILE, DAIS, DAIS_BASE, DAIS_FILE, RECORD, csv_files, damaged_csv_files

COLUMNS = ["line", *FRAME_SCHEMAS[("response", "basic")]]
#: what inquiry link keeps of each answer file (inquiry/steps/link.py)
LINK_COLUMNS = [
    "inquiry_id", "person_id", "holder_kana", "holder_birth_date", "holder_address", "bank_code", "branch_code",
    "account_type", "account_number", "balance_yen", "account_status", "last_activity",
]  # fmt: skip

projections = st.tuples(st.one_of(st.none(), st.lists(st.sampled_from(COLUMNS), unique=True, min_size=1, max_size=8), st.just(LINK_COLUMNS)), st.booleans())


def _expected(rows: pl.DataFrame, columns: list[str] | None, found_only: bool) -> pl.DataFrame:
    if found_only:
        rows = rows.filter(pl.col("answer") == "found")
    return rows.select(columns) if columns is not None else rows


def _same(whole: object, projected: object, columns: list[str] | None, found_only: bool) -> None:
    if isinstance(whole, str):
        assert projected == whole
        return
    assert not isinstance(projected, str)
    expected = _expected(whole[0], columns, found_only)
    assert projected[0].equals(expected) and projected[0].schema == expected.schema
    assert projected[1].equals(whole[1]) and projected[1].schema == whole[1].schema
    assert projected[2:] == whole[2:]


def _csv(data: bytes, **kw: object) -> object:
    try:
        got = read_csv(CSV, CSV_FILE, data, "a.csv", **kw)  # type: ignore[arg-type]
    except FileRejected as exc:
        return str(exc)
    return got.rows, got.rejects, got.rows_read


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(csv_files(), damaged_csv_files()), projections, st.booleans())
def test_pipitlinq_projected_read_is_the_whole_read_filtered(data: bytes, projection: tuple[list[str] | None, bool], careful: bool) -> None:
    columns, found_only = projection
    whole = _csv(data, careful=careful)
    _same(whole, _csv(data, careful=careful, columns=columns, found_only=found_only), columns, found_only)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(st.integers(1, 4), st.integers(1, DAIS.record_length - 1), st.sampled_from(BYTES)), max_size=6),
    projections,
    st.booleans(),
)
def test_dais_projected_read_is_the_whole_read_filtered(edits: list[tuple[int, int, bytes]], projection: tuple[list[str] | None, bool], careful: bool) -> None:
    columns, found_only = projection
    data = bytearray(DAIS_BASE)
    for record, at, new in edits:  # any bytes in the data records' fields; lengths kept
        pos = record * RECORD + at
        data[pos : pos + len(new)] = new[: DAIS.record_length - at]
    out = []
    for kw in ({}, {"columns": columns, "found_only": found_only}):
        try:
            got = read_fixed(DAIS, DAIS_FILE, bytes(data), "a.dat", careful=careful, **kw)  # type: ignore[arg-type]
            out.append((got.rows, got.rejects, got.rows_read, got.header, got.trailer))
        except FileRejected as exc:
            out.append(str(exc))
    _same(out[0], out[1], columns, found_only)


def _answers(provider: str) -> pl.DataFrame:
    schema = FRAME_SCHEMAS[("response", "basic")]
    frame = pl.DataFrame(
        {
            "inquiry_id": ["Q1", "Q2", "Q3", "Q4", "Q5"],
            "person_id": ["P1", "P2", "P3", "P4", "P5"],
            "answer": ["found", "none", "found", "unable", "found"],
            "detail_no": [1, 0, 1, 0, 2],
            "bank_code": ["0005"] * 5,
            "branch_code": ["041", None, "123", None, "041"],
            "account_type": [1, 0, 6, 0, 2],
            "account_number": ["1234567", None, "0000001", None, "7654321"],
            "holder_kana": ["ﾔﾏﾀﾞ ﾀﾛｳ", None, "ｽｽﾞｷ ﾊﾅｺ", None, "ﾔﾏﾀﾞ ﾀﾛｳ"] if provider == "dais" else ["ヤマダ タロウ", None, "スズキ ハナコ", None, "ヤマダ タロウ"],
            "holder_birth_date": [dt.date(1970, 3, 12), None, dt.date(2000, 2, 29), None, None],
            "holder_address": ["東京都新宿区西新宿二丁目８番１号", None, "大阪府", None, "東京都"],
            "balance_yen": [1000, None, 0, None, -5],
            "balance_date": [dt.date(2026, 10, 31)] * 5,
            "account_status": ["通常", None, "休眠", None, "通常"],
        }
    )
    return frame.select([pl.col(c).cast(t) if c in frame.columns else pl.lit(None, t).alias(c) for c, t in schema.items()])


def _damage(path: Path, provider: str) -> None:
    """Line 3 (the second answer) unreadable: a letter in the DAIS 明細番号, an unknown pipitLINQ 回答区分."""
    data = bytearray(path.read_bytes())
    if provider == "dais":
        at = 2 * RECORD + 22  # 明細番号 of the second data record (after データ区分 1 + 照会番号 20 + 回答区分 1)
        data[at : at + 1] = b"X"
    else:
        data = bytearray(bytes(data).replace("該当なし".encode(), "不明".encode(), 1))
    path.write_bytes(bytes(data))


def _damaged_answers(tmp_path: Path, provider: str) -> Path:
    """A real basic answer file of ``provider`` with one rejected row (line 3)."""
    path = tmp_path / f"answers.{provider}"
    write_response(provider, "basic", _answers(provider), path, municipality_code="131041", created_on=dt.date(2026, 12, 5), seq=1)  # type: ignore[arg-type]
    _damage(path, provider)
    return path


@pytest.mark.parametrize("provider", ["dais", "pipitlinq"])
def test_read_response_projects_a_real_file_and_keeps_its_rejects(tmp_path: Path, provider: str) -> None:
    path = _damaged_answers(tmp_path, provider)
    whole = read_response(path)
    assert whole.rejects["line"].to_list() == [3] and whole.rows.height == 4
    got = read_response(path, columns=LINK_COLUMNS, found_only=True)
    expected = whole.rows.filter(pl.col("answer") == "found").select(LINK_COLUMNS)
    assert got.rows.equals(expected) and got.rows.schema == expected.schema and got.rows.height == 3
    assert got.rejects.equals(whole.rejects) and got.rows_read == whole.rows_read == 5
    assert got.rows_accepted == whole.rows_accepted == 4 and got.sha256 == whole.sha256
    only = read_response(path, columns=["line", "holder_kana"])
    assert only.rows.equals(whole.rows.select("line", "holder_kana"))


def test_a_projection_names_columns_of_the_frame_and_found_only_reads_answers(tmp_path: Path) -> None:
    path = tmp_path / "answers.dat"
    write_response("dais", "basic", _answers("dais"), path, municipality_code="131041", created_on=dt.date(2026, 12, 5), seq=1)
    with pytest.raises(ValueError, match="nonsense"):
        read_response(path, columns=["inquiry_id", "nonsense"])
    with pytest.raises(ValueError, match="distinct"):
        read_response(path, columns=["inquiry_id", "inquiry_id"])
    with pytest.raises(ValueError, match="at least one"):
        read_response(path, columns=[])
    request = tmp_path / "request.dat"
    frame = pl.DataFrame({"inquiry_id": ["R1"], "bank_code": ["0001"], "name_kana": ["ﾔﾏﾀﾞ ﾀﾛｳ"], "birth_date": [dt.date(1970, 3, 12)]})
    frame = frame.select([pl.col(c).cast(t) if c in frame.columns else pl.lit(None, t).alias(c) for c, t in FRAME_SCHEMAS[("request", "basic")].items()])
    write_request("dais", "basic", frame, request, municipality_code="131041", municipality_kana="ｼﾝｼﾞﾕｸｸ", created_on=dt.date(2026, 12, 5), seq=1)
    with pytest.raises(ValueError, match="found_only reads response files"):
        read_file(request, found_only=True)
    with pytest.raises(FileRejected, match="not a response"):
        read_response(request, found_only=True)
    assert read_request(request).rows.height == 1


def test_invalid_utf8_in_a_column_left_out_is_still_rejected_with_its_line() -> None:
    """Polars is given only the columns asked for, yet must refuse the file's invalid UTF-8 anywhere, so the careful path names it."""
    good = ",".join(["Q1", "P1", "山田", "東京", "該当あり", "1", "0005", "", "041", "", "普通", "1234567", "ﾔﾏﾀﾞ", "", "", "5", "", "", "", "", ""])
    bad = good.replace("Q1", "Q2").encode().replace("山田".encode(), b"\xff\xfe")
    data = b"\xef\xbb\xbf" + ",".join(CSV_FILE.labels).encode() + b"\r\n" + good.encode() + b"\r\n" + bad + b"\r\n"
    whole = _csv(data)
    assert not isinstance(whole, str) and whole[1]["line"].to_list() == [3] and "UTF-8" in whole[1]["reason"][0]
    _same(whole, _csv(data, columns=["line", "inquiry_id"], found_only=True), ["line", "inquiry_id"], True)


@pytest.mark.parametrize("provider", ["dais", "pipitlinq"])
def test_a_read_without_the_digest_is_the_same_read(tmp_path: Path, provider: str) -> None:
    """``digest=False`` (inquiry link records nothing of a file): no SHA-256, and otherwise the very same read."""
    path = _damaged_answers(tmp_path, provider)
    whole = read_response(path)
    assert whole.sha256 is not None and len(whole.sha256) == 64
    for got in (read_response(path, digest=False), read_file(path, digest=False)):
        assert got.sha256 is None
        assert got.rows.equals(whole.rows) and got.rejects.equals(whole.rejects) and got.rows_read == whole.rows_read
    projected = read_response(path, columns=LINK_COLUMNS, found_only=True, digest=False)
    assert projected.sha256 is None and projected.rows.equals(whole.rows.filter(pl.col("answer") == "found").select(LINK_COLUMNS))
