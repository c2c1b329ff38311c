"""Persons ready for inquiry and matching: kana checked, missing kana derived.

Shared by ``prepare`` and the stateless ``link``: a kana field holding kanji
is a reject (never sent), a person without kana gets a pykakasi reading and
is marked ``kana_estimated`` (matching.md rule 3), and a person for whom no
safe reading exists is a reject too — banks search by kana, so such a
person cannot be asked electronically until the office supplies the kana.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from formats import REJECT_SCHEMA
from inquiry.messages import column_text
from matching.kana import kana_problem, to_fullwidth
from matching.reading import estimate_readings

__all__ = ["with_kana"]


def with_kana(rows: pl.DataFrame, path: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return ``(persons, rejects)`` from master rows (``formats.read_master``)."""
    given = rows.filter(pl.col("name_kana").is_not_null()).with_columns(
        _problem=kana_problem(pl.col("name_kana")),
        kana_estimated=pl.lit(False),
        kana_candidates=pl.lit([], dtype=pl.List(pl.Utf8)),
    )
    rejects = [given.filter(pl.col("_problem").is_not_null()).select(pl.lit(str(path)).alias("file"), "line", pl.col("_problem").alias("reason"))]
    given = given.filter(pl.col("_problem").is_null()).drop("_problem")

    missing = rows.filter(pl.col("name_kana").is_null())
    if missing.height == 0:
        missing = given.clear()
    else:
        readings = estimate_readings(missing["name_kanji"])
        missing = missing.drop("name_kana").with_columns(
            name_kana=readings["name_kana"],
            kana_estimated=pl.lit(True),
            kana_candidates=readings["kana_candidates"].cast(pl.List(pl.Utf8)),
        )
        rejects.append(
            missing.filter(pl.col("name_kana").is_null()).select(
                pl.lit(str(path)).alias("file"),
                "line",
                column_text("no_kana_reading", name=pl.col("name_kanji")).alias("reason"),
            )
        )
        missing = missing.filter(pl.col("name_kana").is_not_null())
    persons = pl.concat([given, missing.select(given.columns)]).sort("line")
    persons = persons.with_columns(
        name_kana=to_fullwidth(pl.col("name_kana")),
        other_names_kana=pl.col("other_names_kana").list.eval(to_fullwidth(pl.element())),
    )
    return persons, pl.concat([r.cast(REJECT_SCHEMA) for r in rejects]).sort("line")
