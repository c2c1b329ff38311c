"""Hostile office inputs: the three CSV readers and ``prepare`` never crash, never drop a row silently.

Bytes from nowhere and structured mutations of valid files — wrong
encodings, cut records, stray quotes, bad dates and codes, huge fields,
spreadsheet formulas in names — must end either in
:class:`formats.errors.FileRejected` (file and line) or in a table where
``rows_read == rows.height + rejects.height``. Through the real ``prepare``:
exit 0, 1 or 2 with a message, never a traceback or an internal error.

Any CSV the project writes (rejects, paper list, matches.csv) never starts a
cell with a formula character: a name ``=HYPERLINK(...)`` typed into the
core system must not become a live link in Excel.
"""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from formats.errors import FileRejected
from formats.inputs import InputTable, read_institutions, read_master, read_payments
from tests.inquiry._fixtures import (
    INSTITUTIONS,
    OFFICE,
    OFFICE_ARGS,
    answer_outbox,
    cli,
    mark_sent,
    write_office,
)

FUZZ = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

FORMULAS = ['=HYPERLINK("http://x")', "=1+2", "+SUM(A1)", "-2+3", "@cmd", '=HYPERLINK("http://x","クリック")']
HOSTILE_TEXT = st.one_of(
    st.sampled_from(FORMULAS + ["", " ", '"', '""', ",", "\r", "\n", "\x00", "\ufeff", "㍻", "髙﨑", "ﾔﾏﾀﾞ ﾀﾛｳ", "やまだ たろう"]),
    st.text(max_size=12),
    st.integers(1, 200_000).map(lambda n: "あ" * n),
)
DATES = st.one_of(
    st.sampled_from(["1970-01-01", "S45.3.12", "昭和45年3月12日", "3450312", "H元.1.8", "平成元年1月8日", "19700312", "1970/3/12"]),
    st.sampled_from(["2026-02-30", "S99.99.99", "令和99年1月1日", "0000-00-00", "9999999", "H0.1.1", "1970-13-01", "明日", ""]),
    st.text(max_size=10),
)
CODES = st.one_of(st.sampled_from(["0001", "0005", "9900", "0009", "1", "00001", "abcd", "０００１", "", "0001;0005", "0001;;x"]), st.text(max_size=6))
IDS = st.one_of(st.sampled_from(["A1", "A1", "P001", "", "=1+2", "x" * 16, "あ", "P 1"]), st.text(max_size=16))


def _quote(value: str) -> str:
    return '"' + value.replace('"', '""') + '"' if any(c in value for c in ',"\r\n') else value


@st.composite
def csv_files(draw: st.DrawFn, header: list[str], cells: dict[str, st.SearchStrategy[str]]) -> bytes:
    """A CSV with some header columns, hostile cells, then mangled as a file can be."""
    cols = draw(st.lists(st.sampled_from(header), min_size=1, max_size=len(header), unique=True)) if draw(st.booleans()) else header
    rows = draw(st.lists(st.tuples(*[cells.get(c, HOSTILE_TEXT) for c in cols]), max_size=8))
    line_end = draw(st.sampled_from(["\r\n", "\n", "\r"]))
    text = line_end.join([",".join(cols), *(",".join(_quote(v) for v in row) for row in rows)]) + draw(st.sampled_from([line_end, "", line_end * 3]))
    if draw(st.booleans()):
        text = "\ufeff" + text
    encoding = draw(st.sampled_from(["utf-8", "cp932", "utf-16", "euc-jp", "latin-1"]))
    data = text.encode(encoding, errors="replace" if encoding != "utf-16" else "surrogatepass")
    mangle = draw(st.sampled_from(["none", "cut", "quote", "nul", "bytes"]))
    if mangle == "cut" and data:
        data = data[: draw(st.integers(0, len(data)))]
    elif mangle == "quote" and data:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + b'"' + data[at:]
    elif mangle == "nul" and data:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + b"\x00\xff\xfe" + data[at:]
    elif mangle == "bytes":
        data = draw(st.binary(max_size=300))
    return data


MASTER_HEADER = ["person_id", "name_kanji", "name_kana", "other_names_kana", "birth_date", "sex", "postal_code", "address",
                 "address_history", "arrears_yen", "fiscal_class", "staff_code", "target_banks", "宛名番号", "氏名", "余分な列"]  # fmt: skip
MASTER_CELLS = {"person_id": IDS, "宛名番号": IDS, "birth_date": DATES, "target_banks": CODES, "sex": st.sampled_from(["1", "2", "男", "F", "3", "", "x"])}
INSTITUTION_HEADER = ["bank_code", "name", "provider", "default_target", "requires_address", "金融機関コード"]
INSTITUTION_CELLS = {"bank_code": CODES, "金融機関コード": CODES, "provider": st.sampled_from(["dais", "pipitlinq", "paper", "DAIS", "fax", ""]), "default_target": st.sampled_from(["1", "0", "", "yes", "2"])}
PAYMENT_HEADER = ["person_id", "paid_on", "amount_yen", "宛名番号", "納付日", "納付額"]
PAYMENT_CELLS = {"person_id": IDS, "paid_on": DATES, "納付日": DATES, "amount_yen": st.sampled_from(["1000", "1,000", "１０００", "-5", "1e3", "", "99999999999999999999"])}


def _accounts_for_every_row(read: Callable[[Path], InputTable], data: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "input.csv"
        path.write_bytes(data)
        try:
            table = read(path)
        except FileRejected as exc:
            assert exc.reason and str(path) in str(exc)
            return
    assert table.rows_read == table.rows.height + table.rejects.height
    rejected_lines = set(table.rejects["line"].to_list())
    assert not rejected_lines & set(table.rows["line"].to_list()), "a row both accepted and rejected"
    assert table.rejects["reason"].null_count() == 0 and (table.rejects["reason"].str.len_chars() > 0).all()
    assert "Traceback" not in "".join(table.rejects["reason"].to_list())


@FUZZ
@given(csv_files(MASTER_HEADER, MASTER_CELLS))
def test_master_reader(data: bytes) -> None:
    _accounts_for_every_row(read_master, data)


@FUZZ
@given(csv_files(INSTITUTION_HEADER, INSTITUTION_CELLS))
def test_institutions_reader(data: bytes) -> None:
    _accounts_for_every_row(read_institutions, data)


@FUZZ
@given(csv_files(PAYMENT_HEADER, PAYMENT_CELLS))
def test_payments_reader(data: bytes) -> None:
    _accounts_for_every_row(read_payments, data)


@settings(max_examples=80, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_as_any_input(data: bytes) -> None:
    for read in (read_master, read_institutions, read_payments):
        _accounts_for_every_row(read, data)


@pytest.fixture(scope="module")
def fresh_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fresh")
    code, out = cli("init", "--home", root / "ws", *OFFICE_ARGS)
    assert code == 0, out
    (root / "institutions.csv").write_text(INSTITUTIONS, encoding="utf-8")
    return root


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(csv_files(MASTER_HEADER, MASTER_CELLS))
def test_prepare_never_shows_a_traceback(fresh_workspace: Path, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        home = Path(shutil.copytree(fresh_workspace / "ws", Path(d) / "ws"))
        (Path(d) / "master.csv").write_bytes(data)
        code, out = cli("prepare", "--home", home, "--master", Path(d) / "master.csv", "--institutions", fresh_workspace / "institutions.csv")
        assert code in (0, 1, 2), out
        assert "Traceback" not in out and "内部エラー" not in out, out
        assert list((home / "logs").glob("error-*")) == [], out  # no internal error (audit.log holds the trail's heads)
        if code == 2:
            assert "nothing was committed" in out and "master.csv" in out
            assert [p for p in (home / "outbox").iterdir()] == []
        else:
            assert "rows" in out and "accepted" in out


# -- CSV injection ------------------------------------------------------------------
def _cells(path: Path) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))) for cell in row]


def _live_formulas(cells: list[str]) -> list[str]:
    """Cells Excel would evaluate: starting with = + @ (or - not followed by a plain number)."""

    def number(text: str) -> bool:
        try:
            float(text)
            return True
        except ValueError:
            return False

    return [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r") or (c[:1] == "-" and not number(c))]


def test_formula_names_never_start_a_cell(tmp_path: Path) -> None:
    office = write_office(tmp_path / "office")
    hostile = (
        "person_id,name_kanji,name_kana,birth_date,address,target_banks\r\n"
        + "".join(f"{p.person_id},{p.name_kanji},{p.name_kana},{p.birth_date},{p.address},\r\n" for p in OFFICE)
        + '=1+2,山田 太郎,ヤマダ タロウ,1970-01-01,東京都新宿区1-1,\r\n'  # bad id: rejects file
        + '"Q1","=HYPERLINK(""http://x"") 太郎",ヤマダ タロウ,1970-01-01,東京都新宿区2-2,0009\r\n'  # paper list
        + 'Q2,山田 花子,ヤマダ ハナコ,1971-02-03,"=HYPERLINK(""http://x"")",0001\r\n'  # address echoed by the bank
        + 'Q3,@SUM(1) 次郎,"=HYPERLINK(""http://x"")",1970-01-01,東京都,0001\r\n'  # kana that is a formula: rejected
        + 'Q4,-2+3 三郎,+ミ サブロウ,1970-01-01,-1+1,0001\r\n'
    )
    office["master"].write_text(hostile, encoding="utf-8")
    home = tmp_path / "ws"
    assert cli("init", "--home", home, *OFFICE_ARGS)[0] == 0
    code, out = cli("prepare", "--home", home, "--master", office["master"], "--institutions", office["institutions"])
    assert code == 1, out
    answer_outbox(home)
    mark_sent(home)
    assert cli("ingest", "--home", home)[0] == 0
    assert cli("match", "--home", home)[0] == 0
    assert cli("export", "matches", "--home", home, "--out", home / "reports" / "matches.csv")[0] == 0
    written = sorted((home / "reports").glob("*.csv"))
    kinds = {p.name.split("-")[0].split(".")[0] for p in written}
    assert {"rejects", "paper", "matches"} <= kinds, written
    seen = []
    for path in written:
        cells = _cells(path)
        assert _live_formulas(cells) == [], f"{path.name}: formula cells {_live_formulas(cells)}"
        seen += [c for c in cells if "HYPERLINK" in c]
    assert seen
    assert any(c.startswith("'=HYPERLINK") for c in seen)  # the paper list and matches.csv did carry them
