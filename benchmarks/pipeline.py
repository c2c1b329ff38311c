"""The whole cycle at any size, timed step by step: ``python -m benchmarks.pipeline PERSONS SEED``.

Runs the real steps (prepare, sent, ingest, match, followups, report,
exports) through :func:`inquiry.step.run_step` on a new workspace in the
system temp folder; only the banks are simulated. Prints each step's wall
time and the peak RSS of the process (POSIX).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.quality import _peak_rss_mb
from inquiry.exports import export
from inquiry.followups import followups
from inquiry.ingest import ingest
from inquiry.match import match
from inquiry.prepare import PrepareOptions, prepare
from inquiry.report import report
from inquiry.sent import sent
from inquiry.settings import Settings
from inquiry.step import StepResult, run_step
from inquiry.workspace import Workspace
from sample_data.generator import generate_office
from sample_data.simulator import BankWorld


def main(persons: int, seed: int) -> None:
    home = Path(tempfile.gettempdir()) / f"inquiry-pipeline-{persons}"
    shutil.rmtree(home, ignore_errors=True)
    started = time.perf_counter()
    office = generate_office(persons, seed=seed)
    inputs = office.write(home / "office")
    print(f"generate {time.perf_counter() - started:.1f}s", flush=True)
    Workspace.init(home, Settings(municipality_code=office.municipality_code, municipality_name=office.municipality_name))
    world = BankWorld.from_office(office, seed=seed)

    def step(name: str, body: Callable[..., StepResult]) -> None:
        t = time.perf_counter()
        code = run_step(home, name, {}, body, quiet=True)
        print(f"{name}: exit {code} {time.perf_counter() - t:.1f}s", flush=True)

    step("prepare", prepare(PrepareOptions(inputs["master"], inputs["institutions"], payments=inputs["payments"], as_of=office.as_of)))
    requests = sorted((home / "outbox").iterdir())
    t = time.perf_counter()
    for r in requests:
        world.answer_file(r, home / "inbox")
    print(f"(simulated banks answer {len(requests)} files {time.perf_counter() - t:.1f}s)", flush=True)
    step("sent", sent(requests))
    step("ingest", ingest())
    step("match", match())
    step("followups", followups())
    step("report", report(None))
    step("export outcomes", export("outcomes", None))
    step("export matches", export("matches", None))
    print(f"peak RSS MB {_peak_rss_mb():.0f}")
    print(f"workspace: {home}")


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 1)
