"""Bank and branch reference data (zengin-code/source-data, MIT; see refdata/README.md)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import polars as pl

__all__ = ["BANK_TYPE_LABELS", "banks", "branches", "yucho_centres"]

_DIR = Path(__file__).with_name("refdata")

#: labels for the report's "per institution type" tables
BANK_TYPE_LABELS = {
    "bank": "銀行",
    "shinkin": "信用金庫",
    "shinkumi": "信用組合",
    "rokin": "労働金庫",
    "ja": "農協",
    "jf": "漁協",
    "other": "その他",
}


@cache
def banks() -> pl.DataFrame:
    """``bank_code, name, kana, kana_hankaku, type`` for the 1,146 institutions."""
    return pl.read_csv(_DIR / "banks.csv", infer_schema=False, encoding="utf8")


@cache
def branches() -> pl.DataFrame:
    """``bank_code, branch_code, name, kana, kana_hankaku`` for 28,934 branches."""
    return pl.read_csv(_DIR / "branches.csv", infer_schema=False, encoding="utf8")


@cache
def yucho_centres() -> pl.DataFrame:
    """``account_kind, symbol_digits, centre``: the ゆうちょ 貯金事務センター that receives a notice.

    Keyed by the kind of account (``総合口座`` for 記号 ``1xxxx``, ``振替口座`` for
    ``0xxxx``) and the 記号's 2nd–3rd digits (refdata/README.md names the source).
    """
    return pl.read_csv(_DIR / "yucho_centres.csv", infer_schema=False, encoding="utf8")
