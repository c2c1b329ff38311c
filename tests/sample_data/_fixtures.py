"""Requests written as real files, for the sample_data tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

import formats

CREATED = dt.date(2026, 10, 2)


def write_request(provider: str, kind: str, frame: pl.DataFrame, folder: Path, seq: int = 1) -> Path:
    """A real request file of ``frame`` in ``folder``, as ``inquiry prepare`` would name and write it."""
    path = folder / formats.request_file_name(provider, "131041", CREATED, seq)
    formats.write_request(provider, kind, frame, path, municipality_code="131041", municipality_kana="ｼﾝｼﾞﾕｸｸ", created_on=CREATED, seq=seq)
    return path
