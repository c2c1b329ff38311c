"""Damaged DAIS files never raise anything but FileRejected, and every data record is accounted for."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from formats import FileRejected, read_file, write_response
from tests.formats.test_fixed import COMMON, basic_response_frame

with tempfile.TemporaryDirectory() as _d:
    BASE = write_response("dais", "basic", basic_response_frame(), Path(_d) / "a.dat", **COMMON).path.read_bytes()
NOISE = [b"X", b"\x81", b"\xfd", b"\r\n", b"-", b"9", b" ", "ア".encode("cp932")]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(BASE) - 1), st.sampled_from(NOISE), st.booleans()), min_size=1, max_size=4))
def test_damage_never_escapes(edits: list[tuple[int, bytes, bool]]) -> None:
    data = bytearray(BASE)
    for pos, noise, replace in sorted(edits, reverse=True):
        data[pos : pos + (len(noise) if replace else 0)] = noise
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "a.dat"
        path.write_bytes(bytes(data))
        try:
            parsed = read_file(path)
        except FileRejected as exc:
            assert exc.line >= 1 and exc.reason
            return
    assert parsed.rows_read == parsed.rows.height + parsed.rejects.height == 3
    assert sorted(parsed.rows["line"].to_list() + parsed.rejects["line"].to_list()) == [2, 3, 4]
