"""Retention: 60 days after the answer, personal data leaves the store for good.

A tiny office goes through prepare → sent → ingest → match; two of its four
persons are then made 70 days old. After ``inquiry purge`` their names, kana,
account numbers and addresses must not be found anywhere in the bytes of the
store file (nor a journal), the two recent persons must still be there, the
anonymous counts must be kept in ``stats``, and a deletion certificate must
be in ``reports/`` with its hashes in the audit trail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import time
from pathlib import Path

import pytest

from inquiry.runtime.store import Store
from tests.inquiry._fixtures import OFFICE, age_answers, cli, file_id_of

OLD, NEW = ["P001", "P002"], ["P003", "P004"]


def _zengin(kana: str) -> str:
    import polars as pl

    from matching.kana import to_zengin

    return pl.DataFrame({"k": [kana]}).select(to_zengin(pl.col("k"))).item()


def _tokens(person_id: str) -> list[bytes]:
    """What of a person could leak: name parts (kanji, kana, half-width kana), account numbers, address, birth date."""
    p = next(x for x in OFFICE if x.person_id == person_id)
    parts = p.name_kanji.split() + p.name_kana.split() + _zengin(p.name_kana).split()
    numbers = _numbers(person_id)
    address = [p.address.replace("東京都新宿区", "")[:5]]
    return [t.encode("utf-8") for t in parts + numbers + address + [p.birth_date]]


def _numbers(person_id: str) -> list[str]:
    """The person's account numbers at the two banks (as in the answers, :func:`answer_outbox`)."""
    p = next(x for x in OFFICE if x.person_id == person_id)
    return [p.account_number, "9" + p.account_number[1:]]


def _store_bytes(home: Path) -> bytes:
    data = b""
    for name in ("store.sqlite3", "store.sqlite3-journal", "store.sqlite3-wal"):
        if (home / name).exists():
            data += (home / name).read_bytes()
    return data


def _count(home: Path, sql: str, params: tuple = ()) -> int:
    with Store(home / "store.sqlite3") as store:
        return int(store.scalar(sql, params))


def test_purged_values_cannot_be_found_in_the_store_file(home: Path) -> None:
    before = _store_bytes(home)
    for pid in OLD + NEW:  # the search works: every value is there before the purge
        assert all(t in before for t in _tokens(pid)), pid
    evidence = "SELECT count(*) FROM match_evidence WHERE account_key LIKE ?"
    assert all(_count(home, evidence, (f"%{n}",)) for p in OFFICE for n in _numbers(p.person_id))  # the evidence is kept, by account
    age_answers(home, OLD, 70)
    code, out = cli("purge", "--home", home)
    assert code == 0, out
    after = _store_bytes(home)
    for pid in OLD:
        found = [t.decode() for t in _tokens(pid) if t in after]
        assert found == [], f"{pid}: purged values still in the store file: {found}"
        assert not any(_count(home, evidence, (f"%{n}",)) for n in _numbers(pid)), f"{pid}: evidence of a purged link kept"
    for pid in NEW:  # not yet due: still there
        assert all(t in after for t in _tokens(pid)), pid
        assert all(_count(home, evidence, (f"%{n}",)) for n in _numbers(pid)), pid
    assert not (home / "store.sqlite3-journal").exists()


def test_purge_keeps_anonymous_counts_and_deletes_every_kind(home: Path) -> None:
    age_answers(home, OLD, 70)
    code, out = cli("purge", "--home", home)
    assert code == 0, out
    with Store(home / "store.sqlite3") as store:
        assert store.scalar("SELECT count(*) FROM inquiries") == 4  # 2 persons x 2 banks left
        assert store.scalar("SELECT count(*) FROM answers") == 4
        assert store.scalar("SELECT count(*) FROM matches") == 4
        assert sorted(r[0] for r in store.conn.execute("SELECT person_id FROM persons")) == NEW
        stats = {(r[1], r[2], r[3], r[4]): r[5] for r in store.conn.execute("SELECT * FROM stats")}
        # files still known by hash: ingesting them again is still a no-op
        assert store.scalar("SELECT count(*) FROM response_files") == 2
    assert stats == {
        ("dais", "0001", "answer", "found"): 2,
        ("pipitlinq", "0005", "answer", "found"): 2,
        ("dais", "0001", "class", "CONFIRMED"): 2,
        ("pipitlinq", "0005", "class", "CONFIRMED"): 2,
    }


def test_deletion_certificate_in_reports_and_audit_trail(home: Path) -> None:
    with Store(home / "store.sqlite3") as store:
        marks = ",".join("?" * len(OLD))
        inquiry_ids = [r[0] for r in store.conn.execute(f"SELECT inquiry_id FROM inquiries WHERE person_id IN ({marks})", OLD)]
        answer_ids = [f"{s}:{n}" for s, n in store.conn.execute(
            f"SELECT r.sha256, a.line FROM answers a JOIN response_files r ON r.file_id = a.file_id "
            f"WHERE a.inquiry_id IN (SELECT inquiry_id FROM inquiries WHERE person_id IN ({marks}))", OLD)]  # fmt: skip
        account_keys = [r[0] for r in store.conn.execute(
            f"SELECT account_key FROM matches WHERE inquired_person_id IN ({marks})", OLD)]  # fmt: skip
    age_answers(home, OLD, 70)
    code, out = cli("purge", "--home", home, "--operator", "担当A")
    assert code == 0, out
    certs = sorted((home / "reports").glob("purge-*"))
    assert [p.suffix for p in certs] == [".json", ".txt"]
    cert = json.loads(certs[0].read_text(encoding="utf-8"))
    assert cert["operator"] == "担当A"
    assert cert["counts"] == {
        "inquiries": 4, "inquiries_unanswered": 0, "answers": 4, "matches": 4, "followups": 0, "followups_unanswered": 0,
        "transactions": 0, "persons": 2, "payments": 0, "files": 0,
    }  # fmt: skip
    assert cert["retention_days"] == 60 and cert["period_to"] <= cert["cutoff"]
    lines = sorted(
        [f"inquiry\t{i}" for i in inquiry_ids] + [f"answer\t{a}" for a in answer_ids]
        + [f"match\t{k}" for k in account_keys] + [f"person\t{p}" for p in OLD]
    )  # fmt: skip
    assert cert["ids_sha256"] == hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
    text = certs[1].read_text(encoding="utf-8")
    assert "消去記録" in text and "担当A" in text and cert["ids_sha256"] in text
    for name in ("勅使河原", "纐纈", "8123457"):
        assert name not in text and name not in certs[0].read_text(encoding="utf-8")
    with Store(home / "store.sqlite3") as store:
        files = json.loads(store.scalar("SELECT files FROM audit WHERE command = 'purge'"))
    for path in certs:
        assert files[path.name] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert files["deleted_record_ids"] == cert["ids_sha256"]


def test_nothing_is_deleted_before_sixty_days(home: Path) -> None:
    age_answers(home, OLD, 59)
    code, out = cli("purge", "--home", home)
    assert code == 0, out
    assert _count(home, "SELECT count(*) FROM persons") == 4
    assert list((home / "reports").glob("purge-*")) == []  # nothing deleted, no certificate
    code, out = cli("purge", "--home", home, "--as-of", (time.strftime("%Y-%m-%d", time.localtime(time.time() + 86400))))
    assert code == 0, out
    assert _count(home, "SELECT count(*) FROM persons") == 2  # day 60: due


def test_second_purge_changes_nothing(home: Path) -> None:
    age_answers(home, OLD, 70)
    assert cli("purge", "--home", home)[0] == 0
    with Store(home / "store.sqlite3") as store:
        stats = store.conn.execute("SELECT * FROM stats ORDER BY 1, 2, 3, 4, 5").fetchall()
    code, out = cli("purge", "--home", home)
    assert code == 0, out
    with Store(home / "store.sqlite3") as store:
        assert store.conn.execute("SELECT * FROM stats ORDER BY 1, 2, 3, 4, 5").fetchall() == stats
        assert json.loads(store.scalar("SELECT counts FROM audit ORDER BY seq DESC LIMIT 1"))["persons"] == 0
    assert len(list((home / "reports").glob("purge-*.txt"))) == 1


def test_unanswered_inquiries_and_their_persons_are_kept_until_the_deadline(home: Path) -> None:
    with sqlite3.connect(home / "store.sqlite3") as con:  # P001 at the pipitLINQ bank never answered
        con.execute("DELETE FROM answers WHERE inquiry_id IN (SELECT inquiry_id FROM inquiries WHERE person_id = 'P001' AND provider = 'pipitlinq')")
        con.execute("UPDATE inquiries SET answered_on = NULL, answer = NULL WHERE person_id = 'P001' AND provider = 'pipitlinq'")
        sent_on = con.execute("SELECT sent_on FROM inquiries WHERE person_id = 'P001' AND provider = 'pipitlinq'").fetchone()[0]
    age_answers(home, OLD, 70)
    assert cli("purge", "--home", home)[0] == 0  # sent today: not due yet
    assert _count(home, "SELECT count(*) FROM inquiries WHERE person_id = 'P001'") == 1
    assert _count(home, "SELECT count(*) FROM persons WHERE person_id IN ('P001', 'P002')") == 1
    day_59 = (dt.date.fromisoformat(sent_on) + dt.timedelta(days=59)).isoformat()
    assert cli("purge", "--home", home, "--as-of", day_59)[0] == 0
    assert _count(home, "SELECT count(*) FROM inquiries WHERE person_id = 'P001'") == 1
    day_60 = (dt.date.fromisoformat(sent_on) + dt.timedelta(days=60)).isoformat()
    code, out = cli("purge", "--home", home, "--as-of", day_60)  # 60 days after sending: closed as 未回答, deleted
    assert code == 0, out
    assert _count(home, "SELECT count(*) FROM inquiries WHERE person_id = 'P001'") == 0
    assert _count(home, "SELECT count(*) FROM persons WHERE person_id IN ('P001', 'P002')") == 0
    assert _count(home, "SELECT count FROM stats WHERE kind = 'answer' AND value = 'unanswered' AND provider = 'pipitlinq'") == 1
    certs = [json.loads(c.read_text(encoding="utf-8"))["counts"] for c in (home / "reports").glob("purge-*.json")]
    assert sorted(c["inquiries_unanswered"] for c in certs) == [0, 1]


def test_followups_transactions_and_payments_of_purged_persons_go(home: Path) -> None:
    with sqlite3.connect(home / "store.sqlite3") as con:
        key = con.execute("SELECT account_key FROM matches WHERE inquired_person_id = 'P001' AND account_key LIKE '0001-%'").fetchone()[0]
        keep = con.execute("SELECT account_key FROM matches WHERE inquired_person_id = 'P003' AND account_key LIKE '0001-%'").fetchone()[0]
        h = file_id_of(con, "h", "history")
        con.executemany(
            "INSERT INTO followups (followup_id, person_id, account_key, provider, origin_inquiry_id, status, created_at, answered_on, transactions) VALUES (?,?,?,?,?,?,?,?,?)",
            [("F1", "P001", key, "dais", "x", "ANSWERED", "2026-01-01T00:00:00", "2026-01-02", 2),
             ("F2", "P003", keep, "dais", "y", "QUEUED", f"{dt.date.today()}T00:00:00", None, None)],
        )  # fmt: skip
        con.executemany(
            "INSERT INTO transactions (followup_id, file_id, line, tx_date, description, deposit_yen) VALUES (?,?,?,?,?,?)",
            [("F1", h, 2, "2025-12-25", "キユウヨ", 250000), ("F1", h, 3, "2025-11-25", "キユウヨ", 250000)],
        )
        con.executemany(
            "INSERT INTO payments (person_id, paid_on, amount_yen, source_sha, line) VALUES (?,?,?,?,?)",
            [("P001", "2026-10-05", 1000, "p", 2), ("P003", "2026-10-05", 1000, "p", 3)],
        )
    age_answers(home, OLD, 70)
    code, out = cli("purge", "--home", home)
    assert code == 0, out
    with Store(home / "store.sqlite3") as store:
        assert [r[0] for r in store.conn.execute("SELECT followup_id FROM followups")] == ["F2"]
        assert store.scalar("SELECT count(*) FROM transactions") == 0
        assert [r[0] for r in store.conn.execute("SELECT person_id FROM payments")] == ["P003"]
        assert store.scalar("SELECT count FROM stats WHERE kind = 'transactions'") == 2
        assert store.scalar("SELECT count FROM stats WHERE kind = 'followup' AND value = 'ANSWERED'") == 1
    assert "キユウヨ".encode() not in _store_bytes(home)


def test_old_report_files_are_deleted_certificates_kept(home: Path) -> None:
    old = home / "reports" / "matches.csv"
    old.write_text("勅使河原\n", encoding="utf-8")
    fresh = home / "reports" / "outcomes.csv"
    fresh.write_text("x\n", encoding="utf-8")
    seventy_days = time.time() - 70 * 86400
    os.utime(old, (seventy_days, seventy_days))
    assert cli("purge", "--home", home)[0] == 0
    assert not old.exists() and fresh.exists()
    assert len(list((home / "reports").glob("purge-*.txt"))) == 1
    age_answers(home, OLD, 70)
    assert cli("purge", "--home", home)[0] == 0
    assert len(list((home / "reports").glob("purge-*.txt"))) == 2  # the first certificate is never deleted


def test_a_certificate_lost_after_the_commit_is_written_again(home: Path) -> None:
    age_answers(home, OLD, 70)
    assert cli("purge", "--home", home)[0] == 0
    txt = next((home / "reports").glob("purge-*.txt"))
    content = txt.read_bytes()
    txt.unlink()  # as if killed between the commit and the file write
    assert cli("purge", "--home", home)[0] == 0
    assert txt.read_bytes() == content


def test_retention_above_sixty_days_needs_an_explicit_setting(home: Path) -> None:
    settings = home / "settings.json"
    settings.write_text(settings.read_text(encoding="utf-8").replace('"retention_days": 60', '"retention_days": 90'), encoding="utf-8")
    code, out = cli("purge", "--home", home)
    assert code == 2 and "retention_extended" in out


def test_purged_values_are_gone_even_if_killed_before_the_vacuum(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import inquiry.steps.purge.step

    age_answers(home, OLD, 70)
    monkeypatch.setattr(inquiry.steps.purge.step, "vacuum_if_pending", lambda store: False)  # as if killed right after the commit
    assert cli("purge", "--home", home)[0] == 0
    data = _store_bytes(home)
    assert [t.decode() for pid in OLD for t in _tokens(pid) if t in data] == []  # secure_delete zeroed them already
    assert _count(home, "SELECT count(*) FROM meta WHERE key = 'purge:vacuum_pending'") == 1
    monkeypatch.undo()
    size = (home / "store.sqlite3").stat().st_size
    assert cli("purge", "--home", home)[0] == 0  # the next purge does the vacuum that was left
    assert _count(home, "SELECT count(*) FROM meta WHERE key = 'purge:vacuum_pending'") == 0
    assert (home / "store.sqlite3").stat().st_size <= size


# -- everything personal goes: unanswered work included, every table, every folder (issues 12.1, 14.8) ----
def _workspace_bytes(home: Path) -> dict[str, bytes]:
    """Every file of the workspace (store, its journal or WAL, reports/, logs/, inbox/, outbox/, anything else)."""
    return {str(p.relative_to(home)): p.read_bytes() for p in sorted(home.rglob("*")) if p.is_file()}


def _personal_values(home: Path) -> dict[str, set[str]]:
    """Every personal value the store holds, by kind, from every table that holds one: what must not survive."""
    import polars as pl

    from matching.kana import to_zengin

    def parts(values: list[str | None]) -> set[str]:
        return {t for v in values if v for t in v.replace("\u3000", " ").replace("|", " ").replace(";", " ").split() if len(t) >= 2}

    with sqlite3.connect(home / "store.sqlite3") as con:

        def col(sql: str) -> list:
            return [r[0] for r in con.execute(sql)]

        kana = parts(col("SELECT name_kana FROM persons") + col("SELECT holder_kana FROM answers"))
        zengin = pl.DataFrame({"k": sorted(kana)}).select(to_zengin(pl.col("k")))["k"].to_list()
        births = set(col("SELECT birth_date FROM persons") + col("SELECT holder_birth_date FROM answers")) - {None}
        keys = col("SELECT account_key FROM answers") + col("SELECT account_key FROM matches") + col("SELECT account_key FROM followups")
        return {
            "name": parts(col("SELECT name_kanji FROM persons")),
            "kana": kana | parts(zengin),
            "birth date": set(births),
            "birth date written compactly": {b.replace("-", "") for b in births},  # as fixed-width files write it
            "address": {a.replace("東京都新宿区", "") for a in col("SELECT address FROM persons") + col("SELECT holder_address FROM answers") if a},
            "account number": set(col("SELECT account_number FROM answers")) | {k for k in keys if k},
        }


def _found(files: dict[str, bytes], values: dict[str, set[str]]) -> dict[str, list[str]]:
    return {
        f"{kind}: {v}": [name for name, data in files.items() if v.encode("utf-8") in data]
        for kind, vs in values.items()
        for v in sorted(vs)
        if any(v.encode("utf-8") in data for data in files.values())
    }


def test_after_a_purge_no_personal_value_is_anywhere_in_the_workspace(tmp_path: Path) -> None:
    """A small office through prepare, sent, ingest, match, followups: pipitLINQ never answers, the history
    inquiries are sent and never answered; an export in a subfolder, a rejected answer file, an error log.
    A purge far in the future leaves not one name, kana, birth date, address or account number in any file."""
    from inquiry.runtime.step import run_step
    from tests.inquiry._fixtures import (
        answer_outbox,
        init_and_prepare,
        mark_sent,
        write_office,
    )

    home = tmp_path / "ws"
    init_and_prepare(home, write_office(tmp_path / "office"))
    answers = tmp_path / "answers"
    answers.mkdir()
    for answer in answer_outbox(home, into=answers):
        if answer.name.startswith("DAIS_"):
            answer.replace(home / "inbox" / answer.name)
        else:  # the pipitLINQ answers never come; a copy sits in inbox/rejected/ as a rejected file would
            (home / "inbox" / "rejected").mkdir(exist_ok=True)
            answer.replace(home / "inbox" / "rejected" / answer.name)
    mark_sent(home)
    for command in (("ingest",), ("match",), ("followups",)):
        code, out = cli(*command, "--home", home)
        assert code == 0, out
    assert list((home / "outbox").glob("DAIS_*")), "history inquiries written"
    mark_sent(home)  # the history inquiries are sent and never answered
    code, out = cli("export", "matches", "--home", home, "--out", home / "reports" / "sub" / "deeper" / "m.csv")
    assert code == 0, out

    def leaks(ctx: object) -> None:  # an internal error whose traceback names a person
        raise RuntimeError(f"unexpected: {OFFICE[0].name_kanji} {OFFICE[0].address}")

    assert run_step(home, "broken", {}, leaks) == 2
    with sqlite3.connect(home / "store.sqlite3") as con:
        assert con.execute("SELECT count(*) FROM inquiries WHERE answered_on IS NULL").fetchone()[0] == 4
        assert con.execute("SELECT count(*) FROM followups WHERE status = 'SENT'").fetchone()[0] == 4
    values = _personal_values(home)
    assert all(values.values()), values
    before = _found(_workspace_bytes(home), values)
    missing = [f"{kind}: {v}" for kind, vs in values.items() for v in vs if f"{kind}: {v}" not in before and "compactly" not in kind]
    assert missing == [], f"the search does not work: {missing}"
    assert any(k.startswith("address") and any("logs/" in f for f in files) for k, files in before.items())
    assert any("reports/sub/deeper/m.csv" in files for files in before.values())

    code, out = cli("purge", "--home", home, "--as-of", "2099-01-01", "--operator", "担当C")
    assert code == 0, out

    assert _found(_workspace_bytes(home), values) == {}
    with sqlite3.connect(home / "store.sqlite3") as con:
        for table in ("persons", "inquiries", "answers", "matches", "followups", "transactions", "payments"):
            assert con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table
        stats = {(r[0], r[1], r[2]): r[3] for r in con.execute("SELECT provider, kind, value, sum(count) FROM stats GROUP BY 1, 2, 3")}
    assert stats[("pipitlinq", "answer", "unanswered")] == 4 and stats[("dais", "answer", "found")] == 4
    assert stats[("dais", "followup", "UNANSWERED")] == 4
    cert = json.loads(next((home / "reports").glob("purge-*.json")).read_text(encoding="utf-8"))
    assert cert["counts"] == {
        "inquiries": 8, "inquiries_unanswered": 4, "answers": 4, "matches": 4, "followups": 4, "followups_unanswered": 4,
        "transactions": 0, "persons": 4, "payments": 0, "files": 3,  # the export, the rejected answer file, the error log
    }  # fmt: skip
    assert not (home / "reports" / "sub").exists()  # the emptied subfolders go too
    assert (home / "logs" / "audit.log").exists()  # heads of the audit trail: no personal data, kept
    assert cli("audit", "verify", "--home", home)[0] == 0


def test_a_demo_workspace_loses_its_generated_office_with_the_rest(tmp_path: Path) -> None:
    import polars as pl

    home = tmp_path / "demo"
    code, out = cli("demo", "--home", home, "--persons", "20")
    assert code == 0, out
    master = pl.read_csv(home / "office" / "master.csv", infer_schema=False)
    names = {t for v in master["name_kanji"].to_list() for t in v.replace("\u3000", " ").split() if len(t) >= 2}
    addresses = {a for a in master["address"].drop_nulls().to_list()}
    code, out = cli("purge", "--home", home, "--as-of", "2099-01-01")
    assert code == 0, out
    assert [p for p in (home / "office").rglob("*") if p.is_file()] == []
    # The planned seizures are the office's case file and are kept (docs/decisions.md): their
    # persons' values may stay, nobody else's.
    with sqlite3.connect(home / "store.sqlite3") as con:
        kept = con.execute("SELECT name, resident_address FROM seizures").fetchall()
    kept_names = {t for name, _ in kept for t in (name or "").replace("\u3000", " ").split()}
    names -= kept_names
    addresses -= {a for _, a in kept}
    assert names and addresses
    files = _workspace_bytes(home)
    assert _found(files, {"name": names, "address": addresses}) == {}


def test_purge_deletes_each_kind_in_one_statement(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Set-based: one DELETE per table whatever the number of rows (a year is millions), not one per row."""
    import inquiry.steps.purge.step

    statements: list[str] = []
    delete_due = inquiry.steps.purge.step.delete_due

    def traced(ctx, *args, **kwargs):  # wraps the real step part
        ctx.store.conn.set_trace_callback(statements.append)
        try:
            return delete_due(ctx, *args, **kwargs)
        finally:
            ctx.store.conn.set_trace_callback(None)

    monkeypatch.setattr(inquiry.steps.purge.step, "delete_due", traced)
    age_answers(home, OLD, 70)
    code, out = cli("purge", "--home", home)
    assert code == 0, out
    # the trace gives each statement with its values; a foreign key's cascade traces its statement again, the same
    deletes = [" ".join(s.split()[:3]) for s in set(statements) if s.lstrip().upper().startswith("DELETE")]
    for table in ("answers", "inquiries", "matches", "match_evidence_rest", "persons"):
        assert deletes.count(f"DELETE FROM {table}") == 1, (table, deletes)
    with Store(home / "store.sqlite3") as store:  # 4 answers, 4 inquiries, 4 links and their evidence, 2 persons went
        assert store.scalar("SELECT count(*) FROM answers") == 4 and store.scalar("SELECT count(*) FROM inquiries") == 4
        assert sorted(r[0] for r in store.conn.execute("SELECT person_id FROM persons")) == NEW


def test_certificate_digest_is_that_of_the_sorted_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    """The ids' digest, built column-wise and hashed in pieces, is the SHA-256 of the Python-sorted lines (any text)."""
    import polars as pl

    import inquiry.steps.purge.certificate

    ids = {
        "inquiry": pl.Series(["b", "a", "ｱ", "é", "😀", "\uffff", None], dtype=pl.Utf8),
        "files": pl.Series(["\x01", "a"]),  # a kind named as another and more: its lines come after all of the other's
        "answer": pl.Series(["f:10", "f:2", "f:1"]),
        "file": pl.Series(["z", "y"]),
        "match": pl.Series([], dtype=pl.Utf8),
    }
    lines = sorted(f"{kind}\t{value}" for kind, series in ids.items() for value in series.to_list())
    expected = hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
    cert = inquiry.steps.purge.certificate

    def ids_digest(ids: dict[str, pl.Series]) -> str:  # as the purge builds it
        digest = cert.IdDigest(ids)
        for kind, values in ids.items():
            digest.add(kind, cert.id_lines(kind, values))
        return digest.hexdigest()

    assert ids_digest(ids) == expected
    monkeypatch.setattr(cert, "_DIGEST_ROWS", 3)
    assert ids_digest(ids) == expected
    # fed kind by kind in any order, as the purge's worker does while SQLite deletes
    for order in (list(ids), list(reversed(ids)), ["match", "files", "inquiry", "file", "answer"]):
        digest = cert.IdDigest(ids)
        for kind in order:
            with pytest.raises(RuntimeError):
                digest.hexdigest()  # not before every kind is in
            digest.add(kind, cert.id_lines(kind, ids[kind]))
        assert digest.hexdigest() == expected
    assert ids_digest({"match": ids["match"]}) == hashlib.sha256(b"").hexdigest()


def test_certificate_worker_failing_fails_the_purge_and_keeps_everything(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The id lines are prepared by a worker while SQLite deletes: its error fails the step, and nothing is deleted."""
    import inquiry.steps.purge.step

    made: list[str] = []
    real = inquiry.steps.purge.step.id_lines

    def failing(kind: str, ids):  # the answers' lines fail, after the inquiries' went to the worker
        made.append(kind)
        if kind == "answer":
            raise RuntimeError("worker failed")
        return real(kind, ids)

    monkeypatch.setattr(inquiry.steps.purge.step, "id_lines", failing)
    age_answers(home, OLD, 70)
    with Store(home / "store.sqlite3") as store:
        before = {t: store.scalar(f"SELECT count(*) FROM {t}") for t in ("answers", "inquiries", "matches", "persons", "stats")}
    code, out = cli("purge", "--home", home)
    assert code == 2 and "worker failed" in out, out
    assert made[0] == "inquiry" and "answer" in made  # the inquiries' lines went to the worker first
    with Store(home / "store.sqlite3") as store:
        assert {t: store.scalar(f"SELECT count(*) FROM {t}") for t in before} == before
        assert store.scalar("SELECT count(*) FROM meta WHERE key LIKE 'purge_certificate:%'") == 0
    assert list((home / "reports").glob("purge-*")) == []


def _history(home: Path) -> dict[str, str]:
    """History inquiries of each kind the purge decides on, with two transactions each, and two of no history inquiry.

    F_OLD answered past retention (P001's account); F_GONE queued, its account
    named by P001's answers only (all purged); F_KEPT skipped as cleared, its
    account named by P003's recent answers; F_NEW answered today (P003).
    """
    with sqlite3.connect(home / "store.sqlite3") as con:
        gone = con.execute("SELECT account_key FROM matches WHERE inquired_person_id = 'P001' AND account_key LIKE '0001-%'").fetchone()[0]
        kept = con.execute("SELECT account_key FROM matches WHERE inquired_person_id = 'P003' AND account_key LIKE '0001-%'").fetchone()[0]
        today = dt.date.today().isoformat()
        con.executemany(
            "INSERT INTO followups (followup_id, person_id, account_key, provider, origin_inquiry_id, status, created_at, answered_on) VALUES (?,?,?,?,?,?,?,?)",
            [("F_OLD", "P001", gone, "dais", "x", "ANSWERED", "2026-01-01T00:00:00", "2026-01-02"),
             ("F_GONE", "P001", gone, "dais", "x", "QUEUED", f"{today}T00:00:00", None),
             ("F_KEPT", "P003", kept, "dais", "y", "SKIPPED_CLEARED", f"{today}T00:00:00", None),
             ("F_NEW", "P003", kept, "dais", "y", "ANSWERED", f"{today}T00:00:00", today)],
        )  # fmt: skip
        h = file_id_of(con, "h", "history")
        con.executemany(
            "INSERT INTO transactions (followup_id, file_id, line, tx_date, description, deposit_yen) VALUES (?,?,?,?,?,?)",
            [(f, h, 10 * k + n, "2025-12-25", "キユウヨ", 1000) for k, f in enumerate(["F_OLD", "F_GONE", "F_KEPT", "F_NEW", "F_NONE"]) for n in (1, 2)],
        )
    return {"gone": gone, "kept": kept}


def test_transactions_read_before_the_deletes_are_those_of_the_history_inquiries_deleted(home: Path) -> None:
    """The transactions are chosen before anything is deleted, from what the purge will keep: the same as asked after."""
    _history(home)
    age_answers(home, OLD, 70)
    code, out = cli("purge", "--home", home)
    assert code == 0, out
    with Store(home / "store.sqlite3") as store:
        assert sorted(r[0] for r in store.conn.execute("SELECT followup_id FROM followups")) == ["F_KEPT", "F_NEW"]
        assert sorted(r[0] for r in store.conn.execute("SELECT followup_id FROM transactions")) == ["F_KEPT"] * 2 + ["F_NEW"] * 2
        cert = json.loads(store.scalar("SELECT value FROM meta WHERE key LIKE 'purge_certificate:%'"))
    assert cert["counts"]["transactions"] == 6 and cert["counts"]["followups"] == 2


def test_the_certificate_names_answers_and_transactions_by_their_file_sha_and_line(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows name their file by ``file_id``; the certificate still names each by the file's SHA-256 and the line, as before.

    The rows the purge hands to the certificate are caught on their way
    (``taken``): the answers and transactions are ``<SHA-256>:<line>`` of
    the rows deleted, and the certified digest is that of every id handed.
    """
    import inquiry.steps.purge.step
    from inquiry.steps.purge.due import ID_OF

    handed: dict[str, list[str]] = {}
    delete_due = inquiry.steps.purge.step.delete_due

    def caught(ctx, *args, taken=None, **kwargs):
        def take(name, rows):
            handed[name] = ID_OF[name][1](rows).cast(str).to_list()
            if taken is not None:
                taken(name, rows)

        return delete_due(ctx, *args, taken=take, **kwargs)

    monkeypatch.setattr(inquiry.steps.purge.step, "delete_due", caught)
    _history(home)
    with sqlite3.connect(home / "store.sqlite3") as con:
        named = "(SELECT r.sha256 FROM response_files r WHERE r.file_id = x.file_id) || ':' || x.line"
        marks = ",".join("?" * len(OLD))
        answers = [r[0] for r in con.execute(
            f"SELECT {named} FROM answers x WHERE x.inquiry_id IN (SELECT inquiry_id FROM inquiries WHERE person_id IN ({marks}))", OLD)]  # fmt: skip
        transactions = [r[0] for r in con.execute(f"SELECT {named} FROM transactions x WHERE x.followup_id IN ('F_OLD', 'F_GONE', 'F_NONE')")]
    age_answers(home, OLD, 70)
    code, out = cli("purge", "--home", home)
    assert code == 0, out
    assert len(answers) == 4 and sorted(handed["answers"]) == sorted(answers)
    assert len(transactions) == 6 and sorted(handed["transactions"]) == sorted(transactions) and transactions[0].startswith("h:")
    lines = sorted(f"{ID_OF[name][0]}\t{i}" for name, ids in handed.items() for i in ids)
    with Store(home / "store.sqlite3") as store:
        cert = json.loads(store.scalar("SELECT value FROM meta WHERE key LIKE 'purge_certificate:%'"))
    assert cert["ids_sha256"] == hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def test_transactions_read_otherwise_than_deleted_stop_the_purge(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Should the transactions' early read ever differ from those of the history inquiries deleted, nothing is deleted."""
    import inquiry.steps.purge.due as due

    real = due._Due.read

    def wrong(self, name: str):  # the early read misses the queued history inquiry whose account is gone
        query = real(self, name)
        return query._replace(sql=query.sql + " AND followup_id <> 'F_GONE'") if name == "transactions" else query

    monkeypatch.setattr(due._Due, "read", wrong)
    _history(home)
    age_answers(home, OLD, 70)
    before = {t: _count(home, f"SELECT count(*) FROM {t}") for t in ("answers", "inquiries", "followups", "transactions", "persons")}
    code, out = cli("purge", "--home", home)
    assert code == 2 and "transactions read before the deletes differ" in out, out
    assert {t: _count(home, f"SELECT count(*) FROM {t}") for t in before} == before
    assert list((home / "reports").glob("purge-*")) == []


def test_big_reads_run_side_by_side_before_the_first_delete(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Answers and transactions are read by child readers, and every read is in before the purge deletes anything."""
    import inquiry.steps.purge.step
    from inquiry.runtime.store import Store as RealStore

    events: list[str] = []
    fast_frames = RealStore.fast_frames

    def recorded(self, queries):
        futures = fast_frames(self, queries)
        for name, future in futures.items():
            future.add_done_callback(lambda _, name=name: events.append(f"read {name}"))
        return futures

    delete_due = inquiry.steps.purge.step.delete_due

    def traced(ctx, *args, **kwargs):
        ctx.store.conn.set_trace_callback(lambda sql: events.append(" ".join(sql.split()[:3])))
        try:
            return delete_due(ctx, *args, **kwargs)
        finally:
            ctx.store.conn.set_trace_callback(None)

    monkeypatch.setattr(RealStore, "fast_frames", recorded)
    monkeypatch.setattr(inquiry.steps.purge.step, "delete_due", traced)
    _history(home)
    age_answers(home, OLD, 70)
    code, out = cli("purge", "--home", home)
    assert code == 0, out
    first_delete = min(k for k, e in enumerate(events) if e.startswith("DELETE"))
    assert {"read answers", "read transactions"} <= set(events[:first_delete]), events


def _child_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the reads the purge hands to child readers (Store.fast_frames), as it hands them."""
    from inquiry.runtime.store import Store as RealStore

    names: list[str] = []
    fast_frames = RealStore.fast_frames

    def recorded(self, queries):
        names.extend(queries)
        return fast_frames(self, queries)

    monkeypatch.setattr(RealStore, "fast_frames", recorded)
    return names


def test_a_purge_with_nothing_due_starts_no_child_reader(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Most nights nothing is past retention: no child process reads answers or transactions for no row."""
    _history(home)
    with sqlite3.connect(home / "store.sqlite3") as con:  # F_OLD answered yesterday, no transaction without its history inquiry
        con.execute("UPDATE followups SET answered_on = ? WHERE followup_id = 'F_OLD'", ((dt.date.today() - dt.timedelta(days=1)).isoformat(),))
        con.execute("DELETE FROM transactions WHERE followup_id = 'F_NONE'")
    before = {t: _count(home, f"SELECT count(*) FROM {t}") for t in ("answers", "inquiries", "followups", "transactions", "persons")}
    reads = _child_reads(monkeypatch)
    code, out = cli("purge", "--home", home)
    assert code == 0, out
    assert reads == []
    assert {t: _count(home, f"SELECT count(*) FROM {t}") for t in before} == before


def test_a_kind_with_rows_due_is_still_read_alone(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the history inquiry answered past retention is due: its transactions are read (and go), no answer is read."""
    _history(home)
    reads = _child_reads(monkeypatch)
    answers = _count(home, "SELECT count(*) FROM answers")
    code, out = cli("purge", "--home", home)
    assert code == 0, out
    assert reads == ["transactions"]
    assert _count(home, "SELECT count(*) FROM answers") == answers
    assert _count(home, "SELECT count(*) FROM transactions WHERE followup_id = 'F_OLD'") == 0
    assert _count(home, "SELECT count(*) FROM transactions WHERE followup_id = 'F_NONE'") == 0  # of no history inquiry: goes too
    assert _count(home, "SELECT count(*) FROM transactions") == 6
