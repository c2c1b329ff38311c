"""What a history answer tells: regular income, balance trend, last activity, who pays in.

A history answer (取引履歴) lists an account's transactions over a period. A
collector wants to know, before deciding on a seizure, whether salary or a
pension flows through the account (where the money comes from, when), and
whether some of it is protected: pension deposits are partly protected from
seizure (国税徴収法第77条), 児童手当 and 生活保護 wholly (児童手当法第15条,
生活保護法第58条) — seizing an account right after a 児童手当 deposit was
held unlawful (広島高裁 平成25年).

Regular income is recognised by **both** the 摘要 (description) and the
rhythm of the deposits: a keyword alone (a one-off ``ｷﾕｳﾖ`` transfer, a
``ﾈﾝｷﾝ`` premium withdrawn) is not regular income, and a monthly transfer
without a keyword is not called salary. Descriptions are compared in the
name-key form of :func:`matching.names.name_key` (full-width, small kana
large, no spaces), so ``ｷﾕｳﾖ``, ``ｷｭｳﾖ``, ``キュウヨ`` and ``給与`` all match.

Deposits are grouped into *streams*: per payer (the description without
digits, so ``ｷﾕｳﾖ 10ｶﾞﾂﾌﾞﾝ`` and ``ｷﾕｳﾖ 11ｶﾞﾂﾌﾞﾝ`` are one payer) and per
kind as a whole (so a bank that writes the payer sometimes and sometimes not
still shows the rhythm). A stream's cadence comes from the median gap
between its deposit dates: monthly 26–35 days (salary day moved before a
weekend), every two months 54–70, every four months 110–130; and a regular
stream pays about the same each time (60 % of its payments within 25 % of
its median), so two stray refunds two months apart are not a pension.

Everything is whole-frame polars (``group_by`` the account); nothing loops
over rows in Python.

>>> import datetime as dt, polars as pl
>>> days = [dt.date(2026, m, 25) for m in range(5, 11)]
>>> tx = pl.DataFrame({"account_key": ["A"] * 6, "tx_date": days, "description": ["ｷﾕｳﾖ ｶ)ﾆｼｼﾝｼﾞﾕｸｼﾖｳｼﾞ"] * 6,
...     "withdrawal_yen": [0] * 6, "deposit_yen": [250_000] * 6, "balance_yen": [250_000 * (i + 1) for i in range(6)]})
>>> summarise(tx)["regular_income"].item()
'給与 月次 約250,000円'
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from matching.names import name_key

__all__ = [
    "IncomeKind",
    "INCOME_KINDS",
    "TRANSACTION_COLUMNS",
    "format_yen",
    "income_kind",
    "account_trend",
    "income_streams",
    "regular_income",
    "counterparties",
    "summarise",
]

#: Columns a transaction frame must have (besides the account column).
TRANSACTION_COLUMNS = ("tx_date", "description", "withdrawal_yen", "deposit_yen", "balance_yen")


@dataclass(frozen=True)
class IncomeKind:
    """One kind of regular income: how its 摘要 reads, its rhythms, and its protection."""

    name: str
    label: str
    keywords: tuple[str, ...]  # in name-key form (full-width katakana, small kana large)
    cadences: tuple[str, ...]  # the rhythms that make it regular
    protection: str | None = None
    #: wholly protected benefits are listed even without a rhythm: one deposit is enough to spare the account
    list_irregular: bool = False


INCOME_KINDS: tuple[IncomeKind, ...] = (
    IncomeKind("salary", "給与", ("キユウヨ", "キユウリヨウ", "シヨウヨ", "給与", "給料", "賞与", "ボ-ナス", "サラリ-"), ("monthly",)),
    IncomeKind(
        "pension", "年金", ("ネンキン", "年金", "オンキユウ", "恩給"), ("bimonthly", "monthly"), "差押禁止部分あり 国税徴収法第77条"
    ),
    IncomeKind("child_allowance", "児童手当", ("ジドウテアテ", "児童手当"), ("bimonthly", "four_monthly"), "差押禁止 児童手当法第15条", True),
    IncomeKind(
        "child_rearing", "児童扶養手当", ("ジドウフヨウテアテ", "児童扶養手当"), ("bimonthly", "four_monthly"), "差押禁止 児童扶養手当法第24条", True
    ),
    IncomeKind("welfare", "生活保護", ("セイカツホゴ", "生活保護"), ("monthly",), "差押禁止 生活保護法第58条", True),
)

#: Deposits that are not income whatever keyword they carry: refunds of premiums or taxes.
_NOT_INCOME = ("カンプ", "還付", "ヘンキン", "返金", "ホケンリヨウ", "保険料")

#: Deposits that are the holder's own money, not a payer (cash, card, interest).
_OWN_MONEY = ("ATM", "ゲンキン", "現金", "カ-ド", "リソク", "利息")

#: cadence -> (minimum deposits, median gap window in days, Japanese word)
_CADENCES: dict[str, tuple[int, int, int, str]] = {
    "monthly": (3, 26, 35, "月次"),
    "bimonthly": (2, 54, 70, "隔月"),
    "four_monthly": (2, 110, 130, "年3回"),
}
#: a regular stream pays about the same each time: most payments within 25 % of its median
_STEADY, _STEADY_SHARE = 0.25, 0.6
_CURRENT_DAYS = 45  # a regular payer is current when its last payment is this close to the kind's latest
_EVEN_MONTHS = "偶数月"  # a bimonthly stream paid in even months (年金 is paid on the 15th of even months)
_ALL_PAYERS = "*"


def _key(description: pl.Expr) -> pl.Expr:
    return name_key(description.fill_null("")).fill_null("")


def income_kind(description: pl.Expr) -> pl.Expr:
    """The income kind a 摘要 names (``salary``, ``pension``, ...), or null.

    >>> import polars as pl
    >>> d = ["ｷﾕｳﾖ ｶ)ABC", "ｺｳｾｲﾈﾝｷﾝ", "ｼﾞﾄﾞｳﾃｱﾃ", "ｺｸﾐﾝﾈﾝｷﾝ ｶﾝﾌﾟ", "ATM", None]
    >>> pl.DataFrame({"d": d}).select(income_kind(pl.col("d"))).to_series().to_list()
    ['salary', 'pension', 'child_allowance', None, None, None]
    """
    key = _key(description)
    expr: pl.Expr = pl.lit(None, pl.Utf8)
    for kind in reversed(INCOME_KINDS):
        expr = pl.when(key.str.contains_any(list(kind.keywords))).then(pl.lit(kind.name)).otherwise(expr)
    # a refund or a premium is not income, whatever it names (``ｺｸﾐﾝﾈﾝｷﾝ ｶﾝﾌﾟ``)
    return pl.when(key.str.contains_any(list(_NOT_INCOME))).then(pl.lit(None, pl.Utf8)).otherwise(expr).alias("kind")


_TYPES = {"tx_date": pl.Date, "description": pl.Utf8, "withdrawal_yen": pl.Int64, "deposit_yen": pl.Int64, "balance_yen": pl.Int64}


def _check(tx: pl.DataFrame, by: str) -> pl.DataFrame:
    """The frame with its transaction columns typed (an empty frame may come untyped)."""
    missing = [c for c in (by, *TRANSACTION_COLUMNS) if c not in tx.columns]
    if missing:
        raise ValueError(f"transaction frame lacks column(s) {', '.join(missing)}")
    return tx.with_columns(pl.col(by).cast(pl.Utf8), *[pl.col(c).cast(t) for c, t in _TYPES.items() if tx.schema[c] != t])


def _ordered(tx: pl.DataFrame, by: str) -> pl.DataFrame:
    order = [by, "tx_date"] + (["detail_no"] if "detail_no" in tx.columns else [])
    return tx.sort(order, nulls_last=True, maintain_order=True)


def format_yen(e: pl.Expr) -> pl.Expr:
    """Whole yen with thousands separators (``-1,234,567``)."""
    digits = e.abs().cast(pl.Int64).cast(pl.Utf8)
    grouped = digits.str.reverse().str.replace_all(r"(\d{3})", "$1,").str.reverse().str.strip_chars_start(",")
    return pl.when(e < 0).then(pl.lit("-")).otherwise(pl.lit("")) + grouped


def account_trend(tx: pl.DataFrame, by: str = "account_key") -> pl.DataFrame:
    """Per account: transactions, first/last date and balance, slope, deposits and withdrawals.

    ``balance_slope_yen_month`` is the least-squares slope of the balance over
    time, in yen per 30 days (null with fewer than two dates).
    """
    tx = _check(tx, by)
    t = (pl.col("tx_date") - pl.col("tx_date").min()).dt.total_days().cast(pl.Float64)
    b = pl.col("balance_yen").cast(pl.Float64)
    var = ((t - t.mean()) ** 2).sum()
    slope = ((t - t.mean()) * (b - b.mean())).sum() / var * 30
    return (
        _ordered(tx, by)
        .group_by(by, maintain_order=True)
        .agg(
            pl.len().cast(pl.Int64).alias("transactions"),
            pl.col("tx_date").min().alias("first_date"),
            pl.col("tx_date").max().alias("last_activity"),
            pl.col("balance_yen").drop_nulls().first().alias("first_balance"),
            pl.col("balance_yen").drop_nulls().last().alias("last_balance"),
            pl.when(var > 0).then(slope).round(0).cast(pl.Int64).alias("balance_slope_yen_month"),
            pl.col("deposit_yen").fill_null(0).sum().cast(pl.Int64).alias("deposits_yen"),
            pl.col("withdrawal_yen").fill_null(0).sum().cast(pl.Int64).alias("withdrawals_yen"),
        )
    )


def _cadence(n: pl.Expr, gap: pl.Expr) -> pl.Expr:
    expr: pl.Expr = pl.lit("irregular")
    for name, (least, lo, hi, _) in reversed(_CADENCES.items()):
        expr = pl.when((n >= least) & gap.is_between(lo, hi)).then(pl.lit(name)).otherwise(expr)
    return expr


def income_streams(tx: pl.DataFrame, by: str = "account_key") -> pl.DataFrame:
    """Every stream of keyword deposits with its rhythm: one row per (account, kind, payer).

    ``payer`` is the description in key form without digits, or ``*`` for
    the kind as a whole. Deposits on the same day in one stream count once
    (their amounts added). ``regular`` says the stream's cadence is one its
    kind is paid at.
    """
    tx = _check(tx, by)
    deposits = (
        tx.filter(pl.col("deposit_yen").fill_null(0) > 0)
        .with_columns(income_kind(pl.col("description")), _key(pl.col("description")).str.replace_all(r"[0-9]", "").alias("payer"))
        .filter(pl.col("kind").is_not_null())
        .select(by, "kind", "payer", "tx_date", "deposit_yen")
    )
    both = pl.concat([deposits, deposits.with_columns(pl.lit(_ALL_PAYERS).alias("payer"))])
    per_day = both.group_by(by, "kind", "payer", "tx_date").agg(pl.col("deposit_yen").sum())
    gaps = pl.col("tx_date").sort().diff().dt.total_days().drop_nulls()
    streams = per_day.group_by(by, "kind", "payer").agg(
        pl.len().cast(pl.Int64).alias("payments"),
        gaps.median().alias("median_gap_days"),
        (pl.col("tx_date").dt.month() % 2 == 0).mean().alias("even_month_share"),
        pl.col("deposit_yen").median().alias("typical_yen"),
        ((pl.col("deposit_yen") - pl.col("deposit_yen").median()).abs() <= _STEADY * pl.col("deposit_yen").median()).mean().alias("steady_share"),
        pl.col("deposit_yen").sum().cast(pl.Int64).alias("total_yen"),
        pl.col("tx_date").min().alias("first_date"),
        pl.col("tx_date").max().alias("last_date"),
    )
    allowed = pl.DataFrame(
        {"kind": [k.name for k in INCOME_KINDS for _ in k.cadences], "cadence": [c for k in INCOME_KINDS for c in k.cadences]}
    ).with_columns(pl.lit(True).alias("regular"))
    return (
        streams.with_columns(
            pl.when(pl.col("steady_share") >= _STEADY_SHARE)
            .then(_cadence(pl.col("payments"), pl.col("median_gap_days")))
            .otherwise(pl.lit("irregular"))
            .alias("cadence")
        )
        .join(allowed, on=["kind", "cadence"], how="left")
        .with_columns(pl.col("regular").fill_null(False))
        .sort(by, "kind", "payer")
    )


def regular_income(tx: pl.DataFrame, by: str = "account_key") -> pl.DataFrame:
    """Per (account, kind) with keyword deposits: is it regular, how often, about how much.

    ``typical_yen`` is one payment, rounded to the thousand: for a kind paid
    by several regular payers (two employers) the sum of their typical
    payments. ``cadence_ja`` is ``月次``, ``偶数月``, ``隔月``, ``年3回`` or
    ``不定期``; ``protection`` the seizure protection the kind carries.
    """
    streams = income_streams(tx, by)
    words = {name: word for name, (_, _, _, word) in _CADENCES.items()}
    payer = pl.col("payer") != _ALL_PAYERS
    # payers paying now: a job left months ago is not added to the new one (two employers at once are)
    latest = pl.col("last_date").filter(payer & pl.col("regular")).max()
    reg_payer = payer & pl.col("regular") & (pl.col("last_date") >= latest - pl.duration(days=_CURRENT_DAYS))
    lead = pl.col("cadence").sort_by(["regular", "typical_yen"], descending=[True, True])
    lead_even = pl.col("even_month_share").sort_by(["regular", "typical_yen"], descending=[True, True])
    per_kind = streams.group_by(by, "kind").agg(
        pl.col("regular").any().alias("regular"),
        pl.col("payments").filter(~payer).first().alias("payments"),
        pl.col("total_yen").filter(~payer).first().alias("total_yen"),
        pl.when(reg_payer.any())
        .then(pl.col("typical_yen").filter(reg_payer).sum())
        .otherwise(pl.col("typical_yen").filter(~payer).first())
        .alias("typical_yen"),
        lead.first().alias("cadence"),
        lead_even.first().alias("even_month_share"),
        pl.col("first_date").min(),
        pl.col("last_date").max(),
    )
    kinds = pl.DataFrame(
        {
            "kind": [k.name for k in INCOME_KINDS],
            "label": [k.label for k in INCOME_KINDS],
            "protection": [k.protection for k in INCOME_KINDS],
            "list_irregular": [k.list_irregular for k in INCOME_KINDS],
            "_order": list(range(len(INCOME_KINDS))),
        },
        schema={"kind": pl.Utf8, "label": pl.Utf8, "protection": pl.Utf8, "list_irregular": pl.Boolean, "_order": pl.Int64},
    )
    cadence_ja = (
        pl.when(~pl.col("regular"))
        .then(pl.lit("不定期"))
        .when((pl.col("cadence") == "bimonthly") & (pl.col("even_month_share") >= 0.75))
        .then(pl.lit(_EVEN_MONTHS))
        .otherwise(pl.col("cadence").replace_strict(words, default="不定期", return_dtype=pl.Utf8))
    )
    return (
        per_kind.join(kinds, on="kind", how="left")
        .with_columns(
            pl.when(pl.col("regular")).then(pl.col("cadence")).otherwise(pl.lit("irregular")).alias("cadence"),
            ((pl.col("typical_yen") / 1000).round(0) * 1000).cast(pl.Int64).alias("typical_yen"),
        )
        .with_columns(cadence_ja.alias("cadence_ja"))
        .sort(by, "_order")
        .select(by, "kind", "label", "regular", "cadence", "cadence_ja", "payments", "typical_yen", "total_yen", "first_date", "last_date", "protection", "list_irregular")
    )


def counterparties(tx: pl.DataFrame, by: str = "account_key", top: int = 3) -> pl.DataFrame:
    """The largest payers into each account (cash, card and interest left out), largest first."""
    tx = _check(tx, by)
    deposits = tx.filter(pl.col("deposit_yen").fill_null(0) > 0).with_columns(
        _key(pl.col("description")).str.replace_all(r"[0-9]", "").alias("_payer")
    )
    deposits = deposits.filter((pl.col("_payer") != "") & ~pl.col("_payer").str.contains_any(list(_OWN_MONEY)))
    return (
        deposits.group_by(by, "_payer")
        .agg(
            pl.col("description").str.strip_chars().first().alias("counterparty"),
            pl.len().cast(pl.Int64).alias("deposits"),
            pl.col("deposit_yen").sum().cast(pl.Int64).alias("deposit_yen"),
        )
        .sort([by, "deposit_yen", "_payer"], descending=[False, True, False])
        .with_columns(pl.int_range(1, pl.len() + 1).over(by).alias("rank"))
        .filter(pl.col("rank") <= top)
        .select(by, "rank", "counterparty", "deposits", "deposit_yen")
    )


def summarise(tx: pl.DataFrame, by: str = "account_key") -> pl.DataFrame:
    """One row per account: trend columns of :func:`account_trend` plus three texts.

    - ``regular_income``: the regular income found, e.g.
      ``給与 月次 約250,000円; 年金 偶数月 約120,000円 (差押禁止部分あり 国税徴収法第77条)``;
      protected benefits seen without a rhythm are listed too (``児童手当 入金1回 約40,000円 (...)``),
      because a seizure must spare them; null when none.
    - ``counterparties``: the largest payers, ``payer 1,500,000円/6件`` joined by ``; ``.
    - ``summary``: transactions, balance trend, last activity and payers in one line.
    """
    trend = account_trend(tx, by)
    income = regular_income(tx, by).filter(pl.col("regular") | pl.col("list_irregular"))
    part = pl.when(pl.col("regular")).then(pl.format("{} {}", pl.col("label"), pl.col("cadence_ja")))
    part = part.otherwise(pl.format("{} 入金{}回", pl.col("label"), pl.col("payments")))
    part = pl.format("{} 約{}円", part, format_yen(pl.col("typical_yen")))
    part = pl.when(pl.col("protection").is_not_null()).then(pl.format("{} ({})", part, pl.col("protection"))).otherwise(part)
    income_text = income.group_by(by, maintain_order=True).agg(part.str.join("; ").alias("regular_income"))
    payers = (
        counterparties(tx, by)
        .group_by(by, maintain_order=True)
        .agg(pl.format("{} {}円/{}件", pl.col("counterparty"), format_yen(pl.col("deposit_yen")), pl.col("deposits")).str.join("; ").alias("counterparties"))
    )
    slope = pl.col("balance_slope_yen_month")
    direction = (
        pl.when(slope.is_null() | (slope.abs() < 1000)).then(pl.lit("横ばい")).when(slope > 0).then(pl.lit("増加")).otherwise(pl.lit("減少"))
    )
    slope_text = pl.when(slope.is_null()).then(pl.lit("")).otherwise(pl.format(" 月{}{}円", pl.when(slope > 0).then(pl.lit("+")).otherwise(pl.lit("")), format_yen(slope)))
    summary = pl.concat_str(
        [
            pl.format("取引{}件 {}〜{}", pl.col("transactions"), pl.col("first_date"), pl.col("last_activity")),
            pl.format("; 残高 {}円→{}円 ({}{})", format_yen(pl.col("first_balance")), format_yen(pl.col("last_balance")), direction, slope_text),
            pl.format("; 最終取引 {}", pl.col("last_activity")),
            pl.when(pl.col("counterparties").is_not_null()).then(pl.format("; 主な入金元: {}", pl.col("counterparties"))).otherwise(pl.lit("")),
        ],
        ignore_nulls=True,
    )
    return (
        trend.join(income_text, on=by, how="left")
        .join(payers, on=by, how="left")
        .with_columns(summary.alias("summary"))
    )
