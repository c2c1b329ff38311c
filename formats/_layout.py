"""Layout definitions as data: load ``formats/layouts/*.toml`` and validate them.

The real DAIS and pipitLINQ layouts are not public, so an office must be able
to adapt ours to its vendor's specification by editing TOML, not code. This
module is the gate: a layout whose fixed-width records do not add up to the
record length, that names a code table that does not exist, or that maps a
field to a column the frames of docs/architecture.md do not have, is refused
when it is loaded, not when the first file is half written.

>>> layout = load_dais()
>>> [f.width for f in layout.records["end"].fields]
[1, 299]
>>> load_pipitlinq().files["request_history"].columns[1].const
'取引履歴'
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Literal

import polars as pl
from pydantic import BaseModel, ConfigDict, PositiveInt, ValidationError, model_validator

from formats.errors import LayoutError

__all__ = [
    "Direction",
    "Kind",
    "FRAME_SCHEMAS",
    "frame_schema",
    "FOUND",
    "FOUND_FIELD",
    "FixedField",
    "FixedRecord",
    "FixedFile",
    "FixedLayout",
    "CsvColumn",
    "CsvFile",
    "CsvLayout",
    "load_dais",
    "load_pipitlinq",
    "parse_fixed_layout",
    "parse_csv_layout",
]

Direction = Literal["request", "response"]
Kind = Literal["basic", "history"]

S, D, I8, I32, I64 = pl.Utf8, pl.Date, pl.Int8, pl.Int32, pl.Int64

#: The frames of docs/architecture.md, column order and types (``line`` is added by readers).
FRAME_SCHEMAS: dict[tuple[str, str], dict[str, pl.DataType]] = {
    ("request", "basic"): {
        "inquiry_id": S, "person_id": S, "staff_code": S, "fiscal_class": S,
        "bank_code": S, "branch_code": S, "name_kana": S, "name_kanji": S,
        "birth_date": D, "sex": I8, "postal_code": S, "address": S,
        "other_names_kana": S, "as_of": D,
    },
    ("request", "history"): {
        "inquiry_id": S, "person_id": S, "bank_code": S, "branch_code": S,
        "account_type": I8, "account_number": S, "holder_kana": S,
        "period_from": D, "period_to": D, "origin_inquiry_id": S,
    },
    ("response", "basic"): {
        "inquiry_id": S, "person_id": S, "inquired_name": S, "inquired_address": S,
        "answer": S, "detail_no": I32, "bank_code": S, "bank_name": S,
        "branch_code": S, "branch_name": S, "account_type": I8, "account_number": S,
        "passbook_symbol": S, "passbook_number": S, "holder_kana": S,
        "holder_birth_date": D, "holder_address": S, "balance_yen": I64,
        "balance_date": D, "opened_on": D, "last_activity": D,
        "account_status": S, "unable_reason": S,
    },
    ("response", "history"): {
        "inquiry_id": S, "answer": S, "bank_code": S, "branch_code": S,
        "account_type": I8, "account_number": S, "detail_no": I32, "tx_date": D,
        "description": S, "withdrawal_yen": I64, "deposit_yen": I64,
        "balance_yen": I64, "passbook_symbol": S, "passbook_number": S,
    },
}  # fmt: skip

#: a projected read's ``found_only`` keeps the rows whose ``answer`` is ``found`` (該当あり, in both services)
FOUND_FIELD, FOUND = "answer", "found"


def frame_schema(direction: str, kind: str) -> dict[str, pl.DataType]:
    """Schema of the frame a reader returns: ``line`` then the architecture columns."""
    return {"line": pl.Int64, **FRAME_SCHEMAS[(direction, kind)]}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ----------------------------------------------------------------- fixed width


class FixedField(_Model):
    """One field of a fixed-width record (one row of a spec table)."""

    name: str
    label: str
    type: Literal["N", "C", "K"]
    width: PositiveInt
    value: Literal["text", "int", "date", "code"] = "text"
    codes: str | None = None
    default: str | None = None
    const: str | None = None
    zero_is_null: bool = False
    sign_for: str | None = None
    overflow: Literal["truncate", "error"] = "truncate"
    first_of: str | None = None
    required: bool = False

    @model_validator(mode="after")
    def _coherent(self) -> FixedField:
        if self.type != "N" and self.value != "text":
            raise ValueError(f"{self.name}: only N fields read as {self.value}")
        if (self.value == "code") != (self.codes is not None):
            raise ValueError(f"{self.name}: value 'code' and 'codes' go together")
        if self.sign_for is not None and (self.type != "C" or self.width != 1):
            raise ValueError(f"{self.name}: a sign field is C1")
        if self.const is not None and len(self.const) != self.width:
            raise ValueError(f"{self.name}: const '{self.const}' is not {self.width} wide")
        return self

    @property
    def is_filler(self) -> bool:
        return self.name == "filler"


class FixedRecord(_Model):
    """One record type: its fields in order. Offsets are derived, never written down."""

    fields: list[FixedField]

    @property
    def offsets(self) -> list[int]:
        out, pos = [], 0
        for f in self.fields:
            out.append(pos)
            pos += f.width
        return out

    @property
    def width(self) -> int:
        return sum(f.width for f in self.fields)

    def field(self, name: str) -> tuple[int, FixedField]:
        """``(offset, field)`` of the named field."""
        for off, f in zip(self.offsets, self.fields):
            if f.name == name:
                return off, f
        raise KeyError(name)

    @model_validator(mode="after")
    def _record_type_first(self) -> FixedRecord:
        first = self.fields[0] if self.fields else None
        if first is None or first.name != "record_type" or first.const is None:
            raise ValueError("the first field of a record is record_type with a const (データ区分)")
        names = [f.name for f in self.fields if not f.is_filler]
        if len(names) != len(set(names)):
            raise ValueError(f"duplicate field names in {names}")
        for f in self.fields:
            if f.sign_for is not None and f.sign_for not in names:
                raise ValueError(f"{f.name}: sign of unknown field {f.sign_for}")
        return self


class FixedFile(_Model):
    """One of the four files: which records, which 種別, which trailer checks."""

    direction: Direction
    kind: Kind
    kind_code: str
    header: str
    data: str
    trailer: str
    end: str
    trailer_count: str
    trailer_hits: str | None = None
    hit_field: str | None = None
    hit_value: str | None = None
    trailer_total: str | None = None
    total_of: str | None = None


class FixedLayout(_Model):
    """A whole fixed-width provider: codes, records, files."""

    provider: str
    encoding: str
    record_length: PositiveInt
    request_file_name: str
    codes: dict[str, dict[str, str | int]] = {}
    files: dict[str, FixedFile]
    records: dict[str, FixedRecord]

    @model_validator(mode="after")
    def _consistent(self) -> FixedLayout:
        for rname, rec in self.records.items():
            if rec.width != self.record_length:
                raise ValueError(
                    f"record {rname}: widths add up to {rec.width}, not {self.record_length}"
                    f" ({' + '.join(str(f.width) for f in rec.fields)})"
                )
            for f in rec.fields:
                if f.codes is not None:
                    table = self.codes.get(f.codes)
                    if table is None:
                        raise ValueError(f"record {rname}: field {f.name} names unknown codes '{f.codes}'")
                    if any(len(k) != f.width or not k.isdigit() for k in table):
                        raise ValueError(f"codes {f.codes}: every code of {f.name} is {f.width} digit(s)")
                    if f.default is not None and f.default not in table:
                        raise ValueError(f"field {f.name}: default '{f.default}' is not a code")
        for table_name, table in self.codes.items():
            if len(set(table.values())) != len(table):
                raise ValueError(f"codes {table_name}: values must be distinct (the writer inverts them)")
        kind_codes = set()
        for fname, fd in self.files.items():
            for role in ("header", "data", "trailer", "end"):
                if getattr(fd, role) not in self.records:
                    raise ValueError(f"file {fname}: {role} record '{getattr(fd, role)}' is not defined")
            header = self.records[fd.header]
            if "kind_code" not in [f.name for f in header.fields]:
                raise ValueError(f"file {fname}: header has no kind_code (種別) field")
            kind_codes.add(fd.kind_code)
            trailer_names = {f.name for f in self.records[fd.trailer].fields}
            for attr in ("trailer_count", "trailer_hits", "trailer_total"):
                name = getattr(fd, attr)
                if name is not None and name not in trailer_names:
                    raise ValueError(f"file {fname}: {attr} '{name}' is not a trailer field")
            schema = FRAME_SCHEMAS[(fd.direction, fd.kind)]
            for f in self.records[fd.data].fields:
                if f.is_filler or f.const is not None or f.sign_for is not None:
                    continue
                if f.name not in schema:
                    raise ValueError(f"file {fname}: field {f.name} is not a column of the {fd.direction} {fd.kind} frame")
            data_names = {f.name for f in self.records[fd.data].fields}
            for attr in ("hit_field", "total_of"):
                name = getattr(fd, attr)
                if name is not None and name not in data_names:
                    raise ValueError(f"file {fname}: {attr} '{name}' is not a data field")
        if len(kind_codes) != len(self.files):
            raise ValueError("every file needs its own kind_code (種別)")
        return self

    def file(self, direction: str, kind: str) -> FixedFile:
        for fd in self.files.values():
            if fd.direction == direction and fd.kind == kind:
                return fd
        raise KeyError((direction, kind))


# ----------------------------------------------------------------- CSV


class CsvColumn(_Model):
    """One CSV column: header label, canonical name, how its text reads."""

    name: str
    label: str
    value: Literal["text", "digits", "int", "wareki", "code", "postal", "const"] = "text"
    codes: str | None = None
    const: str | None = None
    width: PositiveInt | None = None
    empty_means: int | None = None
    required: bool = False

    @model_validator(mode="after")
    def _coherent(self) -> CsvColumn:
        if (self.value == "code") != (self.codes is not None):
            raise ValueError(f"{self.name}: value 'code' and 'codes' go together")
        if (self.value == "const") != (self.const is not None):
            raise ValueError(f"{self.name}: value 'const' and 'const' go together")
        return self


class CsvFile(_Model):
    direction: Direction
    kind: Kind
    columns: list[CsvColumn]
    passbook_columns: bool = False

    @property
    def labels(self) -> list[str]:
        return [c.label for c in self.columns]


class CsvLayout(_Model):
    provider: str
    encoding: Literal["utf-8"]
    bom: bool
    line_end: Literal["\r\n", "\n"]
    request_file_name: str
    passbook_bank: str
    codes: dict[str, dict[str, str | int]] = {}
    files: dict[str, CsvFile]

    @model_validator(mode="after")
    def _consistent(self) -> CsvLayout:
        seen: set[tuple[str, ...]] = set()
        for table_name, table in self.codes.items():
            if len(set(table.values())) != len(table):
                raise ValueError(f"codes {table_name}: values must be distinct (the writer inverts them)")
        for fname, fd in self.files.items():
            labels = tuple(fd.labels)
            if labels in seen:
                raise ValueError(f"file {fname}: same header row as another file; readers could not tell them apart")
            seen.add(labels)
            if len(set(labels)) != len(labels):
                raise ValueError(f"file {fname}: duplicate header labels")
            schema = FRAME_SCHEMAS[(fd.direction, fd.kind)]
            for c in fd.columns:
                if c.codes is not None and c.codes not in self.codes:
                    raise ValueError(f"file {fname}: column {c.name} names unknown codes '{c.codes}'")
                if c.value != "const" and c.name not in schema:
                    raise ValueError(f"file {fname}: column {c.name} is not a column of the {fd.direction} {fd.kind} frame")
        return self

    def file(self, direction: str, kind: str) -> CsvFile:
        for fd in self.files.values():
            if fd.direction == direction and fd.kind == kind:
                return fd
        raise KeyError((direction, kind))


# ----------------------------------------------------------------- loading


def _parse(model: type[BaseModel], text: str, source: str) -> BaseModel:
    try:
        return model.model_validate(tomllib.loads(text))
    except (tomllib.TOMLDecodeError, ValidationError) as exc:
        raise LayoutError(f"layout {source} is invalid: {exc}") from None


def parse_fixed_layout(text: str, source: str = "<text>") -> FixedLayout:
    """Validate a fixed-width layout given as TOML text (an office's edited copy, tests)."""
    return _parse(FixedLayout, text, source)  # type: ignore[return-value]


def parse_csv_layout(text: str, source: str = "<text>") -> CsvLayout:
    """Validate a CSV layout given as TOML text."""
    return _parse(CsvLayout, text, source)  # type: ignore[return-value]


def _packaged(name: str) -> str:
    return resources.files("formats").joinpath("layouts", name).read_text(encoding="utf-8")


@cache
def load_dais() -> FixedLayout:
    """The DAIS layout shipped in ``formats/layouts/dais.toml``."""
    return parse_fixed_layout(_packaged("dais.toml"), "formats/layouts/dais.toml")


@cache
def load_pipitlinq() -> CsvLayout:
    """The pipitLINQ layout shipped in ``formats/layouts/pipitlinq.toml``."""
    return parse_csv_layout(_packaged("pipitlinq.toml"), "formats/layouts/pipitlinq.toml")
