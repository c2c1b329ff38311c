"""The persons of an office: who they are (names, birth, sex, marriage) and where they lived.

One row per person in ``people`` (true attributes, never noisy) and one per
(person, address) in ``addresses`` (``seq`` 0 = current, 1.. former, newest
first; ``since`` decreasing with ``seq``). Everything the files and the banks
show later is written *from* these, so the truth is known for every notation
and every difficulty. Both are drawn from the office's one generator, in a
fixed order: same seed, same persons.

>>> import datetime as dt
>>> import numpy as np
>>> people, foreign, birth = draw_people(np.random.default_rng(1), 50, dt.date(2026, 10, 1))
>>> people.height, bool(people["person_id"].is_unique().all())
(50, True)
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from sample_data import _render as R
from sample_data._draws import ages, cat, choice_idx, to_date
from sample_data._names import FOREIGN, load_name_tables, towns

__all__ = ["MASTER_ADDRESS_NOTATION", "draw_people", "draw_addresses"]

#: how often the master writes an address in each of ``_render.ADDRESS_NOTATIONS``
MASTER_ADDRESS_NOTATION = [0.15, 0.25, 0.20, 0.15, 0.05, 0.05, 0.03, 0.05, 0.07]

_BUILDING_PREFIXES = [
    "コーポ", "メゾン", "ハイツ", "グランドメゾン", "パークハウス", "ライオンズマンション", "シティハイツ",
    "レジデンス", "サンハイム", "アーバンコート", "ドミール", "プラウド", "パレス", "ヴィラ", "第二", "ロイヤル",
]
_BUILDING_WORDS = ["さくら", "青葉", "第一", "ひかり", "若葉", "緑ヶ丘", "富士見", "白鷺", "朝日", "日の出", "中央", "藤"]


def draw_people(rng: np.random.Generator, n: int, as_of: dt.date) -> tuple[pl.DataFrame, np.ndarray, np.ndarray]:
    """``n`` persons: ``(people, foreign, birth)``.

    ``people`` has person_id, sex, birth_date, the kanji and kana of the
    family and given names, the maiden family kana of married women (and
    whether the master knows it) and the marriage date. Same-name pairs and a
    few same-name-same-birth-date pairs are planted (kana.md §5.2 item 9);
    ``foreign`` marks the ~1 % foreign residents (Latin letters in 住民票),
    ``birth`` holds the birth dates as ``datetime64[D]``.
    """
    surnames, given = load_name_tables()

    sex = np.where(rng.random(n) < 0.52, 1, 2)
    age = ages(rng, n)
    birth = np.datetime64(as_of, "D") - (age * 365.25 + rng.integers(0, 365, n)).astype("timedelta64[D]")
    birth_year = birth.astype("datetime64[Y]").astype(int) + 1970
    cohort = np.clip(birth_year // 10 * 10, 1930, 2000)
    fam = choice_idx(rng, surnames["p"].to_numpy(), n)
    giv = np.zeros(n, dtype=np.int64)
    given_p = given["p"].to_numpy()
    g_sex = given["sex"].to_numpy()
    g_cohort = given["cohort"].to_numpy()
    for s_code, s_label in ((1, "M"), (2, "F")):
        for c in np.unique(cohort):
            rows = np.flatnonzero((sex == s_code) & (cohort == c))
            if rows.size == 0:
                continue
            offer = np.flatnonzero((g_sex == s_label) & (g_cohort == c))
            giv[rows] = offer[choice_idx(rng, given_p[offer], rows.size)]

    # homonyms inside the master (kana.md §5.2 item 9): same name, and a few same name + same DOB
    n_pairs = max(2, n // 400) if n >= 20 else 0
    n_dob_pairs = max(1, round(n / 25000)) if n >= 20 else 0
    if n_pairs:
        chosen = rng.choice(n, size=min(n - n % 2, 2 * (n_pairs + n_dob_pairs)), replace=False)
        src, dst = chosen[0::2], chosen[1::2]
        fam[dst] = fam[src]
        giv[dst] = giv[src]
        sex[dst] = sex[src]
        birth[dst[:n_dob_pairs]] = birth[src[:n_dob_pairs]]
        age[dst[:n_dob_pairs]] = age[src[:n_dob_pairs]]

    fam_kanji = surnames["kanji"].gather(fam)
    fam_kana = surnames["kana"].gather(fam)
    giv_kanji = given["kanji"].gather(giv)
    giv_kana = given["kana"].gather(giv)

    # foreign residents (~1 %): Latin letters in 住民票, katakana with ヴ and ー
    foreign = rng.random(n) < 0.01
    if n_pairs:
        foreign[chosen] = False  # keep the planted homonyms
    if foreign.any():
        fi = np.flatnonzero(foreign)
        pick = rng.integers(0, len(FOREIGN), fi.size)
        table = pl.DataFrame(FOREIGN, schema=["fl", "gl", "fk", "gk"], orient="row")[pick]
        fam_kanji = fam_kanji.scatter(fi, table["fl"])
        giv_kanji = giv_kanji.scatter(fi, table["gl"])
        fam_kana = fam_kana.scatter(fi, table["fk"])
        giv_kana = giv_kana.scatter(fi, table["gk"])

    # marriage name change: women 25–45, married ~55 %; the master knows the 旧氏 for 70 % of them
    married = (sex == 2) & (age >= 25) & (age <= 45) & (rng.random(n) < 0.55)
    maiden = choice_idx(rng, surnames["p"].to_numpy(), n)
    maiden = np.where(maiden == fam, (maiden + 1) % surnames.height, maiden)
    maiden_known = married & (rng.random(n) < 0.7)
    married_years_ago = rng.random(n) * np.clip(age - 22, 0.5, None)
    married_on = np.datetime64(as_of, "D") - (married_years_ago * 365.25).astype("timedelta64[D]")

    ids = pl.Series(1_000_000_000 + np.cumsum(rng.integers(1, 40, n))).cast(pl.Utf8)

    people = pl.DataFrame(
        {
            "person_id": ids,
            "sex": sex.astype(np.int8),
            "birth_date": to_date(birth),
            "family_kanji": fam_kanji,
            "given_kanji": giv_kanji,
            "family_kana": fam_kana,
            "given_kana": giv_kana,
            "maiden_family_kana": surnames["kana"].gather(maiden).set(pl.Series(~married), None),
            "maiden_known": maiden_known,
            "married_on": to_date(married_on).set(pl.Series(~married), None),
        }
    )
    return people, foreign, birth


def draw_addresses(
    rng: np.random.Generator, people: pl.DataFrame, birth: np.ndarray, as_of: dt.date, municipality_name: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Every address each person lived at, and who lives at none (居所不明): ``(people, addresses)``.

    Most current addresses are in the office's ward, most former ones
    elsewhere; each carries its text as the master writes it
    (``MASTER_ADDRESS_NOTATION``). ``people`` comes back with
    ``residence_unknown``.
    """
    n = people.height
    ids = people["person_id"]
    n_former = cat(rng, [0.45, 0.30, 0.17, 0.08], n)
    counts = n_former + 1
    owner = np.repeat(np.arange(n), counts)
    seq = np.arange(owner.size) - np.repeat(np.cumsum(counts) - counts, counts)
    m = owner.size
    in_ward = np.where(seq == 0, rng.random(m) < 0.96, rng.random(m) < 0.4).astype(int)
    addr = _draw_places(rng, m, in_ward, municipality_name)
    stay_days = (rng.exponential(6.0, m) * 365).astype(int) + 60
    back = np.cumsum(stay_days) - np.repeat(np.cumsum(stay_days)[np.cumsum(counts) - counts] - stay_days[np.cumsum(counts) - counts], counts)
    since = np.datetime64(as_of, "D") - back.astype("timedelta64[D]")
    since = np.maximum(since, birth[owner])
    addr = addr.with_columns(
        ids.gather(owner).alias("person_id"),
        pl.Series("seq", seq.astype(np.int16)),
        to_date(since).alias("since"),
    )
    addr = addr.with_columns(_address_text(addr, MASTER_ADDRESS_NOTATION, rng).alias("text"))
    unknown_residence = rng.random(n) < 0.01
    people = people.with_columns(pl.Series("residence_unknown", unknown_residence))
    return people, addr


def _draw_places(rng: np.random.Generator, n: int, area: np.ndarray, municipality_name: str) -> pl.DataFrame:
    """``n`` addresses as parts (town, 丁目, 番, 号, building, room); ``area`` 1 = in the office's ward, 0 = elsewhere."""
    table = towns()
    ward = table.filter(pl.col("area") == "ward").with_columns(pl.lit(municipality_name).alias("city"))
    other = table.filter(pl.col("area") == "other")
    wi = rng.integers(0, ward.height, n)
    oi = rng.integers(0, other.height, n)
    # one table, ward rows first: index into it
    both = pl.concat([ward, other])
    idx = np.where(area == 1, wi, ward.height + oi)
    picked = both[idx].select("pref", "city", "town", "chome_max", "postal")
    chome_max = picked["chome_max"].to_numpy().astype(np.int64)
    chome = np.where(chome_max > 0, rng.integers(1, np.maximum(chome_max, 1) + 1), 0)
    ban = np.where(chome_max > 0, rng.integers(1, 31, n), rng.integers(1, 181, n))
    go = np.where(rng.random(n) < 0.85, rng.integers(1, 26, n), 0)
    in_building = rng.random(n) < 0.5
    prefixes = pl.Series(_BUILDING_PREFIXES).gather(rng.integers(0, len(_BUILDING_PREFIXES), n))
    words = pl.Series(_BUILDING_WORDS).gather(rng.integers(0, len(_BUILDING_WORDS), n))
    room = np.where(rng.random(n) < 0.93, rng.integers(1, 13, n) * 100 + rng.integers(1, 11, n), 0)
    return picked.drop("chome_max").with_columns(
        pl.Series("chome", chome),
        pl.Series("ban", ban),
        pl.Series("go", go),
        pl.when(pl.Series(in_building))
        .then(pl.concat_str([prefixes, pl.when(pl.Series(rng.random(n) < 0.5)).then(pl.col("town")).otherwise(words)]))
        .alias("building"),
        pl.Series("room", np.where(in_building, room, 0)),
    )


def _address_text(df: pl.DataFrame, notation_probs: list[float], rng: np.random.Generator) -> pl.Series:
    """The addresses' text, each in a notation drawn by ``notation_probs`` (and ヶ/ケ either way)."""
    n = df.height
    frame = df.with_columns(
        pl.Series("_n", cat(rng, notation_probs, n)),
        pl.Series("_s", cat(rng, [0.55, 0.35, 0.10], n)),
        pl.Series("_v", rng.random(n) < 0.5),
    )
    text = pl.DataFrame({"t": R.render_address_frame(frame, "_n", "_s"), "_v": frame["_v"]})
    # ヶ/ケ and が variants of the same town name (kana.md §4.3 rule 5)
    return text.select(
        pl.when(pl.col("_v")).then(pl.col("t").str.replace_all("ケ", "ヶ", literal=True)).otherwise(pl.col("t"))
    ).to_series()
