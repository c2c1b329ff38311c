"""Synthetic collection offices with ground truth.

An :class:`Office` is what a municipal collection office would export
(the delinquent master, the institutions master, the payments feed) plus what
no office ever knows: every person's true attributes, every address they
lived at, and which accounts they truly hold. The project measures itself on
it (matching.md "Quality, measured").

Realism comes from the name tables in ``sample_data/names/`` (real common
surnames with population weights, kanji variants as separate surnames,
alternative readings; given names by sex and birth decade with Zipf-like
weights) plus synthetic long tails built from real name parts, so that
same-kana-name pairs are common and same-name-same-birth-date pairs are rare
but present, as kana.md §6 estimates. Every notation of inputs.md is
exercised in realistic proportions (kana.md §5.2).

Everything is vectorised (numpy draws, polars expressions); 1,000,000 persons
take well under a minute.

>>> office = generate_office(200, seed=1)
>>> office.master.height, office.master.columns[:3]
(200, ['person_id', 'name_kanji', 'name_kana'])
>>> generate_office(200, seed=1).master.equals(office.master)
True
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from formats import refdata
from formats.yucho import account_key
from sample_data import _render as R

__all__ = [
    "Office",
    "generate_office",
    "load_name_tables",
    "MASTER_COLUMNS",
    "JAPANESE_HEADERS",
    "INSTITUTION_PLAN",
]

NAMES_DIR = Path(__file__).with_name("names")

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

JAPANESE_HEADERS = {
    "person_id": "宛名番号",
    "name_kanji": "氏名",
    "name_kana": "カナ氏名",
    "other_names_kana": "旧氏名カナ",
    "birth_date": "生年月日",
    "sex": "性別",
    "postal_code": "郵便番号",
    "address": "住所",
    "address_history": "住所履歴",
    "arrears_yen": "滞納額",
    "fiscal_class": "年度区分",
    "staff_code": "処分担当",
    "target_banks": "照会先金融機関",
    "bank_code": "金融機関コード",
    "name": "金融機関名",
    "provider": "照会サービス",
    "default_target": "標準照会先",
    "requires_address": "住所必須",
    "paid_on": "納付日",
    "amount_yen": "納付額",
}

# bank_code: (provider, default_target, requires_address, popularity for account ownership)
INSTITUTION_PLAN: dict[str, tuple[str, int, int, float]] = {
    "0001": ("dais", 1, 0, 9.0),
    "0009": ("dais", 1, 0, 9.0),
    "0010": ("dais", 1, 0, 5.0),
    "0017": ("dais", 0, 0, 2.0),
    "0137": ("dais", 1, 0, 3.0),
    "0138": ("dais", 0, 0, 1.5),
    "0134": ("dais", 0, 0, 1.0),
    "1341": ("dais", 1, 0, 3.0),
    "1344": ("dais", 1, 1, 2.0),
    "1351": ("dais", 1, 0, 2.0),
    "1356": ("dais", 0, 0, 1.0),
    "1303": ("dais", 0, 0, 1.0),
    "1311": ("dais", 0, 0, 0.8),
    "2248": ("dais", 1, 0, 0.8),
    "2963": ("dais", 1, 0, 2.0),
    "0036": ("dais", 1, 0, 4.0),
    "0040": ("dais", 0, 0, 1.5),
    "0005": ("pipitlinq", 1, 0, 10.0),
    "9900": ("pipitlinq", 1, 0, 16.0),
    "0038": ("pipitlinq", 1, 0, 3.0),
    "0033": ("pipitlinq", 1, 0, 2.5),
    "0034": ("pipitlinq", 1, 0, 2.0),
    "0035": ("pipitlinq", 0, 0, 1.5),
    "0397": ("pipitlinq", 1, 0, 1.5),
    "0310": ("pipitlinq", 0, 0, 0.8),
    "0039": ("pipitlinq", 0, 0, 1.0),
    "1310": ("pipitlinq", 0, 0, 0.8),
    "1319": ("pipitlinq", 1, 0, 1.2),
    "1349": ("pipitlinq", 1, 0, 1.5),
    "1360": ("pipitlinq", 0, 0, 1.0),
    "5094": ("pipitlinq", 1, 1, 0.8),
    "2276": ("paper", 0, 0, 0.5),
    "5072": ("paper", 0, 0, 0.5),
}

_BUILDING_PREFIXES = [
    "コーポ", "メゾン", "ハイツ", "グランドメゾン", "パークハウス", "ライオンズマンション", "シティハイツ",
    "レジデンス", "サンハイム", "アーバンコート", "ドミール", "プラウド", "パレス", "ヴィラ", "第二", "ロイヤル",
]
_BUILDING_WORDS = ["さくら", "青葉", "第一", "ひかり", "若葉", "緑ヶ丘", "富士見", "白鷺", "朝日", "日の出", "中央", "藤"]

_STAFF = [f"T{i:02d}" for i in range(1, 16)]

# (family, given as in 住民票, family kana, given kana)
_FOREIGN = [
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
        """Write master.csv, institutions.csv, payments.csv (UTF-8 with BOM, CRLF).

        The frames named in ``japanese_headers`` get the Japanese labels of
        inputs.md as header, so that readers are exercised with both.
        """
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        written = {}
        for name, frame in (("master", self.master), ("institutions", self.institutions), ("payments", self.payments)):
            # an empty field is written empty (not as a quoted "")
            frame = frame.with_columns(pl.when(pl.col(pl.Utf8) != "").then(pl.col(pl.Utf8)))
            if name in japanese_headers:
                frame = frame.rename({c: JAPANESE_HEADERS[c] for c in frame.columns})
            path = folder / f"{name}.csv"
            text = frame.write_csv(line_terminator="\r\n", quote_style="necessary")
            path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
            written[name] = path
        return written


# --- name tables -------------------------------------------------------------


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
def _towns() -> pl.DataFrame:
    return pl.read_csv(NAMES_DIR / "towns.csv", schema_overrides={"postal": pl.Utf8})


# --- helpers -----------------------------------------------------------------

_AGE_BANDS = [(20, 29, 1.3), (30, 39, 1.25), (40, 49, 1.1), (50, 59, 1.0), (60, 69, 0.8), (70, 79, 0.5), (80, 94, 0.2)]


def _ages(rng: np.random.Generator, n: int) -> np.ndarray:
    ages = np.concatenate([np.arange(lo, hi + 1) for lo, hi, _ in _AGE_BANDS])
    w = np.concatenate([np.full(hi - lo + 1, wt) for lo, hi, wt in _AGE_BANDS])
    return rng.choice(ages, size=n, p=w / w.sum())


def _choice_idx(rng: np.random.Generator, p: np.ndarray, n: int) -> np.ndarray:
    cdf = np.cumsum(p)
    cdf /= cdf[-1]
    return np.searchsorted(cdf, rng.random(n), side="right").clip(0, len(p) - 1)


def _cat(rng: np.random.Generator, probs: list[float], n: int) -> np.ndarray:
    return _choice_idx(rng, np.asarray(probs, dtype=float), n)


def _to_date(values: np.ndarray) -> pl.Series:
    return pl.Series(values.astype("datetime64[D]")).cast(pl.Date)


# --- addresses ---------------------------------------------------------------


def _draw_addresses(rng: np.random.Generator, n: int, area: np.ndarray, municipality_name: str) -> pl.DataFrame:
    """``n`` addresses; ``area`` 1 = in the office's ward, 0 = elsewhere."""
    towns = _towns()
    ward = towns.filter(pl.col("area") == "ward").with_columns(pl.lit(municipality_name).alias("city"))
    other = towns.filter(pl.col("area") == "other")
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
    n = df.height
    frame = df.with_columns(
        pl.Series("_n", _cat(rng, notation_probs, n)),
        pl.Series("_s", _cat(rng, [0.55, 0.35, 0.10], n)),
        pl.Series("_v", rng.random(n) < 0.5),
    )
    text = pl.DataFrame({"t": R.render_address_frame(frame, "_n", "_s"), "_v": frame["_v"]})
    # ヶ/ケ and が variants of the same town name (kana.md §4.3 rule 5)
    return text.select(
        pl.when(pl.col("_v")).then(pl.col("t").str.replace_all("ケ", "ヶ", literal=True)).otherwise(pl.col("t"))
    ).to_series()


MASTER_ADDRESS_NOTATION = [0.15, 0.25, 0.20, 0.15, 0.05, 0.05, 0.03, 0.05, 0.07]


# --- the office --------------------------------------------------------------


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
    surnames, given = load_name_tables()

    # --- who -----------------------------------------------------------------
    sex = np.where(rng.random(n) < 0.52, 1, 2)
    age = _ages(rng, n)
    birth = np.datetime64(as_of, "D") - (age * 365.25 + rng.integers(0, 365, n)).astype("timedelta64[D]")
    birth_year = birth.astype("datetime64[Y]").astype(int) + 1970
    cohort = np.clip(birth_year // 10 * 10, 1930, 2000)
    fam = _choice_idx(rng, surnames["p"].to_numpy(), n)
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
            giv[rows] = offer[_choice_idx(rng, given_p[offer], rows.size)]

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
        pick = rng.integers(0, len(_FOREIGN), fi.size)
        table = pl.DataFrame(_FOREIGN, schema=["fl", "gl", "fk", "gk"], orient="row")[pick]
        fam_kanji = fam_kanji.scatter(fi, table["fl"])
        giv_kanji = giv_kanji.scatter(fi, table["gl"])
        fam_kana = fam_kana.scatter(fi, table["fk"])
        giv_kana = giv_kana.scatter(fi, table["gk"])

    # marriage name change: women 25–45, married ~55 %; the master knows the 旧氏 for 70 % of them
    married = (sex == 2) & (age >= 25) & (age <= 45) & (rng.random(n) < 0.55)
    maiden = _choice_idx(rng, surnames["p"].to_numpy(), n)
    maiden = np.where(maiden == fam, (maiden + 1) % surnames.height, maiden)
    maiden_known = married & (rng.random(n) < 0.7)
    married_years_ago = rng.random(n) * np.clip(age - 22, 0.5, None)
    married_on = np.datetime64(as_of, "D") - (married_years_ago * 365.25).astype("timedelta64[D]")

    ids = pl.Series(1_000_000_000 + np.cumsum(rng.integers(1, 40, n))).cast(pl.Utf8)

    people = pl.DataFrame(
        {
            "person_id": ids,
            "sex": sex.astype(np.int8),
            "birth_date": _to_date(birth),
            "family_kanji": fam_kanji,
            "given_kanji": giv_kanji,
            "family_kana": fam_kana,
            "given_kana": giv_kana,
            "maiden_family_kana": surnames["kana"].gather(maiden).set(pl.Series(~married), None),
            "maiden_known": maiden_known,
            "married_on": _to_date(married_on).set(pl.Series(~married), None),
        }
    )

    # --- addresses -----------------------------------------------------------
    n_former = _cat(rng, [0.45, 0.30, 0.17, 0.08], n)
    counts = n_former + 1
    owner = np.repeat(np.arange(n), counts)
    seq = np.arange(owner.size) - np.repeat(np.cumsum(counts) - counts, counts)
    m = owner.size
    in_ward = np.where(seq == 0, rng.random(m) < 0.96, rng.random(m) < 0.4).astype(int)
    addr = _draw_addresses(rng, m, in_ward, municipality_name)
    stay_days = (rng.exponential(6.0, m) * 365).astype(int) + 60
    back = np.cumsum(stay_days) - np.repeat(np.cumsum(stay_days)[np.cumsum(counts) - counts] - stay_days[np.cumsum(counts) - counts], counts)
    since = np.datetime64(as_of, "D") - back.astype("timedelta64[D]")
    since = np.maximum(since, birth[owner])
    addr = addr.with_columns(
        ids.gather(owner).alias("person_id"),
        pl.Series("seq", seq.astype(np.int16)),
        _to_date(since).alias("since"),
    )
    addr = addr.with_columns(_address_text(addr, MASTER_ADDRESS_NOTATION, rng).alias("text"))
    unknown_residence = rng.random(n) < 0.01
    people = people.with_columns(pl.Series("residence_unknown", unknown_residence))

    current = addr.filter(pl.col("seq") == 0)
    history = (
        addr.filter(pl.col("seq") > 0)
        .group_by("person_id", maintain_order=True)
        .agg(pl.col("text").sort_by("seq").str.join("|").alias("address_history"))
    )

    # --- the master's text columns -------------------------------------------
    kana_notation = _cat(rng, [0.55, 0.14, 0.03, 0.10, 0.08, 0.03, 0.07], n)
    kana_notation = np.where(foreign & (kana_notation == len(R.KANA_NOTATIONS) - 1), 0, kana_notation)  # no reading to estimate from Latin letters
    date_notation = _cat(rng, [0.35, 0.20, 0.15, 0.12, 0.08, 0.10], n)
    sex_notation = _cat(rng, [0.60, 0.25, 0.10, 0.05], n)
    postal_notation = _cat(rng, [0.60, 0.30, 0.10], n)
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

    institutions = _institutions()
    truth = _accounts(rng, people, addr, institutions, as_of)
    payments = _payments(rng, people, as_of)
    return Office(
        master=master,
        institutions=institutions,
        payments=payments,
        truth=truth,
        people=people,
        addresses=addr,
        name_frequencies=_name_frequencies(surnames, given),
        municipality_code=municipality_code,
        municipality_name=municipality_name,
        as_of=as_of,
    )


_SPOILERS = ("date_outside_era", "impossible_date", "empty_name", "duplicate_id")


def _spoil(rng: np.random.Generator, master: pl.DataFrame, people: pl.DataFrame, k: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    rows = np.sort(rng.choice(np.arange(1, master.height), size=k, replace=False))
    kinds = [_SPOILERS[i % len(_SPOILERS)] for i in range(k)]
    ids = master["person_id"].to_list()
    birth = master["birth_date"].to_list()
    names = master["name_kanji"].to_list()
    for row, kind in zip(rows.tolist(), kinds):
        if kind == "date_outside_era":
            birth[row] = "平成31年5月1日"
        elif kind == "impossible_date":
            birth[row] = "1970-02-30"
        elif kind == "empty_name":
            names[row] = ""
        else:
            ids[row] = ids[row - 1]
    spoilt = pl.Series([None] * master.height, dtype=pl.Utf8).scatter(rows, pl.Series(kinds))
    master = master.with_columns(pl.Series("person_id", ids), pl.Series("birth_date", birth), pl.Series("name_kanji", names))
    return master, people.with_columns(spoilt.alias("bad_row"))


def _institutions() -> pl.DataFrame:
    banks = refdata.banks().select("bank_code", "name")
    plan = pl.DataFrame(
        {
            "bank_code": list(INSTITUTION_PLAN),
            "provider": [p[0] for p in INSTITUTION_PLAN.values()],
            "default_target": [str(p[1]) for p in INSTITUTION_PLAN.values()],
            "requires_address": [str(p[2]) for p in INSTITUTION_PLAN.values()],
        }
    )
    return plan.join(banks, on="bank_code", how="left").select("bank_code", "name", "provider", "default_target", "requires_address")


def _name_frequencies(surnames: pl.DataFrame, given: pl.DataFrame) -> pl.DataFrame:
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


_TYPES = [1, 6, 4, 2, 7, 8, 5, 9]
_TYPE_P = [0.74, 0.12, 0.05, 0.03, 0.03, 0.01, 0.01, 0.01]
_STATUS = ["通常", "休眠", "解約済", "支払停止"]


def _accounts(rng: np.random.Generator, people: pl.DataFrame, addr: pl.DataFrame, institutions: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """Accounts truly held by the delinquents, a few each, at popular institutions."""
    n = people.height
    per = _cat(rng, [0.12, 0.28, 0.25, 0.17, 0.10, 0.05, 0.03], n)
    owner = np.repeat(np.arange(n), per)
    m = owner.size
    codes = np.array(list(INSTITUTION_PLAN))
    pop = np.array([p[3] for p in INSTITUTION_PLAN.values()])
    bank = codes[_choice_idx(rng, pop, m)]
    is_yucho = bank == "9900"
    acct_type = np.array(_TYPES)[_cat(rng, _TYPE_P, m)]
    acct_type = np.where(is_yucho, np.where(rng.random(m) < 0.93, 1, 2), acct_type)

    branches = refdata.branches().filter(pl.col("bank_code").is_in(list(INSTITUTION_PLAN)))
    # ゆうちょ: 総合口座 live in branches ending 8, 振替口座 in branches ending 9
    branches = branches.with_columns(
        pl.when(pl.col("bank_code") == "9900")
        .then(pl.when(pl.col("branch_code").str.ends_with("8")).then(1).otherwise(2))
        .otherwise(0)
        .alias("_slot")
    )
    branch = np.empty(m, dtype=object)
    for (code, slot), grp in branches.group_by(["bank_code", "_slot"], maintain_order=True):
        mask = (bank == code) & ((slot == 0) | (acct_type == slot))
        k = int(mask.sum())
        if k:
            choices = grp["branch_code"].to_numpy()
            branch[mask] = choices[rng.integers(0, len(choices), k)]
    # unique account keys: redraw the few collisions (a numeric composite key, numpy only)
    bank_idx = np.searchsorted(np.sort(codes), bank)
    branch_int = pl.Series(branch.astype(str)).cast(pl.Int64).to_numpy()
    base_key = ((bank_idx.astype(np.int64) * 1000 + branch_int) * 10 + acct_type) * 10_000_000
    number = rng.integers(0, 10_000_000, m)
    for _ in range(20):
        _, first = np.unique(base_key + number, return_index=True)
        redo = np.ones(m, dtype=bool)
        redo[first] = False
        if not redo.any():
            break
        number[redo] = rng.integers(0, 10_000_000, int(redo.sum()))
    frame = pl.DataFrame(
        {
            "bank_code": bank,
            "branch_code": branch.astype(str),
            "account_type": acct_type.astype(np.int8),
            "account_number": pl.Series(number).cast(pl.Utf8).str.zfill(7),
        }
    )

    birth = people["birth_date"].to_numpy().astype("datetime64[D]")[owner]
    as_of64 = np.datetime64(as_of, "D")
    earliest = np.maximum(birth + np.timedelta64(18 * 365, "D"), as_of64 - np.timedelta64(40 * 365, "D"))
    span = np.maximum((as_of64 - np.timedelta64(30, "D") - earliest).astype(int), 1)
    opened = earliest + (rng.random(m) * span).astype("timedelta64[D]")
    status_i = _cat(rng, [0.80, 0.08, 0.07, 0.05], m)
    balance = np.exp(rng.normal(np.log(30_000), 2.0, m)).astype(np.int64)
    balance = np.where(rng.random(m) < 0.1, rng.integers(0, 1000, m), balance)
    balance = np.where(acct_type == 6, np.exp(rng.normal(np.log(500_000), 1.0, m)).astype(np.int64) // 1000 * 1000, balance)
    balance = np.where((acct_type == 2) & ~is_yucho & (rng.random(m) < 0.1), -rng.integers(1000, 300_000, m), balance)
    balance = np.where(status_i == 2, 0, balance)
    balance = np.minimum(balance, 500_000_000)
    last = as_of64 - rng.exponential(20, m).astype("timedelta64[D]")
    dormant_last = as_of64 - (rng.integers(5 * 365, 15 * 365, m)).astype("timedelta64[D]")
    opened = np.where(status_i == 1, np.minimum(opened, dormant_last - np.timedelta64(365, "D")), opened)
    last = np.where(status_i == 1, dormant_last, last)
    closed_last = opened + ((as_of64 - opened).astype(int) * rng.random(m)).astype("timedelta64[D]")
    last = np.where(status_i == 2, closed_last, last)
    term = np.array([365, 3 * 365, 5 * 365])[rng.integers(0, 3, m)]
    maturity = opened + (((as_of64 - opened).astype(int) // term + 1) * term).astype("timedelta64[D]")
    last = np.where(acct_type == 6, maturity, np.maximum(last, opened))

    # name given at opening: the maiden name for half the accounts a married woman opened before marriage
    married_on = people["married_on"].to_numpy()
    pre_marriage = ~np.isnat(married_on[owner]) & (opened < married_on[owner].astype("datetime64[D]"))
    name_used = pre_marriage & (rng.random(m) < 0.5)

    frame = frame.with_columns(
        people["person_id"].gather(owner).alias("person_id"),
        _to_date(opened).alias("opened_on"),
        _to_date(last).alias("last_activity"),
        pl.Series(_STATUS).gather(status_i).alias("account_status"),
        pl.Series("balance_yen", balance.astype(np.int64)),
        pl.Series(["current", "maiden"]).gather(name_used.astype(np.int64)).alias("name_used"),
    )
    # address given at opening: the newest address the person had moved into by then
    # (addresses are grouped by person, seq 0 = current, since decreasing with seq)
    counts = addr.group_by("person_id", maintain_order=True).len()["len"].to_numpy()
    start = np.cumsum(counts) - counts
    since = addr["since"].to_numpy().astype("datetime64[D]")
    opened_d = opened.astype("datetime64[D]")
    seq_at = counts[owner] - 1
    unset = np.ones(m, dtype=bool)
    for k in range(int(counts.max()) if counts.size else 0):
        valid = unset & (k < counts[owner])
        hit = valid & (since[np.minimum(start[owner] + k, since.size - 1)] <= opened_d)
        seq_at = np.where(hit, k, seq_at)
        unset &= ~hit
    first_of_owner = np.r_[True, owner[1:] != owner[:-1]] if m else np.zeros(0, dtype=bool)
    primary = pl.Series(first_of_owner & (acct_type == 1) & (status_i == 0))
    frame = frame.with_columns(pl.Series("address_seq", seq_at).cast(pl.Int16), primary.alias("primary"))
    yucho = pl.col("bank_code") == "9900"
    symbol = pl.concat_str([pl.when(pl.col("account_type") == 1).then(pl.lit("1")).otherwise(pl.lit("0")), pl.col("branch_code").str.slice(0, 2), pl.lit("0"), pl.lit("0")])
    symbol = pl.concat_str([symbol.str.slice(0, 3), (pl.col("account_number").str.slice(6, 1)), pl.lit("0")])
    passbook_number = pl.when(pl.col("account_type") == 1).then(pl.concat_str([pl.col("account_number"), pl.lit("1")])).otherwise(pl.concat_str([pl.lit("0"), pl.col("account_number")]))
    return frame.select(
        account_key(pl.col("bank_code"), pl.col("branch_code"), pl.col("account_type"), pl.col("account_number")),
        "person_id",
        "bank_code",
        "branch_code",
        "account_type",
        "account_number",
        pl.when(yucho).then(symbol).alias("passbook_symbol"),
        pl.when(yucho).then(passbook_number).alias("passbook_number"),
        "opened_on",
        "last_activity",
        "account_status",
        "balance_yen",
        "name_used",
        "address_seq",
        "primary",
    )


def _payments(rng: np.random.Generator, people: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """Payments feed: some paid in full after the as-of date (cleared), some partly, some before."""
    n = people.height
    kind = _cat(rng, [0.89, 0.03, 0.01, 0.04, 0.03], n)  # none, full, full in two, partial, before as-of
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
    notation = _cat(rng, [0.7, 0.0, 0.2, 0.05, 0.0, 0.05], who.size)
    frame = pl.DataFrame(
        {
            "person_id": people["person_id"].gather(who),
            "_d": _to_date(paid),
            "_n": notation,
            "amount_yen": np.concatenate(rows_amount),
        }
    ).sort("person_id", "_d")
    return frame.select("person_id", R.render_date(pl.col("_d"), pl.col("_n")).alias("paid_on"), pl.col("amount_yen").cast(pl.Utf8))
