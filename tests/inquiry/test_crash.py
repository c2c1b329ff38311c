"""Killed at any point, a command leaves the store as before or after; re-run, it finishes the job.

Two workspaces go through the same commands: one uninterrupted (the
reference), one where every command is first started as a real process
(the ``inquiry`` command line) and killed with SIGKILL a random 0–N ms into
its work, several times, then run to the end. After every command the two
stores must hold the same rows (timestamps aside) — nothing lost, nothing
counted twice — the same files in ``outbox/`` and ``inbox/``, the same number
of deletion certificates, no ``.part`` or temporary file, an intact audit
chain and a sound SQLite file.

The child process imports the program before it says "ready", so the delay
is spent in the command itself (reading, the transaction, publishing files,
clean-ups) rather than in Python's start-up. N is the command's own duration
in the reference run.

The quick version (default run) uses a four-person office and two kills per
command; the long one (``-m slow``, and ``INQUIRY_SLOW_TESTS=1``) uses the
committed 300-person sample office answered by the simulated banks, with
twelve kills per command.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.inquiry._fixtures import (
    OFFICE_ARGS,
    age_answers,
    answer_outbox,
    cli,
    snapshot,
    write_office,
)

REPO = Path(__file__).resolve().parents[2]
SAMPLE_OFFICE = REPO / "sample_data" / "office"
SEED = int(os.environ.get("INQUIRY_CRASH_SEED", "20261123"))

_CHILD = """
import sys
from inquiry.cli import app
import inquiry.steps.prepare, inquiry.steps.sent, inquiry.steps.ingest, inquiry.steps.match, inquiry.steps.purge, inquiry.steps.nightly, inquiry.steps.exports
import matching, formats
print("ready", flush=True)
sys.argv = ["inquiry", *sys.argv[1:]]
app()
"""


@dataclass
class KillLog:
    """How the kills landed, for the assertion messages and the report."""

    outcomes: Counter = field(default_factory=Counter)
    delays_ms: list[int] = field(default_factory=list)


def _audit_count(home: Path) -> int:
    con = sqlite3.connect(home / "store.sqlite3")
    try:
        return con.execute("SELECT count(*) FROM audit").fetchone()[0]
    finally:
        con.close()


def _kill_at(args: list[str], delay: float, cwd: Path) -> bool:
    """Start the command, SIGKILL it ``delay`` seconds after it is ready; True if it was killed."""
    proc = subprocess.Popen([sys.executable, "-c", _CHILD, *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=cwd)
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(delay)
        killed = proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.wait(60)
        return killed and proc.returncode == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(60)


def _files(home: Path) -> dict[str, object]:
    certificates = [json.loads(p.read_text(encoding="utf-8")) for p in (home / "reports").glob("purge-*.json")]
    return {
        "outbox": sorted(p.name for p in (home / "outbox").iterdir()),
        "inbox": sorted(p.name for p in (home / "inbox").iterdir() if p.is_file()),
        # purges that deleted store records (a re-run may delete report files a re-run wrote: more certificates)
        "store_purges": sum(
            1 for c in certificates if any(n for kind, n in c["counts"].items() if kind != "files")
        ),
    }


def _check_clean(home: Path) -> None:
    left = [str(p.relative_to(home)) for p in home.rglob("*") if p.name.endswith((".part", ".tmp"))]
    assert left == [], f"temporary files left: {left}"
    assert not (home / "store.sqlite3-journal").exists()
    con = sqlite3.connect(home / "store.sqlite3")
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()
    code, out = cli("audit", "verify", "--home", home)
    assert code == 0, out


Step = tuple[str, Callable[[Path], list[str]] | None, Callable[[Path], None] | None]


def _requests_answered(home: Path) -> list[str]:
    """The request files the banks answered (named as in outbox/, whether still there or not)."""
    answers = home.parent / (home.name + "-answers")
    return sorted(str(home / "outbox" / p.name.replace("_RES_", "_REQ_")) for p in answers.iterdir())


def _scenario(office: dict[str, Path], answer: Callable[[Path, Path], None], aged: list[str]) -> list[Step]:
    """(name, command args for a home, or None; a test-side action before it, or None)."""
    tomorrow_plus_60 = (dt.date.today() + dt.timedelta(days=61)).isoformat()

    def stage(home: Path) -> None:  # the banks answer what prepare wrote, before sent deletes it
        answer(home, home.parent / (home.name + "-answers"))

    def dais_to_inbox(home: Path) -> None:
        for f in sorted((home.parent / (home.name + "-answers")).glob("DAIS_*")):
            shutil.copy(f, home / "inbox" / f.name)

    def rest_to_inbox(home: Path) -> None:
        for f in sorted((home.parent / (home.name + "-answers")).glob("PIPITLINQ_*")):
            shutil.copy(f, home / "inbox" / f.name)

    payments = ["--payments", str(office["payments"])] if "payments" in office else []
    return [
        ("prepare", lambda h: ["prepare", "--home", str(h), "--master", str(office["master"]), "--institutions", str(office["institutions"]), *payments, "--as-of", "2026-10-01"], None),
        ("sent", lambda h: ["sent", "--home", str(h), *_requests_answered(h)], stage),
        ("ingest", lambda h: ["ingest", "--home", str(h)], dais_to_inbox),
        ("match", lambda h: ["match", "--home", str(h)], None),
        ("purge", lambda h: ["purge", "--home", str(h)], lambda h: age_answers(h, aged, 70)),
        ("nightly", lambda h: ["nightly", "--home", str(h), "--as-of", tomorrow_plus_60], rest_to_inbox),
    ]  # fmt: skip


def _run_scenario(tmp: Path, office: dict[str, Path], answer: Callable[[Path, Path], None], aged: list[str], kills: int) -> KillLog:
    ref, victim = tmp / "ref", tmp / "victim"
    for home in (ref, victim):
        code, out = cli("init", "--home", home, *OFFICE_ARGS)
        assert code == 0, out
    rng = random.Random(SEED)
    log = KillLog()
    for name, command, before in _scenario(office, answer, aged):
        for home in (ref, victim):
            if before is not None:
                before(home)
        start = time.perf_counter()
        ref_code, ref_out = cli(*command(ref))
        duration = time.perf_counter() - start
        assert ref_code in (0, 1), (name, ref_out)
        for _ in range(kills):
            delay = rng.uniform(0, duration * 1.2)
            log.delays_ms.append(round(delay * 1000))
            committed_before = _audit_count(victim)
            killed = _kill_at(command(victim), delay, tmp)
            committed = _audit_count(victim) > committed_before
            log.outcomes[f"{name}: " + ("finished before the kill" if not killed else "killed after a commit" if committed else "killed, nothing committed")] += 1
        code, out = cli(*command(victim))
        assert code == ref_code, f"{name}: exit {code} after kills, {ref_code} uninterrupted\n{out}"
        _check_clean(victim)
        _check_clean(ref)
        assert _files(victim) == _files(ref), name
        got, want = snapshot(victim / "store.sqlite3"), snapshot(ref / "store.sqlite3")
        for table in want:
            assert got[table] == want[table], f"after {name} (kills: {dict(log.outcomes)}): table {table} differs"
    return log


def _tiny_answer(home: Path, out: Path) -> None:
    out.mkdir(exist_ok=True)
    answer_outbox(home, into=out)


def test_killed_commands_leave_nothing_lost_nothing_twice(tmp_path: Path) -> None:
    office = write_office(tmp_path / "office")
    log = _run_scenario(tmp_path, office, _tiny_answer, ["P001", "P002"], kills=2)
    print(f"\nkill points: {sum(log.outcomes.values())} {dict(log.outcomes)}")


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("INQUIRY_SLOW_TESTS"), reason="long crash test: set INQUIRY_SLOW_TESTS=1")
def test_killed_commands_on_the_sample_office(tmp_path: Path) -> None:
    from sample_data import BankWorld, generate_office

    world = BankWorld.from_office(generate_office(300, seed=20261123), seed=20261123)

    def answer(home: Path, out: Path) -> None:
        for req in sorted((home / "outbox").iterdir()):
            world.answer_file(req, out)

    office = {k: SAMPLE_OFFICE / f"{k}.csv" for k in ("master", "institutions", "payments")}
    master_ids = [line.split(",")[0].lstrip("\ufeff") for line in (SAMPLE_OFFICE / "master.csv").read_text(encoding="utf-8-sig").splitlines()[1:]]
    log = _run_scenario(tmp_path, office, answer, master_ids[:100], kills=int(os.environ.get("INQUIRY_CRASH_KILLS", "12")))
    print(f"\nkill points: {sum(log.outcomes.values())} {dict(log.outcomes)}")
    assert any("after a commit" in k for k in log.outcomes) and any("nothing committed" in k for k in log.outcomes)
