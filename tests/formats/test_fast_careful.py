"""The fast paths of both codecs read every file exactly as the careful paths do.

The fast paths (polars' CSV reader; one cp932 decode per DAIS file, byte
classes, dates and codes from the bytes) exist for speed only: on any file
they must give the same rows, the same rejects (file, line, reason) and the
same whole-file rejection as the careful paths (the line-exact tokeniser;
one decode per column), which are what the spec tests were written against.
Hypothesis writes the files: well-formed CSV whose cells hold anything
(quotes, commas, line breaks, control and invisible characters, values a
column does not accept), and DAIS files whose fields hold any bytes.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from formats import FileRejected
from formats import _fixed as fixed
from formats._csv import _fast_cells, _line_checks, _maybe_special, read_csv
from formats._fixed import _yyyymmdd_days, read_fixed, write_fixed
from formats._layout import FRAME_SCHEMAS, load_dais, load_pipitlinq
from formats._text import SPECIAL
from formats.dates import yyyymmdd_to_date

CSV = load_pipitlinq()
CSV_FILE = CSV.file("response", "basic")
DAIS = load_dais()
DAIS_FILE = DAIS.file("response", "basic")

# ----------------------------------------------------------------- pipitLINQ

#: values each column accepts, so that many generated rows are kept, not only rejected
VALID = {
    "answer": ["該当あり", "該当なし", "照会不能"],
    "detail_no": ["1", "2", "12"],
    "bank_code": ["0005", "9900", "0001"],
    "branch_code": ["041", "10530", "001"],
    "account_type": ["普通", "当座", "定期", ""],
    "account_number": ["1234567", "12345671", "0000001"],
    "holder_birth_date": ["3450312", "4010108", "5010501", "", "2010101"],
    "balance_yen": ["0", "-5", "123456789", ""],
    "balance_date": ["5081031", ""],
    "opened_on": ["4100401", ""],
    "last_activity": ["5081025", ""],
    "account_status": ["通常", "休眠", ""],
}
#: cell text: what real files hold, and what they should not (quotes, commas, line breaks, controls, invisibles)
PIECES = [*'aZ09 -,."', "山", "田", "ヤ", "ﾔ", "ー", "\u3000", "\r\n", "\n", "\t", "\x00", "\x1f", "\x7f", "\u200b", "\ufeff", "\u0085", "\u00ad"]
TEXT = st.lists(st.sampled_from(PIECES), max_size=8).map("".join)
#: what the fast path reads itself (no line break, control or invisible character)
PLAIN = st.lists(st.sampled_from(PIECES[:15]), max_size=8).map("".join)


def _cell(draw: st.DrawFn, name: str, plain: bool) -> str:
    pool = VALID.get(name)
    if pool is not None and draw(st.integers(0, 3)):
        return draw(st.sampled_from(pool))
    return draw(PLAIN if plain else TEXT)


def _quoted(text: str, always: bool) -> str:
    if always or any(ch in text for ch in '",\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    """A well-formed pipitLINQ basic answer: any cells, RFC 4180 quoting (some cells quoted without need)."""
    end = draw(st.sampled_from(["\r\n", "\n"]))
    plain = draw(st.booleans())  # half the files are ones the fast path reads, half anything
    rows = []
    for _ in range(draw(st.integers(0, 12))):
        cells = [_quoted(_cell(draw, c.name, plain), draw(st.booleans()) and draw(st.booleans())) for c in CSV_FILE.columns]
        rows.append(",".join(cells))
    body = end.join([",".join(CSV_FILE.labels), *rows]) + (end if draw(st.booleans()) or not rows else "")
    return b"\xef\xbb\xbf" + body.encode("utf-8")


def _read_csv_both(data: bytes) -> tuple[object, object]:
    out = []
    for careful in (False, True):
        try:
            got = read_csv(CSV, CSV_FILE, data, "a.csv", careful=careful)
            out.append((got.rows, got.rejects, got.rows_read))
        except FileRejected as exc:
            out.append(str(exc))
    return out[0], out[1]


def _assert_same(fast: object, careful: object) -> None:
    """The fast read equals the careful one: the same refusal, or the same rows (and schema), rejects and the rest."""
    if isinstance(careful, str):
        assert fast == careful
        return
    assert isinstance(fast, tuple) and isinstance(careful, tuple)
    assert fast[0].equals(careful[0]) and fast[0].schema == careful[0].schema
    assert fast[1].equals(careful[1])
    assert fast[2:] == careful[2:]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(csv_files())
def test_pipitlinq_fast_and_careful_paths_agree(data: bytes) -> None:
    fast, careful = _read_csv_both(data)
    _assert_same(fast, careful)


#: lines polars cannot read as one record: stray and unclosed quotes, a quoted line break, ragged rows,
#: blank lines, NUL, a lone CR, invalid UTF-8, a quote inside a cell
DAMAGE = [
    b'Q8,P8,"stray,x' + b",x" * 18,
    b'Q8,P8,"a"x,b' + b",x" * 18,
    b'Q8,P8,"two\r\nlines"' + b",x" * 18,
    b"Q8,P8",
    b"",
    b"Q8,P8,\x00" + b",x" * 18,
    b"Q8,P8,a\rb" + b",x" * 18,
    b"Q8,P8,\xff\xfe" + b",x" * 18,
    b'Q8,P8,a"b' + b",x" * 18,
    b'"',
]


@st.composite
def damaged_csv_files(draw: st.DrawFn) -> bytes:
    """A file polars reads, with a few lines it cannot (:data:`DAMAGE`) put anywhere, the last line included."""
    data = draw(csv_files())
    end = b"\r\n" if b"\r\n" in data else b"\n"
    lines = data.split(end)
    for _ in range(draw(st.integers(1, 4))):
        lines.insert(draw(st.integers(1, len(lines))), draw(st.sampled_from(DAMAGE)))
    return end.join(lines)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged_csv_files())
def test_pipitlinq_regions_read_as_the_careful_path_reads_the_whole_file(data: bytes) -> None:
    """Polars on the plain lines and the tokeniser on the regions between give the whole-file careful result."""
    fast, careful = _read_csv_both(data)
    _assert_same(fast, careful)


def test_a_bad_line_sends_only_its_region_to_the_careful_tokeniser(monkeypatch: pytest.MonkeyPatch) -> None:
    """One bad line among 2,000: the tokeniser reads that line, polars the rest; rows and rejects as before."""
    import formats._csv as codec

    row = ",".join(["Q1", "P1", "山田　太郎", "東京都"] + ["該当なし"] + [""] * 16)
    lines = [",".join(CSV_FILE.labels)] + [row.replace("Q1", f"Q{i}") for i in range(2, 2002)]
    lines[1000] = 'Q1000,P1,"stray,x'  # line 1001: a quote never closed before the line end
    data = b"\xef\xbb\xbf" + ("\r\n".join(lines) + "\r\n").encode("utf-8")
    read: list[tuple[int, int]] = []
    real = codec._careful_cells

    def spy(buf: np.ndarray, lo: int, hi: int, *args: object) -> object:
        read.append((lo, hi))
        return real(buf, lo, hi, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(codec, "_careful_cells", spy)
    got = read_csv(CSV, CSV_FILE, data, "a.csv")
    assert len(read) == 1 and 0 < read[0][1] - read[0][0] < 200  # the bad line (its quote closes nowhere after it) and no more
    assert got.rejects["line"].to_list() == [1001] and got.rows.height == 1999
    monkeypatch.setattr(codec, "_careful_cells", real)
    whole = read_csv(CSV, CSV_FILE, data, "a.csv", careful=True)
    assert got.rows.equals(whole.rows) and got.rejects.equals(whole.rejects)


def test_bad_lines_all_over_a_file_are_read_in_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past MAX_REGIONS stretches of bad lines the tokeniser reads the whole file once (10,000 regions took ~50 s)."""
    import formats._csv as codec

    row = ",".join(["Q1", "P1", "山田　太郎", "東京都"] + ["該当なし"] + [""] * 16)
    lines = [",".join(CSV_FILE.labels)] + [row if i % 2 else "Q1,P1" for i in range(2 * codec.MAX_REGIONS + 2)]
    data = b"\xef\xbb\xbf" + ("\r\n".join(lines) + "\r\n").encode("utf-8")
    calls: list[int] = []
    real = codec._careful_cells

    def spy(*args: object) -> object:
        calls.append(1)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(codec, "_careful_cells", spy)
    got = read_csv(CSV, CSV_FILE, data, "a.csv")
    assert len(calls) == 1 and got.rejects.height == codec.MAX_REGIONS + 1 and got.rows.height == codec.MAX_REGIONS + 1


def test_a_clean_file_takes_the_fast_path_and_a_damaged_one_does_not() -> None:
    """Files without quoted line breaks, stray quotes or ragged rows are read by polars; others are not."""
    good = "\r\n".join([",".join(CSV_FILE.labels), ",".join(["Q1", "P1", '"山田,太郎"'] + ["x"] * 18), ",".join(["Q2"] + [""] * 20)]) + "\r\n"
    raw = good.encode("utf-8")
    buf = np.frombuffer(raw, dtype=np.uint8)
    lo = raw.find(b"\n") + 1
    cells = _fast_cells(buf, lo, len(CSV_FILE.labels))
    assert cells is not None and cells["line"].to_list() == [2, 3] and cells["u2"][0] == "山田,太郎"
    for bad in (good.replace('"山田,太郎"', '"山田\r\n太郎"'), good.replace('"山田,太郎"', '山"田'), good.replace("Q2,", "Q2")):
        raw = bad.encode("utf-8")
        assert _fast_cells(np.frombuffer(raw, dtype=np.uint8), raw.find(b"\n") + 1, len(CSV_FILE.labels)) is None


def test_the_byte_check_finds_every_character_the_rule_acts_on() -> None:
    """_maybe_special may say yes too often, never too rarely: checked on every code point."""
    points = [c for c in range(0x110000) if not 0xD800 <= c < 0xE000 and c not in (0x0A, 0x0D)]
    special = pl.Series([chr(c) for c in points]).str.contains(SPECIAL).to_numpy()
    hits = [c for c, s in zip(points, special) if s]
    assert len(hits) > 90
    assert all(_maybe_special(np.frombuffer(chr(c).encode("utf-8"), dtype=np.uint8)) for c in hits)
    assert not _maybe_special(np.frombuffer("山田　太郎,ﾔﾏﾀﾞ,１－２—…".encode(), dtype=np.uint8))


# ----------------------------------------------------------------- DAIS

#: bytes a damaged or careless DAIS field may hold: digits, spaces, kana, a kanji's two bytes, controls, unassigned bytes
BYTES = [b"0", b"9", b" ", b"-", b"A", b"\xb1", b"\xdf", "山".encode("cp932"), b"\x81", b"\x00", b"\x1f", b"\x7f", b"\x80", b"\xa0", b"\xfd"]


def _dais_answers() -> bytes:
    schema = FRAME_SCHEMAS[("response", "basic")]
    frame = pl.DataFrame(
        {
            "inquiry_id": ["Q1", "Q2", "Q3", "Q4"],
            "answer": ["found", "found", "none", "found"],
            "detail_no": [1, 2, 0, 1],
            "bank_code": ["0005"] * 4,
            "branch_code": ["041", "041", None, "123"],
            "account_type": [1, 2, 0, 6],
            "account_number": ["1234567", "7654321", None, "0000001"],
            "holder_kana": ["ﾔﾏﾀﾞ ﾀﾛｳ", "ﾔﾏﾀﾞ ﾀﾛｳ", None, "ｽｽﾞｷ ﾊﾅｺ"],
            "holder_birth_date": [dt.date(1970, 3, 12), None, None, dt.date(2000, 2, 29)],
            "holder_address": ["東京都新宿区西新宿二丁目８番１号", "", None, "大阪府"],
            "balance_yen": [1000, -5, None, 0],
            "balance_date": [dt.date(2026, 10, 31)] * 4,
            "opened_on": [dt.date(1999, 1, 1), None, None, dt.date(2020, 12, 31)],
            "last_activity": [dt.date(2026, 10, 1), None, None, None],
            "account_status": ["通常", "休眠", None, "解約済"],
        }
    )
    frame = frame.select([pl.col(c).cast(t) if c in frame.columns else pl.lit(None, t).alias(c) for c, t in schema.items()])
    data, _ = write_fixed(DAIS, DAIS_FILE, frame, {"municipality_code": "131041", "created_on": dt.date(2026, 11, 23), "seq": 1})
    return data


DAIS_BASE = _dais_answers()
RECORD = DAIS.record_length + 2


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(1, 4), st.integers(1, DAIS.record_length - 1), st.sampled_from(BYTES)), max_size=6))
def test_dais_fast_and_careful_paths_agree(edits: list[tuple[int, int, bytes]]) -> None:
    data = bytearray(DAIS_BASE)
    for record, at, new in edits:  # any bytes in the data records' fields; lengths kept
        pos = record * RECORD + at
        data[pos : pos + len(new)] = new[: DAIS.record_length - at]
    out = []
    for careful in (False, True):
        try:
            got = read_fixed(DAIS, DAIS_FILE, bytes(data), "a.dat", careful=careful)
            out.append((got.rows, got.rejects, got.rows_read, got.header, got.trailer))
        except FileRejected as exc:
            out.append(str(exc))
    _assert_same(*out)


def test_dais_unchanged_file_reads_back_without_rejects() -> None:
    got = read_fixed(DAIS, DAIS_FILE, DAIS_BASE, "a.dat")
    assert got.rows.height == 4 and got.rejects.height == 0
    assert got.rows["holder_birth_date"].to_list()[3] == dt.date(2000, 2, 29)
    assert got.rows["balance_yen"].to_list()[:2] == [1000, -5]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="0123456789", min_size=8, max_size=8), min_size=1, max_size=50))
def test_dates_from_bytes_are_the_dates_from_text(values: list[str]) -> None:
    values = [*values, "20000229", "19000229", "20240230", "00000000", "99991231", "00010101", "20261301"]
    sub = np.frombuffer("".join(values).encode(), dtype=np.uint8).reshape(-1, 8)
    days, valid = _yyyymmdd_days(sub)
    ours = pl.Series(days).cast(pl.Int32).cast(pl.Date).scatter(np.flatnonzero(~valid), None)
    text = pl.DataFrame({"t": values}).select(yyyymmdd_to_date(pl.col("t"))).to_series()
    assert ours.to_list() == text.to_list()


@pytest.mark.parametrize("careful", [False, True])
def test_dais_undecodable_address_is_rejected_with_its_line_on_both_paths(careful: bool) -> None:
    data = bytearray(DAIS_BASE)
    at = 2 * RECORD + 1 + 20 + 1 + 3 + 4 + 3 + 1 + 7 + 40 + 8  # the second answer's 届出住所
    data[at : at + 2] = b"\x81\x0d"  # a lead byte and a byte no cp932 character ends with
    got = read_fixed(DAIS, DAIS_FILE, bytes(data), "a.dat", careful=careful)
    assert got.rejects["line"].to_list() == [3]
    assert "cp932" in got.rejects["reason"][0]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.one_of(st.none(), st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31))), st.one_of(st.none(), st.integers(-10**12 + 1, 10**12 - 1))), min_size=1, max_size=30)
)
def test_numbers_and_dates_written_from_numpy_are_the_text_writers_bytes(rows: list[tuple[dt.date | None, int | None]]) -> None:
    """write_fixed's numpy digits (dates, signed amounts) equal the text path's bytes (formats._fixed._field_values)."""
    from formats._fixed import _field_values, _number_digits, scatter_column

    record = DAIS.records[DAIS_FILE.data]
    frame = pl.DataFrame({"opened_on": [r[0] for r in rows], "balance_yen": [r[1] for r in rows]}, schema={"opened_on": pl.Date, "balance_yen": pl.Int64})
    for name in ("opened_on", "balance_yen"):
        f = next(g for g in record.fields if g.name == name)
        fast = _number_digits(f, record, frame)
        assert fast is not None
        text = np.full((frame.height, f.width), 0x20, dtype=np.uint8)
        scatter_column(text, 0, f.width, _field_values(f, record, frame, DAIS, []), "cp932", name)
        assert (fast == text).all()


def test_a_large_dais_file_decoded_in_chunks_reads_as_in_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks bound the memory of a 90 MB file; rows, rejects and lines do not depend on them."""
    import formats._fixed as fixed

    data = bytearray(DAIS_BASE)
    data[2 * RECORD + 30 : 2 * RECORD + 32] = b"\x00X"  # a reject in the second chunk
    whole = read_fixed(DAIS, DAIS_FILE, bytes(data), "a.dat")
    monkeypatch.setattr(fixed, "CHUNK_RECORDS", 1)
    chunked = read_fixed(DAIS, DAIS_FILE, bytes(data), "a.dat")
    assert whole.rejects.height == 1 and chunked.rejects.equals(whole.rejects)
    assert chunked.rows.equals(whole.rows) and chunked.rows.schema == whole.rows.schema


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 9_999_999), min_size=1, max_size=50))
def test_wareki_from_integers_is_wareki_from_text(values: list[int]) -> None:
    """The 和暦7桁 integer arithmetic of the CSV reader gives wareki7_to_date's dates (era edges included)."""
    from formats._csv import _wareki7_days
    from formats.dates import wareki7_to_date

    edges = [1010101, 1450729, 1450730, 2010729, 2010730, 2151224, 2151225, 3011224, 3011225, 3640107, 3640108, 4010107, 4010108, 4310430, 4310501, 5010430, 5010501, 5990229, 5960229, 4000101]
    texts = [f"{v:07d}" for v in [*values, *edges] if 1_000_000 <= v < 6_000_000]
    if not texts:
        return
    days = _wareki7_days(np.array([int(t) for t in texts], dtype=np.int64))
    ours = [None if d == -(10**9) else dt.date(1970, 1, 1) + dt.timedelta(days=int(d)) for d in days]
    assert ours == pl.DataFrame({"v": texts}).select(wareki7_to_date(pl.col("v"))).to_series().to_list()


def test_dates_to_digits_and_back_on_every_day_of_years_0000_to_9999() -> None:
    """formats.dates.days_ymd (the DAIS writer's dates) and ymd_days (the readers') are numpy's calendar, both ways."""
    from formats.dates import days_ymd, ymd_days

    days = np.arange(np.datetime64("0000-01-01").astype(np.int64), np.datetime64("10000-01-01").astype(np.int64))
    dates = days.astype("datetime64[D]")
    y, m, d = days_ymd(days)
    assert (y == dates.astype("datetime64[Y]").astype(np.int64) + 1970).all()
    assert (m == dates.astype("datetime64[M]").astype(np.int64) % 12 + 1).all()
    assert (d == (dates - dates.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1).all()
    back, real = ymd_days(y, m, d)
    assert real.all() and (back == days).all()


def test_wareki_month_table_is_the_calendar_on_every_seven_digit_value() -> None:
    """The month look-up of _wareki7_days gives, on all 5,000,000 values, what the era and calendar arithmetic gives."""
    from formats._csv import _wareki7_days
    from formats.dates import ERAS, ymd_days

    values = np.arange(1_000_000, 6_000_000, dtype=np.int64)
    era, ey, m, d = values // 1_000_000, values // 10_000 % 100, values // 100 % 100, values % 100
    first_year = np.array([0] + [start.year for _, _, _, start in ERAS])[era]
    epoch = dt.date(1970, 1, 1).toordinal()
    start = np.array([0] + [s.toordinal() - epoch for _, _, _, s in ERAS])[era]
    end = np.array([0] + [s.toordinal() - epoch for _, _, _, s in ERAS[1:]] + [dt.date(9999, 12, 31).toordinal() - epoch])[era]
    days, real = ymd_days(first_year + ey - 1, m, d)
    expected = np.where(real & (ey >= 1) & (days >= start) & (days < end), days, -(10**9))
    assert (_wareki7_days(values) == expected).all()


_FIELD_BYTES = st.one_of(
    st.just(b"0"), st.just(b" "), st.just(b"-"), st.sampled_from([b"20261205", b"19000229", b"20240229", b"00000000", b"00010101", b"99991231"]),
    st.binary(min_size=1, max_size=20).map(lambda b: b.replace(b"\n", b"?")),  # LF ends a record: never inside one
    st.text("0123456789 -x", min_size=1, max_size=20).map(str.encode),
)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["header", "trailer"]), st.sampled_from(sorted({f.kind for f in DAIS.files.values()})), st.data())
def test_header_and_trailer_read_in_python_as_by_the_columns(role: str, kind: str, data: st.DataObject) -> None:
    """A header or trailer the plain-Python reader takes gives _decode_record's values, and no problem (else _decode_record names it)."""
    from formats._fixed import _decode_record, _plain_single

    fd = DAIS.file("response", kind)
    record = DAIS.records[getattr(fd, role)]
    row = bytearray(b" " * DAIS.record_length)
    for off, f in zip(record.offsets, record.fields):
        if f.const is not None:
            row[off : off + f.width] = f.const.encode()
        elif not f.is_filler:
            if f.type == "N" and data.draw(st.booleans()):  # the usual: digits of the field's width
                value = data.draw(st.text("0123456789", min_size=f.width, max_size=f.width)).encode()
            else:
                value = data.draw(_FIELD_BYTES)
            row[off : off + f.width] = value[: f.width].ljust(f.width, b" ")
    plain = _plain_single(record, bytes(row), DAIS)
    cols, reason = _decode_record(record, np.frombuffer(bytes(row), dtype=np.uint8)[None, :], DAIS, None)
    if plain is not None:
        assert reason[0] == "" and plain == {name: s[0] for name, s in cols.items()}


def test_a_written_header_and_trailer_take_the_plain_path() -> None:
    """The records a writer makes are read without _decode_record (what makes a small file's read cheap)."""
    from formats._fixed import _plain_single

    data = write_fixed(DAIS, DAIS_FILE, pl.DataFrame(schema=FRAME_SCHEMAS[("response", "basic")]), {"municipality_code": "131041", "created_on": dt.date(2026, 12, 5), "seq": 7})[0]
    arr = np.frombuffer(data, dtype=np.uint8).reshape(-1, DAIS.record_length + 2)
    assert _plain_single(DAIS.records[DAIS_FILE.header], arr[0, :-2].tobytes(), DAIS) == {"kind_code": DAIS_FILE.kind_code, "municipality_code": "131041", "created_on": dt.date(2026, 12, 5), "seq": 7}
    assert _plain_single(DAIS.records[DAIS_FILE.trailer], arr[1, :-2].tobytes(), DAIS) is not None
    from formats._fixed import _plain_record

    header = {"municipality_code": "131041", "created_on": dt.date(2026, 12, 5), "seq": 7, "kind_code": DAIS_FILE.kind_code}
    assert _plain_record(DAIS.records[DAIS_FILE.header], header, DAIS) == arr[0, :-2].tobytes()
    assert _plain_record(DAIS.records[DAIS_FILE.end], {}, DAIS) == arr[2, :-2].tobytes()


def test_dais_month_table_is_the_calendar_on_every_month_of_years_0000_to_9999() -> None:
    """_yyyymmdd_days' month look-up gives ymd_days' dates on every YYYYMM (months 00-99) for the days that matter."""
    from formats.dates import ymd_days

    y, m, d = np.meshgrid(np.arange(10_000), np.arange(100), np.array([0, 1, 28, 29, 30, 31, 32, 99]), indexing="ij")
    y, m, d = y.ravel(), m.ravel(), d.ravel()
    text = np.char.zfill(y.astype("U4"), 4) + np.char.zfill(m.astype("U2"), 2) + np.char.zfill(d.astype("U2"), 2)
    sub = np.frombuffer("".join(text.tolist()).encode(), dtype=np.uint8).reshape(-1, 8)
    days, real = _yyyymmdd_days(sub)
    want_days, want_real = ymd_days(y, m, d)
    assert (real == want_real).all() and (days[real] == want_days[want_real]).all()


_VALUES = st.one_of(
    st.none(), st.integers(-(10**16), 10**16), st.sampled_from([0, 7, -1, 999_999, 10**6, 10**15 - 1]), st.booleans(),
    st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)), st.text("0123456789", max_size=8), st.text("0123456789ａ x-", max_size=8),
)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["header", "trailer", "end"]), st.sampled_from(sorted({f.kind for f in DAIS.files.values()})), st.data())
def test_header_trailer_and_end_written_in_python_as_by_the_columns(role: str, kind: str, data: st.DataObject) -> None:
    """A record the plain-Python writer builds has _encode_record's bytes; one it leaves is one _encode_record refuses or one of another kind."""
    from formats._fixed import _encode_record, _plain_record
    from formats.errors import WriteError

    fd = DAIS.file("response", kind)
    record = DAIS.records[getattr(fd, role)]
    values = {f.name: data.draw(_VALUES) for f in record.fields if not f.is_filler and f.const is None and f.sign_for is None}
    plain = _plain_record(record, values, DAIS)
    if plain is None:
        return
    out = np.empty((1, DAIS.record_length + 2), dtype=np.uint8)
    try:
        _encode_record(record, pl.DataFrame([values]) if values else pl.DataFrame({"_": [0]}), DAIS, [], out)
    except (WriteError, pl.exceptions.PolarsError) as exc:  # pragma: no cover - the test fails here
        raise AssertionError(f"the plain writer built {plain!r} where the columns refuse: {exc}") from None
    assert plain == out[0, :-2].tobytes()


# ----------------------------------------------------------------- DAIS: runs, pre-stripped text, byte pairs (issue #10, session 7)


def _dais_runs() -> bytes:
    """An answer file as banks write it: a holder's accounts one after the other, blank answers between.

    Long enough (60 records) that a text field decodes only its runs
    (``_runs``: fewer rows than ``_DISTINCT_SHARE`` of the file).
    """
    holders = [("ﾔﾏﾀﾞ ﾀﾛｳ", "東京都新宿区西新宿二丁目８番１号"), ("ｽｽﾞｷ ﾊﾅｺ", "大阪府大阪市北区梅田１－１"), ("ｻﾄｳ ｼﾞﾛｳ", "")]
    rows = []
    for k in range(20):
        kana, address = holders[k % 3]
        rows += [("found", kana, address, f"{k:07d}"), ("found", kana, address, f"{k + 100:07d}"), ("none", None, None, None)]
    schema = FRAME_SCHEMAS[("response", "basic")]
    frame = pl.DataFrame(
        {
            "inquiry_id": [f"Q{i // 3:04d}" for i in range(len(rows))],
            "answer": [r[0] for r in rows],
            "bank_code": ["0005"] * len(rows),
            "account_type": [1 if r[0] == "found" else 0 for r in rows],
            "account_number": [r[3] for r in rows],
            "holder_kana": [r[1] for r in rows],
            "holder_address": [r[2] for r in rows],
            "balance_yen": [7 if r[0] == "found" else None for r in rows],
        }
    )
    frame = frame.select([pl.col(c).cast(t) if c in frame.columns else pl.lit(None, t).alias(c) for c, t in schema.items()])
    data, _ = write_fixed(DAIS, DAIS_FILE, frame, {"municipality_code": "131041", "created_on": dt.date(2026, 11, 23), "seq": 1})
    return data


DAIS_RUNS = _dais_runs()
#: the first byte of 名義人カナ and 届出住所 in a record
KANA_AT, ADDRESS_AT = DAIS.records[DAIS_FILE.data].field("holder_kana")[0], DAIS.records[DAIS_FILE.data].field("holder_address")[0]
#: besides BYTES: a byte Python's cp932 gives an unassigned mark (decodable), lower case (not a C character)
RUN_BYTES = [*BYTES, b"\xfe", b"\xff", b"a", b"  "]


def _read_both(data: bytes) -> list[object]:
    out: list[object] = []
    for careful in (False, True):
        try:
            got = read_fixed(DAIS, DAIS_FILE, data, "a.dat", careful=careful)
            out.append((got.rows, got.rejects, got.rows_read))
        except FileRejected as exc:
            out.append(str(exc))
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.integers(1, 60), st.sampled_from([KANA_AT, ADDRESS_AT]), st.integers(0, 39), st.sampled_from(RUN_BYTES)),
        max_size=8,
    )
)
def test_dais_runs_and_trailing_spaces_read_as_the_careful_path_reads_them(edits: list[tuple[int, int, int, bytes]]) -> None:
    """Names and addresses decoded by runs and without trailing spaces: the careful path's rows and rejects.

    The edits land in 名義人カナ and 届出住所, in runs or blank answers:
    controls, unassigned marks, characters a C field may not hold, spaces.
    """
    data = bytearray(DAIS_RUNS)
    for record, field_at, at, new in edits:
        pos = record * RECORD + field_at + at
        data[pos : pos + len(new)] = new
    fast, slow = _read_both(bytes(data))
    _assert_same(fast, slow)


def test_dais_runs_decode_each_run_once_and_blank_rows_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path decodes a field's runs only (here 40 found answers in 20 runs, 20 blank): same rows as careful."""
    decoded: list[int] = []
    real = fixed._runs

    def spy(sub: np.ndarray, blank: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rows, ids = real(sub, blank)
        decoded.append(rows.size)
        return rows, ids

    monkeypatch.setattr(fixed, "_runs", spy)
    fast, slow = _read_both(DAIS_RUNS)
    assert not isinstance(fast, str) and not isinstance(slow, str)
    assert fast[0].equals(slow[0]) and fast[1].height == 0
    assert fast[0]["holder_kana"].to_list()[:4] == ["ﾔﾏﾀﾞ ﾀﾛｳ", "ﾔﾏﾀﾞ ﾀﾛｳ", None, "ｽｽﾞｷ ﾊﾅｺ"]
    assert 21 in decoded  # 名義人カナ: 20 runs and one blank row, of 60 records


def test_an_unassigned_mark_in_an_address_is_rejected_with_the_text_as_decoded_whole() -> None:
    """A K field decoded without trailing spaces is decoded whole again when it holds an unassigned mark."""
    data = bytearray(DAIS_RUNS)
    data[4 * RECORD + ADDRESS_AT + 2] = 0xFD  # the fourth answer's 届出住所: decodable, but no character
    fast, slow = _read_both(bytes(data))
    assert not isinstance(fast, str) and not isinstance(slow, str)
    assert fast[1].equals(slow[1]) and fast[0].equals(slow[0])
    assert fast[1]["line"].to_list() == [5]
    reason = fast[1]["reason"][0]
    assert "cp932" in reason and reason.endswith(" " * 10 + "'")  # the address as decoded whole, trailing spaces and all


def test_a_not_half_width_name_is_rejected_with_its_text_as_decoded_whole() -> None:
    data = bytearray(DAIS_RUNS)
    data[1 * RECORD + KANA_AT] = ord("a")
    fast, slow = _read_both(bytes(data))
    assert not isinstance(fast, str) and not isinstance(slow, str)
    assert fast[1].equals(slow[1]) and fast[0].equals(slow[0])
    assert fast[1]["reason"].to_list() == [f"名義人カナ (holder_kana): 半角文字以外を含む / not half-width characters '{'aﾏﾀﾞ ﾀﾛｳ':<40}'"]


@pytest.mark.parametrize("width", [1, 2, 245, 246, 299, 300])
def test_byte_classes_by_pairs_are_the_byte_by_byte_classes(width: int) -> None:
    rng = np.random.default_rng(width)
    for line_end, start in ((2, 0), (1, 0), (1, 1), (0, 0)):  # CRLF, LF (rows at odd addresses), a copied matrix
        buffer = rng.integers(0, 256, 9 * (DAIS.record_length + line_end) + 1, dtype=np.uint8)[start:]
        records = buffer[: 9 * (DAIS.record_length + line_end)].reshape(9, -1)[:, : DAIS.record_length]
        for lo in sorted({0, min(1, DAIS.record_length - width), DAIS.record_length - width}):  # spans inside the record, at its edges
            hi = lo + width
            assert (fixed._byte_classes(records, lo, hi) == fixed._CLASS[records[:, lo:hi]]).all()


@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_digits_by_horner_are_the_weighted_sum_also_of_garbage(dtype: type[np.signedinteger]) -> None:
    rng = np.random.default_rng(5)
    for width in (1, 3, 8, 12, 19, 25):
        sub = rng.integers(0, 256, (500, width), dtype=np.uint8)
        sub[:250] = rng.integers(0x30, 0x3A, (250, width), dtype=np.uint8)
        weights = (10 ** np.arange(width - 1, -1, -1, dtype=np.int64)).astype(dtype)
        with np.errstate(over="ignore"):
            assert (fixed._digits_value(sub, dtype) == (sub.astype(dtype) - 0x30) @ weights).all()


def test_binary_column_keeps_every_byte() -> None:
    block = np.array([[0x41, 0x00, 0x00], [0x20, 0x42, 0x00], [0xFF, 0x20, 0x20]], dtype=np.uint8)
    got = fixed.binary_column(block[:, :3])
    assert got.dtype == pl.Binary and got.to_list() == [b"A\x00\x00", b" B\x00", b"\xff  "]
    assert fixed.binary_column(np.zeros((0, 4), dtype=np.uint8)).len() == 0


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([b"a", b",", b"\xe5\xb1\xb1", b"\r", b"\n", b"\r\n", b"\x00", b" "]), max_size=60).map(b"".join), st.integers(1, 4))
def test_quote_free_lines_are_checked_as_each_line_alone_says(body: bytes, ncols: int) -> None:
    """A file without quotes has its commas counted line by line (no positions): plain is what each line says."""
    if not body:
        return
    starts, plain, odd = _line_checks(np.frombuffer(body, dtype=np.uint8), ncols)
    lines = body.split(b"\n")
    if body.endswith(b"\n"):
        lines = lines[:-1]
    expected = []
    for k, line in enumerate(lines):
        last = k == len(lines) - 1 and not body.endswith(b"\n")
        text = line[:-1] if line.endswith(b"\r") and not last else line
        crs_ok = b"\r" not in text and not (line.endswith(b"\r") and last)
        expected.append(b"\x00" not in line and crs_ok and len(text) > 0 and text.count(b",") == ncols - 1)
    assert plain.tolist() == expected and not odd.any()
    assert starts.tolist() == [0, *[m + 1 for m in range(len(body)) if body[m : m + 1] == b"\n"]][: len(lines)]
