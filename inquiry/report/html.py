"""The report as ONE self-contained HTML file: inline CSS, vanilla JS, SVG charts.

LGWAN terminals have no network, so the file references nothing outside
itself (no font, no script, no image; a test checks there is no ``http``
or ``//`` reference). The summary tables, the charts and the first page of
every long table are plain HTML, so the report prints (A4, print CSS) and
reads without JavaScript. All table rows (of the homonyms, the nearest
ones: :attr:`Table.html_limit`; the page says the rest are in the xlsx) and
the detail of every person those rows name are embedded once as
gzip-compressed JSON (base85; a person column as indexes into the persons'
detail), which the
browser unpacks with its own ``DecompressionStream``; the small script then
makes every table sortable, filterable and paged, and opens a person's
detail (inquiries, answers, accounts, decisions) from any link naming them.

Untrusted text (a holder name typed at a bank counter) is escaped here and
inserted with ``textContent`` by the script, never as markup.

The page's template, its CSS and its script are files of ``static/``
(``report.html``, ``report.css``, ``report.js``: package data); this module
reads only the report's model (:mod:`inquiry.report.model`), never the
computation that fills it.
"""

from __future__ import annotations

import gzip
import json
import re
import struct
import zlib
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date
from functools import cache
from html import escape
from importlib import resources
from typing import Any

import numpy as np
import polars as pl

from inquiry.report.charts import bar_chart, hbar_chart
from inquiry.report.model import Chart, Col, Report, Table
from inquiry.vocabulary import ANSWER_LABELS, ANSWERS, PROVIDER_LABELS

__all__ = ["render_html", "payload", "FIRST_PAGE"]

#: rows of a long table written as HTML (the rest is shown by the script)
FIRST_PAGE = 50
#: a table with at most this many rows is written whole
SMALL = 300
OUTCOME_CODES = ("PENDING", *ANSWERS)


@cache
def _static(name: str) -> str:
    """A file of ``static/`` (the page's template, its CSS, its script) as it is, installed as package data.

    They are files, not strings in Python, so that they can be read, linted
    and edited as what they are. Read as text (universal newlines), so that a
    checkout with CRLF line ends still makes the same page byte for byte.
    """
    return (resources.files("inquiry.report") / "static" / name).read_text(encoding="utf-8")


def _fmt(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == "key":
        return _mask(str(value))
    if kind in ("int", "yen"):
        return f"{int(value):,}"
    if kind == "pct":
        return f"{value:.1%}"
    if kind == "score":
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _mask(number: str) -> str:
    """An account number as its last four digits: the page is an overview that many open;
    the full numbers are in the workbook and the exports."""
    return "…" + number[-4:] if len(number) > 4 else number


def _cell(value: Any, col: Col) -> str:
    text = _fmt(value, col.kind)
    if col.kind == "person" and text:
        return f'<td><a class="pl" href="#p-{escape(text)}" data-p="{escape(text)}">{escape(text)}</a></td>'
    if col.kind == "persons" and text:
        links = " ".join(f'<a class="pl" href="#p-{escape(p)}" data-p="{escape(p)}">{escape(p)}</a>' for p in text.split(";") if p)
        return f"<td>{links}</td>"
    num = col.kind in ("int", "yen", "pct", "score")
    attr = f' class="n" data-v="{escape(str(value))}"' if num and value is not None else (' class="n"' if num else "")
    if col.kind in ("date", "key"):
        attr = ' class="d"'
    return f"<td{attr}>{escape(text)}</td>"


def _label(c: Col) -> str:
    return c.label + " (下4桁)" if c.kind == "key" and c.name == "account_number" else c.label


def _table_html(t: Table) -> str:
    frame = t.html_frame
    whole = frame.height <= SMALL
    rows = frame if whole else frame.head(FIRST_PAGE)
    head = "".join(f'<th class="{"n" if c.kind in ("int", "yen", "pct", "score") else ""}">{escape(_label(c))}</th>' for c in t.columns)
    body = []
    names = [c.name for c in t.columns]
    for i, values in enumerate(rows.select(names).iter_rows()):
        rid = ""
        if t.row_id is not None:
            rid = f' data-row="{escape(str(values[names.index(t.row_id)]))}"'
        cls = ' class="total"' if t.total and i == rows.height - 1 else ""
        body.append(f"<tr{rid}{cls}>" + "".join(_cell(v, c) for v, c in zip(values, t.columns)) + "</tr>")
    shown = f"{frame.height:,} 件" if whole else f"{frame.height:,} 件中 先頭 {rows.height:,} 件 (すべての行は画面で表示・並べ替えできます)"
    note = f'<p class="note">{escape(t.note)}</p>' if t.note else ""
    if t.html_note:
        note += f'<p class="note capped">{escape(t.html_note)}</p>'
    return (
        f'<section class="tbl" id="t-{t.key}"><h3>{escape(t.title)}</h3>{note}'
        f'<div class="ctl" data-for="{t.key}"></div>'
        f'<p class="count" data-count="{frame.height}">{escape(shown)}</p>'
        f'<div class="scroll"><table data-table="{t.key}" data-rows="{frame.height}" data-total="{int(t.total)}">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div></section>"
    )


def _packed(s: pl.Series) -> Any:
    """A column as compact JSON: repeated text as a dictionary, sorted numbers as deltas.

    ``{"d": [values], "i": [indexes]}`` or ``{"z": [deltas]}``; the script
    unpacks both. Deflate does the rest, so that a year of hits fits the
    size budget.
    """
    n = s.len()
    if s.dtype == pl.Utf8 and n > 64:
        uniq = s.drop_nulls().unique().sort()
        if uniq.len() <= max(n * 0.3, 16):
            idx = s.replace_strict(uniq, pl.int_range(uniq.len(), eager=True), default=None, return_dtype=pl.Int32)
            return {"d": uniq.to_list(), "i": idx.to_list()}
    if s.dtype.is_integer() and n > 64 and s.null_count() == 0:
        d = s.diff().fill_null(s.first())
        if d.abs().sum() < s.abs().sum() * 0.5:
            return {"z": d.to_list()}
    return s.to_list()


def _columnar(frame: pl.DataFrame, cols: list[Col], people: pl.DataFrame) -> list[Any]:
    out = []
    for c in cols:
        s = frame[c.name]
        if c.kind == "person" and frame.height > 64:
            # an index into the persons' detail, which the page carries anyway
            idx = pl.DataFrame({"person_id": s}).join(people, on="person_id", how="left", maintain_order="left")["pi"]
            if idx.null_count() == s.null_count():
                out.append({"p": idx.to_list()})
                continue
        if c.kind == "key" and c.name == "account_number":
            s = s.str.slice(-4)
        if s.dtype == pl.Date:
            s = s.dt.strftime("%Y-%m-%d")
        elif s.dtype == pl.Float64 and c.kind == "score":
            s = s.round(2)
        elif s.dtype == pl.Float64 and c.kind == "pct":
            s = s.round(4)
        out.append(None if c.kind == "pname" else _packed(s))
    return out


def payload(rep: Report) -> dict[str, Any]:
    """Everything the script needs: every table's rows and the persons' detail."""
    return {part: dict(items) for part, items in _payload_parts(rep).items()}


def _payload_parts(rep: Report) -> dict[str, Iterator[tuple[str, Any]]]:
    """The payload's three parts, each as ``(key, value)`` pairs computed only when iterated, in order.

    Lazy so that the page's JSON is made and deflated piece by piece, side by side
    (:func:`_encoded`): the deflate of one table's rows runs on a second thread while this
    one computes the next table's (:func:`payload` is the same, whole)."""
    p = rep.persons
    people = p.select("person_id").with_row_index("pi")

    def tables() -> Iterator[tuple[str, Any]]:
        for t in rep.tables:
            yield t.key, {"cols": [[c.name, _label(c), c.kind] for c in t.columns], "data": _columnar(t.html_frame, t.columns, people),
                          "total": t.total, "rowid": [c.name for c in t.columns].index(t.row_id) if t.row_id else None}  # fmt: skip

    def persons() -> Iterator[tuple[str, Any]]:
        names = {"id": "person_id", "name": "name_kanji", "kana": "name_kana", "birth": "birth_date", "addr": "address",
                 "hist": "address_history", "arrears": "arrears_yen", "cleared": "cleared_on"}  # fmt: skip
        for key, column in names.items():
            yield key, p[column].to_list()

    def inquiries() -> Iterator[tuple[str, Any]]:
        inq = rep.inquiries
        # an inquiry is (institution, service, sent, answered) — few distinct per office — plus its answer
        ctx_cols = ["sent_on", "answered_on", "provider", "bank_code", "bank_name"]
        ctx = inq.select(ctx_cols).unique().sort(ctx_cols, nulls_last=True).with_row_index("ctx")
        coded = (
            inq.join(ctx, on=ctx_cols, how="left", nulls_equal=True)
            .join(people, on="person_id", how="inner")
            .with_columns(o=pl.col("outcome").replace_strict(OUTCOME_CODES, list(range(len(OUTCOME_CODES))), return_dtype=pl.Int8))
            .sort("pi", "ctx")
        )
        counts = p.select("person_id").join(coded.group_by("person_id").agg(pl.len().alias("n")), on="person_id", how="left")["n"].fill_null(0)
        # each person's first context as it is, the next ones as steps from the one before (the rows are
        # sorted by person: a comparison with the row before, not a window per person)
        ctx_no = pl.col("ctx").cast(pl.Int64)
        deltas = coded.select(pl.when(pl.col("pi") == pl.col("pi").shift()).then(ctx_no - ctx_no.shift()).otherwise(ctx_no).alias("ctx"))["ctx"]
        yield "ctx", [[r[4] or r[3], PROVIDER_LABELS.get(r[2], r[2]), _fmt(r[0], "date"), _fmt(r[1], "date")] for r in ctx.select(ctx_cols).iter_rows()]
        yield "outcomes", [ANSWER_LABELS[c] for c in OUTCOME_CODES]
        yield "n", counts.to_list()
        yield "d", deltas.to_list()
        yield "o", coded["o"].cast(pl.Utf8).str.join("").item() if coded.height else ""  # one digit per inquiry

    return {"tables": tables(), "persons": persons(), "inq": inquiries()}


#: base85 digits: printable ASCII without the nine characters that mean something in HTML or JS
#: text (< > & " ' \\ / ` -), so the embedded data can never end its element or start a comment
B85 = bytes(c for c in range(33, 127) if chr(c) not in "<>&\"'\\/`-")


def _b85(data: bytes) -> bytes:
    """Base85 (big-endian groups of four bytes as five digits of :data:`B85`; the last group
    zero-padded and cut), with numpy: ``base64.b85encode`` is pure Python, a second for the year."""
    pad = -len(data) % 4
    words = np.frombuffer(data + b"\0" * pad, dtype=">u4").astype(np.uint64)
    digits = np.empty((words.size, 5), dtype=np.uint8)
    for i in range(4, -1, -1):
        words, digits[:, i] = np.divmod(words, 85)
    out = np.frombuffer(B85, dtype=np.uint8)[digits].tobytes()
    return out[: len(out) - pad] if pad else out


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def _json_pieces(parts: dict[str, Iterator[tuple[str, Any]]]) -> Iterator[str]:
    """``json.dumps`` of the payload (:func:`payload`) in pieces, one per value of its parts: joined, the same text."""
    yield "{"
    for i, (part, items) in enumerate(parts.items()):
        yield f"{',' if i else ''}{_json(part)}:{{"
        for k, (key, value) in enumerate(items):
            yield f"{',' if k else ''}{_json(key)}:{_json(value)}"
        yield "}"
    yield "}"


#: the gzip level of the page's data: level 6 makes the year's page 5 % smaller in twice the time
_GZIP_LEVEL = 5


class _Gzip:
    """``gzip.compress(text, 5, mtime=0)`` of text given piece by piece, deflated on a second thread as it comes.

    The same bytes as the one call (deflate's output does not depend on how its input is cut
    when nothing is flushed; the header is ``gzip``'s own for this level), but the year's
    0.3-0.4 s of deflate runs beside the making of the JSON instead of after it, with no
    copy of the whole JSON text as one string and one ``bytes``.
    """

    def __init__(self) -> None:
        self._deflate = zlib.compressobj(_GZIP_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)  # raw deflate: the header is gzip's
        self._crc, self._size = 0, 0
        self._pool = ThreadPoolExecutor(max_workers=1)  # one thread: the pieces are deflated in the order given
        self._out: list[Future[bytes]] = []

    def _piece(self, data: bytes) -> bytes:
        self._crc, self._size = zlib.crc32(data, self._crc), self._size + len(data)
        return self._deflate.compress(data)

    def add(self, text: str) -> None:
        self._out.append(self._pool.submit(self._piece, text.encode("utf-8")))

    def close(self) -> bytes:
        """The whole gzip member (waits for the thread); the thread is ended either way."""
        try:
            body = b"".join(f.result() for f in self._out)
        finally:
            self._pool.shutdown(cancel_futures=True)
        head = gzip.compress(b"", compresslevel=_GZIP_LEVEL, mtime=0)[:10]  # the header does not depend on the data
        return head + body + self._deflate.flush() + struct.pack("<LL", self._crc, self._size & 0xFFFFFFFF)


def _encoded(pieces: Iterable[str]) -> str:
    """JSON → gzip → base85 (25 % larger than the bytes, where base64 is 33 %); the JSON given in pieces."""
    packed = _Gzip()
    try:
        for piece in pieces:
            packed.add(piece)
    finally:
        data = packed.close()
    return _b85(data).decode("ascii")


def _kpis(rep: Report) -> str:
    items = []
    for key, label, value, kind in rep.kpis:
        items.append(f'<div class="kpi"><div class="kl">{escape(label)}</div><div class="kv" id="kpi-{key}" data-v="{value}">{_fmt(value, kind)}</div></div>')
    return f'<div class="kpis">{"".join(items)}</div>'


def _chart(c: Chart) -> str:
    svg = hbar_chart(c.labels, c.values) if c.kind == "hbar" else bar_chart(c.labels, c.values, unit=c.unit)
    return f'<figure class="chart" id="c-{c.key}"><figcaption>{escape(c.title)}</figcaption>{svg}</figure>'


_SECTIONS = (
    ("照会と回答", ("inq_service", "inq_institution", "ans_service", "ans_type"), ("hit_rate_type", "delay")),
    ("名寄せの結果", ("classes", "hits"), ("balance",)),
    ("確認が必要なもの・除外したもの", ("review", "decisions", "homonym_why", "homonyms"), ()),
    ("追跡照会と完納", ("followups", "income", "cleared"), ()),
    ("差押予定", ("seize_status", "seize_bank", "seize_staff", "seizures"), ()),
)


def render_html(rep: Report) -> str:
    """The whole report page as text."""
    charts = {c.key: c for c in rep.charts}
    tables = {t.key: t for t in rep.tables}
    lo, hi = rep.period
    period = f"{lo.isoformat()} 〜 {hi.isoformat()} 送信分" if lo and hi else "照会なし"
    nav = "".join(f'<a href="#s-{i}">{escape(title)}</a>' for i, (title, _, _) in enumerate(_SECTIONS))
    sections = []
    for i, (title, keys, chart_keys) in enumerate(_SECTIONS):
        figs = "".join(_chart(charts[k]) for k in chart_keys if k in charts)
        body = "".join(_table_html(tables[k]) for k in keys if k in tables)
        sections.append(f'<section class="part" id="s-{i}"><h2>{escape(title)}</h2>{f"<div class=figs>{figs}</div>" if figs else ""}{body}</section>')
    values = {
        "title": escape(f"預貯金等照会 該当状況報告 {rep.municipality} {rep.today.isoformat()}"),
        "municipality": escape(rep.municipality),
        "purpose": escape(rep.purpose),
        "period": escape(period),
        "generated": escape(rep.generated_at.strftime("%Y-%m-%d %H:%M")),
        "overdue": str(rep.overdue_days),
        "persons": f"{rep.persons_shown:,}",
        "detailed": f"{rep.persons_detailed:,}",
        "nav": nav,
        "kpis": _kpis(rep),
        "sections": "".join(sections),
        "css": _static("report.css"),
        "js": _static("report.js"),
        "data": _encoded(_json_pieces(_payload_parts(rep))),
        "alphabet": escape(B85.decode("ascii")),
    }
    # one pass, so that no inserted text is ever read as a placeholder
    return re.sub(r"@@(\w+)@@", lambda m: values[m.group(1)], _static("report.html"))
