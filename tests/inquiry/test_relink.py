"""Decisions across nightly cycles, through the real CLI (issue #15, points 4 and 5).

Cycle 1 runs with a master that lacks three persons: 勅使河原 蔵之助 (P005),
whose account the bank returns for his namesake P001 (another birth date:
HOMONYM); 纐纈 菊野 (P006), born the same day as her namesake P002, whose
account comes back for P002 from another town (REVIEW); and 鬼頭 鷹男 (P007),
recorded with 鬼頭 鷹雄's (P003) kana, birth date and address. Cycle 2 loads the
full master (new persons arrive, nothing new is answered) and matches again.
The decisions must be those of one run with the full master, and what a
person decided or a history inquiry rests on must stay as it was.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import polars as pl

import formats
from inquiry.runtime.store import Store
from inquiry.steps.exports import matches_frame
from inquiry.steps.review import DECISION, KEY
from inquiry.vocabulary import CLASS_LABELS, EVIDENCE_LABELS
from tests.inquiry._fixtures import (
    OFFICE,
    Person,
    _response_frame,
    cli,
    init_and_prepare,
    mark_sent,
    stored,
    write_office,
)

NEWCOMERS = (
    Person("P005", "勅使河原 蔵之助", "テシガハラ クラノスケ", "1970-05-05", "東京都新宿区百人町9-8-7", "8567894"),
    Person("P006", "纐纈 菊野", "コウケツ キクノ", "1975-08-09", "東京都新宿区戸山町3-2-1", "8678905"),
    Person("P007", "鬼頭 鷹男", "キトウ タカオ", "1988-12-24", "東京都新宿区霞ヶ丘蓬莱町7-8-9", "8789016"),
)
#: the namesake's account the bank returns on the inquiry for this person (DAIS bank 0001)
RETURNED_FOR = {"P001": NEWCOMERS[0], "P002": NEWCOMERS[1]}
NAMESAKE_KEYS = {"P005": "0001-101-1-8567894", "P006": "0001-101-1-8678905"}


def _answer(home: Path, asked: tuple[Person, ...], requests: Path | None = None, seq: int = 1) -> None:
    """Answer the inquiries of ``asked`` in outbox/ (or ``requests``; one own account each) and, at bank 0001,
    also return the namesakes' accounts of :data:`RETURNED_FOR`; other inquiries stay unanswered."""
    by_name = {p.name_kanji.replace(" ", ""): p for p in asked}
    for req_path in sorted((requests or home / "outbox").glob("*_REQ_*")):
        req = formats.read_request(req_path)
        rows = req.rows.with_columns(_k=pl.col("name_kanji").str.replace_all("[\u3000 ]", "")).filter(pl.col("_k").is_in(list(by_name)))
        if rows.height == 0:
            continue
        person = {r["inquiry_id"]: by_name[r["_k"]] for r in rows.iter_rows(named=True)}
        frame = _response_frame(dataclasses.replace(req, rows=rows.drop("_k")), {i: p.account_number for i, p in person.items()})
        if req.provider == "pipitlinq":
            frame = frame.with_columns(account_number=pl.lit("9") + pl.col("account_number").str.slice(1))
        else:
            extra = []
            for r in frame.iter_rows(named=True):
                namesake = RETURNED_FOR.get(person[r["inquiry_id"]].person_id)
                if namesake:
                    extra.append({**r, "detail_no": 2, "account_number": namesake.account_number, "holder_birth_date": dt.date.fromisoformat(namesake.birth_date),
                                  "holder_address": namesake.address})  # fmt: skip
            frame = pl.concat([frame, pl.DataFrame(extra, schema=frame.schema)])
        path = home / "inbox" / req_path.name.replace("_REQ_", "_RES_" if seq == 1 else f"_RES{seq}_")
        formats.write_response(req.provider, "basic", frame, path, municipality_code="131041", created_on=dt.date(2026, 11, 1), seq=seq)  # type: ignore[arg-type]


def _cycle_one(root: Path) -> tuple[Path, dict[str, Path]]:
    """A workspace after cycle 1 (master without the newcomers: asked, answered, matched), and the full master."""
    home = root / "ws"
    init_and_prepare(home, write_office(root / "office1"))
    _answer(home, OFFICE)
    mark_sent(home)
    assert cli("ingest", "--home", home)[0] == 0
    code, out = cli("match", "--home", home)
    assert code == 0, out
    return home, write_office(root / "office2", OFFICE + NEWCOMERS)


def _prepare(home: Path, office: dict[str, Path]) -> None:
    code, out = cli("prepare", "--home", home, "--master", office["master"], "--institutions", office["institutions"], "--as-of", "2026-11-01")
    assert code == 0, out


def _decisions(home: Path) -> dict[str, tuple]:
    """Every account's decision as the exports see it: (class, person, candidates)."""
    with Store(home / "store.sqlite3") as s:
        frame = matches_frame(s)
    return {k: (c, p, cand) for k, c, p, cand in frame.select("account_key", "class", "person_id", "candidates").iter_rows()}


def _last_counts(home: Path, command: str = "match") -> dict:
    rows = stored(home, f"SELECT counts FROM audit WHERE command = '{command}' ORDER BY seq DESC LIMIT 1")
    return json.loads(rows[0][0])


def test_two_cycles_reach_the_decisions_of_one_run_with_the_full_master(tmp_path: Path) -> None:
    home, full = _cycle_one(tmp_path / "two")
    first = _decisions(home)
    assert first[NAMESAKE_KEYS["P005"]][:2] == ("HOMONYM", None)  # only his namesake P001 is known yet
    assert first[NAMESAKE_KEYS["P006"]][:2] == ("REVIEW", "P002")

    _prepare(home, full)  # cycle 2: the newcomers arrive; nothing new is answered
    code, out = cli("match", "--home", home)
    assert code == 0, out
    two_cycles = _decisions(home)

    one = tmp_path / "one" / "ws"  # one run: the full master from the start, the same answers
    init_and_prepare(one, full)
    _answer(one, OFFICE)
    mark_sent(one)
    assert cli("ingest", "--home", one)[0] == 0
    assert cli("match", "--home", one)[0] == 0
    assert two_cycles == _decisions(one)
    assert two_cycles[NAMESAKE_KEYS["P005"]][:2] == ("CONFIRMED", "P005")
    assert two_cycles[NAMESAKE_KEYS["P006"]][:2] == ("CONFIRMED", "P006")
    p003 = [k for k in two_cycles if k.endswith(("8345672", "9345672"))]
    assert [two_cycles[k][0] for k in p003] == ["REVIEW", "REVIEW"]  # P007 fits as well as P003
    # the same evidence, too
    evidence = "SELECT account_key, rank, person_id, class, score, name_evidence, dob_evidence, address_evidence, reason FROM match_evidence ORDER BY 1, 2"
    assert stored(home, evidence) == stored(one, evidence)

    # the summary says what changed, from what to what; each answer counted once (none is new)
    counts = _last_counts(home)
    assert {k: v for k, v in counts.items() if "_to_" in k} == {"HOMONYM_to_CONFIRMED": 1, "REVIEW_to_CONFIRMED": 1, "CONFIRMED_to_REVIEW": 2}
    assert counts["decisions_changed"] == 4 and counts["accounts_relinked"] == 10
    assert counts["account_records"] == 0 == counts["accounts_linked"] == counts["CONFIRMED"]
    assert "HOMONYM→CONFIRMED" in out and "REVIEW→CONFIRMED" in out
    assert not any(p.person_id in json.dumps(counts) or p.account_number in json.dumps(counts) for p in OFFICE + NEWCOMERS)

    # nothing new: nothing re-linked, nothing written
    before = stored(home, "SELECT * FROM matches ORDER BY account_key")
    code, out = cli("match", "--home", home)
    assert code == 0 and "nothing re-linked" in out, out
    assert stored(home, "SELECT * FROM matches ORDER BY account_key") == before
    assert _last_counts(home)["accounts_relinked"] == 0
    # the same master loaded again (within the same second, too): nothing new for match
    _prepare(home, full)
    code, out = cli("match", "--home", home)
    assert code == 0 and "nothing re-linked" in out, out
    # an unrelated person arrives: every open account is weighed again, the same result writes nothing
    evidence_before = stored(home, evidence)
    stranger = Person("P099", "東海林 芳郎", "ショウジ ヨシロウ", "1950-01-01", "東京都新宿区若葉町1-1-1", "8999999")
    _prepare(home, write_office(tmp_path / "office3", OFFICE + NEWCOMERS + (stranger,)))
    assert cli("match", "--home", home)[0] == 0
    counts = _last_counts(home)
    assert counts["accounts_relinked"] == 10 and counts["decisions_changed"] == 0 == counts["links_updated_same_decision"]
    assert stored(home, "SELECT * FROM matches ORDER BY account_key") == before
    assert stored(home, evidence) == evidence_before


def test_a_reviewers_decision_and_a_followed_up_link_are_final(tmp_path: Path) -> None:
    home, full = _cycle_one(tmp_path)
    # a reviewer rejects P006's account for P002 (REVIEW in cycle 1) ...
    sheet_path = tmp_path / "review.csv"
    code, out = cli("review", "export", "--home", home, "--out", sheet_path)
    assert code == 0, out
    sheet = pl.read_csv(sheet_path, infer_schema=False)
    assert sheet[KEY].to_list() == [NAMESAKE_KEYS["P006"]]
    # the sheet shows what link() weighed for P002, as stored
    (cls, name, dob, address, reason), = stored(
        home, f"SELECT class, name_evidence, dob_evidence, address_evidence, reason FROM match_evidence "
              f"WHERE account_key = '{NAMESAKE_KEYS['P006']}' AND person_id = 'P002'")  # fmt: skip
    shown = sheet.select("候補1 宛名番号", "候補1 照合の分類", "候補1 氏名の一致", "候補1 生年月日の一致", "候補1 住所の一致", "候補1 照合の理由").row(0)
    assert shown == ("P002", CLASS_LABELS[cls], EVIDENCE_LABELS["name"][name], EVIDENCE_LABELS["dob"][dob], EVIDENCE_LABELS["address"][address], reason)
    assert (cls, dob, address) == ("REVIEW", "exact", "city")  # same 新宿区, another town
    sheet = sheet.with_columns(pl.lit("reject").alias(DECISION))
    sheet_path.write_bytes(b"\xef\xbb\xbf" + sheet.write_csv().encode("utf-8"))
    code, out = cli("review", "import", sheet_path, "--home", home, "--operator", "審査 花子")
    assert code == 0, out
    # ... and history inquiries are queued for the hits, P003's two accounts among them
    code, out = cli("followups", "--home", home)
    assert code == 0, out
    followed = {k for (k,) in stored(home, "SELECT account_key FROM followups")}
    p003 = {k for k in followed if k.endswith(("8345672", "9345672"))}
    assert len(p003) == 2
    reviewed = stored(home, f"SELECT * FROM matches WHERE account_key = '{NAMESAKE_KEYS['P006']}'")
    hits = stored(home, "SELECT * FROM matches WHERE account_key IN (SELECT account_key FROM followups) ORDER BY account_key")
    evidence = stored(home, "SELECT * FROM match_evidence WHERE account_key IN (SELECT account_key FROM followups) "
                             f"OR account_key = '{NAMESAKE_KEYS['P006']}' ORDER BY 1, 2")  # fmt: skip

    _prepare(home, full)
    code, out = cli("match", "--home", home)
    assert code == 0, out
    after = _decisions(home)
    # the reviewer's decision stands (a fresh link would make it P006's CONFIRMED)
    assert stored(home, f"SELECT * FROM matches WHERE account_key = '{NAMESAKE_KEYS['P006']}'") == reviewed
    assert after[NAMESAKE_KEYS["P006"]][:2] == ("UNMATCHED", None)
    # the followed-up hits are not re-decided (a fresh link would make P003's a tie with P007: REVIEW)
    assert stored(home, "SELECT * FROM matches WHERE account_key IN (SELECT account_key FROM followups) ORDER BY account_key") == hits
    assert all(after[k][:2] == ("CONFIRMED", "P003") for k in p003)
    assert stored(home, "SELECT * FROM match_evidence WHERE account_key IN (SELECT account_key FROM followups) "
                         f"OR account_key = '{NAMESAKE_KEYS['P006']}' ORDER BY 1, 2") == evidence  # fmt: skip
    # the one account still open becomes its owner's
    assert after[NAMESAKE_KEYS["P005"]][:2] == ("CONFIRMED", "P005")
    counts = _last_counts(home)
    assert {k: v for k, v in counts.items() if "_to_" in k} == {"HOMONYM_to_CONFIRMED": 1}
    assert counts["accounts_relinked"] == 1 and counts["decisions_changed"] == 1


def test_nightly_relinks_when_the_newcomers_answers_arrive(tmp_path: Path) -> None:
    """Cycle 2 as an office runs it: the full master is prepared, the newcomers' answers come in
    (two of them for accounts already linked for a namesake) and ``nightly`` ingests and matches."""
    home, full = _cycle_one(tmp_path / "two")
    linked_in_cycle_one = set(_decisions(home))
    _prepare(home, full)
    _answer(home, NEWCOMERS)
    mark_sent(home)
    code, out = cli("nightly", "--home", home)
    assert code == 0, out
    two_cycles = _decisions(home)

    one = tmp_path / "one" / "ws"
    init_and_prepare(one, full)
    _answer(one, OFFICE + NEWCOMERS)
    mark_sent(one)
    assert cli("ingest", "--home", one)[0] == 0
    assert cli("match", "--home", one)[0] == 0
    assert two_cycles == _decisions(one)
    assert two_cycles[NAMESAKE_KEYS["P005"]][:2] == ("CONFIRMED", "P005")
    assert two_cycles[NAMESAKE_KEYS["P006"]][:2] == ("CONFIRMED", "P006")

    counts = _last_counts(home, "nightly match")
    assert {k: v for k, v in counts.items() if "_to_" in k} == {"HOMONYM_to_CONFIRMED": 1, "REVIEW_to_CONFIRMED": 1, "CONFIRMED_to_REVIEW": 2}
    # each answer counts once: the answers for the two accounts linked before are not counted again
    new_accounts = set(two_cycles) - linked_in_cycle_one
    assert counts["accounts_linked"] == len(new_accounts) == 4 and counts["account_records"] == 4
    assert counts["accounts_relinked"] == 10


def test_new_answers_with_the_same_persons_link_only_the_new_accounts(tmp_path: Path) -> None:
    """The persons as last time and new answers only (issue #10, session 5): the accounts linked before
    keep their first answer, so ``match`` links only the new ones - and decides as one run over all answers."""
    everyone = OFFICE + NEWCOMERS
    home = tmp_path / "two" / "ws"
    office = write_office(tmp_path / "two" / "office", everyone)
    init_and_prepare(home, office)
    requests = {p.name: p.read_bytes() for p in (home / "outbox").glob("*_REQ_*")}
    _answer(home, OFFICE[:2])  # the namesakes' accounts come back at bank 0001 too
    mark_sent(home)
    assert cli("ingest", "--home", home)[0] == 0
    assert cli("match", "--home", home)[0] == 0
    linked_first = set(_decisions(home))
    later = tmp_path / "later"
    later.mkdir()
    for name, data in requests.items():  # the other persons' answers to the same requests, in files of their own
        (later / name).write_bytes(data)
    _answer(home, (*OFFICE[2:], *NEWCOMERS), later, seq=2)
    code, out = cli("ingest", "--home", home)
    assert code == 0, out
    code, out = cli("match", "--home", home)
    assert code == 0, out
    counts = _last_counts(home)
    two_cycles = _decisions(home)
    assert counts["accounts_relinked"] == 0 and counts["accounts_linked"] == len(set(two_cycles) - linked_first) > 0

    one = tmp_path / "one" / "ws"
    init_and_prepare(one, write_office(tmp_path / "one" / "office", everyone))
    _answer(one, everyone)
    mark_sent(one)
    assert cli("ingest", "--home", one)[0] == 0
    assert cli("match", "--home", one)[0] == 0
    assert two_cycles == _decisions(one)


def test_a_changed_matching_rule_relinks_every_open_account(tmp_path: Path, monkeypatch) -> None:
    """Nothing new arrived, but a rule of matching/ changed (a fix, without a new version number):
    every open account is linked again once under the new rule, then nothing is until something changes."""
    home, _ = _cycle_one(tmp_path)
    open_accounts = len(stored(home, "SELECT account_key FROM matches"))
    code, out = cli("match", "--home", home)
    assert code == 0 and _last_counts(home)["accounts_relinked"] == 0, out
    monkeypatch.setattr("inquiry.steps.match.rules_digest", lambda: "another rule set")
    assert cli("match", "--home", home)[0] == 0
    assert _last_counts(home)["accounts_relinked"] == open_accounts > 0
    assert cli("match", "--home", home)[0] == 0
    assert _last_counts(home)["accounts_relinked"] == 0
