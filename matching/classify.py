"""Classes from evidence, then one owner per account.

Two steps, both tables of rules rather than code paths:

1. :data:`PAIR_RULES` give every scored (account, person) pair a class from
   its three evidence values alone (first rule that holds wins), then
   :data:`ESTIMATED_RULES` cap the pairs of persons whose kana was estimated
   from kanji (safety rule 3).
2. :func:`resolve_accounts` keeps, per account, the best pair (class first,
   then score) - whichever person was inquired (safety rule 4) - turns a hit
   that has a rival, another person fitting the account as well whatever
   caps that person's class, into ``REVIEW`` (safety rule 2), lists
   candidates, and writes the reason in plain words (safety rule 5).

Safety rule 1 (name and birth date are not identity) is the pair rules
``address_not_town``/``town_other_block``/``no_address``/``nothing_but_name``:
nothing reaches a hit without the bank's address agreeing with the current
or a former address at block level (丁目-番-号), or - ``probable_town``, as
the spec's class table allows - lying in the town of one of them while the
bank holds no block number at all (absence of information contradicts
nothing; another block does, and stays REVIEW). The evidence values may
come as labels or as level indices; the rules are evaluated once on every
combination (:func:`decision_table`) and pairs look their class up.

>>> [r.name for r in PAIR_RULES][:3]
['name_mismatch', 'partial_with_dob_and_address', 'partial_only']
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import polars as pl

from matching.comparisons import DEFAULT_MODEL, MatchModel

__all__ = [
    "CLASSES",
    "CLASS_RANK",
    "ESTIMATED_RULES",
    "PAIR_RULES",
    "ClassRule",
    "classify_pairs",
    "decision_table",
    "resolve_accounts",
]

#: The five classes, best first.
CLASSES: tuple[str, ...] = ("CONFIRMED", "PROBABLE", "REVIEW", "HOMONYM", "UNMATCHED")
#: Higher is a better fit; used to order candidate persons of one account.
CLASS_RANK: dict[str, int] = {"CONFIRMED": 4, "PROBABLE": 3, "REVIEW": 2, "HOMONYM": 1, "UNMATCHED": 0}
HITS = ("CONFIRMED", "PROBABLE")


@dataclass(frozen=True, slots=True)
class ClassRule:
    """When ``condition`` holds (over ``name_evidence``, ``dob_evidence``,
    ``address_evidence``, ``estimated``), the pair gets ``klass`` with ``reason``."""

    name: str
    condition: pl.Expr
    klass: str
    reason: str


def _n(*v: str) -> pl.Expr:
    return pl.col("name_evidence").cast(pl.Utf8).is_in(v)


def _d(*v: str) -> pl.Expr:
    return pl.col("dob_evidence").cast(pl.Utf8).is_in(v)


def _a(*v: str) -> pl.Expr:
    return pl.col("address_evidence").cast(pl.Utf8).is_in(v)


STRONG = ("exact", "other_name")
BLOCK = ("current", "history")

PAIR_RULES: tuple[ClassRule, ...] = (
    ClassRule("name_mismatch", _n("mismatch"), "UNMATCHED",
              "the name differs from every name the person has had"),
    ClassRule("partial_with_dob_and_address", _n("partial") & _d("exact") & _a(*BLOCK), "REVIEW",
              "only the family or the given name agrees, although birth date and address agree"),
    ClassRule("partial_only", _n("partial"), "UNMATCHED",
              "only the family or the given name agrees"),
    ClassRule("dob_conflicts_with_address", _d("mismatch") & _a(*BLOCK), "REVIEW",
              "name and address agree but the birth dates differ"),
    ClassRule("homonym_dob", _d("mismatch"), "HOMONYM",
              "same name but another birth date (同名異人)"),
    ClassRule("homonym_address", _d("missing", "near") & _a("mismatch"), "HOMONYM",
              "birth date unknown or off by a digit, and the bank's address is in a municipality "
              "where the person never lived (同名異人)"),
    ClassRule("homonym_other_town", _d("missing", "near") & _a("other_block", "city"), "HOMONYM",
              "birth date unknown or off by a digit, and the bank's address is another town or block "
              "than any the person lived at (同名異人)"),
    ClassRule("confirmed", _n(*STRONG) & _d("exact") & _a(*BLOCK), "CONFIRMED",
              "name, birth date and address agree"),
    ClassRule("town_other_block", _d("exact") & _a("other_block"), "REVIEW",
              "name and birth date agree and the bank's address is in the person's town, but at another "
              "block (a neighbour with the same name and birth date is possible)"),
    ClassRule("probable_town", _n(*STRONG) & _d("exact") & _a("town"), "PROBABLE",
              "name and birth date agree and the bank's address is in the person's town; the bank holds "
              "no block number (nothing against it)"),
    ClassRule("town_variant", _d("exact") & _a("town"), "REVIEW",
              "birth date agrees and the bank's address is in the person's town without a block number, "
              "but the name differs by a kana variant (two weaker signals)"),
    ClassRule("probable_variant", _n("variant") & _d("exact") & _a(*BLOCK), "PROBABLE",
              "birth date and address agree; the name differs by a kana variant"),
    ClassRule("other_room_no_dob", _d("missing", "near") & _a(*BLOCK) & pl.col("room_conflict"), "REVIEW",
              "name and building agree but the room differs, and the birth date is unknown or off by a "
              "digit: possibly a neighbour with the same name"),
    ClassRule("probable_no_dob", _n(*STRONG) & _d("missing") & _a(*BLOCK), "PROBABLE",
              "name and address agree; the birth date is unknown"),
    ClassRule("probable_near_dob", _n(*STRONG) & _d("near") & _a(*BLOCK), "PROBABLE",
              "name and address agree; the birth date is off by one digit or day/month swapped"),
    ClassRule("address_not_town", _d("exact") & _a("city", "mismatch"), "REVIEW",
              "name and birth date agree, but the bank's address matches neither the current nor any "
              "former address at town level (name and birth date are not identity)"),
    ClassRule("no_address", _d("exact") & _a("missing"), "REVIEW",
              "name and birth date agree, but the bank holds no address"),
    ClassRule("nothing_but_name", _d("missing") & _a("missing"), "REVIEW",
              "the bank holds neither an address nor a birth date"),
    ClassRule("weak", pl.lit(True), "REVIEW",
              "evidence too weak or conflicting for a hit"),
)

ESTIMATED_RULES: tuple[ClassRule, ...] = (
    ClassRule("estimated_probable", ~_n("mismatch") & _d("exact") & _a(*BLOCK), "PROBABLE",
              "reading estimated from kanji; birth date and address agree (probable at most)"),
    ClassRule("estimated_reading_differs", _n("mismatch") & _d("exact") & _a(*BLOCK), "REVIEW",
              "reading estimated from kanji differs from the bank's kana, but birth date and address agree: "
              "check the reading"),
    ClassRule("estimated_review", pl.lit(True), "REVIEW",
              "reading estimated from kanji: a hit needs the birth date and the address to agree"),
)


def _apply(rules: tuple[ClassRule, ...]) -> tuple[pl.Expr, pl.Expr]:
    klass: pl.Expr = pl.lit(rules[-1].klass)
    reason: pl.Expr = pl.lit(rules[-1].reason)
    rule: pl.Expr = pl.lit(rules[-1].name)
    for r in reversed(rules[:-1]):
        cond = r.condition.fill_null(False)
        klass = pl.when(cond).then(pl.lit(r.klass)).otherwise(klass)
        reason = pl.when(cond).then(pl.lit(r.reason)).otherwise(reason)
        rule = pl.when(cond).then(pl.lit(r.name)).otherwise(rule)
    return klass, pl.struct(rule=rule, reason=reason)


def _decision_table(model: MatchModel) -> pl.DataFrame:
    """The rules evaluated once on every combination of evidence values (560 rows).

    Pairs then look their class up by combination instead of running the
    when/then chains on millions of rows.
    """
    combos = pl.DataFrame(
        list(
            itertools.product(
                range(len(model.name.levels)), range(len(model.dob.levels)), range(len(model.address.levels)), (False, True), (False, True)
            )
        ),
        schema={
            "name_idx": pl.UInt8,
            "dob_idx": pl.UInt8,
            "address_idx": pl.UInt8,
            "estimated": pl.Boolean,
            "room_conflict": pl.Boolean,
        },
        orient="row",
    ).with_columns(
        name_evidence=model.name.label_of(pl.col("name_idx")),
        dob_evidence=model.dob.label_of(pl.col("dob_idx")),
        address_evidence=model.address.label_of(pl.col("address_idx")),
    )
    base_class, base_why = _apply(PAIR_RULES)
    cap_class, cap_why = _apply(ESTIMATED_RULES)
    # rule 3 decides for an estimated reading whenever the pair would be a hit, or has the evidence
    # (birth date exact, address at block level) with which it may become PROBABLE at most
    capped = pl.col("estimated") & (pl.col("class").is_in(HITS) | (_d("exact") & _a(*BLOCK)))
    table = combos.with_columns(base_class.alias("class"), base_why.alias("_why")).with_columns(
        pl.when(capped).then(cap_class).otherwise(pl.col("class")).alias("class"),
        pl.when(capped).then(cap_why).otherwise(pl.col("_why")).alias("_why"),
    )
    reasons = sorted({r.reason for r in PAIR_RULES + ESTIMATED_RULES})
    rules = [r.name for r in PAIR_RULES + ESTIMATED_RULES]
    return table.select(
        _combo(model),
        pl.col("class").cast(CLASS_DTYPE),
        pl.col("_why").struct.field("rule").cast(pl.Enum(rules)),
        pl.col("_why").struct.field("reason").cast(pl.Enum(reasons)),
        class_rank=pl.col("class").replace_strict(CLASS_RANK, return_dtype=pl.Int8),
    ).sort("combo")


CLASS_DTYPE = pl.Enum(CLASSES)


def _combo(model: MatchModel) -> pl.Expr:
    nd, na = len(model.dob.levels), len(model.address.levels)
    return (
        (((pl.col("name_idx").cast(pl.UInt32) * nd + pl.col("dob_idx")) * na + pl.col("address_idx")) * 2
         + pl.col("estimated").fill_null(False).cast(pl.UInt32)) * 2
        + pl.col("room_conflict").fill_null(False).cast(pl.UInt32)
    ).alias("combo")


#: decision tables already made, by model (kept with their model: an id is only unique while its object lives)
_DECISIONS: dict[int, tuple[MatchModel, pl.DataFrame]] = {}


def decision_table(model: MatchModel = DEFAULT_MODEL) -> pl.DataFrame:
    """Class, rule and reason for every (name, dob, address, estimated, room conflict) combination
    of ``model``'s evidence levels — the levels :func:`matching.scoring.score_pairs` gave the pairs."""
    if id(model) not in _DECISIONS:
        _DECISIONS[id(model)] = (model, _decision_table(model))
    return _DECISIONS[id(model)][1]


def classify_pairs(pairs: pl.DataFrame, model: MatchModel = DEFAULT_MODEL) -> pl.DataFrame:
    """Add ``class``, ``rule``, ``reason`` and ``class_rank`` to scored pairs.

    Needs the evidence as level indices (``name_idx``, ``dob_idx``,
    ``address_idx``) or as labels (``name_evidence``, ...), and optionally
    ``estimated`` and ``room_conflict``.
    """
    for flag in ("estimated", "room_conflict"):
        if flag not in pairs.columns:
            pairs = pairs.with_columns(pl.lit(False).alias(flag))
    idx = {"name_idx": model.name, "dob_idx": model.dob, "address_idx": model.address}
    missing = {c: cmp for c, cmp in idx.items() if c not in pairs.columns}
    if missing:
        label_col = {"name_idx": "name_evidence", "dob_idx": "dob_evidence", "address_idx": "address_evidence"}
        pairs = pairs.with_columns(
            pl.col(label_col[c]).cast(pl.Utf8).cast(cmp.dtype).to_physical().cast(pl.UInt8).alias(c)
            for c, cmp in missing.items()
        )
    table = decision_table(model)
    code = pairs.select(_combo(model)).get_column("combo")
    return pairs.with_columns(
        table.get_column(c).gather(code).alias(c) for c in ("class", "rule", "reason", "class_rank")
    )


#: Name evidence with which another person is a rival (safety rule 2). An estimated reading
#: "agrees" on the same terms as a known one - the reading or one of its alternatives
#: (``kana_candidates``) is the bank's name or a variant of it; a reading that shares only the
#: family or the given name (``partial``) does not: that is a household member, 伊藤 花子 beside
#: 伊藤 健二, and counting it would send every hit of a family without bank birth dates to REVIEW.
RIVAL_NAMES = ("exact", "other_name", "variant")


def _address_level() -> pl.Expr:
    """The address evidence as a level of agreement: ``current`` and ``history`` are one
    level (the bank's block is one the person lived at, now or before); every other value
    is its own level, so new values (``town``, ``other_block``, ...) need no change here."""
    label = pl.col("address_evidence").cast(pl.Utf8)
    return pl.when(label.is_in(BLOCK)).then(pl.lit("block")).otherwise(label)


def _fits() -> pl.Expr:
    """Name fits (a known or an estimated reading alike) and the birth date does not contradict."""
    name = pl.col("name_evidence").cast(pl.Utf8)
    return name.is_in(RIVAL_NAMES) & (pl.col("dob_evidence").cast(pl.Utf8) != "mismatch")


def resolve_accounts(pairs: pl.DataFrame, accounts: pl.DataFrame, *, max_candidates: int = 5) -> pl.DataFrame:
    """One row per account: the best person, the class, candidates and reason.

    ``pairs`` are classified pairs with ``acct_idx, person_idx, person_id,
    class, class_rank, score, reason, *_evidence``; ``accounts`` has
    ``acct_idx, inquired_idx, has_address, dob``. The best pair is the highest class, then the highest score (then
    the smaller person index, so the result is reproducible).

    A hit must have no rival (safety rule 2): when the best pair is a hit and
    another person fits the account as well - name fits (an estimated
    reading as well as a known one), birth date not a ``mismatch``, address
    evidence at the same level - whatever caps that person's class (an estimated reading, a
    missing birth date, a room conflict), the account is ``REVIEW`` with all
    of them as candidates. A person who fits worse on the address (a
    namesake elsewhere in the municipality) is no rival. One sort and one
    pass over the pair columns; no loop per account.
    """
    review = CLASS_RANK["REVIEW"]
    cols = ["person_id", "class", "class_rank", "score", "name_evidence", "dob_evidence", "address_evidence", "reason"]
    ranked = pairs.select("acct_idx", "person_idx", *cols).sort(
        ["acct_idx", "class_rank", "score", "person_idx"], descending=[False, True, True, False]
    )
    first = pl.col("acct_idx").is_first_distinct()
    ranked = ranked.with_columns(
        _first=first,
        _best_rank=pl.when(first).then(pl.col("class_rank")).forward_fill(),
        _best_level=pl.when(first).then(_address_level()).forward_fill(),
    ).with_columns(
        # a rival: another person of an account whose best pair is a hit, fitting it as well
        _rival=~pl.col("_first")
        & (pl.col("_best_rank") > review)
        & _fits()
        & (_address_level() == pl.col("_best_level")),
    )
    rivals = ranked.filter(pl.col("_rival")).group_by("acct_idx").agg(_n_rivals=pl.len())
    best = (
        ranked.filter(pl.col("_first"))
        .select("acct_idx", *cols)
        .join(rivals, on="acct_idx", how="left", maintain_order="left")
        .with_columns(_rivalled=pl.col("_n_rivals").is_not_null())
        .drop("_n_rivals")
    )
    # Candidate lists only for the (few) accounts that end in REVIEW.
    needs_list = best.filter(pl.col("_rivalled") | (pl.col("class") == "REVIEW")).select("acct_idx", "_rivalled")
    listed = (
        ranked.join(needs_list, on="acct_idx", how="inner", maintain_order="left")
        .filter(pl.when(pl.col("_rivalled")).then(pl.col("_first") | pl.col("_rival")).otherwise(pl.col("class_rank") >= review))
        .group_by("acct_idx", maintain_order=True)
        .agg(
            n_fit=pl.len(),
            fit_ids=pl.col("person_id").head(max_candidates).str.join(";"),
            rival_ids=pl.col("person_id").filter(pl.col("_rival")).head(max_candidates).str.join(";"),
        )
    )
    inquired = (
        ranked.join(accounts.select("acct_idx", "inquired_idx"), on="acct_idx")
        .filter(pl.col("person_idx") == pl.col("inquired_idx"))
        .select("acct_idx", *[pl.col(c).alias(f"q_{c}") for c in cols])
    )
    table = (
        accounts.select("acct_idx", "has_address", "dob")
        .join(best, on="acct_idx", how="left", maintain_order="left")
        .join(listed, on="acct_idx", how="left", maintain_order="left")
        .join(inquired, on="acct_idx", how="left", maintain_order="left")
        .with_columns(pl.col("class").cast(pl.Utf8), pl.col("q_class").cast(pl.Utf8), pl.col("_rivalled").fill_null(False))
    )
    rivalled = pl.col("_rivalled")
    hit_or_review = pl.col("class").is_in(("CONFIRMED", "PROBABLE", "REVIEW"))
    # For HOMONYM/UNMATCHED the nearest person is the inquired one when it fits as well as the best.
    use_inquired = ~hit_or_review & pl.col("q_class_rank").is_not_null() & (pl.col("q_class_rank") == pl.col("class_rank"))

    def pick(c: str) -> pl.Expr:
        return pl.when(use_inquired).then(pl.col(f"q_{c}").cast(pl.Utf8)).otherwise(pl.col(c).cast(pl.Utf8))

    no_pair = pl.col("class").is_null()
    final_class = pl.when(no_pair).then(pl.lit("UNMATCHED")).when(rivalled).then(pl.lit("REVIEW")).otherwise(pl.col("class"))
    candidates = (
        pl.when(rivalled | (pl.col("class") == "REVIEW"))
        .then(pl.col("fit_ids"))
        .when(~no_pair & ~hit_or_review)
        .then(pick("person_id"))
        .otherwise(pl.lit(None, dtype=pl.Utf8))
    )
    reason = (
        pl.when(no_pair)
        .then(pl.lit("no person of the master has this name"))
        .when(rivalled)
        .then(
            pl.format(
                "{} persons fit equally well ({}): besides the best, {} also fits the name, does not contradict "
                "the birth date and agrees on the address at the same level; a person must decide",
                pl.col("n_fit"), pl.col("fit_ids"), pl.col("rival_ids"),
            )
        )
        .otherwise(pick("reason"))
    )
    missing_or_mismatch = pl.when(pl.col("has_address")).then(pl.lit("mismatch")).otherwise(pl.lit("missing"))
    score = pl.when(use_inquired).then(pl.col("q_score")).otherwise(pl.col("score"))
    return table.select(
        "acct_idx",
        person_id=pl.when(hit_or_review).then(pl.col("person_id")).otherwise(pl.lit(None, dtype=pl.Utf8)),
        **{"class": final_class},
        score=pl.when(no_pair).then(0.0).otherwise(score),
        name_evidence=pl.when(no_pair).then(pl.lit("mismatch")).otherwise(pick("name_evidence")),
        dob_evidence=pl.when(no_pair)
        .then(pl.when(pl.col("dob").is_null()).then(pl.lit("missing")).otherwise(pl.lit("mismatch")))
        .otherwise(pick("dob_evidence")),
        address_evidence=pl.when(no_pair).then(missing_or_mismatch).otherwise(pick("address_evidence")),
        candidates=candidates,
        reason=reason,
    )
