"""The class table of matching.md, pair by pair, and the per-account resolution."""

from __future__ import annotations

import itertools

import polars as pl
import pytest

from matching.classify import CLASS_RANK, PAIR_RULES, classify_pairs, resolve_accounts
from matching.comparisons import ADDRESS, DOB, NAME


def classify(name: str, dob: str, address: str, *, estimated: bool = False) -> str:
    frame = pl.DataFrame(
        {"name_evidence": [name], "dob_evidence": [dob], "address_evidence": [address], "estimated": [estimated]}
    )
    return classify_pairs(frame).get_column("class").item()


@pytest.mark.parametrize(
    ("name", "dob", "address", "expected"),
    [
        ("exact", "exact", "current", "CONFIRMED"),
        ("exact", "exact", "history", "CONFIRMED"),
        ("other_name", "exact", "current", "CONFIRMED"),
        ("variant", "exact", "current", "PROBABLE"),
        ("variant", "exact", "history", "PROBABLE"),
        ("exact", "exact", "other_block", "REVIEW"),  # same town, another block: a neighbour namesake?
        ("other_name", "exact", "other_block", "REVIEW"),
        ("exact", "exact", "town", "PROBABLE"),  # same town, the bank holds no block: nothing against it
        ("other_name", "exact", "town", "PROBABLE"),
        ("exact", "missing", "town", "REVIEW"),  # no birth date, no block: too little for a hit or a homonym
        ("exact", "near", "town", "REVIEW"),
        ("exact", "missing", "current", "PROBABLE"),
        ("other_name", "missing", "history", "PROBABLE"),
        ("exact", "exact", "city", "REVIEW"),  # safety rule 1
        ("exact", "exact", "mismatch", "REVIEW"),  # safety rule 1
        ("exact", "exact", "missing", "REVIEW"),  # the bank holds no address
        ("exact", "missing", "missing", "REVIEW"),  # neither address nor birth date
        ("variant", "exact", "town", "REVIEW"),  # two weaker signals
        ("variant", "exact", "other_block", "REVIEW"),
        ("exact", "mismatch", "city", "HOMONYM"),
        ("variant", "mismatch", "mismatch", "HOMONYM"),
        ("other_name", "mismatch", "town", "HOMONYM"),
        ("other_name", "mismatch", "other_block", "HOMONYM"),
        ("exact", "missing", "mismatch", "HOMONYM"),
        ("exact", "near", "mismatch", "HOMONYM"),
        ("exact", "missing", "city", "HOMONYM"),  # another town of the municipality
        ("exact", "missing", "other_block", "HOMONYM"),  # same town, a block the person never lived at
        ("exact", "mismatch", "current", "REVIEW"),  # conflicting: same home, other birth date
        ("mismatch", "exact", "current", "UNMATCHED"),
        ("partial", "mismatch", "mismatch", "UNMATCHED"),
        ("partial", "exact", "current", "REVIEW"),
    ],
)
def test_class_table(name: str, dob: str, address: str, expected: str) -> None:
    assert classify(name, dob, address) == expected


ALL_COMBOS = list(itertools.product(NAME.labels, DOB.labels, ADDRESS.labels))


@pytest.mark.parametrize(("name", "dob", "address"), ALL_COMBOS)
def test_no_hit_without_address_at_town_level_when_name_and_dob_match(name: str, dob: str, address: str) -> None:
    """Safety rule 1 over every combination of evidence values.

    A hit needs the address at block level, or (PROBABLE only) in the person's town with no block
    at the bank and both name and birth date agreeing exactly; another block is never a hit.
    """
    klass = classify(name, dob, address)
    if klass in ("CONFIRMED", "PROBABLE"):
        assert address in ("current", "history", "town")
        assert name != "mismatch" and dob != "mismatch"
        if klass == "CONFIRMED":
            assert (name, dob) in {("exact", "exact"), ("other_name", "exact")}
            assert address in ("current", "history")
        if address == "town":
            assert klass == "PROBABLE" and name in ("exact", "other_name") and dob == "exact"


@pytest.mark.parametrize(("name", "dob", "address"), ALL_COMBOS)
def test_estimated_reading_is_probable_at_most(name: str, dob: str, address: str) -> None:
    """Safety rule 3 over every combination of evidence values."""
    klass = classify(name, dob, address, estimated=True)
    assert klass != "CONFIRMED"
    if klass == "PROBABLE":
        assert name != "mismatch" and dob == "exact" and address in ("current", "history")


def test_estimated_reading_that_differs_with_dob_and_home_is_reviewed() -> None:
    assert classify("mismatch", "exact", "current", estimated=True) == "REVIEW"
    assert classify("mismatch", "exact", "current", estimated=False) == "UNMATCHED"
    assert classify("partial", "exact", "history", estimated=True) == "PROBABLE"


def test_every_rule_has_a_reason_in_plain_words() -> None:
    assert all(len(r.reason.split()) >= 4 for r in PAIR_RULES)


EXACT_HOME = ("exact", "exact", "current")


def _pairs(rows: list[tuple], *, estimated: list[bool] | None = None) -> pl.DataFrame:
    """Pairs ``(acct_idx, person_idx, person_id, class, score[, (name, dob, address)])``;
    the evidence defaults to name, birth date and current address all agreeing."""
    full = [(*r[:5], *(r[5] if len(r) > 5 else EXACT_HOME)) for r in rows]
    frame = pl.DataFrame(
        full,
        schema=["acct_idx", "person_idx", "person_id", "class", "score", "name_evidence", "dob_evidence", "address_evidence"],
        orient="row",
    ).with_columns(
        pl.col("acct_idx").cast(pl.UInt32),
        pl.col("person_idx").cast(pl.UInt32),
        class_rank=pl.col("class").replace_strict(CLASS_RANK, return_dtype=pl.Int8),
        reason=pl.lit("why"),
        estimated=pl.Series(estimated or [False] * len(rows), dtype=pl.Boolean),
    )
    return frame


def _accounts(n: int, inquired: list[int | None]) -> pl.DataFrame:
    return pl.DataFrame(
        {"acct_idx": list(range(n)), "inquired_idx": inquired, "has_address": [True] * n, "dob": [None] * n},
        schema={"acct_idx": pl.UInt32, "inquired_idx": pl.UInt32, "has_address": pl.Boolean, "dob": pl.Date},
    )


def test_two_persons_at_the_best_hit_class_is_a_review_with_both_candidates() -> None:
    pairs = _pairs([(0, 0, "P1", "CONFIRMED", 0.99), (0, 1, "P2", "CONFIRMED", 0.99)])
    out = resolve_accounts(pairs, _accounts(1, [0])).row(0, named=True)
    assert out["class"] == "REVIEW"
    assert set(out["candidates"].split(";")) == {"P1", "P2"}
    assert "equally well" in out["reason"]


def test_the_best_person_wins_over_the_inquired_one() -> None:
    pairs = _pairs([(0, 0, "P1", "HOMONYM", 0.01, ("exact", "mismatch", "current")), (0, 1, "P2", "CONFIRMED", 0.99)])
    out = resolve_accounts(pairs, _accounts(1, [0])).row(0, named=True)
    assert (out["class"], out["person_id"]) == ("CONFIRMED", "P2")


def test_a_hit_beats_a_weaker_second_person() -> None:
    # P2 has the name and the birth date but lived elsewhere: REVIEW on its own, yet no rival
    pairs = _pairs([(0, 0, "P1", "CONFIRMED", 0.99), (0, 1, "P2", "REVIEW", 0.6, ("exact", "exact", "mismatch"))])
    out = resolve_accounts(pairs, _accounts(1, [1])).row(0, named=True)
    assert (out["class"], out["person_id"], out["candidates"]) == ("CONFIRMED", "P1", None)


def test_a_person_capped_below_the_hit_but_fitting_as_well_is_a_rival() -> None:
    """Safety rule 2 as amended (issue #16): P2 is PROBABLE (bank holds no birth date), P1 fits
    the same block with an estimated reading - capped at REVIEW, but a rival all the same."""
    pairs = _pairs(
        [(0, 0, "P1", "REVIEW", 0.7, ("exact", "missing", "current")), (0, 1, "P2", "PROBABLE", 0.8, ("exact", "missing", "current"))],
        estimated=[True, False],
    )
    out = resolve_accounts(pairs, _accounts(1, [0])).row(0, named=True)
    assert (out["class"], out["person_id"]) == ("REVIEW", "P2")
    assert out["candidates"] == "P2;P1"
    assert "P1 also fits" in out["reason"]


@pytest.mark.parametrize(
    ("evidence", "estimated", "rival"),
    [
        (("exact", "exact", "history"), False, True),  # a former address at the same block is the same level
        (("variant", "near", "current"), False, True),  # near is no contradiction
        (("exact", "missing", "current"), False, True),  # the master lacks the birth date
        (("exact", "missing", "current"), True, True),  # an estimated reading that agrees
        (("variant", "exact", "history"), True, True),
        (("partial", "missing", "current"), True, False),  # a household member: 伊藤 花子 beside 伊藤 健二
        (("partial", "exact", "current"), False, False),  # a known reading that differs
        (("exact", "mismatch", "current"), False, False),  # parent and child: the birth date contradicts
        (("exact", "exact", "city"), False, False),  # a namesake elsewhere in the municipality fits worse
        (("exact", "missing", "town"), False, False),
    ],
)
def test_who_is_a_rival_of_a_confirmed_hit(evidence: tuple[str, str, str], estimated: bool, rival: bool) -> None:
    second = classify(*evidence, estimated=estimated)
    pairs = _pairs([(0, 0, "P1", "CONFIRMED", 0.99), (0, 1, "P2", second, 0.5, evidence)], estimated=[False, estimated])
    out = resolve_accounts(pairs, _accounts(1, [0])).row(0, named=True)
    assert out["class"] == ("REVIEW" if rival else "CONFIRMED")
    assert out["candidates"] == ("P1;P2" if rival else None)


def test_review_lists_every_person_that_fits() -> None:
    pairs = _pairs([(0, 0, "P1", "REVIEW", 0.5), (0, 1, "P2", "REVIEW", 0.4), (0, 2, "P3", "HOMONYM", 0.1)])
    out = resolve_accounts(pairs, _accounts(1, [2])).row(0, named=True)
    assert (out["class"], out["person_id"], out["candidates"]) == ("REVIEW", "P1", "P1;P2")


def test_homonym_names_the_inquired_person_when_it_is_as_near() -> None:
    pairs = _pairs([(0, 0, "P1", "HOMONYM", 0.001), (0, 1, "P2", "HOMONYM", 0.002)])
    out = resolve_accounts(pairs, _accounts(1, [0])).row(0, named=True)
    assert (out["class"], out["person_id"], out["candidates"]) == ("HOMONYM", None, "P1")
