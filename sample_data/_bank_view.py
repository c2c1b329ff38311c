"""The bank's view of a delinquent's account: the holder as the bank registered them.

A real bank's customer file is not the office's master. Each true account
(``_accounts``) is registered here as its bank holds it: Zengin half-width
kana (DAIS) or full-width katakana as stored (pipitLINQ), the address given
at opening (often a former one, sometimes empty, sometimes only its town -
町名 or 町名 + 丁目 - and rarely another block of the person's town), a birth
date sometimes missing or mistyped, the maiden name for some married women,
a few look-alike typos, ヂ/ジ ヅ/ズ swaps, guardian suffixes cut at the field
width, and foreign residents' names as a bank that cannot hold ヴ writes
them (ヴァ → バ ...) or with a ー dropped or added (matching.md "Why it is
hard"; the rates are the module constants below, with their reasons, and
docs/matching.md §5). Every account records which difficulty it carries
(``kind``, one of :data:`TRUTH_KINDS`) and the income planted in its history.

>>> import polars as pl
>>> pl.select(bank_spelling(pl.lit("ヴァンナム"), pl.lit(True), pl.lit(True), pl.lit(0.9))).item()
'バンナム'
>>> _typo_one("ｽｽﾞｷ ﾀﾛｳ", "dais") != "ｽｽﾞｷ ﾀﾛｳ"
True
"""

from __future__ import annotations

import unicodedata
import zlib

import jaconv
import numpy as np
import polars as pl

from sample_data import _render as R
from sample_data._draws import hash_u
from sample_data._office import Office

__all__ = [
    "BANK_ADDRESS_NOTATION",
    "TRUTH_KINDS",
    "EMPTY_ADDRESS_RATE",
    "TOWN_ONLY_ADDRESS_RATE",
    "OTHER_BLOCK_ADDRESS_RATE",
    "V_AS_B_SHARE",
    "LONG_VOWEL_DROPPED",
    "LONG_VOWEL_ADDED",
    "EMPLOYERS",
    "ACCOUNT_COLUMNS",
    "TRUTH_COLUMNS",
    "bank_view",
    "bank_spelling",
    "town_level_address",
    "render_holder",
    "split_name",
    "to_full",
]

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
#: employers in the planted salary transfers (Zengin, as a bank prints them)
EMPLOYERS = [
    "ｶ)ﾆｼｼﾝｼﾞﾕｸｼﾖｳｼﾞ", "ｶ)ﾄｳｷﾖｳｹﾝｾﾂ", "ﾕ)ﾀﾅｶｼﾖｳﾃﾝ", "ｲ)ｼﾝｼﾞﾕｸｶｲ", "ｶ)ﾀｶﾀﾞﾉﾊﾞﾊﾞｳﾝﾕ", "ｶ)ｻｸﾗﾌ-ｽﾞ",
    "ｶ)ｵｵｸﾎﾞｺｳｷﾞﾖｳ", "ｼﾔ)ﾌｸｼｶｲ", "ｶ)ﾖﾂﾔｼﾖｸﾋﾝ", "ｶ)ｶｸﾞﾗｻﾞｶｷｶｸ", "ｺﾞｳ)ｱｵﾊﾞｿﾌﾄ", "ｶ)ﾐﾗｲﾛｼﾞｽﾃｲｸｽ",
]

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


def split_name(expr: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """Family and given name of a kana name split at its first space (either width); given null if none."""
    parts = expr.str.replace_all("\u3000", " ").str.strip_chars().str.splitn(" ", 2)
    return parts.struct.field("field_0"), parts.struct.field("field_1").str.strip_chars()


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


def bank_spelling(name: pl.Expr, v_as_b: pl.Expr, foreign: pl.Expr, u: pl.Expr) -> pl.Expr:
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


def town_level_address(pref: pl.Expr, city: pl.Expr, town: pl.Expr, chome: pl.Expr, u: pl.Expr) -> pl.Expr:
    """The address as a bank that holds only 町名 (or 町名 + 丁目, for half of the towns with 丁目)."""
    head = pl.concat_str([pref, city, town])
    with_chome = pl.concat_str([head, R.kanji_number(chome), pl.lit("丁目")])
    return pl.when((chome > 0) & (u < 0.5)).then(with_chome).otherwise(head)


#: an account as a bank answers it (the basic response's account columns)
ACCOUNT_COLUMNS = [
    "account_key", "bank_code", "branch_code", "account_type", "account_number", "passbook_symbol", "passbook_number",
    "holder_kana", "holder_birth_date", "holder_address", "balance_yen", "opened_on", "last_activity", "account_status",
]
#: what only the simulation knows about an account: the true owner (null for a stranger), the
#: difficulty it carries and the income planted in its history (:attr:`BankWorld.truth`)
TRUTH_COLUMNS = [
    "account_key", "bank_code", "provider", "person_id", "kind", "name_used", "name_variant", "dob_variant", "address_variant",
    "homonym_in_master", "balance_yen", "account_status", "salary_yen", "salary_day", "employer", "pension_yen", "welfare_yen",
    "child_allowance",
]


def render_holder(name: pl.Expr, provider: str, keeps_small: pl.Expr, half_space: pl.Expr, u: pl.Expr) -> pl.Expr:
    """A kana name (any form) as the bank stores it: Zengin for DAIS, full-width for pipitLINQ."""
    fam, giv = split_name(name)
    if provider == "dais":
        zf, zg = R.zengin(to_full(fam)), R.zengin(to_full(giv))
        sep = pl.when(u < 0.04).then(pl.lit("")).when(u < 0.07).then(pl.lit("  ")).otherwise(pl.lit(" "))
        return pl.when(giv.is_null()).then(zf).otherwise(pl.concat_str([zf, sep, zg]))
    ff, fg = to_full(fam), to_full(giv)
    ff = pl.when(keeps_small).then(ff).otherwise(R.enlarge_small(ff))
    fg = pl.when(keeps_small).then(fg).otherwise(R.enlarge_small(fg))
    sep = pl.when(half_space).then(pl.lit(" ")).otherwise(pl.lit("\u3000"))
    return pl.when(giv.is_null()).then(ff).otherwise(pl.concat_str([ff, sep, fg]))


def to_full(expr: pl.Expr) -> pl.Expr:
    """Any kana (half-width, hiragana, Zengin with ``-``) → full-width katakana."""

    def one(t: str) -> str:
        t = unicodedata.normalize("NFKC", t.replace("-", "ー"))
        return jaconv.hira2kata(t)

    return R.map_distinct(expr, one)


def bank_view(office: Office, banks: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
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
    u_spell = hash_u([pl.col("account_key")], 9001)
    written = pl.concat_str([pl.col("_fam"), pl.lit("\u3000"), pl.col("_giv")])
    t = t.with_columns(bank_spelling(written, pl.col("v_as_b").fill_null(False), pl.col("_foreign").fill_null(False), u_spell).alias("_spelled"))
    t = t.with_columns((pl.col("_spelled") != written).alias("_foreign_spelling"))
    name = pl.col("_spelled")
    parts = []
    for provider in ("dais", "pipitlinq"):
        part = t.filter(pl.col("provider") == provider)
        parts.append(part.with_columns(render_holder(name, provider, pl.col("keeps_small"), pl.col("half_space"), pl.col("_u1")).alias("holder_kana")))
    t = pl.concat(parts + [t.filter(~pl.col("provider").is_in(["dais", "pipitlinq"])).with_columns(pl.lit(None, pl.Utf8).alias("holder_kana"))], how="diagonal_relaxed")
    # guardian suffix cut at 30 characters; look-alike typos (0.8 %)
    guardian = pl.col("_u2") < 0.003
    suffix = pl.lit(" ｺｳｹﾝﾆﾝ ｻﾄｳ ﾏｻｺ")
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
    u_town = hash_u([pl.col("account_key")], 9002)
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
        .then(town_level_address(pl.col("pref"), pl.col("city"), pl.col("town"), pl.col("chome"), u_town / TOWN_ONLY_ADDRESS_RATE))
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
        pl.Series("employer", np.array(EMPLOYERS)[(v[4] * len(EMPLOYERS)).astype(int)]),
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
    return t.filter(pl.col("provider").is_in(["dais", "pipitlinq"])).select(*ACCOUNT_COLUMNS, "search_key", "true_birth_date", *[c for c in TRUTH_COLUMNS if c not in ACCOUNT_COLUMNS])
