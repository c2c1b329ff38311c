"""``inquiry nightly``: every stage its own committed command, in order; the purge always runs.

Killing it at random points is in test_crash.py; here: the order, the exit
code (the worst stage), a failed stage not stopping the purge, and a re-run
changing nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
from pathlib import Path

import polars as pl
import pytest

import inquiry.steps.nightly
from inquiry.runtime.step import StepFailed, StepResult
from tests.inquiry._fixtures import answers_waiting, cli, snapshot

LATER = (dt.date.today() + dt.timedelta(days=61)).isoformat()


@pytest.fixture(scope="module")
def waiting(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace whose answers are waiting in inbox/."""
    return answers_waiting(tmp_path_factory.mktemp("waiting"))


@pytest.fixture()
def home(waiting: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(waiting, tmp_path / "ws"))


def _commands(home: Path) -> list[str]:
    with sqlite3.connect(home / "store.sqlite3") as con:
        return [r[0] for r in con.execute("SELECT command FROM audit ORDER BY seq")]


def test_stages_run_in_order_each_committed(home: Path) -> None:
    code, out = cli("nightly", "--home", home)
    stages = [c for c in _commands(home) if c.startswith("nightly ")]
    assert stages == [f"nightly {s}" for s in inquiry.steps.nightly.STAGES]  # every stage ran, once, in order
    assert list((home / "outbox").glob("*")) != []  # followups wrote the history requests
    assert len(list((home / "reports").glob("report-*.html"))) == 1  # and the report was made
    assert [p for p in (home / "inbox").iterdir() if p.is_file()] == []
    with sqlite3.connect(home / "store.sqlite3") as con:
        assert con.execute("SELECT count(*) FROM matches").fetchone()[0] == 8
    assert "夜間処理 (nightly)" in out and code == 0, out


def test_the_purge_of_nightly_applies_retention(home: Path) -> None:
    cli("nightly", "--home", home, "--as-of", LATER)
    with sqlite3.connect(home / "store.sqlite3") as con:
        assert con.execute("SELECT count(*) FROM answers").fetchone()[0] == 0
        assert con.execute("SELECT sum(count) FROM stats WHERE kind = 'answer'").fetchone()[0] == 8
        counts = json.loads(con.execute("SELECT counts FROM audit WHERE command = 'nightly purge'").fetchone()[0])
    assert counts["answers"] == 8
    assert len(list((home / "reports").glob("purge-*.txt"))) == 1


def test_worst_stage_decides_the_exit_code_and_the_purge_still_runs(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from inquiry.steps.purge import purge

    def failing(ctx):
        raise StepFailed("simulated: the inbox cannot be read")

    def rejecting(ctx):
        return StepResult(rejects=pl.DataFrame({"file": ["x.csv"], "line": [3], "reason": ["bad row"]}))

    monkeypatch.setattr(
        inquiry.steps.nightly,
        "_bodies",
        lambda as_of: [("ingest", lambda: failing), ("match", lambda: rejecting), ("followups", lambda: None), ("purge", lambda: purge(as_of))],
    )
    code, out = cli("nightly", "--home", home)
    assert code == 2
    assert "simulated: the inbox cannot be read" in out and "未導入" in out
    assert _commands(home)[-2:] == ["nightly match", "nightly purge"]  # the failed ingest committed nothing


def test_rerun_changes_nothing(home: Path) -> None:
    first = cli("nightly", "--home", home)[0]
    before = snapshot(home / "store.sqlite3")
    outbox = sorted(p.name for p in (home / "outbox").iterdir())
    assert cli("nightly", "--home", home)[0] == first
    assert snapshot(home / "store.sqlite3") == before
    assert sorted(p.name for p in (home / "outbox").iterdir()) == outbox


def test_not_a_workspace(tmp_path: Path) -> None:
    code, out = cli("nightly", "--home", tmp_path / "none")
    assert code == 2 and "init" in out


def test_ctrl_c_stops_the_job_and_rolls_back_the_stage_it_hit(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import signal

    from inquiry.steps.match import match

    def interrupted(ctx):
        ctx.store.conn.execute("DELETE FROM persons")  # work that must be rolled back
        os.kill(os.getpid(), signal.SIGINT)
        return StepResult()

    before = signal.getsignal(signal.SIGINT)  # default, or ignored when run as a background job
    monkeypatch.setattr(
        inquiry.steps.nightly, "_bodies", lambda as_of: [("ingest", lambda: interrupted), ("match", match), ("purge", lambda: pytest.fail("purge ran"))]
    )
    code, out = cli("nightly", "--home", home)
    assert code == 2 and "interrupted" in out
    assert [c for c in _commands(home) if c.startswith("nightly")] == []
    with sqlite3.connect(home / "store.sqlite3") as con:
        assert con.execute("SELECT count(*) FROM persons").fetchone()[0] == 4
    assert signal.getsignal(signal.SIGINT) is before  # handler given back


# -- one lock from the first stage to the last (issue 14, point 7) ------------------------
_PAUSED_NIGHTLY = """
import pathlib, sys, time
import inquiry.steps.nightly as nightly

home, flags = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
run_stage = nightly._run_stage


def pausing(*args, **kwargs):
    code = run_stage(*args, **kwargs)
    if args[1] == "ingest":  # between two stages: say so, and wait for the test to try its command
        (flags / "between").touch()
        deadline = time.monotonic() + 120
        while not (flags / "go").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
    return code


nightly._run_stage = pausing
sys.exit(nightly.run_nightly(home))
"""


def test_no_other_command_runs_between_the_stages_of_nightly(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import functools
    import subprocess
    import sys
    import time

    import inquiry.runtime.workspace
    from inquiry.runtime.lock import WorkspaceLock

    monkeypatch.setattr(inquiry.runtime.workspace, "WorkspaceLock", functools.partial(WorkspaceLock, wait_seconds=0.5))
    flags = tmp_path / "flags"
    flags.mkdir()
    job = subprocess.Popen(
        [sys.executable, "-c", _PAUSED_NIGHTLY, str(home), str(flags)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        deadline = time.monotonic() + 120
        while not (flags / "between").exists():
            assert job.poll() is None and time.monotonic() < deadline, "nightly never reached the end of its ingest"
            time.sleep(0.05)
        code, out = cli("purge", "--home", home, "--as-of", LATER)  # a command between ingest and match
        assert code == 2 and "another inquiry command is running" in out, out
        code, out = cli("match", "--home", home)
        assert code == 2 and "another inquiry command is running" in out, out
    finally:
        (flags / "go").touch()
        output = job.communicate(timeout=300)[0]
    assert job.returncode == 0, output
    commands = _commands(home)
    assert "purge" not in commands and "match" not in commands  # refused, not run later by someone else
    assert commands[-1] == "nightly purge"
    stages = [c for c in commands if c.startswith("nightly ")]
    assert commands[-len(stages) :] == stages  # the stages one after the other, nothing in between


def test_nightly_on_a_busy_workspace_refuses_whole(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import functools

    import inquiry.runtime.workspace
    from inquiry.runtime.lock import WorkspaceLock

    monkeypatch.setattr(inquiry.runtime.workspace, "WorkspaceLock", functools.partial(WorkspaceLock, wait_seconds=0.3))
    before = _commands(home)
    with WorkspaceLock(home / ".lock"):
        code, out = cli("nightly", "--home", home)
    assert code == 2 and "another inquiry command is running" in out and "nightly did not run" in out, out
    assert _commands(home) == before
