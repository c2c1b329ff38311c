"""Quality targets of matching.md on a synthetic office of 5,000 persons (size S).

The office, its banks' answers and the ground truth come from ``sample_data``;
the linking path is the real one (master read from CSV, readings estimated
for kanji-only names, :func:`matching.link`). See ``python -m
benchmarks.quality`` for the full report.
"""

from __future__ import annotations

import polars as pl
import pytest

from benchmarks.quality import Case, Measures, build_case, confusion, measure
from matching import link

PERSONS = 5_000
SEED = 1


@pytest.fixture(scope="module")
def case() -> Case:
    return build_case(PERSONS, SEED)


@pytest.fixture(scope="module")
def linked(case: Case) -> pl.DataFrame:
    return link(case.accounts, case.persons)


@pytest.fixture(scope="module")
def measures(case: Case, linked: pl.DataFrame) -> Measures:
    return measure(linked, case.truth, case.accounts, case.persons)


def test_the_office_has_every_difficulty(case: Case) -> None:
    kinds = set(case.truth.get_column("kind").unique())
    assert {"stranger_same_name", "stranger_same_name_dob", "maiden_name", "typo", "old_address"} <= kinds


def test_no_wrongful_hit(measures: Measures, linked: pl.DataFrame, case: Case) -> None:
    assert measures.wrongful_hits == 0, confusion(linked, case.truth)


def test_strangers_are_caught_as_homonyms(measures: Measures) -> None:
    assert measures.homonym_catch >= 0.9


def test_review_rate(measures: Measures) -> None:
    assert measures.review_rate <= 0.03
    assert measures.review_rate_unforced <= 0.01  # nearly every REVIEW is one the safety rules impose


def test_hit_recall_where_a_hit_is_allowed(measures: Measures) -> None:
    assert measures.owned_reachable >= 0.8 * measures.owned  # the exclusion stays small
    assert measures.hit_recall_reachable >= 0.98


def test_hit_recall_over_all_owned_accounts(measures: Measures) -> None:
    # matching.md makes an account whose bank holds no address REVIEW (name and birth date are not
    # identity), and an estimated reading PROBABLE at most with dob and address agreeing: on this
    # office (1.5 % of answers without address) that caps the raw recall at about 0.98.
    assert measures.hit_recall >= 0.975


def test_every_account_is_linked_once(case: Case, linked: pl.DataFrame) -> None:
    assert linked.height == case.accounts.get_column("account_key").n_unique()
    assert linked.get_column("account_key").is_unique().all()
