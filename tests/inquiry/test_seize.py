"""The seizure plan through the real command line: plan → sheet → import → 差押予定一覧, and the last checks.

The workspace is the four-person office of ``_fixtures`` asked at two banks,
answered and matched (eight CONFIRMED accounts of ¥123,456, arrears ¥50,000
each); a test changes what it needs in the store (a class, a history answer,
a ゆうちょ account) and then runs only ``inquiry`` commands: what a
collector would see is checked — who may be seized, with which 文書番号, and
what the list and its flags say.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

from inquiry.steps.seize import (
    CONFIRM,
    EXECUTE_ON,
    KEY,
    LIST_COLUMNS,
    OVERRIDE,
    SELECT,
    STAFF,
)
from tests.inquiry._fixtures import age_answers, cli, file_id_of, stored

TODAY = dt.date.today()
EXECUTE = (TODAY + dt.timedelta(days=14)).isoformat()
A1 = "0001-101-1-8123457"  # P001 at みずほ
A2 = "0001-101-1-8234561"  # P002 at みずほ
A3 = "0001-101-1-8345672"  # P003 at みずほ
HEADER = (
    "登録日時,宛名番号,氏名,職員名,執行日,住民票住所,銀行届出住所,金融機関名,支店名,支店番号,口座種別,口座番号,"
    "差押文言1,差押文言2,差押文言3,文書番号,照会結果ファイル名,処理済フラグ1,処理済フラグ2,処理済フラグ3"
)


def plan(home: Path) -> None:
    code, out = cli("seize", "plan", "--home", home, "--execute-on", EXECUTE)
    assert code == 0, out


def export_sheet(home: Path, name: str = "sel.csv") -> tuple[Path, pl.DataFrame]:
    path = home / name
    code, out = cli("seize", "export", "--home", home, "--out", path)
    assert code == 0, out
    frame = pl.read_excel(path, infer_schema_length=0) if path.suffix == ".xlsx" else pl.read_csv(path, infer_schema=False)
    return path, frame


def fill(path: Path, frame: pl.DataFrame, marks: dict[str, dict[str, str]]) -> None:
    """Write ``frame`` back with the cells of ``marks`` (account key → column → text) filled in, as Excel would save it."""
    cols = {c for m in marks.values() for c in m} | {SELECT, STAFF}
    frame = frame.with_columns(
        [
            pl.Series(c, [marks.get(k, {}).get(c, frame[c][i] if c in frame.columns else None) for i, k in enumerate(frame[KEY])], dtype=pl.Utf8)
            for c in cols
        ]
    ).with_columns(pl.when(pl.col(SELECT).is_not_null()).then(pl.col(STAFF).fill_null("S01")).otherwise(pl.col(STAFF)).alias(STAFF))
    if path.suffix == ".xlsx":
        frame.write_excel(path, worksheet="差押予定")
    else:
        path.write_bytes(b"\xef\xbb\xbf" + frame.write_csv().encode("utf-8"))


def import_sheet(home: Path, path: Path, operator: str = "徴収 一郎") -> tuple[int, str]:
    return cli("seize", "import", path, "--home", home, "--operator", operator)


def seizures(home: Path) -> pl.DataFrame:
    con = sqlite3.connect(home / "store.sqlite3")
    try:
        cur = con.execute("SELECT * FROM seizures ORDER BY fiscal_year, doc_number")
        names = [d[0] for d in cur.description]
        return pl.DataFrame(cur.fetchall(), schema=names, orient="row", infer_schema_length=None)
    finally:
        con.close()


def export_list(home: Path) -> tuple[int, str, pl.DataFrame, bytes]:
    code, out = cli("export", "seizures", "--home", home)
    raw = (home / "reports" / "預金差押予定一覧.csv").read_bytes()
    return code, out, pl.read_csv(raw, infer_schema=False), raw


def rejects(home: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8-sig") for p in sorted((home / "reports").glob("rejects-*.csv")))


# -- PROBABLE -------------------------------------------------------------------------------------


def test_probable_is_never_planned_without_a_recorded_confirmation(home: Path) -> None:
    stored(home, "UPDATE matches SET class = 'PROBABLE' WHERE account_key = ?", A1)
    plan(home)
    path, sheet = export_sheet(home)
    row = sheet.filter(pl.col(KEY) == A1)
    assert row["分類"].item() == "PROBABLE" and "要本人確認" in row["確認事項"].item()

    fill(path, sheet, {A1: {SELECT: "○"}, A2: {SELECT: "○"}})
    code, out = import_sheet(home, path)
    assert code == 1, out  # A1 refused, A2 planned
    planned = seizures(home)
    assert planned["account_key"].to_list() == [A2]
    assert "PROBABLE" in rejects(home) and A1 in rejects(home)
    assert stored(home, "SELECT count(*) FROM seizure_confirmations") == [(0,)]

    # confirmed on the sheet, by whom and when: now it may be planned
    path, sheet = export_sheet(home, "sel2.xlsx")
    assert A2 not in sheet[KEY].to_list()
    fill(path, sheet, {A1: {SELECT: "○", CONFIRM: "確認済"}})
    code, out = import_sheet(home, path, operator="係長 花子")
    assert code == 0, out
    (who, when), = stored(home, "SELECT confirmed_by, confirmed_at FROM seizure_confirmations WHERE account_key = ?", A1)
    assert who == "係長 花子" and when.startswith(TODAY.isoformat())
    row = seizures(home).filter(pl.col("account_key") == A1)
    assert row["class"].item() == "PROBABLE" and row["confirmed_by"].item() == "係長 花子"
    code, out, frame, _ = export_list(home)
    assert code == 0, out
    assert "本人確認済 係長 花子" in frame.filter(pl.col("口座番号") == "8123457")["処理済フラグ3"].item()


def test_a_confirmation_alone_is_recorded_and_carried_to_the_next_plan(home: Path) -> None:
    stored(home, "UPDATE matches SET class = 'PROBABLE' WHERE account_key = ?", A1)
    plan(home)
    path, sheet = export_sheet(home)
    fill(path, sheet, {A1: {CONFIRM: "○"}})
    code, out = import_sheet(home, path)
    assert code == 0, out
    assert seizures(home).height == 0  # confirming is not selecting
    plan(home)
    _, sheet = export_sheet(home, "again.csv")
    flags = sheet.filter(pl.col(KEY) == A1)["確認事項"].item()
    assert "本人確認済 徴収 一郎" in flags and "要本人確認" not in flags


# -- 文書番号 -----------------------------------------------------------------------------------


_CHILD = """
import sys
from inquiry.cli import app
import inquiry.steps.seize, inquiry.runtime.step, polars, xlsxwriter
print("ready", flush=True)
sys.argv = ["inquiry", *sys.argv[1:]]
app()
"""


def _kill_at(args: list[str], delay: float) -> None:
    proc = subprocess.Popen([sys.executable, "-c", _CHILD, *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(60)


def _timed(args: list[str]) -> float:
    """Run the command to its end in a child; return how long it took after start-up."""
    proc = subprocess.Popen([sys.executable, "-c", _CHILD, *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    start = time.monotonic()
    proc.communicate(timeout=120)
    return time.monotonic() - start


def _numbers(home: Path) -> tuple[list[int], int]:
    numbers = [r[0] for r in stored(home, "SELECT doc_number FROM seizures ORDER BY doc_number")]
    counter = stored(home, "SELECT coalesce(max(last_number), 0) FROM seizure_counters")[0][0]
    return numbers, counter


def test_document_numbers_have_no_gap_and_no_reuse_when_the_import_is_killed(home: Path) -> None:
    plan(home)
    path, sheet = export_sheet(home)
    fill(path, sheet, {k: {SELECT: "○"} for k in sheet[KEY]})
    args = ["seize", "import", str(path), "--home", str(home)]
    duration = _timed(args)  # a reference run: the command's own duration
    assert _numbers(home) == (list(range(1, 9)), 8)
    # back to the state before the import (the reference only measured)
    stored(home, "DELETE FROM seizures")
    stored(home, "DELETE FROM seizure_counters")
    plan(home)
    path, sheet = export_sheet(home)
    fill(path, sheet, {k: {SELECT: "○"} for k in sheet[KEY]})
    rng = random.Random(20261205)
    for _ in range(6):
        _kill_at(args, rng.uniform(0, min(duration, 3.0)))
        numbers, counter = _numbers(home)
        # before or after, never between: all eight numbered 1..8 with the counter at 8, or none and no counter
        assert (numbers, counter) in (([], 0), (list(range(1, 9)), 8)), (numbers, counter)
        if numbers:
            break
    code, out = import_sheet(home, path)
    if _numbers(home)[0] == list(range(1, 9)) and code == 1:  # a kill came after the commit: the re-run finds the sheet stale
        assert "stale" in rejects(home)
    else:
        assert code == 0, out
    assert _numbers(home) == (list(range(1, 9)), 8)
    assert stored(home, "PRAGMA integrity_check") == [("ok",)]
    code, out = cli("audit", "verify", "--home", home)
    assert code == 0, out

    # cancelled numbers stay used: after pulling P001's two seizures the next plan continues at 9
    for doc in seizures(home).filter(pl.col("person_id") == "P001")["doc_no"]:
        code, out = cli("seize", "cancel", doc, "--reason", "納付誓約", "--home", home)
        assert code == 0, out
    plan(home)
    path, sheet = export_sheet(home, "again.csv")
    assert sheet[KEY].to_list() == [A1, "0005-101-1-9123457"]  # the cancelled accounts are candidates again
    fill(path, sheet, {A1: {SELECT: "○"}})
    code, out = import_sheet(home, path)
    assert code == 0, out
    assert _numbers(home) == (list(range(1, 10)), 9)
    assert seizures(home).filter(pl.col("account_key") == A1)["status"].to_list() == ["CANCELLED", "PLANNED"]


# -- payments -------------------------------------------------------------------------------------


def test_a_payment_since_the_answer_pulls_or_reduces_the_plan(home: Path, tmp_path: Path) -> None:
    age_answers(home, ["P001", "P002"], 5)
    plan(home)
    path, sheet = export_sheet(home)
    fill(path, sheet, {A1: {SELECT: "○"}, A2: {SELECT: "○"}})
    assert import_sheet(home, path)[0] == 0
    feed = tmp_path / "payments.csv"
    feed.write_text(f"person_id,paid_on,amount_yen\nP001,{TODAY.isoformat()},50000\nP002,{TODAY.isoformat()},20000\n", encoding="utf-8")
    code, out = cli("payments", "load", feed, "--home", home)
    assert code == 0, out

    code, out, frame, _ = export_list(home)
    assert code == 0, out
    p1 = frame.filter(pl.col("宛名番号") == "P001")
    p2 = frame.filter(pl.col("宛名番号") == "P002")
    assert p1["処理済フラグ1"].item().startswith(f"引抜 {TODAY.isoformat()} (自動): 完納")
    assert p2["処理済フラグ1"].item() is None
    assert p2["処理済フラグ2"].item() == f"減額: 回答後の納付 20,000円 (最終 {TODAY.isoformat()})、残滞納額 30,000円"
    rows = seizures(home)
    assert dict(zip(rows["person_id"], rows["status"])) == {"P001": "CANCELLED", "P002": "PLANNED"}
    # and the plan no longer offers P001's other account
    plan(home)
    _, sheet = export_sheet(home, "after.csv")
    assert "P001" not in sheet["宛名番号"].to_list()


def test_a_seizure_whose_link_changed_is_pulled_at_export(home: Path) -> None:
    """A re-link that finds a rival (or a reviewer's reject) after the plan: the seizure must not go ahead."""
    plan(home)
    path, sheet = export_sheet(home)
    fill(path, sheet, {A1: {SELECT: "○"}, A2: {SELECT: "○"}})
    assert import_sheet(home, path)[0] == 0
    stored(home, "UPDATE matches SET class = 'REVIEW', candidates = 'P001;P009' WHERE account_key = ?", A1)  # as a re-link would
    stored(home, "UPDATE matches SET decision = 'reject' WHERE account_key = ?", A2)  # as a reviewer would

    code, out, frame, _ = export_list(home)
    assert code == 0, out
    flags = dict(zip(frame["口座番号"], frame["処理済フラグ1"]))
    assert flags[A1[-7:]].startswith(f"引抜 {TODAY.isoformat()} (自動): 名寄せ変更 — 現在の判定 REVIEW P001"), flags
    assert flags[A2[-7:]].startswith(f"引抜 {TODAY.isoformat()} (自動): 名寄せ変更 — 現在の判定 UNMATCHED -"), flags
    rows = seizures(home)
    assert set(rows["status"]) == {"CANCELLED"} and set(rows["cancel_reason"].str.slice(0, 5)) == {"名寄せ変更"}
    assert "名寄せ変更" in out


# -- protected income -----------------------------------------------------------------------------


def _pension_history(home: Path, account_key: str, person_id: str) -> None:
    """An answered history inquiry: two even-month pension deposits, the last one making most of the balance."""
    stored(
        home,
        "INSERT INTO followups (followup_id, person_id, account_key, provider, origin_inquiry_id, status, created_at) "
        "VALUES ('H-T1', ?, ?, 'dais', 'x', 'ANSWERED', ?)",
        person_id, account_key, TODAY.isoformat(),
    )  # fmt: skip
    rows = [
        (TODAY - dt.timedelta(days=70), "ｺｳｾｲﾈﾝｷﾝ", 110_000, 115_000),
        (TODAY - dt.timedelta(days=40), "ATM", 0, 13_456),
        (TODAY - dt.timedelta(days=10), "ｺｳｾｲﾈﾝｷﾝ", 110_000, 123_456),
    ]
    with sqlite3.connect(home / "store.sqlite3") as con:
        file_id = file_id_of(con, "sha-t", "history")
    for i, (day, desc, dep, bal) in enumerate(rows, start=1):
        stored(
            home,
            "INSERT INTO transactions (followup_id, file_id, line, detail_no, tx_date, description, withdrawal_yen, deposit_yen, balance_yen) "
            "VALUES ('H-T1', ?, ?, ?, ?, ?, 0, ?, ?)",
            file_id, i, i, day.isoformat(), desc, dep, bal,
        )  # fmt: skip


def test_protected_income_is_flagged_and_needs_an_explicit_override(home: Path) -> None:
    _pension_history(home, A3, "P003")
    plan(home)
    path, sheet = export_sheet(home, "sel.xlsx")
    flags = sheet.filter(pl.col(KEY) == A3)["確認事項"].item()
    assert flags.startswith("差押禁止額の確認: 直近35日の差押禁止相当の入金 年金 110,000円")
    # an account with no history answer is not flagged, but says the check could not look
    assert sheet.filter(pl.col(KEY) == A2)["確認事項"].item() == "取引履歴なし (差押禁止額は未確認)"
    assert "取引履歴なし" not in flags

    fill(path, sheet, {A3: {SELECT: "○"}})
    code, out = import_sheet(home, path)
    assert code == 1, out
    assert seizures(home).height == 0
    assert "差押禁止額の確認" in rejects(home)

    fill(path, sheet, {A3: {SELECT: "○", OVERRIDE: "○"}})
    code, out = import_sheet(home, path, operator="係長 花子")
    assert code == 0, out
    row = seizures(home)
    assert row["account_key"].to_list() == [A3] and row["override_by"].item() == "係長 花子"
    _, _, frame, _ = export_list(home)
    flag3 = frame["処理済フラグ3"].item()
    assert "差押禁止額の確認" in flag3 and "確認済 係長 花子" in flag3


# -- one account, one live plan ------------------------------------------------------------------


def test_one_account_is_never_planned_twice_while_live(home: Path) -> None:
    plan(home)
    path, sheet = export_sheet(home)
    fill(path, sheet, {A1: {SELECT: "○"}})
    assert import_sheet(home, path)[0] == 0
    # the same sheet again: refused as stale, nothing planned twice
    code, out = import_sheet(home, path)
    assert code == 1, out
    assert "stale" in rejects(home)
    # the next plan does not offer it, and the store itself refuses a second live row
    plan(home)
    _, sheet = export_sheet(home, "next.csv")
    assert A1 not in sheet[KEY].to_list()
    assert seizures(home).filter(pl.col("account_key") == A1).height == 1
    with pytest.raises(sqlite3.IntegrityError):
        stored(
            home,
            "INSERT INTO seizures (doc_no, fiscal_year, doc_number, status, account_key, person_id, class, registered_at, selected_by, execute_on) "
            "VALUES ('x', 1, 1, 'PLANNED', ?, 'P001', 'CONFIRMED', 'now', 'me', ?)",
            A1, EXECUTE,
        )  # fmt: skip


# -- the list -------------------------------------------------------------------------------------


def test_the_list_has_the_header_byte_for_byte_and_is_excel_safe(home: Path) -> None:
    stored(home, "UPDATE persons SET name_kanji = '=HYPERLINK(\"http://x\")' WHERE person_id = 'P002'")
    plan(home)
    path, sheet = export_sheet(home)
    fill(path, sheet, {A1: {SELECT: "○", STAFF: "S01"}, A2: {SELECT: "○", STAFF: "S02"}})
    assert import_sheet(home, path)[0] == 0
    code, out, frame, raw = export_list(home)
    assert code == 0, out
    assert raw.startswith(b"\xef\xbb\xbf" + HEADER.encode("utf-8") + b"\r\n")
    assert frame.columns == LIST_COLUMNS
    assert frame.filter(pl.col("宛名番号") == "P002")["氏名"].item().startswith("'=")  # never run as a formula
    p1 = frame.filter(pl.col("宛名番号") == "P001").row(0, named=True)
    assert p1["職員名"] == "S01" and p1["金融機関名"] == "みずほ" and p1["口座種別"] == "普通預金"
    assert p1["執行日"].startswith("令和") and p1["住民票住所"] == "東京都新宿区紀尾井坂町1-2-3"
    assert "みずほ（" in p1["差押文言1"] and "口座番号８１２３４５７" in p1["差押文言1"]
    assert p1["差押文言2"] == "振込手数料：２６０円"  # the per-bank fee line of the wording file
    assert p1["文書番号"] == f"{TODAY.year if TODAY.month >= 4 else TODAY.year - 1}-00001"
    assert p1["照会結果ファイル名"].startswith("DAIS_RES_")


def test_the_office_edits_the_wording_in_its_own_copy(home: Path) -> None:
    from inquiry.steps.seize.notice import PACKAGED_CONFIG

    text = PACKAGED_CONFIG.read_text(encoding="utf-8").replace('"0001" = "振込手数料：２６０円"', '"0001" = "振込手数料：３３０円"')
    (home / "seizure.toml").write_text(text, encoding="utf-8")
    plan(home)
    path, sheet = export_sheet(home)
    fill(path, sheet, {A1: {SELECT: "○"}})
    assert import_sheet(home, path)[0] == 0
    _, _, frame, _ = export_list(home)
    assert frame["差押文言2"].item() == "振込手数料：３３０円"
    (home / "seizure.toml").write_text(text.replace("{account_number}", "{acount_number}"), encoding="utf-8")
    code, out = cli("seize", "plan", "--home", home)
    assert code == 2 and "seizure.toml" in out and "acount_number" in out


# -- ゆうちょ ----------------------------------------------------------------------------------------


def _yucho_accounts(home: Path) -> dict[str, str]:
    """Two ゆうちょ accounts of P004 answered through pipitLINQ: 総合 記号14010 and 振替 記号02440."""
    now = dt.datetime.now().isoformat(timespec="seconds")
    stored(home, "INSERT INTO institutions (bank_code, name, provider) VALUES ('9900', 'ゆうちょ', 'pipitlinq')")
    stored(
        home,
        "INSERT INTO inquiries (inquiry_id, person_id, provider, bank_code, as_of, request_file, created_at, sent_on, answered_on, answer) "
        "VALUES ('Y1', 'P004', 'pipitlinq', '9900', '2026-10-01', 'REQ', ?, ?, ?, 'found')",
        now, TODAY.isoformat(), TODAY.isoformat(),
    )  # fmt: skip
    keys = {"sogo": "9900-408-1-0123456", "furikae": "9900-249-2-0004567"}
    accounts = [(keys["sogo"], "408", 1, "0123456", "14010", "01234561"), (keys["furikae"], "249", 2, "0004567", "02440", "00004567")]
    with sqlite3.connect(home / "store.sqlite3") as con:
        file_id = file_id_of(con, "sha-y")
    for line, (key, branch, kind, number, symbol, passbook) in enumerate(accounts, start=1):
        stored(
            home,
            "INSERT INTO answers (file_id, line, inquiry_id, answer, detail_no, account_key, bank_code, branch_code, account_type, "
            "account_number, passbook_symbol, passbook_number, holder_kana, holder_birth_date, holder_address, balance_yen, balance_date, "
            "last_activity, account_status, answered_on) VALUES (?, ?, 'Y1', 'found', ?, ?, '9900', ?, ?, ?, ?, ?, 'ﾜﾀﾇｷ ﾕｷｴ', "
            "'1959-02-28', '東京都新宿区神楽坂楓町9-9-9', 300000, ?, ?, '通常', ?)",
            file_id, line, line, key, branch, kind, number, symbol, passbook, TODAY.isoformat(), TODAY.isoformat(), TODAY.isoformat(),
        )  # fmt: skip
        stored(
            home,
            "INSERT INTO matches (account_key, inquiry_id, inquired_person_id, person_id, class, score, name_evidence, dob_evidence, "
            "address_evidence, matched_at) VALUES (?, 'Y1', 'P004', 'P004', 'CONFIRMED', 1.0, 'exact', 'exact', 'current', ?)",
            key, now,
        )  # fmt: skip
    return keys


def test_yucho_sogo_and_furikae_accounts_are_routed_to_their_centres(home: Path) -> None:
    keys = _yucho_accounts(home)
    plan(home)
    path, sheet = export_sheet(home)
    fill(path, sheet, {keys["sogo"]: {SELECT: "○"}, keys["furikae"]: {SELECT: "○"}})
    code, out = import_sheet(home, path)
    assert code == 0, out
    code, out, frame, _ = export_list(home)
    assert code == 0, out
    yucho = {r["口座種別"]: r for r in frame.filter(pl.col("金融機関名") == "ゆうちょ").iter_rows(named=True)}
    sogo, furikae = yucho["通常貯金"], yucho["振替貯金"]
    # 総合口座: 記号 1 40 10 → digits 40 → 大阪; 振替口座: 記号 0 24 40 → digits 24 → 仙台 (formats/refdata/yucho_centres.csv)
    assert sogo["支店名"] == "大阪貯金事務センター" and furikae["支店名"] == "仙台貯金事務センター"
    assert "ゆうちょ銀行（大阪貯金事務センター扱い）" in sogo["差押文言1"] and "記号番号１４０１０－０１２３４５６１" in sogo["差押文言1"]
    assert "ゆうちょ銀行（仙台貯金事務センター扱い）" in furikae["差押文言1"] and "記号番号０２４４０－００００４５６７" in furikae["差押文言1"]
    assert sogo["差押文言2"] is None  # no transfer fee for ゆうちょ in the wording file


# -- 引抜, audit, report -------------------------------------------------------------------------------


def test_cancel_is_audited_and_shown_in_the_report(home: Path) -> None:
    plan(home)
    path, sheet = export_sheet(home)
    fill(path, sheet, {A1: {SELECT: "○", STAFF: "S01"}, A2: {SELECT: "○", STAFF: "S02"}})
    assert import_sheet(home, path)[0] == 0
    doc = seizures(home)["doc_no"][0]
    code, out = cli("seize", "cancel", doc, "--reason", "分納誓約", "--home", home, "--operator", "係長 花子")
    assert code == 0, out
    (options, operator), = stored(home, "SELECT options, operator FROM audit WHERE command = 'seize cancel'")
    assert json.loads(options) == {"doc_no": doc, "reason": "分納誓約"} and operator == "係長 花子"
    row = seizures(home).filter(pl.col("doc_no") == doc).row(0, named=True)
    assert row["status"] == "CANCELLED" and row["cancel_reason"] == "分納誓約" and row["flag1"].startswith(f"引抜 {TODAY.isoformat()} 係長 花子: 分納誓約")
    code, out = cli("seize", "cancel", doc, "--reason", "again", "--home", home)
    assert code == 2 and "引抜済" in out
    code, out = cli("seize", "cancel", "no-such", "--reason", "x", "--home", home)
    assert code == 2 and "no-such" in out
    code, out = cli("audit", "verify", "--home", home)
    assert code == 0, out

    code, out = cli("report", "--home", home)
    assert code == 0, out
    html = next((home / "reports").glob("report-*.html")).read_text(encoding="utf-8")
    for key in ("seize_status", "seize_bank", "seize_staff", "seizures"):
        assert f'id="t-{key}"' in html
    assert "差押予定 (職員別)" in html and "S02" in html


def test_a_malformed_sheet_is_refused_whole(home: Path) -> None:
    plan(home)
    path, sheet = export_sheet(home)
    fill(path, sheet, {A1: {SELECT: "○"}, A2: {SELECT: "たぶん"}, A3: {SELECT: "○", EXECUTE_ON: "来週"}})
    code, out = import_sheet(home, path)
    assert code == 2
    assert "たぶん" in out and "来週" in out and "sel.csv:3" in out
    assert seizures(home).height == 0


# -- retention ------------------------------------------------------------------------------------


def test_purge_takes_candidates_and_confirmations_the_case_file_stays(home: Path) -> None:
    stored(home, "UPDATE matches SET class = 'PROBABLE' WHERE account_key = ?", A3)
    plan(home)
    path, sheet = export_sheet(home)
    fill(path, sheet, {A1: {SELECT: "○"}, A3: {CONFIRM: "○"}})
    assert import_sheet(home, path)[0] == 0
    assert stored(home, "SELECT count(*) FROM seizure_candidates")[0][0] > 0
    assert stored(home, "SELECT count(*) FROM seizure_confirmations") == [(1,)]

    later = (TODAY + dt.timedelta(days=61)).isoformat()
    code, out = cli("purge", "--home", home, "--as-of", later)
    assert code == 0, out
    assert stored(home, "SELECT count(*) FROM matches") == [(0,)]
    assert stored(home, "SELECT count(*) FROM seizure_candidates") == [(0,)]
    assert stored(home, "SELECT count(*) FROM seizure_confirmations") == [(0,)]
    kept = seizures(home)
    assert kept["account_key"].to_list() == [A1] and kept["name"].item() == "勅使河原 蔵之介"
    data = (home / "store.sqlite3").read_bytes()
    assert b"8345672" not in data  # P003's account: a candidate and a confirmation, purged with its match
    # the list is still exported from the case file; the checks say they cannot look any more
    code, out, frame, _ = export_list(home)
    assert code == 0, out
    assert "照会データ消去済" in frame["処理済フラグ3"].item()


def test_an_old_answer_is_flagged_but_may_still_be_chosen(home: Path) -> None:
    age_answers(home, ["P001"], 40)
    plan(home)
    path, sheet = export_sheet(home)
    flags = sheet.filter(pl.col(KEY) == A1)["確認事項"].item()
    assert "回答が古い: 回答日 " in flags and "(40日経過、残高が変わっている可能性)" in flags
    assert "回答が古い" not in (sheet.filter(pl.col(KEY) == A2)["確認事項"].item() or "")
    fill(path, sheet, {A1: {SELECT: "○"}})
    assert import_sheet(home, path)[0] == 0
    _, _, frame, _ = export_list(home)
    assert "回答が古い" in frame["処理済フラグ3"].item()


def test_a_date_typed_into_excel_is_read(home: Path) -> None:
    plan(home)
    path, sheet = export_sheet(home, "sel.xlsx")
    day = TODAY + dt.timedelta(days=21)
    sheet = sheet.with_columns(
        pl.when(pl.col(KEY) == A1).then(pl.lit("○")).alias(SELECT),
        pl.when(pl.col(KEY) == A1).then(pl.lit("S01")).alias(STAFF),
        pl.when(pl.col(KEY) == A1).then(pl.lit(day)).alias(EXECUTE_ON),  # a real date cell, as Excel saves one
    )
    sheet.write_excel(path, worksheet="差押予定")
    code, out = import_sheet(home, path)
    assert code == 0, out
    assert seizures(home)["execute_on"].to_list() == [day.isoformat()]


def test_the_audit_trail_keeps_count_keys_and_the_screen_shows_their_labels(home: Path) -> None:
    """Rewording a summary label must not change the audit trail's schema: identifiers there, labels on screen."""

    def audited(command: str) -> dict[str, object]:
        return json.loads(stored(home, "SELECT counts FROM audit WHERE command = ? ORDER BY seq DESC LIMIT 1", command)[0][0])

    code, out = cli("seize", "plan", "--home", home, "--execute-on", EXECUTE)
    assert code == 0, out
    keys = audited("seize plan").keys()
    assert {"candidates", "not_planned_closed", "not_planned_covered", "candidates_unconfirmed", "candidates_protected", "candidates_stale"} <= keys
    assert all(k.isascii() and " " not in k for k in keys)
    assert "candidates 要本人確認 (PROBABLE)" in out and "not planned: 解約済/支払停止" in out
    code, out, _, _ = export_list(home)
    assert code == 0, out
    keys = audited("export seizures").keys()
    assert {"pulled_paid", "pulled_relinked", "reduced_paid", "flagged_protected"} <= keys
    assert all(k.isascii() and " " not in k for k in keys)
    assert "pulled (引抜: 名寄せ変更)" in out and "flagged 差押禁止額の確認" in out
