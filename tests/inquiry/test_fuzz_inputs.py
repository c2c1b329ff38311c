"""Hostile office inputs: the three CSV readers and ``prepare`` never crash, never drop a row silently.

Bytes from nowhere and structured mutations of valid files — wrong
encodings, cut records, stray quotes, bad dates and codes, huge fields,
spreadsheet formulas in names — must end either in
:class:`formats.errors.FileRejected` (file and line) or in a table where
``rows_read == rows.height + rejects.height``. Through the real ``prepare``:
exit 0, 1 or 2 with a message, never a traceback or an internal error.

Control and invisible characters (NUL, ``\x1f``, U+FEFF, U+2028, bidi
marks), quoted line breaks and cells over the field limit are mixed in: each
must end as a cleaned value or a reject, never as a crash or a silent drop.
A few hundred cases per reader run in CI; ``INQUIRY_SLOW_TESTS=1`` runs
thousands (``-m slow``).

Any CSV the project writes (rejects, paper list, matches.csv) never starts a
cell with a formula character: a name ``=HYPERLINK(...)`` typed into the
core system must not become a live link in Excel.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from formats import CONTROL_CHARS, INVISIBLE, LINE_LIKE
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

_HEALTH = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large]
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=_HEALTH)
#: thousands of cases per reader, for a long run: INQUIRY_SLOW_TESTS=1
FUZZ_SLOW = settings(max_examples=3000, deadline=None, suppress_health_check=_HEALTH)
slow = pytest.mark.skipif(not os.environ.get("INQUIRY_SLOW_TESTS"), reason="thousands of fuzz cases: set INQUIRY_SLOW_TESTS=1")

FORMULAS = ['=HYPERLINK("http://x")', "=1+2", "+SUM(A1)", "-2+3", "@cmd", '=HYPERLINK("http://x","クリック")', "＝HYPERLINK(1)", " =1+2", "\u3000＠x"]
#: control, invisible and line-like characters (the one rule of formats._text)
ODD_CHARS = ["\x00", "\x1f", "\x07", "\x7f", "\x85", "\x9b", "\ufeff", "\u200b", "\u200d", "\u202e", "\u2066", "\u2028", "\u2029", "\t", "\r\n", "\x0b"]
HOSTILE_TEXT = st.one_of(
    st.sampled_from(FORMULAS + ["", " ", '"', '""', ",", "\r", "\n", "\x00", "\ufeff", "㍻", "髙﨑", "ﾔﾏﾀﾞ ﾀﾛｳ", "やまだ たろう"]),
    st.text(max_size=12),
    st.tuples(st.sampled_from(["山田", "東京都新宿区", "A1", ""]), st.sampled_from(ODD_CHARS), st.sampled_from(["太郎", "1-2-3", ""])).map("".join),
    st.sampled_from([999, 1000, 1001, 3000, 3001]).map(lambda n: "東" * n if n < 2000 else "a" * n),  # around the 3,000-byte field limit
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
    mangle = draw(st.sampled_from(["none", "cut", "quote", "nul", "odd", "bytes"]))
    if mangle == "cut" and data:
        data = data[: draw(st.integers(0, len(data)))]
    elif mangle == "quote" and data:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + b'"' + data[at:]
    elif mangle == "nul" and data:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + b"\x00\xff\xfe" + data[at:]
    elif mangle == "odd" and data:  # a control or invisible character anywhere, even in the header or a quote
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from(ODD_CHARS)).encode("utf-8") + data[at:]
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


_ODD = f"{CONTROL_CHARS}|{INVISIBLE}|{LINE_LIKE}"


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
    texts = [pl.col(c).list.join("|") if isinstance(t, pl.List) else pl.col(c) for c, t in table.rows.schema.items() if t in (pl.Utf8, pl.List(pl.Utf8))]
    odd = table.rows.select([e.str.contains(_ODD).any() for e in texts]).row(0) if texts else ()
    assert not any(odd), "an accepted value kept a control, invisible or line-break character"


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


ODD_TEXT = st.lists(st.one_of(st.sampled_from(ODD_CHARS), st.sampled_from(["山田", "太郎", "東京都", "1-2", "S01", " ", "\u3000", '"', ","])), min_size=1, max_size=6).map("".join)
#: the rule of docs/decisions.md, written again independently of formats._text
_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f\x80-\x84\x86-\x9f]")
_INVISIBLE_RE = re.compile("[\xad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]")
_LINE_LIKE_RE = re.compile("[\t\n\x0b\x0c\r\x85\u2028\u2029]+")


def _as_read(value: str) -> str:
    return _LINE_LIKE_RE.sub(" ", _INVISIBLE_RE.sub("", value)).strip()


@FUZZ
@given(st.lists(st.tuples(ODD_TEXT, ODD_TEXT, ODD_TEXT), min_size=1, max_size=6))
def test_odd_characters_in_otherwise_valid_master_rows(cells: list[tuple[str, str, str]]) -> None:
    """Exactly the rows with a control character (or a name left empty) are rejected; the others are read cleaned."""
    rows = [f"P{i},{_quote(name)},{_quote(address)},{_quote(staff)},1970-01-01" for i, (name, address, staff) in enumerate(cells)]
    data = ("\r\n".join(["person_id,name_kanji,address,staff_code,birth_date", *rows]) + "\r\n").encode("utf-8")
    _accounts_for_every_row(read_master, data)
    with tempfile.TemporaryDirectory() as d:
        (Path(d) / "m.csv").write_bytes(data)
        table = read_master(Path(d) / "m.csv")
    expected = {
        f"P{i}": tuple(_as_read(v) or None for v in row)
        for i, row in enumerate(cells)
        if not any(_CONTROL_RE.search(v) for v in row) and _as_read(row[0])
    }
    got = {r["person_id"]: (r["name_kanji"], r["address"], r["staff_code"]) for r in table.rows.iter_rows(named=True)}
    # name_kanji is stored with the full-width space made half-width (read_master)
    assert got == {k: (v[0].replace("\u3000", " ") if v[0] else v[0], v[1], v[2]) for k, v in expected.items()}


@slow
@pytest.mark.slow
@FUZZ_SLOW
@given(csv_files(MASTER_HEADER, MASTER_CELLS))
def test_master_reader_thousands(data: bytes) -> None:
    _accounts_for_every_row(read_master, data)


@slow
@pytest.mark.slow
@FUZZ_SLOW
@given(csv_files(INSTITUTION_HEADER, INSTITUTION_CELLS))
def test_institutions_reader_thousands(data: bytes) -> None:
    _accounts_for_every_row(read_institutions, data)


@slow
@pytest.mark.slow
@FUZZ_SLOW
@given(csv_files(PAYMENT_HEADER, PAYMENT_CELLS))
def test_payments_reader_thousands(data: bytes) -> None:
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


def _rejects_by_file(home: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    for path in (home / "reports").glob("rejects-*.csv"):
        for row in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))):
            counts[Path(row["file"]).name] = counts.get(Path(row["file"]).name, 0) + 1
    return counts


def _stored_count(home: Path, table: str) -> int:
    import sqlite3

    con = sqlite3.connect(home / "store.sqlite3")
    try:
        return int(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        con.close()


def _prepare_accounts_for_every_row(fresh_workspace: Path, master: bytes, institutions: bytes | None, payments: bytes | None) -> None:
    """``prepare`` on these inputs: exit 0/1/2, never a traceback; every row read is a person or a line in the rejects file."""
    with tempfile.TemporaryDirectory() as d:
        home = Path(shutil.copytree(fresh_workspace / "ws", Path(d) / "ws"))
        (Path(d) / "master.csv").write_bytes(master)
        inst = fresh_workspace / "institutions.csv"
        if institutions is not None:
            inst = Path(d) / "institutions.csv"
            inst.write_bytes(institutions)
        args = ["prepare", "--home", home, "--master", Path(d) / "master.csv", "--institutions", inst]
        if payments is not None:
            (Path(d) / "payments.csv").write_bytes(payments)
            args += ["--payments", Path(d) / "payments.csv"]
        code, out = cli(*args)
        assert code in (0, 1, 2), out
        assert "Traceback" not in out and "内部エラー" not in out, out
        assert list((home / "logs").glob("error-*")) == [], out  # no internal error (audit.log holds the trail's heads)
        if code == 2:
            assert "nothing was committed" in out and any(n in out for n in ("master.csv", "institutions.csv", "payments.csv")), out
            assert [p for p in (home / "outbox").iterdir()] == []
            return
        assert "rows" in out and "accepted" in out
        rejected = _rejects_by_file(home)
        read = int(out.split("rows_read (master) │")[1].split("│")[0].replace(",", ""))
        assert read == _stored_count(home, "persons") + rejected.get("master.csv", 0), out
        if payments is not None:
            paid = int(out.split("payments_read │")[1].split("│")[0].replace(",", ""))
            assert paid == _stored_count(home, "payments") + rejected.get("payments.csv", 0), out


@settings(max_examples=40, deadline=None, suppress_health_check=_HEALTH)
@given(csv_files(MASTER_HEADER, MASTER_CELLS))
def test_prepare_never_shows_a_traceback(fresh_workspace: Path, data: bytes) -> None:
    _prepare_accounts_for_every_row(fresh_workspace, data, None, None)


OFFICE_MASTER = ("person_id,name_kanji,name_kana,birth_date,address\n" + "".join(f"{p.person_id},{p.name_kanji},{p.name_kana},{p.birth_date},{p.address}\n" for p in OFFICE)).encode()


@settings(max_examples=30, deadline=None, suppress_health_check=_HEALTH)
@given(csv_files(INSTITUTION_HEADER, INSTITUTION_CELLS), csv_files(PAYMENT_HEADER, PAYMENT_CELLS))
def test_prepare_with_hostile_institutions_and_payments(fresh_workspace: Path, institutions: bytes, payments: bytes) -> None:
    _prepare_accounts_for_every_row(fresh_workspace, OFFICE_MASTER, institutions, payments)


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
