"""Tell a provider file's service, direction and kind from its content, never its name.

Offices rename files, mail them, unzip them into the wrong folder; the name
proves nothing. A DAIS file starts with a header record (データ区分 ``1``)
whose 種別 names the kind (51/52/61/62 in the shipped layout) and has
300-byte records; a pipitLINQ file starts (after its BOM) with a header row
whose labels are exactly one of the four layouts' column lists.

>>> head = b"161131041202611230001".ljust(300) + b"\\r\\n"
>>> recognise(head, "x").provider, recognise(head, "x").direction, recognise(head, "x").kind
('dais', 'response', 'basic')
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from formats._csv import header_labels
from formats._layout import load_dais, load_pipitlinq
from formats._text import BOM
from formats.errors import FileRejected

__all__ = ["Recognised", "recognise"]


@dataclass(frozen=True)
class Recognised:
    provider: str  # "dais" | "pipitlinq"
    direction: str  # "request" | "response"
    kind: str  # "basic" | "history"


def _dais(data: bytes) -> Recognised | None:
    layout = load_dais()
    end = data.find(b"\n")
    first = data if end < 0 else data[:end]
    first = first[:-1] if first.endswith(b"\r") else first
    if len(first) != layout.record_length:
        return None
    for fd in layout.files.values():
        header = layout.records[fd.header]
        off, field = header.field("kind_code")
        if first[:1] == header.fields[0].const.encode() and first[off : off + field.width] == fd.kind_code.encode():  # type: ignore[union-attr]
            return Recognised(layout.provider, fd.direction, fd.kind)
    return None


def _pipitlinq(data: bytes) -> Recognised | None:
    layout = load_pipitlinq()
    labels = header_labels(data)
    for fd in layout.files.values():
        if labels == fd.labels:
            return Recognised(layout.provider, fd.direction, fd.kind)
    return None


def recognise(data: bytes, path: str | Path) -> Recognised:
    """Service, direction and kind of a file; :class:`FileRejected` when it is neither service's."""
    if not data:
        raise FileRejected(path, 1, "空のファイルです (empty file)")
    found = _dais(data) or _pipitlinq(data)
    if found is not None:
        return found
    if data.startswith(BOM) or b"," in data[: data.find(b"\n") if b"\n" in data else len(data)]:
        labels = header_labels(data)
        if labels is None:
            raise FileRejected(path, 1, "見出し行が UTF-8 ではありません (header row is not UTF-8: pipitLINQ files are UTF-8 with a BOM)")
        raise FileRejected(
            path, 1, f"pipitLINQ の見出し行として認識できません (unrecognised CSV header row: {labels}); expected one of the pipitLINQ layouts"
        )
    raise FileRejected(
        path,
        1,
        "DAIS / pipitLINQ のファイルとして認識できません (unrecognised file: neither a DAIS header record of 300 bytes"
        " with データ区分 1 and a known 種別, nor a pipitLINQ header row)",
    )
