"""The population an office is drawn from: surnames, given names, towns, foreign residents.

Realism comes from the name tables in ``sample_data/names/`` (real common
surnames with population weights, kanji variants as separate surnames,
alternative readings; given names by sex and birth decade with Zipf-like
weights) plus synthetic long tails built from real name parts, so that
same-kana-name pairs are common and same-name-same-birth-date pairs are rare
but present, as kana.md §6 estimates. The banks draw their strangers from
the same population (:func:`name_frequencies`).

>>> surnames, given = load_name_tables()
>>> round(surnames["p"].sum(), 9), surnames.columns
(1.0, ['kanji', 'kana', 'p'])
>>> towns().columns[:3]
['area', 'pref', 'city']
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import polars as pl

__all__ = ["FOREIGN", "load_name_tables", "towns", "name_frequencies"]

NAMES_DIR = Path(__file__).with_name("names")

#: foreign residents' names (~1 % of the master): (family, given as in 住民票 in Latin letters,
#: family kana, given kana); ヴ in 2 of them and ー in 4, for the banks' spellings
FOREIGN = [
    ("NGUYEN", "VAN NAM", "グエン", "ヴァンナム"),
    ("NGUYEN", "THI LAN", "グエン", "ティラン"),
    ("TRAN", "THI HOA", "チャン", "ティホア"),
    ("KIM", "MINJUN", "キム", "ミンジュン"),
    ("LEE", "SOYEON", "イ", "ソヨン"),
    ("PARK", "JIHOON", "パク", "ジフン"),
    ("WANG", "LI", "ワン", "リー"),
    ("CHEN", "XIAOMEI", "チェン", "シャオメイ"),
    ("SMITH", "GEORGE", "スミス", "ジョージ"),
    ("RODRIGUEZ", "MARIA", "ロドリゲス", "マリア"),
    ("PEREIRA", "LUCAS", "ペレイラ", "ルーカス"),
    ("SHARMA", "AMIT", "シャルマ", "アミット"),
    ("GURUNG", "RAJU", "グルン", "ラージュ"),
    ("SANTOS", "JOSE", "サントス", "ホセ"),
    ("IVANOVA", "ANNA", "イヴァノヴァ", "アンナ"),
]


def _zipf(n: int, s: float) -> np.ndarray:
    return 1.0 / np.arange(1, n + 1) ** s


@functools.cache
def load_name_tables() -> tuple[pl.DataFrame, pl.DataFrame]:
    """Surnames and given names with their population weights, long tails included.

    Returns ``(surnames[kanji, kana, p], given[sex, cohort, kanji, kana, p])``
    where ``p`` sums to 1 over surnames and within each (sex, cohort). The
    tails combine real name parts (上+田, 正+夫 ...) with a fixed seed, so
    they are the same for every office.
    """
    rng = np.random.default_rng(20261123)
    head = pl.read_csv(NAMES_DIR / "surnames.csv", schema_overrides={"weight": pl.Float64})
    parts = pl.read_csv(NAMES_DIR / "name_parts.csv")

    def table(name: str) -> list[tuple[str, str]]:
        return parts.filter(pl.col("table") == name).select("kanji", "kana").rows()

    pre, suf = table("surname_prefix"), table("surname_suffix")
    known = set(head["kanji"].to_list())
    combos = [(a + b, ka + kb) for a, ka in pre for b, kb in suf if a != b and a + b not in known]
    combos = [combos[i] for i in rng.permutation(len(combos))]
    head_share = 0.5
    tail_w = _zipf(len(combos), 0.5)
    tail_w = tail_w / tail_w.sum() * (1 - head_share)
    surnames = pl.concat(
        [
            head.select("kanji", "kana", (pl.col("weight") / pl.col("weight").sum() * head_share).alias("p")),
            pl.DataFrame({"kanji": [c[0] for c in combos], "kana": [c[1] for c in combos], "p": tail_w}),
        ]
    )

    given_head = pl.read_csv(NAMES_DIR / "given_names.csv", schema_overrides={"weight": pl.Float64})
    frames = []
    for (sex, cohort), grp in given_head.group_by(["sex", "cohort"], maintain_order=True):
        old = cohort < 1965
        prefix = table("male_prefix" if sex == "M" else "female_prefix")
        suffix = table(f"{'male' if sex == 'M' else 'female'}_suffix_{'old' if old else 'new'}")
        taken = set(grp["kanji"].to_list())
        tail = [(a + b, ka + kb) for a, ka in prefix for b, kb in suffix if a != b and a + b not in taken]
        tail = [tail[i] for i in rng.permutation(len(tail))]
        w = _zipf(len(tail), 0.5)
        w = w / w.sum() * 0.6
        head_w = pl.col("weight").pow(0.75)  # the table's rank**-0.8 flattened to rank**-0.6
        frames.append(grp.select("sex", "cohort", "kanji", "kana", (head_w / head_w.sum() * 0.4).alias("p")))
        frames.append(
            pl.DataFrame(
                {"sex": sex, "cohort": cohort, "kanji": [t[0] for t in tail], "kana": [t[1] for t in tail], "p": w},
                schema={"sex": pl.Utf8, "cohort": pl.Int64, "kanji": pl.Utf8, "kana": pl.Utf8, "p": pl.Float64},
            )
        )
    return surnames, pl.concat(frames)


@functools.cache
def towns() -> pl.DataFrame:
    """Towns of the office's ward (``area`` ward), elsewhere (other) and far away (far, last)."""
    return pl.read_csv(NAMES_DIR / "towns.csv", schema_overrides={"postal": pl.Utf8})


def name_frequencies(surnames: pl.DataFrame, given: pl.DataFrame) -> pl.DataFrame:
    """P(kana) of each surname and each given-name reading (cohorts mixed by the age pyramid)."""
    cohort_w = {1930: 0.04, 1940: 0.08, 1950: 0.11, 1960: 0.14, 1970: 0.17, 1980: 0.18, 1990: 0.18, 2000: 0.10}
    fam = surnames.group_by("kana").agg(pl.col("p").sum()).with_columns(part=pl.lit("family"))
    giv = (
        given.with_columns((pl.col("p") * pl.col("cohort").replace_strict(cohort_w, default=0.0) * 0.5).alias("p"))
        .group_by("kana")
        .agg(pl.col("p").sum())
        .with_columns(part=pl.lit("given"))
    )
    return pl.concat([fam, giv]).select("part", "kana", "p")

