"""``python -m benchmarks.cycle`` for real at a tiny size: every step a child process of the CLI, measured.

One run (200 persons, about 25 s on the shared 2-core machine) serves every
test of the module; with the ``[splink]`` extra installed it also times the
Splink whole-command linker on the same answer files.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

ROOT = Path(__file__).resolve().parents[2]
HAS_SPLINK = importlib.util.find_spec("splink") is not None and importlib.util.find_spec("duckdb") is not None

PRODUCT_STEPS = [
    "init", "prepare", "sent", "ingest", "match", "followups",
    "sent (histories)", "ingest (histories)", "followups (summaries)",
    "report", "export matches", "export outcomes", "export followups", "purge",
]  # fmt: skip
#: peak RSS is measured on POSIX (wait4) and Windows (GetProcessMemoryInfo)
MEASURES_PEAK = hasattr(os, "wait4") or os.name == "nt"


@pytest.fixture(scope="module")
def cycle(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], list[dict], Path]:
    workdir = tmp_path_factory.mktemp("cycle") / "run"
    out = workdir.parent / "rows.json"
    argv = [sys.executable, "-m", "benchmarks.cycle", "--persons", "200", "--seed", "3", "--workdir", str(workdir), "--keep", "--json", str(out)]
    done = subprocess.run([*argv, *(["--splink"] if HAS_SPLINK else [])], check=False, capture_output=True, text=True, encoding="utf-8", cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done, json.loads(out.read_text(encoding="utf-8")), workdir


def test_every_step_runs_as_a_command_and_is_measured(cycle) -> None:
    done, rows, _ = cycle
    by_step = {r["step"]: r for r in rows}
    for name in [*PRODUCT_STEPS, "inquiry link"]:
        row = by_step[name]
        assert row["exit_code"] == 0, (name, Path(row["log"]).read_text(encoding="utf-8", errors="replace")[-2000:])
        assert row["seconds"] > 0
        assert row["product"] == (name != "inquiry link")
        if MEASURES_PEAK:
            assert row["peak_rss_mb"] > 20, name  # a Python with polars imported, at the least
        if row["cpu_seconds"] is not None:  # POSIX: the whole command's CPU, and its main thread's part of it
            assert 0 < row["main_thread_seconds"] <= row["cpu_seconds"] + 0.05, name
    # the generator and the simulated banks are timed but are not the product
    helpers = [r for r in rows if not r["product"] and r["step"] not in ("inquiry link", "splink link")]
    assert [r["step"].split(":")[0] for r in helpers] == ["(generate the office)", "(banks answer", "(banks answer histories"]
    table = done.stdout
    for name in PRODUCT_STEPS:
        assert f"| {name} | 0 |" in table
    total = sum(by_step[name]["seconds"] for name in PRODUCT_STEPS)
    assert f"| **product total** ({len(PRODUCT_STEPS)} commands) | 0 | **{total:.2f}** |" in table
    assert "before: load average" in table and "after: load average" in table or os.name == "nt"


def test_each_command_has_its_floor_and_the_total_adds_them(cycle) -> None:
    """The floor (its CPU over the cores, or its main thread's CPU, whichever is more) of every command, and their sum."""
    from benchmarks.cycle import Measure, floor_seconds

    done, rows, _ = cycle
    if rows[1]["cpu_seconds"] is None:
        pytest.skip("CPU time from wait4 on POSIX")
    cores = os.cpu_count() or 1
    assert f"| floor s ({cores} cores) |" in done.stdout
    floors = {}
    for row in rows:
        if row["step"] in [*PRODUCT_STEPS, "inquiry link"]:
            floors[row["step"]] = floor_seconds(Measure(**row), cores)
            assert floors[row["step"]] >= row["main_thread_seconds"] > 0
            line = next(x for x in done.stdout.splitlines() if x.startswith(f"| {row['step']} "))
            assert f"| {row['main_thread_seconds']:.1f} | {floors[row['step']]:.1f} |" in line
    (total,) = [x for x in done.stdout.splitlines() if x.startswith("| **product total**")]
    assert f"| {sum(floors[s] for s in PRODUCT_STEPS):.1f} |" in total


def test_the_commands_run_from_bytecode_as_an_installed_product_does(cycle) -> None:
    """``pip install`` compiles the modules; a checkout where ``PYTHONDONTWRITEBYTECODE`` is set would
    otherwise compile them from source in every command it times."""
    from benchmarks.cycle import PRODUCT_PACKAGES

    sources = [p for package in PRODUCT_PACKAGES for p in (ROOT / package).rglob("*.py")]
    assert len(sources) > 40
    stale = [p for p in sources if not Path(importlib.util.cache_from_source(str(p))).exists()]
    assert not stale, stale[:5]


def test_the_purge_is_a_year_on_and_deletes_everything(cycle) -> None:
    _, _, workdir = cycle
    (certificate,) = (workdir / "home" / "reports").glob("purge-*.json")
    counts = json.loads(certificate.read_text(encoding="utf-8"))["counts"]
    assert counts["persons"] == 200
    assert counts["inquiries"] > 0 and counts["answers"] > 0 and counts["transactions"] > 0


def test_inquiry_link_reads_the_same_answer_files_the_cycle_ingested(cycle) -> None:
    _, _, workdir = cycle
    answers = sorted(p.name for p in (workdir / "basic-answers").iterdir())
    assert any(n.startswith("DAIS_RES_") for n in answers) and any(n.startswith("PIPITLINQ_RES_") for n in answers)
    matches = pl.read_csv(workdir / "link" / "matches.csv", infer_schema=False)
    exported = pl.read_csv(workdir / "exports" / "matches.csv", infer_schema=False)
    assert matches.height > 0
    assert set(matches["account_key"]) == set(exported["account_key"])


@pytest.mark.skipif(not HAS_SPLINK, reason="Splink is an optional extra: pip install -e '.[splink]'")
def test_splink_runs_as_a_whole_command_on_the_same_files(cycle) -> None:
    done, rows, workdir = cycle
    row = next(r for r in rows if r["step"] == "splink link")
    assert row["exit_code"] == 0 and row["seconds"] > 0 and not row["product"]
    assert "| splink link (same answer files) | 0 |" in done.stdout
    ours = pl.read_csv(workdir / "link" / "matches.csv", infer_schema=False)
    theirs = pl.read_csv(workdir / "link" / "splink.csv", infer_schema=False)
    assert set(theirs["account_key"]) == set(ours["account_key"])
    assert set(theirs["class"]) <= {"CONFIRMED", "PROBABLE", "REVIEW", "HOMONYM", "UNMATCHED"}


_TWO_CHILDREN = """
import sys
from pathlib import Path
from benchmarks.cycle import run_child
big = run_child("big", [sys.executable, "-c", "b = bytearray(300 * 2**20); b[::4096] = b'x' * len(b[::4096])"], Path(sys.argv[1]) / "big.log")
small = run_child("small", [sys.executable, "-c", "pass"], Path(sys.argv[1]) / "small.log")
print(big.peak_rss_mb, small.peak_rss_mb, big.exit_code, small.exit_code)
"""


@pytest.mark.skipif(not hasattr(os, "wait4"), reason="peak RSS from wait4 on POSIX")
def test_each_childs_peak_is_its_own(tmp_path: Path) -> None:
    """A small command after a big one is measured small: not the largest child so far (RUSAGE_CHILDREN)."""
    # a fresh small driver, as benchmarks.cycle is: Linux carries the parent's high-water mark into the child
    done = subprocess.run([sys.executable, "-c", _TWO_CHILDREN, str(tmp_path)], capture_output=True, text=True, cwd=ROOT, timeout=120, check=True)
    big, small, *codes = done.stdout.split()
    assert codes == ["0", "0"]
    assert float(big) >= 300
    assert float(small) < 100


def test_relink_times_the_link_commands_again_on_the_kept_files(cycle) -> None:
    _, _, workdir = cycle
    before = (workdir / "link" / "matches.csv").read_bytes()
    argv = [sys.executable, "-m", "benchmarks.cycle", "--relink", "--workdir", str(workdir)]
    done = subprocess.run(argv, check=False, capture_output=True, text=True, encoding="utf-8", cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "| inquiry link (same answer files) | 0 |" in done.stdout
    assert "product total" not in done.stdout and "splink link" not in done.stdout
    assert (workdir / "link" / "matches.csv").read_bytes() == before  # the same files, the same answer


def test_the_examples_in_the_cycles_docstrings_hold() -> None:
    """``benchmarks/`` is not among the doctest paths (its pytest-benchmark files would run there): its examples run here."""
    import doctest

    import benchmarks.cycle

    result = doctest.testmod(benchmarks.cycle)
    assert result.attempted >= 3 and result.failed == 0
