"""``inquiry followups``: every selection rule of matching.md at its boundary, the request files, the lifecycle.

Each test builds a workspace store directly (persons, institutions,
inquiries, answers, matches), runs the step through ``run_step`` like the
CLI does, and checks what a collector would: which accounts got a history
inquiry, in which file, in what order, and what ``followups.csv`` says.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

import formats
from inquiry.cli import app
from inquiry.runtime.settings import Settings
from inquiry.runtime.step import run_step
from inquiry.runtime.store import Store
from inquiry.runtime.workspace import Workspace
from inquiry.steps.followups import FollowupOptions, followups, months_before
from tests.inquiry._fixtures import TEST_OFFICE, file_id_of, traced_statements

TODAY = dt.date.today()
LONG_AGO = TODAY - dt.timedelta(days=400)
INSTITUTIONS = [("0001", "みずほ", "dais"), ("0005", "三菱ＵＦＪ", "pipitlinq"), ("9900", "ゆうちょ", "pipitlinq"), ("0009", "三井住友", "paper")]


def account(
    n: int,
    *,
    person: str = "P1",
    cls: str = "CONFIRMED",
    balance: int | None = 50_000,
    status: str = "通常",
    last: dt.date | None = LONG_AGO,
    account_type: int = 1,
    bank: str = "0001",
    decision: str | None = None,
    decided: str | None = None,
    passbook: tuple[str, str] | None = None,
    kana: str = "ﾔﾏﾀﾞ ﾀﾛｳ",
) -> dict[str, Any]:
    return {
        "n": n, "person": person, "cls": cls, "balance": balance, "status": status, "last": last,
        "type": account_type, "bank": bank, "decision": decision, "decided": decided, "passbook": passbook, "kana": kana,
    }  # fmt: skip


def key_of(a: dict[str, Any]) -> str:
    return f"{a['bank']}-001-{a['type']}-{a['n']:07d}"


class Office:
    """A workspace whose store is filled directly, and the step run as the CLI runs it."""

    def __init__(self, home: Path, settings: Settings | None = None) -> None:
        self.ws = Workspace.init(home, settings or Settings(**TEST_OFFICE))
        self.home = home
        with self.store() as st, st.transaction():
            st.insert(
                "institutions",
                pl.DataFrame(INSTITUTIONS, schema=["bank_code", "name", "provider"], orient="row"),
            )

    def store(self) -> Store:
        return self.ws.store()

    def persons(self, **arrears: int) -> None:
        now = dt.datetime.now().isoformat(timespec="seconds")
        frame = pl.DataFrame(
            {
                "person_id": list(arrears),
                "name_kanji": ["山田 太郎"] * len(arrears),
                "arrears_yen": list(arrears.values()),
                "as_of": [TODAY - dt.timedelta(days=30)] * len(arrears),
                "updated_at": [now] * len(arrears),
            }
        )
        with self.store() as st, st.transaction():
            st.insert("persons", frame, on_conflict="ON CONFLICT (person_id) DO NOTHING")

    def accounts(self, *accounts: dict[str, Any]) -> None:
        people = {a["person"] for a in accounts} | {a["decided"] for a in accounts if a["decided"]}
        self.persons(**{p: 100_000 for p in sorted(people)})
        provider = {b: p for b, _, p in INSTITUTIONS}
        now = dt.datetime.now().isoformat(timespec="seconds")
        inquiries, answers, matches = [], [], []
        for a in accounts:
            iid = f"B{a['n']:08d}"
            inquiries.append((iid, a["person"], provider.get(a["bank"], "dais"), a["bank"], (TODAY - dt.timedelta(days=30)).isoformat(), "REQ", now))
            sym, num = a["passbook"] or (None, None)
            answers.append(
                (0, a["n"], iid, "found", key_of(a), a["bank"], "001", a["type"], f"{a['n']:07d}", sym, num, a["kana"],
                 a["balance"], TODAY.isoformat(), a["last"].isoformat() if a["last"] else None, a["status"], TODAY.isoformat())
            )  # fmt: skip
            person = None if a["cls"] in ("HOMONYM", "UNMATCHED") else a["person"]
            matches.append((key_of(a), iid, a["person"], person, a["cls"], 0.9, "exact", "exact", "current", now, a["decision"], a["decided"]))
        with self.store() as st, st.transaction():
            st.insert(
                "inquiries",
                pl.DataFrame(inquiries, schema=["inquiry_id", "person_id", "provider", "bank_code", "as_of", "request_file", "created_at"], orient="row"),
            )
            st.insert(
                "answers",
                pl.DataFrame(
                    answers,
                    schema=[
                        "file_id", "line", "inquiry_id", "answer", "account_key", "bank_code", "branch_code", "account_type",
                        "account_number", "passbook_symbol", "passbook_number", "holder_kana", "balance_yen", "balance_date",
                        "last_activity", "account_status", "answered_on",
                    ],  # fmt: skip
                    orient="row",
                ).with_columns(file_id=pl.lit(file_id_of(st.conn, "sha"))),
                on_conflict="ON CONFLICT DO NOTHING",
            )
            st.insert(
                "matches",
                pl.DataFrame(
                    matches,
                    schema=[
                        "account_key", "inquiry_id", "inquired_person_id", "person_id", "class", "score", "name_evidence",
                        "dob_evidence", "address_evidence", "matched_at", "decision", "decided_person_id",
                    ],  # fmt: skip
                    orient="row",
                ),
            )

    def run(self, options: FollowupOptions | None = None) -> int:
        return run_step(self.home, "followups", {}, followups(options), quiet=True)

    def sql(self, query: str, *params: Any) -> None:
        with self.store() as st, st.transaction():
            st.conn.execute(query, params)

    def followups(self) -> pl.DataFrame:
        with self.store() as st:
            return st.frame("SELECT * FROM followups ORDER BY followup_id", schema={"priority": pl.Int64})

    def followed(self) -> list[str]:
        """Account keys with a history inquiry (any status but SKIPPED_CLEARED)."""
        f = self.followups()
        return sorted(f.filter(pl.col("status") != "SKIPPED_CLEARED")["account_key"]) if f.height else []

    def outbox(self) -> list[Path]:
        return sorted(p for p in self.ws.outbox.iterdir() if p.is_file())


@pytest.fixture()
def office(tmp_path: Path) -> Office:
    return Office(tmp_path / "ws")


# --- selection rules ---------------------------------------------------------------------------


def test_balance_threshold_is_inclusive(office: Office) -> None:
    at, below = account(1, balance=10_000), account(2, balance=9_999)
    office.accounts(at, below)
    assert office.run() == 0
    assert office.followed() == [key_of(at)]


def test_activity_exactly_six_months_ago_counts_a_day_more_does_not(office: Office) -> None:
    edge = months_before(TODAY, 6)
    recent, old = account(1, balance=0, last=edge), account(2, balance=0, last=edge - dt.timedelta(days=1))
    office.accounts(recent, old)
    office.run()
    assert office.followed() == [key_of(recent)]
    assert "最終取引" in office.followups()["reason"][0]


def test_time_deposit_maturity_is_not_activity(office: Office) -> None:
    small_teiki = account(1, balance=5_000, last=TODAY - dt.timedelta(days=10), account_type=6)
    big_teiki = account(2, balance=500_000, last=TODAY + dt.timedelta(days=200), account_type=6)
    small_futsu = account(3, balance=5_000, last=TODAY - dt.timedelta(days=10), account_type=1)
    office.accounts(small_teiki, big_teiki, small_futsu)
    office.run()
    assert office.followed() == sorted([key_of(big_teiki), key_of(small_futsu)])


@pytest.mark.parametrize(("status", "followed"), [("通常", True), ("休眠", True), ("解約済", False), ("支払停止", False)])
def test_account_status(office: Office, status: str, followed: bool) -> None:
    a = account(1, balance=1_000_000, status=status, last=TODAY)
    office.accounts(a)
    office.run()
    assert office.followed() == ([key_of(a)] if followed else [])


def test_only_hits_are_followed_review_waits_for_acceptance(office: Office) -> None:
    accounts = [
        account(1, cls="CONFIRMED"),
        account(2, cls="PROBABLE"),
        account(3, cls="REVIEW"),
        account(4, cls="HOMONYM"),
        account(5, cls="UNMATCHED"),
        account(6, cls="REVIEW", person="P1"),
    ]
    office.accounts(*accounts)
    office.run()
    assert office.followed() == sorted(key_of(a) for a in accounts[:2])
    # a reviewer accepts account 3 for P1 and account 6 for another person, P2
    office.persons(P2=5_000)
    office.sql("UPDATE matches SET decision = 'accept', decided_person_id = 'P1' WHERE account_key = ?", key_of(accounts[2]))
    office.sql("UPDATE matches SET decision = 'accept', decided_person_id = 'P2' WHERE account_key = ?", key_of(accounts[5]))
    office.run()
    assert office.followed() == sorted(key_of(a) for a in (*accounts[:3], accounts[5]))
    f = office.followups().filter(pl.col("account_key") == key_of(accounts[5]))
    assert f["person_id"].to_list() == ["P2"] and "accepted on review" in f["reason"][0]


def test_rejected_on_review_is_never_followed(office: Office) -> None:
    office.accounts(account(1, cls="CONFIRMED", decision="reject"), account(2, cls="REVIEW", decision="reject"))
    office.run()
    office.run()
    assert office.followed() == []


def test_cleared_person_gets_one_skipped_row_and_no_request(office: Office) -> None:
    mine, other = account(1, person="P1", balance=80_000), account(2, person="P2", balance=90_000)
    office.accounts(mine, other)
    with office.store() as st, st.transaction():  # P1 owes 100,000 and paid it after the master's export
        st.insert(
            "payments",
            pl.DataFrame({"person_id": ["P1", "P1", "P2"], "paid_on": [TODAY - dt.timedelta(days=3), TODAY, TODAY - dt.timedelta(days=60)],
                          "amount_yen": [60_000, 40_000, 100_000], "source_sha": ["s"] * 3, "line": [2, 3, 4]}),
        )  # fmt: skip  # P2's payment predates the export: not cleared
    office.run()
    office.run()
    f = office.followups()
    skipped = f.filter(pl.col("status") == "SKIPPED_CLEARED")
    assert skipped["account_key"].to_list() == [key_of(mine)]
    assert "100,000円" in skipped["reason"][0]
    assert office.followed() == [key_of(other)]
    requested = pl.concat([formats.read_request(p).rows for p in office.outbox()])
    assert requested["inquiry_id"].to_list() == f.filter(pl.col("person_id") == "P2")["followup_id"].to_list()


@pytest.mark.parametrize(("days_ago", "again"), [(89, False), (90, True)])
def test_no_second_inquiry_within_ninety_days(office: Office, days_ago: int, again: bool) -> None:
    a = account(1)
    office.accounts(a)
    office.run()
    sent_on = (TODAY - dt.timedelta(days=days_ago)).isoformat()
    office.sql("UPDATE followups SET status = 'ANSWERED', sent_on = ?, answered_on = ?", sent_on, sent_on)
    office.run()
    f = office.followups()
    assert f.height == (2 if again else 1)
    if again:
        assert f["status"].to_list() == ["ANSWERED", "WRITTEN"]


def test_rerun_queues_no_duplicate_and_writes_no_file(office: Office) -> None:
    office.accounts(account(1), account(2, bank="0005", kana="ヤマダ　タロウ"))
    office.run()
    files = office.outbox()
    office.run()
    assert office.followups().height == 2 and office.outbox() == files
    with office.store() as st:
        assert st.scalar("SELECT count(*) FROM request_files WHERE kind = 'history'") == 2


def test_priority_balance_then_activity_then_arrears(office: Office) -> None:
    week, month = TODAY - dt.timedelta(days=7), TODAY - dt.timedelta(days=30)
    office.persons(RICH=10_000, POOR=900_000)
    accounts = [
        account(1, person="RICH", balance=20_000, last=month),
        account(2, person="RICH", balance=20_000, last=week),
        account(3, person="RICH", balance=500_000, last=LONG_AGO),
        account(4, person="POOR", balance=20_000, last=month),
        account(5, person="RICH", balance=0, last=week),
    ]
    office.accounts(*accounts)
    office.run()
    f = office.followups().sort("priority")
    assert f["account_key"].to_list() == [key_of(accounts[i]) for i in (2, 1, 3, 0, 4)]
    assert f["priority"].to_list() == [1, 2, 3, 4, 5]


def test_paper_institution_stays_queued_without_a_file(office: Office) -> None:
    office.accounts(account(1, bank="0009"))
    office.run()
    f = office.followups()
    assert f.select("provider", "status", "request_file").rows() == [("paper", "QUEUED", None)]
    assert "書面" in f["reason"][0] and office.outbox() == []
    office.run()
    assert office.followups().height == 1


# --- request files -----------------------------------------------------------------------------


def test_dais_history_file_conforms_to_the_layout(office: Office) -> None:
    a = account(7, balance=123_456, kana="ﾔﾏﾀﾞ ﾀﾛｳ")
    office.accounts(a)
    frm, to = dt.date(2026, 5, 1), dt.date(2026, 10, 31)
    office.run(FollowupOptions(frm, to))
    (path,) = office.outbox()
    assert path.name == f"DAIS_REQ_131041_{TODAY:%Y%m%d}_0001.dat"
    parsed = formats.read_file(path)
    assert (parsed.provider, parsed.direction, parsed.kind, parsed.rows_read) == ("dais", "request", "history", 1)
    f = office.followups()
    fid = f["followup_id"][0]
    assert len(fid) <= 20 and pl.Series([fid]).str.contains(r"^H\d{8}-\d{8}$").all()
    records = path.read_bytes().split(b"\r\n")
    assert [len(r) for r in records[:4]] == [300] * 4
    head, data, trailer, end = records[:4]
    assert head[0:1] == b"1" and head[1:3] == b"52" and head[3:9] == b"131041"
    assert data[0:1] == b"2"
    assert data[1:21] == fid.encode().ljust(20)
    assert data[21:25] == b"0001" and data[25:28] == b"001" and data[28:29] == b"1" and data[29:36] == b"0000007"
    assert data[36:76] == "ﾔﾏﾀﾞ ﾀﾛｳ".encode("cp932").ljust(40)
    assert data[76:84] == b"20260501" and data[84:92] == b"20261031"
    assert data[92:112] == b"B00000007".ljust(20)
    assert trailer[0:7] == b"8000001" and end[0:1] == b"9"
    row = parsed.rows.row(0, named=True)
    assert (row["inquiry_id"], row["origin_inquiry_id"], row["period_from"]) == (fid, "B00000007", frm)


def test_pipitlinq_history_file_addresses_yucho_by_kigo_bango(office: Office) -> None:
    yucho = account(8, bank="9900", passbook=("10530", "12345671"), kana="ヤマダ　タロウ")
    other = account(9, bank="0005", kana="ヤマダ　ハナコ", balance=20_000)
    office.accounts(yucho, other)
    office.run()
    (path,) = office.outbox()
    assert path.name.startswith("PIPITLINQ_REQ_131041_")
    parsed = formats.read_file(path)
    assert (parsed.provider, parsed.kind) == ("pipitlinq", "history")
    rows = {r["bank_code"]: r for r in parsed.rows.iter_rows(named=True)}
    assert (rows["9900"]["branch_code"], rows["9900"]["account_number"]) == ("10530", "12345671")
    assert (rows["0005"]["branch_code"], rows["0005"]["account_number"]) == ("001", "0000009")
    assert rows["0005"]["holder_kana"] == "ヤマダ　ハナコ"
    text = path.read_bytes().decode("utf-8-sig")
    assert text.splitlines()[0].startswith("照会番号,照会区分,宛名番号,金融機関コード,支店番号,口座種別,口座番号")
    assert "取引履歴" in text and "普通" in text
    assert rows["9900"]["period_to"] == TODAY and rows["9900"]["period_from"] == months_before(TODAY, 6)


def test_files_split_at_the_per_file_limit_and_are_recorded(tmp_path: Path) -> None:
    office = Office(tmp_path / "ws", Settings(**TEST_OFFICE, max_inquiries_per_file=2))
    office.accounts(*[account(i) for i in range(1, 6)])
    office.run()
    files = office.outbox()
    assert [formats.read_file(p).rows_read for p in files] == [2, 2, 1]
    with office.store() as st:
        recorded = st.frame("SELECT file_name, kind, rows FROM request_files ORDER BY file_name", schema={"rows": pl.Int64})
    assert recorded["file_name"].to_list() == [p.name for p in files]
    assert set(recorded["kind"]) == {"history"}
    f = office.followups()
    assert set(f["status"]) == {"WRITTEN"} and f["request_file"].n_unique() == 3


def test_followup_ids_never_repeat_across_runs(office: Office) -> None:
    office.accounts(account(1))
    office.run()
    office.sql("UPDATE followups SET status = 'ANSWERED', sent_on = '2000-01-01'")
    office.run()
    ids = office.followups()["followup_id"]
    assert ids.n_unique() == 2


def test_reversed_period_fails_and_commits_nothing(office: Office) -> None:
    office.accounts(account(1))
    assert office.run(FollowupOptions(dt.date(2026, 10, 1), dt.date(2026, 5, 1))) == 2
    assert office.followups().height == 0 and office.outbox() == []


# --- lifecycle through the CLI -----------------------------------------------------------------


def _history_answer(request: Path, out: Path) -> Path:
    """A DAIS history answer to a request file: salary monthly, pension in even months, ATM noise."""
    req = formats.read_request(request).rows.row(0, named=True)
    tx: list[tuple[Any, ...]] = []
    balance = 100_000
    for back in range(6, 0, -1):
        month = months_before(TODAY, back).replace(day=1)
        rows = [(month.replace(day=25), "ｷﾕｳﾖ ｶ)ﾆｼｼﾝｼﾞﾕｸｼﾖｳｼﾞ", 0, 250_000), (month.replace(day=5), "ATM", 40_000, 0)]
        if month.month % 2 == 0:
            rows.append((month.replace(day=15), "ﾈﾝｷﾝ", 0, 120_000))
        for day, desc, out_yen, in_yen in sorted(rows):
            balance += in_yen - out_yen
            tx.append((day, desc, out_yen, in_yen, balance))
    frame = pl.DataFrame(tx, schema=["tx_date", "description", "withdrawal_yen", "deposit_yen", "balance_yen"], orient="row").with_columns(
        inquiry_id=pl.lit(req["inquiry_id"]), answer=pl.lit("found"), bank_code=pl.lit(req["bank_code"]),
        branch_code=pl.lit(req["branch_code"]), account_type=pl.lit(req["account_type"], pl.Int8),
        account_number=pl.lit(req["account_number"]), detail_no=pl.int_range(1, pl.len() + 1).cast(pl.Int32),
    )  # fmt: skip
    path = out / "DAIS_HRES_131041.dat"
    formats.write_response("dais", "history", frame, path, municipality_code="131041", created_on=TODAY, seq=1)
    return path


def test_lifecycle_queued_written_sent_answered_in_followups_csv(office: Office, tmp_path: Path) -> None:
    office.accounts(account(1, balance=300_000))
    runner = CliRunner()
    home = str(office.home)

    def export() -> dict[str, str]:
        out = tmp_path / "followups.csv"
        result = runner.invoke(app, ["export", "followups", "--home", home, "--out", str(out)])
        assert result.exit_code == 0, result.output
        (row,) = pl.read_csv(out, infer_schema=False).iter_rows(named=True)
        return row

    result = runner.invoke(app, ["followups", "--home", home])
    assert result.exit_code == 0, result.output
    row = export()
    assert (row["status"], row["sent_on"], row["transactions"]) == ("WRITTEN", None, None)
    assert row["period_to"] == TODAY.isoformat() and row["priority"] == "1"
    (request,) = office.outbox()
    answer = _history_answer(request, tmp_path)  # the bank's answer, built before the upload deletes the request

    assert runner.invoke(app, ["sent", "--home", home, str(request)]).exit_code == 0
    row = export()
    assert (row["status"], row["sent_on"]) == ("SENT", TODAY.isoformat())
    assert not request.exists()

    result = runner.invoke(app, ["ingest", "--home", home, str(answer)])
    assert result.exit_code == 0, result.output
    assert export()["status"] == "ANSWERED"

    result = runner.invoke(app, ["followups", "--home", home])  # summarises the answer, queues nothing new
    assert result.exit_code == 0, result.output
    row = export()
    assert row["status"] == "ANSWERED" and row["answered_on"] == TODAY.isoformat()
    assert int(row["transactions"]) >= 12
    assert row["regular_income"] == "給与 月次 約250,000円; 年金 偶数月 約120,000円 (差押禁止部分あり 国税徴収法第77条)"
    with office.store() as st:
        assert "残高" in st.scalar("SELECT summary FROM followups")


def test_history_transactions_go_in_many_rows_per_statement(office: Office, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The real ``ingest`` of a history answer: its transactions in one ``INSERT`` of many rows, not one per row
    (narrow rows: the standard library's step per row was a third of the insert), stored as one per row stores them."""
    office.accounts(account(1, balance=300_000))
    runner = CliRunner()
    home = str(office.home)
    assert runner.invoke(app, ["followups", "--home", home]).exit_code == 0
    (request,) = office.outbox()
    answer = _history_answer(request, tmp_path)
    assert runner.invoke(app, ["sent", "--home", home, str(request)]).exit_code == 0
    seen = traced_statements(monkeypatch)
    result = runner.invoke(app, ["ingest", "--home", home, str(answer)])
    monkeypatch.undo()
    assert result.exit_code == 0, result.output
    inserts = [s for s in seen if " ".join(s.split()).upper().startswith("INSERT INTO TRANSACTIONS")]
    expected = formats.read_response(answer).rows.filter(pl.col("answer") == "found")
    with office.store() as st:
        stored = st.conn.execute(
            "SELECT line, detail_no, tx_date, description, withdrawal_yen, deposit_yen, balance_yen, typeof(tx_date), typeof(balance_yen) "
            "FROM transactions ORDER BY rowid"
        ).fetchall()
    assert len(stored) == expected.height >= 12
    assert len(inserts) == 1, len(inserts)
    assert [r[:7] for r in stored] == [
        (r["line"], r["detail_no"], r["tx_date"].isoformat(), r["description"], r["withdrawal_yen"], r["deposit_yen"], r["balance_yen"])
        for r in expected.iter_rows(named=True)
    ]
    assert {r[7:] for r in stored} == {("text", "integer")}


# --- summaries of history answers --------------------------------------------------------------


def _answered(office: Office, n_accounts: int = 2) -> list[str]:
    office.accounts(*[account(i) for i in range(1, n_accounts + 1)])
    office.run()
    office.sql("UPDATE followups SET status = 'ANSWERED', sent_on = ?, answered_on = ?, transactions = 0", TODAY.isoformat(), TODAY.isoformat())
    return office.followups()["followup_id"].to_list()


def _transactions(office: Office, followup_id: str, months: range, sha: str = "r1") -> None:
    with office.store() as st, st.transaction():
        file_id = file_id_of(st.conn, sha, "history")
        rows = [(followup_id, file_id, m, m, dt.date(2026, m, 15).isoformat(), "ﾈﾝｷﾝ", 0, 100_000, 100_000 * m) for m in months]
        st.insert(
            "transactions",
            pl.DataFrame(rows, schema=["followup_id", "file_id", "line", "detail_no", "tx_date", "description", "withdrawal_yen", "deposit_yen", "balance_yen"], orient="row"),
        )
        st.conn.execute("UPDATE followups SET transactions = transactions + ? WHERE followup_id = ?", (len(rows), followup_id))


def test_summarise_once_and_again_when_another_answer_arrives(office: Office) -> None:
    from inquiry.steps.history import NO_TRANSACTIONS, summarise

    with_tx, without = _answered(office)
    _transactions(office, with_tx, range(2, 5, 2))  # February and April
    with office.store() as st, st.transaction():
        assert summarise(st) == 2
        assert summarise(st) == 0  # nothing new
    f = {r["followup_id"]: r for r in office.followups().iter_rows(named=True)}
    assert f[without]["regular_income"] == NO_TRANSACTIONS and f[without]["transactions"] == 0
    assert f[with_tx]["regular_income"] == "年金 偶数月 約100,000円 (差押禁止部分あり 国税徴収法第77条)"
    _transactions(office, with_tx, range(6, 9, 2), sha="r2")  # a second answer file for the same follow-up
    with office.store() as st, st.transaction():
        assert summarise(st) == 1
    row = office.followups().filter(pl.col("followup_id") == with_tx).row(0, named=True)
    assert row["transactions"] == 4 and "2026-08-15" in row["summary"]


@pytest.mark.parametrize("update_rows", [100_000, 1], ids=["one update", "an update per follow-up"])
def test_summarise_takes_tonights_summaries_file_by_file_and_the_rest_from_the_store(
    office: Office, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, update_rows: int
) -> None:
    """``ingest`` summarises each history file as it stores it and hands the summaries over (history.Tonight).

    A follow-up answered in one file tonight takes that file's summary; one
    with transactions of an earlier night as well, or answered in two of
    tonight's files (each file's summary then sees half of its rows), is
    read whole from the store. Either way the follow-ups end as a summary
    from the store alone leaves them (compared on a copy of the same store).
    """
    import shutil

    from inquiry.steps import history
    from inquiry.steps.history import Tonight, summarise, summarise_file

    monkeypatch.setattr(history, "_UPDATE_ROWS", update_rows)  # the summaries recorded in slices: the same rows

    earlier, fresh, split = _answered(office, 3)
    _transactions(office, earlier, range(2, 5, 2), sha="r1")  # an earlier night
    with office.store() as st, st.transaction():
        assert summarise(st) == 3
        before = st.scalar("SELECT max(rowid) FROM transactions")
    _transactions(office, earlier, range(6, 9, 2), sha="r2")  # tonight, all three
    _transactions(office, fresh, range(1, 13), sha="r2")
    _transactions(office, split, range(1, 7), sha="r2")
    _transactions(office, split, range(7, 13), sha="r3")  # the same follow-up's second half, in another file
    with office.store() as st:
        files = [
            st.frame(
                "SELECT followup_id, detail_no, tx_date, description, withdrawal_yen, deposit_yen, balance_yen, line FROM transactions"
                " WHERE rowid > ? AND file_id = (SELECT file_id FROM response_files WHERE sha256 = ?)",
                (before, sha),
            ).with_columns(pl.col("tx_date").str.to_date())
            for sha in ("r2", "r3")
        ]
        copy = Path(shutil.copy(st.path, tmp_path / "copy.sqlite3"))
    tonight = Tonight(before, [summarise_file(f) for f in files])
    assert tonight.summaries[1]["transactions"].to_list() == [6]  # the second file alone: half of the follow-up
    with Store(copy) as st, st.transaction():
        assert summarise(st) == 3  # from the store alone
        expected = st.frame("SELECT * FROM followups ORDER BY followup_id")
    with office.store() as st, st.transaction():
        assert summarise(st, tonight) == 3
        assert tonight.summaries == []  # handed over
        got = st.frame("SELECT * FROM followups ORDER BY followup_id")
    assert got.equals(expected)
    rows = {r["followup_id"]: r for r in got.iter_rows(named=True)}
    assert rows[earlier]["transactions"] == 4 and "2026-08-15" in rows[earlier]["summary"]  # the earlier night's rows and tonight's
    assert rows[fresh]["transactions"] == 12 and rows[split]["transactions"] == 12
