"""Damaged pipitLINQ files never raise anything but FileRejected, and every data row is accounted for."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from formats import FileRejected, read_file
from formats._layout import load_pipitlinq

HEADER = ",".join(load_pipitlinq().file("response", "basic").labels)
GOOD = [
    "Q1,P1,山田　太郎,東京都,該当あり,1,0005,みずほ銀行,041,新宿,普通,1234567,ヤマダ　タロウ,3450312,東京,-5,5081031,,,通常,",
    'Q2,P2,"鈴木,""花子""",東京都,該当なし' + "," * 16,
    "Q3,P3,佐藤,東京都,照会不能" + "," * 15 + "口座凍結中",
    "Q4,P4,高橋,東京都,該当あり,1,9900,ゆうちょ銀行,10530,,普通,12345671,タカハシ,,,0,5081031,,,休眠,",
]
BASE = ("\ufeff" + "\r\n".join([HEADER, *GOOD * 3]) + "\r\n").encode("utf-8")
NOISE = [b'"', b",", b"\r\n", b"\n", b"\xff", b"\x00", b"x", b"\xe3\x81", b""]


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(len(HEADER.encode()) + 5, len(BASE) - 1), st.sampled_from(NOISE), st.integers(0, 3)), min_size=1, max_size=6))
def test_damage_never_escapes(edits: list[tuple[int, bytes, int]]) -> None:
    data = bytearray(BASE)
    for pos, noise, cut in sorted(edits, reverse=True):
        data[pos : pos + cut] = noise
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "a.csv"
        path.write_bytes(bytes(data))
        try:
            parsed = read_file(path)
        except FileRejected as exc:
            assert exc.line >= 1 and exc.reason
            return
    assert parsed.rows_read == parsed.rows.height + parsed.rejects.height
    n_lines = bytes(data).count(b"\n") + 1
    assert all(2 <= x <= n_lines for x in parsed.rows["line"].to_list() + parsed.rejects["line"].to_list())
    assert parsed.rows["line"].n_unique() == parsed.rows.height
