"""What a report is: tables of typed columns, charts and headline numbers — no store, no rendering.

The report's computation (:mod:`inquiry.report.tables`) fills these; the
page (:mod:`inquiry.report.html`) and the workbook (:mod:`inquiry.report.xlsx`)
read only these, so a renderer never reaches back into the computation (and
the seizure plan can add its tables without importing the report's step).
A column says what its values are (text, count, yen, date, person), which
is all a renderer needs to format, align, link and sort it.

>>> t = Table("t", "表", [Col("person_id", "宛名番号", "person")], pl.DataFrame({"person_id": ["P1", None, "P1"]}))
>>> t.named().to_list()
['P1']
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import polars as pl

__all__ = ["Col", "Table", "Chart", "Report"]


@dataclass(frozen=True)
class Col:
    """One column: ``kind`` is text, int, yen, pct, score, date, key, person, persons (``;``-list)
    or pname (the name of the person in the column before it, filled in by the page script)."""

    name: str
    label: str
    kind: str = "text"


@dataclass
class Table:
    """One table of the report: the page shows it (maybe only its first rows), the workbook as a sheet."""

    key: str
    title: str
    columns: list[Col]
    frame: pl.DataFrame
    note: str = ""
    #: rows of small summary tables are given this column's value as an id (for tests and links)
    row_id: str | None = None
    total: bool = False
    #: the HTML page shows at most this many rows (the first ones: the frame is sorted by
    #: importance); the workbook always has every row
    html_limit: int | None = None
    #: what the HTML shows instead of the rest (said on the page under the table)
    html_note: str = ""

    @property
    def html_frame(self) -> pl.DataFrame:
        """The rows the HTML page carries."""
        return self.frame if self.html_limit is None else self.frame.head(self.html_limit)

    def named(self, frame: pl.DataFrame | None = None) -> pl.Series:
        """Every person id named in the rows of ``frame`` (default: all rows), once."""
        frame = self.frame if frame is None else frame
        parts = [frame[c.name].drop_nulls() for c in self.columns if c.kind == "person"]
        parts += [frame[c.name].drop_nulls().str.split(";").explode() for c in self.columns if c.kind == "persons"]
        if not parts:
            return pl.Series("person_id", [], pl.Utf8)
        ids = pl.concat([x.rename("person_id") for x in parts])
        return ids.filter(ids.is_not_null() & (ids != "")).unique()


@dataclass
class Chart:
    """A chart's numbers; :mod:`inquiry.report.charts` draws them."""

    key: str
    title: str
    labels: list[str]
    values: list[float]
    kind: str = "bar"  # bar (vertical histogram) or hbar (rates, 0..1)
    unit: str = ""


@dataclass
class Report:
    """Everything both files show: the headline numbers, the tables, the charts and the persons' detail."""

    municipality: str
    purpose: str
    generated_at: datetime
    today: date
    period: tuple[date | None, date | None]
    overdue_days: int
    kpis: list[tuple[str, str, int, str]]  # id, label, value, kind
    tables: list[Table]
    charts: list[Chart]
    persons: pl.DataFrame  # detail of every person named in the rows the HTML shows
    inquiries: pl.DataFrame  # person_id, bank_code, bank_name, provider, sent_on, answered_on, outcome of those persons
    #: persons named anywhere in the report (the workbook has every row, so this counts them all)
    persons_named: int = 0

    def table(self, key: str) -> Table:
        """The table ``key`` (a test or a renderer asks for one by name)."""
        return next(t for t in self.tables if t.key == key)

    @property
    def persons_shown(self) -> int:
        """Persons whose personal data is in the report files (for the audit trail): those the page
        details are named in its rows, so this is everyone named."""
        return self.persons_named

    @property
    def persons_detailed(self) -> int:
        """Persons whose detail the HTML page carries (those named in the rows it shows)."""
        return self.persons.height
