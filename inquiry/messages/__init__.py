"""Every text an operator reads on screen, in one table: Japanese first, English in brackets.

Collection staff read the Japanese; the English is for the vendor's support
and for logs shared outside the office. Keeping the texts here, not inline
in the commands, lets an office reword a message without touching a step,
keeps the two languages side by side, and keeps what the audit trail
records (count keys: identifiers, :data:`COUNT_LABELS`) apart from how the
screen names it: rewording a label never changes the audit trail's schema.

The table is kept in one module per room (``runtime``, ``cli``, ``steps``,
``report``), joined here; a key is unique across them (checked at import).

A message is a template for :meth:`str.format` with named fields; a text
written on many rows at once (a rejection reason) is built over whole columns
by :func:`column_text` from the same template. tests/inquiry/test_messages.py
checks every call in ``inquiry/`` against the table (key exists, fields match):

>>> text("rejected_rows", count="1,234", path="reports/rejects.csv")
'不備 1,234 件 (rejected) → reports/rejects.csv'
>>> count_label("rows_read")
'rows_read'
"""

from __future__ import annotations

from string import Formatter
from typing import Any

import polars as pl

from inquiry.messages import cli, report, runtime, steps

__all__ = ["COUNT_LABELS", "MESSAGES", "column_text", "count_label", "fields", "text"]


def _joined(*tables: dict[str, str]) -> dict[str, str]:
    joined: dict[str, str] = {}
    for table in tables:
        twice = joined.keys() & table.keys()
        if twice:
            raise ValueError(f"message keys defined twice: {sorted(twice)}")
        joined.update(table)
    return joined


#: key → template, the rooms' tables joined
MESSAGES: dict[str, str] = _joined(runtime.MESSAGES, cli.MESSAGES, steps.MESSAGES, report.MESSAGES)
#: count key (what the audit trail records) → how the summary table names it; a key not here is shown as it is
COUNT_LABELS: dict[str, str] = steps.COUNT_LABELS


def text(key: str, /, **values: Any) -> str:
    """The message ``key`` with ``values`` filled in."""
    return MESSAGES[key].format(**values)


def count_label(key: str) -> str:
    """How the summary table names the count ``key``."""
    return COUNT_LABELS.get(key, key)


def fields(key: str) -> set[str]:
    """The names of the fields the message ``key`` has, which its callers must pass (tests check this)."""
    return {name for _, name, _, _ in Formatter().parse(MESSAGES[key]) if name is not None}


def column_text(key: str, /, **values: pl.Expr | str) -> pl.Expr:
    """The message ``key`` for every row, its fields filled from the columns ``values``.

    Rejection reasons are written for thousands of rows at once: as one
    :func:`polars.format` over whole columns, never a ``str.format`` per row.
    A field is a column (an expression) or one fixed text for every row. A row
    where a field is null gets a null text, like :func:`polars.format`.

    >>> pl.DataFrame({"n": ["7"]}).select(column_text("repeated_line", line=pl.col("n"))).item()
    '明細の重複 (repeats line 7 of this file: same 照会番号 and 明細番号)'
    """
    literal: list[str] = []
    columns: list[pl.Expr] = []
    for before, name, spec, conversion in Formatter().parse(MESSAGES[key]):
        literal.append(before)  # pl.format has no escape for a literal brace: the texts have none
        if name is not None:
            if spec or conversion:
                raise ValueError(f"message {key!r}: a column field takes no format spec or conversion ({name})")
            literal.append("{}")
            value = values[name]
            columns.append(value if isinstance(value, pl.Expr) else pl.lit(value))
    template = "".join(literal)
    return pl.format(template, *columns) if columns else pl.lit(template)
