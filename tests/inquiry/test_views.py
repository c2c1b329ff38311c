"""The store's views (migration 7) against the vocabulary and against what each command shows.

The views are the one definition of a link as it stands (``effective_matches``),
an account's first and latest answer (``first_answers``, ``latest_answers``)
and an inquiry's outcome (``inquiry_outcomes``). Their SQL repeats a few
literals of :mod:`inquiry.vocabulary` (SQL cannot import Python): the first
test holds them together. The others build a real workspace through the CLI —
two cycles of answers ingested in one run, an account answered twice (the
owner's inquiry and a namesake's, the second with a newer balance), a
reviewer's accept and reject — and check that every command shows what its
view says: ``export matches``/``outcomes``, the review sheet, ``followups``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import sqlite3
from pathlib import Path

import polars as pl
import pytest

import formats
from inquiry.runtime.migrations import MIGRATIONS
from inquiry.steps.review import DECISION, KEY
from inquiry.vocabulary import ANSWERS, CLASSES, EFFECTIVE_CLASS_SQL, EFFECTIVE_PERSON_SQL, HIT_CLASSES
from tests.inquiry._fixtures import OFFICE, Person, cli, init_and_prepare, mark_sent, stored, write_office

#: a namesake of P001 (same name, another birth date and address), in the master from the second cycle
NAMESAKE = Person("P005", OFFICE[0].name_kanji, OFFICE[0].name_kana, "1970-07-07", "東京都新宿区西早稲田1-1-1", "8999999")
#: where the banks have P003's and P004's accounts registered: neither person's address (→ REVIEW)
ELSEWHERE = "北海道札幌市中央区北一条西2-1-1"
_BY_ID = {p.person_id: p for p in (*OFFICE, NAMESAKE)}


def _view_sql(name: str, version: int = len(MIGRATIONS)) -> str:
    """The SQL of view ``name`` as migration ``version`` leaves it (by default: the store's now)."""
    con = sqlite3.connect(":memory:")
    try:
        for script in MIGRATIONS[:version]:
            con.executescript(script)
        return con.execute("SELECT sql FROM sqlite_master WHERE type = 'view' AND name = ?", (name,)).fetchone()[0]
    finally:
        con.close()


def test_views_say_what_the_vocabulary_says() -> None:
    effective = _view_sql("effective_matches")
    assert f"{EFFECTIVE_PERSON_SQL} AS person_id" in effective and f"{EFFECTIVE_CLASS_SQL} AS class" in effective
    outcomes = _view_sql("inquiry_outcomes")
    hit_tests = re.findall(r"e\.class IN (\([^)]*\))", outcomes)
    assert hit_tests and set(hit_tests) == {str(HIT_CLASSES)}  # the hits are matching's, nowhere else written
    words = set(re.findall(r"'([A-Z_]+)'", outcomes + effective))
    assert words <= {*CLASSES, *ANSWERS, "PENDING"}, words - {*CLASSES, *ANSWERS, "PENDING"}
    assert {*ANSWERS, "PENDING"} <= words


def _answer(home: Path, request: Path, into: Path, seq: int) -> Path:
    """The bank's answer to ``request``: each inquired person's account; P005's inquiry gets P001's account, newer."""
    req = formats.read_request(request)
    asked = dict(stored(home, "SELECT inquiry_id, person_id FROM inquiries"))
    rows = []
    for iid, bank, kana in req.rows.select("inquiry_id", "bank_code", "name_kana").iter_rows():
        person = _BY_ID[asked[iid]]  # the namesake's kana is the owner's: the request's is the holder's, in the service's form
        owner = OFFICE[0] if person is NAMESAKE else person
        number = ("9" + owner.account_number[1:]) if req.provider == "pipitlinq" else owner.account_number
        rows.append({
            "inquiry_id": iid, "person_id": person.person_id, "inquired_name": person.name_kanji, "inquired_address": person.address,
            "answer": "found", "detail_no": 1, "bank_code": bank, "bank_name": None,
            "branch_code": "101", "branch_name": None, "account_type": 1, "account_number": number, "passbook_symbol": None,
            "passbook_number": None, "holder_kana": kana, "holder_birth_date": dt.date.fromisoformat(owner.birth_date),
            "holder_address": ELSEWHERE if owner.person_id in ("P003", "P004") else owner.address,
            "balance_yen": 654_321 if person is NAMESAKE else 123_456,
            "balance_date": dt.date(2026, 11, 15) if person is NAMESAKE else dt.date(2026, 10, 31),
            "opened_on": dt.date(2010, 4, 1), "last_activity": dt.date(2026, 10, 25), "account_status": "通常", "unable_reason": None,
        })  # fmt: skip
    path = into / request.name.replace("_REQ_", "_RES_")
    frame = pl.DataFrame(rows, infer_schema_length=None)
    formats.write_response(req.provider, "basic", frame, path, municipality_code="131041", created_on=dt.date(2026, 11, 1), seq=seq)  # type: ignore[arg-type]
    return path


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two cycles answered and ingested in one run, matched, reviewed (one accept, one reject), followed up, exported."""
    root = tmp_path_factory.mktemp("views")
    home, held = root / "ws", root / "held"
    held.mkdir()
    init_and_prepare(home, write_office(root / "office"))
    first = {p.name: _answer(home, p, held, 1) for p in sorted((home / "outbox").glob("*_REQ_*"))}
    mark_sent(home)
    code, out = cli("prepare", "--home", home, *_second_master(root), "--as-of", "2026-10-15")
    assert code == 0, out
    for request in sorted(p for p in (home / "outbox").glob("*_REQ_*") if p.name not in first):  # everyone asked again, and P005
        # the second cycle's answer sorts after the first by name; made to sort before it by hash, so the
        # stored order (ingest, file, line) and the order of (answer day, file hash, line) disagree
        earlier = next(a for a in first.values() if a.name[:5] == request.name[:5])
        seq = next(s for s in range(1, 100) if _sha(_answer(home, request, held, s)) < _sha(earlier))
        _answer(home, request, held, seq)
    mark_sent(home)
    for answer in held.iterdir():
        answer.rename(home / "inbox" / answer.name)
    for command in (("ingest",), ("match",)):
        code, out = cli(*command, "--home", home)
        assert code == 0, out
    sheet_path = home / "review.csv"
    code, out = cli("review", "export", "--home", home, "--out", sheet_path)
    assert code == 0, out
    sheet = pl.read_csv(sheet_path, infer_schema=False)
    assert sheet.height == 4  # P003's and P004's accounts at both banks
    decisions = {0: f"accept {sheet['候補1 宛名番号'][0]}", 1: "reject"}
    filled = sheet.with_columns(pl.Series(DECISION, [decisions.get(i) for i in range(sheet.height)], dtype=pl.Utf8))
    filled.write_csv(root / "decided.csv")
    code, out = cli("review", "import", root / "decided.csv", "--home", home)
    assert code == 0, out
    code, out = cli("followups", "--home", home)
    assert code == 0, out
    (root / "followups.out").write_text(out, encoding="utf-8")
    for what in ("matches", "outcomes", "followups"):
        code, out = cli("export", what, "--home", home, "--out", root / f"{what}.csv")
        assert code == 0, out
    return home


def _second_master(root: Path) -> list[str]:
    office = write_office(root / "office2", (*OFFICE, NAMESAKE))
    return ["--master", str(office["master"]), "--institutions", str(office["institutions"])]


def _csv(home: Path, what: str) -> pl.DataFrame:
    return pl.read_csv(home.parent / f"{what}.csv", infer_schema=False)


def _view(home: Path, sql: str) -> pl.DataFrame:
    con = sqlite3.connect(home / "store.sqlite3")
    try:
        cur = con.execute(sql)
        names = [d[0] for d in cur.description]
        return pl.DataFrame([[None if v is None else str(v) for v in row] for row in cur.fetchall()], schema=names, orient="row")
    finally:
        con.close()


def test_effective_matches_is_what_export_matches_shows(home: Path) -> None:
    view = _view(home, "SELECT account_key, person_id, class, linked_class, decision FROM effective_matches ORDER BY account_key")
    shown = _csv(home, "matches").select("account_key", "person_id", "class")
    assert view.select("account_key", "person_id", "class").equals(shown)
    decided = {d: (c, p, linked) for d, c, p, linked in view.select("decision", "class", "person_id", "linked_class").drop_nulls("decision").iter_rows()}
    assert decided["accept"][0] == "CONFIRMED" and decided["accept"][1] in ("P003", "P004") and decided["accept"][2] == "REVIEW"
    assert decided["reject"] == ("UNMATCHED", None, "REVIEW")


def test_first_answers_is_the_bank_data_matches_and_the_review_sheet_show(home: Path) -> None:
    first = _view(home, "SELECT account_key, inquiry_id, holder_address, balance_yen FROM first_answers ORDER BY account_key")
    shown = _csv(home, "matches").select("account_key", "inquiry_id", "holder_address", "balance_yen")
    # the inquiry a link names is the one its bank data comes from (both: the first answer as stored)
    assert first.equals(shown)
    # every account was answered in both cycles (P001's also for the namesake), the files ingested in one run:
    # the first answer is the first cycle's, whose file sorts first by name though second by hash
    files = dict(stored(home, "SELECT a.account_key, min(r.file_name) FROM answers a JOIN response_files r ON r.file_id = a.file_id "
                              "WHERE a.answer = 'found' GROUP BY a.account_key HAVING count(*) > 1"))  # fmt: skip
    assert len(files) == first.height == 8
    came_from = dict(stored(home, "SELECT f.account_key, r.file_name FROM first_answers f JOIN response_files r ON r.file_id = f.file_id"))
    assert came_from == files
    assert (first["balance_yen"] == "123456").all()  # not the namesake's answer, newer
    sheet = pl.read_csv(home / "review.csv", infer_schema=False).select(KEY, "名義住所", "残高 (円)")
    on_sheet = first.join(sheet, left_on="account_key", right_on=KEY)
    assert on_sheet.height == 4 and (on_sheet["holder_address"] == on_sheet["名義住所"]).all()
    assert (on_sheet["balance_yen"] == on_sheet["残高 (円)"]).all()


def test_latest_answers_is_what_followups_act_on(home: Path) -> None:
    latest = _view(home, "SELECT account_key, inquiry_id, balance_yen FROM latest_answers")
    followed = pl.DataFrame(
        stored(home, "SELECT account_key, origin_inquiry_id, reason FROM followups"), schema=["account_key", "origin", "reason"], orient="row"
    )
    assert followed.height >= 4
    both = followed.join(latest, on="account_key", how="left")
    assert (both["origin"] == both["inquiry_id"]).all()
    namesake_inquiries = {r[0] for r in stored(home, "SELECT inquiry_id FROM inquiries WHERE person_id = 'P005'")}
    newer = both.filter(pl.col("inquiry_id").is_in(list(namesake_inquiries)))
    assert newer.height == 2 and newer["reason"].str.contains("残高 654,321円").all()  # the newer balance, not the first
    assert set(_csv(home, "followups")["account_key"]) == set(followed["account_key"])


def test_inquiry_outcomes_is_export_outcomes(home: Path) -> None:
    view = _view(home, "SELECT inquiry_id, person_id, provider, bank_code, sent_on, answered_on, answer, accounts, hits, hit_balance_yen "
                       "FROM inquiry_outcomes ORDER BY inquiry_id")  # fmt: skip
    shown = _csv(home, "outcomes")
    assert view.equals(shown)
    by_person = dict(shown.group_by("person_id").agg(pl.col("answer").unique().sort().str.join(",")).iter_rows())
    assert by_person["P001"] == "HIT" and by_person["P005"] == "ACCOUNTS"  # the namesake's inquiry found the owner's account
    assert by_person["P002"] == "HIT" and "HIT" in by_person["P003"] + by_person["P004"]


def test_the_summary_shows_labels_and_the_audit_trail_records_keys(home: Path) -> None:
    shown = (home.parent / "followups.out").read_text(encoding="utf-8")
    assert "queued_paper (書面照会)" in shown and "skipped_cleared (納付済)" in shown
    counts = json.loads(stored(home, "SELECT counts FROM audit WHERE command = 'followups' ORDER BY seq DESC LIMIT 1")[0][0])
    assert {"queued_paper", "skipped_cleared", "not_followed_closed", "waiting_to_be_sent"} <= set(counts)
    assert not [key for key in counts if " " in key]  # identifiers: rewording a label leaves the audit trail's schema alone


@pytest.mark.parametrize(("view", "key"), [("inquiry_outcomes", "inquiry_id"), ("latest_answers", "answer_row"), ("first_answers", "answer_row")])
def test_views_read_in_parts_give_the_rows_of_their_first_definition(home: Path, view: str, key: str) -> None:
    """Migration 9 reshaped ``inquiry_outcomes`` and ``latest_answers`` to be read in parts (issue #10,
    session 5): every row, column and value is migration 7's, and the export read in parts is the whole."""
    first = _view_sql(view, version=8).replace(f"CREATE VIEW {view} AS", f"CREATE TEMP VIEW first_{view} AS", 1)
    con = sqlite3.connect(home / "store.sqlite3")
    try:
        con.execute(first)
        now = con.execute(f"SELECT * FROM {view} ORDER BY {key}").fetchall()
        before = con.execute(f"SELECT * FROM first_{view} ORDER BY {key}").fetchall()
        names = [d[1] for d in con.execute(f"PRAGMA table_info({view})")], [d[1] for d in con.execute(f"PRAGMA table_info(first_{view})")]
    finally:
        con.close()
    assert now == before and len(now) > 4 and names[0] == names[1]
    if view == "inquiry_outcomes":  # a hit, a namesake's accounts and an inquiry answered twice among them
        assert {"HIT", "ACCOUNTS"} <= {r[6] for r in now}


def test_a_read_in_parts_is_the_whole_read_in_key_order(home: Path) -> None:
    from inquiry.runtime.store import FastQuery, Store

    query = FastQuery("SELECT inquiry_id, person_id, answer, hits FROM inquiry_outcomes", {"inquiry_id": pl.Utf8, "person_id": pl.Utf8, "answer": pl.Utf8, "hits": pl.Int64})
    with Store(home / "store.sqlite3") as store:
        whole = store.fast_frame(query.sql + " ORDER BY inquiry_id", query.schema)
        parts = store.in_parts(query, "inquiry_id", "inquiries", parts=3)
        read = store.fast_frame_in_parts(query, "inquiry_id", "inquiries")
        each = [store.fast_frame(q.sql, q.schema) for q in parts]
    assert len(parts) == 3 and all(f.height for f in each) and pl.concat(each).equals(whole)
    assert read.equals(whole) and whole.height == whole["inquiry_id"].n_unique() > 3
