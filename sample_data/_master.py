"""The delinquent master as a core system exports it: one true person, many notations.

Every notation of inputs.md is exercised in realistic proportions
(kana.md §5.2): kana in full width, half width, hiragana, Zengin or missing
(a reading to estimate), dates in 西暦 and 和暦 forms, sex as a code, 男/女
or M/F, postal codes with or without the hyphen, former addresses, 旧氏名,
居所不明 (only the former address known), and a few persons with their own
list of institutions to ask. The notation chosen for each person is kept
in ``people`` so that the measurements can split by it.

>>> MASTER_COLUMNS[:4]
['person_id', 'name_kanji', 'name_kana', 'other_names_kana']
"""

from __future__ import annotations

import numpy as np
import polars as pl

from sample_data import _render as R
from sample_data._accounts import INSTITUTION_PLAN
from sample_data._draws import cat

__all__ = ["MASTER_COLUMNS", "master_frame"]

MASTER_COLUMNS = [
    "person_id",
    "name_kanji",
    "name_kana",
    "other_names_kana",
    "birth_date",
    "sex",
    "postal_code",
    "address",
    "address_history",
    "arrears_yen",
    "fiscal_class",
    "staff_code",
    "target_banks",
]

_STAFF = [f"T{i:02d}" for i in range(1, 16)]


def master_frame(
    rng: np.random.Generator, people: pl.DataFrame, addr: pl.DataFrame, foreign: np.ndarray, bad_rows: int = 0
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The master's text columns (``MASTER_COLUMNS``) for ``people``: ``(master, people)``.

    ``people`` comes back with the notations drawn (``kana_notation``,
    ``date_notation``), ``arrears_yen`` and ``bad_row``: ``bad_rows`` rows are
    spoilt the way core-system exports go wrong (a date outside its era,
    2月30日, an empty name, a duplicated 宛名番号).
    """
    n = people.height
    current = addr.filter(pl.col("seq") == 0)
    history = (
        addr.filter(pl.col("seq") > 0)
        .group_by("person_id", maintain_order=True)
        .agg(pl.col("text").sort_by("seq").str.join("|").alias("address_history"))
    )

    kana_notation = cat(rng, [0.55, 0.14, 0.03, 0.10, 0.08, 0.03, 0.07], n)
    kana_notation = np.where(foreign & (kana_notation == len(R.KANA_NOTATIONS) - 1), 0, kana_notation)  # no reading to estimate from Latin letters
    date_notation = cat(rng, [0.35, 0.20, 0.15, 0.12, 0.08, 0.10], n)
    sex_notation = cat(rng, [0.60, 0.25, 0.10, 0.05], n)
    postal_notation = cat(rng, [0.60, 0.30, 0.10], n)
    kanji_sep = pl.Series(["\u3000", " "]).gather((rng.random(n) >= 0.75).astype(np.int64))
    arrears = (np.exp(rng.normal(np.log(80_000), 1.1, n)) // 100 * 100).astype(np.int64) + 1000
    targeted = rng.random(n) < 0.04
    reachable = [c for c, plan in INSTITUTION_PLAN.items() if plan[0] != "paper"]
    k_targeted = int(targeted.sum())
    order = np.argsort(rng.random((k_targeted, len(reachable))), axis=1)[:, :6]
    explicit = (
        pl.DataFrame({"i": order.tolist(), "k": rng.integers(3, 7, k_targeted)}, schema={"i": pl.List(pl.Int64), "k": pl.Int64})
        .select(pl.col("i").list.head(pl.col("k")).list.eval(pl.element().replace_strict(dict(enumerate(reachable)), return_dtype=pl.Utf8)).list.sort().list.join(";"))
        .to_series()
    )
    target_banks = pl.Series([""] * n, dtype=pl.Utf8).scatter(np.flatnonzero(targeted), explicit) if k_targeted else pl.Series([""] * n, dtype=pl.Utf8)

    work = people.with_columns(
        pl.Series("_kn", kana_notation),
        pl.Series("_dn", date_notation),
        pl.Series("_sn", sex_notation),
        pl.Series("_pn", postal_notation),
        pl.Series("_ks", kanji_sep),
    ).join(current.select("person_id", "postal", pl.col("text").alias("_cur")), on="person_id", how="left")
    fk, gk = pl.col("family_kana"), pl.col("given_kana")
    kana = R.pick(
        pl.col("_kn"),
        [
            pl.concat_str([fk, pl.lit("\u3000"), gk]),
            pl.concat_str([fk, pl.lit(" "), gk]),
            pl.concat_str([fk, gk]),
            pl.concat_str([R.hiragana(fk), pl.lit("\u3000"), R.hiragana(gk)]),
            pl.concat_str([R.halfwidth_raw(fk), pl.lit(" "), R.halfwidth_raw(gk)]),
            pl.concat_str([R.zengin(fk), pl.lit(" "), R.zengin(gk)]),
            pl.lit(""),
        ],
    )
    other = pl.when(pl.col("maiden_known")).then(pl.concat_str([pl.col("maiden_family_kana"), pl.lit("\u3000"), gk])).otherwise(pl.lit(""))
    sex_text = R.pick(
        pl.col("_sn"),
        [
            pl.col("sex").cast(pl.Utf8),
            pl.when(pl.col("sex") == 1).then(pl.lit("男")).otherwise(pl.lit("女")),
            pl.when(pl.col("sex") == 1).then(pl.lit("M")).otherwise(pl.lit("F")),
            pl.lit(""),
        ],
    )
    postal = R.pick(
        pl.col("_pn"),
        [pl.concat_str([pl.col("postal").str.slice(0, 3), pl.lit("-"), pl.col("postal").str.slice(3)]), pl.col("postal"), pl.lit("")],
    )
    master = (
        work.join(history, on="person_id", how="left")
        .select(
            "person_id",
            pl.concat_str([pl.col("family_kanji"), pl.col("_ks"), pl.col("given_kanji")]).alias("name_kanji"),
            kana.alias("name_kana"),
            other.alias("other_names_kana"),
            R.render_date(pl.col("birth_date"), pl.col("_dn")).alias("birth_date"),
            sex_text.alias("sex"),
            pl.when(pl.col("residence_unknown")).then(pl.lit("")).otherwise(postal).alias("postal_code"),
            pl.when(pl.col("residence_unknown")).then(pl.lit("")).otherwise(pl.col("_cur")).alias("address"),
            # residence unknown (居所不明): the last registered address is still known from 住民票除票
            pl.when(pl.col("residence_unknown"))
            .then(pl.concat_str([pl.col("_cur"), pl.col("address_history")], separator="|", ignore_nulls=True))
            .otherwise(pl.col("address_history"))
            .fill_null("")
            .alias("address_history"),
            pl.Series(arrears).cast(pl.Utf8).alias("arrears_yen"),
            pl.when(pl.Series(rng.random(n) < 0.35)).then(pl.lit("現年")).otherwise(pl.lit("滞繰")).alias("fiscal_class"),
            pl.Series(_STAFF).gather(rng.integers(0, len(_STAFF), n)).alias("staff_code"),
            target_banks.alias("target_banks"),
        )
    )
    people = people.with_columns(
        pl.Series(R.KANA_NOTATIONS).gather(kana_notation).alias("kana_notation"),
        pl.Series(R.DATE_NOTATIONS).gather(date_notation).alias("date_notation"),
        pl.Series("arrears_yen", arrears),
    )

    people = people.with_columns(pl.lit(None, pl.Utf8).alias("bad_row"))
    if bad_rows > 0 and n >= 2:
        master, people = _spoil(rng, master, people, min(bad_rows, n - 1))
    return master, people


_SPOILERS = ("date_outside_era", "impossible_date", "empty_name", "duplicate_id")


def _spoil(rng: np.random.Generator, master: pl.DataFrame, people: pl.DataFrame, k: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Spoil ``k`` master rows (never the first), the kinds of ``_SPOILERS`` in turn; the rows are named in ``people.bad_row``."""
    rows = np.sort(rng.choice(np.arange(1, master.height), size=k, replace=False))
    kinds = np.array(_SPOILERS)[np.arange(k) % len(_SPOILERS)]

    def at(kind: str) -> np.ndarray:
        return rows[kinds == kind]

    # a duplicated 宛名番号 copies the row above, which is never a duplicate itself (rows of one kind are 4 or more apart)
    dup = at("duplicate_id")
    master = master.with_columns(
        master["person_id"].clone().scatter(dup, master["person_id"].gather(dup - 1)),
        master["birth_date"].clone().scatter(at("date_outside_era"), "平成31年5月1日").scatter(at("impossible_date"), "1970-02-30"),
        master["name_kanji"].clone().scatter(at("empty_name"), ""),
    )
    spoilt = pl.Series([None] * master.height, dtype=pl.Utf8).scatter(rows, pl.Series(kinds.tolist()))
    return master, people.with_columns(spoilt.alias("bad_row"))
