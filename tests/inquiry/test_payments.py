"""``inquiry payments load F``: a payments feed between runs, and the cleared persons it makes.

Through the real CLI: a person whose payments dated after the master's
export cover the arrears is cleared — no history inquiry, and
``followups.csv`` shows their hit account as ``SKIPPED_CLEARED``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from inquiry.cli import app
from tests.inquiry.test_followups import TODAY, Office, account, key_of

runner = CliRunner()
AS_OF = TODAY - dt.timedelta(days=30)  # the master's export date in Office


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.fixture()
def office(tmp_path: Path) -> Office:
    office = Office(tmp_path / "ws")
    office.accounts(account(1, person="P1", balance=80_000), account(2, person="P2", balance=70_000))  # each owes 100,000
    return office


def _feed(path: Path, rows: str) -> Path:
    path.write_text("宛名番号,納付日,納付額\r\n" + rows, encoding="utf-8")
    return path


def test_payments_cover_arrears_person_skipped_in_followups_csv(office: Office, tmp_path: Path) -> None:
    after = (AS_OF + dt.timedelta(days=1)).isoformat()
    feed = _feed(tmp_path / "payments.csv", f"P1,{after},60000\r\nP1,{TODAY.isoformat()},40000\r\nP2,{after},99999\r\n")
    code, out = cli("payments", "load", str(feed), "--home", str(office.home))
    assert code == 0, out
    with office.store() as st:
        assert st.scalar("SELECT count(*) FROM payments") == 3
        assert st.scalar("SELECT person_id FROM persons WHERE cleared_on IS NOT NULL") == "P1"

    code, out = cli("followups", "--home", str(office.home))
    assert code == 0, out
    csv = tmp_path / "followups.csv"
    assert cli("export", "followups", "--home", str(office.home), "--out", str(csv))[0] == 0
    rows = {r["person_id"]: r for r in pl.read_csv(csv, infer_schema=False).iter_rows(named=True)}
    assert rows["P1"]["status"] == "SKIPPED_CLEARED" and rows["P1"]["account_key"] == key_of(account(1))
    assert rows["P2"]["status"] == "WRITTEN"  # 99,999 does not cover 100,000


def test_payment_on_or_before_the_export_date_does_not_clear(office: Office, tmp_path: Path) -> None:
    feed = _feed(tmp_path / "payments.csv", f"P1,{AS_OF.isoformat()},100000\r\n")
    assert cli("payments", "load", str(feed), "--home", str(office.home))[0] == 0
    assert cli("followups", "--home", str(office.home))[0] == 0
    assert set(office.followups()["status"]) == {"WRITTEN"}


def test_same_feed_twice_is_recorded_once(office: Office, tmp_path: Path) -> None:
    feed = _feed(tmp_path / "payments.csv", f"P1,{TODAY.isoformat()},50000\r\n")
    assert cli("payments", "load", str(feed), "--home", str(office.home))[0] == 0
    code, out = cli("payments", "load", str(feed), "--home", str(office.home))
    assert code == 0 and "payments_already_recorded" in out
    with office.store() as st:
        assert st.scalar("SELECT count(*) FROM payments") == 1
        assert st.scalar("SELECT count(*) FROM persons WHERE cleared_on IS NOT NULL") == 0  # 50,000 of 100,000


def test_bad_rows_are_rejected_with_line_the_rest_recorded(office: Office, tmp_path: Path) -> None:
    feed = _feed(tmp_path / "payments.csv", f"P1,{TODAY.isoformat()},100000\r\nP2,not a date,5\r\nP2,{TODAY.isoformat()},12.5\r\n")
    code, out = cli("payments", "load", str(feed), "--home", str(office.home))
    assert code == 1, out
    rejects = "".join(p.read_text(encoding="utf-8-sig") for p in (office.home / "reports").glob("rejects-*.csv"))
    assert "payments.csv,3," in rejects and "payments.csv,4," in rejects
    with office.store() as st:
        assert st.scalar("SELECT count(*) FROM payments") == 1


def test_missing_column_fails_and_records_nothing(office: Office, tmp_path: Path) -> None:
    feed = tmp_path / "payments.csv"
    feed.write_text("person_id,amount_yen\r\nP1,100000\r\n", encoding="utf-8")
    code, out = cli("payments", "load", str(feed), "--home", str(office.home))
    assert code == 2 and "paid_on" in out
    with office.store() as st:
        assert st.scalar("SELECT count(*) FROM payments") == 0
