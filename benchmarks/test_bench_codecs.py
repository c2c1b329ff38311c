"""Codec throughput: write + read of a 10,000-record basic response, DAIS and pipitLINQ.

Run: ``pytest benchmarks/test_bench_codecs.py --benchmark-enable``.
A year of a large office is ~52,700 persons × a few institutions, so a few
hundred thousand answer records; the codecs must handle 10,000 records in
well under a second.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from formats import read_response, write_response
from formats._layout import FRAME_SCHEMAS

N = 10_000
COMMON = {"municipality_code": "131041", "created_on": dt.date(2026, 11, 23), "seq": 1}


def answers(provider: str, n: int = N) -> pl.DataFrame:
    """n found answers with realistic widths: kana names, kanji addresses, signed balances."""
    rng = np.random.default_rng(7)
    i = pl.int_range(0, n, eager=True)
    half = ["ﾔﾏﾀﾞ ﾀﾛｳ", "ｽｽﾞｷ ﾊﾅｺ", "ﾀｶﾊｼ ｲﾁﾛｳ", "ﾜﾀﾅﾍﾞ ｹﾝｼﾞ"]
    full = ["ヤマダ　タロウ", "スズキ　ハナコ", "タカハシ　イチロウ", "ワタナベ　ケンジ"]
    kana = pl.Series(half if provider == "dais" else full)
    df = pl.DataFrame(
        {
            "inquiry_id": "Q2026-" + i.cast(pl.Utf8).str.zfill(6),
            "answer": ["found"] * n,
            "detail_no": pl.Series(rng.integers(1, 4, n), dtype=pl.Int32),
            "bank_code": ["0005"] * n,
            "branch_code": pl.Series(rng.integers(1, 999, n)).cast(pl.Utf8).str.zfill(3),
            "account_type": pl.Series(rng.choice([1, 2, 6], n), dtype=pl.Int8),
            "account_number": pl.Series(rng.integers(1, 9_999_999, n)).cast(pl.Utf8).str.zfill(7),
            "holder_kana": kana.gather(rng.integers(0, 4, n)),
            "holder_birth_date": pl.Series(rng.integers(-20000, 15000, n)).cast(pl.Date),
            "holder_address": "東京都新宿区西新宿二丁目" + i.cast(pl.Utf8) + "番地",
            "balance_yen": pl.Series(rng.integers(-1_000_000, 50_000_000, n)),
            "balance_date": [dt.date(2026, 10, 31)] * n,
            "opened_on": pl.Series(rng.integers(0, 20000, n)).cast(pl.Date),
            "last_activity": [dt.date(2026, 10, 1)] * n,
            "account_status": ["通常"] * n,
        }
    )
    if provider == "pipitlinq":
        df = df.with_columns(
            person_id=i.cast(pl.Utf8), inquired_name=pl.lit("山田　太郎"), inquired_address=pl.lit("東京都新宿区"),
            bank_name=pl.lit("みずほ銀行"), branch_name=pl.lit("新宿支店"),
        )  # fmt: skip
    schema = FRAME_SCHEMAS[("response", "basic")]
    return df.select([pl.col(c).cast(t) if c in df.columns else pl.lit(None, t).alias(c) for c, t in schema.items()])


@pytest.mark.parametrize("provider", ["dais", "pipitlinq"])
def test_write_read_10000_basic_answers(benchmark, tmp_path: Path, provider: str) -> None:
    frame = answers(provider)
    path = tmp_path / f"answers.{provider}"

    def cycle() -> int:
        write_response(provider, "basic", frame, path, **COMMON)  # type: ignore[arg-type]
        return read_response(path).rows.height

    assert benchmark(cycle) == N
    size = path.stat().st_size
    benchmark.extra_info.update({"records": N, "bytes": size})


@pytest.mark.parametrize("provider", ["dais", "pipitlinq"])
def test_read_10000_basic_answers(benchmark, tmp_path: Path, provider: str) -> None:
    path = tmp_path / f"answers.{provider}"
    write_response(provider, "basic", answers(provider), path, **COMMON)  # type: ignore[arg-type]
    parsed = benchmark(read_response, path)
    assert parsed.rows.height == N and parsed.rejects.height == 0
