"""Quality targets of matching.md on synthetic offices of 5,000 persons (size S), three seeds.

The office, its banks' answers and the ground truth come from ``sample_data``;
the linking path is the real one (master read from CSV, readings estimated
for kanji-only names, :func:`matching.link`). See ``python -m
benchmarks.quality`` for the full report. Building and linking one office
takes a few seconds, so every seed is checked against the real targets: no
wrongful hit, hit recall >= 0.98 over *all* owned accounts (the REVIEWs the
spec's rules impose count as misses: they are shown in the confusion table's
``REVIEW_rule`` column, not excused), review rate <= 0.03, homonym catch >=
0.95 (issue #15; the spec's floor is 0.9).
"""

from __future__ import annotations

import polars as pl
import pytest

from benchmarks.quality import TARGETS, Case, Measures, build_case, confusion, measure
from matching import link

PERSONS = 5_000
SEEDS = (1, 2, 3)


@pytest.fixture(scope="module", params=SEEDS, ids=[f"seed{s}" for s in SEEDS])
def case(request: pytest.FixtureRequest) -> Case:
    return build_case(PERSONS, request.param)


@pytest.fixture(scope="module")
def linked(case: Case) -> pl.DataFrame:
    return link(case.accounts, case.persons)


@pytest.fixture(scope="module")
def measures(case: Case, linked: pl.DataFrame) -> Measures:
    return measure(linked, case.truth, case.accounts, case.persons)


def _table(case: Case, linked: pl.DataFrame) -> str:
    with pl.Config(tbl_rows=40, tbl_cols=12, tbl_width_chars=200):
        return str(confusion(linked, case.truth))


def test_the_office_has_every_difficulty(case: Case) -> None:
    kinds = set(case.truth.get_column("kind").unique())
    assert {
        "stranger_same_name", "stranger_same_name_dob", "stranger_same_name_dob_town", "maiden_name", "typo",
        "old_address", "address_empty", "address_town_only", "address_other_block", "foreign_spelling",
    } <= kinds  # fmt: skip


def test_no_wrongful_hit(measures: Measures, linked: pl.DataFrame, case: Case) -> None:
    assert measures.wrongful_hits == TARGETS["wrongful_hits"], _table(case, linked)


def test_hit_recall(measures: Measures, linked: pl.DataFrame, case: Case) -> None:
    assert measures.hit_recall >= TARGETS["hit_recall"], _table(case, linked)


def test_review_rate(measures: Measures, linked: pl.DataFrame, case: Case) -> None:
    assert measures.review_rate <= TARGETS["review_rate"], _table(case, linked)
    assert measures.review_rate_unforced <= 0.005, _table(case, linked)  # nearly every REVIEW is one the rules impose


def test_strangers_are_caught_as_homonyms(measures: Measures, linked: pl.DataFrame, case: Case) -> None:
    assert measures.homonym_catch >= TARGETS["homonym_catch"], _table(case, linked)


def test_hit_recall_where_a_hit_is_allowed(measures: Measures) -> None:
    assert measures.owned_reachable >= 0.8 * measures.owned  # the exclusion stays small
    assert measures.hit_recall_reachable >= 0.99


def test_town_level_and_foreign_spellings_are_hits_where_the_rules_allow(case: Case, linked: pl.DataFrame) -> None:
    """The cases of issue #15: wherever the spec allows a hit with one weaker signal, they are one.

    A town-only bank address with name and birth date exact, and a ヴ/ー bank spelling with birth
    date exact and the address at block level, are PROBABLE or better with the true owner
    (persons with a kana of their own: an estimated reading needs a block-level address, rule 3).
    """
    own = case.persons.select(pl.col("person_id").alias("owner"), "kana_estimated")
    j = linked.join(case.truth, on="account_key").join(own, on="owner").filter(~pl.col("kana_estimated"))
    hit = pl.col("class").is_in(["CONFIRMED", "PROBABLE"]) & (pl.col("person_id") == pl.col("owner"))
    town = j.filter(
        (pl.col("kind") == "address_town_only")
        & pl.col("name_evidence").is_in(["exact", "other_name"])
        & (pl.col("dob_evidence") == "exact")
    )
    spelled = j.filter(
        (pl.col("kind") == "foreign_spelling")
        & (pl.col("dob_evidence") == "exact")
        & pl.col("address_evidence").is_in(["current", "history"])
    )
    assert town.height > 50 and spelled.height > 5
    assert town.filter(~hit).height == 0, town.filter(~hit).rows()
    assert spelled.filter(~hit).height == 0, spelled.filter(~hit).rows()


def test_another_block_is_never_a_hit(case: Case, linked: pl.DataFrame) -> None:
    row = confusion(linked, case.truth).filter(pl.col("kind") == "address_other_block").row(0, named=True)
    assert row["CONFIRMED"] + row["PROBABLE"] == 0, row


def test_every_account_is_linked_once(case: Case, linked: pl.DataFrame) -> None:
    assert linked.height == case.accounts.get_column("account_key").n_unique()
    assert linked.get_column("account_key").is_unique().all()
