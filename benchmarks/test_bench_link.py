"""Speed and memory of the matching core (pytest-benchmark).

Sizes (``BENCH_SIZE``, default ``S``, which runs in CI):

- ``S``: 5,000 persons;
- ``M``: 52,668 persons, each asked at every default institution (~20);
- ``L``: 1,000,000 persons, asked at ~30 % of them (~3 M account records).

Targets: ``M`` end-to-end ``link()`` <= 10 s; ``L`` <= 120 s with peak RSS
<= 8 GB. Peak memory is the peak RSS (``VmHWM``) of a subprocess that only
reads the inputs and links them (tracemalloc does not see polars'
allocations, and ``ru_maxrss`` survives ``exec`` on Linux). The
synthetic case is built once and cached as parquet under ``BENCH_CACHE``
(default: the system temp folder). Run::

    BENCH_SIZE=M pytest benchmarks/test_bench_link.py --benchmark-enable
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import polars as pl
import pytest

from benchmarks.quality import build_case, save_case
from matching import link
from matching.blocking import LinkFrames, candidate_pairs
from matching.link import build_frames, normalise_accounts, normalise_persons
from matching.scoring import score_pairs

SIZES = {"S": (5_000, 1.0), "M": (52_668, 1.0), "L": (1_000_000, 0.3)}
SIZE = os.environ.get("BENCH_SIZE", "S").upper()
PERSONS, FRACTION = SIZES[SIZE]
SEED = 1
TARGET_SECONDS = {"M": 10.0, "L": 120.0}
TARGET_PEAK_MB = {"L": 8 * 1024.0}
ROUNDS = 3 if SIZE == "S" else 1


@pytest.fixture(scope="module")
def case_dir() -> Path:
    root = Path(os.environ.get("BENCH_CACHE", tempfile.gettempdir()))
    folder = root / f"inquiry-bench-{SIZE}-{PERSONS}-{FRACTION}-seed{SEED}"
    if not (folder / "meta.json").exists():
        save_case(build_case(PERSONS, SEED, request_fraction=FRACTION), folder)
    return folder


@pytest.fixture(scope="module")
def inputs(case_dir: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    return pl.read_parquet(case_dir / "accounts.parquet"), pl.read_parquet(case_dir / "persons.parquet")


@pytest.fixture(scope="module")
def frames(inputs: tuple[pl.DataFrame, pl.DataFrame]) -> LinkFrames:
    accounts, persons = inputs
    return build_frames(normalise_accounts(accounts), *normalise_persons(persons))


def test_candidate_generation(benchmark, frames: LinkFrames) -> None:
    pairs = benchmark.pedantic(candidate_pairs, args=(frames,), rounds=ROUNDS, iterations=1)
    benchmark.extra_info.update(size=SIZE, accounts=frames.accounts.height, pairs=pairs.height)
    assert pairs.height >= frames.accounts.height * 0.9  # nearly every account meets someone
    assert pairs.height <= frames.accounts.height * 50  # and never the whole master


def test_scoring(benchmark, frames: LinkFrames) -> None:
    pairs = candidate_pairs(frames)
    scored = benchmark.pedantic(score_pairs, args=(frames, pairs), rounds=ROUNDS, iterations=1)
    benchmark.extra_info.update(size=SIZE, pairs=pairs.height)
    assert scored.height == pairs.height
    assert scored.get_column("score").is_between(0.0, 1.0).all()


def test_link_end_to_end(benchmark, inputs: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    accounts, persons = inputs
    result = benchmark.pedantic(link, args=(accounts, persons), rounds=ROUNDS, iterations=1)
    benchmark.extra_info.update(size=SIZE, persons=persons.height, account_records=accounts.height)
    assert result.height == accounts.get_column("account_key").n_unique()


def test_link_time_and_peak_memory_in_a_subprocess(case_dir: Path) -> None:
    """Wall time and peak RSS of a process that reads the inputs and links them."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.quality", "--link-only", str(case_dir)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    run = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"\n{SIZE}: {run}")
    assert run["accounts"] > 0
    if SIZE in TARGET_SECONDS:
        assert run["seconds"] <= TARGET_SECONDS[SIZE], run
    if SIZE in TARGET_PEAK_MB:
        assert run["peak_rss_mb"] <= TARGET_PEAK_MB[SIZE], run
