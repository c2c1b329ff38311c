"""``python -m benchmarks.snapshot`` for real at a tiny size: every command's output kept, masked, comparable.

The tool is how a restructuring is shown to change nothing (issue #11), so it
must itself hold: every command ran (none failed), what users see is kept,
the masks leave no time or workspace path behind, and ``--compare`` finds a
changed byte.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.snapshot import compare

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def snap(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("snap") / "run"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.snapshot", str(work), "--persons", "150", "--seed", "3"], cwd=ROOT, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return work / "out"


def test_every_command_ran_and_what_users_see_is_kept(snap: Path) -> None:
    screens = sorted(p.name for p in snap.glob("*.txt"))
    assert len(screens) == 23 and screens[0] == "00-init.txt" and screens[-1] == "22-audit-verify-after.txt"
    for screen in snap.glob("*.txt"):
        last = screen.read_text(encoding="utf-8").rstrip().rsplit("\n", 1)[-1]
        assert last in ("exit 0", "exit 1"), (screen.name, last)  # done, or done with rejects: never failed
    for kept in ("exports/matches.csv", "exports/outcomes.csv", "exports/followups.csv", "link/matches.csv", "store-before-purge.jsonl", "store-after-purge.jsonl"):
        assert (snap / kept).is_file(), kept
    assert list((snap / "outbox-basic").iterdir()) and list((snap / "reports").glob("report-*.html"))


def test_no_time_or_path_is_left_unmasked(snap: Path) -> None:
    text = "\n".join(p.read_bytes().decode("utf-8", "replace") for p in snap.rglob("*") if p.is_file())
    assert str(snap.parent) not in text and str(ROOT) not in text
    assert "<datetime>" in text  # the audit entries' times were there, and are masked


def test_compare_finds_a_changed_byte_and_nothing_else(snap: Path, tmp_path: Path) -> None:
    copy = Path(shutil.copytree(snap, tmp_path / "copy"))
    assert compare(snap, copy) == []
    changed = copy / "exports" / "outcomes.csv"
    data = bytearray(changed.read_bytes())
    data[-2] ^= 1
    changed.write_bytes(bytes(data))
    (copy / "04-match.txt").unlink()
    assert compare(snap, copy) == ["04-match.txt", "exports/outcomes.csv"]
