"""Write → read gives back the frame, for every layout (both services × request/response × basic/history).

Generated values cover what offices and banks really send: half-width Zengin
kana, kanji with full-width digits, 和暦 boundaries, negative balances
(当座 overdraft), ゆうちょ 記号番号 in both forms, and for CSV text with
commas, quotes and line breaks.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from formats import read_file, write_request, write_response
from formats._layout import FRAME_SCHEMAS
from formats._text import clean_text

HALF_KANA = "ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜﾝﾞﾟ"
FULL_KANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワンガギグゲゴパピプペポァィゥェォャュョッー"
KANJI = "山田太郎鈴木花子髙橋﨑渡邊齋藤東京都新宿区歌舞伎町丁目番地号荘号室"
FULL_DIGITS = "０１２３４５６７８９－"
ACCOUNT_TYPES = [1, 2, 4, 5, 6, 7, 8, 9]
STATUSES = ["通常", "休眠", "解約済", "支払停止"]

SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])

ids = st.text("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-", min_size=1, max_size=20).filter(lambda s: not s.endswith(" "))
dates = st.dates(dt.date(1900, 1, 1), dt.date(2099, 12, 31))
opt_dates = st.none() | dates
bank = st.from_regex(r"\A[0-8][0-9]{3}\Z")
branch = st.from_regex(r"\A[0-9]{2}[1-9]\Z")
number7 = st.from_regex(r"\A[0-9]{6}[1-9]\Z")
money = st.integers(-(10**12) + 1, 10**12 - 1)
amount = st.integers(0, 10**12 - 1)


def half_name(max_len: int = 40) -> st.SearchStrategy[str]:
    part = st.text(HALF_KANA + "-", min_size=1, max_size=12)
    return st.tuples(part, part).map(lambda t: f"{t[0]} {t[1]}"[:max_len].rstrip(" "))


full_name = st.tuples(st.text(FULL_KANA, min_size=1, max_size=8), st.text(FULL_KANA, min_size=1, max_size=8)).map(
    lambda t: f"{t[0]}\u3000{t[1]}"
)


def kanji_text(max_chars: int) -> st.SearchStrategy[str]:
    """Double-byte text that fits max_chars*2 bytes, not ending in a space."""
    return st.text(KANJI + FULL_DIGITS + FULL_KANA + "\u3000", min_size=1, max_size=max_chars).map(lambda s: s.rstrip(" ") or "字")


csv_text = st.text(KANJI + FULL_KANA + 'AZ09 ,"\n\r-', min_size=1, max_size=30)


def as_read(df: pl.DataFrame) -> pl.DataFrame:
    """What a reader gives back for ``df``: text cells under the one character rule (a line break reads as a space)."""
    return df.with_columns([clean_text(pl.col(c)) for c, t in df.schema.items() if t == pl.Utf8])


def frame(rows: list[dict], direction: str, kind: str) -> pl.DataFrame:
    schema = FRAME_SCHEMAS[(direction, kind)]
    return pl.DataFrame([{c: r.get(c) for c in schema} for r in rows], schema=schema)


def roundtrip(provider: str, direction: str, kind: str, df: pl.DataFrame) -> pl.DataFrame:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "f"
        common = {"municipality_code": "131041", "created_on": dt.date(2026, 11, 23), "seq": 7}
        if direction == "request":
            res = write_request(provider, kind, df, path, municipality_kana="ｼﾝｼﾞﾕｸｸ", **common)  # type: ignore[arg-type]
        else:
            res = write_response(provider, kind, df, path, **common)  # type: ignore[arg-type]
        assert res.truncations.height == 0
        parsed = read_file(path)
    assert (parsed.provider, parsed.direction, parsed.kind) == (provider, direction, kind)
    assert parsed.rejects.height == 0, parsed.rejects.to_dicts()
    assert parsed.rows_read == df.height
    if provider == "dais":
        assert parsed.header["municipality_code"] == "131041" and parsed.header["seq"] == 7
        assert parsed.rows["line"].to_list() == list(range(2, df.height + 2))
    else:
        lines = parsed.rows["line"].to_list()
        assert lines == sorted(lines) and (not lines or lines[0] == 2)
    return parsed.rows.drop("line")


# ----------------------------------------------------------------- basic request


@st.composite
def basic_request(draw: st.DrawFn, provider: str) -> dict:
    dais = provider == "dais"
    other = draw(st.lists(half_name() if dais else full_name, max_size=1 if dais else 3))
    return {
        "inquiry_id": draw(ids),
        "person_id": None if dais else draw(st.from_regex(r"\A[0-9]{1,10}\Z")),
        "staff_code": None if dais else draw(st.none() | st.sampled_from(["A01", "収納2"])),
        "fiscal_class": None if dais else draw(st.none() | st.sampled_from(["現年", "滞繰"])),
        "bank_code": draw(bank),
        "branch_code": draw(st.none() | branch),
        "name_kana": draw(half_name() if dais else full_name),
        "name_kanji": draw(kanji_text(20) if dais else csv_text),
        "birth_date": draw(opt_dates),
        "sex": draw(st.sampled_from([0, 1, 2])),
        "postal_code": draw(st.none() | st.from_regex(r"\A[0-9]{6}[1-9]\Z")),
        "address": draw(st.none() | (kanji_text(50) if dais else csv_text)),
        "other_names_kana": ";".join(other) or None,
        "as_of": draw(dates),
    }


@SETTINGS
@given(st.lists(basic_request("dais"), max_size=12))
def test_dais_basic_request_roundtrip(rows: list[dict]) -> None:
    df = frame(rows, "request", "basic")
    assert_frame_equal(roundtrip("dais", "request", "basic", df), df)


@SETTINGS
@given(st.lists(basic_request("pipitlinq"), max_size=12))
def test_pipitlinq_basic_request_roundtrip(rows: list[dict]) -> None:
    df = frame(rows, "request", "basic")
    assert_frame_equal(roundtrip("pipitlinq", "request", "basic", df), as_read(df))


# ----------------------------------------------------------------- history request


@st.composite
def history_request(draw: st.DrawFn, provider: str) -> dict:
    dais = provider == "dais"
    yucho = not dais and draw(st.booleans())
    return {
        "inquiry_id": draw(ids),
        "person_id": None if dais else draw(st.from_regex(r"\A[0-9]{1,10}\Z")),
        "bank_code": "9900" if yucho else draw(bank),
        "branch_code": draw(st.from_regex(r"\A[01][0-9]{4}\Z")) if yucho else draw(branch),
        "account_type": draw(st.sampled_from(ACCOUNT_TYPES)),
        "account_number": draw(st.from_regex(r"\A[0-9]{8}\Z")) if yucho else draw(number7),
        "holder_kana": draw(half_name() if dais else full_name),
        "period_from": draw(dates),
        "period_to": draw(dates),
        "origin_inquiry_id": draw(ids),
    }


@SETTINGS
@given(st.lists(history_request("dais"), max_size=12))
def test_dais_history_request_roundtrip(rows: list[dict]) -> None:
    df = frame(rows, "request", "history")
    assert_frame_equal(roundtrip("dais", "request", "history", df), df)


@SETTINGS
@given(st.lists(history_request("pipitlinq"), max_size=12))
def test_pipitlinq_history_request_roundtrip(rows: list[dict]) -> None:
    """ゆうちょ 記号番号 go out exactly as given (no conversion on requests)."""
    df = frame(rows, "request", "history")
    assert_frame_equal(roundtrip("pipitlinq", "request", "history", df), as_read(df))


# ----------------------------------------------------------------- basic response


@st.composite
def yucho_account(draw: st.DrawFn) -> dict:
    """A ゆうちょ account in key form with the 記号番号 it came from."""
    sogo = draw(st.booleans())
    region = draw(st.from_regex(r"\A[0-9]{2}\Z"))
    symbol = ("1" if sogo else "0") + region + draw(st.from_regex(r"\A[0-9]{2}\Z"))
    key_number = draw(st.from_regex(r"\A[0-9]{6}[1-9]\Z"))
    number = key_number + "1" if sogo else key_number.zfill(8)
    return {
        "bank_code": "9900",
        "branch_code": region + ("8" if sogo else "9"),
        "account_type": 1 if sogo else 2,
        "account_number": key_number,
        "passbook_symbol": symbol,
        "passbook_number": number,
    }


@st.composite
def basic_response(draw: st.DrawFn, provider: str) -> dict:
    dais = provider == "dais"
    answer = draw(st.sampled_from(["found", "found", "none", "unable"]))
    row: dict = {
        "inquiry_id": draw(ids),
        "answer": answer,
        "bank_code": draw(bank),
        "detail_no": 0,
        "account_type": 0,
    }
    if not dais:
        row |= {
            "person_id": draw(st.from_regex(r"\A[0-9]{1,10}\Z")),
            "inquired_name": draw(csv_text),
            "inquired_address": draw(st.none() | csv_text),
            "bank_name": draw(st.none() | st.sampled_from(["みずほ銀行", "ゆうちょ銀行", "西武信用金庫"])),
        }
    if dais:  # DAIS has no null for these: zeros and the 0 status code
        row |= {"balance_yen": 0, "account_status": "通常"}
    if answer == "unable":
        row["unable_reason"] = draw(st.text("ｱｲｳｶｷ ABC", min_size=1, max_size=20).map(str.strip).filter(bool)) if dais else draw(csv_text)
    if answer != "found":
        return row
    row |= {
        "detail_no": draw(st.integers(1, 999)),
        "bank_code": row["bank_code"],
        "branch_code": draw(branch),
        "account_type": draw(st.sampled_from(ACCOUNT_TYPES)),
        "account_number": draw(number7),
        "holder_kana": draw(half_name() if dais else full_name.map(lambda s: s.replace("ー", draw(st.sampled_from("ー－"))))),
        "holder_birth_date": draw(opt_dates),
        "holder_address": draw(st.none() | (kanji_text(50) if dais else csv_text)),
        "balance_yen": draw(money),
        "balance_date": draw(dates),
        "opened_on": draw(opt_dates),
        "last_activity": draw(opt_dates),
        "account_status": draw(st.sampled_from(STATUSES)),
    }
    if not dais:
        row["branch_name"] = draw(st.none() | st.sampled_from(["本店", "新宿支店", "〇五八"]))
        if draw(st.booleans()):
            row |= draw(yucho_account())
    return row


@SETTINGS
@given(st.lists(basic_response("dais"), max_size=15))
def test_dais_basic_response_roundtrip(rows: list[dict]) -> None:
    df = frame(rows, "response", "basic")
    assert_frame_equal(roundtrip("dais", "response", "basic", df), df)


@SETTINGS
@given(st.lists(basic_response("pipitlinq"), max_size=15))
def test_pipitlinq_basic_response_roundtrip(rows: list[dict]) -> None:
    """ゆうちょ rows come back in key form with the 記号番号 kept as sent."""
    df = frame(rows, "response", "basic")
    assert_frame_equal(roundtrip("pipitlinq", "response", "basic", df), as_read(df))


# ----------------------------------------------------------------- history response


@st.composite
def history_response(draw: st.DrawFn, provider: str) -> dict:
    dais = provider == "dais"
    answer = draw(st.sampled_from(["found", "found", "none", "unable"]))
    account = draw(yucho_account()) if not dais and draw(st.booleans()) else {
        "bank_code": draw(bank), "branch_code": draw(branch),
        "account_type": draw(st.sampled_from(ACCOUNT_TYPES)), "account_number": draw(number7),
    }  # fmt: skip
    row: dict = {"inquiry_id": draw(ids), "answer": answer, "detail_no": 0, **account}
    if dais:
        row |= {"withdrawal_yen": 0, "deposit_yen": 0, "balance_yen": 0}
    if answer != "found":
        return row
    return row | {
        "detail_no": draw(st.integers(1, 99999)),
        "tx_date": draw(dates),
        "description": draw(st.sampled_from(["ｷﾕｳﾖ ｶ)ﾆｼｼﾝｼﾞﾕｸｼﾖｳｼﾞ", "ﾈﾝｷﾝ", "ATM"]) if dais else st.none() | csv_text),
        "withdrawal_yen": draw(amount),
        "deposit_yen": draw(amount),
        "balance_yen": draw(money),
    }


@SETTINGS
@given(st.lists(history_response("dais"), max_size=15))
def test_dais_history_response_roundtrip(rows: list[dict]) -> None:
    df = frame(rows, "response", "history")
    assert_frame_equal(roundtrip("dais", "response", "history", df), df)


@SETTINGS
@given(st.lists(history_response("pipitlinq"), max_size=15))
def test_pipitlinq_history_response_roundtrip(rows: list[dict]) -> None:
    df = frame(rows, "response", "history")
    assert_frame_equal(roundtrip("pipitlinq", "response", "history", df), as_read(df))


def test_frames_built_from_dicts_with_all_none_columns_are_written() -> None:
    """A simulator building rows as dicts gets untyped (Null) columns; writers type them."""
    rows = [{"inquiry_id": "Q1", "answer": "unable", "bank_code": "0005", "detail_no": None, "account_type": None,
             "account_status": None, "balance_yen": None, "unable_reason": "ｿｳｿﾞｸ"}]  # fmt: skip
    schema = FRAME_SCHEMAS[("response", "basic")]
    df = pl.DataFrame([{c: r.get(c) for c in schema} for r in rows])  # no schema: None columns are Null
    assert df.schema["account_type"] == pl.Null
    for provider in ("dais", "pipitlinq"):
        got = roundtrip(provider, "response", "basic", df)
        assert got.row(0, named=True) | {"account_status": None, "balance_yen": None} == frame(
            [rows[0] | {"detail_no": 0, "account_type": 0}], "response", "basic"
        ).row(0, named=True)
