"""Public entry points: read any provider file, write request and response files.

Readers recognise the file by content (never by name), return typed frames
with the canonical columns of docs/architecture.md, and account for every
data row: ``rows_read == rows.height + rejects.height``. A whole-file problem
(truncated transfer, count or total mismatch, unknown file) raises
:class:`~formats.errors.FileRejected`.

Writers build the whole file in memory, write it under a temporary name in
the target folder and rename it at the end, so that a writer killed half way
leaves no half file. A request file holds at most 10,000 inquiries; the
caller splits.

>>> import datetime as dt, tempfile, polars as pl
>>> frame = pl.DataFrame({"inquiry_id": ["R1"], "bank_code": ["0001"], "branch_code": [None],
...     "name_kana": ["ﾔﾏﾀﾞ ﾀﾛｳ"], "name_kanji": ["山田　太郎"], "birth_date": [dt.date(1970, 3, 12)],
...     "sex": [1], "postal_code": ["1600022"], "address": ["東京都新宿区新宿１－１"],
...     "other_names_kana": [None], "as_of": [dt.date(2026, 11, 1)]})
>>> folder = Path(tempfile.mkdtemp())
>>> name = request_file_name("dais", "131041", dt.date(2026, 11, 23), 1)
>>> name
'DAIS_REQ_131041_20261123_0001.dat'
>>> result = write_request("dais", "basic", frame, folder / name, municipality_code="131041",
...     municipality_kana="ｼﾝｼﾞﾕｸｸ", created_on=dt.date(2026, 11, 23), seq=1)
>>> parsed = read_request(result.path)
>>> (parsed.provider, parsed.kind, parsed.rows_read, parsed.rows["name_kanji"][0])
('dais', 'basic', 1, '山田\\u3000太郎')
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal, overload

import polars as pl

from formats._csv import read_csv, write_csv
from formats._fixed import TRUNCATION_SCHEMA, read_fixed, write_fixed
from formats._layout import FRAME_SCHEMAS, Kind, load_dais, load_pipitlinq
from formats._recognise import recognise
from formats.errors import FileRejected, WriteError
from formats.limits import SERVICE_FILE, read_limited

__all__ = [
    "MAX_INQUIRIES_PER_FILE",
    "ParsedFile",
    "ResponseFile",
    "WriteResult",
    "read_file",
    "read_request",
    "read_response",
    "write_request",
    "write_response",
    "request_file_name",
    "sha256_of",
    "write_atomically",
]

MAX_INQUIRIES_PER_FILE = 10_000

Provider = Literal["dais", "pipitlinq"]


@dataclass(frozen=True)
class ParsedFile:
    """One provider file read: typed rows, rejected rows, and what the header said.

    ``header`` holds the DAIS header fields (``municipality_code``,
    ``created_on``, ``seq``, ...) and the trailer under ``"trailer"``; for
    pipitLINQ the header row's labels under ``"columns"``.

    ``rows_read`` is every data row of the file and ``rejects`` every row
    rejected, also when a projected read (``found_only``) returns only some
    of the accepted rows: ``rows_accepted`` is ``rows_read - rejects.height``.
    """

    path: Path
    provider: str
    direction: str
    kind: str
    header: dict[str, Any]
    rows: pl.DataFrame
    rejects: pl.DataFrame
    rows_read: int
    sha256: str | None

    @property
    def rows_accepted(self) -> int:
        """The data rows accepted: those of ``rows`` on a whole read (rows read = accepted + rejected)."""
        return self.rows_read - self.rejects.height


#: The name docs/architecture.md uses for a parsed response.
ResponseFile = ParsedFile


@dataclass(frozen=True)
class WriteResult:
    """A file written: where, how many data rows, its digest, and every truncated value.

    ``truncations`` has columns ``row`` (0-based row of the frame given),
    ``field``, ``original``, ``written``.
    """

    path: Path
    rows: int
    sha256: str
    truncations: pl.DataFrame


def read_file(
    path: str | Path, *, columns: Sequence[str] | None = None, found_only: bool = False, digest: bool = True
) -> ParsedFile:
    """Read any DAIS or pipitLINQ request or response file, recognised by its content.

    A caller that needs less than the whole frame says so, and the codec does
    not decode what it would throw away: ``columns`` (names of the frame's
    columns, ``line`` included, in the order wanted) and ``found_only``
    (response files: only the rows whose ``answer`` is ``found``). The rows
    returned are the whole read's ``rows.filter(answer == "found")
    .select(columns)``; every row is still checked exactly as on a whole
    read, so ``rejects`` and ``rows_read`` are the same (see
    :attr:`ParsedFile.rows_accepted`). A name that is not a column of the
    file's frame raises :class:`ValueError`, as does ``found_only`` on a
    request file.

    ``digest=False``: the file's SHA-256 is not computed (``sha256`` is
    None), for a caller that records nothing of the file (``inquiry link``):
    hashing is a pass over every byte, about a twentieth of a read.
    """
    return _read(Path(path), columns, found_only, None, digest)


#: what read_response / read_request say of a file of the other direction
_OTHER_DIRECTION = {
    "response": "回答ファイルではありません (a {provider} {kind} request file, not a response)",
    "request": "照会ファイルではありません (a {provider} {kind} response file, not a request)",
}


def _read(path: Path, columns: Sequence[str] | None, found_only: bool, direction: str | None, digest: bool = True) -> ParsedFile:
    """:func:`read_file`; a file not of ``direction`` (when given) is rejected whole, before its rows are read."""
    data = read_limited(path, SERVICE_FILE)
    sha256 = hashlib.sha256(data).hexdigest() if digest else None
    found = recognise(data, path)
    if direction is not None and found.direction != direction:
        raise FileRejected(path, 1, _OTHER_DIRECTION[direction].format(provider=found.provider, kind=found.kind))
    wanted = None if columns is None else list(columns)
    if wanted is not None or found_only:
        schema = {"line": None, **FRAME_SCHEMAS[(found.direction, found.kind)]}
        unknown = [c for c in wanted or [] if c not in schema]
        if unknown or (wanted is not None and (len(set(wanted)) != len(wanted) or not wanted)):
            raise ValueError(f"columns {unknown or wanted} are not distinct columns (at least one) of a {found.direction} {found.kind} frame ({list(schema)})")
        if found_only and "answer" not in schema:
            raise ValueError(f"found_only reads response files; {path} is a {found.provider} {found.kind} {found.direction} file")
    if found.provider == "dais":
        layout = load_dais()
        got = read_fixed(layout, layout.file(found.direction, found.kind), data, path, columns=wanted, found_only=found_only)
        header: dict[str, Any] = {**got.header, "trailer": got.trailer}
    else:
        layout_c = load_pipitlinq()
        got = read_csv(layout_c, layout_c.file(found.direction, found.kind), data, path, columns=wanted, found_only=found_only)  # type: ignore[assignment]
        header = dict(got.header)
    assert found_only or got.rows_read == got.rows.height + got.rejects.height
    return ParsedFile(
        path=path,
        provider=found.provider,
        direction=found.direction,
        kind=found.kind,
        header=header,
        rows=got.rows,
        rejects=got.rejects,
        rows_read=got.rows_read,
        sha256=sha256,
    )


def read_response(
    path: str | Path, *, columns: Sequence[str] | None = None, found_only: bool = False, digest: bool = True
) -> ParsedFile:
    """Read a response file; a request file (or anything else) is rejected whole.

    ``columns`` / ``found_only``: a projected read (:func:`read_file`), e.g.
    ``read_response(p, columns=["inquiry_id", "holder_kana"], found_only=True)``
    for the found accounts' names only; ``digest=False``: no SHA-256 (``sha256`` is None).
    """
    return _read(Path(path), columns, found_only, "response", digest)


def read_request(path: str | Path) -> ParsedFile:
    """Read a request file (the bank simulator's side); a response is rejected whole."""
    return _read(Path(path), None, False, "request")


def request_file_name(provider: Provider, municipality_code: str, created_on: _dt.date, seq: int) -> str:
    """Spec naming: ``DAIS_REQ_<municipality>_<YYYYMMDD>_<seq4>.dat`` / ``PIPITLINQ_REQ_..._.csv``."""
    template = _layout_of(provider).request_file_name
    return template.format(municipality=municipality_code, date=created_on.strftime("%Y%m%d"), seq=seq)


def _layout_of(provider: str) -> Any:
    if provider == "dais":
        return load_dais()
    if provider == "pipitlinq":
        return load_pipitlinq()
    raise ValueError(f"unknown provider '{provider}' (dais or pipitlinq)")


@overload
def write_atomically(path: Path, data: bytes | memoryview) -> str: ...
@overload
def write_atomically(path: Path, data: Callable[[BinaryIO], object]) -> None: ...
def write_atomically(path: Path, data: bytes | memoryview | Callable[[BinaryIO], object]) -> str | None:
    """Write ``data`` at ``path`` whole or not at all, readable by the owner only; return the SHA-256 of
    the bytes when bytes are given.

    A temporary name beside it (``.<name>.<pid>.tmp``: hidden, and removed by the
    workspace's recovery if the process is killed), fsync, then an atomic rename.
    ``data`` may also be a function that writes into the open file, so that a
    large output (``matches.csv`` at L is 600 MB) is never held whole in memory;
    nothing records such a file's digest (the CSVs people read), so none is
    made: that would read the whole file back.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o600), "wb") as fh:
            if callable(data):
                data(fh)
            else:
                fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return None if callable(data) else hashlib.sha256(data).hexdigest()


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file's bytes, as the audit trail and the file records keep it.

    Read in 1 MiB pieces: a file far over any size limit costs time, never memory.
    """
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        while piece := fh.read(1 << 20):
            digest.update(piece)
    return digest.hexdigest()


def _conform(frame: pl.DataFrame, direction: str, kind: str) -> pl.DataFrame:
    """Cast the frame's architecture columns to their types (a column of all None arrives untyped)."""
    for name, dtype in FRAME_SCHEMAS[(direction, kind)].items():
        if name in frame.columns and frame.schema[name] != dtype:
            try:
                frame = frame.with_columns(pl.col(name).cast(dtype))
            except pl.exceptions.PolarsError:
                raise WriteError(f"column {name} ({frame.schema[name]}) cannot be read as {dtype}", field=name) from None
    return frame


def encode(provider: str, direction: str, kind: str, frame: pl.DataFrame, header: dict[str, Any]) -> tuple[bytes, pl.DataFrame]:
    """A file's bytes (and the K fields cut to fit) from its frame, without writing anything.

    What :func:`write_request` / :func:`write_response` write; public so that
    a benchmark can time the encoder alone, without the disk.
    """
    layout = _layout_of(provider)
    fd = layout.file(direction, kind)
    frame = _conform(frame, direction, kind)
    if provider == "dais":
        return write_fixed(layout, fd, frame, header)
    return write_csv(layout, fd, frame), pl.DataFrame(schema=TRUNCATION_SCHEMA)


def _write(
    provider: str, direction: str, kind: str, frame: pl.DataFrame, path: str | Path, header: dict[str, Any]
) -> WriteResult:
    path = Path(path)
    data, truncations = encode(provider, direction, kind, frame, header)
    digest = write_atomically(path, data)
    return WriteResult(path=path, rows=frame.height, sha256=digest, truncations=truncations)


def write_request(
    provider: Provider,
    kind: Kind,
    frame: pl.DataFrame,
    path: str | Path,
    *,
    municipality_code: str,
    municipality_kana: str,
    created_on: _dt.date,
    seq: int,
) -> WriteResult:
    """Write one request file from a basic or history request frame (architecture.md columns).

    Values are written as given (names already in the service's kana form).
    A value a field cannot hold raises :class:`WriteError` naming the row and
    field; a K field that must be cut loses whole characters and the cut is
    listed in ``truncations``.
    """
    if frame.height > MAX_INQUIRIES_PER_FILE:
        raise WriteError(f"{frame.height} inquiries: a request file holds at most {MAX_INQUIRIES_PER_FILE}; split the frame")
    header = {"municipality_code": municipality_code, "municipality_kana": municipality_kana, "created_on": created_on, "seq": seq}
    return _write(provider, "request", kind, frame, path, header)


def write_response(
    provider: Provider,
    kind: Kind,
    frame: pl.DataFrame,
    path: str | Path,
    *,
    municipality_code: str,
    created_on: _dt.date,
    seq: int,
) -> WriteResult:
    """Write one response file (the simulated banks' side) from a basic or history response frame.

    DAIS trailer counts and the balance total are computed from the frame.
    For ゆうちょ in pipitLINQ, rows with ``passbook_symbol``/``passbook_number``
    are written with the 記号番号 in 支店番号/口座番号.
    """
    header = {"municipality_code": municipality_code, "created_on": created_on, "seq": seq}
    return _write(provider, "response", kind, frame, path, header)
