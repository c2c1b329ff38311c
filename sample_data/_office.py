"""One synthetic collection office: the three inputs plus the ground truth, drawn in one go.

An :class:`Office` is what a municipal collection office would export
(the delinquent master, the institutions master, the payments feed) plus what
no office ever knows: every person's true attributes, every address they
lived at, and which accounts they truly hold. The project measures itself on
it (matching.md "Quality, measured").

:func:`generate_office` draws, from one seeded generator and in this order,
the persons (``_people``), their addresses, the master's notations
(``_master``), the true accounts (``_accounts``) and the payments
(``_payments``); the order is part of the contract (same seed, same office,
byte for byte). Everything is vectorised (numpy draws, polars expressions);
1,000,000 persons take well under a minute.

>>> office = generate_office(200, seed=1)
>>> office.master.height, office.master.columns[:3]
(200, ['person_id', 'name_kanji', 'name_kana'])
>>> generate_office(200, seed=1).master.equals(office.master)
True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from sample_data._accounts import draw_accounts, institutions
from sample_data._files import write_office
from sample_data._master import master_frame
from sample_data._names import load_name_tables, name_frequencies
from sample_data._payments import draw_payments
from sample_data._people import draw_addresses, draw_people

__all__ = ["Office", "generate_office"]


@dataclass(frozen=True)
class Office:
    """One synthetic office: the three inputs plus the ground truth.

    - ``master``, ``institutions``, ``payments``: text frames exactly as the
      CSV files hold them (inputs.md, English headers).
    - ``people``: one row per person, true attributes (kana parts, birth date,
      maiden name, marriage date, how the master wrote the kana).
    - ``addresses``: one row per (person, address), ``seq`` 0 = current,
      1.. former newest first, block numbers and the notation the master used.
    - ``truth``: accounts truly held by delinquents (``account_key`` →
      ``person_id``) with their economic attributes and which name and
      address the holder gave at opening.
    - ``name_frequencies``: kana probability of every surname and given name
      reading in the population the office was drawn from (for the banks'
      strangers).
    """

    master: pl.DataFrame
    institutions: pl.DataFrame
    payments: pl.DataFrame
    truth: pl.DataFrame
    people: pl.DataFrame
    addresses: pl.DataFrame
    name_frequencies: pl.DataFrame
    municipality_code: str
    municipality_name: str
    as_of: dt.date

    def write(self, folder: str | Path, *, japanese_headers: Collection[str] = ("payments",)) -> dict[str, Path]:
        """Write master.csv, institutions.csv, payments.csv (UTF-8 with BOM, CRLF); the paths by name.

        The frames named in ``japanese_headers`` get the Japanese labels of
        inputs.md as header, so that readers are exercised with both.
        """
        return write_office(self, folder, japanese_headers=japanese_headers)


def generate_office(
    persons: int,
    seed: int = 0,
    municipality_code: str = "131041",
    municipality_name: str = "新宿区",
    as_of: dt.date = dt.date(2026, 10, 1),
    bad_rows: int = 0,
) -> Office:
    """Draw one synthetic office of ``persons`` delinquents (deterministic by ``seed``).

    ``bad_rows`` master rows are spoilt the way core-system exports go wrong
    (a date outside its era, 2月30日, an empty name, a duplicated 宛名番号),
    so that the reader's rejects can be exercised; their persons stay in
    the ground truth. The spoilt rows are listed in ``people.bad_row``.
    """
    rng = np.random.default_rng(seed)
    n = int(persons)
    # one generator, drawn from in this order: reordering these lines changes every office
    people, foreign, birth = draw_people(rng, n, as_of)
    people, addr = draw_addresses(rng, people, birth, as_of, municipality_name)
    master, people = master_frame(rng, people, addr, foreign, bad_rows)
    truth = draw_accounts(rng, people, addr, as_of)
    payments = draw_payments(rng, people, as_of)
    surnames, given = load_name_tables()
    return Office(
        master=master,
        institutions=institutions(),
        payments=payments,
        truth=truth,
        people=people,
        addresses=addr,
        name_frequencies=name_frequencies(surnames, given),
        municipality_code=municipality_code,
        municipality_name=municipality_name,
        as_of=as_of,
    )
