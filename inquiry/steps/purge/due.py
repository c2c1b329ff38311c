"""What a purge deletes, and the deleting: each kind's rows past retention read once, then deleted whole or by rowid.

:class:`_Due` says in SQL which rows of each kind are due (answered past
retention, closed unanswered at their deadline, or left with nothing that
names them); :func:`delete_due` reads the biggest kinds side by side before
anything is deleted, deletes in dependency order and returns what went
(:class:`Deleted`), for the statistics and the certificate
(:mod:`inquiry.steps.purge.certificate`). Files past retention are listed
here and deleted after the commit (:func:`unlink_all`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from inquiry.runtime.step import Context
from inquiry.runtime.store import FastQuery, Store, quoted
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


#: answered on or before the cutoff, and no answer of it after the cutoff (a later correction keeps it). The later
#: answers are one set (``NOT IN``: one pass over the answers, not a probe of every inquiry's answers); an inquiry
#: without an id is kept by no later answer, as ``NOT EXISTS`` had it (``IFNULL``)
_DUE_INQUIRY = """
    i.answered_on IS NOT NULL AND i.answered_on <= {cutoff}
    AND IFNULL(i.inquiry_id NOT IN (SELECT inquiry_id FROM answers WHERE answered_on > {cutoff}), 1)
"""
#: :data:`_DUE_INQUIRY` for a few inquiries: a probe of each one's answers instead of the set of all later answers
_DUE_INQUIRY_PROBED = """
    i.answered_on IS NOT NULL AND i.answered_on <= {cutoff}
    AND NOT EXISTS (SELECT 1 FROM answers a2 WHERE a2.inquiry_id = i.inquiry_id AND a2.answered_on > {cutoff})
"""
#: never answered, and sent (or, never sent, written) on or before the deadline: closed as 未回答
_UNANSWERED_INQUIRY = """
    i.answered_on IS NULL AND COALESCE(i.sent_on, substr(i.created_at, 1, 10)) <= {unanswered}
    AND NOT EXISTS (SELECT 1 FROM answers a2 WHERE a2.inquiry_id = i.inquiry_id)
"""
_TEXT = pl.Utf8
#: a file's SHA-256 in the rows handed on: a year's millions of rows name about a hundred files
_FILE = pl.Categorical


#: the column that names an answer's or a transaction's file: its ``response_files.file_id``, read as an
#: integer and handed on as the file's SHA-256 (:func:`_files_by_sha`), which with ``line`` is the row's id in
#: the certificate (the one place the purge names it)
_FILE_OF_ROW = "file_id"


def _kept(condition: str) -> str:
    """The rows a purge keeps of a table it deletes ``WHERE condition``: those for which it is false or NULL.

    A ``CASE``, not ``NOT IFNULL(…, 0)``: SQLite stops at the first true
    term of an ``OR`` only where it tests a condition, as in ``WHEN``; as a
    value it computes every term (at M the history inquiries' probe of
    their accounts' answers: 1.0 s instead of 0.2 s).
    """
    return f"CASE WHEN {condition} THEN 0 ELSE 1 END"


def _account_gone(alias: str) -> str:
    """An account (``<alias>.account_key``) that no remaining answer row names: asked after the answers' delete."""
    return f"{alias}.account_key NOT IN (SELECT account_key FROM answers WHERE account_key IS NOT NULL)"


@dataclass(frozen=True)
class _Due:
    """Which rows of each table a purge deletes, as SQL.

    The three big reads — inquiries, answers, transactions — are asked of
    the store as it is before the purge deletes anything, so that child
    readers can take them side by side (:meth:`Store.fast_frames`) while this
    connection reads the inquiries; links and history inquiries are asked
    after the answers are deleted (what no remaining answer names), as the
    purge always did. The transactions' read names the history inquiries the
    purge will keep by what they will be then (:meth:`followups` with
    :meth:`account_gone_before`): the same rows, which :func:`delete_due`
    checks after the deletes.
    """

    cutoff: str
    unanswered: str

    @property
    def inquiries(self) -> str:
        """Answered inquiries past retention, and unanswered ones past their deadline (alias ``i``)."""
        return self.inquiries_due()

    def inquiries_due(self, *, probed: bool = False) -> str:
        """:attr:`inquiries`; ``probed``: for a few inquiries, whose later answers are looked up one by one."""
        due = _DUE_INQUIRY_PROBED if probed else _DUE_INQUIRY
        return f"({due.format(cutoff=quoted(self.cutoff))}) OR ({_UNANSWERED_INQUIRY.format(unanswered=quoted(self.unanswered))})"

    def answers(self, inquiry_due: str = "") -> str:
        """Answer rows of due inquiries, and stray rows past retention whose inquiry is gone (alias ``a``).

        An inquiry closed unanswered has no answer row, so these are the
        answers of the answered inquiries past retention. ``inquiry_due``:
        how an answer's inquiry is found due; by default one set of the due
        inquiries' ids (one pass, for reading every answer).
        """
        due = inquiry_due or f"a.inquiry_id IN (SELECT i.inquiry_id FROM inquiries i WHERE {self.inquiries})"
        return f"{due} OR (a.answered_on <= {quoted(self.cutoff)} AND a.inquiry_id NOT IN (SELECT inquiry_id FROM inquiries))"

    def account_gone_before(self) -> str:
        """:func:`_account_gone` asked before any answer is deleted: no answer row that the purge keeps names the account.

        A probe of the account's answers (``answers_account``), of each
        one's inquiry and of that inquiry's later answers: the accounts asked
        are those of a few history inquiries (queued, or skipped as cleared),
        so no set of every answer or inquiry is built.
        """
        inquiry_due = f"EXISTS (SELECT 1 FROM inquiries i WHERE i.inquiry_id = a.inquiry_id AND ({self.inquiries_due(probed=True)}))"
        return f"NOT EXISTS (SELECT 1 FROM answers a WHERE a.account_key = f.account_key AND {_kept(self.answers(inquiry_due))})"

    def followups(self, account_gone: str = "") -> str:
        """Answered history inquiries past retention; unanswered ones past their deadline; unsent ones whose account is gone (alias ``f``)."""
        return f"""
            (f.status = 'ANSWERED' AND f.answered_on <= {quoted(self.cutoff)})
            OR (f.status IN ('QUEUED', 'SKIPPED_CLEARED') AND {account_gone or _account_gone("f")})
            OR (f.status <> 'ANSWERED' AND COALESCE(f.sent_on, substr(f.created_at, 1, 10)) <= {quoted(self.unanswered)})
        """

    def read(self, name: str) -> FastQuery:
        """A kind's rows that go (``rid``: the rowid, then what the statistics and the certificate need), by :data:`ID_OF` name."""
        text = dict.fromkeys
        if name == "inquiries":
            return FastQuery(
                f"""
                SELECT i.rowid AS rid, i.inquiry_id, i.person_id, i.provider, i.bank_code, i.answered_on,
                       COALESCE(i.answer, '{UNANSWERED}') AS answer,
                       COALESCE(i.answered_on, i.sent_on, substr(i.created_at, 1, 10)) AS day
                FROM inquiries i WHERE {self.inquiries}
                """,
                {"rid": pl.Int64, **text(("inquiry_id", "person_id", "provider", "bank_code", "answered_on", "answer", "day"), _TEXT)},
            )
        if name == "answers":
            return FastQuery(
                f"""
                SELECT a.rowid AS rid, a.{_FILE_OF_ROW} AS file, a.line, a.inquiry_id, a.account_key, a.answered_on
                FROM answers a WHERE {self.answers()}
                """,
                {"rid": pl.Int64, "file": pl.Int64, "line": pl.Int64, **text(("inquiry_id", "account_key", "answered_on"), _TEXT)},
            )
        if name == "matches":  # after the answers' delete
            # ``class`` is the effective one (the reviewer's decision over the matcher's, view ``effective_matches``):
            # what the statistics keep of the link
            return FastQuery(
                f"""
                SELECT m.rowid AS rid, m.account_key, m.inquiry_id, substr(m.matched_at, 1, 10) AS matched_on, e.class
                FROM matches m JOIN effective_matches e ON e.account_key = m.account_key
                WHERE {_account_gone("m")}
                """,
                {"rid": pl.Int64, **text(("account_key", "inquiry_id", "matched_on", "class"), _TEXT)},
            )
        if name == "followups":  # after the answers' delete
            # ``status`` is what the statistics keep: a follow-up written or sent but never answered is closed as
            # ``UNANSWERED`` (未回答)
            return FastQuery(
                f"""
                SELECT f.rowid AS rid, f.followup_id, f.person_id, f.provider, substr(f.account_key, 1, 4) AS bank_code,
                       CASE WHEN f.status IN ('WRITTEN', 'SENT') THEN '{FOLLOWUP_UNANSWERED}' ELSE f.status END AS status,
                       COALESCE(f.answered_on, f.sent_on, substr(f.created_at, 1, 10)) AS day
                FROM followups f WHERE {self.followups()}
                """,
                {"rid": pl.Int64, **text(("followup_id", "person_id", "provider", "bank_code", "status", "day"), _TEXT)},
            )
        if name == "transactions":  # before anything is deleted: those of the history inquiries the purge will not keep
            kept = f"SELECT f.followup_id FROM followups f WHERE {_kept(self.followups(self.account_gone_before()))}"
            return FastQuery(
                f"SELECT rowid AS rid, {_FILE_OF_ROW} AS file, line, followup_id FROM transactions WHERE followup_id NOT IN ({kept})",
                {"rid": pl.Int64, "file": pl.Int64, "line": pl.Int64, "followup_id": _TEXT},
            )
        raise KeyError(name)

    def any_due(self, name: str) -> str:
        """SQL of one row, 1 when :meth:`read` of ``name`` (one of :data:`_BESIDE`) may give a row, 0 when it gives none.

        Asked on this connection before a child reader is started for the
        kind: most nights nothing is past retention, and a child then costs
        its start and a walk of the whole table for no row (at M about 0.3 s
        for the answers, 0.55 s for the transactions, of CPU). Each probe
        stops at its first row, and is exact where it says 0:

        - answers: every row :meth:`answers` takes was answered on or before
          the cutoff (an inquiry due has no answer after it; a stray row must
          be that old), so no such row means none is due — one walk of the
          table with no look-up (0.16 s at M);
        - transactions: the history inquiries' ids the transactions name
          (their index, one entry per id), any of them not kept — the very
          condition of the read, asked once per id instead of once per row
          (0.14 s at M).
        """
        if name == "answers":
            return f"SELECT EXISTS (SELECT 1 FROM answers a WHERE a.answered_on <= {quoted(self.cutoff)})"
        if name == "transactions":
            kept = f"SELECT f.followup_id FROM followups f WHERE {_kept(self.followups(self.account_gone_before()))}"
            return f"SELECT EXISTS (SELECT 1 FROM (SELECT DISTINCT followup_id FROM transactions) t WHERE t.followup_id NOT IN ({kept}))"
        raise KeyError(name)


#: the reads :func:`delete_due` hands to child readers, side by side with each other and with this connection's
#: read of the inquiries: a year's 1.2 M answers and 1.6 M transactions, whose rows name their file by its id (:func:`_files_by_sha`)
_BESIDE = ("answers", "transactions")


def _files_by_sha(store: Store, rows: pl.DataFrame) -> pl.DataFrame:
    """``rows`` (answers or transactions read) with their ``file`` id as the file's SHA-256, as the certificate names them.

    The ids of the few files a store holds are looked up in ``response_files``
    (which the purge never deletes: a file's row names no person) and put in
    place column-wise. An id no file has stops the purge (and rolls it back)
    rather than certify a row by no name.
    """
    if rows.height == 0:  # the same columns and types (polars leaves an empty column as it is)
        return rows.with_columns(pl.col("file").cast(_TEXT).cast(_FILE))
    files = store.frame("SELECT file_id, sha256 FROM response_files", schema={"file_id": pl.Int64, "sha256": _TEXT})
    try:
        return rows.with_columns(pl.col("file").replace_strict(files["file_id"], files["sha256"], return_dtype=_FILE))
    except pl.exceptions.InvalidOperationError as exc:
        raise RuntimeError(f"purge: a row names a file that response_files does not hold ({exc})") from exc


def _check_transactions(store: Store, taken: pl.DataFrame, followups: pl.DataFrame) -> None:
    """The transactions read before the deletes (``taken``) are those the purge always deleted: of no remaining history inquiry.

    Asked after the history inquiries' (``followups``) and the transactions'
    deletes: none of ``taken`` belongs to a history inquiry still stored,
    and no transaction left belongs to one just deleted (those of one gone
    before the purge are in ``taken`` by the same condition). Both by the
    history inquiries' keys (an index each), not a pass over every
    transaction left. Else the purge stops (and rolls back) rather than
    certify other rows than it deletes.
    """
    ids = json.dumps(taken["followup_id"].unique().drop_nulls().to_list())
    still = store.scalar("SELECT count(*) FROM followups WHERE followup_id IN (SELECT value FROM json_each(?))", (ids,))
    gone = json.dumps(followups["followup_id"].drop_nulls().to_list())
    left = store.scalar("SELECT count(*) FROM transactions WHERE followup_id IN (SELECT value FROM json_each(?))", (gone,))
    if still or left:
        raise RuntimeError(f"purge: transactions read before the deletes differ from those of the history inquiries deleted ({still}, {left})")


def _delete_rows(store: Store, table: str, rows: pl.DataFrame, *, first: str = "") -> None:
    """Delete the rows of ``table`` read as ``rows`` (their rowids in ``rid``), in one statement.

    When every row of the table goes (a whole year past retention, an office
    that stopped), ``DELETE`` without ``WHERE``: SQLite then frees the
    table's and its indexes' pages whole instead of taking out one row and
    its index entries at a time (a year's answers: seconds, not tens of
    seconds); ``secure_delete`` zeroes freed pages all the same. Else the
    rowids are set aside in ``temp.purge_<table>`` (:func:`_set_aside`) and
    deleted from there. Either way SQLite must report as many rows deleted
    as were read (and certified): anything else rolls the purge back.
    ``first``: a statement run just before, on the rows going (``{going}``,
    a table expression: the link's other evidence goes with the link).
    """
    if rows.height == 0:
        return
    whole = rows.height == store.scalar(f"SELECT count(*) FROM {table}")
    where = "" if whole else f" WHERE rowid IN (SELECT rid FROM temp.purge_{table})"
    if not whole:
        _set_aside(store, table, rows)
    if first:
        store.conn.execute(first.format(going=f"(SELECT * FROM {table}{where})"))
    deleted = store.conn.execute(f"DELETE FROM {table}{where}").rowcount
    if not whole:
        store.conn.execute(f"DROP TABLE temp.purge_{table}")
    if deleted != rows.height:
        raise RuntimeError(f"purge: {deleted} rows of {table} deleted, {rows.height} read")


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


def _set_aside(store: Store, name: str, rows: pl.DataFrame) -> None:
    """The rowids of ``rows`` (column ``rid``) into ``temp.purge_<name>``, for a ``DELETE`` by rowid.

    Temporary tables are in memory (``temp_store``), part of the purge's
    transaction, and dropped before it commits.
    """
    store.conn.execute(f"DROP TABLE IF EXISTS temp.purge_{name}")
    store.conn.execute(f"CREATE TEMP TABLE purge_{name} (rid INTEGER PRIMARY KEY)")
    # one JSON array of the rowids, made by polars: a third of the CPU of a Python tuple per rowid
    # (a year's 1.6 M transactions: 0.5 s instead of 1.0-3.1 s)
    rids = "[" + rows["rid"].cast(pl.Utf8).str.join(",").item() + "]"
    store.conn.execute(f"INSERT INTO temp.purge_{name} (rid) SELECT value FROM json_each(?)", (rids,))


def _unreferenced_persons(store: Store, cutoff: str) -> pl.DataFrame:
    """Persons loaded on or before the cutoff whom nothing left names (run after the other kinds' deletes)."""
    loaded = store.frame(
        "SELECT rowid AS rid, person_id FROM persons WHERE substr(updated_at, 1, 10) <= ?",
        (cutoff,),
        schema={"rid": pl.Int64, "person_id": _TEXT},
    )
    return loaded.filter(~pl.col("person_id").is_in(_referenced_persons(store).implode()))


def _due_payments(store: Store, removed_persons: pl.Series, cutoff: str) -> pl.DataFrame:
    """Payments of persons just deleted, and of persons not stored once past retention."""
    orphans = store.frame(
        "SELECT rowid AS rid, source_sha AS file, line, person_id, paid_on FROM payments "
        "WHERE person_id NOT IN (SELECT person_id FROM persons)",
        schema={"rid": pl.Int64, "file": _TEXT, "line": pl.Int64, "person_id": _TEXT, "paid_on": _TEXT},
    )
    due = orphans.filter(pl.col("person_id").is_in(removed_persons.implode()) | (pl.col("paid_on") <= cutoff))
    return due.drop("paid_on")


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


def _row_of_file(frame: pl.DataFrame) -> pl.Series:
    """A row of a file: the file's SHA-256 and the line."""
    return frame["file"].cast(pl.Utf8) + ":" + frame["line"].cast(pl.Utf8)


#: for each kind of record :func:`delete_due` reads (and the files): its kind in the certificate and the id of a row
ID_OF: dict[str, tuple[str, Callable[[pl.DataFrame], pl.Series]]] = {
    "inquiries": ("inquiry", lambda rows: rows["inquiry_id"]),
    "answers": ("answer", _row_of_file),
    "matches": ("match", lambda rows: rows["account_key"]),
    "followups": ("followup", lambda rows: rows["followup_id"]),
    "transactions": ("transaction", _row_of_file),
    "persons": ("person", lambda rows: rows["person_id"]),
    "payments": ("payment", _row_of_file),
    "files": ("file", lambda rows: rows["name"]),
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
    that prepares the certificate's digest and the statistics while SQLite
    deletes.

    The inquiries, answers and transactions that go are read first, as the
    store stands before the purge (:class:`_Due`): answers and transactions
    by child readers (:data:`_BESIDE`) while this connection reads the
    inquiries, the three side by side. Nothing is deleted before every
    child is done: the children see the committed store, which this step
    has not yet changed, and a ``DELETE`` that must write the store file
    would wait for their locks. Links and history inquiries are read after
    the answers' delete (what no remaining answer names), persons and
    payments after the others' deletes (what still names them).
    """
    store = ctx.store
    due = _Due(cutoff_day.isoformat(), unanswered_day.isoformat())

    def read(name: str, rows: pl.DataFrame) -> pl.DataFrame:
        if taken is not None:
            taken(name, rows.drop("rid"))
        return rows

    store.conn.execute("PRAGMA temp_store = MEMORY")  # the ids set aside never touch a temporary file
    files = _old_files(ctx, cutoff_day, unanswered_day)
    # a child only for a kind that may have rows due (_Due.any_due): most nights none has, and no child is started
    beside = store.fast_frames({name: due.read(name) for name in _BESIDE if store.scalar(due.any_due(name))})
    query = due.read("inquiries")
    rows = {"inquiries": read("inquiries", store.fast_frame(query.sql, query.schema))}
    for name in _BESIDE:  # before the first delete
        got = beside[name].result() if name in beside else pl.DataFrame(schema=due.read(name).schema)
        rows[name] = read(name, _files_by_sha(store, got))
    read("files", pl.DataFrame({"rid": [None] * len(files), "name": [p.name for p in files]}, schema={"rid": pl.Int64, "name": _TEXT}))

    _delete_rows(store, "answers", rows["answers"])
    _delete_rows(store, "inquiries", rows["inquiries"])
    query = due.read("matches")
    rows["matches"] = read("matches", store.fast_frame(query.sql, query.schema))
    # the link's evidence goes with it: the rows the view match_evidence makes from the link itself go with the link,
    # the others are in match_evidence_rest (seizure candidates and confirmations cascade)
    _delete_rows(
        store, "matches", rows["matches"], first="DELETE FROM match_evidence_rest WHERE account_key IN (SELECT account_key FROM {going})"
    )
    query = due.read("followups")
    rows["followups"] = read("followups", store.fast_frame(query.sql, query.schema))
    _delete_rows(store, "followups", rows["followups"])
    _delete_rows(store, "transactions", rows["transactions"])
    _check_transactions(store, rows["transactions"], rows["followups"])
    rows["persons"] = read("persons", _unreferenced_persons(store, due.cutoff))
    _delete_rows(store, "persons", rows["persons"])
    rows["payments"] = read("payments", _due_payments(store, rows["persons"]["person_id"], due.cutoff))
    _delete_rows(store, "payments", rows["payments"])
    kinds = {name: frame.drop("rid") for name, frame in rows.items()}
    return Deleted(**kinds, files=files)
