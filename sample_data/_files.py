"""Files in and out: the office's CSV files, and the banks answering request files.

The only module of ``sample_data`` that touches the disk. The office's
inputs are written as an office's core system exports them (inputs.md:
UTF-8 with BOM, CRLF, empty fields empty, the payments with the Japanese
header labels); the banks read a request file with the product's own reader
(``formats.read_request``) and write the answer with its writer
(``formats.write_response``), named as the service names it.

>>> JAPANESE_HEADERS["person_id"]
'宛名番号'
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

import formats

if TYPE_CHECKING:
    from sample_data._banks import BankWorld
    from sample_data._office import Office

__all__ = ["JAPANESE_HEADERS", "write_office", "answer_file", "answer_outbox"]

#: the header labels of inputs.md, for the files written with Japanese headers
JAPANESE_HEADERS = {
    "person_id": "宛名番号",
    "name_kanji": "氏名",
    "name_kana": "カナ氏名",
    "other_names_kana": "旧氏名カナ",
    "birth_date": "生年月日",
    "sex": "性別",
    "postal_code": "郵便番号",
    "address": "住所",
    "address_history": "住所履歴",
    "arrears_yen": "滞納額",
    "fiscal_class": "年度区分",
    "staff_code": "処分担当",
    "target_banks": "照会先金融機関",
    "bank_code": "金融機関コード",
    "name": "金融機関名",
    "provider": "照会サービス",
    "default_target": "標準照会先",
    "requires_address": "住所必須",
    "paid_on": "納付日",
    "amount_yen": "納付額",
}


def write_office(office: Office, folder: str | Path, *, japanese_headers: Collection[str] = ("payments",)) -> dict[str, Path]:
    """Write master.csv, institutions.csv, payments.csv (UTF-8 with BOM, CRLF); the paths by name.

    The frames named in ``japanese_headers`` get the Japanese labels of
    inputs.md as header, so that readers are exercised with both.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, frame in (("master", office.master), ("institutions", office.institutions), ("payments", office.payments)):
        # an empty field is written empty (not as a quoted "")
        frame = frame.with_columns(pl.when(pl.col(pl.Utf8) != "").then(pl.col(pl.Utf8)))
        if name in japanese_headers:
            frame = frame.rename({c: JAPANESE_HEADERS[c] for c in frame.columns})
        path = folder / f"{name}.csv"
        text = frame.write_csv(line_terminator="\r\n", quote_style="necessary")
        path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
        written[name] = path
    return written


def answer_outbox(world: BankWorld, outbox: Path, inbox: Path) -> list[Path]:
    """Answer every request file waiting in ``outbox`` (as the services do) into ``inbox``; the requests answered."""
    requests = sorted(p for p in outbox.iterdir() if p.is_file() and not p.name.endswith(".part"))
    for req in requests:
        answer_file(world, req, inbox)
    return requests

def answer_file(world: BankWorld, request_path: str | Path, out_dir: str | Path) -> Path:
    """Read a request file (formats.read_request) and write the answer file into ``out_dir``; its path.

    The answer's name is the request's with ``_REQ_`` turned into ``_RES_``
    (basic) or ``_HRES_`` (history), else the service's own pattern.
    """
    parsed = formats.read_request(request_path)
    provider, kind = parsed.provider, parsed.kind
    if kind == "basic":
        frame = world.answer_frame(parsed.rows, provider)
    else:
        frame = world.answer_history_frame(parsed.rows)
    header = parsed.header
    municipality = str(header.get("municipality_code") or world.office.municipality_code)
    created = header.get("created_on") or world.office.as_of
    seq = int(header.get("seq") or 1)
    stem = Path(request_path).name
    if "_REQ_" in stem:
        name = stem.replace("_REQ_", "_RES_" if kind == "basic" else "_HRES_")
    else:
        ext = ".dat" if provider == "dais" else ".csv"
        name = f"{provider.upper()}_RES_{municipality}_{created:%Y%m%d}_{seq:04d}{ext}"
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    result = formats.write_response(provider, kind, frame, out / name, municipality_code=municipality, created_on=created, seq=seq)
    return result.path
