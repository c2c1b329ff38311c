"""Write a synthetic office of any size to a folder.

    python -m sample_data.make_office --persons 52668 --seed 1 --out /tmp/office

writes ``master.csv``, ``institutions.csv`` and ``payments.csv`` (inputs.md;
UTF-8 with BOM, CRLF; ``payments.csv`` with the Japanese header labels) and,
under ``truth/``, the ground truth as Parquet (people, addresses, accounts)
for quality measurement. The committed ``sample_data/office/`` was made with
``--persons 300 --seed 20261123 --no-truth``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

from sample_data import generate_office

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sample_data.make_office", description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, required=True, help="number of delinquents in the master")
    parser.add_argument("--seed", type=int, default=0, help="random seed (same seed, same office)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write to (created)")
    parser.add_argument("--municipality-code", default="131041")
    parser.add_argument("--municipality-name", default="新宿区")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2026, 10, 1), help="export date of the master")
    parser.add_argument("--bad-rows", type=int, default=0, help="spoil this many master rows (bad dates, empty name, duplicate id)")
    parser.add_argument("--no-truth", action="store_true", help="do not write the ground truth")
    args = parser.parse_args(argv)
    if args.persons < 1:
        parser.error("--persons must be at least 1")
    start = time.perf_counter()
    office = generate_office(
        args.persons, seed=args.seed, municipality_code=args.municipality_code, municipality_name=args.municipality_name, as_of=args.as_of,
        bad_rows=args.bad_rows,
    )
    written = office.write(args.out)
    if not args.no_truth:
        truth = args.out / "truth"
        truth.mkdir(parents=True, exist_ok=True)
        office.people.write_parquet(truth / "people.parquet")
        office.addresses.write_parquet(truth / "addresses.parquet")
        office.truth.write_parquet(truth / "accounts.parquet")
    elapsed = time.perf_counter() - start
    print(f"{args.persons} persons, {office.truth.height} true accounts, {office.payments.height} payments "
          f"-> {', '.join(str(p) for p in written.values())} ({elapsed:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
