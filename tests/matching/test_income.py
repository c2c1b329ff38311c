"""Regular income, balance trend and payers from history answers (matching.income).

Synthetic transactions with planted salary, pension and benefit patterns and
the noise a real passbook has; each test states what a collector reads in
the follow-up's ``regular_income`` text or the summary.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from matching.income import account_trend, counterparties, income_kind, regular_income, summarise

D = dt.date


def frame(rows: list[tuple[str, dt.date, str, int, int]], start_balance: int = 100_000) -> pl.DataFrame:
    """(account, date, 摘要, withdrawal, deposit) rows → a transaction frame with running balances."""
    tx = pl.DataFrame(rows, schema=["account_key", "tx_date", "description", "withdrawal_yen", "deposit_yen"], orient="row")
    return tx.sort("account_key", "tx_date", maintain_order=True).with_columns(
        balance_yen=start_balance + (pl.col("deposit_yen") - pl.col("withdrawal_yen")).cum_sum().over("account_key")
    )


def monthly(acc: str, day: int, desc: str, amount: int, months: range = range(5, 11), *, withdrawal: bool = False) -> list[tuple]:
    return [(acc, D(2026, m, day), desc, amount if withdrawal else 0, 0 if withdrawal else amount) for m in months]


def income_of(tx: pl.DataFrame, acc: str = "A") -> dict[str, dict]:
    return {r["kind"]: r for r in regular_income(tx).filter(pl.col("account_key") == acc).iter_rows(named=True)}


def text_of(tx: pl.DataFrame, acc: str = "A") -> str | None:
    return summarise(tx).filter(pl.col("account_key") == acc)["regular_income"].item()


NOISE = (
    monthly("A", 3, "ATM", 30_000, withdrawal=True)
    + monthly("A", 27, "ﾃﾞﾝｷﾘﾖｳｷﾝ", 8_000, withdrawal=True)
    + [("A", D(2026, 7, 1), "ﾘｿｸ", 0, 3)]
)


def test_salary_and_pension_read_as_the_collector_expects() -> None:
    tx = frame(
        monthly("A", 25, "ｷﾕｳﾖ ｶ)ﾆｼｼﾝｼﾞﾕｸｼﾖｳｼﾞ", 250_000)
        + [("A", D(2026, m, 15), "ﾈﾝｷﾝ", 0, 120_000) for m in (6, 8, 10)]
        + NOISE
    )
    assert text_of(tx) == "給与 月次 約250,000円; 年金 偶数月 約120,000円 (差押禁止部分あり 国税徴収法第77条)"
    found = income_of(tx)
    assert (found["salary"]["payments"], found["pension"]["payments"]) == (6, 3)


@pytest.mark.parametrize("desc", ["ｷﾕｳﾖ ｶ)ABC", "ｷｭｳﾖ ｶ)ABC", "給与 ｶ)ABC", "キュウヨ　カ）ＡＢＣ", "ｷﾕｳﾖ", "ｷﾕｳﾘﾖｳ ﾌﾘｺﾐ"])
def test_every_way_a_bank_writes_salary(desc: str) -> None:
    tx = frame(monthly("A", 20, desc, 300_000))
    assert income_of(tx)["salary"]["regular"] and text_of(tx) == "給与 月次 約300,000円"


def test_month_in_the_description_is_one_payer() -> None:
    tx = frame([("A", D(2026, m, 25), f"ｷﾕｳﾖ {m}ｶﾞﾂﾌﾞﾝ", 0, 200_000) for m in range(5, 11)])
    assert income_of(tx)["salary"]["regular"]


def test_benefits_are_marked_protected() -> None:
    tx = frame(
        [("A", D(2026, m, 10), "ｼﾞﾄﾞｳﾃｱﾃ", 0, 20_000) for m in (6, 8, 10)]
        + monthly("A", 1, "ｾｲｶﾂﾎｺﾞﾋ", 80_000)
        + [("B", D(2026, m, 10), "ｼﾞﾄﾞｳﾃｱﾃ", 0, 40_000) for m in (2, 6, 10)]  # the former February/June/October schedule
    )
    assert text_of(tx) == "児童手当 偶数月 約20,000円 (差押禁止 児童手当法第15条); 生活保護 月次 約80,000円 (差押禁止 生活保護法第58条)"
    assert text_of(tx, "B") == "児童手当 年3回 約40,000円 (差押禁止 児童手当法第15条)"


def test_a_single_benefit_deposit_is_listed_as_protected_but_not_regular() -> None:
    tx = frame([("A", D(2026, 6, 10), "ｼﾞﾄﾞｳﾃｱﾃ", 0, 40_000)] + NOISE)
    assert not income_of(tx)["child_allowance"]["regular"]
    assert text_of(tx) == "児童手当 入金1回 約40,000円 (差押禁止 児童手当法第15条)"


def test_keyword_without_rhythm_is_not_regular_income() -> None:
    tx = frame(
        [("A", D(2026, 7, 3), "ｷﾕｳﾖ ｶ)ﾀﾝｷﾊﾞｲﾄ", 0, 38_000)]  # one-off pay
        + [("A", D(2026, 6, 1), "ﾈﾝｷﾝ ｶﾝﾌﾟｷﾝ", 0, 4_200), ("A", D(2026, 8, 1), "ﾈﾝｷﾝ ｶﾝﾌﾟｷﾝ", 0, 1_300)]  # refunds
        + [("A", D(2026, 6, 1), "ﾈﾝｷﾝ", 0, 300_000), ("A", D(2026, 8, 1), "ﾈﾝｷﾝ", 0, 4_000)]  # 一時金 then something else
        + [("A", D(2026, m, 14), "ｷﾕｳﾖ ｶ)ﾊﾞｲﾄ", 0, 30_000) for m in (5, 6)]  # two payments only
        + NOISE
    )
    assert not any(r["regular"] for r in income_of(tx).values())
    assert text_of(tx) is None


def test_pension_premiums_withdrawn_are_not_income() -> None:
    tx = frame(monthly("A", 27, "ｺｸﾐﾝﾈﾝｷﾝ", 16_980, withdrawal=True) + monthly("A", 10, "ﾈﾝｷﾝﾎｹﾝﾘﾖｳ ﾍﾝｷﾝ", 16_980))
    assert income_of(tx) == {}


def test_monthly_transfer_without_keyword_is_a_payer_not_salary() -> None:
    tx = frame(monthly("A", 5, "ﾌﾘｺﾐ ﾔﾏﾀﾞ ﾊﾅｺ", 50_000) + NOISE)
    assert income_of(tx) == {}
    assert counterparties(tx)["counterparty"].to_list() == ["ﾌﾘｺﾐ ﾔﾏﾀﾞ ﾊﾅｺ"]


def test_a_missing_month_and_weekend_pay_days_stay_monthly() -> None:
    days = [D(2026, 5, 25), D(2026, 6, 25), D(2026, 7, 24), D(2026, 9, 25), D(2026, 10, 23)]  # no August; Fridays before weekends
    tx = frame([("A", d, "ｷﾕｳﾖ ｶ)ABC", 0, 250_000 + i * 7_000) for i, d in enumerate(days)])
    found = income_of(tx)["salary"]
    assert found["regular"] and found["cadence"] == "monthly" and found["typical_yen"] == 264_000


@pytest.mark.parametrize(("gap", "regular"), [(25, False), (26, True), (35, True), (36, False), (14, False)])
def test_monthly_means_26_to_35_days(gap: int, regular: bool) -> None:
    tx = frame([("A", D(2026, 1, 5) + dt.timedelta(days=gap * i), "ｷﾕｳﾖ ｶ)ABC", 0, 200_000) for i in range(5)])
    assert income_of(tx)["salary"]["regular"] is regular


def test_two_employers_at_once_add_up_a_former_one_does_not() -> None:
    both = frame(monthly("A", 25, "ｷﾕｳﾖ ｶ)ABC", 200_000) + monthly("A", 10, "ｷﾕｳﾖ ﾕ)XYZ", 80_000))
    assert income_of(both)["salary"]["typical_yen"] == 280_000
    changed = frame(monthly("A", 25, "ｷﾕｳﾖ ｶ)OLD", 200_000, range(3, 7)) + monthly("A", 25, "ｷﾕｳﾖ ｶ)NEW", 260_000, range(7, 11)))
    assert text_of(changed) == "給与 月次 約260,000円"


def test_balance_trend_and_last_activity() -> None:
    tx = frame(
        [("A", D(2026, m, 3), "ATM", 20_000, 0) for m in range(5, 11)] + [("B", D(2026, 9, 1), "ｶ-ﾄﾞ", 1_000, 0)],
        start_balance=200_000,
    )
    trend = {r["account_key"]: r for r in account_trend(tx).iter_rows(named=True)}
    a = trend["A"]
    assert (a["transactions"], a["first_balance"], a["last_balance"], a["last_activity"]) == (6, 180_000, 80_000, D(2026, 10, 3))
    assert -21_000 < a["balance_slope_yen_month"] < -19_000  # about -20,000 a month
    assert trend["B"]["balance_slope_yen_month"] is None  # one date: no slope
    summary = summarise(tx).filter(pl.col("account_key") == "A")["summary"].item()
    assert "残高 180,000円→80,000円 (減少 月-" in summary and "最終取引 2026-10-03" in summary


def test_largest_payers_first_cash_and_interest_left_out() -> None:
    tx = frame(
        monthly("A", 25, "ｷﾕｳﾖ ｶ)ABC", 250_000)
        + monthly("A", 5, "ﾌﾘｺﾐ ﾔﾏﾀﾞ ﾊﾅｺ", 50_000)
        + [("A", D(2026, 7, 7), "ﾌﾘｺﾐ ｽｽﾞｷ", 0, 10_000), ("A", D(2026, 7, 8), "ﾌﾘｺﾐ ﾀﾅｶ", 0, 5_000)]
        + [("A", D(2026, 7, 9), "ATM", 0, 900_000), ("A", D(2026, 7, 10), "ﾘｿｸ", 0, 12)]
    )
    top = counterparties(tx)
    assert top["counterparty"].to_list() == ["ｷﾕｳﾖ ｶ)ABC", "ﾌﾘｺﾐ ﾔﾏﾀﾞ ﾊﾅｺ", "ﾌﾘｺﾐ ｽｽﾞｷ"]
    assert top["deposit_yen"].to_list() == [1_500_000, 300_000, 10_000]
    assert "主な入金元: ｷﾕｳﾖ ｶ)ABC 1,500,000円/6件" in summarise(tx)["summary"].item()


def test_empty_and_malformed_frames() -> None:
    empty = frame([])
    assert summarise(empty).height == 0 and regular_income(empty).height == 0
    with pytest.raises(ValueError, match="deposit_yen"):
        summarise(empty.drop("deposit_yen"))


def test_income_kind_ignores_refunds_and_null() -> None:
    d = pl.DataFrame({"d": ["ｺｳｾｲﾈﾝｷﾝ", "年金振込", "ｺｸﾐﾝﾈﾝｷﾝ ｶﾝﾌﾟ", "ｼﾞﾄﾞｳﾌﾖｳﾃｱﾃ", "ｾｲｶﾂﾎｺﾞ ｼﾝｼﾞﾕｸｸ", None, "ATM"]})
    assert d.select(income_kind(pl.col("d"))).to_series().to_list() == [
        "pension", "pension", None, "child_rearing", "welfare", None, None,
    ]  # fmt: skip
