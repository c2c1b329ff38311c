"""Codec throughput: write + read of a 10,000-record basic response, DAIS and pipitLINQ.

Run: ``pytest benchmarks/test_bench_codecs.py --benchmark-enable`` (``BENCH_SIZE=M`` for a
year's answer files of 52,668 persons, built once with :mod:`benchmarks.year_files`).
A year of a large office is ~52,700 persons × a few institutions, so a few
hundred thousand answer records; the codecs must handle 10,000 records in
well under a second.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from formats import FRAME_SCHEMAS, encode, read_response, write_response

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


# ----------------------------------------------------------------- a year's answer files

#: persons of the office whose year of answer files is read and written (``BENCH_SIZE``: S 2,000, M 52,668)
YEAR_PERSONS = {"S": 2_000, "M": 52_668, "L": 52_668}[os.environ.get("BENCH_SIZE", "S").upper()]


@pytest.fixture(scope="module")
def year_files() -> dict[str, list[Path]]:
    """The generator's office, its request files and the simulated banks' answers, built once under ``BENCH_CACHE``."""
    from benchmarks.year_files import build

    home = Path(os.environ.get("BENCH_CACHE", tempfile.gettempdir())) / f"inquiry-bench-year-{YEAR_PERSONS}-seed7"
    if not (home / "inbox").is_dir() or not any((home / "inbox").iterdir()):
        build(YEAR_PERSONS, 7, home)
    answers = sorted((home / "inbox").iterdir())
    return {p: [f for f in answers if f.name.startswith(p.upper())] for p in ("dais", "pipitlinq")}


def _mb_per_s(benchmark, files: list[Path], what: str) -> None:
    size = sum(f.stat().st_size for f in files)
    if benchmark.stats is None:  # --benchmark-disable (the default): run once, nothing timed
        return
    mean = benchmark.stats.stats.mean
    benchmark.extra_info.update({"files": len(files), "bytes": size, f"{what}_mb_per_s": round(size / 1e6 / mean, 1)})


@pytest.mark.parametrize("provider", ["dais", "pipitlinq"])
def test_read_a_years_answers(benchmark, year_files: dict[str, list[Path]], provider: str) -> None:
    """formats.read_response over every answer file of one service: MB/s in extra_info (target ≥ 100 per core)."""
    files = year_files[provider]

    def read_all() -> int:
        return sum(read_response(f).rows_read for f in files)

    assert benchmark.pedantic(read_all, rounds=3, warmup_rounds=1) > 0
    _mb_per_s(benchmark, files, "read")


#: the columns ``inquiry link`` keeps of an answer file's found rows (inquiry/steps/link.py)
LINK_COLUMNS = [
    "inquiry_id", "person_id", "holder_kana", "holder_birth_date", "holder_address", "bank_code", "branch_code",
    "account_type", "account_number", "balance_yen", "account_status", "last_activity",
]  # fmt: skip


@pytest.mark.parametrize("provider", ["dais", "pipitlinq"])
def test_read_a_years_answers_projected(benchmark, year_files: dict[str, list[Path]], provider: str) -> None:
    """The projected read ``inquiry link`` needs (12 columns of the found rows): MB/s in extra_info."""
    files = year_files[provider]
    first = read_response(files[0])
    expected = first.rows.filter(pl.col("answer") == "found").select(LINK_COLUMNS)
    assert read_response(files[0], columns=LINK_COLUMNS, found_only=True).rows.equals(expected)

    def read_all() -> int:
        return sum(read_response(f, columns=LINK_COLUMNS, found_only=True).rows.height for f in files)

    assert benchmark.pedantic(read_all, rounds=3, warmup_rounds=1) > 0
    _mb_per_s(benchmark, files, "read")


@pytest.mark.parametrize("provider", ["dais", "pipitlinq"])
def test_write_a_years_answers(benchmark, year_files: dict[str, list[Path]], provider: str) -> None:
    """The codec's encoder over the frames of every answer file (bytes built, not written): MB/s in extra_info.

    The frames re-encode to the very bytes the simulated banks wrote (asserted),
    so this is also the writers' byte-for-byte check on a year of files.
    """
    jobs = []
    for f in year_files[provider]:
        parsed = read_response(f)
        header = {k: parsed.header[k] for k in ("municipality_code", "created_on", "seq") if k in parsed.header}
        jobs.append(((parsed.direction, parsed.kind), parsed.rows.drop("line"), header, f))

    def encode_file(file: tuple[str, str], frame: pl.DataFrame, header: dict) -> bytes:
        return encode(provider, *file, frame, header)[0]

    for file, frame, header, f in jobs[:3]:
        assert encode_file(file, frame, header) == f.read_bytes()
    benchmark.pedantic(lambda: [encode_file(file, frame, header) for file, frame, header, _ in jobs], rounds=3, warmup_rounds=1)
    _mb_per_s(benchmark, year_files[provider], "write")
