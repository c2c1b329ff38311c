"""``inquiry purge``: delete inquiry and response data 60 days after the answer.

protection.md: names, birth dates, addresses, accounts, balances and
transactions are kept ``settings.retention_days`` (60) days after the answer
was received, then deleted — by ``inquiry purge`` and by every ``nightly``.
An inquiry or history inquiry that is never answered is closed as 未回答
``settings.unanswered_days`` (60) days after it was sent (written, if it was
never sent) and deleted then; the statistics count it as ``unanswered`` /
``UNANSWERED``. What survives is anonymous counts in ``stats`` (per day,
service, institution, kind, value) and the audit trail, which never held
personal data.

One purge, in one transaction:

1. answered inquiries whose last answer is past retention, with their answer
   rows, and unanswered ones past their deadline; links (``matches``) of
   accounts no remaining answer names, with the evidence kept for them
   (``match_evidence``); answered history inquiries (``followups``) past
   retention, unanswered ones past their deadline and unsent ones whose
   account is gone, with their ``transactions``; ``persons`` loaded before
   the cutoff that nothing (inquiry, link, follow-up) references any more,
   and their ``payments``;
2. the anonymous counts of all that into ``stats``, before it goes;
3. a deletion certificate (消去記録) — when, by whom, what period, how many
   records of each kind, and a SHA-256 of the deleted records' ids — kept in
   the store and written to ``reports/purge-<timestamp>.txt`` / ``.json``
   after the commit; its hashes go into the audit entry.

After the commit the store is ``VACUUM``-ed (``secure_delete`` already zeroes
deleted cells; the vacuum leaves no free page behind), so a purged name,
account number or address cannot be found in the store file's bytes. Report,
rejects and export files anywhere under ``reports/`` (and rejected answer
files under ``inbox/rejected/``, error logs under ``logs/``, a demo
workspace's generated ``office/``) last written on or before the cutoff are
deleted too, with the subfolders they leave empty: they hold the same
personal data. Request files still in ``outbox/`` at the unanswered deadline
(never sent) go with their inquiries. Kept: the deletion certificates and
``logs/audit.log`` (no personal data; the proof).

A purge killed at any point leaves the store as before or after; a vacuum or
certificate file that did not happen is done by the next purge (a flag and
the certificate are kept in ``meta``).

>>> from datetime import date
>>> cutoff_for(date(2026, 11, 23), 60)
datetime.date(2026, 9, 24)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from formats.files import write_atomically
from inquiry.runtime.step import Context, StepResult
from inquiry.runtime.store import Store
from inquiry.steps.demo import DEMO_MARKER, DEMO_OFFICE
from inquiry.vocabulary import EFFECTIVE_CLASS_SQL

__all__ = ["purge", "cutoff_for", "vacuum_if_pending", "write_missing_certificates", "Deleted", "RECORD_KINDS"]

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

_CERT_PREFIX = "purge_certificate:"
_VACUUM_FLAG = "purge:vacuum_pending"
#: lines of the certificate's id digest hashed at once
_DIGEST_ROWS = 500_000
_STATS_SCHEMA = {"day": pl.Utf8, "provider": pl.Utf8, "bank_code": pl.Utf8, "kind": pl.Utf8, "value": pl.Utf8, "count": pl.Int64}


def cutoff_for(as_of: date, retention_days: int) -> date:
    """Data answered on or before this day is due for deletion on ``as_of``."""
    return as_of - timedelta(days=retention_days)


# -- what is due -----------------------------------------------------------------
_DUE_INQUIRY = """
    i.answered_on IS NOT NULL AND i.answered_on <= :cutoff
    AND NOT EXISTS (SELECT 1 FROM answers a2 WHERE a2.inquiry_id = i.inquiry_id AND a2.answered_on > :cutoff)
"""
#: never answered, and sent (or, never sent, written) on or before the deadline: closed as 未回答
_UNANSWERED_INQUIRY = """
    i.answered_on IS NULL AND COALESCE(i.sent_on, substr(i.created_at, 1, 10)) <= :unanswered
    AND NOT EXISTS (SELECT 1 FROM answers a2 WHERE a2.inquiry_id = i.inquiry_id)
"""
_TEXT = pl.Utf8
#: a file's SHA-256 in the rows read: a year's millions of rows name about a hundred files
_FILE = pl.Categorical


#: the column that names an answer's or a transaction's file: with ``line``, the row's id in the
#: certificate (the one place the purge names it)
_FILE_OF_ROW = "response_sha"


def _take(store: Store, name: str, sql: str, params: dict[str, str], schema: dict[str, Any]) -> pl.DataFrame:
    """Set aside what goes: ``sql``'s rows (``rid``: the rowid, then ``schema``'s columns) in ``temp.purge_<name>``.

    The rows are read once, column-wise (:meth:`Store.fast_frame`), for the
    statistics and the certificate; :func:`_delete_rows` then deletes them in
    one statement by rowid. Temporary tables are in memory
    (``temp_store``), part of the purge's transaction, and dropped before it
    commits.
    """
    store.conn.execute(f"DROP TABLE IF EXISTS temp.purge_{name}")
    store.conn.execute(f"CREATE TEMP TABLE purge_{name} AS {sql}", params)
    return store.fast_frame(f"SELECT {', '.join(schema)} FROM temp.purge_{name}", schema)


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
        FROM inquiries i WHERE ({_DUE_INQUIRY}) OR ({_UNANSWERED_INQUIRY})
        """,
        {"cutoff": cutoff, "unanswered": unanswered},
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
        WHERE a.inquiry_id IN (SELECT inquiry_id FROM temp.purge_inquiries)
           OR (a.answered_on <= :cutoff AND a.inquiry_id NOT IN (SELECT inquiry_id FROM inquiries))
        """,
        {"cutoff": cutoff},
        {"file": _FILE, "line": pl.Int64, "inquiry_id": _TEXT, "account_key": _TEXT, "answered_on": _TEXT},
    )


#: an account no remaining answer row names (its answers were purged)
_ACCOUNT_GONE = "account_key NOT IN (SELECT account_key FROM answers WHERE account_key IS NOT NULL)"


def _orphan_matches(store: Store) -> pl.DataFrame:
    """Links of accounts that no remaining answer row names (run after deleting answers)."""
    return _take(
        store,
        "matches",
        f"""
        SELECT rowid AS rid, account_key, inquiry_id, substr(matched_at, 1, 10) AS matched_on, {EFFECTIVE_CLASS_SQL} AS class
        FROM matches
        WHERE {_ACCOUNT_GONE}
        """,
        {},
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
        WHERE (status = 'ANSWERED' AND answered_on <= :cutoff)
           OR (status IN ('QUEUED', 'SKIPPED_CLEARED') AND {_ACCOUNT_GONE})
           OR (status <> 'ANSWERED' AND COALESCE(sent_on, substr(created_at, 1, 10)) <= :unanswered)
        """,
        {"cutoff": cutoff, "unanswered": unanswered},
        {c: _TEXT for c in ("followup_id", "person_id", "provider", "bank_code", "status", "day")},
    )


def _orphan_transactions(store: Store) -> pl.DataFrame:
    """Transactions of history inquiries that are gone (run after deleting followups)."""
    return _take(
        store,
        "transactions",
        f"SELECT rowid AS rid, {_FILE_OF_ROW} AS file, line, followup_id FROM transactions "
        "WHERE followup_id NOT IN (SELECT followup_id FROM followups)",
        {},
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
    """:func:`_take` for rows chosen in polars (``rid`` first): their rowids go to ``temp.purge_<name>``."""
    store.conn.execute(f"DROP TABLE IF EXISTS temp.purge_{name}")
    store.conn.execute(f"CREATE TEMP TABLE purge_{name} (rid INTEGER PRIMARY KEY)")
    store.conn.executemany(f"INSERT INTO temp.purge_{name} (rid) VALUES (?)", rows.select("rid").iter_rows())
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


def _file_folders(ctx: Context) -> list[Path]:
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
    """Files last written on or before their cutoff: see :func:`_file_folders`; request files never sent by the unanswered deadline.

    Deletion certificates and ``logs/audit.log`` are kept: no personal data,
    and they are the proof of what was done.
    """
    found: list[Path] = []
    walks = [(folder, cutoff) for folder in _file_folders(ctx)] + [(ctx.ws.outbox, unanswered)]
    for folder, day in walks:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_symlink() or not path.is_file() or any(path.match(kept) for kept in _KEPT_FILES):
                continue
            if date.fromtimestamp(path.stat().st_mtime) <= day:
                found.append(path)
    return found


# -- deleting ----------------------------------------------------------------------
def _stats(frame: pl.DataFrame, kind: str, value: str | pl.Expr, weight: pl.Expr | None = None) -> pl.DataFrame:
    """Anonymous counts: one row per (day, provider, bank_code, value)."""
    v = pl.lit(value) if isinstance(value, str) else value
    return (
        frame.select(
            pl.col("day").fill_null(""),
            pl.col("provider").fill_null(""),
            pl.col("bank_code").fill_null(""),
            pl.lit(kind).alias("kind"),
            v.fill_null("").cast(pl.Utf8).alias("value"),
            (weight if weight is not None else pl.lit(1)).cast(pl.Int64).alias("n"),
        )
        .group_by("day", "provider", "bank_code", "kind", "value")
        .agg(pl.col("n").sum().alias("count"))
        .cast(_STATS_SCHEMA)
    )


def _ids_digest(ids: dict[str, pl.Series]) -> str:
    """SHA-256 of ``kind<TAB>id`` lines, sorted: proves later which records were deleted.

    The value of the Python formula (``sorted`` lines joined by ``\\n``),
    built column-wise: the tab after a kind's name sorts before any letter,
    so the sorted lines are the kinds in order, each kind's lines sorted (polars
    sorts text by its UTF-8 bytes, the code point order of ``sorted``); one
    kind at a time, hashed in pieces, so that a year's millions of ids are
    never all in memory as text at once.
    """
    digest = hashlib.sha256()
    first = True
    for kind in sorted(ids):
        lines = (f"{kind}\t" + ids[kind].cast(pl.Utf8).fill_null("None")).rename("line").sort()
        for piece in lines.to_frame().iter_slices(_DIGEST_ROWS):
            digest.update((("" if first else "\n") + piece["line"].str.join("\n").item()).encode("utf-8"))
            first = False
    return digest.hexdigest()


def _certificate_text(cert: dict[str, Any]) -> str:
    counts = "\n".join(f"  {k:<21} {cert['counts'][k]:>10,}" for k in RECORD_KINDS if k in cert["counts"])
    period = f"{cert['period_from']} 〜 {cert['period_to']}" if cert["period_from"] else "(なし / none)"
    return (
        "消去記録 (deletion certificate)\n"
        "================================\n"
        f"団体 (municipality):        {cert['municipality']}\n"
        f"利用目的 (purpose):          {cert['purpose']}\n"
        f"実施日時 (executed at):      {cert['executed_at']}\n"
        f"実施者 (operator):           {cert['operator']}\n"
        f"基準日 (as of):              {cert['as_of']}\n"
        f"保存期間 (retention):        {cert['retention_days']} 日 (days) after the answer\n"
        f"消去対象 (answered on or before): {cert['cutoff']}\n"
        f"未回答として終了 (closed unanswered: sent on or before): {cert.get('unanswered_cutoff', '-')} "
        f"({cert.get('unanswered_days', '-')} 日 / days after sending)\n"
        f"回答受領日の範囲 (period of the deleted answers): {period}\n"
        "消去件数 (records deleted):\n"
        f"{counts}\n"
        f"統計として残した集計行 (anonymous statistics rows written): {cert['stats_rows']:,}\n"
        f"消去レコードIDのSHA-256 (SHA-256 of the deleted records' ids): {cert['ids_sha256']}\n"
        "個人情報は上記の件数と統計集計のみを残して消去しました。\n"
        "(personal data deleted; only the counts above and anonymous statistics are kept)\n"
    )


def _certificate_files(cert: dict[str, Any]) -> dict[str, bytes]:
    name = cert["name"]
    return {
        f"{name}.txt": _certificate_text(cert).encode("utf-8"),
        f"{name}.json": (json.dumps(cert, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8"),
    }


def write_missing_certificates(store: Store, reports: Path) -> list[Path]:
    """Write every certificate the store holds whose file is missing (a purge killed after its commit)."""
    written: list[Path] = []
    for (value,) in store.conn.execute("SELECT value FROM meta WHERE key LIKE ? ORDER BY key", (_CERT_PREFIX + "%",)):
        for fname, data in _certificate_files(json.loads(value)).items():
            path = reports / fname
            if not path.exists():
                write_atomically(path, data)
                written.append(path)
    return written


def vacuum_if_pending(store: Store) -> bool:
    """``VACUUM`` the store if a committed purge asked for it; outside any transaction."""
    if store.get_meta(_VACUUM_FLAG) is None:
        return False
    store.conn.execute("PRAGMA temp_store = MEMORY")  # no copy of the store in a temp file
    store.conn.execute("VACUUM")
    with store.transaction():
        store.conn.execute("DELETE FROM meta WHERE key = ?", (_VACUUM_FLAG,))
    return True


def _unlink_all(paths: list[Path], roots: list[Path]) -> Callable[[], None]:
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

    def ids(self) -> dict[str, pl.Series]:
        def key(frame: pl.DataFrame) -> pl.Series:  # a row of a file: the file's SHA-256 and the line
            return frame["file"].cast(pl.Utf8) + ":" + frame["line"].cast(pl.Utf8)

        return {
            "inquiry": self.inquiries["inquiry_id"],
            "answer": key(self.answers),
            "match": self.matches["account_key"],
            "followup": self.followups["followup_id"],
            "transaction": key(self.transactions),
            "person": self.persons["person_id"],
            "payment": key(self.payments),
            "file": pl.Series([p.name for p in self.files], dtype=pl.Utf8),
        }


def _delete_due(ctx: Context, cutoff_day: date, unanswered_day: date) -> Deleted:
    """Delete everything past retention, in dependency order; return what went.

    Answers go with their inquiry; an inquiry never answered goes at its
    deadline (``unanswered_day``: sent on or before it); a link goes when no
    answer names its account any more; transactions go with their history
    inquiry; a person goes when nothing names them, and their payments with
    them.
    """
    store, cutoff, unanswered = ctx.store, cutoff_day.isoformat(), unanswered_day.isoformat()
    store.conn.execute("PRAGMA temp_store = MEMORY")  # the ids set aside never touch a temporary file
    inquiries = _due_inquiries(store, cutoff, unanswered)
    answers = _due_answers(store, cutoff)
    _delete_rows(store, "answers", "answers")
    _delete_rows(store, "inquiries", "inquiries")
    matches = _orphan_matches(store)
    _delete_rows(store, "matches", "matches")  # (seizure candidates and confirmations cascade)
    # the link's evidence goes with it
    store.conn.execute("DELETE FROM match_evidence WHERE account_key IN (SELECT account_key FROM temp.purge_matches)")
    followups = _due_followups(store, cutoff, unanswered)
    _delete_rows(store, "followups", "followups")
    transactions = _orphan_transactions(store)
    _delete_rows(store, "transactions", "transactions")
    persons = _unreferenced_persons(store, cutoff)
    _delete_rows(store, "persons", "persons")
    payments = _due_payments(store, persons["person_id"], cutoff)
    _delete_rows(store, "payments", "payments")
    for name in ("inquiries", "answers", "matches", "followups", "transactions", "persons", "payments"):
        store.conn.execute(f"DROP TABLE temp.purge_{name}")
    return Deleted(inquiries, answers, matches, followups, transactions, persons, payments, _old_files(ctx, cutoff_day, unanswered_day))


def _anonymous_counts(d: Deleted) -> pl.DataFrame:
    """``stats`` rows for what goes: answers, classes, history inquiries and their transactions."""
    answered = d.inquiries.drop("answered_on")  # ``day``: when answered, or sent when closed unanswered
    # where each purged link was answered: the latest deleted answer of its account
    where = (
        d.answers.filter(pl.col("account_key").is_not_null())
        .join(d.inquiries.select("inquiry_id", "provider", "bank_code"), on="inquiry_id", how="left")
        .sort("answered_on")
        .group_by("account_key")
        .agg(pl.col("answered_on").last().alias("day"), pl.col("provider").last(), pl.col("bank_code").last())
    )
    linked = d.matches.join(where, on="account_key", how="left").with_columns(
        pl.col("day").fill_null(pl.col("matched_on")), pl.col("bank_code").fill_null(pl.col("account_key").str.slice(0, 4))
    )
    tx = d.followups.join(d.transactions.group_by("followup_id").len("tx"), on="followup_id", how="inner")
    return pl.concat(
        [
            _stats(answered, "answer", pl.col("answer")),
            _stats(linked, "class", pl.col("class")),
            _stats(d.followups, "followup", pl.col("status")),
            _stats(tx, "transactions", "rows", pl.col("tx")),
        ]
    )


def _add_stats(store: Store, stats: pl.DataFrame) -> None:
    store.conn.executemany(
        "INSERT INTO stats (day, provider, bank_code, kind, value, count) VALUES (?,?,?,?,?,?) "
        "ON CONFLICT (day, provider, bank_code, kind, value) DO UPDATE SET count = count + excluded.count",
        stats.iter_rows(),
    )


def _certificate(ctx: Context, d: Deleted, stats_rows: int, day: date, cutoff: date, unanswered: date) -> dict[str, Any]:
    name = f"purge-{ctx.now:%Y%m%d-%H%M%S}"
    k = 1
    while ctx.store.get_meta(_CERT_PREFIX + name) is not None or (ctx.ws.reports / f"{name}.txt").exists():
        k += 1
        name = f"purge-{ctx.now:%Y%m%d-%H%M%S}-{k}"
    answered = d.inquiries["answered_on"].drop_nulls()
    return {
        "name": name,
        "municipality": f"{ctx.settings.municipality_code} {ctx.settings.municipality_name}",
        "purpose": ctx.settings.purpose,
        "executed_at": ctx.now.isoformat(timespec="seconds"),
        "operator": ctx.operator,
        "as_of": day.isoformat(),
        "retention_days": ctx.settings.retention_days,
        "cutoff": cutoff.isoformat(),
        "unanswered_days": ctx.settings.unanswered_days,
        "unanswered_cutoff": unanswered.isoformat(),
        "period_from": answered.min() if answered.len() else None,
        "period_to": answered.max() if answered.len() else None,
        "counts": d.counts(),
        "stats_rows": stats_rows,
        "ids_sha256": _ids_digest(d.ids()),
    }


def purge(as_of: date | None = None):  # noqa: ANN201 - returns the step body
    """The step body for :func:`inquiry.runtime.step.run_step`: delete what is past retention."""

    def body(ctx: Context) -> StepResult:
        store = ctx.store
        day = as_of or ctx.today
        cutoff = cutoff_for(day, ctx.settings.retention_days)
        unanswered = cutoff_for(day, ctx.settings.unanswered_days)
        result = StepResult(title="保存期間経過データの消去 (purge)")

        deleted = _delete_due(ctx, cutoff, unanswered)
        stats = _anonymous_counts(deleted)
        _add_stats(store, stats)
        counts = deleted.counts()
        result.counts = {  # type: ignore[assignment]
            "as_of": day.isoformat(),
            "cutoff": cutoff.isoformat(),
            "unanswered_cutoff": unanswered.isoformat(),
            **counts,
            "stats_rows": stats.height,
        }

        if any(counts.values()):
            cert = _certificate(ctx, deleted, stats.height, day, cutoff, unanswered)
            store.set_meta(_CERT_PREFIX + cert["name"], json.dumps(cert, ensure_ascii=False, sort_keys=True))
            for fname, data in _certificate_files(cert).items():
                result.files[fname] = hashlib.sha256(data).hexdigest()
            result.files["deleted_record_ids"] = cert["ids_sha256"]
            result.notes.append(f"消去記録 (deletion certificate): {ctx.ws.reports / (cert['name'] + '.txt')}")
        if any(v for k, v in counts.items() if k != "files"):
            store.set_meta(_VACUUM_FLAG, ctx.now.isoformat(timespec="seconds"))

        # after the commit: certificate files, old files, vacuum
        def write_certificates() -> None:  # this one, and any a purge killed after its commit left unwritten
            write_missing_certificates(store, ctx.ws.reports)

        def vacuum() -> None:
            vacuum_if_pending(store)

        result.after_commit += [write_certificates, _unlink_all(deleted.files, [*_file_folders(ctx), ctx.ws.outbox]), vacuum]
        result.notes.append(
            f"回答受領日が {cutoff} 以前のデータが対象 (data answered on or before {cutoff}, retention {ctx.settings.retention_days} days); "
            f"{unanswered} 以前に送信し未回答の照会は未回答として終了 (inquiries sent on or before {unanswered} and never answered "
            f"are closed as 未回答, {ctx.settings.unanswered_days} days after sending)"
        )
        return result

    return body
