"""Layouts as data and the codecs that read and write them.

Knows nothing of the store or the command line: bytes in, typed polars frames
out (and back), with every rejected row reported with its file and line.

- provider files (DAIS fixed width, pipitLINQ CSV): :func:`read_file`,
  :func:`read_request`, :func:`read_response`, :func:`write_request`,
  :func:`write_response`; layouts in ``formats/layouts/*.toml`` (an office's edited copy is
  checked by :func:`parse_fixed_layout` / :func:`parse_csv_layout`);
- the office's input CSVs: :func:`read_master`, :func:`read_institutions`,
  :func:`read_payments`;
- dates (西暦, 和暦, 和暦7桁) and ゆうちょ 記号番号 as column expressions;
- the rejects every reader reports (:data:`REJECT_SCHEMA`, :func:`rejects_frame`: file, line,
  reason), and the characters the readers refuse or clean (:data:`CONTROL_CHARS`,
  :data:`INVISIBLE`, :data:`LINE_LIKE`), for the callers that report or check the same way.
"""

from formats._layout import FRAME_SCHEMAS, parse_csv_layout, parse_fixed_layout
from formats._text import CONTROL_CHARS, INVISIBLE, LINE_LIKE, REJECT_SCHEMA, rejects_frame
from formats.dates import date_to_wareki7, date_to_yyyymmdd, parse_date, wareki7_to_date, yyyymmdd_to_date
from formats.errors import FileRejected, LayoutError, WriteError
from formats.files import (
    MAX_INQUIRIES_PER_FILE,
    ParsedFile,
    ResponseFile,
    WriteResult,
    encode,
    read_file,
    read_request,
    read_response,
    request_file_name,
    write_request,
    write_response,
)
from formats.inputs import DuplicateInstitutions, InputTable, read_institutions, read_master, read_payments
from formats.yucho import account_key

__all__ = [
    "CONTROL_CHARS",
    "FRAME_SCHEMAS",
    "INVISIBLE",
    "LINE_LIKE",
    "REJECT_SCHEMA",
    "MAX_INQUIRIES_PER_FILE",
    "DuplicateInstitutions",
    "FileRejected",
    "InputTable",
    "LayoutError",
    "ParsedFile",
    "ResponseFile",
    "WriteError",
    "WriteResult",
    "account_key",
    "date_to_wareki7",
    "date_to_yyyymmdd",
    "parse_csv_layout",
    "parse_date",
    "parse_fixed_layout",
    "read_file",
    "read_institutions",
    "read_master",
    "read_payments",
    "read_request",
    "read_response",
    "rejects_frame",
    "request_file_name",
    "wareki7_to_date",
    "write_request",
    "write_response",
    "encode",
    "yyyymmdd_to_date",
]
