"""Basic answers: which accounts a bank returns for one inquiry, and the answer rows.

A bank finds its own customers by the kana name (or the 旧氏名 sent), and,
if it checks them, by the birth date (:func:`_own_matches`, on the bank's view
of the delinquents' accounts, ``_bank_view``); it adds the strangers with the
same name (``_strangers``); some inquiries it cannot answer (no address where
the bank requires one, a system failure). Two delinquents of the master who
share a name see each other's accounts. :func:`sample_requests` builds the
request frame an office would send, for tests and benchmarks that need
requests without running the pipeline.

>>> BASIC_RESPONSE_COLUMNS[:5]
['inquiry_id', 'person_id', 'inquired_name', 'inquired_address', 'answer']
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import polars as pl

from formats import refdata
from sample_data import _render as R
from sample_data._bank_view import ACCOUNT_COLUMNS, TRUTH_COLUMNS
from sample_data._draws import hash_u
from sample_data._office import Office
from sample_data._strangers import stranger_matches

if TYPE_CHECKING:
    from sample_data._banks import BankWorld

__all__ = ["BASIC_RESPONSE_COLUMNS", "answer_basic", "sample_requests"]

_UNABLE_REASONS = ["システム障害", "照会内容不備", "支店特定不能", "取扱対象外"]
# DAIS writes the reason in a C20 field: half-width kana
_UNABLE_REASONS_DAIS = {
    "システム障害": "ｼｽﾃﾑｼﾖｳｶﾞｲ",
    "照会内容不備": "ｼﾖｳｶｲﾅｲﾖｳﾌﾋﾞ",
    "支店特定不能": "ｼﾃﾝﾄｸﾃｲﾌﾉｳ",
    "取扱対象外": "ﾄﾘｱﾂｶｲﾀｲｼﾖｳｶﾞｲ",
    "住所未記入": "ｼﾞﾕｳｼﾖﾐｷﾆﾕｳ",
}
#: the canonical basic response frame's columns (docs/architecture.md), in order
BASIC_RESPONSE_COLUMNS = [
    "inquiry_id", "person_id", "inquired_name", "inquired_address", "answer", "detail_no", "bank_code", "bank_name",
    "branch_code", "branch_name", "account_type", "account_number", "passbook_symbol", "passbook_number", "holder_kana",
    "holder_birth_date", "holder_address", "balance_yen", "balance_date", "opened_on", "last_activity", "account_status",
    "unable_reason",
]


@functools.cache
def _bank_names() -> pl.DataFrame:
    """bank_code → bank_name: pipitLINQ answers carry the names (DAIS answers do not)."""
    return refdata.banks().select("bank_code", pl.col("name").alias("bank_name"))


def answer_basic(world: BankWorld, requests: pl.DataFrame, provider: str) -> tuple[pl.DataFrame, pl.DataFrame | None, pl.DataFrame | None]:
    """Answer a canonical basic request frame: ``(response, returned, strangers)``.

    ``response`` is the canonical basic response frame; ``returned`` logs every
    (inquiry, account) answered with its true owner and ``strangers`` holds the
    strangers' truth rows (None when there are none), for
    :attr:`BankWorld.returned` and :attr:`BankWorld.truth`.
    """
    req = requests.with_columns(
        pl.col("branch_code").cast(pl.Utf8),
        pl.col("other_names_kana").cast(pl.Utf8) if "other_names_kana" in requests.columns else pl.lit(None, pl.Utf8).alias("other_names_kana"),
    ).with_columns(
        R.bank_key(pl.col("name_kana")).alias("_key"),
        pl.col("as_of").fill_null(world.office.as_of).alias("_as_of"),
    )
    req = req.join(
        world.banks.select("bank_code", "search", "customers", "unable_rate", "keeps_small", "half_space", "v_as_b"),
        on="bank_code",
        how="left",
    )

    own = _own_matches(world, req)
    strangers = stranger_matches(world, req, provider)
    found = pl.concat([own, strangers], how="diagonal_relaxed")

    u_unable = hash_u([pl.col("inquiry_id"), pl.col("bank_code")], world.seed * 1000 + 11)
    no_address = (pl.col("bank_code").is_in(_requires_address(world))) & (pl.col("address").fill_null("").str.strip_chars() == "")
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
    returned = strangers = None
    unable_ids = unable.filter(pl.col("unable_reason").is_not_null())
    found = found.join(unable_ids.select("inquiry_id"), on="inquiry_id", how="anti")
    found = found.sort("inquiry_id", "account_key").with_columns(
        pl.int_range(1, pl.len() + 1).over("inquiry_id").cast(pl.Int32).alias("detail_no")
    )
    if found.height:
        pid = pl.col("person_id") if "person_id" in req.columns else pl.lit(None, pl.Utf8)
        inquired = req.select("inquiry_id", pid.cast(pl.Utf8).alias("_pid"), "_key", "birth_date").join(
            world._people_keys.select(pl.col("name_key").alias("_key"), "birth_date", pl.col("person_id").alias("_guess")),
            on=["_key", "birth_date"],
            how="left",
        )
        log = found.select("inquiry_id", "account_key", pl.col("person_id").alias("owner_person_id"), "kind").join(
            inquired.select("inquiry_id", pl.coalesce("_pid", "_guess").alias("inquired_person_id")), on="inquiry_id", how="left"
        )
        returned = (
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
            strangers = strangers_found.select(TRUTH_COLUMNS)

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
    out = out.join(order, on="inquiry_id", how="left").sort("_o", "detail_no").select(BASIC_RESPONSE_COLUMNS)
    if provider == "dais":
        out = out.with_columns(
            [pl.lit(None, pl.Utf8).alias(c) for c in ("person_id", "inquired_name", "inquired_address", "bank_name", "branch_name")]
        ).with_columns(pl.col("unable_reason").replace(_UNABLE_REASONS_DAIS))
    return out, returned, strangers


def _requires_address(world: BankWorld) -> list[str]:
    inst = world.office.institutions
    return inst.filter(pl.col("requires_address") == "1")["bank_code"].to_list()


def _own_matches(world: BankWorld, req: pl.DataFrame) -> pl.DataFrame:
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
    acc = world.accounts
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
        "inquiry_id", "bank_code", *[c for c in ACCOUNT_COLUMNS if c != "bank_code"], *[c for c in TRUTH_COLUMNS if c not in ACCOUNT_COLUMNS]
    )


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
