"""The payments feed of an office: who paid what, when, around the master's as-of date.

Some persons paid in full after the as-of date (their inquiries must be
cancelled or their results set aside), some in part, some before it; the
dates come in the master's notations so that the reader is exercised.

>>> import datetime as dt
>>> import numpy as np
>>> people = pl.DataFrame({"person_id": ["1", "2"], "arrears_yen": [10_000, 20_000]})
>>> draw_payments(np.random.default_rng(0), people, dt.date(2026, 10, 1)).columns
['person_id', 'paid_on', 'amount_yen']
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from sample_data import _render as R
from sample_data._draws import cat, to_date

__all__ = ["draw_payments"]


def draw_payments(rng: np.random.Generator, people: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """Payments feed: some paid in full after the as-of date (cleared), some partly, some before."""
    n = people.height
    kind = cat(rng, [0.89, 0.03, 0.01, 0.04, 0.03], n)  # none, full, full in two, partial, before as-of
    arrears = people["arrears_yen"].to_numpy()
    rows_person, rows_day, rows_amount = [], [], []
    for k, parts in ((1, [1.0]), (2, [0.4, 0.6]), (3, None), (4, None)):
        idx = np.flatnonzero(kind == k)
        if k in (1, 2):
            for share in parts:
                rows_person.append(idx)
                rows_day.append(rng.integers(1, 45, idx.size))
                rows_amount.append(np.ceil(arrears[idx] * share).astype(np.int64))
        elif k == 3:
            rows_person.append(idx)
            rows_day.append(rng.integers(1, 45, idx.size))
            rows_amount.append((arrears[idx] * rng.uniform(0.1, 0.7, idx.size)).astype(np.int64) // 100 * 100)
        else:
            rows_person.append(idx)
            rows_day.append(-rng.integers(1, 200, idx.size))
            rows_amount.append((arrears[idx] * rng.uniform(0.1, 1.0, idx.size)).astype(np.int64) // 100 * 100)
    who = np.concatenate(rows_person)
    day = np.concatenate(rows_day)
    paid = np.datetime64(as_of, "D") + day.astype("timedelta64[D]")
    notation = cat(rng, [0.7, 0.0, 0.2, 0.05, 0.0, 0.05], who.size)
    frame = pl.DataFrame(
        {
            "person_id": people["person_id"].gather(who),
            "_d": to_date(paid),
            "_n": notation,
            "amount_yen": np.concatenate(rows_amount),
        }
    ).sort("person_id", "_d")
    return frame.select("person_id", R.render_date(pl.col("_d"), pl.col("_n")).alias("paid_on"), pl.col("amount_yen").cast(pl.Utf8))
