"""A small, column-wise xlsx writer for the report's workbook.

Spreadsheet writers that go cell by cell in Python (xlsxwriter, and
``polars.DataFrame.write_excel`` on top of it) need about 8 µs a cell: a
year of hits is two million cells, twenty seconds, over the report's time
budget. This module writes the same kind of workbook (inline strings, typed
numbers and dates with number formats, bold header, frozen header row,
autofilter, column widths) by building each sheet's XML with polars string
expressions over whole columns, then zipping it — about a second for the
year. It writes only what the report needs; the review sheet, which needs
per-cell drop-down validation, still uses xlsxwriter.

Text that a spreadsheet would read as a formula is written as text anyway
(an inline string is never evaluated), and the report's sheets are
neutralised too (:func:`inquiry.runtime.csvout.neutralise`).

:class:`ReportWorkbook` is the report's workbook on top of the writer: one
sheet per :class:`~inquiry.report.model.Table`, written on a second thread
as the tables come. It reads only the report's model, never its computation.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "t.xlsx"
>>> f = pl.DataFrame({"名前": ["a&b", None], "円": [1200, 5]})
>>> book = WorkbookWriter(p)
>>> book.add(0, Sheet("表", f, {"円": "yen"}))
>>> _ = book.close()
>>> pl.read_excel(p, sheet_name="表")["円"].to_list()
[1200, 5]
"""

from __future__ import annotations

import io
import zipfile
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO
from xml.sax.saxutils import escape

import polars as pl

from inquiry.report.model import Report, Table
from inquiry.runtime.csvout import neutralise

__all__ = ["SHEET_NAMES", "ReportWorkbook", "Sheet", "WorkbookWriter", "write_xlsx"]

#: cell styles (index into cellXfs below) by column kind
_STYLE = {"yen": 1, "int": 1, "date": 2, "pct": 3, "score": 4}
_HEADER_STYLE = 5
_EPOCH = date(1899, 12, 30)
#: rows of a sheet made into XML at once (a year's homonyms: 7 parts of about 14 MB)
_ROWS = 32_768
_BAD_XML = r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]"


@dataclass
class Sheet:
    """One worksheet: ``kinds`` maps column → yen/int/date/pct/score (others are text)."""

    name: str
    frame: pl.DataFrame
    kinds: dict[str, str] = field(default_factory=dict)
    widths: dict[str, float] = field(default_factory=dict)
    rows: list[tuple[str, str | int]] | None = None  # a key/value sheet instead of a table


def _letters(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def _xml_text(e: pl.Expr) -> pl.Expr:
    return (
        e.cast(pl.Utf8)
        .str.replace_all(_BAD_XML, "")
        .str.replace_all("&", "&amp;", literal=True)
        .str.replace_all("<", "&lt;", literal=True)
        .str.replace_all(">", "&gt;", literal=True)
    )


class _SharedStrings:
    """The workbook's shared-string table: a text repeated down a column (an institution, a
    branch, a reason) is written once and referred to by number, which makes the sheets a
    fraction of the size (and the writing as much faster) for the long tables."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}

    def codes(self, s: pl.Series) -> pl.Series | None:
        """``s`` as indexes into the table, or None when its values are mostly distinct."""
        n = s.len() - s.null_count()
        if n < 64 or s.approx_n_unique() > n * 0.3:
            return None
        uniq = s.drop_nulls().unique(maintain_order=True)
        # the distinct values get their numbers here (a loop over a small set); the rows by a join
        codes = pl.Series("code", [self.index.setdefault(v, len(self.index)) for v in uniq.to_list()], dtype=pl.UInt32)
        table = pl.DataFrame({"v": uniq, "code": codes})
        return pl.DataFrame({"v": s}).join(table, on="v", how="left", maintain_order="left")["code"]

    def xml(self) -> bytes:
        n = len(self.index)
        items = (
            pl.Series("t", list(self.index), dtype=pl.Utf8)
            .to_frame()
            .select(pl.lit('<si><t xml:space="preserve">') + _xml_text(pl.col("t")) + pl.lit("</t></si>"))
            .to_series()
            .str.join("")
            .item()
            if n
            else ""
        )
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{n}" uniqueCount="{n}">{items}</sst>'
        ).encode()


def _cell(name: str, dtype: pl.DataType, kind: str, letter: str, shared: bool = False) -> pl.Expr:
    """The XML of one column's cells (null where the value is null: the row leaves the cell out).

    One ``concat_str`` per cell column, not a chain of ``+``: each ``+`` makes a whole new column of
    strings (five or six per cell column, a year's homonyms are 6 M cells); ``ignore_nulls=False``
    keeps ``+``'s null where the value is null."""
    ref = [pl.lit(f'<c r="{letter}'), pl.col("_r")]
    col = pl.col(name)
    if shared:
        parts = [*ref, pl.lit('" t="s"><v>'), col.cast(pl.Utf8), pl.lit("</v></c>")]
    elif dtype == pl.Date:
        value = (col - pl.lit(_EPOCH)).dt.total_days().cast(pl.Utf8)
        parts = [*ref, pl.lit(f'" s="{_STYLE["date"]}"><v>'), value, pl.lit("</v></c>")]
    elif dtype.is_numeric():
        style = f' s="{_STYLE[kind]}"' if kind in _STYLE else ""
        parts = [*ref, pl.lit(f'"{style}><v>'), col.cast(pl.Utf8), pl.lit("</v></c>")]
    else:
        # keep leading and trailing spaces only where there are any
        space = pl.when(col.str.contains(r"^\s|\s$")).then(pl.lit(' xml:space="preserve"')).otherwise(pl.lit(""))
        parts = [*ref, pl.lit('" t="inlineStr"><is><t'), space, pl.lit(">"), _xml_text(col), pl.lit("</t></is></c>")]
    return pl.concat_str(parts, ignore_nulls=False)


def _write_sheet(out: IO[bytes], sheet: Sheet, sst: _SharedStrings) -> None:
    """Write ``sheet``'s XML to ``out`` (the workbook's zip entry): the rows go from polars straight into
    the deflater, never as one string of the sheet (a year's homonyms are 95 MB of XML: copying it
    whole three times took more memory and system time than writing it)."""
    frame = sheet.frame
    coded = {c: sst.codes(frame[c]) for c, t in frame.schema.items() if t == pl.Utf8}
    coded = {c: v for c, v in coded.items() if v is not None}
    if coded:
        frame = frame.with_columns([v.alias(c) for c, v in coded.items()])
    letters = [_letters(i) for i in range(max(frame.width, 1))]
    head = "".join(
        f'<c r="{letters[i]}1" t="inlineStr" s="{_HEADER_STYLE}"><is><t>{escape(c)}</t></is></c>' for i, c in enumerate(frame.columns)
    )
    # one line of XML per row, written by polars straight to bytes (no Python string of the sheet),
    # :data:`_ROWS` rows at a time: the zip entry deflates one part on its own thread while polars
    # makes the next (:class:`_Behind`)
    row = pl.concat_str(
        [pl.lit('<row r="'), pl.col("_r"), pl.lit('">')]
        + [_cell(c, frame.schema[c], sheet.kinds.get(c, "text"), letters[i], c in coded) for i, c in enumerate(frame.columns)]
        + [pl.lit("</row>")],
        ignore_nulls=True,
    ).alias("x")
    cols = "".join(
        f'<col min="{i + 1}" max="{i + 1}" width="{sheet.widths.get(c, 16)}" customWidth="1"/>' for i, c in enumerate(frame.columns)
    )
    last = f"{letters[frame.width - 1]}{frame.height + 1}" if frame.width else "A1"
    autofilter = f'<autoFilter ref="A1:{last}"/>' if frame.width and frame.height else ""
    start = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
        f'{f"<cols>{cols}</cols>" if cols else ""}<sheetData><row r="1">{head}</row>\n'
    )
    out.write(start.encode("utf-8"))
    for first in range(0, frame.height, _ROWS):
        part = frame.slice(first, _ROWS).with_columns(_r=(pl.int_range(pl.len()) + (first + 2)).cast(pl.Utf8))
        part.select(row).write_csv(out, include_header=False, quote_style="never")
    out.write(f"</sheetData>{autofilter}</worksheet>".encode())


def _pairs_xml(rows: list[tuple[str, str | int]]) -> str:
    out = []
    for r, (k, v) in enumerate(rows, start=1):
        key = f'<c r="A{r}" t="inlineStr" s="{_HEADER_STYLE}"><is><t>{escape(k)}</t></is></c>'
        if isinstance(v, int):
            val = f'<c r="B{r}" s="1"><v>{v}</v></c>'
        else:
            val = f'<c r="B{r}" t="inlineStr"><is><t xml:space="preserve">{escape(str(v))}</t></is></c>'
        out.append(f'<row r="{r}">{key}{val}</row>')
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<cols><col min="1" max="1" width="30" customWidth="1"/><col min="2" max="2" width="70" customWidth="1"/></cols>'
        f"<sheetData>{''.join(out)}</sheetData></worksheet>"
    )


_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="4"><numFmt numFmtId="164" formatCode="#,##0"/><numFmt numFmtId="165" formatCode="yyyy\\-mm\\-dd"/>'
    '<numFmt numFmtId="166" formatCode="0.0%"/><numFmt numFmtId="167" formatCode="0.00"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Yu Gothic"/><family val="3"/><charset val="128"/></font>'
    '<font><b/><sz val="11"/><name val="Yu Gothic"/><family val="3"/><charset val="128"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFEEF2F7"/><bgColor indexed="64"/></patternFill></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="6"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="167" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1" applyAlignment="1">'
    '<alignment wrapText="1" vertical="top"/></xf></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)


class _Behind(io.RawIOBase):
    """A file that writes to ``target`` on a thread of its own, in order, a few writes behind.

    The sheet's rows are made by polars on the writer's thread while the zip entry deflates
    the rows made before on this one (zlib lets go of the interpreter while it works):
    the year's two big sheets are 135 MB of XML, whose deflate (0.6 s) otherwise
    comes after their making (0.8 s) on the one thread. The bytes written are the same, in
    the same order, so the entry is the same (deflate's output does not depend on how its
    input is cut). ``close`` waits for every write and raises the first error.
    """

    #: writes in flight at most (each one of polars' buffers, copied: polars may reuse its own)
    DEPTH = 4

    def __init__(self, target: IO[bytes]) -> None:
        super().__init__()
        self._target = target
        self._pool = ThreadPoolExecutor(max_workers=1)
        self._pending: deque[Future[int]] = deque()

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        chunk = bytes(data)
        self._pending.append(self._pool.submit(self._target.write, chunk))
        while len(self._pending) > self.DEPTH:
            self._pending.popleft().result()
        return len(chunk)

    def close(self) -> None:
        if self.closed:
            return
        try:
            while self._pending:
                self._pending.popleft().result()
        finally:
            self._pool.shutdown(cancel_futures=True)
            super().close()


class WorkbookWriter:
    """An xlsx file written sheet by sheet, as the sheets come, each at its place in the workbook.

    The report hands a sheet over as soon as its table is computed, while it
    goes on reading the store, so the workbook is mostly written by the time
    the last table is ready. A sheet's place (``position``, 0 first) decides
    its order in the workbook, not the order it was added; the zip holds the
    parts in any order. :meth:`close` writes the workbook's own parts; until
    then the file is unfinished (write it under a ``.part`` name).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
        self._sst = _SharedStrings()
        self._sheets: dict[int, Sheet] = {}

    def add(self, position: int, sheet: Sheet) -> None:
        """Write ``sheet`` as the workbook's sheet at ``position`` (one call per position)."""
        if position in self._sheets:
            raise ValueError(f"two sheets at position {position}")
        name = f"xl/worksheets/sheet{position + 1}.xml"
        if sheet.rows is not None:
            self._zip.writestr(name, _pairs_xml(sheet.rows))
        else:
            # deflated at the workbook's level as it is written, on a thread of its own (:class:`_Behind`)
            with self._zip.open(name, "w") as entry, _Behind(entry) as out:
                _write_sheet(out, sheet, self._sst)
        self._sheets[position] = sheet

    def close(self) -> Path:
        """Write the workbook, its relations, styles and shared strings; the file is complete."""
        z, order = self._zip, sorted(self._sheets)
        sheets = [self._sheets[i] for i in order]
        names = [escape(s.name[:31], {'"': "&quot;"}) for s in sheets]
        content_types = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            + "".join(
                f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                for i in order
            )
            + "</Types>"
        )
        root_rels = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        )
        filters = "".join(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">\'{names[i]}\'!$A$1:${_letters(s.frame.width - 1)}${s.frame.height + 1}</definedName>'
            for i, s in enumerate(sheets)
            if s.rows is None and s.frame.width and s.frame.height
        )
        workbook = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><bookViews><workbookView/></bookViews><sheets>'
            + "".join(f'<sheet name="{names[k]}" sheetId="{k + 1}" r:id="rId{i + 1}"/>' for k, i in enumerate(order))
            + f"</sheets>{f'<definedNames>{filters}</definedNames>' if filters else ''}</workbook>"
        )
        n = (order[-1] + 1) if order else 0
        wb_rels = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(
                f'<Relationship Id="rId{i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i + 1}.xml"/>'
                for i in order
            )
            + f'<Relationship Id="rId{n + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
            + f'<Relationship Id="rId{n + 2}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
            + "</Relationships>"
        )
        z.writestr("[Content_Types].xml", content_types)
        z.writestr("_rels/.rels", root_rels)
        z.writestr("xl/workbook.xml", workbook)
        z.writestr("xl/_rels/workbook.xml.rels", wb_rels)
        z.writestr("xl/styles.xml", _STYLES)
        z.writestr("xl/sharedStrings.xml", self._sst.xml())
        z.close()
        return self.path

    def abandon(self) -> None:
        """Close the unfinished file (the caller removes it)."""
        self._zip.close()


# -- the report's workbook ------------------------------------------------------
#: the workbook's sheets, in order (the overview sheet 概要 comes before them)
SHEET_NAMES = {
    "inq_service": "照会_サービス別", "inq_institution": "照会_金融機関別", "ans_service": "回答_サービス別",
    "ans_type": "回答_業態別", "classes": "分類", "hits": "該当口座", "review": "要確認", "homonym_why": "同名異人_内訳",
    "homonyms": "同名異人", "decisions": "判定", "followups": "追跡照会", "income": "定期収入", "cleared": "完納者",
    "seize_status": "差押予定_状況", "seize_bank": "差押予定_金融機関別", "seize_staff": "差押予定_職員別", "seizures": "差押予定一覧",
}  # fmt: skip
_WIDTHS = {"int": 11, "yen": 14, "pct": 9, "score": 8, "date": 12, "key": 16, "person": 12, "persons": 24}


class ReportWorkbook:
    """The report's workbook, written on a second thread while the report is computed.

    Each table goes to :meth:`add` as soon as it is final and becomes its sheet
    there (polars and zlib let the main thread go on reading the store); the
    overview sheet, which needs the headline numbers, comes last in :meth:`close`.
    Japanese headers, frozen header row, an autofilter, yen with thousands
    separators, real dates; text that a spreadsheet would run as a formula is
    neutralised, and every text cell is an inline or shared string (never a formula).
    """

    def __init__(self, path: Path) -> None:
        self._writer = WorkbookWriter(path)
        self._pool = ThreadPoolExecutor(max_workers=1)
        self._pending: list[Future[object]] = []

    def add(self, t: Table) -> None:
        """Queue ``t``'s sheet: it is written at its place (:data:`SHEET_NAMES`) on the writer's thread."""
        position = list(SHEET_NAMES).index(t.key) + 1
        self._pending.append(self._pool.submit(lambda: self._writer.add(position, _sheet(t))))

    def close(self, rep: Report) -> Path:
        """Add the overview sheet (it needs the headline numbers), finish the file, raise any sheet's error."""
        lo, hi = rep.period
        overview: list[tuple[str, str | int]] = [
            ("報告書", "預貯金等照会 該当状況報告"), ("団体", rep.municipality), ("利用目的", rep.purpose),
            ("対象期間", f"{lo} 〜 {hi} 送信分" if lo else "照会なし"), ("作成", rep.generated_at.strftime("%Y-%m-%d %H:%M")),
            ("掲載人数", rep.persons_shown),
        ] + [(label, value) for _, label, value, _ in rep.kpis]  # fmt: skip
        self._pending.append(self._pool.submit(self._writer.add, 0, Sheet("概要", pl.DataFrame(), rows=overview)))
        self._pending.append(self._pool.submit(self._writer.close))
        self._pool.shutdown()
        for f in self._pending:
            f.result()  # a sheet's error is raised here
        return self._writer.path

    def abandon(self) -> None:
        """After a failure: stop, and close the unfinished file (the caller removes it)."""
        self._pool.shutdown(cancel_futures=True)
        self._writer.abandon()


def _sheet(t: Table) -> Sheet:
    frame = t.frame.select(
        [pl.col(c.name).str.to_date(strict=False) if c.kind == "date" and t.frame.schema[c.name] == pl.Utf8 else pl.col(c.name) for c in t.columns]
    )
    frame = neutralise(frame).rename({c.name: c.label for c in t.columns})
    return Sheet(
        SHEET_NAMES[t.key], frame, kinds={c.label: c.kind for c in t.columns}, widths={c.label: _WIDTHS.get(c.kind, 18) for c in t.columns}
    )


def write_xlsx(rep: Report, path: Path) -> Path:
    """The report's tables as a workbook: an overview sheet, then one sheet per table."""
    book = ReportWorkbook(path)
    for t in rep.tables:
        book.add(t)
    return book.close(rep)

