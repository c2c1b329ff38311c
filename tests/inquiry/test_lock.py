"""Two commands on one workspace: the second waits briefly, then refuses clearly; nothing breaks.

The lock is the OS's (``flock``): a killed holder releases it at once.
"""

from __future__ import annotations

import functools
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import inquiry.runtime.workspace
from inquiry.runtime.lock import WorkspaceLock
from tests.inquiry._fixtures import cli

WAIT = 0.6


@pytest.fixture()
def home(answered: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(inquiry.runtime.workspace, "WorkspaceLock", functools.partial(WorkspaceLock, wait_seconds=WAIT))
    return Path(shutil.copytree(answered, tmp_path / "ws"))


def _audit_rows(home: Path) -> int:
    with sqlite3.connect(home / "store.sqlite3") as con:
        return con.execute("SELECT count(*) FROM audit").fetchone()[0]


def test_second_command_waits_then_refuses_and_commits_nothing(home: Path) -> None:
    before = _audit_rows(home)
    with WorkspaceLock(home / ".lock"):
        start = time.monotonic()
        code, out = cli("purge", "--home", home, "--as-of", "2099-01-01")
        waited = time.monotonic() - start
    assert code == 2
    assert "another inquiry command is running" in out and "nothing was committed" in out
    assert waited >= WAIT
    assert _audit_rows(home) == before
    with sqlite3.connect(home / "store.sqlite3") as con:
        assert con.execute("SELECT count(*) FROM persons").fetchone()[0] == 4  # the purge did not run


def test_a_lock_released_while_waiting_lets_the_command_run(home: Path) -> None:
    held = WorkspaceLock(home / ".lock").__enter__()
    threading.Timer(WAIT / 3, held.__exit__, (None, None, None)).start()
    code, out = cli("match", "--home", home)
    assert code == 0, out


def test_a_killed_holder_leaves_no_stale_lock(home: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from inquiry.runtime.lock import WorkspaceLock\n"
         "with WorkspaceLock(__import__('pathlib').Path(sys.argv[1])):\n print('held', flush=True); time.sleep(60)", str(home / ".lock")],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        code, out = cli("match", "--home", home)
        assert code == 2 and "another inquiry command" in out
        holder.send_signal(signal.SIGKILL)
        holder.wait(10)
    finally:
        holder.kill()
        holder.wait(10)
    code, out = cli("match", "--home", home)
    assert code == 0, out


def test_two_real_commands_at_once_both_finish_one_after_the_other(home: Path) -> None:
    before = _audit_rows(home)
    cmds = [[sys.executable, "-m", "inquiry", c, "--home", str(home)] for c in ("match", "ingest")]
    procs = [subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for c in cmds]
    outs = [p.communicate(timeout=120)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert _audit_rows(home) == before + 2
    code, out = cli("audit", "verify", "--home", home)
    assert code == 0, out
    with sqlite3.connect(home / "store.sqlite3") as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
