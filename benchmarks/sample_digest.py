"""A digest of everything ``sample_data`` produces for one office: ``python -m benchmarks.sample_digest PERSONS SEED WORKDIR DIGESTS``.

Why: ``sample_data`` is the ground truth every quality and speed figure of
the project is measured on, so a change to it that is meant to be a pure
restructuring must leave every byte of it as it was. This drives the
simulator the way ``inquiry demo`` and ``benchmarks.cycle`` do - the
generator's office written as CSV, the real ``prepare``, the simulated banks
answering the basic requests, ``sent``/``ingest``/``match``/``followups``,
the banks answering the history requests - and writes to ``DIGESTS`` one SHA-256 line per
file (the office's CSVs, every answer file of both rounds) and per ground
truth frame (people, addresses, true accounts, name frequencies, the banks'
truth and what they returned, written as CSV). Run it on two versions of the
code and ``diff`` the outputs; the request files and store are the
product's, not the simulator's, and are left out.

Answer file names carry the request's creation date (today), so compare runs
made on the same day.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

import polars as pl

from inquiry.runtime.settings import Settings
from inquiry.runtime.step import run_step
from inquiry.runtime.workspace import Workspace
from inquiry.steps.followups import followups
from inquiry.steps.ingest import ingest
from inquiry.steps.match import match
from inquiry.steps.prepare import PrepareOptions, prepare
from inquiry.steps.sent import sent
from sample_data import BankWorld, generate_office

__all__ = ["digest"]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def digest(persons: int, seed: int, home: Path) -> list[str]:
    """Run the two rounds on a new workspace ``home`` (replaced); return ``"sha256  name"`` lines, sorted by name."""
    shutil.rmtree(home, ignore_errors=True)
    office = generate_office(persons, seed=seed)
    inputs = office.write(home / "office")
    Workspace.init(home, Settings(municipality_code=office.municipality_code, municipality_name=office.municipality_name))
    world = BankWorld.from_office(office, seed=seed)
    opts = PrepareOptions(inputs["master"], inputs["institutions"], payments=inputs["payments"], as_of=office.as_of)
    codes = [run_step(home, "prepare", {}, prepare(opts), quiet=True)]
    lines = [f"{_sha(p.read_bytes())}  office/{p.name}" for p in inputs.values()]
    for _round in ("basic", "history"):
        requests = world.answer_outbox(home / "outbox", home / "inbox")
        # ingest takes the answer files out of inbox/: read them first
        lines += [f"{_sha(p.read_bytes())}  answers/{p.name}" for p in sorted((home / "inbox").iterdir()) if p.is_file()]
        codes += [run_step(home, "sent", {}, sent(requests), quiet=True), run_step(home, "ingest", {}, ingest(), quiet=True)]
        codes += [run_step(home, "match", {}, match(), quiet=True), run_step(home, "followups", {}, followups(), quiet=True)]
    if max(codes) == 2:
        raise SystemExit(f"a step failed (exit codes {codes}); see {home / 'logs'}")
    frames = {
        "people": office.people, "addresses": office.addresses, "accounts": office.truth, "name_frequencies": office.name_frequencies.sort("part", "kana"),  # a group_by: its row order is not defined
        "bank_accounts": world.accounts, "bank_truth": world.truth, "bank_returned": world.returned,
    }
    lines += [f"{_sha(frame.write_csv().encode('utf-8'))}  truth/{name}" for name, frame in frames.items()]
    return sorted(lines, key=lambda line: line.split("  ", 1)[1])


def main(argv: list[str]) -> int:
    persons, seed, home, out = int(argv[0]), int(argv[1]), Path(argv[2]), Path(argv[3])
    lines = digest(persons, seed, home)
    answers = sum(line.split("  ", 1)[1].startswith("answers/") for line in lines)
    out.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    print(f"# {persons} persons, seed {seed}: {len(lines)} digests, {answers} answer files; polars {pl.__version__}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
