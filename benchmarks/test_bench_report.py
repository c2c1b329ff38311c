"""Report generation on an M-size office: 52,668 persons, ~1 M inquiries, ~150 k accounts.

Run: ``pytest benchmarks/test_bench_report.py --benchmark-enable``
(``BENCH_REPORT_PERSONS=5000`` for a quick look). Building the synthetic
store takes a minute or two and is done once per session. Targets
(outputs.md, the brief): the whole ``inquiry report`` (HTML and xlsx) in at
most 10 s, the HTML at most 5 MB; the HTML and the xlsx are also timed apart.

Measured on a workspace made by the real pipeline (prepare → simulated banks
→ sent → ingest → match → followups; 52,668 persons, 928 k inquiries, 305 k
accounts of which 218 k homonyms), 2 cores, otherwise idle: the command in
6.6–8.5 s (median 7.5 s), the HTML 3.8 MB (the 2,000 nearest homonyms listed,
all in the xlsx), the xlsx 26 MB. On the synthetic store of this file (fewer
accounts) the command takes about 3.6 s. See docs/performance-history.md ("The report at M")
and docs/performance.md for the report now.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest

from inquiry.report.html import render_html
from inquiry.report.step import build_report
from inquiry.report.xlsx import write_xlsx
from inquiry.runtime.workspace import Workspace
from tests.inquiry._store_fixture import TODAY, make_workspace

PERSONS = int(os.environ.get("BENCH_REPORT_PERSONS", "52668"))
NOW = datetime(TODAY.year, TODAY.month, TODAY.day, 18, 0)


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    home = make_workspace(tmp_path_factory.mktemp("bench") / "ws", persons=PERSONS, banks_n=40, inquiries_per_person=19)
    return Workspace.open(home)


def test_bench_report_html(benchmark, office: Workspace) -> None:
    def run() -> str:
        with office.store() as store:
            return render_html(build_report(store, office.settings, NOW))

    html = benchmark.pedantic(run, rounds=1, iterations=1)
    size = len(html.encode("utf-8"))
    benchmark.extra_info["html_bytes"] = size
    assert size <= 5_000_000 or PERSONS < 52_668, f"report is {size:,} bytes"


def test_bench_report_command(benchmark, office: Workspace) -> None:
    """The whole step as an operator runs it: store reads, both files side by side, the audit."""
    from typer.testing import CliRunner

    from inquiry.cli import app

    def run() -> int:
        return CliRunner().invoke(app, ["report", "--home", str(office.home)]).exit_code

    assert benchmark.pedantic(run, rounds=1, iterations=1) == 0
    html = max((office.home / "reports").glob("report-*.html"), key=lambda p: p.stat().st_mtime)
    benchmark.extra_info["html_bytes"] = html.stat().st_size
    assert html.stat().st_size <= 5_000_000


def test_bench_report_xlsx(benchmark, office: Workspace, tmp_path: Path) -> None:
    with office.store() as store:
        rep = build_report(store, office.settings, NOW)
    path = benchmark.pedantic(write_xlsx, args=(rep, tmp_path / "report.xlsx"), rounds=1, iterations=1)
    benchmark.extra_info["xlsx_bytes"] = path.stat().st_size
    assert path.stat().st_size > 0
