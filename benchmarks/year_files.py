"""A year's request and answer files on disk, for the codec benchmarks: ``python -m benchmarks.year_files PERSONS SEED OUT``.

Builds the generator's office (written as CSV), runs the real ``prepare``
step on a new workspace, and lets the simulated banks answer every request
file. Leaves ``OUT/office/master.csv``, ``OUT/outbox/*`` (request files) and
``OUT/inbox/*`` (answer files), so that a codec or a whole command
(``inquiry link``) can be timed on the same files again and again.
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

from inquiry.runtime.settings import Settings
from inquiry.runtime.step import run_step
from inquiry.runtime.workspace import Workspace
from inquiry.steps.prepare import PrepareOptions, prepare
from sample_data import BankWorld, generate_office


def build(persons: int, seed: int, home: Path) -> Path:
    """Write the office, its request files and the banks' answers under ``home`` (replaced); return ``home``."""
    shutil.rmtree(home, ignore_errors=True)
    t = time.perf_counter()
    office = generate_office(persons, seed=seed)
    inputs = office.write(home / "office")
    Workspace.init(home, Settings(municipality_code=office.municipality_code, municipality_name=office.municipality_name))
    run_step(home, "prepare", {}, prepare(PrepareOptions(inputs["master"], inputs["institutions"], payments=inputs["payments"], as_of=office.as_of)), quiet=True)
    world = BankWorld.from_office(office, seed=seed)
    for request in sorted((home / "outbox").iterdir()):
        world.answer_file(request, home / "inbox")
    print(f"{persons} persons, seed {seed}: {home} in {time.perf_counter() - t:.0f}s", flush=True)
    return home


if __name__ == "__main__":
    build(int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3]))
