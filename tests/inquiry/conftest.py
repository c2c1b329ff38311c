"""Fixtures shared by the command tests: a workspace whose four persons were asked, answered and matched."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.inquiry._fixtures import answered_workspace


@pytest.fixture(scope="module")
def answered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace where all four persons were asked, answered and matched today (built once per module)."""
    return answered_workspace(tmp_path_factory.mktemp("answered"))


@pytest.fixture()
def home(answered: Path, tmp_path: Path) -> Path:
    """A fresh copy of :func:`answered` for one test."""
    return Path(shutil.copytree(answered, tmp_path / "ws"))
