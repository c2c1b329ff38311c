"""A Splink 5 + DuckDB linker as a whole command, to time against ``inquiry link`` on the same files.

``python -m benchmarks.splink_link --master M --responses F [--responses F ...] --out OUT``

Does what ``inquiry link`` does, with Splink as the model: read the master
and the basic answer files with the product's readers (``formats``), the
found records keyed as the product keys them, normalise with the product's
functions, train (u by random sampling, m by EM) and predict with the model
of :mod:`benchmarks.splink_compare`, map probabilities to the five classes
and write ``account_key, person_id, class`` as CSV. Start-up, imports,
reading and writing are all in the time, as they are for ``inquiry link``.
Prints one JSON line of phases and counts at the end.

Splink is an optional extra (``pip install -e ".[splink]"``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import polars as pl

import formats
from benchmarks.splink_compare import _splink_tables, splink_classes, splink_pairs
from formats.inputs import read_master
from formats.yucho import account_key
from inquiry.steps.persons import with_kana

__all__ = ["main", "read_inputs"]


def read_inputs(master: Path, responses: list[Path]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``(accounts, persons)`` as ``inquiry link`` gives them to :func:`matching.link` (inquiry/link.py's ``link_files``).

    Without request files, as ``inquiry link`` without ``--requests``: the
    inquired person is what the answer echoes (pipitLINQ's 宛名番号).
    """
    persons, _ = with_kana(read_master(master).rows, master)
    found = []
    for path in responses:
        parsed = formats.read_response(path)
        if parsed.kind == "basic":
            found.append(parsed.rows.filter(pl.col("answer") == "found"))
    accounts = pl.concat(found, how="diagonal_relaxed").select(
        account_key(pl.col("bank_code"), pl.col("branch_code"), pl.col("account_type"), pl.col("account_number")).alias("account_key"),
        "inquiry_id",
        pl.col("person_id").alias("inquired_person_id"),
        "holder_kana",
        "holder_birth_date",
        "holder_address",
    )
    person_columns = ["person_id", "name_kana", "kana_estimated", "kana_candidates", "other_names_kana", "birth_date", "address", "address_history"]
    return accounts, persons.select(person_columns)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.splink_link", description=__doc__.split("\n\n")[0])
    parser.add_argument("--master", type=Path, required=True)
    parser.add_argument("--responses", type=Path, action="append", required=True, help="basic answer files (repeat)")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    accounts, persons = read_inputs(args.master, args.responses)
    read = time.perf_counter()
    master, response = _splink_tables(accounts, persons)
    normalised = time.perf_counter()
    pairs, phases = splink_pairs(master, response)
    linked = splink_classes(pairs, response).select("account_key", "person_id", "class")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    linked.write_csv(args.out)
    summary = {
        "persons": persons.height,
        "account_records": accounts.height,
        "accounts": linked.height,
        "pairs": pairs.height,
        "read_seconds": round(read - started, 2),
        "normalise_seconds": round(normalised - read, 2),
        **{k: round(v, 2) for k, v in phases.items()},
        "seconds_in_process": round(time.perf_counter() - started, 2),
        "classes": dict(linked["class"].value_counts().sort("class").iter_rows()),
    }
    print(json.dumps(summary, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
