"""formats.write_atomically: a file appears whole or not at all, whether given bytes or a writer."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import BinaryIO

import pytest

from formats.files import write_atomically


def test_a_writer_streams_into_the_file_and_bytes_given_come_back_with_their_digest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def write(fh: BinaryIO) -> None:
        for n in range(1000):
            fh.write(f"{n},ｶﾅ\r\n".encode())

    target = tmp_path / "out.csv"
    opened: list[str] = []
    real_open = Path.open
    monkeypatch.setattr(Path, "open", lambda self, *a, **k: opened.append(self.name) or real_open(self, *a, **k))
    assert write_atomically(target, write) is None  # no digest: the file written is not read back
    assert opened == []
    monkeypatch.undo()
    assert write_atomically(tmp_path / "b.csv", target.read_bytes()) == hashlib.sha256(target.read_bytes()).hexdigest()
    assert target.read_bytes().count(b"\r\n") == 1000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.csv", "out.csv"]


def test_a_writer_that_fails_leaves_neither_the_file_nor_its_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_bytes(b"yesterday's file\r\n")

    def write(fh: BinaryIO) -> None:
        fh.write(b"half a file")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomically(target, write)
    assert target.read_bytes() == b"yesterday's file\r\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]
