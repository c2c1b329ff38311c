"""Size limits of every file read, checked before it is loaded.

A file far larger than any office produces is a mistake (the wrong export,
a runaway join) or an attack; loading it whole would take the machine's
memory and the night with it. So every reader takes its bytes through
:func:`read_limited`, which refuses — with the file, its size and the limit
— before anything is parsed: the file size is checked while reading (never
more than ``max_bytes + 1`` bytes are read), then the number of lines (a
count of LF bytes, no parsing). One cell is limited by
:data:`MAX_FIELD_BYTES`, checked by the CSV splitter on the byte offsets
before any text is decoded; fixed-width fields are limited by their layout
widths. The values are stated in docs/decisions.md ("Size limits").
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from formats.errors import FileRejected

__all__ = ["INSTITUTIONS", "MASTER", "MAX_FIELD_BYTES", "PAYMENTS", "SERVICE_FILE", "Limit", "read_limited"]

MB = 1024 * 1024


@dataclass(frozen=True)
class Limit:
    """The most a file of one kind may hold: bytes, and data lines (the header row not counted)."""

    kind: str
    max_bytes: int
    max_rows: int


#: 滞納者一覧: a 政令市's whole delinquent list is about 100,000 persons of ~200-250 bytes; the
#: product is held to 1,000,000 persons (issue #10's L), so a list of that size must pass
MASTER = Limit("滞納者一覧 (master)", 320 * MB, 1_000_000)
#: 照会先金融機関 (and each per-service list): all of Japan's institutions are ~1,200
INSTITUTIONS = Limit("照会先金融機関 (institutions)", 5 * MB, 20_000)
#: 収納情報: a payments feed of one export period
PAYMENTS = Limit("収納情報 (payments)", 100 * MB, 1_000_000)
#: a DAIS or pipitLINQ file (answers, and requests read back): 10,000 inquiries × many accounts or transactions
SERVICE_FILE = Limit("DAIS / pipitLINQ ファイル", 256 * MB, 1_000_000)

#: the longest cell of any CSV, in UTF-8 bytes: 1,000 kanji (an address is under 100)
MAX_FIELD_BYTES = 3_000


def read_limited(path: Path, limit: Limit) -> bytes:
    """The file's bytes, or :class:`FileRejected` when it is larger than ``limit`` allows.

    A regular file over the limit is refused from its size, unread; otherwise
    at most ``limit.max_bytes + 1`` bytes are read, so a file that grows while
    it is read, or a pipe that never ends, cannot exhaust memory either.
    """
    too_big = f"ファイルが大きすぎます (file larger than {limit.max_bytes // MB:,} MB, the limit for a {limit.kind} file); not loaded"
    try:
        with path.open("rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > limit.max_bytes:  # a regular file: refused without reading
                raise FileRejected(path, 0, too_big)
            # asked for its size (+1, to see growth) rather than the limit: a request of the limit's size
            # makes Python allocate that much and shrink it, which costs more than the read
            data = fh.read(size + 1)
            if len(data) > size:  # it grew while read (or is a pipe, size 0): the rest, up to the limit
                data += fh.read(limit.max_bytes + 1 - len(data))
    except OSError as exc:
        raise FileRejected(path, 0, f"ファイルを読めません (cannot read the file: {exc.strerror or exc})") from None
    if len(data) > limit.max_bytes:
        raise FileRejected(path, 0, too_big)
    # the header row (or DAIS header) not counted; numpy counts LF bytes several times faster than bytes.count
    lines = int(np.count_nonzero(np.frombuffer(data, dtype=np.uint8) == 0x0A)) + (0 if data.endswith(b"\n") else 1) - 1
    if lines > limit.max_rows:
        raise FileRejected(path, 0, f"行数が多すぎます ({lines:,} lines; a {limit.kind} file holds at most {limit.max_rows:,}); not loaded")
    return data
