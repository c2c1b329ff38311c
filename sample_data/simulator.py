"""The simulated banks of both services: they read request files and answer them.

A :class:`BankWorld` is built from an :class:`~sample_data.generator.Office`.
It holds, per institution, the delinquents' true accounts *as the bank knows
them* — Zengin half-width kana (DAIS) or full-width katakana as stored
(pipitLINQ), the address given at opening (often a former one, sometimes
empty, sometimes only its town - 町名 or 町名 + 丁目 - and rarely another block of
the person's town), a birth date sometimes missing or mistyped, the maiden
name for some married women, a few look-alike typos, ヂ/ジ ヅ/ズ swaps,
guardian suffixes cut at the field width, and foreign residents' names as a
bank that cannot hold ヴ writes them (ヴァ → バ ...) or with a ー dropped or
added (matching.md "Why it is hard"; the rates are the module constants
below, with their reasons, and docs/matching.md §5).

Banks search by kana name, so every answer also carries **strangers with the
same kana name** (同名異人). They are not stored: they are a deterministic
function of (bank, kana name, birth date), drawn from hashed uniforms, with a
heavy-tailed count proportional to the bank's size and the name's frequency
in the population (kana.md §6); banks that check the birth date return only
strangers with the same date or none on file. A few strangers share the
birth date, and a few of those live in the same town (the hard case). Two
delinquents of the master who share a name see each other's accounts.

Every returned account is recorded in :attr:`BankWorld.truth` (true owner or
null, and which difficulty it carries) for quality measurement, with the
salary/pension pattern planted in its history.

>>> from sample_data.generator import generate_office
>>> world = BankWorld.from_office(generate_office(100, seed=3), seed=3)
>>> world.accounts.height > 0
True
"""

from __future__ import annotations

import functools
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from formats import refdata
from formats.yucho import account_key
from sample_data import _render as R
from sample_data.generator import Office

__all__ = ["BankWorld", "BANK_ADDRESS_NOTATION", "TRUTH_KINDS", "sample_requests"]

BANK_ADDRESS_NOTATION = [0.10, 0.25, 0.15, 0.30, 0.02, 0.03, 0.02, 0.05, 0.08]

TRUTH_KINDS = (
    "delinquent",
    "maiden_name",
    "typo",
    "guardian_truncated",
    "dz_swap",
    "dob_missing",
    "dob_typo",
    "old_address",
    "address_empty",
    "address_town_only",
    "address_other_block",
    "foreign_spelling",
    "stranger_same_name",
    "stranger_same_name_dob",
    "stranger_same_name_dob_town",
)

_UNABLE_REASONS = ["システム障害", "照会内容不備", "支店特定不能", "取扱対象外"]
# DAIS writes the reason in a C20 field: half-width kana
_UNABLE_REASONS_DAIS = {
    "システム障害": "ｼｽﾃﾑｼﾖｳｶﾞｲ",
    "照会内容不備": "ｼﾖｳｶｲﾅｲﾖｳﾌﾋﾞ",
    "支店特定不能": "ｼﾃﾝﾄｸﾃｲﾌﾉｳ",
    "取扱対象外": "ﾄﾘｱﾂｶｲﾀｲｼﾖｳｶﾞｲ",
    "住所未記入": "ｼﾞﾕｳｼﾖﾐｷﾆﾕｳ",
}
_EMPLOYERS = [
    "ｶ)ﾆｼｼﾝｼﾞﾕｸｼﾖｳｼﾞ", "ｶ)ﾄｳｷﾖｳｹﾝｾﾂ", "ﾕ)ﾀﾅｶｼﾖｳﾃﾝ", "ｲ)ｼﾝｼﾞﾕｸｶｲ", "ｶ)ﾀｶﾀﾞﾉﾊﾞﾊﾞｳﾝﾕ", "ｶ)ｻｸﾗﾌ-ｽﾞ",
    "ｶ)ｵｵｸﾎﾞｺｳｷﾞﾖｳ", "ｼﾔ)ﾌｸｼｶｲ", "ｶ)ﾖﾂﾔｼﾖｸﾋﾝ", "ｶ)ｶｸﾞﾗｻﾞｶｷｶｸ", "ｺﾞｳ)ｱｵﾊﾞｿﾌﾄ", "ｶ)ﾐﾗｲﾛｼﾞｽﾃｲｸｽ",
]
_PENSION_DESC = ["ﾈﾝｷﾝ", "ｺｸﾐﾝﾈﾝｷﾝ", "ｺｳｾｲﾈﾝｷﾝ"]
_TRANSFER_FROM = ["ﾔﾏﾀﾞ ﾀﾛｳ", "ｽｽﾞｷ ﾊﾅｺ", "ﾀﾅｶ ｹﾝｼﾞ", "ｻﾄｳ ﾐﾕｷ", "ﾒﾙｶﾘ", "ｶ)ｱﾙﾊﾞｲﾄｻ-ﾋﾞｽ"]
_GUARDIANS = ["ｽｽﾞｷ ｲﾁﾛｳ", "ｻﾄｳ ﾏｻｺ", "ﾀﾅｶ ﾋﾛｼ", "ﾍﾞﾝｺﾞｼ ﾀｶﾊｼ ｼﾞﾕﾝ"]

_LOOK_HALF = {"ｼ": "ﾂ", "ﾂ": "ｼ", "ｿ": "ﾝ", "ﾝ": "ｿ", "ｳ": "ｩ"}
_LOOK_FULL = {"シ": "ツ", "ツ": "シ", "ソ": "ン", "ン": "ソ", "バ": "パ", "パ": "バ", "ビ": "ピ", "ブ": "プ"}
_DAKUTEN_FULL = dict(zip("ガギグゲゴザジズゼゾダヂヅデドバビブベボ", "カキクケコサシスセソタチツテトハヒフヘホ"))


def _typo_one(text: str, provider: str) -> str:
    """One look-alike error a teller makes: ｼ/ﾂ, ｿ/ﾝ, ﾊﾞ/ﾊﾟ, a dropped ﾞ (deterministic per string)."""
    h = zlib.crc32(text.encode("utf-8"))
    table = _LOOK_HALF if provider == "dais" else _LOOK_FULL
    spots = [i for i, ch in enumerate(text) if ch in table or ch in "ﾞﾟ" or ch in _DAKUTEN_FULL]
    if not spots:
        return text
    i = spots[h % len(spots)]
    ch = text[i]
    if ch == "ﾞ":
        return text[:i] + ("" if h % 3 else "ﾟ") + text[i + 1 :]
    if ch == "ﾟ":
        return text[:i] + "ﾞ" + text[i + 1 :]
    if ch in table and not (ch in _DAKUTEN_FULL and h % 2):
        return text[:i] + table[ch] + text[i + 1 :]
    return text[:i] + _DAKUTEN_FULL.get(ch, ch) + text[i + 1 :]


def _hash_u(cols: list[pl.Expr], salt: int) -> pl.Expr:
    """A uniform in [0, 1) that depends only on the given values and the salt."""
    return (pl.struct(cols).hash(seed=salt) // 2048).cast(pl.Float64) / float(2**53)


def _mix_u(h: np.ndarray, k: int) -> np.ndarray:
    """The k-th uniform derived from one 64-bit hash per row (splitmix64 finaliser)."""
    with np.errstate(over="ignore"):
        x = h.astype(np.uint64) + np.uint64((0x9E3779B97F4A7C15 * (k + 1)) % 2**64)
        x ^= x >> np.uint64(30)
        x *= np.uint64(0xBF58476D1CE4E5B9)
        x ^= x >> np.uint64(27)
        x *= np.uint64(0x94D049BB133111EB)
        x ^= x >> np.uint64(31)
    return (x >> np.uint64(11)).astype(np.float64) / float(2**53)


def _split_name(expr: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    parts = expr.str.replace_all("\u3000", " ").str.strip_chars().str.splitn(" ", 2)
    return parts.struct.field("field_0"), parts.struct.field("field_1").str.strip_chars()


@functools.cache
def _bank_names() -> pl.DataFrame:
    return refdata.banks().select("bank_code", pl.col("name").alias("bank_name"))


@functools.cache
def _branch_lists() -> pl.DataFrame:
    """Branches a stranger's account may live at, numbered 0.. per bank (ゆうちょ: 総合口座 branches)."""
    b = refdata.branches()
    yucho = b.filter((pl.col("bank_code") == "9900") & pl.col("branch_code").str.ends_with("8"))
    other = b.filter(pl.col("bank_code") != "9900")
    both = pl.concat([yucho, other]).select("bank_code", "branch_code")
    return both.with_columns(pl.int_range(pl.len()).over("bank_code").cast(pl.UInt32).alias("_bi"))


_AGE_BANDS = [(20, 29, 1.0), (30, 39, 1.1), (40, 49, 1.2), (50, 59, 1.2), (60, 69, 1.1), (70, 79, 1.0), (80, 94, 0.5)]


def _age_from_u(u: np.ndarray) -> np.ndarray:
    ages = np.concatenate([np.arange(lo, hi + 1) for lo, hi, _ in _AGE_BANDS])
    w = np.concatenate([np.full(hi - lo + 1, wt) for lo, hi, wt in _AGE_BANDS])
    cdf = np.cumsum(w) / w.sum()
    return ages[np.searchsorted(cdf, u, side="right").clip(0, len(ages) - 1)]


def _profile(code: str, kind: str, provider: str, rng: np.random.Generator) -> dict[str, object]:
    big = {"0001": 25e6, "0005": 30e6, "0009": 25e6, "0010": 8e6, "9900": 60e6}
    by_type = {"bank": 3e6, "shinkin": 5e5, "shinkumi": 1e5, "ja": 1e5, "rokin": 2e6}
    nets = {"0033", "0034", "0035", "0036", "0038", "0039", "0040", "0042", "0043", "0310", "0397"}
    customers = big.get(code, 5e6 if code in nets else by_type.get(kind, 1e6))
    name_only = kind in ("shinkin", "shinkumi", "ja") or code in ("0017", "0138")
    return {
        "bank_code": code,
        "provider": provider,
        "customers": float(customers),
        "search": "name_only" if name_only else "name_dob",
        "keeps_small": bool(rng.random() < 0.5),
        "half_space": bool(rng.random() < 0.2),
        # from the code, not the generator: adding this behaviour left every other draw as it was
        "v_as_b": zlib.crc32(code.encode("ascii")) % 1000 < V_AS_B_SHARE * 1000,
        "unable_rate": 0.03 if code == "0310" else 0.003,
    }


#: share of answers whose 届出住所 is empty. Since 2003 (本人確認法, now 犯収法) a bank
#: verifies the address at account opening, and since the 名寄せ data of the deposit
#: insurance (預金保険法, complete since 2005) every deposit must carry its holder's name,
#: kana, address and birth date; so only a few old accounts lack one. No published figure:
#: 1.0 % (it was 1.5 % until issue #15 added the town-level addresses below - part of what
#: we counted as "no address" is "no full address"; the independent offices of #15, where a
#: perfect follower of the rules reaches recall 0.982-0.983, bound all rule-imposed REVIEWs
#: of owned accounts together to at most about 1.8 %). matching.md sends every such account to
#: REVIEW, so this rate alone bounds hit recall (at 6 % recall cannot exceed about 0.94).
EMPTY_ADDRESS_RATE = 0.010

#: share of answers whose 届出住所 stops at the town: 町名 alone, or 町名 + 丁目 (half each where the
#: town has 丁目). Old core systems and accounts opened by post or at a branch counter before 住居表示
#: hold the address as 町名 plus a free 方書 that the answer does not carry. The issue that asked for
#: this case measured ~1.4 % of a real-size office's own accounts at town level (no block or another
#: block); we split it 1.2 % without a block and 0.2 % with another block. Applied to strangers too,
#: except to the planted hard case (same name, same birth date, same town), which is defined by its
#: *other* block (docs/decisions.md, issue #15 section, says what a town-only address would do to it).
TOWN_ONLY_ADDRESS_RATE = 0.012
#: share of the delinquents' own accounts whose bank names another block of the person's town: a
#: block number mistyped at opening, or a 住居表示 renumbering the master's history does not record.
#: No published figure; rare by both causes.
OTHER_BLOCK_ADDRESS_RATE = 0.002
#: share of institutions whose system cannot hold ヴ and writes ヴァ/ヴィ/ヴ/ヴェ/ヴォ as バ/ビ/ブ/ベ/ボ
#: (Zengin kana has ｳﾞ, but older core systems and many 信金/信組 drop it); decided per bank code.
V_AS_B_SHARE = 0.3
#: share of accounts with a ー in the holder's name whose bank dropped it (ジョージ → ジョジ), and of
#: foreign residents' accounts whose bank added one at the end of the given name (マリア → マリアー)
LONG_VOWEL_DROPPED = 0.3
LONG_VOWEL_ADDED = 0.05

_V_AS_B = {"ヴァ": "バ", "ヴィ": "ビ", "ヴェ": "ベ", "ヴォ": "ボ", "ヴ": "ブ"}


def _bank_spelling(name: pl.Expr, v_as_b: pl.Expr, foreign: pl.Expr, u: pl.Expr) -> pl.Expr:
    """A full-width kana name as a bank that cannot hold ヴ, or drops or adds a ー, stores it."""
    # leftmost-first, longest pattern first: ヴァ → バ, not ブァ
    spelled = pl.when(v_as_b).then(name.str.replace_many(list(_V_AS_B), list(_V_AS_B.values()), leftmost=True)).otherwise(name)
    has_long = spelled.str.contains("ー")
    return (
        pl.when(has_long & (u < LONG_VOWEL_DROPPED))
        .then(spelled.str.replace_all("ー", ""))
        .when(foreign & ~has_long & (u >= LONG_VOWEL_DROPPED) & (u < LONG_VOWEL_DROPPED + LONG_VOWEL_ADDED))
        .then(pl.concat_str([spelled, pl.lit("ー")]))
        .otherwise(spelled)
    )


def _town_only(pref: pl.Expr, city: pl.Expr, town: pl.Expr, chome: pl.Expr, u: pl.Expr) -> pl.Expr:
    """The address as a bank that holds only 町名 (or 町名 + 丁目, for half of the towns with 丁目)."""
    head = pl.concat_str([pref, city, town])
    with_chome = pl.concat_str([head, R.kanji_number(chome), pl.lit("丁目")])
    return pl.when((chome > 0) & (u < 0.5)).then(with_chome).otherwise(head)


@dataclass
class BankWorld:
    """Every institution of an office, answering basic and history inquiries.

    Build it with :meth:`from_office`. ``accounts`` holds the delinquents'
    accounts with the bank's view of the holder; ``banks`` the institutions'
    behaviour (size, whether they check the birth date, kana style).
    """

    office: Office
    seed: int
    banks: pl.DataFrame
    accounts: pl.DataFrame
    stranger_scale: float = 0.5
    _p_ref: float = 1e-6
    _name_freq: pl.DataFrame = field(default_factory=pl.DataFrame)
    _people_keys: pl.DataFrame = field(default_factory=pl.DataFrame)
    _strangers: list[pl.DataFrame] = field(default_factory=list)
    _returned: list[pl.DataFrame] = field(default_factory=list)

    # --- construction --------------------------------------------------------

    @classmethod
    def from_office(cls, office: Office, seed: int = 0, *, stranger_scale: float = 0.5) -> BankWorld:
        """Register every delinquent account at its bank, with the bank's view of the holder.

        ``stranger_scale`` multiplies the expected number of same-name
        strangers (bank size × the name's population share; 0.5 gives about
        one stranger per four inquiries over all institutions, heavy-tailed up to
        400 for the commonest names at the banks that do not check the birth date).
        """
        rng = np.random.default_rng([seed, 7])
        refbanks = refdata.banks()
        kinds = dict(zip(refbanks["bank_code"], refbanks["type"]))
        banks = pl.DataFrame(
            [_profile(c, kinds.get(c, "bank"), p, rng) for c, p in office.institutions.select("bank_code", "provider").iter_rows()]
        )
        accounts = _bank_view(office, banks, rng)
        people = office.people
        name_freq = office.name_frequencies.with_columns(R.bank_key(pl.col("kana")).alias("key")).group_by("part", "key").agg(pl.col("p").sum())
        fam_p = name_freq.filter(pl.col("part") == "family").select("key", pl.col("p").alias("pf"))
        giv_p = name_freq.filter(pl.col("part") == "given").select("key", pl.col("p").alias("pg"))
        pk = people.select(
            "person_id",
            "birth_date",
            R.bank_key(pl.col("family_kana")).alias("fk"),
            R.bank_key(pl.col("given_kana")).alias("gk"),
            pl.concat_str([pl.col("family_kana"), pl.lit("\u3000"), pl.col("given_kana")]).alias("true_kana"),
        )
        p_names = pk.join(fam_p, left_on="fk", right_on="key", how="left").join(giv_p, left_on="gk", right_on="key", how="left")
        p_ref = float(p_names.select((pl.col("pf") * pl.col("pg")).median()).item() or 1e-6)
        current = office.addresses.filter(pl.col("seq") == 0).select("person_id", "pref", "city", "town", "chome", "ban", "go")
        people_keys = (
            pk.select("person_id", "birth_date", pl.concat_str(["fk", "gk"]).alias("name_key"), "true_kana")
            .join(current, on="person_id", how="left")
            .unique(["name_key", "birth_date"], keep="first", maintain_order=True)
        )
        return cls(
            office=office,
            seed=seed,
            banks=banks,
            accounts=accounts,
            stranger_scale=stranger_scale,
            _p_ref=p_ref,
            _name_freq=name_freq,
            _people_keys=people_keys,
        )

    # --- truth ---------------------------------------------------------------

    @property
    def truth(self) -> pl.DataFrame:
        """account_key → true owner (null for a stranger), kind, and the planted income pattern.

        Holds every delinquent account and every stranger returned so far.
        """
        own = self.accounts.select(_TRUTH_COLUMNS)
        if not self._strangers:
            return own
        strangers = pl.concat(self._strangers, how="vertical_relaxed").unique("account_key", keep="first", maintain_order=True)
        return pl.concat([own, strangers.select(_TRUTH_COLUMNS)], how="vertical_relaxed")

    @property
    def returned(self) -> pl.DataFrame:
        """Every (inquiry_id, account_key) pair answered so far, with the account's true owner.

        ``inquired_person_id`` is the request's person (for DAIS, which sends
        no 宛名番号, the master person with that kana name and birth date);
        ``kind`` is ``own``, ``other_delinquent`` (the account of another
        delinquent with the same name) or the stranger kind of the truth.
        """
        if not self._returned:
            return pl.DataFrame(
                schema={"inquiry_id": pl.Utf8, "account_key": pl.Utf8, "owner_person_id": pl.Utf8, "inquired_person_id": pl.Utf8, "kind": pl.Utf8}
            )
        return pl.concat(self._returned)

    # --- basic answers -------------------------------------------------------

    def answer_frame(self, requests: pl.DataFrame, provider: str) -> pl.DataFrame:
        """Answer a canonical basic request frame: the canonical basic response frame (no file)."""
        req = requests.with_columns(
            pl.col("branch_code").cast(pl.Utf8),
            pl.col("other_names_kana").cast(pl.Utf8) if "other_names_kana" in requests.columns else pl.lit(None, pl.Utf8).alias("other_names_kana"),
        ).with_columns(
            R.bank_key(pl.col("name_kana")).alias("_key"),
            pl.col("as_of").fill_null(self.office.as_of).alias("_as_of"),
        )
        req = req.join(
            self.banks.select("bank_code", "search", "customers", "unable_rate", "keeps_small", "half_space", "v_as_b"),
            on="bank_code",
            how="left",
        )

        own = self._own_matches(req)
        strangers = self._stranger_matches(req, provider)
        found = pl.concat([own, strangers], how="diagonal_relaxed")

        u_unable = _hash_u([pl.col("inquiry_id"), pl.col("bank_code")], self.seed * 1000 + 11)
        no_address = (pl.col("bank_code").is_in(self._requires_address())) & (pl.col("address").fill_null("").str.strip_chars() == "")
        unable = req.select(
            "inquiry_id",
            pl.when(no_address)
            .then(pl.lit("住所未記入"))
            .when(u_unable < pl.col("unable_rate").fill_null(0.003))
            .then(pl.lit(_UNABLE_REASONS[0]))
            .otherwise(None)
            .alias("unable_reason"),
            pl.when(u_unable < pl.col("unable_rate").fill_null(0.003))
            .then((u_unable * 1e6).cast(pl.Int64) % len(_UNABLE_REASONS))
            .otherwise(0)
            .alias("_r"),
        ).with_columns(
            pl.when(pl.col("unable_reason").is_not_null() & (pl.col("unable_reason") != "住所未記入"))
            .then(pl.col("_r").replace_strict(dict(enumerate(_UNABLE_REASONS)), return_dtype=pl.Utf8))
            .otherwise(pl.col("unable_reason"))
            .alias("unable_reason")
        )
        unable_ids = unable.filter(pl.col("unable_reason").is_not_null())
        found = found.join(unable_ids.select("inquiry_id"), on="inquiry_id", how="anti")
        found = found.sort("inquiry_id", "account_key").with_columns(
            pl.int_range(1, pl.len() + 1).over("inquiry_id").cast(pl.Int32).alias("detail_no")
        )
        if found.height:
            pid = pl.col("person_id") if "person_id" in req.columns else pl.lit(None, pl.Utf8)
            inquired = req.select("inquiry_id", pid.cast(pl.Utf8).alias("_pid"), "_key", "birth_date").join(
                self._people_keys.select(pl.col("name_key").alias("_key"), "birth_date", pl.col("person_id").alias("_guess")),
                on=["_key", "birth_date"],
                how="left",
            )
            log = found.select("inquiry_id", "account_key", pl.col("person_id").alias("owner_person_id"), "kind").join(
                inquired.select("inquiry_id", pl.coalesce("_pid", "_guess").alias("inquired_person_id")), on="inquiry_id", how="left"
            )
            self._returned.append(
                log.with_columns(
                    pl.when(pl.col("owner_person_id").is_null())
                    .then(pl.col("kind"))
                    .when(pl.col("owner_person_id") == pl.col("inquired_person_id"))
                    .then(pl.lit("own"))
                    .otherwise(pl.lit("other_delinquent"))
                    .alias("kind")
                ).select("inquiry_id", "account_key", "owner_person_id", "inquired_person_id", "kind")
            )
            strangers_found = found.filter(pl.col("person_id").is_null())
            if strangers_found.height:
                self._strangers.append(strangers_found.select(_TRUTH_COLUMNS))

        echo = req.select(
            "inquiry_id",
            "bank_code",
            pl.col("person_id") if "person_id" in req.columns else pl.lit(None, pl.Utf8).alias("person_id"),
            pl.col("name_kanji").alias("inquired_name"),
            pl.col("address").alias("inquired_address"),
            pl.col("_as_of").alias("balance_date"),
        )
        hits = found.join(echo.drop("bank_code"), on="inquiry_id", how="left", suffix="_req").with_columns(
            pl.lit("found").alias("answer"), pl.lit(None, pl.Utf8).alias("unable_reason")
        )
        hits = hits.drop("person_id").rename({"person_id_req": "person_id"}) if "person_id_req" in hits.columns else hits
        rest = (
            echo.join(found.select("inquiry_id").unique(), on="inquiry_id", how="anti")
            .join(unable, on="inquiry_id", how="left")
            .with_columns(
                pl.when(pl.col("unable_reason").is_not_null()).then(pl.lit("unable")).otherwise(pl.lit("none")).alias("answer"),
                pl.lit(0, pl.Int32).alias("detail_no"),
                pl.lit(0, pl.Int8).alias("account_type"),
                pl.lit(None, pl.Date).alias("balance_date"),
            )
        )
        out = pl.concat([hits, rest], how="diagonal_relaxed")
        out = out.join(_bank_names(), on="bank_code", how="left").join(
            refdata.branches().select("bank_code", "branch_code", pl.col("name").alias("branch_name")), on=["bank_code", "branch_code"], how="left"
        )
        order = req.select("inquiry_id").with_row_index("_o")
        out = out.join(order, on="inquiry_id", how="left").sort("_o", "detail_no").select(_BASIC_RESPONSE_COLUMNS)
        if provider == "dais":
            out = out.with_columns(
                [pl.lit(None, pl.Utf8).alias(c) for c in ("person_id", "inquired_name", "inquired_address", "bank_name", "branch_name")]
            ).with_columns(pl.col("unable_reason").replace(_UNABLE_REASONS_DAIS))
        return out

    def _requires_address(self) -> list[str]:
        inst = self.office.institutions
        return inst.filter(pl.col("requires_address") == "1")["bank_code"].to_list()

    def _own_matches(self, req: pl.DataFrame) -> pl.DataFrame:
        """The bank finds its own customers by kana name (or the 旧氏名 sent), then checks the birth date."""
        main = req.select("inquiry_id", "bank_code", "branch_code", "birth_date", "search", pl.col("_key").alias("_k"))
        others = (
            req.select("inquiry_id", "bank_code", "branch_code", "birth_date", "search", pl.col("other_names_kana").str.split(";").alias("_o"))
            .explode("_o")
            .filter(pl.col("_o").is_not_null() & (pl.col("_o").str.strip_chars() != ""))
            .with_columns(R.bank_key(pl.col("_o")).alias("_k"))
            .drop("_o")
        )
        keys = pl.concat([main, others]).unique(["inquiry_id", "_k"])
        acc = self.accounts
        m = keys.join(acc, left_on=["bank_code", "_k"], right_on=["bank_code", "search_key"], how="inner", suffix="_acc")
        dob_ok = (
            (pl.col("search") == "name_only")
            | pl.col("birth_date").is_null()
            | pl.col("holder_birth_date").is_null()
            | (pl.col("holder_birth_date") == pl.col("birth_date"))
            | (pl.col("true_birth_date") == pl.col("birth_date"))
        )
        branch_ok = pl.col("branch_code").is_null() | (pl.col("branch_code") == "000") | (pl.col("branch_code") == pl.col("branch_code_acc"))
        m = m.filter(dob_ok & branch_ok).drop("branch_code").rename({"branch_code_acc": "branch_code"})
        return m.unique(["inquiry_id", "account_key"], keep="first").select(
            "inquiry_id", "bank_code", *[c for c in _ACCOUNT_COLUMNS if c != "bank_code"], *[c for c in _TRUTH_COLUMNS if c not in _ACCOUNT_COLUMNS]
        )

    def _stranger_matches(self, req: pl.DataFrame, provider: str) -> pl.DataFrame:
        """Customers of the bank with the same kana name as the inquiry, none of them delinquents."""
        s = self.seed * 1000
        fam, giv = _split_name(pl.col("name_kana"))
        q = req.select(
            "inquiry_id", "bank_code", "branch_code", "birth_date", "name_kana", "_key", "search", "customers", "keeps_small", "half_space", "v_as_b",
            R.bank_key(fam).alias("_fk"), R.bank_key(giv).alias("_gk"),
        )
        fam_p = self._name_freq.filter(pl.col("part") == "family").select(pl.col("key").alias("_fk"), pl.col("p").alias("_pf"))
        giv_p = self._name_freq.filter(pl.col("part") == "given").select(pl.col("key").alias("_gk"), pl.col("p").alias("_pg"))
        q = q.join(fam_p, on="_fk", how="left").join(giv_p, on="_gk", how="left").with_columns(
            (pl.col("_pf").fill_null(2e-5) * pl.col("_pg").fill_null(2e-4)).alias("_p")
        )
        name_only = pl.col("search") == "name_only"
        lam = pl.col("customers") * pl.col("_p") * self.stranger_scale * pl.when(name_only).then(1.0).otherwise(0.003)
        u1 = _hash_u([pl.col("bank_code"), pl.col("_key")], s + 1)
        u2 = _hash_u([pl.col("bank_code"), pl.col("_key")], s + 2)
        heavy = (u1.clip(1e-9, 1.0).pow(-1.0 / 2.5) - 1.0) * 1.5  # Pareto(2.5), mean 1
        q = q.with_columns((lam * heavy + u2).floor().clip(0, 400).cast(pl.Int32).alias("_n_name"))
        # same name and same birth date: rare, more likely for big banks and common names
        u3 = _hash_u([pl.col("bank_code"), pl.col("_key"), pl.col("birth_date")], s + 3)
        prob = (0.0015 * (pl.col("customers") / 3e6).sqrt() * (pl.col("_p") / self._p_ref).sqrt()).clip(0, 0.25)
        u4 = _hash_u([pl.col("bank_code"), pl.col("_key"), pl.col("birth_date")], s + 4)
        q = q.with_columns(
            (pl.col("birth_date").is_not_null() & (u3 < prob)).alias("_dob"),
            (u4 < 0.1).alias("_town"),
        )
        by_name = q.filter(pl.col("_n_name") > 0).with_columns(pl.int_ranges(0, pl.col("_n_name")).alias("_i")).explode("_i")
        by_name = by_name.with_columns(pl.lit("stranger_same_name").alias("kind"), pl.lit(None, pl.Date).alias("_same_dob"))
        by_dob = q.filter(pl.col("_dob")).with_columns(
            pl.lit(1000, pl.Int64).alias("_i"),
            pl.when(pl.col("_town")).then(pl.lit("stranger_same_name_dob_town")).otherwise(pl.lit("stranger_same_name_dob")).alias("kind"),
            pl.col("birth_date").alias("_same_dob"),
        )
        st = pl.concat([by_name, by_dob], how="diagonal_relaxed")
        if st.height == 0:
            return pl.DataFrame()
        ident = [pl.col("bank_code"), pl.col("_key"), pl.col("_i"), pl.col("_same_dob")]
        # birth date: same as inquired (planted), else a random adult; name_dob banks only return those with none on file
        base = st.select(pl.struct(ident).hash(seed=s + 100)).to_series().to_numpy()
        uu = {k: _mix_u(base, k) for k in range(14)}
        st = st.with_columns([pl.Series(f"_u{k}", v) for k, v in uu.items()])
        age = _age_from_u(uu[0])
        as_of = np.datetime64(self.office.as_of, "D")
        rand_dob = as_of - (age * 365.25 + uu[1] * 365).astype("timedelta64[D]")
        st = st.with_columns(pl.Series("_rand_dob", rand_dob.astype("datetime64[D]")).cast(pl.Date))
        dob_missing_natural = (pl.col("search") == "name_dob") | (pl.col("_u2") < 0.03)
        st = st.with_columns(
            pl.when(pl.col("_same_dob").is_not_null())
            .then(pl.col("_same_dob"))
            .when(dob_missing_natural)
            .then(None)
            .otherwise(pl.col("_rand_dob"))
            .alias("holder_birth_date")
        )
        # address: the same town for the hard case; far away (a town no delinquent ever lived in) for the
        # other same-birth-date strangers, so that "another address" holds; anywhere for the rest
        towns = pl.read_csv(Path(__file__).with_name("names") / "towns.csv", schema_overrides={"postal": pl.Utf8}).with_columns(
            pl.when(pl.col("area") == "ward").then(pl.lit(self.office.municipality_name)).otherwise(pl.col("city")).alias("city")
        )
        n_far = towns.filter(pl.col("area") == "far").height
        far_start = towns.height - n_far  # far towns come last in the table
        any_i = (uu[3] * towns.height).astype(np.int64).clip(0, towns.height - 1)
        far_i = far_start + (uu[3] * n_far).astype(np.int64).clip(0, n_far - 1)
        ti = np.where(st["kind"].to_numpy() == "stranger_same_name", any_i, far_i)
        picked = towns[ti]
        st = st.with_columns(
            picked["pref"].alias("_pref"),
            picked["city"].alias("_city"),
            picked["town"].alias("_town_name"),
            picked["chome_max"].alias("_cmax"),
        )
        hard = st.filter(pl.col("kind") == "stranger_same_name_dob_town").join(
            self._people_keys.select(pl.col("name_key").alias("_key"), "birth_date", "pref", "city", "town", "chome", "ban"),
            on=["_key", "birth_date"],
            how="left",
        )
        st = pl.concat([st.filter(pl.col("kind") != "stranger_same_name_dob_town"), hard], how="diagonal_relaxed")
        st = st.with_columns(
            pl.when(pl.col("town").is_not_null()).then(pl.col("pref")).otherwise(pl.col("_pref")).alias("_pref"),
            pl.when(pl.col("town").is_not_null()).then(pl.col("city")).otherwise(pl.col("_city")).alias("_city"),
            pl.when(pl.col("town").is_not_null()).then(pl.col("town")).otherwise(pl.col("_town_name")).alias("_town_name"),
            pl.when(pl.col("town").is_not_null())
            .then(pl.col("chome"))
            .otherwise(pl.when(pl.col("_cmax") > 0).then((pl.col("_u4") * pl.col("_cmax")).floor().cast(pl.Int64) + 1).otherwise(0))
            .alias("_chome"),
            pl.when(pl.col("town").is_not_null())
            .then((pl.col("ban").fill_null(0) + 1 + (pl.col("_u5") * 9).floor().cast(pl.Int64)) % 30 + 1)
            .otherwise((pl.col("_u5") * 30).floor().cast(pl.Int64) + 1)
            .alias("_ban"),
            ((pl.col("_u6") * 20).floor().cast(pl.Int64) + 1).alias("_go"),
            pl.when(pl.col("_u7") < 0.45)
            .then(pl.concat_str([pl.lit("メゾン"), pl.col("_town_name")]))
            .otherwise(None)
            .alias("_bldg"),
            ((pl.col("_u8") * 8).floor().cast(pl.Int64) * 100 + 101).alias("_room"),
            (pl.col("_u9") * len(BANK_ADDRESS_NOTATION)).floor().cast(pl.Int64).alias("_an"),
        )
        rendered = R.render_address_frame(
            st.select(
                pl.col("_pref").alias("pref"), pl.col("_city").alias("city"), pl.col("_town_name").alias("town"),
                pl.col("_chome").alias("chome"), pl.col("_ban").alias("ban"), pl.col("_go").alias("go"),
                pl.col("_bldg").alias("building"), pl.col("_room").alias("room"), "_an",
                (pl.col("_u11") * 3).floor().cast(pl.Int64).alias("_bs"),
            ),
            "_an",
            "_bs",
        )
        u_town = _hash_u([pl.col("bank_code"), pl.col("_key"), pl.col("_i"), pl.col("_same_dob")], s + 5)
        town_only = (pl.col("kind") != "stranger_same_name_dob_town") & (u_town < TOWN_ONLY_ADDRESS_RATE)
        st = st.with_columns(
            pl.when(pl.col("_u10") < EMPTY_ADDRESS_RATE)
            .then(pl.lit(""))
            .when(town_only)
            .then(_town_only(pl.col("_pref"), pl.col("_city"), pl.col("_town_name"), pl.col("_chome"), u_town / TOWN_ONLY_ADDRESS_RATE))
            .otherwise(rendered)
            .alias("holder_address")
        )
        # the account
        branches = _branch_lists()
        st = (
            st.join(branches.group_by("bank_code").agg(pl.len().alias("_nb")), on="bank_code", how="left")
            .with_columns((pl.col("_u12") * pl.col("_nb").fill_null(1)).floor().cast(pl.UInt32).alias("_bi"))
            .join(branches.select("bank_code", "_bi", pl.col("branch_code").alias("_branch")), on=["bank_code", "_bi"], how="left")
            .with_columns(pl.col("_branch").fill_null("001"))
        )
        acct_type = pl.when(pl.col("bank_code") == "9900").then(pl.lit(1, pl.Int8)).when(pl.col("_u13") < 0.85).then(pl.lit(1, pl.Int8)).when(pl.col("_u13") < 0.95).then(pl.lit(6, pl.Int8)).otherwise(pl.lit(4, pl.Int8))
        number = ((pl.col("_u1") * 1e7).floor().cast(pl.Int64) % 10_000_000).cast(pl.Utf8).str.zfill(7)
        st = st.with_columns(acct_type.alias("account_type"), number.alias("account_number"), pl.col("_branch").alias("branch_code_acc"))
        branch_ok = pl.col("branch_code").is_null() | (pl.col("branch_code") == "000") | (pl.col("branch_code") == pl.col("branch_code_acc"))
        st = st.filter(branch_ok).drop("branch_code").rename({"branch_code_acc": "branch_code"})
        st = st.with_columns(account_key(pl.col("bank_code"), pl.col("branch_code"), pl.col("account_type"), pl.col("account_number")))
        clash = st.join(self.accounts.select("account_key"), on="account_key", how="semi").height
        if clash:
            st = st.join(self.accounts.select("account_key"), on="account_key", how="anti")
        z = np.sqrt(-2 * np.log(np.clip(st["_u2"].to_numpy(), 1e-12, 1))) * np.cos(2 * np.pi * st["_u3"].to_numpy())
        balance = np.exp(np.log(30_000) + 2.0 * z).astype(np.int64)
        balance = np.minimum(balance, 300_000_000)
        status_u = st["_u6"].to_numpy()
        status = np.where(status_u < 0.82, "通常", np.where(status_u < 0.9, "休眠", np.where(status_u < 0.96, "解約済", "支払停止")))
        balance = np.where(status == "解約済", 0, balance)
        opened = as_of - (st["_u4"].to_numpy() * 25 * 365 + 60).astype("timedelta64[D]")
        last = as_of - (st["_u5"].to_numpy() * 60).astype("timedelta64[D]")
        last = np.where(status == "休眠", as_of - (st["_u5"].to_numpy() * 3000 + 1900).astype("timedelta64[D]"), last)
        # holder kana: the inquired name as this bank stores it
        # a namesake writes the name as people with that name do (small kana and all), not as the inquiry was folded
        spelled = self._people_keys.select(pl.col("name_key").alias("_key"), "true_kana").unique("_key", keep="first", maintain_order=True)
        st = st.join(spelled, on="_key", how="left")
        # as this bank spells it (ヴ, ー); a stranger is as foreign as the name: a Latin-letter 住民票 name is not known here
        spelled_name = _bank_spelling(
            _to_full(pl.coalesce("true_kana", "name_kana")),
            pl.col("v_as_b").fill_null(False),
            pl.lit(False),
            _hash_u([pl.col("bank_code"), pl.col("_key"), pl.col("_i"), pl.col("_same_dob")], s + 6),
        )
        holder = _render_holder(spelled_name, provider, pl.col("keeps_small"), pl.col("half_space"), pl.col("_u0"))
        yucho = pl.col("bank_code") == "9900"
        st = st.with_columns(
            pl.Series("balance_yen", balance),
            pl.Series("account_status", status),
            pl.Series("opened_on", opened.astype("datetime64[D]")).cast(pl.Date),
            pl.Series("last_activity", last.astype("datetime64[D]")).cast(pl.Date),
        ).with_columns(
            holder.alias("holder_kana"),
            pl.when(yucho).then(pl.concat_str([pl.lit("1"), pl.col("branch_code").str.slice(0, 2), (pl.col("_u9") * 10).floor().cast(pl.Int64).cast(pl.Utf8), pl.lit("0")])).alias("passbook_symbol"),
            pl.when(yucho).then(pl.concat_str([pl.col("account_number"), pl.lit("1")])).alias("passbook_number"),
            pl.lit(None, pl.Utf8).alias("person_id"),
            pl.when(pl.col("_u7") < 0.5).then((pl.col("_u8") * 200_000 + 150_000).floor().cast(pl.Int64)).otherwise(0).alias("salary_yen"),
            pl.lit(25, pl.Int8).alias("salary_day"),
            pl.col("_u9").mul(len(_EMPLOYERS)).floor().cast(pl.Int64).replace_strict(dict(enumerate(_EMPLOYERS)), return_dtype=pl.Utf8).alias("employer"),
            pl.when(pl.col("_u7") >= 0.7).then((pl.col("_u10") * 200_000 + 100_000).floor().cast(pl.Int64)).otherwise(0).alias("pension_yen"),
            pl.lit(0, pl.Int64).alias("welfare_yen"),
            pl.lit(False).alias("child_allowance"),
            pl.lit(False).alias("homonym_in_master"),
            pl.lit(provider).alias("provider"),
            pl.lit("current").alias("name_used"),
            pl.lit("clean").alias("name_variant"),
            pl.when(pl.col("holder_birth_date").is_null()).then(pl.lit("missing")).otherwise(pl.lit("true")).alias("dob_variant"),
            pl.when(pl.col("holder_address") == "").then(pl.lit("empty")).otherwise(pl.lit("current")).alias("address_variant"),
        )
        return st.select("inquiry_id", *_ACCOUNT_COLUMNS, *[c for c in _TRUTH_COLUMNS if c not in _ACCOUNT_COLUMNS])

    # --- history answers -----------------------------------------------------

    def answer_history_frame(self, requests: pl.DataFrame, provider: str) -> pl.DataFrame:
        """Answer a canonical history request frame: one row per transaction (or one none/unable row)."""
        from formats.yucho import passbook_account_number, passbook_account_type, passbook_branch

        req = requests.with_columns(pl.col("branch_code").cast(pl.Utf8), pl.col("account_number").cast(pl.Utf8))
        is_pb = (pl.col("bank_code") == "9900") & (pl.col("branch_code").str.len_chars() == 5)
        req = req.with_columns(
            pl.when(is_pb).then(pl.col("branch_code")).alias("passbook_symbol"),
            pl.when(is_pb).then(pl.col("account_number")).alias("passbook_number"),
            pl.when(is_pb).then(passbook_branch(pl.col("branch_code"))).otherwise(pl.col("branch_code").str.zfill(3)).alias("_branch"),
            pl.when(is_pb).then(passbook_account_type(pl.col("branch_code"))).otherwise(pl.col("account_type").cast(pl.Int8)).alias("_type"),
            pl.when(is_pb).then(passbook_account_number(pl.col("branch_code"), pl.col("account_number"))).otherwise(pl.col("account_number").str.zfill(7)).alias("_number"),
        ).with_columns(
            account_key(pl.col("bank_code"), pl.col("_branch"), pl.col("_type"), pl.col("_number"))
        )
        registry = self.truth.select(
            "account_key", "balance_yen", "account_status", "salary_yen", "salary_day", "employer", "pension_yen", "welfare_yen", "child_allowance"
        )
        req = req.join(registry, on="account_key", how="left")
        s = self.seed * 1000 + 500
        months = req.filter(pl.col("account_status").is_in(["通常", "支払停止"])).with_columns(
            pl.date_ranges(pl.col("period_from").dt.month_start(), pl.col("period_to"), "1mo").alias("_m")
        ).explode("_m").filter(pl.col("_m").is_not_null())
        mu = lambda k: _hash_u([pl.col("account_key"), pl.col("_m")], s + k)  # noqa: E731
        month_end = pl.col("_m").dt.month_end()
        events = []
        events.append(
            months.filter(pl.col("salary_yen") > 0).select(
                "inquiry_id",
                pl.min_horizontal(pl.col("_m").dt.offset_by(pl.format("{}d", pl.col("salary_day").cast(pl.Int64) - 1)), month_end).alias("tx_date"),
                pl.concat_str([pl.lit("ｷﾕｳﾖ "), pl.col("employer")]).alias("description"),
                pl.lit(0, pl.Int64).alias("withdrawal_yen"),
                (pl.col("salary_yen") * (0.97 + 0.06 * mu(1))).round(0).cast(pl.Int64).alias("deposit_yen"),
            )
        )
        events.append(
            months.filter((pl.col("pension_yen") > 0) & (pl.col("_m").dt.month() % 2 == 0)).select(
                "inquiry_id",
                pl.col("_m").dt.offset_by("14d").alias("tx_date"),
                pl.col("account_key").hash(seed=s).mod(len(_PENSION_DESC)).cast(pl.Int64).replace_strict(dict(enumerate(_PENSION_DESC)), return_dtype=pl.Utf8).alias("description"),
                pl.lit(0, pl.Int64).alias("withdrawal_yen"),
                pl.col("pension_yen").alias("deposit_yen"),
            )
        )
        events.append(
            months.filter(pl.col("welfare_yen") > 0).select(
                "inquiry_id", pl.col("_m").alias("tx_date"), pl.lit("ｾｲｶﾂﾎｺﾞﾋ").alias("description"),
                pl.lit(0, pl.Int64).alias("withdrawal_yen"), pl.col("welfare_yen").alias("deposit_yen"),
            )
        )
        events.append(
            months.filter(pl.col("child_allowance") & pl.col("_m").dt.month().is_in([2, 6, 10])).select(
                "inquiry_id", pl.col("_m").dt.offset_by("9d").alias("tx_date"), pl.lit("ｼﾞﾄﾞｳﾃｱﾃ").alias("description"),
                pl.lit(0, pl.Int64).alias("withdrawal_yen"), pl.lit(40_000, pl.Int64).alias("deposit_yen"),
            )
        )
        income = pl.col("salary_yen") + pl.col("pension_yen") / 2 + pl.col("welfare_yen")
        atm = months.with_columns(pl.int_ranges(0, (mu(2) * 4).floor().cast(pl.Int64) + 1).alias("_k")).explode("_k")
        ku = lambda k: _hash_u([pl.col("account_key"), pl.col("_m"), pl.col("_k")], s + k)  # noqa: E731
        events.append(
            atm.select(
                "inquiry_id",
                pl.min_horizontal(pl.col("_m").dt.offset_by(pl.format("{}d", (ku(3) * 28).floor().cast(pl.Int64))), month_end).alias("tx_date"),
                pl.when(ku(4) < 0.8).then(pl.lit("ATM")).otherwise(pl.lit("ｶ-ﾄﾞ")).alias("description"),
                (((income.clip(lower_bound=40_000) * (0.1 + 0.25 * ku(5))) / 1000).floor() * 1000).cast(pl.Int64).alias("withdrawal_yen"),
                pl.lit(0, pl.Int64).alias("deposit_yen"),
            )
        )
        events.append(
            months.select(
                "inquiry_id",
                pl.min_horizontal(pl.col("_m").dt.offset_by("26d"), month_end).alias("tx_date"),
                pl.when(mu(6) < 0.5).then(pl.lit("ﾃﾞﾝｷﾘﾖｳｷﾝ")).when(mu(6) < 0.8).then(pl.lit("ｽｲﾄﾞｳﾘﾖｳｷﾝ")).otherwise(pl.lit("ﾌﾘｺﾐ ｶ)ｼﾝｼﾞﾕｸﾌﾄﾞｳｻﾝ")).alias("description"),
                (3000 + mu(7) * 60_000).floor().cast(pl.Int64).alias("withdrawal_yen"),
                pl.lit(0, pl.Int64).alias("deposit_yen"),
            )
        )
        # irregular incoming transfers from persons (not income: a detector must not take them for salary)
        events.append(
            months.filter(mu(8) < 0.25).select(
                "inquiry_id",
                pl.min_horizontal(pl.col("_m").dt.offset_by(pl.format("{}d", (mu(9) * 28).floor().cast(pl.Int64))), month_end).alias("tx_date"),
                pl.concat_str([pl.lit("ﾌﾘｺﾐ "), (mu(10) * len(_TRANSFER_FROM)).floor().cast(pl.Int64).replace_strict(dict(enumerate(_TRANSFER_FROM)), return_dtype=pl.Utf8)]).alias("description"),
                pl.lit(0, pl.Int64).alias("withdrawal_yen"),
                ((5 + mu(11) * 95).floor() * 1000).cast(pl.Int64).alias("deposit_yen"),
            )
        )
        tx = pl.concat(events).join(req.select("inquiry_id", "period_from", "period_to", "balance_yen"), on="inquiry_id", how="left")
        tx = tx.filter((pl.col("tx_date") >= pl.col("period_from")) & (pl.col("tx_date") <= pl.col("period_to"))).sort("inquiry_id", "tx_date", "description")
        net = pl.col("deposit_yen") - pl.col("withdrawal_yen")
        tx = tx.with_columns(
            (pl.col("balance_yen").fill_null(0) - net.sum().over("inquiry_id") + net.cum_sum().over("inquiry_id")).alias("_bal")
        ).with_columns((pl.col("_bal") - pl.col("_bal").min().over("inquiry_id").clip(upper_bound=0)).alias("balance_yen"))
        tx = tx.with_columns(pl.int_range(1, pl.len() + 1).over("inquiry_id").cast(pl.Int32).alias("detail_no"), pl.lit("found").alias("answer"))
        tx = tx.with_columns(pl.col("description").str.slice(0, 30))
        keys = req.select(
            "inquiry_id", "bank_code", pl.col("_branch").alias("branch_code"), pl.col("_type").alias("account_type"),
            pl.col("_number").alias("account_number"), "passbook_symbol", "passbook_number", "account_status", pl.col("balance_yen").alias("_known"),
        )
        hits = tx.drop("period_from", "period_to", "_bal").join(keys.drop("account_status", "_known"), on="inquiry_id", how="left")
        rest = keys.join(tx.select("inquiry_id").unique(), on="inquiry_id", how="anti").with_columns(
            pl.when(pl.col("account_status").is_null()).then(pl.lit("unable")).otherwise(pl.lit("none")).alias("answer"),
            pl.lit(0, pl.Int32).alias("detail_no"),
        )
        out = pl.concat([hits, rest], how="diagonal_relaxed")
        order = req.select("inquiry_id").with_row_index("_o")
        return out.join(order, on="inquiry_id", how="left").sort("_o", "detail_no").select(_HISTORY_RESPONSE_COLUMNS)

    # --- files ---------------------------------------------------------------

    def answer_outbox(self, outbox: Path, inbox: Path) -> list[Path]:
        """Answer every request file waiting in ``outbox`` (as the services do) into ``inbox``; the requests answered."""
        requests = sorted(p for p in outbox.iterdir() if p.is_file() and not p.name.endswith(".part"))
        for req in requests:
            self.answer_file(req, inbox)
        return requests

    def answer_file(self, request_path: str | Path, out_dir: str | Path) -> Path:
        """Read a request file (formats.read_request) and write the answer file next to ``out_dir``."""
        import formats

        parsed = formats.read_request(request_path)
        provider, kind = parsed.provider, parsed.kind
        if kind == "basic":
            frame = self.answer_frame(parsed.rows, provider)
        else:
            frame = self.answer_history_frame(parsed.rows, provider)
        header = parsed.header
        municipality = str(header.get("municipality_code") or self.office.municipality_code)
        created = header.get("created_on") or self.office.as_of
        seq = int(header.get("seq") or 1)
        stem = Path(request_path).name
        if "_REQ_" in stem:
            name = stem.replace("_REQ_", "_RES_" if kind == "basic" else "_HRES_")
        else:
            ext = ".dat" if provider == "dais" else ".csv"
            name = f"{provider.upper()}_RES_{municipality}_{created:%Y%m%d}_{seq:04d}{ext}"
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        result = formats.write_response(provider, kind, frame, out / name, municipality_code=municipality, created_on=created, seq=seq)
        return result.path


_ACCOUNT_COLUMNS = [
    "account_key", "bank_code", "branch_code", "account_type", "account_number", "passbook_symbol", "passbook_number",
    "holder_kana", "holder_birth_date", "holder_address", "balance_yen", "opened_on", "last_activity", "account_status",
]
_TRUTH_COLUMNS = [
    "account_key", "bank_code", "provider", "person_id", "kind", "name_used", "name_variant", "dob_variant", "address_variant",
    "homonym_in_master", "balance_yen", "account_status", "salary_yen", "salary_day", "employer", "pension_yen", "welfare_yen",
    "child_allowance",
]
_BASIC_RESPONSE_COLUMNS = [
    "inquiry_id", "person_id", "inquired_name", "inquired_address", "answer", "detail_no", "bank_code", "bank_name",
    "branch_code", "branch_name", "account_type", "account_number", "passbook_symbol", "passbook_number", "holder_kana",
    "holder_birth_date", "holder_address", "balance_yen", "balance_date", "opened_on", "last_activity", "account_status",
    "unable_reason",
]
_HISTORY_RESPONSE_COLUMNS = [
    "inquiry_id", "answer", "bank_code", "branch_code", "account_type", "account_number", "passbook_symbol", "passbook_number",
    "detail_no", "tx_date", "description", "withdrawal_yen", "deposit_yen", "balance_yen",
]


def _render_holder(name: pl.Expr, provider: str, keeps_small: pl.Expr, half_space: pl.Expr, u: pl.Expr) -> pl.Expr:
    """A kana name (any form) as the bank stores it: Zengin for DAIS, full-width for pipitLINQ."""
    fam, giv = _split_name(name)
    if provider == "dais":
        zf, zg = R.zengin(_to_full(fam)), R.zengin(_to_full(giv))
        sep = pl.when(u < 0.04).then(pl.lit("")).when(u < 0.07).then(pl.lit("  ")).otherwise(pl.lit(" "))
        return pl.when(giv.is_null()).then(zf).otherwise(pl.concat_str([zf, sep, zg]))
    ff, fg = _to_full(fam), _to_full(giv)
    ff = pl.when(keeps_small).then(ff).otherwise(R.fullwidth_bank(ff, keep_small=False))
    fg = pl.when(keeps_small).then(fg).otherwise(R.fullwidth_bank(fg, keep_small=False))
    sep = pl.when(half_space).then(pl.lit(" ")).otherwise(pl.lit("\u3000"))
    return pl.when(giv.is_null()).then(ff).otherwise(pl.concat_str([ff, sep, fg]))


def _to_full(expr: pl.Expr) -> pl.Expr:
    """Any kana (half-width, hiragana, Zengin with ``-``) → full-width katakana."""
    import unicodedata

    import jaconv

    def one(t: str) -> str:
        t = unicodedata.normalize("NFKC", t.replace("-", "ー"))
        return jaconv.hira2kata(t)

    return R._map_distinct(expr, one)


def _bank_view(office: Office, banks: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """The delinquents' accounts with the holder as each bank registered them."""
    truth = office.truth.join(banks.select("bank_code", "provider", "keeps_small", "half_space", "v_as_b"), on="bank_code", how="left")
    m = truth.height
    people = office.people.select(
        "person_id", "sex", "birth_date", "family_kana", "given_kana", "maiden_family_kana", "married_on",
        pl.col("family_kanji").str.contains("^[A-Z]").alias("_foreign"),  # 住民票 name in Latin letters
    ).with_columns(pl.concat_str(["family_kana", "given_kana"]).alias("_nk"))
    shared = people.group_by("_nk").len().filter(pl.col("len") > 1).select("_nk")
    people = people.with_columns(pl.col("_nk").is_in(shared["_nk"].implode()).alias("homonym_in_master"))
    t = truth.join(people, on="person_id", how="left")
    fam = pl.when(pl.col("name_used") == "maiden").then(pl.col("maiden_family_kana")).otherwise(pl.col("family_kana"))
    u = {k: rng.random(m) for k in range(8)}
    t = t.with_columns([pl.Series(f"_u{k}", v) for k, v in u.items()]).with_columns(fam.alias("_fam"))
    # the search key is the name as registered before any clerical error
    t = t.with_columns(R.bank_key(pl.concat_str(["_fam", "given_kana"])).alias("search_key"))
    # ヂ/ジ ヅ/ズ: the bank wrote the other spelling
    swap_from = pl.col("given_kana").str.contains("[ヂヅ]")
    swapped = pl.col("given_kana").str.replace_all("ヅ", "ズ").str.replace_all("ヂ", "ジ")
    back = pl.col("given_kana").str.replace("ズ", "ヅ").str.replace("ジ", "ヂ")
    dz = (swap_from & (pl.col("_u0") < 0.5)) | (~swap_from & pl.col("given_kana").str.contains("[ジズ]") & (pl.col("_u0") < 0.02))
    t = t.with_columns(
        pl.when(dz & swap_from).then(swapped).when(dz).then(back).otherwise(pl.col("given_kana")).alias("_giv"),
        dz.alias("_dz"),
    )
    # the bank's spelling of foreign residents' names (ヴ, ー), from the account (no generator draw)
    u_spell = _hash_u([pl.col("account_key")], 9001)
    written = pl.concat_str([pl.col("_fam"), pl.lit("\u3000"), pl.col("_giv")])
    t = t.with_columns(_bank_spelling(written, pl.col("v_as_b").fill_null(False), pl.col("_foreign").fill_null(False), u_spell).alias("_spelled"))
    t = t.with_columns((pl.col("_spelled") != written).alias("_foreign_spelling"))
    name = pl.col("_spelled")
    parts = []
    for provider in ("dais", "pipitlinq"):
        part = t.filter(pl.col("provider") == provider)
        parts.append(part.with_columns(_render_holder(name, provider, pl.col("keeps_small"), pl.col("half_space"), pl.col("_u1")).alias("holder_kana")))
    t = pl.concat(parts + [t.filter(~pl.col("provider").is_in(["dais", "pipitlinq"])).with_columns(pl.lit(None, pl.Utf8).alias("holder_kana"))], how="diagonal_relaxed")
    # guardian suffix cut at 30 characters; look-alike typos (0.8 %)
    guardian = pl.col("_u2") < 0.003
    suffix = pl.lit(" ｺｳｹﾝﾆﾝ ") + pl.lit(_GUARDIANS[1])
    suffix_full = pl.lit("\u3000セイネンコウケンニン\u3000サトウ\u3000マサコ")
    t = t.with_columns(
        pl.when(guardian & (pl.col("provider") == "dais"))
        .then(pl.concat_str([pl.col("holder_kana"), suffix]).str.slice(0, 30))
        .when(guardian)
        .then(pl.concat_str([pl.col("holder_kana"), suffix_full]).str.slice(0, 20))
        .otherwise(pl.col("holder_kana"))
        .alias("holder_kana"),
    )
    typo = (pl.col("_u3") < 0.008) & ~guardian
    typo_rows = t.filter(typo)
    if typo_rows.height:
        fixed = {
            (p, s): _typo_one(s, p)
            for p, s in typo_rows.select("provider", "holder_kana").unique().iter_rows()
            if s is not None
        }
        t = t.with_columns(
            pl.when(typo)
            .then(pl.concat_str([pl.col("provider"), pl.lit("\x00"), pl.col("holder_kana")]).replace_strict({f"{p}\x00{s}": v for (p, s), v in fixed.items()}, default=pl.col("holder_kana")))
            .otherwise(pl.col("holder_kana"))
            .alias("holder_kana")
        )
    # birth date: missing 3 %, one digit off 0.4 %, day and month swapped 0.3 %
    bd = pl.col("birth_date")
    swap_ok = (bd.dt.day() <= 12) & (bd.dt.day() != bd.dt.month())
    swapped_dob = pl.date(bd.dt.year(), bd.dt.day(), bd.dt.month())
    # one digit off: the year's last digit, or the day's last digit (staying in the month)
    digit_off = (
        pl.when(pl.col("_u5") < 0.5)
        .then(bd.dt.offset_by("1y"))
        .when(bd.dt.day() < 28)
        .then(bd.dt.offset_by("1d"))
        .otherwise(bd.dt.offset_by("-1d"))
    )
    t = t.with_columns(
        pl.when(pl.col("_u4") < 0.03)
        .then(pl.lit("missing"))
        .when(pl.col("_u4") < 0.034)
        .then(pl.lit("typo"))
        .when((pl.col("_u4") < 0.037) & swap_ok)
        .then(pl.lit("swap"))
        .otherwise(pl.lit("true"))
        .alias("dob_variant")
    ).with_columns(
        pl.when(pl.col("dob_variant") == "missing")
        .then(None)
        .when(pl.col("dob_variant") == "typo")
        .then(digit_off)
        .when(pl.col("dob_variant") == "swap")
        .then(swapped_dob)
        .otherwise(bd)
        .alias("holder_birth_date"),
        bd.alias("true_birth_date"),
    )
    # address given at opening, in the bank's notation; EMPTY_ADDRESS_RATE empty
    addr = office.addresses.select("person_id", pl.col("seq").alias("address_seq"), "pref", "city", "town", "chome", "ban", "go", "building", "room")
    t = t.join(addr, on=["person_id", "address_seq"], how="left")
    # town-level addresses (TOWN_ONLY_ADDRESS_RATE, OTHER_BLOCK_ADDRESS_RATE), from the account (no generator draw)
    u_town = _hash_u([pl.col("account_key")], 9002)
    other_block = (u_town >= TOWN_ONLY_ADDRESS_RATE) & (u_town < TOWN_ONLY_ADDRESS_RATE + OTHER_BLOCK_ADDRESS_RATE)
    t = t.with_columns(
        (u_town < TOWN_ONLY_ADDRESS_RATE).alias("_town_only"),
        other_block.alias("_other_block"),
        pl.when(other_block).then((pl.col("ban") + (u_town * 1e6).cast(pl.Int64) % 9) % 30 + 1).otherwise(pl.col("ban")).alias("ban"),
    )
    n = t.height
    t = t.with_columns(
        pl.Series("_an", np.searchsorted(np.cumsum(BANK_ADDRESS_NOTATION) / sum(BANK_ADDRESS_NOTATION), rng.random(n)).clip(0, 8)),
        pl.Series("_bs", rng.integers(0, 3, n)),
    ).with_columns(
        pl.when(pl.col("_u6") < EMPTY_ADDRESS_RATE)
        .then(pl.lit(""))
        .when(pl.col("_town_only"))
        .then(_town_only(pl.col("pref"), pl.col("city"), pl.col("town"), pl.col("chome"), u_town / TOWN_ONLY_ADDRESS_RATE))
        .otherwise(
            R.render_address(
                pl.col("pref"), pl.col("city"), pl.col("town"), pl.col("chome"), pl.col("ban"), pl.col("go"),
                pl.col("building"), pl.col("room"), pl.col("_an"), pl.col("_bs"),
            )
        )
        .alias("holder_address")
    )
    # planted income (salary monthly on the 25th, pension every even month on the 15th, benefits)
    as_of = office.as_of
    age = (pl.lit(as_of) - pl.col("birth_date")).dt.total_days() / 365.25
    primary = pl.col("primary")
    n = t.height
    v = {k: rng.random(n) for k in range(6)}
    t = t.with_columns([pl.Series(f"_v{k}", x) for k, x in v.items()])
    salary = pl.when((primary & (age < 65) & (pl.col("_v0") < 0.6)) | (~primary & (pl.col("_v0") < 0.04)) | (primary & (age >= 65) & (pl.col("_v0") < 0.1)))
    t = t.with_columns(
        salary.then(((pl.lit(float(np.log(220_000))) + (pl.col("_v2") - 0.5) * 1.4).exp() / 100).round(0).cast(pl.Int64) * 100).otherwise(0).alias("salary_yen"),
        pl.when(pl.col("_v3") < 0.7).then(25).when(pl.col("_v3") < 0.85).then(20).otherwise(10).cast(pl.Int8).alias("salary_day"),
        pl.Series("employer", np.array(_EMPLOYERS)[(v[4] * len(_EMPLOYERS)).astype(int)]),
        pl.when(primary & (age >= 65) & (pl.col("_v1") < 0.85)).then((pl.col("_v2") * 2500).round(0).cast(pl.Int64) * 100 + 120_000).otherwise(0).alias("pension_yen"),
        pl.when(primary & (pl.col("_v5") < 0.04)).then(pl.lit(120_000, pl.Int64)).otherwise(0).alias("welfare_yen"),
        (primary & (age >= 25) & (age <= 50) & (pl.col("_v5") > 0.88)).alias("child_allowance"),
    )
    kind = (
        pl.when(pl.col("name_used") == "maiden").then(pl.lit("maiden_name"))
        .when(typo).then(pl.lit("typo"))
        .when(guardian).then(pl.lit("guardian_truncated"))
        .when(pl.col("_dz")).then(pl.lit("dz_swap"))
        .when(pl.col("_foreign_spelling")).then(pl.lit("foreign_spelling"))
        .when(pl.col("dob_variant") == "missing").then(pl.lit("dob_missing"))
        .when(pl.col("dob_variant") != "true").then(pl.lit("dob_typo"))
        .when(pl.col("holder_address") == "").then(pl.lit("address_empty"))
        .when(pl.col("_town_only")).then(pl.lit("address_town_only"))
        .when(pl.col("_other_block")).then(pl.lit("address_other_block"))
        .when(pl.col("address_seq") > 0).then(pl.lit("old_address"))
        .otherwise(pl.lit("delinquent"))
    )
    t = t.with_columns(
        kind.alias("kind"),
        pl.when(typo).then(pl.lit("typo")).when(guardian).then(pl.lit("guardian")).when(pl.col("_dz")).then(pl.lit("dz_swap"))
        .when(pl.col("_foreign_spelling")).then(pl.lit("foreign_spelling")).otherwise(pl.lit("clean")).alias("name_variant"),
        pl.when(pl.col("holder_address") == "").then(pl.lit("empty")).when(pl.col("_town_only")).then(pl.lit("town_only"))
        .when(pl.col("_other_block")).then(pl.lit("other_block")).when(pl.col("address_seq") > 0).then(pl.lit("former"))
        .otherwise(pl.lit("current")).alias("address_variant"),
    )
    return t.filter(pl.col("provider").is_in(["dais", "pipitlinq"])).select(*_ACCOUNT_COLUMNS, "search_key", "true_birth_date", *[c for c in _TRUTH_COLUMNS if c not in _ACCOUNT_COLUMNS])


def sample_requests(office: Office, provider: str, *, prefix: str = "Q") -> pl.DataFrame:
    """The basic request frame an office would send to ``provider``'s default institutions.

    One inquiry per (person, institution of the provider that is a default
    target, or named in the person's ``target_banks``). Names go out in the
    service's form (``matching.kana``); a person whose master kana is empty is
    sent with the true reading (the real pipeline estimates one). For tests
    and benchmarks that need requests without running the pipeline.
    """
    from matching.kana import to_fullwidth, to_zengin

    inst = office.institutions.filter(pl.col("provider") == provider)
    default = inst.filter(pl.col("default_target") == "1")["bank_code"].to_list()
    allowed = inst["bank_code"].to_list()
    people = office.people.select("person_id", "family_kana", "given_kana", "family_kanji", "given_kanji", "birth_date", "sex",
                                  "maiden_family_kana", "maiden_known", "residence_unknown")
    master = office.master.select("person_id", "target_banks", "fiscal_class", "staff_code", "address", "postal_code")
    df = people.join(master, on="person_id", how="left").with_columns(
        pl.when(pl.col("target_banks") == "")
        .then(pl.lit(default, dtype=pl.List(pl.Utf8)))
        .otherwise(pl.col("target_banks").str.split(";").list.set_intersection(pl.lit(allowed, dtype=pl.List(pl.Utf8))))
        .alias("bank_code")
    ).explode("bank_code").filter(pl.col("bank_code").is_not_null())
    render = to_zengin if provider == "dais" else to_fullwidth
    full = pl.concat_str([pl.col("family_kana"), pl.lit("\u3000"), pl.col("given_kana")])
    other = pl.when(pl.col("maiden_known")).then(render(pl.concat_str([pl.col("maiden_family_kana"), pl.lit("\u3000"), pl.col("given_kana")])))
    digits = pl.col("postal_code").str.replace_all("-", "")
    return df.with_row_index("_i").select(
        pl.format("{}{}", pl.lit(f"{prefix}{provider[0].upper()}"), pl.col("_i").cast(pl.Utf8).str.zfill(9)).alias("inquiry_id"),
        "person_id",
        "staff_code",
        "fiscal_class",
        "bank_code",
        pl.lit(None, pl.Utf8).alias("branch_code"),
        render(full).alias("name_kana"),
        pl.concat_str([pl.col("family_kanji"), pl.lit("\u3000"), pl.col("given_kanji")]).alias("name_kanji"),
        "birth_date",
        pl.col("sex").cast(pl.Int8),
        pl.when(digits.str.len_chars() == 7).then(digits).alias("postal_code"),
        pl.when(pl.col("address") != "").then(pl.col("address")).alias("address"),
        other.alias("other_names_kana"),
        pl.lit(office.as_of).alias("as_of"),
    )
