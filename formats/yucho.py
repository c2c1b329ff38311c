"""ゆうちょ銀行 (bank 9900) 記号番号 ⇄ the account key form, as column expressions.

pipitLINQ answers for ゆうちょ carry the passbook 記号 (5 digits) and 番号
(8 digits) where other banks carry 支店番号 and 口座番号. Identity in the
project is the account key ``bank-branch-type-number`` (spec/README.md), so
the reader converts, and keeps the 記号番号 as received because the history
inquiry must be addressed with them:

- 記号 ``1xxxx`` (総合口座): branch = 記号 digits 2-3 + ``8``, type ``1``,
  number = 番号 without its last digit, zero-padded to 7;
- 記号 ``0xxxx`` (振替口座): branch = 記号 digits 2-3 + ``9``, type ``2``,
  number = 番号 right-aligned to 7 digits.

>>> import polars as pl
>>> df = pl.DataFrame({"sym": ["10530", "00530"], "num": ["12345671", "00012345"]})
>>> df.select(passbook_branch(pl.col("sym")), passbook_account_type(pl.col("sym")),
...           passbook_account_number(pl.col("sym"), pl.col("num"))).rows()
[('058', 1, '1234567'), ('059', 2, '0012345')]
>>> pl.select(account_key(pl.lit("0001"), pl.lit("004"), pl.lit(1), pl.lit("1234567"))).item()
'0001-004-1-1234567'
"""

from __future__ import annotations

import polars as pl

__all__ = [
    "passbook_valid",
    "passbook_branch",
    "passbook_account_type",
    "passbook_account_number",
    "account_key",
]

_SYMBOL = r"^[01][0-9]{4}$"
_NUMBER = r"^[0-9]{1,8}$"


def passbook_valid(symbol: pl.Expr, number: pl.Expr) -> pl.Expr:
    """True when 記号 is 5 digits starting 0 or 1 and 番号 converts to 7 digits."""
    digits = number.str.strip_chars_start("0")
    furikae_fits = digits.str.len_chars() <= 7
    return (
        symbol.str.contains(_SYMBOL)
        & number.str.contains(_NUMBER)
        & (symbol.str.starts_with("1") | furikae_fits)
        & (symbol.str.starts_with("0") | (number.str.len_chars() >= 2))
    ).fill_null(False)


def passbook_branch(symbol: pl.Expr) -> pl.Expr:
    """店番: 記号 digits 2-3 + ``8`` (総合口座) or + ``9`` (振替口座)."""
    tail = pl.when(symbol.str.starts_with("1")).then(pl.lit("8")).otherwise(pl.lit("9"))
    return pl.concat_str([symbol.str.slice(1, 2), tail]).alias("branch_code")


def passbook_account_type(symbol: pl.Expr) -> pl.Expr:
    """預金種目: 1 (普通) for 総合口座, 2 (当座) for 振替口座."""
    return pl.when(symbol.str.starts_with("1")).then(pl.lit(1, pl.Int8)).otherwise(pl.lit(2, pl.Int8)).alias("account_type")


def passbook_account_number(symbol: pl.Expr, number: pl.Expr) -> pl.Expr:
    """口座番号: 番号 minus its last digit (総合口座) or right-aligned (振替口座), 7 digits."""
    sogo = number.str.slice(0, number.str.len_chars() - 1).str.zfill(7)
    furikae = number.str.strip_chars_start("0").str.zfill(7)
    return pl.when(symbol.str.starts_with("1")).then(sogo).otherwise(furikae).alias("account_number")


def account_key(bank: pl.Expr, branch: pl.Expr, account_type: pl.Expr, number: pl.Expr) -> pl.Expr:
    """``bank-branch-type-number`` (4, 3, 1, 7 digits), e.g. ``0001-004-1-1234567``."""
    return pl.concat_str(
        [
            bank.cast(pl.Utf8).str.zfill(4),
            branch.cast(pl.Utf8).str.zfill(3),
            account_type.cast(pl.Utf8),
            number.cast(pl.Utf8).str.zfill(7),
        ],
        separator="-",
    ).alias("account_key")
