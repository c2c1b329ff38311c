"""What a purge deletes, and the deleting: the rows past retention set aside, read once, deleted by rowid.

One function per kind of record says which rows are due (answered past
retention, closed unanswered at their deadline, or left with nothing that
names them); :func:`delete_due` runs them in dependency order and returns
what went (:class:`Deleted`), for the statistics and the certificate
(:mod:`inquiry.steps.purge.certificate`). Files past retention are listed
here and deleted after the commit (:func:`unlink_all`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from inquiry.runtime.step import Context
from inquiry.runtime.store import Store, quoted
from inquiry.steps.demo import DEMO_MARKER, DEMO_OFFICE

__all__ = ["FOLLOWUP_UNANSWERED", "ID_OF", "RECORD_KINDS", "UNANSWERED", "Deleted", "delete_due", "file_folders", "unlink_all"]

#: kinds of records a purge deletes, in the order the certificate lists them; ``*_unanswered`` are
#: the part of the kind before them that was closed as 未回答 (never answered) rather than answered
RECORD_KINDS = (
    "inquiries", "inquiries_unanswered", "answers", "matches", "followups", "followups_unanswered", "transactions",
    "persons", "payments", "files",
)  # fmt: skip
#: the ``stats`` value of an inquiry closed without an answer (``kind = 'answer'``) and of such a follow-up
UNANSWERED, FOLLOWUP_UNANSWERED = "unanswered", "UNANSWERED"
#: files a purge never deletes: they hold no personal data and prove what happened (certificates, audit heads)
_KEPT_FILES = ("purge-*", "audit.log")


_DUE_INQUIRY = """
    i.answered_on IS NOT NULL AND i.answered_on <= {cutoff}
    AND NOT EXISTS (SELECT 1 FROM answers a2 WHERE a2.inquiry_id = i.inquiry_id AND a2.answered_on > {cutoff})
"""
#: never answered, and sent (or, never sent, written) on or before the deadline: closed as 未回答
_UNANSWERED_INQUIRY = """
    i.answered_on IS NULL AND COALESCE(i.sent_on, substr(i.created_at, 1, 10)) <= {unanswered}
    AND NOT EXISTS (SELECT 1 FROM answers a2 WHERE a2.inquiry_id = i.inquiry_id)
"""
_TEXT = pl.Utf8
#: a file's SHA-256 in the rows read: a year's millions of rows name about a hundred files
_FILE = pl.Categorical


#: the column that names an answer's or a transaction's file: with ``line``, the row's id in the
#: certificate (the one place the purge names it)
_FILE_OF_ROW = "response_sha"


def _take(store: Store, name: str, sql: str, schema: dict[str, Any]) -> pl.DataFrame:
    """Set aside what goes: ``sql``'s rows (``rid``: the rowid, then ``schema``'s columns), rowids in ``temp.purge_<name>``.

    The rows are read once, straight from the query, column-wise
    (:meth:`Store.fast_frame`, which takes no parameters: the days are
    literals, :func:`quoted`), for the statistics and the certificate; only
    their rowids are set aside (:func:`_set_aside`), for :func:`_delete_rows`
    to delete them in one statement. Not a temporary copy of the rows read
    back: a year's answers and transactions were copied whole, their file's
    SHA-256 in every row (at M: 3 s of SQLite's CPU and ~600 MB of the
    purge's 2 GB peak).
    """
    return _set_aside(store, name, store.fast_frame(sql, {"rid": pl.Int64, **schema}))


def _delete_rows(store: Store, table: str, name: str) -> None:
    """Delete the rows of ``table`` set aside as ``temp.purge_<name>`` (:func:`_take`), in one statement.

    When every row of the table goes (a whole year past retention, an office
    that stopped), ``DELETE`` without ``WHERE``: SQLite then frees the
    table's and its indexes' pages whole instead of taking out one row and
    its index entries at a time (a year's answers: seconds, not tens of
    seconds); ``secure_delete`` zeroes freed pages all the same.
    """
    going = store.scalar(f"SELECT count(*) FROM temp.purge_{name}")
    if going and going == store.scalar(f"SELECT count(*) FROM {table}"):
        store.conn.execute(f"DELETE FROM {table}")
    elif going:
        store.conn.execute(f"DELETE FROM {table} WHERE rowid IN (SELECT rid FROM temp.purge_{name})")


def _due_inquiries(store: Store, cutoff: str, unanswered: str) -> pl.DataFrame:
    """Answered inquiries past retention, and unanswered ones past their deadline (``answer`` 'unanswered')."""
    return _take(
        store,
        "inquiries",
        f"""
        SELECT i.rowid AS rid, i.inquiry_id, i.person_id, i.provider, i.bank_code, i.answered_on,
               COALESCE(i.answer, '{UNANSWERED}') AS answer,
               COALESCE(i.answered_on, i.sent_on, substr(i.created_at, 1, 10)) AS day
        FROM inquiries i WHERE ({_DUE_INQUIRY.format(cutoff=quoted(cutoff))}) OR ({_UNANSWERED_INQUIRY.format(unanswered=quoted(unanswered))})
        """,
        {c: _TEXT for c in ("inquiry_id", "person_id", "provider", "bank_code", "answered_on", "answer", "day")},
    )


def _due_answers(store: Store, cutoff: str) -> pl.DataFrame:
    """Answer rows of due inquiries, and stray rows past retention whose inquiry is gone (after :func:`_due_inquiries`).

    An inquiry closed unanswered has no answer row, so the answers of the
    inquiries set aside are those of the answered ones past retention.
    """
    return _take(
        store,
        "answers",
        f"""
        SELECT a.rowid AS rid, a.{_FILE_OF_ROW} AS file, a.line, a.inquiry_id, a.account_key, a.answered_on FROM answers a
        WHERE a.inquiry_id IN (SELECT inquiry_id FROM inquiries WHERE rowid IN temp.purge_inquiries)
           OR (a.answered_on <= {quoted(cutoff)} AND a.inquiry_id NOT IN (SELECT inquiry_id FROM inquiries))
        """,
        {"file": _FILE, "line": pl.Int64, "inquiry_id": _TEXT, "account_key": _TEXT, "answered_on": _TEXT},
    )


#: an account no remaining answer row names (its answers were purged)
_ACCOUNT_GONE = "account_key NOT IN (SELECT account_key FROM answers WHERE account_key IS NOT NULL)"


def _orphan_matches(store: Store) -> pl.DataFrame:
    """Links of accounts that no remaining answer row names (run after deleting answers).

    ``class`` is the effective one (the reviewer's decision over the matcher's,
    view ``effective_matches``): what the statistics keep of the link.
    """
    return _take(
        store,
        "matches",
        f"""
        SELECT m.rowid AS rid, m.account_key, m.inquiry_id, substr(m.matched_at, 1, 10) AS matched_on, e.class
        FROM matches m JOIN effective_matches e ON e.account_key = m.account_key
        WHERE m.{_ACCOUNT_GONE}
        """,
        {"account_key": _TEXT, "inquiry_id": _TEXT, "matched_on": _TEXT, "class": _TEXT},
    )


def _due_followups(store: Store, cutoff: str, unanswered: str) -> pl.DataFrame:
    """Answered history inquiries past retention; unanswered ones past their deadline; unsent ones whose account is gone.

    ``status`` is what the statistics keep: a follow-up written or sent but
    never answered is closed as ``UNANSWERED`` (未回答).
    """
    return _take(
        store,
        "followups",
        f"""
        SELECT rowid AS rid, followup_id, person_id, provider, substr(account_key, 1, 4) AS bank_code,
               CASE WHEN status IN ('WRITTEN', 'SENT') THEN '{FOLLOWUP_UNANSWERED}' ELSE status END AS status,
               COALESCE(answered_on, sent_on, substr(created_at, 1, 10)) AS day
        FROM followups
        WHERE (status = 'ANSWERED' AND answered_on <= {quoted(cutoff)})
           OR (status IN ('QUEUED', 'SKIPPED_CLEARED') AND {_ACCOUNT_GONE})
           OR (status <> 'ANSWERED' AND COALESCE(sent_on, substr(created_at, 1, 10)) <= {quoted(unanswered)})
        """,
        {c: _TEXT for c in ("followup_id", "person_id", "provider", "bank_code", "status", "day")},
    )


def _orphan_transactions(store: Store) -> pl.DataFrame:
    """Transactions of history inquiries that are gone (run after deleting followups)."""
    return _take(
        store,
        "transactions",
        f"SELECT rowid AS rid, {_FILE_OF_ROW} AS file, line, followup_id FROM transactions "
        "WHERE followup_id NOT IN (SELECT followup_id FROM followups)",
        {"file": _FILE, "line": pl.Int64, "followup_id": _TEXT},
    )


def _referenced_persons(store: Store) -> pl.Series:
    """Every person id an inquiry, history inquiry or link still names (candidates included)."""
    refs = store.fast_frame(
        """
        SELECT person_id AS id FROM inquiries
        UNION SELECT person_id FROM followups
        UNION SELECT person_id FROM matches UNION SELECT inquired_person_id FROM matches
        UNION SELECT decided_person_id FROM matches UNION SELECT candidates FROM matches
        """,
        {"id": _TEXT},
    )
    return refs["id"].drop_nulls().str.split(";").explode().str.strip_chars().unique()


def _set_aside(store: Store, name: str, rows: pl.DataFrame) -> pl.DataFrame:
    """The rowids of ``rows`` (``rid`` first) into ``temp.purge_<name>``; ``rows`` without them.

    Temporary tables are in memory (``temp_store``), part of the purge's
    transaction, and dropped before it commits.
    """
    store.conn.execute(f"DROP TABLE IF EXISTS temp.purge_{name}")
    store.conn.execute(f"CREATE TEMP TABLE purge_{name} (rid INTEGER PRIMARY KEY)")
    # one JSON array of the rowids, made by polars: a third of the CPU of a Python tuple per rowid
    # (a year's 1.6 M transactions: 0.5 s instead of 1.0-3.1 s)
    rids = "[" + rows["rid"].cast(pl.Utf8).str.join(",").item() + "]"
    store.conn.execute(f"INSERT INTO temp.purge_{name} (rid) SELECT value FROM json_each(?)", (rids,))
    return rows.drop("rid")


def _unreferenced_persons(store: Store, cutoff: str) -> pl.DataFrame:
    loaded = store.frame(
        "SELECT rowid AS rid, person_id FROM persons WHERE substr(updated_at, 1, 10) <= ?",
        (cutoff,),
        schema={"rid": pl.Int64, "person_id": _TEXT},
    )
    return _set_aside(store, "persons", loaded.filter(~pl.col("person_id").is_in(_referenced_persons(store).implode())))


def _due_payments(store: Store, removed_persons: pl.Series, cutoff: str) -> pl.DataFrame:
    """Payments of persons just deleted, and of persons not stored once past retention."""
    orphans = store.frame(
        "SELECT rowid AS rid, source_sha AS file, line, person_id, paid_on FROM payments "
        "WHERE person_id NOT IN (SELECT person_id FROM persons)",
        schema={"rid": pl.Int64, "file": _TEXT, "line": pl.Int64, "person_id": _TEXT, "paid_on": _TEXT},
    )
    due = orphans.filter(pl.col("person_id").is_in(removed_persons.implode()) | (pl.col("paid_on") <= cutoff))
    return _set_aside(store, "payments", due.drop("paid_on"))


def file_folders(ctx: Context) -> list[Path]:
    """Folders whose files hold personal data and follow the retention clock, walked to any depth.

    ``reports/`` (reports, exports, rejects, review sheets — also in subfolders
    an ``--out`` made), ``logs/``, ``inbox/rejected/``, and in a demo workspace
    the generated office (``office/``: its master, institutions and payments).
    """
    folders = [ctx.ws.reports, ctx.ws.logs, ctx.ws.inbox / "rejected"]
    if (ctx.ws.home / DEMO_MARKER).exists():
        folders.append(ctx.ws.home / DEMO_OFFICE)
    return folders


def _old_files(ctx: Context, cutoff: date, unanswered: date) -> list[Path]:
    """Files last written on or before their cutoff: see :func:`file_folders`; request files never sent by the unanswered deadline.

    Deletion certificates and ``logs/audit.log`` are kept: no personal data,
    and they are the proof of what was done.
    """
    found: list[Path] = []
    walks = [(folder, cutoff) for folder in file_folders(ctx)] + [(ctx.ws.outbox, unanswered)]
    for folder, day in walks:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_symlink() or not path.is_file() or any(path.match(kept) for kept in _KEPT_FILES):
                continue
            if date.fromtimestamp(path.stat().st_mtime) <= day:
                found.append(path)
    return found



def unlink_all(paths: list[Path], roots: list[Path]) -> Callable[[], None]:
    """Delete the files, then the subfolders of ``roots`` they leave empty (the roots stay)."""

    def run() -> None:
        for p in paths:
            p.unlink(missing_ok=True)
        for root in roots:
            if not root.is_dir():
                continue
            for folder in sorted((d for d in root.rglob("*") if d.is_dir() and not d.is_symlink()), key=lambda d: -len(d.parts)):
                if not any(folder.iterdir()):
                    folder.rmdir()

    return run


@dataclass
class Deleted:
    """What one purge deleted, as the rows read just before (ids and what the statistics need)."""

    inquiries: pl.DataFrame
    answers: pl.DataFrame
    matches: pl.DataFrame
    followups: pl.DataFrame
    transactions: pl.DataFrame
    persons: pl.DataFrame
    payments: pl.DataFrame
    files: list[Path]

    def counts(self) -> dict[str, int]:
        heights = {k: getattr(self, k).height for k in RECORD_KINDS if k != "files" and not k.endswith("_unanswered")}
        return {
            **heights,
            "inquiries_unanswered": self.inquiries.filter(pl.col("answer") == UNANSWERED).height,
            "followups_unanswered": self.followups.filter(pl.col("status") == FOLLOWUP_UNANSWERED).height,
            "files": len(self.files),
        }

    def file_names(self) -> pl.Series:
        """The deleted files' names: their ids in the certificate (kind ``file``)."""
        return pl.Series([p.name for p in self.files], dtype=pl.Utf8)


def _row_of_file(frame: pl.DataFrame) -> pl.Series:
    """A row of a file: the file's SHA-256 and the line."""
    return frame["file"].cast(pl.Utf8) + ":" + frame["line"].cast(pl.Utf8)


#: for each kind of record :func:`delete_due` sets aside: its kind in the certificate and the id of a row
ID_OF: dict[str, tuple[str, Callable[[pl.DataFrame], pl.Series]]] = {
    "inquiries": ("inquiry", lambda rows: rows["inquiry_id"]),
    "answers": ("answer", _row_of_file),
    "matches": ("match", lambda rows: rows["account_key"]),
    "followups": ("followup", lambda rows: rows["followup_id"]),
    "transactions": ("transaction", _row_of_file),
    "persons": ("person", lambda rows: rows["person_id"]),
    "payments": ("payment", _row_of_file),
}


def delete_due(
    ctx: Context, cutoff_day: date, unanswered_day: date, *, taken: Callable[[str, pl.DataFrame], None] | None = None
) -> Deleted:
    """Delete everything past retention, in dependency order; return what went.

    Answers go with their inquiry; an inquiry never answered goes at its
    deadline (``unanswered_day``: sent on or before it); a link goes when no
    answer names its account any more; transactions go with their history
    inquiry; a person goes when nothing names them, and their payments with
    them. ``taken(name, rows)`` is called as soon as each kind's rows are
    read (``name`` a key of :data:`ID_OF`): the purge hands them to a worker
    that prepares the certificate's digest while SQLite deletes.
    """
    store, cutoff, unanswered = ctx.store, cutoff_day.isoformat(), unanswered_day.isoformat()

    def read(name: str, rows: pl.DataFrame) -> pl.DataFrame:
        if taken is not None:
            taken(name, rows)
        return rows

    store.conn.execute("PRAGMA temp_store = MEMORY")  # the ids set aside never touch a temporary file
    inquiries = read("inquiries", _due_inquiries(store, cutoff, unanswered))
    answers = read("answers", _due_answers(store, cutoff))
    _delete_rows(store, "answers", "answers")
    _delete_rows(store, "inquiries", "inquiries")
    matches = read("matches", _orphan_matches(store))
    # the link's evidence goes with it (the rows the view match_evidence makes from the link go with the link itself)
    store.conn.execute("DELETE FROM match_evidence_rest WHERE account_key IN (SELECT account_key FROM matches WHERE rowid IN temp.purge_matches)")
    _delete_rows(store, "matches", "matches")  # (seizure candidates and confirmations cascade)
    followups = read("followups", _due_followups(store, cutoff, unanswered))
    _delete_rows(store, "followups", "followups")
    transactions = read("transactions", _orphan_transactions(store))
    _delete_rows(store, "transactions", "transactions")
    persons = read("persons", _unreferenced_persons(store, cutoff))
    _delete_rows(store, "persons", "persons")
    payments = read("payments", _due_payments(store, persons["person_id"], cutoff))
    _delete_rows(store, "payments", "payments")
    for name in ("inquiries", "answers", "matches", "followups", "transactions", "persons", "payments"):
        store.conn.execute(f"DROP TABLE temp.purge_{name}")
    return Deleted(inquiries, answers, matches, followups, transactions, persons, payments, _old_files(ctx, cutoff_day, unanswered_day))
