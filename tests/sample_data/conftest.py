"""Offices and banks shared by the sample_data tests (built once a session: a few seconds each)."""

from __future__ import annotations

import polars as pl
import pytest

from sample_data import BankWorld, Office, generate_office, sample_requests


@pytest.fixture(scope="session")
def office() -> Office:
    """The office the generator's properties are checked on."""
    return generate_office(3000, seed=11)


@pytest.fixture(scope="session")
def bank_office() -> Office:
    """The office whose inquiries the banks answer."""
    return generate_office(2000, seed=21)


@pytest.fixture(scope="session")
def world(bank_office: Office) -> BankWorld:
    return BankWorld.from_office(bank_office, seed=21)


@pytest.fixture(scope="session")
def answers(world: BankWorld, bank_office: Office) -> dict[str, tuple[pl.DataFrame, pl.DataFrame]]:
    """Per provider, (requests, answer frame) of every basic inquiry of ``bank_office``."""
    return {p: (sample_requests(bank_office, p), world.answer_frame(sample_requests(bank_office, p), p)) for p in ("dais", "pipitlinq")}
