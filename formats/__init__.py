"""Layouts as data and the codecs that read and write them.

Knows nothing of the store or the command line: bytes in, typed polars frames
out (and back), with every rejected row reported with its file and line.
"""

__all__: list[str] = []

# Provider files (DAIS fixed width, pipitLINQ CSV), ゆうちょ 記号番号.
from formats.errors import FileRejected, LayoutError, WriteError  # noqa: E402
from formats.files import (  # noqa: E402
    MAX_INQUIRIES_PER_FILE,
    ParsedFile,
    ResponseFile,
    WriteResult,
    read_file,
    read_request,
    read_response,
    request_file_name,
    write_request,
    write_response,
)
from formats._layout import FRAME_SCHEMAS  # noqa: E402
from formats.yucho import account_key  # noqa: E402

__all__ += [
    "FileRejected",
    "LayoutError",
    "WriteError",
    "MAX_INQUIRIES_PER_FILE",
    "ParsedFile",
    "ResponseFile",
    "WriteResult",
    "read_file",
    "read_request",
    "read_response",
    "request_file_name",
    "write_request",
    "write_response",
    "account_key",
    "FRAME_SCHEMAS",
]
